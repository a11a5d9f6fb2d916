#include "tb/testbench.h"

#include <verilated.h>
#if VM_TRACE_FST
#include <verilated_fst_sc.h>
#endif

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <utility>

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
  return std::string("status ") + hex + " (busy " +
         std::to_string(Bits(r.status, csr::kStatusBusyLsb, csr::kStatusBusyBits)) + " done " +
         std::to_string(Bits(r.status, csr::kStatusDoneLsb, csr::kStatusDoneBits)) + " error " +
         std::to_string(Bits(r.status, csr::kStatusErrorLsb, csr::kStatusErrorBits)) + " " +
         ErrorName(Bits(r.status, csr::kStatusErrCodeLsb, csr::kStatusErrCodeBits)) + ", err_instr " +
         InstrText(r.err_instr) + ")";
}

// Tags the golden model's events with the instruction numbers of the launch that runs.
class TaggingSink : public EventSink {
 public:
  explicit TaggingSink(EventSink& to) : to_(to) {}
  void OnAccUnload(const AccUnloadEvent& ev) override {
    AccUnloadEvent e = ev;
    e.instr = WithBase(e.instr, base);
    to_.OnAccUnload(e);
  }
  void OnSramWrite(const SramWriteEvent& ev) override {
    SramWriteEvent e = ev;
    e.instr = WithBase(e.instr, base);
    to_.OnSramWrite(e);
  }
  uint32_t base = 0;

 private:
  EventSink& to_;
};

}  // namespace

Testbench::Testbench(SimOptions options, std::vector<Bundle> programs, FinalDramCheck final_check)
    : opt_(std::move(options)), programs_(std::move(programs)), final_check_(std::move(final_check)) {}

Testbench::~Testbench() {
#if VM_TRACE_FST
  if (fst_) {
    fst_->close();
    delete fst_;
  }
#endif
}

void Testbench::Setup() {
  CheckPrograms();
  WriteBundles();
  PlanLaunches();
  RunGoldenModel();
  PredictPerformance();
  LoadDram();
  BuildDut();
  BuildHost();
  ConnectMonitors();
}

// Every bundle must be for this simulator's configuration and its program placement fit the CSRs.
void Testbench::CheckPrograms() const {
  if (programs_.empty()) throw InputError("no program to run");
  for (const Bundle& b : programs_) {
    if (b.config != kConfig.name) {
      throw InputError("the bundle of test '" + b.test + "' is compiled for configuration '" + b.config +
                       "', but this simulator is built for '" + kConfig.name + "'");
    }
    if (b.prog_sram_addr > 0xFFFFFFFFu || b.prog_words > 0xFFFFFFFFu ||
        b.prog_dram_addr >> kConfig.axi_addr_bits) {
      throw InputError("the bundle's program placement (dram " + std::to_string(b.prog_dram_addr) +
                       ", sram " + std::to_string(b.prog_sram_addr) + ", " + std::to_string(b.prog_words) +
                       " words) does not fit the CSRs");
    }
  }
}

// The bundles as run into --out (unless --bundle gave one), after --inject corrupted them.
void Testbench::WriteBundles() {
  // Before the golden model and the RTL, and before the bundle is written: both runs and the
  // bundle on disk see the same corrupted program.
  if (!opt_.inject_rtl_only) inject_note_ = InjectError(opt_.inject, kConfig, programs_[opt_.inject_program]);
  std::error_code ec;
  fs::create_directories(opt_.out, ec);
  if (ec) throw InputError("cannot create the output folder " + opt_.out + ": " + ec.message());
  for (size_t k = 0; k < programs_.size() && opt_.bundle_dir.empty(); ++k) {
    const std::string dir =
        programs_.size() == 1 ? "bundle" : "bundle_" + std::to_string(k) + "_" + programs_[k].test;
    try {
      WriteBundle(programs_[k], fs::path(opt_.out) / dir);
    } catch (const BundleError& e) {
      throw InputError(e.what());
    }
  }
}

// The launches: the list, --repeat times; the scoreboard numbers their instructions one after
// the other (one program alone keeps its own numbers).
void Testbench::PlanLaunches() {
  uint32_t base = 0;
  for (uint32_t run = 0; run < opt_.repeat; ++run) {
    for (size_t k = 0; k < programs_.size(); ++k) {
      launches_.push_back({k, run, base});
      base += uint32_t(programs_[k].instrs.size());
    }
  }
  if (base >= kProgramLoadInstr)
    throw InputError("the " + std::to_string(launches_.size()) + " launches have " + std::to_string(base) +
                     " instructions, more than the scoreboard numbers (" + std::to_string(kProgramLoadInstr) +
                     ")");
  bundle_ = several() ? Merged() : programs_[0];
}

// Expected events, program after program, tagged with their launch's instruction numbers, into
// the scoreboard.
void Testbench::RunGoldenModel() {
  EventRecorder expected;
  TaggingSink tagged(expected);
  std::vector<const Bundle*> order;
  for (const Launch& l : launches_) order.push_back(&programs_[l.program]);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<uint8_t> golden_dram;
  GoldenModel model(kConfig);
  model.SetCoverage(&func_cov_);
  golden_runs_ = model.RunPrograms(order, bundle_.dram, tagged, &golden_dram, nullptr,
                                   [&](size_t k) { tagged.base = launches_[k].instr_base; });
  if (opt_.final_dram_golden) {  // the golden model's outputs become the reference
    for (const Region& r : bundle_.regions)
      if (r.kind == "output" && r.dram_addr <= golden_dram.size() &&
          r.bytes <= golden_dram.size() - r.dram_addr)
        bundle_.reference[r.name].assign(golden_dram.begin() + long(r.dram_addr),
                                         golden_dram.begin() + long(r.dram_addr + r.bytes));
  }
  golden_seconds_ = Seconds(t0);
  golden_ = golden_runs_.back();  // the first error, or the last program
  // A race makes the RTL's result depend on timing: no expectation holds (docs/memory.md, "Races").
  for (size_t k = 0; k < golden_runs_.size(); ++k) {
    if (!golden_runs_[k].race.empty())
      throw InputError("the program of test '" + programs_[launches_[k].program].test +
                       "' races: " + golden_runs_[k].race);
  }
  sb_ = std::make_unique<Scoreboard>(bundle_, std::move(expected));
}

// The performance model's prediction for every compute instruction of every launch; with the
// activation cache off, for a configuration without cache lines.
void Testbench::PredictPerformance() {
  HwConfig perf_config = kConfig;
  if (!opt_.act_cache) perf_config.sram_act_cache_bytes = 0;
  for (size_t k = 0; k < golden_runs_.size(); ++k) {
    const RunResult& g = golden_runs_[k];
    // A program stopped at its load may not even lie in the DRAM image (--inject prog_dram_range).
    if (g.completed.empty()) continue;
    const std::set<uint32_t> completed(g.completed.begin(), g.completed.end());
    for (const isa::Instruction& in :
         isa::DecodeProgram(programs_[launches_[k].program].ProgramBytes()).instrs) {
      // Only what the golden model completed: an instruction it stopped on, or one never reached
      // (after an error), may be illegal, and its huge fields would take the model hours.
      if (in.IsDma() || !completed.count(in.index)) continue;
      perf::Prediction& p = predictions_[launches_[k].instr_base + in.index] =
          perf::Predict(perf_config, in.compute, in.simd);
      p.cycles[isa::ComputeCycle::kDrain] += opt_.perf_skew;
    }
  }
}

// The RTL's DRAM image: the bundle's, or with --inject-rtl-only a corrupted program in it.
void Testbench::LoadDram() {
  dram_ = bundle_.dram;
  if (!opt_.inject_rtl_only) return;
  // The program's words in the RTL's DRAM only: the golden model expects the clean one.
  Bundle b = programs_[opt_.inject_program];
  inject_note_ = InjectError(opt_.inject, kConfig, b) + " (in the RTL's DRAM only)";
  const long from = long(b.prog_dram_addr), to = from + long(b.prog_words * isa::kWordBytes);
  std::copy(b.dram.begin() + from, b.dram.begin() + to, dram_.begin() + from);
  bundle_.dram = dram_;  // what a restart reloads
}

// The SystemC side: wires, the RTL, and the DRAM it reads and writes over AXI.
void Testbench::BuildDut() {
  wires_ = std::make_unique<Wires>();
  top_ = std::make_unique<Vtop>("nna_top");
  wires_->Bind(*top_);
  auto on_axi_error = [this](const std::string& what) { sb_->ReportError("axi", what); };
  axi_dram_ = std::make_unique<AxiDram>("axi_dram", *wires_, dram_, opt_.dram_latency, opt_.dram_outstanding,
                                        opt_.dram_bandwidth, on_axi_error);
}

// The host that launches the programs and reads their status.
void Testbench::BuildHost() {
  // The host launches what the golden model ran: it stops after an error, as the model does.
  std::vector<HostProgram> progs;
  for (size_t k = 0; k < golden_runs_.size(); ++k) {
    const Bundle& b = programs_[launches_[k].program];
    progs.push_back(
        {b.prog_dram_addr, uint32_t(b.prog_sram_addr), uint32_t(b.prog_words), k == 0 ? opt_.abort_at : 0});
  }
  // An aborted run's events are partial: they are discarded, the DRAM image (which it may have
  // written) is loaded again, and the restarted run is compared in full.
  auto restart = [this] {
    dram_ = bundle_.dram;
    monitors_->Restart();
    monitors_->Discard(false);
  };
  HostCallbacks cb;
  cb.on_error = [this](const std::string& what) { sb_->ReportError("host", what); };
  cb.on_complete = [](size_t, const HostResult& r) {
    return !Bits(r.status, csr::kStatusErrorLsb, csr::kStatusErrorBits);
  };
  cb.on_done = [] { sc_core::sc_stop(); };
  cb.on_restart = restart;
  cb.writes_open = [this] { return axi_dram_->writes_open(); };
  host_ = std::make_unique<HostDriver>("host", *wires_, std::move(progs), std::move(cb),
                                       HostSetup{opt_.watchdog_cycles, !opt_.act_cache,
                                                 opt_.queue ? size_t(kConfig.queues_program_depth + 1) : 1,
                                                 opt_.csr_readback, opt_.csr_readback_wrong});
}

// The monitors that feed the scoreboard, and the watchdog that ends a run at --max-cycles.
void Testbench::ConnectMonitors() {
  monitors_ = std::make_unique<Monitors>("monitors", *wires_, *sb_);
  monitors_->Discard(opt_.abort_at > 0);
  std::vector<uint32_t> bases;
  for (size_t k = 0; k < golden_runs_.size(); ++k) bases.push_back(launches_[k].instr_base);
  monitors_->SetLaunchBases(std::move(bases));
  watchdog_ = std::make_unique<Watchdog>("watchdog", *wires_, opt_.max_cycles, opt_.quiet, [this] {
    std::string at;  // the latest compute instruction the engine started, and its layer
    if (!monitors_->instr_cycles().empty()) {
      const uint32_t i = monitors_->instr_cycles().rbegin()->first;
      at = "  compute instruction " + std::to_string(i) + " of " + std::to_string(bundle_.instrs.size()) +
           (i < bundle_.instrs.size() ? " (" + bundle_.instrs[i].layer + ")" : "");
    }
    return "events acc " + std::to_string(monitors_->acc_events()) + " wr " +
           std::to_string(monitors_->wr_events()) + at;
  });
}

std::string Testbench::Who(size_t k) const {
  const Launch& l = launches_[k];
  return "program " + std::to_string(k) + " (test " + programs_[l.program].test + ", run " +
         std::to_string(l.run) + ")";
}

std::pair<size_t, uint32_t> Testbench::Locate(uint32_t instr) const {
  size_t k = 0;
  while (k + 1 < launches_.size() && launches_[k + 1].instr_base <= instr) ++k;
  return {k, instr - launches_[k].instr_base};
}

// One bundle for the scoreboard and the RTL: every program's image in one DRAM, the output regions
// as "<k>_<test>.<region>", the instructions of every launch numbered one after the other.
Bundle Testbench::Merged() const {
  Bundle m;
  m.test = opt_.network.empty() ? opt_.test : opt_.network;
  m.config = kConfig.name;
  m.prog_dram_addr = programs_[0].prog_dram_addr;
  m.prog_sram_addr = programs_[0].prog_sram_addr;
  m.prog_words = programs_[0].prog_words;
  for (size_t k = 0; k < programs_.size(); ++k) {
    const Bundle& b = programs_[k];
    if (m.dram.size() < b.dram.size()) m.dram.resize(b.dram.size(), 0);
    // The program's own bytes, from its lowest region (an injected prog_dram may lie past them).
    uint64_t base = std::min<uint64_t>(b.prog_dram_addr, b.dram.size());
    for (const Region& r : b.regions) base = std::min(base, r.dram_addr);
    std::copy(b.dram.begin() + long(base), b.dram.end(), m.dram.begin() + long(base));
    const std::string prefix = std::to_string(k) + "_" + b.test + ".";
    for (Region r : b.regions) {
      r.name = prefix + r.name;
      m.regions.push_back(r);
    }
    for (const auto& [name, bytes] : b.reference) m.reference[prefix + name] = bytes;
  }
  for (size_t k = 0; k < launches_.size(); ++k) {
    const Bundle& b = programs_[launches_[k].program];
    for (const InstrInfo& info : b.instrs) {
      m.instrs.push_back({launches_[k].instr_base + info.index, info.op, info.layer,
                          Who(k) + " instr " + std::to_string(info.index) + ": " + info.text});
    }
    m.macs += b.macs;
  }
  return m;
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
    const auto [launch, own] = Locate(index);
    row.label = several() ? std::to_string(launch) + ":" + std::to_string(own) : std::to_string(index);
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
      const std::string failure = perf::CheckAccuracy(own, row.op, meas, pred, opt_.max_perf_error);
      if (!failure.empty()) {
        worst = std::fabs(row.diff_pct);
        perf_failure_ = (several() ? Who(launch) + ": " : "") + failure + " (--max-perf-error)";
      }
    }
    perf_rows_.push_back(row);
  }
}

// The performance counters (spec/csr.yaml), summed over the completions.
std::array<uint64_t, size_t(Counter::kCount)> Testbench::CounterSums() const {
  std::array<uint64_t, size_t(Counter::kCount)> sum{};
  for (const HostResult& c : host_->results())
    for (size_t i = 0; i < sum.size(); ++i)
      sum[i] = (c.merged ? 0 : sum[i]) + c.counters[i];  // queued: they ran on
  return sum;
}

void Testbench::PrintCounters() const {
  const auto sum = CounterSums();
  auto at = [&](Counter c) { return sum[size_t(c)]; };
  std::printf("  counters  busy dma %" PRIu64 " compute %" PRIu64 " simd %" PRIu64 "  flag wait dma %" PRIu64
              " compute %" PRIu64 "  conflict stalls %" PRIu64 " (act %" PRIu64 " wt %" PRIu64 " wr %" PRIu64
              ")  dma bytes in %" PRIu64 " out %" PRIu64 "%s\n",
              at(Counter::kDmaBusy), at(Counter::kComputeBusy), at(Counter::kSimdBusy), at(Counter::kDmaWait),
              at(Counter::kComputeWait),
              at(Counter::kStallAct) + at(Counter::kStallWt) + at(Counter::kStallWr), at(Counter::kStallAct),
              at(Counter::kStallWt), at(Counter::kStallWr), at(Counter::kReadBytes), at(Counter::kWriteBytes),
              opt_.act_cache ? "" : "  (activation cache off)");
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
    std::printf("  %5s %-6s %-23s %-9s %9" PRIu64 " %8s %5.1f%% %s\n", r.label.c_str(), r.op.c_str(), span,
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

// The registers the host read after launch k against what the golden model ended that program in.
void Testbench::CheckStatus(size_t k, const HostResult& r) {
  const RunResult& g = golden_runs_[k];
  const std::string who = several() ? Who(k) + ": " : "";
  auto report = [&](const std::string& text) { sb_->ReportError("status", who + text); };
  const bool busy = Bits(r.status, csr::kStatusBusyLsb, csr::kStatusBusyBits);
  const bool done = Bits(r.status, csr::kStatusDoneLsb, csr::kStatusDoneBits);
  const bool error = Bits(r.status, csr::kStatusErrorLsb, csr::kStatusErrorBits);
  const uint32_t code = Bits(r.status, csr::kStatusErrCodeLsb, csr::kStatusErrCodeBits);
  const std::string got = StatusText(r);
  if (busy && !r.merged) report("the NNA is still busy after its interrupt: " + got);
  if (g.ok) {
    if (!done || error) report("expected done without error, got " + got);
  } else {
    const uint32_t want = static_cast<uint32_t>(g.error);
    if (done || !error || code != want || r.err_instr != g.err_instr) {
      report("expected error " + ErrorName(want) + " at " + InstrText(g.err_instr) + " (" + g.message +
             "), got " + got);
    }
  }
  if (r.merged) return;  // queued programs: the counters and instrs_done ran on over several
  if (r.instrs_done != g.instrs_done) {
    report("instrs_done reads " + std::to_string(r.instrs_done) + ", the golden model completed " +
           std::to_string(g.instrs_done));
  }
  // DMA bytes, exactly: the program load, every DMA_READ and every DMA_WRITE of the program.
  if (g.ok) {
    const Bundle& b = programs_[launches_[k].program];
    uint64_t rd = b.prog_words * isa::kWordBytes, wr = 0;
    for (const isa::Instruction& in : isa::DecodeProgram(b.ProgramBytes()).instrs)
      if (in.IsDma()) (in.opcode == isa::Opcode::kDmaRead ? rd : wr) += isa::DmaBytes(in);
    if (r[Counter::kReadBytes] != rd || r[Counter::kWriteBytes] != wr)
      report("dma_read_bytes / dma_write_bytes read " + std::to_string(r[Counter::kReadBytes]) + " / " +
             std::to_string(r[Counter::kWriteBytes]) + ", the program moves " + std::to_string(rd) + " / " +
             std::to_string(wr));
  }
  const uint32_t irq_want = g.ok ? 1u << csr::kIrqDoneLsb : 1u << csr::kIrqErrorLsb;
  if (r.irq != irq_want)
    report("irq reads " + std::to_string(r.irq) + ", expected " + std::to_string(irq_want));
}

// The aborted run must end in error 'aborted' with no instruction and irq.error.
void Testbench::CheckAborted() {
  const HostResult& a = host_->aborted();
  if (a.abort_cycle == 0) {
    sb_->ReportError("status", "the program ended at cycle " + std::to_string(a.irq_cycle) +
                                   ", before --abort-at " + std::to_string(opt_.abort_at) +
                                   " cycles after its start: nothing was aborted");
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
  const std::vector<HostResult>& results = host_->results();
  const bool all_done = results.size() == golden_runs_.size();
  const bool timed_out = watchdog_->timed_out() && !all_done;
  if (host_->aborted().finished) CheckAborted();
  for (size_t k = 0; k < results.size(); ++k) CheckStatus(k, results[k]);
  if (!all_done && !timed_out && !results.empty() && several())
    sb_->ReportError("status", Who(results.size()) + " was never launched: the host stops after an error");
  sb_->Finish();
  if (all_done && golden_.ok) {
    sb_->CheckDram(dram_);
    dram_checked_ = true;
  }
  // Without a completed run (an expected error, a timeout) the status checks decide the verdict.
  if (final_check_)
    final_result_ = dram_checked_
                        ? final_check_(dram_)
                        : OutputCheck{"not compared: the program did not complete without error", true};
  ComparePerformance();
  WriteFunctionalCoverage();
  int code = kExitPass;
  if (timed_out) {
    code = kExitTimeout;
  } else if (!sb_->Passed() || !all_done || !perf_failure_.empty() || !final_result_.passed) {
    code = kExitFail;
  }
  PrintVerdict(code);
  return code;
}

// The golden model's bins, with what only the RTL shows: an abort, and bank-conflict stalls.
void Testbench::WriteFunctionalCoverage() {
  if (host_->aborted().finished) func_cov_.Ended(isa::ErrorCode::kAborted);
  const auto sum = CounterSums();
  func_cov_.Count("bank_conflict", "act", sum[size_t(Counter::kStallAct)] ? 1 : 0);
  func_cov_.Count("bank_conflict", "wt", sum[size_t(Counter::kStallWt)] ? 1 : 0);
  func_cov_.Count("bank_conflict", "wr", sum[size_t(Counter::kStallWr)] ? 1 : 0);
  const std::string path = opt_.out + "/func_cov.yaml";
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f || std::fputs(func_cov_.Yaml().c_str(), f) < 0 || std::fclose(f) != 0)
    std::fprintf(stderr, "nna sim: cannot write the functional coverage to %s\n", path.c_str());
}

void Testbench::PrintVerdict(int code) const {
  PrintRunHeader();
  PrintEventSummary();
  if (final_check_) std::printf("  %-16s %s\n", "onnx output", final_result_.line.c_str());
  if (several()) PrintPrograms();
  PrintCompletion();
  PrintPerformance();
  const double speed = run_seconds_ > 0 ? double(sim_cycles_) / run_seconds_ : 0.0;
  std::printf("  speed %.0f cycles/s  wall %.2f s  (golden model %.2f s)\n", speed, run_seconds_,
              golden_seconds_);
  PrintFailures();
  PrintResultLine(code);
  std::fflush(stdout);
}

// What ran and how: the test, the configuration and seed, and what the run changed on purpose.
void Testbench::PrintRunHeader() const {
  std::printf("nna sim  test %s  config %s (%llux%llu)  seed %s\n", bundle_.test.c_str(), kConfig.name,
              static_cast<unsigned long long>(kConfig.array_rows),
              static_cast<unsigned long long>(kConfig.array_cols),
              opt_.seed           ? std::to_string(*opt_.seed).c_str()
              : opt_.test.empty() ? "as bundled"
                                  : "default");
  std::printf(
      "  %-16s +verilator+seed+%d +verilator+rand+reset+%d (initial values of the flops and memories)\n",
      "x-initial", Verilated::threadContextp()->randSeed(), Verilated::threadContextp()->randReset());
  if (opt_.inject == Inject::kAbort) {
    std::printf("  %-16s abort: ctrl.abort %" PRIu64 " cycles after ctrl.start, then start again\n",
                "injected", opt_.abort_at);
  } else if (opt_.inject != Inject::kNone) {
    std::printf("  %-16s %s: %s\n", "injected", ToString(opt_.inject), inject_note_.c_str());
  }
  const HostResult& a = host_->aborted();
  if (a.finished) {
    const std::string abort = a.abort_cycle ? "ctrl.abort at cycle " + std::to_string(a.abort_cycle)
                                            : std::string("no ctrl.abort (the program ended first)");
    std::printf("  %-16s started at cycle %" PRIu64 ", %s, interrupt at %" PRIu64 ": %s; %" PRIu64
                " events discarded, DRAM reloaded, restarted\n",
                "aborted run", a.start_cycle, abort.c_str(), a.irq_cycle, StatusText(a).c_str(),
                monitors_->discarded());
  }
  if (host_->csr_readback_reads() > 0)
    std::printf("  %-16s %" PRIu64
                " reads after writes to every register and unknown offset (spec/csr.yaml)\n",
                "csr read-back", host_->csr_readback_reads());
  if (opt_.dram_bandwidth > 0)
    std::printf("  %-16s limited to %g bytes/cycle, reads and writes together\n", "dram bandwidth",
                opt_.dram_bandwidth);
}

// Expected and observed events per stream, and the final DRAM against the reference.
void Testbench::PrintEventSummary() const {
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
                !host_->result().finished ? "the program did not finish" : "the program ends in an error");
  }
}

// With several programs, one row per completion; the last one's status and the totals follow.
void Testbench::PrintPrograms() const {
  const std::vector<HostResult>& results = host_->results();
  std::printf("  %-16s %6s  %-24s %4s  %-36s %9s %12s\n", "programs", "launch", "test", "run", "status",
              "cycles", "instructions");
  for (size_t k = 0; k < results.size(); ++k) {
    const HostResult& c = results[k];
    const bool err = Bits(c.status, csr::kStatusErrorLsb, csr::kStatusErrorBits);
    const std::string st = err ? ErrorName(Bits(c.status, csr::kStatusErrCodeLsb, csr::kStatusErrCodeBits)) +
                                     " at " + InstrText(c.err_instr)
                               : "done";
    std::printf("  %-16s %6zu  %-24s %4u  %-36s %9u %12u\n", "", k,
                programs_[launches_[k].program].test.c_str(), launches_[k].run, st.c_str(), c.cycles,
                c.instrs_done);
  }
}

// The final status, cycles, MAC utilization and counters, or which interrupt never came.
void Testbench::PrintCompletion() const {
  const HostResult& r = host_->result();
  const std::vector<HostResult>& results = host_->results();
  if (r.finished) {
    uint64_t cycles_sum = 0, mac_sum = 0, instrs_sum = 0;
    for (const HostResult& c : results)
      cycles_sum += c.cycles, mac_sum += c.mac_cycles, instrs_sum += c.instrs_done;
    if (r.merged)
      cycles_sum = r.cycles, mac_sum = r.mac_cycles, instrs_sum = r.instrs_done;  // ran on over the queue
    const uint32_t code_bits = Bits(r.status, csr::kStatusErrCodeLsb, csr::kStatusErrCodeBits);
    const bool error = Bits(r.status, csr::kStatusErrorLsb, csr::kStatusErrorBits);
    std::printf("  %-16s  %s, %" PRIu64 " instruction%s, %s\n", "status", error ? "error" : "done",
                instrs_sum, instrs_sum == 1 ? "" : "s",
                error ? (ErrorName(code_bits) + " at " + InstrText(r.err_instr)).c_str() : "no error");
    const double macs_per_cycle = double(kConfig.array_rows) * double(kConfig.array_cols);
    const double cycles = cycles_sum ? double(cycles_sum) : 1.0;
    if (golden_.ok) {
      std::printf("  cycles %" PRIu64 "  mac-active %" PRIu64
                  " (%.1f%%)  MAC utilization %.1f%%  (useful MACs %" PRIu64 " / (cycles*M*N))\n",
                  cycles_sum, mac_sum, 100.0 * mac_sum / cycles,
                  100.0 * double(bundle_.macs) / (cycles * macs_per_cycle), bundle_.macs);
    } else {  // the program's MACs were not all done: no utilization
      std::printf("  cycles %" PRIu64 "  mac-active %" PRIu64 " (%.1f%%)\n", cycles_sum, mac_sum,
                  100.0 * mac_sum / cycles);
    }
    PrintCounters();
  }
  if (!r.finished || (several() && results.size() < golden_runs_.size() && watchdog_->timed_out())) {
    std::printf("  %-16s  no interrupt%s after %" PRIu64 " cycles\n", "status",
                several() ? (" for " + Who(results.size())).c_str() : "", sim_cycles_);
  }
}

// The first mismatches and the performance check's failure.
void Testbench::PrintFailures() const {
  if (!sb_->mismatches().empty()) {
    std::printf("first mismatches (%" PRIu64 " in all):\n", sb_->total_mismatches());
    for (const Mismatch& m : sb_->mismatches()) std::printf("  %s\n", m.text.c_str());
  }
  if (!perf_failure_.empty()) std::printf("performance: %s\n", perf_failure_.c_str());
}

// The last line: PASS (with the error the program was expected to end in), TIMEOUT or FAIL.
void Testbench::PrintResultLine(int code) const {
  if (code == kExitPass && !golden_.ok) {
    std::printf("PASS (expected error %s at %s%s and the RTL reported it: %s)\n",
                ErrorName(uint32_t(golden_.error)).c_str(), InstrText(golden_.err_instr).c_str(),
                several() ? (" of " + Who(golden_runs_.size() - 1)).c_str() : "", golden_.message.c_str());
  } else if (code == kExitPass && host_->aborted().finished) {
    std::printf("PASS (expected error aborted after ctrl.abort at cycle %" PRIu64
                " and the RTL reported it; the restarted run passed in full)\n",
                host_->aborted().abort_cycle);
  } else if (code == kExitPass) {
    std::printf("PASS\n");
  } else if (code == kExitTimeout) {
    std::printf("TIMEOUT after %" PRIu64 " cycles (--max-cycles %" PRIu64 ")\n", sim_cycles_,
                opt_.max_cycles);
  } else {
    std::printf("FAIL\n");
  }
}

}  // namespace nna::tb
