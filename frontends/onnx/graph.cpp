#include "frontends/onnx/graph.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "compiler/layer_quant.h"
#include "frontends/onnx/activation_table.h"
#include "frontends/onnx/fold.h"
#include "util/split_mix64.h"

namespace nna::onnx {

namespace net = compiler::network;
using compiler::Activation;

namespace {

// A float (C, H, W) tensor of the importer's float run.
struct FTensor {
  uint32_t c = 0, h = 0, w = 0;
  std::vector<float> v;
  FTensor() = default;
  FTensor(uint32_t c_, uint32_t h_, uint32_t w_) : c(c_), h(h_), w(w_), v(size_t(c_) * h_ * w_, 0.0f) {}
  float& At(uint32_t ci, uint32_t y, uint32_t x) { return v[(size_t(ci) * h + y) * w + x]; }
  float At(uint32_t ci, uint32_t y, uint32_t x) const { return v[(size_t(ci) * h + y) * w + x]; }
};

// What an ONNX tensor name stands for while importing.
struct Value {
  enum class Kind { kTensor, kZeros, kHost, kUpsampled } kind = Kind::kTensor;
  int tensor = net::kInput;                 // kTensor, kHost: the network tensor (kInput or a layer)
  std::vector<int64_t> dims;                // kZeros: [1, C, H, W]; kHost: the dims after the host ops
  std::vector<std::vector<int64_t>> perms;  // kHost: the transposes so far
};

// A zero insertion (a ConvTranspose of 1x1 ones, Value::Kind::kUpsampled): strides h, w and the crop
// top, left, bottom, right; only a Conv reading it alone takes it (as one deconv).
struct Upsampled {
  std::vector<int64_t> strides, crop;
  std::string node;  // the ConvTranspose
};

// The model imported: the network and what each layer came from.
struct Imported {
  net::Network net;
  std::vector<std::vector<float>> w,
      b;                              // per layer: conv weights (Cout, Cin/g, R, S) and bias (may be empty)
  std::vector<std::string> tensor;    // per layer: its output's ONNX name (after a fused Relu)
  std::vector<std::string> nodes;     // per layer: the ONNX node(s) it runs
  std::vector<bool> zeros;            // per layer: the zeros of a channel padding
  std::vector<std::string> conv_out;  // per layer: the tensor its conv writes (a folded BatchNormalization's)
  std::vector<double> act_max;        // per layer: the fused activation's upper bound (Clip's max), else +inf
  std::vector<uint32_t> avg_count;    // per layer: H*W of a GlobalAveragePool's depthwise conv, else 0
  // Per layer: an AveragePool whose divisor varies (net::CountBands of its rows and columns; its
  // float weights are ones, each window divided by rows * cols), else empty.
  std::vector<std::vector<net::CountBand>> count_rows, count_cols;
  std::vector<std::vector<int64_t>>
      gemm_b;  // per layer: a Gemm's B dims (its weights, one scale), else empty
  std::vector<bool> gemm_trans_b;
  std::vector<std::optional<TableActivation>> table;  // per layer: an activation run as a table
  std::vector<std::string>
      upsampled;  // per layer: a deconv's zero-inserted input tensor (its Conv's input), else empty
  // Per layer: an identity depthwise 1x1 conv (weight 1, requantized to its input's own parameters,
  // so multiplier 1): a standalone activation's layer, a decomposed MaxPool's stride, or its padding.
  std::vector<bool> identity;
  // Per layer: a MaxPool's inner stage or padding (no ONNX tensor; its input's parameters).
  std::vector<bool> inner;
  std::vector<bool> pad_min;  // per layer: an identity conv padding a MaxPool's input with byte 0
  std::string input_name;     // the graph input
  std::vector<int64_t> input_dims;
  bool nhwc = false;
  uint32_t pad[4] = {0, 0, 0, 0};  // top, left, bottom, right: the host's padding of the input
  std::vector<GraphOutput> outputs;
};

std::vector<int64_t> Ints(const Node& n, const std::string& attr, std::vector<int64_t> dflt) {
  const Attribute* a = n.Find(attr);
  return a ? a->ints : dflt;
}
int64_t Int(const Node& n, const std::string& attr, int64_t dflt) {
  const Attribute* a = n.Find(attr);
  return a ? a->i : dflt;
}

std::vector<int64_t> Transposed(const std::vector<int64_t>& dims, const std::vector<int64_t>& perm) {
  std::vector<int64_t> out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = dims[size_t(perm[i])];
  return out;
}

class Importer {
 public:
  explicit Importer(const Model& m) : m_(m) {}

  Imported Run() {
    if (m_.inputs.size() != 1)
      throw OnnxError(m_.path + ": a float graph has one graph input, and this one has " +
                      std::to_string(m_.inputs.size()));
    const ValueInfo& in = m_.inputs[0];
    im_.input_name = in.name;
    for (const Dim& d : in.shape) {
      if (d.value < 0)
        throw OnnxError(m_.path + ": graph input " + in.Describe() + " has a dimension without a size");
      im_.input_dims.push_back(d.value);
    }
    for (const Node& n : m_.nodes)
      for (const std::string& i : n.inputs) ++uses_[i];
    for (const ValueInfo& o : m_.outputs) ++uses_[o.name];
    values_[in.name] = Value{Value::Kind::kHost, net::kInput, im_.input_dims, {}};
    im_.net.file = m_.path;
    im_.net.name = ModelTestName(m_.path);
    im_.net.input_signed = false;
    // Layer names become file names (the bundle's reference regions): the nodes' common folder
    // prefix dropped, '/' and ':' as '.'.
    const Node* first = nullptr;
    for (const Node& n : m_.nodes)
      if (!first && n.name.find('/') != std::string::npos) first = &n;
    for (const Node& n : m_.nodes) {
      if (!first || n.name.find('/') == std::string::npos) continue;  // names without folders keep theirs
      const std::string& a = first->name;
      size_t k = 0;
      while (k < a.size() && k < n.name.size() && a[k] == n.name[k]) ++k;
      prefix_ =
          std::min(prefix_, a.rfind('/', k ? k - 1 : 0) == std::string::npos ? 0 : a.rfind('/', k - 1) + 1);
    }
    for (const Node& n : m_.nodes) Import(n);
    if (!input_set_) throw OnnxError(m_.path + ": graph input '" + in.name + "' is read by no Conv");
    for (const ValueInfo& o : m_.outputs) {
      const Value& v = values_.at(o.name);
      if (v.kind != Value::Kind::kHost || v.tensor == net::kInput)
        throw OnnxError(m_.path + ": graph output '" + o.name + "' is not the output of a layer");
      im_.outputs.push_back({o.name, v.tensor, v.perms, v.dims});
      im_.net.outputs.push_back(v.tensor);
    }
    return std::move(im_);
  }

 private:
  const Value& Get(const Node& n, size_t i) {
    if (i >= n.inputs.size() || n.inputs[i].empty()) FailNode(n, "has no input " + std::to_string(i));
    const auto it = values_.find(n.inputs[i]);
    if (it == values_.end())
      FailNode(n, "input '" + n.inputs[i] + "' is a constant, which this op does not take there");
    return it->second;
  }

  // The network tensor of input i: a layer's output, or the network input once its layout is NCHW.
  int TensorOf(const Node& n, size_t i) {
    const Value& v = Get(n, i);
    const bool row = v.kind == Value::Kind::kHost && v.tensor != net::kInput && v.dims.size() == 2 &&
                     v.dims[0] == 1 && v.dims[1] == int64_t(ShapeOf(v.tensor).Elements()) &&
                     ShapeOf(v.tensor).h == 1 && ShapeOf(v.tensor).w == 1;  // a Gemm's output [1, N]
    if (!row && (v.kind != Value::Kind::kHost || !v.perms.empty() || v.dims.size() != 4 || v.dims[0] != 1))
      FailNode(
          n,
          "reads '" + n.inputs[i] + "', " + DimsText(v.dims) +
              ", which is not an NCHW [1,C,H,W] activation of the network (layout operators run on the host "
              "only at the graph's input and outputs)");
    if (v.tensor == net::kInput && !input_set_) SetInput(v.dims);
    return v.tensor;
  }

  const Tensor& Initializer(const Node& n, size_t i, const std::string& role) {
    const Tensor* t = i < n.inputs.size() ? m_.FindInitializer(n.inputs[i]) : nullptr;
    if (!t) FailNode(n, role + " '" + (i < n.inputs.size() ? n.inputs[i] : "") + "' is not an initializer");
    return *t;
  }

  int AddLayer(net::Layer l, const std::string& tensor, const std::string& node, std::vector<float> w = {},
               std::vector<float> b = {}, bool zeros = false) {
    l.out_signed = false;
    im_.net.layers.push_back(std::move(l));
    im_.tensor.push_back(tensor);
    im_.nodes.push_back(node);
    im_.w.push_back(std::move(w));
    im_.b.push_back(std::move(b));
    im_.zeros.push_back(zeros);
    im_.conv_out.push_back(tensor);
    im_.act_max.push_back(std::numeric_limits<double>::infinity());
    im_.avg_count.push_back(0);
    im_.count_rows.emplace_back();
    im_.count_cols.emplace_back();
    im_.gemm_b.emplace_back();
    im_.gemm_trans_b.push_back(false);
    im_.table.emplace_back();
    im_.upsampled.emplace_back();
    im_.identity.push_back(false);
    im_.inner.push_back(false);
    im_.pad_min.push_back(false);
    const int idx = int(im_.net.layers.size()) - 1;
    values_[tensor] =
        Value{Value::Kind::kHost,
              idx,
              {1, im_.net.layers.back().out.c, im_.net.layers.back().out.h, im_.net.layers.back().out.w},
              {}};
    return idx;
  }

  net::Shape ShapeOf(int t) const { return im_.net.ShapeOf(t); }

  void Import(const Node& n) {
    const std::string& op = n.op_type;
    if (!n.domain.empty() && n.domain != "ai.onnx")
      FailNode(n, "is in domain '" + n.domain + "', which has no lowering");
    if (op == "Transpose") return Transpose(n);
    if (op == "Reshape" || op == "Flatten" || op == "Squeeze") return HostReshape(n);
    if (op == "Conv") return Get(n, 0).kind == Value::Kind::kUpsampled ? ConvOfZeroInsertion(n) : Conv(n);
    if (op == "ConvTranspose") return ConvTranspose(n);
    if (op == "Relu" || op == "Clip") return Relu(n);
    if (op == "BatchNormalization") return BatchNorm(n);
    if (op == "Add") return AddOp(n);
    if (op == "MaxPool") return MaxPool(n);
    if (op == "GlobalAveragePool") return GlobalAvgPool(n);
    if (op == "Gemm" || op == "MatMul") return Gemm(n);
    if (op == "AveragePool") return AvgPool(n);
    if (op == "ConstantOfShape") return Zeros(n);
    if (op == "Concat") return Concat(n);
    if (const std::optional<TableActivation> f = TableActivationOf(n)) return TableAct(n, *f);
    if (op == "Mul" || op == "Div")
      FailNode(
          n,
          "has a lowering only as a constant of one value or one per channel ([C], [C,1,1] or [1,C,1,1]) "
          "that "
          "scales the output of a Conv read by it alone (folded into the Conv's weights)");
    FailNode(
        n,
        "op '" + op +
            "' has no lowering in a float graph (Conv, ConvTranspose, BatchNormalization after a Conv, Relu, "
            "Clip, LeakyRelu, Sigmoid, Tanh, HardSigmoid, HardSwish, Mul or Div by a per-channel constant "
            "after a Conv, Pad of zeros before a Conv, Add, MaxPool, AveragePool, GlobalAveragePool, Gemm or "
            "MatMul (+ Add bias) on a Flatten, Concat, ConstantOfShape zeros; Transpose, Reshape, Flatten, "
            "Squeeze at the graph's edges)");
  }

  void Transpose(const Node& n) {
    const Value& v = Get(n, 0);
    if (v.kind != Value::Kind::kHost) FailNode(n, "transposes a constant");
    std::vector<int64_t> perm = Ints(n, "perm", {});
    if (perm.empty()) {
      perm.resize(v.dims.size());
      std::iota(perm.rbegin(), perm.rend(), 0);
    }
    if (v.tensor == net::kInput && !input_set_) {  // the host's NHWC -> NCHW of the graph input
      if (v.dims.size() != 4 || perm != std::vector<int64_t>{0, 3, 1, 2} || v.dims[0] != 1)
        FailNode(n, "transposes the graph input " + DimsText(v.dims) + " by perm=" + DimsText(perm) +
                        ", but the host converts only NHWC [1,H,W,C] by perm=[0,3,1,2]");
      im_.nhwc = true;
      values_[n.outputs[0]] = Value{Value::Kind::kHost, net::kInput, Transposed(v.dims, perm), {}};
      SetInput(values_[n.outputs[0]].dims);
      return;
    }
    if (v.tensor == net::kInput) FailNode(n, "transposes the network input after its layout was set");
    Value out = v;
    out.perms.push_back(perm);
    out.dims = Transposed(v.dims, perm);
    values_[n.outputs[0]] = out;
  }

  // Reshape, Flatten, Squeeze of a layer's output on its way to a graph output: new dims only.
  void HostReshape(const Node& n) {
    const Value& v = Get(n, 0);
    if (v.kind != Value::Kind::kHost || v.tensor == net::kInput)
      FailNode(n,
               "reshapes '" + n.inputs[0] + "', which is not a layer's output on its way to a graph output");
    const int64_t count = std::accumulate(v.dims.begin(), v.dims.end(), int64_t(1), std::multiplies<>());
    std::vector<int64_t> dims;
    if (n.op_type == "Reshape") {
      const Tensor& s = Initializer(n, 1, "shape");
      int64_t known = 1, infer = -1;
      for (size_t i = 0; i < s.NumElements(); ++i) {
        int64_t d = s.AtInt(i);
        if (d == 0 && i < v.dims.size()) d = v.dims[i];
        if (d == -1)
          infer = int64_t(i);
        else
          known *= d;
        dims.push_back(d);
      }
      if (infer >= 0 && known > 0) dims[size_t(infer)] = count / known;
    } else if (n.op_type == "Flatten") {
      int64_t axis = Int(n, "axis", 1);
      if (axis < 0) axis += int64_t(v.dims.size());
      const int64_t a =
          std::accumulate(v.dims.begin(), v.dims.begin() + axis, int64_t(1), std::multiplies<>());
      dims = {a, count / a};
    } else {  // Squeeze: axes as an attribute (opset < 13) or an input
      std::vector<int64_t> axes = Ints(n, "axes", {});
      if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
        const Tensor& t = Initializer(n, 1, "axes");
        for (size_t i = 0; i < t.NumElements(); ++i) axes.push_back(t.AtInt(i));
      }
      for (int64_t& a : axes)
        if (a < 0) a += int64_t(v.dims.size());
      for (size_t i = 0; i < v.dims.size(); ++i)
        if (axes.empty() ? v.dims[i] != 1 : std::find(axes.begin(), axes.end(), int64_t(i)) == axes.end())
          dims.push_back(v.dims[i]);
    }
    if (std::accumulate(dims.begin(), dims.end(), int64_t(1), std::multiplies<>()) != count)
      FailNode(
          n, "reshapes " + DimsText(v.dims) + " to " + DimsText(dims) + ", which has another element count");
    Value out = v;
    out.dims = dims;
    values_[n.outputs[0]] = out;
  }

  void Conv(const Node& n) {
    const int in = TensorOf(n, 0);
    const net::Shape s = ShapeOf(in);
    const Tensor& wt = Initializer(n, 1, "weights");
    if (wt.type != DataType::kFloat || wt.dims.size() != 4)
      FailNode(n, "weights '" + n.inputs[1] + "' are " + wt.Describe() +
                      ", but a Conv takes float [M, C/group, kH, kW]");
    if (const Attribute* a = n.Find("auto_pad"); a && a->s != "NOTSET")
      FailNode(n, "attribute auto_pad='" + a->s + "' is not supported in a graph; give explicit pads");
    net::Layer l;
    l.name = LayerName(n);
    l.op = net::Op::kConv;
    l.inputs = {in};
    const std::vector<int64_t> k = Ints(n, "kernel_shape", {wt.dims[2], wt.dims[3]});
    const std::vector<int64_t> st = Ints(n, "strides", {1, 1}), dl = Ints(n, "dilations", {1, 1});
    std::vector<int64_t> p = Ints(n, "pads", {0, 0, 0, 0});
    if (k.size() != 2 || st.size() != 2 || dl.size() != 2 || p.size() != 4)
      FailNode(n, "is not a 2-D convolution (kernel_shape=" + DimsText(k) + ")");
    const int64_t group = Int(n, "group", 1);
    l.out_c = uint32_t(wt.dims[0]);
    l.groups = uint32_t(group);
    if (group < 1 || s.c % uint32_t(group) != 0 || wt.dims[1] * group != int64_t(s.c))
      FailNode(n, "weights " + DimsText(wt.dims) + " with group=" + std::to_string(group) +
                      " do not match its input's " + std::to_string(s.c) + " channels");
    l.kernel_h = uint32_t(k[0]), l.kernel_w = uint32_t(k[1]);
    l.stride_h = uint32_t(st[0]), l.stride_w = uint32_t(st[1]);
    l.dil_h = uint32_t(dl[0]), l.dil_w = uint32_t(dl[1]);
    net::Shape ins = s;
    if (in == net::kInput && std::any_of(p.begin(), p.end(), [](int64_t v) { return v != 0; })) {
      // The host pads the input with its zero point (real 0), so that any zero point pads right.
      if (uses_[n.inputs[0]] != 1)
        FailNode(n, "pads the graph input, which other nodes read too (the host pads it)");
      for (int i = 0; i < 4; ++i) im_.pad[i] = uint32_t(p[size_t(i)]);
      im_.net.input.h += im_.pad[0] + im_.pad[2];
      im_.net.input.w += im_.pad[1] + im_.pad[3];
      ins = im_.net.input;
      p = {0, 0, 0, 0};
    }
    l.pad_top = uint32_t(p[0]), l.pad_left = uint32_t(p[1]), l.pad_bottom = uint32_t(p[2]),
    l.pad_right = uint32_t(p[3]);
    const int64_t eh = int64_t(l.dil_h) * (l.kernel_h - 1) + 1, ew = int64_t(l.dil_w) * (l.kernel_w - 1) + 1;
    const int64_t oh = (int64_t(ins.h) + p[0] + p[2] - eh) / l.stride_h + 1,
                  ow = (int64_t(ins.w) + p[1] + p[3] - ew) / l.stride_w + 1;
    if (oh < 1 || ow < 1) FailNode(n, "has a kernel larger than its padded input");
    l.out = {l.out_c, uint32_t(oh), uint32_t(ow)};
    l.conv_h = l.out.h, l.conv_w = l.out.w;
    std::vector<float> w(wt.NumElements()), b;
    for (size_t i = 0; i < w.size(); ++i) w[i] = float(wt.AtDouble(i));
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const Tensor& bt = Initializer(n, 2, "bias");
      if (bt.NumElements() != l.out_c) FailNode(n, "bias '" + n.inputs[2] + "' is " + bt.Describe());
      for (size_t i = 0; i < bt.NumElements(); ++i) b.push_back(float(bt.AtDouble(i)));
    }
    AddLayer(l, n.outputs[0], n.name, std::move(w), std::move(b));
  }

  // A deconv layer's geometry: per axis (h, w) kernel, stride, dilation, the pads top, left, bottom,
  // right and the output padding (rows past the last input's reach).
  struct Deconv {
    int64_t group = 1, k[2] = {1, 1}, st[2] = {1, 1}, dl[2] = {1, 1}, pad[4] = {0, 0, 0, 0},
            out_pad[2] = {0, 0};
  };

  // The deconv layer of input `in`: weights (C_out, C_in/group, kH, kW), bias per output channel.
  void AddDeconv(const Node& n, int in, const Deconv& d, int64_t out_c, std::vector<float> w,
                 std::vector<float> b, const std::string& nodes) {
    const net::Shape s = ShapeOf(in);
    int64_t out[2];
    for (size_t i = 0; i < 2; ++i) {
      if (d.st[i] != 1 && d.st[i] != 2 && d.st[i] != 4 && d.st[i] != 8)
        FailNode(n, "strides=[" + std::to_string(d.st[0]) + "," + std::to_string(d.st[1]) +
                        "]: the accelerator's DECONV upsamples by 1, 2, 4 or 8 on each axis");
      out[i] =
          ref::DeconvOutSize(i ? s.w : s.h, d.k[i], d.st[i], d.dl[i], d.pad[i], d.pad[i + 2], d.out_pad[i]);
      if (out[i] < 1 || d.out_pad[i] < 0 || d.out_pad[i] >= std::max(d.st[i], d.dl[i]))
        FailNode(n, "has an output of " + std::to_string(out[i]) + " on axis " + std::to_string(i + 2) +
                        " with pads [" + std::to_string(d.pad[i]) + "," + std::to_string(d.pad[i + 2]) +
                        "] and output padding " + std::to_string(d.out_pad[i]) +
                        ": the accelerator's DECONV crops by its pads and adds fewer than max(stride, "
                        "dilation) rows or columns at the end");
    }
    if (b.size() != size_t(out_c) && !b.empty()) FailNode(n, "has " + std::to_string(b.size()) + " biases");
    net::Layer l;
    l.name = LayerName(n);
    l.op = net::Op::kDeconv;
    l.inputs = {in};
    l.out_c = uint32_t(out_c);
    l.groups = uint32_t(d.group);
    l.kernel_h = uint32_t(d.k[0]), l.kernel_w = uint32_t(d.k[1]);
    l.stride_h = uint32_t(d.st[0]), l.stride_w = uint32_t(d.st[1]);
    l.dil_h = uint32_t(d.dl[0]), l.dil_w = uint32_t(d.dl[1]);
    l.pad_top = uint32_t(d.pad[0]), l.pad_left = uint32_t(d.pad[1]), l.pad_bottom = uint32_t(d.pad[2]),
    l.pad_right = uint32_t(d.pad[3]);
    l.out_pad_h = uint32_t(d.out_pad[0]), l.out_pad_w = uint32_t(d.out_pad[1]);
    l.out = {l.out_c, uint32_t(out[0]), uint32_t(out[1])};
    l.conv_h = l.out.h, l.conv_w = l.out.w;
    AddLayer(l, n.outputs[0], nodes, std::move(w), std::move(b));
  }

  std::vector<float> BiasOf(const Node& n, size_t i, int64_t out_c) {
    std::vector<float> b;
    if (n.inputs.size() <= i || n.inputs[i].empty()) return b;
    const Tensor& bt = Initializer(n, i, "bias");
    if (bt.NumElements() != size_t(out_c)) FailNode(n, "bias '" + n.inputs[i] + "' is " + bt.Describe());
    for (size_t e = 0; e < bt.NumElements(); ++e) b.push_back(float(bt.AtDouble(e)));
    return b;
  }

  // ConvTranspose (2-D) as the network's deconv layer. ref::Deconv2d's scatter form is
  // ConvTranspose's definition with the weights [C_in, C_out/group, kH, kW] transposed to the
  // layer's (C_out, C_in/group, kH, kW); pads from output_shape or auto_pad as the ONNX spec gives
  // them. A ConvTranspose of 1x1 ones, one per channel, read by a Conv alone is a zero insertion (the
  // QDQ export's form of a deconv): that Conv makes the deconv.
  void ConvTranspose(const Node& n) {
    if (IsZeroInsertion(n)) return ZeroInsertion(n);
    const int in = TensorOf(n, 0);
    const net::Shape s = ShapeOf(in);
    const Tensor& wt = Initializer(n, 1, "weights");
    if (wt.type != DataType::kFloat || wt.dims.size() != 4)
      FailNode(n, "weights '" + n.inputs[1] + "' are " + wt.Describe() +
                      ", but a 2-D ConvTranspose takes float [C, M/group, kH, kW]");
    const std::vector<int64_t> k = Ints(n, "kernel_shape", {wt.dims[2], wt.dims[3]});
    const std::vector<int64_t> st = Ints(n, "strides", {1, 1}), dl = Ints(n, "dilations", {1, 1}),
                               op = Ints(n, "output_padding", {0, 0}), shape = Ints(n, "output_shape", {});
    std::vector<int64_t> p = Ints(n, "pads", {0, 0, 0, 0});
    if (k.size() != 2 || st.size() != 2 || dl.size() != 2 || p.size() != 4 || op.size() != 2 ||
        (!shape.empty() && shape.size() != 2) || k[0] != wt.dims[2] || k[1] != wt.dims[3])
      FailNode(n, "is not a 2-D transposed convolution (kernel_shape=" + DimsText(k) + ", weights " +
                      DimsText(wt.dims) + ")");
    Deconv d;
    d.group = Int(n, "group", 1);
    if (d.group < 1 || int64_t(s.c) % d.group != 0 || wt.dims[0] != int64_t(s.c))
      FailNode(n, "weights " + DimsText(wt.dims) + " with group=" + std::to_string(d.group) +
                      " do not match its input's " + std::to_string(s.c) + " channels");
    const std::string mode = AutoPad(n);
    for (size_t i = 0; i < 2; ++i) {
      const int64_t size = i ? s.w : s.h;
      d.k[i] = k[i], d.st[i] = st[i], d.dl[i] = dl[i];
      const int64_t full = (size - 1) * st[i] + (k[i] - 1) * dl[i] + 1;  // no pads, no output padding
      d.pad[i] = p[i], d.pad[i + 2] = p[i + 2], d.out_pad[i] = op[i];
      if (mode == "VALID") d.pad[i] = d.pad[i + 2] = 0;
      if (!shape.empty() || mode == "SAME_UPPER" || mode == "SAME_LOWER") {
        // output_shape, or SAME's input * stride: the pads that give it (the odd one at the end
        // for SAME_UPPER, at the start otherwise); an output beyond the full size is output padding.
        const int64_t want = shape.empty() ? size * st[i] : shape[i];
        const int64_t total = std::max<int64_t>(0, full + op[i] - want);
        d.pad[i] = mode == "SAME_UPPER" ? total / 2 : total - total / 2;
        d.pad[i + 2] = total - d.pad[i];
        d.out_pad[i] = want - (full - total);
      }
    }
    const int64_t out_c = wt.dims[1] * d.group;
    // (C_out, C_in/group, kH, kW): output channel co of group g reads input channels g*cin_g + ci.
    const size_t cin_g = s.c / size_t(d.group), gout = size_t(wt.dims[1]), taps = size_t(k[0] * k[1]);
    std::vector<float> w(wt.NumElements());
    for (size_t co = 0; co < size_t(out_c); ++co)
      for (size_t ci = 0; ci < cin_g; ++ci)
        for (size_t t = 0; t < taps; ++t)
          w[(co * cin_g + ci) * taps + t] =
              float(wt.AtDouble(((co / gout * cin_g + ci) * gout + co % gout) * taps + t));
    AddDeconv(n, in, d, out_c, std::move(w), BiasOf(n, 2, out_c), n.name);
  }

  bool IsZeroInsertion(const Node& n) {
    const Tensor* wt = n.inputs.size() > 1 ? m_.FindInitializer(n.inputs[1]) : nullptr;
    if (!wt || wt->type != DataType::kFloat || wt->dims.size() != 4 || wt->dims[1] != 1 || wt->dims[2] != 1 ||
        wt->dims[3] != 1 || Int(n, "group", 1) != wt->dims[0] ||
        (n.inputs.size() > 2 && !n.inputs[2].empty()))
      return false;
    for (size_t i = 0; i < wt->NumElements(); ++i)
      if (wt->AtDouble(i) != 1.0) return false;
    const Attribute* auto_pad = n.Find("auto_pad");
    if ((auto_pad && auto_pad->s != "NOTSET") || n.Find("output_shape") ||
        Ints(n, "output_padding", {0, 0}) != std::vector<int64_t>{0, 0} ||
        Ints(n, "dilations", {1, 1}) != std::vector<int64_t>{1, 1} || uses_[n.outputs[0]] != 1)
      return false;
    return std::any_of(m_.nodes.begin(), m_.nodes.end(), [&](const Node& r) {
      return r.op_type == "Conv" && !r.inputs.empty() && r.inputs[0] == n.outputs[0];
    });
  }

  void ZeroInsertion(const Node& n) {
    const int in = TensorOf(n, 0);
    const Tensor& wt = Initializer(n, 1, "weights");
    if (int64_t(ShapeOf(in).c) != wt.dims[0])
      FailNode(n, "inserts zeros into " + std::to_string(ShapeOf(in).c) + " channels with weights " +
                      wt.Describe());
    Upsampled u{Ints(n, "strides", {1, 1}), Ints(n, "pads", {0, 0, 0, 0}), n.name};
    if (u.strides.size() != 2 || u.crop.size() != 4)
      FailNode(n, "is not a 2-D zero insertion (strides=" + DimsText(u.strides) + ")");
    Value v;
    v.kind = Value::Kind::kUpsampled;
    v.tensor = in;
    values_[n.outputs[0]] = v;
    upsampled_[n.outputs[0]] = u;
  }

  // A Conv of stride 1 on a zero insertion: the deconv whose kernel is the Conv's flipped, with the
  // pads that put every tap where the Conv reads it: per axis the kernel's reach minus the Conv's
  // pad plus the crop; a negative end is output padding.
  void ConvOfZeroInsertion(const Node& n) {
    const int in = Get(n, 0).tensor;
    const Upsampled& up = upsampled_.at(n.inputs[0]);
    const Tensor& wt = Initializer(n, 1, "weights");
    const std::vector<int64_t> st = Ints(n, "strides", {1, 1}), dl = Ints(n, "dilations", {1, 1});
    const std::vector<int64_t> p = Ints(n, "pads", {0, 0, 0, 0});
    const Attribute* auto_pad = n.Find("auto_pad");
    if (wt.type != DataType::kFloat || wt.dims.size() != 4 || st != std::vector<int64_t>{1, 1} ||
        dl.size() != 2 || p.size() != 4 || (auto_pad && auto_pad->s != "NOTSET"))
      FailNode(n, "reads the zero insertion '" + n.inputs[0] + "' with strides=" + DimsText(st) +
                      " and weights " + wt.Describe() +
                      ", but only a 2-D Conv of stride 1 and explicit pads makes it a deconv");
    Deconv d;
    d.group = Int(n, "group", 1);
    for (size_t i = 0; i < 2; ++i) {
      d.k[i] = wt.dims[2 + i], d.st[i] = up.strides[i], d.dl[i] = dl[i];
      const int64_t reach = dl[i] * (d.k[i] - 1), end = reach - p[i + 2] + up.crop[i + 2];
      d.pad[i] = reach - p[i] + up.crop[i];
      d.pad[i + 2] = std::max<int64_t>(end, 0), d.out_pad[i] = std::max<int64_t>(-end, 0);
      if (d.pad[i] < 0)
        FailNode(n, "pads=" + DimsText(p) + " the zero insertion '" + n.inputs[0] +
                        "' beyond its kernel's reach, which no deconv computes");
    }
    const int64_t m = wt.dims[0], per = wt.dims[1];
    if (per * d.group != int64_t(ShapeOf(in).c) || m % d.group != 0)
      FailNode(n, "weights " + DimsText(wt.dims) + " with group=" + std::to_string(d.group) +
                      " do not match its input's " + std::to_string(ShapeOf(in).c) + " channels");
    std::vector<float> w(wt.NumElements());  // the same layout, each kernel flipped
    for (size_t e = 0; e < w.size(); ++e) w[e] = float(wt.AtDouble(e));
    AddDeconv(n, in, d, m, FlipKernels(w, size_t(d.k[0]), size_t(d.k[1])), BiasOf(n, 2, m),
              n.name + " + " + up.node);
    im_.upsampled.back() = n.inputs[0];
  }

  // Relu, or Clip(0, max) (Relu6): fused into its producer. A Clip's max only bounds the
  // calibrated range, so that the output's scale makes 255 at most max and the uint8 saturation
  // is the clip (onnxruntime then drops the Clip before its QuantizeLinear too).
  void Relu(const Node& n) {
    const int t = TensorOf(n, 0);
    if (t == net::kInput || uses_[n.inputs[0]] != 1 || Fused(t) || im_.identity[size_t(t)] ||
        (im_.net.layers[size_t(t)].op != net::Op::kConv && im_.net.layers[size_t(t)].op != net::Op::kDeconv &&
         im_.net.layers[size_t(t)].op != net::Op::kAdd)) {
      // Standalone: the byte function Quantize(f(Dequantize(q))) as a table (onnxruntime computes
      // the same whether it keeps the Relu or Clip or drops it before its QuantizeLinear).
      TableActivation f;
      f.op = n.op_type;
      if (n.op_type == "Clip")
        f.alpha = float(ClipBound(n, 1, "min")), f.beta = float(ClipBound(n, 2, "max"));
      if (n.op_type == "Clip" && !(f.alpha <= f.beta))
        FailNode(
            n, "clips to [" + std::to_string(f.alpha) + ", " + std::to_string(f.beta) + "], an empty range");
      TableAct(n, f);
      // Clip(0, max): 255 steps of the output's scale stay within max, so that onnxruntime drops
      // the Clip before its QuantizeLinear (no float Clip left), as for a fused one.
      if (n.op_type == "Clip" && f.alpha == 0) im_.act_max.back() = f.beta;
      return;
    }
    net::Layer& l = im_.net.layers[size_t(t)];
    if (n.op_type == "Clip") {
      const double lo = ClipBound(n, 1, "min"), hi = ClipBound(n, 2, "max");
      if (lo != 0 || !(hi > 0))
        FailNode(n, "clips to [" + std::to_string(lo) + ", " + std::to_string(hi) +
                        "], but only Clip(0, max > 0) fuses (the uint8 output's range starts at 0)");
      im_.act_max[size_t(t)] = hi;
    }
    l.act = Activation::kRelu;
    im_.tensor[size_t(t)] = n.outputs[0];
    im_.nodes[size_t(t)] += " + " + n.name;
    values_[n.outputs[0]] = values_.at(n.inputs[0]);
  }

  // A Clip's min (input 1) or max (input 2): an input, or an attribute before opset 11; unbounded
  // when absent.
  double ClipBound(const Node& n, size_t i, const char* attr) {
    if (i < n.inputs.size() && !n.inputs[i].empty()) {
      const Tensor& b = Initializer(n, i, attr);
      if (b.NumElements() != 1) FailNode(n, std::string(attr) + " '" + n.inputs[i] + "' is " + b.Describe());
      return b.AtDouble(0);
    }
    const Attribute* a = n.Find(attr);
    const double inf = std::numeric_limits<double>::infinity();
    return a ? double(a->f) : i == 1 ? -inf : inf;
  }

  // LeakyRelu, Sigmoid, Tanh, HardSigmoid or HardSwish after a Conv: the conv requantizes exactly
  // to its own output's parameters, then the SIMD unit's table maps that byte as onnxruntime does
  // (frontends/onnx/activation_table.h).
  // Anywhere else (after an Add, a Concat, a MaxPool, a Conv read by others, on the graph input):
  // an identity conv (IdentityConv) whose program ends in the table, its table's input parameters
  // those of the tensor it reads.
  void TableAct(const Node& n, const TableActivation& f) {
    const int t = TensorOf(n, 0);
    if (t == net::kInput || uses_[n.inputs[0]] != 1 || Fused(t) ||
        (im_.net.layers[size_t(t)].op != net::Op::kConv &&
         im_.net.layers[size_t(t)].op != net::Op::kDeconv) ||
        im_.zeros[size_t(t)] || im_.avg_count[size_t(t)] || im_.identity[size_t(t)]) {
      const std::vector<int64_t> dims = Get(n, 0).dims;  // [1, N] after a Gemm stays so
      IdentityConv(n, t, 1, n.outputs[0], LayerName(n));
      im_.table.back() = f;
      values_[n.outputs[0]].dims = dims;
      return;
    }
    im_.table[size_t(t)] = f;
    im_.tensor[size_t(t)] = n.outputs[0];
    im_.nodes[size_t(t)] += " + " + n.name;
    values_[n.outputs[0]] = values_.at(n.inputs[0]);
  }
  // Whether layer t already ends in an activation.
  bool Fused(int t) const {
    return im_.net.layers[size_t(t)].act != Activation::kNone || im_.table[size_t(t)];
  }

  // BatchNormalization (inference) folded into the Conv before it, in float before the
  // quantization: w' = w * g / sqrt(v + eps), b' = (b - mean) * g / sqrt(v + eps) + beta. The QDQ
  // export writes the folded conv in its place, so onnxruntime runs the same network.
  void BatchNorm(const Node& n) {
    const int t = TensorOf(n, 0);
    if (t == net::kInput || uses_[n.inputs[0]] != 1 ||
        (im_.net.layers[size_t(t)].op != net::Op::kConv &&
         im_.net.layers[size_t(t)].op != net::Op::kDeconv) ||
        im_.zeros[size_t(t)] || im_.avg_count[size_t(t)] || Fused(t))
      FailNode(n,
               "follows '" + n.inputs[0] +
                   "', which is not a Conv read by this BatchNormalization alone (only a BatchNormalization "
                   "folded into its Conv has a lowering)");
    if (n.outputs.size() > 1 &&
        std::any_of(n.outputs.begin() + 1, n.outputs.end(), [](const std::string& o) { return !o.empty(); }))
      FailNode(n, "has training outputs (running mean, variance), which have no lowering");
    if (Int(n, "training_mode", 0) != 0) FailNode(n, "has training_mode=1, which has no lowering");
    const Attribute* ea = n.Find("epsilon");
    const double eps = ea ? double(ea->f) : 1e-5;
    const uint32_t c = im_.net.layers[size_t(t)].out_c;
    std::vector<double> p[4];  // scale, B, mean, var
    const char* role[4] = {"scale", "B", "mean", "var"};
    for (size_t k = 0; k < 4; ++k) {
      const Tensor& x = Initializer(n, k + 1, role[k]);
      if (x.NumElements() != c)
        FailNode(n, std::string(role[k]) + " '" + n.inputs[k + 1] + "' is " + x.Describe() + ", not [" +
                        std::to_string(c) + "]");
      for (size_t i = 0; i < c; ++i) p[k].push_back(x.AtDouble(i));
    }
    std::vector<float>& w = im_.w[size_t(t)];
    std::vector<float>& b = im_.b[size_t(t)];
    if (b.empty()) b.assign(c, 0.0f);
    const size_t per = w.size() / c;
    for (uint32_t ci = 0; ci < c; ++ci) {
      if (!(p[3][ci] + eps > 0))
        FailNode(n, "var '" + n.inputs[4] + "' of channel " + std::to_string(ci) + " plus epsilon is " +
                        std::to_string(p[3][ci] + eps) + ", not above 0");
      const double f = p[0][ci] / std::sqrt(p[3][ci] + eps);
      for (size_t k = 0; k < per; ++k) w[ci * per + k] = float(double(w[ci * per + k]) * f);
      b[ci] = float((double(b[ci]) - p[2][ci]) * f + p[1][ci]);
    }
    im_.tensor[size_t(t)] = n.outputs[0];
    im_.conv_out[size_t(t)] = n.outputs[0];
    im_.nodes[size_t(t)] += " + " + n.name;
    values_[n.outputs[0]] = values_.at(n.inputs[0]);
  }

  void AddOp(const Node& n) {
    for (size_t i = 0; i < 2 && n.inputs.size() == 2; ++i)
      if (const Tensor* bias = m_.FindInitializer(n.inputs[i])) return MatMulBias(n, 1 - i, *bias);
    const int a = TensorOf(n, 0), b = TensorOf(n, 1);
    const net::Shape sa = ShapeOf(a), sb = ShapeOf(b);
    if (sa.c != sb.c || sa.h != sb.h || sa.w != sb.w)
      FailNode(n, "adds tensors of " + std::to_string(sa.c) + "x" + std::to_string(sa.h) + "x" +
                      std::to_string(sa.w) + " and " + std::to_string(sb.c) + "x" + std::to_string(sb.h) +
                      "x" + std::to_string(sb.w) + " (no broadcasting on the accelerator)");
    net::Layer l;
    l.name = LayerName(n);
    l.op = net::Op::kAdd;
    l.inputs = {a, b};
    l.out = sa;
    AddLayer(l, n.outputs[0], n.name);
  }

  // Add(MatMul, constant [N] or [1,N]): the bias of the MatMul's inner product, which then writes
  // the Add's output (the QDQ export writes the two as one Gemm).
  void MatMulBias(const Node& n, size_t from, const Tensor& bias) {
    const Value& v = Get(n, from);
    const int t = v.kind == Value::Kind::kHost ? v.tensor : net::kInput;
    if (t == net::kInput || uses_[n.inputs[from]] != 1 || im_.gemm_b[size_t(t)].empty() ||
        !im_.b[size_t(t)].empty() || im_.net.layers[size_t(t)].act != Activation::kNone)
      FailNode(
          n,
          "adds the constant '" + bias.name +
              "' to something other than a MatMul read by this Add alone (only a MatMul's bias is lowered)");
    const uint32_t outs = im_.net.layers[size_t(t)].out_c;
    if (bias.NumElements() != outs || bias.dims.empty() || bias.dims.back() != outs)
      FailNode(
          n, "bias '" + bias.name + "' is " + bias.Describe() + ", not " + std::to_string(outs) + " values");
    for (size_t o = 0; o < outs; ++o) im_.b[size_t(t)].push_back(float(bias.AtDouble(o)));
    im_.tensor[size_t(t)] = n.outputs[0];
    im_.conv_out[size_t(t)] = n.outputs[0];
    im_.nodes[size_t(t)] += " + " + n.name;
    values_[n.outputs[0]] = values_.at(n.inputs[from]);
  }

  // A pool's auto_pad: NOTSET, VALID, SAME_UPPER or SAME_LOWER, else one sentence.
  std::string AutoPad(const Node& n) {
    const Attribute* auto_pad = n.Find("auto_pad");
    const std::string mode = auto_pad ? auto_pad->s : "NOTSET";
    if (mode != "NOTSET" && mode != "VALID" && mode != "SAME_UPPER" && mode != "SAME_LOWER")
      FailNode(n, "attribute auto_pad='" + mode + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
    return mode;
  }
  // One axis of a pool over `size` inputs padded by lo and hi: its outputs and, with ceil_mode,
  // how far its last window passes the padded input (as more padding at the end). onnxruntime's
  // (and PyTorch's) rule: no ceil_mode window starts in the end padding.
  struct PoolAxis {
    int64_t out, extra;
  };
  static PoolAxis PoolAxisOf(int64_t size, int64_t lo, int64_t hi, int64_t k, int64_t stride, bool ceil) {
    const int64_t span = size + lo + hi - k;
    int64_t out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
    if (ceil && (out - 1) * stride >= size + lo) --out;
    return {out, std::max<int64_t>(0, (out - 1) * stride - span)};
  }
  // A 2-D pool's pads [top, left, bottom, right] on input s: its pads, or auto_pad's as ONNX
  // defines them (SAME keeps ceil(in / stride) outputs, the odd pad at the end for SAME_UPPER, at
  // the start for SAME_LOWER; VALID pads nothing).
  std::vector<int64_t> PoolPads(const Node& n, const net::Shape& s, const std::vector<int64_t>& k,
                                const std::vector<int64_t>& st, const std::vector<int64_t>& dl) {
    const std::string mode = AutoPad(n);
    std::vector<int64_t> p = Ints(n, "pads", {0, 0, 0, 0});
    if (mode == "NOTSET" || k.size() != 2 || st.size() != 2 || dl.size() != 2) return p;
    const int64_t size[2] = {s.h, s.w};
    p.assign(4, 0);
    for (size_t i = 0; i < 2 && mode != "VALID"; ++i) {
      const int64_t out = (size[i] + st[i] - 1) / st[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * st[i] + (k[i] - 1) * dl[i] + 1 - size[i]);
      p[i] = mode == "SAME_UPPER" ? total / 2 : total - total / 2;
      p[i + 2] = total - p[i];
    }
    return p;
  }

  void MaxPool(const Node& n) {
    const int in = TensorOf(n, 0);
    if (n.outputs.size() > 1 && !n.outputs[1].empty())
      FailNode(n, "has an Indices output, which has no lowering");
    const std::vector<int64_t> k = Ints(n, "kernel_shape", {}), st = Ints(n, "strides", {1, 1}),
                               dl = Ints(n, "dilations", {1, 1});
    const std::string mode = AutoPad(n);
    const net::Shape s = ShapeOf(in);
    std::vector<int64_t> p = PoolPads(n, s, k, st, dl);
    const bool ceil = Int(n, "ceil_mode", 0) != 0;
    if (k.size() != 2 || k[0] != k[1] || st.size() != 2 || st[0] != st[1] || p.size() != 4 ||
        dl != std::vector<int64_t>{1, 1} ||
        std::any_of(p.begin(), p.end(), [&](int64_t v) { return v >= k[0]; }))
      FailNode(n, (mode == "NOTSET" ? "" : "auto_pad='" + mode + "' ") + "kernel_shape=" + DimsText(k) +
                      " strides=" + DimsText(st) + " pads=" + DimsText(p) + " dilations=" + DimsText(dl) +
                      ": the accelerator pools square windows with one stride, no dilation, each pad "
                      "smaller than the window");
    // ceil_mode: a last window that passes the input's end takes the maximum of what it covers,
    // as if the end were padded further.
    const int64_t size_in[2] = {s.h, s.w};
    for (size_t i = 0; i < 2; ++i)
      p[i + 2] += PoolAxisOf(size_in[i], p[i], p[i + 2], k[0], st[0], ceil).extra;
    // The pooling unit pads every side alike by at most size/2. Padding never wins a maximum, so
    // any other padding (asymmetric as SAME's, ceil_mode's, wider) is an identity conv padding with
    // the smallest byte first (fused with the pool into one CONV when it can), and the pool pads 0.
    const uint32_t size = uint32_t(k[0]), stride = uint32_t(st[0]);
    uint32_t pad = uint32_t(p[0]);
    int t = in;
    if (std::any_of(p.begin(), p.end(), [&](int64_t v) { return v != p[0]; }) || pad > size / 2) {
      t = IdentityConv(n, in, 1, n.outputs[0] + "_padded", LayerName(n) + "_padded",
                       {uint32_t(p[0]), uint32_t(p[1]), uint32_t(p[2]), uint32_t(p[3])});
      im_.inner.back() = im_.pad_min.back() = true;
      pad = 0;
    }
    if (size <= 3 && stride <= 2) {
      AddPool(n, t, size, stride, pad, n.outputs[0], LayerName(n));
      return;
    }
    // A chain of the pooling unit's pools (DecomposeMaxPool), the stride above 2 an identity conv.
    const MaxPoolChain chain = DecomposeMaxPool(size, stride, pad);
    for (size_t i = 0; i < chain.pools.size(); ++i) {
      const bool last = i + 1 == chain.pools.size() && chain.subsample == 1;
      const std::string at = "_stage" + std::to_string(i);
      const PoolStage& ps = chain.pools[i];
      t = AddPool(n, t, ps.size, ps.stride, ps.pad, last ? n.outputs[0] : n.outputs[0] + at,
                  last ? LayerName(n) : LayerName(n) + at);
      im_.inner.back() = !last;
    }
    if (chain.subsample > 1) IdentityConv(n, t, chain.subsample, n.outputs[0], LayerName(n));
  }

  int AddPool(const Node& n, int in, uint32_t size, uint32_t stride, uint32_t pad, const std::string& tensor,
              const std::string& name) {
    net::Layer l;
    l.name = name;
    l.op = net::Op::kMaxPool;
    l.inputs = {in};
    l.pool_size = size, l.pool_stride = stride, l.pool_pad = pad;
    const net::Shape s = ShapeOf(in);
    if (s.h + 2 * pad < size || s.w + 2 * pad < size)
      FailNode(n, "pools a " + std::to_string(s.h) + "x" + std::to_string(s.w) + " plane with a " +
                      std::to_string(size) + "x" + std::to_string(size) + " window larger than it");
    l.out = {s.c, (s.h + 2 * pad - size) / stride + 1, (s.w + 2 * pad - size) / stride + 1};
    return AddLayer(l, tensor, n.name);
  }

  // An identity depthwise 1x1 conv of stride `stride` on tensor `in`: weight 1 per channel, and
  // the exact requantization to its input's own parameters has multiplier x_scale / x_scale = 1,
  // so every byte it keeps passes unchanged (QuantizeGraph checks it). A standalone activation's
  // table, a pool's stride above 2, or a max pool's padding (`pads`: top, left, bottom, right) has
  // a layer so.
  int IdentityConv(const Node& n, int in, uint32_t stride, const std::string& tensor, const std::string& name,
                   const std::array<uint32_t, 4>& pads = {0, 0, 0, 0}) {
    const net::Shape s = ShapeOf(in);
    net::Layer l;
    l.name = name;
    l.op = net::Op::kConv;
    l.inputs = {in};
    l.out_c = l.groups = s.c;
    l.kernel_h = l.kernel_w = 1;
    l.stride_h = l.stride_w = stride;
    l.pad_top = pads[0], l.pad_left = pads[1], l.pad_bottom = pads[2], l.pad_right = pads[3];
    l.out = {s.c, (s.h + pads[0] + pads[2] - 1) / stride + 1, (s.w + pads[1] + pads[3] - 1) / stride + 1};
    l.conv_h = l.out.h, l.conv_w = l.out.w;
    const int t = AddLayer(l, tensor, n.name, std::vector<float>(s.c, 1.0f));
    im_.identity.back() = true;
    return t;
  }

  // AveragePool as the depthwise conv of weights 1/(kH*kW) (quantized and exported as any Conv's,
  // so that onnxruntime runs the export as a QLinearConv: an int32 sum and one float32 multiply).
  // onnxruntime's own QLinearAveragePool sums dequantized floats instead, which no integer sum
  // reproduces, so a pre-quantized AveragePool is refused (qdq_graph.cpp). Where windows divide by
  // fewer taps (count_include_pad=0 over padding, ceil_mode windows past the padded input), the
  // output splits into regions of one count (net::CountBands of rows times columns), each a conv of
  // weights 1/count on its window of the input (net::ConvRegion; the export writes a Conv per region).
  void AvgPool(const Node& n) {
    const int in = TensorOf(n, 0);
    const net::Shape s = ShapeOf(in);
    const std::vector<int64_t> k = Ints(n, "kernel_shape", {}), st = Ints(n, "strides", {1, 1}),
                               dl = Ints(n, "dilations", {1, 1});
    const std::vector<int64_t> p = PoolPads(n, s, k, st, dl);
    if (k.size() != 2 || st.size() != 2 || p.size() != 4)
      FailNode(n, "is not a 2-D average pool (kernel_shape=" + DimsText(k) + ")");
    if (dl != std::vector<int64_t>{1, 1})
      FailNode(n, "has dilations=" + DimsText(dl) + ", which have no lowering for an AveragePool");
    const bool include = Int(n, "count_include_pad", 0) != 0, ceil = Int(n, "ceil_mode", 0) != 0;
    net::Layer l;
    l.name = LayerName(n);
    l.op = net::Op::kConv;
    l.inputs = {in};
    l.out_c = l.groups = s.c;
    l.kernel_h = uint32_t(k[0]), l.kernel_w = uint32_t(k[1]);
    l.stride_h = uint32_t(st[0]), l.stride_w = uint32_t(st[1]);
    const int64_t size[2] = {s.h, s.w};
    int64_t out[2], extra[2];  // outputs per axis; a ceil_mode window's reach past the padded input
    for (size_t i = 0; i < 2; ++i) {
      if (size[i] + p[i] + p[i + 2] < k[i] || k[i] < 1 || st[i] < 1)
        FailNode(n, "has a window larger than its padded input");
      const PoolAxis a = PoolAxisOf(size[i], p[i], p[i + 2], k[i], st[i], ceil);
      out[i] = a.out, extra[i] = a.extra;
    }
    l.pad_top = uint32_t(p[0]), l.pad_left = uint32_t(p[1]), l.pad_bottom = uint32_t(p[2] + extra[0]),
    l.pad_right = uint32_t(p[3] + extra[1]);
    l.out = {s.c, uint32_t(out[0]), uint32_t(out[1])};
    l.conv_h = l.out.h, l.conv_w = l.out.w;
    const std::vector<net::CountBand> rows = net::CountBands(s.h, l.kernel_h, l.stride_h, l.pad_top, l.out.h,
                                                             include ? uint32_t(p[0]) : 0,
                                                             include ? uint32_t(p[2]) : 0),
                                      cols = net::CountBands(s.w, l.kernel_w, l.stride_w, l.pad_left, l.out.w,
                                                             include ? uint32_t(p[1]) : 0,
                                                             include ? uint32_t(p[3]) : 0);
    for (const std::vector<net::CountBand>* bands : {&rows, &cols})
      for (const net::CountBand& b : *bands)
        if (b.count == 0)
          FailNode(n, "pads=" + DimsText(p) + " ceil_mode=" + std::to_string(ceil) +
                          ": a window reads no input, which onnxruntime divides by 0");
    const size_t taps = size_t(k[0] * k[1]);
    if (rows.size() == 1 && cols.size() == 1) {  // one count: kH*kW, or a smaller one everywhere
      AddLayer(l, n.outputs[0], n.name,
               std::vector<float>(size_t(s.c) * taps, 1.0f / float(rows[0].count * cols[0].count)));
      return;
    }
    AddLayer(l, n.outputs[0], n.name, std::vector<float>(size_t(s.c) * taps, 1.0f));
    im_.count_rows.back() = rows, im_.count_cols.back() = cols;
  }

  // GlobalAveragePool as the depthwise conv of weights 1 over the whole plane: with the bias
  // -x_zp * H*W and the multiplier x_scale / (y_scale * H*W) (QuantizeGraph) it is onnxruntime's
  // QLinearGlobalAveragePool: an int32 sum, a float32 multiply, round half to even, + y_zp.
  void GlobalAvgPool(const Node& n) {
    const int in = TensorOf(n, 0);
    const net::Shape s = ShapeOf(in);
    if (uint64_t(s.h) * s.w >= 1u << 24)
      FailNode(n, "averages planes of " + std::to_string(uint64_t(s.h) * s.w) +
                      " pixels, onnxruntime's limit is 2^24");
    net::Layer l;
    l.name = LayerName(n);
    l.op = net::Op::kConv;
    l.inputs = {in};
    l.out_c = l.groups = s.c;
    l.kernel_h = s.h, l.kernel_w = s.w;
    l.out = {s.c, 1, 1};
    l.conv_h = l.conv_w = 1;
    const uint32_t count = s.h * s.w;
    AddLayer(l, n.outputs[0], n.name, std::vector<float>(size_t(s.c) * count, 1.0f / float(count)));
    im_.avg_count.back() = count;
  }

  // Gemm (transA 0) on a layer's output flattened to [1, C*H*W] (Flatten, Reshape): the inner
  // product, run as the conv whose kernel is the whole plane (a flatten's order is C, H, W);
  // alpha and beta folded into the float weights and bias. One weight scale (per tensor), so
  // that onnxruntime's QGemm takes the QDQ export.
  void Gemm(const Node& n) {
    const Value& v = Get(n, 0);
    if (v.kind != Value::Kind::kHost || v.tensor == net::kInput || !v.perms.empty() || v.dims.size() != 2 ||
        v.dims[0] != 1)
      FailNode(n, "reads '" + n.inputs[0] + "', " + DimsText(v.dims) +
                      ", which is not a layer's output flattened to [1,K] (the inner product's input)");
    const int in = v.tensor;
    const net::Shape s = ShapeOf(in);
    if (Int(n, "transA", 0) != 0) FailNode(n, "has transA=1, but the inner product's input is one row");
    // MatMul [1,K] x [K,N]: a Gemm with transB 0 and no bias (an Add of a constant after it is one).
    const bool tb = Int(n, "transB", 0) != 0;
    const Attribute *alpha_attr = n.Find("alpha"), *beta_attr = n.Find("beta");
    const double alpha = alpha_attr ? alpha_attr->f : 1.0, beta = beta_attr ? beta_attr->f : 1.0;
    const Tensor& bt = Initializer(n, 1, "B");
    const int64_t k = int64_t(s.Elements());
    if (bt.type != DataType::kFloat || bt.dims.size() != 2 || bt.dims[tb ? 1 : 0] != k)
      FailNode(n, "B '" + n.inputs[1] + "' is " + bt.Describe() + ", but its input has " + std::to_string(k) +
                      " values (transB=" + std::to_string(tb) + ")");
    const int64_t outs = bt.dims[tb ? 0 : 1];
    std::vector<float> w(size_t(outs * k)), b;
    for (int64_t o = 0; o < outs; ++o)
      for (int64_t i = 0; i < k; ++i)
        w[size_t(o * k + i)] = float(alpha * bt.AtDouble(size_t(tb ? o * k + i : i * outs + o)));
    if (n.op_type == "Gemm" && n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const Tensor& ct = Initializer(n, 2, "C");
      if (ct.NumElements() != size_t(outs) || ct.dims.empty() || ct.dims.back() != outs)
        FailNode(n, "C '" + n.inputs[2] + "' is " + ct.Describe() + ", not a bias of " +
                        std::to_string(outs) + " values");
      for (int64_t o = 0; o < outs; ++o) b.push_back(float(beta * ct.AtDouble(size_t(o))));
    }
    net::Layer l;
    l.name = LayerName(n);
    l.op = net::Op::kConv;
    l.inputs = {in};
    l.out_c = uint32_t(outs);
    l.kernel_h = s.h, l.kernel_w = s.w;
    l.out = {l.out_c, 1, 1};
    l.conv_h = l.conv_w = 1;
    AddLayer(l, n.outputs[0], n.name, std::move(w), std::move(b));
    im_.gemm_b.back() = bt.dims;
    im_.gemm_trans_b.back() = tb;
    values_[n.outputs[0]].dims = {1, outs};
  }

  void Zeros(const Node& n) {
    const Tensor& s = Initializer(n, 0, "shape");
    Value v;
    v.kind = Value::Kind::kZeros;
    for (size_t i = 0; i < s.NumElements(); ++i) v.dims.push_back(s.AtInt(i));
    if (const Attribute* a = n.Find("value")) {
      for (size_t i = 0; i < a->t.NumElements(); ++i)
        if (a->t.AtDouble(i) != 0)
          FailNode(n, "fills with " + a->t.Format(i) + ", but only zeros have a lowering");
    }
    if (v.dims.size() != 4 || v.dims[0] != 1)
      FailNode(n, "makes a tensor of " + DimsText(v.dims) + ", not [1,C,H,W] zeros");
    values_[n.outputs[0]] = v;
    zeros_node_[n.outputs[0]] = n.name;
  }

  void Concat(const Node& n) {
    int64_t axis = Int(n, "axis", 1);
    if (axis != 1 && axis != -3)
      FailNode(n, "concatenates on axis=" + std::to_string(axis) + ", not channels (1)");
    int first = -2;
    for (size_t i = 0; i < n.inputs.size(); ++i)
      if (Get(n, i).kind != Value::Kind::kZeros) {
        first = TensorOf(n, i);
        break;
      }
    if (first == -2) FailNode(n, "concatenates constants only");
    const net::Shape fs = ShapeOf(first);
    net::Layer l;
    l.name = LayerName(n);
    l.op = net::Op::kConcat;
    l.out = {0, fs.h, fs.w};
    std::string nodes = n.name;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const Value v = Get(n, i);
      int t;
      if (v.kind == Value::Kind::kZeros) {
        if (v.dims[2] != fs.h || v.dims[3] != fs.w)
          FailNode(n, "pads channels with zeros of " + DimsText(v.dims));
        net::Layer z;  // a 1x1 conv with zero weights: every output byte is its zero point (real 0)
        z.name = LayerName(n) + ".zeros_" + std::to_string(i);
        z.op = net::Op::kConv;
        z.inputs = {first};
        z.out_c = uint32_t(v.dims[1]);
        z.out = {z.out_c, fs.h, fs.w};
        z.conv_h = fs.h, z.conv_w = fs.w;
        t = AddLayer(z, n.inputs[i], zeros_node_.at(n.inputs[i]),
                     std::vector<float>(size_t(z.out_c) * fs.c, 0.0f), {}, true);
      } else {
        t = TensorOf(n, i);
        const net::Shape s = ShapeOf(t);
        if (s.h != fs.h || s.w != fs.w) FailNode(n, "concatenates planes of different sizes");
      }
      l.inputs.push_back(t);
      l.out.c += ShapeOf(t).c;
    }
    AddLayer(l, n.outputs[0], nodes);
  }

  std::string LayerName(const Node& n) const {
    std::string s = n.name.substr(std::min(prefix_, n.name.size()));
    std::replace(s.begin(), s.end(), '/', '.');
    std::replace(s.begin(), s.end(), ':', '.');
    return s.empty() ? n.name : s;
  }

  const Model& m_;
  size_t prefix_ = std::string::npos;
  Imported im_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;
  std::map<std::string, std::string> zeros_node_;
  std::map<std::string, Upsampled> upsampled_;  // by the zero insertion's output
  bool input_set_ = false;

  // The network input's (C, H, W) once its layout is NCHW.
  void SetInput(const std::vector<int64_t>& nchw) {
    im_.net.input = {uint32_t(nchw[1]), uint32_t(nchw[2]), uint32_t(nchw[3])};
    input_set_ = true;
  }
};

Imported ImportGraph(const Model& m) {
  const Model folded = FoldGraph(m);
  return Importer(folded).Run();
}

// The float graph input as the network's (C, H, W) input: NHWC transposed, the host's pads
// filled with `pad_value` (float 0; its quantized byte for GraphInput).
template <typename T, typename Get>
void Arrange(const Imported& im, T pad_value, Get get, std::vector<T>* out) {
  const net::Shape& s = im.net.input;
  out->assign(s.Elements(), pad_value);
  const int64_t c = s.c, h = s.h - im.pad[0] - im.pad[2], w = s.w - im.pad[1] - im.pad[3];
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        const size_t from = size_t(im.nhwc ? (y * w + x) * c + ci : (ci * h + y) * w + x);
        (*out)[(size_t(ci) * s.h + y + im.pad[0]) * s.w + x + im.pad[1]] = get(from);
      }
}

void CheckInput(const Imported& im, const Tensor& x, const std::string& what) {
  if (x.type != DataType::kFloat || x.dims != im.input_dims)
    throw OnnxError(what + " '" + x.name + "' is " + x.Describe() + ", but graph input '" + im.input_name +
                    "' is float " + DimsText(im.input_dims));
}

// Every layer's float output (after a fused activation) on one input: the calibration's ranges and
// the float reference of the accuracy. `before`: each table activation's input (empty elsewhere).
std::vector<FTensor> RunLayersFloat(const Imported& im, const Tensor& x,
                                    std::vector<FTensor>* before = nullptr) {
  FTensor in(im.net.input.c, im.net.input.h, im.net.input.w);
  Arrange<float>(
      im, 0.0f, [&](size_t i) { return float(x.AtDouble(i)); }, &in.v);
  std::vector<FTensor> out;
  for (size_t li = 0; li < im.net.layers.size(); ++li) {
    const net::Layer& l = im.net.layers[li];
    auto input = [&](size_t k) -> const FTensor& {
      return l.inputs[k] == net::kInput ? in : out[size_t(l.inputs[k])];
    };
    const FTensor& a = input(0);
    FTensor y(l.out.c, l.out.h, l.out.w);
    switch (l.op) {
      case net::Op::kConv: {
        const std::vector<float>& w = im.w[li];
        const uint32_t gin = a.c / l.groups, gout = l.out_c / l.groups;
        for (uint32_t co = 0; co < l.out_c; ++co)
          for (uint32_t oy = 0; oy < l.out.h; ++oy)
            for (uint32_t ox = 0; ox < l.out.w; ++ox) {
              float acc = im.b[li].empty() ? 0.0f : im.b[li][co];
              for (uint32_t ci = 0; ci < gin; ++ci)
                for (uint32_t r = 0; r < l.kernel_h; ++r)
                  for (uint32_t s = 0; s < l.kernel_w; ++s) {
                    const int64_t iy = int64_t(oy) * l.stride_h + int64_t(r) * l.dil_h - l.pad_top,
                                  ix = int64_t(ox) * l.stride_w + int64_t(s) * l.dil_w - l.pad_left;
                    if (iy < 0 || ix < 0 || iy >= a.h || ix >= a.w) continue;
                    acc += w[((size_t(co) * gin + ci) * l.kernel_h + r) * l.kernel_w + s] *
                           a.At(co / gout * gin + ci, uint32_t(iy), uint32_t(ix));
                  }
              y.At(co, oy, ox) = acc;
            }
        for (const net::CountBand& rb : im.count_rows[li])  // an AveragePool's sums by their counts
          for (const net::CountBand& cb : im.count_cols[li])
            for (uint32_t co = 0; co < l.out_c; ++co)
              for (uint32_t oy = rb.first; oy < rb.first + rb.size; ++oy)
                for (uint32_t ox = cb.first; ox < cb.first + cb.size; ++ox)
                  y.At(co, oy, ox) /= float(rb.count * cb.count);
        break;
      }
      case net::Op::kDeconv: {  // ref::Deconv2d's scatter, in float
        const std::vector<float>& w = im.w[li];
        const uint32_t gin = a.c / l.groups, gout = l.out_c / l.groups;
        for (uint32_t co = 0; co < l.out_c; ++co)
          std::fill(y.v.begin() + long(size_t(co) * y.h * y.w),
                    y.v.begin() + long(size_t(co + 1) * y.h * y.w), im.b[li].empty() ? 0.0f : im.b[li][co]);
        for (uint32_t co = 0; co < l.out_c; ++co)
          for (uint32_t ci = 0; ci < gin; ++ci)
            for (uint32_t iy = 0; iy < a.h; ++iy)
              for (uint32_t ix = 0; ix < a.w; ++ix)
                for (uint32_t r = 0; r < l.kernel_h; ++r)
                  for (uint32_t s = 0; s < l.kernel_w; ++s) {
                    const int64_t oy = int64_t(iy) * l.stride_h + int64_t(r) * l.dil_h - l.pad_top,
                                  ox = int64_t(ix) * l.stride_w + int64_t(s) * l.dil_w - l.pad_left;
                    if (oy < 0 || ox < 0 || oy >= y.h || ox >= y.w) continue;
                    y.At(co, uint32_t(oy), uint32_t(ox)) +=
                        w[((size_t(co) * gin + ci) * l.kernel_h + r) * l.kernel_w + s] *
                        a.At(co / gout * gin + ci, iy, ix);
                  }
        break;
      }
      case net::Op::kAdd:
        for (size_t e = 0; e < y.v.size(); ++e) y.v[e] = a.v[e] + input(1).v[e];
        break;
      case net::Op::kMaxPool:
        for (uint32_t c = 0; c < y.c; ++c)
          for (uint32_t oy = 0; oy < y.h; ++oy)
            for (uint32_t ox = 0; ox < y.w; ++ox) {
              float m = -std::numeric_limits<float>::infinity();
              for (uint32_t r = 0; r < l.pool_size; ++r)
                for (uint32_t s = 0; s < l.pool_size; ++s) {
                  const int64_t iy = int64_t(oy) * l.pool_stride + r - l.pool_pad,
                                ix = int64_t(ox) * l.pool_stride + s - l.pool_pad;
                  if (iy >= 0 && ix >= 0 && iy < a.h && ix < a.w)
                    m = std::max(m, a.At(c, uint32_t(iy), uint32_t(ix)));
                }
              y.At(c, oy, ox) = m;
            }
        break;
      case net::Op::kConcat: {
        size_t at = 0;
        for (size_t k = 0; k < l.inputs.size(); ++k) {
          std::copy(input(k).v.begin(), input(k).v.end(), y.v.begin() + long(at));
          at += input(k).v.size();
        }
        break;
      }
      default:
        throw OnnxError("layer '" + l.name + "' has no float operator");
    }
    if (l.act == Activation::kRelu)
      for (float& v : y.v) v = float(std::min(double(std::max(v, 0.0f)), im.act_max[li]));
    if (before) before->push_back(im.table[li] ? y : FTensor());
    if (im.table[li])
      for (float& v : y.v) v = ApplyActivation(*im.table[li], v);
    out.push_back(std::move(y));
  }
  return out;
}

// A tensor of `dims` from the (C, H, W) data of [1, C, H, W] transposed by each perm in turn.
template <typename T>
std::vector<T> HostLayout(const std::vector<T>& chw, const net::Shape& s, const GraphOutput& o) {
  std::vector<int64_t> dims{1, s.c, s.h, s.w};
  std::vector<T> data = chw;
  for (const std::vector<int64_t>& perm : o.perms) {
    std::vector<int64_t> stride(dims.size(), 1), out_dims = Transposed(dims, perm);
    for (size_t i = dims.size() - 1; i > 0; --i) stride[i - 1] = stride[i] * dims[i];
    std::vector<T> next(data.size());
    std::vector<int64_t> idx(dims.size(), 0);
    for (size_t e = 0; e < next.size(); ++e) {  // idx: the output's index, odometer order
      int64_t from = 0;
      for (size_t k = 0; k < perm.size(); ++k) from += idx[k] * stride[size_t(perm[k])];
      next[e] = data[size_t(from)];
      for (size_t k = idx.size(); k-- > 0;)
        if (++idx[k] < out_dims[k])
          break;
        else
          idx[k] = 0;
    }
    data = std::move(next), dims = out_dims;
  }
  return data;
}

// Union-find over the network's tensors (slot 0 the input, slot i + 1 layer i).
struct Groups {
  std::vector<size_t> parent;
  explicit Groups(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), size_t(0)); }
  size_t Find(size_t a) { return parent[a] == a ? a : parent[a] = Find(parent[a]); }
  void Join(size_t a, size_t b) { parent[Find(a)] = Find(b); }
};
size_t Slot(int tensor) { return size_t(tensor + 1); }

// A pre-quantized model's parameters for every network tensor (slot), checked against what the
// accelerator computes exactly as onnxruntime does; anything else is one sentence.
// ParamsText in the model's own type: GivenQuant keeps an int8 tensor as uint8 (zero point + 128).
std::string ModelParamsText(const GivenQuant* given, const std::string& t, QuantParams q) {
  if (given && given->int8.count(t)) q.zero_point -= 128, q.is_signed = true;
  return ParamsText(t, q);
}

std::vector<QuantParams> GivenParams(const Imported& im, const GivenQuant& given) {
  const net::Network& nw = im.net;
  auto node = [&](size_t li) {
    const std::string name = im.nodes[li].substr(0, im.nodes[li].find(" + "));
    const auto op = given.ops.find(name);
    return "node '" + name + "' (" + (op != given.ops.end() ? op->second : net::ToString(nw.layers[li].op)) +
           ")";
  };
  std::vector<QuantParams> qp(nw.layers.size() + 1);
  for (size_t s = 0; s < qp.size(); ++s) {
    if (s && im.inner[s - 1]) {  // a MaxPool's inner stage or padding: its input's bytes
      qp[s] = qp[Slot(nw.layers[s - 1].inputs[0])];
      continue;
    }
    const std::string& t = s ? im.tensor[s - 1] : im.input_name;
    const auto it = given.acts.find(t);
    const std::string who = s ? node(s - 1) + ": its output" : "graph input";
    if (it == given.acts.end())
      throw OnnxError(
          who + " '" + t +
          "' has no QuantizeLinear/DequantizeLinear parameters (a pre-quantized graph fixes every "
          "activation's scale and zero point)");
    qp[s] = it->second;
  }
  for (size_t li = 0; li < nw.layers.size(); ++li) {
    const net::Layer& l = nw.layers[li];
    const QuantParams& y = qp[li + 1];
    for (size_t k = 0; k < l.inputs.size(); ++k) {
      const QuantParams& x = qp[Slot(l.inputs[k])];
      const std::string in = ModelParamsText(
          &given, l.inputs[k] == net::kInput ? im.input_name : im.tensor[size_t(l.inputs[k])], x);
      const bool copies =
          l.op == net::Op::kMaxPool || l.op == net::Op::kConcat || (im.identity[li] && !im.table[li]);
      if (copies && (x.scale != y.scale || x.zero_point != y.zero_point))
        throw OnnxError(node(li) + ": input " + in + " and output " +
                        ModelParamsText(&given, im.tensor[li], y) + " differ, but the accelerator's " +
                        net::ToString(l.op) + " copies bytes (a requantization inside it has no lowering)");
      // An add of other scales is onnxruntime's QLinearAdd (ref::QLinearAddValue): the ratios
      // must keep every result within int32 (where MLAS's conversion and f2i agree).
      if (l.op == net::Op::kAdd && !(double(x.scale) / double(y.scale) < 1 << 20))
        throw OnnxError(node(li) + ": adds input " + in + " into output " +
                        ModelParamsText(&given, im.tensor[li], y) +
                        ", a scale ratio above 2^20, where the accelerator's float32 add and onnxruntime's "
                        "QLinearAdd may differ");
    }
    if (l.act == Activation::kRelu && y.zero_point != 0)
      throw OnnxError(node(li) +
                      ": a fused Relu or Clip needs its output's zero point at the type's minimum (0 for "
                      "uint8, -128 for int8: onnxruntime removes the activation only then), but output " +
                      ModelParamsText(&given, im.tensor[li], y) + " has not");
    if (std::isfinite(im.act_max[li]) && !im.table[li] && double(y.scale) * 255 > im.act_max[li] * (1 + 1e-6))
      throw OnnxError(node(li) + ": clips at " + std::to_string(im.act_max[li]) + ", but output " +
                      ModelParamsText(&given, im.tensor[li], y) + " reaches " +
                      std::to_string(double(y.scale) * 255) +
                      " (the uint8 saturation is the clip only when 255 steps stay within max)");
  }
  return qp;
}

// How the QDQ export writes a deconv: the zero insertion (stride - 1 zeros between the pixels,
// cropped where the deconv's pads pass the kernel's reach), then a Conv of the flipped kernel with
// pads of the kernel's reach minus the deconv's pads (plus its output padding at the end).
ConvQuant::ZeroInsertion ZeroInsertionOf(const net::Layer& l, uint32_t channels) {
  ConvQuant::ZeroInsertion z;
  z.channels = channels, z.group = l.groups;
  z.strides = {l.stride_h, l.stride_w}, z.dilations = {l.dil_h, l.dil_w};
  const int64_t reach[2] = {int64_t(l.dil_h) * (l.kernel_h - 1), int64_t(l.dil_w) * (l.kernel_w - 1)};
  const int64_t side[4] = {reach[0] - l.pad_top, reach[1] - l.pad_left, reach[0] - l.pad_bottom + l.out_pad_h,
                           reach[1] - l.pad_right + l.out_pad_w};
  for (const int64_t v : side)
    z.crop.push_back(std::max<int64_t>(-v, 0)), z.pads.push_back(std::max<int64_t>(v, 0));
  return z;
}

// A pre-quantized zero insertion must keep its input's parameters (its QuantizeLinear is then exact,
// and its inserted zeros are the input's zero point, DECONV's pad_value).
void CheckZeroInsertion(const Imported& im, size_t li, const QuantParams& x, const GivenQuant* given) {
  if (!given || im.upsampled[li].empty()) return;
  const net::Layer& l = im.net.layers[li];
  const std::string in = l.inputs[0] == net::kInput ? im.input_name : im.tensor[size_t(l.inputs[0])];
  const auto it = given->acts.find(im.upsampled[li]);
  if (it == given->acts.end() || it->second.scale != x.scale || it->second.zero_point != x.zero_point)
    throw OnnxError("node '" + im.nodes[li].substr(0, im.nodes[li].find(" + ")) +
                    "' (Conv): its zero insertion '" + im.upsampled[li] +
                    "' is quantized otherwise than its input " + ModelParamsText(given, in, x) +
                    ", which the accelerator's DECONV cannot requantize");
}

}  // namespace

MaxPoolChain DecomposeMaxPool(uint32_t size, uint32_t stride, uint32_t pad) {
  // Stride-1 pools compose: windows of sizes k1 and k2 (pads q1, q2) make one of k1 + k2 - 1 (pad
  // q1 + q2), since the pad byte is the minimum and never wins and every window keeps a real value
  // (pad < size). So k / 2 pools: a 2x2 first when k is even, then 3x3s, the pads one each on the
  // last ones (a 2x2 of pad 1 widens its input, which a column strip cannot hold); the stride on the last (a
  // 3x3 unless k is 2), or, above the unit's 2, kept by a subsampling after stride-1 pools.
  MaxPoolChain c;
  for (uint32_t i = 0; i < size / 2; ++i)
    c.pools.push_back({i == 0 && size % 2 == 0 ? 2u : 3u, 1, i + pad >= size / 2 ? 1u : 0u});
  if (stride > 2 || c.pools.empty())
    c.subsample = stride;
  else
    c.pools.back().stride = stride;
  return c;
}

std::vector<Tensor> SyntheticImages(const std::vector<int64_t>& dims, int count, uint64_t seed) {
  const bool nchw = dims.size() == 4 && dims[1] == 3 && dims[3] != 3;  // [1,3,H,W]: planar
  const std::vector<int64_t> nhwc = nchw ? std::vector<int64_t>{1, dims[2], dims[3], 3} : dims;
  if (nhwc.size() != 4 || nhwc[0] != 1 || nhwc[3] != 3 || nhwc[1] < 8 || nhwc[2] < 8)
    throw OnnxError("synthetic images: dims " + DimsText(dims) +
                    " are not [1,H,W,3] or [1,3,H,W] with H and W at least 8");
  SplitMix64 rng(seed);
  auto uni = [&](double lo, double hi) { return lo + (hi - lo) * double(rng.Next() >> 11) * 0x1p-53; };
  const int64_t h = nhwc[1], w = nhwc[2];
  std::vector<Tensor> images;
  for (int i = 0; i < count; ++i) {
    double c0[3], c1[3];
    for (int k = 0; k < 3; ++k) c0[k] = uni(-1, 1), c1[k] = uni(-1, 1);
    struct Blob {
      double y, x, r, c[3];
    };
    std::vector<Blob> blobs(4);
    for (Blob& b : blobs) {
      b = {uni(0, 1), uni(0, 1), uni(0.05, 0.3), {uni(-1, 1), uni(-1, 1), uni(-1, 1)}};
    }
    const double fy = uni(0.3, 0.7), fx = uni(0.3, 0.7), fr = uni(0.12, 0.35);
    const double skin[3] = {uni(0.2, 0.9), uni(-0.1, 0.5), uni(-0.4, 0.3)};
    std::vector<double> v(size_t(h * w * 3));
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        const double u = double(y) / double(h - 1), t = double(x) / double(w - 1);
        double px[3];
        for (int k = 0; k < 3; ++k) px[k] = c0[k] + (c1[k] - c0[k]) * (u + t) / 2;
        for (const Blob& b : blobs) {
          const double a = std::exp(-((u - b.y) * (u - b.y) + (t - b.x) * (t - b.x)) / (b.r * b.r));
          for (int k = 0; k < 3; ++k) px[k] += (b.c[k] - px[k]) * a;
        }
        const double dy = (u - fy) / (1.25 * fr), dx = (t - fx) / fr;
        if (dy * dy + dx * dx < 1) {
          for (int k = 0; k < 3; ++k) px[k] = skin[k];
          const double ey = (u - (fy - 0.3 * fr)), ex1 = t - (fx - 0.4 * fr), ex2 = t - (fx + 0.4 * fr);
          const double er = 0.15 * fr;
          const bool eye = ey * ey + ex1 * ex1 < er * er || ey * ey + ex2 * ex2 < er * er;
          const bool mouth = std::fabs(u - (fy + 0.55 * fr)) < 0.06 * fr && std::fabs(t - fx) < 0.35 * fr;
          if (eye || mouth)
            for (int k = 0; k < 3; ++k) px[k] = -0.8;
        }
        for (int k = 0; k < 3; ++k) v[size_t((y * w + x) * 3 + k)] = std::clamp(px[k], -1.0, 1.0);
      }
    if (nchw) {
      std::vector<double> planar(v.size());
      for (int64_t e = 0; e < h * w * 3; ++e) planar[size_t(e % 3 * h * w + e / 3)] = v[size_t(e)];
      v = std::move(planar);
    }
    images.push_back(MakeFloatTensor(DataType::kFloat, dims, v));
    images.back().name = "image_" + std::to_string(i);
  }
  return images;
}

bool IsFloatGraph(const Model& model) {
  return model.nodes.size() > 1 && model.inputs.size() == 1 && model.inputs[0].type == DataType::kFloat;
}

QuantizedGraph QuantizeGraph(const Model& model, const Tensor& run, const std::vector<Tensor>& calibration,
                             const GivenQuant* given) {
  const Imported im = ImportGraph(model);
  const net::Network& nw = im.net;
  const size_t slots = nw.layers.size() + 1;
  CheckInput(im, run, "the run input");
  for (const Tensor& t : calibration) CheckInput(im, t, "calibration tensor");

  // Float ranges over the calibration inputs, 0 always included.
  std::vector<double> lo(slots, 0), hi(slots, 0);
  std::vector<double> table_lo(nw.layers.size(), 0), table_hi(nw.layers.size(), 0);  // a table's input
  const std::vector<Tensor> own{run};
  for (const Tensor& x : given ? std::vector<Tensor>{} : calibration.empty() ? own : calibration) {
    for (size_t i = 0; i < x.NumElements(); ++i)
      lo[0] = std::min(lo[0], x.AtDouble(i)), hi[0] = std::max(hi[0], x.AtDouble(i));
    std::vector<FTensor> before;
    const std::vector<FTensor> f = RunLayersFloat(im, x, &before);
    for (size_t li = 0; li < f.size(); ++li) {
      for (const float v : f[li].v)
        lo[li + 1] = std::min(lo[li + 1], double(v)), hi[li + 1] = std::max(hi[li + 1], double(v));
      for (const float v : before[li].v)
        table_lo[li] = std::min(table_lo[li], double(v)), table_hi[li] = std::max(table_hi[li], double(v));
    }
  }
  // One scale and zero point: a max pool's input and output, a concat's inputs and output. One
  // scale (zero points may differ): an add's inputs and output, so that the add is exact integer
  // arithmetic (onnxruntime's QLinearAdd with scale ratios exactly 1).
  Groups same(slots), scale_group(slots);
  for (size_t li = 0; li < nw.layers.size(); ++li) {
    const net::Layer& l = nw.layers[li];
    if (l.op == net::Op::kMaxPool || l.op == net::Op::kConcat || (im.identity[li] && !im.table[li]))
      for (const int t : l.inputs) same.Join(Slot(t), li + 1), scale_group.Join(Slot(t), li + 1);
    if (l.op == net::Op::kAdd)
      for (const int t : l.inputs) scale_group.Join(Slot(t), li + 1);
  }
  for (size_t li = 0; li < nw.layers.size(); ++li) hi[li + 1] = std::min(hi[li + 1], im.act_max[li]);
  std::vector<double> glo(slots, 0), ghi(slots, 0);
  for (size_t s = 0; s < slots; ++s) {
    const size_t r = same.Find(s);
    glo[r] = std::min(glo[r], lo[s]), ghi[r] = std::max(ghi[r], hi[s]);
  }
  std::vector<float> gscale(slots, 0.0f);
  for (size_t s = 0; s < slots; ++s)
    if (same.Find(s) == s) {
      const float own_scale = RangeToParams(glo[s], ghi[s], false).scale;
      float& g = gscale[scale_group.Find(s)];
      g = std::max(g, own_scale);
    }
  // A Clip(0, max)'s output: 255 steps of its scale at most max, so that the uint8 saturation is
  // the clip and onnxruntime removes the Clip (ClipQuantFusion: Q's upper scale * 255 within
  // FLT_EPSILON of max). RangeToParams' max / 255 may round above; a shared scale far above is refused.
  for (size_t li = 0; li < nw.layers.size(); ++li) {
    const double max = im.act_max[li];
    if (!std::isfinite(max) || given) continue;
    float& g = gscale[scale_group.Find(li + 1)];
    if (double(g) * 255 > max * (1 + 1e-6))
      throw OnnxError("layer '" + nw.layers[li].name + "' (" + im.nodes[li] + ") clips at " +
                      std::to_string(max) + " but shares the scale " + std::to_string(g) +
                      " of a wider tensor (an Add's or Concat's)");
    while (g * 255.0f > float(max)) g = std::nextafter(g, 0.0f);
  }
  std::vector<QuantParams> qp(slots);
  for (size_t s = 0; s < slots; ++s) {
    const size_t r = same.Find(s);
    qp[s].scale = gscale[scale_group.Find(s)];
    qp[s].zero_point = int32_t(std::clamp(std::nearbyint(-glo[r] / double(qp[s].scale)), 0.0, 255.0));
  }
  if (given) qp = GivenParams(im, *given);

  QuantizedGraph g;
  g.input_name = im.input_name;
  g.input_dims = im.input_dims;
  g.input_nhwc = im.nhwc;
  g.pad_top = im.pad[0], g.pad_left = im.pad[1], g.pad_bottom = im.pad[2], g.pad_right = im.pad[3];
  g.x = qp[0];
  g.outputs = im.outputs;
  g.samples = calibration.size();
  g.acts[im.input_name] = {qp[0], lo[0], hi[0]};
  net::QuantNetwork& q = g.q;
  q.net = nw;
  q.input_scale = qp[0].scale;
  for (size_t li = 0; li < nw.layers.size(); ++li) {
    const net::Layer& l = nw.layers[li];
    const QuantParams& y = qp[li + 1];
    g.acts[im.tensor[li]] = {y, lo[li + 1], hi[li + 1]};
    g.layer_node[l.name] = im.nodes[li];
    net::QuantLayer ql;
    ql.name = l.name;
    ql.op = l.op;
    ql.inputs = l.inputs;
    for (const int t : l.inputs)
      ql.in_scales.push_back(qp[Slot(t)].scale), ql.input_names.push_back(nw.NameOf(t));
    ql.spec = net::SpecOf(nw, l);
    ql.pool_size = l.pool_size, ql.pool_stride = l.pool_stride, ql.pool_pad = l.pool_pad;
    ql.out_scale = y.scale;
    ql.out_zero_point = y.zero_point;
    const bool relu = l.act == Activation::kRelu;
    if (relu && y.zero_point != 0)
      throw OnnxError("layer '" + l.name + "' (" + im.nodes[li] +
                      ") ends in a Relu but its output's zero point is " + std::to_string(y.zero_point) +
                      " (it shares one with a tensor below 0)");
    if (l.op == net::Op::kConv || l.op == net::Op::kDeconv) {
      const QuantParams& x = qp[Slot(l.inputs[0])];
      const bool deconv = l.op == net::Op::kDeconv;
      // The conv's own output: the layer's, or a table activation's input with its own parameters.
      QuantParams conv_y = y;
      if (im.identity[li]) conv_y = x;  // the table reads the input's own bytes
      if (im.table[li] && !given && !im.identity[li])
        conv_y = RangeToParams(table_lo[li], table_hi[li], false);
      if (im.table[li] && given && !im.identity[li]) {
        const auto it = given->acts.find(im.conv_out[li]);
        if (it == given->acts.end())
          throw OnnxError(im.nodes[li] + ": the activation's input '" + im.conv_out[li] +
                          "' has no QuantizeLinear/DequantizeLinear parameters (its table maps its bytes)");
        conv_y = it->second;
      }
      if (im.table[li] && !im.identity[li]) g.acts[im.conv_out[li]] = {conv_y, table_lo[li], table_hi[li]};
      // Padding (and a deconv's inserted gaps) read the input's zero point (pad_value), real 0 as
      // ONNX pads and a zero insertion, so that the zero point folds into the bias over every tap
      // (below).
      if (deconv) CheckZeroInsertion(im, li, x, given);
      if (deconv || l.pad_top || l.pad_bottom || l.pad_left || l.pad_right)
        ql.spec->pad_value = im.pad_min[li] ? 0 : uint8_t(x.zero_point);  // a max pool's: the minimum
      const uint32_t cout = l.out_c, per = uint32_t(im.w[li].size() / cout);
      const uint32_t avg = im.avg_count[li];
      // Symmetric per output channel, as QuantizeFloatModel; a Gemm's one scale for the matrix; an
      // average pool's weights 1.
      const std::string conv_node = im.nodes[li].substr(0, im.nodes[li].find(" + "));
      const GivenWeights* gw =
          given && given->weights.count(conv_node) ? &given->weights.at(conv_node) : nullptr;
      SymmetricWeights sw =
          gw ? SymmetricWeights{gw->w_scale, deconv ? FlipKernels(gw->w, l.kernel_h, l.kernel_w) : gw->w}
             // a Conv's given
             : QuantizeWeights(im.w[li], cout, false, !im.gemm_b[li].empty(),
                               avg || im.identity[li] ? 1.0f : 127.0f);
      const std::vector<int64_t>& wq = sw.values;
      ConvQuant cq;
      cq.w_scale = std::move(sw.scale);
      cq.bias_scale.resize(cout);
      std::vector<int64_t> bq(cout, 0);
      ql.weights = ref::Weights(cout, nw.ShapeOf(l.inputs[0]).c / l.groups, l.kernel_h, l.kernel_w, true);
      for (size_t e = 0; e < wq.size(); ++e) ql.weights.data[e] = uint8_t(int8_t(wq[e]));
      ql.bias.resize(cout);
      ql.params.resize(cout);
      // A channel's parameters: the input's zero point folded into the bias (exact, padding and
      // gaps read it too: pad_value), the float32 multiplier as onnxruntime computes it.
      auto channel = [&](int64_t bias, int64_t sum, float w_scale) {
        ref::ChannelParams cp;
        cp.bias = int32_t(bias - int64_t(x.zero_point) * sum);
        cp.zero_point = int16_t(conv_y.zero_point);
        cp.multiplier = avg ? x.scale / (y.scale * float(avg))     // QLinearGlobalAveragePool's order
                            : (x.scale * w_scale) / conv_y.scale;  // float32, left to right, as onnxruntime
        const ref::ChannelParams fused = compiler::FusedOf(cp);  // FUSED_RELU's nearest, for --requant fused
        cp.scale = fused.scale, cp.shift = fused.shift;
        return cp;
      };
      for (uint32_t c = 0; c < cout; ++c) {
        cq.bias_scale[c] = x.scale * cq.w_scale[c];
        const int64_t sum = std::accumulate(wq.begin() + c * per, wq.begin() + (c + 1) * per, int64_t(0));
        if (gw && !gw->bias.empty()) {
          bq[c] = gw->bias[c];  // the model's int32, as onnxruntime adds it
        } else if (!im.b[li].empty()) {
          const double v = std::nearbyint(double(im.b[li][c]) / double(cq.bias_scale[c]));
          if (!(std::fabs(v) < 1 << 29))
            throw OnnxError(im.nodes[li] + ": bias of output channel " + std::to_string(c) + " (" +
                            std::to_string(im.b[li][c]) + ") over its scale " +
                            std::to_string(cq.bias_scale[c]) + " does not fit the accumulator");
          bq[c] = int64_t(v);
        }
        ql.params[c] = channel(bq[c], sum, cq.w_scale[c]);
        ql.bias[c] = ql.params[c].bias;
        if (im.identity[li] && (ql.params[c].multiplier != 1.0f || wq[c] != 1))
          throw std::logic_error("nnac: the identity conv of " + im.nodes[li] + " does not copy its bytes");
      }
      // An AveragePool of varying divisor: per region of one count the weights 1/count quantized
      // as any conv's (per channel), their multiplier and bias; the export's Conv per region.
      for (const net::CountBand& rb : im.count_rows[li])
        for (const net::CountBand& cb : im.count_cols[li]) {
          const SymmetricWeights rw = QuantizeWeights(
              std::vector<float>(im.w[li].size(), 1.0f / float(rb.count * cb.count)), cout, false, false);
          net::ConvRegion r;
          r.row0 = rb.first, r.rows = rb.size, r.col0 = cb.first, r.cols = cb.size;
          r.weights = ref::Weights(cout, 1, l.kernel_h, l.kernel_w, true);
          for (size_t e = 0; e < rw.values.size(); ++e) r.weights.data[e] = uint8_t(int8_t(rw.values[e]));
          for (uint32_t c = 0; c < cout; ++c)
            r.params.push_back(channel(
                0,
                std::accumulate(rw.values.begin() + c * per, rw.values.begin() + (c + 1) * per, int64_t(0)),
                rw.scale[c]));
          ConvQuant::Region er;
          uint32_t in_row0 = 0, in_col0 = 0;
          const compiler::LayerSpec rs = net::RegionSpec(*ql.spec, r, &in_row0, &in_col0);
          er.row0 = r.row0;
          er.starts = {in_row0, in_col0}, er.ends = {in_row0 + rs.in_h, in_col0 + rs.in_w};
          er.pads = {rs.pad_top, rs.pad_left, rs.pad_bottom, rs.pad_right};
          er.w_scale = rw.scale;
          er.w = MakeIntTensor(DataType::kInt8, {cout, 1, l.kernel_h, l.kernel_w}, rw.values);
          cq.regions.push_back(std::move(er));
          ql.regions.push_back(std::move(r));
        }
      if (!ql.regions.empty()) {  // the whole layer's own: the first region's (the reference runs each)
        ql.weights = ql.regions[0].weights, ql.params = ql.regions[0].params;
        for (uint32_t c = 0; c < cout; ++c) ql.bias[c] = ql.params[c].bias;
      }
      cq.w = MakeIntTensor(DataType::kInt8,
                           {cout, int64_t(per) / (l.kernel_h * l.kernel_w), l.kernel_h, l.kernel_w},
                           deconv ? FlipKernels(wq, l.kernel_h, l.kernel_w) : wq);
      if (deconv && im.upsampled[li].empty())
        cq.zero_insertion = ZeroInsertionOf(l, nw.ShapeOf(l.inputs[0]).c);
      if (deconv && !im.upsampled[li].empty())  // the zero insertion keeps its input's parameters
        g.acts[im.upsampled[li]] =
            g.acts.at(l.inputs[0] == net::kInput ? im.input_name : im.tensor[size_t(l.inputs[0])]);
      if (!im.gemm_b[li].empty()) {  // B's own shape, [N, K] or [K, N]
        std::vector<int64_t> b(wq.size());
        for (size_t o = 0; o < cout; ++o)
          for (size_t i = 0; i < per; ++i)
            b[im.gemm_trans_b[li] ? o * per + i : i * cout + o] = wq[o * per + i];
        cq.w = MakeIntTensor(DataType::kInt8, im.gemm_b[li], b);
        cq.per_tensor = true;
      }
      if (!im.b[li].empty() || (gw && !gw->bias.empty()))
        cq.bias = MakeIntTensor(DataType::kInt32, {cout}, bq);
      cq.output = im.conv_out[li];
      cq.strides = {l.stride_h, l.stride_w};
      cq.pads = {l.pad_top, l.pad_left, l.pad_bottom, l.pad_right};
      if (!im.zeros[li] && !avg && !im.identity[li])
        g.convs[im.nodes[li].substr(0, im.nodes[li].find(" + "))] = std::move(cq);
      ql.spec->requant = ref::RequantMode::kExact;
      ql.spec->out_zero_point = conv_y.zero_point;
      ql.simd = compiler::ExactRequantProgram(relu, false);
      if (im.table[li]) {
        const std::array<uint8_t, 256> t = ActivationTable(*im.table[li], conv_y, y);
        ql.lut.assign(t.begin(), t.end());
        ql.simd.push_back(compiler::LutInstr(false));
      }
    } else if (l.op == net::Op::kAdd) {
      const QuantParams &a = qp[Slot(l.inputs[0])], &b = qp[Slot(l.inputs[1])];
      ref::ChannelParams p;  // a - za + b - zb + zc, saturated: exact, FUSED_RELU with scale 1
      p.bias = -(a.zero_point + b.zero_point);
      p.zero_point = int16_t(y.zero_point);
      ql.params.assign(l.out.c, p);
      ql.simd = {compiler::FusedReluInstr(relu, false)};
      if (a.scale != y.scale || b.scale != y.scale) {
        if (!given) throw std::logic_error(l.name + ": a calibrated add's tensors share one scale");
        // Only a pre-quantized graph's: onnxruntime's QLinearAdd in the model's own type.
        const int32_t shift = given->int8.count(im.tensor[li]) ? 128 : 0;
        ql.qlinear_add =
            ref::QLinearAddConstants(a.scale, a.zero_point - shift, b.scale, b.zero_point - shift, y.scale,
                                     y.zero_point - shift, shift != 0);
        ql.simd = compiler::QLinearAddProgram(*ql.qlinear_add);
      }
    }
    q.layers.push_back(std::move(ql));
  }
  net::Execute(q, GraphInput(g, run));
  return g;
}

ref::Tensor GraphInput(const QuantizedGraph& g, const Tensor& input) {
  Imported shape;  // the arrangement needs only the input's layout
  shape.net.input = g.q.net.input;
  shape.nhwc = g.input_nhwc;
  shape.pad[0] = g.pad_top, shape.pad[1] = g.pad_left, shape.pad[2] = g.pad_bottom,
  shape.pad[3] = g.pad_right;
  shape.input_name = g.input_name;
  shape.input_dims = g.input_dims;
  CheckInput(shape, input, "the input");
  ref::Tensor t(g.q.net.input.c, g.q.net.input.h, g.q.net.input.w, false);
  Arrange<uint8_t>(
      shape, uint8_t(g.x.zero_point),
      [&](size_t i) { return uint8_t(Quantize(float(input.AtDouble(i)), g.x)); }, &t.data);
  return t;
}

std::vector<Tensor> GraphOutputs(const QuantizedGraph& g, const std::vector<ref::Tensor>& layer_outputs) {
  std::vector<Tensor> out;
  for (const GraphOutput& o : g.outputs) {
    const std::vector<uint8_t> bytes =
        HostLayout(layer_outputs[size_t(o.layer)].data, g.q.net.layers[size_t(o.layer)].out, o);
    Tensor t;
    t.name = o.name + "_quantized";
    t.type = DataType::kUint8;
    t.dims = o.dims;
    t.bytes = bytes;
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<Tensor> GraphOutputs(const QuantizedGraph& g) {
  std::vector<ref::Tensor> outs;
  for (const net::QuantLayer& l : g.q.layers) outs.push_back(l.output);
  return GraphOutputs(g, outs);
}

std::vector<Tensor> RunFloat(const Model& model, const Tensor& input) {
  const Imported im = ImportGraph(model);
  CheckInput(im, input, "the input");
  const std::vector<FTensor> f = RunLayersFloat(im, input);
  std::vector<Tensor> out;
  for (const GraphOutput& o : im.outputs) {
    const std::vector<float> v = HostLayout(f[size_t(o.layer)].v, im.net.layers[size_t(o.layer)].out, o);
    Tensor t = MakeFloatTensor(DataType::kFloat, o.dims, std::vector<double>(v.begin(), v.end()));
    t.name = o.name;
    out.push_back(std::move(t));
  }
  return out;
}

std::string GraphAccuracy(const QuantizedGraph& g, const std::vector<Tensor>& quantized,
                          const std::vector<Tensor>& float_outputs) {
  std::string text;
  char buf[320];
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const net::QuantLayer& l = g.q.layers[size_t(g.outputs[i].layer)];
    const Tensor &q = quantized.at(i), &f = float_outputs.at(i);
    if (q.NumElements() != f.NumElements())
      throw OnnxError("output '" + g.outputs[i].name + "': the float output is " + f.Describe() +
                      ", the quantized " + q.Describe());
    double max_abs = 0, dot = 0, qq = 0, ff = 0;
    for (size_t e = 0; e < q.NumElements(); ++e) {
      const double real = l.out_scale * double(q.AtInt(e) - l.out_zero_point), want = f.AtDouble(e);
      max_abs = std::max(max_abs, std::fabs(real - want));
      dot += real * want, qq += real * real, ff += want * want;
    }
    const double cosine = qq > 0 && ff > 0 ? dot / std::sqrt(qq * ff) : (qq == ff ? 1 : 0);
    std::snprintf(
        buf, sizeof buf,
        "output '%s' %s: max abs error %.6g (%.2f LSB of scale %.6g, float range %.4g..%.4g), cosine "
        "similarity %.6f\n",
        g.outputs[i].name.c_str(), DimsText(q.dims).c_str(), max_abs, max_abs / l.out_scale, l.out_scale,
        l.out_scale * (0 - l.out_zero_point), l.out_scale * (255 - l.out_zero_point), cosine);
    text += buf;
  }
  return text;
}

std::string FormatGraphQuant(const QuantizedGraph& g) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-4s %-28s %-12s %-11s %12s %4s  %s\n", "#", "layer", "op", "out", "scale",
                "zp", "ONNX node(s)");
  out += buf;
  for (size_t i = 0; i < g.q.layers.size(); ++i) {
    const net::QuantLayer& l = g.q.layers[i];
    const net::Shape& s = g.q.net.layers[i].out;
    const std::string shape = std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
    const std::string op =
        std::string(net::ToString(l.op)) + (g.q.net.layers[i].act == Activation::kRelu ? "+relu" : "");
    std::snprintf(buf, sizeof buf, "%-4zu %-28s %-12s %-11s %12.6g %4d  %s\n", i, l.name.c_str(), op.c_str(),
                  shape.c_str(), l.out_scale, l.out_zero_point, g.layer_node.at(l.name).c_str());
    out += buf;
  }
  return out;
}

}  // namespace nna::onnx
