// The single-layer compiler: a test description (compiler/test_spec.h) and the data it runs on to
// a bundle (program, DRAM image, regions) for one hardware configuration, in three steps:
//   PlanLayer      lowering, SIMD program, SRAM placement and the program itself (no data yet);
//   QuantizeLayer  the channel parameters calibrated on the data (compiler/layer_quant.h);
//   AssembleLayer  the program and the data in the DRAM image, with their regions.
// The data and the reference outputs are the test generator's (testgen/), which runs the steps.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "bundle/bundle.h"
#include "compiler/activation.h"
#include "compiler/compile_error.h"
#include "compiler/layer_quant.h"
#include "compiler/lowering.h"
#include "compiler/test_spec.h"
#include "isa/program.h"
#include "nna/configs.h"
#include "ref/ref_ops.h"

namespace nna::compiler {

// Where a bundle's program and data go: the program at sram_base, the regions after it; DRAM keeps
// the same order shifted to dram_base. The defaults are the one-program layout (docs/bundle.md);
// other bases put several programs into disjoint ranges of one SRAM and one DRAM (docs/memory.md,
// "Several programs and frames"). Both must be multiples of 64.
struct Placement {
  uint64_t sram_base = 0;
  uint64_t dram_base = 0x1000;  // a zero page first: DRAM address 0 is never used
};

// The SRAM addresses of a layer's program and tensors; DRAM holds the same order from the
// placement's DRAM base, then the later frames' tensors (or a tile's whole tensor).
struct LayerLayout {
  PlanarLayout in, out;                     // input and output planes, padded in SRAM against bank conflicts
  std::vector<uint64_t> in_sram, out_sram;  // per buffer
  uint64_t prog_sram = 0, in2_sram = 0, param_sram = 0, wt_sram = 0, end_sram = 0;
  DmaShape wt_dma{0, 0};
};

// A layer planned for a configuration and a placement: everything but the data.
struct LayerPlan {
  TestSpec spec;  // an activation lowered into spec.layer.simd
  const HwConfig* cfg = nullptr;
  Placement at;
  Lowering x;
  std::optional<ActProgram> act;
  std::optional<RescaleProgram> rescale;
  uint64_t in_bytes = 0, out_bytes = 0, wt_bytes = 0, param_bytes = 0;  // dense sizes of one frame
  LayerLayout sram;
  std::vector<isa::Instruction> program;  // with its flags, numbered by AssembleLayer

  const LayerSpec& layer() const { return spec.layer; }
  uint64_t Dram(uint64_t sram) const { return sram - at.sram_base + at.dram_base; }
  uint64_t InDram(uint32_t frame) const;  // frame 0 where its buffer's image is, later ones after the image
  uint64_t OutDram(uint32_t frame) const;
  uint64_t AfterImage() const { return AlignUp(Dram(sram.end_sram)); }  // a tile's whole tensor, later frames
  uint64_t DramEnd() const;
};

// Checks the layer against cfg and plans it at `at`. Throws CompileError (one sentence naming
// spec.file, the key and the value) for a shape that is not legal, that the configuration cannot
// run, or that the placement's SRAM range does not hold.
LayerPlan PlanLayer(const TestSpec& spec, const HwConfig& cfg, const Placement& at = {});

// The data a layer runs on (drawn by testgen/). Dot-product layers have weights and one bias per
// output channel; SCALE a bias and a real multiplier per channel; ELTWISE a second tensor.
struct LayerData {
  ref::Tensor input;                      // frame 0's input (a tile: the window the layer reads)
  std::optional<ref::Tensor> tiled;       // layer.input.tile: the whole tensor in DRAM
  ref::Tensor input_b;                    // ELTWISE's tensor b
  std::vector<ref::Tensor> later_inputs;  // frames 1, 2, ...
  ref::Weights weights;
  std::vector<int32_t> bias;
  std::vector<double> gamma;
};

// The channel parameters (layer.params, or calibrated on frame 0's data) and, for a dot-product
// layer, frame 0's exact accumulators. A layer whose accumulators can overflow 30 bits gets one
// warning line on stderr.
struct LayerQuant {
  std::vector<ref::ChannelParams> params;
  LayerAccumulators acc;
};
LayerQuant QuantizeLayer(const LayerPlan& plan, const LayerData& data);

// The bundle: the program, the data and the parameters in the DRAM image, every region (the output
// regions without their reference bytes, which the caller adds).
Bundle AssembleLayer(const LayerPlan& plan, const LayerData& data,
                     const std::vector<ref::ChannelParams>& params);

}  // namespace nna::compiler
