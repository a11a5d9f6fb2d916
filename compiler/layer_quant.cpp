#include "compiler/layer_quant.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "simd/simd_program.h"

namespace nna::compiler {

ref::ChannelParams Calibrate(int64_t max_abs, int32_t bias, int64_t target) {
  ref::ChannelParams p;
  p.bias = bias;
  if (max_abs == 0) return p;  // scale 1, shift 0: everything is 0 anyway
  // target / max_abs rounded, in exact integers. Always found for 30-bit accumulators plus a small
  // bias (shift 24 already fits); otherwise scale 1, shift 0.
  const auto mult = FusedReluMultiplier([&](int shift) {
    return ((static_cast<unsigned __int128>(target) << shift) + uint64_t(max_abs) / 2) / uint64_t(max_abs);
  });
  if (mult) p.scale = mult->scale, p.shift = mult->shift;
  return p;
}

AvgMultiplier GlobalAvgMultiplier(uint64_t count, bool is_signed) {
  AvgMultiplier a;
  if (count == 0) return a;
  const auto mult = FusedReluMultiplier([count](int shift) {
    return ((static_cast<unsigned __int128>(1) << shift) + count / 2) / count;  // round(2^shift / count)
  });
  if (!mult) return a;
  a.scale = mult->scale, a.shift = mult->shift;
  // Every sum of `count` bytes, as ref::FusedRelu computes it (bias 0, no ReLU, zero point 0).
  ref::ChannelParams p;
  p.scale = a.scale, p.shift = a.shift;
  const int64_t lo = is_signed ? -128 : 0, hi = is_signed ? 127 : 255;
  for (int64_t sum = lo * int64_t(count); sum <= hi * int64_t(count); ++sum) {
    const int64_t got = ref::FusedRelu(int32_t(sum), p, false, !is_signed),
                  want = ref::RoundedAverage(sum, count);
    if (got != want) {
      a.sum = sum, a.got = got, a.want = want;
      return a;
    }
  }
  a.exact = true;
  return a;
}

ref::Weights WeightsOf(const LayerSpec& l) {
  const bool ip = l.op == LayerOp::kInnerProduct;
  return ref::Weights(l.out_c, ip ? l.in_c : l.in_c / l.groups, ip ? l.in_h : l.kernel_h,
                      ip ? l.in_w : l.kernel_w, l.wt_signed);
}

ref::ConvGeometry GeometryOf(const LayerSpec& l) {
  ref::ConvGeometry g;
  g.stride_h = l.stride_h, g.stride_w = l.stride_w;
  g.dil_h = l.dil_h, g.dil_w = l.dil_w;
  g.pad_top = l.pad_top, g.pad_bottom = l.pad_bottom, g.pad_left = l.pad_left, g.pad_right = l.pad_right;
  g.pad_value = l.pad_value;
  g.groups = l.groups;
  g.out_pad_h = l.out_pad_h, g.out_pad_w = l.out_pad_w;
  return g;
}

LayerAccumulators Accumulate(const LayerSpec& l, const ref::Tensor& in, const ref::Weights& weights) {
  LayerAccumulators a;
  a.out_h = a.out_w = 1;
  const ref::ConvGeometry g = GeometryOf(l);
  a.acc = l.op == LayerOp::kConv     ? ref::Conv2d(in, weights, g, &a.out_h, &a.out_w)
          : l.op == LayerOp::kDeconv ? ref::Deconv2d(in, weights, g, &a.out_h, &a.out_w)
                                     : ref::InnerProduct(in, weights);
  return a;
}

ref::ChannelParams FusedOf(const ref::ChannelParams& exact) {
  ref::ChannelParams p = exact;
  p.scale = 1, p.shift = 0;
  const double m = exact.multiplier;
  if (const auto f = FusedReluMultiplier([m](int shift) { return std::nearbyint(std::ldexp(m, shift)); }))
    p.scale = f->scale, p.shift = f->shift;
  return p;
}

std::vector<ref::ChannelParams> CalibrateLayer(const LayerSpec& l, const LayerAccumulators& a,
                                               const std::vector<int32_t>& bias, const ActProgram* act) {
  std::vector<ref::ChannelParams> params(l.out_c);
  if (l.global_avg_pool) {
    const AvgMultiplier avg = GlobalAvgMultiplier(uint64_t(l.in_h) * l.in_w, l.in_signed);
    ref::ChannelParams p;  // bias 0, zero point 0
    p.scale = avg.scale;
    p.shift = avg.shift;
    params.assign(l.out_c, p);
    return params;
  }
  // max |acc + bias| per channel -> 127 or 255. An inner product has one value per channel, which
  // would always land on the range's end: its channels share the layer's maximum instead. With a
  // zero point, both extremes inside the range (below it only without ReLU), one at its end.
  const uint64_t pixels = uint64_t(a.out_h) * a.out_w;
  const int64_t qmin = l.out_signed ? -128 : 0, qmax = l.out_signed ? 127 : 255, zp = l.out_zero_point;
  std::vector<int64_t> max_pos(l.out_c, 0), max_neg(l.out_c, 0);
  for (uint32_t co = 0; co < l.out_c; ++co)
    for (uint64_t p = 0; p < pixels; ++p) {
      const int64_t t = int64_t(ref::WrapAcc(a.acc[co * pixels + p])) + bias[co];
      max_pos[co] = std::max(max_pos[co], t), max_neg[co] = std::max(max_neg[co], -t);
    }
  if (pixels == 1) {
    std::fill(max_pos.begin(), max_pos.end(), *std::max_element(max_pos.begin(), max_pos.end()));
    std::fill(max_neg.begin(), max_neg.end(), *std::max_element(max_neg.begin(), max_neg.end()));
  }
  for (uint32_t co = 0; co < l.out_c; ++co) {
    int64_t target = qmax, max_abs = std::max(max_pos[co], max_neg[co]);  // zero point 0
    if (zp != 0) {  // the side whose ratio (room / extreme) is smaller binds
      const int64_t up = qmax - zp, down = l.relu ? 0 : zp - qmin;
      const bool down_binds = !l.relu && max_neg[co] > 0 && down * max_pos[co] <= up * max_neg[co];
      target = down_binds ? down : up;
      max_abs = down_binds ? max_neg[co] : max_pos[co];
    }
    params[co] = Calibrate(max_abs, bias[co], target);
    params[co].zero_point = int16_t(zp);
    if (l.requant == ref::RequantMode::kExact) {
      // The multiplier in float32, as onnxruntime's s_x * s_w / s_y: here target / max |acc|.
      params[co].multiplier = l.multiplier   ? *l.multiplier
                              : max_abs == 0 ? 1.0f
                                             : float(target) / float(max_abs);
      params[co] = FusedOf(params[co]);  // the fused mode's nearest, to compare the two
    }
  }
  if (act)
    for (auto& p : params) p = ChannelOf(l.activation->kind, *act, p);
  return params;
}

std::vector<uint8_t> LayerOutput(const LayerSpec& l, const ref::Tensor& in, const LayerAccumulators& a,
                                 const std::vector<ref::ChannelParams>& params) {
  const uint64_t pixels = uint64_t(a.out_h) * a.out_w;
  std::vector<uint8_t> out;
  if (l.global_avg_pool) {  // the definition: each plane's rounded average, not FUSED_RELU's formula
    const uint64_t count = uint64_t(l.in_h) * l.in_w;
    out.resize(l.out_c);
    for (uint32_t co = 0; co < l.out_c; ++co) {
      int64_t sum = 0;
      for (uint32_t h = 0; h < l.in_h; ++h)
        for (uint32_t w = 0; w < l.in_w; ++w) sum += in.At(co, h, w);
      out[co] = uint8_t(ref::RoundedAverage(sum, count));
    }
  } else if (l.requant == ref::RequantMode::kExact) {  // the formula, not the program it runs
    out = ref::Requantize(a.acc, l.out_c, params, l.relu, !l.out_signed, ref::RequantMode::kExact);
  } else if (l.simd.empty()) {
    out = ref::Requantize(a.acc, l.out_c, params, l.relu, !l.out_signed);
  } else {  // the program on every element, as each lane of each accumulator row runs it
    out.resize(a.acc.size());
    for (uint32_t co = 0; co < l.out_c; ++co)
      for (uint64_t p = 0; p < pixels; ++p)
        out[co * pixels + p] = simd::RunLane(l.simd, ref::WrapAcc(a.acc[co * pixels + p]), params[co],
                                             l.lut.empty() ? nullptr : l.lut.data());
  }
  // The formulas leave the program's LUT (LutInstr, last) to be applied to their bytes.
  if (!l.lut.empty() && (l.global_avg_pool || l.requant == ref::RequantMode::kExact))
    for (uint8_t& b : out) b = l.lut[b];
  if (l.pool) {  // the reference pooling of the convolution's output, after its activation
    ref::Tensor conv(l.out_c, a.out_h, a.out_w, l.out_signed);
    conv.data = std::move(out);
    const ref::PoolKind kind = l.pool->op == isa::PoolOp::kMax ? ref::PoolKind::kMax : ref::PoolKind::kAvg;
    out = ref::Pool2d(conv, kind, l.pool->size, l.pool->stride, l.pool->pad).data;
  }
  return out;
}

isa::SimdInstr LutInstr(bool out_signed) {
  isa::SimdInstr lut;  // LUT v0, v0
  lut.op = isa::SimdOp::kLut;
  lut.dtype = out_signed ? isa::Dtype::kI8 : isa::Dtype::kU8;
  return lut;
}

isa::SimdInstr FusedReluInstr(bool relu, bool out_signed) {
  isa::SimdInstr fr;  // FUSED_RELU v0, v0
  fr.op = isa::SimdOp::kFusedRelu;
  fr.flags = (relu ? 1u : 0u) | (out_signed ? 0u : 2u);
  return fr;
}

std::vector<isa::SimdInstr> ExactRequantProgram(bool relu, bool out_signed, ExactRounding rounding) {
  using isa::Dtype;
  using isa::SimdOp;
  std::vector<isa::SimdInstr> p;
  p.push_back(simd::Ins(SimdOp::kLdparam, 1, 0, 0).Dt(Dtype::kI32).Imm(0));  // v1 = bias
  p.push_back(simd::Ins(SimdOp::kAdd, 0, 0, 1).Dt(Dtype::kI32));             // v0 = acc + bias (wraps)
  p.push_back(simd::Ins(SimdOp::kI2f, 0, 0, 0).Dt(Dtype::kF32));             // float32, to nearest even
  p.push_back(simd::Ins(SimdOp::kLdparam, 1, 0, 0).Dt(Dtype::kI32).Imm(4));  // v1 = multiplier
  p.push_back(simd::Ins(SimdOp::kFmul, 0, 0, 1).Dt(Dtype::kF32));            // one float32 rounding
  uint64_t rounded = 0;  // the register of the rounded product
  if (rounding == ExactRounding::kHalfEven) {
    p.push_back(simd::Ins(SimdOp::kF2i, 0, 0, 0).Dt(Dtype::kF32));  // to nearest, ties to even
    // f2i saturates at int32's ends, where adding the zero point would wrap: clamp first (the
    // output byte is the same for any value beyond int16).
    p.push_back(simd::Ins(SimdOp::kSat, 0, 0, 0).Dt(Dtype::kI16));
  } else {  // floor(x + 0.5): n = f2i(x + 0.5), minus 1 where float(n) > x + 0.5
    p.push_back(simd::Ins(SimdOp::kMovi, 2, 0, 0).Dt(Dtype::kI32).Imm(0x3F000000));  // 0.5f
    p.push_back(simd::Ins(SimdOp::kFadd, 0, 0, 2).Dt(Dtype::kF32));
    p.push_back(simd::Ins(SimdOp::kF2i, 3, 0, 0).Dt(Dtype::kF32));
    p.push_back(simd::Ins(SimdOp::kI2f, 4, 3, 0).Dt(Dtype::kF32));
    p.push_back(simd::Ins(SimdOp::kFcmplt, 1, 0, 4).Dt(Dtype::kF32));  // p1 = x + 0.5 < float(n)
    p.push_back(simd::Ins(SimdOp::kMovi, 2, 0, 0).Dt(Dtype::kI32).Imm(1));
    p.push_back(simd::Ins(SimdOp::kSub, 3, 3, 2).Dt(Dtype::kI32));  // n - 1 where p1
    p.back().pred = 1;
    rounded = 3;
  }
  p.push_back(simd::Ins(SimdOp::kLdparam, 1, 0, 0).Dt(Dtype::kI32).Imm(3));  // v1 = zero point
  p.push_back(simd::Ins(SimdOp::kAdd, 0, rounded, 1).Dt(Dtype::kI32));
  if (relu) p.push_back(simd::Ins(SimdOp::kMax, 0, 0, 1).Dt(Dtype::kI32));  // no lower than the zero point
  p.push_back(simd::Ins(SimdOp::kSat, 0, 0, 0).Dt(out_signed ? Dtype::kI8 : Dtype::kU8));
  if (p.size() > isa::kMaxSimdInstrs || simd::CheckProgram(p))
    throw std::logic_error("ExactRequantProgram made an illegal program");
  return p;
}

std::vector<isa::SimdInstr> QLinearAddProgram(const ref::QLinearAddParams& q) {
  using isa::Dtype;
  using isa::SimdOp;
  auto bits = [](float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return uint64_t(u);
  };
  std::vector<isa::SimdInstr> p;
  if (q.is_signed) {  // the model's int8 values
    p.push_back(simd::Ins(SimdOp::kMovi, 5, 0, 0).Dt(Dtype::kI32).Imm(128));
    p.push_back(simd::Ins(SimdOp::kSub, 1, 1, 5).Dt(Dtype::kI32));
    p.push_back(simd::Ins(SimdOp::kSub, 2, 2, 5).Dt(Dtype::kI32));
  }
  p.push_back(simd::Ins(SimdOp::kI2f, 3, 2, 0).Dt(Dtype::kF32));  // v3 = float(b)
  p.push_back(simd::Ins(SimdOp::kMovi, 4, 0, 0).Dt(Dtype::kI32).Imm(bits(q.ratio_b)));
  p.push_back(simd::Ins(SimdOp::kMovi, 0, 0, 0).Dt(Dtype::kI32).Imm(bits(q.fixed)));
  p.push_back(simd::Ins(SimdOp::kFma, 0, 3, 4).Dt(Dtype::kF32));  // v0 = b * ratio_b + fixed
  p.push_back(simd::Ins(SimdOp::kI2f, 3, 1, 0).Dt(Dtype::kF32));  // v3 = float(a)
  p.push_back(simd::Ins(SimdOp::kMovi, 4, 0, 0).Dt(Dtype::kI32).Imm(bits(q.ratio_a)));
  p.push_back(simd::Ins(SimdOp::kFma, 0, 3, 4).Dt(Dtype::kF32));  // v0 = a * ratio_a + v0
  p.push_back(simd::Ins(SimdOp::kF2i, 0, 0, 0).Dt(Dtype::kF32));  // to nearest, ties to even
  p.push_back(simd::Ins(SimdOp::kSat, 0, 0, 0).Dt(Dtype::kI16));  // as MLAS packs to int16
  p.push_back(simd::Ins(SimdOp::kSat, 0, 0, 0).Dt(q.is_signed ? Dtype::kI8 : Dtype::kU8));
  if (q.is_signed) p.push_back(simd::Ins(SimdOp::kAdd, 0, 0, 5).Dt(Dtype::kI32));  // back to the uint8 byte
  if (p.size() > isa::kMaxSimdInstrs || simd::CheckProgram(p))
    throw std::logic_error("QLinearAddProgram made an illegal program");
  return p;
}

RescaleProgram LowerRescaledAdd(const LayerSpec::Rescale& r, bool relu, bool out_signed) {
  constexpr int kBits = 20;  // the larger of ka, kb is 2^20: |ka*a + kb*b| <= 510 * 2^20 < 2^29
  const double ra = r.a_scale / r.out_scale, rb = r.b_scale / r.out_scale, top = std::max(ra, rb);
  RescaleProgram p;
  const double ka = std::round(std::ldexp(ra / top, kBits)), kb = std::round(std::ldexp(rb / top, kBits));
  if (ka < 1 || kb < 1) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "a_scale / b_scale = %g is outside [2^-21, 2^21], where the smaller input's "
                  "weight would round to 0",
                  r.a_scale / r.b_scale);
    throw CompileError(buf);
  }
  p.ka = int32_t(ka), p.kb = int32_t(kb);
  // scale * 2^-shift ~= top * 2^-20 (the output LSB per unit of ka*a + kb*b)
  const auto m = FusedReluMultiplier([&](int shift) { return std::round(std::ldexp(top, shift - kBits)); });
  if (!m) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "the output scale %g per input scale %g does not fit FUSED_RELU's 16-bit scale "
                  "and 6-bit shift",
                  r.out_scale, std::max(r.a_scale, r.b_scale));
    throw CompileError(buf);
  }
  p.params.scale = m->scale, p.params.shift = m->shift;
  p.params.zero_point = int16_t(r.zero_point);
  // v1 = a, v2 = b (docs/architecture.md, "SIMD-only instructions")
  p.simd.push_back(
      simd::Ins(isa::SimdOp::kMovi, 3, 0, 0).Dt(isa::Dtype::kI32).Imm(uint64_t(uint32_t(p.ka))));  // v3 = ka
  p.simd.push_back(simd::Ins(isa::SimdOp::kMul, 3, 1, 3).Dt(isa::Dtype::kI32));  // v3 = a * ka
  p.simd.push_back(
      simd::Ins(isa::SimdOp::kMovi, 4, 0, 0).Dt(isa::Dtype::kI32).Imm(uint64_t(uint32_t(p.kb))));  // v4 = kb
  p.simd.push_back(simd::Ins(isa::SimdOp::kMul, 4, 2, 4).Dt(isa::Dtype::kI32));          // v4 = b * kb
  p.simd.push_back(simd::Ins(isa::SimdOp::kAdd, 0, 3, 4).Dt(isa::Dtype::kI32));          // v0 = v3 + v4
  isa::SimdInstr fr = simd::Ins(isa::SimdOp::kFusedRelu, 0, 0, 0).Dt(isa::Dtype::kI32);  // FUSED_RELU v0, v0
  fr.flags = (relu ? 1u : 0u) | (out_signed ? 0u : 2u);
  p.simd.push_back(fr);
  return p;
}

RescaleAccuracy MeasureRescaledAdd(const LayerSpec::Rescale& r, const RescaleProgram& p, bool in_signed,
                                   bool relu, bool out_signed) {
  RescaleAccuracy acc;
  const int32_t lo = in_signed ? -128 : 0, hi = in_signed ? 127 : 255;
  const double qlo = out_signed ? -128 : 0, qhi = out_signed ? 127 : 255;
  ref::Tensor a(1, 1, 1, in_signed), b(1, 1, 1, in_signed);
  for (int32_t va = lo; va <= hi; ++va)
    for (int32_t vb = lo; vb <= hi; ++vb) {
      a.data[0] = uint8_t(va), b.data[0] = uint8_t(vb);
      const uint8_t byte = ref::EltwiseRescaledAdd(a, b, p.ka, p.kb, {p.params}, relu, !out_signed)[0];
      const double got = out_signed ? double(int8_t(byte)) : double(byte);
      double real = (va * r.a_scale + vb * r.b_scale) / r.out_scale;
      if (relu) real = std::max(real, 0.0);
      real = std::clamp(real + r.zero_point, qlo, qhi);
      const double err = std::fabs(got - real);
      ++acc.pairs;
      if (err <= 0.5 + 1e-9)
        ++acc.nearest;  // a tie (up to the doubles' own rounding) accepts either neighbour
      if (err > acc.max_error_lsb) acc.max_error_lsb = err, acc.worst_a = va, acc.worst_b = vb;
    }
  return acc;
}

namespace {

ref::EltwiseKind KindOf(isa::EltwiseOp op) {
  switch (op) {
    case isa::EltwiseOp::kAdd:
      return ref::EltwiseKind::kAdd;
    case isa::EltwiseOp::kMul:
      return ref::EltwiseKind::kMul;
    case isa::EltwiseOp::kMax:
      return ref::EltwiseKind::kMax;
  }
  throw std::logic_error("nnac: unknown eltwise op");
}

}  // namespace

namespace {

// SCALE: one output quantization for the layer from the real outputs gamma_c*(x + bias_c).
std::vector<ref::ChannelParams> ScaleParams(const LayerSpec& l, const ref::Tensor& a,
                                            const std::vector<int32_t>& bias,
                                            const std::vector<double>& gamma) {
  const uint32_t channels = l.in_c;
  const size_t plane = size_t(l.in_h) * l.in_w;
  std::vector<ref::ChannelParams> params(channels);
  double ymin = 0, ymax = 0;
  for (uint32_t co = 0; co < channels; ++co) {
    params[co].bias = bias[co];
    for (size_t p = 0; p < plane; ++p) {
      const int32_t x = a.At(co, uint32_t(p / l.in_w), uint32_t(p % l.in_w));
      double y = gamma[co] * double(x + bias[co]);
      if (l.relu) y = std::max(y, 0.0);
      if (co == 0 && p == 0) ymin = ymax = y;
      ymin = std::min(ymin, y), ymax = std::max(ymax, y);
    }
  }
  const double qlo = l.out_signed ? -128 : 0, qhi = l.out_signed ? 127 : 255;
  int32_t zp = 0;
  double s = 1;
  if (ymax > ymin) {
    zp = int32_t(std::clamp<double>(std::round(qlo - ymin * (qhi - qlo) / (ymax - ymin)), qlo, qhi));
    double best = HUGE_VAL;  // the largest s that keeps both extremes inside the range
    if (ymax > 0 && qhi > zp) best = std::min(best, (qhi - zp) / ymax);
    if (ymin < 0 && qlo < zp) best = std::min(best, (qlo - zp) / ymin);
    if (std::isfinite(best)) s = best;
  }
  for (uint32_t co = 0; co < channels; ++co) {
    ref::ChannelParams& p = params[co];
    p.zero_point = int16_t(zp);
    const double mult = gamma[co] * s;
    if (const auto m = FusedReluMultiplier([&](int shift) { return std::round(std::ldexp(mult, shift)); }))
      p.scale = m->scale, p.shift = m->shift;
  }
  return params;
}

}  // namespace

std::vector<ref::ChannelParams> CalibrateSimdOnly(const LayerSpec& l, const ref::Tensor& a,
                                                  const ref::Tensor& b, const std::vector<int32_t>& bias,
                                                  const std::vector<double>& gamma,
                                                  const RescaleProgram* rescale) {
  const uint32_t channels = l.in_c;
  if (l.op == LayerOp::kScale) return ScaleParams(l, a, bias, gamma);
  if (rescale) return std::vector<ref::ChannelParams>(channels, rescale->params);
  const size_t plane = size_t(l.in_h) * l.in_w;
  const int64_t target = l.out_signed ? 127 : 255;
  std::vector<ref::ChannelParams> params(channels);
  for (uint32_t co = 0; co < channels; ++co) {
    int64_t max_abs = 0;
    for (size_t p = 0; p < plane; ++p) {
      const uint32_t h = uint32_t(p / l.in_w), w = uint32_t(p % l.in_w);
      const int64_t v = ref::EltwiseValue(KindOf(l.eltwise), a.At(co, h, w), b.At(co, h, w));
      max_abs = std::max(max_abs, v < 0 ? -v : v);
    }
    params[co] = Calibrate(max_abs, 0, target);
  }
  return params;
}

std::vector<uint8_t> SimdOnlyOutput(const LayerSpec& l, const ref::Tensor& a, const ref::Tensor& b,
                                    const std::vector<ref::ChannelParams>& params,
                                    const RescaleProgram* rescale) {
  const bool unsigned_out = !l.out_signed;
  if (l.op == LayerOp::kScale && l.simd.empty()) return ref::ScaleChannels(a, params, l.relu, unsigned_out);
  if (rescale) return ref::EltwiseRescaledAdd(a, b, rescale->ka, rescale->kb, params, l.relu, unsigned_out);
  if (l.simd.empty()) return ref::Eltwise(a, b, KindOf(l.eltwise), params, l.relu, unsigned_out);
  // The program on every element, as each lane of each unloaded row runs it.
  const size_t plane = size_t(l.in_h) * l.in_w;
  std::vector<uint8_t> out(size_t(l.in_c) * plane);
  for (uint32_t co = 0; co < l.in_c; ++co)
    for (size_t p = 0; p < plane; ++p) {
      const uint32_t h = uint32_t(p / l.in_w), w = uint32_t(p % l.in_w);
      const simd::LaneState entry = l.op == LayerOp::kScale
                                        ? simd::RowEntry(a.At(co, h, w))
                                        : simd::PairEntry(l.eltwise, a.At(co, h, w), b.At(co, h, w));
      out[co * plane + p] =
          uint8_t(simd::RunLaneState(l.simd, entry, params[co], l.lut.empty() ? nullptr : l.lut.data()).v[0]);
    }
  return out;
}

}  // namespace nna::compiler
