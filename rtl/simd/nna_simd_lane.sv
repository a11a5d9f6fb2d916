// nna_simd_lane: one lane of the SIMD unit: a 3-stage pipeline of the FUSED_RELU operation
// (docs/architecture.md), on one 32-bit lane value. The row's channel parameters and flags come
// from nna_simd, which keeps them in side-band registers next to the stage they are used in.
//
//   stage 1: t  = int32(v + bias)                                  (wraps at 32 bits)
//   stage 2: q  = int64(t) * scale                                  (scale unsigned 16-bit)
//   stage 3: q  = shift ? (q + 2^(shift-1)) >>> shift : q;  relu;  q += zero_point;
//            v' = clamp_i ? clamp(q, unsigned ? [0,255] : [-128,127]) : q[31:0]
// All stages advance together when en_i is high (global stall). recirc_i feeds the stage-3
// value back into stage 1 instead of in_value_i (programs with several chained FUSED_RELU).
module nna_simd_lane (
  input  logic        clk_i,
  input  logic        en_i,
  input  logic        recirc_i,
  input  logic [31:0] in_value_i,
  input  logic [31:0] bias_i,        // of the row entering stage 1
  input  logic [15:0] s1_scale_i,    // of the row in stage 1
  input  logic [5:0]  s2_shift_i,    // of the row in stage 2 (the ISA field is 0..63)
  input  logic [7:0]  s2_zp_i,
  input  logic        s2_relu_i,
  input  logic        s2_unsigned_i,
  input  logic        s2_clamp_i,    // 0: pass the 32-bit value unchanged (empty program)
  output logic [31:0] value_o        // stage-3 register
);
  logic [31:0] t1_q, t1_d, v3_q, v3_d;
  logic [63:0] q2_q, q2_d;
  logic signed [63:0] q, rnd;
  logic signed [48:0] prod;

  always_comb begin
    t1_d = (recirc_i ? v3_q : in_value_i) + bias_i;
    prod = $signed(t1_q) * $signed({1'b0, s1_scale_i});
    q2_d = 64'($signed(prod));
    rnd  = (s2_shift_i == 6'd0) ? 64'sd0 : (64'sd1 <<< (s2_shift_i - 6'd1));
    q    = ($signed(q2_q) + rnd) >>> s2_shift_i;
    if (s2_relu_i && q < 0) q = '0;
    q    = q + 64'($signed(s2_zp_i));
    if (!s2_clamp_i)                    v3_d = q[31:0];
    else if (s2_unsigned_i && q < 0)    v3_d = 32'd0;
    else if (s2_unsigned_i && q > 255)  v3_d = 32'd255;
    else if (!s2_unsigned_i && q < -128) v3_d = 32'hFFFF_FF80;
    else if (!s2_unsigned_i && q > 127) v3_d = 32'd127;
    else                                v3_d = q[31:0];
    if (!en_i) begin  // global stall: hold every stage
      t1_d = t1_q;
      q2_d = q2_q;
      v3_d = v3_q;
    end
  end

  // Datapath registers: no reset (validity is tracked in nna_simd).
  always_ff @(posedge clk_i) begin
    t1_q <= t1_d;
    q2_q <= q2_d;
    v3_q <= v3_d;
  end

  assign value_o = v3_q;
endmodule
