#include "testgen/random_layer.h"

#include <algorithm>

#include "compiler/layer_quant.h"
#include "nna/isa.h"
#include "pool/pool.h"
#include "ref/ref_ops.h"
#include "simd/random_simd.h"
#include "simd/simd_program.h"
#include "util/split_mix64.h"

namespace nna::testgen {
using namespace compiler;  // the descriptions it draws

namespace {

uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// The shared generator, seeded apart from the compiler's data stream, with the draws layers need.
class Draw {
 public:
  // stream keeps the layers of different test kinds apart for one seed.
  explicit Draw(uint64_t seed, uint64_t stream = 0) : g_(seed ^ 0x6E6E615F726E64ull ^ stream) {}
  uint32_t Range(uint32_t lo, uint32_t hi) { return uint32_t(g_.Range(lo, hi)); }
  bool Chance(uint32_t percent) { return g_.Chance(percent); }
  // Roughly log-uniform in [lo, hi]: a uniform bit length, then uniform inside it. Small values
  // (1, 3, non-multiples of 8) come up as often as large ones.
  uint32_t Log(uint32_t lo, uint32_t hi) {
    auto bits = [](uint32_t v) { return 32 - __builtin_clz(v); };
    const uint32_t b = Range(uint32_t(bits(lo)), uint32_t(bits(hi)));
    const uint32_t a = std::max(lo, 1u << (b - 1)), z = std::min(hi, (b >= 32 ? ~0u : (1u << b) - 1));
    return Range(a, z);
  }
  template <typename T, size_t K>
  T Pick(const T (&v)[K]) {
    return v[Range(0, K - 1)];
  }

 private:
  SplitMix64 g_;
};

std::string Num(uint64_t v) { return std::to_string(v); }

// The layer's part of a test name (random_layer.h); relu/lin only when the default SIMD program
// reads it.
std::string Name(const std::string& prefix, uint64_t seed, const LayerSpec& l) {
  if (SimdOnly(l.op)) {  // rnd<seed>_scale|eltwise_<op>[_rescale]_i<C>x<H>x<W>_<in><out>[_relu|_lin]
    std::string s = prefix + Num(seed) + "_" + ToString(l.op);
    if (l.op == LayerOp::kEltwise)
      s += std::string("_") + isa::ToString(l.eltwise) + (l.rescale ? "_rescale" : "");
    s += "_i" + Num(l.in_c) + "x" + Num(l.in_h) + "x" + Num(l.in_w);
    s += std::string("_") + (l.in_signed ? "s" : "u") + (l.out_signed ? "s" : "u");
    if (l.simd.empty()) s += l.relu ? "_relu" : "_lin";
    return s;
  }
  std::string s = prefix + Num(seed) + "_" +
                  (l.op == LayerOp::kConv     ? "conv"
                   : l.op == LayerOp::kDeconv ? "deconv"
                                              : "ip");
  s += "_i" + Num(l.in_c) + "x" + Num(l.in_h) + "x" + Num(l.in_w) + "_o" + Num(l.out_c);
  if (l.op != LayerOp::kInnerProduct) {
    s += "_k" + Num(l.kernel_h) + "x" + Num(l.kernel_w) + "_s" + Num(l.stride_h) + "x" + Num(l.stride_w) +
         "_d" + Num(l.dil_h) + "x" + Num(l.dil_w) + "_p" + Num(l.pad_top) + "," + Num(l.pad_bottom) + "," +
         Num(l.pad_left) + "," + Num(l.pad_right);
    if (l.pad_value != 0) s += "_pv" + Num(l.pad_value);
    if (l.op == LayerOp::kDeconv) s += "_op" + Num(l.out_pad_h) + "x" + Num(l.out_pad_w);
    s += "_g" + Num(l.groups);
  }
  s += std::string("_") + (l.in_signed ? "s" : "u") + (l.wt_signed ? "s" : "u") + (l.out_signed ? "s" : "u");
  if (l.simd.empty()) s += l.relu ? "_relu" : "_lin";
  s += l.order == isa::Order::kPixelMajor ? "_pm" : "_cm";
  if (l.requant == ref::RequantMode::kExact) s += "_exact";
  if (l.out_zero_point != 0) s += "_zp" + std::to_string(l.out_zero_point);
  if (l.pool)
    s += std::string("_") + isa::ToString(l.pool->op) + Num(l.pool->size) + "s" + Num(l.pool->stride) + "p" +
         Num(l.pool->pad);
  return s;
}

// Channels: 1 and 3 (image inputs) often, otherwise spread over 1..hi.
uint32_t Channels(Draw& d, uint32_t hi) {
  if (d.Chance(20)) return std::min(hi, d.Chance(50) ? 1u : 3u);
  return d.Log(1, hi);
}

// Zero-point padding of one axis: symmetric or not, up to the kernel's span.
void Padding(Draw& d, uint32_t span, bool symmetric, uint32_t* lo, uint32_t* hi) {
  if (span == 0 || d.Chance(25)) {
    *lo = *hi = 0;
  } else if (symmetric) {
    *lo = *hi = d.Range(0, (span + 1) / 2);
  } else {
    *lo = d.Range(0, span);
    *hi = d.Range(0, span);
  }
}

// Inner product: up to a few thousand terms, as C x H x W with small planes.
void DrawInnerProduct(Draw& d, uint32_t max_out, LayerSpec* l) {
  l->op = LayerOp::kInnerProduct;
  const uint32_t terms = d.Log(1, 6000);
  const uint32_t hw[] = {1, 1, 1, 2, 3, 4, 5, 7, 8};
  l->in_h = std::min(d.Pick(hw), terms);
  l->in_w = std::min(d.Pick(hw), std::max(1u, terms / l->in_h));
  l->in_c = std::max(1u, terms / (l->in_h * l->in_w));
  l->out_c = d.Log(1, max_out);
}

// Kernel, stride and dilation of a DECONV (upsampling strides) or a CONV.
void DrawWindow(Draw& d, bool deconv, LayerSpec* l) {
  const bool square = d.Chance(75);
  if (deconv) {
    const uint32_t ks[] = {1, 2, 2, 3, 3, 4, 4};
    l->kernel_h = d.Pick(ks);
    l->kernel_w = square ? l->kernel_h : d.Pick(ks);
    const uint32_t ss[] = {1, 2, 2, 2, 4, 4, 8};
    l->stride_h = d.Pick(ss);
    l->stride_w = d.Chance(80) ? l->stride_h : d.Pick(ss);
    l->dil_h = d.Chance(85) ? 1 : 2;
    l->dil_w = d.Chance(85) ? 1 : 2;
  } else {
    const uint32_t ks[] = {1, 1, 2, 3, 3, 3, 4, 5, 5, 6, 7, 7, 11};
    l->kernel_h = d.Pick(ks);
    l->kernel_w = square ? l->kernel_h : d.Range(1, 7);
    const uint32_t ss[] = {1, 1, 1, 2, 2, 4};
    l->stride_h = d.Pick(ss);
    l->stride_w = d.Chance(75) ? l->stride_h : d.Pick(ss);
    const uint32_t ds[] = {1, 1, 1, 1, 2, 2, 3};
    l->dil_h = d.Pick(ds);
    l->dil_w = d.Chance(75) ? l->dil_h : d.Pick(ds);
  }
}

// Padding of both axes up to the kernel's spans; a DECONV's output padding half the time.
void DrawPadding(Draw& d, bool deconv, LayerSpec* l) {
  const uint32_t span_h = l->dil_h * (l->kernel_h - 1), span_w = l->dil_w * (l->kernel_w - 1);
  const bool symmetric = d.Chance(50);
  Padding(d, span_h, symmetric, &l->pad_top, &l->pad_bottom);
  Padding(d, span_w, symmetric, &l->pad_left, &l->pad_right);
  if (deconv && d.Chance(50)) {
    l->out_pad_h = d.Range(0, std::max(l->stride_h, l->dil_h) - 1);
    l->out_pad_w = d.Range(0, std::max(l->stride_w, l->dil_w) - 1);
  }
}

// Channels and groups: dense, grouped or depthwise.
void DrawChannels(Draw& d, uint32_t m, uint32_t max_out, LayerSpec* l) {
  const uint32_t mode = d.Range(0, 99);
  if (mode < 60) {
    l->in_c = Channels(d, 96);
    l->out_c = Channels(d, max_out);
  } else if (mode < 85) {
    const uint32_t gs[] = {2, 3, 4, 6, 8};
    l->groups = d.Pick(gs);
    l->in_c = l->groups * d.Log(1, 8);
    l->out_c = l->groups * d.Log(1, std::max(1u, std::min(2 * m + 3, max_out / l->groups)));
  } else {
    l->groups = l->in_c = d.Log(1, std::min(64u, max_out));
    l->out_c = l->groups * (d.Chance(80) || 2 * l->groups > max_out ? 1 : 2);
  }
}

// Input size: at least what the kernel needs; a size class spreads the layers between a few
// hundred cycles and the budget (independent log-uniform sizes would make most layers tiny).
void DrawInputSize(Draw& d, bool deconv, LayerSpec* l) {
  const uint32_t span_h = l->dil_h * (l->kernel_h - 1), span_w = l->dil_w * (l->kernel_w - 1);
  auto need = [&](uint32_t span, uint32_t pads) { return span + 1 > pads ? span + 1 - pads : 1u; };
  const uint32_t size_class = d.Range(0, 2);
  const uint32_t conv_lo[] = {1, 8, 24}, conv_hi[] = {12, 40, 72}, de_lo[] = {1, 4, 8}, de_hi[] = {6, 12, 20};
  const uint32_t lo = deconv ? de_lo[size_class] : conv_lo[size_class];
  const uint32_t hi = deconv ? de_hi[size_class] : conv_hi[size_class];
  const uint32_t lo_h = std::max(lo, deconv ? 1 : need(span_h, l->pad_top + l->pad_bottom));
  const uint32_t lo_w = std::max(lo, deconv ? 1 : need(span_w, l->pad_left + l->pad_right));
  l->in_h = d.Range(lo_h, std::max(lo_h, hi));
  l->in_w = d.Chance(60) ? std::max(l->in_h, lo_w) : d.Range(lo_w, std::max(lo_w, hi));
}

// One attempt; the caller keeps the first that fits the budget. The draws' order is the seeds'
// meaning: the types, the kind, then the window, padding, channels and input size.
LayerSpec DrawLayer(Draw& d, const HwConfig& cfg) {
  LayerSpec l;
  const uint32_t m = uint32_t(cfg.array_rows);
  const uint32_t max_out = uint32_t(std::min<uint64_t>(cfg.simd_param_entries, 3ull * m + 5));
  l.in_signed = d.Chance(50);
  l.wt_signed = d.Chance(50);
  l.out_signed = d.Chance(50);
  l.relu = d.Chance(50);
  l.order = d.Chance(50) ? isa::Order::kPixelMajor : isa::Order::kChannelMajor;
  const uint32_t kind = d.Range(0, 99);
  if (kind < 20) {
    DrawInnerProduct(d, max_out, &l);
    return l;
  }
  const bool deconv = kind >= 70;
  l.op = deconv ? LayerOp::kDeconv : LayerOp::kConv;
  DrawWindow(d, deconv, &l);
  DrawPadding(d, deconv, &l);
  DrawChannels(d, m, max_out, &l);
  DrawInputSize(d, deconv, &l);
  return l;
}

// A fused pool on a quarter of the convolutions whose rows fit the line buffer
// (docs/architecture.md, "Fused pooling"); Compile then picks channel_major. Drawn from its own
// stream, so the layers of earlier seeds stay as they were.
void MaybePool(Draw& d, const HwConfig& cfg, LayerSpec& l) {
  if (l.op != LayerOp::kConv || !d.Chance(25)) return;
  const int64_t oh = ref::ConvOutSize(l.in_h, l.kernel_h, l.stride_h, l.dil_h, l.pad_top, l.pad_bottom);
  const int64_t ow = ref::ConvOutSize(l.in_w, l.kernel_w, l.stride_w, l.dil_w, l.pad_left, l.pad_right);
  LayerSpec::Pool p;
  p.op = d.Chance(50) ? isa::PoolOp::kMax : isa::PoolOp::kAvg;
  p.size = d.Chance(50) ? 2 : 3;
  p.stride = d.Chance(60) ? 2 : 1;
  p.pad = d.Range(0, p.size / 2);
  if (oh + 2 * p.pad < p.size || ow + 2 * p.pad < p.size || uint64_t(ow) > cfg.array_cols) return;
  if (pool::OutSize(uint32_t(ow), {p.op, p.size, p.stride, p.pad}) > cfg.array_cols) return;
  l.pool = p;
  l.order = isa::Order::kChannelMajor;
}

// The SCALE or ELTWISE layer (docs/architecture.md, "SIMD-only instructions") that replaces a
// drawn layer: its input's height, width and signedness, and its channels clamped to
// [min_c, the parameter entries] (the output has the input's channels). As the YAML allows: any
// output signedness and ReLU, eltwise add, mul or max, and with rescale half of the adds
// (scales 0.01..0.5, a zero point in the output's range and at most 127) when `rescale`.
LayerSpec SimdOnlyLayer(Draw& d, const HwConfig& cfg, const LayerSpec& drawn, uint32_t min_c, bool rescale) {
  LayerSpec l;
  l.op = d.Chance(40) ? LayerOp::kScale : LayerOp::kEltwise;
  l.in_c = uint32_t(std::min<uint64_t>(std::max(drawn.in_c, min_c), cfg.simd_param_entries));
  l.in_h = drawn.in_h, l.in_w = drawn.in_w;
  l.in_signed = drawn.in_signed;
  l.out_c = l.groups = l.in_c;  // as ParseSimdOnly fills them in
  l.kernel_h = l.kernel_w = 1;
  l.wt_signed = false;
  l.out_signed = d.Chance(50);
  l.relu = d.Chance(50);
  if (l.op == LayerOp::kEltwise) {
    const isa::EltwiseOp ops[] = {isa::EltwiseOp::kAdd, isa::EltwiseOp::kMul, isa::EltwiseOp::kMax};
    l.eltwise = d.Pick(ops);
    if (rescale && l.eltwise == isa::EltwiseOp::kAdd && d.Chance(50)) {
      LayerSpec::Rescale r;
      r.a_scale = d.Range(1, 50) / 100.0;
      r.b_scale = d.Range(1, 50) / 100.0;
      r.out_scale = d.Range(1, 50) / 100.0;
      r.zero_point = l.out_signed ? int32_t(d.Range(0, 255)) - 128 : int32_t(d.Range(0, 255));
      l.rescale = r;
    }
  }
  return l;
}

}  // namespace

LayerCost EstimateCost(const LayerSpec& l, const HwConfig& cfg) {
  LayerCost cost;
  const uint64_t m = cfg.array_rows, n = cfg.array_cols;
  uint64_t out_h = 1, out_w = 1, groups = 1, dot_len = uint64_t(l.in_c) * l.in_h * l.in_w;
  if (l.op != LayerOp::kInnerProduct) {
    groups = l.groups;
    if (groups == 0 || l.in_c % groups != 0 || l.out_c % groups != 0) return cost;
    const int64_t oh = l.op == LayerOp::kConv ? ref::ConvOutSize(l.in_h, l.kernel_h, l.stride_h, l.dil_h,
                                                                 l.pad_top, l.pad_bottom)
                                              : ref::DeconvOutSize(l.in_h, l.kernel_h, l.stride_h, l.dil_h,
                                                                   l.pad_top, l.pad_bottom, l.out_pad_h);
    const int64_t ow = l.op == LayerOp::kConv ? ref::ConvOutSize(l.in_w, l.kernel_w, l.stride_w, l.dil_w,
                                                                 l.pad_left, l.pad_right)
                                              : ref::DeconvOutSize(l.in_w, l.kernel_w, l.stride_w, l.dil_w,
                                                                   l.pad_left, l.pad_right, l.out_pad_w);
    if (oh < 1 || ow < 1) return cost;
    out_h = uint64_t(oh), out_w = uint64_t(ow);
    dot_len = uint64_t(l.in_c / groups) * l.kernel_h * l.kernel_w;
  }
  // SCALE and ELTWISE: one (two) terms per tile, no weights but a second input tensor for ELTWISE.
  const bool simd_only = SimdOnly(l.op);
  if (simd_only) out_h = l.in_h, out_w = l.in_w, dot_len = l.op == LayerOp::kEltwise ? 2 : 1;
  const uint64_t pixels = out_h * out_w, pix_tiles = CeilDiv(pixels, n);
  const uint64_t ch_tiles = groups * CeilDiv(l.out_c / groups, m);
  const uint64_t in_bytes = uint64_t(l.in_c) * l.in_h * l.in_w * (l.op == LayerOp::kEltwise ? 2 : 1);
  const uint64_t wt_bytes = simd_only ? 0 : ch_tiles * dot_len * m;
  const uint64_t out_bytes = uint64_t(l.out_c) * pixels,
                 param_bytes = uint64_t(l.out_c) * isa::ChannelParamsRecord::kBytes;
  cost.sram_bytes = 1024 + in_bytes + wt_bytes + out_bytes + param_bytes + 4 * 64;  // program, alignment
  const uint64_t beats = CeilDiv(cost.sram_bytes, cfg.axi_data_bytes);
  // A SIMD-only tile unloads one row (SCALE: one cycle) or a pair (ELTWISE: two), not a tile of m.
  cost.cycles = pix_tiles * ch_tiles * (simd_only ? dot_len : std::max(dot_len, m)) + 2 * beats;
  cost.model_work = pix_tiles * n * l.out_c * dot_len;
  using CI = isa::ComputeInstr;
  cost.fits = cost.sram_bytes <= cfg.sram_bytes && l.out_c <= cfg.simd_param_entries &&
              out_h <= CI::kMaxOutH && out_w <= CI::kMaxOutW && pix_tiles <= CI::kMaxPixTiles &&
              ch_tiles <= CI::kMaxChTiles;
  return cost;
}

namespace {

// The random layers' cycle budget (EstimateCost's cycles). tiny's RTL runs about half its
// cycles on bank conflicts: it gets the larger estimate budget.
uint64_t MaxCycles(const HwConfig& cfg) { return cfg.array_rows * cfg.array_cols < 1024 ? 100000 : 40000; }

// The first layer drawn from d that fits cfg, costs at most budget_divisor-th of the random
// layers' cycle budget and has at least min_out_c output channels.
LayerSpec DrawFittingLayer(Draw& d, const HwConfig& cfg, uint64_t budget_divisor, uint32_t min_out_c) {
  const uint64_t max_cycles = MaxCycles(cfg) / budget_divisor;
  const uint64_t max_work = 24000000;  // keeps the golden model and reference at milliseconds
  LayerSpec l;
  for (int attempt = 0;; ++attempt) {
    l = DrawLayer(d, cfg);
    const LayerCost c = EstimateCost(l, cfg);
    if (c.fits && c.cycles <= max_cycles && c.model_work <= max_work && l.out_c >= min_out_c) break;
    if (attempt == 1000) {  // not seen in practice; a small legal layer keeps the promise
      l = LayerSpec{};
      l.in_c = 3, l.in_h = l.in_w = 8, l.out_c = 4, l.kernel_h = l.kernel_w = 3;
      break;
    }
  }
  return l;
}

// The letters of a SIMD program's name: what it exercises beyond integer arithmetic.
std::string SimdFeatures(const std::vector<isa::SimdInstr>& prog) {
  bool fp = false, pred = false, ldparam = false;
  for (const isa::SimdInstr& s : prog) {
    const simd::OpInfo info = *simd::InfoOf(s.op);
    fp |= info.dtype == simd::DtypeClass::kFloat;
    pred |= info.reads_pred && (s.pred != 0 || s.pred_neg);
    ldparam |= s.op == isa::SimdOp::kLdparam;
  }
  return std::string(fp ? "f" : "") + (pred ? "p" : "") + (ldparam ? "l" : "");
}

}  // namespace

TestSpec RandomTestSpec(uint64_t seed, const HwConfig& cfg) {
  Draw d(seed);
  LayerSpec l = DrawFittingLayer(d, cfg, 1, 1);
  // An eighth of the seeds run a SCALE or ELTWISE of the drawn layer's input instead, from a
  // stream of their own so that the other seeds keep their layers; one that does not fit keeps
  // the drawn layer. The budget counts a program run per unloaded row (a rescaled add's program
  // has several instructions; a row takes about one cycle per instruction).
  Draw simd_only_draw(seed, 0x73696D646F6E6Cull);  // "simdonl": seeds 1-3 keep their pinned layers
  if (simd_only_draw.Range(0, 7) == 0) {
    const LayerSpec s = SimdOnlyLayer(simd_only_draw, cfg, l, 1, true);
    const LayerCost c = EstimateCost(s, cfg);
    const uint64_t program = s.rescale ? LowerRescaledAdd(*s.rescale, s.relu, s.out_signed).simd.size() : 1;
    if (c.fits && c.cycles * program <= MaxCycles(cfg)) l = s;
  }
  Draw pool_draw(seed, 0x706F6F6Cull);  // "pool"
  MaybePool(pool_draw, cfg, l);
  // A quarter of the dot-product layers requantize exactly (docs/onnx.md) and another quarter keep
  // FUSED_RELU, both with a zero point drawn from the output's range; from a stream of their own.
  Draw quant_draw(seed, 0x6578616374ull);  // "exact"
  const uint32_t quant = quant_draw.Range(0, 3);
  if (!SimdOnly(l.op) && quant < 2) {
    if (quant == 0) l.requant = ref::RequantMode::kExact;
    l.out_zero_point = int32_t(quant_draw.Range(0, 255)) - (l.out_signed ? 128 : 0);
  }
  // A third of the convs and deconvs read an input zero point where they pad (and a deconv in its
  // gaps): pad_value; from a stream of its own.
  Draw pad_draw(seed, 0x7061645F76616Cull);  // "pad_val"
  if ((l.op == LayerOp::kConv || l.op == LayerOp::kDeconv) && pad_draw.Chance(33))
    l.pad_value = uint8_t(pad_draw.Range(1, 255));
  TestSpec spec;
  spec.name = Name("rnd", seed, l);
  spec.file = "random seed " + std::to_string(seed);
  spec.doc = "random " + std::string(ToString(l.op)) + " layer for " + cfg.name + " from seed " +
             std::to_string(seed);
  spec.seed = seed;
  spec.layer = l;
  return spec;
}

TestSpec RandomSimdTestSpec(uint64_t seed, const HwConfig& cfg) {
  Draw d(seed, 0x73696D64);  // "simd": layers of their own, not the random test's
  // At least 8 channels: as many parameter sets, from one row up to several channel tiles.
  LayerSpec l = DrawFittingLayer(d, cfg, 4, 8);
  simd::SplitMix64 rng(seed ^ 0x73696D645F707267ull);  // apart from the layer and data streams
  const std::vector<isa::SimdInstr> program = simd::RandomSimdProgram(rng);
  // A quarter of the seeds run the program on a SCALE or ELTWISE of the drawn layer's input (at
  // least 8 channels), from a stream of their own so that the other seeds keep their layers. Its
  // budget counts a program run per unloaded row (a row takes about one cycle per instruction).
  Draw simd_only_draw(seed, 0x73696D646F6E6C79ull);  // "simdonly": seed 1 keeps its pinned layer
  if (simd_only_draw.Range(0, 3) == 0) {
    const LayerSpec s = SimdOnlyLayer(simd_only_draw, cfg, l, 8, false);
    const LayerCost c = EstimateCost(s, cfg);
    if (c.fits && c.cycles * program.size() <= MaxCycles(cfg) / 4) l = s;
  }
  l.simd = program;
  for (uint32_t co = 0; co < l.out_c; ++co) l.params.push_back(simd::RandomChannelParams(rng));
  TestSpec spec;
  spec.name = Name("rsimd", seed, l) + "_simd" + Num(l.simd.size()) + SimdFeatures(l.simd);
  spec.file = "random_simd seed " + std::to_string(seed);
  spec.doc = "random SIMD program of " + std::to_string(l.simd.size()) + " instructions on a random " +
             std::string(ToString(l.op)) + " layer for " + cfg.name + " from seed " + std::to_string(seed);
  spec.seed = seed;
  spec.layer = l;
  return spec;
}

}  // namespace nna::testgen
