#include "testgen/directed_test.h"

#include <catch2/catch.hpp>

#include "isa/program.h"
#include "simd/simd_program.h"
#include "testgen/named_test.h"

using namespace nna;
using namespace nna::testgen;

TEST_CASE("directed tests: simd_int_ops runs every integer op on its dtype") {
  CHECK(SimdIntOpsDtype("simd_int_ops_u8") == isa::Dtype::kU8);
  CHECK_FALSE(SimdIntOpsDtype("simd_int_ops_f32"));  // not an integer dtype
  CHECK_FALSE(SimdIntOpsDtype("simd_int_ops_"));
  for (isa::Dtype d : {isa::Dtype::kI32, isa::Dtype::kI16, isa::Dtype::kI8, isa::Dtype::kU8}) {
    const auto prog = SimdIntOpsProgram(d);
    CHECK(prog.size() <= isa::kMaxSimdInstrs);
    CHECK_FALSE(simd::CheckProgram(prog));
    for (uint64_t op = 0; op < 256; ++op) {
      const auto info = isa::IsSimdOp(op) ? simd::InfoOf(isa::SimdOp(op)) : std::nullopt;
      if (!info || info->dtype != simd::DtypeClass::kInteger) continue;
      bool found = false;
      for (const isa::SimdInstr& s : prog) found |= s.op == isa::SimdOp(op) && s.dtype == d;
      CHECK(found);
    }
  }
}

TEST_CASE("directed tests: flag_patterns adds its flags to fig6_two_buffers only") {
  const HwConfig& tiny = FindHwConfig("tiny");
  const Bundle base = BuildNamedTest("fig6_two_buffers", NNA_VECTORS_DIR, tiny, std::nullopt);
  const Bundle b = BuildNamedTest(kFlagPatternsTestName, NNA_VECTORS_DIR, tiny, std::nullopt);
  const auto before = isa::DecodeProgram(base.ProgramBytes()).instrs;
  const auto after = isa::DecodeProgram(b.ProgramBytes()).instrs;
  REQUIRE(after.size() == before.size());
  CHECK(after[1].WaitSet() == (before[1].WaitSet() | 1));
  CHECK(after[2].WaitClear() == (before[2].WaitClear() | 0x300));
  CHECK(after[6].WaitSet() == (before[6].WaitSet() | 0x400));
  CHECK(after[6].WaitClear() == (before[6].WaitClear() | 0x800));
  CHECK(b.prog_words == base.prog_words);
  // The data are the same; only the program's flags differ.
  CHECK(std::equal(b.dram.begin() + long(b.prog_dram_addr + b.prog_words * isa::kWordBytes), b.dram.end(),
                   base.dram.begin() + long(base.prog_dram_addr + base.prog_words * isa::kWordBytes)));
}

TEST_CASE("directed tests: simd_fp_specials reaches each special case of the FP32 unit") {
  const auto prog = SimdFpSpecialsProgram();
  CHECK(prog.size() <= isa::kMaxSimdInstrs);
  CHECK_FALSE(simd::CheckProgram(prog));
  const ref::ChannelParams params{};
  for (int32_t x : {5, -7, 1000000}) {
    const simd::LaneState s = simd::RunLaneState(prog, x, params);
    INFO("x = " << x);
    // f2i of x * +inf saturates to the infinity's sign; -FLT_MAX + +inf is +inf; fmin of two NaNs
    // is the canonical NaN; x * -1 + x is +0.
    const uint32_t sat = x > 0 ? 0x7FFFFFFFu : 0x80000000u;
    CHECK(s.v[3] == sat);
    CHECK(s.v[5] == 0x7F800000u);
    CHECK(s.v[6] == 0x7FC00000u);
    CHECK(s.v[1] == 0u);
    const uint32_t folded = sat ^ 0x7F800000u ^ 0x7FC00000u;
    CHECK(s.v[0] == (folded ^ uint32_t(int32_t(folded) >> 24)));  // shr on i32 is arithmetic
  }
  // x = 0: 0 * +inf is invalid (NaN, f2i 0); 0 * -1 + 0 is +0 (a zero product keeps the addend).
  const simd::LaneState z = simd::RunLaneState(prog, 0, params);
  CHECK(z.v[3] == 0u);
  CHECK(z.v[1] == 0u);
}
