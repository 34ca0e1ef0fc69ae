// MPEG audio frames for the carver: header fields and frame lengths (MPEG 1/2/2.5, layers I-III),
// the Xing/Info/VBRI header an encoder puts in the first frame, and LAME's music CRC.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace ferret::carve::formats::mp3 {

struct FrameHeader {
  unsigned version = 0;      // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  unsigned layer = 0;        // 1, 2 or 3
  bool protected_ = false;   // a 16-bit CRC follows the header
  unsigned bitrate = 0;      // kbit/s
  unsigned sample_rate = 0;  // Hz
  bool mono = false;
  unsigned length = 0;       // bytes, header and padding included
  unsigned side_info = 0;    // layer III side information bytes
};

// The frame header in the 4 big-endian bytes `h`; nullopt for a free-format, reserved or invalid one.
std::optional<FrameHeader> parse_header(std::uint32_t h);

// Frames of one stream keep version, layer, sample rate and mono/stereo.
bool same_stream(const FrameHeader& a, const FrameHeader& b);

// Layer III's main_data_begin: how far back into earlier frames this frame's audio starts. A
// stream's first frame has 0 (there is nothing before it). nullopt if not layer III or cut off.
std::optional<unsigned> main_data_begin(std::span<const std::uint8_t> frame, const FrameHeader& h);

// What an encoder's first-frame header (Xing/Info, or Fraunhofer's VBRI) says about the stream.
struct StreamHeader {
  bool vbri = false;
  std::optional<std::uint32_t> frames;  // audio frames after this one
  std::optional<std::uint32_t> bytes;   // stream bytes, this frame included
  // LAME's extension of the Info frame: the stream's length and a CRC-16 of its audio frames.
  std::optional<std::uint32_t> music_length;
  std::optional<std::uint16_t> music_crc;
};

// The Xing/Info/VBRI header in the first frame `frame` (the whole frame), if it has one.
std::optional<StreamHeader> parse_stream_header(std::span<const std::uint8_t> frame, const FrameHeader& h);

// CRC-16/ARC (polynomial 0x8005 reflected, initial 0): LAME's music CRC.
std::uint16_t crc16_arc(std::uint16_t crc, const std::uint8_t* p, std::size_t n);

}  // namespace ferret::carve::formats::mp3
