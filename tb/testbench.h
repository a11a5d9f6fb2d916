// The co-simulation of one test or of several launched in turn (docs/memory.md, "Several programs
// and frames") from its bundles: Setup (configuration check, golden model, expected events, DRAM image,
// SystemC modules around the Verilated nna_top), Run (until the last interrupt has been handled,
// the RTL stops, or --max-cycles), Finish (final DRAM and per-program status checks, the verdict
// on stdout, the exit code).
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bundle/bundle.h"
#include "coverage/functional_coverage.h"
#include "golden/golden_model.h"
#include "perf/perf_model.h"
#include "scoreboard/scoreboard.h"
#include "tb/host_driver.h"
#include "tb/options.h"
#include "tb/tb_config.h"

class VerilatedFstSc;

namespace nna::tb {

struct Wires;
class AxiDram;
class Monitors;
class Watchdog;

// A check of the final DRAM beyond the scoreboard's (nna_sim --onnx --expect, tb/front_door.h):
// its verdict line and whether it passed.
struct OutputCheck {
  std::string line;
  bool passed = true;
};
using FinalDramCheck = std::function<OutputCheck(const std::vector<uint8_t>& final_dram)>;

// Exit codes of the sim program.
enum ExitCode : int { kExitPass = 0, kExitFail = 1, kExitBadInput = 2, kExitTimeout = 3 };

class Testbench {
 public:
  // programs: the bundles to launch in turn (tb/front_door.h makes them; the testbench compiles
  // nothing).
  // final_check, if any, runs on the final DRAM of a run the golden model completed.
  Testbench(SimOptions options, std::vector<Bundle> programs, FinalDramCheck final_check = {});
  ~Testbench();

  // Throws InputError (one sentence) on bad input: a bundle for another configuration or whose
  // program does not fit the CSRs, unwritable --out.
  void Setup();
  void Run();
  // Prints the verdict; returns the exit code.
  int Finish();

 private:
  // One launch of a program: which, in which run of the list (frame), and where its instructions
  // start in the scoreboard's table.
  struct Launch {
    size_t program = 0;
    uint32_t run = 0;
    uint32_t instr_base = 0;
  };
  bool several() const { return launches_.size() > 1; }
  std::string Who(size_t launch) const;                      // "program 1 (test eltwise_add, run 0)"
  std::pair<size_t, uint32_t> Locate(uint32_t instr) const;  // launch and its own instruction index
  Bundle Merged() const;
  // Setup's steps, in order.
  void CheckPrograms() const;
  void WriteBundles();
  void PlanLaunches();
  void RunGoldenModel();
  void PredictPerformance();
  void LoadDram();
  void BuildDut();
  void BuildHost();
  void ConnectMonitors();
  void CheckStatus(size_t launch, const HostResult& r);
  void CheckAborted();
  void ComparePerformance();
  std::array<uint64_t, size_t(Counter::kCount)> CounterSums() const;
  void WriteFunctionalCoverage();
  // The verdict, part by part in the order printed.
  void PrintVerdict(int code) const;
  void PrintRunHeader() const;
  void PrintEventSummary() const;
  void PrintPrograms() const;
  void PrintCompletion() const;
  void PrintCounters() const;
  void PrintPerformance() const;
  void PrintFailures() const;
  void PrintResultLine(int code) const;

  // One compute instruction: what the RTL took (monitors) and what the model predicted.
  struct PerfRow {
    uint32_t index = 0;
    std::string label;  // as printed: the index, or "<launch>:<index>" for several programs
    std::string op;
    uint64_t first = 0, last = 0;
    perf::CycleBreakdown measured;
    perf::Prediction predicted;
    double diff_pct = 0;  // (predicted - measured) / measured
  };

  SimOptions opt_;
  std::vector<Bundle> programs_;  // per test of --test, the network, or the --bundle
  std::vector<Launch> launches_;
  std::vector<RunResult> golden_runs_;  // per launch the golden model ran (it stops after an error)
  Bundle bundle_;                       // the scoreboard's: programs_[0] alone, else Merged()
  std::string inject_note_;             // what --inject changed in the program
  RunResult golden_;                    // the last of golden_runs_
  coverage::FunctionalCoverage func_cov_{kConfig};  // written to <out>/func_cov.yaml
  double golden_seconds_ = 0;
  std::vector<uint8_t> dram_;
  std::unique_ptr<Scoreboard> sb_;
  std::unique_ptr<Wires> wires_;
  std::unique_ptr<Vtop> top_;
  std::unique_ptr<AxiDram> axi_dram_;
  std::unique_ptr<HostDriver> host_;
  std::unique_ptr<Monitors> monitors_;
  std::unique_ptr<Watchdog> watchdog_;
  VerilatedFstSc* fst_ = nullptr;
  double run_seconds_ = 0;
  uint64_t sim_cycles_ = 0;
  bool dram_checked_ = false;
  std::map<uint32_t, perf::Prediction> predictions_;  // per compute instruction index
  std::vector<PerfRow> perf_rows_;
  std::string perf_failure_;  // one sentence when --max-perf-error is exceeded
  FinalDramCheck final_check_;
  OutputCheck final_result_;
};

}  // namespace nna::tb
