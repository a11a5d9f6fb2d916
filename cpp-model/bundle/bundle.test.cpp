#include "bundle/bundle.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

using nna::Bundle;
using nna::BundleError;
namespace fs = std::filesystem;

namespace {

Bundle Sample() {
  Bundle b;
  b.test = "sample";
  b.config = "tiny";
  b.prog_dram_addr = 64;
  b.prog_sram_addr = 256;
  b.prog_words = 2;
  b.dram.resize(512);
  for (size_t i = 0; i < b.dram.size(); ++i) b.dram[i] = uint8_t(i * 7);
  b.regions.push_back({"program", "program", 64, 64, {}, false});
  b.regions.push_back({"input", "input", 128, 60, {3, 4, 5}, true});
  b.regions.push_back({"output", "output", 256, 24, {2, 3, 4}, false});
  b.reference["output"] = std::vector<uint8_t>(24, 0xA5);
  b.instrs.push_back({0, "dma_read", "layer0", "dma_read sram_addr=0x40 rows=1"});
  b.instrs.push_back({1, "conv", "layer0", "conv simd_len=1; fused_relu flags=1"});
  b.macs = 1234;
  return b;
}

fs::path TempDir(const std::string& name) {
  const fs::path p =
      fs::temp_directory_path() / ("nna_bundle_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p;
}

std::string ErrorOf(const fs::path& dir) {
  try {
    nna::ReadBundle(dir);
  } catch (const BundleError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("WriteBundle then ReadBundle gives the same bundle", "[bundle]") {
  const Bundle b = Sample();
  const fs::path dir = TempDir("roundtrip");
  nna::WriteBundle(b, dir);
  const Bundle r = nna::ReadBundle(dir);
  CHECK(r.test == b.test);
  CHECK(r.config == b.config);
  CHECK(r.prog_dram_addr == 64);
  CHECK(r.prog_sram_addr == 256);
  CHECK(r.prog_words == 2);
  CHECK(r.dram == b.dram);
  CHECK(r.macs == 1234);
  REQUIRE(r.regions.size() == 3);
  CHECK(r.regions[1].shape == std::vector<uint32_t>{3, 4, 5});
  CHECK(r.regions[1].is_signed);
  CHECK(r.FindRegion("output").bytes == 24);
  CHECK(r.reference.at("output") == b.reference.at("output"));
  REQUIRE(r.instrs.size() == 2);
  CHECK(r.instrs[1].text == b.instrs[1].text);
  CHECK(r.ProgramBytes() == std::vector<uint8_t>(b.dram.begin() + 64, b.dram.begin() + 128));
  CHECK(fs::exists(dir / "program.lst"));
  CHECK_THROWS_WITH(r.FindRegion("nope"), Catch::Contains("known: program, input, output"));
}

TEST_CASE("ReadBundle names what is missing or wrong", "[bundle]") {
  const fs::path dir = TempDir("bad");
  SECTION("no folder") { CHECK_THAT(ErrorOf(dir), Catch::Contains("does not exist")); }
  SECTION("missing reference file") {
    nna::WriteBundle(Sample(), dir);
    fs::remove(dir / "ref_output.bin");
    CHECK_THAT(ErrorOf(dir), Catch::Contains("ref_output.bin is missing"));
  }
  SECTION("short DRAM image") {
    nna::WriteBundle(Sample(), dir);
    fs::resize_file(dir / "dram.bin", 100);
    CHECK_THAT(ErrorOf(dir), Catch::Contains("dram_bytes 512"));
  }
  SECTION("missing key") {
    nna::WriteBundle(Sample(), dir);
    std::ofstream(dir / "bundle.yaml") << "test: x\nconfig: tiny\n";
    CHECK_THAT(ErrorOf(dir), Catch::Contains("key 'prog_dram_addr' is missing"));
  }
  SECTION("bad value") {
    nna::WriteBundle(Sample(), dir);
    std::ofstream(dir / "bundle.yaml")
        << "test: x\nconfig: tiny\nprog_dram_addr: lots\nprog_sram_addr: 0\nprog_words: 1\n";
    CHECK_THAT(ErrorOf(dir),
               Catch::Contains("key 'prog_dram_addr' has a value of the wrong type (got 'lots')"));
  }
  SECTION("a file given as the folder") {
    std::ofstream(dir) << "not a bundle\n";
    CHECK_THAT(ErrorOf(dir), Catch::EndsWith(" is not a folder (a bundle is the folder nnac writes)"));
    fs::remove(dir);
  }
  SECTION("empty bundle.yaml") {
    nna::WriteBundle(Sample(), dir);
    std::ofstream(dir / "bundle.yaml", std::ios::trunc) << "# nothing\n";
    CHECK_THAT(ErrorOf(dir),
               Catch::EndsWith("bundle.yaml is empty; it must be a map with the keys test, config, "
                               "prog_dram_addr, prog_sram_addr, prog_words, dram_bytes, macs, "
                               "regions and instrs"));
  }
  SECTION("bundle.yaml not a map") {
    nna::WriteBundle(Sample(), dir);
    std::ofstream(dir / "bundle.yaml", std::ios::trunc) << "- 1\n";
    CHECK_THAT(ErrorOf(dir), Catch::Contains("bundle.yaml must be a map with the keys test, config,"));
  }
  SECTION("duplicate keys") {
    nna::WriteBundle(Sample(), dir);
    std::ofstream(dir / "bundle.yaml", std::ios::app) << "prog_words: 1\n";
    CHECK_THAT(ErrorOf(dir),
               Catch::Matches(".*bundle.yaml: key 'prog_words' is given twice \\(lines [0-9]+ and "
                              "[0-9]+\\); give each key once"));
  }
  SECTION("duplicate keys in a region") {
    nna::WriteBundle(Sample(), dir);
    std::ofstream(dir / "bundle.yaml", std::ios::trunc)
        << "test: x\nregions:\n  - {name: a, kind: input,\n     name: b}\n";
    CHECK_THAT(ErrorOf(dir),
               Catch::EndsWith("bundle.yaml: key 'regions[0].name' is given twice (lines 3 and 4); "
                               "give each key once"));
  }
  SECTION("nested aliases are walked once") {
    // 40 levels of two aliases each: walking every path would take 2^40 steps.
    nna::WriteBundle(Sample(), dir);
    std::ofstream y(dir / "bundle.yaml", std::ios::trunc);
    y << "l0: &a0 [1, 2]\n";
    for (int i = 1; i <= 40; ++i) y << "l" << i << ": &a" << i << " [*a" << i - 1 << ", *a" << i - 1 << "]\n";
    y.close();
    CHECK_THAT(ErrorOf(dir), Catch::EndsWith("bundle.yaml: key 'test' is missing"));
  }
  SECTION("a huge value is clipped") {
    nna::WriteBundle(Sample(), dir);
    std::ofstream(dir / "bundle.yaml", std::ios::trunc)
        << "test: x\nconfig: tiny\nprog_dram_addr: " << std::string(1 << 20, '7') << "\n";
    const std::string e = ErrorOf(dir);
    CHECK(e.size() < 300);
    CHECK_THAT(e, Catch::EndsWith("key 'prog_dram_addr' has a value of the wrong type (got '" +
                                  std::string(80, '7') + "... (1048576 characters)')"));
  }
  SECTION("region near 2^64") {
    // 2^64 - 16 + 60 wraps to 44, inside the 512 bytes: the check must not add them.
    Bundle b = Sample();
    b.regions[1].dram_addr = ~uint64_t(0) - 15;
    nna::WriteBundle(b, dir);
    CHECK_THAT(ErrorOf(dir), Catch::EndsWith("bundle.yaml: key 'regions[1]' (region 'input') with dram_addr "
                                             "18446744073709551600 and bytes 60 runs past dram_bytes 512"));
  }
  SECTION("program near 2^64 names the program's keys") {
    Bundle b = Sample();
    b.prog_dram_addr = ~uint64_t(0) - 31;
    nna::WriteBundle(b, dir);
    CHECK_THAT(ErrorOf(dir),
               Catch::EndsWith("bundle.yaml: the program at prog_dram_addr 18446744073709551584 "
                               "with prog_words 2 (32 bytes each) runs past dram_bytes 512"));
  }
  SECTION("program start past the image names prog_dram_addr") {
    Bundle b = Sample();
    b.prog_dram_addr = 600;
    nna::WriteBundle(b, dir);
    CHECK_THAT(ErrorOf(dir), Catch::Contains("the program at prog_dram_addr 600 with prog_words 2"));
  }
  SECTION("prog_words whose byte count wraps") {
    Bundle b = Sample();
    b.prog_words = uint64_t(1) << 59;  // times 32 is 0 modulo 2^64
    nna::WriteBundle(b, dir);
    CHECK_THAT(ErrorOf(dir), Catch::Contains("with prog_words 576460752303423488 (32 bytes each) runs past"));
  }
}

TEST_CASE("ProgramBytes refuses a program past the image even when the sum wraps", "[bundle]") {
  Bundle b = Sample();
  b.prog_dram_addr = ~uint64_t(0) - 31;
  CHECK_THROWS_WITH(b.ProgramBytes(), Catch::Contains("runs past the DRAM image of 512 bytes"));
  b.prog_dram_addr = 64;
  b.prog_words = uint64_t(1) << 59;
  CHECK_THROWS_WITH(b.ProgramBytes(), Catch::Contains("runs past the DRAM image of 512 bytes"));
}
