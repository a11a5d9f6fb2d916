// Program helpers on top of the generated encoders (nna/isa.h): a decoded instruction, a decoder
// that walks program words, an encoder for whole instructions and a one-line disassembler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nna/isa.h"

namespace nna::isa {

// One decoded instruction: a DMA instruction, or a compute instruction with its SIMD program.
struct Instruction {
  uint32_t index = 0;  // position in the program (DMA and compute counted together)
  uint64_t word = 0;   // first program word
  uint32_t words = 0;  // program words it occupies
  Opcode opcode{};
  DmaInstr dma;                 // valid when IsDma()
  DmaPlanesInstr planes;        // valid when IsDma() and dma.planes_word (a 3-D block)
  ComputeInstr compute;         // valid otherwise
  std::vector<SimdInstr> simd;  // the compute instruction's SIMD program

  bool IsDma() const { return FormatOf(opcode) == Format::kDma; }
  uint64_t WaitSet() const { return IsDma() ? dma.wait_set : compute.wait_set; }
  uint64_t WaitClear() const { return IsDma() ? dma.wait_clear : compute.wait_clear; }
  uint64_t DoneSet() const { return IsDma() ? dma.done_set : compute.done_set; }
  uint64_t DoneClear() const { return IsDma() ? dma.done_clear : compute.done_clear; }
};

// A DMA instruction's block: planes x rows x row_bytes; plane p, row r starts at
// dram_addr + p*dram_plane_stride + r*dram_stride and sram_addr + p*sram_plane_stride + r*sram_stride.
inline uint64_t DmaPlanes(const Instruction& in) { return in.dma.planes_word ? in.planes.planes : 1; }
inline uint64_t DmaBytes(const Instruction& in) { return DmaPlanes(in) * in.dma.rows * in.dma.row_bytes; }
// One past the last byte the block touches in SRAM and in DRAM (strides are non-negative).
inline uint64_t DmaSramEnd(const Instruction& in) {
  const uint64_t plane = in.dma.planes_word ? (in.planes.planes - 1) * in.planes.sram_plane_stride : 0;
  return in.dma.sram_addr + plane + (in.dma.rows - 1) * in.dma.sram_stride + in.dma.row_bytes;
}
inline uint64_t DmaDramEnd(const Instruction& in) {
  const uint64_t plane = in.dma.planes_word ? (in.planes.planes - 1) * in.planes.dram_plane_stride : 0;
  return in.dma.dram_addr + plane + (in.dma.rows - 1) * in.dma.dram_stride + in.dma.row_bytes;
}
// Calls fn(dram_addr, sram_addr) for every row of the block in the order the DMA engine moves
// them: plane by plane, row by row. Needs planes and rows of at least 1.
template <typename Fn>
void ForEachDmaRow(const Instruction& in, Fn&& fn) {
  const uint64_t planes = DmaPlanes(in);
  for (uint64_t p = 0; p < planes; ++p)
    for (uint64_t r = 0; r < in.dma.rows; ++r)
      fn(in.dma.dram_addr + p * in.planes.dram_plane_stride + r * in.dma.dram_stride,
         in.dma.sram_addr + p * in.planes.sram_plane_stride + r * in.dma.sram_stride);
}

// SCALE and ELTWISE: compute instructions without weights; the data sequencer makes their weight
// rows (docs/architecture.md, "SIMD-only instructions").
inline bool IsSimdOnly(Opcode op) { return op == Opcode::kScale || op == Opcode::kEltwise; }

struct DecodeError {
  ErrorCode code = ErrorCode::kNone;
  uint32_t index = 0;
  std::string message;  // one sentence naming the instruction, the field and the value
};

// Program words taken by a compute instruction carrying simd_len SIMD instructions.
inline uint32_t ComputeWords(uint64_t simd_len) {
  return uint32_t(ComputeInstr::kBytes / kWordBytes +
                  (simd_len * SimdInstr::kBytes + kWordBytes - 1) / kWordBytes);
}

// Decodes the instruction starting at bytes (avail bytes left in the program, a multiple of the
// word size). Checks only what decoding needs: a known opcode (else kIllegalOpcode), simd_len in
// 1..max_simd_instrs and an instruction (with its dma_planes word) that fits in the program (else
// kIllegalField).
std::optional<DecodeError> DecodeInstruction(const uint8_t* bytes, size_t avail, uint32_t index,
                                             Instruction* out);

struct DecodedProgram {
  std::vector<Instruction> instrs;  // every instruction before the first bad one
  std::optional<DecodeError> error;
};
// Walks a whole program (a multiple of 32 bytes), stopping at the first bad instruction.
DecodedProgram DecodeProgram(const std::vector<uint8_t>& bytes);

// The words of one instruction (the SIMD program padded with zeros to a whole word). Uses
// in.opcode to pick the format; sets simd_len from in.simd for compute instructions. Throws
// std::out_of_range when a field does not fit.
std::vector<uint8_t> EncodeInstruction(const Instruction& in);

// One line: the mnemonic, then every non-zero field as name=value (enums by name, addresses and
// flag masks in hex); a compute instruction is followed by "; " and each SIMD instruction, a DMA
// with planes by "; " and its dma_planes word.
std::string Disassemble(const DmaInstr& in);
std::string Disassemble(const DmaPlanesInstr& in);
std::string Disassemble(const SimdInstr& in);
std::string Disassemble(const ComputeInstr& in, const std::vector<SimdInstr>& simd);
std::string Disassemble(const Instruction& in);

// Useful multiply-accumulates of a compute instruction (docs/architecture.md): CONV and
// INNER_PRODUCT out_h*out_w*out_c*dot_len, DECONV in_h*in_w*in_c*group_out_c*kernel_h*kernel_w
// (the taps between upsampled pixels included), 0 for the SIMD-only instructions.
uint64_t Macs(const ComputeInstr& in);

// Builders for the common instructions.
Instruction MakeDma(Opcode op, uint64_t sram_addr, uint64_t dram_addr, uint64_t row_bytes, uint64_t rows = 1,
                    uint64_t sram_stride = 0, uint64_t dram_stride = 0);
// The same block repeated over planes (a dma_planes word; the instruction becomes 2 words).
Instruction MakeDma3d(Opcode op, uint64_t sram_addr, uint64_t dram_addr, uint64_t row_bytes, uint64_t rows,
                      uint64_t sram_stride, uint64_t dram_stride, uint64_t planes, uint64_t sram_plane_stride,
                      uint64_t dram_plane_stride);

}  // namespace nna::isa
