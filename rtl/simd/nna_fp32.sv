// nna_fp32: one SIMD lane's IEEE-754 binary32 unit (contract: "FP32 in the SIMD unit" in
// docs/architecture.md): FADD, FMUL, FMA, FMIN, FMAX, FCMPLT, I2F, F2I, round to nearest even,
// denormals in full, canonical NaN, no flags. One operation per cycle; result 3 enabled cycles
// later.
//
// FADD, FMUL and I2F are run as a fused multiply-add, so that one adder and one rounder serve all:
// FADD = a*1.0 + b, FMUL = a*b + (-0) (exact, keeps the product's zero sign), I2F = |a| as the
// product with exponent 2^0 at the product's LSB, plus +0.
//
//   stage 1: unpack, special cases (NaN, inf, zero product), 24x24 product, FMIN/FMAX/FCMPLT/F2I
//   stage 2: align the addend to the product in a 79-bit frame, add or subtract, magnitude
//   stage 3: count leading zeros, normalize (stopping at the denormal exponent), round, pack
//
// The frame (bit k weighs 2^(k - FrameBias + frame_exp)): the product sits at bits [50:3], the
// addend's LSB at bit 54 - shift. An addend more than MaxLead binades above the product is held
// at shift 0 and the product then only acts as a sticky bit; addend bits below bit 0 are jammed
// into bit 0. Both keep every bit the rounding of the result can see (the result's round bit is
// always at frame bit 1 or above).
`include "nna_assert.svh"

module nna_fp32 (
  input  logic                  clk_i,
  input  logic                  en_i,
  input  nna_isa_pkg::simd_op_e op_i,
  input  logic [31:0]           a_i,
  input  logic [31:0]           b_i,
  input  logic [31:0]           c_i,     // FMA's addend; unused by the other operations
  output logic [31:0]           result_o // stage-3 register; FCMPLT gives 0 or 1, non-FP ops 0
);
  // One copy of the code for all N lanes: inlined N times, the fsd model's C++ triples.
  /* verilator no_inline_module */
  localparam logic [31:0] CanonicalNan = 32'h7FC0_0000;
  localparam logic [31:0] PlusOne      = 32'h3F80_0000;
  localparam logic [31:0] MinusZero    = 32'h8000_0000;
  localparam int          FrameW       = 79;   // magnitude bits of the aligned sum
  localparam int          ProdLsb      = 3;    // frame bit of the product's LSB
  localparam int          AddLsb       = 54;   // frame bit of the addend's LSB at shift 0
  // Exponents are biased (1 for denormals) and signed 11-bit: a product's reaches -125 .. 381.
  // addend lead beyond which the product is sticky
  localparam logic signed [10:0] MaxLead = 11'sd28;
  // A product 1.0*1.0 (2^46 in the 48-bit product) with biased exponent e sits at frame bit 49 and
  // normalizes to exponent e once its MSB is at bit FrameW-1 (29 places up).
  localparam logic signed [10:0] NormBias = 11'sd29;
  // I2F: the integer's LSB (frame bit ProdLsb) weighs 2^0, i.e. a product exponent of 127 + 46.
  localparam logic signed [10:0] I2fExp = 11'sd173;
  localparam logic signed [10:0] Bias = 11'sd127;

  // ---- helpers on the magnitude bits m = v[30:0] (no `return`: Yosys 0.23) ----
  function automatic logic is_nan(input logic [30:0] m);
    is_nan = (&m[30:23]) && (|m[22:0]);
  endfunction
  function automatic logic is_inf(input logic [30:0] m);
    is_inf = (&m[30:23]) && !(|m[22:0]);
  endfunction
  function automatic logic is_zero(input logic [30:0] m);
    is_zero = !(|m);
  endfunction
  function automatic logic [23:0] sig_of(input logic [30:0] m);  // with the hidden bit
    sig_of = {|m[30:23], m[22:0]};
  endfunction
  function automatic logic signed [10:0] exp_of(input logic [7:0] e);  // denormals weigh as 1
    exp_of = (e == 8'd0) ? 11'sd1 : $signed({3'b000, e});
  endfunction
  // Sign-magnitude to an unsigned key ordered like the numbers (-0 just below +0).
  function automatic logic [31:0] order_key(input logic [31:0] v);
    order_key = v[31] ? ~v : {1'b1, v[30:0]};
  endfunction
  function automatic logic is_fp_op(input nna_isa_pkg::simd_op_e op);
    is_fp_op = op == nna_isa_pkg::SimdFadd || op == nna_isa_pkg::SimdFmul
            || op == nna_isa_pkg::SimdFma || op == nna_isa_pkg::SimdFmin
            || op == nna_isa_pkg::SimdFmax || op == nna_isa_pkg::SimdFcmplt
            || op == nna_isa_pkg::SimdI2f || op == nna_isa_pkg::SimdF2i;
  endfunction
  // Leading zeros of the frame by halving (FrameW for 0): seven steps instead of a loop over bits.
  function automatic logic [6:0] lzc_of(input logic [78:0] m);
    logic [78:0] v;
    logic [7:0]  n;
    v = m;
    n = 8'd0;
    if (v[78:15] == '0) begin v = v << 64; n = n + 8'd64; end
    if (v[78:47] == '0) begin v = v << 32; n = n + 8'd32; end
    if (v[78:63] == '0) begin v = v << 16; n = n + 8'd16; end
    if (v[78:71] == '0) begin v = v << 8;  n = n + 8'd8;  end
    if (v[78:75] == '0) begin v = v << 4;  n = n + 8'd4;  end
    if (v[78:77] == '0) begin v = v << 2;  n = n + 8'd2;  end
    if (!v[78])         begin              n = n + 8'd1;  end
    lzc_of = (n > 8'(FrameW)) ? 7'(FrameW) : n[6:0];
  endfunction

  // ---- stage 1 ----
  logic [31:0] x, y, z;  // the multiply-add's operands after routing FADD and FMUL
  logic        a_nan, b_nan, a_lt_b, prod_zero, prod_inf, invalid;
  logic [31:0] a_abs, f2i_mag;
  logic [49:0] f2i_shifted;
  logic [7:0]  f2i_exp;
  logic [23:0] f2i_int;
  logic        f2i_round_up;

  logic [47:0]        s1_prod_sig_d, s1_prod_sig_q;
  logic signed [10:0] s1_prod_exp_d, s1_prod_exp_q;
  logic               s1_prod_sign_d, s1_prod_sign_q;
  logic [23:0]        s1_add_sig_d, s1_add_sig_q;
  logic signed [10:0] s1_add_exp_d, s1_add_exp_q;
  logic               s1_add_sign_d, s1_add_sign_q;
  logic               s1_bypass_d, s1_bypass_q;  // result known in stage 1: skip the adder
  logic [31:0]        s1_bypass_val_d, s1_bypass_val_q;

  // Which stages hold a floating-point operation: only those compute (see the header).
  logic fp1_q, fp2_q;
`ifndef SYNTHESIS
  // The datapath has no reset: stage 2 holds a computed operation only after two enabled cycles.
  logic [1:0] filled_q = 2'b00;
  always_ff @(posedge clk_i) begin
    if (en_i) filled_q <= {filled_q[0], 1'b1};
  end
`endif
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      fp1_q <= is_fp_op(op_i);
      fp2_q <= fp1_q;
    end
  end

  // Next state of the stages, computed inside the clocked blocks (blocking assignments to the
  // _d temporaries, which no other process reads), so that only enabled stages cost anything.
  always_ff @(posedge clk_i) begin
    if (en_i && is_fp_op(op_i)) begin
      x = a_i;
      y = b_i;
      z = c_i;
      if (op_i == nna_isa_pkg::SimdFadd) begin
        y = PlusOne;
        z = b_i;
      end else if (op_i == nna_isa_pkg::SimdFmul) begin
        z = MinusZero;
      end

      a_nan  = is_nan(a_i[30:0]);
      b_nan  = is_nan(b_i[30:0]);
      a_lt_b = order_key(a_i) < order_key(b_i);

      // F2I: round to nearest even below 2^24, exact shift up to 2^31, saturate beyond.
      f2i_exp     = (a_i[30:23] == 8'd0) ? 8'd1 : a_i[30:23];
      f2i_shifted = {sig_of(a_i[30:0]), 26'd0} >> ((f2i_exp >= 8'd150) ? 8'd0
                                             : (f2i_exp < 8'd124) ? 8'd26 : 8'd150 - f2i_exp);
      f2i_int     = f2i_shifted[49:26];
      f2i_round_up = f2i_shifted[25] & ((|f2i_shifted[24:0]) | f2i_int[0]);
      f2i_mag     = (f2i_exp >= 8'd150)
                  ? {8'd0, sig_of(a_i[30:0])} << (f2i_exp - 8'd150)
                  : {8'd0, f2i_int + {23'd0, f2i_round_up}};

      prod_zero = is_zero(x[30:0]) || is_zero(y[30:0]);
      prod_inf  = is_inf(x[30:0]) || is_inf(y[30:0]);
      invalid   = is_nan(x[30:0]) || is_nan(y[30:0]) || is_nan(z[30:0]) || (prod_inf && prod_zero)
               || (prod_inf && is_inf(z[30:0]) && (x[31] ^ y[31]) != z[31]);
      a_abs     = a_i[31] ? 32'(-a_i) : a_i;

      s1_prod_sig_d   = sig_of(x[30:0]) * sig_of(y[30:0]);
      s1_prod_exp_d   = exp_of(x[30:23]) + exp_of(y[30:23]) - Bias;
      s1_prod_sign_d  = x[31] ^ y[31];
      s1_add_sig_d    = sig_of(z[30:0]);
      s1_add_exp_d    = exp_of(z[30:23]);
      s1_add_sign_d   = z[31];
      s1_bypass_d     = 1'b1;
      s1_bypass_val_d = 32'd0;
      unique case (op_i)
        nna_isa_pkg::SimdFadd, nna_isa_pkg::SimdFmul, nna_isa_pkg::SimdFma: begin
          if (invalid)                s1_bypass_val_d = CanonicalNan;
          else if (prod_inf)          s1_bypass_val_d = {x[31] ^ y[31], 8'hFF, 23'd0};
          else if (is_inf(z[30:0]))   s1_bypass_val_d = z;
          // A zero product adds nothing (the adder would lose a far smaller addend); 0 + 0 is -0
          // only when both are -0.
          else if (prod_zero)         s1_bypass_val_d = is_zero(z[30:0]) ?
                                                        {(x[31] ^ y[31]) & z[31], 31'd0} : z;
          else                        s1_bypass_d = 1'b0;
        end
        nna_isa_pkg::SimdI2f: begin
          s1_prod_sig_d  = {16'd0, a_abs};
          s1_prod_exp_d  = I2fExp;
          s1_prod_sign_d = a_i[31];
          s1_add_sig_d   = 24'd0;
          s1_add_exp_d   = 11'sd1;
          s1_add_sign_d  = 1'b0;
          s1_bypass_d    = (a_i == 32'd0);
        end
        nna_isa_pkg::SimdFmin, nna_isa_pkg::SimdFmax: begin
          // minNum/maxNum: a NaN operand yields the other one; -0 < +0.
          if (a_nan && b_nan)                                  s1_bypass_val_d = CanonicalNan;
          else if (a_nan)                                      s1_bypass_val_d = b_i;
          else if (b_nan)                                      s1_bypass_val_d = a_i;
          else if (a_lt_b == (op_i == nna_isa_pkg::SimdFmin))  s1_bypass_val_d = a_i;
          else                                                 s1_bypass_val_d = b_i;
        end
        nna_isa_pkg::SimdFcmplt: begin
          // IEEE compare: unordered is false, -0 == +0.
          s1_bypass_val_d = {31'd0, !a_nan && !b_nan &&
                                    !(is_zero(a_i[30:0]) && is_zero(b_i[30:0])) && a_lt_b};
        end
        nna_isa_pkg::SimdF2i: begin
          if (a_nan)                      s1_bypass_val_d = 32'd0;
          else if (f2i_exp >= 8'd158)     s1_bypass_val_d = a_i[31] ? 32'h8000_0000 : 32'h7FFF_FFFF;
          else                            s1_bypass_val_d = a_i[31] ? 32'(-f2i_mag) : f2i_mag;
        end
        default: ;  // not a floating-point operation: result 0
      endcase
      s1_prod_sig_q   <= s1_prod_sig_d;
      s1_prod_exp_q   <= s1_prod_exp_d;
      s1_prod_sign_q  <= s1_prod_sign_d;
      s1_add_sig_q    <= s1_add_sig_d;
      s1_add_exp_q    <= s1_add_exp_d;
      s1_add_sign_q   <= s1_add_sign_d;
      s1_bypass_q     <= s1_bypass_d;
      s1_bypass_val_q <= s1_bypass_val_d;
    end
  end

  // ---- stage 2 ----
  logic signed [10:0]  lead;        // addend exponent minus product exponent
  logic                lead_capped; // the product only counts as sticky
  logic [10:0]         shift;
  logic [FrameW-1:0]   prod_frame, add_frame;
  logic [23:0]         add_below;   // addend bits that fall below frame bit 0
  logic                subtract;
  logic [FrameW:0]     sum;         // one more bit: the sign of the difference

  logic [FrameW-1:0]  s2_mag_d, s2_mag_q;
  logic               s2_sign_d, s2_sign_q;
  logic signed [10:0] s2_frame_exp_d, s2_frame_exp_q;
  logic               s2_bypass_d, s2_bypass_q;
  logic [31:0]        s2_bypass_val_d, s2_bypass_val_q;

  always_ff @(posedge clk_i) begin
    if (en_i && fp1_q) begin
      lead        = s1_add_exp_q - s1_prod_exp_q;
      lead_capped = lead > MaxLead;
      if (lead_capped)                    shift = 11'd0;
      // AddLsb + 24: all of the addend is below
      else if (MaxLead - lead > 11'sd78)  shift = 11'd78;
      else                                shift = 11'(MaxLead - lead);
      prod_frame = FrameW'(s1_prod_sig_q) << ProdLsb;
      add_frame  = (FrameW'(s1_add_sig_q) << AddLsb) >> shift;
      add_below  = s1_add_sig_q &
                   ~(24'hFF_FFFF << ((shift > 11'(AddLsb)) ? shift - 11'(AddLsb) : 11'd0));
      // jam: keeps the sum strictly between the same grid points
      add_frame[0] = add_frame[0] | (|add_below);
      subtract   = s1_prod_sign_q != s1_add_sign_q;
      sum        = subtract ? {1'b0, prod_frame} - {1'b0, add_frame}
                            : {1'b0, prod_frame} + {1'b0, add_frame};

      s2_mag_d        = sum[FrameW] ? FrameW'(-sum) : sum[FrameW-1:0];
      s2_sign_d       = sum[FrameW] ? s1_add_sign_q : s1_prod_sign_q;
      s2_frame_exp_d  = lead_capped ? s1_add_exp_q - MaxLead : s1_prod_exp_q;
      s2_bypass_d     = s1_bypass_q;
      s2_bypass_val_d = s1_bypass_val_q;
      s2_mag_q        <= s2_mag_d;
      s2_sign_q       <= s2_sign_d;
      s2_frame_exp_q  <= s2_frame_exp_d;
      s2_bypass_q     <= s2_bypass_d;
      s2_bypass_val_q <= s2_bypass_val_d;
    end
  end

  // ---- stage 3 ----
  logic [6:0]         lzc;
  logic signed [10:0] max_shift;  // normalizing further would go below the denormal exponent
  logic [6:0]         norm_shift;
  logic [FrameW-1:0]  norm;
  logic [23:0]        sig;        // with the hidden bit: it carries into the exponent field
  logic               round_up;
  logic [10:0]        exp_base;
  logic [33:0]        packed_bits;
  logic [31:0]        s3_result_d, s3_result_q;
  always_ff @(posedge clk_i) begin
    if (en_i && fp2_q) begin
      lzc = lzc_of(s2_mag_q);
      max_shift  = s2_frame_exp_q + NormBias - 11'sd1;
      norm_shift = ($signed({4'd0, lzc}) < max_shift) ? lzc : max_shift[6:0];
      norm       = s2_mag_q << norm_shift;
      sig        = norm[FrameW-1 -: 24];
      round_up   = norm[FrameW-25] & ((|norm[FrameW-26:0]) | sig[0]);
      // Exponent field minus the hidden bit, which the addition below puts back (or a rounding
      // carry).
      exp_base    = norm[FrameW-1] ? 11'(s2_frame_exp_q + NormBias - $signed({4'd0, norm_shift}) -
                                         11'sd1)
                                   : 11'd0;
      packed_bits = {exp_base, 23'd0} + {10'd0, sig} + {33'd0, round_up};

      if (s2_bypass_q)                     s3_result_d = s2_bypass_val_q;
      else if (s2_mag_q == '0)             s3_result_d = 32'd0;  // exact cancellation: +0 in RNE
      else if (packed_bits[33:23] >= 11'd255) s3_result_d = {s2_sign_q, 8'hFF, 23'd0};
      else                                 s3_result_d = {s2_sign_q, packed_bits[30:0]};
      s3_result_q <= s3_result_d;
`ifndef SYNTHESIS
      // Normalization never has to stop below exponent 1 for a non-zero sum.
      if (filled_q[1] && !s2_bypass_q && s2_mag_q != '0)
        `NNA_ASSERT_NOW(max_shift >= 11'sd1,
                        ("nna_fp32: normalization limit %0d below 1", max_shift))
`endif
    end else if (en_i) begin
      s3_result_q <= 32'd0;  // not a floating-point operation
    end
  end


  assign result_o = s3_result_q;
endmodule
