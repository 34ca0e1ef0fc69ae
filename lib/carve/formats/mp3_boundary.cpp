// What follows the last frame of a chain: zeros or another file's signature end the item.
#include "carve/formats/mp3_boundary.h"

#include <algorithm>

namespace ferret::carve::formats {

bool ends_cleanly_at(Bytes& bytes, std::uint64_t pos, std::string_view own_family) {
  if (pos >= bytes.size()) return false;
  constexpr std::size_t kZeroRun = 16;
  const auto zeros = bytes.view(pos, kZeroRun);
  const std::uint64_t left = bytes.size() - pos;
  if (!zeros.empty() && zeros.size() == std::min<std::uint64_t>(kZeroRun, left) &&
      std::all_of(zeros.begin(), zeros.end(), [](std::uint8_t b) { return b == 0; })) {
    return true;
  }
  // Another file's signature, where that format puts it (ISO BMFF's "ftyp" is 4 bytes in).
  for (const Signature& s : signatures()) {
    if (s.family != own_family && bytes.matches(pos + s.magic_offset, s.magic)) return true;
  }
  return false;
}

}  // namespace ferret::carve::formats
