// Command line of the sim program (Boost.Program_options).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tb/inject.h"

namespace nna::tb {

// Bad options or input: one sentence, exit code 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SimOptions {
  std::string test;                // --test NAME[,NAME...]: compile vectors/NAME.yaml
  std::vector<std::string> tests;  // --test split at commas: the programs, in launch order
  uint32_t repeat = 1;             // --repeat N: the host launches the whole list N times (frames)
  bool queue = false;            // --queue: keep the RTL's program queue filled (several programs in flight)
  uint32_t inject_program = 0;   // --inject-program K: --inject corrupts the K-th test of the list
  bool inject_rtl_only = false;  // --inject-rtl-only: the golden model keeps the clean program
  std::string network;           // --network NAME: lower <vectors>/networks/NAME.yaml to one program
  uint64_t sram_budget = 0;  // --sram-budget N: with --network, the SRAM the program may use (partitioning)
  std::string bundle_dir;    // --bundle DIR: run a compiled bundle instead
  // --onnx MODEL: compile an ONNX model of one node as nnac --onnx does (frontends/onnx/compile.h),
  // with its --input tensors, a float model's --calibrate folder and --activations; --expect FILE
  // (default: the output_0.pb beside a node test's inputs) is compared with the RTL's output.
  std::string onnx_model;
  std::vector<std::string> onnx_inputs;
  std::string calibrate;
  bool int8_activations = false;
  std::string expect;
  bool expect_is_default = false;  // expect is a node test's output_0.pb, not given: a graph ignores it
  std::string config;              // --config NAME: must be the configuration this binary was built for
  std::optional<uint64_t> seed;
  std::string vectors;
  std::string out;  // folder for the compiled bundle and the waves
  bool waves = false;
  uint64_t waves_from = 0;  // first cycle traced (long runs: trace only the end)
  uint64_t max_cycles = 20'000'000;
  unsigned dram_latency = 20;
  unsigned dram_outstanding = 4;
  double dram_bandwidth = 0;                // bytes per cycle for read and write data together; 0: unlimited
  std::optional<uint32_t> watchdog_cycles;  // --watchdog-cycles N: the host writes the register
  bool act_cache = true;                    // --act-cache off: sram_ctrl.act_cache_off, and predicted so
  bool final_dram_golden = false;           // --final-dram golden: outputs against the golden model's DRAM
  Inject inject = Inject::kNone;            // --inject CLASS: the error class to provoke
  uint64_t abort_at = 0;                    // --abort-at CYCLE: with --inject abort, cycles after ctrl.start
  bool csr_readback = false;       // --csr-readback: the host's register read-back before the program
  std::string csr_readback_wrong;  // --csr-readback-wrong NAME: flip an expectation (negative test)
  bool quiet = false;
  // Fail when a compute instruction's cycles differ from the performance model's by more than
  // this many percent (negative: no check).
  double max_perf_error = -1;
  uint64_t perf_skew = 0;  // cycles added to every prediction: proves the check above can fail
  bool help = false;
  std::string help_text;
};

// Parses argv; throws InputError (one sentence) on bad options. With --help, returns with help set.
SimOptions ParseOptions(int argc, const char* const argv[]);

}  // namespace nna::tb
