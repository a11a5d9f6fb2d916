// The golden model. Each instruction runs atomically; the two queues are served in program order
// of their heads (when both are ready, both start before either's flags apply, as in the
// hardware), so the result and every event stream are deterministic. Where the hardware
// checks (docs/architecture.md "Program execution"): the decoder judges the opcode, simd_len and a
// DMA's fields and SRAM range when the instruction is fetched (a bad one stops fetching; the
// instructions queued before it still run); a compute instruction's fields, SIMD program and SRAM
// range are judged when it starts (nna_compute's Check cycle), so one that never starts ends in
// the watchdog; DRAM range when a DMA starts (the AXI slave answers with an error). An error of an
// instruction that started, or the watchdog, wins over a fetch error: it is earlier in program order.
#include "golden/golden_model.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <optional>

#include "coverage/functional_coverage.h"
#include "golden/sram_access.h"
#include "isa/program.h"
#include "pool/pool.h"
#include "ref/ref_ops.h"
#include "simd/simd_program.h"

namespace nna {
namespace {

using isa::ErrorCode;
using isa::Instruction;
using isa::Opcode;

struct Failure {
  ErrorCode code;
  uint32_t index;
  std::string message;
};

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Name(const Instruction& in) {
  return "instruction " + std::to_string(in.index) + " (" + isa::ToString(in.opcode) + ")";
}

uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

class Runner {
 public:
  Runner(const HwConfig& cfg, const Bundle& b, EventSink& sink, RunResult& r,
         coverage::FunctionalCoverage* coverage)
      : coverage_(coverage),
        cfg_(cfg),
        bundle_(b),
        sink_(sink),
        r_(r),
        races_(b.prog_sram_addr, b.prog_sram_addr + b.prog_words * isa::kWordBytes) {}

  std::optional<Failure> Run();

 private:
  std::optional<Failure> LoadProgram();
  std::optional<Failure> Check(const Instruction& in) const;
  std::optional<Failure> CheckDot(const Instruction& in) const;
  std::optional<Failure> CheckDotCounts(const Instruction& in) const;
  std::optional<Failure> CheckSram(const Instruction& in, const char* what, uint64_t addr,
                                   uint64_t end) const;
  std::optional<Failure> Execute(const Instruction& in);
  std::optional<Failure> DmaRead(const Instruction& in);
  std::optional<Failure> DmaWrite(const Instruction& in);
  void Dot(const Instruction& in);
  bool Ready(const Instruction& in) const {
    return (flags_ & in.WaitSet()) == in.WaitSet() && (flags_ & in.WaitClear()) == 0;
  }
  std::string WaitText(const Instruction& in) const {
    return Name(in) + " waits for flags set " + Hex(in.WaitSet()) + " and clear " + Hex(in.WaitClear());
  }

  coverage::FunctionalCoverage* coverage_;
  const HwConfig& cfg_;
  const Bundle& bundle_;
  EventSink& sink_;
  RunResult& r_;
  uint64_t flags_ = 0;
  RaceCheck races_;
};

std::optional<Failure> Runner::LoadProgram() {
  const uint64_t bytes = bundle_.prog_words * isa::kWordBytes;
  const uint64_t sram = bundle_.prog_sram_addr, dram = bundle_.prog_dram_addr;
  if (bundle_.prog_words == 0)
    return Failure{ErrorCode::kIllegalField, kProgramLoadInstr, "the program is empty (prog_words 0)"};
  if (sram + bytes > r_.sram.size())
    return Failure{ErrorCode::kSramRange, kProgramLoadInstr,
                   "the program load (" + std::to_string(bytes) + " bytes to SRAM " + Hex(sram) +
                       ") runs past the SRAM of " + std::to_string(r_.sram.size()) + " bytes"};
  // The command sequencer loads the program as one DMA row.
  if (bytes > isa::DmaInstr::kMaxRowBytes)
    return Failure{ErrorCode::kIllegalField, kProgramLoadInstr,
                   "the program of " + std::to_string(bundle_.prog_words) +
                       " words is longer than one DMA row of " + std::to_string(isa::DmaInstr::kMaxRowBytes) +
                       " bytes"};
  // A DMA_READ like any other: past the DRAM image, the beats inside it are written, then
  // axi_error (the RTL loads with its DMA engine; issue 20, cosim.tiny.error_prog_dram_partial).
  Instruction load = isa::MakeDma(Opcode::kDmaRead, sram, dram, bytes);
  load.index = kProgramLoadInstr;
  std::optional<Failure> failure = DmaRead(load);
  if (failure)
    failure->message = "the program load reads DRAM " + Hex(dram) + ".." + Hex(dram + bytes) +
                       ", past the DRAM image of " + std::to_string(r_.dram.size()) + " bytes";
  return failure;
}

std::optional<Failure> Runner::CheckSram(const Instruction& in, const char* what, uint64_t addr,
                                         uint64_t end) const {
  if (end <= r_.sram.size()) return std::nullopt;
  return Failure{ErrorCode::kSramRange, in.index,
                 Name(in) + " accesses " + what + " at SRAM " + Hex(addr) + ".." + Hex(end) +
                     ", past the SRAM of " + std::to_string(r_.sram.size()) + " bytes"};
}

std::optional<Failure> Runner::Check(const Instruction& in) const {
  auto field = [&](const std::string& f, uint64_t v, const std::string& why) {
    return Failure{ErrorCode::kIllegalField, in.index,
                   Name(in) + " has " + f + " " + std::to_string(v) + " (" + why + ")"};
  };
  if (in.IsDma()) {
    const auto& d = in.dma;
    if (d.reserved0 != 0) return field("reserved0", d.reserved0, "must be zero");
    if (d.rows == 0) return field("rows", d.rows, "must be at least 1");
    if (d.row_bytes == 0) return field("row_bytes", d.row_bytes, "must be at least 1");
    if (d.planes_word) {
      const auto& p = in.planes;
      if (p.planes == 0) return field("planes", p.planes, "must be at least 1");
      for (auto [name, v] : {std::pair{"reserved0 of the planes word", p.reserved0},
                             {"reserved1 of the planes word", p.reserved1},
                             {"reserved2 of the planes word", p.reserved2},
                             {"reserved3 of the planes word", p.reserved3}})
        if (v != 0) return field(name, v, "must be zero");
    }
  } else if (auto f = CheckDot(in)) {  // every compute opcode; the decoder rejected the others
    return f;
  }
  for (const SramAccess& a : SramAccesses(in))
    if (auto f = CheckSram(in, a.what, a.begin, a.end)) return f;
  return std::nullopt;
}

// A compute instruction's field f, value v, is illegal because of `why`.
Failure IllegalField(const Instruction& in, const std::string& f, uint64_t v, const std::string& why) {
  return Failure{ErrorCode::kIllegalField, in.index,
                 Name(in) + " has " + f + " " + std::to_string(v) + " (" + why + ")"};
}

// The first of `fields` whose value is not `want`, as an illegal field.
template <size_t K>
std::optional<Failure> FirstNot(const Instruction& in, const std::pair<const char*, uint64_t> (&fields)[K],
                                uint64_t want, const std::string& why) {
  for (const auto& [name, v] : fields)
    if (v != want) return IllegalField(in, name, v, why + std::to_string(want));
  return std::nullopt;
}

// DECONV's upsampling strides and the eltwise_op field, which only ELTWISE uses.
std::optional<Failure> CheckDeconvEltwise(const Instruction& in) {
  const auto& c = in.compute;
  if (in.opcode == Opcode::kDeconv) {
    auto pow2 = [](uint64_t s) { return s == 1 || s == 2 || s == 4 || s == 8; };
    if (!pow2(c.stride_h))
      return IllegalField(in, "stride_h", c.stride_h, "DECONV upsamples by 1, 2, 4 or 8");
    if (!pow2(c.stride_w))
      return IllegalField(in, "stride_w", c.stride_w, "DECONV upsamples by 1, 2, 4 or 8");
  }
  if (in.opcode == Opcode::kEltwise) {
    if (c.eltwise_op > isa::EltwiseOp::kMax)
      return IllegalField(in, "eltwise_op", uint64_t(c.eltwise_op), "add, mul or max");
  } else if (c.eltwise_op != isa::EltwiseOp::kAdd) {
    return IllegalField(in, "eltwise_op", uint64_t(c.eltwise_op), "must be 0 except on ELTWISE");
  }
  return std::nullopt;
}

// SCALE and ELTWISE: a depthwise 1x1 CONV of the input without weights.
std::optional<Failure> CheckSimdOnly(const Instruction& in) {
  const auto& c = in.compute;
  const std::string why = std::string(isa::ToString(in.opcode)) + " requires ";
  const std::pair<const char*, uint64_t> ones[] = {{"kernel_h", c.kernel_h},
                                                   {"kernel_w", c.kernel_w},
                                                   {"dil_h", c.dil_h},
                                                   {"dil_w", c.dil_w},
                                                   {"group_out_c", c.group_out_c}};
  if (auto f = FirstNot(in, ones, 1, why)) return f;
  const std::pair<const char*, uint64_t> zeros[] = {{"pad_top", c.pad_top},   {"pad_bottom", c.pad_bottom},
                                                    {"pad_left", c.pad_left}, {"pad_right", c.pad_right},
                                                    {"wt_addr", c.wt_addr},   {"wt_signed", c.wt_signed}};
  if (auto f = FirstNot(in, zeros, 0, why)) return f;
  if (c.groups != c.in_c)
    return IllegalField(in, "groups", c.groups, why + "in_c = " + std::to_string(c.in_c));
  // Strided, they subsample: out = (in - 1)/stride + 1 (strides >= 1, out >= 1: CheckDot).
  const uint64_t out_h = c.in_h ? (c.in_h - 1) / c.stride_h + 1 : 0,
                 out_w = c.in_w ? (c.in_w - 1) / c.stride_w + 1 : 0;
  if (c.out_h != out_h)
    return IllegalField(in, "out_h", c.out_h, why + "(in_h - 1)/stride_h + 1 = " + std::to_string(out_h));
  if (c.out_w != out_w)
    return IllegalField(in, "out_w", c.out_w, why + "(in_w - 1)/stride_w + 1 = " + std::to_string(out_w));
  if (in.opcode != Opcode::kEltwise && c.in2_addr != 0)
    return IllegalField(in, "in2_addr", c.in2_addr, why + "0");
  return std::nullopt;
}

// INNER_PRODUCT: one output pixel whose kernel covers the whole input.
std::optional<Failure> CheckInnerProduct(const Instruction& in) {
  const auto& c = in.compute;
  const std::string why = "INNER_PRODUCT requires ";
  if (c.kernel_h != c.in_h)
    return IllegalField(in, "kernel_h", c.kernel_h, why + "in_h = " + std::to_string(c.in_h));
  if (c.kernel_w != c.in_w)
    return IllegalField(in, "kernel_w", c.kernel_w, why + "in_w = " + std::to_string(c.in_w));
  const std::pair<const char*, uint64_t> ones[] = {{"out_h", c.out_h},       {"out_w", c.out_w},
                                                   {"stride_h", c.stride_h}, {"stride_w", c.stride_w},
                                                   {"dil_h", c.dil_h},       {"dil_w", c.dil_w}};
  if (auto f = FirstNot(in, ones, 1, why)) return f;
  const std::pair<const char*, uint64_t> zeros[] = {{"pad_top", c.pad_top},
                                                    {"pad_bottom", c.pad_bottom},
                                                    {"pad_left", c.pad_left},
                                                    {"pad_right", c.pad_right}};
  if (auto f = FirstNot(in, zeros, 0, why)) return f;
  if (c.groups != 1) return IllegalField(in, "groups", c.groups, why + "1");
  return std::nullopt;
}

// The legality checks of a compute instruction, in the order the RTL's list is written
// (docs/architecture.md): the first failing one names the field.
std::optional<Failure> Runner::CheckDot(const Instruction& in) const {
  const auto& c = in.compute;
  // simd_len is checked by the decoder; the program's rules are docs/simd.md "Legality".
  if (auto e = simd::CheckProgram(in.simd)) return Failure{e->code, in.index, Name(in) + ": " + e->message};
  if (auto f = CheckDotCounts(in)) return f;
  if (auto e = pool::Check(in.opcode, c, uint32_t(cfg_.array_cols)))
    return IllegalField(in, e->field, e->value, e->why);
  if (c.reserved1 != 0) return IllegalField(in, "reserved1", c.reserved1, "must be zero");
  if (c.reserved2 != 0) return IllegalField(in, "reserved2", c.reserved2, "must be zero");
  if (c.reserved3 != 0) return IllegalField(in, "reserved3", c.reserved3, "must be zero");
  if (in.opcode != Opcode::kConv && in.opcode != Opcode::kDeconv && c.pad_value != 0)
    return IllegalField(in, "pad_value", c.pad_value, "must be 0 except on CONV and DECONV");
  if (auto f = CheckDeconvEltwise(in)) return f;
  if (isa::IsSimdOnly(in.opcode))
    if (auto f = CheckSimdOnly(in)) return f;
  if (in.opcode == Opcode::kInnerProduct)
    if (auto f = CheckInnerProduct(in)) return f;
  return std::nullopt;  // then the SRAM range of every access (Check)
}

// The sizes and the fields derived from them (groups, tiles, dot length) against the array.
std::optional<Failure> Runner::CheckDotCounts(const Instruction& in) const {
  const auto& c = in.compute;
  auto field = [&](const std::string& f, uint64_t v, const std::string& why) {
    return IllegalField(in, f, v, why);
  };
  const uint64_t n = cfg_.array_cols, m = cfg_.array_rows;
  const std::pair<const char*, uint64_t> at_least_one[] = {
      {"kernel_h", c.kernel_h}, {"kernel_w", c.kernel_w}, {"stride_h", c.stride_h}, {"stride_w", c.stride_w},
      {"dil_h", c.dil_h},       {"dil_w", c.dil_w},       {"in_c", c.in_c},         {"out_c", c.out_c},
      {"out_h", c.out_h},       {"out_w", c.out_w},       {"groups", c.groups}};
  for (const auto& [name, v] : at_least_one)
    if (v == 0) return field(name, 0, "must be at least 1");
  if (c.in_c != c.groups * c.group_in_c)
    return field("group_in_c", c.group_in_c,
                 "groups*group_in_c must equal in_c " + std::to_string(c.in_c) + " with groups " +
                     std::to_string(c.groups));
  if (c.out_c != c.groups * c.group_out_c)
    return field("group_out_c", c.group_out_c,
                 "groups*group_out_c must equal out_c " + std::to_string(c.out_c) + " with groups " +
                     std::to_string(c.groups));
  const uint64_t group_tiles = CeilDiv(c.group_out_c, m);
  if (c.group_tiles != group_tiles)
    return field("group_tiles", c.group_tiles, "ceil(group_out_c/rows) is " + std::to_string(group_tiles));
  if (c.ch_tiles != c.groups * c.group_tiles)
    return field("ch_tiles", c.ch_tiles, "groups*group_tiles is " + std::to_string(c.groups * c.group_tiles));
  const bool eltwise = in.opcode == Opcode::kEltwise;
  const uint64_t dot_len = (eltwise ? 2 : 1) * c.group_in_c * c.kernel_h * c.kernel_w;
  if (c.dot_len != dot_len)
    return field(
        "dot_len", c.dot_len,
        std::string(eltwise ? "2*" : "") + "group_in_c*kernel_h*kernel_w is " + std::to_string(dot_len));
  const uint64_t pix_tiles = CeilDiv(c.out_h * c.out_w, n);
  if (c.pix_tiles != pix_tiles)
    return field("pix_tiles", c.pix_tiles, "ceil(out_h*out_w/cols) is " + std::to_string(pix_tiles));
  if (c.wt_tile_bytes != dot_len * m)
    return field("wt_tile_bytes", c.wt_tile_bytes, "dot_len*rows is " + std::to_string(dot_len * m));
  if (c.pool_op == isa::PoolOp::kNone && c.out_row_stride != c.out_w)
    return field("out_row_stride", c.out_row_stride,
                 "this version requires out_w = " + std::to_string(c.out_w));
  if (c.out_c > cfg_.simd_param_entries)
    return field("out_c", c.out_c, "more than simd.param_entries " + std::to_string(cfg_.simd_param_entries));
  return std::nullopt;
}

// Past the DRAM image the AXI slave answers DECERR beat by beat; the DMA engine still runs every
// beat and writes those answered OKAY (the beats that start inside the image, zeros past its end),
// so a read that runs past the image writes the part inside it and then ends in axi_error.
std::optional<Failure> Runner::DmaRead(const Instruction& in) {
  const uint64_t last = isa::DmaDramEnd(in), size = r_.dram.size();
  const uint64_t beat = cfg_.axi_data_bytes;
  isa::ForEachDmaRow(in, [&](uint64_t src, uint64_t dst) {
    uint64_t left = in.dma.row_bytes;
    while (left > 0 && src < size) {
      // One AXI beat: up to the next multiple of the bus width in DRAM.
      const uint64_t piece = std::min(left, beat - src % beat);
      SramWriteEvent ev;
      ev.source = isa::WrSource::kDma;
      ev.instr = in.index;
      ev.addr = uint32_t(dst);
      ev.bytes.assign(piece, 0);
      std::copy(r_.dram.begin() + long(src), r_.dram.begin() + long(std::min(src + piece, size)),
                ev.bytes.begin());
      std::copy(ev.bytes.begin(), ev.bytes.end(), r_.sram.begin() + long(dst));
      sink_.OnSramWrite(ev);
      src += piece;
      dst += piece;
      left -= piece;
    }
  });
  if (last > size)
    return Failure{ErrorCode::kAxiError, in.index,
                   Name(in) + " reads DRAM up to " + Hex(last) + ", past the DRAM image of " +
                       std::to_string(size) + " bytes"};
  return std::nullopt;
}

std::optional<Failure> Runner::DmaWrite(const Instruction& in) {
  const uint64_t last = isa::DmaDramEnd(in);
  if (last > r_.dram.size())
    return Failure{ErrorCode::kAxiError, in.index,
                   Name(in) + " writes DRAM up to " + Hex(last) + ", past the DRAM image of " +
                       std::to_string(r_.dram.size()) + " bytes"};
  isa::ForEachDmaRow(in, [&](uint64_t dram, uint64_t sram) {
    const auto src = r_.sram.begin() + long(sram);
    std::copy(src, src + long(in.dma.row_bytes), r_.dram.begin() + long(dram));
  });
  return std::nullopt;
}

// CONV, DECONV and INNER_PRODUCT: the loop nest of docs/architecture.md, one dot product per
// (section, channel tile), with the term-to-input mapping of the opcode. SCALE and ELTWISE run the
// same loop as depthwise 1x1 CONVs with made weights ("SIMD-only instructions").
class DotUnit {
 public:
  DotUnit(const HwConfig& cfg, const Instruction& in, std::vector<uint8_t>& sram, EventSink& sink)
      : in_(in),
        c_(in.compute),
        sram_(sram),
        sink_(sink),
        n_(uint32_t(cfg.array_cols)),
        m_(uint32_t(cfg.array_rows)),
        pixels_(c_.out_h * c_.out_w),
        eltwise_(in.opcode == Opcode::kEltwise),
        made_wt_(isa::IsSimdOnly(in.opcode)),
        pooled_(c_.pool_op != isa::PoolOp::kNone),
        win_(pool::WindowOf(c_)),
        pw_n_(pooled_ ? pool::OutSize(uint32_t(c_.out_w), win_) : 0),
        terms_(Terms()),
        act_(c_.dot_len * n_),
        acc_(size_t(m_) * n_),
        out_bytes_(n_),
        conv_out_(pooled_ ? m_ * pixels_ : 0),
        lut_(Table()) {}

  // Every tile in the instruction's order; the activations are gathered again when the section or
  // the group changes.
  void Run() {
    const bool pixel_major = c_.order == isa::Order::kPixelMajor;
    const uint64_t outer = pixel_major ? c_.pix_tiles : c_.ch_tiles;
    const uint64_t inner = pixel_major ? c_.ch_tiles : c_.pix_tiles;
    int64_t act_pt = -1, act_group = -1;
    for (uint64_t a = 0; a < outer; ++a) {
      for (uint64_t b = 0; b < inner; ++b) {
        const uint64_t pt = pixel_major ? a : b, ct = pixel_major ? b : a;
        // Tile ct is sub-tile t of group g; its rows are the group's channels t*M .. t*M+rows-1.
        const uint64_t g = ct / c_.group_tiles, t = ct % c_.group_tiles;
        if (int64_t(pt) != act_pt || int64_t(g) != act_group) {
          GatherActivations(pt, g);
          act_pt = int64_t(pt);
          act_group = int64_t(g);
        }
        const uint32_t rows = eltwise_ ? 2u : uint32_t(std::min<uint64_t>(m_, c_.group_out_c - t * m_));
        Accumulate(ct, rows);
        for (uint32_t j = 0; j < rows; ++j) UnloadRow(pt, ct, j);
      }
    }
  }

 private:
  // A program with LUT: its table, loaded at the start from right after the channel parameters
  // (docs/simd.md, "The table"); empty otherwise.
  std::vector<uint8_t> Table() const {
    if (!simd::HasLut(in_.simd)) return {};
    const auto at = sram_.begin() + long(c_.param_addr + c_.out_c * isa::ChannelParamsRecord::kBytes);
    return std::vector<uint8_t>(at, at + long(isa::kLutBytes));
  }

  // Per term k = (c*R + r)*S + s: the tap offsets and the plane of channel c inside the group.
  struct Term {
    int64_t dh, dw;
    uint64_t plane;
  };
  std::vector<Term> Terms() const {
    std::vector<Term> terms(c_.dot_len);
    for (uint64_t ci = 0, k = 0; ci < c_.group_in_c; ++ci)
      for (uint64_t r = 0; r < c_.kernel_h; ++r)
        for (uint64_t s = 0; s < c_.kernel_w; ++s, ++k)
          terms[k] = Term{int64_t(r * c_.dil_h), int64_t(s * c_.dil_w), ci * c_.in_plane_stride};
    if (eltwise_) terms[1] = Term{0, 0, c_.in2_addr - c_.in_addr};  // tensor b (wraps like the RTL's adder)
    return terms;
  }

  // Input row (column) of an output row (column) and tap offset; -1 where the term has none.
  int64_t InputPos(int64_t o, int64_t d, int64_t stride, int64_t pad) const {
    if (in_.opcode != Opcode::kDeconv) return o * stride + d - pad;
    const int64_t t = o + pad - d;
    return (t >= 0 && t % stride == 0) ? t / stride : int64_t(-1);
  }

  // act_[k*n + i]: the activation of term k in lane i of section pt, group `group`.
  void GatherActivations(uint64_t pt, uint64_t group) {
    const uint64_t base = c_.in_addr + group * c_.group_in_c * c_.in_plane_stride;
    for (uint32_t i = 0; i < n_; ++i) {
      const uint64_t p = pt * n_ + i;
      const bool exists = p < pixels_;
      const int64_t oh = exists ? int64_t(p / c_.out_w) : 0, ow = exists ? int64_t(p % c_.out_w) : 0;
      for (uint64_t k = 0; k < c_.dot_len; ++k) {
        const int64_t ih = InputPos(oh, terms_[k].dh, c_.stride_h, c_.pad_top);
        const int64_t iw = InputPos(ow, terms_[k].dw, c_.stride_w, c_.pad_left);
        uint8_t b = uint8_t(c_.pad_value);  // padding, and lanes past the last pixel
        if (exists && ih >= 0 && ih < int64_t(c_.in_h) && iw >= 0 && iw < int64_t(c_.in_w))
          b = sram_[uint32_t(base + terms_[k].plane + uint64_t(ih) * c_.in_row_stride + uint64_t(iw))];
        const int32_t v = c_.in_signed ? int32_t(int8_t(b)) : int32_t(b);
        act_[k * n_ + i] = v;
      }
    }
  }

  // The accumulators of rows 0..rows-1 of channel tile ct over every term.
  void Accumulate(uint64_t ct, uint32_t rows) {
    std::fill(acc_.begin(), acc_.end(), 0u);
    const uint8_t* wt = made_wt_ ? nullptr : sram_.data() + c_.wt_addr + ct * c_.wt_tile_bytes;
    for (uint64_t k = 0; k < c_.dot_len; ++k) {
      const int32_t* ak = &act_[k * n_];
      for (uint32_t j = 0; j < rows; ++j) {
        // Made weights: term k's row is 1 in row k.
        const int32_t w = made_wt_       ? int32_t(j == k)
                          : c_.wt_signed ? int32_t(int8_t(wt[k * m_ + j]))
                                         : int32_t(wt[k * m_ + j]);
        if (w == 0) continue;
        uint32_t* accj = &acc_[size_t(j) * n_];
        for (uint32_t i = 0; i < n_; ++i) accj[i] += uint32_t(w * ak[i]);
      }
    }
  }

  // Row j leaves the array (an event), runs through the SIMD unit and is written back, or
  // pooled.
  void UnloadRow(uint64_t pt, uint64_t ct, uint32_t j) {
    const uint64_t g = ct / c_.group_tiles, t = ct % c_.group_tiles;
    const uint32_t lanes = uint32_t(std::min<uint64_t>(n_, pixels_ - pt * n_));
    AccUnloadEvent ev;
    ev.instr = in_.index;
    ev.pix_tile = uint32_t(pt);
    ev.ch_tile = uint32_t(ct);
    ev.row = j;
    ev.values.resize(n_);
    for (uint32_t i = 0; i < n_; ++i) ev.values[i] = ref::WrapAcc(int64_t(acc_[size_t(j) * n_ + i]));
    sink_.OnAccUnload(ev);

    if (eltwise_ && j == 0) return;  // row a waits in the SIMD unit for row b
    const uint64_t co = eltwise_ ? g : g * c_.group_out_c + t * m_ + j;
    const ref::ChannelParams prm =
        ref::UnpackParams(sram_.data() + c_.param_addr + co * isa::ChannelParamsRecord::kBytes);
    for (uint32_t i = 0; i < lanes; ++i) {
      const simd::LaneState entry =
          eltwise_ ? simd::PairEntry(c_.eltwise_op, ref::WrapAcc(int64_t(acc_[i])), ev.values[i])
                   : simd::RowEntry(ev.values[i]);
      out_bytes_[i] =
          uint8_t(simd::RunLaneState(in_.simd, entry, prm, lut_.empty() ? nullptr : lut_.data()).v[0]);
    }
    if (pooled_)
      PoolRow(pt, j, co, lanes);
    else
      Write(uint32_t(c_.out_addr + co * c_.out_plane_stride + pt * n_), lanes);
  }

  // The row joins its channel's plane; the pooled rows it completes are written.
  void PoolRow(uint64_t pt, uint32_t j, uint64_t co, uint32_t lanes) {
    std::copy(out_bytes_.begin(), out_bytes_.begin() + lanes,
              conv_out_.begin() + long(j * pixels_ + pt * n_));
    const auto [lo, hi] = pool::SectionRows(win_, uint32_t(c_.out_h), uint32_t(c_.out_w), pt, n_);
    if (lo == hi) return;
    pooled_rows_.resize(size_t(hi - lo) * pw_n_);
    pool::PoolRows(win_, &conv_out_[j * pixels_], uint32_t(c_.out_h), uint32_t(c_.out_w), c_.out_signed, lo,
                   hi, pooled_rows_.data());
    for (const pool::Span& sp : pool::Writes(win_, pw_n_, lo, hi, n_))
      Write(uint32_t(c_.out_addr + co * c_.out_plane_stride + sp.offset),
            &pooled_rows_[sp.offset - lo * pw_n_], sp.bytes);
  }

  // The first count output bytes into SRAM at addr, as the SIMD unit's write event.
  void Write(uint32_t addr, uint32_t count) { Write(addr, out_bytes_.data(), count); }
  void Write(uint32_t addr, const uint8_t* bytes, uint32_t count) {
    SramWriteEvent wr;
    wr.source = isa::WrSource::kSimd;
    wr.instr = in_.index;
    wr.addr = addr;
    wr.bytes.assign(bytes, bytes + count);
    std::copy(wr.bytes.begin(), wr.bytes.end(), sram_.begin() + long(wr.addr));
    sink_.OnSramWrite(wr);
  }

  const Instruction& in_;
  const isa::ComputeInstr& c_;
  std::vector<uint8_t>& sram_;
  EventSink& sink_;
  const uint32_t n_, m_;
  const uint64_t pixels_;
  const bool eltwise_, made_wt_, pooled_;
  const pool::Window win_;
  const uint32_t pw_n_;
  const std::vector<Term> terms_;
  std::vector<int32_t> act_;   // act_[k*n + i]: activation of term k, lane i
  std::vector<uint32_t> acc_;  // uint32: wraps like the 30-bit cells, modulo 2^32
  std::vector<uint8_t> out_bytes_;
  std::vector<uint8_t> pooled_rows_;  // fused pooling: the pooled rows a section completes
  std::vector<uint8_t> conv_out_;     // fused pooling: the convolution output of the tile's channels (rows j)
  const std::vector<uint8_t> lut_;    // the LUT table, empty without LUT
};

void Runner::Dot(const Instruction& in) { DotUnit(cfg_, in, r_.sram, sink_).Run(); }

std::optional<Failure> Runner::Execute(const Instruction& in) {
  switch (in.opcode) {
    case Opcode::kDmaRead:
      return DmaRead(in);
    case Opcode::kDmaWrite:
      return DmaWrite(in);
    case Opcode::kConv:
    case Opcode::kDeconv:
    case Opcode::kInnerProduct:
    case Opcode::kScale:
    case Opcode::kEltwise:
      Dot(in);
      return std::nullopt;
    default:
      return Failure{ErrorCode::kIllegalOpcode, in.index, Name(in) + " has an opcode the decoder rejects"};
  }
}

std::optional<Failure> Runner::Run() {
  if (auto f = LoadProgram()) return f;
  const uint64_t base = bundle_.prog_sram_addr, words = bundle_.prog_words;
  uint64_t next_word = 0;
  uint32_t next_index = 0;
  std::optional<Failure> fetch_error;
  std::optional<Instruction> pending;  // decoded, waiting for room in its queue
  std::deque<Instruction> dma_q, comp_q;

  for (;;) {
    // Fetch and decode in order while the target queue has room.
    while (!fetch_error && (pending || next_word < words)) {
      if (!pending) {
        Instruction in;
        const uint8_t* at = r_.sram.data() + base + next_word * isa::kWordBytes;
        if (auto e = isa::DecodeInstruction(at, (words - next_word) * isa::kWordBytes, next_index, &in)) {
          fetch_error = Failure{e->code, e->index, e->message};
          break;
        }
        in.word = next_word;
        if (in.IsDma())  // a compute instruction is checked when it starts
          if (auto f = Check(in)) {
            fetch_error = f;
            break;
          }
        next_word += in.words;
        ++next_index;
        pending = std::move(in);
      }
      auto& q = pending->IsDma() ? dma_q : comp_q;
      const uint64_t depth = pending->IsDma() ? cfg_.queues_dma_depth : cfg_.queues_compute_depth;
      if (q.size() >= depth) break;
      q.push_back(std::move(*pending));
      pending.reset();
    }

    const bool dma_ok = !dma_q.empty() && Ready(dma_q.front());
    const bool comp_ok = !comp_q.empty() && Ready(comp_q.front());
    if (!dma_ok && !comp_ok) {
      if (dma_q.empty() && comp_q.empty() && !pending) return fetch_error;  // done (or the fetch error)
      // Nothing can start and nothing runs: the hardware's watchdog fires.
      std::string msg = "no instruction can start with flags " + Hex(flags_) + ": ";
      uint32_t first = 0xFFFFFFFF;
      for (const auto* q : {&dma_q, &comp_q}) {
        if (q->empty()) continue;
        if (first != 0xFFFFFFFF) msg += "; ";
        msg += WaitText(q->front());
        first = std::min(first, q->front().index);
      }
      return Failure{ErrorCode::kWatchdog, first, msg};
    }
    // Both heads ready: the hardware starts both before either completes, so neither waits for
    // the other's flags (they run in program order here). A failure of one does not stop the
    // other, which has started; the first failure in program order is the program's.
    const bool take_dma = dma_ok && (!comp_ok || dma_q.front().index < comp_q.front().index);
    std::vector<Instruction> started;
    started.push_back(std::move((take_dma ? dma_q : comp_q).front()));
    (take_dma ? dma_q : comp_q).pop_front();
    if (dma_ok && comp_ok) {
      started.push_back(std::move((take_dma ? comp_q : dma_q).front()));
      (take_dma ? comp_q : dma_q).pop_front();
    }
    std::optional<Failure> failure;
    for (const Instruction& in : started) {
      std::optional<Failure> f;
      if (!in.IsDma()) f = Check(in);
      if (!f) {
        if (auto race = races_.Start(in); race && r_.race.empty()) r_.race = *race;
        f = Execute(in);
      }
      if (f) {
        if (!failure) failure = f;
        continue;
      }
      if (coverage_) coverage_->Executed(in);
      const uint64_t before = flags_;
      flags_ = (flags_ | in.DoneSet()) & ~in.DoneClear();
      races_.Complete(before, flags_);
      ++r_.instrs_done;
      r_.completed.push_back(in.index);
    }
    if (failure) return failure;
  }
}

}  // namespace

RunResult GoldenModel::Run(const Bundle& bundle, EventSink& sink) const {
  RunResult r;
  std::vector<RunResult> runs = RunPrograms({&bundle}, bundle.dram, sink, &r.dram, &r.sram);
  r.ok = runs[0].ok, r.error = runs[0].error, r.err_instr = runs[0].err_instr;
  r.instrs_done = runs[0].instrs_done, r.completed = std::move(runs[0].completed);
  r.message = std::move(runs[0].message), r.race = std::move(runs[0].race);
  return r;
}

std::vector<RunResult> GoldenModel::RunPrograms(const std::vector<const Bundle*>& programs,
                                                std::vector<uint8_t> dram, EventSink& sink,
                                                std::vector<uint8_t>* final_dram,
                                                std::vector<uint8_t>* final_sram,
                                                const std::function<void(size_t)>& on_start) const {
  RunResult state;  // carries the images from program to program
  state.sram.assign(config_.sram_bytes, 0);
  state.dram = std::move(dram);
  std::vector<RunResult> results;
  for (const Bundle* bundle : programs) {
    if (on_start) on_start(results.size());
    RunResult& r = results.emplace_back();
    std::swap(r.dram, state.dram), std::swap(r.sram, state.sram);
    Runner runner(config_, *bundle, sink, r, coverage_);
    if (coverage_) coverage_->BeginProgram();
    if (auto f = runner.Run()) {
      r.ok = false;
      r.error = f->code;
      r.err_instr = f->index;
      r.message = f->message;
    } else {
      r.ok = true;
    }
    std::swap(r.dram, state.dram), std::swap(r.sram, state.sram);
    if (coverage_) coverage_->Ended(r.error);
    if (!r.ok) break;
  }
  if (final_dram) *final_dram = std::move(state.dram);
  if (final_sram) *final_sram = std::move(state.sram);
  return results;
}

}  // namespace nna
