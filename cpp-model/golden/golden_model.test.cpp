#include "golden/golden_model.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <random>

#include "isa/program.h"
#include "pool/pool.h"
#include "ref/ref_ops.h"

using namespace nna;
using isa::Instruction;
using isa::Opcode;

namespace {

// One dot-product layer: CONV (grouped when g.groups > 1), DECONV or INNER_PRODUCT (kh x kw must
// then be in_h x in_w).
struct ConvCase {
  uint32_t in_c, in_h, in_w, out_c, kh, kw;
  ref::ConvGeometry g;
  bool in_signed, wt_signed, out_signed, relu;
  isa::Order order;
  Opcode op = Opcode::kConv;
};

// Exact accumulators of the case from the reference operators, (Cout, OH, OW).
std::vector<int64_t> Exact(const ConvCase& cc, const ref::Tensor& in, const ref::Weights& w, uint32_t* oh,
                           uint32_t* ow) {
  if (cc.op == Opcode::kDeconv) return ref::Deconv2d(in, w, cc.g, oh, ow);
  if (cc.op == Opcode::kInnerProduct) {
    *oh = *ow = 1;
    return ref::InnerProduct(in, w);
  }
  return ref::Conv2d(in, w, cc.g, oh, ow);
}

// A hand-laid-out one-layer program (independent of the compiler): DRAM = SRAM addresses + 0x40,
// so that a mix-up of the two shows.
struct Built {
  Bundle bundle;
  std::vector<uint8_t> expect;
  uint64_t out_dram = 0;
  ref::Tensor input;
  ref::Weights weights;
};

uint64_t Align(uint64_t v) { return (v + 63) / 64 * 64; }

Built Build(const HwConfig& cfg, const ConvCase& cc, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Built b;
  b.input = ref::Tensor(cc.in_c, cc.in_h, cc.in_w, cc.in_signed);
  for (auto& x : b.input.data) x = uint8_t(rng());
  const uint32_t groups = cc.g.groups;
  b.weights = ref::Weights(cc.out_c, cc.in_c / groups, cc.kh, cc.kw, cc.wt_signed);
  for (auto& x : b.weights.data) x = uint8_t(rng());
  std::vector<ref::ChannelParams> params(cc.out_c);
  for (auto& p : params) {
    p.bias = int32_t(rng() % 2001) - 1000;
    p.scale = uint16_t(1 + rng() % 300);
    p.shift = uint8_t(8 + rng() % 8);
    p.zero_point = int16_t(int(rng() % 11) - 5);
  }
  uint32_t oh = 0, ow = 0;
  b.expect =
      ref::Requantize(Exact(cc, b.input, b.weights, &oh, &ow), cc.out_c, params, cc.relu, !cc.out_signed);

  const uint64_t m = cfg.array_rows, n = cfg.array_cols;
  const uint64_t gin = cc.in_c / groups, gout = cc.out_c / groups, group_tiles = (gout + m - 1) / m;
  const uint64_t dot_len = gin * cc.kh * cc.kw;
  const auto wt = ref::PreorderWeights(b.weights, uint32_t(m), groups);
  constexpr unsigned kPrm = isa::ChannelParamsRecord::kBytes;
  std::vector<uint8_t> prm(cc.out_c * kPrm);
  for (uint32_t i = 0; i < cc.out_c; ++i) ref::PackParams(params[i], &prm[i * kPrm]);

  const uint64_t prog_words = 1 + 1 + 1 + 9 + 1;
  const uint64_t prog = 0, in = Align(prog + prog_words * 32), pa = Align(in + b.input.data.size() + 5),
                 wa = Align(pa + prm.size()), out = Align(wa + wt.size());
  const uint64_t out_bytes = b.expect.size(), end = Align(out + out_bytes);
  const uint64_t off = 0x40;
  Bundle& bd = b.bundle;
  bd.test = "golden_case";
  bd.config = cfg.name;
  bd.dram.assign(end + off, 0);
  std::copy(b.input.data.begin(), b.input.data.end(), bd.dram.begin() + long(in + off));
  std::copy(prm.begin(), prm.end(), bd.dram.begin() + long(pa + off));
  std::copy(wt.begin(), wt.end(), bd.dram.begin() + long(wa + off));

  const uint64_t plane = uint64_t(cc.in_h) * cc.in_w;
  std::vector<Instruction> p;
  p.push_back(isa::MakeDma(Opcode::kDmaRead, in, in + off, plane, cc.in_c, plane, plane));
  p.back().dma.done_set = 1;
  p.push_back(isa::MakeDma(Opcode::kDmaRead, pa, pa + off, prm.size()));
  p.back().dma.done_set = 2;
  p.push_back(isa::MakeDma(Opcode::kDmaRead, wa, wa + off, wt.size()));
  p.back().dma.done_set = 4;
  Instruction c;
  c.opcode = cc.op;
  auto& ci = c.compute;
  ci.opcode = cc.op;
  ci.wait_set = 7;
  ci.done_set = 8;
  ci.in_addr = in;
  ci.wt_addr = wa;
  ci.param_addr = pa;
  ci.out_addr = out;
  ci.in_c = cc.in_c;
  ci.in_h = cc.in_h;
  ci.in_w = cc.in_w;
  ci.out_c = cc.out_c;
  ci.out_h = oh;
  ci.out_w = ow;
  ci.in_row_stride = cc.in_w;
  ci.in_plane_stride = plane;
  ci.out_row_stride = ow;
  ci.out_plane_stride = uint64_t(oh) * ow;
  ci.kernel_h = cc.kh;
  ci.kernel_w = cc.kw;
  ci.stride_h = cc.g.stride_h;
  ci.stride_w = cc.g.stride_w;
  ci.dil_h = cc.g.dil_h;
  ci.dil_w = cc.g.dil_w;
  ci.pad_top = cc.g.pad_top;
  ci.pad_bottom = cc.g.pad_bottom;
  ci.pad_left = cc.g.pad_left;
  ci.pad_right = cc.g.pad_right;
  ci.out_pad_h = cc.g.out_pad_h;
  ci.out_pad_w = cc.g.out_pad_w;
  ci.groups = groups;
  ci.group_in_c = gin;
  ci.group_out_c = gout;
  ci.group_tiles = group_tiles;
  ci.in_signed = cc.in_signed;
  ci.wt_signed = cc.wt_signed;
  ci.out_signed = cc.out_signed;
  ci.order = cc.order;
  ci.dot_len = dot_len;
  ci.pix_tiles = (uint64_t(oh) * ow + n - 1) / n;
  ci.ch_tiles = groups * group_tiles;
  ci.wt_tile_bytes = dot_len * m;
  isa::SimdInstr nop;  // a NOP first: the program is FUSED_RELU v0, v0 after it
  isa::SimdInstr fr;
  fr.op = isa::SimdOp::kFusedRelu;
  fr.flags = (cc.relu ? 1 : 0) | (cc.out_signed ? 0 : 2);
  c.simd = {nop, fr};
  p.push_back(c);
  b.out_dram = out + off + 0;
  p.push_back(isa::MakeDma(Opcode::kDmaWrite, out, b.out_dram, out_bytes));
  p.back().dma.wait_set = 8;

  std::vector<uint8_t> words;
  for (const auto& i : p) {
    const auto w = isa::EncodeInstruction(i);
    words.insert(words.end(), w.begin(), w.end());
  }
  // The conv takes 8 + 1 words with two SIMD instructions.
  REQUIRE(words.size() == prog_words * 32);
  std::copy(words.begin(), words.end(), bd.dram.begin() + long(prog + off));
  bd.prog_dram_addr = prog + off;
  bd.prog_sram_addr = prog;
  bd.prog_words = prog_words;
  return b;
}

std::vector<uint8_t> Output(const RunResult& r, const Built& b) {
  return std::vector<uint8_t>(r.dram.begin() + long(b.out_dram),
                              r.dram.begin() + long(b.out_dram + b.expect.size()));
}

// Number of AXI beats of one DMA row.
uint64_t Beats(uint64_t addr, uint64_t bytes, uint64_t bus) {
  return (addr + bytes + bus - 1) / bus - addr / bus;
}

}  // namespace

TEST_CASE("golden model equals the reference operators on random convolutions", "[golden]") {
  std::mt19937_64 rng(99);
  for (const char* cfg_name : {"tiny", "fsd"}) {
    const HwConfig& cfg = FindHwConfig(cfg_name);
    for (int trial = 0; trial < 12; ++trial) {
      ConvCase cc{};
      cc.in_c = uint32_t(1 + rng() % 7);
      cc.in_h = uint32_t(3 + rng() % 12);
      cc.in_w = uint32_t(3 + rng() % 12);
      cc.out_c = uint32_t(1 + rng() % (trial % 3 == 0 ? 110 : 20));
      cc.kh = uint32_t(1 + rng() % 3);
      cc.kw = uint32_t(1 + rng() % 3);
      cc.g.stride_h = uint32_t(1 + rng() % 2);
      cc.g.stride_w = uint32_t(1 + rng() % 3);
      cc.g.dil_h = uint32_t(1 + rng() % 2);
      cc.g.dil_w = 1;
      cc.g.pad_top = uint32_t(rng() % 3);
      cc.g.pad_bottom = uint32_t(rng() % 2);
      cc.g.pad_left = uint32_t(rng() % 2);
      cc.g.pad_right = uint32_t(rng() % 3);
      cc.in_signed = rng() & 1;
      cc.wt_signed = rng() & 1;
      cc.out_signed = rng() & 1;
      cc.relu = rng() & 1;
      cc.order = (rng() & 1) ? isa::Order::kChannelMajor : isa::Order::kPixelMajor;
      if (ref::ConvOutSize(cc.in_h, cc.kh, cc.g.stride_h, cc.g.dil_h, cc.g.pad_top, cc.g.pad_bottom) < 1 ||
          ref::ConvOutSize(cc.in_w, cc.kw, cc.g.stride_w, cc.g.dil_w, cc.g.pad_left, cc.g.pad_right) < 1)
        continue;
      INFO(cfg_name << " trial " << trial << " in " << cc.in_c << "x" << cc.in_h << "x" << cc.in_w
                    << " out_c " << cc.out_c << " k " << cc.kh << "x" << cc.kw);
      const Built b = Build(cfg, cc, 1000 + uint64_t(trial));
      EventRecorder rec;
      const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
      REQUIRE(r.ok);
      CHECK(r.message.empty());
      CHECK(r.err_instr == 0xFFFFFFFFu);
      CHECK(r.instrs_done == 5);
      CHECK(Output(r, b) == b.expect);

      const uint64_t pixels = b.expect.size() / cc.out_c;
      const uint64_t pix_tiles = (pixels + cfg.array_cols - 1) / cfg.array_cols;
      CHECK(rec.acc_unloads.size() == pix_tiles * cc.out_c);
      CHECK(rec.simd_writes.size() == pix_tiles * cc.out_c);
      uint64_t simd_bytes = 0;
      for (const auto& w : rec.simd_writes) simd_bytes += w.bytes.size();
      CHECK(simd_bytes == b.expect.size());
      // DMA writes: program load + input rows + params + weights, each cut into AXI beats.
      const uint64_t bus = cfg.axi_data_bytes, plane = uint64_t(cc.in_h) * cc.in_w;
      uint64_t beats = Beats(b.bundle.prog_dram_addr, b.bundle.prog_words * 32, bus);
      isa::DecodedProgram prog = isa::DecodeProgram(b.bundle.ProgramBytes());
      REQUIRE(prog.instrs.size() == 5);
      for (int i = 0; i < 3; ++i) {
        const auto& d = prog.instrs[size_t(i)].dma;
        for (uint64_t row = 0; row < d.rows; ++row)
          beats += Beats(d.dram_addr + row * d.dram_stride, d.row_bytes, bus);
      }
      CHECK(prog.instrs[0].dma.rows == cc.in_c);
      CHECK(prog.instrs[0].dma.row_bytes == plane);
      CHECK(rec.dma_writes.size() == beats);
      for (const auto& w : rec.dma_writes) {
        CHECK(w.bytes.size() <= bus);
        CHECK(!w.bytes.empty());
      }
      CHECK(rec.dma_writes.front().instr == kProgramLoadInstr);
      // Loop-nest order: the first unloads belong to (pt 0, ct 0), rows ascending.
      CHECK(rec.acc_unloads.front().pix_tile == 0);
      CHECK(rec.acc_unloads.front().ch_tile == 0);
      CHECK(rec.acc_unloads.front().values.size() == cfg.array_cols);
      if (cc.out_c > cfg.array_rows && pix_tiles > 1) {
        const auto& e = rec.acc_unloads[cfg.array_rows];
        if (cc.order == isa::Order::kPixelMajor)
          CHECK((e.pix_tile == 0 && e.ch_tile == 1));
        else
          CHECK((e.pix_tile == 1 && e.ch_tile == 0));
      }
    }
  }
}

TEST_CASE("acc unload values are the reference accumulators wrapped to 30 bits", "[golden]") {
  // Long unsigned dot products (dot_len 2295) with padding: every lane of every row, including
  // lanes past the last pixel (zero), against the exact reference sums.
  const HwConfig& cfg = FindHwConfig("tiny");
  ConvCase cc{};
  cc.in_c = 255;
  cc.in_h = cc.in_w = 3;
  cc.out_c = 3;
  cc.kh = cc.kw = 3;
  cc.g.pad_top = cc.g.pad_bottom = cc.g.pad_left = cc.g.pad_right = 1;
  cc.in_signed = cc.wt_signed = false;
  cc.out_signed = false;
  cc.relu = true;
  Built b = Build(cfg, cc, 7);
  EventRecorder rec;
  const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
  REQUIRE(r.ok);
  uint32_t oh = 0, ow = 0;
  const auto acc = ref::Conv2d(b.input, b.weights, cc.g, &oh, &ow);
  for (const auto& e : rec.acc_unloads) {
    const uint32_t co = e.ch_tile * uint32_t(cfg.array_rows) + e.row;
    for (uint32_t i = 0; i < cfg.array_cols; ++i) {
      const uint64_t p = e.pix_tile * cfg.array_cols + i;
      const int32_t want = p < uint64_t(oh) * ow ? ref::WrapAcc(acc[co * oh * ow + p]) : 0;
      REQUIRE(e.values[i] == want);
    }
  }
}

TEST_CASE("accumulators wrap modulo 2^30 in the model", "[golden]") {
  // 1x1 conv over 8192 unsigned channels of 255 with weights 255: 8192*65025 = 532,684,800 < 2^29;
  // 2 x that overflows: use a 1x2 kernel (dot_len 16384) -> 1,065,369,600 wraps to -8,372,224.
  const HwConfig& cfg = FindHwConfig("tiny");
  ConvCase cc{};
  cc.in_c = 8192;
  cc.in_h = 1;
  cc.in_w = 2;
  cc.out_c = 1;
  cc.kh = 1;
  cc.kw = 2;
  cc.in_signed = cc.wt_signed = false;
  cc.out_signed = true;
  cc.relu = false;
  Built b = Build(cfg, cc, 3);
  // Overwrite input and weights in the DRAM image with 255.
  auto& prog = b.bundle;
  const auto decoded = isa::DecodeProgram(prog.ProgramBytes());
  const auto& din = decoded.instrs[0].dma;
  std::fill_n(prog.dram.begin() + long(din.dram_addr), din.row_bytes * din.rows, 255);
  const auto& dwt = decoded.instrs[2].dma;
  // Only row j = 0 of each term is a real channel; the rest stay zero.
  for (uint64_t k = 0; k < 16384; ++k) prog.dram[dwt.dram_addr + k * cfg.array_rows] = 255;
  EventRecorder rec;
  const RunResult r = GoldenModel(cfg).Run(prog, rec);
  REQUIRE(r.ok);
  REQUIRE(rec.acc_unloads.size() == 1);
  CHECK(rec.acc_unloads[0].values[0] == ref::WrapAcc(int64_t(16384) * 65025));
  CHECK(rec.acc_unloads[0].values[0] == -8372224);
  CHECK(rec.acc_unloads[0].values[1] == 0);  // pixel 1 of out_w 1 does not exist
}

namespace {

ConvCase SmallCase() {
  ConvCase cc{};
  cc.in_c = 2;
  cc.in_h = cc.in_w = 5;
  cc.out_c = 3;
  cc.kh = cc.kw = 3;
  cc.in_signed = true;
  cc.wt_signed = true;
  cc.relu = true;
  return cc;
}

// Replaces instruction `index` of the bundle's program (same size) after editing it.
void Patch(Bundle& b, uint32_t index, const std::function<void(Instruction&)>& edit) {
  auto prog = isa::DecodeProgram(b.ProgramBytes());
  Instruction in = prog.instrs.at(index);
  edit(in);
  const auto w = isa::EncodeInstruction(in);
  REQUIRE(w.size() == size_t(in.words) * 32);
  std::copy(w.begin(), w.end(), b.dram.begin() + long(b.prog_dram_addr + in.word * 32));
}

}  // namespace

TEST_CASE("errors stop the program like the RTL", "[golden]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  Built b = Build(cfg, SmallCase(), 5);
  EventRecorder rec;

  SECTION("a flag nobody sets ends in watchdog naming the waiting instruction") {
    Patch(b.bundle, 3, [](Instruction& in) { in.compute.wait_set = 0x17; });
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK_FALSE(r.ok);
    CHECK(r.error == isa::ErrorCode::kWatchdog);
    CHECK(r.err_instr == 3);
    CHECK_THAT(r.message, Catch::Contains("instruction 3 (conv) waits for flags set 0x17"));
    CHECK(r.instrs_done == 3);
    CHECK(rec.acc_unloads.empty());
  }
  SECTION("an illegal compute instruction: the queued DMAs still complete") {
    Patch(b.bundle, 3, [](Instruction& in) { in.opcode = Opcode::kScale; });  // a 3x3 kernel
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalField);
    CHECK(r.err_instr == 3);
    CHECK(r.instrs_done == 3);
    CHECK(rec.acc_unloads.empty());
  }
  SECTION("groups that do not match the group fields are an illegal field") {
    Patch(b.bundle, 3, [](Instruction& in) { in.compute.groups = 2; });
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalField);
    CHECK(r.err_instr == 3);
    CHECK_THAT(r.message, Catch::Contains("has group_in_c 2"));
  }
  SECTION("inconsistent precomputed field") {
    Patch(b.bundle, 3, [](Instruction& in) { in.compute.pix_tiles += 1; });
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalField);
    CHECK_THAT(r.message, Catch::Contains("pix_tiles"));
  }
  SECTION("an illegal SIMD field") {
    Patch(b.bundle, 3, [](Instruction& in) { in.simd[1].src_b = 8, in.simd[1].op = isa::SimdOp::kAdd; });
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalField);
    CHECK_THAT(r.message, Catch::Contains("simd[1] (add) has src_b 8"));
  }
  SECTION("DMA rows 0") {
    Patch(b.bundle, 1, [](Instruction& in) { in.dma.rows = 0; });
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalField);
    CHECK(r.err_instr == 1);
    CHECK(r.instrs_done == 1);
  }
  SECTION("an illegal opcode in the program") {
    b.bundle.dram[b.bundle.prog_dram_addr + 2 * 32] = 0x55;
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalOpcode);
    CHECK(r.err_instr == 2);
    CHECK(r.instrs_done == 2);
  }
  SECTION("SRAM out of range") {
    Patch(b.bundle, 4, [&](Instruction& in) { in.dma.sram_addr = cfg.sram_bytes - 10; });
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kSramRange);
    CHECK(r.err_instr == 4);
    CHECK(r.instrs_done == 4);  // everything queued before it completes
    CHECK_FALSE(rec.acc_unloads.empty());
  }
  // Where the RTL and the model once disagreed (issue 20; tb: cosim.tiny.error_empty_program, ...).
  SECTION("an empty program is an illegal field of the program load") {
    b.bundle.prog_words = 0;
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalField);
    CHECK(r.err_instr == kProgramLoadInstr);
    CHECK(r.instrs_done == 0);
  }
  SECTION("an illegal compute instruction that never starts is never checked: watchdog") {
    Patch(b.bundle, 3, [](Instruction& in) { in.compute.wait_set |= 0x8000, in.compute.stride_h = 0; });
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kWatchdog);
    CHECK(r.err_instr == 3);
    CHECK(r.instrs_done == 3);
  }
  SECTION("a stuck instruction wins over a later illegal opcode the decoder met first") {
    Patch(b.bundle, 3, [](Instruction& in) { in.compute.wait_set |= 0x8000; });
    b.bundle.dram[b.bundle.prog_dram_addr + 12 * 32] = 0x55;  // instruction 4, after the 9-word CONV
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kWatchdog);
    CHECK(r.err_instr == 3);
  }
  SECTION("DRAM beyond the image") {
    Patch(b.bundle, 2, [&](Instruction& in) { in.dma.dram_addr = b.bundle.dram.size() - 1; });
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kAxiError);
    CHECK(r.err_instr == 2);
    CHECK(r.instrs_done == 2);
    // The beat that starts inside the image is answered OKAY and written, its bytes past the end
    // as zeros; the rest are DECERR and not written (found by make fuzz: the RTL writes it).
    const SramWriteEvent& ev = rec.dma_writes.back();
    CHECK(ev.instr == 2);
    CHECK(ev.bytes.at(0) == b.bundle.dram.back());
    CHECK(std::all_of(ev.bytes.begin() + 1, ev.bytes.end(), [](uint8_t v) { return v == 0; }));
  }
  SECTION("a program load partly past the DRAM image writes the part inside it, then axi_error") {
    // The RTL loads with its DMA engine, so the load is a DMA_READ like the one above (issue 20).
    const uint64_t bytes = b.bundle.prog_words * 32, inside = bytes / 2;
    b.bundle.prog_dram_addr = b.bundle.dram.size() - inside;
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kAxiError);
    CHECK(r.err_instr == kProgramLoadInstr);
    CHECK(r.instrs_done == 0);
    uint64_t written = 0;
    for (const SramWriteEvent& ev : rec.dma_writes) {
      CHECK(ev.instr == kProgramLoadInstr);
      written += ev.bytes.size();
    }
    CHECK(written >= inside);
    CHECK(written < inside + cfg.axi_data_bytes);
  }
}

TEST_CASE("the model is fast on an fsd-sized layer", "[golden]") {
  // 100 -> 192 channels, 24x28, 3x3: 116 M MACs; must take well under a couple of seconds.
  const HwConfig& cfg = FindHwConfig("fsd");
  ConvCase cc{};
  cc.in_c = 100;
  cc.in_h = 24;
  cc.in_w = 28;
  cc.out_c = 192;
  cc.kh = cc.kw = 3;
  cc.g.pad_top = cc.g.pad_bottom = cc.g.pad_left = cc.g.pad_right = 1;
  cc.in_signed = cc.wt_signed = true;
  cc.relu = true;
  const Built b = Build(cfg, cc, 11);
  EventRecorder rec;
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(r.ok);
  CHECK(Output(r, b) == b.expect);
  CHECK(secs < 3.0);
}

namespace {

// Every unload's lanes against the exact accumulators, wrapped: channel co = g*group_out_c + t*M +
// row of tile ct = g*group_tiles + t; lanes past the last pixel are 0. Also the loop-nest order.
void CheckUnloads(const HwConfig& cfg, const ConvCase& cc, const Built& b, const EventRecorder& rec) {
  uint32_t oh = 0, ow = 0;
  const auto acc = Exact(cc, b.input, b.weights, &oh, &ow);
  const uint64_t out_addr = isa::DecodeProgram(b.bundle.ProgramBytes()).instrs.at(3).compute.out_addr;
  const uint64_t m = cfg.array_rows, n = cfg.array_cols, pixels = uint64_t(oh) * ow;
  const uint64_t gout = cc.out_c / cc.g.groups, group_tiles = (gout + m - 1) / m;
  const uint64_t pix_tiles = (pixels + n - 1) / n, ch_tiles = cc.g.groups * group_tiles;
  size_t e = 0;
  const bool pm = cc.order == isa::Order::kPixelMajor;
  for (uint64_t a = 0; a < (pm ? pix_tiles : ch_tiles); ++a)
    for (uint64_t bb = 0; bb < (pm ? ch_tiles : pix_tiles); ++bb) {
      const uint64_t pt = pm ? a : bb, ct = pm ? bb : a, g = ct / group_tiles, t = ct % group_tiles;
      const uint64_t rows = std::min<uint64_t>(m, gout - t * m);
      for (uint64_t j = 0; j < rows; ++j, ++e) {
        REQUIRE(e < rec.acc_unloads.size());
        const auto& ev = rec.acc_unloads[e];
        REQUIRE(ev.pix_tile == pt);
        REQUIRE(ev.ch_tile == ct);
        REQUIRE(ev.row == j);
        const uint64_t co = g * gout + t * m + j;
        for (uint64_t i = 0; i < n; ++i) {
          const uint64_t p = pt * n + i;
          const int32_t want = p < pixels ? ref::WrapAcc(acc[co * pixels + p]) : 0;
          REQUIRE(ev.values[i] == want);
        }
        // The write-back of the same row: channel co's plane, section pt.
        REQUIRE(rec.simd_writes[e].addr == out_addr + co * pixels + pt * n);
      }
    }
  CHECK(e == rec.acc_unloads.size());
  CHECK(rec.simd_writes.size() == e);
}

}  // namespace

TEST_CASE("golden model equals the reference on grouped, depthwise, transposed and inner products",
          "[golden]") {
  std::mt19937_64 rng(1234);
  for (const char* cfg_name : {"tiny", "fsd"}) {
    const HwConfig& cfg = FindHwConfig(cfg_name);
    for (int trial = 0; trial < 36; ++trial) {
      ConvCase cc{};
      const int kind = trial % 4;  // grouped conv, depthwise conv, deconv, inner product
      cc.in_signed = rng() & 1;
      cc.wt_signed = rng() & 1;
      cc.out_signed = rng() & 1;
      cc.relu = rng() & 1;
      cc.order = (rng() & 1) ? isa::Order::kChannelMajor : isa::Order::kPixelMajor;
      cc.in_h = uint32_t(3 + rng() % 10);
      cc.in_w = uint32_t(3 + rng() % 10);
      if (kind == 0 || kind == 1) {
        const uint32_t groups = kind == 1 ? uint32_t(1 + rng() % 20) : uint32_t(2 + rng() % 4);
        cc.g.groups = groups;
        cc.in_c = groups * (kind == 1 ? 1 : uint32_t(1 + rng() % 4));
        cc.out_c = groups * uint32_t(1 + rng() % (kind == 1 ? 2 : 13));  // 13: group_out_c past M on tiny
        cc.kh = uint32_t(1 + rng() % 3);
        cc.kw = uint32_t(1 + rng() % 3);
        cc.g.stride_h = uint32_t(1 + rng() % 2);
        cc.g.stride_w = uint32_t(1 + rng() % 2);
        cc.g.pad_top = uint32_t(rng() % 2);
        cc.g.pad_bottom = uint32_t(rng() % 3);
        cc.g.pad_left = uint32_t(rng() % 3);
        cc.g.pad_right = uint32_t(rng() % 2);
        if (ref::ConvOutSize(cc.in_h, cc.kh, cc.g.stride_h, 1, cc.g.pad_top, cc.g.pad_bottom) < 1 ||
            ref::ConvOutSize(cc.in_w, cc.kw, cc.g.stride_w, 1, cc.g.pad_left, cc.g.pad_right) < 1)
          continue;
      } else if (kind == 2) {
        cc.op = Opcode::kDeconv;
        cc.g.groups = uint32_t(1 + rng() % 2);
        cc.in_c = cc.g.groups * uint32_t(1 + rng() % 5);
        cc.out_c = cc.g.groups * uint32_t(1 + rng() % 11);
        cc.in_h = uint32_t(1 + rng() % 7);
        cc.in_w = uint32_t(1 + rng() % 7);
        cc.kh = uint32_t(1 + rng() % 4);
        cc.kw = uint32_t(1 + rng() % 4);
        const uint32_t strides[] = {1, 2, 4, 8};
        cc.g.stride_h = strides[rng() % 4];
        cc.g.stride_w = strides[rng() % 3];
        cc.g.dil_h = uint32_t(1 + rng() % 2);
        cc.g.pad_top = uint32_t(rng() % cc.kh);
        cc.g.pad_bottom = uint32_t(rng() % cc.kh);
        cc.g.pad_left = uint32_t(rng() % cc.kw);
        cc.g.pad_right = uint32_t(rng() % cc.kw);
        cc.g.out_pad_h = uint32_t(rng() % std::max(cc.g.stride_h, cc.g.dil_h));
        cc.g.out_pad_w = uint32_t(rng() % cc.g.stride_w);
        if (ref::DeconvOutSize(cc.in_h, cc.kh, cc.g.stride_h, cc.g.dil_h, cc.g.pad_top, cc.g.pad_bottom,
                               cc.g.out_pad_h) < 1 ||
            ref::DeconvOutSize(cc.in_w, cc.kw, cc.g.stride_w, 1, cc.g.pad_left, cc.g.pad_right,
                               cc.g.out_pad_w) < 1)
          continue;
      } else {
        cc.op = Opcode::kInnerProduct;
        cc.in_c = uint32_t(1 + rng() % 40);
        cc.out_c = uint32_t(1 + rng() % 30);
        cc.kh = cc.in_h;
        cc.kw = cc.in_w;
      }
      INFO(cfg_name << " trial " << trial << " op " << isa::ToString(cc.op) << " in " << cc.in_c << "x"
                    << cc.in_h << "x" << cc.in_w << " out_c " << cc.out_c << " k " << cc.kh << "x" << cc.kw
                    << " s " << cc.g.stride_h << "x" << cc.g.stride_w << " groups " << cc.g.groups);
      const Built b = Build(cfg, cc, 2000 + uint64_t(trial));
      EventRecorder rec;
      const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
      REQUIRE(r.ok);
      CHECK(Output(r, b) == b.expect);
      CheckUnloads(cfg, cc, b, rec);
    }
  }
}

TEST_CASE("long inner products: 4096 and 25088 (512x7x7) terms", "[golden]") {
  for (const char* cfg_name : {"tiny", "fsd"}) {
    const HwConfig& cfg = FindHwConfig(cfg_name);
    for (const auto& [c, h, w] : {std::tuple<uint32_t, uint32_t, uint32_t>{4096, 1, 1}, {512, 7, 7}}) {
      ConvCase cc{};
      cc.op = Opcode::kInnerProduct;
      cc.in_c = c, cc.in_h = h, cc.in_w = w, cc.kh = h, cc.kw = w;
      cc.out_c = 11;  // two channel tiles on tiny, a partial one on fsd
      cc.in_signed = cc.wt_signed = true;
      cc.relu = false;
      cc.out_signed = true;
      INFO(cfg_name << " " << c << "x" << h << "x" << w);
      const Built b = Build(cfg, cc, 77);
      EventRecorder rec;
      const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
      REQUIRE(r.ok);
      CHECK(Output(r, b) == b.expect);
      CheckUnloads(cfg, cc, b, rec);
      CHECK(rec.acc_unloads.size() == 11);
    }
  }
}

TEST_CASE("a depthwise layer uses one row per channel tile", "[golden]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  ConvCase cc{};
  cc.in_c = cc.out_c = 5;
  cc.g.groups = 5;
  cc.in_h = cc.in_w = 9;
  cc.kh = cc.kw = 3;
  cc.g.pad_top = cc.g.pad_bottom = cc.g.pad_left = cc.g.pad_right = 1;
  cc.in_signed = cc.wt_signed = true;
  cc.relu = true;
  const Built b = Build(cfg, cc, 5);
  EventRecorder rec;
  REQUIRE(GoldenModel(cfg).Run(b.bundle, rec).ok);
  REQUIRE(rec.acc_unloads.size() == 11 * 5);  // 81 pixels = 11 sections, 5 tiles of 1 row
  for (const auto& e : rec.acc_unloads) CHECK(e.row == 0);
  CHECK(rec.acc_unloads[4].ch_tile == 4);
  CheckUnloads(cfg, cc, b, rec);
}

TEST_CASE("a stride-4 deconvolution has zeros between the upsampled pixels", "[golden]") {
  // Kernel 1: only outputs (4a, 4b) have a term, input (a, b); output padding adds a row and a column.
  const HwConfig& cfg = FindHwConfig("tiny");
  ConvCase cc{};
  cc.op = Opcode::kDeconv;
  cc.in_c = 3;
  cc.out_c = 2;
  cc.in_h = cc.in_w = 3;
  cc.kh = cc.kw = 1;
  cc.g.stride_h = cc.g.stride_w = 4;
  cc.g.out_pad_h = 3;
  cc.g.out_pad_w = 2;
  cc.in_signed = cc.wt_signed = true;
  cc.relu = false;
  cc.out_signed = true;
  const Built b = Build(cfg, cc, 9);
  EventRecorder rec;
  const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
  REQUIRE(r.ok);
  const uint64_t oh = 12, ow = 11, n = cfg.array_cols;  // (3-1)*4 + 3 + 1, (3-1)*4 + 2 + 1
  REQUIRE(rec.acc_unloads.size() == (oh * ow + n - 1) / n * 2);
  for (const auto& e : rec.acc_unloads)
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t p = e.pix_tile * n + i, y = p / ow, x = p % ow;
      int32_t want = 0;
      if (p < oh * ow && y % 4 == 0 && x % 4 == 0)
        for (uint32_t c = 0; c < 3; ++c)
          want += b.input.At(c, uint32_t(y / 4), uint32_t(x / 4)) * b.weights.At(e.row, c, 0, 0);
      CHECK(e.values[i] == want);
    }
  CheckUnloads(cfg, cc, b, rec);
  CHECK(Output(r, b) == b.expect);
}

TEST_CASE("golden model pools fused into a convolution like the reference pooling", "[golden]") {
  std::mt19937_64 rng(31);
  for (const char* cfg_name : {"tiny", "fsd"}) {
    const HwConfig& cfg = FindHwConfig(cfg_name);
    for (int trial = 0; trial < 24; ++trial) {
      ConvCase cc{};
      cc.in_c = uint32_t(1 + rng() % 4);
      cc.in_h = uint32_t(3 + rng() % 14);
      cc.in_w = uint32_t(3 + rng() % std::min<uint64_t>(14, cfg.array_cols - 2));
      cc.out_c = uint32_t(1 + rng() % 20);
      cc.kh = cc.kw = 3;
      cc.g.pad_top = cc.g.pad_bottom = cc.g.pad_left = cc.g.pad_right = 1;
      cc.in_signed = rng() & 1;
      cc.wt_signed = true;
      cc.out_signed = rng() & 1;
      cc.relu = rng() & 1;
      cc.order = isa::Order::kChannelMajor;
      pool::Window w{(rng() & 1) ? isa::PoolOp::kMax : isa::PoolOp::kAvg, uint32_t(2 + rng() % 2),
                     uint32_t(1 + rng() % 2), 0};
      w.pad = uint32_t(rng() % (w.size / 2 + 1));
      Built b = Build(cfg, cc, 100 + uint64_t(trial));
      const uint32_t oh = cc.in_h, ow = cc.in_w, ph_n = pool::OutSize(oh, w), pw_n = pool::OutSize(ow, w);
      Patch(b.bundle, 3, [&](Instruction& in) {
        in.compute.pool_op = w.op;
        in.compute.pool_size = w.size;
        in.compute.pool_stride = w.stride;
        in.compute.pool_pad = w.pad;
        in.compute.out_row_stride = pw_n;
        in.compute.out_plane_stride = uint64_t(ph_n) * pw_n;  // stride-1 padded pools grow the plane
      });
      INFO(cfg_name << " trial " << trial << " " << oh << "x" << ow << "x" << cc.out_c << " pool "
                    << int(w.op) << " " << w.size << "/" << w.stride << " pad " << w.pad);
      EventRecorder rec;
      const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
      REQUIRE(r.ok);
      ref::Tensor conv(cc.out_c, oh, ow, cc.out_signed);
      conv.data = b.expect;
      const ref::Tensor want =
          ref::Pool2d(conv, w.op == isa::PoolOp::kMax ? ref::PoolKind::kMax : ref::PoolKind::kAvg, w.size,
                      w.stride, w.pad);
      // The writes pool::Writes gives per section (a pooled row each, or runs of up to N bytes
      // for a same pool), together the pooled tensor.
      const uint64_t out_sram = b.out_dram - 0x40;
      const uint32_t cols = uint32_t(cfg.array_cols);
      uint64_t want_writes = 0;
      for (uint64_t pt = 0, lo = 0; pt * cols < uint64_t(oh) * ow; ++pt) {
        const uint32_t hi =
            pool::RowsComplete(w, oh, ow, std::min<uint64_t>((pt + 1) * cols, uint64_t(oh) * ow));
        want_writes += pool::Writes(w, pw_n, uint32_t(lo), hi, cols).size();
        lo = hi;
      }
      std::vector<uint8_t> got(want.data.size());
      for (const auto& e : rec.simd_writes) {
        if (pool::WritesRuns(w))
          REQUIRE(e.bytes.size() <= cols);
        else
          REQUIRE(e.bytes.size() == pw_n);
        REQUIRE(e.addr >= out_sram);
        REQUIRE(e.addr - out_sram + e.bytes.size() <= got.size());
        std::copy(e.bytes.begin(), e.bytes.end(), got.begin() + long(e.addr - out_sram));
      }
      CHECK(rec.simd_writes.size() == uint64_t(cc.out_c) * want_writes);
      CHECK(got == want.data);
    }
  }
}

TEST_CASE("every legality check of a dot-product instruction names its field", "[golden]") {
  // Each program breaks one rule of docs/architecture.md and nothing checked before it.
  const HwConfig& cfg = FindHwConfig("tiny");
  ConvCase conv = SmallCase();
  conv.g.groups = 1;
  ConvCase deconv = SmallCase();
  deconv.op = Opcode::kDeconv;
  deconv.g.stride_h = deconv.g.stride_w = 2;
  ConvCase ip = SmallCase();
  ip.op = Opcode::kInnerProduct;
  ip.kh = ip.in_h;
  ip.kw = ip.in_w;
  struct Rule {
    const ConvCase* base;
    std::string field;  // "has <field> <value>"
    std::function<void(isa::ComputeInstr&, std::vector<isa::SimdInstr>&)> edit;
  };
  using C = isa::ComputeInstr;
  using S = std::vector<isa::SimdInstr>;
  const std::vector<Rule> rules = {
      {&conv, "kernel_h 0", [](C& c, S&) { c.kernel_h = 0; }},
      {&conv, "kernel_w 0", [](C& c, S&) { c.kernel_w = 0; }},
      {&conv, "stride_h 0", [](C& c, S&) { c.stride_h = 0; }},
      {&conv, "stride_w 0", [](C& c, S&) { c.stride_w = 0; }},
      {&conv, "dil_h 0", [](C& c, S&) { c.dil_h = 0; }},
      {&conv, "dil_w 0", [](C& c, S&) { c.dil_w = 0; }},
      {&conv, "in_c 0", [](C& c, S&) { c.in_c = 0; }},
      {&conv, "out_c 0", [](C& c, S&) { c.out_c = 0; }},
      {&conv, "out_h 0", [](C& c, S&) { c.out_h = 0; }},
      {&conv, "out_w 0", [](C& c, S&) { c.out_w = 0; }},
      {&conv, "groups 0", [](C& c, S&) { c.groups = 0; }},
      {&conv, "group_in_c 1", [](C& c, S&) { c.group_in_c = 1; }},
      {&conv, "group_out_c 1", [](C& c, S&) { c.group_out_c = 1; }},
      {&conv, "group_tiles 2", [](C& c, S&) { c.group_tiles = 2; }},
      {&conv, "ch_tiles 2", [](C& c, S&) { c.ch_tiles = 2; }},
      {&conv, "dot_len 17", [](C& c, S&) { c.dot_len = 17; }},
      {&conv, "pix_tiles 3", [](C& c, S&) { c.pix_tiles = 3; }},
      {&conv, "wt_tile_bytes 145", [](C& c, S&) { c.wt_tile_bytes = 145; }},
      {&conv, "out_row_stride 4", [](C& c, S&) { c.out_row_stride = 4; }},
      {&conv, "out_c 264",
       [](C& c, S&) {  // 33 tiles of 8 channels: consistent, but past simd.param_entries 256
         c.out_c = c.group_out_c = 264;
         c.group_tiles = c.ch_tiles = 33;
       }},
      {&conv, "pool_size 2", [](C& c, S&) { c.pool_size = 2; }},
      {&conv, "pool_size 0", [](C& c, S&) { c.pool_op = isa::PoolOp::kMax; }},
      {&conv, "pool_pad 2",
       [](C& c, S&) { c.pool_op = isa::PoolOp::kAvg, c.pool_size = 3, c.pool_stride = 1, c.pool_pad = 2; }},
      {&deconv, "pool_op 1",
       [](C& c, S&) { c.pool_op = isa::PoolOp::kMax, c.pool_size = 2, c.pool_stride = 2; }},
      {&conv, "reserved1 1", [](C& c, S&) { c.reserved1 = 1; }},
      {&conv, "reserved2 4", [](C& c, S&) { c.reserved2 = 4; }},
      {&deconv, "reserved3 128", [](C& c, S&) { c.reserved3 = 128; }},
      {&ip, "pad_value 1", [](C& c, S&) { c.pad_value = 1; }},
      {&deconv, "stride_h 3", [](C& c, S&) { c.stride_h = 3; }},
      {&deconv, "stride_w 16", [](C& c, S&) { c.stride_w = 16; }},
      {&ip, "kernel_h 4", [](C& c, S&) { c.kernel_h = 4, c.dot_len = 2 * 4 * 5, c.wt_tile_bytes = 40 * 8; }},
      {&ip, "kernel_w 4", [](C& c, S&) { c.kernel_w = 4, c.dot_len = 2 * 5 * 4, c.wt_tile_bytes = 40 * 8; }},
      {&ip, "out_h 2", [](C& c, S&) { c.out_h = 2; }},
      {&ip, "out_w 2", [](C& c, S&) { c.out_w = 2, c.out_row_stride = 2; }},
      {&ip, "stride_h 2", [](C& c, S&) { c.stride_h = 2; }},
      {&ip, "stride_w 2", [](C& c, S&) { c.stride_w = 2; }},
      {&ip, "dil_h 2", [](C& c, S&) { c.dil_h = 2; }},
      {&ip, "dil_w 2", [](C& c, S&) { c.dil_w = 2; }},
      {&ip, "pad_top 1", [](C& c, S&) { c.pad_top = 1; }},
      {&ip, "pad_bottom 1", [](C& c, S&) { c.pad_bottom = 1; }},
      {&ip, "pad_left 1", [](C& c, S&) { c.pad_left = 1; }},
      {&ip, "pad_right 1", [](C& c, S&) { c.pad_right = 1; }},
      {&ip, "groups 2",
       [](C& c, S&) {  // 2 groups with consistent group fields (4 outputs: 3 do not split in two)
         c.out_c = 4, c.group_out_c = 2, c.group_tiles = 1, c.ch_tiles = 2;
         c.groups = 2, c.group_in_c = 1, c.dot_len = 25, c.wt_tile_bytes = 200;
       }},
  };
  for (const auto& rule : rules) {
    INFO(isa::ToString(rule.base->op) << ": " << rule.field);
    Built b = Build(cfg, *rule.base, 5);
    // The unbroken program runs.
    EventRecorder ok_rec;
    REQUIRE(GoldenModel(cfg).Run(b.bundle, ok_rec).ok);
    Patch(b.bundle, 3, [&](Instruction& in) { rule.edit(in.compute, in.simd); });
    EventRecorder rec;
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalField);
    CHECK(r.err_instr == 3);
    CHECK(r.instrs_done == 3);
    CHECK_THAT(r.message, Catch::Contains("instruction 3 (" + std::string(isa::ToString(rule.base->op)) +
                                          ") has " + rule.field + " ("));
    CHECK(rec.acc_unloads.empty());
  }
  SECTION("an illegal SIMD program stops before any unload, with the rule of docs/simd.md") {
    struct SimdRule {
      isa::ErrorCode code;
      std::string message;  // after "instruction 3 (conv): "
      std::function<void(S&)> edit;
    };
    const std::vector<SimdRule> simd_rules = {
        {isa::ErrorCode::kIllegalOpcode, "simd[1] has op 99", [](S& s) { s[1].op = isa::SimdOp(99); }},
        {isa::ErrorCode::kIllegalField, "simd[1] (fused_relu) has dst 8", [](S& s) { s[1].dst = 8; }},
        {isa::ErrorCode::kIllegalField, "simd[1] (fused_relu) has src_a 9", [](S& s) { s[1].src_a = 9; }},
        {isa::ErrorCode::kIllegalField, "simd[1] (fused_relu) has pred 4", [](S& s) { s[1].pred = 4; }},
        {isa::ErrorCode::kIllegalField, "simd[1] (cmplt) has dst 0",
         [](S& s) { s[1].op = isa::SimdOp::kCmplt, s[1].dtype = isa::Dtype::kI32, s[1].dst = 0; }},
        {isa::ErrorCode::kIllegalField, "simd[1] (fadd) has dtype 0",
         [](S& s) { s[1].op = isa::SimdOp::kFadd, s[1].dtype = isa::Dtype::kI32; }},
    };
    for (const auto& rule : simd_rules) {
      INFO(rule.message);
      Built b = Build(cfg, conv, 5);
      Patch(b.bundle, 3, [&](Instruction& in) { rule.edit(in.simd); });
      EventRecorder rec;
      const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
      CHECK(r.error == rule.code);
      CHECK(r.err_instr == 3);
      CHECK_THAT(r.message, Catch::Contains("instruction 3 (conv): " + rule.message + " ("));
      CHECK(rec.acc_unloads.empty());
    }
  }
  SECTION("a CONV turned into SCALE or ELTWISE is an illegal field (their rules, not its)") {
    for (const Opcode op : {Opcode::kScale, Opcode::kEltwise}) {
      Built b = Build(cfg, conv, 5);
      Patch(b.bundle, 3, [&](Instruction& in) { in.opcode = op; });
      EventRecorder rec;
      const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
      CHECK(r.error == isa::ErrorCode::kIllegalField);
      CHECK(r.err_instr == 3);
      CHECK(rec.acc_unloads.empty());
    }
  }
  SECTION("eltwise_op other than 0 is an illegal field on CONV") {
    Built b = Build(cfg, conv, 5);
    Patch(b.bundle, 3, [&](Instruction& in) { in.compute.eltwise_op = isa::EltwiseOp::kMax; });
    EventRecorder rec;
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalField);
    CHECK_THAT(r.message, Catch::Contains("eltwise_op 2"));
  }
  SECTION("a NOP's fields are not checked") {
    Built b = Build(cfg, conv, 5);
    Patch(b.bundle, 3, [&](Instruction& in) {
      in.simd[0].dst = 15;
      in.simd[0].pred = 5;
    });
    EventRecorder rec;
    CHECK(GoldenModel(cfg).Run(b.bundle, rec).ok);
  }
  SECTION("weights past the SRAM are a range error") {
    Built b = Build(cfg, conv, 5);
    Patch(b.bundle, 3, [&](Instruction& in) { in.compute.wt_addr = cfg.sram_bytes - 100; });
    EventRecorder rec;
    const RunResult r = GoldenModel(cfg).Run(b.bundle, rec);
    CHECK(r.error == isa::ErrorCode::kSramRange);
    CHECK_THAT(r.message, Catch::Contains("the weights"));
  }
}

TEST_CASE("programs in order share the SRAM and the DRAM but not the flags", "[golden]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  const Built a = Build(cfg, SmallCase(), 5);
  // The second program only writes the first one's output SRAM (DRAM = SRAM + 0x40 there) to a
  // DRAM range of its own: what it writes is what the first program left in SRAM.
  const uint64_t out_sram = a.out_dram - 0x40, prog_sram = Align(a.bundle.dram.size());
  const uint64_t prog_dram = prog_sram + 0x1000, dst = prog_dram + 64;
  Bundle b;
  b.test = "copy_out";
  b.config = cfg.name;
  b.prog_sram_addr = prog_sram;
  b.prog_dram_addr = prog_dram;
  b.prog_words = 1;
  auto image = [&](uint64_t wait_set) {
    std::vector<uint8_t> dram = a.bundle.dram;
    dram.resize(dst + a.expect.size(), 0);
    Instruction w = isa::MakeDma(Opcode::kDmaWrite, out_sram, dst, a.expect.size());
    w.dma.wait_set = wait_set;
    const auto word = isa::EncodeInstruction(w);
    std::copy(word.begin(), word.end(), dram.begin() + long(prog_dram));
    return dram;
  };
  const GoldenModel model(cfg);

  SECTION("the second program reads what the first wrote to SRAM") {
    EventRecorder rec, alone;
    std::vector<uint8_t> dram;
    const auto runs = model.RunPrograms({&a.bundle, &b}, image(0), rec, &dram);
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].ok);
    CHECK(runs[1].ok);
    CHECK(runs[0].instrs_done == 5);
    CHECK(runs[1].instrs_done == 1);
    CHECK(runs[0].dram.empty());
    CHECK(std::vector<uint8_t>(dram.begin() + long(dst), dram.end()) == a.expect);
    // The first program's events, then the second's.
    model.Run(a.bundle, alone);
    CHECK(rec.acc_unloads == alone.acc_unloads);
    REQUIRE(rec.dma_writes.size() > alone.dma_writes.size());  // then the second program's load
    CHECK(std::equal(alone.dma_writes.begin(), alone.dma_writes.end(), rec.dma_writes.begin()));
    CHECK(rec.dma_writes[alone.dma_writes.size()].instr == kProgramLoadInstr);
    CHECK(rec.dma_writes[alone.dma_writes.size()].addr == prog_sram);
  }
  SECTION("the flags start clear: waiting for a flag the first program left set never ends") {
    EventRecorder rec;
    const auto runs = model.RunPrograms({&a.bundle, &b, &a.bundle}, image(8), rec);
    REQUIRE(runs.size() == 2);  // nothing is launched after an error
    CHECK(runs[0].ok);
    CHECK(runs[1].error == isa::ErrorCode::kWatchdog);
    CHECK(runs[1].err_instr == 0);
  }
}

TEST_CASE("a 3-D DMA moves a tile of a tensor in and out, plane by plane", "[golden]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  // A 5x7x9 (C, H, W) tensor in DRAM; the tile of channels 1..3, rows 2..4, columns 3..7 goes to
  // SRAM with planes 64 bytes apart and rows 8 apart, then back to a dense 3x3x5 block in DRAM.
  const uint64_t C = 5, H = 7, W = 9, src = 0x1000, dst = 0x2000, sram = 0x400;
  Bundle b;
  b.test = "tile";
  b.config = cfg.name;
  b.prog_sram_addr = 0;
  b.prog_dram_addr = 0x40;
  b.dram.assign(0x3000, 0);
  for (uint64_t i = 0; i < C * H * W; ++i) b.dram[src + i] = uint8_t(i * 7 + 1);
  Instruction rd =
      isa::MakeDma3d(Opcode::kDmaRead, sram, src + (1 * H + 2) * W + 3, 5, 3, 8, W, 3, 64, H * W);
  rd.dma.done_set = 1;
  Instruction wr = isa::MakeDma3d(Opcode::kDmaWrite, sram, dst, 5, 3, 8, 5, 3, 64, 15);
  wr.dma.wait_set = 1;
  std::vector<uint8_t> prog = isa::EncodeInstruction(rd), w = isa::EncodeInstruction(wr);
  prog.insert(prog.end(), w.begin(), w.end());
  std::copy(prog.begin(), prog.end(), b.dram.begin() + long(b.prog_dram_addr));
  b.prog_words = prog.size() / isa::kWordBytes;
  REQUIRE(b.prog_words == 4);

  EventRecorder rec;
  std::vector<uint8_t> dram;
  const auto runs = GoldenModel(cfg).RunPrograms({&b}, b.dram, rec, &dram);
  REQUIRE(runs.size() == 1);
  REQUIRE(runs[0].ok);
  CHECK(runs[0].instrs_done == 2);
  for (uint64_t c = 0; c < 3; ++c)
    for (uint64_t h = 0; h < 3; ++h)
      for (uint64_t x = 0; x < 5; ++x)
        CHECK(dram[dst + (c * 3 + h) * 5 + x] == b.dram[src + ((c + 1) * H + h + 2) * W + x + 3]);
  // The read's SRAM writes: one per row piece within an AXI beat, plane by plane.
  std::vector<uint32_t> addrs;
  for (const auto& e : rec.dma_writes)
    if (e.instr == 0) addrs.push_back(e.addr);
  REQUIRE(addrs.size() >= 9);
  CHECK(addrs.front() == sram);
  CHECK(addrs.back() >= sram + 2 * 64 + 2 * 8);
  CHECK(std::is_sorted(addrs.begin(), addrs.end()));
  SECTION("planes 0 is an illegal field") {
    Bundle bad = b;
    prog[32] = prog[33] = 0;  // the planes field of the first instruction's planes word
    std::copy(prog.begin(), prog.end(), bad.dram.begin() + long(bad.prog_dram_addr));
    const RunResult r = GoldenModel(cfg).Run(bad, rec);
    CHECK(r.error == isa::ErrorCode::kIllegalField);
    CHECK(r.err_instr == 0);
    CHECK_THAT(r.message, Catch::Contains("has planes 0"));
  }
  SECTION("the planes reach past the SRAM") {
    Bundle bad = b;
    Instruction far = rd;
    far.planes.sram_plane_stride = cfg.sram_bytes / 2;
    const auto fw = isa::EncodeInstruction(far);
    std::copy(fw.begin(), fw.end(), bad.dram.begin() + long(bad.prog_dram_addr));
    const RunResult r = GoldenModel(cfg).Run(bad, rec);
    CHECK(r.error == isa::ErrorCode::kSramRange);
    CHECK(r.err_instr == 0);
  }
}
