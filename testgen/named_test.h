// What a test name means: vectors/<name>.yaml, a generated test drawn from a seed (`random`,
// `random_simd`), or a directed test (`simd_int_ops_<dtype>`, `simd_fp_specials`, `flag_patterns`,
// `flag_patterns_high`, `dma_extremes`, `long_program`:
// testgen/directed_test.h).
// nnac, nna_perf and the simulator's front door resolve names here, so all accept the same ones.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "compiler/compiler.h"
#include "nna/configs.h"

namespace nna::testgen {

// The name that draws a layer from the seed (testgen/random_layer.h) instead of reading a file.
inline constexpr const char* kRandomTestName = "random";
// The name that draws a layer and a random SIMD program from the seed (RandomSimdTestSpec).
inline constexpr const char* kRandomSimdTestName = "random_simd";

// vectors_dir/<name>.yaml; throws CompileError "no test 'x' in <dir> (known: a, b, ...)".
std::filesystem::path FindTest(const std::string& name, const std::filesystem::path& vectors_dir);

// Names of every test description in vectors_dir, sorted.
std::vector<std::string> KnownTests(const std::filesystem::path& vectors_dir);

// The bundle of test `name` for `cfg`. For the generated tests the seed is required and picks the
// test; otherwise it overrides the description's data seed. Throws CompileError (one sentence).
Bundle BuildNamedTest(const std::string& name, const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                      std::optional<uint64_t> seed, const compiler::Placement& at = {});

// The bundles of several tests, each in the SRAM and DRAM after the previous one's (docs/memory.md,
// "Several programs and frames").
std::vector<Bundle> BuildNamedTests(const std::vector<std::string>& names,
                                    const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                                    std::optional<uint64_t> seed);

}  // namespace nna::testgen
