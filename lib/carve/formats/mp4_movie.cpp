// Checking an ISO BMFF index against the media data: moov sample tables, fragments, mfra.
#include "carve/formats/mp4_movie.h"

#include <algorithm>
#include <optional>

namespace ferret::carve::formats::mp4 {

namespace {

// More tracks than this is not a movie (and would cost memory in proportion to the claim).
constexpr std::size_t kMaxTracks = 4096;
// A sample with more NAL units than this is not checked further (real ones have a handful).
constexpr int kMaxNalsPerSample = 1024;

std::string at(std::uint64_t pos) { return " at offset " + std::to_string(pos); }

struct SampleTable {
  std::optional<Box> stsd, stsc, stsz, stz2, stco, co64;
};

struct Track {
  std::uint32_t id = 0;
  bool has_tkhd = false, has_mdia = false, has_minf = false;
  bool external = false;  // the data reference points outside this file
  SampleKind kind;  // what each sample must look like
  SampleTable stbl;
};

// An mp4a sample entry whose esds says MPEG-4 or MPEG-2 AAC (not MP3 or another codec in mp4a).
bool is_aac(Bytes& bytes, const Box& entry) {
  // Sound sample entry: 8 bytes, then 20 (version 0), 36 (QuickTime version 1) or 56 (version 2).
  const auto version = bytes.u16be(entry.payload() + 8);
  if (!version || *version > 2) return false;
  const std::uint64_t children = entry.payload() + (*version == 0 ? 28 : *version == 1 ? 44 : 64);
  if (children > entry.end()) return false;
  std::optional<std::uint8_t> object_type;
  std::string ignored;
  walk_children(
      bytes, entry,
      [&](const Box& c) {
        if (c.type != fourcc("esds")) return true;
        // Full box, then descriptors: ES (tag 3) holding DecoderConfig (tag 4), whose first byte
        // is the object type. Sizes use 1-4 bytes of 7 bits each.
        TableReader r(bytes, c.payload() + 4, c.end());
        auto descriptor = [&](std::uint8_t tag) {
          std::uint8_t t = 0, b = 0x80;
          if (!r.u8(t) || t != tag) return false;
          for (int i = 0; i < 4 && (b & 0x80); ++i) {
            if (!r.u8(b)) return false;
          }
          return true;
        };
        std::uint8_t flags = 0, type = 0;
        std::uint16_t id = 0;
        if (!descriptor(3) || !r.u16(id) || !r.u8(flags)) return false;
        if ((flags & 0x80) && !r.skip(2)) return false;              // depends-on ES id
        if (flags & 0x40) {                                           // URL
          std::uint8_t len = 0;
          if (!r.u8(len) || !r.skip(len)) return false;
        }
        if ((flags & 0x20) && !r.skip(2)) return false;              // OCR ES id
        if (descriptor(4) && r.u8(type)) object_type = type;
        return false;
      },
      ignored, children);
  // 0x40 MPEG-4 audio, 0x66-0x68 MPEG-2 AAC profiles.
  return object_type && (*object_type == 0x40 || (*object_type >= 0x66 && *object_type <= 0x68));
}

// What the samples of the track's (first) sample entry look like: H.264/H.265 with the NAL length
// field size from avcC/hvcC, MPEG-4 Part 2 or H.263 start codes; codec 0 when not checked.
SampleKind sample_kind(Bytes& bytes, const Box& stsd) {
  // stsd: version/flags, entry count, then the first sample entry.
  const auto entry = read_box(bytes, stsd.payload() + 8, stsd.end());
  if (!entry) return {};
  if (entry->type == fourcc("mp4v") || entry->type == fourcc("s263") || entry->type == fourcc("h263")) return {entry->type, 0};
  if (entry->type == fourcc("mp4a")) return is_aac(bytes, *entry) ? SampleKind{entry->type, 0} : SampleKind{};
  const bool avc = entry->type == fourcc("avc1") || entry->type == fourcc("avc3");
  const bool hevc = entry->type == fourcc("hvc1") || entry->type == fourcc("hev1");
  if (!avc && !hevc) return {};
  // A visual sample entry has 78 bytes of fields before its child boxes.
  const std::uint64_t children = entry->payload() + 78;
  if (children > entry->end()) return {};
  unsigned found = 0;
  std::string ignored;
  walk_children(
      bytes, *entry,
      [&](const Box& c) {
        if (avc && c.type == fourcc("avcC") && c.payload_size() >= 5) {
          if (const auto b = bytes.u8(c.payload() + 4)) found = (*b & 3) + 1u;
          return false;
        }
        if (hevc && c.type == fourcc("hvcC") && c.payload_size() >= 22) {
          if (const auto b = bytes.u8(c.payload() + 21)) found = (*b & 3) + 1u;
          return false;
        }
        return true;
      },
      ignored, children);
  // A 3-byte length field does not exist in H.264/H.265 (lengthSizeMinusOne 2 is reserved).
  if (found == 0 || found == 3) return {};
  return {entry->type, found};
}

// The first data reference entry must be self-contained (flag 1), or the samples are elsewhere.
bool data_is_external(Bytes& bytes, const Box& dinf) {
  bool external = false;
  std::string ignored;
  walk_children(
      bytes, dinf,
      [&](const Box& c) {
        if (c.type != fourcc("dref")) return true;
        const auto entry = read_box(bytes, c.payload() + 8, c.end());
        if (entry && entry->payload_size() >= 4) {
          const auto flags = bytes.u32be(entry->payload());
          external = flags && (*flags & 1) == 0;
        }
        return false;
      },
      ignored);
  return external;
}

bool parse_stbl(Bytes& bytes, const Box& stbl, Track& t, std::string& why) {
  return walk_children(
      bytes, stbl,
      [&](const Box& c) {
        switch (c.type) {
          case fourcc("stsd"): t.stbl.stsd = c; break;
          case fourcc("stsc"): t.stbl.stsc = c; break;
          case fourcc("stsz"): t.stbl.stsz = c; break;
          case fourcc("stz2"): t.stbl.stz2 = c; break;
          case fourcc("stco"): t.stbl.stco = c; break;
          case fourcc("co64"): t.stbl.co64 = c; break;
          default: break;
        }
        return true;
      },
      why);
}

bool parse_minf(Bytes& bytes, const Box& minf, Track& t, std::string& why) {
  bool ok = true;
  const bool tiled = walk_children(
      bytes, minf,
      [&](const Box& c) {
        if (c.type == fourcc("dinf")) t.external = data_is_external(bytes, c);
        if (c.type == fourcc("stbl")) ok = parse_stbl(bytes, c, t, why);
        return ok;
      },
      why);
  return tiled && ok;
}

bool parse_mdia(Bytes& bytes, const Box& mdia, Track& t, std::string& why) {
  bool ok = true;
  const bool tiled = walk_children(
      bytes, mdia,
      [&](const Box& c) {
        if (c.type == fourcc("minf")) {
          t.has_minf = true;
          ok = parse_minf(bytes, c, t, why);
        }
        return ok;
      },
      why);
  return tiled && ok;
}

bool parse_trak(Bytes& bytes, const Box& trak, Track& t, std::string& why) {
  bool ok = true;
  const bool tiled = walk_children(
      bytes, trak,
      [&](const Box& c) {
        if (c.type == fourcc("tkhd")) {
          t.has_tkhd = true;
          // Full box: version 1 has 64-bit times before the track id.
          const auto version = bytes.u8(c.payload());
          const auto id = bytes.u32be(c.payload() + (version == 1 ? 20 : 12));
          if (!version || !id || c.payload_size() < (version == 1 ? 24u : 16u)) {
            why = "short tkhd" + at(c.start);
            ok = false;
          } else {
            t.id = *id;
          }
        } else if (c.type == fourcc("mdia")) {
          t.has_mdia = true;
          ok = parse_mdia(bytes, c, t, why);
        }
        return ok;
      },
      why);
  return tiled && ok;
}

// Every chunk of the track, with the sizes of its samples, inside an mdat; the tables agree on
// the number of samples.
bool check_chunks(Bytes& bytes, const Track& t, const MediaData& mdat, std::uint64_t& samples, std::string& why) {
  const SampleTable& s = t.stbl;
  const bool co64 = !s.stco.has_value();
  const Box& co = co64 ? *s.co64 : *s.stco;
  const std::string track = "track " + std::to_string(t.id);
  auto fail = [&](std::string message) {
    why = std::move(message);
    return false;
  };

  TableReader offsets(bytes, co.payload(), co.end());
  std::uint32_t flags = 0, chunks = 0;
  const unsigned width = co64 ? 8 : 4;
  if (!offsets.u32(flags) || !offsets.u32(chunks) || static_cast<std::uint64_t>(chunks) * width > offsets.remaining()) {
    why = "chunk offset table of " + track + " overflows its box";
    return false;
  }

  const bool compact = !s.stsz.has_value();
  const Box& sz = compact ? *s.stz2 : *s.stsz;
  TableReader sizes(bytes, sz.payload(), sz.end());
  std::uint32_t constant = 0, count = 0;
  unsigned field_bits = 32;
  if (!sizes.u32(flags)) return fail("short sample size table of " + track);
  if (compact) {
    std::uint32_t packed = 0;
    if (!sizes.u32(packed)) return fail("short sample size table of " + track);
    field_bits = packed & 0xFF;
    if (field_bits != 4 && field_bits != 8 && field_bits != 16) return fail("bad stz2 field size in " + track);
  } else if (!sizes.u32(constant)) {
    return fail("short sample size table of " + track);
  }
  if (!sizes.u32(count)) return fail("short sample size table of " + track);
  const bool per_sample = compact || constant == 0;
  if (per_sample && (static_cast<std::uint64_t>(count) * field_bits + 7) / 8 > sizes.remaining()) {
    why = "sample size table of " + track + " overflows its box";
    return false;
  }

  TableReader runs(bytes, s.stsc->payload(), s.stsc->end());
  std::uint32_t entries = 0;
  if (!runs.u32(flags) || !runs.u32(entries) || static_cast<std::uint64_t>(entries) * 12 > runs.remaining()) {
    why = "sample-to-chunk table of " + track + " overflows its box";
    return false;
  }
  // The run in force and the first chunk of the next one.
  std::uint32_t per_chunk = 0;
  std::uint64_t next_first = 0, next_per_chunk = 0;
  auto read_run = [&]() {
    if (entries == 0) {
      next_first = UINT64_MAX;
      return true;
    }
    --entries;
    std::uint32_t first = 0, spc = 0, sdi = 0;
    if (!runs.u32(first) || !runs.u32(spc) || !runs.u32(sdi)) return false;
    if (first == 0 || first <= next_first) return false;  // runs are in chunk order
    next_first = first;
    next_per_chunk = spc;
    return true;
  };
  if (!read_run() || (chunks > 0 && next_first != 1)) {
    why = "sample-to-chunk table of " + track + " does not start at chunk 1";
    return false;
  }

  std::uint64_t left = count;
  std::uint8_t nibble_byte = 0;
  bool high_nibble = true;
  auto next_size = [&](std::uint32_t& out) {
    if (!per_sample) {
      out = constant;
      return true;
    }
    std::uint64_t v = 0;
    if (field_bits == 4) {
      if (high_nibble) {
        if (!sizes.u8(nibble_byte)) return false;
        out = nibble_byte >> 4;
      } else {
        out = nibble_byte & 15;
      }
      high_nibble = !high_nibble;
      return true;
    }
    if (!sizes.uint(field_bits / 8, v)) return false;
    out = static_cast<std::uint32_t>(v);
    return true;
  };

  for (std::uint64_t chunk = 1; chunk <= chunks; ++chunk) {
    while (chunk == next_first) {
      per_chunk = static_cast<std::uint32_t>(next_per_chunk);
      if (!read_run()) {
        why = "sample-to-chunk table of " + track + " is out of order";
        return false;
      }
    }
    if (per_chunk == 0 || per_chunk > left) {
      why = "sample tables of " + track + " disagree at chunk " + std::to_string(chunk);
      return false;
    }
    std::uint64_t offset = 0, chunk_bytes = 0;
    if (!offsets.uint(width, offset)) return fail("short chunk offset table of " + track);
    if (!per_sample) {
      chunk_bytes = static_cast<std::uint64_t>(per_chunk) * constant;
    } else {
      for (std::uint32_t i = 0; i < per_chunk; ++i) {
        std::uint32_t size = 0;
        if (!next_size(size)) return fail("short sample size table of " + track);
        if (t.kind.codec != 0 && mdat.holds(offset + chunk_bytes, size) &&
            !sample_checks_out(bytes, offset + chunk_bytes, size, t.kind)) {
          return fail("sample data of " + track + at(offset + chunk_bytes) + " is not what its codec writes (damaged)");
        }
        chunk_bytes += size;
      }
    }
    if (!mdat.holds(offset, chunk_bytes)) {
      why = "chunk " + std::to_string(chunk) + " of " + track + at(offset) + " (" + std::to_string(chunk_bytes) +
            " bytes) lies outside the item's media data";
      return false;
    }
    left -= per_chunk;
  }
  if (left != 0) {
    why = "sample tables of " + track + " leave " + std::to_string(left) + " samples without a chunk";
    return false;
  }
  samples += count;
  return true;
}

SampleKind kind_of(const Movie& movie, std::uint32_t track_id) {
  for (const auto& [id, kind] : movie.sample_kinds) {
    if (id == track_id) return kind;
  }
  return {};
}

bool check_traf(Bytes& bytes, const Box& traf, const Box& moof, bool first_traf, std::uint64_t& data_end,
                const Movie& movie, const MediaData& mdat, std::uint64_t& samples, std::string& why) {
  bool have_tfhd = false, ok = true;
  std::uint32_t track_id = 0, default_size = 0;
  bool have_default_size = false;
  std::uint64_t base = 0;
  bool first_trun = true;
  std::uint64_t run_end = 0;
  auto fail = [&](std::string message) {
    ok = false;
    why = std::move(message);
    return false;
  };
  const bool tiled = walk_children(
      bytes, traf,
      [&](const Box& c) {
        if (c.type == fourcc("tfhd")) {
          TableReader r(bytes, c.payload(), c.end());
          std::uint32_t vf = 0, v32 = 0;
          std::uint64_t v64 = 0;
          if (have_tfhd || !r.u32(vf) || !r.u32(track_id)) return fail("bad tfhd" + at(c.start));
          const std::uint32_t f = vf & 0xFFFFFF;
          if (f & 0x01) {
            if (!r.u64(v64)) return fail("short tfhd" + at(c.start));
            base = v64;
          } else if ((f & 0x020000) || first_traf) {
            base = moof.start;  // default-base-is-moof, or the first track fragment
          } else {
            base = data_end;    // after the previous track fragment's data
          }
          if ((f & 0x02) && !r.u32(v32)) return fail("short tfhd" + at(c.start));
          if ((f & 0x08) && !r.u32(v32)) return fail("short tfhd" + at(c.start));
          if (f & 0x10) {
            if (!r.u32(default_size)) return fail("short tfhd" + at(c.start));
            have_default_size = true;
          }
          if ((f & 0x20) && !r.u32(v32)) return fail("short tfhd" + at(c.start));
          if (!have_default_size) {
            for (const auto& d : movie.trex) {
              if (d.track_id == track_id) {
                default_size = d.sample_size;
                have_default_size = true;
              }
            }
          }
          have_tfhd = true;
          return true;
        }
        if (c.type != fourcc("trun")) return true;
        if (!have_tfhd) return fail("trun before tfhd" + at(c.start));
        TableReader r(bytes, c.payload(), c.end());
        std::uint32_t vf = 0, count = 0, v32 = 0;
        if (!r.u32(vf) || !r.u32(count)) return fail("short trun" + at(c.start));
        const std::uint32_t f = vf & 0xFFFFFF;
        std::uint64_t start = first_trun ? base : run_end;
        if (f & 0x01) {
          if (!r.u32(v32)) return fail("short trun" + at(c.start));
          const auto offset = static_cast<std::int64_t>(static_cast<std::int32_t>(v32));
          if (offset < 0 && static_cast<std::uint64_t>(-offset) > base) return fail("trun data before the file" + at(c.start));
          start = static_cast<std::uint64_t>(static_cast<std::int64_t>(base) + offset);
        }
        if ((f & 0x04) && !r.u32(v32)) return fail("short trun" + at(c.start));
        const unsigned per_sample = 4u * (((f >> 8) & 1) + ((f >> 9) & 1) + ((f >> 10) & 1) + ((f >> 11) & 1));
        if (static_cast<std::uint64_t>(count) * per_sample != r.remaining()) {
          return fail("trun" + at(c.start) + " does not match its sample count");
        }
        if (!(f & 0x200) && !have_default_size) return fail("trun without sample sizes" + at(c.start));
        const SampleKind kind = kind_of(movie, track_id);
        std::uint64_t bytes_total = 0;
        for (std::uint32_t i = 0; i < count; ++i) {
          std::uint32_t size = default_size;
          if ((f & 0x100) && !r.u32(v32)) return fail("short trun");
          if ((f & 0x200) && !r.u32(size)) return fail("short trun");
          if ((f & 0x400) && !r.u32(v32)) return fail("short trun");
          if ((f & 0x800) && !r.u32(v32)) return fail("short trun");
          if (kind.codec != 0 && mdat.holds(start + bytes_total, size) &&
              !sample_checks_out(bytes, start + bytes_total, size, kind)) {
            return fail("fragment sample" + at(start + bytes_total) + " is not what its codec writes (damaged)");
          }
          bytes_total += size;
        }
        if (!mdat.holds(start, bytes_total)) {
          return fail("fragment data" + at(start) + " (" + std::to_string(bytes_total) + " bytes) lies outside the item's media data");
        }
        samples += count;
        run_end = start + bytes_total;
        data_end = run_end;
        first_trun = false;
        return true;
      },
      why);
  if (tiled && ok && !have_tfhd) {
    why = "traf without tfhd" + at(traf.start);
    return false;
  }
  return tiled && ok;
}

}  // namespace

bool nal_units_fill(Bytes& bytes, std::uint64_t pos, std::uint64_t size, unsigned length_size, bool scan_payloads) {
  const std::uint64_t end = pos + size;
  bool first = true;
  for (int n = 0; pos < end; ++n) {
    if (n == kMaxNalsPerSample) return true;
    if (end - pos < length_size + 1) return false;
    // The previous NAL unit's last byte comes with this one's header: it is never 0 (H.264 7.4.1,
    // H.265 7.4.2), which catches a tail zeroed from inside the unit.
    const std::uint64_t from = first ? pos : pos - 1;
    const std::size_t skip = static_cast<std::size_t>(pos - from);
    const auto h = bytes.view(from, skip + length_size + 1);
    if (h.size() < skip + length_size + 1 || (!first && h[0] == 0)) return false;
    std::uint64_t len = 0;
    for (unsigned i = 0; i < length_size; ++i) len = len << 8 | h[skip + i];
    if (len == 0 || (h[skip + length_size] & 0x80) || len > end - pos - length_size) return false;
    // Emulation prevention keeps 00 00 00 out of a NAL unit: zeroed stretches show.
    if (scan_payloads && bytes.find(std::string_view("\0\0\0", 3), pos + length_size, pos + length_size + len)) return false;
    pos += length_size + len;
    first = false;
  }
  const auto last = bytes.u8(end - 1);
  return last && *last != 0;
}

bool sample_checks_out(Bytes& bytes, std::uint64_t pos, std::uint64_t size, const SampleKind& kind) {
  if (size == 0) return true;
  if (kind.nal_length_size != 0) return nal_units_fill(bytes, pos, size, kind.nal_length_size, false);
  if (kind.codec == fourcc("mp4a")) {
    // An AAC raw data block ends with the END element (bits 111) and byte alignment, so its last
    // byte is never 0; its first element cannot be END. Zeroed samples show.
    const auto first = bytes.u8(pos);
    const auto last = bytes.u8(pos + size - 1);
    return first && last && (*first >> 5) != 7 && *last != 0;
  }
  if (kind.codec == fourcc("mp4v")) {
    // MPEG-4 Part 2: every sample opens with a start code (VOS, VOL or VOP).
    const auto h = bytes.view(pos, 3);
    return size >= 4 && h.size() == 3 && h[0] == 0 && h[1] == 0 && h[2] == 1;
  }
  if (kind.codec == fourcc("s263") || kind.codec == fourcc("h263")) {
    // H.263: every picture opens with its 22-bit picture start code.
    const auto h = bytes.view(pos, 3);
    return size >= 4 && h.size() == 3 && h[0] == 0 && h[1] == 0 && (h[2] & 0xFC) == 0x80;
  }
  return true;
}

bool obus_fill(Bytes& bytes, std::uint64_t pos, std::uint64_t size) {
  const std::uint64_t end = pos + size;
  for (int n = 0; pos < end; ++n) {
    if (n == kMaxNalsPerSample) return true;
    const auto h = bytes.view(pos, static_cast<std::size_t>(std::min<std::uint64_t>(10, end - pos)));
    if (h.empty()) return false;
    // obu_header: forbidden bit, 4-bit type, extension flag, has-size flag, reserved bit.
    const unsigned type = (h[0] >> 3) & 15;
    const bool extension = h[0] & 4, has_size = h[0] & 2;
    if ((h[0] & 0x81) != 0 || type == 0 || (type >= 9 && type <= 14)) return false;
    std::size_t at = extension ? 2 : 1;
    if (!has_size) return true;  // the last OBU may run to the end of the sample
    std::uint64_t len = 0;
    for (unsigned shift = 0;; shift += 7) {  // leb128
      if (at >= h.size() || shift > 56) return false;
      len |= static_cast<std::uint64_t>(h[at] & 0x7F) << shift;
      if (!(h[at++] & 0x80)) break;
    }
    if (at > end - pos || len > end - pos - at) return false;
    pos += at + len;
  }
  return true;
}

bool MediaData::holds(std::uint64_t pos, std::uint64_t len) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), pos,
                             [](std::uint64_t p, const std::pair<std::uint64_t, std::uint64_t>& r) { return p < r.first; });
  if (it == ranges_.begin()) return false;
  --it;
  return pos >= it->first && pos <= it->second && len <= it->second - pos;
}

bool check_movie(Bytes& bytes, const Box& moov, const MediaData& mdat, Movie& movie, std::string& why) {
  std::vector<Track> tracks;
  bool have_mvhd = false, ok = true;
  auto fail = [&](std::string message) {
    ok = false;
    why = std::move(message);
    return false;
  };
  const bool tiled = walk_children(
      bytes, moov,
      [&](const Box& c) {
        if (c.type == fourcc("mvhd")) have_mvhd = true;
        if (c.type == fourcc("trak")) {
          if (tracks.size() == kMaxTracks) return fail("more than " + std::to_string(kMaxTracks) + " tracks");
          tracks.emplace_back();
          ok = parse_trak(bytes, c, tracks.back(), why);
        }
        if (c.type == fourcc("mvex")) {
          movie.fragmented = true;
          ok = walk_children(
              bytes, c,
              [&](const Box& e) {
                if (e.type != fourcc("trex")) return true;
                const auto id = bytes.u32be(e.payload() + 4);
                const auto size = bytes.u32be(e.payload() + 16);
                if (!id || !size || e.payload_size() < 24) return fail("short trex" + at(e.start));
                movie.trex.push_back({*id, *size});
                return true;
              },
              why) && ok;
        }
        return ok;
      },
      why);
  if (!tiled || !ok) return false;
  if (!have_mvhd) {
    why = "moov has no mvhd";
    return false;
  }
  for (const Track& t : tracks) {
    const SampleTable& s = t.stbl;
    if (!t.has_tkhd || !t.has_mdia || !t.has_minf || !s.stsd || !s.stsc || !(s.stsz || s.stz2) || !(s.stco || s.co64)) {
      why = "track " + std::to_string(t.id) + " has no complete sample table";
      return false;
    }
  }
  for (Track& t : tracks) {
    t.kind = sample_kind(bytes, *t.stbl.stsd);
    if (t.kind.codec != 0) movie.sample_kinds.emplace_back(t.id, t.kind);
    if (t.external) {
      ++movie.external_tracks;
      continue;
    }
    if (!check_chunks(bytes, t, mdat, movie.samples, why)) return false;
  }
  return true;
}

bool check_fragment(Bytes& bytes, const Box& moof, const Movie& movie, const MediaData& mdat,
                    std::uint32_t& sequence, std::uint64_t& samples, std::string& why) {
  bool have_mfhd = false, ok = true, first_traf = true;
  std::uint64_t data_end = moof.start;
  auto fail = [&](std::string message) {
    ok = false;
    why = std::move(message);
    return false;
  };
  const bool tiled = walk_children(
      bytes, moof,
      [&](const Box& c) {
        if (c.type == fourcc("mfhd")) {
          const auto seq = bytes.u32be(c.payload() + 4);
          if (!seq || c.payload_size() < 8 || *seq <= sequence) {
            return fail("fragment sequence number does not count up" + at(c.start));
          }
          sequence = *seq;
          have_mfhd = true;
        } else if (c.type == fourcc("traf")) {
          ok = check_traf(bytes, c, moof, first_traf, data_end, movie, mdat, samples, why);
          first_traf = false;
        }
        return ok;
      },
      why);
  if (tiled && ok && !have_mfhd) {
    why = "moof without mfhd" + at(moof.start);
    return false;
  }
  return tiled && ok;
}

bool check_random_access(Bytes& bytes, const Box& mfra, const std::vector<std::uint64_t>& moof_starts, std::string& why) {
  bool ok = true, have_mfro = false;
  auto fail = [&](std::string message) {
    ok = false;
    why = std::move(message);
    return false;
  };
  const bool tiled = walk_children(
      bytes, mfra,
      [&](const Box& c) {
        if (c.type == fourcc("mfro")) {
          const auto size = bytes.u32be(c.payload() + 4);
          if (!size || *size != mfra.size || c.end() != mfra.end()) return fail("mfro does not match its mfra");
          have_mfro = true;
          return true;
        }
        if (c.type != fourcc("tfra")) return true;
        TableReader r(bytes, c.payload(), c.end());
        std::uint32_t vf = 0, track = 0, lengths = 0, entries = 0;
        if (!r.u32(vf) || !r.u32(track) || !r.u32(lengths) || !r.u32(entries)) return fail("short tfra");
        const unsigned wide = (vf >> 24) == 1 ? 8 : 4;
        const unsigned tail = ((lengths >> 4) & 3) + ((lengths >> 2) & 3) + (lengths & 3) + 3;
        if (static_cast<std::uint64_t>(entries) * (2 * wide + tail) != r.remaining()) return fail("tfra size does not match its entries");
        for (std::uint32_t i = 0; i < entries; ++i) {
          std::uint64_t time = 0, offset = 0;
          if (!r.uint(wide, time) || !r.uint(wide, offset) || !r.skip(tail)) return fail("short tfra");
          if (!std::binary_search(moof_starts.begin(), moof_starts.end(), offset)) {
            return fail("tfra entry points at no moof" + at(offset));
          }
        }
        return true;
      },
      why);
  if (tiled && ok && !have_mfro) {
    why = "mfra without mfro";
    return false;
  }
  return tiled && ok;
}

std::optional<std::uint64_t> segment_index_end(Bytes& bytes, const Box& sidx) {
  TableReader r(bytes, sidx.payload(), sidx.end());
  std::uint32_t vf = 0, reference = 0, timescale = 0;
  std::uint64_t earliest = 0, first_offset = 0;
  std::uint16_t reserved = 0, count = 0;
  if (!r.u32(vf) || !r.u32(reference) || !r.u32(timescale)) return std::nullopt;
  const unsigned wide = (vf >> 24) == 0 ? 4 : 8;
  if (!r.uint(wide, earliest) || !r.uint(wide, first_offset) || !r.u16(reserved) || !r.u16(count)) return std::nullopt;
  if (static_cast<std::uint64_t>(count) * 12 != r.remaining()) return std::nullopt;
  std::uint64_t end = sidx.end() + first_offset;
  for (std::uint16_t i = 0; i < count; ++i) {
    std::uint32_t size = 0, duration = 0, sap = 0;
    if (!r.u32(size) || !r.u32(duration) || !r.u32(sap)) return std::nullopt;
    end += size & 0x7FFFFFFF;  // a reference to another sidx counts its whole subtree too
  }
  return end;
}

}  // namespace ferret::carve::formats::mp4
