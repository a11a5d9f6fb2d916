#include "coverage/functional_coverage.h"

#include <catch2/catch.hpp>
#include <stdexcept>

namespace nna::coverage {
namespace {

isa::Instruction Dma(isa::Opcode op, uint64_t row_bytes, uint64_t done_set, uint64_t wait_set = 0) {
  isa::Instruction in;
  in.opcode = in.dma.opcode = op;
  in.dma.rows = 2, in.dma.row_bytes = row_bytes;
  in.dma.done_set = done_set, in.dma.wait_set = wait_set;
  return in;
}

TEST_CASE("functional coverage: every opcode and error code of the spec is a bin, unknown bins are refused") {
  const HwConfig& cfg = FindHwConfig("tiny");
  FunctionalCoverage cov(cfg);
  for (uint64_t raw = 0; raw < 256; ++raw) {
    if (isa::IsOpcode(raw)) CHECK(cov.count("opcode", isa::ToString(isa::Opcode(raw))) == 0);
    if (isa::IsErrorCode(raw)) CHECK(cov.count("error", isa::ToString(isa::ErrorCode(raw))) == 0);
  }
  CHECK_THROWS_AS(cov.Count("opcode", "no_such_opcode"), std::logic_error);
  const std::string yaml = cov.Yaml();
  CHECK(yaml.find("\nopcode:\n  dma_read: 0\n") != std::string::npos);
  CHECK(yaml.find("row_bytes_mod_bus_" + std::to_string(cfg.axi_data_bytes - 1) + ": 0") !=
        std::string::npos);
}

TEST_CASE("functional coverage: DMA classes and which queue set the flag an instruction waits on") {
  const HwConfig& cfg = FindHwConfig("tiny");
  FunctionalCoverage cov(cfg);
  cov.BeginProgram();
  cov.Executed(Dma(isa::Opcode::kDmaRead, cfg.axi_data_bytes + 3, 0x1));
  isa::Instruction conv;
  conv.opcode = conv.compute.opcode = isa::Opcode::kConv;
  conv.compute.wait_set = 0x1, conv.compute.done_set = 0x2;
  conv.compute.kernel_h = conv.compute.kernel_w = 3, conv.compute.stride_h = conv.compute.stride_w = 1;
  conv.compute.groups = 1, conv.compute.group_out_c = cfg.array_rows;
  cov.Executed(conv);
  cov.Executed(Dma(isa::Opcode::kDmaWrite, 5, 0, 0x2));
  cov.Ended(isa::ErrorCode::kNone);
  CHECK(cov.count("opcode", "dma_read") == 1);
  CHECK(cov.count("dma", "row_bytes_mod_bus_3") == 1);
  CHECK(cov.count("dma", "read_2d") == 1);
  CHECK(cov.count("flags", "wait_set_dma_to_compute") == 1);
  CHECK(cov.count("flags", "wait_set_compute_to_dma") == 1);
  CHECK(cov.count("flags", "wait_set_dma_to_dma") == 0);
  CHECK(cov.count("kernel", "3") == 1);
  CHECK(cov.count("shape", "group_out_c_equal_rows") == 1);
  CHECK(cov.count("error", "none") == 1);
  // A new program starts with its flags clear: the same wait finds no setter.
  cov.BeginProgram();
  cov.Executed(conv);
  CHECK(cov.count("flags", "wait_set_dma_to_compute") == 1);
}

}  // namespace
}  // namespace nna::coverage
