// Block test of nna_sram (tiny configuration): the arbiter's DMA-in yield and its bound, and the
// data of every read against a byte model of the SRAM.
//  - saturated: the weight stream reads consecutive port-wide words every cycle (it keeps every
//    bank busy or resting) while DMA-in writes a beat every cycle. DMA-in must be refused exactly
//    DmaInPatience cycles per beat and then granted (its bound), and the weight stream may be
//    refused only while DMA-in is urgent and in the cycle after an urgent grant (the yield).
//  - random: random requests on every requester (activations, program fetch, weights, DMA-out,
//    SIMD write-back, DMA-in), each held until granted, the activation cache on or off. A DMA-in
//    beat is never refused more than DmaInPatience + 1 cycles in a row; a DMA-in write granted
//    before it is urgent (and without dma_hurry_i) takes no bank the weight port (or, with the
//    cache off, the activation port) requests in that cycle, nor one of the weight stream's next
//    read; every read returns the bytes written last (bytes never written are not compared).
// Prints the figures and PASSED, or a line starting FAIL and exits 1.
// CTest: rtl.sram_arbiter, rtl.sram_arbiter_bug_caught (the mutant sram_dma_never_urgent).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "Vnna_sram.h"
#include "block_tb.h"
#include "nna/configs.h"
#include "nna/isa.h"
#include "util/split_mix64.h"
#include "verilated.h"
#include "vl_bits.h"

namespace {

using nna::SplitMix64;
using nna::vl::Cfg;
using nna::vl::GetBit;
using nna::vl::GetByte;
using nna::vl::SetField;

// nna_sram's DmaInPatience default; the saturated phase fails when the RTL differs.
constexpr unsigned kPatience = 16;

const unsigned kBanks = unsigned(Cfg().sram_banks);
const unsigned kWord = unsigned(Cfg().sram_bank_word_bytes);
const unsigned kActBytes = unsigned(Cfg().sram_act_port_bytes);
const unsigned kWtBytes = unsigned(Cfg().sram_wt_port_bytes);
const unsigned kWrBytes = unsigned(Cfg().sram_wr_port_bytes);
constexpr unsigned kFetchBytes = unsigned(nna::isa::kWordBytes);  // an instruction word
const unsigned kDmaOutBytes = std::min(unsigned(Cfg().axi_data_bytes), kWtBytes);
constexpr uint32_t kSpan = 4096;  // random addresses stay below: conflicts and re-reads are common

enum WtReq { kFetch = 0, kWeights = 1, kDmaOut = 2, kNumWt = 3 };
enum WrReq { kSimd = 0, kDmaIn = 1, kNumWr = 2 };

struct Req {
  bool valid = false;
  uint32_t addr = 0;
  uint32_t last = 0;  // last byte the request uses
  uint32_t mask = 0;  // writes
  std::vector<uint8_t> data;
};

struct Expect {
  bool valid = false;
  std::vector<int> bytes;  // -1: never written, not compared
};

// Banks holding bytes addr..addr+last.
uint32_t Banks(uint32_t addr, uint32_t last) {
  uint32_t set = 0;
  for (uint32_t w = addr / kWord; w <= (addr + last) / kWord; ++w) set |= 1u << (w % kBanks);
  return set;
}

class Bench {
 public:
  explicit Bench(uint64_t seed) : rng_(seed), mem_(kSpan + 64, -1) {
    top_->act_req_valid_i = 0;
    top_->wt_req_valid_i = 0;
    top_->wr_valid_i = 0;
    top_->wr_priority_i = 0;
    top_->dma_hurry_i = 0;
    top_->act_cache_off_i = 0;
    top_.Reset(1, 1);
  }

  bool failed() const { return failed_; }
  SplitMix64& rng() { return rng_; }

  // One cycle: drive the requests, check the grants, apply them to the model, clock, compare the
  // responses. Granted requests are cleared.
  void Cycle() {
    top_->act_req_valid_i = act_.valid;
    top_->act_req_addr_i = act_.addr;
    top_->act_req_last_i = act_.last;
    uint32_t wt_valid = 0;
    for (unsigned r = 0; r < kNumWt; ++r) {
      wt_valid |= uint32_t(wt_[r].valid) << r;
      SetField(top_->wt_req_addr_i, 32 * r, 32, wt_[r].addr);
    }
    top_->wt_req_valid_i = wt_valid;
    uint32_t wr_valid = 0;
    for (unsigned r = 0; r < kNumWr; ++r) {
      wr_valid |= uint32_t(wr_[r].valid) << r;
      SetField(top_->wr_addr_i, 32 * r, 32, wr_[r].addr);
      SetField(top_->wr_mask_i, kWrBytes * r, kWrBytes, wr_[r].mask);
      for (unsigned k = 0; k < kWrBytes; ++k)
        SetField(top_->wr_data_i, 8 * (kWrBytes * r + k), 8, wr_[r].data.empty() ? 0 : wr_[r].data[k]);
    }
    top_->wr_valid_i = wr_valid;
    top_.Eval();

    const bool act_go = act_.valid && top_->act_req_ready_o;
    std::array<bool, kNumWt> wt_go{};
    std::array<bool, kNumWr> wr_go{};
    for (unsigned r = 0; r < kNumWt; ++r) wt_go[r] = wt_[r].valid && GetBit(top_->wt_req_ready_o, r);
    for (unsigned r = 0; r < kNumWr; ++r) wr_go[r] = wr_[r].valid && GetBit(top_->wr_ready_o, r);
    wt_refused_ = wt_[kWeights].valid && !wt_go[kWeights];

    // The yield: a DMA-in grant before it is urgent leaves the banks the read ports request.
    const bool urgent = wr_[kDmaIn].valid && dma_refusals_ >= kPatience;
    dma_urgent_ = urgent;
    if (wr_go[kDmaIn] && !urgent && !top_->dma_hurry_i) {
      uint32_t read_want = 0;
      for (unsigned r = 0; r < kNumWt; ++r) {
        if (wt_[r].valid) {
          read_want |= Banks(wt_[r].addr, wt_[r].last);
          // The weight stream's next read (the next port width) would find its banks resting.
          if (r == kWeights) read_want |= Banks(wt_[r].addr + kWtBytes, wt_[r].last);
          break;  // the port's highest-priority requester claims the banks
        }
      }
      if (act_.valid && top_->act_cache_off_i) read_want |= Banks(act_.addr, act_.last);
      const uint32_t dma = Banks(wr_[kDmaIn].addr, WrLast(wr_[kDmaIn]));
      if (dma & read_want)
        Fail("FAIL yield: DMA-in at 0x" + Hex(wr_[kDmaIn].addr) + " granted after " +
             std::to_string(dma_refusals_) + " refusals took banks 0x" + Hex(dma & read_want) +
             " a read port requested");
    }
    if (wr_[kDmaIn].valid && !wr_go[kDmaIn]) {
      if (++dma_refusals_ > kPatience + 1)
        Fail("FAIL dma-in starved: its beat at 0x" + Hex(wr_[kDmaIn].addr) + " was refused " +
             std::to_string(dma_refusals_) + " cycles in a row, more than the bound " +
             std::to_string(kPatience + 1));
    }
    if (wr_go[kDmaIn]) {
      last_dma_refusals_ = dma_refusals_;
      dma_refusals_ = 0;
      ++dma_beats_;
    }

    // Reads see the model before this cycle's writes (a cycle's grants share no bank).
    Expect act_exp = act_go ? Read(act_.addr, act_.last) : Expect{};
    std::array<Expect, kNumWt> wt_exp{};
    for (unsigned r = 0; r < kNumWt; ++r)
      if (wt_go[r]) wt_exp[r] = Read(wt_[r].addr, wt_[r].last);
    for (unsigned r = 0; r < kNumWr; ++r)
      if (wr_go[r]) Write(wr_[r]);
    grants_wt_ += wt_go[kWeights];

    top_.Tick();
    if (act_exp.valid) Compare("activation", top_->act_rsp_valid_o, top_->act_rsp_data_o, act_exp);
    for (unsigned r = 0; r < kNumWt; ++r) {
      if (wt_exp[r].valid)
        Compare("weight-port requester " + std::to_string(r), GetBit(top_->wt_rsp_valid_o, r),
                top_->wt_rsp_data_o, wt_exp[r]);
    }
    if (act_go) act_.valid = false;
    for (unsigned r = 0; r < kNumWt; ++r)
      if (wt_go[r]) wt_[r].valid = false;
    for (unsigned r = 0; r < kNumWr; ++r)
      if (wr_go[r]) wr_[r].valid = false;
  }

  // Saturated phase: the weight stream every cycle, DMA-in every cycle, for `cycles` cycles.
  void Saturated(uint64_t cycles) {
    uint32_t wt_addr = 0, dma_addr = 0;
    uint32_t dma_banks_before = 0;  // banks of the DMA-in beat granted in the previous cycle
    for (uint64_t c = 0; c < cycles && !failed_; ++c) {
      if (!wt_[kWeights].valid) {
        wt_[kWeights] = Req{true, wt_addr, kWtBytes - 1, 0, {}};
        wt_addr = (wt_addr + kWtBytes) % kSpan;
      }
      if (!wr_[kDmaIn].valid) {
        wr_[kDmaIn] = RandomWrite(dma_addr, (1u << kWrBytes) - 1);
        dma_addr = (dma_addr + kWrBytes) % kSpan;
      }
      const uint64_t beats = dma_beats_;
      const uint32_t dma_banks = Banks(wr_[kDmaIn].addr, kWrBytes - 1);
      const uint32_t wt_banks = Banks(wt_[kWeights].addr, kWtBytes - 1);
      Cycle();
      // A weight read waits only for an urgent beat or a bank the last beat left resting.
      if (wt_refused_ && !dma_urgent_ && !(wt_banks & dma_banks_before))
        Fail("FAIL yield: the weight stream was refused in cycle " + std::to_string(c) +
             " with DMA-in not urgent (" + std::to_string(dma_refusals_) +
             " refusals) and no bank of it resting");
      // The first beat meets the stream in step (every bank it needs requested or resting): it is
      // urgent after kPatience refusals and granted then or, its banks resting, one cycle later.
      // Later beats may find banks that the stream, shifted by its refusals, leaves free.
      if (beats == 0 && dma_beats_ == 1 && last_dma_refusals_ != kPatience &&
          last_dma_refusals_ != kPatience + 1)
        Fail("FAIL yield: under a saturated weight stream the first DMA-in beat was granted after " +
             std::to_string(last_dma_refusals_) + " refusals, not DmaInPatience " +
             std::to_string(kPatience) + " or one more");
      dma_banks_before = dma_beats_ != beats ? dma_banks : 0;
      sat_cycles_++;
    }
  }

  // Random phase: each idle requester asks again with its own chance per cycle.
  void Random(uint64_t cycles) {
    std::array<unsigned, 6> pct{};
    for (uint64_t c = 0; c < cycles && !failed_; ++c) {
      if (c % 500 == 0) {
        for (unsigned& p : pct) p = unsigned(rng_.Range(0, 100));
        top_->act_cache_off_i = rng_.Chance(50);
        top_->wr_priority_i = rng_.Chance(30);
        top_->dma_hurry_i = rng_.Chance(20);  // DMA-in does not yield: only its bound is checked
      }
      if (!act_.valid && rng_.Chance(pct[0]))
        act_ = Req{true, RandomAddr(), uint32_t(rng_.Range(0, kActBytes - 1)), 0, {}};
      const std::array<unsigned, kNumWt> wt_last = {kFetchBytes - 1, kWtBytes - 1, kDmaOutBytes - 1};
      for (unsigned r = 0; r < kNumWt; ++r)
        if (!wt_[r].valid && rng_.Chance(pct[1 + r])) wt_[r] = Req{true, RandomAddr(), wt_last[r], 0, {}};
      for (unsigned r = 0; r < kNumWr; ++r) {
        if (!wr_[r].valid && rng_.Chance(pct[4 + r])) {
          const uint32_t mask = uint32_t(rng_.Range(1, (1u << kWrBytes) - 1));
          wr_[r] = RandomWrite(RandomAddr(), mask);
        }
      }
      Cycle();
      ++rnd_cycles_;
    }
  }

  void Report() const {
    std::printf(
        "saturated: %llu cycles, %llu weight reads, %llu DMA-in beats; random: %llu cycles; %llu bytes "
        "compared; DmaInPatience %u\n",
        static_cast<unsigned long long>(sat_cycles_), static_cast<unsigned long long>(sat_wt_),
        static_cast<unsigned long long>(sat_beats_), static_cast<unsigned long long>(rnd_cycles_),
        static_cast<unsigned long long>(bytes_), kPatience);
  }
  void EndSaturated() {
    sat_wt_ = grants_wt_;
    sat_beats_ = dma_beats_;
  }

 private:
  uint32_t RandomAddr() { return uint32_t(rng_.Range(0, kSpan - 1)); }

  Req RandomWrite(uint32_t addr, uint32_t mask) {
    Req w{true, addr, 0, mask, {}};
    for (unsigned k = 0; k < kWrBytes; ++k) w.data.push_back(uint8_t(rng_.Next()));
    return w;
  }

  static uint32_t WrLast(const Req& w) {
    uint32_t last = 0;
    for (unsigned k = 0; k < kWrBytes; ++k)
      if ((w.mask >> k) & 1) last = k;
    return last;
  }

  Expect Read(uint32_t addr, uint32_t last) const {
    Expect e{true, {}};
    for (uint32_t k = 0; k <= last; ++k) e.bytes.push_back(mem_[addr + k]);
    return e;
  }

  void Write(const Req& w) {
    for (unsigned k = 0; k < kWrBytes; ++k)
      if ((w.mask >> k) & 1) mem_[w.addr + k] = w.data[k];
  }

  template <typename T>
  void Compare(const std::string& who, uint32_t valid, const T& data, const Expect& e) {
    if (!valid) {
      Fail("FAIL " + who + ": no response the cycle after its grant");
      return;
    }
    for (size_t k = 0; k < e.bytes.size(); ++k) {
      if (e.bytes[k] < 0) continue;
      ++bytes_;
      if (GetByte(data, unsigned(k)) != uint32_t(e.bytes[k])) {
        Fail("FAIL " + who + ": byte " + std::to_string(k) + " read 0x" + Hex(GetByte(data, unsigned(k))) +
             ", the model holds 0x" + Hex(uint32_t(e.bytes[k])));
        return;
      }
    }
  }

  static std::string Hex(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "%x", v);
    return b;
  }

  void Fail(const std::string& what) {
    if (!failed_) std::printf("%s\n", what.c_str());
    failed_ = true;
  }

  SplitMix64 rng_;
  nna::vl::BlockDut<Vnna_sram> top_;
  std::vector<int> mem_;  // byte model, -1 never written
  Req act_;
  std::array<Req, kNumWt> wt_;
  std::array<Req, kNumWr> wr_;
  bool failed_ = false, wt_refused_ = false, dma_urgent_ = false;
  uint64_t dma_refusals_ = 0, last_dma_refusals_ = 0, dma_beats_ = 0, grants_wt_ = 0, bytes_ = 0;
  uint64_t sat_cycles_ = 0, sat_wt_ = 0, sat_beats_ = 0, rnd_cycles_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t cycles = 20000, seed = 1;
  if (!nna::vl::ParseArgs(argc, argv, "--cycles", &cycles, &seed)) return 2;
  Bench bench(seed);
  bench.Saturated(2000);
  bench.EndSaturated();
  if (!bench.failed()) bench.Random(cycles);
  bench.Report();
  std::printf(bench.failed() ? "FAILED\n" : "PASSED\n");
  return bench.failed() ? 1 : 0;
}
