#include "compiler/lowering.h"

#include <algorithm>

#include "pool/pool.h"
#include "simd/simd_program.h"

namespace nna::compiler {
using CI = isa::ComputeInstr;  // field maxima of the compute instruction

namespace {

// A dense block of c planes of plane bytes, as a 2-D DMA: one row per plane when a plane fits the
// row_bytes field, else one row per line. Planes smaller than a placement unit go as one row: a row
// per byte-sized plane (an inner product's 4096x1x1 input) would cost a bus beat per byte.
DmaShape PlanarDma(const Doc& doc, const std::string& what, uint64_t c, uint64_t h, uint64_t w) {
  if (h * w < kAlign && c * h * w <= kMaxRowBytes) return {1, c * h * w};
  if (h * w <= kMaxRowBytes && c <= kMaxRows) return {c, h * w};
  if (w <= kMaxRowBytes && c * h <= kMaxRows) return {c * h, w};
  doc.Fail("layer", "gives a " + what + " tensor of " + std::to_string(c) + "x" + std::to_string(h) + "x" +
                        std::to_string(w) + " that one DMA instruction cannot move (rows <= " +
                        std::to_string(kMaxRows) + ", row_bytes <= " + std::to_string(kMaxRowBytes) + ")");
}

}  // namespace

// The SRAM distance between the channel planes of a tensor whose planes have `plane` bytes. With
// sram.bank_cycles 2 (a bank rests for a cycle after an access), two requests of `len` bytes one
// plane apart in consecutive cycles (a 1x1 convolution's terms, a tile's write-back rows) stall
// when a word of the second lands in a bank the first used for another word. With `pad`, the
// first of plane, plane + word, ... (at most a row of banks more) free of that for every alignment
// (docs/memory.md, "Plane padding").
uint64_t PlaneStride(uint64_t plane, uint64_t len, const HwConfig& cfg, bool pad) {
  const uint64_t word = cfg.sram_bank_word_bytes, banks = cfg.sram_banks;
  if (!pad || cfg.sram_bank_cycles < 2) return plane;
  auto conflict_free = [&](uint64_t stride) {
    for (uint64_t a = 0; a < word; ++a) {
      const uint64_t f0 = a / word, l0 = (a + len - 1) / word;
      for (uint64_t w1 = (a + stride) / word; w1 <= (a + stride + len - 1) / word; ++w1) {
        if (w1 <= l0) continue;  // a word of both: the activation cache serves it
        for (uint64_t w0 = f0; w0 <= l0; ++w0)
          if (w0 % banks == w1 % banks) return false;
      }
    }
    return true;
  };
  for (uint64_t stride = plane; stride <= plane + banks * word; stride += word)
    if (conflict_free(stride)) return stride;
  return plane;
}

PlanarLayout Planar(const Doc& doc, const std::string& what, uint64_t c, uint64_t h, uint64_t w,
                    const HwConfig& cfg, bool pad) {
  PlanarLayout p;
  p.dma = PlanarDma(doc, what, c, h, w);
  const bool per_plane = p.dma.rows == c && p.dma.row_bytes == h * w;
  p.plane_stride = per_plane ? PlaneStride(h * w, cfg.array_cols, cfg, pad && c > 1) : h * w;
  p.sram_stride = per_plane ? p.plane_stride : p.dma.row_bytes;
  p.sram_bytes = (p.dma.rows - 1) * p.sram_stride + p.dma.row_bytes;
  return p;
}

namespace {

std::string Pair(uint64_t a, uint64_t b) { return "[" + std::to_string(a) + ", " + std::to_string(b) + "]"; }

// An inner product's (C, H, W) with H, W <= 255 (the 8-bit kernel fields) and the same planar byte
// order: the shape as given when it fits, else the largest width, then height, dividing C*H*W.
bool FitInnerProduct(uint64_t c, uint64_t h, uint64_t w, uint64_t* rc, uint64_t* rh, uint64_t* rw) {
  if (h <= CI::kMaxKernelH && w <= CI::kMaxKernelW) {
    *rc = c, *rh = h, *rw = w;
    return true;
  }
  const uint64_t total = c * h * w;
  auto largest_divisor = [](uint64_t v) {
    for (uint64_t d = CI::kMaxKernelH; d > 1; --d)
      if (v % d == 0) return d;
    return uint64_t(1);
  };
  *rw = largest_divisor(total);
  *rh = largest_divisor(total / *rw);
  *rc = total / (*rw * *rh);
  return *rc <= CI::kMaxInC;
}

}  // namespace

namespace {

// The opcode, the input as the instruction reads it and the output size of each layer kind.
void LowerShape(const Doc& d, const LayerSpec& l, Lowering* x) {
  x->in_c = l.in_c, x->in_h = l.in_h, x->in_w = l.in_w;
  x->kernel_h = l.kernel_h, x->kernel_w = l.kernel_w;
  if (l.op == LayerOp::kInnerProduct) {
    x->opcode = isa::Opcode::kInnerProduct;
    if (!FitInnerProduct(l.in_c, l.in_h, l.in_w, &x->in_c, &x->in_h, &x->in_w))
      d.Fail("layer.input",
             "has " + std::to_string(uint64_t(l.in_c) * l.in_h * l.in_w) +
                 " elements that do not fold into C x H x W with H, W <= " + std::to_string(CI::kMaxKernelH) +
                 " (the kernel fields) and C <= " + std::to_string(CI::kMaxInC));
    x->kernel_h = x->in_h, x->kernel_w = x->in_w;
    x->out_h = x->out_w = 1;
  } else {
    if (l.groups == 0 || l.in_c % l.groups != 0 || l.out_c % l.groups != 0)
      d.Fail("layer.groups", "must divide the input channels " + std::to_string(l.in_c) +
                                 " and the output channels " + std::to_string(l.out_c) + " (got " +
                                 std::to_string(l.groups) + ")");
    if (SimdOnly(l.op)) {  // a depthwise 1x1 conv of the input, strided to subsample (docs/architecture.md)
      x->opcode = l.op == LayerOp::kScale ? isa::Opcode::kScale : isa::Opcode::kEltwise;
      if (l.stride_h == 0 || l.stride_w == 0) d.Fail("layer.stride", "must be at least 1 (got 0)");
      x->out_h = CeilDiv(l.in_h, l.stride_h), x->out_w = CeilDiv(l.in_w, l.stride_w);
    } else if (l.op == LayerOp::kConv) {
      x->opcode = isa::Opcode::kConv;
      const int64_t oh = ref::ConvOutSize(l.in_h, l.kernel_h, l.stride_h, l.dil_h, l.pad_top, l.pad_bottom);
      const int64_t ow = ref::ConvOutSize(l.in_w, l.kernel_w, l.stride_w, l.dil_w, l.pad_left, l.pad_right);
      if (oh < 1 || ow < 1)
        d.Fail("layer.kernel",
               Pair(l.kernel_h, l.kernel_w) + " (with its dilation and padding) does not fit the " +
                   std::to_string(l.in_h) + "x" + std::to_string(l.in_w) + " input: the output would be " +
                   std::to_string(oh) + "x" + std::to_string(ow));
      x->out_h = uint64_t(oh), x->out_w = uint64_t(ow);
    } else {
      x->opcode = isa::Opcode::kDeconv;
      auto upsampling = [](uint32_t s) { return s == 1 || s == 2 || s == 4 || s == 8; };
      if (!upsampling(l.stride_h) || !upsampling(l.stride_w))
        d.Fail("layer.stride",
               "must be 1, 2, 4 or 8 for op deconv (got " + Pair(l.stride_h, l.stride_w) + ")");
      // PyTorch's rule: output padding only picks among the sizes a stride or dilation leaves open.
      const uint32_t lim_h = std::max(l.stride_h, l.dil_h), lim_w = std::max(l.stride_w, l.dil_w);
      if (l.out_pad_h >= lim_h || l.out_pad_w >= lim_w)
        d.Fail("layer.output_padding", "must be less than max(stride, dilation) of its axis, " +
                                           Pair(lim_h, lim_w) + " here (got " +
                                           Pair(l.out_pad_h, l.out_pad_w) + ")");
      const int64_t oh =
          ref::DeconvOutSize(l.in_h, l.kernel_h, l.stride_h, l.dil_h, l.pad_top, l.pad_bottom, l.out_pad_h);
      const int64_t ow =
          ref::DeconvOutSize(l.in_w, l.kernel_w, l.stride_w, l.dil_w, l.pad_left, l.pad_right, l.out_pad_w);
      if (oh < 1 || ow < 1)
        d.Fail("layer.padding", "[" + std::to_string(l.pad_top) + ", " + std::to_string(l.pad_bottom) + ", " +
                                    std::to_string(l.pad_left) + ", " + std::to_string(l.pad_right) +
                                    "] crops the whole output of the transposed convolution: it would be " +
                                    std::to_string(oh) + "x" + std::to_string(ow));
      x->out_h = uint64_t(oh), x->out_w = uint64_t(ow);
    }
  }
}

// The instruction fields' widths and the configuration's limits on the lowered layer, and what
// only the lowering can relate (explicit programs and parameters).
void CheckLimits(const Doc& d, const LayerSpec& l, const Lowering& x, const HwConfig& cfg) {
  const uint64_t pixels = x.out_h * x.out_w;
  if (x.out_h > CI::kMaxOutH || x.out_w > CI::kMaxOutW)
    d.Fail("layer", "gives an output of " + std::to_string(x.out_h) + "x" + std::to_string(x.out_w) +
                        " pixels; out_h and out_w are 16-bit fields");
  if (x.pix_tiles > CI::kMaxPixTiles)
    d.Fail("layer", "needs " + std::to_string(x.pix_tiles) + " pixel sections on '" + cfg.name +
                        "'; pix_tiles is a 16-bit field");
  if (x.ch_tiles > CI::kMaxChTiles)
    d.Fail("layer.output_channels", "gives more than " + std::to_string(CI::kMaxChTiles) + " channel tiles");
  if (x.wt_tile_bytes > CI::kMaxWtTileBytes)
    d.Fail("layer", "needs " + std::to_string(x.wt_tile_bytes) + " bytes per weight tile on '" + cfg.name +
                        "'; wt_tile_bytes is a 32-bit field");
  if (x.in_h * x.in_w > CI::kMaxInPlaneStride || pixels > CI::kMaxOutPlaneStride)
    d.Fail("layer", "has planes of more than 2^32 bytes, past the plane-stride fields");
  if (l.out_c > cfg.simd_param_entries)
    d.Fail("layer.output_channels", "must be at most simd.param_entries " +
                                        std::to_string(cfg.simd_param_entries) + " on '" + cfg.name +
                                        "' (got " + std::to_string(l.out_c) + ")");
  if (l.simd.size() > isa::kMaxSimdInstrs)
    d.Fail("layer.simd", "has " + std::to_string(l.simd.size()) + " instructions; at most " +
                             std::to_string(isa::kMaxSimdInstrs) + " fit");
  if (const auto e = simd::CheckProgram(l.simd)) d.Fail("layer.simd", "is not legal: " + e->message);
  // SCALE and ELTWISE take an explicit program and parameters as a conv does (random_simd tests;
  // the YAML has no key for them), but not on a rescaled add, whose program is its own.
  if (SimdOnly(l.op) && l.activation)
    d.Fail("layer.output.activation",
           std::string("does not apply to op ") + ToString(l.op) + " (its output keys are signed and relu)");
  if (l.rescale && !l.simd.empty())
    d.Fail("layer.simd", "cannot be given with layer.rescale (the rescaled add's program is its own)");
  // LUT's table: exactly one, and only with a program that reads it (docs/simd.md, "The table").
  if (!l.lut.empty() && l.lut.size() != isa::kLutBytes)
    d.Fail("layer.output.lut", "has " + std::to_string(l.lut.size()) + " bytes; a LUT table has " +
                                   std::to_string(isa::kLutBytes));
  if (simd::HasLut(l.simd) && l.lut.empty())
    d.Fail("layer.simd", "has a lut instruction but the layer has no table (layer.output.lut)");
  if (!l.lut.empty() && (l.rescale || !simd::HasLut(l.simd)))
    d.Fail("layer.output.lut", std::string("is given but the layer's program has no lut instruction") +
                                   (l.rescale ? " (a rescaled add's program is its own)" : ""));
  if (!l.params.empty() && l.params.size() != l.out_c)
    d.Fail("layer.params", "must have one entry per output channel, " + std::to_string(l.out_c) + " (got " +
                               std::to_string(l.params.size()) + ")");
}

void LowerPool(const Doc& d, const LayerSpec& l, const HwConfig& cfg, Lowering* x) {
  const uint64_t n = cfg.array_cols;
  // Fused pooling (docs/architecture.md): the window must fit the padded output, the output rows
  // the line buffer, and one output channel must arrive at a time.
  x->order = l.order;
  x->res_h = x->out_h, x->res_w = x->out_w;
  if (l.pool) {
    const LayerSpec::Pool& p = *l.pool;
    if (l.op != LayerOp::kConv)
      d.Fail("layer.output.pool",
             std::string("applies to op conv only: the pooling unit follows a CONV (got op ") +
                 ToString(l.op) + ")");
    const std::string win =
        std::to_string(p.size) + "x" + std::to_string(p.size) + " window with pad " + std::to_string(p.pad);
    if (x->out_h + 2 * p.pad < p.size || x->out_w + 2 * p.pad < p.size)
      d.Fail("layer.output.pool", "has a " + win + " that does not fit the " + std::to_string(x->out_h) +
                                      "x" + std::to_string(x->out_w) + " convolution output");
    if (x->out_w > n)
      d.Fail("layer.output.pool", "needs the convolution's rows in the line buffer of " + std::to_string(n) +
                                      " pixels (the array columns) on '" + cfg.name + "', but they are " +
                                      std::to_string(x->out_w) + " wide");
    if (x->ch_tiles > 1) {
      if (l.order_given && l.order == isa::Order::kPixelMajor)
        d.Fail("layer.order", "must be channel_major (or left out) for a pooled layer with " +
                                  std::to_string(x->ch_tiles) + " channel tiles on '" + cfg.name +
                                  "': the pooling unit takes one output channel at a time (got pixel_major)");
      x->order = isa::Order::kChannelMajor;
    }
    const pool::Window w{p.op, p.size, p.stride, p.pad};
    x->res_h = pool::OutSize(uint32_t(x->out_h), w);
    x->res_w = pool::OutSize(uint32_t(x->out_w), w);
  }
}

}  // namespace

Lowering Lower(const Doc& d, const LayerSpec& l, const HwConfig& cfg) {
  const uint64_t m = cfg.array_rows, n = cfg.array_cols;
  Lowering x;
  LowerShape(d, l, &x);
  const uint64_t groups = l.op == LayerOp::kInnerProduct ? 1 : l.groups;
  x.group_in_c = x.in_c / groups;
  x.group_out_c = l.out_c / groups;
  x.group_tiles = CeilDiv(x.group_out_c, m);
  x.ch_tiles = groups * x.group_tiles;
  x.dot_len = x.group_in_c * x.kernel_h * x.kernel_w;
  if (l.op == LayerOp::kEltwise) x.dot_len = 2;  // term 0 reads tensor a, term 1 tensor b
  const uint64_t pixels = x.out_h * x.out_w;
  x.pix_tiles = CeilDiv(pixels, n);
  x.wt_tile_bytes = x.dot_len * m;

  CheckLimits(d, l, x, cfg);
  LowerPool(d, l, cfg, &x);
  return x;
}

DmaShape WeightDma(const Doc& d, const Lowering& x, uint64_t m) {
  if (x.wt_tile_bytes <= kMaxRowBytes && x.ch_tiles <= kMaxRows) return {x.ch_tiles, x.wt_tile_bytes};
  if (x.dot_len <= kMaxRowBytes && x.ch_tiles * m <= kMaxRows) return {x.ch_tiles * m, x.dot_len};
  d.Fail("layer", "has " + std::to_string(x.ch_tiles) + " weight tiles of " +
                      std::to_string(x.wt_tile_bytes) +
                      " bytes that one DMA instruction cannot move (rows <= " + std::to_string(kMaxRows) +
                      ", row_bytes <= " + std::to_string(kMaxRowBytes) + ")");
}

std::vector<isa::SimdInstr> SimdProgramOf(const LayerSpec& l, const RescaleProgram* rescale) {
  if (rescale) return rescale->simd;
  if (l.simd.empty()) return {FusedReluInstr(l.relu, l.out_signed)};
  return l.simd;
}

isa::Instruction ComputeInstruction(const Doc& d, const LayerSpec& l, const Lowering& x,
                                    std::vector<isa::SimdInstr> simd, const Operands& at,
                                    const HwConfig& cfg) {
  const bool ip = l.op == LayerOp::kInnerProduct;
  isa::Instruction dot;
  dot.opcode = x.opcode;
  isa::ComputeInstr& c = dot.compute;
  c.opcode = x.opcode;
  c.in_addr = at.in_addr;
  c.in2_addr = at.in2_addr;
  c.wt_addr = at.wt_addr;
  if (l.op == LayerOp::kEltwise) c.eltwise_op = l.eltwise;
  c.param_addr = at.param_addr;
  c.out_addr = at.out_addr;
  c.in_c = x.in_c;
  c.in_h = x.in_h;
  c.in_w = x.in_w;
  c.out_c = l.out_c;
  c.out_h = x.out_h;
  c.out_w = x.out_w;
  c.in_row_stride = at.in_row_stride ? at.in_row_stride : x.in_w;
  c.in_plane_stride = at.in_plane_stride;
  c.out_row_stride = x.res_w;
  c.out_plane_stride = at.out_plane_stride;
  c.kernel_h = x.kernel_h;
  c.kernel_w = x.kernel_w;
  if (!ip) {  // an inner product keeps strides and dilations 1, no padding (the fields' legal values)
    c.stride_h = l.stride_h;
    c.stride_w = l.stride_w;
    c.dil_h = l.dil_h;
    c.dil_w = l.dil_w;
    c.pad_top = l.pad_top;
    c.pad_bottom = l.pad_bottom;
    c.pad_left = l.pad_left;
    c.pad_right = l.pad_right;
    c.pad_value = l.pad_value;  // CONV and DECONV (test_spec takes it on no other op)
    c.out_pad_h = l.out_pad_h;
    c.out_pad_w = l.out_pad_w;
  } else {
    c.stride_h = c.stride_w = c.dil_h = c.dil_w = 1;
  }
  c.groups = ip ? 1 : l.groups;
  c.in_signed = l.in_signed;
  c.wt_signed = l.wt_signed;
  c.out_signed = l.out_signed;
  c.order = x.order;
  if (l.pool) {
    c.pool_op = l.pool->op;
    c.pool_size = l.pool->size;
    c.pool_stride = l.pool->stride;
    c.pool_pad = l.pool->pad;
  }
  c.dot_len = x.dot_len;
  c.pix_tiles = x.pix_tiles;
  c.ch_tiles = x.ch_tiles;
  c.wt_tile_bytes = x.wt_tile_bytes;
  c.group_in_c = x.group_in_c;
  c.group_out_c = x.group_out_c;
  c.group_tiles = x.group_tiles;
  dot.simd = std::move(simd);
  c.simd_len = dot.simd.size();
  // The pooling unit's own rules on the instruction, the last guard against a lowering mistake.
  if (const auto e = pool::Check(c.opcode, c, uint32_t(cfg.array_cols)))
    d.Fail("layer.output.pool", "lowers to an instruction whose " + e->field + " " +
                                    std::to_string(e->value) + " the pooling unit rejects: " + e->why);
  return dot;
}

std::vector<uint8_t> WeightBytes(const LayerSpec& l, const ref::Weights& w, const HwConfig& cfg) {
  return ref::PreorderWeights(w, uint32_t(cfg.array_rows), l.op == LayerOp::kInnerProduct ? 1 : l.groups);
}

std::vector<uint8_t> ParamBytes(const std::vector<ref::ChannelParams>& params,
                                const std::vector<uint8_t>& lut) {
  std::vector<uint8_t> bytes(params.size() * isa::ChannelParamsRecord::kBytes);
  for (size_t co = 0; co < params.size(); ++co)
    ref::PackParams(params[co], &bytes[co * isa::ChannelParamsRecord::kBytes]);
  bytes.insert(bytes.end(), lut.begin(), lut.end());
  return bytes;
}

}  // namespace nna::compiler
