// Matroska and WebM (EBML): Segment Info (duration, title, writing application) and Tracks (codec IDs,
// pixel size), found by walking element headers and skipping clusters, or through the SeekHead.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "media_source.h"

namespace ferret_media {
namespace {

constexpr std::uint32_t kEbml = 0x1A45DFA3, kDocType = 0x4282;
constexpr std::uint32_t kSegment = 0x18538067, kSeekHead = 0x114D9B74, kSeek = 0x4DBB, kSeekId = 0x53AB,
                        kSeekPosition = 0x53AC;
constexpr std::uint32_t kInfo = 0x1549A966, kTimecodeScale = 0x2AD7B1, kDuration = 0x4489, kTitle = 0x7BA9,
                        kMuxingApp = 0x4D80, kWritingApp = 0x5741;
constexpr std::uint32_t kTracks = 0x1654AE6B, kTrackEntry = 0xAE, kTrackType = 0x83, kCodecId = 0x86, kVideo = 0xE0,
                        kPixelWidth = 0xB0, kPixelHeight = 0xBA;
constexpr std::uint32_t kCluster = 0x1F43B675;

constexpr unsigned kMaxElements = 1000000;  // Segment children walked before giving up
constexpr unsigned kMaxChildren = 100000;
constexpr std::size_t kMaxString = 4096;

struct Element {
  std::uint32_t id = 0;
  std::uint64_t offset = 0, data = 0, end = 0;
  bool unknown_size = false;
  std::uint64_t size() const { return end - data; }
};

struct CodecId {
  const char* id;
  const char* name;
};
// Matroska codec IDs and the codec names ffprobe uses; a trailing '*' matches any suffix.
constexpr CodecId kCodecIds[] = {
    {"V_MPEG4/ISO/AVC", "h264"}, {"V_MPEGH/ISO/HEVC", "hevc"}, {"V_VP8", "vp8"},     {"V_VP9", "vp9"},
    {"V_AV1", "av1"},            {"V_MPEG4/ISO/*", "mpeg4"},   {"V_MPEG1", "mpeg1video"}, {"V_MPEG2", "mpeg2video"},
    {"V_THEORA", "theora"},      {"V_MJPEG", "mjpeg"},         {"V_PRORES", "prores"}, {"A_VORBIS", "vorbis"},
    {"A_OPUS", "opus"},          {"A_AAC*", "aac"},            {"A_MPEG/L3", "mp3"},   {"A_MPEG/L2", "mp2"},
    {"A_AC3", "ac3"},            {"A_EAC3", "eac3"},           {"A_FLAC", "flac"},     {"A_DTS", "dts"},
    {"A_ALAC", "alac"},          {"A_TRUEHD", "truehd"},
};

std::string codec_name(const std::string& id) {
  for (const auto& c : kCodecIds) {
    const std::size_t n = std::strlen(c.id);
    if (c.id[n - 1] == '*' ? id.compare(0, n - 1, c.id, n - 1) == 0 : id == c.id) return c.name;
  }
  return id;
}

struct TrackInfo {
  std::uint64_t type = 0, width = 0, height = 0;
  std::string codec;
};

class MatroskaParser {
 public:
  MatroskaParser(Source& src, MediaInfo& info) : src_(src), info_(info) {}

  bool run() {
    Element header;
    if (!next_element(0, src_.size(), header) || header.id != kEbml) return false;
    std::string doctype = "matroska";  // the EBML default
    children(header, [&](const Element& e) {
      if (e.id == kDocType) doctype = read_string(e);
    });
    if (doctype == "webm") info_.container = "webm";
    else if (doctype == "matroska") info_.container = "mkv";
    else return false;

    // The Segment follows the header, possibly after Void elements.
    std::uint64_t offset = header.end;
    Element segment;
    bool found = false;
    for (int i = 0; i < 16 && next_element(offset, src_.size(), segment); ++i) {
      if (segment.id == kSegment) {
        found = true;
        break;
      }
      if (segment.unknown_size) break;
      offset = segment.end;
    }
    if (!found) {
      src_.warn("no Segment after the EBML header (file cut short?)");
      return true;
    }
    walk_segment(segment);
    finish();
    return true;
  }

 private:
  static unsigned long long ull(std::uint64_t v) { return static_cast<unsigned long long>(v); }

  // The element header at `offset` inside [offset, limit): false at the end or where none can start.
  bool next_element(std::uint64_t offset, std::uint64_t limit, Element& e) {
    if (offset >= limit) return false;
    unsigned char h[12];
    const std::size_t n = src_.read_some(offset, h, static_cast<std::size_t>(std::min<std::uint64_t>(12, limit - offset)));
    if (n < 2) return false;
    // ID: its length (1-4) is marked by the first set bit; the marker stays in the value.
    const unsigned b0 = h[0];
    if (b0 < 0x10) {
      src_.warn(format("invalid element ID at offset %llu", ull(offset)));
      return false;
    }
    const std::size_t id_len = b0 >= 0x80 ? 1 : b0 >= 0x40 ? 2 : b0 >= 0x20 ? 3 : 4;
    if (n < id_len + 1) return false;
    e.id = 0;
    for (std::size_t i = 0; i < id_len; ++i) e.id = e.id << 8 | h[i];
    // Size: 1-8 bytes, marker removed; all value bits set means "unknown" (live streams).
    const unsigned s0 = h[id_len];
    if (s0 == 0) {
      src_.warn(format("invalid element size at offset %llu", ull(offset)));
      return false;
    }
    std::size_t size_len = 1;
    while (!(s0 & (0x80u >> (size_len - 1)))) ++size_len;
    if (n < id_len + size_len) {
      src_.warn(format("element header at offset %llu is cut off", ull(offset)));
      return false;
    }
    std::uint64_t size = s0 & (0xFFu >> size_len);
    bool all_ones = size == (0xFFu >> size_len);
    for (std::size_t i = 1; i < size_len; ++i) {
      size = size << 8 | h[id_len + i];
      all_ones = all_ones && h[id_len + i] == 0xFF;
    }
    e.offset = offset;
    e.data = offset + id_len + size_len;
    e.unknown_size = all_ones;
    if (e.data > limit) return false;
    if (all_ones) {
      e.end = limit;
    } else if (size > limit - e.data) {
      src_.warn(format("element 0x%X at offset %llu claims %llu bytes, only %llu remain", e.id, ull(offset), ull(size),
                       ull(limit - e.data)));
      e.end = limit;
    } else {
      e.end = e.data + size;
    }
    return true;
  }

  template <class F>
  void children(const Element& parent, F&& f) {
    std::uint64_t offset = parent.data;
    unsigned count = 0;
    Element child;
    while (next_element(offset, parent.end, child)) {
      if (++count > kMaxChildren || src_.stop_requested()) return;
      f(child);
      if (child.unknown_size) return;  // its end is unknown: nothing after it can be found
      offset = child.end;
    }
  }

  std::uint64_t read_uint(const Element& e) {
    if (e.size() > 8) {
      src_.warn(format("integer element 0x%X at offset %llu is %llu bytes long", e.id, ull(e.offset), ull(e.size())));
      return 0;
    }
    unsigned char b[8];
    if (!src_.read(e.data, b, static_cast<std::size_t>(e.size()))) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < e.size(); ++i) v = v << 8 | b[i];
    return v;
  }

  std::optional<double> read_float(const Element& e) {
    unsigned char b[8];
    if (e.size() == 4 && src_.read(e.data, b, 4)) {
      const std::uint32_t bits = be32(b);
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    if (e.size() == 8 && src_.read(e.data, b, 8)) {
      const std::uint64_t bits = be64(b);
      double d;
      std::memcpy(&d, &bits, 8);
      return d;
    }
    if (e.size() == 0) return 0.0;
    src_.warn(format("float element 0x%X at offset %llu is %llu bytes long", e.id, ull(e.offset), ull(e.size())));
    return std::nullopt;
  }

  std::string read_string(const Element& e) {
    std::vector<unsigned char> b(static_cast<std::size_t>(std::min<std::uint64_t>(e.size(), kMaxString)));
    b.resize(src_.read_some(e.data, b.data(), b.size()));
    return utf8_text(b.data(), b.size());
  }

  void walk_segment(const Element& segment) {
    segment_data_ = segment.data;
    std::uint64_t offset = segment.data;
    unsigned count = 0;
    Element e;
    while (next_element(offset, segment.end, e)) {
      if (++count > kMaxElements || src_.stop_requested()) break;
      if (e.id == kInfo) parse_info(e);
      else if (e.id == kTracks) parse_tracks(e);
      else if (e.id == kSeekHead) parse_seek_head(e);
      else if (e.id == kCluster && have_info_ && have_tracks_) break;  // the headers come before the media
      if (e.unknown_size) break;  // a live stream's cluster: its end is only found by parsing it
      offset = e.end;
    }
    // Info or Tracks written after the clusters: the SeekHead says where.
    for (const auto& [id, position] : seek_targets_) {
      if ((id == kInfo && have_info_) || (id == kTracks && have_tracks_)) continue;
      if (position > segment.end - segment_data_) continue;
      Element target;
      if (!next_element(segment_data_ + position, segment.end, target) || target.id != id) {
        src_.warn(format("SeekHead points to element 0x%X at segment offset %llu, which is not there", id, ull(position)));
        continue;
      }
      if (id == kInfo) parse_info(target);
      else parse_tracks(target);
    }
    if (!have_info_) src_.warn("no Segment Info element found");
    if (!have_tracks_) src_.warn("no Tracks element found");
  }

  void parse_seek_head(const Element& head) {
    children(head, [&](const Element& seek) {
      if (seek.id != kSeek) return;
      std::uint32_t id = 0;
      std::optional<std::uint64_t> position;
      children(seek, [&](const Element& c) {
        if (c.id == kSeekId && c.size() <= 4) id = static_cast<std::uint32_t>(read_uint(c));
        else if (c.id == kSeekPosition) position = read_uint(c);
      });
      if ((id == kInfo || id == kTracks) && position && seek_targets_.size() < 8) seek_targets_.emplace_back(id, *position);
    });
  }

  void parse_info(const Element& info) {
    if (have_info_) return;
    have_info_ = true;
    children(info, [&](const Element& c) {
      if (c.id == kTimecodeScale) timecode_scale_ = read_uint(c);
      else if (c.id == kDuration) duration_ = read_float(c);
      else if (c.id == kTitle) title_ = read_string(c);
      else if (c.id == kWritingApp) writing_app_ = read_string(c);
      else if (c.id == kMuxingApp) muxing_app_ = read_string(c);
    });
  }

  void parse_tracks(const Element& tracks) {
    if (have_tracks_) return;
    have_tracks_ = true;
    children(tracks, [&](const Element& entry) {
      if (entry.id != kTrackEntry) return;
      TrackInfo t;
      children(entry, [&](const Element& c) {
        if (c.id == kTrackType) t.type = read_uint(c);
        else if (c.id == kCodecId) t.codec = read_string(c);
        else if (c.id == kVideo) {
          children(c, [&](const Element& v) {
            if (v.id == kPixelWidth) t.width = read_uint(v);
            else if (v.id == kPixelHeight) t.height = read_uint(v);
          });
        }
      });
      if (t.type == 1 && !video_) video_ = t;
      else if (t.type == 2 && !audio_) audio_ = t;
    });
  }

  void finish() {
    if (timecode_scale_ == 0) {
      src_.warn("TimecodeScale is 0");
    } else if (duration_) {
      // Duration counts TimecodeScale units (nanoseconds each).
      const double seconds = *duration_ * static_cast<double>(timecode_scale_) / 1e9;
      if (std::isfinite(seconds) && seconds >= 0) info_.duration_s = seconds;
      else src_.warn("Segment duration is not a usable number");
    }
    info_.title = title_;
    info_.encoder = !writing_app_.empty() ? writing_app_ : muxing_app_;
    if (video_) {
      info_.video_codec_tag = video_->codec;
      info_.video_codec = codec_name(video_->codec);
      if (video_->width > 0 && video_->height > 0 && video_->width <= 0xFFFFFFFFu && video_->height <= 0xFFFFFFFFu) {
        info_.width = static_cast<std::int64_t>(video_->width);
        info_.height = static_cast<std::int64_t>(video_->height);
      }
    }
    if (audio_) {
      info_.audio_codec_tag = audio_->codec;
      info_.audio_codec = codec_name(audio_->codec);
    }
  }

  Source& src_;
  MediaInfo& info_;
  std::uint64_t segment_data_ = 0;
  bool have_info_ = false, have_tracks_ = false;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> seek_targets_;
  std::uint64_t timecode_scale_ = 1000000;  // the default: milliseconds
  std::optional<double> duration_;
  std::string title_, writing_app_, muxing_app_;
  std::optional<TrackInfo> video_, audio_;
};

}  // namespace

bool parse_matroska(Source& src, MediaInfo& info) { return MatroskaParser(src, info).run(); }

}  // namespace ferret_media
