// A layer test made from its description: the seeded data, the compiler's plan, quantization and
// assembly (compiler/compiler.h), and the reference outputs, in one bundle.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "bundle/bundle.h"
#include "compiler/compiler.h"
#include "nna/configs.h"

namespace nna::testgen {

// The data of a planned layer, drawn from spec.seed: the input (a tile's whole tensor, then its
// window), ELTWISE's tensor b, then what the layer kind draws: a dot-product layer's weights and
// biases (a global average pool's: all 1, bias 0), SCALE's per-channel offset in [-32, 32] and real
// multiplier in [0.5, 4). The inputs of frames 1, 2, ... come from a stream of their own, so that
// frame 0 is the one-frame test's.
compiler::LayerData DrawLayerData(const compiler::LayerPlan& plan);

// The expected bytes of every frame's output: the reference operators (written independently of
// the hardware's loop nest) with the quantization's parameters.
std::vector<std::vector<uint8_t>> ReferenceOutputs(const compiler::LayerPlan& plan,
                                                   const compiler::LayerData& data,
                                                   const compiler::LayerQuant& quant);

// The table of layer.output.lut: random, isa::kLutBytes bytes drawn from a stream of the seed.
std::vector<uint8_t> SeededLut(uint64_t seed);

// The bundle of a test description with its references ("output", "output_frame<f>"). Throws
// compiler::CompileError (one sentence naming spec.file, the key and the value) for bad input; a
// layer whose accumulators can overflow 30 bits builds with one warning line on stderr.
Bundle BuildTest(const compiler::TestSpec& spec, const HwConfig& cfg, const compiler::Placement& at = {});

// The fused mode against the exact reference (docs/onnx.md) on a dot-product layer's data: the layer
// calibrated in the exact mode (requant exact, its file's zero point), its outputs by
// ref::RequantizeExact and by FUSED_RELU with the nearest scale and shift (compiler::FusedOf),
// before any pooling. How many differ and by how much at most (output LSB). Throws CompileError
// for a layer without that choice (an activation, a SIMD-only op, a global average pool).
struct RequantDifference {
  uint64_t outputs = 0, off = 0;
  int64_t max_error = 0;
};
RequantDifference FusedAgainstExact(compiler::TestSpec spec, const HwConfig& cfg);

// Reads, validates and builds a test description for a configuration; seed overrides the file's.
Bundle BuildTestFile(const std::filesystem::path& yaml, const HwConfig& cfg,
                     std::optional<uint64_t> seed = {}, const compiler::Placement& at = {});

}  // namespace nna::testgen
