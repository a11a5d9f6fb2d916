// Directed tests (issue 20 coverage) for what neither the files of vectors/ nor the random tests
// reach: every integer op of the SIMD ISA on one dtype (simd_int_ops_<dtype>: i32, i16, i8, u8),
// the FP32 unit's infinities, NaNs and exact cancellation (simd_fp_specials), and the dependency-flag
// patterns the compiler never emits (flag_patterns). Named tests like the files of vectors/: nnac, nna_perf
// and the simulator accept them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "compiler/compiler.h"
#include "compiler/test_spec.h"
#include "nna/configs.h"
#include "nna/isa.h"

namespace nna::testgen {

// "simd_int_ops_" followed by an integer dtype's name.
inline constexpr const char* kSimdIntOpsPrefix = "simd_int_ops_";

// The dtype a name simd_int_ops_<dtype> names, if it is one (an integer dtype).
std::optional<isa::Dtype> SimdIntOpsDtype(const std::string& name);

// The 16 instructions: a MOVI, then add, sub, mul, shl, shr (rounding), min, max, and, or, xor,
// cmpeq, cmplt, cmple (the last predicated on the negation of cmpeq's result), a SAT into v0 predicated on
// cmplt's and an XOR into v0 predicated on the negation of cmple's, every integer op on dtype.
// Passes simd::CheckProgram.
std::vector<isa::SimdInstr> SimdIntOpsProgram(isa::Dtype dtype);

// The test: a signed 1x1 convolution (16 -> 8 channels, 6x6; accumulators far beyond 16 bits, so
// that i16, i8 and u8 wrap and saturate) whose SIMD program is SimdIntOpsProgram(dtype).
compiler::TestSpec SimdIntOpsTestSpec(isa::Dtype dtype);

inline constexpr const char* kSimdFpSpecialsTestName = "simd_fp_specials";

// The 16 instructions of simd_fp_specials: the FP32 unit's special operands, from the row's
// accumulator x converted by i2f: x * +inf (an infinite product), -FLT_MAX + +inf (an infinite
// addend, which the adder would make 2^104),
// fmin of two NaNs, x * -1 + x (exact cancellation: +0) and f2i of an infinity (saturation);
// then the four results folded by xor, and their bits 24..31 into bits 0..7 (the output byte).
// Passes simd::CheckProgram.
std::vector<isa::SimdInstr> SimdFpSpecialsProgram();

// The test: a signed 1x1 convolution (16 -> 8 channels, 6x6) whose SIMD program is
// SimdFpSpecialsProgram().
compiler::TestSpec SimdFpSpecialsTestSpec();

inline constexpr const char* kFlagPatternsTestName = "flag_patterns";

// vectors/fig6_two_buffers (DMA_READ 0-3, CONV 4, DMA_WRITE 5, CONV 6, DMA_WRITE 7) with extra
// dependency flags, each legal and each a pattern no compiled program has (flags 8 to 11, which it
// does not use): DMA_READ 1 waits for flag 0, set by DMA_READ 0; DMA_READ 0 clears flag 8 and
// DMA_READ 2 waits for it to be clear, and for flag 9, which no instruction touches; CONV 4 sets
// flag 10 and clears flag 11, and CONV 6 waits for both. The order the compiler chose already
// holds, so the results are the same. Throws CompileError when the program is not that one.
Bundle BuildFlagPatternsTest(const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                             std::optional<uint64_t> seed, const compiler::Placement& at);

}  // namespace nna::testgen
