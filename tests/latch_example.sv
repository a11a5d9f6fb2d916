// A latch on purpose: the synthesis check must reject it (CTest negative.synth_latch). Plain
// always @* so that Yosys accepts it and the check's own latch assertion must catch it
// (always_comb would already be rejected while reading).
module latch_example (
  input  logic       en_i,
  input  logic [7:0] d_i,
  output logic [7:0] q_o
);
  always @* begin
    if (en_i) q_o = d_i;  // no else: q_o holds, a latch
  end
endmodule
