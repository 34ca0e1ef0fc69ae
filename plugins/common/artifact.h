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

void log(const ferret_host_api* host, ferret_file* file, ferret_log_level level, const std::string& message);

// Lowercase ASCII copy.
std::string lower(std::string_view s);

}  // namespace ferret_plugins
