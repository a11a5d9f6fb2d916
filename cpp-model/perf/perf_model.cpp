#include "perf/perf_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace nna::perf {
namespace {

using isa::ComputeCycle;
using isa::ComputeInstr;
using isa::Opcode;

constexpr uint64_t kActFifoDepth = 4;  // nna_data_seq ActDepth

uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Lanes of the address sequencer: the output position of every lane of the current section,
// kept as the RTL keeps it (row-wrapped one step per cycle), and the activation loads of each term
// by the RTL's greedy rule.
class ActStream {
 public:
  ActStream(const HwConfig& cfg, const ComputeInstr& in)
      : cfg_(cfg), in_(in), n_(cfg.array_cols), ow_(n_), oh_(n_), addr_(n_), need_(n_) {}

  // lane_init (ow = i, oh = 0) and lane_adv (ow += N): returns the cycles spent normalising,
  // one per step while any lane before the last output row has ow >= out_w (each steps once per cycle).
  uint64_t Init() {
    for (uint64_t i = 0; i < n_; ++i) ow_[i] = i, oh_[i] = 0;
    return Normalise();
  }
  uint64_t Advance() {
    for (uint64_t i = 0; i < n_; ++i) ow_[i] += n_;
    return Normalise();
  }

  // Port slots (descriptors) of each term k of the current section: the loads of the greedy
  // gather, at least one (a term without any lane to load still takes a cycle). The loads of a
  // section do not depend on the group: its channels only move every address by the same amount.
  void Slots(std::vector<uint16_t>& slots) {
    slots.assign(in_.dot_len, 1);
    ForEachTerm([&](uint64_t k) {
      uint16_t loads = 0;
      Gather([&](int64_t, int64_t) { ++loads; });
      slots[k] = std::max<uint16_t>(loads, 1);
      return true;
    });
  }

  // The activation loads of the first `terms` terms of the current section as (address, last
  // byte offset); a term without a load is (-1, 0).
  std::vector<std::pair<int64_t, int64_t>> FirstLoads(uint64_t terms) {
    std::vector<std::pair<int64_t, int64_t>> loads;
    ForEachTerm([&](uint64_t k) {
      const size_t before = loads.size();
      Gather([&](int64_t a, int64_t last) { loads.emplace_back(a, last); });
      if (loads.size() == before) loads.emplace_back(-1, 0);
      return k + 1 < terms;
    });
    return loads;
  }

  uint64_t GroupInC() const { return in_.group_in_c ? in_.group_in_c : in_.in_c; }

 private:
  // Calls term(k) for the terms of group 0 in order, with need_/addr_ set for its lanes, while it
  // returns true.
  template <typename F>
  void ForEachTerm(F term) {
    const ComputeInstr& in = in_;
    uint64_t k = 0;
    for (uint64_t c = 0; c < GroupInC(); ++c) {
      for (uint64_t r = 0; r < in.kernel_h; ++r) {
        for (uint64_t s = 0; s < in.kernel_w; ++s, ++k) {
          for (uint64_t i = 0; i < n_; ++i) {
            int64_t ih = 0, iw = 0;
            need_[i] = oh_[i] < in.out_h && InputPos(ow_[i], oh_[i], r, s, &ih, &iw);
            if (need_[i])
              addr_[i] = int64_t(in.in_addr + c * in.in_plane_stride) + ih * int64_t(in.in_row_stride) + iw;
          }
          if (!term(k)) return;
        }
      }
    }
  }

  // The address sequencer's gather: a load at the lowest address among the lanes still needing
  // data serves every such lane less than act_port_bytes above it; load(address, last offset).
  template <typename F>
  void Gather(F load) {
    const int64_t p = int64_t(cfg_.sram_act_port_bytes);
    uint64_t left = 0;
    for (uint64_t i = 0; i < n_; ++i) left += need_[i];
    while (left) {
      int64_t amin = std::numeric_limits<int64_t>::max(), last = 0;
      for (uint64_t i = 0; i < n_; ++i) {
        if (need_[i]) amin = std::min(amin, addr_[i]);
      }
      for (uint64_t i = 0; i < n_; ++i) {
        if (need_[i] && addr_[i] - amin < p) {
          need_[i] = false;
          --left;
          last = std::max(last, addr_[i] - amin);
        }
      }
      load(amin, last);
    }
  }

  // A lane past the last output row stops wrapping (nna_addr_seq lane_wrap).
  uint64_t Normalise() {
    uint64_t steps = 0;
    for (uint64_t i = 0; i < n_; ++i) {
      const uint64_t rows_left = oh_[i] < in_.out_h ? in_.out_h - oh_[i] : 0;
      const uint64_t wraps = std::min(ow_[i] / in_.out_w, rows_left);
      steps = std::max(steps, wraps);
      ow_[i] -= wraps * in_.out_w;
      oh_[i] += wraps;
    }
    return steps;
  }

  // The input position term (r, s) of output (oh, ow) reads (docs/architecture.md).
  bool InputPos(uint64_t ow, uint64_t oh, uint64_t r, uint64_t s, int64_t* ih, int64_t* iw) const {
    const ComputeInstr& in = in_;
    if (in.opcode == Opcode::kDeconv) {
      const int64_t th = int64_t(oh + in.pad_top) - int64_t(r * in.dil_h);
      const int64_t tw = int64_t(ow + in.pad_left) - int64_t(s * in.dil_w);
      if (th < 0 || tw < 0 || th % int64_t(in.stride_h) || tw % int64_t(in.stride_w)) return false;
      *ih = th / int64_t(in.stride_h);
      *iw = tw / int64_t(in.stride_w);
    } else {
      *ih = int64_t(oh * in.stride_h + r * in.dil_h) - int64_t(in.pad_top);
      *iw = int64_t(ow * in.stride_w + s * in.dil_w) - int64_t(in.pad_left);
    }
    return *ih >= 0 && *ih < int64_t(in.in_h) && *iw >= 0 && *iw < int64_t(in.in_w);
  }

  const HwConfig& cfg_;
  const ComputeInstr& in_;
  uint64_t n_;
  std::vector<uint64_t> ow_, oh_;
  std::vector<int64_t> addr_;
  std::vector<bool> need_;
};

// Cycle of the tile phase in which the first weight read is granted. It is requested from the
// first cycle on, with the activation loads (one per cycle after z normalisation cycles, those
// of the first terms only: see the caller), which win a shared bank. A load claims the banks of its words
// that are not in the activation cache (direct-mapped lines of bank words; a load's words count as cached
// from the next cycle on).
int64_t FirstWeightRead(const HwConfig& cfg, const ComputeInstr& in, uint64_t z,
                        const std::vector<std::pair<int64_t, int64_t>>& loads) {
  const int64_t word = int64_t(cfg.sram_bank_word_bytes), banks = int64_t(cfg.sram_banks);
  const int64_t lines = int64_t(cfg.sram_act_cache_bytes / cfg.sram_bank_word_bytes);
  std::vector<int64_t> tag(size_t(lines), -1);
  const int64_t w0 = int64_t(in.wt_addr) / word;
  const int64_t w1 = (int64_t(in.wt_addr) + int64_t(cfg.sram_wt_port_bytes) - 1) / word;
  for (int64_t t = 0;; ++t) {
    if (uint64_t(t) < z) return t;  // normalising: no load
    if (uint64_t(t) - z >= loads.size()) return t;
    const auto [addr, last] = loads[size_t(t - int64_t(z))];
    bool shared = false;
    for (int64_t wa = addr / word; addr >= 0 && wa <= (addr + last) / word; ++wa) {
      int64_t& line = tag[size_t(wa % lines)];
      if (line != wa) {
        for (int64_t ww = w0; ww <= w1; ++ww) shared = shared || (wa - ww) % banks == 0;
      }
      line = wa;
    }
    if (!shared) return t;
  }
}

// Steps of the SIMD chain that produces v0 (as nna_compute resolves the program): FUSED_RELU
// instructions linked backwards from v0 through their source registers.
uint64_t ChainLength(const std::vector<isa::SimdInstr>& simd) {
  uint64_t reg = 0, len = 0;
  for (auto it = simd.rbegin(); it != simd.rend(); ++it) {
    if (it->op == isa::SimdOp::kFusedRelu && it->dst == reg) {
      ++len;
      reg = it->src_a;
    }
  }
  return len;
}

// What the RTL accepts (docs/architecture.md); anything else ends after the one check cycle.
std::string Unsupported(const ComputeInstr& in) {
  if (in.opcode != Opcode::kConv && in.opcode != Opcode::kDeconv && in.opcode != Opcode::kInnerProduct)
    return std::string("no dot product: ") + isa::ToString(in.opcode) + " ends after its check cycle";
  if (!in.kernel_h || !in.kernel_w || !in.stride_h || !in.stride_w || !in.dil_h || !in.dil_w || !in.in_c ||
      !in.out_c || !in.out_h || !in.out_w || !in.dot_len || !in.pix_tiles || !in.ch_tiles)
    return "a zero field: the instruction ends after its check cycle";
  return "";
}

}  // namespace

uint64_t Macs(const ComputeInstr& in) {
  switch (in.opcode) {
    case Opcode::kConv:
    case Opcode::kInnerProduct:
      return in.out_h * in.out_w * in.out_c * in.dot_len;
    case Opcode::kDeconv:
      return in.in_h * in.in_w * in.in_c * (in.group_out_c ? in.group_out_c : in.out_c) * in.kernel_h *
             in.kernel_w;
    default:
      return 0;
  }
}

double Utilization(const HwConfig& cfg, uint64_t macs, uint64_t cycles) {
  return cycles ? double(macs) / (double(cycles) * double(cfg.array_rows) * double(cfg.array_cols)) : 0.0;
}

double DiffPercent(uint64_t measured, uint64_t predicted) {
  return measured ? 100.0 * (double(predicted) - double(measured)) / double(measured) : 0.0;
}

std::string CheckAccuracy(uint32_t index, const std::string& op, uint64_t measured, uint64_t predicted,
                          double max_pct) {
  const double diff = DiffPercent(measured, predicted);
  if (std::fabs(diff) <= max_pct) return "";
  char text[256];
  std::snprintf(
      text, sizeof text,
      "instr %u (%s) took %llu cycles but the performance model predicted %llu (%+.2f%%), more than "
      "the %g%% allowed",
      index, op.c_str(), (unsigned long long)measured, (unsigned long long)predicted, diff, max_pct);
  return text;
}

Prediction Predict(const HwConfig& cfg, const ComputeInstr& in, const std::vector<isa::SimdInstr>& simd) {
  Prediction p;
  p.macs = Macs(in);
  p.note = Unsupported(in);
  if (!p.note.empty()) {
    p.cycles[ComputeCycle::kFill] = 1;
    return p;
  }
  const uint64_t M = cfg.array_rows;
  const bool pixel_major = in.order == isa::Order::kPixelMajor;
  const uint64_t groups = in.groups ? in.groups : 1;
  const uint64_t group_out_c = in.group_out_c ? in.group_out_c : in.out_c / groups;
  const uint64_t group_tiles = in.group_tiles ? in.group_tiles : CeilDiv(group_out_c, M);

  // Check (1 cycle), then the parameter load: one weight-port read per cycle, the last response
  // one cycle later, the tile phase one cycle after that.
  const uint64_t param_reads = CeilDiv(in.out_c * isa::kParamBytes, cfg.sram_wt_port_bytes);
  const uint64_t before_tiles = 1 + param_reads + 2;

  // SIMD: one row per cycle with at most one FUSED_RELU step, else one row at a time through
  // chain passes of 3 cycles each (nna_simd). A row leaves the SIMD unit after 3*passes cycles,
  // the write buffer and the write port take 2 more.
  const uint64_t chain = ChainLength(simd);
  const uint64_t passes = std::max<uint64_t>(chain, 1);
  const uint64_t row_period = chain >= 2 ? 3 * chain + 1 : 1;
  const uint64_t row_latency = 3 * passes + 2;

  // The tile phase as a recurrence over terms, times relative to its first cycle (0). For the
  // term n: first descriptor s (after the previous term's last one, the lane normalisation, and
  // room in the 4-entry activation FIFO: term n-4 broadcast), last descriptor e = s + slots - 1,
  // packet at the FIFO head at e + 2, broadcast b = max(previous + 1, packet; for a last term,
  // the cycle the previous tile's last row leaves the shift registers).
  ActStream act(cfg, in);
  std::vector<std::vector<uint16_t>> slots(in.pix_tiles);
  std::vector<bool> have(slots.size(), false);
  int64_t e_prev = -1, b_prev = -1, u_prev = -1;
  bool first_tile = true;
  int64_t b_hist[kActFifoDepth];
  uint64_t n = 0;
  int64_t b_first = -1, w_first = 0;
  uint64_t wait_acts = 0, wait_unload = 0;
  const uint64_t outer = pixel_major ? in.pix_tiles : in.ch_tiles;
  const uint64_t inner = pixel_major ? in.ch_tiles : in.pix_tiles;
  uint64_t pt_lanes = ~uint64_t(0);  // section the lanes are at
  for (uint64_t o = 0; o < outer; ++o) {
    for (uint64_t q = 0; q < inner; ++q) {
      const uint64_t pt = pixel_major ? o : q, ct = pixel_major ? q : o;
      const uint64_t t = ct % group_tiles;
      const uint64_t rows = std::min(M, group_out_c - t * M);
      uint64_t z = 0;
      if (pt == 0 && (pt_lanes != 0 || (!pixel_major && q == 0))) {
        z = act.Init();
      } else if (pt != pt_lanes) {
        z = act.Advance();
      }
      p.norm += z;
      pt_lanes = pt;
      if (!have[pt]) {
        act.Slots(slots[pt]);
        have[pt] = true;
      }
      const std::vector<uint16_t>& d = slots[pt];
      // Without weights no term is broadcast, so the activation FIFO's room stops the loads after
      // its first kActFifoDepth terms.
      if (first_tile) w_first = FirstWeightRead(cfg, in, z, act.FirstLoads(kActFifoDepth));
      for (uint64_t k = 0; k < in.dot_len; ++k, ++n) {
        int64_t s = e_prev + 1 + int64_t(k == 0 ? z : 0);
        if (n >= kActFifoDepth) s = std::max(s, b_hist[n % kActFifoDepth] + 1);
        const int64_t e = s + d[k] - 1;
        const int64_t v = e + 2;
        const int64_t lower = b_prev + 1;
        int64_t b = std::max(lower, v);
        if (k == in.dot_len - 1 && !first_tile) b = std::max(b, u_prev);
        if (n == 0) b = std::max(b, w_first + 2);  // the first weight row
        if (n > 0) {
          wait_acts += uint64_t(std::max<int64_t>(0, std::min(v, b) - lower));
          wait_unload += uint64_t(b - std::max(v, lower) > 0 ? b - std::max(v, lower) : 0);
        } else {
          b_first = b;
        }
        b_hist[n % kActFifoDepth] = b;
        p.act_slots += d[k];
        e_prev = e;
        b_prev = b;
      }
      // Unload: the first row the cycle after the last term (or when the SIMD unit takes one),
      // then one row per row_period.
      const int64_t start = first_tile ? b_prev + 1 : std::max(b_prev + 1, u_prev + int64_t(row_period));
      u_prev = start + int64_t(row_period * (rows - 1));
      first_tile = false;
    }
  }
  const int64_t done = u_prev + int64_t(row_latency);
  p.terms = n;
  p.cycles[ComputeCycle::kFill] = before_tiles + uint64_t(b_first);
  p.cycles[ComputeCycle::kMac] = n;
  p.cycles[ComputeCycle::kWaitUnload] = wait_unload;
  p.cycles[ComputeCycle::kWaitActivations] = wait_acts;
  p.cycles[ComputeCycle::kWaitWeights] = 0;
  p.cycles[ComputeCycle::kDrain] = uint64_t(done - b_prev);
  return p;
}

}  // namespace nna::perf
