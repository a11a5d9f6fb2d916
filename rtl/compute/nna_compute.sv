// nna_compute: executes one compute instruction, CONV, DECONV or INNER_PRODUCT
// (docs/architecture.md, "Dot-product instructions"), or SCALE or ELTWISE, which run as depthwise
// 1x1 convolutions with weights the data sequencer makes ("SIMD-only instructions"): check,
// parameter load, then the tiles through address sequencer, data sequencer, MAC array, SIMD unit
// and write-back.
//
//            +-----------+  wt port   +-----------+  wt FIFO  +-----------+  rows  +--------+
//  instr --> | addr_seq  | ---------> | data_seq  | --------> | mac_array | -----> |  simd  | -->
//            |           |  act port  | (gather)  | act FIFO  |  M x N    |        | N lanes|
//            +-----------+ ---------> +-----------+ --------> +-----------+        +--------+
//   --> pool (fused) --> write buffer --> writeback (wr port)
//
// Schedule: start_i latches the instruction (Idle -> Check). Check takes one cycle and either
// ends with err_o (no SRAM access; the SIMD unit judges its program; the fields first, then
// SramRange for a tensor past the SRAM) or goes to Param, which reads
// ceil(out_c*16 / wt_port_bytes) rows of parameters through the weight port into the SIMD
// parameter RAM, then, when the program has a LUT, ceil(256 / wt_port_bytes) rows of its table
// from param_addr + 16*out_c into the SIMD unit's table (docs/simd.md). After the last one, the
// tile phase starts; done_o pulses in the cycle after the last write was accepted. SIMD rows pass
// the pooling unit (a pass-through unless the CONV pools) and a 2-entry write buffer to the port.
`include "nna_assert.svh"

module nna_compute (
  input  logic clk_i,
  input  logic rst_ni,
  // command from the network sequencer
  input  logic                                     start_i,
  input  nna_isa_pkg::compute_instr_t              instr_i,
  input  logic [nna_isa_pkg::MaxSimdInstrs*64-1:0] simd_prog_i,
  input  nna_isa_pkg::instr_idx_t                  instr_idx_i,
  output logic                                     busy_o,
  output logic                                     done_o,
  output logic                                     err_o,
  output nna_isa_pkg::error_code_e                 err_code_o,
  // SRAM activation read port
  output logic act_req_valid_o,
  input  logic act_req_ready_i,
  output logic [31:0] act_req_addr_o,
  output logic [$clog2(nna_cfg_pkg::SramActPortBytes)-1:0] act_req_last_o,  // last byte needed
  input  logic act_rsp_valid_i,
  input  logic [nna_cfg_pkg::SramActPortBytes*8-1:0] act_rsp_data_i,
  // SRAM weight read port (weights and parameters)
  output logic wt_req_valid_o,
  input  logic wt_req_ready_i,
  output logic [31:0] wt_req_addr_o,
  input  logic wt_rsp_valid_i,
  input  logic [nna_cfg_pkg::SramWtPortBytes*8-1:0] wt_rsp_data_i,
  // SRAM write port
  output logic wr_valid_o,
  input  logic wr_ready_i,
  output logic [31:0] wr_addr_o,
  output logic [nna_cfg_pkg::SramWrPortBytes*8-1:0] wr_data_o,
  output logic [nna_cfg_pkg::SramWrPortBytes-1:0] wr_mask_o,
  output nna_isa_pkg::instr_idx_t wr_instr_o,
  output logic wr_priority_o,  // the write-back, not the activation reads, is on the critical path
  // observation: one accumulator row entering the SIMD unit
  output logic obs_acc_valid_o,
  output nna_isa_pkg::instr_idx_t obs_acc_instr_o,
  output logic [15:0] obs_acc_pix_tile_o,
  output logic [15:0] obs_acc_ch_tile_o,
  output logic [15:0] obs_acc_row_o,
  output logic [nna_cfg_pkg::ArrayCols*nna_isa_pkg::AccBits-1:0] obs_acc_data_o,
  output logic mac_active_o,
  output logic simd_busy_o,  // the SIMD unit holds at least one row (performance counter)
  // observation: cause of every busy cycle (docs/architecture.md, "Cycle accounting")
  output logic obs_cycle_valid_o,
  output nna_isa_pkg::compute_cycle_e obs_cycle_o,
  output nna_isa_pkg::instr_idx_t obs_cycle_instr_o
`ifdef NNA_OBSERVE
  ,
  // observation: shift-register stalls of the current instruction (the last term waiting for
  // the unload), for the block test's utilisation report
  output logic [31:0] obs_sr_stalls_o
`endif
);
  localparam int unsigned N = nna_cfg_pkg::ArrayCols;
  localparam int unsigned M = nna_cfg_pkg::ArrayRows;
  localparam int unsigned AccBits = nna_isa_pkg::AccBits;
  localparam int unsigned NumSimd = nna_isa_pkg::MaxSimdInstrs;
  localparam int unsigned WtBytes = nna_cfg_pkg::SramWtPortBytes;
  localparam int unsigned EntriesPerRow = WtBytes / nna_isa_pkg::ChannelParamsBytes;
  localparam int unsigned ParamRows = nna_cfg_pkg::SimdParamEntries / EntriesPerRow;
  localparam int unsigned ParamRowBits = (ParamRows > 1) ? $clog2(ParamRows) : 1;
  localparam int unsigned LutBytes = nna_isa_pkg::LutBytes;
  localparam int unsigned LutRows = (LutBytes + WtBytes - 1) / WtBytes;
  localparam int unsigned LutRowBits = (LutRows > 1) ? $clog2(LutRows) : 1;
  localparam int unsigned MetaBits = 32 + N + 32;  // write address, lane mask, section, tile row
  localparam logic [63:0] SramBytes = 64'(nna_cfg_pkg::SramBytes);

  typedef enum logic [2:0] {
    StIdle,   // waiting for start_i
    StCheck,  // checking the latched instruction and its SIMD program
    StParam,  // loading the channel parameters through the weight port
    StTiles   // address/data sequencers, array, SIMD and write-back at work
  } state_e;

  state_e state_q, state_d;
  nna_isa_pkg::compute_instr_t instr_q, instr_d;
  logic [NumSimd*64-1:0] prog_q, prog_d;
  nna_isa_pkg::instr_idx_t idx_q, idx_d;

  // ---------------------------------------------------------------------------------------------
  // Check (combinational on the latched instruction).
  logic        bad_opcode, bad_field, bad_simd, bad_conv, bad_deconv, bad_ip, bad_simd_only;
  logic        bad_elt_op;
  logic        prog_bad, prog_lut;
  nna_isa_pkg::error_code_e prog_err;
  logic        op_conv, op_deconv, op_ip, op_scale, op_elt;
  logic [31:0] dot_len_want;
  logic [63:0] pix_total, wt_tile_calc;
  logic [31:0] dot_len_calc, grp_in_calc, grp_out_calc, ch_tiles_calc, gt_rows, gt_rows_less;

  // Products of the precomputed fields, checked by multiplying (no dividers). Each fits in 32
  // bits: 16 x 16, 16 x 8 x 8, 16 x M.
  assign dot_len_calc  = 32'(instr_q.group_in_c) * 32'(instr_q.kernel_h) * 32'(instr_q.kernel_w);
  assign grp_in_calc   = 32'(instr_q.groups) * 32'(instr_q.group_in_c);
  assign grp_out_calc  = 32'(instr_q.groups) * 32'(instr_q.group_out_c);
  assign ch_tiles_calc = 32'(instr_q.groups) * 32'(instr_q.group_tiles);
  assign gt_rows       = 32'(instr_q.group_tiles) * M;
  assign gt_rows_less  = gt_rows - M;  // (group_tiles-1)*M; only read when group_tiles >= 1
  assign pix_total     = 64'(instr_q.out_h) * 64'(instr_q.out_w);
  assign wt_tile_calc  = 64'(instr_q.dot_len) * 64'(M);

  // The decoder already rejected other lengths; checked again so that no program runs past it.
  assign bad_simd = (instr_q.simd_len == 8'd0) || (32'(instr_q.simd_len) > NumSimd);

  assign op_conv    = (instr_q.opcode == nna_isa_pkg::OpConv);
  assign op_deconv  = (instr_q.opcode == nna_isa_pkg::OpDeconv);
  assign op_ip      = (instr_q.opcode == nna_isa_pkg::OpInnerProduct);
  assign op_scale   = (instr_q.opcode == nna_isa_pkg::OpScale);
  assign op_elt     = (instr_q.opcode == nna_isa_pkg::OpEltwise);
  assign bad_opcode = !(op_conv || op_deconv || op_ip || op_scale || op_elt);
  // ELTWISE reads two tensors: two terms per input channel.
  assign dot_len_want = op_elt ? {dot_len_calc[30:0], 1'b0} : dot_len_calc;

  // The golden model's list of illegal fields, shared by every compute opcode.
  assign bad_conv =
      bad_simd ||
      instr_q.kernel_h == 8'd0 || instr_q.kernel_w == 8'd0 ||
      instr_q.stride_h == 8'd0 || instr_q.stride_w == 8'd0 ||
      instr_q.dil_h == 8'd0 || instr_q.dil_w == 8'd0 ||
      instr_q.in_c == 16'd0 || instr_q.out_c == 16'd0 ||
      instr_q.out_h == 16'd0 || instr_q.out_w == 16'd0 || instr_q.groups == 16'd0 ||
      grp_in_calc != 32'(instr_q.in_c) || grp_out_calc != 32'(instr_q.out_c) ||
      instr_q.group_tiles == 16'd0 ||
      gt_rows < 32'(instr_q.group_out_c) || gt_rows_less >= 32'(instr_q.group_out_c) ||
      ch_tiles_calc != 32'(instr_q.ch_tiles) ||
      instr_q.dot_len != dot_len_want ||
      instr_q.pix_tiles == 16'd0 ||
      64'(instr_q.pix_tiles) * 64'(N) < pix_total ||
      (64'(instr_q.pix_tiles) - 64'd1) * 64'(N) >= pix_total ||
      64'(instr_q.wt_tile_bytes) != wt_tile_calc ||
      32'(instr_q.out_c) > nna_cfg_pkg::SimdParamEntries ||
      instr_q.reserved1 != 3'd0 || instr_q.reserved2 != 4'd0 || instr_q.reserved3 != 8'd0 ||
      (!op_conv && !op_deconv && instr_q.pad_value != 8'd0);

  // DECONV: the strides are the upsampling factors, powers of two up to 8 (shifts, no divider).
  logic sh_pow2, sw_pow2;
  assign sh_pow2 = instr_q.stride_h == 8'd1 || instr_q.stride_h == 8'd2 ||
                   instr_q.stride_h == 8'd4 || instr_q.stride_h == 8'd8;
  assign sw_pow2 = instr_q.stride_w == 8'd1 || instr_q.stride_w == 8'd2 ||
                   instr_q.stride_w == 8'd4 || instr_q.stride_w == 8'd8;
  assign bad_deconv = op_deconv && !(sh_pow2 && sw_pow2);

  // INNER_PRODUCT: a CONV whose kernel covers the whole input, one output pixel, no groups.
  assign bad_ip = op_ip &&
      !(16'(instr_q.kernel_h) == instr_q.in_h && 16'(instr_q.kernel_w) == instr_q.in_w &&
        instr_q.out_h == 16'd1 && instr_q.out_w == 16'd1 &&
        instr_q.stride_h == 8'd1 && instr_q.stride_w == 8'd1 &&
        instr_q.dil_h == 8'd1 && instr_q.dil_w == 8'd1 &&
        instr_q.pad_top == 8'd0 && instr_q.pad_bottom == 8'd0 &&
        instr_q.pad_left == 8'd0 && instr_q.pad_right == 8'd0 &&
        instr_q.groups == 16'd1);

  // Fused pooling (docs/architecture.md, "Fused pooling"); without it, dense output rows.
  logic pooled, bad_pool;
  logic [17:0] pool_pw;  // pooled width, meaningful when the window fits
  assign pooled  = instr_q.pool_op != nna_isa_pkg::PoolNone;
  assign pool_pw = ((18'(instr_q.out_w) + 18'({instr_q.pool_pad, 1'b0}) - 18'(instr_q.pool_size)) >>
                    (instr_q.pool_stride == 8'd2 ? 1 : 0)) + 18'd1;
  assign bad_pool = !pooled ?
      (instr_q.pool_size != 8'd0 || instr_q.pool_stride != 8'd0 || instr_q.pool_pad != 8'd0 ||
       instr_q.out_row_stride != 24'(instr_q.out_w)) :
      (instr_q.pool_op != nna_isa_pkg::PoolMax && instr_q.pool_op != nna_isa_pkg::PoolAvg) ||
      !op_conv ||
      (instr_q.pool_size != 8'd2 && instr_q.pool_size != 8'd3) ||
      (instr_q.pool_stride != 8'd1 && instr_q.pool_stride != 8'd2) ||
      instr_q.pool_pad > (instr_q.pool_size >> 1) ||
      18'(instr_q.out_h) + 18'({instr_q.pool_pad, 1'b0}) < 18'(instr_q.pool_size) ||
      18'(instr_q.out_w) + 18'({instr_q.pool_pad, 1'b0}) < 18'(instr_q.pool_size) ||
      32'(instr_q.out_w) > N || 32'(pool_pw) > N ||
      (instr_q.order != nna_isa_pkg::OrderChannelMajor && instr_q.ch_tiles != 16'd1) ||
      24'(pool_pw) != instr_q.out_row_stride;

  // SCALE and ELTWISE: a depthwise 1x1 CONV of the input without weights (docs/architecture.md,
  // "SIMD-only instructions"), strided to subsample: out = (in - 1)/stride + 1, i.e.
  // (out - 1)*stride < in <= out*stride; eltwise_op means something only to ELTWISE.
  assign bad_elt_op = op_elt ? 32'(instr_q.eltwise_op) > 32'(nna_isa_pkg::EltMax)
                             : instr_q.eltwise_op != nna_isa_pkg::EltAdd;
  logic so_h_ok, so_w_ok;
  assign so_h_ok = (32'(instr_q.out_h) - 32'd1) * 32'(instr_q.stride_h) < 32'(instr_q.in_h) &&
                   32'(instr_q.in_h) <= 32'(instr_q.out_h) * 32'(instr_q.stride_h);
  assign so_w_ok = (32'(instr_q.out_w) - 32'd1) * 32'(instr_q.stride_w) < 32'(instr_q.in_w) &&
                   32'(instr_q.in_w) <= 32'(instr_q.out_w) * 32'(instr_q.stride_w);
  assign bad_simd_only = (op_scale || op_elt) &&
      !(instr_q.kernel_h == 8'd1 && instr_q.kernel_w == 8'd1 &&
        instr_q.dil_h == 8'd1 && instr_q.dil_w == 8'd1 &&
        instr_q.pad_top == 8'd0 && instr_q.pad_bottom == 8'd0 &&
        instr_q.pad_left == 8'd0 && instr_q.pad_right == 8'd0 &&
        instr_q.groups == instr_q.in_c && instr_q.group_out_c == 16'd1 &&
        so_h_ok && so_w_ok &&
        instr_q.wt_addr == 32'd0 && !instr_q.wt_signed &&
        (op_elt || instr_q.in2_addr == 32'd0));

  assign bad_field = bad_conv || bad_deconv || bad_ip || bad_pool || bad_simd_only || bad_elt_op;

  // SRAM range, after the fields (the golden model's CheckDot): the end of every tensor the
  // instruction touches, in 64 bits so that nothing wraps. Only read when the fields are legal
  // (in_c, out_c >= 1; pool_stride 1 or 2 when pooled).
  logic [63:0] in_end, in_ext, out_plane, out_end, lut_end;
  logic [17:0] pool_ph;
  logic        bad_range;
  assign pool_ph  = ((18'(instr_q.out_h) + 18'({instr_q.pool_pad, 1'b0}) -
                      18'(instr_q.pool_size)) >>
                     (instr_q.pool_stride == 8'd2 ? 1 : 0)) + 18'd1;
  assign in_ext   = (64'(instr_q.in_c) - 64'd1) * 64'(instr_q.in_plane_stride) +
                    (64'(instr_q.in_h) - 64'd1) * 64'(instr_q.in_row_stride) + 64'(instr_q.in_w);
  assign in_end   = 64'(instr_q.in_addr) + in_ext;
  assign out_plane = pooled ? 64'(pool_ph) * 64'(pool_pw) : pix_total;
  // LUT's table right after the parameters.
  assign lut_end  = 64'(instr_q.param_addr) +
                    64'(instr_q.out_c) * 64'(nna_isa_pkg::ChannelParamsBytes) + 64'(LutBytes);
  assign out_end  = 64'(instr_q.out_addr) +
                    (64'(instr_q.out_c) - 64'd1) * 64'(instr_q.out_plane_stride) +
                    out_plane;
  // An empty input (in_h or in_w 0) reads nothing; SCALE and ELTWISE read no weights.
  assign bad_range =
      (instr_q.in_h != 16'd0 && instr_q.in_w != 16'd0 &&
       (in_end > SramBytes || (op_elt && 64'(instr_q.in2_addr) + in_ext > SramBytes))) ||
      (!(op_scale || op_elt) &&
       64'(instr_q.wt_addr) + 64'(instr_q.ch_tiles) * 64'(instr_q.wt_tile_bytes) > SramBytes) ||
      64'(instr_q.param_addr) + 64'(instr_q.out_c) * 64'(nna_isa_pkg::ChannelParamsBytes)
        > SramBytes ||
      (prog_lut && lut_end > SramBytes) ||
      out_end > SramBytes;

  // ---------------------------------------------------------------------------------------------
  // Parameter load: pl_reads rows of parameters, then (a LUT in the program) LutRows of table.
  logic [15:0] pl_issued_q, pl_issued_d, pl_rcvd_q, pl_rcvd_d, pl_reads, pl_total;
  logic [15:0] lut_issue;  // table rows requested (past the parameters)
  logic [LutRowBits-1:0] lut_row;  // the table row a response brings
  logic [31:0] lut_addr, pl_addr;
  logic        pl_req_valid, pl_fire, param_we, lut_we;

  assign pl_reads     = 16'((32'(instr_q.out_c) + EntriesPerRow - 1) / EntriesPerRow);
  assign pl_total     = pl_reads + (prog_lut ? 16'(LutRows) : 16'd0);
  assign pl_req_valid = (state_q == StParam) && (pl_issued_q != pl_total);
  assign pl_fire      = pl_req_valid && wt_req_ready_i;
  assign param_we     = (state_q == StParam) && wt_rsp_valid_i && (pl_rcvd_q < pl_reads);
  assign lut_we       = (state_q == StParam) && wt_rsp_valid_i && (pl_rcvd_q >= pl_reads);
  assign lut_row      = LutRowBits'(pl_rcvd_q - pl_reads);
  assign lut_issue    = pl_issued_q - pl_reads;
  assign lut_addr     = instr_q.param_addr + 32'(instr_q.out_c) * nna_isa_pkg::ChannelParamsBytes;
  assign pl_addr      = (pl_issued_q < pl_reads)
                        ? instr_q.param_addr + 32'(pl_issued_q) * WtBytes
                        : lut_addr + 32'(lut_issue) * WtBytes;

  // ---------------------------------------------------------------------------------------------
  // Control FSM.
  logic seq_start, ds_done, simd_idle, pool_idle, as_idle;
  logic [1:0] wb_usage;  // rows in the write buffer

  always_comb begin
    state_d       = state_q;
    instr_d       = instr_q;
    prog_d        = prog_q;
    idx_d         = idx_q;
    pl_issued_d   = pl_issued_q;
    pl_rcvd_d     = pl_rcvd_q;
    seq_start     = 1'b0;
    done_o        = 1'b0;
    err_o         = 1'b0;
    err_code_o    = nna_isa_pkg::ErrNone;
    if (pl_fire)  pl_issued_d = pl_issued_q + 16'd1;
    if (param_we || lut_we) pl_rcvd_d = pl_rcvd_q + 16'd1;
    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          instr_d = instr_i;
          prog_d  = simd_prog_i;
          idx_d   = instr_idx_i;
          state_d = StCheck;
        end
      end
      StCheck: begin
        // The golden model's order: opcode, program length, program, the other fields, then
        // the SRAM range.
        if (bad_opcode || bad_field || prog_bad || bad_range) begin
          err_o      = 1'b1;
          err_code_o = bad_opcode ? nna_isa_pkg::ErrIllegalOpcode :
                       (!bad_simd && prog_bad) ? prog_err :
                       bad_field ? nna_isa_pkg::ErrIllegalField : nna_isa_pkg::ErrSramRange;
          state_d    = StIdle;
        end else begin
          pl_issued_d   = '0;
          pl_rcvd_d     = '0;
          state_d       = StParam;
        end
      end
      StParam: begin
        if (pl_rcvd_q == pl_total) begin
          seq_start = 1'b1;
          state_d   = StTiles;
        end
      end
      StTiles: begin
        if (ds_done && simd_idle && pool_idle && wb_usage == 2'd0) begin
          done_o  = 1'b1;
          state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q       <= StIdle;
      instr_q       <= '0;
      prog_q        <= '0;
      idx_q         <= '0;
      pl_issued_q   <= '0;
      pl_rcvd_q     <= '0;
    end else begin
      state_q       <= state_d;
      instr_q       <= instr_d;
      prog_q        <= prog_d;
      idx_q         <= idx_d;
      pl_issued_q   <= pl_issued_d;
      pl_rcvd_q     <= pl_rcvd_d;
    end
  end

  assign busy_o = (state_q != StIdle);

  // ---------------------------------------------------------------------------------------------
  // Datapath.
  logic as_wt_valid, as_wt_fire, wt_room, act_room;
  logic [31:0] as_wt_addr, as_wt_bytes;
  logic act_fire, act_first, act_last, act_load;
  logic [N-1:0] act_mask;
  logic [N*$clog2(nna_cfg_pkg::SramActPortBytes)-1:0] act_off;
  logic mac_valid, mac_first, mac_last, mac_shift;
  logic [N*8-1:0] mac_act;
  logic [M*8-1:0] mac_wt;
  logic [N*AccBits-1:0] row0;
  logic row_valid, row_ready;
  logic [15:0] row_pt, row_ct, row_idx;
  logic [15:0] row_co;  // below SimdParamEntries (checked), so the high bits are 0
  logic [31:0] row_addr;
  logic [N-1:0] row_mask;
  logic sr_stall;
  nna_isa_pkg::compute_cycle_e ds_cyc;
  logic simd_out_valid, simd_out_ready;
  logic [N*8-1:0] simd_out_data;
  logic [MetaBits-1:0] simd_out_meta;
  logic pool_out_valid, pool_out_ready;
  logic [N*8-1:0] pool_out_data;
  logic [31:0] pool_out_addr;
  logic [N-1:0] pool_out_mask;
  logic wb_valid, wb_ready;
  logic [N*8+32+N-1:0] wb_entry;

  // The last byte of the window that a served lane reads: the SRAM reads only the banks up to it,
  // which leaves the others to the weight and write ports.
  localparam int unsigned OffBits = $clog2(nna_cfg_pkg::SramActPortBytes);
  always_comb begin
    act_req_last_o = '0;
    for (int i = 0; i < N; i++) begin
      if (act_mask[i] && act_off[i*OffBits +: OffBits] > act_req_last_o) begin
        act_req_last_o = act_off[i*OffBits +: OffBits];
      end
    end
  end

  // A dot product shorter than the array's rows waits for the unload, which waits for the writes:
  // then the write-back gets the banks before the activation reads, which are ahead anyway.
  assign wr_priority_o = 32'(instr_q.dot_len) < M;

  // The weight port: parameter reads in StParam, weight rows in StTiles.
  assign wt_req_valid_o = pl_req_valid || as_wt_valid;
  assign wt_req_addr_o  = pl_req_valid ? pl_addr : as_wt_addr;

  nna_addr_seq u_addr_seq (
    .clk_i, .rst_ni,
    .start_i          (seq_start),
    .instr_i          (instr_q),
    .wt_room_i        (wt_room),
    .wt_req_valid_o   (as_wt_valid),
    .wt_req_ready_i   (wt_req_ready_i),
    .wt_req_addr_o    (as_wt_addr),
    .wt_fire_o        (as_wt_fire),
    .wt_bytes_o       (as_wt_bytes),
    .act_room_i       (act_room),
    .act_req_valid_o,
    .act_req_ready_i,
    .act_req_addr_o,
    .act_fire_o       (act_fire),
    .act_desc_first_o (act_first),
    .act_desc_last_o  (act_last),
    .act_desc_load_o  (act_load),
    .act_desc_mask_o  (act_mask),
    .act_desc_off_o   (act_off),
    .idle_o           (as_idle)
  );

  nna_data_seq u_data_seq (
    .clk_i, .rst_ni,
    .start_i          (seq_start),
    .instr_i          (instr_q),
    .act_fire_i       (act_fire),
    .act_desc_first_i (act_first),
    .act_desc_last_i  (act_last),
    .act_desc_load_i  (act_load),
    .act_desc_mask_i  (act_mask),
    .act_desc_off_i   (act_off),
    .act_rsp_valid_i,
    .act_rsp_data_i,
    .act_room_o       (act_room),
    .wt_fire_i        (as_wt_fire),
    .wt_bytes_i       (as_wt_bytes),
    .wt_rsp_valid_i   (wt_rsp_valid_i && state_q == StTiles),
    .wt_rsp_data_i,
    .wt_room_o        (wt_room),
    .mac_valid_o      (mac_valid),
    .mac_first_o      (mac_first),
    .mac_last_o       (mac_last),
    .mac_act_o        (mac_act),
    .mac_wt_o         (mac_wt),
    .mac_shift_o      (mac_shift),
    .row_valid_o      (row_valid),
    .row_ready_i      (row_ready),
    .row_pt_o         (row_pt),
    .row_ct_o         (row_ct),
    .row_idx_o        (row_idx),
    .row_co_o         (row_co),
    .row_addr_o       (row_addr),
    .row_mask_o       (row_mask),
    .done_o           (ds_done),
    .sr_stall_o       (sr_stall),
    .cyc_o            (ds_cyc)
  );

  nna_mac_array u_mac_array (
    .clk_i,
    .valid_i     (mac_valid),
    .first_i     (mac_first),
    .last_i      (mac_last),
    .in_signed_i (instr_q.in_signed),
    .wt_signed_i (instr_q.wt_signed),
    .act_i       (mac_act),
    .wt_i        (mac_wt),
    .shift_i     (mac_shift),
    .row0_o      (row0)
  );

  nna_simd #(.MetaBits(MetaBits)) u_simd (
    .clk_i, .rst_ni,
    .prog_i        (prog_q),
    .prog_len_i    (instr_q.simd_len),
    .prog_bad_o    (prog_bad),
    .prog_err_o    (prog_err),
    .prog_lut_o    (prog_lut),
    .param_we_i    (param_we),
    .param_waddr_i (pl_rcvd_q[ParamRowBits-1:0]),
    .param_wdata_i (wt_rsp_data_i),
    .lut_we_i      (lut_we),
    .lut_waddr_i   (lut_row),
    .pair_i        (op_elt),
    .pair_op_i     (instr_q.eltwise_op),
    .in_valid_i    (row_valid),
    .in_ready_o    (row_ready),
    .in_first_i    (row_idx == 16'd0),
    .in_acc_i      (row0),
    .in_co_i       (row_co[nna_cfg_pkg::ParamAddrBits-1:0]),
    .in_meta_i     ({row_idx, row_pt, row_mask, row_addr}),
    .out_valid_o   (simd_out_valid),
    .out_ready_i   (simd_out_ready),
    .out_data_o    (simd_out_data),
    .out_meta_o    (simd_out_meta),
    .idle_o        (simd_idle)
  );

  // Pooling unit: a pass-through without pooling; with it, rows in and pooled rows out.
  nna_pool u_pool (
    .clk_i, .rst_ni,
    .start_i       (seq_start),
    .pool_op_i     (instr_q.pool_op),
    .pool_size_i   (instr_q.pool_size),
    .pool_stride_i (instr_q.pool_stride),
    .pool_pad_i    (instr_q.pool_pad),
    .out_h_i       (instr_q.out_h),
    .out_w_i       (instr_q.out_w),
    .pix_tiles_i   (instr_q.pix_tiles),
    .out_signed_i  (instr_q.out_signed),
    .in_valid_i    (simd_out_valid),
    .in_ready_o    (simd_out_ready),
    .in_data_i     (simd_out_data),
    .in_addr_i     (simd_out_meta[31:0]),
    .in_mask_i     (simd_out_meta[32 +: N]),
    .in_pt_i       (simd_out_meta[32+N +: 16]),
    .in_row_i      (simd_out_meta[48+N +: 16]),
    .out_valid_o   (pool_out_valid),
    .out_ready_i   (pool_out_ready),
    .out_data_o    (pool_out_data),
    .out_addr_o    (pool_out_addr),
    .out_mask_o    (pool_out_mask),
    .idle_o        (pool_idle)
  );

  // Write buffer: its in_ready does not depend on wr_ready_i, so the SRAM's ready never reaches
  // the MAC array combinationally (also keeps the 96x96 array out of Verilator's input logic).
  nna_fifo #(.Width(N*8 + 32 + N), .Depth(2)) u_wr_fifo (
    .clk_i, .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (pool_out_valid),
    .in_ready_o  (pool_out_ready),
    .in_data_i   ({pool_out_mask, pool_out_addr, pool_out_data}),
    .out_valid_o (wb_valid),
    .out_ready_i (wb_ready),
    .out_data_o  (wb_entry),
    .usage_o     (wb_usage)
  );

  nna_writeback u_writeback (
    .in_valid_i  (wb_valid),
    .in_ready_o  (wb_ready),
    .in_data_i   (wb_entry[N*8-1:0]),
    .in_addr_i   (wb_entry[N*8 +: 32]),
    .in_mask_i   (wb_entry[N*8+32 +: N]),
    .instr_idx_i (idx_q),
    .wr_valid_o,
    .wr_ready_i,
    .wr_addr_o,
    .wr_data_o,
    .wr_mask_o,
    .wr_instr_o
  );

  assign obs_acc_valid_o    = row_valid && row_ready;
  assign obs_acc_instr_o    = idx_q;
  assign obs_acc_pix_tile_o = row_pt;
  assign obs_acc_ch_tile_o  = row_ct;
  assign obs_acc_row_o      = row_idx;
  assign obs_acc_data_o     = row0;
  assign mac_active_o       = mac_valid;
  assign simd_busy_o        = !simd_idle;
  // Check and parameter load are fill; the data sequencer classifies the tile phase.
  assign obs_cycle_valid_o  = busy_o;
  assign obs_cycle_o        = (state_q == StTiles) ? ds_cyc : nna_isa_pkg::CycFill;
  assign obs_cycle_instr_o  = idx_q;

`ifdef NNA_OBSERVE
  logic [31:0] sr_stall_cnt_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)        sr_stall_cnt_q <= '0;
    else if (seq_start) sr_stall_cnt_q <= '0;
    else if (sr_stall)  sr_stall_cnt_q <= sr_stall_cnt_q + 32'd1;
  end
  assign obs_sr_stalls_o = sr_stall_cnt_q;
`else
  logic unused_sr_stall;  // only the observation port counts these stalls
  assign unused_sr_stall = sr_stall;
`endif

  `NNA_ASSERT_IF(StartWhenIdle_A, start_i, state_q == StIdle, ("nna_compute: start_i while busy"))
  `NNA_ASSERT_IF(DoneWhenIssued_A, done_o, as_idle,
                 ("nna_compute: done with requests left to issue"))
  `NNA_ASSERT_IF(TileReqInTiles_A, state_q != StTiles, !as_wt_valid && !act_req_valid_o,
                 ("nna_compute: tile request outside the tile phase"))
endmodule
