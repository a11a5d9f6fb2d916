// The bundles the control blocks pass to the CSRs, so that each list of status and counter ports
// exists once: the command sequencer's status (nna_cmd_seq -> nna_csr) and the performance
// counters (nna_perf_counters -> nna_csr), both registers of spec/csr.yaml.
package nna_ctrl_pkg;
  // status, err_instr and the command sequencer's counters (docs/architecture.md "Program
  // execution", "Performance counters").
  typedef struct packed {
    logic                     busy;
    logic                     done;
    logic                     error;
    logic [7:0]               err_code;  // an nna_isa_pkg::error_code_e
    logic [31:0]              err_instr;
    logic [31:0]              cycles;
    logic [31:0]              mac_cycles;
    logic [31:0]              instrs_done;
    logic [31:0]              programs_done;
    logic [3:0]               queued;  // programs waiting behind the running one
  } status_t;

  // The saturating counters of nna_perf_counters, in the order it keeps them (the first field is
  // the most significant).
  typedef struct packed {
    logic [31:0] compute_wait_cycles;
    logic [31:0] dma_wait_cycles;
    logic [31:0] dma_write_bytes;
    logic [31:0] dma_read_bytes;
    logic [31:0] conflict_stalls_wr;
    logic [31:0] conflict_stalls_wt;
    logic [31:0] conflict_stalls_act;
    logic [31:0] simd_busy_cycles;
    logic [31:0] compute_busy_cycles;
    logic [31:0] dma_busy_cycles;
  } perf_counters_t;
endpackage
