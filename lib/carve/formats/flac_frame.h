// FLAC frames for the carver: header parsing with its CRC-8, the CRC-16, and the exact length of a
// frame found by walking its subframes (the last frame has no following sync to end it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ferret::carve::formats::flac {

struct StreamInfo {
  std::uint32_t min_block = 0, max_block = 0;
  std::uint32_t min_frame = 0, max_frame = 0;  // 0: unknown
  std::uint32_t sample_rate = 0;
  std::uint32_t channels = 0;
  std::uint32_t bits_per_sample = 0;
  std::uint64_t total_samples = 0;  // 0: unknown
};

// The 34 bytes of a STREAMINFO block; nullopt when the values cannot describe a stream.
std::optional<StreamInfo> parse_stream_info(std::span<const std::uint8_t> block);

struct FrameHeader {
  bool variable_blocking = false;       // the number is a sample number, not a frame number
  std::uint64_t number = 0;
  std::uint32_t block_size = 0;
  std::uint32_t sample_rate = 0;        // 0: as in STREAMINFO
  std::uint32_t bits_per_sample = 0;    // 0: as in STREAMINFO
  std::uint32_t channel_assignment = 0; // 0-7 independent, 8 left/side, 9 side/right, 10 mid/side
  std::uint32_t channels = 0;
  std::size_t length = 0;               // header bytes, CRC-8 included
};

// The longest frame header: sync, 2 bytes of codes, 7-byte number, 2+2 optional bytes, CRC-8.
inline constexpr std::size_t kMaxHeader = 16;

// Parses a frame header at the start of `p` (which holds the header or ends where the space ends)
// and checks its CRC-8; nullopt if it is not one.
std::optional<FrameHeader> parse_frame_header(std::span<const std::uint8_t> p);

// True when the header fits the stream STREAMINFO describes.
bool fits_stream(const FrameHeader& h, const StreamInfo& si);

// CRC-16 as FLAC frames use it (polynomial 0x8005, MSB first, initial 0): over a frame and its
// stored CRC it is 0.
std::uint16_t crc16(std::uint16_t crc, const std::uint8_t* p, std::size_t n);
std::uint16_t crc16_step(std::uint16_t crc, std::uint8_t byte);

// The length of the frame at the start of `frame` (header `h`, already parsed), found by decoding
// the subframes' structure (not their samples), and confirmed by the frame's CRC-16; nullopt when
// the subframes do not parse, do not fit in `frame`, or the CRC fails.
std::optional<std::size_t> frame_length(std::span<const std::uint8_t> frame, const FrameHeader& h, const StreamInfo& si);

}  // namespace ferret::carve::formats::flac
