// The scoreboard: pairs the events the RTL shows on its observation port with the events the golden
// model predicts, stream by stream (docs/architecture.md, "Events"), and compares the final DRAM
// output regions with the reference operators' bytes.
//
// Pairing rule: each observed event is compared at once with the next expected event of its stream.
//   same tag, same values          -> match
//   same tag, other values         -> "mismatch" (differing lanes / byte offsets listed)
//   tag of a later expected event  -> the expected events in between become "holes"; one that
//                                     arrives later is "out-of-order", one that never arrives is
//                                     "missing" at Finish()
//   tag of a hole                  -> "out-of-order"
//   any other tag                  -> "unexpected"
// The tag is (instr, pix_tile, ch_tile, row) for accumulator unloads and (instr, addr) for writes.
// Streams are independent: nothing here depends on the timing between them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "events/events.h"

namespace nna {

// One problem found, with everything needed to understand it without a waveform.
struct Mismatch {
  std::string stream;  // "acc_unload", "sram_write.dma", "sram_write.simd", "dram", "monitor"
  std::string kind;    // "mismatch", "unexpected", "missing", "out-of-order", "error"
  uint64_t cycle = 0;  // cycle of the observation (0 for checks at the end)
  std::string text;    // first line: "<kind> <stream> ..."; further lines indented detail
};

struct StreamStats {
  std::string name;
  uint64_t expected = 0;
  uint64_t observed = 0;
  uint64_t mismatches = 0;
};

class Scoreboard : public EventSink {
 public:
  // Stream names, as printed and as grepped by the negative tests.
  static constexpr const char* kAccStream = "acc_unload";
  static constexpr const char* kDmaStream = "sram_write.dma";
  static constexpr const char* kSimdStream = "sram_write.simd";

  // expected: the golden model's events. bundle gives the disassembly and the reference output
  // and must outlive the scoreboard. At most max_kept mismatches are kept per stream (all are
  // counted).
  Scoreboard(const Bundle& bundle, EventRecorder expected, size_t max_kept = 3);

  // The cycle stamped on the observations that follow (the testbench calls it every cycle).
  void SetCycle(uint64_t cycle) { cycle_ = cycle; }

  // Observed events.
  void OnAccUnload(const AccUnloadEvent& ev) override;
  void OnSramWrite(const SramWriteEvent& ev) override;

  // A problem the testbench found outside the event streams (e.g. a non-contiguous write mask,
  // an error status). stream names where it belongs.
  void ReportError(const std::string& stream, const std::string& text);

  // Ends the streams: expected events never observed become "missing". Call once.
  void Finish();

  // Compares every output region of the bundle in dram (the final DRAM image) with
  // bundle.reference; returns true when all are equal. One mismatch per differing region.
  bool CheckDram(const std::vector<uint8_t>& dram);

  // True when no mismatch of any kind was found.
  bool Passed() const { return total_mismatches_ == 0; }
  uint64_t total_mismatches() const { return total_mismatches_; }
  // acc_unload, sram_write.dma, sram_write.simd, in that order.
  std::vector<StreamStats> Stats() const;
  // Kept mismatches, in the order they were found.
  const std::vector<Mismatch>& mismatches() const { return kept_; }
  // Bytes compared by CheckDram, and whether they were equal.
  uint64_t dram_bytes_checked() const { return dram_bytes_checked_; }
  bool dram_equal() const { return dram_equal_; }

  // "  instr 3: conv ..." disassembly of instruction index (or the program load).
  std::string Disassembly(uint32_t instr) const;

 private:
  // One stream of expected events and the pairing state.
  template <typename Ev>
  struct Stream {
    std::string name;
    std::vector<Ev> expected;
    std::vector<bool> consumed;
    size_t next = 0;            // first expected event not yet consumed and not a hole
    std::vector<size_t> holes;  // skipped expected events, ascending
    uint64_t observed = 0;
    uint64_t mismatches = 0;
    size_t kept = 0;
  };

  template <typename Ev>
  void Observe(Stream<Ev>& s, const Ev& ev);
  template <typename Ev>
  void FinishStream(Stream<Ev>& s);
  void Record(const std::string& stream, size_t& kept, const std::string& kind, const std::string& text);

  // Detail lines comparing two events with the same tag.
  std::string Diff(const AccUnloadEvent& exp, const AccUnloadEvent& act) const;
  std::string Diff(const SramWriteEvent& exp, const SramWriteEvent& act) const;
  std::string Describe(const AccUnloadEvent& ev) const;
  std::string Describe(const SramWriteEvent& ev) const;

  const Bundle& bundle_;
  size_t max_kept_;
  uint64_t cycle_ = 0;
  Stream<AccUnloadEvent> acc_;
  Stream<SramWriteEvent> dma_;
  Stream<SramWriteEvent> simd_;
  std::map<std::string, size_t> other_kept_;  // kept per stream name outside the three streams
  uint64_t total_mismatches_ = 0;
  std::vector<Mismatch> kept_;
  uint64_t dram_bytes_checked_ = 0;
  bool dram_equal_ = false;
  bool finished_ = false;
};

}  // namespace nna
