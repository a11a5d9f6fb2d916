// Named assertions for the NNA's RTL, the one place their form is written. Each expands to an
// immediate assertion (Verilator runs those with --assert; no sequences) and to nothing when
// SYNTHESIS is defined, so a block uses them next to the logic they guard without `ifndef`s:
//
//   `NNA_ASSERT(Name_A, cond, ("fmt", args))        at every rising edge of clk_i out of reset
//   `NNA_ASSERT_IF(Name_A, en, cond, ("fmt", args)) the same, only in cycles where en holds
//   `NNA_ASSERT_INIT(Name_A, cond, ("fmt", args))   once at time 0, on parameters; fatal
//   `NNA_ASSERT_NOW(cond, ("fmt", args))            a statement inside a procedural block
//
// The message is a parenthesised $error argument list. Names end in _A and are unique in their
// module (each names the block the assertion becomes). The clocked forms use the module's clk_i
// and rst_ni.
`ifndef NNA_ASSERT_SVH
`define NNA_ASSERT_SVH

`ifndef SYNTHESIS

`define NNA_ASSERT(__name, __cond, __msg) \
  always_ff @(posedge clk_i) begin : __name \
    if (rst_ni) assert (__cond) else $error __msg; \
  end

`define NNA_ASSERT_IF(__name, __en, __cond, __msg) \
  always_ff @(posedge clk_i) begin : __name \
    if (rst_ni && (__en)) assert (__cond) else $error __msg; \
  end

`define NNA_ASSERT_INIT(__name, __cond, __msg) \
  initial begin : __name \
    assert (__cond) else $fatal(1, "%s", $sformatf __msg); \
  end

`define NNA_ASSERT_NOW(__cond, __msg) \
  assert (__cond) else $error __msg;

`else

`define NNA_ASSERT(__name, __cond, __msg)
`define NNA_ASSERT_IF(__name, __en, __cond, __msg)
`define NNA_ASSERT_INIT(__name, __cond, __msg)
`define NNA_ASSERT_NOW(__cond, __msg)

`endif
`endif
