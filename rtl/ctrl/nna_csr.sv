// AXI4-Lite subordinate for the control and status registers of spec/csr.yaml, its channels as
// nna_axi_pkg structs. The registers themselves, and what each access kind does (rw, ro, w1s,
// w1c; byte strobes; unknown offsets read 0 and answer OKAY), are nna_csr_regs, which tools/nnagen
// generates from the spec: adding a register is an edit of spec/csr.yaml and of the wiring here.
// This block adds the handshake, packs status_i / perf_i into the ro inputs and derives the
// outputs: start_o / abort_o are ctrl's pulses (the cycle after the write), irq_o =
// |(irq & irq_enable), irq is set by irq_*_set_i (a set wins over a clear in the same cycle).
// watchdog_cycles resets to the configuration's value; the network sequencer reads it live.
// Schedule: a write is taken when AW and W are both valid and no B is pending (AWREADY = WREADY =
// that condition); B follows in the next cycle. A read is taken when no R is pending; R follows
// in the next cycle with the register value of the handshake cycle.
module nna_csr (
  input  logic        clk_i,
  input  logic        rst_ni,
  // AXI4-Lite subordinate
  input  nna_axi_pkg::axil_req_t axil_req_i,
  output nna_axi_pkg::axil_rsp_t axil_rsp_o,
  // commands and program registers
  output logic        start_o,
  output logic        abort_o,
  output logic [47:0] prog_dram_o,
  output logic [31:0] prog_sram_o,
  output logic [31:0] prog_words_o,
  output logic [31:0] watchdog_cycles_o,
  output logic        act_cache_off_o,
  // status from the command sequencer
  input  nna_ctrl_pkg::status_t        status_i,
  // performance counters (nna_perf_counters)
  input  nna_ctrl_pkg::perf_counters_t perf_i,
  input  logic        irq_done_set_i,
  input  logic        irq_error_set_i,
  input  logic        irq_overflow_set_i,
  output logic        irq_o
);
  logic        b_pending_q, r_pending_q;
  logic [31:0] rdata_q, rd_val;
  logic        wr_fire, rd_fire;
  logic [31:0] status_word;
  logic [1:0]  ctrl_pulse;
  logic [2:0]  irq_set, irq_q, irq_enable_q;
  logic [15:0] prog_dram_hi_q;
  logic [31:0] prog_dram_lo_q;
  logic [0:0]  sram_ctrl_q;

  // Both halves of a write must be present; the slave may wait for both (AXI4-Lite allows it).
  assign wr_fire = axil_req_i.aw_valid && axil_req_i.w_valid && !b_pending_q;
  assign rd_fire = axil_req_i.ar_valid && !r_pending_q;

  always_comb begin
    status_word = '0;
    status_word[nna_csr_pkg::CsrStatusBusyLsb]  = status_i.busy;
    status_word[nna_csr_pkg::CsrStatusDoneLsb]  = status_i.done;
    status_word[nna_csr_pkg::CsrStatusErrorLsb] = status_i.error;
    status_word[nna_csr_pkg::CsrStatusErrCodeLsb +: 8] = status_i.err_code;
    status_word[nna_csr_pkg::CsrStatusQueuedLsb +: 4]  = status_i.queued;
    irq_set = '0;
    irq_set[nna_csr_pkg::CsrIrqDoneLsb]     = irq_done_set_i;
    irq_set[nna_csr_pkg::CsrIrqErrorLsb]    = irq_error_set_i;
    irq_set[nna_csr_pkg::CsrIrqOverflowLsb] = irq_overflow_set_i;
  end

  nna_csr_regs u_regs (
    .clk_i,
    .rst_ni,
    .wr_en_i               (wr_fire),
    .wr_offset_i           (axil_req_i.aw_addr),
    .wr_data_i             (axil_req_i.w_data),
    .wr_strb_i             (axil_req_i.w_strb),
    .rd_offset_i           (axil_req_i.ar_addr),
    .rd_data_o             (rd_val),
    .ctrl_pulse_o          (ctrl_pulse),
    .status_i              (status_word),
    .irq_set_i             (irq_set),
    .irq_q_o               (irq_q),
    .irq_enable_q_o        (irq_enable_q),
    .prog_dram_lo_q_o      (prog_dram_lo_q),
    .prog_dram_hi_q_o      (prog_dram_hi_q),
    .prog_sram_q_o         (prog_sram_o),
    .prog_words_q_o        (prog_words_o),
    .err_instr_i           (status_i.err_instr),
    .cycles_i              (status_i.cycles),
    .mac_cycles_i          (status_i.mac_cycles),
    .instrs_done_i         (status_i.instrs_done),
    .watchdog_cycles_q_o   (watchdog_cycles_o),
    .dma_busy_cycles_i     (perf_i.dma_busy_cycles),
    .compute_busy_cycles_i (perf_i.compute_busy_cycles),
    .simd_busy_cycles_i    (perf_i.simd_busy_cycles),
    .conflict_stalls_act_i (perf_i.conflict_stalls_act),
    .conflict_stalls_wt_i  (perf_i.conflict_stalls_wt),
    .conflict_stalls_wr_i  (perf_i.conflict_stalls_wr),
    .dma_read_bytes_i      (perf_i.dma_read_bytes),
    .dma_write_bytes_i     (perf_i.dma_write_bytes),
    .dma_wait_cycles_i     (perf_i.dma_wait_cycles),
    .compute_wait_cycles_i (perf_i.compute_wait_cycles),
    .programs_done_i       (status_i.programs_done),
    .sram_ctrl_q_o         (sram_ctrl_q)
  );

  // The command pulses leave from flops in nna_csr_regs: no combinational path from the bus into
  // the sequencers.
  assign start_o         = ctrl_pulse[nna_csr_pkg::CsrCtrlStartLsb];
  assign abort_o         = ctrl_pulse[nna_csr_pkg::CsrCtrlAbortLsb];
  assign prog_dram_o     = {prog_dram_hi_q, prog_dram_lo_q};
  assign act_cache_off_o = sram_ctrl_q[nna_csr_pkg::CsrSramCtrlActCacheOffLsb];
  assign irq_o           = |(irq_q & irq_enable_q);

  always_comb begin
    axil_rsp_o.aw_ready = wr_fire;
    axil_rsp_o.w_ready  = wr_fire;
    axil_rsp_o.b_valid  = b_pending_q;
    axil_rsp_o.b_resp   = nna_axi_pkg::RespOkay;
    axil_rsp_o.ar_ready = !r_pending_q;
    axil_rsp_o.r_valid  = r_pending_q;
    axil_rsp_o.r_data   = rdata_q;
    axil_rsp_o.r_resp   = nna_axi_pkg::RespOkay;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      b_pending_q <= 1'b0;
      r_pending_q <= 1'b0;
      rdata_q     <= '0;
    end else begin
      b_pending_q <= (b_pending_q && !axil_req_i.b_ready) || wr_fire;
      r_pending_q <= (r_pending_q && !axil_req_i.r_ready) || rd_fire;
      if (rd_fire) rdata_q <= rd_val;
    end
  end
endmodule
