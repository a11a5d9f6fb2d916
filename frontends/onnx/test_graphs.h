// Small float graphs made in memory, for graph.test.cpp and tools/onnx/graph_case (which writes
// them as .onnx files for onnxruntime and the RTL): every op kind of the float graph import.
#pragma once

#include <string>
#include <vector>

#include "frontends/onnx/model.h"
#include "util/split_mix64.h"

namespace nna::onnx::test_graphs {

inline Attribute Ints(const std::string& name, std::vector<int64_t> v) {
  Attribute a;
  a.name = name, a.kind = Attribute::Kind::kInts, a.ints = std::move(v);
  return a;
}
inline Attribute Int(const std::string& name, int64_t v) {
  Attribute a;
  a.name = name, a.kind = Attribute::Kind::kInt, a.i = v;
  return a;
}

inline Attribute Str(const std::string& name, std::string v) {
  Attribute a;
  a.name = name, a.kind = Attribute::Kind::kString, a.s = std::move(v);
  return a;
}

inline Attribute Float(const std::string& name, float v) {
  Attribute a;
  a.name = name, a.kind = Attribute::Kind::kFloat, a.f = v;
  return a;
}

inline Node MakeNode(const std::string& op, std::vector<std::string> in, std::string out,
                     std::vector<Attribute> attrs = {}) {
  Node n;
  n.name = "blk/" + out, n.op_type = op, n.inputs = std::move(in), n.outputs = {std::move(out)};
  n.attributes = std::move(attrs);
  return n;
}

// Seeded uniform values in offset +- scale.
inline Tensor Seeded(const std::string& name, std::vector<int64_t> dims, uint64_t seed, double scale,
                     double offset = 0) {
  SplitMix64 rng(seed);
  std::vector<double> v(CountElements(dims, name));
  for (double& x : v) x = offset + scale * (double(rng.Next() >> 11) * 0x1p-53 * 2 - 1);
  Tensor t = MakeFloatTensor(DataType::kFloat, std::move(dims), v);
  t.name = name;
  return t;
}

inline ValueInfo Value(const std::string& name, std::vector<int64_t> dims) {
  ValueInfo v;
  v.name = name, v.type = DataType::kFloat, v.has_shape = true;
  for (int64_t d : dims) v.shape.push_back({d, ""});
  return v;
}

// x NHWC [1,16,16,3] -> Transpose -> Conv 3x3 (8) pads [1,1,2,2] stride 2 + Relu = r [8,8,8]
// -> depthwise 3x3 stride 2 pads [0,0,1,1] -> Conv 1x1 (12) = c [12,4,4]
// r -> MaxPool 2x2 s2 -> Concat with ConstantOfShape zeros [1,4,4,4] = p [12,4,4]
// Add(c, p) + Relu -> Conv 1x1 (6) -> Transpose [0,2,3,1] -> Reshape [1,48,2] = y
inline Model Block() {
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

// x NCHW [1,3,16,16] -> Conv 3x3 (6) pads 1 + Relu = r -> Conv 3x3 (8) pads 1 = a; r -> Conv 1x1 (8)
// = b; Add(a, b) (no Relu: inputs and output with zero points of their own) -> MaxPool 2x2 s2 = y
// [1,8,8,8], a graph output straight from a layer.
inline Model Chain() {
  Model m;
  m.path = "chain.onnx";
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 8, 8, 8})};
  m.initializers = {Seeded("w0", {6, 3, 3, 3}, 11, 0.5), Seeded("b0", {6}, 12, 0.3),
                    Seeded("wa", {8, 6, 3, 3}, 13, 0.3), Seeded("ba", {8}, 14, 0.2),
                    Seeded("wb", {8, 6, 1, 1}, 15, 0.7), Seeded("bb", {8}, 16, 0.2)};
  m.nodes = {
      MakeNode("Conv", {"x", "w0", "b0"}, "c0", {Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1})}),
      MakeNode("Relu", {"c0"}, "r"),
      MakeNode("Conv", {"r", "wa", "ba"}, "a", {Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1})}),
      MakeNode("Conv", {"r", "wb", "bb"}, "b"),
      MakeNode("Add", {"a", "b"}, "s"),
      MakeNode("MaxPool", {"s"}, "y", {Ints("kernel_shape", {2, 2}), Ints("strides", {2, 2})})};
  return m;
}

inline Tensor Scalar(const std::string& name, double v) {
  Tensor t = MakeFloatTensor(DataType::kFloat, {}, {v});
  t.name = name;
  return t;
}

// A MobileNet-style block: x NCHW [1,3,16,16] -> Conv 3x3 stride 2 pads 1 (8, no bias)
// -> BatchNormalization -> Clip(0, 6) = r [8,8,8] (its float range beyond 6, so the clip bites)
// -> depthwise 3x3 pads 1 (bias) -> BatchNormalization -> Relu -> Conv 1x1 (12) -> BatchNormalization = y
// [1,12,8,8].
inline Model Mobile() {
  Model m;
  m.path = "mobile.onnx";
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 12, 8, 8})};
  auto bn = [&](const std::string& p, int64_t c, uint64_t seed) {
    m.initializers.push_back(Seeded(p + "_gamma", {c}, seed, 0.5, 1.5));
    m.initializers.push_back(Seeded(p + "_beta", {c}, seed + 1, 0.3));
    m.initializers.push_back(Seeded(p + "_mean", {c}, seed + 2, 0.3));
    m.initializers.push_back(Seeded(p + "_var", {c}, seed + 3, 0.4, 0.8));
    return std::vector<std::string>{p + "_gamma", p + "_beta", p + "_mean", p + "_var"};
  };
  auto with = [](std::string first, std::vector<std::string> rest) {
    rest.insert(rest.begin(), std::move(first));
    return rest;
  };
  m.initializers = {Seeded("w0", {8, 3, 3, 3}, 21, 1.2),
                    Seeded("wd", {8, 1, 3, 3}, 22, 0.6),
                    Seeded("bd", {8}, 23, 0.2),
                    Seeded("w1", {12, 8, 1, 1}, 24, 0.5),
                    Scalar("zero", 0),
                    Scalar("six", 6)};
  const auto bn0 = bn("bn0", 8, 30), bn1 = bn("bn1", 8, 40), bn2 = bn("bn2", 12, 50);
  m.nodes = {MakeNode("Conv", {"x", "w0"}, "c0",
                      {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2}), Ints("pads", {1, 1, 1, 1})}),
             MakeNode("BatchNormalization", with("c0", bn0), "n0"),
             MakeNode("Clip", {"n0", "zero", "six"}, "r"),
             MakeNode("Conv", {"r", "wd", "bd"}, "d",
                      {Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1}), Int("group", 8)}),
             MakeNode("BatchNormalization", with("d", bn1), "n1"),
             MakeNode("Relu", {"n1"}, "dr"),
             MakeNode("Conv", {"dr", "w1"}, "c1"),
             MakeNode("BatchNormalization", with("c1", bn2), "y")};
  return m;
}

// A classification head: x NCHW [1,3,16,16] -> Conv 3x3 stride 2 pads 1 (8) + Relu [8,8,8]
// -> GlobalAveragePool [1,8,1,1] -> Flatten [1,8] -> Gemm transB (10, bias, alpha 0.5) + Relu [1,10]
// -> MatMul [10,4] -> Add bias = y [1,4].
inline Model Head() {
  Model m;
  m.path = "head.onnx";
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 4})};
  m.initializers = {Seeded("w0", {8, 3, 3, 3}, 61, 0.6), Seeded("b0", {8}, 62, 0.3, 0.2),
                    Seeded("fc_w", {10, 8}, 63, 0.8),    Seeded("fc_b", {10}, 64, 0.3, 0.1),
                    Seeded("mm_w", {10, 4}, 65, 0.7),    Seeded("mm_b", {4}, 66, 0.2)};
  m.nodes = {MakeNode("Conv", {"x", "w0", "b0"}, "c0",
                      {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2}), Ints("pads", {1, 1, 1, 1})}),
             MakeNode("Relu", {"c0"}, "r"),
             MakeNode("GlobalAveragePool", {"r"}, "gap"),
             MakeNode("Flatten", {"gap"}, "flat"),
             MakeNode("Gemm", {"flat", "fc_w", "fc_b"}, "fc", {Int("transB", 1), Float("alpha", 0.5f)}),
             MakeNode("Relu", {"fc"}, "fr"),
             MakeNode("MatMul", {"fr", "mm_w"}, "mm"),
             MakeNode("Add", {"mm", "mm_b"}, "y")};
  return m;
}

// The folds of frontends/onnx/fold.h: x NCHW [1,3,16,16] -> Pad [1,1] of zeros -> Conv 3x3 (8) -> Mul by
// a per-channel [8,1,1] -> Relu = r -> Pad (top 0, left 1, bottom 2, right 0) -> Conv 3x3 stride 2 (8)
// -> Div by 2 = y [1,8,8,8].
inline Model Fold() {
  Model m;
  m.path = "fold.onnx";
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 8, 8, 8})};
  Tensor pads0 = MakeIntTensor(DataType::kInt64, {8}, {0, 0, 1, 1, 0, 0, 1, 1});
  pads0.name = "pads0";
  Tensor pads1 = MakeIntTensor(DataType::kInt64, {8}, {0, 0, 0, 1, 0, 0, 2, 0});
  pads1.name = "pads1";
  m.initializers = {Seeded("w0", {8, 3, 3, 3}, 71, 0.6),
                    Seeded("b0", {8}, 72, 0.3),
                    Seeded("m0", {8, 1, 1}, 73, 0.5, 1.0),
                    Seeded("w1", {8, 8, 3, 3}, 74, 0.4),
                    Seeded("b1", {8}, 75, 0.2),
                    Scalar("two", 2),
                    pads0,
                    pads1};
  m.nodes = {
      MakeNode("Pad", {"x", "pads0"}, "xp"),
      MakeNode("Conv", {"xp", "w0", "b0"}, "c0", {Ints("kernel_shape", {3, 3})}),
      MakeNode("Mul", {"c0", "m0"}, "s0"),
      MakeNode("Relu", {"s0"}, "r"),
      MakeNode("Pad", {"r", "pads1"}, "rp"),
      MakeNode("Conv", {"rp", "w1", "b1"}, "c1", {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2})}),
      MakeNode("Div", {"c1", "two"}, "y")};
  return m;
}

// Activations run as tables after their Conv: x NCHW [1,3,16,16] -> Conv 3x3 pads 1 (8) + Sigmoid
// -> Conv 3x3 pads 1 (8) + HardSigmoid(0.25, 0.4) -> Conv 1x1 (8) + LeakyRelu(0.1) -> Conv 1x1 (8)
// + Tanh -> Conv 1x1 (8) + x * Clip(x + 3, 0, 6) / 6 -> Conv 1x1 (6) + HardSwish = y [1,6,16,16].
inline Model Acts() {
  Model m;
  m.path = "acts.onnx";
  m.opsets = {{"", 14}};  // HardSwish
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 6, 16, 16})};
  m.initializers = {Seeded("w0", {8, 3, 3, 3}, 81, 0.8),
                    Seeded("b0", {8}, 82, 0.3),
                    Seeded("w1", {8, 8, 3, 3}, 83, 0.5),
                    Seeded("b1", {8}, 84, 0.3),
                    Seeded("w2", {8, 8, 1, 1}, 85, 0.9),
                    Seeded("b2", {8}, 86, 0.3),
                    Seeded("w3", {8, 8, 1, 1}, 87, 0.9),
                    Seeded("b3", {8}, 88, 0.2),
                    Seeded("w4", {8, 8, 1, 1}, 89, 1.5),
                    Seeded("b4", {8}, 90, 0.5),
                    Seeded("w5", {6, 8, 1, 1}, 91, 1.2),
                    Seeded("b5", {6}, 92, 0.5),
                    Scalar("three", 3),
                    Scalar("zero", 0),
                    Scalar("six", 6)};
  const std::vector<Attribute> k3{Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1})};
  m.nodes = {MakeNode("Conv", {"x", "w0", "b0"}, "c0", k3),
             MakeNode("Sigmoid", {"c0"}, "a0"),
             MakeNode("Conv", {"a0", "w1", "b1"}, "c1", k3),
             MakeNode("HardSigmoid", {"c1"}, "a1", {Float("alpha", 0.25f), Float("beta", 0.4f)}),
             MakeNode("Conv", {"a1", "w2", "b2"}, "c2"),
             MakeNode("LeakyRelu", {"c2"}, "a2", {Float("alpha", 0.1f)}),
             MakeNode("Conv", {"a2", "w3", "b3"}, "c3"),
             MakeNode("Tanh", {"c3"}, "a3"),
             MakeNode("Conv", {"a3", "w4", "b4"}, "c4"),
             MakeNode("Add", {"c4", "three"}, "c4p3"),
             MakeNode("Clip", {"c4p3", "zero", "six"}, "c4r6"),
             MakeNode("Mul", {"c4", "c4r6"}, "c4m"),
             MakeNode("Div", {"c4m", "six"}, "a4"),
             MakeNode("Conv", {"a4", "w5", "b5"}, "c5"),
             MakeNode("HardSwish", {"c5"}, "y")};
  return m;
}

// The three convs of the pool graphs below: w0 3->8 3x3, w1 8->8 1x1, w2 8->8 3x3 and their
// biases, drawn from seeds seed+1 .. seed+6.
inline std::vector<Tensor> PoolGraphWeights(uint64_t seed) {
  return {Seeded("w0", {8, 3, 3, 3}, seed + 1, 0.8), Seeded("b0", {8}, seed + 2, 0.3),
          Seeded("w1", {8, 8, 1, 1}, seed + 3, 0.7), Seeded("b1", {8}, seed + 4, 0.4),
          Seeded("w2", {8, 8, 3, 3}, seed + 5, 0.5), Seeded("b2", {8}, seed + 6, 0.3)};
}

// Average pools as depthwise convs, and pads that read a zero point other than 0: x NCHW
// [1,3,16,16] -> Conv 3x3 pads 1 (8) + Relu -> AveragePool 3x3 pads 1 (count_include_pad) ->
// Conv 1x1 (8, no activation: zero point above 0) -> AveragePool 3x3 stride 2 pads 1 (its padding
// reads that zero point) -> Conv 3x3 pads 1 (8, the same again) = y [1,8,8,8].
inline Model Pools() {
  Model m;
  m.path = "pools.onnx";
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 8, 8, 8})};
  m.initializers = PoolGraphWeights(100);
  const std::vector<Attribute> k3{Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1})};
  m.nodes = {
      MakeNode("Conv", {"x", "w0", "b0"}, "c0", k3),
      MakeNode("Relu", {"c0"}, "r0"),
      MakeNode("AveragePool", {"r0"}, "p0",
               {Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1}), Int("count_include_pad", 1)}),
      MakeNode("Conv", {"p0", "w1", "b1"}, "c1"),
      MakeNode("AveragePool", {"c1"}, "p1",
               {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2}), Ints("pads", {1, 1, 1, 1}),
                Int("count_include_pad", 1)}),
      MakeNode("Conv", {"p1", "w2", "b2"}, "y", k3)};
  return m;
}

// Average pools whose border windows divide by fewer values (TF's SAME pools, Inception's 3x3
// stride 1): x NCHW [1,3,16,16] -> Conv 3x3 pads 1 (8) + Relu -> AveragePool 3x3 pads 1
// count_include_pad=0 -> Conv 1x1 (8, no activation: zero point above 0) -> AveragePool 3x3
// stride 2 SAME_UPPER [8,8,8] -> AveragePool 3x3 stride 2 pads 1 ceil_mode [8,5,5] (a last window
// of one row) -> AveragePool 2x1 stride (2,1) ceil_mode count_include_pad=1 [8,3,5] (row bands
// only) -> AveragePool 2x2 stride 2 pads 1 ceil_mode count_include_pad=1 [8,2,3] (a last window
// that would start in the end padding is none) -> Conv 3x3 pads 1 (8) = y [1,8,2,3].
inline Model PoolsExclude() {
  Model m;
  m.path = "pools_exclude.onnx";
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 8, 2, 3})};
  m.initializers = PoolGraphWeights(200);
  const std::vector<Attribute> k3{Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1})};
  m.nodes = {
      MakeNode("Conv", {"x", "w0", "b0"}, "c0", k3),
      MakeNode("Relu", {"c0"}, "r0"),
      MakeNode("AveragePool", {"r0"}, "p0", {Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1})}),
      MakeNode("Conv", {"p0", "w1", "b1"}, "c1"),
      MakeNode("AveragePool", {"c1"}, "p1",
               {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2}), Str("auto_pad", "SAME_UPPER")}),
      MakeNode("AveragePool", {"p1"}, "p2",
               {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2}), Ints("pads", {1, 1, 1, 1}),
                Int("ceil_mode", 1)}),
      MakeNode("AveragePool", {"p2"}, "p3",
               {Ints("kernel_shape", {2, 1}), Ints("strides", {2, 1}), Int("ceil_mode", 1),
                Int("count_include_pad", 1)}),
      MakeNode("AveragePool", {"p3"}, "p4",
               {Ints("kernel_shape", {2, 2}), Ints("strides", {2, 2}), Ints("pads", {1, 1, 1, 1}),
                Int("ceil_mode", 1), Int("count_include_pad", 1)}),
      MakeNode("Conv", {"p4", "w2", "b2"}, "y", k3)};
  return m;
}

// Inception-v3's branch pool at 35x35 (TF's SAME 3x3 stride 1: count_include_pad=0), or its
// count_include_pad=1 twin, for the cost of the regions: x [1,3,35,35] -> Conv 1x1 (64) + Relu
// -> AveragePool 3x3 pads 1 -> Conv 1x1 (16) = y [1,16,35,35].
inline Model InceptionPool(bool include_pad) {
  Model m;
  m.path = include_pad ? "inception_pool_include.onnx" : "inception_pool.onnx";
  m.inputs = {Value("x", {1, 3, 35, 35})};
  m.outputs = {Value("y", {1, 16, 35, 35})};
  m.initializers = {Seeded("w0", {64, 3, 1, 1}, 301, 0.5), Seeded("b0", {64}, 302, 0.3),
                    Seeded("w1", {16, 64, 1, 1}, 303, 0.3), Seeded("b1", {16}, 304, 0.2)};
  m.nodes = {MakeNode("Conv", {"x", "w0", "b0"}, "c0"), MakeNode("Relu", {"c0"}, "r0"),
             MakeNode("AveragePool", {"r0"}, "p0",
                      {Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1}),
                       Int("count_include_pad", include_pad ? 1 : 0)}),
             MakeNode("Conv", {"p0", "w1", "b1"}, "y")};
  return m;
}
inline Model InceptionPoolExclude() { return InceptionPool(false); }
inline Model InceptionPoolInclude() { return InceptionPool(true); }

// A decoder head (a segmentation or CenterNet-style upsampling): x [1,3,8,8] -> Conv 3x3 pads 1
// (8) + Relu -> ConvTranspose 4x4 stride 2 pads 1 (6, bias) -> BatchNormalization -> Relu
// -> ConvTranspose 3x3 stride 2 pads 1 output_padding 1 group 2 (4) + Relu -> Conv 1x1 (2) = y
// [1,2,32,32].
inline Model Decoder() {
  Model m;
  m.path = "decoder.onnx";
  m.inputs = {Value("x", {1, 3, 8, 8})};
  m.outputs = {Value("y", {1, 2, 32, 32})};
  m.initializers = {Seeded("w0", {8, 3, 3, 3}, 101, 0.8),
                    Seeded("b0", {8}, 102, 0.2),
                    Seeded("wt1", {8, 6, 4, 4}, 103, 0.5),
                    Seeded("bt1", {6}, 104, 0.3),
                    Seeded("bn_gamma", {6}, 105, 0.5, 1.5),
                    Seeded("bn_beta", {6}, 106, 0.3),
                    Seeded("bn_mean", {6}, 107, 0.3),
                    Seeded("bn_var", {6}, 108, 0.4, 0.8),
                    Seeded("wt2", {6, 2, 3, 3}, 109, 0.7),
                    Seeded("w3", {2, 4, 1, 1}, 110, 0.9),
                    Seeded("b3", {2}, 111, 0.2)};
  m.nodes = {
      MakeNode("Conv", {"x", "w0", "b0"}, "c0", {Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1})}),
      MakeNode("Relu", {"c0"}, "r0"),
      MakeNode("ConvTranspose", {"r0", "wt1", "bt1"}, "u1",
               {Ints("kernel_shape", {4, 4}), Ints("strides", {2, 2}), Ints("pads", {1, 1, 1, 1})}),
      MakeNode("BatchNormalization", {"u1", "bn_gamma", "bn_beta", "bn_mean", "bn_var"}, "n1"),
      MakeNode("Relu", {"n1"}, "r1"),
      MakeNode("ConvTranspose", {"r1", "wt2"}, "u2",
               {Ints("strides", {2, 2}), Ints("pads", {1, 1, 1, 1}), Ints("output_padding", {1, 1}),
                Int("group", 2)}),
      MakeNode("Relu", {"u2"}, "r2"),
      MakeNode("Conv", {"r2", "w3", "b3"}, "y")};
  return m;
}

// Decoder with a second ConvTranspose whose pads pass its kernel's reach: 2x2 stride 2, pads top 2,
// left 1, bottom 2, right 3, output_padding 1 (y [1,2,29,29]); its export crops the zero insertion.
// It reads the BatchNormalization's output (no Relu): a zero point above 0, which its gaps read.
inline Model DecoderCropped() {
  Model m = Decoder();
  m.path = "decoder_cropped.onnx";
  m.outputs = {Value("y", {1, 2, 29, 29})};
  m.initializers[8] = Seeded("wt2", {6, 2, 2, 2}, 109, 0.7);
  m.nodes[5].attributes[1] = Ints("pads", {2, 1, 2, 3});
  m.nodes[5].inputs[0] = "n1";
  m.nodes.erase(m.nodes.begin() + 4);  // the Relu r1
  return m;
}

// A YOLO-style SPP block with max pools larger than the pooling unit's 3x3: x NCHW [1,3,16,16]
// -> Conv 3x3 pads 1 (8) + Relu = c -> MaxPool 5x5 pads 2 = p1 -> MaxPool 5x5 pads 2 = p2
// -> MaxPool 5x5 pads 2 = p3; Concat(c, p1, p2, p3) [32,16,16] -> Conv 1x1 (8) = h
// -> MaxPool 4x4 stride 3 pads 1 = y [1,8,5,5] (an even kernel, a stride above 2).
inline Model Spp() {
  Model m;
  m.path = "spp.onnx";
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 8, 5, 5})};
  m.initializers = {Seeded("w0", {8, 3, 3, 3}, 101, 0.7), Seeded("b0", {8}, 102, 0.3),
                    Seeded("w1", {8, 32, 1, 1}, 103, 0.4), Seeded("b1", {8}, 104, 0.2)};
  const std::vector<Attribute> k5{Ints("kernel_shape", {5, 5}), Ints("pads", {2, 2, 2, 2})};
  m.nodes = {
      MakeNode("Conv", {"x", "w0", "b0"}, "c0", {Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1})}),
      MakeNode("Relu", {"c0"}, "c"),
      MakeNode("MaxPool", {"c"}, "p1", k5),
      MakeNode("MaxPool", {"p1"}, "p2", k5),
      MakeNode("MaxPool", {"p2"}, "p3", k5),
      MakeNode("Concat", {"c", "p1", "p2", "p3"}, "cat", {Int("axis", 1)}),
      MakeNode("Conv", {"cat", "w1", "b1"}, "h"),
      MakeNode("MaxPool", {"h"}, "y",
               {Ints("kernel_shape", {4, 4}), Ints("strides", {3, 3}), Ints("pads", {1, 1, 1, 1})})};
  return m;
}

// Max pools whose padding the pooling unit does not have (a TensorFlow export's): x NCHW
// [1,3,16,16] -> Conv 3x3 pads 1 (8) + Relu -> MaxPool 3x3 stride 2 auto_pad SAME_UPPER (pads
// [0,0,1,1]) = p0 [8,8,8] -> Conv 1x1 (8, no activation: zero point above 0) -> MaxPool 3x3 stride
// 2 ceil_mode (4x4, the last window past the end) = p1 -> MaxPool 2x2 pads [0,0,1,1] = y [1,8,4,4]
// (its corner windows hold one value, below the zero point where it is negative).
inline Model TfPools() {
  Model m;
  m.path = "tf_pools.onnx";
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 8, 4, 4})};
  m.initializers = {Seeded("w0", {8, 3, 3, 3}, 121, 0.8), Seeded("b0", {8}, 122, 0.3),
                    Seeded("w1", {8, 8, 1, 1}, 123, 0.7), Seeded("b1", {8}, 124, 0.2)};
  m.nodes = {
      MakeNode("Conv", {"x", "w0", "b0"}, "c0", {Ints("kernel_shape", {3, 3}), Ints("pads", {1, 1, 1, 1})}),
      MakeNode("Relu", {"c0"}, "r0"),
      MakeNode("MaxPool", {"r0"}, "p0",
               {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2}), Str("auto_pad", "SAME_UPPER")}),
      MakeNode("Conv", {"p0", "w1", "b1"}, "c1"),
      MakeNode("MaxPool", {"c1"}, "p1",
               {Ints("kernel_shape", {3, 3}), Ints("strides", {2, 2}), Int("ceil_mode", 1)}),
      MakeNode("MaxPool", {"p1"}, "y", {Ints("kernel_shape", {2, 2}), Ints("pads", {0, 0, 1, 1})})};
  return m;
}

// Standalone activations (no Conv read by them alone before them): x NCHW [1,3,16,16] -> Tanh = t
// (on the graph input); t -> Conv 3x3
// (8) = a; t -> Conv 3x3 (8) = b; Add(a, b) -> Sigmoid = g; a -> Clip(0, 6) = k (a Conv read by two);
// Concat(g, k) -> LeakyRelu(0.2) = l [16,14,14] -> MaxPool 2x2 s2 -> Relu = r [16,7,7] -> Conv 1x1
// (6) = y [1,6,7,7].
inline Model Alone() {
  Model m;
  m.path = "alone.onnx";
  m.inputs = {Value("x", {1, 3, 16, 16})};
  m.outputs = {Value("y", {1, 6, 7, 7})};
  m.initializers = {Seeded("w0", {8, 3, 3, 3}, 111, 0.8),
                    Seeded("b0", {8}, 112, 0.3),
                    Seeded("w1", {8, 3, 3, 3}, 113, 0.5),
                    Seeded("b1", {8}, 114, 0.3),
                    Seeded("w2", {6, 16, 1, 1}, 115, 0.5),
                    Seeded("b2", {6}, 116, 0.2),
                    Scalar("zero", 0),
                    Scalar("six", 6)};
  m.nodes = {MakeNode("Tanh", {"x"}, "t"),
             MakeNode("Conv", {"t", "w0", "b0"}, "a", {Ints("kernel_shape", {3, 3})}),
             MakeNode("Conv", {"t", "w1", "b1"}, "b", {Ints("kernel_shape", {3, 3})}),
             MakeNode("Add", {"a", "b"}, "s"),
             MakeNode("Sigmoid", {"s"}, "g"),
             MakeNode("Clip", {"a", "zero", "six"}, "k"),
             MakeNode("Concat", {"g", "k"}, "cat", {Int("axis", 1)}),
             MakeNode("LeakyRelu", {"cat"}, "l", {Float("alpha", 0.2f)}),
             MakeNode("MaxPool", {"l"}, "m", {Ints("kernel_shape", {2, 2}), Ints("strides", {2, 2})}),
             MakeNode("Relu", {"m"}, "r"),
             MakeNode("Conv", {"r", "w2", "b2"}, "y")};
  return m;
}

}  // namespace nna::onnx::test_graphs
