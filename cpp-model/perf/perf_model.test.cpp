#include "perf/perf_model.h"

#include <catch2/catch.hpp>

using nna::isa::ComputeCycle;

TEST_CASE("MACs of a convolution") {
  nna::isa::ComputeInstr in;
  in.opcode = nna::isa::Opcode::kConv;
  in.out_h = 4, in.out_w = 5, in.out_c = 6, in.dot_len = 7;
  CHECK(nna::perf::Macs(in) == 4 * 5 * 6 * 7);
}
