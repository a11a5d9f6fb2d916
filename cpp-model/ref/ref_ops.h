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
  Tensor(uint32_t c_, uint32_t h_, uint32_t w_, bool s)
      : c(c_), h(h_), w(w_), is_signed(s), data(size_t(c_) * h_ * w_) {}
  // The element's value, sign- or zero-extended.
  int32_t At(uint32_t ci, uint32_t hi, uint32_t wi) const {
    const uint8_t b = data[(size_t(ci) * h + hi) * w + wi];
    return is_signed ? int32_t(int8_t(b)) : int32_t(b);
  }
};

// Weights (Cout, Cin/groups, R, S), one byte each, at data[((co*cin + ci)*r + ri)*s + si]; cin is
// the input channels of one group.
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
  uint8_t pad_value = 0;                  // the byte padding (and Deconv2d's gaps) read, as the input's type
  uint32_t groups = 1;                    // divides the input and output channels
  uint32_t out_pad_h = 0, out_pad_w = 0;  // Deconv2d only
};

// Output size of one dimension; 0 or negative when the kernel does not fit.
int64_t ConvOutSize(int64_t in, int64_t kernel, int64_t stride, int64_t dil, int64_t pad_lo, int64_t pad_hi);

// Output size of one dimension of a transposed convolution (PyTorch's ConvTranspose2d):
// (in-1)*stride - pad_lo - pad_hi + dil*(kernel-1) + out_pad + 1; 0 or negative when nothing is left.
int64_t DeconvOutSize(int64_t in, int64_t kernel, int64_t stride, int64_t dil, int64_t pad_lo, int64_t pad_hi,
                      int64_t out_pad);

// Exact (unwrapped) accumulators of a grouped convolution, (Cout, OH, OW) row-major: output channel
// co of group g = co / (Cout/groups) reads input channels g*wt.cin .. (g+1)*wt.cin-1. out_h/out_w
// are returned through the pointers.
std::vector<int64_t> Conv2d(const Tensor& in, const Weights& wt, const ConvGeometry& g, uint32_t* out_h,
                            uint32_t* out_w);

// Exact accumulators of a grouped transposed convolution, (Cout, OH, OW), in scatter form: every
// input element times every kernel tap of its group lands on oh = ih*stride_h - pad_top + r*dil_h,
// ow = iw*stride_w - pad_left + s*dil_w, dropped outside the output (PyTorch's ConvTranspose2d with
// weight w_pt[ci][co][r][s] = wt[co][ci][r][s]). The hardware gathers instead; this checks it.
std::vector<int64_t> Deconv2d(const Tensor& in, const Weights& wt, const ConvGeometry& g, uint32_t* out_h,
                              uint32_t* out_w);

// Exact accumulators of a fully connected layer: wt is (Cout, C, H, W) of the input's shape and
// output co is the dot product of the whole input with wt[co].
std::vector<int64_t> InnerProduct(const Tensor& in, const Weights& wt);

// The accumulator's value: acc modulo 2^acc_bits (spec/isa.yaml, 30), as two's complement,
// sign-extended.
int32_t WrapAcc(int64_t acc);

// Per-output-channel parameters; their SRAM layout is the channel_params record (spec/isa.yaml).
struct ChannelParams {
  int32_t bias = 0;
  uint16_t scale = 1;
  uint8_t shift = 0;
  int16_t zero_point = 0;  // int8 outputs -128..127, uint8 0..255
  float multiplier = 1;    // the exact mode's (RequantizeExact); FUSED_RELU ignores it
};
void PackParams(const ChannelParams& p, uint8_t* out8);
ChannelParams UnpackParams(const uint8_t* in8);

// FUSED_RELU of one lane (docs/architecture.md): bias, scale, rounding shift, relu, zero point and
// clamp to the int8 or uint8 range; returns the clamped value as int32.
int32_t FusedRelu(int32_t va, const ChannelParams& p, bool relu, bool unsigned_out);

// The exact mode (onnxruntime's requantization of its int8 kernels): the float32 product
// float(va + bias) * multiplier rounded half to even, plus the zero point, with ReLU no lower than
// the zero point, clamped to the int8 or uint8 range; returns the clamped value as int32. Written
// from that formula (std::nearbyint in the default rounding mode), not from the SIMD program.
int32_t RequantizeExact(int32_t va, const ChannelParams& p, bool relu, bool unsigned_out);

// How a dot-product layer's accumulators become output bytes: FUSED_RELU (the 16-bit fixed-point
// scale) or the exact mode.
enum class RequantMode { kFused, kExact };

// Exact accumulators (Cout planes of equal size) to output bytes as the hardware defines it:
// wrapped to 30 bits, then FUSED_RELU (or the exact mode) with the plane's channel parameters.
std::vector<uint8_t> Requantize(const std::vector<int64_t>& acc, uint32_t cout,
                                const std::vector<ChannelParams>& params, bool relu, bool unsigned_out,
                                RequantMode mode = RequantMode::kFused);

// A whole CONV layer as the hardware defines it: accumulators wrapped to 30 bits, then FUSED_RELU
// per output channel. Returns the (Cout, OH, OW) output bytes.
std::vector<uint8_t> ConvLayer(const Tensor& in, const Weights& wt, const ConvGeometry& g,
                               const std::vector<ChannelParams>& params, bool relu, bool unsigned_out);

// SCALE (docs/architecture.md, "SIMD-only instructions"): a per-channel affine transform of a
// tensor. Element (c, h, w) becomes FUSED_RELU of its value with channel c's parameters: bias (the
// offset), scale and rounding shift (the multiplier), optional ReLU, zero point, saturation.
// Returns the (C, H, W) output bytes; params has one entry per channel.
std::vector<uint8_t> ScaleChannels(const Tensor& in, const std::vector<ChannelParams>& params, bool relu,
                                   bool unsigned_out);

// ELTWISE's combination of two int values: a + b, a * b or max(a, b), exact (as int64).
enum class EltwiseKind { kAdd, kMul, kMax };
int64_t EltwiseValue(EltwiseKind kind, int32_t a, int32_t b);

// ELTWISE of two tensors of the same shape and signedness: per element the combination of the two
// values, then FUSED_RELU with the element's channel parameters (the combination of two bytes
// always fits 32 bits, so nothing wraps). Returns the (C, H, W) output bytes.
std::vector<uint8_t> Eltwise(const Tensor& a, const Tensor& b, EltwiseKind kind,
                             const std::vector<ChannelParams>& params, bool relu, bool unsigned_out);

// The rescaled add of two quantized tensors (a residual connection whose inputs have different
// scales): per element int32(ka*a + kb*b), wrapping at 32 bits, then FUSED_RELU with the channel's
// parameters. With ka/kb ~ a_scale/b_scale and ka*scale*2^-shift ~ a_scale/out_scale this is
// round((a*a_scale + b*b_scale)/out_scale) + zero point.
std::vector<uint8_t> EltwiseRescaledAdd(const Tensor& a, const Tensor& b, int32_t ka, int32_t kb,
                                        const std::vector<ChannelParams>& params, bool relu,
                                        bool unsigned_out);

// onnxruntime's QLinearAdd (com.microsoft) of two tensors of different scales, as MLAS's x64 AVX2
// kernel computes it (docs/onnx.md, "QLinearAdd of different scales"): in float32, ratio_a =
// sa / sc, ratio_b = sb / sc, fixed = zc - fma(ratio_a, za, ratio_b * zb) once, then per element
// fma(a, ratio_a, fma(b, ratio_b, fixed)) rounded half to even, saturated to int16 and then to the
// model's type. Values and zero points are the model's: int8 when is_signed, else uint8.
struct QLinearAddParams {
  float ratio_a = 1, ratio_b = 1, fixed = 0;
  bool is_signed = false;
};
QLinearAddParams QLinearAddConstants(float sa, int32_t za, float sb, int32_t zb, float sc, int32_t zc,
                                     bool is_signed);
int32_t QLinearAddValue(const QLinearAddParams& p, int32_t a, int32_t b);
// The same on uint8 tensors (an int8 model's bytes + 128, so the result is + 128 too).
std::vector<uint8_t> QLinearAdd(const Tensor& a, const Tensor& b, const QLinearAddParams& p);

// Max or average pooling of every channel, written from the definition (docs/architecture.md,
// "Fused pooling"): a size x size window every `stride` pixels over the input padded by `pad`;
// max over the existing pixels, average over size*size with padding as 0, rounded half up
// (floor(sum/size^2 + 1/2), exact division). The output keeps the input's signedness.
enum class PoolKind { kMax, kAvg };
// floor(sum/count + 1/2): the average of `count` values rounded half up, exactly.
int64_t RoundedAverage(int64_t sum, uint64_t count);
Tensor Pool2d(const Tensor& in, PoolKind kind, uint32_t size, uint32_t stride, uint32_t pad);

// The weights pre-ordered for an array of `rows` rows (docs/architecture.md): per group,
// group_tiles = ceil(group_out_c/rows) channel tiles of dot_len*rows bytes (dot_len = cin*R*S),
// tile ct = g*group_tiles + t; in it, term k = (ci*R + r)*S + s is the rows bytes
// w[g*group_out_c + t*rows + j][ci][r][s], j = 0..rows-1, zero past the group's channels.
std::vector<uint8_t> PreorderWeights(const Weights& wt, uint32_t rows, uint32_t groups = 1);

}  // namespace nna::ref
