// Strict, typed reading of the YAML descriptions (tests in vectors/*.yaml, networks in
// vectors/networks/*.yaml): every error is one CompileError sentence naming the file and the
// dotted key, with the value that was given.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "compiler/compile_error.h"
#include "util/yaml_text.h"

namespace nna::compiler {

// The value as echoed in messages, clipped so that a huge value stays a short sentence.
inline std::string NodeText(const YAML::Node& n) {
  YAML::Emitter e;
  e << YAML::Flow << n;
  return ClipText(e.c_str());
}

// Strict, typed access to the test description; every error is one sentence naming the file
// and the dotted key.
class Doc {
 public:
  explicit Doc(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const std::string& key, const std::string& what) const {
    throw CompileError(file_ + ": key '" + key + "' " + what);
  }
  [[noreturn]] void Bad(const std::string& key, const std::string& must, const YAML::Node& got) const {
    Fail(key, "must be " + must + " (got " + NodeText(got) + ")");
  }

  // yaml-cpp keeps both entries of a repeated key and map[key] reads the first: reject the file.
  void NoDuplicateKeys(const YAML::Node& root) const {
    const std::string dup = DuplicateKeyText(root);
    if (!dup.empty()) throw CompileError(file_ + ": " + dup);
  }
  // Rejects keys outside `known`.
  void OnlyKeys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& known) const {
    for (const auto& kv : map) {
      const std::string k = kv.first.as<std::string>();
      if (std::find(known.begin(), known.end(), k) != known.end()) continue;
      std::string list;
      for (const auto& s : known) list += (list.empty() ? "" : ", ") + s;
      Fail(ClipText(Join(path, k)), "is not known (known keys: " + list + ")");
    }
  }
  void NeedMap(const YAML::Node& n, const std::string& key) const {
    if (!n.IsMap()) Bad(key, "a map", n);
  }
  YAML::Node Need(const YAML::Node& map, const std::string& path, const std::string& key) const {
    const YAML::Node n = map[key];
    if (!n) Fail(Join(path, key), "is missing");
    return n;
  }
  int64_t Int(const YAML::Node& n, const std::string& key, int64_t lo, int64_t hi) const {
    int64_t v = 0;
    if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v) || v < lo || v > hi)
      Bad(key, "an integer " + std::to_string(lo) + ".." + std::to_string(hi), n);
    return v;
  }
  uint64_t Seed(const YAML::Node& n, const std::string& key) const {
    uint64_t v = 0;
    if (!n.IsScalar() || n.Scalar().empty() || n.Scalar()[0] == '-' || !YAML::convert<uint64_t>::decode(n, v))
      Bad(key, "a non-negative integer", n);
    return v;
  }
  bool Bool(const YAML::Node& n, const std::string& key) const {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) Bad(key, "true or false", n);
    return v;
  }
  std::string Str(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) Bad(key, "a string", n);
    return n.Scalar();
  }
  // An integer or a list of `count` integers (a single integer applies to all).
  std::vector<int64_t> IntOrList(const YAML::Node& n, const std::string& key, size_t count, int64_t lo,
                                 int64_t hi, const std::string& what) const {
    const std::string must =
        "an integer " + std::to_string(lo) + ".." + std::to_string(hi) + " or a list " + what + " of them";
    std::vector<int64_t> out;
    int64_t v = 0;
    if (n.IsScalar()) {
      if (!YAML::convert<int64_t>::decode(n, v) || v < lo || v > hi) Bad(key, must, n);
      return std::vector<int64_t>(count, v);
    }
    if (!n.IsSequence() || n.size() != count) Bad(key, must, n);
    for (const auto& e : n) {
      if (!e.IsScalar() || !YAML::convert<int64_t>::decode(e, v) || v < lo || v > hi) Bad(key, must, n);
      out.push_back(v);
    }
    return out;
  }
  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// "vectors/x.yaml" for any path to x.yaml: the folder and the file name.
inline std::string ShownPath(const std::filesystem::path& p) {
  const std::filesystem::path parent = p.parent_path().filename();
  return parent.empty() ? p.filename().string() : (parent / p.filename()).string();
}

// The names of the descriptions in dir (its .yaml files without the extension), sorted; none when
// dir cannot be read.
inline std::vector<std::string> DescriptionNames(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace nna::compiler
