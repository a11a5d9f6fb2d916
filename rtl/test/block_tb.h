// What every block test harness shares: the hardware configuration it is built for
// (NNA_CFG_NAME, which nna_block_tb() passes in DEFINES, rtl/CMakeLists.txt; tiny when unset) and
// its command line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nna/configs.h"

#ifndef NNA_CFG_NAME
#define NNA_CFG_NAME "tiny"
#endif

namespace nna::vl {

inline const HwConfig& Cfg() {
  static const HwConfig& cfg = FindHwConfig(NNA_CFG_NAME);
  return cfg;
}

// `<count_flag> N` (how many random cases), `--seed S`, and Verilator's own `+...` options, which
// Verilated::commandArgs reads. Anything else gets one sentence on stderr and false.
inline bool ParseArgs(int argc, char** argv, const char* count_flag, uint64_t* count, uint64_t* seed) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == count_flag && i + 1 < argc) {
      *count = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--seed" && i + 1 < argc) {
      *seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a.rfind("+", 0) != 0) {
      std::fprintf(stderr, "%s: unknown argument '%s' (use %s N --seed S [+verilator+...])\n", argv[0], a.c_str(),
                   count_flag);
      return false;
    }
  }
  return true;
}

}  // namespace nna::vl
