// nna_simd_lane: one lane of the SIMD unit. Executes one SIMD instruction (docs/simd.md) per
// stage-1 entry on the register file of the row it belongs to; nna_simd decodes the program and
// feeds every lane the same control, stage by stage.
//
// The row's lane state (v0..v7, p1..p3) travels with it through the three stages, so up to three
// rows are in flight and an instruction never waits for the one before it: the row that leaves
// stage 3 enters stage 1 again with its next instruction (recirc_i), its write merged on the way.
//
//   slice A (into stage 1): read va, vb, vd and the predicates; t = va + bias (FUSED_RELU)
//   slice B (into stage 2): integer result (LUT: the shared table's byte at va[7:0]);
//                           q = int64(t) * scale (FUSED_RELU)
//   slice C (into stage 3): round shift, relu, zero point, clamp (FUSED_RELU)
//   the FP32 unit spans the same three stages; its result is its own stage-3 register
// All stages advance together while the unit is not stalled; a stage's registers load only when
// a row moves into it (enK_i), so an idle unit costs the simulator nothing.
module nna_simd_lane (
  input  logic                  clk_i,
  input  logic                  en_i,           // the pipeline advances (the FP32 unit's enable)
  input  logic                  en1_i,          // a row enters stage 1
  input  logic                  en2_i,          // the stage-1 row moves to stage 2
  input  logic                  en3_i,          // the stage-2 row moves to stage 3
  // slice A: the row entering stage 1 and the instruction it starts
  input  logic                  recirc_i,       // the stage-3 row goes round again, else a new row
  input  logic [31:0]           acc_i,          // a new row's v0: the sign-extended accumulator
  input  logic [31:0]           v1_i,           // a new row's v1 and v2 (ELTWISE's a and b, else 0)
  input  logic [31:0]           v2_i,
  input  nna_isa_pkg::simd_op_e a_op_i,
  input  logic [2:0]            a_src_a_i,
  input  logic [2:0]            a_src_b_i,
  input  logic [2:0]            a_dst_i,        // FMA reads vd
  input  logic [1:0]            a_pred_i,
  input  logic                  a_pred_neg_i,
  input  logic [1:0]            a_sel_pred_i,   // SEL: imm mod 4
  input  logic [31:0]           a_bias_i,
  // slice B: the instruction of the row in stage 1
  input  nna_isa_pkg::simd_op_e s1_op_i,
  input  nna_isa_pkg::dtype_e   s1_dtype_i,
  input  logic                  s1_round_i,     // SHR flags bit0
  input  logic [31:0]           s1_const_i,     // MOVI's imm or LDPARAM's parameter
  input  logic [15:0]           s1_scale_i,
  output logic [7:0]            s1_lut_idx_o,   // LUT: va[7:0], the index into the shared table
  input  logic [7:0]            s1_lut_i,       // LUT: the table's byte at that index
  // slice C: the instruction of the row in stage 2
  input  logic                  s2_fused_i,
  input  logic [5:0]            s2_shift_i,     // the ISA field is 0..63
  input  logic [15:0]           s2_zp_i,
  input  logic                  s2_relu_i,
  input  logic                  s2_unsigned_i,
  // write of the instruction of the row in stage 3
  input  logic                  s3_fp_i,        // the result comes from the FP32 unit
  input  logic                  s3_write_v_i,   // writes v[dst]
  input  logic                  s3_write_p_i,   // writes p[dst] (compares)
  input  logic [2:0]            s3_dst_i,
  output logic [7:0]            out_byte_o      // v0[7:0] of the stage-3 row, its write included
);
  // One copy of the code for all N lanes: inlined N times, the fsd model's C++ triples.
  /* verilator no_inline_module */
  localparam int unsigned Regs = nna_isa_pkg::SimdRegs;

  // Lane state of the row in each stage: v registers (v_i at [32i +: 32]) and p1..p3 (bits 3:1).
  logic [Regs*32-1:0] v1_q, v2_q, v3_q, v_in, v_eff;
  logic [3:1]         p1_q, p2_q, p3_q, p_in, p_eff;
  logic [31:0]        a1_q, b1_q, t1_q, int2_q, res3_q, fp_res, result;
  logic [63:0]        q2_q;
  logic               en1_q, en2_q, en3_q, sel1_q;

  function automatic logic pred_of(input logic [3:1] p, input logic [1:0] idx);
    pred_of = (idx == 2'd0) ? 1'b1 : p[idx];
  endfunction

  // The dtype's value of a register: low bits sign- or zero-extended (docs/simd.md "Integer
  // dtypes").
  function automatic logic [31:0] ext(input logic [31:0] v, input nna_isa_pkg::dtype_e dt);
    unique case (dt)
      nna_isa_pkg::DtI16:   ext = {{16{v[15]}}, v[15:0]};
      nna_isa_pkg::DtI8:    ext = {{24{v[7]}}, v[7:0]};
      nna_isa_pkg::DtU8:    ext = {24'd0, v[7:0]};
      default: ext = v;
    endcase
  endfunction

  // Integer results. Operands are extended first, so one signed compare or arithmetic shift also
  // serves u8 (its values are never negative); wrapping is a final ext of the low bits.
  function automatic logic [31:0] int_result(input nna_isa_pkg::simd_op_e op,
                                             input nna_isa_pkg::dtype_e dt, input logic rnd,
                                             input logic [31:0] ra, input logic [31:0] rb,
                                             input logic sel_p, input logic [31:0] cst,
                                             input logic [7:0] lut);
    logic signed [31:0] a, b, lo, hi;
    logic [4:0] s;
    logic signed [32:0] rounded;  // a + 2^(s-1) needs 33 bits; the shifted result fits in 32
    a = $signed(ext(ra, dt));
    b = $signed(ext(rb, dt));
    unique case (dt)
      nna_isa_pkg::DtI16:   begin s = {1'b0, rb[3:0]};  lo = -32'sd32768; hi = 32'sd32767; end
      nna_isa_pkg::DtI8:    begin s = {2'b0, rb[2:0]};  lo = -32'sd128;   hi = 32'sd127;   end
      nna_isa_pkg::DtU8:    begin s = {2'b0, rb[2:0]};  lo = 32'sd0;      hi = 32'sd255;   end
      default: begin s = rb[4:0];          lo = 32'h8000_0000; hi = 32'h7FFF_FFFF; end
    endcase
    rounded = ($signed({a[31], a}) + (33'sd1 <<< (s - 5'd1))) >>> s;
    unique case (op)
      nna_isa_pkg::SimdMov:     int_result = ra;
      nna_isa_pkg::SimdMovi,
      nna_isa_pkg::SimdLdparam: int_result = cst;
      nna_isa_pkg::SimdSel:     int_result = sel_p ? ra : rb;
      nna_isa_pkg::SimdLut:     int_result = ext({24'd0, lut}, dt);  // i8 or u8 (checked)
      nna_isa_pkg::SimdAdd:     int_result = ext(a + b, dt);
      nna_isa_pkg::SimdSub:     int_result = ext(a - b, dt);
      nna_isa_pkg::SimdMul:     int_result = ext(a * b, dt);
      nna_isa_pkg::SimdShl:     int_result = ext(a << s, dt);
      nna_isa_pkg::SimdShr:     int_result = ext((rnd && s != 5'd0) ? rounded[31:0] : 32'(a >>> s),
                                                 dt);
      nna_isa_pkg::SimdMin:     int_result = (a < b) ? a : b;
      nna_isa_pkg::SimdMax:     int_result = (a < b) ? b : a;
      nna_isa_pkg::SimdAnd:     int_result = ext(a & b, dt);
      nna_isa_pkg::SimdOr:      int_result = ext(a | b, dt);
      nna_isa_pkg::SimdXor:     int_result = ext(a ^ b, dt);
      nna_isa_pkg::SimdCmpeq:   int_result = {31'd0, a == b};
      nna_isa_pkg::SimdCmplt:   int_result = {31'd0, a < b};
      nna_isa_pkg::SimdCmple:   int_result = {31'd0, a <= b};
      nna_isa_pkg::SimdSat:     int_result = ($signed(ra) < lo) ? lo :
                                             (($signed(ra) > hi) ? hi : ra);
      default:     int_result = 32'd0;
    endcase
  endfunction

  // FUSED_RELU after the product (docs/architecture.md): round shift, relu, zero point, clamp.
  function automatic logic [31:0] fused_tail(input logic [63:0] prod, input logic [5:0] shift,
                                             input logic [15:0] zp, input logic relu,
                                             input logic unsigned_out);
    logic signed [63:0] q, rnd;
    rnd = (shift == 6'd0) ? 64'sd0 : (64'sd1 <<< (shift - 6'd1));
    q   = ($signed(prod) + rnd) >>> shift;
    if (relu && q < 0) q = '0;
    q = q + 64'($signed(zp));
    if (unsigned_out)  fused_tail = (q < 0) ? 32'd0 : ((q > 255) ? 32'd255 : q[31:0]);
    else               fused_tail = (q < -128) ? 32'hFFFF_FF80 : ((q > 127) ? 32'd127 : q[31:0]);
  endfunction

  // The stage-3 row's state with its write merged: what it recirculates and what it outputs.
  assign result = s3_fp_i ? fp_res : res3_q;
  always_comb begin
    v_eff = v3_q;
    p_eff = p3_q;
    if (en3_q && s3_write_v_i) v_eff[32*s3_dst_i +: 32] = result;
    if (en3_q && s3_write_p_i && s3_dst_i[1:0] != 2'd0) p_eff[s3_dst_i[1:0]] = result[0];
  end
  assign out_byte_o = v_eff[7:0];

  assign s1_lut_idx_o = a1_q[7:0];

  // Slice A.
  logic [31:0] va, vb, vd;
  logic        enable;
  assign v_in   = recirc_i ? v_eff : {{(Regs-3)*32{1'b0}}, v2_i, v1_i, acc_i};
  assign p_in   = recirc_i ? p_eff : 3'b000;
  assign va     = v_in[32*a_src_a_i +: 32];
  assign vb     = v_in[32*a_src_b_i +: 32];
  assign vd     = v_in[32*a_dst_i +: 32];
  assign enable = pred_of(p_in, a_pred_i) ^ a_pred_neg_i;

  nna_fp32 u_fp32 (
    .clk_i,
    .en_i,
    .op_i     (a_op_i),
    .a_i      (va),
    .b_i      (vb),
    .c_i      (vd),
    .result_o (fp_res)
  );

  // Datapath registers: no reset (validity is tracked in nna_simd). Each stage computes its next
  // state only in the cycle a row moves into it.
  always_ff @(posedge clk_i) begin
    if (en1_i) begin
      v1_q   <= v_in;
      p1_q   <= p_in;
      a1_q   <= va;
      b1_q   <= vb;
      t1_q   <= va + a_bias_i;
      en1_q  <= enable;
      sel1_q <= pred_of(p_in, a_sel_pred_i);
    end
    if (en2_i) begin
      v2_q   <= v1_q;
      p2_q   <= p1_q;
      en2_q  <= en1_q;
      int2_q <= int_result(s1_op_i, s1_dtype_i, s1_round_i, a1_q, b1_q, sel1_q, s1_const_i,
                           s1_lut_i);
      q2_q   <= 64'($signed(t1_q) * $signed({1'b0, s1_scale_i}));
    end
    if (en3_i) begin
      v3_q   <= v2_q;
      p3_q   <= p2_q;
      en3_q  <= en2_q;
      res3_q <= s2_fused_i ? fused_tail(q2_q, s2_shift_i, s2_zp_i, s2_relu_i, s2_unsigned_i)
                           : int2_q;
    end
  end
endmodule
