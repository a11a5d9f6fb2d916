// The command sequencer: runs one network program per ctrl.start and keeps its status.
// Schedule (docs/architecture.md "Program execution"):
//   Idle  --start-->  clear status and counters, busy
//   Load  : one DMA_READ of prog_words*32 bytes prog_dram -> prog_sram, instruction index 0xFFFF
//           (skipped when prog_words is 0)
//   Run   : network sequencer fetches and executes the program
//   end   : done -> status.done + irq.done; error -> status.error, err_code, err_instr, irq.error
// ctrl.abort stops the program as soon as the engines are idle (error Aborted, err_instr none).
// An AXI error during the load ends in AxiError with err_instr 0xFFFF; a program that does not fit
// the SRAM from prog_sram ends at once in SramRange, err_instr 0xFFFF (the golden model's load
// check); one longer than one DMA row (prog_words >= 2^19) in IllegalField, err_instr none.
// Counters: cycles while busy, mac_cycles while busy and the MAC array accumulates, instrs_done.
module nna_cmd_seq (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // from the CSRs
  input  logic                     start_i,
  input  logic                     abort_i,
  input  logic [47:0]              prog_dram_i,
  input  logic [31:0]              prog_sram_i,
  input  logic [31:0]              prog_words_i,
  // status to the CSRs
  output logic                     busy_o,
  output logic                     done_o,
  output logic                     error_o,
  output nna_isa_pkg::error_code_e err_code_o,
  output logic [31:0]              err_instr_o,
  output logic [31:0]              cycles_o,
  output logic [31:0]              mac_cycles_o,
  output logic [31:0]              instrs_done_o,
  output logic                     irq_done_o,    // pulse
  output logic                     irq_error_o,   // pulse
  input  logic                     mac_active_i,
  input  logic [1:0]               instrs_done_i, // instructions completed this cycle
  // program load through the DMA engine
  output logic                     dma_cmd_valid_o,
  input  logic                     dma_cmd_ready_i,
  output nna_isa_pkg::dma_instr_t  dma_cmd_o,
  input  logic                     dma_done_i,
  input  logic                     dma_err_i,
  // network sequencer
  output logic                     net_start_o,   // pulse
  output logic                     net_abort_o,   // pulse
  input  logic                     net_done_i,    // pulse
  input  logic                     net_err_i,     // pulse
  input  nna_isa_pkg::error_code_e net_err_code_i,
  input  logic [15:0]              net_err_instr_i
);
  localparam logic [15:0] LoadInstr = 16'hFFFF;

  typedef enum logic [1:0] {
    StIdle,     // no program running
    StLoadCmd,  // handing the program load to the DMA engine
    StLoad,     // waiting for the program load to finish
    StRun       // network sequencer running
  } state_e;

  state_e                   state_q, state_d;
  logic                     done_q, done_d, error_q, error_d, abort_q, abort_d;
  nna_isa_pkg::error_code_e err_code_q, err_code_d;
  logic [31:0]              err_instr_q, err_instr_d;
  logic [31:0]              cycles_q, cycles_d, mac_q, mac_d, instrs_q, instrs_d;
  logic                     fin_ok, fin_err;
  nna_isa_pkg::error_code_e fin_code;
  logic [31:0]              fin_instr;

  always_comb begin
    dma_cmd_o             = '0;
    dma_cmd_o.opcode      = nna_isa_pkg::OpDmaRead;
    dma_cmd_o.sram_addr   = prog_sram_i;
    dma_cmd_o.dram_addr   = prog_dram_i;
    dma_cmd_o.row_bytes   = 24'(prog_words_i * nna_isa_pkg::WordBytes);
    dma_cmd_o.rows        = 16'd1;
  end

  always_comb begin
    state_d     = state_q;
    done_d      = done_q;
    error_d     = error_q;
    abort_d     = abort_q;
    err_code_d  = err_code_q;
    err_instr_d = err_instr_q;
    cycles_d    = cycles_q;
    mac_d       = mac_q;
    instrs_d    = instrs_q + 32'(instrs_done_i);
    dma_cmd_valid_o = 1'b0;
    net_start_o = 1'b0;
    net_abort_o = 1'b0;
    fin_ok      = 1'b0;
    fin_err     = 1'b0;
    fin_code    = nna_isa_pkg::ErrNone;
    fin_instr   = '1;

    if (state_q != StIdle) begin
      cycles_d = cycles_q + 32'd1;
      if (mac_active_i) mac_d = mac_q + 32'd1;
    end

    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          done_d      = 1'b0;
          error_d     = 1'b0;
          abort_d     = 1'b0;
          err_code_d  = nna_isa_pkg::ErrNone;
          err_instr_d = '1;
          cycles_d    = '0;
          mac_d       = '0;
          instrs_d    = '0;
          if (64'(prog_sram_i) + 64'(prog_words_i) * 64'(nna_isa_pkg::WordBytes) >
              64'(nna_cfg_pkg::SramBytes)) begin
            fin_err   = 1'b1;
            fin_code  = nna_isa_pkg::ErrSramRange;
            fin_instr = 32'(LoadInstr);
          end else if (prog_words_i >= (32'd1 << 19)) begin
            // The load is one DMA row of at most 2^24 - 1 bytes: never truncate the program.
            fin_err  = 1'b1;
            fin_code = nna_isa_pkg::ErrIllegalField;
          end else if (prog_words_i == '0) begin
            state_d     = StRun;
            net_start_o = 1'b1;
          end else begin
            state_d = StLoadCmd;
          end
        end
      end
      StLoadCmd: begin
        dma_cmd_valid_o = 1'b1;
        if (abort_i) abort_d = 1'b1;
        if (dma_cmd_ready_i) state_d = StLoad;
      end
      StLoad: begin
        if (abort_i) abort_d = 1'b1;
        if (dma_done_i) begin
          if (dma_err_i) begin
            fin_err   = 1'b1;
            fin_code  = nna_isa_pkg::ErrAxiError;
            fin_instr = 32'(LoadInstr);
          end else if (abort_q || abort_i) begin
            fin_err  = 1'b1;
            fin_code = nna_isa_pkg::ErrAborted;
          end else begin
            state_d     = StRun;
            net_start_o = 1'b1;
          end
        end
      end
      StRun: begin
        net_abort_o = abort_i;
        if (net_done_i) begin
          fin_ok = 1'b1;
        end else if (net_err_i) begin
          fin_err   = 1'b1;
          fin_code  = net_err_code_i;
          fin_instr = (net_err_code_i == nna_isa_pkg::ErrAborted) ? '1 : 32'(net_err_instr_i);
        end
      end
      default: state_d = StIdle;
    endcase

    if (fin_ok) begin
      state_d = StIdle;
      done_d  = 1'b1;
    end
    if (fin_err) begin
      state_d     = StIdle;
      error_d     = 1'b1;
      err_code_d  = fin_code;
      err_instr_d = fin_instr;
    end
  end

  assign busy_o        = (state_q != StIdle);
  assign done_o        = done_q;
  assign error_o       = error_q;
  assign err_code_o    = err_code_q;
  assign err_instr_o   = err_instr_q;
  assign cycles_o      = cycles_q;
  assign mac_cycles_o  = mac_q;
  assign instrs_done_o = instrs_q;
  assign irq_done_o    = fin_ok;
  assign irq_error_o   = fin_err;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      done_q      <= 1'b0;
      error_q     <= 1'b0;
      abort_q     <= 1'b0;
      err_code_q  <= nna_isa_pkg::ErrNone;
      err_instr_q <= '1;
      cycles_q    <= '0;
      mac_q       <= '0;
      instrs_q    <= '0;
    end else begin
      state_q     <= state_d;
      done_q      <= done_d;
      error_q     <= error_d;
      abort_q     <= abort_d;
      err_code_q  <= err_code_d;
      err_instr_q <= err_instr_d;
      cycles_q    <= cycles_d;
      mac_q       <= mac_d;
      instrs_q    <= instrs_d;
    end
  end

endmodule
