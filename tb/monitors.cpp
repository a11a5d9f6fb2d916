#include "tb/monitors.h"

#include <cstdio>
#include <string>

namespace nna::tb {

Monitors::Monitors(sc_core::sc_module_name name, Wires& w, Scoreboard& sb) : sc_module(name), w_(w), sb_(sb) {
  SC_METHOD(Sample);
  sensitive << w_.clk.posedge_event();
  dont_initialize();
}

void Monitors::Restart() {
  next_launch_ = 0;
  in_load_ = false;
  acc_events_ = wr_events_ = mac_active_cycles_ = busy_cycles_ = 0;
  instr_cycles_.clear();
}

void Monitors::OnLoadBoundary(bool load) {
  if (load && !in_load_ && next_launch_ < bases_.size()) base_ = bases_[next_launch_++];
  in_load_ = load;
}

// Runs at the rising edge and reads the values of the cycle that just ended: the cycle number
// given to the scoreboard is that of the edge that completes the observation.
void Monitors::Sample() {
  if (!w_.rst_ni.read()) return;
  sb_.SetCycle(w_.Cycle());
  if (w_.obs_wr_valid_o.read()) OnLoadBoundary(w_.obs_wr_instr_o.read() == kProgramLoadInstr);
  if (w_.obs_mac_active_o.read()) ++mac_active_cycles_;
  if (w_.obs_busy_o.read()) ++busy_cycles_;

  if (w_.obs_cycle_valid_o.read()) {
    const uint32_t cause = w_.obs_cycle_o.read();
    const uint64_t cycle = w_.Cycle();  // numbered like the scoreboard's events
    auto [it, fresh] = instr_cycles_.try_emplace(WithBase(w_.obs_cycle_instr_o.read(), base_));
    if (fresh) it->second.first = cycle;
    it->second.last = cycle;
    if (cause < it->second.by_cause.size()) {
      ++it->second.by_cause[cause];
    } else {
      sb_.ReportError("monitor", "compute cycle with unknown cause " + std::to_string(cause) + " (instr " +
                                     std::to_string(it->first) + ")");
    }
  }

  if (discard_) {
    discarded_ += w_.obs_acc_valid_o.read() + w_.obs_wr_valid_o.read();
    return;
  }
  if (w_.obs_acc_valid_o.read()) {
    ++acc_events_;
    AccUnloadEvent ev;
    ev.instr = WithBase(w_.obs_acc_instr_o.read(), base_);
    ev.pix_tile = w_.obs_acc_pix_tile_o.read();
    ev.ch_tile = w_.obs_acc_ch_tile_o.read();
    ev.row = w_.obs_acc_row_o.read();
    const auto data = w_.obs_acc_data_o.read();
    ev.values.resize(kLanes);
    for (unsigned i = 0; i < kLanes; ++i) {
      const uint32_t raw = Field(data, i * kAccBits, kAccBits);
      ev.values[i] = int32_t(raw << (32 - kAccBits)) >> (32 - kAccBits);  // sign-extend 30 -> 32 bits
    }
    sb_.OnAccUnload(ev);
  }

  if (w_.obs_wr_valid_o.read()) {
    ++wr_events_;
    SramWriteEvent ev;
    const uint32_t src = w_.obs_wr_src_o.read();
    ev.instr = WithBase(w_.obs_wr_instr_o.read(), base_);
    const uint32_t addr = w_.obs_wr_addr_o.read();
    const auto data = w_.obs_wr_data_o.read();
    const auto mask = w_.obs_wr_mask_o.read();
    const std::string stream = src == 1 ? Scoreboard::kSimdStream : Scoreboard::kDmaStream;
    if (!isa::IsWrSource(src)) {
      sb_.ReportError("monitor", "SRAM write with unknown source " + std::to_string(src) + " (instr " +
                                     std::to_string(ev.instr) + ")");
      return;
    }
    ev.source = static_cast<isa::WrSource>(src);
    unsigned first = kWrPortBytes, last = 0, enabled = 0;
    std::string mask_text;
    for (unsigned i = 0; i < kWrPortBytes; ++i) {
      const bool on = Bit(mask, i);
      mask_text.insert(mask_text.begin(), on ? '1' : '0');  // msb first
      if (!on) continue;
      ++enabled;
      if (first == kWrPortBytes) first = i;
      last = i;
    }
    if (enabled == 0) {
      sb_.ReportError(stream, "SRAM write with an empty byte mask at addr " + std::to_string(addr) +
                                  " (instr " + std::to_string(ev.instr) + ")");
      return;
    }
    if (last - first + 1 != enabled) {
      sb_.ReportError(stream, "SRAM write mask 0b" + mask_text + " is not contiguous (instr " +
                                  std::to_string(ev.instr) + ", addr " + std::to_string(addr) + ")");
    }
    ev.addr = addr + first;
    for (unsigned i = first; i <= last; ++i) ev.bytes.push_back(Byte(data, i));
    sb_.OnSramWrite(ev);
  }
}

}  // namespace nna::tb
