// The NNA's local SRAM: SramBanks single-ported banks interleaved every SramBankWordBytes, behind
// three ports (docs/architecture.md "SRAM ports"; the bank order differs, see below):
//   write port  (WrBytes, byte mask)  requesters 0 compute write-back, 1 DMA-in (fixed priority)
//   act port    (ActBytes)            one requester: nna_compute, which names the last byte it
//                                     needs (act_req_last_i): only the banks up to it are read
//   wt port     (WtBytes)             requesters 0 program fetch, 1 compute weights, 2 DMA-out;
//                                     a fetch reads one instruction word, DMA-out one AXI beat
// Cycle schedule: in the cycle of a request each port picks its highest-priority valid requester
// and the banks it needs (nna_sram_span). With SramBankCycles 2 a bank accessed in one cycle
// cannot be accessed in the next (it recovers). Banks go to the activation port first, then the
// write port (the other way round with wr_priority_i), then the weight port; a port whose banks
// are taken or recovering is not ready (a bank-conflict stall, pulsed per port on
// conflict_stall_o for the performance counters). DMA-in yields: its write takes only banks that
// neither read port requests in that cycle, nor the weight stream's next read (their rest would
// delay it), until it has been refused DmaInPatience cycles in a row; then it is urgent and goes
// first (before the SIMD write-back and both read ports), holding its banks from the others until
// it is granted, at most 2 cycles later. While dma_hurry_i (the
// program fetch waits for room in the DMA queue) DMA-in does not yield: it takes the write port's
// place, after the activation port and before the weight port. Read data returns exactly
// one cycle after the handshake, rotated so that byte 0 is the addressed byte; bytes past the SRAM
// or past the banks a requester claims read as 0, and bytes past the SRAM are never written. One
// request per requester per cycle, so a requester's requests stay in order.
// obs_wr_* shows every write actually performed.
// Activation cache (the paper's 1 KB cache against back-to-back reads of the same data): the
// words of every activation read are kept in SramActCacheBytes/Word lines, direct-mapped by word
// address; a word found there needs no bank, so the weight port meets far fewer conflicts
// (a 3x3 convolution's taps read nearly the same window again); the words of the response in
// flight count as cached already (back-to-back taps). A write request invalidates the
// lines of the words it covers (granted or not), and such a word does not hit in that cycle, so a
// cached word is never older than its bank.
//
//   wr/act/wt requests -> span -> cache lookup (act) -> bank grant (act/wr > wt) -> banks
//                                       -> (1 cycle) -> cached or bank words -> rotate -> rsp
`include "nna_assert.svh"

module nna_sram #(
  // Cycles a DMA-in write yields banks to the compute ports before it goes first (docs/memory.md
  // "Arbiter": measured on fsd's networks).
  parameter int unsigned  DmaInPatience = 16,
  localparam int unsigned ActBytes = nna_cfg_pkg::SramActPortBytes,
  localparam int unsigned WtBytes  = nna_cfg_pkg::SramWtPortBytes,
  localparam int unsigned WrBytes  = nna_cfg_pkg::SramWrPortBytes,
  localparam int unsigned NumWtReq = 3,
  localparam int unsigned NumWrReq = 2
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // activation read port
  input  logic                          act_req_valid_i,
  output logic                          act_req_ready_o,
  input  logic [31:0]                   act_req_addr_i,
  input  logic [$clog2(ActBytes)-1:0]   act_req_last_i,   // last byte the requester needs
  output logic                          act_rsp_valid_o,
  output logic [ActBytes*8-1:0]         act_rsp_data_o,
  // weight read port, requester r at [r] / [r*32 +: 32]
  input  logic [NumWtReq-1:0]           wt_req_valid_i,
  output logic [NumWtReq-1:0]           wt_req_ready_o,
  input  logic [NumWtReq*32-1:0]        wt_req_addr_i,
  output logic [NumWtReq-1:0]           wt_rsp_valid_o,
  output logic [WtBytes*8-1:0]          wt_rsp_data_o,
  // write port, requester r at [r] / [r*32 +: 32] / [r*WrBytes*8 +: WrBytes*8] / ...
  input  logic [NumWrReq-1:0]           wr_valid_i,
  output logic [NumWrReq-1:0]           wr_ready_o,
  input  logic [NumWrReq*32-1:0]        wr_addr_i,
  input  logic [NumWrReq*WrBytes*8-1:0] wr_data_i,
  input  logic [NumWrReq*WrBytes-1:0]   wr_mask_i,
  input  logic [NumWrReq*nna_isa_pkg::InstrIndexBits-1:0] wr_instr_i,
  input  logic                          wr_priority_i,  // banks to writes before act reads
  input  logic                          dma_hurry_i,    // fetch waits on DMA: DMA-in does not yield
  input  logic                          act_cache_off_i,  // sram_ctrl.act_cache_off: nothing hits
  // every write performed
  output logic                          obs_wr_valid_o,
  output nna_isa_pkg::wr_source_e       obs_wr_src_o,
  output nna_isa_pkg::instr_idx_t       obs_wr_instr_o,
  output logic [31:0]                   obs_wr_addr_o,
  output logic [WrBytes*8-1:0]          obs_wr_data_o,
  output logic [WrBytes-1:0]            obs_wr_mask_o,
  // bank conflicts this cycle, per port: {wr, wt, act}
  output logic [2:0]                    conflict_stall_o
);
  localparam int unsigned Word     = nna_cfg_pkg::SramBankWordBytes;
  localparam int unsigned Banks    = nna_cfg_pkg::SramBanks;
  localparam int unsigned Depth    = nna_cfg_pkg::SramBankDepth;
  localparam int unsigned WordBits = $clog2(Word);
  localparam int unsigned BankBits = $clog2(Banks);
  localparam int unsigned RowBits  = $clog2(Depth);
  localparam int unsigned ActWords = ActBytes / Word + 1;
  localparam int unsigned WtWords  = WtBytes / Word + 1;
  localparam int unsigned WrWords  = WrBytes / Word + 1;
  localparam int unsigned Lines    = nna_cfg_pkg::SramActCacheBytes / Word;
  localparam int unsigned BankCycles = nna_cfg_pkg::SramBankCycles;
  localparam int unsigned LineBits = $clog2(Lines);
  localparam int unsigned TagBits  = 32 - WordBits;  // the word address
  localparam int unsigned FetchBytes  = nna_isa_pkg::WordBytes < WtBytes ? nna_isa_pkg::WordBytes
                                                                        : WtBytes;
  localparam int unsigned DmaOutBytes = nna_cfg_pkg::AxiDataBytes < WtBytes ?
                                        nna_cfg_pkg::AxiDataBytes : WtBytes;

  // ---------------------------------------------------------------------------------------------
  // Requester selection inside each port (fixed priority, lowest index first)
  // ---------------------------------------------------------------------------------------------
  logic        wr_sel;           // 0 compute, 1 DMA
  logic [1:0]  wt_sel;           // 0 fetch, 1 weights, 2 DMA-out
  logic [31:0] wr_addr, wt_addr;
  logic        wt_any;
  // DMA-in's refusals in a row, saturating at DmaInPatience (then it is urgent).
  localparam int unsigned WaitBits = $clog2(DmaInPatience + 1);
  logic [WaitBits-1:0] dma_wait_q, dma_wait_d;
  logic                dma_urgent;

  always_comb begin
    dma_urgent = wr_valid_i[1] && dma_wait_q == WaitBits'(DmaInPatience);
    // An urgent DMA-in write goes before the SIMD write-back too, so that nothing starves it.
    wr_sel = !wr_valid_i[0] || dma_urgent;
    wr_addr = wr_addr_i[32*wr_sel +: 32];
    wt_any = |wt_req_valid_i;
    wt_sel = 2'd2;
    if (wt_req_valid_i[1]) wt_sel = 2'd1;
    if (wt_req_valid_i[0]) wt_sel = 2'd0;
    wt_addr = wt_req_addr_i[32*wt_sel +: 32];
  end

  // ---------------------------------------------------------------------------------------------
  // Bank spans of the three ports
  // ---------------------------------------------------------------------------------------------
  logic [Banks-1:0]         wr_used, act_used, wt_used;
  logic [Banks*RowBits-1:0] wr_row, act_row, wt_row;
  logic [BankBits-1:0]      wr_first, act_first, wt_first;
  logic [WordBits-1:0]      wr_off, act_off, wt_off;
  logic [WrWords-1:0]       wr_ok;
  logic [ActWords-1:0]      act_ok;  // act_used already leaves out words past the SRAM
  logic [WtWords-1:0]       wt_ok;

  // A write claims only the banks up to its last enabled byte (the write-back's N lanes may be
  // fewer than the port's bytes).
  logic [31:0] wr_last;
  always_comb begin
    wr_last = '0;
    for (int unsigned k = 0; k < WrBytes; k++) begin
      if (wr_mask_i[wr_sel*WrBytes + k]) wr_last = k;
    end
  end

  nna_sram_span #(.PortBytes(WrBytes)) u_wr_span (
    .addr_i(wr_addr), .last_i(wr_last), .bank_used_o(wr_used), .bank_row_o(wr_row),
    .first_bank_o(wr_first), .offset_o(wr_off), .word_ok_o(wr_ok));
  nna_sram_span #(.PortBytes(ActBytes)) u_act_span (
    .addr_i(act_req_addr_i), .last_i(32'(act_req_last_i)), .bank_used_o(act_used),
    .bank_row_o(act_row), .first_bank_o(act_first), .offset_o(act_off), .word_ok_o(act_ok));
  // Each weight-port requester claims the banks of the bytes it uses: a program fetch one
  // instruction word, DMA-out one AXI beat, the weight stream the whole port. (Claiming the whole
  // port for a fetch or a beat would make each request collide with the resting banks of the one
  // before it, halving program fetch and DMA-out.)
  logic [31:0] wt_last;
  always_comb begin
    unique case (wt_sel)
      2'd0:    wt_last = 32'(FetchBytes - 1);
      2'd2:    wt_last = 32'(DmaOutBytes - 1);
      default: wt_last = 32'(WtBytes - 1);
    endcase
  end

  nna_sram_span #(.PortBytes(WtBytes)) u_wt_span (
    .addr_i(wt_addr), .last_i(wt_last), .bank_used_o(wt_used), .bank_row_o(wt_row),
    .first_bank_o(wt_first), .offset_o(wt_off), .word_ok_o(wt_ok));

  // ---------------------------------------------------------------------------------------------
  // Activation cache lookup: word j of the request hits when its line holds it and no write
  // covers it in this cycle.
  // ---------------------------------------------------------------------------------------------
  logic                 wr_any;  // a write is requested (granted or not)
  logic [TagBits-1:0]   wr_first_w, act_first_w;
  logic [TagBits-1:0]   c_tag_q [Lines];
  logic [Word*8-1:0]    c_data_q [Lines];
  logic                 c_valid_q [Lines];
  logic [Lines-1:0]     c_live;
  logic [ActWords-1:0]  act_hit, act_wused;
  logic [ActWords*Word*8-1:0] act_hit_data;  // word j at [j*Word*8 +: Word*8]
  logic [Banks-1:0]     act_hit_bank, act_need;
  logic [TagBits-1:0]   act_w, act_jj;
  logic [LineBits-1:0]  act_line;
  logic                 act_fly;
  // The response of the previous cycle's read (its words reach the lines only at the end of
  // this cycle, but a read of the same words now hits them).
  logic                 act_rsp_q;
  logic [ActWords-1:0]  act_wused_q;
  logic [TagBits-1:0]   act_first_w_q;
  logic [ActWords*Word*8-1:0] act_words;  // word j at [j*Word*8 +: Word*8]

  assign wr_any      = |wr_valid_i;
  assign wr_first_w  = wr_addr[31:WordBits];
  assign act_first_w = act_req_addr_i[31:WordBits];

  always_comb begin
    for (int unsigned l = 0; l < Lines; l++) begin
      c_live[l] = c_valid_q[l] && !(wr_any && (c_tag_q[l] - wr_first_w) < TagBits'(WrWords));
    end
    act_hit_bank = '0;
    for (int unsigned j = 0; j < ActWords; j++) begin
      act_w           = act_first_w + TagBits'(j);
      act_line        = act_w[LineBits-1:0];
      // An aligned request does not use its last word.
      act_wused[j]    = act_used[BankBits'(32'(act_first) + j)];
      act_jj          = act_w - act_first_w_q;
      act_fly         = act_rsp_q && act_jj < TagBits'(ActWords) &&
                        act_wused_q[32'(act_jj) % ActWords] &&
                        !(wr_any && (act_w - wr_first_w) < TagBits'(WrWords));
      act_hit[j]      = act_wused[j] && !act_cache_off_i &&
                        (act_fly || (c_live[act_line] && c_tag_q[act_line] == act_w));
      act_hit_data[j*Word*8 +: Word*8] =
          act_fly ? act_words[32'(act_jj) % ActWords * Word*8 +: Word*8] : c_data_q[act_line];
      act_hit_bank[BankBits'(32'(act_first) + j)] = act_hit[j];
    end
    act_need = act_used & ~act_hit_bank;
  end

  // ---------------------------------------------------------------------------------------------
  // Port grants: activation, then write, then weight. The activation stream has no slack (one
  // packet per term at one term per cycle); the write-back has the unload's slack (rows per
  // dot product) behind a 2-entry buffer, the weights a prefetch buffer. When the dot products
  // are shorter than the unload (wr_priority_i), the roles of activations and writes swap.
  // A DMA-in write (the next layers' weights, a program load) has no deadline: it comes last and
  // takes no bank either read port requests, granted or not (a bank it took would rest in the
  // cycle that port retries). An urgent one comes first and holds its banks even while they
  // recover, so it is granted within 2 cycles.
  // ---------------------------------------------------------------------------------------------
  logic wr_go, act_go, wt_go, act_stall, wt_stall, wr_stall, dma_yield;
  logic [Banks-1:0] taken_by_wr, taken_by_act, held_by_wr, recovering_q, granted, read_want;
  // The weight stream's next read is the next WtBytes, WtBytes/Word banks on: with resting banks,
  // a DMA-in write into them now would make that read wait, so a yielding DMA-in avoids them too.
  localparam int unsigned NextShift = (WtBytes / Word) % Banks;
  logic [Banks-1:0] wt_next;

  always_comb begin
    dma_yield = wr_sel && !dma_urgent && !dma_hurry_i;
    wt_next   = '0;
    if (BankCycles > 1 && wt_any && wt_sel == 2'd1) begin
      wt_next = (wt_used << NextShift) | (wt_used >> (Banks - NextShift));
    end
    read_want = (act_req_valid_i ? act_need : '0) | (wt_any ? wt_used : '0) | wt_next;
    if ((wr_priority_i && !dma_yield) || dma_urgent) begin
      wr_go        = wr_any && ((wr_used & recovering_q) == '0);
      held_by_wr   = dma_urgent || wr_go ? wr_used : '0;
      act_go       = act_req_valid_i && ((act_need & (held_by_wr | recovering_q)) == '0);
      taken_by_act = act_go ? act_need : '0;
    end else begin
      act_go       = act_req_valid_i && ((act_need & recovering_q) == '0);
      taken_by_act = act_go ? act_need : '0;
      wr_go        = wr_any && ((wr_used & (taken_by_act | recovering_q |
                                            (dma_yield ? read_want : '0))) == '0);
      held_by_wr   = wr_go ? wr_used : '0;
    end
    taken_by_wr  = wr_go ? wr_used : '0;
    act_stall    = act_req_valid_i && !act_go;
    wt_go        = wt_any && ((wt_used & (held_by_wr | taken_by_act | recovering_q)) == '0);
    granted      = taken_by_wr | taken_by_act | (wt_go ? wt_used : '0);
    // Refusals count only while DMA-in waits; a grant or no request starts again.
    dma_wait_d = '0;
    if (wr_valid_i[1] && !(wr_go && wr_sel)) begin
      dma_wait_d = dma_urgent ? dma_wait_q : dma_wait_q + WaitBits'(1);
    end
    wr_stall     = wr_any && !wr_go;
    wt_stall     = wt_any && !wt_go;

    act_req_ready_o = act_go;
    wr_ready_o      = '0;
    wr_ready_o[wr_sel] = wr_go;
    wt_req_ready_o  = '0;
    wt_req_ready_o[wt_sel] = wt_go;
  end

  // ---------------------------------------------------------------------------------------------
  // Write data: shift data and mask by the offset inside word 0, word j goes to its bank
  // ---------------------------------------------------------------------------------------------
  logic [WrWords*Word*8-1:0] wr_data_sh;
  logic [WrWords*Word-1:0]   wr_mask_sh;
  logic [WrBytes*8-1:0]      wr_data;
  logic [WrBytes-1:0]        wr_mask, wr_mask_ok;
  nna_isa_pkg::instr_idx_t   wr_instr;

  always_comb begin
    wr_data  = wr_data_i[wr_sel*WrBytes*8 +: WrBytes*8];
    wr_mask  = wr_mask_i[wr_sel*WrBytes +: WrBytes];
    wr_instr = wr_instr_i[wr_sel*nna_isa_pkg::InstrIndexBits +: nna_isa_pkg::InstrIndexBits];
    // Bytes that fall past the end of the SRAM are not written.
    for (int unsigned k = 0; k < WrBytes; k++) begin
      wr_mask_ok[k] = wr_mask[k] && wr_ok[(32'(wr_off) + k) / Word];
    end
    wr_data_sh = (WrWords*Word*8)'(wr_data) << (8 * 32'(wr_off));
    wr_mask_sh = (WrWords*Word)'(wr_mask_ok) << wr_off;
  end

  // ---------------------------------------------------------------------------------------------
  // Banks
  // ---------------------------------------------------------------------------------------------
  // Per-bank signals are unpacked arrays, not flat vectors: with 64 banks of 32 bytes a flat
  // vector is 16 kbit wide, and Verilator re-concatenates all of it whenever one bank changes.
  logic [Banks-1:0]         bank_req, bank_we;
  logic [RowBits-1:0]       bank_addr  [Banks];
  logic [Word*8-1:0]        bank_wdata [Banks];
  logic [Word*8-1:0]        bank_rdata [Banks];
  logic [Word-1:0]          bank_wmask [Banks];
  logic [31:0]              wr_j;

  always_comb begin
    bank_req   = '0;
    bank_we    = '0;
    for (int unsigned b = 0; b < Banks; b++) begin
      bank_addr[b]  = '0;
      bank_wmask[b] = '0;
      bank_wdata[b] = '0;
      // Word of the write that lands in bank b.
      wr_j = (b - 32'(wr_first)) & (Banks - 1);
      if (wr_go && wr_used[b]) begin
        bank_req[b] = 1'b1;
        bank_we[b]  = 1'b1;
        bank_addr[b] = wr_row[b*RowBits +: RowBits];
        if (wr_j < WrWords) begin
          bank_wdata[b] = wr_data_sh[wr_j*Word*8 +: Word*8];
          bank_wmask[b] = wr_mask_sh[wr_j*Word +: Word];
        end
      end else if (act_go && act_need[b]) begin
        bank_req[b] = 1'b1;
        bank_addr[b] = act_row[b*RowBits +: RowBits];
      end else if (wt_go && wt_used[b]) begin
        bank_req[b] = 1'b1;
        bank_addr[b] = wt_row[b*RowBits +: RowBits];
      end
    end
  end

  for (genvar b = 0; b < Banks; b++) begin : g_bank
    nna_sram_bank #(.WordBytes(Word), .Depth(Depth)) u_bank (
      .clk_i  (clk_i),
      .req_i  (bank_req[b]),
      .we_i   (bank_we[b]),
      .addr_i (bank_addr[b]),
      .wdata_i(bank_wdata[b]),
      .wmask_i(bank_wmask[b]),
      .rdata_o(bank_rdata[b])
    );
  end

  // ---------------------------------------------------------------------------------------------
  // Read responses: one cycle after the grant, gather the words from their banks and rotate
  // ---------------------------------------------------------------------------------------------
  logic                wt_rsp_q;
  logic [ActWords-1:0] act_hit_q;
  logic [ActWords*Word*8-1:0] act_hit_data_q;
  logic [1:0]          wt_rsp_sel_q;
  logic [BankBits-1:0] act_first_q, wt_first_q;
  logic [WordBits-1:0] act_off_q, wt_off_q;
  logic [WtWords-1:0]  wt_ok_q;
  logic [WtWords*Word*8-1:0]  wt_words;
  logic [BankBits-1:0]        rd_bank;  // wraps: Banks is a power of two

  always_comb begin
    for (int unsigned j = 0; j < ActWords; j++) begin
      rd_bank = act_first_q + BankBits'(j);
      act_words[j*Word*8 +: Word*8] = act_hit_q[j]   ? act_hit_data_q[j*Word*8 +: Word*8] :
                                      act_wused_q[j] ? bank_rdata[rd_bank] : '0;
    end
    for (int unsigned j = 0; j < WtWords; j++) begin
      rd_bank = wt_first_q + BankBits'(j);
      wt_words[j*Word*8 +: Word*8] = wt_ok_q[j] ? bank_rdata[rd_bank] : '0;
    end
    act_rsp_data_o = (ActBytes*8)'(act_words >> (8 * 32'(act_off_q)));
    wt_rsp_data_o  = (WtBytes*8)'(wt_words >> (8 * 32'(wt_off_q)));
    act_rsp_valid_o = act_rsp_q;
    wt_rsp_valid_o  = '0;
    wt_rsp_valid_o[wt_rsp_sel_q] = wt_rsp_q;
  end

  // ---------------------------------------------------------------------------------------------
  // Observation and stalls
  // ---------------------------------------------------------------------------------------------
  always_comb begin
    obs_wr_valid_o = wr_go;
    obs_wr_src_o   = wr_sel ? nna_isa_pkg::SrcDma : nna_isa_pkg::SrcSimd;
    obs_wr_instr_o = wr_instr;
    obs_wr_addr_o  = wr_addr;
    obs_wr_data_o  = wr_data;
    obs_wr_mask_o  = wr_mask_ok;
    conflict_stall_o = {wr_stall, wt_stall, act_stall};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      act_rsp_q     <= 1'b0;
      wt_rsp_q      <= 1'b0;
      wt_rsp_sel_q  <= '0;
      act_first_q   <= '0;
      wt_first_q    <= '0;
      act_off_q     <= '0;
      wt_off_q      <= '0;
      wt_ok_q       <= '0;
      recovering_q  <= '0;
      dma_wait_q    <= '0;
    end else begin
      act_rsp_q     <= act_go;
      wt_rsp_q      <= wt_go;
      wt_rsp_sel_q  <= wt_sel;
      act_first_q   <= act_first;
      wt_first_q    <= wt_first;
      act_off_q     <= act_off;
      wt_off_q      <= wt_off;
      wt_ok_q       <= wt_ok;
      recovering_q  <= BankCycles > 1 ? granted : '0;
      dma_wait_q    <= dma_wait_d;
    end
  end

  always_ff @(posedge clk_i) begin
    act_hit_q      <= act_hit;
    act_wused_q    <= act_wused;
    act_hit_data_q <= act_hit_data;
    act_first_w_q  <= act_first_w;
  end

  // ---------------------------------------------------------------------------------------------
  // Activation cache update: the response's words fill their lines, then this cycle's write
  // removes the words it covers.
  // ---------------------------------------------------------------------------------------------
  for (genvar l = 0; l < Lines; l++) begin : g_line
    logic [TagBits-1:0]  tag_d, fill_w;
    logic [Word*8-1:0]   data_d;
    logic                valid_d;
    logic [LineBits-1:0] fill_j;  // word of the response that belongs in this line

    always_comb begin
      fill_j  = LineBits'(l) - act_first_w_q[LineBits-1:0];
      fill_w  = act_first_w_q + TagBits'(fill_j);
      tag_d   = c_tag_q[l];
      data_d  = c_data_q[l];
      valid_d = c_valid_q[l];
      if (act_rsp_q && 32'(fill_j) < ActWords && act_wused_q[32'(fill_j) % ActWords]) begin
        tag_d   = fill_w;
        data_d  = act_words[32'(fill_j) % ActWords * Word * 8 +: Word*8];
        valid_d = 1'b1;
      end
      if (wr_any && (tag_d - wr_first_w) < TagBits'(WrWords)) valid_d = 1'b0;
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) c_valid_q[l] <= 1'b0;
      else         c_valid_q[l] <= valid_d;
    end

    always_ff @(posedge clk_i) begin
      c_tag_q[l]  <= tag_d;
      c_data_q[l] <= data_d;
    end
  end

  `NNA_ASSERT_INIT(CacheLines_A, Lines >= ActWords && (Lines & (Lines - 1)) == 0,
                   ("nna_sram: the activation cache needs a power of two lines, >= %0d",
                    ActWords))
  `NNA_ASSERT_IF(WtRspRequester_A, wt_rsp_q, 32'(wt_rsp_sel_q) < NumWtReq,
                 ("nna_sram: weight response for requester %0d", wt_rsp_sel_q))
endmodule
