#include "ref/ref_ops.h"

#include <catch2/catch.hpp>

using namespace nna::ref;

TEST_CASE("Wrap30 keeps the low 30 bits as two's complement", "[ref]") {
  CHECK(Wrap30(0) == 0);
  CHECK(Wrap30(-1) == -1);
  CHECK(Wrap30((1 << 29) - 1) == (1 << 29) - 1);
  CHECK(Wrap30(1 << 29) == -(1 << 29));
  CHECK(Wrap30(-(1 << 29)) == -(1 << 29));
  CHECK(Wrap30(-(1 << 29) - 1) == (1 << 29) - 1);
  CHECK(Wrap30(int64_t(1) << 30) == 0);
  CHECK(Wrap30((int64_t(1) << 30) + 5) == 5);
  CHECK(Wrap30(int64_t(3) << 40) == 0);
}

TEST_CASE("FusedRelu follows the architecture's formula", "[ref]") {
  ChannelParams p;
  p.bias = 10;
  p.scale = 3;
  p.shift = 2;
  // (5+10)*3 = 45; (45+2)>>2 = 11
  CHECK(FusedRelu(5, p, true, false) == 11);
  // (-20+10)*3 = -30; (-30+2)>>2 = -7 (arithmetic); relu -> 0
  CHECK(FusedRelu(-20, p, false, false) == -7);
  CHECK(FusedRelu(-20, p, true, false) == 0);
  // rounding half up: (2+0)*1=2, shift 2: (2+2)>>2 = 1; -2: (-2+2)>>2 = 0
  ChannelParams h;
  h.shift = 2;
  CHECK(FusedRelu(2, h, false, false) == 1);
  CHECK(FusedRelu(-2, h, false, false) == 0);
  CHECK(FusedRelu(-3, h, false, false) == -1);
  // saturation and zero point
  ChannelParams z;
  z.zero_point = -5;
  CHECK(FusedRelu(1000, z, false, false) == 127);
  CHECK(FusedRelu(1000, z, false, true) == 255);
  CHECK(FusedRelu(-1000, z, false, false) == -128);
  CHECK(FusedRelu(3, z, true, true) == 0);
  CHECK(FusedRelu(-3, z, true, false) == -5);  // relu before the zero point
  // bias add wraps at 32 bits
  ChannelParams w;
  w.bias = INT32_MAX;
  CHECK(FusedRelu(1, w, false, false) == -128);
  // 64-bit product and shift 63
  ChannelParams big;
  big.scale = 65535;
  big.shift = 63;
  CHECK(FusedRelu(INT32_MAX, big, false, false) == 0);
  big.shift = 40;
  CHECK(FusedRelu(INT32_MAX, big, false, true) == 128);  // (2^31-1)*65535 / 2^40, rounded
}

TEST_CASE("params pack and unpack little-endian", "[ref]") {
  ChannelParams p{-123456, 0xBEEF, 17, -3};
  uint8_t b[8];
  PackParams(p, b);
  CHECK(b[0] == 0xC0);
  CHECK(b[4] == 0xEF);
  CHECK(b[5] == 0xBE);
  CHECK(b[6] == 17);
  CHECK(b[7] == 0xFD);
  const ChannelParams q = UnpackParams(b);
  CHECK(q.bias == p.bias);
  CHECK(q.scale == p.scale);
  CHECK(q.shift == p.shift);
  CHECK(q.zero_point == p.zero_point);
}

TEST_CASE("Conv2d on a hand-computed case with stride, dilation and asymmetric padding", "[ref]") {
  // 1 channel 3x3 input 1..9 (unsigned), one 2x2 weight of ones, dilation 2 rows, pad top 1.
  Tensor in(1, 3, 3, false);
  for (int i = 0; i < 9; ++i) in.data[i] = uint8_t(i + 1);
  Weights w(1, 1, 2, 2, true);
  for (auto& b : w.data) b = 1;
  ConvGeometry g;
  g.dil_h = 2;
  g.pad_top = 1;
  g.stride_w = 1;
  uint32_t oh = 0, ow = 0;
  const auto acc = Conv2d(in, w, g, &oh, &ow);
  // Rows: ih = oh - 1 + {0, 2}; padded height 4, span 3 -> 2 output rows; width 3-2+1 = 2.
  REQUIRE(oh == 2);
  REQUIRE(ow == 2);
  // oh=0: rows -1 (pad) and 1 -> (4+5), (5+6); oh=1: rows 0 and 2 -> 1+2+7+8, 2+3+8+9
  CHECK(acc == std::vector<int64_t>{9, 11, 18, 22});

  SECTION("signed weights and input") {
    Tensor s(1, 1, 2, true);
    s.data = {0x80, 0x7F};  // -128, 127
    Weights sw(2, 1, 1, 1, true);
    sw.data = {0x80, 0xFF};  // -128, -1
    g = ConvGeometry{};
    const auto a = Conv2d(s, sw, g, &oh, &ow);
    CHECK(a == std::vector<int64_t>{16384, -16256, 128, -127});
  }
  SECTION("stride 2 with right padding") {
    g = ConvGeometry{};
    g.stride_w = 2;
    g.pad_right = 1;
    Weights one(1, 1, 1, 1, true);
    one.data = {1};
    const auto a = Conv2d(in, one, g, &oh, &ow);
    CHECK(ow == 2);  // columns 0, 2 (column 4 would be padding)
    CHECK(a == std::vector<int64_t>{1, 3, 4, 6, 7, 9});
  }
}

TEST_CASE("PreorderWeights lays out channel tiles term by term", "[ref]") {
  Weights w(3, 2, 1, 1, true);  // 3 channels, dot_len 2
  w.data = {1, 2, 3, 4, 5, 6};  // w[co][ci]
  const auto p = PreorderWeights(w, 2);
  // tile 0: k0 -> (w00, w10), k1 -> (w01, w11); tile 1: k0 -> (w20, 0), k1 -> (w21, 0)
  CHECK(p == std::vector<uint8_t>{1, 3, 2, 4, 5, 0, 6, 0});
}
