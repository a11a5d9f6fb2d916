#include "compiler/assemble.h"

#include <algorithm>
#include <stdexcept>

#include "nna/isa.h"

namespace nna::compiler {

uint64_t ProgramWords(const std::vector<isa::Instruction>& prog) {
  uint64_t words = 0;
  for (const isa::Instruction& in : prog)
    words += in.IsDma() ? (in.dma.planes_word ? 2 : 1) : isa::ComputeWords(in.simd.size());
  return words;
}

void AssembleProgram(std::vector<isa::Instruction>& prog, const std::vector<std::string>& layers,
                     const std::function<void(size_t, const std::string&)>& fail, uint64_t sram,
                     uint64_t dram, Bundle* b) {
  std::vector<uint8_t> words;
  for (size_t i = 0; i < prog.size(); ++i) {
    std::vector<uint8_t> w;
    try {
      w = isa::EncodeInstruction(prog[i]);
    } catch (const std::out_of_range& e) {
      fail(i, e.what());
      throw;  // fail throws its own error; this only keeps a lenient one from going on
    }
    words.insert(words.end(), w.begin(), w.end());
    prog[i].index = uint32_t(i);
    b->instrs.push_back({uint32_t(i), isa::ToString(prog[i].opcode), layers[i], isa::Disassemble(prog[i])});
  }
  b->prog_sram_addr = sram;
  b->prog_dram_addr = dram;
  b->prog_words = words.size() / isa::kWordBytes;
  Place(b, dram, words);
  b->regions.push_back({"program", "program", dram, words.size(), {}, false});
}

void Place(Bundle* b, uint64_t dram, const std::vector<uint8_t>& bytes) {
  if (dram + bytes.size() > b->dram.size()) throw std::logic_error("nnac: a region lies past the DRAM image");
  std::copy(bytes.begin(), bytes.end(), b->dram.begin() + long(dram));
}

}  // namespace nna::compiler
