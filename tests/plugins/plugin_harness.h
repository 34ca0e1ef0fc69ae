// An in-memory host for testing one plugin: loads the built shared object, offers it one file held in
// memory, and collects what it emits, checked against its declared kinds as the real host checks.
#pragma once

#include <dlfcn.h>

#include <chrono>

#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ferret/plugin.h"

namespace ferret::test {

struct EmittedArtifact {
  std::string kind;
  std::int64_t id = 0;
  std::map<std::string, std::string> attrs;  // values as text (integers in decimal)
  bool accepted = false;
};

struct PluginRun {
  ferret_parse_result result = FERRET_PARSE_FAILED;
  std::vector<EmittedArtifact> artifacts;  // accepted ones only
  std::vector<std::string> rejected;       // why artifacts or attributes were refused
  std::vector<std::string> log;
  // The accepted artifacts of one kind.
  std::vector<const EmittedArtifact*> of_kind(const std::string& kind) const {
    std::vector<const EmittedArtifact*> out;
    for (const auto& a : artifacts) {
      if (a.kind == kind) out.push_back(&a);
    }
    return out;
  }
};

// Where the build put plugin `name` (FERRET_PLUGIN_DIR is set by tests/CMakeLists.txt).
// Time budgets in tests are for optimised builds; sanitizers (the asan preset) slow parsing down
// several times, more on a loaded CI machine.
template <class Rep, class Period>
std::chrono::duration<Rep, Period> time_budget(std::chrono::duration<Rep, Period> d) {
#if defined(__SANITIZE_ADDRESS__)
  return d * 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
  return d * 10;
#else
  return d;
#endif
#else
  return d;
#endif
}

inline std::filesystem::path plugin_path(const std::string& name) {
  return std::filesystem::path(FERRET_PLUGIN_DIR) / ("ferret-" + name + ".so");
}

class PluginHarness {
 public:
  // Loads the plugin; `error` says why not (empty on success).
  explicit PluginHarness(const std::filesystem::path& so) {
    handle_ = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      error_ = dlerror();
      return;
    }
    auto entry = reinterpret_cast<ferret_plugin_entry_v1_fn>(dlsym(handle_, "ferret_plugin_entry_v1"));
    if (!entry) {
      error_ = "no ferret_plugin_entry_v1";
      return;
    }
    plugin_ = entry(&api());
    if (!plugin_) error_ = "the entry point returned NULL";
    else if (plugin_->abi_version != FERRET_PLUGIN_ABI_VERSION) error_ = "ABI version " + std::to_string(plugin_->abi_version);
  }
  ~PluginHarness() {
    if (handle_) dlclose(handle_);
  }
  PluginHarness(const PluginHarness&) = delete;
  PluginHarness& operator=(const PluginHarness&) = delete;

  const std::string& error() const { return error_; }
  const ferret_plugin* plugin() const { return plugin_; }

  // Parses one file: `path` as the case would give it ("/Downloads/x.torrent"), its content and MIME type.
  PluginRun parse(const std::string& path, const std::string& content, const std::string& mime = "");

 private:
  static const ferret_attr_decl* find_attr(const ferret_kind_decl* kind, const char* name) {
    for (std::size_t i = 0; i < kind->attr_count; ++i) {
      if (std::strcmp(kind->attrs[i].name, name) == 0) return &kind->attrs[i];
    }
    return nullptr;
  }

 private:
  static const ferret_host_api& api();
  void* handle_ = nullptr;
  const ferret_plugin* plugin_ = nullptr;
  std::string error_;
  friend struct ::ferret_file;
  friend struct ::ferret_artifact;
};

}  // namespace ferret::test

// The opaque types, defined by this host.
struct ferret_file {
  ferret::test::PluginHarness* host = nullptr;
  std::string path, name, content, mime;
  ferret::test::PluginRun result;
  std::int64_t next_id = 1;
};
struct ferret_artifact {
  ferret_file* file = nullptr;
  const ferret_kind_decl* kind = nullptr;
  ferret::test::EmittedArtifact emitted;
  bool bad = false;
};

namespace ferret::test {

inline PluginRun PluginHarness::parse(const std::string& path, const std::string& content, const std::string& mime) {
  ferret_file file;
  file.host = this;
  file.path = path;
  file.name = path.substr(path.find_last_of('/') + 1);
  file.content = content;
  file.mime = mime;
  file.result.result = plugin_->parse(&file, &api());
  return std::move(file.result);
}

inline const ferret_host_api& PluginHarness::api() {
  static const ferret_host_api host = [] {
    ferret_host_api h{};
    h.struct_size = sizeof(ferret_host_api);
    h.abi_version = FERRET_PLUGIN_ABI_VERSION;
    h.file_size = [](const ferret_file* f) -> uint64_t { return f->content.size(); };
    h.file_path = [](const ferret_file* f) { return f->path.c_str(); };
    h.file_name = [](const ferret_file* f) { return f->name.c_str(); };
    h.file_mime = [](const ferret_file* f) { return f->mime.c_str(); };
    h.read = [](ferret_file* f, uint64_t offset, void* buffer, size_t length) -> int64_t {
      if (offset >= f->content.size()) return 0;
      const std::size_t n = std::min<std::size_t>(length, f->content.size() - offset);
      std::memcpy(buffer, f->content.data() + offset, n);
      return static_cast<int64_t>(n);
    };
    h.begin_artifact = [](ferret_file* f, const char* kind) -> ferret_artifact* {
      const ferret_plugin* p = f->host->plugin_;
      for (std::size_t i = 0; i < p->kind_count; ++i) {
        if (std::strcmp(p->kinds[i].name, kind) == 0) {
          auto* a = new ferret_artifact;
          a->file = f;
          a->kind = &p->kinds[i];
          a->emitted.kind = kind;
          a->emitted.id = f->next_id++;
          return a;
        }
      }
      f->result.rejected.push_back(std::string("undeclared kind ") + kind);
      return nullptr;
    };
    h.set_text = [](ferret_artifact* a, const char* name, const char* value, size_t length) -> int {
      if (!a) return -1;
      const ferret_attr_decl* d = find_attr(a->kind, name);
      if (!d || d->type == FERRET_ATTR_INT) {
        a->file->result.rejected.push_back(a->emitted.kind + "." + name + ": undeclared or not text");
        a->bad = true;
        return -1;
      }
      a->emitted.attrs[name] = std::string(value, length);
      return 0;
    };
    h.set_int = [](ferret_artifact* a, const char* name, int64_t value) -> int {
      if (!a) return -1;
      const ferret_attr_decl* d = find_attr(a->kind, name);
      if (!d || d->type != FERRET_ATTR_INT) {
        a->file->result.rejected.push_back(a->emitted.kind + "." + name + ": undeclared or not an integer");
        a->bad = true;
        return -1;
      }
      a->emitted.attrs[name] = std::to_string(value);
      return 0;
    };
    h.end_artifact = [](ferret_artifact* a) -> int {
      if (!a) return -1;
      std::unique_ptr<ferret_artifact> owned(a);
      for (std::size_t i = 0; i < a->kind->attr_count; ++i) {
        if (a->kind->attrs[i].required && !a->emitted.attrs.count(a->kind->attrs[i].name)) {
          a->file->result.rejected.push_back(a->emitted.kind + ": required " + a->kind->attrs[i].name + " missing");
          return -1;
        }
      }
      if (a->bad) return -1;
      a->emitted.accepted = true;
      a->file->result.artifacts.push_back(a->emitted);
      return 0;
    };
    h.artifact_id = [](const ferret_artifact* a) -> int64_t { return a ? a->emitted.id : 0; };
    h.log = [](ferret_file* f, ferret_log_level level, const char* message) {
      f->result.log.push_back(std::to_string(static_cast<int>(level)) + ": " + message);
    };
    h.should_stop = [](const ferret_file*) { return 0; };
    return h;
  }();
  return host;
}

}  // namespace ferret::test
