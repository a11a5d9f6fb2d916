// QuantizeGraph on small float graphs made here: a BlazeFace block (conv -> relu, depthwise stride 2
// with asymmetric pads, 1x1 conv, max pool, channel padding by Concat with ConstantOfShape zeros,
// residual Add -> Relu, Transpose -> Reshape output) lowered to one program whose golden-model run
// equals the reference; the shared scales of Add and Concat; BatchNormalization folded, Clip(0, 6)
// fused, GlobalAveragePool, Gemm and MatMul + Add as exact-mode convs; the sentences of what is rejected.
#include "frontends/onnx/graph.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "compiler/network/lower.h"
#include "frontends/onnx/fold.h"
#include "frontends/onnx/qdq_graph.h"
#include "frontends/onnx/test_graphs.h"
#include "golden/check.h"
#include "nna/configs.h"

using namespace nna::onnx;
using Catch::Matchers::Contains;
using namespace nna::onnx::test_graphs;

namespace {

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
  m.nodes[2].op_type = "Softmax";
  CHECK_THROWS_WITH(QuantizeGraph(m, Images(1, 99)[0], {}),
                    Contains("node 'blk/r' (Softmax): op 'Softmax' has no lowering in a float graph"));
  m = Block();
  m.nodes[5].attributes = {Ints("kernel_shape", {3, 2}), Ints("strides", {2, 2})};
  CHECK_THROWS_WITH(QuantizeGraph(m, Images(1, 99)[0], {}),
                    Contains("node 'blk/mp' (MaxPool): kernel_shape=[3,2] strides=[2,2] pads=[0,0,0,0]"));
  m = Block();
  CHECK_THROWS_WITH(
      QuantizeGraph(m, MakeFloatTensor(DataType::kFloat, {1, 3, 16, 16}, std::vector<double>(768, 0)), {}),
      Contains("is float [1,3,16,16], but graph input 'x' is float [1,16,16,3]"));
}

TEST_CASE("BatchNormalization folds into its Conv and Clip(0, 6) fuses with the uint8 range up to 6",
          "[graph]") {
  const Model m = Mobile();
  const auto images = SyntheticImages({1, 3, 16, 16}, 4, 1);
  const QuantizedGraph g = QuantizeGraph(m, SyntheticImages({1, 3, 16, 16}, 1, 99)[0], images);
  REQUIRE(g.q.layers.size() == 3);  // three convs; BatchNormalization, Clip and Relu are fused
  CHECK(g.layer_node.at("c0") == "blk/c0 + blk/n0 + blk/r");
  CHECK(g.convs.at("blk/c0").output == "n0");  // the QDQ export's conv writes the BatchNormalization's output
  CHECK(!g.convs.at("blk/c0").bias.bytes.empty());  // a bias from the fold, though the Conv has none
  // The clip bites (float range beyond 6), so the scale is the largest whose 255 steps stay within 6.
  const ActQuant& r = g.acts.at("r");
  CHECK(r.max == 6.0);
  CHECK(r.q.zero_point == 0);
  CHECK(r.q.scale * 255.0f <= 6.0f);
  CHECK(std::nextafter(r.q.scale, 1.0f) * 255.0f > 6.0f);
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  CHECK(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(g.q, cfg).bundle, cfg).empty());
  CHECK_THAT(GraphAccuracy(g, GraphOutputs(g), RunFloat(m, SyntheticImages({1, 3, 16, 16}, 1, 99)[0])),
             Contains("cosine similarity 0.9"));

  Model bad = Mobile();
  std::swap(bad.nodes[1].inputs[0], bad.nodes[2].inputs[0]);  // Clip before the BatchNormalization
  std::swap(bad.nodes[1].outputs[0], bad.nodes[2].outputs[0]);
  std::swap(bad.nodes[1], bad.nodes[2]);
  CHECK_THROWS_WITH(
      QuantizeGraph(bad, images[0], {}),
      Contains("node 'blk/n0' (BatchNormalization): follows 'n0', which is not a Conv read by this "
               "BatchNormalization alone"));
  bad = Mobile();
  bad.initializers[4] = Scalar("zero", -1);
  CHECK_THROWS_WITH(
      QuantizeGraph(bad, images[0], {}),
      Contains("node 'blk/r' (Clip): clips to [-1.000000, 6.000000], but only Clip(0, max > 0) fuses"));
}

TEST_CASE("GlobalAveragePool, a Gemm on its Flatten and a MatMul + Add are convs in the exact mode",
          "[graph]") {
  const Model m = Head();
  const auto x = SyntheticImages({1, 3, 16, 16}, 1, 99)[0];
  const QuantizedGraph g = QuantizeGraph(m, x, SyntheticImages({1, 3, 16, 16}, 4, 1));
  REQUIRE(g.q.layers.size() == 4);  // conv, the average pool's depthwise conv, the Gemm's, the MatMul's
  const auto& gap = g.q.layers[1];
  // QLinearGlobalAveragePool's arithmetic: bias -x_zp * H*W, multiplier x_scale / (y_scale * H*W).
  CHECK(gap.params[0].multiplier == g.acts.at("r").q.scale / (g.acts.at("gap").q.scale * 64.0f));
  CHECK(gap.params[0].bias == 0);  // a Relu's output: zero point 0
  CHECK(g.convs.count("blk/gap") == 0);
  // The Gemm: one weight scale, B's own shape in the export.
  const ConvQuant& fc = g.convs.at("blk/fc");
  CHECK(fc.per_tensor);
  CHECK(fc.w.dims == std::vector<int64_t>{10, 8});
  CHECK(std::all_of(fc.w_scale.begin(), fc.w_scale.end(), [&](float s) { return s == fc.w_scale[0]; }));
  // The MatMul takes the Add's constant as its bias and writes the Add's output; B stays [K, N].
  CHECK(g.layer_node.at("mm") == "blk/mm + blk/y");
  CHECK(g.convs.at("blk/mm").output == "y");
  CHECK(g.convs.at("blk/mm").w.dims == std::vector<int64_t>{10, 4});
  CHECK(!g.convs.at("blk/mm").bias.bytes.empty());
  const std::vector<Tensor> out = GraphOutputs(g);
  CHECK(out[0].dims == std::vector<int64_t>{1, 4});
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  CHECK(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(g.q, cfg).bundle, cfg).empty());
  CHECK_THAT(GraphAccuracy(g, out, RunFloat(m, x)), Contains("cosine similarity 0.9"));

  Model bad = Head();
  bad.nodes[4].attributes.push_back(Int("transA", 1));
  CHECK_THROWS_WITH(QuantizeGraph(bad, x, {}),
                    Contains("node 'blk/fc' (Gemm): has transA=1, but the inner product's input is one row"));
  bad = Head();
  bad.nodes[7].inputs = {"fr", "mm_b"};  // a constant added to the Relu's output, not to a MatMul
  bad.nodes.erase(bad.nodes.begin() + 6);
  CHECK_THROWS_WITH(
      QuantizeGraph(bad, x, {}),
      Contains("node 'blk/y' (Add): adds the constant 'mm_b' to something other than a MatMul"));
}

TEST_CASE("Pad of zeros, Mul and Div by constants fold into their Convs; the sentences of what does not",
          "[graph]") {
  const Model m = Fold();
  const Model f = FoldGraph(m);
  REQUIRE(f.nodes.size() == 3);  // conv (+ pad, mul), relu, conv (+ pad, div)
  CHECK(f.nodes[0].inputs[0] == "x");
  CHECK(f.nodes[0].Find("pads")->ints == std::vector<int64_t>{1, 1, 1, 1});
  CHECK(f.nodes[0].outputs[0] == "s0");
  CHECK(f.nodes[2].Find("pads")->ints == std::vector<int64_t>{0, 1, 2, 0});
  CHECK(f.nodes[2].outputs[0] == "y");
  // Channel 5's weights scaled by m0[5], the Div's by 1/2.
  const Tensor &w0 = *m.FindInitializer("w0"), &m0 = *m.FindInitializer("m0");
  CHECK(f.FindInitializer(f.nodes[0].inputs[1])->AtDouble(5 * 27 + 4) ==
        float(w0.AtDouble(5 * 27 + 4) * m0.AtDouble(5)));
  CHECK(f.FindInitializer(f.nodes[2].inputs[2])->AtDouble(3) ==
        float(m.FindInitializer("b1")->AtDouble(3) / 2));

  const auto x = SyntheticImages({1, 3, 16, 16}, 1, 99)[0];
  const QuantizedGraph g = QuantizeGraph(m, x, SyntheticImages({1, 3, 16, 16}, 4, 1));
  CHECK(g.pad_top == 1);  // the graph input's Pad, done by the host
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  CHECK(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(g.q, cfg).bundle, cfg).empty());
  CHECK_THAT(GraphAccuracy(g, GraphOutputs(g), RunFloat(m, x)), Contains("cosine similarity 0.9"));

  Model bad = Fold();
  bad.nodes[0].attributes.push_back(Str("mode", "reflect"));
  CHECK_THROWS_WITH(QuantizeGraph(bad, x, {}),
                    Contains("node 'blk/xp' (Pad): mode='reflect' has no lowering"));
  bad = Fold();
  bad.nodes[3].inputs[0] = "c0";  // the Mul's output unread: the Relu reads the conv, the Mul is left
  CHECK_THROWS_WITH(QuantizeGraph(bad, x, {}),
                    Contains("node 'blk/s0' (Mul): has a lowering only as a constant"));
  bad = Fold();
  bad.nodes[5].op_type = "MaxPool";  // a Pad read by a MaxPool
  CHECK_THROWS_WITH(QuantizeGraph(bad, x, {}),
                    Contains("node 'blk/rp' (Pad): its output is read by node 'blk/c1' (MaxPool), but a Pad "
                             "has a lowering only folded into the Convs that read it"));
}

TEST_CASE("x * Clip(x + 3, 0, 6) / 6 is one HardSwish", "[graph]") {
  const Model f = FoldGraph(Acts());
  const auto it =
      std::find_if(f.nodes.begin(), f.nodes.end(), [](const Node& n) { return n.outputs[0] == "a4"; });
  REQUIRE(it != f.nodes.end());
  CHECK(it->op_type == "HardSwish");
  CHECK(it->inputs == std::vector<std::string>{"c4"});
  CHECK(f.nodes.size() == Acts().nodes.size() - 3);
}

TEST_CASE("ConvTranspose is a deconv layer, exported as a zero insertion and a Conv of the flipped kernel",
          "[graph]") {
  const Model m = Decoder();
  const auto x = SyntheticImages({1, 3, 8, 8}, 1, 99)[0];
  const QuantizedGraph g = QuantizeGraph(m, x, SyntheticImages({1, 3, 8, 8}, 4, 1));
  REQUIRE(g.q.layers.size() == 4);
  CHECK(g.q.net.layers[1].op == nna::compiler::network::Op::kDeconv);
  CHECK(g.layer_node.at("u1") == "blk/u1 + blk/n1 + blk/r1");  // BatchNormalization folded, Relu fused
  CHECK(g.q.net.layers[2].out.c == 4);
  CHECK(g.q.net.layers[2].out.h == 32);  // (16 - 1) * 2 - 2 + 3 + output_padding 1
  CHECK(g.q.net.layers[2].out_pad_h == 1);
  // The export's Conv: pads of the kernel's reach minus the deconv's (plus the output padding at the
  // end), nothing cropped; its weights are the ConvTranspose's [C_in, C_out, kH, kW] transposed and
  // each kernel turned by 180 degrees.
  const ConvQuant& u1 = g.convs.at("blk/u1");
  REQUIRE(u1.zero_insertion);
  CHECK(u1.zero_insertion->pads == std::vector<int64_t>{2, 2, 2, 2});
  CHECK(u1.zero_insertion->crop == std::vector<int64_t>{0, 0, 0, 0});
  CHECK(g.convs.at("blk/u2").zero_insertion->pads == std::vector<int64_t>{1, 1, 2, 2});
  CHECK(u1.w.dims == std::vector<int64_t>{6, 8, 4, 4});
  // u2 (no BatchNormalization folded into it): group 2, 3 input channels per group, 2 outputs.
  const ConvQuant& u2 = g.convs.at("blk/u2");
  REQUIRE(u2.w.dims == std::vector<int64_t>{4, 3, 3, 3});
  const Tensor* wt2 = m.FindInitializer("wt2");
  for (const auto& [co, ci] : std::vector<std::pair<size_t, size_t>>{{0, 0}, {3, 2}, {2, 1}}) {
    const double w =
        wt2->AtDouble((((co / 2) * 3 + ci) * 2 + co % 2) * 9 + 2 * 3 + 0);  // W[g*3+ci][co%2][2][0]
    CHECK(u2.w.AtInt(((co * 3 + ci) * 3 + 0) * 3 + 2) == int64_t(std::nearbyint(w / u2.w_scale[co])));
  }
  const std::vector<Tensor> out = GraphOutputs(g);
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  CHECK(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(g.q, cfg).bundle, cfg).empty());
  CHECK_THAT(GraphAccuracy(g, out, RunFloat(m, x)), Contains("cosine similarity 0.99"));

  Model bad = Decoder();
  bad.nodes[2].attributes[1] = Ints("strides", {3, 3});
  CHECK_THROWS_WITH(
      QuantizeGraph(bad, x, {}),
      Contains("node 'blk/u1' (ConvTranspose): strides=[3,3]: the accelerator's DECONV upsamples by "
               "1, 2, 4 or 8 on each axis"));
  bad = Decoder();
  bad.nodes[5].attributes[2] = Ints("output_padding", {2, 2});
  CHECK_THROWS_WITH(
      QuantizeGraph(bad, x, {}),
      Contains("node 'blk/u2' (ConvTranspose): has an output of 33 on axis 2 with pads [1,1] and "
               "output padding 2: the accelerator's DECONV crops by its pads and adds fewer than "
               "max(stride, dilation) rows or columns at the end"));

  // The first ConvTranspose reads the Conv's output, below 0 too: a zero point above 0, which its
  // gaps and edges read (pad_value) and its bias takes as x_zp * sum(w).
  Model signed_in = Decoder();
  signed_in.nodes[2].inputs[0] = "c0";
  signed_in.nodes.erase(signed_in.nodes.begin() + 1);
  const QuantizedGraph z = QuantizeGraph(signed_in, x, SyntheticImages({1, 3, 8, 8}, 4, 1));
  REQUIRE(z.q.net.layers[1].op == nna::compiler::network::Op::kDeconv);
  const int64_t zp = z.acts.at("c0").q.zero_point;
  CHECK(zp > 0);
  CHECK(z.q.layers[1].spec->pad_value == zp);
  CHECK(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(z.q, cfg).bundle, cfg).empty());
  CHECK_THAT(GraphAccuracy(z, GraphOutputs(z), RunFloat(signed_in, x)), Contains("cosine similarity 0.99"));
}

TEST_CASE(
    "a pre-quantized ConvTranspose with quantized weights is one sentence (onnxruntime runs it in float)",
    "[graph]") {
  Model m;
  m.path = "qdq_deconv.onnx";
  m.inputs = {Value("x", {1, 2, 4, 4})};
  m.outputs = {Value("y", {1, 3, 8, 8})};
  auto named = [](Tensor t, const std::string& name) {
    t.name = name;
    return t;
  };
  m.initializers = {named(MakeFloatTensor(DataType::kFloat, {}, {0.02}), "s"),
                    named(MakeIntTensor(DataType::kUint8, {}, {0}), "zp"),
                    named(MakeIntTensor(DataType::kInt8, {2, 3, 2, 2}, std::vector<int64_t>(24, 3)), "w_q"),
                    named(MakeFloatTensor(DataType::kFloat, {}, {0.01}), "w_s"),
                    named(MakeIntTensor(DataType::kInt8, {}, {0}), "w_zp")};
  m.nodes = {MakeNode("QuantizeLinear", {"x", "s", "zp"}, "xq"),
             MakeNode("DequantizeLinear", {"xq", "s", "zp"}, "xd"),
             MakeNode("DequantizeLinear", {"w_q", "w_s", "w_zp"}, "w"),
             MakeNode("ConvTranspose", {"xd", "w"}, "u", {Ints("strides", {2, 2})}),
             MakeNode("QuantizeLinear", {"u", "s", "zp"}, "uq"),
             MakeNode("DequantizeLinear", {"uq", "s", "zp"}, "y")};
  CHECK_THROWS_WITH(NormalizeQuantizedGraph(m),
                    Contains("node 'blk/u' (ConvTranspose): has quantized weights, but onnxruntime 1.31 runs "
                             "DequantizeLinear -> ConvTranspose -> QuantizeLinear in float"));
}

namespace {

// A max pool as ONNX defines it, on one plane of bytes: the window's largest real value (the pads
// never count).
std::vector<uint8_t> DirectMaxPool(const std::vector<uint8_t>& x, uint32_t h, uint32_t w, uint32_t k,
                                   uint32_t s, uint32_t p, uint32_t* oh, uint32_t* ow) {
  if (h + 2 * p < k || w + 2 * p < k) {  // no window fits (a broken chain)
    *oh = *ow = 0;
    return {};
  }
  *oh = (h + 2 * p - k) / s + 1, *ow = (w + 2 * p - k) / s + 1;
  std::vector<uint8_t> y(size_t(*oh) * *ow, 0);
  for (uint32_t oy = 0; oy < *oh; ++oy)
    for (uint32_t ox = 0; ox < *ow; ++ox)
      for (uint32_t r = 0; r < k; ++r)
        for (uint32_t c = 0; c < k; ++c) {
          const int64_t iy = int64_t(oy * s + r) - p, ix = int64_t(ox * s + c) - p;
          if (iy >= 0 && ix >= 0 && iy < h && ix < w)
            y[oy * *ow + ox] = std::max(y[oy * *ow + ox], x[size_t(iy) * w + size_t(ix)]);
        }
  return y;
}

// The chain's pools on the plane, then its subsampling.
std::vector<uint8_t> RunChain(const MaxPoolChain& chain, std::vector<uint8_t> x, uint32_t h, uint32_t w) {
  for (const PoolStage& ps : chain.pools) x = DirectMaxPool(x, h, w, ps.size, ps.stride, ps.pad, &h, &w);
  return DirectMaxPool(x, h, w, 1, chain.subsample, 0, &h, &w);
}

}  // namespace

TEST_CASE("a max pool of any size, stride and pad is a chain of the pooling unit's pools", "[graph]") {
  nna::SplitMix64 rng(5);
  int cases = 0, stride_first_differs = 0;
  for (uint32_t k = 1; k <= 9; ++k)
    for (uint32_t s = 1; s <= 4; ++s)
      for (uint32_t p = 0; p <= k / 2; ++p)
        for (int rep = 0; rep < 3; ++rep) {
          const uint32_t h = k + uint32_t(rng.Next() % 9), w = k + uint32_t(rng.Next() % 9);
          std::vector<uint8_t> x(size_t(h) * w);
          for (uint8_t& b : x) b = uint8_t(rng.Next());
          const MaxPoolChain chain = DecomposeMaxPool(k, s, p);
          for (const PoolStage& ps : chain.pools) {  // what the pooling unit takes (cpp-model/pool)
            CHECK((ps.size == 2 || ps.size == 3));
            CHECK((ps.stride == 1 || ps.stride == 2));
            CHECK(ps.pad <= ps.size / 2);
          }
          uint32_t oh, ow;
          const std::vector<uint8_t> want = DirectMaxPool(x, h, w, k, s, p, &oh, &ow);
          INFO("k " << k << " stride " << s << " pad " << p << " on " << h << "x" << w);
          CHECK(RunChain(chain, x, h, w) == want);
          ++cases;
          // The stride on the first pool instead of the last: another result, which the comparison sees.
          MaxPoolChain wrong = chain;
          if (wrong.pools.size() > 1 && wrong.subsample == 1 && s > 1) {
            std::swap(wrong.pools.front().stride, wrong.pools.back().stride);
            stride_first_differs += RunChain(wrong, x, h, w) != want;
          }
        }
  CHECK(cases == 3 * 4 * 29);
  CHECK(stride_first_differs > 20);
}

namespace {

const nna::compiler::network::QuantLayer& LayerOf(const QuantizedGraph& g, const std::string& name) {
  for (const auto& l : g.q.layers)
    if (l.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

}  // namespace

TEST_CASE("an SPP block's 5x5 pools and a 4x4 stride 3 pool run as chains, equal to the direct pools",
          "[graph]") {
  const Model m = Spp();
  const std::vector<Tensor> run = SyntheticImages({1, 3, 16, 16}, 1, 99);
  const QuantizedGraph g = QuantizeGraph(m, run[0], SyntheticImages({1, 3, 16, 16}, 4, 1));
  // conv, three 5x5 pools of two 3x3 stages each, concat, conv, 2x2 + 3x3 stages and a stride-3 identity.
  REQUIRE(g.q.layers.size() == 12);
  const auto& c = LayerOf(g, "c0");
  const auto& p1 = LayerOf(g, "p1");
  CHECK(LayerOf(g, "p1_stage0").pool_size == 3);
  CHECK(LayerOf(g, "p1_stage0").pool_pad == 1);
  CHECK(p1.pool_size == 3);
  CHECK(p1.pool_pad == 1);
  // Every stage keeps the pool's one scale and zero point.
  CHECK(g.acts.at("p1_stage0").q.zero_point == g.acts.at("p1").q.zero_point);
  CHECK(g.acts.at("p3").q.scale == g.acts.at("c").q.scale);
  uint32_t oh, ow;
  for (uint32_t ch = 0; ch < 8; ++ch) {
    const size_t plane = 16 * 16;
    const std::vector<uint8_t> in(c.output.data.begin() + long(ch * plane),
                                  c.output.data.begin() + long((ch + 1) * plane));
    const std::vector<uint8_t> want = DirectMaxPool(in, 16, 16, 5, 1, 2, &oh, &ow);
    CHECK(std::equal(want.begin(), want.end(), p1.output.data.begin() + long(ch * plane)));
  }
  // The stride: an identity depthwise 1x1 conv of stride 3, multiplier exactly 1, the bytes unchanged.
  const auto& h = LayerOf(g, "h");
  const auto& y = LayerOf(g, "y");
  REQUIRE(y.op == nna::compiler::network::Op::kConv);
  CHECK(y.params[0].multiplier == 1.0f);
  CHECK(y.spec->stride_h == 3);
  for (uint32_t ch = 0; ch < 8; ++ch) {
    const std::vector<uint8_t> in(h.output.data.begin() + long(ch * 256),
                                  h.output.data.begin() + long((ch + 1) * 256));
    const std::vector<uint8_t> want = DirectMaxPool(in, 16, 16, 4, 3, 1, &oh, &ow);
    REQUIRE(oh * ow == 25);
    CHECK(std::equal(want.begin(), want.end(), y.output.data.begin() + long(ch * 25)));
  }
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  CHECK(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(g.q, cfg).bundle, cfg).empty());
  // A pad as wide as the window leaves windows with no value: one sentence.
  Model wide = Spp();
  wide.nodes[2].attributes = {Ints("kernel_shape", {5, 5}), Ints("pads", {5, 5, 5, 5})};
  CHECK_THROWS_WITH(QuantizeGraph(wide, run[0], {}),
                    Contains("node 'blk/p1' (MaxPool): kernel_shape=[5,5] strides=[1,1] pads=[5,5,5,5] "
                             "dilations=[1,1]: the accelerator pools square windows with one stride, no "
                             "dilation, each pad smaller than the window"));
}

TEST_CASE("a max pool's SAME, ceil_mode or asymmetric padding is an identity conv padding with byte 0",
          "[graph]") {
  const Model m = TfPools();
  const auto x = SyntheticImages({1, 3, 16, 16}, 1, 99)[0];
  const QuantizedGraph g = QuantizeGraph(m, x, SyntheticImages({1, 3, 16, 16}, 4, 1));
  std::vector<size_t> padded;
  for (size_t i = 0; i < g.q.net.layers.size(); ++i)
    if (g.q.net.layers[i].op == nna::compiler::network::Op::kConv && g.q.net.layers[i].kernel_h == 1 &&
        g.q.net.layers[i].pad_bottom > 0)
      padded.push_back(i);
  REQUIRE(padded.size() == 3);
  for (const size_t i : padded) {
    const auto& l = g.q.net.layers[i];
    INFO(l.name);
    // SAME_UPPER's odd pad, ceil_mode's last window (8 -> 4, 6 + 3 > 8) and the explicit pads: all
    // at the end, read as byte 0 (the smallest, which never wins), whatever the zero point.
    CHECK((l.pad_top == 0 && l.pad_left == 0 && l.pad_bottom == 1 && l.pad_right == 1));
    CHECK(g.q.layers[i].spec->pad_value == 0);
    REQUIRE(g.q.net.layers[i + 1].op == nna::compiler::network::Op::kMaxPool);
    CHECK(g.q.net.layers[i + 1].pool_pad == 0);
  }
  CHECK(g.q.net.layers[padded[1] + 1].out.h == 4);
  // The pools' bytes against direct ones whose windows past the end take what they cover.
  auto direct = [](const uint8_t* x, uint32_t h, uint32_t w, uint32_t k, uint32_t s, uint32_t o) {
    std::vector<uint8_t> y(size_t(o) * o, 0);
    for (uint32_t oy = 0; oy < o; ++oy)
      for (uint32_t ox = 0; ox < o; ++ox)
        for (uint32_t iy = oy * s; iy < std::min(h, oy * s + k); ++iy)
          for (uint32_t ix = ox * s; ix < std::min(w, ox * s + k); ++ix)
            y[oy * o + ox] = std::max(y[oy * o + ox], x[iy * w + ix]);
    return y;
  };
  const auto &c1 = LayerOf(g, "c1"), &p1 = LayerOf(g, "p1"), &y = LayerOf(g, "y");
  const int64_t zp = g.acts.at("c1").q.zero_point;
  CHECK(zp > 0);
  bool below_zp = false;  // a corner window whose one value a padding of the zero point would beat
  for (uint32_t ch = 0; ch < 8; ++ch) {
    const std::vector<uint8_t> want_p1 = direct(&c1.output.data[ch * 64], 8, 8, 3, 2, 4);
    CHECK(std::equal(want_p1.begin(), want_p1.end(), p1.output.data.begin() + long(ch * 16)));
    const std::vector<uint8_t> want_y = direct(&p1.output.data[ch * 16], 4, 4, 2, 1, 4);
    CHECK(std::equal(want_y.begin(), want_y.end(), y.output.data.begin() + long(ch * 16)));
    below_zp |= p1.output.data[ch * 16 + 15] < zp;
  }
  CHECK(below_zp);
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  CHECK(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(g.q, cfg).bundle, cfg).empty());
}

TEST_CASE("a standalone activation is an identity conv whose table reads its input's own bytes", "[graph]") {
  const Model m = Alone();
  const std::vector<Tensor> run = SyntheticImages({1, 3, 16, 16}, 1, 99);
  const QuantizedGraph g = QuantizeGraph(m, run[0], SyntheticImages({1, 3, 16, 16}, 4, 1));
  REQUIRE(g.q.layers.size() == 11);
  int tables = 0;
  for (size_t li = 0; li < g.q.layers.size(); ++li) {
    const auto& l = g.q.layers[li];
    if (l.lut.empty()) continue;
    ++tables;
    INFO("layer " << l.name);
    const nna::ref::Tensor& in =
        l.inputs[0] < 0 ? nna::onnx::GraphInput(g, run[0]) : g.q.layers[size_t(l.inputs[0])].output;
    // The identity conv requantizes to its input's own parameters: multiplier 1, its zero point.
    const QuantParams x = l.inputs[0] < 0 ? g.x
                                          : QuantParams{float(g.q.layers[size_t(l.inputs[0])].out_scale),
                                                        g.q.layers[size_t(l.inputs[0])].out_zero_point};
    CHECK(l.params[0].multiplier == 1.0f);
    CHECK(l.params[0].zero_point == x.zero_point);
    CHECK(l.params[0].bias == -x.zero_point);
    REQUIRE(in.data.size() == l.output.data.size());
    int moved = 0, off_by_one = 0;
    for (size_t e = 0; e < in.data.size(); ++e) {
      moved += l.output.data[e] != l.lut[in.data[e]];
      off_by_one += l.output.data[e] != l.lut[std::min<size_t>(in.data[e] + 1, 255)];  // a table one off
    }
    CHECK(moved == 0);
    CHECK(off_by_one > 0);
  }
  CHECK(tables == 5);  // Tanh, Sigmoid, Clip, LeakyRelu, Relu
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  CHECK(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(g.q, cfg).bundle, cfg).empty());
}

TEST_CASE("an AveragePool whose divisor varies is a conv per region of one count", "[graph]") {
  const Model m = PoolsExclude();
  const std::vector<Tensor> x = SyntheticImages({1, 3, 16, 16}, 1, 99),
                            cal = SyntheticImages({1, 3, 16, 16}, 4, 1);
  const QuantizedGraph g = QuantizeGraph(m, x[0], cal);
  auto layer = [&](const std::string& name) -> const nna::compiler::network::QuantLayer& {
    return g.q.layers[size_t(g.q.net.Find(name))];
  };
  // 3x3 pad 1 without the pads counted: rows and columns 1, 14, 1 (counts 2, 3, 2); SAME_UPPER
  // stride 2 pads only the end (7 and 1); the 2x1 ceil_mode pool's regions are whole rows; the
  // last pool divides by 4 everywhere (one conv).
  const auto& p0 = layer("p0");
  REQUIRE(p0.regions.size() == 9);
  CHECK((p0.regions[0].rows == 1 && p0.regions[0].cols == 1 && p0.regions[4].rows == 14 &&
         p0.regions[4].cols == 14));
  CHECK(layer("p1").regions.size() == 4);
  CHECK(layer("p2").regions.size() == 9);
  CHECK(layer("p3").regions.size() == 2);
  CHECK(layer("p3").regions[0].cols == 5);
  CHECK(layer("p4").regions.empty());
  // Each region's multiplier is its count's: weights 1/count quantized to 127 at scale (1/count)/127.
  const ConvQuant& c0 = g.convs.at("blk/p0");
  REQUIRE(c0.regions.size() == 9);
  CHECK(c0.regions[0].w_scale[0] == float(1.0f / 4.0f) / 127.0f);
  CHECK(c0.regions[4].w_scale[0] == float(1.0f / 9.0f) / 127.0f);
  CHECK((c0.regions[0].starts == std::vector<int64_t>{0, 0} &&
         c0.regions[0].ends == std::vector<int64_t>{2, 2}));
  CHECK(c0.regions[0].pads == std::vector<int64_t>{1, 1, 0, 0});
  CHECK(GraphOutputs(g)[0].dims == std::vector<int64_t>{1, 8, 2, 3});
  const nna::HwConfig& cfg = nna::FindHwConfig("tiny");
  CHECK(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(g.q, cfg).bundle, cfg).empty());
  // The corner regions divided by 9, as the interior: the lowering no longer equals the reference.
  nna::compiler::network::QuantNetwork broken = g.q;
  auto& regions = broken.layers[size_t(broken.net.Find("p0"))].regions;
  for (const size_t r : {0, 2, 6, 8}) regions[r].params = regions[4].params;
  CHECK_FALSE(nna::CheckOnGoldenModel(nna::compiler::network::LowerNetwork(broken, cfg).bundle, cfg).empty());
  // A window that reads no input (pads as large as the kernel): one sentence.
  Model bad = m;
  bad.nodes[2].attributes = {Ints("kernel_shape", {2, 2}), Ints("pads", {2, 2, 2, 2})};
  CHECK_THROWS_WITH(
      QuantizeGraph(bad, x[0], cal),
      Contains("node 'blk/p0' (AveragePool): pads=[2,2,2,2] ceil_mode=0: a window reads no input"));
}
