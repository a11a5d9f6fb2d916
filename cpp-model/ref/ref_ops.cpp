#include "ref/ref_ops.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "nna/isa.h"

namespace nna::ref {

int64_t ConvOutSize(int64_t in, int64_t kernel, int64_t stride, int64_t dil, int64_t pad_lo, int64_t pad_hi) {
  const int64_t span = (kernel - 1) * dil + 1;
  const int64_t room = in + pad_lo + pad_hi - span;
  if (room < 0 || stride < 1) return 0;
  return room / stride + 1;
}

int64_t DeconvOutSize(int64_t in, int64_t kernel, int64_t stride, int64_t dil, int64_t pad_lo, int64_t pad_hi,
                      int64_t out_pad) {
  return (in - 1) * stride - pad_lo - pad_hi + dil * (kernel - 1) + out_pad + 1;
}

namespace {

// Checks the channel counts of a grouped layer; returns Cout/groups.
uint32_t GroupOutChannels(const char* op, const Tensor& in, const Weights& wt, uint32_t groups) {
  if (groups == 0 || wt.cout % groups != 0 || uint64_t(wt.cin) * groups != in.c)
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(groups) + " groups do not fit " +
                                std::to_string(in.c) + " input channels, weights of " +
                                std::to_string(wt.cin) + " per group and " + std::to_string(wt.cout) +
                                " output channels");
  return wt.cout / groups;
}

}  // namespace

std::vector<int64_t> Conv2d(const Tensor& in, const Weights& wt, const ConvGeometry& g, uint32_t* out_h,
                            uint32_t* out_w) {
  const uint32_t gout = GroupOutChannels("Conv2d", in, wt, g.groups);
  const int64_t oh_n = ConvOutSize(in.h, wt.r, g.stride_h, g.dil_h, g.pad_top, g.pad_bottom);
  const int64_t ow_n = ConvOutSize(in.w, wt.s, g.stride_w, g.dil_w, g.pad_left, g.pad_right);
  if (oh_n < 1 || ow_n < 1) throw std::invalid_argument("Conv2d: the kernel does not fit the padded input");
  *out_h = uint32_t(oh_n);
  *out_w = uint32_t(ow_n);
  std::vector<int64_t> acc(size_t(wt.cout) * oh_n * ow_n, 0);
  const int64_t pad = in.is_signed ? int8_t(g.pad_value) : g.pad_value;
  // Straight seven-loop convolution; the inner loop runs over output columns.
  for (uint32_t co = 0; co < wt.cout; ++co) {
    int64_t* plane = &acc[size_t(co) * oh_n * ow_n];
    const uint32_t c0 = (co / gout) * wt.cin;  // first input channel of the group
    for (uint32_t ci = 0; ci < wt.cin; ++ci) {
      for (uint32_t r = 0; r < wt.r; ++r) {
        for (uint32_t s = 0; s < wt.s; ++s) {
          const int64_t w = wt.At(co, ci, r, s);
          for (int64_t oh = 0; oh < oh_n; ++oh) {
            const int64_t ih = oh * g.stride_h + int64_t(r) * g.dil_h - g.pad_top;
            const bool row_in = ih >= 0 && ih < in.h;
            if (!row_in && pad == 0) continue;
            for (int64_t ow = 0; ow < ow_n; ++ow) {
              const int64_t iw = ow * g.stride_w + int64_t(s) * g.dil_w - g.pad_left;
              const bool in_bounds = row_in && iw >= 0 && iw < in.w;
              plane[oh * ow_n + ow] += w * (in_bounds ? in.At(c0 + ci, uint32_t(ih), uint32_t(iw)) : pad);
            }
          }
        }
      }
    }
  }
  return acc;
}

std::vector<int64_t> Deconv2d(const Tensor& in, const Weights& wt, const ConvGeometry& g, uint32_t* out_h,
                              uint32_t* out_w) {
  const uint32_t gout = GroupOutChannels("Deconv2d", in, wt, g.groups);
  const int64_t oh_n = DeconvOutSize(in.h, wt.r, g.stride_h, g.dil_h, g.pad_top, g.pad_bottom, g.out_pad_h);
  const int64_t ow_n = DeconvOutSize(in.w, wt.s, g.stride_w, g.dil_w, g.pad_left, g.pad_right, g.out_pad_w);
  if (oh_n < 1 || ow_n < 1) throw std::invalid_argument("Deconv2d: the padding leaves no output");
  *out_h = uint32_t(oh_n);
  *out_w = uint32_t(ow_n);
  // Every tap without an input (the gaps between pixels, the edges) reads pad_value p: each output
  // starts from p * (the sum of its channel's weights), and each input scatters x - p.
  const int64_t pad = in.is_signed ? int8_t(g.pad_value) : g.pad_value;
  std::vector<int64_t> acc(size_t(wt.cout) * oh_n * ow_n, 0);
  for (uint32_t co = 0; co < wt.cout && pad != 0; ++co) {
    int64_t sum = 0;
    for (uint32_t ci = 0; ci < wt.cin; ++ci)
      for (uint32_t r = 0; r < wt.r; ++r)
        for (uint32_t s = 0; s < wt.s; ++s) sum += wt.At(co, ci, r, s);
    std::fill_n(acc.begin() + ptrdiff_t(size_t(co) * oh_n * ow_n), size_t(oh_n * ow_n), pad * sum);
  }
  // Scatter: each input element spreads over the kernel; outputs outside the cropped range drop.
  for (uint32_t ci_all = 0; ci_all < in.c; ++ci_all) {
    const uint32_t grp = ci_all / wt.cin, ci = ci_all % wt.cin;
    for (uint32_t ih = 0; ih < in.h; ++ih) {
      for (uint32_t iw = 0; iw < in.w; ++iw) {
        const int64_t x = in.At(ci_all, ih, iw) - pad;
        if (x == 0) continue;
        for (uint32_t co = grp * gout; co < (grp + 1) * gout; ++co) {
          int64_t* plane = &acc[size_t(co) * oh_n * ow_n];
          for (uint32_t r = 0; r < wt.r; ++r) {
            const int64_t oh = int64_t(ih) * g.stride_h - g.pad_top + int64_t(r) * g.dil_h;
            if (oh < 0 || oh >= oh_n) continue;
            for (uint32_t s = 0; s < wt.s; ++s) {
              const int64_t ow = int64_t(iw) * g.stride_w - g.pad_left + int64_t(s) * g.dil_w;
              if (ow < 0 || ow >= ow_n) continue;
              plane[oh * ow_n + ow] += x * wt.At(co, ci, r, s);
            }
          }
        }
      }
    }
  }
  return acc;
}

std::vector<int64_t> InnerProduct(const Tensor& in, const Weights& wt) {
  if (uint64_t(wt.cin) * wt.r * wt.s != in.data.size())
    throw std::invalid_argument("InnerProduct: weights of " + std::to_string(wt.cin) + "x" +
                                std::to_string(wt.r) + "x" + std::to_string(wt.s) +
                                " per output do not match the input of " + std::to_string(in.data.size()) +
                                " elements");
  const size_t n = in.data.size();
  std::vector<int64_t> acc(wt.cout, 0);
  for (uint32_t co = 0; co < wt.cout; ++co) {
    const uint8_t* w = &wt.data[co * n];
    int64_t sum = 0;
    for (size_t k = 0; k < n; ++k) {
      const int64_t a = in.is_signed ? int64_t(int8_t(in.data[k])) : int64_t(in.data[k]);
      const int64_t b = wt.is_signed ? int64_t(int8_t(w[k])) : int64_t(w[k]);
      sum += a * b;
    }
    acc[co] = sum;
  }
  return acc;
}

int32_t WrapAcc(int64_t acc) {
  constexpr unsigned kDrop = 64 - isa::kAccBits;  // keep the low acc_bits, sign-extended
  return int32_t(int64_t(uint64_t(acc) << kDrop) >> kDrop);
}

void PackParams(const ChannelParams& p, uint8_t* out8) {
  isa::ChannelParamsRecord r;
  r.bias = p.bias;
  r.scale = p.scale;
  r.shift = p.shift;
  r.zero_point = p.zero_point;
  uint32_t bits;
  std::memcpy(&bits, &p.multiplier, sizeof bits);
  r.multiplier = bits;
  const auto bytes = isa::Encode(r);
  std::copy(bytes.begin(), bytes.end(), out8);
}

ChannelParams UnpackParams(const uint8_t* in8) {
  const isa::ChannelParamsRecord r = isa::DecodeChannelParamsRecord(in8);
  ChannelParams p{int32_t(r.bias), uint16_t(r.scale), uint8_t(r.shift), int16_t(r.zero_point)};
  const uint32_t bits = uint32_t(r.multiplier);
  std::memcpy(&p.multiplier, &bits, sizeof bits);
  return p;
}

int32_t FusedRelu(int32_t va, const ChannelParams& p, bool relu, bool unsigned_out) {
  const int32_t t = int32_t(uint32_t(va) + uint32_t(p.bias));  // wraps at 32 bits
  int64_t q = int64_t(t) * int64_t(p.scale);
  // The architecture defines shift 0..63; the byte's upper bits are ignored (6-bit shifter).
  const unsigned shift = p.shift & 63u;
  if (shift > 0) q = (q + (int64_t(1) << (shift - 1))) >> shift;
  if (relu) q = std::max<int64_t>(q, 0);
  q += p.zero_point;
  const int64_t lo = unsigned_out ? 0 : -128, hi = unsigned_out ? 255 : 127;
  return int32_t(std::clamp(q, lo, hi));
}

int32_t RequantizeExact(int32_t va, const ChannelParams& p, bool relu, bool unsigned_out) {
  if (std::fegetround() != FE_TONEAREST)
    throw std::logic_error("RequantizeExact: the floating-point rounding mode is not to-nearest");
  const int32_t t = int32_t(uint32_t(va) + uint32_t(p.bias));  // wraps at 32 bits
  const float product = static_cast<float>(t) * p.multiplier;  // both roundings in float32
  // Beyond the int32 range the clamp gives the byte of the hardware's saturating f2i; NaN gives 0
  // as f2i does (a NaN or infinite multiplier).
  const float rounded =
      std::isnan(product) ? 0.0f : std::nearbyint(std::clamp(product, -2147483648.0f, 2147483520.0f));
  int64_t q = int64_t(rounded) + p.zero_point;
  if (relu) q = std::max<int64_t>(q, p.zero_point);
  const int64_t lo = unsigned_out ? 0 : -128, hi = unsigned_out ? 255 : 127;
  return int32_t(std::clamp(q, lo, hi));
}

std::vector<uint8_t> Requantize(const std::vector<int64_t>& acc, uint32_t cout,
                                const std::vector<ChannelParams>& params, bool relu, bool unsigned_out,
                                RequantMode mode) {
  if (cout == 0 || acc.size() % cout != 0)
    throw std::invalid_argument("Requantize: accumulators are not cout planes");
  if (params.size() < cout)
    throw std::invalid_argument("Requantize: fewer channel parameters than output channels");
  std::vector<uint8_t> out(acc.size());
  const size_t plane = acc.size() / cout;
  for (uint32_t co = 0; co < cout; ++co)
    for (size_t p = 0; p < plane; ++p)
      out[co * plane + p] =
          uint8_t(mode == RequantMode::kExact
                      ? RequantizeExact(WrapAcc(acc[co * plane + p]), params[co], relu, unsigned_out)
                      : FusedRelu(WrapAcc(acc[co * plane + p]), params[co], relu, unsigned_out));
  return out;
}

std::vector<uint8_t> ConvLayer(const Tensor& in, const Weights& wt, const ConvGeometry& g,
                               const std::vector<ChannelParams>& params, bool relu, bool unsigned_out) {
  uint32_t oh = 0, ow = 0;
  return Requantize(Conv2d(in, wt, g, &oh, &ow), wt.cout, params, relu, unsigned_out);
}

std::vector<uint8_t> ScaleChannels(const Tensor& in, const std::vector<ChannelParams>& params, bool relu,
                                   bool unsigned_out) {
  if (params.size() != in.c) throw std::invalid_argument("ScaleChannels: need one parameter set per channel");
  std::vector<uint8_t> out(in.data.size());
  for (uint32_t c = 0; c < in.c; ++c)
    for (uint32_t h = 0; h < in.h; ++h)
      for (uint32_t w = 0; w < in.w; ++w)
        out[(size_t(c) * in.h + h) * in.w + w] =
            uint8_t(FusedRelu(in.At(c, h, w), params[c], relu, unsigned_out));
  return out;
}

int64_t EltwiseValue(EltwiseKind kind, int32_t a, int32_t b) {
  switch (kind) {
    case EltwiseKind::kAdd:
      return int64_t(a) + b;
    case EltwiseKind::kMul:
      return int64_t(a) * b;
    case EltwiseKind::kMax:
      return std::max(a, b);
  }
  throw std::invalid_argument("EltwiseValue: unknown kind");
}

namespace {

void SameShape(const char* op, const Tensor& a, const Tensor& b, size_t params) {
  if (a.c != b.c || a.h != b.h || a.w != b.w || a.is_signed != b.is_signed)
    throw std::invalid_argument(std::string(op) + ": the two tensors differ in shape or signedness");
  if (params != a.c) throw std::invalid_argument(std::string(op) + ": need one parameter set per channel");
}

// Two's complement wrap of an exact value to 32 bits.
int32_t Wrap32(int64_t v) { return int32_t(uint32_t(uint64_t(v))); }

}  // namespace

std::vector<uint8_t> Eltwise(const Tensor& a, const Tensor& b, EltwiseKind kind,
                             const std::vector<ChannelParams>& params, bool relu, bool unsigned_out) {
  SameShape("Eltwise", a, b, params.size());
  std::vector<uint8_t> out(a.data.size());
  for (uint32_t c = 0; c < a.c; ++c)
    for (uint32_t h = 0; h < a.h; ++h)
      for (uint32_t w = 0; w < a.w; ++w) {
        const int64_t v = EltwiseValue(kind, a.At(c, h, w), b.At(c, h, w));  // |v| <= 65025: no wrap
        out[(size_t(c) * a.h + h) * a.w + w] = uint8_t(FusedRelu(int32_t(v), params[c], relu, unsigned_out));
      }
  return out;
}

std::vector<uint8_t> EltwiseRescaledAdd(const Tensor& a, const Tensor& b, int32_t ka, int32_t kb,
                                        const std::vector<ChannelParams>& params, bool relu,
                                        bool unsigned_out) {
  SameShape("EltwiseRescaledAdd", a, b, params.size());
  std::vector<uint8_t> out(a.data.size());
  for (uint32_t c = 0; c < a.c; ++c)
    for (uint32_t h = 0; h < a.h; ++h)
      for (uint32_t w = 0; w < a.w; ++w) {
        const int32_t v = Wrap32(int64_t(ka) * a.At(c, h, w) + int64_t(kb) * b.At(c, h, w));
        out[(size_t(c) * a.h + h) * a.w + w] = uint8_t(FusedRelu(v, params[c], relu, unsigned_out));
      }
  return out;
}

QLinearAddParams QLinearAddConstants(float sa, int32_t za, float sb, int32_t zb, float sc, int32_t zc,
                                     bool is_signed) {
  QLinearAddParams p;
  p.ratio_a = sa / sc, p.ratio_b = sb / sc;
  const float b_part = p.ratio_b * static_cast<float>(zb);  // rounded apart: MLAS's compiled order
  p.fixed = static_cast<float>(zc) - std::fma(p.ratio_a, static_cast<float>(za), b_part);
  p.is_signed = is_signed;
  return p;
}

int32_t QLinearAddValue(const QLinearAddParams& p, int32_t a, int32_t b) {
  if (std::fegetround() != FE_TONEAREST)
    throw std::logic_error("QLinearAddValue: the floating-point rounding mode is not to-nearest");
  const float t = std::fma(static_cast<float>(b), p.ratio_b, p.fixed);
  const float r = std::fma(static_cast<float>(a), p.ratio_a, t);
  // Beyond int16 the clamp gives the saturating conversions' result; NaN converts to int32's minimum.
  const float q = std::isnan(r) ? -32768.0f : std::nearbyint(std::clamp(r, -32768.0f, 32767.0f));
  const int32_t lo = p.is_signed ? -128 : 0, hi = p.is_signed ? 127 : 255;
  return std::clamp(int32_t(q), lo, hi);
}

std::vector<uint8_t> QLinearAdd(const Tensor& a, const Tensor& b, const QLinearAddParams& p) {
  if (a.is_signed || b.is_signed || a.data.size() != b.data.size())
    throw std::invalid_argument("QLinearAdd takes two uint8 tensors of one shape");
  const int32_t shift = p.is_signed ? 128 : 0;
  std::vector<uint8_t> out(a.data.size());
  for (size_t e = 0; e < out.size(); ++e)
    out[e] = uint8_t(QLinearAddValue(p, a.data[e] - shift, b.data[e] - shift) + shift);
  return out;
}

std::vector<uint8_t> PreorderWeights(const Weights& wt, uint32_t rows, uint32_t groups) {
  if (groups == 0 || wt.cout % groups != 0)
    throw std::invalid_argument("PreorderWeights: " + std::to_string(groups) + " groups do not divide " +
                                std::to_string(wt.cout) + " output channels");
  const size_t dot_len = size_t(wt.cin) * wt.r * wt.s;
  const uint32_t gout = wt.cout / groups;
  const size_t group_tiles = (gout + rows - 1) / rows;
  std::vector<uint8_t> out(groups * group_tiles * dot_len * rows, 0);
  for (uint32_t co = 0; co < wt.cout; ++co) {
    // Tiles never mix groups: a group's channels restart at row 0 of a new tile.
    const size_t g = co / gout, t = (co % gout) / rows, j = (co % gout) % rows;
    const size_t ct = g * group_tiles + t;
    // A channel's dot_len weights are contiguous in (Cout, Cin, R, S) order, k ascending.
    for (size_t k = 0; k < dot_len; ++k) out[(ct * dot_len + k) * rows + j] = wt.data[co * dot_len + k];
  }
  return out;
}

int64_t RoundedAverage(int64_t sum, uint64_t count) {
  // floor((2*sum + count) / (2*count)), rounding towards minus infinity for negative sums too.
  const int64_t num = 2 * sum + int64_t(count), den = 2 * int64_t(count);
  return num >= 0 ? num / den : -((-num + den - 1) / den);
}

Tensor Pool2d(const Tensor& in, PoolKind kind, uint32_t size, uint32_t stride, uint32_t pad) {
  const int64_t oh_n = (int64_t(in.h) + 2 * pad - size) / stride + 1;
  const int64_t ow_n = (int64_t(in.w) + 2 * pad - size) / stride + 1;
  Tensor out(in.c, uint32_t(oh_n), uint32_t(ow_n), in.is_signed);
  const int64_t area = int64_t(size) * size;
  for (uint32_t c = 0; c < in.c; ++c)
    for (int64_t oh = 0; oh < oh_n; ++oh)
      for (int64_t ow = 0; ow < ow_n; ++ow) {
        int64_t best = INT64_MIN, sum = 0;
        for (int64_t ih = oh * stride - pad; ih < oh * stride - pad + size; ++ih)
          for (int64_t iw = ow * stride - pad; iw < ow * stride - pad + size; ++iw)
            if (ih >= 0 && ih < in.h && iw >= 0 && iw < in.w) {
              const int64_t v = in.At(c, uint32_t(ih), uint32_t(iw));
              best = std::max(best, v);
              sum += v;
            }
        out.data[(size_t(c) * out.h + size_t(oh)) * out.w + size_t(ow)] =
            uint8_t(kind == PoolKind::kMax ? best : RoundedAverage(sum, uint64_t(area)));
      }
  return out;
}

}  // namespace nna::ref
