#include "tb/axi_dram.h"

#include <utility>

namespace nna::tb {
namespace {
AxiDramCore::Config CoreConfig(unsigned latency, unsigned max_outstanding, double bytes_per_cycle,
                               std::function<void(const std::string&)> on_error) {
  static_assert(kAxiBytes <= AxiDramCore::kMaxBusBytes, "the AXI bus is wider than the DRAM model's");
  AxiDramCore::Config c;
  c.bus_bytes = kAxiBytes;
  c.max_burst = kConfig.axi_max_burst;
  c.latency = latency;
  c.max_outstanding = max_outstanding;
  c.bytes_per_cycle = bytes_per_cycle;
  c.on_error = std::move(on_error);
  return c;
}
}  // namespace

AxiDram::AxiDram(sc_core::sc_module_name name, Wires& w, std::vector<uint8_t>& dram, unsigned latency,
                 unsigned max_outstanding, double bytes_per_cycle,
                 std::function<void(const std::string&)> on_error)
    : sc_module(name),
      w_(w),
      core_(dram, CoreConfig(latency, max_outstanding, bytes_per_cycle, std::move(on_error))) {
  SC_METHOD(Tick);
  sensitive << w_.clk.posedge_event();
  dont_initialize();
}

void AxiDram::Tick() {
  const uint64_t cycle = w_.Cycle();
  const AxiDramCore::Outputs& d = core_.drive();

  // 1. Handshakes of the cycle that just ended, in the core's order AW, W, B, AR, R.
  if (d.aw_ready && w_.m_axi_awvalid_o.read()) {
    core_.TakeAw({uint32_t(w_.m_axi_awid_o.read()), uint64_t(w_.m_axi_awaddr_o.read()),
                  unsigned(w_.m_axi_awlen_o.read()), unsigned(w_.m_axi_awsize_o.read()),
                  unsigned(w_.m_axi_awburst_o.read())},
                 cycle);
  }
  if (d.w_ready && w_.m_axi_wvalid_o.read()) {
    const auto data = w_.m_axi_wdata_o.read();
    const auto strb = w_.m_axi_wstrb_o.read();
    uint8_t bytes[AxiDramCore::kMaxBusBytes];
    uint64_t mask = 0;
    for (unsigned i = 0; i < kAxiBytes; ++i) {
      bytes[i] = Byte(data, i);
      if (Bit(strb, i)) mask |= uint64_t(1) << i;
    }
    core_.TakeW(bytes, mask, w_.m_axi_wlast_o.read(), cycle);
  }
  if (d.b_valid && w_.m_axi_bready_o.read()) core_.TakeB();
  if (d.ar_ready && w_.m_axi_arvalid_o.read()) {
    core_.TakeAr({uint32_t(w_.m_axi_arid_o.read()), uint64_t(w_.m_axi_araddr_o.read()),
                  unsigned(w_.m_axi_arlen_o.read()), unsigned(w_.m_axi_arsize_o.read()),
                  unsigned(w_.m_axi_arburst_o.read())},
                 cycle);
  }
  if (d.r_valid && w_.m_axi_rready_o.read()) core_.TakeR();

  // 2. What to drive during the next cycle.
  core_.Drive(cycle);
  w_.m_axi_arready_i.write(d.ar_ready);
  w_.m_axi_awready_i.write(d.aw_ready);
  w_.m_axi_wready_i.write(d.w_ready);
  NNA_PORT_T(m_axi_rdata_i) rdata{};
  if (d.r_valid) {
    const uint8_t* bytes = core_.RData();
    for (unsigned i = 0; i < kAxiBytes; ++i) SetByte(rdata, i, bytes[i]);
    w_.m_axi_rid_i.write(d.r_id);
  }
  w_.m_axi_rlast_i.write(d.r_last);
  w_.m_axi_rvalid_i.write(d.r_valid);
  w_.m_axi_rdata_i.write(rdata);
  w_.m_axi_rresp_i.write(d.r_resp);
  w_.m_axi_bvalid_i.write(d.b_valid);
  w_.m_axi_bid_i.write(d.b_id);
  w_.m_axi_bresp_i.write(d.b_resp);
}

}  // namespace nna::tb
