#include "tb/inject.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "compiler/lowering.h"
#include "isa/program.h"
#include "pool/pool.h"
#include "simd/simd_program.h"
#include "tb/options.h"
#include "util/clip_text.h"

namespace nna::tb {
namespace {

using isa::Instruction;
using isa::Opcode;

constexpr Inject kClasses[] = {Inject::kIllegalOpcode,
                               Inject::kIllegalField,
                               Inject::kDramRange,
                               Inject::kWatchdog,
                               Inject::kSramRange,
                               Inject::kAbort,
                               Inject::kRace,
                               Inject::kEmptyProgram,
                               Inject::kIllegalWaiting,
                               Inject::kStallThenOpcode,
                               Inject::kDramPartialRead,
                               Inject::kDramRangePrefetch,
                               Inject::kSimdLenZero,  // sequencer and SIMD checks (issue 20 coverage)
                               Inject::kSimdLenOver,
                               Inject::kProgramCut,
                               Inject::kSimdComparePred0,
                               Inject::kSimdPredWriteRange,
                               Inject::kSimdPredReadRange,
                               Inject::kSimdBadDtype,
                               Inject::kSimdLdparamImm,
                               Inject::kSimdBadOp,
                               Inject::kSimdDstRange,
                               Inject::kSimdSrcARange,
                               Inject::kSimdSrcBRange,
                               Inject::kProgSramRange,  // program load (issue 20 coverage)
                               Inject::kProgWordsHuge,
                               Inject::kProgDramRange,
                               Inject::kProgDramPartial,
                               Inject::kDmaWrite4k,
                               Inject::kDmaReadHigh,  // DRAM extremes (issue 20 coverage)
                               Inject::kDmaWriteHigh,
                               Inject::kProgDramHigh,
                               Inject::kDmaStrideHuge,
                               Inject::kDmaPlaneStrideHuge,
                               Inject::kSimdEverySlotOpcode,  // SIMD slots, ignored bits
                               Inject::kSimdEverySlotField,
                               Inject::kParamsIgnoredBits};

// The decoded program and the place of its words in the DRAM image.
struct Program {
  Bundle& bundle;
  std::vector<Instruction> instrs;

  explicit Program(Bundle& b) : bundle(b), instrs(isa::DecodeProgram(b.ProgramBytes()).instrs) {}

  // The first (or, with last, the last) instruction that matches; throws InputError naming cls
  // when there is none.
  Instruction& Find(Inject cls, const char* what, bool last, bool (*match)(const Instruction&)) {
    Instruction* found = nullptr;
    for (Instruction& in : instrs) {
      if (!match(in) || (found && !last)) continue;
      found = &in;
    }
    if (!found) {
      throw InputError(std::string("--inject ") + ToString(cls) + " needs " + what +
                       " in the program of test '" + bundle.test + "', which has none");
    }
    return *found;
  }

  // Writes in's words back into the DRAM image and its disassembly into the instruction table.
  void Store(const Instruction& in, uint8_t opcode_byte, const std::string& text) {
    std::vector<uint8_t> words = isa::EncodeInstruction(in);
    words[0] = opcode_byte;  // the opcode is byte 0 of every instruction (spec/isa.yaml)
    std::copy(words.begin(), words.end(),
              bundle.dram.begin() + long(bundle.prog_dram_addr + in.word * isa::kWordBytes));
    for (InstrInfo& info : bundle.instrs)
      if (info.index == in.index) info.text = text;
  }
  void Store(const Instruction& in) { Store(in, uint8_t(in.opcode), isa::Disassemble(in)); }

  // Overwrites byte `offset` of in's first word, a field the encoder cannot write on its own (a
  // simd_len that disagrees with the SIMD program).
  void StoreByte(const Instruction& in, unsigned offset, uint8_t value, const std::string& text) {
    bundle.dram.at(bundle.prog_dram_addr + in.word * isa::kWordBytes + offset) = value;
    for (InstrInfo& info : bundle.instrs)
      if (info.index == in.index) info.text = text;
  }
};

bool IsCompute(const Instruction& in) { return !in.IsDma(); }
bool IsDmaRead(const Instruction& in) { return in.opcode == Opcode::kDmaRead; }
bool IsDmaWrite(const Instruction& in) { return in.opcode == Opcode::kDmaWrite; }
bool IsDmaWaitingClear(const Instruction& in) { return in.IsDma() && in.WaitClear() != 0; }
bool HasSeveralWords(const Instruction& in) { return in.words > 1; }
bool IsDmaReadOfRows(const Instruction& in) { return IsDmaRead(in) && in.dma.rows > 1; }
bool IsDmaReadOfPlanes(const Instruction& in) { return IsDmaRead(in) && in.dma.planes_word; }

uint64_t PagePast(const std::vector<uint8_t>& dram) { return (dram.size() + 4095) / 4096 * 4096; }
// The last DRAM page below 2^48, the end of the 48-bit address space (spec/isa.yaml dram_addr).
constexpr uint64_t kLastDramPage = isa::DmaInstr::kMaxDramAddr + 1 - 4096;

std::string Where(const Instruction& in) {
  return "instr " + std::to_string(in.index) + " (" + isa::ToString(in.opcode) + ")";
}

// dma_write_4k: the output region that in writes moves by delta, with every DMA that touches it,
// into DRAM appended to the image (zeros, as a fresh output region is).
std::string MoveOutputAcross4k(Program& prog, Instruction& in) {
  constexpr uint64_t kBefore4k = 40;  // not beat-aligned either: the first beat is partial
  Bundle& b = prog.bundle;
  Region* out = nullptr;
  for (Region& r : b.regions)
    if (r.kind == "output" && in.dma.dram_addr >= r.dram_addr && isa::DmaDramEnd(in) <= r.dram_addr + r.bytes)
      out = &r;
  if (!out || in.dma.row_bytes <= kBefore4k)
    throw InputError("--inject dma_write_4k needs a DMA_WRITE into an output region with rows longer than " +
                     std::to_string(kBefore4k) + " bytes in the program of test '" + b.test +
                     "', which has none");
  const uint64_t from = out->dram_addr, to = PagePast(b.dram) + 4096 - kBefore4k - (in.dma.dram_addr - from);
  for (Instruction& i : prog.instrs) {
    if (!i.IsDma() || i.dma.dram_addr < from || isa::DmaDramEnd(i) > from + out->bytes) continue;
    i.dma.dram_addr += to - from;
    prog.Store(i);
  }
  out->dram_addr = to;
  b.dram.resize((to + out->bytes + 4095) / 4096 * 4096, 0);
  return "output region '" + out->name + "' moves from DRAM byte " + std::to_string(from) + " to " +
         std::to_string(to) + ": " + Where(in) + "'s first row of " + std::to_string(in.dma.row_bytes) +
         " bytes starts " + std::to_string(kBefore4k) + " bytes before a 4 KB boundary";
}

// The lowest flag no instruction sets and in does not wait to be clear; throws InputError naming
// cls when every flag is set by some instruction.
unsigned UnsetFlag(Inject cls, const std::vector<Instruction>& instrs, const Instruction& in) {
  uint64_t set = 0;
  for (const Instruction& i : instrs) set |= i.DoneSet();
  unsigned flag = 0;
  while (flag < isa::kNumFlags && (((set | in.WaitClear()) >> flag) & 1)) ++flag;
  if (flag == isa::kNumFlags)
    throw InputError(std::string("--inject ") + ToString(cls) + ": every flag is set by some instruction");
  return flag;
}

// The first unused opcode byte.
uint8_t UnusedOpcode() {
  uint8_t unused = 1;
  while (isa::IsOpcode(unused)) ++unused;
  return unused;
}

// The first value of a SIMD instruction's op field that is no SIMD op.
isa::SimdOp UnusedSimdOp() {
  uint8_t unused = 0;
  while (isa::IsSimdOp(unused)) ++unused;
  return isa::SimdOp(unused);
}

// ---- The compute instruction's checks (issue 20 coverage; tb/inject.h): one row per class.

using isa::ComputeInstr;
using isa::ErrorCode;

// The precomputed fields from the sizes, as the compiler derives them (compiler/lowering.cpp), for
// an opcode other than ELTWISE.
void Derive(ComputeInstr& c, const HwConfig& cfg) {
  c.group_in_c = c.in_c / c.groups;
  c.group_out_c = c.out_c / c.groups;
  c.group_tiles = compiler::CeilDiv(c.group_out_c, cfg.array_rows);
  c.ch_tiles = c.groups * c.group_tiles;
  c.dot_len = c.group_in_c * c.kernel_h * c.kernel_w;
  c.pix_tiles = compiler::CeilDiv(c.out_h * c.out_w, cfg.array_cols);
  c.wt_tile_bytes = c.dot_len * cfg.array_rows;
}

uint64_t PooledWidth(const ComputeInstr& c) { return pool::OutSize(uint32_t(c.out_w), pool::WindowOf(c)); }

bool IsConv(const Instruction& in, const HwConfig&) {
  return in.opcode == Opcode::kConv && in.compute.pool_op == isa::PoolOp::kNone;
}
bool IsConvOfSections(const Instruction& in, const HwConfig& cfg) {
  return IsConv(in, cfg) && in.compute.pix_tiles > 1;
}
bool IsPooledConv(const Instruction& in, const HwConfig&) {
  return in.opcode == Opcode::kConv && in.compute.pool_op != isa::PoolOp::kNone;
}
bool IsPooledConvOfTiles(const Instruction& in, const HwConfig& cfg) {
  return IsPooledConv(in, cfg) && in.compute.ch_tiles > 1;
}
bool IsPooledConvFullWidth(const Instruction& in, const HwConfig& cfg) {
  return IsPooledConv(in, cfg) && in.compute.out_w == cfg.array_cols;
}
bool IsDeconv(const Instruction& in, const HwConfig&) { return in.opcode == Opcode::kDeconv; }
bool IsOnePixelInnerProduct(const Instruction& in, const HwConfig&) {
  return in.opcode == Opcode::kInnerProduct && in.compute.out_w == 1;
}
bool IsScale(const Instruction& in, const HwConfig&) { return in.opcode == Opcode::kScale; }
bool IsEltwise(const Instruction& in, const HwConfig&) { return in.opcode == Opcode::kEltwise; }

struct ComputeCheck {
  const char* name;
  const char* instr;  // the instruction it corrupts, the first one that matches
  bool (*match)(const Instruction& in, const HwConfig& cfg);
  ErrorCode code;  // the error the golden model must predict and the RTL report
  void (*edit)(ComputeInstr& c, const HwConfig& cfg);
};

constexpr uint64_t kMax32 = 0xFFFFFFFF, kMax24 = 0xFFFFFF, kMax16 = 0xFFFF;
constexpr ErrorCode kField = ErrorCode::kIllegalField, kRange = ErrorCode::kSramRange;
using C = ComputeInstr;
using H = HwConfig;

const ComputeCheck kComputeChecks[] = {
    {"compute_deconv_stride3", "a DECONV", IsDeconv, kField, [](C& c, const H&) { c.stride_h = 3; }},
    {"compute_ip_kernel", "an INNER_PRODUCT of one pixel", IsOnePixelInnerProduct, kField,
     [](C& c, const H&) { c.in_h = c.kernel_h + 1; }},
    // Pooling: out_row_stride follows the pooled width, so that only the term named fails.
    {"compute_pool_bad_op", "a pooled CONV", IsPooledConv, kField,
     [](C& c, const H&) { c.pool_op = isa::PoolOp(3); }},
    {"compute_pool_size4", "a pooled CONV", IsPooledConv, kField,
     [](C& c, const H&) { c.pool_size = 4, c.out_row_stride = PooledWidth(c); }},
    {"compute_pool_stride3", "a pooled CONV", IsPooledConv, kField,
     [](C& c, const H&) {  // the RTL halves the width for stride 2 only: stride 3 is stride 1's width
       c.pool_stride = 3, c.out_row_stride = c.out_w + 2 * c.pool_pad - c.pool_size + 1;
     }},
    {"compute_pool_pad", "a pooled CONV", IsPooledConv, kField,
     [](C& c, const H&) { c.pool_pad = c.pool_size / 2 + 1, c.out_row_stride = PooledWidth(c); }},
    {"compute_pool_order", "a pooled CONV of several channel tiles", IsPooledConvOfTiles, kField,
     [](C& c, const H&) { c.order = isa::Order::kPixelMajor; }},
    {"compute_pool_wide", "a pooled CONV whose out_w is the array's columns", IsPooledConvFullWidth, kField,
     [](C& c, const H&) {  // pooled width out_w + 1
       c.pool_size = 2, c.pool_stride = 1, c.pool_pad = 1, c.out_row_stride = PooledWidth(c);
     }},
    {"compute_pool_on_ip", "an INNER_PRODUCT of one pixel", IsOnePixelInnerProduct, kField,
     [](C& c, const H&) {  // a 2x2 window fits one pixel padded by 1
       c.pool_op = isa::PoolOp::kMax, c.pool_size = 2, c.pool_stride = 2, c.pool_pad = 1;
       c.order = isa::Order::kChannelMajor, c.out_row_stride = PooledWidth(c);
     }},
    {"compute_unpooled_size", "a CONV without pooling", IsConv, kField,
     [](C& c, const H&) { c.pool_size = 2; }},
    {"compute_unpooled_stride", "a CONV without pooling", IsConv, kField,
     [](C& c, const H&) { c.pool_stride = 2; }},
    {"compute_unpooled_pad", "a CONV without pooling", IsConv, kField,
     [](C& c, const H&) { c.pool_pad = 1; }},
    {"compute_out_row_stride", "a CONV without pooling", IsConv, kField,
     [](C& c, const H&) { c.out_row_stride = c.out_w + 1; }},
    // SCALE and ELTWISE, and eltwise_op.
    {"compute_scale_kernel3x3", "a SCALE", IsScale, kField,
     [](C& c, const H& cfg) { c.kernel_h = c.kernel_w = 3, Derive(c, cfg); }},
    {"compute_scale_in2_addr", "a SCALE", IsScale, kField, [](C& c, const H&) { c.in2_addr = 64; }},
    {"compute_scale_wt_addr", "a SCALE", IsScale, kField, [](C& c, const H&) { c.wt_addr = 64; }},
    {"compute_eltwise_op", "an ELTWISE", IsEltwise, kField,
     [](C& c, const H&) { c.eltwise_op = isa::EltwiseOp(3); }},
    {"compute_conv_eltwise_op", "a CONV without pooling", IsConv, kField,
     [](C& c, const H&) { c.eltwise_op = isa::EltwiseOp::kMul; }},
    // The precomputed fields, each one off (with the fields derived from it).
    {"compute_dot_len", "a CONV without pooling", IsConv, kField,
     [](C& c, const H& cfg) { c.dot_len += 1, c.wt_tile_bytes = c.dot_len * cfg.array_rows; }},
    {"compute_wt_tile_bytes", "a CONV without pooling", IsConv, kField,
     [](C& c, const H&) { c.wt_tile_bytes += 1; }},
    {"compute_pix_tiles_over", "a CONV without pooling", IsConv, kField,
     [](C& c, const H&) { c.pix_tiles += 1; }},
    {"compute_pix_tiles_under", "a CONV of several pixel sections", IsConvOfSections, kField,
     [](C& c, const H&) { c.pix_tiles -= 1; }},
    {"compute_ch_tiles", "a CONV without pooling", IsConv, kField, [](C& c, const H&) { c.ch_tiles += 1; }},
    {"compute_group_tiles", "a CONV without pooling", IsConv, kField,
     [](C& c, const H&) { c.group_tiles += 1, c.ch_tiles = c.groups * c.group_tiles; }},
    {"compute_out_c_params", "a CONV without pooling", IsConv, kField,
     [](C& c, const H& cfg) {
       c.out_c = c.groups * compiler::CeilDiv(cfg.simd_param_entries + 1, c.groups);
       Derive(c, cfg);
     }},
    {"compute_reserved1", "a CONV without pooling", IsConv, kField, [](C& c, const H&) { c.reserved1 = 1; }},
    {"compute_reserved2", "a CONV without pooling", IsConv, kField, [](C& c, const H&) { c.reserved2 = 1; }},
    {"compute_reserved3", "a CONV without pooling", IsConv, kField, [](C& c, const H&) { c.reserved3 = 1; }},
    // The 64-bit products of the field checks, past 32 bits.
    {"compute_wt_tile_wrap", "a CONV without pooling", IsConv, kField,
     [](C& c, const H& cfg) {  // dot_len 65535*255*255 fits 32 bits, dot_len*rows does not
       c.groups = 1, c.in_c = kMax16, c.kernel_h = c.kernel_w = 255;
       Derive(c, cfg);
       c.wt_tile_bytes &= kMax32;
     }},
    {"compute_pix_total", "a CONV without pooling", IsConv, kField,
     [](C& c, const H&) {  // 65535^2 pixels need more than 65535 sections
       c.out_h = c.out_w = c.out_row_stride = c.pix_tiles = kMax16;
     }},
    // SRAM range: legal fields, extreme values.
    {"compute_range_in", "a CONV without pooling", IsConv, kRange,
     [](C& c, const H& cfg) {  // the input ends near 2^48; one channel tile keeps the weights inside
       c.groups = 1, c.in_c = c.in_h = c.in_w = kMax16, c.in_row_stride = kMax24, c.in_plane_stride = kMax32;
       c.out_c = cfg.array_rows;
       Derive(c, cfg);
     }},
    {"compute_range_in_addr", "a CONV without pooling", IsConv, kRange,
     [](C& c, const H&) { c.in_addr = kMax32; }},
    {"compute_range_in2_addr", "an ELTWISE", IsEltwise, kRange, [](C& c, const H&) { c.in2_addr = kMax32; }},
    {"compute_range_wt_addr", "a CONV without pooling", IsConv, kRange,
     [](C& c, const H&) { c.wt_addr = kMax32; }},
    {"compute_range_param_addr", "a CONV without pooling", IsConv, kRange,
     [](C& c, const H&) { c.param_addr = kMax32; }},
    {"compute_range_out_addr", "a CONV without pooling", IsConv, kRange,
     [](C& c, const H&) { c.out_addr = kMax32; }},
    {"compute_range_out_plane_stride", "a CONV without pooling", IsConv, kRange,
     [](C& c, const H& cfg) {  // the output ends near 2^40
       c.out_c = cfg.simd_param_entries, c.out_plane_stride = kMax32;
       Derive(c, cfg);
     }},
    {"compute_range_pooled_out", "a pooled CONV", IsPooledConv, kRange,
     [](C& c, const H&) { c.out_addr = kMax32; }},
};
constexpr size_t kNumComputeChecks = sizeof kComputeChecks / sizeof kComputeChecks[0];

// The row of cls, one of the compute-check classes.
const ComputeCheck& ComputeCheckOf(Inject cls) {
  return kComputeChecks[size_t(cls) - size_t(Inject::kComputeCheck)];
}

// Applies row's edits to the first instruction it matches; the sentence names every changed field.
std::string InjectComputeCheck(const ComputeCheck& row, const HwConfig& cfg, Program& prog) {
  auto it = std::find_if(prog.instrs.begin(), prog.instrs.end(),
                         [&](const Instruction& i) { return !i.IsDma() && row.match(i, cfg); });
  if (it == prog.instrs.end())
    throw InputError(std::string("--inject ") + row.name + " needs " + row.instr +
                     " in the program of test '" + prog.bundle.test + "', which has none");
  const ComputeInstr before = it->compute;
  row.edit(it->compute, cfg);
  prog.Store(*it);
  std::string changes;
  for (unsigned f = 0; f < std::size(isa::kComputeInstrFields); ++f) {
    const uint64_t from = isa::FieldValue(before, f), to = isa::FieldValue(it->compute, f);
    if (from == to) continue;
    changes += std::string(changes.empty() ? "" : ", ") + isa::kComputeInstrFields[f].name + " " +
               std::to_string(from) + " -> " + std::to_string(to);
  }
  return Where(*it) + " gets " + changes + " (" + isa::ToString(row.code) + " expected)";
}

}  // namespace

const char* ToString(Inject cls) {
  switch (cls) {
    case Inject::kNone:
      return "none";
    case Inject::kIllegalOpcode:
      return "illegal_opcode";
    case Inject::kIllegalField:
      return "illegal_field";
    case Inject::kDramRange:
      return "dram_range";
    case Inject::kWatchdog:
      return "watchdog";
    case Inject::kSramRange:
      return "sram_range";
    case Inject::kAbort:
      return "abort";
    case Inject::kRace:
      return "race";
    case Inject::kEmptyProgram:
      return "empty_program";
    case Inject::kIllegalWaiting:
      return "illegal_waiting";
    case Inject::kStallThenOpcode:
      return "stall_then_opcode";
    case Inject::kDramPartialRead:
      return "dram_partial_read";
    case Inject::kDramRangePrefetch:
      return "dram_range_prefetch";
    // sequencer and SIMD checks (issue 20 coverage)
    case Inject::kSimdLenZero:
      return "simd_len_zero";
    case Inject::kSimdLenOver:
      return "simd_len_over";
    case Inject::kProgramCut:
      return "program_cut";
    case Inject::kSimdComparePred0:
      return "simd_compare_p0";
    case Inject::kSimdPredWriteRange:
      return "simd_pred_write_range";
    case Inject::kSimdPredReadRange:
      return "simd_pred_read_range";
    case Inject::kSimdBadDtype:
      return "simd_bad_dtype";
    case Inject::kSimdLdparamImm:
      return "simd_ldparam_imm";
    case Inject::kSimdBadOp:
      return "simd_bad_op";
    case Inject::kSimdDstRange:
      return "simd_dst_range";
    case Inject::kSimdSrcARange:
      return "simd_src_a_range";
    case Inject::kSimdSrcBRange:
      return "simd_src_b_range";
    case Inject::kProgSramRange:
      return "prog_sram_range";
    case Inject::kProgWordsHuge:
      return "prog_words_huge";
    case Inject::kProgDramRange:
      return "prog_dram_range";
    case Inject::kProgDramPartial:
      return "prog_dram_partial";
    case Inject::kDmaWrite4k:
      return "dma_write_4k";
    // DRAM extremes (issue 20 coverage)
    case Inject::kDmaReadHigh:
      return "dma_read_high";
    case Inject::kDmaWriteHigh:
      return "dma_write_high";
    case Inject::kProgDramHigh:
      return "prog_dram_high";
    case Inject::kDmaStrideHuge:
      return "dma_stride_huge";
    case Inject::kDmaPlaneStrideHuge:
      return "dma_plane_stride_huge";
    case Inject::kSimdEverySlotOpcode:
      return "simd_every_slot_opcode";
    case Inject::kSimdEverySlotField:
      return "simd_every_slot_field";
    case Inject::kParamsIgnoredBits:
      return "params_ignored_bits";
    case Inject::kComputeCheck:
      break;
  }
  if (cls >= Inject::kComputeCheck && size_t(cls) - size_t(Inject::kComputeCheck) < kNumComputeChecks)
    return ComputeCheckOf(cls).name;
  return "?";
}

Inject ParseInject(const std::string& name) {
  for (Inject cls : kClasses)
    if (name == ToString(cls)) return cls;
  for (size_t row = 0; row < kNumComputeChecks; ++row)
    if (name == kComputeChecks[row].name) return Inject(size_t(Inject::kComputeCheck) + row);
  // Too many to list in one sentence (std::size(kClasses) + kNumComputeChecks).
  throw InputError("--inject " + ClipText(name) + " is not one of the " +
                   std::to_string(std::size(kClasses) + kNumComputeChecks) +
                   " error classes (listed in tb/inject.h; --help names them)");
}

std::string InjectError(Inject cls, const HwConfig& cfg, Bundle& bundle) {
  if (cls == Inject::kNone || cls == Inject::kAbort) return "";
  Program prog(bundle);
  if (cls >= Inject::kComputeCheck) return InjectComputeCheck(ComputeCheckOf(cls), cfg, prog);
  switch (cls) {
    case Inject::kIllegalOpcode: {
      Instruction& in = prog.Find(cls, "a compute instruction", false, IsCompute);
      const uint8_t unused = UnusedOpcode();
      prog.Store(in, unused, isa::Disassemble(in) + " (opcode byte " + std::to_string(unused) + ")");
      return Where(in) + " gets the unused opcode " + std::to_string(unused);
    }
    case Inject::kIllegalField: {
      Instruction& in = prog.Find(cls, "a compute instruction", false, IsCompute);
      in.compute.stride_h = 0;
      prog.Store(in);
      return Where(in) + " gets stride_h 0";
    }
    case Inject::kDramRange: {
      Instruction& in = prog.Find(cls, "a DMA_WRITE", true, IsDmaWrite);
      in.dma.dram_addr = (bundle.dram.size() + 4095) / 4096 * 4096;  // a page past the image
      prog.Store(in);
      return Where(in) + " writes DRAM from byte " + std::to_string(in.dma.dram_addr) +
             ", past the image of " + std::to_string(bundle.dram.size()) + " bytes";
    }
    case Inject::kWatchdog: {
      Instruction& in = prog.Find(cls, "a compute instruction", false, IsCompute);
      const unsigned flag = UnsetFlag(cls, prog.instrs, in);
      in.compute.wait_set |= uint64_t(1) << flag;
      prog.Store(in);
      return Where(in) + " also waits for flag " + std::to_string(flag) + ", which no instruction sets";
    }
    case Inject::kSramRange: {
      Instruction& in = prog.Find(cls, "a DMA_READ", false, IsDmaRead);
      const uint64_t extent = isa::DmaSramEnd(in) - in.dma.sram_addr;
      in.dma.sram_addr = cfg.sram_bytes - extent / 2 / 16 * 16;  // the second half runs past the end
      prog.Store(in);
      return Where(in) + " writes SRAM bytes " + std::to_string(in.dma.sram_addr) + ".." +
             std::to_string(in.dma.sram_addr + extent - 1) + ", past the SRAM of " +
             std::to_string(cfg.sram_bytes) + " bytes";
    }
    case Inject::kRace: {
      Instruction& in =
          prog.Find(cls, "a DMA that waits for a clear flag (frames > buffers)", false, IsDmaWaitingClear);
      in.dma.wait_clear = 0;
      prog.Store(in);
      return Where(in) + " no longer waits for its buffer to be free";
    }
    case Inject::kEmptyProgram:
      bundle.prog_words = 0;
      return "the program is empty (prog_words 0)";
    case Inject::kIllegalWaiting: {
      Instruction& in = prog.Find(cls, "a compute instruction", false, IsCompute);
      const unsigned flag = UnsetFlag(cls, prog.instrs, in);
      in.compute.wait_set |= uint64_t(1) << flag;
      in.compute.stride_h = 0;
      prog.Store(in);
      return Where(in) + " gets stride_h 0 and waits for flag " + std::to_string(flag) +
             ", which no instruction sets";
    }
    case Inject::kStallThenOpcode: {
      Instruction& in = prog.Find(cls, "a compute instruction", false, IsCompute);
      const unsigned flag = UnsetFlag(cls, prog.instrs, in);
      in.compute.wait_set |= uint64_t(1) << flag;
      prog.Store(in);
      Instruction& last = prog.instrs.back();
      if (last.index == in.index)
        throw InputError(
            "--inject stall_then_opcode needs an instruction after the first compute one in the "
            "program of test '" +
            bundle.test + "'");
      const uint8_t unused = UnusedOpcode();
      prog.Store(last, unused, isa::Disassemble(last) + " (opcode byte " + std::to_string(unused) + ")");
      return Where(in) + " waits for flag " + std::to_string(flag) + ", which no instruction sets, and " +
             Where(last) + " gets the unused opcode " + std::to_string(unused);
    }
    case Inject::kDramPartialRead: {
      Instruction& in = prog.Find(cls, "a DMA_READ", false, IsDmaRead);
      const uint64_t extent = isa::DmaDramEnd(in) - in.dma.dram_addr;
      in.dma.dram_addr = bundle.dram.size() - extent / 2;
      prog.Store(in);
      return Where(in) + " reads DRAM bytes " + std::to_string(in.dma.dram_addr) + ".." +
             std::to_string(in.dma.dram_addr + extent - 1) + ", the second half past the image of " +
             std::to_string(bundle.dram.size()) + " bytes";
    }
    case Inject::kDramRangePrefetch: {
      Instruction* last = nullptr;
      for (Instruction& i : prog.instrs) {
        if (!i.IsDma()) break;
        if (i.opcode == Opcode::kDmaRead) last = &i;
      }
      if (!last)
        throw InputError(
            "--inject dram_range_prefetch needs a DMA_READ before the first compute "
            "instruction in the program of test '" +
            bundle.test + "'");
      last->dma.dram_addr = (bundle.dram.size() + 4095) / 4096 * 4096;  // a page past the image
      prog.Store(*last);
      return Where(*last) + " reads DRAM from byte " + std::to_string(last->dma.dram_addr) +
             ", past the image of " + std::to_string(bundle.dram.size()) + " bytes";
    }
    // sequencer and SIMD checks (issue 20 coverage)
    case Inject::kSimdLenZero:
    case Inject::kSimdLenOver: {
      // It also waits for a flag nobody sets: it never starts, so only the decoder can find it.
      Instruction& in = prog.Find(cls, "a compute instruction", false, IsCompute);
      const unsigned flag = UnsetFlag(cls, prog.instrs, in);
      in.compute.wait_set |= uint64_t(1) << flag;
      prog.Store(in);
      const uint8_t len = cls == Inject::kSimdLenZero ? 0 : uint8_t(isa::kMaxSimdInstrs + 1);
      prog.StoreByte(in, 1, len, isa::Disassemble(in) + " (simd_len " + std::to_string(len) + ")");
      return Where(in) + " gets simd_len " + std::to_string(len) + " and waits for flag " +
             std::to_string(flag) + ", which no instruction sets";
    }
    case Inject::kProgramCut: {
      const Instruction& in = prog.Find(cls, "an instruction of several words", true, HasSeveralWords);
      bundle.prog_words = in.word + in.words - 1;
      return "the program ends after " + std::to_string(bundle.prog_words) + " words, inside " + Where(in);
    }
    case Inject::kSimdComparePred0:
    case Inject::kSimdPredWriteRange:
    case Inject::kSimdPredReadRange:
    case Inject::kSimdBadDtype:
    case Inject::kSimdLdparamImm:
    case Inject::kSimdBadOp:
    case Inject::kSimdDstRange:
    case Inject::kSimdSrcARange:
    case Inject::kSimdSrcBRange: {
      Instruction& in = prog.Find(cls, "a compute instruction", false, IsCompute);
      isa::SimdInstr& s = in.simd.at(0);
      s = isa::SimdInstr{};
      s.op = isa::SimdOp::kCmplt;
      if (cls == Inject::kSimdComparePred0) {
        s.dst = 0;
      } else if (cls == Inject::kSimdPredWriteRange) {
        s.dst = isa::kSimdPreds;
      } else if (cls == Inject::kSimdPredReadRange) {
        s.op = isa::SimdOp::kFusedRelu;
        s.pred = isa::kSimdPreds;
      } else if (cls == Inject::kSimdBadDtype) {
        s.op = isa::SimdOp::kAdd;
        uint8_t unused = 0;  // the first value of the field that is no dtype
        while (isa::IsDtype(unused)) ++unused;
        s.dtype = isa::Dtype(unused);
      } else if (cls == Inject::kSimdLdparamImm) {
        s.op = isa::SimdOp::kLdparam;
        s.imm = simd::kLastParam + 1;
      } else if (cls == Inject::kSimdBadOp) {
        s.op = UnusedSimdOp();
      } else {
        s.op = isa::SimdOp::kAdd;
        s.dtype = isa::Dtype::kI32;
        if (cls == Inject::kSimdDstRange) s.dst = isa::kSimdRegs;
        if (cls == Inject::kSimdSrcARange) s.src_a = isa::kSimdRegs;
        if (cls == Inject::kSimdSrcBRange) s.src_b = isa::kSimdRegs;
      }
      prog.Store(in);
      return Where(in) + " gets the SIMD instruction " + isa::Disassemble(s);
    }
    case Inject::kProgSramRange: {
      const uint64_t bytes = bundle.prog_words * isa::kWordBytes;
      bundle.prog_sram_addr = cfg.sram_bytes - bytes / 2 / isa::kWordBytes * isa::kWordBytes;
      return "the program load writes SRAM bytes " + std::to_string(bundle.prog_sram_addr) + ".." +
             std::to_string(bundle.prog_sram_addr + bytes - 1) + ", past the SRAM of " +
             std::to_string(cfg.sram_bytes) + " bytes";
    }
    case Inject::kProgWordsHuge:
      bundle.prog_words = isa::DmaInstr::kMaxRowBytes / isa::kWordBytes + 1;
      return "prog_words " + std::to_string(bundle.prog_words) + ", longer than one DMA row of " +
             std::to_string(isa::DmaInstr::kMaxRowBytes) + " bytes";
    case Inject::kProgDramRange:
      bundle.prog_dram_addr = PagePast(bundle.dram);
      return "the program load reads DRAM from byte " + std::to_string(bundle.prog_dram_addr) +
             ", past the image of " + std::to_string(bundle.dram.size()) + " bytes";
    case Inject::kProgDramPartial: {
      const uint64_t bytes = bundle.prog_words * isa::kWordBytes;
      bundle.prog_dram_addr = bundle.dram.size() - bytes / 2;
      return "the program load reads DRAM bytes " + std::to_string(bundle.prog_dram_addr) + ".." +
             std::to_string(bundle.prog_dram_addr + bytes - 1) + ", the second half past the image of " +
             std::to_string(bundle.dram.size()) + " bytes";
    }
    case Inject::kDmaWrite4k:
      return MoveOutputAcross4k(prog, prog.Find(cls, "a DMA_WRITE", true, IsDmaWrite));
    // DRAM extremes (issue 20 coverage)
    case Inject::kDmaReadHigh:
    case Inject::kDmaWriteHigh: {
      const bool read = cls == Inject::kDmaReadHigh;
      Instruction& in = read ? prog.Find(cls, "a DMA_READ", false, IsDmaRead)
                             : prog.Find(cls, "a DMA_WRITE", true, IsDmaWrite);
      in.dma.dram_addr = kLastDramPage;
      if (isa::DmaDramEnd(in) > isa::DmaInstr::kMaxDramAddr + 1)
        throw InputError(std::string("--inject ") + ToString(cls) + ": " + Where(in) + " spans " +
                         std::to_string(isa::DmaDramEnd(in) - in.dma.dram_addr) +
                         " bytes of DRAM, more than the last page below 2^48");
      prog.Store(in);
      return Where(in) + (read ? " reads" : " writes") + " DRAM from byte " +
             std::to_string(in.dma.dram_addr) + " (2^48 - 4096), past the image of " +
             std::to_string(bundle.dram.size()) + " bytes";
    }
    case Inject::kProgDramHigh:
      bundle.prog_dram_addr = kLastDramPage;
      return "the program load reads DRAM from byte " + std::to_string(bundle.prog_dram_addr) +
             " (2^48 - 4096), past the image of " + std::to_string(bundle.dram.size()) + " bytes";
    case Inject::kDmaStrideHuge: {
      Instruction& in = prog.Find(cls, "a DMA_READ of several rows", false, IsDmaReadOfRows);
      in.dma.dram_stride = isa::DmaInstr::kMaxDramStride;
      prog.Store(in);
      return Where(in) + " gets dram_stride " + std::to_string(in.dma.dram_stride) +
             ": its rows after the first lie past the image of " + std::to_string(bundle.dram.size()) +
             " bytes";
    }
    case Inject::kDmaPlaneStrideHuge: {
      Instruction& in = prog.Find(cls, "a DMA_READ with a planes word", false, IsDmaReadOfPlanes);
      const uint64_t plane_bytes = (in.dma.rows - 1) * in.dma.dram_stride + in.dma.row_bytes;
      const uint64_t second = isa::DmaInstr::kMaxDramAddr + 1 - (plane_bytes + 4095) / 4096 * 4096;
      in.planes.planes = 2;  // a third plane would pass 2^48
      in.planes.dram_plane_stride = second - in.dma.dram_addr;
      prog.Store(in);
      return Where(in) + " gets 2 planes and dram_plane_stride " +
             std::to_string(in.planes.dram_plane_stride) + ": its second plane starts at DRAM byte " +
             std::to_string(second) + ", past the image of " + std::to_string(bundle.dram.size()) + " bytes";
    }
    case Inject::kSimdEverySlotOpcode:
    case Inject::kSimdEverySlotField: {
      Instruction& in = prog.Find(cls, "a compute instruction with max_simd_instrs SIMD instructions", false,
                                  [](const Instruction& i) { return i.simd.size() == isa::kMaxSimdInstrs; });
      const bool opcode_first = cls == Inject::kSimdEverySlotOpcode;
      for (size_t k = 1; k < in.simd.size(); ++k) {
        isa::SimdInstr& s = in.simd[k];
        if ((k % 2 == 1) == opcode_first) {
          s.op = UnusedSimdOp();
        } else {
          s = isa::SimdInstr{};
          s.op = isa::SimdOp::kAdd;
          s.dtype = isa::Dtype::kI32;
          s.dst = isa::kSimdRegs;
        }
      }
      prog.Store(in);
      return Where(in) + "'s SIMD instructions 1 to " + std::to_string(in.simd.size() - 1) +
             " each fail a check, " +
             (opcode_first ? "an unused op first" : "a destination past the registers first");
    }
    case Inject::kParamsIgnoredBits: {
      uint64_t records = 0;
      for (const Region& r : bundle.regions) {
        if (r.kind != "params") continue;
        for (uint64_t at = r.dram_addr; at + isa::ChannelParamsRecord::kBytes <= r.dram_addr + r.bytes;
             at += isa::ChannelParamsRecord::kBytes, ++records) {
          isa::ChannelParamsRecord rec = isa::DecodeChannelParamsRecord(&bundle.dram.at(at));
          rec.reserved = 0xA5;
          rec.reserved2 = 0xFF5A;
          const auto bytes = isa::Encode(rec);
          std::copy(bytes.begin(), bytes.end(), bundle.dram.begin() + at);
        }
      }
      if (records == 0) {
        throw InputError("--inject params_ignored_bits needs a parameter region in the program of test '" +
                         bundle.test + "', which has none");
      }
      return std::to_string(records) + " channel_params records get their reserved fields set";
    }
    default:
      return "";
  }
}

}  // namespace nna::tb
