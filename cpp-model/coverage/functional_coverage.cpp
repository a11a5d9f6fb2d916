#include "coverage/functional_coverage.h"

#include <stdexcept>

#include "simd/simd_program.h"

namespace nna::coverage {
namespace {

using isa::Opcode;

static_assert(isa::ComputeInstr::kMaxWaitSet == 0xFFFF && isa::DmaInstr::kMaxWaitSet == 0xFFFF,
              "one entry of set_by_ per flag");

// Every raw value the generated header accepts for an enum: the spec's list of them.
template <typename Enum, typename IsFn>
std::vector<Enum> Values(IsFn is) {
  std::vector<Enum> v;
  for (uint64_t raw = 0; raw < 256; ++raw)
    if (is(raw)) v.push_back(static_cast<Enum>(raw));
  return v;
}

// A value's class relative to a hardware size (array rows or columns).
const char* Versus(uint64_t v, uint64_t size) { return v < size ? "below" : v == size ? "equal" : "above"; }

const char* SizeClass(uint64_t v) {
  return v == 1 ? "1" : v == 2 ? "2" : v == 3 ? "3" : v <= 7 ? "4_to_7" : "8_up";
}

const char* DotLenClass(uint64_t v) {
  return v <= 16 ? "up_to_16" : v <= 256 ? "17_to_256" : v <= 4096 ? "257_to_4096" : "above_4096";
}

bool IsDotProduct(Opcode op) {
  return op == Opcode::kConv || op == Opcode::kDeconv || op == Opcode::kInnerProduct;
}

const char* kSides[] = {"top", "bottom", "left", "right"};
const char* kIntDtypes[] = {"i32", "i16", "i8", "u8"};
const char* kQueueNames[] = {"initial", "dma", "compute"};

}  // namespace

FunctionalCoverage::FunctionalCoverage(const HwConfig& config) : config_(config) {
  for (Opcode op : Values<Opcode>(isa::IsOpcode)) Declare("opcode", isa::ToString(op));
  for (const char* k : {"1", "2", "3", "4_to_7", "8_up", "non_square"}) Declare("kernel", k);
  for (const char* s : {"1", "2", "3", "4_to_7", "8_up", "non_square"}) Declare("stride", s);
  for (const char* d : {"1", "2_up"}) Declare("dilation", d);
  for (const char* side : kSides)
    for (const char* p : {"0", "1_up"}) Declare("padding", std::string(side) + "_" + p);
  for (const char* p : {"0", "1_up"}) Declare("deconv_out_pad", p);
  for (const char* g : {"one", "grouped", "depthwise"}) Declare("groups", g);
  for (isa::Order o : Values<isa::Order>(isa::IsOrder)) Declare("order", isa::ToString(o));
  for (const char* s : {"in_signed", "in_unsigned", "wt_signed", "wt_unsigned", "out_signed", "out_unsigned"})
    Declare("signedness", s);
  for (isa::PoolOp p : Values<isa::PoolOp>(isa::IsPoolOp)) Declare("pool", isa::ToString(p));
  for (const char* p :
       {"size_2", "size_3", "size_other", "stride_1", "stride_2", "stride_other", "pad_0", "pad_1_up"})
    Declare("pool", p);
  for (isa::EltwiseOp e : Values<isa::EltwiseOp>(isa::IsEltwiseOp)) Declare("eltwise", isa::ToString(e));
  // Layer shapes against the array: output channels per group vs rows, output pixels vs columns.
  for (const char* v : {"below", "equal", "above"})
    Declare("shape", std::string("group_out_c_") + v + "_rows");
  for (const char* v : {"below", "equal", "above"})
    Declare("shape", std::string("out_pixels_") + v + "_cols");
  for (const char* d : {"up_to_16", "17_to_256", "257_to_4096", "above_4096"})
    Declare("shape", std::string("dot_len_") + d);
  for (const char* t : {"ch_tiles_1", "ch_tiles_several", "pix_tiles_1", "pix_tiles_several"})
    Declare("shape", t);
  for (isa::SimdOp op : Values<isa::SimdOp>(isa::IsSimdOp)) Declare("simd_op", isa::ToString(op));
  for (isa::SimdOp op : Values<isa::SimdOp>(isa::IsSimdOp)) {
    const auto info = simd::InfoOf(op);
    if (info && info->dtype == simd::DtypeClass::kInteger)
      for (const char* d : kIntDtypes) Declare("simd_dtype", std::string(isa::ToString(op)) + "_" + d);
  }
  for (const char* p : {"always", "if_set", "if_clear"}) Declare("simd_pred", p);
  for (const char* f :
       {"fused_relu_relu", "fused_relu_linear", "fused_relu_unsigned_out", "shr_round", "shr_floor"})
    Declare("simd_flags", f);
  for (const char* p : {"bias", "scale", "shift", "zero_point"})
    Declare("simd_flags", std::string("ldparam_") + p);
  // Dependency flags: which queue's instruction set (or last cleared) the flag an instruction waits on.
  for (const char* waiter : {"dma", "compute"}) {
    for (const char* setter : {"dma", "compute"})
      Declare("flags", std::string("wait_set_") + setter + "_to_" + waiter);
    for (const char* clearer : kQueueNames)
      Declare("flags", std::string("wait_clear_") + clearer + "_to_" + waiter);
    Declare("flags", std::string("done_clear_by_") + waiter);
  }
  for (const char* d : {"read_2d", "read_3d", "write_2d", "write_3d", "rows_1", "rows_several"})
    Declare("dma", d);
  for (uint64_t m = 0; m < config_.axi_data_bytes; ++m)
    Declare("dma", "row_bytes_mod_bus_" + std::to_string(m));
  for (isa::ErrorCode e : Values<isa::ErrorCode>(isa::IsErrorCode)) Declare("error", isa::ToString(e));
  // Counted by the testbench from the RTL's stall counters (the golden model has no timing).
  for (const char* b : {"act", "wt", "wr"}) Declare("bank_conflict", b);
  for (auto& [group, bins] : groups_)  // the vectors are complete: their elements stay put
    for (auto& [name, n] : bins) index_[group + "." + name] = &n;
}

void FunctionalCoverage::Declare(const std::string& group, const std::string& name) {
  if (groups_.empty() || groups_.back().first != group) {
    for (const auto& g : groups_)
      if (g.first == group)
        throw std::logic_error("functional coverage group " + group + " declared in two places");
    groups_.push_back({group, {}});
  }
  groups_.back().second.push_back({name, 0});
}

void FunctionalCoverage::Count(const std::string& group, const std::string& name, uint64_t n) {
  auto it = index_.find(group + "." + name);
  if (it == index_.end()) throw std::logic_error("functional coverage has no bin " + group + "." + name);
  *it->second += n;
}

uint64_t FunctionalCoverage::count(const std::string& group, const std::string& name) const {
  auto it = index_.find(group + "." + name);
  if (it == index_.end()) throw std::logic_error("functional coverage has no bin " + group + "." + name);
  return *it->second;
}

void FunctionalCoverage::BeginProgram() { set_by_.fill(kInitial), cleared_by_.fill(kInitial); }

void FunctionalCoverage::Ended(isa::ErrorCode code) { Count("error", isa::ToString(code)); }

void FunctionalCoverage::Executed(const isa::Instruction& in) {
  Count("opcode", isa::ToString(in.opcode));
  Flags(in);
  if (in.IsDma()) return Dma(in);
  const isa::ComputeInstr& c = in.compute;
  if (IsDotProduct(in.opcode)) Dot(c);
  if (in.opcode == Opcode::kEltwise) Count("eltwise", isa::ToString(c.eltwise_op));
  Pool(c);
  Simd(in.simd);
}

void FunctionalCoverage::Dma(const isa::Instruction& in) {
  const bool read = in.opcode == Opcode::kDmaRead;
  Count("dma", std::string(read ? "read" : "write") + (in.dma.planes_word ? "_3d" : "_2d"));
  Count("dma", in.dma.rows == 1 ? "rows_1" : "rows_several");
  Count("dma", "row_bytes_mod_bus_" + std::to_string(in.dma.row_bytes % config_.axi_data_bytes));
}

void FunctionalCoverage::Dot(const isa::ComputeInstr& c) {
  Count("kernel", c.kernel_h != c.kernel_w ? "non_square" : SizeClass(c.kernel_h));
  Count("stride", c.stride_h != c.stride_w ? "non_square" : SizeClass(c.stride_h));
  Count("dilation", c.dil_h == 1 && c.dil_w == 1 ? "1" : "2_up");
  const uint64_t pads[] = {c.pad_top, c.pad_bottom, c.pad_left, c.pad_right};
  for (int s = 0; s < 4; ++s) Count("padding", std::string(kSides[s]) + (pads[s] ? "_1_up" : "_0"));
  if (c.opcode == Opcode::kDeconv) Count("deconv_out_pad", c.out_pad_h || c.out_pad_w ? "1_up" : "0");
  const bool depthwise = c.groups > 1 && c.group_in_c == 1;  // output channels may be a multiple
  Count("groups", c.groups == 1 ? "one" : depthwise ? "depthwise" : "grouped");
  Count("order", isa::ToString(c.order));
  Count("signedness", c.in_signed ? "in_signed" : "in_unsigned");
  Count("signedness", c.wt_signed ? "wt_signed" : "wt_unsigned");
  Count("signedness", c.out_signed ? "out_signed" : "out_unsigned");
  Count("shape", std::string("group_out_c_") + Versus(c.group_out_c, config_.array_rows) + "_rows");
  Count("shape", std::string("out_pixels_") + Versus(c.out_h * c.out_w, config_.array_cols) + "_cols");
  Count("shape", std::string("dot_len_") + DotLenClass(c.dot_len));
  Count("shape", c.ch_tiles == 1 ? "ch_tiles_1" : "ch_tiles_several");
  Count("shape", c.pix_tiles == 1 ? "pix_tiles_1" : "pix_tiles_several");
}

void FunctionalCoverage::Pool(const isa::ComputeInstr& c) {
  Count("pool", isa::ToString(c.pool_op));
  if (c.pool_op == isa::PoolOp::kNone) return;
  Count("pool", c.pool_size == 2 ? "size_2" : c.pool_size == 3 ? "size_3" : "size_other");
  Count("pool", c.pool_stride == 1 ? "stride_1" : c.pool_stride == 2 ? "stride_2" : "stride_other");
  Count("pool", c.pool_pad ? "pad_1_up" : "pad_0");
}

void FunctionalCoverage::Simd(const std::vector<isa::SimdInstr>& program) {
  for (const isa::SimdInstr& s : program) {
    Count("simd_op", isa::ToString(s.op));
    const auto info = simd::InfoOf(s.op);
    if (info && info->dtype == simd::DtypeClass::kInteger)
      Count("simd_dtype", std::string(isa::ToString(s.op)) + "_" + isa::ToString(s.dtype));
    Count("simd_pred", s.pred == 0 ? "always" : s.pred_neg ? "if_clear" : "if_set");
    if (s.op == isa::SimdOp::kFusedRelu) {
      Count("simd_flags", s.flags & 1 ? "fused_relu_relu" : "fused_relu_linear");
      if (s.flags & 2) Count("simd_flags", "fused_relu_unsigned_out");
    } else if (s.op == isa::SimdOp::kShr) {
      Count("simd_flags", s.flags & 1 ? "shr_round" : "shr_floor");
    } else if (s.op == isa::SimdOp::kLdparam && s.imm < 4) {
      const char* params[] = {"bias", "scale", "shift", "zero_point"};
      Count("simd_flags", std::string("ldparam_") + params[s.imm]);
    }
  }
}

void FunctionalCoverage::Flags(const isa::Instruction& in) {
  const Queue self = in.IsDma() ? kDma : kCompute;
  const std::string waiter = kQueueNames[self];
  for (unsigned f = 0; f < set_by_.size(); ++f) {
    if (in.WaitSet() >> f & 1 && set_by_[f] != kInitial)
      Count("flags", std::string("wait_set_") + kQueueNames[set_by_[f]] + "_to_" + waiter);
    if (in.WaitClear() >> f & 1)
      Count("flags", std::string("wait_clear_") + kQueueNames[cleared_by_[f]] + "_to_" + waiter);
  }
  for (unsigned f = 0; f < set_by_.size(); ++f) {
    if (in.DoneSet() >> f & 1) set_by_[f] = self;
    if (in.DoneClear() >> f & 1) cleared_by_[f] = self;
  }
  if (in.DoneClear()) Count("flags", "done_clear_by_" + waiter);
}

std::string FunctionalCoverage::Yaml() const {
  std::string out = "# Functional coverage bins of one run (docs/coverage.md): group, bin, count.\n";
  for (const auto& [group, bins] : groups_) {
    out += group + ":\n";
    for (const auto& [name, n] : bins) out += "  " + name + ": " + std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace nna::coverage
