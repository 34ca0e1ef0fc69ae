// Huffman decoding of sequential JPEG scans, for validation only: codes exist, blocks fit, MCU count exact.
#pragma once

#include <cstdint>
#include <optional>

#include "carve/format.h"

namespace ferret::carve::formats::jpeg {

// A DHT table in the canonical decoding form of ITU T.81 F.2.2.3.
struct HuffmanTable {
  bool defined = false;
  std::uint8_t symbols[256] = {};
  std::int32_t maxcode[18] = {};  // largest code of each length, -1 when none
  std::int32_t valptr[17] = {};   // index in symbols of the first code of each length
  std::int32_t mincode[17] = {};  // smallest code of each length
};

// Builds `table` from the 16 code counts and the symbols of a DHT entry; false when the counts
// describe more codes than fit in 16 bits (a corrupt table).
bool build_table(const std::uint8_t counts[16], const std::uint8_t* symbols, HuffmanTable& table);

struct FrameComponent {
  std::uint8_t id = 0, h = 1, v = 1;
};

struct Frame {
  bool sequential_huffman = false;  // SOF0/SOF1: the scans this file can decode
  std::uint8_t precision = 8;
  std::uint16_t width = 0, height = 0;
  int count = 0;
  FrameComponent components[4];
};

struct ScanComponent {
  int frame_index = 0;  // into Frame::components
  std::uint8_t dc = 0, ac = 0;
};

struct Scan {
  int count = 0;
  ScanComponent components[4];
  std::uint8_t ss = 0, se = 63, ah = 0, al = 0;
};

struct ScanCheck {
  bool ok = false;
  std::uint64_t bad_at = 0;  // when not ok: where the block that failed to decode starts
  const char* why = "";
};

// Decodes the entropy-coded data of `scan` in [pos, stop) (stop: the FF of the marker ending the
// scan; RST markers inside are expected every `restart_interval` MCUs).
ScanCheck check_sequential_scan(Bytes& bytes, std::uint64_t pos, std::uint64_t stop, const Frame& frame,
                                const Scan& scan, const HuffmanTable (&dc)[4], const HuffmanTable (&ac)[4],
                                std::uint16_t restart_interval);

}  // namespace ferret::carve::formats::jpeg
