// Host-float stand-in for nna::fp32. Relies on the host's default environment: binary32 in SSE
// registers, round to nearest even, no flush-to-zero (the project never builds with -ffast-math).
#include "simd/fp32_ops.h"

#include <cmath>
#include <cstring>

namespace nna::simd::fp32ops {
namespace {

float F(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Every NaN leaves as the canonical one: the hardware does not propagate payloads.
uint32_t Bits(float f) {
  if (std::isnan(f)) return kCanonicalNan;
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

bool IsNan(uint32_t a) { return (a & 0x7F800000u) == 0x7F800000u && (a & 0x007FFFFFu) != 0; }
bool Negative(uint32_t a) { return (a >> 31) != 0; }

}  // namespace

uint32_t Add(uint32_t a, uint32_t b) { return Bits(F(a) + F(b)); }
uint32_t Mul(uint32_t a, uint32_t b) { return Bits(F(a) * F(b)); }
uint32_t Fma(uint32_t a, uint32_t b, uint32_t addend) { return Bits(std::fmaf(F(a), F(b), F(addend))); }

uint32_t Min(uint32_t a, uint32_t b) {
  if (IsNan(a)) return IsNan(b) ? kCanonicalNan : b;
  if (IsNan(b)) return a;
  if (F(a) == F(b)) return Negative(a) ? a : b;  // only zeros of both signs differ here: -0 wins
  return F(a) < F(b) ? a : b;
}

uint32_t Max(uint32_t a, uint32_t b) {
  if (IsNan(a)) return IsNan(b) ? kCanonicalNan : b;
  if (IsNan(b)) return a;
  if (F(a) == F(b)) return Negative(a) ? b : a;  // +0 wins
  return F(a) < F(b) ? b : a;
}

bool Less(uint32_t a, uint32_t b) { return F(a) < F(b); }  // false on NaN, -0 == +0 (IEEE)

uint32_t FromInt(int32_t a) { return Bits(float(a)); }

int32_t ToInt(uint32_t a) {
  if (IsNan(a)) return 0;
  const double x = F(a);  // exact
  if (x >= 2147483648.0) return INT32_MAX;
  if (x < -2147483648.0) return INT32_MIN;
  // Round half to even by hand, independent of the host's rounding mode. x - trunc(x) is exact,
  // and a float in [-2^31, 2^31) with a fraction is far from the limits, so r stays in range.
  double r = std::trunc(x);
  const double frac = std::fabs(x - r);
  if (frac > 0.5 || (frac == 0.5 && std::fmod(r, 2.0) != 0.0)) r += x < 0 ? -1.0 : 1.0;
  return int32_t(r);
}

}  // namespace nna::simd::fp32ops
