// A network's bundle for the tools (nnac --network, the simulator's front door): the compiler's
// lowering (compiler/network/lower.h) and its per-layer table with the cycles the performance model
// predicts for each layer's compute instructions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "bundle/bundle.h"
#include "compiler/network/lower.h"
#include "nna/configs.h"

namespace nna::testgen {

// Fills each layer's and the total predicted compute cycles of a lowered network.
void PredictCycles(const HwConfig& cfg, compiler::network::LoweredNetwork* l);

// vectors_dir/networks/<name>.yaml compiled for cfg (sram_budget: LowerOptions), cycles predicted.
compiler::network::LoweredNetwork BuildNetwork(const std::string& name,
                                               const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                                               uint64_t sram_budget = 0);

// The same for a caller that needs only the bundle and, when table is given, the lowering's table.
Bundle BuildNetworkBundle(const std::string& name, const std::filesystem::path& vectors_dir,
                          const HwConfig& cfg, uint64_t sram_budget, std::string* table);

}  // namespace nna::testgen
