// Random layers for the regression: a seed draws one legal dot-product layer (conv, grouped or
// depthwise conv, deconv or inner product) or SIMD-only layer (scale, eltwise) sized for a
// configuration. The drawing uses only
// integer arithmetic on a fixed generator, so a seed gives the same layer on every machine.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/test_spec.h"
#include "nna/configs.h"

namespace nna::testgen {

// A rough cost of a layer on a configuration, for sizing tests (not the performance model):
// cycles = pix_tiles*ch_tiles*max(dot_len, rows) dot-product cycles (SCALE and ELTWISE: dot_len, one row
// or a pair per tile) + 2 per AXI beat of its DMA.
// model_work = multiply-accumulates the golden model performs (every lane of every row it uses).
struct LayerCost {
  bool fits = false;  // a legal shape whose regions fit the SRAM and parameter entries
  uint64_t cycles = 0;
  uint64_t model_work = 0;
  uint64_t sram_bytes = 0;
};
LayerCost EstimateCost(const compiler::LayerSpec& layer, const HwConfig& cfg);

// The layer drawn from seed for cfg, with cost.cycles below 100k on arrays of fewer than 1024
// cells (tiny) and 40k otherwise (fsd). Its name encodes the shape (docs/adding-a-test.md):
//   rnd<seed>_<op>_i<C>x<H>x<W>_o<Cout>[_k<R>x<S>_s<h>x<w>_d<h>x<w>_p<t>,<b>,<l>,<r>[_pv<B>][_op<h>x<w>]_g<G>]
//     _<input><weights><output signedness: s or
//     u>_<relu|lin>_<pm|cm>[_exact][_zp<N>][_<max|avg><size>s<stride>p<pad>]
// (_exact: requant exact for a quarter of the layers; _zp: an output zero point, for those and another
// quarter; _pv: the byte padding and a deconv's gaps read, an input zero point, for a third of the convs
// and deconvs; the last part when a fused pool was drawn, for a quarter of the convolutions that can pool),
// e.g. rnd42_conv_i3x31x29_o24_k3x3_s2x2_d1x1_p1,0,1,1_g1_suu_relu_pm. seed is also the data seed. An eighth
// of the seeds (a stream of their own: the other seeds keep their layers) replace the layer by a SCALE or
// ELTWISE (add, mul, max; half the adds rescaled) of its input's shape and signedness, with random output
// signedness and ReLU, named
//   rnd<seed>_<scale|eltwise_<add|mul|max>[_rescale]>_i<C>x<H>x<W>_<input><output>_<relu|lin>
// e.g. rnd17_eltwise_max_i10x12x12_us_relu.
compiler::TestSpec RandomTestSpec(uint64_t seed, const HwConfig& cfg);

// The random_simd test of seed: a dot-product layer drawn like RandomTestSpec's (its own draw, a quarter of
// the cycle budget, at least 8 output channels) whose SIMD program is simd::RandomSimdProgram
// and whose channel parameters are simd::RandomChannelParams, one per output channel, all from
// seed. A quarter of the seeds (a stream of their own) run the program on a SCALE or ELTWISE
// (add, mul or max, not rescaled) of the drawn layer's input shape with at least 8 channels; the
// expected output is the program on each element's entry registers (docs/simd.md).
// Its name is the layer's, prefixed rsimd instead of rnd and without relu/lin (the program
// decides), then
//   _simd<program length>[f][p][l]
// with f when the program has a binary32 op, p a predicated instruction, l an ldparam; e.g.
// rsimd7_conv_i70x3x10_o8_k1x7_s1x1_d1x1_p0,0,3,3_g1_uss_pm_simd15fpl.
compiler::TestSpec RandomSimdTestSpec(uint64_t seed, const HwConfig& cfg);

}  // namespace nna::testgen
