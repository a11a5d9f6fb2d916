#include "frontends/onnx/activation_table.h"

#include <algorithm>
#include <cmath>

#include "frontends/onnx/onnx_error.h"

namespace nna::onnx {

namespace {

float FloatAttr(const Node& n, const char* name, float dflt) {
  const Attribute* a = n.Find(name);
  return a ? a->f : dflt;
}

}  // namespace

std::optional<TableActivation> TableActivationOf(const Node& n) {
  TableActivation f;
  f.op = n.op_type;
  if (n.op_type == "LeakyRelu") {
    f.alpha = FloatAttr(n, "alpha", 0.01f);
    if (!(f.alpha >= 0 && f.alpha <= 1))
      FailNode(n, "alpha=" + std::to_string(f.alpha) +
                      " is outside [0, 1], where a leaky ReLU's table is monotonic");
  } else if (n.op_type == "HardSigmoid") {
    f.alpha = FloatAttr(n, "alpha", 0.2f), f.beta = FloatAttr(n, "beta", 0.5f);
    if (!std::isfinite(f.alpha) || !std::isfinite(f.beta)) FailNode(n, "alpha and beta must be finite");
  } else if (n.op_type == "HardSwish") {
    f.alpha = 1.0f / 6, f.beta = 0.5f;
  } else if (n.op_type != "Sigmoid" && n.op_type != "Tanh") {
    return std::nullopt;
  }
  return f;
}

float ApplyActivation(const TableActivation& f, float x) {
  if (f.op == "Relu") return std::max(x, 0.0f);
  if (f.op == "Clip") return std::min(std::max(x, f.alpha), f.beta);
  if (f.op == "LeakyRelu") return x >= 0 ? x : f.alpha * x;
  if (f.op == "HardSigmoid" || f.op == "HardSwish") {
    const float t = f.alpha * x;  // rounded before the add: ORT's kernel has no fused multiply-add
    const float h = std::max(0.0f, std::min(1.0f, t + f.beta));
    return f.op == "HardSwish" ? x * h : h;
  }
  if (f.op == "Sigmoid") return float(1 / (1 + std::exp(-double(x))));
  return float(std::tanh(double(x)));
}

std::array<uint8_t, 256> ActivationTable(const TableActivation& f, const QuantParams& in,
                                         const QuantParams& out) {
  std::array<uint8_t, 256> t{};
  for (int q = 0; q < 256; ++q) {
    const float x = in.scale * float(q - in.zero_point);
    t[size_t(q)] = uint8_t(Quantize(ApplyActivation(f, x), out));
  }
  return t;
}

}  // namespace nna::onnx
