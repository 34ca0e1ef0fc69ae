// Evidence that an item whose format does not announce its own end (an MP3 frame chain, a FLAC
// stream without a sample count, fragmented MP4, live Matroska) ends at a position. Shared by the
// audio/video validators; it lives under the mp3_ prefix only because of who owns which files, and
// belongs in carve/ once that is free to edit.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "carve/format.h"

namespace ferret::carve::formats {

// True when the item provably ends at `end`: the bytes there are a run of zeros (16 bytes, or all
// of them up to the end of the space) or another family's signature, and the item's last
// structure (which starts at `last_start`) does not itself end in zeros. That last rule is what
// tells a real end from a tail that was overwritten with zeros from inside its last structure
// (whose length field then carries the walk into the zeros). False at the very end of the space:
// whether the item went on cannot be seen there.
bool ends_cleanly_at(Bytes& bytes, std::uint64_t end, std::uint64_t last_start, std::string_view own_family);

// Where another file starts inside [from, to) of an item: a registered signature (own family too)
// on a 512-byte boundary of the item. Files start on sector boundaries; padding and other data no
// check can read (a free box, a Void element, a still image's one NAL unit) may hide one when the
// item's own bytes were not all where it claims (a fragmented or sparse file, a lost tail). At most
// `max_bytes` from `from` are looked at. Chance data matches a three-byte magic at a boundary about
// once in 16 million.
std::optional<std::uint64_t> file_start_inside(Bytes& bytes, std::uint64_t from, std::uint64_t to, std::uint64_t max_bytes);

}  // namespace ferret::carve::formats
