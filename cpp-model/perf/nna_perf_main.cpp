// nna_perf: the performance model's prediction for every compute instruction of a test, without
// simulating (docs/performance.md).
//   nna_perf --test NAME --config CFG [--vectors DIR]
#include <cinttypes>
#include <cstdio>
#include <exception>
#include <string>

#include "compiler/compiler.h"
#include "isa/program.h"
#include "perf/perf_model.h"

int main(int argc, char** argv) {
  std::string test, config, vectors = NNA_VECTORS_DIR;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--test")
      test = argv[i + 1];
    else if (key == "--config")
      config = argv[i + 1];
    else if (key == "--vectors")
      vectors = argv[i + 1];
  }
  if (test.empty() || config.empty()) {
    std::fprintf(stderr, "usage: nna_perf --test NAME --config CFG [--vectors DIR]\n");
    return 2;
  }
  try {
    const nna::HwConfig& cfg = nna::FindHwConfig(config);
    const nna::Bundle b = nna::compiler::CompileTestFile(nna::compiler::FindTest(test, vectors), cfg);
    std::printf("%-5s %-6s %10s %6s %8s %10s %8s %8s %8s %8s\n", "instr", "op", "cycles", "util", "fill",
                "mac", "w_unload", "w_acts", "w_wts", "drain");
    for (const nna::isa::Instruction& in : nna::isa::DecodeProgram(b.ProgramBytes()).instrs) {
      if (in.IsDma()) continue;
      const nna::perf::Prediction p = nna::perf::Predict(cfg, in.compute, in.simd);
      const auto& c = p.cycles.by_cause;
      std::printf("%5u %-6s %10" PRIu64 " %5.1f%% %8" PRIu64 " %10" PRIu64 " %8" PRIu64 " %8" PRIu64
                  " %8" PRIu64 " %8" PRIu64 "\n",
                  in.index, nna::isa::ToString(in.opcode), p.cycles.Total(),
                  100.0 * nna::perf::Utilization(cfg, p.macs, p.cycles.Total()), c[0], c[1], c[2], c[3], c[4],
                  c[5]);
      if (!p.note.empty()) std::printf("      %s\n", p.note.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nna_perf: %s\n", e.what());
    return 2;
  }
  return 0;
}
