// Tensors as the ONNX front end keeps them: an ONNX element type, dims and the elements' bytes,
// little-endian and in C order, whatever file they came from (TensorProto .pb, .npy, an
// initializer of a model). No protobuf type appears here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_error.h"

namespace nna::onnx {

// ONNX TensorProto.DataType codes (onnx.proto); the numbers are the file format's.
enum class DataType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUint32 = 12,
  kUint64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBfloat16 = 16,
};

// "float", "uint8", ... as ONNX spells them in lower case; "data type 42" for a code it does not know.
std::string ToString(DataType type);
// Bytes per element of the types a Tensor can hold; 0 for the others (string, complex, unknown).
size_t ElementSize(DataType type);
// The types a Tensor holds: every fixed-size real type (float16 and bfloat16 as their bits).
bool IsSupported(DataType type);
bool IsFloatingPoint(DataType type);

struct Tensor {
  std::string name;  // the initializer's or TensorProto's name (may be empty), a .npy file's stem
  DataType type = DataType::kUndefined;
  std::vector<int64_t> dims;   // empty for a scalar
  std::vector<uint8_t> bytes;  // NumElements() * ElementSize(type), little-endian, C order

  size_t NumElements() const;
  // Element i as a double (float16 and bfloat16 decoded; int64 beyond 2^53 rounded).
  double AtDouble(size_t i) const;
  // Element i of an integer or bool tensor (uint64 above 2^63-1 is an OnnxError).
  int64_t AtInt(size_t i) const;
  // Element i as text: "3", "-0.5", "nan".
  std::string Format(size_t i) const;
  // Flat index to "[n,c,h,w]".
  std::string FormatIndex(size_t i) const;
  // "uint8 [1,1,7,7]".
  std::string Describe() const;
};

// A tensor of the given type and dims from values converted to the type (for tests and tools):
// integer types from ints, floating-point types from doubles (float16/bfloat16 not supported).
Tensor MakeIntTensor(DataType type, std::vector<int64_t> dims, const std::vector<int64_t>& values);
Tensor MakeFloatTensor(DataType type, std::vector<int64_t> dims, const std::vector<double>& values);

// The int8 tensor of a uint8 one's real values: each byte - 128 (its zero point is 128 lower).
Tensor Uint8AsInt8(const Tensor& bytes);

// "[1,3,16,16]": dims (or any integers) as every message writes them.
std::string DimsText(const std::vector<int64_t>& dims);

// The element count of dims, or an OnnxError naming `what` when a dim is negative or the count
// does not fit in memory.
size_t CountElements(const std::vector<int64_t>& dims, const std::string& what);

// .npy files (NumPy format version 1.0, 2.0 and 3.0: little-endian or byte types, C order).
Tensor ReadNpy(const std::filesystem::path& path);
void WriteNpy(const std::filesystem::path& path, const Tensor& tensor);

// Compares an actual tensor with the expected one. Integer and bool elements must be equal;
// floating-point ones equal bit for bit, or within atol + rtol * |expected| when a tolerance is
// given (NaN equals NaN).
struct Comparison {
  bool same_type = true, same_shape = true;
  size_t mismatches = 0;
  size_t first = 0;         // flat index of the first mismatch
  double max_abs_diff = 0;  // over all elements (floating-point types)
  // One sentence: "equal (49 elements)" or what differs, with the first differing element.
  std::string summary;
  bool Equal() const { return same_type && same_shape && mismatches == 0; }
};
Comparison Compare(const Tensor& expected, const Tensor& actual, double rtol = 0, double atol = 0);

}  // namespace nna::onnx
