#include "frontends/onnx/qdq_graph.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

namespace nna::onnx {

namespace {

// An int8 tensor is the uint8 one shifted by 128 (q + 128, zero point + 128): the same real values,
// and every integer step of the accelerator (sums of q - zp, requantization to the zero point and
// saturation, max, tables) gives the shifted byte, so the lowering sees uint8 only.
QuantParams AsUint8(QuantParams q) {
  if (q.is_signed) q.zero_point += 128, q.is_signed = false;
  return q;
}

const std::set<std::string> kQuantOps{
    "QuantizeLinear", "DequantizeLinear", "QLinearConv",           "QLinearMatMul",
    "QGemm",          "QLinearAdd",       "QLinearConcat",         "QLinearGlobalAveragePool",
    "ConvInteger",    "MatMulInteger",    "DynamicQuantizeLinear", "QLinearAveragePool"};

// An integer initializer behind a DequantizeLinear (weights, a bias, zeros), or a QOperator node's
// weights with their scales and zero points: real = scale[ch] * (q - zp[ch]) along `axis`.
struct QConst {
  const Tensor* q = nullptr;
  std::vector<float> scale;
  std::vector<int64_t> zp;
  int64_t axis = 1;
  size_t Channel(size_t e) const {  // the scale and zero point index of element e
    if (scale.size() == 1) return 0;
    size_t inner = 1;
    for (size_t d = size_t(axis) + 1; d < q->dims.size(); ++d) inner *= size_t(q->dims[d]);
    return e / inner % size_t(q->dims[size_t(axis)]);
  }
  int64_t Int(size_t e) const { return q->AtInt(e) - zp[zp.size() == 1 ? 0 : Channel(e)]; }
  // As onnxruntime's DequantizeLinear: float32(int32(q) - zp) * scale.
  float Real(size_t e) const { return float(Int(e)) * scale[Channel(e)]; }
};

class Normalizer {
 public:
  explicit Normalizer(const Model& m) : m_(m) {}

  PreQuantized Run() {
    out_.graph.path = m_.path;
    out_.graph.graph_name = m_.graph_name;
    out_.graph.opsets = {{"", 13}};
    for (const Node& n : m_.nodes) Visit(n);
    // A MaxPool or layout op on a tensor of no parameters of its own (QOperator's uint8 MaxPool)
    // passes its input's on.
    for (const auto& [in, o] : passes_)
      if (!params_.count(Find(o)) && params_.count(Find(in))) params_[Find(o)] = params_.at(Find(in));
    for (auto it = passes_.rbegin(); it != passes_.rend(); ++it)  // a uint8 graph input's, from its reader
      if (!params_.count(Find(it->first)) && params_.count(Find(it->second)))
        params_[Find(it->first)] = params_.at(Find(it->second));
    for (const ValueInfo& v : m_.inputs) canon_.emplace(Find(v.name), v.name);
    for (const ValueInfo& v : m_.outputs) canon_.emplace(Find(v.name), v.name);
    for (Node& n : nodes_) {
      for (std::string& i : n.inputs)
        if (!i.empty() && !Const(i)) i = Canon(i);
      for (std::string& o : n.outputs)
        if (!o.empty()) o = Canon(o);
    }
    out_.graph.nodes = std::move(nodes_);
    for (auto& [name, t] : floats_) out_.graph.initializers.push_back(t);
    for (const std::string& name : copied_) out_.graph.initializers.push_back(*m_.FindInitializer(name));
    for (const auto& [name, root] : parent_)
      if (const auto it = params_.find(Find(name)); it != params_.end()) {
        out_.given.acts[Canon(name)] = AsUint8(it->second);
        if (it->second.is_signed) out_.given.int8.insert(Canon(name));
      }
    for (ValueInfo v : m_.inputs) {
      if (v.type != DataType::kFloat && v.type != DataType::kUint8 && v.type != DataType::kInt8)
        throw OnnxError(m_.path + ": graph input " + v.Describe() + " is not float, uint8 or int8");
      out_.input_type = v.type;
      if (const auto it = params_.find(Find(v.name)); it != params_.end()) out_.input = it->second;
      v.name = Canon(v.name), v.type = DataType::kFloat;
      out_.graph.inputs.push_back(v);
    }
    for (const ValueInfo& v : m_.outputs) {
      const auto it = params_.find(Find(v.name));
      if (it == params_.end())
        throw OnnxError(m_.path + ": graph output '" + v.name +
                        "' has no quantization parameters (a pre-quantized graph's outputs are quantized)");
      if (v.type != DataType::kFloat && v.type != it->second.Type())
        throw OnnxError(m_.path + ": graph output " + v.Describe() + " is neither float nor " +
                        ToString(it->second.Type()) + ", its quantization's type");
      PreQuantized::Output o{v.name, v.type, 0, AsUint8(it->second)};
      const std::string c = Canon(v.name);
      while (o.index < out_.graph.outputs.size() && out_.graph.outputs[o.index].name != c) ++o.index;
      if (o.index == out_.graph.outputs.size()) {
        ValueInfo f = v;
        f.name = c, f.type = DataType::kFloat;
        out_.graph.outputs.push_back(f);
      }
      out_.outputs.push_back(o);
    }
    return std::move(out_);
  }

 private:
  // Union-find over tensor names; each group one activation of one quantization.
  std::string Find(const std::string& a) {
    const auto it = parent_.find(a);
    if (it == parent_.end()) return parent_[a] = a;
    if (it->second == a) return a;
    return it->second = Find(it->second);
  }
  std::string Canon(const std::string& a) {
    const std::string r = Find(a);
    const auto it = canon_.find(r);
    return it == canon_.end() ? r : it->second;
  }
  void Fix(const Node& n, const std::string& t, const QuantParams& q) {
    const std::string r = Find(t);
    const auto it = params_.find(r);
    if (it == params_.end()) {
      params_[r] = q;
    } else if (it->second.scale != q.scale || it->second.zero_point != q.zero_point ||
               it->second.is_signed != q.is_signed) {
      FailNode(n, "gives tensor " + ParamsText(t, q) + ", but it is already quantized as" +
                      ParamsText(t, it->second).substr(t.size() + 2) +
                      " (a requantization between two operators has no lowering)");
    }
  }
  void Join(const Node& n, const std::string& a, const std::string& b, const QuantParams& q) {
    Fix(n, a, q);
    const std::string ra = Find(a), rb = Find(b);
    if (ra == rb) return;
    if (const auto it = params_.find(rb); it != params_.end()) Fix(n, a, it->second), params_.erase(it);
    parent_[rb] = ra;
  }

  const Tensor* Init(const std::string& name) const {
    return name.empty() ? nullptr : m_.FindInitializer(name);
  }
  const QConst* Const(const std::string& name) const {
    const auto it = consts_.find(name);
    return it == consts_.end() ? nullptr : &it->second;
  }

  // An activation's scale and zero point: inputs s and z (z optional: uint8 0) of node n.
  QuantParams Params(const Node& n, size_t s, size_t z) {
    const Tensor* scale = s < n.inputs.size() ? Init(n.inputs[s]) : nullptr;
    if (!scale || scale->type != DataType::kFloat)
      FailNode(n, "scale input " + std::to_string(s) + " is not a float initializer");
    if (scale->NumElements() != 1)
      FailNode(n, "scale '" + scale->name + "' is " + scale->Describe() +
                      ": an activation has one scale (per-channel activation scales have no lowering)");
    QuantParams q;
    q.scale = float(scale->AtDouble(0));
    if (z < n.inputs.size() && !n.inputs[z].empty()) {
      const Tensor* zp = Init(n.inputs[z]);
      if (!zp || zp->NumElements() != 1 || (zp->type != DataType::kUint8 && zp->type != DataType::kInt8))
        FailNode(
            n, "zero point input " + std::to_string(z) + " is not a uint8 or int8 initializer of one value");
      q.zero_point = int32_t(zp->AtInt(0));
      q.is_signed = zp->type == DataType::kInt8;
    }
    if (!(q.scale > 0) || !std::isfinite(q.scale))
      FailNode(n, "scale '" + scale->name + "' is " + scale->Format(0) + ", not a finite value above 0");
    return q;
  }

  // The integer weights (or bias) q with scales s and zero points z of node n, along `axis`.
  QConst Quantized(const Node& n, size_t q, size_t s, size_t z, int64_t axis) {
    QConst c;
    c.q = Init(n.inputs.at(q));
    if (!c.q || IsFloatingPoint(c.q->type))
      FailNode(n, "input '" + n.inputs[q] + "' is not an integer initializer");
    const Tensor* st = s < n.inputs.size() ? Init(n.inputs[s]) : nullptr;
    if (!st || st->type != DataType::kFloat)
      FailNode(n, "the scale of '" + n.inputs[q] + "' is not a float initializer");
    for (size_t i = 0; i < st->NumElements(); ++i) c.scale.push_back(float(st->AtDouble(i)));
    if (const Tensor* zt = z < n.inputs.size() ? Init(n.inputs[z]) : nullptr)
      for (size_t i = 0; i < zt->NumElements(); ++i) c.zp.push_back(zt->AtInt(i));
    else if (z < n.inputs.size() && !n.inputs[z].empty())
      FailNode(n, "the zero point of '" + n.inputs[q] + "' is not an initializer");
    if (c.zp.empty()) c.zp.assign(c.scale.size(), 0);
    if (axis < 0) axis += int64_t(c.q->dims.size());
    c.axis = axis;
    const size_t channels = c.q->dims.empty() || axis < 0 || axis >= int64_t(c.q->dims.size())
                                ? 1
                                : size_t(c.q->dims[size_t(axis)]);
    if ((c.scale.size() != 1 && c.scale.size() != channels) || c.zp.size() != c.scale.size())
      FailNode(n, "'" + n.inputs[q] + "' " + c.q->Describe() + " has " + std::to_string(c.scale.size()) +
                      " scale(s) and " + std::to_string(c.zp.size()) + " zero point(s) on axis " +
                      std::to_string(axis) + ", not one or one per channel");
    return c;
  }

  // The float initializer `name` with c's real values (the float graph's, for its float run).
  void AddFloat(const std::string& name, const QConst& c) {
    std::vector<double> v(c.q->NumElements());
    for (size_t e = 0; e < v.size(); ++e) v[e] = c.Real(e);
    Tensor t = MakeFloatTensor(DataType::kFloat, c.q->dims, v);
    t.name = name;
    floats_[name] = std::move(t);
  }

  // Given weights (and bias) of a Conv, Gemm or MatMul node: w - zp in int8, channel-major.
  void Weights(const Node& n, const std::string& name, const QConst& w, const QConst* b, bool matrix,
               bool trans_b) {
    const std::vector<int64_t>& d = w.q->dims;
    if (matrix ? d.size() != 2 : d.size() != 4)
      FailNode(n, "weights '" + name + "' are " + w.q->Describe() +
                      (matrix ? ", not a matrix" : ", not [M,C,kH,kW]"));
    const bool cols = matrix && !trans_b;  // [K, N]: output channel n is column n
    const size_t cout = size_t(cols ? d[1] : d[0]), per = w.q->NumElements() / cout;
    const int64_t channel_axis = cols ? 1 : 0;
    if (w.scale.size() != 1 && w.axis != channel_axis)
      FailNode(n, "weights '" + name + "' have scales along axis " + std::to_string(w.axis) +
                      ", not along the output channels (axis " + std::to_string(channel_axis) + ")");
    GivenWeights g;
    g.w.resize(w.q->NumElements());
    for (size_t e = 0; e < g.w.size(); ++e) {
      const int64_t v = w.Int(e);
      if (v < -128 || v > 127)
        FailNode(n, "weight " + w.q->FormatIndex(e) + " of '" + name + "' minus its zero point is " +
                        std::to_string(v) +
                        ", outside int8 (-128..127), the accelerator's weights (asymmetric "
                        "weights beyond that have no lowering)");
      g.w[cols ? (e % cout) * per + e / cout : e] = v;
    }
    for (size_t c = 0; c < cout; ++c) g.w_scale.push_back(w.scale[w.scale.size() == 1 ? 0 : c]);
    if (b) {
      if (b->q->type != DataType::kInt32 || b->q->NumElements() != cout)
        FailNode(n, "bias is " + b->q->Describe() + ", not int32 [" + std::to_string(cout) + "]");
      for (size_t c = 0; c < cout; ++c) g.bias.push_back(b->Int(c));
    }
    out_.given.weights[n.name] = std::move(g);
  }

  Node Copy(const Node& n, const std::string& op, std::vector<std::string> inputs) {
    Node c;
    c.name = n.name, c.op_type = op, c.inputs = std::move(inputs), c.outputs = {n.outputs.at(0)};
    for (const Attribute& a : n.attributes)
      if (a.name != "channels_last") c.attributes.push_back(a);
    return c;
  }

  // A constant that a Concat reads (zeros of a channel padding): a ConstantOfShape of its dims,
  // its tensor of the constant's quantization.
  void Zeros(const Node& n, const std::string& name, const QConst& c) {
    for (size_t e = 0; e < c.q->NumElements(); ++e)
      if (c.Int(e) != 0)
        FailNode(n, "concatenates the constant '" + name + "', which is not zeros (element " +
                        c.q->FormatIndex(e) + " is " + c.q->Format(e) + ")");
    Tensor shape = MakeIntTensor(DataType::kInt64, {int64_t(c.q->dims.size())}, c.q->dims);
    shape.name = name + "_shape";
    floats_[shape.name] = shape;
    Node z;
    z.name = name + "_zeros", z.op_type = "ConstantOfShape", z.inputs = {shape.name}, z.outputs = {name};
    nodes_.push_back(z);
    QuantParams q;
    q.scale = c.scale.at(0), q.zero_point = int32_t(c.zp.at(0)), q.is_signed = c.q->type == DataType::kInt8;
    params_[Find(name)] = q;
  }

  void Visit(const Node& n) {
    const std::string& op = n.op_type;
    if (!n.domain.empty() && n.domain != "ai.onnx" && n.domain != "com.microsoft")
      FailNode(n, "is in domain '" + n.domain + "', which has no lowering");
    if (kQuantOps.count(op)) out_.given.ops[n.name] = op;
    if (op == "QuantizeLinear") {
      if (Init(n.inputs.at(0)) || Const(n.inputs[0]))
        FailNode(n, "quantizes the constant '" + n.inputs[0] +
                        "' (give integer weights behind a DequantizeLinear)");
      return Join(n, n.outputs.at(0), n.inputs[0], Params(n, 1, 2));
    }
    if (op == "DequantizeLinear") {
      if (Init(n.inputs.at(0))) {
        const Attribute* a = n.Find("axis");
        consts_[n.outputs.at(0)] = Quantized(n, 0, 1, 2, a ? a->i : 1);
        return;
      }
      return Join(n, n.inputs[0], n.outputs.at(0), Params(n, 1, 2));
    }
    if (op == "ConvInteger" || op == "MatMulInteger" || op == "DynamicQuantizeLinear")
      FailNode(
          n,
          "has no lowering in a graph: its int32 result is requantized by float operators (Cast, Mul, "
          "QuantizeLinear's division) whose two roundings one float32 multiplier does not reproduce, and "
          "DynamicQuantizeLinear's parameters depend on the data (use QLinearConv, QLinearMatMul or QDQ)");
    if (op == "QLinearAveragePool" || op == "AveragePool")
      FailNode(
          n,
          "has no lowering that equals onnxruntime: its QLinearAveragePool sums the dequantized floats of "
          "each window in order and divides by the count in float, which the accelerator's integer "
          "window sum and one float32 multiply do not reproduce bit for bit (a float model's "
          "AveragePool is lowered, and nnac's QDQ export writes it as a Conv)");
    if (op == "QLinearConv") {
      Fix(n, n.inputs.at(0), Params(n, 1, 2));
      Fix(n, n.outputs.at(0), Params(n, 6, 7));
      const QConst w = Quantized(n, 3, 4, 5, 0);
      std::optional<QConst> b;
      std::vector<std::string> in{n.inputs[0], n.inputs[3]};
      if (n.inputs.size() > 8 && !n.inputs[8].empty()) {
        const Tensor* bt = Init(n.inputs[8]);
        if (!bt) FailNode(n, "bias '" + n.inputs[8] + "' is not an initializer");
        b = QConst{bt, {1.0f}, {0}, 0};
        // Its real value: scale x_scale * w_scale[c] (the float graph's, not used by the lowering).
        const float xs = Params(n, 1, 2).scale;
        for (float& s : (b->scale = w.scale)) s *= xs;
        if (b->scale.size() == 1 && bt->NumElements() > 1) b->scale.assign(bt->NumElements(), b->scale[0]);
        b->zp.assign(b->scale.size(), 0);
        AddFloat(n.inputs[8], *b);
        in.push_back(n.inputs[8]);
      }
      AddFloat(n.inputs[3], w);
      Weights(n, n.inputs[3], w, b ? &*b : nullptr, false, false);
      nodes_.push_back(Copy(n, "Conv", in));
      return;
    }
    if (op == "QLinearMatMul" || op == "QGemm") {
      const bool gemm = op == "QGemm";
      Fix(n, n.inputs.at(0), Params(n, 1, 2));
      const size_t ys = gemm ? 7 : 6;
      if (ys >= n.inputs.size() || n.inputs[ys].empty())
        FailNode(n, "has a float output, which has no lowering");
      Fix(n, n.outputs.at(0), Params(n, ys, ys + 1));
      const Attribute *tb = n.Find("transB"), *alpha = n.Find("alpha");
      if (alpha && alpha->f != 1.0f)
        FailNode(n, "has alpha=" + alpha->ValueText() + ", which has no lowering (1 only)");
      const bool trans_b = tb && tb->i != 0;
      const Tensor* bt = Init(n.inputs.at(3));
      if (!bt || bt->dims.size() != 2) FailNode(n, "B '" + n.inputs[3] + "' is not a 2-D initializer");
      const QConst w = Quantized(n, 3, 4, 5, trans_b ? 0 : 1);
      std::optional<QConst> b;
      std::vector<std::string> in{n.inputs[0], n.inputs[3]};
      if (gemm && n.inputs.size() > 6 && !n.inputs[6].empty()) {
        const Tensor* ct = Init(n.inputs[6]);
        if (!ct) FailNode(n, "C '" + n.inputs[6] + "' is not an initializer");
        b = QConst{ct, {1.0f}, {0}, 0};
        AddFloat(n.inputs[6], *b);  // the float graph's bias value is not used by the lowering
        in.push_back(n.inputs[6]);
      }
      AddFloat(n.inputs[3], w);
      Weights(n, n.inputs[3], w, b ? &*b : nullptr, true, trans_b);
      nodes_.push_back(Copy(n, gemm ? "Gemm" : "MatMul", in));
      return;
    }
    if (op == "QLinearAdd") {
      Fix(n, n.inputs.at(0), Params(n, 1, 2));
      Fix(n, n.inputs.at(3), Params(n, 4, 5));
      Fix(n, n.outputs.at(0), Params(n, 6, 7));
      nodes_.push_back(Copy(n, "Add", {n.inputs[0], n.inputs[3]}));
      return;
    }
    if (op == "QLinearGlobalAveragePool") {
      if (const Attribute* a = n.Find("channels_last"); a && a->i != 0)
        FailNode(n, "has channels_last=1, which has no lowering (NCHW only)");
      Fix(n, n.inputs.at(0), Params(n, 1, 2));
      Fix(n, n.outputs.at(0), Params(n, 3, 4));
      nodes_.push_back(Copy(n, "GlobalAveragePool", {n.inputs[0]}));
      return;
    }
    if (op == "QLinearConcat") {
      Fix(n, n.outputs.at(0), Params(n, 0, 1));
      std::vector<std::string> in;
      for (size_t i = 2; i + 1 < n.inputs.size(); i += 3) {
        if (const Tensor* t = Init(n.inputs[i])) {
          consts_[n.inputs[i]] =
              QConst{t, {Params(n, i + 1, i + 2).scale}, {Params(n, i + 1, i + 2).zero_point}, 0};
          Zeros(n, n.inputs[i], consts_.at(n.inputs[i]));
        } else {
          Fix(n, n.inputs[i], Params(n, i + 1, i + 2));
        }
        in.push_back(n.inputs[i]);
      }
      nodes_.push_back(Copy(n, "Concat", in));
      return;
    }
    // A float operator between DequantizeLinear and QuantizeLinear (QDQ), or a uint8 MaxPool or
    // layout operator (QOperator): the float graph's own.
    if (op == "BatchNormalization")
      FailNode(n, "is not folded into its Conv: in a pre-quantized graph onnxruntime runs it in float");
    if (op == "Slice")
      FailNode(n,
               "slices a tensor, which has no lowering in a pre-quantized graph (nnac --export-qdq writes an "
               "AveragePool whose border windows divide by fewer values as a Conv per Slice of its input)");
    if (op == "ConvTranspose" && n.inputs.size() > 1 && Const(n.inputs[1]))
      FailNode(
          n,
          "has quantized weights, but onnxruntime 1.31 runs DequantizeLinear -> ConvTranspose -> "
          "QuantizeLinear in float (it fuses no integer ConvTranspose), which an integer deconv does not "
          "equal bit for bit; write it as nnac --export-qdq does, a zero insertion (a ConvTranspose of 1x1 "
          "float ones) then a QDQ Conv of the flipped kernel");
    if (op == "Conv" || op == "Gemm" || op == "MatMul") {
      const QConst* w = n.inputs.size() > 1 ? Const(n.inputs[1]) : nullptr;
      if (!w)
        FailNode(n, "weights '" + (n.inputs.size() > 1 ? n.inputs[1] : std::string()) +
                        "' are not the DequantizeLinear of integer weights (a pre-quantized graph gives them "
                        "quantized)");
      const std::string c = n.inputs.size() > 2 ? n.inputs[2] : "";
      const QConst* b = c.empty() ? nullptr : Const(c);
      if (!c.empty() && !b) FailNode(n, "bias '" + c + "' is not the DequantizeLinear of an int32 bias");
      for (const Attribute* a : {n.Find("alpha"), n.Find("beta")})
        if (a && a->f != 1.0f)
          FailNode(n, "has " + a->name + "=" + a->ValueText() + ", which has no lowering (1 only)");
      const Attribute* tb = n.Find("transB");
      Weights(n, n.inputs[1], *w, b, op != "Conv", tb && tb->i != 0);
      AddFloat(n.inputs[1], *w);
      if (b) AddFloat(c, *b);
    }
    if (op == "Add" || op == "Concat") {
      for (const std::string& i : n.inputs) {
        const QConst* c = Const(i);
        if (c && op == "Concat") {
          Zeros(n, i, *c);
        } else if (c || Init(i)) {
          FailNode(n, "adds the constant '" + i + "', which has no lowering in a pre-quantized graph");
        }
      }
    }
    if (op == "MaxPool" || op == "Transpose" || op == "Reshape" || op == "Flatten" || op == "Squeeze")
      passes_.emplace_back(n.inputs.at(0), n.outputs.at(0));
    Node c = n;
    for (const std::string& i : n.inputs)
      if (const Tensor* t = Init(i); t && !Const(i) && op != "Conv" && op != "Gemm" && op != "MatMul")
        copied_.insert(i);
    nodes_.push_back(std::move(c));
  }

  const Model& m_;
  PreQuantized out_;
  std::vector<Node> nodes_;
  std::map<std::string, QConst> consts_;  // by the DequantizeLinear's output
  std::map<std::string, Tensor> floats_;  // the float graph's new initializers
  std::set<std::string> copied_;          // the model's initializers it keeps (shapes, Clip bounds)
  std::map<std::string, std::string> parent_, canon_;
  std::map<std::string, QuantParams> params_;  // by group root
  std::vector<std::pair<std::string, std::string>> passes_;
};

}  // namespace

bool IsPreQuantizedGraph(const Model& model) {
  return model.nodes.size() > 1 && std::any_of(model.nodes.begin(), model.nodes.end(),
                                               [](const Node& n) { return kQuantOps.count(n.op_type) > 0; });
}

PreQuantized NormalizeQuantizedGraph(const Model& model) { return Normalizer(model).Run(); }

Tensor PreQuantizedRunInput(const PreQuantized& p, const Tensor& input) {
  if (p.input_type == DataType::kFloat || input.type != p.input_type) return input;
  std::vector<double> v(input.NumElements());
  for (size_t e = 0; e < v.size(); ++e) v[e] = float(input.AtInt(e) - p.input.zero_point) * p.input.scale;
  Tensor t = MakeFloatTensor(DataType::kFloat, input.dims, v);
  t.name = input.name;
  return t;
}

std::vector<Tensor> PreQuantizedOutputs(const PreQuantized& p, const std::vector<Tensor>& bytes) {
  std::vector<Tensor> out;
  for (const PreQuantized::Output& o : p.outputs) {
    Tensor t = bytes.at(o.index);
    t.name = o.name;
    if (o.type == DataType::kFloat) {
      std::vector<double> v(t.NumElements());
      for (size_t e = 0; e < v.size(); ++e) v[e] = float(int32_t(t.AtInt(e)) - o.q.zero_point) * o.q.scale;
      t = MakeFloatTensor(DataType::kFloat, t.dims, v);
      t.name = o.name;
    } else if (o.type == DataType::kInt8) {
      t = Uint8AsInt8(t);
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace nna::onnx
