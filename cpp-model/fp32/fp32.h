// The golden model's binary32 operations of the SIMD unit, with the contract of "FP32 in the SIMD
// unit" (docs/architecture.md): IEEE-754 round to nearest even, denormals in full, every NaN
// result the canonical quiet NaN, no flags. Bit patterns in, bit patterns out. The RTL
// (rtl/simd/nna_fp32.sv) must match these to the bit.
#pragma once

#include <cstdint>

#include "nna/isa.h"

namespace nna::fp32 {

inline constexpr uint32_t kCanonicalNan = 0x7FC00000u;

uint32_t Add(uint32_t a, uint32_t b);              // a + b
uint32_t Mul(uint32_t a, uint32_t b);              // a * b
uint32_t Fma(uint32_t a, uint32_t b, uint32_t c);  // a * b + c, one rounding
// minNum / maxNum with -0 < +0: one NaN operand yields the other operand, two yield the NaN.
uint32_t Min(uint32_t a, uint32_t b);
uint32_t Max(uint32_t a, uint32_t b);
// a < b as an IEEE compare: 0 when unordered (a NaN) and for -0 < +0; returns 0 or 1.
uint32_t CmpLt(uint32_t a, uint32_t b);
uint32_t IntToFloat(uint32_t a);  // a read as int32
// Round to nearest even, saturating to [-2^31, 2^31 - 1]; NaN gives 0. Returns the int32's bits.
uint32_t FloatToInt(uint32_t a);

// The operation op (one of kFadd .. kF2i) on operands a, b, c (c only for kFma), like one lane of
// the SIMD unit. Other opcodes throw std::invalid_argument.
uint32_t Execute(isa::SimdOp op, uint32_t a, uint32_t b, uint32_t c);

// Throws std::runtime_error unless the host computes binary32 in IEEE round-to-nearest-even with
// denormals (no flush-to-zero). The operations above rely on it; it also runs at program start.
void CheckHostArithmetic();

}  // namespace nna::fp32
