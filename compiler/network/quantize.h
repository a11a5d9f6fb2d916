// The quantized reference execution of a whole network (docs/networks.md, "Quantization"): seeded
// int8 weights and biases per layer, calibration of every layer on a seeded calibration input with
// the single-layer compiler's own functions (CalibrateLayer, LowerActivation, LowerRescaledAdd,
// GlobalAvgMultiplier), then a run of the test input with only the reference operators, keeping
// every layer's output tensor. This is the interface of the lowering: per layer, what to compile
// and every bit it must reproduce.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/layer_quant.h"
#include "compiler/network/graph.h"
#include "compiler/test_spec.h"
#include "nna/isa.h"
#include "ref/ref_ops.h"

namespace nna::compiler::network {

// The statistics of one output tensor: its smallest and largest byte (as int8 or uint8), the
// fraction at the zero point (real 0) and the fraction saturated (at an end of the type's range
// that is not the zero point: a uint8 ReLU's 0 is zero, not saturated).
struct ActStats {
  int32_t min = 0, max = 0;
  double zero = 0, saturated = 0;
  uint64_t elements = 0;
};

// A part of a conv layer's output with weights and parameters of its own (an average pool's
// windows that divide by fewer taps, CountBands): output rows [row0, row0 + rows), columns
// [col0, col0 + cols). The reference computes the whole conv with each region's weights and keeps
// the region's pixels; the lowering runs each region as a conv of its own (RegionSpec).
struct ConvRegion {
  uint32_t row0 = 0, rows = 0, col0 = 0, cols = 0;
  ref::Weights weights;
  std::vector<ref::ChannelParams> params;
};
// The conv that computes region r of `whole`: the window of the input its outputs read (from row
// *in_row0 and column *in_col0), padded only on the sides where that window passes the input.
LayerSpec RegionSpec(const LayerSpec& whole, const ConvRegion& r, uint32_t* in_row0, uint32_t* in_col0);

struct QuantLayer {
  std::string name;
  Op op = Op::kConv;
  std::string fused_pool;                // the pooling layer folded into this conv, if any
  std::vector<int> inputs;               // kInput or earlier layers (QuantNetwork::net's indices)
  std::vector<std::string> input_names;  // "input" or the layers' names (the tensors read)
  // What the single-layer compiler compiles (conv, deconv, inner_product, global_avg_pool, add as
  // eltwise): geometry, fused pool, signedness, relu; `activation` with its calibrated quantization;
  // `rescale` for an add of two scales; `params` the channel parameters below (Execute keeps them equal).
  // Empty for pools and concat.
  std::optional<LayerSpec> spec;
  ref::Weights weights;                    // (Cout, Cin/groups, R, S); empty without weights
  std::vector<int32_t> bias;               // per output channel, in accumulator units
  std::vector<ref::ChannelParams> params;  // per output channel, as the SIMD program reads them
  std::vector<isa::SimdInstr> simd;        // the program every output lane runs (FUSED_RELU alone,
                                           // an activation's, or the rescaled add's)
  // The table of simd's LUT instructions (docs/simd.md, "The table"): empty (none), else
  // isa::kLutBytes bytes; a program ending in compiler::LutInstr maps each output byte b to
  // lut[b]. The lowering writes it right after the layer's channel parameters; Execute applies it.
  std::vector<uint8_t> lut;
  std::optional<RescaleProgram> rescale;  // an add of two scales: ka, kb and the program; an
                                          // add of one scale has none (FUSED_RELU on a + b)
  // An add as onnxruntime's QLinearAdd of two scales computes it (the ONNX front end's; `simd` is
  // compiler::QLinearAddProgram): its reference is ref::QLinearAdd.
  std::optional<ref::QLinearAddParams> qlinear_add;
  // A conv computed by regions (empty: one conv of weights, bias and params above); they cover
  // its output once.
  std::vector<ConvRegion> regions;
  // max_pool, avg_pool: the window
  uint32_t pool_size = 0, pool_stride = 0, pool_pad = 0;
  std::vector<double> in_scales;  // real value of one LSB of each input
  double out_scale = 1;           // real value of one LSB of the output
  int32_t out_zero_point = 0;     // the byte of real 0
  ref::Tensor output;             // on the test input
  ActStats stats;
};

struct QuantNetwork {
  Network net;  // the graph that was run (after FusePools if the caller fused)
  double input_scale = 1;
  ref::Tensor input;               // the test input
  std::vector<QuantLayer> layers;  // parallel to net.layers
};

struct QuantOptions {
  bool progress = false;  // a line per layer on stderr
};

// Draws, calibrates and runs (docs/networks.md). Throws CompileError naming the file and the layer
// when a layer has no program (an activation or rescale whose scales cannot be lowered) or a
// concat's inputs cannot share a scale.
QuantNetwork Quantize(const Network& net, const QuantOptions& options = {});

// Runs `input` through the network with the parameters as they are in q (q.layers' outputs and
// stats are replaced): Quantize's second half, also for inputs of one's own or changed params.
void Execute(QuantNetwork& q, const ref::Tensor& input, const QuantOptions& options = {});

// The seeded tensors: the test input (seed) and the calibration input (another stream of it).
ref::Tensor TestInput(const Network& net);
ref::Tensor CalibrationInput(const Network& net);

// The activation check: a layer whose output is all at the zero point, or whose saturated fraction
// is above max_saturated, gives one sentence each. Empty: every layer passes.
std::vector<std::string> CheckStats(const QuantNetwork& q, double max_saturated = 0.5);

// A line per layer: scales, min, max, zero and saturated fractions.
std::string FormatStats(const QuantNetwork& q);

}  // namespace nna::compiler::network
