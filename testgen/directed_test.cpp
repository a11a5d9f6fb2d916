#include "testgen/directed_test.h"

#include <algorithm>

#include "isa/program.h"
#include "simd/simd_program.h"
#include "testgen/layer_test.h"

namespace nna::testgen {

std::optional<isa::Dtype> SimdIntOpsDtype(const std::string& name) {
  const std::string prefix = kSimdIntOpsPrefix;
  if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  for (isa::Dtype d : {isa::Dtype::kI32, isa::Dtype::kI16, isa::Dtype::kI8, isa::Dtype::kU8})
    if (name.substr(prefix.size()) == isa::ToString(d)) return d;
  return std::nullopt;
}

std::vector<isa::SimdInstr> SimdIntOpsProgram(isa::Dtype dtype) {
  using isa::SimdOp;
  using simd::Ins;
  // v0 enters with the accumulator; v1 = 3: the shift amount, and a small operand.
  auto op = [dtype](SimdOp o, uint64_t dst, uint64_t a, uint64_t b) { return Ins(o, dst, a, b).Dt(dtype); };
  return {Ins(SimdOp::kMovi, 1).Dt(isa::Dtype::kI32).Imm(3),
          op(SimdOp::kAdd, 2, 0, 1),
          op(SimdOp::kSub, 3, 1, 0),
          op(SimdOp::kMul, 4, 0, 3),
          op(SimdOp::kShl, 5, 4, 1),
          op(SimdOp::kShr, 6, 0, 1).Flags(1),  // rounds half up
          op(SimdOp::kMin, 7, 5, 6),
          op(SimdOp::kMax, 2, 7, 2),
          op(SimdOp::kAnd, 3, 2, 4),
          op(SimdOp::kOr, 4, 3, 6),
          op(SimdOp::kXor, 5, 4, 0),
          op(SimdOp::kCmpeq, 1, 5, 2),
          op(SimdOp::kCmplt, 2, 0, 5),
          op(SimdOp::kCmple, 3, 4, 3).If(1, true),
          op(SimdOp::kSat, 0, 5, 0).If(2),
          op(SimdOp::kXor, 0, 0, 4).If(3, true)};
}

std::vector<isa::SimdInstr> SimdFpSpecialsProgram() {
  using isa::SimdOp;
  using simd::Ins;
  auto f = [](SimdOp o, uint64_t dst, uint64_t a, uint64_t b) {
    return Ins(o, dst, a, b).Dt(isa::Dtype::kF32);
  };
  auto i = [](SimdOp o, uint64_t dst, uint64_t a, uint64_t b) {
    return Ins(o, dst, a, b).Dt(isa::Dtype::kI32);
  };
  auto movi = [](uint64_t dst, uint32_t bits) {
    return Ins(SimdOp::kMovi, dst).Dt(isa::Dtype::kI32).Imm(bits);
  };
  return {f(SimdOp::kI2f, 1, 0, 0),   // v1 = x
          movi(2, 0x7F800000u),       // +inf
          f(SimdOp::kFmul, 3, 1, 2),  // x * +inf: +-inf, NaN when x is 0
          movi(5, 0xFF7FFFFFu),       // the most negative finite float
          f(SimdOp::kFadd, 5, 5, 2),  // -max + +inf: +inf (through the adder: 2^104)
          movi(6, 0x7FC00001u),       // a NaN other than the canonical one
          f(SimdOp::kFmin, 6, 6, 6),  // two NaNs: the canonical NaN
          movi(7, 0xBF800000u),       // -1.0
          f(SimdOp::kFma, 1, 1, 7),   // x * -1 + x: exactly 0, +0 in RNE
          f(SimdOp::kF2i, 3, 3, 0),   // an infinity saturates, NaN gives 0
          i(SimdOp::kXor, 0, 3, 5),  i(SimdOp::kXor, 0, 0, 6),
          i(SimdOp::kXor, 0, 0, 1),  movi(2, 24),  // the sign and exponent bits into the output byte
          i(SimdOp::kShr, 2, 0, 2),  i(SimdOp::kXor, 0, 0, 2)};
}

compiler::TestSpec SimdFpSpecialsTestSpec() {
  compiler::TestSpec spec = SimdIntOpsTestSpec(isa::Dtype::kI32);
  spec.layer.simd = SimdFpSpecialsProgram();
  spec.name = spec.file = kSimdFpSpecialsTestName;
  spec.doc = "the FP32 unit's infinities, NaNs and exact cancellation after a 1x1 convolution";
  return spec;
}

compiler::TestSpec SimdIntOpsTestSpec(isa::Dtype dtype) {
  compiler::LayerSpec l;
  l.op = compiler::LayerOp::kConv;
  l.in_c = 16;
  l.in_h = l.in_w = 6;
  l.in_signed = true;
  l.out_c = 8;
  l.simd = SimdIntOpsProgram(dtype);
  compiler::TestSpec spec;
  spec.name = kSimdIntOpsPrefix + std::string(isa::ToString(dtype));
  spec.file = spec.name;
  spec.doc = "every integer SIMD op on " + std::string(isa::ToString(dtype)) + " after a 1x1 convolution";
  spec.seed = 20;
  spec.layer = l;
  return spec;
}

Bundle BuildFlagPatternsTest(const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                             std::optional<uint64_t> seed, const compiler::Placement& at) {
  Bundle b = BuildTestFile(vectors_dir / "fig6_two_buffers.yaml", cfg, seed, at);
  std::vector<isa::Instruction> prog = isa::DecodeProgram(b.ProgramBytes()).instrs;
  const std::vector<isa::Opcode> expected = {
      isa::Opcode::kDmaRead, isa::Opcode::kDmaRead,  isa::Opcode::kDmaRead, isa::Opcode::kDmaRead,
      isa::Opcode::kConv,    isa::Opcode::kDmaWrite, isa::Opcode::kConv,    isa::Opcode::kDmaWrite};
  bool same = prog.size() == expected.size();
  for (size_t i = 0; same && i < prog.size(); ++i) same = prog[i].opcode == expected[i];
  if (!same)
    throw compiler::CompileError(
        "test 'flag_patterns' expects fig6_two_buffers to compile to 4 DMA_READs, CONV, "
        "DMA_WRITE, CONV, DMA_WRITE, and it compiled to " +
        std::to_string(prog.size()) + " other instructions");
  prog[1].dma.wait_set |= 1u << 0;                  // set by DMA_READ 0: dma to dma
  prog[0].dma.done_clear |= 1u << 8;                // a clear by a DMA ...
  prog[2].dma.wait_clear |= (1u << 8) | (1u << 9);  // ... waited for; flag 9: initial
  prog[4].compute.done_set |= 1u << 10;             // set by a compute instruction ...
  prog[4].compute.done_clear |= 1u << 11;           // ... cleared by one ...
  prog[6].compute.wait_set |= 1u << 10;             // ... waited for by the next
  prog[6].compute.wait_clear |= 1u << 11;
  for (const isa::Instruction& in : prog) {
    const std::vector<uint8_t> words = isa::EncodeInstruction(in);
    std::copy(words.begin(), words.end(),
              b.dram.begin() + long(b.prog_dram_addr + in.word * isa::kWordBytes));
    for (InstrInfo& info : b.instrs)
      if (info.index == in.index) info.text = isa::Disassemble(in);
  }
  b.test = kFlagPatternsTestName;
  return b;
}

}  // namespace nna::testgen
