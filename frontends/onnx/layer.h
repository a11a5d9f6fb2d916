// A pre-quantized ONNX model whose graph is one accelerator layer (QLinearConv, QLinearMatMul) as
// the single-layer compiler's description and data (compiler/compiler.h), in the exact
// requantization mode with the model's own weights, bias, float32 multipliers and zero points
// (docs/onnx.md, "Run a quantized ONNX model"). Constants come from initializers or, as in the ONNX
// node tests, from tensors fed for graph inputs. Whatever the hardware cannot run is an OnnxError:
// one sentence naming the node, its op, the attribute and the limit.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "compiler/compiler.h"
#include "frontends/onnx/model.h"
#include "nna/configs.h"

namespace nna::onnx {

// How the layer's (channels, height, width) output bytes are laid out as the ONNX output.
enum class OutputLayout {
  kNchw,       // [1, C, H, W]: the same order
  kMatMulRows  // [..., M, N] from channel b*N + n, column m (a batched matmul as a grouped 1x1 conv)
};

struct OnnxLayer {
  compiler::TestSpec spec;
  compiler::LayerData data;
  std::string node;  // Node::Describe() of the one node
  ValueInfo output;  // the graph's output as declared
  std::vector<int64_t> output_dims;
  DataType output_type = DataType::kUndefined;
  OutputLayout layout = OutputLayout::kNchw;
  uint32_t batches = 1, rows = 1, cols = 1;  // kMatMulRows: the output's [batches, rows, cols]
};

// Input i of a node: an initializer or a fed tensor; `role` says what it is in the sentence
// thrown when it has no data.
const Tensor& NodeOperand(const Model& model, const Node& node, const std::map<std::string, Tensor>& feeds,
                          size_t i, const std::string& role);

// Every fed tensor must name an input of the node (one sentence naming the first that does not).
void CheckFeedsNamed(const Model& model, const Node& node, const std::map<std::string, Tensor>& feeds);

// The model's one node lowered to a layer; `feeds` holds the tensors given for graph inputs (the
// layer's input and any weight, scale, zero point or bias kept as a graph input). The spec's name
// is the model file's parent folder name for model.onnx (a node test), else its stem.
OnnxLayer LowerModel(const Model& model, const std::map<std::string, Tensor>& feeds);

// The layer's output bytes (channels, height, width) as the ONNX output tensor.
Tensor ToOnnxOutput(const OnnxLayer& layer, const std::vector<uint8_t>& bytes);

// The bundle of a lowered layer for a configuration, its reference output ("output") from the
// reference operators and ref::RequantizeExact, and that reference as the ONNX output tensor.
struct OnnxBundle {
  Bundle bundle;
  Tensor expected;
};
OnnxBundle BuildOnnxBundle(const OnnxLayer& layer, const HwConfig& cfg);

// The layer's accumulators plus each channel's bias (channel-major, as its output bytes), from
// the reference operators as planned for `cfg`: what the requantization scales (calibrate.h).
std::vector<int64_t> BiasedAccumulators(const OnnxLayer& layer, const HwConfig& cfg);

}  // namespace nna::onnx
