#include "compiler/activation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "compiler/compile_error.h"
#include "simd/simd_program.h"

namespace nna::compiler {
namespace {

using isa::Dtype;
using isa::SimdInstr;
using isa::SimdOp;

constexpr uint64_t kZeroReg = 7;  // never written by any program here: reads as 0, i.e. +0.0f

// tanh(x) ~ x * (c0 + c1 x^2 + c2 x^4 + c3 x^6 + c4 x^8): least-maximum error fit of tanh on
// [0, 2.566] (error 0.0025, a third of 1/128) that keeps rising beyond, never below kTanhLevel,
// so the output byte saturates like tanh's without clamping the input. compiler/fit_tanh.py makes
// it (docs/activations.md).
constexpr double kTanhPoly[5] = {0.9873686296253489, -0.2805406182836392, 0.06511608352946853,
                                 -0.008328223312480277, 0.00042575026722638986};
constexpr double kTanhLevel = 126.5 / 128;  // tanh and the polynomial exceed it beyond x = 2.566

SimdInstr Op(SimdOp op, uint64_t dst, uint64_t a = 0, uint64_t b = 0, Dtype dtype = Dtype::kI32) {
  return simd::Ins(op, dst, a, b).Dt(dtype);
}
SimdInstr FOp(SimdOp op, uint64_t dst, uint64_t a = 0, uint64_t b = 0) {
  return Op(op, dst, a, b, Dtype::kF32);
}
SimdInstr Movi(uint64_t dst, uint32_t imm) {
  SimdInstr s = Op(SimdOp::kMovi, dst);
  s.imm = imm;
  return s;
}
SimdInstr Ldparam(uint64_t dst, uint64_t which) {
  SimdInstr s = Op(SimdOp::kLdparam, dst);
  s.imm = which;
  return s;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

[[noreturn]] void Fail(Activation kind, const std::string& what) {
  throw CompileError(std::string(ToString(kind)) + ": " + what);
}

int32_t QMin(const ActQuant& q) { return q.out_signed ? -128 : 0; }
int32_t QMax(const ActQuant& q) { return q.out_signed ? 127 : 255; }

// The FP32 bits of a constant of the program; a value FP32 holds only as infinity or as a
// denormal of fewer than 12 significant bits (below 2^-137) is an error naming what it is.
uint32_t FloatBits(Activation kind, const std::string& what, double v) {
  const float f = float(v);
  if (!std::isfinite(f) || (v != 0 && std::fabs(v) < std::ldexp(1.0, -137)))
    Fail(kind, what + " " + Num(v) + " does not fit FP32 with 12 significant bits");
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

void CheckQuant(Activation kind, const ActQuant& q) {
  if (!(q.in_scale > 0) || !std::isfinite(q.in_scale))
    Fail(kind, "in_scale " + Num(q.in_scale) + " is not a positive finite number");
  if (!(q.out_scale > 0) || !std::isfinite(q.out_scale))
    Fail(kind, "out_scale " + Num(q.out_scale) + " is not a positive finite number");
  if (q.out_zero_point < QMin(q) || q.out_zero_point > QMax(q))
    Fail(kind, "out_zero_point " + std::to_string(q.out_zero_point) + " is outside the " +
                   (q.out_signed ? "int8" : "uint8") + " range " + std::to_string(QMin(q)) + ".." +
                   std::to_string(QMax(q)));
}

// FUSED_RELU's scale / 2^shift nearest to m with the most precision: the largest shift (at most
// 63) whose scale still fits 16 bits (the zero point, checked against the output type, fits its
// 16-bit parameter).
ref::ChannelParams FusedReluParams(Activation kind, const ActQuant& q) {
  const double m = q.in_scale / q.out_scale;
  const auto mult = FusedReluMultiplier([m](int shift) { return std::nearbyint(std::ldexp(m, shift)); });
  if (!mult && std::nearbyint(m) > double(isa::ChannelParamsRecord::kMaxScale))
    Fail(kind, "in_scale / out_scale = " + Num(m) + " is above " +
                   std::to_string(isa::ChannelParamsRecord::kMaxScale) +
                   ", the largest FUSED_RELU multiplier");
  if (!mult)
    Fail(kind, "in_scale / out_scale = " + Num(m) + " is below 2^-64, the smallest FUSED_RELU multiplier");
  ref::ChannelParams p;
  p.zero_point = int16_t(q.out_zero_point);
  p.scale = mult->scale;
  p.shift = mult->shift;
  return p;
}

SimdInstr FusedRelu(bool relu, const ActQuant& q) {
  SimdInstr s = Op(SimdOp::kFusedRelu, 0, 0);
  s.flags = (relu ? 1u : 0u) | (q.out_signed ? 0u : 2u);
  return s;
}

// v0 = float(acc + bias): the dequantized input in accumulator units.
void AppendDequant(std::vector<SimdInstr>& p) {
  p.push_back(Ldparam(1, 0));
  p.push_back(Op(SimdOp::kAdd, 0, 0, 1));
  p.push_back(FOp(SimdOp::kI2f, 0, 0));
}

// The output byte from the FP32 value in v0: round(v0 * mult + zero point), saturated (uses v1, v2).
void AppendRequant(std::vector<SimdInstr>& p, Activation kind, double mult, const ActQuant& q) {
  p.push_back(Movi(1, FloatBits(kind, "the output multiplier", mult)));
  if (q.out_zero_point != 0) {  // fma adds the zero point before the one rounding of f2i
    p.push_back(Movi(2, FloatBits(kind, "the zero point", q.out_zero_point)));
    p.push_back(FOp(SimdOp::kFma, 2, 0, 1));
    p.push_back(FOp(SimdOp::kF2i, 0, 2));
  } else {
    p.push_back(FOp(SimdOp::kFmul, 0, 0, 1));
    p.push_back(FOp(SimdOp::kF2i, 0, 0));
  }
  p.push_back(Op(SimdOp::kSat, 0, 0, 0, q.out_signed ? Dtype::kI8 : Dtype::kU8));
}

// sigmoid(x) = 0.5 + 0.5 tanh(x / 2) and tanh itself: out = c + a tanh(b x) in output units with
// the odd polynomial kTanhPoly, evaluated by Horner in u = t^2 on t = acc + bias.
void AppendTanhLike(std::vector<SimdInstr>& p, Activation kind, double a, double b, double c,
                    const ActQuant& q) {
  const double offset = c / q.out_scale + q.out_zero_point;  // the output at x = 0
  if (std::fabs(offset) > 1e-9)
    Fail(kind, "out_zero_point " + std::to_string(q.out_zero_point) + " must be " +
                   Num(0.0 - c / q.out_scale) +
                   " (the output at x = 0 must be the zero point; another costs a 17th instruction)");
  const double gain = a / q.out_scale;  // output LSBs per unit of tanh
  // Beyond the polynomial's fit both it and the function are past kTanhLevel: the output must be
  // within 1 LSB of saturated there (the output at x = 0 is 0, checked above).
  if (gain * kTanhLevel < QMax(q) - 1.5 || -gain * kTanhLevel > QMin(q) + 1.5)
    Fail(kind, "out_scale " + Num(q.out_scale) + " with out_zero_point " + std::to_string(q.out_zero_point) +
                   " does not saturate the output within 1 LSB of the function's limits " + Num(c - a) +
                   " and " + Num(c + a) + " (the program does not clamp its input)");
  uint32_t coef[5];  // of t^1, t^3, .. t^9
  for (int j = 0; j < 5; ++j)
    coef[j] = FloatBits(
        kind, "the t^" + std::to_string(2 * j + 1) + " coefficient (in_scale " + Num(q.in_scale) + ")",
        gain * kTanhPoly[j] * std::pow(b * q.in_scale, 2 * j + 1));
  AppendDequant(p);                          // v0 = t
  p.push_back(FOp(SimdOp::kFmul, 1, 0, 0));  // v1 = u = t^2
  p.push_back(Movi(2, coef[4]));
  for (int j = 3; j >= 0; --j) {  // Horner: acc = acc * u + coef[j], the sum alternating v3 and v2
    const uint64_t acc = (j % 2) ? 2 : 3, next = (j % 2) ? 3 : 2;
    p.push_back(Movi(next, coef[j]));
    p.push_back(FOp(SimdOp::kFma, next, acc, 1));
  }
  p.push_back(FOp(SimdOp::kFmul, 0, 2, 0));  // t * q(u)
  p.push_back(FOp(SimdOp::kF2i, 0, 0));
  p.push_back(Op(SimdOp::kSat, 0, 0, 0, q.out_signed ? Dtype::kI8 : Dtype::kU8));
}

}  // namespace

const char* ToString(Activation kind) {
  switch (kind) {
    case Activation::kNone:
      return "none";
    case Activation::kRelu:
      return "relu";
    case Activation::kLeakyRelu:
      return "leaky_relu";
    case Activation::kRelu6:
      return "relu6";
    case Activation::kSigmoid:
      return "sigmoid";
    case Activation::kTanh:
      return "tanh";
    case Activation::kHardSwish:
      return "hard_swish";
    case Activation::kRequant:
      return "requant";
  }
  return "?";
}

std::string Describe(Activation kind, const ActQuant& q) {
  std::string s = "in " + Num(q.in_scale) + " -> out " + Num(q.out_scale) +
                  (q.out_signed ? " int8" : " uint8") + " zp " + std::to_string(q.out_zero_point);
  if (kind == Activation::kLeakyRelu) s += ", alpha " + Num(q.alpha);
  return s;
}

ActProgram LowerActivation(Activation kind, const ActQuant& q) {
  CheckQuant(kind, q);
  ActProgram out;
  auto& p = out.simd;
  switch (kind) {
    case Activation::kNone:
    case Activation::kRelu:
      out.params = FusedReluParams(kind, q);
      p.push_back(FusedRelu(kind == Activation::kRelu, q));
      break;
    case Activation::kRelu6: {
      // min(round(x / s), round(6 / s)) = round(min(x, 6) / s): rounding is monotonic.
      out.params = FusedReluParams(kind, q);
      p.push_back(FusedRelu(true, q));
      const double six = std::floor(6 / q.out_scale + 0.5) + q.out_zero_point;
      if (six < QMax(q)) {  // otherwise the saturation of FUSED_RELU already caps it
        p.push_back(Movi(1, uint32_t(int32_t(six))));
        p.push_back(Op(SimdOp::kMin, 0, 0, 1));
      }
      break;
    }
    case Activation::kLeakyRelu:
      // One FUSED_RELU has one multiplier; the slope below 0 needs a second, so FP32:
      // max(x, alpha x) for 0 <= alpha <= 1.
      if (!(q.alpha >= 0 && q.alpha <= 1))
        Fail(kind, "alpha " + Num(q.alpha) + " is outside [0, 1] (the program takes max(x, alpha * x))");
      AppendDequant(p);
      if (q.alpha > 0) p.push_back(Movi(1, FloatBits(kind, "alpha", q.alpha)));
      p.push_back(FOp(SimdOp::kFmul, 1, 0, q.alpha > 0 ? 1 : kZeroReg));
      p.push_back(FOp(SimdOp::kFmax, 0, 0, 1));
      AppendRequant(p, kind, q.in_scale / q.out_scale, q);
      break;
    case Activation::kHardSwish:
      // x * min(max(x + 3, 0), 6) / 6, in accumulator units: t * min(max(t + 3/in, 0), 6/in).
      AppendDequant(p);
      p.push_back(Movi(1, FloatBits(kind, "3 / in_scale", 3 / q.in_scale)));
      p.push_back(FOp(SimdOp::kFadd, 1, 0, 1));
      p.push_back(FOp(SimdOp::kFmax, 1, 1, kZeroReg));
      p.push_back(Movi(2, FloatBits(kind, "6 / in_scale", 6 / q.in_scale)));
      p.push_back(FOp(SimdOp::kFmin, 1, 1, 2));
      p.push_back(FOp(SimdOp::kFmul, 0, 0, 1));
      AppendRequant(p, kind, q.in_scale * q.in_scale / (6 * q.out_scale), q);
      break;
    case Activation::kSigmoid:
      AppendTanhLike(p, kind, 0.5, 0.5, 0.5, q);
      break;
    case Activation::kTanh:
      AppendTanhLike(p, kind, 1, 1, 0, q);
      break;
    case Activation::kRequant:
      // The channel's multiplier scale * 2^-shift as FP32, exactly: float(scale) with shift
      // subtracted from its exponent field (normal for scale >= 1 and shift <= 63).
      AppendDequant(p);
      p.push_back(Ldparam(1, 1));
      p.push_back(FOp(SimdOp::kI2f, 1, 1));
      p.push_back(Ldparam(2, 2));
      p.push_back(Movi(3, 23));
      p.push_back(Op(SimdOp::kShl, 2, 2, 3));
      p.push_back(Op(SimdOp::kSub, 1, 1, 2));
      p.push_back(FOp(SimdOp::kFmul, 0, 0, 1));
      AppendRequant(p, kind, q.in_scale / q.out_scale, q);
      break;
  }
  if (p.size() > isa::kMaxSimdInstrs || simd::CheckProgram(p))
    throw std::logic_error(std::string("LowerActivation made an illegal ") + ToString(kind) + " program");
  return out;
}

double RealActivation(Activation kind, double x, double alpha) {
  switch (kind) {
    case Activation::kNone:
    case Activation::kRequant:
      return x;
    case Activation::kRelu:
      return std::max(x, 0.0);
    case Activation::kLeakyRelu:
      return x >= 0 ? x : alpha * x;
    case Activation::kRelu6:
      return std::clamp(x, 0.0, 6.0);
    case Activation::kSigmoid:
      return 1 / (1 + std::exp(-x));
    case Activation::kTanh:
      return std::tanh(x);
    case Activation::kHardSwish:
      return x * std::clamp(x + 3, 0.0, 6.0) / 6;
  }
  return 0;
}

ActAccuracy MeasureActivation(Activation kind, const ActQuant& q, const std::vector<isa::SimdInstr>& simd,
                              const ref::ChannelParams& params, uint64_t max_dense) {
  const double unit =
      kind == Activation::kRequant ? q.in_scale * params.scale * std::ldexp(1.0, -params.shift) : q.in_scale;
  const int64_t qmin = QMin(q), qmax = QMax(q);
  // The real inputs beyond which the reference output cannot change any more.
  const double y_lo = double(qmin - q.out_zero_point - 1) * q.out_scale;
  const double y_hi = double(qmax - q.out_zero_point + 1) * q.out_scale;
  double lo = y_lo, hi = y_hi;
  switch (kind) {
    case Activation::kLeakyRelu:
      if (q.alpha > 0) lo = y_lo / q.alpha;
      break;
    case Activation::kRelu6:
      hi = std::min(y_hi, 6.0) + q.out_scale;
      break;
    case Activation::kSigmoid:  // till 1 - sigmoid(x) < a quarter LSB, plus a margin
      hi = 2 * std::atanh(std::max(0.0, 1 - 0.5 * q.out_scale)) + 2, lo = -hi;
      break;
    case Activation::kTanh:
      hi = std::atanh(std::max(0.0, 1 - 0.25 * q.out_scale)) + 1, lo = -hi;
      break;
    case Activation::kHardSwish:
      lo = -4, hi = std::max(y_hi, 0.0) + 4;
      break;
    default:
      break;
  }
  constexpr int64_t kAccMin = -(int64_t(1) << 29), kAccMax = (int64_t(1) << 29) - 1;
  auto acc_of = [&](double x) {
    return std::clamp(std::floor(x / unit) - params.bias, double(kAccMin), double(kAccMax));
  };
  const int64_t a_lo = std::max(kAccMin, int64_t(acc_of(lo)) - 1);
  const int64_t a_hi = std::min(kAccMax, int64_t(acc_of(hi)) + 2);
  const uint64_t count = uint64_t(a_hi - a_lo + 1);
  const int64_t step = int64_t(std::max<uint64_t>(1, (count + max_dense - 1) / max_dense));

  ActAccuracy r;
  auto check = [&](int64_t acc) {
    const uint8_t byte = simd::RunLane(simd, int32_t(acc), params);
    const int64_t got = q.out_signed ? int64_t(int8_t(byte)) : int64_t(byte);
    const double v =
        RealActivation(kind, double(acc + params.bias) * unit, q.alpha) / q.out_scale + q.out_zero_point;
    const int64_t near_a = std::clamp(int64_t(std::floor(v + 0.5)), qmin, qmax);
    const int64_t near_b = std::clamp(int64_t(std::ceil(v - 0.5)), qmin, qmax);  // differs only at a tie
    const int64_t err = std::min(std::llabs(got - near_a), std::llabs(got - near_b));
    ++r.inputs;
    if (err == 0) ++r.exact;
    if (err > r.max_error_lsb) r.max_error_lsb = err, r.worst_acc = int32_t(acc);
  };
  for (int64_t acc = a_lo; acc <= a_hi; acc += step) check(acc);
  for (int64_t acc : {kAccMin, kAccMin + 1, kAccMax - 1, kAccMax, a_hi, int64_t(0)}) check(acc);
  for (int k = 0; k < 29; ++k)  // the saturated tails, sparsely, out to the 30-bit extremes
    for (int64_t acc : {int64_t(1) << k, (int64_t(3) << k) / 2}) check(acc), check(-acc);
  return r;
}

const std::vector<ActCase>& ActivationCases() {
  using A = Activation;
  auto quant = [](double in, double out, int32_t zp, bool is_signed, double alpha = 0.1) {
    ActQuant q;
    q.in_scale = in, q.out_scale = out, q.out_zero_point = zp, q.out_signed = is_signed, q.alpha = alpha;
    return q;
  };
  auto channel = [](int32_t bias, uint16_t scale = 1, uint8_t shift = 0) {
    ref::ChannelParams c;
    c.bias = bias, c.scale = scale, c.shift = shift;
    return c;
  };
  // in_scale 2^-12: 4096 accumulator steps per unit, a power-of-two ratio; 0.00037 and 0.0023: no
  // power of two, coarser steps (every accumulator step can change the output).
  static const std::vector<ActCase> cases = {
      {A::kNone, quant(1.0 / 4096, 1.0 / 32, 0, true), channel(1234), 0},
      {A::kNone, quant(0.00037, 0.047, 10, false), channel(-321), 0},
      {A::kRelu, quant(1.0 / 4096, 1.0 / 32, 0, true), channel(1234), 0},
      {A::kRelu, quant(0.00037, 0.047, 10, false), channel(-321), 0},
      {A::kLeakyRelu, quant(1.0 / 4096, 1.0 / 16, 0, true, 0.1), channel(1234), 0},
      {A::kLeakyRelu, quant(0.00037, 0.047, -20, true, 0.2), channel(-321), 1},
      {A::kRelu6, quant(1.0 / 4096, 6.0 / 255, 0, false), channel(1234), 0},
      {A::kRelu6, quant(0.00037, 0.03, -128, true), channel(-321), 1},
      {A::kSigmoid, quant(1.0 / 4096, 1.0 / 256, -128, true), channel(1234), 1},
      {A::kSigmoid, quant(0.0023, 1.0 / 256, -128, true), channel(-321), 1},
      {A::kSigmoid, quant(0.0001, 1.0 / 256, -128, true), channel(70000), 1},
      {A::kTanh, quant(1.0 / 4096, 1.0 / 128, 0, true), channel(1234), 1},
      {A::kTanh, quant(0.0023, 1.0 / 128, 0, true), channel(-321), 1},
      {A::kTanh, quant(1.0 / 16384, 1.0 / 128, 0, true), channel(70000), 1},  // t^9 coefficient denormal
      {A::kHardSwish, quant(1.0 / 4096, 0.05, -40, true), channel(1234), 1},
      {A::kHardSwish, quant(0.00037, 0.03, 20, false), channel(-321), 0},
      {A::kRequant, quant(0.05, 0.08, 5, true), channel(1234, 23456, 20), 0},
      {A::kRequant, quant(0.05, 0.2, 100, false), channel(-321, 40000, 24), 1},
  };
  return cases;
}

ref::ChannelParams ChannelOf(Activation kind, const ActProgram& program, const ref::ChannelParams& channel) {
  if (kind == Activation::kRequant) return channel;
  ref::ChannelParams p = program.params;
  p.bias = channel.bias;
  return p;
}

}  // namespace nna::compiler
