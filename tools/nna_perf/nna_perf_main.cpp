// nna_perf: the performance model's prediction for every compute instruction of a bundle, without
// simulating (docs/performance.md). The bundle is a folder, or a named test built by testgen/.
//   nna_perf --test NAME --config CFG [--vectors DIR]
//   nna_perf --bundle DIR
// After the per-instruction table: the sum of the compute instructions and the whole-program
// prediction (program_model.h); --dram-latency N as the simulator's option (default 20).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "bundle/bundle.h"
#include "isa/program.h"
#include "perf/perf_model.h"
#include "perf/program_model.h"
#include "testgen/named_test.h"

int main(int argc, char** argv) {
  std::string test, config, vectors = NNA_VECTORS_DIR, bundle_dir;
  uint64_t dram_latency = nna::perf::DramTiming{}.latency;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--test")
      test = argv[i + 1];
    else if (key == "--config")
      config = argv[i + 1];
    else if (key == "--vectors")
      vectors = argv[i + 1];
    else if (key == "--bundle")
      bundle_dir = argv[i + 1];
    else if (key == "--dram-latency") {
      char* end = nullptr;
      dram_latency = std::strtoull(argv[i + 1], &end, 10);
      if (!*argv[i + 1] || *end || argv[i + 1][0] == '-') {
        std::fprintf(stderr, "nna_perf: --dram-latency takes a number of cycles, not '%s'\n", argv[i + 1]);
        return 2;
      }
    }
  }
  if (bundle_dir.empty() == (test.empty() || config.empty())) {
    std::fprintf(
        stderr,
        "usage: nna_perf --test NAME --config CFG [--vectors DIR] | --bundle DIR  [--dram-latency N]\n");
    return 2;
  }
  try {
    const nna::Bundle b = bundle_dir.empty() ? nna::testgen::BuildNamedTest(
                                                   test, vectors, nna::FindHwConfig(config), std::nullopt)
                                             : nna::ReadBundle(bundle_dir);
    const nna::HwConfig& cfg = nna::FindHwConfig(b.config);
    std::printf("%-5s %-6s %10s %6s %8s %10s %8s %8s %8s %8s\n", "instr", "op", "cycles", "util", "fill",
                "mac", "w_unload", "w_acts", "w_wts", "drain");
    const nna::isa::DecodedProgram prog = nna::isa::DecodeProgram(b.ProgramBytes());
    uint64_t sum = 0;
    for (const auto& [index, p] : nna::perf::PredictProgram(cfg, b)) {
      sum += p.cycles.Total();
      const auto& c = p.cycles.by_cause;
      std::printf("%5u %-6s %10" PRIu64 " %5.1f%% %8" PRIu64 " %10" PRIu64 " %8" PRIu64 " %8" PRIu64
                  " %8" PRIu64 " %8" PRIu64 "\n",
                  index, nna::isa::ToString(prog.instrs.at(index).opcode), p.cycles.Total(),
                  100.0 * nna::perf::Utilization(cfg, p.macs, p.cycles.Total()), c[0], c[1], c[2], c[3], c[4],
                  c[5]);
      if (!p.note.empty()) std::printf("      %s\n", p.note.c_str());
    }
    // The whole program: the queues, flags, program load and fetch, DMA and its SRAM beats.
    nna::perf::DramTiming dram;
    dram.latency = dram_latency;
    const nna::perf::ProgramPrediction w = nna::perf::PredictWholeProgram(cfg, b, dram);
    std::printf("compute instructions alone, summed: %" PRIu64 " cycles\n", sum);
    std::printf("compute instructions in the program: %" PRIu64 " cycles (DMA and fetch beside them)\n",
                w.compute_cycles);
    std::printf("whole program: %" PRIu64 " cycles, %.1f%% MAC utilization (program load %" PRIu64
                ", DRAM latency %" PRIu64 ")\n",
                w.cycles, 100.0 * nna::perf::Utilization(cfg, b.macs, w.cycles), w.load_cycles, dram.latency);
    if (!w.note.empty()) std::printf("whole program: %s\n", w.note.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nna_perf: %s\n", e.what());
    return 2;
  }
  return 0;
}
