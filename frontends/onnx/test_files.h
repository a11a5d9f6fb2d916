// Scratch files of the onnx_tests: one folder per test under the build's NNA_ONNX_TEST_OUT.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

namespace nna::onnx::test {

inline std::filesystem::path OutDir(const std::string& test) {
  const auto dir = std::filesystem::path(NNA_ONNX_TEST_OUT) / test;
  std::filesystem::create_directories(dir);
  return dir;
}

inline void WriteBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace nna::onnx::test
