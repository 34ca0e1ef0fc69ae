// Evidence that an item of a frame-chain format (MP3, FLAC) ends at a position: what follows is
// zeros or the start of another kind of file. Shared by the audio validators; it lives under the
// mp3_ prefix only because of who owns which files, and belongs in carve/ once that is free to edit.
#pragma once

#include <cstdint>
#include <string_view>

#include "carve/format.h"

namespace ferret::carve::formats {

// True when the bytes at `pos` cannot be the rest of an item of `own_family`: a run of zeros (16
// bytes, or every byte up to the end of the space) or a signature of another family. False at the
// very end of the space: whether the item went on cannot be seen there.
bool ends_cleanly_at(Bytes& bytes, std::uint64_t pos, std::string_view own_family);

}  // namespace ferret::carve::formats
