#include "perf/perf_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "isa/program.h"
#include "pool/pool.h"

namespace nna::perf {
namespace {

using isa::ComputeCycle;
using isa::ComputeInstr;
using isa::Opcode;

constexpr uint64_t kActFifoDepth = 4;  // nna_data_seq ActDepth
constexpr uint64_t kWtBufChunks = 16;  // nna_data_seq WtBufChunks

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

  // Every activation load of every term of the current section, group 0: term k's loads are
  // (addr[i], last[i]) for i in [first[k], first[k+1]); a term without a load has none.
  struct Loads {
    std::vector<int64_t> addr, last;
    std::vector<uint32_t> first;
  };
  void SectionLoads(Loads& l) {
    l.addr.clear(), l.last.clear(), l.first.clear();
    ForEachTerm([&](uint64_t) {
      l.first.push_back(uint32_t(l.addr.size()));
      Gather([&](int64_t a, int64_t last) { l.addr.push_back(a), l.last.push_back(last); });
      return true;
    });
    l.first.push_back(uint32_t(l.addr.size()));
  }

  uint64_t GroupInC() const { return in_.group_in_c ? in_.group_in_c : in_.in_c; }
  // ELTWISE's terms are tensors a and b of the one channel of its group.
  uint64_t TermChannels() const { return in_.opcode == Opcode::kEltwise ? 2 : GroupInC(); }

 private:
  // Calls term(k) for the terms of group 0 in order, with need_/addr_ set for its lanes, while it
  // returns true.
  template <typename F>
  void ForEachTerm(F term) {
    const ComputeInstr& in = in_;
    uint64_t k = 0;
    for (uint64_t c = 0; c < TermChannels(); ++c) {
      const int64_t plane = in.opcode == Opcode::kEltwise ? (c ? int64_t(in.in2_addr) : int64_t(in.in_addr))
                                                          : int64_t(in.in_addr + c * in.in_plane_stride);
      for (uint64_t r = 0; r < in.kernel_h; ++r) {
        for (uint64_t s = 0; s < in.kernel_w; ++s, ++k) {
          for (uint64_t i = 0; i < n_; ++i) {
            int64_t ih = 0, iw = 0;
            need_[i] = oh_[i] < in.out_h && InputPos(ow_[i], oh_[i], r, s, &ih, &iw);
            if (need_[i]) addr_[i] = plane + ih * int64_t(in.in_row_stride) + iw;
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

// The tile phase, cycle by cycle, as nna_addr_seq, nna_data_seq, nna_simd, the write buffer and
// nna_sram schedule it (times from the phase's first cycle, 0). Per cycle, from the registered
// state of the cycle:
//  - the address sequencer issues the next activation descriptor when its lanes are normalised
//    and the activation FIFO has room (entries + this cycle's push < 4); a descriptor with a load
//    needs the banks of its words not in the activation cache (direct-mapped lines of bank
//    words, the previous cycle's response counting as cached, a write request's WrWords-word
//    window hitting nothing and invalidating its lines);
//  - the weight stream requests the next read of wt_port_bytes (a tile's last read cut at the
//    tile's end) when the prefetch buffer has room for a whole chunk (entries + this cycle's push
//    + a chunk <= 16 chunks); the read claims the banks of all wt_port_bytes;
//  - the write buffer's head requests the write of its row (the banks up to its last lane);
//  - banks go to the activation port, then the write port (the other way round when
//    dot_len < rows), then the weight port; a port that needs a taken bank, or with
//    sram.bank_cycles 2 a bank granted in the previous cycle, waits;
//  - a response lands one cycle after its grant; a term is broadcast when its packet and its
//    weight row are at the FIFO heads and, for a last term, the shift registers are free;
//  - SCALE and ELTWISE read no weights (their weight row is always there); ELTWISE unloads two rows
//    per tile, the first taken by the SIMD unit in one cycle without entering the stages;
//  - rows leave the shift registers into the SIMD unit (3 stages; a row of an L-instruction
//    program passes them L times, going round from stage 3 to stage 1, which then takes no new
//    row), then the pooling unit (a pass-through; when the CONV pools, it takes a row in one
//    cycle, then writes the pooled rows that row completes, one per cycle, taking no row
//    meanwhile), then the 2-entry write buffer, then the write port.
// The cause of each cycle is the data sequencer's (docs/architecture.md "Cycle accounting");
// the phase ends in the cycle done is seen.
struct TilePhase {
  CycleBreakdown cycles;  // the tile phase's cycles (fill: before the first term)
  uint64_t terms = 0, act_slots = 0, norm = 0;
};

TilePhase SimulateTiles(const HwConfig& cfg, const ComputeInstr& in, uint64_t simd_len) {
  TilePhase r;
  const uint64_t M = cfg.array_rows, N = cfg.array_cols;
  const bool pixel_major = in.order == isa::Order::kPixelMajor;
  const uint64_t groups = in.groups ? in.groups : 1;
  const uint64_t group_out_c = in.group_out_c ? in.group_out_c : in.out_c / groups;
  const uint64_t group_tiles = in.group_tiles ? in.group_tiles : CeilDiv(group_out_c, M);
  const uint64_t group_in_c = in.group_in_c ? in.group_in_c : in.in_c;
  const uint64_t pix_total = in.out_h * in.out_w;
  const int64_t word = int64_t(cfg.sram_bank_word_bytes), nbanks = int64_t(cfg.sram_banks);
  // 0 lines: the cache is switched off (sram_ctrl.act_cache_off); nothing hits.
  const int64_t lines = int64_t(cfg.sram_act_cache_bytes / cfg.sram_bank_word_bytes);
  const int64_t wr_words = int64_t(cfg.sram_wr_port_bytes) / word + 1;
  const uint64_t wt_bytes = cfg.sram_wt_port_bytes;
  const uint64_t wt_word = std::gcd(M, wt_bytes);
  const uint64_t row_words = M / wt_word, chunk_words = wt_bytes / wt_word;
  const uint64_t buf_words = kWtBufChunks * chunk_words;
  const bool wr_priority = in.dot_len < M;
  const uint64_t ops = in.out_plane_stride;
  const bool made_wt = isa::IsSimdOnly(in.opcode), eltwise = in.opcode == Opcode::kEltwise;

  auto banks_of = [&](int64_t addr, int64_t last) {
    uint64_t m = 0;
    for (int64_t w = addr / word; w <= (addr + last) / word; ++w) m |= uint64_t(1) << uint64_t(w % nbanks);
    return m;
  };

  // The tiles in order, with the normalisation cycles before each one's first descriptor and
  // the loads of each section (computed when the lanes are at it).
  struct Tile {
    uint64_t pt, ct, z;
  };
  std::vector<Tile> tiles;
  ActStream act(cfg, in);
  std::vector<ActStream::Loads> loads(in.pix_tiles);
  std::vector<bool> have(in.pix_tiles, false);
  const uint64_t outer = pixel_major ? in.pix_tiles : in.ch_tiles;
  const uint64_t inner = pixel_major ? in.ch_tiles : in.pix_tiles;
  uint64_t pt_lanes = ~uint64_t(0);
  for (uint64_t o = 0; o < outer; ++o) {
    for (uint64_t q = 0; q < inner; ++q) {
      const uint64_t pt = pixel_major ? o : q, ct = pixel_major ? q : o;
      uint64_t z = 0;
      if (pt == 0 && (pt_lanes != 0 || (!pixel_major && q == 0))) {
        z = act.Init();
      } else if (pt != pt_lanes) {
        z = act.Advance();
      }
      r.norm += z;
      pt_lanes = pt;
      if (!have[pt]) act.SectionLoads(loads[pt]), have[pt] = true;
      tiles.push_back({pt, ct, z});
    }
  }
  const uint64_t ntiles = tiles.size();
  r.terms = ntiles * in.dot_len;

  // Address sequencer (activations).
  bool a_active = true;
  uint64_t a_tile = 0, a_k = 0, a_j = 0;
  int64_t a_norm_until = int64_t(tiles[0].z);
  uint64_t act_usage = 0;
  bool act_push = false;  // the response of a term's last descriptor arrives this cycle
  // Activation cache and the previous cycle's response (granted read words).
  std::vector<int64_t> tag(size_t(lines), -1);
  bool rsp = false;
  int64_t rsp_w0 = 0, rsp_nw = 0;
  uint64_t recovering = 0;  // banks granted in the previous cycle
  // Weight stream and prefetch buffer (in words of wt_word bytes).
  bool w_active = !made_wt;
  uint64_t w_tile = 0, w_rem = in.wt_tile_bytes;
  int64_t w_addr = int64_t(in.wt_addr) + int64_t(tiles[0].ct * in.wt_tile_bytes);
  uint64_t w_cnt = 0, w_push = 0;
  // Data sequencer, shift registers, SIMD stages, write buffer.
  uint64_t bc_tile = 0, bc_k = 0;
  bool bc_done = false, taken = false;
  struct Row {
    bool valid = false;
    uint64_t pass = 0;
    int64_t addr = 0, last = 0;
    uint64_t pt = 0;
  };
  bool sr_busy = false;
  uint64_t sr_row = 0, sr_rows = 0, sr_pt = 0;
  int64_t sr_addr = 0, sr_last = 0;
  Row st[3];
  std::vector<Row> wbuf;  // at most 2
  // Pooling unit: takes a row, then writes the pooled rows it completes, one per cycle.
  const bool pooled = in.pool_op != isa::PoolOp::kNone;
  const pool::Window win = pool::WindowOf(in);
  const int64_t pw_n = pooled ? int64_t(pool::OutSize(uint32_t(in.out_w), win)) : 0;
  bool pool_emitting = false;
  uint64_t pool_ph = 0, pool_hi = 0;
  int64_t pool_base = 0;

  for (int64_t t = 0;; ++t) {
    // Data sequencer and its back end, from the registered state.
    const bool act_head = act_usage > 0, wt_head = made_wt || w_cnt >= row_words;
    const bool bc_last = bc_k == in.dot_len - 1;
    const bool recirc = st[2].valid && st[2].pass < simd_len;
    const bool s_out = st[2].valid && !recirc;
    const bool wb_ready = wbuf.size() != 2;
    const bool pool_in_ready = pooled ? !pool_emitting : wb_ready;
    const bool adv = !s_out || pool_in_ready;
    const bool s_in_ready = adv && !recirc;
    const bool hold = eltwise && sr_row == 0;  // row a of the pair: kept, not run
    const bool unload = sr_busy && (hold || s_in_ready);
    const bool unload_last = sr_row + 1 == sr_rows;
    const bool sr_free = !sr_busy || (unload && unload_last);
    const bool bc = act_head && wt_head && (!bc_last || sr_free) && !bc_done;
    const bool sr_stall = act_head && wt_head && bc_last && !sr_free && !bc_done;
    ComputeCycle cause = ComputeCycle::kWaitWeights;
    if (bc)
      cause = ComputeCycle::kMac;
    else if (!taken)
      cause = ComputeCycle::kFill;
    else if (bc_done)
      cause = ComputeCycle::kDrain;
    else if (sr_stall)
      cause = ComputeCycle::kWaitUnload;
    else if (!act_head)
      cause = ComputeCycle::kWaitActivations;
    ++r.cycles[cause];
    const bool simd_idle = !st[0].valid && !st[1].valid && !st[2].valid;
    if (bc_done && !sr_busy && simd_idle && !pool_emitting && wbuf.empty()) break;

    // Requests.
    const bool wr_any = !wbuf.empty();
    const int64_t wr_w0 = wr_any ? wbuf[0].addr / word : 0;
    const uint64_t wr_used = wr_any ? banks_of(wbuf[0].addr, wbuf[0].last) : 0;
    auto wr_covers = [&](int64_t w) { return wr_any && w - wr_w0 >= 0 && w - wr_w0 < wr_words; };
    const bool desc_valid = a_active && t >= a_norm_until && act_usage + act_push < kActFifoDepth;
    const Tile& at = tiles[a_tile];
    const ActStream::Loads& L = loads[at.pt];
    const uint64_t nloads = L.first[a_k + 1] - L.first[a_k];
    const bool any_need = desc_valid && a_j < nloads;
    uint64_t act_need = 0;
    int64_t a_w0 = 0, a_w1 = -1;
    if (any_need) {
      const int64_t gshift = int64_t((at.ct / group_tiles) * group_in_c * in.in_plane_stride);
      const size_t i = L.first[a_k] + a_j;
      a_w0 = (L.addr[i] + gshift) / word;
      a_w1 = (L.addr[i] + gshift + L.last[i]) / word;
      for (int64_t w = a_w0; w <= a_w1; ++w) {
        const bool fly = lines > 0 && rsp && w - rsp_w0 >= 0 && w - rsp_w0 < rsp_nw;
        const int64_t tg = lines > 0 ? tag[size_t(w % lines)] : -1;
        const bool live = tg >= 0 && !wr_covers(tg);
        const bool hit = !wr_covers(w) && (fly || (live && tg == w));
        if (!hit) act_need |= uint64_t(1) << uint64_t(w % nbanks);
      }
    }
    const bool wt_req = w_active && w_cnt + w_push + chunk_words <= buf_words;
    const uint64_t wt_used = wt_req ? banks_of(w_addr, int64_t(wt_bytes) - 1) : 0;
    // Bank grants; a bank granted in the previous cycle is recovering (sram.bank_cycles 2).
    bool act_go, wr_go;
    uint64_t taken_banks;
    if (wr_priority) {
      wr_go = wr_any && !(wr_used & recovering);
      act_go = any_need && !(act_need & ((wr_go ? wr_used : 0) | recovering));
    } else {
      act_go = any_need && !(act_need & recovering);
      wr_go = wr_any && !(wr_used & ((act_go ? act_need : 0) | recovering));
    }
    taken_banks = (act_go ? act_need : 0) | (wr_go ? wr_used : 0);
    const bool wt_go = wt_req && !(wt_used & (taken_banks | recovering));
    recovering = cfg.sram_bank_cycles > 1 ? taken_banks | (wt_go ? wt_used : 0) : 0;
    const bool act_fire = desc_valid && (a_j >= nloads || act_go);

    // Updates: write buffer, SIMD stages, shift registers, broadcast.
    if (wr_go) wbuf.erase(wbuf.begin());
    if (!pooled) {
      if (s_out && wb_ready) wbuf.push_back(st[2]);
    } else if (pool_emitting) {
      if (wb_ready) {
        wbuf.push_back({true, 0, pool_base + int64_t(pool_ph) * pw_n, pw_n - 1, 0});
        if (++pool_ph == pool_hi) pool_emitting = false;
      }
    } else if (s_out) {
      const uint64_t pt = st[2].pt;
      const uint32_t lo = pool::RowsComplete(win, uint32_t(in.out_h), uint32_t(in.out_w), pt * N);
      const uint32_t hi = pool::RowsComplete(win, uint32_t(in.out_h), uint32_t(in.out_w),
                                             std::min<uint64_t>((pt + 1) * N, pix_total));
      if (lo < hi) {
        pool_emitting = true;
        pool_ph = lo;
        pool_hi = hi;
        pool_base = st[2].addr - int64_t(pt * N);
      }
    }
    if (adv) {
      Row in_row;
      if (recirc) {
        in_row = st[2];
        ++in_row.pass;
      } else if (unload && !hold) {
        in_row = {true, 1, sr_addr + int64_t(eltwise ? 0 : sr_row * ops), sr_last, sr_pt};
      }
      st[2] = st[1];
      st[1] = st[0];
      st[0] = in_row;
    }
    if (unload) {
      ++sr_row;
      if (unload_last) sr_busy = false;
    }
    if (bc) {
      taken = true;
      --act_usage;
      if (!made_wt) w_cnt -= row_words;
      if (!bc_last) {
        ++bc_k;
      } else {
        const Tile& bt = tiles[bc_tile];
        const uint64_t g = bt.ct / group_tiles, sub = bt.ct % group_tiles;
        sr_busy = true;
        sr_row = 0;
        sr_rows = eltwise ? 2 : std::min(M, group_out_c - sub * M);
        sr_addr = int64_t(in.out_addr + g * group_out_c * ops + sub * M * ops + bt.pt * N);
        sr_last = int64_t(std::min(N, pix_total - bt.pt * N)) - 1;
        sr_pt = bt.pt;
        bc_k = 0;
        if (++bc_tile == ntiles) bc_done = true;
      }
    }
    // Activation FIFO, descriptors, cache.
    if (act_push) ++act_usage;
    act_push = false;
    if (act_fire) {
      ++r.act_slots;
      if (++a_j >= std::max<uint64_t>(nloads, 1)) {
        act_push = true;
        a_j = 0;
        if (++a_k == in.dot_len) {
          a_k = 0;
          if (++a_tile == ntiles) {
            a_active = false;
            a_tile = 0;
          } else {
            a_norm_until = t + 1 + int64_t(tiles[a_tile].z);
          }
        }
      }
    }
    for (int64_t w = rsp_w0; rsp && lines > 0 && w < rsp_w0 + rsp_nw; ++w) tag[size_t(w % lines)] = w;
    for (int64_t& tg : tag) {
      if (tg >= 0 && wr_covers(tg)) tg = -1;
    }
    rsp = act_go;
    rsp_w0 = a_w0, rsp_nw = a_w1 - a_w0 + 1;
    // Weight buffer and stream.
    w_cnt += w_push;
    w_push = 0;
    if (wt_go) {
      const uint64_t bytes = std::min<uint64_t>(w_rem, wt_bytes);
      w_push = bytes / wt_word;
      if (w_rem > wt_bytes) {
        w_rem -= wt_bytes;
        w_addr += int64_t(wt_bytes);
      } else if (++w_tile == ntiles) {
        w_active = false;
      } else {
        w_rem = in.wt_tile_bytes;
        w_addr = int64_t(in.wt_addr + tiles[w_tile].ct * in.wt_tile_bytes);
      }
    }
  }
  return r;
}

// What the RTL accepts (docs/architecture.md); anything else ends after the one check cycle.
std::string Unsupported(const ComputeInstr& in) {
  if (!in.kernel_h || !in.kernel_w || !in.stride_h || !in.stride_w || !in.dil_h || !in.dil_w || !in.in_c ||
      !in.out_c || !in.out_h || !in.out_w || !in.dot_len || !in.pix_tiles || !in.ch_tiles)
    return "a zero field: the instruction ends after its check cycle";
  return "";
}

}  // namespace

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
  p.macs = isa::Macs(in);
  p.note = Unsupported(in);
  if (!p.note.empty()) {
    p.cycles[ComputeCycle::kFill] = 1;
    return p;
  }
  // Check (1 cycle), then the parameter load: one weight-port read per cycle, the last response
  // one cycle later, the tile phase one cycle after that.
  const uint64_t param_reads = CeilDiv(in.out_c * isa::ChannelParamsRecord::kBytes, cfg.sram_wt_port_bytes);
  const uint64_t before_tiles = 1 + param_reads + 2;

  // The tile phase: every SIMD instruction is one pass of a row through the lanes.
  const TilePhase tp = SimulateTiles(cfg, in, simd.size());
  p.cycles = tp.cycles;
  p.cycles[ComputeCycle::kFill] += before_tiles;
  p.terms = tp.terms;
  p.act_slots = tp.act_slots;
  p.norm = tp.norm;
  return p;
}

std::map<uint32_t, Prediction> PredictProgram(const HwConfig& cfg, const Bundle& bundle) {
  std::map<uint32_t, Prediction> out;
  for (const isa::Instruction& in : isa::DecodeProgram(bundle.ProgramBytes()).instrs)
    if (!in.IsDma()) out[in.index] = Predict(cfg, in.compute, in.simd);
  return out;
}

}  // namespace nna::perf
