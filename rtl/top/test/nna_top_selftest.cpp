// Self-check of nna_top (tiny configuration): a plain Verilator C++ harness (rtl/test/block_tb.h)
// with the testbench's AXI4 DRAM model (tb/axi_dram_core.h: random back-pressure, W before AW
// allowed, 4 KB / burst-length / alignment checks), an AXI4-Lite host and the observation port. It runs
// DMA_READ / DMA_WRITE / CONV programs with dependency flags and checks the final DRAM, every DMA SRAM write
// event (beat cutting, addresses, order), status, err_instr, instrs_done, the performance counters and the
// interrupt; 3-D DMAs moving a tile; the CSR access kinds (strobes, w1s pulse, w1c set over
// clear); the program queue (back to back, overflow, an error dropping what is
// queued); then programs that must end in errors: illegal opcode, simd_len 0, DMA row_bytes 0, DMA planes 0
// or a reserved bit of the planes word, DMA rows or planes past the SRAM, a planes word cut off,
// a CONV output and the program load past the SRAM (sram_range), an engine error, watchdog (at
// the reset period and at a period written to watchdog_cycles; 0 disables it), truncated
// program, an AXI error during the program load, and abort; after each error of TestError, a
// good program must run.
// Built and run by CTest as rtl.top_selftest (rtl/top/test/CMakeLists.txt).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "Vnna_top.h"
#include "block_tb.h"
#include "nna/configs.h"
#include "nna/csr.h"
#include "nna/isa.h"
#include "tb/axi_dram_core.h"
#include "verilated.h"
#include "vl_bits.h"

namespace {

// tiny's AXI data and SRAM write-port widths; main() checks them against nna/configs.h.
constexpr unsigned kD = 16;
constexpr unsigned kW = 16;
constexpr size_t kDramBytes = 1 << 20;

struct WrEvent {
  unsigned src, instr;
  uint32_t addr;
  std::vector<uint8_t> bytes;
};

int g_fail = 0;
#define CHECK(cond, ...)                               \
  do {                                                 \
    if (!(cond)) {                                     \
      std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      std::printf(__VA_ARGS__);                        \
      std::printf("\n");                               \
      ++g_fail;                                        \
    }                                                  \
  } while (0)

// The NNA on a DRAM model (tb/axi_dram_core.h, the SystemC testbench's own, here with random
// back-pressure, W before AW allowed and the strict burst checks) and an AXI4-Lite host.
class Tb {
 public:
  explicit Tb(unsigned seed) : rng_(seed), dram_(kDramBytes), model_(dram_, ModelConfig()) {
    for (size_t i = 0; i < kDramBytes; ++i) dram_[i] = uint8_t(i * 7 + (i >> 8) * 13 + 1);
    top_->clk_i = 0;
    top_->rst_ni = 0;
    for (int i = 0; i < 5; ++i) Cycle();
    top_->rst_ni = 1;
  }

 private:
  std::mt19937 rng_;

 public:
  std::vector<uint8_t> dram_;
  std::vector<WrEvent> events_;
  uint64_t cycles_ = 0;
  int ready_pct_ = 70;
  uint64_t lite_write_cycle_ = 0;  // the cycle the last CSR write was taken
  uint64_t busy_rise_cycle_ = 0;   // the last cycle status.busy went from 0 to 1
  bool busy_prev_ = false;

  bool Rand() { return int(rng_() % 100) < ready_pct_; }
  // The R beat with this index (counting from the first) answers SLVERR.
  void SetSlverrAtRBeat(unsigned beat) { model_.SetSlverrAtRBeat(beat); }
  unsigned MaxArOutstanding() const { return unsigned(model_.max_reads_in_flight()); }

  // One clock cycle: drive inputs, sample handshakes, rising edge.
  void Cycle() {
    nna::vl::BlockDut<Vnna_top>& t = top_;
    // AXI subordinate inputs: what the DRAM model drives this cycle (the data only with a valid).
    model_.Drive(cycles_);
    const nna::tb::AxiDramCore::Outputs& d = model_.drive();
    t->m_axi_arready_i = d.ar_ready;
    t->m_axi_awready_i = d.aw_ready;
    t->m_axi_wready_i = d.w_ready;
    t->m_axi_rvalid_i = d.r_valid;
    if (d.r_valid) {
      nna::vl::PutBytes(t->m_axi_rdata_i, model_.RData(), kD);
      t->m_axi_rlast_i = d.r_last;
      t->m_axi_rresp_i = d.r_resp;
      t->m_axi_rid_i = d.r_id;
    }
    t->m_axi_bvalid_i = d.b_valid;
    t->m_axi_bresp_i = d.b_resp;
    t->m_axi_bid_i = d.b_id;
    // AXI-Lite host.
    t->s_axil_awvalid_i = lite_aw_;
    t->s_axil_wvalid_i = lite_w_;
    t->s_axil_awaddr_i = lite_waddr_;
    t->s_axil_wdata_i = lite_wdata_;
    t->s_axil_wstrb_i = lite_wstrb_;
    t->s_axil_bready_i = 1;
    t->s_axil_arvalid_i = lite_ar_;
    t->s_axil_araddr_i = lite_raddr_;
    t->s_axil_rready_i = 1;
    t.Eval();

    // Handshakes, only out of reset, in the model's order AW, W, B, AR, R.
    if (t->rst_ni) {
      if (d.aw_ready && t->m_axi_awvalid_o) {
        model_.TakeAw(
            {t->m_axi_awid_o, t->m_axi_awaddr_o, t->m_axi_awlen_o, t->m_axi_awsize_o, t->m_axi_awburst_o},
            cycles_);
      }
      if (d.w_ready && t->m_axi_wvalid_o) {
        uint8_t data[kD];
        for (unsigned k = 0; k < kD; ++k) data[k] = uint8_t(nna::vl::GetByte(t->m_axi_wdata_o, k));
        model_.TakeW(data, t->m_axi_wstrb_o, t->m_axi_wlast_o, cycles_);
      }
      if (d.b_valid && t->m_axi_bready_o) model_.TakeB();
      if (d.ar_ready && t->m_axi_arvalid_o) {
        model_.TakeAr(
            {t->m_axi_arid_o, t->m_axi_araddr_o, t->m_axi_arlen_o, t->m_axi_arsize_o, t->m_axi_arburst_o},
            cycles_);
      }
      if (d.r_valid && t->m_axi_rready_o) model_.TakeR();
    }
    if (t->obs_wr_valid_o && t->rst_ni) {
      WrEvent e{t->obs_wr_src_o, t->obs_wr_instr_o, t->obs_wr_addr_o, {}};
      uint32_t mask = t->obs_wr_mask_o;
      int first = -1;
      for (unsigned k = 0; k < kW; ++k) {
        if ((mask >> k) & 1) {
          if (first < 0) first = k;
          e.bytes.push_back(uint8_t(nna::vl::GetByte(t->obs_wr_data_o, k)));
        }
      }
      // Contiguous run of enabled bytes, address of its first byte.
      CHECK(first >= 0, "SRAM write with an empty mask");
      CHECK(first < 0 || (mask >> first) == ((1u << e.bytes.size()) - 1), "non-contiguous mask %x", mask);
      e.addr += first < 0 ? 0 : first;
      events_.push_back(e);
    }
    // AXI-Lite handshakes; the cycles a write is taken and status.busy rises, for TestCsrAccess.
    if (lite_aw_ && t->s_axil_awready_o) lite_write_cycle_ = cycles_;
    if (t->obs_busy_o && !busy_prev_) busy_rise_cycle_ = cycles_;
    busy_prev_ = t->obs_busy_o;
    if (lite_aw_ && t->s_axil_awready_o) lite_aw_ = false;
    if (lite_w_ && t->s_axil_wready_o) lite_w_ = false;
    if (t->s_axil_bvalid_o) lite_b_seen_ = true;
    if (lite_ar_ && t->s_axil_arready_o) lite_ar_ = false;
    if (t->s_axil_rvalid_o) {
      lite_r_seen_ = true;
      lite_rdata_ = t->s_axil_rdata_o;
    }

    t.Tick();
    ++cycles_;
  }

  void CsrWrite(uint8_t addr, uint32_t data, uint8_t strb = 0xF) {
    lite_aw_ = lite_w_ = true;
    lite_waddr_ = addr;
    lite_wdata_ = data;
    lite_wstrb_ = strb;
    lite_b_seen_ = false;
    while (!lite_b_seen_) Cycle();
  }
  uint32_t CsrRead(uint8_t addr) {
    lite_ar_ = true;
    lite_raddr_ = addr;
    lite_r_seen_ = false;
    while (!lite_r_seen_) Cycle();
    return lite_rdata_;
  }
  bool Irq() const { return top_->irq_o; }

  // Writes the program registers and ctrl.start (the program is in dram_ already).
  void Start(uint64_t prog_dram, uint32_t prog_sram, uint32_t words) {
    CsrWrite(nna::csr::kProgDramLo, uint32_t(prog_dram));
    CsrWrite(nna::csr::kProgDramHi, uint32_t(prog_dram >> 32));
    CsrWrite(nna::csr::kProgSram, prog_sram);
    CsrWrite(nna::csr::kProgWords, words);
    CsrWrite(nna::csr::kCtrl, 1);
  }

  // Runs a program: returns after the interrupt (or a cycle limit).
  bool Run(const std::vector<uint8_t>& prog, uint64_t prog_dram, uint32_t prog_sram, uint64_t max_cycles) {
    for (size_t i = 0; i < prog.size(); ++i) dram_[prog_dram + i] = prog[i];
    Start(prog_dram, prog_sram, uint32_t(prog.size() / 32));
    uint64_t start = cycles_;
    while (!Irq() && cycles_ - start < max_cycles) Cycle();
    return Irq();
  }

 private:
  nna::tb::AxiDramCore::Config ModelConfig() {
    nna::tb::AxiDramCore::Config c;
    c.bus_bytes = kD;
    c.max_burst = 16;
    c.w_before_aw = true;
    c.strict = true;
    c.gate = [this] { return Rand(); };
    c.on_error = [](const std::string& what) { CHECK(false, "%s", what.c_str()); };
    return c;
  }

  nna::vl::BlockDut<Vnna_top> top_;
  nna::tb::AxiDramCore model_;
  bool lite_aw_ = false, lite_w_ = false, lite_ar_ = false, lite_b_seen_ = false, lite_r_seen_ = false;
  uint8_t lite_waddr_ = 0, lite_raddr_ = 0, lite_wstrb_ = 0xF;
  uint32_t lite_wdata_ = 0, lite_rdata_ = 0;
};

using nna::isa::DmaInstr;
using nna::isa::Opcode;

void Append(std::vector<uint8_t>& prog, const DmaInstr& d) {
  auto w = nna::isa::Encode(d);
  prog.insert(prog.end(), w.begin(), w.end());
}

// The planes word that makes the DMA before it 3-D (set planes_word on that DMA).
void Append(std::vector<uint8_t>& prog, const nna::isa::DmaPlanesInstr& p) {
  auto w = nna::isa::Encode(p);
  prog.insert(prog.end(), w.begin(), w.end());
}

nna::isa::DmaPlanesInstr Planes(uint64_t planes, uint64_t sram_plane_stride, uint64_t dram_plane_stride) {
  nna::isa::DmaPlanesInstr p;
  p.planes = planes;
  p.sram_plane_stride = sram_plane_stride;
  p.dram_plane_stride = dram_plane_stride;
  return p;
}

// A compute instruction with simd_len zero-filled (NOP) SIMD words.
void Append(std::vector<uint8_t>& prog, const nna::isa::ComputeInstr& c) {
  auto w = nna::isa::Encode(c);
  prog.insert(prog.end(), w.begin(), w.end());
  prog.resize(prog.size() + (c.simd_len * nna::isa::SimdInstr::kBytes + 31) / 32 * 32);
}

// A legal 1x1 convolution on 1x1 pixels at 0x30000.. (zeros in SRAM): the real compute accepts it.
nna::isa::ComputeInstr Conv1x1() {
  nna::isa::ComputeInstr c;
  c.opcode = Opcode::kConv;
  c.simd_len = 5;
  c.in_addr = 0x30000;
  c.wt_addr = 0x30100;
  c.param_addr = 0x30200;
  c.out_addr = 0x30300;
  c.in_c = c.in_h = c.in_w = c.out_c = c.out_h = c.out_w = 1;
  c.in_row_stride = c.in_plane_stride = c.out_row_stride = c.out_plane_stride = 1;
  c.kernel_h = c.kernel_w = c.stride_h = c.stride_w = c.dil_h = c.dil_w = 1;
  c.groups = 1;
  c.dot_len = 1;
  c.pix_tiles = 1;
  c.ch_tiles = 1;
  c.wt_tile_bytes = 8;
  c.group_in_c = c.group_out_c = c.group_tiles = 1;
  return c;
}

DmaInstr Dma(Opcode op, uint64_t sram, uint64_t dram, uint64_t row_bytes, uint64_t rows, uint64_t dstride,
             uint64_t sstride) {
  DmaInstr d;
  d.opcode = op;
  d.sram_addr = sram;
  d.dram_addr = dram;
  d.row_bytes = row_bytes;
  d.rows = rows;
  d.dram_stride = dstride;
  d.sram_stride = sstride;
  return d;
}

// Expected DMA SRAM write events of a DMA_READ (docs/architecture.md "DMA semantics").
void ExpectRead(std::vector<WrEvent>& exp, const std::vector<uint8_t>& dram, const DmaInstr& d,
                unsigned instr) {
  for (uint64_t r = 0; r < d.rows; ++r) {
    uint64_t ds = d.dram_addr + r * d.dram_stride, ss = d.sram_addr + r * d.sram_stride;
    uint64_t a = ds;
    while (a < ds + d.row_bytes) {
      uint64_t end = std::min<uint64_t>((a / kD + 1) * kD, ds + d.row_bytes);
      WrEvent e{0, instr, uint32_t(ss + (a - ds)), {}};
      for (uint64_t x = a; x < end; ++x) e.bytes.push_back(dram[x]);
      exp.push_back(e);
      a = end;
    }
  }
}

bool SameEvents(const std::vector<WrEvent>& got, const std::vector<WrEvent>& exp) {
  bool ok = got.size() == exp.size();
  CHECK(got.size() == exp.size(), "%zu SRAM write events, expected %zu", got.size(), exp.size());
  for (size_t i = 0; i < std::min(got.size(), exp.size()); ++i) {
    const WrEvent &g = got[i], &e = exp[i];
    if (g.src != e.src || g.instr != e.instr || g.addr != e.addr || g.bytes != e.bytes) {
      CHECK(false, "event %zu: got src %u instr %u addr %x len %zu, expected src %u instr %u addr %x len %zu",
            i, g.src, g.instr, g.addr, g.bytes.size(), e.src, e.instr, e.addr, e.bytes.size());
      return false;
    }
  }
  return ok;
}

void TestCopy(unsigned seed, int ready_pct, bool cache_off = false) {
  Tb tb(seed);
  tb.ready_pct_ = ready_pct;
  if (cache_off) tb.CsrWrite(nna::csr::kSramCtrl, 1);  // same results, every read from the banks
  CHECK(tb.CsrRead(nna::csr::kSramCtrl) == (cache_off ? 1u : 0u), "sram_ctrl reads back");
  CHECK(tb.CsrRead(nna::csr::kId) == nna::csr::kIdReset, "id register");
  CHECK(tb.CsrRead(0x80) == 0, "unknown offset reads 0");
  const std::vector<uint8_t> dram0 = tb.dram_;
  std::vector<uint8_t> prog;
  // 0: 2-D read, unaligned everywhere, sets flag 0.
  DmaInstr i0 = Dma(Opcode::kDmaRead, 0x2005, 0x1003, 37, 3, 100, 64);
  i0.done_set = 1;
  // 1: a long row crossing 4 KB boundaries, sets flag 1.
  DmaInstr i1 = Dma(Opcode::kDmaRead, 0x8000 + 3, 0x3F00 + 9, 5000, 1, 0, 0);
  i1.done_set = 2;
  // 2: compute waits for flag 0 and 1, sets flag 3.
  nna::isa::ComputeInstr c = Conv1x1();
  c.wait_set = 3;
  c.done_set = 8;
  // 3: write the 2-D block out once flag 3 is set; clears flag 0.
  DmaInstr i3 = Dma(Opcode::kDmaWrite, 0x2005, 0x40007, 37, 3, 50, 64);
  i3.wait_set = 8;
  i3.done_clear = 1;
  // 4: write the long row out; waits for flag 0 to be clear.
  DmaInstr i4 = Dma(Opcode::kDmaWrite, 0x8000 + 3, 0x50FF1, 5000, 1, 0, 0);
  i4.wait_clear = 1;
  i4.wait_set = 2;
  Append(prog, i0);
  Append(prog, i1);
  Append(prog, c);  // 5 SIMD instructions = 40 bytes = 2 words (zeros = NOPs)
  Append(prog, i3);
  Append(prog, i4);
  const uint64_t prog_dram = 0x7000 + 0x30;  // mid-burst start (3 beats into a 16-beat window)
  const uint32_t prog_sram = 0x10000;
  bool irq = tb.Run(prog, prog_dram, prog_sram, 200000);
  CHECK(irq, "no interrupt after the copy program");
  uint32_t st = tb.CsrRead(nna::csr::kStatus);
  CHECK(st == 2, "status %x, expected done", st);
  CHECK(tb.CsrRead(nna::csr::kErrInstr) == 0xFFFFFFFF, "err_instr after success");
  CHECK(tb.CsrRead(nna::csr::kInstrsDone) == 5, "instrs_done %u", tb.CsrRead(nna::csr::kInstrsDone));
  CHECK(tb.CsrRead(nna::csr::kIrq) == 1, "irq register");
  uint32_t cyc = tb.CsrRead(nna::csr::kCycles);
  CHECK(cyc > 0, "cycles counter");
  // Performance counters: bytes exactly (the load, then rows * row_bytes of each DMA).
  const uint32_t rd = tb.CsrRead(nna::csr::kDmaReadBytes), wr = tb.CsrRead(nna::csr::kDmaWriteBytes);
  CHECK(rd == prog.size() + i0.rows * i0.row_bytes + i1.rows * i1.row_bytes, "dma_read_bytes %u", rd);
  CHECK(wr == i3.rows * i3.row_bytes + i4.rows * i4.row_bytes, "dma_write_bytes %u", wr);
  // Busy and wait counters: nonzero (the CONV and DMA 3 wait for flags) and within the run.
  for (uint32_t reg : {nna::csr::kDmaBusyCycles, nna::csr::kComputeBusyCycles, nna::csr::kSimdBusyCycles,
                       nna::csr::kDmaWaitCycles, nna::csr::kComputeWaitCycles}) {
    const uint32_t v = tb.CsrRead(reg);
    CHECK(v > 0 && v <= cyc, "counter at 0x%x: %u (cycles %u)", reg, v, cyc);
  }
  for (uint32_t reg :
       {nna::csr::kConflictStallsAct, nna::csr::kConflictStallsWt, nna::csr::kConflictStallsWr})
    CHECK(tb.CsrRead(reg) <= cyc, "stall counter at 0x%x", reg);
  // DRAM result.
  std::vector<uint8_t> exp = dram0;
  for (size_t i = 0; i < prog.size(); ++i) exp[prog_dram + i] = prog[i];
  for (unsigned r = 0; r < 3; ++r)
    for (unsigned k = 0; k < 37; ++k) exp[0x40007 + r * 50 + k] = dram0[0x1003 + r * 100 + k];
  for (unsigned k = 0; k < 5000; ++k) exp[0x50FF1 + k] = dram0[0x3F09 + k];
  size_t bad = 0;
  for (size_t i = 0; i < kDramBytes; ++i) bad += tb.dram_[i] != exp[i];
  CHECK(bad == 0, "%zu DRAM bytes differ", bad);
  // SRAM write events.
  std::vector<WrEvent> ev;
  std::vector<uint8_t> dram_with_prog = dram0;
  for (size_t i = 0; i < prog.size(); ++i) dram_with_prog[prog_dram + i] = prog[i];
  ExpectRead(ev, dram_with_prog, Dma(Opcode::kDmaRead, prog_sram, prog_dram, prog.size(), 1, 0, 0),
             nna::isa::kInstrIdxLoad);
  // Instructions 0 and 1 run one after the other on the single DMA engine.
  ExpectRead(ev, dram0, i0, 0);
  ExpectRead(ev, dram0, i1, 1);
  std::vector<WrEvent> dma_events;
  for (const WrEvent& e : tb.events_)
    if (e.src == 0) dma_events.push_back(e);
  SameEvents(dma_events, ev);
  // Interrupt clear (w1c).
  tb.CsrWrite(nna::csr::kIrq, 1);
  tb.Cycle();
  CHECK(!tb.Irq(), "irq still high after clearing");
  std::printf(
      "copy program (seed %u, ready %d%%%s): %llu cycles, %zu SRAM writes, max AR in flight %u, "
      "DMA busy %u wait %u, compute busy %u wait %u, SIMD busy %u\n",
      seed, ready_pct, cache_off ? ", cache off" : "", (unsigned long long)cyc, tb.events_.size(),
      tb.MaxArOutstanding(), tb.CsrRead(nna::csr::kDmaBusyCycles), tb.CsrRead(nna::csr::kDmaWaitCycles),
      tb.CsrRead(nna::csr::kComputeBusyCycles), tb.CsrRead(nna::csr::kComputeWaitCycles),
      tb.CsrRead(nna::csr::kSimdBusyCycles));
}

// A 3-D DMA (planes word): a tile of a C x H x W tensor in DRAM (planes 1..4, rows 3..7, columns
// 7..35) into SRAM, rows 40 and planes 0x131 bytes apart, then out to a dense block; unaligned
// everywhere, so rows cut into beats differently from plane to plane.
void TestTile(unsigned seed, int ready_pct) {
  Tb tb(seed);
  tb.ready_pct_ = ready_pct;
  const std::vector<uint8_t> dram0 = tb.dram_;
  const uint64_t H = 20, W = 45, src = 0x3003, dst = 0x60005, sram = 0x4001, row = 29, rows = 5, planes = 4;
  DmaInstr rd = Dma(Opcode::kDmaRead, sram, src + (1 * H + 3) * W + 7, row, rows, W, 40);
  rd.planes_word = 1;
  rd.done_set = 1;
  DmaInstr wr = Dma(Opcode::kDmaWrite, sram, dst, row, rows, row, 40);
  wr.planes_word = 1;
  wr.wait_set = 1;
  std::vector<uint8_t> prog;
  Append(prog, rd);
  Append(prog, Planes(planes, 0x131, H * W));
  Append(prog, wr);
  Append(prog, Planes(planes, 0x131, rows * row));
  const uint64_t prog_dram = 0x9000;
  CHECK(tb.Run(prog, prog_dram, 0x10000, 200000), "tile: no interrupt");
  const uint32_t st = tb.CsrRead(nna::csr::kStatus);
  CHECK(st == 2, "tile: status %x, expected done", st);
  CHECK(tb.CsrRead(nna::csr::kInstrsDone) == 2, "tile: instrs_done %u", tb.CsrRead(nna::csr::kInstrsDone));
  const uint64_t bytes = planes * rows * row;
  CHECK(tb.CsrRead(nna::csr::kDmaReadBytes) == prog.size() + bytes, "tile: dma_read_bytes %u",
        tb.CsrRead(nna::csr::kDmaReadBytes));
  CHECK(tb.CsrRead(nna::csr::kDmaWriteBytes) == bytes, "tile: dma_write_bytes %u",
        tb.CsrRead(nna::csr::kDmaWriteBytes));
  std::vector<uint8_t> exp = dram0;
  for (size_t i = 0; i < prog.size(); ++i) exp[prog_dram + i] = prog[i];
  for (uint64_t p = 0; p < planes; ++p)
    for (uint64_t r = 0; r < rows; ++r)
      for (uint64_t k = 0; k < row; ++k)
        exp[dst + (p * rows + r) * row + k] = dram0[src + ((p + 1) * H + r + 3) * W + 7 + k];
  size_t bad = 0;
  for (size_t i = 0; i < kDramBytes; ++i) bad += tb.dram_[i] != exp[i];
  CHECK(bad == 0, "tile: %zu DRAM bytes differ", bad);
  // SRAM writes: the load, then plane by plane the 2-D block of each plane.
  std::vector<WrEvent> ev;
  ExpectRead(ev, exp, Dma(Opcode::kDmaRead, 0x10000, prog_dram, prog.size(), 1, 0, 0),
             nna::isa::kInstrIdxLoad);
  for (uint64_t p = 0; p < planes; ++p) {
    DmaInstr plane = rd;
    plane.sram_addr += p * 0x131;
    plane.dram_addr += p * H * W;
    ExpectRead(ev, dram0, plane, 0);
  }
  std::vector<WrEvent> got;
  for (const WrEvent& e : tb.events_)
    if (e.src == 0) got.push_back(e);
  SameEvents(got, ev);
  std::printf("3-D tile (seed %u, ready %d%%): %u cycles, %zu SRAM writes\n", seed, ready_pct,
              tb.CsrRead(nna::csr::kCycles), got.size());
}

// The access kinds of the generated register file (nna_csr_regs, spec/csr.yaml) one by one: byte
// strobes and widths of rw registers, ro and unknown offsets ignoring writes, ctrl (w1s) reading 0,
// its strobe and the cycle its start pulse reaches the sequencer, irq (w1c) strobes, and a set in
// the cycle of a clear winning over it.
void TestCsrAccess() {
  Tb tb(11);
  tb.CsrWrite(nna::csr::kProgSram, 0xFFFFFFFF);
  tb.CsrWrite(nna::csr::kProgSram, 0x12345678, 0x5);
  CHECK(tb.CsrRead(nna::csr::kProgSram) == 0xFF34FF78, "rw: strobes 0101: %x",
        tb.CsrRead(nna::csr::kProgSram));
  tb.CsrWrite(nna::csr::kProgSram, 0, 0x0);
  CHECK(tb.CsrRead(nna::csr::kProgSram) == 0xFF34FF78, "rw: no strobes changed the register");
  tb.CsrWrite(nna::csr::kProgDramHi, 0xFFFFFFFF);
  CHECK(tb.CsrRead(nna::csr::kProgDramHi) == 0xFFFF, "rw: prog_dram_hi is 16 bits");
  CHECK(tb.CsrRead(nna::csr::kIrqEnable) == nna::csr::kIrqEnableReset, "irq_enable reset value");
  tb.CsrWrite(nna::csr::kIrqEnable, 0, 0xE);
  CHECK(tb.CsrRead(nna::csr::kIrqEnable) == 7, "rw: irq_enable written without its byte");
  tb.CsrWrite(nna::csr::kIrqEnable, 0xFFFFFFFA);
  CHECK(tb.CsrRead(nna::csr::kIrqEnable) == 2, "rw: irq_enable is 3 bits: %x",
        tb.CsrRead(nna::csr::kIrqEnable));
  tb.CsrWrite(nna::csr::kIrqEnable, 7);
  tb.CsrWrite(nna::csr::kId, 0);
  CHECK(tb.CsrRead(nna::csr::kId) == nna::csr::kIdReset, "ro: a write changed id");
  tb.CsrWrite(0x80, 0xFFFFFFFF);
  CHECK(tb.CsrRead(0x80) == 0, "unknown offset reads 0 after a write");
  // ctrl.start without the strobe of its byte does nothing; ctrl reads 0.
  tb.CsrWrite(nna::csr::kCtrl, 1, 0x2);
  for (int i = 0; i < 10; ++i) tb.Cycle();
  CHECK(tb.CsrRead(nna::csr::kStatus) == 0, "w1s: ctrl.start without its strobe started");
  CHECK(tb.CsrRead(nna::csr::kCtrl) == 0, "w1s: ctrl reads %x", tb.CsrRead(nna::csr::kCtrl));

  // The start pulse leaves a flop the cycle after the write; the sequencer is busy the cycle after.
  const DmaInstr ok = Dma(Opcode::kDmaRead, 0x400, 0x2000, 64, 2, 64, 64);
  std::vector<uint8_t> p;
  Append(p, ok);
  const uint32_t done_before = tb.CsrRead(nna::csr::kProgramsDone);
  CHECK(tb.Run(p, 0x100, 0, 20000), "w1s: no interrupt");
  CHECK(tb.busy_rise_cycle_ == tb.lite_write_cycle_ + 2, "w1s: busy %d cycles after the ctrl write",
        int(tb.busy_rise_cycle_ - tb.lite_write_cycle_));
  CHECK(tb.CsrRead(nna::csr::kProgramsDone) == done_before + 1 && tb.CsrRead(nna::csr::kStatus) == 2,
        "w1s: one start ran %u programs, status %x", tb.CsrRead(nna::csr::kProgramsDone) - done_before,
        tb.CsrRead(nna::csr::kStatus));
  // irq (w1c): a clear without the strobe of its byte, then one with.
  tb.CsrWrite(nna::csr::kIrq, 1, 0xE);
  CHECK(tb.CsrRead(nna::csr::kIrq) == 1 && tb.Irq(), "w1c: irq.done cleared without its strobe");
  tb.CsrWrite(nna::csr::kIrq, 1);
  CHECK(tb.CsrRead(nna::csr::kIrq) == 0 && !tb.Irq(), "w1c: irq.done not cleared");

  // A clear written in the cycle irq.done is set: the set wins. The first run finds that cycle, an
  // identical second one writes the clear in it.
  uint64_t set_cycle = 0;
  {
    Tb first(12);
    CHECK(first.Run(p, 0x100, 0, 20000), "w1c: no interrupt");
    set_cycle = first.cycles_ - 1;  // Run stops in the cycle after the set
  }
  Tb second(12);
  for (size_t i = 0; i < p.size(); ++i) second.dram_[0x100 + i] = p[i];
  second.Start(0x100, 0, uint32_t(p.size() / 32));
  while (second.cycles_ < set_cycle) second.Cycle();
  CHECK(!second.Irq(), "w1c: the second run is ahead of the first");
  second.CsrWrite(nna::csr::kIrq, 1);
  CHECK(second.lite_write_cycle_ == set_cycle, "w1c: the clear missed the set cycle");
  CHECK(second.CsrRead(nna::csr::kIrq) == 1 && second.Irq(), "w1c: a clear in the set cycle won");
}

// The program queue (tiny: 2 behind the running one): three programs started at once run back to
// back, one interrupt each, their SRAM writes in start order; a fourth start into the full queue
// is dropped with irq.overflow; the running program's placement is latched at its start.
void TestQueue() {
  Tb tb(7);
  const unsigned depth = unsigned(nna::FindHwConfig("tiny").queues_program_depth);
  std::vector<DmaInstr> reads;
  for (unsigned k = 0; k < depth + 2; ++k) {
    // 4 KB each: a program outlasts the register writes of the next starts.
    reads.push_back(Dma(Opcode::kDmaRead, 0x10000 + 0x1000 * k, 0x2000 + 0x1000 * k, 4096, 1, 0, 0));
    std::vector<uint8_t> p;
    Append(p, reads.back());
    for (size_t i = 0; i < p.size(); ++i) tb.dram_[0xF000 + 0x100 * k + i] = p[i];
  }
  auto start = [&](unsigned k) { tb.Start(0xF000 + 0x100 * k, 0x40 * k, 1); };
  const uint32_t done_before = tb.CsrRead(nna::csr::kProgramsDone);
  for (unsigned k = 0; k < depth + 1; ++k) start(k);
  uint32_t st = tb.CsrRead(nna::csr::kStatus);
  CHECK((st & 1) && (st >> 16 & 0xF) == depth, "queue: status %x, expected busy with %u queued", st, depth);
  start(depth + 1);  // into the full queue: dropped
  CHECK((tb.CsrRead(nna::csr::kIrq) & 4) != 0, "queue: irq.overflow not set");
  unsigned irqs = 0;
  for (uint64_t c = 0; c < 20000 && (tb.CsrRead(nna::csr::kStatus) & 1); ++c) {
    if (tb.Irq() && (tb.CsrRead(nna::csr::kIrq) & 1)) {
      ++irqs;
      tb.CsrWrite(nna::csr::kIrq, 1);
    }
  }
  st = tb.CsrRead(nna::csr::kStatus);
  const uint32_t done = tb.CsrRead(nna::csr::kProgramsDone) - done_before;
  CHECK(st == 2 && done == depth + 1, "queue: status %x programs_done %u, expected done and %u", st, done,
        depth + 1);
  CHECK(irqs >= 1, "queue: no done interrupt");
  CHECK(tb.CsrRead(nna::csr::kInstrsDone) == depth + 1, "queue: instrs_done counts every queued program");
  // SRAM writes: each program's load (instruction kInstrIdxLoad), then its DMA_READ, in start order.
  std::vector<WrEvent> exp;
  for (unsigned k = 0; k < depth + 1; ++k) {
    ExpectRead(exp, tb.dram_, Dma(Opcode::kDmaRead, 0x40 * k, 0xF000 + 0x100 * k, 32, 1, 0, 0),
               nna::isa::kInstrIdxLoad);
    ExpectRead(exp, tb.dram_, reads[k], 0);
  }
  std::vector<WrEvent> got;
  for (const WrEvent& e : tb.events_)
    if (e.src == 0) got.push_back(e);
  CHECK(SameEvents(got, exp), "queue: SRAM writes of the queued programs");
  std::printf("program queue: %u programs back to back, %u interrupts seen, overflow flagged\n", depth + 1,
              irqs);
}

// An error drops the queue: of three programs started at once, the second has an illegal opcode;
// the first completes, the second ends in the error, the third never runs (no SRAM write of it),
// and a start after the error runs at once.
void TestQueueError() {
  Tb tb(11);
  const DmaInstr first = Dma(Opcode::kDmaRead, 0x10000, 0x2000, 4096, 1, 0, 0);
  const DmaInstr third = Dma(Opcode::kDmaRead, 0x12000, 0x4000, 64, 1, 0, 0);
  std::vector<std::vector<uint8_t>> progs(3);
  Append(progs[0], first);
  progs[1].assign(32, 0);
  progs[1][0] = 9;  // illegal opcode at instruction 0
  Append(progs[2], third);
  auto start = [&](unsigned k) {
    for (size_t i = 0; i < progs[k].size(); ++i) tb.dram_[0xF000 + 0x100 * k + i] = progs[k][i];
    tb.Start(0xF000 + 0x100 * k, 0x40 * k, 1);
  };
  const uint32_t done_before = tb.CsrRead(nna::csr::kProgramsDone);
  for (unsigned k = 0; k < 3; ++k) start(k);
  for (uint64_t c = 0; c < 20000 && (tb.CsrRead(nna::csr::kStatus) & 1); ++c) {
  }
  const uint32_t st = tb.CsrRead(nna::csr::kStatus), ei = tb.CsrRead(nna::csr::kErrInstr);
  const uint32_t done = tb.CsrRead(nna::csr::kProgramsDone) - done_before;
  CHECK(st == (4u | (1u << 8)), "queue error: status %x, expected illegal_opcode, nothing queued", st);
  CHECK(ei == 0, "queue error: err_instr %x, expected 0", ei);
  CHECK(done == 1, "queue error: programs_done counts %u, expected the first only", done);
  CHECK(tb.CsrRead(nna::csr::kIrq) & 2, "queue error: irq.error not set");
  for (const WrEvent& e : tb.events_)
    CHECK(!(e.src == 0 && e.addr >= 0x80 && e.addr < 0xA0) &&
              !(e.src == 0 && e.addr >= 0x12000 && e.addr < 0x12040),
          "queue error: the dropped program wrote SRAM at %x", e.addr);
  tb.CsrWrite(nna::csr::kIrq, 7);
  start(2);
  for (uint64_t c = 0; c < 20000 && (tb.CsrRead(nna::csr::kStatus) & 1); ++c) {
  }
  CHECK(tb.CsrRead(nna::csr::kStatus) == 2, "queue error: the start after the error: status %x",
        tb.CsrRead(nna::csr::kStatus));
  std::printf(
      "program queue with an error: first done, second illegal_opcode, third dropped, then run alone\n");
}

// A program that must end in an error: expected code and index; then the NNA runs a good program
// (a DMA_READ ending exactly at the end of the SRAM). watchdog: a value for watchdog_cycles.
void TestError(const char* name, const std::vector<uint8_t>& prog, unsigned code, uint32_t idx,
               uint32_t instrs_done, uint64_t max_cycles = 20000, int64_t watchdog = -1) {
  Tb tb(1);
  if (watchdog >= 0) tb.CsrWrite(nna::csr::kWatchdogCycles, uint32_t(watchdog));
  bool irq = tb.Run(prog, 0x100, 0x0, max_cycles);
  CHECK(irq, "%s: no interrupt", name);
  uint32_t st = tb.CsrRead(nna::csr::kStatus);
  uint32_t ei = tb.CsrRead(nna::csr::kErrInstr);
  uint32_t nd = tb.CsrRead(nna::csr::kInstrsDone);
  CHECK(st == (4u | (code << 8)), "%s: status %x, expected error code %u", name, st, code);
  CHECK(ei == idx, "%s: err_instr %x, expected %x", name, ei, idx);
  CHECK(nd == instrs_done, "%s: instrs_done %u, expected %u", name, nd, instrs_done);
  CHECK(tb.CsrRead(nna::csr::kIrq) == 2, "%s: irq register", name);
  std::printf("%s: status %x err_instr %x instrs_done %u after %u busy cycles\n", name, st, ei, nd,
              tb.CsrRead(nna::csr::kCycles));
  tb.CsrWrite(nna::csr::kIrq, 3);
  std::vector<uint8_t> good;
  const uint64_t sram = nna::FindHwConfig("tiny").sram_bytes;
  Append(good, Dma(Opcode::kDmaRead, sram - 64, 0x2000, 32, 2, 32, 32));
  irq = tb.Run(good, 0x8000, 0x8000, 20000);
  st = tb.CsrRead(nna::csr::kStatus);
  CHECK(irq && st == 2, "%s: the program after the error: status %x", name, st);
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  if (cfg.axi_data_bytes != kD || cfg.sram_wr_port_bytes != kW) {
    std::printf("FAILED: the harness assumes 16-byte AXI and write port; spec/configs/tiny.yaml differs\n");
    return 1;
  }
  TestCopy(1, 100);
  TestCopy(2, 70);
  TestCopy(3, 30);
  TestCopy(4, 70, true);
  TestTile(5, 100);
  TestTile(6, 40);
  TestQueue();
  TestQueueError();
  TestCsrAccess();

  DmaInstr ok = Dma(Opcode::kDmaRead, 0x400, 0x2000, 64, 2, 64, 64);
  DmaInstr stuck = ok;
  stuck.wait_set = 0x20;  // a flag nobody sets
  {
    std::vector<uint8_t> p;
    Append(p, ok);
    p.resize(p.size() + 32);
    p[32] = 9;  // opcode 9 at instruction 1
    Append(p, ok);
    TestError("illegal opcode", p, 1, 1, 1);
  }
  {
    std::vector<uint8_t> p;
    Append(p, ok);
    Append(p, ok);
    nna::isa::ComputeInstr c;
    c.opcode = Opcode::kConv;
    c.simd_len = 0;
    Append(p, c);
    TestError("simd_len 0", p, 2, 2, 2);
  }
  {
    std::vector<uint8_t> p;
    Append(p, ok);
    Append(p, Dma(Opcode::kDmaWrite, 0, 0x9000, 0, 1, 0, 0));
    TestError("dma row_bytes 0", p, 2, 1, 1);
  }
  {
    DmaInstr three = ok;
    three.planes_word = 1;
    std::vector<uint8_t> p;
    Append(p, ok);
    Append(p, three);
    Append(p, Planes(0, 64, 64));
    TestError("dma planes 0", p, 2, 1, 1);
    std::vector<uint8_t> q;
    Append(q, ok);
    Append(q, three);
    nna::isa::DmaPlanesInstr reserved = Planes(2, 256, 256);
    reserved.reserved3 = 1;
    Append(q, reserved);
    TestError("dma planes word reserved bit", q, 2, 1, 1);
    std::vector<uint8_t> r;
    Append(r, ok);
    Append(r, three);
    Append(r, Planes(3, cfg.sram_bytes / 2, 64));  // the third plane starts past the SRAM
    TestError("dma planes past the SRAM", r, 3, 1, 1);
    std::vector<uint8_t> cut;
    Append(cut, ok);
    Append(cut, three);  // its planes word is missing: the program ends inside it
    TestError("dma planes word cut off", cut, 2, 1, 1);
  }
  {
    std::vector<uint8_t> p;
    Append(p, ok);
    nna::isa::ComputeInstr c;
    c.opcode = Opcode::kScale;  // IllegalField from the engine: every shape field is 0
    c.simd_len = 1;
    c.done_set = 0x40;
    Append(p, c);
    DmaInstr after = ok;
    after.wait_set = 0x40;  // ordered after the failing compute: must never start
    Append(p, after);
    TestError("engine error", p, 2, 1, 1);  // the DMA after the failing compute is dropped
  }
  {
    std::vector<uint8_t> p;
    Append(p, ok);
    Append(p, stuck);
    TestError("watchdog", p, 5, 1, 1, 200000);
    TestError("watchdog_cycles 200", p, 5, 1, 1, 1000, 200);  // ends within a few hundred cycles
  }
  {
    // watchdog_cycles 0 disables the watchdog (it does not fire at once); a later write counts.
    Tb tb(7);
    std::vector<uint8_t> p;
    Append(p, stuck);
    CHECK(tb.CsrRead(nna::csr::kWatchdogCycles) == cfg.watchdog_cycles, "watchdog_cycles reset value");
    tb.CsrWrite(nna::csr::kWatchdogCycles, 0);
    CHECK(!tb.Run(p, 0x100, 0, 3000), "watchdog_cycles 0: the program ended");
    tb.CsrWrite(nna::csr::kWatchdogCycles, 100);
    for (int i = 0; i < 300 && !tb.Irq(); ++i) tb.Cycle();
    const uint32_t st = tb.CsrRead(nna::csr::kStatus);
    CHECK(tb.Irq() && st == (4u | (5u << 8)), "watchdog_cycles 0 then 100: status %x", st);
  }
  {
    // sram_range when the instruction is checked: fetching stops, instruction 0 still completes.
    const uint64_t sram = cfg.sram_bytes;
    std::vector<uint8_t> p;
    Append(p, ok);
    Append(p, Dma(Opcode::kDmaRead, sram - 100, 0x2000, 64, 3, 64, 32));  // ends 28 bytes past
    Append(p, ok);
    TestError("dma rows past the SRAM", p, 3, 1, 1);
    std::vector<uint8_t> q;
    Append(q, ok);
    // (rows-1)*sram_stride is 2^32: wraps to 0 in 32 bits.
    Append(q, Dma(Opcode::kDmaWrite, 0, 0x9000, 16, 0x1001, 16, 0x100000));
    TestError("dma rows wrapping 32 bits", q, 3, 1, 1);
    std::vector<uint8_t> r;
    Append(r, ok);
    nna::isa::ComputeInstr c = Conv1x1();
    c.out_addr = sram;  // one byte past
    Append(r, c);
    Append(r, ok);
    TestError("conv output past the SRAM", r, 3, 1, 1);
    // The program load itself: two words from prog_sram = the last word of the SRAM.
    Tb tb(8);
    std::vector<uint8_t> two;
    Append(two, ok);
    Append(two, ok);
    const bool irq = tb.Run(two, 0x100, uint32_t(sram - 32), 20000);
    const uint32_t st = tb.CsrRead(nna::csr::kStatus);
    CHECK(irq && st == (4u | (3u << 8)), "program load past the SRAM: status %x", st);
    CHECK(tb.CsrRead(nna::csr::kErrInstr) == nna::isa::kInstrIdxLoad,
          "program load past the SRAM: err_instr");
  }
  {
    std::vector<uint8_t> p;
    Append(p, ok);
    nna::isa::ComputeInstr c;
    c.opcode = Opcode::kConv;
    c.simd_len = 16;
    auto cw = nna::isa::Encode(c);
    p.insert(p.end(), cw.begin(), cw.end());
    p.resize(p.size() + 64);  // one word short of the 4 SIMD words
    TestError("truncated program", p, 2, 1, 1);
  }
  {
    // An AXI error on the third R beat of the program load.
    Tb tb(5);
    tb.SetSlverrAtRBeat(2);
    std::vector<uint8_t> p;
    Append(p, ok);
    Append(p, ok);
    Append(p, ok);
    bool irq = tb.Run(p, 0x100, 0, 20000);
    uint32_t st = tb.CsrRead(nna::csr::kStatus);
    CHECK(irq && st == (4u | (4u << 8)), "load AXI error: status %x", st);
    CHECK(tb.CsrRead(nna::csr::kErrInstr) == nna::isa::kInstrIdxLoad, "load AXI error: err_instr");
    std::printf("load AXI error: status %x err_instr %x\n", st, tb.CsrRead(nna::csr::kErrInstr));
  }
  {
    // Abort while a DMA waits for a flag.
    Tb tb(6);
    std::vector<uint8_t> p;
    Append(p, stuck);
    tb.Run(p, 0x100, 0, 2000);
    CHECK(!tb.Irq(), "abort test: ended early");
    tb.CsrWrite(nna::csr::kCtrl, 2);
    for (int i = 0; i < 20; ++i) tb.Cycle();
    uint32_t st = tb.CsrRead(nna::csr::kStatus);
    CHECK(tb.Irq() && st == (4u | (6u << 8)), "abort: status %x", st);
    std::printf("abort: status %x err_instr %x\n", st, tb.CsrRead(nna::csr::kErrInstr));
    // A second program runs after the abort.
    std::vector<uint8_t> p2;
    Append(p2, ok);
    tb.CsrWrite(nna::csr::kIrq, 3);
    bool irq = tb.Run(p2, 0x200, 0x100, 20000);
    st = tb.CsrRead(nna::csr::kStatus);
    CHECK(irq && st == 2, "program after abort: status %x", st);
  }
  if (g_fail) {
    std::printf("FAILED: %d checks\n", g_fail);
    return 1;
  }
  std::printf("PASSED\n");
  return 0;
}
