#include "tb/host_driver.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "nna/csr.h"

namespace nna::tb {
namespace {
constexpr int kResetCycles = 8;
static_assert(csr::kDmaBusyCycles + 4 * (size_t(Counter::kCount) - 1) == csr::kComputeWaitCycles &&
                  csr::kConflictStallsAct == csr::kDmaBusyCycles + 4 * size_t(Counter::kStallAct) &&
                  csr::kDmaReadBytes == csr::kDmaBusyCycles + 4 * size_t(Counter::kReadBytes),
              "Counter follows the order of the counter registers in spec/csr.yaml");

std::string Hex(uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "0x%08x", v);
  return s;
}
}  // namespace

HostDriver::HostDriver(sc_core::sc_module_name name, Wires& w, std::vector<HostProgram> launches,
                       HostCallbacks callbacks, HostSetup setup)
    : sc_module(name), w_(w), launches_(std::move(launches)), cb_(std::move(callbacks)), setup_(setup) {
  SC_THREAD(Run);  // a clocked thread: every wait() is one rising edge
  sensitive << w_.clk.posedge_event();
  dont_initialize();
}

// Inside the thread, a read returns the value of the cycle that just ended (the DUT's outputs
// change only after the edge), so "valid and ready read high" means the handshake happened.
void HostDriver::Write(uint32_t addr, uint32_t data, uint32_t strb) {
  w_.s_axil_awaddr_i.write(addr);
  w_.s_axil_awvalid_i.write(true);
  w_.s_axil_wdata_i.write(data);
  w_.s_axil_wstrb_i.write(strb);
  w_.s_axil_wvalid_i.write(true);
  w_.s_axil_bready_i.write(true);
  bool aw_done = false, w_done = false;
  while (!aw_done || !w_done) {
    wait();
    if (!aw_done && w_.s_axil_awready_o.read()) {
      aw_done = true;
      w_.s_axil_awvalid_i.write(false);
    }
    if (!w_done && w_.s_axil_wready_o.read()) {
      w_done = true;
      w_.s_axil_wvalid_i.write(false);
    }
  }
  while (!w_.s_axil_bvalid_o.read()) wait();
  w_.s_axil_bready_i.write(false);
  if (w_.s_axil_bresp_o.read() != 0) {
    cb_.on_error("CSR write of " + Hex(data) + " to offset " + Hex(addr) + " answered bresp " +
                 std::to_string(w_.s_axil_bresp_o.read()));
  }
  wait();
}

uint32_t HostDriver::Read(uint32_t addr) {
  w_.s_axil_araddr_i.write(addr);
  w_.s_axil_arvalid_i.write(true);
  w_.s_axil_rready_i.write(true);
  do wait();
  while (!w_.s_axil_arready_o.read());
  w_.s_axil_arvalid_i.write(false);
  while (!w_.s_axil_rvalid_o.read()) wait();
  const uint32_t data = w_.s_axil_rdata_o.read();
  w_.s_axil_rready_i.write(false);
  if (w_.s_axil_rresp_o.read() != 0) {
    cb_.on_error("CSR read of offset " + Hex(addr) + " answered rresp " +
                 std::to_string(w_.s_axil_rresp_o.read()));
  }
  wait();
  return data;
}

void HostDriver::Run() {
  w_.rst_ni.write(false);
  for (int i = 0; i < kResetCycles; ++i) wait();
  w_.rst_ni.write(true);
  wait();

  const uint32_t id = Read(csr::kId);
  if (id != csr::kIdReset)
    cb_.on_error("the id register reads " + Hex(id) + ", expected " + Hex(csr::kIdReset));
  if (setup_.csr_readback) CsrReadback();
  Write(csr::kIrqEnable, (1u << csr::kIrqDoneLsb) | (1u << csr::kIrqErrorLsb));
  if (setup_.watchdog_cycles) Write(csr::kWatchdogCycles, *setup_.watchdog_cycles);
  if (setup_.act_cache_off) Write(csr::kSramCtrl, 1u << csr::kSramCtrlActCacheOffLsb);
  if (!launches_.empty() && launches_[0].abort_at > 0) {
    AbortedRun();
    if (cb_.on_restart) cb_.on_restart();
  }
  // Launches go out in order while fewer than max_in_flight are running; completions come back in
  // the same order.
  size_t next = 0;
  bool go_on = true;
  uint32_t seen = Read(csr::kProgramsDone);  // free running since reset
  while (go_on && results_.size() < launches_.size()) {
    while (next < launches_.size() && next - results_.size() < setup_.max_in_flight) Launch(next++);
    for (HostResult& r : Complete(next - results_.size(), seen)) {
      if (!go_on) break;
      results_.push_back(r);
      go_on = cb_.on_complete(results_.size() - 1, results_.back());
    }
  }
  cb_.on_done();
  while (true) wait();
}

void HostDriver::WriteProgram(const HostProgram& p) {
  Write(csr::kProgDramLo, uint32_t(p.prog_dram));
  Write(csr::kProgDramHi, uint32_t(p.prog_dram >> 32));
  Write(csr::kProgSram, p.prog_sram);
  Write(csr::kProgWords, p.prog_words);
}

void HostDriver::Launch(size_t k) {
  const HostProgram& p = launches_[k];
  WriteProgram(p);
  if (cb_.on_launch) cb_.on_launch(k);
  start_cycles_.push_back(w_.Cycle());
  Write(csr::kCtrl, 1u << csr::kCtrlStartLsb);
}

std::vector<HostResult> HostDriver::Complete(size_t in_flight, uint32_t& seen) {
  HostResult r;
  while (!w_.irq_o.read()) wait();
  r.irq_cycle = w_.Cycle();
  if (cb_.writes_open) r.writes_open = cb_.writes_open();
  // Clear first: a program completing after the clear raises the interrupt again, one completing
  // before it is counted by the programs_done read after it.
  r.irq = Read(csr::kIrq);
  ClearIrq(r.irq);
  const uint32_t done = Read(csr::kProgramsDone);
  r.status = Read(csr::kStatus);
  r.err_instr = Read(csr::kErrInstr);
  r.cycles = Read(csr::kCycles);
  r.mac_cycles = Read(csr::kMacCycles);
  r.instrs_done = Read(csr::kInstrsDone);
  for (size_t c = 0; c < r.counters.size(); ++c) r.counters[c] = Read(uint32_t(csr::kDmaBusyCycles + 4 * c));
  r.finished = true;
  r.merged = setup_.max_in_flight > 1;
  const size_t ok = std::min<size_t>(done - seen, in_flight);
  seen = done;
  const bool error = (r.status >> csr::kStatusErrorLsb) & 1;
  // Done means every DMA_WRITE's data is in DRAM: each of its bursts has had its B response (one
  // program at a time only: a queued program may be writing when the one before completes).
  if (!error && !r.merged && r.writes_open > 0) {
    cb_.on_error("the done interrupt came while " + std::to_string(r.writes_open) +
                 " AXI write burst(s) still waited for their B response: a DMA_WRITE reported done before "
                 "its last write response");
  }
  std::vector<HostResult> out(ok + (error ? 1 : 0), r);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].start_cycle = start_cycles_[results_.size() + i];
    // A completion before the last one read (or before an error) ended without error.
    if (i + 1 < out.size() || (error && i < ok))
      out[i].status = 1u << csr::kStatusDoneLsb, out[i].err_instr = ~0u;
  }
  return out;
}

void HostDriver::CsrReadback() {
  using csr::Access;
  auto check = [&](const std::string& name, uint32_t offset, const std::string& after, uint32_t want) {
    if (name == setup_.csr_readback_wrong) want ^= 1;  // a wrong expectation must be reported
    const uint32_t got = Read(offset);
    ++csr_readback_reads_;
    if (got != want) {
      cb_.on_error("CSR read-back: " + name + " at offset " + Hex(offset) + " reads " + Hex(got) + " after " +
                   after + ", expected " + Hex(want) + " (spec/csr.yaml)");
    }
  };
  auto wrote = [](uint32_t data, uint32_t strb) {
    return "writing " + Hex(data) + (strb == 0xF ? std::string() : " with strobes " + std::to_string(strb));
  };
  // What each register holds now: ro inputs are idle after reset and must not change.
  std::vector<uint32_t> now;
  for (const csr::Register& r : csr::kRegisters) {
    now.push_back(Read(r.offset));
    if (!r.reset_from_config && (r.access != Access::kRo || r.constant))
      check(r.name, r.offset, "reset", r.access == Access::kW1s ? 0 : r.reset);
  }
  for (size_t k = 0; k < std::size(csr::kRegisters); ++k) {
    const csr::Register& r = csr::kRegisters[k];
    switch (r.access) {
      case Access::kRw: {
        const uint32_t reset = now[k];
        for (uint32_t p : {0xFFFFFFFFu, 0xA5A5A5A5u, 0x5A5A5A5Au, 0u}) {
          Write(r.offset, p);
          check(r.name, r.offset, wrote(p, 0xF), p & r.mask);
        }
        Write(r.offset, 0xFFFFFFFFu, 0x5);  // bytes 0 and 2 only
        check(r.name, r.offset, wrote(0xFFFFFFFFu, 0x5), 0x00FF00FFu & r.mask);
        Write(r.offset, reset);
        break;
      }
      case Access::kW1s:  // only the bits above the width: nothing may start
        Write(r.offset, ~r.mask);
        check(r.name, r.offset, wrote(~r.mask, 0xF), 0);
        break;
      case Access::kW1c:  // nothing set it: clearing keeps 0
      case Access::kRo:
        Write(r.offset, 0xFFFFFFFFu);
        check(r.name, r.offset, wrote(0xFFFFFFFFu, 0xF), now[k]);
        break;
    }
  }
  for (uint32_t offset = 0; offset < 0x100; ++offset) {
    const bool known = std::any_of(std::begin(csr::kRegisters), std::end(csr::kRegisters),
                                   [&](const csr::Register& r) { return r.offset == offset; });
    if (known) continue;
    Write(offset, 0xFFFFFFFFu);
    check("unknown offset", offset, wrote(0xFFFFFFFFu, 0xF), 0);
  }
  // Nothing written above changed another register.
  for (size_t k = 0; k < std::size(csr::kRegisters); ++k) {
    const csr::Register& r = csr::kRegisters[k];
    check(r.name, r.offset, "the writes to every other register and unknown offset", now[k]);
  }
}

void HostDriver::AbortedRun() {
  HostResult& r = aborted_;
  const HostProgram& p = launches_[0];
  WriteProgram(p);
  r.start_cycle = w_.Cycle();
  Write(csr::kCtrl, 1u << csr::kCtrlStartLsb);
  while (!w_.irq_o.read() && w_.Cycle() < r.start_cycle + p.abort_at) wait();
  if (!w_.irq_o.read()) {  // else the program ended first: the testbench reports that nothing was aborted
    r.abort_cycle = w_.Cycle();
    Write(csr::kCtrl, 1u << csr::kCtrlAbortLsb);
    while (!w_.irq_o.read()) wait();
  }
  r.irq_cycle = w_.Cycle();
  r.status = Read(csr::kStatus);
  r.err_instr = Read(csr::kErrInstr);
  r.irq = Read(csr::kIrq);
  ClearIrq(r.irq);
  r.finished = true;
}

void HostDriver::ClearIrq(uint32_t irq) {
  Write(csr::kIrq, irq);  // write 1 to clear what is pending
  wait();
  if (setup_.max_in_flight > 1) return;  // a queued program may complete at any moment
  if (w_.irq_o.read()) cb_.on_error("irq_o stays high after the pending interrupts were cleared");
  if (Read(csr::kIrq) != 0) cb_.on_error("the irq register is not clear after writing its bits back");
}

}  // namespace nna::tb
