#include "pool/pool.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "ref/ref_ops.h"

using namespace nna;

namespace {

// Every window the contract allows: op x size x stride x pad <= size/2.
std::vector<pool::Window> AllWindows() {
  std::vector<pool::Window> ws;
  for (auto op : {isa::PoolOp::kMax, isa::PoolOp::kAvg})
    for (uint32_t size : {2u, 3u})
      for (uint32_t stride : {1u, 2u})
        for (uint32_t pad = 0; pad <= size / 2; ++pad) ws.push_back({op, size, stride, pad});
  return ws;
}

}  // namespace

TEST_CASE("the hardware's average rounds every sum of size^2 bytes like the exact division", "[pool]") {
  for (int32_t size : {2, 3}) {
    const int32_t area = size * size;
    for (int32_t sum = -128 * area; sum <= 255 * area; ++sum) {
      const int64_t exact = ref::RoundedAverage(sum, uint64_t(area));
      INFO("size " << size << " sum " << sum);
      REQUIRE(pool::Average(sum, uint32_t(size)) == exact);
    }
  }
  // Ties round up, also below zero.
  CHECK(pool::Average(2, 2) == 1);
  CHECK(pool::Average(-2, 2) == 0);
  CHECK(pool::Average(-6, 2) == -1);
}

TEST_CASE("pooled rows equal the reference pooling for every window, both signednesses", "[pool]") {
  std::mt19937 rng(7);
  for (const auto& w : AllWindows()) {
    for (bool is_signed : {false, true}) {
      for (int rep = 0; rep < 20; ++rep) {
        const uint32_t h = w.size + rng() % 9, wd = w.size + rng() % 9;
        ref::Tensor t(1, h, wd, is_signed);
        for (auto& b : t.data) b = uint8_t(rng());
        if (rep == 0) std::fill(t.data.begin(), t.data.end(), uint8_t(is_signed ? 0x80 : 0));  // all minimum
        const auto want =
            ref::Pool2d(t, w.op == isa::PoolOp::kMax ? ref::PoolKind::kMax : ref::PoolKind::kAvg, w.size,
                        w.stride, w.pad);
        REQUIRE(want.h == pool::OutSize(h, w));
        REQUIRE(want.w == pool::OutSize(wd, w));
        std::vector<uint8_t> row(want.w);
        for (uint32_t ph = 0; ph < want.h; ++ph) {
          pool::PoolRow(w, t.data.data(), h, wd, is_signed, ph, row.data());
          INFO("op " << int(w.op) << " size " << w.size << " stride " << w.stride << " pad " << w.pad << " "
                     << h << "x" << wd << " row " << ph);
          REQUIRE(std::equal(row.begin(), row.end(), want.data.begin() + long(ph) * want.w));
        }
      }
    }
  }
}

TEST_CASE("a pooled row is complete exactly when its last existing input row is", "[pool]") {
  for (const auto& w : AllWindows()) {
    for (uint32_t h = w.size; h < 12; ++h) {
      const uint32_t wd = 5, ph_n = pool::OutSize(h, w);
      uint32_t prev = 0;
      for (uint64_t px = 0; px <= uint64_t(h) * wd; ++px) {
        uint32_t want = 0;
        for (uint32_t ph = 0; ph < ph_n; ++ph) {
          const int64_t last = std::min<int64_t>(int64_t(ph) * w.stride - w.pad + w.size - 1, h - 1);
          if (uint64_t(last + 1) * wd <= px) want = ph + 1;
        }
        REQUIRE(pool::RowsComplete(w, h, wd, px) == want);
        REQUIRE(want >= prev);
        prev = want;
      }
      REQUIRE(prev == ph_n);
    }
  }
}

// The line buffer of docs/architecture.md: 4N bytes per channel, section pt at (pt mod 4)*N. Every
// pooled row, written when the contract says, must read only pixels the buffer still holds.
TEST_CASE("the 4N-byte line buffer holds every pixel a pooled row needs when it is written", "[pool]") {
  std::mt19937 rng(11);
  for (uint32_t n : {8u, 96u}) {
    for (const auto& w : AllWindows()) {
      for (int rep = 0; rep < 30; ++rep) {
        const uint32_t wd = std::max<uint32_t>(w.size, 1 + rng() % n), h = w.size + rng() % 20;
        const uint64_t pixels = uint64_t(h) * wd, sections = (pixels + n - 1) / n;
        std::vector<uint8_t> plane(pixels);
        for (auto& b : plane) b = uint8_t(rng());
        std::vector<int64_t> held(4 * n, -1);  // which pixel each buffer byte holds
        uint32_t done = 0;
        for (uint64_t pt = 0; pt < sections; ++pt) {
          for (uint32_t i = 0; i < n; ++i) held[(pt % 4) * n + i] = int64_t(pt * n + i);
          const uint32_t ready = pool::RowsComplete(w, h, wd, std::min<uint64_t>((pt + 1) * n, pixels));
          for (; done < ready; ++done)
            for (uint32_t dr = 0; dr < w.size; ++dr) {
              const int64_t r = int64_t(done) * w.stride - w.pad + dr;
              if (r < 0 || r >= int64_t(h)) continue;
              for (uint32_t col = 0; col < wd; ++col) {
                const int64_t p = r * wd + col;
                INFO("N " << n << " size " << w.size << " stride " << w.stride << " " << h << "x" << wd
                          << " row " << done << " pixel " << p);
                REQUIRE(held[uint64_t(p) % (4 * n)] == p);
              }
            }
        }
        REQUIRE(done == pool::OutSize(h, w));
      }
    }
  }
}

TEST_CASE("the writes of pooled rows cover them once, in order: runs of N for a same pool, else rows",
          "[pool]") {
  for (uint32_t n : {8u, 96u}) {
    for (const auto& w : AllWindows()) {
      for (uint32_t pw_n : {1u, 5u, 17u, n}) {
        if (pw_n > n) continue;  // a pooled row fits the lanes (pool::Check)
        for (uint32_t lo = 0; lo < 4; ++lo) {
          for (uint32_t hi = lo; hi < lo + 9; ++hi) {
            INFO("N " << n << " size " << w.size << " stride " << w.stride << " pad " << w.pad << " pw_n "
                      << pw_n << " rows " << lo << ".." << hi);
            const std::vector<pool::Span> spans = pool::Writes(w, pw_n, lo, hi, n);
            uint32_t at = lo * pw_n;
            for (const pool::Span& sp : spans) {
              REQUIRE(sp.offset == at);
              REQUIRE(sp.bytes >= 1);
              REQUIRE(sp.bytes <= n);
              if (!pool::WritesRuns(w)) REQUIRE(sp.bytes == pw_n);
              at += sp.bytes;
            }
            REQUIRE(at == hi * pw_n);
            const uint32_t runs = (hi * pw_n - lo * pw_n + n - 1) / n;
            CHECK(spans.size() == (pool::WritesRuns(w) ? runs : hi - lo));
          }
        }
      }
    }
  }
}

TEST_CASE("illegal pool fields are named", "[pool]") {
  isa::ComputeInstr c{};
  c.out_h = c.out_w = 8;
  c.ch_tiles = 1;
  CHECK(!pool::Check(isa::Opcode::kConv, c, 8));
  c.pool_size = 2;
  CHECK(pool::Check(isa::Opcode::kConv, c, 8)->field == "pool_size");
  c.pool_op = isa::PoolOp::kMax;
  c.pool_stride = 2;
  c.out_row_stride = 4;
  CHECK(!pool::Check(isa::Opcode::kConv, c, 8));
  CHECK(pool::Check(isa::Opcode::kDeconv, c, 8)->field == "pool_op");
  CHECK(pool::Check(isa::Opcode::kConv, c, 7)->field == "out_w");
  c.pool_size = 2, c.pool_stride = 1, c.pool_pad = 1, c.out_row_stride = 9;  // 9 pooled columns
  CHECK(pool::Check(isa::Opcode::kConv, c, 8)->field == "out_w");
  c.pool_stride = 2, c.pool_pad = 0, c.out_row_stride = 4;
  c.pool_pad = 2;
  CHECK(pool::Check(isa::Opcode::kConv, c, 8)->field == "pool_pad");
  c.pool_pad = 0;
  c.ch_tiles = 2;
  CHECK(pool::Check(isa::Opcode::kConv, c, 8)->field == "order");
  c.order = isa::Order::kChannelMajor;
  c.out_row_stride = 8;
  CHECK(pool::Check(isa::Opcode::kConv, c, 8)->field == "out_row_stride");
  c.pool_stride = 3;
  CHECK(pool::Check(isa::Opcode::kConv, c, 8)->field == "pool_stride");
}
