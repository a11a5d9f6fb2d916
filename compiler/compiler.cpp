#include "compiler/compiler.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "isa/program.h"
#include "ref/ref_ops.h"

namespace nna::compiler {
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kAlign = 64;          // SRAM and DRAM placement of every region
constexpr uint64_t kDramBase = 0x1000;   // DRAM image starts with a zero page: address 0 is never used
constexpr uint64_t kSramBase = 0;        // the program sits at SRAM 0

uint64_t AlignUp(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

std::string NodeText(const YAML::Node& n) {
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

// Strict, typed access to the test description; every error is one sentence naming the file
// and the dotted key.
class Doc {
 public:
  explicit Doc(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const std::string& key, const std::string& what) const {
    throw CompileError(file_ + ": key '" + key + "' " + what);
  }
  [[noreturn]] void Bad(const std::string& key, const std::string& must, const YAML::Node& got) const {
    Fail(key, "must be " + must + " (got " + NodeText(got) + ")");
  }

  // Rejects keys outside `known`.
  void OnlyKeys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& known) const {
    for (const auto& kv : map) {
      const std::string k = kv.first.as<std::string>();
      if (std::find(known.begin(), known.end(), k) != known.end()) continue;
      std::string list;
      for (const auto& s : known) list += (list.empty() ? "" : ", ") + s;
      Fail(Join(path, k), "is not known (known keys: " + list + ")");
    }
  }
  void NeedMap(const YAML::Node& n, const std::string& key) const {
    if (!n.IsMap()) Bad(key, "a map", n);
  }
  YAML::Node Need(const YAML::Node& map, const std::string& path, const std::string& key) const {
    const YAML::Node n = map[key];
    if (!n) Fail(Join(path, key), "is missing");
    return n;
  }
  int64_t Int(const YAML::Node& n, const std::string& key, int64_t lo, int64_t hi) const {
    int64_t v = 0;
    if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v) || v < lo || v > hi)
      Bad(key, "an integer " + std::to_string(lo) + ".." + std::to_string(hi), n);
    return v;
  }
  uint64_t Seed(const YAML::Node& n, const std::string& key) const {
    uint64_t v = 0;
    if (!n.IsScalar() || n.Scalar().empty() || n.Scalar()[0] == '-' || !YAML::convert<uint64_t>::decode(n, v))
      Bad(key, "a non-negative integer", n);
    return v;
  }
  bool Bool(const YAML::Node& n, const std::string& key) const {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) Bad(key, "true or false", n);
    return v;
  }
  std::string Str(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) Bad(key, "a string", n);
    return n.Scalar();
  }
  // An integer or a list of `count` integers (a single integer applies to all).
  std::vector<int64_t> IntOrList(const YAML::Node& n, const std::string& key, size_t count, int64_t lo,
                                 int64_t hi, const std::string& what) const {
    const std::string must = "an integer " + std::to_string(lo) + ".." + std::to_string(hi) + " or a list " +
                             what + " of them";
    std::vector<int64_t> out;
    int64_t v = 0;
    if (n.IsScalar()) {
      if (!YAML::convert<int64_t>::decode(n, v) || v < lo || v > hi) Bad(key, must, n);
      return std::vector<int64_t>(count, v);
    }
    if (!n.IsSequence() || n.size() != count) Bad(key, must, n);
    for (const auto& e : n) {
      if (!e.IsScalar() || !YAML::convert<int64_t>::decode(e, v) || v < lo || v > hi) Bad(key, must, n);
      out.push_back(v);
    }
    return out;
  }
  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// "vectors/x.yaml" for any path to x.yaml: the folder and the file name.
std::string ShownPath(const fs::path& p) {
  const fs::path parent = p.parent_path().filename();
  return parent.empty() ? p.filename().string() : (parent / p.filename()).string();
}

// Deterministic across platforms (std distributions are not): SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (the tiny modulo bias does not matter for test data).
  int64_t Range(int64_t lo, int64_t hi) { return lo + int64_t(Next() % uint64_t(hi - lo + 1)); }

 private:
  uint64_t s_;
};

// The scale and shift that map max_abs to about target: scale/2^shift ~= target/max_abs with the
// largest shift that keeps scale within 16 bits (most precision).
ref::ChannelParams Calibrate(int64_t max_abs, int32_t bias, int64_t target) {
  ref::ChannelParams p;
  p.bias = bias;
  if (max_abs == 0) return p;  // scale 1, shift 0: everything is 0 anyway
  for (int shift = 63; shift >= 0; --shift) {
    const unsigned __int128 num = (static_cast<unsigned __int128>(target) << shift) + uint64_t(max_abs) / 2;
    const unsigned __int128 scale = num / uint64_t(max_abs);
    if (scale <= 0xFFFF && scale > 0) {
      p.scale = uint16_t(scale);
      p.shift = uint8_t(shift);
      return p;
    }
  }
  return p;  // unreachable for 30-bit accumulators plus a small bias: shift 24 already fits
}

struct DmaShape {
  uint64_t rows, row_bytes;
};

// A dense block of c planes of plane bytes, as a 2-D DMA: one row per plane when a plane fits the
// row_bytes field, else one row per line.
DmaShape PlanarDma(const Doc& doc, const std::string& what, uint64_t c, uint64_t h, uint64_t w) {
  const uint64_t kMaxRowBytes = (1ull << 24) - 1, kMaxRows = 0xFFFF;
  if (h * w <= kMaxRowBytes && c <= kMaxRows) return {c, h * w};
  if (w <= kMaxRowBytes && c * h <= kMaxRows) return {c * h, w};
  doc.Fail("layer", "gives a " + what + " tensor of " + std::to_string(c) + "x" + std::to_string(h) + "x" +
                        std::to_string(w) + " that one DMA instruction cannot move (rows <= 65535, row_bytes < 2^24)");
}

}  // namespace

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

void ParseRoot(const YAML::Node& root, const fs::path& yaml, const Doc& d, TestSpec& spec) {
  if (!root.IsMap()) throw CompileError(spec.file + ": must be a map with keys name, doc, seed and layer");
  d.OnlyKeys(root, "", {"name", "doc", "seed", "layer"});
  spec.name = d.Str(d.Need(root, "", "name"), "name");
  if (spec.name != yaml.stem().string())
    d.Fail("name", "must equal the file name '" + yaml.stem().string() + "' (got '" + spec.name + "')");
  spec.doc = d.Str(d.Need(root, "", "doc"), "doc");
  spec.seed = d.Seed(d.Need(root, "", "seed"), "seed");

  const YAML::Node layer = d.Need(root, "", "layer");
  d.NeedMap(layer, "layer");
  d.OnlyKeys(layer, "layer",
             {"op", "input", "output_channels", "kernel", "stride", "dilation", "padding", "weights_signed", "output",
              "order"});
  ConvLayerSpec& l = spec.layer;
  const std::string op = d.Str(d.Need(layer, "layer", "op"), "layer.op");
  if (op != "conv") d.Bad("layer.op", "conv (the only layer this compiler knows)", layer["op"]);

  const YAML::Node input = d.Need(layer, "layer", "input");
  d.NeedMap(input, "layer.input");
  d.OnlyKeys(input, "layer.input", {"channels", "height", "width", "signed"});
  l.in_c = uint32_t(d.Int(d.Need(input, "layer.input", "channels"), "layer.input.channels", 1, 65535));
  l.in_h = uint32_t(d.Int(d.Need(input, "layer.input", "height"), "layer.input.height", 1, 65535));
  l.in_w = uint32_t(d.Int(d.Need(input, "layer.input", "width"), "layer.input.width", 1, 65535));
  if (input["signed"]) l.in_signed = d.Bool(input["signed"], "layer.input.signed");

  l.out_c = uint32_t(d.Int(d.Need(layer, "layer", "output_channels"), "layer.output_channels", 1, 65535));
  const auto k = d.IntOrList(d.Need(layer, "layer", "kernel"), "layer.kernel", 2, 1, 255, "[h, w]");
  l.kernel_h = uint32_t(k[0]);
  l.kernel_w = uint32_t(k[1]);
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
  if (layer["weights_signed"]) l.wt_signed = d.Bool(layer["weights_signed"], "layer.weights_signed");
  if (const YAML::Node out = layer["output"]) {
    d.NeedMap(out, "layer.output");
    d.OnlyKeys(out, "layer.output", {"signed", "relu"});
    if (out["signed"]) l.out_signed = d.Bool(out["signed"], "layer.output.signed");
    if (out["relu"]) l.relu = d.Bool(out["relu"], "layer.output.relu");
  }
  if (const YAML::Node order = layer["order"]) {
    const std::string o = d.Str(order, "layer.order");
    if (o == "pixel_major")
      l.order = isa::Order::kPixelMajor;
    else if (o == "channel_major")
      l.order = isa::Order::kChannelMajor;
    else
      d.Bad("layer.order", "pixel_major or channel_major", order);
  }
}

}  // namespace

Bundle Compile(const TestSpec& spec, const HwConfig& cfg) {
  const Doc d(spec.file);
  const ConvLayerSpec& l = spec.layer;
  const uint64_t m = cfg.array_rows, n = cfg.array_cols;

  // Shapes.
  ref::ConvGeometry g;
  g.stride_h = l.stride_h;
  g.stride_w = l.stride_w;
  g.dil_h = l.dil_h;
  g.dil_w = l.dil_w;
  g.pad_top = l.pad_top;
  g.pad_bottom = l.pad_bottom;
  g.pad_left = l.pad_left;
  g.pad_right = l.pad_right;
  const int64_t oh = ref::ConvOutSize(l.in_h, l.kernel_h, l.stride_h, l.dil_h, l.pad_top, l.pad_bottom);
  const int64_t ow = ref::ConvOutSize(l.in_w, l.kernel_w, l.stride_w, l.dil_w, l.pad_left, l.pad_right);
  if (oh < 1 || ow < 1)
    d.Fail("layer.kernel", "[" + std::to_string(l.kernel_h) + ", " + std::to_string(l.kernel_w) +
                               "] (with its dilation and padding) does not fit the " + std::to_string(l.in_h) + "x" +
                               std::to_string(l.in_w) + " input: the output would be " + std::to_string(oh) + "x" +
                               std::to_string(ow));
  const uint64_t out_h = uint64_t(oh), out_w = uint64_t(ow), pixels = out_h * out_w;
  const uint64_t dot_len = uint64_t(l.in_c) * l.kernel_h * l.kernel_w;
  const uint64_t pix_tiles = CeilDiv(pixels, n), ch_tiles = CeilDiv(l.out_c, m);
  const uint64_t wt_tile_bytes = dot_len * m;
  if (out_h > 0xFFFF || out_w > 0xFFFF)
    d.Fail("layer", "gives an output of " + std::to_string(out_h) + "x" + std::to_string(out_w) +
                        " pixels; out_h and out_w are 16-bit fields");
  if (pix_tiles > 0xFFFF)
    d.Fail("layer", "needs " + std::to_string(pix_tiles) + " pixel sections on '" + cfg.name +
                        "'; pix_tiles is a 16-bit field");
  if (wt_tile_bytes > 0xFFFFFFFFull || wt_tile_bytes > (1ull << 24) - 1)
    d.Fail("layer", "needs " + std::to_string(wt_tile_bytes) + " bytes per weight tile on '" + cfg.name +
                        "'; a DMA row holds less than 2^24");
  if (uint64_t(l.in_h) * l.in_w > 0xFFFFFFFFull || pixels > 0xFFFFFFFFull)
    d.Fail("layer", "has planes of more than 2^32 bytes, past the plane-stride fields");
  if (l.out_c > cfg.simd_param_entries)
    d.Fail("layer.output_channels", "must be at most simd.param_entries " + std::to_string(cfg.simd_param_entries) +
                                        " on '" + cfg.name + "' (got " + std::to_string(l.out_c) + ")");
  const uint64_t max_prod = uint64_t(l.in_signed ? 128 : 255) * (l.wt_signed ? 128 : 255);
  if (dot_len * max_prod >= (1ull << 29))
    std::cerr << "nnac: warning: " << spec.file << ": layer can overflow the 30-bit accumulator (dot_len " << dot_len
              << " x max |product| " << max_prod << " >= 2^29); the hardware wraps\n";

  // Placement (SRAM; DRAM is the same order shifted by kDramBase), checked before any data is made.
  const uint64_t in_bytes = uint64_t(l.in_c) * l.in_h * l.in_w, param_size = uint64_t(l.out_c) * isa::kParamBytes;
  const uint64_t wt_size = ch_tiles * wt_tile_bytes, out_bytes = uint64_t(l.out_c) * pixels;
  const uint64_t prog_words = 4 + isa::ComputeWords(1);
  const uint64_t prog_sram = kSramBase;
  const uint64_t in_sram = AlignUp(prog_sram + prog_words * isa::kWordBytes);
  const uint64_t param_sram = AlignUp(in_sram + in_bytes);
  const uint64_t wt_sram = AlignUp(param_sram + param_size);
  const uint64_t out_sram = AlignUp(wt_sram + wt_size);
  const uint64_t end_sram = out_sram + out_bytes;
  if (end_sram > cfg.sram_bytes)
    d.Fail("layer", "needs " + std::to_string(end_sram) + " bytes of SRAM (input " + std::to_string(in_bytes) +
                        ", weights " + std::to_string(wt_size) + ", output " + std::to_string(out_bytes) +
                        ") but configuration '" + cfg.name + "' has " + std::to_string(cfg.sram_bytes));

  // Seeded data: input, weights, then biases.
  Rng rng(spec.seed);
  ref::Tensor input(l.in_c, l.in_h, l.in_w, l.in_signed);
  for (auto& b : input.data) b = uint8_t(rng.Next());
  ref::Weights weights(l.out_c, l.in_c, l.kernel_h, l.kernel_w, l.wt_signed);
  for (auto& b : weights.data) b = uint8_t(rng.Next());
  std::vector<int32_t> bias(l.out_c);
  for (auto& b : bias) b = int32_t(rng.Range(-1024, 1024));

  // Quantization calibrated on the seeded input: max |acc + bias| per channel -> 127 or 255.
  uint32_t rh = 0, rw = 0;
  const std::vector<int64_t> acc = ref::Conv2d(input, weights, g, &rh, &rw);
  const int64_t target = l.out_signed ? 127 : 255;
  std::vector<ref::ChannelParams> params(l.out_c);
  for (uint32_t co = 0; co < l.out_c; ++co) {
    int64_t max_abs = 0;
    for (uint64_t p = 0; p < pixels; ++p) {
      const int64_t t = int64_t(ref::Wrap30(acc[co * pixels + p])) + bias[co];
      max_abs = std::max(max_abs, t < 0 ? -t : t);
    }
    params[co] = Calibrate(max_abs, bias[co], target);
  }
  std::vector<uint8_t> reference(size_t(l.out_c) * pixels);
  for (uint32_t co = 0; co < l.out_c; ++co)
    for (uint64_t p = 0; p < pixels; ++p)
      reference[co * pixels + p] =
          uint8_t(ref::FusedRelu(ref::Wrap30(acc[co * pixels + p]), params[co], l.relu, !l.out_signed));

  const std::vector<uint8_t> wt_bytes = ref::PreorderWeights(weights, uint32_t(m));
  std::vector<uint8_t> param_bytes(size_t(l.out_c) * isa::kParamBytes);
  for (uint32_t co = 0; co < l.out_c; ++co) ref::PackParams(params[co], &param_bytes[co * isa::kParamBytes]);

  auto dram_of = [](uint64_t sram) { return sram - kSramBase + kDramBase; };

  // Program.
  std::vector<isa::Instruction> prog;
  const DmaShape in_dma = PlanarDma(d, "input", l.in_c, l.in_h, l.in_w);
  prog.push_back(isa::MakeDma(isa::Opcode::kDmaRead, in_sram, dram_of(in_sram), in_dma.row_bytes, in_dma.rows,
                              in_dma.row_bytes, in_dma.row_bytes));
  prog.back().dma.done_set = 1 << 0;
  prog.push_back(isa::MakeDma(isa::Opcode::kDmaRead, param_sram, dram_of(param_sram), param_bytes.size()));
  prog.back().dma.done_set = 1 << 1;
  if (ch_tiles > 0xFFFF) d.Fail("layer.output_channels", "gives more than 65535 channel tiles");
  prog.push_back(isa::MakeDma(isa::Opcode::kDmaRead, wt_sram, dram_of(wt_sram), wt_tile_bytes, ch_tiles,
                              wt_tile_bytes, wt_tile_bytes));
  prog.back().dma.done_set = 1 << 2;

  isa::Instruction conv;
  conv.opcode = isa::Opcode::kConv;
  isa::ComputeInstr& c = conv.compute;
  c.opcode = isa::Opcode::kConv;
  c.wait_set = 0x7;
  c.done_set = 1 << 3;
  c.in_addr = in_sram;
  c.wt_addr = wt_sram;
  c.param_addr = param_sram;
  c.out_addr = out_sram;
  c.in_c = l.in_c;
  c.in_h = l.in_h;
  c.in_w = l.in_w;
  c.out_c = l.out_c;
  c.out_h = out_h;
  c.out_w = out_w;
  c.in_row_stride = l.in_w;
  c.in_plane_stride = uint64_t(l.in_h) * l.in_w;
  c.out_row_stride = out_w;
  c.out_plane_stride = pixels;
  c.kernel_h = l.kernel_h;
  c.kernel_w = l.kernel_w;
  c.stride_h = l.stride_h;
  c.stride_w = l.stride_w;
  c.dil_h = l.dil_h;
  c.dil_w = l.dil_w;
  c.pad_top = l.pad_top;
  c.pad_bottom = l.pad_bottom;
  c.pad_left = l.pad_left;
  c.pad_right = l.pad_right;
  c.groups = 1;
  c.in_signed = l.in_signed;
  c.wt_signed = l.wt_signed;
  c.out_signed = l.out_signed;
  c.order = l.order;
  c.dot_len = dot_len;
  c.pix_tiles = pix_tiles;
  c.ch_tiles = ch_tiles;
  c.wt_tile_bytes = wt_tile_bytes;
  isa::SimdInstr fr;  // FUSED_RELU v0, v0
  fr.op = isa::SimdOp::kFusedRelu;
  fr.flags = (l.relu ? 1u : 0u) | (l.out_signed ? 0u : 2u);
  conv.simd.push_back(fr);
  c.simd_len = conv.simd.size();
  prog.push_back(conv);

  const DmaShape out_dma = PlanarDma(d, "output", l.out_c, out_h, out_w);
  prog.push_back(isa::MakeDma(isa::Opcode::kDmaWrite, out_sram, dram_of(out_sram), out_dma.row_bytes, out_dma.rows,
                              out_dma.row_bytes, out_dma.row_bytes));
  prog.back().dma.wait_set = 1 << 3;

  // Bundle.
  Bundle b;
  b.test = spec.name;
  b.config = cfg.name;
  b.prog_sram_addr = prog_sram;
  b.prog_dram_addr = dram_of(prog_sram);
  b.prog_words = prog_words;
  b.dram.assign(dram_of(AlignUp(end_sram)), 0);
  std::vector<uint8_t> words;
  for (size_t i = 0; i < prog.size(); ++i) {
    std::vector<uint8_t> w;
    try {
      w = isa::EncodeInstruction(prog[i]);
    } catch (const std::out_of_range& e) {
      d.Fail("layer", std::string("does not fit the instruction fields: ") + e.what());
    }
    words.insert(words.end(), w.begin(), w.end());
    prog[i].index = uint32_t(i);
    b.instrs.push_back({uint32_t(i), isa::ToString(prog[i].opcode), spec.name, isa::Disassemble(prog[i])});
  }
  if (words.size() != prog_words * isa::kWordBytes) throw std::logic_error("nnac: program size mismatch");
  auto place = [&](uint64_t sram, const std::vector<uint8_t>& bytes) {
    std::copy(bytes.begin(), bytes.end(), b.dram.begin() + long(dram_of(sram)));
  };
  place(prog_sram, words);
  place(in_sram, input.data);
  place(param_sram, param_bytes);
  place(wt_sram, wt_bytes);
  b.regions.push_back({"program", "program", dram_of(prog_sram), words.size(), {}, false});
  b.regions.push_back({"input", "input", dram_of(in_sram), input.data.size(), {l.in_c, l.in_h, l.in_w}, l.in_signed});
  b.regions.push_back({"params", "params", dram_of(param_sram), param_bytes.size(), {}, false});
  b.regions.push_back({"weights", "weights", dram_of(wt_sram), wt_bytes.size(), {}, l.wt_signed});
  b.regions.push_back({"output", "output", dram_of(out_sram), reference.size(),
                       {l.out_c, uint32_t(out_h), uint32_t(out_w)}, l.out_signed});
  b.reference["output"] = std::move(reference);
  b.macs = pixels * l.out_c * dot_len;
  return b;
}

Bundle CompileTestFile(const fs::path& yaml, const HwConfig& cfg, std::optional<uint64_t> seed) {
  TestSpec spec = ParseTestFile(yaml);
  if (seed) spec.seed = *seed;
  return Compile(spec, cfg);
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
  } else {
    const auto& c = in.compute;
    std::snprintf(buf, sizeof buf, "%llux%llux%llu -> %llux%llux%llu k %llux%llu  %llu x %llu tiles  %s",
                  (unsigned long long)c.in_c, (unsigned long long)c.in_h, (unsigned long long)c.in_w,
                  (unsigned long long)c.out_c, (unsigned long long)c.out_h, (unsigned long long)c.out_w,
                  (unsigned long long)c.kernel_h, (unsigned long long)c.kernel_w, (unsigned long long)c.pix_tiles,
                  (unsigned long long)c.ch_tiles, f);
  }
  return buf;
}

}  // namespace nna::compiler
