// The host CPU: an AXI4-Lite master thread that resets the NNA, checks its ID, enables the
// interrupts and then launches a list of programs in order (prog_dram_lo/hi, prog_sram,
// prog_words, ctrl.start). Per completion it waits for irq_o, reads status, err_instr, cycles,
// mac_cycles, instrs_done and irq, and clears the interrupt. One register access at a time.
// Per completion it also reads the performance counters. Before the first start it writes the
// HostSetup registers (watchdog_cycles, sram_ctrl).
// Launches and completions are two lists: at most HostSetup::max_in_flight programs are started and
// not yet completed (1 by default; more keep the RTL's program queue filled).
// With abort_at, the first program's first run is aborted (ctrl.abort abort_at cycles after
// ctrl.start), its registers are read and its interrupt cleared, on_restart is called, and the
// same program is started again; results() then holds the second run's.
#pragma once

#include <systemc.h>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tb/signals.h"

namespace nna::tb {

struct HostProgram {
  uint64_t prog_dram = 0;
  uint32_t prog_sram = 0;
  uint32_t prog_words = 0;
  uint64_t abort_at = 0;  // 0: no abort
};

// The performance counters of spec/csr.yaml, in register order (dma_busy_cycles first).
enum class Counter {
  kDmaBusy,
  kComputeBusy,
  kSimdBusy,
  kStallAct,
  kStallWt,
  kStallWr,
  kReadBytes,
  kWriteBytes,
  kDmaWait,
  kComputeWait,
  kCount
};

// Register values read after the interrupt.
struct HostResult {
  bool finished = false;                                     // the interrupt came and the registers were read
  uint64_t start_cycle = 0, irq_cycle = 0, abort_cycle = 0;  // abort_cycle 0: no abort written
  uint32_t status = 0, irq = 0, err_instr = 0, cycles = 0, mac_cycles = 0, instrs_done = 0;
  uint64_t writes_open = 0;  // AXI write bursts without their B response when the interrupt came
  std::array<uint32_t, size_t(Counter::kCount)> counters{};
  // Several programs were in flight: the counters and instrs_done ran on over them, and status
  // is synthesised (done) for a completion that is not the last one read; only status is checked.
  bool merged = false;
  uint32_t operator[](Counter c) const { return counters[size_t(c)]; }
};

// Registers the host writes once, before the first start.
struct HostSetup {
  std::optional<uint32_t> watchdog_cycles;  // else the configuration's reset value
  bool act_cache_off = false;               // sram_ctrl.act_cache_off
  size_t max_in_flight = 1;                 // > 1: keep the RTL's program queue filled
  bool csr_readback = false;                // first, the register read-back (CsrReadback)
  std::string csr_readback_wrong;           // a register whose expected values get bit 0 flipped
};

struct HostCallbacks {
  std::function<void(const std::string&)> on_error;  // protocol or register problems
  std::function<void(size_t)> on_launch;             // just before launch k's ctrl.start
  // After completion k's registers are read; false: launch nothing more (e.g. after an error).
  std::function<bool(size_t, const HostResult&)> on_complete;
  std::function<void()> on_done;     // once no launch is left or on_complete said stop
  std::function<void()> on_restart;  // between an aborted run and its restart
  // At the rising edge that shows the interrupt: the AXI write bursts still without their B
  // response (none when not set). A program that ends without error must have none.
  std::function<uint64_t()> writes_open;
};

class HostDriver : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(HostDriver);

  HostDriver(sc_core::sc_module_name name, Wires& w, std::vector<HostProgram> launches,
             HostCallbacks callbacks, HostSetup setup = {});

  // One per completed launch, in launch order.
  const std::vector<HostResult>& results() const { return results_; }
  // The last completion (finished false when none).
  const HostResult& result() const { return results_.empty() ? none_ : results_.back(); }
  // The aborted run's registers (finished false when no abort was asked for or it never ended).
  const HostResult& aborted() const { return aborted_; }
  // Reads the register read-back compared (0 when it did not run).
  uint64_t csr_readback_reads() const { return csr_readback_reads_; }

 private:
  void Run();
  void WriteProgram(const HostProgram& p);  // the prog_* registers
  void Launch(size_t k);
  // Waits for an interrupt, reads the registers, clears it; one result per program completed
  // since the last call (programs_done counts them, `seen` is its last value), plus one for a
  // program that ended in an error.
  std::vector<HostResult> Complete(size_t in_flight, uint32_t& seen);
  // Right after reset: writes patterns (all strobes and some) to every register and reads each
  // back, then every byte offset that is not a register's, then reads all registers again;
  // expects what spec/csr.yaml says (csr::kRegisters): rw and w1c keep the bits of their width
  // (a w1c is never set here, so reads 0), w1s reads 0, ro and unknown offsets ignore writes,
  // unknown offsets read 0. Each difference is one on_error sentence. Leaves the rw registers at
  // their reset values.
  void CsrReadback();
  // Starts the program, writes ctrl.abort abort_at cycles later (unless the interrupt came first),
  // reads status, err_instr and irq into aborted_, clears the interrupt.
  void AbortedRun();
  void ClearIrq(uint32_t irq);
  void Write(uint32_t addr, uint32_t data, uint32_t strb = 0xF);
  uint32_t Read(uint32_t addr);

  Wires& w_;
  std::vector<HostProgram> launches_;
  HostCallbacks cb_;
  HostSetup setup_;
  std::vector<uint64_t> start_cycles_;  // per launch
  std::vector<HostResult> results_;
  HostResult none_, aborted_;
  uint64_t csr_readback_reads_ = 0;
};

}  // namespace nna::tb
