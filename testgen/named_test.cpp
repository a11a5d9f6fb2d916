#include "testgen/named_test.h"

#include <algorithm>

#include "compiler/yaml_doc.h"
#include "testgen/directed_test.h"
#include "testgen/layer_test.h"
#include "testgen/random_layer.h"

namespace nna::testgen {
namespace fs = std::filesystem;

std::vector<std::string> KnownTests(const fs::path& vectors_dir) {
  return compiler::DescriptionNames(vectors_dir);
}

fs::path FindTest(const std::string& name, const fs::path& vectors_dir) {
  const fs::path p = vectors_dir / (name + ".yaml");
  std::error_code ec;  // a name too long for the file system is just not found
  if (fs::is_regular_file(p, ec)) return p;
  // A dozen names show the spelling; all of them would make a 1000-character message.
  const auto names = KnownTests(vectors_dir);
  std::string known;
  for (size_t i = 0; i < names.size() && i < 12; ++i) known += (known.empty() ? "" : ", ") + names[i];
  if (names.size() > 12) known += ", ... (" + std::to_string(names.size()) + " tests)";
  throw compiler::CompileError("no test '" + ClipText(name) + "' in " + vectors_dir.string() +
                               " (known: " + (known.empty() ? "none" : known) + ")");
}

Bundle BuildNamedTest(const std::string& name, const fs::path& vectors_dir, const HwConfig& cfg,
                      std::optional<uint64_t> seed, const compiler::Placement& at) {
  if (name == kRandomTestName) {
    if (!seed)
      throw compiler::CompileError(
          "test 'random' draws its layer from a seed: give one (make sim TEST=random SEED=n)");
    return BuildTest(RandomTestSpec(*seed, cfg), cfg, at);
  }
  if (name == kRandomSimdTestName) {
    if (!seed)
      throw compiler::CompileError(
          "test 'random_simd' draws its layer and SIMD program from a seed: give one (make sim "
          "TEST=random_simd SEED=n)");
    return BuildTest(RandomSimdTestSpec(*seed, cfg), cfg, at);
  }
  if (name == kFlagPatternsTestName) return BuildFlagPatternsTest(vectors_dir, cfg, seed, at);
  if (name == kFlagPatternsHighTestName) return BuildFlagPatternsHighTest(vectors_dir, cfg, seed, at);
  if (name == kDmaExtremesTestName) return BuildDmaExtremesTest(cfg, seed, at);
  if (name == kLongProgramTestName) return BuildLongProgramTest(vectors_dir, cfg, seed, at);
  if (name == kSimdFpSpecialsTestName) {
    compiler::TestSpec spec = SimdFpSpecialsTestSpec();
    if (seed) spec.seed = *seed;
    return BuildTest(spec, cfg, at);
  }
  if (const std::optional<isa::Dtype> dtype = SimdIntOpsDtype(name)) {
    compiler::TestSpec spec = SimdIntOpsTestSpec(*dtype);
    if (seed) spec.seed = *seed;
    return BuildTest(spec, cfg, at);
  }
  return BuildTestFile(FindTest(name, vectors_dir), cfg, seed, at);
}

std::vector<Bundle> BuildNamedTests(const std::vector<std::string>& names, const fs::path& vectors_dir,
                                    const HwConfig& cfg, std::optional<uint64_t> seed) {
  std::vector<Bundle> bundles;
  compiler::Placement at;
  for (const std::string& name : names) {
    bundles.push_back(BuildNamedTest(name, vectors_dir, cfg, seed, at));
    at = {bundles.back().sram_end, bundles.back().dram.size()};
  }
  return bundles;
}

}  // namespace nna::testgen
