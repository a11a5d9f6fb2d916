// What a test name means: vectors/<name>.yaml, or a generated test drawn from a seed (`random`,
// `random_simd`).
// The testbench (`make sim TEST=...`) and nnac resolve names here, so both accept the same ones.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "bundle/bundle.h"
#include "compiler/compiler.h"
#include "nna/configs.h"

namespace nna::compiler {

// The name that draws a layer from the seed (compiler/random_layer.h) instead of reading a file.
inline constexpr const char* kRandomTestName = "random";
// The name that draws a layer and a random SIMD program from the seed (RandomSimdTestSpec).
inline constexpr const char* kRandomSimdTestName = "random_simd";

// Compiles test `name` for `cfg`. For the generated tests the seed is required and picks the test;
// otherwise it overrides the description's data seed. Throws CompileError (one sentence).
Bundle CompileNamedTest(const std::string& name, const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                        std::optional<uint64_t> seed, const Placement& at = {});

}  // namespace nna::compiler
