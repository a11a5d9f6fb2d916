// The performance model on cases small enough to follow by hand on tiny (8x8 array, 32-byte
// activation and weight ports, 8 banks of 8 bytes). Every expected number below is derived in
// the comment above it from the schedule in docs/performance.md, not from running the model.
#include "perf/perf_model.h"

#include <catch2/catch.hpp>

#include "isa/program.h"

namespace {

using nna::isa::ComputeCycle;
using nna::isa::ComputeInstr;
using nna::isa::Opcode;
using nna::isa::SimdInstr;
using nna::isa::SimdOp;

// tiny with banks that serve every cycle (sram.bank_cycles 1): the schedules below are worked out
// by hand for that; "a bank rests..." checks the recovery cycle of the real configuration.
const nna::HwConfig& Tiny() {
  static const nna::HwConfig cfg = [] {
    nna::HwConfig c = nna::FindHwConfig("tiny");
    c.sram_bank_cycles = 1;
    return c;
  }();
  return cfg;
}

// A 1x1 convolution of in_c channels of h x w into out_c, dense planes, input at 0, weights at
// 0x10020 (banks 4..7: no bank shared with a load of the first 8 bytes), pixel-major.
ComputeInstr Conv1x1(uint64_t in_c, uint64_t h, uint64_t w, uint64_t out_c) {
  ComputeInstr in;
  in.opcode = Opcode::kConv;
  in.simd_len = 1;
  in.in_addr = 0;
  in.wt_addr = 0x10020;
  in.param_addr = 0x20000;
  in.out_addr = 0x30000;
  in.in_c = in_c, in.in_h = h, in.in_w = w;
  in.out_c = out_c, in.out_h = h, in.out_w = w;
  in.in_row_stride = w, in.in_plane_stride = h * w;
  in.out_row_stride = w, in.out_plane_stride = h * w;
  in.kernel_h = in.kernel_w = 1;
  in.stride_h = in.stride_w = in.dil_h = in.dil_w = 1;
  in.groups = 1;
  in.dot_len = in_c;
  in.pix_tiles = (h * w + 7) / 8;
  in.ch_tiles = (out_c + 7) / 8;
  in.wt_tile_bytes = in_c * 8;
  in.group_in_c = in_c, in.group_out_c = out_c, in.group_tiles = in.ch_tiles;
  return in;
}

std::vector<SimdInstr> Relu(unsigned steps) {
  std::vector<SimdInstr> prog;
  for (unsigned i = 0; i < steps; ++i) {
    SimdInstr s;
    s.op = SimdOp::kFusedRelu;
    // v1 = f(v0), then v0 = f(v1): a chain of two.
    s.dst = (i + 1 == steps) ? 0 : 1;
    s.src_a = (i == 0) ? 0 : 1;
    prog.push_back(s);
  }
  return prog;
}

uint64_t C(const nna::perf::Prediction& p, ComputeCycle c) { return p.cycles[c]; }

// All six causes in the order of isa::ComputeCycle: fill, mac, wait_unload, wait_activations,
// wait_weights, drain.
using Cycles = std::array<uint64_t, nna::perf::kNumCauses>;
Cycles Causes(const nna::perf::Prediction& p) { return p.cycles.by_cause; }

}  // namespace

TEST_CASE("one tile: check, parameters, two cycles to the first term, one term per cycle, unload") {
  // 16 channels of 1x8 into 8: one section of 8 pixels, one channel tile, dot_len 16.
  // Fill: check 1 + parameter reads ceil(8*16/32) = 4 + 2 (last response, then start) + 2 (load
  // and weight read in the tile phase's first cycle, response, FIFO) = 9.
  // Mac 16, one load per term (8 adjacent bytes). Drain: 8 rows from the cycle after the last
  // term, the last row 3 cycles in the SIMD unit, 1 in the write buffer, written, done: 8 + 5.
  const auto p = nna::perf::Predict(Tiny(), Conv1x1(16, 1, 8, 8), Relu(1));
  CHECK(Causes(p) == Cycles{9, 16, 0, 0, 0, 13});  // fill mac w_unload w_acts w_wts drain
  CHECK(p.cycles.Total() == 38);
  CHECK(p.macs == 8 * 8 * 16);
}

TEST_CASE("dot products shorter than the rows wait for the unload") {
  // 4 channels into 16: two channel tiles of dot_len 4 in one section. Fill 1 + 8 + 2 + 2 = 13;
  // tile 0's terms at 2..5 (tile-phase cycles), its rows leave at 6..13. Tile 1's terms 0..2 at
  // 6..8; its last term is ready at 9 but waits for the last row of tile 0 to leave at 13:
  // 4 cycles wait_unload. Its rows leave at 14..21, done 5 cycles after: drain 13.
  const auto p = nna::perf::Predict(Tiny(), Conv1x1(4, 1, 8, 16), Relu(1));
  CHECK(Causes(p) == Cycles{13, 8, 4, 0, 0, 13});  // fill mac w_unload w_acts w_wts drain
  CHECK(p.cycles.Total() == 38);
}

TEST_CASE("lanes too far apart for one load, and rows narrower than the lanes") {
  // 2 channels of 2x4 into 8, input rows 40 bytes apart: the 8 lanes are two output rows, so
  // lane_init needs one normalisation cycle (lanes 4..7 wrap once), and each term needs two
  // loads (bytes 0..3 and 40..43 are more than 32 apart). The first weight read goes in the
  // normalisation cycle. Term 0: loads at 1, 2, at the array at 4: fill 7 + 4 = 11. Term 1: loads
  // at 3, 4, ready at 6, one cycle after term 0: 1 wait_activations. Drain 13.
  ComputeInstr in = Conv1x1(2, 2, 4, 8);
  in.in_row_stride = 40;
  in.in_plane_stride = 80;
  const auto p = nna::perf::Predict(Tiny(), in, Relu(1));
  CHECK(p.norm == 1);
  CHECK(p.act_slots == 4);
  CHECK(Causes(p) == Cycles{11, 2, 0, 1, 0, 13});  // fill mac w_unload w_acts w_wts drain
  CHECK(p.cycles.Total() == 27);
}

TEST_CASE("lanes past the last output row stop normalising") {
  // An inner product: 16 channels of 1x1 into 8, one output pixel. Lane i starts at ow = i; lanes
  // 1..7 wrap once to oh = 1 = out_h and stop there (not i times): one normalisation cycle, in
  // which the first weight read goes. Term 0 loads at 1, reaches the array at 3: fill 1 + 4 + 2 + 3
  // = 10. One load per term (one lane needs data), mac 16, drain 13.
  ComputeInstr in = Conv1x1(16, 1, 1, 8);
  in.opcode = Opcode::kInnerProduct;
  const auto p = nna::perf::Predict(Tiny(), in, Relu(1));
  CHECK(p.norm == 1);
  CHECK(p.act_slots == 16);
  CHECK(Causes(p) == Cycles{10, 16, 0, 0, 0, 13});  // fill mac w_unload w_acts w_wts drain
  CHECK(p.cycles.Total() == 39);
}

TEST_CASE("a two-instruction SIMD program takes one row per two cycles") {
  // As the first case, but every row passes the SIMD lanes twice. Rows enter one cycle after
  // another until the first one comes round (3 cycles later) and owns stage 1 for three cycles:
  // rows 0-2 enter 1, 2, 3 cycles after the last term, rows 3-5 at 7, 8, 9, rows 6-7 at 13, 14.
  // Row 7 leaves 6 cycles later, then the write buffer and the write: drain 14 + 6 + 2 = 22.
  const auto p = nna::perf::Predict(Tiny(), Conv1x1(16, 1, 8, 8), Relu(2));
  CHECK(C(p, ComputeCycle::kDrain) == 22);
  CHECK(p.cycles.Total() == 9 + 16 + 22);
}

TEST_CASE("the first weight read waits for a bank the first load takes") {
  // Weights at 0x10000 read banks 0..3. The loads of terms 0..3 read bytes 0..7, 8..15, 16..23,
  // 24..31 (planes of 8 bytes): banks 0, 1, 2, 3, none cached before. The weight read goes in
  // the fifth cycle, with the load of bank 4: the first weight row arrives 4 cycles late, fill
  // 9 + 4 = 13.
  ComputeInstr in = Conv1x1(16, 1, 8, 8);
  in.wt_addr = 0x10000;
  const auto p = nna::perf::Predict(Tiny(), in, Relu(1));
  CHECK(C(p, ComputeCycle::kFill) == 13);
  CHECK(p.cycles.Total() == 42);
}

TEST_CASE("weight reads that share a bank with every load go only while the activation FIFO is full") {
  // 32 channels of 1x8 into 8 (one tile, dot_len 32: 256 bytes of weights, 8 reads of 32), planes
  // 32 bytes apart: term k loads word 4k, bank 0 (k even) or 4 (k odd), never cached before.
  // Weights at 0x10004: each read covers 5 words, banks 0..4 or 4..7,0, so every load takes a
  // bank of every read, and a read goes only in a cycle without a load (FIFO full: 4 packets,
  // counting the one arriving). Tile-phase cycles:
  //   0..3 loads t0..t3; 4, 5 FIFO full: reads 0, 1 (rows 0..7); 6 t0 broadcast, FIFO still
  //   full: read 2 (rows 8..11). From 7 one load and one broadcast per cycle (t_k loaded at k+3,
  //   broadcast at k+6), reads blocked: t11 at 17, then no row 12. 18: load t15 (2 packets + 1
  //   arriving); 19, 20 FIFO full: reads 3, 4; 21 row 12 there (t12), FIFO full: read 5 (rows up
  //   to 23). From 22 again one load per cycle (t_k at k+6), t_k broadcast at k+9, t23 at 32.
  //   33: load t27; 34, 35 FIFO full: reads 6, 7; 36 t24; loads t28..t31 at 37..40, broadcasts
  //   t25..t31 at 37..43 (t28's packet at the head at 39).
  // wait_weights 18..20 and 33..35: 6. Fill 1 + 4 + 2 + 6 = 13, mac 32, drain 13 (8 rows, 5).
  ComputeInstr in = Conv1x1(32, 1, 8, 8);
  in.in_plane_stride = 32;
  in.wt_addr = 0x10004;
  const auto p = nna::perf::Predict(Tiny(), in, Relu(1));
  CHECK(Causes(p) == Cycles{13, 32, 0, 0, 6, 13});  // fill mac w_unload w_acts w_wts drain
  CHECK(p.cycles.Total() == 64);
}

TEST_CASE("instructions with a zero field end after the check") {
  ComputeInstr in = Conv1x1(16, 1, 8, 8);
  in.kernel_w = 0;
  const auto p = nna::perf::Predict(Tiny(), in, Relu(1));
  CHECK(p.cycles.Total() == 1);
  CHECK(C(p, ComputeCycle::kFill) == 1);
  CHECK_FALSE(p.note.empty());
}

TEST_CASE("MACs and utilization") {
  ComputeInstr in = Conv1x1(16, 1, 8, 8);
  CHECK(nna::isa::Macs(in) == 1 * 8 * 8 * 16);
  in.opcode = Opcode::kDeconv;
  in.in_h = 3, in.in_w = 4, in.in_c = 5, in.group_out_c = 6, in.kernel_h = 2, in.kernel_w = 3;
  CHECK(nna::isa::Macs(in) == 3 * 4 * 5 * 6 * 2 * 3);
  CHECK(nna::perf::Utilization(Tiny(), 64 * 10, 20) == Approx(0.5));
  CHECK(nna::perf::Utilization(Tiny(), 5, 0) == 0.0);
}

TEST_CASE("the accuracy check names the instruction only beyond the limit") {
  CHECK(nna::perf::DiffPercent(200, 203) == Approx(1.5));
  CHECK(nna::perf::CheckAccuracy(3, "conv", 200, 203, 2.0).empty());
  const std::string s = nna::perf::CheckAccuracy(3, "conv", 200, 206, 2.0);
  CHECK(s.find("instr 3 (conv) took 200 cycles") != std::string::npos);
  CHECK(s.find("+3.00%") != std::string::npos);
}

TEST_CASE("a bank rests a cycle after an access: loads a bank row apart take two cycles each") {
  // 16 channels of 8x8 into 8 on tiny (8 banks of 8 bytes): a plane is 64 bytes, one row of
  // banks, so the loads of consecutive terms (consecutive planes, 8 bytes each) all hit the same
  // bank. Banks that serve every cycle load one term per cycle; with sram.bank_cycles 2 each load
  // waits for its bank to recover, and the activation FIFO runs dry every other cycle.
  const ComputeInstr in = Conv1x1(16, 8, 8, 8);
  const auto every = nna::perf::Predict(Tiny(), in, Relu(1));
  const auto rests = nna::perf::Predict(nna::FindHwConfig("tiny"), in, Relu(1));
  CHECK(nna::FindHwConfig("tiny").sram_bank_cycles == 2);
  CHECK(C(every, ComputeCycle::kMac) == C(rests, ComputeCycle::kMac));
  CHECK(C(every, ComputeCycle::kWaitActivations) < 8);
  // Most terms wait a cycle (not all: a load whose bank rested while the FIFO was full goes at once).
  CHECK(C(rests, ComputeCycle::kWaitActivations) > C(rests, ComputeCycle::kMac) / 2);
  // Padding the planes by one bank word puts consecutive loads on consecutive banks.
  ComputeInstr padded = in;
  padded.in_plane_stride = 64 + 8;
  const auto pad = nna::perf::Predict(nna::FindHwConfig("tiny"), padded, Relu(1));
  CHECK(C(pad, ComputeCycle::kWaitActivations) < 8);
}
