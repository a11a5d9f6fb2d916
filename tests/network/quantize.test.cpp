#include "compiler/network/quantize.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "golden/golden_model.h"
#include "isa/program.h"
#include "simd/simd_program.h"
#include "testgen/layer_test.h"

using namespace nna;
using namespace nna::compiler;
using namespace nna::compiler::network;

namespace {

const std::filesystem::path kVectors = NNA_VECTORS_DIR;

// Channel parameters as the bytes the hardware reads.
std::vector<uint8_t> Packed(const std::vector<ref::ChannelParams>& params) {
  std::vector<uint8_t> bytes(params.size() * isa::ChannelParamsRecord::kBytes);
  for (size_t i = 0; i < params.size(); ++i)
    ref::PackParams(params[i], &bytes[i * isa::ChannelParamsRecord::kBytes]);
  return bytes;
}

Network Tiny() { return ParseNetworkFile(FindNetwork("tiny_net", kVectors)); }

const QuantLayer& ByName(const QuantNetwork& q, const std::string& name) {
  return q.layers[size_t(q.net.Find(name))];
}

}  // namespace

TEST_CASE("tiny_net calibrates to used ranges: no layer all zero, none mostly saturated", "[network]") {
  const QuantNetwork q = Quantize(Tiny());
  INFO(FormatStats(q));
  CHECK(CheckStats(q).empty());
  for (const QuantLayer& l : q.layers) {
    INFO(l.name);
    CHECK(l.stats.max - l.stats.min >= 32);  // a spread of values, not a few codes
    CHECK(l.stats.saturated < 0.1);
  }
  // The outputs are the graph's and have the shapes inferred.
  CHECK(ByName(q, "heat").output.c == 4);
  CHECK(ByName(q, "heat").output.h == 32);
  CHECK(ByName(q, "fc").output.data.size() == 10);
}

TEST_CASE("the quantized layers hold what the lowering needs", "[network]") {
  const QuantNetwork q = Quantize(Tiny());
  const QuantLayer& conv1 = ByName(q, "conv1");
  REQUIRE(conv1.spec);
  CHECK(conv1.spec->op == LayerOp::kConv);
  CHECK(conv1.weights.data.size() == 16u * 3 * 9);
  CHECK(conv1.params.size() == 16);
  CHECK(conv1.simd.size() == 1);
  CHECK(conv1.in_scales == std::vector<double>{1.0 / 128});
  // The add: its two inputs at one scale, so FUSED_RELU alone requantizes a + b (no rescale); the
  // shared output scale of the concat.
  const QuantLayer& res = ByName(q, "res");
  CHECK_FALSE(res.rescale);
  CHECK_FALSE(res.spec->rescale);
  CHECK(ByName(q, "pool1").out_scale == ByName(q, "conv3").out_scale);
  CHECK(res.in_scales[0] == res.in_scales[1]);
  CHECK(res.simd == std::vector<isa::SimdInstr>{FusedReluInstr(true, false)});  // uint8
  CHECK(std::ldexp(double(res.params[0].scale), -res.params[0].shift) ==
        Approx(res.in_scales[0] / res.out_scale).epsilon(1e-4));
  CHECK(ByName(q, "side").out_scale == res.out_scale);  // concat: one scale, the add's
  CHECK(ByName(q, "cat").out_scale == res.out_scale);
  // The sigmoid: its program and calibrated quantization, the output of 1/256 at zero point -128.
  const QuantLayer& heat = ByName(q, "heat");
  REQUIRE(heat.spec->activation);
  CHECK(heat.spec->activation->kind == Activation::kSigmoid);
  CHECK(heat.out_scale == 1.0 / 256);
  CHECK(heat.out_zero_point == -128);
  CHECK(heat.simd.size() > 1);
  CHECK(!simd::CheckProgram(heat.simd));
  // The global average pool: Compile's depthwise conv of weights 1 with the exact multiplier.
  const QuantLayer& gap = ByName(q, "gap");
  CHECK(gap.spec->global_avg_pool);
  CHECK(gap.params[0].scale == GlobalAvgMultiplier(64, false).scale);
}

TEST_CASE("each layer's output is the single-layer reference of its spec, params and input", "[network]") {
  // Recompute conv3 and res from their inputs with the reference operators directly.
  const QuantNetwork q = Quantize(Tiny());
  const QuantLayer& conv3 = ByName(q, "conv3");
  const ref::Tensor& in = ByName(q, "conv2").output;
  const std::vector<uint8_t> want =
      ref::ConvLayer(in, conv3.weights, GeometryOf(*conv3.spec), conv3.params, false, false);
  CHECK(conv3.output.data == want);
  const QuantLayer& res = ByName(q, "res");
  CHECK(res.output.data == ref::Eltwise(ByName(q, "pool1").output, conv3.output, ref::EltwiseKind::kAdd,
                                        res.params, true, true));
}

TEST_CASE("an add's inputs share one scale unless one of them has an activation's fixed scale", "[network]") {
  auto add_of = [](const std::string& a2_act) {
    const std::string yaml =
        "name: t\ndoc: add\nseed: 3\ninput: {channels: 4, height: 6, width: 6, signed: true}\n"
        "layers:\n"
        "  - {name: a, op: conv, out: 4, kernel: 1, act: relu}\n"
        "  - {name: a2, op: conv, input: input, out: 4, kernel: 1, act: " +
        a2_act +
        "}\n"
        "  - {name: r, op: add, inputs: [a, a2], act: relu}\n"
        "outputs: [r]\n";
    return Quantize(ParseNetworkText(yaml, "networks/t.yaml"));
  };
  SECTION("two calibrated convs: one scale, FUSED_RELU on a + b") {
    const QuantNetwork q = add_of("none");
    const QuantLayer& r = ByName(q, "r");
    CHECK(ByName(q, "a").out_scale == ByName(q, "a2").out_scale);
    CHECK_FALSE(r.rescale);
    CHECK(r.simd.size() == 1);
    CHECK(r.output.data == ref::Eltwise(ByName(q, "a").output, ByName(q, "a2").output, ref::EltwiseKind::kAdd,
                                        r.params, true, !r.spec->out_signed));
  }
  SECTION("a tanh input keeps its 1/128: the rescaled add") {
    const QuantNetwork q = add_of("tanh");
    const QuantLayer& r = ByName(q, "r");
    CHECK(ByName(q, "a2").out_scale == 1.0 / 128);
    REQUIRE(r.rescale);
    CHECK(r.simd == r.rescale->simd);
    CHECK(r.simd.size() > 1);
  }
}

TEST_CASE("the network is deterministic: same seed same bits, another seed other bits", "[network]") {
  const QuantNetwork a = Quantize(Tiny()), b = Quantize(Tiny());
  Network other = Tiny();
  other.seed = 2;
  const QuantNetwork c = Quantize(other);
  for (size_t i = 0; i < a.layers.size(); ++i) {
    INFO(a.layers[i].name);
    CHECK(a.layers[i].output.data == b.layers[i].output.data);
    CHECK(a.layers[i].weights.data == b.layers[i].weights.data);
    CHECK(a.layers[i].output.data != c.layers[i].output.data);
  }
}

TEST_CASE("a layer's weights depend on the seed and its name, not on the other layers", "[network]") {
  const QuantNetwork a = Quantize(Tiny());
  auto same_weights = [&](const QuantNetwork& other) {
    for (const QuantLayer& l : other.layers) {
      INFO(l.name);
      if (l.name == "extra") continue;
      CHECK(l.weights.data == ByName(a, l.name).weights.data);
      CHECK(l.bias == ByName(a, l.name).bias);
    }
  };
  SECTION("a layer inserted") {
    std::ifstream in(FindNetwork("tiny_net", kVectors));
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    const size_t at = s.find('\n', s.find("  - {name: side,")) + 1;  // the next layer names its inputs
    s.insert(at, "  - {name: extra, op: conv, input: conv2, out: 4, kernel: 1, act: relu}\n");
    same_weights(Quantize(ParseNetworkText(s, "networks/tiny_net.yaml")));
  }
  SECTION("a pool fused away (a layer fewer)") {
    same_weights(Quantize(FusePools(Tiny(), FindHwConfig("fsd"))));
  }
}

TEST_CASE("fusing a pool changes no bit of the network's outputs", "[network]") {
  const Network net = Tiny();
  std::vector<Fusion> fused;
  const Network f = FusePools(net, FindHwConfig("fsd"), &fused);
  REQUIRE(fused.size() == 1);  // pool1 into conv1 (32-pixel rows, 96 columns)
  CHECK(fused[0].pool == "pool1");
  const QuantNetwork a = Quantize(net), b = Quantize(f);
  CHECK(ByName(b, "conv1").output.data == ByName(a, "pool1").output.data);
  for (const char* out : {"heat", "fc"}) CHECK(ByName(a, out).output.data == ByName(b, out).output.data);
}

TEST_CASE("a calibration forced wrong is caught by the saturation check", "[network]") {
  QuantNetwork q = Quantize(Tiny());
  REQUIRE(CheckStats(q).empty());
  // conv3's multipliers 16 times too large (int8, no ReLU): most outputs hit -128 or 127.
  REQUIRE(q.layers[3].name == "conv3");
  for (auto& p : q.layers[3].params) p.shift = uint8_t(p.shift - 4);
  Execute(q, TestInput(q.net));
  const auto bad = CheckStats(q);
  REQUIRE(!bad.empty());
  CHECK(bad[0].find("tiny_net: layer 'conv3' saturates") == 0);
  // And one all at its zero point: a bias that pushes every accumulator below 0 under a ReLU.
  QuantNetwork z = Quantize(Tiny());
  for (auto& p : z.layers[2].params) p.bias = -(1 << 28);
  Execute(z, TestInput(z.net));
  const auto zero = CheckStats(z);
  REQUIRE(!zero.empty());
  CHECK(zero[0] == "tiny_net: layer 'conv2' gives only its zero point 0 on the test input");
}

TEST_CASE("scales that cannot be one are errors naming the layer", "[network]") {
  const std::string head =
      "name: t\ndoc: d\nseed: 1\ninput: {channels: 3, height: 8, width: 8, signed: true}\nlayers:\n";
  auto error = [&](const std::string& layers, const std::string& outputs) {
    try {
      Quantize(ParseNetworkText(head + layers + outputs, "networks/t.yaml"));
    } catch (const CompileError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  SECTION("a concat of a sigmoid (1/256, zero point -128) and a tanh (1/128, zero point 0)") {
    CHECK(
        error("  - {name: s, op: conv, out: 4, kernel: 1, act: sigmoid}\n"
              "  - {name: h, op: conv, input: input, out: 4, kernel: 1, act: tanh}\n"
              "  - {name: c, op: concat, inputs: [s, h]}\n",
              "outputs: [c]\n") ==
        "networks/t.yaml: key 'layers.h.act' gives act tanh's fixed output scale 0.0078125, zero point 0, to "
        "a tensor "
        "that shares one scale with another (through concat or pools) of scale 0.00390625, zero point -128");
  }
  SECTION("an add of a sigmoid, whose zero point is not 0") {
    CHECK(error("  - {name: s, op: conv, out: 4, kernel: 1, act: sigmoid}\n"
                "  - {name: h, op: conv, input: input, out: 4, kernel: 1, act: none}\n"
                "  - {name: a, op: add, inputs: [h, s], act: none}\n",
                "outputs: [a]\n") ==
          "networks/t.yaml: key 'layers.a.inputs' adds 's', whose zero point -128 is not 0 (the rescaled add "
          "takes real "
          "0 at byte 0)");
  }
  SECTION("a ReLU conv joins a concat at the scale of the add before it") {
    CHECK(error("  - {name: a, op: conv, out: 3, kernel: 1, act: none}\n"
                "  - {name: r, op: add, inputs: [a, input], act: relu}\n"
                "  - {name: b, op: conv, input: input, out: 4, kernel: 1, act: relu}\n"
                "  - {name: c, op: concat, inputs: [r, b]}\n",
                "outputs: [c]\n") == "(no error)");
  }
}

TEST_CASE("each quantized layer's spec compiles with the single-layer compiler and runs on the golden model",
          "[network]") {
  // The spec with its calibrated params, activation quantization and rescale is what Compile takes:
  // Compile's own seeded data through these parameters, equal on the golden model to the reference.
  const HwConfig& cfg = FindHwConfig("tiny");
  const QuantNetwork q = Quantize(Tiny());
  int compiled = 0;
  for (const QuantLayer& l : q.layers) {
    if (!l.spec) continue;
    INFO(l.name);
    TestSpec t;
    t.file = q.net.file;
    t.name = "tiny_net_" + l.name;
    t.seed = 5;
    t.layer = *l.spec;
    REQUIRE(Packed(t.layer.params) == Packed(l.params));  // Compile runs the calibrated parameters
    const Bundle b = testgen::BuildTest(t, cfg);          // the single-layer path with its seeded data
    EventRecorder rec;
    const RunResult r = GoldenModel(cfg).Run(b, rec);
    REQUIRE(r.ok);
    for (const Region& o : b.regions)
      if (o.kind == "output")
        CHECK(std::vector<uint8_t>(r.dram.begin() + long(o.dram_addr),
                                   r.dram.begin() + long(o.dram_addr + o.bytes)) == b.reference.at(o.name));
    // The program Compile emitted is the layer's.
    const std::vector<isa::SimdInstr> simd =
        isa::DecodeProgram(b.ProgramBytes()).instrs[size_t(b.instrs.size() - 2)].simd;
    CHECK(simd == l.simd);
    ++compiled;
  }
  CHECK(compiled == 8);  // conv1, conv2, conv3, res, side, heat, gap, fc
}
