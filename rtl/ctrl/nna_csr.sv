// AXI4-Lite subordinate holding the control and status registers of spec/csr.yaml (nna_csr_pkg),
// its channels as nna_axi_pkg structs. rw registers keep what is written (byte strobes honoured),
// ro registers show the inputs, ctrl is write-1-to-set (start_o / abort_o pulse for one cycle, the
// cycle after the write; reads 0), irq is write-1-to-clear and is set by irq_*_set_i (a set wins
// over a clear in the same cycle). Unknown offsets read 0 and answer OKAY.
// irq_o = |(irq & irq_enable). watchdog_cycles resets to the configuration's value
// (nna_cfg_pkg::CsrWatchdogCyclesReset); the network sequencer reads it live.
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
  logic        b_pending_q, b_pending_d;
  logic        r_pending_q, r_pending_d;
  logic [31:0] rdata_q, rdata_d;
  logic [2:0]  irq_q, irq_d;
  logic [2:0]  irq_en_q, irq_en_d;
  logic        cache_off_q, cache_off_d;
  logic [31:0] prog_lo_q, prog_lo_d, prog_sram_q, prog_sram_d, prog_words_q, prog_words_d;
  logic [15:0] prog_hi_q, prog_hi_d;
  logic [31:0] watchdog_q, watchdog_d;
  logic        start_q, start_d, abort_q, abort_d;
  logic        wr_fire, rd_fire;
  logic [31:0] wmask, rd_val;

  // Applies the byte strobes of the write to an rw register.
  function automatic logic [31:0] merge(logic [31:0] old, logic [31:0] data, logic [31:0] mask);
    merge = (old & ~mask) | (data & mask);
  endfunction

  always_comb begin
    for (int unsigned i = 0; i < 4; i++) wmask[i*8 +: 8] = {8{axil_req_i.w_strb[i]}};
    // Both halves of a write must be present; the slave may wait for both (AXI4-Lite allows it).
    wr_fire = axil_req_i.aw_valid && axil_req_i.w_valid && !b_pending_q;
    rd_fire = axil_req_i.ar_valid && !r_pending_q;

    b_pending_d  = (b_pending_q && !axil_req_i.b_ready) || wr_fire;
    r_pending_d  = (r_pending_q && !axil_req_i.r_ready) || rd_fire;
    irq_d        = irq_q;
    irq_en_d     = irq_en_q;
    cache_off_d  = cache_off_q;
    prog_lo_d    = prog_lo_q;
    prog_hi_d    = prog_hi_q;
    prog_sram_d  = prog_sram_q;
    prog_words_d = prog_words_q;
    watchdog_d   = watchdog_q;
    start_d      = 1'b0;
    abort_d      = 1'b0;

    if (wr_fire) begin
      unique case (axil_req_i.aw_addr)
        nna_csr_pkg::CsrCtrlOffset: begin
          start_d = axil_req_i.w_data[nna_csr_pkg::CsrCtrlStartLsb] && axil_req_i.w_strb[0];
          abort_d = axil_req_i.w_data[nna_csr_pkg::CsrCtrlAbortLsb] && axil_req_i.w_strb[0];
        end
        nna_csr_pkg::CsrIrqOffset: irq_d = irq_q & ~(axil_req_i.w_data[2:0] & wmask[2:0]);
        nna_csr_pkg::CsrIrqEnableOffset:
          irq_en_d = 3'(merge(32'(irq_en_q), axil_req_i.w_data, wmask));
        nna_csr_pkg::CsrSramCtrlOffset:
          if (axil_req_i.w_strb[0]) begin
            cache_off_d = axil_req_i.w_data[nna_csr_pkg::CsrSramCtrlActCacheOffLsb];
          end
        nna_csr_pkg::CsrProgDramLoOffset: prog_lo_d = merge(prog_lo_q, axil_req_i.w_data, wmask);
        nna_csr_pkg::CsrProgDramHiOffset:
          prog_hi_d = 16'(merge(32'(prog_hi_q), axil_req_i.w_data, wmask));
        nna_csr_pkg::CsrProgSramOffset: prog_sram_d = merge(prog_sram_q, axil_req_i.w_data, wmask);
        nna_csr_pkg::CsrProgWordsOffset:
          prog_words_d = merge(prog_words_q, axil_req_i.w_data, wmask);
        nna_csr_pkg::CsrWatchdogCyclesOffset:
          watchdog_d = merge(watchdog_q, axil_req_i.w_data, wmask);
        default: ;  // ro registers and unknown offsets ignore writes
      endcase
    end
    if (irq_done_set_i) irq_d[nna_csr_pkg::CsrIrqDoneLsb] = 1'b1;
    if (irq_error_set_i) irq_d[nna_csr_pkg::CsrIrqErrorLsb] = 1'b1;
    if (irq_overflow_set_i) irq_d[nna_csr_pkg::CsrIrqOverflowLsb] = 1'b1;

    unique case (axil_req_i.ar_addr)
      nna_csr_pkg::CsrIdOffset:         rd_val = nna_csr_pkg::CsrIdReset;
      nna_csr_pkg::CsrStatusOffset: begin
        rd_val = '0;
        rd_val[nna_csr_pkg::CsrStatusBusyLsb]  = status_i.busy;
        rd_val[nna_csr_pkg::CsrStatusDoneLsb]  = status_i.done;
        rd_val[nna_csr_pkg::CsrStatusErrorLsb] = status_i.error;
        rd_val[nna_csr_pkg::CsrStatusErrCodeLsb +: 8] = status_i.err_code;
        rd_val[nna_csr_pkg::CsrStatusQueuedLsb +: 4]  = status_i.queued;
      end
      nna_csr_pkg::CsrIrqOffset:        rd_val = 32'(irq_q);
      nna_csr_pkg::CsrIrqEnableOffset:  rd_val = 32'(irq_en_q);
      nna_csr_pkg::CsrProgDramLoOffset: rd_val = prog_lo_q;
      nna_csr_pkg::CsrProgDramHiOffset: rd_val = 32'(prog_hi_q);
      nna_csr_pkg::CsrProgSramOffset:   rd_val = prog_sram_q;
      nna_csr_pkg::CsrProgWordsOffset:  rd_val = prog_words_q;
      nna_csr_pkg::CsrErrInstrOffset:   rd_val = status_i.err_instr;
      nna_csr_pkg::CsrCyclesOffset:     rd_val = status_i.cycles;
      nna_csr_pkg::CsrMacCyclesOffset:  rd_val = status_i.mac_cycles;
      nna_csr_pkg::CsrInstrsDoneOffset: rd_val = status_i.instrs_done;
      nna_csr_pkg::CsrWatchdogCyclesOffset:    rd_val = watchdog_q;
      nna_csr_pkg::CsrDmaBusyCyclesOffset:     rd_val = perf_i.dma_busy_cycles;
      nna_csr_pkg::CsrComputeBusyCyclesOffset: rd_val = perf_i.compute_busy_cycles;
      nna_csr_pkg::CsrSimdBusyCyclesOffset:    rd_val = perf_i.simd_busy_cycles;
      nna_csr_pkg::CsrConflictStallsActOffset: rd_val = perf_i.conflict_stalls_act;
      nna_csr_pkg::CsrConflictStallsWtOffset:  rd_val = perf_i.conflict_stalls_wt;
      nna_csr_pkg::CsrConflictStallsWrOffset:  rd_val = perf_i.conflict_stalls_wr;
      nna_csr_pkg::CsrDmaReadBytesOffset:      rd_val = perf_i.dma_read_bytes;
      nna_csr_pkg::CsrDmaWriteBytesOffset:     rd_val = perf_i.dma_write_bytes;
      nna_csr_pkg::CsrDmaWaitCyclesOffset:     rd_val = perf_i.dma_wait_cycles;
      nna_csr_pkg::CsrComputeWaitCyclesOffset: rd_val = perf_i.compute_wait_cycles;
      nna_csr_pkg::CsrProgramsDoneOffset:      rd_val = status_i.programs_done;
      nna_csr_pkg::CsrSramCtrlOffset:          rd_val = 32'(cache_off_q);
      default:                          rd_val = '0;  // ctrl (w1s) and unknown offsets
    endcase
    rdata_d = rd_fire ? rd_val : rdata_q;
  end

  // The command pulses leave from flops: no combinational path from the bus into the sequencers.
  assign start_o         = start_q;
  assign abort_o         = abort_q;
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
  assign prog_dram_o     = {prog_hi_q, prog_lo_q};
  assign prog_sram_o     = prog_sram_q;
  assign prog_words_o    = prog_words_q;
  assign watchdog_cycles_o = watchdog_q;
  assign act_cache_off_o = cache_off_q;
  assign irq_o           = |(irq_q & irq_en_q);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      b_pending_q  <= 1'b0;
      r_pending_q  <= 1'b0;
      rdata_q      <= '0;
      start_q      <= 1'b0;
      abort_q      <= 1'b0;
      irq_q        <= '0;
      irq_en_q     <= 3'(nna_csr_pkg::CsrIrqEnableReset);
      cache_off_q  <= 1'b0;
      prog_lo_q    <= '0;
      prog_hi_q    <= '0;
      prog_sram_q  <= '0;
      prog_words_q <= '0;
      watchdog_q   <= nna_cfg_pkg::CsrWatchdogCyclesReset;
    end else begin
      b_pending_q  <= b_pending_d;
      r_pending_q  <= r_pending_d;
      rdata_q      <= rdata_d;
      start_q      <= start_d;
      abort_q      <= abort_d;
      irq_q        <= irq_d;
      irq_en_q     <= irq_en_d;
      cache_off_q  <= cache_off_d;
      prog_lo_q    <= prog_lo_d;
      prog_hi_q    <= prog_hi_d;
      prog_sram_q  <= prog_sram_d;
      prog_words_q <= prog_words_d;
      watchdog_q   <= watchdog_d;
    end
  end
endmodule
