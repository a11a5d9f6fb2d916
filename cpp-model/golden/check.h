// A bundle's outputs on the golden model against its reference bytes, without a testbench: for the
// tools and tests that check a compiled program (nnac --check, the network tests).
#pragma once

#include <string>

#include "bundle/bundle.h"
#include "nna/configs.h"

namespace nna {

// Runs the bundle on the golden model and compares every output region with its reference: empty
// when they are equal and no race was found, else one sentence (the error, the race, or the first
// differing byte of the first differing output).
std::string CheckOnGoldenModel(const Bundle& bundle, const HwConfig& cfg);

}  // namespace nna
