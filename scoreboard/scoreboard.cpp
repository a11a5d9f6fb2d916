#include "scoreboard/scoreboard.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <utility>

namespace nna {
namespace {

// How far ahead an observed event's tag is looked for before it is called unexpected; bounds the
// cost of a flood of bad events.
constexpr size_t kLookahead = 4096;
// Differing lanes or bytes listed per mismatch.
constexpr size_t kMaxListed = 8;

bool SameTag(const AccUnloadEvent& a, const AccUnloadEvent& b) {
  return a.instr == b.instr && a.pix_tile == b.pix_tile && a.ch_tile == b.ch_tile && a.row == b.row;
}

bool SameTag(const SramWriteEvent& a, const SramWriteEvent& b) {
  return a.source == b.source && a.instr == b.instr && a.addr == b.addr;
}

std::string Hex(uint64_t v, int digits = 0) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::string ByteText(uint8_t b, bool is_signed) {
  const int v = is_signed ? static_cast<int>(static_cast<int8_t>(b)) : static_cast<int>(b);
  return std::to_string(v) + " (" + Hex(b, 2) + ")";
}

}  // namespace

Scoreboard::Scoreboard(const Bundle& bundle, EventRecorder expected, size_t max_kept)
    : bundle_(bundle), max_kept_(max_kept) {
  acc_.name = kAccStream;
  acc_.expected = std::move(expected.acc_unloads);
  acc_.consumed.assign(acc_.expected.size(), false);
  dma_.name = kDmaStream;
  dma_.expected = std::move(expected.dma_writes);
  dma_.consumed.assign(dma_.expected.size(), false);
  simd_.name = kSimdStream;
  simd_.expected = std::move(expected.simd_writes);
  simd_.consumed.assign(simd_.expected.size(), false);
}

void Scoreboard::OnAccUnload(const AccUnloadEvent& ev) { Observe(acc_, ev); }

void Scoreboard::OnSramWrite(const SramWriteEvent& ev) {
  Observe(ev.source == isa::WrSource::kSimd ? simd_ : dma_, ev);
}

void Scoreboard::ReportError(const std::string& stream, const std::string& text) {
  Record(stream, other_kept_[stream], "error",
         "error " + stream + " at cycle " + std::to_string(cycle_) + ": " + text);
}

void Scoreboard::Record(const std::string& stream, size_t& kept, const std::string& kind,
                        const std::string& text) {
  ++total_mismatches_;
  if (kept >= max_kept_) return;
  ++kept;
  kept_.push_back(Mismatch{stream, kind, cycle_, text});
}

template <typename Ev>
void Scoreboard::Observe(Stream<Ev>& s, const Ev& ev) {
  const uint64_t number = s.observed++;
  const std::string where =
      s.name + " event #" + std::to_string(number) + " at cycle " + std::to_string(cycle_);
  auto consume = [&](size_t i) {
    s.consumed[i] = true;
    while (s.next < s.expected.size() && s.consumed[s.next]) ++s.next;
  };
  auto compare = [&](const Ev& exp, const char* kind, const std::string& note) {
    if (exp == ev && note.empty()) return;
    ++s.mismatches;
    std::string text = std::string(kind) + " " + where + ": " + ev.Tag() + "\n" + Disassembly(ev.instr);
    if (!note.empty()) text += "\n    " + note;
    if (!(exp == ev)) text += "\n" + Diff(exp, ev);
    Record(s.name, s.kept, kind, text);
  };

  // The event that is due.
  if (s.next < s.expected.size() && SameTag(s.expected[s.next], ev)) {
    const size_t i = s.next;
    consume(i);
    compare(s.expected[i], "mismatch", "");
    return;
  }
  // An event skipped earlier, arriving late.
  for (auto it = s.holes.begin(); it != s.holes.end(); ++it) {
    if (!SameTag(s.expected[*it], ev)) continue;
    const size_t i = *it;
    s.holes.erase(it);
    s.consumed[i] = true;
    compare(s.expected[i], "out-of-order",
            "expected event #" + std::to_string(i) + " arrives after later events of the stream");
    return;
  }
  // An event further ahead: the ones in between are skipped (missing unless they come later).
  const size_t end = std::min(s.expected.size(), s.next + 1 + kLookahead);
  for (size_t j = s.next + 1; j < end; ++j) {
    if (s.consumed[j] || !SameTag(s.expected[j], ev)) continue;
    for (size_t k = s.next; k < j; ++k) {
      if (!s.consumed[k]) s.holes.push_back(k);
    }
    consume(j);
    s.next = std::max(s.next, j + 1);
    while (s.next < s.expected.size() && s.consumed[s.next]) ++s.next;
    compare(s.expected[j], "mismatch", "");
    return;
  }
  // Nothing expected has this tag.
  ++s.mismatches;
  std::string text =
      "unexpected " + where + ": " + ev.Tag() + "\n" + Disassembly(ev.instr) + "\n" + Describe(ev);
  text += s.next < s.expected.size() ? "\n    next expected: " + s.expected[s.next].Tag()
                                     : "\n    no expected event left in the stream";
  Record(s.name, s.kept, "unexpected", text);
}

template <typename Ev>
void Scoreboard::FinishStream(Stream<Ev>& s) {
  std::vector<size_t> missing = s.holes;
  for (size_t i = s.next; i < s.expected.size(); ++i) {
    if (!s.consumed[i]) missing.push_back(i);
  }
  if (missing.empty()) return;
  std::sort(missing.begin(), missing.end());
  const Ev& first = s.expected[missing.front()];
  s.mismatches += missing.size();
  std::string text = "missing " + s.name + ": " + std::to_string(missing.size()) +
                     " expected event(s) never observed; first is event #" + std::to_string(missing.front()) +
                     ": " + first.Tag() + "\n" + Disassembly(first.instr) + "\n" + Describe(first);
  // Count every missing event, keep one message.
  total_mismatches_ += missing.size() - 1;
  Record(s.name, s.kept, "missing", text);
}

void Scoreboard::Finish() {
  if (finished_) return;
  finished_ = true;
  FinishStream(acc_);
  FinishStream(dma_);
  FinishStream(simd_);
}

bool Scoreboard::CheckDram(const std::vector<uint8_t>& dram) {
  dram_equal_ = true;
  dram_bytes_checked_ = 0;
  bool any_output = false;
  for (const Region& r : bundle_.regions) {
    if (r.kind != "output") continue;
    any_output = true;
    const auto ref = bundle_.reference.find(r.name);
    if (ref == bundle_.reference.end()) {
      dram_equal_ = false;
      Record("dram", other_kept_["dram"], "error",
             "error dram: output region '" + r.name + "' has no reference bytes");
      continue;
    }
    if (!RangeFits(r.dram_addr, r.bytes, dram.size()) || ref->second.size() != r.bytes) {
      dram_equal_ = false;
      Record("dram", other_kept_["dram"], "error",
             "error dram: output region '" + r.name + "' (" + Hex(r.dram_addr) + ", " +
                 std::to_string(r.bytes) + " bytes) does not fit the DRAM image (" +
                 std::to_string(dram.size()) + " bytes) or its reference (" +
                 std::to_string(ref->second.size()) + " bytes)");
      continue;
    }
    dram_bytes_checked_ += r.bytes;
    uint64_t differing = 0;
    uint64_t first = 0;
    for (uint64_t off = 0; off < r.bytes; ++off) {
      if (dram[r.dram_addr + off] == ref->second[off]) continue;
      if (differing++ == 0) first = off;
    }
    if (differing == 0) continue;
    dram_equal_ = false;
    std::ostringstream text;
    text << "mismatch dram output region '" << r.name << "': " << differing << " of " << r.bytes
         << " bytes differ; first at offset " << first << " (dram " << Hex(r.dram_addr + first) << ")";
    if (r.shape.size() == 3 && r.shape[1] > 0 && r.shape[2] > 0) {
      const uint64_t h = r.shape[1], w = r.shape[2];
      text << " (c,h,w) = (" << first / (h * w) << "," << (first / w) % h << "," << first % w << ")";
    }
    text << "\n    expected " << ByteText(ref->second[first], r.is_signed) << " actual "
         << ByteText(dram[r.dram_addr + first], r.is_signed);
    const uint64_t saved_cycle = cycle_;
    cycle_ = 0;
    Record("dram", other_kept_["dram"], "mismatch", text.str());
    cycle_ = saved_cycle;
  }
  if (!any_output) {
    dram_equal_ = false;
    Record("dram", other_kept_["dram"], "error", "error dram: the bundle has no output region to check");
  }
  return dram_equal_;
}

std::vector<StreamStats> Scoreboard::Stats() const {
  return {{acc_.name, acc_.expected.size(), acc_.observed, acc_.mismatches},
          {dma_.name, dma_.expected.size(), dma_.observed, dma_.mismatches},
          {simd_.name, simd_.expected.size(), simd_.observed, simd_.mismatches}};
}

std::string Scoreboard::Disassembly(uint32_t instr) const {
  if (instr == kProgramLoadInstr) return "    program load (command sequencer)";
  for (const InstrInfo& info : bundle_.instrs) {
    if (info.index != instr) continue;
    std::string s = "    instr " + std::to_string(instr) + ": " + info.text;
    if (!info.layer.empty()) s += "  [layer " + info.layer + "]";
    return s;
  }
  return "    instr " + std::to_string(instr) + ": not in the program (" +
         std::to_string(bundle_.instrs.size()) + " instructions)";
}

std::string Scoreboard::Describe(const AccUnloadEvent& ev) const {
  std::string s = "    values";
  for (size_t i = 0; i < ev.values.size() && i < 2 * kMaxListed; ++i) s += " " + std::to_string(ev.values[i]);
  if (ev.values.size() > 2 * kMaxListed) s += " ... (" + std::to_string(ev.values.size()) + " lanes)";
  return s;
}

std::string Scoreboard::Describe(const SramWriteEvent& ev) const {
  std::string s = "    bytes";
  for (size_t i = 0; i < ev.bytes.size() && i < 2 * kMaxListed; ++i) s += " " + Hex(ev.bytes[i], 2).substr(2);
  if (ev.bytes.size() > 2 * kMaxListed) s += " ... (" + std::to_string(ev.bytes.size()) + " bytes)";
  return s;
}

std::string Scoreboard::Diff(const AccUnloadEvent& exp, const AccUnloadEvent& act) const {
  std::ostringstream s;
  if (exp.values.size() != act.values.size()) {
    s << "    expected " << exp.values.size() << " lanes, actual " << act.values.size() << "\n";
  }
  const size_t n = std::min(exp.values.size(), act.values.size());
  size_t differing = 0;
  for (size_t i = 0; i < n; ++i) {
    if (exp.values[i] == act.values[i]) continue;
    if (differing++ < kMaxListed) {
      s << "    lane " << i << ": expected " << exp.values[i] << " actual " << act.values[i] << "\n";
    }
  }
  if (differing > kMaxListed) s << "    ... " << differing - kMaxListed << " more differing lanes\n";
  s << "    " << differing << " of " << n << " lanes differ";
  return s.str();
}

std::string Scoreboard::Diff(const SramWriteEvent& exp, const SramWriteEvent& act) const {
  std::ostringstream s;
  if (exp.bytes.size() != act.bytes.size()) {
    s << "    expected " << exp.bytes.size() << " bytes, actual " << act.bytes.size() << " bytes\n";
  }
  const size_t n = std::min(exp.bytes.size(), act.bytes.size());
  size_t differing = 0;
  for (size_t i = 0; i < n; ++i) {
    if (exp.bytes[i] == act.bytes[i]) continue;
    if (differing++ < kMaxListed) {
      s << "    byte offset " << i << " (addr " << Hex(exp.addr + i) << "): expected " << Hex(exp.bytes[i], 2)
        << " actual " << Hex(act.bytes[i], 2) << "\n";
    }
  }
  if (differing > kMaxListed) s << "    ... " << differing - kMaxListed << " more differing bytes\n";
  s << "    " << differing << " of " << n << " bytes differ";
  return s.str();
}

}  // namespace nna
