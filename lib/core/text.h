// Small text helpers shared by every module: hex, UTF-8 hygiene, JSON string escaping, UTC times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <span>
#include <string>
#include <string_view>

namespace ferret {

// Lowercase hex of `bytes`.
std::string to_hex(std::span<const unsigned char> bytes);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

// Returns `text` unchanged when it is valid UTF-8; otherwise every byte that is not part of a
// valid sequence becomes the four characters "\xNN" (and a literal backslash stays as is), so
// the original bytes can be read back from the escaped form.
std::string escape_invalid_utf8(std::string_view text);

// `text` as the body of a JSON string (quotes not included).
std::string json_escape(std::string_view text);

// UTC ISO-8601, "2024-02-29T13:05:00Z"; `nanos` adds a trimmed fraction when non-zero.
std::string utc_iso8601(std::time_t seconds, std::uint32_t nanos = 0);

// Human figures for progress and summaries: "1.5 GiB", "12.3 MiB/s".
std::string human_bytes(double bytes);

}  // namespace ferret
