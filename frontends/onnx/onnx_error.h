// The one error type of the ONNX front end: a file, a tensor or a node that cannot be read, as one
// sentence naming the file, the node or tensor, and the value.
#pragma once

#include <stdexcept>

namespace nna::onnx {

struct OnnxError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace nna::onnx
