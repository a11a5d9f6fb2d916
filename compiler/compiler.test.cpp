#include "compiler/compiler.h"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "golden/golden_model.h"
#include "isa/program.h"

using namespace nna;
using namespace nna::compiler;
namespace fs = std::filesystem;

namespace {

const fs::path kVectors = NNA_VECTORS_DIR;

// Writes vectors/<name>.yaml in a scratch folder and returns the error CompileTestFile gives.
std::string ErrorFor(const std::string& name, const std::string& text, const char* config = "tiny") {
  const fs::path dir = fs::temp_directory_path() / ("nnac_test_" + std::to_string(::getpid())) / "vectors";
  fs::create_directories(dir);
  const fs::path file = dir / (name + ".yaml");
  std::ofstream(file) << text;
  try {
    CompileTestFile(file, FindHwConfig(config));
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

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("every vector compiles for both configurations and the model matches the reference", "[nnac]") {
  const auto names = KnownTests(kVectors);
  REQUIRE(names.size() >= 4);
  for (const auto& name : names) {
    for (const char* config : {"tiny", "fsd"}) {
      INFO(name << " on " << config);
      const HwConfig& cfg = FindHwConfig(config);
      const Bundle b = CompileTestFile(FindTest(name, kVectors), cfg);
      CHECK(b.test == name);
      CHECK(b.config == config);
      const Region& out = b.FindRegion("output");
      const auto& ref = b.reference.at("output");
      REQUIRE(ref.size() == out.bytes);
      // Quantization uses the output range: neither all zero nor all saturated.
      const uint8_t sat = out.is_signed ? 127 : 255;
      const auto nonzero = std::count_if(ref.begin(), ref.end(), [](uint8_t v) { return v != 0; });
      const auto saturated = std::count(ref.begin(), ref.end(), sat);
      CHECK(nonzero > int64_t(ref.size() / 4));
      CHECK(saturated < int64_t(ref.size() / 4));
      CHECK(saturated >= 1);  // the channel maxima reach the top of the range

      const auto prog = isa::DecodeProgram(b.ProgramBytes());
      REQUIRE_FALSE(prog.error);
      REQUIRE(prog.instrs.size() == 5);
      REQUIRE(b.instrs.size() == 5);
      CHECK(b.instrs[3].op == "conv");
      CHECK(b.instrs[3].text == isa::Disassemble(prog.instrs[3]));
      const auto& c = prog.instrs[3].compute;
      CHECK(b.macs == c.out_h * c.out_w * c.out_c * c.dot_len);
      CHECK(prog.instrs[0].dma.rows > 1);  // 2-D input DMA

      EventRecorder rec;
      const RunResult r = GoldenModel(cfg).Run(b, rec);
      REQUIRE(r.ok);
      const std::vector<uint8_t> got(r.dram.begin() + long(out.dram_addr),
                                     r.dram.begin() + long(out.dram_addr + out.bytes));
      CHECK(got == ref);
      CHECK(rec.acc_unloads.size() == c.pix_tiles * c.out_c);
    }
  }
}

TEST_CASE("conv3x3 has several sections and channel tiles on fsd and fits tiny", "[nnac]") {
  const Bundle fsd = CompileTestFile(FindTest("conv3x3", kVectors), FindHwConfig("fsd"));
  const auto c = isa::DecodeProgram(fsd.ProgramBytes()).instrs.at(3).compute;
  CHECK(c.pix_tiles == 7);  // 672 pixels / 96
  CHECK(c.ch_tiles == 2);   // 192 / 96
  CHECK(c.dot_len == 900);
  CHECK(c.wt_tile_bytes == 900 * 96);
  const Bundle tiny = CompileTestFile(FindTest("conv3x3", kVectors), FindHwConfig("tiny"));
  CHECK(tiny.reference.at("output") == fsd.reference.at("output"));  // same data, same result
}

TEST_CASE("the seed changes the data and the file's seed is the default", "[nnac]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  const fs::path f = FindTest("conv1x1_small", kVectors);
  const Bundle a = CompileTestFile(f, cfg);
  const Bundle b = CompileTestFile(f, cfg, 2);  // the file says seed 2
  const Bundle c = CompileTestFile(f, cfg, 77);
  CHECK(a.dram == b.dram);
  CHECK(a.dram != c.dram);
}

TEST_CASE("a compiled bundle survives the bundle folder", "[nnac]") {
  const Bundle b = CompileTestFile(FindTest("conv3x3_stride2", kVectors), FindHwConfig("tiny"));
  const fs::path dir = fs::temp_directory_path() / ("nnac_test_bundle_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  WriteBundle(b, dir);
  const Bundle r = ReadBundle(dir);
  CHECK(r.dram == b.dram);
  CHECK(r.reference == b.reference);
  CHECK(r.instrs.size() == b.instrs.size());
  CHECK(r.instrs[3].text == b.instrs[3].text);
}

TEST_CASE("bad test descriptions give one sentence naming file, key and value", "[nnac]") {
  CHECK(ErrorFor("t", kGood) == "(no error)");
  SECTION("unknown key") {
    CHECK(ErrorFor("t", Replace(kGood, "  kernel:", "  kernal: 3\n  kernel:")) ==
          "vectors/t.yaml: key 'layer.kernal' is not known (known keys: op, input, output_channels, kernel, stride, "
          "dilation, padding, weights_signed, output, order)");
  }
  SECTION("wrong type") {
    CHECK(ErrorFor("t", Replace(kGood, "signed: true", "signed: maybe")) ==
          "vectors/t.yaml: key 'layer.input.signed' must be true or false (got maybe)");
    CHECK(ErrorFor("t", Replace(kGood, "[3, 3]", "[3, x]")) ==
          "vectors/t.yaml: key 'layer.kernel' must be an integer 1..255 or a list [h, w] of them (got [3, x])");
    CHECK(ErrorFor("t", Replace(kGood, "channels: 3", "channels: 2.5")) ==
          "vectors/t.yaml: key 'layer.input.channels' must be an integer 1..65535 (got 2.5)");
  }
  SECTION("missing key") {
    CHECK(ErrorFor("t", Replace(kGood, "  output_channels: 5\n", "")) ==
          "vectors/t.yaml: key 'layer.output_channels' is missing");
    CHECK(ErrorFor("t", Replace(kGood, "seed: 1\n", "")) == "vectors/t.yaml: key 'seed' is missing");
  }
  SECTION("out of range") {
    CHECK(ErrorFor("t", Replace(kGood, "[3, 3]", "[3, 0]")) ==
          "vectors/t.yaml: key 'layer.kernel' must be an integer 1..255 or a list [h, w] of them (got [3, 0])");
    CHECK(ErrorFor("t", kGood + std::string("  padding: [1, 2, 3]\n")) ==
          "vectors/t.yaml: key 'layer.padding' must be an integer 0..255 or a list [top, bottom, left, right] of "
          "them (got [1, 2, 3])");
  }
  SECTION("name must match the file") {
    CHECK(ErrorFor("u", kGood) == "vectors/u.yaml: key 'name' must equal the file name 'u' (got 't')");
  }
  SECTION("shape that does not fit") {
    CHECK(ErrorFor("t", Replace(kGood, "[3, 3]", "[7, 3]")) ==
          "vectors/t.yaml: key 'layer.kernel' [7, 3] (with its dilation and padding) does not fit the 6x7 input: "
          "the output would be 0x5");
    const std::string big = Replace(Replace(kGood, "channels: 3, height: 6, width: 7", "channels: 64, height: 128, width: 128"),
                                    "output_channels: 5", "output_channels: 64");
    CHECK_THAT(ErrorFor("t", big), Catch::StartsWith("vectors/t.yaml: key 'layer' needs ") &&
                                       Catch::Contains("bytes of SRAM") && Catch::Contains("configuration 'tiny' has 1048576"));
    CHECK(ErrorFor("t", Replace(kGood, "output_channels: 5", "output_channels: 300")) ==
          "vectors/t.yaml: key 'layer.output_channels' must be at most simd.param_entries 256 on 'tiny' (got 300)");
  }
  SECTION("not a conv") {
    CHECK(ErrorFor("t", Replace(kGood, "op: conv", "op: pool")) ==
          "vectors/t.yaml: key 'layer.op' must be conv (the only layer this compiler knows) (got pool)");
  }
  SECTION("a value where a map belongs, and a non-scalar key") {
    CHECK(ErrorFor("t", Replace(kGood, "  input: {channels: 3, height: 6, width: 7, signed: true}", "  input: 5")) ==
          "vectors/t.yaml: key 'layer.input' must be a map (got 5)");
    CHECK_THAT(ErrorFor("t", kGood + std::string("[a]: 1\n")), Catch::StartsWith("vectors/t.yaml: "));
  }
  SECTION("bad YAML") {
    CHECK_THAT(ErrorFor("t", "name: [t\n"), Catch::StartsWith("vectors/t.yaml: not valid YAML"));
  }
}

TEST_CASE("a layer that can overflow the accumulator compiles with a warning", "[nnac]") {
  const fs::path dir = fs::temp_directory_path() / ("nnac_test_" + std::to_string(::getpid())) / "vectors";
  fs::create_directories(dir);
  std::ofstream(dir / "wide.yaml") << Replace(Replace(Replace(kGood, "name: t", "name: wide"), "[3, 3]", "1"),
                                              "channels: 3, height: 6, width: 7", "channels: 32768, height: 1, width: 1");
  std::stringstream err;
  auto* old = std::cerr.rdbuf(err.rdbuf());
  Bundle b;
  try {
    b = CompileTestFile(dir / "wide.yaml", FindHwConfig("tiny"));
  } catch (...) {
    std::cerr.rdbuf(old);
    throw;
  }
  std::cerr.rdbuf(old);
  CHECK_THAT(err.str(), Catch::Contains("warning: vectors/wide.yaml: layer can overflow the 30-bit accumulator"));
  CHECK(b.macs == 32768ull * 5);
  std::stringstream quiet;
  old = std::cerr.rdbuf(quiet.rdbuf());
  CompileTestFile(FindTest("conv3x3", kVectors), FindHwConfig("tiny"));
  std::cerr.rdbuf(old);
  CHECK(quiet.str().empty());
}

TEST_CASE("a missing test names the known ones", "[nnac]") {
  CHECK_THROWS_WITH(FindTest("nope", kVectors),
                    Catch::StartsWith("no test 'nope' in ") && Catch::Contains("(known: ") &&
                        Catch::Contains("conv1x1_small") && Catch::Contains("conv3x3,"));
  CHECK(FindTest("conv3x3", kVectors).filename() == "conv3x3.yaml");
}
