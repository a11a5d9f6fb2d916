// Unit tests of the scoreboard: every kind of difference is caught and named.
#define CATCH_CONFIG_MAIN
#include "scoreboard/scoreboard.h"

#include <catch2/catch.hpp>

namespace nna {
namespace {

AccUnloadEvent Acc(uint32_t instr, uint32_t pt, uint32_t ct, uint32_t row, int32_t base) {
  AccUnloadEvent ev{instr, pt, ct, row, {}};
  for (int i = 0; i < 8; ++i) ev.values.push_back(base + i * (i % 2 ? -1 : 1));
  return ev;
}

SramWriteEvent Wr(isa::WrSource src, uint32_t instr, uint32_t addr, uint8_t fill, size_t n = 16) {
  SramWriteEvent ev{src, instr, addr, {}};
  for (size_t i = 0; i < n; ++i) ev.bytes.push_back(static_cast<uint8_t>(fill + i));
  return ev;
}

// A small program: load, one conv instruction with two rows and their write-backs.
struct Fixture {
  Bundle bundle;
  EventRecorder expected;
  Fixture() {
    bundle.test = "unit";
    bundle.config = "tiny";
    bundle.instrs = {{0, "dma_read", "conv1", "dma_read sram 0x0 <- dram 0x1000, 1 x 64 B"},
                     {1, "conv", "conv1", "conv in 0x0 out 0x800 3x3 s1"}};
    bundle.dram.assign(0x3000, 0);
    Region out{"output", "output", 0x2000, 2 * 3 * 4, {2, 3, 4}, true};
    bundle.regions.push_back(out);
    bundle.reference["output"] = std::vector<uint8_t>(24, 0);
    for (int i = 0; i < 24; ++i) bundle.reference["output"][i] = static_cast<uint8_t>(i * 7);
    for (int i = 0; i < 24; ++i) bundle.dram[0x2000 + i] = static_cast<uint8_t>(i * 7);
    expected.OnSramWrite(Wr(isa::WrSource::kDma, kProgramLoadInstr, 0x100, 0x10));
    expected.OnSramWrite(Wr(isa::WrSource::kDma, 0, 0x0, 0x20));
    expected.OnSramWrite(Wr(isa::WrSource::kDma, 0, 0x10, 0x30));
    for (uint32_t row = 0; row < 4; ++row) {
      expected.OnAccUnload(Acc(1, 0, 0, row, 100 * row));
      expected.OnSramWrite(Wr(isa::WrSource::kSimd, 1, 0x800 + 64 * row, static_cast<uint8_t>(row), 8));
    }
  }
  // Replays the expected events as observations, in their order.
  void Replay(Scoreboard& sb) const {
    for (const auto& ev : expected.dma_writes) sb.OnSramWrite(ev);
    for (size_t i = 0; i < expected.acc_unloads.size(); ++i) {
      sb.OnAccUnload(expected.acc_unloads[i]);
      sb.OnSramWrite(expected.simd_writes[i]);
    }
  }
};

// Every kept message, joined, for matching.
std::string Messages(const Scoreboard& sb) {
  std::string all;
  for (const auto& m : sb.mismatches()) all += m.text + "\n";
  return all;
}

TEST_CASE("a matching run passes") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected);
  f.Replay(sb);
  sb.Finish();
  CHECK(sb.CheckDram(f.bundle.dram));
  CHECK(sb.Passed());
  CHECK(sb.mismatches().empty());
  CHECK(sb.dram_bytes_checked() == 24);
  const auto stats = sb.Stats();
  REQUIRE(stats.size() == 3);
  CHECK(stats[0].name == "acc_unload");
  CHECK(stats[0].expected == 4);
  CHECK(stats[0].observed == 4);
  CHECK(stats[1].name == "sram_write.dma");
  CHECK(stats[1].observed == 3);
  CHECK(stats[2].name == "sram_write.simd");
  CHECK(stats[2].mismatches == 0);
}

TEST_CASE("a changed lane is a mismatch naming the lane and both values") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected);
  sb.SetCycle(1234);
  AccUnloadEvent bad = f.expected.acc_unloads[2];
  bad.values[5] += 1;
  for (const auto& ev : f.expected.dma_writes) sb.OnSramWrite(ev);
  for (size_t i = 0; i < 4; ++i) {
    sb.OnAccUnload(i == 2 ? bad : f.expected.acc_unloads[i]);
    sb.OnSramWrite(f.expected.simd_writes[i]);
  }
  sb.Finish();
  CHECK_FALSE(sb.Passed());
  CHECK(sb.total_mismatches() == 1);
  REQUIRE(sb.mismatches().size() == 1);
  const Mismatch& m = sb.mismatches()[0];
  CHECK(m.stream == "acc_unload");
  CHECK(m.kind == "mismatch");
  CHECK(m.cycle == 1234);
  const std::string& t = m.text;
  CHECK(t.find("mismatch acc_unload event #2 at cycle 1234: instr 1 pix_tile 0 ch_tile 0 row 2") == 0);
  CHECK(t.find("instr 1: conv in 0x0 out 0x800 3x3 s1") != std::string::npos);
  const int32_t exp = f.expected.acc_unloads[2].values[5];
  CHECK(t.find("lane 5: expected " + std::to_string(exp) + " actual " + std::to_string(exp + 1)) !=
        std::string::npos);
  CHECK(t.find("1 of 8 lanes differ") != std::string::npos);
  CHECK(sb.Stats()[0].mismatches == 1);
}

TEST_CASE("a changed byte of a write names the byte offset") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected);
  SramWriteEvent bad = f.expected.dma_writes[1];
  bad.bytes[9] ^= 0x80;
  sb.OnSramWrite(f.expected.dma_writes[0]);
  sb.OnSramWrite(bad);
  CHECK_FALSE(sb.Passed());
  CHECK(Messages(sb).find("mismatch sram_write.dma event #1") == 0);
  CHECK(Messages(sb).find("byte offset 9 (addr 0x9): expected 0x29 actual 0xa9") != std::string::npos);
}

TEST_CASE("a dropped write is reported missing at the end") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected);
  for (const auto& ev : f.expected.dma_writes) sb.OnSramWrite(ev);
  for (size_t i = 0; i < 4; ++i) {
    sb.OnAccUnload(f.expected.acc_unloads[i]);
    if (i != 1) sb.OnSramWrite(f.expected.simd_writes[i]);
  }
  CHECK(sb.Passed());  // a later event may still bring it
  sb.Finish();
  CHECK_FALSE(sb.Passed());
  CHECK(sb.total_mismatches() == 1);
  const std::string t = Messages(sb);
  CHECK(t.find("missing sram_write.simd: 1 expected event(s) never observed; first is event #1: simd instr 1 "
               "addr 0x840 (8 bytes)") == 0);
  CHECK(sb.Stats()[2].mismatches == 1);
  CHECK(sb.Stats()[2].observed == 3);
}

TEST_CASE("a dropped last event and an empty run are missing") {
  Fixture f;
  SECTION("last") {
    Scoreboard sb(f.bundle, f.expected);
    for (const auto& ev : f.expected.dma_writes) sb.OnSramWrite(ev);
    for (size_t i = 0; i < 3; ++i) sb.OnAccUnload(f.expected.acc_unloads[i]);
    for (const auto& ev : f.expected.simd_writes) sb.OnSramWrite(ev);
    sb.Finish();
    CHECK(sb.total_mismatches() == 1);
    CHECK(Messages(sb).find(
              "missing acc_unload: 1 expected event(s) never observed; first is event #3: instr 1 "
              "pix_tile 0 ch_tile 0 row 3") == 0);
  }
  SECTION("empty") {
    Scoreboard sb(f.bundle, f.expected);
    sb.Finish();
    CHECK(sb.total_mismatches() == 11);
    CHECK(sb.mismatches().size() == 3);
    CHECK(Messages(sb).find("missing sram_write.dma: 3 expected event(s)") != std::string::npos);
    CHECK(Messages(sb).find("program load") != std::string::npos);
  }
}

TEST_CASE("an extra write is unexpected") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected);
  f.Replay(sb);
  sb.SetCycle(99);
  sb.OnSramWrite(Wr(isa::WrSource::kDma, 0, 0x20, 0x40));
  sb.Finish();
  CHECK_FALSE(sb.Passed());
  CHECK(sb.total_mismatches() == 1);
  const std::string t = Messages(sb);
  CHECK(t.find("unexpected sram_write.dma event #3 at cycle 99: dma instr 0 addr 0x20 (16 bytes)") == 0);
  CHECK(t.find("no expected event left in the stream") != std::string::npos);
}

TEST_CASE("an extra write in the middle is unexpected and the rest still pairs") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected);
  sb.OnSramWrite(f.expected.dma_writes[0]);
  sb.OnSramWrite(f.expected.dma_writes[1]);  // duplicate of an event already consumed
  sb.OnSramWrite(f.expected.dma_writes[1]);
  sb.OnSramWrite(f.expected.dma_writes[2]);
  sb.Finish();
  CHECK(sb.Stats()[1].mismatches == 1);
  CHECK(Messages(sb).find("unexpected sram_write.dma event #2") == 0);
  CHECK(Messages(sb).find("next expected: dma instr 0 addr 0x10") != std::string::npos);
}

TEST_CASE("a reordered event is out of order") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected);
  for (const auto& ev : f.expected.dma_writes) sb.OnSramWrite(ev);
  const auto& a = f.expected.acc_unloads;
  sb.OnAccUnload(a[0]);
  sb.OnAccUnload(a[2]);
  sb.OnAccUnload(a[1]);
  sb.OnAccUnload(a[3]);
  for (const auto& ev : f.expected.simd_writes) sb.OnSramWrite(ev);
  sb.Finish();
  CHECK_FALSE(sb.Passed());
  CHECK(sb.total_mismatches() == 1);
  const std::string t = Messages(sb);
  CHECK(t.find("out-of-order acc_unload event #2 at cycle 0: instr 1 pix_tile 0 ch_tile 0 row 1") == 0);
  CHECK(t.find("expected event #1 arrives after later events") != std::string::npos);
}

TEST_CASE("a different final DRAM names region, offset, (c,h,w) and both values") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected);
  f.Replay(sb);
  sb.Finish();
  std::vector<uint8_t> dram = f.bundle.dram;
  dram[0x2000 + 17] = 0xff;  // c = 1, h = 1, w = 1
  dram[0x2000 + 20] = 0x00;
  CHECK_FALSE(sb.CheckDram(dram));
  CHECK_FALSE(sb.dram_equal());
  const std::string t = Messages(sb);
  CHECK(t.find("mismatch dram output region 'output': 2 of 24 bytes differ; first at offset 17 (dram 0x2011) "
               "(c,h,w) = (1,1,1)") == 0);
  CHECK(t.find("expected 119 (0x77) actual -1 (0xff)") != std::string::npos);
}

TEST_CASE("an output region near 2^64 is an error, not a read past the DRAM image") {
  Fixture f;
  // dram_addr + bytes wraps to 8: a plain sum would pass the bounds check.
  f.bundle.regions[0].dram_addr = ~uint64_t(0) - 15;
  Scoreboard sb(f.bundle, f.expected);
  f.Replay(sb);
  sb.Finish();
  CHECK_FALSE(sb.CheckDram(f.bundle.dram));
  CHECK(
      Messages(sb).find("error dram: output region 'output' (0xfffffffffffffff0, 24 bytes) does not fit the "
                        "DRAM image (12288 bytes)") == 0);
}

TEST_CASE("only the first mismatches are kept, all are counted") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected, 2);
  for (int i = 0; i < 5; ++i) sb.OnAccUnload(Acc(7, 0, 0, i, 0));
  CHECK(sb.total_mismatches() == 5);
  CHECK(sb.mismatches().size() == 2);
  CHECK(Messages(sb).find("not in the program") != std::string::npos);
}

TEST_CASE("testbench errors fail the run") {
  Fixture f;
  Scoreboard sb(f.bundle, f.expected);
  f.Replay(sb);
  sb.Finish();
  sb.SetCycle(5);
  sb.ReportError("sram_write.simd", "write mask 0x0f0f is not contiguous");
  CHECK_FALSE(sb.Passed());
  CHECK(Messages(sb).find("error sram_write.simd at cycle 5: write mask 0x0f0f is not contiguous") == 0);
}

}  // namespace
}  // namespace nna
