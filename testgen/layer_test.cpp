#include "testgen/layer_test.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "util/split_mix64.h"

namespace nna::testgen {

using compiler::LayerOp;
using compiler::LayerSpec;

namespace {

// A seeded byte: uniform over its type, or (`data: high`) over its type's 16 largest values.
uint8_t SeededByte(bool high, bool is_signed, SplitMix64& rng) {
  const uint8_t b = uint8_t(rng.Next());
  if (!high) return b;
  return uint8_t((is_signed ? 0x70 : 0xF0) | (b & 0x0F));
}

ref::Tensor Seeded(uint32_t c, uint32_t h, uint32_t w, bool is_signed, bool high, SplitMix64& rng) {
  ref::Tensor t(c, h, w, is_signed);
  for (auto& b : t.data) b = SeededByte(high, is_signed, rng);
  return t;
}

// The input (a tile: the whole tensor is seeded, the layer's input is its window) and ELTWISE's b.
void DrawInputs(const LayerSpec& l, bool high, SplitMix64& rng, compiler::LayerData* data) {
  if (l.in_tile) {
    const LayerSpec::Tile& t = *l.in_tile;
    data->tiled = Seeded(l.in_c, t.height, t.width, l.in_signed, high, rng);
    data->input = ref::Tensor(l.in_c, l.in_h, l.in_w, l.in_signed);
    for (uint32_t ch = 0; ch < l.in_c; ++ch)
      for (uint32_t y = 0; y < l.in_h; ++y)
        for (uint32_t x = 0; x < l.in_w; ++x)
          data->input.data[(uint64_t(ch) * l.in_h + y) * l.in_w + x] =
              data->tiled->data[(uint64_t(ch) * t.height + t.top + y) * t.width + t.left + x];
  } else {
    data->input = Seeded(l.in_c, l.in_h, l.in_w, l.in_signed, high, rng);
  }
  if (l.op == LayerOp::kEltwise) data->input_b = Seeded(l.in_c, l.in_h, l.in_w, l.in_signed, high, rng);
}

}  // namespace

compiler::LayerData DrawLayerData(const compiler::LayerPlan& plan) {
  const LayerSpec& l = plan.layer();
  compiler::LayerData data;
  SplitMix64 rng(plan.spec.seed);
  const bool high = plan.spec.data_high;
  DrawInputs(l, high, rng, &data);
  SplitMix64 frame_rng(plan.spec.seed ^ 0x6672616D6573ull);  // "frames"
  for (uint32_t f = 1; f < plan.spec.frames; ++f)
    data.later_inputs.push_back(Seeded(l.in_c, l.in_h, l.in_w, l.in_signed, high, frame_rng));
  if (l.op == LayerOp::kScale) {
    for (uint32_t co = 0; co < l.in_c; ++co) {
      data.bias.push_back(int32_t(rng.Range(0, 64)) - 32);
      data.gamma.push_back(double(rng.Range(1024, 8191)) / 2048);  // exact in binary
    }
  } else if (!compiler::SimdOnly(l.op)) {
    // After the input: weights, then biases. Weights are (Cout, Cin/groups, R, S); an inner
    // product's are (Cout, C, H, W) of the input as described.
    data.weights = compiler::WeightsOf(l);
    for (auto& b : data.weights.data) b = SeededByte(high, l.wt_signed, rng);
    data.bias.resize(l.out_c);
    for (auto& b : data.bias) b = int32_t(int64_t(rng.Range(0, 2048)) - 1024);
    if (l.global_avg_pool) {  // a sum per channel: weights 1, bias 0
      std::fill(data.weights.data.begin(), data.weights.data.end(), uint8_t(1));
      std::fill(data.bias.begin(), data.bias.end(), 0);
    }
  }
  return data;
}

std::vector<std::vector<uint8_t>> ReferenceOutputs(const compiler::LayerPlan& plan,
                                                   const compiler::LayerData& data,
                                                   const compiler::LayerQuant& quant) {
  const LayerSpec& l = plan.layer();
  if (compiler::SimdOnly(l.op))
    return {compiler::SimdOnlyOutput(l, data.input, data.input_b, quant.params,
                                     plan.rescale ? &*plan.rescale : nullptr)};
  auto output = [&](const ref::Tensor& in, const compiler::LayerAccumulators& sums) {
    if (sums.out_h != plan.x.out_h || sums.out_w != plan.x.out_w)
      throw std::logic_error("nnac: reference and lowering disagree on the output size");
    std::vector<uint8_t> out = compiler::LayerOutput(l, in, sums, quant.params);
    if (out.size() != plan.out_bytes)
      throw std::logic_error("nnac: reference and lowering disagree on the output");
    return out;
  };
  std::vector<std::vector<uint8_t>> refs{output(data.input, quant.acc)};
  for (const ref::Tensor& in : data.later_inputs)
    refs.push_back(output(in, compiler::Accumulate(l, in, data.weights)));
  return refs;
}

std::vector<uint8_t> SeededLut(uint64_t seed) {
  SplitMix64 rng(seed ^ 0x6C7574ull);  // "lut": a stream of its own, the data's stay as they were
  std::vector<uint8_t> lut(isa::kLutBytes);
  for (uint8_t& b : lut) b = uint8_t(rng.Next());
  return lut;
}

Bundle BuildTest(const compiler::TestSpec& given, const HwConfig& cfg, const compiler::Placement& at) {
  compiler::TestSpec spec = given;
  if (spec.lut_random) spec.layer.lut = SeededLut(spec.seed);
  const compiler::LayerPlan plan = compiler::PlanLayer(spec, cfg, at);
  const compiler::LayerData data = DrawLayerData(plan);
  const compiler::LayerQuant quant = compiler::QuantizeLayer(plan, data);
  std::vector<std::vector<uint8_t>> refs = ReferenceOutputs(plan, data, quant);
  Bundle b = compiler::AssembleLayer(plan, data, quant.params);
  b.reference["output"] = std::move(refs[0]);
  for (uint32_t f = 1; f < refs.size(); ++f)
    b.reference["output_frame" + std::to_string(f)] = std::move(refs[f]);
  return b;
}

RequantDifference FusedAgainstExact(compiler::TestSpec spec, const HwConfig& cfg) {
  LayerSpec& l = spec.layer;
  if (l.activation || compiler::SimdOnly(l.op) || l.global_avg_pool || !l.simd.empty())
    throw compiler::CompileError(spec.file + ": test '" + spec.name +
                                 "' has no fused-or-exact choice (it is an activation, SIMD-only, a global "
                                 "average pool or an explicit SIMD program)");
  l.requant = ref::RequantMode::kExact;
  const compiler::LayerPlan plan = compiler::PlanLayer(spec, cfg);
  const compiler::LayerData data = DrawLayerData(plan);
  const compiler::LayerQuant quant = compiler::QuantizeLayer(plan, data);
  std::vector<ref::ChannelParams> fused;
  for (const ref::ChannelParams& p : quant.params) fused.push_back(compiler::FusedOf(p));
  const std::vector<uint8_t> want = ref::Requantize(quant.acc.acc, l.out_c, quant.params, l.relu,
                                                    !l.out_signed, ref::RequantMode::kExact),
                             got = ref::Requantize(quant.acc.acc, l.out_c, fused, l.relu, !l.out_signed);
  RequantDifference d;
  d.outputs = want.size();
  auto value = [&](uint8_t b) { return l.out_signed ? int64_t(int8_t(b)) : int64_t(b); };
  for (size_t i = 0; i < want.size(); ++i) {
    const int64_t e = std::abs(value(got[i]) - value(want[i]));
    if (e != 0) ++d.off;
    d.max_error = std::max(d.max_error, e);
  }
  return d;
}

Bundle BuildTestFile(const std::filesystem::path& yaml, const HwConfig& cfg, std::optional<uint64_t> seed,
                     const compiler::Placement& at) {
  compiler::TestSpec spec = compiler::ParseTestFile(yaml);
  if (seed) spec.seed = *seed;
  return BuildTest(spec, cfg, at);
}

}  // namespace nna::testgen
