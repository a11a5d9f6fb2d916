// qgraph_case: writes a pre-quantized QOperator graph as an .onnx file, for check_onnx_graph.py
// --prequantized (nnac, the RTL and onnxruntime on the same model; docs/onnx.md, "Pre-quantized
// graphs"):
//   x float [1,3,8,8] -> QuantizeLinear (zero point 100)
//   -> QLinearConv 3x3 pads 1 (8, per-channel int8 weights with zero points, int32 bias) = a (zp 20)
//   -> QLinearConv 3x3 pads 1 (8, per-channel) on a, whose padding reads its zero point 20 = b
//   (zp 30); QLinearAdd(a, b) (one scale, zero points 20,
//   30 -> 25) -> MaxPool 2x2 s2 (uint8) -> QLinearConcat with a constant of zero points (4 channels)
//   -> QLinearGlobalAveragePool (zp 10) -> Flatten -> QLinearMatMul [12,5] (per-column int8)
//   -> y_q uint8 [1,5] (zp 128, a graph output) -> DequantizeLinear -> y float [1,5].
//   qgraph_case ok|int8|add_scales|add_scales_int8|uint8_weights|wrong_zero_point OUT.onnx
// int8 is `ok` with every activation int8 (each zero point 128 lower: the same real values, so
// onnxruntime's outputs are ok's bytes - 128 and the same floats). add_scales gives the add's
// output another scale (a QLinearAdd of three scales), add_scales_int8 the same with int8.
// uint8_weights is what the accelerator cannot meet (uint8 weights beyond int8): nnac must refuse
// it in one sentence.
// wrong_zero_point is `ok` with the first conv's output zero point off by one, standing for an
// import that read a wrong zero point: onnxruntime on `ok` must then differ.
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "frontends/onnx/graph.h"
#include "frontends/onnx/test_graphs.h"
#include "util/split_mix64.h"

namespace {

using namespace nna::onnx;
namespace tg = test_graphs;

Tensor Named(Tensor t, const std::string& name) {
  t.name = name;
  return t;
}
Tensor Scalar(const std::string& name, float v) {
  return Named(MakeFloatTensor(DataType::kFloat, {}, {v}), name);
}
Tensor Zp(const std::string& name, int64_t v, bool is_signed = false) {
  return Named(MakeIntTensor(is_signed ? DataType::kInt8 : DataType::kUint8, {}, {v}), name);
}
// Seeded integers in lo..hi.
Tensor Ints(const std::string& name, DataType type, std::vector<int64_t> dims, uint64_t seed, int64_t lo,
            int64_t hi) {
  nna::SplitMix64 rng(seed);
  std::vector<int64_t> v(CountElements(dims, name));
  for (int64_t& x : v) x = lo + int64_t(rng.Next() % uint64_t(hi - lo + 1));
  return Named(MakeIntTensor(type, std::move(dims), v), name);
}
Tensor Floats(const std::string& name, std::vector<double> v) {
  const int64_t n = int64_t(v.size());
  return Named(MakeFloatTensor(DataType::kFloat, {n}, v), name);
}

Node Op(const std::string& op, std::vector<std::string> in, const std::string& out,
        std::vector<Attribute> attrs = {}, const std::string& domain = "") {
  Node n;
  n.name = out + "_" + op, n.op_type = op, n.domain = domain, n.inputs = std::move(in), n.outputs = {out};
  n.attributes = std::move(attrs);
  return n;
}

Model Case(const std::string& kind) {
  const bool int8 = kind == "int8" || kind == "add_scales_int8";
  Model m;
  m.path = "qop.onnx";
  m.graph_name = "qop";
  m.opsets = {{"", 13}, {"com.microsoft", 1}};
  m.inputs = {tg::Value("x", {1, 3, 8, 8})};
  ValueInfo yq = tg::Value("y_q", {1, 5});
  yq.type = int8 ? DataType::kInt8 : DataType::kUint8;
  // An activation's zero point, given for uint8.
  auto act_zp = [int8](const std::string& name, int64_t v) { return Zp(name, int8 ? v - 128 : v, int8); };
  m.outputs = {yq, tg::Value("y", {1, 5})};
  // One scale for a, b and their sum (QLinearAdd's ratios exactly 1), zero points of their own;
  // add_scales: three scales.
  const bool add_scales = kind.rfind("add_scales", 0) == 0;
  const float s_add = add_scales ? 0.03f : 0.025f, b_scale = add_scales ? 0.02f : 0.025f;
  const int64_t a_zp = kind == "wrong_zero_point" ? 21 : 20;
  const DataType w_type = kind == "uint8_weights" ? DataType::kUint8 : DataType::kInt8;
  m.initializers = {
      Scalar("x_s", 1.0f / 128),
      act_zp("x_zp", 100),
      Ints("w1", w_type, {8, 3, 3, 3}, 1, w_type == DataType::kUint8 ? 0 : -126,
           w_type == DataType::kUint8 ? 255 : 125),
      Floats("w1_s", {0.004, 0.002, 0.006, 0.003, 0.005, 0.0025, 0.0035, 0.0045}),
      Named(MakeIntTensor(w_type, {8},
                          w_type == DataType::kUint8 ? std::vector<int64_t>(8, 0)
                                                     : std::vector<int64_t>{0, 1, -1, 2, 0, -2, 1, 0}),
            "w1_zp"),
      Ints("b1", DataType::kInt32, {8}, 2, -3000, 3000),
      Scalar("a_s", 0.025f),
      act_zp("a_zp", a_zp),
      Ints("w2", DataType::kInt8, {8, 8, 3, 3}, 3, -100, 100),
      Floats("w2_s", {0.01, 0.02, 0.015, 0.008, 0.012, 0.018, 0.009, 0.011}),
      Named(MakeIntTensor(DataType::kInt8, {8}, std::vector<int64_t>(8, 0)), "w2_zp"),
      Scalar("b_s", b_scale),
      act_zp("b_zp", 30),
      Scalar("s_s", s_add),
      act_zp("s_zp", 25),
      Named(MakeIntTensor(int8 ? DataType::kInt8 : DataType::kUint8, {1, 4, 4, 4},
                          std::vector<int64_t>(64, int8 ? 25 - 128 : 25)),
            "pad_zeros"),
      Scalar("g_s", 0.01f),
      act_zp("g_zp", 10),
      Ints("fc", DataType::kInt8, {12, 5}, 4, -127, 127),
      Floats("fc_s", {0.01, 0.02, 0.005, 0.015, 0.008}),
      Named(MakeIntTensor(DataType::kInt8, {5}, std::vector<int64_t>(5, 0)), "fc_zp"),
      Scalar("y_s", 0.06f),
      act_zp("y_zp", 128)};
  m.nodes = {
      Op("QuantizeLinear", {"x", "x_s", "x_zp"}, "xq"),
      Op("QLinearConv", {"xq", "x_s", "x_zp", "w1", "w1_s", "w1_zp", "a_s", "a_zp", "b1"}, "a",
         {tg::Ints("kernel_shape", {3, 3}), tg::Ints("pads", {1, 1, 1, 1})}),
      Op("QLinearConv", {"a", "a_s", "a_zp", "w2", "w2_s", "w2_zp", "b_s", "b_zp"}, "b",
         {tg::Ints("kernel_shape", {3, 3}), tg::Ints("pads", {1, 1, 1, 1})}),
      Op("QLinearAdd", {"a", "a_s", "a_zp", "b", "b_s", "b_zp", "s_s", "s_zp"}, "s", {}, "com.microsoft"),
      Op("MaxPool", {"s"}, "p", {tg::Ints("kernel_shape", {2, 2}), tg::Ints("strides", {2, 2})}),
      Op("QLinearConcat", {"s_s", "s_zp", "p", "s_s", "s_zp", "pad_zeros", "s_s", "s_zp"}, "c",
         {tg::Int("axis", 1)}, "com.microsoft"),
      Op("QLinearGlobalAveragePool", {"c", "s_s", "s_zp", "g_s", "g_zp"}, "g", {}, "com.microsoft"),
      Op("Flatten", {"g"}, "f"),
      Op("QLinearMatMul", {"f", "g_s", "g_zp", "fc", "fc_s", "fc_zp", "y_s", "y_zp"}, "y_q"),
      Op("DequantizeLinear", {"y_q", "y_s", "y_zp"}, "y"),
  };
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const std::set<std::string> kinds{
      "ok", "int8", "add_scales", "add_scales_int8", "uint8_weights", "wrong_zero_point"};
  if (argc != 3 || !kinds.count(argv[1])) {
    std::fprintf(stderr,
                 "usage: qgraph_case ok|int8|add_scales|add_scales_int8|uint8_weights|wrong_zero_point "
                 "OUT.onnx\n");
    return 2;
  }
  try {
    const std::filesystem::path out(argv[2]);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    SaveModel(Case(argv[1]), out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qgraph_case: %s\n", e.what());
    return 2;
  }
  return 0;
}
