// Reading and checking a plugin's descriptor; value checks; file selection.
#include "plugin_host/plugin_info.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "core/text.h"
#include "plugin_host/c_enum.h"

namespace ferret::plugin_host {

namespace {

// Generous bounds: they only stop a wild descriptor from making the host read or allocate without end.
constexpr std::size_t kMaxTextLength = 4096;
constexpr std::size_t kMaxListLength = 1024;
constexpr std::size_t kMaxAttrs = 256;
constexpr std::size_t kMaxMagicLength = 4096;

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

Error refuse(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

// A NUL-terminated string from the plugin: present, bounded, UTF-8.
Result<std::string> plugin_text(const char* text, const std::string& what, bool may_be_null = false) {
  if (text == nullptr) {
    if (may_be_null) return std::string();
    return refuse(what + " is NULL");
  }
  const std::size_t length = strnlen(text, kMaxTextLength + 1);
  if (length > kMaxTextLength) return refuse(what + " is longer than " + std::to_string(kMaxTextLength) + " bytes");
  std::string out(text, length);
  if (!is_valid_utf8(out)) return refuse(what + " is not valid UTF-8");
  return out;
}

Status check_list(const void* items, std::size_t count, const std::string& what) {
  if (count > kMaxListLength) return refuse(what + ": " + std::to_string(count) + " entries, more than " + std::to_string(kMaxListLength));
  if (count > 0 && items == nullptr) return refuse(what + ": the count is " + std::to_string(count) + " but the list is NULL");
  return {};
}

Result<Selector> read_selector(const ferret_selector& in) {
  Selector out;
  FERRET_TRY(check_list(in.mime_types, in.mime_type_count, "selector.mime_types"));
  for (std::size_t i = 0; i < in.mime_type_count; ++i) {
    auto m = plugin_text(in.mime_types[i], "selector.mime_types[" + std::to_string(i) + "]");
    if (!m.ok()) return m.error();
    if (m->empty() || m->size() > 255 || m->find_first_of(" \t\r\n;") != std::string::npos) {
      return refuse("selector.mime_types[" + std::to_string(i) + "] '" + display_text(*m) + "' is not a MIME type (\"type/subtype\", or a prefix \"video/\")");
    }
    out.mime_types.push_back(lower(*m));
  }
  FERRET_TRY(check_list(in.extensions, in.extension_count, "selector.extensions"));
  for (std::size_t i = 0; i < in.extension_count; ++i) {
    auto e = plugin_text(in.extensions[i], "selector.extensions[" + std::to_string(i) + "]");
    if (!e.ok()) return e.error();
    if (e->empty() || e->size() > 64 || e->find_first_of("./\\") != std::string::npos) {
      return refuse("selector.extensions[" + std::to_string(i) + "] '" + display_text(*e) +
                    "' is not an extension (give it without the dot: \"torrent\")");
    }
    out.extensions.push_back(lower(*e));
  }
  FERRET_TRY(check_list(in.file_names, in.file_name_count, "selector.file_names"));
  for (std::size_t i = 0; i < in.file_name_count; ++i) {
    auto n = plugin_text(in.file_names[i], "selector.file_names[" + std::to_string(i) + "]");
    if (!n.ok()) return n.error();
    if (n->empty() || n->size() > 255 || n->find('/') != std::string::npos) {
      return refuse("selector.file_names[" + std::to_string(i) + "] '" + display_text(*n) + "' is not a file name (no '/')");
    }
    out.file_names.push_back(*n);
  }
  FERRET_TRY(check_list(in.magics, in.magic_count, "selector.magics"));
  for (std::size_t i = 0; i < in.magic_count; ++i) {
    const ferret_magic& m = in.magics[i];
    const std::string what = "selector.magics[" + std::to_string(i) + "]";
    if (m.length == 0 || m.length > kMaxMagicLength) {
      return refuse(what + ": length " + std::to_string(m.length) + " (it must be 1 to " + std::to_string(kMaxMagicLength) + " bytes)");
    }
    if (m.bytes == nullptr) return refuse(what + ": bytes is NULL");
    if (m.offset > kMaxMagicEnd || m.offset + m.length > kMaxMagicEnd) {
      return refuse(what + ": ends past the first " + std::to_string(kMaxMagicEnd) + " bytes of a file, which is all the host reads before offering it");
    }
    out.magics.push_back({std::string(reinterpret_cast<const char*>(m.bytes), m.length), m.offset});
  }
  if (out.mime_types.empty() && out.extensions.empty() && out.file_names.empty() && out.magics.empty()) {
    return refuse("the selector is empty: the plugin would never be offered a file");
  }
  return out;
}

Result<KindInfo> read_kind(const ferret_kind_decl& in, std::size_t index) {
  KindInfo out;
  auto name = plugin_text(in.name, "kinds[" + std::to_string(index) + "].name");
  if (!name.ok()) return name.error();
  if (!is_valid_name(*name)) return refuse("kind '" + display_text(*name) + "': a kind name is [a-z0-9_]+, at most 64 characters");
  out.name = *name;
  const std::string what = "kind '" + out.name + "'";
  auto description = plugin_text(in.description, what + ": description", /*may_be_null=*/true);
  if (!description.ok()) return description.error();
  out.description = *description;
  if (in.attr_count > kMaxAttrs) return refuse(what + ": " + std::to_string(in.attr_count) + " attributes, more than " + std::to_string(kMaxAttrs));
  if (in.attr_count > 0 && in.attrs == nullptr) return refuse(what + ": attr_count is " + std::to_string(in.attr_count) + " but attrs is NULL");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < in.attr_count; ++i) {
    const ferret_attr_decl& a = in.attrs[i];
    AttrInfo attr;
    auto attr_name = plugin_text(a.name, what + ": attrs[" + std::to_string(i) + "].name");
    if (!attr_name.ok()) return attr_name.error();
    if (!is_valid_name(*attr_name)) {
      return refuse(what + ": attribute '" + display_text(*attr_name) + "': an attribute name is [a-z0-9_]+, at most 64 characters");
    }
    attr.name = *attr_name;
    if (!seen.insert(attr.name).second) return refuse(what + ": attribute '" + attr.name + "' declared twice");
    const int type = c_enum_value(a.type);  // any int a C plugin stored
    if (type < FERRET_ATTR_TEXT || type > FERRET_ATTR_REAL) {
      return refuse(what + ": attribute '" + attr.name + "' has type " + std::to_string(type) +
                    ", not one of FERRET_ATTR_TEXT, _INT, _HEX, _TIME, _REAL (1 to 5)");
    }
    attr.type = a.type;
    if (attr.name == "parent" && attr.type != FERRET_ATTR_INT) {
      return refuse(what + ": attribute 'parent' refers to another artifact's id and must be FERRET_ATTR_INT");
    }
    attr.required = a.required != 0;
    auto attr_description = plugin_text(a.description, what + ": attribute '" + attr.name + "' description", true);
    if (!attr_description.ok()) return attr_description.error();
    attr.description = *attr_description;
    out.attrs.push_back(std::move(attr));
  }
  return out;
}

// The byte offset of the first byte that does not start a valid UTF-8 sequence, if any.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(text, i, cp);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<std::string> check_time(std::string_view v) {
  static constexpr char kShape[] = "dddd-dd-ddTdd:dd:ddZ";
  const std::string why = "not a UTC time \"YYYY-MM-DDTHH:MM:SSZ\"";
  if (v.size() != sizeof kShape - 1) return why;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (kShape[i] == 'd' ? !is_digit(v[i]) : v[i] != kShape[i]) return why;
  }
  auto num = [&](std::size_t at, std::size_t n) {
    int x = 0;
    for (std::size_t i = 0; i < n; ++i) x = x * 10 + (v[at + i] - '0');
    return x;
  };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2), hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return why + ": month " + std::to_string(month);
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > days) return why + ": day " + std::to_string(day) + " of month " + std::to_string(month);
  if (hour > 23 || minute > 59 || second > 60) return why + ": time of day out of range";
  return std::nullopt;
}

}  // namespace

int KindInfo::find_attr(std::string_view attr) const {
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (attrs[i].name == attr) return static_cast<int>(i);
  }
  return -1;
}

int PluginInfo::find_kind(std::string_view kind) const {
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i].name == kind) return static_cast<int>(i);
  }
  return -1;
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'; });
}

const char* type_name(ferret_attr_type type) {
  switch (type) {
    case FERRET_ATTR_TEXT: return "text";
    case FERRET_ATTR_INT: return "int";
    case FERRET_ATTR_HEX: return "hex";
    case FERRET_ATTR_TIME: return "time";
    case FERRET_ATTR_REAL: return "real";
  }
  return "";
}

Result<PluginInfo> read_descriptor(const ferret_plugin* plugin, PartialInfo& partial) {
  if (plugin == nullptr) return refuse("ferret_plugin_entry_v1 returned NULL: the plugin declined to work with this host");
  PluginInfo out;
  // struct_size and abi_version open every version of the descriptor; nothing after them may be
  // read until both say the layout is the one this host knows.
  out.abi_version = plugin->abi_version;
  out.struct_size = plugin->struct_size;
  partial.abi_version = out.abi_version;
  if (out.abi_version != FERRET_PLUGIN_ABI_VERSION) {
    return refuse("built for plugin ABI version " + std::to_string(out.abi_version) + ", but this Ferret's host speaks ABI version " +
                  std::to_string(FERRET_PLUGIN_ABI_VERSION) + ": rebuild the plugin against this Ferret's include/ferret/plugin.h");
  }
  if (out.struct_size < sizeof(ferret_plugin)) {
    return refuse("its descriptor says it is " + std::to_string(out.struct_size) + " bytes (struct_size), but an ABI version " +
                  std::to_string(FERRET_PLUGIN_ABI_VERSION) + " descriptor is at least " + std::to_string(sizeof(ferret_plugin)) +
                  ": set struct_size = sizeof(ferret_plugin)");
  }
  auto name = plugin_text(plugin->name, "name");
  if (!name.ok()) return name.error();
  partial.name = *name;
  if (!is_valid_name(*name)) return refuse("the name '" + display_text(*name) + "' is not [a-z0-9_]+ (at most 64 characters)");
  out.name = *name;
  auto version = plugin_text(plugin->version, "version");
  if (!version.ok()) return version.error();
  partial.version = *version;
  if (version->empty() || version->size() > 64 ||
      std::any_of(version->begin(), version->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return refuse("the version '" + display_text(*version) + "' must be 1 to 64 printable characters (\"1.0.0\")");
  }
  out.version = *version;
  auto description = plugin_text(plugin->description, "description", true);
  if (!description.ok()) return description.error();
  out.description = *description;
  if (plugin->parse == nullptr) return refuse("parse is NULL");
  auto selector = read_selector(plugin->selector);
  if (!selector.ok()) return selector.error();
  out.selector = std::move(*selector);
  FERRET_TRY(check_list(plugin->kinds, plugin->kind_count, "kinds"));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < plugin->kind_count; ++i) {
    auto kind = read_kind(plugin->kinds[i], i);
    if (!kind.ok()) return kind.error();
    if (!seen.insert(kind->name).second) return refuse("kind '" + kind->name + "' declared twice");
    out.kinds.push_back(std::move(*kind));
  }
  return out;
}

std::optional<std::string> check_value(ferret_attr_type type, std::string_view value) {
  switch (type) {
    case FERRET_ATTR_TEXT: {
      if (auto bad = first_invalid_utf8(value)) return "not valid UTF-8 (byte " + std::to_string(*bad) + ")";
      if (auto nul = value.find('\0'); nul != std::string_view::npos) return "holds a NUL byte (byte " + std::to_string(nul) + ")";
      return std::nullopt;
    }
    case FERRET_ATTR_INT: {
      std::size_t i = value.size() > 0 && value[0] == '-' ? 1 : 0;
      if (i == value.size() || value.size() > 20) return "not a 64-bit integer";
      for (; i < value.size(); ++i) {
        if (!is_digit(value[i])) return "not a 64-bit integer";
      }
      errno = 0;
      const std::string copy(value);
      (void)std::strtoll(copy.c_str(), nullptr, 10);
      if (errno == ERANGE) return "not a 64-bit integer (out of range)";
      return std::nullopt;
    }
    case FERRET_ATTR_HEX: {
      if (value.empty()) return "empty: hex needs at least one digit";
      for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (is_digit(c) || (c >= 'a' && c <= 'f')) continue;
        if (c >= 'A' && c <= 'F') return "uppercase hex digit at byte " + std::to_string(i) + ": hex must be lowercase";
        return "not hexadecimal (byte " + std::to_string(i) + ")";
      }
      return std::nullopt;
    }
    case FERRET_ATTR_TIME: return check_time(value);
    case FERRET_ATTR_REAL: {
      // -?digits(.digits)?: what SQLite and every reader parse the same way (no exponent, no inf/nan).
      std::size_t i = value.size() > 0 && value[0] == '-' ? 1 : 0;
      const std::size_t int_start = i;
      while (i < value.size() && is_digit(value[i])) ++i;
      bool ok = i > int_start;
      if (ok && i < value.size()) {
        if (value[i] != '.') ok = false;
        const std::size_t frac_start = ++i;
        while (i < value.size() && is_digit(value[i])) ++i;
        ok = ok && i > frac_start && i == value.size();
      }
      if (!ok || value.size() > 64) return "not a decimal number (\"12.5\", \"-3\")";
      return std::nullopt;
    }
  }
  return "of an unknown type";
}

std::string extension_of(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return "";
  return lower(name.substr(dot + 1));
}

bool selects_by_name(const Selector& selector, const FileFacts& file) {
  if (!file.mime.empty()) {
    const std::string mime = lower(file.mime);
    for (const auto& m : selector.mime_types) {
      if (m.back() == '/' ? mime.starts_with(m) : mime == m) return true;
    }
  }
  if (!selector.extensions.empty()) {
    const std::string ext = extension_of(file.name);
    if (!ext.empty() && std::find(selector.extensions.begin(), selector.extensions.end(), ext) != selector.extensions.end()) return true;
  }
  return std::any_of(selector.file_names.begin(), selector.file_names.end(), [&](const std::string& n) { return iequals(n, file.name); });
}

bool selects_by_magic(const Selector& selector, std::string_view head) {
  return std::any_of(selector.magics.begin(), selector.magics.end(), [&](const Magic& m) {
    return m.offset + m.bytes.size() <= head.size() && head.substr(static_cast<std::size_t>(m.offset), m.bytes.size()) == m.bytes;
  });
}

std::uint64_t head_bytes_needed(const Selector& selector) {
  std::uint64_t out = 0;
  for (const auto& m : selector.magics) out = std::max<std::uint64_t>(out, m.offset + m.bytes.size());
  return out;
}

}  // namespace ferret::plugin_host
