// The host side of include/ferret/plugin.h for one file: the bounded reader and the checked emitters a
// plugin's parse() calls, and what came out of it. Runs in the worker process (and in unit tests).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "ferret/plugin.h"
#include "plugin_host/plugin_info.h"

namespace ferret::plugin_host {

// A file's content, read at any offset.
class ContentSource {
 public:
  virtual ~ContentSource() = default;
  virtual std::uint64_t size() const = 0;
  // Reads up to out.size() bytes at `offset` (fewer only at the end of the content).
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) = 0;
};

// What the plugin is told about the file.
struct FileView {
  std::string path;  // files.path
  std::string name;  // files.name
  std::string mime;  // files.mime, "" when unknown
};

struct EmittedAttr {
  std::uint32_t attr = 0;  // index in the kind's attrs
  std::string value;       // as text: integers in decimal
};

struct EmittedArtifact {
  std::int64_t id = 0;     // the plugin's artifact id within the file (artifacts.seq)
  std::uint32_t kind = 0;  // index in the plugin's kinds
  std::vector<EmittedAttr> attrs;
};

enum class Ending : std::uint8_t {
  returned = 0,  // parse() returned
  flood = 1,     // the plugin went past a flood limit; nothing it emitted for the file is kept
};

struct ParseOutput {
  Ending ending = Ending::returned;
  int result = FERRET_PARSE_FAILED;  // what parse() returned
  std::string read_error;            // the first read that failed, if one did
  std::string flood_reason;
  std::vector<std::string> log;      // "warning: ..." lines: the plugin's own and the host's rejections
  std::uint64_t log_dropped = 0;     // lines past Limits::max_log_lines
  std::vector<EmittedArtifact> artifacts;  // accepted ones, in the order they were ended
};

struct SessionOptions {
  Limits limits;
  // should_stop() says yes from this moment on (set before the parent's time limit runs out).
  std::chrono::steady_clock::time_point stop_at = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* stop = nullptr;
  // Called once when a flood limit is passed, with the output so far (artifacts already dropped).
  // The worker sends it and exits, so a plugin that keeps emitting cannot hold the worker. Without
  // it, the session refuses everything from then on and tells the plugin to stop.
  std::function<void(const ParseOutput&)> on_flood;
};

// Runs plugin.parse over one file. One session at a time per process: the host functions recognise
// the file and artifact handles they gave out before using them, so a stale or wild handle from a
// plugin gets an error, not a crash of the host.
ParseOutput run_parse(const ferret_plugin& plugin, const PluginInfo& info, const FileView& file, ContentSource& content,
                      const SessionOptions& options);

// The tool's own check of an answer from a worker (which runs plugin code that may have scribbled
// over the worker's checks): why the answer cannot be recorded, or nothing when it can.
std::optional<std::string> check_output(const PluginInfo& info, const ParseOutput& out, const Limits& limits);

// The host API handed to entry points and to parse(). Outside a session every call fails cleanly.
const ferret_host_api& host_api();

// "ok", "not_mine", "malformed", "failed" for a parse result; "" for a value the ABI does not define.
const char* parse_result_name(int result);

}  // namespace ferret::plugin_host
