#include "ref/ref_ops.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace nna::ref {

int64_t ConvOutSize(int64_t in, int64_t kernel, int64_t stride, int64_t dil, int64_t pad_lo, int64_t pad_hi) {
  const int64_t span = (kernel - 1) * dil + 1;
  const int64_t room = in + pad_lo + pad_hi - span;
  if (room < 0 || stride < 1) return 0;
  return room / stride + 1;
}

std::vector<int64_t> Conv2d(const Tensor& in, const Weights& wt, const ConvGeometry& g, uint32_t* out_h,
                            uint32_t* out_w) {
  if (wt.cin != in.c)
    throw std::invalid_argument("Conv2d: weights have " + std::to_string(wt.cin) + " input channels, input has " +
                                std::to_string(in.c));
  const int64_t oh_n = ConvOutSize(in.h, wt.r, g.stride_h, g.dil_h, g.pad_top, g.pad_bottom);
  const int64_t ow_n = ConvOutSize(in.w, wt.s, g.stride_w, g.dil_w, g.pad_left, g.pad_right);
  if (oh_n < 1 || ow_n < 1) throw std::invalid_argument("Conv2d: the kernel does not fit the padded input");
  *out_h = uint32_t(oh_n);
  *out_w = uint32_t(ow_n);
  std::vector<int64_t> acc(size_t(wt.cout) * oh_n * ow_n, 0);
  // Straight seven-loop convolution; the inner loop runs over output columns.
  for (uint32_t co = 0; co < wt.cout; ++co) {
    int64_t* plane = &acc[size_t(co) * oh_n * ow_n];
    for (uint32_t ci = 0; ci < in.c; ++ci) {
      for (uint32_t r = 0; r < wt.r; ++r) {
        for (uint32_t s = 0; s < wt.s; ++s) {
          const int64_t w = wt.At(co, ci, r, s);
          for (int64_t oh = 0; oh < oh_n; ++oh) {
            const int64_t ih = oh * g.stride_h + int64_t(r) * g.dil_h - g.pad_top;
            if (ih < 0 || ih >= in.h) continue;
            for (int64_t ow = 0; ow < ow_n; ++ow) {
              const int64_t iw = ow * g.stride_w + int64_t(s) * g.dil_w - g.pad_left;
              if (iw < 0 || iw >= in.w) continue;
              plane[oh * ow_n + ow] += w * in.At(ci, uint32_t(ih), uint32_t(iw));
            }
          }
        }
      }
    }
  }
  return acc;
}

int32_t Wrap30(int64_t acc) {
  const uint32_t low = uint32_t(uint64_t(acc) & 0x3FFFFFFFu);
  return (low & 0x20000000u) ? int32_t(int64_t(low) - (int64_t(1) << 30)) : int32_t(low);
}

void PackParams(const ChannelParams& p, uint8_t* out8) {
  const uint32_t b = uint32_t(p.bias);
  for (int i = 0; i < 4; ++i) out8[i] = uint8_t(b >> (8 * i));
  out8[4] = uint8_t(p.scale);
  out8[5] = uint8_t(p.scale >> 8);
  out8[6] = p.shift;
  out8[7] = uint8_t(p.zero_point);
}

ChannelParams UnpackParams(const uint8_t* in8) {
  ChannelParams p;
  p.bias = int32_t(uint32_t(in8[0]) | uint32_t(in8[1]) << 8 | uint32_t(in8[2]) << 16 | uint32_t(in8[3]) << 24);
  p.scale = uint16_t(in8[4] | in8[5] << 8);
  p.shift = in8[6];
  p.zero_point = int8_t(in8[7]);
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

std::vector<uint8_t> ConvLayer(const Tensor& in, const Weights& wt, const ConvGeometry& g,
                               const std::vector<ChannelParams>& params, bool relu, bool unsigned_out) {
  uint32_t oh = 0, ow = 0;
  const std::vector<int64_t> acc = Conv2d(in, wt, g, &oh, &ow);
  if (params.size() < wt.cout) throw std::invalid_argument("ConvLayer: fewer channel parameters than output channels");
  std::vector<uint8_t> out(acc.size());
  const size_t plane = size_t(oh) * ow;
  for (uint32_t co = 0; co < wt.cout; ++co)
    for (size_t p = 0; p < plane; ++p)
      out[co * plane + p] = uint8_t(FusedRelu(Wrap30(acc[co * plane + p]), params[co], relu, unsigned_out));
  return out;
}

std::vector<uint8_t> PreorderWeights(const Weights& wt, uint32_t rows) {
  const size_t dot_len = size_t(wt.cin) * wt.r * wt.s;
  const size_t tiles = (wt.cout + rows - 1) / rows;
  std::vector<uint8_t> out(tiles * dot_len * rows, 0);
  for (uint32_t co = 0; co < wt.cout; ++co) {
    const size_t t = co / rows, j = co % rows;
    // A channel's dot_len weights are contiguous in (Cout, Cin, R, S) order, k ascending.
    for (size_t k = 0; k < dot_len; ++k) out[(t * dot_len + k) * rows + j] = wt.data[co * dot_len + k];
  }
  return out;
}

}  // namespace nna::ref
