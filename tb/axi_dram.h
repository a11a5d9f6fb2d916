// AXI4 subordinate over the DRAM image, serving the NNA's DMA master: the SystemC adapter of
// AxiDramCore (tb/axi_dram_core.h, which holds the whole timing and protocol contract) on the
// testbench's wires. At every rising edge it reports the handshakes of the cycle that ended and
// drives the core's answer for the next one.
#pragma once

#include <systemc.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tb/axi_dram_core.h"
#include "tb/signals.h"

namespace nna::tb {

class AxiDram : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(AxiDram);
  AxiDram(sc_core::sc_module_name name, Wires& w, std::vector<uint8_t>& dram, unsigned latency,
          unsigned max_outstanding, double bytes_per_cycle, std::function<void(const std::string&)> on_error);

  uint64_t bytes_read() const { return core_.bytes_read(); }
  uint64_t bytes_written() const { return core_.bytes_written(); }
  uint64_t error_responses() const { return core_.error_responses(); }
  uint64_t writes_open() const { return core_.writes_open(); }

 private:
  void Tick();

  Wires& w_;
  AxiDramCore core_;
};

}  // namespace nna::tb
