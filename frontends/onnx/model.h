// ONNX models as the project's own plain structures: LoadModel reads a .onnx file (through
// libonnx's protobuf classes, which stay inside model.cpp) and checks what later passes rely on:
// every tensor's data complete and of a supported type, every node input defined before its use,
// every graph output produced. Errors are OnnxError, one sentence naming the file, node or tensor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "frontends/onnx/tensor.h"

namespace nna::onnx {

// One dimension of a declared shape: a size, or a symbolic name ("N"), or unknown.
struct Dim {
  int64_t value = -1;  // -1 when symbolic or unknown
  std::string param;   // the symbolic name, if any
};

// A graph input or output as declared: a tensor type and (possibly) a shape.
struct ValueInfo {
  std::string name;
  bool is_tensor = true;  // false for sequence, map and optional values (type is then kUndefined)
  DataType type = DataType::kUndefined;
  bool has_shape = false;
  std::vector<Dim> shape;
  // "uint8 [1,1,7,7]", "float [N,3,224,224]", "float (no shape)".
  std::string Describe() const;
};

struct Attribute {
  // kOther: a kind the front end keeps no value of (graph, graphs, tensors, sparse tensor(s),
  // type protos); `other` then names it, so that a lowering can reject the node with it.
  enum class Kind { kInt, kInts, kFloat, kFloats, kString, kStrings, kTensor, kOther };
  std::string name;
  Kind kind = Kind::kInt;
  int64_t i = 0;
  std::vector<int64_t> ints;
  float f = 0;
  std::vector<float> floats;
  std::string s;
  std::vector<std::string> strings;
  Tensor t;
  std::string other;
  // The value as short text: "2", "[1,1,2,2]", "0.5", "'NOTSET'", "tensor int64 [4]", "graph".
  std::string ValueText() const;
};

struct Node {
  std::string name;  // as in the file, or "<op_type>_<index>" when the file's is empty
  bool name_synthesized = false;
  std::string op_type;
  std::string domain;               // "" is the default ONNX domain ("ai.onnx")
  std::vector<std::string> inputs;  // "" for an omitted optional input
  std::vector<std::string> outputs;
  std::vector<Attribute> attributes;
  const Attribute* Find(const std::string& attribute) const;
  // "node 'conv_0' (Conv)": how every message names a node.
  std::string Describe() const;
};

// Throws OnnxError "node 'conv_0' (Conv): WHAT": every sentence about one node.
[[noreturn]] void FailNode(const Node& n, const std::string& what);

struct OpsetImport {
  std::string domain;  // "" for the default domain
  int64_t version = 0;
};

struct Model {
  std::string path;
  int64_t ir_version = 0;
  std::string producer_name, producer_version;
  std::vector<OpsetImport> opsets;
  std::string graph_name;
  // The graph's inputs a caller feeds, in file order: declared inputs that have no initializer
  // (before IR version 4 every initializer was also listed as an input).
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::vector<Node> nodes;  // in file order, which ONNX requires to be topological
  std::vector<Tensor> initializers;

  const Tensor* FindInitializer(const std::string& name) const;
  // The opset version imported for a domain ("" or "ai.onnx" for the default), 0 if none.
  int64_t OpsetVersion(const std::string& domain = "") const;
};

Model LoadModel(const std::filesystem::path& path);

// The name a model's bundle and run folder take: a node test's folder for its model.onnx, else the
// file's stem.
std::string ModelTestName(const std::filesystem::path& path);

// A serialized TensorProto, as in the ONNX test data's input_*.pb and output_*.pb.
Tensor ReadTensorPb(const std::filesystem::path& path);

// A tensor file by its extension: ".npy" (tensor.h's ReadNpy), anything else a TensorProto .pb.
Tensor ReadTensorFile(const std::filesystem::path& path);

}  // namespace nna::onnx
