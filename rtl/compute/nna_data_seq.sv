// nna_data_seq: the data sequencer of a dot-product instruction. Receives the read responses of
// the address sequencer's streams, assembles activation packets, feeds the MAC array and unloads
// its shift registers into the SIMD unit.
//
//   act responses --gather--> act FIFO --+
//                                        +--> broadcast (valid, first, last) --> MAC array
//   wt responses  --> wt prefetch buffer -+
//   MAC shift registers --row 0, one per cycle--> SIMD unit (with channel, address, lane mask)
//
// Schedule: a descriptor accepted by the address sequencer in cycle t has its response in t+1;
// the served lanes take their bytes from it in t+1 and the term's last descriptor pushes the
// packet into the act FIFO in t+1 (unserved lanes of a term read pad_value: padding, no pixel).
// Room for a response is reserved before the request (act_room_o/wt_room_o count the FIFO
// entries plus the response in flight), as responses cannot wait.
// A term is broadcast in the cycle both FIFO heads are present; term k = 0 carries first,
// k = dot_len-1 carries last. The last term loads the shift registers, so it waits until the
// previous tile's rows have all left (a shift-register stall, counted on sr_stall_o); other
// terms never wait for the unload. The unload emits rows 0..rows-1, one per cycle the SIMD unit
// accepts, rows = min(M, group_out_c - t*M) for channel tile ct = g*group_tiles + t; row j is
// output channel co = g*group_out_c + t*M + j.
// SCALE and ELTWISE (docs/architecture.md, "SIMD-only instructions") read no weights: term k's
// weight row is made here, 1 in row k and 0 elsewhere. ELTWISE unloads rows 0 (tensor a) and 1
// (tensor b), both of channel co = ct with the same output address; the SIMD unit pairs them.
`include "nna_assert.svh"

module nna_data_seq (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic start_i,   // pulse: begin the tile phase of instr_i (held stable until done)
  input  nna_isa_pkg::compute_instr_t instr_i,
  // activation descriptors and responses
  input  logic act_fire_i,
  input  logic act_desc_first_i,
  input  logic act_desc_last_i,
  input  logic act_desc_load_i,
  input  logic [nna_cfg_pkg::ArrayCols-1:0] act_desc_mask_i,
  input  logic [nna_cfg_pkg::ArrayCols*$clog2(nna_cfg_pkg::SramActPortBytes)-1:0] act_desc_off_i,
  input  logic act_rsp_valid_i,
  input  logic [nna_cfg_pkg::SramActPortBytes*8-1:0] act_rsp_data_i,
  output logic act_room_o,
  // weight requests and responses
  input  logic wt_fire_i,
  input  logic [31:0] wt_bytes_i,   // bytes of the request that belong to the weight stream
  input  logic wt_rsp_valid_i,
  input  logic [nna_cfg_pkg::SramWtPortBytes*8-1:0] wt_rsp_data_i,
  output logic wt_room_o,           // room for one more chunk of SramWtPortBytes
  // MAC array
  output logic mac_valid_o,
  output logic mac_first_o,
  output logic mac_last_o,
  output logic [nna_cfg_pkg::ArrayCols*8-1:0] mac_act_o,
  output logic [nna_cfg_pkg::ArrayRows*8-1:0] mac_wt_o,
  output logic mac_shift_o,
  // rows into the SIMD unit
  output logic        row_valid_o,
  input  logic        row_ready_i,
  output logic [15:0] row_pt_o,
  output logic [15:0] row_ct_o,
  output logic [15:0] row_idx_o,
  output logic [15:0] row_co_o,
  output logic [31:0] row_addr_o,
  output logic [nna_cfg_pkg::ArrayCols-1:0] row_mask_o,
  output logic        done_o,      // every term broadcast and every row unloaded
  output logic        sr_stall_o,  // a last term waits for the shift registers this cycle
  output nna_isa_pkg::compute_cycle_e cyc_o  // cause of this cycle in the tile phase
);
  localparam int unsigned N = nna_cfg_pkg::ArrayCols;
  localparam int unsigned M = nna_cfg_pkg::ArrayRows;
  localparam int unsigned OffBits = $clog2(nna_cfg_pkg::SramActPortBytes);
  localparam int unsigned ActDepth = 4;
  // Weight prefetch buffer: words of WtWord bytes (the largest size dividing a row and a chunk),
  // room for WtBufChunks chunks.
  localparam int unsigned WtBytes     = nna_cfg_pkg::SramWtPortBytes;
  localparam int unsigned WtWord      = Gcd(M, WtBytes);
  localparam int unsigned RowWords    = M / WtWord;
  localparam int unsigned ChunkWords  = WtBytes / WtWord;
  localparam int unsigned WtBufChunks = 16;
  localparam int unsigned WtBufWords  = WtBufChunks * ChunkWords;
  localparam int unsigned WtPtrBits   = $clog2(WtBufWords);
  localparam int unsigned WtCntBits   = $clog2(WtBufWords + 1);

  // Greatest common divisor (a constant function: no return statement, for Yosys).
  function automatic int unsigned Gcd(int unsigned a, int unsigned b);
    int unsigned x, y, t;
    x = a;
    y = b;
    for (int i = 0; i < 32; i++) begin
      if (y != 0) begin
        t = x % y;
        x = y;
        y = t;
      end
    end
    Gcd = x;
  endfunction

  // ---------------------------------------------------------------------------------------------
  // Response stage and packet assembly.
  logic                 rs_valid_q, rs_first_q, rs_last_q, rs_load_q, w_rs_valid_q;
  logic [N-1:0]         rs_mask_q;
  logic [N*OffBits-1:0] rs_off_q;
  logic [N*8-1:0]       pkt_q, pkt_d;
  logic                 act_push, act_in_ready, act_head_valid, act_pop;
  logic                 wt_head_valid, wt_pop;
  logic [$clog2(ActDepth+1)-1:0] act_usage;

  always_comb begin
    pkt_d = pkt_q;
    if (rs_valid_q) begin
      for (int i = 0; i < N; i++) begin
        if (rs_load_q && rs_mask_q[i]) begin
          pkt_d[i*8 +: 8] = act_rsp_data_i[32'(rs_off_q[i*OffBits +: OffBits])*8 +: 8];
        end else if (rs_first_q) begin
          pkt_d[i*8 +: 8] = instr_i.pad_value;  // padding, deconv gaps (0 but on CONV, DECONV)
        end
      end
    end
  end

  assign act_push   = rs_valid_q && rs_last_q;
  // Room for the response of one more descriptor, counting the push of this cycle.
  assign act_room_o = (32'(act_usage) + 32'(act_push)) < ActDepth;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rs_valid_q   <= 1'b0;
      w_rs_valid_q <= 1'b0;
    end else begin
      rs_valid_q   <= act_fire_i;
      w_rs_valid_q <= wt_fire_i;
    end
  end

  always_ff @(posedge clk_i) begin
    rs_first_q <= act_desc_first_i;
    rs_last_q  <= act_desc_last_i;
    rs_load_q  <= act_desc_load_i;
    rs_mask_q  <= act_desc_mask_i;
    rs_off_q   <= act_desc_off_i;
    pkt_q      <= pkt_d;
  end

  nna_fifo #(.Width(N*8), .Depth(ActDepth)) u_act_fifo (
    .clk_i, .rst_ni,
    .flush_i    (1'b0),
    .in_valid_i (act_push),
    .in_ready_o (act_in_ready),
    .in_data_i  (pkt_d),
    .out_valid_o(act_head_valid),
    .out_ready_i(act_pop),
    .out_data_o (mac_act_o),
    .usage_o    (act_usage)
  );

  // Weight prefetch buffer: a ring of words; a response appends its words, a broadcast takes the
  // RowWords words at the head. Room is reserved for a whole chunk before each request.
  logic [WtWord*8-1:0]  wt_mem_q [WtBufWords];
  logic [WtPtrBits-1:0] wt_wr_q, wt_wr_d, wt_rd_q, wt_rd_d;
  logic [WtCntBits-1:0] wt_cnt_q, wt_cnt_d;
  logic [WtCntBits-1:0] wt_rs_words_q, wt_push_words;
  logic [M*8-1:0]       wt_buf_row;  // the weight row at the head of the buffer
  logic                 made_wt, elt;

  assign elt     = (instr_i.opcode == nna_isa_pkg::OpEltwise);
  assign made_wt = elt || (instr_i.opcode == nna_isa_pkg::OpScale);

  assign wt_push_words = w_rs_valid_q ? wt_rs_words_q : '0;
  assign wt_room_o     = 32'(wt_cnt_q) + 32'(wt_push_words) + ChunkWords <= WtBufWords;
  assign wt_head_valid = made_wt || 32'(wt_cnt_q) >= RowWords;

  always_comb begin
    wt_wr_d  = WtPtrBits'((32'(wt_wr_q) + 32'(wt_push_words)) % WtBufWords);
    wt_rd_d  = wt_pop ? WtPtrBits'((32'(wt_rd_q) + RowWords) % WtBufWords) : wt_rd_q;
    wt_cnt_d = wt_cnt_q + wt_push_words - (wt_pop ? WtCntBits'(RowWords) : '0);
    for (int unsigned k = 0; k < RowWords; k++) begin
      wt_buf_row[k*WtWord*8 +: WtWord*8] = wt_mem_q[(32'(wt_rd_q) + k) % WtBufWords];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wt_wr_q  <= '0;
      wt_rd_q  <= '0;
      wt_cnt_q <= '0;
    end else begin
      wt_wr_q  <= wt_wr_d;
      wt_rd_q  <= wt_rd_d;
      wt_cnt_q <= wt_cnt_d;
    end
  end

  always_ff @(posedge clk_i) begin
    wt_rs_words_q <= WtCntBits'(wt_bytes_i / WtWord);
  end

  // Storage: word k of a response lands at wr + k.
  for (genvar e = 0; e < WtBufWords; e++) begin : g_wt_word
    logic [31:0] k;
    assign k = (32'(e) + WtBufWords - 32'(wt_wr_q)) % WtBufWords;
    always_ff @(posedge clk_i) begin
      if (w_rs_valid_q && k < 32'(wt_rs_words_q)) begin
        wt_mem_q[e] <= wt_rsp_data_i[(k % ChunkWords)*WtWord*8 +: WtWord*8];
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Broadcast and tile bookkeeping.
  logic        pixel_major;
  logic [31:0] pix_total, group_out_c, ops, ct_out_step, grp_out_step;
  logic [31:0] bc_k_q, bc_k_d, bc_pt_q, bc_pt_d, bc_ct_q, bc_ct_d;
  logic [31:0] co_base_q, co_base_d, pix_base_q, pix_base_d, ct_off_q, ct_off_d;
  // Group of the current channel tile, kept by counters (no divider): sub-tile t, the group's
  // first output channel and its output offset.
  logic [31:0] bc_t_q, bc_t_d, grp_co_q, grp_co_d, grp_off_q, grp_off_d;
  logic        bc_done_q, bc_done_d;
  logic        adv_pt, rst_pt, adv_ct, rst_ct;  // tile-loop steps of this cycle
  logic        bc, bc_last, sr_free, unload_fire, unload_last;
  logic [31:0] tile_pix, grp_left;
  logic [31:0] tile_rows;  // at most M
  logic [N-1:0] tile_mask;

  // Shift-register (unload) state.
  logic        sr_busy_q, sr_busy_d;
  logic [15:0] sr_pt_q, sr_pt_d, sr_ct_q, sr_ct_d, sr_row_q, sr_row_d, sr_rows_q, sr_rows_d;
  logic [15:0] sr_co_q, sr_co_d;
  logic [31:0] sr_addr_q, sr_addr_d;
  logic [N-1:0] sr_mask_q, sr_mask_d;

  assign pixel_major = (instr_i.order == nna_isa_pkg::OrderPixelMajor);
  assign pix_total   = 32'(instr_i.out_h) * 32'(instr_i.out_w);
  assign group_out_c = 32'(instr_i.group_out_c);
  assign ops         = instr_i.out_plane_stride;
  assign ct_out_step = 32'(M) * ops;
  assign grp_out_step = group_out_c * ops;  // instruction constant
  // channels of the group from this tile on
  assign grp_left    = grp_co_q + group_out_c - co_base_q;
  assign tile_rows   = elt ? 32'd2 : (grp_left >= 32'(M)) ? 32'(M) : grp_left;
  assign tile_pix    = pix_total - pix_base_q;
  for (genvar i = 0; i < N; i++) begin : g_mask
    assign tile_mask[i] = (32'(i) < tile_pix);
  end

  assign unload_fire = row_valid_o && row_ready_i;
  assign unload_last = (sr_row_q == sr_rows_q - 16'd1);
  // The shift registers can take a new tile when empty or when their last row leaves now.
  assign sr_free     = !sr_busy_q || (unload_fire && unload_last);
  assign bc_last     = (bc_k_q == instr_i.dot_len - 32'd1);
  assign bc          = act_head_valid && wt_head_valid && (!bc_last || sr_free) && !bc_done_q;
  assign sr_stall_o  = act_head_valid && wt_head_valid && bc_last && !sr_free && !bc_done_q;
  assign act_pop     = bc;
  assign wt_pop      = bc && !made_wt;
  assign mac_valid_o = bc;
  assign mac_first_o = (bc_k_q == 32'd0);
  for (genvar j = 0; j < M; j++) begin : g_made_wt
    assign mac_wt_o[j*8 +: 8] = made_wt ? {7'd0, 32'(j) == bc_k_q} : wt_buf_row[j*8 +: 8];
  end
  assign mac_last_o  = bc_last;
  assign mac_shift_o = unload_fire;

  assign row_valid_o = sr_busy_q;
  assign row_pt_o    = sr_pt_q;
  assign row_ct_o    = sr_ct_q;
  assign row_idx_o   = sr_row_q;
  assign row_co_o    = sr_co_q;
  assign row_addr_o  = sr_addr_q;
  assign row_mask_o  = sr_mask_q;
  assign done_o      = bc_done_q && !sr_busy_q;

  // Cycle accounting (docs/architecture.md): fill until the first term since start_i, then the
  // first cause that applies. Without a broadcast and with terms left, one of the three waits
  // holds: a stalled last term, a missing packet, or a packet without its weight row.
  logic taken_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)      taken_q <= 1'b0;
    else if (start_i) taken_q <= 1'b0;
    else if (bc)      taken_q <= 1'b1;
  end
  always_comb begin
    if (bc)                  cyc_o = nna_isa_pkg::CycMac;
    else if (!taken_q)       cyc_o = nna_isa_pkg::CycFill;
    else if (bc_done_q)      cyc_o = nna_isa_pkg::CycDrain;
    else if (sr_stall_o)     cyc_o = nna_isa_pkg::CycWaitUnload;
    else if (!act_head_valid) cyc_o = nna_isa_pkg::CycWaitActivations;
    else                     cyc_o = nna_isa_pkg::CycWaitWeights;
  end

  always_comb begin
    bc_k_d     = bc_k_q;
    bc_pt_d    = bc_pt_q;
    bc_ct_d    = bc_ct_q;
    bc_t_d     = bc_t_q;
    grp_co_d   = grp_co_q;
    grp_off_d  = grp_off_q;
    co_base_d  = co_base_q;
    pix_base_d = pix_base_q;
    ct_off_d   = ct_off_q;
    bc_done_d  = bc_done_q;
    sr_busy_d  = sr_busy_q;
    sr_pt_d    = sr_pt_q;
    sr_ct_d    = sr_ct_q;
    sr_row_d   = sr_row_q;
    sr_rows_d  = sr_rows_q;
    sr_co_d    = sr_co_q;
    sr_addr_d  = sr_addr_q;
    sr_mask_d  = sr_mask_q;
    adv_pt     = 1'b0;
    rst_pt     = start_i;
    adv_ct     = 1'b0;
    rst_ct     = start_i;
    if (unload_fire) begin
      sr_row_d  = sr_row_q + 16'd1;
      if (!elt) begin  // ELTWISE's two rows are one output row
        sr_co_d   = sr_co_q + 16'd1;
        sr_addr_d = sr_addr_q + ops;
      end
      if (unload_last) sr_busy_d = 1'b0;
    end
    if (start_i) begin
      bc_k_d     = '0;
      bc_done_d  = 1'b0;
    end else if (bc) begin
      if (!bc_last) begin
        bc_k_d = bc_k_q + 32'd1;
      end else begin
        bc_k_d = '0;
        // The finished tile moves into the shift registers.
        sr_busy_d = 1'b1;
        sr_pt_d   = bc_pt_q[15:0];
        sr_ct_d   = bc_ct_q[15:0];
        sr_row_d  = '0;
        sr_rows_d = tile_rows[15:0];
        sr_co_d   = co_base_q[15:0];
        sr_addr_d = instr_i.out_addr + ct_off_q + pix_base_q;
        sr_mask_d = tile_mask;
        if (bc_pt_q == 32'(instr_i.pix_tiles) - 32'd1 &&
            bc_ct_q == 32'(instr_i.ch_tiles) - 32'd1) begin
          bc_done_d = 1'b1;
        end else if (pixel_major) begin
          if (bc_ct_q == 32'(instr_i.ch_tiles) - 32'd1) begin
            rst_ct = 1'b1;
            adv_pt = 1'b1;
          end else begin
            adv_ct = 1'b1;
          end
        end else begin
          if (bc_pt_q == 32'(instr_i.pix_tiles) - 32'd1) begin
            rst_pt = 1'b1;
            adv_ct = 1'b1;
          end else begin
            adv_pt = 1'b1;
          end
        end
      end
    end
    if (rst_pt) begin
      bc_pt_d    = '0;
      pix_base_d = '0;
    end else if (adv_pt) begin
      bc_pt_d    = bc_pt_q + 32'd1;
      pix_base_d = pix_base_q + 32'(N);
    end
    if (rst_ct) begin
      bc_ct_d   = '0;
      bc_t_d    = '0;
      grp_co_d  = '0;
      grp_off_d = '0;
      co_base_d = '0;
      ct_off_d  = '0;
    end else if (adv_ct) begin
      bc_ct_d = bc_ct_q + 32'd1;
      if (bc_t_q == 32'(instr_i.group_tiles) - 32'd1) begin
        // First sub-tile of the next group.
        bc_t_d    = '0;
        grp_co_d  = grp_co_q + group_out_c;
        grp_off_d = grp_off_q + grp_out_step;
        co_base_d = grp_co_d;
        ct_off_d  = grp_off_d;
      end else begin
        bc_t_d    = bc_t_q + 32'd1;
        co_base_d = co_base_q + 32'(M);
        ct_off_d  = ct_off_q + ct_out_step;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bc_k_q     <= '0;
      bc_pt_q    <= '0;
      bc_ct_q    <= '0;
      co_base_q  <= '0;
      pix_base_q <= '0;
      ct_off_q   <= '0;
      bc_t_q     <= '0;
      grp_co_q   <= '0;
      grp_off_q  <= '0;
      bc_done_q  <= 1'b1;
      sr_busy_q  <= 1'b0;
      sr_pt_q    <= '0;
      sr_ct_q    <= '0;
      sr_row_q   <= '0;
      sr_rows_q  <= '0;
      sr_co_q    <= '0;
      sr_addr_q  <= '0;
      sr_mask_q  <= '0;
    end else begin
      bc_k_q     <= bc_k_d;
      bc_pt_q    <= bc_pt_d;
      bc_ct_q    <= bc_ct_d;
      co_base_q  <= co_base_d;
      pix_base_q <= pix_base_d;
      ct_off_q   <= ct_off_d;
      bc_t_q     <= bc_t_d;
      grp_co_q   <= grp_co_d;
      grp_off_q  <= grp_off_d;
      bc_done_q  <= bc_done_d;
      sr_busy_q  <= sr_busy_d;
      sr_pt_q    <= sr_pt_d;
      sr_ct_q    <= sr_ct_d;
      sr_row_q   <= sr_row_d;
      sr_rows_q  <= sr_rows_d;
      sr_co_q    <= sr_co_d;
      sr_addr_q  <= sr_addr_d;
      sr_mask_q  <= sr_mask_d;
    end
  end

  // Responses arrive exactly one cycle after the request and room was reserved for them.
  `NNA_ASSERT_IF(ActRspOnTime_A, rs_valid_q && rs_load_q, act_rsp_valid_i,
                 ("nna_data_seq: missing activation response"))
  `NNA_ASSERT_IF(WtRspOnTime_A, w_rs_valid_q, wt_rsp_valid_i,
                 ("nna_data_seq: missing weight response"))
  `NNA_ASSERT_IF(ActFifoRoom_A, act_push, act_in_ready, ("nna_data_seq: activation FIFO overflow"))
  `NNA_ASSERT_IF(WtBufRoom_A, w_rs_valid_q, 32'(wt_cnt_q) + 32'(wt_rs_words_q) <= WtBufWords,
                 ("nna_data_seq: weight buffer overflow"))
endmodule
