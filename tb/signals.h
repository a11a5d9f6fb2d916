// Every wire between the testbench and nna_top (docs/architecture.md, "Observation port"), one
// sc_signal per port with the type Verilator gave the port, and the binding of the top to them.
#pragma once

#include <systemc.h>

#include "tb/tb_config.h"

namespace nna::tb {

// clang-format off
// X(port) for every input of nna_top except the clock.
#define NNA_TOP_INPUTS(X)                                                                            \
  X(rst_ni)                                                                                          \
  X(s_axil_awvalid_i) X(s_axil_awaddr_i) X(s_axil_wvalid_i) X(s_axil_wdata_i) X(s_axil_wstrb_i)      \
  X(s_axil_bready_i) X(s_axil_arvalid_i) X(s_axil_araddr_i) X(s_axil_rready_i)                       \
  X(m_axi_awready_i) X(m_axi_wready_i) X(m_axi_bvalid_i) X(m_axi_bid_i) X(m_axi_bresp_i)             \
  X(m_axi_arready_i) X(m_axi_rvalid_i) X(m_axi_rid_i) X(m_axi_rdata_i) X(m_axi_rresp_i)              \
  X(m_axi_rlast_i)

// X(port) for every output of nna_top.
#define NNA_TOP_OUTPUTS(X)                                                                           \
  X(s_axil_awready_o) X(s_axil_wready_o) X(s_axil_bvalid_o) X(s_axil_bresp_o) X(s_axil_arready_o)    \
  X(s_axil_rvalid_o) X(s_axil_rdata_o) X(s_axil_rresp_o)                                             \
  X(m_axi_awvalid_o) X(m_axi_awid_o) X(m_axi_awaddr_o) X(m_axi_awlen_o) X(m_axi_awsize_o)            \
  X(m_axi_awburst_o) X(m_axi_wvalid_o) X(m_axi_wdata_o) X(m_axi_wstrb_o) X(m_axi_wlast_o)            \
  X(m_axi_bready_o) X(m_axi_arvalid_o) X(m_axi_arid_o) X(m_axi_araddr_o) X(m_axi_arlen_o)            \
  X(m_axi_arsize_o) X(m_axi_arburst_o) X(m_axi_rready_o) X(irq_o)                                    \
  X(obs_acc_valid_o) X(obs_acc_instr_o) X(obs_acc_pix_tile_o) X(obs_acc_ch_tile_o) X(obs_acc_row_o)  \
  X(obs_acc_data_o) X(obs_wr_valid_o) X(obs_wr_src_o) X(obs_wr_instr_o) X(obs_wr_addr_o)             \
  X(obs_wr_data_o) X(obs_wr_mask_o) X(obs_mac_active_o) X(obs_busy_o)                               \
  X(obs_cycle_valid_o) X(obs_cycle_o) X(obs_cycle_instr_o)
// clang-format on

struct Wires {
  Wires() : clk("clk", sc_core::sc_time(10, sc_core::SC_NS), 0.5, sc_core::SC_ZERO_TIME, true) {}
  sc_core::sc_clock clk;  // 100 MHz; rising edge n at n * 10 ns is cycle n
#define NNA_DECLARE(port) sc_core::sc_signal<NNA_PORT_T(port)> port{#port};
  NNA_TOP_INPUTS(NNA_DECLARE)
  NNA_TOP_OUTPUTS(NNA_DECLARE)
#undef NNA_DECLARE

  void Bind(Vtop& top) {
    top.clk_i(clk);
#define NNA_BIND(port) top.port(port);
    NNA_TOP_INPUTS(NNA_BIND)
    NNA_TOP_OUTPUTS(NNA_BIND)
#undef NNA_BIND
  }

  // Cycle number of the current time (the rising edge of cycle n is at n * period).
  uint64_t Cycle() const { return sc_core::sc_time_stamp().value() / clk.period().value(); }
};

}  // namespace nna::tb
