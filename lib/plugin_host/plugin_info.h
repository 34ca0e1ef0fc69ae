// A plugin's descriptor copied out of the plugin into plain C++ values, checked against the rules of
// include/ferret/plugin.h, and the checks every emitted value and every offered file go through.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ferret/plugin.h"

namespace ferret::plugin_host {

// The host's limits. A plugin that goes past the first two on one file is recorded as 'flood' for
// that file and what it emitted there is dropped; a longer value is refused like a value of the
// wrong type (its artifact is rejected), because one oversized field is a bug, not a flood.
struct Limits {
  std::uint64_t max_artifacts = 100'000;         // begun artifacts per file per plugin
  std::uint64_t max_text_bytes = 64ull << 20;    // bytes of attribute values per file per plugin
  std::uint64_t max_value_bytes = 1ull << 20;    // one attribute value
  std::uint64_t max_log_lines = 200;             // kept per file per plugin; the rest are counted
  std::uint64_t max_log_line_bytes = 2000;       // longer messages are cut
};

// The address space a plugin worker may use unless told otherwise (ParseOptions::worker_memory).
inline constexpr std::uint64_t kDefaultWorkerMemory = 4ull << 30;

// Magics must lie in the first MiB: that is all the host reads of a file before offering it.
inline constexpr std::uint64_t kMaxMagicEnd = 1u << 20;

struct AttrInfo {
  std::string name;
  ferret_attr_type type = FERRET_ATTR_TEXT;
  bool required = false;
  std::string description;
};

struct KindInfo {
  std::string name;
  std::string description;
  std::vector<AttrInfo> attrs;
  // Index of `name` in attrs, or -1.
  int find_attr(std::string_view attr) const;
};

struct Magic {
  std::string bytes;
  std::uint64_t offset = 0;
};

struct Selector {
  std::vector<std::string> mime_types;  // lowercase
  std::vector<std::string> extensions;  // lowercase, no dot
  std::vector<std::string> file_names;  // as declared; compared ASCII-case-insensitively
  std::vector<Magic> magics;
};

struct PluginInfo {
  std::string name;
  std::string version;
  std::string description;
  std::uint32_t abi_version = 0;
  std::uint32_t struct_size = 0;
  Selector selector;
  std::vector<KindInfo> kinds;
  // Index of `kind` in kinds, or -1.
  int find_kind(std::string_view kind) const;
};

// What could be read of a refused descriptor, for the record (plugin_loads.plugin/version/abi_version).
struct PartialInfo {
  std::optional<std::string> name, version;
  std::optional<std::uint32_t> abi_version;
};

// Copies and checks the descriptor a plugin's entry point returned. Refusals say what is wrong in
// words a plugin author can act on ("kind 'torrent': attribute 'x' declared twice"). `partial`
// receives what could be read even when the descriptor is refused. Reading a descriptor whose
// pointers are wild may crash: call it only in a worker process.
Result<PluginInfo> read_descriptor(const ferret_plugin* plugin, PartialInfo& partial);

// [a-z0-9_]+, at most 64 characters: plugin, kind and attribute names.
bool is_valid_name(std::string_view name);

// "text", "int", "hex", "time", "real" (artifact_attributes.type); "" for an unknown type.
const char* type_name(ferret_attr_type type);

// Why `value` is not a valid value of `type` ("not valid UTF-8 at byte 12"), or nothing when it is.
// INT values are checked as decimal int64 text (the host stores them so).
std::optional<std::string> check_value(ferret_attr_type type, std::string_view value);

// What the host knows of a file when it decides which plugins to offer it to.
struct FileFacts {
  std::string name;  // last path component
  std::string mime;  // files.mime ("" when unknown)
};

// Whether the selector takes the file by its MIME type, extension or name (no content needed).
bool selects_by_name(const Selector& selector, const FileFacts& file);
// Whether one of the selector's magics is in `head` (the first bytes of the content).
bool selects_by_magic(const Selector& selector, std::string_view head);
// How many bytes of the head the selector's magics need (0 when it has none).
std::uint64_t head_bytes_needed(const Selector& selector);

// The extension of a file name, lowercase, without the dot ("" when none: "README", ".bashrc", "a.").
std::string extension_of(std::string_view name);

}  // namespace ferret::plugin_host
