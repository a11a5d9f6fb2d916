#include "simd/simd_program.h"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "fp32/fp32.h"

using namespace nna;
using nna::isa::Dtype;
using nna::isa::SimdOp;
using nna::simd::Ins;
using nna::simd::LaneState;
using nna::simd::RunLane;
using nna::simd::RunLaneState;

namespace {

using Program = std::vector<isa::SimdInstr>;

LaneState Run(const Program& p, int32_t acc = 0, const ref::ChannelParams& prm = {}) {
  REQUIRE_FALSE(simd::CheckProgram(p).has_value());
  return RunLaneState(p, acc, prm);
}

// v3 = op(a, b): v1 and v2 are loaded with movi first.
uint32_t Binary(SimdOp op, Dtype dt, uint32_t a, uint32_t b, uint64_t flags = 0) {
  return Run({Ins(SimdOp::kMovi, 1).Imm(a), Ins(SimdOp::kMovi, 2).Imm(b),
              Ins(op, 3, 1, 2).Dt(dt).Flags(flags)})
      .v[3];
}

// p1 = compare(a, b).
bool Compare(SimdOp op, Dtype dt, uint32_t a, uint32_t b) {
  return Run({Ins(SimdOp::kMovi, 1).Imm(a), Ins(SimdOp::kMovi, 2).Imm(b), Ins(op, 1, 1, 2).Dt(dt)}).p[1];
}

// v3 = op(a) for one-source ops.
uint32_t Unary(SimdOp op, Dtype dt, uint32_t a) {
  return Run({Ins(SimdOp::kMovi, 1).Imm(a), Ins(op, 3, 1).Dt(dt)}).v[3];
}

uint32_t U(int32_t v) { return uint32_t(v); }

}  // namespace

TEST_CASE("initial state: v0 is the 30-bit accumulator sign-extended, the rest zero", "[simd]") {
  const LaneState s = Run({Ins(SimdOp::kNop)}, 5);
  CHECK(s.v == std::array<uint32_t, 8>{5, 0, 0, 0, 0, 0, 0, 0});
  CHECK(s.p == std::array<bool, 4>{true, false, false, false});
  CHECK(Run({Ins(SimdOp::kNop)}, -(1 << 29)).v[0] == 0xE0000000);           // -2^29
  CHECK(Run({Ins(SimdOp::kNop)}, int32_t(0x20000000)).v[0] == 0xE0000000);  // bit 29 is the sign
  CHECK(Run({Ins(SimdOp::kNop)}, int32_t(0xC0000005)).v[0] == 5);           // bits 31:30 ignored
  CHECK(Run({Ins(SimdOp::kNop)}, (1 << 29) - 1).v[0] == 0x1FFFFFFF);
  // The output byte is v0[7:0]: 0x1234 -> 0x34; -2 -> 0xFE.
  CHECK(RunLane({Ins(SimdOp::kNop)}, 0x1234, {}) == 0x34);
  CHECK(RunLane({Ins(SimdOp::kNop)}, -2, {}) == 0xFE);
}

TEST_CASE("add, sub, mul wrap to the dtype and extend", "[simd]") {
  CHECK(Binary(SimdOp::kAdd, Dtype::kI32, 0x7FFFFFFF, 1) == 0x80000000);
  CHECK(Binary(SimdOp::kAdd, Dtype::kI16, 0x7FFF, 1) == 0xFFFF8000);     // 32768 wraps to -32768
  CHECK(Binary(SimdOp::kAdd, Dtype::kI8, 0x7F, 1) == 0xFFFFFF80);        // 128 wraps to -128
  CHECK(Binary(SimdOp::kAdd, Dtype::kU8, 0xFF, 1) == 0);                 // 256 wraps to 0
  CHECK(Binary(SimdOp::kAdd, Dtype::kI16, 0x00012345, 0) == 0x2345);     // upper source bits unread
  CHECK(Binary(SimdOp::kAdd, Dtype::kU8, 0xFFFFFF80, 0xFFFFFF80) == 0);  // 128 + 128 = 256
  CHECK(Binary(SimdOp::kSub, Dtype::kU8, 0, 1) == 0xFF);                 // -1 wraps to 255
  CHECK(Binary(SimdOp::kSub, Dtype::kI8, 0x80, 1) == 0x7F);              // -129 wraps to 127
  CHECK(Binary(SimdOp::kSub, Dtype::kI32, 0x80000000, 1) == 0x7FFFFFFF);
  CHECK(Binary(SimdOp::kMul, Dtype::kI16, 300, 300) == 0x5F90);             // 90000 = 0x15F90
  CHECK(Binary(SimdOp::kMul, Dtype::kI8, 0xFFFFFFFF, 0x80) == 0xFFFFFF80);  // -1 * -128 = 128 -> -128
  CHECK(Binary(SimdOp::kMul, Dtype::kU8, 16, 16) == 0);                     // 256
  CHECK(Binary(SimdOp::kMul, Dtype::kI32, 0x10000, 0x10000) == 0);          // 2^32
  CHECK(Binary(SimdOp::kMul, Dtype::kI32, U(-3), 7) == U(-21));
  CHECK(Binary(SimdOp::kMul, Dtype::kI32, 0x80000000, 0xFFFFFFFF) == 0x80000000);  // 2^31 wraps
}

TEST_CASE("min and max compare with the dtype's signedness", "[simd]") {
  CHECK(Binary(SimdOp::kMin, Dtype::kI8, 0x80, 1) == 0xFFFFFF80);  // -128 < 1
  CHECK(Binary(SimdOp::kMin, Dtype::kU8, 0x80, 1) == 1);           // 128 > 1
  CHECK(Binary(SimdOp::kMax, Dtype::kI8, 0x80, 1) == 1);
  CHECK(Binary(SimdOp::kMax, Dtype::kU8, 0x80, 1) == 0x80);
  CHECK(Binary(SimdOp::kMin, Dtype::kI32, U(-5), 3) == U(-5));
  CHECK(Binary(SimdOp::kMax, Dtype::kI16, 0xFFFF, 1) == 1);           // 0xFFFF is -1 as i16
  CHECK(Binary(SimdOp::kMin, Dtype::kI16, 0xFFFF, 1) == 0xFFFFFFFF);  // written back sign-extended
}

TEST_CASE("and, or, xor act on the dtype's bits", "[simd]") {
  CHECK(Binary(SimdOp::kAnd, Dtype::kI8, 0x1F0, 0xFF) == 0xFFFFFFF0);  // 0xF0 & 0xFF, sign-extended
  CHECK(Binary(SimdOp::kAnd, Dtype::kU8, 0x1F0, 0xFF) == 0xF0);
  CHECK(Binary(SimdOp::kOr, Dtype::kI16, 0x8000, 0x0001) == 0xFFFF8001);
  CHECK(Binary(SimdOp::kXor, Dtype::kI32, 0xFFFF0000, 0x0F0F0F0F) == 0xF0F00F0F);
  CHECK(Binary(SimdOp::kXor, Dtype::kU8, 0xAA, 0xFF) == 0x55);
}

TEST_CASE("shl shifts by vb mod width and wraps", "[simd]") {
  CHECK(Binary(SimdOp::kShl, Dtype::kI8, 0x41, 1) == 0xFFFFFF82);  // 0x82 is -126
  CHECK(Binary(SimdOp::kShl, Dtype::kI8, 0x41, 9) == 0xFFFFFF82);  // 9 mod 8 = 1
  CHECK(Binary(SimdOp::kShl, Dtype::kU8, 0x41, 1) == 0x82);
  CHECK(Binary(SimdOp::kShl, Dtype::kI32, 1, 31) == 0x80000000);
  CHECK(Binary(SimdOp::kShl, Dtype::kI32, 1, 32) == 1);                   // 32 mod 32 = 0
  CHECK(Binary(SimdOp::kShl, Dtype::kI16, 3, 0xFFFFFFFF) == 0xFFFF8000);  // -1 mod 16 = 15: 0x18000 -> 0x8000
}

TEST_CASE("shr: arithmetic for signed, logical for u8, optional round half up", "[simd]") {
  CHECK(Binary(SimdOp::kShr, Dtype::kI8, 0xF9, 1) == U(-4));             // -7 >> 1 = floor(-3.5)
  CHECK(Binary(SimdOp::kShr, Dtype::kI8, 0xF9, 1, 1) == U(-3));          // (-7 + 1) >> 1
  CHECK(Binary(SimdOp::kShr, Dtype::kU8, 0xF9, 1) == 124);               // 249 >> 1
  CHECK(Binary(SimdOp::kShr, Dtype::kU8, 0xF9, 1, 1) == 125);            // (249 + 1) >> 1
  CHECK(Binary(SimdOp::kShr, Dtype::kU8, 0xFF, 7, 1) == 2);              // (255 + 64) >> 7 = 319 >> 7
  CHECK(Binary(SimdOp::kShr, Dtype::kI32, U(-5), 2) == U(-2));           // floor(-1.25)
  CHECK(Binary(SimdOp::kShr, Dtype::kI32, U(-5), 2, 1) == U(-1));        // (-5 + 2) >> 2
  CHECK(Binary(SimdOp::kShr, Dtype::kI32, 6, 2, 1) == 2);                // 1.5 rounds up to 2
  CHECK(Binary(SimdOp::kShr, Dtype::kI32, U(-6), 2, 1) == U(-1));        // -1.5 rounds up to -1
  CHECK(Binary(SimdOp::kShr, Dtype::kI32, 7, 0, 1) == 7);                // s = 0: no rounding term
  CHECK(Binary(SimdOp::kShr, Dtype::kI8, 0xF9, 8) == U(-7));             // 8 mod 8 = 0
  CHECK(Binary(SimdOp::kShr, Dtype::kI32, 0x80000000, 31, 1) == U(-1));  // (-2^31 + 2^30) >> 31
  CHECK(Binary(SimdOp::kShr, Dtype::kI32, 0x7FFFFFFF, 31, 1) == 1);      // (2^31-1 + 2^30) >> 31, exact
  CHECK(Binary(SimdOp::kShr, Dtype::kI16, 0xABCD8000, 15) == U(-1));     // operand 0x8000 = -32768
  CHECK(Binary(SimdOp::kShr, Dtype::kU8, 0xFFFFFF80, 0x21) == 0x40);     // 128 >> (33 mod 8 = 1)
}

TEST_CASE("compares write p[dst] with the dtype's signedness", "[simd]") {
  CHECK(Compare(SimdOp::kCmplt, Dtype::kI8, 0xFF, 1));            // -1 < 1
  CHECK_FALSE(Compare(SimdOp::kCmplt, Dtype::kU8, 0xFF, 1));      // 255 < 1
  CHECK(Compare(SimdOp::kCmpeq, Dtype::kI8, 0x1FF, 0xFFFFFFFF));  // both -1 as i8
  CHECK_FALSE(Compare(SimdOp::kCmpeq, Dtype::kI32, 0x1FF, 0xFFFFFFFF));
  CHECK(Compare(SimdOp::kCmple, Dtype::kI16, 5, 5));
  CHECK_FALSE(Compare(SimdOp::kCmplt, Dtype::kI16, 5, 5));
  CHECK(Compare(SimdOp::kCmplt, Dtype::kI32, 0x80000000, 0x7FFFFFFF));
  CHECK_FALSE(Compare(SimdOp::kCmple, Dtype::kU8, 0x80, 0x7F));  // 128 <= 127
  // Each compare writes only its own predicate.
  const LaneState s = Run({Ins(SimdOp::kCmpeq, 3, 0, 0)});
  CHECK(s.p == std::array<bool, 4>{true, false, false, true});
}

TEST_CASE("sat clamps va read as int32 to the dtype's range", "[simd]") {
  CHECK(Unary(SimdOp::kSat, Dtype::kI8, 300) == 127);
  CHECK(Unary(SimdOp::kSat, Dtype::kI8, U(-300)) == U(-128));
  CHECK(Unary(SimdOp::kSat, Dtype::kI8, 0x100) == 127);  // 256 as i32, not its low byte 0
  CHECK(Unary(SimdOp::kSat, Dtype::kI8, U(-7)) == U(-7));
  CHECK(Unary(SimdOp::kSat, Dtype::kU8, U(-5)) == 0);
  CHECK(Unary(SimdOp::kSat, Dtype::kU8, 300) == 255);
  CHECK(Unary(SimdOp::kSat, Dtype::kI16, U(-40000)) == 0xFFFF8000);
  CHECK(Unary(SimdOp::kSat, Dtype::kI16, 40000) == 0x7FFF);
  CHECK(Unary(SimdOp::kSat, Dtype::kI32, 0x80000000) == 0x80000000);
}

TEST_CASE("mov, movi, sel and ldparam ignore the dtype", "[simd]") {
  // dtype 7 is not even a dtype value: ignored, so legal.
  const LaneState s =
      Run({Ins(SimdOp::kMovi, 5).Imm(0xDEADBEEF).Dt(Dtype(7)), Ins(SimdOp::kMov, 6, 5).Dt(Dtype::kU8)});
  CHECK(s.v[5] == 0xDEADBEEF);
  CHECK(s.v[6] == 0xDEADBEEF);

  // p1 = true, p2 = p3 = false; v1 = 11, v2 = 22.
  const Program setup = {Ins(SimdOp::kMovi, 1).Imm(11), Ins(SimdOp::kMovi, 2).Imm(22),
                         Ins(SimdOp::kCmpeq, 1, 0, 0)};
  auto sel = [&](uint64_t imm) {
    Program p = setup;
    p.push_back(Ins(SimdOp::kSel, 4, 1, 2).Imm(imm).Dt(Dtype::kF32));
    return Run(p).v[4];
  };
  CHECK(sel(0) == 11);           // p0 is true
  CHECK(sel(1) == 11);           // p1 true
  CHECK(sel(2) == 22);           // p2 false
  CHECK(sel(5) == 11);           // 5 mod 4 = 1
  CHECK(sel(0xFFFFFFFF) == 22);  // mod 4 = 3, p3 false

  ref::ChannelParams prm{-123456, 0xBEEF, 200, -300, 0.75f};
  const LaneState l =
      Run({Ins(SimdOp::kLdparam, 1).Imm(0), Ins(SimdOp::kLdparam, 2).Imm(1), Ins(SimdOp::kLdparam, 3).Imm(2),
           Ins(SimdOp::kLdparam, 4).Imm(3), Ins(SimdOp::kLdparam, 5).Imm(4)},
          0, prm);
  CHECK(l.v[1] == 0xFFFE1DC0);  // -123456 = -0x1E240
  CHECK(l.v[2] == 0xBEEF);      // zero-extended
  CHECK(l.v[3] == 200);         // the whole byte
  CHECK(l.v[4] == 0xFFFFFED4);  // -300 sign-extended from 16 bits
  CHECK(l.v[5] == 0x3F400000);  // 0.75f's bits
}

TEST_CASE("predication: the destination is written only where p[pred] xor pred_neg", "[simd]") {
  // p1 = v0 < 10; where p1 v0 = v0 + v0, elsewhere v2 = 7.
  const Program p = {Ins(SimdOp::kMovi, 1).Imm(10), Ins(SimdOp::kCmplt, 1, 0, 1),
                     Ins(SimdOp::kAdd, 0, 0, 0).If(1), Ins(SimdOp::kMovi, 2).Imm(7).If(1, true)};
  const LaneState small = Run(p, 3), big = Run(p, 20);
  CHECK(small.v[0] == 6);
  CHECK(small.v[2] == 0);
  CHECK(big.v[0] == 20);
  CHECK(big.v[2] == 7);
  // pred 0 negated never writes.
  CHECK(Run({Ins(SimdOp::kMovi, 0).Imm(1).If(0, true)}, 42).v[0] == 42);
  // A disabled compare keeps its predicate: p1 = true, then p1 = (0 == 1) only where p2 (false).
  const LaneState c =
      Run({Ins(SimdOp::kCmpeq, 1, 0, 0), Ins(SimdOp::kMovi, 1).Imm(1), Ins(SimdOp::kCmpeq, 1, 0, 1).If(2)});
  CHECK(c.p[1]);
  // A disabled fma keeps its addend vd.
  const LaneState f =
      Run({Ins(SimdOp::kMovi, 3).Imm(0x3F800000), Ins(SimdOp::kFma, 3, 3, 3).Dt(Dtype::kF32).If(3)});
  CHECK(f.v[3] == 0x3F800000);
}

TEST_CASE("fused_relu follows the architecture's formula, flags bit0 relu, bit1 unsigned", "[simd]") {
  ref::ChannelParams p;
  p.bias = 10;
  p.scale = 3;
  p.shift = 2;
  auto fr = [&](int32_t acc, uint64_t flags) {
    return Run({Ins(SimdOp::kFusedRelu, 0, 0).Flags(flags)}, acc, p).v[0];
  };
  CHECK(fr(5, 1) == 11);       // (5+10)*3 = 45; (45+2) >> 2 = 11
  CHECK(fr(-20, 0) == U(-7));  // (-10*3 + 2) >> 2 = -28 >> 2 = -7
  CHECK(fr(-20, 1) == 0);      // relu
  CHECK(fr(-20, 2) == 0);      // unsigned clamp
  CHECK(fr(1000, 0) == 127);   // 3030 >> 2 rounded = 758, clamped
  CHECK(fr(1000, 2) == 255);
  // Chain v3 = f(v0), v0 = f(v3): 5 -> 11 -> (21*3 + 2) >> 2 = 16.
  CHECK(Run({Ins(SimdOp::kFusedRelu, 3, 0).Flags(1), Ins(SimdOp::kFusedRelu, 0, 3).Flags(1)}, 5, p).v[0] ==
        16);
  // dtype, src_b, imm and flags bits 4:2 are ignored; only the shift byte's low 6 bits count (66 = 64 + 2).
  ref::ChannelParams q = p;
  q.shift = 66;
  CHECK(Run({Ins(SimdOp::kFusedRelu, 0, 0, 15).Flags(0x1D).Dt(Dtype(6)).Imm(99)}, 5, q).v[0] == 11);
}

TEST_CASE("fused_relu equals the reference requantization on many values", "[simd]") {
  // The interpreter calls ref::FusedRelu, so this guards the plumbing around it: the 30-bit input
  // (RunLane sees only the low 32 bits of the exact accumulator), the flag bits, the output byte.
  uint64_t x = 12345;
  auto next = [&] { return x = x * 6364136223846793005ull + 1442695040888963407ull; };
  for (int i = 0; i < 20000; ++i) {
    const int64_t acc = int64_t(next()) >> int(next() % 64);  // every magnitude, beyond 30 bits too
    ref::ChannelParams prm;
    prm.bias = int32_t(uint32_t(next() >> 32)) >> int(next() % 32);
    prm.scale = uint16_t(next() >> 48);
    prm.shift = uint8_t(next() >> 56);
    prm.zero_point = int8_t(next() >> 56);
    const bool relu = next() >> 63, uns = next() >> 63;
    const uint8_t want = ref::Requantize({acc}, 1, {prm}, relu, uns)[0];
    const uint64_t flags = (relu ? 1 : 0) | (uns ? 2 : 0);
    INFO("acc " << acc << " bias " << prm.bias << " scale " << prm.scale << " shift " << int(prm.shift));
    REQUIRE(RunLane({Ins(SimdOp::kFusedRelu, 0, 0).Flags(flags)}, int32_t(uint32_t(uint64_t(acc))), prm) ==
            want);
  }
}

TEST_CASE("fp32 ops: RNE, denormals, canonical NaN", "[simd]") {
  const Dtype f = Dtype::kF32;
  CHECK(Binary(SimdOp::kFadd, f, 0x3F800000, 0x34000000) == 0x3F800001);  // 1 + 2^-23
  CHECK(Binary(SimdOp::kFadd, f, 0x3F800000, 0x33800000) == 0x3F800000);  // 1 + 2^-24: tie to even
  CHECK(Binary(SimdOp::kFadd, f, 0x3F800001, 0x33800000) == 0x3F800002);  // tie to even, upwards
  CHECK(Binary(SimdOp::kFadd, f, 0x00000001, 0x00000001) == 0x00000002);  // denormals kept
  CHECK(Binary(SimdOp::kFadd, f, 0x7F800001, 0x3F800000) == 0x7FC00000);  // sNaN in, canonical out
  CHECK(Binary(SimdOp::kFadd, f, 0x7F800000, 0xFF800000) == 0x7FC00000);  // inf - inf
  CHECK(Binary(SimdOp::kFmul, f, 0x7F800000, 0x00000000) == 0x7FC00000);  // inf * 0
  CHECK(Binary(SimdOp::kFmul, f, 0x40000000, 0xC0400000) == 0xC0C00000);  // 2 * -3 = -6
  CHECK(Binary(SimdOp::kFmul, f, 0x00800000, 0x3F000000) == 0x00400000);  // 2^-126 / 2: a denormal
}

TEST_CASE("fma adds vd with one rounding", "[simd]") {
  auto fma = [](uint32_t a, uint32_t b, uint32_t addend) {
    return Run({Ins(SimdOp::kMovi, 1).Imm(a), Ins(SimdOp::kMovi, 2).Imm(b), Ins(SimdOp::kMovi, 3).Imm(addend),
                Ins(SimdOp::kFma, 3, 1, 2).Dt(Dtype::kF32)})
        .v[3];
  };
  CHECK(fma(0x40000000, 0x40400000, 0x3F800000) == 0x40E00000);  // 2*3 + 1 = 7
  // a = 1 + 2^-12: a*a = 1 + 2^-11 + 2^-24 exactly; minus (1 + 2^-11) leaves 2^-24. Rounding the
  // product first (a tie, to even: 1 + 2^-11) would give 0.
  CHECK(fma(0x3F800800, 0x3F800800, 0xBF801000) == 0x33800000);
}

TEST_CASE("fmin, fmax: minNum/maxNum, -0 < +0", "[simd]") {
  const Dtype f = Dtype::kF32;
  CHECK(Binary(SimdOp::kFmin, f, 0x3F800000, 0x40000000) == 0x3F800000);  // min(1, 2)
  CHECK(Binary(SimdOp::kFmax, f, 0xFF800000, 0x40000000) == 0x40000000);  // max(-inf, 2)
  CHECK(Binary(SimdOp::kFmin, f, 0x80000000, 0x00000000) == 0x80000000);
  CHECK(Binary(SimdOp::kFmin, f, 0x00000000, 0x80000000) == 0x80000000);
  CHECK(Binary(SimdOp::kFmax, f, 0x80000000, 0x00000000) == 0x00000000);
  CHECK(Binary(SimdOp::kFmax, f, 0x00000000, 0x80000000) == 0x00000000);
  CHECK(Binary(SimdOp::kFmin, f, 0x7FC00000, 0x3F800000) == 0x3F800000);  // quiet NaN: the other
  CHECK(Binary(SimdOp::kFmin, f, 0x3F800000, 0x7F800001) == 0x3F800000);  // signalling NaN too
  CHECK(Binary(SimdOp::kFmax, f, 0xFFC12345, 0xBF800000) == 0xBF800000);
  CHECK(Binary(SimdOp::kFmax, f, 0x7F800001, 0xFFC12345) == 0x7FC00000);  // two NaNs: canonical
}

TEST_CASE("fcmplt: false on NaN, -0 equals +0", "[simd]") {
  const Dtype f = Dtype::kF32;
  CHECK(Compare(SimdOp::kFcmplt, f, 0x3F800000, 0x40000000));  // 1 < 2
  CHECK_FALSE(Compare(SimdOp::kFcmplt, f, 0x40000000, 0x3F800000));
  CHECK_FALSE(Compare(SimdOp::kFcmplt, f, 0x7FC00000, 0x3F800000));
  CHECK_FALSE(Compare(SimdOp::kFcmplt, f, 0x3F800000, 0x7FC00000));
  CHECK_FALSE(Compare(SimdOp::kFcmplt, f, 0x80000000, 0x00000000));
  CHECK(Compare(SimdOp::kFcmplt, f, 0xFF800000, 0xFF7FFFFF));  // -inf < -FLT_MAX
  CHECK(Compare(SimdOp::kFcmplt, f, 0x00000001, 0x00000002));  // denormals compare
}

TEST_CASE("i2f and f2i round to nearest even, f2i saturates and maps NaN to 0", "[simd]") {
  const Dtype f = Dtype::kF32;
  CHECK(Unary(SimdOp::kI2f, f, 16777217) == 0x4B800000);  // 2^24 + 1: tie, to even 2^24
  CHECK(Unary(SimdOp::kI2f, f, 16777219) == 0x4B800002);  // 2^24 + 3: tie, to even 2^24 + 4
  CHECK(Unary(SimdOp::kI2f, f, U(-1)) == 0xBF800000);
  CHECK(Unary(SimdOp::kI2f, f, 0x80000000) == 0xCF000000);  // -2^31
  CHECK(Unary(SimdOp::kI2f, f, 0) == 0x00000000);           // +0
  CHECK(Unary(SimdOp::kF2i, f, 0x40200000) == 2);           // 2.5
  CHECK(Unary(SimdOp::kF2i, f, 0x40600000) == 4);           // 3.5
  CHECK(Unary(SimdOp::kF2i, f, 0xC0200000) == U(-2));       // -2.5
  CHECK(Unary(SimdOp::kF2i, f, 0x3FC00000) == 2);           // 1.5
  CHECK(Unary(SimdOp::kF2i, f, 0x3F000000) == 0);           // 0.5
  CHECK(Unary(SimdOp::kF2i, f, 0xBF400000) == U(-1));       // -0.75
  CHECK(Unary(SimdOp::kF2i, f, 0x00000001) == 0);           // a denormal
  CHECK(Unary(SimdOp::kF2i, f, 0x4EFFFFFF) == 0x7FFFFF80);  // 2^31 - 128, the largest below 2^31
  CHECK(Unary(SimdOp::kF2i, f, 0x4F000000) == 0x7FFFFFFF);  // 2^31 saturates
  CHECK(Unary(SimdOp::kF2i, f, 0xCF000000) == 0x80000000);  // -2^31 fits
  CHECK(Unary(SimdOp::kF2i, f, 0xCF000001) == 0x80000000);  // below -2^31 saturates
  CHECK(Unary(SimdOp::kF2i, f, 0x7F800000) == 0x7FFFFFFF);  // +inf
  CHECK(Unary(SimdOp::kF2i, f, 0xFF800000) == 0x80000000);  // -inf
  CHECK(Unary(SimdOp::kF2i, f, 0x7FC00000) == 0);           // NaN
  CHECK(Unary(SimdOp::kF2i, f, 0xFF800001) == 0);
}

TEST_CASE("CheckProgram names the first illegal instruction, field and value", "[simd]") {
  auto err = [](const Program& p) {
    const auto e = simd::CheckProgram(p);
    REQUIRE(e.has_value());
    return *e;
  };
  auto field = [&](const Program& p, const std::string& msg) {
    const auto e = err(p);
    CHECK(e.code == isa::ErrorCode::kIllegalField);
    CHECK(e.message == msg);
  };
  uint64_t unused = 0;  // the first value past the ISA's ops
  while (isa::IsSimdOp(unused)) ++unused;
  const auto bad_op = err({Ins(SimdOp::kNop), Ins(SimdOp(unused))});
  CHECK(bad_op.code == isa::ErrorCode::kIllegalOpcode);
  CHECK(bad_op.simd_index == 1);
  CHECK(bad_op.message == "simd[1] has op " + std::to_string(unused) + " (not a simd_op)");

  field({Ins(SimdOp::kAdd, 8, 0, 0)}, "simd[0] (add) has dst 8 (registers are v0..v7)");
  field({Ins(SimdOp::kCmplt, 0, 0, 0)}, "simd[0] (cmplt) has dst 0 (compares write p1..p3)");
  field({Ins(SimdOp::kFcmplt, 4, 0, 0).Dt(Dtype::kF32)},
        "simd[0] (fcmplt) has dst 4 (compares write p1..p3)");
  field({Ins(SimdOp::kMov, 1, 9)}, "simd[0] (mov) has src_a 9 (registers are v0..v7)");
  field({Ins(SimdOp::kSel, 1, 0, 15)}, "simd[0] (sel) has src_b 15 (registers are v0..v7)");
  field({Ins(SimdOp::kMovi, 1).If(4)}, "simd[0] (movi) has pred 4 (predicates are p0..p3)");
  field({Ins(SimdOp::kAdd, 1).Dt(Dtype(5))}, "simd[0] (add) has dtype 5 (not a dtype)");
  field({Ins(SimdOp::kAdd, 1).Dt(Dtype::kF32)},
        "simd[0] (add) has dtype 4 (f32; the op needs i32, i16, i8 or u8)");
  field({Ins(SimdOp::kSat, 1).Dt(Dtype::kF32)},
        "simd[0] (sat) has dtype 4 (f32; the op needs i32, i16, i8 or u8)");
  field({Ins(SimdOp::kFadd, 1).Dt(Dtype::kI8)}, "simd[0] (fadd) has dtype 2 (i8; the op needs f32)");
  field({Ins(SimdOp::kF2i, 1).Dt(Dtype::kI32)}, "simd[0] (f2i) has dtype 0 (i32; the op needs f32)");
  field({Ins(SimdOp::kLdparam, 1).Imm(5)},
        "simd[0] (ldparam) has imm 5 (channel parameters are 0 bias, 1 scale, 2 shift, 3 zero point, 4 "
        "multiplier)");

  // The first failing check in docs/simd.md's order: dst before src_a before pred.
  field({Ins(SimdOp::kAdd, 9, 9, 9).If(7)}, "simd[0] (add) has dst 9 (registers are v0..v7)");
  field({Ins(SimdOp::kAdd, 0, 0, 0).If(7).Dt(Dtype(6))}, "simd[0] (add) has pred 7 (predicates are p0..p3)");
  // The first illegal instruction in program order.
  const auto second = err({Ins(SimdOp::kMov, 1, 2), Ins(SimdOp::kMov, 1, 8), Ins(SimdOp(200))});
  CHECK(second.simd_index == 1);
}

TEST_CASE("fields an op does not read are not checked", "[simd]") {
  // nop reads nothing; movi and ldparam no source; i2f, f2i, sat, mov, fused_relu no src_b.
  const Program ok = {Ins(SimdOp::kNop, 15, 15, 15).If(7, true).Dt(Dtype(7)).Flags(31).Imm(0xFFFFFFFF),
                      Ins(SimdOp::kMovi, 1, 15, 15).Dt(Dtype(7)),
                      Ins(SimdOp::kLdparam, 1, 15, 15).Imm(3).Dt(Dtype(5)),
                      Ins(SimdOp::kI2f, 1, 0, 15).Dt(Dtype::kF32),
                      Ins(SimdOp::kSat, 1, 0, 15).Dt(Dtype::kU8),
                      Ins(SimdOp::kMov, 1, 0, 15).Dt(Dtype::kF32),
                      Ins(SimdOp::kFusedRelu, 0, 0, 15).Dt(Dtype(7)).Imm(1234)};
  CHECK_FALSE(simd::CheckProgram(ok).has_value());
}

TEST_CASE("RunLane refuses a program that did not pass CheckProgram", "[simd]") {
  CHECK_THROWS_AS(RunLane({Ins(SimdOp(28))}, 0, {}), std::logic_error);
  CHECK_THROWS_AS(RunLane({Ins(SimdOp::kMov, 8, 0)}, 0, {}), std::logic_error);
  CHECK_THROWS_AS(RunLane({Ins(SimdOp::kAdd, 1).Dt(Dtype::kF32)}, 0, {}), std::logic_error);
  CHECK_THROWS_AS(RunLane({Ins(SimdOp::kFadd, 1).Dt(Dtype::kI32)}, 0, {}), std::logic_error);
  CHECK_THROWS_AS(RunLane({Ins(SimdOp::kCmpeq, 0)}, 0, {}), std::logic_error);
  CHECK_THROWS_AS(RunLane({Ins(SimdOp::kLdparam, 1).Imm(5)}, 0, {}), std::logic_error);
}

TEST_CASE("lut: the table's byte at va[7:0], extended per dtype; only i8 and u8 are legal", "[simd]") {
  std::array<uint8_t, isa::kLutBytes> table{};
  for (size_t i = 0; i < table.size(); ++i) table[i] = uint8_t(255 - i);  // byte i holds 255 - i
  table[0x34] = 0x80;
  auto lut = [&](uint32_t va, Dtype dt, uint8_t* t = nullptr) {
    const Program p{Ins(SimdOp::kMovi, 1).Imm(va), Ins(SimdOp::kLut, 3, 1).Dt(dt)};
    REQUIRE_FALSE(simd::CheckProgram(p).has_value());
    return RunLaneState(p, 0, {}, t ? t : table.data()).v[3];
  };
  // Only the low byte indexes: 0x1234 and 0xFFFFFF34 read entry 0x34.
  CHECK(lut(0x1234, Dtype::kU8) == 0x80);
  CHECK(lut(0xFFFFFF34, Dtype::kU8) == 0x80);
  CHECK(lut(0x1234, Dtype::kI8) == 0xFFFFFF80);  // sign-extended
  CHECK(lut(0, Dtype::kU8) == 0xFF);
  CHECK(lut(0, Dtype::kI8) == 0xFFFFFFFF);
  CHECK(lut(0xFF, Dtype::kU8) == 0x00);
  CHECK(lut(0x7F, Dtype::kI8) == 0xFFFFFF80);  // 255 - 127 = 0x80: -128
  CHECK(lut(0x80, Dtype::kI8) == 0x7F);
  // Every index reaches its own entry (an index off by one would not).
  for (uint32_t i = 0; i < 256; ++i) {
    std::array<uint8_t, isa::kLutBytes> one{};
    one[i] = 0x5A;
    INFO("index " << i);
    CHECK(lut(i, Dtype::kU8, one.data()) == 0x5A);
    CHECK(lut((i + 1) & 0xFF, Dtype::kU8, one.data()) == 0);
  }
  // The output byte of a program ending in lut, and a predicated lut that keeps vd.
  CHECK(RunLane({Ins(SimdOp::kLut, 0, 0).Dt(Dtype::kU8)}, 0x234, {}, table.data()) == 0x80);
  CHECK(RunLaneState({Ins(SimdOp::kLut, 0, 0).Dt(Dtype::kU8).If(0, true)}, 7, {}, table.data()).v[0] == 7);
  CHECK(simd::HasLut({Ins(SimdOp::kNop), Ins(SimdOp::kLut, 0, 0).Dt(Dtype::kU8)}));
  CHECK_FALSE(simd::HasLut({Ins(SimdOp::kFusedRelu)}));
  // Without a table the interpreter refuses rather than reading anything.
  CHECK_THROWS_AS(RunLane({Ins(SimdOp::kLut, 0, 0).Dt(Dtype::kU8)}, 1, {}), std::logic_error);
  // The checks: dtype i8 or u8 only, then the usual register fields.
  for (Dtype dt : {Dtype::kI32, Dtype::kI16, Dtype::kF32}) {
    const auto e = simd::CheckProgram({Ins(SimdOp::kLut, 0, 0).Dt(dt)});
    REQUIRE(e.has_value());
    CHECK(e->code == isa::ErrorCode::kIllegalField);
    CHECK(e->message == "simd[0] (lut) has dtype " + std::to_string(uint64_t(dt)) + " (" + isa::ToString(dt) +
                            "; the op needs i8 or u8)");
  }
  const auto bad_dt = simd::CheckProgram({Ins(SimdOp::kLut, 0, 0).Dt(isa::Dtype(5))});
  REQUIRE(bad_dt.has_value());
  CHECK(bad_dt->message == "simd[0] (lut) has dtype 5 (not a dtype)");
  const auto bad_src = simd::CheckProgram({Ins(SimdOp::kNop), Ins(SimdOp::kLut, 0, 8).Dt(Dtype::kU8)});
  REQUIRE(bad_src.has_value());
  CHECK(bad_src->simd_index == 1);
  CHECK(bad_src->message == "simd[1] (lut) has src_a 8 (registers are v0..v7)");
  // src_b and imm are not read: any value is legal.
  CHECK_FALSE(simd::CheckProgram({Ins(SimdOp::kLut, 0, 0, 15).Dt(Dtype::kI8).Imm(0xFFFFFFFF)}).has_value());
}
