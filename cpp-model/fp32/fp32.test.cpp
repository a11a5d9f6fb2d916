// Hand-picked edge cases of the binary32 operations. Every expected bit pattern is written out
// here, worked by hand from IEEE-754 and the contract, not computed by the code under test.
#include "fp32/fp32.h"

#include <catch2/catch.hpp>
#include <stdexcept>

namespace nna::fp32 {
namespace {

// Names for the patterns used below.
constexpr uint32_t kPosZero = 0x00000000, kNegZero = 0x80000000;
constexpr uint32_t kOne = 0x3F800000, kNegOne = 0xBF800000, kTwo = 0x40000000, kHalf = 0x3F000000;
constexpr uint32_t kPosInf = 0x7F800000, kNegInf = 0xFF800000;
constexpr uint32_t kQNanPayload = 0x7FC12345, kSNan = 0x7F800001, kNegSNan = 0xFFA00000;
constexpr uint32_t kMinDenormal = 0x00000001, kMaxDenormal = 0x007FFFFF, kMinNormal = 0x00800000;
constexpr uint32_t kMaxNormal = 0x7F7FFFFF, kNegMaxNormal = 0xFF7FFFFF;

TEST_CASE("the host computes IEEE binary32 with denormals") { CHECK_NOTHROW(CheckHostArithmetic()); }

TEST_CASE("Add: zeros, ties to even, denormals, overflow, NaNs") {
  CHECK(Add(kPosZero, kNegZero) == kPosZero);
  CHECK(Add(kNegZero, kNegZero) == kNegZero);
  CHECK(Add(kOne, kNegOne) == kPosZero);             // x + (-x) = +0
  CHECK(Add(kOne, 0x33800000) == kOne);              // 1 + 2^-24: tie, 1.0 is even
  CHECK(Add(0x3F800001, 0x33800000) == 0x3F800002);  // (1 + 2^-23) + 2^-24: tie, up to even
  CHECK(Add(0x3F800000, 0x33800001) == 0x3F800001);  // just above the tie
  CHECK(Add(kMinDenormal, kMinDenormal) == 0x00000002);
  CHECK(Add(kMaxDenormal, kMinDenormal) == kMinNormal);
  CHECK(Add(kMinNormal, 0x80000001) == kMaxDenormal);  // normal minus denormal into denormal
  CHECK(Add(kMaxNormal, kMaxNormal) == kPosInf);
  CHECK(Add(kMaxNormal, 0x73000000) == kPosInf);     // max + half its ulp (2^103): tie, to 2^128
  CHECK(Add(kMaxNormal, 0x72FFFFFF) == kMaxNormal);  // just below that tie
  CHECK(Add(kPosInf, kNegInf) == kCanonicalNan);
  CHECK(Add(kPosInf, kOne) == kPosInf);
  CHECK(Add(kQNanPayload, kOne) == kCanonicalNan);
  CHECK(Add(kOne, kSNan) == kCanonicalNan);
}

TEST_CASE("Mul: underflow rounding, signed zeros, overflow, invalid") {
  CHECK(Mul(kMinNormal, kHalf) == 0x00400000);
  CHECK(Mul(kMinDenormal, kHalf) == kPosZero);           // 2^-150: tie between 0 and 2^-149, 0 is even
  CHECK(Mul(kMinDenormal, 0x3F400000) == kMinDenormal);  // 0.75 * 2^-149 rounds up
  CHECK(Mul(kMinNormal, 0x3F7FFFFF) == kMinNormal);      // 2^-126 - 2^-150: tie, up to the even 2^-126
  CHECK(Mul(kNegOne, kPosZero) == kNegZero);
  CHECK(Mul(kPosInf, kPosZero) == kCanonicalNan);
  CHECK(Mul(0x5F800000, 0x5F800000) == kPosInf);  // 2^64 * 2^64
  CHECK(Mul(kMaxNormal, 0xBF800001) == kNegInf);
  CHECK(Mul(kNegSNan, kOne) == kCanonicalNan);
}

TEST_CASE("Fma: one rounding, cancellation, zero signs, invalid") {
  // (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24 exactly; rounding the product first would give 2^-11.
  CHECK(Fma(0x3F800800, 0x3F800800, kNegOne) == 0x3A000400);
  CHECK(Fma(kOne, kOne, kNegOne) == kPosZero);
  CHECK(Fma(kNegOne, kOne, kOne) == kPosZero);
  CHECK(Fma(kNegZero, kOne, kNegZero) == kNegZero);
  CHECK(Fma(kPosZero, kOne, kNegZero) == kPosZero);
  CHECK(Fma(kPosZero, 0x7F000000, kMinDenormal) == kMinDenormal);  // 0 * 2^127 + 2^-149
  CHECK(Fma(0x0D800000, 0x0D800000, kOne) == kOne);                // 2^-200 + 1
  CHECK(Fma(0x0D800000, 0x0D800000, kNegOne) == kNegOne);
  CHECK(Fma(kMaxNormal, kTwo, kNegMaxNormal) == kMaxNormal);  // no overflow inside
  CHECK(Fma(kPosInf, kPosZero, kOne) == kCanonicalNan);
  CHECK(Fma(kPosInf, kPosZero, kQNanPayload) == kCanonicalNan);
  CHECK(Fma(kPosInf, kOne, kNegInf) == kCanonicalNan);
  CHECK(Fma(kOne, kOne, kNegInf) == kNegInf);
}

TEST_CASE("IntToFloat: ties to even above 2^24, extremes") {
  CHECK(IntToFloat(16777217) == 0x4B800000);  // 2^24 + 1: tie, down to 2^24
  CHECK(IntToFloat(16777219) == 0x4B800002);  // 2^24 + 3: tie, up to 2^24 + 4
  CHECK(IntToFloat(0) == kPosZero);
  CHECK(IntToFloat(0xFFFFFFFF) == kNegOne);
  CHECK(IntToFloat(0x80000000) == 0xCF000000);  // -2^31
  CHECK(IntToFloat(0x7FFFFFFF) == 0x4F000000);  // 2^31 - 1 rounds to 2^31
}

TEST_CASE("FloatToInt: ties to even, saturation, NaN") {
  CHECK(FloatToInt(0x40200000) == 2);           // 2.5
  CHECK(FloatToInt(0xC0200000) == 0xFFFFFFFE);  // -2.5 -> -2
  CHECK(FloatToInt(0x40600000) == 4);           // 3.5
  CHECK(FloatToInt(0x3FC00000) == 2);           // 1.5
  CHECK(FloatToInt(kHalf) == 0);
  CHECK(FloatToInt(0xBF000000) == 0);  // -0.5
  CHECK(FloatToInt(0x3F000001) == 1);  // just above 0.5
  CHECK(FloatToInt(kMinDenormal) == 0);
  CHECK(FloatToInt(0x4EFFFFFF) == 0x7FFFFF80);  // 2147483520.0, exact
  CHECK(FloatToInt(0x4F000000) == 0x7FFFFFFF);  // 2147483648.0 saturates
  CHECK(FloatToInt(0xCF000000) == 0x80000000);  // -2^31 is exact
  CHECK(FloatToInt(0xCF000001) == 0x80000000);  // below -2^31 saturates
  CHECK(FloatToInt(kPosInf) == 0x7FFFFFFF);
  CHECK(FloatToInt(kNegInf) == 0x80000000);
  CHECK(FloatToInt(kQNanPayload) == 0);
  CHECK(FloatToInt(0xFFC00000) == 0);
}

TEST_CASE("Min and Max: signed zeros, one or two NaNs") {
  CHECK(Min(kNegZero, kPosZero) == kNegZero);
  CHECK(Min(kPosZero, kNegZero) == kNegZero);
  CHECK(Max(kNegZero, kPosZero) == kPosZero);
  CHECK(Max(kPosZero, kNegZero) == kPosZero);
  CHECK(Min(kQNanPayload, kOne) == kOne);
  CHECK(Min(kOne, kSNan) == kOne);
  CHECK(Min(kSNan, kQNanPayload) == kCanonicalNan);
  CHECK(Max(kQNanPayload, kNegInf) == kNegInf);
  CHECK(Min(kNegOne, kTwo) == kNegOne);
  CHECK(Max(kMinDenormal, kPosZero) == kMinDenormal);
}

TEST_CASE("CmpLt: IEEE less-than") {
  CHECK(CmpLt(kNegZero, kPosZero) == 0);
  CHECK(CmpLt(kPosZero, kNegZero) == 0);
  CHECK(CmpLt(kOne, kQNanPayload) == 0);
  CHECK(CmpLt(kSNan, kOne) == 0);
  CHECK(CmpLt(kNegInf, kPosInf) == 1);
  CHECK(CmpLt(kMinDenormal, 0x00000002) == 1);
  CHECK(CmpLt(kNegOne, 0xC0000000) == 0);  // -1 < -2
  CHECK(CmpLt(0xC0000000, kNegOne) == 1);
}

TEST_CASE("Execute dispatches the floating-point opcodes and rejects the others") {
  CHECK(Execute(isa::SimdOp::kFma, 0x3F800800, 0x3F800800, kNegOne) == 0x3A000400);
  CHECK(Execute(isa::SimdOp::kF2i, 0x40200000, 0, 0) == 2);
  CHECK_THROWS_AS(Execute(isa::SimdOp::kAdd, 1, 2, 0), std::invalid_argument);
}

}  // namespace
}  // namespace nna::fp32
