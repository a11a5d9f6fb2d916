#include "perf/perf_model.h"

namespace nna::perf {

uint64_t Macs(const isa::ComputeInstr& in) {
  switch (in.opcode) {
    case isa::Opcode::kConv:
    case isa::Opcode::kInnerProduct:
      return in.out_h * in.out_w * in.out_c * in.dot_len;
    case isa::Opcode::kDeconv:
      return in.in_h * in.in_w * in.in_c * in.group_out_c * in.kernel_h * in.kernel_w;
    default:
      return 0;
  }
}

double Utilization(const HwConfig& cfg, uint64_t macs, uint64_t cycles) {
  return cycles ? double(macs) / (double(cycles) * double(cfg.array_rows) * double(cfg.array_cols)) : 0.0;
}

Prediction Predict(const HwConfig& cfg, const isa::ComputeInstr& in, const std::vector<isa::SimdInstr>&) {
  (void)cfg;
  Prediction p;
  p.macs = Macs(in);
  p.terms = in.pix_tiles * in.ch_tiles * in.dot_len;
  p.cycles[isa::ComputeCycle::kMac] = p.terms;
  return p;
}

}  // namespace nna::perf
