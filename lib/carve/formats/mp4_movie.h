// The ISO BMFF index for the carver: the moov box's tracks and sample tables, movie fragments and
// the fragment random-access box, each checked against where the item's media data really is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "carve/formats/mp4_box.h"

namespace ferret::carve::formats::mp4 {

// The payloads of the item's mdat boxes, in file order.
class MediaData {
 public:
  void add(std::uint64_t begin, std::uint64_t end) { ranges_.emplace_back(begin, end); }
  bool empty() const { return ranges_.empty(); }
  // True when [pos, pos + len) lies inside one mdat payload.
  bool holds(std::uint64_t pos, std::uint64_t len) const;

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
};

struct TrackDefaults {
  std::uint32_t track_id = 0;
  std::uint32_t sample_size = 0;
};

// What a track's samples must look like, from its sample entry.
struct SampleKind {
  std::uint32_t codec = 0;           // sample entry type (avc1, hvc1, mp4v, s263, AAC mp4a); 0: not checked
  unsigned nal_length_size = 0;      // H.264/H.265: bytes of each NAL unit's length field
};

struct Movie {
  bool fragmented = false;              // moov holds mvex: samples come in moof boxes
  std::vector<TrackDefaults> trex;      // per-track defaults for fragments
  std::uint64_t samples = 0;            // samples checked in the moov's tables
  std::uint64_t external_tracks = 0;    // tracks whose data lives in another file (not checkable)
  std::vector<std::pair<std::uint32_t, SampleKind>> sample_kinds;  // by track id
};

// The NAL units of an H.264/H.265 sample at [pos, pos + size): length-prefixed (`length_size`
// bytes), each non-empty with its forbidden bit clear and a last byte that is not 0, exactly
// filling the sample. Random or zeroed bytes across unit boundaries fail this almost always;
// damage inside one unit's payload cannot be seen unless `scan_payloads` (for small stills) looks
// for 00 00 00, which emulation prevention keeps out of every unit.
bool nal_units_fill(Bytes& bytes, std::uint64_t pos, std::uint64_t size, unsigned length_size, bool scan_payloads);

// One sample of a track: its structure as its codec writes it (see SampleKind).
bool sample_checks_out(Bytes& bytes, std::uint64_t pos, std::uint64_t size, const SampleKind& kind);

// The same for AV1 OBUs: valid headers whose size fields exactly fill the sample.
bool obus_fill(Bytes& bytes, std::uint64_t pos, std::uint64_t size);

// Parses `moov` (its boxes must tile it, every track must have a complete sample table) and checks
// that every chunk of every track, with the sizes of its samples, lies inside `mdat`; for H.264 and
// H.265 tracks each sample's NAL unit lengths must add up to its size. False with `why` otherwise.
bool check_movie(Bytes& bytes, const Box& moov, const MediaData& mdat, Movie& movie, std::string& why);

// Checks one movie fragment: its track fragments' runs lie inside `mdat` (H.264/H.265 samples
// NAL unit by NAL unit). `sequence` is the previous fragment's sequence number (fragments count
// up) and is updated; `samples` counts the samples checked.
bool check_fragment(Bytes& bytes, const Box& moof, const Movie& movie, const MediaData& mdat,
                    std::uint32_t& sequence, std::uint64_t& samples, std::string& why);

// Checks the fragment random-access box: its size record matches and every entry points at one of
// `moof_starts` (sorted).
bool check_random_access(Bytes& bytes, const Box& mfra, const std::vector<std::uint64_t>& moof_starts, std::string& why);

// Where the media a segment index (sidx) describes ends: after the box, its first offset and
// the sizes of all the subsegments it references; nullopt when it is malformed.
std::optional<std::uint64_t> segment_index_end(Bytes& bytes, const Box& sidx);

}  // namespace ferret::carve::formats::mp4
