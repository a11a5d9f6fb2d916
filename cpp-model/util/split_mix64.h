// SplitMix64: the project's one seeded generator (test data, random layers, random SIMD programs).
// It gives the same sequence on every platform, which std's distributions do not.
#pragma once

#include <cstdint>

namespace nna {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}

  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [lo, hi] by multiply-shift (Lemire), integers only; the full 64-bit range needs no
  // mapping.
  uint64_t Range(uint64_t lo, uint64_t hi) {
    const uint64_t span = hi - lo + 1;
    if (span == 0) return Next();
    return lo + uint64_t((static_cast<unsigned __int128>(Next()) * span) >> 64);
  }

  bool Chance(uint32_t percent) { return Range(0, 99) < percent; }

 private:
  uint64_t s_;
};

}  // namespace nna
