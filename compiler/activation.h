// Activation functions as SIMD programs (docs/activations.md): the SIMD unit has no activation
// operations, so the compiler lowers each activation and the layer's quantization to a program of
// at most isa::kMaxSimdInstrs instructions that turns the 30-bit accumulator into the output byte.
// Also the accuracy measurement of such a program against the real-valued function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nna/isa.h"
#include "ref/ref_ops.h"

namespace nna::compiler {

enum class Activation { kNone, kRelu, kLeakyRelu, kRelu6, kSigmoid, kTanh, kHardSwish, kRequant };
inline constexpr Activation kActivations[] = {
    Activation::kNone,    Activation::kRelu, Activation::kLeakyRelu, Activation::kRelu6,
    Activation::kSigmoid, Activation::kTanh, Activation::kHardSwish, Activation::kRequant};

// "none", "relu", "leaky_relu", "relu6", "sigmoid", "tanh", "hard_swish", "requant".
const char* ToString(Activation kind);

// The layer's quantization around the activation. The real input is x = (acc + bias) * in_scale
// with the channel's bias; for kRequant x = (acc + bias) * scale * 2^-shift * in_scale with the
// channel's own scale and shift (a layer calibrated for another output scale, re-targeted). The
// output byte q means y = (q - out_zero_point) * out_scale.
struct ActQuant {
  double in_scale = 1;
  double out_scale = 1;
  int32_t out_zero_point = 0;
  bool out_signed = true;  // int8 or uint8
  double alpha = 0.1;      // kLeakyRelu: the slope below 0, in [0, 1]
};

// "in 0.000244 -> out 0.00390625 int8 zp -128" (and the slope of a leaky ReLU).
std::string Describe(Activation kind, const ActQuant& q);

struct ActProgram {
  std::vector<isa::SimdInstr> simd;  // passes simd::CheckProgram, at most isa::kMaxSimdInstrs long
  // The channel parameters the program expects besides each channel's bias (which it always reads):
  // scale, shift and zero point for the FUSED_RELU programs, unused (scale 1, shift 0, zero point
  // 0) by the FP32 ones. kRequant reads the channel's own scale and shift; these stay the caller's.
  ref::ChannelParams params;
};

// The program of an activation under a quantization. Throws CompileError (one sentence naming the
// value) for parameters no program of this design can meet, e.g. an in_scale / out_scale that the
// 16-bit FUSED_RELU multiplier cannot hold.
ActProgram LowerActivation(Activation kind, const ActQuant& q);

// The real-valued activation (double precision): the reference of the programs.
double RealActivation(Activation kind, double x, double alpha);

struct ActAccuracy {
  uint64_t inputs = 0;  // accumulator values run
  uint64_t exact = 0;   // of which the output byte equals the reference
  int64_t max_error_lsb = 0;
  int32_t worst_acc = 0;  // an accumulator with the largest error
};

// Runs the program on one lane (simd::RunLane) for every accumulator value that can change the
// output (or, if there are more than max_dense of them, an evenly spaced subset), plus powers of
// two out to the 30-bit extremes, and compares with RealActivation rounded to nearest (a tie accepts either
// neighbour) and saturated to the output type. params is the channel's (bias and, for kRequant, scale and
// shift).
ActAccuracy MeasureActivation(Activation kind, const ActQuant& q, const std::vector<isa::SimdInstr>& simd,
                              const ref::ChannelParams& params, uint64_t max_dense = 1u << 20);

// One row of the accuracy table (nna_act_table, docs/activations.md): an activation, a
// representative quantization, a channel (its bias; for kRequant also its scale and shift) and
// the largest error in output LSB the program may have (measured, then written down here).
struct ActCase {
  Activation kind;
  ActQuant quant;
  ref::ChannelParams channel;
  int64_t bound_lsb;
};
const std::vector<ActCase>& ActivationCases();

// The channel parameters an activation program runs with on a channel: the program's own with the
// channel's bias (for kRequant the channel's scale and shift too).
ref::ChannelParams ChannelOf(Activation kind, const ActProgram& program, const ref::ChannelParams& channel);

// FUSED_RELU's multiplier scale * 2^-shift for a ratio: the largest shift (at most 63) whose scale
// scale_at(shift) fits the scale parameter, for the most precision. Nothing when even shift 0 needs
// more or the scale rounds to 0 (a ratio below 2^-64). Shared by the calibration of plain
// layers (exact integers) and the activation programs (a real ratio).
struct Multiplier {
  uint16_t scale = 1;
  uint8_t shift = 0;
};
template <typename ScaleAt>
std::optional<Multiplier> FusedReluMultiplier(ScaleAt scale_at) {
  for (int shift = 63; shift >= 0; --shift) {
    const auto scale = scale_at(shift);
    if (scale > isa::ChannelParamsRecord::kMaxScale) continue;
    if (scale < 1) return std::nullopt;
    return Multiplier{uint16_t(scale), uint8_t(shift)};
  }
  return std::nullopt;
}

}  // namespace nna::compiler
