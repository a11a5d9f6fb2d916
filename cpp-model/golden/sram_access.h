// What one instruction reads and writes in SRAM, and the happens-before race check over the two
// queues (docs/memory.md, "Races"). The golden model checks SRAM range with the same accesses.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"
#include "nna/isa.h"

namespace nna {

// One byte range [begin, end) of SRAM an instruction reads or writes. Strided rows are covered by
// the range from their first to their last byte.
struct SramAccess {
  const char* what;  // "the input", "rows", ... as error messages name it
  uint64_t begin = 0, end = 0;
  bool write = false;
};

// Every SRAM access of a legal instruction, in the order the range checks report them.
std::vector<SramAccess> SramAccesses(const isa::Instruction& in);

// Dynamic happens-before detection for one run of the golden model: instruction Y happens before X
// when X starts after Y completed because of queue order (same queue) or because X waited on a
// flag whose value Y's completion made (vector clocks over the two queues). Two instructions of
// different queues whose accesses overlap, one of them writing, race unless one happens before the
// other: another legal timing of the hardware could order them either way. A write into the
// program, which the network sequencer fetches while instructions run, is reported too.
// The flags are shared state as well: an instruction writes a flag it sets or clears and reads one
// it waits on. Every write of a flag must happen after the flag's previous write and after every
// read since it, and every read after the flag's last write; otherwise the value an instruction
// sees, or leaves, depends on timing (a flag set again by the other queue, or cleared while a
// waiter may not have seen it), even when the run at hand ordered them well.
class RaceCheck {
 public:
  RaceCheck(uint64_t prog_begin, uint64_t prog_end) : prog_begin_(prog_begin), prog_end_(prog_end) {}

  // `in` starts now; returns one sentence on the first race it has with an instruction already
  // started.
  std::optional<std::string> Start(const isa::Instruction& in);
  // The instruction Start saw last completed, changing the flags from `before` to `after`.
  void Complete(uint64_t before, uint64_t after);

 private:
  using Clock = std::array<uint64_t, 2>;  // instructions of the DMA (0) and compute (1) queue known done
  struct Started {
    uint32_t index;
    const char* op;
    unsigned queue;
    uint64_t seq;  // 1-based position in its queue
    std::vector<SramAccess> accesses;
  };
  // An access to a flag: the instruction (queue, position) and what it did.
  struct FlagUse {
    uint32_t index;
    const char* op;
    unsigned queue;
    uint64_t seq;
    const char* verb;  // "sets", "clears", "waits on"
  };
  // One sentence when `use` of flag f does not happen after `earlier`, else nothing.
  std::optional<std::string> Unordered(unsigned f, const FlagUse& use, const FlagUse& earlier) const;

  uint64_t prog_begin_, prog_end_;
  std::array<uint64_t, 2> started_{};
  std::array<Clock, 2> queue_clock_{};              // clock of each queue's last completed instruction
  std::array<Clock, isa::kNumFlags> flag_clock_{};  // clock of the completion that last changed each flag
  std::vector<Started> history_;
  Clock running_{};
  std::array<std::optional<FlagUse>, isa::kNumFlags> flag_write_{};  // the last set or clear
  std::array<std::vector<FlagUse>, isa::kNumFlags> flag_reads_{};    // waits since then
};

}  // namespace nna
