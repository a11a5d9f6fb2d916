// Helpers shared by the project's YAML readers (bundle.yaml, test and network descriptions, spec
// files): values echoed in messages are clipped, and duplicate keys are found, since yaml-cpp keeps
// both entries of a map and node[key] silently returns the first.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "util/clip_text.h"

namespace nna {

struct DuplicateKey {
  std::string path;  // dotted key path, e.g. "layer.input.channels" or "regions[2].name"
  int first_line;    // 1-based lines of the two entries
  int second_line;
};

namespace detail {
// Each collection is walked once: aliases share their anchor's node (and its mark), and a chain
// of aliases to aliases would otherwise cost exponential time.
inline std::optional<DuplicateKey> FindDuplicateKey(const YAML::Node& n, const std::string& path,
                                                    std::set<int>& walked) {
  if (!n.IsSequence() && !n.IsMap()) return std::nullopt;
  if (!walked.insert(n.Mark().pos).second) return std::nullopt;
  if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i)
      if (auto d = FindDuplicateKey(n[i], path + "[" + std::to_string(i) + "]", walked)) return d;
    return std::nullopt;
  }
  std::map<std::string, int> seen;  // key -> line of its first entry
  for (const auto& kv : n) {
    if (!kv.first.IsScalar()) continue;  // complex keys are rejected by the readers themselves
    const std::string key = kv.first.Scalar();
    const std::string sub = ClipText(path.empty() ? key : path + "." + key);
    const int line = kv.first.Mark().line + 1;
    const auto [it, fresh] = seen.emplace(key, line);
    if (!fresh) return DuplicateKey{sub, it->second, line};
    if (auto d = FindDuplicateKey(kv.second, sub, walked)) return d;
  }
  return std::nullopt;
}
}  // namespace detail

// The first key given twice in one map anywhere in n (depth first), or nothing.
inline std::optional<DuplicateKey> FindDuplicateKey(const YAML::Node& n) {
  std::set<int> walked;
  return detail::FindDuplicateKey(n, "", walked);
}

// "key 'a.b' is given twice (lines 3 and 7); ..." for the first duplicate in n, or "".
inline std::string DuplicateKeyText(const YAML::Node& n) {
  const auto d = FindDuplicateKey(n);
  if (!d) return "";
  return "key '" + d->path + "' is given twice (lines " + std::to_string(d->first_line) + " and " +
         std::to_string(d->second_line) + "); give each key once";
}

}  // namespace nna
