// Bundle folder I/O. bundle.yaml holds the metadata:
//   test, config, prog_dram_addr, prog_sram_addr, prog_words, dram_bytes, macs,
//   regions: [{name, kind, dram_addr, bytes, shape: [C, H, W], signed}],
//   instrs:  [{index, op, layer, text}]
// dram.bin is the DRAM image (dram_bytes long); ref_<name>.bin holds the expected bytes of every
// region of kind "output"; program.lst is the disassembly, written for people and never read.
#include "bundle/bundle.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "util/yaml_text.h"

namespace nna {
namespace fs = std::filesystem;

namespace {

const char* const kKinds[] = {"input", "weights", "params", "program", "output"};

bool IsKind(const std::string& k) {
  for (const char* known : kKinds)
    if (k == known) return true;
  return false;
}

void WriteFile(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw BundleError("cannot create " + path.string());
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f) throw BundleError("cannot write " + path.string());
}

std::vector<uint8_t> ReadFile(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw BundleError("bundle file " + path.string() + " is missing or unreadable");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return bytes;
}

// Typed access to bundle.yaml with messages naming the file and key.
class Reader {
 public:
  explicit Reader(fs::path file) : file_(std::move(file)) {}

  YAML::Node Need(const YAML::Node& map, const std::string& key, const std::string& path) const {
    if (!map.IsMap()) throw Error(path, "must be a map");
    const YAML::Node n = map[key];
    if (!n) throw BundleError(file_.string() + ": key '" + Join(path, key) + "' is missing");
    return n;
  }
  template <typename T>
  T Get(const YAML::Node& map, const std::string& key, const std::string& path = "") const {
    const YAML::Node n = Need(map, key, path);
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      throw Error(Join(path, key), "has a value of the wrong type (got '" + Text(n) + "')");
    }
  }
  BundleError Error(const std::string& key, const std::string& what) const {
    return BundleError(file_.string() + ": key '" + key + "' " + what);
  }
  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  // The value as echoed in messages, clipped so that a huge value stays a short sentence.
  static std::string Text(const YAML::Node& n) {
    std::ostringstream s;
    s << n;
    return ClipText(s.str());
  }

 private:
  fs::path file_;
};

}  // namespace

const Region& Bundle::FindRegion(const std::string& name) const {
  std::string known;
  for (const auto& r : regions) {
    if (r.name == name) return r;
    known += (known.empty() ? "" : ", ") + r.name;
  }
  throw BundleError("bundle '" + test + "' has no region '" + name + "' (known: " + known + ")");
}

std::vector<uint8_t> Bundle::ProgramBytes() const {
  if (!ProgramFits(prog_dram_addr, prog_words, dram.size()))
    throw BundleError("bundle '" + test + "': the program (" + std::to_string(prog_words) + " words at " +
                      std::to_string(prog_dram_addr) + ") runs past the DRAM image of " +
                      std::to_string(dram.size()) + " bytes");
  const uint64_t n = prog_words * isa::kWordBytes;
  return std::vector<uint8_t>(dram.begin() + long(prog_dram_addr), dram.begin() + long(prog_dram_addr + n));
}

void WriteBundle(const Bundle& b, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw BundleError("cannot create bundle folder " + dir.string() + ": " + ec.message());

  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "test" << YAML::Value << b.test;
  y << YAML::Key << "config" << YAML::Value << b.config;
  y << YAML::Key << "prog_dram_addr" << YAML::Value << b.prog_dram_addr;
  y << YAML::Key << "prog_sram_addr" << YAML::Value << b.prog_sram_addr;
  y << YAML::Key << "prog_words" << YAML::Value << b.prog_words;
  y << YAML::Key << "dram_bytes" << YAML::Value << uint64_t(b.dram.size());
  y << YAML::Key << "macs" << YAML::Value << b.macs;
  y << YAML::Key << "regions" << YAML::Value << YAML::BeginSeq;
  for (const auto& r : b.regions) {
    y << YAML::Flow << YAML::BeginMap;
    y << YAML::Key << "name" << YAML::Value << r.name;
    y << YAML::Key << "kind" << YAML::Value << r.kind;
    y << YAML::Key << "dram_addr" << YAML::Value << r.dram_addr;
    y << YAML::Key << "bytes" << YAML::Value << r.bytes;
    y << YAML::Key << "shape" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (uint32_t d : r.shape) y << d;
    y << YAML::EndSeq;
    y << YAML::Key << "signed" << YAML::Value << r.is_signed;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq;
  y << YAML::Key << "instrs" << YAML::Value << YAML::BeginSeq;
  for (const auto& in : b.instrs) {
    y << YAML::Flow << YAML::BeginMap;
    y << YAML::Key << "index" << YAML::Value << in.index;
    y << YAML::Key << "op" << YAML::Value << in.op;
    y << YAML::Key << "layer" << YAML::Value << in.layer;
    y << YAML::Key << "text" << YAML::Value << YAML::DoubleQuoted << in.text;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq;
  y << YAML::EndMap;
  {
    std::ofstream f(dir / "bundle.yaml", std::ios::trunc);
    if (!f) throw BundleError("cannot create " + (dir / "bundle.yaml").string());
    f << "# NNA bundle: metadata of the program, DRAM regions and instructions (written by nnac)\n"
      << y.c_str() << "\n";
  }
  WriteFile(dir / "dram.bin", b.dram);
  for (const auto& [name, bytes] : b.reference) WriteFile(dir / ("ref_" + name + ".bin"), bytes);
  std::ofstream lst(dir / "program.lst", std::ios::trunc);
  if (!lst) throw BundleError("cannot create " + (dir / "program.lst").string());
  lst << "# " << b.test << " for " << b.config << ": " << b.prog_words << " words at DRAM 0x" << std::hex
      << b.prog_dram_addr << ", SRAM 0x" << b.prog_sram_addr << std::dec << "\n";
  for (const auto& in : b.instrs) lst << in.index << "\t" << in.layer << "\t" << in.text << "\n";
}

Bundle ReadBundle(const fs::path& dir) {
  const fs::path meta = dir / "bundle.yaml";
  if (fs::exists(dir) && !fs::is_directory(dir))
    throw BundleError("bundle folder " + dir.string() +
                      " is not a folder (a bundle is the folder nnac writes)");
  if (!fs::is_directory(dir)) throw BundleError("bundle folder " + dir.string() + " does not exist");
  if (!fs::exists(meta)) throw BundleError("bundle file " + meta.string() + " is missing");
  YAML::Node root;
  try {
    root = YAML::LoadFile(meta.string());
  } catch (const YAML::Exception& e) {
    throw BundleError(meta.string() + ": not valid YAML (" + ClipText(e.msg) + " at line " +
                      std::to_string(e.mark.line + 1) + ")");
  }
  const char* const keys =
      "test, config, prog_dram_addr, prog_sram_addr, prog_words, dram_bytes, macs, regions and instrs";
  if (root.IsNull()) throw BundleError(meta.string() + " is empty; it must be a map with the keys " + keys);
  if (!root.IsMap())
    throw BundleError(meta.string() + " must be a map with the keys " + keys + " (got '" +
                      Reader::Text(root) + "')");
  // yaml-cpp keeps both entries of a repeated key and reads the first: reject the file instead.
  const std::string dup = DuplicateKeyText(root);
  if (!dup.empty()) throw BundleError(meta.string() + ": " + dup);
  const Reader rd(meta);
  Bundle b;
  b.test = rd.Get<std::string>(root, "test");
  b.config = rd.Get<std::string>(root, "config");
  b.prog_dram_addr = rd.Get<uint64_t>(root, "prog_dram_addr");
  b.prog_sram_addr = rd.Get<uint64_t>(root, "prog_sram_addr");
  b.prog_words = rd.Get<uint64_t>(root, "prog_words");
  const uint64_t dram_bytes = rd.Get<uint64_t>(root, "dram_bytes");
  b.macs = rd.Get<uint64_t>(root, "macs");

  const YAML::Node regions = rd.Need(root, "regions", "");
  if (!regions.IsSequence()) throw rd.Error("regions", "must be a list");
  for (size_t i = 0; i < regions.size(); ++i) {
    const std::string path = "regions[" + std::to_string(i) + "]";
    const YAML::Node n = regions[i];
    Region r;
    r.name = rd.Get<std::string>(n, "name", path);
    r.kind = rd.Get<std::string>(n, "kind", path);
    if (!IsKind(r.kind))
      throw rd.Error(path + ".kind",
                     "must be input, weights, params, program or output (got '" + ClipText(r.kind) + "')");
    r.dram_addr = rd.Get<uint64_t>(n, "dram_addr", path);
    r.bytes = rd.Get<uint64_t>(n, "bytes", path);
    r.shape = rd.Get<std::vector<uint32_t>>(n, "shape", path);
    r.is_signed = rd.Get<bool>(n, "signed", path);
    if (!RangeFits(r.dram_addr, r.bytes, dram_bytes))
      throw rd.Error(path, "(region '" + ClipText(r.name) + "') with dram_addr " +
                               std::to_string(r.dram_addr) + " and bytes " + std::to_string(r.bytes) +
                               " runs past dram_bytes " + std::to_string(dram_bytes));
    b.regions.push_back(std::move(r));
  }
  const YAML::Node instrs = rd.Need(root, "instrs", "");
  if (!instrs.IsSequence()) throw rd.Error("instrs", "must be a list");
  for (size_t i = 0; i < instrs.size(); ++i) {
    const std::string path = "instrs[" + std::to_string(i) + "]";
    InstrInfo in;
    in.index = rd.Get<uint32_t>(instrs[i], "index", path);
    in.op = rd.Get<std::string>(instrs[i], "op", path);
    in.layer = rd.Get<std::string>(instrs[i], "layer", path);
    in.text = rd.Get<std::string>(instrs[i], "text", path);
    b.instrs.push_back(std::move(in));
  }

  b.dram = ReadFile(dir / "dram.bin");
  if (b.dram.size() != dram_bytes)
    throw BundleError((dir / "dram.bin").string() + " has " + std::to_string(b.dram.size()) +
                      " bytes but bundle.yaml says dram_bytes " + std::to_string(dram_bytes));
  // The program's own keys are blamed: its start and its length together overrun the image.
  if (!ProgramFits(b.prog_dram_addr, b.prog_words, dram_bytes))
    throw BundleError(meta.string() + ": the program at prog_dram_addr " + std::to_string(b.prog_dram_addr) +
                      " with prog_words " + std::to_string(b.prog_words) + " (" +
                      std::to_string(isa::kWordBytes) + " bytes each) runs past dram_bytes " +
                      std::to_string(dram_bytes));
  for (const auto& r : b.regions) {
    if (r.kind != "output") continue;
    const fs::path ref = dir / ("ref_" + r.name + ".bin");
    std::vector<uint8_t> bytes = ReadFile(ref);
    if (bytes.size() != r.bytes)
      throw BundleError(ref.string() + " has " + std::to_string(bytes.size()) + " bytes but region '" +
                        r.name + "' has " + std::to_string(r.bytes));
    b.reference[r.name] = std::move(bytes);
  }
  return b;
}

}  // namespace nna
