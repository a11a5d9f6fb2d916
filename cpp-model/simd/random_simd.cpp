#include "simd/random_simd.h"

#include <cmath>
#include <cstring>

#include "nna/isa.h"
#include "simd/simd_program.h"

namespace nna::simd {

namespace {

// Every value of an enum, from the generated membership test, so new values are drawn too.
template <typename Is>
std::vector<uint64_t> Values(uint64_t count, Is is_value) {
  std::vector<uint64_t> v;
  for (uint64_t raw = 0; raw < count; ++raw)
    if (is_value(raw)) v.push_back(raw);
  return v;
}

template <typename T>
T Pick(SplitMix64& rng, const std::vector<T>& v) {
  return v[rng.Range(0, v.size() - 1)];
}

// Immediates that hit the edges: integer range limits, float specials (infinities, NaNs of both
// kinds, denormals, signed zeros, the int32 conversion limits), small values, anything.
uint32_t RandomImm(SplitMix64& rng) {
  static const std::vector<uint32_t> edges = {
      0,          1,          2,          7,          8,          15,         16,         31,
      0xFFFFFFFF, 0x7F,       0x80,       0xFF,       0xFFFFFF80, 0x7FFF,     0xFFFF8000, 0xFFFF,
      0x7FFFFFFF, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0xFFC12345, 0x00000001,
      0x807FFFFF, 0x3F800000, 0x3F000000, 0x3FC00000, 0xBF800000, 0x4F000000, 0xCF000000, 0x4B000001};
  switch (rng.Range(0, 3)) {
    case 0:
      return Pick(rng, edges);
    case 1:
      return uint32_t(int32_t(rng.Range(0, 64)) - 32);
    case 2: {  // a float of moderate magnitude: exponent within 2^-20 .. 2^20
      const uint32_t sign = uint32_t(rng.Range(0, 1)) << 31, exp = uint32_t(rng.Range(107, 147)) << 23;
      return sign | exp | uint32_t(rng.Range(0, 0x7FFFFF));
    }
    default:
      return uint32_t(rng.Next());
  }
}

}  // namespace

std::vector<isa::SimdInstr> RandomSimdProgram(SplitMix64& rng) {
  // LUT reads a table of its compute instruction's, not of the program: its own tests draw one
  // (docs/simd.md); leaving it out also keeps every seed's program what it was before LUT.
  static const std::vector<uint64_t> ops =
      Values(256, [](uint64_t v) { return isa::IsSimdOp(v) && isa::SimdOp(v) != isa::SimdOp::kLut; });
  static const std::vector<uint64_t> dtypes = Values(8, isa::IsDtype);
  std::vector<uint64_t> int_dtypes;
  for (uint64_t d : dtypes)
    if (isa::Dtype(d) != isa::Dtype::kF32) int_dtypes.push_back(d);

  const uint64_t len = rng.Range(1, isa::kMaxSimdInstrs);
  std::vector<isa::SimdInstr> prog;
  for (uint64_t k = 0; k + 1 < len; ++k) {
    isa::SimdInstr s;
    s.op = isa::SimdOp(Pick(rng, ops));
    const OpInfo info = *InfoOf(s.op);
    // Ignored fields take any value their bits hold: the contract says they do not matter.
    s.dst = !info.has_dst      ? rng.Range(0, 15)
            : info.writes_pred ? rng.Range(1, isa::kSimdPreds - 1)
                               : rng.Range(0, isa::kSimdRegs - 1);
    s.src_a = rng.Range(0, info.reads_a ? isa::kSimdRegs - 1 : 15);
    s.src_b = rng.Range(0, info.reads_b ? isa::kSimdRegs - 1 : 15);
    s.pred = !info.reads_pred ? rng.Range(0, 7) : rng.Chance(50) ? 0 : rng.Range(1, isa::kSimdPreds - 1);
    s.pred_neg = rng.Chance(25);
    switch (info.dtype) {
      case DtypeClass::kInteger:
        s.dtype = isa::Dtype(Pick(rng, int_dtypes));
        break;
      case DtypeClass::kFloat:
        s.dtype = isa::Dtype::kF32;
        break;
      case DtypeClass::kByte:
        s.dtype = rng.Chance(50) ? isa::Dtype::kI8 : isa::Dtype::kU8;
        break;
      case DtypeClass::kIgnored:
        s.dtype = isa::Dtype(rng.Range(0, 7));
        break;
    }
    s.flags = rng.Range(0, 31);
    s.imm = s.op == isa::SimdOp::kLdparam ? rng.Range(0, kLastParam) : RandomImm(rng);
    prog.push_back(s);
  }
  // The last instruction leaves a byte's value in v0 in every lane; it mostly reads the register
  // written last, so that the output byte depends on the program.
  int last_written = -1;
  for (const auto& s : prog)
    if (InfoOf(s.op)->has_dst && !InfoOf(s.op)->writes_pred) last_written = s.dst;
  isa::SimdInstr last;
  last.src_a =
      (last_written >= 0 && rng.Chance(80)) ? uint8_t(last_written) : rng.Range(0, isa::kSimdRegs - 1);
  if (rng.Chance(50)) {
    last.op = isa::SimdOp::kFusedRelu;
    last.flags = rng.Range(0, 31);
    last.dtype = isa::Dtype(rng.Range(0, 7));
  } else {
    last.op = isa::SimdOp::kSat;
    last.dtype = rng.Chance(50) ? isa::Dtype::kI8 : isa::Dtype::kU8;
  }
  prog.push_back(last);
  return prog;
}

ref::ChannelParams RandomChannelParams(SplitMix64& rng) {
  ref::ChannelParams p;
  p.bias = rng.Chance(50) ? int32_t(rng.Range(0, 2000)) - 1000 : int32_t(uint32_t(rng.Next()));
  p.scale = uint16_t(rng.Chance(50) ? rng.Range(0, 300) : rng.Range(0, isa::ChannelParamsRecord::kMaxScale));
  p.shift = uint8_t(rng.Chance(80) ? rng.Range(0, 40) : rng.Range(0, 255));
  p.zero_point = int16_t(int32_t(rng.Range(0, 511)) - 128);  // int8's and uint8's, and beyond
  // A multiplier of 20 significant bits below 1, or any bits (NaN, infinities, denormals).
  if (rng.Chance(50)) {
    p.multiplier = std::ldexp(float(rng.Range(1, (1u << 20) - 1)), -int(rng.Range(20, 40)));
  } else {
    const uint32_t bits = uint32_t(rng.Next());
    std::memcpy(&p.multiplier, &bits, sizeof bits);
  }
  return p;
}

int32_t RandomAcc30(SplitMix64& rng) {
  static const std::vector<int32_t> edges = {-(1 << 29), -(1 << 29) + 1, -1,           0,
                                             1,          (1 << 29) - 2,  (1 << 29) - 1};
  switch (rng.Range(0, 2)) {
    case 0:
      return Pick(rng, edges);
    case 1:
      return int32_t(rng.Range(0, 2000)) - 1000;
    default:
      return int32_t(rng.Range(0, (1u << isa::kAccBits) - 1)) - (1 << (isa::kAccBits - 1));
  }
}

}  // namespace nna::simd
