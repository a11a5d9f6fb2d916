#include "compiler/network/lower.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "compiler/assemble.h"
#include "compiler/lowering.h"
#include "isa/program.h"

namespace nna::compiler::network {

namespace {

constexpr int kForever = INT_MAX;  // the last step of a tensor nobody frees (graph outputs)

// An SRAM buffer of activations, live from the step of its first writer to the step of its last
// reader (steps are layer indices, -1 the input load); two buffers whose steps overlap never share
// a byte.
struct Buffer {
  uint64_t bytes = 0;
  int start = 0, end = 0;
  uint64_t addr = 0;  // from the activation area's base
};

// First fit in the order of the first steps: each buffer at the lowest address where no buffer live
// at the same time lies. Returns the bytes in use at most.
uint64_t Allocate(std::vector<Buffer>& bufs) {
  std::vector<size_t> order(bufs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return bufs[a].start < bufs[b].start; });
  std::vector<size_t> placed;
  uint64_t peak = 0;
  for (const size_t i : order) {
    Buffer& b = bufs[i];
    std::vector<std::pair<uint64_t, uint64_t>> taken;  // [addr, end) of the buffers live with b
    for (const size_t j : placed)
      if (bufs[j].end >= b.start) taken.push_back({bufs[j].addr, bufs[j].addr + bufs[j].bytes});
    std::sort(taken.begin(), taken.end());
    uint64_t at = 0;
    for (const auto& [lo, hi] : taken) {
      if (at + b.bytes <= lo) break;
      at = std::max(at, AlignUp(hi));
    }
    b.addr = at;
    peak = std::max(peak, at + b.bytes);
    placed.push_back(i);
  }
  return peak;
}

// The 16 dependency flags. One per weight slot belongs to it for the whole program; the others are
// taken by the instruction that sets them and given back when the instruction of the other queue
// that waits for them (and clears them) is emitted. A flag taken again makes its new setter wait
// until the previous use was cleared, so each flag alternates between one setter and one clearer
// (docs/memory.md, "Races"), and every wait refers to an earlier instruction of the program. A
// flag is taken again only by a setter of the same queue as its last one: then its next waiter
// runs in the queue of the last clearer, after it, and cannot mistake the last use's set for
// its own.
class Flags {
 public:
  Flags(const std::string& where, uint32_t slots) : where_(where), slots_(slots) {}
  uint64_t Slot(uint32_t s) const { return uint64_t(1) << s; }
  uint64_t Take(isa::Instruction& setter) {
    for (uint32_t f = slots_; f < isa::kNumFlags; ++f) {
      const uint64_t bit = uint64_t(1) << f;
      if ((busy_ & bit) || ((used_ & bit) && bool(dma_set_ & bit) != setter.IsDma())) continue;
      busy_ |= bit;
      extent_ = std::max(extent_, f + 1 - slots_);
      dma_set_ = setter.IsDma() ? dma_set_ | bit : dma_set_ & ~bit;
      if (used_ & bit) WaitClear(setter) |= bit;
      used_ |= bit;
      DoneSet(setter) |= bit;
      return bit;
    }
    throw CompileError(where_ + " needs more than the " + std::to_string(isa::kNumFlags - slots_) +
                       " dependency flags its " + std::to_string(slots_) +
                       " weight slots leave at instruction " + std::to_string(setter.index));
  }
  // Flags taken beyond the slots' so far. Take's choices do not depend on the number of slots
  // (only shifted by it), so an emission with 2 slots tells how many slots leave enough.
  uint32_t Extent() const { return extent_; }
  // The clearer: waits for the flags, clears them when done; they are free again.
  void Consume(isa::Instruction& clearer, uint64_t bits) {
    WaitSet(clearer) |= bits;
    DoneClear(clearer) |= bits;
    busy_ &= ~bits;
  }

 private:
  static uint64_t& WaitClear(isa::Instruction& in) {
    return in.IsDma() ? in.dma.wait_clear : in.compute.wait_clear;
  }
  static uint64_t& WaitSet(isa::Instruction& in) {
    return in.IsDma() ? in.dma.wait_set : in.compute.wait_set;
  }
  static uint64_t& DoneSet(isa::Instruction& in) {
    return in.IsDma() ? in.dma.done_set : in.compute.done_set;
  }
  static uint64_t& DoneClear(isa::Instruction& in) {
    return in.IsDma() ? in.dma.done_clear : in.compute.done_clear;
  }
  std::string where_;
  uint32_t slots_;
  uint32_t extent_ = 0;
  uint64_t busy_ = 0, used_ = 0, dma_set_ = 0;
};

// One compute instruction: a layer, or an output-channel chunk of it, or a column strip of a
// standalone pool.
struct Job {
  int layer = 0;
  LayerSpec spec;
  Lowering x;
  std::vector<isa::SimdInstr> simd;
  std::vector<uint8_t> params, weights;  // streamed into a slot: params, then weights (aligned)
  uint32_t c0 = 0;                       // first output channel of the layer written
  uint32_t in_c0 = 0;                    // first input channel read (a chunk of groups)
  // A column strip of a standalone pool: input columns from in_col0; pooled columns skip ..
  // skip + count - 1 of the strip are the layer's columns out_col0 ..; `temp` its pooled output.
  bool strip = false;
  uint32_t in_col0 = 0, out_col0 = 0, skip = 0, count = 0;
  int temp = -1;
  // A region of a conv (ConvRegion): input rows from in_row0, output rows out_row0 .. + rows
  // (columns out_col0 .. + count); stitched by DMA as a strip when `strip`, else written in place.
  bool region = false;
  uint32_t in_row0 = 0, out_row0 = 0, rows = 0;
  bool plane_rows = false;  // a global average pool reading its input's planes as rows (PlaneRowsJob)
  bool last_of_layer = false;

  uint64_t StreamBytes() const { return AlignUp(params.size()) + weights.size(); }
};

class Lowerer {
 public:
  Lowerer(const QuantNetwork& q, const HwConfig& cfg, const LowerOptions& options)
      : q_(q),
        net_(q.net),
        cfg_(cfg),
        budget_(options.sram_budget ? std::min(options.sram_budget, cfg.sram_bytes) : cfg.sram_bytes),
        max_slots_(options.max_weight_slots) {
    if (max_slots_ < 2 || max_slots_ > isa::kNumFlags / 2)
      throw CompileError(net_.file + ": the lowering's limit of " + std::to_string(max_slots_) +
                         " weight slots is outside 2 to " + std::to_string(isa::kNumFlags / 2) +
                         " (each slot keeps a dependency flag; half of them stay for the buffers)");
  }

  LoweredNetwork Run() {
    Views();
    // Partitioning: the weight slots get what the program and the activations leave; a layer whose
    // weights do not fit a slot is split by output channels, which lengthens the program; a few
    // rounds settle it.
    // When even the smallest chunks do not fit beside the activations, a tensor live across the
    // busiest step waits in DRAM instead (Spill), and the rounds go on.
    uint64_t slot_limit = UINT64_MAX;
    for (int round = 0;; ++round) {
      slots_ = 2;  // the partitioning plans for two; the slots left over are added after it
      Jobs(slot_limit);
      Buffers();
      slot_ = 0;
      for (const Job& j : jobs_) slot_ = std::max(slot_, AlignUp(j.StreamBytes()));
      prog_bytes_ = MeasureProgram();
      const uint64_t fixed = AlignUp(prog_bytes_) + act_peak_;
      if (fixed + 2 * slot_ <= budget_) {
        // The SRAM left holds more slots: the stream of job k then starts once job k - slots_ is
        // done, so the DMA queue runs that many compute instructions ahead.
        // At most one per job, and leaving the flags the buffers took with two.
        const uint64_t most = std::min<uint64_t>(
            {max_slots_, std::max<size_t>(jobs_.size(), 2), isa::kNumFlags - flags_taken_});
        slots_ = uint32_t(std::clamp<uint64_t>((budget_ - fixed) / std::max<uint64_t>(slot_, 1), 2,
                                               std::max<uint64_t>(most, 2)));
        break;
      }
      if (fixed + 2 * AlignUp(min_slot_) > budget_) {
        if (round < 64 && SpillOne()) continue;
        throw CompileError(
            net_.file + ": the program (" + std::to_string(prog_bytes_) + " bytes) and the activations (" +
            std::to_string(act_peak_) + " bytes at most, at layer '" + peak_layer_ + "', after " +
            std::to_string(spills_.size()) + " spilled to DRAM) leave less than two weight slots of " +
            std::to_string(min_slot_) + " bytes (the largest smallest chunk) in the " +
            std::to_string(budget_) + " bytes of SRAM of '" + cfg_.name + "'");
      }
      if (round == 64) throw std::logic_error("nnac: the network's partitioning does not settle");
      slot_limit = (budget_ - fixed) / 2 / kAlign * kAlign;
    }
    return Emit();
  }

 private:
  std::string Where(const std::string& layer) const { return net_.file + ", layer '" + layer + "'"; }
  Doc DocOf(int layer) const { return Doc(Where(net_.layers[size_t(layer)].name)); }
  static size_t Slot(int tensor) { return size_t(tensor + 1); }  // kInput at 0

  // Concat: no instruction; its inputs are channel slices of its buffer (nested concats alike).
  void Views() {
    const size_t n = net_.layers.size();
    root_.assign(n + 1, 0);
    offset_.assign(n + 1, 0);
    for (size_t t = 0; t <= n; ++t) root_[t] = int(t) - 1;
    std::vector<int> in_concat(n + 1, -1);
    for (size_t i = n; i-- > 0;) {
      const Layer& l = net_.layers[i];
      if (l.op != Op::kConcat) continue;
      uint32_t at = offset_[Slot(int(i))];
      for (const int t : l.inputs) {
        if (in_concat[Slot(t)] >= 0)
          throw CompileError(Where(l.name) + " concatenates '" + net_.NameOf(t) + "', which concat '" +
                             net_.layers[size_t(in_concat[Slot(t)])].name +
                             "' reads too: a tensor is a slice of one concat's buffer only");
        in_concat[Slot(t)] = int(i);
        root_[Slot(t)] = root_[Slot(int(i))];
        offset_[Slot(t)] = at;
        at += net_.ShapeOf(t).c;
      }
    }
    // Each root's planar layout (plane padding as Compile's) and its steps.
    layout_.clear();
    for (size_t t = 0; t <= n; ++t) {
      if (root_[t] != int(t) - 1) continue;
      const Shape s = net_.ShapeOf(root_[t]);
      // A global average pool run as plane rows writes its C bytes as one dense row.
      const bool pad = root_[t] < 0 || !PlaneRows(q_.layers[size_t(root_[t])]);
      layout_[root_[t]] = Planar(Doc(Where(net_.NameOf(root_[t]))), "output", s.c, s.h, s.w, cfg_, pad);
    }
  }

  int RootOf(int t) const { return root_[Slot(t)]; }
  uint64_t PlaneStrideOf(int t) const { return layout_.at(RootOf(t)).plane_stride; }

  // The chunks of a layer by output channels, each streaming at most `limit` bytes.
  void Jobs(uint64_t limit) {
    jobs_.clear();
    for (size_t i = 0; i < net_.layers.size(); ++i) {
      const QuantLayer& ql = q_.layers[i];
      if (ql.op == Op::kConcat) continue;
      if (ql.op == Op::kMaxPool || ql.op == Op::kAvgPool)
        PoolJobs(int(i), limit);
      else if (!ql.regions.empty())
        RegionJobs(int(i), limit);
      else
        LayerJobs(int(i), limit);
      jobs_.back().last_of_layer = true;
    }
  }

  // A layer's spec with its program and parameters, ready for Lower.
  LayerSpec SpecOfLayer(const QuantLayer& ql) const {
    LayerSpec s = *ql.spec;
    if (!ql.rescale) s.simd = ql.simd;  // the rescaled add's program comes from its RescaleProgram
    s.params = ql.params;
    s.lut = ql.lut;
    return s;
  }

  // The spec of output channels [c0, c0 + cc) of a layer (a chunk of groups reads its groups' input
  // channels from *in_c0).
  static LayerSpec ChunkSpec(const LayerSpec& whole, uint32_t c0, uint32_t cc, uint32_t* in_c0) {
    LayerSpec s = whole;
    *in_c0 = 0;
    if (s.op != LayerOp::kInnerProduct && s.groups > 1) {
      const uint32_t gin = s.in_c / s.groups, gout = s.out_c / s.groups;
      *in_c0 = c0 / gout * gin;
      s.groups = cc / gout;
      s.in_c = s.groups * gin;
    }
    s.out_c = cc;
    if (!whole.params.empty()) s.params.assign(whole.params.begin() + c0, whole.params.begin() + c0 + cc);
    return s;
  }

  // What a chunk of cc channels streams: its parameters, then its weight tiles.
  uint64_t StreamBytes(int layer, const LayerSpec& whole, uint32_t cc) const {
    uint32_t in_c0 = 0;
    const LayerSpec s = ChunkSpec(whole, 0, cc, &in_c0);
    const Lowering x = Lower(DocOf(layer), s, cfg_);
    return AlignUp(uint64_t(cc) * isa::ChannelParamsRecord::kBytes + s.lut.size()) +
           (SimdOnly(s.op) ? 0 : x.ch_tiles * x.wt_tile_bytes);
  }

  Job Chunk(int layer, const LayerSpec& whole, const ref::Weights& w, uint32_t c0, uint32_t cc) const {
    Job j;
    j.layer = layer;
    j.c0 = c0;
    j.spec = ChunkSpec(whole, c0, cc, &j.in_c0);
    j.x = Lower(DocOf(layer), j.spec, cfg_);
    const QuantLayer& ql = q_.layers[size_t(layer)];
    j.simd = SimdProgramOf(j.spec, ql.rescale ? &*ql.rescale : nullptr);
    j.params = ParamBytes(j.spec.params, j.spec.lut);  // each chunk's table after its parameters
    if (!SimdOnly(j.spec.op)) {
      ref::Weights part(cc, w.cin, w.r, w.s, w.is_signed);
      const size_t per = size_t(w.cin) * w.r * w.s;
      std::copy(w.data.begin() + long(c0 * per), w.data.begin() + long((c0 + cc) * per), part.data.begin());
      j.weights = WeightBytes(j.spec, part, cfg_);
    }
    return j;
  }

  // Output-channel chunks of a layer: the most units (an array tile of channels, or a whole group)
  // whose channels fit the SIMD parameter entries and whose stream fits `limit`, and the chunks of
  // that size.
  void Split(int layer, const LayerSpec& s, const ref::Weights& w, uint64_t limit,
             std::vector<Job>* out) const {
    const bool grouped = s.op != LayerOp::kInnerProduct && s.groups > 1;
    const uint32_t unit =
        grouped ? s.out_c / s.groups : std::min<uint32_t>(s.out_c, uint32_t(cfg_.array_rows));
    const uint32_t units = (s.out_c + unit - 1) / unit;
    const uint64_t entries = cfg_.simd_param_entries;
    if (unit > entries)
      throw CompileError(Where(net_.layers[size_t(layer)].name) + " has groups of " + std::to_string(unit) +
                         " output channels, more than the " + std::to_string(entries) +
                         " SIMD parameter entries of '" + cfg_.name + "' that one instruction can use");
    auto channels = [&](uint32_t u) { return std::min(s.out_c, u * unit); };
    min_slot_ = std::max(min_slot_, StreamBytes(layer, s, channels(1)));
    uint32_t lo = 1, hi = std::min<uint32_t>(units, uint32_t(entries / unit));  // then the largest that fits
    if (StreamBytes(layer, s, channels(hi)) > limit) {
      if (StreamBytes(layer, s, channels(1)) > limit)  // Run keeps the slots at least min_slot_
        throw std::logic_error("nnac: a weight slot smaller than a layer's smallest chunk");
      while (lo + 1 < hi) {
        const uint32_t mid = (lo + hi) / 2;
        (StreamBytes(layer, s, channels(mid)) <= limit ? lo : hi) = mid;
      }
      hi = lo;
    }
    const uint32_t size = channels(hi);
    for (uint32_t c0 = 0; c0 < s.out_c; c0 += size)
      out->push_back(Chunk(layer, s, w, c0, std::min(size, s.out_c - c0)));
  }

  void LayerJobs(int layer, uint64_t limit) {
    const QuantLayer& ql = q_.layers[size_t(layer)];
    const LayerSpec s = SpecOfLayer(ql);
    if (PlaneRows(ql)) {
      jobs_.push_back(PlaneRowsJob(layer, s));
      min_slot_ = std::max(min_slot_, jobs_.back().StreamBytes());
      return;
    }
    Split(layer, s, ql.weights, limit, &jobs_);
  }

  // A global average pool whose plane fits the kernel_w field runs as plane rows: its input, C
  // planes of H*W bytes plane_stride apart, is read as ONE channel of C rows of H*W columns (row
  // stride the plane stride), and a 1 x H*W CONV of weights 1 sums each row, so output pixel c is
  // channel c's sum, requantized by the multiplier all its channels share: the bytes of the
  // depthwise conv Compile builds, from one output channel and H*W x array.rows bytes of weights
  // instead of a channel tile of ones per channel (docs/architecture.md).
  static bool PlaneRows(const QuantLayer& ql) {
    return ql.op == Op::kGlobalAvgPool &&
           uint64_t(ql.spec->in_h) * ql.spec->in_w <= isa::ComputeInstr::kMaxKernelW;
  }

  Job PlaneRowsJob(int layer, const LayerSpec& whole) const {
    const std::vector<uint8_t> first = ParamBytes({whole.params[0]});
    for (const ref::ChannelParams& p : whole.params)
      if (ParamBytes({p}) != first)
        throw std::logic_error("nnac: a global average pool's channels have different parameters");
    Job j;
    j.layer = layer;
    j.plane_rows = true;
    LayerSpec& r = j.spec;
    r = whole;
    r.global_avg_pool = false;
    r.in_c = r.out_c = r.groups = 1;
    r.in_h = whole.in_c;
    r.in_w = r.kernel_w = whole.in_h * whole.in_w;
    r.kernel_h = 1;
    r.params.assign(1, whole.params[0]);
    j.x = Lower(DocOf(layer), r, cfg_);
    j.simd = SimdProgramOf(r, nullptr);
    j.params = ParamBytes(r.params, r.lut);
    ref::Weights ones(1, 1, 1, r.kernel_w, r.wt_signed);
    std::fill(ones.data.begin(), ones.data.end(), uint8_t(1));
    j.weights = WeightBytes(r, ones, cfg_);
    return j;
  }

  // A pool the hardware could not fuse: a depthwise 1x1 identity CONV (weight 1, bias 0, scale 1,
  // shift 0: the output byte is the input byte, int8 or uint8) with the pool fused. When the
  // input's rows are wider than the line buffer (array.cols), column strips each read a window of
  // the input (in_row_stride) into a buffer of their own; DMA stitches them through DRAM.
  void PoolJobs(int layer, uint64_t limit) {
    const QuantLayer& ql = q_.layers[size_t(layer)];
    const Shape in = net_.ShapeOf(ql.inputs[0]);
    const Shape out = net_.layers[size_t(layer)].out;
    LayerSpec s;
    s.op = LayerOp::kConv;
    // Groups of g channels (the largest divisor of C up to the array's rows), each an identity
    // matrix: g terms feed g rows at once, where a depthwise identity (g = 1) kept one row busy.
    uint32_t g = std::min<uint32_t>(in.c, uint32_t(cfg_.array_rows));
    while (in.c % g != 0) --g;
    s.in_c = s.out_c = in.c;
    s.groups = in.c / g;
    s.in_h = in.h, s.in_w = in.w;
    s.in_signed = s.out_signed = net_.SignedOf(ql.inputs[0]);
    s.wt_signed = true;
    s.relu = false;
    s.pool = LayerSpec::Pool{ql.op == Op::kMaxPool ? isa::PoolOp::kMax : isa::PoolOp::kAvg, ql.pool_size,
                             ql.pool_stride, ql.pool_pad};
    s.params.assign(in.c, ref::ChannelParams{});  // bias 0, scale 1, shift 0, zero point 0
    ref::Weights w(in.c, g, 1, 1, true);
    for (uint32_t co = 0; co < in.c; ++co) w.data[size_t(co) * g + co % g] = 1;
    const uint32_t n = uint32_t(cfg_.array_cols), k = ql.pool_size, st = ql.pool_stride, pd = ql.pool_pad;
    if (in.w <= n && out.w <= n) {
      Split(layer, s, w, limit, &jobs_);
      return;
    }
    // Strips of pooled columns [p0, p0 + count): the first reads from column 0 with the left
    // padding; the others start `skip` pooled columns early so that none they keep sees padding.
    const uint32_t skip = (pd + st - 1) / st;
    std::vector<Job> chunks;  // by channels first, on a strip-wide spec (the width changes no stream byte)
    LayerSpec narrow = s;
    narrow.in_w = n;
    Split(layer, narrow, w, limit, &chunks);
    for (const Job& c : chunks) {
      for (uint32_t p0 = 0; p0 < out.w;) {
        const uint32_t sk = p0 == 0 ? 0 : skip;
        const int64_t col0 = int64_t(p0 - sk) * st;  // the strip's column 0 (pooled column sk is p0)
        // widest strip: (sk + count - 1)*st - pd + k <= n columns
        const int64_t most = (int64_t(n) + pd - k) / st - sk + 1;
        if (most < 1)
          throw CompileError(Where(ql.name) + " pools " + std::to_string(in.w) + "-wide rows with a " +
                             std::to_string(k) + "x" + std::to_string(k) + " window, stride " +
                             std::to_string(st) + ", pad " + std::to_string(pd) +
                             ", which no column strip of " + std::to_string(n) + " pixels can hold");
        const uint32_t count = std::min<uint32_t>(uint32_t(most), out.w - p0);
        const int64_t end = std::min<int64_t>(in.w, int64_t(p0 + count - 1) * st - pd + k);
        Job j = c;
        j.strip = true;
        j.in_col0 = uint32_t(col0);
        j.out_col0 = p0;
        j.skip = sk;
        j.count = count;
        j.spec.in_w = uint32_t(end - col0);
        j.x = Lower(DocOf(layer), j.spec, cfg_);
        if (j.x.res_w < sk + count) throw std::logic_error("nnac: a pool strip lost pooled columns");
        jobs_.push_back(j);
        p0 += count;
      }
    }
  }

  // A conv computed by regions (ConvRegion), each a conv of its own on its window of the input (read
  // at the input's row stride). Regions of whole rows write their rows of the output in place (an
  // address offset); a narrower one cannot (a CONV writes dense rows: out_row_stride is out_w), so
  // then every region writes a buffer of its own, which DMA stitches as a pool's column strips.
  void RegionJobs(int layer, uint64_t limit) {
    const QuantLayer& ql = q_.layers[size_t(layer)];
    const LayerSpec whole = SpecOfLayer(ql);
    const Shape out = net_.layers[size_t(layer)].out;
    const bool stitched = std::any_of(ql.regions.begin(), ql.regions.end(),
                                      [&](const ConvRegion& r) { return r.cols != out.w; });
    for (const ConvRegion& r : ql.regions) {
      uint32_t in_row0 = 0, in_col0 = 0;
      const LayerSpec s = RegionSpec(whole, r, &in_row0, &in_col0);
      std::vector<Job> chunks;
      Split(layer, s, r.weights, limit, &chunks);
      for (Job& j : chunks) {
        if (j.x.res_h != r.rows || j.x.res_w != r.cols)
          throw std::logic_error("nnac: a conv region's instruction computes another size");
        j.region = true, j.strip = stitched;
        j.in_row0 = in_row0, j.in_col0 = in_col0;
        j.out_row0 = r.row0, j.rows = r.rows, j.out_col0 = r.col0, j.count = r.cols;
        jobs_.push_back(j);
      }
    }
  }

  // Every buffer and its steps: the roots (a layer's tensor with its concat slices) and the strip
  // buffers (live until the pooled tensor's last reader, after the DMA that stitched them).
  void Buffers() {
    const size_t n = net_.layers.size();
    std::map<int, int> index;  // root -> buffer
    bufs_.clear();
    for (const auto& [root, lay] : layout_) {
      index[root] = int(bufs_.size());
      bufs_.push_back({lay.sram_bytes, INT_MAX, INT_MIN, 0});
    }
    auto touch = [&](int tensor, int step) {
      Buffer& b = bufs_[size_t(index.at(RootOf(tensor)))];
      b.start = std::min(b.start, step);
      b.end = std::max(b.end, step);
    };
    touch(kInput, -1);
    std::vector<bool> read(n + 1, false);
    for (size_t i = 0; i < n; ++i) {
      touch(int(i), int(i));
      for (const int t : net_.layers[i].inputs) touch(t, int(i)), read[Slot(t)] = true;
    }
    for (const int o : net_.outputs) bufs_[size_t(index.at(RootOf(o)))].end = kForever;
    for (size_t i = 0; i < n; ++i)  // a tensor nobody reads stays (a DMA may still write it)
      if (!read[Slot(int(i))]) bufs_[size_t(index.at(RootOf(int(i))))].end = kForever;
    buffer_of_.clear();
    for (const auto& [root, b] : index) buffer_of_[root] = b;
    for (auto& [root, sp] : spills_) {  // the producer's buffer until `before`, another from `after`
      Buffer& first = bufs_[size_t(index.at(root))];
      sp.reload = int(bufs_.size());
      bufs_.push_back({first.bytes, sp.after, first.end, 0});
      first.end = sp.before;
    }
    for (Job& j : jobs_) {
      if (!j.strip) continue;
      const PlanarLayout lay =
          Planar(DocOf(j.layer), "strip", j.spec.out_c, j.x.res_h, j.x.res_w, cfg_, true);
      j.temp = int(bufs_.size());
      temp_layout_[j.temp] = lay;
      bufs_.push_back({lay.sram_bytes, j.layer, bufs_[size_t(buffer_of_.at(RootOf(j.layer)))].end, 0});
    }
    act_peak_ = Allocate(bufs_);
    // The layer at which the most bytes are live, for messages.
    uint64_t most = 0;
    peak_layer_ = "input", peak_step_ = -1;
    for (int step = -1; step < int(n); ++step) {
      uint64_t live = 0;
      for (const Buffer& b : bufs_)
        if (b.start <= step && b.end >= step) live += b.bytes;
      if (live > most) most = live, peak_layer_ = net_.NameOf(step), peak_step_ = step;
    }
  }

  // Parks the largest tensor live across the busiest step without being used there in DRAM for the
  // gap around that step: a layer's own buffer (not a concat's, not the input, not a graph output,
  // not a pool stitched by DMA). False when there is none.
  bool SpillOne() {
    const int s = peak_step_;
    int best = kInput;
    Spill pick;
    uint64_t most = 0;
    for (const auto& [root, lay] : layout_) {
      if (root == kInput || spills_.count(root) || net_.layers[size_t(root)].op == Op::kConcat) continue;
      if (bufs_[size_t(buffer_of_.at(root))].end == kForever) continue;
      bool alone = true, stitched = false;
      for (size_t t = 0; t < root_.size(); ++t) alone &= !(root_[t] == root && int(t) - 1 != root);
      for (const Job& j : jobs_) stitched |= j.layer == root && j.strip;
      if (!alone || stitched) continue;
      std::vector<int> uses{root};
      for (size_t i = 0; i < net_.layers.size(); ++i)
        for (const int t : net_.layers[i].inputs)
          if (t == root) uses.push_back(int(i));
      std::sort(uses.begin(), uses.end());
      for (size_t u = 0; u + 1 < uses.size(); ++u)
        if (uses[u] < s && s < uses[u + 1] && lay.sram_bytes > most)
          most = lay.sram_bytes, best = root, pick = {uses[u], uses[u + 1], -1};
    }
    if (best == kInput) return false;
    spills_[best] = pick;
    return true;
  }

  // The DMA of a tensor (a root or a slice of one) between its SRAM layout and dense DRAM.
  struct TensorDma {
    DmaShape shape;
    uint64_t sram_stride;
  };
  TensorDma DmaOf(int t) const {
    const Shape s = net_.ShapeOf(t);
    const PlanarLayout own = Planar(Doc(Where(net_.NameOf(t))), "output", s.c, s.h, s.w, cfg_, true);
    const bool per_plane = own.dma.rows == s.c && own.dma.row_bytes == uint64_t(s.h) * s.w;
    if (!per_plane && PlaneStrideOf(t) != uint64_t(s.h) * s.w)
      throw std::logic_error("nnac: a dense tensor in a padded concat buffer");
    return {own.dma, per_plane ? PlaneStrideOf(t) : own.sram_stride};
  }

  // Where tensor t is at `step` (a spilled tensor moves to its reload buffer).
  uint64_t TensorAddr(int t, int step) const {
    const auto sp = spills_.find(RootOf(t));
    const int buffer =
        sp != spills_.end() && step >= sp->second.after ? sp->second.reload : buffer_of_.at(RootOf(t));
    return act_base_ + bufs_[size_t(buffer)].addr + offset_[Slot(t)] * PlaneStrideOf(t);
  }

  // DRAM: zero page, program, input, the streams of the jobs, the outputs, the stitching areas, the
  // spilled tensors.
  struct DramMap {
    uint64_t input = 0, end = 0;
    std::vector<uint64_t> streams;  // per job
    std::map<int, uint64_t> outputs, stitches, spills;
  };
  // The program at SRAM 0 and, after a zero page as the single-layer path's, at DRAM 0x1000.
  static constexpr uint64_t kProgSram = 0, kProgDram = 0x1000;
  DramMap PlaceDram(uint64_t prog_bytes) const;
  // Writer layer -> the graph outputs written back after it.
  std::map<int, std::vector<int>> OutputsAfter() const;
  // The table's rows before any instruction: names, ops, outputs and their SRAM.
  LoweredNetwork TableRows() const;
  // Where job j's operands are, its parameters and weights in the slot at slot_sram.
  Operands OperandsOf(const Job& j, uint64_t slot_sram) const;
  void CountChunks(LoweredNetwork* result) const;
  // The bundle: the program, the input, the streams and the outputs' regions and references.
  void AssembleBundle(std::vector<isa::Instruction>& prog, const std::vector<std::string>& owner,
                      const DramMap& dm, uint64_t prog_sram, uint64_t prog_dram,
                      LoweredNetwork* result) const;
  // The program as it is emitted: instructions, their layers, the flags, the loads a reader waits
  // for (root -> flags) and the write-backs of spilled tensors (last use before the gap, flag).
  struct Emission {
    Emission(const std::string& where, uint32_t slots) : flags(where, slots) {}
    size_t Push(isa::Instruction in, const std::string& layer) {
      in.index = uint32_t(prog.size());
      prog.push_back(in);
      owner.push_back(layer);
      return prog.size() - 1;
    }
    Flags flags;
    std::vector<isa::Instruction> prog;
    std::vector<std::string> owner;
    std::map<int, uint64_t> pending;
    std::vector<std::pair<int, uint64_t>> written_back;
  };
  using OutputsMap = std::map<int, std::vector<int>>;
  // The weight slots' SRAM after a program of prog_bytes at kProgSram; sets the activations' base
  // after them.
  using Slots = std::vector<uint64_t>;
  Slots PlaceAfterProgram(uint64_t prog_bytes);
  void Stream(Emission& e, size_t k, const Slots& slot_sram, const DramMap& dm) const;
  void WriteOutputs(Emission& e, const OutputsMap& after, const DramMap& dm, int writer, uint64_t flag) const;
  void Stitch(Emission& e, const Job& j, const Operands& at, uint64_t done, const DramMap& dm,
              const OutputsMap& after) const;
  void SpillOut(Emission& e, const Job& j, uint64_t done, const DramMap& dm) const;
  void Reload(Emission& e, const std::vector<int>& roots, uint64_t flag, const DramMap& dm) const;
  void EmitJob(Emission& e, size_t k, const Slots& slot_sram, const DramMap& dm, const OutputsMap& after,
               LoweredNetwork* result) const;
  // The whole program, its compute instructions counted in result's rows.
  Emission EmitProgram(const Slots& slot_sram, const DramMap& dm, LoweredNetwork* result) const;
  // The program's bytes, from an emission at the addresses of an empty program: no instruction's
  // words depend on an address. Sets flags_taken_.
  uint64_t MeasureProgram();
  LoweredNetwork Emit();

  const QuantNetwork& q_;
  const Network& net_;
  const HwConfig& cfg_;
  const uint64_t budget_;
  const uint32_t max_slots_;
  uint32_t slots_ = 2;                       // weight slots, job k's stream in slot k % slots_
  uint32_t flags_taken_ = 0;                 // by the buffers' loads and write-backs (MeasureProgram)
  std::vector<int> root_;                    // per tensor slot: the tensor whose buffer holds it
  std::vector<uint32_t> offset_;             // its first channel there
  std::map<int, PlanarLayout> layout_;       // per root
  std::map<int, int> buffer_of_;             // root -> buffer
  std::map<int, PlanarLayout> temp_layout_;  // strip buffer -> layout
  std::vector<Job> jobs_;
  std::vector<Buffer> bufs_;
  uint64_t act_peak_ = 0, prog_bytes_ = 0, slot_ = 0, act_base_ = 0;
  mutable uint64_t min_slot_ = 0;  // the largest stream of a layer's smallest chunk
  // A tensor that waits in DRAM between its uses `before` and `after` (steps): written back after
  // its producer, read back into buffer `reload` after the last compute instruction before `after`.
  struct Spill {
    int before = 0, after = 0, reload = -1;
  };
  std::map<int, Spill> spills_;  // by root
  int peak_step_ = -1;
  std::string peak_layer_;
};

Lowerer::DramMap Lowerer::PlaceDram(uint64_t prog_bytes) const {
  DramMap m;
  uint64_t dram = AlignUp(kProgDram + prog_bytes);
  m.input = dram;
  dram = AlignUp(dram + net_.input.Elements());
  m.streams.resize(jobs_.size());
  for (size_t k = 0; k < jobs_.size(); ++k)
    m.streams[k] = dram, dram = AlignUp(dram + jobs_[k].StreamBytes());
  for (const int o : net_.outputs)
    if (!m.outputs.count(o)) m.outputs[o] = dram, dram = AlignUp(dram + net_.ShapeOf(o).Elements());
  for (const Job& j : jobs_)
    if (j.strip && !m.stitches.count(j.layer))
      m.stitches[j.layer] = dram, dram = AlignUp(dram + net_.layers[size_t(j.layer)].out.Elements());
  for (const auto& [root, sp] : spills_)
    m.spills[root] = dram, dram = AlignUp(dram + net_.ShapeOf(root).Elements());
  m.end = dram;
  return m;
}

std::map<int, std::vector<int>> Lowerer::OutputsAfter() const {
  // Graph outputs, written back after the last layer that writes a part of them.
  // (a concat's: its latest input that is not a concat itself)
  auto last_writer = [&](int t) {
    int best = kInput;
    std::vector<int> todo{t};
    while (!todo.empty()) {
      const int u = todo.back();
      todo.pop_back();
      if (u != kInput && net_.layers[size_t(u)].op == Op::kConcat)
        todo.insert(todo.end(), net_.layers[size_t(u)].inputs.begin(), net_.layers[size_t(u)].inputs.end());
      else
        best = std::max(best, u);
    }
    return best;
  };
  std::map<int, std::vector<int>> outputs_after;  // writer layer -> outputs written back after it
  for (const int o : net_.outputs) {
    const int w = last_writer(o);
    if (w == kInput)
      throw CompileError(Where(net_.NameOf(o)) + " is a graph output that only copies the network input");
    if (std::find(outputs_after[w].begin(), outputs_after[w].end(), o) == outputs_after[w].end())
      outputs_after[w].push_back(o);
  }
  return outputs_after;
}

LoweredNetwork Lowerer::TableRows() const {
  const size_t n = net_.layers.size();
  LoweredNetwork result;
  result.layers.resize(n);
  for (size_t i = 0; i < n; ++i) {
    result.layers[i].name = net_.layers[i].name;
    result.layers[i].op = ToString(net_.layers[i].op);
    result.layers[i].out = net_.layers[i].out;
    result.layers[i].out_signed = net_.layers[i].out_signed;
    if (!net_.layers[i].fused_pool.empty()) result.layers[i].op += "+" + net_.layers[i].fused_pool;
    if (spills_.count(int(i))) result.layers[i].op += " spilled";
    result.layers[i].out_sram = TensorAddr(int(i), int(i));
    result.layers[i].out_bytes = bufs_[size_t(buffer_of_.at(RootOf(int(i))))].bytes;
    if (RootOf(int(i)) != int(i)) {  // a slice: its planes
      const Shape s = net_.layers[i].out;
      result.layers[i].out_bytes = (s.c - 1) * PlaneStrideOf(int(i)) + uint64_t(s.h) * s.w;
    }
  }
  return result;
}

Operands Lowerer::OperandsOf(const Job& j, uint64_t slot_sram) const {
  const QuantLayer& ql = q_.layers[size_t(j.layer)];
  const int a = ql.inputs[0];
  Operands at;
  at.in_plane_stride = PlaneStrideOf(a);
  if (j.strip || j.region) at.in_row_stride = net_.ShapeOf(a).w;
  at.in_addr =
      TensorAddr(a, j.layer) + j.in_c0 * at.in_plane_stride + j.in_row0 * at.in_row_stride + j.in_col0;
  if (j.plane_rows) at.in_row_stride = at.in_plane_stride;  // channel c is row c
  if (j.x.in_c != j.spec.in_c && at.in_plane_stride != uint64_t(j.spec.in_h) * j.spec.in_w)
    throw CompileError(Where(ql.name) + " reads its input reshaped to " + std::to_string(j.x.in_c) + "x" +
                       std::to_string(j.x.in_h) + "x" + std::to_string(j.x.in_w) +
                       ", which needs dense planes, but they are " + std::to_string(at.in_plane_stride) +
                       " bytes apart");
  if (ql.op == Op::kAdd) {
    const int b = ql.inputs[1];
    if (PlaneStrideOf(b) != at.in_plane_stride)
      throw CompileError(Where(ql.name) + " adds tensors whose planes are " +
                         std::to_string(at.in_plane_stride) + " and " + std::to_string(PlaneStrideOf(b)) +
                         " bytes apart in SRAM; ELTWISE reads both with one plane stride");
    at.in2_addr = TensorAddr(b, j.layer) + j.in_c0 * at.in_plane_stride;
  }
  at.param_addr = slot_sram;
  at.wt_addr = SimdOnly(j.spec.op) ? 0 : slot_sram + AlignUp(j.params.size());
  if (j.strip) {
    at.out_addr = act_base_ + bufs_[size_t(j.temp)].addr;
    at.out_plane_stride = temp_layout_.at(j.temp).plane_stride;
  } else {
    at.out_plane_stride = PlaneStrideOf(j.layer);
    at.out_addr = TensorAddr(j.layer, j.layer) + j.c0 * at.out_plane_stride +
                  uint64_t(j.out_row0) * net_.layers[size_t(j.layer)].out.w;
  }
  return at;
}

void Lowerer::CountChunks(LoweredNetwork* result) const {
  for (size_t i = 0; i < result->layers.size(); ++i) {
    LoweredLayer& row = result->layers[i];
    row.chunks = row.strips = row.instrs ? 1 : 0;
  }
  for (size_t k = 0; k < jobs_.size(); ++k) {  // chunks: distinct first channels; strips per chunk
    const Job& j = jobs_[k];
    LoweredLayer& row = result->layers[size_t(j.layer)];
    if (k > 0 && jobs_[k - 1].layer == j.layer && jobs_[k - 1].c0 != j.c0) ++row.chunks;
  }
  for (LoweredLayer& row : result->layers)
    if (row.chunks) row.strips = row.instrs / row.chunks;
}

void Lowerer::AssembleBundle(std::vector<isa::Instruction>& prog, const std::vector<std::string>& owner,
                             const DramMap& dm, uint64_t prog_sram, uint64_t prog_dram,
                             LoweredNetwork* result) const {
  Bundle& b = result->bundle;
  b.test = net_.name;
  b.config = cfg_.name;
  b.dram.assign(dm.end, 0);
  AssembleProgram(
      prog, owner,
      [&](size_t i, const std::string& what) {
        throw CompileError(Where(owner[i]) + " lowers to instruction " + std::to_string(i) +
                           " whose fields do not fit: " + what);
      },
      prog_sram, prog_dram, &b);
  // The layout was planned for the provisional emission's size; the final one must have it.
  if (b.prog_words * isa::kWordBytes != prog_bytes_)
    throw std::logic_error("nnac: network program size mismatch");
  auto place = [&](uint64_t at, const std::vector<uint8_t>& bytes) { Place(&b, at, bytes); };
  place(dm.input, q_.input.data);
  for (size_t k = 0; k < jobs_.size(); ++k) {
    place(dm.streams[k], jobs_[k].params);
    place(dm.streams[k] + AlignUp(jobs_[k].params.size()), jobs_[k].weights);
  }
  b.regions.push_back({"input",
                       "input",
                       dm.input,
                       net_.input.Elements(),
                       {net_.input.c, net_.input.h, net_.input.w},
                       net_.input_signed});
  if (!jobs_.empty())  // every job's parameters and weights, as streamed
    b.regions.push_back({"weights",
                         "weights",
                         dm.streams[0],
                         dm.streams.back() + jobs_.back().StreamBytes() - dm.streams[0],
                         {},
                         true});
  for (const auto& [o, addr] : dm.outputs) {
    const QuantLayer& ql = q_.layers[size_t(o)];
    const Shape s = net_.ShapeOf(o);
    b.regions.push_back({ql.name, "output", addr, s.Elements(), {s.c, s.h, s.w}, net_.SignedOf(o)});
    b.reference[ql.name] = ql.output.data;
  }
  // Utilization counts the network's MACs (graph.h's Table), not the array's work for its pools
  // (identity convs) and adds (ELTWISE rows through the array).
  b.macs = TotalMacs(net_);
  for (const LoweredLayer& row : result->layers) result->computes += row.instrs;
  b.sram_end = act_base_ + act_peak_;
  result->slot_bytes = slot_;
  result->slots = slots_;
  result->spills = spills_.size();
  result->act_peak = act_peak_;
  result->sram_peak = b.sram_end;
}

// Job k's stream into slot k % slots_: waits until job k - slots_ has cleared the slot's flag.
void Lowerer::Stream(Emission& e, size_t k, const Slots& slot_sram, const DramMap& dm) const {
  const uint32_t s = uint32_t(k % slots_);
  isa::Instruction d =
      isa::MakeDma(isa::Opcode::kDmaRead, slot_sram[s], dm.streams[k], jobs_[k].StreamBytes());
  d.dma.done_set = e.flags.Slot(s);
  if (k >= slots_) d.dma.wait_clear = e.flags.Slot(s);
  e.Push(d, net_.layers[size_t(jobs_[k].layer)].name);
}

// The graph outputs due after `writer`; the first waits for `flag`, the next ones follow it in the
// DMA queue.
void Lowerer::WriteOutputs(Emission& e, const OutputsMap& after, const DramMap& dm, int writer,
                           uint64_t flag) const {
  const auto it = after.find(writer);
  if (it == after.end()) return;
  for (const int o : it->second) {
    const TensorDma d = DmaOf(o);
    isa::Instruction w =
        isa::MakeDma(isa::Opcode::kDmaWrite, TensorAddr(o, int(net_.layers.size())), dm.outputs.at(o),
                     d.shape.row_bytes, d.shape.rows, d.sram_stride, d.shape.row_bytes);
    if (flag) e.flags.Consume(w, flag), flag = 0;
    e.Push(w, net_.NameOf(o));
  }
}

// The kept columns of a strip into the layer's tensor in DRAM; after the last strip the whole
// pooled tensor back into its SRAM buffer.
void Lowerer::Stitch(Emission& e, const Job& j, const Operands& at, uint64_t done, const DramMap& dm,
                     const OutputsMap& after) const {
  const std::string& name = q_.layers[size_t(j.layer)].name;
  const Shape out = net_.layers[size_t(j.layer)].out;
  const PlanarLayout& tl = temp_layout_.at(j.temp);
  const uint32_t rows = j.region ? j.rows : out.h;
  isa::Instruction w = isa::MakeDma3d(
      isa::Opcode::kDmaWrite, at.out_addr + j.skip,
      dm.stitches.at(j.layer) + uint64_t(j.c0) * out.h * out.w + uint64_t(j.out_row0) * out.w + j.out_col0,
      j.count, rows, j.x.res_w, out.w, j.spec.out_c, tl.plane_stride, uint64_t(out.h) * out.w);
  e.flags.Consume(w, done);
  e.Push(w, name);
  if (!j.last_of_layer) return;
  const TensorDma d = DmaOf(j.layer);
  isa::Instruction r =
      isa::MakeDma(isa::Opcode::kDmaRead, TensorAddr(j.layer, j.layer), dm.stitches.at(j.layer),
                   d.shape.row_bytes, d.shape.rows, d.sram_stride, d.shape.row_bytes);
  r.index = uint32_t(e.prog.size());
  e.pending[RootOf(j.layer)] |= e.flags.Take(r);
  e.Push(r, name);
  WriteOutputs(e, after, dm, j.layer, 0);  // after the read in the DMA queue
}

// The tensor to DRAM; the instruction after its last use before the gap waits for it.
void Lowerer::SpillOut(Emission& e, const Job& j, uint64_t done, const DramMap& dm) const {
  const TensorDma d = DmaOf(j.layer);
  isa::Instruction w =
      isa::MakeDma(isa::Opcode::kDmaWrite, TensorAddr(j.layer, j.layer), dm.spills.at(j.layer),
                   d.shape.row_bytes, d.shape.rows, d.sram_stride, d.shape.row_bytes);
  e.flags.Consume(w, done);
  w.index = uint32_t(e.prog.size());
  e.written_back.push_back({spills_.at(j.layer).before, e.flags.Take(w)});
  e.Push(w, q_.layers[size_t(j.layer)].name);
}

// Spilled tensors back into their reload buffers, which the instruction that set `flag` freed; the
// first waits for it, the others follow in the DMA queue.
void Lowerer::Reload(Emission& e, const std::vector<int>& roots, uint64_t flag, const DramMap& dm) const {
  for (const int root : roots) {
    const TensorDma d = DmaOf(root);
    isa::Instruction r =
        isa::MakeDma(isa::Opcode::kDmaRead, TensorAddr(root, spills_.at(root).after), dm.spills.at(root),
                     d.shape.row_bytes, d.shape.rows, d.sram_stride, d.shape.row_bytes);
    if (flag) e.flags.Consume(r, flag), flag = 0;
    r.index = uint32_t(e.prog.size());
    e.pending[root] |= e.flags.Take(r);
    e.Push(r, net_.NameOf(root));
  }
}

// Job k's compute instruction, waiting for its slot, its inputs' loads and the write-backs of the
// buffers it reuses; then the DMA it makes due (stitch, outputs, spill, reloads).
void Lowerer::EmitJob(Emission& e, size_t k, const Slots& slot_sram, const DramMap& dm,
                      const OutputsMap& after, LoweredNetwork* result) const {
  const Job& j = jobs_[k];
  const QuantLayer& ql = q_.layers[size_t(j.layer)];
  const uint32_t s = uint32_t(k % slots_);
  const Operands at = OperandsOf(j, slot_sram[s]);
  isa::Instruction c = ComputeInstruction(DocOf(j.layer), j.spec, j.x, j.simd, at, cfg_);
  c.index = uint32_t(e.prog.size());
  c.compute.wait_set = e.flags.Slot(s);
  c.compute.done_clear = e.flags.Slot(s);
  for (const int t : ql.inputs) {
    const auto p = e.pending.find(RootOf(t));
    if (p != e.pending.end()) e.flags.Consume(c, p->second), e.pending.erase(p);
  }
  // A spilled tensor's buffer is free for the instructions after its last use before the gap
  // once its write-back is done.
  for (auto it = e.written_back.begin(); it != e.written_back.end();)
    if (it->first < j.layer)
      e.flags.Consume(c, it->second), it = e.written_back.erase(it);
    else
      ++it;
  const bool stitches = j.strip;
  const bool writes_outputs = j.last_of_layer && !stitches && after.count(j.layer);
  const uint64_t done = stitches || writes_outputs ? e.flags.Take(c) : 0;
  const bool spills = j.last_of_layer && spills_.count(j.layer);
  const uint64_t spill_done = spills ? e.flags.Take(c) : 0;
  std::vector<int> reloads;  // spilled tensors whose first use after the gap is the next instruction's layer
  for (const auto& [root, sp] : spills_)
    if (j.layer < sp.after && k + 1 < jobs_.size() && jobs_[k + 1].layer >= sp.after) reloads.push_back(root);
  const uint64_t reload_done = reloads.empty() ? 0 : e.flags.Take(c);
  const size_t ci = e.Push(c, ql.name);

  LoweredLayer& row = result->layers[size_t(j.layer)];
  row.instrs += 1;
  row.stream_bytes += j.StreamBytes();
  row.computes.push_back(uint32_t(ci));
  row.macs += isa::Macs(e.prog[ci].compute);

  if (stitches)
    Stitch(e, j, at, done, dm, after);
  else if (writes_outputs)
    WriteOutputs(e, after, dm, j.layer, done);
  if (spills) SpillOut(e, j, spill_done, dm);
  Reload(e, reloads, reload_done, dm);
}

Lowerer::Slots Lowerer::PlaceAfterProgram(uint64_t prog_bytes) {
  Slots at(slots_);
  for (uint32_t s = 0; s < slots_; ++s) at[s] = AlignUp(kProgSram + prog_bytes) + s * slot_;
  act_base_ = AlignUp(kProgSram + prog_bytes) + slots_ * slot_;
  return at;
}

Lowerer::Emission Lowerer::EmitProgram(const Slots& slot_sram, const DramMap& dm,
                                       LoweredNetwork* result) const {
  Emission e(net_.file, slots_);
  // The network input.
  const TensorDma d = DmaOf(kInput);
  isa::Instruction in = isa::MakeDma(isa::Opcode::kDmaRead, TensorAddr(kInput, -1), dm.input,
                                     d.shape.row_bytes, d.shape.rows, d.sram_stride, d.shape.row_bytes);
  in.index = uint32_t(e.prog.size());
  e.pending[RootOf(kInput)] |= e.flags.Take(in);
  e.Push(in, "input");
  for (size_t k = 0; k < std::min<size_t>(slots_, jobs_.size()); ++k) Stream(e, k, slot_sram, dm);

  const OutputsMap after = OutputsAfter();
  for (size_t k = 0; k < jobs_.size(); ++k) {
    EmitJob(e, k, slot_sram, dm, after, result);
    if (k + slots_ < jobs_.size()) Stream(e, k + slots_, slot_sram, dm);
  }
  return e;
}

uint64_t Lowerer::MeasureProgram() {
  const Slots slot_sram = PlaceAfterProgram(0);
  LoweredNetwork rows = TableRows();
  const Emission e = EmitProgram(slot_sram, PlaceDram(0), &rows);
  flags_taken_ = e.flags.Extent();
  return ProgramWords(e.prog) * isa::kWordBytes;
}

LoweredNetwork Lowerer::Emit() {
  const Slots slot_sram = PlaceAfterProgram(prog_bytes_);
  const DramMap dm = PlaceDram(prog_bytes_);
  LoweredNetwork result = TableRows();
  Emission e = EmitProgram(slot_sram, dm, &result);
  CountChunks(&result);
  AssembleBundle(e.prog, e.owner, dm, kProgSram, kProgDram, &result);
  return result;
}

}  // namespace

QuantNetwork SubsampleAdds(const QuantNetwork& q, std::vector<std::string>* names) {
  QuantNetwork out = q;
  const std::vector<std::vector<int>> readers = q.net.Consumers();
  for (size_t a = 0; a < q.net.layers.size(); ++a) {
    const Layer& add = q.net.layers[a];
    if (add.op != Op::kAdd || readers[a].empty() || !q.layers[a].spec) continue;
    if (std::find(q.net.outputs.begin(), q.net.outputs.end(), int(a)) != q.net.outputs.end()) continue;
    uint32_t sh = 0, sw = 0;
    bool ok = true;
    for (int r : readers[a]) {
      const Layer& c = q.net.layers[size_t(r)];
      const QuantLayer& qc = q.layers[size_t(r)];
      ok = ok && c.op == Op::kConv && c.inputs.size() == 1 && c.kernel_h == 1 && c.kernel_w == 1 &&
           c.dil_h == 1 && c.dil_w == 1 && c.pad_top == 0 && c.pad_bottom == 0 && c.pad_left == 0 &&
           c.pad_right == 0 && qc.spec && qc.regions.empty() &&
           (sh == 0 || (c.stride_h == sh && c.stride_w == sw));
      sh = c.stride_h, sw = c.stride_w;
    }
    if (!ok || (sh == 1 && sw == 1)) continue;
    const Shape full = add.out;
    const Shape sub{full.c, uint32_t(CeilDiv(full.h, sh)), uint32_t(CeilDiv(full.w, sw))};
    out.net.layers[a].stride_h = sh, out.net.layers[a].stride_w = sw;
    out.net.layers[a].out = sub;
    out.layers[a].spec->stride_h = sh, out.layers[a].spec->stride_w = sw;
    ref::Tensor t(sub.c, sub.h, sub.w, q.layers[a].output.is_signed);  // the reference, subsampled too
    for (uint32_t c = 0; c < sub.c; ++c)
      for (uint32_t h = 0; h < sub.h; ++h)
        for (uint32_t w = 0; w < sub.w; ++w)
          t.data[(size_t(c) * sub.h + h) * sub.w + w] =
              q.layers[a].output.data[(size_t(c) * full.h + h * sh) * full.w + w * sw];
    out.layers[a].output = std::move(t);
    for (int r : readers[a]) {
      out.net.layers[size_t(r)].stride_h = out.net.layers[size_t(r)].stride_w = 1;
      LayerSpec& s = *out.layers[size_t(r)].spec;
      s.stride_h = s.stride_w = 1;
      s.in_h = sub.h, s.in_w = sub.w;
    }
    if (names) names->push_back(add.name);
  }
  return out;
}

LoweredNetwork LowerNetwork(const QuantNetwork& q, const HwConfig& cfg, const LowerOptions& options) {
  if (!options.subsample_adds) return Lowerer(q, cfg, options).Run();
  const QuantNetwork sub = SubsampleAdds(q);
  return Lowerer(sub, cfg, options).Run();
}

LoweredNetwork CompileNetwork(const std::string& name, const std::filesystem::path& vectors_dir,
                              const HwConfig& cfg, const LowerOptions& options) {
  const Network net = FusePools(ParseNetworkFile(FindNetwork(name, vectors_dir)), cfg);
  return LowerNetwork(Quantize(net), cfg, options);
}

std::string FormatLowering(const LoweredNetwork& l) {
  std::string out;
  char buf[320];
  std::snprintf(buf, sizeof buf, "%-4s %-22s %-18s %-17s %6s %6s %6s %10s %10s %10s %13s %11s\n", "#",
                "layer", "op", "output", "instrs", "chunks", "strips", "out@sram", "out bytes", "streamed",
                "MACs", "cycles");
  out += buf;
  for (size_t i = 0; i < l.layers.size(); ++i) {
    const LoweredLayer& r = l.layers[i];
    const std::string shape = std::to_string(r.out.c) + "x" + std::to_string(r.out.h) + "x" +
                              std::to_string(r.out.w) + (r.out_signed ? " i8" : " u8");
    std::snprintf(
        buf, sizeof buf, "%-4zu %-22s %-18s %-17s %6u %6u %6u %#10llx %10llu %10llu %13llu %11llu\n", i,
        r.name.c_str(), r.op.c_str(), shape.c_str(), r.instrs, r.chunks, r.strips,
        (unsigned long long)r.out_sram, (unsigned long long)r.out_bytes, (unsigned long long)r.stream_bytes,
        (unsigned long long)r.macs, (unsigned long long)r.cycles);
    out += buf;
  }
  const Bundle& b = l.bundle;
  std::snprintf(
      buf, sizeof buf,
      "total: %llu compute instructions, %zu instructions, %llu program words; SRAM peak %llu bytes "
      "(%u weight slots of %llu, activations %llu, %llu tensors spilled to DRAM); %llu MACs; predicted %llu "
      "compute cycles\n",
      (unsigned long long)l.computes, b.instrs.size(), (unsigned long long)b.prog_words,
      (unsigned long long)l.sram_peak, l.slots, (unsigned long long)l.slot_bytes,
      (unsigned long long)l.act_peak, (unsigned long long)l.spills, (unsigned long long)b.macs,
      (unsigned long long)l.cycles);
  out += buf;
  return out;
}

}  // namespace nna::compiler::network
