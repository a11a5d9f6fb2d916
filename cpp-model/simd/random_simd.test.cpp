#include "simd/random_simd.h"

#include <catch2/catch.hpp>
#include <set>

#include "simd/simd_program.h"

using namespace nna;
using nna::isa::SimdOp;

TEST_CASE("SplitMix64 gives the published sequence", "[simd]") {
  // The reference implementation (Vigna) seeded with 0 starts 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4.
  simd::SplitMix64 r(0);
  CHECK(r.Next() == 0xE220A8397B1DCDAFull);
  CHECK(r.Next() == 0x6E789E6AA1B965F4ull);
}

TEST_CASE("random programs are legal, deterministic and end with a byte in v0", "[simd]") {
  simd::SplitMix64 rng(2024);
  std::set<uint64_t> ops_seen, int_dtypes_seen, preds_seen;
  int negated = 0, longest = 0;
  for (int n = 0; n < 10000; ++n) {
    const auto prog = simd::RandomSimdProgram(rng);
    REQUIRE(!prog.empty());
    REQUIRE(prog.size() <= isa::kMaxSimdInstrs);
    const auto err = simd::CheckProgram(prog);
    INFO("program " << n << ": " << (err ? err->message : ""));
    REQUIRE_FALSE(err.has_value());
    for (const auto& s : prog) {
      ops_seen.insert(uint64_t(s.op));
      if (simd::InfoOf(s.op)->dtype == simd::DtypeClass::kInteger) int_dtypes_seen.insert(uint64_t(s.dtype));
      if (s.op != SimdOp::kNop) preds_seen.insert(s.pred);
      negated += s.op != SimdOp::kNop && s.pred_neg;
    }
    longest = std::max(longest, int(prog.size()));

    // Unpredicated FUSED_RELU (flags bit1: unsigned) or SAT to i8/u8 last: v0 holds that type's value.
    const auto& last = prog.back();
    const bool byte_unsigned =
        last.op == SimdOp::kFusedRelu ? (last.flags & 2) != 0 : last.dtype == isa::Dtype::kU8;
    for (int k = 0; k < 4; ++k) {
      const int32_t acc = simd::RandomAcc30(rng);
      const ref::ChannelParams prm = simd::RandomChannelParams(rng);
      const auto a = simd::RunLaneState(prog, acc, prm), b = simd::RunLaneState(prog, acc, prm);
      REQUIRE(a.v == b.v);
      REQUIRE(a.p == b.p);
      REQUIRE(a.p[0]);
      const int32_t v0 = int32_t(a.v[0]);
      if (byte_unsigned) {
        REQUIRE(v0 >= 0);
        REQUIRE(v0 <= 255);
      } else {
        REQUIRE(v0 >= -128);
        REQUIRE(v0 <= 127);
      }
    }
  }
  // The generator reaches every op but LUT (whose table is the instruction's), every integer dtype,
  // predicate and length.
  for (uint64_t op = 0; op < 256; ++op)
    if (isa::IsSimdOp(op)) CHECK(ops_seen.count(op) == (SimdOp(op) == SimdOp::kLut ? 0u : 1u));
  CHECK(int_dtypes_seen == std::set<uint64_t>{0, 1, 2, 3});
  CHECK(preds_seen == std::set<uint64_t>{0, 1, 2, 3});
  CHECK(negated > 1000);
  CHECK(longest == int(isa::kMaxSimdInstrs));
}

TEST_CASE("the same seed gives the same program", "[simd]") {
  simd::SplitMix64 a(7), b(7), c(8);
  const auto pa = simd::RandomSimdProgram(a), pb = simd::RandomSimdProgram(b);
  CHECK(pa == pb);
  bool differs = false;
  for (int i = 0; i < 4 && !differs; ++i) differs = simd::RandomSimdProgram(c) != pa;
  CHECK(differs);
}
