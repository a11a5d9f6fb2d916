// Monitors of the observation port: on every rising clock edge, turn obs_acc_* into an
// AccUnloadEvent and obs_wr_* into an SramWriteEvent (the contiguous run of enabled bytes, with
// the address of its first byte) and hand them to the scoreboard, stamped with the cycle. A write
// whose mask is empty or not contiguous, or whose source is unknown, is reported as an error.
#pragma once

#include <systemc.h>

#include <cstdint>

#include "scoreboard/scoreboard.h"
#include "tb/signals.h"

namespace nna::tb {

class Monitors : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Monitors);
  Monitors(sc_core::sc_module_name name, Wires& w, Scoreboard& sb);

  uint64_t acc_events() const { return acc_events_; }
  uint64_t wr_events() const { return wr_events_; }
  uint64_t mac_active_cycles() const { return mac_active_cycles_; }
  uint64_t busy_cycles() const { return busy_cycles_; }

 private:
  void Sample();

  Wires& w_;
  Scoreboard& sb_;
  uint64_t acc_events_ = 0, wr_events_ = 0, mac_active_cycles_ = 0, busy_cycles_ = 0;
};

}  // namespace nna::tb
