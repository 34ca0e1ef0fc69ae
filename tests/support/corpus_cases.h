// The third-party corpus as test parameters: every image that has TSK's own output beside it.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "test_support.h"

namespace ferret::test {

// Every (oracle file, image) pair in the corpus.
inline std::vector<std::pair<std::string, std::string>> corpus_cases() {
  std::vector<std::pair<std::string, std::string>> out;
  const auto root = corpus_dir();
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return out;
  std::map<std::string, std::string> images;
  std::vector<std::filesystem::path> oracles;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec); it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto p = it->path();
    const bool in_oracle = p.parent_path().filename() == "oracle";
    const std::string name = p.filename().string();
    // Images are keyed by their corpus project (the first folder under the corpus root) and name:
    // two projects may hold different images under the same name (plaso's and sleuthkit's image.E01).
    const auto rel = std::filesystem::relative(p, root, ec);
    const std::string project = rel.empty() ? std::string() : rel.begin()->string();
    if (in_oracle && name.size() > 8 && name.ends_with(".tsk.txt")) oracles.push_back(p);
    else if (!in_oracle) images.emplace(project + "/" + name, p.string());
  }
  for (const auto& o : oracles) {
    const std::string name = o.filename().string();
    const auto rel = std::filesystem::relative(o, root, ec);
    const std::string project = rel.empty() ? std::string() : rel.begin()->string();
    const std::string image = project + "/" + name.substr(0, name.size() - 8);
    if (auto it = images.find(image); it != images.end()) out.emplace_back(o.string(), it->second);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ferret::test
