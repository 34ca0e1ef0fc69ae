// MPEG audio frame headers, the Xing/Info/VBRI first frame, and CRC-16/ARC.
#include "carve/formats/mp3_frame.h"

#include <array>
#include <cstring>

namespace ferret::carve::formats::mp3 {

namespace {

// Bit rates in kbit/s by [MPEG-1 ? 0 : 1][layer - 1][index]; index 0 (free format) and 15 are invalid.
constexpr unsigned kBitrates[2][3][16] = {
    {{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0},
     {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0},
     {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}},
    {{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0},
     {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
     {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}},
};
// Sample rates by [version][index]: MPEG-2.5, reserved, MPEG-2, MPEG-1.
constexpr unsigned kRates[4][3] = {{11025, 12000, 8000}, {0, 0, 0}, {22050, 24000, 16000}, {44100, 48000, 32000}};

constexpr std::array<std::uint16_t, 256> make_arc_table() {
  std::array<std::uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    unsigned r = i;
    for (int k = 0; k < 8; ++k) r = (r & 1) ? (r >> 1) ^ 0xA001 : r >> 1;
    t[i] = static_cast<std::uint16_t>(r);
  }
  return t;
}
constexpr auto kArc = make_arc_table();

std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

}  // namespace

std::optional<FrameHeader> parse_header(std::uint32_t h) {
  if ((h >> 21) != 0x7FF) return std::nullopt;
  FrameHeader f;
  f.version = (h >> 19) & 3;
  const unsigned layer_bits = (h >> 17) & 3;
  const unsigned bitrate_index = (h >> 12) & 15;
  const unsigned rate_index = (h >> 10) & 3;
  if (f.version == 1 || layer_bits == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 || (h & 3) == 2) {
    return std::nullopt;  // reserved version/layer/rate/emphasis, free format, bad bit rate
  }
  f.layer = 4 - layer_bits;
  f.protected_ = ((h >> 16) & 1) == 0;
  const bool mpeg1 = f.version == 3;
  f.bitrate = kBitrates[mpeg1 ? 0 : 1][f.layer - 1][bitrate_index];
  f.sample_rate = kRates[f.version][rate_index];
  const unsigned padding = (h >> 9) & 1;
  f.mono = ((h >> 6) & 3) == 3;
  if (f.layer == 1) {
    f.length = (12 * f.bitrate * 1000 / f.sample_rate + padding) * 4;
  } else {
    const unsigned factor = (f.layer == 3 && !mpeg1) ? 72 : 144;
    f.length = factor * f.bitrate * 1000 / f.sample_rate + padding;
  }
  if (f.layer == 3) f.side_info = mpeg1 ? (f.mono ? 17 : 32) : (f.mono ? 9 : 17);
  if (f.length < 4 + (f.protected_ ? 2 : 0) + f.side_info) return std::nullopt;
  return f;
}

bool same_stream(const FrameHeader& a, const FrameHeader& b) {
  return a.version == b.version && a.layer == b.layer && a.sample_rate == b.sample_rate && a.mono == b.mono;
}

std::optional<unsigned> main_data_begin(std::span<const std::uint8_t> frame, const FrameHeader& h) {
  const std::size_t at = 4 + (h.protected_ ? 2 : 0);
  if (h.layer != 3 || frame.size() < at + 2) return std::nullopt;
  const unsigned bits = static_cast<unsigned>(frame[at]) << 8 | frame[at + 1];
  return h.version == 3 ? bits >> 7 : bits >> 8;  // 9 bits in MPEG-1, 8 in MPEG-2/2.5
}

std::optional<StreamHeader> parse_stream_header(std::span<const std::uint8_t> frame, const FrameHeader& h) {
  StreamHeader s;
  // Xing/Info sits right after the side information.
  const std::size_t x = 4 + (h.protected_ ? 2 : 0) + h.side_info;
  if (frame.size() >= x + 8 && (std::memcmp(frame.data() + x, "Xing", 4) == 0 || std::memcmp(frame.data() + x, "Info", 4) == 0)) {
    const std::uint32_t flags = be32(frame.data() + x + 4);
    std::size_t p = x + 8;
    if (flags & 1) {
      if (frame.size() < p + 4) return std::nullopt;
      s.frames = be32(frame.data() + p);
      p += 4;
    }
    if (flags & 2) {
      if (frame.size() < p + 4) return std::nullopt;
      s.bytes = be32(frame.data() + p);
      p += 4;
    }
    if (flags & 4) p += 100;  // seek table
    if (flags & 8) p += 4;    // quality
    // LAME's extension: a 9-character encoder name ("LAME3.100", "Lavf..."), then at +28 the
    // music length and at +32 the music CRC.
    if (frame.size() >= p + 36) {
      bool named = true;
      for (std::size_t i = 0; i < 4; ++i) {
        const char c = static_cast<char>(frame[p + i]);
        named = named && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
      }
      if (named) {
        s.music_length = be32(frame.data() + p + 28);
        s.music_crc = static_cast<std::uint16_t>(frame[p + 32] << 8 | frame[p + 33]);
      }
    }
    return s;
  }
  // VBRI sits 32 bytes after the header whatever the mode.
  constexpr std::size_t v = 4 + 32;
  if (frame.size() >= v + 18 && std::memcmp(frame.data() + v, "VBRI", 4) == 0) {
    s.vbri = true;
    s.bytes = be32(frame.data() + v + 10);
    s.frames = be32(frame.data() + v + 14);
    return s;
  }
  return std::nullopt;
}

std::uint16_t crc16_arc(std::uint16_t crc, const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) crc = static_cast<std::uint16_t>((crc >> 8) ^ kArc[(crc ^ p[i]) & 0xFF]);
  return crc;
}

}  // namespace ferret::carve::formats::mp3
