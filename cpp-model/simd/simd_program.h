// The SIMD unit's instruction set as an executable reference: the legality check of a program and
// the interpreter of one lane, written from docs/simd.md. The golden model runs every SIMD program
// through them, so the RTL must agree with this file bit for bit.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nna/isa.h"
#include "ref/ref_ops.h"

namespace nna::simd {

// Which fields an operation reads and which dtypes it accepts: the single table behind the checks,
// the interpreter and the random program generator.
enum class DtypeClass { kIgnored, kInteger, kFloat, kByte };  // kByte: i8 or u8 (LUT)
struct OpInfo {
  bool writes_pred = false;  // dst names p1..p3 (compares)
  bool has_dst = true;       // all but nop
  bool reads_a = false;
  bool reads_b = false;
  bool reads_pred = true;  // pred and pred_neg (all but nop)
  DtypeClass dtype = DtypeClass::kIgnored;
};
// Nothing for a value that is not a simd_op.
std::optional<OpInfo> InfoOf(isa::SimdOp op);

// LDPARAM's largest index: 0 bias, 1 scale, 2 shift, 3 zero point, 4 multiplier (spec/isa.yaml).
constexpr uint64_t kLastParam = 4;

struct ProgramError {
  isa::ErrorCode code = isa::ErrorCode::kNone;  // kIllegalOpcode or kIllegalField
  uint32_t simd_index = 0;                      // the first illegal instruction
  std::string message;                          // "simd[2] (add) has src_b 9 (registers are v0..v7)"
};

// The first illegal instruction of the program, in the order of docs/simd.md "Legality"; nothing
// when every instruction is legal. The program's length is the decoder's business, not checked here.
std::optional<ProgramError> CheckProgram(const std::vector<isa::SimdInstr>& program);

struct LaneState {
  std::array<uint32_t, isa::kSimdRegs> v{};  // bit patterns; the dtype says how to read them
  std::array<bool, isa::kSimdPreds> p{true, false, false, false};  // p0 reads as true, is never written
};

// The registers a row starts its program with. acc30 is the accumulator's 30-bit pattern: bits
// 31:30 are ignored and bit 29 is sign-extended into v0; the other registers are 0.
LaneState RowEntry(int32_t acc30);

// ELTWISE's second row of a pair (docs/architecture.md, "SIMD-only instructions"): a and b are the
// rows' accumulators (sign-extended as in RowEntry); v0 = a op b on int32 (add and mul wrap),
// v1 = a, v2 = b, the others 0. An eltwise_op above max throws std::logic_error.
LaneState PairEntry(isa::EltwiseOp op, int32_t a30, int32_t b30);

// Runs a program that passed CheckProgram on one lane from its entry registers (RowEntry or
// PairEntry). lut: the instruction's table of isa::kLutBytes bytes (docs/simd.md, "The table");
// nullptr when the program has no LUT. An illegal program, or a LUT without a table, throws
// std::logic_error.
LaneState RunLaneState(const std::vector<isa::SimdInstr>& program, LaneState entry,
                       const ref::ChannelParams& params, const uint8_t* lut = nullptr);

// RunLaneState from RowEntry(acc30).
LaneState RunLaneState(const std::vector<isa::SimdInstr>& program, int32_t acc30,
                       const ref::ChannelParams& params, const uint8_t* lut = nullptr);

// The lane's output byte, v0[7:0] of RunLaneState.
uint8_t RunLane(const std::vector<isa::SimdInstr>& program, int32_t acc30, const ref::ChannelParams& params,
                const uint8_t* lut = nullptr);

// Whether the program has a LUT instruction: then its compute instruction loads the table.
bool HasLut(const std::vector<isa::SimdInstr>& program);

// One instruction, built field by field: Ins(op, dst, a, b).Dt(...).Imm(...).If(pred, neg); the
// fields left out keep isa::SimdInstr's defaults.
struct Ins {
  isa::SimdInstr s;
  explicit Ins(isa::SimdOp op, uint64_t dst = 0, uint64_t a = 0, uint64_t b = 0) {
    s.op = op;
    s.dst = dst;
    s.src_a = a;
    s.src_b = b;
  }
  Ins& Dt(isa::Dtype d) {
    s.dtype = d;
    return *this;
  }
  Ins& Imm(uint64_t v) {
    s.imm = v;
    return *this;
  }
  Ins& Flags(uint64_t v) {
    s.flags = v;
    return *this;
  }
  Ins& If(uint64_t pred, bool negate = false) {
    s.pred = pred;
    s.pred_neg = negate;
    return *this;
  }
  operator isa::SimdInstr() const { return s; }
};

}  // namespace nna::simd
