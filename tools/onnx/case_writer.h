// Writing the ONNX test cases of tools/onnx (exact_ort_case, float_conv_case): a model and its
// tensors as the node tests of libonnx-testdata hold them (model.onnx, test_data_set_0/*.pb).
#pragma once

#include <google/protobuf/message_lite.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"

namespace nna::onnx_case {

inline onnx::TensorProto* Named(onnx::TensorProto* t, const std::string& name) {
  t->set_name(name);
  return t;
}

inline void SetFloats(onnx::TensorProto* t, const std::vector<int64_t>& dims,
                      const std::vector<float>& values) {
  t->set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
}

// The message serialized to path; throws std::runtime_error when it cannot be written.
inline void Write(const std::filesystem::path& path, const google::protobuf::MessageLite& m) {
  std::ofstream f(path, std::ios::binary);
  if (!f || !m.SerializeToOstream(&f)) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace nna::onnx_case
