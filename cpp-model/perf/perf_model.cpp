#include "perf/perf_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <numeric>

#include "isa/program.h"
#include "pool/pool.h"
#include "simd/simd_program.h"

namespace nna::perf {
namespace {

using isa::ComputeCycle;
using isa::ComputeInstr;
using isa::Opcode;

constexpr uint64_t kActFifoDepth = 4;  // nna_data_seq ActDepth
constexpr uint64_t kWtBufChunks = 16;  // nna_data_seq WtBufChunks

uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// The bytes a weight-port requester other than the weight stream claims (nna_sram): a program
// fetch one instruction word, DMA-out one AXI beat.
uint64_t FetchBytes(const HwConfig& cfg) {
  return std::min<uint64_t>(isa::kWordBytes, cfg.sram_wt_port_bytes);
}
uint64_t DmaOutBytes(const HwConfig& cfg) { return std::min(cfg.axi_data_bytes, cfg.sram_wt_port_bytes); }

bool DmaUrgent(const SramState& s, bool dma_valid) { return dma_valid && s.dma_wait == kDmaInPatience; }

// One cycle's bank requests of the three ports, each port's requester already chosen.
struct BankRequests {
  bool act = false, wr = false, wt = false;
  uint64_t act_banks = 0, wr_banks = 0, wt_banks = 0;
  uint64_t wt_next = 0;    // the weight stream's next read, when it is the weight port's requester
  bool wr_dma = false;     // the write port's requester is DMA-in
  bool dma_valid = false;  // DMA-in requests (chosen or not)
  bool wr_priority = false, hurry = false;
  bool act_go = false, wr_go = false, wt_go = false;
};

// nna_sram's grants: activation, then write, then weight port (writes first with wr_priority);
// a DMA-in write takes no bank a read port requests nor one of the weight stream's next read (it
// would rest then), unless urgent (DmaInPatience refusals in a row: then first, holding its banks)
// or hurried (dma_hurry: the write port's usual place); a bank granted in the previous cycle rests
// (sram.bank_cycles 2).
void GrantBanks(const HwConfig& cfg, SramState& s, BankRequests& r) {
  const bool urgent = DmaUrgent(s, r.dma_valid);
  const bool yield = r.wr_dma && !urgent && !r.hurry;
  const uint64_t read_want =
      (r.act ? r.act_banks : 0) | (r.wt ? r.wt_banks : 0) | (cfg.sram_bank_cycles > 1 ? r.wt_next : 0);
  uint64_t held = 0, taken_act = 0;
  if ((r.wr_priority && !yield) || urgent) {
    r.wr_go = r.wr && !(r.wr_banks & s.recovering);
    held = (urgent || r.wr_go) ? r.wr_banks : 0;
    r.act_go = r.act && !(r.act_banks & (held | s.recovering));
    taken_act = r.act_go ? r.act_banks : 0;
  } else {
    r.act_go = r.act && !(r.act_banks & s.recovering);
    taken_act = r.act_go ? r.act_banks : 0;
    r.wr_go = r.wr && !(r.wr_banks & (taken_act | s.recovering | (yield ? read_want : 0)));
    held = r.wr_go ? r.wr_banks : 0;
  }
  r.wt_go = r.wt && !(r.wt_banks & (held | taken_act | s.recovering));
  if (!r.dma_valid || (r.wr_go && r.wr_dma))
    s.dma_wait = 0;
  else if (!urgent)
    ++s.dma_wait;
  s.recovering =
      cfg.sram_bank_cycles > 1 ? (r.wr_go ? r.wr_banks : 0) | taken_act | (r.wt_go ? r.wt_banks : 0) : 0;
}

uint64_t BanksOfBytes(const HwConfig& cfg, uint64_t addr, uint64_t last) {
  uint64_t m = 0;
  const uint64_t word = cfg.sram_bank_word_bytes;
  for (uint64_t w = addr / word; w <= (addr + last) / word; ++w) m |= uint64_t(1) << (w % cfg.sram_banks);
  return m;
}

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
//    sram.bank_cycles 2 a bank granted in the previous cycle, waits (the write port's other
//    requester, DMA-in, comes after both read ports in nna_sram, so it is left out here);
//  - a response lands one cycle after its grant; a term is broadcast when its packet and its
//    weight row are at the FIFO heads and, for a last term, the shift registers are free;
//  - SCALE and ELTWISE read no weights (their weight row is always there); ELTWISE unloads two rows
//    per tile, the first taken by the SIMD unit in one cycle without entering the stages;
//  - rows leave the shift registers into the SIMD unit (3 stages; a row of an L-instruction
//    program passes them L times, going round from stage 3 to stage 1, which then takes no new
//    row), then the pooling unit (a pass-through; when the CONV pools, it takes a row in one
//    cycle and makes the writes of the pooled rows that row completes (pool::Writes), one per
//    cycle; meanwhile it takes one more row, of another row of the tile, whose writes follow),
//    then the 2-entry write buffer, then the write port.
// The cause of each cycle is the data sequencer's (docs/architecture.md "Cycle accounting");
// the phase ends in the cycle done is seen.
struct TilePhase {
  CycleBreakdown cycles;  // the tile phase's cycles (fill: before the first term)
  uint64_t terms = 0, act_slots = 0, norm = 0;
};

class TileSim {
 public:
  TileSim(const HwConfig& cfg, const ComputeInstr& in, uint64_t simd_len, SramState& sram)
      : cfg_(cfg),
        sram_(sram),
        in_(in),
        simd_len_(simd_len),
        M(cfg.array_rows),
        N(cfg.array_cols),
        group_out_c_(in.group_out_c ? in.group_out_c : in.out_c / (in.groups ? in.groups : 1)),
        group_tiles_(in.group_tiles ? in.group_tiles : CeilDiv(group_out_c_, M)),
        group_in_c_(in.group_in_c ? in.group_in_c : in.in_c),
        pix_total_(in.out_h * in.out_w),
        word_(int64_t(cfg.sram_bank_word_bytes)),
        nbanks_(int64_t(cfg.sram_banks)),
        lines_(int64_t(cfg.sram_act_cache_bytes / cfg.sram_bank_word_bytes)),
        wr_words_(int64_t(cfg.sram_wr_port_bytes) / word_ + 1),
        wt_bytes_(cfg.sram_wt_port_bytes),
        wt_word_(std::gcd(M, wt_bytes_)),
        row_words_(M / wt_word_),
        chunk_words_(wt_bytes_ / wt_word_),
        buf_words_(kWtBufChunks * chunk_words_),
        wr_priority_(in.dot_len < M),
        ops_(in.out_plane_stride),
        made_wt_(isa::IsSimdOnly(in.opcode)),
        eltwise_(in.opcode == Opcode::kEltwise),
        pooled_(in.pool_op != isa::PoolOp::kNone),
        win_(pool::WindowOf(in)),
        pw_n_(pooled_ ? int64_t(pool::OutSize(uint32_t(in.out_w), win_)) : 0),
        tag_(size_t(lines_), -1) {
    OrderTiles();
    a_norm_until_ = int64_t(tiles_[0].z);
    w_active_ = !made_wt_;
    w_rem_ = in.wt_tile_bytes;
    w_addr_ = int64_t(in.wt_addr) + int64_t(tiles_[0].ct * in.wt_tile_bytes);
  }

  TilePhase Run() {
    OtherRequests none;
    while (!Step(none)) {
    }
    return r_;
  }

  // One cycle beside the other requesters of the SRAM (their requests in o, their grants set);
  // true in the cycle done is seen, the phase's last.
  bool Step(OtherRequests& o) {
    const int64_t t = t_++;
    const Front f = DataSequencer();
    ++r_.cycles[Cause(f)];
    if (Done()) {
      GrantOthers(cfg_, sram_, o);
      return true;
    }
    Ports p = Request(t, o);
    Grant(p, o);
    WriteBack(f, p);
    AdvanceStages(f);
    if (f.bc) Broadcast(f);
    AdvanceActivations(p, t);
    UpdateCache(p);
    AdvanceWeights(p);
    return false;
  }
  const TilePhase& Result() const { return r_; }

 private:
  struct Tile {
    uint64_t pt, ct, z;
  };
  struct Row {
    bool valid = false;
    uint64_t pass = 0;
    int64_t addr = 0, last = 0;
    uint64_t pt = 0, j = 0;  // section, row of the tile
  };
  // The data sequencer's and its back end's decisions, from the registered state of the cycle.
  struct Front {
    bool act_head, bc_last, recirc, s_out, wb_ready, adv, hold, unload, unload_last, bc, sr_stall;
  };
  // The cycle's SRAM requests and grants.
  struct Ports {
    bool wr_any = false;
    int64_t wr_w0 = 0;
    uint64_t wr_used = 0;
    bool desc_valid = false, any_need = false;
    uint64_t nloads = 0, act_need = 0;
    int64_t a_w0 = 0, a_w1 = -1;
    bool wt_req = false;
    uint64_t wt_used = 0;
    bool act_go = false, wr_go = false, wt_go = false, act_fire = false;
    // The write port's requester is DMA-in (else the write-back, if any); the weight port's the
    // program fetch or DMA-out (else the weight stream, if any).
    bool wr_dma = false, dma_valid = false, wt_other = false;
    uint64_t wr_port_banks = 0, wt_port_banks = 0;
  };

  uint64_t BanksOf(int64_t addr, int64_t last) const {
    return BanksOfBytes(cfg_, uint64_t(addr), uint64_t(last));
  }
  // Whether the write request's WrWords-word window (of the cycle's head row) covers bank word w.
  bool WrCovers(const Ports& p, int64_t w) const {
    return p.wr_any && w - p.wr_w0 >= 0 && w - p.wr_w0 < wr_words_;
  }

  // The tiles in order, with the normalisation cycles before each one's first descriptor and
  // the loads of each section (computed when the lanes are at it).
  void OrderTiles() {
    const bool pixel_major = in_.order == isa::Order::kPixelMajor;
    ActStream act(cfg_, in_);
    loads_.resize(in_.pix_tiles);
    std::vector<bool> have(in_.pix_tiles, false);
    const uint64_t outer = pixel_major ? in_.pix_tiles : in_.ch_tiles;
    const uint64_t inner = pixel_major ? in_.ch_tiles : in_.pix_tiles;
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
        r_.norm += z;
        pt_lanes = pt;
        if (!have[pt]) act.SectionLoads(loads_[pt]), have[pt] = true;
        tiles_.push_back({pt, ct, z});
      }
    }
    ntiles_ = tiles_.size();
    r_.terms = ntiles_ * in_.dot_len;
  }

  Front DataSequencer() const {
    Front f;
    f.act_head = act_usage_ > 0;
    const bool wt_head = made_wt_ || w_cnt_ >= row_words_;
    f.bc_last = bc_k_ == in_.dot_len - 1;
    f.recirc = st_[2].valid && st_[2].pass < simd_len_;
    f.s_out = st_[2].valid && !f.recirc;
    f.wb_ready = wbuf_.size() != 2;
    const bool pool_in_ready = pooled_ ? PoolTakes(st_[2].j) : f.wb_ready;
    f.adv = !f.s_out || pool_in_ready;
    const bool s_in_ready = f.adv && !f.recirc;
    f.hold = eltwise_ && sr_row_ == 0;  // row a of the pair: kept, not run
    f.unload = sr_busy_ && (f.hold || s_in_ready);
    f.unload_last = sr_row_ + 1 == sr_rows_;
    const bool sr_free = !sr_busy_ || (f.unload && f.unload_last);
    f.bc = f.act_head && wt_head && (!f.bc_last || sr_free) && !bc_done_;
    f.sr_stall = f.act_head && wt_head && f.bc_last && !sr_free && !bc_done_;
    return f;
  }

  ComputeCycle Cause(const Front& f) const {
    if (f.bc) return ComputeCycle::kMac;
    if (!taken_) return ComputeCycle::kFill;
    if (bc_done_) return ComputeCycle::kDrain;
    if (f.sr_stall) return ComputeCycle::kWaitUnload;
    if (!f.act_head) return ComputeCycle::kWaitActivations;
    return ComputeCycle::kWaitWeights;
  }

  bool Done() const {
    const bool simd_idle = !st_[0].valid && !st_[1].valid && !st_[2].valid;
    return bc_done_ && !sr_busy_ && simd_idle && !pool_cur_.active() && wbuf_.empty();
  }

  // The write buffer's head, the next activation descriptor's banks not in the cache, the weight
  // stream's read.
  Ports Request(int64_t t, const OtherRequests& o) const {
    Ports p;
    const bool own_wr = !wbuf_.empty();
    p.dma_valid = o.dma_in;
    p.wr_dma = o.dma_in && (!own_wr || DmaUrgent(sram_, true));
    p.wr_any = own_wr || o.dma_in;
    p.wr_w0 = p.wr_dma ? int64_t(o.dma_in_addr) / word_ : own_wr ? wbuf_[0].addr / word_ : 0;
    p.wr_used = own_wr ? BanksOf(wbuf_[0].addr, wbuf_[0].last) : 0;
    p.wr_port_banks = p.wr_dma ? BanksOf(int64_t(o.dma_in_addr), int64_t(o.dma_in_last)) : p.wr_used;
    p.desc_valid = a_active_ && t >= a_norm_until_ && act_usage_ + act_push_ < kActFifoDepth;
    const Tile& at = tiles_[a_tile_];
    const ActStream::Loads& L = loads_[at.pt];
    p.nloads = L.first[a_k_ + 1] - L.first[a_k_];
    p.any_need = p.desc_valid && a_j_ < p.nloads;
    if (p.any_need) {
      const int64_t gshift = int64_t((at.ct / group_tiles_) * group_in_c_ * in_.in_plane_stride);
      const size_t i = L.first[a_k_] + a_j_;
      p.a_w0 = (L.addr[i] + gshift) / word_;
      p.a_w1 = (L.addr[i] + gshift + L.last[i]) / word_;
      for (int64_t w = p.a_w0; w <= p.a_w1; ++w) {
        const bool fly = lines_ > 0 && rsp_ && w - rsp_w0_ >= 0 && w - rsp_w0_ < rsp_nw_;
        const int64_t tg = lines_ > 0 ? tag_[size_t(w % lines_)] : -1;
        const bool live = tg >= 0 && !WrCovers(p, tg);
        const bool hit = !WrCovers(p, w) && (fly || (live && tg == w));
        if (!hit) p.act_need |= uint64_t(1) << uint64_t(w % nbanks_);
      }
    }
    p.wt_req = w_active_ && w_cnt_ + w_push_ + chunk_words_ <= buf_words_;
    p.wt_used = p.wt_req ? BanksOf(w_addr_, int64_t(wt_bytes_) - 1) : 0;
    // The program fetch goes before the weight stream, DMA-out after it.
    p.wt_other = o.fetch || (o.dma_out && !p.wt_req);
    p.wt_port_banks = o.fetch     ? BanksOf(int64_t(o.fetch_addr), int64_t(FetchBytes(cfg_)) - 1)
                      : p.wt_req  ? p.wt_used
                      : o.dma_out ? BanksOf(int64_t(o.dma_out_addr), int64_t(DmaOutBytes(cfg_)) - 1)
                                  : 0;
    return p;
  }

  // Bank grants (GrantBanks); a bank granted in the previous cycle is recovering.
  void Grant(Ports& p, OtherRequests& o) {
    BankRequests r;
    r.act = p.any_need, r.act_banks = p.act_need;
    r.wr = p.wr_any, r.wr_banks = p.wr_port_banks, r.wr_dma = p.wr_dma, r.dma_valid = p.dma_valid;
    r.wr_priority = wr_priority_, r.hurry = o.hurry;
    r.wt = p.wt_req || p.wt_other, r.wt_banks = p.wt_port_banks;
    if (p.wt_req && !o.fetch) r.wt_next = BanksOf(w_addr_ + int64_t(wt_bytes_), int64_t(wt_bytes_) - 1);
    GrantBanks(cfg_, sram_, r);
    p.act_go = r.act_go;
    p.wr_go = r.wr_go && !p.wr_dma;
    p.wt_go = r.wt_go && !p.wt_other;
    o.dma_in_go = r.wr_go && p.wr_dma;
    o.fetch_go = r.wt_go && o.fetch;
    o.dma_out_go = r.wt_go && p.wt_other && !o.fetch;
    p.act_fire = p.desc_valid && (a_j_ >= p.nloads || p.act_go);
  }

  // The write port takes the head row; the SIMD unit's output row enters the write buffer, or the
  // pooling unit, which then writes the pooled rows it completes.
  void WriteBack(const Front& f, const Ports& p) {
    if (p.wr_go) wbuf_.erase(wbuf_.begin());
    if (!pooled_) {
      if (f.s_out && f.wb_ready) wbuf_.push_back(st_[2]);
    } else {
      const bool take = f.s_out && PoolTakes(st_[2].j);  // from the cycle's registered state
      bool to_current = !pool_cur_.active();
      if (pool_cur_.active() && f.wb_ready) {
        const pool::Span& sp = pool_cur_.writes[pool_cur_.next];
        wbuf_.push_back({true, 0, pool_cur_.base + int64_t(sp.offset), int64_t(sp.bytes) - 1, 0, 0});
        if (++pool_cur_.next == pool_cur_.writes.size()) {
          to_current = true;
          pool_cur_ = pool_pend_;
          pool_pend_ = PoolRow{};
        }
      }
      if (take) {
        const uint64_t pt = st_[2].pt;
        const auto [lo, hi] =
            pool::SectionRows(win_, uint32_t(in_.out_h), uint32_t(in_.out_w), pt, uint32_t(N));
        PoolRow row;
        row.writes = pool::Writes(win_, uint32_t(pw_n_), lo, hi, uint32_t(N));
        row.base = st_[2].addr - int64_t(pt * N);
        row.j = st_[2].j;
        (to_current ? pool_cur_ : pool_pend_) = std::move(row);
      }
    }
  }

  // The SIMD stages shift (a recirculating row or the shift registers' next row enters stage 1).
  void AdvanceStages(const Front& f) {
    if (f.adv) {
      Row in_row;
      if (f.recirc) {
        in_row = st_[2];
        ++in_row.pass;
      } else if (f.unload && !f.hold) {
        in_row = {true, 1, sr_addr_ + int64_t(eltwise_ ? 0 : sr_row_ * ops_), sr_last_, sr_pt_, sr_row_};
      }
      st_[2] = st_[1];
      st_[1] = st_[0];
      st_[0] = in_row;
    }
    if (f.unload) {
      ++sr_row_;
      if (f.unload_last) sr_busy_ = false;
    }
  }

  // A term goes to the array; after a tile's last term its rows move into the shift registers.
  void Broadcast(const Front& f) {
    taken_ = true;
    --act_usage_;
    if (!made_wt_) w_cnt_ -= row_words_;
    if (!f.bc_last) {
      ++bc_k_;
      return;
    }
    const Tile& bt = tiles_[bc_tile_];
    const uint64_t g = bt.ct / group_tiles_, sub = bt.ct % group_tiles_;
    sr_busy_ = true;
    sr_row_ = 0;
    sr_rows_ = eltwise_ ? 2 : std::min(M, group_out_c_ - sub * M);
    sr_addr_ = int64_t(in_.out_addr + g * group_out_c_ * ops_ + sub * M * ops_ + bt.pt * N);
    sr_last_ = int64_t(std::min(N, pix_total_ - bt.pt * N)) - 1;
    sr_pt_ = bt.pt;
    bc_k_ = 0;
    if (++bc_tile_ == ntiles_) bc_done_ = true;
  }

  // The activation FIFO takes the previous cycle's last response; the descriptor that fired moves
  // the address sequencer to its next load, term and tile.
  void AdvanceActivations(const Ports& p, int64_t t) {
    if (act_push_) ++act_usage_;
    act_push_ = false;
    if (!p.act_fire) return;
    ++r_.act_slots;
    if (++a_j_ < std::max<uint64_t>(p.nloads, 1)) return;
    act_push_ = true;
    a_j_ = 0;
    if (++a_k_ != in_.dot_len) return;
    a_k_ = 0;
    if (++a_tile_ == ntiles_) {
      a_active_ = false;
      a_tile_ = 0;
    } else {
      a_norm_until_ = t + 1 + int64_t(tiles_[a_tile_].z);
    }
  }

  // The previous cycle's response fills its lines; the write invalidates the lines it covers; this
  // cycle's grant is the next response.
  void UpdateCache(const Ports& p) {
    for (int64_t w = rsp_w0_; rsp_ && lines_ > 0 && w < rsp_w0_ + rsp_nw_; ++w) tag_[size_t(w % lines_)] = w;
    for (int64_t& tg : tag_) {
      if (tg >= 0 && WrCovers(p, tg)) tg = -1;
    }
    rsp_ = p.act_go;
    rsp_w0_ = p.a_w0, rsp_nw_ = p.a_w1 - p.a_w0 + 1;
  }

  // The prefetch buffer takes the previous read; a granted read moves the stream along its tile.
  void AdvanceWeights(const Ports& p) {
    w_cnt_ += w_push_;
    w_push_ = 0;
    if (!p.wt_go) return;
    const uint64_t bytes = std::min<uint64_t>(w_rem_, wt_bytes_);
    w_push_ = bytes / wt_word_;
    if (w_rem_ > wt_bytes_) {
      w_rem_ -= wt_bytes_;
      w_addr_ += int64_t(wt_bytes_);
    } else if (++w_tile_ == ntiles_) {
      w_active_ = false;
    } else {
      w_rem_ = in_.wt_tile_bytes;
      w_addr_ = int64_t(in_.wt_addr + tiles_[w_tile_].ct * in_.wt_tile_bytes);
    }
  }

  const HwConfig& cfg_;
  SramState& sram_;
  const ComputeInstr& in_;
  const uint64_t simd_len_;
  const uint64_t M, N;  // the array's rows and columns (the docs' M and N)
  const uint64_t group_out_c_, group_tiles_, group_in_c_, pix_total_;
  const int64_t word_, nbanks_;
  const int64_t lines_;  // 0: the cache is switched off (sram_ctrl.act_cache_off); nothing hits
  const int64_t wr_words_;
  const uint64_t wt_bytes_, wt_word_, row_words_, chunk_words_,
      buf_words_;  // weights in words of wt_word_ bytes
  const bool wr_priority_;
  const uint64_t ops_;
  const bool made_wt_, eltwise_, pooled_;
  const pool::Window win_;
  const int64_t pw_n_;

  TilePhase r_;
  std::vector<Tile> tiles_;
  std::vector<ActStream::Loads> loads_;
  uint64_t ntiles_ = 0;
  // Address sequencer (activations).
  bool a_active_ = true;
  uint64_t a_tile_ = 0, a_k_ = 0, a_j_ = 0;
  int64_t a_norm_until_ = 0;
  uint64_t act_usage_ = 0;
  bool act_push_ = false;  // the response of a term's last descriptor arrives this cycle
  // Activation cache and the previous cycle's response (granted read words).
  std::vector<int64_t> tag_;
  bool rsp_ = false;
  int64_t rsp_w0_ = 0, rsp_nw_ = 0;
  int64_t t_ = 0;  // the tile phase's next cycle
  // Weight stream and prefetch buffer.
  bool w_active_ = false;
  uint64_t w_tile_ = 0, w_rem_ = 0;
  int64_t w_addr_ = 0;
  uint64_t w_cnt_ = 0, w_push_ = 0;
  // Data sequencer, shift registers, SIMD stages, write buffer.
  uint64_t bc_tile_ = 0, bc_k_ = 0;
  bool bc_done_ = false, taken_ = false;
  bool sr_busy_ = false;
  uint64_t sr_row_ = 0, sr_rows_ = 0, sr_pt_ = 0;
  int64_t sr_addr_ = 0, sr_last_ = 0;
  Row st_[3];
  std::vector<Row> wbuf_;  // at most 2
  // Pooling unit: the row whose writes it makes, one per cycle, and the row taken meanwhile (when
  // none waits and it fills another line buffer), whose writes follow.
  struct PoolRow {
    std::vector<pool::Span> writes;
    size_t next = 0;
    int64_t base = 0;
    uint64_t j = 0;
    bool active() const { return next < writes.size(); }
  };
  PoolRow pool_cur_, pool_pend_;
  bool PoolTakes(uint64_t j) const {
    return !pool_cur_.active() || (!pool_pend_.active() && j != pool_cur_.j);
  }
};

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

void GrantOthers(const HwConfig& cfg, SramState& sram, OtherRequests& o) {
  BankRequests r;
  r.wr = r.wr_dma = r.dma_valid = o.dma_in;
  r.wr_banks = o.dma_in ? BanksOfBytes(cfg, o.dma_in_addr, o.dma_in_last) : 0;
  r.hurry = o.hurry;
  r.wt = o.fetch || o.dma_out;
  r.wt_banks = o.fetch     ? BanksOfBytes(cfg, o.fetch_addr, FetchBytes(cfg) - 1)
               : o.dma_out ? BanksOfBytes(cfg, o.dma_out_addr, DmaOutBytes(cfg) - 1)
                           : 0;
  GrantBanks(cfg, sram, r);
  o.dma_in_go = r.wr_go;
  o.fetch_go = r.wt_go && o.fetch;
  o.dma_out_go = r.wt_go && !o.fetch;
}

struct ComputeRun::Impl {
  Impl(const HwConfig& c, const ComputeInstr& i, const std::vector<isa::SimdInstr>& simd, SramState& sram)
      : cfg(c), in(i), sram(sram) {
    p.macs = isa::Macs(in);
    p.note = Unsupported(in);
    if (!p.note.empty()) {
      before_tiles = 1;
      return;
    }
    // Check (1 cycle), then the parameter load: one weight-port read per cycle, the last
    // response one cycle later, the tile phase one cycle after that. A program with LUT reads its
    // table in the same stream after the parameters (docs/simd.md, "The table").
    const uint64_t param_reads = CeilDiv(in.out_c * isa::ChannelParamsRecord::kBytes, cfg.sram_wt_port_bytes);
    const uint64_t lut_reads = simd::HasLut(simd) ? CeilDiv(isa::kLutBytes, cfg.sram_wt_port_bytes) : 0;
    before_tiles = 1 + param_reads + lut_reads + 2;
    // The tile phase: every SIMD instruction is one pass of a row through the lanes.
    tiles = std::make_unique<TileSim>(cfg, in, simd.size(), sram);
  }
  const HwConfig& cfg;
  const ComputeInstr in;  // TileSim keeps a reference
  SramState& sram;
  Prediction p;
  uint64_t before_tiles = 0, step = 0;
  std::unique_ptr<TileSim> tiles;
  bool done = false;
};

ComputeRun::ComputeRun(const HwConfig& cfg, const ComputeInstr& in, const std::vector<isa::SimdInstr>& simd,
                       SramState& sram)
    : impl_(std::make_unique<Impl>(cfg, in, simd, sram)) {}
ComputeRun::~ComputeRun() = default;

bool ComputeRun::Step(OtherRequests& o) {
  Impl& m = *impl_;
  if (m.step < m.before_tiles) {
    // Check and parameter load (closed form, all fill): the other requesters as without compute.
    ++m.step;
    GrantOthers(m.cfg, m.sram, o);
    m.done = !m.tiles && m.step == m.before_tiles;
    return m.done;
  }
  m.done = m.tiles->Step(o);
  return m.done;
}

const Prediction& ComputeRun::Result() {
  Impl& m = *impl_;
  if (!m.tiles) {
    m.p.cycles[ComputeCycle::kFill] = m.before_tiles;
    return m.p;
  }
  const TilePhase& tp = m.tiles->Result();
  m.p.cycles = tp.cycles;
  m.p.cycles[ComputeCycle::kFill] += m.before_tiles;
  m.p.terms = tp.terms;
  m.p.act_slots = tp.act_slots;
  m.p.norm = tp.norm;
  return m.p;
}

Prediction Predict(const HwConfig& cfg, const ComputeInstr& in, const std::vector<isa::SimdInstr>& simd) {
  SramState sram;
  ComputeRun run(cfg, in, simd, sram);
  OtherRequests none;
  while (!run.Step(none)) {
  }
  return run.Result();
}

std::map<uint32_t, Prediction> PredictProgram(const HwConfig& cfg, const Bundle& bundle) {
  std::map<uint32_t, Prediction> out;
  for (const isa::Instruction& in : isa::DecodeProgram(bundle.ProgramBytes()).instrs)
    if (!in.IsDma()) out[in.index] = Predict(cfg, in.compute, in.simd);
  return out;
}

}  // namespace nna::perf
