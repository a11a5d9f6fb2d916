#include "events/events.h"

#include <cstdio>

namespace nna {

std::string AccUnloadEvent::Tag() const {
  return "instr " + std::to_string(instr) + " pix_tile " + std::to_string(pix_tile) + " ch_tile " +
         std::to_string(ch_tile) + " row " + std::to_string(row);
}

std::string SramWriteEvent::Tag() const {
  char addr_hex[16];
  std::snprintf(addr_hex, sizeof addr_hex, "0x%x", addr);
  return std::string(isa::ToString(source)) + " instr " +
         (instr == kProgramLoadInstr ? std::string("program-load") : std::to_string(instr)) + " addr " +
         addr_hex + " (" + std::to_string(bytes.size()) + " bytes)";
}

}  // namespace nna
