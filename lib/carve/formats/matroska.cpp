// Matroska/WebM validator: the EBML header, then the Segment's level-1 elements (clusters walked
// block by block, CRC-32 elements verified, SeekHead and Cues pointing where they should) to the
// Segment's end. A live Segment of unknown size ends where its level-1 elements stop; it is
// complete only when zeros, a new EBML header or another file's signature follow and its last
// element does not itself end in zeros (random bytes after it may be its own lost continuation).
#include <algorithm>
#include <string>
#include <vector>

#include <zlib.h>

#include "carve/formats/formats.h"
#include "carve/formats/matroska_ebml.h"
#include "carve/formats/mp3_boundary.h"

namespace ferret::carve::formats {

namespace {

using ebml::Element;

constexpr std::uint64_t kMaxHeaderSize = 4096;     // an EBML header is a few dozen bytes
constexpr std::size_t kMaxLevelOne = 1u << 20;     // level-1 elements remembered for SeekHead/Cues
constexpr std::size_t kMaxTracks = 128;
constexpr std::size_t kMaxPointers = 1u << 20;     // SeekHead and Cues entries checked
constexpr std::uint64_t kMaxVoidScan = 256u << 20; // Void bytes looked at for another file's start

std::string at(std::uint64_t pos) { return " at offset " + std::to_string(pos); }

// What the walk has learnt and where it stands.
struct Walk {
  explicit Walk(Bytes& b) : bytes(b) {}
  Bytes& bytes;
  std::uint64_t segment_data = 0;
  std::vector<std::uint64_t> tracks;  // track numbers from Tracks
  bool audio_only = true;
  bool any_track = false;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> level_one;  // (start, id), in order
  std::vector<std::pair<std::uint64_t, std::uint32_t>> pointers;   // SeekHead/Cues: (segment offset, id)
  std::string why;

  bool fail(std::string message) {
    why = std::move(message);
    return false;
  }
};

// The element at `pos` inside a parent ending at `limit`: header there, size known, fits.
std::optional<Element> child_at(Walk& w, std::uint64_t pos, std::uint64_t limit) {
  const auto e = ebml::read_element(w.bytes, pos);
  if (!e || e->unknown_size || e->data > limit || e->size > limit - e->data) return std::nullopt;
  return e;
}

// A CRC-32 element as the first child covers the rest of its parent (IEEE CRC, stored LE).
bool crc_holds(Walk& w, const Element& crc, std::uint64_t end) {
  if (crc.size != 4) return false;
  const auto stored = w.bytes.u32le(crc.data);
  if (!stored) return false;
  uLong c = crc32(0L, Z_NULL, 0);
  for (std::uint64_t pos = crc.end(); pos < end;) {
    const auto v = w.bytes.view(pos, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, end - pos)));
    if (v.empty()) return false;
    c = crc32(c, v.data(), static_cast<uInt>(v.size()));
    pos += v.size();
  }
  return static_cast<std::uint32_t>(c) == *stored;
}

// The children of a master element of known size tile it exactly; each goes to `visit`.
template <class Visit>
bool walk_master(Walk& w, const Element& parent, Visit&& visit) {
  std::uint64_t pos = parent.data;
  const std::uint64_t end = parent.end();
  bool first = true;
  std::optional<Element> crc;
  while (pos < end) {
    const auto c = child_at(w, pos, end);
    if (!c) return w.fail("malformed element inside element " + std::to_string(parent.id) + at(pos));
    if (first && c->id == ebml::kCrc32) crc = c;
    if (!visit(*c)) return false;
    first = false;
    pos = c->end();
  }
  // The CRC is read only once the structure holds, so garbage that claims gigabytes costs nothing.
  if (crc && !crc_holds(w, *crc, end)) return w.fail("CRC-32 mismatch in the element" + at(parent.start));
  return true;
}

bool check_tracks(Walk& w, const Element& tracks) {
  return walk_master(w, tracks, [&](const Element& entry) {
    if (entry.id != ebml::kTrackEntry) return true;
    return walk_master(w, entry, [&](const Element& f) {
      if (f.id == ebml::kTrackNumber) {
        const auto n = ebml::read_uint(w.bytes, f);
        if (!n || *n == 0) return w.fail("bad track number" + at(f.start));
        if (w.tracks.size() < kMaxTracks) w.tracks.push_back(*n);
      } else if (f.id == ebml::kTrackType) {
        const auto t = ebml::read_uint(w.bytes, f);
        w.any_track = true;
        if (!t || *t != 2) w.audio_only = false;
      }
      return true;
    });
  });
}

bool check_seek_head(Walk& w, const Element& head) {
  return walk_master(w, head, [&](const Element& seek) {
    if (seek.id != ebml::kSeek) return true;
    std::uint32_t id = 0;
    std::optional<std::uint64_t> position;
    const bool ok = walk_master(w, seek, [&](const Element& f) {
      if (f.id == ebml::kSeekId && f.size >= 1 && f.size <= 4) {
        const auto v = ebml::read_uint(w.bytes, f);
        if (v) id = static_cast<std::uint32_t>(*v);
      } else if (f.id == ebml::kSeekPosition) {
        position = ebml::read_uint(w.bytes, f);
      }
      return true;
    });
    if (!ok) return false;
    if (id == 0 || !position) return w.fail("Seek entry without ID or position" + at(seek.start));
    if (w.pointers.size() < kMaxPointers) w.pointers.emplace_back(*position, id);
    return true;
  });
}

bool check_cues(Walk& w, const Element& cues) {
  return walk_master(w, cues, [&](const Element& point) {
    if (point.id != ebml::kCuePoint) return true;
    return walk_master(w, point, [&](const Element& tp) {
      if (tp.id != ebml::kCueTrackPositions) return true;
      return walk_master(w, tp, [&](const Element& f) {
        if (f.id != ebml::kCueClusterPosition) return true;
        const auto position = ebml::read_uint(w.bytes, f);
        if (!position) return w.fail("bad cue cluster position" + at(f.start));
        if (w.pointers.size() < kMaxPointers) w.pointers.emplace_back(*position, ebml::kCluster);
        return true;
      });
    });
  });
}

// A block starts with its track number (a vint): one Tracks declared.
bool block_track_known(Walk& w, const Element& block) {
  if (w.tracks.empty()) return true;
  const auto h = w.bytes.view(block.data, 8);
  if (h.empty() || h[0] == 0 || block.size < 4) return false;
  const unsigned len = static_cast<unsigned>(__builtin_clz(h[0])) - 24 + 1;
  if (len > h.size() || len > block.size) return false;
  std::uint64_t n = h[0] & (0xFFu >> len);
  for (unsigned i = 1; i < len; ++i) n = n << 8 | h[i];
  return std::find(w.tracks.begin(), w.tracks.end(), n) != w.tracks.end();
}

// A cluster's children: timestamps and blocks whose headers name known tracks. A cluster of
// unknown size ends at the first element that cannot be its child. Returns its end in `end`.
bool check_cluster(Walk& w, const Element& cluster, std::uint64_t limit, std::uint64_t& end) {
  const std::uint64_t stop = cluster.unknown_size ? limit : cluster.end();
  std::uint64_t pos = cluster.data;
  bool first = true;
  std::optional<Element> crc;
  while (pos < stop) {
    const auto e = ebml::read_element(w.bytes, pos);
    if (cluster.unknown_size && (!e || !ebml::is_cluster_child(e->id))) break;
    if (!e) return w.fail("malformed element in the cluster" + at(cluster.start));
    if (!ebml::is_cluster_child(e->id) || e->unknown_size) return w.fail("unexpected element in the cluster" + at(pos));
    if (e->data > stop || e->size > stop - e->data) {
      return w.fail("element" + at(pos) + " runs past its cluster or the space");
    }
    if (first && e->id == ebml::kCrc32 && !cluster.unknown_size) crc = e;
    if (e->id == ebml::kSimpleBlock && !block_track_known(w, *e)) return w.fail("block of an unknown track" + at(pos));
    if (e->id == ebml::kBlockGroup) {
      const bool ok = walk_master(w, *e, [&](const Element& c) {
        if (c.id == ebml::kBlock && !block_track_known(w, c)) return w.fail("block of an unknown track" + at(c.start));
        return true;
      });
      if (!ok) return false;
    }
    first = false;
    pos = e->end();
  }
  if (!cluster.unknown_size && pos != stop) return w.fail("cluster children overrun" + at(cluster.start));
  // Checked last: only a cluster whose blocks all parse is worth reading in full.
  if (crc && !crc_holds(w, *crc, stop)) return w.fail("CRC-32 mismatch in the cluster" + at(cluster.start));
  end = pos;
  return true;
}

// One level-1 element: checked according to its kind. `limit` is where the segment ends (or the
// space, for a segment of unknown size). Returns the element's end in `end`.
bool check_level_one(Walk& w, const Element& e, std::uint64_t limit, std::uint64_t& end) {
  if (e.unknown_size) {
    if (e.id != ebml::kCluster) return w.fail("level-1 element of unknown size" + at(e.start));
    return check_cluster(w, e, limit, end);
  }
  if (e.data > limit || e.size > limit - e.data) {
    return w.fail("element" + at(e.start) + " runs past the end of its segment or the space");
  }
  end = e.end();
  switch (e.id) {
    case ebml::kCluster: return check_cluster(w, e, limit, end);
    case ebml::kTracks: return check_tracks(w, e);
    case ebml::kSeekHead: return check_seek_head(w, e);
    case ebml::kCues: return check_cues(w, e);
    case ebml::kVoid:
      // Void may hold anything, so nothing inside it is checked; but a file that was not where it
      // claims (fragmented, sparse) shows as another file's start on a sector boundary in it.
      if (const auto foreign = file_start_inside(w.bytes, e.data, e.end(), kMaxVoidScan)) {
        return w.fail("another file starts on a sector boundary inside the Void element" + at(e.start));
      }
      return true;
    case ebml::kCrc32: return true;
    default: return walk_master(w, e, [](const Element&) { return true; });
  }
}

// SeekHead and Cues entries point at level-1 elements of the right kind inside what was walked.
bool pointers_hold(Walk& w) {
  if (w.level_one.size() >= kMaxLevelOne) return true;  // too many to have remembered them all
  for (const auto& [offset, id] : w.pointers) {
    const std::uint64_t pos = w.segment_data + offset;
    const auto it = std::lower_bound(w.level_one.begin(), w.level_one.end(), std::make_pair(pos, std::uint32_t{0}));
    if (it == w.level_one.end() || it->first != pos || it->second != id) {
      return w.fail("SeekHead or Cues entry points at offset " + std::to_string(pos) + ", where no such element is");
    }
  }
  return true;
}

}  // namespace

Verdict validate_matroska(Bytes& bytes, const Limits& limits) {
  Verdict v;
  v.type = "mkv";
  v.extension = "mkv";
  const std::uint64_t space = std::min(bytes.size(), limits.max_item);
  Walk w(bytes);

  // The EBML header: a small master element whose DocType says matroska or webm.
  const auto header = ebml::read_element(bytes, 0);
  if (!header || header->id != ebml::kEbml || header->unknown_size || header->size > kMaxHeaderSize ||
      header->end() > bytes.size()) {
    v.missing = "no EBML header";
    return v;
  }
  std::string doc_type = "matroska";  // the default when DocType is absent
  bool header_ok = walk_master(w, *header, [&](const Element& c) {
    if (c.id == ebml::kDocType) {
      const auto s = bytes.view(c.data, static_cast<std::size_t>(std::min<std::uint64_t>(c.size, 64)));
      doc_type.assign(reinterpret_cast<const char*>(s.data()), s.size());
      doc_type.erase(std::find(doc_type.begin(), doc_type.end(), '\0'), doc_type.end());
    } else if (c.id == ebml::kMaxIdLength || c.id == ebml::kMaxSizeLength) {
      const auto n = ebml::read_uint(bytes, c);
      if (!n || *n == 0 || *n > (c.id == ebml::kMaxIdLength ? 4u : 8u)) return w.fail("unsupported EBML length limits");
    }
    return true;
  });
  if (!header_ok || (doc_type != "matroska" && doc_type != "webm")) {
    v.missing = header_ok ? "EBML document of type '" + doc_type + "', not Matroska" : "malformed EBML header: " + w.why;
    return v;
  }
  if (doc_type == "webm") {
    v.type = "webm";
    v.extension = "webm";
  }
  if (header->end() > space) {
    v.missing = "EBML header runs past the item size limit";
    return v;
  }
  v.status = Status::partial;
  v.length = header->end();

  // The Segment, after any Void elements.
  std::uint64_t pos = header->end();
  std::optional<Element> segment;
  for (;;) {
    segment = ebml::read_element(bytes, pos);
    if (!segment || segment->id != ebml::kVoid || segment->unknown_size || segment->end() > space) break;
    pos = segment->end();
  }
  if (!segment || segment->id != ebml::kSegment) {
    v.missing = "no Segment after the EBML header";
    return v;
  }
  if (segment->data > space) {
    v.missing = "the Segment's header runs past the end of the space or the item size limit";
    return v;
  }
  w.segment_data = segment->data;
  const bool live = segment->unknown_size;
  std::uint64_t limit = space;
  if (!live) {
    if (segment->data > bytes.size() || segment->size > bytes.size() - segment->data) {
      limit = space;  // walk what is there (within the item size limit); the end cannot be reached
    } else {
      limit = std::min(space, segment->end());
    }
  }

  // Level-1 elements, each checked, from the Segment's data to its end.
  pos = segment->data;
  v.length = pos;
  bool failed = false;
  while (pos < limit) {
    const auto e = ebml::read_element(bytes, pos);
    if (live && (!e || !ebml::is_segment_child(e->id))) break;  // a live segment ends here
    if (!e || !ebml::is_segment_child(e->id)) {
      w.fail(e ? "element " + std::to_string(e->id) + at(pos) + " cannot be in a Segment" : "malformed element" + at(pos));
      failed = true;
      break;
    }
    std::uint64_t end = 0;
    if (!check_level_one(w, *e, limit, end)) {
      failed = true;
      break;
    }
    if (w.level_one.size() < kMaxLevelOne) w.level_one.emplace_back(e->start, e->id);
    pos = end;
    v.length = pos;  // everything up to here checked out
  }

  if (w.any_track && w.audio_only && doc_type == "matroska") {
    v.type = "mka";
    v.extension = "mka";
  }
  if (failed) {
    v.missing = w.why;
    return v;
  }
  if (!live && pos != segment->end()) {
    v.missing = segment->end() > space ? "the Segment runs past the end of the space or the item size limit"
                                       : "the Segment's elements stop before its end";
    return v;
  }
  if (!pointers_hold(w)) {
    v.missing = w.why;
    return v;
  }
  if (live) {
    // Nothing says where a live stream ends: the item is complete only if what follows the last
    // element is zeros or another file (a new EBML header included), and the last element does
    // not itself end in zeros (a tail overwritten from inside the last cluster).
    const std::uint64_t last = w.level_one.empty() ? segment->start : w.level_one.back().first;
    const bool next_file = bytes.matches(pos, "\x1A\x45\xDF\xA3");
    if (pos == segment->data || (!next_file && !ends_cleanly_at(bytes, pos, last, "matroska"))) {
      v.missing = "Segment of unknown size (a live stream): nothing shows that its last element is the last";
      return v;
    }
  }
  v.status = Status::complete;
  v.missing.clear();
  return v;
}

}  // namespace ferret::carve::formats
