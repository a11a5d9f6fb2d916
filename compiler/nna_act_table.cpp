// nna_act_table [--listing]: the accuracy and cost of the activation programs the compiler
// generates, as the markdown table of docs/activations.md; --listing adds each program.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "compiler/activation.h"
#include "isa/program.h"

using namespace nna;
using namespace nna::compiler;

int main(int argc, char** argv) {
  const bool listing = argc == 2 && std::strcmp(argv[1], "--listing") == 0;
  if (argc > 2 || (argc == 2 && !listing)) {
    std::fprintf(stderr, "usage: nna_act_table [--listing]\n");
    return 2;
  }
  try {
    std::printf(
        "| activation | quantization | instructions | cycles per row | max error (LSB) | exact %% |\n");
    std::printf("|---|---|---|---|---|---|\n");
    for (const ActCase& c : ActivationCases()) {
      const ActProgram prog = LowerActivation(c.kind, c.quant);
      const ActAccuracy a = MeasureActivation(c.kind, c.quant, prog.simd, ChannelOf(c.kind, prog, c.channel));
      std::string channel = ", bias " + std::to_string(c.channel.bias);
      if (c.kind == Activation::kRequant)  // the program reads the channel's own multiplier
        channel += ", scale " + std::to_string(c.channel.scale) + " shift " + std::to_string(c.channel.shift);
      // One row per L cycles for an L-instruction program; FUSED_RELU alone is 1.
      std::printf("| %s | %s%s | %zu | %zu (%zux FUSED_RELU) | %lld | %.2f |\n", ToString(c.kind),
                  Describe(c.kind, c.quant).c_str(), channel.c_str(), prog.simd.size(), prog.simd.size(),
                  prog.simd.size(), (long long)a.max_error_lsb, 100.0 * double(a.exact) / double(a.inputs));
    }
    if (listing) {
      for (const ActCase& c : ActivationCases()) {
        const ActProgram prog = LowerActivation(c.kind, c.quant);
        std::printf("\n%s (%s):\n", ToString(c.kind), Describe(c.kind, c.quant).c_str());
        for (const isa::SimdInstr& s : prog.simd) std::printf("    %s\n", isa::Disassemble(s).c_str());
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nna_act_table: %s\n", e.what());
    return 1;
  }
  return 0;
}
