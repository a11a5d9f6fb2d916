// The simulator's front door: the bundles a run consumes, made before the run. Named tests and
// networks are built by the test generator (testgen/), an --onnx model by the ONNX front end as
// nnac builds it, a --bundle folder is read; the Testbench itself takes bundles only.
#pragma once

#include <vector>

#include "bundle/bundle.h"
#include "nna/configs.h"
#include "tb/options.h"
#include "tb/testbench.h"

namespace nna::tb {

struct Programs {
  std::vector<Bundle> bundles;
  FinalDramCheck output_check;  // --onnx with --expect: the RTL's output against the expected one
};

// The programs of --test (each placed after the previous one's), --network, --onnx or --bundle, for
// cfg. Throws InputError (one sentence) for a test, network, model or bundle that cannot be made or read.
Programs MakeBundles(const SimOptions& options, const HwConfig& cfg);

}  // namespace nna::tb
