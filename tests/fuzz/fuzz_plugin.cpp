// Fuzzes one artifact-parser plugin in-process (built once per plugin by tests/fuzz/CMakeLists.txt):
// the input is a file's content, offered to the plugin's parse() through a host that reads from
// memory and checks what comes back. An input that starts with "FUZZPATH:<path>\n" gives the
// file's path in the case (some plugins read names: release names, History vs places.sqlite);
// otherwise the plugin's FERRET_FUZZ_DEFAULT_PATH is used.
// Fuzzing builds link the plugin's sources into the harness; the replay build loads the built
// shared object (FERRET_FUZZ_PLUGIN_SO), as the host does.
#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ferret/plugin.h"
#include "plugin_host/plugin_info.h"

#ifndef FERRET_FUZZ_PLUGIN_SO
extern "C" const ferret_plugin* ferret_plugin_entry_v1(const ferret_host_api* host);
#endif

struct ferret_file {
  std::string path, name;
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::int64_t next_id = 1;
  std::size_t artifacts = 0;
};
struct ferret_artifact {
  ferret_file* file = nullptr;
  const ferret_kind_decl* kind = nullptr;
  std::int64_t id = 0;
  std::vector<bool> set;  // per declared attribute
};

namespace {

const ferret_plugin* g_plugin = nullptr;

const ferret_attr_decl* find_attr(const ferret_kind_decl* kind, const char* name) {
  for (std::size_t i = 0; i < kind->attr_count; ++i) {
    if (std::strcmp(kind->attrs[i].name, name) == 0) return &kind->attrs[i];
  }
  return nullptr;
}

[[noreturn]] void fail(const ferret_artifact* a, const char* attr, const char* why, std::string_view value = {}) {
  std::fprintf(stderr, "the host would reject this %s artifact: %s: %s (value: \"%.*s\")\n", a->kind->name, attr, why,
               static_cast<int>(std::min<std::size_t>(value.size(), 200)), value.data());
  __builtin_trap();
}

ferret_host_api make_api() {
  ferret_host_api h{};
  h.struct_size = sizeof(ferret_host_api);
  h.abi_version = FERRET_PLUGIN_ABI_VERSION;
  h.file_size = [](const ferret_file* f) -> uint64_t { return f->size; };
  h.file_path = [](const ferret_file* f) { return f->path.c_str(); };
  h.file_name = [](const ferret_file* f) { return f->name.c_str(); };
  h.file_mime = [](const ferret_file*) { return ""; };
  h.read = [](ferret_file* f, uint64_t offset, void* buffer, size_t length) -> int64_t {
    if (offset >= f->size) return 0;
    const std::size_t n = std::min<std::size_t>(length, f->size - offset);
    std::memcpy(buffer, f->data + offset, n);  // ASan checks `buffer` holds `length` bytes' worth
    return static_cast<int64_t>(n);
  };
  h.begin_artifact = [](ferret_file* f, const char* kind) -> ferret_artifact* {
    for (std::size_t i = 0; i < g_plugin->kind_count; ++i) {
      if (std::strcmp(g_plugin->kinds[i].name, kind) == 0) {
        auto* a = new ferret_artifact;
        a->file = f;
        a->kind = &g_plugin->kinds[i];
        a->id = f->next_id++;
        a->set.assign(a->kind->attr_count, false);
        return a;
      }
    }
    std::fprintf(stderr, "plugin began an undeclared kind %s\n", kind);
    __builtin_trap();
  };
  // What the real host refuses (lib/plugin_host/plugin_info.cpp) is a plugin bug here: an artifact the
  // host rejects is lost from the case.
  h.set_text = [](ferret_artifact* a, const char* name, const char* value, size_t length) -> int {
    if (!a) return -1;
    const ferret_attr_decl* d = find_attr(a->kind, name);
    if (!d || d->type == FERRET_ATTR_INT) fail(a, name, "undeclared, or an integer set as text");
    const std::string_view v(value, length);  // ASan: the value must be readable
    if (auto why = ferret::plugin_host::check_value(d->type, v)) fail(a, name, why->c_str(), v);
    a->set[static_cast<std::size_t>(d - a->kind->attrs)] = true;
    return 0;
  };
  h.set_int = [](ferret_artifact* a, const char* name, int64_t) -> int {
    if (!a) return -1;
    const ferret_attr_decl* d = find_attr(a->kind, name);
    if (!d || d->type != FERRET_ATTR_INT) fail(a, name, "undeclared, or not an integer attribute");
    a->set[static_cast<std::size_t>(d - a->kind->attrs)] = true;
    return 0;
  };
  h.end_artifact = [](ferret_artifact* a) -> int {
    if (!a) return -1;
    for (std::size_t i = 0; i < a->kind->attr_count; ++i) {
      if (a->kind->attrs[i].required && !a->set[i]) fail(a, a->kind->attrs[i].name, "required and not set");
    }
    ++a->file->artifacts;
    delete a;
    return 0;
  };
  h.artifact_id = [](const ferret_artifact* a) -> int64_t { return a ? a->id : 0; };
  h.log = [](ferret_file*, ferret_log_level, const char* message) { (void)std::strlen(message); };
  h.should_stop = [](const ferret_file*) { return 0; };
  return h;
}

const ferret_host_api& api() {
  static const ferret_host_api h = make_api();
  return h;
}

const ferret_plugin* load() {
#ifdef FERRET_FUZZ_PLUGIN_SO
  void* handle = dlopen(FERRET_FUZZ_PLUGIN_SO, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "cannot load %s: %s\n", FERRET_FUZZ_PLUGIN_SO, dlerror());
    std::abort();
  }
  auto entry = reinterpret_cast<ferret_plugin_entry_v1_fn>(dlsym(handle, "ferret_plugin_entry_v1"));
  if (!entry) std::abort();
  return entry(&api());
#else
  return ferret_plugin_entry_v1(&api());
#endif
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (!g_plugin) g_plugin = load();
  if (!g_plugin) std::abort();
  ferret_file file;
  file.path = FERRET_FUZZ_DEFAULT_PATH;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kPrefix = "FUZZPATH:";
  if (text.substr(0, kPrefix.size()) == kPrefix) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return 0;
    file.path = std::string(text.substr(kPrefix.size(), nl - kPrefix.size()));
    data += nl + 1;
    size -= nl + 1;
  }
  file.name = file.path.substr(file.path.find_last_of('/') + 1);
  // The content in a heap block of exactly its size, so a read past the end is caught.
  std::unique_ptr<std::uint8_t[]> content(new std::uint8_t[size + 1]);
  if (size) std::memcpy(content.get(), data, size);
  file.data = content.get();
  file.size = size;
  const ferret_parse_result r = g_plugin->parse(&file, &api());
  if (r < FERRET_PARSE_OK || r > FERRET_PARSE_FAILED) __builtin_trap();
  return 0;
}
