// The network sequencer: fetches the program from SRAM, decodes it into the DMA and compute
// queues, starts each queue's head when its dependency flags allow, and reports the end.
// (docs/architecture.md "Program execution and dependency flags")
//
//   SRAM (wt port, requester 0) -> word buffer -> decode -> DMA queue     -> nna_dma
//                                                       \-> compute queue -> nna_compute
//                                          flags <- completions (DMA first, then compute)
// Fetch: one 32-byte word per request, one request per cycle, response one cycle later. The first
// word of an instruction gives its length (DMA 1 word, or 2 with planes_word; compute
// 8 + ceil(simd_len/4) words); when
// all its words are in, it is checked and pushed into its queue, and the next instruction's words
// are fetched. Instruction indices count from 0 in program order.
// Start: a queue head starts when its engine is idle, (flags & wait_set) == wait_set and
// (flags & wait_clear) == 0; completion applies flags = (flags | done_set) & ~done_clear.
// Errors: a bad opcode (IllegalOpcode), a compute simd_len of 0 or > MaxSimdInstrs, a DMA with
// a reserved field set, no rows, no bytes or no planes, or a program ending inside an instruction
// (IllegalField), a DMA whose rows run past the SRAM (SramRange) stop fetching; queued
// instructions still complete, then err_o. (A compute instruction's fields and SRAM range are
// checked by nna_compute.) An engine error does the same with the engine's code, but queued
// instructions after the failing one (program order) are dropped, so that what runs does not
// depend on timing. The first error wins, except that an engine error or the watchdog replaces a
// decode error: it concerns an earlier instruction in program order, which the golden model
// reports whatever the timing. The watchdog (no start, completion, decode or
// engine work for watchdog_cycles_i cycles while running; 0 disables it) and abort_i also drop the
// queued instructions and end once the engines are idle.
// dma_wait_o / comp_wait_o: a queue's head is held back by its wait flags alone (the engine is
// free), for the performance counters.
// dma_hurry_o: a decoded DMA instruction waits for room in the full DMA queue while the compute
// queue has room: the fetch of the compute instructions behind it waits on the DMA (nna_sram then
// lets DMA-in go before the weight port instead of yielding).
`include "nna_assert.svh"

module nna_net_seq #(
  localparam int unsigned WtBytes = nna_cfg_pkg::SramWtPortBytes,
  localparam int unsigned SimdProgBits = nna_isa_pkg::MaxSimdInstrs * 64
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       start_i,         // pulse while !busy_o
  input  logic                       abort_i,         // pulse
  input  logic                       activity_i,      // an engine did work this cycle (watchdog)
  input  logic [31:0]                watchdog_cycles_i, // CSR watchdog_cycles, 0 = no watchdog
  input  logic [31:0]                prog_sram_i,     // sampled at start_i
  input  logic [31:0]                prog_words_i,    // sampled at start_i
  output logic                       busy_o,
  output logic                       done_o,          // pulse
  output logic                       err_o,           // pulse
  output nna_isa_pkg::error_code_e   err_code_o,      // valid with err_o
  output nna_isa_pkg::instr_idx_t    err_instr_o,     // valid with err_o
  output logic [1:0]                 instrs_done_o,   // instructions completed this cycle
  output logic                       dma_wait_o,
  output logic                       comp_wait_o,
  output logic                       dma_hurry_o,
  // program fetch: SRAM weight port, requester 0
  output logic                       fetch_req_valid_o,
  input  logic                       fetch_req_ready_i,
  output logic [31:0]                fetch_req_addr_o,
  input  logic                       fetch_rsp_valid_i,
  input  logic [WtBytes*8-1:0]       fetch_rsp_data_i,
  // DMA engine
  output logic                       dma_cmd_valid_o,
  input  logic                       dma_cmd_ready_i,
  output nna_isa_pkg::dma_instr_t    dma_cmd_o,
  output nna_isa_pkg::dma_planes_instr_t dma_planes_o,  // valid when dma_cmd_o.planes_word
  output nna_isa_pkg::instr_idx_t    dma_instr_o,
  input  logic                       dma_busy_i,
  input  logic                       dma_done_i,
  input  logic                       dma_err_i,
  input  nna_isa_pkg::error_code_e   dma_err_code_i,
  // compute engine
  output logic                       comp_start_o,
  output nna_isa_pkg::compute_instr_t comp_instr_o,
  output logic [SimdProgBits-1:0]    comp_simd_prog_o,
  output nna_isa_pkg::instr_idx_t    comp_instr_idx_o,
  input  logic                       comp_busy_i,
  input  logic                       comp_done_i,
  input  logic                       comp_err_i,
  input  nna_isa_pkg::error_code_e   comp_err_code_i
);
  localparam int unsigned WordBits   = nna_isa_pkg::WordBytes * 8;
  localparam int unsigned MaxWords   = nna_isa_pkg::ComputeBytes / nna_isa_pkg::WordBytes +
                                       (nna_isa_pkg::MaxSimdInstrs * nna_isa_pkg::SimdBytes +
                                        nna_isa_pkg::WordBytes - 1) / nna_isa_pkg::WordBytes;
  localparam int unsigned CompBits   = nna_isa_pkg::ComputeBytes * 8;
  localparam int unsigned DmaBits    = nna_isa_pkg::DmaBytes * 8;
  localparam int unsigned IdxBits    = nna_isa_pkg::InstrIndexBits;
  localparam int unsigned DqWidth    = 2 * DmaBits + IdxBits;  // {index, planes word, DMA word}
  localparam int unsigned CqWidth    = CompBits + SimdProgBits + IdxBits;
  localparam int unsigned NumFlags   = nna_isa_pkg::NumFlags;

  typedef enum logic [1:0] {
    StIdle,   // no program
    StFetch,  // fetching and decoding words
    StPush,   // an instruction is complete: check it and push it into its queue
    StDrain   // fetching over (end or error): wait for queues and engines
  } state_e;

  state_e                   state_q, state_d;
  logic [31:0]              base_q, base_d, words_q, words_d;
  logic [31:0]              wptr_q, wptr_d;                 // next word to request
  logic [3:0]               req_cnt_q, req_cnt_d;           // words requested of this instruction
  logic [3:0]               rsp_cnt_q, rsp_cnt_d;           // words received of this instruction
  // words of this instruction (1 until known)
  logic [3:0]               need_q, need_d;
  logic [MaxWords*WordBits-1:0] ibuf_q, ibuf_d;
  nna_isa_pkg::instr_idx_t  idx_q, idx_d;  // index of the instruction being fetched
  logic [NumFlags-1:0]      flags_q, flags_d;
  logic                     err_pend_q, err_pend_d;
  logic                     err_dec_q, err_dec_d;           // the pending error is a decode error
  nna_isa_pkg::error_code_e err_code_q, err_code_d;
  nna_isa_pkg::instr_idx_t  err_idx_q, err_idx_d;
  logic                     kill_q, kill_d;                 // queued instructions are dropped
  logic [31:0]              wd_q, wd_d;
  // running instructions
  logic                     dma_run_q, dma_run_d, comp_run_q, comp_run_d;
  nna_isa_pkg::instr_idx_t  dma_idx_q, dma_idx_d, comp_idx_q, comp_idx_d;
  logic [NumFlags-1:0]      dma_set_q, dma_set_d, dma_clr_q, dma_clr_d;
  nna_isa_pkg::compute_instr_t comp_cur_q, comp_cur_d;
  logic [SimdProgBits-1:0]  comp_simd_q, comp_simd_d;

  // ---------------------------------------------------------------------------------------------
  // Decode of the first word and of the complete instruction
  // ---------------------------------------------------------------------------------------------
  logic [7:0]                  rsp_op;  // raw: may be no opcode at all
  logic [7:0]                  rsp_simd_len;
  logic                        rsp_is_dma, rsp_is_comp;
  nna_isa_pkg::dma_instr_t     dec_dma;  // the DRAM side and the flags are not checked here
  nna_isa_pkg::dma_planes_instr_t dec_planes;  // zero without planes_word
  logic                        dec_is_dma, dec_dma_field, dec_dma_range;
  logic [SimdProgBits-1:0]     dec_simd;

  always_comb begin
    rsp_op       = fetch_rsp_data_i[7:0];
    rsp_simd_len = fetch_rsp_data_i[15:8];
    rsp_is_dma   = (rsp_op == nna_isa_pkg::OpDmaRead) || (rsp_op == nna_isa_pkg::OpDmaWrite);
    rsp_is_comp  = (rsp_op == nna_isa_pkg::OpConv) || (rsp_op == nna_isa_pkg::OpDeconv) ||
                   (rsp_op == nna_isa_pkg::OpInnerProduct) || (rsp_op == nna_isa_pkg::OpScale) ||
                   (rsp_op == nna_isa_pkg::OpEltwise);
    dec_dma      = ibuf_q[DmaBits-1:0];
    dec_planes   = dec_dma.planes_word ? ibuf_q[DmaBits +: DmaBits] : '0;
    dec_simd     = ibuf_q[CompBits +: SimdProgBits];
    dec_is_dma   = (dec_dma.opcode == nna_isa_pkg::OpDmaRead) ||
                   (dec_dma.opcode == nna_isa_pkg::OpDmaWrite);
    // The golden model's order: the fields, then the SRAM extent (64 bits: nothing wraps; only
    // read when rows >= 1).
    dec_dma_field = dec_dma.reserved0 != '0 || dec_dma.rows == '0 || dec_dma.row_bytes == '0 ||
                    (dec_dma.planes_word &&
                     (dec_planes.planes == '0 || dec_planes.reserved0 != '0 ||
                      dec_planes.reserved1 != '0 || dec_planes.reserved2 != '0 ||
                      dec_planes.reserved3 != '0));
    dec_dma_range = 64'(dec_dma.sram_addr) +
                    (64'(dec_dma.rows) - 64'd1) * 64'(dec_dma.sram_stride) +
                    (dec_dma.planes_word ?
                       (64'(dec_planes.planes) - 64'd1) * 64'(dec_planes.sram_plane_stride) :
                       64'd0) +
                    64'(dec_dma.row_bytes) > 64'(nna_cfg_pkg::SramBytes);
  end

  // ---------------------------------------------------------------------------------------------
  // Queues
  // ---------------------------------------------------------------------------------------------
  logic               flush;
  logic               dq_in_valid, dq_in_ready, dq_out_valid, dq_pop;
  logic [DqWidth-1:0] dq_out;
  logic               cq_in_valid, cq_in_ready, cq_out_valid, cq_pop;
  logic [CqWidth-1:0] cq_out;
  logic [$clog2(nna_cfg_pkg::QueuesDmaDepth+1)-1:0]     dq_usage;
  logic [$clog2(nna_cfg_pkg::QueuesComputeDepth+1)-1:0] cq_usage;

  nna_fifo #(.Width(DqWidth), .Depth(nna_cfg_pkg::QueuesDmaDepth)) u_dma_queue (
    .clk_i, .rst_ni, .flush_i(flush),
    .in_valid_i(dq_in_valid), .in_ready_o(dq_in_ready),
    .in_data_i({idx_q, dec_planes, ibuf_q[DmaBits-1:0]}),
    .out_valid_o(dq_out_valid), .out_ready_i(dq_pop), .out_data_o(dq_out), .usage_o(dq_usage));

  nna_fifo #(.Width(CqWidth), .Depth(nna_cfg_pkg::QueuesComputeDepth)) u_comp_queue (
    .clk_i, .rst_ni, .flush_i(flush),
    .in_valid_i(cq_in_valid), .in_ready_o(cq_in_ready),
    .in_data_i({idx_q, dec_simd, ibuf_q[CompBits-1:0]}),
    .out_valid_o(cq_out_valid), .out_ready_i(cq_pop), .out_data_o(cq_out), .usage_o(cq_usage));

  nna_isa_pkg::dma_instr_t     dq_head;
  nna_isa_pkg::compute_instr_t cq_head;
  nna_isa_pkg::instr_idx_t     dq_head_idx, cq_head_idx;
  logic                        dq_flags_ok, cq_flags_ok;

  always_comb begin
    dq_head     = dq_out[DmaBits-1:0];
    dq_head_idx = dq_out[2*DmaBits +: IdxBits];
    cq_head     = cq_out[CompBits-1:0];
    cq_head_idx = cq_out[CompBits + SimdProgBits +: IdxBits];
    dq_flags_ok = ((flags_q & dq_head.wait_set) == dq_head.wait_set) &&
                  ((flags_q & dq_head.wait_clear) == '0);
    cq_flags_ok = ((flags_q & cq_head.wait_set) == cq_head.wait_set) &&
                  ((flags_q & cq_head.wait_clear) == '0);
    dma_wait_o  = dq_out_valid && !dma_run_q && !dq_flags_ok && !kill_q;
    comp_wait_o = cq_out_valid && !comp_run_q && !comp_busy_i && !cq_flags_ok && !kill_q;
  end

  assign dma_hurry_o = state_q == StPush && dec_is_dma && !dq_in_ready && cq_in_ready;

  // ---------------------------------------------------------------------------------------------
  // Engines: start, completion, flags
  // ---------------------------------------------------------------------------------------------
  logic dma_fire, comp_fire, dma_end, comp_end, progress, wd_fire;
  logic eng_err, dq_before_err, cq_before_err;
  nna_isa_pkg::instr_idx_t eng_err_idx, stop_idx;

  // After an error only instructions before the failing one (program order) may still start, so
  // that what runs does not depend on timing. A decode error's index is above everything queued.
  always_comb begin
    eng_err     = (dma_run_q && dma_err_i) || (comp_run_q && comp_err_i);
    eng_err_idx = (dma_run_q && dma_err_i) ? dma_idx_q : comp_idx_q;
    stop_idx    = (eng_err && (!err_pend_q || err_dec_q)) ? eng_err_idx : err_idx_q;
    dq_before_err = !(err_pend_q || eng_err) || (dq_head_idx < stop_idx);
    cq_before_err = !(err_pend_q || eng_err) || (cq_head_idx < stop_idx);
  end

  always_comb begin
    dma_cmd_valid_o  = dq_out_valid && !dma_run_q && dq_flags_ok && !kill_q && dq_before_err;
    dma_cmd_o        = dq_head;
    dma_planes_o     = dq_out[DmaBits +: DmaBits];
    dma_instr_o      = dq_head_idx;
    dma_fire         = dma_cmd_valid_o && dma_cmd_ready_i;
    dq_pop           = dma_fire;

    comp_start_o     = cq_out_valid && !comp_run_q && !comp_busy_i && cq_flags_ok && !kill_q &&
                       cq_before_err;
    comp_fire        = comp_start_o;
    cq_pop           = comp_fire;
    // The running instruction stays on the engine's inputs until it completes.
    comp_instr_o     = comp_fire ? cq_head : comp_cur_q;
    comp_simd_prog_o = comp_fire ? cq_out[CompBits +: SimdProgBits] : comp_simd_q;
    comp_instr_idx_o = comp_fire ? cq_head_idx : comp_idx_q;

    // An engine's instruction ends with its first done or err pulse.
    dma_end  = dma_run_q && (dma_done_i || dma_err_i);
    comp_end = comp_run_q && (comp_done_i || comp_err_i);

    flags_d = flags_q;
    if (dma_end) flags_d = (flags_d | dma_set_q) & ~dma_clr_q;
    if (comp_end) flags_d = (flags_d | comp_cur_q.done_set) &
                            ~comp_cur_q.done_clear;
    // All flags are clear when a program starts.
    if (state_q == StIdle && start_i) flags_d = '0;

    instrs_done_o = 2'(dma_end && !dma_err_i) + 2'(comp_end && !comp_err_i);
  end

  // ---------------------------------------------------------------------------------------------
  // Fetch, decode, errors, watchdog, end
  // ---------------------------------------------------------------------------------------------
  logic fetch_fire, set_err, late_err, idle_all;
  nna_isa_pkg::error_code_e set_code, late_code;
  nna_isa_pkg::instr_idx_t set_idx, late_idx, stuck_idx;

  // Requests: the words of the current instruction, never past the program. (Apart from the
  // block below: the SRAM's ready depends on this valid.)
  assign fetch_req_valid_o = (state_q == StFetch) && (req_cnt_q < need_q) && (wptr_q < words_q);
  assign fetch_req_addr_o  = base_q + (wptr_q << 5);
  assign fetch_fire        = fetch_req_valid_o && fetch_req_ready_i;

  always_comb begin
    state_d    = state_q;
    base_d     = base_q;
    words_d    = words_q;
    wptr_d     = wptr_q;
    req_cnt_d  = req_cnt_q;
    rsp_cnt_d  = rsp_cnt_q;
    need_d     = need_q;
    ibuf_d     = ibuf_q;
    idx_d      = idx_q;
    err_pend_d = err_pend_q;
    err_dec_d  = err_dec_q;
    err_code_d = err_code_q;
    err_idx_d  = err_idx_q;
    kill_d     = kill_q;
    dma_run_d  = dma_run_q;
    comp_run_d = comp_run_q;
    dma_idx_d  = dma_idx_q;
    comp_idx_d = comp_idx_q;
    dma_set_d  = dma_set_q;
    dma_clr_d  = dma_clr_q;
    comp_cur_d = comp_cur_q;
    comp_simd_d = comp_simd_q;
    dq_in_valid = 1'b0;
    cq_in_valid = 1'b0;
    set_err    = 1'b0;
    set_code   = nna_isa_pkg::ErrNone;
    set_idx    = idx_q;
    late_err   = 1'b0;
    late_code  = nna_isa_pkg::ErrNone;
    late_idx   = idx_q;
    done_o     = 1'b0;
    err_o      = 1'b0;

    if (fetch_fire) begin
      wptr_d    = wptr_q + 32'd1;
      req_cnt_d = req_cnt_d + 4'd1;
    end

    // Responses: store the word; the first one tells the instruction's length.
    if (fetch_rsp_valid_i && state_q == StFetch) begin
      for (int unsigned j = 0; j < MaxWords; j++) begin
        if (32'(rsp_cnt_q) == j) ibuf_d[j*WordBits +: WordBits] = fetch_rsp_data_i[WordBits-1:0];
      end
      rsp_cnt_d = rsp_cnt_q + 4'd1;
      if (rsp_cnt_q == 4'd0) begin
        if (rsp_is_dma) begin
          need_d = fetch_rsp_data_i[8] ? 4'd2 : 4'd1;  // planes_word
        end else if (rsp_is_comp) begin
          if (rsp_simd_len == 8'd0 || 32'(rsp_simd_len) > nna_isa_pkg::MaxSimdInstrs) begin
            set_err  = 1'b1;
            set_code = nna_isa_pkg::ErrIllegalField;
          end else begin
            need_d = 4'(nna_isa_pkg::ComputeBytes / nna_isa_pkg::WordBytes) +
                     4'((32'(rsp_simd_len) * nna_isa_pkg::SimdBytes + nna_isa_pkg::WordBytes - 1) /
                        nna_isa_pkg::WordBytes);
          end
        end else begin
          set_err  = 1'b1;
          set_code = nna_isa_pkg::ErrIllegalOpcode;
        end
      end
    end

    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          state_d    = StFetch;
          base_d     = prog_sram_i;
          words_d    = prog_words_i;
          wptr_d     = '0;
          req_cnt_d  = '0;
          rsp_cnt_d  = '0;
          need_d     = 4'd1;
          ibuf_d     = '0;
          idx_d      = '0;
          err_pend_d = 1'b0;
          err_dec_d  = 1'b0;
          err_code_d = nna_isa_pkg::ErrNone;
          err_idx_d  = '0;
          kill_d     = 1'b0;
          dma_run_d  = 1'b0;
          comp_run_d = 1'b0;
        end
      end
      StFetch: begin
        if (!set_err) begin
          if (rsp_cnt_q != 4'd0 && rsp_cnt_q == need_q) begin
            state_d = StPush;
          end else if (req_cnt_q == 4'd0 && wptr_q == words_q) begin
            state_d = StDrain;  // every word fetched
          end else if (wptr_q == words_q && req_cnt_q < need_q && rsp_cnt_q == req_cnt_q) begin
            // The program ends inside this instruction.
            set_err  = 1'b1;
            set_code = nna_isa_pkg::ErrIllegalField;
          end
        end
      end
      StPush: begin
        if (dec_is_dma && (dec_dma_field || dec_dma_range)) begin
          set_err  = 1'b1;
          set_code = dec_dma_field ? nna_isa_pkg::ErrIllegalField : nna_isa_pkg::ErrSramRange;
        end else begin
          dq_in_valid = dec_is_dma;
          cq_in_valid = !dec_is_dma;
          if ((dec_is_dma && dq_in_ready) || (!dec_is_dma && cq_in_ready)) begin
            state_d   = StFetch;
            idx_d     = idx_q + IdxBits'(1);
            req_cnt_d = '0;
            rsp_cnt_d = '0;
            need_d    = 4'd1;
            ibuf_d    = '0;
          end
        end
      end
      StDrain: ;
      default: state_d = StIdle;
    endcase
    // Watchdog: progress is a decode, a start, a completion or engine work, so that one long
    // instruction is not mistaken for a hang.
    progress = dma_fire || comp_fire || dma_end || comp_end || dq_in_valid || cq_in_valid ||
               activity_i;

    // A decode error stops fetching; the words still in flight are ignored.
    if (set_err) state_d = StDrain;

    // Engine errors (DMA first: the earlier one in a tie is arbitrary, the first error wins).
    if (dma_run_q && dma_err_i) begin
      late_err  = 1'b1;
      late_code = dma_err_code_i;
      late_idx  = dma_idx_q;
    end else if (comp_run_q && comp_err_i) begin
      late_err  = 1'b1;
      late_code = comp_err_code_i;
      late_idx  = comp_idx_q;
    end
    if ((dma_run_q && dma_err_i) || (comp_run_q && comp_err_i)) begin
      if (state_q == StFetch || state_q == StPush) state_d = StDrain;
    end

    // Watchdog and abort drop what is queued.
    stuck_idx = idx_q;
    if (comp_run_q) stuck_idx = comp_idx_q;
    if (dma_run_q && (!comp_run_q || dma_idx_q < stuck_idx)) stuck_idx = dma_idx_q;
    if (cq_out_valid) stuck_idx = cq_head_idx;
    if (dq_out_valid && (!cq_out_valid || dq_head_idx < cq_head_idx)) stuck_idx = dq_head_idx;
    wd_d    = (progress || state_q == StIdle || watchdog_cycles_i == '0) ? '0 : wd_q + 32'd1;
    wd_fire = (state_q != StIdle) && !kill_q && (watchdog_cycles_i != '0) &&
              (wd_q >= watchdog_cycles_i - 32'd1);
    if (wd_fire) begin
      kill_d = 1'b1;
      wd_d   = '0;
      if (!late_err) begin
        late_err  = 1'b1;
        late_code = nna_isa_pkg::ErrWatchdog;
        late_idx  = stuck_idx;
      end
    end
    if (abort_i && state_q != StIdle) begin
      kill_d = 1'b1;
      if (!set_err && !late_err) begin
        set_err  = 1'b1;
        set_code = nna_isa_pkg::ErrAborted;
        set_idx  = nna_isa_pkg::InstrIdxLoad;
      end
    end
    if (kill_d && (state_q == StFetch || state_q == StPush)) state_d = StDrain;

    if (late_err && (!err_pend_q || err_dec_q) && state_q != StIdle) begin
      err_pend_d = 1'b1;
      err_dec_d  = 1'b0;
      err_code_d = late_code;
      err_idx_d  = late_idx;
    end else if (set_err && !err_pend_q && state_q != StIdle) begin
      err_pend_d = 1'b1;
      err_dec_d  = set_code != nna_isa_pkg::ErrAborted;
      err_code_d = set_code;
      err_idx_d  = set_idx;
    end

    // Running instructions.
    if (dma_end) dma_run_d = 1'b0;
    if (comp_end) comp_run_d = 1'b0;
    if (dma_fire) begin
      dma_run_d = 1'b1;
      dma_idx_d = dq_head_idx;
      dma_set_d = dq_head.done_set;
      dma_clr_d = dq_head.done_clear;
    end
    if (comp_fire) begin
      comp_run_d  = 1'b1;
      comp_idx_d  = cq_head_idx;
      comp_cur_d  = cq_head;
      comp_simd_d = cq_out[CompBits +: SimdProgBits];
    end

    // End: nothing left to fetch, queue or run.
    // Queued instructions after the failing one are dropped at the end.
    idle_all = (!dq_out_valid || (err_pend_q && dq_head_idx > err_idx_q)) &&
               (!cq_out_valid || (err_pend_q && cq_head_idx > err_idx_q)) &&
               !dma_run_q && !comp_run_q && !dma_busy_i && !comp_busy_i && !dma_end && !comp_end;
    flush   = kill_q;
    if (state_q == StDrain && idle_all) begin
      flush   = 1'b1;
      state_d = StIdle;
      kill_d  = 1'b0;
      if (err_pend_q) err_o = 1'b1;
      else            done_o = 1'b1;
    end
  end

  // Fill levels are not needed (in_ready suffices); a fetch response is one word of the port.
  logic unused;
  assign unused = ^{dq_usage, cq_usage, fetch_rsp_data_i};

  assign busy_o      = (state_q != StIdle);
  assign err_code_o  = err_code_q;
  assign err_instr_o = err_idx_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      base_q      <= '0;
      words_q     <= '0;
      wptr_q      <= '0;
      req_cnt_q   <= '0;
      rsp_cnt_q   <= '0;
      need_q      <= 4'd1;
      ibuf_q      <= '0;
      idx_q       <= '0;
      flags_q     <= '0;
      err_pend_q  <= 1'b0;
      err_dec_q   <= 1'b0;
      err_code_q  <= nna_isa_pkg::ErrNone;
      err_idx_q   <= '0;
      kill_q      <= 1'b0;
      wd_q        <= '0;
      dma_run_q   <= 1'b0;
      comp_run_q  <= 1'b0;
      dma_idx_q   <= '0;
      comp_idx_q  <= '0;
      dma_set_q   <= '0;
      dma_clr_q   <= '0;
      comp_cur_q  <= '0;
      comp_simd_q <= '0;
    end else begin
      state_q     <= state_d;
      base_q      <= base_d;
      words_q     <= words_d;
      wptr_q      <= wptr_d;
      req_cnt_q   <= req_cnt_d;
      rsp_cnt_q   <= rsp_cnt_d;
      need_q      <= need_d;
      ibuf_q      <= ibuf_d;
      idx_q       <= idx_d;
      flags_q     <= flags_d;
      err_pend_q  <= err_pend_d;
      err_dec_q   <= err_dec_d;
      err_code_q  <= err_code_d;
      err_idx_q   <= err_idx_d;
      kill_q      <= kill_d;
      wd_q        <= wd_d;
      dma_run_q   <= dma_run_d;
      comp_run_q  <= comp_run_d;
      dma_idx_q   <= dma_idx_d;
      comp_idx_q  <= comp_idx_d;
      dma_set_q   <= dma_set_d;
      dma_clr_q   <= dma_clr_d;
      comp_cur_q  <= comp_cur_d;
      comp_simd_q <= comp_simd_d;
    end
  end

  `NNA_ASSERT_INIT(WordFitsPort_A, WtBytes >= nna_isa_pkg::WordBytes,
                   ("nna_net_seq: weight port (%0d B) narrower than a program word", WtBytes))
endmodule
