// Block test of nna_pool (tiny configuration): random pooled instructions (op, window, pad,
// out_h x out_w, rows per channel tile, 1-3 channel tiles, signedness) fed as the SIMD unit would,
// in loop order (tile, section, row), with random input gaps and output back-pressure. Every write
// (address, mask, bytes under the mask) is compared in order with the sequence cpp-model/pool
// gives (pool::RowsComplete per section, pool::PoolRows per channel plane, pool::Writes). pool_op
// none must be a combinational pass-through. Without gaps or back-pressure an instruction must take
// exactly the cycles of the unit's rule (FullSpeedCycles, the performance model's), from its first
// row offered to its last write accepted. Prints a one-line summary and PASSED, or a line starting
// MISMATCH and exits 1. CTest: rtl.pool_random, rtl.pool_random_bug_caught.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "Vnna_pool.h"
#include "block_tb.h"
#include "nna/configs.h"
#include "pool/pool.h"
#include "util/split_mix64.h"
#include "verilated.h"
#include "vl_bits.h"

namespace {

using nna::SplitMix64;
namespace isa = nna::isa;
namespace pool = nna::pool;
using nna::vl::GetField;
using nna::vl::SetField;

using nna::vl::Cfg;
const unsigned kN = unsigned(Cfg().array_cols);
const unsigned kM = unsigned(Cfg().array_rows);

struct Instr {
  pool::Window w;
  uint32_t out_h = 1, out_w = 1, rows = 1, tiles = 1;  // rows: channels per tile
  bool is_signed = false;
  uint32_t out_addr = 0, plane_stride = 0;
  uint32_t PixTiles() const { return (out_h * out_w + kN - 1) / kN; }
};

struct RowIn {
  std::vector<uint8_t> data;
  uint32_t addr = 0, mask = 0, pt = 0, j = 0;
  uint32_t writes = 0;  // of the pooled rows it completes
};

// The unit's timing with a row offered every cycle and every write taken: one write per cycle; a
// row is taken when no write is due, or while writing when no taken row waits and it fills another
// line buffer (row j) than the one being read; a taken row's writes follow the current ones.
// Cycles from the first row offered to the last write.
uint64_t FullSpeedCycles(const std::deque<RowIn>& rows) {
  uint64_t cycles = 0;
  size_t next = 0;
  uint32_t cur = 0, cur_j = 0, pend = 0, pend_j = 0;
  while (next < rows.size() || cur > 0) {
    const bool take = next < rows.size() && (cur == 0 || (pend == 0 && rows[next].j != cur_j));
    bool to_current = cur == 0;
    if (cur > 0 && --cur == 0) {
      to_current = true;
      cur = pend, cur_j = pend_j, pend = 0;
    }
    if (take) {
      (to_current ? cur : pend) = rows[next].writes;
      (to_current ? cur_j : pend_j) = rows[next].j;
      ++next;
    }
    ++cycles;
  }
  return cycles;
}

struct Write {
  std::vector<uint8_t> data;
  uint32_t addr = 0, mask = 0;
};

std::string Hex(const std::vector<uint8_t>& d, uint32_t mask) {
  std::string s;
  char b[8];
  for (size_t i = 0; i < d.size(); ++i) {
    std::snprintf(b, sizeof b, (mask >> i) & 1 ? "%02x " : "-- ", d[i]);
    s += b;
  }
  return s;
}

class Bench {
 public:
  explicit Bench(uint64_t seed) : rng_(seed), top_() {
    top_->in_valid_i = 0;
    top_->out_ready_i = 0;
    top_->start_i = 0;
    top_->pool_op_i = 0;
    top_.Reset(1, 1);
  }

  SplitMix64& rng() { return rng_; }
  bool failed() const { return failed_; }
  uint64_t writes() const { return writes_; }
  uint64_t bytes() const { return bytes_; }

  Instr RandomInstr() {
    Instr in;
    in.w.op = rng_.Chance(50) ? isa::PoolOp::kMax : isa::PoolOp::kAvg;
    in.w.size = uint32_t(rng_.Range(2, 3));
    in.w.stride = uint32_t(rng_.Range(1, 2));
    in.w.pad = uint32_t(rng_.Range(0, in.w.size / 2));
    if (rng_.Chance(25)) in.w.size = 3, in.w.stride = 1, in.w.pad = 1;  // runs (pool::WritesRuns)
    const uint32_t min_dim = in.w.size > 2 * in.w.pad ? in.w.size - 2 * in.w.pad : 1;
    // The pooled row must fit the N lanes: 2x2/1 with pad 1 gives out_w + 1 (see the report).
    do {
      in.out_w = uint32_t(rng_.Range(min_dim, kN));
    } while (pool::OutSize(in.out_w, in.w) > kN);
    in.out_h = uint32_t(rng_.Chance(20) ? rng_.Range(min_dim, 40) : rng_.Range(min_dim, 12));
    in.rows = uint32_t(rng_.Range(1, kM));
    in.tiles = uint32_t(rng_.Range(1, 3));
    in.is_signed = rng_.Chance(50);
    const uint32_t plane = pool::OutSize(in.out_h, in.w) * pool::OutSize(in.out_w, in.w);
    in.plane_stride = plane + uint32_t(rng_.Range(0, 9));
    in.out_addr = uint32_t(rng_.Range(0, 1u << 30));
    return in;
  }

  // Runs one pooled instruction; in_pct/out_pct: chances per cycle of offering a row and of
  // accepting a write. Returns the cycles from the first row offered to the last write accepted.
  uint64_t RunPooled(const Instr& in, unsigned in_pct, unsigned out_pct, uint64_t* rows_out,
                     uint64_t* writes_out, uint64_t* rule_cycles) {
    const uint32_t pix = in.out_h * in.out_w, pt_n = in.PixTiles();
    const uint32_t pw_n = pool::OutSize(in.out_w, in.w), ph_n = pool::OutSize(in.out_h, in.w);
    std::deque<RowIn> rows;
    std::deque<Write> want;
    for (uint32_t t = 0; t < in.tiles; ++t) {
      std::vector<std::vector<uint8_t>> planes(in.rows, std::vector<uint8_t>(pix));
      for (auto& p : planes)
        for (auto& b : p) b = uint8_t(rng_.Next());
      uint32_t lo = 0;
      for (uint32_t pt = 0; pt < pt_n; ++pt) {
        const uint32_t hi =
            pool::RowsComplete(in.w, in.out_h, in.out_w, std::min<uint64_t>(uint64_t(pt + 1) * kN, pix));
        for (uint32_t j = 0; j < in.rows; ++j) {
          const uint32_t co = t * in.rows + j;
          const uint32_t plane_addr = in.out_addr + co * in.plane_stride;
          RowIn r;
          r.pt = pt;
          r.j = j;
          r.addr = plane_addr + pt * kN;
          for (uint32_t i = 0; i < kN; ++i) {
            const uint32_t p = pt * kN + i;
            r.data.push_back(p < pix ? planes[j][p] : uint8_t(rng_.Next()));  // lanes past the plane: junk
            if (p < pix) r.mask |= 1u << i;
          }
          std::vector<uint8_t> pooled(size_t(hi - lo) * pw_n);
          pool::PoolRows(in.w, planes[j].data(), in.out_h, in.out_w, in.is_signed, lo, hi, pooled.data());
          for (const pool::Span& sp : pool::Writes(in.w, pw_n, lo, hi, kN)) {
            Write wr;
            wr.addr = plane_addr + sp.offset;
            wr.mask = sp.bytes >= 32 ? ~0u : (1u << sp.bytes) - 1;
            wr.data.assign(pooled.begin() + (sp.offset - lo * pw_n),
                           pooled.begin() + (sp.offset - lo * pw_n + sp.bytes));
            want.push_back(wr);
            ++r.writes;
          }
          rows.push_back(r);
        }
        lo = hi;
      }
      if (lo != ph_n)
        return Fail("test bug: " + std::to_string(lo) + " pooled rows of " + std::to_string(ph_n));
    }
    *rows_out = rows.size();
    *writes_out = want.size();
    *rule_cycles = FullSpeedCycles(rows);
    SetFields(in);
    top_->pool_op_i = uint8_t(in.w.op);
    top_->start_i = 1;
    top_->in_valid_i = 0;
    top_->out_ready_i = 0;
    top_.Tick();
    top_->start_i = 0;
    uint64_t cycles = 0;
    bool started = false;
    for (uint64_t guard = 0; !(rows.empty() && want.empty()); ++guard) {
      if (guard > 200000) return Fail("MISMATCH hang: " + std::to_string(want.size()) + " writes never came");
      const bool offer = !rows.empty() && rng_.Chance(in_pct);
      top_->in_valid_i = offer;
      if (offer) Drive(rows.front());
      top_->out_ready_i = rng_.Chance(out_pct);
      top_.Eval();
      if (offer) started = true;
      if (offer && top_->in_ready_o) rows.pop_front();
      if (top_->out_valid_o && top_->out_ready_i) {
        if (want.empty())
          return Fail("MISMATCH: a write beyond the expected ones, addr " + std::to_string(top_->out_addr_o));
        if (!Compare(in, want.front())) return cycles;
        want.pop_front();
      }
      if (started) ++cycles;
      top_.Tick();
    }
    top_->in_valid_i = 0;
    top_.Eval();
    if (!top_->idle_o) return Fail("MISMATCH: not idle after the last write");
    return cycles;
  }

  // pool_op none: every output signal follows its input in the same cycle.
  void RunPassThrough(unsigned rows) {
    Instr in = RandomInstr();
    SetFields(in);
    top_->pool_size_i = 0;
    top_->pool_stride_i = 0;
    top_->pool_pad_i = 0;
    top_->pool_op_i = 0;
    top_->start_i = 1;
    top_->in_valid_i = 0;
    top_.Tick();
    top_->start_i = 0;
    for (unsigned done = 0; done < rows && !failed_;) {
      RowIn r;
      for (uint32_t i = 0; i < kN; ++i) r.data.push_back(uint8_t(rng_.Next()));
      r.addr = uint32_t(rng_.Next());
      r.mask = uint32_t(rng_.Next()) & ((1u << kN) - 1);
      r.pt = uint32_t(rng_.Range(0, 20));
      r.j = uint32_t(rng_.Range(0, kM - 1));
      top_->in_valid_i = rng_.Chance(70);
      Drive(r);
      top_->out_ready_i = rng_.Chance(70);
      top_.Eval();
      if (top_->out_valid_o != top_->in_valid_i || top_->in_ready_o != top_->out_ready_i) {
        Fail("MISMATCH pass-through handshake: in_valid " + std::to_string(top_->in_valid_i) + " out_valid " +
             std::to_string(top_->out_valid_o) + ", out_ready " + std::to_string(top_->out_ready_i) +
             " in_ready " + std::to_string(top_->in_ready_o));
        return;
      }
      if (top_->out_valid_o && top_->out_ready_i) {
        Write w{r.data, r.addr, r.mask};
        if (!Compare(in, w)) return;
        ++done;
      }
      top_.Tick();
    }
    top_->in_valid_i = 0;
  }

 private:
  void SetFields(const Instr& in) {
    top_->pool_size_i = uint8_t(in.w.size);
    top_->pool_stride_i = uint8_t(in.w.stride);
    top_->pool_pad_i = uint8_t(in.w.pad);
    top_->out_h_i = uint16_t(in.out_h);
    top_->out_w_i = uint16_t(in.out_w);
    top_->pix_tiles_i = uint16_t(in.PixTiles());
    top_->out_signed_i = in.is_signed;
  }

  void Drive(const RowIn& r) {
    for (uint32_t i = 0; i < kN; ++i) SetField(top_->in_data_i, 8 * i, 8, r.data[i]);
    top_->in_addr_i = r.addr;
    top_->in_mask_i = r.mask;
    top_->in_pt_i = uint16_t(r.pt);
    top_->in_row_i = uint16_t(r.j);
  }

  bool Compare(const Instr& in, const Write& w) {
    std::vector<uint8_t> got(kN);
    for (uint32_t i = 0; i < kN; ++i) got[i] = uint8_t(GetField(top_->out_data_o, 8 * i, 8));
    bool ok = top_->out_addr_o == w.addr && uint32_t(top_->out_mask_o) == w.mask;
    for (uint32_t i = 0; i < w.data.size() && i < kN; ++i)
      if ((w.mask >> i) & 1) {
        ++bytes_;
        ok = ok && got[i] == w.data[i];
      }
    ++writes_;
    if (ok) return true;
    std::vector<uint8_t> want = w.data;
    want.resize(kN);
    Fail("MISMATCH write " + std::to_string(writes_) + " of " + std::string(isa::ToString(in.w.op)) + " " +
         std::to_string(in.w.size) + "/" + std::to_string(in.w.stride) + " pad " + std::to_string(in.w.pad) +
         " " + std::to_string(in.out_h) + "x" + std::to_string(in.out_w) +
         (in.is_signed ? " int8" : " uint8") + ", " + std::to_string(in.rows) + " rows x " +
         std::to_string(in.tiles) + " tiles: RTL addr " + std::to_string(top_->out_addr_o) + " mask " +
         std::to_string(top_->out_mask_o) + " [" + Hex(got, uint32_t(top_->out_mask_o)) + "], model addr " +
         std::to_string(w.addr) + " mask " + std::to_string(w.mask) + " [" + Hex(want, w.mask) + "]");
    return false;
  }

  uint64_t Fail(const std::string& what) {
    if (!failed_) std::printf("%s\n", what.c_str());
    failed_ = true;
    return 0;
  }

  SplitMix64 rng_;
  nna::vl::BlockDut<Vnna_pool> top_;
  bool failed_ = false;
  uint64_t writes_ = 0, bytes_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t count = 3000, seed = 1;
  if (!nna::vl::ParseArgs(argc, argv, "--instrs", &count, &seed)) return 2;
  Bench bench(seed);
  unsigned pooled = 0, passed_through = 0, timed = 0;
  uint64_t overlapped = 0;
  for (unsigned k = 0; k < count && !bench.failed(); ++k) {
    if (bench.rng().Chance(10)) {
      bench.RunPassThrough(20);
      ++passed_through;
      continue;
    }
    const Instr in = bench.RandomInstr();
    // A third run at full speed: the cycle count is checked.
    const bool full_speed = bench.rng().Chance(33);
    const unsigned in_pct = full_speed ? 100 : unsigned(bench.rng().Range(20, 100));
    const unsigned out_pct = full_speed ? 100 : unsigned(bench.rng().Range(20, 100));
    uint64_t rows = 0, writes = 0, rule = 0;
    const uint64_t cycles = bench.RunPooled(in, in_pct, out_pct, &rows, &writes, &rule);
    ++pooled;
    if (full_speed && !bench.failed()) {
      ++timed;
      overlapped += rows + writes - rule;
      if (cycles != rule) {
        std::printf("MISMATCH throughput: %llu rows and %llu writes took %llu cycles, not the rule's %llu\n",
                    static_cast<unsigned long long>(rows), static_cast<unsigned long long>(writes),
                    static_cast<unsigned long long>(cycles), static_cast<unsigned long long>(rule));
        std::printf("FAILED\n");
        return 1;
      }
    }
  }
  std::printf(
      "%u instructions (%u pooled, %u of them timed by the rule, %llu cycles of rows taken while writing; %u "
      "pass-through), %llu writes, %llu bytes compared, %d mismatches\n",
      pooled + passed_through, pooled, timed, static_cast<unsigned long long>(overlapped), passed_through,
      static_cast<unsigned long long>(bench.writes()), static_cast<unsigned long long>(bench.bytes()),
      bench.failed() ? 1 : 0);
  std::printf(bench.failed() ? "FAILED\n" : "PASSED\n");
  return bench.failed() ? 1 : 0;
}
