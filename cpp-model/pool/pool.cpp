#include "pool/pool.h"

#include <algorithm>

namespace nna::pool {

Window WindowOf(const isa::ComputeInstr& c) {
  return Window{c.pool_op, uint32_t(c.pool_size), uint32_t(c.pool_stride), uint32_t(c.pool_pad)};
}

uint32_t OutSize(uint32_t in, const Window& w) { return (in + 2 * w.pad - w.size) / w.stride + 1; }

std::optional<FieldError> Check(const isa::Opcode op, const isa::ComputeInstr& c, uint32_t cols) {
  if (!isa::IsPoolOp(uint64_t(c.pool_op)))
    return FieldError{"pool_op", uint64_t(c.pool_op), "not a pooling operation"};
  if (c.pool_op == isa::PoolOp::kNone) {
    if (c.pool_size != 0) return FieldError{"pool_size", c.pool_size, "must be 0 without pooling"};
    if (c.pool_stride != 0) return FieldError{"pool_stride", c.pool_stride, "must be 0 without pooling"};
    if (c.pool_pad != 0) return FieldError{"pool_pad", c.pool_pad, "must be 0 without pooling"};
    return std::nullopt;
  }
  if (op != isa::Opcode::kConv) return FieldError{"pool_op", uint64_t(c.pool_op), "only CONV pools"};
  if (c.pool_size != 2 && c.pool_size != 3) return FieldError{"pool_size", c.pool_size, "must be 2 or 3"};
  if (c.pool_stride != 1 && c.pool_stride != 2)
    return FieldError{"pool_stride", c.pool_stride, "must be 1 or 2"};
  if (c.pool_pad > c.pool_size / 2)
    return FieldError{"pool_pad", c.pool_pad,
                      "must be at most pool_size/2 = " + std::to_string(c.pool_size / 2)};
  if (c.out_h + 2 * c.pool_pad < c.pool_size)
    return FieldError{"out_h", c.out_h, "smaller than the pooling window"};
  if (c.out_w + 2 * c.pool_pad < c.pool_size)
    return FieldError{"out_w", c.out_w, "smaller than the pooling window"};
  if (c.out_w > cols)
    return FieldError{
        "out_w", c.out_w,
        "a pooled convolution's rows must fit the line buffer of " + std::to_string(cols) + " pixels"};
  if (c.order != isa::Order::kChannelMajor && c.ch_tiles != 1)
    return FieldError{"order", uint64_t(c.order), "pooling over several channel tiles needs channel_major"};
  const uint32_t pw = OutSize(uint32_t(c.out_w), WindowOf(c));
  if (pw > cols)
    return FieldError{
        "out_w", c.out_w,
        "its pooled width " + std::to_string(pw) + " must fit the " + std::to_string(cols) + " lanes"};
  if (c.out_row_stride != pw)
    return FieldError{"out_row_stride", c.out_row_stride, "must be the pooled width " + std::to_string(pw)};
  return std::nullopt;
}

int32_t Average(int32_t sum, uint32_t size) {
  const int64_t r = size == 2 ? 16384 : 7282;
  return int32_t((int64_t(sum) * r + (int64_t(1) << 15)) >> 16);
}

uint32_t RowsComplete(const Window& w, uint32_t out_h, uint32_t out_w, uint64_t pixels) {
  const uint32_t ph_n = OutSize(out_h, w);
  const uint64_t rows = pixels / out_w;
  if (rows >= out_h) return ph_n;
  // Row ph is complete when ph*stride - pad + size - 1 <= rows - 1.
  const int64_t last = int64_t(rows) + w.pad - w.size;
  if (last < 0) return 0;
  return std::min<uint32_t>(ph_n, uint32_t(last / w.stride) + 1);
}

RowRange SectionRows(const Window& w, uint32_t out_h, uint32_t out_w, uint64_t pt, uint32_t cols) {
  const uint64_t pixels = uint64_t(out_h) * out_w;
  return {RowsComplete(w, out_h, out_w, pt * cols),
          RowsComplete(w, out_h, out_w, std::min<uint64_t>((pt + 1) * cols, pixels))};
}

bool WritesRuns(const Window& w) { return w.size == 3 && w.stride == 1 && w.pad == 1; }

std::vector<Span> Writes(const Window& w, uint32_t pw_n, uint32_t lo, uint32_t hi, uint32_t cols) {
  std::vector<Span> spans;
  if (!WritesRuns(w)) {
    for (uint32_t ph = lo; ph < hi; ++ph) spans.push_back({ph * pw_n, pw_n});
    return spans;
  }
  for (uint32_t at = lo * pw_n, end = hi * pw_n; at < end; at += cols)
    spans.push_back({at, std::min(cols, end - at)});
  return spans;
}

void PoolRow(const Window& w, const uint8_t* plane, uint32_t out_h, uint32_t out_w, bool is_signed,
             uint32_t ph, uint8_t* out) {
  const uint32_t pw_n = OutSize(out_w, w);
  for (uint32_t pw = 0; pw < pw_n; ++pw) {
    int32_t best = INT32_MIN, sum = 0;
    for (uint32_t dr = 0; dr < w.size; ++dr) {
      const int64_t r = int64_t(ph) * w.stride - w.pad + dr;
      if (r < 0 || r >= int64_t(out_h)) continue;
      for (uint32_t dc = 0; dc < w.size; ++dc) {
        const int64_t col = int64_t(pw) * w.stride - w.pad + dc;
        if (col < 0 || col >= int64_t(out_w)) continue;
        const uint8_t b = plane[uint64_t(r) * out_w + uint64_t(col)];
        const int32_t v = is_signed ? int32_t(int8_t(b)) : int32_t(b);
        best = std::max(best, v);
        sum += v;
      }
    }
    out[pw] = uint8_t(w.op == isa::PoolOp::kMax ? best : Average(sum, w.size));
  }
}

void PoolRows(const Window& w, const uint8_t* plane, uint32_t out_h, uint32_t out_w, bool is_signed,
              uint32_t lo, uint32_t hi, uint8_t* out) {
  const uint32_t pw_n = OutSize(out_w, w);
  for (uint32_t ph = lo; ph < hi; ++ph)
    PoolRow(w, plane, out_h, out_w, is_signed, ph, out + size_t(ph - lo) * pw_n);
}

}  // namespace nna::pool
