#include "tb/options.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <sstream>

#include "frontends/onnx/model.h"
#include "nna/csr.h"
#include "tb/tb_config.h"
#include "util/clip_text.h"
#include "util/negative_count.h"

namespace nna::tb {
namespace po = boost::program_options;

namespace {

// Options kept as typed until they are checked, then turned into SimOptions' own types.
struct TypedOptions {
  uint64_t seed = 0;
  std::string act_cache = "on";
  std::string inject = "none";
  std::string final_dram = "reference";
  std::string activations = "uint8";
};

// Every option with its help text; the values land in o and typed.
void DescribeOptions(po::options_description& desc, SimOptions& o, TypedOptions& typed) {
  // clang-format off
  desc.add_options()
    ("test", po::value(&o.test), "test NAME: compile <vectors>/NAME.yaml; 'random' draws a layer from --seed, 'random_simd' a layer and a SIMD program; NAME,NAME,...: several programs, each in SRAM and DRAM of its own, launched one after the other on one NNA")
    ("repeat", po::value(&o.repeat)->default_value(1), "launch the list of --test programs N times (frames)")
    ("queue", po::bool_switch(&o.queue),
     "with several programs: start them while others run, up to the program queue's depth plus the running one; "
     "each completion's status is checked, the counters only over the whole run")
    ("network", po::value(&o.network), "network NAME: lower <vectors>/networks/NAME.yaml (fused, quantized) to one program and check its outputs against the quantized reference")
    ("sram-budget", po::value(&o.sram_budget)->default_value(0),
     "with --network: bytes of SRAM the program may use, which splits layers by output channels (0: the configuration's)")
    ("bundle", po::value(&o.bundle_dir), "run the compiled bundle in DIR instead of --test")
    ("onnx", po::value(&o.onnx_model),
     "an ONNX model of one node, compiled as nnac --onnx compiles it (QLinearConv, QLinearMatMul, ConvInteger, "
     "MatMulInteger, or a float Conv or MatMul quantized first), instead of --test")
    ("input", po::value(&o.onnx_inputs)->multitoken()->composing(),
     "with --onnx: NAME=FILE.pb|.npy for a graph input, or FILE for the next one in graph input order")
    ("calibrate", po::value(&o.calibrate),
     "with a float --onnx model: a folder of .npy/.pb input tensors to calibrate on (default: the run input)")
    ("activations", po::value(&typed.activations)->default_value(typed.activations),
     "with a float --onnx model: uint8 or int8 input and output")
    ("expect", po::value(&o.expect),
     "with --onnx: the expected output (.pb or .npy), compared bit for bit with the RTL's output (a float "
     "model: its float error reported); default: output_0.pb in the folder of a node test's --input files")
    ("config", po::value(&o.config)->default_value(kConfig.name),
     "hardware configuration; must be the one this simulator was built for")
    ("seed", po::value(&typed.seed), "seed N for the test's random data (default: the test's own); picks the layer of --test random and random_simd")
    ("vectors", po::value(&o.vectors)->default_value(NNA_VECTORS_DIR), "folder of the test descriptions")
    ("out", po::value(&o.out), "folder for the compiled bundle and waves (default build/runs/<config>/<test>)")
    ("waves", po::bool_switch(&o.waves), "write an FST waveform of the whole design to <out>/waves.fst")
    ("waves-from", po::value(&o.waves_from)->default_value(0), "with --waves, start tracing at cycle N")
    ("max-cycles", po::value(&o.max_cycles)->default_value(o.max_cycles), "stop with TIMEOUT after N cycles")
    ("dram-latency", po::value(&o.dram_latency)->default_value(o.dram_latency),
     "DRAM cycles from AR/AW to the first data / the response")
    ("dram-outstanding", po::value(&o.dram_outstanding)->default_value(o.dram_outstanding),
     "bursts the DRAM accepts per direction before it stalls AR/AW")
    ("dram-bandwidth", po::value(&o.dram_bandwidth)->default_value(0),
     "DRAM data bytes per cycle, reads and writes together (fractions allowed, e.g. 34); 0: unlimited")
    ("watchdog-cycles", po::value<uint32_t>(),
     "write N to the watchdog_cycles register before the first start (0: no watchdog; default: the configuration's)")
    ("act-cache", po::value(&typed.act_cache)->default_value(typed.act_cache),
     "on or off: off sets sram_ctrl.act_cache_off (every activation read from the banks) and predicts the "
     "cycles without the cache")
    ("final-dram", po::value(&typed.final_dram)->default_value(typed.final_dram),
     "reference or golden: compare the output regions of the final DRAM with the reference operators' result, "
     "or with the golden model's final DRAM (for a program whose result is not its layer's, e.g. a fuzzed one)")
    ("inject", po::value(&typed.inject)->default_value(typed.inject),
     "error class: corrupt the program so that it must end in that error (illegal_opcode, illegal_field, "
     "dram_range, watchdog, sram_range, and empty_program, illegal_waiting, stall_then_opcode, dram_partial_read, dram_range_prefetch), "
     "prog_sram_range, prog_words_huge, prog_dram_range, prog_dram_partial (the program load's errors), dma_write_4k (no error: "
     "an output row across a 4 KB boundary), dma_read_high, dma_write_high, prog_dram_high (DRAM 2^48 - 4096), "
     "dma_stride_huge, dma_plane_stride_huge (a later row or plane past the image), "
     "simd_every_slot_opcode, simd_every_slot_field (every SIMD slot illegal: the earliest decides), "
     "params_ignored_bits (no error: the parameters' reserved fields set), "
     "compute_* (one check of the compute instruction each, e.g. compute_deconv_stride3, compute_range_in: the list in "
     "tb/inject.h), "
     "or abort it "
     "(abort, with --abort-at) and run it again; race: drop a buffer reload's wait, which the golden model must "
     "refuse")
    ("inject-program", po::value(&o.inject_program)->default_value(0),
     "with --inject and several --test programs: corrupt the K-th (from 0)")
    ("inject-rtl-only", po::bool_switch(&o.inject_rtl_only),
     "corrupt only the RTL's copy of the program: the golden model expects the clean one, so the run must "
     "fail (a negative test of the status check)")
    ("abort-at", po::value(&o.abort_at)->default_value(0),
     "with --inject abort: write ctrl.abort N cycles after ctrl.start")
    ("max-perf-error", po::value(&o.max_perf_error),
     "fail when a compute instruction's cycles differ from the performance model's by more than PCT percent")
    ("perf-skew", po::value(&o.perf_skew)->default_value(0),
     "add N drain cycles to every prediction (a negative test of --max-perf-error)")
    ("csr-readback", po::bool_switch(&o.csr_readback),
     "before the program: write patterns to every register and read each back, and every unknown offset "
     "(spec/csr.yaml); a difference fails the run")
    ("csr-readback-wrong", po::value(&o.csr_readback_wrong),
     "with --csr-readback: expect register NAME's values with bit 0 flipped (a negative test of the read-back)")
    ("quiet", po::bool_switch(&o.quiet), "no progress lines on stderr")
    ("help", po::bool_switch(&o.help), "print this help");
  // clang-format on
}

// --test NAME,NAME,...: the programs in launch order.
void SplitTests(SimOptions& o) {
  for (size_t at = 0; !o.test.empty();) {
    const size_t comma = o.test.find(',', at);
    o.tests.push_back(o.test.substr(at, comma - at));
    if (o.tests.back().empty()) throw InputError("--test " + ClipText(o.test) + " has an empty test name");
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
}

// --onnx and the options that go with it only; the default --expect of a node test.
void CheckOnnxOptions(SimOptions& o, const TypedOptions& typed, const po::variables_map& vm) {
  if (o.onnx_model.empty()) {
    for (const char* name : {"input", "calibrate", "expect"})
      if (vm.count(name)) throw InputError(std::string("--") + name + " applies to --onnx only");
    if (!vm["activations"].defaulted()) throw InputError("--activations applies to --onnx only");
    return;
  }
  if (vm.count("seed"))
    throw InputError("--onnx runs the model with its own --input tensors: --seed does not apply");
  std::error_code unreadable;  // an unreadable path is no model (no filesystem_error escapes)
  if (!std::filesystem::is_regular_file(o.onnx_model, unreadable))
    throw InputError("--onnx " + ClipText(o.onnx_model) + ": no such model file");
  if (typed.activations != "uint8" && typed.activations != "int8")
    throw InputError("--activations must be uint8 or int8 (got " + ClipText(typed.activations) + ")");
  o.int8_activations = typed.activations == "int8";
  if (!o.expect.empty() || o.onnx_inputs.empty()) return;
  // A node test keeps input_<i>.pb and output_0.pb in one test_data_set folder.
  const auto folder = [](const std::string& arg) {
    return std::filesystem::path(arg.substr(arg.find('=') + 1)).parent_path();  // npos + 1: no NAME=
  };
  const std::filesystem::path dir = folder(o.onnx_inputs[0]);
  for (const std::string& arg : o.onnx_inputs)
    if (folder(arg) != dir) return;
  if (std::filesystem::is_regular_file(dir / "output_0.pb", unreadable)) {
    o.expect = (dir / "output_0.pb").string();
    o.expect_is_default = true;
  }
}

// Checks the options given against each other and fills in what they imply; the first problem
// throws its sentence.
void CheckOptions(SimOptions& o, const TypedOptions& typed, const po::variables_map& vm) {
  if (vm.count("seed")) o.seed = typed.seed;
  if (vm.count("watchdog-cycles")) o.watchdog_cycles = vm["watchdog-cycles"].as<uint32_t>();
  if (typed.act_cache != "on" && typed.act_cache != "off")
    throw InputError("--act-cache must be on or off (got " + ClipText(typed.act_cache) + ")");
  o.act_cache = typed.act_cache == "on";
  if (typed.final_dram != "reference" && typed.final_dram != "golden")
    throw InputError("--final-dram must be reference or golden (got " + ClipText(typed.final_dram) + ")");
  o.final_dram_golden = typed.final_dram == "golden";
  if (int(!o.test.empty()) + int(!o.network.empty()) + int(!o.bundle_dir.empty()) +
          int(!o.onnx_model.empty()) !=
      1)
    throw InputError("give exactly one of --test NAME, --network NAME, --bundle DIR and --onnx MODEL");
  CheckOnnxOptions(o, typed, vm);
  if (o.network.empty() && o.sram_budget > 0) throw InputError("--sram-budget applies to --network only");
  if (!o.network.empty() && (vm.count("seed") || o.repeat > 1 || typed.inject != "none"))
    throw InputError(
        "--network runs the network's own seeded input once: --seed, --repeat and --inject do not apply");
  SplitTests(o);
  if (o.repeat == 0) throw InputError("--repeat must be at least 1");
  if (o.inject_program >= std::max<size_t>(o.tests.size(), 1))
    throw InputError("--inject-program " + std::to_string(o.inject_program) + " is not one of the " +
                     std::to_string(o.tests.size()) + " programs of --test");
  if (o.config != kConfig.name) {
    throw InputError("--config " + ClipText(o.config) +
                     " does not match this simulator, which is built for '" + kConfig.name +
                     "' (use nna_sim_" + ClipText(o.config) + ")");
  }
  if (o.max_cycles == 0) throw InputError("--max-cycles must be at least 1");
  if (o.dram_outstanding == 0) throw InputError("--dram-outstanding must be at least 1");
  if (!(o.dram_bandwidth >= 0)) throw InputError("--dram-bandwidth must be at least 0 bytes per cycle");
  if (typed.inject != "none") o.inject = ParseInject(typed.inject);
  if (o.inject == Inject::kAbort && (o.tests.size() > 1 || o.repeat > 1))
    throw InputError("--inject abort runs one program once: give one --test and no --repeat");
  // The RTL's copy differs only in its DRAM: these classes change the program registers instead.
  for (Inject placement : {Inject::kProgSramRange, Inject::kProgWordsHuge, Inject::kProgDramRange,
                           Inject::kProgDramPartial, Inject::kProgDramHigh})
    if (o.inject_rtl_only && o.inject == placement)
      throw InputError(
          std::string("--inject-rtl-only corrupts the program in the RTL's DRAM, but --inject ") +
          ToString(placement) + " moves the program, which both runs share");
  if ((o.inject == Inject::kAbort) != (o.abort_at > 0))
    throw InputError("--inject abort and --abort-at CYCLE (at least 1) go together");
  if (!o.csr_readback_wrong.empty()) {
    std::string known;
    for (const csr::Register& r : csr::kRegisters) known += std::string(known.empty() ? "" : ", ") + r.name;
    if (!o.csr_readback)
      throw InputError("--csr-readback-wrong " + ClipText(o.csr_readback_wrong) + " needs --csr-readback");
    if (std::none_of(std::begin(csr::kRegisters), std::end(csr::kRegisters),
                     [&](const csr::Register& r) { return o.csr_readback_wrong == r.name; }))
      throw InputError("--csr-readback-wrong " + ClipText(o.csr_readback_wrong) +
                       " is not a register (one of " + known + ")");
  }
  if (vm.count("max-perf-error") && !(o.max_perf_error >= 0))
    throw InputError("--max-perf-error must be a percentage of at least 0");
  if (o.out.empty()) {
    const std::string name = !o.test.empty()         ? o.test
                             : !o.network.empty()    ? o.network
                             : !o.onnx_model.empty() ? onnx::ModelTestName(o.onnx_model)
                                                     : "bundle";
    o.out = std::string(NNA_BUILD_DIR) + "/runs/" + kConfig.name + "/" + name;
  }
}

}  // namespace

SimOptions ParseOptions(int argc, const char* const argv[]) {
  SimOptions o;
  TypedOptions typed;
  po::options_description desc(std::string("nna_sim_") + kConfig.name + ": co-simulate a test on the " +
                               kConfig.name + " RTL (" + std::to_string(kConfig.array_rows) + "x" +
                               std::to_string(kConfig.array_cols) + ") against the golden model.\nOptions");
  DescribeOptions(desc, o, typed);
  po::variables_map vm;
  try {
    const po::parsed_options parsed = po::command_line_parser(argc, argv).options(desc).run();
    po::store(parsed, vm);
    if (const auto negative = NegativeCount(parsed, vm)) throw InputError(*negative);
    po::notify(vm);
  } catch (const po::error& e) {
    // Boost's sentence quotes the whole value given: a 5,000-character one stays in the message.
    throw InputError("bad command line: " + ClipText(e.what(), 200) + " (see --help)");
  }
  std::ostringstream help;
  help << desc;
  o.help_text = help.str();
  if (o.help) return o;
  CheckOptions(o, typed, vm);
  return o;
}

}  // namespace nna::tb
