// float_conv_case: writes a float Conv model in the node tests' layout (DIR/model.onnx,
// DIR/test_data_set_0/{input_0.pb, output_0.pb}) with what libonnx-testdata's float Conv tests lack:
// 16 output channels whose weight magnitudes differ by up to 100x (so per-channel scales matter),
// 2 groups, strides (2,1), padding, a bias, weights and bias as initializers, and an input with
// negative values (a nonzero input zero point). The expected output is the float convolution
// computed in double, for the float error nnac reports (docs/onnx.md, "Run a float ONNX model").
//   float_conv_case --out DIR [--seed N]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "case_writer.h"
#include "onnx/onnx_pb.h"
#include "util/split_mix64.h"

namespace {

namespace fs = std::filesystem;
using nna::onnx_case::Named;
using nna::onnx_case::SetFloats;
using nna::onnx_case::Write;

constexpr int kCin = 8, kCout = 16, kGroups = 2, kH = 11, kW = 9, kK = 3, kStrideH = 2, kPad = 1;
constexpr int kOutH = (kH + 2 * kPad - kK) / kStrideH + 1, kOutW = kW + 2 * kPad - kK + 1;

void Ints(onnx::NodeProto* n, const char* name, std::vector<int64_t> v) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int64_t x : v) a->add_ints(x);
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc)
      out = argv[++i];
    else if (a == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 0);
    else
      out.clear(), i = argc;
  }
  if (out.empty()) {
    std::fprintf(stderr, "usage: float_conv_case --out DIR [--seed N]\n");
    return 2;
  }
  try {
    nna::SplitMix64 rng(seed);
    auto uniform = [&](float lo, float hi) {
      return lo + (hi - lo) * float(rng.Range(0, 1 << 20)) / float(1 << 20);
    };
    const int cin_g = kCin / kGroups, cout_g = kCout / kGroups;
    std::vector<float> x(kCin * kH * kW), w(kCout * cin_g * kK * kK), b(kCout);
    for (auto& v : x) v = uniform(-1.5f, 4.0f);
    for (int co = 0; co < kCout; ++co) {
      const float magnitude = 0.01f * float(1 + co * co * 99 / ((kCout - 1) * (kCout - 1)));  // 0.01 .. 1
      for (int k = 0; k < cin_g * kK * kK; ++k) w[co * cin_g * kK * kK + k] = uniform(-magnitude, magnitude);
      b[co] = uniform(-0.5f, 0.5f);
    }
    std::vector<float> y(kCout * kOutH * kOutW);
    for (int co = 0; co < kCout; ++co)
      for (int oh = 0; oh < kOutH; ++oh)
        for (int ow = 0; ow < kOutW; ++ow) {
          double acc = b[co];
          for (int ci = 0; ci < cin_g; ++ci)
            for (int r = 0; r < kK; ++r)
              for (int s = 0; s < kK; ++s) {
                const int ih = oh * kStrideH + r - kPad, iw = ow + s - kPad;
                if (ih < 0 || ih >= kH || iw < 0 || iw >= kW) continue;
                acc += double(x[((co / cout_g * cin_g + ci) * kH + ih) * kW + iw]) *
                       double(w[((co * cin_g + ci) * kK + r) * kK + s]);
              }
          y[(co * kOutH + oh) * kOutW + ow] = float(acc);
        }

    onnx::ModelProto model;
    model.set_ir_version(7);
    model.add_opset_import()->set_version(13);
    onnx::GraphProto* g = model.mutable_graph();
    g->set_name("float_conv_case");
    onnx::NodeProto* n = g->add_node();
    n->set_op_type("Conv");
    n->set_name("conv");
    for (const char* in : {"x", "W", "B"}) n->add_input(in);
    n->add_output("y");
    Ints(n, "pads", {kPad, kPad, kPad, kPad});
    Ints(n, "strides", {kStrideH, 1});
    onnx::AttributeProto* group = n->add_attribute();
    group->set_name("group");
    group->set_type(onnx::AttributeProto_AttributeType_INT);
    group->set_i(kGroups);
    auto value_info = [&](onnx::ValueInfoProto* vi, const char* name, std::vector<int64_t> dims) {
      vi->set_name(name);
      onnx::TypeProto_Tensor* t = vi->mutable_type()->mutable_tensor_type();
      t->set_elem_type(onnx::TensorProto_DataType_FLOAT);
      for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
    };
    value_info(g->add_input(), "x", {1, kCin, kH, kW});
    value_info(g->add_output(), "y", {1, kCout, kOutH, kOutW});
    SetFloats(Named(g->add_initializer(), "W"), {kCout, cin_g, kK, kK}, w);
    SetFloats(Named(g->add_initializer(), "B"), {kCout}, b);

    const fs::path dir(out), data = dir / "test_data_set_0";
    fs::create_directories(data);
    Write(dir / "model.onnx", model);
    onnx::TensorProto xt, yt;
    SetFloats(Named(&xt, "x"), {1, kCin, kH, kW}, x);
    Write(data / "input_0.pb", xt);
    SetFloats(Named(&yt, "y"), {1, kCout, kOutH, kOutW}, y);
    Write(data / "output_0.pb", yt);
    std::printf("float_conv_case: %s, Conv %d -> %d channels in %d groups, %dx%d, strides (%d,1), bias\n",
                dir.c_str(), kCin, kCout, kGroups, kH, kW, kStrideH);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "float_conv_case: %s\n", e.what());
    return 2;
  }
  return 0;
}
