// What follows the last structure of an item that does not announce its end: zeros or another file.
#include "carve/formats/mp3_boundary.h"

#include <algorithm>
#include <cstring>

namespace ferret::carve::formats {

namespace {

constexpr std::size_t kZeroRun = 16;

bool all_zero(std::span<const std::uint8_t> v) {
  return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

bool ends_cleanly_at(Bytes& bytes, std::uint64_t end, std::uint64_t last_start, std::string_view own_family) {
  if (end >= bytes.size() || last_start >= end) return false;
  // The last structure's final bytes must not be zeros themselves.
  const std::uint64_t tail = std::max(last_start, end - std::min<std::uint64_t>(end, kZeroRun));
  const auto own = bytes.view(tail, static_cast<std::size_t>(end - tail));
  if (own.size() != end - tail || all_zero(own)) return false;
  const auto after = bytes.view(end, kZeroRun);
  if (!after.empty() && after.size() == std::min<std::uint64_t>(kZeroRun, bytes.size() - end) && all_zero(after)) {
    return true;
  }
  // Another file's signature, where that format puts it (ISO BMFF's "ftyp" is 4 bytes in). Two-byte
  // magics ("BM") are too easily met by chance to count.
  for (const Signature& s : signatures()) {
    if (s.family != own_family && s.magic.size() >= 3 && bytes.matches(end + s.magic_offset, s.magic)) return true;
  }
  return false;
}

std::optional<std::uint64_t> file_start_inside(Bytes& bytes, std::uint64_t from, std::uint64_t to, std::uint64_t max_bytes) {
  constexpr std::uint64_t kSector = 512;
  to = std::min({to, bytes.size(), from + std::min(max_bytes, UINT64_MAX - from)});
  for (std::uint64_t b = (from + kSector - 1) / kSector * kSector; b < to; b += kSector) {
    const auto w = bytes.view(b, 32);
    for (const Signature& s : signatures()) {
      if (s.magic.size() < 3 || s.magic_offset + s.magic.size() > w.size()) continue;
      if (std::memcmp(w.data() + s.magic_offset, s.magic.data(), s.magic.size()) == 0) return b;
    }
  }
  return std::nullopt;
}

}  // namespace ferret::carve::formats
