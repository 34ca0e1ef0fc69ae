// Bounded reads through the host, the warnings of one parse, and text decoding for the media plugin.
#include "media_source.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace ferret_media {

namespace {
constexpr std::size_t kWindowSize = 64 * 1024;
constexpr std::size_t kSmallRead = 4096;  // reads up to this size go through the window
constexpr std::size_t kMaxWarnings = 64;  // a damaged file repeats itself; the log needs the first few
}  // namespace

Source::Source(ferret_file* file, const ferret_host_api* host)
    : file_(file), host_(host), size_(host->file_size(file)) {}

std::string Source::file_name() const {
  const char* n = host_->file_name(file_);
  return n ? n : "";
}

std::string Source::mime() const {
  const char* m = host_->file_mime(file_);
  return m ? m : "";
}

bool Source::fill_window(std::uint64_t offset) {
  window_.resize(kWindowSize);
  const std::uint64_t want = std::min<std::uint64_t>(kWindowSize, size_ - offset);
  const std::int64_t got = host_->read(file_, offset, window_.data(), static_cast<std::size_t>(want));
  if (got < 0) {
    window_length_ = 0;
    if (!unreadable_reported_) {
      unreadable_reported_ = true;
      warn(format("content unreadable at offset %llu", static_cast<unsigned long long>(offset)));
    }
    return false;
  }
  window_offset_ = offset;
  window_length_ = static_cast<std::size_t>(std::min<std::int64_t>(got, static_cast<std::int64_t>(want)));
  return true;
}

std::size_t Source::read_some(std::uint64_t offset, void* out, std::size_t length) {
  if (offset >= size_ || length == 0) return 0;
  length = static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset));
  if (length <= kSmallRead) {
    const bool inside = window_length_ > 0 && offset >= window_offset_ && offset - window_offset_ + length <= window_length_;
    if (!inside && !fill_window(offset)) return 0;
    const std::size_t at = static_cast<std::size_t>(offset - window_offset_);
    const std::size_t n = std::min(length, window_length_ - at);
    std::memcpy(out, window_.data() + at, n);
    return n;
  }
  const std::int64_t got = host_->read(file_, offset, out, length);
  if (got < 0) {
    if (!unreadable_reported_) {
      unreadable_reported_ = true;
      warn(format("content unreadable at offset %llu", static_cast<unsigned long long>(offset)));
    }
    return 0;
  }
  return static_cast<std::size_t>(std::min<std::int64_t>(got, static_cast<std::int64_t>(length)));
}

bool Source::read(std::uint64_t offset, void* out, std::size_t length) {
  if (offset > size_ || size_ - offset < length) return false;
  return read_some(offset, out, length) == length;
}

bool Source::stop_requested() {
  if (stopped_) return true;
  if (++stop_checks_ % 256 == 0 && host_->should_stop(file_) != 0) stopped_ = true;
  return stopped_;
}

void Source::warn(std::string message) {
  if (warnings_.size() < kMaxWarnings) warnings_.push_back(std::move(message));
  else if (warnings_.size() == kMaxWarnings) warnings_.push_back("(further warnings left out)");
}

std::string format(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  const int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  if (n < 0) return {};
  return std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

namespace {

void append_escaped(std::string& out, unsigned char c) {
  static const char* hex = "0123456789abcdef";
  out += "\\x";
  out += hex[c >> 4];
  out += hex[c & 15];
}

void append_code_point(std::string& out, std::uint32_t cp) {
  if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
    append_escaped(out, static_cast<unsigned char>(cp));
  } else if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string trim(std::string s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::size_t b = 0, e = s.size();
  while (b < e && blank(s[b])) ++b;
  while (e > b && blank(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

std::string utf8_text(const unsigned char* p, std::size_t n) {
  std::string out;
  std::size_t i = 0;
  while (i < n && p[i] != 0) {
    const unsigned char c = p[i];
    std::size_t len = 0;
    std::uint32_t cp = 0, min = 0;
    if (c < 0x80) {
      len = 1, cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) ok = false;
      else cp = cp << 6 | (p[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values beyond Unicode are not valid UTF-8.
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok) {
      append_escaped(out, c);
      ++i;
      continue;
    }
    if (cp == 0x7F) append_escaped(out, 0x7F);
    else append_code_point(out, cp);
    i += len;
  }
  return trim(std::move(out));
}

std::string latin1_text(const unsigned char* p, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n && p[i] != 0; ++i) {
    if (p[i] == 0x7F) append_escaped(out, 0x7F);
    else append_code_point(out, p[i]);
  }
  return trim(std::move(out));
}

std::string utf16_text(const unsigned char* p, std::size_t n, bool big_endian) {
  std::size_t i = 0;
  if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) big_endian = true, i = 2;
  else if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) big_endian = false, i = 2;
  const auto unit = [&](std::size_t at) -> std::uint32_t { return big_endian ? be16(p + at) : le16(p + at); };
  std::string out;
  for (; i + 1 < n; i += 2) {
    std::uint32_t u = unit(i);
    if (u == 0) break;
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
      const std::uint32_t lo = unit(i + 2);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        append_code_point(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i += 2;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) u = 0xFFFD;  // a lone surrogate
    if (u == 0x7F) append_escaped(out, 0x7F);
    else append_code_point(out, u);
  }
  return trim(std::move(out));
}

std::string fourcc_text(std::uint32_t code) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const unsigned char c = static_cast<unsigned char>(code >> shift);
    if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
    else append_escaped(out, c);
  }
  return out;
}

}  // namespace ferret_media
