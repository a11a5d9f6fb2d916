// qadd_case: onnxruntime's QLinearAdd of three scales against ref::QLinearAddValue (docs/onnx.md,
// "QLinearAdd of different scales"), on every pair of input bytes. Writes, for each case of
// compiler/qlinear_add_cases.h in uint8 and int8, DIR/<name>.onnx (one com.microsoft QLinearAdd of
// [1,65536] tensors), the inputs DIR/<name>_a.npy and _b.npy (all 256 x 256 pairs) and the
// expected output DIR/<name>_y.npy; check_qlinear_add.py runs onnxruntime on each and compares.
//   qadd_case [--fixed-unfused] DIR
// --fixed-unfused computes the expected outputs with the fixed part zc - (ra*za + rb*zb) rounded
// at every step instead of MLAS's fma: a wrong order that onnxruntime must tell apart (the first
// six cases are scales where the two differ).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "compiler/qlinear_add_cases.h"
#include "frontends/onnx/graph.h"
#include "frontends/onnx/test_graphs.h"
#include "ref/ref_ops.h"

namespace {

using namespace nna::onnx;
namespace tg = test_graphs;

constexpr int64_t kPairs = 256 * 256;

Tensor Named(Tensor t, const std::string& name) {
  t.name = name;
  return t;
}

void Write(const std::filesystem::path& dir, const std::string& name, const nna::compiler::QLinearAddCase& c,
           bool is_signed, bool fixed_unfused) {
  const DataType type = is_signed ? DataType::kInt8 : DataType::kUint8;
  const int32_t shift = is_signed ? 128 : 0;
  const int32_t za = c.za - shift, zb = c.zb - shift, zc = c.zc - shift;
  Model m;
  m.path = name + ".onnx";
  m.graph_name = name;
  m.opsets = {{"", 13}, {"com.microsoft", 1}};
  for (const char* v : {"a", "b"}) {
    ValueInfo in = tg::Value(v, {1, kPairs});
    in.type = type;
    m.inputs.push_back(in);
  }
  ValueInfo y = tg::Value("y", {1, kPairs});
  y.type = type;
  m.outputs = {y};
  auto scalar = [](const char* n, float v) { return Named(MakeFloatTensor(DataType::kFloat, {}, {v}), n); };
  auto zp = [type](const char* n, int32_t v) { return Named(MakeIntTensor(type, {}, {v}), n); };
  m.initializers = {scalar("sa", c.sa), zp("za", za),       scalar("sb", c.sb),
                    zp("zb", zb),       scalar("sc", c.sc), zp("zc", zc)};
  Node n;
  n.name = "add", n.op_type = "QLinearAdd", n.domain = "com.microsoft";
  n.inputs = {"a", "sa", "za", "b", "sb", "zb", "sc", "zc"}, n.outputs = {"y"};
  m.nodes = {n};
  SaveModel(m, dir / (name + ".onnx"));

  nna::ref::QLinearAddParams q = nna::ref::QLinearAddConstants(c.sa, za, c.sb, zb, c.sc, zc, is_signed);
  if (fixed_unfused) {
    const float pa = q.ratio_a * float(za), pb = q.ratio_b * float(zb), sum = pa + pb;
    q.fixed = float(zc) - sum;
  }
  std::vector<int64_t> a(kPairs), b(kPairs), out(kPairs);
  for (int64_t e = 0; e < kPairs; ++e) {
    a[size_t(e)] = e / 256 - shift, b[size_t(e)] = e % 256 - shift;
    out[size_t(e)] = nna::ref::QLinearAddValue(q, int32_t(a[size_t(e)]), int32_t(b[size_t(e)]));
  }
  WriteNpy(dir / (name + "_a.npy"), MakeIntTensor(type, {1, kPairs}, a));
  WriteNpy(dir / (name + "_b.npy"), MakeIntTensor(type, {1, kPairs}, b));
  WriteNpy(dir / (name + "_y.npy"), MakeIntTensor(type, {1, kPairs}, out));
}

}  // namespace

int main(int argc, char** argv) {
  const bool unfused = argc == 3 && std::strcmp(argv[1], "--fixed-unfused") == 0;
  if (argc != 2 + (unfused ? 1 : 0)) {
    std::fprintf(stderr, "usage: qadd_case [--fixed-unfused] DIR\n");
    return 2;
  }
  try {
    const std::filesystem::path dir(argv[argc - 1]);
    std::filesystem::create_directories(dir);
    int k = 0;
    for (const nna::compiler::QLinearAddCase& c : nna::compiler::kQLinearAddCases) {
      for (bool is_signed : {false, true})
        Write(dir, "qadd" + std::to_string(k) + (is_signed ? "_int8" : "_uint8"), c, is_signed, unfused);
      ++k;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qadd_case: %s\n", e.what());
    return 2;
  }
  return 0;
}
