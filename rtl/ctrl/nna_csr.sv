// AXI4-Lite slave holding the control and status registers of spec/csr.yaml (nna_csr_pkg).
// rw registers keep what is written (byte strobes honoured), ro registers show the inputs, ctrl is
// write-1-to-set (start_o / abort_o pulse for one cycle, the cycle after the write; reads 0), irq is write-1-to-clear and is
// set by irq_*_set_i (a set wins over a clear in the same cycle). Unknown offsets read 0 and
// answer OKAY. irq_o = |(irq & irq_enable). watchdog_cycles resets to the configuration's value
// (nna_cfg_pkg::CsrWatchdogCyclesReset); the network sequencer reads it live.
// Schedule: a write is taken when AW and W are both valid and no B is pending (AWREADY = WREADY =
// that condition); B follows in the next cycle. A read is taken when no R is pending; R follows
// in the next cycle with the register value of the handshake cycle.
module nna_csr (
  input  logic        clk_i,
  input  logic        rst_ni,
  // AXI4-Lite slave
  input  logic        s_axil_awvalid_i,
  output logic        s_axil_awready_o,
  input  logic [7:0]  s_axil_awaddr_i,
  input  logic        s_axil_wvalid_i,
  output logic        s_axil_wready_o,
  input  logic [31:0] s_axil_wdata_i,
  input  logic [3:0]  s_axil_wstrb_i,
  output logic        s_axil_bvalid_o,
  input  logic        s_axil_bready_i,
  output logic [1:0]  s_axil_bresp_o,
  input  logic        s_axil_arvalid_i,
  output logic        s_axil_arready_o,
  input  logic [7:0]  s_axil_araddr_i,
  output logic        s_axil_rvalid_o,
  input  logic        s_axil_rready_i,
  output logic [31:0] s_axil_rdata_o,
  output logic [1:0]  s_axil_rresp_o,
  // commands and program registers
  output logic        start_o,
  output logic        abort_o,
  output logic [47:0] prog_dram_o,
  output logic [31:0] prog_sram_o,
  output logic [31:0] prog_words_o,
  output logic [31:0] watchdog_cycles_o,
  output logic        act_cache_off_o,
  // status from the command sequencer
  input  logic        busy_i,
  input  logic        done_i,
  input  logic        error_i,
  input  nna_isa_pkg::error_code_e err_code_i,
  input  logic [31:0] err_instr_i,
  input  logic [31:0] cycles_i,
  input  logic [31:0] mac_cycles_i,
  input  logic [31:0] instrs_done_i,
  input  logic [31:0] programs_done_i,
  input  logic [3:0]  queued_i,
  // performance counters (nna_perf_counters)
  input  logic [31:0] dma_busy_cycles_i,
  input  logic [31:0] compute_busy_cycles_i,
  input  logic [31:0] simd_busy_cycles_i,
  input  logic [31:0] conflict_stalls_act_i,
  input  logic [31:0] conflict_stalls_wt_i,
  input  logic [31:0] conflict_stalls_wr_i,
  input  logic [31:0] dma_read_bytes_i,
  input  logic [31:0] dma_write_bytes_i,
  input  logic [31:0] dma_wait_cycles_i,
  input  logic [31:0] compute_wait_cycles_i,
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
    for (int unsigned i = 0; i < 4; i++) wmask[i*8 +: 8] = {8{s_axil_wstrb_i[i]}};
    // Both halves of a write must be present; the slave may wait for both (AXI4-Lite allows it).
    wr_fire = s_axil_awvalid_i && s_axil_wvalid_i && !b_pending_q;
    rd_fire = s_axil_arvalid_i && !r_pending_q;
    s_axil_awready_o = wr_fire;
    s_axil_wready_o  = wr_fire;
    s_axil_arready_o = !r_pending_q;

    b_pending_d  = (b_pending_q && !s_axil_bready_i) || wr_fire;
    r_pending_d  = (r_pending_q && !s_axil_rready_i) || rd_fire;
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
      unique case (s_axil_awaddr_i)
        nna_csr_pkg::CsrCtrlOffset: begin
          start_d = s_axil_wdata_i[nna_csr_pkg::CsrCtrlStartLsb] && s_axil_wstrb_i[0];
          abort_d = s_axil_wdata_i[nna_csr_pkg::CsrCtrlAbortLsb] && s_axil_wstrb_i[0];
        end
        nna_csr_pkg::CsrIrqOffset: irq_d = irq_q & ~(s_axil_wdata_i[2:0] & wmask[2:0]);
        nna_csr_pkg::CsrIrqEnableOffset: irq_en_d = 3'(merge(32'(irq_en_q), s_axil_wdata_i, wmask));
        nna_csr_pkg::CsrSramCtrlOffset:
          if (s_axil_wstrb_i[0]) cache_off_d = s_axil_wdata_i[nna_csr_pkg::CsrSramCtrlActCacheOffLsb];
        nna_csr_pkg::CsrProgDramLoOffset: prog_lo_d = merge(prog_lo_q, s_axil_wdata_i, wmask);
        nna_csr_pkg::CsrProgDramHiOffset: prog_hi_d = 16'(merge(32'(prog_hi_q), s_axil_wdata_i, wmask));
        nna_csr_pkg::CsrProgSramOffset: prog_sram_d = merge(prog_sram_q, s_axil_wdata_i, wmask);
        nna_csr_pkg::CsrProgWordsOffset: prog_words_d = merge(prog_words_q, s_axil_wdata_i, wmask);
        nna_csr_pkg::CsrWatchdogCyclesOffset: watchdog_d = merge(watchdog_q, s_axil_wdata_i, wmask);
        default: ;  // ro registers and unknown offsets ignore writes
      endcase
    end
    if (irq_done_set_i) irq_d[nna_csr_pkg::CsrIrqDoneLsb] = 1'b1;
    if (irq_error_set_i) irq_d[nna_csr_pkg::CsrIrqErrorLsb] = 1'b1;
    if (irq_overflow_set_i) irq_d[nna_csr_pkg::CsrIrqOverflowLsb] = 1'b1;

    unique case (s_axil_araddr_i)
      nna_csr_pkg::CsrIdOffset:         rd_val = nna_csr_pkg::CsrIdReset;
      nna_csr_pkg::CsrStatusOffset: begin
        rd_val = '0;
        rd_val[nna_csr_pkg::CsrStatusBusyLsb]  = busy_i;
        rd_val[nna_csr_pkg::CsrStatusDoneLsb]  = done_i;
        rd_val[nna_csr_pkg::CsrStatusErrorLsb] = error_i;
        rd_val[nna_csr_pkg::CsrStatusErrCodeLsb +: 8] = err_code_i;
        rd_val[nna_csr_pkg::CsrStatusQueuedLsb +: 4]  = queued_i;
      end
      nna_csr_pkg::CsrIrqOffset:        rd_val = 32'(irq_q);
      nna_csr_pkg::CsrIrqEnableOffset:  rd_val = 32'(irq_en_q);
      nna_csr_pkg::CsrProgDramLoOffset: rd_val = prog_lo_q;
      nna_csr_pkg::CsrProgDramHiOffset: rd_val = 32'(prog_hi_q);
      nna_csr_pkg::CsrProgSramOffset:   rd_val = prog_sram_q;
      nna_csr_pkg::CsrProgWordsOffset:  rd_val = prog_words_q;
      nna_csr_pkg::CsrErrInstrOffset:   rd_val = err_instr_i;
      nna_csr_pkg::CsrCyclesOffset:     rd_val = cycles_i;
      nna_csr_pkg::CsrMacCyclesOffset:  rd_val = mac_cycles_i;
      nna_csr_pkg::CsrInstrsDoneOffset: rd_val = instrs_done_i;
      nna_csr_pkg::CsrWatchdogCyclesOffset:    rd_val = watchdog_q;
      nna_csr_pkg::CsrDmaBusyCyclesOffset:     rd_val = dma_busy_cycles_i;
      nna_csr_pkg::CsrComputeBusyCyclesOffset: rd_val = compute_busy_cycles_i;
      nna_csr_pkg::CsrSimdBusyCyclesOffset:    rd_val = simd_busy_cycles_i;
      nna_csr_pkg::CsrConflictStallsActOffset: rd_val = conflict_stalls_act_i;
      nna_csr_pkg::CsrConflictStallsWtOffset:  rd_val = conflict_stalls_wt_i;
      nna_csr_pkg::CsrConflictStallsWrOffset:  rd_val = conflict_stalls_wr_i;
      nna_csr_pkg::CsrDmaReadBytesOffset:      rd_val = dma_read_bytes_i;
      nna_csr_pkg::CsrDmaWriteBytesOffset:     rd_val = dma_write_bytes_i;
      nna_csr_pkg::CsrDmaWaitCyclesOffset:     rd_val = dma_wait_cycles_i;
      nna_csr_pkg::CsrComputeWaitCyclesOffset: rd_val = compute_wait_cycles_i;
      nna_csr_pkg::CsrProgramsDoneOffset:      rd_val = programs_done_i;
      nna_csr_pkg::CsrSramCtrlOffset:          rd_val = 32'(cache_off_q);
      default:                          rd_val = '0;  // ctrl (w1s) and unknown offsets
    endcase
    rdata_d = rd_fire ? rd_val : rdata_q;
  end

  // The command pulses leave from flops: no combinational path from the bus into the sequencers.
  assign start_o         = start_q;
  assign abort_o         = abort_q;
  assign s_axil_bvalid_o = b_pending_q;
  assign s_axil_bresp_o  = 2'b00;
  assign s_axil_rvalid_o = r_pending_q;
  assign s_axil_rdata_o  = rdata_q;
  assign s_axil_rresp_o  = 2'b00;
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
