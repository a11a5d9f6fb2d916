// The layer compiler: reads a test description (vectors/<name>.yaml), checks it strictly, makes
// seeded data, calibrates the quantization and emits a bundle (program, DRAM image, reference
// output) for one hardware configuration. One layer per test: a dot-product layer (conv, deconv or
// inner product) or a SIMD-only one (scale, eltwise).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "compiler/activation.h"
#include "nna/configs.h"
#include "nna/isa.h"
#include "ref/ref_ops.h"

namespace nna::compiler {

struct CompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// vectors_dir/<name>.yaml; throws CompileError "no test 'x' in <dir> (known: a, b, ...)".
std::filesystem::path FindTest(const std::string& name, const std::filesystem::path& vectors_dir);

// Names of every test description in vectors_dir, sorted.
std::vector<std::string> KnownTests(const std::filesystem::path& vectors_dir);

// Where a bundle's program and data go: the program at sram_base, the regions after it; DRAM keeps
// the same order shifted to dram_base. The defaults are the one-program layout (docs/bundle.md);
// other bases put several programs into disjoint ranges of one SRAM and one DRAM (docs/memory.md,
// "Several programs and frames"). Both must be multiples of 64.
struct Placement {
  uint64_t sram_base = 0;
  uint64_t dram_base = 0x1000;  // a zero page first: DRAM address 0 is never used
};

// Reads, validates and compiles a test description for a configuration. seed overrides the file's.
// Throws CompileError with ONE sentence naming file, key and value for any bad input.
Bundle CompileTestFile(const std::filesystem::path& yaml, const HwConfig& cfg, std::optional<uint64_t> seed = {},
                       const Placement& at = {});

// The layer kinds a test describes; each becomes one compute instruction of the same name.
enum class LayerOp { kConv, kDeconv, kInnerProduct, kScale, kEltwise };

// "conv", "deconv", "inner_product", "scale", "eltwise": the YAML spelling.
const char* ToString(LayerOp op);

// A parsed layer (what CompileTestFile compiles). Kernel, stride, dilation, padding and groups
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
  uint32_t out_pad_h = 0, out_pad_w = 0;
  uint32_t groups = 1;
  bool wt_signed = true;
  bool out_signed = false;
  bool relu = true;
  isa::Order order = isa::Order::kPixelMajor;
  bool order_given = false;  // layer.order was in the file (else Compile may choose channel_major)
  // An explicit SIMD program and its per-channel parameters (random_simd tests, random_layer.h).
  // Empty simd: one FUSED_RELU from relu and out_signed. Empty params: calibrated on the data.
  // Given params must have out_c entries; either replaces only what it names.
  std::vector<isa::SimdInstr> simd;
  std::vector<ref::ChannelParams> params;
  // output.activation (docs/activations.md): Compile lowers it with LowerActivation into simd and
  // params (each channel's seeded bias; the program's scale, shift and zero point, or for kRequant
  // the channel's calibrated scale and shift). Exclusive with relu and with an explicit simd.
  struct Act {
    Activation kind = Activation::kNone;
    ActQuant quant;  // quant.out_signed is out_signed
  };
  std::optional<Act> activation;
  // output.pool (docs/architecture.md, "Fused pooling"): the CONV's pool fields. Compile pools the
  // output (after the SIMD program) into C x ph_n x pw_n, picks channel_major when there are
  // several channel tiles and checks the window against the hardware's rules.
  struct Pool {
    isa::PoolOp op = isa::PoolOp::kMax;
    uint32_t size = 2, stride = 2, pad = 0;
  };
  std::optional<Pool> pool;
  // op global_avg_pool: parsed as the depthwise conv that computes it (groups = channels, kernel =
  // the whole plane, out_c = in_c, weights all 1, bias 0, output signedness the input's, no ReLU);
  // Compile replaces the calibration by the scale and shift of GlobalAvgMultiplier and the
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
};

// Reads and validates a test description (no configuration needed yet).
TestSpec ParseTestFile(const std::filesystem::path& yaml);

// Checks the layer's shape and compiles it; throws CompileError (one sentence naming spec.file, the
// key and the value) for a shape that is not legal or that the configuration cannot run. A layer
// whose accumulators can overflow 30 bits compiles with one warning line on stderr. A placement
// whose SRAM range does not hold the layer is such a CompileError too.
Bundle Compile(const TestSpec& spec, const HwConfig& cfg, const Placement& at = {});

// FUSED_RELU parameters (bias 0, no ReLU, zero point 0) that turn the sum of `count` bytes into
// their average floor(sum/count + 1/2): the largest shift whose scale round(2^shift/count) fits 16
// bits. `exact` says whether (sum*scale + 2^(shift-1)) >> shift equals that average for EVERY sum
// of `count` int8 (is_signed) or uint8 bytes; if not, `sum`, `got` and `want` are the first sum
// (from the most negative) that differs.
struct AvgMultiplier {
  uint16_t scale = 1;
  uint8_t shift = 0;
  bool exact = false;
  int64_t sum = 0, got = 0, want = 0;
};
AvgMultiplier GlobalAvgMultiplier(uint64_t count, bool is_signed);

// The reference of a dot-product layer (conv, deconv, inner product, global_avg_pool), as Compile
// computes it and the network quantizer (compiler/network) reuses it, so both give the same bits.
// The exact accumulators of one input, (out_c, out_h, out_w) row-major (inner product: 1x1).
struct LayerAccumulators {
  std::vector<int64_t> acc;
  uint32_t out_h = 0, out_w = 0;
};
// Zeroed weights of the layer's shape, (Cout, Cin/groups, R, S); an inner product's are (Cout, C,
// H, W) of its input. And the geometry of the reference operators.
ref::Weights WeightsOf(const LayerSpec& l);
ref::ConvGeometry GeometryOf(const LayerSpec& l);
LayerAccumulators Accumulate(const LayerSpec& l, const ref::Tensor& in, const ref::Weights& weights);
// The channel parameters calibrated on accumulators: per channel the scale and shift that map
// max |Wrap30(acc) + bias| to 127 (int8 output) or 255 (uint8), an inner product's channels sharing
// the layer's maximum; a global average pool's exact multiplier (bias 0); with an activation the
// program's own parameters and the channel's bias (ChannelOf).
std::vector<ref::ChannelParams> CalibrateLayer(const LayerSpec& l, const LayerAccumulators& a,
                                               const std::vector<int32_t>& bias, const ActProgram* act);
// The output bytes: FUSED_RELU (l.relu, l.out_signed) or, with l.simd, the program on every lane;
// a global average pool's exact rounded average; then l.pool.
std::vector<uint8_t> LayerOutput(const LayerSpec& l, const ref::Tensor& in, const LayerAccumulators& a,
                                 const std::vector<ref::ChannelParams>& params);

// The program of a layer without an activation: FUSED_RELU v0, v0 alone (flags: relu, unsigned).
isa::SimdInstr FusedReluInstr(bool relu, bool out_signed);

// The rescaled add of an eltwise layer: the SIMD program v0 = int32(ka*v1 + kb*v2) (movi, mul.i32,
// add.i32), then FUSED_RELU with bias 0 and `params`' scale, shift and zero point, so that the
// output byte approximates round((a*a_scale + b*b_scale)/out_scale) + zero_point. ka and kb carry
// the ratio of the two input scales (the larger is 2^20, so |ka*a + kb*b| < 2^29 for any bytes);
// scale * 2^-shift carries the larger of a_scale/out_scale, b_scale/out_scale divided by 2^20.
// Throws CompileError (one sentence naming the value) when the ratios do not fit.
struct RescaleProgram {
  int32_t ka = 0, kb = 0;
  ref::ChannelParams params;  // bias 0
  std::vector<isa::SimdInstr> simd;
};
RescaleProgram LowerRescaledAdd(const LayerSpec::Rescale& r, bool relu, bool out_signed);

// The rescaled add's error against the real formula (a*a_scale + b*b_scale)/out_scale + zero_point,
// after the ReLU and saturated to the output type, over every pair of input bytes: the largest
// |output - real| in output LSB, and how many pairs give the nearest byte (a tie accepts either).
struct RescaleAccuracy {
  uint64_t pairs = 0, nearest = 0;
  double max_error_lsb = 0;
  int32_t worst_a = 0, worst_b = 0;
};
RescaleAccuracy MeasureRescaledAdd(const LayerSpec::Rescale& r, const RescaleProgram& p, bool in_signed, bool relu,
                                   bool out_signed);

// A short one-line summary of an instruction of a compiled bundle, for the nnac table.
std::string Summary(const Bundle& bundle, uint32_t index);

}  // namespace nna::compiler
