// Watchdog and progress: stops the simulation after max_cycles (verdict TIMEOUT) and, unless
// quiet, prints a progress line on stderr every few seconds of wall time.
#pragma once

#include <systemc.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "tb/signals.h"

namespace nna::tb {

class Watchdog : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Watchdog);
  // progress() returns the text appended to the progress line (events so far).
  Watchdog(sc_core::sc_module_name name, Wires& w, uint64_t max_cycles, bool quiet,
           std::function<std::string()> progress);

  bool timed_out() const { return timed_out_; }
  // The RTL executed $finish, $stop or a failing assertion (Verilator's gotFinish).
  bool rtl_stopped() const { return rtl_stopped_; }

 private:
  void Tick();

  Wires& w_;
  uint64_t max_cycles_;
  bool quiet_;
  std::function<std::string()> progress_;
  bool timed_out_ = false;
  bool rtl_stopped_ = false;
  std::chrono::steady_clock::time_point start_, last_print_;
  uint64_t last_cycle_ = 0;
};

}  // namespace nna::tb
