// A float ONNX model of several nodes (a CNN such as BlazeFace) as one quantized whole network
// (docs/onnx.md, "Graphs"): the nodes imported into compiler/network's Network (Conv with groups
// and asymmetric pads, BatchNormalization folded into it, Add, MaxPool, Concat; Relu and Clip(0, max)
// fused into their producer; GlobalAveragePool and Gemm on a Flatten as convs; ConstantOfShape zeros
// feeding a Concat as a layer that writes the zero point), the layout operators at the graph's
// edges (Transpose, Reshape, Flatten, Squeeze) done by the host, post-training quantization by
// nnac (per-channel symmetric int8 weights, uint8 activations from the calibration inputs'
// float ranges), onnxruntime's exact requantization in every layer, and the same network as a QDQ
// model for onnxruntime. Anything else: one sentence naming the node, its op, the attribute and
// the limit.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/network/quantize.h"
#include "frontends/onnx/calibrate.h"
#include "frontends/onnx/model.h"

namespace nna::onnx {

// True for a model with a float input and more than one node (QuantizeGraph's models).
bool IsFloatGraph(const Model& model);

// A max pool larger than the pooling unit takes (2x2 or 3x3 windows, stride 1 or 2, pad at most
// size/2) as pools it takes, applied in order, then, when `subsample` > 1, every subsample-th
// pixel of each row and column kept (an identity 1x1 conv of that stride).
struct PoolStage {
  uint32_t size = 0, stride = 1, pad = 0;
};
struct MaxPoolChain {
  std::vector<PoolStage> pools;
  uint32_t subsample = 1;
};
// The chain of a size x size max pool of `stride` and `pad` on every side (pad at most size / 2):
// the same output, element for element.
MaxPoolChain DecomposeMaxPool(uint32_t size, uint32_t stride, uint32_t pad);

// Each kH x kW kernel of weights laid out (..., kH, kW) turned by 180 degrees: a deconv's kernel as
// the Conv on its zero insertion reads it, and back (any element type: values, bytes).
template <typename Container>
Container FlipKernels(const Container& w, size_t kh, size_t kw) {
  Container out(w.size(), typename Container::value_type{});
  for (size_t c = 0; c < w.size() / (kh * kw); ++c)
    for (size_t r = 0; r < kh; ++r)
      for (size_t x = 0; x < kw; ++x) out[(c * kh + r) * kw + x] = w[(c * kh + kh - 1 - r) * kw + kw - 1 - x];
  return out;
}

// A graph output as the host makes it from a layer's (C, H, W) bytes: transposes of [1, C, H, W]
// (perm each), then the declared dims (a Reshape, Flatten or Squeeze only renames dims).
struct GraphOutput {
  std::string name;  // the ONNX graph output
  int layer = 0;     // the network layer whose output it is
  std::vector<std::vector<int64_t>> perms;
  std::vector<int64_t> dims;
};

// The quantization of one activation tensor of the model (by its ONNX name).
struct ActQuant {
  QuantParams q;
  double min = 0, max = 0;  // the float range over the calibration inputs (0 included)
};

// A Conv's or Gemm's quantized weights and bias (by node name), as the QDQ export writes them.
struct ConvQuant {
  Tensor w;                                // int8, the float W's shape
  std::vector<float> w_scale, bias_scale;  // per output channel; bias_scale = x.scale * w_scale[c]
  Tensor bias;                             // int32 [C_out], empty without a bias
  std::string output;       // the tensor the conv writes: its own output, or its folded BatchNormalization's
  bool per_tensor = false;  // a Gemm: w is B ([N, K] or [K, N]) with one scale (all w_scale equal)
  // A ConvTranspose: w is the flipped kernel of the Conv the export writes after the zero insertion
  // (a float ConvTranspose of 1x1 ones, group = channels, strides, cropping `crop`), exact in float.
  struct ZeroInsertion {
    int64_t channels = 0, group = 1;
    std::vector<int64_t> strides, crop, pads,
        dilations;  // crop and the Conv's pads: top, left, bottom, right
  };
  std::optional<ZeroInsertion> zero_insertion;
  // An AveragePool's Conv: its strides and pads (top, left, bottom, right) as lowered.
  std::vector<int64_t> strides, pads;
  // An AveragePool whose divisor varies: per region of one count (net::ConvRegion) its output rows,
  // the window of the input it reads (starts, ends: H, W) with its pads (net::RegionSpec) and its
  // weights 1/count quantized; the export writes a Conv per region.
  struct Region {
    int64_t row0 = 0;
    std::vector<int64_t> starts, ends, pads;
    Tensor w;
    std::vector<float> w_scale;
  };
  std::vector<Region> regions;
};

struct QuantizedGraph {
  compiler::network::QuantNetwork q;  // exact mode; run on the run input
  std::string input_name;             // the graph input (float)
  std::vector<int64_t> input_dims;
  bool input_nhwc = false;  // a Transpose [0,3,1,2] at the input, done by the host
  // The first Conv's pads, done by the host with the input's zero point (real 0) so that a
  // non-zero zero point pads right: the network input is the padded tensor.
  uint32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  QuantParams x;
  std::vector<GraphOutput> outputs;
  std::map<std::string, ActQuant> acts;           // every quantized tensor by ONNX name (the input included)
  std::map<std::string, ConvQuant> convs;         // by node name
  std::map<std::string, std::string> layer_node;  // network layer name -> the ONNX node(s) it runs
  size_t samples = 0;                             // calibration tensors (0: the run input)
};

// COUNT seeded synthetic face-like images, float NHWC [1,H,W,3] (or planar [1,3,H,W]) in -1..1
// (MediaPipe's input range):
// a random two-colour gradient, a few soft blobs, and a face-like ellipse (skin tone, two dark
// eyes, a mouth) at a random place and size, so that a face detector's activations see both
// background and a face. The calibration set of the graphs' tests; nothing is downloaded.
std::vector<Tensor> SyntheticImages(const std::vector<int64_t>& dims, int count, uint64_t seed);
// What nnac and nna_sim take for a float graph given no --input (and check_onnx_graph.py writes
// with nna_onnx images): the run input is image 0 of seed 99, the calibration set 8 images of seed 1.
constexpr uint64_t kRunImageSeed = 99, kCalibrationSeed = 1;
constexpr int kCalibrationImages = 8;

// The quantization a pre-quantized model fixes (qdq_graph.h), used instead of calibration: every
// activation's parameters by tensor name, and each Conv's, Gemm's or MatMul's integer weights and
// bias by node name.
struct GivenWeights {
  std::vector<int64_t> w;      // w - zero point (int8 range), channel-major [C_out, per channel]
  std::vector<float> w_scale;  // per output channel (a per-tensor scale repeated)
  std::vector<int64_t> bias;   // int32 per output channel, used as it is; empty without a bias
};
struct GivenQuant {
  std::map<std::string, QuantParams> acts;  // uint8 (qdq_graph.h gives an int8 tensor as uint8)
  std::set<std::string> int8;               // the acts the model gives as int8
  std::map<std::string, GivenWeights> weights;
  std::map<std::string, std::string> ops;  // node name -> the model's own op (QLinearAdd, ...)
};

// Imports and quantizes the model: `run` is the input to run (float, the graph input's shape),
// `calibration` the inputs whose float ranges set every activation's parameters (the run input
// when empty), or `given` the parameters instead (what the hardware cannot meet is one sentence).
// Throws OnnxError.
QuantizedGraph QuantizeGraph(const Model& model, const Tensor& run, const std::vector<Tensor>& calibration,
                             const GivenQuant* given = nullptr);

// The network input bytes (C, H, W) of a float graph input: quantized, transposed, padded.
ref::Tensor GraphInput(const QuantizedGraph& g, const Tensor& input);

// The graph outputs (uint8, ONNX shapes) from the layers' output tensors, in graph output order.
std::vector<Tensor> GraphOutputs(const QuantizedGraph& g, const std::vector<ref::Tensor>& layer_outputs);
// The same from q's layer outputs (the reference run).
std::vector<Tensor> GraphOutputs(const QuantizedGraph& g);

// The float model run on one input by the importer's own float operators (calibration, and the
// quantization's accuracy): the graph outputs, float, in graph output order.
std::vector<Tensor> RunFloat(const Model& model, const Tensor& input);

// How far the quantized outputs (dequantized) are from the float ones: per output the largest
// absolute error (also in output LSBs) and the cosine similarity, one line each.
std::string GraphAccuracy(const QuantizedGraph& g, const std::vector<Tensor>& quantized,
                          const std::vector<Tensor>& float_outputs);

// The quantized graph as a QDQ model (opset 13): QuantizeLinear/DequantizeLinear on every
// activation, DequantizeLinear on the int8 weights (per channel, axis 0) and int32 biases, the
// model's float operators between; the zeros of a channel padding as a constant. Graph outputs:
// "<output>_quantized" for each, in order, then the float "<output>"s. Activations are uint8, or
// with int8_activations int8 of the same real values (every zero point 128 lower, bytes - 128).
void ExportGraphQdq(const Model& model, const QuantizedGraph& g, const std::filesystem::path& path,
                    bool int8_activations = false);

// A model made in memory (tests, tools/onnx/graph_case) written as an .onnx file: its inputs,
// outputs, initializers and nodes; attributes of kind int, ints, float, floats and string.
void SaveModel(const Model& model, const std::filesystem::path& path);

// The per-layer table of the import: network layer, ONNX node(s), output shape, scale, zero point.
std::string FormatGraphQuant(const QuantizedGraph& g);

}  // namespace nna::onnx
