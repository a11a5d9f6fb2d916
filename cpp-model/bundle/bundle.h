// A compiled bundle: the single input of the golden model and of the RTL testbench.
// On disk it is a folder (docs/bundle.md):
//   bundle.yaml        metadata: test, config, program placement, regions, instruction table
//   dram.bin           the initial DRAM image (program, inputs, weights, parameters)
//   ref_<region>.bin   the reference operators' expected bytes of each output region
//   program.lst        the disassembled program, for people
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "nna/isa.h"

namespace nna {

struct BundleError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// True when [addr, addr + bytes) lies within [0, limit), written so that values read from a file
// near 2^64 cannot wrap around the sum.
inline bool RangeFits(uint64_t addr, uint64_t bytes, uint64_t limit) {
  return bytes <= limit && addr <= limit - bytes;
}
// True when a program of `words` program words at `addr` lies within `limit` bytes, the word
// count checked before it is multiplied so that it cannot wrap either.
inline bool ProgramFits(uint64_t addr, uint64_t words, uint64_t limit) {
  return words <= limit / isa::kWordBytes && RangeFits(addr, words * isa::kWordBytes, limit);
}

// A named range of the DRAM image.
struct Region {
  std::string name;  // "input", "weights", "params", "program", "output", ...
  std::string kind;  // "input", "weights", "params", "program" or "output"
  uint64_t dram_addr = 0;
  uint64_t bytes = 0;
  std::vector<uint32_t> shape;  // (C, H, W) for tensors, empty otherwise
  bool is_signed = false;       // element type of a tensor: int8 (true) or uint8
};

// What the compiler knows about one instruction, for reports and mismatch messages.
struct InstrInfo {
  uint32_t index = 0;
  std::string op;     // "dma_read", "conv", ...
  std::string layer;  // layer name from the test description
  std::string text;   // one-line disassembly
};

struct Bundle {
  std::string test;
  std::string config;  // hardware configuration the program was compiled for
  uint64_t prog_dram_addr = 0;
  uint64_t prog_sram_addr = 0;
  uint64_t prog_words = 0;    // program length in 32-byte words
  std::vector<uint8_t> dram;  // initial DRAM image; its size is the DRAM size the program needs
  std::vector<Region> regions;
  std::map<std::string, std::vector<uint8_t>> reference;  // output region name -> expected bytes
  std::vector<InstrInfo> instrs;
  uint64_t macs = 0;  // useful multiply-accumulates of the whole program (for utilization)
  // End of the SRAM the program uses, where another program may start; set by the compiler, not
  // stored in the folder (0 after ReadBundle).
  uint64_t sram_end = 0;

  // The region called name; throws BundleError naming the known regions otherwise.
  const Region& FindRegion(const std::string& name) const;
  // The program words as stored in the DRAM image.
  std::vector<uint8_t> ProgramBytes() const;
};

// Writes the folder (created if needed). Throws BundleError on I/O failure.
void WriteBundle(const Bundle& bundle, const std::filesystem::path& dir);
// Reads and checks a folder written by WriteBundle; throws BundleError with one clear sentence
// (file, key, value) on anything missing or inconsistent.
Bundle ReadBundle(const std::filesystem::path& dir);

}  // namespace nna
