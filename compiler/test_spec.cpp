#include "compiler/test_spec.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <string>

#include "compiler/yaml_doc.h"

namespace nna::compiler {
namespace fs = std::filesystem;
using CI = isa::ComputeInstr;  // field maxima of the compute instruction

namespace {
void ParseRoot(const YAML::Node& root, const fs::path& yaml, const Doc& d, TestSpec& spec);
}  // namespace

TestSpec ParseTestFile(const fs::path& yaml) {
  TestSpec spec;
  spec.file = ShownPath(yaml);
  const Doc d(spec.file);
  if (!fs::is_regular_file(yaml))
    throw CompileError(spec.file + ": test description not found at " + yaml.string());
  YAML::Node root;
  try {
    root = YAML::LoadFile(yaml.string());
  } catch (const YAML::Exception& e) {
    throw CompileError(spec.file + ": not valid YAML (" + ClipText(e.msg) + " at line " +
                       std::to_string(e.mark.line + 1) + ")");
  }
  try {
    ParseRoot(root, yaml, d, spec);
  } catch (const YAML::Exception& e) {
    throw CompileError(spec.file + ": unreadable content (" + e.msg + " at line " +
                       std::to_string(e.mark.line + 1) + ")");
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
    if (a.kind != Activation::kLeakyRelu)
      d.Fail(key + ".alpha", "applies to kind leaky_relu only (got kind " + k + ")");
    double v = 0;
    if (!alpha.IsScalar() || !YAML::convert<double>::decode(alpha, v) || !(v >= 0 && v <= 1))
      d.Bad(key + ".alpha", "a number in [0, 1]", alpha);
    a.quant.alpha = v;
  }
  return a;  // the compiler lowers it and names this key if no program meets the quantization
}

// layer.input: {channels, height, width, signed}, height and width at most max_hw.
void ParseInput(const Doc& d, const YAML::Node& layer, int64_t max_hw, LayerSpec& l) {
  const YAML::Node input = d.Need(layer, "layer", "input");
  d.NeedMap(input, "layer.input");
  d.OnlyKeys(input, "layer.input", {"channels", "height", "width", "signed", "tile"});
  l.in_c = uint32_t(d.Int(d.Need(input, "layer.input", "channels"), "layer.input.channels", 1, CI::kMaxInC));
  l.in_h = uint32_t(d.Int(d.Need(input, "layer.input", "height"), "layer.input.height", 1, max_hw));
  l.in_w = uint32_t(d.Int(d.Need(input, "layer.input", "width"), "layer.input.width", 1, max_hw));
  if (input["signed"]) l.in_signed = d.Bool(input["signed"], "layer.input.signed");
  if (const YAML::Node t = input["tile"]) {
    const std::string k = "layer.input.tile";
    d.NeedMap(t, k);
    d.OnlyKeys(t, k, {"height", "width", "top", "left"});
    LayerSpec::Tile tile;
    tile.height = uint32_t(d.Int(d.Need(t, k, "height"), k + ".height", l.in_h, CI::kMaxInH));
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
  for (const char* k : {"output_channels", "kernel", "stride", "dilation", "padding", "output_padding",
                        "groups", "weights_signed", "order"})
    if (layer[k])
      d.Fail(std::string("layer.") + k,
             "does not apply to op " + op +
                 " (no weights: the output has the input's channels, height and width)");
  if (!elt)
    for (const char* k : {"eltwise", "rescale"})
      if (layer[k]) d.Fail(std::string("layer.") + k, "applies to op eltwise only (got op scale)");
  if (elt)
    d.OnlyKeys(layer, "layer", {"op", "input", "eltwise", "rescale", "output"});
  else
    d.OnlyKeys(layer, "layer", {"op", "input", "output"});
  ParseInput(d, layer, CI::kMaxInH, l);
  l.out_c = l.groups = l.in_c;
  l.kernel_h = l.kernel_w = 1;
  l.wt_signed = false;
  if (const YAML::Node out = layer["output"]) {
    ParseOutputSign(d, out, l);
    for (const char* k : {"activation", "pool"})
      if (out[k])
        d.Fail(std::string("layer.output.") + k,
               "does not apply to op " + op + " (its output keys are signed and relu)");
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
      rs.zero_point = int32_t(
          d.Int(r["zero_point"], key + ".zero_point", l.out_signed ? -128 : 0, l.out_signed ? 127 : 255));
    l.rescale = rs;  // the compiler lowers it and names this key if no program meets the ratios
  }
}

// conv, deconv and inner_product: the keys their kind takes, the input, output channels, kernel
// geometry, groups and weight signedness.
void ParseDotProduct(const Doc& d, const YAML::Node& layer, LayerSpec& l) {
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
               {"op", "input", "output_channels", "kernel", "stride", "dilation", "padding", "pad_value",
                "groups", "weights_signed", "output", "order"});
  } else {
    d.OnlyKeys(layer, "layer",
               {"op", "input", "output_channels", "kernel", "stride", "dilation", "padding", "output_padding",
                "pad_value", "groups", "weights_signed", "output", "order"});
  }

  ParseInput(d, layer, CI::kMaxInH, l);

  l.out_c =
      uint32_t(d.Int(d.Need(layer, "layer", "output_channels"), "layer.output_channels", 1, CI::kMaxOutC));
  // An [h, w] pair (or one value for both) of 1..255 (the 8-bit fields) into h and w.
  const auto pair = [&](const YAML::Node& n, const std::string& key, uint32_t* h, uint32_t* w) {
    const auto v = d.IntOrList(n, "layer." + key, 2, 1, CI::kMaxKernelH, "[h, w]");
    *h = uint32_t(v[0]);
    *w = uint32_t(v[1]);
  };
  if (!ip) pair(d.Need(layer, "layer", "kernel"), "kernel", &l.kernel_h, &l.kernel_w);
  if (layer["stride"]) pair(layer["stride"], "stride", &l.stride_h, &l.stride_w);
  if (layer["dilation"]) pair(layer["dilation"], "dilation", &l.dil_h, &l.dil_w);
  if (layer["padding"]) {
    const auto p =
        d.IntOrList(layer["padding"], "layer.padding", 4, 0, CI::kMaxPadTop, "[top, bottom, left, right]");
    l.pad_top = uint32_t(p[0]);
    l.pad_bottom = uint32_t(p[1]);
    l.pad_left = uint32_t(p[2]);
    l.pad_right = uint32_t(p[3]);
  }
  if (layer["pad_value"]) l.pad_value = uint8_t(d.Int(layer["pad_value"], "layer.pad_value", 0, 255));
  if (layer["output_padding"]) {
    const auto p =
        d.IntOrList(layer["output_padding"], "layer.output_padding", 2, 0, CI::kMaxOutPadH, "[h, w]");
    l.out_pad_h = uint32_t(p[0]);
    l.out_pad_w = uint32_t(p[1]);
  }
  if (layer["groups"]) l.groups = uint32_t(d.Int(layer["groups"], "layer.groups", 1, CI::kMaxGroups));
  if (layer["weights_signed"]) l.wt_signed = d.Bool(layer["weights_signed"], "layer.weights_signed");
}

// layer.output's requant {fused, exact}, zero_point and multiplier (exact only).
void ParseRequant(const Doc& d, const YAML::Node& out, LayerSpec& l) {
  if (const YAML::Node r = out["requant"]) {
    const std::string v = d.Str(r, "layer.output.requant");
    if (v == "exact")
      l.requant = ref::RequantMode::kExact;
    else if (v != "fused")
      d.Bad("layer.output.requant", "fused or exact", r);
  }
  if (const YAML::Node z = out["zero_point"])
    l.out_zero_point =
        int32_t(d.Int(z, "layer.output.zero_point", l.out_signed ? -128 : 0, l.out_signed ? 127 : 255));
  if (const YAML::Node m = out["multiplier"]) {
    if (l.requant != ref::RequantMode::kExact)
      d.Fail("layer.output.multiplier", "applies to requant exact only (FUSED_RELU has a scale and shift)");
    const double v = Positive(d, m, "layer.output.multiplier");
    if (!std::isfinite(float(v)) || !(float(v) > 0))
      d.Bad("layer.output.multiplier", "a positive float32 number", m);
    l.multiplier = float(v);
  }
  if (out["zero_point"] && out["activation"])
    d.Fail("layer.output.zero_point",
           "cannot be given with layer.output.activation (the activation has a zero_point of its own)");
  if (l.requant == ref::RequantMode::kExact && out["activation"])
    d.Fail("layer.output.activation",
           "cannot be given with requant exact (the exact program is the layer's)");
}

// A dot-product layer's layer.output {signed, relu, activation, pool, requant, zero_point,
// multiplier} and layer.order.
void ParseDotOutput(const Doc& d, const YAML::Node& layer, LayerSpec& l) {
  if (const YAML::Node out = layer["output"]) {
    ParseOutputSign(d, out, l);
    d.OnlyKeys(out, "layer.output",
               {"signed", "relu", "activation", "pool", "requant", "zero_point", "multiplier", "lut"});
    ParseRequant(d, out, l);
    if (const YAML::Node act = out["activation"]) {
      if (out["relu"])
        d.Fail("layer.output.relu",
               "cannot be given with layer.output.activation (use activation kind relu or none)");
      l.relu = false;
      l.activation = ParseActivation(d, act, l.out_signed);
    }
    if (const YAML::Node pool = out["pool"]) {
      if (l.op != LayerOp::kConv)
        d.Fail("layer.output.pool",
               std::string("applies to op conv only: the pooling unit follows a CONV (got op ") +
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

void ParseRoot(const YAML::Node& root, const fs::path& yaml, const Doc& d, TestSpec& spec) {
  if (!root.IsMap()) throw CompileError(spec.file + ": must be a map with keys name, doc, seed and layer");
  d.NoDuplicateKeys(root);
  d.OnlyKeys(root, "", {"name", "doc", "seed", "layer", "frames", "buffers", "plane_padding", "data"});
  spec.name = d.Str(d.Need(root, "", "name"), "name");
  if (spec.name != yaml.stem().string())
    d.Fail("name",
           "must equal the file name '" + yaml.stem().string() + "' (got '" + ClipText(spec.name) + "')");
  spec.doc = d.Str(d.Need(root, "", "doc"), "doc");
  spec.seed = d.Seed(d.Need(root, "", "seed"), "seed");
  if (const YAML::Node f = root["frames"]) spec.frames = uint32_t(d.Int(f, "frames", 1, kMaxFrames));
  if (const YAML::Node b = root["buffers"]) spec.buffers = uint32_t(d.Int(b, "buffers", 1, kMaxBuffers));
  if (const YAML::Node p = root["plane_padding"]) spec.plane_padding = d.Bool(p, "plane_padding");
  if (const YAML::Node data = root["data"]) {
    const std::string v = d.Str(data, "data");
    if (v == "high")
      spec.data_high = true;
    else if (v != "random")
      d.Bad("data", "random or high", data);
  }
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
    ParseInput(d, layer, CI::kMaxKernelH, l);  // the plane is the kernel
    l.op = LayerOp::kConv;
    l.out_c = l.groups = l.in_c;
    l.kernel_h = l.in_h, l.kernel_w = l.in_w;
    l.wt_signed = true;
    l.out_signed = l.in_signed;
    l.relu = false;
    return;
  }
  ParseDotProduct(d, layer, l);
  ParseDotOutput(d, layer, l);
  // layer.output.lut: random (a seeded table after the layer's program, docs/simd.md "The table").
  if (const YAML::Node out = layer["output"])
    if (const YAML::Node lut = out["lut"]) {
      if (d.Str(lut, "layer.output.lut") != "random") d.Bad("layer.output.lut", "random", lut);
      spec.lut_random = true;
    }
}

}  // namespace

const char* ToString(LayerOp op) {
  switch (op) {
    case LayerOp::kConv:
      return "conv";
    case LayerOp::kDeconv:
      return "deconv";
    case LayerOp::kInnerProduct:
      return "inner_product";
    case LayerOp::kScale:
      return "scale";
    case LayerOp::kEltwise:
      return "eltwise";
  }
  return "?";
}

}  // namespace nna::compiler
