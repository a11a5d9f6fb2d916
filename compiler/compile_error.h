// The one error type of the compiler: a bad description or a layer the configuration cannot run,
// as one sentence naming the file, the key and the value.
#pragma once

#include <stdexcept>

namespace nna::compiler {

struct CompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace nna::compiler
