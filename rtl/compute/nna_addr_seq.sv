// nna_addr_seq: the address sequencer of a dot-product instruction (CONV, DECONV, and
// INNER_PRODUCT, which runs as a CONV whose kernel covers the input). Generates the two read
// streams of the tile phase: one weight row per term, and the window loads that gather each
// term's activation packet. Both walk the same tiles (pt, ct) in the instruction's order and,
// inside a tile, the terms k = (c*kernel_h + r)*kernel_w + s, c < group_in_c; they run
// independently, each limited by the room the data sequencer reports for its responses
// (responses cannot be back-pressured).
//
// Weights: term k of tile (pt, ct) is the M bytes at wt_addr + ct*wt_tile_bytes + k*M; the tile's
// block is read WtBytes at a time (the last read of a tile is cut at its end, wt_bytes_o), so the
// weight port is busy M/WtBytes of the cycles at one term per cycle.
//
// SCALE and ELTWISE (docs/architecture.md, "SIMD-only instructions") read no weights; ELTWISE's
// two terms of channel g read tensor a at in_addr and tensor b at in2_addr: the channel step of
// its terms is in2_addr - in_addr and the next group starts one in_plane_stride after the last.
//
// Groups: tile ct = g*group_tiles + t reads input channels g*group_in_c + c. A sub-tile counter
// t and the group's channel offset grp_base = g*group_in_c*in_plane_stride replace the divider:
// after the last term of a tile the channel offset is grp_base + (group_in_c-1)*in_plane_stride,
// so the next group starts one in_plane_stride further.
//
// CONV activations: each lane i keeps, for the current section, its output position and three
// derived values, so that the per-term path holds only adds and compares (no multipliers, no
// dividers):
//   ihb = oh*stride_h - pad_top, iwb = ow*stride_w - pad_left, base = ihb*in_row_stride + iwb.
// A term adds the term offsets roff = r*dil_h, soff = s*dil_w,
// toff = c*in_plane_stride + r*dil_h*in_row_stride + s*dil_w (kept incrementally):
//   ih = ihb + roff, iw = iwb + soff, address = in_addr + base + toff.
// DECONV activations (strides 1, 2, 4, 8: shifts by lsh, lsw; add-only as well):
//   th = oh + pad_top - roff, tw = ow + pad_left - soff; the lane reads when th, tw >= 0, their
//   low lsh/lsw bits are 0, th>>lsh < in_h and tw>>lsw < in_w, at
//   in_addr + c*in_plane_stride + (th>>lsh)*in_row_stride + (tw>>lsw).
// The row address needs no multiplier: each lane keeps drow = ((oh + pad_top)>>lsh)*in_row_stride
// (one in_row_stride more at a row wrap when oh + pad_top crosses a multiple of stride_h), the
// term keeps drow_r = (roff>>lsh)*in_row_stride (stepped with the carry of roff's low bits). A
// lane that reads has th's low bits 0, so oh + pad_top and roff have equal low bits and
// (th>>lsh)*in_row_stride = drow - drow_r exactly.
// Section start: lane i starts at ow = i (section 0) or ow += N (next section); then, one cycle
// per step, every lane with ow >= out_w and an existing row (oh < out_h) steps to the next output
// row (ow -= out_w, oh += 1) until none is left (at most about N/out_w cycles per section, one for
// a single output pixel; no divider).
// Gather: a load at the lowest address among the lanes still needing data returns the P bytes
// [a, a+P); every such lane inside the window is served from it. Repeat until no lane is left.
// Each accepted load (or a term without any lane to load: all padding) is one descriptor for the
// data sequencer: served lanes, their byte offsets, first/last of the term.
`include "nna_assert.svh"

module nna_addr_seq (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic start_i,   // pulse: begin the tile phase of instr_i (held stable until done)
  input  nna_isa_pkg::compute_instr_t instr_i,
  // weight stream
  input  logic        wt_room_i,    // the data sequencer can take one more chunk
  output logic        wt_req_valid_o,
  input  logic        wt_req_ready_i,
  output logic [31:0] wt_req_addr_o,
  output logic        wt_fire_o,
  output logic [31:0] wt_bytes_o,   // bytes of the request that belong to the tile
  // activation stream
  input  logic        act_room_i,   // the data sequencer can take one more packet
  output logic        act_req_valid_o,
  input  logic        act_req_ready_i,
  output logic [31:0] act_req_addr_o,
  output logic        act_fire_o,         // a descriptor was accepted (with or without a load)
  output logic        act_desc_first_o,   // first descriptor of the term
  output logic        act_desc_last_o,    // last descriptor of the term
  output logic        act_desc_load_o,    // a load was issued (response next cycle)
  output logic [nna_cfg_pkg::ArrayCols-1:0] act_desc_mask_o,  // lanes served by this load
  output logic [nna_cfg_pkg::ArrayCols*$clog2(nna_cfg_pkg::SramActPortBytes)-1:0] act_desc_off_o,
  output logic        idle_o
);
  localparam int unsigned N = nna_cfg_pkg::ArrayCols;
  localparam int unsigned P = nna_cfg_pkg::SramActPortBytes;
  localparam int unsigned WtBytes = nna_cfg_pkg::SramWtPortBytes;
  localparam int unsigned OffBits = $clog2(P);

  // ---------------------------------------------------------------------------------------------
  // Instruction constants (the instruction is stable during the tile phase).
  logic [31:0] group_in_c, in_h, in_w, out_h, out_w, kh, kw, sh, sw, dh, dw, pad_t, pad_l;
  logic [31:0] irs, ips, pix_tiles, ch_tiles, group_tiles;
  logic [31:0] step_n_iw;   // N*stride_w: iwb and base step of a section advance
  logic [31:0] wrap_iw;     // out_w*stride_w: iwb step back at a row wrap
  logic [31:0] wrap_addr;   // stride_h*in_row_stride - out_w*stride_w: base step at a row wrap
  logic [31:0] row_toff;    // dil_h*in_row_stride: toff step of r
  logic [31:0] init_base;   // -pad_top*in_row_stride - pad_left: base of lane 0 in section 0
  logic        pixel_major, deconv, made_wt, elt;
  logic [31:0] c_last;      // the last value of the channel counter c
  logic [31:0] c_step;      // toff step of c
  logic [1:0]  lsh, lsw;       // DECONV: log2 of the strides
  logic [2:0]  mh, mw;         // DECONV: stride - 1, the low-bit masks
  logic [7:0]  pad_t_hi, dil_h_hi;  // DECONV: pad_top>>lsh, dil_h>>lsh
  logic [31:0] dc_init_row;    // DECONV: (pad_top>>lsh)*in_row_stride, drow of output row 0
  logic [31:0] dc_dil_row;     // DECONV: (dil_h>>lsh)*in_row_stride, drow_r step without carry

  assign group_in_c = 32'(instr_i.group_in_c);
  assign in_h  = 32'(instr_i.in_h);
  assign in_w  = 32'(instr_i.in_w);
  assign out_h = 32'(instr_i.out_h);
  assign out_w = 32'(instr_i.out_w);
  assign kh    = 32'(instr_i.kernel_h);
  assign kw    = 32'(instr_i.kernel_w);
  assign sh    = 32'(instr_i.stride_h);
  assign sw    = 32'(instr_i.stride_w);
  assign dh    = 32'(instr_i.dil_h);
  assign dw    = 32'(instr_i.dil_w);
  assign pad_t = 32'(instr_i.pad_top);
  assign pad_l = 32'(instr_i.pad_left);
  assign irs   = 32'(instr_i.in_row_stride);
  assign ips   = instr_i.in_plane_stride;
  assign pix_tiles = 32'(instr_i.pix_tiles);
  assign ch_tiles  = 32'(instr_i.ch_tiles);
  assign group_tiles = 32'(instr_i.group_tiles);
  assign pixel_major = (instr_i.order == nna_isa_pkg::OrderPixelMajor);
  assign deconv      = (instr_i.opcode == nna_isa_pkg::OpDeconv);
  assign elt         = (instr_i.opcode == nna_isa_pkg::OpEltwise);
  assign made_wt     = elt || (instr_i.opcode == nna_isa_pkg::OpScale);
  assign c_last      = elt ? 32'd1 : group_in_c - 32'd1;
  assign c_step      = elt ? instr_i.in2_addr - instr_i.in_addr : ips;
  assign step_n_iw = 32'(N) * sw;
  assign wrap_iw   = out_w * sw;
  assign wrap_addr = sh * irs - wrap_iw;
  assign row_toff  = dh * irs;
  assign init_base = 32'd0 - pad_t * irs - pad_l;
  // DECONV strides are 1, 2, 4 or 8 (checked before the tile phase).
  assign lsh = instr_i.stride_h[3] ? 2'd3 : instr_i.stride_h[2] ? 2'd2 :
               instr_i.stride_h[1] ? 2'd1 : 2'd0;
  assign lsw = instr_i.stride_w[3] ? 2'd3 : instr_i.stride_w[2] ? 2'd2 :
               instr_i.stride_w[1] ? 2'd1 : 2'd0;
  assign mh  = 3'(instr_i.stride_h - 8'd1);
  assign mw  = 3'(instr_i.stride_w - 8'd1);
  assign pad_t_hi    = instr_i.pad_top >> lsh;
  assign dil_h_hi    = instr_i.dil_h >> lsh;
  assign dc_init_row = 32'(pad_t_hi) * irs;
  assign dc_dil_row  = 32'(dil_h_hi) * irs;

  // ---------------------------------------------------------------------------------------------
  // Weight stream: each tile's block of wt_tile_bytes is read in chunks of the port's width (the
  // last chunk of a tile is shorter), so a request brings WtBytes/M rows, not one.
  logic        wt_active_q, wt_active_d;
  logic [31:0] wt_pt_q, wt_pt_d, wt_ct_q, wt_ct_d;
  logic [31:0] wt_tile_addr_q, wt_tile_addr_d, wt_addr_q, wt_addr_d;
  logic [31:0] wt_rem_q, wt_rem_d;  // bytes of the tile not yet requested

  assign wt_req_valid_o = wt_active_q && wt_room_i;
  assign wt_req_addr_o  = wt_addr_q;
  assign wt_fire_o      = wt_req_valid_o && wt_req_ready_i;
  assign wt_bytes_o     = (wt_rem_q < 32'(WtBytes)) ? wt_rem_q : 32'(WtBytes);

  always_comb begin
    wt_active_d    = wt_active_q;
    wt_pt_d        = wt_pt_q;
    wt_ct_d        = wt_ct_q;
    wt_tile_addr_d = wt_tile_addr_q;
    wt_addr_d      = wt_addr_q;
    wt_rem_d       = wt_rem_q;
    if (start_i) begin
      wt_active_d    = !made_wt;
      wt_pt_d        = '0;
      wt_ct_d        = '0;
      wt_tile_addr_d = instr_i.wt_addr;
      wt_addr_d      = instr_i.wt_addr;
      wt_rem_d       = instr_i.wt_tile_bytes;
    end else if (wt_fire_o) begin
      if (wt_rem_q > 32'(WtBytes)) begin
        wt_rem_d  = wt_rem_q - 32'(WtBytes);
        wt_addr_d = wt_addr_q + 32'(WtBytes);
      end else begin
        wt_rem_d = instr_i.wt_tile_bytes;
        if (wt_pt_q == pix_tiles - 32'd1 && wt_ct_q == ch_tiles - 32'd1) begin
          wt_active_d = 1'b0;
        end else if (pixel_major) begin
          if (wt_ct_q == ch_tiles - 32'd1) begin
            wt_ct_d        = '0;
            wt_pt_d        = wt_pt_q + 32'd1;
            wt_tile_addr_d = instr_i.wt_addr;
          end else begin
            wt_ct_d        = wt_ct_q + 32'd1;
            wt_tile_addr_d = wt_tile_addr_q + instr_i.wt_tile_bytes;
          end
        end else begin
          if (wt_pt_q == pix_tiles - 32'd1) begin
            wt_pt_d        = '0;
            wt_ct_d        = wt_ct_q + 32'd1;
            wt_tile_addr_d = wt_tile_addr_q + instr_i.wt_tile_bytes;
          end else begin
            wt_pt_d = wt_pt_q + 32'd1;
          end
        end
        wt_addr_d = wt_tile_addr_d;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wt_active_q    <= 1'b0;
      wt_pt_q        <= '0;
      wt_ct_q        <= '0;
      wt_tile_addr_q <= '0;
      wt_addr_q      <= '0;
      wt_rem_q       <= '0;
    end else begin
      wt_active_q    <= wt_active_d;
      wt_pt_q        <= wt_pt_d;
      wt_ct_q        <= wt_ct_d;
      wt_tile_addr_q <= wt_tile_addr_d;
      wt_addr_q      <= wt_addr_d;
      wt_rem_q       <= wt_rem_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Activation stream: control.
  logic        act_active_q, act_active_d;
  logic [31:0] act_pt_q, act_pt_d, act_ct_q, act_ct_d;
  logic [31:0] act_t_q, act_t_d, grp_base_q, grp_base_d;  // sub-tile, group channel offset
  logic [31:0] c_q, c_d, r_q, r_d, s_q, s_d;
  logic [31:0] roff_q, roff_d, soff_q, soff_d;
  logic [31:0] toff_q, toff_d, toff_r_q, toff_r_d, toff_c_q, toff_c_d;
  logic [31:0] drow_r_q, drow_r_d;     // DECONV: (roff>>lsh)*in_row_stride
  logic        drow_carry;             // DECONV: roff + dil_h crosses a multiple of stride_h
  logic        first_q, first_d;       // next descriptor is the first of its term
  logic [N-1:0] rem_q, rem_d;          // lanes still needing data (valid when !first_q)
  logic        lane_init, lane_adv, lane_norm;
  logic        tile_end, adv_ct, rst_ct;
  logic [31:0] dc_hoff, dc_woff, dc_base;  // DECONV: per-term values shared by the lanes
  logic [31:0] lane_base;                  // per-term address part shared by the lanes

  // Per-lane values (from the generate block below).
  logic [N-1:0]       lane_wrap, lane_inb;
  logic [N*32-1:0]    lane_addr;

  // Gather decision.
  logic [N-1:0]  need, served;
  logic          any_need, any_wrap, desc_valid, term_done, last_term, last_tile;
  logic [31:0]   amin;
  logic [N*OffBits-1:0] offs;

  assign any_wrap = |lane_wrap;
  assign need     = first_q ? lane_inb : rem_q;
  assign any_need = |need;

  logic        found;
  logic [31:0] diff;

  always_comb begin
    found = 1'b0;
    diff  = '0;
    amin  = '0;
    for (int i = 0; i < N; i++) begin
      if (need[i] && (!found || lane_addr[i*32 +: 32] < amin)) begin
        amin  = lane_addr[i*32 +: 32];
        found = 1'b1;
      end
    end
    for (int i = 0; i < N; i++) begin
      diff = lane_addr[i*32 +: 32] - amin;
      served[i] = need[i] && (diff < 32'(P));
      offs[i*OffBits +: OffBits] = diff[OffBits-1:0];
    end
  end

  // Normalising lanes (any_wrap) issues nothing: the lane addresses are not final yet.
  assign desc_valid      = act_active_q && !any_wrap && act_room_i;
  assign act_req_valid_o = desc_valid && any_need;
  assign act_req_addr_o  = amin;
  assign act_fire_o      = desc_valid && (!any_need || act_req_ready_i);
  assign term_done       = ((need & ~served) == '0);
  assign last_term       = (c_q == c_last) && (r_q == kh - 32'd1) && (s_q == kw - 32'd1);
  assign last_tile       = (act_pt_q == pix_tiles - 32'd1) && (act_ct_q == ch_tiles - 32'd1);
  assign tile_end        = act_fire_o && term_done && last_term;
  assign act_desc_first_o = first_q;
  assign act_desc_last_o  = term_done;
  assign act_desc_load_o  = any_need;
  assign act_desc_mask_o  = served;
  assign act_desc_off_o   = offs;

  logic [2:0] roff_lo, dil_h_lo;
  assign roff_lo    = roff_q[2:0] & mh;
  assign dil_h_lo   = dh[2:0] & mh;
  assign drow_carry = ({1'b0, roff_lo} + {1'b0, dil_h_lo}) > {1'b0, mh};
  assign dc_hoff    = pad_t - roff_q;
  assign dc_woff    = pad_l - soff_q;
  assign dc_base    = instr_i.in_addr + toff_c_q - drow_r_q;
  assign lane_base  = deconv ? dc_base : instr_i.in_addr + toff_q;

  always_comb begin
    act_active_d = act_active_q;
    act_pt_d = act_pt_q;
    act_ct_d = act_ct_q;
    act_t_d = act_t_q;
    grp_base_d = grp_base_q;
    c_d = c_q;
    r_d = r_q;
    s_d = s_q;
    roff_d = roff_q;
    soff_d = soff_q;
    toff_d = toff_q;
    toff_r_d = toff_r_q;
    toff_c_d = toff_c_q;
    drow_r_d = drow_r_q;
    first_d = first_q;
    rem_d = rem_q;
    lane_init = 1'b0;
    lane_adv  = 1'b0;
    lane_norm = act_active_q && any_wrap;
    adv_ct    = 1'b0;
    rst_ct    = 1'b0;
    if (start_i) begin
      act_active_d = 1'b1;
      act_pt_d = '0;
      lane_init = 1'b1;
      rst_ct = 1'b1;
    end else if (act_fire_o) begin
      rem_d   = need & ~served;
      first_d = term_done;
      if (term_done) begin
        if (s_q != kw - 32'd1) begin
          s_d    = s_q + 32'd1;
          soff_d = soff_q + dw;
          toff_d = toff_q + dw;
        end else if (r_q != kh - 32'd1) begin
          s_d      = '0;
          soff_d   = '0;
          r_d      = r_q + 32'd1;
          roff_d   = roff_q + dh;
          drow_r_d = drow_r_q + dc_dil_row + (drow_carry ? irs : 32'd0);
          toff_r_d = toff_r_q + row_toff;
          toff_d   = toff_r_d;
        end else if (c_q != c_last) begin
          s_d      = '0;
          soff_d   = '0;
          r_d      = '0;
          roff_d   = '0;
          drow_r_d = '0;
          c_d      = c_q + 32'd1;
          toff_c_d = toff_c_q + c_step;
          toff_r_d = toff_c_d;
          toff_d   = toff_c_d;
        end
        if (last_term) begin
          if (last_tile) begin
            act_active_d = 1'b0;
          end else if (pixel_major) begin
            if (act_ct_q == ch_tiles - 32'd1) begin
              rst_ct   = 1'b1;
              act_pt_d = act_pt_q + 32'd1;
              lane_adv = 1'b1;
            end else begin
              adv_ct = 1'b1;
            end
          end else begin
            if (act_pt_q == pix_tiles - 32'd1) begin
              act_pt_d  = '0;
              adv_ct    = 1'b1;
              lane_init = 1'b1;
            end else begin
              act_pt_d = act_pt_q + 32'd1;
              lane_adv = 1'b1;
            end
          end
        end
      end
    end
    if (rst_ct) begin
      act_ct_d   = '0;
      act_t_d    = '0;
      grp_base_d = '0;
    end else if (adv_ct) begin
      act_ct_d = act_ct_q + 32'd1;
      if (act_t_q == group_tiles - 32'd1) begin
        act_t_d    = '0;
        // The last term is at channel group_in_c-1 of this group (ELTWISE: in tensor b).
        grp_base_d = elt ? grp_base_q + ips : toff_c_q + ips;
      end else begin
        act_t_d = act_t_q + 32'd1;
      end
    end
    // Every new tile (and the start) begins at term 0 of its group's first channel.
    if (start_i || tile_end) begin
      c_d = '0;
      r_d = '0;
      s_d = '0;
      roff_d = '0;
      soff_d = '0;
      drow_r_d = '0;
      toff_d = grp_base_d;
      toff_r_d = grp_base_d;
      toff_c_d = grp_base_d;
      first_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      act_active_q <= 1'b0;
      act_pt_q <= '0;
      act_ct_q <= '0;
      act_t_q <= '0;
      grp_base_q <= '0;
      c_q <= '0;
      r_q <= '0;
      s_q <= '0;
      roff_q <= '0;
      soff_q <= '0;
      toff_q <= '0;
      toff_r_q <= '0;
      toff_c_q <= '0;
      drow_r_q <= '0;
      first_q <= 1'b1;
      rem_q <= '0;
    end else begin
      act_active_q <= act_active_d;
      act_pt_q <= act_pt_d;
      act_ct_q <= act_ct_d;
      act_t_q <= act_t_d;
      grp_base_q <= grp_base_d;
      c_q <= c_d;
      r_q <= r_d;
      s_q <= s_d;
      roff_q <= roff_d;
      soff_q <= soff_d;
      toff_q <= toff_d;
      toff_r_q <= toff_r_d;
      toff_c_q <= toff_c_d;
      drow_r_q <= drow_r_d;
      first_q <= first_d;
      rem_q <= rem_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Activation stream: per-lane section state.
  for (genvar i = 0; i < N; i++) begin : g_lane
    logic [31:0] ow_q, ow_d, oh_q, oh_d, ihb_q, ihb_d, iwb_q, iwb_d, base_q, base_d;
    logic [31:0] drow_q, drow_d;  // DECONV: ((oh + pad_top)>>lsh)*in_row_stride
    logic [31:0] th, tw, ih, iw;
    logic        aligned, drow_step;

    // DECONV: oh + 1 + pad_top crosses a multiple of stride_h (only the low bits matter).
    assign drow_step = ((oh_q[2:0] + instr_i.pad_top[2:0]) & mh) == mh;

    always_comb begin
      ow_d   = ow_q;
      oh_d   = oh_q;
      ihb_d  = ihb_q;
      iwb_d  = iwb_q;
      base_d = base_q;
      drow_d = drow_q;
      if (lane_init) begin
        ow_d   = 32'(i);
        oh_d   = '0;
        ihb_d  = 32'd0 - pad_t;
        iwb_d  = 32'(i) * sw - pad_l;
        base_d = init_base + 32'(i) * sw;
        drow_d = dc_init_row;
      end else if (lane_adv) begin
        ow_d   = ow_q + 32'(N);
        iwb_d  = iwb_q + step_n_iw;
        base_d = base_q + step_n_iw;
      end else if (lane_norm && lane_wrap[i]) begin
        ow_d   = ow_q - out_w;
        oh_d   = oh_q + 32'd1;
        ihb_d  = ihb_q + sh;
        iwb_d  = iwb_q - wrap_iw;
        base_d = base_q + wrap_addr;
        drow_d = drow_q + (drow_step ? irs : 32'd0);
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        ow_q   <= '0;
        oh_q   <= '0;
        ihb_q  <= '0;
        iwb_q  <= '0;
        base_q <= '0;
        drow_q <= '0;
      end else begin
        ow_q   <= ow_d;
        oh_q   <= oh_d;
        ihb_q  <= ihb_d;
        iwb_q  <= iwb_d;
        base_q <= base_d;
        drow_q <= drow_d;
      end
    end

    // A lane past the last pixel stops wrapping: it reads nothing, and the section starts sooner.
    assign lane_wrap[i] = (ow_q >= out_w) && (oh_q < out_h);

    // CONV and DECONV share the lane's adders and bound compares (operand muxes):
    //   CONV:   (ih, iw) = (ihb + roff, iwb + soff),   address = in_addr + toff + base
    //   DECONV: (th, tw) = (oh + pad_top - roff, ow + pad_left - soff), (ih, iw) = (th, tw) >>>
    //           (lsh, lsw), aligned when the shifted-out bits are 0, address = dc_base + drow + iw
    assign th = (deconv ? oh_q : ihb_q) + (deconv ? dc_hoff : roff_q);
    assign tw = (deconv ? ow_q : iwb_q) + (deconv ? dc_woff : soff_q);
    assign ih = deconv ? 32'($signed(th) >>> lsh) : th;
    assign iw = deconv ? 32'($signed(tw) >>> lsw) : tw;
    assign aligned = !deconv || ((th[2:0] & mh) == 3'd0 && (tw[2:0] & mw) == 3'd0);
    // The pixel exists (oh < out_h) and (ih, iw) is inside the input (signed compares).
    assign lane_inb[i] = (oh_q < out_h) && aligned && !ih[31] && (ih < in_h) && !iw[31] &&
                         (iw < in_w);
    assign lane_addr[i*32 +: 32] = lane_base + (deconv ? drow_q : base_q) + (deconv ? iw : 32'd0);
  end

  assign idle_o = !wt_active_q && !act_active_q;

  `NNA_ASSERT_INIT(ActPortPow2_A, P >= 1 && (P & (P - 1)) == 0,
                   ("nna_addr_seq: act port bytes must be a power of 2"))
endmodule
