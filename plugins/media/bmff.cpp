// ISO BMFF (MP4, MOV, 3GP): movie duration, the first video and audio tracks' codecs and size, and the
// title and encoder tags, read by walking box headers and seeking past everything else (mdat, moof).
#include <algorithm>
#include <cstring>

#include "media_source.h"

namespace ferret_media {
namespace {

constexpr std::uint32_t fcc(const char* s) {
  return std::uint32_t{static_cast<unsigned char>(s[0])} << 24 | std::uint32_t{static_cast<unsigned char>(s[1])} << 16 |
         std::uint32_t{static_cast<unsigned char>(s[2])} << 8 | static_cast<unsigned char>(s[3]);
}
// The iTunes/QuickTime tags begin with the copyright sign (0xA9).
constexpr std::uint32_t kTagTitle = 0xA96E616Du;     // ©nam
constexpr std::uint32_t kTagEncoder = 0xA9746F6Fu;   // ©too
constexpr std::uint32_t kTagSoftware = 0xA9737772u;  // ©swr (QuickTime's name for the writing application)

constexpr unsigned kMaxChildren = 100000;  // boxes per container before the walk gives up
constexpr unsigned kMaxTopLevel = 1000000;
constexpr std::size_t kMaxTagText = 4096;  // bytes of a title or encoder string that are kept

struct Box {
  std::uint32_t type = 0;
  std::uint64_t offset = 0, payload = 0, end = 0;
  std::uint64_t payload_size() const { return end - payload; }
};

struct Track {
  std::uint32_t handler = 0;
  std::uint64_t tkhd_width = 0, tkhd_height = 0;
  bool has_entry = false;
  Box entry;  // the first sample entry of stsd
};

struct Codec {
  std::uint32_t tag;
  const char* name;
};
// Sample entry four-character codes and the codec names ffprobe uses for them.
constexpr Codec kCodecs[] = {
    {fcc("avc1"), "h264"}, {fcc("avc3"), "h264"}, {fcc("hvc1"), "hevc"}, {fcc("hev1"), "hevc"},
    {fcc("vp08"), "vp8"},  {fcc("vp09"), "vp9"},  {fcc("av01"), "av1"},  {fcc("mp4v"), "mpeg4"},
    {fcc("s263"), "h263"}, {fcc("h263"), "h263"}, {fcc("jpeg"), "mjpeg"}, {fcc("mjpa"), "mjpeg"},
    {fcc("apch"), "prores"}, {fcc("apcn"), "prores"}, {fcc("apcs"), "prores"}, {fcc("apco"), "prores"},
    {fcc("ap4h"), "prores"}, {fcc("dvh1"), "hevc"}, {fcc("dvhe"), "hevc"},
    {fcc("Opus"), "opus"}, {fcc("fLaC"), "flac"}, {fcc("ac-3"), "ac3"}, {fcc("ec-3"), "eac3"},
    {fcc(".mp3"), "mp3"},  {fcc("alac"), "alac"}, {fcc("samr"), "amr_nb"}, {fcc("sawb"), "amr_wb"},
    {fcc("sowt"), "pcm_s16le"}, {fcc("twos"), "pcm_s16be"}, {fcc("ulaw"), "pcm_mulaw"}, {fcc("alaw"), "pcm_alaw"},
    {0x6D730055u, "mp3"},  // "ms\0U": MP3 with a WAVE format tag
};

const char* codec_name(std::uint32_t tag) {
  for (const auto& c : kCodecs) {
    if (c.tag == tag) return c.name;
  }
  return nullptr;
}

// MPEG-4 object type indications (ISO/IEC 14496-1) of the audio codecs an mp4a entry carries.
const char* object_type_name(unsigned oti) {
  switch (oti) {
    case 0x40: case 0x66: case 0x67: case 0x68: return "aac";
    case 0x69: case 0x6B: return "mp3";
    case 0xA5: return "ac3";
    case 0xA6: return "eac3";
    case 0xA9: return "dts";
    case 0xAD: return "opus";
    default: return nullptr;
  }
}

bool printable_type(std::uint32_t t) {
  for (int s = 24; s >= 0; s -= 8) {
    const unsigned c = t >> s & 0xFF;
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

class BmffParser {
 public:
  BmffParser(Source& src, MediaInfo& info) : src_(src), info_(info) {}

  bool run() {
    std::uint64_t offset = 0;
    unsigned count = 0;
    bool have_ftyp = false;
    std::uint32_t brand = 0;
    Box box;
    while (next_box(offset, src_.size(), box)) {
      if (++count > kMaxTopLevel || src_.stop_requested()) break;
      if (count == 1 && box.type != fcc("ftyp") && !is_top_level_type(box.type)) return false;
      if (!printable_type(box.type)) {
        src_.warn(format("unreadable box type at offset %llu: the rest of the file is not ISO BMFF", ull(box.offset)));
        break;
      }
      if (box.type == fcc("ftyp") && !have_ftyp) {
        have_ftyp = true;
        unsigned char b[4];
        if (box.payload_size() >= 4 && src_.read(box.payload, b, 4)) brand = be32(b);
      } else if (box.type == fcc("moov")) {
        if (have_moov_) src_.warn(format("a second moov box at offset %llu is ignored", ull(box.offset)));
        else parse_moov(box);
        have_moov_ = true;
      }
      offset = box.end;
    }
    if (!have_ftyp && !have_moov_) return false;
    if (!have_moov_) {
      // Still images (HEIF, AVIF, Canon CR3) use the same boxes; they are not movies.
      if (is_image_brand(brand)) return false;
      src_.warn("no moov box: the movie header is missing (file cut short or overwritten?)");
    }
    if (brand == fcc("qt  ") || !have_ftyp) info_.container = "mov";
    else if ((brand >> 8) == (fcc("3gp ") >> 8) || (brand >> 8) == (fcc("3g2 ") >> 8)) info_.container = "3gp";
    else info_.container = "mp4";
    finish_tracks();
    return true;
  }

 private:
  static unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

  static bool is_top_level_type(std::uint32_t t) {
    // Old QuickTime files start without ftyp.
    return t == fcc("moov") || t == fcc("mdat") || t == fcc("wide") || t == fcc("free") || t == fcc("skip");
  }
  static bool is_image_brand(std::uint32_t b) {
    for (const char* s : {"heic", "heix", "heim", "heis", "mif1", "msf1", "avif", "avis", "crx ", "jpeg"}) {
      if (b == fcc(s)) return true;
    }
    return false;
  }

  // The box header at `offset` within [offset, limit): false at the end of the range or where no box
  // can start (the damage is recorded). A box claiming more than its parent holds is cut to it.
  bool next_box(std::uint64_t offset, std::uint64_t limit, Box& box) {
    if (offset >= limit || limit - offset < 8) return false;  // a few padding bytes end some containers
    unsigned char h[16];
    if (!src_.read(offset, h, 8)) {
      src_.warn(format("box header at offset %llu cannot be read", ull(offset)));
      return false;
    }
    std::uint64_t size = be32(h);
    box.type = be32(h + 4);
    std::uint64_t header = 8;
    if (size == 1) {
      if (limit - offset < 16 || !src_.read(offset + 8, h + 8, 8)) {
        src_.warn(format("box '%s' at offset %llu: its 64-bit size is cut off", fourcc_text(box.type).c_str(), ull(offset)));
        return false;
      }
      size = be64(h + 8);
      header = 16;
    } else if (size == 0) {
      size = limit - offset;  // "to the end of the file" (or of the parent)
    }
    if (size < header) {
      if (box.type == 0) return false;  // zero padding, not a box
      src_.warn(format("box '%s' at offset %llu: size %llu is smaller than its header", fourcc_text(box.type).c_str(),
                       ull(offset), ull(size)));
      return false;
    }
    if (size > limit - offset) {
      src_.warn(format("box '%s' at offset %llu claims %llu bytes, only %llu remain", fourcc_text(box.type).c_str(),
                       ull(offset), ull(size), ull(limit - offset)));
      size = limit - offset;
    }
    box.offset = offset;
    box.payload = offset + header;
    box.end = offset + size;
    return true;
  }

  // Calls f(child) for each box in [start, parent.end).
  template <class F>
  void children(const Box& parent, std::uint64_t start, F&& f) {
    std::uint64_t offset = start;
    unsigned count = 0;
    Box child;
    while (next_box(offset, parent.end, child)) {
      if (++count > kMaxChildren) {
        src_.warn(format("box '%s' at offset %llu holds more than %u boxes; the rest is skipped",
                         fourcc_text(parent.type).c_str(), ull(parent.offset), kMaxChildren));
        return;
      }
      if (src_.stop_requested()) return;
      f(child);
      offset = child.end;
    }
  }

  // Reads up to `cap` bytes of a box's payload.
  std::vector<unsigned char> payload(const Box& box, std::size_t cap) {
    std::vector<unsigned char> out(static_cast<std::size_t>(std::min<std::uint64_t>(box.payload_size(), cap)));
    out.resize(src_.read_some(box.payload, out.data(), out.size()));
    return out;
  }

  void parse_moov(const Box& moov) {
    children(moov, moov.payload, [&](const Box& b) {
      if (b.type == fcc("mvhd")) parse_mvhd(b);
      else if (b.type == fcc("trak")) parse_trak(b);
      else if (b.type == fcc("udta")) parse_udta(b);
      else if (b.type == fcc("meta")) parse_meta(b);
      else if (b.type == fcc("mvex")) {
        children(b, b.payload, [&](const Box& c) {
          if (c.type == fcc("mehd")) parse_mehd(c);
        });
      }
    });
    if (timescale_ == 0) return;
    std::uint64_t duration = movie_duration_;
    if (duration == 0) duration = fragment_duration_;  // fragmented files leave mvhd's duration at 0
    if (duration == 0) return;
    info_.duration_s = static_cast<double>(duration) / static_cast<double>(timescale_);
  }

  void parse_mvhd(const Box& b) {
    const auto p = payload(b, 32);
    if (p.size() < 20 || (p[0] == 1 && p.size() < 32)) {
      src_.warn(format("mvhd at offset %llu is too short", ull(b.offset)));
      return;
    }
    if (p[0] == 1) {
      timescale_ = be32(p.data() + 20);
      movie_duration_ = be64(p.data() + 24);
      if (movie_duration_ == ~std::uint64_t{0}) movie_duration_ = 0;  // all ones: unknown
    } else {
      timescale_ = be32(p.data() + 12);
      movie_duration_ = be32(p.data() + 16);
      if (movie_duration_ == 0xFFFFFFFFu) movie_duration_ = 0;
    }
    if (timescale_ == 0) src_.warn(format("mvhd at offset %llu has a time scale of 0", ull(b.offset)));
  }

  void parse_mehd(const Box& b) {
    const auto p = payload(b, 12);
    if (p.size() >= 12 && p[0] == 1) fragment_duration_ = be64(p.data() + 4);
    else if (p.size() >= 8) fragment_duration_ = be32(p.data() + 4);
  }

  void parse_trak(const Box& trak) {
    Track t;
    children(trak, trak.payload, [&](const Box& b) {
      if (b.type == fcc("tkhd")) {
        const auto p = payload(b, 92);
        const std::size_t at = (!p.empty() && p[0] == 1) ? 88 : 76;  // width and height follow the matrix
        if (p.size() >= at + 8) {
          // 16.16 fixed point, rounded to whole pixels.
          t.tkhd_width = (std::uint64_t{be32(p.data() + at)} + 0x8000) >> 16;
          t.tkhd_height = (std::uint64_t{be32(p.data() + at + 4)} + 0x8000) >> 16;
        } else {
          src_.warn(format("tkhd at offset %llu is too short", ull(b.offset)));
        }
      } else if (b.type == fcc("mdia")) {
        children(b, b.payload, [&](const Box& m) {
          if (m.type == fcc("hdlr")) {
            const auto p = payload(m, 12);
            if (p.size() >= 12) t.handler = be32(p.data() + 8);
          } else if (m.type == fcc("minf")) {
            children(m, m.payload, [&](const Box& s) {
              if (s.type != fcc("stbl")) return;
              children(s, s.payload, [&](const Box& d) {
                if (d.type != fcc("stsd") || t.has_entry) return;
                // Full box header and entry count, then the sample entries (the first one describes the track).
                Box entry;
                if (d.payload_size() >= 8 && next_box(d.payload + 8, d.end, entry)) {
                  t.entry = entry;
                  t.has_entry = true;
                }
              });
            });
          }
        });
      }
    });
    tracks_.push_back(t);
  }

  // The object type indication from an esds box (ES_Descriptor, then DecoderConfigDescriptor).
  std::optional<unsigned> object_type(const Box& esds) {
    const auto p = payload(esds, 256);
    std::size_t i = 4;  // full box header
    const auto descriptor = [&](unsigned want) -> bool {
      if (i >= p.size() || p[i] != want) return false;
      ++i;
      for (int k = 0; k < 4 && i < p.size(); ++k) {  // length: up to four 7-bit groups
        if ((p[i++] & 0x80) == 0) break;
      }
      return i < p.size();
    };
    if (!descriptor(0x03)) return std::nullopt;
    if (i + 3 > p.size()) return std::nullopt;
    const unsigned flags = p[i + 2];
    i += 3;
    if (flags & 0x80) i += 2;                          // dependsOn_ES_ID
    if ((flags & 0x40) && i < p.size()) i += 1 + p[i];  // URL
    if (flags & 0x20) i += 2;                          // OCR_ES_Id
    if (!descriptor(0x04)) return std::nullopt;
    return p[i];
  }

  // An mp4a entry's esds: after the sound sample entry fields, which QuickTime versions 1 and 2 extend;
  // QuickTime wraps it in a 'wave' box.
  std::optional<unsigned> audio_object_type(const Box& entry) {
    unsigned char v[2];
    if (entry.payload_size() < 28 || !src_.read(entry.payload + 8, v, 2)) return std::nullopt;
    const unsigned version = be16(v);
    const std::uint64_t skip = 28 + (version == 1 ? 16 : version == 2 ? 36 : 0);
    if (entry.payload_size() < skip) return std::nullopt;
    std::optional<unsigned> oti;
    children(entry, entry.payload + skip, [&](const Box& b) {
      if (oti) return;
      if (b.type == fcc("esds")) oti = object_type(b);
      else if (b.type == fcc("wave")) {
        children(b, b.payload, [&](const Box& w) {
          if (!oti && w.type == fcc("esds")) oti = object_type(w);
        });
      }
    });
    return oti;
  }

  void finish_tracks() {
    for (const Track& t : tracks_) {
      if (t.handler == fcc("vide") && info_.video_codec_tag.empty() && t.has_entry) {
        info_.video_codec_tag = fourcc_text(t.entry.type);
        const char* name = codec_name(t.entry.type);
        info_.video_codec = name ? name : info_.video_codec_tag;
        std::uint64_t w = t.tkhd_width, h = t.tkhd_height;
        if (w == 0 || h == 0) {
          // The visual sample entry's coded size, when the track header leaves it out.
          unsigned char s[4];
          if (t.entry.payload_size() >= 28 && src_.read(t.entry.payload + 24, s, 4)) w = be16(s), h = be16(s + 2);
        }
        if (w > 0 && h > 0) info_.width = static_cast<std::int64_t>(w), info_.height = static_cast<std::int64_t>(h);
      } else if (t.handler == fcc("soun") && info_.audio_codec_tag.empty() && t.has_entry) {
        info_.audio_codec_tag = fourcc_text(t.entry.type);
        const char* name = codec_name(t.entry.type);
        if (t.entry.type == fcc("mp4a")) {
          const auto oti = audio_object_type(t.entry);
          name = oti ? object_type_name(*oti) : "aac";  // mp4a without a readable esds is almost always AAC
        }
        info_.audio_codec = name ? name : info_.audio_codec_tag;
      }
    }
  }

  void set_tag(std::uint32_t tag, std::string value) {
    if (value.empty()) return;
    if (tag == kTagTitle && info_.title.empty()) info_.title = std::move(value);
    else if ((tag == kTagEncoder || tag == kTagSoftware) && info_.encoder.empty()) info_.encoder = std::move(value);
  }

  // QuickTime user data: ©xxx boxes holding (length, language, text) strings, and a 'meta' box.
  void parse_udta(const Box& udta) {
    children(udta, udta.payload, [&](const Box& b) {
      if (b.type == fcc("meta")) {
        parse_meta(b);
      } else if (b.type == kTagTitle || b.type == kTagEncoder || b.type == kTagSoftware) {
        const auto p = payload(b, kMaxTagText + 4);
        if (p.size() >= 8 && std::memcmp(p.data() + 4, "data", 4) == 0) {
          parse_item(b);  // some writers put iTunes-style data boxes here
        } else if (p.size() >= 4) {
          const std::size_t len = std::min<std::size_t>(be16(p.data()), p.size() - 4);
          set_tag(b.type, utf8_text(p.data() + 4, len));
        }
      }
    });
  }

  // 'meta' is a full box in ISO files and a plain one in QuickTime: a handler box right after the
  // header tells which.
  void parse_meta(const Box& meta) {
    unsigned char h[8];
    if (meta.payload_size() < 8 || !src_.read(meta.payload, h, 8)) return;
    const std::uint64_t start = std::memcmp(h + 4, "hdlr", 4) == 0 ? meta.payload : meta.payload + 4;
    children(meta, start, [&](const Box& b) {
      if (b.type == fcc("ilst")) {
        children(b, b.payload, [&](const Box& item) {
          if (item.type == kTagTitle || item.type == kTagEncoder || item.type == kTagSoftware) parse_item(item);
        });
      }
    });
  }

  // An iTunes item: its first 'data' box holding UTF-8 (type 1) or UTF-16 (type 2) text.
  void parse_item(const Box& item) {
    bool done = false;
    children(item, item.payload, [&](const Box& d) {
      if (done || d.type != fcc("data")) return;
      done = true;
      const auto p = payload(d, kMaxTagText + 8);
      if (p.size() < 8) return;
      const std::uint32_t type = be32(p.data()) & 0xFFFFFF;
      if (type == 1) set_tag(item.type, utf8_text(p.data() + 8, p.size() - 8));
      else if (type == 2) set_tag(item.type, utf16_text(p.data() + 8, p.size() - 8, true));
    });
  }

  Source& src_;
  MediaInfo& info_;
  bool have_moov_ = false;
  std::uint32_t timescale_ = 0;
  std::uint64_t movie_duration_ = 0, fragment_duration_ = 0;
  std::vector<Track> tracks_;
};

}  // namespace

bool parse_bmff(Source& src, MediaInfo& info) { return BmffParser(src, info).run(); }

}  // namespace ferret_media
