// The binary32 operations on the host's own IEEE arithmetic (SSE on x86-64: RNE with denormals),
// with the contract's choices written out where IEEE leaves them open (NaN results, minNum/maxNum,
// float-to-int conversion).
#include "fp32/fp32.h"

#include <cfenv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace nna::fp32 {
namespace {

float ToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint32_t ToBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

bool IsNan(uint32_t bits) { return (bits & 0x7FFFFFFFu) > 0x7F800000u; }

// Any NaN becomes the canonical one: the contract propagates no payloads.
uint32_t Canonical(float f) { return std::isnan(f) ? kCanonicalNan : ToBits(f); }

// Orders the numbers with -0 below +0 (both not NaN).
bool Below(uint32_t a, uint32_t b) {
  const float fa = ToFloat(a), fb = ToFloat(b);
  if (fa == fb) return (a >> 31) > (b >> 31);  // equal values differ only in the sign of zero
  return fa < fb;
}

// Runs the host check before main(): a flush-to-zero environment fails loudly, not silently.
const bool kHostChecked = [] {
  try {
    CheckHostArithmetic();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    std::abort();
  }
  return true;
}();

}  // namespace

void CheckHostArithmetic() {
  if (std::fegetround() != FE_TONEAREST)
    throw std::runtime_error("fp32 model: the host rounding mode is not round-to-nearest-even");
  // volatile: the compiler must not fold these at compile time.
  volatile float tiny = ToFloat(0x00800000u);  // 2^-126, smallest normal
  volatile float half = 0.5f;
  const float denormal = tiny * half;  // 2^-127: a denormal unless the host flushes to zero
  volatile float denormal_in = ToFloat(0x00000001u);
  const float doubled = denormal_in * 2.0f;  // 2^-148: zero if the host treats denormal inputs as 0
  if (ToBits(denormal) != 0x00400000u || ToBits(doubled) != 0x00000002u)
    throw std::runtime_error(
        "fp32 model: the host flushes denormals to zero (FTZ/DAZ, e.g. -ffast-math); the model "
        "needs IEEE denormals");
}

uint32_t Add(uint32_t a, uint32_t b) { return Canonical(ToFloat(a) + ToFloat(b)); }

uint32_t Mul(uint32_t a, uint32_t b) { return Canonical(ToFloat(a) * ToFloat(b)); }

uint32_t Fma(uint32_t a, uint32_t b, uint32_t c) {
  return Canonical(std::fma(ToFloat(a), ToFloat(b), ToFloat(c)));
}

uint32_t Min(uint32_t a, uint32_t b) {
  if (IsNan(a) && IsNan(b)) return kCanonicalNan;
  if (IsNan(a)) return b;
  if (IsNan(b)) return a;
  return Below(b, a) ? b : a;
}

uint32_t Max(uint32_t a, uint32_t b) {
  if (IsNan(a) && IsNan(b)) return kCanonicalNan;
  if (IsNan(a)) return b;
  if (IsNan(b)) return a;
  return Below(a, b) ? b : a;
}

uint32_t CmpLt(uint32_t a, uint32_t b) { return ToFloat(a) < ToFloat(b) ? 1u : 0u; }

uint32_t IntToFloat(uint32_t a) { return ToBits(static_cast<float>(static_cast<int32_t>(a))); }

uint32_t FloatToInt(uint32_t a) {
  if (IsNan(a)) return 0;
  const double x = ToFloat(a);  // exact in double, as is every step below
  if (x >= 2147483648.0) return 0x7FFFFFFFu;
  if (x <= -2147483648.0) return 0x80000000u;
  // |x| < 2^31: truncation is defined; then round the remainder to nearest, ties to even.
  int64_t whole = static_cast<int64_t>(x);
  const double rest = x - static_cast<double>(whole);  // in (-1, 1), same sign as x
  const double half = std::fabs(rest);
  if (half > 0.5 || (half == 0.5 && (whole & 1) != 0)) whole += (rest > 0) ? 1 : -1;
  return static_cast<uint32_t>(static_cast<int32_t>(whole));
}

uint32_t Execute(isa::SimdOp op, uint32_t a, uint32_t b, uint32_t c) {
  switch (op) {
    case isa::SimdOp::kFadd:
      return Add(a, b);
    case isa::SimdOp::kFmul:
      return Mul(a, b);
    case isa::SimdOp::kFma:
      return Fma(a, b, c);
    case isa::SimdOp::kFmin:
      return Min(a, b);
    case isa::SimdOp::kFmax:
      return Max(a, b);
    case isa::SimdOp::kFcmplt:
      return CmpLt(a, b);
    case isa::SimdOp::kI2f:
      return IntToFloat(a);
    case isa::SimdOp::kF2i:
      return FloatToInt(a);
    default:
      throw std::invalid_argument(std::string("fp32 model: '") + isa::ToString(op) +
                                  "' is not a floating-point operation");
  }
}

}  // namespace nna::fp32
