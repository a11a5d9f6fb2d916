// nnagen: turns the single-source specification (spec/isa.yaml, spec/csr.yaml,
// spec/configs/*.yaml) into the SystemVerilog packages, the C++ headers and the generated docs.
// Every encoding, register and configuration value the RTL and the C++ code use comes from here.
//
//   nnagen --spec spec --sv OUT/sv --cpp OUT/cpp/nna --docs OUT/docs
//
// Bad input ends in one sentence naming the file, the entry and the value, and exit status 1.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/yaml_text.h"

namespace fs = std::filesystem;

namespace {

struct SpecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string UpperCamel(const std::string& snake) {
  std::string out;
  bool up = true;
  for (char c : snake) {
    if (c == '_') {
      up = true;
    } else {
      out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      up = false;
    }
  }
  return out;
}

std::string Upper(const std::string& s) {
  std::string out = s;
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The model of the specification.

struct Constant {
  std::string name, doc;
  uint64_t value;
};
struct EnumValue {
  std::string name, doc;
  uint64_t value;
};
struct Enum {
  std::string name, sv_prefix, doc;
  unsigned bits;
  std::vector<EnumValue> values;
};
struct Field {
  std::string name, type, doc;  // type: empty or the name of an enum
  unsigned lsb, bits;
  bool is_signed = false;  // two's complement (only for fields without an enum type)
};
struct Format {
  std::string name, doc;
  unsigned bytes;
  std::vector<Field> fields;
};
struct Instruction {
  std::string name, format, doc;
};
struct Isa {
  std::vector<Constant> constants;
  std::vector<Enum> enums;
  std::vector<Format> formats;
  std::vector<Format> records;  // data the hardware reads from SRAM, laid out like formats
  std::vector<Instruction> instructions;
};
struct CsrField {
  std::string name, doc;
  unsigned lsb, bits;
};
struct CsrReg {
  std::string name, access, doc;
  std::string reset_param;  // a configuration key whose value is the reset, or empty
  unsigned offset;
  uint64_t reset;
  bool has_reset;  // `reset` is given (an ro register with a reset is a constant)
  unsigned bits;   // width: the fields' extent, else `bits`, else 32
  std::vector<CsrField> fields;
  // An ro register with a reset value reads that value and has no input.
  bool IsConstant() const { return access == "ro" && (has_reset || !reset_param.empty()); }
};
// A hardware configuration: an ordered list of (key path, value, comment) so that the C++ struct,
// the SV package and the docs list the same keys in the same order.
struct ConfigEntry {
  std::string key;  // e.g. "sram.banks"
  uint64_t value;
};
struct Config {
  std::string name, doc;
  std::vector<ConfigEntry> entries;
  uint64_t Get(const std::string& key) const {
    for (auto& e : entries)
      if (e.key == key) return e.value;
    throw SpecError("configuration '" + name + "' has no key '" + key + "'");
  }
};

// Reads a required scalar of a node, with the context needed for a clear error.
template <typename T>
T Need(const YAML::Node& node, const std::string& key, const std::string& where) {
  if (!node.IsMap() || !node[key]) throw SpecError(where + ": missing key '" + key + "'");
  try {
    return node[key].as<T>();
  } catch (const YAML::Exception&) {
    throw SpecError(where + ": key '" + key + "' has the wrong type (value '" +
                    nna::ClipText(YAML::Dump(node[key])) + "')");
  }
}
template <typename T>
T Opt(const YAML::Node& node, const std::string& key, T fallback, const std::string& where) {
  if (!node[key]) return fallback;
  return Need<T>(node, key, where);
}

YAML::Node Load(const fs::path& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    throw SpecError(path.string() + ": " + e.what());
  }
  // yaml-cpp keeps both entries of a repeated key and node[key] reads the first: reject the file.
  const std::string dup = nna::DuplicateKeyText(root);
  if (!dup.empty()) throw SpecError(path.string() + ": " + dup);
  return root;
}

Isa ReadIsa(const fs::path& path) {
  YAML::Node root = Load(path);
  const std::string file = path.string();
  Isa isa;
  for (const auto& c : root["constants"]) {
    isa.constants.push_back({Need<std::string>(c, "name", file + " constants"),
                             Opt<std::string>(c, "doc", "", file), Need<uint64_t>(c, "value", file)});
  }
  for (const auto& e : root["enums"]) {
    Enum en;
    en.name = Need<std::string>(e, "name", file + " enums");
    const std::string where = file + " enum '" + en.name + "'";
    en.bits = Need<unsigned>(e, "bits", where);
    en.sv_prefix = Need<std::string>(e, "sv_prefix", where);
    en.doc = Opt<std::string>(e, "doc", "", where);
    for (const auto& v : e["values"]) {
      EnumValue ev{Need<std::string>(v, "name", where), Opt<std::string>(v, "doc", "", where),
                   Need<uint64_t>(v, "value", where)};
      if (ev.value >> en.bits)
        throw SpecError(where + ": value " + std::to_string(ev.value) + " of '" + ev.name +
                        "' does not fit in " + std::to_string(en.bits) + " bits");
      en.values.push_back(ev);
    }
    isa.enums.push_back(en);
  }
  auto find_enum = [&](const std::string& n) -> const Enum* {
    for (auto& e : isa.enums)
      if (e.name == n) return &e;
    return nullptr;
  };
  auto read_format = [&](const YAML::Node& f, const std::string& section) {
    Format fmt;
    fmt.name = Need<std::string>(f, "name", file + " " + section);
    const std::string where = file + " " + section + " '" + fmt.name + "'";
    fmt.bytes = Need<unsigned>(f, "bytes", where);
    fmt.doc = Opt<std::string>(f, "doc", "", where);
    unsigned lsb = 0;
    for (const auto& fd : f["fields"]) {
      Field field;
      field.name = Need<std::string>(fd, "name", where);
      field.bits = Need<unsigned>(fd, "bits", where + " field '" + field.name + "'");
      field.type = Opt<std::string>(fd, "type", "", where);
      field.doc = Opt<std::string>(fd, "doc", "", where);
      field.is_signed = Opt<bool>(fd, "signed", false, where + " field '" + field.name + "'");
      if (field.bits == 0 || field.bits > 64)
        throw SpecError(where + ": field '" + field.name + "' has width " + std::to_string(field.bits) +
                        " (must be 1..64)");
      if (!field.type.empty()) {
        const Enum* en = find_enum(field.type);
        if (!en)
          throw SpecError(where + ": field '" + field.name + "' has unknown type '" + field.type + "'");
        if (en->bits != field.bits)
          throw SpecError(where + ": field '" + field.name + "' is " + std::to_string(field.bits) +
                          " bits but enum '" + field.type + "' is " + std::to_string(en->bits));
        if (field.is_signed)
          throw SpecError(where + ": field '" + field.name + "' has an enum type and cannot be signed");
      }
      field.lsb = lsb;
      lsb += field.bits;
      fmt.fields.push_back(field);
    }
    if (lsb > fmt.bytes * 8)
      throw SpecError(where + ": fields take " + std::to_string(lsb) + " bits, more than " +
                      std::to_string(fmt.bytes * 8));
    return fmt;
  };
  for (const auto& f : root["formats"]) isa.formats.push_back(read_format(f, "format"));
  for (const auto& r : root["records"]) isa.records.push_back(read_format(r, "record"));
  for (const auto& i : root["instructions"]) {
    Instruction in{Need<std::string>(i, "name", file + " instructions"),
                   Need<std::string>(i, "format", file + " instructions"),
                   Opt<std::string>(i, "doc", "", file)};
    isa.instructions.push_back(in);
  }
  return isa;
}

std::vector<CsrReg> ReadCsr(const fs::path& path) {
  YAML::Node root = Load(path);
  const std::string file = path.string();
  std::vector<CsrReg> regs;
  for (const auto& r : root["registers"]) {
    CsrReg reg;
    reg.name = Need<std::string>(r, "name", file);
    const std::string where = file + " register '" + reg.name + "'";
    reg.offset = Need<unsigned>(r, "offset", where);
    reg.access = Need<std::string>(r, "access", where);
    reg.reset = Opt<uint64_t>(r, "reset", 0, where);
    reg.reset_param = Opt<std::string>(r, "reset_param", "", where);
    reg.doc = Opt<std::string>(r, "doc", "", where);
    reg.has_reset = bool(r["reset"]);
    if (!reg.reset_param.empty() && r["reset"])
      throw SpecError(where + ": has both 'reset' and 'reset_param'");
    if (reg.access != "rw" && reg.access != "ro" && reg.access != "w1s" && reg.access != "w1c")
      throw SpecError(where + ": access '" + reg.access + "' is not one of rw, ro, w1s, w1c");
    if (reg.offset % 4)
      throw SpecError(where + ": offset " + std::to_string(reg.offset) + " is not word aligned");
    if (reg.offset > 0xFC)
      throw SpecError(where + ": offset " + std::to_string(reg.offset) +
                      " is past the 8-bit CSR address space (at most 252)");
    for (auto& o : regs)
      if (o.offset == reg.offset)
        throw SpecError(where + ": offset " + std::to_string(reg.offset) + " is taken by register '" +
                        o.name + "'");
    for (const auto& f : r["fields"]) {
      CsrField field{Need<std::string>(f, "name", where), Opt<std::string>(f, "doc", "", where),
                     Need<unsigned>(f, "lsb", where), Need<unsigned>(f, "bits", where)};
      if (field.bits == 0 || field.lsb + field.bits > 32)
        throw SpecError(where + ": field '" + field.name + "' [lsb " + std::to_string(field.lsb) + ", " +
                        std::to_string(field.bits) + " bits] does not fit in 32 bits");
      reg.fields.push_back(field);
    }
    // The width of what is stored (rw, w1c) or pulsed (w1s); an ro input is always 32 bits.
    reg.bits = 32;
    if (r["bits"]) {
      const unsigned bits = Need<unsigned>(r, "bits", where);
      if (!reg.fields.empty())
        throw SpecError(where + ": has both 'bits' (" + std::to_string(bits) +
                        ") and fields; the fields' extent is the width");
      if (reg.access == "ro")
        throw SpecError(where + ": 'bits' (" + std::to_string(bits) +
                        ") on an ro register, whose input is 32 bits");
      if (bits == 0 || bits > 32) throw SpecError(where + ": bits " + std::to_string(bits) + " is not 1..32");
      reg.bits = bits;
    } else if (!reg.fields.empty()) {
      reg.bits = 0;
      for (auto& f : reg.fields) reg.bits = std::max(reg.bits, f.lsb + f.bits);
    }
    if (reg.access != "ro" && (reg.reset >> reg.bits))
      throw SpecError(where + ": reset " + std::to_string(reg.reset) + " does not fit in " +
                      std::to_string(reg.bits) + " bits");
    if (reg.reset >> 32)
      throw SpecError(where + ": reset " + std::to_string(reg.reset) + " does not fit in 32 bits");
    if (reg.access == "w1s" && (reg.has_reset || !reg.reset_param.empty()))
      throw SpecError(where + ": a w1s register is a pulse that resets to 0 and takes no reset value");
    regs.push_back(reg);
  }
  return regs;
}

// One key of spec/config_schema.yaml.
struct ConfigKey {
  std::string key, doc;
  uint64_t min = 0, max = UINT64_MAX;
  bool pow2 = false;
};
using ConfigSchema = std::vector<ConfigKey>;

bool IsPow2(uint64_t v) { return v && !(v & (v - 1)); }

ConfigSchema ReadConfigSchema(const fs::path& path) {
  YAML::Node root = Load(path);
  const std::string file = path.string();
  if (!root["keys"] || !root["keys"].IsSequence()) throw SpecError(file + ": missing the list 'keys'");
  ConfigSchema schema;
  for (const auto& k : root["keys"]) {
    ConfigKey key;
    key.key = Need<std::string>(k, "key", file + " keys");
    const std::string where = file + " key '" + key.key + "'";
    const std::string type = Need<std::string>(k, "type", where);
    if (type != "uint") throw SpecError(where + ": type '" + type + "' is not one of: uint");
    key.doc = Need<std::string>(k, "doc", where);
    key.min = Opt<uint64_t>(k, "min", 0, where);
    key.max = Opt<uint64_t>(k, "max", UINT64_MAX, where);
    key.pow2 = Opt<bool>(k, "pow2", false, where);
    for (const auto& known : schema)
      if (known.key == key.key) throw SpecError(where + ": listed twice");
    schema.push_back(key);
  }
  return schema;
}

// The dotted key paths of every scalar under node, to find keys the schema does not have.
void ScalarKeys(const YAML::Node& node, const std::string& prefix, std::vector<std::string>* out) {
  for (const auto& kv : node) {
    const std::string key = prefix + kv.first.as<std::string>();
    if (kv.second.IsMap())
      ScalarKeys(kv.second, key + ".", out);
    else
      out->push_back(key);
  }
}

Config ReadConfig(const fs::path& path, const ConfigSchema& schema) {
  YAML::Node root = Load(path);
  const std::string file = path.string();
  Config cfg;
  cfg.name = Need<std::string>(root, "name", file);
  cfg.doc = Opt<std::string>(root, "doc", "", file);
  if (cfg.name != path.stem().string())
    throw SpecError(file + ": name '" + cfg.name + "' differs from the file name");
  std::vector<std::string> present;
  ScalarKeys(root, "", &present);
  for (const auto& key : present)
    if (key != "name" && key != "doc" &&
        std::none_of(schema.begin(), schema.end(), [&](const ConfigKey& k) { return k.key == key; }))
      throw SpecError(file + ": key '" + key + "' is not in spec/config_schema.yaml");
  for (const auto& k : schema) {
    YAML::Node node = YAML::Clone(root);
    std::string rest = k.key;
    size_t dot;
    while ((dot = rest.find('.')) != std::string::npos) {
      node = node[rest.substr(0, dot)];
      rest = rest.substr(dot + 1);
    }
    const uint64_t v = Need<uint64_t>(node, rest, file + " (key " + k.key + ")");
    if (v < k.min || v > k.max)
      throw SpecError(file + ": key '" + k.key + "' is " + std::to_string(v) + ", outside " +
                      std::to_string(k.min) + ".." + std::to_string(k.max));
    if (k.pow2 && !IsPow2(v))
      throw SpecError(file + ": key '" + k.key + "' is " + std::to_string(v) + ", not a power of two");
    cfg.entries.push_back({k.key, v});
  }
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) throw SpecError(file + ": " + what);
  };
  const uint64_t rows = cfg.Get("array.rows"), cols = cfg.Get("array.cols");
  check(cols % cfg.Get("array.slice") == 0, "array.cols must be a multiple of array.slice");
  check(cfg.Get("sram.bytes") % (cfg.Get("sram.banks") * cfg.Get("sram.bank_word_bytes")) == 0,
        "sram.bytes must be a multiple of banks * bank_word_bytes");
  check(cfg.Get("sram.wt_port_bytes") >= rows,
        "sram.wt_port_bytes must hold one weight row (array.rows bytes)");
  check(cfg.Get("sram.wr_port_bytes") >= cols,
        "sram.wr_port_bytes must hold one output row (array.cols bytes)");
  check(cfg.Get("sram.wr_port_bytes") >= cfg.Get("axi.data_bytes"),
        "sram.wr_port_bytes must hold one AXI beat");
  check(cfg.Get("sram.wt_port_bytes") >= cfg.Get("axi.data_bytes"),
        "sram.wt_port_bytes must hold one AXI beat");
  check(cfg.Get("sram.wt_port_bytes") >= 32, "sram.wt_port_bytes must hold one program word (32 bytes)");
  return cfg;
}

// ---------------------------------------------------------------------------------------------
// Emitters.

const char* kBanner = "generated by tools/nnagen from spec/; do not edit";
// Each block uses only some of a package's constants: rtl/lint_waivers.vlt waives UNUSEDPARAM in
// the generated packages.

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  // Leave unchanged files alone so that dependent targets are not rebuilt.
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream old;
    old << in.rdbuf();
    if (old.str() == text) return;
  }
  std::ofstream out(path, std::ios::binary);
  if (!out) throw SpecError("cannot write " + path.string());
  out << text;
}

std::string SvEnumValue(const Enum& e, const EnumValue& v) { return e.sv_prefix + UpperCamel(v.name); }

// A format or record as a packed struct, first field in the least significant bits.
void EmitSvStruct(std::ostream& o, const Format& f, const std::string& type_name) {
  o << "  // " << f.doc << "\n  localparam int unsigned " << UpperCamel(f.name) << "Bytes = " << f.bytes
    << ";\n";
  o << "  typedef struct packed {\n";
  unsigned used = f.fields.empty() ? 0 : f.fields.back().lsb + f.fields.back().bits;
  if (used < f.bytes * 8) o << "    logic [" << f.bytes * 8 - used - 1 << ":0] pad;  // reserved, zero\n";
  for (auto it = f.fields.rbegin(); it != f.fields.rend(); ++it) {
    // Signed fields stay plain logic (Yosys 0.23 and struct members): their users sign-extend.
    const std::string type =
        !it->type.empty() ? it->type + "_e" : "logic [" + std::to_string(it->bits - 1) + ":0]";
    o << "    " << type << " " << it->name << ";  // [" << it->lsb + it->bits - 1 << ":" << it->lsb << "] "
      << (it->is_signed ? "(signed) " : "") << it->doc << "\n";
  }
  o << "  } " << type_name << ";\n\n";
}

std::string EmitIsaSv(const Isa& isa) {
  std::ostringstream o;
  o << "// " << kBanner << "\n// The NNA instruction set: constants, enums and instruction formats.\n"
    << "package nna_isa_pkg;\n"
    << "\n";
  for (auto& c : isa.constants)
    o << "  // " << c.doc << "\n  localparam int unsigned " << UpperCamel(c.name) << " = " << c.value
      << ";\n";
  o << "\n  // An instruction index, the one type every block uses for it; InstrIdxLoad tags the program "
       "load.\n"
    << "  typedef logic [InstrIndexBits-1:0] instr_idx_t;\n"
    << "  localparam instr_idx_t InstrIdxLoad = '1;\n\n";
  for (auto& e : isa.enums) {
    o << "  // " << e.doc << "\n  typedef enum logic [" << e.bits - 1 << ":0] {\n";
    for (size_t i = 0; i < e.values.size(); ++i) {
      auto& v = e.values[i];
      o << "    " << SvEnumValue(e, v) << " = " << e.bits << "'d" << v.value
        << (i + 1 < e.values.size() ? "," : "") << "  // " << v.doc << "\n";
    }
    o << "  } " << e.name << "_e;\n\n";
  }
  for (auto& f : isa.formats) EmitSvStruct(o, f, f.name + "_instr_t");
  for (auto& r : isa.records) EmitSvStruct(o, r, r.name + "_t");
  o << "endpackage\n";
  return o.str();
}

std::string EmitCfgSv(const Config& cfg, const std::vector<CsrReg>& regs) {
  std::ostringstream o;
  o << "// " << kBanner << "\n// Hardware configuration '" << cfg.name << "': " << cfg.doc << "\n"
    << "package nna_cfg_pkg;\n"
    << "\n";
  for (auto& e : cfg.entries) {
    std::string name = e.key;
    std::replace(name.begin(), name.end(), '.', '_');
    o << "  localparam int unsigned " << UpperCamel(name) << " = " << e.value << ";\n";
  }
  const uint64_t sram = cfg.Get("sram.bytes"), banks = cfg.Get("sram.banks"),
                 word = cfg.Get("sram.bank_word_bytes");
  o << "\n  // Derived values.\n"
    << "  localparam int unsigned ArraySlices = ArrayCols / ArraySlice;\n"
    << "  localparam int unsigned SramBankDepth = " << sram / (banks * word) << ";\n"
    << "  localparam int unsigned SramAddrBits = " << 64 - __builtin_clzll(sram - 1) << ";\n"
    << "  localparam int unsigned ParamAddrBits = " << 64 - __builtin_clzll(cfg.Get("simd.param_entries") - 1)
    << ";\n";
  o << "\n  // Reset values of the CSRs with a reset_param (spec/csr.yaml).\n";
  for (auto& r : regs)
    if (!r.reset_param.empty())
      o << "  localparam logic [31:0] Csr" << UpperCamel(r.name) << "Reset = 32'd" << cfg.Get(r.reset_param)
        << ";\n";
  o << "endpackage\n";
  return o.str();
}

std::string EmitCsrSv(const std::vector<CsrReg>& regs) {
  std::ostringstream o;
  o << "// " << kBanner
    << "\n// Control and status register map of the AXI4-Lite slave.\npackage nna_csr_pkg;\n"
    << "\n";
  for (auto& r : regs) {
    o << "  // " << r.doc << " (" << r.access << ")\n";
    o << "  localparam logic [7:0] Csr" << UpperCamel(r.name) << "Offset = 8'h" << std::hex << r.offset
      << std::dec << ";\n";
    if (r.reset)
      o << "  localparam logic [31:0] Csr" << UpperCamel(r.name) << "Reset = 32'h" << std::hex << r.reset
        << std::dec << ";\n";
    // Yosys cannot read one package's constant in another: the value is in nna_cfg_pkg.
    if (!r.reset_param.empty())
      o << "  // Reset: nna_cfg_pkg::Csr" << UpperCamel(r.name) << "Reset (configuration key "
        << r.reset_param << ")\n";
    for (auto& f : r.fields)
      o << "  localparam int unsigned Csr" << UpperCamel(r.name) << UpperCamel(f.name) << "Lsb = " << f.lsb
        << ";  // " << f.doc << "\n";
  }
  o << "endpackage\n";
  return o.str();
}

// A width as an SV vector range, "[W-1:0]".
std::string Range(unsigned bits) { return "[" + std::to_string(bits - 1) + ":0]"; }

// expr (32 bits) cut to bits, or as it is when that is 32.
std::string Fit(unsigned bits, const std::string& expr) {
  return bits == 32 ? expr : std::to_string(bits) + "'(" + expr + ")";
}

// The reset value of a stored register (rw, w1c), as an expression of its width.
std::string SvReset(const CsrReg& r) {
  // Yosys cannot read one package's constant in another: the value is in nna_cfg_pkg.
  if (!r.reset_param.empty()) return Fit(r.bits, "nna_cfg_pkg::Csr" + UpperCamel(r.name) + "Reset");
  if (r.reset) return Fit(r.bits, "nna_csr_pkg::Csr" + UpperCamel(r.name) + "Reset");
  return "'0";
}

bool Stored(const CsrReg& r) { return r.access != "ro"; }
std::string SvOffset(const CsrReg& r) { return "nna_csr_pkg::Csr" + UpperCamel(r.name) + "Offset"; }

// The module's header comment and ports: the two bus ports, then each register's by access.
void EmitCsrRegsPorts(std::ostream& o, const std::vector<CsrReg>& regs) {
  o << "// " << kBanner << "\n"
    << "// The registers of spec/csr.yaml behind a write port (taken when wr_en_i, byte strobes as on\n"
    << "// AXI) and a combinational read port; nna_csr puts the AXI4-Lite handshake in front. By access:\n"
    << "// rw is a flop (<name>_q_o); ro shows the 32-bit <name>_i, or its reset value when it has one\n"
    << "// (a constant); w1s is a flop that holds the bits written as 1 for the cycle after the write\n"
    << "// (<name>_pulse_o) and reads 0; w1c is a flop that a written 1 clears and <name>_set_i sets (a\n"
    << "// set wins over a clear in the same cycle). Unknown offsets read 0; writes to ro and unknown\n"
    << "// offsets are ignored.\n"
    << "module nna_csr_regs (\n"
    << "  input  logic        clk_i,\n"
    << "  input  logic        rst_ni,\n"
    << "  input  logic        wr_en_i,\n"
    << "  input  logic [7:0]  wr_offset_i,\n"
    << "  input  logic [31:0] wr_data_i,\n"
    << "  input  logic [3:0]  wr_strb_i,\n"
    << "  input  logic [7:0]  rd_offset_i,\n"
    << "  output logic [31:0] rd_data_o";
  auto port = [&](const char* dir, unsigned bits, const std::string& name) {
    std::string range = Range(bits);
    range.resize(7, ' ');
    o << ",\n  " << dir << " logic " << range << name;
  };
  for (auto& r : regs) {
    if (r.access == "rw") {
      port("output", r.bits, r.name + "_q_o");
    } else if (r.access == "ro" && !r.IsConstant()) {
      port("input ", 32, r.name + "_i");
    } else if (r.access == "w1s") {
      port("output", r.bits, r.name + "_pulse_o");
    } else if (r.access == "w1c") {
      port("input ", r.bits, r.name + "_set_i");
      port("output", r.bits, r.name + "_q_o");
    }
  }
  o << "\n);\n";
}

// The next state of the stored registers: the write by access kind, then the w1c sets.
void EmitCsrRegsWrite(std::ostream& o, const std::vector<CsrReg>& regs) {
  o << "\n  always_comb begin\n"
    << "    for (int unsigned i = 0; i < 4; i++) wmask[i*8 +: 8] = {8{wr_strb_i[i]}};\n";
  for (auto& r : regs) {
    if (r.access == "w1s")
      o << "    " << r.name << "_d = '0;\n";
    else if (Stored(r))
      o << "    " << r.name << "_d = " << r.name << "_q;\n";
  }
  o << "    if (wr_en_i) begin\n      unique case (wr_offset_i)\n";
  for (auto& r : regs) {
    const std::string hi = std::to_string(r.bits - 1);
    const std::string data = "wr_data_i[" + hi + ":0]", mask = "wmask[" + hi + ":0]";
    const std::string q = r.name + "_q", d = r.name + "_d";
    if (r.access == "rw")
      o << "        " << SvOffset(r) << ":\n          " << d << " = (" << q << " & ~" << mask << ") | ("
        << data << " & " << mask << ");\n";
    else if (r.access == "w1s")
      o << "        " << SvOffset(r) << ": " << d << " = " << data << " & " << mask << ";\n";
    else if (r.access == "w1c")
      o << "        " << SvOffset(r) << ": " << d << " = " << q << " & ~(" << data << " & " << mask << ");\n";
  }
  o << "        default: ;  // ro registers and unknown offsets ignore writes\n"
    << "      endcase\n    end\n";
  for (auto& r : regs)
    if (r.access == "w1c")
      o << "    " << r.name << "_d = " << r.name << "_d | " << r.name
        << "_set_i;  // a set wins over a clear\n";
  o << "  end\n\n";
}

// The read multiplexer: w1s reads 0, a constant its reset, ro its input, the others their flop.
void EmitCsrRegsRead(std::ostream& o, const std::vector<CsrReg>& regs) {
  o << "  always_comb begin\n    unique case (rd_offset_i)\n";
  for (auto& r : regs) {
    std::string val;
    if (r.access == "w1s")
      val = "'0";
    else if (r.IsConstant())
      val = r.reset_param.empty() ? (r.reset ? "nna_csr_pkg::Csr" + UpperCamel(r.name) + "Reset" : "'0")
                                  : "nna_cfg_pkg::Csr" + UpperCamel(r.name) + "Reset";
    else if (r.access == "ro")
      val = r.name + "_i";
    else
      val = r.bits == 32 ? r.name + "_q" : "32'(" + r.name + "_q)";
    o << "      " << SvOffset(r) << ": rd_data_o = " << val << ";\n";
  }
  o << "      default: rd_data_o = '0;\n    endcase\n  end\n\n";
}

// The outputs and the flops of the stored registers.
void EmitCsrRegsFlops(std::ostream& o, const std::vector<CsrReg>& regs) {
  for (auto& r : regs) {
    if (r.access == "rw" || r.access == "w1c")
      o << "  assign " << r.name << "_q_o = " << r.name << "_q;\n";
    else if (r.access == "w1s")
      o << "  assign " << r.name << "_pulse_o = " << r.name << "_q;\n";
  }
  o << "\n  always_ff @(posedge clk_i or negedge rst_ni) begin\n    if (!rst_ni) begin\n";
  for (auto& r : regs)
    if (Stored(r)) o << "      " << r.name << "_q <= " << (r.access == "w1s" ? "'0" : SvReset(r)) << ";\n";
  o << "    end else begin\n";
  for (auto& r : regs)
    if (Stored(r)) o << "      " << r.name << "_q <= " << r.name << "_d;\n";
  o << "    end\n  end\nendmodule\n";
}

// The register file of spec/csr.yaml behind one write and one read port; nna_csr adds the bus.
std::string EmitCsrRegsSv(const std::vector<CsrReg>& regs) {
  std::ostringstream o;
  EmitCsrRegsPorts(o, regs);
  o << "  logic [31:0] wmask;  // the byte strobes, one bit per data bit\n";
  for (auto& r : regs)
    if (Stored(r)) o << "  logic " << Range(r.bits) << " " << r.name << "_q, " << r.name << "_d;\n";
  EmitCsrRegsWrite(o, regs);
  EmitCsrRegsRead(o, regs);
  EmitCsrRegsFlops(o, regs);
  return o.str();
}

std::string CppEnumValue(const EnumValue& v) { return "k" + UpperCamel(v.name); }

// A format or record as a struct with its field maxima, its field table and its bit-exact
// encoding; signed fields are two's complement.
void EmitCppStruct(std::ostream& o, const Format& f, const std::string& s, const std::string& noun) {
  o << "// " << f.doc << "\nstruct " << s << " {\n";
  for (auto& fd : f.fields) {
    if (!fd.type.empty())
      o << "  " << UpperCamel(fd.type) << " " << fd.name << "{};  // " << fd.doc << "\n";
    else
      o << "  " << (fd.is_signed ? "int64_t " : "uint64_t ") << fd.name << " = 0;  // " << fd.doc << "\n";
  }
  o << "  static constexpr unsigned kBytes = " << f.bytes << ";\n";
  for (auto& fd : f.fields) {  // the largest (and for signed fields the smallest) value of each field
    if (!fd.type.empty()) continue;
    const std::string n = UpperCamel(fd.name);
    if (fd.is_signed)
      o << "  static constexpr int64_t kMin" << n << " = -(int64_t(1) << " << fd.bits - 1 << "), kMax" << n
        << " = (int64_t(1) << " << fd.bits - 1 << ") - 1;\n";
    else
      o << "  static constexpr uint64_t kMax" << n << " = "
        << (fd.bits == 64 ? std::string("~uint64_t(0)")
                          : "(uint64_t(1) << " + std::to_string(fd.bits) + ") - 1")
        << ";\n";
  }
  o << "  bool operator==(const " << s << "& o) const {\n    return ";
  for (size_t i = 0; i < f.fields.size(); ++i)
    o << (i ? " &&\n           " : "") << f.fields[i].name << " == o." << f.fields[i].name;
  o << ";\n  }\n};\n";
  o << "inline constexpr FieldInfo k" << s << "Fields[] = {\n";
  for (auto& fd : f.fields)
    o << "    {\"" << fd.name << "\", " << fd.lsb << ", " << fd.bits << ", \"" << fd.doc << "\"},\n";
  o << "};\n";
  o << "// Value of field i of kFields, as a raw integer.\ninline uint64_t FieldValue(const " << s
    << "& in, unsigned i) {\n  switch (i) {\n";
  for (size_t i = 0; i < f.fields.size(); ++i)
    o << "    case " << i << ": return static_cast<uint64_t>(in." << f.fields[i].name << ");\n";
  o << "  }\n  return 0;\n}\n";
  o << "inline std::array<uint8_t, " << f.bytes << "> Encode(const " << s << "& in) {\n"
    << "  std::array<uint8_t, " << f.bytes << "> out{};\n";
  for (auto& fd : f.fields)
    o << "  detail::" << (fd.is_signed ? "SetSigned" : "SetBits") << "(out.data(), " << fd.lsb << ", "
      << fd.bits << ", static_cast<" << (fd.is_signed ? "int64_t" : "uint64_t") << ">(in." << fd.name
      << "), \"" << noun << "\", \"" << fd.name << "\");\n";
  o << "  return out;\n}\n";
  o << "// Decodes without checking enum values; see Is<Enum>() for that.\n"
    << "inline " << s << " Decode" << s << "(const uint8_t* bytes) {\n  " << s << " out;\n";
  for (auto& fd : f.fields) {
    const std::string get = std::string(fd.is_signed ? "detail::GetSigned" : "detail::GetBits") + "(bytes, " +
                            std::to_string(fd.lsb) + ", " + std::to_string(fd.bits) + ")";
    if (fd.type.empty())
      o << "  out." << fd.name << " = " << get << ";\n";
    else
      o << "  out." << fd.name << " = static_cast<" << UpperCamel(fd.type) << ">(" << get << ");\n";
  }
  o << "  return out;\n}\n\n";
}

std::string EmitIsaCpp(const Isa& isa) {
  std::ostringstream o;
  o << "// " << kBanner << "\n// The NNA instruction set: constants, enums, instruction structs and their\n"
    << "// bit-exact encode/decode. Encode throws std::out_of_range naming the field that does not fit.\n"
    << "#pragma once\n\n#include <array>\n#include <cstdint>\n#include <stdexcept>\n#include <string>\n\n"
    << "namespace nna::isa {\n\n";
  for (auto& c : isa.constants)
    o << "// " << c.doc << "\ninline constexpr uint64_t k" << UpperCamel(c.name) << " = " << c.value << ";\n";
  o << "// The instruction index that tags the program load: all ones.\n"
    << "inline constexpr uint64_t kInstrIdxLoad = (uint64_t(1) << kInstrIndexBits) - 1;\n";
  o << "\nnamespace detail {\n"
    << "inline uint64_t GetBits(const uint8_t* bytes, unsigned lsb, unsigned bits) {\n"
    << "  uint64_t v = 0;\n"
    << "  for (unsigned i = 0; i < bits; ++i) v |= uint64_t((bytes[(lsb + i) / 8] >> ((lsb + i) % 8)) & 1) "
       "<< i;\n"
    << "  return v;\n}\n"
    << "inline int64_t GetSigned(const uint8_t* bytes, unsigned lsb, unsigned bits) {\n"
    << "  const uint64_t v = GetBits(bytes, lsb, bits);\n"
    << "  return bits < 64 && (v >> (bits - 1)) ? int64_t(v - (uint64_t(1) << bits)) : int64_t(v);\n}\n"
    << "inline void SetBits(uint8_t* bytes, unsigned lsb, unsigned bits, uint64_t v, const char* what,\n"
    << "                    const char* field) {\n"
    << "  if (bits < 64 && (v >> bits) != 0)\n"
    << "    throw std::out_of_range(std::string(\"field '\") + field + \"' of a \" + what + \": value \" +\n"
    << "                            std::to_string(v) + \" does not fit in \" + std::to_string(bits) + \" "
       "bits\");\n"
    << "  for (unsigned i = 0; i < bits; ++i) {\n"
    << "    uint8_t& b = bytes[(lsb + i) / 8];\n"
    << "    const uint8_t m = uint8_t(1u << ((lsb + i) % 8));\n"
    << "    b = ((v >> i) & 1) ? uint8_t(b | m) : uint8_t(b & ~m);\n"
    << "  }\n}\n"
    << "inline void SetSigned(uint8_t* bytes, unsigned lsb, unsigned bits, int64_t v, const char* what,\n"
    << "                      const char* field) {\n"
    << "  const int64_t lo = bits < 64 ? -(int64_t(1) << (bits - 1)) : INT64_MIN;\n"
    << "  const int64_t hi = bits < 64 ? (int64_t(1) << (bits - 1)) - 1 : INT64_MAX;\n"
    << "  if (v < lo || v > hi)\n"
    << "    throw std::out_of_range(std::string(\"field '\") + field + \"' of a \" + what + \": value \" +\n"
    << "                            std::to_string(v) + \" does not fit in \" + std::to_string(bits) +\n"
    << "                            \" signed bits\");\n"
    << "  SetBits(bytes, lsb, bits, bits < 64 ? uint64_t(v) & ((uint64_t(1) << bits) - 1) : uint64_t(v), "
       "what,\n"
    << "          field);\n}\n}  // namespace detail\n\n";
  for (auto& e : isa.enums) {
    const char* base = e.bits <= 8 ? "uint8_t" : "uint16_t";
    o << "// " << e.doc << "\nenum class " << UpperCamel(e.name) << " : " << base << " {\n";
    for (auto& v : e.values) o << "  " << CppEnumValue(v) << " = " << v.value << ",  // " << v.doc << "\n";
    o << "};\n";
    o << "inline const char* ToString(" << UpperCamel(e.name) << " v) {\n  switch (v) {\n";
    for (auto& v : e.values)
      o << "    case " << UpperCamel(e.name) << "::" << CppEnumValue(v) << ": return \"" << v.name << "\";\n";
    o << "  }\n  return \"?\";\n}\n";
    o << "// True when raw is one of the enum's values.\ninline bool Is" << UpperCamel(e.name)
      << "(uint64_t raw) {\n  switch (raw) {\n";
    for (auto& v : e.values) o << "    case " << v.value << ":\n";
    o << "      return true;\n  }\n  return false;\n}\n\n";
  }
  o << "// Describes one field for generic printing and checking.\n"
    << "struct FieldInfo {\n  const char* name;\n  unsigned lsb;\n  unsigned bits;\n  const char* "
       "doc;\n};\n\n";
  for (auto& f : isa.formats) EmitCppStruct(o, f, UpperCamel(f.name) + "Instr", f.name + " instruction");
  for (auto& r : isa.records) EmitCppStruct(o, r, UpperCamel(r.name) + "Record", r.name + " record");
  o << "// The format each opcode uses.\nenum class Format { ";
  for (size_t i = 0; i < isa.formats.size(); ++i)
    o << (i ? ", " : "") << "k" << UpperCamel(isa.formats[i].name);
  o << " };\ninline Format FormatOf(Opcode op) {\n  switch (op) {\n";
  for (auto& in : isa.instructions)
    o << "    case Opcode::k" << UpperCamel(in.name) << ": return Format::k" << UpperCamel(in.format)
      << ";\n";
  o << "  }\n  return Format::kDma;\n}\n\n}  // namespace nna::isa\n";
  return o.str();
}

std::string EmitCfgCpp(const ConfigSchema& schema, const std::vector<Config>& cfgs) {
  std::ostringstream o;
  o << "// " << kBanner << "\n// The named hardware configurations.\n#pragma once\n\n#include <cstdint>\n"
    << "#include <stdexcept>\n#include <string>\n\n#include \"util/clip_text.h\"\n\nnamespace nna "
       "{\n\nstruct HwConfig {\n  const char* "
       "name;\n  const char* doc;\n";
  for (auto& k : schema) {
    std::string n = k.key;
    std::replace(n.begin(), n.end(), '.', '_');
    o << "  uint64_t " << n << ";  // " << k.doc << "\n";
  }
  o << "  uint64_t Slices() const { return array_cols / array_slice; }\n"
    << "  uint64_t BankDepth() const { return sram_bytes / (sram_banks * sram_bank_word_bytes); }\n};\n\n"
    << "inline constexpr HwConfig kHwConfigs[] = {\n";
  for (auto& c : cfgs) {
    o << "    {\"" << c.name << "\", \"" << c.doc << "\"";
    for (auto& e : c.entries) o << ", " << e.value;
    o << "},\n";
  }
  o << "};\n\n// The configuration called name; throws std::invalid_argument listing the known ones.\n"
    << "inline const HwConfig& FindHwConfig(const std::string& name) {\n"
    << "  std::string known;\n  for (const auto& c : kHwConfigs) {\n    if (name == c.name) return c;\n"
    << "    known += std::string(known.empty() ? \"\" : \", \") + c.name;\n  }\n"
    << "  throw std::invalid_argument(\"unknown hardware configuration '\" + ClipText(name) + \"' (known: \" "
       "+ known "
       "+ \")\");\n"
    << "}\n\n}  // namespace nna\n";
  return o.str();
}

std::string EmitCsrCpp(const std::vector<CsrReg>& regs) {
  std::ostringstream o;
  o << "// " << kBanner << "\n// Control and status register map of the AXI4-Lite slave.\n#pragma once\n\n"
    << "#include <cstdint>\n\nnamespace nna::csr {\n\n";
  for (auto& r : regs) {
    o << "// " << r.doc << " (" << r.access << ")\ninline constexpr uint32_t k" << UpperCamel(r.name)
      << " = 0x" << std::hex << r.offset << std::dec << ";\n";
    if (r.reset)
      o << "inline constexpr uint32_t k" << UpperCamel(r.name) << "Reset = 0x" << std::hex << r.reset
        << std::dec << ";\n";
    if (!r.reset_param.empty()) o << "// Reset: the configuration's " << r.reset_param << " (HwConfig).\n";
    for (auto& f : r.fields)
      o << "inline constexpr uint32_t k" << UpperCamel(r.name) << UpperCamel(f.name) << "Lsb = " << f.lsb
        << ", k" << UpperCamel(r.name) << UpperCamel(f.name) << "Bits = " << f.bits << ";  // " << f.doc
        << "\n";
  }
  // The map as a table, for code that walks every register (the host's CSR read-back).
  o << "\n// Every register in spec order: mask is the bits stored (rw, w1c) or pulsed (w1s), which read\n"
    << "// back (w1s reads 0); an ro register shows 32 bits, `reset` when constant.\n"
    << "enum class Access { kRw, kRo, kW1s, kW1c };\n"
    << "struct Register {\n  const char* name;\n  uint32_t offset;\n  Access access;\n  uint32_t mask;\n"
    << "  bool constant;           // ro with a reset value: always reads reset\n"
    << "  bool reset_from_config;  // the reset is the configuration's value (HwConfig), not reset\n"
    << "  uint32_t reset;\n};\ninline constexpr Register kRegisters[] = {\n";
  for (auto& r : regs) {
    const uint64_t mask = r.access == "ro" ? 0xFFFFFFFFu : (uint64_t(1) << r.bits) - 1;
    const std::string access = r.access == "rw"    ? "kRw"
                               : r.access == "ro"  ? "kRo"
                               : r.access == "w1s" ? "kW1s"
                                                   : "kW1c";
    o << "    {\"" << r.name << "\", 0x" << std::hex << r.offset << ", Access::" << access << ", 0x" << mask
      << std::dec << ", " << (r.IsConstant() ? "true" : "false") << ", "
      << (r.reset_param.empty() ? "false" : "true") << ", 0x" << std::hex << r.reset << std::dec << "},\n";
  }
  o << "};\n";
  o << "\n}  // namespace nna::csr\n";
  return o.str();
}

std::string EmitIsaDoc(const Isa& isa) {
  std::ostringstream o;
  o << "<!-- " << kBanner << " -->\n# Instruction set\n\n"
    << "Generated from `spec/isa.yaml` by `tools/nnagen`; the SystemVerilog package `nna_isa_pkg` and the\n"
    << "C++ header `nna/isa.h` come from the same file. Bit 0 is the least significant bit of byte 0\n"
    << "(little-endian). Reserved bits must be zero.\n\n## Constants\n\n| name | value | meaning "
       "|\n|---|---|---|\n";
  for (auto& c : isa.constants) o << "| `" << c.name << "` | " << c.value << " | " << c.doc << " |\n";
  o << "\n## Instructions\n\n| instruction | opcode | format | meaning |\n|---|---|---|---|\n";
  const Enum* ops = nullptr;
  for (auto& e : isa.enums)
    if (e.name == "opcode") ops = &e;
  for (auto& in : isa.instructions) {
    uint64_t code = 0;
    if (ops)
      for (auto& v : ops->values)
        if (v.name == in.name) code = v.value;
    o << "| `" << Upper(in.name) << "` | " << code << " | " << in.format << " | " << in.doc << " |\n";
  }
  auto table = [&](const Format& f, const std::string& kind) {
    o << "\n## " << kind << " `" << f.name << "` (" << f.bytes << " bytes)\n\n"
      << f.doc << "\n\n"
      << "| bits | field | type | meaning |\n|---|---|---|---|\n";
    for (auto& fd : f.fields)
      o << "| " << fd.lsb + fd.bits - 1 << ":" << fd.lsb << " | `" << fd.name << "` | "
        << (fd.type.empty() ? (fd.is_signed ? "int" : "uint") + std::to_string(fd.bits) : fd.type) << " | "
        << fd.doc << " |\n";
    unsigned used = f.fields.back().lsb + f.fields.back().bits;
    if (used < f.bytes * 8) o << "| " << f.bytes * 8 - 1 << ":" << used << " | reserved | | zero |\n";
  };
  for (auto& f : isa.formats) table(f, "Format");
  for (auto& r : isa.records) table(r, "Record");
  o << "\n## Enumerations\n";
  for (auto& e : isa.enums) {
    o << "\n### `" << e.name << "` (" << e.bits << " bits)\n\n"
      << e.doc << "\n\n| value | name | meaning |\n|---|---|---|\n";
    for (auto& v : e.values) o << "| " << v.value << " | `" << v.name << "` | " << v.doc << " |\n";
  }
  return o.str();
}

std::string EmitCsrDoc(const std::vector<CsrReg>& regs) {
  std::ostringstream o;
  o << "<!-- " << kBanner << " -->\n# Control and status registers\n\n"
    << "Generated from `spec/csr.yaml`, like the register file `nna_csr_regs` behind the AXI4-Lite\n"
    << "slave `nna_csr`. Registers are 32 bits wide on the bus; `bits` is what a register stores (rw,\n"
    << "w1c) or pulses (w1s), the bits above it read 0. rw: read/write, byte strobes honoured; ro: read\n"
    << "only; w1s: write 1 to set, a one-cycle pulse, reads 0; w1c: write 1 to clear, set by the\n"
    << "hardware (a set wins over a clear in the same cycle). Every other byte offset below 0x100,\n"
    << "unaligned ones included, reads 0 and ignores writes; ro registers ignore writes; every access\n"
    << "answers OKAY (`nna_sim_<config> --csr-readback` checks each).\n\n"
    << "| offset | register | access | bits | reset | fields | meaning |\n|---|---|---|---|---|---|---|\n";
  for (auto& r : regs) {
    std::ostringstream fields;
    for (auto& f : r.fields)
      fields << "`" << f.name << "` [" << f.lsb + f.bits - 1 << ":" << f.lsb << "] " << f.doc << "<br>";
    std::ostringstream reset;
    if (r.reset_param.empty())
      reset << "0x" << std::hex << r.reset;
    else
      reset << "config `" << r.reset_param << "`";
    o << "| 0x" << std::hex << r.offset << std::dec << " | `" << r.name << "` | " << r.access << " | "
      << (r.access == "ro" ? 32 : r.bits) << " | " << reset.str() << " | " << fields.str() << " | " << r.doc
      << " |\n";
  }
  return o.str();
}

std::string EmitCfgDoc(const ConfigSchema& schema, const std::vector<Config>& cfgs) {
  std::ostringstream o;
  o << "<!-- " << kBanner
    << " -->\n# Hardware configurations\n\nGenerated from `spec/configs/*.yaml`; the keys, their ranges and "
       "meaning are\nin `spec/config_schema.yaml`.\n\n| key |";
  for (auto& c : cfgs) o << " `" << c.name << "` |";
  o << " meaning |\n|---|";
  for (size_t i = 0; i < cfgs.size(); ++i) o << "---|";
  o << "---|\n";
  for (size_t k = 0; k < schema.size(); ++k) {
    o << "| `" << schema[k].key << "` |";
    for (auto& c : cfgs) o << " " << c.entries[k].value << " |";
    o << " " << schema[k].doc << " |\n";
  }
  o << "\n";
  for (auto& c : cfgs) o << "- `" << c.name << "`: " << c.doc << "\n";
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  if (argc % 2 == 0 || !args.count("--spec") || !args.count("--sv") || !args.count("--cpp") ||
      !args.count("--docs")) {
    std::cerr << "usage: nnagen --spec DIR --sv OUTDIR --cpp OUTDIR --docs OUTDIR\n";
    return 2;
  }
  try {
    const fs::path spec = args["--spec"], sv = args["--sv"], cpp = args["--cpp"], docs = args["--docs"];
    const Isa isa = ReadIsa(spec / "isa.yaml");
    const auto csr = ReadCsr(spec / "csr.yaml");
    const ConfigSchema schema = ReadConfigSchema(spec / "config_schema.yaml");
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(spec / "configs"))
      if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw SpecError((spec / "configs").string() + ": no configuration files");
    std::vector<Config> cfgs;
    for (auto& f : files) cfgs.push_back(ReadConfig(f, schema));
    for (auto& r : csr) {  // a reset_param names a configuration key that fits the register
      if (r.reset_param.empty()) continue;
      const std::string where =
          (spec / "csr.yaml").string() + " register '" + r.name + "': reset_param '" + r.reset_param + "'";
      if (std::none_of(schema.begin(), schema.end(),
                       [&](const ConfigKey& k) { return k.key == r.reset_param; }))
        throw SpecError(where + " is not a configuration key");
      const unsigned bits = r.access == "ro" ? 32 : r.bits;
      for (auto& c : cfgs)
        if (c.Get(r.reset_param) >> bits)
          throw SpecError(where + " of '" + c.name + "' does not fit in " + std::to_string(bits) + " bits");
    }

    Write(sv / "nna_isa_pkg.sv", EmitIsaSv(isa));
    Write(sv / "nna_csr_pkg.sv", EmitCsrSv(csr));
    Write(sv / "nna_csr_regs.sv", EmitCsrRegsSv(csr));
    for (auto& c : cfgs) Write(sv / c.name / "nna_cfg_pkg.sv", EmitCfgSv(c, csr));
    Write(cpp / "isa.h", EmitIsaCpp(isa));
    Write(cpp / "configs.h", EmitCfgCpp(schema, cfgs));
    Write(cpp / "csr.h", EmitCsrCpp(csr));
    Write(docs / "isa.md", EmitIsaDoc(isa));
    Write(docs / "registers.md", EmitCsrDoc(csr));
    Write(docs / "configs.md", EmitCfgDoc(schema, cfgs));
  } catch (const std::exception& e) {
    std::cerr << "nnagen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
