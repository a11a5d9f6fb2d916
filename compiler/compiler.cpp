#include "compiler/compiler.h"
#include "compiler/lowering.h"
#include "compiler/yaml_doc.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

#include "isa/program.h"
#include "pool/pool.h"
#include "ref/ref_ops.h"
#include "simd/simd_program.h"
#include "util/split_mix64.h"

namespace nna::compiler {
namespace fs = std::filesystem;

namespace {

// The scale and shift that map max_abs to about target: scale/2^shift ~= target/max_abs with the
// largest shift that keeps scale within 16 bits (most precision).
ref::ChannelParams Calibrate(int64_t max_abs, int32_t bias, int64_t target) {
  ref::ChannelParams p;
  p.bias = bias;
  if (max_abs == 0) return p;  // scale 1, shift 0: everything is 0 anyway
  // target / max_abs rounded, in exact integers. Always found for 30-bit accumulators plus a small
  // bias (shift 24 already fits); otherwise scale 1, shift 0.
  const auto mult = FusedReluMultiplier([&](int shift) {
    return ((static_cast<unsigned __int128>(target) << shift) + uint64_t(max_abs) / 2) / uint64_t(max_abs);
  });
  if (mult) p.scale = mult->scale, p.shift = mult->shift;
  return p;
}

// A dense block of c planes of plane bytes, as a 2-D DMA: one row per plane when a plane fits the
// row_bytes field, else one row per line. Planes smaller than a placement unit go as one row: a row
// per byte-sized plane (an inner product's 4096x1x1 input) would cost a bus beat per byte.
DmaShape PlanarDma(const Doc& doc, const std::string& what, uint64_t c, uint64_t h, uint64_t w) {
  if (h * w < kAlign && c * h * w <= kMaxRowBytes) return {1, c * h * w};
  if (h * w <= kMaxRowBytes && c <= kMaxRows) return {c, h * w};
  if (w <= kMaxRowBytes && c * h <= kMaxRows) return {c * h, w};
  doc.Fail("layer", "gives a " + what + " tensor of " + std::to_string(c) + "x" + std::to_string(h) + "x" +
                        std::to_string(w) + " that one DMA instruction cannot move (rows <= 65535, row_bytes < 2^24)");
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

PlanarLayout Planar(const Doc& doc, const std::string& what, uint64_t c, uint64_t h, uint64_t w, const HwConfig& cfg,
                    bool pad) {
  PlanarLayout p;
  p.dma = PlanarDma(doc, what, c, h, w);
  const bool per_plane = p.dma.rows == c && p.dma.row_bytes == h * w;
  p.plane_stride = per_plane ? PlaneStride(h * w, cfg.array_cols, cfg, pad && c > 1) : h * w;
  p.sram_stride = per_plane ? p.plane_stride : p.dma.row_bytes;
  p.sram_bytes = (p.dma.rows - 1) * p.sram_stride + p.dma.row_bytes;
  return p;
}

std::vector<std::string> KnownTests(const fs::path& vectors_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(vectors_dir, ec))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

fs::path FindTest(const std::string& name, const fs::path& vectors_dir) {
  const fs::path p = vectors_dir / (name + ".yaml");
  if (fs::is_regular_file(p)) return p;
  std::string known;
  for (const auto& n : KnownTests(vectors_dir)) known += (known.empty() ? "" : ", ") + n;
  throw CompileError("no test '" + name + "' in " + vectors_dir.string() + " (known: " +
                     (known.empty() ? "none" : known) + ")");
}

namespace {
void ParseRoot(const YAML::Node& root, const fs::path& yaml, const Doc& d, TestSpec& spec);
}  // namespace

TestSpec ParseTestFile(const fs::path& yaml) {
  TestSpec spec;
  spec.file = ShownPath(yaml);
  const Doc d(spec.file);
  if (!fs::is_regular_file(yaml)) throw CompileError(spec.file + ": test description not found at " + yaml.string());
  YAML::Node root;
  try {
    root = YAML::LoadFile(yaml.string());
  } catch (const YAML::Exception& e) {
    throw CompileError(spec.file + ": not valid YAML (" + e.msg + " at line " + std::to_string(e.mark.line + 1) + ")");
  }
  try {
    ParseRoot(root, yaml, d, spec);
  } catch (const YAML::Exception& e) {
    throw CompileError(spec.file + ": unreadable content (" + e.msg + " at line " + std::to_string(e.mark.line + 1) + ")");
  }
  return spec;
}

namespace {

// A positive finite number.
double Positive(const Doc& d, const YAML::Node& n, const std::string& key) {
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v) || !(v > 0))
    d.Bad(key, "a positive number", n);
  return v;
}

// layer.output.activation: {kind, in_scale, out_scale, zero_point, alpha}.
LayerSpec::Act ParseActivation(const Doc& d, const YAML::Node& n, bool out_signed) {
  const std::string key = "layer.output.activation";
  d.NeedMap(n, key);
  d.OnlyKeys(n, key, {"kind", "in_scale", "out_scale", "zero_point", "alpha"});
  LayerSpec::Act a;
  const YAML::Node kind = d.Need(n, key, "kind");
  const std::string k = d.Str(kind, key + ".kind");
  std::string names;
  bool found = false;
  for (const Activation c : kActivations) {
    names += (names.empty() ? "" : ", ") + std::string(ToString(c));
    if (k == ToString(c)) a.kind = c, found = true;
  }
  if (!found) d.Bad(key + ".kind", "one of " + names, kind);
  a.quant.out_signed = out_signed;
  a.quant.in_scale = Positive(d, d.Need(n, key, "in_scale"), key + ".in_scale");
  a.quant.out_scale = Positive(d, d.Need(n, key, "out_scale"), key + ".out_scale");
  if (n["zero_point"])
    a.quant.out_zero_point =
        int32_t(d.Int(n["zero_point"], key + ".zero_point", out_signed ? -128 : 0, out_signed ? 127 : 255));
  if (const YAML::Node alpha = n["alpha"]) {
    if (a.kind != Activation::kLeakyRelu) d.Fail(key + ".alpha", "applies to kind leaky_relu only (got kind " + k + ")");
    double v = 0;
    if (!alpha.IsScalar() || !YAML::convert<double>::decode(alpha, v) || !(v >= 0 && v <= 1))
      d.Bad(key + ".alpha", "a number in [0, 1]", alpha);
    a.quant.alpha = v;
  }
  return a;  // Compile lowers it and names this key if no program meets the quantization
}

// layer.input: {channels, height, width, signed}, height and width at most max_hw.
void ParseInput(const Doc& d, const YAML::Node& layer, int64_t max_hw, LayerSpec& l) {
  const YAML::Node input = d.Need(layer, "layer", "input");
  d.NeedMap(input, "layer.input");
  d.OnlyKeys(input, "layer.input", {"channels", "height", "width", "signed", "tile"});
  l.in_c = uint32_t(d.Int(d.Need(input, "layer.input", "channels"), "layer.input.channels", 1, 65535));
  l.in_h = uint32_t(d.Int(d.Need(input, "layer.input", "height"), "layer.input.height", 1, max_hw));
  l.in_w = uint32_t(d.Int(d.Need(input, "layer.input", "width"), "layer.input.width", 1, max_hw));
  if (input["signed"]) l.in_signed = d.Bool(input["signed"], "layer.input.signed");
  if (const YAML::Node t = input["tile"]) {
    const std::string k = "layer.input.tile";
    d.NeedMap(t, k);
    d.OnlyKeys(t, k, {"height", "width", "top", "left"});
    LayerSpec::Tile tile;
    tile.height = uint32_t(d.Int(d.Need(t, k, "height"), k + ".height", l.in_h, 65535));
    tile.width = uint32_t(d.Int(d.Need(t, k, "width"), k + ".width", l.in_w, 1 << 20));
    tile.top = uint32_t(d.Int(d.Need(t, k, "top"), k + ".top", 0, tile.height - l.in_h));
    tile.left = uint32_t(d.Int(d.Need(t, k, "left"), k + ".left", 0, tile.width - l.in_w));
    l.in_tile = tile;
  }
}

// layer.output.pool: {op, size, stride, pad} (docs/architecture.md, "Fused pooling"). The ranges
// of the fields are checked here; the window against the convolution's output in Lower.
LayerSpec::Pool ParsePool(const Doc& d, const YAML::Node& n) {
  const std::string key = "layer.output.pool";
  d.NeedMap(n, key);
  d.OnlyKeys(n, key, {"op", "size", "stride", "pad"});
  LayerSpec::Pool p;
  const YAML::Node op = d.Need(n, key, "op");
  const std::string o = d.Str(op, key + ".op");
  if (o == "max")
    p.op = isa::PoolOp::kMax;
  else if (o == "avg")
    p.op = isa::PoolOp::kAvg;
  else
    d.Bad(key + ".op", "max or avg", op);
  p.size = uint32_t(d.Int(d.Need(n, key, "size"), key + ".size", 2, 3));
  p.stride = n["stride"] ? uint32_t(d.Int(n["stride"], key + ".stride", 1, 2)) : p.size;
  if (p.stride > 2)
    d.Fail(key + ".stride", "is missing and its default, the size " + std::to_string(p.size) +
                                ", is past the largest pooling stride 2 (give stride: 1 or 2)");
  if (n["pad"]) p.pad = uint32_t(d.Int(n["pad"], key + ".pad", 0, p.size / 2));
  return p;
}

// "conv", ..., or "global_avg_pool" (parsed as a conv): the op as the file spells it.
std::string OpName(const LayerSpec& l) { return l.global_avg_pool ? "global_avg_pool" : ToString(l.op); }

// layer.output's signed and relu, the keys every layer kind with an output takes.
void ParseOutputSign(const Doc& d, const YAML::Node& out, LayerSpec& l) {
  d.NeedMap(out, "layer.output");
  if (out["signed"]) l.out_signed = d.Bool(out["signed"], "layer.output.signed");
  if (out["relu"]) l.relu = d.Bool(out["relu"], "layer.output.relu");
}

// op scale and eltwise (docs/architecture.md, "SIMD-only instructions"): layer.input, layer.output
// {signed, relu}; eltwise adds layer.eltwise (add, mul, max) and, for add, layer.rescale
// {a_scale, b_scale, out_scale, zero_point}. Filled in as the depthwise 1x1 conv they run as.
void ParseSimdOnly(const Doc& d, const YAML::Node& layer, LayerSpec& l) {
  const bool elt = l.op == LayerOp::kEltwise;
  const std::string op = ToString(l.op);
  // Say why rather than "not known": these keys exist, but not for a layer without weights.
  for (const char* k : {"output_channels", "kernel", "stride", "dilation", "padding", "output_padding", "groups",
                        "weights_signed", "order"})
    if (layer[k])
      d.Fail(std::string("layer.") + k, "does not apply to op " + op +
                                            " (no weights: the output has the input's channels, height and width)");
  if (!elt)
    for (const char* k : {"eltwise", "rescale"})
      if (layer[k]) d.Fail(std::string("layer.") + k, "applies to op eltwise only (got op scale)");
  if (elt)
    d.OnlyKeys(layer, "layer", {"op", "input", "eltwise", "rescale", "output"});
  else
    d.OnlyKeys(layer, "layer", {"op", "input", "output"});
  ParseInput(d, layer, 65535, l);
  l.out_c = l.groups = l.in_c;
  l.kernel_h = l.kernel_w = 1;
  l.wt_signed = false;
  if (const YAML::Node out = layer["output"]) {
    ParseOutputSign(d, out, l);
    for (const char* k : {"activation", "pool"})
      if (out[k])
        d.Fail(std::string("layer.output.") + k, "does not apply to op " + op + " (its output keys are signed and relu)");
    d.OnlyKeys(out, "layer.output", {"signed", "relu"});
  }
  if (!elt) return;
  const YAML::Node e = d.Need(layer, "layer", "eltwise");
  const std::string k = d.Str(e, "layer.eltwise");
  if (k == "add")
    l.eltwise = isa::EltwiseOp::kAdd;
  else if (k == "mul")
    l.eltwise = isa::EltwiseOp::kMul;
  else if (k == "max")
    l.eltwise = isa::EltwiseOp::kMax;
  else
    d.Bad("layer.eltwise", "add, mul or max", e);
  if (const YAML::Node r = layer["rescale"]) {
    const std::string key = "layer.rescale";
    if (l.eltwise != isa::EltwiseOp::kAdd) d.Fail(key, "applies to eltwise add only (got eltwise " + k + ")");
    d.NeedMap(r, key);
    d.OnlyKeys(r, key, {"a_scale", "b_scale", "out_scale", "zero_point"});
    LayerSpec::Rescale rs;
    rs.a_scale = Positive(d, d.Need(r, key, "a_scale"), key + ".a_scale");
    rs.b_scale = Positive(d, d.Need(r, key, "b_scale"), key + ".b_scale");
    rs.out_scale = Positive(d, d.Need(r, key, "out_scale"), key + ".out_scale");
    if (r["zero_point"])
      rs.zero_point =
          int32_t(d.Int(r["zero_point"], key + ".zero_point", l.out_signed ? -128 : 0, l.out_signed ? 127 : 255));
    if (!l.out_signed && rs.zero_point > 127)
      d.Fail(key + ".zero_point", "must be at most 127, the zero point's int8 parameter (got " +
                                      std::to_string(rs.zero_point) + ")");
    l.rescale = rs;  // Compile lowers it and names this key if no program meets the ratios
  }
}

void ParseRoot(const YAML::Node& root, const fs::path& yaml, const Doc& d, TestSpec& spec) {
  if (!root.IsMap()) throw CompileError(spec.file + ": must be a map with keys name, doc, seed and layer");
  d.OnlyKeys(root, "", {"name", "doc", "seed", "layer", "frames", "buffers", "plane_padding"});
  spec.name = d.Str(d.Need(root, "", "name"), "name");
  if (spec.name != yaml.stem().string())
    d.Fail("name", "must equal the file name '" + yaml.stem().string() + "' (got '" + spec.name + "')");
  spec.doc = d.Str(d.Need(root, "", "doc"), "doc");
  spec.seed = d.Seed(d.Need(root, "", "seed"), "seed");
  if (const YAML::Node f = root["frames"]) spec.frames = uint32_t(d.Int(f, "frames", 1, kMaxFrames));
  if (const YAML::Node b = root["buffers"]) spec.buffers = uint32_t(d.Int(b, "buffers", 1, kMaxBuffers));
  if (const YAML::Node p = root["plane_padding"]) spec.plane_padding = d.Bool(p, "plane_padding");
  if (spec.buffers > spec.frames)
    d.Fail("buffers", "must be at most frames " + std::to_string(spec.frames) + " (got " +
                          std::to_string(spec.buffers) + ")");

  const YAML::Node layer = d.Need(root, "", "layer");
  d.NeedMap(layer, "layer");
  LayerSpec& l = spec.layer;
  if (const YAML::Node op = layer["op"]) {
    const std::string o = d.Str(op, "layer.op");
    if (o == "conv")
      l.op = LayerOp::kConv;
    else if (o == "deconv")
      l.op = LayerOp::kDeconv;
    else if (o == "inner_product")
      l.op = LayerOp::kInnerProduct;
    else if (o == "global_avg_pool")
      l.global_avg_pool = true;
    else if (o == "scale")
      l.op = LayerOp::kScale;
    else if (o == "eltwise")
      l.op = LayerOp::kEltwise;
    else
      d.Bad("layer.op", "conv, deconv, inner_product, global_avg_pool, scale or eltwise", op);
  }
  if (SimdOnly(l.op)) {
    ParseSimdOnly(d, layer, l);
    return;
  }
  for (const char* k : {"eltwise", "rescale"})
    if (layer[k]) d.Fail(std::string("layer.") + k, "applies to op eltwise only (got op " + OpName(l) + ")");
  if (l.global_avg_pool) {
    // The depthwise conv that computes it: one channel per group, the kernel the whole plane.
    d.OnlyKeys(layer, "layer", {"op", "input"});
    ParseInput(d, layer, 255, l);  // the kernel fields are 8 bits: the plane is the kernel
    l.op = LayerOp::kConv;
    l.out_c = l.groups = l.in_c;
    l.kernel_h = l.in_h, l.kernel_w = l.in_w;
    l.wt_signed = true;
    l.out_signed = l.in_signed;
    l.relu = false;
    return;
  }
  const bool ip = l.op == LayerOp::kInnerProduct;
  if (ip) {
    // Say why rather than "not known": these keys exist, but not for an inner product.
    for (const char* k : {"kernel", "stride", "dilation", "padding", "groups", "output_padding"})
      if (layer[k])
        d.Fail(std::string("layer.") + k,
               "does not apply to op inner_product (its kernel is the whole input, one output pixel)");
    d.OnlyKeys(layer, "layer", {"op", "input", "output_channels", "weights_signed", "output", "order"});
  } else if (l.op == LayerOp::kConv) {
    if (layer["output_padding"]) d.Fail("layer.output_padding", "applies to op deconv only");
    d.OnlyKeys(layer, "layer",
               {"op", "input", "output_channels", "kernel", "stride", "dilation", "padding", "groups",
                "weights_signed", "output", "order"});
  } else {
    d.OnlyKeys(layer, "layer",
               {"op", "input", "output_channels", "kernel", "stride", "dilation", "padding", "output_padding",
                "groups", "weights_signed", "output", "order"});
  }

  ParseInput(d, layer, 65535, l);

  l.out_c = uint32_t(d.Int(d.Need(layer, "layer", "output_channels"), "layer.output_channels", 1, 65535));
  if (!ip) {
    const auto k = d.IntOrList(d.Need(layer, "layer", "kernel"), "layer.kernel", 2, 1, 255, "[h, w]");
    l.kernel_h = uint32_t(k[0]);
    l.kernel_w = uint32_t(k[1]);
  }
  if (layer["stride"]) {
    const auto s = d.IntOrList(layer["stride"], "layer.stride", 2, 1, 255, "[h, w]");
    l.stride_h = uint32_t(s[0]);
    l.stride_w = uint32_t(s[1]);
  }
  if (layer["dilation"]) {
    const auto s = d.IntOrList(layer["dilation"], "layer.dilation", 2, 1, 255, "[h, w]");
    l.dil_h = uint32_t(s[0]);
    l.dil_w = uint32_t(s[1]);
  }
  if (layer["padding"]) {
    const auto p = d.IntOrList(layer["padding"], "layer.padding", 4, 0, 255, "[top, bottom, left, right]");
    l.pad_top = uint32_t(p[0]);
    l.pad_bottom = uint32_t(p[1]);
    l.pad_left = uint32_t(p[2]);
    l.pad_right = uint32_t(p[3]);
  }
  if (layer["output_padding"]) {
    const auto p = d.IntOrList(layer["output_padding"], "layer.output_padding", 2, 0, 255, "[h, w]");
    l.out_pad_h = uint32_t(p[0]);
    l.out_pad_w = uint32_t(p[1]);
  }
  if (layer["groups"]) l.groups = uint32_t(d.Int(layer["groups"], "layer.groups", 1, 65535));
  if (layer["weights_signed"]) l.wt_signed = d.Bool(layer["weights_signed"], "layer.weights_signed");
  if (const YAML::Node out = layer["output"]) {
    ParseOutputSign(d, out, l);
    d.OnlyKeys(out, "layer.output", {"signed", "relu", "activation", "pool"});
    if (const YAML::Node act = out["activation"]) {
      if (out["relu"])
        d.Fail("layer.output.relu", "cannot be given with layer.output.activation (use activation kind relu or none)");
      l.relu = false;
      l.activation = ParseActivation(d, act, l.out_signed);
    }
    if (const YAML::Node pool = out["pool"]) {
      if (l.op != LayerOp::kConv)
        d.Fail("layer.output.pool", std::string("applies to op conv only: the pooling unit follows a CONV (got op ") +
                                        ToString(l.op) + ")");
      l.pool = ParsePool(d, pool);
    }
  }
  if (const YAML::Node order = layer["order"]) {
    const std::string o = d.Str(order, "layer.order");
    if (o == "pixel_major")
      l.order = isa::Order::kPixelMajor;
    else if (o == "channel_major")
      l.order = isa::Order::kChannelMajor;
    else
      d.Bad("layer.order", "pixel_major or channel_major", order);
    l.order_given = true;
  }
}

}  // namespace

const char* ToString(LayerOp op) {
  switch (op) {
    case LayerOp::kConv: return "conv";
    case LayerOp::kDeconv: return "deconv";
    case LayerOp::kInnerProduct: return "inner_product";
    case LayerOp::kScale: return "scale";
    case LayerOp::kEltwise: return "eltwise";
  }
  return "?";
}

namespace {

std::string Pair(uint64_t a, uint64_t b) { return "[" + std::to_string(a) + ", " + std::to_string(b) + "]"; }

// An inner product's (C, H, W) with H, W <= 255 (the 8-bit kernel fields) and the same planar byte
// order: the shape as given when it fits, else the largest width, then height, dividing C*H*W.
bool FitInnerProduct(uint64_t c, uint64_t h, uint64_t w, uint64_t* rc, uint64_t* rh, uint64_t* rw) {
  if (h <= 255 && w <= 255) {
    *rc = c, *rh = h, *rw = w;
    return true;
  }
  const uint64_t total = c * h * w;
  auto largest_divisor = [](uint64_t v) {
    for (uint64_t d = 255; d > 1; --d)
      if (v % d == 0) return d;
    return uint64_t(1);
  };
  *rw = largest_divisor(total);
  *rh = largest_divisor(total / *rw);
  *rc = total / (*rw * *rh);
  return *rc <= 0xFFFF;
}

}  // namespace

Lowering Lower(const Doc& d, const LayerSpec& l, const HwConfig& cfg) {
  const uint64_t m = cfg.array_rows, n = cfg.array_cols;
  Lowering x;
  x.in_c = l.in_c, x.in_h = l.in_h, x.in_w = l.in_w;
  x.kernel_h = l.kernel_h, x.kernel_w = l.kernel_w;
  if (l.op == LayerOp::kInnerProduct) {
    x.opcode = isa::Opcode::kInnerProduct;
    if (!FitInnerProduct(l.in_c, l.in_h, l.in_w, &x.in_c, &x.in_h, &x.in_w))
      d.Fail("layer.input", "has " + std::to_string(uint64_t(l.in_c) * l.in_h * l.in_w) +
                                " elements that do not fold into C x H x W with H, W <= 255 (the kernel fields) "
                                "and C <= 65535");
    x.kernel_h = x.in_h, x.kernel_w = x.in_w;
    x.out_h = x.out_w = 1;
  } else {
    if (l.groups == 0 || l.in_c % l.groups != 0 || l.out_c % l.groups != 0)
      d.Fail("layer.groups", "must divide the input channels " + std::to_string(l.in_c) + " and the output channels " +
                                 std::to_string(l.out_c) + " (got " + std::to_string(l.groups) + ")");
    if (SimdOnly(l.op)) {  // a depthwise 1x1 conv of the input (docs/architecture.md)
      x.opcode = l.op == LayerOp::kScale ? isa::Opcode::kScale : isa::Opcode::kEltwise;
      x.out_h = l.in_h, x.out_w = l.in_w;
    } else if (l.op == LayerOp::kConv) {
      x.opcode = isa::Opcode::kConv;
      const int64_t oh = ref::ConvOutSize(l.in_h, l.kernel_h, l.stride_h, l.dil_h, l.pad_top, l.pad_bottom);
      const int64_t ow = ref::ConvOutSize(l.in_w, l.kernel_w, l.stride_w, l.dil_w, l.pad_left, l.pad_right);
      if (oh < 1 || ow < 1)
        d.Fail("layer.kernel", Pair(l.kernel_h, l.kernel_w) + " (with its dilation and padding) does not fit the " +
                                   std::to_string(l.in_h) + "x" + std::to_string(l.in_w) +
                                   " input: the output would be " + std::to_string(oh) + "x" + std::to_string(ow));
      x.out_h = uint64_t(oh), x.out_w = uint64_t(ow);
    } else {
      x.opcode = isa::Opcode::kDeconv;
      auto upsampling = [](uint32_t s) { return s == 1 || s == 2 || s == 4 || s == 8; };
      if (!upsampling(l.stride_h) || !upsampling(l.stride_w))
        d.Fail("layer.stride", "must be 1, 2, 4 or 8 for op deconv (got " + Pair(l.stride_h, l.stride_w) + ")");
      // PyTorch's rule: output padding only picks among the sizes a stride or dilation leaves open.
      const uint32_t lim_h = std::max(l.stride_h, l.dil_h), lim_w = std::max(l.stride_w, l.dil_w);
      if (l.out_pad_h >= lim_h || l.out_pad_w >= lim_w)
        d.Fail("layer.output_padding", "must be less than max(stride, dilation) of its axis, " + Pair(lim_h, lim_w) +
                                           " here (got " + Pair(l.out_pad_h, l.out_pad_w) + ")");
      const int64_t oh = ref::DeconvOutSize(l.in_h, l.kernel_h, l.stride_h, l.dil_h, l.pad_top, l.pad_bottom, l.out_pad_h);
      const int64_t ow = ref::DeconvOutSize(l.in_w, l.kernel_w, l.stride_w, l.dil_w, l.pad_left, l.pad_right, l.out_pad_w);
      if (oh < 1 || ow < 1)
        d.Fail("layer.padding", "[" + std::to_string(l.pad_top) + ", " + std::to_string(l.pad_bottom) + ", " +
                                    std::to_string(l.pad_left) + ", " + std::to_string(l.pad_right) +
                                    "] crops the whole output of the transposed convolution: it would be " +
                                    std::to_string(oh) + "x" + std::to_string(ow));
      x.out_h = uint64_t(oh), x.out_w = uint64_t(ow);
    }
  }
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

  if (x.out_h > 0xFFFF || x.out_w > 0xFFFF)
    d.Fail("layer", "gives an output of " + std::to_string(x.out_h) + "x" + std::to_string(x.out_w) +
                        " pixels; out_h and out_w are 16-bit fields");
  if (x.pix_tiles > 0xFFFF)
    d.Fail("layer", "needs " + std::to_string(x.pix_tiles) + " pixel sections on '" + cfg.name +
                        "'; pix_tiles is a 16-bit field");
  if (x.ch_tiles > 0xFFFF) d.Fail("layer.output_channels", "gives more than 65535 channel tiles");
  if (x.wt_tile_bytes > 0xFFFFFFFFull)
    d.Fail("layer", "needs " + std::to_string(x.wt_tile_bytes) + " bytes per weight tile on '" + cfg.name +
                        "'; wt_tile_bytes is a 32-bit field");
  if (x.in_h * x.in_w > 0xFFFFFFFFull || pixels > 0xFFFFFFFFull)
    d.Fail("layer", "has planes of more than 2^32 bytes, past the plane-stride fields");
  if (l.out_c > cfg.simd_param_entries)
    d.Fail("layer.output_channels", "must be at most simd.param_entries " + std::to_string(cfg.simd_param_entries) +
                                        " on '" + cfg.name + "' (got " + std::to_string(l.out_c) + ")");
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
  if (!l.params.empty() && l.params.size() != l.out_c)
    d.Fail("layer.params", "must have one entry per output channel, " + std::to_string(l.out_c) + " (got " +
                               std::to_string(l.params.size()) + ")");

  // Fused pooling (docs/architecture.md): the window must fit the padded output, the output rows
  // the line buffer, and one output channel must arrive at a time.
  x.order = l.order;
  x.res_h = x.out_h, x.res_w = x.out_w;
  if (l.pool) {
    const LayerSpec::Pool& p = *l.pool;
    if (l.op != LayerOp::kConv)
      d.Fail("layer.output.pool", std::string("applies to op conv only: the pooling unit follows a CONV (got op ") +
                                      ToString(l.op) + ")");
    const std::string win = std::to_string(p.size) + "x" + std::to_string(p.size) + " window with pad " +
                            std::to_string(p.pad);
    if (x.out_h + 2 * p.pad < p.size || x.out_w + 2 * p.pad < p.size)
      d.Fail("layer.output.pool", "has a " + win + " that does not fit the " + std::to_string(x.out_h) + "x" +
                                      std::to_string(x.out_w) + " convolution output");
    if (x.out_w > n)
      d.Fail("layer.output.pool", "needs the convolution's rows in the line buffer of " + std::to_string(n) +
                                      " pixels (the array columns) on '" + cfg.name + "', but they are " +
                                      std::to_string(x.out_w) + " wide");
    if (x.ch_tiles > 1) {
      if (l.order_given && l.order == isa::Order::kPixelMajor)
        d.Fail("layer.order", "must be channel_major (or left out) for a pooled layer with " +
                                  std::to_string(x.ch_tiles) + " channel tiles on '" + cfg.name +
                                  "': the pooling unit takes one output channel at a time (got pixel_major)");
      x.order = isa::Order::kChannelMajor;
    }
    const pool::Window w{p.op, p.size, p.stride, p.pad};
    x.res_h = pool::OutSize(uint32_t(x.out_h), w);
    x.res_w = pool::OutSize(uint32_t(x.out_w), w);
  }
  return x;
}

namespace {

// The weights as one DMA: a row per channel tile, or a row per array row of a tile (dot_len bytes)
// when a tile is past the row_bytes field.
DmaShape WeightDma(const Doc& d, const Lowering& x, uint64_t m) {
  if (x.wt_tile_bytes <= kMaxRowBytes && x.ch_tiles <= kMaxRows) return {x.ch_tiles, x.wt_tile_bytes};
  if (x.dot_len <= kMaxRowBytes && x.ch_tiles * m <= kMaxRows) return {x.ch_tiles * m, x.dot_len};
  d.Fail("layer", "has " + std::to_string(x.ch_tiles) + " weight tiles of " + std::to_string(x.wt_tile_bytes) +
                      " bytes that one DMA instruction cannot move (rows <= 65535, row_bytes < 2^24)");
}

// Warns (one line) when an output channel's accumulator can leave the 30-bit range: the bound is
// sum_k |w[co][k]| * max |activation| (docs/architecture.md). Returns the channels at risk.
uint32_t WarnOverflow(const TestSpec& spec, const ref::Weights& w) {
  const uint64_t max_act = spec.layer.in_signed ? 128 : 255, limit = (1ull << 29) - 1;
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
    std::cerr << "nnac: warning: " << spec.file << ": test '" << spec.name << "', layer 0 (" << ToString(spec.layer.op)
              << "), output channel " << worst << ": sum |w| * max |activation| = " << worst_bound
              << " exceeds 2^29-1; " << risky << " of " << w.cout
              << " channels can overflow the 30-bit accumulator, which wraps\n";
  return risky;
}

ref::EltwiseKind KindOf(isa::EltwiseOp op) {
  switch (op) {
    case isa::EltwiseOp::kAdd: return ref::EltwiseKind::kAdd;
    case isa::EltwiseOp::kMul: return ref::EltwiseKind::kMul;
    case isa::EltwiseOp::kMax: return ref::EltwiseKind::kMax;
  }
  throw std::logic_error("nnac: unknown eltwise op");
}

// The channel parameters and expected output of a SCALE or ELTWISE layer (docs/architecture.md,
// "SIMD-only instructions") from its seeded tensors a and b.
// - SCALE: each channel c draws an offset bias_c in [-32, 32] and a real multiplier gamma_c in
//   [0.5, 4) (a folded batch norm: y = gamma_c*(x + bias_c)). One output quantization for the
//   layer maps the real outputs (after the ReLU) onto the output range: the zero point puts their
//   minimum at the bottom, the multiplier s their extremes at the ends; channel c's FUSED_RELU
//   multiplier scale_c * 2^-shift_c is gamma_c * s with 16 bits of precision.
// - ELTWISE add, mul, max: bias 0, zero point 0, each channel's scale and shift calibrated so its
//   largest |a op b| reaches the output range's top (as a dot-product layer's accumulators).
// - ELTWISE add with rescale: the rescale program's parameters on every channel.
// Explicit layer.params replace the parameters (after the same draws); an explicit layer.simd runs
// on every element instead of FUSED_RELU, from the entry registers the SIMD unit gives it
// (docs/simd.md): SCALE RowEntry(x), ELTWISE PairEntry(op, a, b).
void SimdOnlyData(const LayerSpec& l, const ref::Tensor& a, const ref::Tensor& b, SplitMix64& rng,
                  const RescaleProgram* rescale, std::vector<ref::ChannelParams>* params,
                  std::vector<uint8_t>* reference) {
  const uint32_t channels = l.in_c;
  const size_t plane = size_t(l.in_h) * l.in_w;
  const bool unsigned_out = !l.out_signed;
  params->assign(channels, ref::ChannelParams{});
  if (l.op == LayerOp::kScale) {
    std::vector<double> gamma(channels);
    for (uint32_t co = 0; co < channels; ++co) {
      (*params)[co].bias = int32_t(rng.Range(0, 64)) - 32;
      gamma[co] = double(rng.Range(1024, 8191)) / 2048;  // exact in binary
    }
    double ymin = 0, ymax = 0;
    for (uint32_t co = 0; co < channels; ++co)
      for (size_t p = 0; p < plane; ++p) {
        const int32_t x = a.At(co, uint32_t(p / l.in_w), uint32_t(p % l.in_w));
        double y = gamma[co] * double(x + (*params)[co].bias);
        if (l.relu) y = std::max(y, 0.0);
        if (co == 0 && p == 0) ymin = ymax = y;
        ymin = std::min(ymin, y), ymax = std::max(ymax, y);
      }
    const double qlo = l.out_signed ? -128 : 0, qhi = l.out_signed ? 127 : 255;
    int32_t zp = 0;
    double s = 1;
    if (ymax > ymin) {
      zp = int32_t(std::clamp<double>(std::round(qlo - ymin * (qhi - qlo) / (ymax - ymin)), -128, 127));
      double best = HUGE_VAL;  // the largest s that keeps both extremes inside the range
      if (ymax > 0 && qhi > zp) best = std::min(best, (qhi - zp) / ymax);
      if (ymin < 0 && qlo < zp) best = std::min(best, (qlo - zp) / ymin);
      if (std::isfinite(best)) s = best;
    }
    for (uint32_t co = 0; co < channels; ++co) {
      ref::ChannelParams& p = (*params)[co];
      p.zero_point = int8_t(zp);
      const double mult = gamma[co] * s;
      if (const auto m = FusedReluMultiplier([&](int shift) { return std::round(std::ldexp(mult, shift)); }))
        p.scale = m->scale, p.shift = m->shift;
    }
  } else if (rescale) {
    params->assign(channels, rescale->params);
  } else {
    const int64_t target = l.out_signed ? 127 : 255;
    for (uint32_t co = 0; co < channels; ++co) {
      int64_t max_abs = 0;
      for (size_t p = 0; p < plane; ++p) {
        const uint32_t h = uint32_t(p / l.in_w), w = uint32_t(p % l.in_w);
        const int64_t v = ref::EltwiseValue(KindOf(l.eltwise), a.At(co, h, w), b.At(co, h, w));
        max_abs = std::max(max_abs, v < 0 ? -v : v);
      }
      (*params)[co] = Calibrate(max_abs, 0, target);
    }
  }
  if (!l.params.empty()) *params = l.params;

  if (!l.simd.empty()) {  // the program on every element, as each lane of each unloaded row runs it
    reference->resize(size_t(channels) * plane);
    for (uint32_t co = 0; co < channels; ++co)
      for (size_t p = 0; p < plane; ++p) {
        const uint32_t h = uint32_t(p / l.in_w), w = uint32_t(p % l.in_w);
        const simd::LaneState entry = l.op == LayerOp::kScale
                                          ? simd::RowEntry(a.At(co, h, w))
                                          : simd::PairEntry(l.eltwise, a.At(co, h, w), b.At(co, h, w));
        (*reference)[co * plane + p] = uint8_t(simd::RunLaneState(l.simd, entry, (*params)[co]).v[0]);
      }
  } else if (l.op == LayerOp::kScale) {
    *reference = ref::ScaleChannels(a, *params, l.relu, unsigned_out);
  } else if (rescale) {
    *reference = ref::EltwiseRescaledAdd(a, b, rescale->ka, rescale->kb, *params, l.relu, unsigned_out);
  } else {
    *reference = ref::Eltwise(a, b, KindOf(l.eltwise), *params, l.relu, unsigned_out);
  }
}

}  // namespace

Bundle Compile(const TestSpec& given, const HwConfig& cfg, const Placement& at) {
  // An activation becomes the layer's SIMD program here; its channel parameters once the biases
  // (and, for kRequant, the calibrated scales and shifts) exist.
  std::optional<ActProgram> act;
  TestSpec lowered;
  if (given.layer.activation) {
    if (!given.layer.simd.empty())
      Doc(given.file).Fail("layer.output.activation", "cannot be given with an explicit SIMD program");
    try {
      act = LowerActivation(given.layer.activation->kind, given.layer.activation->quant);
    } catch (const CompileError& e) {
      Doc(given.file).Fail("layer.output.activation", "has no program (" + std::string(e.what()) + ")");
    }
    lowered = given;
    lowered.layer.simd = act->simd;
  }
  const TestSpec& spec = act ? lowered : given;
  const Doc d(spec.file);
  const LayerSpec& l = spec.layer;
  const uint64_t m = cfg.array_rows;
  const Lowering x = Lower(d, l, cfg);
  // SCALE and ELTWISE: no weights; ELTWISE reads a second input tensor; a rescaled add has its own
  // program.
  const bool simd_only = SimdOnly(l.op), elt = l.op == LayerOp::kEltwise;
  std::optional<RescaleProgram> rescale;
  if (l.rescale) {
    try {
      rescale = LowerRescaledAdd(*l.rescale, l.relu, l.out_signed);
    } catch (const CompileError& e) {
      d.Fail("layer.rescale", "has no program (" + std::string(e.what()) + ")");
    }
  }
  const uint64_t simd_len = rescale ? rescale->simd.size() : l.simd.empty() ? 1 : l.simd.size();
  const uint32_t frames = spec.frames, buffers = spec.buffers;
  if (l.in_tile && (x.in_c != l.in_c || x.in_h != l.in_h || x.in_w != l.in_w))
    d.Fail("layer.input.tile", "cannot be used with op " + std::string(ToString(l.op)) +
                                   ", which reads its input in another shape");
  if (l.in_tile && (frames > 1 || elt))
    d.Fail("layer.input.tile", std::string("cannot be combined with ") + (elt ? "op eltwise" : "several frames") +
                                   " (a tile is built for one input tensor and one frame)");
  if (frames > 1 && (simd_only || l.global_avg_pool))
    d.Fail("frames", "must be 1 for op " + std::string(l.global_avg_pool ? "global_avg_pool" : ToString(l.op)) +
                         " (several frames are built for conv, deconv and inner_product; got " +
                         std::to_string(frames) + ")");

  // Placement (SRAM from at.sram_base; DRAM is the same order shifted to at.dram_base, and the
  // frames after the first follow it), checked before any data is made.
  if (at.sram_base % kAlign || at.dram_base % kAlign)
    d.Fail("layer", "cannot be placed at SRAM " + std::to_string(at.sram_base) + " and DRAM " +
                        std::to_string(at.dram_base) + ": both bases must be multiples of " + std::to_string(kAlign));
  const uint64_t in_bytes = uint64_t(l.in_c) * l.in_h * l.in_w, param_size = uint64_t(l.out_c) * isa::kParamBytes;
  const uint64_t wt_size = simd_only ? 0 : x.ch_tiles * x.wt_tile_bytes;
  const uint64_t out_bytes = uint64_t(l.out_c) * x.res_h * x.res_w;
  // Per frame one DMA word per input tensor, the compute instruction and one for the output; once
  // the parameters and the weights (not for SCALE and ELTWISE).
  // (A tile's input DMA is 3-D: a second word.)
  const uint64_t dma_words = frames * ((elt ? 2 : 1) + 1) + 1 + (simd_only ? 0 : 1) + (l.in_tile ? 1 : 0);
  const uint64_t prog_words = dma_words + frames * isa::ComputeWords(simd_len);
  const uint64_t prog_sram = at.sram_base;
  // Input and output planes, padded in SRAM against bank conflicts (DRAM keeps them dense).
  const PlanarLayout in_lay = Planar(d, "input", x.in_c, x.in_h, x.in_w, cfg, spec.plane_padding);
  const PlanarLayout out_lay = Planar(d, "output", l.out_c, x.res_h, x.res_w, cfg, spec.plane_padding);
  const uint64_t in_span = in_lay.sram_bytes, out_span = out_lay.sram_bytes;
  std::vector<uint64_t> in_sram(buffers), out_sram(buffers);  // buffer b of each
  in_sram[0] = AlignUp(prog_sram + prog_words * isa::kWordBytes);
  for (uint32_t b = 1; b < buffers; ++b) in_sram[b] = AlignUp(in_sram[b - 1] + in_span);
  // Tensor b (the input's layout): ELTWISE reads b in the cycle after a at the same offset, so b
  // starts where plane padding would put a next plane, off the banks a's read rests.
  const uint64_t in2_sram = elt ? in_sram[0] + PlaneStride(AlignUp(in_span), cfg.array_cols, cfg, spec.plane_padding) : 0;
  const uint64_t param_sram = AlignUp(elt ? in2_sram + in_span : in_sram[buffers - 1] + in_span);
  const uint64_t wt_sram = AlignUp(param_sram + param_size);
  out_sram[0] = AlignUp(wt_sram + wt_size);
  for (uint32_t b = 1; b < buffers; ++b) out_sram[b] = AlignUp(out_sram[b - 1] + out_span);
  const uint64_t end_sram = out_sram[buffers - 1] + out_span;
  if (end_sram > cfg.sram_bytes)
    d.Fail("layer", "needs " + std::to_string(end_sram - at.sram_base) + " bytes of SRAM" +
                        (at.sram_base ? " from base " + std::to_string(at.sram_base) : std::string()) + " (input " + (elt ? "2 x " : "") +
                        std::to_string(in_bytes) + ", weights " + std::to_string(wt_size) + ", output " +
                        std::to_string(out_bytes) + (buffers > 1 ? ", " + std::to_string(buffers) + " buffers" : "") +
                        ") but configuration '" + cfg.name + "' has " + std::to_string(cfg.sram_bytes));
  const DmaShape wt_dma = simd_only ? DmaShape{0, 0} : WeightDma(d, x, m);

  // Global average pooling: FUSED_RELU's multiply and rounding shift must give the exact rounded
  // average for every sum the window can have, or the layer is not emitted.
  AvgMultiplier avg;
  if (l.global_avg_pool) {
    const uint64_t count = uint64_t(l.in_h) * l.in_w;
    avg = GlobalAvgMultiplier(count, l.in_signed);
    if (!avg.exact)
      d.Fail("layer.input", "has " + std::to_string(l.in_h) + "x" + std::to_string(l.in_w) + " = " +
                                std::to_string(count) + " " + (l.in_signed ? "int8" : "uint8") +
                                " values per channel, whose average FUSED_RELU cannot round exactly: scale " +
                                std::to_string(avg.scale) + ", shift " + std::to_string(avg.shift) + " gives " +
                                std::to_string(avg.got) + " for the sum " + std::to_string(avg.sum) +
                                " whose rounded average is " + std::to_string(avg.want));
  }

  // Seeded data: input (ELTWISE: tensor a, then b), then what the layer kind draws.
  SplitMix64 rng(spec.seed);
  ref::Tensor input(l.in_c, l.in_h, l.in_w, l.in_signed), input_b, tiled;
  if (l.in_tile) {  // the whole tensor is seeded; the layer's input is its window
    const LayerSpec::Tile& t = *l.in_tile;
    tiled = ref::Tensor(l.in_c, t.height, t.width, l.in_signed);
    for (auto& b : tiled.data) b = uint8_t(rng.Next());
    for (uint32_t ch = 0; ch < l.in_c; ++ch)
      for (uint32_t y = 0; y < l.in_h; ++y)
        for (uint32_t xx = 0; xx < l.in_w; ++xx)
          input.data[(uint64_t(ch) * l.in_h + y) * l.in_w + xx] =
              tiled.data[(uint64_t(ch) * t.height + t.top + y) * t.width + t.left + xx];
  } else {
    for (auto& b : input.data) b = uint8_t(rng.Next());
  }
  if (elt) {
    input_b = ref::Tensor(l.in_c, l.in_h, l.in_w, l.in_signed);
    for (auto& b : input_b.data) b = uint8_t(rng.Next());
  }
  // The inputs of frames 1, 2, ... from a stream of their own, so frame 0 is the one-frame test's.
  std::vector<ref::Tensor> later_inputs(frames - 1, ref::Tensor(l.in_c, l.in_h, l.in_w, l.in_signed));
  SplitMix64 frame_rng(spec.seed ^ 0x6672616D6573ull);  // "frames"
  for (auto& t : later_inputs)
    for (auto& b : t.data) b = uint8_t(frame_rng.Next());
  std::vector<std::vector<uint8_t>> later_references;
  std::vector<ref::ChannelParams> params;
  std::vector<uint8_t> reference, wt_bytes;
  if (simd_only) {
    SimdOnlyData(l, input, input_b, rng, rescale ? &*rescale : nullptr, &params, &reference);
  } else {
    // After the input: weights, then biases. Weights are (Cout, Cin/groups, R, S); an inner
    // product's are (Cout, C, H, W) of the input as described.
    ref::Weights weights = WeightsOf(l);
    for (auto& b : weights.data) b = uint8_t(rng.Next());
    std::vector<int32_t> bias(l.out_c);
    for (auto& b : bias) b = int32_t(int64_t(rng.Range(0, 2048)) - 1024);
    if (l.global_avg_pool) {  // a sum per channel: weights 1, bias 0
      std::fill(weights.data.begin(), weights.data.end(), uint8_t(1));
      std::fill(bias.begin(), bias.end(), 0);
    }
    WarnOverflow(spec, weights);

    // Exact accumulators from the reference operators (written independently of the hardware's loop
    // nest), the calibrated parameters and the expected output (LayerReference, shared with the
    // network quantizer).
    auto accumulate = [&](const ref::Tensor& in) {
      LayerAccumulators sums = Accumulate(l, in, weights);
      if (sums.out_h != x.out_h || sums.out_w != x.out_w)
        throw std::logic_error("nnac: reference and lowering disagree on the output size");
      return sums;
    };
    const LayerAccumulators acc = accumulate(input);
    params = l.params;
    if (params.empty()) params = CalibrateLayer(l, acc, bias, act ? &*act : nullptr);
    auto finish = [&](const ref::Tensor& in, const LayerAccumulators& sums) {
      std::vector<uint8_t> out = LayerOutput(l, in, sums, params);
      if (out.size() != out_bytes) throw std::logic_error("nnac: reference and lowering disagree on the output");
      return out;
    };
    reference = finish(input, acc);
    for (const ref::Tensor& in : later_inputs) later_references.push_back(finish(in, accumulate(in)));

    wt_bytes = WeightBytes(l, weights, cfg);
    if (wt_bytes.size() != wt_size) throw std::logic_error("nnac: weight tiles and lowering disagree");
  }
  const std::vector<uint8_t> param_bytes = ParamBytes(params);

  auto dram_of = [&](uint64_t sram) { return sram - at.sram_base + at.dram_base; };

  // DRAM of frame f's input and output: frame 0 where its buffer's image is, the later frames
  // after the image of the SRAM.
  const uint64_t later_dram = AlignUp(dram_of(end_sram));
  auto in_dram = [&](uint32_t f) {
    return f == 0 ? dram_of(in_sram[0]) : later_dram + (f - 1) * AlignUp(in_bytes);
  };
  auto out_dram = [&](uint32_t f) {
    return f == 0 ? dram_of(out_sram[0]) : later_dram + (frames - 1) * AlignUp(in_bytes) + (f - 1) * AlignUp(out_bytes);
  };
  // A tile's whole tensor goes after the image of the SRAM.
  const uint64_t tiled_dram = later_dram;
  const uint64_t dram_end = l.in_tile ? tiled_dram + AlignUp(tiled.data.size())
                            : frames == 1 ? dram_of(AlignUp(end_sram))
                                          : out_dram(frames - 1) + AlignUp(out_bytes);

  // Program (docs/memory.md, "Frames and buffers"). The loads of the first frames' inputs and the
  // parameters and weights each set a flag of their own (0, 1, ... in program order); then per
  // frame f, in buffer b = f % buffers: the compute instruction waits for the parameters, the
  // weights, in_loaded[b] and a free output buffer (out_full[b] clear), clears in_loaded[b] and
  // sets out_full[b]; the load of frame f + buffers into the same input buffer waits until that
  // clear; the write of the output waits for out_full[b] and clears it.
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
    return read(sram, dram, in_lay.dma, in_lay.sram_stride, flag);
  };
  if (l.in_tile) {  // the window: planes of in_h rows of in_w bytes, strided in DRAM by the whole tensor
    const LayerSpec::Tile& t = *l.in_tile;
    prog.push_back(isa::MakeDma3d(isa::Opcode::kDmaRead, in_sram[0],
                                  tiled_dram + uint64_t(t.top) * t.width + t.left, l.in_w, l.in_h, l.in_w, t.width,
                                  l.in_c, in_lay.plane_stride, uint64_t(t.height) * t.width));
    in_loaded[0] = prog.back().dma.done_set = new_flag();
  } else {
    in_loaded[0] = read_input(in_sram[0], in_dram(0), new_flag());  // tensor a; ELTWISE's b the same way
  }
  if (elt) loaded |= read_input(in2_sram, dram_of(in2_sram), new_flag());
  prog.push_back(isa::MakeDma(isa::Opcode::kDmaRead, param_sram, dram_of(param_sram), param_bytes.size()));
  loaded |= prog.back().dma.done_set = new_flag();
  if (!simd_only) loaded |= read(wt_sram, dram_of(wt_sram), wt_dma, wt_dma.row_bytes, new_flag());
  for (uint32_t b = 1; b < buffers; ++b) in_loaded[b] = read_input(in_sram[b], in_dram(b), new_flag());
  for (auto& f : out_full) f = new_flag();
  if (next_flag > (uint64_t(1) << isa::kNumFlags))
    throw std::logic_error("nnac: the program needs more dependency flags than the ISA has");

  Operands at_sram;
  at_sram.in_addr = in_sram[0];
  at_sram.in2_addr = in2_sram;                // 0 but for ELTWISE
  at_sram.wt_addr = simd_only ? 0 : wt_sram;  // SCALE and ELTWISE read no weights
  at_sram.param_addr = param_sram;
  at_sram.out_addr = out_sram[0];
  at_sram.in_plane_stride = in_lay.plane_stride;
  at_sram.out_plane_stride = out_lay.plane_stride;
  const isa::Instruction dot = ComputeInstruction(d, l, x, SimdProgramOf(l, rescale ? &*rescale : nullptr), at_sram, cfg);
  for (uint32_t f = 0; f < frames; ++f) {
    const uint32_t b = f % buffers;
    isa::Instruction frame = dot;
    frame.compute.in_addr = in_sram[b];
    frame.compute.out_addr = out_sram[b];
    frame.compute.wait_set = loaded | in_loaded[b];
    frame.compute.wait_clear = out_full[b];
    frame.compute.done_set = out_full[b];
    frame.compute.done_clear = in_loaded[b];
    prog.push_back(frame);
    if (f + buffers < frames) {  // the next input for this buffer, once the compute has read it
      prog.back().dma.wait_clear = read_input(in_sram[b], in_dram(f + buffers), in_loaded[b]);
    }
    prog.push_back(isa::MakeDma(isa::Opcode::kDmaWrite, out_sram[b], out_dram(f), out_lay.dma.row_bytes,
                                out_lay.dma.rows, out_lay.sram_stride, out_lay.dma.row_bytes));
    prog.back().dma.wait_set = prog.back().dma.done_clear = out_full[b];
  }

  // Bundle.
  Bundle b;
  b.test = spec.name;
  b.config = cfg.name;
  b.prog_sram_addr = prog_sram;
  b.prog_dram_addr = dram_of(prog_sram);
  b.prog_words = prog_words;
  b.dram.assign(dram_end, 0);
  const std::vector<uint8_t> words =
      EncodeProgram(prog, std::vector<std::string>(prog.size(), spec.name), [&](size_t, const std::string& what) {
        d.Fail("layer", "does not fit the instruction fields: " + what);
      }, &b);
  if (words.size() != prog_words * isa::kWordBytes) throw std::logic_error("nnac: program size mismatch");
  auto place = [&](uint64_t dram, const std::vector<uint8_t>& bytes) {
    std::copy(bytes.begin(), bytes.end(), b.dram.begin() + long(dram));
  };
  place(dram_of(prog_sram), words);
  if (l.in_tile)
    place(tiled_dram, tiled.data);
  else
    place(in_dram(0), input.data);
  place(dram_of(param_sram), param_bytes);
  if (elt) place(dram_of(in2_sram), input_b.data);
  if (!simd_only) place(dram_of(wt_sram), wt_bytes);
  b.regions.push_back({"program", "program", dram_of(prog_sram), words.size(), {}, false});
  if (l.in_tile)  // the whole tensor (the layer reads its window)
    b.regions.push_back({"input", "input", tiled_dram, tiled.data.size(), {l.in_c, l.in_tile->height, l.in_tile->width},
                         l.in_signed});
  else
    b.regions.push_back({"input", "input", in_dram(0), input.data.size(), {l.in_c, l.in_h, l.in_w}, l.in_signed});
  if (elt)
    b.regions.push_back(
        {"input_b", "input", dram_of(in2_sram), input_b.data.size(), {l.in_c, l.in_h, l.in_w}, l.in_signed});
  b.regions.push_back({"params", "params", dram_of(param_sram), param_bytes.size(), {}, false});
  if (!simd_only)
    b.regions.push_back({"weights", "weights", dram_of(wt_sram), wt_bytes.size(), {}, l.wt_signed});
  b.regions.push_back({"output", "output", out_dram(0), reference.size(),
                       {l.out_c, uint32_t(x.res_h), uint32_t(x.res_w)}, l.out_signed});
  b.reference["output"] = std::move(reference);
  for (uint32_t f = 1; f < frames; ++f) {  // frame f's tensors: input_frame<f>, output_frame<f>
    const std::string n = "_frame" + std::to_string(f);
    place(in_dram(f), later_inputs[f - 1].data);
    b.regions.push_back({"input" + n, "input", in_dram(f), in_bytes, {l.in_c, l.in_h, l.in_w}, l.in_signed});
    b.regions.push_back(
        {"output" + n, "output", out_dram(f), out_bytes, {l.out_c, uint32_t(x.res_h), uint32_t(x.res_w)}, l.out_signed});
    b.reference["output" + n] = std::move(later_references[f - 1]);
  }
  b.macs = frames * isa::Macs(dot.compute);  // SCALE and ELTWISE: one per element and term (docs/architecture.md)
  b.sram_end = AlignUp(end_sram);
  return b;
}

std::vector<isa::SimdInstr> SimdProgramOf(const LayerSpec& l, const RescaleProgram* rescale) {
  if (rescale) return rescale->simd;
  if (l.simd.empty()) return {FusedReluInstr(l.relu, l.out_signed)};
  return l.simd;
}

isa::Instruction ComputeInstruction(const Doc& d, const LayerSpec& l, const Lowering& x,
                                    std::vector<isa::SimdInstr> simd, const Operands& at, const HwConfig& cfg) {
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
    d.Fail("layer.output.pool", "lowers to an instruction whose " + e->field + " " + std::to_string(e->value) +
                                    " the pooling unit rejects: " + e->why);
  return dot;
}

std::vector<uint8_t> EncodeProgram(std::vector<isa::Instruction>& prog, const std::vector<std::string>& layers,
                                   const std::function<void(size_t, const std::string&)>& fail, Bundle* b) {
  std::vector<uint8_t> words;
  for (size_t i = 0; i < prog.size(); ++i) {
    std::vector<uint8_t> w;
    try {
      w = isa::EncodeInstruction(prog[i]);
    } catch (const std::out_of_range& e) {
      fail(i, e.what());
      throw;  // fail throws its own error; this only keeps a lenient one from going on
    }
    words.insert(words.end(), w.begin(), w.end());
    prog[i].index = uint32_t(i);
    b->instrs.push_back({uint32_t(i), isa::ToString(prog[i].opcode), layers[i], isa::Disassemble(prog[i])});
  }
  return words;
}

std::vector<uint8_t> WeightBytes(const LayerSpec& l, const ref::Weights& w, const HwConfig& cfg) {
  return ref::PreorderWeights(w, uint32_t(cfg.array_rows), l.op == LayerOp::kInnerProduct ? 1 : l.groups);
}

std::vector<uint8_t> ParamBytes(const std::vector<ref::ChannelParams>& params) {
  std::vector<uint8_t> bytes(params.size() * isa::kParamBytes);
  for (size_t co = 0; co < params.size(); ++co) ref::PackParams(params[co], &bytes[co * isa::kParamBytes]);
  return bytes;
}

AvgMultiplier GlobalAvgMultiplier(uint64_t count, bool is_signed) {
  AvgMultiplier a;
  if (count == 0) return a;
  const auto mult = FusedReluMultiplier([count](int shift) {
    return ((static_cast<unsigned __int128>(1) << shift) + count / 2) / count;  // round(2^shift / count)
  });
  if (!mult) return a;
  a.scale = mult->scale, a.shift = mult->shift;
  // Every sum of `count` bytes, as ref::FusedRelu computes it (bias 0, no ReLU, zero point 0).
  ref::ChannelParams p;
  p.scale = a.scale, p.shift = a.shift;
  const int64_t lo = is_signed ? -128 : 0, hi = is_signed ? 127 : 255;
  for (int64_t sum = lo * int64_t(count); sum <= hi * int64_t(count); ++sum) {
    const int64_t got = ref::FusedRelu(int32_t(sum), p, false, !is_signed), want = ref::RoundedAverage(sum, count);
    if (got != want) {
      a.sum = sum, a.got = got, a.want = want;
      return a;
    }
  }
  a.exact = true;
  return a;
}

ref::Weights WeightsOf(const LayerSpec& l) {
  const bool ip = l.op == LayerOp::kInnerProduct;
  return ref::Weights(l.out_c, ip ? l.in_c : l.in_c / l.groups, ip ? l.in_h : l.kernel_h, ip ? l.in_w : l.kernel_w,
                      l.wt_signed);
}

ref::ConvGeometry GeometryOf(const LayerSpec& l) {
  ref::ConvGeometry g;
  g.stride_h = l.stride_h, g.stride_w = l.stride_w;
  g.dil_h = l.dil_h, g.dil_w = l.dil_w;
  g.pad_top = l.pad_top, g.pad_bottom = l.pad_bottom, g.pad_left = l.pad_left, g.pad_right = l.pad_right;
  g.groups = l.groups;
  g.out_pad_h = l.out_pad_h, g.out_pad_w = l.out_pad_w;
  return g;
}

LayerAccumulators Accumulate(const LayerSpec& l, const ref::Tensor& in, const ref::Weights& weights) {
  LayerAccumulators a;
  a.out_h = a.out_w = 1;
  const ref::ConvGeometry g = GeometryOf(l);
  a.acc = l.op == LayerOp::kConv     ? ref::Conv2d(in, weights, g, &a.out_h, &a.out_w)
          : l.op == LayerOp::kDeconv ? ref::Deconv2d(in, weights, g, &a.out_h, &a.out_w)
                                     : ref::InnerProduct(in, weights);
  return a;
}

std::vector<ref::ChannelParams> CalibrateLayer(const LayerSpec& l, const LayerAccumulators& a,
                                               const std::vector<int32_t>& bias, const ActProgram* act) {
  std::vector<ref::ChannelParams> params(l.out_c);
  if (l.global_avg_pool) {
    const AvgMultiplier avg = GlobalAvgMultiplier(uint64_t(l.in_h) * l.in_w, l.in_signed);
    ref::ChannelParams p;  // bias 0, zero point 0
    p.scale = avg.scale;
    p.shift = avg.shift;
    params.assign(l.out_c, p);
    return params;
  }
  // max |acc + bias| per channel -> 127 or 255. An inner product has one value per channel, which
  // would always land on the range's end: its channels share the layer's maximum instead.
  const uint64_t pixels = uint64_t(a.out_h) * a.out_w;
  const int64_t target = l.out_signed ? 127 : 255;
  std::vector<int64_t> max_abs(l.out_c, 0);
  for (uint32_t co = 0; co < l.out_c; ++co)
    for (uint64_t p = 0; p < pixels; ++p) {
      const int64_t t = int64_t(ref::Wrap30(a.acc[co * pixels + p])) + bias[co];
      max_abs[co] = std::max(max_abs[co], t < 0 ? -t : t);
    }
  if (pixels == 1) std::fill(max_abs.begin(), max_abs.end(), *std::max_element(max_abs.begin(), max_abs.end()));
  for (uint32_t co = 0; co < l.out_c; ++co) params[co] = Calibrate(max_abs[co], bias[co], target);
  if (act)
    for (auto& p : params) p = ChannelOf(l.activation->kind, *act, p);
  return params;
}

std::vector<uint8_t> LayerOutput(const LayerSpec& l, const ref::Tensor& in, const LayerAccumulators& a,
                                 const std::vector<ref::ChannelParams>& params) {
  const uint64_t pixels = uint64_t(a.out_h) * a.out_w;
  std::vector<uint8_t> out;
  if (l.global_avg_pool) {  // the definition: each plane's rounded average, not FUSED_RELU's formula
    const uint64_t count = uint64_t(l.in_h) * l.in_w;
    out.resize(l.out_c);
    for (uint32_t co = 0; co < l.out_c; ++co) {
      int64_t sum = 0;
      for (uint32_t h = 0; h < l.in_h; ++h)
        for (uint32_t w = 0; w < l.in_w; ++w) sum += in.At(co, h, w);
      out[co] = uint8_t(ref::RoundedAverage(sum, count));
    }
  } else if (l.simd.empty()) {
    out = ref::Requantize(a.acc, l.out_c, params, l.relu, !l.out_signed);
  } else {  // the program on every element, as each lane of each accumulator row runs it
    out.resize(a.acc.size());
    for (uint32_t co = 0; co < l.out_c; ++co)
      for (uint64_t p = 0; p < pixels; ++p)
        out[co * pixels + p] = simd::RunLane(l.simd, ref::Wrap30(a.acc[co * pixels + p]), params[co]);
  }
  if (l.pool) {  // the reference pooling of the convolution's output, after its activation
    ref::Tensor conv(l.out_c, a.out_h, a.out_w, l.out_signed);
    conv.data = std::move(out);
    const ref::PoolKind kind = l.pool->op == isa::PoolOp::kMax ? ref::PoolKind::kMax : ref::PoolKind::kAvg;
    out = ref::Pool2d(conv, kind, l.pool->size, l.pool->stride, l.pool->pad).data;
  }
  return out;
}

isa::SimdInstr FusedReluInstr(bool relu, bool out_signed) {
  isa::SimdInstr fr;  // FUSED_RELU v0, v0
  fr.op = isa::SimdOp::kFusedRelu;
  fr.flags = (relu ? 1u : 0u) | (out_signed ? 0u : 2u);
  return fr;
}

RescaleProgram LowerRescaledAdd(const LayerSpec::Rescale& r, bool relu, bool out_signed) {
  constexpr int kBits = 20;  // the larger of ka, kb is 2^20: |ka*a + kb*b| <= 510 * 2^20 < 2^29
  const double ra = r.a_scale / r.out_scale, rb = r.b_scale / r.out_scale, top = std::max(ra, rb);
  RescaleProgram p;
  const double ka = std::round(std::ldexp(ra / top, kBits)), kb = std::round(std::ldexp(rb / top, kBits));
  if (ka < 1 || kb < 1) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "a_scale / b_scale = %g is outside [2^-21, 2^21], where the smaller input's "
                  "weight would round to 0", r.a_scale / r.b_scale);
    throw CompileError(buf);
  }
  p.ka = int32_t(ka), p.kb = int32_t(kb);
  // scale * 2^-shift ~= top * 2^-20 (the output LSB per unit of ka*a + kb*b)
  const auto m = FusedReluMultiplier([&](int shift) { return std::round(std::ldexp(top, shift - kBits)); });
  if (!m) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "the output scale %g per input scale %g does not fit FUSED_RELU's 16-bit scale "
                  "and 6-bit shift", r.out_scale, std::max(r.a_scale, r.b_scale));
    throw CompileError(buf);
  }
  p.params.scale = m->scale, p.params.shift = m->shift;
  p.params.zero_point = int8_t(r.zero_point);
  auto instr = [](isa::SimdOp op, uint64_t dst, uint64_t a, uint64_t b, uint64_t imm = 0) {
    isa::SimdInstr i;
    i.op = op, i.dst = dst, i.src_a = a, i.src_b = b, i.imm = imm;
    i.dtype = isa::Dtype::kI32;
    return i;
  };
  // v1 = a, v2 = b (docs/architecture.md, "SIMD-only instructions")
  p.simd.push_back(instr(isa::SimdOp::kMovi, 3, 0, 0, uint64_t(uint32_t(p.ka))));  // v3 = ka
  p.simd.push_back(instr(isa::SimdOp::kMul, 3, 1, 3));                             // v3 = a * ka
  p.simd.push_back(instr(isa::SimdOp::kMovi, 4, 0, 0, uint64_t(uint32_t(p.kb))));  // v4 = kb
  p.simd.push_back(instr(isa::SimdOp::kMul, 4, 2, 4));                             // v4 = b * kb
  p.simd.push_back(instr(isa::SimdOp::kAdd, 0, 3, 4));                             // v0 = v3 + v4
  isa::SimdInstr fr = instr(isa::SimdOp::kFusedRelu, 0, 0, 0);                     // FUSED_RELU v0, v0
  fr.flags = (relu ? 1u : 0u) | (out_signed ? 0u : 2u);
  p.simd.push_back(fr);
  return p;
}

RescaleAccuracy MeasureRescaledAdd(const LayerSpec::Rescale& r, const RescaleProgram& p, bool in_signed, bool relu,
                                   bool out_signed) {
  RescaleAccuracy acc;
  const int32_t lo = in_signed ? -128 : 0, hi = in_signed ? 127 : 255;
  const double qlo = out_signed ? -128 : 0, qhi = out_signed ? 127 : 255;
  ref::Tensor a(1, 1, 1, in_signed), b(1, 1, 1, in_signed);
  for (int32_t va = lo; va <= hi; ++va)
    for (int32_t vb = lo; vb <= hi; ++vb) {
      a.data[0] = uint8_t(va), b.data[0] = uint8_t(vb);
      const uint8_t byte = ref::EltwiseRescaledAdd(a, b, p.ka, p.kb, {p.params}, relu, !out_signed)[0];
      const double got = out_signed ? double(int8_t(byte)) : double(byte);
      double real = (va * r.a_scale + vb * r.b_scale) / r.out_scale;
      if (relu) real = std::max(real, 0.0);
      real = std::clamp(real + r.zero_point, qlo, qhi);
      const double err = std::fabs(got - real);
      ++acc.pairs;
      if (err <= 0.5 + 1e-9) ++acc.nearest;  // a tie (up to the doubles' own rounding) accepts either neighbour
      if (err > acc.max_error_lsb) acc.max_error_lsb = err, acc.worst_a = va, acc.worst_b = vb;
    }
  return acc;
}

Bundle CompileTestFile(const fs::path& yaml, const HwConfig& cfg, std::optional<uint64_t> seed, const Placement& at) {
  TestSpec spec = ParseTestFile(yaml);
  if (seed) spec.seed = *seed;
  return Compile(spec, cfg, at);
}

std::string Summary(const Bundle& bundle, uint32_t index) {
  const isa::DecodedProgram prog = isa::DecodeProgram(bundle.ProgramBytes());
  if (index >= prog.instrs.size()) return "?";
  const isa::Instruction& in = prog.instrs[index];
  char buf[256];
  auto flags = [&](char* out, size_t size) {
    std::snprintf(out, size, "wait %#llx/%#llx done %#llx/%#llx", (unsigned long long)in.WaitSet(),
                  (unsigned long long)in.WaitClear(), (unsigned long long)in.DoneSet(),
                  (unsigned long long)in.DoneClear());
  };
  char f[96];
  flags(f, sizeof f);
  if (in.IsDma()) {
    const auto& d = in.dma;
    std::snprintf(buf, sizeof buf, "sram %#llx dram %#llx  %llu x %llu B  %s", (unsigned long long)d.sram_addr,
                  (unsigned long long)d.dram_addr, (unsigned long long)d.rows, (unsigned long long)d.row_bytes, f);
  } else if (in.opcode == isa::Opcode::kScale || in.opcode == isa::Opcode::kEltwise) {
    // No kernel, no weights: the tensor, ELTWISE's operation and its second tensor, the program.
    const auto& c = in.compute;
    char what[64] = "per-channel affine";
    if (in.opcode == isa::Opcode::kEltwise)
      std::snprintf(what, sizeof what, "a %s b (b at %#llx)", isa::ToString(c.eltwise_op),
                    (unsigned long long)c.in2_addr);
    std::snprintf(buf, sizeof buf, "%llux%llux%llu  %s  simd %llu  %llu x %llu tiles  %s", (unsigned long long)c.in_c,
                  (unsigned long long)c.in_h, (unsigned long long)c.in_w, what, (unsigned long long)c.simd_len,
                  (unsigned long long)c.pix_tiles, (unsigned long long)c.ch_tiles, f);
  } else {
    const auto& c = in.compute;
    std::snprintf(buf, sizeof buf, "%llux%llux%llu -> %llux%llux%llu k %llux%llu s %llux%llu g %llu  %llu x %llu tiles  %s",
                  (unsigned long long)c.in_c, (unsigned long long)c.in_h, (unsigned long long)c.in_w,
                  (unsigned long long)c.out_c, (unsigned long long)c.out_h, (unsigned long long)c.out_w,
                  (unsigned long long)c.kernel_h, (unsigned long long)c.kernel_w, (unsigned long long)c.stride_h,
                  (unsigned long long)c.stride_w, (unsigned long long)c.groups, (unsigned long long)c.pix_tiles,
                  (unsigned long long)c.ch_tiles, f);
    if (c.pool_op != isa::PoolOp::kNone) {  // the fused pool: op size/stride pad
      const size_t used = std::strlen(buf);
      std::snprintf(buf + used, sizeof buf - used, "  pool %s %llu/%llu p%llu", isa::ToString(c.pool_op),
                    (unsigned long long)c.pool_size, (unsigned long long)c.pool_stride,
                    (unsigned long long)c.pool_pad);
    }
  }
  return buf;
}

}  // namespace nna::compiler
