// Bundle assembly, shared by the single-layer compiler and the network lowering: the program
// encoded into the DRAM image, its size taken from what was emitted, and the other bytes placed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "isa/program.h"

namespace nna::compiler {

// The words prog takes once encoded: one per DMA (two with a planes word), a compute instruction's
// with its SIMD program. Lets a layout put data after a program built with provisional addresses.
uint64_t ProgramWords(const std::vector<isa::Instruction>& prog);

// Encodes prog into b->dram (already sized) at DRAM `dram`, to be loaded at SRAM `sram`: numbers
// the instructions, adds a row of b->instrs per instruction naming layers[i], sets the program's
// placement and prog_words from the words emitted and adds the "program" region. An instruction
// whose fields do not fit calls fail(i, what), which throws.
void AssembleProgram(std::vector<isa::Instruction>& prog, const std::vector<std::string>& layers,
                     const std::function<void(size_t, const std::string&)>& fail, uint64_t sram,
                     uint64_t dram, Bundle* b);

// Copies bytes into b's DRAM image at `dram`.
void Place(Bundle* b, uint64_t dram, const std::vector<uint8_t>& bytes);

}  // namespace nna::compiler
