// The media plugin: container metadata (duration, frame size, codecs, title, encoder) of MP4/MOV,
// Matroska/WebM, AVI and MP3 files, one `media` artifact per file.
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>

#include "media_source.h"

namespace {

using ferret_media::MediaInfo;
using ferret_media::Source;

const ferret_attr_decl kMediaAttrs[] = {
    {"container", FERRET_ATTR_TEXT, 1, "the container format: mp4, mov, 3gp, mkv, webm, avi or mp3"},
    {"duration_s", FERRET_ATTR_REAL, 0, "duration in seconds, as the container's headers state it"},
    {"width", FERRET_ATTR_INT, 0, "frame width in pixels of the first video track"},
    {"height", FERRET_ATTR_INT, 0, "frame height in pixels of the first video track"},
    {"video_codec", FERRET_ATTR_TEXT, 0, "codec of the first video track (ffprobe's names: h264, hevc, vp9, mpeg4 ...)"},
    {"video_codec_tag", FERRET_ATTR_TEXT, 0, "the video codec as the container stores it (avc1, V_VP9, FMP4 ...)"},
    {"audio_codec", FERRET_ATTR_TEXT, 0, "codec of the first audio track (aac, mp3, opus, vorbis ...)"},
    {"audio_codec_tag", FERRET_ATTR_TEXT, 0, "the audio codec as the container stores it (mp4a, A_OPUS, 0x0055 ...)"},
    {"title", FERRET_ATTR_TEXT, 0, "title tag"},
    {"encoder", FERRET_ATTR_TEXT, 0, "application or library that wrote the file, as tagged"},
};
const ferret_kind_decl kKinds[] = {
    {"media", "container metadata of a video or audio file", kMediaAttrs, sizeof kMediaAttrs / sizeof kMediaAttrs[0]},
};

const char* const kMimes[] = {"video/", "audio/"};
const char* const kExtensions[] = {"mp4", "m4v", "mov", "3gp", "mkv", "webm", "avi", "mp3"};
const unsigned char kFtyp[] = {'f', 't', 'y', 'p'};
const unsigned char kEbml[] = {0x1A, 0x45, 0xDF, 0xA3};
const unsigned char kRiff[] = {'R', 'I', 'F', 'F'};
const unsigned char kAvi[] = {'A', 'V', 'I', ' '};
const unsigned char kId3[] = {'I', 'D', '3'};
// RIFF at 0 alone would select every WAV and WebP too; "AVI " at 8 alone is enough and rarer.
const ferret_magic kMagics[] = {{kFtyp, 4, 4}, {kEbml, 4, 0}, {kAvi, 4, 8}, {kId3, 3, 0}};

enum class Format { unknown, bmff, matroska, avi, mp3 };

Format sniff(Source& src) {
  unsigned char h[12] = {};
  const std::size_t n = src.read_some(0, h, sizeof h);
  if (n >= 8 && (std::memcmp(h + 4, "ftyp", 4) == 0 || std::memcmp(h + 4, "moov", 4) == 0 ||
                 std::memcmp(h + 4, "mdat", 4) == 0 || std::memcmp(h + 4, "wide", 4) == 0)) {
    return Format::bmff;
  }
  if (n >= 4 && std::memcmp(h, kEbml, 4) == 0) return Format::matroska;
  if (n >= 12 && std::memcmp(h, kRiff, 4) == 0 && std::memcmp(h + 8, kAvi, 4) == 0) return Format::avi;
  if (n >= 3 && std::memcmp(h, kId3, 3) == 0) return Format::mp3;
  if (n >= 2 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0) return Format::mp3;
  return Format::unknown;
}

// A decimal with millisecond precision, independent of the process locale.
std::string decimal(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
  return std::string(buf, r.ptr);
}

class Emitter {
 public:
  Emitter(ferret_file* file, const ferret_host_api* host, const char* kind)
      : host_(host), artifact_(host->begin_artifact(file, kind)) {}
  void text(const char* name, const std::string& value) {
    if (artifact_ && !value.empty() && host_->set_text(artifact_, name, value.data(), value.size()) != 0) ok_ = false;
  }
  void integer(const char* name, std::int64_t value) {
    if (artifact_ && host_->set_int(artifact_, name, value) != 0) ok_ = false;
  }
  // True when the host recorded the artifact.
  bool end() { return artifact_ && host_->end_artifact(artifact_) == 0 && ok_; }

 private:
  const ferret_host_api* host_;
  ferret_artifact* artifact_;
  bool ok_ = true;
};

ferret_parse_result parse_file(ferret_file* file, const ferret_host_api* host) {
  Source src(file, host);
  MediaInfo info;
  bool mine = false;
  switch (sniff(src)) {
    case Format::bmff: mine = ferret_media::parse_bmff(src, info); break;
    case Format::matroska: mine = ferret_media::parse_matroska(src, info); break;
    case Format::avi: mine = ferret_media::parse_avi(src, info); break;
    case Format::mp3: mine = ferret_media::parse_mp3(src, info); break;
    case Format::unknown: break;
  }
  if (!mine) return FERRET_PARSE_NOT_MINE;

  // Durations beyond a century come from damaged headers, not from recordings.
  if (info.duration_s && !(std::isfinite(*info.duration_s) && *info.duration_s >= 0 && *info.duration_s < 3.2e9)) {
    src.warn("the stated duration is not plausible; left out");
    info.duration_s.reset();
  }
  Emitter a(file, host, "media");
  a.text("container", info.container);
  if (info.duration_s) a.text("duration_s", decimal(*info.duration_s));
  if (info.width && info.height) {
    a.integer("width", *info.width);
    a.integer("height", *info.height);
  }
  a.text("video_codec", info.video_codec);
  a.text("video_codec_tag", info.video_codec_tag);
  a.text("audio_codec", info.audio_codec);
  a.text("audio_codec_tag", info.audio_codec_tag);
  a.text("title", info.title);
  a.text("encoder", info.encoder);
  const bool recorded = a.end();

  for (const auto& w : src.warnings()) host->log(file, FERRET_LOG_WARNING, w.c_str());
  if (!recorded) {
    host->log(file, FERRET_LOG_ERROR, "the host refused the media artifact (see its reason above)");
    return FERRET_PARSE_FAILED;
  }
  if (src.stopped()) {
    host->log(file, FERRET_LOG_WARNING, "stopped at the host's request before the end of the headers");
    return FERRET_PARSE_FAILED;
  }
  return src.warnings().empty() ? FERRET_PARSE_OK : FERRET_PARSE_MALFORMED;
}

// No exception may cross into the host.
ferret_parse_result parse(ferret_file* file, const ferret_host_api* host) {
  try {
    return parse_file(file, host);
  } catch (const std::exception& e) {
    host->log(file, FERRET_LOG_ERROR, (std::string("media plugin failed: ") + e.what()).c_str());
  } catch (...) {
    host->log(file, FERRET_LOG_ERROR, "media plugin failed with an unknown error");
  }
  return FERRET_PARSE_FAILED;
}

const ferret_plugin kPlugin = {
    sizeof(ferret_plugin),
    FERRET_PLUGIN_ABI_VERSION,
    "media",
    "1.0.0",
    "container metadata of MP4/MOV, Matroska/WebM, AVI and MP3 files",
    {kMimes, 2, kExtensions, sizeof kExtensions / sizeof kExtensions[0], nullptr, 0, kMagics, sizeof kMagics / sizeof kMagics[0]},
    kKinds,
    1,
    parse,
};

}  // namespace

extern "C" FERRET_PLUGIN_EXPORT const ferret_plugin* ferret_plugin_entry_v1(const ferret_host_api* host) {
  // The host must offer every function this plugin calls (it was built against ABI version 1).
  if (!host || host->abi_version < 1 || host->struct_size < sizeof(ferret_host_api)) return nullptr;
  return &kPlugin;
}
