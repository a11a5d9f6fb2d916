// exact_ort_case: writes a QLinearConv node test whose expected output is the project's exact
// requantization (ref::RequantizeExact), so that check_node_test.py runs it on onnxruntime and
// compares bit for bit (docs/onnx.md, "Exact requantization").
//
//   exact_ort_case --out DIR [--signed] [--seed N] [--half-up]
//
// DIR gets model.onnx (one QLinearConv: 3x3, padding 1, 8 -> 16 channels, 9x9, per-channel weight
// scales, int8 weights with zero point 0, bias) and test_data_set_0/{input_0.pb, output_0.pb}.
// Input and output are uint8 with zero points 7 and 200 (--signed: int8, -3 and 5). Half the
// channels have power-of-two scales and small weights, so that many products sit exactly on .5 and
// the rounding decides (fewer than 10 such products is an error); the others have arbitrary ones.
// --half-up writes a deliberately wrong expected output, rounded half up, which must fail. The accumulators
// are computed here from the definition (the input minus its zero point, zero padding), the multiplier as
// onnxruntime computes it: float32(x_scale * w_scale) / y_scale in float32.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "case_writer.h"
#include "onnx/onnx_pb.h"
#include "ref/ref_ops.h"
#include "util/split_mix64.h"

namespace {

namespace fs = std::filesystem;
using nna::onnx_case::SetFloats;
using nna::onnx_case::Write;

constexpr int kCin = 8, kCout = 16, kH = 9, kW = 9, kK = 3;

void SetInts(onnx::TensorProto* t, onnx::TensorProto_DataType type, const std::vector<int64_t>& dims,
             const std::vector<int32_t>& values) {
  t->set_data_type(type);
  for (int64_t d : dims) t->add_dims(d);
  for (int32_t v : values) t->add_int32_data(v);  // uint8, int8 and int32 are held as int32_data
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  bool is_signed = false, half_up = false;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc)
      out = argv[++i];
    else if (a == "--signed")
      is_signed = true;
    else if (a == "--half-up")
      half_up = true;
    else if (a == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 0);
    else {
      std::fprintf(stderr, "usage: exact_ort_case --out DIR [--signed] [--seed N] [--half-up]\n");
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "usage: exact_ort_case --out DIR [--signed] [--seed N] [--half-up]\n");
    return 2;
  }
  try {
    nna::SplitMix64 rng(seed);
    const int qmin = is_signed ? -128 : 0;
    const int32_t x_zp = is_signed ? -3 : 7, y_zp = is_signed ? 5 : 200;
    const float x_scale = 0.125f, y_scale = is_signed ? 0.5f : 0.25f;
    std::vector<int32_t> x(kCin * kH * kW), w(kCout * kCin * kK * kK), bias(kCout);
    for (auto& v : x) v = qmin + int32_t(rng.Range(0, 255));
    for (size_t i = 0; i < w.size(); ++i)  // the power-of-two channels' weights small: -4..4
      w[i] =
          (i / (kCin * kK * kK)) % 2 == 0 ? int32_t(rng.Range(0, 8)) - 4 : int32_t(rng.Range(0, 255)) - 128;
    for (auto& v : bias) v = int32_t(rng.Range(0, 4000)) - 2000;
    std::vector<float> w_scale(kCout);
    for (int c = 0; c < kCout; ++c)  // even channels 2^-k (ties), odd ones arbitrary
      w_scale[c] =
          c % 2 == 0 ? 1.0f / float(1 << (3 + rng.Range(0, 1))) : float(rng.Range(1000, 9999)) * 1e-7f;

    // Expected output: the definition's accumulators, then the reference operator.
    const onnx::TensorProto_DataType q_type =
        is_signed ? onnx::TensorProto_DataType_INT8 : onnx::TensorProto_DataType_UINT8;
    std::vector<int32_t> y(kCout * kH * kW);
    uint64_t ties = 0;
    for (int co = 0; co < kCout; ++co) {
      nna::ref::ChannelParams p;
      p.bias = bias[co];
      p.multiplier = (x_scale * w_scale[co]) / y_scale;  // float32 throughout, as onnxruntime
      p.zero_point = int16_t(y_zp);
      for (int oh = 0; oh < kH; ++oh)
        for (int ow = 0; ow < kW; ++ow) {
          int32_t acc = 0;
          for (int ci = 0; ci < kCin; ++ci)
            for (int r = 0; r < kK; ++r)
              for (int s = 0; s < kK; ++s) {
                const int ih = oh + r - 1, iw = ow + s - 1;
                if (ih < 0 || ih >= kH || iw < 0 || iw >= kW) continue;  // padding: x - x_zp = 0
                acc += (x[(ci * kH + ih) * kW + iw] - x_zp) * w[((co * kCin + ci) * kK + r) * kK + s];
              }
          const float product = float(acc + bias[co]) * p.multiplier;
          if (product - float(int64_t(product)) == 0.5f || product - float(int64_t(product)) == -0.5f) ++ties;
          y[(co * kH + oh) * kW + ow] =
              half_up ? std::clamp(int32_t(std::floor(product + 0.5f)) + y_zp, qmin, qmin + 255)
                      : nna::ref::RequantizeExact(acc, p, false, !is_signed);
        }
    }

    if (ties < 10)
      throw std::runtime_error("only " + std::to_string(ties) +
                               " products on .5: the rounding is not tested");

    onnx::ModelProto model;
    model.set_ir_version(7);
    model.add_opset_import()->set_version(13);
    onnx::GraphProto* g = model.mutable_graph();
    g->set_name("exact_requant");
    onnx::NodeProto* n = g->add_node();
    n->set_op_type("QLinearConv");
    for (const char* in :
         {"x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point", "B"})
      n->add_input(in);
    n->add_output("y");
    onnx::AttributeProto* pads = n->add_attribute();
    pads->set_name("pads");
    pads->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (int i = 0; i < 4; ++i) pads->add_ints(1);
    auto value_info = [&](onnx::ValueInfoProto* vi, const char* name, int elem, std::vector<int64_t> dims) {
      vi->set_name(name);
      onnx::TypeProto_Tensor* t = vi->mutable_type()->mutable_tensor_type();
      t->set_elem_type(elem);
      for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
    };
    value_info(g->add_input(), "x", q_type, {1, kCin, kH, kW});
    value_info(g->add_output(), "y", q_type, {1, kCout, kH, kW});
    auto init = [&](const char* name) {
      onnx::TensorProto* t = g->add_initializer();
      t->set_name(name);
      return t;
    };
    SetFloats(init("x_scale"), {}, {x_scale});
    SetInts(init("x_zero_point"), q_type, {}, {x_zp});
    SetInts(init("w"), onnx::TensorProto_DataType_INT8, {kCout, kCin, kK, kK}, w);
    SetFloats(init("w_scale"), {kCout}, w_scale);
    SetInts(init("w_zero_point"), onnx::TensorProto_DataType_INT8, {kCout}, std::vector<int32_t>(kCout, 0));
    SetFloats(init("y_scale"), {}, {y_scale});
    SetInts(init("y_zero_point"), q_type, {}, {y_zp});
    SetInts(init("B"), onnx::TensorProto_DataType_INT32, {kCout}, bias);

    const fs::path dir(out), data = dir / "test_data_set_0";
    fs::create_directories(data);
    Write(dir / "model.onnx", model);
    onnx::TensorProto xt, yt;
    xt.set_name("x");
    SetInts(&xt, q_type, {1, kCin, kH, kW}, x);
    Write(data / "input_0.pb", xt);
    yt.set_name("y");
    SetInts(&yt, q_type, {1, kCout, kH, kW}, y);
    Write(data / "output_0.pb", yt);
    std::printf("exact_ort_case: %s, %s output, zero point %d, %llu of %d products exactly on .5\n",
                dir.c_str(), is_signed ? "int8" : "uint8", y_zp, (unsigned long long)ties, kCout * kH * kW);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "exact_ort_case: %s\n", e.what());
    return 2;
  }
  return 0;
}
