#include "frontends/onnx/compile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <regex>

#include "frontends/onnx/onnx_error.h"
#include "testgen/network_test.h"

namespace nna::onnx {

namespace {

// --input NAME=FILE, or FILE for the next graph input in order: the tensors by input name.
std::map<std::string, Tensor> ReadFeeds(const Model& model, const std::vector<std::string>& inputs) {
  std::map<std::string, Tensor> feeds;
  size_t next = 0;
  for (const std::string& arg : inputs) {
    const size_t eq = arg.find('=');
    std::string name = eq == std::string::npos ? "" : arg.substr(0, eq);
    const std::string file = eq == std::string::npos ? arg : arg.substr(eq + 1);
    if (name.empty()) {
      while (next < model.inputs.size() && feeds.count(model.inputs[next].name)) ++next;
      if (next == model.inputs.size())
        throw OnnxError("--input " + arg + ": the model has no graph input left to feed");
      name = model.inputs[next].name;
    }
    if (!feeds.emplace(name, ReadTensorFile(file)).second)
      throw OnnxError("--input " + arg + ": input '" + name + "' is given twice");
  }
  return feeds;
}

// The lowering's sentence ("FILE, layer 'L': key 'K' lowers to ...") said of the ONNX node(s)
// the layer runs, as the import's sentences are.
std::string LoweringError(const QuantizedGraph& g, const Model& m, const std::string& what) {
  static const std::regex layer_error("^.*, layer '([^']*)': (?:key '[^']*' )?(.*)$");
  std::smatch match;
  const auto node =
      std::regex_match(what, match, layer_error) ? g.layer_node.find(match[1].str()) : g.layer_node.end();
  if (node == g.layer_node.end()) return m.path + ": " + what;
  const std::string first = node->second.substr(0, node->second.find(" + "));
  const auto n = std::find_if(m.nodes.begin(), m.nodes.end(), [&](const Node& x) { return x.name == first; });
  return "node '" + node->second + "'" + (n == m.nodes.end() ? "" : " (" + n->op_type + ")") + ": " +
         match[2].str();
}

}  // namespace

OnnxCompiled CompileOnnx(const OnnxRequest& req, const HwConfig& cfg) {
  auto owned = std::make_unique<const Model>(LoadModel(req.model));
  const Model& model = *owned;
  const std::map<std::string, Tensor> feeds = ReadFeeds(model, req.inputs);
  const bool is_float = IsFloatModel(model);
  // The sentence names the float-only option given (nna_sim has no --export-qdq).
  const char* float_only = !req.calibrate.empty() ? "--calibrate"
                           : req.int8_activations ? "--activations int8"
                           : req.export_qdq       ? "--export-qdq"
                                                  : nullptr;
  if (!is_float && float_only)
    throw OnnxError(req.model + ": " + float_only +
                    " applies to a float model (one Conv or MatMul node), and this one is not");
  std::optional<QuantizedModel> q;
  if (is_float)
    q = QuantizeFloatModel(
        model, feeds, req.calibrate.empty() ? std::vector<Tensor>{} : ReadCalibrationFolder(req.calibrate),
        cfg, req.int8_activations);
  OnnxLayer layer = q ? LowerQuantized(*q, q->feeds) : LowerModel(model, feeds);
  OnnxBundle built = BuildOnnxBundle(layer, cfg);
  return {std::move(owned), std::move(layer), std::move(built), std::move(q)};
}

bool IsFloatGraphFile(const std::string& model) {
  // A pre-quantized graph, and any float model but the one Conv or MatMul node calibrate.h
  // quantizes, go through the graph import, which runs what it can and names what it cannot.
  const Model m = LoadModel(model);
  return IsFloatGraph(m) || IsPreQuantizedGraph(m) ||
         (!m.inputs.empty() && m.inputs[0].type == DataType::kFloat && !IsFloatModel(m));
}

GraphCompiled CompileOnnxGraph(const OnnxRequest& req, const HwConfig& cfg) {
  GraphCompiled c;
  Model loaded = LoadModel(req.model);
  std::map<std::string, Tensor> feeds = ReadFeeds(loaded, req.inputs);
  // The first graph input is the run input; every other one is a constant fed with --input (as an
  // ONNX node test feeds its weights), made an initializer so that the import and the QDQ export
  // see it as one.
  for (size_t i = 1; i < loaded.inputs.size(); ++i) {
    const ValueInfo& in = loaded.inputs[i];
    auto it = feeds.find(in.name);
    if (it == feeds.end())
      throw OnnxError(req.model + ": graph input '" + in.name + "' (" + in.Describe() +
                      ") has no data: a graph runs on its first input, '" + loaded.inputs[0].name +
                      "', and takes every other one as a constant: give it with --input " + in.name +
                      "=FILE.pb|.npy");
    it->second.name = in.name;
    loaded.initializers.push_back(std::move(it->second));
    feeds.erase(it);
  }
  loaded.inputs.resize(std::min<size_t>(loaded.inputs.size(), 1));
  c.model = std::make_unique<const Model>(std::move(loaded));
  const Model& model = *c.model;
  if (IsPreQuantizedGraph(model)) {
    if (!req.calibrate.empty() || req.export_qdq || req.int8_activations)
      throw OnnxError(
          req.model + ": " +
          (req.export_qdq         ? "--export-qdq"
           : req.int8_activations ? "--activations int8"
                                  : "--calibrate") +
          " applies to float models; a pre-quantized graph's types, scales and zero points are its own");
    c.pre = NormalizeQuantizedGraph(model);
  }
  const Model& graph = c.pre ? c.pre->graph : model;
  std::vector<Tensor> calibration =
      req.calibrate.empty() ? std::vector<Tensor>{} : ReadCalibrationFolder(req.calibrate);
  if (req.inputs.empty()) {  // an image model without data: the tests' synthetic images (graph.h)
    std::vector<int64_t> dims;
    for (const Dim& d : model.inputs.at(0).shape) dims.push_back(d.value);
    c.input = SyntheticImages(dims, 1, kRunImageSeed).at(0);
    if (req.calibrate.empty() && !c.pre)
      calibration = SyntheticImages(dims, kCalibrationImages, kCalibrationSeed);
  } else if (feeds.empty()) {
    throw OnnxError(req.model + ": graph input '" + model.inputs[0].name + "' (" +
                    model.inputs[0].Describe() + "), the run input, has no data: give it with --input " +
                    model.inputs[0].name + "=FILE.pb|.npy");
  } else {
    c.input = std::move(feeds.begin()->second);
    if (c.pre) c.input = PreQuantizedRunInput(*c.pre, c.input);
  }
  c.graph = QuantizeGraph(graph, c.input, calibration, c.pre ? &c.pre->given : nullptr);
  try {
    c.lowered = compiler::network::LowerNetwork(c.graph.q, cfg);
  } catch (const compiler::CompileError& e) {
    throw OnnxError(LoweringError(c.graph, graph, e.what()));
  }
  testgen::PredictCycles(cfg, &c.lowered);
  c.expected = c.pre ? PreQuantizedOutputs(*c.pre, GraphOutputs(c.graph)) : GraphOutputs(c.graph);
  return c;
}

std::string DescribeQuantization(const QuantizedModel& q) {
  char text[400];
  std::snprintf(text, sizeof text,
                "input '%s' calibrated on %s (min/max including 0): scale %.9g zero point %d; "
                "int8 weights symmetric per %s (%zu channels); output scale %.9g zero point %d",
                q.input_name.c_str(),
                q.samples ? (std::to_string(q.samples) + " tensor(s)").c_str() : "the run input", q.x.scale,
                q.x.zero_point, q.weight_axis < 0 ? "tensor" : "channel", q.w_scale.size(), q.y.scale,
                q.y.zero_point);
  return text;
}

std::string FloatError(const QuantizedModel& q, const Tensor& output, const std::string& expect) {
  const Tensor e = ReadTensorFile(expect);
  if (e.NumElements() != output.NumElements())
    throw OnnxError("--expect " + expect + ": is " + e.Describe() + ", but the output is " +
                    output.Describe());
  double max_abs = 0;
  for (size_t i = 0; i < e.NumElements(); ++i) {
    const double real = double(q.y.scale) * (double(output.AtInt(i)) - q.y.zero_point);
    max_abs = std::max(max_abs, std::fabs(real - e.AtDouble(i)));
  }
  char text[160];
  std::snprintf(text, sizeof text, "max abs %.6g = %.3f output LSBs", max_abs, max_abs / double(q.y.scale));
  return text;
}

}  // namespace nna::onnx
