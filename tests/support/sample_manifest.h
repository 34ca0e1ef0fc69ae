// The bundled samples and their ground-truth manifests (samples/manifests, see samples/README.md).
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace ferret::test {

// An unpacked sample image in the build tree (build/samples/NAME).
inline std::filesystem::path sample(const std::string& name) {
  return std::filesystem::path(FERRET_SAMPLES_BUILD_DIR) / name;
}

inline std::filesystem::path manifest_path(const std::string& name) {
  return std::filesystem::path(FERRET_SAMPLES_DIR) / "manifests" / name;
}

// Tab-separated fields; a trailing tab gives a trailing empty field.
inline std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) out.push_back(field);
  if (!line.empty() && line.back() == '\t') out.emplace_back();
  return out;
}

// Manifest paths escape \ as \\, tab as \t, newline as \n.
inline std::string unescape_path(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char c = s[++i];
      out += c == 't' ? '\t' : c == 'n' ? '\n' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace ferret::test
