#include "compiler/compiler.h"

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

#include "compiler/assemble.h"
#include "compiler/yaml_doc.h"

namespace nna::compiler {

namespace {

// Warns (one line) when an output channel's accumulator can leave its acc_bits range: the bound is
// sum_k |w[co][k]| * max |activation| (docs/architecture.md). Returns the channels at risk.
uint32_t WarnOverflow(const TestSpec& spec, const ref::Weights& w) {
  const uint64_t max_act = spec.layer.in_signed ? 128 : 255, limit = (1ull << (isa::kAccBits - 1)) - 1;
  const size_t per = size_t(w.cin) * w.r * w.s;
  uint32_t risky = 0, worst = 0;
  uint64_t worst_bound = 0;
  for (uint32_t co = 0; co < w.cout; ++co) {
    uint64_t sum = 0;
    for (size_t k = 0; k < per; ++k) {
      const uint8_t b = w.data[co * per + k];
      sum += w.is_signed ? uint64_t(std::abs(int(int8_t(b)))) : b;
    }
    const uint64_t bound = sum * max_act;
    if (bound > limit) ++risky;
    if (bound > worst_bound) worst_bound = bound, worst = co;
  }
  if (risky > 0)
    std::cerr << "nnac: warning: " << spec.file << ": test '" << spec.name << "', layer 0 ("
              << ToString(spec.layer.op) << "), output channel " << worst
              << ": sum |w| * max |activation| = " << worst_bound << " exceeds 2^" << isa::kAccBits - 1
              << "-1; " << risky << " of " << w.cout << " channels can overflow the " << isa::kAccBits
              << "-bit accumulator, which wraps\n";
  return risky;
}
// The layer as it compiles: an activation or the exact mode lowered into its SIMD program, a
// rescaled add's own program; then the checks that need the lowering.
void PrepareLayer(const TestSpec& given, const HwConfig& cfg, LayerPlan* p) {
  p->spec = given;
  if (given.layer.activation) {
    if (!given.layer.simd.empty())
      Doc(given.file).Fail("layer.output.activation", "cannot be given with an explicit SIMD program");
    try {
      p->act = LowerActivation(given.layer.activation->kind, given.layer.activation->quant);
    } catch (const CompileError& e) {
      Doc(given.file).Fail("layer.output.activation", "has no program (" + std::string(e.what()) + ")");
    }
    p->spec.layer.simd = p->act->simd;
  }
  // The exact mode's program, unless the caller gives one (a test's deliberately wrong rounding).
  if (given.layer.requant == ref::RequantMode::kExact && given.layer.simd.empty())
    p->spec.layer.simd = ExactRequantProgram(given.layer.relu, given.layer.out_signed);
  // A table and the compiler's program: the program's byte through the table (an explicit program
  // reads the table itself; a rescaled add's program is its own, and Lower refuses the table).
  if (!given.layer.lut.empty() && given.layer.simd.empty() && !given.layer.rescale) {
    std::vector<isa::SimdInstr>& simd = p->spec.layer.simd;
    if (simd.empty()) simd.push_back(FusedReluInstr(given.layer.relu, given.layer.out_signed));
    simd.push_back(LutInstr(given.layer.out_signed));
  }
  const Doc d(p->spec.file);
  const LayerSpec& l = p->spec.layer;
  const Lowering& x = p->x = Lower(d, l, cfg);
  if (l.rescale) {
    try {
      p->rescale = LowerRescaledAdd(*l.rescale, l.relu, l.out_signed);
    } catch (const CompileError& e) {
      d.Fail("layer.rescale", "has no program (" + std::string(e.what()) + ")");
    }
  }
  const bool elt = l.op == LayerOp::kEltwise;
  const uint32_t frames = p->spec.frames;
  if (l.in_tile && (x.in_c != l.in_c || x.in_h != l.in_h || x.in_w != l.in_w))
    d.Fail("layer.input.tile", "cannot be used with op " + std::string(ToString(l.op)) +
                                   ", which reads its input in another shape");
  if (l.in_tile && (frames > 1 || elt))
    d.Fail("layer.input.tile", std::string("cannot be combined with ") +
                                   (elt ? "op eltwise" : "several frames") +
                                   " (a tile is built for one input tensor and one frame)");
  if (frames > 1 && (SimdOnly(l.op) || l.global_avg_pool))
    d.Fail("frames", "must be 1 for op " +
                         std::string(l.global_avg_pool ? "global_avg_pool" : ToString(l.op)) +
                         " (several frames are built for conv, deconv and inner_product; got " +
                         std::to_string(frames) + ")");
}

// SRAM from at.sram_base: the program of prog_words, each buffer's input, ELTWISE's tensor b, the
// parameters, the weights, each buffer's output (the weights' DMA is left to the caller).
LayerLayout Layout(const LayerPlan& p, uint64_t prog_words, const Doc& d) {
  const LayerSpec& l = p.layer();
  const Lowering& x = p.x;
  const HwConfig& cfg = *p.cfg;
  const uint32_t buffers = p.spec.buffers;
  const bool elt = l.op == LayerOp::kEltwise;
  LayerLayout s;
  // Input and output planes, padded in SRAM against bank conflicts (DRAM keeps them dense).
  s.in = Planar(d, "input", x.in_c, x.in_h, x.in_w, cfg, p.spec.plane_padding);
  s.out = Planar(d, "output", l.out_c, x.res_h, x.res_w, cfg, p.spec.plane_padding);
  const uint64_t in_span = s.in.sram_bytes, out_span = s.out.sram_bytes;
  s.prog_sram = p.at.sram_base;
  s.in_sram.resize(buffers);
  s.out_sram.resize(buffers);
  s.in_sram[0] = AlignUp(s.prog_sram + prog_words * isa::kWordBytes);
  for (uint32_t b = 1; b < buffers; ++b) s.in_sram[b] = AlignUp(s.in_sram[b - 1] + in_span);
  // Tensor b (the input's layout): ELTWISE reads b in the cycle after a at the same offset, so b
  // starts where plane padding would put a next plane, off the banks a's read rests.
  s.in2_sram =
      elt ? s.in_sram[0] + PlaneStride(AlignUp(in_span), cfg.array_cols, cfg, p.spec.plane_padding) : 0;
  s.param_sram = AlignUp(elt ? s.in2_sram + in_span : s.in_sram[buffers - 1] + in_span);
  s.wt_sram = AlignUp(s.param_sram + p.param_bytes);
  s.out_sram[0] = AlignUp(s.wt_sram + p.wt_bytes);
  for (uint32_t b = 1; b < buffers; ++b) s.out_sram[b] = AlignUp(s.out_sram[b - 1] + out_span);
  s.end_sram = s.out_sram[buffers - 1] + out_span;
  return s;
}

void CheckFits(const LayerPlan& p, const Doc& d) {
  const LayerSpec& l = p.layer();
  const HwConfig& cfg = *p.cfg;
  const uint64_t end_sram = p.sram.end_sram, base = p.at.sram_base;
  if (end_sram > cfg.sram_bytes)
    d.Fail("layer", "needs " + std::to_string(end_sram - base) + " bytes of SRAM" +
                        (base ? " from base " + std::to_string(base) : std::string()) + " (input " +
                        (l.op == LayerOp::kEltwise ? "2 x " : "") + std::to_string(p.in_bytes) +
                        ", weights " + std::to_string(p.wt_bytes) + ", output " +
                        std::to_string(p.out_bytes) +
                        (p.spec.buffers > 1 ? ", " + std::to_string(p.spec.buffers) + " buffers" : "") +
                        ") but configuration '" + cfg.name + "' has " + std::to_string(cfg.sram_bytes));
}

// Global average pooling: FUSED_RELU's multiply and rounding shift must give the exact rounded
// average for every sum the window can have, or the layer is not emitted.
void CheckGlobalAvg(const LayerSpec& l, const Doc& d) {
  if (!l.global_avg_pool) return;
  const uint64_t count = uint64_t(l.in_h) * l.in_w;
  const AvgMultiplier avg = GlobalAvgMultiplier(count, l.in_signed);
  if (!avg.exact)
    d.Fail("layer.input", "has " + std::to_string(l.in_h) + "x" + std::to_string(l.in_w) + " = " +
                              std::to_string(count) + " " + (l.in_signed ? "int8" : "uint8") +
                              " values per channel, whose average FUSED_RELU cannot round exactly: scale " +
                              std::to_string(avg.scale) + ", shift " + std::to_string(avg.shift) + " gives " +
                              std::to_string(avg.got) + " for the sum " + std::to_string(avg.sum) +
                              " whose rounded average is " + std::to_string(avg.want));
}

// The layer's compute instruction on buffer 0, flags clear.
isa::Instruction LayerInstruction(const LayerPlan& p, const Doc& d) {
  const LayerLayout& s = p.sram;
  const bool simd_only = SimdOnly(p.layer().op);
  Operands at;
  at.in_addr = s.in_sram[0];
  at.in2_addr = s.in2_sram;                // 0 but for ELTWISE
  at.wt_addr = simd_only ? 0 : s.wt_sram;  // SCALE and ELTWISE read no weights
  at.param_addr = s.param_sram;
  at.out_addr = s.out_sram[0];
  at.in_plane_stride = s.in.plane_stride;
  at.out_plane_stride = s.out.plane_stride;
  return ComputeInstruction(d, p.layer(), p.x, SimdProgramOf(p.layer(), p.rescale ? &*p.rescale : nullptr),
                            at, *p.cfg);
}

// The program (docs/memory.md, "Frames and buffers"). The loads of the first frames' inputs and the
// parameters and weights each set a flag of their own (0, 1, ... in program order); then per
// frame f, in buffer b = f % buffers: the compute instruction waits for the parameters, the
// weights, in_loaded[b] and a free output buffer (out_full[b] clear), clears in_loaded[b] and
// sets out_full[b]; the load of frame f + buffers into the same input buffer waits until that
// clear; the write of the output waits for out_full[b] and clears it.
std::vector<isa::Instruction> EmitProgram(const LayerPlan& p, const Doc& d) {
  const LayerSpec& l = p.layer();
  const LayerLayout& s = p.sram;
  const uint32_t frames = p.spec.frames, buffers = p.spec.buffers;
  std::vector<isa::Instruction> prog;
  uint64_t next_flag = 1, loaded = 0;
  auto new_flag = [&] {
    const uint64_t f = next_flag;
    next_flag <<= 1;
    return f;
  };
  std::vector<uint64_t> in_loaded(buffers), out_full(buffers);
  // Rows back to back in DRAM, sram_stride apart in SRAM; sets `flag` when done.
  auto read = [&](uint64_t sram, uint64_t dram, const DmaShape& shape, uint64_t sram_stride, uint64_t flag) {
    prog.push_back(isa::MakeDma(isa::Opcode::kDmaRead, sram, dram, shape.row_bytes, shape.rows, sram_stride,
                                shape.row_bytes));
    prog.back().dma.done_set = flag;
    return flag;
  };
  auto read_input = [&](uint64_t sram, uint64_t dram, uint64_t flag) {
    return read(sram, dram, s.in.dma, s.in.sram_stride, flag);
  };
  if (l.in_tile) {  // the window: planes of in_h rows of in_w bytes, strided in DRAM by the whole tensor
    const LayerSpec::Tile& t = *l.in_tile;
    prog.push_back(isa::MakeDma3d(isa::Opcode::kDmaRead, s.in_sram[0],
                                  p.AfterImage() + uint64_t(t.top) * t.width + t.left, l.in_w, l.in_h, l.in_w,
                                  t.width, l.in_c, s.in.plane_stride, uint64_t(t.height) * t.width));
    in_loaded[0] = prog.back().dma.done_set = new_flag();
  } else {
    in_loaded[0] = read_input(s.in_sram[0], p.InDram(0), new_flag());  // tensor a; ELTWISE's b the same way
  }
  if (l.op == LayerOp::kEltwise) loaded |= read_input(s.in2_sram, p.Dram(s.in2_sram), new_flag());
  prog.push_back(isa::MakeDma(isa::Opcode::kDmaRead, s.param_sram, p.Dram(s.param_sram), p.param_bytes));
  loaded |= prog.back().dma.done_set = new_flag();
  if (!SimdOnly(l.op)) loaded |= read(s.wt_sram, p.Dram(s.wt_sram), s.wt_dma, s.wt_dma.row_bytes, new_flag());
  for (uint32_t b = 1; b < buffers; ++b) in_loaded[b] = read_input(s.in_sram[b], p.InDram(b), new_flag());
  for (auto& f : out_full) f = new_flag();
  if (next_flag > (uint64_t(1) << isa::kNumFlags))
    throw std::logic_error("nnac: the program needs more dependency flags than the ISA has");

  const isa::Instruction dot = LayerInstruction(p, d);
  for (uint32_t f = 0; f < frames; ++f) {
    const uint32_t b = f % buffers;
    isa::Instruction frame = dot;
    frame.compute.in_addr = s.in_sram[b];
    frame.compute.out_addr = s.out_sram[b];
    frame.compute.wait_set = loaded | in_loaded[b];
    frame.compute.wait_clear = out_full[b];
    frame.compute.done_set = out_full[b];
    frame.compute.done_clear = in_loaded[b];
    prog.push_back(frame);
    if (f + buffers < frames) {  // the next input for this buffer, once the compute has read it
      prog.back().dma.wait_clear = read_input(s.in_sram[b], p.InDram(f + buffers), in_loaded[b]);
    }
    prog.push_back(isa::MakeDma(isa::Opcode::kDmaWrite, s.out_sram[b], p.OutDram(f), s.out.dma.row_bytes,
                                s.out.dma.rows, s.out.sram_stride, s.out.dma.row_bytes));
    prog.back().dma.wait_set = prog.back().dma.done_clear = out_full[b];
  }
  return prog;
}

}  // namespace

uint64_t LayerPlan::InDram(uint32_t f) const {
  return f == 0 ? Dram(sram.in_sram[0]) : AfterImage() + (f - 1) * AlignUp(in_bytes);
}

uint64_t LayerPlan::OutDram(uint32_t f) const {
  return f == 0 ? Dram(sram.out_sram[0])
                : AfterImage() + (spec.frames - 1) * AlignUp(in_bytes) + (f - 1) * AlignUp(out_bytes);
}

uint64_t LayerPlan::DramEnd() const {
  if (spec.layer.in_tile)
    return AfterImage() +
           AlignUp(uint64_t(spec.layer.in_c) * spec.layer.in_tile->height * spec.layer.in_tile->width);
  return spec.frames == 1 ? Dram(AlignUp(sram.end_sram)) : OutDram(spec.frames - 1) + AlignUp(out_bytes);
}

LayerPlan PlanLayer(const TestSpec& spec, const HwConfig& cfg, const Placement& at) {
  LayerPlan p;
  p.cfg = &cfg;
  p.at = at;
  PrepareLayer(spec, cfg, &p);
  const Doc d(p.spec.file);
  const LayerSpec& l = p.layer();
  const bool simd_only = SimdOnly(l.op);
  if (at.sram_base % kAlign || at.dram_base % kAlign)
    d.Fail("layer", "cannot be placed at SRAM " + std::to_string(at.sram_base) + " and DRAM " +
                        std::to_string(at.dram_base) + ": both bases must be multiples of " +
                        std::to_string(kAlign));
  p.in_bytes = uint64_t(l.in_c) * l.in_h * l.in_w;
  p.param_bytes = uint64_t(l.out_c) * isa::ChannelParamsRecord::kBytes + l.lut.size();  // then the table
  p.wt_bytes = simd_only ? 0 : p.x.ch_tiles * p.x.wt_tile_bytes;
  p.out_bytes = uint64_t(l.out_c) * p.x.res_h * p.x.res_w;
  // The data goes after the program, whose size is what it emits; its instructions and their
  // words do not depend on the addresses, so one emission at provisional ones measures it.
  p.sram = Layout(p, 0, d);
  p.sram = Layout(p, ProgramWords(EmitProgram(p, d)), d);
  CheckFits(p, d);
  if (!simd_only) p.sram.wt_dma = WeightDma(d, p.x, cfg.array_rows);
  CheckGlobalAvg(l, d);
  p.program = EmitProgram(p, d);
  return p;
}

LayerQuant QuantizeLayer(const LayerPlan& p, const LayerData& data) {
  const LayerSpec& l = p.layer();
  LayerQuant q;
  if (SimdOnly(l.op)) {
    q.params = CalibrateSimdOnly(l, data.input, data.input_b, data.bias, data.gamma,
                                 p.rescale ? &*p.rescale : nullptr);
  } else {
    WarnOverflow(p.spec, data.weights);
    // Exact accumulators from the reference operators (written independently of the hardware's
    // loop nest).
    q.acc = Accumulate(l, data.input, data.weights);
    if (q.acc.out_h != p.x.out_h || q.acc.out_w != p.x.out_w)
      throw std::logic_error("nnac: reference and lowering disagree on the output size");
    if (l.params.empty()) q.params = CalibrateLayer(l, q.acc, data.bias, p.act ? &*p.act : nullptr);
  }
  if (!l.params.empty()) q.params = l.params;
  return q;
}

Bundle AssembleLayer(const LayerPlan& p, const LayerData& data,
                     const std::vector<ref::ChannelParams>& params) {
  const LayerSpec& l = p.layer();
  const LayerLayout& s = p.sram;
  const Doc d(p.spec.file);
  const bool simd_only = SimdOnly(l.op);
  Bundle b;
  b.test = p.spec.name;
  b.config = p.cfg->name;
  b.dram.assign(p.DramEnd(), 0);
  std::vector<isa::Instruction> prog = p.program;
  AssembleProgram(
      prog, std::vector<std::string>(prog.size(), p.spec.name),
      [&](size_t, const std::string& what) {
        d.Fail("layer", "does not fit the instruction fields: " + what);
      },
      s.prog_sram, p.Dram(s.prog_sram), &b);
  if (AlignUp(s.prog_sram + b.prog_words * isa::kWordBytes) != s.in_sram[0])
    throw std::logic_error("nnac: the program's size differs from the one its data was placed after");
  const std::vector<uint8_t> param_bytes = ParamBytes(params, l.lut);
  if (param_bytes.size() != p.param_bytes) throw std::logic_error("nnac: parameters and lowering disagree");
  const std::vector<uint32_t> in_shape{l.in_c, l.in_h, l.in_w},
      out_shape{l.out_c, uint32_t(p.x.res_h), uint32_t(p.x.res_w)};
  if (l.in_tile) {  // the whole tensor (the layer reads its window)
    Place(&b, p.AfterImage(), data.tiled->data);
    b.regions.push_back({"input",
                         "input",
                         p.AfterImage(),
                         data.tiled->data.size(),
                         {l.in_c, l.in_tile->height, l.in_tile->width},
                         l.in_signed});
  } else {
    Place(&b, p.InDram(0), data.input.data);
    b.regions.push_back({"input", "input", p.InDram(0), data.input.data.size(), in_shape, l.in_signed});
  }
  if (l.op == LayerOp::kEltwise) {
    Place(&b, p.Dram(s.in2_sram), data.input_b.data);
    b.regions.push_back(
        {"input_b", "input", p.Dram(s.in2_sram), data.input_b.data.size(), in_shape, l.in_signed});
  }
  Place(&b, p.Dram(s.param_sram), param_bytes);
  b.regions.push_back({"params", "params", p.Dram(s.param_sram), param_bytes.size(), {}, false});
  if (!simd_only) {
    const std::vector<uint8_t> wt = WeightBytes(l, data.weights, *p.cfg);
    if (wt.size() != p.wt_bytes) throw std::logic_error("nnac: weight tiles and lowering disagree");
    Place(&b, p.Dram(s.wt_sram), wt);
    b.regions.push_back({"weights", "weights", p.Dram(s.wt_sram), wt.size(), {}, l.wt_signed});
  }
  b.regions.push_back({"output", "output", p.OutDram(0), p.out_bytes, out_shape, l.out_signed});
  for (uint32_t f = 1; f < p.spec.frames; ++f) {  // frame f's tensors: input_frame<f>, output_frame<f>
    const std::string n = "_frame" + std::to_string(f);
    Place(&b, p.InDram(f), data.later_inputs[f - 1].data);
    b.regions.push_back({"input" + n, "input", p.InDram(f), p.in_bytes, in_shape, l.in_signed});
    b.regions.push_back({"output" + n, "output", p.OutDram(f), p.out_bytes, out_shape, l.out_signed});
  }
  for (const isa::Instruction& in :
       prog)  // SCALE and ELTWISE: one per element and term (docs/architecture.md)
    if (!in.IsDma()) b.macs += isa::Macs(in.compute);
  b.sram_end = AlignUp(s.end_sram);
  return b;
}

}  // namespace nna::compiler
