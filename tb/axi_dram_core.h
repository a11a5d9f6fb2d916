// The AXI4 DRAM model without SystemC: a subordinate over a byte image that takes the handshakes
// of each cycle and says what to drive in the next. Two adapters use it: tb/axi_dram.h (the
// SystemC testbench, on sc_signals) and rtl/top/test/nna_top_selftest.cpp (plain Verilator, on
// the ports of Vnna_top); each only moves port values in and out.
//
// Per cycle, at the rising edge that ends cycle `cycle`, the adapter reports the handshakes that
// happened (the valids it saw against drive()'s readies), in the order AW, W, B, AR, R, through
// Take*(), then calls Drive() and puts drive() (and, while r_valid, RData()) on the ports.
//
// Timing (Drive):
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
//  - gate (optional): random back-pressure. Called once per cycle for each of AR, AW and W ready,
//    in that order, then for R valid and B valid when a beat or response could be offered and is
//    not already; a false holds that channel for the cycle. A valid, once offered, stays until
//    its handshake (AXI).
//  - A beat whose address is outside the image answers DECERR (reads return zeros; writes of
//    such bytes are dropped). INCR and FIXED bursts are served; WRAP answers SLVERR. An R beat
//    can be made to answer SLVERR on purpose (SetSlverrAtRBeat).
// Protocol violations the model can see (a burst longer than max_burst, a beat wider than the
// bus, a 4 KB crossing, wlast on the wrong beat, W before AW unless w_before_aw) are reported
// through on_error; `strict` adds: every beat the bus width, INCR only, beat-aligned, inside the
// image.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace nna::tb {

class AxiDramCore {
 public:
  static constexpr unsigned kMaxBusBytes = 64;  // strobes fit a uint64_t
  static constexpr unsigned kOkay = 0, kSlvErr = 2, kDecErr = 3;
  static constexpr unsigned kFixed = 0, kIncr = 1;

  struct Config {
    unsigned bus_bytes = 16;         // AXI data width in bytes
    unsigned max_burst = 256;        // beats
    unsigned latency = 0;            // cycles from AR (last W) to R (B)
    unsigned max_outstanding = ~0u;  // bursts per direction
    double bytes_per_cycle = 0;      // 0: unlimited
    bool w_before_aw = false;        // W beats may precede their AW (AXI allows it)
    bool strict = false;             // see above
    std::function<bool()> gate;      // random back-pressure, or none
    std::function<void(const std::string&)> on_error;
  };

  // One AR or AW.
  struct Ax {
    uint32_t id = 0;
    uint64_t addr = 0;
    unsigned len = 0;    // beats - 1
    unsigned size = 0;   // log2(bytes per beat)
    unsigned burst = 1;  // 0 FIXED, 1 INCR, 2 WRAP
  };

  // What the model drives during the current cycle.
  struct Outputs {
    bool ar_ready = false, aw_ready = false, w_ready = false;
    bool r_valid = false, r_last = false;
    uint32_t r_id = 0;
    unsigned r_resp = kOkay;
    bool b_valid = false;
    uint32_t b_id = 0;
    unsigned b_resp = kOkay;
  };

  AxiDramCore(std::vector<uint8_t>& dram, Config cfg) : dram_(dram), cfg_(std::move(cfg)) {}

  const Outputs& drive() const { return out_; }
  // The R beat's bytes (bus_bytes of them) while drive().r_valid.
  const uint8_t* RData() const { return rdata_.data(); }

  // ----- the handshakes of the cycle that ended (AW, W, B, AR, R) -------------------------------
  void TakeAw(const Ax& ax, uint64_t cycle) {
    Burst b = NewBurst(ax, cycle);
    CheckBurst(b, "write");
    writes_.push_back(b);
    DrainW(cycle);
  }
  // data: bus_bytes bytes; strb: bit i enables byte i.
  void TakeW(const uint8_t* data, uint64_t strb, bool last, uint64_t cycle) {
    if (writes_.empty() && !cfg_.w_before_aw) {
      Error("AXI write data beat before its AW handshake (this model needs AW first)");
      return;
    }
    if (cfg_.bytes_per_cycle > 0) credit_ -= double(1u << writes_.front().size);  // was covered
    WBeat w;
    std::copy(data, data + cfg_.bus_bytes, w.data.begin());
    w.strb = strb;
    w.last = last;
    wbeats_.push_back(w);
    DrainW(cycle);
  }
  void TakeB() {
    if (resps_.front().resp != kOkay) ++error_responses_;
    resps_.pop_front();
    out_.b_valid = false;
  }
  void TakeAr(const Ax& ax, uint64_t cycle) {
    Burst b = NewBurst(ax, cycle);
    CheckBurst(b, "read");
    reads_.push_back(b);
    max_reads_in_flight_ = std::max<uint64_t>(max_reads_in_flight_, reads_.size());
  }
  void TakeR() {
    Burst& b = reads_.front();
    if (cfg_.bytes_per_cycle > 0) credit_ -= double(1u << b.size);  // offered only when covered
    const uint64_t addr = BeatAddr(b, b.beat);
    if (out_.r_resp != kOkay) {
      ++error_responses_;
    } else {
      // The bytes of the beat: from its address to the end of its size window.
      bytes_read_ += (uint64_t(1) << b.size) - (addr & ((uint64_t(1) << b.size) - 1));
    }
    ++r_beats_;
    if (++b.beat > b.len) reads_.pop_front();
    out_.r_valid = false;
  }

  // ----- what to drive during the next cycle ----------------------------------------------------
  void Drive(uint64_t cycle) {
    out_.ar_ready = reads_.size() < cfg_.max_outstanding && Gate();
    out_.aw_ready = writes_.size() + resps_.size() < cfg_.max_outstanding && Gate();
    const bool w_gate = Gate();
    // Without a limit every beat is covered; with one, the credit of the next cycle is reserved
    // for the R beat first, then the W beat.
    double credit = 1e30;
    if (cfg_.bytes_per_cycle > 0) {
      credit_ = std::min(credit_ + cfg_.bytes_per_cycle, cfg_.bytes_per_cycle + double(cfg_.bus_bytes));
      credit = credit_;
    }
    auto covered = [&](unsigned size) {
      if (credit < double(1u << size)) return false;
      credit -= double(1u << size);
      return true;
    };
    if (out_.r_valid) {
      covered(reads_.front().size);  // still offered: its credit stays reserved
    } else {
      out_.r_valid = !reads_.empty() && cycle + 1 >= reads_.front().ready_cycle && Gate() &&
                     covered(reads_.front().size);
    }
    const unsigned w_size = writes_.empty() ? Log2(cfg_.bus_bytes) : writes_.front().size;
    out_.w_ready = w_gate && (cfg_.w_before_aw || !writes_.empty()) && covered(w_size);
    out_.r_last = false;
    out_.r_resp = kOkay;
    if (out_.r_valid) {
      const Burst& b = reads_.front();
      const uint64_t addr = BeatAddr(b, b.beat);
      const uint64_t lane0 = addr & ~uint64_t(cfg_.bus_bytes - 1);
      unsigned resp = b.resp;
      if (resp == kOkay && addr >= dram_.size()) resp = kDecErr;
      if (resp == kOkay && r_beats_ == slverr_r_beat_) resp = kSlvErr;
      for (unsigned i = 0; i < cfg_.bus_bytes; ++i) {
        rdata_[i] = (resp == kOkay && lane0 + i < dram_.size()) ? dram_[lane0 + i] : 0;
      }
      out_.r_id = b.id;
      out_.r_last = (b.beat == b.len);
      out_.r_resp = resp;
    }
    if (!out_.b_valid) {
      out_.b_valid = !resps_.empty() && cycle + 1 >= resps_.front().ready_cycle && Gate();
    }
    out_.b_id = out_.b_valid ? resps_.front().id : 0;
    out_.b_resp = out_.b_valid ? resps_.front().resp : kOkay;
  }

  // The R beat with this index (counting R handshakes from 0) answers SLVERR.
  void SetSlverrAtRBeat(uint64_t beat) { slverr_r_beat_ = beat; }
  uint64_t r_beats() const { return r_beats_; }
  uint64_t max_reads_in_flight() const { return max_reads_in_flight_; }
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t error_responses() const { return error_responses_; }
  // Write bursts whose AW was taken and whose B response was not: waiting for data or for B.
  uint64_t writes_open() const { return writes_.size() + resps_.size(); }

 private:
  struct Burst {
    uint32_t id = 0;
    uint64_t addr = 0;
    unsigned len = 0;   // beats - 1
    unsigned size = 0;  // log2(bytes per beat)
    unsigned burst = kIncr;
    uint64_t ready_cycle = 0;  // first cycle the data / response may be offered
    unsigned beat = 0;         // beats done
    unsigned resp = kOkay;     // worst response so far
  };
  struct WBeat {
    std::array<uint8_t, kMaxBusBytes> data{};
    uint64_t strb = 0;
    bool last = false;
  };

  static unsigned Log2(unsigned v) {
    unsigned l = 0;
    while ((1u << l) < v) ++l;
    return l;
  }
  bool Gate() { return !cfg_.gate || cfg_.gate(); }
  void Error(const std::string& what) {
    if (cfg_.on_error) cfg_.on_error(what);
  }

  Burst NewBurst(const Ax& ax, uint64_t cycle) const {
    Burst b;
    b.id = ax.id;
    b.addr = ax.addr;
    b.len = ax.len;
    b.size = ax.size;
    b.burst = ax.burst;
    b.ready_cycle = cycle + cfg_.latency;
    if (b.burst != kFixed && b.burst != kIncr) b.resp = kSlvErr;
    return b;
  }

  uint64_t BeatAddr(const Burst& b, unsigned beat) const {
    const uint64_t bytes = uint64_t(1) << b.size;
    if (b.burst == kFixed || beat == 0) return b.addr;
    return (b.addr & ~(bytes - 1)) + uint64_t(beat) * bytes;
  }

  void CheckBurst(const Burst& b, const char* dir) {
    char at[24];
    std::snprintf(at, sizeof at, "%llx", static_cast<unsigned long long>(b.addr));
    const std::string what = std::string("AXI ") + dir + " burst at 0x" + at;
    const unsigned bytes = 1u << b.size;
    if (bytes > cfg_.bus_bytes) Error(what + ": size " + std::to_string(bytes) + " B is wider than the bus");
    if (b.len + 1 > cfg_.max_burst) {
      Error(what + ": " + std::to_string(b.len + 1) + " beats exceed axi.max_burst " +
            std::to_string(cfg_.max_burst));
    }
    if (b.burst == kIncr && (b.addr >> 12) != (BeatAddr(b, b.len) >> 12))
      Error(what + " crosses a 4 KB boundary");
    if (!cfg_.strict) return;
    if (bytes != cfg_.bus_bytes) Error(what + ": size " + std::to_string(bytes) + " B is not the bus width");
    if (b.burst != kIncr) Error(what + ": burst type " + std::to_string(b.burst) + " is not INCR");
    if (b.addr % cfg_.bus_bytes != 0) Error(what + " is not beat-aligned");
    if (bytes > dram_.size() || BeatAddr(b, b.len) > dram_.size() - bytes)
      Error(what + " leaves the DRAM image");
  }

  // Applies the W beats whose AW is known, in order.
  void DrainW(uint64_t cycle) {
    while (!writes_.empty() && !wbeats_.empty()) {
      Burst& b = writes_.front();
      const WBeat& w = wbeats_.front();
      const uint64_t addr = BeatAddr(b, b.beat);
      const uint64_t lane0 = addr & ~uint64_t(cfg_.bus_bytes - 1);
      for (unsigned i = 0; i < cfg_.bus_bytes; ++i) {
        if (!((w.strb >> i) & 1)) continue;
        const uint64_t a = lane0 + i;
        if (a < dram_.size() && b.resp != kSlvErr) {
          dram_[a] = w.data[i];
          ++bytes_written_;
        } else if (b.resp == kOkay) {
          b.resp = kDecErr;
        }
      }
      if (w.last != (b.beat == b.len)) {
        Error("AXI wlast is " + std::to_string(w.last) + " on beat " + std::to_string(b.beat) + " of a " +
              std::to_string(b.len + 1) + "-beat write burst");
      }
      wbeats_.pop_front();
      if (++b.beat > b.len) {
        b.ready_cycle = std::max(b.ready_cycle, cycle + cfg_.latency);
        resps_.push_back(b);
        writes_.pop_front();
      }
    }
  }

  std::vector<uint8_t>& dram_;
  Config cfg_;
  double credit_ = 0;         // bytes that may still move (bandwidth limit only)
  std::deque<Burst> reads_;   // accepted AR, oldest first
  std::deque<Burst> writes_;  // accepted AW waiting for data, oldest first
  std::deque<WBeat> wbeats_;  // W beats waiting for their AW (w_before_aw)
  std::deque<Burst> resps_;   // writes whose data is complete, waiting for B
  Outputs out_;
  std::array<uint8_t, kMaxBusBytes> rdata_{};
  uint64_t r_beats_ = 0, slverr_r_beat_ = ~uint64_t(0), max_reads_in_flight_ = 0;
  uint64_t bytes_read_ = 0, bytes_written_ = 0, error_responses_ = 0;
};

}  // namespace nna::tb
