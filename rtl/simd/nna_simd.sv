// nna_simd: the N-lane SIMD unit. Runs the SIMD program of a compute instruction (docs/simd.md) on
// every accumulator row and emits one byte per lane (v0[7:0] after the last instruction).
//
// Every lane (nna_simd_lane) has a 3-stage pipeline; the row's registers travel with it. A row
// enters stage 1 with instruction 0 and, while instructions remain, leaves stage 3 straight back
// into stage 1 with the next one. Up to three rows share the loop, so an L-instruction program
// takes one row per L cycles, a one-instruction program (FUSED_RELU) one row per cycle, and a
// dependent instruction never waits. A row handed over in cycle t (in_valid_i && in_ready_o)
// reaches the output at t + 3L; rows leave in the order they came. The whole pipeline stalls
// while the output is not accepted.
//
// The legality of the program (prog_bad_o, prog_err_o) is decided here, from the same op table
// that drives the stages, in the order of docs/simd.md "Legality": nna_compute checks it before
// any row flows.
//
// Pair mode (ELTWISE, docs/architecture.md "SIMD-only instructions"): the first row of a pair
// (a) is taken in one cycle and kept; the second (b) enters with v0 = a op b, v1 = a, v2 = b.
//
// The channel parameters live in a RAM of rows of ParamRowBytes (one weight-port response each),
// written during the parameter load, read asynchronously with the channel of the entering row.
// LUT's table (docs/simd.md, "The table") is one LutBytes x 8 register array shared by every lane,
// written by the same load after the parameters (lut_we_i, a weight-port row at a time), and read
// by a mux per lane with the lane's stage-1 operand.
module nna_simd #(
  parameter int unsigned MetaBits = 1,
  localparam int unsigned N = nna_cfg_pkg::ArrayCols,
  localparam int unsigned NumSimd = nna_isa_pkg::MaxSimdInstrs,
  localparam int unsigned ParamRowBytes = nna_cfg_pkg::SramWtPortBytes,
  localparam int unsigned ParamBits = nna_isa_pkg::ChannelParamsBytes * 8,
  localparam int unsigned EntriesPerRow = ParamRowBytes / nna_isa_pkg::ChannelParamsBytes,
  localparam int unsigned ParamRows = nna_cfg_pkg::SimdParamEntries / EntriesPerRow,
  localparam int unsigned ParamRowBits = (ParamRows > 1) ? $clog2(ParamRows) : 1,
  localparam int unsigned LutBytes = nna_isa_pkg::LutBytes,
  localparam int unsigned LutRows = (LutBytes + ParamRowBytes - 1) / ParamRowBytes,
  localparam int unsigned LutRowBits = (LutRows > 1) ? $clog2(LutRows) : 1
) (
  input  logic clk_i,
  input  logic rst_ni,
  // program, stable while rows flow
  input  logic [NumSimd*64-1:0]                       prog_i,      // instruction k at [64k +: 64]
  input  logic [7:0]                                  prog_len_i,  // 1..NumSimd (checked)
  output logic                                        prog_bad_o,
  output nna_isa_pkg::error_code_e                    prog_err_o,  // first illegal instruction's
  output logic                                        prog_lut_o,  // a LUT in the program
  // parameter RAM write (parameter load)
  input  logic                                        param_we_i,
  input  logic [ParamRowBits-1:0]                     param_waddr_i,
  input  logic [ParamRowBytes*8-1:0]                  param_wdata_i,
  // LUT table write (after the parameters; row r holds bytes r*ParamRowBytes on, of the data above)
  input  logic                                        lut_we_i,
  input  logic [LutRowBits-1:0]                       lut_waddr_i,
  // pair mode (ELTWISE), stable while rows flow
  input  logic                                        pair_i,
  input  nna_isa_pkg::eltwise_op_e                    pair_op_i,
  // accumulator rows in
  input  logic                                        in_valid_i,
  output logic                                        in_ready_o,
  input  logic                                        in_first_i,  // row 0 of its tile
  input  logic [N*nna_isa_pkg::AccBits-1:0]           in_acc_i,    // lane i at [i*30 +: 30]
  input  logic [nna_cfg_pkg::ParamAddrBits-1:0]       in_co_i,     // output channel of the row
  input  logic [MetaBits-1:0]                         in_meta_i,   // carried to the output
  // output bytes
  output logic                                        out_valid_o,
  input  logic                                        out_ready_i,
  output logic [N*8-1:0]                              out_data_o,  // lane i at [i*8 +: 8]
  output logic [MetaBits-1:0]                         out_meta_o,
  output logic                                        idle_o       // no row inside
);
  localparam int unsigned AccBits = nna_isa_pkg::AccBits;
  localparam int unsigned Regs = nna_isa_pkg::SimdRegs;
  localparam int unsigned Preds = nna_isa_pkg::SimdPreds;

  // ---------------------------------------------------------------------------------------------
  // The op table (cpp-model/simd/simd_program.cpp InfoOf): which fields an op reads and writes.
  typedef struct packed {
    logic legal;        // a simd_op value
    logic has_dst;      // all but NOP
    logic writes_pred;  // compares: dst names p1..p3
    logic reads_a;
    logic reads_b;
    logic int_dtype;    // needs i32, i16, i8 or u8
    logic fp_dtype;     // needs f32 (its result comes from the FP32 unit)
    logic byte_dtype;   // needs i8 or u8 (LUT)
  } op_info_t;

  function automatic op_info_t info_of(input nna_isa_pkg::simd_op_e op);
    info_of = '0;
    info_of.legal   = 1'b1;
    info_of.has_dst = 1'b1;
    unique case (op)
      nna_isa_pkg::SimdNop:        info_of.has_dst = 1'b0;
      nna_isa_pkg::SimdMovi,
      nna_isa_pkg::SimdLdparam:    ;
      nna_isa_pkg::SimdMov,
      nna_isa_pkg::SimdFusedRelu:  info_of.reads_a = 1'b1;
      nna_isa_pkg::SimdSel:        {info_of.reads_a, info_of.reads_b} = 2'b11;
      nna_isa_pkg::SimdSat:        {info_of.reads_a, info_of.int_dtype} = 2'b11;
      nna_isa_pkg::SimdCmpeq,
      nna_isa_pkg::SimdCmplt,
      nna_isa_pkg::SimdCmple:      {info_of.writes_pred, info_of.reads_a, info_of.reads_b,
                                    info_of.int_dtype} = 4'b1111;
      nna_isa_pkg::SimdAdd, nna_isa_pkg::SimdSub, nna_isa_pkg::SimdMul, nna_isa_pkg::SimdShl,
      nna_isa_pkg::SimdShr, nna_isa_pkg::SimdMin, nna_isa_pkg::SimdMax, nna_isa_pkg::SimdAnd,
      nna_isa_pkg::SimdOr, nna_isa_pkg::SimdXor:
                                   {info_of.reads_a, info_of.reads_b, info_of.int_dtype} = 3'b111;
      nna_isa_pkg::SimdFcmplt:     {info_of.writes_pred, info_of.reads_a, info_of.reads_b,
                                    info_of.fp_dtype} = 4'b1111;
      nna_isa_pkg::SimdFadd, nna_isa_pkg::SimdFmul, nna_isa_pkg::SimdFma, nna_isa_pkg::SimdFmin,
      nna_isa_pkg::SimdFmax:       {info_of.reads_a, info_of.reads_b, info_of.fp_dtype} = 3'b111;
      nna_isa_pkg::SimdI2f,
      nna_isa_pkg::SimdF2i:        {info_of.reads_a, info_of.fp_dtype} = 2'b11;
      nna_isa_pkg::SimdLut:        {info_of.reads_a, info_of.byte_dtype} = 2'b11;
      default:                     info_of = '0;
    endcase
  endfunction

  // One instruction's verdict, in the order of docs/simd.md "Legality".
  typedef enum logic [1:0] {ChkOk, ChkField, ChkOpcode} check_e;
  function automatic check_e check_of(input nna_isa_pkg::simd_instr_t si);
    op_info_t i;
    logic bad_dtype;
    i = info_of(si.op);
    bad_dtype = (i.int_dtype || i.fp_dtype || i.byte_dtype) &&
                (32'(si.dtype) > 32'(nna_isa_pkg::DtF32) ||
                 (i.int_dtype && si.dtype == nna_isa_pkg::DtF32) ||
                 (i.fp_dtype && si.dtype != nna_isa_pkg::DtF32) ||
                 (i.byte_dtype && si.dtype != nna_isa_pkg::DtI8 &&
                  si.dtype != nna_isa_pkg::DtU8));
    if (!i.legal)                                                 check_of = ChkOpcode;
    else if (i.has_dst && i.writes_pred &&
             (si.dst == 4'd0 || 32'(si.dst) >= Preds))            check_of = ChkField;
    else if (i.has_dst && !i.writes_pred && 32'(si.dst) >= Regs)  check_of = ChkField;
    else if (i.reads_a && 32'(si.src_a) >= Regs)                  check_of = ChkField;
    else if (i.reads_b && 32'(si.src_b) >= Regs)                  check_of = ChkField;
    else if (i.has_dst && 32'(si.pred) >= Preds)                  check_of = ChkField;
    else if (bad_dtype)                                           check_of = ChkField;
    else if (si.op == nna_isa_pkg::SimdLdparam && si.imm > 32'd4) check_of = ChkField;
    else                                                          check_of = ChkOk;
  endfunction

  // The first illegal instruction decides (walking backwards, the earliest is found last).
  logic [2*NumSimd-1:0] instr_chk;  // a check_e per instruction
  logic [1:0] first_chk;
  for (genvar k = 0; k < NumSimd; k++) begin : g_check
    assign instr_chk[2*k +: 2] = (k < 32'(prog_len_i)) ? check_of(prog_i[64*k +: 64]) : ChkOk;
  end
  always_comb begin
    first_chk = ChkOk;
    for (int k = NumSimd - 1; k >= 0; k--) begin
      if (instr_chk[2*k +: 2] != ChkOk) first_chk = instr_chk[2*k +: 2];
    end
  end
  assign prog_err_o = (first_chk == ChkOpcode) ? nna_isa_pkg::ErrIllegalOpcode :
                      (first_chk == ChkField)  ? nna_isa_pkg::ErrIllegalField :
                                                 nna_isa_pkg::ErrNone;
  assign prog_bad_o = (prog_err_o != nna_isa_pkg::ErrNone);

  logic [NumSimd-1:0] instr_lut;
  for (genvar k = 0; k < NumSimd; k++) begin : g_lut_op
    assign instr_lut[k] = (k < 32'(prog_len_i)) &&
                          (prog_i[64*k +: 8] == 8'(nna_isa_pkg::SimdLut));
  end
  assign prog_lut_o = |instr_lut;

  // LUT table: row r of a load fills bytes r*ParamRowBytes .. (cut at LutBytes).
  logic [7:0] lut_q [LutBytes];
  for (genvar j = 0; j < LutBytes; j++) begin : g_lut_byte
    always_ff @(posedge clk_i) begin
      if (lut_we_i && 32'(lut_waddr_i) == j / ParamRowBytes) begin
        lut_q[j] <= param_wdata_i[8*(j % ParamRowBytes) +: 8];
      end
    end
  end

  // Parameter RAM.
  logic [ParamRowBytes*8-1:0] param_mem_q [ParamRows];
  logic [ParamRowBytes*8-1:0] param_row;
  nna_isa_pkg::channel_params_t in_param;

  always_ff @(posedge clk_i) begin
    if (param_we_i) param_mem_q[param_waddr_i] <= param_wdata_i;
  end

  assign param_row = param_mem_q[ParamRowBits'(32'(in_co_i) / EntriesPerRow)];
  assign in_param  = param_row[(32'(in_co_i) % EntriesPerRow)*ParamBits +: ParamBits];

  // ---------------------------------------------------------------------------------------------
  // Stage side-band: valid, the instruction the row executes there (pc), its parameters and meta.
  localparam int unsigned PcBits = $clog2(NumSimd);
  logic s1_valid_q, s2_valid_q, s3_valid_q;
  logic [PcBits-1:0] s1_pc_q, s2_pc_q, s3_pc_q, entry_pc;
  nna_isa_pkg::channel_params_t s1_param_q, s2_param_q, s3_param_q, entry_param;
  logic [MetaBits-1:0] s1_meta_q, s2_meta_q, s3_meta_q;
  logic s3_last, recirc, adv, in_fire, hold;
  logic [N*AccBits-1:0] pair_q;  // row a of the pair

  assign s3_last     = (32'(s3_pc_q) + 32'd1 >= 32'(prog_len_i));
  assign recirc      = s3_valid_q && !s3_last;
  assign out_valid_o = s3_valid_q && s3_last;
  assign adv         = !out_valid_o || out_ready_i;
  assign hold        = pair_i && in_first_i;  // kept, not run
  assign in_ready_o  = hold || (adv && !recirc);  // a recirculating row owns stage 1
  assign in_fire     = in_valid_i && in_ready_o && !hold;
  assign idle_o      = !s1_valid_q && !s2_valid_q && !s3_valid_q;
  assign out_meta_o  = s3_meta_q;
  assign entry_pc    = recirc ? s3_pc_q + PcBits'(1) : '0;
  assign entry_param = recirc ? s3_param_q : in_param;

  // Stage enables of the lanes: a stage's registers load only when a row moves into it.
  logic en1, en2, en3;
  assign en1 = adv && (recirc || in_fire);
  assign en2 = adv && s1_valid_q;
  assign en3 = adv && s2_valid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s2_valid_q <= 1'b0;
      s3_valid_q <= 1'b0;
    end else if (adv) begin
      s1_valid_q <= recirc || in_fire;
      s2_valid_q <= s1_valid_q;
      s3_valid_q <= s2_valid_q;
    end
  end

  always_ff @(posedge clk_i) begin
    if (in_valid_i && hold) pair_q <= in_acc_i;
  end

  always_ff @(posedge clk_i) begin
    if (adv) begin
      s1_pc_q    <= entry_pc;
      s1_param_q <= entry_param;
      s1_meta_q  <= recirc ? s3_meta_q : in_meta_i;
      s2_pc_q    <= s1_pc_q;
      s2_param_q <= s1_param_q;
      s2_meta_q  <= s1_meta_q;
      s3_pc_q    <= s2_pc_q;
      s3_param_q <= s2_param_q;
      s3_meta_q  <= s2_meta_q;
    end
  end

  // The instruction each stage works on, shared by all lanes.
  nna_isa_pkg::simd_instr_t ia, i1, i2, i3;
  op_info_t info3;
  logic [31:0] s1_const;
  assign ia    = prog_i[64*entry_pc +: 64];
  assign i1    = prog_i[64*s1_pc_q +: 64];
  assign i2    = prog_i[64*s2_pc_q +: 64];
  assign i3    = prog_i[64*s3_pc_q +: 64];
  assign info3 = info_of(i3.op);

  // MOVI's immediate or LDPARAM's parameter (docs/simd.md: scale and shift zero-extended, zero
  // point sign-extended, the multiplier's float32 bits as they are).
  always_comb begin
    unique case ({i1.op == nna_isa_pkg::SimdLdparam, i1.imm[2:0]})
      4'b1000: s1_const = s1_param_q.bias;
      4'b1001: s1_const = 32'(s1_param_q.scale);
      4'b1010: s1_const = 32'(s1_param_q.shift);
      4'b1011: s1_const = 32'($signed(s1_param_q.zero_point));
      4'b1100: s1_const = s1_param_q.multiplier;
      default: s1_const = i1.imm;
    endcase
  end

  for (genvar i = 0; i < N; i++) begin : g_lane
    logic signed [31:0] a, b, v0;
    logic [7:0] lut_idx;  // the lane's read mux of the shared table
    assign a = 32'($signed(pair_q[i*AccBits +: AccBits]));
    assign b = 32'($signed(in_acc_i[i*AccBits +: AccBits]));
    always_comb begin
      unique case ({pair_i, pair_op_i})
        {1'b1, nna_isa_pkg::EltAdd}: v0 = a + b;
        {1'b1, nna_isa_pkg::EltMul}: v0 = a * b;
        {1'b1, nna_isa_pkg::EltMax}: v0 = (a < b) ? b : a;
        default:                     v0 = b;
      endcase
    end

    nna_simd_lane u_lane (
      .clk_i,
      .en_i          (adv),
      .en1_i         (en1),
      .en2_i         (en2),
      .en3_i         (en3),
      .recirc_i      (recirc),
      .acc_i         (v0),
      .v1_i          (pair_i ? a : 32'd0),
      .v2_i          (pair_i ? b : 32'd0),
      .a_op_i        (en1 ? ia.op : nna_isa_pkg::SimdNop),  // the FP32 unit idles without a row
      .a_src_a_i     (ia.src_a[2:0]),
      .a_src_b_i     (ia.src_b[2:0]),
      .a_dst_i       (ia.dst[2:0]),
      .a_pred_i      (ia.pred[1:0]),
      .a_pred_neg_i  (ia.pred_neg),
      .a_sel_pred_i  (ia.imm[1:0]),
      .a_bias_i      (entry_param.bias),
      .s1_op_i       (i1.op),
      .s1_dtype_i    (i1.dtype),
      .s1_round_i    (i1.flags[0]),
      .s1_const_i    (s1_const),
      .s1_scale_i    (s1_param_q.scale),
      .s1_lut_idx_o  (lut_idx),
      .s1_lut_i      (lut_q[lut_idx]),
      .s2_fused_i    (i2.op == nna_isa_pkg::SimdFusedRelu),
      .s2_shift_i    (s2_param_q.shift[5:0]),
      .s2_zp_i       (s2_param_q.zero_point),
      .s2_relu_i     (i2.flags[0]),
      .s2_unsigned_i (i2.flags[1]),
      .s3_fp_i       (info3.fp_dtype),
      .s3_write_v_i  (info3.has_dst && !info3.writes_pred),
      .s3_write_p_i  (info3.writes_pred),
      .s3_dst_i      (i3.dst[2:0]),
      .out_byte_o    (out_data_o[i*8 +: 8])
    );
  end
endmodule
