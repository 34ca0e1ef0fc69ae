// EBML element headers and the Matroska IDs' places in the element tree.
#include "carve/formats/matroska_ebml.h"

namespace ferret::carve::formats::ebml {

std::optional<Element> read_element(Bytes& bytes, std::uint64_t pos) {
  const auto h = bytes.view(pos, 12);
  if (h.empty()) return std::nullopt;
  // The ID: 1 to 4 bytes, the position of the first set bit gives the length.
  const unsigned first = h[0];
  unsigned id_len = 0;
  if (first & 0x80) id_len = 1;
  else if (first & 0x40) id_len = 2;
  else if (first & 0x20) id_len = 3;
  else if (first & 0x10) id_len = 4;
  else return std::nullopt;
  if (h.size() < id_len + 1) return std::nullopt;
  std::uint32_t id = 0;
  for (unsigned i = 0; i < id_len; ++i) id = id << 8 | h[i];
  // All value bits set (or none) is reserved.
  const std::uint32_t value_mask = (1u << (7 * id_len)) - 1;
  if ((id & value_mask) == value_mask || (id & value_mask) == 0) return std::nullopt;
  // The size: 1 to 8 bytes, same marker scheme; all value bits set means "unknown".
  const unsigned s0 = h[id_len];
  if (s0 == 0) return std::nullopt;
  const unsigned size_len = static_cast<unsigned>(__builtin_clz(s0)) - 24 + 1;
  if (h.size() < id_len + size_len) return std::nullopt;
  std::uint64_t size = s0 & (0xFFu >> size_len);
  for (unsigned i = 1; i < size_len; ++i) size = size << 8 | h[id_len + i];
  const std::uint64_t size_mask = (std::uint64_t{1} << (7 * size_len)) - 1;
  Element e;
  e.id = id;
  e.start = pos;
  e.data = pos + id_len + size_len;
  e.unknown_size = size == size_mask;
  e.size = e.unknown_size ? 0 : size;
  return e;
}

std::optional<std::uint64_t> read_uint(Bytes& bytes, const Element& e) {
  if (e.unknown_size || e.size > 8) return std::nullopt;
  const auto v = bytes.view(e.data, static_cast<std::size_t>(e.size));
  if (v.size() != e.size) return std::nullopt;
  std::uint64_t x = 0;
  for (std::uint8_t b : v) x = x << 8 | b;
  return x;
}

bool is_segment_child(std::uint32_t id) {
  switch (id) {
    case kSeekHead: case kInfo: case kTracks: case kCluster: case kCues: case kAttachments: case kChapters:
    case kTags: case kVoid: case kCrc32:
      return true;
    default:
      return false;
  }
}

bool is_cluster_child(std::uint32_t id) {
  switch (id) {
    case kTimestamp: case kSilentTracks: case kPosition: case kPrevSize: case kSimpleBlock: case kBlockGroup:
    case kEncryptedBlock: case kVoid: case kCrc32:
      return true;
    default:
      return false;
  }
}

}  // namespace ferret::carve::formats::ebml
