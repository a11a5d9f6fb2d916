// nna_mac_array: the M x N outer-product array (M = ArrayRows weight rows j, N = ArrayCols
// activation lanes i). Not systolic: each cycle one weight row and one activation packet are
// broadcast to every cell; cell (j, i) accumulates act[i] * wt[j].
//
//   wt_i[j]  ---+--------+--------+---       cell (j, i): acc += act_i * wt_j
//               |        |        |
//   act_i[i]  (0,0)    (0,1)    (0,2) ...     sr of row j+1 moves into row j on shift_i;
//             (1,0)    (1,1)    ...           row 0 leaves on row0_o (into the SIMD unit)
//
// Every cell holds a 30-bit accumulator and a 30-bit shift register. Cycle schedule (all on the
// rising edge):
//   valid_i:            acc <= (first_i ? 0 : acc) + act * wt   (9-bit signed operands, 18-bit
//                       product, accumulator wraps modulo 2^30)
//   valid_i && last_i:  sr  <= the new accumulator value (including this last term)
//   else shift_i:       sr  <= sr of the row above (row M-1 takes 0)
// Loading the shift registers wins over shifting. row0_o shows row 0's shift registers, so the
// row that leaves in a shift (or load) cycle is the old value, and the row that was j leaves in
// the j-th shift cycle.
//
// Coded for simulation speed: the cells are one clocked loop nest, not M x N instances. Verilator
// then runs a cycle's work as two tight loops that gcc vectorizes, and none in a cycle without
// valid_i or shift_i; instances (or per-cell always_comb) cost every cell every cycle and a
// hundred megabytes of generated C++ (docs/performance.md, "Simulation speed").
module nna_mac_array (
  input  logic clk_i,
  input  logic valid_i,
  input  logic first_i,
  input  logic last_i,
  input  logic in_signed_i,
  input  logic wt_signed_i,
  input  logic [nna_cfg_pkg::ArrayCols*8-1:0] act_i,  // lane i at [i*8 +: 8]
  input  logic [nna_cfg_pkg::ArrayRows*8-1:0] wt_i,   // row j at [j*8 +: 8]
  input  logic shift_i,
  output logic [nna_cfg_pkg::ArrayCols*nna_isa_pkg::AccBits-1:0] row0_o  // lane i at [i*30 +: 30]
);
  localparam int unsigned N = nna_cfg_pkg::ArrayCols;
  localparam int unsigned M = nna_cfg_pkg::ArrayRows;
  localparam int unsigned AccBits = nna_isa_pkg::AccBits;

  // Cell (j, i) is element [j][i]. The arrays are padded to powers of two so that every index is
  // in range by its width (Verilator then emits no bounds checks in the loops); the padding is
  // never read or written, so synthesis removes it. Rows 1..M-1 of the shift registers are
  // private to the clocked block below; row 0 is a register of its own (row0_q) because the SIMD
  // unit reads it on the same edge.
  localparam int unsigned MP = 2**$clog2(M);
  localparam int unsigned NP = 2**$clog2(N);
  logic [AccBits-1:0]       acc_q [MP][NP];
  logic [AccBits-1:0]       sr_q  [MP][NP];
  logic [N*AccBits-1:0]     row0_q, row0_d;
  // Per-cycle operands: each lane and row sign-extended once to 32 bits, not once per cell, so
  // the cell loop is a plain 32-bit multiply-add.
  logic signed [31:0]       act_s [NP];
  logic signed [31:0]       wt_s  [MP];

  // Blocking assignments: acc_q, sr_q rows 1..M-1 and the temporaries are read by no other
  // process, and in one cycle each element is read before it is written or written before it is
  // read as its new value (the load of the shift registers takes the accumulators just computed;
  // row j of the shift registers takes row j+1 in increasing j). Yosys turns the arrays into
  // registers with the same semantics. Verilator 5.006 rejects a non-blocking assignment to an
  // array element inside a loop (BLKLOOPINIT). Rows are copied element by element: Yosys 0.23
  // mis-wires a whole-row copy of a two-dimensional array. first_i selects between two loop
  // nests, not inside one, so that gcc keeps each nest tight.
  always_ff @(posedge clk_i) begin
    row0_d = row0_q;
    if (valid_i) begin
      for (int i = 0; i < N; i++) begin
        act_s[i] = 32'($signed({in_signed_i & act_i[i*8+7], act_i[i*8 +: 8]}));
      end
      for (int j = 0; j < M; j++) begin
        wt_s[j] = 32'($signed({wt_signed_i & wt_i[j*8+7], wt_i[j*8 +: 8]}));
      end
      if (first_i) begin
        for (int j = 0; j < M; j++) begin
          for (int i = 0; i < N; i++) acc_q[j][i] = AccBits'(act_s[i] * wt_s[j]);
        end
      end else begin
        for (int j = 0; j < M; j++) begin
          for (int i = 0; i < N; i++) begin
            acc_q[j][i] = acc_q[j][i] + AccBits'(act_s[i] * wt_s[j]);
          end
        end
      end
      if (last_i) begin
        for (int i = 0; i < N; i++) row0_d[i*AccBits +: AccBits] = acc_q[0][i];
        for (int j = 1; j < M; j++) begin
          for (int i = 0; i < N; i++) sr_q[j][i] = acc_q[j][i];
        end
      end
    end
    if (shift_i && !(valid_i && last_i)) begin
      for (int i = 0; i < N; i++) row0_d[i*AccBits +: AccBits] = sr_q[1][i];
      for (int j = 1; j < M - 1; j++) begin
        for (int i = 0; i < N; i++) sr_q[j][i] = sr_q[j+1][i];
      end
      for (int i = 0; i < N; i++) sr_q[M-1][i] = '0;
    end
    row0_q <= row0_d;
  end

  // Datapath registers: no reset (first_i clears the accumulator, the unload only reads rows
  // that a last term has loaded). Row 0 of sr_q is never used: row0_q is row 0.
  assign row0_o = row0_q;
endmodule
