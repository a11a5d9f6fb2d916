// nna_simd: the N-lane SIMD unit. Runs the (pre-resolved) SIMD program of a compute instruction
// on each accumulator row and emits one byte per lane (v0[7:0]).
//
// The program is resolved by nna_compute before the instruction runs: of a program made of
// FUSED_RELU and NOP, only the chain of FUSED_RELU instructions that produces the final v0
// matters. chain_len_i steps are applied to the row, step p with the flags at
// chain_flags_i[2p +: 2] (bit0 relu, bit1 unsigned), starting from the sign-extended
// accumulator (base_acc_i) or from an untouched register (0).
//
// Schedule: a row handed over in cycle t (in_valid_i && in_ready_o) reaches the output register
// at t+3 (out_valid_o) when chain_len_i <= 1: one row per cycle in and out. The pipeline stalls as
// a whole while the output is not accepted. With chain_len_i >= 2 a row passes the lanes
// chain_len_i times (the stage-3 value goes back into stage 1), one row at a time: longer
// programs delay the unload, as in the paper.
//
// The channel parameters live in a RAM of rows of ParamRowBytes (one weight-port response each),
// written during the parameter load, read asynchronously with the channel of the entering row.
module nna_simd #(
  parameter int unsigned MetaBits = 1,
  localparam int unsigned N = nna_cfg_pkg::ArrayCols,
  localparam int unsigned ParamRowBytes = nna_cfg_pkg::SramWtPortBytes,
  localparam int unsigned EntriesPerRow = ParamRowBytes / nna_isa_pkg::ParamBytes,
  localparam int unsigned ParamRows = nna_cfg_pkg::SimdParamEntries / EntriesPerRow,
  localparam int unsigned ParamRowBits = (ParamRows > 1) ? $clog2(ParamRows) : 1
) (
  input  logic clk_i,
  input  logic rst_ni,
  // program, stable while rows flow
  input  logic [4:0]                                  chain_len_i,
  input  logic [2*nna_isa_pkg::MaxSimdInstrs-1:0]     chain_flags_i,
  input  logic                                        base_acc_i,
  // parameter RAM write (parameter load)
  input  logic                                        param_we_i,
  input  logic [ParamRowBits-1:0]                     param_waddr_i,
  input  logic [ParamRowBytes*8-1:0]                  param_wdata_i,
  // accumulator rows in
  input  logic                                        in_valid_i,
  output logic                                        in_ready_o,
  input  logic [N*nna_isa_pkg::AccBits-1:0]           in_acc_i,    // lane i at [i*30 +: 30]
  input  logic [nna_cfg_pkg::ParamAddrBits-1:0]       in_co_i,     // output channel of the row
  input  logic [MetaBits-1:0]                         in_meta_i,   // carried to the output
  // output bytes
  output logic                                        out_valid_o,
  input  logic                                        out_ready_i,
  output logic [N*8-1:0]                              out_data_o,  // lane i at [i*8 +: 8]
  output logic [MetaBits-1:0]                         out_meta_o,
  output logic                                        idle_o       // no row inside
);
  localparam int unsigned AccBits = nna_isa_pkg::AccBits;

  // Parameter RAM.
  logic [ParamRowBytes*8-1:0] param_mem_q [ParamRows];
  logic [ParamRowBytes*8-1:0] param_row;
  logic [63:0] in_param;

  always_ff @(posedge clk_i) begin
    if (param_we_i) param_mem_q[param_waddr_i] <= param_wdata_i;
  end

  assign param_row = param_mem_q[ParamRowBits'(32'(in_co_i) / EntriesPerRow)];
  assign in_param  = param_row[(32'(in_co_i) % EntriesPerRow)*64 +: 64];

  // Stage side-band: valid, pass number (1-based), the row's parameters and meta.
  logic s1_valid_q, s1_valid_d, s2_valid_q, s2_valid_d, s3_valid_q, s3_valid_d;
  logic [4:0] s1_pass_q, s1_pass_d, s2_pass_q, s2_pass_d, s3_pass_q, s3_pass_d;
  logic [63:0] s1_param_q, s1_param_d, s2_param_q, s2_param_d, s3_param_q, s3_param_d;
  logic [MetaBits-1:0] s1_meta_q, s1_meta_d, s2_meta_q, s2_meta_d, s3_meta_q, s3_meta_d;

  logic recirc, adv, multi, in_fire, clamp;
  logic [63:0] entry_param;   // parameters of the row entering stage 1
  logic [1:0]  s2_flags;

  assign multi       = (chain_len_i >= 5'd2);
  assign clamp       = (chain_len_i != 5'd0);
  assign recirc      = s3_valid_q && (s3_pass_q < chain_len_i);
  assign out_valid_o = s3_valid_q && !recirc;
  assign adv         = !out_valid_o || out_ready_i;
  // Several passes: one row at a time, so a recirculating row never meets a new one.
  assign in_ready_o  = adv && (!multi || (!s1_valid_q && !s2_valid_q && !s3_valid_q));
  assign in_fire     = in_valid_i && in_ready_o;
  assign idle_o      = !s1_valid_q && !s2_valid_q && !s3_valid_q;
  assign out_meta_o  = s3_meta_q;

  // An empty program passes the accumulator through: bias 0, scale 1, shift 0, zero point 0.
  assign entry_param = recirc ? s3_param_q : (clamp ? in_param : 64'h0000_0001_0000_0000);
  assign s2_flags    = chain_flags_i[(s2_pass_q - 5'd1)*2 +: 2];

  always_comb begin
    s1_valid_d = s1_valid_q;
    s1_pass_d  = s1_pass_q;
    s1_param_d = s1_param_q;
    s1_meta_d  = s1_meta_q;
    s2_valid_d = s2_valid_q;
    s2_pass_d  = s2_pass_q;
    s2_param_d = s2_param_q;
    s2_meta_d  = s2_meta_q;
    s3_valid_d = s3_valid_q;
    s3_pass_d  = s3_pass_q;
    s3_param_d = s3_param_q;
    s3_meta_d  = s3_meta_q;
    if (adv) begin
      s1_valid_d = recirc || in_fire;
      s1_pass_d  = recirc ? s3_pass_q + 5'd1 : 5'd1;
      s1_param_d = entry_param;
      s1_meta_d  = recirc ? s3_meta_q : in_meta_i;
      s2_valid_d = s1_valid_q;
      s2_pass_d  = s1_pass_q;
      s2_param_d = s1_param_q;
      s2_meta_d  = s1_meta_q;
      s3_valid_d = s2_valid_q;
      s3_pass_d  = s2_pass_q;
      s3_param_d = s2_param_q;
      s3_meta_d  = s2_meta_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s2_valid_q <= 1'b0;
      s3_valid_q <= 1'b0;
    end else begin
      s1_valid_q <= s1_valid_d;
      s2_valid_q <= s2_valid_d;
      s3_valid_q <= s3_valid_d;
    end
  end

  always_ff @(posedge clk_i) begin
    s1_pass_q  <= s1_pass_d;
    s1_param_q <= s1_param_d;
    s1_meta_q  <= s1_meta_d;
    s2_pass_q  <= s2_pass_d;
    s2_param_q <= s2_param_d;
    s2_meta_q  <= s2_meta_d;
    s3_pass_q  <= s3_pass_d;
    s3_param_q <= s3_param_d;
    s3_meta_q  <= s3_meta_d;
  end

  // Parameter entry: bias [31:0], scale [47:32], shift [55:48], zero point [63:56].
  for (genvar i = 0; i < N; i++) begin : g_lane
    logic [31:0] lane_in;
    /* verilator lint_off UNUSEDSIGNAL */
    logic [31:0] lane_out;  // the output byte is v0[7:0]
    /* verilator lint_on UNUSEDSIGNAL */
    assign lane_in = base_acc_i ? {{(32-AccBits){in_acc_i[i*AccBits+AccBits-1]}},
                                   in_acc_i[i*AccBits +: AccBits]} : 32'd0;
    nna_simd_lane u_lane (
      .clk_i,
      .en_i          (adv),
      .recirc_i      (recirc),
      .in_value_i    (lane_in),
      .bias_i        (entry_param[31:0]),
      .s1_scale_i    (s1_param_q[47:32]),
      .s2_shift_i    (s2_param_q[53:48]),
      .s2_zp_i       (s2_param_q[63:56]),
      .s2_relu_i     (s2_flags[0]),
      .s2_unsigned_i (s2_flags[1]),
      .s2_clamp_i    (clamp),
      .value_o       (lane_out)
    );
    assign out_data_o[i*8 +: 8] = lane_out[7:0];
  end

`ifndef SYNTHESIS
  // The contract allows shift 0..63; the lanes use its low 6 bits. A larger value is a compiler
  // error that the hardware cannot see before the data flows, so it is flagged in simulation.
  always_ff @(posedge clk_i) begin
    if (rst_ni && s2_valid_q && adv && clamp && s2_param_q[55:54] != 2'b00) begin
      assert (0) else $error("nna_simd: channel parameter shift %0d is above 63", s2_param_q[55:48]);
    end
  end
`endif
endmodule
