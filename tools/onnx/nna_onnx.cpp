// nna_onnx: ONNX files from the command line, through the front end's library (frontends/onnx).
//   nna_onnx info MODEL.onnx                     inputs, outputs, initializers, nodes and attributes,
//                                                and the path nnac --onnx takes (one quantized node,
//                                                one float node, a quantized graph or a float graph)
//   nna_onnx compare EXPECTED ACTUAL [--rtol R] [--atol A]
//                                                two tensors (.pb or .npy); integers must be equal,
//                                                floats bit for bit unless a tolerance is given
//   nna_onnx convert IN OUT.npy                  a tensor file (.pb or .npy) to .npy
//   nna_onnx survey NODE_DIR [--results FILE]    the Markdown table of docs/onnx.md: the node tests
//                                                of the operators the accelerator has; FILE's lines
//                                                "test<TAB>result" fill the result column (the last
//                                                line of a test wins; check_onnx_layer.py --results)
//   nna_onnx scale-initializer IN OUT NAME INDEX FACTOR
//                                                IN with element INDEX of the float initializer NAME
//                                                multiplied by FACTOR, written to OUT: a model
//                                                broken on purpose, for the tests that must see it
//   nna_onnx flip-initializer IN OUT NAME       IN with each kH x kW kernel of the int8 [M,C,kH,kW]
//                                                initializer NAME turned by 180 degrees, written to
//                                                OUT (a deconv's export with its kernel unflipped)
//   nna_onnx images N,H,W,C COUNT SEED DIR      COUNT seeded synthetic face-like images as float
//                                                .npy (NHWC, values -1..1) in DIR: calibration and
//                                                run inputs for image models (docs/onnx.md, "Graphs")
// Exit status: 0 done (compare: equal), 1 compare: different, 2 bad input (one sentence on stderr).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "frontends/onnx/compile.h"
#include "frontends/onnx/graph.h"
#include "frontends/onnx/model.h"
#include "frontends/onnx/qdq_graph.h"
#include "onnx/onnx_pb.h"

namespace {

using namespace nna::onnx;

// The operators the accelerator has, or that a lowering folds, fuses or moves to the host
// (issue 17); a node test is listed when every node of its model is one of these.
const std::set<std::string> kSurveyOps = {"QLinearConv",
                                          "ConvInteger",
                                          "QLinearMatMul",
                                          "MatMulInteger",
                                          "Conv",
                                          "ConvTranspose",
                                          "MaxPool",
                                          "AveragePool",
                                          "GlobalAveragePool",
                                          "Add",
                                          "Mul",
                                          "Concat",
                                          "Gemm",
                                          "MatMul",
                                          "Relu",
                                          "LeakyRelu",
                                          "Clip",
                                          "Sigmoid",
                                          "Tanh",
                                          "HardSigmoid",
                                          "HardSwish",
                                          "BatchNormalization",
                                          "Pad",
                                          "QuantizeLinear",
                                          "DequantizeLinear",
                                          "Flatten",
                                          "Reshape",
                                          "Transpose",
                                          "Squeeze"};

int Usage() {
  std::cerr << "usage: nna_onnx info MODEL | compare EXPECTED ACTUAL [--rtol R] [--atol A] | convert IN "
               "OUT.npy | images N,H,W,C COUNT SEED DIR | "
               "survey NODE_DIR [--results FILE] | scale-initializer IN OUT NAME INDEX FACTOR | "
               "flip-initializer IN OUT "
               "NAME\n";
  return 2;
}

std::string Attributes(const Node& n) {
  std::string s;
  for (const Attribute& a : n.attributes) s += (s.empty() ? "" : " ") + a.name + "=" + a.ValueText();
  return s;
}

int Info(const std::string& path) {
  const Model m = LoadModel(path);
  std::cout << m.path << ": IR version " << m.ir_version << ", producer '" << m.producer_name << " "
            << m.producer_version << "', opsets";
  for (const OpsetImport& o : m.opsets)
    std::cout << " " << (o.domain.empty() ? "ai.onnx" : o.domain) << ":" << o.version;
  std::cout << "\ninputs:\n";
  for (const ValueInfo& v : m.inputs) std::cout << "  " << v.name << ": " << v.Describe() << "\n";
  std::cout << "outputs:\n";
  for (const ValueInfo& v : m.outputs) std::cout << "  " << v.name << ": " << v.Describe() << "\n";
  std::cout << "initializers: " << m.initializers.size() << "\n";
  for (const Tensor& t : m.initializers) std::cout << "  " << t.name << ": " << t.Describe() << "\n";
  std::cout << "nodes: " << m.nodes.size() << "\n";
  for (const Node& n : m.nodes) {
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    std::cout << "  " << n.name << ": " << (n.domain.empty() ? "" : n.domain + ".") << n.op_type << "("
              << join(n.inputs) << ") -> " << join(n.outputs)
              << (n.attributes.empty() ? "" : "  " + Attributes(n)) << "\n";
  }
  // The front end's own choice (compile.h), for scripts that check each path its own way.
  std::cout << "nnac --onnx path: "
            << (IsPreQuantizedGraph(m)   ? "quantized graph"
                : IsFloatGraphFile(path) ? "float graph"
                : IsFloatModel(m)        ? "float node"
                                         : "quantized node")
            << "\n";
  return 0;
}

int CompareFiles(const std::vector<std::string>& args) {
  if (args.size() != 2 && args.size() != 4 && args.size() != 6) return Usage();
  double rtol = 0, atol = 0;
  for (size_t i = 2; i + 1 < args.size(); i += 2) {
    if (args[i] == "--rtol")
      rtol = std::stod(args[i + 1]);
    else if (args[i] == "--atol")
      atol = std::stod(args[i + 1]);
    else
      return Usage();
  }
  const Tensor expected = ReadTensorFile(args[0]);
  Tensor actual = ReadTensorFile(args[1]);
  actual.name = args[1];
  const Comparison c = Compare(expected, actual, rtol, atol);
  std::cout << c.summary << "\n";
  return c.Equal() ? 0 : 1;
}

// Markdown cells must not contain '|'.
std::string Cell(std::string s) {
  std::replace(s.begin(), s.end(), '|', '/');
  return s;
}

int Survey(const std::string& dir, const std::string& results_file) {
  std::map<std::string, std::string> results;
  if (!results_file.empty()) {
    std::ifstream f(results_file);
    if (!f) throw OnnxError("survey: cannot read the results file " + results_file);
    std::string line;
    while (std::getline(f, line)) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos)
        throw OnnxError("survey: " + results_file + ": line '" + line + "' has no tab");
      results[line.substr(0, tab)] = line.substr(tab + 1);
    }
  }
  std::vector<std::filesystem::path> tests;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (std::filesystem::exists(e.path() / "model.onnx")) tests.push_back(e.path());
  std::sort(tests.begin(), tests.end());
  std::cout << "| test | operators | inputs | outputs | attributes | opset | result |\n"
            << "|---|---|---|---|---|---|---|\n";
  size_t listed = 0, unreadable = 0;
  for (const auto& test : tests) {
    Model m;
    try {
      m = LoadModel(test / "model.onnx");
    } catch (const OnnxError& e) {
      ++unreadable;
      std::cerr << "survey: skipped: " << e.what() << "\n";
      continue;
    }
    std::vector<std::string> ops;
    bool all = !m.nodes.empty();
    for (const Node& n : m.nodes) {
      all = all && n.domain.empty() && kSurveyOps.count(n.op_type);
      if (std::find(ops.begin(), ops.end(), n.op_type) == ops.end()) ops.push_back(n.op_type);
    }
    if (!all) continue;
    auto values = [](const std::vector<ValueInfo>& v) {
      std::string s;
      for (const ValueInfo& x : v) s += (s.empty() ? "" : "<br>") + x.name + ": " + x.Describe();
      return s;
    };
    std::string op_text, attrs;
    for (const std::string& op : ops) op_text += (op_text.empty() ? "" : ", ") + op;
    for (const Node& n : m.nodes)
      if (!n.attributes.empty()) attrs += (attrs.empty() ? "" : "<br>") + Attributes(n);
    std::cout << "| " << test.filename().string() << " | " << op_text << " | " << Cell(values(m.inputs))
              << " | " << Cell(values(m.outputs)) << " | " << Cell(attrs) << " | " << m.OpsetVersion()
              << " | "
              << Cell(results.count(test.filename().string()) ? results[test.filename().string()]
                                                              : "not yet run")
              << " |\n";
    ++listed;
  }
  std::cerr << "survey: " << listed << " of " << tests.size() << " node tests listed, " << unreadable
            << " unreadable\n";
  return 0;
}

int ScaleInitializer(const std::vector<std::string>& args) {
  const std::string& name = args[2];
  const size_t index = std::stoul(args[3]);
  const float factor = std::stof(args[4]);
  ::onnx::ModelProto model;
  std::ifstream in(args[0], std::ios::binary);
  if (!in || !model.ParseFromIstream(&in)) throw OnnxError("cannot read the ONNX model " + args[0]);
  for (::onnx::TensorProto& t : *model.mutable_graph()->mutable_initializer()) {
    if (t.name() != name) continue;
    if (t.data_type() != ::onnx::TensorProto::FLOAT)
      throw OnnxError("initializer '" + name + "' of " + args[0] + " is not float");
    if (index < size_t(t.float_data_size())) {
      t.set_float_data(int(index), t.float_data(int(index)) * factor);
    } else if ((index + 1) * sizeof(float) <= t.raw_data().size()) {
      std::string raw = t.raw_data();
      float v;
      std::copy_n(raw.data() + index * sizeof(float), sizeof v, reinterpret_cast<char*>(&v));
      v *= factor;
      std::copy_n(reinterpret_cast<const char*>(&v), sizeof v, raw.data() + index * sizeof(float));
      t.set_raw_data(raw);
    } else {
      throw OnnxError("initializer '" + name + "' of " + args[0] + " has no element " + args[3]);
    }
    std::ofstream out(args[1], std::ios::binary);
    if (!out || !model.SerializeToOstream(&out)) throw OnnxError("cannot write " + args[1]);
    return 0;
  }
  throw OnnxError(args[0] + " has no initializer '" + name + "'");
}

int FlipInitializer(const std::vector<std::string>& args) {
  const std::string& name = args[2];
  ::onnx::ModelProto model;
  std::ifstream in(args[0], std::ios::binary);
  if (!in || !model.ParseFromIstream(&in)) throw OnnxError("cannot read the ONNX model " + args[0]);
  for (::onnx::TensorProto& t : *model.mutable_graph()->mutable_initializer()) {
    if (t.name() != name) continue;
    if (t.data_type() != ::onnx::TensorProto::INT8 || t.dims_size() != 4 ||
        t.raw_data().size() != size_t(t.dims(0) * t.dims(1) * t.dims(2) * t.dims(3)))
      throw OnnxError("initializer '" + name + "' of " + args[0] + " is not int8 [M,C,kH,kW] in raw_data");
    t.set_raw_data(FlipKernels(t.raw_data(), size_t(t.dims(2)), size_t(t.dims(3))));
    std::ofstream out(args[1], std::ios::binary);
    if (!out || !model.SerializeToOstream(&out)) throw OnnxError("cannot write " + args[1]);
    return 0;
  }
  throw OnnxError(args[0] + " has no initializer '" + name + "'");
}

int Images(const std::vector<std::string>& args) {
  std::vector<int64_t> dims;
  for (size_t at = 0; at <= args[0].size();) {
    const size_t comma = std::min(args[0].find(',', at), args[0].size());
    dims.push_back(std::stoll(args[0].substr(at, comma - at)));
    at = comma + 1;
  }
  std::filesystem::create_directories(args[3]);
  const std::vector<Tensor> images = SyntheticImages(dims, std::stoi(args[1]), std::stoull(args[2]));
  for (size_t i = 0; i < images.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "image_%03zu.npy", i);
    WriteNpy(std::filesystem::path(args[3]) / name, images[i]);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "info" && args.size() == 1) return Info(args[0]);
    if (command == "compare") return CompareFiles(args);
    if (command == "convert" && args.size() == 2) {
      WriteNpy(args[1], ReadTensorFile(args[0]));
      return 0;
    }
    if (command == "survey" && args.size() == 1) return Survey(args[0], "");
    if (command == "survey" && args.size() == 3 && args[1] == "--results") return Survey(args[0], args[2]);
    if (command == "scale-initializer" && args.size() == 5) return ScaleInitializer(args);
    if (command == "flip-initializer" && args.size() == 3) return FlipInitializer(args);
    if (command == "images" && args.size() == 4) return Images(args);
    return Usage();
  } catch (const OnnxError& e) {
    std::cerr << "nna_onnx: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {  // std::stod on a bad number, a filesystem error
    std::cerr << "nna_onnx: " << command << ": " << e.what() << "\n";
    return 2;
  }
}
