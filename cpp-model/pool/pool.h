// The pooling unit of a CONV (docs/architecture.md, "Fused pooling"): the window rules, the
// hardware's rounded average, and when a pooled row is complete. The golden model and the
// performance model use these; ref::Pool2d is the independent definition they are checked against.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nna/isa.h"

namespace nna::pool {

struct Window {
  isa::PoolOp op = isa::PoolOp::kNone;
  uint32_t size = 0, stride = 1, pad = 0;
};

// Window of a compute instruction's pool fields.
Window WindowOf(const isa::ComputeInstr& c);

// Pooled size of one dimension of `in` convolution outputs: (in + 2*pad - size)/stride + 1.
// Requires in + 2*pad >= size.
uint32_t OutSize(uint32_t in, const Window& w);

// The legality rules of the pool fields; on failure the field's name and why.
struct FieldError {
  std::string field;
  uint64_t value = 0;
  std::string why;
};
std::optional<FieldError> Check(const isa::Opcode op, const isa::ComputeInstr& c, uint32_t cols);

// The hardware's average of `size*size` bytes summing to `sum`: (sum*R + 2^15) >> 16,
// R = round(2^16 / size^2); equal to floor(sum/size^2 + 1/2) for every such sum.
int32_t Average(int32_t sum, uint32_t size);

// How many pooled rows are complete once the first `pixels` pixels (row-major) of an
// out_h x out_w channel plane exist.
uint32_t RowsComplete(const Window& w, uint32_t out_h, uint32_t out_w, uint64_t pixels);

// The pooled rows [lo, hi) that section pt (the `cols` pixels from pt*cols, row-major) of an
// out_h x out_w channel plane completes: those complete after it and not before.
struct RowRange {
  uint32_t lo = 0, hi = 0;
};
RowRange SectionRows(const Window& w, uint32_t out_h, uint32_t out_w, uint64_t pt, uint32_t cols);

// One write of the pooling unit: `bytes` pooled bytes from `offset` in the channel's pooled plane.
struct Span {
  uint32_t offset = 0, bytes = 0;
};

// Whether pooled rows are written as runs of the plane rather than one write per row: a "same"
// pool (3x3, stride 1, pad 1) has the convolution's shape, so lane i of a write pools around
// pixel P + i and N lanes write N pooled pixels whatever the rows.
bool WritesRuns(const Window& w);

// The writes of pooled rows [lo, hi) of a plane `pw_n` pooled pixels wide on `cols` lanes, in
// order: runs of up to `cols` bytes (WritesRuns) or one per row.
std::vector<Span> Writes(const Window& w, uint32_t pw_n, uint32_t lo, uint32_t hi, uint32_t cols);

// Pooled row `ph` of one channel plane (out_h x out_w bytes, int8 if is_signed): OutSize(out_w)
// bytes into out.
void PoolRow(const Window& w, const uint8_t* plane, uint32_t out_h, uint32_t out_w, bool is_signed,
             uint32_t ph, uint8_t* out);
// Pooled rows [lo, hi) of one channel plane, one after the other: (hi - lo)*OutSize(out_w) bytes
// into out, the bytes the writes of Writes(lo, hi) take from offset lo*OutSize(out_w) on.
void PoolRows(const Window& w, const uint8_t* plane, uint32_t out_h, uint32_t out_w, bool is_signed,
              uint32_t lo, uint32_t hi, uint8_t* out);

}  // namespace nna::pool
