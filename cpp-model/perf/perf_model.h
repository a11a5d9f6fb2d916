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
// the write port. Predict takes the instruction alone; ComputeRun steps it beside the program
// fetch, DMA-in and DMA-out (program_model.h), with nna_sram's rules for them (DMA-in yields to
// the read ports' banks until urgent or hurried). Activation-cache contents left by the previous
// instruction are not modelled (the cache is taken as empty at the start).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
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

// nna_sram's DmaInPatience: refusals in a row after which a DMA-in beat is urgent.
inline constexpr unsigned kDmaInPatience = 16;

// The SRAM's state from one cycle to the next: the banks granted in the last cycle (resting with
// sram.bank_cycles 2) and DMA-in's refusals in a row.
struct SramState {
  uint64_t recovering = 0;
  unsigned dma_wait = 0;
};

// One cycle's requests of the SRAM requesters outside the compute engine, and their grants.
struct OtherRequests {
  bool fetch = false;  // program fetch: one instruction word, first on the weight port
  uint64_t fetch_addr = 0;
  bool dma_in = false;  // DMA-in: one AXI beat's bytes [dma_in_addr, dma_in_addr + dma_in_last]
  uint64_t dma_in_addr = 0, dma_in_last = 0;
  bool dma_out = false;  // DMA-out: one AXI beat, last on the weight port
  uint64_t dma_out_addr = 0;
  bool hurry = false;  // nna_net_seq's dma_hurry: DMA-in does not yield
  bool fetch_go = false, dma_in_go = false, dma_out_go = false;
};

// The grants of a cycle in which no compute instruction uses the SRAM.
void GrantOthers(const HwConfig& cfg, SramState& sram, OtherRequests& o);

// One compute instruction stepped cycle by cycle beside the other requesters (the schedule of
// Predict, whose result it gives when nothing else requests).
class ComputeRun {
 public:
  ComputeRun(const HwConfig& cfg, const isa::ComputeInstr& in, const std::vector<isa::SimdInstr>& simd,
             SramState& sram);
  ~ComputeRun();
  // The instruction's next cycle, the other requesters' grants set in o; true in its last cycle
  // (the one done is seen in).
  bool Step(OtherRequests& o);
  // The cycles so far by cause.
  const Prediction& Result();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Predict for every compute instruction of a bundle's program, by instruction index.
std::map<uint32_t, Prediction> PredictProgram(const HwConfig& cfg, const Bundle& bundle);

}  // namespace nna::perf
