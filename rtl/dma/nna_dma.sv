// The DMA engine: an AXI4 manager (its channels as nna_axi_pkg structs) that executes one
// DMA_READ or DMA_WRITE at a time (docs/architecture.md "DMA semantics"); the command sequencer
// also loads programs with it.
//
// A command moves `rows` rows of `row_bytes` bytes; row r starts at dram_addr + r*dram_stride and
// sram_addr + r*sram_stride. With planes_word the block repeats over `planes` planes, plane p
// shifted by p*dram_plane_stride and p*sram_plane_stride (rows plane by plane). Every row is cut
// at each multiple of D (the AXI data width) in DRAM address: each piece is one AXI beat. Two
// walkers step through the same sequence:
//   - the burst walker issues INCR bursts (AR or AW) of up to MaxBurst beats that never cross a
//     4 KB boundary nor a row end, beat-aligned addresses, up to MaxOutstanding bursts in flight;
//   - the beat walker follows beat by beat: for DMA_READ it turns each R beat into ONE SRAM write
//     (write-port requester DMA-in) of the row's bytes in that beat; for DMA_WRITE it issues one
//     SRAM read (weight-port requester DMA-out) per beat, whose response (one cycle later) is
//     shifted into place and queued with its WSTRB and WLAST for the W channel.
//
//   DMA_READ:  AR ->  DRAM  -> R beat --shift--> SRAM write (rready = SRAM write ready)
//   DMA_WRITE: AW ->  DRAM  <- W beat <--fifo-- shift <-- SRAM read  (credit-counted)
//                     B  -> count, done after the last B
// done_o pulses when the last R beat is written (read) or the last B arrives (write); err_o pulses
// with it when any RRESP/BRESP was not OKAY (err_code_o = AxiError). Beats with an error response
// are not written to SRAM.
`include "nna_assert.svh"

module nna_dma #(
  localparam int unsigned D       = nna_cfg_pkg::AxiDataBytes,
  localparam int unsigned A       = nna_cfg_pkg::AxiAddrBits,
  localparam int unsigned WrBytes = nna_cfg_pkg::SramWrPortBytes,
  localparam int unsigned RdBytes = nna_cfg_pkg::SramWtPortBytes
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  // command (held by the sender until cmd_ready_o)
  input  logic                           cmd_valid_i,
  output logic                           cmd_ready_o,
  input  nna_isa_pkg::dma_instr_t        cmd_i,
  input  nna_isa_pkg::dma_planes_instr_t cmd_planes_i,  // read when cmd_i.planes_word
  input  nna_isa_pkg::instr_idx_t       cmd_instr_i,
  output logic                           busy_o,
  output logic                           done_o,
  output logic                           err_o,
  output nna_isa_pkg::error_code_e       err_code_o,
  // AXI4 master
  output nna_axi_pkg::axi_req_t          axi_req_o,
  input  nna_axi_pkg::axi_rsp_t          axi_rsp_i,
  // SRAM write port (DMA-in requester)
  output logic                           wr_valid_o,
  input  logic                           wr_ready_i,
  output logic [31:0]                    wr_addr_o,
  output logic [WrBytes*8-1:0]           wr_data_o,
  output logic [WrBytes-1:0]             wr_mask_o,
  output nna_isa_pkg::instr_idx_t       wr_instr_o,
  // SRAM weight read port (DMA-out requester)
  output logic                           rd_req_valid_o,
  input  logic                           rd_req_ready_i,
  output logic [31:0]                    rd_req_addr_o,
  input  logic                           rd_rsp_valid_i,
  input  logic [RdBytes*8-1:0]           rd_rsp_data_i
);
  localparam int unsigned MaxBurst       = nna_cfg_pkg::AxiMaxBurst;
  localparam int unsigned DBits          = $clog2(D);
  localparam int unsigned MaxOutstanding = 4;  // AR or AW bursts in flight
  localparam int unsigned WBufDepth      = 4;  // beats between SRAM read and W channel
  localparam int unsigned WBufWidth      = D * 8 + D + 1;  // an nna_axi_pkg::axi_w_t
  localparam logic [A-1:0] BeatMask      = A'(D) - A'(1);

  `NNA_ASSERT_INIT(WrPortWidth_A, WrBytes >= D,
                   ("nna_dma: SRAM write port (%0d B) narrower than AXI (%0d B)", WrBytes, D))
  `NNA_ASSERT_INIT(RdPortWidth_A, RdBytes >= D,
                   ("nna_dma: SRAM read port (%0d B) narrower than AXI (%0d B)", RdBytes, D))
  `NNA_ASSERT_INIT(BeatDivides4k_A, 4096 % D == 0,
                   ("nna_dma: AXI width %0d does not divide 4 KB", D))

  // -----------------------------------------------------------------------------------------
  // Command register and FSM
  // -----------------------------------------------------------------------------------------
  typedef enum logic {
    StIdle,  // waiting for a command
    StRun    // walkers busy until every beat and response is done
  } state_e;

  state_e                  state_q, state_d;
  nna_isa_pkg::dma_instr_t cmd_q, cmd_d;
  nna_isa_pkg::instr_idx_t instr_q, instr_d;
  logic                    is_write, err_q, err_d;
  // The third dimension: 1 plane without a planes word.
  logic [15:0]             planes_q, planes_d;
  logic [31:0]             sps_q, sps_d;  // SRAM plane stride
  logic [A-1:0]            dps_q, dps_d;  // DRAM plane stride

  logic accept, finish;
  assign is_write = (cmd_q.opcode == nna_isa_pkg::OpDmaWrite);
  assign accept   = (state_q == StIdle) && cmd_valid_i;
  `NNA_ASSERT_IF(CmdMovesBytes_A, accept,
                 cmd_i.rows != 0 && cmd_i.row_bytes != 0 &&
                 (!cmd_i.planes_word || cmd_planes_i.planes != 0),
                 ("nna_dma: instruction %0d moves no bytes (rows %0d, row_bytes %0d)",
                  cmd_instr_i, cmd_i.rows, cmd_i.row_bytes))

  // -----------------------------------------------------------------------------------------
  // Burst walker (AR / AW)
  // -----------------------------------------------------------------------------------------
  logic [15:0]  bw_row_q, bw_row_d, bw_plane_q, bw_plane_d;
  logic [A-1:0] bw_ds_q, bw_ds_d;     // DRAM start of the row
  logic [A-1:0] bw_ps_q, bw_ps_d;     // DRAM start of the plane
  logic [A-1:0] bw_ba_q, bw_ba_d;     // aligned address of the next burst
  logic         bw_done_q, bw_done_d;
  logic [A-1:0] bw_lb, bw_next_ba, bw_next_ds;
  logic [31:0]  bw_left, bw_to4k, bw_len;
  logic         bw_fire;

  always_comb begin
    // Last beat address of the row.
    bw_lb      = (bw_ds_q + A'(cmd_q.row_bytes) - A'(1)) & ~BeatMask;
    bw_left    = 32'((bw_lb - bw_ba_q) >> DBits) + 32'd1;
    bw_to4k    = (32'd4096 - 32'(bw_ba_q[11:0])) >> DBits;
    bw_len     = MaxBurst;
    if (bw_left < bw_len) bw_len = bw_left;
    if (bw_to4k < bw_len) bw_len = bw_to4k;
    bw_next_ba = bw_ba_q + (A'(bw_len) << DBits);
    // The next row: in this plane, or the first of the next plane.
    bw_next_ds = (bw_row_q + 16'd1 == cmd_q.rows) ? bw_ps_q + dps_q
                                                   : bw_ds_q + A'(cmd_q.dram_stride);
  end

  // -----------------------------------------------------------------------------------------
  // Beat walker (R beats for DMA_READ, SRAM reads for DMA_WRITE)
  // -----------------------------------------------------------------------------------------
  logic [15:0]  dw_row_q, dw_row_d, dw_plane_q, dw_plane_d;
  logic [A-1:0] dw_ds_q, dw_ds_d;     // DRAM start of the row
  logic [31:0]  dw_ss_q, dw_ss_d;     // SRAM start of the row
  logic [A-1:0] dw_ps_q, dw_ps_d;     // DRAM start of the plane
  logic [31:0]  dw_pss_q, dw_pss_d;   // SRAM start of the plane
  logic         dw_plane_end;
  logic [A-1:0] dw_ba_q, dw_ba_d;     // aligned DRAM address of this beat
  logic [7:0]   dw_bcnt_q, dw_bcnt_d; // beats so far in this burst
  logic         dw_done_q, dw_done_d;
  logic [A-1:0] dw_de, dw_lb, dw_lo, dw_hi, dw_ba_end, dw_next_ds;
  logic [31:0]  dw_sram, dw_n, dw_next_ss;
  logic [DBits-1:0] dw_off;
  logic         dw_last_row, dw_last_burst, dw_fire;
  logic [D-1:0] dw_strb;

  always_comb begin
    dw_de         = dw_ds_q + A'(cmd_q.row_bytes);
    dw_lb         = (dw_de - A'(1)) & ~BeatMask;
    dw_ba_end     = dw_ba_q + A'(D);
    dw_lo         = (dw_ba_q < dw_ds_q) ? dw_ds_q : dw_ba_q;
    dw_hi         = (dw_ba_end < dw_de) ? dw_ba_end : dw_de;
    dw_n          = 32'(dw_hi - dw_lo);
    dw_off        = dw_lo[DBits-1:0];
    dw_sram       = dw_ss_q + 32'(dw_lo - dw_ds_q);
    dw_last_row   = (dw_ba_q == dw_lb);
    dw_last_burst = dw_last_row || (dw_ba_end[11:0] == 12'd0) ||
                    (32'(dw_bcnt_q) == MaxBurst - 1);
    dw_plane_end  = (dw_row_q + 16'd1 == cmd_q.rows);
    dw_next_ds    = dw_plane_end ? dw_ps_q + dps_q : dw_ds_q + A'(cmd_q.dram_stride);
    dw_next_ss    = dw_plane_end ? dw_pss_q + sps_q : dw_ss_q + 32'(cmd_q.sram_stride);
    // Byte lanes of this beat that belong to the row.
    for (int unsigned k = 0; k < D; k++) begin
      dw_strb[k] = (k >= 32'(dw_off)) && (k < 32'(dw_off) + dw_n);
    end
  end

  // -----------------------------------------------------------------------------------------
  // AXI address channels: AR for DMA_READ, AW for DMA_WRITE, both from the burst walker.
  // -----------------------------------------------------------------------------------------
  logic [3:0]           out_q, out_d;  // bursts in flight (AR without last R, or AW without B)
  logic                 ax_valid, ar_fire, aw_fire;
  nna_axi_pkg::axi_ax_t ax;

  always_comb begin
    ax_valid = (state_q == StRun) && !bw_done_q && (32'(out_q) < MaxOutstanding);
    ax.id    = '0;
    ax.addr  = bw_ba_q;
    ax.len   = 8'(bw_len - 1);
    ax.size  = 3'(DBits);
    ax.burst = nna_axi_pkg::BurstIncr;
    ar_fire  = ax_valid && !is_write && axi_rsp_i.ar_ready;
    aw_fire  = ax_valid && is_write && axi_rsp_i.aw_ready;
  end

  // -----------------------------------------------------------------------------------------
  // DMA_READ: R beats into SRAM writes
  // -----------------------------------------------------------------------------------------
  logic r_ready, r_fire, r_ok, b_fire;

  assign r_ok = (axi_rsp_i.r.resp == nna_axi_pkg::RespOkay);

  always_comb begin
    wr_valid_o = (state_q == StRun) && !is_write && axi_rsp_i.r_valid && r_ok;
    wr_addr_o  = dw_sram;
    wr_data_o  = (WrBytes*8)'(axi_rsp_i.r.data) >> (8 * 32'(dw_off));
    wr_mask_o  = WrBytes'(dw_strb) >> dw_off;
    wr_instr_o = instr_q;
  end

  // A beat with an error response is consumed without a write. (Kept apart from wr_valid_o: the
  // SRAM's ready depends on wr_valid_o.)
  assign r_ready = (state_q == StRun) && !is_write && (r_ok ? wr_ready_i : 1'b1);
  assign r_fire  = axi_rsp_i.r_valid && r_ready;
  `NNA_ASSERT_IF(RlastAsWalked_A, r_fire && state_q == StRun && !is_write,
                 axi_rsp_i.r.last == dw_last_burst,
                 ("nna_dma: RLAST %0d where the burst walker expects %0d", axi_rsp_i.r.last,
                  dw_last_burst))
  `NNA_ASSERT_IF(NoExtraRBeat_A, state_q == StRun && !is_write,
                 !dw_done_q || !axi_rsp_i.r_valid,
                 ("nna_dma: R beat after the last expected beat"))

  // -----------------------------------------------------------------------------------------
  // DMA_WRITE: SRAM reads, W buffer, B count
  // -----------------------------------------------------------------------------------------
  logic                  pend_q, pend_d;            // an SRAM read answers this cycle
  logic [DBits-1:0]      pend_off_q, pend_off_d;
  logic [D-1:0]          pend_strb_q, pend_strb_d;
  logic                  pend_last_q, pend_last_d;
  logic [31:0]           credits_q, credits_d;      // beats read or in the W buffer
  logic                  rd_fire, w_fire;
  logic                  wbuf_in_ready, wbuf_out_valid;
  nna_axi_pkg::axi_w_t   wbuf_in, wbuf_out;
  logic [$clog2(WBufDepth+1)-1:0] wbuf_usage;
  logic                  unused;

  // IDs are always 0 (one in-order stream); the W buffer's fill level is tracked by credits_q.
  // The planes word's reserved fields are checked at decode (nna_net_seq).
  assign unused = ^{axi_rsp_i.b.id, axi_rsp_i.r.id, wbuf_usage, wbuf_in_ready,
                    cmd_planes_i.reserved0, cmd_planes_i.reserved1, cmd_planes_i.reserved2,
                    cmd_planes_i.reserved3};

  // SRAM reads (apart from the block below: the SRAM's ready depends on this valid).
  assign rd_req_valid_o = (state_q == StRun) && is_write && !dw_done_q &&
                          (credits_q < WBufDepth);
  assign rd_req_addr_o  = dw_sram;
  assign rd_fire        = rd_req_valid_o && rd_req_ready_i;

  always_comb begin
    pend_d       = rd_fire;
    pend_off_d   = dw_off;
    pend_strb_d  = dw_strb;
    pend_last_d  = dw_last_burst;
    wbuf_in.data = (D*8)'((D*8+RdBytes*8)'(rd_rsp_data_i) << (8 * 32'(pend_off_q)));
    wbuf_in.strb = pend_strb_q;
    wbuf_in.last = pend_last_q;
    w_fire       = wbuf_out_valid && axi_rsp_i.w_ready;
    credits_d    = credits_q + 32'(rd_fire) - 32'(w_fire);
    b_fire       = axi_rsp_i.b_valid;  // B is always ready
  end

  nna_fifo #(.Width(WBufWidth), .Depth(WBufDepth)) u_wbuf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .flush_i    (1'b0),
    .in_valid_i (pend_q && rd_rsp_valid_i),
    .in_ready_o (wbuf_in_ready),
    .in_data_i  (wbuf_in),
    .out_valid_o(wbuf_out_valid),
    .out_ready_i(axi_rsp_i.w_ready),
    .out_data_o (wbuf_out),
    .usage_o    (wbuf_usage)
  );
  `NNA_ASSERT_IF(RdRspOnTime_A, pend_q, rd_rsp_valid_i, ("nna_dma: SRAM read response missing"))
  `NNA_ASSERT_IF(WBufRoom_A, pend_q, wbuf_in_ready, ("nna_dma: W buffer overflow"))

  // The manager's half of the AXI channels.
  always_comb begin
    axi_req_o          = '0;
    axi_req_o.aw_valid = ax_valid && is_write;
    axi_req_o.aw       = ax;
    axi_req_o.w_valid  = wbuf_out_valid;
    axi_req_o.w        = wbuf_out;
    axi_req_o.b_ready  = 1'b1;
    axi_req_o.ar_valid = ax_valid && !is_write;
    axi_req_o.ar       = ax;
    axi_req_o.r_ready  = r_ready;
  end

  // -----------------------------------------------------------------------------------------
  // Walkers, counters and FSM
  // -----------------------------------------------------------------------------------------
  always_comb begin
    state_d   = state_q;
    cmd_d     = cmd_q;
    instr_d   = instr_q;
    err_d     = err_q;
    planes_d  = planes_q;
    sps_d     = sps_q;
    dps_d     = dps_q;
    bw_row_d  = bw_row_q;
    bw_plane_d = bw_plane_q;
    bw_ps_d   = bw_ps_q;
    bw_ds_d   = bw_ds_q;
    bw_ba_d   = bw_ba_q;
    bw_done_d = bw_done_q;
    dw_row_d  = dw_row_q;
    dw_plane_d = dw_plane_q;
    dw_ps_d   = dw_ps_q;
    dw_pss_d  = dw_pss_q;
    dw_ds_d   = dw_ds_q;
    dw_ss_d   = dw_ss_q;
    dw_ba_d   = dw_ba_q;
    dw_bcnt_d = dw_bcnt_q;
    dw_done_d = dw_done_q;
    out_d     = out_q;
    finish    = 1'b0;
    bw_fire   = ar_fire || aw_fire;
    dw_fire   = is_write ? rd_fire : r_fire;

    // Burst walker: next burst, next row, next plane, or done.
    if (bw_fire) begin
      if (bw_next_ba > bw_lb) begin
        if (bw_row_q + 16'd1 == cmd_q.rows && bw_plane_q + 16'd1 == planes_q) begin
          bw_done_d = 1'b1;
        end else begin
          bw_row_d = (bw_row_q + 16'd1 == cmd_q.rows) ? '0 : bw_row_q + 16'd1;
          if (bw_row_q + 16'd1 == cmd_q.rows) begin
            bw_plane_d = bw_plane_q + 16'd1;
            bw_ps_d    = bw_next_ds;
          end
          bw_ds_d  = bw_next_ds;
          bw_ba_d  = bw_next_ds & ~BeatMask;
        end
      end else begin
        bw_ba_d = bw_next_ba;
      end
    end

    // Beat walker: next beat, next row, or done.
    if (dw_fire) begin
      dw_bcnt_d = dw_last_burst ? 8'd0 : dw_bcnt_q + 8'd1;
      if (dw_last_row) begin
        if (dw_plane_end && dw_plane_q + 16'd1 == planes_q) begin
          dw_done_d = 1'b1;
        end else begin
          dw_row_d = dw_plane_end ? '0 : dw_row_q + 16'd1;
          if (dw_plane_end) begin
            dw_plane_d = dw_plane_q + 16'd1;
            dw_ps_d    = dw_next_ds;
            dw_pss_d   = dw_next_ss;
          end
          dw_ds_d  = dw_next_ds;
          dw_ss_d  = dw_next_ss;
          dw_ba_d  = dw_next_ds & ~BeatMask;
        end
      end else begin
        dw_ba_d = dw_ba_end;
      end
    end

    // Bursts in flight: +1 per AR/AW, -1 per last R beat or B.
    out_d = out_q + 4'(bw_fire) - 4'(r_fire && axi_rsp_i.r.last && !is_write) -
            4'(b_fire && is_write && state_q == StRun);
    if (r_fire && !r_ok) err_d = 1'b1;
    if (b_fire && is_write && state_q == StRun && axi_rsp_i.b.resp != 2'b00) err_d = 1'b1;

    unique case (state_q)
      StIdle: begin
        if (accept) begin
          state_d   = StRun;
          cmd_d     = cmd_i;
          instr_d   = cmd_instr_i;
          err_d     = 1'b0;
          planes_d  = cmd_i.planes_word ? cmd_planes_i.planes : 16'd1;
          sps_d     = cmd_i.planes_word ? cmd_planes_i.sram_plane_stride : '0;
          dps_d     = cmd_i.planes_word ? A'(cmd_planes_i.dram_plane_stride) : '0;
          bw_row_d  = '0;
          bw_plane_d = '0;
          bw_ps_d   = A'(cmd_i.dram_addr);
          bw_ds_d   = A'(cmd_i.dram_addr);
          bw_ba_d   = A'(cmd_i.dram_addr) & ~BeatMask;
          bw_done_d = 1'b0;
          dw_row_d  = '0;
          dw_plane_d = '0;
          dw_ps_d   = A'(cmd_i.dram_addr);
          dw_pss_d  = cmd_i.sram_addr;
          dw_ds_d   = A'(cmd_i.dram_addr);
          dw_ss_d   = cmd_i.sram_addr;
          dw_ba_d   = A'(cmd_i.dram_addr) & ~BeatMask;
          dw_bcnt_d = '0;
          dw_done_d = 1'b0;
          out_d     = '0;
        end
      end
      StRun: begin
        // Read: the last beat is in. Write: every beat sent and every B back.
        if (bw_done_q && dw_done_q && out_q == '0 && credits_q == '0) begin
          state_d = StIdle;
          finish  = 1'b1;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  assign cmd_ready_o = (state_q == StIdle);
  assign busy_o      = (state_q != StIdle);
  assign done_o      = finish;
  assign err_o       = finish && err_q;
  assign err_code_o  = err_q ? nna_isa_pkg::ErrAxiError : nna_isa_pkg::ErrNone;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      cmd_q       <= '0;
      instr_q     <= '0;
      err_q       <= 1'b0;
      planes_q    <= 16'd1;
      sps_q       <= '0;
      dps_q       <= '0;
      bw_row_q    <= '0;
      bw_plane_q  <= '0;
      bw_ps_q     <= '0;
      bw_ds_q     <= '0;
      bw_ba_q     <= '0;
      bw_done_q   <= 1'b0;
      dw_row_q    <= '0;
      dw_plane_q  <= '0;
      dw_ps_q     <= '0;
      dw_pss_q    <= '0;
      dw_ds_q     <= '0;
      dw_ss_q     <= '0;
      dw_ba_q     <= '0;
      dw_bcnt_q   <= '0;
      dw_done_q   <= 1'b0;
      out_q       <= '0;
      pend_q      <= 1'b0;
      pend_off_q  <= '0;
      pend_strb_q <= '0;
      pend_last_q <= 1'b0;
      credits_q   <= '0;
    end else begin
      state_q     <= state_d;
      cmd_q       <= cmd_d;
      instr_q     <= instr_d;
      err_q       <= err_d;
      planes_q    <= planes_d;
      sps_q       <= sps_d;
      dps_q       <= dps_d;
      bw_row_q    <= bw_row_d;
      bw_plane_q  <= bw_plane_d;
      bw_ps_q     <= bw_ps_d;
      bw_ds_q     <= bw_ds_d;
      bw_ba_q     <= bw_ba_d;
      bw_done_q   <= bw_done_d;
      dw_row_q    <= dw_row_d;
      dw_plane_q  <= dw_plane_d;
      dw_ps_q     <= dw_ps_d;
      dw_pss_q    <= dw_pss_d;
      dw_ds_q     <= dw_ds_d;
      dw_ss_q     <= dw_ss_d;
      dw_ba_q     <= dw_ba_d;
      dw_bcnt_q   <= dw_bcnt_d;
      dw_done_q   <= dw_done_d;
      out_q       <= out_d;
      pend_q      <= pend_d;
      pend_off_q  <= pend_off_d;
      pend_strb_q <= pend_strb_d;
      pend_last_q <= pend_last_d;
      credits_q   <= credits_d;
    end
  end

endmodule
