#include "tb/testbench.h"

#include <verilated.h>
#if VM_TRACE_FST
#include <verilated_fst_sc.h>
#endif

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "compiler/compiler.h"
#include "compiler/named_test.h"
#include "isa/program.h"
#include "nna/csr.h"
#include "tb/axi_dram.h"
#include "tb/host_driver.h"
#include "tb/monitors.h"
#include "tb/signals.h"
#include "tb/watchdog.h"

namespace nna::tb {
namespace fs = std::filesystem;
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

uint32_t Bits(uint32_t v, uint32_t lsb, uint32_t bits) { return (v >> lsb) & ((1u << bits) - 1); }

std::string ErrorName(uint32_t code) {
  return isa::IsErrorCode(code) ? isa::ToString(static_cast<isa::ErrorCode>(code))
                                : "code " + std::to_string(code);
}

std::string InstrText(uint32_t index) {
  return index == 0xFFFFFFFFu ? std::string("no instruction") : "instr " + std::to_string(index);
}

// "status 0x... (busy b done d error e <code>, err_instr <instr>)" for mismatch messages.
std::string StatusText(const HostResult& r) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", r.status);
  return std::string("status ") + hex + " (busy " + std::to_string(Bits(r.status, csr::kStatusBusyLsb, csr::kStatusBusyBits)) +
         " done " + std::to_string(Bits(r.status, csr::kStatusDoneLsb, csr::kStatusDoneBits)) + " error " +
         std::to_string(Bits(r.status, csr::kStatusErrorLsb, csr::kStatusErrorBits)) + " " +
         ErrorName(Bits(r.status, csr::kStatusErrCodeLsb, csr::kStatusErrCodeBits)) + ", err_instr " +
         InstrText(r.err_instr) + ")";
}

}  // namespace

Testbench::Testbench(SimOptions options) : opt_(std::move(options)) {}

Testbench::~Testbench() {
#if VM_TRACE_FST
  if (fst_) {
    fst_->close();
    delete fst_;
  }
#endif
}

void Testbench::Setup() {
  // The bundle: compiled from the test description, or read from disk.
  try {
    if (!opt_.test.empty()) {
      bundle_ = compiler::CompileNamedTest(opt_.test, opt_.vectors, kConfig, opt_.seed);
    } else {
      bundle_ = ReadBundle(opt_.bundle_dir);
    }
  } catch (const compiler::CompileError& e) {
    throw InputError(e.what());
  } catch (const BundleError& e) {
    throw InputError(e.what());
  }
  if (bundle_.config != kConfig.name) {
    throw InputError("the bundle of test '" + bundle_.test + "' is compiled for configuration '" +
                     bundle_.config + "', but this simulator is built for '" + kConfig.name + "'");
  }
  if (bundle_.prog_sram_addr > 0xFFFFFFFFu || bundle_.prog_words > 0xFFFFFFFFu ||
      bundle_.prog_dram_addr >> kConfig.axi_addr_bits) {
    throw InputError("the bundle's program placement (dram " + std::to_string(bundle_.prog_dram_addr) +
                     ", sram " + std::to_string(bundle_.prog_sram_addr) + ", " +
                     std::to_string(bundle_.prog_words) + " words) does not fit the CSRs");
  }
  // Before the golden model and the RTL, and before the bundle is written: both runs and the
  // bundle on disk see the same corrupted program.
  inject_note_ = InjectError(opt_.inject, kConfig, bundle_);
  std::error_code ec;
  fs::create_directories(opt_.out, ec);
  if (ec) throw InputError("cannot create the output folder " + opt_.out + ": " + ec.message());
  if (!opt_.test.empty()) {
    try {
      WriteBundle(bundle_, fs::path(opt_.out) / "bundle");
    } catch (const BundleError& e) {
      throw InputError(e.what());
    }
  }

  // Expected events.
  EventRecorder expected;
  const auto t0 = std::chrono::steady_clock::now();
  golden_ = GoldenModel(kConfig).Run(bundle_, expected);
  golden_seconds_ = Seconds(t0);
  // A race makes the RTL's result depend on timing: no expectation holds (docs/memory.md, "Races").
  if (!golden_.race.empty())
    throw InputError("the program of test '" + bundle_.test + "' races: " + golden_.race);
  sb_ = std::make_unique<Scoreboard>(bundle_, std::move(expected));

  // The performance model's prediction for every compute instruction of the program.
  for (const isa::Instruction& in : isa::DecodeProgram(bundle_.ProgramBytes()).instrs) {
    // The instruction the golden model stops on is not predicted: an illegal one may not be computable.
    if (in.IsDma() || (!golden_.ok && in.index == golden_.err_instr)) continue;
    perf::Prediction& p = predictions_[in.index] = perf::Predict(kConfig, in.compute, in.simd);
    p.cycles[isa::ComputeCycle::kDrain] += opt_.perf_skew;
  }
  dram_ = bundle_.dram;

  // The SystemC side: wires, the RTL, the testbench modules.
  wires_ = std::make_unique<Wires>();
  top_ = std::make_unique<Vtop>("nna_top");
  wires_->Bind(*top_);
  auto on_axi_error = [this](const std::string& what) { sb_->ReportError("axi", what); };
  auto on_host_error = [this](const std::string& what) { sb_->ReportError("host", what); };
  axi_dram_ = std::make_unique<AxiDram>("axi_dram", *wires_, dram_, opt_.dram_latency, opt_.dram_outstanding,
                                        opt_.dram_bandwidth, on_axi_error);
  HostProgram prog{bundle_.prog_dram_addr, uint32_t(bundle_.prog_sram_addr), uint32_t(bundle_.prog_words),
                   opt_.abort_at};
  // An aborted run's events are partial: they are discarded, the DRAM image (which it may have
  // written) is loaded again, and the restarted run is compared in full.
  auto restart = [this] {
    dram_ = bundle_.dram;
    monitors_->Restart();
    monitors_->Discard(false);
  };
  host_ = std::make_unique<HostDriver>("host", *wires_, prog, on_host_error, [] { sc_core::sc_stop(); }, restart);
  monitors_ = std::make_unique<Monitors>("monitors", *wires_, *sb_);
  monitors_->Discard(opt_.abort_at > 0);
  watchdog_ = std::make_unique<Watchdog>("watchdog", *wires_, opt_.max_cycles, opt_.quiet, [this] {
    return "events acc " + std::to_string(monitors_->acc_events()) + " wr " +
           std::to_string(monitors_->wr_events());
  });
}

void Testbench::Run() {
  // Verilator's order: bind, zero-time start, then open the trace.
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const auto t0 = std::chrono::steady_clock::now();
  if (opt_.waves) {
#if VM_TRACE_FST
    // A long run can trace only its end: simulate up to --waves-from first.
    if (opt_.waves_from > 0) sc_core::sc_start(wires_->clk.period() * double(opt_.waves_from));
    if (sc_core::sc_get_status() != sc_core::SC_STOPPED) {
      fst_ = new VerilatedFstSc;
      top_->trace(fst_, 99);
      fst_->open((fs::path(opt_.out) / "waves.fst").c_str());
    }
#else
    throw InputError("--waves needs a simulator built with TRACE_FST");
#endif
  }
  if (sc_core::sc_get_status() != sc_core::SC_STOPPED) sc_core::sc_start();
  run_seconds_ = Seconds(t0);
  sim_cycles_ = wires_->Cycle();
  top_->final();
#if VM_TRACE_FST
  if (fst_) {
    fst_->close();
    delete fst_;
    fst_ = nullptr;
  }
#endif
}

// Pairs the measured cycles of each compute instruction with the model's prediction; with
// --max-perf-error, the instruction that differs most beyond it fails the run.
void Testbench::ComparePerformance() {
  double worst = -1;
  for (const auto& [index, m] : monitors_->instr_cycles()) {
    PerfRow row;
    row.index = index;
    row.first = m.first;
    row.last = m.last;
    row.measured.by_cause = m.by_cause;
    const auto p = predictions_.find(index);
    if (p != predictions_.end()) {
      row.predicted = p->second;
    } else {
      row.predicted.note = "not predicted nor checked: the program stops on this instruction's error";
    }
    for (const InstrInfo& info : bundle_.instrs) {
      if (info.index == index) row.op = info.op;
    }
    const uint64_t meas = row.measured.Total(), pred = row.predicted.cycles.Total();
    row.diff_pct = perf::DiffPercent(meas, pred);
    if (opt_.max_perf_error >= 0 && p != predictions_.end() && std::fabs(row.diff_pct) > worst) {
      const std::string failure = perf::CheckAccuracy(index, row.op, meas, pred, opt_.max_perf_error);
      if (!failure.empty()) {
        worst = std::fabs(row.diff_pct);
        perf_failure_ = failure + " (--max-perf-error)";
      }
    }
    perf_rows_.push_back(row);
  }
}

void Testbench::PrintPerformance() const {
  if (perf_rows_.empty()) return;
  std::printf(
      "  compute instructions: cycles of the dot-product engine, measured (RTL) and predicted "
      "(cpp-model/perf)\n");
  std::printf("  %5s %-6s %-23s %-9s %9s %8s %6s %8s %9s %8s %8s %8s %7s\n", "instr", "op",
              "cycles first..last", "", "total", "diff", "util", "fill", "mac", "w_unload", "w_acts", "w_wts",
              "drain");
  auto causes = [](const perf::CycleBreakdown& c) {
    char text[128];
    std::snprintf(text, sizeof text,
                  "%8" PRIu64 " %9" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %7" PRIu64, c.by_cause[0],
                  c.by_cause[1], c.by_cause[2], c.by_cause[3], c.by_cause[4], c.by_cause[5]);
    return std::string(text);
  };
  for (const PerfRow& r : perf_rows_) {
    const uint64_t meas = r.measured.Total(), pred = r.predicted.cycles.Total();
    char span[64];
    std::snprintf(span, sizeof span, "%" PRIu64 "..%" PRIu64, r.first, r.last);
    std::printf("  %5u %-6s %-23s %-9s %9" PRIu64 " %8s %5.1f%% %s\n", r.index, r.op.c_str(), span,
                "measured", meas, "", 100.0 * perf::Utilization(kConfig, r.predicted.macs, meas),
                causes(r.measured).c_str());
    char diff[32];
    std::snprintf(diff, sizeof diff, "%+.2f%%", r.diff_pct);
    std::printf("  %5s %-6s %-23s %-9s %9" PRIu64 " %8s %5.1f%% %s\n", "", "", "", "predicted", pred, diff,
                100.0 * perf::Utilization(kConfig, r.predicted.macs, pred),
                causes(r.predicted.cycles).c_str());
    if (!r.predicted.note.empty()) std::printf("  %5s model: %s\n", "", r.predicted.note.c_str());
  }
}

// The registers the host read against what the golden model ended in.
void Testbench::CheckStatus() {
  const HostResult& r = host_->result();
  const bool busy = Bits(r.status, csr::kStatusBusyLsb, csr::kStatusBusyBits);
  const bool done = Bits(r.status, csr::kStatusDoneLsb, csr::kStatusDoneBits);
  const bool error = Bits(r.status, csr::kStatusErrorLsb, csr::kStatusErrorBits);
  const uint32_t code = Bits(r.status, csr::kStatusErrCodeLsb, csr::kStatusErrCodeBits);
  const std::string got = StatusText(r);
  if (busy) sb_->ReportError("status", "the NNA is still busy after its interrupt: " + got);
  if (golden_.ok) {
    if (!done || error) sb_->ReportError("status", "expected done without error, got " + got);
  } else {
    const uint32_t want = static_cast<uint32_t>(golden_.error);
    if (done || !error || code != want || r.err_instr != golden_.err_instr) {
      sb_->ReportError("status", "expected error " + ErrorName(want) + " at " + InstrText(golden_.err_instr) +
                                     " (" + golden_.message + "), got " + got);
    }
  }
  if (r.instrs_done != golden_.instrs_done) {
    sb_->ReportError("status", "instrs_done reads " + std::to_string(r.instrs_done) +
                                   ", the golden model completed " + std::to_string(golden_.instrs_done));
  }
  const uint32_t irq_want = golden_.ok ? 1u << csr::kIrqDoneLsb : 1u << csr::kIrqErrorLsb;
  if (r.irq != irq_want) {
    sb_->ReportError("status",
                     "irq reads " + std::to_string(r.irq) + ", expected " + std::to_string(irq_want));
  }
}

// The aborted run must end in error 'aborted' with no instruction and irq.error.
void Testbench::CheckAborted() {
  const HostResult& a = host_->aborted();
  if (a.abort_cycle == 0) {
    sb_->ReportError("status", "the program ended at cycle " + std::to_string(a.irq_cycle) + ", before --abort-at " +
                                   std::to_string(opt_.abort_at) + " cycles after its start: nothing was aborted");
    return;
  }
  const bool done = Bits(a.status, csr::kStatusDoneLsb, csr::kStatusDoneBits);
  const bool error = Bits(a.status, csr::kStatusErrorLsb, csr::kStatusErrorBits);
  const uint32_t code = Bits(a.status, csr::kStatusErrCodeLsb, csr::kStatusErrCodeBits);
  if (done || !error || code != uint32_t(isa::ErrorCode::kAborted) || a.err_instr != 0xFFFFFFFFu) {
    sb_->ReportError("status", "expected error aborted at no instruction after ctrl.abort at cycle " +
                                   std::to_string(a.abort_cycle) + ", got " + StatusText(a));
  }
  if (a.irq != 1u << csr::kIrqErrorLsb)
    sb_->ReportError("status", "irq reads " + std::to_string(a.irq) + " after the abort, expected " +
                                   std::to_string(1u << csr::kIrqErrorLsb));
}

int Testbench::Finish() {
  sb_->SetCycle(sim_cycles_);
  if (watchdog_->rtl_stopped() || Verilated::gotError()) {
    sb_->ReportError("rtl",
                     "the RTL stopped the simulation ($stop, $finish or a failed assertion; see the %Error "
                     "lines above)");
  }
  const bool timed_out = watchdog_->timed_out() && !host_->result().finished;
  if (host_->aborted().finished) CheckAborted();
  if (host_->result().finished) CheckStatus();
  sb_->Finish();
  if (host_->result().finished && golden_.ok) {
    sb_->CheckDram(dram_);
    dram_checked_ = true;
  }
  ComparePerformance();
  int code = kExitPass;
  if (timed_out) {
    code = kExitTimeout;
  } else if (!sb_->Passed() || !host_->result().finished || !perf_failure_.empty()) {
    code = kExitFail;
  }
  PrintVerdict(code);
  return code;
}

void Testbench::PrintVerdict(int code) const {
  const HostResult& r = host_->result();
  std::printf("nna sim  test %s  config %s (%llux%llu)  seed %s\n", bundle_.test.c_str(), kConfig.name,
              static_cast<unsigned long long>(kConfig.array_rows),
              static_cast<unsigned long long>(kConfig.array_cols),
              opt_.seed           ? std::to_string(*opt_.seed).c_str()
              : opt_.test.empty() ? "as bundled"
                                  : "default");
  if (opt_.inject == Inject::kAbort) {
    std::printf("  %-16s abort: ctrl.abort %" PRIu64 " cycles after ctrl.start, then start again\n", "injected",
                opt_.abort_at);
  } else if (opt_.inject != Inject::kNone) {
    std::printf("  %-16s %s: %s\n", "injected", ToString(opt_.inject), inject_note_.c_str());
  }
  const HostResult& a = host_->aborted();
  if (a.finished) {
    const std::string abort = a.abort_cycle ? "ctrl.abort at cycle " + std::to_string(a.abort_cycle)
                                             : std::string("no ctrl.abort (the program ended first)");
    std::printf("  %-16s started at cycle %" PRIu64 ", %s, interrupt at %" PRIu64
                ": %s; %" PRIu64 " events discarded, DRAM reloaded, restarted\n",
                "aborted run", a.start_cycle, abort.c_str(), a.irq_cycle, StatusText(a).c_str(),
                monitors_->discarded());
  }
  if (opt_.dram_bandwidth > 0)
    std::printf("  %-16s limited to %g bytes/cycle, reads and writes together\n", "dram bandwidth", opt_.dram_bandwidth);
  std::printf("  %-16s %9s  %9s  %10s\n", "stream", "expected", "observed", "mismatches");
  for (const StreamStats& s : sb_->Stats()) {
    std::printf("  %-16s %9" PRIu64 "  %9" PRIu64 "  %10" PRIu64 "\n", s.name.c_str(), s.expected, s.observed,
                s.mismatches);
  }
  if (dram_checked_) {
    std::printf("  %-16s %9" PRIu64 " B   %s\n", "dram output", sb_->dram_bytes_checked(),
                sb_->dram_equal() ? "equal to reference" : "DIFFERS from reference");
  } else {
    std::printf("  %-16s not checked (%s)\n", "dram output",
                !r.finished ? "the program did not finish" : "the program ends in an error");
  }
  if (r.finished) {
    const uint32_t code_bits = Bits(r.status, csr::kStatusErrCodeLsb, csr::kStatusErrCodeBits);
    const bool error = Bits(r.status, csr::kStatusErrorLsb, csr::kStatusErrorBits);
    std::printf("  %-16s  %s, %u instruction%s, %s\n", "status", error ? "error" : "done", r.instrs_done,
                r.instrs_done == 1 ? "" : "s",
                error ? (ErrorName(code_bits) + " at " + InstrText(r.err_instr)).c_str() : "no error");
    const double macs_per_cycle = double(kConfig.array_rows) * double(kConfig.array_cols);
    const double cycles = r.cycles ? double(r.cycles) : 1.0;
    if (golden_.ok) {
      std::printf("  cycles %u  mac-active %u (%.1f%%)  MAC utilization %.1f%%  (useful MACs / (cycles*M*N))\n",
                  r.cycles, r.mac_cycles, 100.0 * r.mac_cycles / cycles,
                  100.0 * double(bundle_.macs) / (cycles * macs_per_cycle));
    } else {  // the program's MACs were not all done: no utilization
      std::printf("  cycles %u  mac-active %u (%.1f%%)\n", r.cycles, r.mac_cycles, 100.0 * r.mac_cycles / cycles);
    }
  } else {
    std::printf("  %-16s  no interrupt after %" PRIu64 " cycles\n", "status", sim_cycles_);
  }
  PrintPerformance();
  const double speed = run_seconds_ > 0 ? double(sim_cycles_) / run_seconds_ : 0.0;
  std::printf("  speed %.0f cycles/s  wall %.2f s  (golden model %.2f s)\n", speed, run_seconds_,
              golden_seconds_);
  if (!sb_->mismatches().empty()) {
    std::printf("first mismatches (%" PRIu64 " in all):\n", sb_->total_mismatches());
    for (const Mismatch& m : sb_->mismatches()) std::printf("  %s\n", m.text.c_str());
  }
  if (!perf_failure_.empty()) std::printf("performance: %s\n", perf_failure_.c_str());
  if (code == kExitPass && !golden_.ok) {
    std::printf("PASS (expected error %s at %s and the RTL reported it: %s)\n",
                ErrorName(uint32_t(golden_.error)).c_str(), InstrText(golden_.err_instr).c_str(),
                golden_.message.c_str());
  } else if (code == kExitPass && a.finished) {
    std::printf("PASS (expected error aborted after ctrl.abort at cycle %" PRIu64
                " and the RTL reported it; the restarted run passed in full)\n",
                a.abort_cycle);
  } else if (code == kExitPass) {
    std::printf("PASS\n");
  } else if (code == kExitTimeout) {
    std::printf("TIMEOUT after %" PRIu64 " cycles (--max-cycles %" PRIu64 ")\n", sim_cycles_,
                opt_.max_cycles);
  } else {
    std::printf("FAIL\n");
  }
  std::fflush(stdout);
}

}  // namespace nna::tb
