// What every block test harness shares: the hardware configuration it is built for
// (NNA_CFG_NAME, which nna_block_tb() passes in DEFINES, rtl/CMakeLists.txt; tiny when unset), its
// command line, and the clocking of the Verilated block (BlockDut: eval, tick, reset).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "nna/configs.h"
#include "verilated.h"

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
      std::fprintf(stderr, "%s: unknown argument '%s' (use %s N --seed S [+verilator+...])\n", argv[0],
                   a.c_str(), count_flag);
      return false;
    }
  }
  return true;
}

// A Verilated block V with a clock clk_i (and, for Reset, an active-low reset rst_ni): the one
// place the block tests drive the clock. The harness sets inputs, then Tick(); outputs read after
// Tick() are those of the new cycle (registered outputs) and of the inputs set before it.
template <typename V>
class BlockDut {
 public:
  explicit BlockDut(VerilatedContext* ctx = nullptr) : dut_(ctx ? new V{ctx} : new V) {}
  ~BlockDut() { dut_->final(); }
  BlockDut(const BlockDut&) = delete;
  BlockDut& operator=(const BlockDut&) = delete;

  V* operator->() { return dut_.get(); }
  const V* operator->() const { return dut_.get(); }

  // Settles the combinational logic after inputs changed (no clock edge).
  void Eval() { dut_->eval(); }
  // One clock cycle: the rising edge, then the clock low again.
  void Tick() {
    dut_->clk_i = 1;
    dut_->eval();
    dut_->clk_i = 0;
    dut_->eval();
    ++cycles_;
  }
  // rst_ni low (the clock low, evaluated) for `low` cycles, then high for `high` cycles. Set the
  // other inputs to their idle values first.
  void Reset(unsigned low, unsigned high) {
    dut_->clk_i = 0;
    dut_->rst_ni = 0;
    dut_->eval();
    for (unsigned i = 0; i < low; ++i) Tick();
    dut_->rst_ni = 1;
    for (unsigned i = 0; i < high; ++i) Tick();
  }
  // Rising edges since construction.
  uint64_t cycles() const { return cycles_; }

 private:
  std::unique_ptr<V> dut_;
  uint64_t cycles_ = 0;
};

}  // namespace nna::vl
