#include "compiler/network/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "util/split_mix64.h"

namespace nna::compiler::network {

namespace {

// A stream of its own per layer, keyed by the layer's name (FNV-1a) rather than its index, so that
// inserting a layer or fusing a pool leaves every other layer's weights as they were.
uint64_t LayerSeed(uint64_t seed, const std::string& name) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (const char ch : name) h = (h ^ uint8_t(ch)) * 0x100000001B3ull;
  return SplitMix64(seed ^ h).Next();
}

ref::Tensor Seeded(const Network& net, uint64_t seed) {
  ref::Tensor t(net.input.c, net.input.h, net.input.w, net.input_signed);
  SplitMix64 rng(seed);
  for (auto& b : t.data) b = uint8_t(rng.Next());
  return t;
}

int64_t Target(bool out_signed) { return out_signed ? 127 : 255; }

// The real input range an activation is calibrated to: max |x| on the calibration input lands
// here, where the function has done most of its bending (sigmoid and tanh are within 0.03% and
// 0.07% of their limits, relu6 caps at 6).
double InputRange(Activation kind) {
  switch (kind) {
    case Activation::kTanh:
    case Activation::kLeakyRelu:
      return 4;
    default:
      return 8;
  }
}

// The output quantization of an activation whose real input reaches +-x_max: sigmoid and tanh at
// the scales their programs need (docs/activations.md), relu6 over [0, 6], leaky_relu and
// hard_swish over [-x_max, x_max].
ActQuant OutputQuant(Activation kind, bool out_signed, double x_max, double alpha) {
  ActQuant q;
  q.out_signed = out_signed;
  q.alpha = alpha;
  const double top = double(Target(out_signed));
  switch (kind) {
    case Activation::kSigmoid:
      q.out_scale = 1.0 / 256, q.out_zero_point = out_signed ? -128 : 0;
      break;
    case Activation::kTanh:
      q.out_scale = 1.0 / 128;
      break;
    case Activation::kRelu6:
      q.out_scale = 6 / top;
      break;
    default:
      q.out_scale = x_max / top;
      break;
  }
  return q;
}

// An activation whose output scale its program fixes (docs/activations.md).
bool FixedScale(Activation act) {
  return act == Activation::kSigmoid || act == Activation::kTanh || act == Activation::kRelu6;
}

// Scales that must be one (docs/networks.md, "Scales"): a pool's input and output, a global
// average pool's, a concat's inputs and output. Slot 0 is the network's input, slot i + 1 layer i.
// The two inputs of an add share one too where neither group holds a fixed-scale activation, so
// that the add is ELTWISE's a + b with FUSED_RELU alone instead of the rescaled add's program.
struct ScaleGroups {
  std::vector<size_t> parent;
  std::vector<std::optional<double>> scale;
  std::vector<int32_t> zero_point;
  explicit ScaleGroups(const Network& net)
      : parent(net.layers.size() + 1), scale(parent.size()), zero_point(parent.size()) {
    for (size_t i = 0; i < parent.size(); ++i) parent[i] = i;
    for (size_t i = 0; i < net.layers.size(); ++i) {
      const Layer& l = net.layers[i];
      const bool same =
          l.op == Op::kMaxPool || l.op == Op::kAvgPool || l.op == Op::kGlobalAvgPool || l.op == Op::kConcat;
      if (same)
        for (const int t : l.inputs) parent[Find(size_t(t + 1))] = Find(i + 1);
    }
    std::vector<bool> fixed(parent.size(), false);  // per group root
    for (size_t i = 0; i < net.layers.size(); ++i)
      if (FixedScale(net.layers[i].act)) fixed[Find(i + 1)] = true;
    for (const Layer& l : net.layers) {
      if (l.op != Op::kAdd) continue;
      const size_t a = Of(l.inputs[0]), b = Of(l.inputs[1]);
      if (a == b || fixed[a] || fixed[b]) continue;
      parent[a] = b;
    }
  }
  size_t Find(size_t a) { return parent[a] == a ? a : parent[a] = Find(parent[a]); }
  size_t Of(int tensor) { return Find(size_t(tensor + 1)); }
};

class Quantizer {
 public:
  explicit Quantizer(const Network& net) : net_(net), groups_(net) {}

  // Calibrates every layer on `input`, in file order, keeping the calibration outputs as inputs of
  // the next layers.
  QuantNetwork Calibrate(const ref::Tensor& input, const QuantOptions& options) {
    QuantNetwork q;
    q.net = net_;
    q.input_scale = 1.0 / (net_.input_signed ? 128 : 256);
    const size_t g = groups_.Of(kInput);
    groups_.scale[g] = q.input_scale;
    for (size_t i = 0; i < net_.layers.size(); ++i) {
      if (options.progress)
        std::fprintf(stderr, "nnac: %s: calibrating layer %zu/%zu %s\n", net_.name.c_str(), i + 1,
                     net_.layers.size(), net_.layers[i].name.c_str());
      q.layers.push_back(CalibrateLayer(q, i, input));
    }
    return q;
  }

 private:
  [[noreturn]] void Fail(const Layer& l, const std::string& key, const std::string& what) const {
    throw CompileError(net_.file + ": key 'layers." + l.name + (key.empty() ? "" : "." + key) + "' " + what);
  }

  const ref::Tensor& TensorOf(const QuantNetwork& q, int t, const ref::Tensor& input) const {
    return t == kInput ? input : q.layers[size_t(t)].output;
  }
  double ScaleOf(const QuantNetwork& q, int t) const {
    return t == kInput ? q.input_scale : q.layers[size_t(t)].out_scale;
  }
  int32_t ZeroOf(const QuantNetwork& q, int t) const {
    return t == kInput ? 0 : q.layers[size_t(t)].out_zero_point;
  }

  // The output scale of layer i: its group's if the group has one (`retarget` layers take it,
  // others must already have it), else its own, which becomes the group's.
  double Settle(size_t i, double own, int32_t zero_point, bool retarget) {
    const Layer& l = net_.layers[i];
    const size_t g = groups_.Of(int(i));
    if (!groups_.scale[g]) {
      groups_.scale[g] = own;
      groups_.zero_point[g] = zero_point;
      return own;
    }
    if (groups_.zero_point[g] != zero_point ||
        (!retarget && std::fabs(*groups_.scale[g] / own - 1) > 1e-12)) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "gives act %s's fixed output scale %g, zero point %d, to a tensor that shares "
                    "one scale with another (through concat or pools) of scale %g, zero point %d",
                    ToString(l.act), retarget ? *groups_.scale[g] : own, zero_point, *groups_.scale[g],
                    groups_.zero_point[g]);
      Fail(l, "act", buf);
    }
    return *groups_.scale[g];
  }

  QuantLayer CalibrateLayer(const QuantNetwork& q, size_t i, const ref::Tensor& input) {
    const Layer& l = net_.layers[i];
    QuantLayer ql;
    ql.name = l.name;
    ql.op = l.op;
    ql.fused_pool = l.fused_pool;
    ql.inputs = l.inputs;
    for (const int t : l.inputs)
      ql.in_scales.push_back(ScaleOf(q, t)), ql.input_names.push_back(net_.NameOf(t));
    ql.spec = SpecOf(net_, l);
    ql.pool_size = l.pool_size, ql.pool_stride = l.pool_stride, ql.pool_pad = l.pool_pad;
    const ref::Tensor& a = TensorOf(q, l.inputs[0], input);
    switch (l.op) {
      case Op::kMaxPool:
      case Op::kAvgPool:
      case Op::kGlobalAvgPool:
      case Op::kConcat:  // one scale with the inputs (ScaleGroups)
        for (const int t : l.inputs)
          if (ZeroOf(q, t) != ZeroOf(q, l.inputs[0]) || ScaleOf(q, t) != ScaleOf(q, l.inputs[0]))
            Fail(l, "inputs",
                 "joins '" + net_.NameOf(l.inputs[0]) + "' and '" + net_.NameOf(t) +
                     "', which have different scales or zero points");
        ql.out_scale = ScaleOf(q, l.inputs[0]);
        ql.out_zero_point = ZeroOf(q, l.inputs[0]);
        if (l.op == Op::kGlobalAvgPool) {  // Compile's depthwise conv: weights 1, bias 0, its multiplier
          ql.weights = WeightsOf(*ql.spec);
          std::fill(ql.weights.data.begin(), ql.weights.data.end(), uint8_t(1));
          ql.bias.assign(l.out.c, 0);
          ql.params = compiler::CalibrateLayer(*ql.spec, {}, ql.bias, nullptr);
          ql.simd = {FusedReluInstr(false, ql.spec->out_signed)};
        }
        break;
      case Op::kAdd:
        CalibrateAdd(q, i, input, ql);
        break;
      default:
        CalibrateDot(i, a, ql);
        break;
    }
    RunLayer(q, ql, input);
    return ql;
  }

  // A conv, deconv or inner product: seeded weights and biases as Compile draws them, then the
  // per-channel calibration of CalibrateLayer. With relu or none the output is worth what its
  // group needs (the weights' real scale is whatever the calibration makes it); another activation
  // gets an in_scale that puts the largest |acc + bias| at InputRange and its own output scale.
  void CalibrateDot(size_t i, const ref::Tensor& a, QuantLayer& ql) {
    const Layer& l = net_.layers[i];
    LayerSpec& spec = *ql.spec;
    SplitMix64 rng(LayerSeed(net_.seed, l.name));
    ql.weights = WeightsOf(spec);
    for (auto& b : ql.weights.data) b = uint8_t(rng.Next());
    ql.bias.resize(spec.out_c);
    for (auto& b : ql.bias) b = int32_t(int64_t(rng.Range(0, 2048)) - 1024);
    const LayerAccumulators acc = Accumulate(spec, a, ql.weights);
    if (!spec.activation) {
      ql.params = compiler::CalibrateLayer(spec, acc, ql.bias, nullptr);
      ql.simd = {FusedReluInstr(spec.relu, spec.out_signed)};
      ql.out_scale = Settle(i, 1.0 / double(Target(spec.out_signed)), 0, true);
      return;
    }
    const size_t pixels = size_t(acc.out_h) * acc.out_w;
    int64_t max_abs = 1;
    for (uint32_t co = 0; co < spec.out_c; ++co)
      for (size_t p = 0; p < pixels; ++p)
        max_abs = std::max(max_abs, std::abs(int64_t(ref::WrapAcc(acc.acc[co * pixels + p])) + ql.bias[co]));
    // Each doubling of the input range tries again where the program's constants did not fit (the
    // smallest in_scale sigmoid and tanh lower, docs/activations.md).
    LayerSpec::Act& act = *spec.activation;
    std::optional<ActProgram> program;
    std::string why;
    for (int doubling = 0; doubling < 12 && !program; ++doubling) {
      const double x_max = std::ldexp(InputRange(act.kind), doubling);
      act.quant = OutputQuant(act.kind, spec.out_signed, x_max, l.alpha);
      act.quant.in_scale = x_max / double(max_abs);
      try {
        program = LowerActivation(act.kind, act.quant);
      } catch (const CompileError& e) {
        why = e.what();
      }
    }
    if (!program) Fail(l, "act", std::string("has no program for its calibrated scales (") + why + ")");
    const bool fixed =
        act.kind == Activation::kSigmoid || act.kind == Activation::kTanh || act.kind == Activation::kRelu6;
    const double scale = Settle(i, act.quant.out_scale, act.quant.out_zero_point, !fixed);
    if (scale != act.quant.out_scale) {  // leaky_relu or hard_swish into a shared scale
      act.quant.out_scale = scale;
      try {
        program = LowerActivation(act.kind, act.quant);
      } catch (const CompileError& e) {
        Fail(l, "act", std::string("has no program for the shared output scale (") + e.what() + ")");
      }
    }
    ql.params = compiler::CalibrateLayer(spec, acc, ql.bias, &*program);
    ql.simd = program->simd;
    ql.out_scale = act.quant.out_scale;
    ql.out_zero_point = act.quant.out_zero_point;
  }

  // The rescaled add: the largest |a*a_scale + b*b_scale| (after the ReLU) on the calibration
  // input at the output range's end, or its group's scale.
  void CalibrateAdd(const QuantNetwork& q, size_t i, const ref::Tensor& input, QuantLayer& ql) {
    const Layer& l = net_.layers[i];
    for (const int t : l.inputs)
      if (ZeroOf(q, t) != 0)
        Fail(l, "inputs",
             "adds '" + net_.NameOf(t) + "', whose zero point " + std::to_string(ZeroOf(q, t)) +
                 " is not 0 (the rescaled add takes real 0 at byte 0)");
    const ref::Tensor& a = TensorOf(q, l.inputs[0], input);
    const ref::Tensor& b = TensorOf(q, l.inputs[1], input);
    const double sa = ql.in_scales[0], sb = ql.in_scales[1];
    if (sa == sb) return CalibrateSharedAdd(i, a, b, ql);
    double top = 0;
    for (size_t e = 0; e < a.data.size(); ++e) {
      const int32_t va = a.is_signed ? int8_t(a.data[e]) : a.data[e],
                    vb = b.is_signed ? int8_t(b.data[e]) : b.data[e];
      const double y = va * sa + vb * sb;
      top = std::max(top, l.act == Activation::kRelu ? y : std::fabs(y));
    }
    const double own = top > 0 ? top / double(Target(l.out_signed)) : std::max(sa, sb);
    ql.out_scale = Settle(i, own, 0, true);
    LayerSpec::Rescale r;
    r.a_scale = sa, r.b_scale = sb, r.out_scale = ql.out_scale;
    try {
      ql.rescale = LowerRescaledAdd(r, l.act == Activation::kRelu, l.out_signed);
    } catch (const CompileError& e) {
      Fail(l, "inputs", std::string("have scales the rescaled add cannot lower (") + e.what() + ")");
    }
    ql.spec->rescale = r;
    ql.simd = ql.rescale->simd;
    ql.params.assign(l.out.c, ql.rescale->params);
  }

  // An add of two inputs at one scale s: FUSED_RELU requantizes a + b by s / out_scale, the largest
  // |a + b| (after the ReLU) at the output range's end, or its group's scale.
  void CalibrateSharedAdd(size_t i, const ref::Tensor& a, const ref::Tensor& b, QuantLayer& ql) {
    const Layer& l = net_.layers[i];
    const bool relu = l.act == Activation::kRelu;
    int64_t top = 0;
    for (size_t e = 0; e < a.data.size(); ++e) {
      const int64_t v =
          (a.is_signed ? int8_t(a.data[e]) : a.data[e]) + (b.is_signed ? int8_t(b.data[e]) : b.data[e]);
      top = std::max(top, relu ? v : std::abs(v));
    }
    const double s = ql.in_scales[0];
    ql.out_scale = Settle(i, top > 0 ? s * double(top) / double(Target(l.out_signed)) : s, 0, true);
    const double ratio = s / ql.out_scale;
    const auto m = FusedReluMultiplier([&](int shift) { return std::round(std::ldexp(ratio, shift)); });
    if (!m) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "has the output scale %g per input scale %g, which FUSED_RELU's 16-bit scale and "
                    "6-bit shift cannot hold",
                    ql.out_scale, s);
      Fail(l, "inputs", buf);
    }
    ref::ChannelParams p;  // bias 0, zero point 0
    p.scale = m->scale, p.shift = m->shift;
    ql.params.assign(l.out.c, p);
    ql.simd = {FusedReluInstr(relu, l.out_signed)};
  }

 public:
  // One layer with the parameters in ql, its input tensors from q (or `input`).
  static void RunLayer(const QuantNetwork& q, QuantLayer& ql, const ref::Tensor& input) {
    auto tensor = [&](int t) -> const ref::Tensor& {
      return t == kInput ? input : q.layers[size_t(t)].output;
    };
    const ref::Tensor& a = tensor(ql.inputs[0]);
    if (ql.spec) ql.spec->params = ql.params;  // what Compile takes instead of calibrating
    ref::Tensor out;
    switch (ql.op) {
      case Op::kMaxPool:
      case Op::kAvgPool:
        out = ref::Pool2d(a, ql.op == Op::kMaxPool ? ref::PoolKind::kMax : ref::PoolKind::kAvg, ql.pool_size,
                          ql.pool_stride, ql.pool_pad);
        break;
      case Op::kConcat: {
        uint32_t c = 0;
        for (const int t : ql.inputs) c += tensor(t).c;
        out = ref::Tensor(c, a.h, a.w, a.is_signed);
        size_t at = 0;
        for (const int t : ql.inputs) {
          const ref::Tensor& part = tensor(t);
          std::copy(part.data.begin(), part.data.end(), out.data.begin() + long(at));
          at += part.data.size();
        }
        break;
      }
      case Op::kAdd:
        out = ref::Tensor(a.c, a.h, a.w, ql.spec->out_signed);
        out.data = ql.qlinear_add ? ref::QLinearAdd(a, tensor(ql.inputs[1]), *ql.qlinear_add)
                   : ql.rescale
                       ? ref::EltwiseRescaledAdd(a, tensor(ql.inputs[1]), ql.rescale->ka, ql.rescale->kb,
                                                 ql.params, ql.spec->relu, !ql.spec->out_signed)
                       : ref::Eltwise(a, tensor(ql.inputs[1]), ref::EltwiseKind::kAdd, ql.params,
                                      ql.spec->relu, !ql.spec->out_signed);
        for (uint8_t& b : out.data)  // the program's last instruction, LutInstr
          if (!ql.lut.empty()) b = ql.lut[b];
        break;
      default: {  // conv, deconv, inner_product, global_avg_pool: Compile's reference
        LayerSpec spec = *ql.spec;
        spec.lut = ql.lut;
        if (spec.activation || !ql.lut.empty()) spec.simd = ql.simd;
        const LayerAccumulators acc =
            spec.global_avg_pool ? LayerAccumulators{} : Accumulate(spec, a, ql.weights);
        uint32_t h = acc.out_h, w = acc.out_w;
        if (spec.global_avg_pool) h = w = 1;
        if (spec.pool) {
          const uint32_t size = spec.pool->size, stride = spec.pool->stride, pad = spec.pool->pad;
          h = (h + 2 * pad - size) / stride + 1, w = (w + 2 * pad - size) / stride + 1;
        }
        out = ref::Tensor(spec.out_c, h, w, spec.out_signed);
        if (ql.regions.empty()) {
          out.data = LayerOutput(spec, a, acc, ql.params);
          break;
        }
        for (const ConvRegion& r : ql.regions) {  // the whole conv with the region's weights
          spec.params = r.params;
          const std::vector<uint8_t> part = LayerOutput(spec, a, Accumulate(spec, a, r.weights), r.params);
          for (uint32_t c = 0; c < spec.out_c; ++c)
            for (uint32_t y = r.row0; y < r.row0 + r.rows; ++y)
              for (uint32_t x = r.col0; x < r.col0 + r.cols; ++x)
                out.data[(size_t(c) * h + y) * w + x] = part[(size_t(c) * h + y) * w + x];
        }
        break;
      }
    }
    ql.output = std::move(out);
    ql.stats = Stats(ql.output, ql.out_zero_point);
  }

  static ActStats Stats(const ref::Tensor& t, int32_t zero_point) {
    ActStats s;
    s.elements = t.data.size();
    if (t.data.empty()) return s;
    const int32_t lo = t.is_signed ? -128 : 0, hi = t.is_signed ? 127 : 255;
    uint64_t zero = 0, sat = 0;
    s.min = hi, s.max = lo;
    for (const uint8_t b : t.data) {
      const int32_t v = t.is_signed ? int32_t(int8_t(b)) : int32_t(b);
      s.min = std::min(s.min, v), s.max = std::max(s.max, v);
      if (v == zero_point)
        ++zero;
      else if (v == lo || v == hi)
        ++sat;
    }
    s.zero = double(zero) / double(s.elements);
    s.saturated = double(sat) / double(s.elements);
    return s;
  }

 private:
  const Network& net_;
  ScaleGroups groups_;
};

}  // namespace

LayerSpec RegionSpec(const LayerSpec& whole, const ConvRegion& r, uint32_t* in_row0, uint32_t* in_col0) {
  LayerSpec s = whole;
  // Outputs [first, first + size) of an axis read input positions [u0, u1), cut to [0, in) by
  // the pads of the sides they pass.
  auto axis = [](uint32_t first, uint32_t size, uint32_t stride, uint32_t reach, uint32_t pad, uint32_t in,
                 uint32_t* in0, uint32_t* count, uint32_t* before, uint32_t* after) {
    const int64_t u0 = int64_t(first) * stride - pad, u1 = int64_t(first + size - 1) * stride - pad + reach;
    const int64_t i0 = std::max<int64_t>(u0, 0), i1 = std::min<int64_t>(u1, in);
    if (i1 <= i0) throw std::logic_error("nnac: a conv region reads no input");
    *in0 = uint32_t(i0), *count = uint32_t(i1 - i0);
    *before = uint32_t(i0 - u0), *after = uint32_t(u1 - i1);
  };
  axis(r.row0, r.rows, whole.stride_h, whole.dil_h * (whole.kernel_h - 1) + 1, whole.pad_top, whole.in_h,
       in_row0, &s.in_h, &s.pad_top, &s.pad_bottom);
  axis(r.col0, r.cols, whole.stride_w, whole.dil_w * (whole.kernel_w - 1) + 1, whole.pad_left, whole.in_w,
       in_col0, &s.in_w, &s.pad_left, &s.pad_right);
  s.params = r.params;
  return s;
}

ref::Tensor TestInput(const Network& net) { return Seeded(net, net.seed); }
ref::Tensor CalibrationInput(const Network& net) {
  return Seeded(net, net.seed ^ 0x63616C6962ull);
}  // "calib"

QuantNetwork Quantize(const Network& net, const QuantOptions& options) {
  QuantNetwork q = Quantizer(net).Calibrate(CalibrationInput(net), options);
  Execute(q, TestInput(net), options);
  return q;
}

void Execute(QuantNetwork& q, const ref::Tensor& input, const QuantOptions& options) {
  q.input = input;
  for (size_t i = 0; i < q.layers.size(); ++i) {
    if (options.progress)
      std::fprintf(stderr, "nnac: %s: running layer %zu/%zu %s\n", q.net.name.c_str(), i + 1, q.layers.size(),
                   q.layers[i].name.c_str());
    Quantizer::RunLayer(q, q.layers[i], q.input);
  }
}

std::vector<std::string> CheckStats(const QuantNetwork& q, double max_saturated) {
  std::vector<std::string> bad;
  char buf[240];
  for (const QuantLayer& l : q.layers) {
    if (l.stats.zero >= 1) {
      std::snprintf(buf, sizeof buf, "%s: layer '%s' gives only its zero point %d on the test input",
                    q.net.name.c_str(), l.name.c_str(), l.out_zero_point);
      bad.push_back(buf);
    } else if (l.stats.saturated > max_saturated) {
      std::snprintf(buf, sizeof buf, "%s: layer '%s' saturates %.1f%% of its outputs (more than %.1f%%)",
                    q.net.name.c_str(), l.name.c_str(), 100 * l.stats.saturated, 100 * max_saturated);
      bad.push_back(buf);
    }
  }
  return bad;
}

std::string FormatStats(const QuantNetwork& q) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-4s %-22s %-15s %12s %5s %5s %5s %7s %7s\n", "#", "layer", "op",
                "out scale", "zp", "min", "max", "zero%", "sat%");
  out += buf;
  for (size_t i = 0; i < q.layers.size(); ++i) {
    const QuantLayer& l = q.layers[i];
    const std::string op = l.fused_pool.empty() ? ToString(l.op) : std::string(ToString(l.op)) + "+pool";
    std::snprintf(buf, sizeof buf, "%-4zu %-22s %-15s %12.6g %5d %5d %5d %7.2f %7.2f\n", i, l.name.c_str(),
                  op.c_str(), l.out_scale, l.out_zero_point, l.stats.min, l.stats.max, 100 * l.stats.zero,
                  100 * l.stats.saturated);
    out += buf;
  }
  return out;
}

}  // namespace nna::compiler::network
