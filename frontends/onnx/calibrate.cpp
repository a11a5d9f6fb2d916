#include "frontends/onnx/calibrate.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "frontends/onnx/layer.h"

namespace nna::onnx {
namespace {

// A float operand of the node: an initializer or a fed tensor.
const Tensor& FloatOperand(const Model& m, const Node& n, const std::map<std::string, Tensor>& feeds,
                           size_t i, const std::string& role) {
  const Tensor& t = NodeOperand(m, n, feeds, i, role);
  if (t.type != DataType::kFloat)
    throw OnnxError(n.Describe() + ": input '" + n.inputs[i] + "' (" + role + ") is " + ToString(t.type) +
                    ", but a float model's operands are float");
  return t;
}

std::vector<float> Floats(const Tensor& t) {
  std::vector<float> v(t.NumElements());
  for (size_t i = 0; i < v.size(); ++i) v[i] = float(t.AtDouble(i));
  return v;
}

Tensor Scalar(const std::string& name, DataType type, double v) {
  Tensor t = IsFloatingPoint(type) ? MakeFloatTensor(type, {}, {v}) : MakeIntTensor(type, {}, {int64_t(v)});
  t.name = name;
  return t;
}

Tensor Quantized(const Tensor& x, const QuantParams& q, const std::string& name) {
  std::vector<int64_t> v(x.NumElements());
  for (size_t i = 0; i < v.size(); ++i) v[i] = Quantize(float(x.AtDouble(i)), q);
  Tensor t = MakeIntTensor(q.Type(), x.dims, v);
  t.name = name;
  return t;
}

}  // namespace

bool IsFloatModel(const Model& model) {
  return model.nodes.size() == 1 &&
         (model.nodes[0].op_type == "Conv" || model.nodes[0].op_type == "MatMul") && !model.inputs.empty() &&
         model.inputs[0].type == DataType::kFloat;
}

QuantParams RangeToParams(double min, double max, bool is_signed) {
  QuantParams q;
  q.is_signed = is_signed;
  min = std::min(min, 0.0), max = std::max(max, 0.0);
  if (max == min) return q;
  const double lo = is_signed ? -128 : 0;
  q.scale = float((max - min) / 255.0);
  q.zero_point = int32_t(std::clamp(lo + std::nearbyint(-min / double(q.scale)), lo, lo + 255));
  return q;
}

SymmetricWeights QuantizeWeights(const std::vector<float>& w, size_t channels, bool channel_last,
                                 bool per_tensor, float levels) {
  const size_t per = w.size() / channels;
  auto at = [&](size_t c, size_t k) { return channel_last ? k * channels + c : c * per + k; };
  SymmetricWeights q;
  std::vector<float> max(channels, 0.0f);
  for (size_t c = 0; c < channels; ++c)
    for (size_t k = 0; k < per; ++k) max[c] = std::max(max[c], std::fabs(w[at(c, k)]));
  if (per_tensor && channels) max.assign(channels, *std::max_element(max.begin(), max.end()));
  for (const float m : max) q.scale.push_back(m > 0 ? m / levels : 1.0f);
  q.values.resize(w.size());
  for (size_t c = 0; c < channels; ++c)
    for (size_t k = 0; k < per; ++k)
      q.values[at(c, k)] = int64_t(std::clamp(std::nearbyint(w[at(c, k)] / q.scale[c]), -127.0f, 127.0f));
  return q;
}

std::string ParamsText(const std::string& tensor, const QuantParams& q) {
  char buf[96];
  std::snprintf(buf, sizeof buf, " (scale %.9g, zero point %d)", double(q.scale), q.zero_point);
  return "'" + tensor + "'" + buf;
}

int32_t Quantize(float x, const QuantParams& q) {
  const float r = std::nearbyint(x / q.scale);  // the default rounding mode: half to even
  const float lo = q.is_signed ? -128.0f : 0.0f;
  return int32_t(std::clamp(r + float(q.zero_point), lo, lo + 255.0f));
}

QuantizedModel QuantizeFloatModel(const Model& model, const std::map<std::string, Tensor>& feeds,
                                  const std::vector<Tensor>& calibration, const HwConfig& cfg,
                                  bool int8_activations) {
  if (!IsFloatModel(model))
    throw OnnxError(model.path +
                    ": a float model for calibration must be one Conv or MatMul node with a float input");
  const Node& n = model.nodes[0];
  const bool conv = n.op_type == "Conv";
  if (n.inputs.size() < 2) throw OnnxError(n.Describe() + ": has no weights (input 1)");
  CheckFeedsNamed(model, n, feeds);
  QuantizedModel q;
  q.node = &n;
  q.input_name = n.inputs[0];
  q.output_name = n.outputs.at(0);
  const Tensor& run = FloatOperand(model, n, feeds, 0, "the input");
  q.input_dims = run.dims;
  const Tensor& w = FloatOperand(model, n, feeds, 1, "the weights");
  if (conv ? w.dims.size() != 4 : w.dims.size() != 2 && w.dims.size() != 3)
    throw OnnxError(n.Describe() + ": weights '" + n.inputs[1] + "' are " + w.Describe() + ", but a float " +
                    n.op_type + " is quantized with " + (conv ? "4-D" : "2-D or 3-D") + " weights only");
  // Output channels: a Conv's weights [C_out, ...] (axis 0), a MatMul's [K, N] (axis 1, per column).
  // onnxruntime's QLinearMatMul takes batched [B, K, N] weights' parameters per tensor or as
  // [B, 1, N] only: those get one scale (weight_axis -1), the same in every channel.
  q.weight_axis = conv ? 0 : w.dims.size() == 2 ? 1 : -1;
  const size_t cout = size_t(conv ? w.dims[0] : w.dims.back());
  const bool has_bias = conv && n.inputs.size() > 2 && !n.inputs[2].empty();

  // The input's range over the calibration tensors (the run input without a folder).
  const std::vector<Tensor> own{run};
  const std::vector<Tensor>& samples = calibration.empty() ? own : calibration;
  double lo = 0, hi = 0;
  for (const Tensor& s : samples) {
    if (s.type != DataType::kFloat || s.dims != run.dims)
      throw OnnxError("calibration tensor '" + s.name + "' is " + s.Describe() + ", but input '" +
                      q.input_name + "' is " + run.Describe() + " (one compiled layer has one shape)");
    for (size_t i = 0; i < s.NumElements(); ++i)
      lo = std::min(lo, s.AtDouble(i)), hi = std::max(hi, s.AtDouble(i));
  }
  q.samples = calibration.size();  // 0: the run input
  q.x = RangeToParams(lo, hi, int8_activations);

  // Weights: symmetric per output channel, scale max |w| / 127, values -127..127.
  SymmetricWeights sw = QuantizeWeights(Floats(w), cout, !conv, q.weight_axis < 0);
  q.w_scale = std::move(sw.scale);
  for (const float ws : q.w_scale) q.bias_scale.push_back(q.x.scale * ws);
  q.w = MakeIntTensor(DataType::kInt8, w.dims, sw.values);
  q.w.name = n.inputs[1];
  if (has_bias) {
    const Tensor& b = FloatOperand(model, n, feeds, 2, "the bias");
    if (b.NumElements() != cout)
      throw OnnxError(n.Describe() + ": bias '" + n.inputs[2] + "' is " + b.Describe() +
                      ", but the weights have " + std::to_string(cout) + " output channels");
    std::vector<int64_t> bq(cout);
    for (size_t c = 0; c < cout; ++c) {
      const double v = std::nearbyint(b.AtDouble(c) / double(q.bias_scale[c]));
      if (!(v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()))
        throw OnnxError(n.Describe() + ": bias '" + n.inputs[2] + "' of output channel " + std::to_string(c) +
                        " (" + b.Format(c) + ") over its scale " + std::to_string(q.bias_scale[c]) +
                        " does not fit int32");
      bq[c] = int64_t(v);
    }
    q.bias = MakeIntTensor(DataType::kInt32, {int64_t(cout)}, bq);
    q.bias.name = n.inputs[2];
  }

  // The equivalent QLinearConv or QLinearMatMul; the output's parameters are set after its
  // calibration below.
  Model& m = q.qlinear;
  m.path = model.path;
  m.ir_version = model.ir_version;
  m.opsets = model.opsets;
  m.inputs = {model.inputs[0]};
  m.inputs[0].type = q.x.Type();
  m.outputs = {model.outputs.at(0)};
  m.outputs[0].type = q.x.Type();
  Node ql = n;
  ql.op_type = conv ? "QLinearConv" : "QLinearMatMul";
  ql.inputs = {q.input_name, "x_scale",      "x_zero_point", n.inputs[1],
               "w_scale",    "w_zero_point", "y_scale",      "y_zero_point"};
  if (has_bias) ql.inputs.push_back(n.inputs[2]);
  m.nodes = {ql};
  Tensor w_scale = MakeFloatTensor(DataType::kFloat, {int64_t(cout)}, {q.w_scale.begin(), q.w_scale.end()});
  w_scale.name = "w_scale";
  Tensor w_zp = MakeIntTensor(DataType::kInt8, {int64_t(cout)}, std::vector<int64_t>(cout, 0));
  w_zp.name = "w_zero_point";
  m.initializers = {Scalar("x_scale", DataType::kFloat, q.x.scale),
                    Scalar("x_zero_point", q.x.Type(), q.x.zero_point),
                    q.w,
                    w_scale,
                    w_zp,
                    Scalar("y_scale", DataType::kFloat, 1),
                    Scalar("y_zero_point", q.x.Type(), 0)};
  if (has_bias) m.initializers.push_back(q.bias);

  // The output's range: the quantized layer's real value over the calibration inputs.
  lo = 0, hi = 0;
  for (const Tensor& s : samples) {
    const OnnxLayer layer = LowerQuantized(q, {{q.input_name, Quantized(s, q.x, q.input_name)}});
    const std::vector<int64_t> acc = BiasedAccumulators(layer, cfg);
    const size_t plane = acc.size() / cout;
    for (size_t i = 0; i < acc.size(); ++i) {
      const double real = double(acc[i]) * double(q.bias_scale[(i / plane) % cout]);  // batches as groups
      lo = std::min(lo, real), hi = std::max(hi, real);
    }
  }
  q.y = RangeToParams(lo, hi, int8_activations);
  m.initializers[5] = Scalar("y_scale", DataType::kFloat, q.y.scale);
  m.initializers[6] = Scalar("y_zero_point", q.y.Type(), q.y.zero_point);
  q.feeds = {{q.input_name, Quantized(run, q.x, q.input_name)}};
  return q;
}

OnnxLayer LowerQuantized(const QuantizedModel& q, const std::map<std::string, Tensor>& feeds) {
  const std::string as_float = q.node->Describe() + ", quantized";
  try {
    OnnxLayer l = LowerModel(q.qlinear, feeds);
    l.node = as_float;  // BuildOnnxBundle's sentences name it too
    return l;
  } catch (const OnnxError& e) {
    std::string what = e.what();
    const std::string as_qlinear = q.qlinear.nodes.at(0).Describe();
    if (const size_t at = what.find(as_qlinear); at != std::string::npos)
      what.replace(at, as_qlinear.size(), as_float);
    throw OnnxError(what);
  }
}

std::vector<Tensor> ReadCalibrationFolder(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw OnnxError("--calibrate " + dir.string() + ": is not a folder of .npy or .pb input tensors");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file() && (e.path().extension() == ".npy" || e.path().extension() == ".pb"))
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw OnnxError("--calibrate " + dir.string() + ": holds no .npy or .pb file");
  std::vector<Tensor> out;
  for (const auto& f : files) {
    out.push_back(ReadTensorFile(f));
    out.back().name = f.filename().string();
  }
  return out;
}

}  // namespace nna::onnx
