// Block test of nna_fp32: a plain Verilator C++ harness that streams operand sets through the
// 3-stage unit, one per cycle with random stalls (en_i low), and compares every result bit with
// the C++ model (cpp-model/fp32). Half the operand sets are random bit patterns, half are drawn
// from edge-case classes: zeros, infinities, NaNs (quiet and signalling), denormals, extreme
// normals, near-ties, cancelling pairs, products that overflow or underflow, FMA addends that
// cancel the product or sit near the alignment limit, integers near 2^24 and 2^31.
// Prints each of the first 10 mismatches and stops there; ends with a one-line summary and
// PASSED or FAILED. Built and run by CTest as rtl.fp32_random (rtl/simd/test/CMakeLists.txt).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "Vnna_fp32.h"
#include "block_tb.h"
#include "fp32/fp32.h"
#include "verilated.h"

namespace {

using nna::isa::SimdOp;

constexpr std::array<SimdOp, 8> kOps = {SimdOp::kFadd, SimdOp::kFmul,   SimdOp::kFma, SimdOp::kFmin,
                                        SimdOp::kFmax, SimdOp::kFcmplt, SimdOp::kI2f, SimdOp::kF2i};
constexpr int kMaxReported = 10;

struct OperandSet {
  SimdOp op;
  uint32_t a, b, c;
};

uint32_t Pack(uint32_t sign, uint32_t exp, uint32_t frac) {
  return (sign << 31) | ((exp & 0xFF) << 23) | (frac & 0x7FFFFF);
}

// Draws operand sets: Random() for uniform bit patterns, Edge() for the edge-case classes.
class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  uint32_t Bits() { return static_cast<uint32_t>(rng_()); }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool Coin() { return (rng_() & 1) != 0; }

  OperandSet Random(SimdOp op) { return {op, Bits(), Bits(), Bits()}; }

  OperandSet Edge(SimdOp op) {
    switch (op) {
      case SimdOp::kFadd: {
        const uint32_t a = Special();
        return {op, a, Partner(a, true), 0};
      }
      case SimdOp::kFmul:
        return MulEdge();
      case SimdOp::kFma:
        return FmaEdge();
      case SimdOp::kFmin:
      case SimdOp::kFmax:
      case SimdOp::kFcmplt: {
        const uint32_t a = Special();
        return {op, a, Partner(a, false), 0};
      }
      case SimdOp::kI2f:
        return {op, IntEdge(), 0, 0};
      case SimdOp::kF2i:
        return {op, F2iEdge(), 0, 0};
      default:
        return {op, 0, 0, 0};
    }
  }

 private:
  // A mantissa with only its top `bits` bits random: short mantissas make exact products and ties.
  uint32_t SparseFrac() {
    const uint32_t bits = Below(24);
    return bits == 0 ? 0 : (Bits() & 0x7FFFFF) & ~((1u << (23 - std::min(bits, 23u))) - 1);
  }

  // One value from the float edge classes.
  uint32_t Special() {
    const uint32_t s = Coin();
    switch (Below(12)) {
      case 0:
        return Pack(s, 0, 0);  // zero
      case 1:
        return Pack(s, 255, 0);  // infinity
      case 2:
        return Pack(s, 255, 0x400000 | Below(0x400000));  // quiet NaN
      case 3:
        return Pack(s, 255, 1 + Below(0x3FFFFF));  // signalling NaN
      case 4:
        return Pack(s, 0, Coin() ? 1 : 0x7FFFFF);  // smallest / largest denormal
      case 5:
        return Pack(s, 0, Coin() ? Bits() : SparseFrac() >> Below(23));  // denormal
      case 6:
        return Pack(s, Coin() ? 1 : 254, Coin() ? 0 : 0x7FFFFF);  // min / max normal
      case 7:
        return Pack(s, Coin() ? 1 + Below(8) : 246 + Below(9), Bits());  // extreme exponents
      case 8:
        return Pack(s, 126 + Below(3), Coin() ? Below(4) : 0x7FFFFF - Below(4));  // near 0.5, 1, 2
      case 9:
        return Pack(s, 100 + Below(55), SparseFrac());
      default:
        return Pack(s, 1 + Below(254), Bits());  // any normal
    }
  }

  // A second operand for a: -a, near -a, a and its neighbours, any edge value, or (ties) a value
  // near half an ulp of a.
  uint32_t Partner(uint32_t a, bool ties) {
    const uint32_t e = (a >> 23) & 0xFF;
    switch (Below(ties ? 6 : 4)) {
      case 0:
        return a ^ 0x80000000u;  // -a: exact cancellation
      case 1:
        return (a ^ 0x80000000u) + Below(5) - 2;  // -a within 2 ulps
      case 2:
        return a + Below(3) - 1;  // a, its neighbours
      case 3:
        return Special();
      default: {
        // A value near half an ulp of a (exponent 23..26 below), either sign: ties and near-ties.
        const uint32_t pe = e > 26 ? e - 23 - Below(4) : Below(4);
        return Pack(Coin(), pe, Coin() ? 0 : (Coin() ? Below(4) : 0x7FFFFF - Below(4)));
      }
    }
  }

  OperandSet MulEdge() {
    const uint32_t s1 = Coin(), s2 = Coin();
    switch (Below(4)) {
      case 0: {  // exponents summing near overflow or into the denormal range and below
        const int sum = Coin() ? 370 + int(Below(14)) : 70 + int(Below(60));
        const int e1 = std::max(1, std::min(254, sum / 2 + int(Below(40)) - 20));
        const int e2 = std::max(0, std::min(254, sum - e1));
        return {SimdOp::kFmul, Pack(s1, e1, SparseFrac()), Pack(s2, e2, Coin() ? SparseFrac() : Bits()), 0};
      }
      case 1:  // short mantissas: exact products and exact ties
        return {SimdOp::kFmul, Pack(s1, 100 + Below(55), SparseFrac()),
                Pack(s2, 100 + Below(55), SparseFrac()), 0};
      default:
        return {SimdOp::kFmul, Special(), Special(), 0};
    }
  }

  OperandSet FmaEdge() {
    OperandSet t{SimdOp::kFma, Special(), Special(), Special()};
    if (Coin()) {
      t.a = Pack(Coin(), 90 + Below(75), Coin() ? SparseFrac() : Bits());
      t.b = Pack(Coin(), 90 + Below(75), Coin() ? SparseFrac() : Bits());
    }
    const uint32_t prod = nna::fp32::Mul(t.a, t.b);
    const int pe = int((prod >> 23) & 0xFF);
    switch (Below(4)) {
      case 0:
        t.c = (prod ^ 0x80000000u) + Below(9) - 4;
        break;   // cancels the product (nearly)
      case 1: {  // addend exponent around the product's: the alignment limit is 28 binades up
        const int ce = pe + int(Below(80)) - 50;
        t.c = Pack(Coin(), std::max(0, std::min(254, ce)), Coin() ? SparseFrac() : Bits());
        break;
      }
      case 2:
        t.c = Pack(Coin(), Below(3), Bits());
        break;  // tiny addend, a denormal one
      default:
        break;
    }
    return t;
  }

  uint32_t IntEdge() {
    const int32_t k = static_cast<int32_t>(Below(64)) - 32;
    switch (Below(6)) {
      case 0:
        return static_cast<uint32_t>(INT32_MAX - static_cast<int32_t>(Below(300)));
      case 1:
        return static_cast<uint32_t>(INT32_MIN + static_cast<int32_t>(Below(300)));
      case 2:
        return static_cast<uint32_t>((Coin() ? 1 : -1) * ((1 << 24) + k));
      case 3:
        return static_cast<uint32_t>((Coin() ? 1 : -1) * (int64_t(1) << Below(31)) + k);
      case 4:
        return (Bits() | 1) << Below(9);  // long odd mantissas, shifted: ties and near-ties
      default:
        return static_cast<uint32_t>(k);
    }
  }

  uint32_t F2iEdge() {
    const uint32_t s = Coin();
    switch (Below(5)) {
      case 0:
        return Pack(s, 156 + Below(3), Coin() ? Bits() : (Coin() ? 0 : 0x7FFFFF));  // near 2^31
      case 1: {  // k + 0.5 and its neighbours
        const float f = static_cast<float>(static_cast<int32_t>(Below(1 << 22)) - (1 << 21)) + 0.5f;
        uint32_t bits;
        std::memcpy(&bits, &f, sizeof bits);
        return bits + Below(3) - 1;
      }
      case 2:
        return Pack(s, 120 + Below(40), Bits());
      default:
        return Special();
    }
  }

  std::mt19937_64 rng_;
};

class Tb {
 public:
  // Verilator's +options reach the context before the model exists (random initial values).
  Tb(uint64_t seed, int argc, char** argv) : dut_(WithArgs(ctx_.get(), argc, argv)), gen_(seed) {}

  // Streams `count` operand sets; returns the number of mismatches (stops after kMaxReported).
  long Run(long count) {
    while (mismatches_ < kMaxReported && (issued_ < count || valid_[0] || valid_[1] || valid_[2])) {
      const bool enable = gen_.Below(8) != 0;        // stall one cycle in eight
      OperandSet next = gen_.Random(SimdOp::kFadd);  // garbage while stalled or draining
      const bool issue = enable && issued_ < count;
      if (issue) {
        const SimdOp op = kOps[gen_.Below(kOps.size())];
        next = gen_.Coin() ? gen_.Random(op) : gen_.Edge(op);
        ++issued_;
        ++per_op_[static_cast<size_t>(op) - static_cast<size_t>(SimdOp::kFadd)];
      }
      dut_->en_i = enable;
      dut_->op_i = static_cast<uint8_t>(next.op);
      dut_->a_i = next.a;
      dut_->b_i = next.b;
      dut_->c_i = next.c;
      dut_.Tick();
      if (enable) {  // the pipeline advanced: stage 3 now holds what entered two enables ago
        stage_[2] = stage_[1];
        valid_[2] = valid_[1];
        stage_[1] = stage_[0];
        valid_[1] = valid_[0];
        stage_[0] = next;
        valid_[0] = issue;
      }
      // Checked again on a stalled edge: the result must hold.
      if (valid_[2]) Check(stage_[2], dut_->result_o, !enable);
    }
    return mismatches_;
  }

  long Issued() const { return issued_; }
  const std::array<long, kOps.size()>& PerOp() const { return per_op_; }

 private:
  static VerilatedContext* WithArgs(VerilatedContext* ctx, int argc, char** argv) {
    ctx->commandArgs(argc, argv);
    return ctx;
  }

  void Check(const OperandSet& t, uint32_t got, bool stalled) {
    const uint32_t expected = nna::fp32::Execute(t.op, t.a, t.b, t.c);
    if (got == expected) return;
    ++mismatches_;
    std::printf("MISMATCH %s a=0x%08x b=0x%08x c=0x%08x expected 0x%08x got 0x%08x%s\n",
                nna::isa::ToString(t.op), t.a, t.b, t.c, expected, got, stalled ? " (while stalled)" : "");
  }

  std::unique_ptr<VerilatedContext> ctx_ = std::make_unique<VerilatedContext>();
  nna::vl::BlockDut<Vnna_fp32> dut_;
  Generator gen_;
  std::array<OperandSet, 3> stage_{};
  std::array<bool, 3> valid_{};
  std::array<long, kOps.size()> per_op_{};
  long issued_ = 0;
  long mismatches_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  uint64_t count = 1000000, seed = 1;
  if (!nna::vl::ParseArgs(argc, argv, "--count", &count, &seed)) return 2;

  const auto start = std::chrono::steady_clock::now();
  Tb tb(seed, argc, argv);
  const long mismatches = tb.Run(long(count));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::string per_op;
  for (size_t i = 0; i < kOps.size(); ++i)
    per_op += std::string(i ? ", " : "") + nna::isa::ToString(kOps[i]) + " " + std::to_string(tb.PerOp()[i]);
  std::printf("fp32: %ld operand sets (%s), %ld mismatches%s, %.1f s, seed %llu\n", tb.Issued(),
              per_op.c_str(), mismatches, mismatches >= kMaxReported ? " (stopped)" : "", seconds,
              static_cast<unsigned long long>(seed));
  std::printf("%s\n", mismatches == 0 ? "PASSED" : "FAILED");
  return mismatches == 0 ? 0 : 1;
}
