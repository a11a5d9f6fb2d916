// `--onnx MODEL [--input ...]` as nnac and nna_sim_<cfg> both take it: the model and its fed
// tensors read, a float model quantized (calibrate.h), the one node lowered and built into a
// bundle (layer.h). One code path, so that the simulator runs exactly what nnac writes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/network/lower.h"
#include "frontends/onnx/calibrate.h"
#include "frontends/onnx/graph.h"
#include "frontends/onnx/layer.h"
#include "frontends/onnx/qdq_graph.h"
#include "nna/configs.h"

namespace nna::onnx {

struct OnnxRequest {
  std::string model;                // the .onnx file
  std::vector<std::string> inputs;  // NAME=FILE, or FILE for the next graph input in order
  std::string calibrate;            // a float model: folder of calibration tensors (empty: the run input)
  bool int8_activations = false;    // a float model: int8 input and output instead of uint8
  bool export_qdq = false;          // a float model: the caller writes it as a QDQ model
};

struct OnnxCompiled {
  std::unique_ptr<const Model> model;  // on the heap: quantized->node points into it
  OnnxLayer layer;
  OnnxBundle built;                         // the bundle and its reference as the ONNX output
  std::optional<QuantizedModel> quantized;  // a float model: how nnac quantized it
};

// Throws OnnxError (one sentence) for a model, input or option that cannot be used.
OnnxCompiled CompileOnnx(const OnnxRequest& request, const HwConfig& cfg);

// A float graph (graph.h) compiled: quantized on the calibration inputs, run on the run input by
// the reference operators, lowered to one program with every layer's predicted cycles; or a
// pre-quantized graph (qdq_graph.h) the same way with the model's own quantization.
struct GraphCompiled {
  std::unique_ptr<const Model> model;
  std::optional<PreQuantized> pre;  // a pre-quantized graph: its float form and given quantization
  QuantizedGraph graph;
  compiler::network::LoweredNetwork lowered;
  Tensor input;  // the run input (float; a uint8 input of a pre-quantized graph dequantized)
  // The reference's graph outputs in graph output order: uint8 for a float graph (as --export-qdq's
  // "<output>_quantized"), the model's own output types for a pre-quantized one.
  std::vector<Tensor> expected;
};

// True when the file holds a graph of many nodes, float (graph.h's IsFloatGraph) or pre-quantized
// (qdq_graph.h's IsPreQuantizedGraph), rather than a one-node model.
bool IsFloatGraphFile(const std::string& model);

// No --input: the synthetic images of graph.h (run input and, without --calibrate, calibration).
// Throws OnnxError: more than one input, an option for one-node models only (or, for a
// pre-quantized graph, --calibrate and --export-qdq), or what QuantizeGraph and the lowering reject.
GraphCompiled CompileOnnxGraph(const OnnxRequest& request, const HwConfig& cfg);

// How a float model was quantized: what the input was calibrated on, the scales and zero points.
std::string DescribeQuantization(const QuantizedModel& q);

// A float model's quantized output against its float expected output (a .pb or .npy file): one
// sentence with the largest error, as information (quantization is not bit-exact with float).
std::string FloatError(const QuantizedModel& q, const Tensor& output, const std::string& expect);

}  // namespace nna::onnx
