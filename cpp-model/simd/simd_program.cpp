#include "simd/simd_program.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "fp32/fp32.h"

namespace nna::simd {

std::optional<OpInfo> InfoOf(isa::SimdOp op) {
  using isa::SimdOp;
  OpInfo i;
  switch (op) {
    case SimdOp::kNop:
      i.has_dst = i.reads_pred = false;
      return i;
    case SimdOp::kMovi:
    case SimdOp::kLdparam:
      return i;
    case SimdOp::kMov:
    case SimdOp::kFusedRelu:
      i.reads_a = true;
      return i;
    case SimdOp::kSel:
      i.reads_a = i.reads_b = true;
      return i;
    case SimdOp::kSat:
      i.reads_a = true;
      i.dtype = DtypeClass::kInteger;
      return i;
    case SimdOp::kCmpeq:
    case SimdOp::kCmplt:
    case SimdOp::kCmple:
      i.writes_pred = true;
      [[fallthrough]];
    case SimdOp::kAdd:
    case SimdOp::kSub:
    case SimdOp::kMul:
    case SimdOp::kShl:
    case SimdOp::kShr:
    case SimdOp::kMin:
    case SimdOp::kMax:
    case SimdOp::kAnd:
    case SimdOp::kOr:
    case SimdOp::kXor:
      i.reads_a = i.reads_b = true;
      i.dtype = DtypeClass::kInteger;
      return i;
    case SimdOp::kFcmplt:
      i.writes_pred = true;
      [[fallthrough]];
    case SimdOp::kFadd:
    case SimdOp::kFmul:
    case SimdOp::kFma:
    case SimdOp::kFmin:
    case SimdOp::kFmax:
      i.reads_a = i.reads_b = true;
      i.dtype = DtypeClass::kFloat;
      return i;
    case SimdOp::kI2f:
    case SimdOp::kF2i:
      i.reads_a = true;
      i.dtype = DtypeClass::kFloat;
      return i;
    case SimdOp::kLut:
      i.reads_a = true;
      i.dtype = DtypeClass::kByte;
      return i;
  }
  return std::nullopt;
}

std::optional<ProgramError> CheckProgram(const std::vector<isa::SimdInstr>& program) {
  for (size_t k = 0; k < program.size(); ++k) {
    const isa::SimdInstr& s = program[k];
    const std::string at = "simd[" + std::to_string(k) + "]";
    const auto info = InfoOf(s.op);
    if (!info)
      return ProgramError{isa::ErrorCode::kIllegalOpcode, uint32_t(k),
                          at + " has op " + std::to_string(uint64_t(s.op)) + " (not a simd_op)"};
    auto bad = [&](const char* field, uint64_t value, const std::string& why) {
      return ProgramError{isa::ErrorCode::kIllegalField, uint32_t(k),
                          at + " (" + isa::ToString(s.op) + ") has " + field + " " + std::to_string(value) +
                              " (" + why + ")"};
    };
    if (info->has_dst) {
      if (info->writes_pred && (s.dst == 0 || s.dst >= isa::kSimdPreds))
        return bad("dst", s.dst, "compares write p1..p3");
      if (!info->writes_pred && s.dst >= isa::kSimdRegs) return bad("dst", s.dst, "registers are v0..v7");
    }
    if (info->reads_a && s.src_a >= isa::kSimdRegs) return bad("src_a", s.src_a, "registers are v0..v7");
    if (info->reads_b && s.src_b >= isa::kSimdRegs) return bad("src_b", s.src_b, "registers are v0..v7");
    if (info->reads_pred && s.pred >= isa::kSimdPreds) return bad("pred", s.pred, "predicates are p0..p3");
    if (info->dtype != DtypeClass::kIgnored) {
      const uint64_t dt = uint64_t(s.dtype);
      if (!isa::IsDtype(dt)) return bad("dtype", dt, "not a dtype");
      const bool is_float = s.dtype == isa::Dtype::kF32;
      if (info->dtype == DtypeClass::kInteger && is_float)
        return bad("dtype", dt, "f32; the op needs i32, i16, i8 or u8");
      if (info->dtype == DtypeClass::kFloat && !is_float)
        return bad("dtype", dt, std::string(isa::ToString(s.dtype)) + "; the op needs f32");
      if (info->dtype == DtypeClass::kByte && s.dtype != isa::Dtype::kI8 && s.dtype != isa::Dtype::kU8)
        return bad("dtype", dt, std::string(isa::ToString(s.dtype)) + "; the op needs i8 or u8");
    }
    if (s.op == isa::SimdOp::kLdparam && s.imm > kLastParam)
      return bad("imm", s.imm, "channel parameters are 0 bias, 1 scale, 2 shift, 3 zero point, 4 multiplier");
  }
  return std::nullopt;
}

namespace {

struct IntType {
  unsigned width;
  bool is_signed;
};

IntType IntTypeOf(isa::Dtype d) {
  switch (d) {
    case isa::Dtype::kI32:
      return {32, true};
    case isa::Dtype::kI16:
      return {16, true};
    case isa::Dtype::kI8:
      return {8, true};
    case isa::Dtype::kU8:
      return {8, false};
    case isa::Dtype::kF32:
      break;
  }
  throw std::logic_error("SIMD integer op with dtype " + std::to_string(uint64_t(d)) +
                         ": run CheckProgram first");
}

// The dtype's value of a register: its low `width` bits, sign- or zero-extended.
int64_t Operand(uint32_t reg, IntType t) {
  if (t.width == 32) return t.is_signed ? int64_t(int32_t(reg)) : int64_t(reg);
  const uint32_t low = reg & ((1u << t.width) - 1);
  const bool negative = t.is_signed && (low >> (t.width - 1)) != 0;
  return negative ? int64_t(low) - (int64_t(1) << t.width) : int64_t(low);
}

// An exact result wrapped to the dtype and extended to 32 bits.
uint32_t Wrap(int64_t exact, IntType t) { return uint32_t(Operand(uint32_t(uint64_t(exact)), t)); }

uint32_t IntOp(const isa::SimdInstr& s, uint32_t ra, uint32_t rb) {
  const IntType t = IntTypeOf(s.dtype);
  const int64_t a = Operand(ra, t), b = Operand(rb, t);
  const unsigned shift = unsigned(uint64_t(b) & (t.width - 1));  // b mod width
  switch (s.op) {
    case isa::SimdOp::kAdd:
      return Wrap(a + b, t);
    case isa::SimdOp::kSub:
      return Wrap(a - b, t);
    case isa::SimdOp::kMul:
      return Wrap(int64_t(uint64_t(a) * uint64_t(b)), t);  // low bits only matter
    case isa::SimdOp::kShl:
      return Wrap(int64_t(uint64_t(a) << shift), t);
    case isa::SimdOp::kShr:
      // a is extended by the dtype's signedness, so one arithmetic shift is logical for u8.
      if ((s.flags & 1) && shift > 0) return Wrap((a + (int64_t(1) << (shift - 1))) >> shift, t);
      return Wrap(a >> shift, t);
    case isa::SimdOp::kMin:
      return Wrap(std::min(a, b), t);
    case isa::SimdOp::kMax:
      return Wrap(std::max(a, b), t);
    case isa::SimdOp::kAnd:
      return Wrap(a & b, t);
    case isa::SimdOp::kOr:
      return Wrap(a | b, t);
    case isa::SimdOp::kXor:
      return Wrap(a ^ b, t);
    case isa::SimdOp::kSat: {
      const int64_t lo = t.is_signed ? -(int64_t(1) << (t.width - 1)) : 0;
      const int64_t hi = t.is_signed ? (int64_t(1) << (t.width - 1)) - 1 : (int64_t(1) << t.width) - 1;
      return Wrap(std::clamp(int64_t(int32_t(ra)), lo, hi), t);  // va read as i32
    }
    default:
      break;
  }
  throw std::logic_error(std::string("IntOp: not an integer op: ") + isa::ToString(s.op));
}

bool IntCompare(const isa::SimdInstr& s, uint32_t ra, uint32_t rb) {
  const IntType t = IntTypeOf(s.dtype);
  const int64_t a = Operand(ra, t), b = Operand(rb, t);
  if (s.op == isa::SimdOp::kCmpeq) return a == b;
  if (s.op == isa::SimdOp::kCmplt) return a < b;
  return a <= b;
}

uint32_t Param(const ref::ChannelParams& p, uint64_t which) {
  switch (which) {
    case 0:
      return uint32_t(p.bias);
    case 1:
      return p.scale;
    case 2:
      return p.shift;
    case 3:
      return uint32_t(int32_t(p.zero_point));
    case 4: {
      uint32_t bits;
      std::memcpy(&bits, &p.multiplier, sizeof bits);
      return bits;
    }
  }
  throw std::logic_error("ldparam imm " + std::to_string(which) + ": run CheckProgram first");
}

}  // namespace

LaneState RowEntry(int32_t acc30) {
  LaneState st;
  st.v[0] = uint32_t(ref::WrapAcc(acc30));  // bits 31:30 ignored, bit 29 sign-extended
  return st;
}

LaneState PairEntry(isa::EltwiseOp op, int32_t a30, int32_t b30) {
  const int32_t a = ref::WrapAcc(a30), b = ref::WrapAcc(b30);
  LaneState st;
  switch (op) {
    case isa::EltwiseOp::kAdd:
      st.v[0] = uint32_t(a) + uint32_t(b);
      break;
    case isa::EltwiseOp::kMul:
      st.v[0] = uint32_t(a) * uint32_t(b);
      break;  // low 32 bits
    case isa::EltwiseOp::kMax:
      st.v[0] = uint32_t(std::max(a, b));
      break;
    default:
      throw std::logic_error("eltwise_op " + std::to_string(uint64_t(op)) + ": check the instruction first");
  }
  st.v[1] = uint32_t(a);
  st.v[2] = uint32_t(b);
  return st;
}

LaneState RunLaneState(const std::vector<isa::SimdInstr>& program, int32_t acc30,
                       const ref::ChannelParams& params, const uint8_t* lut) {
  return RunLaneState(program, RowEntry(acc30), params, lut);
}

bool HasLut(const std::vector<isa::SimdInstr>& program) {
  return std::any_of(program.begin(), program.end(),
                     [](const isa::SimdInstr& s) { return s.op == isa::SimdOp::kLut; });
}

LaneState RunLaneState(const std::vector<isa::SimdInstr>& program, LaneState st,
                       const ref::ChannelParams& params, const uint8_t* lut) {
  for (const isa::SimdInstr& s : program) {
    const auto info = InfoOf(s.op);
    if (!info)
      throw std::logic_error("SIMD op " + std::to_string(uint64_t(s.op)) + ": run CheckProgram first");
    if (s.op == isa::SimdOp::kNop) continue;
    if (info->dtype == DtypeClass::kFloat && s.dtype != isa::Dtype::kF32)
      throw std::logic_error(std::string("SIMD ") + isa::ToString(s.op) +
                             " without f32: run CheckProgram first");
    // .at() turns an unchecked register index into std::out_of_range (a std::logic_error).
    const uint32_t a = info->reads_a ? st.v.at(s.src_a) : 0;
    const uint32_t b = info->reads_b ? st.v.at(s.src_b) : 0;
    const bool enabled = st.p.at(s.pred) != (s.pred_neg != 0);
    uint32_t result = 0;
    bool cond = false;
    switch (s.op) {
      case isa::SimdOp::kMov:
        result = a;
        break;
      case isa::SimdOp::kMovi:
        result = uint32_t(s.imm);
        break;
      case isa::SimdOp::kSel:
        result = st.p[s.imm % isa::kSimdPreds] ? a : b;
        break;
      case isa::SimdOp::kLdparam:
        result = Param(params, s.imm);
        break;
      case isa::SimdOp::kFusedRelu:
        result = uint32_t(ref::FusedRelu(int32_t(a), params, s.flags & 1, s.flags & 2));
        break;
      case isa::SimdOp::kCmpeq:
      case isa::SimdOp::kCmplt:
      case isa::SimdOp::kCmple:
        cond = IntCompare(s, a, b);
        break;
      case isa::SimdOp::kFadd:
        result = fp32::Add(a, b);
        break;
      case isa::SimdOp::kFmul:
        result = fp32::Mul(a, b);
        break;
      case isa::SimdOp::kFma:
        result = fp32::Fma(a, b, st.v.at(s.dst));
        break;
      case isa::SimdOp::kFmin:
        result = fp32::Min(a, b);
        break;
      case isa::SimdOp::kFmax:
        result = fp32::Max(a, b);
        break;
      case isa::SimdOp::kFcmplt:
        cond = fp32::CmpLt(a, b) != 0;
        break;
      case isa::SimdOp::kI2f:
        result = fp32::IntToFloat(a);
        break;
      case isa::SimdOp::kF2i:
        result = fp32::FloatToInt(a);
        break;
      case isa::SimdOp::kLut: {
        if (!lut) throw std::logic_error("SIMD lut without a table: pass the instruction's table");
        const uint8_t byte = lut[a & 0xFF];
        result = s.dtype == isa::Dtype::kI8 ? uint32_t(int32_t(int8_t(byte))) : uint32_t(byte);
        break;
      }
      default:
        result = IntOp(s, a, b);
        break;
    }
    if (!enabled) continue;
    if (info->writes_pred) {
      if (s.dst == 0) throw std::logic_error("SIMD compare writes p0: run CheckProgram first");
      st.p.at(s.dst) = cond;
    } else {
      st.v.at(s.dst) = result;
    }
  }
  return st;
}

uint8_t RunLane(const std::vector<isa::SimdInstr>& program, int32_t acc30, const ref::ChannelParams& params,
                const uint8_t* lut) {
  return uint8_t(RunLaneState(program, acc30, params, lut).v[0]);
}

}  // namespace nna::simd
