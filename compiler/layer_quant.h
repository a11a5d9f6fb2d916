// The quantization of one layer, shared by the single-layer compiler (compiler.h) and the network
// quantizer (compiler/network/quantize.h) so that both give the same bits: the exact accumulators,
// the calibration of the channel parameters, the SIMD programs of the rescaled add and the global
// average, and the output bytes these parameters give.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/activation.h"
#include "compiler/test_spec.h"
#include "nna/isa.h"
#include "ref/ref_ops.h"

namespace nna::compiler {

// The scale and shift that map max_abs to about target: scale/2^shift ~= target/max_abs with the
// largest shift that keeps scale within 16 bits (most precision); bias as given.
ref::ChannelParams Calibrate(int64_t max_abs, int32_t bias, int64_t target);

// FUSED_RELU parameters (bias 0, no ReLU, zero point 0) that turn the sum of `count` bytes into
// their average floor(sum/count + 1/2): the largest shift whose scale round(2^shift/count) fits 16
// bits. `exact` says whether (sum*scale + 2^(shift-1)) >> shift equals that average for EVERY sum
// of `count` int8 (is_signed) or uint8 bytes; if not, `sum`, `got` and `want` are the first sum
// (from the most negative) that differs.
struct AvgMultiplier {
  uint16_t scale = 1;
  uint8_t shift = 0;
  bool exact = false;
  int64_t sum = 0, got = 0, want = 0;
};
AvgMultiplier GlobalAvgMultiplier(uint64_t count, bool is_signed);

// The reference of a dot-product layer (conv, deconv, inner product, global_avg_pool), as the test
// generator (testgen/) computes it and the network quantizer (compiler/network) reuses it, so both
// give the same bits.
// The exact accumulators of one input, (out_c, out_h, out_w) row-major (inner product: 1x1).
struct LayerAccumulators {
  std::vector<int64_t> acc;
  uint32_t out_h = 0, out_w = 0;
};
// Zeroed weights of the layer's shape, (Cout, Cin/groups, R, S); an inner product's are (Cout, C,
// H, W) of its input. And the geometry of the reference operators.
ref::Weights WeightsOf(const LayerSpec& l);
ref::ConvGeometry GeometryOf(const LayerSpec& l);
LayerAccumulators Accumulate(const LayerSpec& l, const ref::Tensor& in, const ref::Weights& weights);
// The channel parameters calibrated on accumulators: per channel the scale and shift that map
// max |WrapAcc(acc) + bias| to 127 (int8 output) or 255 (uint8), an inner product's channels sharing
// the layer's maximum; a global average pool's exact multiplier (bias 0); with an activation the
// program's own parameters and the channel's bias (ChannelOf).
std::vector<ref::ChannelParams> CalibrateLayer(const LayerSpec& l, const LayerAccumulators& a,
                                               const std::vector<int32_t>& bias, const ActProgram* act);
// The output bytes: FUSED_RELU (l.relu, l.out_signed) or, with l.simd, the program on every lane
// (its LUT reading l.lut); a global average pool's exact rounded average; the exact mode's formula,
// then l.lut on each byte when given (its program ends in LutInstr); then l.pool.
std::vector<uint8_t> LayerOutput(const LayerSpec& l, const ref::Tensor& in, const LayerAccumulators& a,
                                 const std::vector<ref::ChannelParams>& params);

// The program of a layer without an activation: FUSED_RELU v0, v0 alone (flags: relu, unsigned).
isa::SimdInstr FusedReluInstr(bool relu, bool out_signed);

// LUT v0, v0 (docs/simd.md): the output byte b becomes the layer's table's byte lut[b] (dtype i8 or
// u8 as the output). Appended to a program that leaves the requantized byte in v0 (FUSED_RELU, an
// activation's, ExactRequantProgram), it applies a function of 256 values such as onnxruntime's
// quantized Sigmoid; the layer's `lut` holds the table.
isa::SimdInstr LutInstr(bool out_signed);

// The exact mode's program (ref::RequantizeExact in onnxruntime's order, docs/onnx.md): v0 = acc;
// ldparam bias, add, i2f, ldparam multiplier, fmul, f2i (round half to even), sat.i16 (so that
// the zero point's add cannot wrap), ldparam zero point, add, [max with the zero point], sat to
// int8 or uint8: 10 instructions, 11 with ReLU. kHalfUpForTest rounds the product half up instead
// (floor(x + 0.5) in 7 instructions, no sat.i16): a deliberately wrong program that only ties
// tell apart, to prove the reference check sees it.
enum class ExactRounding { kHalfEven, kHalfUpForTest };
std::vector<isa::SimdInstr> ExactRequantProgram(bool relu, bool out_signed,
                                                ExactRounding rounding = ExactRounding::kHalfEven);

// onnxruntime's QLinearAdd of two scales (ref::QLinearAddValue, docs/onnx.md) on an ELTWISE add's
// v1 = a, v2 = b (uint8 bytes; an int8 model's are shifted back by 128 first and forward at the
// end): i2f, two fma with the ratios and the fixed part as float32 immediates, f2i (round half
// to even), saturation to int16 and the model's type: 10 instructions, 14 for int8.
std::vector<isa::SimdInstr> QLinearAddProgram(const ref::QLinearAddParams& p);

// FUSED_RELU's nearest scale * 2^-shift to a float32 multiplier (the most precision; scale 1,
// shift 0 when none fits): what the fused mode gives for an exact mode's parameters.
ref::ChannelParams FusedOf(const ref::ChannelParams& exact);

// The rescaled add of an eltwise layer: the SIMD program v0 = int32(ka*v1 + kb*v2) (movi, mul.i32,
// add.i32), then FUSED_RELU with bias 0 and `params`' scale, shift and zero point, so that the
// output byte approximates round((a*a_scale + b*b_scale)/out_scale) + zero_point. ka and kb carry
// the ratio of the two input scales (the larger is 2^20, so |ka*a + kb*b| < 2^29 for any bytes);
// scale * 2^-shift carries the larger of a_scale/out_scale, b_scale/out_scale divided by 2^20.
// Throws CompileError (one sentence naming the value) when the ratios do not fit.
struct RescaleProgram {
  int32_t ka = 0, kb = 0;
  ref::ChannelParams params;  // bias 0
  std::vector<isa::SimdInstr> simd;
};
RescaleProgram LowerRescaledAdd(const LayerSpec::Rescale& r, bool relu, bool out_signed);

// The rescaled add's error against the real formula (a*a_scale + b*b_scale)/out_scale + zero_point,
// after the ReLU and saturated to the output type, over every pair of input bytes: the largest
// |output - real| in output LSB, and how many pairs give the nearest byte (a tie accepts either).
struct RescaleAccuracy {
  uint64_t pairs = 0, nearest = 0;
  double max_error_lsb = 0;
  int32_t worst_a = 0, worst_b = 0;
};
RescaleAccuracy MeasureRescaledAdd(const LayerSpec::Rescale& r, const RescaleProgram& p, bool in_signed,
                                   bool relu, bool out_signed);

// The channel parameters of a SCALE or ELTWISE layer (docs/architecture.md, "SIMD-only
// instructions") from its tensors a and b (b: ELTWISE only).
// - SCALE: channel c's offset bias[c] and real multiplier gamma[c] (a folded batch norm:
//   y = gamma_c*(x + bias_c)). One output quantization for the layer maps the real outputs (after
//   the ReLU) onto the output range: the zero point puts their minimum at the bottom, the
//   multiplier s their extremes at the ends; channel c's FUSED_RELU multiplier scale_c * 2^-shift_c
//   is gamma_c * s with 16 bits of precision.
// - ELTWISE add, mul, max: bias 0, zero point 0, each channel's scale and shift calibrated so its
//   largest |a op b| reaches the output range's top (as a dot-product layer's accumulators).
// - ELTWISE add with rescale: the rescale program's parameters on every channel.
std::vector<ref::ChannelParams> CalibrateSimdOnly(const LayerSpec& l, const ref::Tensor& a,
                                                  const ref::Tensor& b, const std::vector<int32_t>& bias,
                                                  const std::vector<double>& gamma,
                                                  const RescaleProgram* rescale);
// The output bytes of a SCALE or ELTWISE layer: an explicit l.simd on every element from the entry
// registers the SIMD unit gives it (docs/simd.md: SCALE RowEntry(x), ELTWISE PairEntry(op, a, b)),
// else FUSED_RELU, the rescaled add or the element-wise operation with `params`.
std::vector<uint8_t> SimdOnlyOutput(const LayerSpec& l, const ref::Tensor& a, const ref::Tensor& b,
                                    const std::vector<ref::ChannelParams>& params,
                                    const RescaleProgram* rescale);

}  // namespace nna::compiler
