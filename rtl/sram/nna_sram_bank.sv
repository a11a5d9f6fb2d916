// One single-ported SRAM bank: Depth words of WordBytes bytes, one access per cycle, byte write
// enables. A read returns the word on rdata_o in the cycle after req_i; a write updates the bytes
// whose wmask_i bit is set. This is a behavioural macro wrapper: a real flow replaces it with a
// compiled SRAM macro, and synthesis (SYNTHESIS defined) sees only a black box so that megabytes
// of storage are not flattened into flops.
`ifdef SYNTHESIS
(* blackbox *)
`endif
module nna_sram_bank #(
  parameter int unsigned WordBytes = 8,
  parameter int unsigned Depth     = 1024,
  localparam int unsigned RowBits  = $clog2(Depth)
) (
  input  logic                   clk_i,
  input  logic                   req_i,
  input  logic                   we_i,
  input  logic [RowBits-1:0]     addr_i,
  input  logic [WordBytes*8-1:0] wdata_i,
  input  logic [WordBytes-1:0]   wmask_i,
  output logic [WordBytes*8-1:0] rdata_o
);
`ifndef SYNTHESIS
  logic [WordBytes*8-1:0] mem_q [Depth];
  logic [WordBytes*8-1:0] rdata_q;
  logic [WordBytes*8-1:0] bit_mask;

  always_comb begin
    for (int unsigned i = 0; i < WordBytes; i++) bit_mask[i*8 +: 8] = {8{wmask_i[i]}};
  end

  // The SRAM starts zeroed so that simulation is deterministic and matches the golden model.
  initial begin
    for (int unsigned i = 0; i < Depth; i++) mem_q[i] = '0;
  end

  always_ff @(posedge clk_i) begin
    if (req_i && we_i) mem_q[addr_i] <= (mem_q[addr_i] & ~bit_mask) | (wdata_i & bit_mask);
    if (req_i && !we_i) rdata_q <= mem_q[addr_i];
  end

  assign rdata_o = rdata_q;
`endif
endmodule
