#include "isa/program.h"

#include <cstdio>
#include <cstring>

namespace nna::isa {
namespace {

bool IsHexField(const std::string& name) {
  auto ends_with = [&](const char* s) {
    const size_t n = std::strlen(s);
    return name.size() >= n && name.compare(name.size() - n, n, s) == 0;
  };
  return ends_with("_addr") || name.rfind("wait_", 0) == 0 || name.rfind("done_", 0) == 0 || name == "imm";
}

// name=value of one field; enum fields by name.
std::string FieldText(const char* name, uint64_t v) {
  const std::string n = name;
  std::string value;
  if (n == "order" && IsOrder(v)) {
    value = ToString(Order(v));
  } else if (n == "pool_op" && IsPoolOp(v)) {
    value = ToString(PoolOp(v));
  } else if (n == "eltwise_op" && IsEltwiseOp(v)) {
    value = ToString(EltwiseOp(v));
  } else if (n == "dtype" && IsDtype(v)) {
    value = ToString(Dtype(v));
  } else if (IsHexField(n)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    value = buf;
  } else {
    value = std::to_string(v);
  }
  return n + "=" + value;
}

template <typename T, size_t K>
std::string FieldsText(const T& in, const FieldInfo (&fields)[K], unsigned first) {
  std::string s;
  for (unsigned i = first; i < K; ++i) {
    const uint64_t v = FieldValue(in, i);
    if (v == 0) continue;
    s += " " + FieldText(fields[i].name, v);
  }
  return s;
}

std::string OpcodeName(uint64_t raw) {
  return IsOpcode(raw) ? ToString(Opcode(raw)) : "opcode_" + std::to_string(raw);
}

}  // namespace

std::optional<DecodeError> DecodeInstruction(const uint8_t* bytes, size_t avail, uint32_t index,
                                             Instruction* out) {
  const std::string where = "instruction " + std::to_string(index);
  if (avail < kWordBytes)
    return DecodeError{ErrorCode::kIllegalField, index, where + " starts past the end of the program"};
  const uint64_t raw = bytes[0];
  if (!IsOpcode(raw))
    return DecodeError{ErrorCode::kIllegalOpcode, index,
                       where + " has illegal opcode " + std::to_string(raw)};
  *out = Instruction{};
  out->index = index;
  out->opcode = Opcode(raw);
  if (out->IsDma()) {
    out->dma = DecodeDmaInstr(bytes);
    out->words = out->dma.planes_word ? 2 : 1;
    if (avail < out->words * kWordBytes)
      return DecodeError{
          ErrorCode::kIllegalField, index,
          where + " (" + OpcodeName(raw) + ") with planes_word 1 is cut off by the end of the program"};
    if (out->dma.planes_word) out->planes = DecodeDmaPlanesInstr(bytes + kWordBytes);
    return std::nullopt;
  }
  if (avail < ComputeInstr::kBytes)
    return DecodeError{ErrorCode::kIllegalField, index,
                       where + " (" + OpcodeName(raw) + ") is cut off by the end of the program"};
  out->compute = DecodeComputeInstr(bytes);
  const uint64_t len = out->compute.simd_len;
  if (len < 1 || len > kMaxSimdInstrs)
    return DecodeError{ErrorCode::kIllegalField, index,
                       where + " (" + OpcodeName(raw) + ") has simd_len " + std::to_string(len) +
                           " (must be 1.." + std::to_string(kMaxSimdInstrs) + ")"};
  out->words = ComputeWords(len);
  if (avail < out->words * kWordBytes)
    return DecodeError{ErrorCode::kIllegalField, index,
                       where + " (" + OpcodeName(raw) + ") with simd_len " + std::to_string(len) +
                           " is cut off by the end of the program"};
  out->simd.reserve(len);
  for (uint64_t i = 0; i < len; ++i)
    out->simd.push_back(DecodeSimdInstr(bytes + ComputeInstr::kBytes + i * SimdInstr::kBytes));
  return std::nullopt;
}

DecodedProgram DecodeProgram(const std::vector<uint8_t>& bytes) {
  DecodedProgram prog;
  size_t pos = 0;
  uint32_t index = 0;
  while (pos < bytes.size()) {
    Instruction in;
    if (auto err = DecodeInstruction(bytes.data() + pos, bytes.size() - pos, index, &in)) {
      prog.error = std::move(err);
      break;
    }
    in.word = pos / kWordBytes;
    pos += size_t(in.words) * kWordBytes;
    prog.instrs.push_back(std::move(in));
    ++index;
  }
  return prog;
}

std::vector<uint8_t> EncodeInstruction(const Instruction& in) {
  if (in.IsDma()) {
    DmaInstr d = in.dma;
    d.opcode = in.opcode;
    const auto w = Encode(d);
    std::vector<uint8_t> out(w.begin(), w.end());
    if (d.planes_word) {
      const auto p = Encode(in.planes);
      out.insert(out.end(), p.begin(), p.end());
    }
    return out;
  }
  ComputeInstr c = in.compute;
  c.opcode = in.opcode;
  c.simd_len = in.simd.size();
  const auto w = Encode(c);
  std::vector<uint8_t> out(size_t(ComputeWords(c.simd_len)) * kWordBytes, 0);
  std::copy(w.begin(), w.end(), out.begin());
  for (size_t i = 0; i < in.simd.size(); ++i) {
    const auto s = Encode(in.simd[i]);
    std::copy(s.begin(), s.end(), out.begin() + ComputeInstr::kBytes + i * SimdInstr::kBytes);
  }
  return out;
}

std::string Disassemble(const DmaInstr& in) {
  return OpcodeName(uint64_t(in.opcode)) + FieldsText(in, kDmaInstrFields, 1);
}

std::string Disassemble(const DmaPlanesInstr& in) {
  const std::string s = FieldsText(in, kDmaPlanesInstrFields, 0);
  return s.empty() ? s : s.substr(1);
}

std::string Disassemble(const SimdInstr& in) {
  const uint64_t op = uint64_t(in.op);
  return (IsSimdOp(op) ? std::string(ToString(in.op)) : "simd_op_" + std::to_string(op)) +
         FieldsText(in, kSimdInstrFields, 1);
}

std::string Disassemble(const ComputeInstr& in, const std::vector<SimdInstr>& simd) {
  std::string s = OpcodeName(uint64_t(in.opcode)) + FieldsText(in, kComputeInstrFields, 1);
  for (const auto& si : simd) s += "; " + Disassemble(si);
  return s;
}

std::string Disassemble(const Instruction& in) {
  if (in.IsDma()) return Disassemble(in.dma) + (in.dma.planes_word ? "; " + Disassemble(in.planes) : "");
  return Disassemble(in.compute, in.simd);
}

Instruction MakeDma(Opcode op, uint64_t sram_addr, uint64_t dram_addr, uint64_t row_bytes, uint64_t rows,
                    uint64_t sram_stride, uint64_t dram_stride) {
  Instruction in;
  in.opcode = op;
  in.dma.opcode = op;
  in.dma.sram_addr = sram_addr;
  in.dma.dram_addr = dram_addr;
  in.dma.row_bytes = row_bytes;
  in.dma.rows = rows;
  in.dma.sram_stride = sram_stride;
  in.dma.dram_stride = dram_stride;
  in.words = 1;
  return in;
}

Instruction MakeDma3d(Opcode op, uint64_t sram_addr, uint64_t dram_addr, uint64_t row_bytes, uint64_t rows,
                      uint64_t sram_stride, uint64_t dram_stride, uint64_t planes, uint64_t sram_plane_stride,
                      uint64_t dram_plane_stride) {
  Instruction in = MakeDma(op, sram_addr, dram_addr, row_bytes, rows, sram_stride, dram_stride);
  in.dma.planes_word = 1;
  in.planes.planes = planes;
  in.planes.sram_plane_stride = sram_plane_stride;
  in.planes.dram_plane_stride = dram_plane_stride;
  in.words = 2;
  return in;
}

uint64_t Macs(const ComputeInstr& in) {
  switch (in.opcode) {
    case Opcode::kConv:
    case Opcode::kInnerProduct:
    case Opcode::kScale:  // one per element and term: the array moves, not multiplies
    case Opcode::kEltwise:
      return in.out_h * in.out_w * in.out_c * in.dot_len;
    case Opcode::kDeconv:
      return in.in_h * in.in_w * in.in_c * (in.group_out_c ? in.group_out_c : in.out_c) * in.kernel_h *
             in.kernel_w;
    default:
      return 0;
  }
}

}  // namespace nna::isa
