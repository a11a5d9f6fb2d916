#include "testgen/directed_test.h"

#include <catch2/catch.hpp>
#include <vector>

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

namespace {

// fig6_two_buffers and the flag test built from it, with their decoded programs (the same count).
struct FlagTest {
  Bundle base, b;
  std::vector<isa::Instruction> before, after;
};

FlagTest BuildFlagTest(const char* name) {
  const HwConfig& tiny = FindHwConfig("tiny");
  FlagTest t{BuildNamedTest("fig6_two_buffers", NNA_VECTORS_DIR, tiny, std::nullopt),
             BuildNamedTest(name, NNA_VECTORS_DIR, tiny, std::nullopt),
             {},
             {}};
  t.before = isa::DecodeProgram(t.base.ProgramBytes()).instrs;
  t.after = isa::DecodeProgram(t.b.ProgramBytes()).instrs;
  REQUIRE(t.after.size() == t.before.size());
  return t;
}

}  // namespace

TEST_CASE("directed tests: flag_patterns adds its flags to fig6_two_buffers only") {
  const auto [base, b, before, after] = BuildFlagTest(kFlagPatternsTestName);
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

TEST_CASE("directed tests: flag_patterns_high sets, clears and waits for flags 12 to 15") {
  const auto [base, b, before, after] = BuildFlagTest(kFlagPatternsHighTestName);
  uint64_t set = 0, clear = 0, wait_set = 0, wait_clear = 0, before_any = 0;
  for (size_t i = 0; i < after.size(); ++i) {
    set |= after[i].DoneSet(), clear |= after[i].DoneClear();
    wait_set |= after[i].WaitSet(), wait_clear |= after[i].WaitClear();
    before_any |= before[i].DoneSet() | before[i].DoneClear() | before[i].WaitSet() | before[i].WaitClear();
  }
  CHECK((before_any & 0xF000) == 0);  // the compiled program leaves them to this test
  for (uint64_t mask : {set, clear, wait_set, wait_clear}) CHECK((mask & 0xF000) == 0xF000);
  CHECK(b.prog_words == base.prog_words);
}

namespace {
// The instructions of a DMA copy test, decoded from its program.
std::vector<isa::Instruction> DecodedProgram(const Bundle& b) {
  return isa::DecodeProgram(b.ProgramBytes()).instrs;
}
}  // namespace

TEST_CASE("directed tests: dma_extremes moves every input row to its output row") {
  const HwConfig& tiny = FindHwConfig("tiny");
  const Bundle b = BuildNamedTest(kDmaExtremesTestName, NNA_VECTORS_DIR, tiny, std::nullopt);
  const auto prog = DecodedProgram(b);
  REQUIRE(prog.size() % 2 == 0);
  uint64_t row_bytes = 0, rows = 0, dram_stride = 0, sram_stride = 0, dram_plane = 0, sram_plane = 0,
           planes = 0, sram_end = 0;
  for (size_t i = 0; i < prog.size(); i += 2) {
    const isa::Instruction &rd = prog[i], &wr = prog[i + 1];
    CHECK(rd.opcode == isa::Opcode::kDmaRead);
    CHECK(wr.opcode == isa::Opcode::kDmaWrite);
    CHECK(isa::DmaSramEnd(rd) <= tiny.sram_bytes);
    row_bytes = std::max(row_bytes, rd.dma.row_bytes), rows = std::max(rows, rd.dma.rows);
    dram_stride = std::max(dram_stride, rd.dma.dram_stride),
    sram_stride = std::max(sram_stride, rd.dma.sram_stride);
    dram_plane = std::max(dram_plane, rd.planes.dram_plane_stride);
    sram_plane = std::max(sram_plane, rd.planes.sram_plane_stride);
    planes = std::max(planes, isa::DmaPlanes(rd)), sram_end = std::max(sram_end, isa::DmaSramEnd(rd));
  }
  // The fields' high bits that no compiled program reaches (build-cov/coverage/toggle_unhit.md).
  CHECK(row_bytes >= (uint64_t(1) << 19));
  CHECK(rows == isa::DmaInstr::kMaxRows);
  CHECK(dram_stride == isa::DmaInstr::kMaxDramStride);
  CHECK(sram_stride >= (uint64_t(1) << 19));
  CHECK(dram_plane >= (uint64_t(1) << 24));
  CHECK(sram_plane >= (uint64_t(1) << 19));
  CHECK(planes == isa::DmaPlanesInstr::kMaxPlanes);
  CHECK(sram_end == tiny.sram_bytes);  // up to the SRAM's last byte
  // The reference: the bytes each DMA_READ reads from DRAM, where its DMA_WRITE puts them.
  const Region& in = b.FindRegion("copy_input");
  const Region& out = b.FindRegion("copy_output");
  const std::vector<uint8_t>& ref = b.reference.at("copy_output");
  REQUIRE(ref.size() == out.bytes);
  const isa::Instruction &big = prog[0], &big_out = prog[1];
  CHECK(std::equal(ref.begin() + long(big_out.dma.dram_addr - out.dram_addr),
                   ref.begin() + long(big_out.dma.dram_addr - out.dram_addr + big.dma.row_bytes),
                   b.dram.begin() + long(big.dma.dram_addr)));
  const isa::Instruction &far = prog[4], &far_out = prog[5];  // two rows 2^24 - 1 apart
  const uint64_t second = far.dma.dram_addr + far.dma.dram_stride;
  CHECK(second + far.dma.row_bytes <= in.dram_addr + in.bytes);
  CHECK(std::equal(ref.begin() + long(far_out.dma.dram_addr - out.dram_addr + far.dma.row_bytes),
                   ref.begin() + long(far_out.dma.dram_addr - out.dram_addr + 2 * far.dma.row_bytes),
                   b.dram.begin() + long(second)));
  CHECK(std::any_of(ref.begin(), ref.end(), [](uint8_t v) { return v != 0; }));
}

TEST_CASE("directed tests: long_program has more than 8192 instructions, each result checked") {
  const HwConfig& tiny = FindHwConfig("tiny");
  const Bundle layer = BuildNamedTest("conv1x1_small", NNA_VECTORS_DIR, tiny, std::nullopt);
  const Bundle b = BuildNamedTest(kLongProgramTestName, NNA_VECTORS_DIR, tiny, std::nullopt);
  const auto prog = DecodedProgram(b);
  const auto layer_prog = DecodedProgram(layer);
  REQUIRE(prog.size() == 2 * kLongProgramPairs + layer_prog.size());
  CHECK(prog.size() > 8192);                                            // the instruction index's bit 13 ...
  CHECK(prog[2 * kLongProgramPairs + 3].opcode == isa::Opcode::kConv);  // ... on the compute side too
  CHECK(b.prog_words == (1u << 14) - 1);  // every bit of the word counters below 14
  // Every flag set by a DMA_READ, waited for and cleared by its DMA_WRITE.
  CHECK(prog[16].dma.done_set == 1u << 8);  // pair 8's DMA_READ ...
  CHECK(prog[17].dma.wait_set == 1u << 8);  // ... and DMA_WRITE
  CHECK(prog[17].dma.done_clear == 1u << 8);
  CHECK(prog[17].dma.done_set == 0);
  // The layer's instructions as compiled, its output checked as conv1x1_small's.
  for (size_t i = 0; i < layer_prog.size(); ++i)
    CHECK(isa::Disassemble(prog[2 * kLongProgramPairs + i]) == isa::Disassemble(layer_prog[i]));
  CHECK(b.reference.at("output") == layer.reference.at("output"));
  // The pairs' output is their input, byte for byte, and lies past the layer's data.
  const Region& in = b.FindRegion("copy_input");
  const std::vector<uint8_t>& ref = b.reference.at("copy_output");
  REQUIRE(ref.size() == 16 * kLongProgramPairs);
  CHECK(std::equal(ref.begin(), ref.end(), b.dram.begin() + long(in.dram_addr)));
  CHECK(in.dram_addr >= layer.dram.size());
  CHECK(b.prog_sram_addr >= layer.sram_end);
  CHECK(b.sram_end % 64 == 0);  // where a next program may be placed
}

TEST_CASE("directed tests: a DMA copy test that does not fit the SRAM is refused") {
  HwConfig small = FindHwConfig("tiny");
  small.sram_bytes = 64 * 1024;
  CHECK_THROWS_WITH(BuildNamedTest(kLongProgramTestName, NNA_VECTORS_DIR, small, std::nullopt),
                    Catch::Contains("test 'long_program' needs SRAM up to byte") &&
                        Catch::Contains("past the SRAM of 65536 bytes"));
}
