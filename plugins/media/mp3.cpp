// MP3 (MPEG audio layers I-III): the ID3v2 tag's title and encoder frames, and the duration from the
// first frame's Xing/Info or VBRI frame count, or from the bit rate of a constant-rate stream.
#include <algorithm>
#include <cstring>
#include <cctype>
#include <functional>

#include "media_source.h"

namespace ferret_media {
namespace {

constexpr std::size_t kMaxFrameText = 64 * 1024;   // bytes of a text frame that are read
constexpr std::uint64_t kMaxUnsyncTag = 4 << 20;   // an unsynchronised ID3v2.3 tag is decoded in memory up to this
constexpr std::uint64_t kSyncSearch = 64 * 1024;   // how far after the tag the first audio frame may start
constexpr unsigned kMaxFrames = 100000;

struct FrameHeader {
  int version = 0;  // 10: MPEG-1, 20: MPEG-2, 25: MPEG-2.5
  int layer = 0;
  unsigned bitrate = 0;  // kbit/s
  unsigned sample_rate = 0;
  bool mono = false;
  std::uint32_t length = 0;  // bytes, header included
  unsigned samples = 0;      // per frame
};

// Decodes a 4-byte MPEG audio frame header; false for anything that is not one (free-format frames
// have no length and are not accepted either).
bool parse_header(const unsigned char* h, FrameHeader& f) {
  if (h[0] != 0xFF || (h[1] & 0xE0) != 0xE0) return false;
  const unsigned version_bits = h[1] >> 3 & 3, layer_bits = h[1] >> 1 & 3;
  const unsigned bitrate_index = h[2] >> 4, rate_index = h[2] >> 2 & 3, padding = h[2] >> 1 & 1;
  if (version_bits == 1 || layer_bits == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3) return false;
  f.version = version_bits == 3 ? 10 : version_bits == 2 ? 20 : 25;
  f.layer = 4 - static_cast<int>(layer_bits);
  static const unsigned short kBitrates[5][15] = {
      {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},  // MPEG-1 layer I
      {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},     // MPEG-1 layer II
      {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},      // MPEG-1 layer III
      {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},     // MPEG-2/2.5 layer I
      {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},          // MPEG-2/2.5 layers II, III
  };
  static const unsigned kRates[3][3] = {{44100, 48000, 32000}, {22050, 24000, 16000}, {11025, 12000, 8000}};
  const int table = f.version == 10 ? f.layer - 1 : (f.layer == 1 ? 3 : 4);
  f.bitrate = kBitrates[table][bitrate_index];
  f.sample_rate = kRates[f.version == 10 ? 0 : f.version == 20 ? 1 : 2][rate_index];
  f.mono = (h[3] >> 6) == 3;
  if (f.layer == 1) {
    f.samples = 384;
    f.length = (12 * f.bitrate * 1000 / f.sample_rate + padding) * 4;
  } else {
    f.samples = (f.layer == 3 && f.version != 10) ? 576 : 1152;
    f.length = f.samples / 8 * f.bitrate * 1000 / f.sample_rate + padding;
  }
  return f.length >= 4;
}

std::uint32_t synchsafe(const unsigned char* p) {
  return std::uint32_t{p[0] & 0x7Fu} << 21 | std::uint32_t{p[1] & 0x7Fu} << 14 | std::uint32_t{p[2] & 0x7Fu} << 7 | (p[3] & 0x7Fu);
}

// Undoes ID3 unsynchronisation: every 0xFF 0x00 pair was written for a lone 0xFF.
std::vector<unsigned char> resync(const std::vector<unsigned char>& in) {
  std::vector<unsigned char> out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    out.push_back(in[i]);
    if (in[i] == 0xFF && i + 1 < in.size() && in[i + 1] == 0x00) ++i;
  }
  return out;
}

// ID3v2 text: an encoding byte, then ISO-8859-1, UTF-16 with a byte-order mark, UTF-16BE or UTF-8.
std::string id3_text(const std::vector<unsigned char>& body) {
  if (body.empty()) return {};
  const unsigned char* p = body.data() + 1;
  const std::size_t n = body.size() - 1;
  switch (body[0]) {
    case 0: return latin1_text(p, n);
    case 1: return utf16_text(p, n, false);
    case 2: return utf16_text(p, n, true);
    case 3: return utf8_text(p, n);
    default: return {};
  }
}

class Mp3Parser {
 public:
  Mp3Parser(Source& src, MediaInfo& info) : src_(src), info_(info) {}

  bool run() {
    std::uint64_t audio_start = 0;
    bool tagged = false;
    // Some files carry more than one ID3v2 tag in a row.
    for (int i = 0; i < 4; ++i) {
      unsigned char h[10];
      if (!src_.read(audio_start, h, 10) || std::memcmp(h, "ID3", 3) != 0) break;
      tagged = true;
      const std::uint64_t end = parse_id3v2(audio_start, h);
      if (end <= audio_start) break;
      audio_start = end;
    }
    FrameHeader first;
    std::uint64_t frame_at = 0;
    if (!find_first_frame(audio_start, tagged, first, frame_at)) {
      // A tag in front of something else (AAC, FLAC) is not an MP3; a tagged .mp3 without frames is a damaged one.
      if (!tagged || !claims_mp3()) return false;
      info_.container = "mp3";
      src_.warn(format("no MPEG audio frame within %llu bytes after the ID3v2 tag", static_cast<unsigned long long>(kSyncSearch)));
      return true;
    }
    info_.container = "mp3";
    info_.audio_codec = first.layer == 3 ? "mp3" : first.layer == 2 ? "mp2" : "mp1";
    duration(first, frame_at);
    return true;
  }

 private:
  bool claims_mp3() const {
    std::string name = src_.file_name();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string mime = src_.mime();
    return (name.size() > 4 && name.compare(name.size() - 4, 4, ".mp3") == 0) || mime == "audio/mpeg" || mime == "audio/mp3";
  }

  // Parses the ID3v2 tag at `at` (header `h`): returns where it ends.
  std::uint64_t parse_id3v2(std::uint64_t at, const unsigned char* h) {
    const unsigned major = h[3], flags = h[5];
    if ((h[6] | h[7] | h[8] | h[9]) & 0x80) src_.warn(format("ID3v2 tag at offset %llu: size is not synchsafe", ull(at)));
    const std::uint64_t size = synchsafe(h + 6);
    std::uint64_t end = at + 10 + size + ((major == 4 && (flags & 0x10)) ? 10 : 0);
    if (end > src_.size()) {
      src_.warn(format("ID3v2 tag at offset %llu claims %llu bytes, the file ends first", ull(at), ull(size)));
      end = src_.size();
    }
    if (major < 2 || major > 4) {
      src_.warn(format("ID3v2 tag at offset %llu has unknown version 2.%u", ull(at), major));
      return end;
    }
    std::uint64_t body = at + 10;
    const std::uint64_t body_end = std::min<std::uint64_t>(at + 10 + size, src_.size());
    if (major == 3 && (flags & 0x80)) {
      // The whole v2.3 tag is unsynchronised and frame sizes count the decoded bytes: decode it in memory.
      std::vector<unsigned char> raw(static_cast<std::size_t>(std::min<std::uint64_t>(body_end - body, kMaxUnsyncTag)));
      raw.resize(src_.read_some(body, raw.data(), raw.size()));
      const auto tag = resync(raw);
      walk_frames(major, flags, tag.size(), [&](std::uint64_t off, void* out, std::size_t n) {
        if (off > tag.size() || tag.size() - off < n) return false;
        if (n > 0) std::memcpy(out, tag.data() + off, n);  // an empty tag's data() is null: memcpy(_, null, 0) is UB
        return true;
      });
    } else {
      walk_frames(major, flags, body_end - body, [&](std::uint64_t off, void* out, std::size_t n) {
        return src_.read(body + off, out, n);
      });
    }
    return end;
  }

  using TagReader = std::function<bool(std::uint64_t, void*, std::size_t)>;

  void walk_frames(unsigned major, unsigned tag_flags, std::uint64_t length, const TagReader& read) {
    std::uint64_t offset = 0;
    if (major >= 3 && (tag_flags & 0x40)) {  // an extended header comes first
      unsigned char e[4];
      if (!read(0, e, 4)) return;
      offset = major == 4 ? synchsafe(e) : 4 + std::uint64_t{be32(e)};  // v2.4 counts itself, v2.3 does not
    }
    const std::size_t header_size = major == 2 ? 6 : 10;
    unsigned count = 0;
    while (offset + header_size <= length && ++count < kMaxFrames && !src_.stop_requested()) {
      unsigned char h[10];
      if (!read(offset, h, header_size)) return;
      if (h[0] == 0) return;  // padding
      const std::size_t id_len = major == 2 ? 3 : 4;
      for (std::size_t i = 0; i < id_len; ++i) {
        if (!((h[i] >= 'A' && h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9'))) {
          src_.warn("ID3v2 frame with an invalid ID; the rest of the tag is skipped");
          return;
        }
      }
      std::uint64_t size;
      unsigned frame_flags = 0;
      if (major == 2) size = std::uint64_t{h[3]} << 16 | h[4] << 8 | h[5];
      else if (major == 3) size = be32(h + 4), frame_flags = be16(h + 8);
      else size = synchsafe(h + 4), frame_flags = be16(h + 8);
      const std::uint64_t data = offset + header_size;
      if (size > length - data) {
        src_.warn(format("ID3v2 frame %.*s claims %llu bytes, the tag ends first", static_cast<int>(id_len),
                         reinterpret_cast<const char*>(h), ull(size)));
        size = length - data;
      }
      const std::string frame_id(reinterpret_cast<const char*>(h), id_len);
      const bool title = frame_id == "TIT2" || frame_id == "TT2";
      const bool encoder = frame_id == "TSSE" || frame_id == "TSS";
      // Compressed or encrypted frames (v2.3: 0x0080/0x0040, v2.4: 0x0008/0x0004) are not decoded.
      const bool opaque = major == 3 ? (frame_flags & 0x00C0) != 0 : major == 4 && (frame_flags & 0x000C) != 0;
      if ((title || encoder) && !opaque) {
        std::vector<unsigned char> body(static_cast<std::size_t>(std::min<std::uint64_t>(size, kMaxFrameText)));
        if (read(data, body.data(), body.size())) {
          if (major == 4 && ((frame_flags & 0x0002) || (tag_flags & 0x80))) body = resync(body);
          if (major == 4 && (frame_flags & 0x0001) && body.size() >= 4) body.erase(body.begin(), body.begin() + 4);
          std::string text = id3_text(body);
          std::string& target = title ? info_.title : info_.encoder;
          if (target.empty()) target = std::move(text);
        }
      }
      offset = data + size;
    }
  }

  // The first frame header at or after `from` whose successor (when the file holds one) is also a frame
  // of the same stream. Without a tag the stream must start right at `from`.
  bool find_first_frame(std::uint64_t from, bool tagged, FrameHeader& f, std::uint64_t& at) {
    const std::uint64_t limit = tagged ? std::min<std::uint64_t>(src_.size(), from + kSyncSearch) : from + 1;
    for (std::uint64_t off = from; off < limit && off + 4 <= src_.size(); ++off) {
      unsigned char h[4];
      if (!src_.read(off, h, 4)) return false;
      if (h[0] != 0xFF || !parse_header(h, f)) continue;
      const std::uint64_t next = off + f.length;
      FrameHeader g;
      if (next + 4 <= src_.size()) {
        unsigned char n[4];
        if (!src_.read(next, n, 4) || !parse_header(n, g) || g.version != f.version || g.layer != f.layer ||
            g.sample_rate != f.sample_rate) {
          continue;
        }
      }
      at = off;
      return true;
    }
    return false;
  }

  void duration(const FrameHeader& f, std::uint64_t at) {
    // Xing/Info after the side information, VBRI at a fixed 32 bytes: both count the stream's frames.
    const std::uint64_t side = f.version == 10 ? (f.mono ? 17 : 32) : (f.mono ? 9 : 17);
    unsigned char x[12];
    if (src_.read(at + 4 + side, x, 12) && (std::memcmp(x, "Xing", 4) == 0 || std::memcmp(x, "Info", 4) == 0)) {
      if (be32(x + 4) & 1) {
        const std::uint32_t frames = be32(x + 8);
        if (frames > 0) info_.duration_s = static_cast<double>(frames) * f.samples / f.sample_rate;
        return;
      }
    }
    unsigned char v[18];
    if (src_.read(at + 4 + 32, v, 18) && std::memcmp(v, "VBRI", 4) == 0) {
      const std::uint32_t frames = be32(v + 14);
      if (frames > 0) info_.duration_s = static_cast<double>(frames) * f.samples / f.sample_rate;
      return;
    }
    // Constant bit rate: the stream's bytes (an ID3v1 trailer left out) at the first frame's rate.
    std::uint64_t end = src_.size();
    unsigned char t[3];
    if (end >= at + 128 && src_.read(end - 128, t, 3) && std::memcmp(t, "TAG", 3) == 0) end -= 128;
    if (end > at) info_.duration_s = static_cast<double>(end - at) * 8.0 / (f.bitrate * 1000.0);
  }

  static unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

  Source& src_;
  MediaInfo& info_;
};

}  // namespace

bool parse_mp3(Source& src, MediaInfo& info) { return Mp3Parser(src, info).run(); }

}  // namespace ferret_media
