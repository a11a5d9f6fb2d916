// The command sequencer: queues network programs (one per ctrl.start), runs them one after the
// other and keeps their status (docs/memory.md "Several programs").
// A start while idle with nothing queued runs at once and clears status and counters; a start
// while busy queues the program registers (queues.program_depth of them), and a queued program
// runs when the previous one completes, the counters running on; a start while the queue is full
// is dropped and pulses irq_overflow_o. An error or an abort empties the queue. status.done and
// error tell the last completed program's result.
// Schedule (docs/architecture.md "Program execution"):
//   Idle  --start or queued-->  (clear status and counters when nothing was running), busy
//   Load  : one DMA_READ of prog_words*32 bytes prog_dram -> prog_sram, instruction index
//           InstrIdxLoad
//   Run   : network sequencer fetches and executes the program
//   end   : done -> status.done + irq.done; error -> status.error, err_code, err_instr, irq.error
// ctrl.abort stops the program as soon as the engines are idle (error Aborted, err_instr none).
// An AXI error during the load ends in AxiError with err_instr InstrIdxLoad; an empty program
// (prog_words 0: the register's reset value, so a forgotten write is not a silent success) ends at
// once in IllegalField, one that does not fit the SRAM from prog_sram in SramRange, one longer than
// one DMA row (prog_words >= 2^19) in IllegalField, each with err_instr InstrIdxLoad (the golden
// model's load checks).
// Counters: cycles while busy, mac_cycles while busy and the MAC array accumulates, instrs_done;
// programs_done counts completions without error since reset (free running, so a host that
// keeps the queue full counts new completions by difference, whatever started when).
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
  output nna_ctrl_pkg::status_t    status_o,
  output logic                     irq_overflow_o,  // pulse: a start found the queue full
  output logic [31:0]              run_sram_o,    // the running program's placement, for the fetch
  output logic [31:0]              run_words_o,
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
  input  nna_isa_pkg::instr_idx_t  net_err_instr_i
);
  localparam nna_isa_pkg::instr_idx_t LoadInstr = nna_isa_pkg::InstrIdxLoad;
  localparam int unsigned ProgDepth = nna_cfg_pkg::QueuesProgramDepth;
  localparam int unsigned ProgBits = 48 + 32 + 32;

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
  logic [31:0]              progs_q, progs_d;
  logic                     busy;

  // Program queue: {dram, sram, words} of each start that finds a program running.
  logic                     bypass, launch, q_valid, q_ready, q_flush;
  logic [ProgBits-1:0]      q_head, next_prog, run_q, run_d;
  logic [$clog2(ProgDepth+1)-1:0] q_usage;
  logic [47:0]              run_dram;
  logic [31:0]              next_sram, next_words;

  assign bypass = start_i && state_q == StIdle && !q_valid;  // nothing running, nothing queued
  assign launch = state_q == StIdle && (bypass || q_valid);
  assign next_prog = bypass ? {prog_dram_i, prog_sram_i, prog_words_i} : q_head;
  assign next_sram  = next_prog[63:32];
  assign next_words = next_prog[31:0];
  assign run_dram    = run_q[ProgBits-1 -: 48];
  assign run_sram_o  = run_q[63:32];
  assign run_words_o = run_q[31:0];
  assign irq_overflow_o = start_i && !bypass && !q_ready;

  nna_fifo #(.Width(ProgBits), .Depth(ProgDepth)) u_queue (
    .clk_i, .rst_ni,
    .flush_i    (q_flush),
    .in_valid_i (start_i && !bypass),
    .in_ready_o (q_ready),
    .in_data_i  ({prog_dram_i, prog_sram_i, prog_words_i}),
    .out_valid_o(q_valid),
    .out_ready_i(launch && !bypass),
    .out_data_o (q_head),
    .usage_o    (q_usage)
  );

  always_comb begin
    dma_cmd_o             = '0;
    dma_cmd_o.opcode      = nna_isa_pkg::OpDmaRead;
    dma_cmd_o.sram_addr   = run_sram_o;
    dma_cmd_o.dram_addr   = run_dram;
    dma_cmd_o.row_bytes   = 24'(run_words_o * nna_isa_pkg::WordBytes);
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
    progs_d     = progs_q;
    run_d       = run_q;
    dma_cmd_valid_o = 1'b0;
    net_start_o = 1'b0;
    net_abort_o = 1'b0;
    fin_ok      = 1'b0;
    fin_err     = 1'b0;
    fin_code    = nna_isa_pkg::ErrNone;
    fin_instr   = '1;

    if (busy) begin
      cycles_d = cycles_q + 32'd1;
      if (mac_active_i) mac_d = mac_q + 32'd1;
    end

    unique case (state_q)
      StIdle: begin
        if (launch) begin
          run_d   = next_prog;
          abort_d = 1'b0;
          if (bypass) begin  // a new run of programs: fresh status and counters
            done_d      = 1'b0;
            error_d     = 1'b0;
            err_code_d  = nna_isa_pkg::ErrNone;
            err_instr_d = '1;
            cycles_d    = '0;
            mac_d       = '0;
            instrs_d    = '0;
          end
          // The golden model's load checks, in its order: empty, SRAM, one DMA row.
          if (next_words == '0) begin
            fin_err   = 1'b1;
            fin_code  = nna_isa_pkg::ErrIllegalField;
            fin_instr = 32'(LoadInstr);
          end else if (64'(next_sram) + 64'(next_words) * 64'(nna_isa_pkg::WordBytes) >
                       64'(nna_cfg_pkg::SramBytes)) begin
            fin_err   = 1'b1;
            fin_code  = nna_isa_pkg::ErrSramRange;
            fin_instr = 32'(LoadInstr);
          end else if (next_words >= (32'd1 << 19)) begin
            // The load is one DMA row of at most 2^24 - 1 bytes: never truncate the program.
            fin_err   = 1'b1;
            fin_code  = nna_isa_pkg::ErrIllegalField;
            fin_instr = 32'(LoadInstr);
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
      progs_d = progs_q + 32'd1;
    end
    if (fin_err) begin
      state_d     = StIdle;
      done_d      = 1'b0;
      error_d     = 1'b1;
      err_code_d  = fin_code;
      err_instr_d = fin_instr;
    end
    // An error or an abort drops the programs queued behind the one that stops.
    q_flush = fin_err || abort_i;
  end

  // Busy while a program runs or waits in the queue (the cycle between two queued programs too).
  assign busy = (state_q != StIdle) || q_valid;
  always_comb begin
    status_o.busy          = busy;
    status_o.done          = done_q;
    status_o.error         = error_q;
    status_o.err_code      = err_code_q;
    status_o.err_instr     = err_instr_q;
    status_o.cycles        = cycles_q;
    status_o.mac_cycles    = mac_q;
    status_o.instrs_done   = instrs_q;
    status_o.programs_done = progs_q;
    status_o.queued        = 4'(q_usage);
  end
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
      progs_q     <= '0;
      run_q       <= '0;
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
      progs_q     <= progs_d;
      run_q       <= run_d;
    end
  end

endmodule
