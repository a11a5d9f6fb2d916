// LoadModel and ReadTensorPb: libonnx's protobuf classes (onnx-ml.proto) to the plain structures
// of model.h. Protobuf types stay in this file.
#include "frontends/onnx/model.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>
#include <type_traits>

#include "onnx/onnx_pb.h"

namespace nna::onnx {
namespace {

namespace pb = ::onnx;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw OnnxError("cannot open " + path.string() + ".");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Copies `count` values of a typed repeated field into the tensor's bytes as `type`, checking
// that each fits (int32_data carries int8, uint8, int16, uint16, bool and the bits of float16).
template <typename Field>
void CopyTyped(const Field& field, Tensor& t, size_t count, const std::string& what, const char* field_name) {
  if (static_cast<size_t>(field.size()) != count)
    throw OnnxError(what + " has " + std::to_string(field.size()) + " values in " + field_name + " for its " +
                    std::to_string(count) + " elements (" + t.Describe() + ").");
  const size_t size = ElementSize(t.type);
  t.bytes.resize(count * size);
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  switch (t.type) {
    case DataType::kInt8:
      lo = -128, hi = 127;
      break;
    case DataType::kUint8:
      lo = 0, hi = 255;
      break;
    case DataType::kInt16:
      lo = -32768, hi = 32767;
      break;
    case DataType::kUint16:
    case DataType::kFloat16:
    case DataType::kBfloat16:
      lo = 0, hi = 65535;
      break;
    case DataType::kBool:
      lo = 0, hi = 1;
      break;
    default:
      break;
  }
  for (size_t i = 0; i < count; ++i) {
    const auto v = field.Get(static_cast<int>(i));
    if constexpr (std::is_integral_v<decltype(v)>) {
      if (t.type == DataType::kUint32 && static_cast<uint64_t>(v) > 0xffffffffu)
        throw OnnxError(what + " element " + t.FormatIndex(i) + " is " + std::to_string(v) +
                        ", beyond uint32.");
      if (std::is_signed_v<decltype(v)> && (static_cast<int64_t>(v) < lo || static_cast<int64_t>(v) > hi))
        throw OnnxError(what + " element " + t.FormatIndex(i) + " is " + std::to_string(v) + ", beyond " +
                        ToString(t.type) + ".");
      const uint64_t bits = static_cast<uint64_t>(v);
      std::memcpy(t.bytes.data() + i * size, &bits, size);  // little-endian: the low bytes
    } else {
      std::memcpy(t.bytes.data() + i * size, &v, size);  // float into float, double into double
    }
  }
}

Tensor FromProto(const pb::TensorProto& p, const std::string& what) {
  Tensor t;
  t.name = p.name();
  t.type = static_cast<DataType>(p.data_type());
  t.dims.assign(p.dims().begin(), p.dims().end());
  if (!IsSupported(t.type))
    throw OnnxError(
        what + " has data type " + ToString(t.type) +
        ", which is not supported (float, double, float16, bfloat16, int8 to int64, uint8 to uint64 "
        "and bool are).");
  if (p.data_location() == pb::TensorProto::EXTERNAL || p.external_data_size() > 0) {
    std::string location = "?";
    for (const auto& kv : p.external_data())
      if (kv.key() == "location") location = kv.value();
    throw OnnxError(what + " keeps its data in an external file (" + Quote(location) +
                    "), which is not supported; save the model with its data inside.");
  }
  if (p.has_segment()) throw OnnxError(what + " is a segment of a larger tensor, which is not supported.");
  const size_t n = CountElements(t.dims, what);
  const int typed = p.float_data_size() + p.int32_data_size() + p.int64_data_size() + p.double_data_size() +
                    p.uint64_data_size() + p.string_data_size();
  if (p.has_raw_data()) {
    if (typed) throw OnnxError(what + " has both raw_data and typed data fields.");
    const size_t need = n * ElementSize(t.type);
    if (p.raw_data().size() != need)
      throw OnnxError(what + " has " + std::to_string(p.raw_data().size()) + " bytes of raw_data where " +
                      t.Describe() + " needs " + std::to_string(need) + " (truncated?).");
    t.bytes.assign(p.raw_data().begin(), p.raw_data().end());
    return t;
  }
  switch (t.type) {
    case DataType::kFloat:
      CopyTyped(p.float_data(), t, n, what, "float_data");
      break;
    case DataType::kDouble:
      CopyTyped(p.double_data(), t, n, what, "double_data");
      break;
    case DataType::kInt64:
      CopyTyped(p.int64_data(), t, n, what, "int64_data");
      break;
    case DataType::kUint32:
    case DataType::kUint64:
      CopyTyped(p.uint64_data(), t, n, what, "uint64_data");
      break;
    default:
      CopyTyped(p.int32_data(), t, n, what, "int32_data");
      break;
  }
  return t;
}

ValueInfo FromProto(const pb::ValueInfoProto& v) {
  ValueInfo info;
  info.name = v.name();
  if (v.type().value_case() != pb::TypeProto::VALUE_NOT_SET && !v.type().has_tensor_type()) {
    info.is_tensor = false;
    return info;
  }
  const auto& tt = v.type().tensor_type();
  info.type = static_cast<DataType>(tt.elem_type());
  info.has_shape = tt.has_shape();
  for (const auto& d : tt.shape().dim()) {
    Dim dim;
    if (d.has_dim_value()) dim.value = d.dim_value();
    dim.param = d.dim_param();
    info.shape.push_back(dim);
  }
  return info;
}

Attribute FromProto(const pb::AttributeProto& a, const std::string& what) {
  Attribute out;
  out.name = a.name();
  using A = pb::AttributeProto;
  auto type = a.type();
  if (type == A::UNDEFINED) {  // files from before IR version 2 say the kind by the field they set
    type = a.has_f()              ? A::FLOAT
           : a.has_i()            ? A::INT
           : a.has_s()            ? A::STRING
           : a.has_t()            ? A::TENSOR
           : a.has_g()            ? A::GRAPH
           : a.floats_size() > 0  ? A::FLOATS
           : a.ints_size() > 0    ? A::INTS
           : a.strings_size() > 0 ? A::STRINGS
                                  : A::UNDEFINED;
    if (type == A::UNDEFINED)
      throw OnnxError(what + " attribute " + Quote(a.name()) + " has no type and no value.");
  }
  switch (type) {
    case A::INT:
      out.kind = Attribute::Kind::kInt, out.i = a.i();
      break;
    case A::INTS:
      out.kind = Attribute::Kind::kInts, out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case A::FLOAT:
      out.kind = Attribute::Kind::kFloat, out.f = a.f();
      break;
    case A::FLOATS:
      out.kind = Attribute::Kind::kFloats, out.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case A::STRING:
      out.kind = Attribute::Kind::kString, out.s = a.s();
      break;
    case A::STRINGS:
      out.kind = Attribute::Kind::kStrings, out.strings.assign(a.strings().begin(), a.strings().end());
      break;
    case A::TENSOR:
      out.kind = Attribute::Kind::kTensor;
      out.t = FromProto(a.t(), what + " attribute " + Quote(a.name()));
      break;
    default:
      out.kind = Attribute::Kind::kOther;
      out.other =
          A::AttributeType_IsValid(type) ? A::AttributeType_Name(type) : "type " + std::to_string(type);
      for (char& c : out.other) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      break;
  }
  return out;
}

// The checks that catch a file cut at a message boundary, which protobuf parses without complaint.
void CheckGraph(const Model& m, const std::string& file) {
  std::set<std::string> defined;
  for (const Tensor& t : m.initializers)
    if (!defined.insert(t.name).second)
      throw OnnxError(file + " has two initializers named " + Quote(t.name) + ".");
  for (const ValueInfo& v : m.inputs) defined.insert(v.name);
  for (const Node& n : m.nodes) {
    for (const std::string& in : n.inputs)
      if (!in.empty() && !defined.count(in))
        throw OnnxError(file + ": " + n.Describe() + " reads " + Quote(in) +
                        ", which is no graph input, initializer or earlier node's output.");
    for (const std::string& out : n.outputs)
      if (!out.empty() && !defined.insert(out).second)
        throw OnnxError(file + ": " + n.Describe() + " writes " + Quote(out) + ", which is already defined.");
  }
  for (const ValueInfo& v : m.outputs)
    if (!defined.count(v.name))
      throw OnnxError(file + ": graph output " + Quote(v.name) +
                      " is produced by no node (truncated file?).");
}

}  // namespace

std::string ValueInfo::Describe() const {
  if (!is_tensor) return "(not a tensor)";
  if (!has_shape) return ToString(type) + " (no shape)";
  std::string s = ToString(type) + " [";
  for (size_t i = 0; i < shape.size(); ++i) {
    const Dim& d = shape[i];
    s += (i ? "," : "") + (d.value >= 0 ? std::to_string(d.value) : d.param.empty() ? "?" : d.param);
  }
  return s + "]";
}

void FailNode(const Node& n, const std::string& what) { throw OnnxError(n.Describe() + ": " + what); }

std::string Attribute::ValueText() const {
  auto list = [](const auto& v, auto text) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + text(v[i]);
    return s + "]";
  };
  auto num = [](double x) {
    std::ostringstream os;
    os << x;
    return os.str();
  };
  switch (kind) {
    case Kind::kInt:
      return std::to_string(i);
    case Kind::kInts:
      return list(ints, [](int64_t x) { return std::to_string(x); });
    case Kind::kFloat:
      return num(f);
    case Kind::kFloats:
      return list(floats, num);
    case Kind::kString:
      return Quote(s);
    case Kind::kStrings:
      return list(strings, Quote);
    case Kind::kTensor:
      return "tensor " + t.Describe();
    case Kind::kOther:
      return other;
  }
  return "?";
}

const Attribute* Node::Find(const std::string& attribute) const {
  for (const Attribute& a : attributes)
    if (a.name == attribute) return &a;
  return nullptr;
}

std::string Node::Describe() const { return "node " + Quote(name) + " (" + op_type + ")"; }

const Tensor* Model::FindInitializer(const std::string& name) const {
  for (const Tensor& t : initializers)
    if (t.name == name) return &t;
  return nullptr;
}

int64_t Model::OpsetVersion(const std::string& domain) const {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  for (const OpsetImport& o : opsets)
    if (o.domain == d || (d.empty() && o.domain == "ai.onnx")) return o.version;
  return 0;
}

std::string ModelTestName(const std::filesystem::path& path) {
  return path.filename() == "model.onnx" ? path.parent_path().filename().string() : path.stem().string();
}

Model LoadModel(const std::filesystem::path& path) {
  const std::string file = path.string();
  const std::string data = ReadFile(path);
  pb::ModelProto proto;
  if (!proto.ParseFromString(data))
    throw OnnxError(file + " is not an ONNX model: its " + std::to_string(data.size()) +
                    " bytes do not parse as a ModelProto (truncated, or another format?).");
  if (!proto.has_graph())
    throw OnnxError(file +
                    " is not an ONNX model: it has no graph (empty, or another kind of protobuf file?).");
  if (proto.opset_import_size() == 0)
    throw OnnxError(file + " has no opset_import (truncated, or older than IR version 3?).");
  Model m;
  m.path = file;
  m.ir_version = proto.ir_version();
  m.producer_name = proto.producer_name();
  m.producer_version = proto.producer_version();
  for (const auto& o : proto.opset_import()) m.opsets.push_back({o.domain(), o.version()});
  const pb::GraphProto& g = proto.graph();
  m.graph_name = g.name();
  if (g.sparse_initializer_size() > 0)
    throw OnnxError(file + " has sparse initializers (the first " +
                    Quote(g.sparse_initializer(0).values().name()) + "), which are not supported.");
  for (const auto& t : g.initializer())
    m.initializers.push_back(FromProto(t, file + ": initializer " + Quote(t.name())));
  std::set<std::string> init_names;
  for (const Tensor& t : m.initializers) init_names.insert(t.name);
  for (const auto& v : g.input())
    if (!init_names.count(v.name())) m.inputs.push_back(FromProto(v));
  for (const auto& v : g.output()) m.outputs.push_back(FromProto(v));
  for (int i = 0; i < g.node_size(); ++i) {
    const pb::NodeProto& p = g.node(i);
    Node n;
    n.op_type = p.op_type();
    n.name = p.name();
    if (n.name.empty()) {
      n.name = n.op_type + "_" + std::to_string(i);
      n.name_synthesized = true;
    }
    n.domain = p.domain() == "ai.onnx" ? "" : p.domain();
    n.inputs.assign(p.input().begin(), p.input().end());
    n.outputs.assign(p.output().begin(), p.output().end());
    for (const auto& a : p.attribute()) n.attributes.push_back(FromProto(a, file + ": " + n.Describe()));
    m.nodes.push_back(std::move(n));
  }
  CheckGraph(m, file);
  return m;
}

Tensor ReadTensorPb(const std::filesystem::path& path) {
  const std::string file = path.string();
  const std::string data = ReadFile(path);
  pb::TensorProto proto;
  if (!proto.ParseFromString(data))
    throw OnnxError(file + " is not a TensorProto file: its " + std::to_string(data.size()) +
                    " bytes do not parse (truncated, or another format?).");
  if (data.empty()) throw OnnxError(file + " is empty, not a TensorProto.");
  if (proto.data_type() == 0)
    throw OnnxError(file +
                    " is not a TensorProto file: it has no data type (a model, or another protobuf file?).");
  return FromProto(proto, file + ": tensor " + Quote(proto.name()));
}

Tensor ReadTensorFile(const std::filesystem::path& path) {
  return path.extension() == ".npy" ? ReadNpy(path) : ReadTensorPb(path);
}

}  // namespace nna::onnx
