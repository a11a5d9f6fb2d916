#include "compiler/network/graph.h"

#include <catch2/catch.hpp>
#include <map>

#include "compiler/network/quantize.h"

using namespace nna;
using namespace nna::compiler;
using namespace nna::compiler::network;

namespace {

const std::filesystem::path kVectors = NNA_VECTORS_DIR;

const char* const kHead = R"(name: t
doc: "a network"
seed: 1
input: {channels: 3, height: 8, width: 8, signed: true}
)";

// The error a network of these layers (and outputs) gives, or "(no error)".
std::string ErrorFor(const std::string& layers, const std::string& outputs = "outputs: [b]\n",
                     const std::string& head = kHead) {
  try {
    ParseNetworkText(head + "layers:\n" + layers + outputs, "networks/t.yaml");
  } catch (const CompileError& e) {
    return e.what();
  }
  return "(no error)";
}

const Layer& ByName(const Network& net, const std::string& name) {
  return net.layers[size_t(net.Find(name))];
}

}  // namespace

TEST_CASE("a good network parses", "[network]") {
  CHECK(ErrorFor("  - {name: a, op: conv, out: 4, kernel: 3, act: relu}\n"
                 "  - {name: b, op: conv, out: 4, kernel: 1, act: none}\n") == "(no error)");
}

TEST_CASE("a repeated key and a huge value in a network are one short sentence", "[network]") {
  const std::string good =
      "  - {name: a, op: conv, out: 4, kernel: 3, act: relu}\n"
      "  - {name: b, op: conv, out: 4, kernel: 1, act: none}\n";
  CHECK(ErrorFor(good, "outputs: [b]\nseed: 2\n") ==
        "networks/t.yaml: key 'seed' is given twice (lines 3 and 9); give each key once");
  CHECK(ErrorFor("  - {name: a, op: conv, out: 4, kernel: 3, act: relu,\n     out: 8}\n"
                 "  - {name: b, op: conv, out: 4, kernel: 1, act: none}\n") ==
        "networks/t.yaml: key 'layers[0].out' is given twice (lines 6 and 7); give each key once");
  // Found by make fuzz: a block value echoed with its line breaks made a two-line message.
  CHECK(ErrorFor("  - {name: a, op: conv, out: 4, kernel: 3, act: relu}\n", "outputs: [a]\n",
                 "name:\n  - x\n  - y\ndoc: d\nseed: 1\ninput: {channels: 3, height: 8, width: 8, signed: "
                 "true}\n") == "networks/t.yaml: key 'name' must be a string (got - x\\n- y)");
  const std::string huge(1000, 'k');  // YAML caps an implicit key at 1024 characters
  CHECK(ErrorFor("  - {name: a, op: conv, out: 4, kernel: 3, act: relu, " + huge + ": 1}\n",
                 "outputs: [a]\n") ==
        "networks/t.yaml: key 'layers.a." + std::string(80 - 9, 'k') +
            "... (1009 characters)' is not known (known keys: name, op, input, inputs, out, kernel, stride, "
            "dilation, padding, groups, act, alpha)");
}

TEST_CASE("every parse error is one sentence naming the file, the layer, the key and the value",
          "[network]") {
  // Each case: its error class, the layers after a good first layer `a` (4x6x6 uint8), the
  // outputs, the sentence.
  struct Case {
    const char* what;
    std::string layers, outputs, error;
  };
  const std::string b = "outputs: [b]\n";
  const Case cases[] = {
      {"unknown key", "  - {name: b, op: conv, out: 4, kernel: 1, act: none, strid: 2}\n", b,
       "key 'layers.b.strid' is not known (known keys: name, op, input, inputs, out, kernel, stride, "
       "dilation, "
       "padding, groups, act, alpha)"},
      {"unknown op", "  - {name: b, op: lstm}\n", b,
       "key 'layers.b.op' must be one of conv, deconv, inner_product, max_pool, avg_pool, global_avg_pool, "
       "add, "
       "concat (got lstm)"},
      {"wrong type", "  - {name: b, op: conv, out: four, kernel: 1, act: none}\n", b,
       "key 'layers.b.out' must be an integer 1..65535 (got four)"},
      {"wrong list", "  - {name: b, op: conv, out: 4, kernel: [1, 2, 3], act: none}\n", b,
       "key 'layers.b.kernel' must be an integer 1..255 or a list [h, w] of them (got [1, 2, 3])"},
      {"missing act", "  - {name: b, op: conv, out: 4, kernel: 1}\n", b, "key 'layers.b.act' is missing"},
      {"act an add cannot take", "  - {name: b, op: add, inputs: [a, a], act: sigmoid}\n", b,
       "key 'layers.b.act' must be one of none, relu for op add (got sigmoid)"},
      {"dangling input", "  - {name: b, op: conv, input: nowhere, out: 4, kernel: 1, act: none}\n", b,
       "key 'layers.b.input' names 'nowhere', which is neither 'input' nor a layer of this network"},
      {"dangling output", "", "outputs: [z]\n",
       "key 'outputs' names 'z', which is neither 'input' nor a layer of this network"},
      {"duplicate name", "  - {name: a, op: conv, out: 4, kernel: 3, act: relu}\n", b,
       "key 'layers.a.name' is given to two layers ('a' is layers[0] and layers[1])"},
      {"cycle through a later layer",
       "  - {name: b, op: add, inputs: [a, c], act: none}\n  - {name: c, op: conv, out: 4, kernel: 1, act: "
       "none}\n",
       b,
       "key 'layers.b.inputs' names layer 'c', which comes later in the file: a layer reads only earlier "
       "layers, so "
       "the graph has no cycle"},
      {"cycle through itself", "  - {name: b, op: conv, input: b, out: 4, kernel: 1, act: none}\n", b,
       "key 'layers.b.input' names layer 'b', which is this layer itself: a layer reads only earlier layers, "
       "so the "
       "graph has no cycle"},
      {"add of different shapes", "  - {name: b, op: add, inputs: [a, input], act: none}\n", b,
       "key 'layers.b.inputs' adds 'a' (4x6x6) and 'input' (3x8x8), which differ in shape"},
      {"concat of different planes", "  - {name: b, op: concat, inputs: [input, a]}\n", b,
       "key 'layers.b.inputs' concatenates 'input' (3x8x8) and 'a' (4x6x6), whose planes differ"},
      {"kernel past the input", "  - {name: b, op: conv, out: 4, kernel: 7, act: none}\n", b,
       "key 'layers.b.kernel' [7, 7] (with its dilation and padding) does not fit the 4x6x6 input: the "
       "output "
       "would be 0x0"},
      {"groups", "  - {name: b, op: conv, out: 6, kernel: 1, groups: 4, act: none}\n", b,
       "key 'layers.b.groups' must divide the input channels 4 and the output channels 6 (got 4)"},
      {"deconv stride", "  - {name: b, op: deconv, out: 4, kernel: 2, stride: 3, act: none}\n", b,
       "key 'layers.b.stride' must be 1, 2, 4 or 8 for op deconv (got [3, 3])"},
      {"pool padding", "  - {name: b, op: max_pool, size: 3, pad: 2}\n", b,
       "key 'layers.b.pad' must be an integer 0..1 (got 2)"},
      {"inexact global average", "  - {name: b, op: global_avg_pool}\n", b,
       "key 'layers.b.input' has 6x6 planes whose average FUSED_RELU cannot round exactly (scale 58254, "
       "shift 21 "
       "gives 0 for the sum 18, not 1)"},
      {"inputs on a one-input op", "  - {name: b, op: conv, inputs: [a], out: 4, kernel: 1, act: none}\n", b,
       "key 'layers.b.inputs' applies to ops add and concat only (op conv reads one tensor: use input)"},
      {"input on add", "  - {name: b, op: add, input: a, act: none}\n", b,
       "key 'layers.b.inputs' is missing"},
      {"unknown root key", "", "outputs: [a]\nextra: 1\n",
       "key 'extra' is not known (known keys: name, doc, seed, input, layers, outputs)"},
      {"no outputs", "", "outputs: []\n", "key 'outputs' must be a non-empty list of layer names (got [])"},
  };
  const std::string a = "  - {name: a, op: conv, out: 4, kernel: 3, act: relu}\n";
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.what) { CHECK(ErrorFor(a + c.layers, c.outputs) == "networks/t.yaml: " + c.error); }
  }
  SECTION("cycle through a later layer, the first reading the second") {
    CHECK(ErrorFor("  - {name: a, op: conv, input: b, out: 4, kernel: 3, act: relu}\n"
                   "  - {name: b, op: conv, out: 4, kernel: 1, act: none}\n")
              .find("key 'layers.a.input' names layer 'b', which comes later in the file") !=
          std::string::npos);
  }
  SECTION("not YAML") {
    CHECK(ErrorFor("  - {name: a, op: conv\n").find("networks/t.yaml: not valid YAML") == 0);
  }
}

TEST_CASE("shapes and signedness are inferred as worked out by hand", "[network]") {
  // A name too long for the file system is not found, and is clipped in the sentence.
  CHECK_THROWS_WITH(
      FindNetwork(std::string(100000, 'x'), kVectors),
      Catch::StartsWith("no network '" + std::string(80, 'x') + "... (100000 characters)' in "));
  const Network net = ParseNetworkFile(FindNetwork("tiny_net", kVectors));
  auto shape = [&](const std::string& n) {
    const Layer& l = ByName(net, n);
    return std::to_string(l.out.c) + "x" + std::to_string(l.out.h) + "x" + std::to_string(l.out.w) +
           (l.out_signed ? " int8" : " uint8");
  };
  // conv1 and pool1 meet conv3 (act none) at an add: all int8. res, side, cat, down, gap: ReLU, uint8.
  CHECK(shape("conv1") == "16x32x32 int8");
  CHECK(shape("pool1") == "16x16x16 int8");
  CHECK(shape("conv2") == "16x16x16 uint8");
  CHECK(shape("conv3") == "16x16x16 int8");
  CHECK(shape("res") == "16x16x16 uint8");
  CHECK(shape("side") == "8x16x16 uint8");
  CHECK(shape("cat") == "24x16x16 uint8");
  CHECK(shape("heat") == "4x32x32 int8");  // deconv 2x2 stride 2, sigmoid at int8 zero point -128
  CHECK(shape("down") == "24x8x8 uint8");
  CHECK(shape("gap") == "24x1x1 uint8");
  CHECK(shape("fc") == "10x1x1 int8");
  const auto rows = Table(net);
  std::map<std::string, TableRow> by;
  for (const auto& r : rows) by[r.name] = r;
  CHECK(by["conv1"].macs == 16ull * 32 * 32 * 3 * 9);
  CHECK(by["conv1"].weight_bytes == 16ull * 3 * 9);
  CHECK(by["conv2"].macs == 16ull * 16 * 16 * 4 * 9);  // 4 groups of 4 channels
  CHECK(by["heat"].macs == 16ull * 16 * 24 * 4 * 4);   // every input element times every tap
  CHECK(by["fc"].weight_bytes == 240);
  CHECK(by["cat"].in_bytes == 24ull * 256);
  CHECK(by["res"].inputs == "pool1,conv3");
}

TEST_CASE("the library's MAC totals match the published figures", "[network]") {
  auto gmac = [](const char* name) {
    return double(TotalMacs(ParseNetworkFile(FindNetwork(name, kVectors)))) / 1e9;
  };
  const double resnet = gmac("resnet50"), inception = gmac("inception_v4"), mobilenet = gmac("mobilenet_v2");
  CHECK(resnet > 3.8);  // He et al.: 3.8 GFLOPs (multiply-adds); torchvision v1.5: 4.1
  CHECK(resnet < 4.2);
  CHECK(inception > 12.0);  // 12.3 G multiply-adds
  CHECK(inception < 12.6);
  CHECK(mobilenet > 0.29);  // Sandler et al.: 300M multiply-adds
  CHECK(mobilenet < 0.32);
  for (const auto& name : KnownNetworks(kVectors)) {
    INFO(name);
    CHECK_NOTHROW(ParseNetworkFile(FindNetwork(name, kVectors)));
  }
}

TEST_CASE("resnet50's shapes", "[network]") {
  const Network net = ParseNetworkFile(FindNetwork("resnet50", kVectors));
  const Layer& fc = net.layers.back();
  CHECK(fc.out.c == 1000);
  CHECK(net.ShapeOf(fc.inputs[0]).c == 2048);
  CHECK(ByName(net, "pool1").out.h == 56);
  CHECK(ByName(net, "res5c").out.h == 7);
  CHECK(ByName(net, "res5c").out.c == 2048);
  CHECK(Table(net).size() == net.layers.size());
}

TEST_CASE("fusion folds a pool into the conv before it when the hardware can", "[network]") {
  const std::string head =
      "name: t\ndoc: d\nseed: 1\ninput: {channels: 3, height: 16, width: 16, signed: true}\nlayers:\n";
  auto fuse = [&](const std::string& layers, const std::string& outputs, const char* config) {
    const Network net = ParseNetworkText(head + layers + outputs, "networks/t.yaml");
    std::vector<Fusion> fused;
    const Network out = FusePools(net, FindHwConfig(config), &fused);
    std::string s;
    for (const auto& f : fused) s += f.pool + "->" + f.into + " ";
    return std::make_pair(out, s);
  };
  const std::string conv = "  - {name: c, op: conv, out: 4, kernel: 3, padding: 1, act: relu}\n";
  SECTION("a 2x2 max pool after a conv of 16-pixel rows: on fsd (96 columns), not on tiny (8)") {
    const std::string layers =
        conv +
        "  - {name: p, op: max_pool, size: 2}\n  - {name: f, op: conv, out: 2, kernel: 1, act: none}\n";
    const auto [net, s] = fuse(layers, "outputs: [f]\n", "fsd");
    CHECK(s == "p->c ");
    REQUIRE(net.layers.size() == 2);
    CHECK(net.layers[0].fused_pool == "p");
    CHECK(net.layers[0].pool->size == 2);
    CHECK(net.layers[0].out.h == 8);
    CHECK(net.layers[1].inputs == std::vector<int>{0});
    CHECK(fuse(layers, "outputs: [f]\n", "tiny").second == "");
  }
  SECTION("a pool that is an output keeps the conv's name for the tensor") {
    const auto [net, s] =
        fuse(conv + "  - {name: p, op: avg_pool, size: 3, stride: 1, pad: 1}\n", "outputs: [p]\n", "fsd");
    CHECK(s == "p->c ");
    CHECK(net.outputs == std::vector<int>{0});
  }
  SECTION("not when the conv has another reader or is an output") {
    const std::string two =
        conv + "  - {name: p, op: max_pool, size: 2}\n  - {name: q, op: max_pool, input: c, size: 2}\n";
    CHECK(fuse(two, "outputs: [p, q]\n", "fsd").second == "");
    CHECK(fuse(conv + "  - {name: p, op: max_pool, size: 2}\n", "outputs: [c, p]\n", "fsd").second == "");
  }
  SECTION("not a window the pooling unit lacks, nor after a non-conv") {
    CHECK(fuse(conv + "  - {name: p, op: max_pool, size: 4}\n", "outputs: [p]\n", "fsd").second == "");
    CHECK(fuse(conv + "  - {name: p, op: max_pool, size: 3, stride: 3}\n", "outputs: [p]\n", "fsd").second ==
          "");
    CHECK(fuse("  - {name: p, op: max_pool, size: 2}\n", "outputs: [p]\n", "fsd").second == "");
    CHECK(fuse("  - {name: c, op: deconv, out: 4, kernel: 2, stride: 2, act: relu}\n  - {name: p, op: "
               "max_pool, size: 2}\n",
               "outputs: [p]\n", "fsd")
              .second == "");
  }
  SECTION("the SpecOf of a fused conv carries the pool") {
    const auto [net, s] = fuse(conv + "  - {name: p, op: max_pool, size: 2}\n", "outputs: [p]\n", "fsd");
    const auto spec = SpecOf(net, net.layers[0]);
    REQUIRE(spec);
    CHECK(spec->pool->op == isa::PoolOp::kMax);
    CHECK(spec->relu);
    CHECK(spec->in_c == 3);
    CHECK(spec->out_c == 4);
  }
}

// An average pool's divisor by output position (ONNX AveragePool's count), brute force.
static uint32_t CountOf(int64_t i, int64_t in, int64_t k, int64_t s, int64_t pad, int64_t before,
                        int64_t after) {
  uint32_t n = 0;
  for (int64_t t = i * s - pad; t < i * s - pad + k; ++t) n += t >= -before && t < in + after;
  return n;
}

TEST_CASE("CountBands covers every output once with its window's count", "[network]") {
  uint64_t checked = 0;
  for (uint32_t in = 1; in <= 12; ++in)
    for (uint32_t k = 1; k <= 5; ++k)
      for (uint32_t s = 1; s <= 3; ++s)
        for (uint32_t pb = 0; pb < k; ++pb)
          for (uint32_t pa = 0; pa < k; ++pa)
            for (const bool ceil : {false, true})
              for (const bool include : {false, true}) {
                const int64_t span = int64_t(in) + pb + pa - k;
                if (span < 0) continue;
                const uint32_t out = uint32_t((ceil ? (span + s - 1) / s : span / s) + 1);
                const std::vector<CountBand> bands =
                    CountBands(in, k, s, pb, out, include ? pb : 0, include ? pa : 0);
                uint32_t next = 0;
                for (size_t b = 0; b < bands.size(); ++b) {
                  INFO("in " << in << " k " << k << " s " << s << " pads " << pb << "," << pa << " ceil "
                             << ceil << " include " << include << " band " << b);
                  REQUIRE(bands[b].first == next);  // in order, no gap, no overlap
                  REQUIRE(bands[b].size > 0);
                  if (b > 0) CHECK(bands[b].count != bands[b - 1].count);  // maximal runs
                  for (uint32_t i = bands[b].first; i < bands[b].first + bands[b].size; ++i)
                    CHECK(bands[b].count == CountOf(i, in, k, s, pb, include ? pb : 0, include ? pa : 0));
                  next += bands[b].size;
                  ++checked;
                }
                CHECK(next == out);
              }
  CHECK(checked > 10000);
  // Inception's 3x3 stride 1 pad 1 over 35 columns, padding not counted: 2, then 33 of 3, then 2.
  const std::vector<CountBand> b = CountBands(35, 3, 1, 1, 35, 0, 0);
  REQUIRE(b.size() == 3);
  CHECK((b[0].first == 0 && b[0].size == 1 && b[0].count == 2));
  CHECK((b[1].first == 1 && b[1].size == 33 && b[1].count == 3));
  CHECK((b[2].first == 34 && b[2].size == 1 && b[2].count == 2));
}

TEST_CASE("RegionSpec's conv reads each region output's own window", "[network]") {
  // Every region of every band grid: the region's conv has the region's size, and its output i reads
  // the input positions the whole conv's output first + i reads.
  for (uint32_t in = 2; in <= 9; ++in)
    for (uint32_t k = 1; k <= 4; ++k)
      for (uint32_t s = 1; s <= 3; ++s)
        for (uint32_t pb = 0; pb < k; ++pb)
          for (uint32_t pa = 0; pa < k + s; ++pa) {  // pa beyond the pads: a ceil_mode window's reach
            const int64_t span = int64_t(in) + pb + pa - k;
            if (span < 0) continue;
            const uint32_t out = uint32_t(span / s + 1);
            LayerSpec whole;
            whole.in_c = whole.out_c = whole.groups = 2;
            whole.in_h = in, whole.in_w = in + 1;
            whole.kernel_h = whole.kernel_w = k, whole.stride_h = whole.stride_w = s;
            whole.pad_top = whole.pad_left = pb, whole.pad_bottom = pa, whole.pad_right = pa + 1;
            const std::vector<CountBand> rows = CountBands(in, k, s, pb, out, 0, 0),
                                         cols =
                                             CountBands(in + 1, k, s, pb, uint32_t((span + 1) / s + 1), 0, 0);
            for (const CountBand& rb : rows)
              for (const CountBand& cb : cols) {
                if (rb.count == 0 || cb.count == 0) continue;  // no input: the front end refuses it
                ConvRegion r;
                r.row0 = rb.first, r.rows = rb.size, r.col0 = cb.first, r.cols = cb.size;
                uint32_t r0 = 0, c0 = 0;
                const LayerSpec rs = RegionSpec(whole, r, &r0, &c0);
                INFO("in " << in << " k " << k << " s " << s << " pads " << pb << "," << pa << " region "
                           << r.row0 << "," << r.col0);
                CHECK((rs.in_h + rs.pad_top + rs.pad_bottom - k) / s + 1 == r.rows);
                CHECK((rs.in_w + rs.pad_left + rs.pad_right - k) / s + 1 == r.cols);
                CHECK(r0 + rs.in_h <= whole.in_h);
                CHECK(c0 + rs.in_w <= whole.in_w);
                CHECK(int64_t(r0) - rs.pad_top == int64_t(r.row0) * s - pb);  // output row0's first tap
                CHECK(int64_t(c0) - rs.pad_left == int64_t(r.col0) * s - pb);
                CHECK(rs.pad_top <= pb);
                CHECK(rs.pad_left <= pb);
              }
          }
}
