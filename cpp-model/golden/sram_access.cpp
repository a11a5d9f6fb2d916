#include "golden/sram_access.h"

#include <algorithm>
#include <cstdio>

#include "isa/program.h"
#include "pool/pool.h"
#include "simd/simd_program.h"

namespace nna {
namespace {

std::string Range(const SramAccess& a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "SRAM 0x%llx..0x%llx", static_cast<unsigned long long>(a.begin),
                static_cast<unsigned long long>(a.end));
  return buf;
}

}  // namespace

std::vector<SramAccess> SramAccesses(const isa::Instruction& in) {
  if (in.IsDma()) {
    return {{"rows", in.dma.sram_addr, isa::DmaSramEnd(in), in.opcode == isa::Opcode::kDmaRead}};
  }
  const auto& c = in.compute;
  std::vector<SramAccess> out;
  // Input: the farthest element any term can read; ELTWISE's tensor b has the same strides.
  if (c.in_h != 0 && c.in_w != 0) {
    const uint64_t span = (c.in_c - 1) * c.in_plane_stride + (c.in_h - 1) * c.in_row_stride + c.in_w;
    out.push_back({"the input", c.in_addr, c.in_addr + span, false});
    if (in.opcode == isa::Opcode::kEltwise) out.push_back({"tensor b", c.in2_addr, c.in2_addr + span, false});
  }
  if (!isa::IsSimdOnly(in.opcode))  // SCALE and ELTWISE make their weights
    out.push_back({"the weights", c.wt_addr, c.wt_addr + c.ch_tiles * c.wt_tile_bytes, false});
  out.push_back(
      {"the parameters", c.param_addr, c.param_addr + c.out_c * isa::ChannelParamsRecord::kBytes, false});
  if (simd::HasLut(in.simd)) {  // the table right after the parameters (docs/simd.md)
    const uint64_t table = c.param_addr + c.out_c * isa::ChannelParamsRecord::kBytes;
    out.push_back({"the table", table, table + isa::kLutBytes, false});
  }
  const pool::Window win = pool::WindowOf(c);
  const uint64_t out_plane =
      c.pool_op == isa::PoolOp::kNone
          ? c.out_h * c.out_w
          : uint64_t(pool::OutSize(uint32_t(c.out_h), win)) * pool::OutSize(uint32_t(c.out_w), win);
  out.push_back(
      {"the output", c.out_addr, c.out_addr + (c.out_c - 1) * c.out_plane_stride + out_plane, true});
  return out;
}

std::optional<std::string> RaceCheck::Start(const isa::Instruction& in) {
  const unsigned q = in.IsDma() ? 0 : 1;
  running_ = queue_clock_[q];
  for (unsigned f = 0; f < isa::kNumFlags; ++f)
    if ((in.WaitSet() | in.WaitClear()) >> f & 1)
      for (unsigned k = 0; k < 2; ++k) running_[k] = std::max(running_[k], flag_clock_[f][k]);
  running_[q] = ++started_[q];
  Started s{in.index, isa::ToString(in.opcode), q, started_[q], SramAccesses(in)};

  auto name = [](uint32_t index, const char* op) {
    return "instruction " + std::to_string(index) + " (" + op + ")";
  };
  std::optional<std::string> race;
  for (const SramAccess& a : s.accesses)
    if (a.write && a.begin < prog_end_ && prog_begin_ < a.end && !race)
      race = name(s.index, s.op) + " writes " + a.what + " at " + Range(a) +
             ", inside the program the network sequencer may still be fetching";
  // An instruction that writes what it reads itself: which byte it reads first depends on the
  // engine's schedule (the model runs it atomically), so no expectation holds either.
  for (const SramAccess& w : s.accesses)
    for (const SramAccess& r : s.accesses)
      if (!race && w.write && !r.write && w.begin < r.end && r.begin < w.end)
        race = name(s.index, s.op) + " writes " + w.what + " at " + Range(w) + " over " + r.what + " at " +
               Range(r) + ", which it reads itself";
  for (const Started& e : history_) {
    if (race) break;
    if (e.queue == q || running_[e.queue] >= e.seq) continue;  // same queue, or e happens before
    for (const SramAccess& a : s.accesses) {
      if (race) break;
      for (const SramAccess& b : e.accesses)
        if ((a.write || b.write) && a.begin < b.end && b.begin < a.end) {
          race = name(s.index, s.op) + (a.write ? " writes " : " reads ") + a.what + " at " + Range(a) +
                 " and " + name(e.index, e.op) + (b.write ? " writes " : " reads ") + b.what + " at " +
                 Range(b) + ", and no dependency flag orders them";
          break;
        }
    }
  }
  // The flags: the last write before every read and write, every read since it before a write.
  const uint64_t waits = in.WaitSet() | in.WaitClear(), writes = in.DoneSet() | in.DoneClear();
  for (unsigned f = 0; f < isa::kNumFlags && !race; ++f) {
    const bool reads_f = waits >> f & 1, writes_f = writes >> f & 1;
    if (!reads_f && !writes_f) continue;
    const FlagUse use{s.index, s.op, q, s.seq,
                      writes_f ? (in.DoneSet() >> f & 1 ? "sets" : "clears") : "waits on"};
    if (flag_write_[f]) race = Unordered(f, use, *flag_write_[f]);
    if (writes_f)
      for (const FlagUse& r : flag_reads_[f])
        if (!race) race = Unordered(f, use, r);
  }
  for (unsigned f = 0; f < isa::kNumFlags; ++f) {
    if ((in.DoneSet() | in.DoneClear()) >> f & 1) {
      flag_write_[f] = FlagUse{s.index, s.op, q, s.seq, in.DoneSet() >> f & 1 ? "sets" : "clears"};
      flag_reads_[f].clear();
    } else if (waits >> f & 1) {
      flag_reads_[f].push_back(FlagUse{s.index, s.op, q, s.seq, "waits on"});
    }
  }
  history_.push_back(std::move(s));
  return race;
}

std::optional<std::string> RaceCheck::Unordered(unsigned f, const FlagUse& use,
                                                const FlagUse& earlier) const {
  if (earlier.queue == use.queue || running_[earlier.queue] >= earlier.seq) return std::nullopt;
  return "instruction " + std::to_string(use.index) + " (" + use.op + ") " + use.verb + " flag " +
         std::to_string(f) + " and instruction " + std::to_string(earlier.index) + " (" + earlier.op + ") " +
         earlier.verb + " it, and no dependency flag orders them: the flag's value depends on timing";
}

void RaceCheck::Complete(uint64_t before, uint64_t after) {
  const unsigned q = history_.back().queue;
  for (unsigned f = 0; f < isa::kNumFlags; ++f)
    if ((before ^ after) >> f & 1) flag_clock_[f] = running_;
  queue_clock_[q] = running_;
}

}  // namespace nna
