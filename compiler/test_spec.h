// Test descriptions (vectors/<name>.yaml): one layer per test, a dot-product layer (conv, deconv or
// inner product) or a SIMD-only one (scale, eltwise), read and checked strictly. What the file says,
// before any configuration or data: the lowering (compiler/lowering.h) checks it against one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compiler/activation.h"
#include "compiler/compile_error.h"
#include "nna/isa.h"
#include "ref/ref_ops.h"

namespace nna::compiler {

// The layer kinds a test describes; each becomes one compute instruction of the same name.
enum class LayerOp { kConv, kDeconv, kInnerProduct, kScale, kEltwise };

// "conv", "deconv", "inner_product", "scale", "eltwise": the YAML spelling.
const char* ToString(LayerOp op);

// A parsed layer (what the compiler compiles). Kernel, stride, dilation, padding and groups
// belong to conv and deconv; output padding to deconv; an inner product uses only the input,
// output channels, signedness and order (its kernel is the whole input).
struct LayerSpec {
  LayerOp op = LayerOp::kConv;
  uint32_t in_c = 0, in_h = 0, in_w = 0;
  bool in_signed = true;
  // layer.input.tile: the input is the in_h x in_w window at (top, left) of a larger
  // in_c x height x width tensor in DRAM, which one 3-D DMA reads (docs/memory.md, "DMA").
  struct Tile {
    uint32_t height = 0, width = 0, top = 0, left = 0;
  };
  std::optional<Tile> in_tile;
  uint32_t out_c = 0;
  uint32_t kernel_h = 1, kernel_w = 1;
  uint32_t stride_h = 1, stride_w = 1;
  uint32_t dil_h = 1, dil_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  uint8_t pad_value =
      0;  // conv, deconv: the byte padding and gaps read (the input's zero point; ISA pad_value)
  uint32_t out_pad_h = 0, out_pad_w = 0;
  uint32_t groups = 1;
  bool wt_signed = true;
  bool out_signed = false;
  bool relu = true;
  isa::Order order = isa::Order::kPixelMajor;
  bool order_given = false;  // layer.order was in the file (else the compiler may choose channel_major)
  // An explicit SIMD program and its per-channel parameters (random_simd tests, random_layer.h).
  // Empty simd: one FUSED_RELU from relu and out_signed. Empty params: calibrated on the data.
  // Given params must have out_c entries; either replaces only what it names.
  std::vector<isa::SimdInstr> simd;
  std::vector<ref::ChannelParams> params;
  // The table of the program's LUT instructions (docs/simd.md, "The table"): empty (none), else
  // isa::kLutBytes bytes, which the lowering writes right after the channel parameters. Without
  // an explicit simd, the compiler appends LutInstr to the layer's program (FUSED_RELU, the
  // activation's or the exact mode's); an explicit simd with a LUT brings its own.
  std::vector<uint8_t> lut;
  // output.activation (docs/activations.md): the compiler lowers it with LowerActivation into simd and
  // params (each channel's seeded bias; the program's scale, shift and zero point, or for kRequant
  // the channel's calibrated scale and shift). Exclusive with relu and with an explicit simd.
  struct Act {
    Activation kind = Activation::kNone;
    ActQuant quant;  // quant.out_signed is out_signed
  };
  std::optional<Act> activation;
  // layer.output.requant (docs/onnx.md): how the accumulators become bytes. kFused (the default):
  // FUSED_RELU with the 16-bit scale and shift. kExact: onnxruntime's arithmetic
  // (ref::RequantizeExact) as the FP32 program ExactRequantProgram, with each channel's float32
  // multiplier and zero point (given in params, or calibrated: multiplier, else per channel).
  ref::RequantMode requant = ref::RequantMode::kFused;
  // layer.output.zero_point: the output's zero point (-128..127 or 0..255), either mode; the
  // calibration maps the larger side of it to the range's end.
  int32_t out_zero_point = 0;
  // layer.output.multiplier (exact mode): every channel's float32 multiplier, not calibrated.
  std::optional<float> multiplier;
  // output.pool (docs/architecture.md, "Fused pooling"): the CONV's pool fields. The compiler pools the
  // output (after the SIMD program) into C x ph_n x pw_n, picks channel_major when there are
  // several channel tiles and checks the window against the hardware's rules.
  struct Pool {
    isa::PoolOp op = isa::PoolOp::kMax;
    uint32_t size = 2, stride = 2, pad = 0;
  };
  std::optional<Pool> pool;
  // op global_avg_pool: parsed as the depthwise conv that computes it (groups = channels, kernel =
  // the whole plane, out_c = in_c, weights all 1, bias 0, output signedness the input's, no ReLU);
  // the compiler replaces the calibration by the scale and shift of GlobalAvgMultiplier and the
  // reference by the exact rounded average.
  bool global_avg_pool = false;
  // op scale and eltwise (docs/architecture.md, "SIMD-only instructions"): parsed as the depthwise
  // 1x1 conv whose fields they run with (groups = out_c = in_c, kernel 1x1). eltwise reads a second
  // tensor b of the input's shape and signedness and combines it with a by `eltwise`; an add may
  // instead be `rescale`d: a and b with their own real scales into the output's (a residual).
  isa::EltwiseOp eltwise = isa::EltwiseOp::kAdd;
  struct Rescale {
    double a_scale = 1, b_scale = 1, out_scale = 1;
    int32_t zero_point = 0;  // in the output type's range
  };
  std::optional<Rescale> rescale;
};

// True for the SIMD-only layers (scale, eltwise): no weights, no dot products.
inline bool SimdOnly(LayerOp op) { return op == LayerOp::kScale || op == LayerOp::kEltwise; }

// Flags per buffer of a multi-frame program (docs/memory.md, "Frames and buffers"): one that says the
// input buffer is loaded, one that says the output buffer holds a result not yet written to DRAM.
constexpr uint32_t kMaxBuffers = 4;
constexpr uint32_t kMaxFrames = 64;

struct TestSpec {
  std::string file;  // as shown in messages: "vectors/conv3x3.yaml"
  std::string name;
  std::string doc;
  uint64_t seed = 0;
  LayerSpec layer;
  // The layer runs on `frames` inputs in one program; the frames take turns in `buffers` input and
  // output buffers of SRAM, and dependency flags keep each DMA off a buffer still in use (paper
  // fig. 6). One buffer serialises loading, computing and writing back; two let them overlap.
  uint32_t frames = 1;
  uint32_t buffers = 1;
  // Pad the SRAM distance of channel planes against bank conflicts (docs/memory.md, "Plane
  // padding"); false keeps them dense, to measure what the padding saves.
  bool plane_padding = true;
  // The seeded bytes of the input(s) and the weights: uniform over their type (the default), or,
  // `data: high`, uniform over its 16 largest values (uint8 240..255, int8 112..127), so that long
  // dot products reach the accumulator's extremes and fused averages the top of the output range.
  bool data_high = false;
  // layer.output.lut: random (dot-product layers): the layer's program ends in LUT with a table of
  // bytes seeded by `seed` (testgen draws it into layer.lut before planning).
  bool lut_random = false;
};

// Reads and validates a test description (no configuration needed yet).
TestSpec ParseTestFile(const std::filesystem::path& yaml);

}  // namespace nna::compiler
