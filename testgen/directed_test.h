// Directed tests (issue 20 coverage) for what neither the files of vectors/ nor the random tests
// reach: every integer op of the SIMD ISA on one dtype (simd_int_ops_<dtype>: i32, i16, i8, u8),
// the FP32 unit's infinities, NaNs and exact cancellation (simd_fp_specials), and the dependency-flag
// patterns the compiler never emits (flag_patterns, flag_patterns_high), DMA blocks at the extremes
// of their fields (dma_extremes) and a program of more than 8192 instructions (long_program). Named tests
// like the files of vectors/: nnac, nna_perf and the simulator accept them.
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

inline constexpr const char* kFlagPatternsHighTestName = "flag_patterns_high";

// The same program with flags 12 to 15, which no compiled program uses, each set, waited for set,
// cleared and waited for clear (issue 20 coverage): DMA_READ 0 sets flags 12 and 13, DMA_READ 1
// waits for them and clears them, DMA_READ 2 waits for them to be clear (one queue); CONV 4 sets
// flags 14 and 15, DMA_WRITE 5 (which waits for CONV 4 anyway) waits for them and clears them,
// DMA_WRITE 7 waits for them to be clear (two queues). The results are the same.
Bundle BuildFlagPatternsHighTest(const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                                 std::optional<uint64_t> seed, const compiler::Placement& at);

// A program of DMA_READ and DMA_WRITE pairs alone (issue 20 coverage): each DMA_READ moves a block
// of a seeded input region into SRAM, and the DMA_WRITE after it moves the same SRAM block (the
// same planes, rows, row_bytes and SRAM strides) to the output region with DRAM strides of its
// own. Each output row is an input row, so the reference is made by moving rows, and every byte
// of the output region (copy_output; the input region is copy_input) is checked. The DMA queue runs in order,
// so the pairs need no flags; a DMA_READ's done_set flags are waited for and cleared by its DMA_WRITE.
struct DmaCopy {
  isa::Instruction read;  // its dram_addr relative to the input region, its sram_addr to the data
  uint64_t out_addr = 0;  // the DMA_WRITE's dram_addr, relative to the output region
  uint64_t out_stride = 0, out_plane_stride = 0;  // the DMA_WRITE's DRAM strides
};

inline constexpr const char* kDmaExtremesTestName = "dma_extremes";

// The pairs of dma_extremes, each legal and each at an extreme of a DMA
// field that no compiled program reaches: one row of nearly the whole SRAM (row_bytes up to bit
// 19), 65535 rows (rows' every bit), two rows 2^24 - 1 bytes apart in DRAM (dram_stride's
// maximum) and nearly the SRAM apart in SRAM (sram_stride to bit 19), two planes 2^25 - 1
// apart in DRAM and nearly the SRAM apart in SRAM (the plane strides to bit 24 and 19), 65535
// planes, the SRAM's last bytes, and two rows of 4097 bytes.
// sram_room: the SRAM bytes the data may take.
std::vector<DmaCopy> DmaExtremesCopies(uint64_t sram_room);
// dma_extremes with the room the SRAM leaves after a program page from the placement's base.
Bundle BuildDmaExtremesTest(const HwConfig& cfg, std::optional<uint64_t> seed, const compiler::Placement& at);

inline constexpr const char* kLongProgramTestName = "long_program";
// DMA pairs of long_program: 8185 pairs, 16370 one-word instructions before conv1x1_small's 13
// words, so that the program has 2^14 - 1 words (every bit of the word counters below 14 set)
// and the instruction indexes reach bit 13.
inline constexpr uint32_t kLongProgramPairs = 8185;

// The pairs of long_program: pair k moves 16 bytes (one beat) from input byte 16k through SRAM
// to output byte 16k; each DMA_READ sets flag k mod 16 and its DMA_WRITE waits for it and clears
// it, so that every flag is set, waited for and cleared about 512 times.
std::vector<DmaCopy> LongProgramCopies();
// long_program: those pairs, then vectors/conv1x1_small's program (its CONV instruction 16373 =
// 0x3FF5, so that the compute side's instruction indexes reach bit 13 too), with conv1x1_small's data and
// output as compiled and the pairs' after them.
Bundle BuildLongProgramTest(const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                            std::optional<uint64_t> seed, const compiler::Placement& at);

// The bundle of a program of DMA pairs: the program at the placement's bases, the seeded input
// region after it in DRAM, the output region after the input, the data after the program in
// SRAM, each at a multiple of 4 KB; the input seeded by seed (default 20). Throws CompileError
// (naming the test) when the data do not fit the SRAM.
Bundle BuildDmaCopyTest(const std::string& name, const std::vector<DmaCopy>& copies, const HwConfig& cfg,
                        std::optional<uint64_t> seed, const compiler::Placement& at);

}  // namespace nna::testgen
