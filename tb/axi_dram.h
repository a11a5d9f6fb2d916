// AXI4 slave over the DRAM image: serves the NNA's DMA master.
//
// Cycle behaviour (everything sampled on the rising edge, outputs change just after it):
//  - AR / AW are accepted while fewer than max_outstanding bursts of that direction are open.
//  - Read data: the first beat of a burst is offered `latency` cycles after its AR handshake,
//    later beats back to back; bursts are answered in order, with their ID.
//  - Write data is accepted at once; the B response comes `latency` cycles after the later of
//    the AW handshake and the last W beat.
//  - Bandwidth (bytes_per_cycle > 0): reads and writes share a credit counter that gains
//    bytes_per_cycle every cycle, up to one beat more than that (a token bucket, so fractional
//    rates such as 34.0 B/cycle, 68 GB/s at 2 GHz, hold on average); an R beat is offered and a W
//    beat accepted only while the credit covers the beat's size (R first), and each beat's size
//    is taken from it. AR, AW and B are not limited. 0 means unlimited: the timing above.
//  - A beat whose address is outside the image answers DECERR (reads return zeros; writes of
//    such bytes are dropped). INCR and FIXED bursts are served; WRAP answers SLVERR.
// Protocol violations the model can see (burst longer than axi.max_burst, a beat wider than the
// bus, a 4 KB crossing, wlast on the wrong beat) are reported through on_error.
#pragma once

#include <systemc.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "tb/signals.h"

namespace nna::tb {

class AxiDram : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(AxiDram);
  AxiDram(sc_core::sc_module_name name, Wires& w, std::vector<uint8_t>& dram, unsigned latency,
          unsigned max_outstanding, double bytes_per_cycle, std::function<void(const std::string&)> on_error);

  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t error_responses() const { return error_responses_; }

 private:
  struct Burst {
    uint32_t id = 0;
    uint64_t addr = 0;
    unsigned len = 0;          // beats - 1
    unsigned size = 0;         // log2(bytes per beat)
    unsigned burst = 1;        // 0 FIXED, 1 INCR, 2 WRAP
    uint64_t ready_cycle = 0;  // first cycle the data / response may be offered
    unsigned beat = 0;         // beats done
    unsigned resp = 0;         // worst response so far
  };

  void Tick();
  uint64_t BeatAddr(const Burst& b, unsigned beat) const;
  void CheckBurst(const Burst& b, const char* dir);

  Wires& w_;
  std::vector<uint8_t>& dram_;
  unsigned latency_;
  unsigned max_outstanding_;
  double bytes_per_cycle_;  // 0: unlimited
  double credit_ = 0;       // bytes that may still move (bandwidth limit only)
  std::function<void(const std::string&)> on_error_;

  std::deque<Burst> reads_;   // accepted AR, oldest first
  std::deque<Burst> writes_;  // accepted AW waiting for data, oldest first
  std::deque<Burst> resps_;   // writes whose data is complete, waiting for B
  // What this model drives during the current cycle.
  bool arready_ = false, awready_ = false, wready_ = false, rvalid_ = false, bvalid_ = false;
  uint64_t bytes_read_ = 0, bytes_written_ = 0, error_responses_ = 0;
};

}  // namespace nna::tb
