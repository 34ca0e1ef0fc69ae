// The media plugin's view of one file: bounded cached reads, byte-order decoding, text made valid UTF-8,
// and the warnings a parse collects (plugins share no code, so these helpers live here).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ferret/plugin.h"

namespace ferret_media {

// What the plugin found in one file; empty members are not emitted.
struct MediaInfo {
  std::string container;
  std::optional<double> duration_s;
  std::optional<std::int64_t> width, height;
  std::string video_codec, video_codec_tag, audio_codec, audio_codec_tag;
  std::string title, encoder;
};

class Source {
 public:
  Source(ferret_file* file, const ferret_host_api* host);

  std::uint64_t size() const { return size_; }
  std::string file_name() const;
  std::string mime() const;

  // Exactly `length` bytes at `offset`: false when the file ends first or cannot be read there (the
  // second is recorded as damage).
  bool read(std::uint64_t offset, void* out, std::size_t length);
  // Up to `length` bytes at `offset`: how many were read (fewer at the end or where unreadable).
  std::size_t read_some(std::uint64_t offset, void* out, std::size_t length);

  // Checked every few hundred elements of a walk; once true it stays true.
  bool stop_requested();
  bool stopped() const { return stopped_; }

  // Damage found: the parse ends MALFORMED and the message goes to the host's log.
  void warn(std::string message);
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  bool fill_window(std::uint64_t offset);

  ferret_file* file_;
  const ferret_host_api* host_;
  std::uint64_t size_;
  // A read-ahead window: box and element headers are read a few bytes at a time, and each host read
  // may cross a process boundary.
  std::vector<unsigned char> window_;
  std::uint64_t window_offset_ = 0;
  std::size_t window_length_ = 0;
  bool unreadable_reported_ = false;
  bool stopped_ = false;
  unsigned stop_checks_ = 0;
  std::vector<std::string> warnings_;
};

inline std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
inline std::uint32_t be32(const unsigned char* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline std::uint64_t be64(const unsigned char* p) { return std::uint64_t{be32(p)} << 32 | be32(p + 4); }
inline std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[1] << 8 | p[0]); }
inline std::uint32_t le32(const unsigned char* p) {
  return std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | p[0];
}

// printf into a std::string (messages only).
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Text from a file as valid UTF-8: valid sequences kept, other bytes and control characters shown as
// \xNN (as Ferret shows undecodable path bytes), cut at the first NUL, surrounding blanks trimmed.
std::string utf8_text(const unsigned char* p, std::size_t n);
std::string latin1_text(const unsigned char* p, std::size_t n);
// UTF-16 text; `big_endian` unless a byte-order mark says otherwise (the mark is dropped).
std::string utf16_text(const unsigned char* p, std::size_t n, bool big_endian);
// A four-character code as text ("avc1"; unprintable bytes as \xNN, "\xa9too").
std::string fourcc_text(std::uint32_t code);

// The parsers: each returns false when the file is not of its format after all (nothing is emitted),
// true when it is (damage then shows as the source's warnings).
bool parse_bmff(Source& src, MediaInfo& info);
bool parse_matroska(Source& src, MediaInfo& info);
bool parse_avi(Source& src, MediaInfo& info);
bool parse_mp3(Source& src, MediaInfo& info);

}  // namespace ferret_media
