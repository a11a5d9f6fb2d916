// NegativeCount, for the command lines of nna_sim and nnac: Boost.Program_options reads "-1" into
// an unsigned option as the type's largest value (--max-cycles -1 would run 2^64 cycles,
// --repeat -1 allocate 2^64 frames), so a negative number given to one is refused instead.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <typeinfo>

#include "util/clip_text.h"

namespace nna {

// The sentence for the first unsigned option given a negative value, if any (vm holds parsed).
inline std::optional<std::string> NegativeCount(const boost::program_options::parsed_options& parsed,
                                                const boost::program_options::variables_map& vm) {
  for (const boost::program_options::option& opt : parsed.options) {
    if (opt.value.empty() || opt.value[0].empty() || opt.value[0][0] != '-' || !vm.count(opt.string_key))
      continue;
    const std::type_info& type = vm[opt.string_key].value().type();
    if (type == typeid(uint64_t) || type == typeid(uint32_t) || type == typeid(unsigned long) ||
        type == typeid(unsigned long long) || type == typeid(unsigned) || type == typeid(uint16_t))
      return "--" + opt.string_key + " takes a number of at least 0 (got " + ClipText(opt.value[0]) + ")";
  }
  return std::nullopt;
}

}  // namespace nna
