// LowerModel and BuildOnnxBundle on models made here: QLinearConv with every operand lowering
// (input zero point with and without padding, weight zero points subtracted or split over a second
// read of the input, groups) against the operator's definition computed here, and the sentences of
// what is rejected.
#include "frontends/onnx/layer.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "golden/check.h"
#include "util/split_mix64.h"

using namespace nna::onnx;
using Catch::Matchers::Contains;

namespace {

struct Conv {
  int64_t cin = 4, cout = 4, h = 5, w = 6, k = 3, group = 1, pad = 1, stride = 1;
  DataType x_type = DataType::kUint8, w_type = DataType::kUint8, y_type = DataType::kUint8;
  int64_t x_zp = 0, y_zp = 0;
  std::vector<int64_t> w_zp{0};  // one, or one per output channel
  uint64_t seed = 1;
};

int64_t Lo(DataType t) { return t == DataType::kInt8 ? -128 : 0; }

// A one-node QLinearConv model, its operands fed as graph inputs (as in the ONNX node tests).
struct Case {
  Model model;
  std::map<std::string, Tensor> feeds;
  Tensor expected;  // the definition: sum((x - x_zp) * (w - w_zp)) + B, the border reading x_zp
  Tensor sums;      // ConvInteger's: the same sum without B, int32
};

Case MakeCase(const Conv& c) {
  Case t;
  t.model.path = "unit.onnx";
  Node n;
  n.name = "conv";
  n.op_type = "QLinearConv";
  n.inputs = {"x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point", "B"};
  n.outputs = {"y"};
  Attribute pads{"pads", Attribute::Kind::kInts};
  pads.ints = {c.pad, c.pad, c.pad, c.pad};
  Attribute strides{"strides", Attribute::Kind::kInts};
  strides.ints = {c.stride, c.stride};
  Attribute group{"group", Attribute::Kind::kInt};
  group.i = c.group;
  n.attributes = {pads, strides, group};
  t.model.nodes = {n};
  ValueInfo y;
  y.name = "y";
  t.model.outputs = {y};

  nna::SplitMix64 rng(c.seed);
  const int64_t cg = c.cin / c.group;
  std::vector<int64_t> x(size_t(c.cin * c.h * c.w)), w(size_t(c.cout * cg * c.k * c.k)), b(size_t(c.cout));
  for (auto& v : x) v = Lo(c.x_type) + int64_t(rng.Range(0, 255));
  for (auto& v : w) v = Lo(c.w_type) + int64_t(rng.Range(0, 255));
  for (auto& v : b) v = int64_t(rng.Range(0, 4000)) - 2000;
  std::vector<double> w_scale(size_t(c.cout));
  for (auto& s : w_scale) s = 0.001 + double(rng.Range(0, 1000)) / 50000;
  const float x_scale = 0.05f, y_scale = 0.7f;
  t.feeds["x"] = MakeIntTensor(c.x_type, {1, c.cin, c.h, c.w}, x);
  t.feeds["x_scale"] = MakeFloatTensor(DataType::kFloat, {}, {x_scale});
  t.feeds["x_zero_point"] = MakeIntTensor(c.x_type, {}, {c.x_zp});
  t.feeds["w"] = MakeIntTensor(c.w_type, {c.cout, cg, c.k, c.k}, w);
  t.feeds["w_scale"] = MakeFloatTensor(DataType::kFloat, {c.cout}, w_scale);
  t.feeds["w_zero_point"] = MakeIntTensor(c.w_type, {int64_t(c.w_zp.size())}, c.w_zp);
  t.feeds["y_scale"] = MakeFloatTensor(DataType::kFloat, {}, {y_scale});
  t.feeds["y_zero_point"] = MakeIntTensor(c.y_type, {}, {c.y_zp});
  t.feeds["B"] = MakeIntTensor(DataType::kInt32, {c.cout}, b);

  const int64_t oh = (c.h + 2 * c.pad - c.k) / c.stride + 1, ow = (c.w + 2 * c.pad - c.k) / c.stride + 1;
  std::vector<int64_t> out, sums;
  for (int64_t co = 0; co < c.cout; ++co) {
    const int64_t wzp = c.w_zp.size() == 1 ? c.w_zp[0] : c.w_zp[size_t(co)];
    const float m = (x_scale * float(w_scale[size_t(co)])) / y_scale;
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        int64_t acc = b[size_t(co)];
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t ky = 0; ky < c.k; ++ky)
            for (int64_t kx = 0; kx < c.k; ++kx) {
              const int64_t iy = oy * c.stride + ky - c.pad, ix = ox * c.stride + kx - c.pad;
              const int64_t ch = (co / (c.cout / c.group)) * cg + ci;
              const bool inside = iy >= 0 && iy < c.h && ix >= 0 && ix < c.w;
              const int64_t xv = inside ? x[size_t((ch * c.h + iy) * c.w + ix)] : c.x_zp;
              acc += (xv - c.x_zp) * (w[size_t(((co * cg + ci) * c.k + ky) * c.k + kx)] - wzp);
            }
        sums.push_back(acc - b[size_t(co)]);
        const int64_t v = int64_t(std::nearbyint(float(acc) * m)) + c.y_zp;
        out.push_back(std::clamp<int64_t>(v, Lo(c.y_type), Lo(c.y_type) + 255));
      }
  }
  t.expected = MakeIntTensor(c.y_type, {1, c.cout, oh, ow}, out);
  t.sums = MakeIntTensor(DataType::kInt32, {1, c.cout, oh, ow}, sums);
  return t;
}

// The bundle's reference (as the ONNX output) against the definition, and the golden model
// against the bundle's reference.
void RequireExact(const Conv& c) {
  const Case t = MakeCase(c);
  const OnnxLayer l = LowerModel(t.model, t.feeds);
  const OnnxBundle b = BuildOnnxBundle(l, nna::FindHwConfig("tiny"));
  const Comparison cmp = Compare(t.expected, b.expected);
  INFO(cmp.summary);
  REQUIRE(cmp.Equal());
  REQUIRE(nna::CheckOnGoldenModel(b.bundle, nna::FindHwConfig("tiny")) == "");
}

}  // namespace

TEST_CASE("QLinearConv: the operand lowerings equal the definition") {
  Conv c;
  SECTION("uint8, zero points 0") { RequireExact(c); }
  SECTION("input zero point without padding (folded into the bias)") {
    c.pad = 0, c.x_zp = 37;
    RequireExact(c);
  }
  SECTION("input zero point with padding (the input padded with it)") {
    c.x_zp = 200, c.y_zp = 100, c.stride = 2;
    RequireExact(c);
  }
  SECTION("uint8 weights with zero point 128 (int8 weights)") {
    c.w_zp = {128}, c.x_zp = 3;
    RequireExact(c);
  }
  SECTION("per-channel weight zero points inside the range (the input read twice), groups") {
    c.w_zp = {5, 250, 128, 77}, c.group = 2, c.x_zp = 9;
    RequireExact(c);
  }
  SECTION("int8 everywhere, per-channel weight zero points") {
    c.x_type = c.w_type = c.y_type = DataType::kInt8;
    c.w_zp = {-3, 100, 0, -120}, c.x_zp = -20, c.y_zp = 5;
    RequireExact(c);
  }
}

TEST_CASE("ConvInteger: int32 outputs as four byte channels equal the definition") {
  // Groups, padding with an input zero point and per-channel weight zero points split over a
  // second read of the input, through the int32 lowering.
  Conv c;
  c.group = 2, c.x_zp = 100, c.w_zp = {5, 250, 128, 77};
  Case t = MakeCase(c);
  Node& n = t.model.nodes[0];
  n.op_type = "ConvInteger";
  n.inputs = {"x", "w", "x_zero_point", "w_zero_point"};
  for (const char* unused : {"x_scale", "w_scale", "y_scale", "y_zero_point", "B"}) t.feeds.erase(unused);
  const OnnxBundle b = BuildOnnxBundle(LowerModel(t.model, t.feeds), nna::FindHwConfig("tiny"));
  const Comparison cmp = Compare(t.sums, b.expected);
  INFO(cmp.summary);
  REQUIRE(cmp.Equal());
  REQUIRE(nna::CheckOnGoldenModel(b.bundle, nna::FindHwConfig("tiny")) == "");
}

TEST_CASE("QLinearMatMul: [B,M,K] x [K,N] with per-column scales equals the definition") {
  // The weights shared by both batches: one 1x1 convolution over B*M columns.
  const int64_t batches = 2, m = 3, k = 5, cols = 4, a_zp = 7, y_zp = 120;
  nna::SplitMix64 rng(5);
  std::vector<int64_t> a(size_t(batches * m * k)), w(size_t(k * cols));
  for (auto& v : a) v = int64_t(rng.Range(0, 255));
  for (auto& v : w) v = int64_t(rng.Range(0, 255)) - 128;
  const std::vector<double> b_scale{0.01, 0.02, 0.005, 0.04};
  const float a_scale = 0.1f, y_scale = 0.3f;
  Model model;
  model.path = "matmul.onnx";
  Node n;
  n.name = "mm";
  n.op_type = "QLinearMatMul";
  n.inputs = {"a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point", "y_scale", "y_zero_point"};
  n.outputs = {"y"};
  model.nodes = {n};
  model.outputs = {ValueInfo{}};
  std::map<std::string, Tensor> feeds{{"a", MakeIntTensor(DataType::kUint8, {batches, m, k}, a)},
                                      {"a_scale", MakeFloatTensor(DataType::kFloat, {}, {a_scale})},
                                      {"a_zero_point", MakeIntTensor(DataType::kUint8, {}, {a_zp})},
                                      {"b", MakeIntTensor(DataType::kInt8, {k, cols}, w)},
                                      {"b_scale", MakeFloatTensor(DataType::kFloat, {cols}, b_scale)},
                                      {"b_zero_point", MakeIntTensor(DataType::kInt8, {}, {0})},
                                      {"y_scale", MakeFloatTensor(DataType::kFloat, {}, {y_scale})},
                                      {"y_zero_point", MakeIntTensor(DataType::kUint8, {}, {y_zp})}};
  std::vector<int64_t> want;
  for (int64_t bi = 0; bi < batches; ++bi)
    for (int64_t r = 0; r < m; ++r)
      for (int64_t col = 0; col < cols; ++col) {
        int64_t acc = 0;
        for (int64_t i = 0; i < k; ++i)
          acc += (a[size_t((bi * m + r) * k + i)] - a_zp) * w[size_t(i * cols + col)];
        const float mult = (a_scale * float(b_scale[size_t(col)])) / y_scale;
        want.push_back(std::clamp<int64_t>(int64_t(std::nearbyint(float(acc) * mult)) + y_zp, 0, 255));
      }
  const OnnxBundle b = BuildOnnxBundle(LowerModel(model, feeds), nna::FindHwConfig("tiny"));
  const Comparison cmp = Compare(MakeIntTensor(DataType::kUint8, {batches, m, cols}, want), b.expected);
  INFO(cmp.summary);
  REQUIRE(cmp.Equal());
  REQUIRE(nna::CheckOnGoldenModel(b.bundle, nna::FindHwConfig("tiny")) == "");
}

TEST_CASE("QLinearConv: a wrong border fails the check") {
  // The definition computed with the border reading 0 instead of the input zero point differs:
  // the comparison above would see a lowering that let the hardware's zero rows through.
  Conv c;
  c.x_zp = 200;
  Case t = MakeCase(c);
  Conv zero_border = c;
  zero_border.x_zp = 0;
  Case wrong = MakeCase(zero_border);
  const OnnxBundle b = BuildOnnxBundle(LowerModel(t.model, t.feeds), nna::FindHwConfig("tiny"));
  REQUIRE(Compare(t.expected, b.expected).Equal());
  REQUIRE_FALSE(Compare(wrong.expected, b.expected).Equal());
}

TEST_CASE("LowerModel rejects what the hardware cannot run in one sentence") {
  Conv c;
  Case t = MakeCase(c);
  SECTION("an operand with no data") {
    t.feeds.erase("w");
    REQUIRE_THROWS_WITH(LowerModel(t.model, t.feeds),
                        "node 'conv' (QLinearConv): input 'w' (the weights) has no data: give it with "
                        "--input w=FILE.pb|.npy");
  }
  SECTION("a stride past its field") {
    t.model.nodes[0].attributes[1].ints = {300, 1};
    REQUIRE_THROWS_WITH(LowerModel(t.model, t.feeds),
                        "node 'conv' (QLinearConv): attribute strides (height) 300 is outside the hardware's "
                        "range 1..255");
  }
  SECTION("a weight zero point that cannot be split") {
    c.w_zp = {0, 255, 1, 2};
    t = MakeCase(c);
    REQUIRE_THROWS_WITH(LowerModel(t.model, t.feeds),
                        Contains("output channel 0's zero point 0 is 128 away from 128"));
  }
  SECTION("another op") {
    t.model.nodes[0].op_type = "QLinearAdd";
    REQUIRE_THROWS_WITH(LowerModel(t.model, t.feeds),
                        "node 'conv' (QLinearAdd): is not an operator this front end runs as one layer "
                        "(QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger)");
  }
  SECTION("float operands") {
    t.feeds["x"] = MakeFloatTensor(DataType::kFloat, {1, 4, 5, 6}, std::vector<double>(120, 0.5));
    REQUIRE_THROWS_WITH(LowerModel(t.model, t.feeds),
                        "node 'conv' (QLinearConv): input 'x' (the input) is float, but the hardware's "
                        "operands are int8 or uint8");
  }
}

TEST_CASE("BuildOnnxBundle rejects an accumulator past 30 bits") {
  // A long dot product of the largest bytes: 255 channels of 7x7 at 255 * 255 is about 1.5 * 2^29.
  Conv c;
  c.cin = 255, c.cout = 1, c.k = 7, c.h = c.w = 7, c.pad = 0;
  Case t = MakeCase(c);
  std::fill(t.feeds["x"].bytes.begin(), t.feeds["x"].bytes.end(), uint8_t(255));
  std::fill(t.feeds["w"].bytes.begin(), t.feeds["w"].bytes.end(), uint8_t(255));
  REQUIRE_THROWS_WITH(
      BuildOnnxBundle(LowerModel(t.model, t.feeds), nna::FindHwConfig("tiny")),
      "node 'conv' (QLinearConv): the accumulator of layer channel 0 at pixel 0 is 812487375, "
      "past the hardware's 30-bit accumulator, so the result would differ from onnxruntime's");
}

TEST_CASE("BuildOnnxBundle names the node when the compiler refuses the layer") {
  // 300 output channels are past tiny's 256 channel parameter entries.
  Conv c;
  c.cout = 300, c.h = c.w = 3, c.cin = 1;
  Case t = MakeCase(c);
  REQUIRE_THROWS_WITH(
      BuildOnnxBundle(LowerModel(t.model, t.feeds), nna::FindHwConfig("tiny")),
      "node 'conv' (QLinearConv): as one layer on 'tiny', key 'layer.output_channels' must be at "
      "most simd.param_entries 256 on 'tiny' (got 300)");
}
