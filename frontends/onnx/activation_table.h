// Activations that onnxruntime computes on quantized tensors as a function of the input byte
// (docs/onnx.md, "Activations as a table"): for DequantizeLinear -> f -> QuantizeLinear, ORT's
// QLinearSigmoid / QLinearLeakyRelu lookup tables and its float kernels between Q and DQ both give
// out = Quantize(f(Dequantize(in))). The accelerator runs the same 256-entry table with the SIMD
// unit's LUT op after the producer's exact requantization.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "frontends/onnx/calibrate.h"
#include "frontends/onnx/model.h"

namespace nna::onnx {

// LeakyRelu, Sigmoid, Tanh, HardSigmoid or HardSwish with its attributes (ONNX defaults); also a
// standalone Relu, or Clip with alpha its min and beta its max (graph.cpp builds those).
struct TableActivation {
  std::string op;
  float alpha = 0, beta = 0;
};

// The node's activation, or nullopt for an op that is none of these. Throws OnnxError (naming the
// node) for an attribute out of its range.
std::optional<TableActivation> TableActivationOf(const Node& n);

// f(x) in float32 as onnxruntime's kernels give it: Relu max(x, 0); Clip min(max(x, min), max); LeakyRelu x
// >= 0 ? x : alpha * x; HardSigmoid max(0, min(1, alpha * x + beta)); HardSwish x * max(0, min(1, x / 6 +
// 0.5)) (alpha 1/6 in float, no fused multiply-add); Sigmoid and Tanh in double rounded to float (ORT's MLAS
// polynomials are within a few ulps of it: docs/onnx.md measures where that could change a byte).
float ApplyActivation(const TableActivation& f, float x);

// table[q] = Quantize(f(in.scale * float(q - in.zero_point)), out) for every uint8 q: the bytes
// onnxruntime computes. Both tensors uint8.
std::array<uint8_t, 256> ActivationTable(const TableActivation& f, const QuantParams& in,
                                         const QuantParams& out);

}  // namespace nna::onnx
