// MP3 validator: an optional ID3v2 tag, a chain of MPEG audio frames of one stream, the encoder's
// Xing/Info/VBRI counts (and LAME's music CRC) when present, then APE/Lyrics3/ID3v1 trailers.
//
// When is an MP3 complete? Frames carry no length of the stream and any frame boundary looks like
// an end, so the end must be shown by something else:
//  - the Xing/Info/VBRI header's frame and byte counts land exactly on a frame boundary (and the
//    LAME music CRC over the audio matches when the Info frame has one), or
//  - an ID3v1 tag (perhaps after APE or Lyrics3 tags) follows the last frame, or
//  - zeros or another file's signature follow the last frame, and that frame does not itself end
//    in zeros (which would be a tail overwritten from inside the frame).
// And the start must be a file's start: an ID3v2 tag or an encoder's header frame. Bare frames
// (the raw FF FB signatures) may be the middle of a stream whose head is lost, so they are never
// complete; when their first frame's bit reservoir reaches back before it, they are rejected.
#include <algorithm>
#include <string>

#include "carve/formats/formats.h"
#include "carve/formats/mp3_boundary.h"
#include "carve/formats/mp3_frame.h"

namespace ferret::carve::formats {

namespace {

using mp3::FrameHeader;

constexpr std::uint64_t kMaxZeroPadding = 64u << 10;  // zeros tolerated between an ID3v2 tag and the audio
constexpr std::uint64_t kMinBareFrames = 4;           // frames that make a bare chain more than chance

std::string at(std::uint64_t pos) { return " at offset " + std::to_string(pos); }

// Bytes seen from an offset: lets the FLAC validator walk a FLAC stream behind an ID3v2 tag.
class ShiftedBytes final : public Bytes {
 public:
  ShiftedBytes(Bytes& inner, std::uint64_t shift) : inner_(inner), shift_(shift) {}
  std::uint64_t size() const override { return inner_.size() - shift_; }
  std::span<const std::uint8_t> view(std::uint64_t pos, std::size_t len) override { return inner_.view(shift_ + pos, len); }

 private:
  Bytes& inner_;
  std::uint64_t shift_;
};

struct Id3v2 {
  std::uint64_t end = 0;       // the tag's end (footer included)
  bool fits = true;            // false: the tag runs past the end of the space
  std::uint64_t proven = 0;    // when it does not fit: the end of its last whole frame
  bool padding_zeros = true;   // the padding after the frames is zeros, as it must be
};

std::uint32_t synchsafe(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 21 | static_cast<std::uint32_t>(p[1]) << 14 |
         static_cast<std::uint32_t>(p[2]) << 7 | p[3];
}

bool frame_id_char(std::uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// The ID3v2 header and its frames (walked to check the tag, and to know how much of a tag that
// claims more than the space holds is really there).
std::optional<Id3v2> read_id3v2(Bytes& bytes) {
  const auto h = bytes.view(0, 10);
  if (h.size() < 10 || h[0] != 'I' || h[1] != 'D' || h[2] != '3') return std::nullopt;
  const unsigned version = h[3], flags = h[5];
  if (version < 2 || version > 4 || h[4] == 0xFF) return std::nullopt;
  for (int i = 6; i < 10; ++i) {
    if (h[static_cast<std::size_t>(i)] & 0x80) return std::nullopt;
  }
  const unsigned unused = version == 2 ? 0x3F : version == 3 ? 0x1F : 0x0F;
  if (flags & unused) return std::nullopt;
  Id3v2 tag;
  const std::uint64_t body_end = 10 + static_cast<std::uint64_t>(synchsafe(h.data() + 6));
  tag.end = body_end + ((version == 4 && (flags & 0x10)) ? 10 : 0);
  tag.fits = tag.end <= bytes.size();
  // Frames can be walked unless the whole tag is unsynchronised (v2.2/2.3) or has an extended header.
  const bool walkable = !(version < 4 && (flags & 0x80)) && !(flags & 0x40);
  const std::size_t id_len = version == 2 ? 3 : 4, header_len = version == 2 ? 6 : 10;
  std::uint64_t pos = 10;
  tag.proven = 10;
  bool first = true;
  while (walkable && pos + header_len <= body_end) {
    const auto f = bytes.view(pos, header_len);
    if (f.size() < header_len) break;  // the space ends
    if (f[0] == 0) {
      // Padding: zeros to the end of the tag (checked only when the tag is in the space).
      for (std::uint64_t p = pos; p < body_end && body_end <= bytes.size() && tag.padding_zeros;) {
        const auto w = bytes.view(p, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, body_end - p)));
        if (w.empty()) break;
        tag.padding_zeros = std::all_of(w.begin(), w.end(), [](std::uint8_t b) { return b == 0; });
        p += w.size();
      }
      break;
    }
    bool id_ok = true;
    for (std::size_t i = 0; i < id_len; ++i) id_ok = id_ok && frame_id_char(f[i]);
    if (!id_ok) {
      if (first) return std::nullopt;  // not even one frame: not a tag
      break;
    }
    std::uint64_t size = 0;
    if (version == 2) {
      size = static_cast<std::uint64_t>(f[3]) << 16 | f[4] << 8 | f[5];
    } else if (version == 3 || (f[4] | f[5] | f[6] | f[7]) & 0x80) {
      size = static_cast<std::uint64_t>(f[4]) << 24 | f[5] << 16 | f[6] << 8 | f[7];  // (iTunes writes v2.4 sizes plainly)
    } else {
      size = synchsafe(f.data() + 4);
    }
    if (pos + header_len + size > body_end) {
      if (first) return std::nullopt;
      break;
    }
    first = false;
    pos += header_len + size;
    if (pos <= bytes.size()) tag.proven = pos;
  }
  return tag;
}

// What the walk over the frame chain found.
struct Chain {
  std::uint64_t first = 0;       // the first frame
  std::uint64_t end = 0;         // after the last whole frame
  std::uint64_t last_start = 0;  // the last frame whose header was seen (its end proven only by what follows)
  std::uint64_t frames = 0;
  bool past_space = false;       // the last header's frame runs past the end of the space
  // Boundaries the encoder's counts point at, when the walk met them.
  std::optional<std::uint64_t> frames_at_target;   // frames up to `target`
  std::optional<std::uint64_t> end_after_count;    // where `count` frames end
};

// Walks frames of the stream that starts with `first_header` at `pos`; stops at the first bytes
// that are not a frame of it, at `space`, or (when the encoder gave counts) once past them.
Chain walk_chain(Bytes& bytes, std::uint64_t pos, const FrameHeader& first_header, std::uint64_t space,
                 std::optional<std::uint64_t> target, std::optional<std::uint64_t> count) {
  Chain c;
  c.first = pos;
  c.end = pos;
  c.last_start = pos;
  std::span<const std::uint8_t> w;
  std::uint64_t w_pos = 0;
  for (;;) {
    if (target && pos == *target) c.frames_at_target = c.frames;
    if (count && c.frames == *count) c.end_after_count = pos;
    if ((!target || pos > *target) && (!count || c.frames > *count) && (target || count)) break;
    if (pos + 4 > bytes.size()) break;
    if (pos < w_pos || pos + 4 > w_pos + w.size()) {
      w = bytes.view(pos, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, bytes.size() - pos)));
      w_pos = pos;
      if (w.size() < 4) break;
    }
    const std::uint8_t* p = w.data() + (pos - w_pos);
    const auto h = mp3::parse_header(static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
                                     static_cast<std::uint32_t>(p[2]) << 8 | p[3]);
    if (!h || !mp3::same_stream(*h, first_header)) break;
    c.last_start = pos;
    if (pos + h->length > space) {
      c.past_space = true;
      break;
    }
    pos += h->length;
    ++c.frames;
    c.end = pos;
  }
  return c;
}

// APE (with its header), Lyrics3 and ID3v1 tags after the audio; returns their end, whether an
// ID3v1 tag closed them, and whether one of them is cut off by the end of the space.
std::uint64_t read_trailers(Bytes& bytes, std::uint64_t pos, std::uint64_t space, bool& id3v1, bool& cut) {
  id3v1 = false;
  cut = false;
  for (int round = 0; round < 4; ++round) {
    // The space may end inside a tag's magic itself.
    if (pos < space && space - pos < 11) {
      const auto rest = bytes.view(pos, static_cast<std::size_t>(space - pos));
      const std::string_view r(reinterpret_cast<const char*>(rest.data()), rest.size());
      for (std::string_view magic : {"TAG", "APETAGEX", "LYRICSBEGIN"}) {
        if (r.size() < magic.size() && magic.starts_with(r)) {
          cut = true;
          return pos;
        }
      }
    }
    if (bytes.matches(pos, "APETAGEX")) {
      const auto size = bytes.u32le(pos + 12), flags = bytes.u32le(pos + 20);
      if (!size || !flags || !(*flags & (1u << 29)) || *size < 32) break;  // only a header says where it ends
      const std::uint64_t end = pos + 32 + *size;
      if (end > space) {
        cut = true;
        break;
      }
      if (!bytes.matches(end - 32, "APETAGEX")) break;
      pos = end;
    } else if (bytes.matches(pos, "LYRICSBEGIN")) {
      // Lyrics3 v2 ends with a 6-digit size and "LYRICS200"; v1 with "LYRICSEND" within 5100 bytes.
      const std::uint64_t reach = std::min<std::uint64_t>(space, pos + 11 + 1000000 + 15);
      if (const auto v2 = bytes.find("LYRICS200", pos + 11, reach); v2 && *v2 >= pos + 17) {
        const auto digits = bytes.view(*v2 - 6, 6);
        std::uint64_t n = 0;
        bool ok = digits.size() == 6;
        for (std::uint8_t d : digits) {
          ok = ok && d >= '0' && d <= '9';
          n = n * 10 + static_cast<std::uint64_t>(d - '0');
        }
        if (!ok || n != *v2 - 6 - pos) break;
        pos = *v2 + 9;
      } else if (const auto v1 = bytes.find("LYRICSEND", pos + 11, std::min<std::uint64_t>(space, pos + 5100 + 9))) {
        pos = *v1 + 9;
      } else {
        cut = reach == space;
        break;
      }
      if (!bytes.matches(pos, "TAG")) return pos;  // Lyrics3 is always followed by ID3v1
    } else if (bytes.matches(pos, "TAG+") && bytes.matches(pos + 227, "TAG")) {
      pos += 227;  // the enhanced tag sits before ID3v1
    } else if (bytes.matches(pos, "TAG")) {
      if (pos + 128 > space) {
        cut = true;
        break;
      }
      id3v1 = true;
      return pos + 128;
    } else {
      break;
    }
  }
  return pos;
}

}  // namespace

Verdict validate_mp3(Bytes& bytes, const Limits& limits) {
  Verdict v;
  v.type = "mp3";
  v.extension = "mp3";
  const std::uint64_t space = std::min(bytes.size(), limits.max_item);

  // The ID3v2 tag, if the candidate starts with one.
  std::uint64_t pos = 0;
  const bool tagged = bytes.matches(0, "ID3");
  bool padding_damaged = false;
  if (tagged) {
    const auto tag = read_id3v2(bytes);
    if (!tag) {
      v.missing = "malformed ID3v2 tag";
      return v;
    }
    if (!tag->fits || tag->end > space) {
      v.status = tag->proven > 10 ? Status::partial : Status::rejected;
      v.length = v.status == Status::partial ? std::min(tag->proven, space) : 0;
      v.missing = "the ID3v2 tag (" + std::to_string(tag->end) + " bytes) runs past the end of the space or the item size limit";
      return v;
    }
    if (!tag->padding_zeros) padding_damaged = true;
    pos = tag->end;
    // Some writers leave zeros between the tag and the audio.
    const auto zeros = bytes.view(pos, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxZeroPadding, space - pos)));
    pos += static_cast<std::uint64_t>(std::find_if(zeros.begin(), zeros.end(), [](std::uint8_t b) { return b != 0; }) - zeros.begin());
    // A FLAC stream behind an ID3v2 tag (some taggers do this): the FLAC validator walks it.
    if (bytes.matches(pos, "fLaC")) {
      ShiftedBytes flac(bytes, pos);
      Limits rest = limits;
      rest.max_item = space - pos;
      Verdict f = validate_flac(flac, rest);
      if (f.status != Status::rejected) f.length += pos;
      return f;
    }
  }

  // The first frame, and the encoder's header if it is one.
  const auto first_bytes = bytes.view(pos, 4);
  const auto first = first_bytes.size() == 4 ? mp3::parse_header(static_cast<std::uint32_t>(first_bytes[0]) << 24 |
                                                                  static_cast<std::uint32_t>(first_bytes[1]) << 16 |
                                                                  static_cast<std::uint32_t>(first_bytes[2]) << 8 | first_bytes[3])
                                             : std::nullopt;
  if (!first || pos + first->length > space) {
    v.missing = tagged ? "no MPEG audio frame after the ID3v2 tag" : "not an MPEG audio frame";
    return v;
  }
  if (first->layer != 3) {
    // MPEG audio layer I/II streams (.mp1/.mp2) are the same frame chains.
    v.type = v.extension = first->layer == 2 ? "mp2" : "mp1";
  }
  const auto frame = bytes.view(pos, first->length);
  const auto header = mp3::parse_stream_header(frame, *first);
  const auto reservoir = mp3::main_data_begin(frame, *first);
  if (!tagged && !header && reservoir && *reservoir != 0) {
    v.missing = "frames from the middle of a stream (the first frame's data starts in an earlier one)";
    return v;
  }
  const std::uint64_t first_pos = pos;
  const std::uint64_t header_end = pos + first->length;  // the header frame holds no audio

  // Walk the chain; with counts, only as far as they point.
  std::optional<std::uint64_t> target, count;
  if (header && header->bytes) target = first_pos + *header->bytes;
  if (header && header->frames) count = *header->frames + (header->vbri ? 0 : 1);
  const Chain chain = walk_chain(bytes, first_pos, *first, space, target, count);

  if (!tagged && chain.frames < kMinBareFrames) {
    v.missing = "only " + std::to_string(chain.frames) + " MPEG audio frames in a row: a chance match";
    return v;
  }
  if (chain.frames == 0) {
    v.missing = "no whole MPEG audio frame after the ID3v2 tag";
    return v;
  }
  v.status = Status::partial;
  v.length = chain.last_start;  // a frame's end is proven by the next header

  std::uint64_t stream_end = 0;
  bool counted = false;
  if (header && (header->bytes || header->frames)) {
    // The encoder's counts must land on a frame boundary and agree with each other.
    if (target) {
      if (!chain.frames_at_target) {
        v.missing = "the " + std::string(header->vbri ? "VBRI" : "Xing/Info") + " byte count does not end on a frame" +
                    (chain.end < *target ? " (the frames stop" + at(chain.end) + ")" : "");
        return v;
      }
      const std::uint64_t n = *chain.frames_at_target;
      if (header->frames && n != *header->frames + 1 && !(header->vbri && n == *header->frames)) {
        v.missing = "the frame count and the byte count of the stream header disagree";
        return v;
      }
      stream_end = *target;
    } else {
      if (!chain.end_after_count) {
        v.missing = "the stream header counts " + std::to_string(*count - 1) + " frames, the chain has " +
                    std::to_string(chain.frames == 0 ? 0 : chain.frames - 1);
        return v;
      }
      stream_end = *chain.end_after_count;
    }
    // LAME's music CRC over the audio frames: the strongest proof that every byte is the original.
    if (header->music_length && *header->music_length != 0) {
      if (first_pos + *header->music_length != stream_end) {
        v.missing = "the LAME tag's music length disagrees with the stream";
        return v;
      }
      std::uint16_t crc = 0;
      for (std::uint64_t p = header_end; p < stream_end;) {
        const auto w = bytes.view(p, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, stream_end - p)));
        if (w.empty()) break;
        crc = mp3::crc16_arc(crc, w.data(), w.size());
        p += w.size();
      }
      if (crc != *header->music_crc) {
        v.missing = "the audio does not match the LAME tag's music CRC (damaged or overwritten)";
        return v;
      }
    }
    counted = true;
    v.length = stream_end;
    // More frames of the same stream after the counted ones: a damaged header, or files joined.
    if (const auto next = bytes.u32be(stream_end)) {
      if (const auto h = mp3::parse_header(*next); h && mp3::same_stream(*h, *first)) {
        v.missing = "frames go on past the stream header's counts";
        return v;
      }
    }
  } else {
    if (chain.past_space) {
      v.missing = "the frame" + at(chain.last_start) + " runs past the end of the space or the item size limit";
      return v;
    }
    stream_end = chain.end;
  }

  bool id3v1 = false, cut = false;
  const std::uint64_t end = read_trailers(bytes, stream_end, space, id3v1, cut);
  if (cut) {
    v.length = end;
    v.missing = "a tag after the audio" + at(end) + " is cut off by the end of the space";
    return v;
  }
  const bool file_start = tagged || header.has_value();
  if (!file_start) {
    v.length = id3v1 ? end : chain.last_start;
    v.missing = "MPEG audio frames without an ID3v2 tag or encoder header: may be the tail of a stream whose start is lost";
    return v;
  }
  if (padding_damaged) {
    v.length = end;
    v.missing = "the ID3v2 tag's padding is not zeros (damaged)";
    return v;
  }
  const bool boundary = id3v1 || counted || bytes.matches(stream_end, "ID3") ||
                        ends_cleanly_at(bytes, stream_end, chain.last_start, "mp3");
  if (!boundary) {
    v.missing = "nothing marks the end of the frames" + at(stream_end) + " (no stream header counts, no ID3v1 tag)";
    return v;
  }
  v.status = Status::complete;
  v.length = end;
  v.missing.clear();
  return v;
}

}  // namespace ferret::carve::formats
