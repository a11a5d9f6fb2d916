// nnac: compiles one test description for one hardware configuration into a bundle folder.
//   nnac --test conv3x3 --config fsd [--seed N] [--vectors DIR] --out DIR
//   nnac --test random --seed N --config tiny --out DIR   (the random layer of seed N, random_layer.h)
//   nnac --test random_simd --seed N --config tiny --out DIR   (a random layer and SIMD program)
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "compiler/compiler.h"
#include "compiler/named_test.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  std::string test, config, vectors = NNA_VECTORS_DIR, out;
  po::options_description opts("nnac --test NAME --config CFG --out DIR [options]");
  opts.add_options()("help,h", "show this help")("test", po::value(&test), "test description vectors/NAME.yaml, or 'random' / 'random_simd' (drawn from --seed)")(
      "config", po::value(&config), "hardware configuration (tiny, fsd)")(
      "seed", po::value<std::string>(), "data seed, overrides the test's")(
      "vectors", po::value(&vectors), "folder of test descriptions")("out", po::value(&out), "bundle folder to write");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << opts;
      return 0;
    }
    for (const char* req : {"test", "config", "out"})
      if (!vm.count(req)) throw std::invalid_argument(std::string("option --") + req + " is required");
    // Seeds as text: program_options would wrap "-3" into a huge unsigned value.
    auto number = [&](const char* name) -> std::optional<uint64_t> {
      if (!vm.count(name)) return std::nullopt;
      const std::string text = vm[name].as<std::string>();
      size_t used = 0;
      uint64_t v = 0;
      bool ok = !text.empty() && std::isdigit(static_cast<unsigned char>(text[0]));
      try {
        if (ok) v = std::stoull(text, &used, 0);
      } catch (const std::exception&) {
        ok = false;
      }
      if (!ok || used != text.size())
        throw std::invalid_argument(std::string("option --") + name + " must be a non-negative integer (got '" + text +
                                    "')");
      return v;
    };
    const std::optional<uint64_t> seed = number("seed");

    const nna::HwConfig& cfg = nna::FindHwConfig(config);
    const nna::Bundle b =
        nna::compiler::CompileNamedTest(test, std::filesystem::path(vectors).lexically_normal(), cfg, seed);
    nna::WriteBundle(b, out);

    std::printf("%s for %s: %llu words, %zu bytes of DRAM, %llu MACs -> %s\n", b.test.c_str(), b.config.c_str(),
                (unsigned long long)b.prog_words, b.dram.size(), (unsigned long long)b.macs, out.c_str());
    for (const auto& in : b.instrs)
      std::printf("  %2u  %-9s  %s\n", in.index, in.op.c_str(), nna::compiler::Summary(b, in.index).c_str());
    return 0;
  } catch (const std::exception& e) {
    // One line for any bad input: options, configuration, test description, output folder.
    std::cerr << "nnac: " << e.what() << "\n";
    return 1;
  }
}
