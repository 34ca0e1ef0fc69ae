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

// The code point of the valid UTF-8 sequence at text[i] and its length; 0 when none starts there.
std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& code_point);

// C0 and C1 control characters and DEL.
bool is_control_char(char32_t code_point);

// Characters that change the display order of what follows them: "invoice<U+202E>txt.exe" shows as
// "invoiceexe.txt". Marks (U+061C, U+200E, U+200F) as well as embeddings, overrides and isolates.
bool is_bidi_control(char32_t code_point);

// `text` safe to print on a terminal or in a plain report: control characters and bytes that are
// not UTF-8 as \xNN, control and bidi code points as \u{XXXX}; everything else as is.
std::string display_text(std::string_view text);

// `text` as the body of a JSON string (quotes not included).
std::string json_escape(std::string_view text);

// UTC ISO-8601, "2024-02-29T13:05:00Z"; `nanos` adds a trimmed fraction when non-zero.
std::string utc_iso8601(std::time_t seconds, std::uint32_t nanos = 0);

// Human figures for progress and summaries: "1.5 GiB", "12.3 MiB/s".
std::string human_bytes(double bytes);

}  // namespace ferret
