// compute_tb: block-level self-checking test of nna_compute (plain Verilator C++, no SystemC).
//
// A C++ SRAM model serves the three ports with random ready stalls (responses exactly one cycle
// after an accepted read); random dot-product instructions run back to back: CONV (padding,
// stride, dilation, dense, grouped and depthwise), DECONV (strides 1/2/4/8, dilation, asymmetric
// padding, groups) and INNER_PRODUCT (up to thousands of terms), signed and unsigned inputs and
// weights independently, both orders, out_c not a multiple of M, pixels not a multiple of N,
// SIMD programs of FUSED_RELU and NOP, SCALE and ELTWISE (a third of them strided: subsampling). A
// reference written from docs/architecture.md computes every accumulator-unload event and every
// SRAM write, which are compared in stream order, bit for bit. Illegal instructions (a directed list, one per
// check, and random field mutations judged by the contract's check list written here, and tensors past the
// SRAM) must end in err_o with the right code and no SRAM access.
//
// Built by rtl/compute/test/CMakeLists.txt as nna_compute_tb_tiny, and as nna_compute_tb_tiny_bug
// from a copy of rtl/ with the mutant mac_drop_act_one, which the test must catch (CTest
// rtl.compute_tb_tiny*):
//   build/rtl/compute/test/nna_compute_tb_tiny [--tests T] [--seed S] [+verilator+rand+reset+2]
// Exit status 0 = pass.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "Vnna_compute.h"
#include "block_tb.h"
#include "isa/program.h"
#include "nna/configs.h"
#include "nna/isa.h"
#include "ref/ref_ops.h"
#include "simd/random_simd.h"
#include "simd/simd_program.h"
#include "verilated.h"
#include "vl_bits.h"

namespace {

using nna::isa::ComputeInstr;

using nna::vl::Cfg;

using nna::vl::GetBit;
using nna::vl::GetByte;
using nna::vl::GetField;
using nna::vl::PutBytes;

// ----- problem and reference ----------------------------------------------------------------
using Param = nna::ref::ChannelParams;

struct AccEvent {
  uint32_t instr, pt, ct, row;
  std::vector<uint32_t> vals;  // 30-bit lane values
  bool operator==(const AccEvent& o) const {
    return instr == o.instr && pt == o.pt && ct == o.ct && row == o.row && vals == o.vals;
  }
};

struct WrEvent {
  uint32_t instr, addr;
  std::vector<uint8_t> bytes;  // the contiguous enabled run from addr
  bool operator==(const WrEvent& o) const { return instr == o.instr && addr == o.addr && bytes == o.bytes; }
};

struct Problem {
  ComputeInstr in;
  std::vector<uint64_t> prog;   // SIMD instructions
  std::vector<int8_t> weights;  // [co][c][r][s] raw bytes, c < group_in_c
  std::vector<Param> params;
  bool expect_error = false;
  nna::isa::ErrorCode error = nna::isa::ErrorCode::kNone;
};

std::vector<nna::isa::SimdInstr> DecodeProgram(const std::vector<uint64_t>& prog) {
  std::vector<nna::isa::SimdInstr> out;
  for (uint64_t word : prog) {
    uint8_t bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = uint8_t(word >> (8 * b));
    out.push_back(nna::isa::DecodeSimdInstr(bytes));
  }
  return out;
}

uint64_t SimdInstr(unsigned op, unsigned dst, unsigned src_a, unsigned flags, unsigned pred = 0,
                   unsigned pred_neg = 0) {
  return uint64_t(op) | uint64_t(dst) << 8 | uint64_t(src_a) << 12 | uint64_t(pred) << 20 |
         uint64_t(pred_neg) << 23 | uint64_t(flags) << 27;
}

// The opcodes nna_compute executes: the dot products and SCALE and ELTWISE.
bool IsCompute(nna::isa::Opcode op) {
  return op == nna::isa::Opcode::kConv || op == nna::isa::Opcode::kDeconv ||
         op == nna::isa::Opcode::kInnerProduct || nna::isa::IsSimdOnly(op);
}

// The illegal_field checks of a compute instruction (the golden model's list), one name per
// violated check; empty when the instruction is legal.
std::vector<std::string> Violations(const ComputeInstr& in, const std::vector<uint64_t>& prog) {
  std::vector<std::string> v;
  auto need = [&v](bool ok, const char* name) {
    if (!ok) v.emplace_back(name);
  };
  const uint64_t N = Cfg().array_cols, M = Cfg().array_rows;
  need(in.simd_len >= 1 && in.simd_len <= nna::isa::kMaxSimdInstrs, "simd_len");
  // The harness sends zeros (NOP) past prog.
  std::vector<uint64_t> sent(prog);
  sent.resize(std::min<uint64_t>(in.simd_len, nna::isa::kMaxSimdInstrs), 0);
  need(!nna::simd::CheckProgram(DecodeProgram(sent)), "simd");
  need(in.kernel_h >= 1, "kernel_h");
  need(in.kernel_w >= 1, "kernel_w");
  need(in.stride_h >= 1, "stride_h");
  need(in.stride_w >= 1, "stride_w");
  need(in.dil_h >= 1, "dil_h");
  need(in.dil_w >= 1, "dil_w");
  need(in.in_c >= 1, "in_c");
  need(in.out_c >= 1, "out_c");
  need(in.out_h >= 1, "out_h");
  need(in.out_w >= 1, "out_w");
  need(in.groups >= 1, "groups");
  need(in.in_c == in.groups * in.group_in_c, "group_in_c");
  need(in.out_c == in.groups * in.group_out_c, "group_out_c");
  need(in.group_tiles >= 1 && in.group_tiles * M >= in.group_out_c &&
           (in.group_tiles - 1) * M < in.group_out_c,
       "group_tiles");
  need(in.ch_tiles == in.groups * in.group_tiles, "ch_tiles");
  const bool elt = in.opcode == nna::isa::Opcode::kEltwise;
  need(in.dot_len == (elt ? 2 : 1) * in.group_in_c * in.kernel_h * in.kernel_w, "dot_len");
  const uint64_t pixels = in.out_h * in.out_w;
  need(in.pix_tiles >= 1 && in.pix_tiles * N >= pixels && (in.pix_tiles - 1) * N < pixels, "pix_tiles");
  need(in.wt_tile_bytes == in.dot_len * M, "wt_tile_bytes");
  need(in.out_row_stride == in.out_w, "out_row_stride");
  need(in.out_c <= Cfg().simd_param_entries, "param_entries");
  need(in.pool_op == nna::isa::PoolOp::kNone, "pool_op");
  need(in.reserved1 == 0, "reserved1");
  need(in.reserved2 == 0, "reserved2");
  need(in.reserved3 == 0, "reserved3");
  need(in.opcode == nna::isa::Opcode::kConv || in.opcode == nna::isa::Opcode::kDeconv || in.pad_value == 0,
       "pad_value");
  need(elt ? in.eltwise_op <= nna::isa::EltwiseOp::kMax : in.eltwise_op == nna::isa::EltwiseOp::kAdd,
       "eltwise_op");
  if (nna::isa::IsSimdOnly(in.opcode)) {  // docs/architecture.md "SIMD-only instructions"
    need(in.kernel_h == 1 && in.kernel_w == 1 && in.dil_h == 1 && in.dil_w == 1, "so_1x1");
    need(in.pad_top == 0 && in.pad_bottom == 0 && in.pad_left == 0 && in.pad_right == 0, "so_pad");
    need(in.groups == in.in_c && in.group_out_c == 1, "so_depthwise");
    need(in.stride_h >= 1 && in.stride_w >= 1 && in.out_h == (in.in_h + in.stride_h - 1) / in.stride_h &&
             in.out_w == (in.in_w + in.stride_w - 1) / in.stride_w,
         "so_out");  // strided, they subsample
    need(in.wt_addr == 0 && in.wt_signed == 0, "so_wt");
    need(elt || in.in2_addr == 0, "so_in2");
  }
  if (in.opcode == nna::isa::Opcode::kDeconv) {
    auto pow2 = [](uint64_t x) { return x == 1 || x == 2 || x == 4 || x == 8; };
    need(pow2(in.stride_h) && pow2(in.stride_w), "deconv_stride");
  }
  if (in.opcode == nna::isa::Opcode::kInnerProduct) {
    need(in.kernel_h == in.in_h && in.kernel_w == in.in_w, "ip_kernel");
    need(in.out_h == 1 && in.out_w == 1, "ip_out");
    need(in.stride_h == 1 && in.stride_w == 1 && in.dil_h == 1 && in.dil_w == 1, "ip_stride_dil");
    need(in.pad_top == 0 && in.pad_bottom == 0 && in.pad_left == 0 && in.pad_right == 0, "ip_pad");
    need(in.groups == 1, "ip_groups");
  }
  return v;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s.empty() ? "none" : s;
}

// The events of one compute instruction, from docs/architecture.md.
void Reference(const Problem& pb, const std::vector<uint8_t>& sram, uint32_t idx, std::vector<AccEvent>& accs,
               std::vector<WrEvent>& wrs) {
  const ComputeInstr& in = pb.in;
  const uint64_t N = Cfg().array_cols, M = Cfg().array_rows;
  const uint64_t pixels = in.out_h * in.out_w;
  const bool deconv = in.opcode == nna::isa::Opcode::kDeconv;
  auto ext = [](uint8_t v, bool sgn) { return sgn ? int32_t(int8_t(v)) : int32_t(v); };
  const std::vector<nna::isa::SimdInstr> program = DecodeProgram(pb.prog);
  const bool simd_only = nna::isa::IsSimdOnly(in.opcode), elt = in.opcode == nna::isa::Opcode::kEltwise;
  // The activation of lane pixel p, input channel ci, kernel tap (r, s) of the tensor at base;
  // pad_value where the tap has no input (padding, a deconv's gaps, lanes past the last pixel).
  auto act = [&](uint64_t p, uint64_t ci, int64_t r, int64_t s, uint64_t base) -> uint8_t {
    if (p >= pixels) return in.pad_value;
    const int64_t oh = p / in.out_w, ow = p % in.out_w;
    int64_t ih, iw;
    if (deconv) {
      const int64_t th = oh + int64_t(in.pad_top) - r * int64_t(in.dil_h);
      const int64_t tw = ow + int64_t(in.pad_left) - s * int64_t(in.dil_w);
      if (th < 0 || tw < 0 || th % int64_t(in.stride_h) != 0 || tw % int64_t(in.stride_w) != 0)
        return in.pad_value;
      ih = th / int64_t(in.stride_h);
      iw = tw / int64_t(in.stride_w);
    } else {
      ih = oh * int64_t(in.stride_h) + r * int64_t(in.dil_h) - int64_t(in.pad_top);
      iw = ow * int64_t(in.stride_w) + s * int64_t(in.dil_w) - int64_t(in.pad_left);
    }
    if (ih < 0 || ih >= int64_t(in.in_h) || iw < 0 || iw >= int64_t(in.in_w)) return in.pad_value;
    return sram[(base + ci * in.in_plane_stride + ih * in.in_row_stride + iw) % sram.size()];
  };
  // SCALE: row 0 is the element; ELTWISE: rows a and b, row b runs the program on the pair.
  auto simd_only_tile = [&](uint64_t pt, uint64_t ct) {
    std::vector<uint8_t> out;
    std::vector<uint32_t> a_vals, b_vals;
    for (uint64_t i = 0; i < N; ++i) {
      const uint64_t p = pt * N + i;
      const int32_t a = ext(act(p, ct, 0, 0, in.in_addr), in.in_signed);
      const int32_t b = elt ? ext(act(p, ct, 0, 0, in.in2_addr), in.in_signed) : 0;
      a_vals.push_back(uint32_t(a) & ((1u << 30) - 1));
      b_vals.push_back(uint32_t(b) & ((1u << 30) - 1));
      if (p < pixels) {
        const auto entry =
            elt ? nna::simd::PairEntry(in.eltwise_op, a, b) : nna::simd::RowEntry(a);  // docs/simd.md
        out.push_back(uint8_t(nna::simd::RunLaneState(program, entry, pb.params[ct]).v[0]));
      }
    }
    accs.push_back({idx, uint32_t(pt), uint32_t(ct), 0, a_vals});
    if (elt) accs.push_back({idx, uint32_t(pt), uint32_t(ct), 1, b_vals});
    wrs.push_back({idx, uint32_t(in.out_addr + ct * in.out_plane_stride + pt * N), out});
  };
  auto tile = [&](uint64_t pt, uint64_t ct) {
    if (simd_only) return simd_only_tile(pt, ct);
    const uint64_t g = ct / in.group_tiles, t = ct % in.group_tiles;
    const uint64_t rows = std::min<uint64_t>(M, in.group_out_c - t * M);
    for (uint64_t j = 0; j < rows; ++j) {
      const uint64_t co = g * in.group_out_c + t * M + j;
      AccEvent ev{idx, uint32_t(pt), uint32_t(ct), uint32_t(j), {}};
      std::vector<uint8_t> out;
      for (uint64_t i = 0; i < N; ++i) {
        const uint64_t p = pt * N + i;
        uint32_t acc = 0;
        for (uint64_t c = 0; c < in.group_in_c; ++c)
          for (uint64_t r = 0; r < in.kernel_h; ++r)
            for (uint64_t s = 0; s < in.kernel_w; ++s) {
              const uint8_t a = act(p, g * in.group_in_c + c, r, s, in.in_addr);
              const size_t wi = ((co * in.group_in_c + c) * in.kernel_h + r) * in.kernel_w + s;
              acc += uint32_t(ext(a, in.in_signed) * ext(uint8_t(pb.weights[wi]), in.wt_signed));
            }
        acc &= (1u << 30) - 1;
        ev.vals.push_back(acc);
        const int32_t acc32 = int32_t(acc << 2) >> 2;
        if (p < pixels) out.push_back(nna::simd::RunLane(program, acc32, pb.params[co]));  // docs/simd.md
      }
      accs.push_back(ev);
      wrs.push_back({idx, uint32_t(in.out_addr + co * in.out_plane_stride + pt * N), out});
    }
  };
  if (in.order == nna::isa::Order::kPixelMajor) {
    for (uint64_t pt = 0; pt < in.pix_tiles; ++pt)
      for (uint64_t ct = 0; ct < in.ch_tiles; ++ct) tile(pt, ct);
  } else {
    for (uint64_t ct = 0; ct < in.ch_tiles; ++ct)
      for (uint64_t pt = 0; pt < in.pix_tiles; ++pt) tile(pt, ct);
  }
}

// ----- random problems ----------------------------------------------------------------------
enum class Kind { kConv, kDenseConv, kDeconv, kInnerProduct, kScale, kEltwise };

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}
  uint32_t U(uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng_); }
  bool Coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::mt19937& Rng() { return rng_; }

  // Fills in the precomputed fields from opcode, groups and shapes, and lays the tensors out in
  // sram.
  void Finish(Problem& pb, std::vector<uint8_t>& sram, bool small_values) {
    ComputeInstr& in = pb.in;
    const uint64_t N = Cfg().array_cols, M = Cfg().array_rows;
    in.group_in_c = in.in_c / in.groups;
    in.group_out_c = in.out_c / in.groups;
    in.group_tiles = (in.group_out_c + M - 1) / M;
    in.ch_tiles = in.groups * in.group_tiles;
    in.out_row_stride = in.out_w;
    const bool simd_only = nna::isa::IsSimdOnly(in.opcode), elt = in.opcode == nna::isa::Opcode::kEltwise;
    in.dot_len = (elt ? 2 : 1) * in.group_in_c * in.kernel_h * in.kernel_w;
    in.pix_tiles = (in.out_h * in.out_w + N - 1) / N;
    in.wt_tile_bytes = in.dot_len * M;
    in.simd_len = pb.prog.size();
    // Regions (unaligned on purpose): input (ELTWISE: a, then b), weights (none for SCALE and
    // ELTWISE), params, output.
    const uint64_t in_bytes = in.in_c * in.in_plane_stride;
    in.in_addr = 0x100 + U(0, 63);
    uint64_t next = in.in_addr + in_bytes + U(0, 63);
    in.in2_addr = elt ? next : 0;
    if (elt) next += in_bytes + U(0, 63);
    in.wt_addr = simd_only ? 0 : next;
    if (simd_only) in.wt_signed = 0;
    in.param_addr = simd_only ? next : in.wt_addr + in.ch_tiles * in.wt_tile_bytes + U(0, 63);
    in.out_addr = in.param_addr + in.out_c * 8 + U(0, 63);
    // Background: catches reads of wrong bytes.
    const uint64_t end = std::min<uint64_t>(sram.size(), in.out_addr + in.out_c * in.out_plane_stride + 4096);
    for (uint64_t a = 0; a < end; a += 4) {
      const uint32_t r = U(0, 0xFFFFFFFF);
      for (uint64_t b = 0; b < 4 && a + b < end; ++b) sram[a + b] = uint8_t(r >> (8 * b));
    }
    for (uint64_t base : {in.in_addr, elt ? in.in2_addr : in.in_addr})
      for (uint64_t c = 0; c < in.in_c; ++c)
        for (uint64_t h = 0; h < in.in_h; ++h)
          for (uint64_t w = 0; w < in.in_w; ++w)
            sram[base + c * in.in_plane_stride + h * in.in_row_stride + w] =
                small_values ? uint8_t(U(0, 3)) : uint8_t(U(0, 255));
    pb.weights.resize(simd_only ? 0 : in.out_c * in.dot_len);
    for (auto& w : pb.weights) w = int8_t(small_values ? U(0, 4) - 2 : U(0, 255));
    // Channel tile ct = g*group_tiles + t holds rows j < min(M, group_out_c - t*M).
    for (uint64_t ct = 0; ct < (simd_only ? 0 : in.ch_tiles); ++ct) {
      const uint64_t g = ct / in.group_tiles, t = ct % in.group_tiles;
      for (uint64_t k = 0; k < in.dot_len; ++k)
        for (uint64_t j = 0; j < M; ++j) {
          const uint64_t co = g * in.group_out_c + t * M + j;
          sram[in.wt_addr + ct * in.wt_tile_bytes + k * M + j] =
              t * M + j < in.group_out_c ? uint8_t(pb.weights[co * in.dot_len + k]) : 0;
        }
    }
    pb.params.resize(in.out_c);
    for (uint64_t co = 0; co < in.out_c; ++co) {
      Param p{int32_t(U(0, 4000)) - 2000, uint16_t(U(0, nna::isa::ChannelParamsRecord::kMaxScale)),
              uint8_t(U(0, 30)), int16_t(int32_t(U(0, 511)) - 128)};
      if (Coin(0.1)) p.bias = int32_t(U(0, 0xFFFFFFFF));
      if (Coin(0.1)) p.shift = uint8_t(U(31, 63));
      if (Coin(0.1)) p.shift = 0;
      pb.params[co] = p;
      nna::ref::PackParams(p, &sram[in.param_addr + co * nna::isa::ChannelParamsRecord::kBytes]);
    }
  }

  std::vector<uint64_t> RandomProgram() {
    std::vector<uint64_t> prog;
    const unsigned kind = U(0, 9);
    const unsigned f = U(0, 3);
    if (kind <= 4) {
      prog.push_back(SimdInstr(1, 0, 0, f));
    } else if (kind == 5) {  // NOPs around the fused op
      prog.push_back(SimdInstr(0, U(0, 15), U(0, 15), U(0, 31)));
      prog.push_back(SimdInstr(1, 0, 0, f));
      prog.push_back(SimdInstr(0, 0, 0, 0));
    } else if (kind == 6) {  // chain of two through v1
      prog.push_back(SimdInstr(1, 1, 0, f));
      prog.push_back(SimdInstr(1, 0, 1, U(0, 3)));
    } else if (kind == 7) {  // result to v3: the output is the accumulator's low byte
      prog.push_back(SimdInstr(1, 3, 0, f));
    } else if (kind == 8) {  // v0 from an untouched register (0)
      prog.push_back(SimdInstr(1, 0, 2, f));
    } else if (Coin(0.5)) {  // any legal program (docs/simd.md)
      nna::SplitMix64 rng(U(0, 0xFFFFFFFF));
      for (const auto& si : nna::simd::RandomSimdProgram(rng)) {
        const auto bytes = nna::isa::Encode(si);
        uint64_t word = 0;
        for (int b = 0; b < 8; ++b) word |= uint64_t(bytes[b]) << (8 * b);
        prog.push_back(word);
      }
    } else {  // FUSED_RELU and NOP mixed
      const unsigned len = U(1, unsigned(nna::isa::kMaxSimdInstrs));
      for (unsigned i = 0; i < len; ++i)
        prog.push_back(Coin(0.3) ? SimdInstr(0, 0, 0, 0) : SimdInstr(1, U(0, 3), U(0, 3), U(0, 3)));
    }
    return prog;
  }

  // Channels: dense (1 and 3 often), grouped, or depthwise (with a channel multiplier at times).
  void RandomChannels(ComputeInstr& in, bool dense) {
    const uint32_t M = uint32_t(Cfg().array_rows);
    auto count = [&](uint32_t hi) {
      const uint32_t k = U(0, 3);
      return k == 0 ? 1 : k == 1 ? 3 : U(1, hi);
    };
    const uint32_t mode = dense ? 0 : U(0, 3);
    if (mode <= 1) {
      in.groups = 1;
      in.in_c = count(6);
      in.out_c = count(3 * M);
    } else if (mode == 2) {
      in.groups = U(2, 4);
      in.in_c = in.groups * U(1, 3);
      in.out_c = in.groups * U(1, 2 * M + 1);
    } else {
      in.groups = U(1, 12);
      in.in_c = in.groups;
      in.out_c = in.groups * (Coin(0.7) ? 1 : U(2, 3));
    }
  }

  // The rest of an instruction: strides, signedness, order, SIMD program, tensors.
  void RandomLayout(Problem& pb, std::vector<uint8_t>& sram) {
    ComputeInstr& in = pb.in;
    // Sometimes rows far apart: a packet then needs several window loads.
    in.in_row_stride = in.in_w + (Coin(0.2) ? U(20, 60) : U(0, 3));
    in.in_plane_stride = in.in_h * in.in_row_stride + U(0, 5);
    in.out_plane_stride = in.out_h * in.out_w + U(0, 5);
    in.in_signed = U(0, 1);
    in.wt_signed = U(0, 1);
    in.out_signed = U(0, 1);
    in.order = Coin(0.5) ? nna::isa::Order::kPixelMajor : nna::isa::Order::kChannelMajor;
    const bool padded = in.opcode == nna::isa::Opcode::kConv || in.opcode == nna::isa::Opcode::kDeconv;
    in.pad_value = padded && Coin(0.4) ? uint8_t(U(1, 255)) : 0;  // an input zero point
    pb.prog = RandomProgram();
    Finish(pb, sram, Coin(0.3));
  }

  Problem RandomConv(std::vector<uint8_t>& sram, bool dense) {
    Problem pb;
    ComputeInstr& in = pb.in;
    in.opcode = nna::isa::Opcode::kConv;
    for (;;) {
      in.in_h = U(1, 10);
      in.in_w = U(1, 12);
      in.kernel_h = U(1, 3);
      in.kernel_w = U(1, 3);
      in.stride_h = Coin(0.1) ? 3 : U(1, 2);
      in.stride_w = Coin(0.1) ? 3 : U(1, 2);
      in.dil_h = Coin(0.2) ? 2 : 1;
      in.dil_w = Coin(0.2) ? 2 : 1;
      in.pad_top = U(0, 2);
      in.pad_bottom = U(0, 2);
      in.pad_left = U(0, 2);
      in.pad_right = U(0, 2);
      const int64_t eh =
          int64_t(in.in_h + in.pad_top + in.pad_bottom) - int64_t(in.dil_h * (in.kernel_h - 1)) - 1;
      const int64_t ew =
          int64_t(in.in_w + in.pad_left + in.pad_right) - int64_t(in.dil_w * (in.kernel_w - 1)) - 1;
      if (eh < 0 || ew < 0) continue;
      in.out_h = eh / in.stride_h + 1;
      in.out_w = ew / in.stride_w + 1;
      RandomChannels(in, dense);
      if (Terms(in) <= kMaxTerms) break;
    }
    RandomLayout(pb, sram);
    return pb;
  }

  // Transposed convolution: out = (in-1)*stride - pads + dil*(k-1) + out_pad + 1 (the compiler's
  // formula; the hardware reads only out_h, out_w).
  Problem RandomDeconv(std::vector<uint8_t>& sram) {
    Problem pb;
    ComputeInstr& in = pb.in;
    in.opcode = nna::isa::Opcode::kDeconv;
    for (;;) {
      in.stride_h = 1u << U(0, 3);
      in.stride_w = 1u << U(0, 3);
      in.in_h = U(1, in.stride_h >= 4 ? 3 : 6);
      in.in_w = U(1, in.stride_w >= 4 ? 4 : 8);
      in.kernel_h = Coin(0.3) ? 2 * in.stride_h : U(1, 4);
      in.kernel_w = Coin(0.3) ? 2 * in.stride_w : U(1, 4);
      in.dil_h = Coin(0.2) ? U(2, 3) : 1;
      in.dil_w = Coin(0.2) ? U(2, 3) : 1;
      const uint32_t span_h = in.dil_h * (in.kernel_h - 1), span_w = in.dil_w * (in.kernel_w - 1);
      in.pad_top = U(0, span_h + (Coin(0.1) ? 3 : 0));
      in.pad_bottom = U(0, span_h);
      in.pad_left = U(0, span_w + (Coin(0.1) ? 3 : 0));
      in.pad_right = U(0, span_w);
      in.out_pad_h = U(0, std::max(in.stride_h, in.dil_h) - 1);
      in.out_pad_w = U(0, std::max(in.stride_w, in.dil_w) - 1);
      const int64_t oh =
          int64_t(in.in_h - 1) * in.stride_h - in.pad_top - in.pad_bottom + span_h + in.out_pad_h + 1;
      const int64_t ow =
          int64_t(in.in_w - 1) * in.stride_w - in.pad_left - in.pad_right + span_w + in.out_pad_w + 1;
      if (oh < 1 || ow < 1) continue;
      in.out_h = oh;
      in.out_w = ow;
      RandomChannels(in, false);
      if (Terms(in) <= kMaxTerms) break;
    }
    RandomLayout(pb, sram);
    return pb;
  }

  // Fully connected: the kernel covers the input; at times thousands of terms.
  Problem RandomInnerProduct(std::vector<uint8_t>& sram) {
    Problem pb;
    ComputeInstr& in = pb.in;
    in.opcode = nna::isa::Opcode::kInnerProduct;
    if (Coin(0.3)) {
      in.in_c = U(24, 64);
      in.in_h = in.in_w = 8;
    } else {
      const uint32_t k = U(0, 3);
      in.in_c = k == 0 ? 1 : k == 1 ? 3 : U(1, 10);
      in.in_h = U(1, 6);
      in.in_w = U(1, 7);
    }
    in.kernel_h = in.in_h;
    in.kernel_w = in.in_w;
    in.stride_h = in.stride_w = in.dil_h = in.dil_w = 1;
    in.out_h = in.out_w = 1;
    in.groups = 1;
    const uint32_t k = U(0, 3);
    in.out_c = k == 0 ? 1 : k == 1 ? 3 : U(1, uint32_t(3 * Cfg().array_rows));
    RandomLayout(pb, sram);
    return pb;
  }

  Problem Random(Kind kind, std::vector<uint8_t>& sram) {
    switch (kind) {
      case Kind::kConv:
        return RandomConv(sram, false);
      case Kind::kDenseConv:
        return RandomConv(sram, true);
      case Kind::kDeconv:
        return RandomDeconv(sram);
      case Kind::kInnerProduct:
        return RandomInnerProduct(sram);
      case Kind::kScale:
      case Kind::kEltwise:
        return RandomSimdOnly(sram, kind == Kind::kEltwise);
    }
    return RandomConv(sram, false);
  }

  // MAC cycles of an instruction (before its precomputed fields are set), to bound the run time.
  static uint64_t Terms(const ComputeInstr& in) {
    const uint64_t N = Cfg().array_cols, M = Cfg().array_rows;
    const uint64_t goc = in.out_c / in.groups;
    return (in.out_h * in.out_w + N - 1) / N * in.groups * ((goc + M - 1) / M) * (in.in_c / in.groups) *
           in.kernel_h * in.kernel_w;
  }
  static constexpr uint64_t kMaxTerms = 40000;

  Kind RandomKind() {
    const uint32_t k = U(0, 11);
    return k < 5    ? Kind::kConv
           : k < 8  ? Kind::kDeconv
           : k < 10 ? Kind::kInnerProduct
           : k < 11 ? Kind::kScale
                    : Kind::kEltwise;
  }

  // SCALE or ELTWISE: a depthwise 1x1 shape of the input (docs/architecture.md).
  Problem RandomSimdOnly(std::vector<uint8_t>& sram, bool eltwise) {
    Problem pb;
    ComputeInstr& in = pb.in;
    in.opcode = eltwise ? nna::isa::Opcode::kEltwise : nna::isa::Opcode::kScale;
    in.eltwise_op = eltwise ? nna::isa::EltwiseOp(U(0, 2)) : nna::isa::EltwiseOp::kAdd;
    in.in_h = U(1, 10);
    in.in_w = U(1, 12);
    in.kernel_h = in.kernel_w = 1;
    in.dil_h = in.dil_w = 1;
    // A third strided: they subsample (a residual add feeding stride-2 1x1 convs only).
    in.stride_h = Coin(0.33) ? U(1, 3) : 1;
    in.stride_w = Coin(0.33) ? U(1, 3) : 1;
    in.out_h = (in.in_h - 1) / in.stride_h + 1;
    in.out_w = (in.in_w - 1) / in.stride_w + 1;
    in.in_c = in.out_c = in.groups = Coin(0.2) ? 1 : U(1, 24);
    RandomLayout(pb, sram);
    if (eltwise && Coin(0.5)) {  // a and b weighted apart (residual add): reads v1 and v2
      using nna::isa::SimdOp;
      auto word = [](SimdOp op, unsigned dst, unsigned a, unsigned b, uint32_t imm, unsigned flags) {
        nna::isa::SimdInstr si;
        si.op = op, si.dst = dst, si.src_a = a, si.src_b = b, si.imm = imm, si.flags = flags;
        const auto bytes = nna::isa::Encode(si);
        uint64_t w = 0;
        for (int i = 0; i < 8; ++i) w |= uint64_t(bytes[i]) << (8 * i);
        return w;
      };
      pb.prog = {word(SimdOp::kMovi, 3, 0, 0, U(0, 300) - 150, 0),
                 word(SimdOp::kMul, 1, 1, 3, 0, 0),
                 word(SimdOp::kMovi, 4, 0, 0, U(0, 300) - 150, 0),
                 word(SimdOp::kMul, 2, 2, 4, 0, 0),
                 word(SimdOp::kAdd, 0, 1, 2, 0, 0),
                 word(SimdOp::kFusedRelu, 0, 0, 0, 0, U(0, 3))};
      in.simd_len = pb.prog.size();
    }
    return pb;
  }

 private:
  std::mt19937 rng_;
};

// ----- the harness --------------------------------------------------------------------------
class ComputeTb {
 public:
  ComputeTb(VerilatedContext* ctx, uint32_t seed) : top_(ctx), rng_(seed), sram_(1u << 22) {}

  void Reset() {
    top_->start_i = 0;
    top_->act_req_ready_i = 0;
    top_->wt_req_ready_i = 0;
    top_->wr_ready_i = 0;
    top_->act_rsp_valid_i = 0;
    top_->wt_rsp_valid_i = 0;
    top_.Reset(4, 1);
  }

  void SetReadyProb(double p) { ready_prob_ = p; }

  // Runs one instruction; returns false (after printing why) on a mismatch.
  bool Run(const Problem& pb, uint32_t idx, const char* what) {
    std::vector<AccEvent> exp_acc, got_acc;
    std::vector<WrEvent> exp_wr, got_wr;
    if (!pb.expect_error) Reference(pb, sram_, idx, exp_acc, exp_wr);

    const auto enc = nna::isa::Encode(pb.in);
    PutBytes(top_->instr_i, enc.data(), enc.size());
    std::vector<uint8_t> prog(nna::isa::kMaxSimdInstrs * 8, 0);
    for (size_t i = 0; i < pb.prog.size() && i < nna::isa::kMaxSimdInstrs; ++i)
      for (int b = 0; b < 8; ++b) prog[i * 8 + b] = uint8_t(pb.prog[i] >> (8 * b));
    PutBytes(top_->simd_prog_i, prog.data(), prog.size());
    top_->instr_idx_i = idx;
    top_->start_i = 1;

    const uint64_t P = Cfg().sram_act_port_bytes, Q = Cfg().sram_wt_port_bytes;
    const uint64_t N = Cfg().array_cols, W = Cfg().sram_wr_port_bytes;
    bool act_pending = false, wt_pending = false, finished = false, errored = false;
    last_act_loads_ = 0;
    uint32_t act_addr = 0, wt_addr = 0, err_code = 0;
    uint64_t mac_cycles = 0, first_mac = 0, last_mac = 0, sram_accesses = 0;
    const uint64_t limit = 200000 + 40 * pb.in.dot_len * pb.in.pix_tiles * pb.in.ch_tiles;
    uint64_t cyc = 0;
    const auto sim_start = std::chrono::steady_clock::now();
    for (; cyc < limit && !finished; ++cyc) {
      // Inputs of this cycle: responses to last cycle's accepted reads, random readiness.
      top_->act_rsp_valid_i = act_pending;
      top_->wt_rsp_valid_i = wt_pending;
      std::vector<uint8_t> buf(std::max(P, Q));
      for (uint64_t i = 0; i < P; ++i) buf[i] = sram_[(act_addr + i) % sram_.size()];
      if (act_pending) PutBytes(top_->act_rsp_data_i, buf.data(), P);
      for (uint64_t i = 0; i < Q; ++i) buf[i] = sram_[(wt_addr + i) % sram_.size()];
      if (wt_pending) PutBytes(top_->wt_rsp_data_i, buf.data(), Q);
      top_->act_req_ready_i = Ready();
      top_->wt_req_ready_i = Ready();
      top_->wr_ready_i = Ready();
      top_.Eval();
      if (cyc > 0 && top_->start_i) {  // start is a one-cycle pulse; garble the command after it
        top_->start_i = 0;
        for (size_t w = 0; w < sizeof(top_->instr_i) / 4; ++w) top_->instr_i[w] = uint32_t(rng_());
        top_.Eval();
      }
      // Outputs of this cycle.
      act_pending = top_->act_req_valid_o && top_->act_req_ready_i;
      wt_pending = top_->wt_req_valid_o && top_->wt_req_ready_i;
      if (act_pending) act_addr = top_->act_req_addr_o;
      if (wt_pending) wt_addr = top_->wt_req_addr_o;
      sram_accesses += act_pending + wt_pending;
      total_act_loads_ += act_pending;
      last_act_loads_ += act_pending;
      if (top_->wr_valid_o && top_->wr_ready_i) {
        ++sram_accesses;
        WrEvent ev{top_->wr_instr_o, top_->wr_addr_o, {}};
        bool run_started = false, run_ended = false, gap = false;
        for (uint64_t b = 0; b < W; ++b) {
          if (GetBit(top_->wr_mask_o, b)) {
            if (run_ended) gap = true;
            if (!run_started) ev.addr = top_->wr_addr_o + b;
            run_started = true;
            ev.bytes.push_back(uint8_t(GetByte(top_->wr_data_o, b)));
            sram_[(top_->wr_addr_o + b) % sram_.size()] = uint8_t(GetByte(top_->wr_data_o, b));
          } else if (run_started) {
            run_ended = true;
          }
        }
        if (gap) return Fail(what, "write mask is not one contiguous run");
        got_wr.push_back(ev);
      }
      if (top_->obs_acc_valid_o) {
        AccEvent ev{top_->obs_acc_instr_o,
                    top_->obs_acc_pix_tile_o,
                    top_->obs_acc_ch_tile_o,
                    top_->obs_acc_row_o,
                    {}};
        for (uint64_t i = 0; i < N; ++i) ev.vals.push_back(GetField(top_->obs_acc_data_o, i * 30, 30));
        got_acc.push_back(ev);
      }
      if (top_->mac_active_o) {
        if (mac_cycles == 0) first_mac = cyc;
        last_mac = cyc;
        ++mac_cycles;
      }
      if (top_->done_o) finished = true;
      if (top_->err_o) {
        finished = errored = true;
        err_code = top_->err_code_o;
      }
      top_.Tick();
    }
    total_cycles_ += cyc;
    last_cycles_ = cyc;
    sim_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - sim_start).count();
    if (!finished) return Fail(what, "no done_o/err_o within " + std::to_string(limit) + " cycles");
    if (pb.expect_error) {
      if (!errored) return Fail(what, "expected err_o, got done_o");
      if (err_code != uint32_t(pb.error))
        return Fail(what,
                    "err_code " + std::to_string(err_code) + ", expected " + std::to_string(int(pb.error)));
      if (sram_accesses != 0) return Fail(what, "SRAM accessed by an illegal instruction");
      return true;
    }
    if (errored) return Fail(what, "unexpected err_o, code " + std::to_string(err_code));
    if (!CompareAcc(what, exp_acc, got_acc) || !CompareWr(what, exp_wr, got_wr)) return false;
    legal_cycles_ += cyc;
    last_util_ = mac_cycles ? double(mac_cycles) / double(last_mac - first_mac + 1) : 0.0;
    total_terms_ += mac_cycles;
    total_sr_stalls_ += SrStalls();
    if (pb.prog.size() > 1) ++multi_instr_programs_;
    last_mac_cycles_ = mac_cycles;
    return true;
  }

  std::vector<uint8_t>& Sram() { return sram_; }
  uint64_t TotalCycles() const { return total_cycles_; }
  uint64_t LegalCycles() const { return legal_cycles_; }  // of the instructions that ran
  uint64_t TotalTerms() const { return total_terms_; }
  uint64_t LastCycles() const { return last_cycles_; }
  double SimSeconds() const { return sim_seconds_; }
  double LastUtil() const { return last_util_; }
  uint64_t LastMacCycles() const { return last_mac_cycles_; }
  uint64_t LastActLoads() const { return last_act_loads_; }
  uint32_t SrStalls() const { return top_->obs_sr_stalls_o; }
  void PrintCoverage() const {
    std::printf(
        "coverage: %lu terms, %.3f activation loads per term, %lu shift-register stall cycles, "
        "%lu multi-instruction SIMD programs\n",
        (unsigned long)total_terms_, total_terms_ ? double(total_act_loads_) / total_terms_ : 0.0,
        (unsigned long)total_sr_stalls_, (unsigned long)multi_instr_programs_);
  }

 private:
  uint8_t Ready() { return std::bernoulli_distribution(ready_prob_)(rng_) ? 1 : 0; }

  static bool Fail(const char* what, const std::string& msg) {
    std::fprintf(stderr, "FAIL %s: %s\n", what, msg.c_str());
    return false;
  }
  static std::string Str(const AccEvent& e) {
    std::string s = "instr " + std::to_string(e.instr) + " pt " + std::to_string(e.pt) + " ct " +
                    std::to_string(e.ct) + " row " + std::to_string(e.row) + " [";
    for (auto v : e.vals) s += " " + std::to_string(int32_t(v << 2) >> 2);
    return s + " ]";
  }
  static std::string Str(const WrEvent& e) {
    char b[64];
    std::snprintf(b, sizeof b, "instr %u addr 0x%x [", e.instr, e.addr);
    std::string s = b;
    for (auto v : e.bytes) s += " " + std::to_string(v);
    return s + " ]";
  }
  template <typename E>
  static bool Compare(const char* what, const char* stream, const std::vector<E>& exp,
                      const std::vector<E>& got) {
    for (size_t i = 0; i < std::max(exp.size(), got.size()); ++i) {
      if (i >= exp.size()) return Fail(what, std::string(stream) + " leftover RTL event " + Str(got[i]));
      if (i >= got.size()) return Fail(what, std::string(stream) + " missing event " + Str(exp[i]));
      if (!(exp[i] == got[i]))
        return Fail(what, std::string(stream) + " event " + std::to_string(i) + " differs:\n  expected " +
                              Str(exp[i]) + "\n  rtl      " + Str(got[i]));
    }
    return true;
  }
  static bool CompareAcc(const char* w, const std::vector<AccEvent>& e, const std::vector<AccEvent>& g) {
    return Compare(w, "acc_unload", e, g);
  }
  static bool CompareWr(const char* w, const std::vector<WrEvent>& e, const std::vector<WrEvent>& g) {
    return Compare(w, "sram_write.simd", e, g);
  }

  nna::vl::BlockDut<Vnna_compute> top_;
  std::mt19937 rng_;
  std::vector<uint8_t> sram_;
  double ready_prob_ = 0.7;
  uint64_t total_cycles_ = 0, legal_cycles_ = 0, last_cycles_ = 0;
  double sim_seconds_ = 0.0;  // inside the cycle loops (SRAM model and checks included)
  double last_util_ = 0.0;
  uint64_t last_mac_cycles_ = 0;
  uint64_t last_act_loads_ = 0;
  uint64_t total_terms_ = 0, total_act_loads_ = 0, total_sr_stalls_ = 0, multi_instr_programs_ = 0;
};

std::string Describe(const ComputeInstr& in) {
  char b[320];
  std::snprintf(b, sizeof b,
                "%s in %lux%lux%lu out %lux%lux%lu g %lu k %lux%lu s %lu,%lu d %lu,%lu pad %lu,%lu,%lu,%lu "
                "sgn %lu%lu %s",
                nna::isa::ToString(in.opcode), (unsigned long)in.in_c, (unsigned long)in.in_h,
                (unsigned long)in.in_w, (unsigned long)in.out_c, (unsigned long)in.out_h,
                (unsigned long)in.out_w, (unsigned long)in.groups, (unsigned long)in.kernel_h,
                (unsigned long)in.kernel_w, (unsigned long)in.stride_h, (unsigned long)in.stride_w,
                (unsigned long)in.dil_h, (unsigned long)in.dil_w, (unsigned long)in.pad_top,
                (unsigned long)in.pad_bottom, (unsigned long)in.pad_left, (unsigned long)in.pad_right,
                (unsigned long)in.in_signed, (unsigned long)in.wt_signed,
                in.order == nna::isa::Order::kPixelMajor ? "pixel_major" : "channel_major");
  return b;
}

// What the random instructions covered.
struct Coverage {
  uint64_t conv = 0, deconv = 0, ip = 0, grouped = 0, depthwise = 0, ch1 = 0, ch3 = 0;
  uint64_t deconv_stride[9] = {};  // by stride_h and stride_w (1, 2, 4, 8)
  uint64_t max_dot_len = 0, long_ip = 0, asym_pad = 0, mixed_sign = 0, chmajor = 0, scale = 0;
  uint64_t eltwise[3] = {};  // by eltwise_op
  uint64_t subsampled = 0;   // SCALE and ELTWISE with a stride above 1
  void Add(const ComputeInstr& in) {
    scale += in.opcode == nna::isa::Opcode::kScale;
    subsampled += nna::isa::IsSimdOnly(in.opcode) && (in.stride_h > 1 || in.stride_w > 1);
    if (in.opcode == nna::isa::Opcode::kEltwise) ++eltwise[std::min<unsigned>(unsigned(in.eltwise_op), 2)];
    if (in.opcode == nna::isa::Opcode::kConv) ++conv;
    if (in.opcode == nna::isa::Opcode::kDeconv) {
      ++deconv;
      ++deconv_stride[in.stride_h];
      ++deconv_stride[in.stride_w];
    }
    if (in.opcode == nna::isa::Opcode::kInnerProduct) ++ip;
    if (in.groups > 1 && in.group_in_c == 1)
      ++depthwise;
    else if (in.groups > 1)
      ++grouped;
    ch1 += in.in_c == 1 || in.out_c == 1;
    ch3 += in.in_c == 3 || in.out_c == 3;
    max_dot_len = std::max<uint64_t>(max_dot_len, in.dot_len);
    long_ip += in.opcode == nna::isa::Opcode::kInnerProduct && in.dot_len >= 1000;
    asym_pad += in.pad_top != in.pad_bottom || in.pad_left != in.pad_right;
    mixed_sign += in.in_signed != in.wt_signed;
    chmajor += in.order == nna::isa::Order::kChannelMajor;
  }
  void Print() const {
    std::printf(
        "random instructions: %lu conv, %lu deconv (stride 1/2/4/8: %lu/%lu/%lu/%lu), %lu inner_product "
        "(%lu with >= 1000 terms, longest dot product %lu); %lu grouped, %lu depthwise, %lu with 1 and "
        "%lu with 3 channels, %lu asymmetric padding, %lu mixed signedness, %lu channel-major\n",
        (unsigned long)conv, (unsigned long)deconv, (unsigned long)deconv_stride[1],
        (unsigned long)deconv_stride[2], (unsigned long)deconv_stride[4], (unsigned long)deconv_stride[8],
        (unsigned long)ip, (unsigned long)long_ip, (unsigned long)max_dot_len, (unsigned long)grouped,
        (unsigned long)depthwise, (unsigned long)ch1, (unsigned long)ch3, (unsigned long)asym_pad,
        (unsigned long)mixed_sign, (unsigned long)chmajor);
    std::printf("random instructions: %lu scale, eltwise %lu add, %lu mul, %lu max (%lu of them strided)\n",
                (unsigned long)scale, (unsigned long)eltwise[0], (unsigned long)eltwise[1],
                (unsigned long)eltwise[2], (unsigned long)subsampled);
  }
};

using nna::isa::ErrorCode;
using nna::isa::Opcode;

// One illegal instruction per check: a legal problem of `base`, changed so that exactly the
// checks in `violates` fail (the test checks that against Violations() first; "none" for an
// instruction whose fields are legal but whose tensors run past the SRAM).
struct BadCase {
  const char* what;
  Kind base;
  void (*mutate)(Problem&);
  const char* violates;  // Join() of the expected Violations(); unused for illegal_opcode
  ErrorCode code;
};

const BadCase kBadCases[] = {
    {"scale reading weights", Kind::kScale, [](Problem& p) { p.in.wt_addr = 64; }, "so_wt",
     ErrorCode::kIllegalField},
    {"scale wt_signed", Kind::kScale, [](Problem& p) { p.in.wt_signed = 1; }, "so_wt",
     ErrorCode::kIllegalField},
    {"scale with in2_addr", Kind::kScale, [](Problem& p) { p.in.in2_addr = 4; }, "so_in2",
     ErrorCode::kIllegalField},
    {"scale eltwise_op mul", Kind::kScale, [](Problem& p) { p.in.eltwise_op = nna::isa::EltwiseOp::kMul; },
     "eltwise_op", ErrorCode::kIllegalField},
    {"conv eltwise_op max", Kind::kConv, [](Problem& p) { p.in.eltwise_op = nna::isa::EltwiseOp::kMax; },
     "eltwise_op", ErrorCode::kIllegalField},
    {"eltwise_op 3", Kind::kEltwise, [](Problem& p) { p.in.eltwise_op = nna::isa::EltwiseOp(3); },
     "eltwise_op", ErrorCode::kIllegalField},
    {"eltwise dot_len 1", Kind::kEltwise,
     [](Problem& p) {
       p.in.dot_len = 1;
       p.in.wt_tile_bytes = Cfg().array_rows;
     },
     "dot_len", ErrorCode::kIllegalField},
    {"eltwise pad_left 1", Kind::kEltwise, [](Problem& p) { p.in.pad_left = 1; }, "so_pad",
     ErrorCode::kIllegalField},
    {"scale out_w != in_w", Kind::kScale, [](Problem& p) { p.in.in_w += 1; }, "so_out",
     ErrorCode::kIllegalField},
    {"scale dil_w 2", Kind::kScale, [](Problem& p) { p.in.dil_w = 2; }, "so_1x1", ErrorCode::kIllegalField},
    {"eltwise stride 2, out_w one short", Kind::kEltwise,
     [](Problem& p) {
       p.in.stride_w = 2;
       p.in.in_w = 2 * p.in.out_w + 1;  // subsampled: out_w + 1 columns
     },
     "so_out", ErrorCode::kIllegalField},
    {"opcode 0", Kind::kConv, [](Problem& p) { p.in.opcode = Opcode(0); }, "", ErrorCode::kIllegalOpcode},
    {"opcode dma_read", Kind::kConv, [](Problem& p) { p.in.opcode = Opcode::kDmaRead; }, "",
     ErrorCode::kIllegalOpcode},
    {"opcode 8", Kind::kConv, [](Problem& p) { p.in.opcode = Opcode(8); }, "", ErrorCode::kIllegalOpcode},
    {"simd_len 0", Kind::kConv, [](Problem& p) { p.in.simd_len = 0; }, "simd_len", ErrorCode::kIllegalField},
    {"simd_len 17", Kind::kConv, [](Problem& p) { p.in.simd_len = 17; }, "simd_len",
     ErrorCode::kIllegalField},
    {"simd op 99", Kind::kConv, [](Problem& p) { p.prog[0] = SimdInstr(99, 0, 0, 0); }, "simd",
     ErrorCode::kIllegalOpcode},
    {"simd dst v8", Kind::kConv, [](Problem& p) { p.prog[0] = SimdInstr(1, 8, 0, 0); }, "simd",
     ErrorCode::kIllegalField},
    {"simd src_a v9", Kind::kConv, [](Problem& p) { p.prog[0] = SimdInstr(1, 0, 9, 0); }, "simd",
     ErrorCode::kIllegalField},
    {"simd pred p4", Kind::kConv, [](Problem& p) { p.prog[0] = SimdInstr(1, 0, 0, 0, 4); }, "simd",
     ErrorCode::kIllegalField},
    {"simd cmpeq to p0", Kind::kConv, [](Problem& p) { p.prog[0] = SimdInstr(15, 0, 0, 0); }, "simd",
     ErrorCode::kIllegalField},
    {"kernel_h 0", Kind::kConv,
     [](Problem& p) {
       p.in.kernel_h = 0;
       p.in.dot_len = 0;
       p.in.wt_tile_bytes = 0;
     },
     "kernel_h", ErrorCode::kIllegalField},
    {"kernel_w 0", Kind::kDeconv,
     [](Problem& p) {
       p.in.kernel_w = 0;
       p.in.dot_len = 0;
       p.in.wt_tile_bytes = 0;
     },
     "kernel_w", ErrorCode::kIllegalField},
    {"stride_h 0", Kind::kConv, [](Problem& p) { p.in.stride_h = 0; }, "stride_h", ErrorCode::kIllegalField},
    {"stride_w 0", Kind::kConv, [](Problem& p) { p.in.stride_w = 0; }, "stride_w", ErrorCode::kIllegalField},
    {"dil_h 0", Kind::kDeconv, [](Problem& p) { p.in.dil_h = 0; }, "dil_h", ErrorCode::kIllegalField},
    {"dil_w 0", Kind::kConv, [](Problem& p) { p.in.dil_w = 0; }, "dil_w", ErrorCode::kIllegalField},
    {"in_c 0", Kind::kConv,
     [](Problem& p) {
       p.in.in_c = 0;
       p.in.group_in_c = 0;
       p.in.dot_len = 0;
       p.in.wt_tile_bytes = 0;
     },
     "in_c", ErrorCode::kIllegalField},
    {"out_c 0", Kind::kConv,
     [](Problem& p) {
       p.in.out_c = 0;
       p.in.group_out_c = 0;
     },
     "out_c,group_tiles", ErrorCode::kIllegalField},
    {"out_h 0", Kind::kConv, [](Problem& p) { p.in.out_h = 0; }, "out_h,pix_tiles", ErrorCode::kIllegalField},
    {"out_w 0", Kind::kDeconv,
     [](Problem& p) {
       p.in.out_w = 0;
       p.in.out_row_stride = 0;
     },
     "out_w,pix_tiles", ErrorCode::kIllegalField},
    {"groups 0", Kind::kDenseConv,
     [](Problem& p) {
       p.in.groups = 0;
       p.in.ch_tiles = 0;
     },
     "groups,group_in_c,group_out_c", ErrorCode::kIllegalField},
    {"in_c != groups*group_in_c", Kind::kConv, [](Problem& p) { p.in.in_c += 1; }, "group_in_c",
     ErrorCode::kIllegalField},
    {"out_c != groups*group_out_c", Kind::kDeconv, [](Problem& p) { p.in.out_c += 1; }, "group_out_c",
     ErrorCode::kIllegalField},
    {"group_in_c and in_c 2x, groups same", Kind::kConv,
     [](Problem& p) {  // consistent products, but dot_len now disagrees
       p.in.in_c *= 2;
       p.in.group_in_c *= 2;
     },
     "dot_len", ErrorCode::kIllegalField},
    {"group_tiles + 1", Kind::kConv,
     [](Problem& p) {
       p.in.group_tiles += 1;
       p.in.ch_tiles = p.in.groups * p.in.group_tiles;
     },
     "group_tiles", ErrorCode::kIllegalField},
    {"group_tiles too small", Kind::kDenseConv,
     [](Problem& p) {
       p.in.group_out_c = p.in.group_tiles * Cfg().array_rows + 1;
       p.in.out_c = p.in.group_out_c;
     },
     "group_tiles", ErrorCode::kIllegalField},
    {"group_tiles 0", Kind::kConv,
     [](Problem& p) {
       p.in.group_tiles = 0;
       p.in.ch_tiles = 0;
     },
     "group_tiles", ErrorCode::kIllegalField},
    {"ch_tiles + 1", Kind::kConv, [](Problem& p) { p.in.ch_tiles += 1; }, "ch_tiles",
     ErrorCode::kIllegalField},
    {"ch_tiles 0", Kind::kInnerProduct, [](Problem& p) { p.in.ch_tiles = 0; }, "ch_tiles",
     ErrorCode::kIllegalField},
    {"dot_len + 1", Kind::kConv,
     [](Problem& p) {
       p.in.dot_len += 1;
       p.in.wt_tile_bytes = p.in.dot_len * Cfg().array_rows;
     },
     "dot_len", ErrorCode::kIllegalField},
    {"dot_len as in_c*k*k", Kind::kDenseConv,
     [](Problem& p) {  // the old dense formula, wrong for groups > 1
       p.in.groups = 2;
       p.in.in_c = 2 * p.in.group_in_c;
       p.in.out_c = 2 * p.in.group_out_c;
       p.in.ch_tiles = 2 * p.in.group_tiles;
       p.in.dot_len = p.in.in_c * p.in.kernel_h * p.in.kernel_w;
       p.in.wt_tile_bytes = p.in.dot_len * Cfg().array_rows;
     },
     "dot_len", ErrorCode::kIllegalField},
    {"pix_tiles + 1", Kind::kConv, [](Problem& p) { p.in.pix_tiles += 1; }, "pix_tiles",
     ErrorCode::kIllegalField},
    {"pix_tiles 0", Kind::kDeconv, [](Problem& p) { p.in.pix_tiles = 0; }, "pix_tiles",
     ErrorCode::kIllegalField},
    {"wt_tile_bytes + 1", Kind::kConv, [](Problem& p) { p.in.wt_tile_bytes += 1; }, "wt_tile_bytes",
     ErrorCode::kIllegalField},
    {"out_row_stride", Kind::kConv, [](Problem& p) { p.in.out_row_stride += 1; }, "out_row_stride",
     ErrorCode::kIllegalField},
    {"out_c > param entries", Kind::kDenseConv,
     [](Problem& p) {
       const uint64_t M = Cfg().array_rows;
       p.in.out_c = p.in.group_out_c = Cfg().simd_param_entries + 1;
       p.in.group_tiles = p.in.ch_tiles = (p.in.out_c + M - 1) / M;
     },
     "param_entries", ErrorCode::kIllegalField},
    {"pool max", Kind::kConv, [](Problem& p) { p.in.pool_op = nna::isa::PoolOp::kMax; }, "pool_op",
     ErrorCode::kIllegalField},
    {"reserved1", Kind::kDeconv, [](Problem& p) { p.in.reserved1 = 4; }, "reserved1",
     ErrorCode::kIllegalField},
    {"reserved2", Kind::kInnerProduct, [](Problem& p) { p.in.reserved2 = 1; }, "reserved2",
     ErrorCode::kIllegalField},
    {"reserved3", Kind::kConv, [](Problem& p) { p.in.reserved3 = 0x80; }, "reserved3",
     ErrorCode::kIllegalField},
    {"pad_value on inner_product", Kind::kInnerProduct, [](Problem& p) { p.in.pad_value = 7; }, "pad_value",
     ErrorCode::kIllegalField},
    {"deconv stride_h 3", Kind::kDeconv, [](Problem& p) { p.in.stride_h = 3; }, "deconv_stride",
     ErrorCode::kIllegalField},
    {"deconv stride_w 16", Kind::kDeconv, [](Problem& p) { p.in.stride_w = 16; }, "deconv_stride",
     ErrorCode::kIllegalField},
    {"deconv stride_h 6", Kind::kDeconv, [](Problem& p) { p.in.stride_h = 6; }, "deconv_stride",
     ErrorCode::kIllegalField},
    {"deconv stride_w 0", Kind::kDeconv, [](Problem& p) { p.in.stride_w = 0; }, "stride_w,deconv_stride",
     ErrorCode::kIllegalField},
    {"ip kernel_h != in_h", Kind::kInnerProduct, [](Problem& p) { p.in.in_h += 1; }, "ip_kernel",
     ErrorCode::kIllegalField},
    {"ip kernel_w != in_w", Kind::kInnerProduct, [](Problem& p) { p.in.in_w += 1; }, "ip_kernel",
     ErrorCode::kIllegalField},
    {"ip out_h 2", Kind::kInnerProduct, [](Problem& p) { p.in.out_h = 2; }, "ip_out",
     ErrorCode::kIllegalField},
    {"ip out_w 2", Kind::kInnerProduct,
     [](Problem& p) {
       p.in.out_w = 2;
       p.in.out_row_stride = 2;
     },
     "ip_out", ErrorCode::kIllegalField},
    {"ip stride_h 2", Kind::kInnerProduct, [](Problem& p) { p.in.stride_h = 2; }, "ip_stride_dil",
     ErrorCode::kIllegalField},
    {"ip stride_w 2", Kind::kInnerProduct, [](Problem& p) { p.in.stride_w = 2; }, "ip_stride_dil",
     ErrorCode::kIllegalField},
    {"ip dil_h 2", Kind::kInnerProduct, [](Problem& p) { p.in.dil_h = 2; }, "ip_stride_dil",
     ErrorCode::kIllegalField},
    {"ip dil_w 3", Kind::kInnerProduct, [](Problem& p) { p.in.dil_w = 3; }, "ip_stride_dil",
     ErrorCode::kIllegalField},
    {"ip pad_top", Kind::kInnerProduct, [](Problem& p) { p.in.pad_top = 1; }, "ip_pad",
     ErrorCode::kIllegalField},
    {"ip pad_bottom", Kind::kInnerProduct, [](Problem& p) { p.in.pad_bottom = 2; }, "ip_pad",
     ErrorCode::kIllegalField},
    {"ip pad_left", Kind::kInnerProduct, [](Problem& p) { p.in.pad_left = 1; }, "ip_pad",
     ErrorCode::kIllegalField},
    {"ip pad_right", Kind::kInnerProduct, [](Problem& p) { p.in.pad_right = 1; }, "ip_pad",
     ErrorCode::kIllegalField},
    {"ip groups 2", Kind::kInnerProduct,
     [](Problem& p) {  // consistent group fields, so only the inner-product rule fails
       const uint64_t M = Cfg().array_rows;
       p.in.in_c *= 2;
       p.in.out_c *= 2;
       p.in.groups = 2;
       p.in.group_tiles = (p.in.group_out_c + M - 1) / M;
       p.in.ch_tiles = 2 * p.in.group_tiles;
     },
     "ip_groups", ErrorCode::kIllegalField},
    // Legal fields, a tensor past the SRAM (the golden model's CheckDot, after the fields).
    {"conv output past the SRAM", Kind::kConv,
     [](Problem& p) { p.in.out_addr = Cfg().sram_bytes - p.in.out_h * p.in.out_w + 1; }, "none",
     ErrorCode::kSramRange},
    {"conv weights past the SRAM", Kind::kConv, [](Problem& p) { p.in.wt_addr = Cfg().sram_bytes - 1; },
     "none", ErrorCode::kSramRange},
    {"conv input wraps 32 bits", Kind::kConv, [](Problem& p) { p.in.in_addr = 0xFFFFFFF0u; }, "none",
     ErrorCode::kSramRange},
    {"eltwise tensor b past the SRAM", Kind::kEltwise,
     [](Problem& p) { p.in.in2_addr = Cfg().sram_bytes - 1; }, "none", ErrorCode::kSramRange},
    {"scale parameters past the SRAM", Kind::kScale,
     [](Problem& p) { p.in.param_addr = Cfg().sram_bytes - 8 * p.in.out_c + 1; }, "none",
     ErrorCode::kSramRange},
    {"illegal field before the SRAM range", Kind::kConv,
     [](Problem& p) {
       p.in.out_addr = Cfg().sram_bytes;
       p.in.reserved1 = 1;
     },
     "reserved1", ErrorCode::kIllegalField},
};

// Fields that a check reads, for random mutation.
const char* const kCheckedFields[] = {
    "opcode",     "simd_len",       "in_c",        "in_h",     "in_w",      "out_c",    "out_h",
    "out_w",      "out_row_stride", "kernel_h",    "kernel_w", "stride_h",  "stride_w", "dil_h",
    "dil_w",      "pad_top",        "pad_bottom",  "pad_left", "pad_right", "groups",   "pool_op",
    "reserved1",  "reserved2",      "reserved3",   "dot_len",  "pix_tiles", "ch_tiles", "wt_tile_bytes",
    "group_in_c", "group_out_c",    "group_tiles", "pad_value"};

// Replaces one checked field of the encoded instruction with a value that is often near the
// old one, and decodes it again.
void MutateField(Generator& gen, ComputeInstr& in) {
  const char* name = kCheckedFields[gen.U(0, sizeof kCheckedFields / sizeof kCheckedFields[0] - 1)];
  auto bytes = nna::isa::Encode(in);
  for (const auto& f : nna::isa::kComputeInstrFields) {
    if (std::strcmp(f.name, name) != 0) continue;
    const uint64_t old = nna::isa::detail::GetBits(bytes.data(), f.lsb, f.bits);
    const uint64_t mask = f.bits >= 64 ? ~0ull : (1ull << f.bits) - 1;
    uint64_t v;
    switch (gen.U(0, 5)) {
      case 0:
        v = old + 1;
        break;
      case 1:
        v = old - 1;
        break;
      case 2:
        v = gen.U(0, 4);
        break;
      case 3:
        v = uint64_t(1) << gen.U(0, 4);
        break;
      case 4:
        v = old * 2;
        break;
      default:
        v = (uint64_t(gen.U(0, 0xFFFFFFFF)) << 32 | gen.U(0, 0xFFFFFFFF));
        break;
    }
    nna::isa::detail::SetBits(bytes.data(), f.lsb, f.bits, v & mask, "compute", f.name);
  }
  in = nna::isa::DecodeComputeInstr(bytes.data());
}

}  // namespace

int main(int argc, char** argv) {
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(argc, argv);
  uint64_t n_tests = 200, seed64 = 1;
  if (!nna::vl::ParseArgs(argc, argv, "--tests", &n_tests, &seed64)) return 2;
  const uint32_t seed = uint32_t(seed64);
  const int tests = int(n_tests);
  std::printf("compute_tb: config %s, seed %u, %d random tests\n", NNA_CFG_NAME, seed, tests);
  Generator gen(seed);
  ComputeTb tb(ctx.get(), seed * 7919u + 1);
  tb.Reset();
  const auto t0 = std::chrono::steady_clock::now();
  uint32_t idx = 0;
  int failures = 0;
  uint64_t illegal_runs = 0;

  // 1. Illegal instructions, one per check: err_o with the right code, no SRAM access.
  for (const BadCase& bad : kBadCases) {
    Problem pb = gen.Random(bad.base, tb.Sram());
    bad.mutate(pb);
    if (bad.code != ErrorCode::kIllegalOpcode && Join(Violations(pb.in, pb.prog)) != bad.violates) {
      std::printf("FAIL %s: the test's own check list finds %s, the case expects %s\n", bad.what,
                  Join(Violations(pb.in, pb.prog)).c_str(), bad.violates);
      ++failures;
      continue;
    }
    pb.expect_error = true;
    pb.error = bad.code;
    if (!tb.Run(pb, idx++, bad.what)) ++failures;
    ++illegal_runs;
  }

  // 2. Random field mutations of legal instructions: err_o exactly when the check list says so.
  for (int t = 0; t < 2 * tests; ++t) {
    Problem pb = gen.Random(gen.RandomKind(), tb.Sram());
    const unsigned changes = gen.U(1, 2);
    for (unsigned c = 0; c < changes; ++c) MutateField(gen, pb.in);
    const auto v = Violations(pb.in, pb.prog);
    if (IsCompute(pb.in.opcode) && v.empty()) continue;  // still legal: its tensors may not fit
    pb.expect_error = true;
    pb.error = IsCompute(pb.in.opcode) ? ErrorCode::kIllegalField : ErrorCode::kIllegalOpcode;
    const std::string what = "mutated " + Describe(pb.in) + " (" + Join(v) + ")";
    if (!tb.Run(pb, idx++, what.c_str())) ++failures;
    ++illegal_runs;
  }
  std::printf("illegal instructions: %lu (%zu directed, one per check)\n", (unsigned long)illegal_runs,
              sizeof kBadCases / sizeof kBadCases[0]);

  // 3. Accumulator wrap: 18000 terms of 255*255 pass 2^30.
  {
    Problem pb;
    pb.in.opcode = Opcode::kConv;
    pb.in.groups = 1;
    pb.in.in_c = 2000;
    pb.in.in_h = 3;
    pb.in.in_w = 3;
    pb.in.kernel_h = 3;
    pb.in.kernel_w = 3;
    pb.in.stride_h = pb.in.stride_w = pb.in.dil_h = pb.in.dil_w = 1;
    pb.in.out_h = pb.in.out_w = 1;
    pb.in.out_c = 2;
    pb.in.in_row_stride = 3;
    pb.in.in_plane_stride = 9;
    pb.in.out_plane_stride = 1;
    pb.prog = {SimdInstr(1, 0, 0, 0)};
    gen.Finish(pb, tb.Sram(), false);
    for (uint64_t c = 0; c < pb.in.in_c * 9; ++c) tb.Sram()[pb.in.in_addr + c] = 255;
    for (uint64_t t = 0; t < pb.in.dot_len * Cfg().array_rows; ++t) tb.Sram()[pb.in.wt_addr + t] = 255;
    for (auto& w : pb.weights) w = int8_t(-1);
    for (uint64_t t = 0; t < pb.in.dot_len; ++t)  // channels past out_c stay 0
      for (uint64_t j = pb.in.out_c; j < Cfg().array_rows; ++j)
        tb.Sram()[pb.in.wt_addr + t * Cfg().array_rows + j] = 0;
    if (!tb.Run(pb, idx++, "accumulator wrap")) ++failures;
  }

  // 4. Gather of several window loads: input rows more than a port width apart, so each output
  // row of a section needs its own load: 2 terms x 16 pixels in rows of 4 = 8 loads.
  {
    Problem pb;
    pb.in.opcode = Opcode::kConv;
    pb.in.groups = 1;
    pb.in.in_c = 2;
    pb.in.in_h = pb.in.in_w = 4;
    pb.in.kernel_h = pb.in.kernel_w = 1;
    pb.in.stride_h = pb.in.stride_w = pb.in.dil_h = pb.in.dil_w = 1;
    pb.in.out_h = pb.in.out_w = 4;
    pb.in.out_c = Cfg().array_rows;
    pb.in.in_row_stride = Cfg().sram_act_port_bytes + 8;
    pb.in.in_plane_stride = 4 * pb.in.in_row_stride;
    pb.in.out_plane_stride = 16;
    pb.prog = {SimdInstr(1, 0, 0, 2)};
    gen.Finish(pb, tb.Sram(), false);
    if (!tb.Run(pb, idx++, "multi-load gather")) ++failures;
    if (tb.LastActLoads() != 8) {
      std::printf("FAIL multi-load gather: %lu activation loads, expected 8\n",
                  (unsigned long)tb.LastActLoads());
      ++failures;
    }
  }

  // 5. Random problems, random SRAM stalls.
  Coverage cov;
  const uint64_t cycles0 = tb.LegalCycles(), terms0 = tb.TotalTerms();
  for (int t = 0; t < tests; ++t) {
    tb.SetReadyProb(t % 4 == 0 ? 1.0 : 0.3 + 0.6 * (t % 7) / 7.0);
    Problem pb = gen.Random(gen.RandomKind(), tb.Sram());
    if (!Violations(pb.in, pb.prog).empty()) {
      std::printf("FAIL random test %d: the generator made an illegal instruction (%s)\n", t,
                  Join(Violations(pb.in, pb.prog)).c_str());
      ++failures;
      continue;
    }
    cov.Add(pb.in);
    const std::string what = "random test " + std::to_string(t) + " (" + Describe(pb.in) + ")";
    if (!tb.Run(pb, idx++, what.c_str())) {
      ++failures;
      if (failures > 3) break;
    }
  }
  cov.Print();
  tb.PrintCoverage();
  std::printf("random instructions: %lu cycles, MAC active in %.1f%% of them (SRAM ready 30..100%%)\n",
              (unsigned long)(tb.LegalCycles() - cycles0),
              100.0 * double(tb.TotalTerms() - terms0) / double(tb.LegalCycles() - cycles0));

  // 6. Utilisation with the SRAM always ready: a 3x3 convolution, a long inner product, a 2x
  // transposed convolution.
  {
    tb.SetReadyProb(1.0);
    const uint64_t N = Cfg().array_cols;
    Problem conv;
    conv.in.opcode = Opcode::kConv;
    conv.in.groups = 1;
    conv.in.in_c = 64;
    conv.in.in_h = 2 * N / 3 + 1;
    conv.in.in_w = conv.in.in_h;
    conv.in.kernel_h = conv.in.kernel_w = 3;
    conv.in.stride_h = conv.in.stride_w = conv.in.dil_h = conv.in.dil_w = 1;
    conv.in.pad_top = conv.in.pad_bottom = conv.in.pad_left = conv.in.pad_right = 1;
    conv.in.out_h = conv.in.in_h;
    conv.in.out_w = conv.in.in_w;
    conv.in.out_c = 2 * Cfg().array_rows;
    conv.in.in_row_stride = conv.in.in_w;
    conv.in.in_plane_stride = conv.in.in_h * conv.in.in_w;
    conv.in.out_plane_stride = conv.in.out_h * conv.in.out_w;
    conv.in.in_signed = conv.in.wt_signed = 1;
    conv.prog = {SimdInstr(1, 0, 0, 1)};

    Problem ip;
    ip.in.opcode = Opcode::kInnerProduct;
    ip.in.groups = 1;
    ip.in.in_c = 64;
    ip.in.in_h = ip.in.in_w = ip.in.kernel_h = ip.in.kernel_w = 8;
    ip.in.stride_h = ip.in.stride_w = ip.in.dil_h = ip.in.dil_w = 1;
    ip.in.out_h = ip.in.out_w = 1;
    ip.in.out_c = 2 * Cfg().array_rows;
    ip.in.in_row_stride = 8;
    ip.in.in_plane_stride = 64;
    ip.in.out_plane_stride = 1;
    ip.in.in_signed = ip.in.wt_signed = 1;
    ip.in.order = nna::isa::Order::kChannelMajor;
    ip.prog = {SimdInstr(1, 0, 0, 1)};

    Problem dc;  // 4x4 kernel, stride 2, pad 1: out = 2*in
    dc.in.opcode = Opcode::kDeconv;
    dc.in.groups = 1;
    dc.in.in_c = 16;
    dc.in.in_h = dc.in.in_w = N;
    dc.in.kernel_h = dc.in.kernel_w = 4;
    dc.in.stride_h = dc.in.stride_w = 2;
    dc.in.dil_h = dc.in.dil_w = 1;
    dc.in.pad_top = dc.in.pad_bottom = dc.in.pad_left = dc.in.pad_right = 1;
    dc.in.out_h = dc.in.out_w = 2 * N;
    dc.in.out_c = Cfg().array_rows;
    dc.in.in_row_stride = N;
    dc.in.in_plane_stride = N * N;
    dc.in.out_plane_stride = 4 * N * N;
    dc.in.in_signed = dc.in.wt_signed = 1;
    dc.prog = {SimdInstr(1, 0, 0, 1)};

    for (Problem* pb : {&conv, &ip, &dc}) {
      gen.Finish(*pb, tb.Sram(), false);
      const std::string what = "utilisation (" + Describe(pb->in) + ")";
      if (!tb.Run(*pb, idx++, what.c_str())) ++failures;
      const uint64_t macs = nna::isa::Macs(pb->in);
      const uint64_t cycles = tb.LastCycles(), M = Cfg().array_rows;
      std::printf(
          "utilisation %s: %lu cycles, MAC active in %lu (%.1f%% of all, %.1f%% from the first to "
          "the last term), %u shift-register stalls; useful MACs %.1f%% of the array's %lu per cycle\n",
          nna::isa::ToString(pb->in.opcode), (unsigned long)cycles, (unsigned long)tb.LastMacCycles(),
          100.0 * double(tb.LastMacCycles()) / double(cycles), 100.0 * tb.LastUtil(), tb.SrStalls(),
          100.0 * double(macs) / double(cycles * M * N), (unsigned long)(M * N));
    }
  }

  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%lu cycles in %.2f s (%.2f s simulating): %.0f cycles/s simulated\n",
              (unsigned long)tb.TotalCycles(), secs, tb.SimSeconds(),
              double(tb.TotalCycles()) / tb.SimSeconds());
  if (failures) {
    std::printf("compute_tb: FAILED (%d instructions)\n", failures);
    return 1;
  }
  std::printf("compute_tb: PASSED (%u instructions)\n", idx);
  return 0;
}
