// What follows the last structure of an item that does not announce its end: zeros or another file.
#include "carve/formats/mp3_boundary.h"

#include <algorithm>

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

}  // namespace ferret::carve::formats
