// QuantizeFloatModel's rules on models made here: the min/max range including 0, ONNX
// QuantizeLinear's rounding (half to even, after a float32 division), symmetric per-channel weights,
// the int32 bias at x_scale * w_scale, and the sentences of what is rejected.
#include "frontends/onnx/calibrate.h"

#include <catch2/catch.hpp>

#include "frontends/onnx/layer.h"
#include "nna/configs.h"

using namespace nna::onnx;
using Catch::Matchers::Contains;

namespace {

// Conv(x [1,1,3,3], W [2,1,1,1], B [2]) with W and B as initializers.
Model FloatConv() {
  Model m;
  m.path = "float.onnx";
  Node n;
  n.name = "conv";
  n.op_type = "Conv";
  n.inputs = {"x", "W", "B"};
  n.outputs = {"y"};
  m.nodes = {n};
  ValueInfo x;
  x.name = "x", x.type = DataType::kFloat, x.has_shape = true, x.shape = {{1}, {1}, {3}, {3}};
  m.inputs = {x};
  ValueInfo y = x;
  y.name = "y", y.shape = {{1}, {2}, {3}, {3}};
  m.outputs = {y};
  Tensor w = MakeFloatTensor(DataType::kFloat, {2, 1, 1, 1}, {0.5, -2.0});
  w.name = "W";
  Tensor b = MakeFloatTensor(DataType::kFloat, {2}, {0.25, -1.0});
  b.name = "B";
  m.initializers = {w, b};
  return m;
}

Tensor Input(std::vector<double> v) { return MakeFloatTensor(DataType::kFloat, {1, 1, 3, 3}, v); }

}  // namespace

TEST_CASE("RangeToParams widens the range to 0 and Quantize rounds half to even") {
  const QuantParams q = RangeToParams(1.0, 5.1, false);  // [0, 5.1]: scale 0.02, zero point 0
  CHECK(q.scale == float(5.1 / 255.0));
  CHECK(q.zero_point == 0);
  const QuantParams n = RangeToParams(-1.0, 0.0, false);  // [-1, 0]: the zero point at the top
  CHECK(n.zero_point == 255);
  CHECK(RangeToParams(0, 0, false).scale == 1.0f);
  CHECK(RangeToParams(-1.0, 0.0, true).zero_point == 127);  // int8: the same, 128 lower
  CHECK(RangeToParams(1.0, 5.1, true).zero_point == -128);
  const QuantParams half{0.5f, 10, false};
  CHECK(Quantize(0.25f, half) == 10);    // 0.5 -> 0 (even)
  CHECK(Quantize(0.75f, half) == 12);    // 1.5 -> 2
  CHECK(Quantize(-0.75f, half) == 8);    // -1.5 -> -2
  CHECK(Quantize(1000.f, half) == 255);  // saturates
  CHECK(Quantize(-1000.f, half) == 0);
  const QuantParams signed_half{0.5f, 10, true};
  CHECK(Quantize(-1000.f, signed_half) == -128);
  CHECK(Quantize(1000.f, signed_half) == 127);
}

TEST_CASE("QuantizeFloatModel quantizes weights per channel and the bias at x_scale * w_scale") {
  const Model m = FloatConv();
  const QuantizedModel q =
      QuantizeFloatModel(m, {{"x", Input({-1, 0, 1, 2, 3, 4, 5, 6, 7})}}, {}, nna::FindHwConfig("tiny"));
  CHECK(q.x.scale == float(8.0 / 255.0));
  CHECK(q.x.zero_point == 32);  // round(1 / (8/255)) = round(31.875)
  REQUIRE(q.w_scale.size() == 2);
  CHECK(q.w_scale[0] == 0.5f / 127.0f);
  CHECK(q.w_scale[1] == 2.0f / 127.0f);
  CHECK(q.w.AtInt(0) == 127);  // each channel's largest weight is +-127
  CHECK(q.w.AtInt(1) == -127);
  CHECK(q.bias.AtInt(0) == int64_t(std::nearbyint(0.25 / double(q.x.scale * q.w_scale[0]))));
  // The layer runs it in the exact mode with float32 x_scale * w_scale / y_scale.
  const OnnxLayer l = LowerModel(q.qlinear, q.feeds);
  CHECK(l.spec.layer.params[1].multiplier == (q.x.scale * q.w_scale[1]) / q.y.scale);
}

TEST_CASE("QuantizeFloatModel rejects calibration tensors of another shape and non-float models") {
  const Model m = FloatConv();
  const Tensor x = Input({0, 1, 2, 3, 4, 5, 6, 7, 8});
  Tensor other = MakeFloatTensor(DataType::kFloat, {1, 1, 2, 2}, {0, 1, 2, 3});
  other.name = "small.npy";
  CHECK_THROWS_WITH(
      QuantizeFloatModel(m, {{"x", x}}, {other}, nna::FindHwConfig("tiny")),
      "calibration tensor 'small.npy' is float [1,1,2,2], but input 'x' is float [1,1,3,3] (one "
      "compiled layer has one shape)");
  Model no_w = m;
  no_w.initializers.erase(no_w.initializers.begin());
  CHECK_THROWS_WITH(
      QuantizeFloatModel(no_w, {{"x", x}}, {}, nna::FindHwConfig("tiny")),
      Contains("node 'conv' (Conv): input 'W' (the weights) has no data: give it with --input W="));
  CHECK_THROWS_WITH(QuantizeFloatModel(m, {{"x", x}, {"bogus", x}}, {}, nna::FindHwConfig("tiny")),
                    "float.onnx: --input bogus names no input of node 'conv' (Conv)");
  Model odd = m;  // the lowering's sentence names the float node
  Attribute a;
  a.name = "foo", a.kind = Attribute::Kind::kInt, a.i = 1;
  odd.nodes[0].attributes.push_back(a);
  CHECK_THROWS_WITH(
      QuantizeFloatModel(odd, {{"x", x}}, {}, nna::FindHwConfig("tiny")),
      "node 'conv' (Conv), quantized: attribute foo=1 is not one this front end knows for QLinearConv");
  Model pool = m;
  pool.nodes[0].op_type = "MaxPool";
  CHECK_FALSE(IsFloatModel(pool));
  CHECK_THROWS_WITH(
      QuantizeFloatModel(pool, {{"x", x}}, {}, nna::FindHwConfig("tiny")),
      "float.onnx: a float model for calibration must be one Conv or MatMul node with a float input");
}
