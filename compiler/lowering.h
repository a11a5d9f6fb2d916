// The lowering of one layer to a compute instruction and its SRAM layout, shared by the single-layer
// path (compiler.h, one layer per program) and the network lowering (compiler/network/lower.h), so
// that both emit the same instruction for the same layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/layer_quant.h"
#include "compiler/test_spec.h"
#include "compiler/yaml_doc.h"
#include "isa/program.h"
#include "nna/configs.h"
#include "nna/isa.h"
#include "ref/ref_ops.h"

namespace nna::compiler {

constexpr uint64_t kAlign = 64;  // SRAM and DRAM placement of every region

inline uint64_t AlignUp(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
inline uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

constexpr uint64_t kMaxRowBytes = isa::DmaInstr::kMaxRowBytes, kMaxRows = isa::DmaInstr::kMaxRows;

struct DmaShape {
  uint64_t rows, row_bytes;
};

// The SRAM distance between the channel planes of a tensor whose planes have `plane` bytes, padded
// against bank conflicts when `pad` (docs/memory.md, "Plane padding").
uint64_t PlaneStride(uint64_t plane, uint64_t len, const HwConfig& cfg, bool pad);

// A planar tensor in SRAM: its DMA (dense in DRAM), the SRAM distance of the DMA's rows, the
// instruction's plane stride and the SRAM bytes it spans. Only a DMA with a row per plane pads.
struct PlanarLayout {
  DmaShape dma;
  uint64_t sram_stride = 0, plane_stride = 0, sram_bytes = 0;
};
PlanarLayout Planar(const Doc& doc, const std::string& what, uint64_t c, uint64_t h, uint64_t w,
                    const HwConfig& cfg, bool pad);

// The compute instruction a layer lowers to (docs/architecture.md, "Dot-product instructions").
struct Lowering {
  isa::Opcode opcode = isa::Opcode::kConv;
  uint64_t in_c = 0, in_h = 0, in_w = 0;  // as the instruction reads the input (inner product: reshaped)
  uint64_t out_h = 0, out_w = 0;
  uint64_t kernel_h = 1, kernel_w = 1;
  uint64_t group_in_c = 0, group_out_c = 0, group_tiles = 0, ch_tiles = 0;
  uint64_t dot_len = 0, pix_tiles = 0, wt_tile_bytes = 0;
  isa::Order order = isa::Order::kPixelMajor;
  uint64_t res_h = 0, res_w = 0;  // what is written: the output, or the pooled output (ph_n x pw_n)
};

// Checks what the parser cannot (the relations between keys) and the configuration's limits;
// errors name d's file and the test description's keys.
Lowering Lower(const Doc& d, const LayerSpec& l, const HwConfig& cfg);

// The weights as one DMA: a row per channel tile, or a row per array row of a tile (dot_len bytes)
// when a tile is past the row_bytes field; m is the array's rows.
DmaShape WeightDma(const Doc& d, const Lowering& x, uint64_t m);

// The SIMD program of a layer: the rescaled add's, the layer's own (l.simd), or FUSED_RELU alone.
std::vector<isa::SimdInstr> SimdProgramOf(const LayerSpec& l, const RescaleProgram* rescale);

// Where a compute instruction's operands are in SRAM. The input is read at in_row_stride (a column
// window of a wider tensor) or, when 0, with dense rows of the lowered input width.
struct Operands {
  uint64_t in_addr = 0, in2_addr = 0, wt_addr = 0, param_addr = 0, out_addr = 0;
  uint64_t in_row_stride = 0, in_plane_stride = 0, out_plane_stride = 0;
};

// The compute instruction of a lowered layer (flags clear), checked against the pooling unit's
// rules (a CompileError naming layer.output.pool otherwise).
isa::Instruction ComputeInstruction(const Doc& d, const LayerSpec& l, const Lowering& x,
                                    std::vector<isa::SimdInstr> simd, const Operands& at,
                                    const HwConfig& cfg);

// The bytes the instruction reads: weights pre-ordered in channel tiles (docs/architecture.md) and
// a 16-byte channel_params record per output channel, then the LUT table when there is one (at
// param_addr + 16 * out_c, docs/simd.md "The table").
std::vector<uint8_t> WeightBytes(const LayerSpec& l, const ref::Weights& w, const HwConfig& cfg);
std::vector<uint8_t> ParamBytes(const std::vector<ref::ChannelParams>& params,
                                const std::vector<uint8_t>& lut = {});

}  // namespace nna::compiler
