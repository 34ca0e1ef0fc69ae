// Checking an ISO BMFF index against the media data: moov sample tables, fragments, mfra.
#include "carve/formats/mp4_movie.h"

#include <algorithm>
#include <optional>

namespace ferret::carve::formats::mp4 {

namespace {

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
  unsigned nal_length_size = 0;  // 0: not an H.264/H.265 track, no NAL check
  SampleTable stbl;
};

// The NAL units of an H.264/H.265 sample: length-prefixed, each non-empty with its forbidden bit
// clear, exactly filling the sample. Random or zeroed bytes fail this almost always.
bool nal_units_fill(Bytes& bytes, std::uint64_t pos, std::uint64_t size, unsigned length_size) {
  const std::uint64_t end = pos + size;
  for (int n = 0; pos < end; ++n) {
    if (n == kMaxNalsPerSample) return true;
    if (end - pos < length_size + 1) return false;
    const auto h = bytes.view(pos, length_size + 1);
    if (h.size() < length_size + 1) return false;
    std::uint64_t len = 0;
    for (unsigned i = 0; i < length_size; ++i) len = len << 8 | h[i];
    if (len == 0 || (h[length_size] & 0x80) || len > end - pos - length_size) return false;
    pos += length_size + len;
  }
  return true;
}

// The NAL length field size from an avc1/avc3/hvc1/hev1 sample entry's configuration box.
unsigned nal_length_size(Bytes& bytes, const Box& stsd) {
  // stsd: version/flags, entry count, then the first sample entry.
  const auto entry = read_box(bytes, stsd.payload() + 8, stsd.end());
  if (!entry) return 0;
  const bool avc = entry->type == fourcc("avc1") || entry->type == fourcc("avc3");
  const bool hevc = entry->type == fourcc("hvc1") || entry->type == fourcc("hev1");
  if (!avc && !hevc) return 0;
  // A visual sample entry has 78 bytes of fields before its child boxes.
  const std::uint64_t children = entry->payload() + 78;
  if (children > entry->end()) return 0;
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
  return found == 3 ? 0 : found;
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
        if (t.nal_length_size != 0 && size > 0 && mdat.holds(offset + chunk_bytes, size) &&
            !nal_units_fill(bytes, offset + chunk_bytes, size, t.nal_length_size)) {
          why = "sample data of " + track + at(offset + chunk_bytes) + " is not H.264/H.265 NAL units";
          return false;
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

unsigned nal_size_of(const Movie& movie, std::uint32_t track_id) {
  for (const auto& [id, size] : movie.nal_sizes) {
    if (id == track_id) return size;
  }
  return 0;
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
        const unsigned nal = nal_size_of(movie, track_id);
        std::uint64_t bytes_total = 0;
        for (std::uint32_t i = 0; i < count; ++i) {
          std::uint32_t size = default_size;
          if ((f & 0x100) && !r.u32(v32)) return fail("short trun");
          if ((f & 0x200) && !r.u32(size)) return fail("short trun");
          if ((f & 0x400) && !r.u32(v32)) return fail("short trun");
          if ((f & 0x800) && !r.u32(v32)) return fail("short trun");
          if (nal != 0 && size > 0 && mdat.holds(start + bytes_total, size) &&
              !nal_units_fill(bytes, start + bytes_total, size, nal)) {
            return fail("fragment sample" + at(start + bytes_total) + " is not H.264/H.265 NAL units");
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
    t.nal_length_size = nal_length_size(bytes, *t.stbl.stsd);
    if (t.nal_length_size != 0) movie.nal_sizes.emplace_back(t.id, t.nal_length_size);
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

}  // namespace ferret::carve::formats::mp4
