// Monitors of the observation port: on every rising clock edge, turn obs_acc_* into an
// AccUnloadEvent and obs_wr_* into an SramWriteEvent (the contiguous run of enabled bytes, with
// the address of its first byte) and hand them to the scoreboard, stamped with the cycle. A write
// whose mask is empty or not contiguous, or whose source is unknown, is reported as an error.
// obs_cycle_* is summed per compute instruction: first and last busy cycle, cycles per cause.
#pragma once

#include <systemc.h>

#include <array>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "scoreboard/scoreboard.h"
#include "tb/signals.h"

namespace nna::tb {

// The dot-product engine's cycles of one compute instruction, by cause (nna::isa::ComputeCycle).
struct InstrCycles {
  uint64_t first = 0, last = 0;  // first and last busy cycle
  std::array<uint64_t, 6> by_cause{};
  uint64_t Total() const {
    uint64_t t = 0;
    for (uint64_t c : by_cause) t += c;
    return t;
  }
};

// The instruction tag of an event of a program whose instructions are numbered from base in the
// scoreboard's table (several programs, one table); the program load keeps its own tag.
inline uint32_t WithBase(uint32_t instr, uint32_t base) {
  return instr == kProgramLoadInstr ? instr : instr + base;
}

class Monitors : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Monitors);
  Monitors(sc_core::sc_module_name name, Wires& w, Scoreboard& sb);

  // While discarding (a run the host aborts), events are counted but not given to the scoreboard.
  void Discard(bool on) { discard_ = on; }
  uint64_t discarded() const { return discarded_; }
  // The instruction base of each launch, in launch order. A launch's events begin with its program
  // load (instruction kProgramLoadInstr) and follow the previous launch's, also when programs are queued back
  // to back, so the first load event after other events moves the tags to the next launch.
  void SetLaunchBases(std::vector<uint32_t> bases) { bases_ = std::move(bases); }
  // Forgets the counts and cycles so far (before a restart), discarded() excepted.
  void Restart();

  uint64_t acc_events() const { return acc_events_; }
  uint64_t wr_events() const { return wr_events_; }
  uint64_t mac_active_cycles() const { return mac_active_cycles_; }
  uint64_t busy_cycles() const { return busy_cycles_; }
  // Per compute instruction index, in index order.
  const std::map<uint32_t, InstrCycles>& instr_cycles() const { return instr_cycles_; }

 private:
  void Sample();

  Wires& w_;
  Scoreboard& sb_;
  uint64_t acc_events_ = 0, wr_events_ = 0, mac_active_cycles_ = 0, busy_cycles_ = 0;
  bool discard_ = false;
  std::vector<uint32_t> bases_;
  uint32_t base_ = 0;
  size_t next_launch_ = 0;  // the launch whose load starts next
  bool in_load_ = false;    // the last SRAM write was a program load's
  // Moves to the next launch at its first load event.
  void OnLoadBoundary(bool load);
  uint64_t discarded_ = 0;
  std::map<uint32_t, InstrCycles> instr_cycles_;
};

}  // namespace nna::tb
