// The hardware configuration a block test harness is built for: NNA_CFG_NAME, which
// nna_block_tb() passes in DEFINES (rtl/CMakeLists.txt); tiny when it is not set.
#pragma once

#include "nna/configs.h"

#ifndef NNA_CFG_NAME
#define NNA_CFG_NAME "tiny"
#endif

namespace nna::vl {

inline const HwConfig& Cfg() {
  static const HwConfig& cfg = FindHwConfig(NNA_CFG_NAME);
  return cfg;
}

}  // namespace nna::vl
