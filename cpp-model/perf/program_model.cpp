#include "perf/program_model.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "isa/program.h"

namespace nna::perf {
namespace {

using isa::Instruction;

constexpr uint64_t kMaxOutstanding = 4;  // nna_dma MaxOutstanding (and the DRAM's default)
constexpr uint64_t kWBufDepth = 4;       // nna_dma WBufDepth: beats between SRAM read and W
constexpr uint64_t k4k = 4096;           // AXI bursts never cross 4 KB
constexpr uint64_t kStuckCycles = 1000;  // nothing runs or moves this long: a flag nobody sets

// One DMA instruction on nna_dma and the DRAM, from the cycle after its start. Each cycle:
// Request (its SRAM request), the grants, then Advance.
class DmaRun {
 public:
  DmaRun(const HwConfig& cfg, const Instruction& in, const DramTiming& dram)
      : d_(cfg.axi_data_bytes),
        max_burst_(cfg.axi_max_burst),
        latency_(dram.latency),
        write_(in.opcode == isa::Opcode::kDmaWrite),
        rows_(in.dma.rows),
        row_bytes_(in.dma.row_bytes),
        dstride_(in.dma.dram_stride),
        sstride_(in.dma.sram_stride),
        planes_(isa::DmaPlanes(in)),
        dps_(in.dma.planes_word ? in.planes.dram_plane_stride : 0),
        sps_(in.dma.planes_word ? in.planes.sram_plane_stride : 0) {
    bw_.Start(in.dma.dram_addr, in.dma.sram_addr, d_);
    dw_ = bw_;
  }

  // Every beat moved and every burst answered: the done pulse of this cycle.
  bool Finished() const { return bw_.done && dw_.done && out_ == 0 && credits_ == 0; }

  void Request(uint64_t c, OtherRequests& o) const {
    if (dw_.done) return;
    const Beat b = BeatOf(dw_);
    if (!write_ && !rready_.empty() && rready_.front() <= c) {
      o.dma_in = true, o.dma_in_addr = b.sram, o.dma_in_last = b.n - 1;
    } else if (write_ && credits_ < kWBufDepth) {
      o.dma_out = true, o.dma_out_addr = b.sram;
    }
  }

  void Advance(uint64_t c, const OtherRequests& o) {
    const uint64_t out = out_, aw = aw_issued_;
    // The burst walker: AR or AW while fewer than 4 bursts are in flight.
    if (!bw_.done && out < kMaxOutstanding) {
      const uint64_t lb = (bw_.ds + row_bytes_ - 1) & ~(d_ - 1);
      const uint64_t len = std::min({max_burst_, (lb - bw_.ba) / d_ + 1, (k4k - bw_.ba % k4k) / d_});
      ++out_;
      if (write_)
        ++aw_issued_;
      else
        rready_.push_back(c + latency_);
      const uint64_t next = bw_.ba + len * d_;
      if (next > lb)
        NextRow(bw_);
      else
        bw_.ba = next;
    }
    if (!write_) {
      if (o.dma_in && o.dma_in_go) {
        if (StepBeat()) rready_.pop_front(), --out_;
      }
      return;
    }
    // DMA_WRITE: the W buffer's head goes to the DRAM once its burst's AW is taken; a burst's B
    // comes latency cycles after its last W beat.
    if (!wq_.empty() && wq_.front().first <= c && w_bursts_ < aw) {
      --credits_;
      if (wq_.front().second) bq_.push_back(c + latency_), ++w_bursts_;
      wq_.pop_front();
    }
    if (!bq_.empty() && bq_.front() <= c) bq_.pop_front(), --out_;
    if (o.dma_out && o.dma_out_go) {
      ++credits_;
      wq_.push_back({c + 2, StepBeat()});  // the response, then the W buffer
    }
  }

 private:
  struct Walk {
    uint64_t plane = 0, row = 0, ds = 0, ss = 0, ps = 0, pss = 0, ba = 0, bcnt = 0;
    bool done = false;
    void Start(uint64_t dram, uint64_t sram, uint64_t d) {
      ds = ps = dram, ss = pss = sram, ba = dram & ~(d - 1);
    }
  };
  struct Beat {
    uint64_t sram, n;
    bool last_row, last_burst;
  };

  Beat BeatOf(const Walk& w) const {
    const uint64_t de = w.ds + row_bytes_, lb = (de - 1) & ~(d_ - 1), end = w.ba + d_;
    const uint64_t lo = std::max(w.ba, w.ds), hi = std::min(end, de);
    const bool last_row = w.ba == lb;
    return {w.ss + (lo - w.ds), hi - lo, last_row, last_row || end % k4k == 0 || w.bcnt + 1 == max_burst_};
  }
  // The beat walker's next beat; true when the beat was its burst's last.
  bool StepBeat() {
    const Beat b = BeatOf(dw_);
    dw_.bcnt = b.last_burst ? 0 : dw_.bcnt + 1;
    if (b.last_row)
      NextRow(dw_);
    else
      dw_.ba += d_;
    return b.last_burst;
  }
  void NextRow(Walk& w) const {
    const bool plane_end = w.row + 1 == rows_;
    if (plane_end && w.plane + 1 == planes_) {
      w.done = true;
      return;
    }
    const uint64_t nds = plane_end ? w.ps + dps_ : w.ds + dstride_;
    const uint64_t nss = plane_end ? w.pss + sps_ : w.ss + sstride_;
    if (plane_end) ++w.plane, w.ps = nds, w.pss = nss;
    w.row = plane_end ? 0 : w.row + 1;
    w.ds = nds, w.ss = nss, w.ba = nds & ~(d_ - 1);
  }

  const uint64_t d_, max_burst_, latency_;
  const bool write_;
  const uint64_t rows_, row_bytes_, dstride_, sstride_, planes_, dps_, sps_;
  Walk bw_, dw_;
  uint64_t out_ = 0;             // bursts in flight: AR without its last R beat, AW without its B
  std::deque<uint64_t> rready_;  // read bursts in flight: the cycle their first beat may come
  uint64_t credits_ = 0;         // DMA-out beats read and not yet sent
  std::deque<std::pair<uint64_t, bool>> wq_;  // W beats: the cycle each may go, burst's last
  uint64_t aw_issued_ = 0, w_bursts_ = 0;     // AW handshakes; bursts whose last W went
  std::deque<uint64_t> bq_;                   // B responses: the cycle each may come
};

// The program load (nna_cmd_seq): one DMA_READ row of the program's words.
Instruction LoadInstr(const Bundle& b) {
  Instruction in;
  in.opcode = in.dma.opcode = isa::Opcode::kDmaRead;
  in.dma.sram_addr = b.prog_sram_addr;
  in.dma.dram_addr = b.prog_dram_addr;
  in.dma.row_bytes = b.prog_words * isa::kWordBytes;
  in.dma.rows = 1;
  return in;
}

bool FlagsAllow(const Instruction& in, uint64_t flags) {
  return (flags & in.WaitSet()) == in.WaitSet() && (flags & in.WaitClear()) == 0;
}

}  // namespace

ProgramPrediction PredictWholeProgram(const HwConfig& cfg, const Bundle& bundle, const DramTiming& dram) {
  ProgramPrediction r;
  const isa::DecodedProgram prog = isa::DecodeProgram(bundle.ProgramBytes());
  if (prog.error)
    r.note = "the program stops decoding early: only the instructions before the bad one are modelled";
  const std::vector<Instruction>& instrs = prog.instrs;
  SramState sram;

  // Cycle 0: the start; 1: the load command; the load's done pulse starts the network sequencer.
  uint64_t c = 1;
  {
    const Instruction load = LoadInstr(bundle);
    DmaRun run(cfg, load, dram);
    for (++c; !run.Finished(); ++c) {
      OtherRequests o;
      run.Request(c, o);
      GrantOthers(cfg, sram, o);
      run.Advance(c, o);
    }
    r.load_cycles = c;
    ++c;  // the network sequencer fetches from the cycle after the load's done
  }

  // nna_net_seq: fetch, queues, flags, engines.
  enum class St { kFetch, kPush, kDrain } st = St::kFetch;
  uint64_t wptr = 0, req = 0, rsp = 0, need = 1;
  uint32_t idx = 0;
  bool rsp_due = false;  // a word granted last cycle answers in this one
  std::deque<uint32_t> dq, cq;
  uint64_t flags = 0;
  std::unique_ptr<DmaRun> dma;
  std::unique_ptr<ComputeRun> comp;
  uint32_t dma_idx = 0, comp_idx = 0;
  uint64_t idle = 0;  // cycles without an engine running or a fetch moving
  const uint64_t words = bundle.prog_words;
  for (;; ++c) {
    // The end: fetching over, queues empty, both engines idle (the done interrupt's cycle).
    if (st == St::kDrain && dq.empty() && cq.empty() && !dma && !comp) break;
    // What the registered state decides: the engines' done pulses and starts, the push.
    const bool dma_done = dma && dma->Finished();
    const bool dma_fire = !dma && !dq.empty() && FlagsAllow(instrs[dq.front()], flags);
    const bool comp_fire = !comp && !cq.empty() && FlagsAllow(instrs[cq.front()], flags);
    const bool pushing = st == St::kPush;
    const bool push_dma = pushing && instrs[idx].IsDma();
    const bool push_ok =
        pushing && (push_dma ? dq.size() < cfg.queues_dma_depth : cq.size() < cfg.queues_compute_depth);

    // The SRAM: program fetch, the DMA's beat, the compute instruction's ports.
    OtherRequests o;
    o.fetch = st == St::kFetch && req < need && wptr < words && idx < instrs.size();
    o.fetch_addr = bundle.prog_sram_addr + wptr * isa::kWordBytes;
    o.hurry = push_dma && !push_ok && cq.size() < cfg.queues_compute_depth;
    if (dma && !dma_done) dma->Request(c, o);
    const bool comp_done = comp ? comp->Step(o) : (GrantOthers(cfg, sram, o), false);
    if (dma && !dma_done) dma->Advance(c, o);

    // Fetch and decode, from the cycle's registered counts.
    const uint64_t rsp_q = rsp, req_q = req, need_q = need, wptr_q = wptr;
    const bool progress = o.fetch_go || rsp_due || push_ok || dma || comp || dma_fire || comp_fire;
    if (rsp_due && st == St::kFetch) {
      if (rsp_q == 0) need = instrs[idx].words;
      ++rsp;
    }
    rsp_due = o.fetch_go;
    if (o.fetch_go) ++wptr, ++req;
    if (st == St::kFetch) {
      if (rsp_q != 0 && rsp_q == need_q)
        st = St::kPush;
      else if ((req_q == 0 && wptr_q == words) || idx >= instrs.size())
        st = St::kDrain;
    } else if (push_ok) {
      (push_dma ? dq : cq).push_back(idx);
      st = St::kFetch;
      ++idx;
      req = rsp = 0, need = 1;
    }

    // Completions (DMA first, then compute), then starts: an engine runs from the next cycle.
    if (dma_done) {
      r.spans[dma_idx].end = c;
      flags = (flags | instrs[dma_idx].DoneSet()) & ~instrs[dma_idx].DoneClear();
      dma.reset();
    }
    if (comp_done) {
      r.spans[comp_idx].end = c;
      const Prediction& p = comp->Result();
      for (size_t k = 0; k < kNumCauses; ++k) r.causes.by_cause[k] += p.cycles.by_cause[k];
      flags = (flags | instrs[comp_idx].DoneSet()) & ~instrs[comp_idx].DoneClear();
      comp.reset();
    }
    if (dma_fire) {
      dma_idx = dq.front();
      dq.pop_front();
      r.spans[dma_idx].start = c;
      dma = std::make_unique<DmaRun>(cfg, instrs[dma_idx], dram);
    }
    if (comp_fire) {
      comp_idx = cq.front();
      cq.pop_front();
      r.spans[comp_idx].start = c;
      comp = std::make_unique<ComputeRun>(cfg, instrs[comp_idx].compute, instrs[comp_idx].simd, sram);
    }
    idle = progress ? 0 : idle + 1;
    if (idle > kStuckCycles) {
      const uint32_t stuck = !dq.empty() ? dq.front() : !cq.empty() ? cq.front() : idx;
      r.note = "instruction " + std::to_string(stuck) + " never starts: its wait flags are never met";
      break;
    }
  }
  r.cycles = c;
  r.compute_cycles = r.causes.Total();
  return r;
}

}  // namespace nna::perf
