// Finding plugin files (ferret-*.so), hashing them, and loading each in a worker process to read and
// check its descriptor: what ferret-parse records in plugin_loads and ferret-plugins lists.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "plugin_host/plugin_info.h"

namespace ferret::plugin_host {

// One plugin file that was considered.
struct PluginLoad {
  std::filesystem::path path;  // absolute, symbolic links resolved
  std::string sha256;          // taken before the file was loaded; "" when it could not be read
  bool loaded = false;         // usable; otherwise `message` says why not
  bool deselected = false;     // usable, but --plugin named others
  std::string message;
  PartialInfo partial;               // what could be read of a refused descriptor
  std::optional<PluginInfo> info;    // when loaded
};

// Where plugins are found when no --plugin-dir is given: the build's plugin folder (compiled in)
// and the folder beside the installed tools (<dir of the executable>/../plugins), those that exist.
std::vector<std::filesystem::path> default_plugin_dirs();

// ferret-plugin-worker beside the running executable.
std::filesystem::path default_worker_executable();

struct DiscoverOptions {
  std::vector<std::filesystem::path> plugin_dirs;  // --plugin-dir, searched first, in order; each must exist
  bool search_default_dirs = true;
  std::vector<std::string> only;                   // --plugin NAME: the others are refused as not selected
  std::filesystem::path worker;                    // the worker executable
  std::chrono::milliseconds load_timeout{10'000};  // per plugin file
  const std::atomic<bool>* cancel = nullptr;
};

// Every plugin file in the folders (files named ferret-*.so, by name within a folder), each hashed,
// then loaded in a worker (restarted when a plugin crashes or hangs while loading). When two files
// declare the same name the first one found is used and the others are refused.
// Errors: invalid_argument (a --plugin-dir that is not a folder), io (no worker), interrupted.
Result<std::vector<PluginLoad>> discover_plugins(const DiscoverOptions& options);

// The plugin files in `dirs` (ferret-*.so), without loading anything.
Result<std::vector<std::filesystem::path>> find_plugin_files(const std::vector<std::filesystem::path>& dirs);

}  // namespace ferret::plugin_host
