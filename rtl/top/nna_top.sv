// The NNA: AXI4-Lite control registers, an AXI4 DMA master, the local SRAM and the compute
// datapath, wired as in docs/architecture.md "RTL blocks".
//
//   AXI4-Lite -> nna_csr -> nna_cmd_seq --(program load)--+--> nna_dma <-> AXI4 master
//                              |                          |      |  ^
//                              v                          |      v  | (write / wt-read req 2)
//                          nna_net_seq --(DMA queue)------+   nna_sram (banks, arbiter)
//                              | (compute queue)                 ^  ^ (act, wt req 1, write req 0)
//                              v                                 |  |
//                          nna_compute (address/data sequencers, MAC array, SIMD, write-back)
//   nna_net_seq fetches the program through the SRAM weight port (requester 0).
//   nna_perf_counters counts busy, wait and stall cycles and DMA bytes for the CSRs.
// The AXI ports are flat (the SystemC testbench binds each by name, tb/signals.h) and are packed
// into the nna_axi_pkg structs that nna_csr and nna_dma take, here and nowhere else.
// The observation port (only with NNA_OBSERVE defined: simulation builds; synthesis has none)
// shows every accumulator row unloaded into the SIMD unit and every SRAM write performed;
// obs_busy_o is status.busy; obs_cycle_* the cause of each busy cycle of the dot-product engine.
module nna_top #(
  localparam int unsigned D = nna_cfg_pkg::AxiDataBytes,
  localparam int unsigned A = nna_cfg_pkg::AxiAddrBits,
  localparam int unsigned N = nna_cfg_pkg::ArrayCols,
  localparam int unsigned W = nna_cfg_pkg::SramWrPortBytes
) (
  input  logic           clk_i,
  input  logic           rst_ni,
  // AXI4-Lite slave: CSRs of spec/csr.yaml
  input  logic           s_axil_awvalid_i,
  output logic           s_axil_awready_o,
  input  logic [7:0]     s_axil_awaddr_i,
  input  logic           s_axil_wvalid_i,
  output logic           s_axil_wready_o,
  input  logic [31:0]    s_axil_wdata_i,
  input  logic [3:0]     s_axil_wstrb_i,
  output logic           s_axil_bvalid_o,
  input  logic           s_axil_bready_i,
  output logic [1:0]     s_axil_bresp_o,
  input  logic           s_axil_arvalid_i,
  output logic           s_axil_arready_o,
  input  logic [7:0]     s_axil_araddr_i,
  output logic           s_axil_rvalid_o,
  input  logic           s_axil_rready_i,
  output logic [31:0]    s_axil_rdata_o,
  output logic [1:0]     s_axil_rresp_o,
  // AXI4 master for DMA
  output logic           m_axi_awvalid_o,
  input  logic           m_axi_awready_i,
  output logic [3:0]     m_axi_awid_o,
  output logic [A-1:0]   m_axi_awaddr_o,
  output logic [7:0]     m_axi_awlen_o,
  output logic [2:0]     m_axi_awsize_o,
  output logic [1:0]     m_axi_awburst_o,
  output logic           m_axi_wvalid_o,
  input  logic           m_axi_wready_i,
  output logic [D*8-1:0] m_axi_wdata_o,
  output logic [D-1:0]   m_axi_wstrb_o,
  output logic           m_axi_wlast_o,
  input  logic           m_axi_bvalid_i,
  output logic           m_axi_bready_o,
  input  logic [3:0]     m_axi_bid_i,
  input  logic [1:0]     m_axi_bresp_i,
  output logic           m_axi_arvalid_o,
  input  logic           m_axi_arready_i,
  output logic [3:0]     m_axi_arid_o,
  output logic [A-1:0]   m_axi_araddr_o,
  output logic [7:0]     m_axi_arlen_o,
  output logic [2:0]     m_axi_arsize_o,
  output logic [1:0]     m_axi_arburst_o,
  input  logic           m_axi_rvalid_i,
  output logic           m_axi_rready_o,
  input  logic [3:0]     m_axi_rid_i,
  input  logic [D*8-1:0] m_axi_rdata_i,
  input  logic [1:0]     m_axi_rresp_i,
  input  logic           m_axi_rlast_i,
  output logic           irq_o
`ifdef NNA_OBSERVE
  ,
  // observation port
  output logic           obs_acc_valid_o,
  output nna_isa_pkg::instr_idx_t obs_acc_instr_o,
  output logic [15:0]    obs_acc_pix_tile_o,
  output logic [15:0]    obs_acc_ch_tile_o,
  output logic [15:0]    obs_acc_row_o,
  output logic [N*nna_isa_pkg::AccBits-1:0] obs_acc_data_o,
  output logic           obs_wr_valid_o,
  output logic [1:0]     obs_wr_src_o,
  output nna_isa_pkg::instr_idx_t obs_wr_instr_o,
  output logic [31:0]    obs_wr_addr_o,
  output logic [W*8-1:0] obs_wr_data_o,
  output logic [W-1:0]   obs_wr_mask_o,
  output logic           obs_mac_active_o,
  output logic           obs_busy_o,
  // cause of each cycle of the dot-product engine while busy (nna_isa_pkg::compute_cycle_e)
  output logic           obs_cycle_valid_o,
  output nna_isa_pkg::compute_cycle_e obs_cycle_o,
  output nna_isa_pkg::instr_idx_t obs_cycle_instr_o
`endif
);
  localparam int unsigned ActBytes = nna_cfg_pkg::SramActPortBytes;
  localparam int unsigned WtBytes  = nna_cfg_pkg::SramWtPortBytes;
  localparam int unsigned SimdProgBits = nna_isa_pkg::MaxSimdInstrs * 64;

  // ---------------------------------------------------------------------------------------------
  // The flat AXI ports, packed into nna_axi_pkg's structs in their field order.
  // ---------------------------------------------------------------------------------------------
  nna_axi_pkg::axil_req_t axil_req;
  nna_axi_pkg::axil_rsp_t axil_rsp;
  nna_axi_pkg::axi_req_t  axi_req;
  nna_axi_pkg::axi_rsp_t  axi_rsp;

  assign axil_req = {s_axil_awvalid_i, s_axil_awaddr_i, s_axil_wvalid_i, s_axil_wdata_i,
                     s_axil_wstrb_i, s_axil_bready_i, s_axil_arvalid_i, s_axil_araddr_i,
                     s_axil_rready_i};
  assign {s_axil_awready_o, s_axil_wready_o, s_axil_bvalid_o, s_axil_bresp_o, s_axil_arready_o,
          s_axil_rvalid_o, s_axil_rdata_o, s_axil_rresp_o} = axil_rsp;
  assign {m_axi_awvalid_o, m_axi_awid_o, m_axi_awaddr_o, m_axi_awlen_o, m_axi_awsize_o,
          m_axi_awburst_o, m_axi_wvalid_o, m_axi_wdata_o, m_axi_wstrb_o, m_axi_wlast_o,
          m_axi_bready_o, m_axi_arvalid_o, m_axi_arid_o, m_axi_araddr_o, m_axi_arlen_o,
          m_axi_arsize_o, m_axi_arburst_o, m_axi_rready_o} = axi_req;
  assign axi_rsp = {m_axi_awready_i, m_axi_wready_i, m_axi_bvalid_i, m_axi_bid_i, m_axi_bresp_i,
                    m_axi_arready_i, m_axi_rvalid_i, m_axi_rid_i, m_axi_rdata_i, m_axi_rresp_i,
                    m_axi_rlast_i};

  // ---------------------------------------------------------------------------------------------
  // Control and status registers
  // ---------------------------------------------------------------------------------------------
  logic        csr_start, csr_abort;
  logic [47:0] prog_dram;
  logic [31:0] prog_sram, prog_words;
  logic        irq_done, irq_error, irq_overflow, act_cache_off;
  logic [31:0] run_sram, run_words, watchdog_cycles;
  nna_ctrl_pkg::status_t        status;       // the command sequencer's, for the CSRs
  nna_ctrl_pkg::perf_counters_t perf_counters;

  nna_csr u_csr (
    .clk_i, .rst_ni,
    .axil_req_i     (axil_req),
    .axil_rsp_o     (axil_rsp),
    .start_o        (csr_start),
    .abort_o        (csr_abort),
    .prog_dram_o    (prog_dram),
    .prog_sram_o    (prog_sram),
    .prog_words_o   (prog_words),
    .watchdog_cycles_o(watchdog_cycles),
    .act_cache_off_o(act_cache_off),
    .status_i       (status),
    .perf_i         (perf_counters),
    .irq_done_set_i (irq_done),
    .irq_error_set_i(irq_error),
    .irq_overflow_set_i(irq_overflow),
    .irq_o
  );

  // ---------------------------------------------------------------------------------------------
  // Command and network sequencers
  // ---------------------------------------------------------------------------------------------
  logic                     mac_active;
  logic [1:0]               instrs_done;
  logic                     load_cmd_valid, net_dma_valid, dma_cmd_ready;
  nna_isa_pkg::dma_instr_t  load_cmd, net_dma_cmd;
  nna_isa_pkg::dma_planes_instr_t net_dma_planes;  // a program load has no planes word
  nna_isa_pkg::instr_idx_t  net_dma_instr;
  logic                     dma_busy, dma_done, dma_err;
  nna_isa_pkg::error_code_e dma_err_code;
  logic                     net_start, net_abort, net_busy, net_done, net_err;
  nna_isa_pkg::error_code_e net_err_code;
  nna_isa_pkg::instr_idx_t  net_err_instr;
  logic                     dma_wait, comp_wait, dma_hurry;

  nna_cmd_seq u_cmd_seq (
    .clk_i, .rst_ni,
    .start_i        (csr_start),
    .abort_i        (csr_abort),
    .prog_dram_i    (prog_dram),
    .prog_sram_i    (prog_sram),
    .prog_words_i   (prog_words),
    .status_o       (status),
    .irq_overflow_o (irq_overflow),
    .run_sram_o     (run_sram),
    .run_words_o    (run_words),
    .irq_done_o     (irq_done),
    .irq_error_o    (irq_error),
    .mac_active_i   (mac_active),
    .instrs_done_i  (instrs_done),
    .dma_cmd_valid_o(load_cmd_valid),
    .dma_cmd_ready_i(dma_cmd_ready),
    .dma_cmd_o      (load_cmd),
    .dma_done_i     (dma_done),
    .dma_err_i      (dma_err),
    .net_start_o    (net_start),
    .net_abort_o    (net_abort),
    .net_done_i     (net_done),
    .net_err_i      (net_err),
    .net_err_code_i (net_err_code),
    .net_err_instr_i(net_err_instr)
  );

  // SRAM writes performed (observed, and counted by the performance counters)
  logic                    sram_wr_valid;
  nna_isa_pkg::wr_source_e sram_wr_src;
  nna_isa_pkg::instr_idx_t sram_wr_instr;
  logic [31:0]             sram_wr_addr;
  logic [W*8-1:0]          sram_wr_data;
  logic [W-1:0]            sram_wr_mask;
  // SRAM weight-port requesters: 0 program fetch, 1 compute weights, 2 DMA-out.
  logic [2:0]         wt_req_valid, wt_req_ready, wt_rsp_valid;
  logic [3*32-1:0]    wt_req_addr;
  logic [WtBytes*8-1:0] wt_rsp_data;
  // SRAM write-port requesters: 0 compute write-back, 1 DMA-in.
  logic [1:0]         wr_valid, wr_ready;
  logic [2*32-1:0]    wr_addr;
  logic [2*W*8-1:0]   wr_data;
  logic [2*W-1:0]     wr_mask;
  logic [2*nna_isa_pkg::InstrIndexBits-1:0] wr_instr;

  logic                        comp_start, comp_busy, comp_done, comp_err, simd_busy;
  nna_isa_pkg::compute_instr_t comp_instr;
  logic [SimdProgBits-1:0]     comp_simd_prog;
  nna_isa_pkg::instr_idx_t     comp_instr_idx;
  nna_isa_pkg::error_code_e    comp_err_code;

  nna_net_seq u_net_seq (
    .clk_i, .rst_ni,
    .start_i          (net_start),
    .abort_i          (net_abort),
    .activity_i       (mac_active | sram_wr_valid | (axi_rsp.r_valid & axi_req.r_ready) |
                       (axi_req.w_valid & axi_rsp.w_ready)),
    .watchdog_cycles_i(watchdog_cycles),
    .prog_sram_i      (run_sram),
    .prog_words_i     (run_words),
    .busy_o           (net_busy),
    .done_o           (net_done),
    .err_o            (net_err),
    .err_code_o       (net_err_code),
    .err_instr_o      (net_err_instr),
    .instrs_done_o    (instrs_done),
    .dma_wait_o       (dma_wait),
    .comp_wait_o      (comp_wait),
    .dma_hurry_o      (dma_hurry),
    .fetch_req_valid_o(wt_req_valid[0]),
    .fetch_req_ready_i(wt_req_ready[0]),
    .fetch_req_addr_o (wt_req_addr[0 +: 32]),
    .fetch_rsp_valid_i(wt_rsp_valid[0]),
    .fetch_rsp_data_i (wt_rsp_data),
    .dma_cmd_valid_o  (net_dma_valid),
    .dma_cmd_ready_i  (dma_cmd_ready),
    .dma_cmd_o        (net_dma_cmd),
    .dma_planes_o     (net_dma_planes),
    .dma_instr_o      (net_dma_instr),
    .dma_busy_i       (dma_busy),
    .dma_done_i       (dma_done),
    .dma_err_i        (dma_err),
    .dma_err_code_i   (dma_err_code),
    .comp_start_o     (comp_start),
    .comp_instr_o     (comp_instr),
    .comp_simd_prog_o (comp_simd_prog),
    .comp_instr_idx_o (comp_instr_idx),
    .comp_busy_i      (comp_busy),
    .comp_done_i      (comp_done),
    .comp_err_i       (comp_err),
    .comp_err_code_i  (comp_err_code)
  );

  // ---------------------------------------------------------------------------------------------
  // DMA engine: the program load (command sequencer) and the DMA queue never overlap.
  // ---------------------------------------------------------------------------------------------
  logic                    dma_cmd_valid;
  nna_isa_pkg::dma_instr_t dma_cmd;
  nna_isa_pkg::instr_idx_t dma_cmd_instr;

  always_comb begin
    dma_cmd_valid = load_cmd_valid || net_dma_valid;
    dma_cmd       = load_cmd_valid ? load_cmd : net_dma_cmd;
    dma_cmd_instr = load_cmd_valid ? nna_isa_pkg::InstrIdxLoad : net_dma_instr;
  end

  nna_dma u_dma (
    .clk_i, .rst_ni,
    .cmd_valid_i    (dma_cmd_valid),
    .cmd_ready_o    (dma_cmd_ready),
    .cmd_i          (dma_cmd),
    .cmd_planes_i   (net_dma_planes),
    .cmd_instr_i    (dma_cmd_instr),
    .busy_o         (dma_busy),
    .done_o         (dma_done),
    .err_o          (dma_err),
    .err_code_o     (dma_err_code),
    .axi_req_o      (axi_req),
    .axi_rsp_i      (axi_rsp),
    .wr_valid_o     (wr_valid[1]),
    .wr_ready_i     (wr_ready[1]),
    .wr_addr_o      (wr_addr[32 +: 32]),
    .wr_data_o      (wr_data[W*8 +: W*8]),
    .wr_mask_o      (wr_mask[W +: W]),
    .wr_instr_o     (wr_instr[nna_isa_pkg::InstrIndexBits +: nna_isa_pkg::InstrIndexBits]),
    .rd_req_valid_o (wt_req_valid[2]),
    .rd_req_ready_i (wt_req_ready[2]),
    .rd_req_addr_o  (wt_req_addr[64 +: 32]),
    .rd_rsp_valid_i (wt_rsp_valid[2]),
    .rd_rsp_data_i  (wt_rsp_data)
  );

  // ---------------------------------------------------------------------------------------------
  // Compute datapath
  // ---------------------------------------------------------------------------------------------
  logic                  act_req_valid, act_req_ready, act_rsp_valid;
  logic [31:0]           act_req_addr;
  logic [$clog2(ActBytes)-1:0] act_req_last;
  logic                  wr_priority;
  logic [ActBytes*8-1:0] act_rsp_data;
  // what the observation port shows
  logic                        acc_valid, cyc_valid;
  nna_isa_pkg::instr_idx_t     acc_instr, cyc_instr;
  logic [15:0]                 acc_pix_tile, acc_ch_tile, acc_row;
  logic [N*nna_isa_pkg::AccBits-1:0] acc_data;
  nna_isa_pkg::compute_cycle_e cyc_cause;
`ifdef NNA_OBSERVE
  logic [31:0]                 sr_stalls;  // read by nna_compute's block test only
`endif

  nna_compute u_compute (
    .clk_i, .rst_ni,
    .start_i           (comp_start),
    .instr_i           (comp_instr),
    .simd_prog_i       (comp_simd_prog),
    .instr_idx_i       (comp_instr_idx),
    .busy_o            (comp_busy),
    .done_o            (comp_done),
    .err_o             (comp_err),
    .err_code_o        (comp_err_code),
    .act_req_valid_o   (act_req_valid),
    .act_req_ready_i   (act_req_ready),
    .act_req_addr_o    (act_req_addr),
    .act_req_last_o    (act_req_last),
    .act_rsp_valid_i   (act_rsp_valid),
    .act_rsp_data_i    (act_rsp_data),
    .wt_req_valid_o    (wt_req_valid[1]),
    .wt_req_ready_i    (wt_req_ready[1]),
    .wt_req_addr_o     (wt_req_addr[32 +: 32]),
    .wt_rsp_valid_i    (wt_rsp_valid[1]),
    .wt_rsp_data_i     (wt_rsp_data),
    .wr_valid_o        (wr_valid[0]),
    .wr_ready_i        (wr_ready[0]),
    .wr_addr_o         (wr_addr[0 +: 32]),
    .wr_data_o         (wr_data[0 +: W*8]),
    .wr_mask_o         (wr_mask[0 +: W]),
    .wr_instr_o        (wr_instr[0 +: nna_isa_pkg::InstrIndexBits]),
    .wr_priority_o     (wr_priority),
    .obs_acc_valid_o   (acc_valid),
    .obs_acc_instr_o   (acc_instr),
    .obs_acc_pix_tile_o(acc_pix_tile),
    .obs_acc_ch_tile_o (acc_ch_tile),
    .obs_acc_row_o     (acc_row),
    .obs_acc_data_o    (acc_data),
    .mac_active_o      (mac_active),
    .simd_busy_o       (simd_busy),
    .obs_cycle_valid_o (cyc_valid),
    .obs_cycle_o       (cyc_cause),
    .obs_cycle_instr_o (cyc_instr)
`ifdef NNA_OBSERVE
    ,
    .obs_sr_stalls_o   (sr_stalls)
`endif
  );

  // ---------------------------------------------------------------------------------------------
  // SRAM
  // ---------------------------------------------------------------------------------------------
  logic [2:0]              conflict_stall;  // {wr, wt, act}

  nna_sram u_sram (
    .clk_i, .rst_ni,
    .act_req_valid_i  (act_req_valid),
    .act_req_ready_o  (act_req_ready),
    .act_req_addr_i   (act_req_addr),
    .act_req_last_i   (act_req_last),
    .act_rsp_valid_o  (act_rsp_valid),
    .act_rsp_data_o   (act_rsp_data),
    .wt_req_valid_i   (wt_req_valid),
    .wt_req_ready_o   (wt_req_ready),
    .wt_req_addr_i    (wt_req_addr),
    .wt_rsp_valid_o   (wt_rsp_valid),
    .wt_rsp_data_o    (wt_rsp_data),
    .wr_valid_i       (wr_valid),
    .wr_ready_o       (wr_ready),
    .wr_addr_i        (wr_addr),
    .wr_data_i        (wr_data),
    .wr_mask_i        (wr_mask),
    .wr_instr_i       (wr_instr),
    .wr_priority_i    (wr_priority),
    .dma_hurry_i      (dma_hurry),
    .act_cache_off_i  (act_cache_off),
    .obs_wr_valid_o   (sram_wr_valid),
    .obs_wr_src_o     (sram_wr_src),
    .obs_wr_instr_o   (sram_wr_instr),
    .obs_wr_addr_o    (sram_wr_addr),
    .obs_wr_data_o    (sram_wr_data),
    .obs_wr_mask_o    (sram_wr_mask),
    .conflict_stall_o (conflict_stall)
  );

  // ---------------------------------------------------------------------------------------------
  // Observation port
  // ---------------------------------------------------------------------------------------------
`ifdef NNA_OBSERVE
  assign obs_acc_valid_o    = acc_valid;
  assign obs_acc_instr_o    = acc_instr;
  assign obs_acc_pix_tile_o = acc_pix_tile;
  assign obs_acc_ch_tile_o  = acc_ch_tile;
  assign obs_acc_row_o      = acc_row;
  assign obs_acc_data_o     = acc_data;
  assign obs_wr_valid_o     = sram_wr_valid;
  assign obs_wr_src_o       = sram_wr_src;
  assign obs_wr_instr_o     = sram_wr_instr;
  assign obs_wr_addr_o      = sram_wr_addr;
  assign obs_wr_data_o      = sram_wr_data;
  assign obs_wr_mask_o      = sram_wr_mask;
  assign obs_mac_active_o   = mac_active;
  assign obs_busy_o         = status.busy;
  assign obs_cycle_valid_o  = cyc_valid;
  assign obs_cycle_o        = cyc_cause;
  assign obs_cycle_instr_o  = cyc_instr;
`else
  // Without the observation port these only feed it.
  logic unused_obs;
  assign unused_obs = ^{acc_valid, acc_instr, acc_pix_tile, acc_ch_tile, acc_row, acc_data,
                        sram_wr_instr, sram_wr_addr, sram_wr_data, cyc_valid, cyc_cause,
                        cyc_instr};
`endif

  // ---------------------------------------------------------------------------------------------
  // Performance counters: cleared by the start the command sequencer accepts (when idle).
  // ---------------------------------------------------------------------------------------------
  nna_perf_counters u_perf (
    .clk_i, .rst_ni,
    .clear_i              (csr_start && !status.busy),
    .dma_busy_i           (dma_busy),
    .comp_busy_i          (comp_busy),
    .simd_busy_i          (simd_busy),
    .stall_i              (conflict_stall),
    .sram_wr_i            (sram_wr_valid && sram_wr_src == nna_isa_pkg::SrcDma),
    .sram_wr_mask_i       (sram_wr_mask),
    .axi_w_i              (axi_req.w_valid && axi_rsp.w_ready),
    .axi_wstrb_i          (axi_req.w.strb),
    .dma_wait_i           (dma_wait),
    .comp_wait_i          (comp_wait),
    .counters_o           (perf_counters)
  );

  // The network sequencer's busy is implied by status.busy.
  logic unused;
`ifdef NNA_OBSERVE
  assign unused = ^{net_busy, sr_stalls};
`else
  assign unused = net_busy;
`endif
endmodule
