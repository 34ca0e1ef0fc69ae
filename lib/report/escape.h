// Escaping of case values for each report format: HTML, XML 1.0, JSON and CSV cells.
#pragma once

#include <string>
#include <string_view>

namespace ferret::report {

// A value as HTML character data or as a quoted attribute value. Control characters and bytes
// that are not UTF-8 become "\xNN", bidirectional controls "\u{XXXX}" (display_text, so that
// "invoice<U+202E>txt.exe" cannot pass for "invoiceexe.txt"), and & < > " ' become references.
std::string html_text(std::string_view text);

// A value as XML 1.0 character data or attribute value: as html_text, plus U+FFFE and U+FFFF
// (not XML characters) as "\u{FFFE}". Never produces a character XML 1.0 refuses.
std::string xml_text(std::string_view text);

// A JSON string literal, quotes included. Bytes that are not UTF-8 become the text "\xNN" (as the
// case stores them); control characters, < > & ', U+2028/U+2029 and bidirectional controls become
// \uXXXX escapes, so the value parses back exactly and is safe inside an HTML <script> block.
std::string json_string(std::string_view text);

// One RFC 4180 CSV cell (lib/extract's csv_field: quoted when needed, formula guard), after
// bytes that are not UTF-8 have become "\xNN".
std::string csv_cell(std::string_view text);

// The seconds since 1970 of a UTC ISO-8601 time as the case stores it ("2026-03-03T13:23:06Z",
// with an optional fraction); false when `text` is not such a time.
bool parse_utc_time(std::string_view text, double& seconds);

}  // namespace ferret::report
