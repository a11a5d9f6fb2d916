// The golden transaction-level model: executes a bundle's program instruction by instruction,
// honouring the dependency flags, and emits the events the RTL must produce
// (docs/architecture.md). It knows nothing of cycles.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "events/events.h"
#include "nna/configs.h"
#include "nna/isa.h"

namespace nna {
namespace coverage {
class FunctionalCoverage;
}

struct RunResult {
  bool ok = false;
  isa::ErrorCode error = isa::ErrorCode::kNone;
  uint32_t err_instr = 0xFFFFFFFF;  // as the err_instr register reports it
  uint64_t instrs_done = 0;
  std::vector<uint32_t> completed;  // indices of the instructions that completed, in the model's order
  std::string message;              // one sentence when !ok: what, which instruction, which value
  // One sentence on the first race the program's flags allow (docs/memory.md, "Races"); empty
  // when none. The run itself goes on in the model's own order.
  std::string race;
  std::vector<uint8_t> dram;  // final DRAM image
  std::vector<uint8_t> sram;  // final SRAM image
};

class GoldenModel {
 public:
  explicit GoldenModel(const HwConfig& config) : config_(config) {}
  // Counts what every later run executes into *coverage (docs/coverage.md); nullptr: nothing.
  void SetCoverage(coverage::FunctionalCoverage* coverage) { coverage_ = coverage; }
  // Loads the program as the command sequencer does, then runs it. Every event goes to sink in
  // the order of its stream.
  RunResult Run(const Bundle& bundle, EventSink& sink) const;

  // Several programs in order on one SRAM and one DRAM (initially `dram`), as the host launches
  // them one after the other (docs/memory.md, "Several programs and frames"): SRAM and DRAM persist
  // from one program to the next, the dependency flags start clear for each. Every event goes to
  // sink, program after program. One RunResult per program that ran (its dram and sram left empty);
  // an error ends that program and the host launches none after it, so the last result is the
  // failing one. The final images go to *final_dram and *final_sram when given; on_start(k), when
  // given, is called before program k's first event (a sink can tag events with their program).
  std::vector<RunResult> RunPrograms(const std::vector<const Bundle*>& programs, std::vector<uint8_t> dram,
                                     EventSink& sink, std::vector<uint8_t>* final_dram = nullptr,
                                     std::vector<uint8_t>* final_sram = nullptr,
                                     const std::function<void(size_t)>& on_start = {}) const;

 private:
  const HwConfig& config_;
  coverage::FunctionalCoverage* coverage_ = nullptr;
};

}  // namespace nna
