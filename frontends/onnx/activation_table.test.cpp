// The activation tables against bytes measured on onnxruntime, and the functions' ONNX defaults.
#include "frontends/onnx/activation_table.h"

#include <catch2/catch.hpp>

#include "frontends/onnx/onnx_error.h"

namespace nna::onnx {

namespace {

Node Activation(const std::string& op, float alpha = -1) {
  Node n;
  n.name = "act", n.op_type = op, n.outputs = {"y"};
  if (alpha >= -0.5f) {
    Attribute a;
    a.name = "alpha", a.kind = Attribute::Kind::kFloat, a.f = alpha;
    n.attributes.push_back(a);
  }
  return n;
}

QuantParams Params(float scale, int32_t zero_point) {
  QuantParams q;
  q.scale = scale, q.zero_point = zero_point;
  return q;
}

// The table's sum and its sum weighted by the index: a fingerprint of all 256 bytes.
std::pair<int64_t, int64_t> Fingerprint(const std::array<uint8_t, 256>& t) {
  int64_t sum = 0, weighted = 0;
  for (size_t q = 0; q < t.size(); ++q) sum += t[q], weighted += int64_t(q) * t[q];
  return {sum, weighted};
}

}  // namespace

TEST_CASE("activation tables equal onnxruntime's bytes", "[onnx][activation]") {
  // Measured: DequantizeLinear -> op -> QuantizeLinear on onnxruntime-node 1.31.1, input 0..255.
  const auto sigmoid = ActivationTable(*TableActivationOf(Activation("Sigmoid")),
                                       Params(0.050714161247015f, 238), Params(0.0038837899919599295f, 0));
  CHECK(sigmoid[224] == 85);
  CHECK(Fingerprint(sigmoid) == std::pair<int64_t, int64_t>{6255, 1432486});
  const auto tanh = ActivationTable(*TableActivationOf(Activation("Tanh")), Params(0.04493889585137367f, 247),
                                    Params(0.008005543611943722f, 128));
  CHECK(tanh[224] == 31);
  CHECK(Fingerprint(tanh) == std::pair<int64_t, int64_t>{3956, 865614});
}

TEST_CASE("activation functions and their ONNX defaults", "[onnx][activation]") {
  const TableActivation leaky = *TableActivationOf(Activation("LeakyRelu"));
  CHECK(leaky.alpha == 0.01f);
  CHECK(ApplyActivation(leaky, -2.0f) == -0.02f);
  CHECK(ApplyActivation(leaky, 3.0f) == 3.0f);
  const TableActivation hs = *TableActivationOf(Activation("HardSigmoid"));
  CHECK((hs.alpha == 0.2f && hs.beta == 0.5f));
  CHECK(ApplyActivation(hs, 10.0f) == 1.0f);
  CHECK(ApplyActivation(hs, -10.0f) == 0.0f);
  const TableActivation swish = *TableActivationOf(Activation("HardSwish"));
  CHECK(ApplyActivation(swish, 3.0f) == 3.0f);
  CHECK(ApplyActivation(swish, -3.0f) == 0.0f);
  CHECK(ApplyActivation(swish, 1.0f) == 1.0f * (1.0f / 6 + 0.5f));
  CHECK_FALSE(TableActivationOf(Activation("Relu")).has_value());
}

TEST_CASE("a leaky ReLU's table is the identity above the zero point with equal parameters",
          "[onnx][activation]") {
  const QuantParams q = Params(0.05f, 100);
  const auto t = ActivationTable(*TableActivationOf(Activation("LeakyRelu", 0.5f)), q, q);
  for (int v = 100; v < 256; ++v) CHECK(t[size_t(v)] == v);
  CHECK(t[0] == 50);  // -100 * 0.5 steps
}

TEST_CASE("an activation attribute out of range is one sentence naming the node", "[onnx][activation]") {
  try {
    TableActivationOf(Activation("LeakyRelu", 1.5f));
    FAIL("no error");
  } catch (const OnnxError& e) {
    CHECK(std::string(e.what()).find("alpha=1.5") != std::string::npos);
    CHECK(std::string(e.what()).find("act") != std::string::npos);
  }
}

}  // namespace nna::onnx
