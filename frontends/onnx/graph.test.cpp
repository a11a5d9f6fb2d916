// QuantizeGraph on small float graphs made here: a BlazeFace block (conv -> relu, depthwise stride 2
// with asymmetric pads, 1x1 conv, max pool, channel padding by Concat with ConstantOfShape zeros,
// residual Add -> Relu, Transpose -> Reshape output) lowered to one program whose golden-model run
// equals the reference; the shared scales of Add and Concat; the sentences of what is rejected.
#include "frontends/onnx/graph.h"

#include <catch2/catch.hpp>

#include "compiler/network/lower.h"
#include "golden/check.h"
#include "nna/configs.h"
#include "util/split_mix64.h"

using namespace nna::onnx;
using Catch::Matchers::Contains;

namespace {

Attribute Ints(const std::string& name, std::vector<int64_t> v) {
  Attribute a;
  a.name = name, a.kind = Attribute::Kind::kInts, a.ints = std::move(v);
  return a;
}
Attribute Int(const std::string& name, int64_t v) {
  Attribute a;
  a.name = name, a.kind = Attribute::Kind::kInt, a.i = v;
  return a;
}

Node MakeNode(const std::string& op, std::vector<std::string> in, std::string out,
              std::vector<Attribute> attrs = {}) {
  Node n;
  n.name = "blk/" + out, n.op_type = op, n.inputs = std::move(in), n.outputs = {std::move(out)};
  n.attributes = std::move(attrs);
  return n;
}

Tensor Seeded(const std::string& name, std::vector<int64_t> dims, uint64_t seed, double scale) {
  nna::SplitMix64 rng(seed);
  std::vector<double> v(CountElements(dims, name));
  for (double& x : v) x = scale * (double(rng.Next() >> 11) * 0x1p-53 * 2 - 1);
  Tensor t = MakeFloatTensor(DataType::kFloat, std::move(dims), v);
  t.name = name;
  return t;
}

ValueInfo Value(const std::string& name, std::vector<int64_t> dims) {
  ValueInfo v;
  v.name = name, v.type = DataType::kFloat, v.has_shape = true;
  for (int64_t d : dims) v.shape.push_back({d, ""});
  return v;
}

// x NHWC [1,16,16,3] -> Transpose -> Conv 3x3 (8) pads [1,1,2,2] stride 2 + Relu = r [8,8,8]
// -> depthwise 3x3 stride 2 pads [0,0,1,1] -> Conv 1x1 (12) = c [12,4,4]
// r -> MaxPool 2x2 s2 -> Concat with ConstantOfShape zeros [1,4,4,4] = p [12,4,4]
// Add(c, p) + Relu -> Conv 1x1 (6) -> Transpose [0,2,3,1] -> Reshape [1,48,2] = y
Model Block() {
  Model m;
  m.path = "block.onnx";
  m.inputs = {Value("x", {1, 16, 16, 3})};
  m.outputs = {Value("y", {1, 48, 2})};
  Tensor shape4 = MakeIntTensor(DataType::kInt64, {4}, {1, 4, 4, 4});
  shape4.name = "zeros_shape";
  Tensor shape3 = MakeIntTensor(DataType::kInt64, {3}, {1, -1, 2});
  shape3.name = "out_shape";
  m.initializers = {Seeded("w0", {8, 3, 3, 3}, 1, 0.5),
                    Seeded("b0", {8}, 2, 0.2),
                    Seeded("wd", {8, 1, 3, 3}, 3, 0.6),
                    Seeded("w1", {12, 8, 1, 1}, 4, 0.5),
                    Seeded("b1", {12}, 5, 0.3),
                    Seeded("w2", {6, 12, 1, 1}, 6, 0.4),
                    Seeded("b2", {6}, 7, 0.1),
                    shape4,
                    shape3};
  m.nodes = {MakeNode("Transpose", {"x"}, "xt", {Ints("perm", {0, 3, 1, 2})}),
             MakeNode("Conv", {"xt", "w0", "b0"}, "c0",
                      {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2}), Ints("pads", {1, 1, 2, 2})}),
             MakeNode("Relu", {"c0"}, "r"),
             MakeNode("Conv", {"r", "wd"}, "d",
                      {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2}), Ints("pads", {0, 0, 1, 1}),
                       Int("group", 8)}),
             MakeNode("Conv", {"d", "w1", "b1"}, "c"),
             MakeNode("MaxPool", {"r"}, "mp", {Ints("kernel_shape", {2, 2}), Ints("strides", {2, 2})}),
             MakeNode("ConstantOfShape", {"zeros_shape"}, "z"),
             MakeNode("Concat", {"mp", "z"}, "p", {Int("axis", 1)}),
             MakeNode("Add", {"c", "p"}, "a"),
             MakeNode("Relu", {"a"}, "ar"),
             MakeNode("Conv", {"ar", "w2", "b2"}, "h"),
             MakeNode("Transpose", {"h"}, "ht", {Ints("perm", {0, 2, 3, 1})}),
             MakeNode("Reshape", {"ht", "out_shape"}, "y")};
  return m;
}

std::vector<Tensor> Images(int count, uint64_t seed) { return SyntheticImages({1, 16, 16, 3}, count, seed); }

}  // namespace

TEST_CASE("a BlazeFace block quantizes, lowers to one program, and the golden model equals the reference",
          "[graph]") {
  const Model m = Block();
  const QuantizedGraph g = QuantizeGraph(m, Images(1, 99)[0], Images(4, 1));
  // Transpose and Reshape are the host's; the zeros are a layer of their own.
  REQUIRE(g.q.layers.size() == 8);
  CHECK(g.input_nhwc);
  CHECK((g.pad_top == 1 && g.pad_left == 1 && g.pad_bottom == 2 && g.pad_right == 2));
  CHECK(g.q.net.input.h == 19);
  // An Add's tensors share one scale; a Concat's (and its MaxPool's) one scale and zero point.
  const auto& act = g.acts;
  CHECK(act.at("c").q.scale == act.at("ar").q.scale);
  CHECK(act.at("p").q.scale == act.at("ar").q.scale);
  CHECK(act.at("mp").q.zero_point == act.at("p").q.zero_point);
  CHECK(act.at("z").q.zero_point == act.at("p").q.zero_point);
  CHECK(act.at("r").q.zero_point == 0);
  // Every conv in the exact mode: the program is ExactRequantProgram, the multiplier onnxruntime's.
  const auto& stem = g.q.layers[0];
  CHECK(stem.spec->requant == nna::ref::RequantMode::kExact);
  CHECK(stem.params[0].multiplier == (g.x.scale * g.convs.at("blk/c0").w_scale[0]) / act.at("r").q.scale);

  const std::vector<Tensor> out = GraphOutputs(g);
  REQUIRE(out.size() == 1);
  CHECK(out[0].dims == std::vector<int64_t>{1, 48, 2});
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  const auto lowered = nna::compiler::network::LowerNetwork(g.q, cfg);
  CHECK(nna::CheckOnGoldenModel(lowered.bundle, cfg).empty());
  // The quantization follows the float model.
  CHECK_THAT(GraphAccuracy(g, out, RunFloat(m, Images(1, 99)[0])), Contains("cosine similarity 0.9"));
}

TEST_CASE("the golden model's check sees a wrong reference of a graph", "[graph]") {
  const QuantizedGraph g = QuantizeGraph(Block(), Images(1, 99)[0], Images(4, 1));
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  auto lowered = nna::compiler::network::LowerNetwork(g.q, cfg);
  auto& ref = lowered.bundle.reference.begin()->second;
  ref[0] ^= 1;
  CHECK_FALSE(nna::CheckOnGoldenModel(lowered.bundle, cfg).empty());
}

TEST_CASE("what a float graph cannot run is one sentence naming the node", "[graph]") {
  Model m = Block();
  m.nodes[2].op_type = "Sigmoid";
  CHECK_THROWS_WITH(QuantizeGraph(m, Images(1, 99)[0], {}),
                    Contains("node 'blk/r' (Sigmoid): op 'Sigmoid' has no lowering in a float graph"));
  m = Block();
  m.nodes[5].attributes = {Ints("kernel_shape", {3, 2}), Ints("strides", {2, 2})};
  CHECK_THROWS_WITH(QuantizeGraph(m, Images(1, 99)[0], {}),
                    Contains("node 'blk/mp' (MaxPool): kernel_shape=[3,2] strides=[2,2] pads=[0,0,0,0]"));
  m = Block();
  CHECK_THROWS_WITH(
      QuantizeGraph(m, MakeFloatTensor(DataType::kFloat, {1, 3, 16, 16}, std::vector<double>(768, 0)), {}),
      Contains("is float [1,3,16,16], but graph input 'x' is float [1,16,16,3]"));
}
