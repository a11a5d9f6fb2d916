// ClipText, for every message that echoes a value the user gave (kept apart from yaml_text.h so
// that the generated configs.h can use it without yaml-cpp).
#pragma once

#include <string>

namespace nna {

// s itself when short; otherwise its first `max` characters, "..." and its full length, so that a
// 1 MB value does not become a 1 MB message. Line breaks are shown as \n: the message stays one line.
inline std::string ClipText(const std::string& s, size_t max = 80) {
  std::string out;
  for (char c : s.substr(0, max))
    out += c == '\n' ? std::string("\\n") : c == '\r' ? std::string("\\r") : std::string(1, c);
  if (s.size() <= max) return out;
  return out + "... (" + std::to_string(s.size()) + " characters)";
}

}  // namespace nna
