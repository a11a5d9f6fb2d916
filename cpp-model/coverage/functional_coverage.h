// Functional coverage bins (docs/coverage.md): what the golden model executed, counted by class.
// Every bin exists from construction with count 0, so that a run's file lists the unhit ones too.
// Bins whose values come from spec/isa.yaml (opcodes, pool and eltwise ops, orders, SIMD ops,
// dtypes, error codes) are enumerated from the generated headers: a new value is a new bin.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "isa/program.h"
#include "nna/configs.h"
#include "nna/isa.h"

namespace nna::coverage {

class FunctionalCoverage {
 public:
  explicit FunctionalCoverage(const HwConfig& config);

  // The golden model's hooks: a program starts (its flags clear), an instruction has executed,
  // the program ended (kNone: without error).
  void BeginProgram();
  void Executed(const isa::Instruction& in);
  void Ended(isa::ErrorCode code);

  // Adds n to bin "<group>.<name>"; an unknown bin is a programming error (std::logic_error).
  void Count(const std::string& group, const std::string& name, uint64_t n = 1);
  uint64_t count(const std::string& group, const std::string& name) const;

  // Every group and bin with its count, in declaration order, as YAML (group: {bin: count}).
  std::string Yaml() const;

 private:
  enum Queue : uint8_t { kInitial, kDma, kCompute };
  void Declare(const std::string& group, const std::string& name);
  void Dma(const isa::Instruction& in);
  void Dot(const isa::ComputeInstr& c);
  void Pool(const isa::ComputeInstr& c);
  void Simd(const std::vector<isa::SimdInstr>& program);
  void Flags(const isa::Instruction& in);

  const HwConfig& config_;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, uint64_t>>>> groups_;
  std::map<std::string, uint64_t*> index_;  // "<group>.<name>" -> its count
  // Per flag, the queue whose instruction last set it and last cleared it in this program.
  std::array<Queue, 16> set_by_{}, cleared_by_{};
};

}  // namespace nna::coverage
