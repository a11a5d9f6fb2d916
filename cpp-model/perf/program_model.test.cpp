// The whole-program model on programs small enough to follow by hand on tiny (16-byte AXI beats,
// bursts of up to 16 beats, queues of 4 DMA and 2 compute instructions). Every expected number
// is derived in the comment above it from nna_net_seq, nna_dma and the DRAM model's schedule.
#include "perf/program_model.h"

#include <catch2/catch.hpp>

#include "isa/program.h"

namespace {

using nna::isa::Instruction;
using nna::isa::Opcode;

const nna::HwConfig& Tiny() { return nna::FindHwConfig("tiny"); }

Instruction DmaRead(uint64_t sram, uint64_t dram, uint64_t row_bytes, uint64_t rows = 1) {
  Instruction in;
  in.opcode = in.dma.opcode = Opcode::kDmaRead;
  in.dma.sram_addr = sram, in.dma.dram_addr = dram;
  in.dma.row_bytes = row_bytes, in.dma.rows = rows;
  in.dma.dram_stride = in.dma.sram_stride = row_bytes;
  return in;
}

// A 1x1 convolution of 8 channels of 8x8 into 8 (one channel tile, 8 sections of 8 pixels).
Instruction Conv() {
  Instruction in;
  in.opcode = Opcode::kConv;
  auto& c = in.compute;
  c.opcode = Opcode::kConv;
  c.simd_len = 1;
  c.in_addr = 0x1000, c.wt_addr = 0x2000, c.param_addr = 0x3000, c.out_addr = 0x4000;
  c.in_c = 8, c.in_h = 8, c.in_w = 8;
  c.out_c = 8, c.out_h = 8, c.out_w = 8;
  c.in_row_stride = 8, c.in_plane_stride = 64, c.out_row_stride = 8, c.out_plane_stride = 64;
  c.kernel_h = c.kernel_w = c.stride_h = c.stride_w = c.dil_h = c.dil_w = 1;
  c.groups = 1, c.dot_len = 8, c.pix_tiles = 8, c.ch_tiles = 1, c.wt_tile_bytes = 64;
  c.group_in_c = 8, c.group_out_c = 8, c.group_tiles = 1;
  nna::isa::SimdInstr relu;
  relu.op = nna::isa::SimdOp::kFusedRelu;
  in.simd = {relu};
  return in;
}

// A bundle whose DRAM holds the program at 0 (loaded to SRAM 0x80000) and 64 KB of data after it.
nna::Bundle Program(const std::vector<Instruction>& instrs) {
  nna::Bundle b;
  b.test = "program_model";
  b.config = "tiny";
  for (const Instruction& in : instrs) {
    const std::vector<uint8_t> w = nna::isa::EncodeInstruction(in);
    b.dram.insert(b.dram.end(), w.begin(), w.end());
  }
  b.prog_words = b.dram.size() / nna::isa::kWordBytes;
  b.prog_sram_addr = 0x80000;
  b.dram.resize(b.dram.size() + 0x10000);
  return b;
}

}  // namespace

TEST_CASE("a DMA_READ of one burst: the address, the DRAM latency, one beat per cycle, done") {
  // 256 bytes at 0x1000: 16 beats of 16 bytes, one burst. Started in cycle s, the engine runs
  // from s + 1 and sends AR then; the first beat comes latency (20) cycles later, in s + 21, the
  // 16th in s + 36; done pulses in the next cycle, s + 37.
  const nna::Bundle b = Program({DmaRead(0x100, 0x1000, 256)});
  const nna::perf::ProgramPrediction p = nna::perf::PredictWholeProgram(Tiny(), b);
  REQUIRE(p.note.empty());
  REQUIRE(p.spans.at(0).end - p.spans.at(0).start == 37);
  // Rows of 8 bytes: each row is a burst of its own, at most 4 in flight: 8 rows take two rounds
  // of a latency each: AR of rows 0-3 in s+1..s+4, their beats in s+21..s+24; row 4's AR when
  // row 0's beat is taken (s+22), its beat in s+42; the last AR (row 7) in s+25, its beat in
  // s+45, done in s+46.
  const nna::Bundle rows = Program({DmaRead(0x100, 0x1000, 8, 8)});
  const nna::perf::ProgramPrediction q = nna::perf::PredictWholeProgram(Tiny(), rows);
  REQUIRE(q.spans.at(0).end - q.spans.at(0).start == 46);
  // A longer latency moves the done by the difference, per round of bursts.
  const nna::perf::ProgramPrediction q30 = nna::perf::PredictWholeProgram(Tiny(), rows, {30});
  REQUIRE(q30.spans.at(0).end - q30.spans.at(0).start == 46 + 2 * 10);
}

TEST_CASE("a compute instruction waiting for a DMA's flag starts the cycle after the DMA's done") {
  // DMA_READ sets flag 0; the CONV waits for it. The flags change at the end of the DMA's done
  // cycle, so the CONV starts in the next one; without the wait it starts as soon as it is
  // fetched, while the DMA still runs.
  Instruction dma = DmaRead(0x1000, 0x1000, 512);
  dma.dma.done_set = 1;
  Instruction conv = Conv();
  conv.compute.wait_set = 1;
  const nna::perf::ProgramPrediction waits = nna::perf::PredictWholeProgram(Tiny(), Program({dma, conv}));
  REQUIRE(waits.note.empty());
  REQUIRE(waits.spans.at(1).start == waits.spans.at(0).end + 1);
  // The program ends the cycle after the last done.
  REQUIRE(waits.cycles == waits.spans.at(1).end + 1);

  conv.compute.wait_set = 0;
  const nna::perf::ProgramPrediction free = nna::perf::PredictWholeProgram(Tiny(), Program({dma, conv}));
  REQUIRE(free.spans.at(1).start < free.spans.at(0).end);
  REQUIRE(free.cycles < waits.cycles);
  // The same compute instruction takes its Predict cycles when nothing else runs beside it, and
  // more beside the DMA, whose beats take banks (urgent ones) and leave them resting.
  const uint64_t alone = nna::perf::Predict(Tiny(), conv.compute, conv.simd).cycles.Total();
  REQUIRE(waits.compute_cycles == alone);
  REQUIRE(waits.spans.at(1).end - waits.spans.at(1).start == alone);
  REQUIRE(free.compute_cycles > alone);
}

TEST_CASE("the fetch blocks on a full DMA queue: a compute instruction behind it starts late") {
  // A DMA whose wait flag only a later DMA of the same queue sets never starts: the prediction
  // says which instruction never starts.
  Instruction first = DmaRead(0x1000, 0x1000, 256);
  first.dma.wait_set = 1;
  Instruction setter = DmaRead(0x2000, 0x1000, 16);
  setter.dma.done_set = 1;
  const nna::perf::ProgramPrediction stuck = nna::perf::PredictWholeProgram(Tiny(), Program({first, setter}));
  REQUIRE(stuck.note == "instruction 0 never starts: its wait flags are never met");

  // Six DMAs of 37 cycles each (fetched and pushed every 4 cycles), then a CONV that needs no
  // flag. DMA 0 starts at once, DMAs 1-4 fill the 4-entry queue, DMA 5 waits for room until
  // DMA 1 starts (the cycle after DMA 0's done), and the CONV, fetched after it, starts later.
  std::vector<Instruction> prog;
  for (int k = 0; k < 6; ++k) prog.push_back(DmaRead(0x1000 + 0x100 * uint64_t(k), 0x1000, 256));
  prog.push_back(Conv());
  const nna::perf::ProgramPrediction p = nna::perf::PredictWholeProgram(Tiny(), Program(prog));
  REQUIRE(p.note.empty());
  // Each DMA starts the cycle after the previous one's done.
  for (uint32_t k = 1; k < 6; ++k) REQUIRE(p.spans.at(k).start == p.spans.at(k - 1).end + 1);
  REQUIRE(p.spans.at(6).start > p.spans.at(1).start);
  // With a deeper DMA queue the fetch does not wait and the CONV starts while DMA 0 runs.
  nna::HwConfig deep = Tiny();
  deep.queues_dma_depth = 8;
  const nna::perf::ProgramPrediction d = nna::perf::PredictWholeProgram(deep, Program(prog));
  REQUIRE(d.spans.at(6).start < d.spans.at(0).end);
}
