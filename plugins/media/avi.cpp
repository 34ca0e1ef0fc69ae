// AVI (RIFF): the main and stream headers of the hdrl list (frame duration and count, codecs, frame
// size) and the INFO list (title, software), walking chunk headers and skipping the movi data.
#include <algorithm>
#include <cstring>

#include "media_source.h"

namespace ferret_media {
namespace {

constexpr std::uint32_t id(const char* s) {
  // RIFF chunk IDs are stored in file order; compared as big-endian words here.
  return std::uint32_t{static_cast<unsigned char>(s[0])} << 24 | std::uint32_t{static_cast<unsigned char>(s[1])} << 16 |
         std::uint32_t{static_cast<unsigned char>(s[2])} << 8 | static_cast<unsigned char>(s[3]);
}

constexpr unsigned kMaxChunks = 100000;
constexpr int kMaxDepth = 4;
constexpr std::size_t kMaxString = 4096;
constexpr std::size_t kMaxStreams = 256;

struct Chunk {
  std::uint32_t id = 0;
  std::uint64_t offset = 0, data = 0, end = 0, next = 0;
  std::uint64_t size() const { return end - data; }
};

struct Stream {
  std::uint32_t type = 0, handler = 0, scale = 0, rate = 0, length = 0;
  bool has_format = false;
  std::uint32_t compression = 0;  // video: biCompression
  std::int64_t width = 0, height = 0;
  unsigned format_tag = 0;  // audio: wFormatTag
};

struct Codec {
  const char* tag;
  const char* name;
};
// Video four-character codes (compared case-insensitively) and the names ffprobe gives them.
constexpr Codec kVideoCodecs[] = {
    {"FMP4", "mpeg4"}, {"XVID", "mpeg4"}, {"DIVX", "mpeg4"}, {"DX50", "mpeg4"}, {"MP4V", "mpeg4"},
    {"H264", "h264"},  {"X264", "h264"},  {"AVC1", "h264"},  {"HEVC", "hevc"},  {"H265", "hevc"},
    {"MJPG", "mjpeg"}, {"DIV3", "msmpeg4v3"}, {"MP42", "msmpeg4v2"}, {"WMV2", "wmv2"}, {"WMV3", "wmv3"},
    {"VP80", "vp8"},   {"VP90", "vp9"},   {"AV01", "av1"},   {"MPG2", "mpeg2video"}, {"CVID", "cinepak"},
};

std::string video_codec(std::uint32_t tag) {
  char upper[5] = {};
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>(tag >> (24 - 8 * i));
    upper[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
  }
  for (const auto& c : kVideoCodecs) {
    if (std::memcmp(upper, c.tag, 4) == 0) return c.name;
  }
  return {};
}

// WAVE format tags (mmreg.h) and the names ffprobe gives them.
const char* audio_codec(unsigned tag) {
  switch (tag) {
    case 0x0001: return "pcm_s16le";
    case 0x0003: return "pcm_f32le";
    case 0x0006: return "pcm_alaw";
    case 0x0007: return "pcm_mulaw";
    case 0x0011: return "adpcm_ima_wav";
    case 0x0050: return "mp2";
    case 0x0055: return "mp3";
    case 0x00FF: case 0x1610: case 0x706D: return "aac";
    case 0x0161: return "wmav2";
    case 0x0162: return "wmapro";
    case 0x2000: return "ac3";
    case 0x2001: return "dts";
    default: return nullptr;
  }
}

class AviParser {
 public:
  AviParser(Source& src, MediaInfo& info) : src_(src), info_(info) {}

  bool run() {
    unsigned char h[12];
    if (!src_.read(0, h, 12) || std::memcmp(h, "RIFF", 4) != 0 || std::memcmp(h + 8, "AVI ", 4) != 0) return false;
    info_.container = "avi";
    std::uint64_t end = 8 + std::uint64_t{le32(h + 4)};
    if (end > src_.size()) {
      src_.warn(format("RIFF chunk claims %llu bytes, the file has %llu (cut short?)", ull(end), ull(src_.size())));
      end = src_.size();
    }
    walk(12, end, 0);
    finish();
    return true;
  }

 private:
  static unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

  bool next_chunk(std::uint64_t offset, std::uint64_t limit, Chunk& c) {
    if (offset >= limit || limit - offset < 8) return false;
    unsigned char h[8];
    if (!src_.read(offset, h, 8)) return false;
    c.id = be32(h);
    const std::uint64_t size = le32(h + 4);
    c.offset = offset;
    c.data = offset + 8;
    if (size > limit - c.data) {
      src_.warn(format("chunk '%s' at offset %llu claims %llu bytes, only %llu remain", fourcc_text(c.id).c_str(), ull(offset),
                       ull(size), ull(limit - c.data)));
      c.end = limit;
    } else {
      c.end = c.data + size;
    }
    c.next = std::min<std::uint64_t>(c.end + (size & 1), limit);  // chunks are padded to even sizes
    return true;
  }

  void walk(std::uint64_t start, std::uint64_t end, int depth) {
    if (depth > kMaxDepth) return;
    std::uint64_t offset = start;
    unsigned count = 0;
    Chunk c;
    while (next_chunk(offset, end, c)) {
      if (++count > kMaxChunks || src_.stop_requested()) return;
      if (c.id == id("LIST") && c.size() >= 4) {
        unsigned char t[4];
        if (!src_.read(c.data, t, 4)) return;
        const std::uint32_t type = be32(t);
        if (type == id("hdrl") || type == id("odml")) {
          walk(c.data + 4, c.end, depth + 1);
        } else if (type == id("strl") && streams_.size() < kMaxStreams) {
          streams_.emplace_back();
          walk(c.data + 4, c.end, depth + 1);
        } else if (type == id("INFO")) {
          parse_info(c);
        }
        // movi (the frames) and anything else is skipped.
      } else if (c.id == id("avih")) {
        unsigned char b[40];
        if (c.size() >= 40 && src_.read(c.data, b, 40)) {
          micro_sec_per_frame_ = le32(b);
          total_frames_ = le32(b + 16);
          main_width_ = le32(b + 32), main_height_ = le32(b + 36);
        } else {
          src_.warn(format("avih at offset %llu is too short", ull(c.offset)));
        }
      } else if (c.id == id("dmlh")) {
        unsigned char b[4];
        if (c.size() >= 4 && src_.read(c.data, b, 4)) odml_frames_ = le32(b);
      } else if (c.id == id("strh") && !streams_.empty()) {
        unsigned char b[36];
        if (c.size() >= 36 && src_.read(c.data, b, 36)) {
          Stream& s = streams_.back();
          s.type = be32(b), s.handler = be32(b + 4);
          s.scale = le32(b + 20), s.rate = le32(b + 24), s.length = le32(b + 32);
        } else {
          src_.warn(format("strh at offset %llu is too short", ull(c.offset)));
        }
      } else if (c.id == id("strf") && !streams_.empty()) {
        unsigned char b[20];
        const std::size_t n = src_.read_some(c.data, b, static_cast<std::size_t>(std::min<std::uint64_t>(20, c.size())));
        Stream& s = streams_.back();
        if (s.type == id("vids") && n >= 20) {  // BITMAPINFOHEADER
          s.has_format = true;
          s.width = static_cast<std::int32_t>(le32(b + 4));
          s.height = static_cast<std::int32_t>(le32(b + 8));
          s.compression = be32(b + 16);
        } else if (s.type == id("auds") && n >= 2) {  // WAVEFORMATEX
          s.has_format = true;
          s.format_tag = le16(b);
        }
      }
      offset = c.next;
    }
  }

  void parse_info(const Chunk& list) {
    std::uint64_t offset = list.data + 4;
    unsigned count = 0;
    Chunk c;
    while (next_chunk(offset, list.end, c) && ++count < kMaxChunks) {
      if (c.id == id("INAM") || c.id == id("ISFT")) {
        std::vector<unsigned char> b(static_cast<std::size_t>(std::min<std::uint64_t>(c.size(), kMaxString)));
        b.resize(src_.read_some(c.data, b.data(), b.size()));
        std::string text = utf8_text(b.data(), b.size());
        std::string& target = c.id == id("INAM") ? info_.title : info_.encoder;
        if (target.empty()) target = std::move(text);
      }
      offset = c.next;
    }
  }

  void finish() {
    const Stream* video = nullptr;
    const Stream* audio = nullptr;
    for (const Stream& s : streams_) {
      if (s.type == id("vids") && !video) video = &s;
      else if (s.type == id("auds") && !audio) audio = &s;
    }
    if (video) {
      // Decoders go by biCompression; the stream header's handler is the fallback.
      const std::uint32_t tag = video->compression != 0 ? video->compression : video->handler;
      if (tag != 0) {
        info_.video_codec_tag = fourcc_text(tag);
        const std::string name = video_codec(tag);
        info_.video_codec = name.empty() ? info_.video_codec_tag : name;
      }
      std::int64_t w = video->width, h = video->height < 0 ? -video->height : video->height;  // negative: top-down
      if (!video->has_format || w <= 0 || h <= 0) w = main_width_, h = main_height_;
      if (w > 0 && h > 0) info_.width = w, info_.height = h;
    }
    if (audio && audio->has_format) {
      info_.audio_codec_tag = format("0x%04x", audio->format_tag);
      const char* name = audio_codec(audio->format_tag);
      info_.audio_codec = name ? name : info_.audio_codec_tag;
    }
    // The video stream's own length and rate are exact; the main header's microseconds per frame are
    // rounded, and its frame count covers only the first RIFF chunk of an OpenDML file.
    if (video && video->rate > 0 && video->scale > 0 && video->length > 0) {
      info_.duration_s = static_cast<double>(video->length) * video->scale / video->rate;
    } else if (micro_sec_per_frame_ > 0) {
      const std::uint32_t frames = std::max(total_frames_, odml_frames_);
      if (frames > 0) info_.duration_s = static_cast<double>(frames) * micro_sec_per_frame_ / 1e6;
    }
  }

  Source& src_;
  MediaInfo& info_;
  std::vector<Stream> streams_;
  std::uint32_t micro_sec_per_frame_ = 0, total_frames_ = 0, odml_frames_ = 0;
  std::int64_t main_width_ = 0, main_height_ = 0;
};

}  // namespace

bool parse_avi(Source& src, MediaInfo& info) { return AviParser(src, info).run(); }

}  // namespace ferret_media
