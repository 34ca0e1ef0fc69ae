// Bounded random access for validators: integer readers and searches over Bytes::view().
#include <algorithm>
#include <cstring>

#include "carve/format.h"

namespace ferret::carve {

const char* status_name(Status status) {
  switch (status) {
    case Status::complete: return "complete";
    case Status::partial: return "partial";
    case Status::rejected: return "rejected";
  }
  return "rejected";
}

std::span<const std::uint8_t> MemoryBytes::view(std::uint64_t pos, std::size_t len) {
  if (pos >= data_.size()) return {};
  return data_.subspan(pos, std::min<std::uint64_t>({len, kMaxView, data_.size() - pos}));
}

namespace {

template <std::size_t N>
bool take(Bytes& b, std::uint64_t pos, std::uint8_t (&out)[N]) {
  const auto v = b.view(pos, N);
  if (v.size() < N) return false;
  std::memcpy(out, v.data(), N);
  return true;
}

}  // namespace

std::optional<std::uint8_t> Bytes::u8(std::uint64_t pos) {
  std::uint8_t b[1];
  if (!take(*this, pos, b)) return std::nullopt;
  return b[0];
}
std::optional<std::uint16_t> Bytes::u16le(std::uint64_t pos) {
  std::uint8_t b[2];
  if (!take(*this, pos, b)) return std::nullopt;
  return static_cast<std::uint16_t>(b[0] | b[1] << 8);
}
std::optional<std::uint16_t> Bytes::u16be(std::uint64_t pos) {
  std::uint8_t b[2];
  if (!take(*this, pos, b)) return std::nullopt;
  return static_cast<std::uint16_t>(b[1] | b[0] << 8);
}
std::optional<std::uint32_t> Bytes::u24be(std::uint64_t pos) {
  std::uint8_t b[3];
  if (!take(*this, pos, b)) return std::nullopt;
  return static_cast<std::uint32_t>(b[0]) << 16 | static_cast<std::uint32_t>(b[1]) << 8 | b[2];
}
std::optional<std::uint32_t> Bytes::u32le(std::uint64_t pos) {
  std::uint8_t b[4];
  if (!take(*this, pos, b)) return std::nullopt;
  return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
         static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
}
std::optional<std::uint32_t> Bytes::u32be(std::uint64_t pos) {
  std::uint8_t b[4];
  if (!take(*this, pos, b)) return std::nullopt;
  return static_cast<std::uint32_t>(b[3]) | static_cast<std::uint32_t>(b[2]) << 8 |
         static_cast<std::uint32_t>(b[1]) << 16 | static_cast<std::uint32_t>(b[0]) << 24;
}
std::optional<std::uint64_t> Bytes::u64le(std::uint64_t pos) {
  auto lo = u32le(pos), hi = u32le(pos + 4);
  if (!lo || !hi) return std::nullopt;
  return static_cast<std::uint64_t>(*hi) << 32 | *lo;
}
std::optional<std::uint64_t> Bytes::u64be(std::uint64_t pos) {
  auto hi = u32be(pos), lo = u32be(pos + 4);
  if (!lo || !hi) return std::nullopt;
  return static_cast<std::uint64_t>(*hi) << 32 | *lo;
}

bool Bytes::matches(std::uint64_t pos, std::string_view expected) {
  if (expected.size() > kMaxView) return false;
  const auto v = view(pos, expected.size());
  return v.size() == expected.size() && std::memcmp(v.data(), expected.data(), expected.size()) == 0;
}

std::optional<std::uint64_t> Bytes::find(std::string_view needle, std::uint64_t from, std::uint64_t to) {
  if (needle.empty() || needle.size() > kMaxView / 2) return std::nullopt;
  to = std::min(to, size());
  // Windows overlap by needle.size() - 1 so a needle across a window edge is seen.
  const std::size_t step = kMaxView - needle.size() + 1;
  for (std::uint64_t pos = from; pos < to && to - pos >= needle.size(); pos += step) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, to - pos));
    const auto v = view(pos, want);
    if (v.size() < needle.size()) return std::nullopt;
    const auto* hit = static_cast<const std::uint8_t*>(memmem(v.data(), v.size(), needle.data(), needle.size()));
    if (hit) return pos + static_cast<std::uint64_t>(hit - v.data());
    if (v.size() < want) return std::nullopt;  // unreadable beyond
  }
  return std::nullopt;
}

std::optional<std::uint64_t> Bytes::find_byte(std::uint8_t b, std::uint64_t from, std::uint64_t to) {
  to = std::min(to, size());
  for (std::uint64_t pos = from; pos < to;) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, to - pos));
    const auto v = view(pos, want);
    if (v.empty()) return std::nullopt;
    if (const void* hit = std::memchr(v.data(), b, v.size())) {
      return pos + static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(hit) - v.data());
    }
    if (v.size() < want) return std::nullopt;
    pos += v.size();
  }
  return std::nullopt;
}

}  // namespace ferret::carve
