// Scale sets of onnxruntime's QLinearAdd that the tests run on every pair of input bytes
// (compiler/layer_quant.test.cpp: the SIMD program against ref::QLinearAddValue; tools/onnx/
// qadd_case: onnxruntime against it). The first six are scales where the fixed part's three
// possible roundings (none fused, ra*za fused, rb*zb fused) give different bytes, so that only
// onnxruntime's order passes; then a wide ratio, saturation at both ends, and zero points 0.
#pragma once

#include <cstdint>

namespace nna::compiler {

struct QLinearAddCase {
  float sa;
  int32_t za;  // uint8 zero points (an int8 model's are 128 lower)
  float sb;
  int32_t zb;
  float sc;
  int32_t zc;
};

inline constexpr QLinearAddCase kQLinearAddCases[] = {
    {0.105917498f, 243, 0.0935306251f, 36, 0.167942494f, 169},
    {0.239594996f, 197, 0.0561599992f, 35, 0.00695304666f, 190},
    {0.0193967186f, 241, 0.0353799984f, 219, 0.169922501f, 193},
    {0.00586152356f, 215, 0.172839999f, 199, 0.0526331253f, 4},
    {0.145854995f, 49, 0.122998126f, 197, 0.00965132844f, 20},
    {0.0658031255f, 233, 0.00916710962f, 134, 0.0147375781f, 197},
    {0.0123f, 3, 0.0456f, 200, 0.05f, 17},
    {0.1f, 128, 0.07f, 5, 0.09f, 131},
    {0.003f, 0, 0.0029f, 0, 0.004f, 0}};

}  // namespace nna::compiler
