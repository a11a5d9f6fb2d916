#include "tb/watchdog.h"

#include <verilated.h>

#include <cstdio>
#include <utility>

namespace nna::tb {
namespace {
constexpr uint64_t kClockCheckCycles = 4096;  // reading the wall clock every cycle costs speed
constexpr double kProgressSeconds = 5.0;
}  // namespace

Watchdog::Watchdog(sc_core::sc_module_name name, Wires& w, uint64_t max_cycles, bool quiet,
                   std::function<std::string()> progress)
    : sc_module(name), w_(w), max_cycles_(max_cycles), quiet_(quiet), progress_(std::move(progress)) {
  start_ = last_print_ = std::chrono::steady_clock::now();
  SC_METHOD(Tick);
  sensitive << w_.clk.posedge_event();
  dont_initialize();
}

void Watchdog::Tick() {
  const uint64_t cycle = w_.Cycle();
  if (Verilated::gotFinish() && !rtl_stopped_) {
    rtl_stopped_ = true;
    sc_core::sc_stop();
    return;
  }
  if (cycle >= max_cycles_ && !timed_out_) {
    timed_out_ = true;
    sc_core::sc_stop();
    return;
  }
  if (quiet_ || cycle % kClockCheckCycles != 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (since < kProgressSeconds) return;
  const double total = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "nna sim: cycle %llu  %.0f cycles/s  %s  (%.0f s)\n",
               static_cast<unsigned long long>(cycle), double(cycle - last_cycle_) / since,
               progress_().c_str(), total);
  last_print_ = now;
  last_cycle_ = cycle;
}

}  // namespace nna::tb
