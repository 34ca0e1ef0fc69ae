// Text cleaning, times and rows for the plugins (see artifact.h).
#include "artifact.h"

#include <cstdio>

namespace ferret_plugins {

namespace {

void escape_byte(std::string& out, unsigned char c) {
  static const char digits[] = "0123456789abcdef";
  out += "\\x";
  out += digits[c >> 4];
  out += digits[c & 0x0f];
}

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  const std::size_t left = s.size() - i;
  const auto cont = [&](std::size_t k) { return k < left && (b(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0; // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0; // beyond U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

std::string clean_text(std::string_view bytes, std::size_t cap) {
  if (bytes.size() > cap) bytes = bytes.substr(0, cap);
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    const std::size_t n = utf8_sequence(bytes, i);
    if (n == 0 || c < 0x20 || c == 0x7F) {
      escape_byte(out, c);
      ++i;
      continue;
    }
    out.append(bytes.substr(i, n));
    i += n;
  }
  return out;
}

bool printable_ascii(std::string_view bytes) {
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::string utc_time(std::int64_t seconds) {
  // 9999-12-31T23:59:59Z; beyond it the four-digit year of the format cannot hold the value.
  if (seconds < 0 || seconds > 253402300799) return {};
  const std::int64_t days = seconds / 86400;
  const std::int64_t rest = seconds % 86400;
  // Days to a civil date (H. Hinnant's algorithm, proleptic Gregorian calendar).
  const std::int64_t z = days + 719468;
  const std::int64_t era = z / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buffer[80];  // the compiler cannot see the fields are bounded; 80 holds any int
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02dZ", static_cast<int>(year), static_cast<int>(month),
                static_cast<int>(day), static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return buffer;
}

void Row::text(const char* name, std::string value) { attrs_.push_back({name, false, std::move(value), 0}); }

void Row::integer(const char* name, std::int64_t value) { attrs_.push_back({name, true, {}, value}); }

bool Row::has(std::string_view name) const {
  for (const auto& a : attrs_) {
    if (name == a.name) return true;
  }
  return false;
}

std::size_t Row::value_bytes() const {
  std::size_t n = 0;
  for (const auto& a : attrs_) n += a.is_int ? 20 : a.text.size();
  return n;
}

bool Budget::take(const Row& row) {
  const std::size_t bytes = row.value_bytes();
  if (exhausted_ || artifacts_ + 1 > kArtifacts || bytes > kValueBytes - bytes_) {
    exhausted_ = true;
    return false;
  }
  ++artifacts_;
  bytes_ += bytes;
  return true;
}

std::int64_t Row::emit(const ferret_host_api* host, ferret_file* file, const char* kind) const {
  ferret_artifact* artifact = host->begin_artifact(file, kind);
  if (!artifact) return -1;
  const std::int64_t id = host->artifact_id(artifact);
  for (const auto& a : attrs_) {
    if (a.is_int) host->set_int(artifact, a.name, a.integer);
    else host->set_text(artifact, a.name, a.text.data(), a.text.size());
  }
  return host->end_artifact(artifact) == 0 ? id : -1;
}

void log(const ferret_host_api* host, ferret_file* file, ferret_log_level level, const std::string& message) {
  host->log(file, level, message.c_str());
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace ferret_plugins
