#include "testgen/layer_test.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "golden/golden_model.h"
#include "isa/program.h"
#include "pool/pool.h"
#include "ref/ref_ops.h"
#include "simd/simd_program.h"
#include "testgen/named_test.h"
#include "testgen/random_layer.h"

using namespace nna;
using namespace nna::compiler;
using namespace nna::testgen;
namespace fs = std::filesystem;

namespace {

uint64_t AlignDown64(uint64_t v) { return v / 64 * 64; }

const fs::path kVectors = NNA_VECTORS_DIR;

// Writes vectors/<name>.yaml in a scratch folder and returns the error BuildTestFile gives.
std::string ErrorFor(const std::string& name, const std::string& text, const char* config = "tiny") {
  const fs::path dir = fs::temp_directory_path() / ("nnac_test_" + std::to_string(::getpid())) / "vectors";
  fs::create_directories(dir);
  const fs::path file = dir / (name + ".yaml");
  std::ofstream(file) << text;
  try {
    BuildTestFile(file, FindHwConfig(config));
  } catch (const CompileError& e) {
    return e.what();
  }
  return "(no error)";
}

const char* const kGood = R"(name: t
doc: "a test"
seed: 1
layer:
  op: conv
  input: {channels: 3, height: 6, width: 7, signed: true}
  output_channels: 5
  kernel: [3, 3]
)";

// Runs the golden model on the bundle: it must end without error and race, and every output region
// of the final DRAM must equal its reference. Returns the events.
EventRecorder GoldenMatchesReference(const Bundle& b, const HwConfig& cfg) {
  EventRecorder rec;
  const RunResult r = GoldenModel(cfg).Run(b, rec);
  REQUIRE(r.ok);
  CHECK(r.race == "");
  for (const Region& o : b.regions) {
    if (o.kind != "output") continue;
    INFO(o.name);
    CHECK(std::vector<uint8_t>(r.dram.begin() + long(o.dram_addr),
                               r.dram.begin() + long(o.dram_addr + o.bytes)) == b.reference.at(o.name));
  }
  return rec;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

// Vectors allowed past the per-commit size (estimated cycles: tiny 150k, fsd 40k): the utilization
// benchmark, the 25088-term inner product whose fsd weight tile alone is 25088 x 96 bytes, and the
// full-size ResNet-50 / Inception-v4 layers that docs/performance.md measures on fsd only; and the
// layers with fields at the top of their ranges (tests/plan.yaml extreme_fields), run on tiny only:
// 255x255 kernels, 65535 input channels or 65535-pixel rows on fsd's 96 array rows, and 65535
// pixel sections on tiny.
const std::set<std::string> kLarge = {"conv3x3",
                                      "conv3x3_56x56x96",
                                      "inner_product_25088",
                                      "resnet50_conv2_1x1",
                                      "resnet50_conv2_3x3",
                                      "resnet50_conv3_3x3",
                                      "resnet50_conv4_1x1",
                                      "resnet50_conv4_3x3",
                                      "resnet50_conv5_3x3",
                                      "inceptionv4_1x7",
                                      "inceptionv4_reda_3x3s2",
                                      "pool_max2x2_conv3x3_56x56x96",
                                      "eltwise_add_56x56x256",
                                      "eltwise_add_rescale_56x56x256",
                                      "conv1x1_64x64",
                                      "extreme_conv255x255",
                                      "extreme_conv255x255_pad255",
                                      "extreme_deconv255x255_s8",
                                      "extreme_conv1x1_c65535",
                                      "extreme_conv1x1_w65535",
                                      "extreme_conv1x1_pix65535",
                                      "extreme_pool_h8191",
                                      "extreme_pool_h65535"};

// Vectors for fsd only, and why tiny rejects them: pooled convolutions whose rows (56, 35) are
// past tiny's line buffer (8); ResNet-50's residual adds, whose three tensors are past tiny's SRAM.
const std::map<std::string, std::string> kFsdOnly = {
    {"pool_max2x2_conv3x3_56x56x96",
     "key 'layer.output.pool' needs the convolution's rows in the line buffer"},
    {"pool_avg3x3_s1_pad1_35x35", "key 'layer.output.pool' needs the convolution's rows in the line buffer"},
    {"eltwise_add_56x56x256", "needs 2425264 bytes of SRAM"},
    {"eltwise_add_rescale_56x56x256", "needs 2425264 bytes of SRAM"}};

TEST_CASE("every vector compiles for both configurations and the model matches the reference", "[nnac]") {
  const auto names = KnownTests(kVectors);
  REQUIRE(names.size() >= 21);
  for (const auto& name : names) {
    const TestSpec spec = ParseTestFile(FindTest(name, kVectors));
    for (const char* config : {"tiny", "fsd"}) {
      INFO(name << " on " << config);
      const HwConfig& cfg = FindHwConfig(config);
      if (kFsdOnly.count(name) && std::string(config) == "tiny") {
        CHECK_THROWS_WITH(BuildTestFile(FindTest(name, kVectors), cfg), Catch::Contains(kFsdOnly.at(name)));
        continue;
      }
      const Bundle b = BuildTestFile(FindTest(name, kVectors), cfg);
      CHECK(b.test == name);
      CHECK(b.config == config);
      const Region& out = b.FindRegion("output");
      const auto& ref = b.reference.at("output");
      REQUIRE(ref.size() == out.bytes);
      // Quantization uses the output range: neither all zero nor all saturated (data: high bunches
      // every output at the top on purpose).
      const uint8_t sat = out.is_signed ? 127 : 255;
      const auto nonzero = std::count_if(ref.begin(), ref.end(), [](uint8_t v) { return v != 0; });
      const auto saturated = std::count(ref.begin(), ref.end(), sat);
      CHECK(nonzero > int64_t(ref.size() / 4));
      if (!spec.data_high) CHECK(saturated < int64_t(ref.size() / 4 + 1));
      // The channel maxima reach the top: calibration's doing. An activation's output range is the
      // function's (relu6 tops out below it), checked by the act_* test below instead.
      // An average pool rarely reaches the top (all of a window's pixels would have to).
      const bool avg_pool = spec.layer.pool && spec.layer.pool->op == isa::PoolOp::kAvg;
      // A rescaled add's scale and a given exact multiplier are the file's, not calibrated; a LUT
      // maps the calibrated bytes through its table.
      if (out.shape[1] * out.shape[2] > 1 && !spec.layer.activation && !avg_pool && !spec.layer.rescale &&
          !spec.layer.multiplier && !spec.lut_random)
        CHECK(saturated >= 1);

      const auto prog = isa::DecodeProgram(b.ProgramBytes());
      REQUIRE_FALSE(prog.error);
      // DMA_READs (input, [tensor b,] parameters, [weights], the other buffers' inputs), then per
      // frame the compute instruction, [the next input,] DMA_WRITE.
      const bool elt = spec.layer.op == LayerOp::kEltwise;
      const size_t count = 3 * spec.frames + (elt ? 1 : 0) + 1 + (SimdOnly(spec.layer.op) ? 0 : 1);
      const size_t ci = count - 2 - 3 * (spec.frames - 1) + (spec.buffers - 1);
      REQUIRE(prog.instrs.size() == count);
      REQUIRE(b.instrs.size() == count);
      CHECK(b.instrs[ci].op == ToString(spec.layer.op));
      CHECK(b.instrs[ci].text == isa::Disassemble(prog.instrs[ci]));
      const auto& c = prog.instrs[ci].compute;
      CHECK(c.groups * c.group_in_c == c.in_c);
      CHECK(c.groups * c.group_out_c == c.out_c);
      if (spec.layer.op == LayerOp::kDeconv)
        CHECK(b.macs == spec.frames * c.in_h * c.in_w * c.in_c * c.group_out_c * c.kernel_h * c.kernel_w);
      else
        CHECK(b.macs == spec.frames * c.out_h * c.out_w * c.out_c * c.dot_len);
      if (c.in_c > 1 && c.in_h * c.in_w >= 64) CHECK(prog.instrs[0].dma.rows > 1);  // 2-D input DMA

      const LayerCost cost = EstimateCost(spec.layer, cfg);
      CHECK(cost.fits);
      if (!kLarge.count(name)) CHECK(cost.cycles < (std::string(config) == "tiny" ? 150000u : 40000u));

      const EventRecorder rec = GoldenMatchesReference(b, cfg);  // every frame's output
      // ELTWISE unloads a and b
      CHECK(rec.acc_unloads.size() == spec.frames * c.pix_tiles * c.out_c * (elt ? 2 : 1));
    }
  }
}

TEST_CASE("conv3x3 has several sections and channel tiles on fsd and fits tiny", "[nnac]") {
  const Bundle fsd = BuildTestFile(FindTest("conv3x3", kVectors), FindHwConfig("fsd"));
  const auto c = isa::DecodeProgram(fsd.ProgramBytes()).instrs.at(3).compute;
  CHECK(c.pix_tiles == 7);  // 672 pixels / 96
  CHECK(c.ch_tiles == 2);   // 192 / 96
  CHECK(c.dot_len == 900);
  CHECK(c.wt_tile_bytes == 900 * 96);
  const Bundle tiny = BuildTestFile(FindTest("conv3x3", kVectors), FindHwConfig("tiny"));
  CHECK(tiny.reference.at("output") == fsd.reference.at("output"));  // same data, same result
}

TEST_CASE("the seed changes the data and the file's seed is the default", "[nnac]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  const fs::path f = FindTest("conv1x1_small", kVectors);
  const Bundle a = BuildTestFile(f, cfg);
  const Bundle b = BuildTestFile(f, cfg, 2);  // the file says seed 2
  const Bundle c = BuildTestFile(f, cfg, 77);
  CHECK(a.dram == b.dram);
  CHECK(a.dram != c.dram);
}

TEST_CASE("data: high draws inputs and weights from the top 16 values of their types", "[nnac]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  const fs::path dir = fs::temp_directory_path() / ("nnac_test_" + std::to_string(::getpid())) / "vectors";
  fs::create_directories(dir);
  CHECK(ErrorFor("t", Replace(kGood, "seed: 1\n", "seed: 1\ndata: random\n")) == "(no error)");
  for (const bool sgn : {false, true}) {
    INFO((sgn ? "signed" : "unsigned"));
    std::ofstream(dir / "h.yaml") << "name: h\ndoc: high\nseed: 5\ndata: high\nlayer:\n"
                                     "  input: {channels: 3, height: 6, width: 7, signed: "
                                  << (sgn ? "true" : "false") << "}\n  output_channels: 5\n  kernel: 3\n"
                                  << "  weights_signed: " << (sgn ? "true" : "false") << "\n";
    const Bundle b = BuildTestFile(dir / "h.yaml", cfg);
    const unsigned lo = sgn ? 112 : 240, hi = sgn ? 127 : 255;
    const Region& in = b.FindRegion("input");
    std::set<unsigned> seen;
    for (uint64_t i = 0; i < in.bytes; ++i) {
      const unsigned v = b.dram[in.dram_addr + i];
      CHECK((v >= lo && v <= hi));
      seen.insert(v);
    }
    CHECK(seen.size() == 16);
    const Region& wt = b.FindRegion("weights");
    unsigned in_range = 0;
    for (uint64_t i = 0; i < wt.bytes; ++i) {
      const unsigned v = b.dram[wt.dram_addr + i];
      in_range += (v >= lo && v <= hi) ? 1 : 0;
    }
    CHECK(in_range >= 3 * 9 * 5);  // every weight (the rest of the tile is zero padding)
    EventRecorder rec;
    CHECK(GoldenModel(cfg).Run(b, rec).ok);
  }
}

TEST_CASE("a compiled bundle survives the bundle folder", "[nnac]") {
  const Bundle b = BuildTestFile(FindTest("conv3x3_stride2", kVectors), FindHwConfig("tiny"));
  const fs::path dir = fs::temp_directory_path() / ("nnac_test_bundle_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  WriteBundle(b, dir);
  const Bundle r = ReadBundle(dir);
  CHECK(r.dram == b.dram);
  CHECK(r.reference == b.reference);
  CHECK(r.instrs.size() == b.instrs.size());
  CHECK(r.instrs[3].text == b.instrs[3].text);
}

// Instruction `in` of a base-0 program as it reads with its SRAM addresses moved by ds and its
// DRAM addresses by dd (an unused address, 0, stays 0).
isa::Instruction Shifted(isa::Instruction in, uint64_t ds, uint64_t dd) {
  if (in.IsDma()) {
    in.dma.sram_addr += ds;
    in.dma.dram_addr += dd;
    return in;
  }
  for (uint64_t* a : {&in.compute.in_addr, &in.compute.in2_addr, &in.compute.wt_addr, &in.compute.param_addr,
                      &in.compute.out_addr})
    if (*a || a == &in.compute.in_addr) *a += ds;
  return in;
}

TEST_CASE("a bundle placed at other bases is the base-0 bundle shifted", "[nnac]") {
  const HwConfig& tiny = FindHwConfig("tiny");
  const Placement at{0x2000, 0x9000};
  const uint64_t ds = at.sram_base, dd = at.dram_base - Placement{}.dram_base;
  for (const char* name : {"conv1x1_small", "eltwise_add", "fig6_two_buffers"}) {
    INFO(name);
    const Bundle b0 = BuildTestFile(FindTest(name, kVectors), tiny);
    const Bundle b1 = BuildTestFile(FindTest(name, kVectors), tiny, {}, at);
    CHECK(b1.prog_sram_addr == b0.prog_sram_addr + ds);
    CHECK(b1.prog_dram_addr == b0.prog_dram_addr + dd);
    CHECK(b1.sram_end == b0.sram_end + ds);
    REQUIRE(b1.dram.size() == b0.dram.size() + dd);
    REQUIRE(b1.regions.size() == b0.regions.size());
    for (size_t i = 0; i < b0.regions.size(); ++i)
      CHECK(b1.regions[i].dram_addr == b0.regions[i].dram_addr + dd);
    CHECK(b1.reference == b0.reference);
    // Program words differ only in their addresses; every other byte of the image is the same.
    const auto p0 = isa::DecodeProgram(b0.ProgramBytes()).instrs,
               p1 = isa::DecodeProgram(b1.ProgramBytes()).instrs;
    REQUIRE(p0.size() == p1.size());
    for (size_t i = 0; i < p0.size(); ++i)
      CHECK(isa::EncodeInstruction(Shifted(p0[i], ds, dd)) == isa::EncodeInstruction(p1[i]));
    std::vector<uint8_t> rest0(b0.dram.begin() + long(b0.prog_dram_addr + b0.prog_words * isa::kWordBytes),
                               b0.dram.end());
    std::vector<uint8_t> rest1(b1.dram.begin() + long(b1.prog_dram_addr + b1.prog_words * isa::kWordBytes),
                               b1.dram.end());
    CHECK(rest0 == rest1);
    CHECK(
        std::all_of(b1.dram.begin(), b1.dram.begin() + long(at.dram_base), [](uint8_t v) { return v == 0; }));
  }
}

TEST_CASE("a placement whose SRAM range cannot hold the layer is one sentence", "[nnac]") {
  const HwConfig& tiny = FindHwConfig("tiny");
  const fs::path file = FindTest("conv1x1_small", kVectors);
  const Bundle b = BuildTestFile(file, tiny);
  const Placement at{AlignDown64(tiny.sram_bytes - b.sram_end / 2), 0x100000};
  CHECK_THROWS_WITH(BuildTestFile(file, tiny, {}, at),
                    Catch::Matches(".*conv1x1_small.yaml: key 'layer' needs [0-9]+ bytes of SRAM from base " +
                                   std::to_string(at.sram_base) + " .* but configuration 'tiny' has [0-9]+"));
  CHECK_THROWS_WITH(
      BuildTestFile(file, tiny, {}, {32, 0x1000}),
      Catch::Contains(
          "key 'layer' cannot be placed at SRAM 32 and DRAM 4096: both bases must be multiples of 64"));
}

TEST_CASE("bad test descriptions give one sentence naming file, key and value", "[nnac]") {
  CHECK(ErrorFor("t", kGood) == "(no error)");
  SECTION("unknown key") {
    CHECK(ErrorFor("t", Replace(kGood, "  kernel:", "  kernal: 3\n  kernel:")) ==
          "vectors/t.yaml: key 'layer.kernal' is not known (known keys: op, input, output_channels, kernel, "
          "stride, "
          "dilation, padding, pad_value, groups, weights_signed, output, order)");
  }
  SECTION("wrong type") {
    CHECK(ErrorFor("t", Replace(kGood, "signed: true", "signed: maybe")) ==
          "vectors/t.yaml: key 'layer.input.signed' must be true or false (got maybe)");
    CHECK(
        ErrorFor("t", Replace(kGood, "[3, 3]", "[3, x]")) ==
        "vectors/t.yaml: key 'layer.kernel' must be an integer 1..255 or a list [h, w] of them (got [3, x])");
    CHECK(ErrorFor("t", Replace(kGood, "channels: 3", "channels: 2.5")) ==
          "vectors/t.yaml: key 'layer.input.channels' must be an integer 1..65535 (got 2.5)");
    CHECK(ErrorFor("t", Replace(kGood, "seed: 1\n", "seed: 1\ndata: low\n")) ==
          "vectors/t.yaml: key 'data' must be random or high (got low)");
  }
  SECTION("missing key") {
    CHECK(ErrorFor("t", Replace(kGood, "  output_channels: 5\n", "")) ==
          "vectors/t.yaml: key 'layer.output_channels' is missing");
    CHECK(ErrorFor("t", Replace(kGood, "seed: 1\n", "")) == "vectors/t.yaml: key 'seed' is missing");
  }
  SECTION("out of range") {
    CHECK(
        ErrorFor("t", Replace(kGood, "[3, 3]", "[3, 0]")) ==
        "vectors/t.yaml: key 'layer.kernel' must be an integer 1..255 or a list [h, w] of them (got [3, 0])");
    CHECK(ErrorFor("t", kGood + std::string("  padding: [1, 2, 3]\n")) ==
          "vectors/t.yaml: key 'layer.padding' must be an integer 0..255 or a list [top, bottom, left, "
          "right] of "
          "them (got [1, 2, 3])");
  }
  SECTION("name must match the file") {
    CHECK(ErrorFor("u", kGood) == "vectors/u.yaml: key 'name' must equal the file name 'u' (got 't')");
  }
  SECTION("shape that does not fit") {
    CHECK(ErrorFor("t", Replace(kGood, "[3, 3]", "[7, 3]")) ==
          "vectors/t.yaml: key 'layer.kernel' [7, 3] (with its dilation and padding) does not fit the 6x7 "
          "input: "
          "the output would be 0x5");
    const std::string big =
        Replace(Replace(kGood, "channels: 3, height: 6, width: 7", "channels: 64, height: 128, width: 128"),
                "output_channels: 5", "output_channels: 64");
    CHECK_THAT(ErrorFor("t", big), Catch::StartsWith("vectors/t.yaml: key 'layer' needs ") &&
                                       Catch::Contains("bytes of SRAM") &&
                                       Catch::Contains("configuration 'tiny' has 1048576"));
    CHECK(ErrorFor("t", Replace(kGood, "output_channels: 5", "output_channels: 300")) ==
          "vectors/t.yaml: key 'layer.output_channels' must be at most simd.param_entries 256 on 'tiny' (got "
          "300)");
  }
  SECTION("not a layer this compiler knows") {
    CHECK(ErrorFor("t", Replace(kGood, "op: conv", "op: pool")) ==
          "vectors/t.yaml: key 'layer.op' must be conv, deconv, inner_product, global_avg_pool, scale or "
          "eltwise (got pool)");
  }
  SECTION("op defaults to conv") { CHECK(ErrorFor("t", Replace(kGood, "  op: conv\n", "")) == "(no error)"); }
  SECTION("groups") {
    CHECK(ErrorFor("t", kGood + std::string("  groups: 2\n")) ==
          "vectors/t.yaml: key 'layer.groups' must divide the input channels 3 and the output channels 5 "
          "(got 2)");
    CHECK(ErrorFor("t", kGood + std::string("  groups: 0\n")) ==
          "vectors/t.yaml: key 'layer.groups' must be an integer 1..65535 (got 0)");
    const std::string dw =
        Replace(Replace(kGood, "output_channels: 5", "output_channels: 6"), "[3, 3]", "[3, 3]\n  groups: 3");
    CHECK(ErrorFor("t", dw) == "(no error)");
  }
  SECTION("output padding") {
    CHECK(ErrorFor("t", kGood + std::string("  output_padding: 1\n")) ==
          "vectors/t.yaml: key 'layer.output_padding' applies to op deconv only");
    const std::string de = Replace(kGood, "op: conv", "op: deconv") + "  stride: [2, 1]\n";
    CHECK(ErrorFor("t", de + "  output_padding: [1, 0]\n") == "(no error)");
    CHECK(ErrorFor("t", de + "  output_padding: [1, 1]\n") ==
          "vectors/t.yaml: key 'layer.output_padding' must be less than max(stride, dilation) of its axis, "
          "[2, 1] "
          "here (got [1, 1])");
    CHECK(ErrorFor("t", de + "  output_padding: [1, 2, 3]\n") ==
          "vectors/t.yaml: key 'layer.output_padding' must be an integer 0..255 or a list [h, w] of them "
          "(got [1, 2, "
          "3])");
  }
  SECTION("deconv strides upsample by 1, 2, 4 or 8") {
    CHECK(ErrorFor("t", Replace(kGood, "op: conv", "op: deconv") + "  stride: 3\n") ==
          "vectors/t.yaml: key 'layer.stride' must be 1, 2, 4 or 8 for op deconv (got [3, 3])");
    CHECK(ErrorFor("t", Replace(kGood, "op: conv", "op: deconv") + "  stride: [8, 4]\n") == "(no error)");
  }
  SECTION("a deconv whose padding crops everything") {
    CHECK(ErrorFor("t", Replace(Replace(kGood, "op: conv", "op: deconv"), "height: 6", "height: 1") +
                            "  padding: [2, 1, 0, 0]\n") ==
          "vectors/t.yaml: key 'layer.padding' [2, 1, 0, 0] crops the whole output of the transposed "
          "convolution: it "
          "would be 0x9");
  }
  SECTION("inner_product rejects the keys of a convolution") {
    const std::string ip = Replace(Replace(kGood, "op: conv", "op: inner_product"), "  kernel: [3, 3]\n", "");
    CHECK(ErrorFor("t", ip) == "(no error)");
    for (const char* key :
         {"kernel: 3", "stride: 1", "padding: 0", "dilation: 1", "groups: 1", "output_padding: 0"}) {
      const std::string k = std::string(key).substr(0, std::string(key).find(':'));
      CHECK(ErrorFor("t", ip + "  " + key + "\n") ==
            "vectors/t.yaml: key 'layer." + k +
                "' does not apply to op inner_product (its kernel is the whole input, one output pixel)");
    }
    CHECK(ErrorFor("t", ip + "  bias: 1\n") ==
          "vectors/t.yaml: key 'layer.bias' is not known (known keys: op, input, output_channels, "
          "weights_signed, "
          "output, order)");
  }
  SECTION("a value where a map belongs, and a non-scalar key") {
    CHECK(ErrorFor("t", Replace(kGood, "  input: {channels: 3, height: 6, width: 7, signed: true}",
                                "  input: 5")) == "vectors/t.yaml: key 'layer.input' must be a map (got 5)");
    CHECK_THAT(ErrorFor("t", kGood + std::string("[a]: 1\n")), Catch::StartsWith("vectors/t.yaml: "));
    // Found by make fuzz: a block value echoed with its line breaks made a two-line message.
    CHECK(ErrorFor("t", Replace(kGood, "doc: \"a test\"", "doc:\n  - a\n  - b")) ==
          "vectors/t.yaml: key 'doc' must be a string (got - a\\n- b)");
  }
  SECTION("bad YAML") {
    CHECK_THAT(ErrorFor("t", "name: [t\n"), Catch::StartsWith("vectors/t.yaml: not valid YAML"));
    // Found by make fuzz: a NUL byte where a flow map's '}' belongs makes yaml-cpp's message end
    // in the line break it rejects.
    std::string text = Replace(kGood, "signed: true}", "signed: true");
    text.insert(text.find("signed: true") + 12, 1, '\0');
    CHECK(ErrorFor("t", text) == "vectors/t.yaml: not valid YAML (unknown escape character: \\n at line 7)");
  }
}

TEST_CASE("a repeated key and a huge value in a test description are one short sentence", "[nnac]") {
  // yaml-cpp keeps both entries and reads the first: seed 1 would win silently.
  CHECK(ErrorFor("t", std::string(kGood) + "seed: 2\n") ==
        "vectors/t.yaml: key 'seed' is given twice (lines 3 and 9); give each key once");
  CHECK(ErrorFor("t", Replace(kGood, "  kernel: [3, 3]\n", "  kernel: [3, 3]\n  output_channels: 4\n")) ==
        "vectors/t.yaml: key 'layer.output_channels' is given twice (lines 7 and 9); give each key once");
  const std::string huge(1 << 20, 'n');
  CHECK(ErrorFor("t", Replace(kGood, "name: t", "name: " + huge)) ==
        "vectors/t.yaml: key 'name' must equal the file name 't' (got '" + std::string(80, 'n') +
            "... (1048576 characters)')");
  CHECK(ErrorFor("t", Replace(kGood, "seed: 1", "seed: " + huge)) ==
        "vectors/t.yaml: key 'seed' must be a non-negative integer (got " + std::string(80, 'n') +
            "... (1048576 characters))");
}

TEST_CASE("a layer that overflows the accumulator warns and wraps alike in model and reference", "[nnac]") {
  // 65536 unsigned terms of unsigned weights: each sum is about 2^30, far past 2^29-1.
  const fs::path dir = fs::temp_directory_path() / ("nnac_test_" + std::to_string(::getpid())) / "vectors";
  fs::create_directories(dir);
  std::ofstream(dir / "wide.yaml") << "name: wide\ndoc: overflow\nseed: 3\nlayer:\n  op: inner_product\n"
                                      "  input: {channels: 1024, height: 8, width: 8, signed: false}\n"
                                      "  output_channels: 5\n  weights_signed: false\n"
                                      "  output: {signed: true, relu: false}\n";
  const HwConfig& cfg = FindHwConfig("tiny");
  std::stringstream err;
  auto* old = std::cerr.rdbuf(err.rdbuf());
  Bundle b;
  try {
    b = BuildTestFile(dir / "wide.yaml", cfg);
  } catch (...) {
    std::cerr.rdbuf(old);
    throw;
  }
  std::cerr.rdbuf(old);
  CHECK_THAT(err.str(),
             Catch::StartsWith("nnac: warning: vectors/wide.yaml: test 'wide', layer 0 (inner_product), "
                               "output channel ") &&
                 Catch::Contains("exceeds 2^29-1; 5 of 5 channels can overflow the 30-bit accumulator"));
  const std::string text = err.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  CHECK(b.macs == 65536ull * 5);

  // Exact sums from the bundle's input and weight tile (row j of term k at k*M + j).
  const Region& in = b.FindRegion("input");
  const Region& wt = b.FindRegion("weights");
  std::vector<int64_t> exact(5, 0);
  for (uint64_t k = 0; k < 65536; ++k)
    for (uint64_t j = 0; j < 5; ++j)
      exact[j] += int64_t(b.dram[in.dram_addr + k]) * b.dram[wt.dram_addr + k * cfg.array_rows + j];
  EventRecorder rec;
  const RunResult r = GoldenModel(cfg).Run(b, rec);
  REQUIRE(r.ok);
  REQUIRE(rec.acc_unloads.size() == 5);
  int wrapped = 0;
  for (uint32_t j = 0; j < 5; ++j) {
    CHECK(rec.acc_unloads[j].values[0] == nna::ref::WrapAcc(exact[j]));
    wrapped += exact[j] > (int64_t(1) << 29) - 1 ? 1 : 0;
  }
  CHECK(wrapped >= 1);
  const Region& out = b.FindRegion("output");
  CHECK(std::vector<uint8_t>(r.dram.begin() + long(out.dram_addr),
                             r.dram.begin() + long(out.dram_addr + out.bytes)) == b.reference.at("output"));

  std::stringstream quiet;
  old = std::cerr.rdbuf(quiet.rdbuf());
  BuildTestFile(FindTest("conv3x3", kVectors), cfg);
  BuildTestFile(FindTest("inner_product_25088", kVectors), cfg);
  std::cerr.rdbuf(old);
  CHECK(quiet.str().empty());
}

TEST_CASE("lowering: groups, deconv output size and inner-product reshape", "[nnac]") {
  const HwConfig& tiny = FindHwConfig("tiny");
  auto compute = [](const Bundle& b) { return isa::DecodeProgram(b.ProgramBytes()).instrs.at(3).compute; };
  SECTION("grouped: tiles per group, never mixed") {
    const auto c = compute(BuildTestFile(FindTest("conv3x3_grouped", kVectors), tiny));
    CHECK(c.opcode == isa::Opcode::kConv);
    CHECK(c.groups == 4);
    CHECK(c.group_in_c == 8);
    CHECK(c.group_out_c == 10);
    CHECK(c.group_tiles == 2);  // 10 channels: 8 + 2 rows
    CHECK(c.ch_tiles == 8);
    CHECK(c.dot_len == 8 * 9);
  }
  SECTION("depthwise") {
    const auto c = compute(BuildTestFile(FindTest("conv3x3_depthwise", kVectors), FindHwConfig("fsd")));
    CHECK(c.groups == 16);
    CHECK(c.group_in_c == 1);
    CHECK(c.group_tiles == 1);
    CHECK(c.ch_tiles == 16);
    CHECK(c.dot_len == 9);
    CHECK(c.wt_tile_bytes == 9 * 96);
  }
  SECTION("deconv: (in-1)*stride - pads + dil*(k-1) + output padding + 1") {
    for (const char* name : {"deconv2x2_s2", "deconv4x4_s2_pad1", "deconv3x3_s2_outpad"}) {
      const auto c = compute(BuildTestFile(FindTest(name, kVectors), tiny));
      CHECK(c.opcode == isa::Opcode::kDeconv);
      CHECK(c.out_h == 16);
      CHECK(c.out_w == 16);
    }
    const auto c = compute(BuildTestFile(FindTest("deconv3x3_s2_outpad", kVectors), tiny));
    CHECK(c.out_pad_h == 1);
    CHECK(c.out_pad_w == 1);
    CHECK(c.pad_top == 1);
    const Bundle s4 = BuildTestFile(FindTest("deconv4x4_s4", kVectors), tiny);
    CHECK(compute(s4).out_h == 24);
    CHECK(s4.macs == 6 * 6 * 4 * 8 * 4 * 4);
  }
  SECTION("inner product: the kernel is the input; planes past 255 are folded") {
    const auto c = compute(BuildTestFile(FindTest("inner_product_25088", kVectors), tiny));
    CHECK(c.opcode == isa::Opcode::kInnerProduct);
    CHECK((c.in_c == 512 && c.in_h == 7 && c.in_w == 7 && c.kernel_h == 7 && c.kernel_w == 7));
    CHECK((c.out_h == 1 && c.out_w == 1 && c.stride_h == 1 && c.dil_w == 1 && c.groups == 1));
    CHECK(c.dot_len == 25088);
    const auto d = compute(BuildTestFile(FindTest("inner_product_4096", kVectors), tiny));
    CHECK((d.in_c == 4096 && d.kernel_h == 1 && d.kernel_w == 1 && d.dot_len == 4096));

    const fs::path dir = fs::temp_directory_path() / ("nnac_test_" + std::to_string(::getpid())) / "vectors";
    fs::create_directories(dir);
    std::ofstream(dir / "flat.yaml")
        << "name: flat\ndoc: a row vector\nseed: 8\nlayer:\n  op: inner_product\n"
           "  input: {channels: 1, height: 1, width: 4096}\n  output_channels: 3\n";
    const Bundle b = BuildTestFile(dir / "flat.yaml", tiny);
    const auto f = compute(b);
    CHECK((f.in_c == 1 && f.in_h == 32 && f.in_w == 128 && f.kernel_h == 32 && f.kernel_w == 128));
    GoldenMatchesReference(b, tiny);
  }
}

TEST_CASE("a missing test names the known ones", "[nnac]") {
  CHECK_THROWS_WITH(FindTest("nope", kVectors),
                    Catch::StartsWith("no test 'nope' in ") && Catch::Contains("(known: ") &&
                        Catch::Contains("conv1x1_small") && Catch::Contains("act_relu6,") &&
                        Catch::Contains(" tests))"));
  // A dozen names and the count, not all 60 in a 1,100-character line (found by make fuzz).
  try {
    FindTest("nope", kVectors);
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()).size() < 400);
    CHECK_THAT(e.what(), Catch::Contains(" tests)"));
  }
  // The configuration's name is clipped too (the generated FindHwConfig).
  CHECK_THROWS_WITH(FindHwConfig(std::string(5000, 'x')),
                    Catch::StartsWith("unknown hardware configuration '" + std::string(80, 'x') +
                                      "... (5000 characters)' (known: "));
  CHECK(FindTest("conv3x3", kVectors).filename() == "conv3x3.yaml");
  // A name too long for the file system is not found, and is clipped in the sentence.
  CHECK_THROWS_WITH(FindTest(std::string(100000, 'x'), kVectors),
                    Catch::StartsWith("no test '" + std::string(80, 'x') + "... (100000 characters)' in "));
}

TEST_CASE("act_* vectors run their activation's program on both configurations", "[nnac]") {
  const std::vector<std::pair<std::string, Activation>> acts = {
      {"act_sigmoid", Activation::kSigmoid},      {"act_tanh", Activation::kTanh},
      {"act_leaky_relu", Activation::kLeakyRelu}, {"act_relu6", Activation::kRelu6},
      {"act_hard_swish", Activation::kHardSwish}, {"act_requant", Activation::kRequant}};
  for (const auto& [name, kind] : acts) {
    const TestSpec spec = ParseTestFile(FindTest(name, kVectors));
    REQUIRE(spec.layer.activation);
    CHECK(spec.layer.activation->kind == kind);
    CHECK(spec.layer.activation->quant.out_signed == spec.layer.out_signed);
    CHECK(spec.layer.simd.empty());  // lowered by Compile, not by the parser
    const ActProgram want = LowerActivation(kind, spec.layer.activation->quant);
    for (const char* config : {"tiny", "fsd"}) {
      INFO(name << " on " << config);
      const HwConfig& cfg = FindHwConfig(config);
      const Bundle b = BuildTestFile(FindTest(name, kVectors), cfg);
      const auto prog = isa::DecodeProgram(b.ProgramBytes());
      REQUIRE_FALSE(prog.error);
      REQUIRE(prog.instrs.size() == 5);
      const auto& c = prog.instrs[3].compute;
      CHECK(prog.instrs[3].simd == want.simd);
      CHECK(c.simd_len == want.simd.size());
      if (std::string(config) == "tiny") {  // several channel tiles and pixel sections on the 8x8 array
        CHECK(c.ch_tiles > 1);
        CHECK(c.pix_tiles > 1);
      }
      // Channel parameters: the program's own besides the bias (requant: calibrated, 16-bit scale).
      const Region& params = b.FindRegion("params");
      const std::vector<uint8_t> pb(b.dram.begin() + long(params.dram_addr),
                                    b.dram.begin() + long(params.dram_addr + params.bytes));
      for (uint32_t co = 0; co < c.out_c; ++co) {
        const ref::ChannelParams p = ref::UnpackParams(&pb[co * isa::ChannelParamsRecord::kBytes]);
        if (kind == Activation::kRequant) {
          CHECK(p.scale > 0x7FFF);  // Calibrate's largest shift keeps the scale in the top bit
        } else {
          CHECK(p.scale == want.params.scale);
          CHECK(p.shift == want.params.shift);
          CHECK(p.zero_point == want.params.zero_point);
        }
      }
      // The accumulators span the function's interesting range: many distinct output bytes, at
      // most a quarter at either end of the output type (relu6's bottom is ReLU's zero, about half).
      const auto& ref = b.reference.at("output");
      std::set<uint8_t> distinct(ref.begin(), ref.end());
      const uint8_t lo = spec.layer.out_signed ? 0x80 : 0, hi = spec.layer.out_signed ? 0x7F : 0xFF;
      CHECK(distinct.size() >= 64);
      if (kind != Activation::kRelu6) CHECK(std::count(ref.begin(), ref.end(), lo) < int64_t(ref.size() / 4));
      CHECK(std::count(ref.begin(), ref.end(), hi) < int64_t(ref.size() / 4));
    }
  }
}

TEST_CASE("a bad output.activation gives one sentence naming file, key and value", "[nnac]") {
  const std::string base = kGood + std::string("  output: {signed: true, activation: ACT}\n");
  auto with = [&](const std::string& act) { return Replace(base, "ACT", act); };
  CHECK(ErrorFor("t", with("{kind: sigmoid, in_scale: 0.0001, out_scale: 0.00390625, zero_point: -128}")) ==
        "(no error)");
  CHECK(
      ErrorFor("t", with("{kind: sigmoid, in_scale: 0.00005, out_scale: 0.00390625, zero_point: -128}")) ==
      "vectors/t.yaml: key 'layer.output.activation' has no program (sigmoid: the t^9 coefficient (in_scale "
      "5e-05) 2.07886e-43 does not fit FP32 with 12 significant bits)");
  CHECK(ErrorFor("t", with("{kind: swish, in_scale: 0.0001, out_scale: 0.1}")) ==
        "vectors/t.yaml: key 'layer.output.activation.kind' must be one of none, relu, leaky_relu, relu6, "
        "sigmoid, "
        "tanh, hard_swish, requant (got swish)");
  CHECK(ErrorFor("t", with("{kind: tanh, in_scale: -1, out_scale: 0.1}")) ==
        "vectors/t.yaml: key 'layer.output.activation.in_scale' must be a positive number (got -1)");
  CHECK(ErrorFor("t", with("{kind: tanh, out_scale: 0.1}")) ==
        "vectors/t.yaml: key 'layer.output.activation.in_scale' is missing");
  CHECK(ErrorFor("t", with("{kind: tanh, in_scale: 0.001, out_scale: 0.1, zero_point: 200}")) ==
        "vectors/t.yaml: key 'layer.output.activation.zero_point' must be an integer -128..127 (got 200)");
  CHECK(
      ErrorFor("t", with("{kind: tanh, in_scale: 0.001, out_scale: 0.1, alpha: 0.2}")) ==
      "vectors/t.yaml: key 'layer.output.activation.alpha' applies to kind leaky_relu only (got kind tanh)");
  CHECK(ErrorFor("t", with("{kind: leaky_relu, in_scale: 0.001, out_scale: 0.1, alpha: 2}")) ==
        "vectors/t.yaml: key 'layer.output.activation.alpha' must be a number in [0, 1] (got 2)");
  CHECK(ErrorFor("t", with("{kind: tanh, in_scale: 0.001, out_scale: 0.1, slope: 1}")) ==
        "vectors/t.yaml: key 'layer.output.activation.slope' is not known (known keys: kind, in_scale, "
        "out_scale, "
        "zero_point, alpha)");
  CHECK(ErrorFor("t", Replace(base, "signed: true,", "signed: true, relu: true,"))
            .find("vectors/t.yaml: key 'layer.output.relu' cannot be given with layer.output.activation") ==
        0);
  // A quantization no program meets: the lowering's sentence, under the key.
  const std::string e =
      ErrorFor("t", with("{kind: sigmoid, in_scale: 0.0001, out_scale: 0.00390625, zero_point: 0}"));
  CHECK(e.find("vectors/t.yaml: key 'layer.output.activation' has no program (sigmoid: ") == 0);
  CHECK(std::count(e.begin(), e.end(), '\n') == 0);
}

namespace {

// The pooled vectors and their windows, as the files say.
struct PoolVector {
  const char* name;
  isa::PoolOp op;
  uint32_t size, stride, pad;
};
const PoolVector kPoolVectors[] = {{"pool_max2x2_s2", isa::PoolOp::kMax, 2, 2, 0},
                                   {"pool_avg2x2_s2", isa::PoolOp::kAvg, 2, 2, 0},
                                   {"pool_max3x3_s2_pad1", isa::PoolOp::kMax, 3, 2, 1},
                                   {"pool_avg3x3_s1_pad1", isa::PoolOp::kAvg, 3, 1, 1},
                                   {"pool_max2x2_s1", isa::PoolOp::kMax, 2, 1, 0},
                                   {"pool_max3x3_s1", isa::PoolOp::kMax, 3, 1, 0},
                                   {"pool_max2x2_conv3x3_56x56x96", isa::PoolOp::kMax, 2, 2, 0},
                                   {"pool_max3x3_s1_pad1", isa::PoolOp::kMax, 3, 1, 1},
                                   {"pool_avg3x3_s1_pad1_35x35", isa::PoolOp::kAvg, 3, 1, 1}};

// Pooling written out once more, plainly: every window position, max of the pixels inside the
// plane, or the sum over size*size (padding 0) divided with rounding half up.
std::vector<uint8_t> PlainPool(const std::vector<uint8_t>& in, uint32_t c, uint32_t h, uint32_t w,
                               bool is_signed, const PoolVector& p) {
  const int32_t ph_n = (int32_t(h) + 2 * int32_t(p.pad) - int32_t(p.size)) / int32_t(p.stride) + 1;
  const int32_t pw_n = (int32_t(w) + 2 * int32_t(p.pad) - int32_t(p.size)) / int32_t(p.stride) + 1;
  std::vector<uint8_t> out;
  for (uint32_t ch = 0; ch < c; ++ch)
    for (int32_t y = 0; y < ph_n; ++y)
      for (int32_t x = 0; x < pw_n; ++x) {
        int32_t best = -1000, sum = 0;
        for (int32_t r = y * int32_t(p.stride) - int32_t(p.pad);
             r < y * int32_t(p.stride) - int32_t(p.pad) + int32_t(p.size); ++r)
          for (int32_t q = x * int32_t(p.stride) - int32_t(p.pad);
               q < x * int32_t(p.stride) - int32_t(p.pad) + int32_t(p.size); ++q) {
            if (r < 0 || q < 0 || r >= int32_t(h) || q >= int32_t(w)) continue;
            const uint8_t b = in[(size_t(ch) * h + size_t(r)) * w + size_t(q)];
            const int32_t v = is_signed ? int8_t(b) : b;
            best = std::max(best, v);
            sum += v;
          }
        const double area = double(p.size * p.size);
        out.push_back(uint8_t(p.op == isa::PoolOp::kMax ? best : int32_t(std::floor(sum / area + 0.5))));
      }
  return out;
}

}  // namespace

TEST_CASE("pooled vectors: pool fields, channel_major, the pooled output region and its reference",
          "[nnac]") {
  int several_tiles = 0;
  for (const PoolVector& pv : kPoolVectors) {
    const TestSpec spec = ParseTestFile(FindTest(pv.name, kVectors));
    REQUIRE(spec.layer.pool);
    CHECK(spec.layer.pool->op == pv.op);
    CHECK(spec.layer.pool->size == pv.size);
    CHECK(spec.layer.pool->stride == pv.stride);
    CHECK(spec.layer.pool->pad == pv.pad);
    for (const char* config : {"tiny", "fsd"}) {
      if (kFsdOnly.count(pv.name) && std::string(config) == "tiny") continue;
      INFO(pv.name << " on " << config);
      const HwConfig& cfg = FindHwConfig(config);
      const Bundle b = BuildTest(spec, cfg);
      const auto prog = isa::DecodeProgram(b.ProgramBytes());
      REQUIRE_FALSE(prog.error);
      const auto& c = prog.instrs.at(3).compute;
      CHECK(c.pool_op == pv.op);
      CHECK(c.pool_size == pv.size);
      CHECK(c.pool_stride == pv.stride);
      CHECK(c.pool_pad == pv.pad);
      CHECK(c.out_w <= cfg.array_cols);
      if (c.ch_tiles > 1) CHECK(c.order == isa::Order::kChannelMajor);
      if (std::string(config) == "tiny" && c.ch_tiles > 1) ++several_tiles;
      const uint32_t ph_n = (uint32_t(c.out_h) + 2 * pv.pad - pv.size) / pv.stride + 1;
      const uint32_t pw_n = (uint32_t(c.out_w) + 2 * pv.pad - pv.size) / pv.stride + 1;
      CHECK(c.out_row_stride == pw_n);
      CHECK(c.out_plane_stride >= uint64_t(ph_n) * pw_n);
      CHECK_FALSE(pool::Check(c.opcode, c, uint32_t(cfg.array_cols)));
      const Region& out = b.FindRegion("output");
      CHECK(out.bytes == uint64_t(c.out_c) * ph_n * pw_n);
      CHECK(out.shape == std::vector<uint32_t>{uint32_t(c.out_c), ph_n, pw_n});
      CHECK(prog.instrs.at(4).dma.rows * prog.instrs.at(4).dma.row_bytes == out.bytes);  // the write-back DMA

      // The same layer without the pool: the same data and calibration, the convolution's output.
      TestSpec plain = spec;
      plain.layer.pool.reset();
      const Bundle conv = BuildTest(plain, cfg);
      const auto& conv_out = conv.reference.at("output");
      REQUIRE(conv_out.size() == uint64_t(c.out_c) * c.out_h * c.out_w);
      CHECK(b.reference.at("output") == PlainPool(conv_out, uint32_t(c.out_c), uint32_t(c.out_h),
                                                  uint32_t(c.out_w), spec.layer.out_signed, pv));
    }
  }
  CHECK(several_tiles >= 4);  // several channel tiles run channel_major on tiny
}

TEST_CASE("the compiler chooses channel_major for a pooled layer of several channel tiles", "[nnac]") {
  const std::string pooled = kGood + std::string("  output: {pool: {op: max, size: 2}}\n");
  auto order_of = [&](const std::string& text, const char* config) {
    const fs::path dir = fs::temp_directory_path() / ("nnac_test_" + std::to_string(::getpid())) / "vectors";
    fs::create_directories(dir);
    std::ofstream(dir / "t.yaml") << text;
    return isa::DecodeProgram(BuildTestFile(dir / "t.yaml", FindHwConfig(config)).ProgramBytes())
        .instrs.at(3)
        .compute;
  };
  const std::string nine = Replace(pooled, "output_channels: 5", "output_channels: 9");
  CHECK(order_of(pooled, "tiny").order == isa::Order::kPixelMajor);  // one tile: the default stays
  CHECK(order_of(nine, "tiny").ch_tiles == 2);
  CHECK(order_of(nine, "tiny").order == isa::Order::kChannelMajor);
  CHECK(order_of(nine + "  order: channel_major\n", "tiny").order == isa::Order::kChannelMajor);
  CHECK(order_of(nine + "  order: pixel_major\n", "fsd").order ==
        isa::Order::kPixelMajor);  // one tile on fsd
  CHECK(ErrorFor("t", nine + "  order: pixel_major\n") ==
        "vectors/t.yaml: key 'layer.order' must be channel_major (or left out) for a pooled layer with 2 "
        "channel "
        "tiles on 'tiny': the pooling unit takes one output channel at a time (got pixel_major)");
}

TEST_CASE("a bad output.pool gives one sentence naming file, key and value", "[nnac]") {
  const std::string base = kGood + std::string("  output: {signed: true, pool: POOL}\n");
  auto with = [&](const std::string& pool) { return Replace(base, "POOL", pool); };
  CHECK(ErrorFor("t", with("{op: avg, size: 3, stride: 1, pad: 1}")) == "(no error)");
  CHECK(ErrorFor("t", with("{op: min, size: 2}")) ==
        "vectors/t.yaml: key 'layer.output.pool.op' must be max or avg (got min)");
  CHECK(ErrorFor("t", with("{size: 2}")) == "vectors/t.yaml: key 'layer.output.pool.op' is missing");
  CHECK(ErrorFor("t", with("{op: max}")) == "vectors/t.yaml: key 'layer.output.pool.size' is missing");
  CHECK(ErrorFor("t", with("{op: max, size: 4, stride: 2}")) ==
        "vectors/t.yaml: key 'layer.output.pool.size' must be an integer 2..3 (got 4)");
  CHECK(ErrorFor("t", with("{op: max, size: 2, stride: 3}")) ==
        "vectors/t.yaml: key 'layer.output.pool.stride' must be an integer 1..2 (got 3)");
  CHECK(ErrorFor("t", with("{op: max, size: 3}")) ==
        "vectors/t.yaml: key 'layer.output.pool.stride' is missing and its default, the size 3, is past the "
        "largest "
        "pooling stride 2 (give stride: 1 or 2)");
  CHECK(ErrorFor("t", with("{op: max, size: 2, pad: 2}")) ==
        "vectors/t.yaml: key 'layer.output.pool.pad' must be an integer 0..1 (got 2)");
  CHECK(ErrorFor("t", with("{op: max, size: 3, stride: 2, pad: 2}")) ==
        "vectors/t.yaml: key 'layer.output.pool.pad' must be an integer 0..1 (got 2)");
  CHECK(ErrorFor("t", with("{op: max, size: 2, window: 2}")) ==
        "vectors/t.yaml: key 'layer.output.pool.window' is not known (known keys: op, size, stride, pad)");
  CHECK(ErrorFor("t", with("2")) == "vectors/t.yaml: key 'layer.output.pool' must be a map (got 2)");
  // The window against the 2x5 output of a 4x7 input.
  const std::string small = Replace(base, "height: 6", "height: 4");
  CHECK(ErrorFor("t", Replace(small, "POOL", "{op: max, size: 3, stride: 1}")) ==
        "vectors/t.yaml: key 'layer.output.pool' has a 3x3 window with pad 0 that does not fit the 2x5 "
        "convolution output");
  CHECK(ErrorFor("t", Replace(small, "POOL", "{op: max, size: 3, stride: 1, pad: 1}")) == "(no error)");
  // Rows past the line buffer: 10 > 8 columns on tiny, fine on fsd.
  const std::string wide = Replace(base, "width: 7", "width: 12");
  CHECK(ErrorFor("t", Replace(wide, "POOL", "{op: max, size: 2}")) ==
        "vectors/t.yaml: key 'layer.output.pool' needs the convolution's rows in the line buffer of 8 pixels "
        "(the "
        "array columns) on 'tiny', but they are 10 wide");
  CHECK(ErrorFor("t", Replace(wide, "POOL", "{op: max, size: 2}"), "fsd") == "(no error)");
  // Only a CONV pools.
  CHECK(ErrorFor("t", Replace(with("{op: max, size: 2}"), "op: conv", "op: deconv")) ==
        "vectors/t.yaml: key 'layer.output.pool' applies to op conv only: the pooling unit follows a CONV "
        "(got op "
        "deconv)");
  const std::string ip =
      Replace(Replace(with("{op: max, size: 2}"), "op: conv", "op: inner_product"), "  kernel: [3, 3]\n", "");
  CHECK(ErrorFor("t", ip) ==
        "vectors/t.yaml: key 'layer.output.pool' applies to op conv only: the pooling unit follows a CONV "
        "(got op "
        "inner_product)");
  // With an activation: the program runs first, then the pool (the reference pools its output).
  const std::string act = Replace(base, "pool: POOL",
                                  "activation: {kind: relu6, in_scale: 0.00006, out_scale: 0.03, "
                                  "zero_point: -128}, pool: {op: avg, size: 2}");
  CHECK(ErrorFor("t", act) == "(no error)");
  const fs::path dir = fs::temp_directory_path() / ("nnac_test_" + std::to_string(::getpid())) / "vectors";
  std::ofstream(dir / "t.yaml") << act;
  const TestSpec spec = ParseTestFile(dir / "t.yaml");
  TestSpec plain = spec;
  plain.layer.pool.reset();
  const HwConfig& tiny = FindHwConfig("tiny");
  const Bundle pooled = BuildTest(spec, tiny), conv = BuildTest(plain, tiny);
  CHECK(isa::DecodeProgram(pooled.ProgramBytes()).instrs.at(3).simd ==
        isa::DecodeProgram(conv.ProgramBytes()).instrs.at(3).simd);
  CHECK(pooled.reference.at("output") ==
        PlainPool(conv.reference.at("output"), 5, 4, 5, true, PoolVector{"t", isa::PoolOp::kAvg, 2, 2, 0}));
}

TEST_CASE("global average pooling: FUSED_RELU's multiply and shift are proven exact or the layer is rejected",
          "[nnac]") {
  SECTION("exact sizes: odd counts up to 389 (int8) or 193 (uint8) and powers of two") {
    // 49 (7x7) is exact: odd, so no sum is a tie, and scale 42799 / 2^21 is off by 0.0004 per
    // unit of the sum's 49ths, ~0.001 LSB at most; a tie-free sum is at least 1/98 from a tie.
    const AvgMultiplier a49 = GlobalAvgMultiplier(49, true);
    CHECK(a49.exact);
    CHECK(a49.scale == 42799);
    CHECK(a49.shift == 21);
    CHECK(GlobalAvgMultiplier(49, false).exact);
    for (uint64_t n : {1, 2, 4, 8, 9, 16, 25, 64, 81, 121, 169, 225, 256, 289, 1024}) {
      INFO(n);
      CHECK(GlobalAvgMultiplier(n, true).exact);
      CHECK(GlobalAvgMultiplier(n, false).exact);
    }
    for (uint64_t n = 1; n <= 389; n += 2) {
      INFO(n);
      CHECK(GlobalAvgMultiplier(n, true).exact);
      if (n <= 193) CHECK(GlobalAvgMultiplier(n, false).exact);
    }
  }
  SECTION(
      "rejected sizes: even counts other than powers of two (int8: a tie is off in one direction), large odd "
      "ones") {
    // 6x6 = 36: scale round(2^21/36) = 58254 is not 2^21/36, so a tie (sum an odd multiple of 18)
    // lands on one side of .5: the wrong side for ties of one sign (int8 has both signs).
    const AvgMultiplier a36 = GlobalAvgMultiplier(36, true);
    CHECK_FALSE(a36.exact);
    CHECK(a36.got != a36.want);
    CHECK(a36.want == ref::RoundedAverage(a36.sum, 36));
    for (uint64_t n : {6, 10, 12, 36, 100, 144, 196, 400}) {
      INFO(n);
      CHECK_FALSE(GlobalAvgMultiplier(n, true).exact);
    }
    CHECK_FALSE(GlobalAvgMultiplier(196, false).exact);  // 14x14 uint8: the tie at 98/196 rounds down
    CHECK_FALSE(GlobalAvgMultiplier(391, true).exact);   // the smallest odd count that fails for int8
    CHECK_FALSE(GlobalAvgMultiplier(195, false).exact);  // and for uint8
    CHECK_FALSE(GlobalAvgMultiplier(361, false).exact);  // 19x19 uint8
    CHECK(GlobalAvgMultiplier(361, true).exact);         // 19x19 int8

    const std::string six =
        "name: t\ndoc: a test\nseed: 1\nlayer:\n  op: global_avg_pool\n"
        "  input: {channels: 4, height: 6, width: 6, signed: true}\n";
    CHECK(ErrorFor("t", six) ==
          "vectors/t.yaml: key 'layer.input' has 6x6 = 36 int8 values per channel, whose "
          "average FUSED_RELU cannot round exactly: scale " +
              std::to_string(a36.scale) + ", shift " + std::to_string(a36.shift) + " gives " +
              std::to_string(a36.got) + " for the sum " + std::to_string(a36.sum) +
              " whose rounded average is " + std::to_string(a36.want));
    CHECK(ErrorFor("t", Replace(six, "height: 6, width: 6", "height: 8, width: 8")) == "(no error)");
    CHECK(ErrorFor("t", six + "  output_channels: 4\n") ==
          "vectors/t.yaml: key 'layer.output_channels' is not known (known keys: op, input)");
    CHECK(ErrorFor("t", Replace(six, "height: 6", "height: 300")) ==
          "vectors/t.yaml: key 'layer.input.height' must be an integer 1..255 (got 300)");
  }
  SECTION("global_avg_pool_7x7: a depthwise CONV of ones, the proven parameters and the exact average") {
    const TestSpec spec = ParseTestFile(FindTest("global_avg_pool_7x7", kVectors));
    CHECK(spec.layer.global_avg_pool);
    for (const char* config : {"tiny", "fsd"}) {
      INFO(config);
      const HwConfig& cfg = FindHwConfig(config);
      const Bundle b = BuildTest(spec, cfg);
      const auto prog = isa::DecodeProgram(b.ProgramBytes());
      REQUIRE_FALSE(prog.error);
      const auto& in = prog.instrs.at(3);
      const auto& c = in.compute;
      CHECK(c.opcode == isa::Opcode::kConv);
      CHECK((c.in_c == 64 && c.out_c == 64 && c.groups == 64 && c.kernel_h == 7 && c.kernel_w == 7));
      CHECK((c.out_h == 1 && c.out_w == 1 && c.dot_len == 49 && c.ch_tiles == 64));
      CHECK(c.pool_op == isa::PoolOp::kNone);
      REQUIRE(in.simd.size() == 1);
      CHECK(in.simd[0].op == isa::SimdOp::kFusedRelu);
      CHECK(in.simd[0].flags == 0);  // no ReLU, signed output like the input
      CHECK(c.out_signed == 1);
      const Region& params = b.FindRegion("params");
      for (uint32_t co = 0; co < 64; ++co) {
        const ref::ChannelParams p =
            ref::UnpackParams(&b.dram[params.dram_addr + co * isa::ChannelParamsRecord::kBytes]);
        CHECK((p.bias == 0 && p.scale == 42799 && p.shift == 21 && p.zero_point == 0));
      }
      const Region& wt = b.FindRegion("weights");
      // Each tile's row 0 holds the channel's 49 ones; the other rows are padding.
      for (uint64_t t = 0; t < 64; ++t)
        for (uint64_t k = 0; k < 49; ++k)
          for (uint64_t j = 0; j < cfg.array_rows; ++j)
            CHECK(b.dram[wt.dram_addr + (t * 49 + k) * cfg.array_rows + j] == (j == 0 ? 1 : 0));
      // The reference: each channel's exact rounded average of the bundle's input.
      const Region& input = b.FindRegion("input");
      std::vector<uint8_t> want;
      for (uint32_t ch = 0; ch < 64; ++ch) {
        int64_t sum = 0;
        for (uint32_t k = 0; k < 49; ++k) sum += int8_t(b.dram[input.dram_addr + ch * 49 + k]);
        want.push_back(uint8_t(int8_t(std::floor(double(sum) / 49 + 0.5))));
      }
      CHECK(b.reference.at("output") == want);
      // And the golden model's FUSED_RELU gives it (the "every vector" test compares the bytes too).
      EventRecorder rec;
      const RunResult r = GoldenModel(cfg).Run(b, rec);
      REQUIRE(r.ok);
      const Region& out = b.FindRegion("output");
      CHECK(std::vector<uint8_t>(r.dram.begin() + long(out.dram_addr),
                                 r.dram.begin() + long(out.dram_addr + 64)) == want);
    }
  }
}

namespace {

const char* const kScaleGood = R"(name: t
doc: "a test"
seed: 1
layer:
  op: scale
  input: {channels: 5, height: 6, width: 7, signed: true}
  output: {signed: true, relu: false}
)";

const char* const kEltGood = R"(name: t
doc: "a test"
seed: 1
layer:
  op: eltwise
  eltwise: add
  input: {channels: 5, height: 6, width: 7, signed: true}
  output: {signed: true, relu: false}
)";

const char* const kSimdOnlyVectors[] = {"scale",       "scale_unsigned", "eltwise_add",
                                        "eltwise_mul", "eltwise_max",    "eltwise_add_rescale"};

}  // namespace

TEST_CASE("SCALE and ELTWISE vectors lower to the contract's depthwise 1x1 fields", "[nnac]") {
  for (const char* name : kSimdOnlyVectors) {
    const TestSpec spec = ParseTestFile(FindTest(name, kVectors));
    const LayerSpec& l = spec.layer;
    const bool elt = l.op == LayerOp::kEltwise;
    REQUIRE(SimdOnly(l.op));
    for (const char* config : {"tiny", "fsd"}) {
      INFO(name << " on " << config);
      const HwConfig& cfg = FindHwConfig(config);
      const Bundle b = BuildTestFile(FindTest(name, kVectors), cfg);
      const auto prog = isa::DecodeProgram(b.ProgramBytes());
      REQUIRE_FALSE(prog.error);
      const size_t ci = elt ? 3 : 2;
      const isa::Instruction& dot = prog.instrs.at(ci);
      const auto& c = dot.compute;
      CHECK(dot.opcode == (elt ? isa::Opcode::kEltwise : isa::Opcode::kScale));
      CHECK((c.kernel_h == 1 && c.kernel_w == 1));
      CHECK((c.stride_h == 1 && c.stride_w == 1 && c.dil_h == 1 && c.dil_w == 1));
      CHECK((c.pad_top == 0 && c.pad_bottom == 0 && c.pad_left == 0 && c.pad_right == 0));
      CHECK((c.out_pad_h == 0 && c.out_pad_w == 0));
      CHECK((c.groups == l.in_c && c.in_c == l.in_c && c.out_c == l.in_c));
      CHECK((c.group_in_c == 1 && c.group_out_c == 1 && c.group_tiles == 1));
      CHECK(c.ch_tiles == l.in_c);
      CHECK((c.out_h == l.in_h && c.out_w == l.in_w));
      CHECK(c.pix_tiles == (uint64_t(l.in_h) * l.in_w + cfg.array_cols - 1) / cfg.array_cols);
      CHECK(c.dot_len == (elt ? 2u : 1u));
      CHECK(c.wt_tile_bytes == c.dot_len * cfg.array_rows);
      CHECK(c.wt_addr == 0);
      CHECK(c.wt_signed == 0);
      CHECK(c.pool_op == isa::PoolOp::kNone);
      CHECK((c.pool_size == 0 && c.pool_stride == 0 && c.pool_pad == 0));
      CHECK(c.eltwise_op == (elt ? l.eltwise : isa::EltwiseOp::kAdd));
      // Planes dense or padded by whole bank words, the output's like the input's.
      const uint64_t plane = uint64_t(l.in_h) * l.in_w, pad = c.in_plane_stride - plane;
      CHECK((c.in_row_stride == l.in_w && c.in_plane_stride >= plane));
      CHECK((pad % cfg.sram_bank_word_bytes == 0 && pad <= cfg.sram_banks * cfg.sram_bank_word_bytes));
      CHECK((c.out_row_stride == c.out_w && c.out_plane_stride == c.in_plane_stride));
      CHECK(c.in_signed == l.in_signed);
      CHECK(c.out_signed == l.out_signed);
      CHECK(b.macs == c.out_h * c.out_w * c.out_c * c.dot_len);
      if (std::string(config) == "tiny")
        CHECK(uint64_t(l.in_h) * l.in_w % cfg.array_cols != 0);  // a partial section

      // Regions: input (and input_b), params, output; no weights. Tensor b goes in by the same DMA
      // shape to its own SRAM address, in2_addr.
      CHECK_THROWS(b.FindRegion("weights"));
      const Region& in = b.FindRegion("input");
      const Region& params = b.FindRegion("params");
      const Region& out = b.FindRegion("output");
      const uint64_t dram_base = b.prog_dram_addr - b.prog_sram_addr;
      CHECK(c.in_addr == in.dram_addr - dram_base);
      CHECK(c.param_addr == params.dram_addr - dram_base);
      CHECK(c.out_addr == out.dram_addr - dram_base);
      CHECK(prog.instrs[0].dma.sram_addr == c.in_addr);
      CHECK((dot.WaitSet() & prog.instrs[0].DoneSet()) != 0);
      std::vector<std::pair<uint64_t, uint64_t>> used = {{0, b.prog_words * isa::kWordBytes},
                                                         {c.in_addr, in.bytes},
                                                         {c.param_addr, params.bytes},
                                                         {c.out_addr, out.bytes}};
      ref::Tensor a(l.in_c, l.in_h, l.in_w, l.in_signed), tb;
      std::copy_n(b.dram.begin() + long(in.dram_addr), in.bytes, a.data.begin());
      if (elt) {
        const Region& in2 = b.FindRegion("input_b");
        CHECK(in2.kind == "input");
        CHECK(c.in2_addr == in2.dram_addr - dram_base);
        CHECK(in2.bytes == in.bytes);
        const auto& d1 = prog.instrs[1].dma;
        CHECK(d1.sram_addr == c.in2_addr);
        CHECK((d1.rows == prog.instrs[0].dma.rows && d1.row_bytes == prog.instrs[0].dma.row_bytes));
        CHECK((dot.WaitSet() & prog.instrs[1].DoneSet()) != 0);
        used.push_back({c.in2_addr, in2.bytes});
        tb = ref::Tensor(l.in_c, l.in_h, l.in_w, l.in_signed);
        std::copy_n(b.dram.begin() + long(in2.dram_addr), in2.bytes, tb.data.begin());
        CHECK(tb.data != a.data);
      } else {
        CHECK(c.in2_addr == 0);
      }
      std::sort(used.begin(), used.end());
      for (size_t i = 1; i < used.size(); ++i) CHECK(used[i - 1].first + used[i - 1].second <= used[i].first);

      // The expected output is the reference operator of the image's tensors and parameters.
      std::vector<ref::ChannelParams> p(l.in_c);
      for (uint32_t co = 0; co < l.in_c; ++co)
        p[co] = ref::UnpackParams(&b.dram[params.dram_addr + co * isa::ChannelParamsRecord::kBytes]);
      const auto& want = b.reference.at("output");
      if (!elt) {
        CHECK(dot.simd.size() == 1);
        CHECK(ref::ScaleChannels(a, p, l.relu, !l.out_signed) == want);
      } else if (l.rescale) {
        const RescaleProgram rp = LowerRescaledAdd(*l.rescale, l.relu, l.out_signed);
        CHECK(dot.simd == rp.simd);
        CHECK(ref::EltwiseRescaledAdd(a, tb, rp.ka, rp.kb, p, l.relu, !l.out_signed) == want);
      } else {
        CHECK(dot.simd.size() == 1);
        const ref::EltwiseKind kind = l.eltwise == isa::EltwiseOp::kAdd   ? ref::EltwiseKind::kAdd
                                      : l.eltwise == isa::EltwiseOp::kMul ? ref::EltwiseKind::kMul
                                                                          : ref::EltwiseKind::kMax;
        CHECK(ref::Eltwise(a, tb, kind, p, l.relu, !l.out_signed) == want);
      }
      const isa::SimdInstr& last = dot.simd.back();
      CHECK(last.op == isa::SimdOp::kFusedRelu);
      CHECK(last.flags == ((l.relu ? 1u : 0u) | (l.out_signed ? 0u : 2u)));
    }
  }
}

TEST_CASE("SCALE draws per-channel transforms and one output quantization that uses the range", "[nnac]") {
  for (const char* name : {"scale", "scale_unsigned"}) {
    INFO(name);
    const Bundle b = BuildTestFile(FindTest(name, kVectors), FindHwConfig("tiny"));
    const Region& params = b.FindRegion("params");
    const Region& out = b.FindRegion("output");
    std::set<double> mults;
    std::set<int32_t> biases, zps;
    for (uint64_t co = 0; co < params.bytes / isa::ChannelParamsRecord::kBytes; ++co) {
      const ref::ChannelParams p =
          ref::UnpackParams(&b.dram[params.dram_addr + co * isa::ChannelParamsRecord::kBytes]);
      mults.insert(std::ldexp(double(p.scale), -int(p.shift)));
      biases.insert(p.bias);
      zps.insert(p.zero_point);
      CHECK((p.bias >= -32 && p.bias <= 32));
      CHECK(p.scale >= 0x8000);  // 16 bits of precision
    }
    CHECK(mults.size() >
          params.bytes / isa::ChannelParamsRecord::kBytes / 2);  // the channels' own multipliers
    CHECK(biases.size() > 1);
    CHECK(zps.size() == 1);  // one output quantization
    // Both ends of the range are reached (the minimum after the ReLU is 0) and little saturates.
    const auto& r = b.reference.at("output");
    std::vector<int> v;
    for (uint8_t x : r) v.push_back(out.is_signed ? int(int8_t(x)) : int(x));
    const int lo = out.is_signed ? -128 : 0, hi = out.is_signed ? 127 : 255;
    CHECK(*std::max_element(v.begin(), v.end()) >= hi - 1);
    CHECK(*std::min_element(v.begin(), v.end()) <= lo + 1);
    CHECK(std::count(v.begin(), v.end(), hi) < int64_t(v.size() / 50 + 2));
  }
}

TEST_CASE("the rescaled add approximates (a*a_scale + b*b_scale)/out_scale + zero point within its bound",
          "[nnac]") {
  struct Case {
    LayerSpec::Rescale r;
    bool in_signed, relu, out_signed;
  };
  const Case cases[] = {
      {{0.05, 0.11, 0.15, 3}, true, false, true},        // eltwise_add_rescale
      {{0.05, 0.11, 0.08, 3}, true, false, true},        // the same into a finer output scale
      {{0.2, 0.013, 0.1, -20}, true, true, true},        // a dominates, ReLU
      {{0.0117, 0.0093, 0.02, 5}, false, false, false},  // uint8 in and out
      {{1.0, 1.0, 1.0, 0}, true, false, true},           // a plain add
      {{0.5, 1e-4, 0.7, 0}, false, true, false},         // a tiny weight for b
  };
  for (const Case& k : cases) {
    INFO("a_scale " << k.r.a_scale << " b_scale " << k.r.b_scale << " out_scale " << k.r.out_scale << " zp "
                    << k.r.zero_point);
    const RescaleProgram p = LowerRescaledAdd(k.r, k.relu, k.out_signed);
    CHECK(std::max(p.ka, p.kb) == 1 << 20);
    CHECK(p.params.bias == 0);
    CHECK(p.params.zero_point == k.r.zero_point);
    CHECK(p.simd.size() == 6);
    const RescaleAccuracy acc = MeasureRescaledAdd(k.r, p, k.in_signed, k.relu, k.out_signed);
    std::cout << std::setprecision(9) << "rescaled add " << k.r.a_scale << "/" << k.r.b_scale << " -> "
              << k.r.out_scale << " zp " << k.r.zero_point << ": ka " << p.ka << " kb " << p.kb << " scale "
              << p.params.scale << " shift " << int(p.params.shift) << ", " << acc.pairs << " pairs, "
              << acc.nearest << " round to nearest, max error " << acc.max_error_lsb << " LSB at a "
              << acc.worst_a << " b " << acc.worst_b << "\n";
    CHECK(acc.pairs == 65536);
    // The program on one lane of the SIMD model (v1 = a, v2 = b set by two movi in front, as the
    // SIMD unit pairs the rows) gives the reference operator's byte for every pair.
    CHECK_FALSE(simd::CheckProgram(p.simd));
    uint64_t differ = 0;
    const int lo = k.in_signed ? -128 : 0, hi = k.in_signed ? 127 : 255;
    ref::Tensor ta(1, 1, 1, k.in_signed), tb(1, 1, 1, k.in_signed);
    for (int va = lo; va <= hi; ++va)
      for (int vb = lo; vb <= hi; ++vb) {
        std::vector<isa::SimdInstr> lane(2);
        lane[0].op = lane[1].op = isa::SimdOp::kMovi;
        lane[0].dst = 1, lane[0].imm = uint64_t(uint32_t(va));
        lane[1].dst = 2, lane[1].imm = uint64_t(uint32_t(vb));
        lane.insert(lane.end(), p.simd.begin(), p.simd.end());
        ta.data[0] = uint8_t(va), tb.data[0] = uint8_t(vb);
        const uint8_t want =
            ref::EltwiseRescaledAdd(ta, tb, p.ka, p.kb, {p.params}, k.relu, !k.out_signed)[0];
        if (simd::RunLane(lane, va + vb, p.params) != want) ++differ;
      }
    CHECK(differ == 0);
    // Round to nearest but for the multipliers' rounding: 2^-20 on ka, kb, 2^-16 on scale.
    CHECK(acc.max_error_lsb <= 0.51);
    CHECK(acc.nearest >= acc.pairs - acc.pairs / 1000);
  }
}

TEST_CASE("bad scale and eltwise descriptions give one sentence naming file, key and value", "[nnac]") {
  CHECK(ErrorFor("t", kScaleGood) == "(no error)");
  CHECK(ErrorFor("t", kEltGood) == "(no error)");
  CHECK(ErrorFor("t", kEltGood + std::string("  rescale: {a_scale: 0.1, b_scale: 0.2, out_scale: 0.3}\n")) ==
        "(no error)");
  CHECK(ErrorFor("t", kScaleGood + std::string("  output_channels: 5\n")) ==
        "vectors/t.yaml: key 'layer.output_channels' does not apply to op scale (no weights: the output has "
        "the "
        "input's channels, height and width)");
  CHECK(ErrorFor("t", kEltGood + std::string("  kernel: 1\n")) ==
        "vectors/t.yaml: key 'layer.kernel' does not apply to op eltwise (no weights: the output has the "
        "input's "
        "channels, height and width)");
  CHECK(ErrorFor("t", kScaleGood + std::string("  eltwise: add\n")) ==
        "vectors/t.yaml: key 'layer.eltwise' applies to op eltwise only (got op scale)");
  CHECK(ErrorFor("t", kGood + std::string("  rescale: {a_scale: 1}\n")) ==
        "vectors/t.yaml: key 'layer.rescale' applies to op eltwise only (got op conv)");
  CHECK(ErrorFor("t", kScaleGood + std::string("  foo: 1\n")) ==
        "vectors/t.yaml: key 'layer.foo' is not known (known keys: op, input, output)");
  CHECK(ErrorFor("t", kEltGood + std::string("  foo: 1\n")) ==
        "vectors/t.yaml: key 'layer.foo' is not known (known keys: op, input, eltwise, rescale, output)");
  CHECK(ErrorFor("t", Replace(kEltGood, "  eltwise: add\n", "")) ==
        "vectors/t.yaml: key 'layer.eltwise' is missing");
  CHECK(ErrorFor("t", Replace(kEltGood, "eltwise: add", "eltwise: sub")) ==
        "vectors/t.yaml: key 'layer.eltwise' must be add, mul or max (got sub)");
  CHECK(ErrorFor("t", Replace(kEltGood, "eltwise: add", "eltwise: [add]")) ==
        "vectors/t.yaml: key 'layer.eltwise' must be a string (got [add])");
  CHECK(ErrorFor("t", Replace(kEltGood, "eltwise: add", "eltwise: mul") + "  rescale: {a_scale: 1}\n") ==
        "vectors/t.yaml: key 'layer.rescale' applies to eltwise add only (got eltwise mul)");
  CHECK(ErrorFor("t", kEltGood + std::string("  rescale: 0.5\n")) ==
        "vectors/t.yaml: key 'layer.rescale' must be a map (got 0.5)");
  CHECK(ErrorFor("t", kEltGood + std::string("  rescale: {a_scale: -1, b_scale: 0.2, out_scale: 0.3}\n")) ==
        "vectors/t.yaml: key 'layer.rescale.a_scale' must be a positive number (got -1)");
  CHECK(ErrorFor("t", kEltGood + std::string("  rescale: {a_scale: 0.1, b_scale: 0.2}\n")) ==
        "vectors/t.yaml: key 'layer.rescale.out_scale' is missing");
  CHECK(ErrorFor("t",
                 kEltGood + std::string("  rescale: {a_scale: 0.1, b_scale: 0.2, out_scale: 1, zp: 1}\n")) ==
        "vectors/t.yaml: key 'layer.rescale.zp' is not known (known keys: a_scale, b_scale, out_scale, "
        "zero_point)");
  CHECK(ErrorFor("t", kEltGood +
                          std::string(
                              "  rescale: {a_scale: 0.1, b_scale: 0.2, out_scale: 1, zero_point: 200}\n")) ==
        "vectors/t.yaml: key 'layer.rescale.zero_point' must be an integer -128..127 (got 200)");
  CHECK(ErrorFor("t", Replace(kEltGood, "output: {signed: true, relu: false}", "output: {signed: false}") +
                          "  rescale: {a_scale: 0.1, b_scale: 0.2, out_scale: 1, zero_point: 200}\n") ==
        "(no error)");  // the 16-bit zero point holds a uint8 output's
  CHECK_THAT(
      ErrorFor("t", kEltGood + std::string("  rescale: {a_scale: 1, b_scale: 1e-9, out_scale: 1}\n")),
      Catch::StartsWith("vectors/t.yaml: key 'layer.rescale' has no program (a_scale / b_scale = 1e+09 is "
                        "outside [2^-21, 2^21]"));
  CHECK(ErrorFor("t", Replace(kScaleGood, "relu: false}", "relu: false, activation: {kind: relu}}")) ==
        "vectors/t.yaml: key 'layer.output.activation' does not apply to op scale (its output keys are "
        "signed and "
        "relu)");
  CHECK(ErrorFor("t", Replace(kEltGood, "relu: false}", "relu: false, pool: {op: max, size: 2}}")) ==
        "vectors/t.yaml: key 'layer.output.pool' does not apply to op eltwise (its output keys are signed "
        "and relu)");
  CHECK(ErrorFor("t", Replace(kScaleGood, "relu: false}", "relu: 3}")) ==
        "vectors/t.yaml: key 'layer.output.relu' must be true or false (got 3)");
  CHECK_THAT(ErrorFor("t", Replace(kEltGood, "channels: 5, height: 6, width: 7",
                                   "channels: 64, height: 100, width: 100")),
             Catch::StartsWith("vectors/t.yaml: key 'layer' needs ") && Catch::Contains("(input 2 x 640000"));
}

TEST_CASE("frames in rotating buffers: the flags leave no race, and a missing flag is reported",
          "[nnac][race]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  TestSpec spec = ParseTestFile(FindTest("conv3x3_c3", kVectors));
  // Drops the wait_clear mask of instruction `index` and reruns the golden model.
  auto race_without_wait_clear = [&](const Bundle& b, uint32_t index) {
    isa::DecodedProgram prog = isa::DecodeProgram(b.ProgramBytes());
    isa::Instruction& in = prog.instrs.at(index);
    uint64_t& mask = in.IsDma() ? in.dma.wait_clear : in.compute.wait_clear;
    REQUIRE(mask != 0);
    mask = 0;
    Bundle broken = b;
    const auto words = isa::EncodeInstruction(in);
    std::copy(words.begin(), words.end(),
              broken.dram.begin() + long(b.prog_dram_addr + in.word * isa::kWordBytes));
    EventRecorder rec;
    return GoldenModel(cfg).Run(broken, rec).race;
  };
  for (uint32_t frames = 1; frames <= 5; ++frames)
    for (uint32_t buffers = 1; buffers <= std::min(frames, kMaxBuffers); ++buffers) {
      INFO(frames << " frames in " << buffers << " buffers");
      spec.frames = frames, spec.buffers = buffers;
      const Bundle b = BuildTest(spec, cfg);
      GoldenMatchesReference(b, cfg);
      if (frames == buffers) continue;
      // Frame `buffers` reloads buffer 0 (the DMA_READ after the first compute instruction) and its
      // compute instruction overwrites output buffer 0 (wait_clear of out_full).
      const auto prog = isa::DecodeProgram(b.ProgramBytes());
      const uint32_t first_compute = 2 + buffers, reload = first_compute + 1;
      REQUIRE(prog.instrs[reload].opcode == isa::Opcode::kDmaRead);
      CHECK_THAT(
          race_without_wait_clear(b, reload),
          Catch::Contains("instruction " + std::to_string(reload) + " (dma_read) writes rows") &&
              Catch::Contains("instruction " + std::to_string(first_compute) + " (conv) reads the input") &&
              Catch::Contains("no dependency flag orders them"));
      uint32_t reuse = 0;  // the compute instruction of frame `buffers`
      for (uint32_t i = 0, seen = 0; i < prog.instrs.size(); ++i)
        if (!prog.instrs[i].IsDma() && seen++ == buffers) reuse = i;
      CHECK_THAT(race_without_wait_clear(b, reuse),
                 Catch::Contains("(conv) writes the output") && Catch::Contains("(dma_write) reads rows"));
    }
}

TEST_CASE("bad frames and buffers give one sentence naming file, key and value", "[nnac]") {
  CHECK(ErrorFor("t", std::string(kGood) + "frames: 0\n") ==
        std::string("vectors/t.yaml: key 'frames' must be an integer 1..64 (got 0)"));
  CHECK_THAT(ErrorFor("t", std::string(kGood) + "frames: 2\nbuffers: 3\n"),
             Catch::EndsWith("key 'buffers' must be at most frames 2 (got 3)"));
  CHECK_THAT(
      ErrorFor("t",
               "name: t\ndoc: \"a\"\nseed: 1\nframes: 2\nlayer:\n  op: global_avg_pool\n"
               "  input: {channels: 3, height: 4, width: 4, signed: true}\n"),
      Catch::EndsWith("key 'frames' must be 1 for op global_avg_pool (several frames are built for conv, "
                      "deconv and inner_product; got 2)"));
}

TEST_CASE("plane padding moves consecutive planes off the banks the previous request used", "[nnac]") {
  for (const char* config : {"tiny", "fsd"}) {
    const HwConfig& cfg = FindHwConfig(config);
    TestSpec spec = ParseTestFile(FindTest("conv1x1_small", kVectors));
    // Planes of 64x64 bytes: a whole number of rows of banks on both configurations.
    spec.layer.in_c = 16, spec.layer.in_h = spec.layer.in_w = 64, spec.layer.out_c = 16;
    for (const bool pad : {false, true}) {
      INFO(config << (pad ? " padded" : " dense"));
      spec.plane_padding = pad;
      const Bundle b = BuildTest(spec, cfg);
      const auto prog = isa::DecodeProgram(b.ProgramBytes());
      const isa::ComputeInstr& c = prog.instrs[3].compute;
      const uint64_t row_of_banks = cfg.sram_banks * cfg.sram_bank_word_bytes;
      if (!pad) {
        CHECK(c.in_plane_stride == 4096);
        CHECK(c.out_plane_stride == 4096);
      } else {
        // The next plane starts at least the request's words (N bytes) past the banks of this one.
        const uint64_t words = cfg.array_cols / cfg.sram_bank_word_bytes + 1;
        for (uint64_t stride : {c.in_plane_stride, c.out_plane_stride}) {
          const uint64_t shift = stride % row_of_banks / cfg.sram_bank_word_bytes;
          CHECK(shift >= words);
          CHECK(cfg.sram_banks - shift >= words);
        }
        CHECK(prog.instrs[0].dma.sram_stride == c.in_plane_stride);  // the input lands padded
        CHECK(prog.instrs[0].dma.dram_stride == 4096);               // from dense DRAM
        CHECK(prog.instrs[4].dma.sram_stride == c.out_plane_stride);
      }
      GoldenMatchesReference(b, cfg);
    }
  }
}

TEST_CASE("an input tile is one 3-D DMA from the whole tensor, and the layer computes on the window",
          "[nnac]") {
  for (const char* config : {"tiny", "fsd"}) {
    INFO(config);
    const HwConfig& cfg = FindHwConfig(config);
    const TestSpec spec = ParseTestFile(FindTest("conv3x3_tile", kVectors));
    REQUIRE(spec.layer.in_tile);
    const LayerSpec::Tile t = *spec.layer.in_tile;
    const Bundle b = BuildTest(spec, cfg);
    const auto prog = isa::DecodeProgram(b.ProgramBytes());
    REQUIRE_FALSE(prog.error);
    const isa::Instruction& in = prog.instrs[0];
    const isa::ComputeInstr& c = prog.instrs[3].compute;
    const Region& whole = b.FindRegion("input");
    CHECK(whole.shape == std::vector<uint32_t>{spec.layer.in_c, t.height, t.width});
    REQUIRE(in.dma.planes_word == 1);
    CHECK(in.words == 2);
    CHECK(isa::DmaPlanes(in) == spec.layer.in_c);
    CHECK(in.dma.rows == spec.layer.in_h);
    CHECK(in.dma.row_bytes == spec.layer.in_w);
    CHECK(in.dma.dram_stride == t.width);
    CHECK(in.planes.dram_plane_stride == uint64_t(t.height) * t.width);
    CHECK(in.dma.dram_addr == whole.dram_addr + uint64_t(t.top) * t.width + t.left);
    CHECK(in.dma.sram_addr == c.in_addr);
    CHECK(in.planes.sram_plane_stride == c.in_plane_stride);
    // The SRAM input after the DMA is the window of the whole tensor.
    const EventRecorder rec = GoldenMatchesReference(b, cfg);
    std::vector<uint8_t> sram(cfg.sram_bytes, 0);
    for (const auto& e : rec.dma_writes)
      if (e.instr == 0) std::copy(e.bytes.begin(), e.bytes.end(), sram.begin() + e.addr);
    size_t bad = 0;
    for (uint64_t ch = 0; ch < spec.layer.in_c; ++ch)
      for (uint64_t y = 0; y < spec.layer.in_h; ++y)
        for (uint64_t x = 0; x < spec.layer.in_w; ++x)
          bad += sram[c.in_addr + ch * c.in_plane_stride + y * c.in_row_stride + x] !=
                 b.dram[whole.dram_addr + (ch * t.height + t.top + y) * t.width + t.left + x];
    CHECK(bad == 0);
  }
}

TEST_CASE("a bad input tile gives one sentence naming file, key and value", "[nnac]") {
  const std::string head =
      "name: t\ndoc: \"a\"\nseed: 1\nlayer:\n  op: conv\n  output_channels: 4\n  kernel: 3\n";
  CHECK_THAT(
      ErrorFor(
          "t",
          head +
              "  input: {channels: 3, height: 8, width: 8, tile: {height: 10, width: 9, top: 3, left: 0}}\n"),
      Catch::EndsWith("key 'layer.input.tile.top' must be an integer 0..2 (got 3)"));
  CHECK_THAT(
      ErrorFor(
          "t",
          head +
              "  input: {channels: 3, height: 8, width: 8, tile: {height: 7, width: 9, top: 0, left: 0}}\n"),
      Catch::EndsWith("key 'layer.input.tile.height' must be an integer 8..65535 (got 7)"));
  CHECK_THAT(
      ErrorFor("t",
               head + "  input: {channels: 3, height: 8, width: 8, tile: {height: 9, width: 9, top: 0}}\n"),
      Catch::EndsWith("key 'layer.input.tile.left' is missing"));
  CHECK_THAT(ErrorFor("t",
                      "name: t\ndoc: \"a\"\nseed: 1\nframes: 2\nlayer:\n  op: conv\n  output_channels: 4\n"
                      "  kernel: 3\n  input: {channels: 3, height: 8, width: 8, tile: {height: 9, width: 9, "
                      "top: 0, left: 0}}\n"),
             Catch::EndsWith(
                 "key 'layer.input.tile' cannot be combined with several frames (a tile is built for one "
                 "input tensor and one frame)"));
}

TEST_CASE(
    "exact vectors: the exact program on the model equals onnxruntime's formula, and half-up rounding fails",
    "[nnac][exact]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  for (const char* name :
       {"exact_conv3x3_relu", "exact_conv3x3_uint8_zp200", "exact_conv1x1_ties", "exact_inner_product"}) {
    INFO(name);
    TestSpec spec = ParseTestFile(FindTest(name, kVectors));
    REQUIRE(spec.layer.requant == ref::RequantMode::kExact);
    const LayerPlan plan = PlanLayer(spec, cfg);
    CHECK(plan.layer().simd == ExactRequantProgram(spec.layer.relu, spec.layer.out_signed));
    CHECK(plan.layer().simd.size() == (spec.layer.relu ? 11u : 10u));
    const Bundle good = BuildTest(spec, cfg);
    GoldenMatchesReference(good, cfg);
    // The reference is RequantizeExact of the exact accumulators, not the program's own run.
    const LayerData data = DrawLayerData(plan);
    const LayerQuant quant = QuantizeLayer(plan, data);
    CHECK(good.reference.at("output") == ref::Requantize(quant.acc.acc, spec.layer.out_c, quant.params,
                                                         spec.layer.relu, !spec.layer.out_signed,
                                                         ref::RequantMode::kExact));
    for (const ref::ChannelParams& p : quant.params) CHECK(p.zero_point == spec.layer.out_zero_point);
  }
  SECTION("a zero point above 127 reaches the uint8 output") {
    const Bundle b = BuildTestFile(FindTest("exact_conv3x3_uint8_zp200", kVectors), cfg);
    const auto& out = b.reference.at("output");
    CHECK(std::count(out.begin(), out.end(), uint8_t(200)) > 0);
    CHECK(*std::min_element(out.begin(), out.end()) < 200);
    CHECK(*std::max_element(out.begin(), out.end()) == 255);
  }
  SECTION("rounding half up instead of to even is caught by the reference check, on the ties only") {
    TestSpec spec = ParseTestFile(FindTest("exact_conv1x1_ties", kVectors));
    const LayerPlan plan = PlanLayer(spec, cfg);
    const LayerData data = DrawLayerData(plan);
    const LayerQuant quant = QuantizeLayer(plan, data);
    uint64_t ties = 0;  // products exactly on .5 whose even neighbour is the lower one
    for (size_t i = 0; i < quant.acc.acc.size(); ++i) {
      const ref::ChannelParams& p = quant.params[i / (size_t(plan.x.out_h) * plan.x.out_w)];
      const float x = float(ref::WrapAcc(quant.acc.acc[i]) + p.bias) * p.multiplier;
      if (x - std::floor(x) == 0.5f && int64_t(std::floor(x)) % 2 == 0) ++ties;
    }
    CHECK(ties >= 5);
    spec.layer.simd =
        ExactRequantProgram(spec.layer.relu, spec.layer.out_signed, ExactRounding::kHalfUpForTest);
    const Bundle bad = BuildTest(spec, cfg);
    EventRecorder rec;
    const RunResult r = GoldenModel(cfg).Run(bad, rec);
    REQUIRE(r.ok);
    const Region& o = bad.FindRegion("output");
    const std::vector<uint8_t> got(r.dram.begin() + long(o.dram_addr),
                                   r.dram.begin() + long(o.dram_addr + o.bytes));
    const auto& want = bad.reference.at("output");
    REQUIRE(got.size() == want.size());
    uint64_t off = 0;
    for (size_t i = 0; i < got.size(); ++i)
      if (got[i] != want[i]) {
        ++off;
        CHECK(int(got[i]) - int(want[i]) == 1);  // half up lands one above the even neighbour
      }
    CHECK(off > 0);
    CHECK(off <= ties);  // a tie saturated at 255 or below 0 does not show
  }
}

TEST_CASE("bad requant keys give one sentence naming file, key and value", "[nnac][exact]") {
  auto with = [](const std::string& output) { return kGood + std::string("  output: ") + output + "\n"; };
  CHECK(ErrorFor("t", with("{signed: true, requant: exact, zero_point: -3}")) == "(no error)");
  CHECK(ErrorFor("t", with("{requant: ort}")) ==
        "vectors/t.yaml: key 'layer.output.requant' must be fused or exact (got ort)");
  CHECK(ErrorFor("t", with("{signed: false, zero_point: 256}")) ==
        "vectors/t.yaml: key 'layer.output.zero_point' must be an integer 0..255 (got 256)");
  CHECK(ErrorFor("t", with("{signed: true, zero_point: -129}")) ==
        "vectors/t.yaml: key 'layer.output.zero_point' must be an integer -128..127 (got -129)");
  CHECK(ErrorFor("t", with("{multiplier: 0.5}")) ==
        "vectors/t.yaml: key 'layer.output.multiplier' applies to requant exact only (FUSED_RELU has a scale "
        "and shift)");
  CHECK(ErrorFor("t", with("{requant: exact, multiplier: 1e39}")) ==
        "vectors/t.yaml: key 'layer.output.multiplier' must be a positive float32 number (got 1e39)");
  CHECK(ErrorFor("t", with("{requant: exact, activation: {kind: relu, in_scale: 1, out_scale: 1}}")) ==
        "vectors/t.yaml: key 'layer.output.activation' cannot be given with requant exact (the exact program "
        "is "
        "the layer's)");
}

TEST_CASE("the fused mode's difference from the exact reference is measured per layer", "[nnac][exact]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  const RequantDifference d = FusedAgainstExact(ParseTestFile(FindTest("conv3x3_unsigned", kVectors)), cfg);
  CHECK(d.outputs == 16u * 14 * 14);
  CHECK(d.max_error <= 1);  // a 16-bit multiplier is off by at most one step
  CHECK_THROWS_WITH(FusedAgainstExact(ParseTestFile(FindTest("act_sigmoid", kVectors)), cfg),
                    Catch::Contains("has no fused-or-exact choice"));
}

TEST_CASE("lut vectors: the program ends in LUT, its table follows the parameters, the model applies it",
          "[nnac][lut]") {
  for (const char* name : {"conv3x3_lut", "exact_conv3x3_lut"}) {
    const TestSpec spec = ParseTestFile(FindTest(name, kVectors));
    REQUIRE(spec.lut_random);
    CHECK(spec.layer.lut.empty());  // drawn by BuildTest, not by the parser
    const std::vector<uint8_t> table = SeededLut(spec.seed);
    REQUIRE(table.size() == isa::kLutBytes);
    for (const char* config : {"tiny", "fsd"}) {
      INFO(name << " on " << config);
      const HwConfig& cfg = FindHwConfig(config);
      const Bundle b = BuildTestFile(FindTest(name, kVectors), cfg);
      const auto prog = isa::DecodeProgram(b.ProgramBytes());
      REQUIRE_FALSE(prog.error);
      const isa::Instruction& conv = prog.instrs[3];
      REQUIRE(conv.opcode == isa::Opcode::kConv);
      CHECK(conv.simd.back() == isa::SimdInstr(LutInstr(spec.layer.out_signed)));
      CHECK(isa::Disassemble(conv).find(spec.layer.out_signed ? "; lut dtype=i8" : "; lut dtype=u8") !=
            std::string::npos);
      // The params region: out_c records, then the table, at param_addr + 16 * out_c in SRAM.
      const Region& params = b.FindRegion("params");
      const uint64_t records = conv.compute.out_c * isa::ChannelParamsRecord::kBytes;
      CHECK(params.bytes == records + isa::kLutBytes);
      CHECK(std::vector<uint8_t>(b.dram.begin() + long(params.dram_addr + records),
                                 b.dram.begin() + long(params.dram_addr + params.bytes)) == table);
      GoldenMatchesReference(b, cfg);
      // The reference is the table of the program's byte before the LUT: most entries are reached.
      const auto& ref = b.reference.at("output");
      CHECK(std::set<uint8_t>(ref.begin(), ref.end()).size() >= 128);
      // The same bundle with another table gives other outputs in the golden model.
      Bundle other = b;
      other.dram[params.dram_addr + records + table.size() / 2] ^= 0xFF;
      for (size_t i = 0; i < table.size(); ++i) other.dram[params.dram_addr + records + i] ^= 0x01;
      EventRecorder rec;
      const RunResult r = GoldenModel(cfg).Run(other, rec);
      REQUIRE(r.ok);
      const Region& out = b.FindRegion("output");
      CHECK(std::vector<uint8_t>(r.dram.begin() + long(out.dram_addr),
                                 r.dram.begin() + long(out.dram_addr + out.bytes)) != ref);
    }
  }
}

TEST_CASE("a bad lut gives one sentence naming file, key and value", "[nnac][lut]") {
  auto with = [](const std::string& output) { return kGood + std::string("  output: ") + output + "\n"; };
  CHECK(ErrorFor("t", with("{signed: true, lut: random}")) == "(no error)");
  CHECK(ErrorFor("t", with("{lut: ramp}")) ==
        "vectors/t.yaml: key 'layer.output.lut' must be random (got ramp)");
  // The lowering's checks, on a parsed layer whose table and program disagree.
  TestSpec spec = ParseTestFile(FindTest("conv3x3_lut", kVectors));
  spec.lut_random = false;
  const HwConfig& cfg = FindHwConfig("tiny");
  auto error = [&](const TestSpec& s) -> std::string {
    try {
      BuildTest(s, cfg);
    } catch (const CompileError& e) {
      return e.what();
    }
    return "(no error)";
  };
  TestSpec short_table = spec;
  short_table.layer.lut.assign(255, 0);
  CHECK(error(short_table) ==
        "vectors/conv3x3_lut.yaml: key 'layer.output.lut' has 255 bytes; a LUT table has 256");
  TestSpec no_table = spec;
  no_table.layer.simd = {FusedReluInstr(false, true), LutInstr(true)};
  CHECK(error(no_table) ==
        "vectors/conv3x3_lut.yaml: key 'layer.simd' has a lut instruction but the layer has no table "
        "(layer.output.lut)");
  TestSpec no_lut = spec;
  no_lut.layer.simd = {FusedReluInstr(false, true)};
  no_lut.layer.lut.assign(256, 0);
  CHECK(error(no_lut) ==
        "vectors/conv3x3_lut.yaml: key 'layer.output.lut' is given but the layer's program has no lut "
        "instruction");
}
