// ExportQdq (calibrate.h): the quantized network as a QDQ ONNX model, through libonnx's protobuf
// classes. onnxruntime fuses DequantizeLinear -> Conv -> QuantizeLinear into QLinearConv when the
// input and the output are both uint8, the weights int8 and the bias int32 (its QDQ Conv selector),
// and DQ -> MatMul -> Q into QLinearMatMul, so it then runs the integer arithmetic the accelerator
// runs.
#include <algorithm>
#include <fstream>
#include <set>

#include "frontends/onnx/calibrate.h"
#include "frontends/onnx/fold.h"
#include "frontends/onnx/graph.h"
#include "onnx/onnx_pb.h"

namespace nna::onnx {
namespace {

namespace pb = ::onnx;
namespace net = compiler::network;

void AddTensor(pb::GraphProto* g, const Tensor& t, const std::string& name) {
  pb::TensorProto* p = g->add_initializer();
  p->set_name(name);
  p->set_data_type(static_cast<int32_t>(t.type));
  for (int64_t d : t.dims) p->add_dims(d);
  p->set_raw_data(t.bytes.data(), t.bytes.size());  // little-endian, as raw_data requires
}

void IntAttribute(pb::NodeProto* n, const std::string& name, int64_t v) {
  pb::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(pb::AttributeProto::INT);
  a->set_i(v);
}

void IntsAttribute(pb::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  pb::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(pb::AttributeProto::INTS);
  for (const int64_t i : v) a->add_ints(i);
}

void AddNode(pb::GraphProto* g, const std::string& op, const std::string& name,
             std::initializer_list<std::string> inputs, const std::string& output, int64_t axis = -1) {
  pb::NodeProto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const std::string& i : inputs) n->add_input(i);
  n->add_output(output);
  if (axis >= 0) IntAttribute(n, "axis", axis);
}

void AddValue(pb::ValueInfoProto* v, const std::string& name, DataType type, const std::vector<Dim>& shape) {
  v->set_name(name);
  pb::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(static_cast<int32_t>(type));
  pb::TensorShapeProto* s = t->mutable_shape();
  for (const Dim& d : shape) {
    if (d.value >= 0)
      s->add_dim()->set_dim_value(d.value);
    else
      s->add_dim()->set_dim_param(d.param.empty() ? "?" : d.param);
  }
}

void AddValue(pb::ValueInfoProto* v, const std::string& name, DataType type,
              const std::vector<int64_t>& dims) {
  std::vector<Dim> shape;
  for (const int64_t d : dims) shape.push_back(Dim{d, ""});
  AddValue(v, name, type, shape);
}

void CopyAttribute(pb::NodeProto* n, const Attribute& a) {
  pb::AttributeProto* p = n->add_attribute();
  p->set_name(a.name);
  switch (a.kind) {
    case Attribute::Kind::kInt:
      p->set_type(pb::AttributeProto::INT), p->set_i(a.i);
      break;
    case Attribute::Kind::kInts:
      p->set_type(pb::AttributeProto::INTS);
      for (int64_t v : a.ints) p->add_ints(v);
      break;
    case Attribute::Kind::kFloat:
      p->set_type(pb::AttributeProto::FLOAT), p->set_f(a.f);
      break;
    case Attribute::Kind::kFloats:
      p->set_type(pb::AttributeProto::FLOATS);
      for (float v : a.floats) p->add_floats(v);
      break;
    case Attribute::Kind::kString:
      p->set_type(pb::AttributeProto::STRING), p->set_s(a.s);
      break;
    default:
      throw OnnxError("attribute " + a.name + "=" + a.ValueText() + " cannot be written to the QDQ model");
  }
}

// The nodes in an order where each comes after the producers of its inputs, as ONNX requires (a
// float op's weight DequantizeLinear is written after it); stable otherwise.
void SortTopologically(pb::GraphProto* g) {
  std::set<std::string> ready;
  for (const pb::ValueInfoProto& v : g->input()) ready.insert(v.name());
  for (const pb::TensorProto& t : g->initializer()) ready.insert(t.name());
  ready.insert("");
  std::vector<pb::NodeProto> left(g->node().begin(), g->node().end()), sorted;
  while (!left.empty()) {
    const auto next = std::find_if(left.begin(), left.end(), [&](const pb::NodeProto& n) {
      return std::all_of(n.input().begin(), n.input().end(),
                         [&](const std::string& i) { return ready.count(i); });
    });
    if (next == left.end())
      throw OnnxError("the QDQ model's node '" + left[0].name() + "' reads a tensor no node writes");
    for (const std::string& o : next->output()) ready.insert(o);
    sorted.push_back(std::move(*next));
    left.erase(next);
  }
  g->clear_node();
  for (pb::NodeProto& n : sorted) *g->add_node() = std::move(n);
}

// A ConvTranspose as onnxruntime computes it exactly (it runs DequantizeLinear -> ConvTranspose ->
// QuantizeLinear in float, docs/onnx.md): the zero insertion of `x` (its DequantizeLinear's output,
// quantized with parameters `xq`), a float ConvTranspose of 1x1 ones per channel whose every output
// is one input times 1.0 or 0, quantized again with x's parameters (its own bytes, exactly); `conv`,
// the node written in the ConvTranspose's place, becomes the Conv of the flipped kernel on it, which
// onnxruntime fuses into QLinearConv. Returns the zero insertion's dequantized name.
std::string AddZeroInsertion(pb::GraphProto* g, const std::string& name, const std::string& x,
                             const std::string& xq, const ConvQuant& c, pb::NodeProto* conv) {
  const ConvQuant::ZeroInsertion& z = *c.zero_insertion;
  const std::string up = name + "_zero_insertion";
  AddTensor(
      g,
      MakeFloatTensor(DataType::kFloat, {z.channels, 1, 1, 1}, std::vector<double>(size_t(z.channels), 1.0)),
      up + "_ones");
  pb::NodeProto* n = g->add_node();
  n->set_op_type("ConvTranspose");
  n->set_name(up);
  n->add_input(x);
  n->add_input(up + "_ones");
  n->add_output(up + "_float");
  IntAttribute(n, "group", z.channels);
  IntsAttribute(n, "kernel_shape", {1, 1});
  IntsAttribute(n, "strides", z.strides);
  IntsAttribute(n, "pads", z.crop);
  AddNode(g, "QuantizeLinear", up + "_QuantizeLinear", {up + "_float", xq + "_scale", xq + "_zero_point"},
          up + "_quantized");
  AddNode(g, "DequantizeLinear", up + "_DequantizeLinear",
          {up + "_quantized", xq + "_scale", xq + "_zero_point"}, up);
  conv->set_op_type("Conv");
  IntAttribute(conv, "group", z.group);
  IntsAttribute(conv, "kernel_shape", {c.w.dims[2], c.w.dims[3]});
  IntsAttribute(conv, "dilations", z.dilations);
  IntsAttribute(conv, "pads", z.pads);
  IntsAttribute(conv, "strides", {1, 1});
  return up;
}

Tensor FloatVector(const std::vector<float>& v) {
  return MakeFloatTensor(DataType::kFloat, {int64_t(v.size())}, {v.begin(), v.end()});
}

// An AveragePool whose divisor varies (ConvQuant::regions), on the quantized input `in` (its bytes
// in_quantized, its scale and zero point in_scale, in_zero_point) into `out`: per region a Slice of the
// input's bytes (the window its outputs read), DequantizeLinear, a depthwise Conv of weights 1/count
// with the pads of the sides the window passes (onnxruntime fuses it into a QLinearConv),
// QuantizeLinear; the regions' bytes concatenated along W, then H (integer copies) as
// out_quantized, then its DequantizeLinear.
void AddCountRegions(pb::GraphProto* g, const std::string& name, const ConvQuant& c, const std::string& in,
                     const std::string& out) {
  const int64_t channels = c.w.dims.at(0);
  auto ints = [&](const std::string& t, const std::vector<int64_t>& v) {
    AddTensor(g, MakeIntTensor(DataType::kInt64, {int64_t(v.size())}, v), t);
  };
  auto concat = [&](const std::vector<std::string>& parts, const std::string& t, int64_t axis) {
    pb::NodeProto* cat = g->add_node();
    cat->set_op_type("Concat"), cat->set_name(t + "_Concat");
    for (const std::string& part : parts) cat->add_input(part);
    cat->add_output(t);
    IntAttribute(cat, "axis", axis);
  };
  std::vector<std::string> bands, parts;
  for (size_t k = 0; k < c.regions.size(); ++k) {
    const ConvQuant::Region& r = c.regions[k];
    const std::string t = name + "_region" + std::to_string(k);
    ints(t + "_starts", r.starts);
    ints(t + "_ends", r.ends);
    ints(t + "_axes", {2, 3});
    AddNode(g, "Slice", t + "_Slice", {in + "_quantized", t + "_starts", t + "_ends", t + "_axes"},
            t + "_input_quantized");
    AddNode(g, "DequantizeLinear", t + "_input_DequantizeLinear",
            {t + "_input_quantized", in + "_scale", in + "_zero_point"}, t + "_input");
    AddTensor(g, r.w, t + "_weights_quantized");
    AddTensor(g, FloatVector(r.w_scale), t + "_weights_scale");
    AddTensor(g, MakeIntTensor(DataType::kInt8, {channels}, std::vector<int64_t>(size_t(channels), 0)),
              t + "_weights_zero_point");
    AddNode(g, "DequantizeLinear", t + "_weights_DequantizeLinear",
            {t + "_weights_quantized", t + "_weights_scale", t + "_weights_zero_point"}, t + "_weights", 0);
    pb::NodeProto* conv = g->add_node();
    conv->set_op_type("Conv");
    conv->set_name(t);
    conv->add_input(t + "_input");
    conv->add_input(t + "_weights");
    conv->add_output(t + "_float");
    IntAttribute(conv, "group", channels);
    IntsAttribute(conv, "kernel_shape", {c.w.dims.at(2), c.w.dims.at(3)});
    IntsAttribute(conv, "strides", c.strides);
    IntsAttribute(conv, "pads", r.pads);
    AddNode(g, "QuantizeLinear", t + "_QuantizeLinear", {t + "_float", out + "_scale", out + "_zero_point"},
            t + "_quantized");
    parts.push_back(t + "_quantized");
    if (k + 1 == c.regions.size() || c.regions[k + 1].row0 != r.row0) {  // a row band's last region
      bands.push_back(name + "_band" + std::to_string(bands.size()) + "_quantized");
      concat(parts, bands.back(), 3);
      parts.clear();
    }
  }
  concat(bands, out + "_quantized", 2);
  AddNode(g, "DequantizeLinear", out + "_DequantizeLinear",
          {out + "_quantized", out + "_scale", out + "_zero_point"}, out);
}

}  // namespace

void ExportQdq(const QuantizedModel& q, const std::filesystem::path& path) {
  pb::ModelProto model;
  model.set_ir_version(7);
  model.set_producer_name("nnac");
  model.add_opset_import()->set_version(13);  // per-channel DequantizeLinear (axis) needs 13
  pb::GraphProto* g = model.mutable_graph();
  g->set_name(q.qlinear.nodes.at(0).name + "_qdq");
  const std::string x = q.input_name, y = q.output_name;
  const std::string w = q.node->inputs[1];
  const size_t cout = q.w_scale.size();

  AddValue(g->add_input(), x, DataType::kFloat, q.input_dims);
  const std::vector<Dim>& out_shape = q.qlinear.outputs.at(0).shape;
  AddValue(g->add_output(), y + "_quantized", q.y.Type(), out_shape);
  AddValue(g->add_output(), y, DataType::kFloat, out_shape);

  const std::vector<float>& w_scale = q.w_scale;
  AddTensor(g, MakeFloatTensor(DataType::kFloat, {}, {q.x.scale}), "x_scale");
  AddTensor(g, MakeIntTensor(q.x.Type(), {}, {q.x.zero_point}), "x_zero_point");
  AddTensor(g, q.w, w + "_quantized");
  if (q.weight_axis < 0) {  // per tensor: every channel has the same scale
    AddTensor(g, MakeFloatTensor(DataType::kFloat, {}, {w_scale[0]}), "w_scale");
    AddTensor(g, MakeIntTensor(DataType::kInt8, {}, {0}), "w_zero_point");
  } else {
    AddTensor(g, FloatVector(w_scale), "w_scale");
    AddTensor(g, MakeIntTensor(DataType::kInt8, {int64_t(cout)}, std::vector<int64_t>(cout, 0)),
              "w_zero_point");
  }
  AddTensor(g, MakeFloatTensor(DataType::kFloat, {}, {q.y.scale}), "y_scale");
  AddTensor(g, MakeIntTensor(q.y.Type(), {}, {q.y.zero_point}), "y_zero_point");

  AddNode(g, "QuantizeLinear", x + "_QuantizeLinear", {x, "x_scale", "x_zero_point"}, x + "_quantized");
  AddNode(g, "DequantizeLinear", x + "_DequantizeLinear", {x + "_quantized", "x_scale", "x_zero_point"},
          x + "_dequantized");
  AddNode(g, "DequantizeLinear", w + "_DequantizeLinear", {w + "_quantized", "w_scale", "w_zero_point"}, w,
          q.weight_axis);
  pb::NodeProto* conv = g->add_node();
  conv->set_op_type(q.node->op_type);
  conv->set_name(q.node->name);
  conv->add_input(x + "_dequantized");
  conv->add_input(w);
  if (!q.bias.bytes.empty()) {
    const std::string b = q.node->inputs[2];
    AddTensor(g, q.bias, b + "_quantized");
    AddTensor(g, FloatVector(q.bias_scale), "bias_scale");
    AddTensor(g, MakeIntTensor(DataType::kInt32, {int64_t(cout)}, std::vector<int64_t>(cout, 0)),
              "bias_zero_point");
    AddNode(g, "DequantizeLinear", b + "_DequantizeLinear",
            {b + "_quantized", "bias_scale", "bias_zero_point"}, b, 0);
    conv->add_input(b);
  }
  conv->add_output(y + "_float");
  for (const Attribute& a : q.node->attributes) CopyAttribute(conv, a);
  AddNode(g, "QuantizeLinear", y + "_QuantizeLinear", {y + "_float", "y_scale", "y_zero_point"},
          y + "_quantized");
  AddNode(g, "DequantizeLinear", y + "_DequantizeLinear", {y + "_quantized", "y_scale", "y_zero_point"}, y);

  std::ofstream f(path, std::ios::binary);
  if (!f || !model.SerializeToOstream(&f)) throw OnnxError("cannot write the QDQ model " + path.string());
}

void ExportGraphQdq(const Model& original, const QuantizedGraph& g, const std::filesystem::path& path,
                    bool int8_activations) {
  const Model model = FoldGraph(original);  // the graph the import lowered
  pb::ModelProto out;
  out.set_ir_version(7);
  out.set_producer_name("nnac");
  // Per-channel DequantizeLinear (axis) needs 13, HardSwish 14.
  const bool hard_swish = std::any_of(model.nodes.begin(), model.nodes.end(),
                                      [](const Node& n) { return n.op_type == "HardSwish"; });
  out.add_opset_import()->set_version(hard_swish ? 14 : 13);
  pb::GraphProto* pg = out.mutable_graph();
  pg->set_name(model.graph_name + "_qdq");
  AddValue(pg->add_input(), g.input_name, DataType::kFloat, g.input_dims);

  // Every quantized tensor T: its producer writes T_float, QuantizeLinear T_quantized,
  // DequantizeLinear T itself, which the consumers read unchanged. The graph input keeps its name:
  // its readers read T_dequantized.
  // The accelerator's uint8 activations, or the int8 ones of the same real values (zero point - 128).
  const DataType act_type = int8_activations ? DataType::kInt8 : DataType::kUint8;
  const int64_t act_shift = int8_activations ? -128 : 0;
  auto scales = [&](const std::string& t, const QuantParams& q) {
    AddTensor(pg, MakeFloatTensor(DataType::kFloat, {}, {q.scale}), t + "_scale");
    AddTensor(pg, MakeIntTensor(act_type, {}, {q.zero_point + act_shift}), t + "_zero_point");
  };
  auto qdq = [&](const std::string& from, const std::string& t, const std::string& to) {
    AddNode(pg, "QuantizeLinear", t + "_QuantizeLinear", {from, t + "_scale", t + "_zero_point"},
            t + "_quantized");
    AddNode(pg, "DequantizeLinear", t + "_DequantizeLinear",
            {t + "_quantized", t + "_scale", t + "_zero_point"}, to);
  };
  const QuantParams& x = g.acts.at(g.input_name).q;
  scales(g.input_name, x);
  qdq(g.input_name, g.input_name, g.input_name + "_dequantized");

  std::set<std::string> copied;  // initializers the float operators read (shapes of Reshape)
  std::set<std::string> graph_outputs, folded_adds;
  for (const GraphOutput& o : g.outputs) graph_outputs.insert(o.name);
  for (const Node& n : model.nodes)  // a MatMul whose output is written by the Add of its bias
    if (n.op_type == "MatMul" && g.convs.count(n.name) && g.convs.at(n.name).output != n.outputs[0])
      folded_adds.insert(g.convs.at(n.name).output);
  for (const Node& n : model.nodes) {
    if (n.op_type == "ConstantOfShape") {  // the zeros of a channel padding: their zero point's bytes
      const std::string& t = n.outputs[0];
      const ActQuant& a = g.acts.at(t);
      const Tensor* shape = model.FindInitializer(n.inputs[0]);
      std::vector<int64_t> dims;
      for (size_t i = 0; i < shape->NumElements(); ++i) dims.push_back(shape->AtInt(i));
      const size_t count = CountElements(dims, t);
      scales(t, a.q);
      AddTensor(pg, MakeIntTensor(act_type, dims, std::vector<int64_t>(count, a.q.zero_point + act_shift)),
                t + "_quantized");
      AddNode(pg, "DequantizeLinear", t + "_DequantizeLinear",
              {t + "_quantized", t + "_scale", t + "_zero_point"}, t);
      continue;
    }
    if (n.op_type == "BatchNormalization") continue;  // folded into its Conv (written below)
    if (n.op_type == "Add" && folded_adds.count(n.outputs[0])) continue;  // a MatMul's bias: in its Gemm
    // A Flatten, Reshape or Squeeze of a quantized tensor on its way to a Gemm (not a graph output):
    // done on the uint8 bytes, then DequantizeLinear with the same parameters, so that onnxruntime
    // sees DequantizeLinear -> Gemm and fuses it into QGemm.
    const bool on_bytes = (n.op_type == "Flatten" || n.op_type == "Reshape" || n.op_type == "Squeeze") &&
                          g.acts.count(n.inputs[0]) && !graph_outputs.count(n.outputs[0]);
    // An AveragePool is written as the depthwise Conv the accelerator runs (graph.cpp's AvgPool),
    // which onnxruntime fuses into a QLinearConv.
    const bool avg_pool = n.op_type == "AveragePool";
    // A ConvTranspose lowered to a deconv: its zero insertion, then a Conv in its place.
    const ConvQuant* deconv =
        n.op_type == "ConvTranspose" && g.convs.count(n.name) ? &g.convs.at(n.name) : nullptr;
    if (avg_pool && !g.convs.at(n.name).regions.empty()) {  // a divisor that varies: a Conv per region
      const ConvQuant& c = g.convs.at(n.name);
      scales(c.output, g.acts.at(c.output).q);
      AddCountRegions(pg, n.name, c, n.inputs[0], c.output);
      continue;
    }
    pb::NodeProto* p = pg->add_node();
    p->set_op_type(n.op_type == "MatMul" ? "Gemm" : avg_pool ? "Conv" : n.op_type);  // MatMul (+ bias): Gemm
    p->set_name(n.name);
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const std::string& in = n.inputs[i];
      const std::string read = in == g.input_name   ? in + "_dequantized"
                               : i == 0 && on_bytes ? in + "_quantized"
                                                    : in;
      p->add_input(i == 0 && deconv ? AddZeroInsertion(pg, n.name, read, in, *deconv, p) : read);
      if (n.op_type != "Conv" && n.op_type != "Gemm" && n.op_type != "MatMul" && !deconv &&
          model.FindInitializer(in))
        copied.insert(in);
    }
    if (n.op_type == "Squeeze" && n.Find("axes")) {  // opset 13 takes the axes as an input
      AddTensor(pg,
                MakeIntTensor(DataType::kInt64, {int64_t(n.Find("axes")->ints.size())}, n.Find("axes")->ints),
                n.name + "_axes");
      p->add_input(n.name + "_axes");
    }
    for (const Attribute& a : n.attributes)  // a Gemm's alpha and beta are folded into its weights and bias
      if (!deconv && !(n.op_type == "Squeeze" && a.name == "axes") &&
          !(n.op_type == "Gemm" && (a.name == "alpha" || a.name == "beta")) &&
          !(avg_pool && a.name != "kernel_shape" && a.name != "strides"))
        CopyAttribute(p, a);
    if (avg_pool) {  // the pads as lowered: auto_pad's, and a ceil_mode window's
      IntsAttribute(p, "pads", g.convs.at(n.name).pads);
      p->add_input(n.name + "_weights");
      IntAttribute(p, "group", g.convs.at(n.name).w.dims.at(0));
    }
    if (on_bytes) {
      const std::string &in = n.inputs[0], &o = n.outputs[0];
      p->add_output(o + "_quantized");
      AddNode(pg, "DequantizeLinear", o + "_DequantizeLinear",
              {o + "_quantized", in + "_scale", in + "_zero_point"}, o);
      continue;
    }
    const ConvQuant* c = n.op_type == "Conv" || n.op_type == "Gemm" || n.op_type == "MatMul" || avg_pool
                             ? &g.convs.at(n.name)
                             : deconv;
    const std::vector<std::string> outputs = c ? std::vector<std::string>{c->output} : n.outputs;
    for (const std::string& o : outputs) p->add_output(g.acts.count(o) ? o + "_float" : o);
    for (const std::string& o : outputs)
      if (const auto it = g.acts.find(o); it != g.acts.end())
        scales(o, it->second.q), qdq(o + "_float", o, o);
    if (!c) continue;
    // DequantizeLinear of int8 weights or an int32 bias t: zero points 0, scales per output
    // channel (axis 0) or one (a Gemm's).
    auto dequantize = [&](const std::string& t, const Tensor& values, const std::vector<float>& scale) {
      const int64_t n_scales = c->per_tensor ? 1 : int64_t(scale.size());
      const std::vector<int64_t> dims =
          c->per_tensor ? std::vector<int64_t>{} : std::vector<int64_t>{n_scales};
      AddTensor(pg, values, t + "_quantized");
      AddTensor(pg,
                MakeFloatTensor(DataType::kFloat, dims,
                                std::vector<double>(scale.begin(), scale.begin() + n_scales)),
                t + "_scale");
      AddTensor(pg, MakeIntTensor(values.type, dims, std::vector<int64_t>(size_t(n_scales), 0)),
                t + "_zero_point");
      AddNode(pg, "DequantizeLinear", t + "_DequantizeLinear",
              {t + "_quantized", t + "_scale", t + "_zero_point"}, t, c->per_tensor ? -1 : 0);
    };
    dequantize(avg_pool ? n.name + "_weights" : n.inputs[1], c->w, c->w_scale);
    if (c->bias.bytes.empty()) continue;
    // A conv without a bias gets one from its folded BatchNormalization.
    const bool own_bias = n.inputs.size() > 2 && !n.inputs[2].empty();
    const std::string b = own_bias ? n.inputs[2] : n.name + "_bias";
    if (!own_bias && n.inputs.size() > 2) p->set_input(2, b);
    if (!own_bias && n.inputs.size() <= 2) p->add_input(b);
    dequantize(b, c->bias, c->bias_scale);
  }
  for (const Tensor& t : model.initializers)
    if (copied.count(t.name)) AddTensor(pg, t, t.name);

  // The outputs: each one quantized again by its layer's parameters (exactly its bytes) after the
  // host's layout operators, then the floats.
  for (const GraphOutput& o : g.outputs) {
    const net::QuantLayer& l = g.q.layers[size_t(o.layer)];
    QuantParams q;
    q.scale = float(l.out_scale), q.zero_point = l.out_zero_point;
    if (!g.acts.count(o.name)) {  // else the output is a layer's own, whose QuantizeLinear gives o_quantized
      scales(o.name + "_out", q);
      AddNode(pg, "QuantizeLinear", o.name + "_out_QuantizeLinear",
              {o.name, o.name + "_out_scale", o.name + "_out_zero_point"}, o.name + "_quantized");
    }
    AddValue(pg->add_output(), o.name + "_quantized", act_type, o.dims);
  }
  for (const GraphOutput& o : g.outputs) AddValue(pg->add_output(), o.name, DataType::kFloat, o.dims);
  SortTopologically(pg);
  std::ofstream f(path, std::ios::binary);
  if (!f || !out.SerializeToOstream(&f)) throw OnnxError("cannot write the QDQ model " + path.string());
}

void SaveModel(const Model& model, const std::filesystem::path& path) {
  pb::ModelProto out;
  out.set_ir_version(model.ir_version ? model.ir_version : 7);
  out.set_producer_name(model.producer_name.empty() ? "nnac" : model.producer_name);
  for (const OpsetImport& o : model.opsets) {
    pb::OperatorSetIdProto* p = out.add_opset_import();
    p->set_domain(o.domain);
    p->set_version(o.version);
  }
  if (model.opsets.empty()) out.add_opset_import()->set_version(13);
  pb::GraphProto* g = out.mutable_graph();
  g->set_name(model.graph_name.empty() ? ModelTestName(model.path) : model.graph_name);
  for (const ValueInfo& v : model.inputs) AddValue(g->add_input(), v.name, v.type, v.shape);
  for (const ValueInfo& v : model.outputs) AddValue(g->add_output(), v.name, v.type, v.shape);
  for (const Tensor& t : model.initializers) AddTensor(g, t, t.name);
  for (const Node& n : model.nodes) {
    pb::NodeProto* p = g->add_node();
    p->set_op_type(n.op_type);
    p->set_name(n.name);
    p->set_domain(n.domain);
    for (const std::string& i : n.inputs) p->add_input(i);
    for (const std::string& o : n.outputs) p->add_output(o);
    for (const Attribute& a : n.attributes) CopyAttribute(p, a);
  }
  std::ofstream f(path, std::ios::binary);
  if (!f || !out.SerializeToOstream(&f)) throw OnnxError("cannot write the model " + path.string());
}

}  // namespace nna::onnx
