// Performance model of the dot-product engine (nna_compute): from the hardware
// configuration and one decoded compute instruction, the cycles from the instruction's start to
// its done, by cause (isa::ComputeCycle, docs/architecture.md "Cycle accounting"). The testbench
// prints it next to the RTL's count; docs/performance.md explains each term.
//
// Check and parameter load are counted in closed form; the tile phase is simulated cycle by
// cycle as the RTL schedules it: the lane normalisation and the address sequencer's greedy gather
// of activation loads; the 4-entry activation FIFO; the weight stream (reads of wt_port_bytes,
// a tile's last one cut at its end, into the 16-chunk prefetch buffer); the bank grants of the
// activation, write and weight ports (activation > write > weight, write first when
// dot_len < rows) through the activation cache; broadcast at one term per cycle; the unload of
// each dot product into the SIMD unit (3 stages, chains of c >= 2 steps one row at a time), the
// pooling unit (one cycle per row plus one per pooled row written), the 2-entry write buffer and
// the write port. Not modelled: program fetches and DMA sharing the
// SRAM with the instruction, and activation-cache contents left by the previous instruction (the
// cache is taken as empty at the start). A DMA-in write yields (nna_sram): it takes no bank the
// activation or weight port requests in its cycle, except one beat after DmaInPatience refusals,
// so beside the instruction it costs only those urgent beats and the banks its beats leave
// resting, which this model does not see.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bundle/bundle.h"
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
  uint64_t macs = 0;       // useful MACs of the instruction (isa::Macs)
  uint64_t terms = 0;      // terms broadcast to the array: tiles x dot_len
  uint64_t act_slots = 0;  // activation descriptors (port loads, at least one per term)
  uint64_t norm = 0;       // cycles the address sequencer spends normalising lane positions
  std::string note;        // why the instruction is not modelled, when it is not
};

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

// Predict for every compute instruction of a bundle's program, by instruction index.
std::map<uint32_t, Prediction> PredictProgram(const HwConfig& cfg, const Bundle& bundle);

}  // namespace nna::perf
