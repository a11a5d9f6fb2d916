// Whole networks (docs/networks.md): the description format (vectors/networks/<name>.yaml), its
// strict checks, shape and signedness inference, the per-layer table (shapes, MACs, bytes) and the
// fusion of pooling layers into the convolutions before them. The quantized reference execution
// is in quantize.h; the lowering to instructions builds on both.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compiler/activation.h"
#include "compiler/test_spec.h"
#include "nna/configs.h"

namespace nna::compiler::network {

// The layer kinds of a network file ("conv", "deconv", "inner_product", "max_pool", "avg_pool",
// "global_avg_pool", "add", "concat": the YAML spelling, ToString).
enum class Op { kConv, kDeconv, kInnerProduct, kMaxPool, kAvgPool, kGlobalAvgPool, kAdd, kConcat };
const char* ToString(Op op);

struct Shape {
  uint32_t c = 0, h = 0, w = 0;
  uint64_t Elements() const { return uint64_t(c) * h * w; }
};

// A tensor of the graph: the network's input or the output of a layer (its index).
constexpr int kInput = -1;

struct Layer {
  std::string name;
  Op op = Op::kConv;
  std::vector<int> inputs;  // kInput or indices of earlier layers, in the file's order
  // conv, deconv, inner_product (out_c only)
  uint32_t out_c = 0;
  uint32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  uint32_t out_pad_h = 0, out_pad_w = 0;
  uint32_t groups = 1;
  // max_pool, avg_pool: a size x size window every `stride` pixels, `pad` on every side
  uint32_t pool_size = 0, pool_stride = 0, pool_pad = 0;
  // conv, deconv, inner_product, add: the activation after the requantization
  Activation act = Activation::kNone;
  double alpha = 0.1;  // leaky_relu's slope below 0
  // After FusePools: the pooling layer folded into this conv (its name and window).
  std::string fused_pool;
  std::optional<LayerSpec::Pool> pool;
  // Inferred: the output (after a fused pool) and its type, int8 or uint8 (docs/networks.md,
  // "Signedness"); conv, deconv: the plane of the dot products (before a fused pool).
  Shape out;
  uint32_t conv_h = 0, conv_w = 0;
  bool out_signed = true;
};

struct Network {
  std::string file;  // as shown in messages: "networks/resnet50.yaml"
  std::string name, doc;
  uint64_t seed = 0;
  Shape input;
  bool input_signed = true;
  std::vector<Layer> layers;  // file order: every layer reads only earlier ones
  std::vector<int> outputs;   // indices of the graph's output layers

  const Shape& ShapeOf(int tensor) const { return tensor == kInput ? input : layers[size_t(tensor)].out; }
  bool SignedOf(int tensor) const {
    return tensor == kInput ? input_signed : layers[size_t(tensor)].out_signed;
  }
  std::string NameOf(int tensor) const { return tensor == kInput ? "input" : layers[size_t(tensor)].name; }
  // The tensor of a name: kInput for "input", else the layer's index; throws CompileError if none.
  int Find(const std::string& name) const;
  // The layers reading each layer's output (index by layer).
  std::vector<std::vector<int>> Consumers() const;
};

// vectors_dir/networks/<name>.yaml; throws CompileError "no network 'x' in <dir> (known: ...)".
std::filesystem::path FindNetwork(const std::string& name, const std::filesystem::path& vectors_dir);
std::vector<std::string> KnownNetworks(const std::filesystem::path& vectors_dir);

// Reads and checks a network file and infers every layer's shape and signedness. Throws
// CompileError, one sentence naming the file, the layer, the key and the value, for any unknown
// key, wrong type, dangling, duplicate or later (cyclic) input name, shape mismatch or illegal
// geometry.
Network ParseNetworkFile(const std::filesystem::path& yaml);
// The same from text (tests); `file` is the name the messages show.
Network ParseNetworkText(const std::string& text, const std::string& file);

// The layer the single-layer compiler would compile for a layer (Compile's LayerSpec): conv,
// deconv and inner_product with their geometry, fused pool, signedness and relu (other
// activations: `activation` with the kind and alpha; the quantizer fills in the scales);
// global_avg_pool as the depthwise conv that computes it; add as an eltwise add (the quantizer
// fills in `rescale` when its inputs have two scales). Pools and concat are not such layers: nothing.
std::optional<LayerSpec> SpecOf(const Network& net, const Layer& layer);

// One row of the per-layer table. MACs are the multiply-accumulates of the dot products (a deconv
// counts every input element times every tap of its group, isa::Macs; a global average pool its
// plane sums; pools, add and concat none); bytes are int8/uint8.
struct TableRow {
  std::string name, op, inputs, fused;
  Shape out;
  bool out_signed = true;
  uint64_t macs = 0, weight_bytes = 0, in_bytes = 0, out_bytes = 0;
};
std::vector<TableRow> Table(const Network& net);
// The rows as text with a totals line.
std::string FormatTable(const Network& net, const std::vector<TableRow>& rows);
uint64_t TotalMacs(const Network& net);

// An average pool whose divisor depends on the output position (ONNX count_include_pad=0 over
// padding, or ceil_mode windows past the padded input), along one axis: window i covers input
// positions [i*stride - pad, i*stride - pad + kernel), of which those in [-count_before,
// in + count_after) count (count_before/after: 0, or the pads when padding counts). CountBands cuts
// the `out` outputs into maximal runs of one count, in order; each output is in exactly one.
struct CountBand {
  uint32_t first = 0, size = 0, count = 0;
};
std::vector<CountBand> CountBands(uint32_t in, uint32_t kernel, uint32_t stride, uint32_t pad, uint32_t out,
                                  uint32_t count_before, uint32_t count_after);

// Folds every max_pool or avg_pool into the conv before it when the hardware's fused pooling can
// run it (docs/pooling.md): the pool's only input is a conv (not a global_avg_pool, no pool fused
// yet) that no other layer reads and that is not a graph output; the window is 2x2 or 3x3, stride
// 1 or 2, pad at most size/2, fits the padded output; the conv's rows fit the line buffer
// (out_w <= cfg.array_cols). The pool disappears; its readers and outputs read the conv, which
// keeps its own name and records the pool's in fused_pool. `fused` lists "pool -> conv" pairs.
struct Fusion {
  std::string pool, into;
};
Network FusePools(const Network& net, const HwConfig& cfg, std::vector<Fusion>* fused = nullptr);

}  // namespace nna::compiler::network
