#include "testgen/directed_test.h"

#include <algorithm>

#include "compiler/assemble.h"
#include "isa/program.h"
#include "simd/simd_program.h"
#include "testgen/layer_test.h"
#include "util/split_mix64.h"

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

namespace {

// vectors/fig6_two_buffers with its flags changed by add_flags, stored as test `name`.
template <typename AddFlags>
Bundle Fig6WithFlags(const char* name, const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                     std::optional<uint64_t> seed, const compiler::Placement& at, AddFlags&& add_flags) {
  Bundle b = BuildTestFile(vectors_dir / "fig6_two_buffers.yaml", cfg, seed, at);
  std::vector<isa::Instruction> prog = isa::DecodeProgram(b.ProgramBytes()).instrs;
  const std::vector<isa::Opcode> expected = {
      isa::Opcode::kDmaRead, isa::Opcode::kDmaRead,  isa::Opcode::kDmaRead, isa::Opcode::kDmaRead,
      isa::Opcode::kConv,    isa::Opcode::kDmaWrite, isa::Opcode::kConv,    isa::Opcode::kDmaWrite};
  bool same = prog.size() == expected.size();
  for (size_t i = 0; same && i < prog.size(); ++i) same = prog[i].opcode == expected[i];
  if (!same)
    throw compiler::CompileError("test '" + std::string(name) +
                                 "' expects fig6_two_buffers to compile to 4 DMA_READs, CONV, "
                                 "DMA_WRITE, CONV, DMA_WRITE, and it compiled to " +
                                 std::to_string(prog.size()) + " other instructions");
  add_flags(prog);
  for (const isa::Instruction& in : prog) {
    const std::vector<uint8_t> words = isa::EncodeInstruction(in);
    std::copy(words.begin(), words.end(),
              b.dram.begin() + long(b.prog_dram_addr + in.word * isa::kWordBytes));
    for (InstrInfo& info : b.instrs)
      if (info.index == in.index) info.text = isa::Disassemble(in);
  }
  b.test = name;
  return b;
}

}  // namespace

Bundle BuildFlagPatternsTest(const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                             std::optional<uint64_t> seed, const compiler::Placement& at) {
  return Fig6WithFlags(kFlagPatternsTestName, vectors_dir, cfg, seed, at,
                       [](std::vector<isa::Instruction>& prog) {
                         prog[1].dma.wait_set |= 1u << 0;                  // set by DMA_READ 0: dma to dma
                         prog[0].dma.done_clear |= 1u << 8;                // a clear by a DMA ...
                         prog[2].dma.wait_clear |= (1u << 8) | (1u << 9);  // ... waited for; flag 9: initial
                         prog[4].compute.done_set |= 1u << 10;             // set by a compute instruction ...
                         prog[4].compute.done_clear |= 1u << 11;           // ... cleared by one ...
                         prog[6].compute.wait_set |= 1u << 10;             // ... waited for by the next
                         prog[6].compute.wait_clear |= 1u << 11;
                       });
}

Bundle BuildFlagPatternsHighTest(const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                                 std::optional<uint64_t> seed, const compiler::Placement& at) {
  return Fig6WithFlags(kFlagPatternsHighTestName, vectors_dir, cfg, seed, at,
                       [](std::vector<isa::Instruction>& prog) {
                         constexpr uint64_t kDma = (1u << 12) | (1u << 13), kCross = (1u << 14) | (1u << 15);
                         prog[0].dma.done_set |= kDma;  // one queue: set, waited for and cleared ...
                         prog[1].dma.wait_set |= kDma;
                         prog[1].dma.done_clear |= kDma;
                         prog[2].dma.wait_clear |= kDma;      // ... and waited for clear
                         prog[4].compute.done_set |= kCross;  // set by the compute queue ...
                         prog[5].dma.wait_set |= kCross;      // ... waited for and cleared by the DMA queue
                         prog[5].dma.done_clear |= kCross;
                         prog[7].dma.wait_clear |= kCross;
                       });
}

std::vector<DmaCopy> DmaExtremesCopies(uint64_t sram_room) {
  constexpr isa::Opcode kRead = isa::Opcode::kDmaRead;  // MakeDma: SRAM address and stride first
  std::vector<DmaCopy> copies;
  uint64_t out = 0;  // the output region, filled pair after pair
  auto add = [&](const isa::Instruction& in, uint64_t out_stride, uint64_t out_plane_stride) {
    copies.push_back({in, out, out_stride, out_plane_stride});
    out += isa::DmaBytes(in);
  };
  // One row of nearly the whole SRAM, from an odd DRAM address.
  add(isa::MakeDma(kRead, 0, 5, sram_room - 1, 1, 0, 0), 0, 0);
  // 65535 rows of 3 bytes, 5 apart in DRAM and 7 in SRAM, written back packed.
  add(isa::MakeDma(kRead, 3, 1, 3, isa::DmaInstr::kMaxRows, 7, 5), 3, 0);
  // Two rows as far apart as the fields allow in DRAM, and as the SRAM allows.
  add(isa::MakeDma(kRead, 0, 64, 100, 2, sram_room - 101, isa::DmaInstr::kMaxDramStride), 100, 0);
  // Two planes of two rows, 2^25 - 1 apart in DRAM and nearly the SRAM apart in SRAM.
  add(isa::MakeDma3d(kRead, 1, 7, 64, 2, 64, 200, 2, sram_room - 1 - 64 - 64, (uint64_t(1) << 25) - 1), 64,
      128);
  // 65535 planes of one 2-byte row, 5 apart in DRAM and 3 in SRAM, written back packed.
  add(isa::MakeDma3d(kRead, 5, 3, 2, 1, 0, 0, isa::DmaPlanesInstr::kMaxPlanes, 3, 5), 0, 2);
  // The last 20 bytes of the SRAM (the SRAM address's high bits).
  add(isa::MakeDma(kRead, sram_room - 20, 60, 20, 1, 0, 0), 0, 0);
  // Two rows of 4097 bytes last (bit 12, which the values above leave 0), so that the high bits
  // of every field fall back to 0.
  add(isa::MakeDma(kRead, 0, 0, 4097, 2, 4097, 4097), 4097, 0);
  return copies;
}

std::vector<DmaCopy> LongProgramCopies() {
  constexpr uint64_t kBeat = 16;
  std::vector<DmaCopy> copies;
  for (uint32_t k = 0; k < kLongProgramPairs; ++k) {
    isa::Instruction in = isa::MakeDma(isa::Opcode::kDmaRead, k * kBeat, k * kBeat, kBeat, 1, 0, 0);
    in.dma.done_set = uint64_t(1) << (k % isa::kNumFlags);
    copies.push_back({in, k * kBeat, 0, 0});
  }
  return copies;
}

namespace {
constexpr uint64_t kDataAlign = 4096;
uint64_t AlignData(uint64_t v) { return (v + kDataAlign - 1) / kDataAlign * kDataAlign; }
}  // namespace

Bundle BuildDmaExtremesTest(const HwConfig& cfg, std::optional<uint64_t> seed,
                            const compiler::Placement& at) {
  const uint64_t data = AlignData(at.sram_base + kDataAlign);  // its program takes less than a page
  if (data >= cfg.sram_bytes)
    throw compiler::CompileError("test 'dma_extremes' cannot start at SRAM " + std::to_string(at.sram_base) +
                                 ": no room is left in the SRAM of " + std::to_string(cfg.sram_bytes) +
                                 " bytes");
  return BuildDmaCopyTest(kDmaExtremesTestName, DmaExtremesCopies(cfg.sram_bytes - data), cfg, seed, at);
}

namespace {

// b with a program of the DMA pairs followed by `after` (its addresses unchanged; their layers
// named by b's instruction table), replacing b's own program: from sram_base the program and the
// pairs' data in SRAM, from dram_base the program, the pairs' input and their output in DRAM.
Bundle AddDmaCopies(Bundle b, const std::string& name, const std::vector<DmaCopy>& copies,
                    const std::vector<isa::Instruction>& after, const HwConfig& cfg,
                    std::optional<uint64_t> seed, uint64_t sram_base, uint64_t dram_base) {
  std::vector<isa::Instruction> prog;
  std::vector<std::string> layers;
  uint64_t in_bytes = 0, out_bytes = 0, sram_bytes = 0;
  for (const DmaCopy& c : copies) {
    isa::Instruction write = c.read;
    write.opcode = write.dma.opcode = isa::Opcode::kDmaWrite;
    write.dma.dram_addr = c.out_addr;
    write.dma.dram_stride = c.out_stride;
    write.planes.dram_plane_stride = c.out_plane_stride;
    write.dma.wait_set = write.dma.done_clear = c.read.dma.done_set;
    write.dma.done_set = write.dma.wait_clear = 0;
    in_bytes = std::max(in_bytes, isa::DmaDramEnd(c.read));
    out_bytes = std::max(out_bytes, isa::DmaDramEnd(write));
    sram_bytes = std::max(sram_bytes, isa::DmaSramEnd(c.read));
    prog.push_back(c.read);
    prog.push_back(write);
  }
  layers.assign(prog.size(), name);
  for (const isa::Instruction& in : after) {
    prog.push_back(in);
    layers.push_back(b.instrs.at(in.index).layer);
  }
  // SRAM: the program, then the data; DRAM: the program, the input, the output.
  const uint64_t prog_bytes = compiler::ProgramWords(prog) * isa::kWordBytes;
  const uint64_t prog_sram = AlignData(sram_base), data_sram = AlignData(prog_sram + prog_bytes);
  const uint64_t prog_dram = AlignData(dram_base), in_dram = AlignData(prog_dram + prog_bytes),
                 out_dram = AlignData(in_dram + in_bytes);
  if (data_sram + sram_bytes > cfg.sram_bytes)
    throw compiler::CompileError("test '" + name + "' needs SRAM up to byte " +
                                 std::to_string(data_sram + sram_bytes) + ", past the SRAM of " +
                                 std::to_string(cfg.sram_bytes) + " bytes of configuration " + cfg.name);
  b.test = name;
  b.config = cfg.name;
  b.dram.resize(AlignData(out_dram + out_bytes), 0);
  SplitMix64 rng(seed.value_or(20));
  for (uint64_t i = 0; i < in_bytes; ++i) b.dram[in_dram + i] = uint8_t(rng.Next());
  std::vector<uint8_t> ref(out_bytes, 0);
  for (size_t i = 0; i < 2 * copies.size(); i += 2) {
    isa::Instruction &rd = prog[i], &wr = prog[i + 1];
    rd.dma.dram_addr += in_dram;
    wr.dma.dram_addr += out_dram;
    rd.dma.sram_addr += data_sram;
    wr.dma.sram_addr = rd.dma.sram_addr;
    // The rows in the engine's order: the k-th row read is the k-th row written.
    std::vector<uint64_t> from;
    isa::ForEachDmaRow(rd, [&](uint64_t dram, uint64_t) { from.push_back(dram); });
    size_t row = 0;
    isa::ForEachDmaRow(wr, [&](uint64_t dram, uint64_t) {
      std::copy_n(b.dram.begin() + long(from[row++]), wr.dma.row_bytes, ref.begin() + long(dram - out_dram));
    });
  }
  // The new program replaces the old one, whose words stay unused in DRAM.
  b.instrs.clear();
  b.regions.erase(
      std::remove_if(b.regions.begin(), b.regions.end(), [](const Region& r) { return r.kind == "program"; }),
      b.regions.end());
  compiler::AssembleProgram(
      prog, layers,
      [&](size_t i, const std::string& what) {
        throw compiler::CompileError("test '" + name + "': instruction " + std::to_string(i) + ": " + what);
      },
      prog_sram, prog_dram, &b);
  b.regions.push_back({"copy_input", "input", in_dram, in_bytes, {}, false});
  b.regions.push_back({"copy_output", "output", out_dram, out_bytes, {}, false});
  b.reference["copy_output"] = std::move(ref);
  b.sram_end = AlignData(data_sram + sram_bytes);  // the next program's base, on a page boundary
  return b;
}

}  // namespace

Bundle BuildDmaCopyTest(const std::string& name, const std::vector<DmaCopy>& copies, const HwConfig& cfg,
                        std::optional<uint64_t> seed, const compiler::Placement& at) {
  Bundle empty;
  empty.dram.assign(at.dram_base, 0);  // DRAM below the placement's base stays zero
  return AddDmaCopies(std::move(empty), name, copies, {}, cfg, seed, at.sram_base, at.dram_base);
}

Bundle BuildLongProgramTest(const std::filesystem::path& vectors_dir, const HwConfig& cfg,
                            std::optional<uint64_t> seed, const compiler::Placement& at) {
  Bundle b = BuildTestFile(vectors_dir / "conv1x1_small.yaml", cfg, seed, at);
  const std::vector<isa::Instruction> layer = isa::DecodeProgram(b.ProgramBytes()).instrs;
  const uint64_t sram_base = b.sram_end, dram_base = b.dram.size();
  return AddDmaCopies(std::move(b), kLongProgramTestName, LongProgramCopies(), layer, cfg, seed, sram_base,
                      dram_base);
}

}  // namespace nna::testgen
