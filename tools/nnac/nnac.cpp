// nnac: compiles one test description for one hardware configuration into a bundle folder.
//   nnac --test conv3x3 --config fsd [--seed N] [--vectors DIR] --out DIR
//   nnac --test random --seed N --config tiny --out DIR   (the random layer of seed N, random_layer.h)
//   nnac --test random_simd --seed N --config tiny --out DIR   (a random layer and SIMD program)
//   nnac --network resnet50 --config fsd --table [--stats]   (a network's per-layer table after
//        fusion; --stats calibrates and runs it, docs/networks.md)
//   nnac --network resnet50 --config fsd --out DIR [--check] [--sram-budget N]   (the whole network
//        lowered to one program: the bundle and the lowering's table; --check runs the golden model)
//   nnac --onnx MODEL.onnx [--input NAME=FILE.pb|.npy ...] --config tiny --out DIR [--check]
//        [--expect OUTPUT.pb|.npy]   (a pre-quantized one-node model, docs/onnx.md)
//   nnac --onnx FLOAT.onnx --input ... [--calibrate DIR] [--export-qdq OUT.onnx] --config tiny --out DIR
//        (a float one-node Conv or MatMul model quantized by nnac, docs/onnx.md "Run a float ONNX model")
//   nnac --onnx FLOAT_GRAPH.onnx [--input X.npy] [--calibrate DIR] [--export-qdq OUT.onnx] [--table]
//        --config fsd --out DIR [--check]   (a float CNN of many nodes, e.g. BlazeFace: docs/onnx.md
//        "Graphs")
//   nnac --onnx QUANTIZED_GRAPH.onnx [--input X.npy] [--table] --config fsd --out DIR [--check]
//        (a pre-quantized graph, QDQ or QOperator, with its own scales: docs/onnx.md "Pre-quantized graphs")
// It builds every bundle through testgen/ (the test generator) and checks one on the golden model
// itself: the compiler runs no model.
#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <vector>

#include "compiler/network/graph.h"
#include "compiler/network/lower.h"
#include "compiler/network/quantize.h"
#include "frontends/onnx/calibrate.h"
#include "frontends/onnx/compile.h"
#include "frontends/onnx/layer.h"
#include "golden/check.h"
#include "isa/program.h"
#include "testgen/layer_test.h"
#include "testgen/named_test.h"
#include "testgen/network_test.h"
#include "util/negative_count.h"
#include "util/yaml_text.h"

namespace po = boost::program_options;

namespace {

// A short one-line summary of an instruction of a bundle, for the table.
std::string Summary(const nna::Bundle& bundle, uint32_t index) {
  namespace isa = nna::isa;
  const isa::DecodedProgram prog = isa::DecodeProgram(bundle.ProgramBytes());
  if (index >= prog.instrs.size()) return "?";
  const isa::Instruction& in = prog.instrs[index];
  char buf[256];
  auto flags = [&](char* out, size_t size) {
    std::snprintf(out, size, "wait %#llx/%#llx done %#llx/%#llx", (unsigned long long)in.WaitSet(),
                  (unsigned long long)in.WaitClear(), (unsigned long long)in.DoneSet(),
                  (unsigned long long)in.DoneClear());
  };
  char f[96];
  flags(f, sizeof f);
  if (in.IsDma()) {
    const auto& d = in.dma;
    std::snprintf(buf, sizeof buf, "sram %#llx dram %#llx  %llu x %llu B  %s",
                  (unsigned long long)d.sram_addr, (unsigned long long)d.dram_addr,
                  (unsigned long long)d.rows, (unsigned long long)d.row_bytes, f);
  } else if (in.opcode == isa::Opcode::kScale || in.opcode == isa::Opcode::kEltwise) {
    // No kernel, no weights: the tensor, ELTWISE's operation and its second tensor, the program.
    const auto& c = in.compute;
    char what[64] = "per-channel affine";
    if (in.opcode == isa::Opcode::kEltwise)
      std::snprintf(what, sizeof what, "a %s b (b at %#llx)", isa::ToString(c.eltwise_op),
                    (unsigned long long)c.in2_addr);
    std::snprintf(buf, sizeof buf, "%llux%llux%llu  %s  simd %llu  %llu x %llu tiles  %s",
                  (unsigned long long)c.in_c, (unsigned long long)c.in_h, (unsigned long long)c.in_w, what,
                  (unsigned long long)c.simd_len, (unsigned long long)c.pix_tiles,
                  (unsigned long long)c.ch_tiles, f);
  } else {
    const auto& c = in.compute;
    std::snprintf(buf, sizeof buf,
                  "%llux%llux%llu -> %llux%llux%llu k %llux%llu s %llux%llu g %llu  %llu x %llu tiles  %s",
                  (unsigned long long)c.in_c, (unsigned long long)c.in_h, (unsigned long long)c.in_w,
                  (unsigned long long)c.out_c, (unsigned long long)c.out_h, (unsigned long long)c.out_w,
                  (unsigned long long)c.kernel_h, (unsigned long long)c.kernel_w,
                  (unsigned long long)c.stride_h, (unsigned long long)c.stride_w,
                  (unsigned long long)c.groups, (unsigned long long)c.pix_tiles,
                  (unsigned long long)c.ch_tiles, f);
    if (c.pool_op != isa::PoolOp::kNone) {  // the fused pool: op size/stride pad
      const size_t used = std::strlen(buf);
      std::snprintf(buf + used, sizeof buf - used, "  pool %s %llu/%llu p%llu", isa::ToString(c.pool_op),
                    (unsigned long long)c.pool_size, (unsigned long long)c.pool_stride,
                    (unsigned long long)c.pool_pad);
    }
  }
  return buf;
}

// --network: the table of the fused graph, and with --stats the activation statistics of the
// quantized run (progress on stderr); fails if a layer is all zero or mostly saturated.
int NetworkTable(const std::string& name, const std::string& vectors, const nna::HwConfig& cfg, bool stats) {
  namespace net = nna::compiler::network;
  const net::Network parsed = net::ParseNetworkFile(net::FindNetwork(name, vectors));
  std::vector<net::Fusion> fused;
  const net::Network g = net::FusePools(parsed, cfg, &fused);
  std::printf("%s for %s: %s\n", g.name.c_str(), cfg.name, g.doc.c_str());
  std::fputs(net::FormatTable(g, net::Table(g)).c_str(), stdout);
  std::printf("fused on %s: %zu pool%s", cfg.name, fused.size(), fused.size() == 1 ? "" : "s");
  for (size_t i = 0; i < fused.size(); ++i)
    std::printf("%s %s -> %s", i ? "," : ":", fused[i].pool.c_str(), fused[i].into.c_str());
  std::printf("\n");
  if (!stats) return 0;
  net::QuantOptions options;
  options.progress = true;
  const net::QuantNetwork q = net::Quantize(g, options);
  std::fputs(net::FormatStats(q).c_str(), stdout);
  const std::vector<std::string> bad = net::CheckStats(q);
  for (const auto& b : bad) std::fprintf(stderr, "nnac: %s\n", b.c_str());
  return bad.empty() ? 0 : 1;
}

// --network with --out: the lowering's table, the bundle, and with check the golden model's run
// against the reference outputs.
int NetworkBundle(const std::string& name, const std::string& vectors, const nna::HwConfig& cfg,
                  const std::string& out, uint64_t sram_budget, bool check) {
  namespace net = nna::compiler::network;
  const net::LoweredNetwork l = nna::testgen::BuildNetwork(name, vectors, cfg, sram_budget);
  nna::WriteBundle(l.bundle, out);
  std::printf("%s for %s: %llu words, %zu bytes of DRAM, %llu MACs -> %s\n", l.bundle.test.c_str(), cfg.name,
              (unsigned long long)l.bundle.prog_words, l.bundle.dram.size(),
              (unsigned long long)l.bundle.macs, out.c_str());
  std::fputs(net::FormatLowering(l).c_str(), stdout);
  if (!check) return 0;
  const std::string bad = nna::CheckOnGoldenModel(l.bundle, cfg);
  if (!bad.empty()) {
    std::fprintf(stderr, "nnac: %s\n", bad.c_str());
    return 1;
  }
  std::printf("golden model: every output equals the reference\n");
  return 0;
}

// What --onnx does besides compiling: a float model's calibration folder and QDQ export.
struct OnnxOptions {
  std::string calibrate, export_qdq;
  bool int8_activations = false;
};

// A float model's quantization: what was calibrated, the parameters, and the float model's own
// expected output (--expect) against the dequantized reference, as information (not a pass test).
void ReportQuantization(const nna::onnx::QuantizedModel& q, const nna::onnx::Tensor& reference,
                        const std::string& expect) {
  std::printf("quantized by nnac: %s\n", nna::onnx::DescribeQuantization(q).c_str());
  if (expect.empty()) return;
  std::printf("float error against %s (information, not a test): %s\n", expect.c_str(),
              nna::onnx::FloatError(q, reference, expect).c_str());
}

// --onnx: the one-node model with its fed tensors as a bundle (compile.h, as nna_sim_<cfg> --onnx
// builds it); DIR/onnx_output.npy is the reference as the ONNX output. --expect compares that
// reference with a file (a float model: reports the float error), --check runs the golden model.
int OnnxBundle(const std::string& model_path, const std::vector<std::string>& inputs,
               const nna::HwConfig& cfg, const std::string& out, const std::string& expect, bool check,
               const OnnxOptions& opt) {
  namespace onnx = nna::onnx;
  const onnx::OnnxCompiled compiled = onnx::CompileOnnx(
      {model_path, inputs, opt.calibrate, opt.int8_activations, !opt.export_qdq.empty()}, cfg);
  const onnx::OnnxLayer& layer = compiled.layer;
  const std::optional<onnx::QuantizedModel>& q = compiled.quantized;
  const onnx::OnnxBundle& b = compiled.built;
  nna::WriteBundle(b.bundle, out);
  onnx::WriteNpy(std::filesystem::path(out) / "onnx_output.npy", b.expected);
  std::printf("%s (%s) for %s: %llu words, %zu bytes of DRAM, %llu MACs -> %s\n", b.bundle.test.c_str(),
              layer.node.c_str(), cfg.name, (unsigned long long)b.bundle.prog_words, b.bundle.dram.size(),
              (unsigned long long)b.bundle.macs, out.c_str());
  for (const auto& in : b.bundle.instrs)
    std::printf("  %2u  %-9s  %s\n", in.index, in.op.c_str(), Summary(b.bundle, in.index).c_str());
  int rc = 0;
  if (q) {
    ReportQuantization(*q, b.expected, expect);
    if (!q->samples) std::printf("  (no --calibrate folder: calibrated on the run input itself)\n");
    if (!opt.export_qdq.empty()) {
      onnx::ExportQdq(*q, opt.export_qdq);
      std::printf("QDQ model -> %s\n", opt.export_qdq.c_str());
    }
  } else if (!expect.empty()) {
    const onnx::Comparison c = onnx::Compare(onnx::ReadTensorFile(expect), b.expected);
    std::printf("reference against %s: %s\n", expect.c_str(), c.summary.c_str());
    if (!c.Equal()) rc = 1;
  }
  if (check) {
    const std::string bad = nna::CheckOnGoldenModel(b.bundle, cfg);
    if (!bad.empty()) {
      std::fprintf(stderr, "nnac: %s\n", bad.c_str());
      return 1;
    }
    std::printf("golden model: every output equals the reference\n");
  }
  return rc;
}

// --onnx with a float graph: quantized, lowered to one program, its reference outputs as
// DIR/onnx_output_<i>.npy (uint8, or int8 with --activations int8; graph output order, as
// --export-qdq's "<output>_quantized"), the
// quantization's accuracy against the float model, and with --check the golden model's run. A
// pre-quantized graph the same with the model's own quantization, its outputs in the model's types.
int OnnxGraphBundle(const std::string& model_path, const std::vector<std::string>& inputs,
                    const nna::HwConfig& cfg, const std::string& out, bool check, bool table,
                    const OnnxOptions& opt) {
  namespace onnx = nna::onnx;
  const onnx::GraphCompiled c = onnx::CompileOnnxGraph(
      {model_path, inputs, opt.calibrate, opt.int8_activations, !opt.export_qdq.empty()}, cfg);
  const nna::Bundle& b = c.lowered.bundle;
  nna::WriteBundle(b, out);
  // --activations int8: the export's int8 outputs, the same real values as the accelerator's bytes.
  for (size_t i = 0; i < c.expected.size(); ++i)
    onnx::WriteNpy(std::filesystem::path(out) / ("onnx_output_" + std::to_string(i) + ".npy"),
                   opt.int8_activations ? onnx::Uint8AsInt8(c.expected[i]) : c.expected[i]);
  std::printf("%s (%zu ONNX nodes, %zu layers) for %s: %llu words, %zu bytes of DRAM, %llu MACs -> %s\n",
              b.test.c_str(), c.model->nodes.size(), c.graph.q.layers.size(), cfg.name,
              (unsigned long long)b.prog_words, b.dram.size(), (unsigned long long)b.macs, out.c_str());
  if (c.pre)
    std::printf(
        "pre-quantized: the model's own scales and zero points (%zu tensors, %zu weight tensors): "
        "input '%s' scale %.9g zero point %d\n",
        c.pre->given.acts.size(), c.pre->given.weights.size(), c.graph.input_name.c_str(), c.graph.x.scale,
        c.graph.x.zero_point);
  else
    std::printf("quantized by nnac on %s: input '%s' scale %.9g zero point %d\n",
                c.graph.samples ? (std::to_string(c.graph.samples) + " calibration tensor(s)").c_str()
                                : "the run input",
                c.graph.input_name.c_str(), c.graph.x.scale, c.graph.x.zero_point);
  if (table) {
    std::fputs(onnx::FormatGraphQuant(c.graph).c_str(), stdout);
    std::fputs(nna::compiler::network::FormatLowering(c.lowered).c_str(), stdout);
  }
  std::printf("predicted compute cycles %llu\n", (unsigned long long)c.lowered.cycles);
  if (!c.pre)
    std::printf("accuracy against the float model (information, not a test):\n%s",
                onnx::GraphAccuracy(c.graph, c.expected, onnx::RunFloat(*c.model, c.input)).c_str());
  if (!opt.export_qdq.empty()) {
    onnx::ExportGraphQdq(*c.model, c.graph, opt.export_qdq, opt.int8_activations);
    std::printf("QDQ model -> %s\n", opt.export_qdq.c_str());
  }
  if (check) {
    const std::string bad = nna::CheckOnGoldenModel(b, cfg);
    if (!bad.empty()) {
      std::fprintf(stderr, "nnac: %s\n", bad.c_str());
      return 1;
    }
    std::printf("golden model: every output equals the reference\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string test, network, config, vectors = NNA_VECTORS_DIR, out, onnx_model, expect,
                                     activations = "uint8";
  OnnxOptions onnx_opt;
  std::vector<std::string> onnx_inputs;
  uint64_t sram_budget = 0;
  po::options_description opts(
      "nnac --test NAME --config CFG --out DIR [options]\n"
      "nnac --network NAME --config CFG --table [--stats]\n"
      "nnac --network NAME --config CFG --out DIR [--check] [--sram-budget N]\n"
      "nnac --onnx MODEL.onnx [--input NAME=FILE ...] --config CFG --out DIR [--check] [--expect FILE]");
  opts.add_options()("help,h", "show this help")(
      "test", po::value(&test),
      "test description vectors/NAME.yaml, or 'random' / 'random_simd' (drawn from --seed)")(
      "network", po::value(&network), "network description vectors/networks/NAME.yaml")(
      "onnx", po::value(&onnx_model),
      "an ONNX model: one QLinearConv, QLinearMatMul, ConvInteger or MatMulInteger node, a float model (one "
      "Conv or MatMul node, or a CNN graph) that nnac quantizes, or a pre-quantized graph (QDQ or "
      "QOperator)")(
      "input", po::value(&onnx_inputs)->multitoken()->composing(),
      "with --onnx: NAME=FILE.pb|.npy for a graph input, or FILE for the next one in graph input order "
      "(several may follow one --input)")(
      "expect", po::value(&expect),
      "with --onnx: the expected output (.pb or .npy) to compare the reference with (a float model: "
      "report the float error)")("calibrate", po::value(&onnx_opt.calibrate),
                                 "with a float --onnx model: a folder of .npy/.pb input tensors to calibrate "
                                 "on (default: the run input)")(
      "activations", po::value(&activations),
      "with a float --onnx model: uint8 (default) or int8 input and output")(
      "export-qdq", po::value(&onnx_opt.export_qdq),
      "with a float --onnx model: write the quantized network as a QDQ ONNX model")(
      "table", "print the network's per-layer table (shapes, MACs, bytes, fused pools)")(
      "stats", "with --table: calibrate and run the network, print the activation statistics")(
      "check",
      "with --out (--network or --onnx): run the bundle on the golden model against the reference outputs")(
      "sram-budget", po::value(&sram_budget),
      "with --network and --out: bytes of SRAM the program may use (partitioning)")(
      "config", po::value(&config), "hardware configuration (tiny, fsd)")("seed", po::value<std::string>(),
                                                                          "data seed, overrides the test's")(
      "vectors", po::value(&vectors), "folder of test descriptions")("out", po::value(&out),
                                                                     "bundle folder to write")(
      "requant-diff", "with --test: how far FUSED_RELU is from the exact (onnxruntime) requantization");
  try {
    po::variables_map vm;
    const po::parsed_options parsed = po::parse_command_line(argc, argv, opts);
    // A word outside any option (e.g. a second file after --expect) would otherwise be dropped.
    for (const std::string& stray : po::collect_unrecognized(parsed.options, po::include_positional))
      throw std::invalid_argument("unexpected argument '" + nna::ClipText(stray) +
                                  "' (not after an option that takes it)");
    po::store(parsed, vm);
    if (const auto negative = nna::NegativeCount(parsed, vm)) throw std::invalid_argument(*negative);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << opts;
      return 0;
    }
    if (vm.count("onnx")) {
      if (vm.count("test") || vm.count("network") || vm.count("seed"))
        throw std::invalid_argument(
            "option --onnx takes --input, --config, --out, --check, --expect, --calibrate, --activations, "
            "--export-qdq and --table only");
      if (activations != "uint8" && activations != "int8")
        throw std::invalid_argument("option --activations takes uint8 or int8 (got '" +
                                    nna::ClipText(activations) + "')");
      onnx_opt.int8_activations = activations == "int8";
      for (const char* req : {"config", "out"})
        if (!vm.count(req)) throw std::invalid_argument(std::string("option --") + req + " is required");
      if (nna::onnx::IsFloatGraphFile(onnx_model)) {
        if (!expect.empty())
          throw std::invalid_argument(
              "option --expect applies to one-node models (a graph's reference is onnxruntime "
              "on --export-qdq's model)");
        return OnnxGraphBundle(onnx_model, onnx_inputs, nna::FindHwConfig(config), out, vm.count("check") > 0,
                               vm.count("table") > 0, onnx_opt);
      }
      if (vm.count("table"))
        throw std::invalid_argument("option --table with --onnx applies to a float graph");
      return OnnxBundle(onnx_model, onnx_inputs, nna::FindHwConfig(config), out, expect,
                        vm.count("check") > 0, onnx_opt);
    }
    if (vm.count("input") || vm.count("expect") || vm.count("calibrate") || vm.count("export-qdq") ||
        vm.count("activations"))
      throw std::invalid_argument(
          "options --input, --expect, --calibrate, --activations and --export-qdq apply to --onnx only");
    if (vm.count("network")) {
      if (vm.count("test") || vm.count("seed"))
        throw std::invalid_argument(
            "option --network takes --config, --table, --stats, --out, --check, --sram-budget "
            "and --vectors only");
      if (!vm.count("config")) throw std::invalid_argument("option --config is required");
      if (vm.count("table") == vm.count("out"))
        throw std::invalid_argument("option --network needs one of --table and --out DIR");
      const std::filesystem::path dir = std::filesystem::path(vectors).lexically_normal();
      if (vm.count("out"))
        return NetworkBundle(network, dir.string(), nna::FindHwConfig(config), out, sram_budget,
                             vm.count("check") > 0);
      return NetworkTable(network, dir.string(), nna::FindHwConfig(config), vm.count("stats") > 0);
    }
    for (const char* req : {"test", "config", "out"})
      if (!vm.count(req)) throw std::invalid_argument(std::string("option --") + req + " is required");
    // Seeds as text: program_options would wrap "-3" into a huge unsigned value.
    auto number = [&](const char* name) -> std::optional<uint64_t> {
      if (!vm.count(name)) return std::nullopt;
      const std::string text = vm[name].as<std::string>();
      size_t used = 0;
      uint64_t v = 0;
      bool ok = !text.empty() && std::isdigit(static_cast<unsigned char>(text[0]));
      try {
        if (ok) v = std::stoull(text, &used, 0);
      } catch (const std::exception&) {
        ok = false;
      }
      if (!ok || used != text.size())
        throw std::invalid_argument(std::string("option --") + name +
                                    " must be a non-negative integer (got '" + nna::ClipText(text) + "')");
      return v;
    };
    const std::optional<uint64_t> seed = number("seed");

    const nna::HwConfig& cfg = nna::FindHwConfig(config);
    const nna::Bundle b =
        nna::testgen::BuildNamedTest(test, std::filesystem::path(vectors).lexically_normal(), cfg, seed);
    nna::WriteBundle(b, out);

    std::printf("%s for %s: %llu words, %zu bytes of DRAM, %llu MACs -> %s\n", b.test.c_str(),
                b.config.c_str(), (unsigned long long)b.prog_words, b.dram.size(), (unsigned long long)b.macs,
                out.c_str());
    for (const auto& in : b.instrs)
      std::printf("  %2u  %-9s  %s\n", in.index, in.op.c_str(), Summary(b, in.index).c_str());
    if (vm.count("requant-diff")) {
      nna::compiler::TestSpec spec = nna::compiler::ParseTestFile(nna::testgen::FindTest(test, vectors));
      if (seed) spec.seed = *seed;
      const nna::testgen::RequantDifference d = nna::testgen::FusedAgainstExact(spec, cfg);
      std::printf("requant: fused differs from exact on %llu of %llu outputs (%.3f%%), by at most %lld LSB\n",
                  (unsigned long long)d.off, (unsigned long long)d.outputs,
                  d.outputs ? 100.0 * double(d.off) / double(d.outputs) : 0.0, (long long)d.max_error);
    }
    return 0;
  } catch (const po::error& e) {  // its sentence quotes the whole value given: clipped
    std::cerr << "nnac: bad command line: " << nna::ClipText(e.what(), 200) << " (see --help)\n";
    return 1;
  } catch (const std::exception& e) {
    // One line for any bad input: options, configuration, test description, output folder.
    std::cerr << "nnac: " << e.what() << "\n";
    return 1;
  }
}
