#include "frontends/onnx/layer.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "testgen/layer_test.h"

namespace nna::onnx {
namespace {

using CI = isa::ComputeInstr;  // field maxima of the compute instruction

// Reads a node's inputs: the layer's input and its constants (initializers or fed tensors).
class NodeInputs {
 public:
  NodeInputs(const Model& m, const Node& n, const std::map<std::string, Tensor>& feeds)
      : model_(m), node_(n), feeds_(feeds) {}

  [[noreturn]] void Fail(const std::string& what) const { throw OnnxError(node_.Describe() + ": " + what); }

  bool Has(size_t i) const { return i < node_.inputs.size() && !node_.inputs[i].empty(); }

  // Input i's tensor, from an initializer or the feeds; `role` says what it is in messages.
  const Tensor& Get(size_t i, const std::string& role) const {
    if (!Has(i)) Fail("has no " + role + " (input " + std::to_string(i) + ")");
    return NodeOperand(model_, node_, feeds_, i, role);
  }

  // An int8 or uint8 tensor (the quantized types the hardware's bytes hold).
  const Tensor& Bytes(size_t i, const std::string& role) const {
    const Tensor& t = Get(i, role);
    if (t.type != DataType::kUint8 && t.type != DataType::kInt8)
      Fail("input '" + node_.inputs[i] + "' (" + role + ") is " + ToString(t.type) +
           ", but the hardware's operands are int8 or uint8");
    return t;
  }

  // A per-tensor (one element) or per-channel (`count` elements, a 1-D tensor) value as `count`
  // values; absent: `fallback` for every channel.
  std::vector<double> PerChannel(size_t i, const std::string& role, size_t count, double fallback = 0) const {
    if (!Has(i)) return std::vector<double>(count, fallback);
    const Tensor& t = Get(i, role);
    const size_t n = t.NumElements();
    if (n != 1 && (n != count || t.dims.size() != 1))
      Fail("input '" + node_.inputs[i] + "' (" + role + ") has shape " + DimsText(t.dims) +
           ", but must have one element or one per output channel (" + std::to_string(count) + ")");
    std::vector<double> v(count);
    for (size_t c = 0; c < count; ++c) v[c] = t.AtDouble(n == 1 ? 0 : c);
    return v;
  }

  // A per-tensor value (one element).
  double Scalar(size_t i, const std::string& role, double fallback = 0) const {
    if (!Has(i)) return fallback;
    const Tensor& t = Get(i, role);
    if (t.NumElements() != 1)
      Fail("input '" + node_.inputs[i] + "' (" + role + ") has shape " + DimsText(t.dims) +
           ", but must be per tensor (one element)");
    return t.AtDouble(0);
  }

  const std::string& Name(size_t i) const { return node_.inputs[i]; }

 private:
  const Model& model_;
  const Node& node_;
  const std::map<std::string, Tensor>& feeds_;
};

// An element of an int8 or uint8 tensor.
int32_t ByteAt(const Tensor& t, size_t i) {
  return t.type == DataType::kInt8 ? int32_t(int8_t(t.bytes[i])) : int32_t(t.bytes[i]);
}

// The weights minus their zero points (one per output channel), as the hardware has no weight zero
// point: int8 when every difference fits, else uint8 when every one does. Otherwise (uint8 weights
// with a zero point inside their range, int8 ones with one) the layer reads its input twice
// (`doubled`, each group's channels then their copy): w - zp = (w - c) + (c - zp), the first term
// int8 weights on the input (c = 128 for uint8, 0 for int8), the second a constant int8 weight per
// output channel on the copy. `index(co, k)` is output channel co's k-th weight in `w`.
struct CentredWeights {
  ref::Weights w;
  bool doubled = false;
};
template <typename Index>
CentredWeights ZeroCentred(const NodeInputs& in, size_t w_input, const Tensor& w,
                           const std::vector<double>& zp, uint32_t cout, uint32_t cin, uint32_t r, uint32_t s,
                           Index index) {
  const uint32_t per = cin * r * s;
  std::vector<int32_t> diff(size_t(cout) * per);
  int32_t lo = 0, hi = 0;
  for (uint32_t co = 0; co < cout; ++co)
    for (uint32_t k = 0; k < per; ++k) {
      const int32_t d = ByteAt(w, index(co, k)) - int32_t(zp[co]);
      diff[size_t(co) * per + k] = d;
      lo = std::min(lo, d), hi = std::max(hi, d);
    }
  const bool is_signed = lo >= -128 && hi <= 127;
  CentredWeights out;
  if (is_signed || (lo >= 0 && hi <= 255)) {
    out.w = ref::Weights(cout, cin, r, s, is_signed);
    for (size_t i = 0; i < diff.size(); ++i) out.w.data[i] = uint8_t(diff[i]);
    return out;
  }
  const int32_t c = w.type == DataType::kUint8 ? 128 : 0;
  out.doubled = true;
  out.w = ref::Weights(cout, 2 * cin, r, s, true);
  for (uint32_t co = 0; co < cout; ++co) {
    const int32_t rest = c - int32_t(zp[co]);
    if (rest < -128 || rest > 127)
      in.Fail("input '" + in.Name(w_input) + "' (the weights) minus its zero point spans " +
              std::to_string(lo) + ".." + std::to_string(hi) + " and output channel " + std::to_string(co) +
              "'s zero point " + std::to_string(int32_t(zp[co])) + " is 128 away from " + std::to_string(c) +
              ": the hardware has no weight zero point and its int8 weights cannot split this one");
    for (uint32_t k = 0; k < per; ++k) {
      out.w.data[size_t(co) * 2 * per + k] = uint8_t(diff[size_t(co) * per + k] + int32_t(zp[co]) - c);
      out.w.data[size_t(co) * 2 * per + per + k] = uint8_t(rest);
    }
  }
  return out;
}

// The input read twice for doubled weights: each group's channels, then the same again.
ref::Tensor Doubled(const ref::Tensor& t, uint32_t groups) {
  ref::Tensor out(2 * t.c, t.h, t.w, t.is_signed);
  const size_t plane = size_t(t.h) * t.w, cg = t.c / groups;
  for (uint32_t c = 0; c < t.c; ++c)
    for (size_t copy = 0; copy < 2; ++copy)
      std::copy_n(t.data.begin() + c * plane, plane,
                  out.data.begin() + ((c / cg) * 2 * cg + copy * cg + c % cg) * plane);
  return out;
}

// Each channel's bias in the layer: the model's bias minus the input zero point times the channel's
// weight sum (the accumulator of x - x_zp, with every tap inside the input), as int32.
std::vector<int32_t> FoldedBias(const NodeInputs& in, const ref::Weights& w, const std::vector<double>& bias,
                                int32_t x_zp) {
  std::vector<int32_t> out(w.cout);
  const uint32_t per = w.cin * w.r * w.s;
  for (uint32_t co = 0; co < w.cout; ++co) {
    int64_t sum = 0;
    for (uint32_t k = 0; k < per; ++k) {
      const uint8_t b = w.data[size_t(co) * per + k];
      sum += w.is_signed ? int8_t(b) : b;
    }
    const int64_t v = int64_t(bias[co]) - int64_t(x_zp) * sum;
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
      in.Fail("output channel " + std::to_string(co) + "'s bias with the input zero point folded in (" +
              std::to_string(v) + ") does not fit the int32 bias of the channel parameters");
    out[co] = int32_t(v);
  }
  return out;
}

// The exact requantization's per-channel parameters: float32 (x_scale * w_scale) / y_scale, left to
// right as onnxruntime's QLinearConv and QLinearMatMul kernels compute it (exact_ort_case checks it
// on ORT), the output zero point, the folded bias.
std::vector<ref::ChannelParams> ExactParams(const std::vector<int32_t>& bias, float x_scale,
                                            const std::vector<double>& w_scale, float y_scale, int32_t y_zp) {
  std::vector<ref::ChannelParams> params(bias.size());
  for (size_t c = 0; c < bias.size(); ++c) {
    params[c].bias = bias[c];
    params[c].zero_point = int16_t(y_zp);
    params[c].multiplier = (x_scale * float(w_scale[c])) / y_scale;
  }
  return params;
}

const Attribute* IntsAttr(const NodeInputs& in, const Node& n, const char* name, size_t count) {
  const Attribute* a = n.Find(name);
  if (!a) return nullptr;
  if (a->kind != Attribute::Kind::kInts || a->ints.size() != count)
    in.Fail(std::string("attribute ") + name + "=" + a->ValueText() + " must be " + std::to_string(count) +
            " integers (2-D convolution)");
  return a;
}

// An attribute value against a hardware field's range: one sentence naming it and the limit.
uint32_t Field(const NodeInputs& in, const std::string& attr, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi)
    in.Fail("attribute " + attr + " " + std::to_string(v) + " is outside the hardware's range " +
            std::to_string(lo) + ".." + std::to_string(hi));
  return uint32_t(v);
}

void RejectAttributes(const NodeInputs& in, const Node& n, std::initializer_list<const char*> known) {
  for (const Attribute& a : n.attributes)
    if (std::find_if(known.begin(), known.end(), [&](const char* k) { return a.name == k; }) == known.end())
      in.Fail("attribute " + a.name + "=" + a.ValueText() + " is not one this front end knows for " +
              n.op_type);
}

// The output type and zero point, checked against the graph output's declared type.
void OutputType(const NodeInputs& in, const Tensor* zp_tensor, OnnxLayer* l) {
  l->output_type = zp_tensor ? zp_tensor->type : DataType::kUint8;
  if (l->output_type != DataType::kUint8 && l->output_type != DataType::kInt8)
    in.Fail("the output zero point is " + ToString(l->output_type) +
            ", but the hardware writes int8 or uint8");
  l->spec.layer.out_signed = l->output_type == DataType::kInt8;
}

// Where a node keeps each operand (kAbsent: the op has none, its default applies).
constexpr size_t kAbsent = SIZE_MAX;
struct Operands {
  size_t x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, bias;
};
constexpr Operands kQLinear{0, 1, 2, 3, 4, 5, 6, 7, 8};  // QLinearConv, QLinearMatMul
constexpr Operands kInteger{0, kAbsent, 2,       1,      kAbsent,
                            3, kAbsent, kAbsent, kAbsent};  // ConvInteger, MatMulInteger

void LowerConv(const Node& n, const NodeInputs& in, const Operands& o, OnnxLayer* l) {
  RejectAttributes(in, n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  compiler::LayerSpec& s = l->spec.layer;
  s.op = compiler::LayerOp::kConv;
  const Tensor& x = in.Bytes(o.x, "the input");
  const Tensor& w = in.Bytes(o.w, "the weights");
  if (x.dims.size() != 4 || w.dims.size() != 4)
    in.Fail("input '" + in.Name(o.x) + "' is " + x.Describe() + " and weights '" + in.Name(o.w) + "' " +
            w.Describe() + ", but the hardware runs 2-D convolutions (4-D tensors) only");
  if (x.dims[0] != 1)
    in.Fail("input '" + in.Name(o.x) + "' has batch " + std::to_string(x.dims[0]) +
            ", but one layer runs one image (batch 1)");
  s.in_signed = x.type == DataType::kInt8;
  const uint32_t group = n.Find("group") ? Field(in, "group", n.Find("group")->i, 1, CI::kMaxGroups) : 1;
  s.groups = group;
  s.in_c = Field(in, "input channels of '" + in.Name(o.x) + "'", x.dims[1], 1, CI::kMaxInC);
  const int64_t in_h = x.dims[2], in_w = x.dims[3];
  s.out_c = Field(in, "output channels of '" + in.Name(o.w) + "'", w.dims[0], 1, CI::kMaxOutC);
  if (w.dims[1] * group != x.dims[1])
    in.Fail("weights '" + in.Name(o.w) + "' " + w.Describe() + " have " + std::to_string(w.dims[1]) +
            " input channels per group, but the input has " + std::to_string(x.dims[1]) + " in " +
            std::to_string(group) + " groups");
  s.kernel_h = Field(in, "kernel_shape (height)", w.dims[2], 1, CI::kMaxKernelH);
  s.kernel_w = Field(in, "kernel_shape (width)", w.dims[3], 1, CI::kMaxKernelH);
  if (const Attribute* k = IntsAttr(in, n, "kernel_shape", 2))
    if (k->ints[0] != w.dims[2] || k->ints[1] != w.dims[3])
      in.Fail("attribute kernel_shape=" + k->ValueText() + " differs from the weights' " + DimsText(w.dims));
  if (const Attribute* a = IntsAttr(in, n, "strides", 2)) {
    s.stride_h = Field(in, "strides (height)", a->ints[0], 1, CI::kMaxStrideH);
    s.stride_w = Field(in, "strides (width)", a->ints[1], 1, CI::kMaxStrideH);
  }
  if (const Attribute* a = IntsAttr(in, n, "dilations", 2)) {
    s.dil_h = Field(in, "dilations (height)", a->ints[0], 1, CI::kMaxDilH);
    s.dil_w = Field(in, "dilations (width)", a->ints[1], 1, CI::kMaxDilH);
  }
  // pads are [top, left, bottom, right]; auto_pad SAME_* splits the padding that keeps
  // ceil(size / stride) outputs, the odd one at the end (UPPER) or the start (LOWER).
  int64_t pads[4] = {0, 0, 0, 0};
  if (const Attribute* a = IntsAttr(in, n, "pads", 4)) std::copy(a->ints.begin(), a->ints.end(), pads);
  if (const Attribute* a = n.Find("auto_pad"); a && a->s != "NOTSET") {
    if (n.Find("pads")) in.Fail("attributes auto_pad and pads are both given");
    if (a->s == "SAME_UPPER" || a->s == "SAME_LOWER") {
      const int64_t size[2] = {in_h, in_w}, stride[2] = {s.stride_h, s.stride_w}, dil[2] = {s.dil_h, s.dil_w},
                    kern[2] = {s.kernel_h, s.kernel_w};
      for (int d = 0; d < 2; ++d) {
        const int64_t out = (size[d] + stride[d] - 1) / stride[d];
        const int64_t total =
            std::max<int64_t>(0, (out - 1) * stride[d] + (kern[d] - 1) * dil[d] + 1 - size[d]);
        const int64_t small = total / 2, big = total - small;
        pads[d] = a->s == "SAME_UPPER" ? small : big;
        pads[d + 2] = a->s == "SAME_UPPER" ? big : small;
      }
    } else if (a->s != "VALID") {
      in.Fail("attribute auto_pad=" + a->ValueText() + " is not NOTSET, SAME_UPPER, SAME_LOWER or VALID");
    }
  }
  for (const int64_t p : pads)
    if (p < 0) in.Fail("attribute pads=" + DimsText({pads, pads + 4}) + " has a negative pad");

  const float x_scale = float(in.Scalar(o.x_scale, "the input scale", 1));
  const int32_t x_zp = int32_t(in.Scalar(o.x_zp, "the input zero point"));
  if (in.Has(o.x_zp) && in.Get(o.x_zp, "the input zero point").type != x.type)
    in.Fail("the input zero point is " + ToString(in.Get(o.x_zp, "").type) + " but the input " +
            ToString(x.type));
  const std::vector<double> w_scale = in.PerChannel(o.w_scale, "the weight scale", s.out_c, 1);
  const std::vector<double> w_zp = in.PerChannel(o.w_zp, "the weight zero point", s.out_c);
  const float y_scale = float(in.Scalar(o.y_scale, "the output scale", 1));
  OutputType(in, in.Has(o.y_zp) ? &in.Bytes(o.y_zp, "the output zero point") : nullptr, l);
  const int32_t y_zp = int32_t(in.Scalar(o.y_zp, "the output zero point"));
  std::vector<double> bias(s.out_c, 0);
  if (in.Has(o.bias)) {
    const Tensor& b = in.Get(o.bias, "the bias");
    if (b.type != DataType::kInt32)
      in.Fail("the bias '" + in.Name(o.bias) + "' is " + ToString(b.type) + ", not int32");
    bias = in.PerChannel(o.bias, "the bias", s.out_c);
  }

  const uint32_t cin_g = uint32_t(w.dims[1]), kh = s.kernel_h, kw = s.kernel_w;
  const CentredWeights cw =
      ZeroCentred(in, o.w, w, w_zp, s.out_c, cin_g, kh, kw,
                  [&](uint32_t co, uint32_t k) { return size_t(co) * cin_g * kh * kw + k; });
  l->data.weights = cw.w;
  s.wt_signed = l->data.weights.is_signed;

  // The input zero point: folded into the bias as -x_zp * sum(w), exact when every tap reads the
  // input. With padding, the padded border must read x_zp (zero in real terms), not the hardware's
  // zero rows: the compiler pads the input tensor itself with x_zp and the layer pads nothing.
  const bool pre_pad = x_zp != 0 && (pads[0] || pads[1] || pads[2] || pads[3]);
  const int64_t top = pre_pad ? pads[0] : 0, left = pre_pad ? pads[1] : 0;
  const int64_t h = in_h + (pre_pad ? pads[0] + pads[2] : 0), wd = in_w + (pre_pad ? pads[1] + pads[3] : 0);
  s.in_h = Field(in, "input height (with padding)", h, 1, CI::kMaxInH);
  s.in_w = Field(in, "input width (with padding)", wd, 1, CI::kMaxInH);
  if (!pre_pad) {
    s.pad_top = Field(in, "pads (top)", pads[0], 0, CI::kMaxPadTop);
    s.pad_left = Field(in, "pads (left)", pads[1], 0, CI::kMaxPadTop);
    s.pad_bottom = Field(in, "pads (bottom)", pads[2], 0, CI::kMaxPadTop);
    s.pad_right = Field(in, "pads (right)", pads[3], 0, CI::kMaxPadTop);
  }
  ref::Tensor t(s.in_c, s.in_h, s.in_w, s.in_signed);
  std::fill(t.data.begin(), t.data.end(), uint8_t(x_zp));
  for (uint32_t c = 0; c < s.in_c; ++c)
    for (int64_t y = 0; y < in_h; ++y)
      for (int64_t xx = 0; xx < in_w; ++xx)
        t.data[(size_t(c) * s.in_h + size_t(y + top)) * s.in_w + size_t(xx + left)] =
            x.bytes[(size_t(c) * in_h + size_t(y)) * in_w + size_t(xx)];
  l->data.input = cw.doubled ? Doubled(t, s.groups) : std::move(t);
  if (cw.doubled)
    s.in_c = Field(in, "input channels (read twice for the weight zero point)", 2 * s.in_c, 1, CI::kMaxInC);
  l->data.bias = FoldedBias(in, l->data.weights, bias, x_zp);
  s.params = ExactParams(l->data.bias, x_scale, w_scale, y_scale, y_zp);
  const uint32_t out_h = (s.in_h + s.pad_top + s.pad_bottom - ((kh - 1) * s.dil_h + 1)) / s.stride_h + 1;
  const uint32_t out_w = (s.in_w + s.pad_left + s.pad_right - ((kw - 1) * s.dil_w + 1)) / s.stride_w + 1;
  l->output_dims = {1, s.out_c, out_h, out_w};
}

// [batch, rows, cols] of a 2-D or 3-D matmul operand.
void MatrixDims(const NodeInputs& in, size_t i, const Tensor& t, int64_t* b, int64_t* r, int64_t* c) {
  if (t.dims.size() == 2)
    *b = 1, *r = t.dims[0], *c = t.dims[1];
  else if (t.dims.size() == 3)
    *b = t.dims[0], *r = t.dims[1], *c = t.dims[2];
  else
    in.Fail("input '" + in.Name(i) + "' is " + t.Describe() + ", but the hardware runs 2-D or 3-D matmuls");
}

// A matmul [B,M,K] x [B,K,N] (or [K,N] shared by every batch) as the grouped 1x1 convolution of B
// groups over M columns: input channel b*K + k, output channel b*N + n.
void LowerMatMul(const Node& n, const NodeInputs& in, const Operands& o, OnnxLayer* l) {
  RejectAttributes(in, n, {});
  compiler::LayerSpec& s = l->spec.layer;
  s.op = compiler::LayerOp::kConv;
  const Tensor& a = in.Bytes(o.x, "the input");
  const Tensor& b = in.Bytes(o.w, "the weights");
  int64_t ab, m, k, bb, bk, nn;
  MatrixDims(in, o.x, a, &ab, &m, &k);
  MatrixDims(in, o.w, b, &bb, &bk, &nn);
  if (bk != k || (bb != 1 && bb != ab) || (b.dims.size() == 3 && a.dims.size() != 3))
    in.Fail("inputs '" + in.Name(o.x) + "' " + a.Describe() + " and '" + in.Name(o.w) + "' " + b.Describe() +
            " are not a matmul this front end maps ([B,M,K] x [B,K,N] or [K,N])");
  const bool grouped = bb != 1;
  s.in_signed = a.type == DataType::kInt8;
  s.groups = grouped ? Field(in, "batch (groups)", ab, 1, CI::kMaxGroups) : 1;
  s.in_c = Field(in, "K * batches (input channels)", grouped ? ab * k : k, 1, CI::kMaxInC);
  s.out_c = Field(in, "N * batches (output channels)", grouped ? ab * nn : nn, 1, CI::kMaxOutC);
  s.in_h = 1;
  s.in_w = Field(in, "rows (input width)", grouped ? m : ab * m, 1, CI::kMaxInH);

  const float a_scale = float(in.Scalar(o.x_scale, "the input scale", 1));
  const int32_t a_zp = int32_t(in.Scalar(o.x_zp, "the input zero point"));
  const std::vector<double> b_scale_n = in.PerChannel(o.w_scale, "the weight scale", size_t(nn), 1);
  const std::vector<double> b_zp_n = in.PerChannel(o.w_zp, "the weight zero point", size_t(nn));
  const float y_scale = float(in.Scalar(o.y_scale, "the output scale", 1));
  OutputType(in, in.Has(o.y_zp) ? &in.Bytes(o.y_zp, "the output zero point") : nullptr, l);
  const int32_t y_zp = int32_t(in.Scalar(o.y_zp, "the output zero point"));
  std::vector<double> b_scale(s.out_c), b_zp(s.out_c);
  for (uint32_t co = 0; co < s.out_c; ++co) b_scale[co] = b_scale_n[co % nn], b_zp[co] = b_zp_n[co % nn];

  const uint32_t kk = uint32_t(k), ncols = uint32_t(nn);
  const CentredWeights cw = ZeroCentred(in, o.w, b, b_zp, s.out_c, kk, 1, 1, [&](uint32_t co, uint32_t ki) {
    const size_t batch = grouped ? co / ncols : 0;
    return (batch * kk + ki) * ncols + co % ncols;
  });
  l->data.weights = cw.w;
  s.wt_signed = l->data.weights.is_signed;
  ref::Tensor t(s.in_c, 1, s.in_w, s.in_signed);
  for (uint32_t c = 0; c < s.in_c; ++c)
    for (uint32_t col = 0; col < s.in_w; ++col) {
      // grouped: channel batch*K + k, column m; else channel k, column batch*M + m.
      const size_t batch = grouped ? c / kk : col / size_t(m), row = grouped ? col : col % size_t(m);
      t.data[size_t(c) * s.in_w + col] = a.bytes[(batch * size_t(m) + row) * kk + c % kk];
    }
  l->data.input = cw.doubled ? Doubled(t, s.groups) : std::move(t);
  if (cw.doubled)
    s.in_c = Field(in, "input channels (read twice for the weight zero point)", 2 * s.in_c, 1, CI::kMaxInC);
  l->data.bias = FoldedBias(in, l->data.weights, std::vector<double>(s.out_c, 0), a_zp);
  s.params = ExactParams(l->data.bias, a_scale, b_scale, y_scale, y_zp);
  l->layout = OutputLayout::kMatMulRows;
  l->batches = uint32_t(ab), l->rows = uint32_t(m), l->cols = ncols;
  l->output_dims = a.dims.size() == 3 || b.dims.size() == 3 ? std::vector<int64_t>{ab, m, nn}
                                                            : std::vector<int64_t>{m, nn};
}

// ConvInteger and MatMulInteger write int32, but a lane writes one byte (v0[7:0]): each output
// channel becomes four, channel 4c + j writing byte j of acc + bias (shift 8j), which the host
// reassembles (ToOnnxOutput). Exact while the accumulator fits the hardware's 30 bits.
void SplitInt32Output(OnnxLayer* l) {
  using isa::Dtype;
  using isa::SimdOp;
  compiler::LayerSpec& s = l->spec.layer;
  const ref::Weights& w = l->data.weights;
  ref::Weights wide(w.cout * 4, w.cin, w.r, w.s, w.is_signed);
  const size_t per = size_t(w.cin) * w.r * w.s;
  std::vector<ref::ChannelParams> params(wide.cout);
  for (uint32_t c = 0; c < wide.cout; ++c) {
    std::copy_n(w.data.begin() + (c / 4) * per, per, wide.data.begin() + c * per);
    params[c].bias = l->data.bias[c / 4];
    params[c].shift = uint8_t(8 * (c % 4));
  }
  auto op = [](SimdOp o, uint64_t dst, uint64_t a, uint64_t b, uint64_t imm = 0) {
    isa::SimdInstr i;
    i.op = o, i.dst = dst, i.src_a = a, i.src_b = b, i.dtype = Dtype::kI32, i.imm = imm;
    return i;
  };
  s.simd = {op(SimdOp::kLdparam, 1, 0, 0, 0), op(SimdOp::kAdd, 0, 0, 1),   // v0 = acc + bias
            op(SimdOp::kLdparam, 1, 0, 0, 2), op(SimdOp::kShr, 0, 0, 1)};  // v0 >>= 8j
  s.requant = ref::RequantMode::kFused;  // the program above, not a requantization
  s.out_c = wide.cout;
  s.out_signed = false;
  s.params = std::move(params);
  std::vector<int32_t> bias(wide.cout);
  for (uint32_t c = 0; c < wide.cout; ++c) bias[c] = l->data.bias[c / 4];
  l->data.bias = std::move(bias);
  l->data.weights = std::move(wide);
  l->output_type = DataType::kInt32;
}

}  // namespace

const Tensor& NodeOperand(const Model& model, const Node& node, const std::map<std::string, Tensor>& feeds,
                          size_t i, const std::string& role) {
  const std::string& name = node.inputs.at(i);
  if (const Tensor* t = model.FindInitializer(name)) return *t;
  const auto f = feeds.find(name);
  if (f != feeds.end()) return f->second;
  throw OnnxError(node.Describe() + ": input '" + name + "' (" + role +
                  ") has no data: give it with --input " + name + "=FILE.pb|.npy");
}

void CheckFeedsNamed(const Model& model, const Node& n, const std::map<std::string, Tensor>& feeds) {
  for (const auto& [name, t] : feeds) {
    (void)t;
    if (std::find(n.inputs.begin(), n.inputs.end(), name) == n.inputs.end())
      throw OnnxError(model.path + ": --input " + name + " names no input of " + n.Describe());
  }
}

OnnxLayer LowerModel(const Model& model, const std::map<std::string, Tensor>& feeds) {
  if (model.nodes.size() != 1)
    throw OnnxError(model.path + ": the graph has " + std::to_string(model.nodes.size()) +
                    " nodes, but this front end runs a graph of one node (QLinearConv or QLinearMatMul)");
  if (model.outputs.size() != 1)
    throw OnnxError(model.path + ": the graph has " + std::to_string(model.outputs.size()) +
                    " outputs, but one layer writes one");
  const Node& n = model.nodes[0];
  const NodeInputs in(model, n, feeds);
  CheckFeedsNamed(model, n, feeds);
  OnnxLayer l;
  l.node = n.Describe();
  l.output = model.outputs[0];
  l.spec.file = model.path;
  l.spec.name = ModelTestName(model.path);
  l.spec.doc = "ONNX " + n.Describe();
  compiler::LayerSpec& s = l.spec.layer;
  s.relu = false;
  s.requant = ref::RequantMode::kExact;
  if (!n.domain.empty() && n.domain != "ai.onnx") in.Fail("is in domain '" + n.domain + "', not ONNX's own");
  if (n.op_type == "QLinearConv")
    LowerConv(n, in, kQLinear, &l);
  else if (n.op_type == "QLinearMatMul")
    LowerMatMul(n, in, kQLinear, &l);
  else if (n.op_type == "ConvInteger")
    LowerConv(n, in, kInteger, &l), SplitInt32Output(&l);
  else if (n.op_type == "MatMulInteger")
    LowerMatMul(n, in, kInteger, &l), SplitInt32Output(&l);
  else
    in.Fail(
        "is not an operator this front end runs as one layer (QLinearConv, QLinearMatMul, ConvInteger, "
        "MatMulInteger)");
  if (s.requant == ref::RequantMode::kExact) s.out_zero_point = s.params[0].zero_point;
  return l;
}

Tensor ToOnnxOutput(const OnnxLayer& l, const std::vector<uint8_t>& bytes) {
  Tensor t;
  t.name = l.output.name;
  t.type = l.output_type;
  t.dims = l.output_dims;
  const size_t size = ElementSize(t.type);  // int32: four layer channels per ONNX channel
  t.bytes.resize(CountElements(t.dims, "the output") * size);
  const size_t plane = bytes.size() / l.spec.layer.out_c;  // one layer channel's bytes
  // ONNX element (channel ch, position p)'s byte j is layer channel ch * size + j at p.
  auto put = [&](size_t element, size_t ch, size_t p) {
    for (size_t j = 0; j < size; ++j) t.bytes[element * size + j] = bytes.at((ch * size + j) * plane + p);
  };
  if (l.layout == OutputLayout::kNchw) {
    for (size_t e = 0; e < t.bytes.size() / size; ++e) put(e, e / plane, e % plane);
  } else {
    // grouped: ONNX [b, m, n] from channel b*N + n, column m; else channel n, column b*M + m.
    const bool grouped = l.spec.layer.groups > 1;
    for (size_t b = 0; b < l.batches; ++b)
      for (size_t m = 0; m < l.rows; ++m)
        for (size_t n = 0; n < l.cols; ++n)
          put((b * l.rows + m) * l.cols + n, grouped ? b * l.cols + n : n, grouped ? m : b * l.rows + m);
  }
  return t;
}

namespace {
compiler::LayerPlan Plan(const OnnxLayer& l, const HwConfig& cfg) {
  try {
    return compiler::PlanLayer(l.spec, cfg);
  } catch (const compiler::CompileError& e) {
    // The compiler names the layer description's keys after the file; say which node it is.
    std::string what = e.what();
    if (what.rfind(l.spec.file + ": ", 0) == 0) what.erase(0, l.spec.file.size() + 2);
    throw OnnxError(l.node + ": as one layer on '" + cfg.name + "', " + what);
  }
}
}  // namespace

std::vector<int64_t> BiasedAccumulators(const OnnxLayer& l, const HwConfig& cfg) {
  const compiler::LayerQuant quant = compiler::QuantizeLayer(Plan(l, cfg), l.data);
  std::vector<int64_t> out = quant.acc.acc;
  const size_t plane = size_t(quant.acc.out_h) * quant.acc.out_w;
  for (size_t i = 0; i < out.size(); ++i) out[i] += l.data.bias.at(i / plane);
  return out;
}

OnnxBundle BuildOnnxBundle(const OnnxLayer& l, const HwConfig& cfg) {
  const compiler::LayerPlan plan = Plan(l, cfg);
  const compiler::LayerQuant quant = compiler::QuantizeLayer(plan, l.data);
  // onnxruntime accumulates in int32, the hardware in 30 bits (ref::WrapAcc): a wrapped value would
  // be a silently different result.
  const size_t plane = size_t(quant.acc.out_h) * quant.acc.out_w;
  for (size_t i = 0; i < quant.acc.acc.size(); ++i)
    if (quant.acc.acc[i] != ref::WrapAcc(quant.acc.acc[i]))
      throw OnnxError(
          l.node + ": the accumulator of layer channel " + std::to_string(i / plane) + " at pixel " +
          std::to_string(i % plane) + " is " + std::to_string(quant.acc.acc[i]) +
          ", past the hardware's 30-bit accumulator, so the result would differ from onnxruntime's");
  std::vector<std::vector<uint8_t>> refs = testgen::ReferenceOutputs(plan, l.data, quant);
  OnnxBundle out{compiler::AssembleLayer(plan, l.data, quant.params), ToOnnxOutput(l, refs[0])};
  out.bundle.reference["output"] = std::move(refs[0]);
  return out;
}

}  // namespace nna::onnx
