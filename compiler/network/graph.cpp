#include "compiler/network/graph.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "compiler/layer_quant.h"
#include "compiler/yaml_doc.h"
#include "ref/ref_ops.h"

namespace nna::compiler::network {
namespace fs = std::filesystem;
using CI = isa::ComputeInstr;  // field maxima of the compute instruction

const char* ToString(Op op) {
  switch (op) {
    case Op::kConv:
      return "conv";
    case Op::kDeconv:
      return "deconv";
    case Op::kInnerProduct:
      return "inner_product";
    case Op::kMaxPool:
      return "max_pool";
    case Op::kAvgPool:
      return "avg_pool";
    case Op::kGlobalAvgPool:
      return "global_avg_pool";
    case Op::kAdd:
      return "add";
    case Op::kConcat:
      return "concat";
  }
  return "?";
}

int Network::Find(const std::string& layer) const {
  if (layer == "input") return kInput;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == layer) return int(i);
  throw CompileError(file + ": no layer '" + layer + "' in network " + name);
}

std::vector<std::vector<int>> Network::Consumers() const {
  std::vector<std::vector<int>> c(layers.size());
  for (size_t i = 0; i < layers.size(); ++i)
    for (const int in : layers[i].inputs)
      if (in != kInput) c[size_t(in)].push_back(int(i));
  return c;
}

std::vector<std::string> KnownNetworks(const fs::path& vectors_dir) {
  return DescriptionNames(vectors_dir / "networks");
}

fs::path FindNetwork(const std::string& name, const fs::path& vectors_dir) {
  const fs::path p = vectors_dir / "networks" / (name + ".yaml");
  std::error_code ec;  // a name too long for the file system is just not found
  if (fs::is_regular_file(p, ec)) return p;
  std::string known;
  for (const auto& n : KnownNetworks(vectors_dir)) known += (known.empty() ? "" : ", ") + n;
  throw CompileError("no network '" + ClipText(name) + "' in " + (vectors_dir / "networks").string() +
                     " (known: " + (known.empty() ? "none" : known) + ")");
}

namespace {

constexpr Op kOps[] = {Op::kConv,    Op::kDeconv,        Op::kInnerProduct, Op::kMaxPool,
                       Op::kAvgPool, Op::kGlobalAvgPool, Op::kAdd,          Op::kConcat};

std::string ShapeText(const Shape& s) {
  return std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

bool HasWeights(Op op) { return op == Op::kConv || op == Op::kDeconv || op == Op::kInnerProduct; }

// Union-find over the tensors (kInput is slot 0, layer i slot i + 1).
struct Groups {
  std::vector<size_t> parent;
  explicit Groups(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), size_t(0)); }
  size_t Find(size_t a) { return parent[a] == a ? a : parent[a] = Find(parent[a]); }
  void Join(int a, int b) { parent[Find(size_t(a + 1))] = Find(size_t(b + 1)); }
};

class Parser {
 public:
  Parser(const std::string& file, Network& net) : d_(file), net_(net) {}

  void Root(const YAML::Node& root, const std::string& stem) {
    if (!root.IsMap())
      throw CompileError(d_.file() + ": must be a map with keys name, doc, seed, input, layers and outputs");
    d_.NoDuplicateKeys(root);
    d_.OnlyKeys(root, "", {"name", "doc", "seed", "input", "layers", "outputs"});
    net_.name = d_.Str(d_.Need(root, "", "name"), "name");
    if (!stem.empty() && net_.name != stem)
      d_.Fail("name", "must equal the file name '" + stem + "' (got '" + ClipText(net_.name) + "')");
    net_.doc = d_.Str(d_.Need(root, "", "doc"), "doc");
    net_.seed = d_.Seed(d_.Need(root, "", "seed"), "seed");
    const YAML::Node in = d_.Need(root, "", "input");
    d_.NeedMap(in, "input");
    d_.OnlyKeys(in, "input", {"channels", "height", "width", "signed"});
    net_.input.c = uint32_t(d_.Int(d_.Need(in, "input", "channels"), "input.channels", 1, CI::kMaxInC));
    net_.input.h = uint32_t(d_.Int(d_.Need(in, "input", "height"), "input.height", 1, CI::kMaxInH));
    net_.input.w = uint32_t(d_.Int(d_.Need(in, "input", "width"), "input.width", 1, CI::kMaxInW));
    if (in["signed"]) net_.input_signed = d_.Bool(in["signed"], "input.signed");

    const YAML::Node layers = d_.Need(root, "", "layers");
    if (!layers.IsSequence() || layers.size() == 0) d_.Bad("layers", "a non-empty list of layers", layers);
    for (size_t i = 0; i < layers.size(); ++i)  // every name, to tell a later layer from a missing one
      if (layers[i].IsMap() && layers[i]["name"] && layers[i]["name"].IsScalar())
        later_.emplace(layers[i]["name"].Scalar(), int(i));
    for (size_t i = 0; i < layers.size(); ++i) Layer(layers[i], i);

    const YAML::Node outs = d_.Need(root, "", "outputs");
    if (!outs.IsSequence() || outs.size() == 0) d_.Bad("outputs", "a non-empty list of layer names", outs);
    for (const auto& o : outs) {
      const int t = Lookup(d_.Str(o, "outputs"), "outputs", int(net_.layers.size()));
      if (t == kInput) d_.Fail("outputs", "names the network's input, which is not a layer's output");
      if (std::find(net_.outputs.begin(), net_.outputs.end(), t) != net_.outputs.end())
        d_.Fail("outputs", "names layer '" + net_.NameOf(t) + "' twice");
      net_.outputs.push_back(t);
    }
    Signedness();
  }

 private:
  // The tensor a name refers to, for the layer at `index` (a name defined later would be a cycle).
  int Lookup(const std::string& name, const std::string& key, int index) const {
    if (name == "input") return kInput;
    const auto it = index_.find(name);
    if (it != index_.end() && it->second < index) return it->second;
    const auto at = later_.find(name);
    if (at != later_.end() && at->second >= index)
      d_.Fail(key, "names layer '" + name + "', which " +
                       (at->second == index ? "is this layer itself" : "comes later in the file") +
                       ": a layer reads only earlier layers, so the graph has no cycle");
    d_.Fail(key, "names '" + name + "', which is neither 'input' nor a layer of this network");
  }

  // The layer's inputs: `inputs` (add: exactly two, concat: two or more), else `input` (one), else
  // the previous layer (the network's input for the first).
  void Inputs(const YAML::Node& n, const std::string& path, network::Layer& l, int index) {
    const bool many = l.op == Op::kAdd || l.op == Op::kConcat;
    if (n["input"] && n["inputs"])
      d_.Fail(path + ".inputs", "cannot be given with input (one of them names the inputs)");
    if (many) {
      const YAML::Node ins = d_.Need(n, path, "inputs");
      const std::string must =
          l.op == Op::kAdd ? "a list of two layer names" : "a list of two or more layer names";
      if (!ins.IsSequence() || ins.size() < 2 || (l.op == Op::kAdd && ins.size() != 2))
        d_.Bad(path + ".inputs", must, ins);
      for (const auto& e : ins)
        l.inputs.push_back(Lookup(d_.Str(e, path + ".inputs"), path + ".inputs", index));
      return;
    }
    if (n["inputs"])
      d_.Fail(path + ".inputs", std::string("applies to ops add and concat only (op ") + ToString(l.op) +
                                    " reads one tensor: use input)");
    if (const YAML::Node in = n["input"])
      l.inputs.push_back(Lookup(d_.Str(in, path + ".input"), path + ".input", index));
    else
      l.inputs.push_back(index - 1);  // the previous layer; kInput for the first
  }

  // The keys a layer of op takes.
  static std::vector<std::string> KeysOf(Op op) {
    std::vector<std::string> keys = {"name", "op", "input", "inputs"};
    switch (op) {
      case Op::kConv:
        keys.insert(keys.end(), {"out", "kernel", "stride", "dilation", "padding", "groups", "act", "alpha"});
        break;
      case Op::kDeconv:
        keys.insert(keys.end(), {"out", "kernel", "stride", "dilation", "padding", "output_padding", "groups",
                                 "act", "alpha"});
        break;
      case Op::kInnerProduct:
        keys.insert(keys.end(), {"out", "act", "alpha"});
        break;
      case Op::kMaxPool:
      case Op::kAvgPool:
        keys.insert(keys.end(), {"size", "stride", "pad"});
        break;
      case Op::kAdd:
        keys.insert(keys.end(), {"act"});
        break;
      case Op::kGlobalAvgPool:
      case Op::kConcat:
        break;
    }
    return keys;
  }

  // A conv's or deconv's channels, kernel geometry and groups, checked against its input.
  void ConvShape(const YAML::Node& n, const std::string& path, const Shape& in, network::Layer& l) const {
    l.out_c = uint32_t(d_.Int(d_.Need(n, path, "out"), path + ".out", 1, CI::kMaxOutC));
    const auto k =
        d_.IntOrList(d_.Need(n, path, "kernel"), path + ".kernel", 2, 1, CI::kMaxKernelH, "[h, w]");
    l.kernel_h = uint32_t(k[0]), l.kernel_w = uint32_t(k[1]);
    if (n["stride"]) {
      const auto s = d_.IntOrList(n["stride"], path + ".stride", 2, 1, CI::kMaxStrideH, "[h, w]");
      l.stride_h = uint32_t(s[0]), l.stride_w = uint32_t(s[1]);
    }
    if (n["dilation"]) {
      const auto s = d_.IntOrList(n["dilation"], path + ".dilation", 2, 1, CI::kMaxDilH, "[h, w]");
      l.dil_h = uint32_t(s[0]), l.dil_w = uint32_t(s[1]);
    }
    if (n["padding"]) {
      const auto p =
          d_.IntOrList(n["padding"], path + ".padding", 4, 0, CI::kMaxPadTop, "[top, bottom, left, right]");
      l.pad_top = uint32_t(p[0]), l.pad_bottom = uint32_t(p[1]), l.pad_left = uint32_t(p[2]),
      l.pad_right = uint32_t(p[3]);
    }
    if (n["output_padding"]) {
      const auto p =
          d_.IntOrList(n["output_padding"], path + ".output_padding", 2, 0, CI::kMaxOutPadH, "[h, w]");
      l.out_pad_h = uint32_t(p[0]), l.out_pad_w = uint32_t(p[1]);
    }
    if (n["groups"]) l.groups = uint32_t(d_.Int(n["groups"], path + ".groups", 1, CI::kMaxGroups));
    if (in.c % l.groups != 0 || l.out_c % l.groups != 0)
      d_.Fail(path + ".groups", "must divide the input channels " + std::to_string(in.c) +
                                    " and the output channels " + std::to_string(l.out_c) + " (got " +
                                    std::to_string(l.groups) + ")");
    int64_t oh = 0, ow = 0;
    if (l.op == Op::kConv) {
      oh = ref::ConvOutSize(in.h, l.kernel_h, l.stride_h, l.dil_h, l.pad_top, l.pad_bottom);
      ow = ref::ConvOutSize(in.w, l.kernel_w, l.stride_w, l.dil_w, l.pad_left, l.pad_right);
      if (oh < 1 || ow < 1)
        d_.Fail(path + ".kernel", "[" + std::to_string(l.kernel_h) + ", " + std::to_string(l.kernel_w) +
                                      "] (with its dilation and padding) does not fit the " + ShapeText(in) +
                                      " input: the output would be " + std::to_string(oh) + "x" +
                                      std::to_string(ow));
    } else {
      auto upsampling = [](uint32_t s) { return s == 1 || s == 2 || s == 4 || s == 8; };
      if (!upsampling(l.stride_h) || !upsampling(l.stride_w))
        d_.Fail(path + ".stride", "must be 1, 2, 4 or 8 for op deconv (got [" + std::to_string(l.stride_h) +
                                      ", " + std::to_string(l.stride_w) + "])");
      if (l.out_pad_h >= std::max(l.stride_h, l.dil_h) || l.out_pad_w >= std::max(l.stride_w, l.dil_w))
        d_.Fail(path + ".output_padding", "must be less than max(stride, dilation) of its axis (got [" +
                                              std::to_string(l.out_pad_h) + ", " +
                                              std::to_string(l.out_pad_w) + "])");
      oh = ref::DeconvOutSize(in.h, l.kernel_h, l.stride_h, l.dil_h, l.pad_top, l.pad_bottom, l.out_pad_h);
      ow = ref::DeconvOutSize(in.w, l.kernel_w, l.stride_w, l.dil_w, l.pad_left, l.pad_right, l.out_pad_w);
      if (oh < 1 || ow < 1)
        d_.Fail(path + ".padding", "crops the whole output of the transposed convolution of the " +
                                       ShapeText(in) + " input: it would be " + std::to_string(oh) + "x" +
                                       std::to_string(ow));
    }
    if (oh > int64_t(CI::kMaxOutH) || ow > int64_t(CI::kMaxOutW))
      d_.Fail(path, "gives an output of " + std::to_string(oh) + "x" + std::to_string(ow) +
                        " pixels; out_h and out_w are 16-bit fields");
    l.conv_h = uint32_t(oh), l.conv_w = uint32_t(ow);
    l.out = {l.out_c, l.conv_h, l.conv_w};
  }

  // The output shape of the layers without a kernel, checked against their inputs.
  void OtherShape(const YAML::Node& n, const std::string& path, const Shape& in, network::Layer& l) const {
    if (l.op == Op::kInnerProduct) {
      l.out_c = uint32_t(d_.Int(d_.Need(n, path, "out"), path + ".out", 1, CI::kMaxOutC));
      l.out = {l.out_c, 1, 1};
    } else if (l.op == Op::kMaxPool || l.op == Op::kAvgPool) {
      l.pool_size = uint32_t(d_.Int(d_.Need(n, path, "size"), path + ".size", 1, CI::kMaxKernelH));
      l.pool_stride =
          n["stride"] ? uint32_t(d_.Int(n["stride"], path + ".stride", 1, CI::kMaxStrideH)) : l.pool_size;
      if (n["pad"]) l.pool_pad = uint32_t(d_.Int(n["pad"], path + ".pad", 0, l.pool_size / 2));
      if (in.h + 2 * l.pool_pad < l.pool_size || in.w + 2 * l.pool_pad < l.pool_size)
        d_.Fail(path + ".size", std::to_string(l.pool_size) + " (with pad " + std::to_string(l.pool_pad) +
                                    ") does not fit the " + ShapeText(in) + " input");
      l.out = {in.c, (in.h + 2 * l.pool_pad - l.pool_size) / l.pool_stride + 1,
               (in.w + 2 * l.pool_pad - l.pool_size) / l.pool_stride + 1};
    } else if (l.op == Op::kGlobalAvgPool) {
      if (in.h > CI::kMaxKernelH || in.w > CI::kMaxKernelW)
        d_.Fail(path + ".input", "has " + ShapeText(in) +
                                     " planes; global_avg_pool runs as a conv whose kernel is "
                                     "the plane, at most " +
                                     std::to_string(CI::kMaxKernelH) + "x" + std::to_string(CI::kMaxKernelW) +
                                     " (the kernel fields)");
      l.out = {in.c, 1, 1};
    } else if (l.op == Op::kAdd) {
      const Shape b = net_.ShapeOf(l.inputs[1]);
      if (b.c != in.c || b.h != in.h || b.w != in.w)
        d_.Fail(path + ".inputs", "adds '" + net_.NameOf(l.inputs[0]) + "' (" + ShapeText(in) + ") and '" +
                                      net_.NameOf(l.inputs[1]) + "' (" + ShapeText(b) +
                                      "), which differ in shape");
      l.out = in;
    } else {  // concat: channels after channels
      l.out = {0, in.h, in.w};
      for (const int t : l.inputs) {
        const Shape s = net_.ShapeOf(t);
        if (s.h != in.h || s.w != in.w)
          d_.Fail(path + ".inputs", "concatenates '" + net_.NameOf(l.inputs[0]) + "' (" + ShapeText(in) +
                                        ") and '" + net_.NameOf(t) + "' (" + ShapeText(s) +
                                        "), whose planes differ");
        l.out.c += s.c;
      }
      if (l.out.c > CI::kMaxOutC)
        d_.Fail(path + ".inputs",
                "give " + std::to_string(l.out.c) + " channels, past " + std::to_string(CI::kMaxOutC));
    }
  }

  void Layer(const YAML::Node& n, size_t i) {
    const std::string at = "layers[" + std::to_string(i) + "]";
    d_.NeedMap(n, at);
    const std::string name = d_.Str(d_.Need(n, at, "name"), at + ".name");
    if (name.empty() || name == "input") d_.Bad(at + ".name", "a name other than 'input'", n["name"]);
    const std::string path = "layers." + name;  // messages name the layer from here on
    if (index_.count(name))
      d_.Fail(path + ".name", "is given to two layers ('" + name + "' is layers[" +
                                  std::to_string(index_.at(name)) + "] and " + at + ")");
    network::Layer l;
    l.name = name;
    const YAML::Node op = d_.Need(n, path, "op");
    const std::string o = d_.Str(op, path + ".op");
    bool found = false;
    std::string names;
    for (const Op c : kOps) {
      names += (names.empty() ? "" : ", ") + std::string(ToString(c));
      if (o == ToString(c)) l.op = c, found = true;
    }
    if (!found) d_.Bad(path + ".op", "one of " + names, op);

    d_.OnlyKeys(n, path, KeysOf(l.op));
    Inputs(n, path, l, int(i));
    if (HasWeights(l.op) || l.op == Op::kAdd) Act(n, path, l);
    const Shape in = net_.ShapeOf(l.inputs[0]);

    if (l.op == Op::kConv || l.op == Op::kDeconv)
      ConvShape(n, path, in, l);
    else
      OtherShape(n, path, in, l);
    index_[name] = int(i);
    paths_.push_back(path);
    net_.layers.push_back(std::move(l));
  }

  // act: required on the layers that requantize; add takes none or relu (FUSED_RELU's flag, also
  // in the rescaled add's program, docs/networks.md).
  void Act(const YAML::Node& n, const std::string& path, network::Layer& l) {
    const YAML::Node act = d_.Need(n, path, "act");
    const std::string k = d_.Str(act, path + ".act");
    std::string names;
    bool found = false;
    for (const Activation c : kActivations) {
      if (c == Activation::kRequant) continue;  // a re-targeting, not an activation of a network
      if (l.op == Op::kAdd && c != Activation::kNone && c != Activation::kRelu) continue;
      names += (names.empty() ? "" : ", ") + std::string(ToString(c));
      if (k == ToString(c)) l.act = c, found = true;
    }
    if (!found) d_.Bad(path + ".act", "one of " + names + " for op " + ToString(l.op), act);
    if (const YAML::Node alpha = n["alpha"]) {
      if (l.act != Activation::kLeakyRelu)
        d_.Fail(path + ".alpha", "applies to act leaky_relu only (got act " + k + ")");
      double v = 0;
      if (!alpha.IsScalar() || !YAML::convert<double>::decode(alpha, v) || !(v >= 0 && v <= 1))
        d_.Bad(path + ".alpha", "a number in [0, 1]", alpha);
      l.alpha = v;
    }
  }

  // docs/networks.md, "Signedness": a tensor is uint8 when no value of it can be negative and
  // every tensor it must share a type with can be uint8 too; the input is as the file says.
  void Signedness() {
    const size_t n = net_.layers.size();
    Groups same(n + 1);
    for (size_t i = 0; i < n; ++i) {
      const network::Layer& l = net_.layers[i];
      switch (l.op) {
        case Op::kMaxPool:
        case Op::kAvgPool:
        case Op::kGlobalAvgPool:
          same.Join(int(i), l.inputs[0]);
          break;  // the output keeps the type
        case Op::kConcat:
          for (const int t : l.inputs) same.Join(int(i), t);
          break;
        case Op::kAdd:
          same.Join(l.inputs[0], l.inputs[1]);
          break;  // ELTWISE reads one type
        default:
          break;
      }
    }
    // Per group: may it be uint8 (every member non-negative), must it be (the unsigned input)?
    std::vector<char> may(n + 1, 1), must(n + 1, 0);
    for (size_t i = 0; i < n; ++i) {
      const network::Layer& l = net_.layers[i];
      if (!HasWeights(l.op) && l.op != Op::kAdd) continue;  // pools and concat follow their inputs
      if (l.act != Activation::kRelu && l.act != Activation::kRelu6) may[same.Find(i + 1)] = 0;
    }
    const size_t in_group = same.Find(0);
    if (net_.input_signed)
      may[in_group] = 0;
    else
      must[in_group] = 1;
    if (must[in_group] && !may[in_group]) {
      for (size_t i = 0; i < n; ++i)
        if (same.Find(i + 1) == in_group &&
            (HasWeights(net_.layers[i].op) || net_.layers[i].op == Op::kAdd) &&
            net_.layers[i].act != Activation::kRelu && net_.layers[i].act != Activation::kRelu6)
          d_.Fail(paths_[i] + ".act",
                  "gives an int8 tensor that must share its type with the uint8 input "
                  "(input.signed false) through pools, concat or add (got act " +
                      std::string(ToString(net_.layers[i].act)) + ")");
    }
    for (size_t i = 0; i < n; ++i) net_.layers[i].out_signed = !may[same.Find(i + 1)];

    // A global average pool's divider must be exact for its type (docs/pooling.md).
    for (size_t i = 0; i < n; ++i) {
      const network::Layer& l = net_.layers[i];
      if (l.op != Op::kGlobalAvgPool) continue;
      const Shape in = net_.ShapeOf(l.inputs[0]);
      const AvgMultiplier avg = GlobalAvgMultiplier(uint64_t(in.h) * in.w, l.out_signed);
      if (!avg.exact)
        d_.Fail(paths_[i] + ".input", "has " + std::to_string(in.h) + "x" + std::to_string(in.w) +
                                          " planes whose average FUSED_RELU cannot round exactly (scale " +
                                          std::to_string(avg.scale) + ", shift " + std::to_string(avg.shift) +
                                          " gives " + std::to_string(avg.got) + " for the sum " +
                                          std::to_string(avg.sum) + ", not " + std::to_string(avg.want) +
                                          ")");
    }
  }

  Doc d_;
  Network& net_;
  std::map<std::string, int> index_, later_;
  std::vector<std::string> paths_;
};

Network Parse(const std::string& text, const std::string& file, const std::string& stem) {
  Network net;
  net.file = file;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw CompileError(file + ": not valid YAML (" + ClipText(e.msg) + " at line " +
                       std::to_string(e.mark.line + 1) + ")");
  }
  try {
    Parser(file, net).Root(root, stem);
  } catch (const YAML::Exception& e) {
    throw CompileError(file + ": unreadable content (" + e.msg + " at line " +
                       std::to_string(e.mark.line + 1) + ")");
  }
  return net;
}

}  // namespace

Network ParseNetworkText(const std::string& text, const std::string& file) { return Parse(text, file, ""); }

Network ParseNetworkFile(const fs::path& yaml) {
  const std::string file = ShownPath(yaml);
  if (!fs::is_regular_file(yaml))
    throw CompileError(file + ": network description not found at " + yaml.string());
  std::ifstream in(yaml);
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), file, yaml.stem().string());
}

std::optional<LayerSpec> SpecOf(const Network& net, const Layer& layer) {
  if (layer.op == Op::kMaxPool || layer.op == Op::kAvgPool || layer.op == Op::kConcat) return std::nullopt;
  const Shape in = net.ShapeOf(layer.inputs[0]);
  LayerSpec l;
  l.in_c = in.c, l.in_h = in.h, l.in_w = in.w;
  l.in_signed = net.SignedOf(layer.inputs[0]);
  l.out_signed = layer.out_signed;
  l.relu = layer.act == Activation::kRelu;
  if (layer.op == Op::kGlobalAvgPool) {  // as ParseTestFile: the depthwise conv of the whole plane
    l.op = LayerOp::kConv;
    l.global_avg_pool = true;
    l.out_c = l.groups = in.c;
    l.kernel_h = in.h, l.kernel_w = in.w;
    l.relu = false;
    return l;
  }
  if (layer.op == Op::kAdd) {  // an eltwise add: the depthwise 1x1 conv it runs as
    l.op = LayerOp::kEltwise;
    l.eltwise = isa::EltwiseOp::kAdd;
    l.out_c = l.groups = in.c;
    l.wt_signed = false;
    return l;
  }
  l.op = layer.op == Op::kConv     ? LayerOp::kConv
         : layer.op == Op::kDeconv ? LayerOp::kDeconv
                                   : LayerOp::kInnerProduct;
  l.out_c = layer.out_c;
  if (layer.op != Op::kInnerProduct) {
    l.kernel_h = layer.kernel_h, l.kernel_w = layer.kernel_w;
    l.stride_h = layer.stride_h, l.stride_w = layer.stride_w;
    l.dil_h = layer.dil_h, l.dil_w = layer.dil_w;
    l.pad_top = layer.pad_top, l.pad_bottom = layer.pad_bottom, l.pad_left = layer.pad_left,
    l.pad_right = layer.pad_right;
    l.out_pad_h = layer.out_pad_h, l.out_pad_w = layer.out_pad_w;
    l.groups = layer.groups;
  }
  if (layer.act != Activation::kNone && layer.act != Activation::kRelu) {
    LayerSpec::Act a;
    a.kind = layer.act;
    a.quant.out_signed = layer.out_signed;
    a.quant.alpha = layer.alpha;
    l.activation = a;
  }
  l.pool = layer.pool;
  return l;
}

std::vector<TableRow> Table(const Network& net) {
  std::vector<TableRow> rows;
  for (const Layer& l : net.layers) {
    TableRow r;
    r.name = l.name;
    r.op = ToString(l.op);
    r.fused = l.fused_pool;
    r.out = l.out;
    r.out_signed = l.out_signed;
    for (const int t : l.inputs) {
      r.inputs += (r.inputs.empty() ? "" : ",") + net.NameOf(t);
      r.in_bytes += net.ShapeOf(t).Elements();
    }
    r.out_bytes = l.out.Elements();
    const Shape in = net.ShapeOf(l.inputs[0]);
    switch (l.op) {
      case Op::kConv:
        r.weight_bytes = uint64_t(l.out_c) * (in.c / l.groups) * l.kernel_h * l.kernel_w;
        r.macs = r.weight_bytes * l.conv_h * l.conv_w;
        break;
      case Op::kDeconv:
        r.weight_bytes = uint64_t(l.out_c) * (in.c / l.groups) * l.kernel_h * l.kernel_w;
        r.macs = r.weight_bytes * in.h * in.w;
        break;
      case Op::kInnerProduct:
        r.weight_bytes = uint64_t(l.out_c) * in.Elements();
        r.macs = r.weight_bytes;
        break;
      case Op::kGlobalAvgPool:
        r.macs = in.Elements();
        break;
      default:
        break;
    }
    rows.push_back(r);
  }
  return rows;
}

uint64_t TotalMacs(const Network& net) {
  uint64_t macs = 0;
  for (const TableRow& r : Table(net)) macs += r.macs;
  return macs;
}

std::string FormatTable(const Network& net, const std::vector<TableRow>& rows) {
  std::string out;
  char buf[320];
  std::snprintf(buf, sizeof buf, "%-4s %-22s %-15s %-15s %-6s %13s %11s %11s %11s  %s\n", "#", "layer", "op",
                "output", "type", "MACs", "weights B", "in B", "out B", "inputs");
  out += buf;
  uint64_t macs = 0, wt = 0, act_out = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const TableRow& r = rows[i];
    const std::string op = r.fused.empty() ? r.op : r.op + "+pool";
    std::snprintf(buf, sizeof buf, "%-4zu %-22s %-15s %-15s %-6s %13llu %11llu %11llu %11llu  %s%s\n", i,
                  r.name.c_str(), op.c_str(), ShapeText(r.out).c_str(), r.out_signed ? "int8" : "uint8",
                  (unsigned long long)r.macs, (unsigned long long)r.weight_bytes,
                  (unsigned long long)r.in_bytes, (unsigned long long)r.out_bytes, r.inputs.c_str(),
                  r.fused.empty() ? "" : (" (fused " + r.fused + ")").c_str());
    out += buf;
    macs += r.macs, wt += r.weight_bytes, act_out += r.out_bytes;
  }
  std::snprintf(buf, sizeof buf,
                "%s: %zu layers, input %s, %.3f GMAC, %.2f MB of weights, %.2f MB of activations written\n",
                net.name.c_str(), rows.size(), ShapeText(net.input).c_str(), double(macs) / 1e9,
                double(wt) / 1e6, double(act_out) / 1e6);
  out += buf;
  return out;
}

std::vector<CountBand> CountBands(uint32_t in, uint32_t kernel, uint32_t stride, uint32_t pad, uint32_t out,
                                  uint32_t count_before, uint32_t count_after) {
  std::vector<CountBand> bands;
  for (uint32_t i = 0; i < out; ++i) {
    const int64_t lo = int64_t(i) * stride - pad, hi = lo + kernel;
    const int64_t count = std::max<int64_t>(
        0, std::min<int64_t>(hi, int64_t(in) + count_after) - std::max<int64_t>(lo, -int64_t(count_before)));
    if (bands.empty() || bands.back().count != uint32_t(count)) bands.push_back({i, 0, uint32_t(count)});
    ++bands.back().size;
  }
  return bands;
}

Network FusePools(const Network& net, const HwConfig& cfg, std::vector<Fusion>* fused) {
  const auto consumers = net.Consumers();
  const size_t n = net.layers.size();
  std::vector<int> into(n, -1);  // pool i folds into conv into[i]
  for (size_t i = 0; i < n; ++i) {
    const Layer& p = net.layers[i];
    if (p.op != Op::kMaxPool && p.op != Op::kAvgPool) continue;
    const int c = p.inputs[0];
    if (c == kInput) continue;
    const Layer& conv = net.layers[size_t(c)];
    const bool output = std::find(net.outputs.begin(), net.outputs.end(), c) != net.outputs.end();
    if (conv.op != Op::kConv || conv.pool || consumers[size_t(c)].size() != 1 || output) continue;
    if (p.pool_size < 2 || p.pool_size > 3 || p.pool_stride > 2 || p.pool_pad > p.pool_size / 2) continue;
    if (conv.conv_h + 2 * p.pool_pad < p.pool_size || conv.conv_w + 2 * p.pool_pad < p.pool_size) continue;
    if (conv.conv_w > cfg.array_cols) continue;  // the line buffer holds N pixels of a row
    into[i] = c;
  }
  Network out = net;
  out.layers.clear();
  std::vector<int> index(n, kInput);  // old layer -> new layer
  for (size_t i = 0; i < n; ++i) {
    if (into[i] >= 0) {
      Layer& conv = out.layers[size_t(index[size_t(into[i])])];
      const Layer& p = net.layers[i];
      LayerSpec::Pool pool;
      pool.op = p.op == Op::kMaxPool ? isa::PoolOp::kMax : isa::PoolOp::kAvg;
      pool.size = p.pool_size, pool.stride = p.pool_stride, pool.pad = p.pool_pad;
      conv.pool = pool;
      conv.fused_pool = p.name;
      conv.out = p.out;
      index[i] = index[size_t(into[i])];
      if (fused) fused->push_back({p.name, conv.name});
      continue;
    }
    Layer l = net.layers[i];
    for (int& t : l.inputs)
      if (t != kInput) t = index[size_t(t)];
    index[i] = int(out.layers.size());
    out.layers.push_back(std::move(l));
  }
  for (int& t : out.outputs) t = index[size_t(t)];
  return out;
}

}  // namespace nna::compiler::network
