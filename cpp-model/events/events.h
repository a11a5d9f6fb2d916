// Events the golden model predicts and the RTL's observation port shows; the scoreboard pairs
// them stream by stream (docs/architecture.md, "Events").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nna/isa.h"

namespace nna {

// One row of N accumulators leaving the MAC array for the SIMD unit.
struct AccUnloadEvent {
  uint32_t instr = 0;           // instruction index in the program
  uint32_t pix_tile = 0;        // pixel section
  uint32_t ch_tile = 0;         // output-channel tile
  uint32_t row = 0;             // row of the array = output channel within the tile
  std::vector<int32_t> values;  // the 30-bit accumulators, sign-extended, lane 0 first
  bool operator==(const AccUnloadEvent& o) const {
    return instr == o.instr && pix_tile == o.pix_tile && ch_tile == o.ch_tile && row == o.row &&
           values == o.values;
  }
  // "instr 3 pix_tile 2 ch_tile 1 row 17" (the values are printed by the scoreboard).
  std::string Tag() const;
};

// One write into the SRAM: the contiguous run of enabled bytes and the address of its first byte.
struct SramWriteEvent {
  isa::WrSource source = isa::WrSource::kDma;
  uint32_t instr = 0;  // instruction index; kProgramLoadInstr for the program load
  uint32_t addr = 0;
  std::vector<uint8_t> bytes;
  bool operator==(const SramWriteEvent& o) const {
    return source == o.source && instr == o.instr && addr == o.addr && bytes == o.bytes;
  }
  std::string Tag() const;  // "dma instr 0 addr 0x1000 (64 bytes)"
};

inline constexpr uint32_t kProgramLoadInstr = uint32_t(isa::kInstrIdxLoad);

// Receives events in the order one source produces them.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnAccUnload(const AccUnloadEvent& ev) = 0;
  virtual void OnSramWrite(const SramWriteEvent& ev) = 0;
};

// Keeps every event, per stream, in arrival order.
class EventRecorder : public EventSink {
 public:
  void OnAccUnload(const AccUnloadEvent& ev) override { acc_unloads.push_back(ev); }
  void OnSramWrite(const SramWriteEvent& ev) override {
    (ev.source == isa::WrSource::kSimd ? simd_writes : dma_writes).push_back(ev);
  }
  std::vector<AccUnloadEvent> acc_unloads;
  std::vector<SramWriteEvent> dma_writes;
  std::vector<SramWriteEvent> simd_writes;
};

}  // namespace nna
