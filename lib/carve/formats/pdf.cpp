// PDF validator: header, through incremental updates to the last %%EOF, its startxref checked against an xref.
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "carve/formats/formats.h"

namespace ferret::carve::formats {

namespace {

Verdict verdict(Status status, std::uint64_t length, std::string missing = {}) {
  return Verdict{status, length, std::move(missing), "pdf", "pdf"};
}

// PDF whitespace other than NUL: zeros after a %%EOF mean the document has ended.
bool is_space(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
bool is_digit(std::uint8_t c) { return c >= '0' && c <= '9'; }

bool contains(std::span<const std::uint8_t> v, std::string_view needle) {
  return memmem(v.data(), v.size(), needle.data(), needle.size()) != nullptr;
}

// Without a PDF token for this long, the bytes are no longer the document (or never were).
constexpr std::uint64_t kMaxQuiet = 32ull << 20;

// The next "%%EOF" at or after `pos`, or nullopt: the space ends, a whole view of zeros is met, or
// no object or stream keyword was seen for kMaxQuiet bytes.
std::optional<std::uint64_t> next_eof(Bytes& bytes, std::uint64_t pos, std::uint64_t end) {
  std::uint64_t quiet = 0;
  while (pos < end && end - pos >= 5) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, end - pos));
    const auto v = bytes.view(pos, want);
    if (v.size() < 5) return std::nullopt;
    if (const void* hit = memmem(v.data(), v.size(), "%%EOF", 5)) {
      return pos + static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(hit) - v.data());
    }
    if (std::all_of(v.begin(), v.end(), [](std::uint8_t c) { return c == 0; })) return std::nullopt;
    if (contains(v, "obj") || contains(v, "stream")) quiet = 0;
    else if ((quiet += v.size()) > kMaxQuiet) return std::nullopt;
    if (v.size() < want || v.size() <= 4) return std::nullopt;
    pos += v.size() - 4;  // overlap: a marker across the view edge is found in the next view
  }
  return std::nullopt;
}

// "N G obj" at the start of `s`; returns the length matched or 0.
std::size_t object_header(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t from = i;
    while (i < s.size() && i - from < 10 && is_digit(static_cast<std::uint8_t>(s[i]))) ++i;
    return i > from;
  };
  auto spaces = [&] {
    const std::size_t from = i;
    while (i < s.size() && is_space(static_cast<std::uint8_t>(s[i]))) ++i;
    return i > from;
  };
  if (!digits() || !spaces() || !digits()) return 0;
  spaces();
  if (s.substr(i, 3) != "obj") return 0;
  return i + 3;
}

// After a %%EOF: does the document go on (an update's objects, an xref, a trailer)?
bool document_continues(Bytes& bytes, std::uint64_t pos, std::uint64_t end) {
  const auto v = bytes.view(pos, static_cast<std::size_t>(std::min<std::uint64_t>(512, end > pos ? end - pos : 0)));
  std::size_t i = 0;
  while (i < v.size() && is_space(v[i])) ++i;
  const std::string_view s(reinterpret_cast<const char*>(v.data()) + i, v.size() - i);
  if (s.empty()) return false;
  if (s.starts_with("xref") || s.starts_with("trailer") || s.starts_with("startxref")) return true;
  if (s[0] == '%') return s.size() > 1 && !s.starts_with("%PDF-") && s[1] >= 0x20 && s[1] < 0x7F;
  return object_header(s) > 0;
}

// The number after the last "startxref" before `eof`.
std::optional<std::uint64_t> startxref_value(Bytes& bytes, std::uint64_t eof) {
  const std::uint64_t from = eof > 1024 ? eof - 1024 : 0;
  const auto v = bytes.view(from, static_cast<std::size_t>(eof - from));
  const std::string_view s(reinterpret_cast<const char*>(v.data()), v.size());
  const std::size_t at = s.rfind("startxref");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t i = at + 9;
  while (i < s.size() && is_space(static_cast<std::uint8_t>(s[i]))) ++i;
  std::uint64_t value = 0;
  std::size_t digits = 0;
  for (; i < s.size() && is_digit(static_cast<std::uint8_t>(s[i])) && digits < 19; ++i, ++digits) value = value * 10 + static_cast<std::uint64_t>(s[i] - '0');
  if (digits == 0) return std::nullopt;
  return value;
}

// startxref must name an xref table or an xref stream object inside the item.
bool xref_at(Bytes& bytes, std::uint64_t offset, std::uint64_t item_end) {
  if (offset >= item_end) return false;
  const auto v = bytes.view(offset, static_cast<std::size_t>(std::min<std::uint64_t>(1024, item_end - offset)));
  std::string_view s(reinterpret_cast<const char*>(v.data()), v.size());
  // Some writers are off by leading whitespace.
  while (!s.empty() && is_space(static_cast<std::uint8_t>(s[0]))) s.remove_prefix(1);
  if (s.starts_with("xref")) return true;
  const std::size_t header = object_header(s);
  if (header == 0) return false;
  const std::string_view dict = s.substr(header);
  const std::size_t type = dict.find("/Type");
  if (type == std::string_view::npos) return false;
  std::size_t i = type + 5;
  while (i < dict.size() && is_space(static_cast<std::uint8_t>(dict[i]))) ++i;
  return dict.substr(i).starts_with("/XRef");
}

}  // namespace

Verdict validate_pdf(Bytes& bytes, const Limits& limits) {
  const std::uint64_t end = std::min(bytes.size(), limits.max_item);
  const auto head = bytes.view(0, 9);
  if (head.size() < 9 || !bytes.matches(0, "%PDF-")) return verdict(Status::rejected, 0, "no %PDF- header");
  const bool version_ok = (head[5] == '1' && head[6] == '.' && head[7] >= '0' && head[7] <= '7') ||
                          (head[5] == '2' && head[6] == '.' && head[7] == '0');
  if (!version_ok || !(is_space(head[8]) || head[8] == '%')) return verdict(Status::rejected, 0, "not a PDF: bad version in the header");
  if (end < 9) return verdict(Status::rejected, 0, "the %PDF- header runs past the item size limit");

  std::uint64_t pos = 8, last_eof = 0, item_end = 0;
  while (true) {
    const auto eof = next_eof(bytes, pos, end);
    if (!eof) {
      // An update (or the rest of a linearised file) began after the last %%EOF but never ends.
      if (item_end != 0) return verdict(Status::partial, item_end, "the document goes on after a %%EOF but has no further %%EOF");
      break;
    }
    std::uint64_t after = *eof + 5;
    // The end-of-line after %%EOF belongs to the file.
    if (after < end && bytes.u8(after) == '\r') ++after;
    if (after < end && bytes.u8(after) == '\n') ++after;
    last_eof = *eof;
    item_end = after;
    if (!document_continues(bytes, after, end)) break;
    pos = after;
  }
  if (item_end == 0) return verdict(Status::partial, 9, "no %%EOF before the end of the space");
  const auto xref = startxref_value(bytes, last_eof);
  if (!xref) return verdict(Status::partial, item_end, "no startxref before the last %%EOF");
  if (!xref_at(bytes, *xref, item_end)) return verdict(Status::partial, item_end, "startxref does not point at an xref table or stream");
  return verdict(Status::complete, item_end);
}

}  // namespace ferret::carve::formats
