#include "tb/front_door.h"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "testgen/named_test.h"
#include "testgen/network_test.h"

namespace nna::tb {

std::vector<Bundle> MakeBundles(const SimOptions& opt, const HwConfig& cfg) {
  try {
    std::vector<Bundle> programs = testgen::BuildNamedTests(opt.tests, opt.vectors, cfg, opt.seed);
    if (!opt.network.empty()) {
      if (!opt.quiet) std::fprintf(stderr, "nna sim: lowering network %s\n", opt.network.c_str());
      std::string table;
      programs.push_back(testgen::BuildNetworkBundle(opt.network, opt.vectors, cfg, opt.sram_budget, &table));
      if (!opt.quiet) std::fputs(table.c_str(), stderr);
    }
    if (!opt.bundle_dir.empty()) programs.push_back(ReadBundle(opt.bundle_dir));
    return programs;
  } catch (const std::runtime_error& e) {  // a CompileError or a BundleError: the input is bad
    throw InputError(e.what());
  }
}

}  // namespace nna::tb
