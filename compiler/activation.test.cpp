#include "compiler/activation.h"

#include <catch2/catch.hpp>
#include <cstring>

#include "compiler/compile_error.h"
#include "simd/simd_program.h"

using namespace nna;
using namespace nna::compiler;

TEST_CASE("activation: every program is legal and fits the SIMD program limit", "[activation]") {
  for (const ActCase& c : ActivationCases()) {
    INFO(ToString(c.kind) << " " << Describe(c.kind, c.quant));
    const ActProgram prog = LowerActivation(c.kind, c.quant);
    CHECK_FALSE(simd::CheckProgram(prog.simd));
    CHECK(prog.simd.size() >= 1);
    CHECK(prog.simd.size() <= isa::kMaxSimdInstrs);
  }
}

TEST_CASE("activation: each program stays within its documented error bound", "[activation]") {
  for (const ActCase& c : ActivationCases()) {
    INFO(ToString(c.kind) << " " << Describe(c.kind, c.quant));
    const ActProgram prog = LowerActivation(c.kind, c.quant);
    const ActAccuracy a =
        MeasureActivation(c.kind, c.quant, prog.simd, ChannelOf(c.kind, prog, c.channel), 1u << 16);
    INFO("worst accumulator " << a.worst_acc);
    CHECK(a.inputs > 1000);
    CHECK(a.max_error_lsb <= c.bound_lsb);
  }
}

TEST_CASE("activation: a program with a perturbed constant exceeds the bound", "[activation]") {
  // The measurement must be able to fail: one polynomial coefficient of tanh 1% off, and the
  // output multiplier of leaky ReLU 2% off.
  for (const ActCase& c : ActivationCases()) {
    if (c.kind != Activation::kTanh && c.kind != Activation::kLeakyRelu) continue;
    INFO(ToString(c.kind) << " " << Describe(c.kind, c.quant));
    ActProgram prog = LowerActivation(c.kind, c.quant);
    int movis = 0;
    for (isa::SimdInstr& s : prog.simd) {
      if (s.op != isa::SimdOp::kMovi) continue;
      // tanh: the third constant (the t^5 coefficient); leaky ReLU: the second (the multiplier).
      if (++movis != (c.kind == Activation::kTanh ? 3 : 2)) continue;
      float f;
      const uint32_t bits = uint32_t(s.imm);
      std::memcpy(&f, &bits, sizeof f);
      f *= c.kind == Activation::kTanh ? 1.01f : 1.02f;
      uint32_t out;
      std::memcpy(&out, &f, sizeof out);
      s.imm = out;
    }
    const ActAccuracy a =
        MeasureActivation(c.kind, c.quant, prog.simd, ChannelOf(c.kind, prog, c.channel), 1u << 16);
    CHECK(a.max_error_lsb > c.bound_lsb);
  }
}

TEST_CASE("activation: impossible parameters give one sentence naming the value", "[activation]") {
  auto error = [](Activation kind, ActQuant q) {
    try {
      LowerActivation(kind, q);
    } catch (const CompileError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ActQuant q;
  q.in_scale = 100000, q.out_scale = 1;
  CHECK(error(Activation::kRelu, q) ==
        "relu: in_scale / out_scale = 100000 is above 65535, the largest FUSED_RELU multiplier");
  q.in_scale = 1e-30;
  CHECK(error(Activation::kNone, q) ==
        "none: in_scale / out_scale = 1e-30 is below 2^-64, the smallest FUSED_RELU multiplier");
  q.in_scale = -1;
  CHECK(error(Activation::kTanh, q) == "tanh: in_scale -1 is not a positive finite number");
  q = ActQuant{};
  q.out_signed = false, q.out_zero_point = 200;
  CHECK(error(Activation::kRelu6, q) == "no error");  // the 16-bit zero point holds a uint8 output's
  q.out_zero_point = 300;
  CHECK(error(Activation::kHardSwish, q) ==
        "hard_swish: out_zero_point 300 is outside the uint8 range 0..255");
  q = ActQuant{};
  q.alpha = 1.5;
  CHECK(error(Activation::kLeakyRelu, q) ==
        "leaky_relu: alpha 1.5 is outside [0, 1] (the program takes max(x, alpha * x))");
  q = ActQuant{};
  q.in_scale = 1.0 / 4096, q.out_scale = 1.0 / 256, q.out_signed = false, q.out_zero_point = 0;
  CHECK(error(Activation::kSigmoid, q) ==
        "sigmoid: out_zero_point 0 must be -128 (the output at x = 0 must be the zero point; another costs a "
        "17th instruction)");
  q.out_scale = 1.0 / 128, q.out_zero_point = 128;
  CHECK(
      error(Activation::kTanh, q) ==
      "tanh: out_zero_point 128 must be 0 (the output at x = 0 must be the zero point; another costs a 17th "
      "instruction)");
  q.out_signed = true, q.out_zero_point = 0, q.out_scale = 1.0 / 64;
  CHECK(error(Activation::kTanh, q) ==
        "tanh: out_scale 0.015625 with out_zero_point 0 does not saturate the output within 1 LSB of the "
        "function's limits -1 and 1 (the program does not clamp its input)");
  q.out_scale = 1.0 / 128, q.in_scale = 1e-6;
  CHECK(error(Activation::kTanh, q) ==
        "tanh: the t^7 coefficient (in_scale 1e-06) -1.06601e-42 does not fit FP32 with 12 significant bits");
  q.in_scale = 1.0 / 16384;  // 2^-14: the t^9 coefficient is a denormal, still precise enough
  CHECK(error(Activation::kTanh, q) == "no error");
}
