#include "tb/front_door.h"

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "frontends/onnx/compile.h"
#include "testgen/named_test.h"
#include "testgen/network_test.h"

namespace nna::tb {

namespace {

// --onnx: the model's bundle, and with --expect the check of the RTL's output region read as the
// ONNX output: equal bit for bit, or, for a float model nnac quantized, its float error reported.
Programs OnnxProgram(const SimOptions& opt, const HwConfig& cfg) {
  if (onnx::IsFloatGraphFile(opt.onnx_model)) {  // a float graph: its whole network, as nnac --onnx lowers it
    if (!opt.expect.empty() && !opt.expect_is_default)
      throw InputError(
          "--expect applies to one-node ONNX models (a graph's reference is onnxruntime on nnac's QDQ "
          "export)");
    const onnx::GraphCompiled g =
        onnx::CompileOnnxGraph({opt.onnx_model, opt.onnx_inputs, opt.calibrate, opt.int8_activations}, cfg);
    if (!opt.quiet)
      std::fprintf(stderr, "nna sim: %s: %zu ONNX nodes as %zu layers, %llu compute instructions\n",
                   opt.onnx_model.c_str(), g.model->nodes.size(), g.graph.q.layers.size(),
                   (unsigned long long)g.lowered.computes);
    return Programs{{g.lowered.bundle}, {}};
  }
  auto compiled = std::make_shared<onnx::OnnxCompiled>(
      onnx::CompileOnnx({opt.onnx_model, opt.onnx_inputs, opt.calibrate, opt.int8_activations}, cfg));
  if (!opt.quiet) {
    std::fprintf(stderr, "nna sim: %s compiled from %s\n", compiled->layer.node.c_str(),
                 opt.onnx_model.c_str());
    if (compiled->quantized)
      std::fprintf(stderr, "nna sim: quantized as nnac does: %s\n",
                   onnx::DescribeQuantization(*compiled->quantized).c_str());
  }
  Programs p{{compiled->built.bundle}, {}};
  if (opt.expect.empty()) return p;
  // An unreadable file, or a float output of another size, is bad input before the run.
  const onnx::Tensor expected = onnx::ReadTensorFile(opt.expect);
  if (compiled->quantized) onnx::FloatError(*compiled->quantized, compiled->built.expected, opt.expect);
  const Region output = compiled->built.bundle.FindRegion("output");
  p.output_check = [compiled, expected, output, file = opt.expect](const std::vector<uint8_t>& dram) {
    const auto first = dram.begin() + std::ptrdiff_t(output.dram_addr);
    const onnx::Tensor actual = onnx::ToOnnxOutput(
        compiled->layer, std::vector<uint8_t>(first, first + std::ptrdiff_t(output.bytes)));
    if (compiled->quantized)
      return OutputCheck{"RTL output's float error against " + file + " (information, not a test): " +
                             onnx::FloatError(*compiled->quantized, actual, file),
                         true};
    const onnx::Comparison c = onnx::Compare(expected, actual);
    return OutputCheck{"RTL output against " + file + ": " + c.summary, c.Equal()};
  };
  return p;
}

}  // namespace

Programs MakeBundles(const SimOptions& opt, const HwConfig& cfg) {
  try {
    if (!opt.onnx_model.empty()) return OnnxProgram(opt, cfg);
    Programs p{testgen::BuildNamedTests(opt.tests, opt.vectors, cfg, opt.seed), {}};
    if (!opt.network.empty()) {
      if (!opt.quiet) std::fprintf(stderr, "nna sim: lowering network %s\n", opt.network.c_str());
      std::string table;
      p.bundles.push_back(
          testgen::BuildNetworkBundle(opt.network, opt.vectors, cfg, opt.sram_budget, &table));
      if (!opt.quiet) std::fputs(table.c_str(), stderr);
    }
    if (!opt.bundle_dir.empty()) p.bundles.push_back(ReadBundle(opt.bundle_dir));
    return p;
  } catch (const std::runtime_error& e) {  // a CompileError, a BundleError or an OnnxError: the input is bad
    throw InputError(e.what());
  }
}

}  // namespace nna::tb
