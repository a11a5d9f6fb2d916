#include "testgen/network_test.h"

#include "perf/perf_model.h"

namespace nna::testgen {

void PredictCycles(const HwConfig& cfg, compiler::network::LoweredNetwork* l) {
  const std::map<uint32_t, perf::Prediction> predicted = perf::PredictProgram(cfg, l->bundle);
  l->cycles = 0;
  for (compiler::network::LoweredLayer& row : l->layers) {
    row.cycles = 0;
    for (const uint32_t i : row.computes) row.cycles += predicted.at(i).cycles.Total();
    l->cycles += row.cycles;
  }
}

compiler::network::LoweredNetwork BuildNetwork(const std::string& name,
                                               const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                                               uint64_t sram_budget) {
  compiler::network::LowerOptions options;
  options.sram_budget = sram_budget;
  compiler::network::LoweredNetwork l = compiler::network::CompileNetwork(name, vectors_dir, cfg, options);
  PredictCycles(cfg, &l);
  return l;
}

Bundle BuildNetworkBundle(const std::string& name, const std::filesystem::path& vectors_dir,
                          const HwConfig& cfg, uint64_t sram_budget, std::string* table) {
  compiler::network::LoweredNetwork l = BuildNetwork(name, vectors_dir, cfg, sram_budget);
  if (table) *table = compiler::network::FormatLowering(l);
  return std::move(l.bundle);
}

}  // namespace nna::testgen
