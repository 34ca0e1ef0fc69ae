// Safe output names: evidence names as file-name components any file system, shell and viewer accepts.
#include <algorithm>
#include <array>
#include <cstdio>

#include "core/text.h"
#include "extract/extract.h"
#include "hash/digest.h"

namespace ferret::extract {

namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";
constexpr std::size_t kMaxExtensionBytes = 32;  // longer "extensions" are not kept when shortening
constexpr std::size_t kNameHashDigits = 12;

void append_percent(std::string& out, unsigned char byte) {
  out += '%';
  out += kHexDigits[byte >> 4];
  out += kHexDigits[byte & 0x0f];
}

using ferret::decode_utf8;
using ferret::is_bidi_control;
bool is_control(char32_t cp) { return is_control_char(cp); }

bool must_escape(char32_t cp) {
  switch (cp) {
    case '%': case '/': case '\\': case '<': case '>': case ':': case '"': case '|': case '?': case '*':
      return true;
    default:
      return is_control(cp) || is_bidi_control(cp);
  }
}

std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Whether Windows opens a device for a file of this name: the part before the first '.', without
// trailing spaces, is a reserved device name.
bool is_device_name(std::string_view name) {
  std::string_view stem = name.substr(0, std::min(name.find('.'), name.size()));
  while (!stem.empty() && stem.back() == ' ') stem.remove_suffix(1);
  const std::string upper = ascii_upper(stem);
  for (const char* device : {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}) {
    if (upper == device) return true;
  }
  if (upper.size() < 4 || (upper.compare(0, 3, "COM") != 0 && upper.compare(0, 3, "LPT") != 0)) return false;
  const std::string_view number = std::string_view(upper).substr(3);
  if (number.size() == 1 && number[0] >= '0' && number[0] <= '9') return true;
  return number == "\xc2\xb9" || number == "\xc2\xb2" || number == "\xc2\xb3";  // superscript 1, 2, 3
}

// Start of the extension kept when a name is shortened or suffixed: the last '.', not a leading one.
std::size_t extension_start(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || name.size() - dot > kMaxExtensionBytes) return name.size();
  return dot;
}

// The last end of a whole character or %XX escape of `name` at or before byte `limit`.
std::size_t previous_boundary(std::string_view name, std::size_t limit) {
  std::size_t boundary = 0;
  for (std::size_t i = 0; i < name.size();) {
    std::size_t len = 1;
    char32_t cp = 0;
    if (name[i] == '%' && i + 2 < name.size()) len = 3;
    else if (std::size_t u = decode_utf8(name, i, cp); u > 0) len = u;
    if (i + len > limit) break;
    i += len;
    boundary = i;
  }
  return boundary;
}

std::string name_hash(std::string_view full_name) {
  hash::Digest digest(hash::Algorithm::sha256);
  digest.update(std::as_bytes(std::span(full_name.data(), full_name.size())));
  return digest.finish_hex().substr(0, kNameHashDigits);
}

// `name` cut to kMaxComponentBytes: its start, "~" and a hash of `full_name`, its extension.
std::string shorten(std::string_view name, std::string_view full_name) {
  if (name.size() <= kMaxComponentBytes) return std::string(name);
  const std::string_view extension = name.substr(extension_start(name));
  const std::string tail = "~" + name_hash(full_name) + std::string(extension);
  const std::size_t head = previous_boundary(name, kMaxComponentBytes - tail.size());
  return std::string(name.substr(0, head)) + tail;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string sanitise_component(std::string_view name) {
  if (name.empty()) return "%";
  std::string out;
  out.reserve(name.size() + 8);
  for (std::size_t i = 0; i < name.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(name, i, cp);
    if (len == 0) {  // not UTF-8: keep the byte, visibly
      append_percent(out, static_cast<unsigned char>(name[i]));
      ++i;
      continue;
    }
    if (must_escape(cp)) {
      for (std::size_t k = 0; k < len; ++k) append_percent(out, static_cast<unsigned char>(name[i + k]));
    } else {
      out.append(name.substr(i, len));
    }
    i += len;
  }
  // Windows drops a final dot or space (and "." / ".." mean this and the parent directory).
  if (out.back() == '.' || out.back() == ' ') {
    const auto last = static_cast<unsigned char>(out.back());
    out.pop_back();
    append_percent(out, last);
  }
  if (is_device_name(out)) {
    out.insert(out.begin(), '_');
  } else if (out.front() == '_' && is_device_name(std::string_view(out).substr(1))) {
    out.replace(0, 1, "%5F");  // a real "_CON" must not read back as the escaped "CON"
  }
  return shorten(out, name);
}

std::string decode_component(std::string_view component) {
  if (component == "%") return {};
  if (!component.empty() && component.front() == '_' && is_device_name(component.substr(1))) component.remove_prefix(1);
  std::string out;
  out.reserve(component.size());
  for (std::size_t i = 0; i < component.size(); ++i) {
    if (component[i] == '%' && i + 2 < component.size()) {
      const int hi = hex_value(component[i + 1]);
      const int lo = hex_value(component[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += component[i];
  }
  return out;
}

std::string with_suffix(std::string_view component, std::string_view suffix) {
  const std::size_t ext = extension_start(component);
  std::string out = std::string(component.substr(0, ext)) + std::string(suffix) + std::string(component.substr(ext));
  return shorten(out, out);
}

std::vector<std::string> output_components(std::int64_t evidence_id, std::optional<std::uint64_t> volume_offset,
                                           std::string_view case_path) {
  std::vector<std::string> out;
  out.push_back("e" + std::to_string(evidence_id));
  out.push_back(volume_offset ? "v" + std::to_string(*volume_offset) : std::string("vnone"));
  const std::size_t first = out.size();
  for (std::size_t start = 0; start <= case_path.size();) {
    const std::size_t slash = std::min(case_path.find('/', start), case_path.size());
    if (slash > start) out.push_back(sanitise_component(case_path.substr(start, slash - start)));
    start = slash + 1;
  }
  if (out.size() == first) out.push_back(sanitise_component(""));  // a path with no name at all
  return out;
}

std::string output_path_for(std::int64_t evidence_id, std::optional<std::uint64_t> volume_offset, std::string_view case_path) {
  std::string out;
  for (const std::string& c : output_components(evidence_id, volume_offset, case_path)) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

std::string csv_field(std::string_view text) {
  std::string cell;
  // Spreadsheets run a cell that starts like a formula (=HYPERLINK(...), +cmd|..., @SUM...).
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) cell += '\'';
  cell.append(text);
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}


}  // namespace ferret::extract
