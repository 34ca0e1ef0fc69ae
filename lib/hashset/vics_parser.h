// Project VIC VICS JSON (1.x and 2.0) read as a stream: one Media object in memory at a time,
// whatever the size of the file.
#pragma once

#include <cstddef>
#include <memory>

#include "hashset/input.h"
#include "hashset/parsers.h"

namespace ferret::hashset {

// A Media object larger than this is rejected (its bytes are skipped, not kept).
inline constexpr std::size_t kMaxVicsObjectBytes = 1u << 20;

// The parser behind Format::vics_json. It walks the top-level object to its "value" array:
//  - VICS 2.0: "value" holds the Media objects;
//  - VICS 1.x: "value" holds Case objects, each with a "Media" array.
// A Media object gives one entry: MD5, SHA1, SHA256 and the MD5/SHA1/SHA256 of AlternativeHashes
// ({"HashName": ..., "HashValue": ...}, hex of either case), MediaSize (a number, or a string of
// digits as 1.x writes it) and a file name (RelativeFilePath, else FileName, else Name, else the
// first MediaFiles[].FileName). Nothing else is mapped.
// The "line" of an entry or a reject is the 1-based index of the Media object in the document
// (in VICS 2.0, its index in "value"). A document that ends early is an Errc::corrupt error after
// the objects before the cut were delivered.
std::unique_ptr<Parser> make_vics_parser(ByteSource& source);

}  // namespace ferret::hashset
