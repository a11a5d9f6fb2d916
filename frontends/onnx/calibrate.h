// Post-training quantization of a float ONNX model of one Conv or MatMul node by nnac itself (docs/onnx.md,
// "Run a float ONNX model"): per-output-channel symmetric int8 weights, an int32 bias at
// x_scale * w_scale, uint8 activations whose scale and zero point come from the calibration
// inputs' min/max (the range always including 0). The result is the equivalent QLinearConv (or
// QLinearMatMul) model,
// which LowerModel runs in the exact mode, and the same network as a QDQ model (ExportQdq) for any
// ONNX runtime.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "frontends/onnx/layer.h"
#include "frontends/onnx/model.h"
#include "nna/configs.h"

namespace nna::onnx {

// True for a graph of one Conv or MatMul node with a float input (the models QuantizeFloatModel takes).
bool IsFloatModel(const Model& model);

// A uint8 or int8 quantization: real = scale * (q - zero_point).
struct QuantParams {
  float scale = 1;
  int32_t zero_point = 0;
  bool is_signed = false;  // int8 (-128..127), else uint8 (0..255)
  DataType Type() const { return is_signed ? DataType::kInt8 : DataType::kUint8; }
};

// "'t' (scale 0.0250000004, zero point 20)": a tensor and its parameters, as messages write them.
std::string ParamsText(const std::string& tensor, const QuantParams& q);

// The asymmetric parameters of a real range widened to include 0: scale (max - min) / 255 in
// float32, zero point lo + round(-min / scale) within lo..lo + 255 (lo: 0 for uint8, -128 for
// int8); scale 1, zero point 0 for an all-zero range.
QuantParams RangeToParams(double min, double max, bool is_signed);

// ONNX QuantizeLinear as onnxruntime computes it: saturate(round_half_even(x / scale) + zp), the
// division in float32.
int32_t Quantize(float x, const QuantParams& q);
// Symmetric int8 weights of `channels` output channels, channel c's k-th value at w[c * per + k]
// (channel-major, a Conv's) or at w[k * channels + c] (`channel_last`, a MatMul's [K, N]): the
// scale max |w| / levels per channel, or the whole tensor's max |w| / levels in every channel
// (`per_tensor`), 1 where that max is 0; the values round_half_even(w / scale) in -127..127, at
// w's places. levels is 127 for trained weights; 1 makes the weights of an average (1/count) 1.
struct SymmetricWeights {
  std::vector<float> scale;  // per output channel
  std::vector<int64_t> values;
};
SymmetricWeights QuantizeWeights(const std::vector<float>& w, size_t channels, bool channel_last,
                                 bool per_tensor, float levels = 127.0f);

struct QuantizedModel {
  Model qlinear;                        // one QLinearConv or QLinearMatMul node, operands as initializers
  std::map<std::string, Tensor> feeds;  // the run input, quantized
  const Node* node = nullptr;           // the float model's node (for the export's op and attributes)
  int64_t weight_axis = 0;  // the weights' output channel axis: Conv 0, MatMul the last (per column)
  std::string input_name, output_name;
  std::vector<int64_t> input_dims;
  QuantParams x, y;
  std::vector<float> w_scale, bias_scale;  // per output channel; bias_scale = x.scale * w_scale[c]
  Tensor w, bias;      // int8 weights as the float W's shape; int32 bias (Conv, may be empty)
  size_t samples = 0;  // calibration tensors used
};

// Quantizes the model's one float Conv or MatMul, its input and output uint8 or (`int8_activations`)
// int8: `feeds` hold the run input (the node's first
// input) and any float weight or bias kept as a graph input; `calibration` the input tensors whose
// range sets the input's parameters (the run input when empty). The output's range is that of the
// quantized layer's real value (acc + bias) * x_scale * w_scale[c] over the calibration inputs,
// which needs the layer planned for `cfg`.
QuantizedModel QuantizeFloatModel(const Model& model, const std::map<std::string, Tensor>& feeds,
                                  const std::vector<Tensor>& calibration, const HwConfig& cfg,
                                  bool int8_activations = false);

// LowerModel of the quantized model with `feeds` (its input, quantized): a sentence about the node
// names the float node ("node 'conv' (Conv), quantized"), not the QLinear node it runs as.
OnnxLayer LowerQuantized(const QuantizedModel& q, const std::map<std::string, Tensor>& feeds);

// Calibration tensors: every .npy and .pb file of a folder, in name order.
std::vector<Tensor> ReadCalibrationFolder(const std::filesystem::path& dir);

// The quantized network as a QDQ model (opset 13): QuantizeLinear and DequantizeLinear on the
// input, DequantizeLinear on the int8 weights (per-channel scales on axis 0 for Conv, the last for
// MatMul) and on the int32 bias, the float Conv or MatMul, QuantizeLinear on its output (graph
// output "<output>_quantized", uint8) and DequantizeLinear back to float (graph output "<output>",
// as the float model's).
void ExportQdq(const QuantizedModel& q, const std::filesystem::path& path);

}  // namespace nna::onnx
