// ISO BMFF box headers and the buffered table reader.
#include "carve/formats/mp4_box.h"

#include <algorithm>
#include <cstring>

namespace ferret::carve::formats::mp4 {

std::string fourcc_name(std::uint32_t type) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const char c = static_cast<char>((type >> shift) & 0xFF);
    s += (c >= 0x20 && c < 0x7F) ? c : '?';
  }
  return s;
}

std::optional<Box> read_box(Bytes& bytes, std::uint64_t pos, std::uint64_t limit) {
  auto b = read_box_header(bytes, pos, limit);
  if (!b || b->size > limit - pos) return std::nullopt;
  return b;
}

std::optional<Box> read_box_header(Bytes& bytes, std::uint64_t pos, std::uint64_t limit) {
  if (limit < pos || limit - pos < 8) return std::nullopt;
  const auto h = bytes.view(pos, 16);
  if (h.size() < 8) return std::nullopt;
  Box b;
  b.start = pos;
  b.type = static_cast<std::uint32_t>(h[4]) << 24 | static_cast<std::uint32_t>(h[5]) << 16 |
           static_cast<std::uint32_t>(h[6]) << 8 | h[7];
  const std::uint32_t size32 = static_cast<std::uint32_t>(h[0]) << 24 | static_cast<std::uint32_t>(h[1]) << 16 |
                               static_cast<std::uint32_t>(h[2]) << 8 | h[3];
  b.header = 8;
  if (size32 == 1) {
    if (h.size() < 16 || limit - pos < 16) return std::nullopt;
    std::uint64_t large = 0;
    for (int i = 8; i < 16; ++i) large = large << 8 | h[static_cast<std::size_t>(i)];
    b.header = 16;
    b.size = large;
  } else if (size32 == 0) {
    b.to_end = true;
    b.size = limit - pos;
  } else {
    b.size = size32;
  }
  if (b.type == fourcc("uuid")) b.header += 16;
  if (b.size < b.header) return std::nullopt;
  return b;
}

bool all_zero(Bytes& bytes, std::uint64_t pos, std::uint64_t end) {
  if (end < pos || end - pos > kMaxView) return false;
  const auto v = bytes.view(pos, static_cast<std::size_t>(end - pos));
  return v.size() == end - pos && std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

bool TableReader::fill(std::size_t want) {
  const std::size_t have = buffer_.size() - next_;
  if (have >= want) return true;
  // Keep the unread tail, then append the next stretch of the table.
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(next_));
  next_ = 0;
  constexpr std::uint64_t kChunk = 64u << 10;
  const std::uint64_t left = end_ - pos_;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(std::max<std::uint64_t>(kChunk, want), left));
  if (n == 0) return false;
  const auto v = bytes_->view(pos_, n);
  buffer_.insert(buffer_.end(), v.begin(), v.end());
  pos_ += v.size();
  return buffer_.size() >= want;
}

bool TableReader::uint(unsigned width, std::uint64_t& out) {
  if (width == 0 || width > 8 || !fill(width)) return false;
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v = v << 8 | buffer_[next_ + i];
  next_ += width;
  out = v;
  return true;
}

bool TableReader::u8(std::uint8_t& out) {
  std::uint64_t v = 0;
  if (!uint(1, v)) return false;
  out = static_cast<std::uint8_t>(v);
  return true;
}

bool TableReader::u16(std::uint16_t& out) {
  std::uint64_t v = 0;
  if (!uint(2, v)) return false;
  out = static_cast<std::uint16_t>(v);
  return true;
}

bool TableReader::u32(std::uint32_t& out) {
  std::uint64_t v = 0;
  if (!uint(4, v)) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

bool TableReader::u64(std::uint64_t& out) { return uint(8, out); }

bool TableReader::skip(std::uint64_t n) {
  const std::size_t have = buffer_.size() - next_;
  if (n <= have) {
    next_ += static_cast<std::size_t>(n);
    return true;
  }
  if (n - have > end_ - pos_) return false;
  pos_ += n - have;
  buffer_.clear();
  next_ = 0;
  return true;
}

}  // namespace ferret::carve::formats::mp4
