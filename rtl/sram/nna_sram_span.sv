// Maps one SRAM port access (PortBytes bytes from any byte address) onto the interleaved banks.
// Purely combinational. Bank b holds the words w with w % Banks == b at row w / Banks; an access
// touches the words first_w .. last_w (at most PortBytes/Word + 1 of them, each in a different
// bank), last_w holding byte addr + last_i: a requester that needs fewer bytes claims fewer
// banks. Word j of the access (j = 0 is the word holding the first byte) lives in bank
// (first_bank + j) % Banks. Words at or past the end of the SRAM are not accessed (in_range 0).
//
//   addr_i --> first_w = addr / Word --> first_bank, first_row --> bank_used_o, bank_row_o
//          \-> offset_o = addr % Word (byte shift of the data)
`include "nna_assert.svh"

module nna_sram_span #(
  parameter int unsigned PortBytes = 32,
  localparam int unsigned Word      = nna_cfg_pkg::SramBankWordBytes,
  localparam int unsigned Banks     = nna_cfg_pkg::SramBanks,
  localparam int unsigned Depth     = nna_cfg_pkg::SramBankDepth,
  localparam int unsigned WordBits  = $clog2(Word),
  localparam int unsigned BankBits  = $clog2(Banks),
  localparam int unsigned RowBits   = $clog2(Depth),
  localparam int unsigned NumWords  = PortBytes / Word + 1
) (
  input  logic [31:0]               addr_i,
  input  logic [31:0]               last_i,        // offset of the last byte needed (< PortBytes)
  output logic [Banks-1:0]          bank_used_o,   // banks this access needs
  output logic [Banks*RowBits-1:0]  bank_row_o,    // row of bank b at [b*RowBits +: RowBits]
  output logic [BankBits-1:0]       first_bank_o,  // bank of word 0
  output logic [WordBits-1:0]       offset_o,      // byte of the first byte inside word 0
  output logic [NumWords-1:0]       word_ok_o      // word j is needed and exists in the SRAM
);
  logic [31:0] first_w, last_w, num_w, first_row, row, jb;

  always_comb begin
    first_w      = addr_i >> WordBits;
    last_w       = (addr_i + last_i) >> WordBits;
    num_w        = last_w - first_w + 1;
    first_row    = first_w >> BankBits;
    first_bank_o = first_w[BankBits-1:0];
    offset_o     = addr_i[WordBits-1:0];
    bank_used_o  = '0;
    bank_row_o   = '0;
    for (int unsigned b = 0; b < Banks; b++) begin
      // Distance of bank b from the first bank, modulo Banks.
      jb  = 32'((b - 32'(first_bank_o)) & (Banks - 1));
      row = first_row + ((b < 32'(first_bank_o)) ? 32'd1 : 32'd0);
      bank_used_o[b] = (jb < num_w) && (row < Depth);
      bank_row_o[b*RowBits +: RowBits] = row[RowBits-1:0];
    end
    for (int unsigned j = 0; j < NumWords; j++) begin
      word_ok_o[j] = (j < num_w) && ((first_w + j) >> BankBits) < Depth;
    end
  end

  `NNA_ASSERT_INIT(PortWholeWords_A, PortBytes % Word == 0,
                   ("nna_sram_span: port width %0d is not a multiple of the bank word %0d",
                    PortBytes, Word))
  `NNA_ASSERT_INIT(BankOncePerAccess_A, NumWords <= Banks,
                   ("nna_sram_span: a %0d-byte access can need the same bank twice (%0d banks)",
                    PortBytes, Banks))
  `NNA_ASSERT_INIT(BanksPow2_A, (Banks & (Banks - 1)) == 0,
                   ("nna_sram_span: bank count %0d is not a power of two", Banks))
endmodule
