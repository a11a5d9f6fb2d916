// nna_mac_array: the M x N outer-product array (M = ArrayRows weight rows j, N = ArrayCols
// activation lanes i). Not systolic: each cycle one weight row and one activation packet are
// broadcast to every cell; cell (j, i) accumulates act[i] * wt[j].
//
//   wt_i[j]  ---+--------+--------+---       cell (j, i): acc += act_i * wt_j
//               |        |        |
//   act_i[i]  (0,0)    (0,1)    (0,2) ...     sr of row j+1 moves into row j on shift_i;
//             (1,0)    (1,1)    ...           row 0 leaves on row0_o (into the SIMD unit)
//
// Cycle schedule: valid_i/first_i/last_i as in nna_mac_cell. After a last term the shift
// registers hold the finished dot products; in each cycle with shift_i the array outputs row 0
// on row0_o (combinationally from the registers) and every row moves down by one, so the row
// that was j leaves in the j-th shift cycle.
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

  // sr_chain[j*N + i] is the shift register of cell (j, i); row M reads 0. An unpacked array,
  // not one flat vector: a 96x96 flat vector is 276 kbit, which Verilator rebuilds by
  // concatenation whenever any cell changes.
  logic [AccBits-1:0] sr_chain [(M+1)*N];
  logic [N*9-1:0] act9;
  logic [M*9-1:0] wt9;

  // Extend once per lane and per row instead of once per cell.
  for (genvar i = 0; i < N; i++) begin : g_act
    assign act9[i*9 +: 9] = {in_signed_i & act_i[i*8+7], act_i[i*8 +: 8]};
  end
  for (genvar j = 0; j < M; j++) begin : g_wt
    assign wt9[j*9 +: 9] = {wt_signed_i & wt_i[j*8+7], wt_i[j*8 +: 8]};
  end

  for (genvar i = 0; i < N; i++) begin : g_bottom
    assign sr_chain[M*N + i] = '0;
    assign row0_o[i*AccBits +: AccBits] = sr_chain[i];
  end

  for (genvar j = 0; j < M; j++) begin : g_row
    for (genvar i = 0; i < N; i++) begin : g_col
      nna_mac_cell u_cell (
        .clk_i,
        .valid_i,
        .first_i,
        .last_i,
        .act_i  (act9[i*9 +: 9]),
        .wt_i   (wt9[j*9 +: 9]),
        .shift_i,
        .sr_i   (sr_chain[(j+1)*N + i]),
        .sr_o   (sr_chain[j*N + i])
      );
    end
  end
endmodule
