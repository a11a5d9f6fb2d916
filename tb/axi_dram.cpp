#include "tb/axi_dram.h"

#include <utility>

namespace nna::tb {
namespace {
constexpr unsigned kOkay = 0, kSlvErr = 2, kDecErr = 3;
constexpr unsigned kFixed = 0, kIncr = 1;
}  // namespace

AxiDram::AxiDram(sc_core::sc_module_name name, Wires& w, std::vector<uint8_t>& dram, unsigned latency,
                 unsigned max_outstanding, double bytes_per_cycle, std::function<void(const std::string&)> on_error)
    : sc_module(name),
      w_(w),
      dram_(dram),
      latency_(latency),
      max_outstanding_(max_outstanding),
      bytes_per_cycle_(bytes_per_cycle),
      on_error_(std::move(on_error)) {
  SC_METHOD(Tick);
  sensitive << w_.clk.posedge_event();
  dont_initialize();
}

uint64_t AxiDram::BeatAddr(const Burst& b, unsigned beat) const {
  const uint64_t bytes = uint64_t(1) << b.size;
  if (b.burst == kFixed || beat == 0) return b.addr;
  return (b.addr & ~(bytes - 1)) + uint64_t(beat) * bytes;
}

void AxiDram::CheckBurst(const Burst& b, const char* dir) {
  const std::string what = std::string("AXI ") + dir + " burst at 0x" + [&] {
    char s[24];
    std::snprintf(s, sizeof s, "%llx", static_cast<unsigned long long>(b.addr));
    return std::string(s);
  }();
  if ((1u << b.size) > kAxiBytes)
    on_error_(what + ": size " + std::to_string(1u << b.size) + " B is wider than the bus");
  if (b.len + 1 > kConfig.axi_max_burst) {
    on_error_(what + ": " + std::to_string(b.len + 1) + " beats exceed axi.max_burst " +
              std::to_string(kConfig.axi_max_burst));
  }
  if (b.burst == kIncr && (b.addr >> 12) != (BeatAddr(b, b.len) >> 12))
    on_error_(what + " crosses a 4 KB boundary");
}

void AxiDram::Tick() {
  const uint64_t cycle = w_.Cycle();

  // 1. Handshakes of the cycle that just ended.
  if (awready_ && w_.m_axi_awvalid_o.read()) {
    Burst b;
    b.id = w_.m_axi_awid_o.read();
    b.addr = w_.m_axi_awaddr_o.read();
    b.len = w_.m_axi_awlen_o.read();
    b.size = w_.m_axi_awsize_o.read();
    b.burst = w_.m_axi_awburst_o.read();
    b.ready_cycle = cycle + latency_;
    if (b.burst != kFixed && b.burst != kIncr) b.resp = kSlvErr;
    CheckBurst(b, "write");
    writes_.push_back(b);
  }
  if (wready_ && w_.m_axi_wvalid_o.read()) {
    if (writes_.empty()) {
      on_error_("AXI write data beat before its AW handshake (this model needs AW first)");
    } else {
      Burst& b = writes_.front();
      if (bytes_per_cycle_ > 0) credit_ -= double(1u << b.size);  // offered only when covered
      const uint64_t addr = BeatAddr(b, b.beat);
      const auto data = w_.m_axi_wdata_o.read();
      const auto strb = w_.m_axi_wstrb_o.read();
      const uint64_t lane0 = addr & ~uint64_t(kAxiBytes - 1);
      for (unsigned i = 0; i < kAxiBytes; ++i) {
        if (!Bit(strb, i)) continue;
        const uint64_t a = lane0 + i;
        if (a < dram_.size() && b.resp != kSlvErr) {
          dram_[a] = Byte(data, i);
          ++bytes_written_;
        } else if (b.resp == kOkay) {
          b.resp = kDecErr;
        }
      }
      const bool last = w_.m_axi_wlast_o.read();
      if (last != (b.beat == b.len)) {
        on_error_("AXI wlast is " + std::to_string(last) + " on beat " + std::to_string(b.beat) + " of a " +
                  std::to_string(b.len + 1) + "-beat write burst");
      }
      if (++b.beat > b.len) {
        b.ready_cycle = std::max(b.ready_cycle, cycle + latency_);
        resps_.push_back(b);
        writes_.pop_front();
      }
    }
  }
  if (bvalid_ && w_.m_axi_bready_o.read()) {
    if (resps_.front().resp != kOkay) ++error_responses_;
    resps_.pop_front();
  }
  if (arready_ && w_.m_axi_arvalid_o.read()) {
    Burst b;
    b.id = w_.m_axi_arid_o.read();
    b.addr = w_.m_axi_araddr_o.read();
    b.len = w_.m_axi_arlen_o.read();
    b.size = w_.m_axi_arsize_o.read();
    b.burst = w_.m_axi_arburst_o.read();
    b.ready_cycle = cycle + latency_;
    if (b.burst != kFixed && b.burst != kIncr) b.resp = kSlvErr;
    CheckBurst(b, "read");
    reads_.push_back(b);
  }
  if (rvalid_ && w_.m_axi_rready_o.read()) {
    Burst& b = reads_.front();
    if (bytes_per_cycle_ > 0) credit_ -= double(1u << b.size);  // offered only when covered
    const uint64_t addr = BeatAddr(b, b.beat);
    if (b.resp != kOkay || addr >= dram_.size()) {
      ++error_responses_;
    } else {
      // The bytes of the beat: from its address to the end of its size window.
      bytes_read_ += (uint64_t(1) << b.size) - (addr & ((uint64_t(1) << b.size) - 1));
    }
    if (++b.beat > b.len) reads_.pop_front();
  }

  // 2. What to drive during the next cycle.
  arready_ = reads_.size() < max_outstanding_;
  awready_ = writes_.size() + resps_.size() < max_outstanding_;
  w_.m_axi_arready_i.write(arready_);
  w_.m_axi_awready_i.write(awready_);

  // Without a limit every beat is covered; with one, the credit of the next cycle is reserved
  // for the R beat first, then the W beat.
  double credit = 1e30;
  if (bytes_per_cycle_ > 0) {
    credit_ = std::min(credit_ + bytes_per_cycle_, bytes_per_cycle_ + double(kAxiBytes));
    credit = credit_;
  }
  auto covered = [&](const Burst& b) {
    if (credit < double(1u << b.size)) return false;
    credit -= double(1u << b.size);
    return true;
  };
  rvalid_ = !reads_.empty() && cycle + 1 >= reads_.front().ready_cycle && covered(reads_.front());
  wready_ = !writes_.empty() && covered(writes_.front());
  w_.m_axi_wready_i.write(wready_);
  NNA_PORT_T(m_axi_rdata_i) rdata{};
  unsigned rresp = kOkay;
  if (rvalid_) {
    Burst& b = reads_.front();
    const uint64_t addr = BeatAddr(b, b.beat);
    const uint64_t lane0 = addr & ~uint64_t(kAxiBytes - 1);
    rresp = b.resp;
    if (rresp == kOkay && addr >= dram_.size()) rresp = kDecErr;
    if (rresp == kOkay) {
      for (unsigned i = 0; i < kAxiBytes; ++i) {
        if (lane0 + i < dram_.size()) SetByte(rdata, i, dram_[lane0 + i]);
      }
    }
    w_.m_axi_rid_i.write(b.id);
    w_.m_axi_rlast_i.write(b.beat == b.len);
  } else {
    w_.m_axi_rlast_i.write(false);
  }
  w_.m_axi_rvalid_i.write(rvalid_);
  w_.m_axi_rdata_i.write(rdata);
  w_.m_axi_rresp_i.write(rresp);

  bvalid_ = !resps_.empty() && cycle + 1 >= resps_.front().ready_cycle;
  w_.m_axi_bvalid_i.write(bvalid_);
  w_.m_axi_bid_i.write(bvalid_ ? resps_.front().id : 0);
  w_.m_axi_bresp_i.write(bvalid_ ? resps_.front().resp : kOkay);
}

}  // namespace nna::tb
