#include "compiler/layer_quant.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "compiler/qlinear_add_cases.h"
#include "simd/simd_program.h"
#include "util/split_mix64.h"

using namespace nna;
using namespace nna::compiler;

namespace {

// A multiplier with few significant bits (many products exactly on .5), an arbitrary one, or an
// extreme one (huge, tiny, infinite, NaN).
float DrawMultiplier(SplitMix64& rng) {
  switch (rng.Range(0, 3)) {
    case 0:
      return std::ldexp(float(rng.Range(1, 15)), -int(rng.Range(1, 12)));
    case 1:
      return std::ldexp(float(rng.Range(1, (1u << 24) - 1)), -int(rng.Range(24, 40)));
    case 2:
      return std::ldexp(1.0f, int(rng.Range(0, 250)) - 125);
    default: {
      const float extreme[] = {std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::quiet_NaN(), -0.5f, 0.0f,
                               std::numeric_limits<float>::denorm_min()};
      return extreme[rng.Range(0, 4)];
    }
  }
}

}  // namespace

TEST_CASE("the exact program equals ref::RequantizeExact on every lane value", "[exact]") {
  SplitMix64 rng(17);
  uint64_t ties = 0;
  for (bool relu : {false, true})
    for (bool out_signed : {false, true}) {
      const auto program = ExactRequantProgram(relu, out_signed);
      CHECK(program.size() == (relu ? 11u : 10u));
      for (int i = 0; i < 20000; ++i) {
        ref::ChannelParams p;
        p.bias = rng.Chance(80) ? int32_t(rng.Range(0, 4000)) - 2000 : int32_t(uint32_t(rng.Next()));
        p.multiplier = DrawMultiplier(rng);
        p.zero_point = int16_t(out_signed ? int32_t(rng.Range(0, 255)) - 128 : int32_t(rng.Range(0, 255)));
        const int32_t acc = ref::WrapAcc(int64_t(rng.Next()) >> int(rng.Range(0, 60)));
        const float x = float(int32_t(uint32_t(acc) + uint32_t(p.bias))) * p.multiplier;
        if (std::isfinite(x) && x - std::floor(x) == 0.5f) ++ties;
        INFO("acc " << acc << " bias " << p.bias << " multiplier " << p.multiplier << " zero point "
                    << p.zero_point << " relu " << relu << " signed " << out_signed);
        const int32_t want = ref::RequantizeExact(acc, p, relu, !out_signed);
        const uint8_t got = simd::RunLane(program, acc, p);
        REQUIRE(int32_t(out_signed ? int8_t(got) : got) == want);
      }
    }
  CHECK(ties > 1000);
}

TEST_CASE("the half-up program differs from the exact one only on ties", "[exact]") {
  const auto even = ExactRequantProgram(false, true);
  const auto up = ExactRequantProgram(false, true, ExactRounding::kHalfUpForTest);
  CHECK(up.size() <= isa::kMaxSimdInstrs);
  ref::ChannelParams p;
  p.multiplier = 0.5f;
  CHECK(simd::RunLane(even, 5, p) == 2);  // 2.5 -> 2
  CHECK(simd::RunLane(up, 5, p) == 3);    // 2.5 -> 3
  CHECK(int8_t(simd::RunLane(even, -5, p)) == -2);
  CHECK(int8_t(simd::RunLane(up, -5, p)) == -2);  // -2.5 -> -2 half up
  CHECK(int8_t(simd::RunLane(up, -7, p)) == -3);  // -3.5 -> -3, where even gives -4
  CHECK(int8_t(simd::RunLane(even, -7, p)) == -4);
  for (int32_t acc = -300; acc <= 300; acc += 2)
    CHECK(simd::RunLane(even, acc, p) == simd::RunLane(up, acc, p));
}

TEST_CASE("FusedOf gives FUSED_RELU's nearest scale and shift to a float32 multiplier", "[exact]") {
  ref::ChannelParams e;
  e.multiplier = 0.0078125f;  // 2^-7: exact with 16 bits
  e.zero_point = 200;
  const ref::ChannelParams f = FusedOf(e);
  CHECK(std::ldexp(double(f.scale), -int(f.shift)) == 0.0078125);
  CHECK(f.zero_point == 200);
  CHECK(f.scale > 32767);  // the most precision
}

TEST_CASE("the QLinearAdd program equals ref::QLinearAddValue on every pair of bytes", "[exact]") {
  uint64_t ties = 0;
  for (const QLinearAddCase& c : kQLinearAddCases)
    for (bool is_signed : {false, true}) {
      const int32_t shift = is_signed ? 128 : 0;
      const ref::QLinearAddParams q =
          ref::QLinearAddConstants(c.sa, c.za - shift, c.sb, c.zb - shift, c.sc, c.zc - shift, is_signed);
      const auto program = QLinearAddProgram(q);
      CHECK(program.size() == (is_signed ? 14u : 10u));
      for (int32_t a = 0; a < 256; ++a)
        for (int32_t b = 0; b < 256; ++b) {
          const float t = std::fma(float(b - shift), q.ratio_b, q.fixed);
          const float r = std::fma(float(a - shift), q.ratio_a, t);
          if (r - std::floor(r) == 0.5f) ++ties;
          INFO("case sa " << c.sa << " signed " << is_signed << " a " << a << " b " << b);
          const int32_t want = ref::QLinearAddValue(q, a - shift, b - shift) + shift;
          const uint32_t got =
              simd::RunLaneState(program, simd::PairEntry(isa::EltwiseOp::kAdd, a, b), {}).v[0];
          REQUIRE(int32_t(got & 0xff) == want);
        }
    }
  CHECK(ties > 0);
}
