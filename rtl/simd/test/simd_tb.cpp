// Block test of nna_simd (tiny configuration): random legal SIMD programs (cpp-model/simd
// random_simd), random channel parameters and accumulators, random input gaps and output
// back-pressure; every output byte of every lane is compared with simd::RunLane, and the rows must
// leave in the order they came. A quarter of the programs run in ELTWISE's pair mode (the first
// row of each pair kept, the second run from simd::PairEntry). Mutated programs check the legality verdict
// (prog_bad_o, prog_err_o) against simd::CheckProgram. A last phase streams rows without gaps and checks the
// barrel: an L-instruction program takes one row per L cycles (plus the 3L-cycle latency).
// Prints the first 10 mismatches, a one-line summary and PASSED or FAILED. CTest: rtl.simd_random.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Vnna_simd.h"
#include "block_tb.h"
#include "nna/configs.h"
#include "ref/ref_ops.h"
#include "simd/random_simd.h"
#include "simd/simd_program.h"
#include "verilated.h"
#include "vl_bits.h"

namespace {

using nna::SplitMix64;
namespace isa = nna::isa;
namespace simd = nna::simd;

using nna::vl::GetField;
using nna::vl::SetField;

using nna::vl::Cfg;
const unsigned kLanes = unsigned(Cfg().array_cols);
const unsigned kParamRowBytes = unsigned(Cfg().sram_wt_port_bytes);
constexpr unsigned kChannels = 32;  // channels the rows draw from
constexpr int kMaxReported = 10;

struct Row {
  std::vector<int32_t> acc;  // 30-bit patterns, one per lane
  std::vector<int32_t> a;    // pair mode: the pair's first row (tensor a), kept by the unit
  uint32_t co = 0;
  uint32_t serial = 0;
};

class Bench {
 public:
  explicit Bench(uint64_t seed) : rng_(seed), top_() {
    // Every input starts defined (+verilator+rand+reset+2 randomizes them too).
    top_->in_valid_i = 0;
    top_->out_ready_i = 0;
    top_->param_we_i = 0;
    top_->pair_i = 0;
    top_->in_first_i = 0;
    top_->prog_len_i = 1;
    top_.Reset(1, 1);
  }

  // Loads the program; returns false when the RTL's legality verdict differs from CheckProgram.
  bool LoadProgram(const std::vector<isa::SimdInstr>& program, bool* legal) {
    for (unsigned w = 0; w < isa::kMaxSimdInstrs * 2; ++w) top_->prog_i[w] = 0;
    for (size_t k = 0; k < program.size(); ++k) {
      const auto bytes = isa::Encode(program[k]);
      for (unsigned b = 0; b < isa::SimdInstr::kBytes; ++b)
        SetField(top_->prog_i, unsigned(64 * k + 8 * b), 8, bytes[b]);
    }
    top_->prog_len_i = uint8_t(program.size());
    top_.Eval();
    const auto expect = simd::CheckProgram(program);
    *legal = !expect;
    const auto want = expect ? expect->code : isa::ErrorCode::kNone;
    if (bool(top_->prog_bad_o) == bool(expect) && top_->prog_err_o == uint8_t(want)) return true;
    Report("legality of " + Listing(program) + ": RTL bad=" + std::to_string(top_->prog_bad_o) + " code " +
           std::to_string(top_->prog_err_o) + ", model code " + std::to_string(unsigned(want)) +
           (expect ? " (" + expect->message + ")" : ""));
    return false;
  }

  void LoadParams() {
    params_.clear();
    for (unsigned c = 0; c < kChannels; ++c) params_.push_back(simd::RandomChannelParams(rng_));
    const unsigned per_row = kParamRowBytes / isa::ChannelParamsRecord::kBytes;
    for (unsigned r = 0; r < kChannels / per_row; ++r) {
      for (unsigned e = 0; e < per_row; ++e) {
        uint8_t bytes[isa::ChannelParamsRecord::kBytes];
        nna::ref::PackParams(params_[r * per_row + e], bytes);
        for (unsigned b = 0; b < isa::ChannelParamsRecord::kBytes; ++b)
          SetField(top_->param_wdata_i, (e * isa::ChannelParamsRecord::kBytes + b) * 8, 8, bytes[b]);
      }
      top_->param_we_i = 1;
      top_->param_waddr_i = r;
      top_.Tick();
    }
    top_->param_we_i = 0;
  }

  // Streams rows through the loaded program; in_pct and out_pct are the chances per cycle of
  // offering a row and of accepting one. With `pair` (ELTWISE's pair mode), rows come in pairs and
  // only the second of each leaves. Returns the cycles from the first input to the last output.
  uint64_t RunRows(const std::vector<isa::SimdInstr>& program, unsigned rows, unsigned in_pct,
                   unsigned out_pct, std::optional<isa::EltwiseOp> pair = {}) {
    pair_ = pair;
    top_->pair_i = pair.has_value();
    top_->pair_op_i = uint8_t(pair.value_or(isa::EltwiseOp::kAdd));
    std::vector<int32_t> kept;  // the pair's first row, once the unit took it
    std::deque<Row> to_send, in_flight;
    for (unsigned r = 0; r < rows; ++r) {
      Row row;
      for (unsigned i = 0; i < kLanes; ++i) row.acc.push_back(simd::RandomAcc30(rng_));
      row.co = uint32_t(rng_.Range(0, kChannels - 1));
      row.serial = next_serial_++;
      to_send.push_back(row);
    }
    uint64_t cycles = 0;
    bool started = false;
    for (uint64_t guard = 0; !(to_send.empty() && in_flight.empty()); ++guard) {
      if (guard > 100000) {
        Report("hang: " + std::to_string(in_flight.size()) + " rows never left");
        return cycles;
      }
      const bool offer = !to_send.empty() && rng_.Range(0, 99) < in_pct;
      top_->in_valid_i = offer;
      const bool first = pair && (to_send.size() % 2 == 0);  // rows is even in pair mode
      top_->in_first_i = first;
      if (offer) {
        const Row& row = to_send.front();
        for (unsigned i = 0; i < kLanes; ++i)
          SetField(top_->in_acc_i, i * isa::kAccBits, isa::kAccBits, uint32_t(row.acc[i]));
        top_->in_co_i = row.co;
        top_->in_meta_i = row.serial & 1;
      }
      top_->out_ready_i = rng_.Range(0, 99) < out_pct;
      top_.Eval();
      if (offer && top_->in_ready_o) {
        if (first) {
          kept = to_send.front().acc;
        } else {
          in_flight.push_back(to_send.front());
          if (pair) in_flight.back().a = kept;
        }
        to_send.pop_front();
        started = true;
      }
      if (top_->out_valid_o && top_->out_ready_i) {
        if (in_flight.empty()) {
          Report("a row left that never came in");
          return cycles;
        }
        Check(program, in_flight.front());
        in_flight.pop_front();
      }
      if (started) ++cycles;
      top_.Tick();
    }
    top_->in_valid_i = 0;
    if (!top_->idle_o) Report("not idle after the last row");
    return cycles;
  }

  SplitMix64& rng() { return rng_; }
  int mismatches() const { return mismatches_; }
  uint64_t checked_bytes() const { return checked_bytes_; }

 private:
  void Check(const std::vector<isa::SimdInstr>& program, const Row& row) {
    if (top_->out_meta_o != (row.serial & 1))
      Report("row " + std::to_string(row.serial) + " left out of order");
    for (unsigned i = 0; i < kLanes; ++i) {
      const simd::LaneState entry =
          pair_ ? simd::PairEntry(*pair_, row.a[i], row.acc[i]) : simd::RowEntry(row.acc[i]);
      const uint8_t want = uint8_t(simd::RunLaneState(program, entry, params_[row.co]).v[0]);
      const uint8_t got = uint8_t(GetField(top_->out_data_o, i * 8, 8));
      ++checked_bytes_;
      if (got != want) {
        const auto& p = params_[row.co];
        Report("MISMATCH row " + std::to_string(row.serial) + " lane " + std::to_string(i) + ": acc " +
               std::to_string(row.acc[i]) + ", params bias " + std::to_string(p.bias) + " scale " +
               std::to_string(p.scale) + " shift " + std::to_string(p.shift) + " zp " +
               std::to_string(p.zero_point) + " multiplier " + std::to_string(p.multiplier) + ": RTL " +
               std::to_string(got) + ", model " + std::to_string(want) + ", program " + Listing(program));
        return;
      }
    }
  }

  static std::string Listing(const std::vector<isa::SimdInstr>& program) {
    std::string s;
    for (const auto& in : program) {
      if (!s.empty()) s += "; ";
      s += std::string(isa::IsSimdOp(uint64_t(in.op)) ? isa::ToString(in.op) : "op?") + " d" +
           std::to_string(in.dst) + " a" + std::to_string(in.src_a) + " b" + std::to_string(in.src_b) + " p" +
           std::to_string(in.pred) + (in.pred_neg ? "!" : "") + " t" + std::to_string(unsigned(in.dtype)) +
           " f" + std::to_string(in.flags) + " #" + std::to_string(in.imm);
    }
    return s;
  }

  void Report(const std::string& what) {
    if (++mismatches_ <= kMaxReported) std::printf("%s\n", what.c_str());
  }

  SplitMix64 rng_;
  nna::vl::BlockDut<Vnna_simd> top_;
  std::vector<nna::ref::ChannelParams> params_;
  std::optional<isa::EltwiseOp> pair_;
  uint32_t next_serial_ = 0;
  int mismatches_ = 0;
  uint64_t checked_bytes_ = 0;
};

// A legal program with one field replaced by a random value: often illegal, sometimes not.
std::vector<isa::SimdInstr> Mutate(std::vector<isa::SimdInstr> program, SplitMix64& rng) {
  isa::SimdInstr& s = program[rng.Range(0, program.size() - 1)];
  switch (rng.Range(0, 6)) {
    case 0:
      s.op = isa::SimdOp(rng.Range(0, 40));
      break;
    case 1:
      s.dst = uint8_t(rng.Range(0, 15));
      break;
    case 2:
      s.src_a = uint8_t(rng.Range(0, 15));
      break;
    case 3:
      s.src_b = uint8_t(rng.Range(0, 15));
      break;
    case 4:
      s.pred = uint8_t(rng.Range(0, 7));
      break;
    case 5:
      s.dtype = isa::Dtype(rng.Range(0, 7));
      break;
    default:
      s.imm = uint32_t(rng.Range(0, 6));
      break;
  }
  return program;
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t programs = 2000, seed = 1;
  if (!nna::vl::ParseArgs(argc, argv, "--programs", &programs, &seed)) return 2;
  Bench bench(seed);
  unsigned run = 0, illegal = 0, pairs = 0;
  for (unsigned p = 0; p < programs && bench.mismatches() == 0; ++p) {
    auto program = simd::RandomSimdProgram(bench.rng());
    if (bench.rng().Chance(20)) program = Mutate(program, bench.rng());
    bool legal = false;
    if (!bench.LoadProgram(program, &legal)) break;
    if (!legal) {
      ++illegal;
      continue;
    }
    bench.LoadParams();
    std::optional<isa::EltwiseOp> pair;
    if (bench.rng().Chance(25)) pair = isa::EltwiseOp(bench.rng().Range(0, 2));
    bench.RunRows(program, 12, 70, 70, pair);
    ++run;
    pairs += pair.has_value();
  }
  // The barrel: back-to-back rows, never back-pressured.
  std::printf("throughput (rows per cycle by program length):");
  for (unsigned len = 1; len <= isa::kMaxSimdInstrs && bench.mismatches() == 0; ++len) {
    std::vector<isa::SimdInstr> program;
    while (program.size() != len) {
      program = simd::RandomSimdProgram(bench.rng());
      program.resize(std::min<size_t>(program.size(), len));
    }
    bool legal = false;
    if (!bench.LoadProgram(program, &legal) || !legal) break;
    bench.LoadParams();
    const unsigned rows = 60;
    const uint64_t cycles = bench.RunRows(program, rows, 100, 100);
    std::printf(" L%u %.3f", len, double(rows) / double(cycles));
    if (cycles > uint64_t(rows) * len + 3 * len) {
      std::printf("\nL=%u: %u rows took %llu cycles, more than rows*L + 3L\nFAILED\n", len, rows,
                  static_cast<unsigned long long>(cycles));
      return 1;
    }
  }
  std::printf(
      "\n%u programs run (%u on ELTWISE pairs), %u illegal ones checked, %llu bytes compared, %d "
      "mismatches\n",
      run, pairs, illegal, static_cast<unsigned long long>(bench.checked_bytes()), bench.mismatches());
  std::printf(bench.mismatches() == 0 ? "PASSED\n" : "FAILED\n");
  return bench.mismatches() == 0 ? 0 : 1;
}
