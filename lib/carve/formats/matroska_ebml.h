// EBML for the carver: element headers (variable-length IDs and sizes, unknown sizes) and the
// Matroska element IDs the validator walks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "carve/format.h"

namespace ferret::carve::formats::ebml {

struct Element {
  std::uint32_t id = 0;        // with its length marker, as specifications write it (0x1A45DFA3)
  std::uint64_t start = 0;
  std::uint64_t data = 0;      // first byte after the header
  std::uint64_t size = 0;      // meaningless when unknown_size
  bool unknown_size = false;   // all size bits set: the element runs until something ends it
  std::uint64_t end() const { return data + size; }
};

// The element header at `pos`; nullopt when the bytes there cannot be one (an ID or size without
// its length marker, a reserved all-ones ID, a header cut off by the end of the space).
std::optional<Element> read_element(Bytes& bytes, std::uint64_t pos);

// An unsigned integer element's value (at most 8 bytes of data).
std::optional<std::uint64_t> read_uint(Bytes& bytes, const Element& e);

// EBML header and its children.
inline constexpr std::uint32_t kEbml = 0x1A45DFA3, kDocType = 0x4282, kMaxIdLength = 0x42F2, kMaxSizeLength = 0x42F3;
// Elements allowed anywhere.
inline constexpr std::uint32_t kVoid = 0xEC, kCrc32 = 0xBF;
// The Segment and its children (level 1).
inline constexpr std::uint32_t kSegment = 0x18538067, kSeekHead = 0x114D9B74, kInfo = 0x1549A966,
                               kTracks = 0x1654AE6B, kCluster = 0x1F43B675, kCues = 0x1C53BB6B,
                               kAttachments = 0x1941A469, kChapters = 0x1043A770, kTags = 0x1254C367;
// Inside SeekHead, Tracks, Cues.
inline constexpr std::uint32_t kSeek = 0x4DBB, kSeekId = 0x53AB, kSeekPosition = 0x53AC;
inline constexpr std::uint32_t kTrackEntry = 0xAE, kTrackNumber = 0xD7, kTrackType = 0x83;
inline constexpr std::uint32_t kCuePoint = 0xBB, kCueTrackPositions = 0xB7, kCueClusterPosition = 0xF1;
// Cluster children.
inline constexpr std::uint32_t kTimestamp = 0xE7, kSilentTracks = 0x5854, kPosition = 0xA7, kPrevSize = 0xAB,
                               kSimpleBlock = 0xA3, kBlockGroup = 0xA0, kBlock = 0xA1, kEncryptedBlock = 0xAF;

bool is_segment_child(std::uint32_t id);
bool is_cluster_child(std::uint32_t id);

}  // namespace ferret::carve::formats::ebml
