// Plugin discovery: folders, hashes, and loading each file once in a worker to read its descriptor.
#include "plugin_host/discovery.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "plugin_host/protocol.h"
#include "plugin_host/worker.h"
#include "plugin_host/worker_process.h"

namespace ferret::plugin_host {

namespace fs = std::filesystem;

namespace {

fs::path executable_dir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path();
}

std::string seconds_text(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

bool is_plugin_file_name(const std::string& name) {
  return name.size() > 10 && name.starts_with("ferret-") && name.ends_with(".so");
}

}  // namespace

std::vector<fs::path> default_plugin_dirs() {
  std::vector<fs::path> out;
  std::set<fs::path> seen;
  auto add = [&](const fs::path& dir) {
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) return;
    const fs::path canonical = fs::canonical(dir, ec);
    if (!ec && seen.insert(canonical).second) out.push_back(canonical);
  };
#ifdef FERRET_PLUGIN_BUILD_DIR
  add(FERRET_PLUGIN_BUILD_DIR);
#endif
  if (const fs::path exe = executable_dir(); !exe.empty()) add(exe.parent_path() / "plugins");
  return out;
}

fs::path default_worker_executable() { return executable_dir() / "ferret-plugin-worker"; }

Result<std::vector<fs::path>> find_plugin_files(const std::vector<fs::path>& dirs) {
  std::vector<fs::path> out;
  std::set<fs::path> seen;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> here;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      std::error_code type_ec;
      if (!is_plugin_file_name(name) || !fs::is_regular_file(it->path(), type_ec)) continue;
      here.push_back(it->path());
    }
    if (ec) return make_error(Errc::io, "cannot list the plugin folder " + dir.string() + ": " + ec.message());
    std::sort(here.begin(), here.end());
    for (const fs::path& p : here) {
      std::error_code canon_ec;
      fs::path canonical = fs::canonical(p, canon_ec);
      if (canon_ec) canonical = fs::absolute(p);
      if (seen.insert(canonical).second) out.push_back(canonical);
    }
  }
  return out;
}

Result<std::vector<PluginLoad>> discover_plugins(const DiscoverOptions& options) {
  std::vector<fs::path> dirs;
  for (const fs::path& dir : options.plugin_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return make_error(Errc::invalid_argument, "--plugin-dir " + dir.string() + ": not a folder");
    dirs.push_back(fs::canonical(dir, ec));
  }
  if (options.search_default_dirs) {
    for (const fs::path& dir : default_plugin_dirs()) {
      if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
    }
  }
  auto files = find_plugin_files(dirs);
  if (!files.ok()) return files.error();

  std::vector<PluginLoad> out;
  std::unique_ptr<WorkerProcess> worker;
  for (const fs::path& path : *files) {
    if (options.cancel != nullptr && options.cancel->load()) return make_error(Errc::interrupted, "interrupted");
    PluginLoad load;
    load.path = path;
    auto sha = sha256_of_file(path);
    if (!sha.ok()) {
      load.message = sha.error().message;
      out.push_back(std::move(load));
      continue;
    }
    load.sha256 = *sha;
    if (!worker || !worker->alive()) {
      auto started = WorkerProcess::start(options.worker, options.cancel);
      if (!started.ok()) return started.error();
      worker = std::move(*started);
    }
    auto answer = worker->request(MessageType::load, encode(LoadRequest{path.string(), load.sha256}), MessageType::loaded,
                                  options.load_timeout);
    LoadReply reply;
    switch (answer.failure) {
      case Failure::none:
        if (!decode(answer.payload, reply)) {
          load.message = "the worker's answer about this plugin could not be read";
          worker->kill_now();
        } else {
          load.loaded = reply.loaded;
          load.message = reply.message;
          load.partial = reply.partial;
          load.info = std::move(reply.info);
        }
        break;
      case Failure::timeout:
        load.message = "did not finish loading within " + seconds_text(options.load_timeout) + " s; the worker was killed";
        break;
      case Failure::died: load.message = "crashed while loading: " + worker_ended(answer.failure_message); break;
      case Failure::cancelled: return make_error(Errc::interrupted, "interrupted");
      case Failure::protocol: load.message = "the worker's answer about this plugin could not be read (" + answer.failure_message + ")"; break;
    }
    if (load.info) {
      load.partial.name = load.info->name;
      load.partial.version = load.info->version;
      load.partial.abi_version = load.info->abi_version;
    }
    out.push_back(std::move(load));
  }

  // The first file to declare a name keeps it.
  std::map<std::string, fs::path> first;
  for (PluginLoad& load : out) {
    if (!load.loaded) continue;
    auto [it, fresh] = first.emplace(load.info->name, load.path);
    if (!fresh) {
      load.loaded = false;
      load.message = "another plugin named '" + load.info->name + "' was found first, in " + it->second.string() +
                     " (the first one found is used)";
    }
  }
  if (!options.only.empty()) {
    for (PluginLoad& load : out) {
      if (load.loaded && std::find(options.only.begin(), options.only.end(), load.info->name) == options.only.end()) {
        load.loaded = false;
        load.deselected = true;
        load.message = "not selected (--plugin names other plugins)";
      }
    }
  }
  return out;
}

}  // namespace ferret::plugin_host
