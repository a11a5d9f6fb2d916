#include "compiler/network/lower.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>

#include "golden/check.h"
#include "isa/program.h"
#include "perf/perf_model.h"

using namespace nna;
using namespace nna::compiler;
using namespace nna::compiler::network;

namespace {

const std::filesystem::path kVectors = NNA_VECTORS_DIR;

// The flag discipline that makes the golden model's race check cover every timing
// (docs/memory.md, "Races"): per flag, its setters are all of one queue and its clearers of the
// other, sets and clears alternate from a set, each clearer waits for the flag set and each setter
// after the first waits for it clear. Empty, or the first violation.
std::string FlagDiscipline(const Bundle& b) {
  const isa::DecodedProgram prog = isa::DecodeProgram(b.ProgramBytes());
  for (uint32_t f = 0; f < isa::kNumFlags; ++f) {
    const uint64_t bit = uint64_t(1) << f;
    int setter_dma = -1;
    bool set = false, used = false;
    for (const isa::Instruction& in : prog.instrs) {
      const std::string at = "flag " + std::to_string(f) + ", instruction " + std::to_string(in.index) + ": ";
      if (in.DoneClear() & bit) {
        if (!set) return at + "clears a flag not set";
        if (!(in.WaitSet() & bit)) return at + "clears without waiting for the set";
        if (int(in.IsDma()) == setter_dma) return at + "clears in the setter's queue";
        set = false;
      }
      if (in.DoneSet() & bit) {
        if (set) return at + "sets a flag already set";
        if (used && !(in.WaitClear() & bit)) return at + "sets again without waiting for the clear";
        if (setter_dma >= 0 && int(in.IsDma()) != setter_dma) return at + "sets from the other queue";
        setter_dma = int(in.IsDma()), set = used = true;
      }
    }
  }
  return "";
}

// The ring of weight slots (docs/networks.md, "Weight slots"): compute instruction k reads slot
// k % slots, which stream k filled (set its flag, the compute waits for it and clears it); stream k
// waits for the clear from k >= slots on and comes right after compute k - slots in the program, so
// the DMA queue runs `slots` compute instructions ahead. Empty, or the first violation.
std::string RingOrder(const Bundle& b, uint32_t slots) {
  const isa::DecodedProgram prog = isa::DecodeProgram(b.ProgramBytes());
  const uint64_t ring = (uint64_t(1) << slots) - 1;
  std::vector<const isa::Instruction*> streams, computes;
  std::vector<size_t> computes_before;  // per stream: compute instructions earlier in the program
  for (const isa::Instruction& in : prog.instrs) {
    if (!in.IsDma()) computes.push_back(&in);
    if (in.IsDma() && (in.DoneSet() & ring))
      streams.push_back(&in), computes_before.push_back(computes.size());
  }
  if (streams.size() != computes.size())
    return std::to_string(streams.size()) + " weight streams for " + std::to_string(computes.size()) +
           " compute instructions";
  for (size_t k = 0; k < streams.size(); ++k) {
    const isa::Instruction& d = *streams[k];
    const isa::Instruction& c = *computes[k];
    const uint64_t slot = uint64_t(1) << (k % slots);
    const std::string at = "job " + std::to_string(k) + ": ";
    if (d.DoneSet() != slot) return at + "its stream sets another slot's flag";
    if ((d.WaitClear() & ring) != (k >= slots ? slot : 0)) return at + "its stream waits for the wrong clear";
    if ((c.WaitSet() & ring) != slot || (c.DoneClear() & ring) != slot) return at + "reads another slot";
    if (c.compute.param_addr != d.dma.sram_addr)
      return at + "reads parameters where its stream did not write";
    const size_t ahead = k >= slots ? k - slots + 1 : 0;  // its stream follows compute k - slots
    if (computes_before[k] != ahead)
      return at + "its stream follows " + std::to_string(computes_before[k]) + " compute instructions, not " +
             std::to_string(ahead);
  }
  return "";
}

// Lowers and checks on the golden model; returns the lowering for more checks. `report`: a line with
// the times and sizes (the big networks, whose numbers docs/networks.md records).
LoweredNetwork LowerAndCheck(const std::string& name, const HwConfig& cfg, const LowerOptions& options = {},
                             bool report = false) {
  const auto t0 = std::chrono::steady_clock::now();
  LoweredNetwork l = CompileNetwork(name, kVectors, cfg, options);
  const auto t1 = std::chrono::steady_clock::now();
  INFO(FormatLowering(l));
  CHECK(FlagDiscipline(l.bundle) == "");
  CHECK(RingOrder(l.bundle, l.slots) == "");
  CHECK(CheckOnGoldenModel(l.bundle, cfg) == "");
  const auto t2 = std::chrono::steady_clock::now();
  uint64_t cycles = 0;  // the performance model's, as nnac's table sums them
  if (report)
    for (const auto& [index, p] : perf::PredictProgram(cfg, l.bundle)) cycles += p.cycles.Total();
  if (report)
    WARN(name << " on " << cfg.name << ": quantize + lower " << std::chrono::duration<double>(t1 - t0).count()
              << " s, golden model " << std::chrono::duration<double>(t2 - t1).count() << " s, " << l.computes
              << " compute instructions, " << l.bundle.prog_words << " words, SRAM peak " << l.sram_peak
              << ", predicted " << cycles << " cycles");
  return l;
}

// Replaces instruction `index` of the bundle's program after editing it (same size).
Bundle Patched(const Bundle& b, uint32_t index, const std::function<void(isa::Instruction&)>& edit) {
  isa::Instruction in = isa::DecodeProgram(b.ProgramBytes()).instrs.at(index);
  edit(in);
  Bundle out = b;
  const auto w = isa::EncodeInstruction(in);
  std::copy(w.begin(), w.end(), out.dram.begin() + long(b.prog_dram_addr + in.word * isa::kWordBytes));
  return out;
}

// A network "t" (seed 1) of an input and layer lines in the format's flow style.
Network Text(const std::string& input, const std::string& layers, const std::string& outputs) {
  return ParseNetworkText("name: t\ndoc: \"a test\"\nseed: 1\ninput: " + input + "\nlayers:\n" + layers +
                              "outputs: " + outputs + "\n",
                          "networks/t.yaml");
}

std::string LowerError(const std::string& name, const HwConfig& cfg, const LowerOptions& options) {
  try {
    CompileNetwork(name, kVectors, cfg, options);
  } catch (const CompileError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("tiny_net lowers on tiny to one program the golden model runs to the reference",
          "[network][lower]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  const LoweredNetwork l = LowerAndCheck("tiny_net", cfg);
  const auto& layers = l.bundle.instrs;
  CHECK(l.bundle.regions.size() == 5);  // program, input, weights, heat, fc
  CHECK(l.bundle.reference.count("heat") == 1);
  CHECK(l.bundle.reference.count("fc") == 1);
  // Nothing fuses on tiny: pool1 (32-wide rows) runs in 4 column strips, down (16-wide) in 2.
  const auto& rows = l.layers;
  auto row = [&](const std::string& n) {
    for (const LoweredLayer& r : rows)
      if (r.name == n) return r;
    FAIL("no layer " << n);
    return LoweredLayer{};
  };
  CHECK(row("pool1").strips == 4);
  CHECK(row("down").strips == 2);
  CHECK(row("cat").instrs == 0);
  // concat: res and side are slices of cat's buffer
  CHECK(row("res").out_sram == row("cat").out_sram);
  CHECK(row("side").out_sram > row("cat").out_sram);
  CHECK(l.computes == 14);
  CHECK(layers.size() > l.computes);
}

TEST_CASE("a residual add is one ELTWISE with FUSED_RELU alone, a global pool one 1 x H*W CONV of the planes",
          "[network][lower]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  const LoweredNetwork l = LowerAndCheck("tiny_net", cfg);  // and the golden model gives the reference
  const isa::DecodedProgram prog = isa::DecodeProgram(l.bundle.ProgramBytes());
  auto row = [&](const std::string& n) {
    for (const LoweredLayer& r : l.layers)
      if (r.name == n) return r;
    FAIL("no layer " << n);
    return LoweredLayer{};
  };
  const LoweredLayer res = row("res");
  REQUIRE(res.computes.size() == 1);
  const isa::Instruction& add = prog.instrs.at(res.computes[0]);
  CHECK(add.opcode == isa::Opcode::kEltwise);
  CHECK(add.simd.size() == 1);
  CHECK(add.simd[0].op == isa::SimdOp::kFusedRelu);
  // gap: 24 planes of 8x8 read as one channel of 24 rows of 64 bytes, the plane stride apart.
  const LoweredLayer gap = row("gap");
  REQUIRE(gap.computes.size() == 1);
  const isa::ComputeInstr& c = prog.instrs.at(gap.computes[0]).compute;
  CHECK(c.opcode == isa::Opcode::kConv);
  CHECK(c.in_c == 1);
  CHECK(c.in_h == 24);
  CHECK(c.in_w == 64);
  CHECK(c.kernel_h == 1);
  CHECK(c.kernel_w == 64);
  CHECK(c.in_row_stride >= 64);
  CHECK(c.out_c == 1);
  CHECK(c.out_h == 24);
  CHECK(c.out_w == 1);
  CHECK(c.groups == 1);
  CHECK(gap.stream_bytes == 64 + 64 * cfg.array_rows);  // one parameter record, one tile of ones
  // The fc reads gap's 24 bytes densely (its output plane stride is 1).
  CHECK(c.out_plane_stride <= 24);
}

TEST_CASE("the library's small networks lower on fsd and match the reference bit for bit",
          "[network][lower]") {
  const HwConfig& cfg = FindHwConfig("fsd");
  for (const char* name : {"tiny_net", "multitask_net", "mobilenet_v2", "centernet_small"}) {
    INFO(name);
    LowerAndCheck(name, cfg);
  }
}

// ResNet-50 and Inception-v4 take tens of seconds to quantize (docs/networks.md): CTest label
// network_big, `network_model_tests "[big]"`.
TEST_CASE("resnet50 and inception_v4 lower on fsd and match the reference bit for bit", "[.][big]") {
  const HwConfig& cfg = FindHwConfig("fsd");
  for (const char* name : {"resnet50", "inception_v4"}) {
    INFO(name);
    LowerAndCheck(name, cfg, {}, true);
  }
}

TEST_CASE("a small SRAM budget splits layers by output channels and still matches", "[network][lower]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  LowerOptions two;  // the budgets below are planned around two slots of the whole layers
  two.max_weight_slots = 2;
  const LoweredNetwork whole = CompileNetwork("tiny_net", kVectors, cfg, two);
  LowerOptions small;
  small.sram_budget = whole.sram_peak - whole.slot_bytes / 2;  // the slots must shrink by a quarter
  const LoweredNetwork l = LowerAndCheck("tiny_net", cfg, small);
  CHECK(l.sram_peak <= small.sram_budget);
  CHECK(l.slot_bytes < whole.slot_bytes);
  uint32_t split = 0;
  for (const LoweredLayer& r : l.layers) split += r.chunks > 1;
  CHECK(split >= 1);
  CHECK(l.computes > whole.computes);
}

TEST_CASE("a tensor not read across the busiest layer waits in DRAM when the SRAM is short",
          "[network][lower]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  const LoweredNetwork whole = LowerAndCheck("skip_net", cfg);
  CHECK(whole.spills == 0);
  LowerOptions small;
  small.sram_budget = 26000;  // the activations alone take 22,576 bytes, two slots of one chunk 4,736
  const LoweredNetwork l = LowerAndCheck("skip_net", cfg, small);
  CHECK(l.spills == 1);  // stem, from after itself until res
  CHECK(l.act_peak < whole.act_peak);
  CHECK(l.sram_peak <= small.sram_budget);
  small.sram_budget = 24000;
  CHECK_THAT(LowerError("skip_net", cfg, small),
             Catch::Contains("after 1 spilled to DRAM) leave less than two weight slots of 2432 bytes"));
}

TEST_CASE("what cannot be mapped is one sentence naming the layer and the sizes", "[network][lower]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  LowerOptions tiny_budget;
  tiny_budget.sram_budget = 4096;
  CHECK_THAT(LowerError("tiny_net", cfg, tiny_budget),
             Catch::StartsWith("networks/tiny_net.yaml: the program (") &&
                 Catch::Contains("after 0 spilled to DRAM) leave less than two weight slots of") &&
                 Catch::Contains("in the 4096 bytes of SRAM of 'tiny'"));
  LowerOptions two;  // the budget below is planned around two slots of the whole layers
  two.max_weight_slots = 2;
  const LoweredNetwork whole = CompileNetwork("tiny_net", kVectors, cfg, two);
  LowerOptions one_tile;  // the slots left are smaller than one chunk of the largest tiles; nothing to spill
  one_tile.sram_budget = whole.sram_peak - 2 * whole.slot_bytes + 2 * 600;
  CHECK_THAT(LowerError("tiny_net", cfg, one_tile),
             Catch::Contains("at layer 'pool1', after 0 spilled to DRAM) leave less than two weight slots of "
                             "1280 bytes (the largest smallest chunk) in the 32992 bytes of SRAM of 'tiny'"));
}

TEST_CASE("a tensor in two concats is one sentence naming both", "[network][lower]") {
  const Network net = Text("{channels: 2, height: 4, width: 4, signed: true}",
                           "  - {name: a, op: conv, out: 2, kernel: 1, act: relu}\n"
                           "  - {name: b, op: conv, input: input, out: 2, kernel: 1, act: relu}\n"
                           "  - {name: c1, op: concat, inputs: [a, b]}\n"
                           "  - {name: c2, op: concat, inputs: [b, a]}\n",
                           "[c1, c2]");
  const QuantNetwork q = Quantize(net);
  CHECK_THROWS_WITH(
      LowerNetwork(q, FindHwConfig("tiny")),
      "networks/t.yaml, layer 'c1' concatenates 'a', which concat 'c2' reads too: a tensor is a "
      "slice of one concat's buffer only");
}

TEST_CASE("more output channels than SIMD parameter entries split into chunks that fit them",
          "[network][lower]") {
  const Network net = Text("{channels: 4, height: 6, width: 6, signed: true}",  // tiny: 256 parameter entries
                           "  - {name: wide, op: conv, out: 300, kernel: 3, padding: 1, act: relu}\n"
                           "  - {name: fc, op: inner_product, out: 300, act: none}\n",
                           "[wide, fc]");
  const HwConfig& cfg = FindHwConfig("tiny");
  const LoweredNetwork l = LowerNetwork(Quantize(net), cfg);
  INFO(FormatLowering(l));
  CHECK(l.layers[0].chunks == 2);  // 256 + 44 channels
  CHECK(l.layers[1].chunks >= 2);  // its 3.2 MB of weights also split by the slots of tiny's 1 MB
  CHECK(FlagDiscipline(l.bundle) == "");
  CHECK(CheckOnGoldenModel(l.bundle, cfg) == "");
}

TEST_CASE("a wrong lowering is caught: a missing slot flag races, swapped weights differ",
          "[network][lower]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  const LoweredNetwork l = CompileNetwork("tiny_net", kVectors, cfg);
  const isa::DecodedProgram prog = isa::DecodeProgram(l.bundle.ProgramBytes());
  // The first refill of slot 0 waits until the first compute instruction cleared it.
  uint32_t refill = 0, streams = 0;
  for (const isa::Instruction& in : prog.instrs)
    if (in.opcode == isa::Opcode::kDmaRead && in.dma.done_set == 1 && ++streams == 2) refill = in.index;
  REQUIRE(refill > 0);
  const Bundle no_wait = Patched(l.bundle, refill, [](isa::Instruction& in) { in.dma.wait_clear = 0; });
  CHECK_THAT(CheckOnGoldenModel(no_wait, cfg),
             Catch::Contains("instruction " + std::to_string(refill) + " (dma_read) writes rows") &&
                 Catch::Contains("no dependency flag orders them"));
  CHECK(FlagDiscipline(no_wait) != "");
  // conv1's weights in DRAM reversed (the first stream, after its parameters): the outputs differ.
  const isa::Instruction* first_stream = nullptr;
  const isa::Instruction* conv1 = nullptr;
  for (const isa::Instruction& in : prog.instrs) {
    if (!first_stream && in.opcode == isa::Opcode::kDmaRead && in.dma.done_set == 1) first_stream = &in;
    if (!conv1 && in.opcode == isa::Opcode::kConv) conv1 = &in;
  }
  REQUIRE(first_stream);
  REQUIRE(conv1);
  Bundle swapped = l.bundle;
  const auto wt = swapped.dram.begin() +
                  long(first_stream->dma.dram_addr + conv1->compute.wt_addr - conv1->compute.param_addr);
  std::reverse(wt, wt + long(conv1->compute.ch_tiles * conv1->compute.wt_tile_bytes));
  CHECK_THAT(CheckOnGoldenModel(swapped, cfg), Catch::Contains("differs from the reference"));
}

TEST_CASE("the weight streams run ahead in a ring of as many slots as the SRAM holds", "[network][lower]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  LowerOptions two, three;
  two.max_weight_slots = 2;
  three.max_weight_slots = 3;
  const LoweredNetwork pair = LowerAndCheck("tiny_net", cfg, two);
  const LoweredNetwork ring = LowerAndCheck("tiny_net", cfg, three);
  const LoweredNetwork most = LowerAndCheck("tiny_net", cfg);
  CHECK(pair.slots == 2);
  CHECK(ring.slots == 3);
  CHECK(most.slots > 3);
  REQUIRE(ring.computes > 2 * ring.slots);  // each slot is refilled: the reuse distance is checked
  CHECK(ring.sram_peak == pair.sram_peak + pair.slot_bytes);  // one more slot, the same activations
  // The check sees a ring of the wrong size, and a refill that does not wait for its slot's
  // reader, which the golden model reports as a race.
  CHECK(RingOrder(ring.bundle, 2) != "");
  const isa::DecodedProgram prog = isa::DecodeProgram(ring.bundle.ProgramBytes());
  uint32_t refill = 0;
  for (const isa::Instruction& in : prog.instrs)
    if (!refill && in.IsDma() && in.dma.done_set == 1 && in.dma.wait_clear == 1) refill = in.index;
  REQUIRE(refill > 0);
  const Bundle wrong = Patched(ring.bundle, refill, [](isa::Instruction& in) { in.dma.wait_clear = 0; });
  CHECK_THAT(RingOrder(wrong, 3), Catch::Contains("job 3: its stream waits for the wrong clear"));
  CHECK_THAT(CheckOnGoldenModel(wrong, cfg),
             Catch::Contains("instruction " + std::to_string(refill) + " (dma_read) writes rows") &&
                 Catch::Contains("no dependency flag orders them"));
  LowerOptions bad;
  bad.max_weight_slots = 9;
  CHECK_THAT(LowerError("tiny_net", cfg, bad),
             Catch::Contains("the lowering's limit of 9 weight slots is outside 2 to 8"));
}

TEST_CASE("the ring leaves the dependency flags the buffers need", "[network][lower]") {
  // Eight pools of the input, each in strips stitched through DRAM and a graph output nobody reads:
  // each stitched read keeps a flag to the end, so eight slots would leave too few.
  std::string layers, outputs;
  for (int p = 0; p < 8; ++p) {
    layers += "  - {name: p" + std::to_string(p) + ", op: max_pool, input: input, size: 2, stride: 2}\n";
    outputs += std::string(p ? ", " : "") + "p" + std::to_string(p);
  }
  const Network net = Text("{channels: 2, height: 4, width: 20, signed: true}", layers, "[" + outputs + "]");
  const HwConfig& cfg = FindHwConfig("tiny");
  const LoweredNetwork l = LowerNetwork(Quantize(net), cfg);
  INFO(FormatLowering(l));
  const isa::DecodedProgram prog = isa::DecodeProgram(l.bundle.ProgramBytes());
  uint64_t used = 0;
  for (const isa::Instruction& in : prog.instrs)
    used |= in.WaitSet() | in.WaitClear() | in.DoneSet() | in.DoneClear();
  CHECK(l.slots < 8);
  CHECK(l.computes > 8);
  CHECK(used >> 15 == 1);  // the highest flag is taken: one slot more would not have fit
  CHECK(RingOrder(l.bundle, l.slots) == "");
  CHECK(FlagDiscipline(l.bundle) == "");
  CHECK(CheckOnGoldenModel(l.bundle, cfg) == "");
}

TEST_CASE("an add read only by stride-2 1x1 convs computes only the pixels they read", "[network][lower]") {
  const HwConfig& cfg = FindHwConfig("tiny");
  // ResNet's stage transition: a residual add read by a 1x1 stride-2 projection and a 1x1 stride-2
  // branch; `keep` is an add also read by a 3x3 conv, which stays whole.
  const Network net =
      Text("{channels: 8, height: 11, width: 9, signed: true}",
           "  - {name: a, op: conv, out: 8, kernel: 3, padding: 1, act: relu}\n"
           "  - {name: b, op: conv, out: 8, kernel: 3, padding: 1, act: none}\n"
           "  - {name: res, op: add, inputs: [a, b], act: relu}\n"
           "  - {name: proj, op: conv, input: res, out: 12, kernel: 1, stride: 2, act: none}\n"
           "  - {name: branch, op: conv, input: res, out: 6, kernel: 1, stride: 2, act: relu}\n"
           "  - {name: keep, op: add, inputs: [a, b], act: none}\n"
           "  - {name: k3, op: conv, input: keep, out: 4, kernel: 3, stride: 2, act: none}\n",
           "[proj, branch, k3]");
  const QuantNetwork q = Quantize(net);
  std::vector<std::string> names;
  const QuantNetwork sub = SubsampleAdds(q, &names);
  CHECK(names == std::vector<std::string>{"res"});
  CHECK(sub.net.layers[2].out.h == 6);
  CHECK(sub.net.layers[2].out.w == 5);
  CHECK(sub.layers[3].spec->stride_h == 1);
  CHECK(sub.layers[3].spec->in_h == 6);
  CHECK(sub.net.layers[5].out.h == 11);  // keep: its reader is not a 1x1 conv
  LowerOptions whole;
  whole.subsample_adds = false;
  for (const LowerOptions& o : {LowerOptions{}, whole}) {
    const LoweredNetwork l = LowerNetwork(q, cfg, o);
    INFO(FormatLowering(l));
    CHECK(CheckOnGoldenModel(l.bundle, cfg) == "");  // the same outputs, bit for bit
    const isa::DecodedProgram prog = isa::DecodeProgram(l.bundle.ProgramBytes());
    const isa::ComputeInstr& add = prog.instrs.at(l.layers[2].computes.at(0)).compute;
    const isa::ComputeInstr& proj = prog.instrs.at(l.layers[3].computes.at(0)).compute;
    CHECK(add.stride_h == (o.subsample_adds ? 2u : 1u));
    CHECK(add.out_h == (o.subsample_adds ? 6u : 11u));
    CHECK(add.out_w == (o.subsample_adds ? 5u : 9u));
    CHECK(proj.stride_h == (o.subsample_adds ? 1u : 2u));
    CHECK(proj.in_h == (o.subsample_adds ? 6u : 11u));
  }
}
