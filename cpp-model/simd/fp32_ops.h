// The FP32 arithmetic the SIMD interpreter calls (docs/simd.md, "FP32 operations"). The contract is
// nna::fp32 (cpp-model/fp32/fp32.h); until that lands, fp32_ops.cpp implements it with host floats,
// and switching over means changing that one file. Values are binary32 bit patterns.
#pragma once

#include <cstdint>

namespace nna::simd::fp32ops {

inline constexpr uint32_t kCanonicalNan = 0x7FC00000u;

uint32_t Add(uint32_t a, uint32_t b);
uint32_t Mul(uint32_t a, uint32_t b);
uint32_t Fma(uint32_t a, uint32_t b, uint32_t addend);  // a*b + addend, one rounding
uint32_t Min(uint32_t a, uint32_t b);                   // minNum, -0 < +0
uint32_t Max(uint32_t a, uint32_t b);                   // maxNum, -0 < +0
bool Less(uint32_t a, uint32_t b);                      // false on NaN; -0 == +0
uint32_t FromInt(int32_t a);                            // RNE
int32_t ToInt(uint32_t a);                              // RNE, saturating, NaN -> 0

}  // namespace nna::simd::fp32ops
