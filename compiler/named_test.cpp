#include "compiler/named_test.h"

#include "compiler/compiler.h"
#include "compiler/random_layer.h"

namespace nna::compiler {

Bundle CompileNamedTest(const std::string& name, const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                        std::optional<uint64_t> seed, const Placement& at) {
  if (name == kRandomTestName) {
    if (!seed) throw CompileError("test 'random' draws its layer from a seed: give one (make sim TEST=random SEED=n)");
    return Compile(RandomTestSpec(*seed, cfg), cfg, at);
  }
  if (name == kRandomSimdTestName) {
    if (!seed)
      throw CompileError(
          "test 'random_simd' draws its layer and SIMD program from a seed: give one (make sim "
          "TEST=random_simd SEED=n)");
    return Compile(RandomSimdTestSpec(*seed, cfg), cfg, at);
  }
  return CompileTestFile(FindTest(name, vectors_dir), cfg, seed, at);
}

}  // namespace nna::compiler
