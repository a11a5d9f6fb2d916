// The simulator's front door: the bundles a run consumes, made before the run. Named tests and
// networks are built by the test generator (testgen/), a --bundle folder is read; the Testbench
// itself takes bundles only.
#pragma once

#include <vector>

#include "bundle/bundle.h"
#include "nna/configs.h"
#include "tb/options.h"

namespace nna::tb {

// The programs of --test (each placed after the previous one's), --network or --bundle, for cfg.
// Throws InputError (one sentence) for a test, network or bundle that cannot be made or read.
std::vector<Bundle> MakeBundles(const SimOptions& options, const HwConfig& cfg);

}  // namespace nna::tb
