// Helpers every plugin here shares: text made safe for the host's UTF-8 check, Unix times as
// ISO-8601, and a row of attributes gathered first and emitted whole (the ABI has no way to abandon
// an artifact once begun, so nothing is begun until it is known to be worth recording).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ferret/plugin.h"

namespace ferret_plugins {

// `bytes` as valid UTF-8: well-formed sequences kept, every other byte and every control character
// written as \xNN (as the host shows non-UTF-8 path bytes), at most `cap` bytes of input used.
std::string clean_text(std::string_view bytes, std::size_t cap = 64 * 1024);

// True when `bytes` is printable ASCII only (the release names and SFV fields want that).
bool printable_ascii(std::string_view bytes);

// `seconds` since 1970 as "YYYY-MM-DDTHH:MM:SSZ"; empty when outside 1970..9999 (a garbage value,
// not a time worth recording).
std::string utc_time(std::int64_t seconds);

// Attributes of one artifact, gathered before anything is sent to the host.
class Row {
 public:
  void text(const char* name, std::string value);  // value must already be valid UTF-8 (clean_text)
  void integer(const char* name, std::int64_t value);
  bool has(std::string_view name) const;
  bool empty() const { return attrs_.empty(); }
  // Bytes of its values as the host counts them (integers as decimal text).
  std::size_t value_bytes() const;

  // Begins, fills and ends the artifact. Returns its id when the host recorded it, -1 when refused.
  std::int64_t emit(const ferret_host_api* host, ferret_file* file, const char* kind) const;

 private:
  struct Attr {
    const char* name;
    bool is_int;
    std::string text;
    std::int64_t integer;
  };
  std::vector<Attr> attrs_;
};

// How much one file may still emit. The host treats a plugin that passes its flood limits on a file
// (lib/plugin_host: 100 000 artifacts, 64 MiB of values by default) as flooding and drops everything
// it emitted there; a plugin stops at half of each, so a hostile file costs its tail, not its head.
class Budget {
 public:
  static constexpr std::size_t kArtifacts = 50000;
  static constexpr std::size_t kValueBytes = 32u << 20;
  // True (and counted) when `row` still fits.
  bool take(const Row& row);
  bool exhausted() const { return exhausted_; }

 private:
  std::size_t artifacts_ = 0, bytes_ = 0;
  bool exhausted_ = false;
};

void log(const ferret_host_api* host, ferret_file* file, ferret_log_level level, const std::string& message);

// Lowercase ASCII copy.
std::string lower(std::string_view s);

}  // namespace ferret_plugins
