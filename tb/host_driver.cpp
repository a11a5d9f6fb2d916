#include "tb/host_driver.h"

#include <cstdio>
#include <utility>

#include "nna/csr.h"

namespace nna::tb {
namespace {
constexpr int kResetCycles = 8;

std::string Hex(uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "0x%08x", v);
  return s;
}
}  // namespace

HostDriver::HostDriver(sc_core::sc_module_name name, Wires& w, HostProgram program,
                       std::function<void(const std::string&)> on_error, std::function<void()> on_done,
                       std::function<void()> on_restart)
    : sc_module(name),
      w_(w),
      program_(program),
      on_error_(std::move(on_error)),
      on_done_(std::move(on_done)),
      on_restart_(std::move(on_restart)) {
  SC_THREAD(Run);  // a clocked thread: every wait() is one rising edge
  sensitive << w_.clk.posedge_event();
  dont_initialize();
}

// Inside the thread, a read returns the value of the cycle that just ended (the DUT's outputs
// change only after the edge), so "valid and ready read high" means the handshake happened.
void HostDriver::Write(uint32_t addr, uint32_t data) {
  w_.s_axil_awaddr_i.write(addr);
  w_.s_axil_awvalid_i.write(true);
  w_.s_axil_wdata_i.write(data);
  w_.s_axil_wstrb_i.write(0xF);
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
    on_error_("CSR write of " + Hex(data) + " to offset " + Hex(addr) + " answered bresp " +
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
    on_error_("CSR read of offset " + Hex(addr) + " answered rresp " +
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
  if (id != csr::kIdReset) on_error_("the id register reads " + Hex(id) + ", expected " + Hex(csr::kIdReset));
  Write(csr::kProgDramLo, uint32_t(program_.prog_dram));
  Write(csr::kProgDramHi, uint32_t(program_.prog_dram >> 32));
  Write(csr::kProgSram, program_.prog_sram);
  Write(csr::kProgWords, program_.prog_words);
  Write(csr::kIrqEnable, (1u << csr::kIrqDoneLsb) | (1u << csr::kIrqErrorLsb));
  if (program_.abort_at > 0) {
    AbortedRun();
    if (on_restart_) on_restart_();
  }
  result_.start_cycle = w_.Cycle();
  Write(csr::kCtrl, 1u << csr::kCtrlStartLsb);

  while (!w_.irq_o.read()) wait();
  result_.irq_cycle = w_.Cycle();
  result_.status = Read(csr::kStatus);
  result_.err_instr = Read(csr::kErrInstr);
  result_.cycles = Read(csr::kCycles);
  result_.mac_cycles = Read(csr::kMacCycles);
  result_.instrs_done = Read(csr::kInstrsDone);
  result_.irq = Read(csr::kIrq);
  ClearIrq(result_.irq);
  result_.finished = true;
  on_done_();
  while (true) wait();
}

void HostDriver::AbortedRun() {
  HostResult& r = aborted_;
  r.start_cycle = w_.Cycle();
  Write(csr::kCtrl, 1u << csr::kCtrlStartLsb);
  while (!w_.irq_o.read() && w_.Cycle() < r.start_cycle + program_.abort_at) wait();
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
  if (w_.irq_o.read()) on_error_("irq_o stays high after the pending interrupts were cleared");
  if (Read(csr::kIrq) != 0) on_error_("the irq register is not clear after writing its bits back");
}

}  // namespace nna::tb
