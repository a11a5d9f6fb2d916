// The host CPU: an AXI4-Lite master thread that resets the NNA, checks its ID, starts the
// program (prog_dram_lo/hi, prog_sram, prog_words, irq_enable, ctrl.start), waits for irq_o,
// reads the result registers and clears the interrupt. One register access at a time.
// With abort_at, the first run is aborted (ctrl.abort abort_at cycles after ctrl.start), its
// registers are read and its interrupt cleared, on_restart is called, and the same program is
// started again; result() is then the second run's.
#pragma once

#include <systemc.h>

#include <cstdint>
#include <functional>
#include <string>

#include "tb/signals.h"

namespace nna::tb {

struct HostProgram {
  uint64_t prog_dram = 0;
  uint32_t prog_sram = 0;
  uint32_t prog_words = 0;
  uint64_t abort_at = 0;  // 0: no abort
};

// Register values read after the interrupt.
struct HostResult {
  bool finished = false;  // the interrupt came and the registers were read
  uint64_t start_cycle = 0, irq_cycle = 0, abort_cycle = 0;  // abort_cycle 0: no abort written
  uint32_t status = 0, irq = 0, err_instr = 0, cycles = 0, mac_cycles = 0, instrs_done = 0;
};

class HostDriver : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(HostDriver);
  // on_error gets protocol or register problems; on_done is called once the result is read;
  // on_restart between an aborted run and its restart.
  HostDriver(sc_core::sc_module_name name, Wires& w, HostProgram program,
             std::function<void(const std::string&)> on_error, std::function<void()> on_done,
             std::function<void()> on_restart = {});

  const HostResult& result() const { return result_; }
  // The aborted run's registers (finished false when no abort was asked for or it never ended).
  const HostResult& aborted() const { return aborted_; }

 private:
  void Run();
  // Starts the program, writes ctrl.abort abort_at cycles later (unless the interrupt came first),
  // reads status, err_instr and irq into aborted_, clears the interrupt.
  void AbortedRun();
  void ClearIrq(uint32_t irq);
  void Write(uint32_t addr, uint32_t data);
  uint32_t Read(uint32_t addr);

  Wires& w_;
  HostProgram program_;
  std::function<void(const std::string&)> on_error_;
  std::function<void()> on_done_, on_restart_;
  HostResult result_, aborted_;
};

}  // namespace nna::tb
