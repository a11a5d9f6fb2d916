// Analytic performance model of the dot-product engine (nna_compute): from the hardware
// configuration and one decoded compute instruction, the cycles from the instruction's start to
// its done, by cause (isa::ComputeCycle, docs/architecture.md "Cycle accounting"). The testbench
// prints it next to the RTL's count; docs/performance.md explains each term.
//
// It follows the RTL's schedule term by term: check and parameter load; per section the lane
// normalisation and, per term, the activation loads of the address sequencer's greedy gather;
// the 4-entry activation FIFO; broadcast at one term per cycle; the unload of each dot product
// (one row per cycle, or per 3c+1 cycles for a SIMD chain of c >= 2 steps) that the next dot
// product's last term waits for; the SIMD and write-back latency of the drain; and the bank
// conflicts of the first weight read with the first loads. It assumes that no other bank conflict
// costs a cycle (true on the tests after the SRAM changes; see docs/performance.md for where not).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nna/configs.h"
#include "nna/isa.h"

namespace nna::perf {

inline constexpr size_t kNumCauses = 6;

// Cycles per cause, indexed by isa::ComputeCycle.
struct CycleBreakdown {
  std::array<uint64_t, kNumCauses> by_cause{};
  uint64_t& operator[](isa::ComputeCycle c) { return by_cause[size_t(c)]; }
  uint64_t operator[](isa::ComputeCycle c) const { return by_cause[size_t(c)]; }
  uint64_t Total() const {
    uint64_t t = 0;
    for (uint64_t c : by_cause) t += c;
    return t;
  }
};

struct Prediction {
  CycleBreakdown cycles;
  uint64_t macs = 0;       // useful MACs of the instruction (Macs below)
  uint64_t terms = 0;      // terms broadcast to the array: tiles x dot_len
  uint64_t act_slots = 0;  // activation descriptors (port loads, at least one per term)
  uint64_t norm = 0;       // cycles the address sequencer spends normalising lane positions
  std::string note;        // why the instruction is not modelled, when it is not
};

// Useful multiply-accumulates of a compute instruction (docs/architecture.md): CONV and
// INNER_PRODUCT out_h*out_w*out_c*dot_len, DECONV in_h*in_w*in_c*group_out_c*kernel_h*kernel_w,
// 0 for the SIMD-only instructions.
uint64_t Macs(const isa::ComputeInstr& in);

// MACs / (cycles * rows * cols), 0 when cycles is 0.
double Utilization(const HwConfig& cfg, uint64_t macs, uint64_t cycles);

// (predicted - measured) / measured in percent (0 when nothing was measured).
double DiffPercent(uint64_t measured, uint64_t predicted);

// One sentence naming the instruction when its prediction is off by more than max_pct percent,
// else an empty string.
std::string CheckAccuracy(uint32_t index, const std::string& op, uint64_t measured, uint64_t predicted,
                          double max_pct);

// The prediction for a CONV instruction that passes the RTL's checks. Anything else (another
// opcode, a bad field) gets the one check cycle the RTL spends before its error, and a note.
Prediction Predict(const HwConfig& cfg, const isa::ComputeInstr& in, const std::vector<isa::SimdInstr>& simd);

}  // namespace nna::perf
