#include "ref/ref_ops.h"

#include <catch2/catch.hpp>
#include <limits>

#include "nna/isa.h"

using namespace nna::ref;

TEST_CASE("WrapAcc keeps the low 30 bits as two's complement", "[ref]") {
  CHECK(WrapAcc(0) == 0);
  CHECK(WrapAcc(-1) == -1);
  CHECK(WrapAcc((1 << 29) - 1) == (1 << 29) - 1);
  CHECK(WrapAcc(1 << 29) == -(1 << 29));
  CHECK(WrapAcc(-(1 << 29)) == -(1 << 29));
  CHECK(WrapAcc(-(1 << 29) - 1) == (1 << 29) - 1);
  CHECK(WrapAcc(int64_t(1) << 30) == 0);
  CHECK(WrapAcc((int64_t(1) << 30) + 5) == 5);
  CHECK(WrapAcc(int64_t(3) << 40) == 0);
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
  big.scale = uint16_t(nna::isa::ChannelParamsRecord::kMaxScale);
  big.shift = 63;
  CHECK(FusedRelu(INT32_MAX, big, false, false) == 0);
  big.shift = 40;
  CHECK(FusedRelu(INT32_MAX, big, false, true) == 128);  // (2^31-1)*65535 / 2^40, rounded
}

TEST_CASE("params pack and unpack little-endian", "[ref]") {
  ChannelParams p{-123456, 0xBEEF, 17, 200, 0.0078125f};  // a uint8 zero point above 127; 2^-7
  uint8_t b[16];
  PackParams(p, b);
  CHECK(b[0] == 0xC0);
  CHECK(b[4] == 0xEF);
  CHECK(b[5] == 0xBE);
  CHECK(b[6] == 17);
  CHECK(b[7] == 0);  // reserved
  CHECK(b[8] == 200);
  CHECK(b[9] == 0);
  CHECK((b[12] | b[13] << 8 | b[14] << 16 | uint32_t(b[15]) << 24) == 0x3C000000u);  // 2^-7
  const ChannelParams q = UnpackParams(b);
  CHECK(q.bias == p.bias);
  CHECK(q.scale == p.scale);
  CHECK(q.shift == p.shift);
  CHECK(q.zero_point == p.zero_point);
  CHECK(q.multiplier == p.multiplier);
  p.zero_point = -3;
  PackParams(p, b);
  CHECK((b[8] == 0xFD && b[9] == 0xFF));
  CHECK(UnpackParams(b).zero_point == -3);
}

TEST_CASE("RequantizeExact rounds float32 products that sit on .5 to even", "[ref]") {
  ChannelParams p;
  p.multiplier = 0.5f;
  // (acc + bias) * 0.5 is exactly k + 0.5 for odd sums: to the even neighbour, both signs
  CHECK(RequantizeExact(1, p, false, false) == 0);
  CHECK(RequantizeExact(3, p, false, false) == 2);
  CHECK(RequantizeExact(5, p, false, false) == 2);
  CHECK(RequantizeExact(7, p, false, false) == 4);
  CHECK(RequantizeExact(-1, p, false, false) == 0);
  CHECK(RequantizeExact(-3, p, false, false) == -2);
  CHECK(RequantizeExact(-5, p, false, false) == -2);
  p.bias = 4;  // (1 + 4) * 0.5 = 2.5 -> 2
  CHECK(RequantizeExact(1, p, false, false) == 2);
  // 0.25 * 10 = 2.5 -> 2, * 14 = 3.5 -> 4, * 9 = 2.25 -> 2, * 11 = 2.75 -> 3
  ChannelParams q;
  q.multiplier = 0.25f;
  CHECK(RequantizeExact(10, q, false, false) == 2);
  CHECK(RequantizeExact(14, q, false, false) == 4);
  CHECK(RequantizeExact(9, q, false, false) == 2);
  CHECK(RequantizeExact(11, q, false, false) == 3);
  ChannelParams big;
  big.multiplier = 1.0f / 65536;  // 98304 = 1.5 * 2^16 -> 2, 163840 = 2.5 * 2^16 -> 2
  CHECK(RequantizeExact(98304, big, false, false) == 2);
  CHECK(RequantizeExact(163840, big, false, false) == 2);
  // float(acc + bias) is float32 too: 2.5 * 2^24 + 1 becomes 2.5 * 2^24 (float32 steps are 4
  // there), so the product is the tie 2.5 -> 2, where the real value 2.50000006 would give 3.
  big.multiplier = 1.0f / 16777216;
  CHECK(RequantizeExact(41943040, big, false, false) == 2);
  CHECK(RequantizeExact(41943041, big, false, false) == 2);
}

TEST_CASE("RequantizeExact adds the zero point, applies ReLU at it and saturates", "[ref]") {
  ChannelParams p;
  p.multiplier = 0.5f;
  p.zero_point = 200;  // a uint8 output's zero point above 127
  CHECK(RequantizeExact(10, p, false, true) == 205);
  CHECK(RequantizeExact(-10, p, false, true) == 195);
  CHECK(RequantizeExact(-10, p, true, true) == 200);  // ReLU: no lower than the zero point
  CHECK(RequantizeExact(200, p, false, true) == 255);
  CHECK(RequantizeExact(-1000, p, false, true) == 0);
  p.zero_point = -100;
  CHECK(RequantizeExact(-100, p, true, false) == -100);
  CHECK(RequantizeExact(-100, p, false, false) == -128);
  CHECK(RequantizeExact(100, p, false, false) == -50);
  // products beyond int32 saturate like the hardware's f2i; NaN gives f2i's 0
  p.zero_point = 0;
  p.multiplier = 1e30f;
  CHECK(RequantizeExact(1, p, false, false) == 127);
  CHECK(RequantizeExact(-1, p, false, true) == 0);
  p.multiplier = std::numeric_limits<float>::infinity();
  CHECK(RequantizeExact(0, p, false, false) == 0);
  // the bias wraps at 32 bits, as FUSED_RELU's
  p.multiplier = 1;
  p.bias = INT32_MAX;
  CHECK(RequantizeExact(1, p, false, false) == -128);
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

TEST_CASE("grouped Conv2d: each output channel sees only its group's input channels", "[ref]") {
  // 4 input channels of one pixel (1, 2, 3, 4), 2 groups, 4 outputs: outputs 0, 1 read channels 0, 1,
  // outputs 2, 3 read channels 2, 3.
  Tensor in(4, 1, 1, true);
  in.data = {1, 2, 3, 4};
  Weights w(4, 2, 1, 1, true);
  w.data = {1, 10, 2, 20, 3, 30, 4, 40};  // w[co][ci]
  ConvGeometry g;
  g.groups = 2;
  uint32_t oh = 0, ow = 0;
  CHECK(Conv2d(in, w, g, &oh, &ow) == std::vector<int64_t>{1 + 20, 2 + 40, 3 * 3 + 4 * 30, 3 * 4 + 4 * 40});
  SECTION("depthwise equals one single-channel conv per channel") {
    Tensor x(3, 4, 5, false);
    for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = uint8_t(i * 37 + 11);
    Weights dw(3, 1, 3, 3, true);
    for (size_t i = 0; i < dw.data.size(); ++i) dw.data[i] = uint8_t(i * 53 + 200);
    ConvGeometry gd;
    gd.groups = 3;
    gd.pad_top = 1, gd.pad_left = 2, gd.pad_right = 1;
    const auto all = Conv2d(x, dw, gd, &oh, &ow);
    const size_t plane = size_t(oh) * ow;
    for (uint32_t c = 0; c < 3; ++c) {
      Tensor xc(1, 4, 5, false);
      std::copy(x.data.begin() + c * 20, x.data.begin() + (c + 1) * 20, xc.data.begin());
      Weights wc(1, 1, 3, 3, true);
      std::copy(dw.data.begin() + c * 9, dw.data.begin() + (c + 1) * 9, wc.data.begin());
      ConvGeometry g1 = gd;
      g1.groups = 1;
      const auto one = Conv2d(xc, wc, g1, &oh, &ow);
      CHECK(std::vector<int64_t>(all.begin() + long(c * plane), all.begin() + long((c + 1) * plane)) == one);
    }
  }
  SECTION("groups that do not divide the channels are rejected") {
    g.groups = 3;
    CHECK_THROWS(Conv2d(in, w, g, &oh, &ow));
  }
}

TEST_CASE("DeconvOutSize follows PyTorch's ConvTranspose2d", "[ref]") {
  CHECK(DeconvOutSize(8, 2, 2, 1, 0, 0, 0) == 16);
  CHECK(DeconvOutSize(8, 4, 2, 1, 1, 1, 0) == 16);
  CHECK(DeconvOutSize(8, 3, 2, 1, 1, 1, 1) == 16);
  CHECK(DeconvOutSize(6, 4, 4, 1, 0, 0, 0) == 24);
  CHECK(DeconvOutSize(5, 3, 1, 2, 0, 0, 0) == 9);
  CHECK(DeconvOutSize(1, 1, 1, 1, 1, 0, 0) == 0);  // padding crops everything
}

TEST_CASE("Deconv2d on a hand-computed case", "[ref]") {
  // One channel 2x2 input (1, 2; 3, 4), 2x2 kernel of (1, 10; 100, 1000), stride 2: each input
  // element stamps the kernel on its own 2x2 block.
  Tensor in(1, 2, 2, true);
  in.data = {1, 2, 3, 4};
  Weights w(1, 1, 2, 2, true);
  w.data = {1, 10, 100, 0xE8};  // 0xE8 = -24 signed
  ConvGeometry g;
  g.stride_h = g.stride_w = 2;
  uint32_t oh = 0, ow = 0;
  const auto acc = Deconv2d(in, w, g, &oh, &ow);
  REQUIRE(oh == 4);
  REQUIRE(ow == 4);
  CHECK(acc == std::vector<int64_t>{1, 10, 2, 20, 100, -24, 200, -48, 3, 30, 4, 40, 300, -72, 400, -96});
  SECTION("padding crops the border, output padding adds a row and a column") {
    g.pad_top = 1;
    g.pad_left = 1;
    g.out_pad_h = g.out_pad_w = 1;
    const auto p = Deconv2d(in, w, g, &oh, &ow);
    REQUIRE(oh == 4);  // (2-1)*2 - 1 - 0 + 1 + 1 + 1
    REQUIRE(ow == 4);
    CHECK(p == std::vector<int64_t>{-24, 200, -48, 0, 30, 4, 40, 0, -72, 400, -96, 0, 0, 0, 0, 0});
  }
}

TEST_CASE("Deconv2d equals a convolution of the zero-upsampled input with the flipped kernel", "[ref]") {
  // The textbook identity, an independent check of the scatter form: insert stride-1 zeros between
  // input elements, pad by dil*(k-1) - pad (plus the output padding at the end), flip the kernel.
  // With a pad_value, the inserted "zeros" and the padding are that byte (an input zero point).
  uint32_t seed = 1;
  auto next = [&seed] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7FFF; };
  for (int trial = 0; trial < 200; ++trial) {
    const uint32_t groups = 1 + next() % 3, gin = 1 + next() % 3, gout = 1 + next() % 3;
    const uint32_t h = 1 + next() % 5, w = 1 + next() % 5, kh = 1 + next() % 4, kw = 1 + next() % 4;
    ConvGeometry g;
    g.groups = groups;
    const uint32_t strides[] = {1, 2, 4, 8};
    g.stride_h = strides[next() % 4];
    g.stride_w = strides[next() % 3];
    g.dil_h = 1 + next() % 2;
    g.dil_w = 1 + next() % 2;
    g.pad_top = next() % (g.dil_h * (kh - 1) + 1);
    g.pad_bottom = next() % (g.dil_h * (kh - 1) + 1);
    g.pad_left = next() % (g.dil_w * (kw - 1) + 1);
    g.pad_right = next() % (g.dil_w * (kw - 1) + 1);
    g.out_pad_h = next() % std::max(g.stride_h, g.dil_h);
    g.out_pad_w = next() % std::max(g.stride_w, g.dil_w);
    g.pad_value = trial % 2 ? uint8_t(next()) : 0;
    if (DeconvOutSize(h, kh, g.stride_h, g.dil_h, g.pad_top, g.pad_bottom, g.out_pad_h) < 1 ||
        DeconvOutSize(w, kw, g.stride_w, g.dil_w, g.pad_left, g.pad_right, g.out_pad_w) < 1)
      continue;
    INFO("trial " << trial);
    Tensor in(groups * gin, h, w, next() & 1);
    for (auto& b : in.data) b = uint8_t(next());
    Weights wt(groups * gout, gin, kh, kw, next() & 1);
    for (auto& b : wt.data) b = uint8_t(next());
    uint32_t oh = 0, ow = 0;
    const auto scatter = Deconv2d(in, wt, g, &oh, &ow);

    // Upsampled input, as signed values in a wider tensor: keep int8/uint8 by storing bytes and signedness.
    const uint32_t uh = (h - 1) * g.stride_h + 1, uw = (w - 1) * g.stride_w + 1;
    Tensor up(in.c, uh, uw, in.is_signed);
    std::fill(up.data.begin(), up.data.end(), g.pad_value);
    for (uint32_t c = 0; c < in.c; ++c)
      for (uint32_t y = 0; y < h; ++y)
        for (uint32_t x = 0; x < w; ++x)
          up.data[(size_t(c) * uh + y * g.stride_h) * uw + x * g.stride_w] =
              in.data[(size_t(c) * h + y) * w + x];
    Weights flip(wt.cout, gin, kh, kw, wt.is_signed);
    for (uint32_t co = 0; co < wt.cout; ++co)
      for (uint32_t ci = 0; ci < gin; ++ci)
        for (uint32_t r = 0; r < kh; ++r)
          for (uint32_t s = 0; s < kw; ++s)
            flip.data[((size_t(co) * gin + ci) * kh + r) * kw + s] =
                wt.data[((size_t(co) * gin + ci) * kh + (kh - 1 - r)) * kw + (kw - 1 - s)];
    ConvGeometry cg;
    cg.groups = groups;
    cg.pad_value = g.pad_value;
    cg.dil_h = g.dil_h, cg.dil_w = g.dil_w;
    cg.pad_top = g.dil_h * (kh - 1) - g.pad_top;
    cg.pad_bottom = g.dil_h * (kh - 1) - g.pad_bottom + g.out_pad_h;
    cg.pad_left = g.dil_w * (kw - 1) - g.pad_left;
    cg.pad_right = g.dil_w * (kw - 1) - g.pad_right + g.out_pad_w;
    uint32_t ch = 0, cw = 0;
    const auto gathered = Conv2d(up, flip, cg, &ch, &cw);
    REQUIRE(ch == oh);
    REQUIRE(cw == ow);
    CHECK(gathered == scatter);
  }
}

TEST_CASE("InnerProduct is the dot product of the whole input with each output's weights", "[ref]") {
  Tensor in(2, 1, 2, false);
  in.data = {1, 2, 3, 255};
  Weights w(2, 2, 1, 2, true);
  w.data = {1, 1, 1, 1, 0xFF, 0, 0, 2};  // output 1: -1*1 + 2*255
  CHECK(InnerProduct(in, w) == std::vector<int64_t>{261, 509});
  CHECK_THROWS(InnerProduct(in, Weights(2, 2, 2, 2, true)));
}

TEST_CASE("PreorderWeights never mixes groups in a channel tile", "[ref]") {
  // 2 groups of 3 output channels, dot_len 1, rows 2: each group has tiles (c0, c1) and (c2, 0).
  Weights w(6, 1, 1, 1, true);
  w.data = {1, 2, 3, 4, 5, 6};
  CHECK(PreorderWeights(w, 2, 2) == std::vector<uint8_t>{1, 2, 3, 0, 4, 5, 6, 0});
  // Depthwise: one row per tile.
  CHECK(PreorderWeights(w, 4, 6) ==
        std::vector<uint8_t>{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0});
  CHECK(PreorderWeights(w, 2, 1) == std::vector<uint8_t>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("Requantize wraps each accumulator to 30 bits before FUSED_RELU", "[ref]") {
  std::vector<ChannelParams> p(2);
  p[1].bias = 1;
  const std::vector<int64_t> acc = {(int64_t(1) << 30) + 5, -3, (int64_t(1) << 29) + 1, 7};
  // Channel 0: 5, -3 (signed out); channel 1: -(2^29)+1+1 clamps to -128, 7+1.
  CHECK(Requantize(acc, 2, p, false, false) == std::vector<uint8_t>{5, 0xFD, 0x80, 8});
}

TEST_CASE("ScaleChannels applies each channel's affine transform to its plane", "[ref]") {
  Tensor in(2, 1, 3, true);
  in.data = {uint8_t(-4), 0, 7, 100, uint8_t(-100), 1};
  ChannelParams p0, p1;
  p0.bias = 2, p0.scale = 3, p0.shift = 1;                       // ((x + 2)*3 + 1) >> 1
  p1.bias = -1, p1.scale = 5, p1.shift = 2, p1.zero_point = 10;  // ((x - 1)*5 + 2) >> 2, + 10
  const auto out = ScaleChannels(in, {p0, p1}, false, false);
  // channel 0: -4 -> (-6+1)>>1 = -3; 0 -> (6+1)>>1 = 3; 7 -> (27+1)>>1 = 14
  // channel 1: 100 -> (495+2)>>2 = 124, +10 = 134 -> 127; -100 -> (-505+2)>>2 = -126, +10 = -116; 1 -> 0+10
  CHECK(std::vector<int>(out.begin(), out.end()) ==
        std::vector<int>{uint8_t(-3), 3, 14, 127, uint8_t(-116), 10});
  // relu and unsigned output: channel 0's -3 becomes 0, channel 1's 134 fits uint8
  const auto u = ScaleChannels(in, {p0, p1}, true, true);
  CHECK(std::vector<int>(u.begin(), u.end()) == std::vector<int>{0, 3, 14, 134, 10, 10});
  CHECK_THROWS(ScaleChannels(in, {p0}, false, false));
}

TEST_CASE("Eltwise combines the int values, then requantizes per channel", "[ref]") {
  Tensor a(1, 1, 4, true), b(1, 1, 4, true);
  a.data = {uint8_t(-128), 127, 5, uint8_t(-3)};
  b.data = {uint8_t(-128), 127, uint8_t(-9), 2};
  CHECK(EltwiseValue(EltwiseKind::kAdd, -128, -128) == -256);
  CHECK(EltwiseValue(EltwiseKind::kMul, -128, -128) == 16384);
  CHECK(EltwiseValue(EltwiseKind::kMax, 5, -9) == 5);
  ChannelParams id;  // identity: bias 0, scale 1, shift 0
  auto v = [](const std::vector<uint8_t>& o) { return std::vector<int>(o.begin(), o.end()); };
  CHECK(v(Eltwise(a, b, EltwiseKind::kAdd, {id}, false, false)) ==
        std::vector<int>{uint8_t(-128), 127, uint8_t(-4), uint8_t(-1)});
  CHECK(v(Eltwise(a, b, EltwiseKind::kMax, {id}, false, false)) ==
        std::vector<int>{uint8_t(-128), 127, 5, 2});
  ChannelParams half;  // (x + 1) >> 1 with bias 0: products 16384, 16129, -45, -6
  half.scale = 1, half.shift = 8;
  CHECK(v(Eltwise(a, b, EltwiseKind::kMul, {half}, false, false)) == std::vector<int>{64, 63, 0, 0});
  Tensor u(1, 1, 4, false);
  CHECK_THROWS(Eltwise(a, u, EltwiseKind::kAdd, {id}, false, false));
}

TEST_CASE("EltwiseRescaledAdd weighs a and b, wrapping at 32 bits, then requantizes", "[ref]") {
  Tensor a(1, 1, 3, false), b(1, 1, 3, false);
  a.data = {10, 255, 0};
  b.data = {20, 255, 1};
  ChannelParams p;
  p.scale = 1, p.shift = 4, p.zero_point = -7;  // (3*a + 5*b + 8) >> 4, - 7
  const auto out = EltwiseRescaledAdd(a, b, 3, 5, {p}, false, true);
  // 130 -> (130+8)>>4 = 8, -7 = 1; 2040 -> 128 - 7 = 121; 5 -> 0 - 7 -> 0 (uint8)
  CHECK(std::vector<int>(out.begin(), out.end()) == std::vector<int>{1, 121, 0});
  // 2^23 * 255 * 2 wraps past 2^31: int32 arithmetic, as the SIMD program's mul.i32 / add.i32
  ChannelParams id;
  const auto w = EltwiseRescaledAdd(a, b, 1 << 23, 1 << 23, {id}, false, false);
  CHECK(int8_t(w[1]) == FusedRelu(int32_t(uint32_t(uint64_t(int64_t(510) << 23))), id, false, false));
}
