// nna_mac_cell: one MAC cell (j, i) of the array: a 30-bit accumulator and a 30-bit shift register.
//
// Cycle schedule (all on the rising edge):
//   valid_i:            acc <= (first_i ? 0 : acc) + act * wt   (9-bit signed operands, 18-bit
//                       product, accumulator wraps modulo 2^30)
//   valid_i && last_i:  sr  <= the new accumulator value (including this last term)
//   else shift_i:       sr  <= sr_i (the register of the row above moves down one row)
// Loading the shift register wins over shifting: the unload reads sr_o in the same cycle, so a
// row that leaves in the cycle of a load is still the old value.
module nna_mac_cell (
  input  logic                               clk_i,
  input  logic                               valid_i,
  input  logic                               first_i,
  input  logic                               last_i,
  input  logic [8:0]                         act_i,   // already extended to 9 bits
  input  logic [8:0]                         wt_i,    // already extended to 9 bits
  input  logic                               shift_i,
  input  logic [nna_isa_pkg::AccBits-1:0]    sr_i,
  output logic [nna_isa_pkg::AccBits-1:0]    sr_o
);
  localparam int unsigned AccBits = nna_isa_pkg::AccBits;

  logic signed [17:0]  prod;
  logic [AccBits-1:0]  acc_q, acc_d, sr_q, sr_d;

  always_comb begin
    prod = $signed(act_i) * $signed(wt_i);
`ifdef NNA_BUG_ACCUMULATE
    // Deliberate bug for the negative test: the product of activation 1 is dropped.
    if (act_i == 9'd1) prod = '0;
`endif
    acc_d = acc_q;
    sr_d  = sr_q;
    if (valid_i) acc_d = (first_i ? '0 : acc_q) + AccBits'(prod);
    if (valid_i && last_i) sr_d = acc_d;
    else if (shift_i)      sr_d = sr_i;
  end

  // Datapath registers: no reset (first_i clears the accumulator, the unload only reads rows
  // that a last term has loaded).
  always_ff @(posedge clk_i) begin
    acc_q <= acc_d;
    sr_q  <= sr_d;
  end

  assign sr_o = sr_q;
endmodule
