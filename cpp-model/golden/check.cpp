#include "golden/check.h"

#include "golden/golden_model.h"

namespace nna {

std::string CheckOnGoldenModel(const Bundle& bundle, const HwConfig& cfg) {
  struct Discard : EventSink {
    void OnAccUnload(const AccUnloadEvent&) override {}
    void OnSramWrite(const SramWriteEvent&) override {}
  } sink;
  const RunResult r = GoldenModel(cfg).Run(bundle, sink);
  if (!r.ok) return bundle.test + ": the golden model stops: " + r.message;
  if (!r.race.empty()) return bundle.test + ": " + r.race;
  for (const Region& region : bundle.regions) {
    if (region.kind != "output") continue;
    const std::vector<uint8_t>& want = bundle.reference.at(region.name);
    for (uint64_t i = 0; i < region.bytes; ++i) {
      const uint8_t got = r.dram[region.dram_addr + i];
      if (got != want[i])
        return bundle.test + ": output '" + region.name + "' differs from the reference at byte " +
               std::to_string(i) + " of " + std::to_string(region.bytes) + " (golden model " +
               std::to_string(got) + ", reference " + std::to_string(want[i]) + ")";
    }
  }
  return "";
}

}  // namespace nna
