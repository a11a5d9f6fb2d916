// What the testbench knows at compile time about the simulator it is built into: the Verilated
// class (NNA_VTOP, NNA_VTOP_HEADER), the hardware configuration (NNA_CONFIG_NAME) and the C++
// types Verilator chose for each port (bool, uint32_t, uint64_t or sc_bv<W>), plus helpers that
// read and write bits and bytes of any of them.
#pragma once

#include <systemc.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "nna/configs.h"
#include "nna/isa.h"
#include NNA_VTOP_HEADER

namespace nna::tb {

using Vtop = NNA_VTOP;

namespace detail {
constexpr bool StrEq(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}
constexpr size_t ConfigIndex(const char* name) {
  for (size_t i = 0; i < sizeof(kHwConfigs) / sizeof(kHwConfigs[0]); ++i) {
    if (StrEq(kHwConfigs[i].name, name)) return i;
  }
  return sizeof(kHwConfigs) / sizeof(kHwConfigs[0]);  // not a configuration: fails below
}
}  // namespace detail

// The configuration this simulator's RTL was built for.
inline constexpr size_t kConfigIndex = detail::ConfigIndex(NNA_CONFIG_NAME);
static_assert(kConfigIndex < sizeof(kHwConfigs) / sizeof(kHwConfigs[0]),
              "NNA_CONFIG_NAME is not a configuration");
inline constexpr const HwConfig& kConfig = kHwConfigs[kConfigIndex];
inline constexpr unsigned kAxiBytes = kConfig.axi_data_bytes;         // D
inline constexpr unsigned kWrPortBytes = kConfig.sram_wr_port_bytes;  // W
inline constexpr unsigned kLanes = kConfig.array_cols;                // N
inline constexpr unsigned kAccBits = isa::kAccBits;  // the accumulator width of spec/isa.yaml

// The value type of a port of the Verilated top, e.g. PortType<decltype(Vtop::m_axi_wdata_o)>.
template <typename Port>
using PortType = typename std::remove_reference_t<Port>::data_type;
#define NNA_PORT_T(port) ::nna::tb::PortType<decltype(::nna::tb::Vtop::port)>

// Bit and byte access for every port type Verilator uses.
inline bool Bit(bool v, unsigned i) { return i == 0 && v; }
inline bool Bit(uint32_t v, unsigned i) { return i < 32 && ((v >> i) & 1u); }
inline bool Bit(uint64_t v, unsigned i) { return i < 64 && ((v >> i) & 1u); }
template <int W>
bool Bit(const sc_dt::sc_bv<W>& v, unsigned i) {
  return i < unsigned(W) && ((v.get_word(i / 32) >> (i % 32)) & 1u);
}

inline uint8_t Byte(uint32_t v, unsigned i) { return i < 4 ? uint8_t(v >> (8 * i)) : 0; }
inline uint8_t Byte(uint64_t v, unsigned i) { return i < 8 ? uint8_t(v >> (8 * i)) : 0; }
template <int W>
uint8_t Byte(const sc_dt::sc_bv<W>& v, unsigned i) {
  return uint8_t(v.get_word(i / 4) >> (8 * (i % 4)));
}

// Bits [lsb, lsb+width) (width <= 32) of a wide value.
template <int W>
uint32_t Field(const sc_dt::sc_bv<W>& v, unsigned lsb, unsigned width) {
  const unsigned w = lsb / 32, b = lsb % 32;
  uint64_t x = v.get_word(w);
  if (b + width > 32 && (w + 1) * 32 < unsigned(W)) x |= uint64_t(v.get_word(w + 1)) << 32;
  return uint32_t((x >> b) & ((uint64_t(1) << width) - 1));
}
inline uint32_t Field(uint64_t v, unsigned lsb, unsigned width) {
  return uint32_t((v >> lsb) & ((uint64_t(1) << width) - 1));
}
inline uint32_t Field(uint32_t v, unsigned lsb, unsigned width) { return Field(uint64_t(v), lsb, width); }

// Sets byte i of a port value (zero-initialised by the caller).
inline void SetByte(uint32_t& v, unsigned i, uint8_t b) { v |= uint32_t(b) << (8 * i); }
inline void SetByte(uint64_t& v, unsigned i, uint8_t b) { v |= uint64_t(b) << (8 * i); }
template <int W>
void SetByte(sc_dt::sc_bv<W>& v, unsigned i, uint8_t b) {
  const unsigned w = i / 4, s = 8 * (i % 4);
  v.set_word(w, (v.get_word(w) & ~(0xFFu << s)) | (uint32_t(b) << s));
}

}  // namespace nna::tb
