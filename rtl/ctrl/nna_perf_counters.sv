// Performance counters of spec/csr.yaml (dma_busy_cycles .. compute_wait_cycles): 32 bits each,
// cleared by clear_i (a ctrl.start the command sequencer accepts), saturating at 0xFFFFFFFF so
// that a long program reads "at least this much" rather than a small wrapped number.
// Each counts, per cycle (docs/architecture.md "Performance counters"):
//   dma_busy      the DMA engine has an instruction or the program load in progress
//   compute_busy  nna_compute is busy: from the start of an instruction to its done or error
//   simd_busy     the SIMD pipeline holds at least one row
//   stall_*       an SRAM port's request waits for a bank (act, wt, wr)
//   read_bytes    enabled bytes of the SRAM writes of the DMA (DMA_READ, program load)
//   write_bytes   enabled strobes of the AXI W beats accepted (DMA_WRITE)
//   *_wait        a queue's head is held back by its wait flags while its engine is free
module nna_perf_counters #(
  localparam int unsigned D = nna_cfg_pkg::AxiDataBytes,
  localparam int unsigned W = nna_cfg_pkg::SramWrPortBytes
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         clear_i,
  input  logic         dma_busy_i,
  input  logic         comp_busy_i,
  input  logic         simd_busy_i,
  input  logic [2:0]   stall_i,        // {wr, wt, act}
  input  logic         sram_wr_i,      // a DMA write into SRAM is performed
  input  logic [W-1:0] sram_wr_mask_i,
  input  logic         axi_w_i,        // an AXI W beat is accepted
  input  logic [D-1:0] axi_wstrb_i,
  input  logic         dma_wait_i,
  input  logic         comp_wait_i,
  output nna_ctrl_pkg::perf_counters_t counters_o
);
  localparam int unsigned NumCnt = 10;

  logic [NumCnt*32-1:0] inc, cnt_q, cnt_d;
  logic [31:0]          rd_bytes, wr_bytes;
  logic [32:0]          sum;

  always_comb begin
    rd_bytes = '0;
    for (int unsigned i = 0; i < W; i++) rd_bytes = rd_bytes + 32'(sram_wr_i && sram_wr_mask_i[i]);
    wr_bytes = '0;
    for (int unsigned i = 0; i < D; i++) wr_bytes = wr_bytes + 32'(axi_w_i && axi_wstrb_i[i]);
    inc = {32'(comp_wait_i), 32'(dma_wait_i), wr_bytes, rd_bytes,
           32'(stall_i[2]), 32'(stall_i[1]), 32'(stall_i[0]),
           32'(simd_busy_i), 32'(comp_busy_i), 32'(dma_busy_i)};
    for (int unsigned k = 0; k < NumCnt; k++) begin
      sum = {1'b0, cnt_q[k*32 +: 32]} + {1'b0, inc[k*32 +: 32]};
      cnt_d[k*32 +: 32] = clear_i ? '0 : sum[32] ? '1 : sum[31:0];
    end
  end

  // inc's order is perf_counters_t's.
  assign counters_o = cnt_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) cnt_q <= '0;
    else         cnt_q <= cnt_d;
  end
endmodule
