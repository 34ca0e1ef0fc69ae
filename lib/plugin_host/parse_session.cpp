// The host functions a plugin calls while parsing one file: every handle recognised before use,
// every value checked against the declaration, every limit counted.
#include "plugin_host/parse_session.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <limits>
#include <set>
#include <unordered_set>

#include "core/text.h"
#include "plugin_host/c_enum.h"

namespace ferret::plugin_host {

namespace {

struct Pending {
  std::int64_t id = 0;
  std::uint32_t kind = 0;
  std::vector<EmittedAttr> attrs;
  bool bad = false;   // a set_* call was refused: the artifact will be rejected
  bool open = true;   // not ended yet
};

// `level` is the integer a plugin passed: a C caller may pass any int, so it is never held as a
// ferret_log_level (a value outside the enum's range is undefined behaviour in C++).
const char* level_name(int level) {
  switch (level) {
    case FERRET_LOG_DEBUG: return "debug";
    case FERRET_LOG_INFO: return "info";
    case FERRET_LOG_WARNING: return "warning";
    case FERRET_LOG_ERROR: return "error";
    default: return "info";
  }
}

// A string handed over by the plugin: NULL-safe, bounded by `limit`.
std::string bounded_c_string(const char* s, std::size_t limit) {
  if (s == nullptr) return "(null)";
  return std::string(s, strnlen(s, limit));
}

class Session {
 public:
  Session(const ferret_plugin& plugin, const PluginInfo& info, const FileView& file, ContentSource& content,
          const SessionOptions& options)
      : plugin_(plugin), info_(info), file_(file), content_(content), options_(options) {}

  ParseOutput run() {
    const int result = plugin_.parse(handle(), &host_api());
    out_.result = result;
    if (!flooded_) {
      for (const Pending& p : artifacts_) {
        if (p.open) note("warning", "artifact " + std::to_string(p.id) + " (" + kind_name(p) + ") was begun but never ended: not recorded");
      }
    }
    return std::move(out_);
  }

  ferret_file* handle() { return reinterpret_cast<ferret_file*>(this); }
  const FileView& file() const { return file_; }
  std::uint64_t content_size() const { return content_.size(); }
  std::size_t max_value_bytes() const {
    return static_cast<std::size_t>(std::min<std::uint64_t>(options_.limits.max_value_bytes, std::numeric_limits<std::size_t>::max() - 1));
  }

  bool owns(const ferret_file* f) const { return f == reinterpret_cast<const ferret_file*>(this); }

  Pending* find(const ferret_artifact* a) {
    auto* p = reinterpret_cast<Pending*>(const_cast<ferret_artifact*>(a));
    return live_.count(p) ? p : nullptr;
  }

  std::int64_t read(std::uint64_t offset, void* buffer, std::size_t length) {
    if (length == 0) return 0;
    if (buffer == nullptr) {
      note("warning", "read() was given a NULL buffer");
      return -1;
    }
    const std::uint64_t size = content_.size();
    if (offset >= size) return 0;
    const std::uint64_t cap = std::min<std::uint64_t>({length, size - offset, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())});
    auto got = content_.read_at(offset, std::span<std::byte>(static_cast<std::byte*>(buffer), static_cast<std::size_t>(cap)));
    if (!got.ok()) {
      if (out_.read_error.empty()) {
        out_.read_error = "the content cannot be read at byte " + std::to_string(offset) + " of the file: " + got.error().message;
        note("error", out_.read_error);
      }
      return -1;
    }
    return static_cast<std::int64_t>(*got);
  }

  ferret_artifact* begin(const char* kind) {
    if (flooded_) return nullptr;
    if (kind == nullptr) {
      note("warning", "begin_artifact() was given a NULL kind");
      return nullptr;
    }
    const std::string name = bounded_c_string(kind, 256);
    const int k = info_.find_kind(name);
    if (k < 0) {
      note("warning", "artifact of undeclared kind '" + display_text(name) + "' refused");
      return nullptr;
    }
    if (begun_ >= options_.limits.max_artifacts) {
      flood("more than " + std::to_string(options_.limits.max_artifacts) + " artifacts for one file");
      return nullptr;
    }
    ++begun_;
    Pending& p = artifacts_.emplace_back();
    p.id = next_id_++;
    p.kind = static_cast<std::uint32_t>(k);
    live_.insert(&p);
    return reinterpret_cast<ferret_artifact*>(&p);
  }

  int set(ferret_artifact* a, const char* name, std::string value, bool is_int, std::size_t given_length) {
    if (flooded_) return -1;
    Pending* p = find(a);
    if (p == nullptr) {
      note("warning", std::string(is_int ? "set_int" : "set_text") + "() was given an artifact handle the host did not hand out");
      return -1;
    }
    const std::string what = "artifact " + std::to_string(p->id) + " (" + kind_name(*p) + ")";
    if (!p->open) {
      note("warning", what + ": an attribute was set after end_artifact()");
      return -1;
    }
    if (name == nullptr) return refuse_attr(*p, what + ": attribute with a NULL name refused");
    const std::string attr_name = bounded_c_string(name, 256);
    const KindInfo& kind = info_.kinds[p->kind];
    const int index = kind.find_attr(attr_name);
    if (index < 0) return refuse_attr(*p, what + ": attribute '" + display_text(attr_name) + "' is not declared for this kind");
    const AttrInfo& attr = kind.attrs[static_cast<std::size_t>(index)];
    if (is_int != (attr.type == FERRET_ATTR_INT)) {
      return refuse_attr(*p, what + ": attribute '" + attr.name + "' is declared " + type_name(attr.type) + ", set with " +
                                 (is_int ? "set_int" : "set_text"));
    }
    if (value.size() > options_.limits.max_value_bytes) {
      return refuse_attr(*p, what + ": attribute '" + attr.name + "' value of " + std::to_string(given_length) + " bytes refused (the limit is " +
                                 std::to_string(options_.limits.max_value_bytes) + ")");
    }
    if (auto why = check_value(attr.type, value)) {
      return refuse_attr(*p, what + ": attribute '" + attr.name + "' (" + type_name(attr.type) + ") refused: " + *why);
    }
    if (attr.name == "parent" && (value.empty() || !accepted_.count(std::stoll(value)))) {
      return refuse_attr(*p, what + ": parent " + value + " is not an artifact of this file recorded before it");
    }
    auto existing = std::find_if(p->attrs.begin(), p->attrs.end(), [&](const EmittedAttr& e) { return e.attr == static_cast<std::uint32_t>(index); });
    const std::uint64_t old_size = existing != p->attrs.end() ? existing->value.size() : 0;
    text_bytes_ = text_bytes_ - old_size + value.size();
    if (text_bytes_ > options_.limits.max_text_bytes) {
      flood("more than " + std::to_string(options_.limits.max_text_bytes) + " bytes of attribute values for one file");
      return -1;
    }
    if (existing != p->attrs.end()) existing->value = std::move(value);
    else p->attrs.push_back({static_cast<std::uint32_t>(index), std::move(value)});
    return 0;
  }

  int end(ferret_artifact* a) {
    if (flooded_) return -1;
    Pending* p = find(a);
    if (p == nullptr) {
      note("warning", "end_artifact() was given an artifact handle the host did not hand out");
      return -1;
    }
    const std::string what = "artifact " + std::to_string(p->id) + " (" + kind_name(*p) + ")";
    if (!p->open) {
      note("warning", what + ": end_artifact() called twice");
      return -1;
    }
    p->open = false;
    if (p->bad) {
      note("warning", what + " rejected: an attribute was refused (see above)");
      release(*p);
      return -1;
    }
    const KindInfo& kind = info_.kinds[p->kind];
    for (std::size_t i = 0; i < kind.attrs.size(); ++i) {
      if (!kind.attrs[i].required) continue;
      const bool set = std::any_of(p->attrs.begin(), p->attrs.end(), [&](const EmittedAttr& e) { return e.attr == i; });
      if (!set) {
        note("warning", what + " rejected: required attribute '" + kind.attrs[i].name + "' not set");
        release(*p);
        return -1;
      }
    }
    std::sort(p->attrs.begin(), p->attrs.end(), [](const EmittedAttr& x, const EmittedAttr& y) { return x.attr < y.attr; });
    accepted_.insert(p->id);
    out_.artifacts.push_back({p->id, p->kind, std::move(p->attrs)});
    p->attrs.clear();
    return 0;
  }

  std::int64_t id_of(const ferret_artifact* a) {
    const Pending* p = find(a);
    return p != nullptr ? p->id : 0;
  }

  void log(int level, const char* message) {
    note(level_name(level), bounded_c_string(message, options_.limits.max_log_line_bytes + 1));
  }

  bool should_stop() const {
    if (flooded_) return true;
    if (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed)) return true;
    return std::chrono::steady_clock::now() >= options_.stop_at;
  }

 private:
  std::string kind_name(const Pending& p) const { return info_.kinds[p.kind].name; }

  int refuse_attr(Pending& p, const std::string& message) {
    p.bad = true;
    note("warning", message);
    return -1;
  }

  // A rejected artifact's values no longer count towards the flood limit.
  void release(Pending& p) {
    for (const auto& e : p.attrs) text_bytes_ -= e.value.size();
    p.attrs.clear();
  }

  void note(const char* level, std::string message) {
    if (out_.log.size() >= options_.limits.max_log_lines) {
      ++out_.log_dropped;
      return;
    }
    if (message.size() > options_.limits.max_log_line_bytes) {
      message.resize(options_.limits.max_log_line_bytes);
      message += " [cut]";
    }
    // Messages are stored as text: whatever the plugin sent becomes valid UTF-8.
    out_.log.push_back(std::string(level) + ": " + escape_invalid_utf8(message));
  }

  void flood(const std::string& why) {
    flooded_ = true;
    out_.ending = Ending::flood;
    out_.flood_reason = why;
    out_.artifacts.clear();
    out_.artifacts.shrink_to_fit();
    artifacts_.clear();
    live_.clear();
    if (options_.on_flood) options_.on_flood(out_);
  }

  const ferret_plugin& plugin_;
  const PluginInfo& info_;
  const FileView& file_;
  ContentSource& content_;
  const SessionOptions& options_;
  ParseOutput out_;
  std::deque<Pending> artifacts_;  // stable addresses: the handles given out
  std::unordered_set<const Pending*> live_;
  std::set<std::int64_t> accepted_;
  std::int64_t next_id_ = 1;
  std::uint64_t begun_ = 0;
  std::uint64_t text_bytes_ = 0;
  bool flooded_ = false;
};

// The one session of this process; host functions compare handles against it before using them.
Session* g_session = nullptr;

Session* session_of(const ferret_file* f) { return g_session != nullptr && g_session->owns(f) ? g_session : nullptr; }

// A named function, not a lambda: a lambda's function-pointer thunk would pass `level` on as the enum
// (a load of it), and a C plugin may pass any int there (c_enum_value).
void host_log(ferret_file* f, ferret_log_level level, const char* message) {
  if (Session* s = session_of(f)) s->log(c_enum_value(level), message);
}

const ferret_host_api kHostApi = [] {
  ferret_host_api h{};
  h.struct_size = sizeof(ferret_host_api);
  h.abi_version = FERRET_PLUGIN_ABI_VERSION;
  h.file_size = [](const ferret_file* f) -> uint64_t {
    Session* s = session_of(f);
    return s != nullptr ? s->content_size() : 0;
  };
  h.file_path = [](const ferret_file* f) -> const char* {
    Session* s = session_of(f);
    return s != nullptr ? s->file().path.c_str() : "";
  };
  h.file_name = [](const ferret_file* f) -> const char* {
    Session* s = session_of(f);
    return s != nullptr ? s->file().name.c_str() : "";
  };
  h.file_mime = [](const ferret_file* f) -> const char* {
    Session* s = session_of(f);
    return s != nullptr ? s->file().mime.c_str() : "";
  };
  h.read = [](ferret_file* f, uint64_t offset, void* buffer, size_t length) -> int64_t {
    Session* s = session_of(f);
    return s != nullptr ? s->read(offset, buffer, length) : -1;
  };
  h.begin_artifact = [](ferret_file* f, const char* kind) -> ferret_artifact* {
    Session* s = session_of(f);
    return s != nullptr ? s->begin(kind) : nullptr;
  };
  h.set_text = [](ferret_artifact* a, const char* name, const char* value, size_t length) -> int {
    if (g_session == nullptr) return -1;
    if (value == nullptr && length > 0) {
      g_session->log(FERRET_LOG_WARNING, "set_text() was given a NULL value");
      return -1;
    }
    // Copy no more than the limit allows (plus one byte, so that the length check still refuses it).
    const std::size_t take = std::min<std::size_t>(length, g_session->max_value_bytes() + 1);
    std::string v = value != nullptr ? std::string(value, take) : std::string();
    return g_session->set(a, name, std::move(v), false, length);
  };
  h.set_int = [](ferret_artifact* a, const char* name, int64_t value) -> int {
    if (g_session == nullptr) return -1;
    std::string text = std::to_string(value);
    const std::size_t length = text.size();
    return g_session->set(a, name, std::move(text), true, length);
  };
  h.end_artifact = [](ferret_artifact* a) -> int { return g_session != nullptr ? g_session->end(a) : -1; };
  h.artifact_id = [](const ferret_artifact* a) -> int64_t { return g_session != nullptr ? g_session->id_of(a) : 0; };
  h.log = &host_log;
  h.should_stop = [](const ferret_file* f) -> int {
    Session* s = session_of(f);
    return s == nullptr || s->should_stop() ? 1 : 0;
  };
  return h;
}();

}  // namespace

const ferret_host_api& host_api() { return kHostApi; }

const char* parse_result_name(int result) {
  switch (result) {
    case FERRET_PARSE_OK: return "ok";
    case FERRET_PARSE_NOT_MINE: return "not_mine";
    case FERRET_PARSE_MALFORMED: return "malformed";
    case FERRET_PARSE_FAILED: return "failed";
    default: return "";
  }
}

std::optional<std::string> check_output(const PluginInfo& info, const ParseOutput& out, const Limits& limits) {
  if (out.ending == Ending::flood && !out.artifacts.empty()) return "a flood answer carries artifacts";
  if (out.artifacts.size() > limits.max_artifacts) return "more artifacts than the limit";
  if (out.log.size() > limits.max_log_lines) return "more log lines than the limit";
  std::set<std::int64_t> seen;
  std::uint64_t text = 0;
  for (const EmittedArtifact& a : out.artifacts) {
    const std::string what = "artifact " + std::to_string(a.id);
    if (a.id < 1 || !seen.insert(a.id).second) return what + ": id missing or repeated";
    if (a.kind >= info.kinds.size()) return what + ": kind " + std::to_string(a.kind) + " not declared";
    const KindInfo& kind = info.kinds[a.kind];
    std::vector<bool> set(kind.attrs.size(), false);
    for (const EmittedAttr& v : a.attrs) {
      if (v.attr >= kind.attrs.size() || set[v.attr]) return what + ": attribute " + std::to_string(v.attr) + " undeclared or repeated";
      set[v.attr] = true;
      const AttrInfo& attr = kind.attrs[v.attr];
      if (v.value.size() > limits.max_value_bytes) return what + ": attribute '" + attr.name + "' too long";
      if (auto why = check_value(attr.type, v.value)) return what + ": attribute '" + attr.name + "' " + *why;
      if (attr.name == "parent" && (std::stoll(v.value) == a.id || !seen.count(std::stoll(v.value)))) return what + ": parent not recorded before it";
      text += v.value.size();
    }
    for (std::size_t i = 0; i < kind.attrs.size(); ++i) {
      if (kind.attrs[i].required && !set[i]) return what + ": required attribute '" + kind.attrs[i].name + "' missing";
    }
  }
  if (text > limits.max_text_bytes) return "more attribute text than the limit";
  return std::nullopt;
}

ParseOutput run_parse(const ferret_plugin& plugin, const PluginInfo& info, const FileView& file, ContentSource& content,
                      const SessionOptions& options) {
  Session session(plugin, info, file, content, options);
  Session* previous = g_session;
  g_session = &session;
  ParseOutput out = session.run();
  g_session = previous;
  return out;
}

}  // namespace ferret::plugin_host
