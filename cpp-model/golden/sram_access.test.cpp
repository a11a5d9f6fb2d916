#include "golden/sram_access.h"

#include <catch2/catch.hpp>

#include "isa/program.h"

using namespace nna;
using isa::Instruction;
using isa::Opcode;

namespace {

// DMA_READ (writes SRAM) or DMA_WRITE (reads SRAM) of `bytes` at `sram`.
Instruction Dma(uint32_t index, Opcode op, uint64_t sram, uint64_t bytes) {
  Instruction in = isa::MakeDma(op, sram, 0x1000, bytes);
  in.index = index;
  return in;
}

// A 1x1 CONV of 4 channels of 8x8 at `in`, writing 4 x 8x8 at `out`, weights and parameters far away.
Instruction Conv(uint32_t index, uint64_t in_addr, uint64_t out_addr) {
  Instruction in;
  in.index = index;
  in.opcode = in.compute.opcode = Opcode::kConv;
  auto& c = in.compute;
  c.in_addr = in_addr, c.out_addr = out_addr, c.wt_addr = 0x8000, c.param_addr = 0x9000;
  c.in_c = c.out_c = 4, c.in_h = c.in_w = c.out_h = c.out_w = 8;
  c.in_row_stride = c.out_row_stride = 8, c.in_plane_stride = c.out_plane_stride = 64;
  c.kernel_h = c.kernel_w = 1, c.ch_tiles = 1, c.wt_tile_bytes = 32;
  return in;
}

// Runs the instructions in the given order as the golden model would, each atomically; returns the
// first race or "".
std::string Run(std::vector<Instruction> order) {
  RaceCheck check(0, 0x100);
  uint64_t flags = 0;
  std::string first;
  for (const Instruction& in : order) {
    REQUIRE((flags & in.WaitSet()) == in.WaitSet());
    REQUIRE((flags & in.WaitClear()) == 0);
    if (auto r = check.Start(in); r && first.empty()) first = *r;
    const uint64_t before = flags;
    flags = (flags | in.DoneSet()) & ~in.DoneClear();
    check.Complete(before, flags);
  }
  return first;
}

}  // namespace

TEST_CASE("SRAM accesses of DMA and compute instructions", "[golden][race]") {
  const auto rd = SramAccesses(Dma(0, Opcode::kDmaRead, 0x200, 100));
  REQUIRE(rd.size() == 1);
  CHECK((rd[0].begin == 0x200 && rd[0].end == 0x264 && rd[0].write));
  CHECK_FALSE(SramAccesses(Dma(0, Opcode::kDmaWrite, 0x200, 100))[0].write);
  const auto cv = SramAccesses(Conv(0, 0x1000, 0x2000));
  REQUIRE(cv.size() == 4);  // input, weights, parameters, output
  CHECK((cv[0].begin == 0x1000 && cv[0].end == 0x1100 && !cv[0].write));
  CHECK((cv[3].begin == 0x2000 && cv[3].end == 0x2100 && cv[3].write));
}

TEST_CASE("a buffer reloaded only after the convolution clears its flag is no race", "[golden][race]") {
  Instruction load0 = Dma(0, Opcode::kDmaRead, 0x1000, 256), conv = Conv(1, 0x1000, 0x2000),
              load1 = Dma(2, Opcode::kDmaRead, 0x1000, 256);
  load0.dma.done_set = 1;
  conv.compute.wait_set = 1, conv.compute.done_clear = 1;
  load1.dma.wait_clear = 1;
  CHECK(Run({load0, conv, load1}) == "");

  SECTION("without the flag, the reload races with the convolution's reads") {
    load1.dma.wait_clear = 0;
    CHECK(Run({load0, conv, load1}) ==
          "instruction 2 (dma_read) writes rows at SRAM 0x1000..0x1100 and instruction 1 (conv) reads the "
          "input at "
          "SRAM 0x1000..0x1100, and no dependency flag orders them");
  }
  SECTION("a flag the convolution does not change orders nothing") {
    load1.dma.wait_clear = 2;
    CHECK(Run({load0, conv, load1}) != "");
  }
  SECTION("into a second buffer, the reload needs no flag") {
    load1 = Dma(2, Opcode::kDmaRead, 0x1100, 256);
    CHECK(Run({load0, conv, load1}) == "");
  }
}

TEST_CASE("queue order carries the order a flag gave to an earlier instruction", "[golden][race]") {
  // load0 -> conv (flag 1) -> write-back (flag 2); the reload is behind the write-back in the DMA
  // queue, so it follows the convolution although it waits on nothing.
  Instruction load0 = Dma(0, Opcode::kDmaRead, 0x1000, 256), conv = Conv(1, 0x1000, 0x2000),
              store = Dma(2, Opcode::kDmaWrite, 0x2000, 256), load1 = Dma(3, Opcode::kDmaRead, 0x1000, 256);
  load0.dma.done_set = 1;
  conv.compute.wait_set = 1, conv.compute.done_set = 2;
  store.dma.wait_set = 2;
  CHECK(Run({load0, conv, store, load1}) == "");
  SECTION("reads of the same bytes never race") {
    Instruction store2 = Dma(4, Opcode::kDmaWrite, 0x1000, 256);
    CHECK(Run({load0, conv, store2}) == "");
  }
  SECTION("the write-back without its flag races with the convolution's output") {
    store.dma.wait_set = 0;
    CHECK(Run({load0, store, conv}) != "");
  }
}

TEST_CASE("a write into the program is reported", "[golden][race]") {
  CHECK(Run({Dma(0, Opcode::kDmaRead, 0xC0, 0x80)}) ==
        "instruction 0 (dma_read) writes rows at SRAM 0xc0..0x140, inside the program the network sequencer "
        "may "
        "still be fetching");
}

// Found by make fuzz: a CONV whose input planes ran into its own output read, in the RTL, outputs it
// had just written, while the model runs it atomically.
TEST_CASE("an instruction writing what it reads itself is reported", "[golden][race]") {
  CHECK_THAT(Run({Conv(0, 0x1000, 0x1080)}),
             Catch::StartsWith("instruction 0 (conv) writes ") && Catch::EndsWith(", which it reads itself"));
  CHECK(Run({Conv(0, 0x1000, 0x2000)}).empty());
}

TEST_CASE("a flag written by both queues without order is a race, even when this run ordered it well",
          "[golden][race]") {
  // load (DMA) sets flag 0; conv waits for it and clears it; a second DMA sets flag 0 again for a
  // later waiter. Without waiting for the clear, the second set may come before the conv's clear
  // (which then wipes it) in another timing.
  Instruction load = Dma(0, Opcode::kDmaRead, 0x1000, 64), conv = Conv(1, 0x1000, 0x2000),
              again = Dma(2, Opcode::kDmaRead, 0x3000, 64);
  load.dma.done_set = 1;
  conv.compute.wait_set = 1, conv.compute.done_clear = 1;
  again.dma.done_set = 1;
  CHECK(Run({load, conv, again}) ==
        "instruction 2 (dma_read) sets flag 0 and instruction 1 (conv) clears it, and no dependency flag "
        "orders "
        "them: the flag's value depends on timing");
  SECTION("waiting for the clear orders the second set after it") {
    again.dma.wait_clear = 1;
    CHECK(Run({load, conv, again}) == "");
  }
  SECTION("a clear while a waiter of the other queue may not have seen the set") {
    // load sets flag 1, conv waits for it; a later DMA clears flag 1 without waiting for conv.
    Instruction a = Dma(0, Opcode::kDmaRead, 0x1000, 64), c = Conv(1, 0x1000, 0x2000),
                clear = Dma(2, Opcode::kDmaRead, 0x3000, 64);
    a.dma.done_set = 2;
    c.compute.wait_set = 2;
    clear.dma.done_clear = 2;
    CHECK(
        Run({a, c, clear}) ==
        "instruction 2 (dma_read) clears flag 1 and instruction 1 (conv) waits on it, and no dependency flag "
        "orders them: the flag's value depends on timing");
  }
  SECTION("a set the other queue repeats: the waiter may see either") {
    Instruction a = Dma(0, Opcode::kDmaRead, 0x1000, 64), c = Conv(1, 0x1000, 0x2000),
                c2 = Conv(2, 0x1000, 0x2400);
    a.dma.done_set = 4;
    c.compute.done_set = 4;  // both queues set flag 2, nothing orders the two sets
    c2.compute.wait_set = 4;
    CHECK(Run({a, c, c2}) != "");
  }
}
