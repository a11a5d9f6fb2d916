// Reference operators, written from docs/architecture.md without any tiling: what a layer must
// compute, to the bit. The golden model and the RTL are both checked against these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nna::ref {

// A planar (C, H, W) tensor of int8 (is_signed) or uint8 bytes; element (c, h, w) at
// data[(c*h_ + h)*w_ + w].
struct Tensor {
  uint32_t c = 0, h = 0, w = 0;
  bool is_signed = false;
  std::vector<uint8_t> data;

  Tensor() = default;
  Tensor(uint32_t c_, uint32_t h_, uint32_t w_, bool s) : c(c_), h(h_), w(w_), is_signed(s), data(size_t(c_) * h_ * w_) {}
  // The element's value, sign- or zero-extended.
  int32_t At(uint32_t ci, uint32_t hi, uint32_t wi) const {
    const uint8_t b = data[(size_t(ci) * h + hi) * w + wi];
    return is_signed ? int32_t(int8_t(b)) : int32_t(b);
  }
};

// Weights (Cout, Cin, R, S), one byte each, at data[((co*cin + ci)*r + ri)*s + si].
struct Weights {
  uint32_t cout = 0, cin = 0, r = 0, s = 0;
  bool is_signed = true;
  std::vector<uint8_t> data;

  Weights() = default;
  Weights(uint32_t co, uint32_t ci, uint32_t r_, uint32_t s_, bool sg)
      : cout(co), cin(ci), r(r_), s(s_), is_signed(sg), data(size_t(co) * ci * r_ * s_) {}
  int32_t At(uint32_t co, uint32_t ci, uint32_t ri, uint32_t si) const {
    const uint8_t b = data[((size_t(co) * cin + ci) * r + ri) * s + si];
    return is_signed ? int32_t(int8_t(b)) : int32_t(b);
  }
};

struct ConvGeometry {
  uint32_t stride_h = 1, stride_w = 1;
  uint32_t dil_h = 1, dil_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
};

// Output size of one dimension; 0 or negative when the kernel does not fit.
int64_t ConvOutSize(int64_t in, int64_t kernel, int64_t stride, int64_t dil, int64_t pad_lo, int64_t pad_hi);

// Exact (unwrapped) accumulators of a convolution, (Cout, OH, OW) row-major. out_h/out_w are
// returned through the pointers.
std::vector<int64_t> Conv2d(const Tensor& in, const Weights& wt, const ConvGeometry& g, uint32_t* out_h,
                            uint32_t* out_w);

// The 30-bit accumulator's value: acc modulo 2^30, as two's complement, sign-extended.
int32_t Wrap30(int64_t acc);

// Per-output-channel parameters (param_bytes = 8: bias int32 LE, scale uint16 LE, shift, zero point).
struct ChannelParams {
  int32_t bias = 0;
  uint16_t scale = 1;
  uint8_t shift = 0;
  int8_t zero_point = 0;
};
void PackParams(const ChannelParams& p, uint8_t* out8);
ChannelParams UnpackParams(const uint8_t* in8);

// FUSED_RELU of one lane (docs/architecture.md): bias, scale, rounding shift, relu, zero point and
// clamp to the int8 or uint8 range; returns the clamped value as int32.
int32_t FusedRelu(int32_t va, const ChannelParams& p, bool relu, bool unsigned_out);

// A whole CONV layer as the hardware defines it: accumulators wrapped to 30 bits, then FUSED_RELU
// per output channel. Returns the (Cout, OH, OW) output bytes.
std::vector<uint8_t> ConvLayer(const Tensor& in, const Weights& wt, const ConvGeometry& g,
                               const std::vector<ChannelParams>& params, bool relu, bool unsigned_out);

// The weights pre-ordered for an array of `rows` rows (docs/architecture.md): ceil(cout/rows) channel
// tiles of dot_len*rows bytes; in tile t, term k = (ci*R + r)*S + s is the rows bytes
// w[t*rows + j][ci][r][s], j = 0..rows-1, zero for channels past cout.
std::vector<uint8_t> PreorderWeights(const Weights& wt, uint32_t rows);

}  // namespace nna::ref
