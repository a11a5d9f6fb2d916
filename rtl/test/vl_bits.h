// Bit access on Verilator port types for the block test harnesses: a port up to 64 bits is a
// plain integer, a wider one a VlWide of 32-bit words (bit i in word i/32).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "verilated.h"

namespace nna::vl {

template <typename T>
uint32_t GetBit(const T& v, unsigned bit) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<uint32_t>((static_cast<uint64_t>(v) >> bit) & 1);
  } else {
    return (v[bit / 32] >> (bit % 32)) & 1;
  }
}

template <typename T>
uint64_t GetField(const T& v, unsigned lsb, unsigned bits) {
  uint64_t out = 0;
  for (unsigned b = 0; b < bits; ++b) out |= uint64_t(GetBit(v, lsb + b)) << b;
  return out;
}

template <typename T>
uint32_t GetByte(const T& v, unsigned byte) {
  return static_cast<uint32_t>(GetField(v, 8 * byte, 8));
}

template <typename T>
void SetField(T& v, unsigned lsb, unsigned bits, uint64_t value) {
  for (unsigned b = 0; b < bits; ++b) {
    const unsigned bit = lsb + b;
    const uint64_t one = (value >> b) & 1;
    if constexpr (std::is_integral_v<T>) {
      v = T((uint64_t(v) & ~(uint64_t(1) << bit)) | (one << bit));
    } else {
      v[bit / 32] = (v[bit / 32] & ~(1u << (bit % 32))) | (uint32_t(one) << (bit % 32));
    }
  }
}

template <std::size_t W>
void PutBytes(VlWide<W>& dst, const uint8_t* src, std::size_t n) {
  for (std::size_t w = 0; w < W; ++w) dst[w] = 0;
  for (std::size_t i = 0; i < n && i < 4 * W; ++i)
    dst[i / 4] |= static_cast<uint32_t>(src[i]) << (8 * (i % 4));
}

}  // namespace nna::vl
