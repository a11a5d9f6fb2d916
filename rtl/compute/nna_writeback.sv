// nna_writeback: turns the head of the write buffer into one SRAM write: byte i (lane i) goes to
// addr + i, enabled by the lane mask. Address and mask come with the row: from the data sequencer
// (out_addr + co*out_plane_stride + pt*N, the lanes of existing pixels), or from the pooling unit
// for a pooled row. Combinational: back-pressure (wr_ready_i) holds the write buffer. Requires
// N <= write-port bytes (both configurations).
`include "nna_assert.svh"

module nna_writeback (
  input  logic        in_valid_i,
  output logic        in_ready_o,
  input  logic [nna_cfg_pkg::ArrayCols*8-1:0] in_data_i,
  input  logic [31:0] in_addr_i,
  input  logic [nna_cfg_pkg::ArrayCols-1:0]   in_mask_i,
  input  nna_isa_pkg::instr_idx_t instr_idx_i,
  output logic        wr_valid_o,
  input  logic        wr_ready_i,
  output logic [31:0] wr_addr_o,
  output logic [nna_cfg_pkg::SramWrPortBytes*8-1:0] wr_data_o,
  output logic [nna_cfg_pkg::SramWrPortBytes-1:0]   wr_mask_o,
  output nna_isa_pkg::instr_idx_t wr_instr_o
);
  localparam int unsigned N = nna_cfg_pkg::ArrayCols;
  localparam int unsigned W = nna_cfg_pkg::SramWrPortBytes;

  assign wr_valid_o = in_valid_i;
  assign in_ready_o = wr_ready_i;
  assign wr_addr_o  = in_addr_i;
  assign wr_instr_o = instr_idx_i;
  assign wr_data_o  = (W*8)'(in_data_i);
  assign wr_mask_o  = W'(in_mask_i);

  `NNA_ASSERT_INIT(LanesFitPort_A, N <= W,
                   ("nna_writeback: %0d lanes do not fit the %0d-byte write port", N, W))
endmodule
