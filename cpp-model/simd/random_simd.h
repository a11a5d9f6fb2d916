// Random legal SIMD programs (docs/simd.md) for property tests: seeded and the same on every
// platform, like compiler/random_layer.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "nna/isa.h"
#include "ref/ref_ops.h"
#include "util/split_mix64.h"

namespace nna::simd {

using nna::SplitMix64;

// 1..max_simd_instrs instructions drawn over every op, dtype, register and predicate; the last one
// is an unpredicated FUSED_RELU or SAT to i8/u8 into v0, so the output byte means something. Fields
// an op ignores get random values too. Every program passes CheckProgram.
std::vector<isa::SimdInstr> RandomSimdProgram(SplitMix64& rng);

// Channel parameters over their whole encodable range, extremes included.
ref::ChannelParams RandomChannelParams(SplitMix64& rng);

// A 30-bit accumulator (sign-extended), often at or near -2^29, 0 and 2^29-1.
int32_t RandomAcc30(SplitMix64& rng);

}  // namespace nna::simd
