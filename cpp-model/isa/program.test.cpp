#include "isa/program.h"

#include <catch2/catch.hpp>
#include <random>

using namespace nna::isa;

namespace {

// Random bytes with every reserved bit (outside all fields) cleared, so that the encoder can
// reproduce them.
template <size_t K>
std::vector<uint8_t> RandomFields(std::mt19937_64& rng, size_t bytes, const FieldInfo (&fields)[K],
                                  bool all_ones) {
  std::vector<uint8_t> b(bytes, 0);
  for (const auto& f : fields) {
    for (unsigned i = 0; i < f.bits; ++i) {
      const unsigned bit = f.lsb + i;
      if (all_ones || (rng() & 1)) b[bit / 8] |= uint8_t(1u << (bit % 8));
    }
  }
  return b;
}

}  // namespace

TEST_CASE("every format round-trips encode(decode(bytes)) with random and maximal fields", "[isa]") {
  std::mt19937_64 rng(12345);
  for (int trial = 0; trial < 200; ++trial) {
    const bool ones = trial == 0;
    auto d = RandomFields(rng, DmaInstr::kBytes, kDmaInstrFields, ones);
    const DmaInstr di = DecodeDmaInstr(d.data());
    const auto de = Encode(di);
    REQUIRE(std::vector<uint8_t>(de.begin(), de.end()) == d);
    REQUIRE(DecodeDmaInstr(de.data()) == di);

    auto c = RandomFields(rng, ComputeInstr::kBytes, kComputeInstrFields, ones);
    const ComputeInstr ci = DecodeComputeInstr(c.data());
    const auto ce = Encode(ci);
    REQUIRE(std::vector<uint8_t>(ce.begin(), ce.end()) == c);
    REQUIRE(DecodeComputeInstr(ce.data()) == ci);

    auto p = RandomFields(rng, DmaPlanesInstr::kBytes, kDmaPlanesInstrFields, ones);
    const DmaPlanesInstr pi = DecodeDmaPlanesInstr(p.data());
    const auto pe = Encode(pi);
    REQUIRE(std::vector<uint8_t>(pe.begin(), pe.end()) == p);
    REQUIRE(DecodeDmaPlanesInstr(pe.data()) == pi);

    auto s = RandomFields(rng, SimdInstr::kBytes, kSimdInstrFields, ones);
    const SimdInstr si = DecodeSimdInstr(s.data());
    const auto se = Encode(si);
    REQUIRE(std::vector<uint8_t>(se.begin(), se.end()) == s);
    REQUIRE(DecodeSimdInstr(se.data()) == si);
  }
  SECTION("maximal values reach every field") {
    auto c = std::vector<uint8_t>(ComputeInstr::kBytes, 0xFF);
    const ComputeInstr ci = DecodeComputeInstr(c.data());
    CHECK(ci.wt_tile_bytes == 0xFFFFFFFFu);
    CHECK(ci.in_row_stride == 0xFFFFFFu);
    CHECK(ci.groups == 0xFFFFu);
    const auto d = DecodeDmaInstr(std::vector<uint8_t>(32, 0xFF).data());
    CHECK(d.dram_addr == 0xFFFFFFFFFFFFull);
    CHECK(d.sram_stride == 0xFFFFFFu);
  }
}

TEST_CASE("Encode throws on a value that does not fit its field", "[isa]") {
  DmaInstr d;
  d.opcode = Opcode::kDmaRead;
  d.rows = 65536;
  CHECK_THROWS_AS(Encode(d), std::out_of_range);
  try {
    Encode(d);
  } catch (const std::out_of_range& e) {
    CHECK(std::string(e.what()).find("rows") != std::string::npos);
  }
  ComputeInstr c;
  c.kernel_h = 256;
  CHECK_THROWS_AS(Encode(c), std::out_of_range);
  SimdInstr s;
  s.dst = 16;
  CHECK_THROWS_AS(Encode(s), std::out_of_range);
}

TEST_CASE("a hand-checked DMA instruction has the documented byte pattern", "[isa]") {
  // opcode 1 @0, wait_set @16, done_set @48, sram_addr @80, dram_addr @112, row_bytes @160,
  // rows @184, dram_stride @200, sram_stride @224 (bit offsets, little-endian).
  Instruction in = MakeDma(Opcode::kDmaRead, 0x11223344, 0xAABBCCDDEEFF, 0x030201, 2, 0x0A0B0C, 0x070809);
  in.dma.wait_set = 0x8001;
  in.dma.done_set = 0x0004;
  const std::vector<uint8_t> expect = {
      0x01, 0x00, 0x01, 0x80, 0x00, 0x00, 0x04, 0x00,  // opcode, reserved, wait_set, wait_clear, done_set
      0x00, 0x00, 0x44, 0x33, 0x22, 0x11, 0xFF, 0xEE,  // done_clear, sram_addr, dram_addr[15:0]
      0xDD, 0xCC, 0xBB, 0xAA, 0x01, 0x02, 0x03, 0x02,  // dram_addr[47:16], row_bytes, rows[7:0]
      0x00, 0x09, 0x08, 0x07, 0x0C, 0x0B, 0x0A, 0x00,  // rows[15:8], dram_stride, sram_stride, pad
  };
  CHECK(EncodeInstruction(in) == expect);
}

TEST_CASE("DecodeProgram walks DMA and compute instructions and reports bad ones", "[isa]") {
  Instruction conv;
  conv.opcode = Opcode::kConv;
  conv.compute.in_c = 3;
  conv.compute.order = Order::kChannelMajor;
  for (int i = 0; i < 5; ++i) {
    SimdInstr s;
    s.op = SimdOp::kFusedRelu;
    s.flags = uint64_t(i);
    conv.simd.push_back(s);
  }
  std::vector<uint8_t> prog;
  auto add = [&](const Instruction& in) {
    auto w = EncodeInstruction(in);
    prog.insert(prog.end(), w.begin(), w.end());
  };
  add(MakeDma(Opcode::kDmaRead, 64, 128, 10));
  add(conv);
  add(MakeDma(Opcode::kDmaWrite, 64, 128, 10));
  CHECK(prog.size() == 32 * (1 + 8 + 2 + 1));

  SECTION("good program") {
    const auto d = DecodeProgram(prog);
    REQUIRE_FALSE(d.error);
    REQUIRE(d.instrs.size() == 3);
    CHECK(d.instrs[1].simd.size() == 5);
    CHECK(d.instrs[1].simd[4].flags == 4);
    CHECK(d.instrs[1].word == 1);
    CHECK(d.instrs[2].word == 11);
    CHECK(d.instrs[2].opcode == Opcode::kDmaWrite);
    CHECK(Disassemble(d.instrs[1]).rfind("conv simd_len=5", 0) == 0);
    CHECK(Disassemble(d.instrs[1]).find("order=channel_major") != std::string::npos);
    CHECK(Disassemble(d.instrs[1]).find("; fused_relu flags=4") != std::string::npos);
    CHECK(Disassemble(d.instrs[0]) == "dma_read sram_addr=0x40 dram_addr=0x80 row_bytes=10 rows=1");
  }
  SECTION("illegal opcode names the instruction") {
    prog[11 * 32] = 9;
    const auto d = DecodeProgram(prog);
    REQUIRE(d.error);
    CHECK(d.error->code == ErrorCode::kIllegalOpcode);
    CHECK(d.error->index == 2);
    CHECK(d.instrs.size() == 2);
  }
  SECTION("bad simd_len") {
    prog[32 + 1] = 17;
    const auto d = DecodeProgram(prog);
    REQUIRE(d.error);
    CHECK(d.error->code == ErrorCode::kIllegalField);
    CHECK(d.error->index == 1);
    CHECK(d.error->message.find("simd_len 17") != std::string::npos);
    prog[32 + 1] = 0;
    CHECK(DecodeProgram(prog).error->index == 1);
  }
  SECTION("cut-off compute instruction") {
    prog.resize(32 * 5);
    const auto d = DecodeProgram(prog);
    REQUIRE(d.error);
    CHECK(d.error->index == 1);
  }
}

TEST_CASE("a DMA with a planes word is two words and walks its rows plane by plane", "[isa]") {
  const Instruction d = MakeDma3d(Opcode::kDmaRead, 0x100, 0x2000, 5, 3, 8, 40, 2, 64, 400);
  std::vector<uint8_t> prog = EncodeInstruction(d);
  REQUIRE(prog.size() == 64);
  CHECK(prog[1] == 1);  // planes_word, bit 8
  const auto w = EncodeInstruction(MakeDma(Opcode::kDmaWrite, 0, 0x40, 1));
  prog.insert(prog.end(), w.begin(), w.end());
  const auto dec = DecodeProgram(prog);
  REQUIRE_FALSE(dec.error);
  REQUIRE(dec.instrs.size() == 2);
  CHECK(dec.instrs[0].words == 2);
  CHECK(dec.instrs[1].word == 2);
  CHECK(dec.instrs[0].planes == d.planes);
  CHECK(Disassemble(dec.instrs[0]) ==
        "dma_read planes_word=1 sram_addr=0x100 dram_addr=0x2000 row_bytes=5 rows=3 dram_stride=40 "
        "sram_stride=8; "
        "planes=2 sram_plane_stride=64 dram_plane_stride=400");
  std::vector<std::pair<uint64_t, uint64_t>> rows;
  ForEachDmaRow(dec.instrs[0], [&](uint64_t dram, uint64_t sram) { rows.emplace_back(dram, sram); });
  const std::vector<std::pair<uint64_t, uint64_t>> want = {{0x2000, 0x100}, {0x2028, 0x108}, {0x2050, 0x110},
                                                           {0x2190, 0x140}, {0x21B8, 0x148}, {0x21E0, 0x150}};
  CHECK(rows == want);
  CHECK(DmaBytes(dec.instrs[0]) == 30);
  CHECK(DmaSramEnd(dec.instrs[0]) == 0x150 + 5);
  CHECK(DmaDramEnd(dec.instrs[0]) == 0x21E0 + 5);
  SECTION("cut off after its first word") {
    prog.resize(32);
    const auto cut = DecodeProgram(prog);
    REQUIRE(cut.error);
    CHECK(cut.error->code == ErrorCode::kIllegalField);
    CHECK(cut.error->message ==
          "instruction 0 (dma_read) with planes_word 1 is cut off by the end of the program");
  }
}
