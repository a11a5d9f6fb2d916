// A pre-quantized ONNX graph of many nodes (docs/onnx.md, "Pre-quantized graphs"), in either form:
// QDQ (QuantizeLinear/DequantizeLinear around float Conv, Gemm, MatMul, Add, MaxPool, Concat,
// GlobalAveragePool, Relu/Clip, integer weights and biases behind a DequantizeLinear) or QOperator
// (QLinearConv, QLinearMatMul, QGemm, QLinearAdd, QLinearConcat, QLinearGlobalAveragePool, MaxPool on
// uint8). It is normalized to the float graph that graph.h's import takes, with the quantization of
// every tensor as the model fixes it (GivenQuant), so that one import and one lowering serve float
// and pre-quantized graphs; QuantizeGraph then uses those parameters instead of calibrating, and
// refuses in one sentence what the accelerator cannot compute as onnxruntime does.
#pragma once

#include <string>
#include <vector>

#include "frontends/onnx/graph.h"
#include "frontends/onnx/model.h"

namespace nna::onnx {

// True for a graph of more than one node with a QuantizeLinear, DequantizeLinear or QOperator node.
bool IsPreQuantizedGraph(const Model& model);

struct PreQuantized {
  Model graph;  // the float graph: no Q/DQ, weights and biases dequantized, QOperator ops as float ops
  GivenQuant given;
  DataType input_type = DataType::kFloat;  // the model's graph input: float, or uint8/int8 (quantized)
  QuantParams input;                       // as the model gives it (int8 or uint8)
  struct Output {
    std::string name;                  // the model's graph output
    DataType type = DataType::kUint8;  // uint8 or int8 (the bytes), or float (a DequantizeLinear's)
    size_t index = 0;                  // its graph output in `graph` (outputs of one tensor share one)
    QuantParams q;                     // as uint8 (an int8 tensor's zero point + 128)
  };
  std::vector<Output> outputs;
};

// Throws OnnxError: one sentence naming the node, its op and what has no lowering.
PreQuantized NormalizeQuantizedGraph(const Model& model);

// The run input as QuantizeGraph takes it (float): a uint8 or int8 input dequantized, which
// quantizes back to the same (uint8) bytes; a float one as it is.
Tensor PreQuantizedRunInput(const PreQuantized& p, const Tensor& input);

// The graph outputs in the model's own types from `graph`'s uint8 outputs (graph.h's
// GraphOutputs): uint8 as they are, int8 as the byte - 128, float as onnxruntime's DequantizeLinear computes
// it, float32((int32(q) - zp) * scale).
std::vector<Tensor> PreQuantizedOutputs(const PreQuantized& p, const std::vector<Tensor>& bytes);

}  // namespace nna::onnx
