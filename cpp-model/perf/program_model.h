// The whole-program performance model: a bundle's cycles from the host's start to the done
// interrupt, as nna_cmd_seq, nna_net_seq, nna_dma, nna_sram and the testbench's DRAM schedule them
// (docs/performance.md "Whole networks: the program-level model"). Stepped cycle by cycle:
//  - the program load, one DMA_READ of the program's words;
//  - the program fetch (one word per request on the weight port, first there; the first word
//    gives the instruction's length; a complete instruction is pushed into its queue in the next
//    cycle, or waits there while that queue is full);
//  - the DMA queue and the compute queue (queues.dma_depth, queues.compute_depth), each head
//    starting when its engine is free and its wait_set / wait_clear flags allow, done_set /
//    done_clear applied at its completion (DMA first);
//  - the DMA engine: INCR bursts of up to axi.max_burst beats that cross neither 4 KB nor a row
//    end, at most 4 in flight; the DRAM's first beat `latency` cycles after the burst's address,
//    then one beat per cycle; each DMA-in beat one SRAM write, each DMA-out beat one SRAM read on
//    the weight port (last there), its write response `latency` cycles after the burst's last
//    beat;
//  - each compute instruction stepped by ComputeRun (perf_model.h) with those SRAM requests beside
//    it: DMA-in yields to the read ports' banks until DmaInPatience refusals or while dma_hurry
//    (a decoded DMA instruction waits for room in the full DMA queue, the compute queue has room).
// Not modelled: DRAM bandwidth limits (--dram-bandwidth; the nightly runs without one), errors,
// aborts, the watchdog, and queued programs.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "bundle/bundle.h"
#include "nna/configs.h"
#include "perf/perf_model.h"

namespace nna::perf {

// The testbench's DRAM (tb/axi_dram_core.h) as the nightly runs it.
struct DramTiming {
  uint64_t latency = 20;  // cycles from a burst's address to its first beat (nna_sim --dram-latency)
};

struct InstrSpan {
  uint64_t start = 0;  // cycle its queue started it
  uint64_t end = 0;    // cycle of its done
};

struct ProgramPrediction {
  uint64_t cycles = 0;                  // start to done interrupt (the verdict's cycles)
  uint64_t load_cycles = 0;             // of them the program load
  uint64_t compute_cycles = 0;          // the compute instructions in the program, beside DMA and fetch
  CycleBreakdown causes;                // compute_cycles by cause
  std::map<uint32_t, InstrSpan> spans;  // every instruction, by index
  std::string note;                     // why the prediction is incomplete, when it is
};

// The whole program of a bundle. A program that would wait forever (a flag nobody sets) ends the
// prediction at that point with a note.
ProgramPrediction PredictWholeProgram(const HwConfig& cfg, const Bundle& bundle, const DramTiming& dram = {});

}  // namespace nna::perf
