// The lowering of a whole quantized network to ONE NNA program (docs/networks.md, "Lowering"): a
// compute instruction per executed layer (or per output-channel chunk and column strip), the
// activations in SRAM by liveness, the weights streamed by DMA into a ring of slots, the
// input loaded once and every graph output written back, ordered by the 16 dependency flags.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "compiler/network/quantize.h"
#include "nna/configs.h"

namespace nna::compiler::network {

struct LowerOptions {
  // Bytes of SRAM the program may use from address 0; 0: the configuration's. A smaller budget
  // forces the partitioning (tests).
  uint64_t sram_budget = 0;
  // Weight slots at most; the lowering takes as many as the SRAM left after the program and the
  // activations holds (2 at least). More slots let each stream start that many compute
  // instructions ahead of its reader.
  uint32_t max_weight_slots = 8;
  // An add whose only readers are 1x1 convs of one stride above 1 (no padding) computes only the
  // pixels they read: a strided ELTWISE, and the convs read its output at stride 1
  // (SubsampleAdds).
  bool subsample_adds = true;
};

// The network as the lowering runs it with subsampled adds (LowerOptions::subsample_adds): each
// such add gets its readers' stride and the subsampled shape, its readers stride 1. The outputs
// are the same bytes; only the add's intermediate tensor shrinks. `names` lists the adds.
QuantNetwork SubsampleAdds(const QuantNetwork& q, std::vector<std::string>* names = nullptr);

// The lowering's view of one layer (a row of its table).
struct LoweredLayer {
  std::string name, op;
  Shape out;  // the output (after a fused pool) and its type
  bool out_signed = true;
  uint32_t instrs = 0;                   // compute instructions: chunks x strips (0 for concat)
  uint32_t chunks = 0, strips = 0;       // output-channel chunks; column strips of a standalone pool
                                         // (or regions of a conv, ConvRegion)
  uint64_t out_sram = 0, out_bytes = 0;  // the output's SRAM address and span (a concat input: its slice)
  uint64_t stream_bytes = 0;             // weights and parameters streamed in by DMA
  std::vector<uint32_t> computes;        // the indices of its compute instructions
  uint64_t macs = 0, cycles = 0;  // of its compute instructions (cycles: the caller's prediction, else 0)
};

struct LoweredNetwork {
  Bundle bundle;
  std::vector<LoweredLayer> layers;  // parallel to the QuantNetwork's layers
  uint64_t computes = 0;             // compute instructions
  uint32_t slots = 0;                // weight slots (job k streams into slot k % slots)
  uint64_t slot_bytes = 0;           // each weight slot
  uint64_t act_peak = 0;             // activation bytes in use at most (after the program and slots)
  uint64_t sram_peak = 0;            // program + slots + activations
  uint64_t cycles = 0;               // the predicted compute cycles, summed (the caller's, else 0)
  uint64_t spills = 0;               // tensors parked in DRAM between two uses (too little SRAM)
};

// Lowers q for cfg. Throws CompileError (one sentence naming the network file, the layer and the
// sizes) for what cannot be mapped.
LoweredNetwork LowerNetwork(const QuantNetwork& q, const HwConfig& cfg, const LowerOptions& options = {});

// vectors_dir/networks/<name>.yaml parsed, its pools fused for cfg, quantized and lowered.
LoweredNetwork CompileNetwork(const std::string& name, const std::filesystem::path& vectors_dir,
                              const HwConfig& cfg, const LowerOptions& options = {});

// The per-layer table of the lowering with totals.
std::string FormatLowering(const LoweredNetwork& l);

}  // namespace nna::compiler::network
