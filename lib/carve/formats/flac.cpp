// FLAC validator: metadata blocks from STREAMINFO, then the frame chain (header CRC-8, frame
// CRC-16, consecutive numbers) until STREAMINFO's total sample count is reached.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "carve/formats/flac_frame.h"
#include "carve/formats/formats.h"
#include "carve/formats/mp3_boundary.h"

namespace ferret::carve::formats {

namespace {

using flac::FrameHeader;
using flac::StreamInfo;

// The largest frame FLAC can hold when STREAMINFO does not say: 8 verbatim channels of 65535
// samples at 33 bits, with headers.
constexpr std::uint64_t kMaxFrameBytes = 4u << 20;

struct Frame {
  std::uint64_t pos = 0;
  FrameHeader header;
};

std::optional<FrameHeader> header_at(Bytes& bytes, std::uint64_t pos) {
  return flac::parse_frame_header(bytes.view(pos, flac::kMaxHeader));
}

// The number the frame after `f` must carry: the next frame number, or with variable blocking the
// number of the first sample after `f`.
std::uint64_t next_number(const Frame& f, std::uint64_t samples_after) {
  return f.header.variable_blocking ? samples_after : f.header.number + 1;
}

bool continues(const std::optional<FrameHeader>& h, const Frame& cur, const StreamInfo& si, std::uint64_t expected) {
  return h && h->variable_blocking == cur.header.variable_blocking && flac::fits_stream(*h, si) && h->number == expected;
}

// The frame after `cur`: the first position where a header with the expected number starts and
// the CRC-16 over everything from `cur` up to there is 0 (the frame's own CRC). A sync pattern
// inside audio data passes the CRC-8, the number and the CRC-16 together about once in 2^38.
std::optional<Frame> next_frame(Bytes& bytes, const Frame& cur, const StreamInfo& si, std::uint64_t expected,
                                std::uint64_t space) {
  const std::uint64_t min_pos = cur.pos + cur.header.length + 3;
  const std::uint64_t max_pos = std::min(space - 1, cur.pos + (si.max_frame != 0 ? si.max_frame : kMaxFrameBytes));
  const std::uint8_t second = cur.header.variable_blocking ? 0xF9 : 0xF8;
  std::uint16_t crc = 0;
  std::uint64_t q = cur.pos;
  while (q <= max_pos) {
    const auto w = bytes.view(q, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, space - q)));
    const std::size_t n = w.size();
    if (n == 0) break;
    // Positions whose header would cross the window's end are looked at from the next window.
    std::size_t stop = (q + n < space && n > flac::kMaxHeader) ? n - flac::kMaxHeader : n;
    stop = static_cast<std::size_t>(std::min<std::uint64_t>(stop, max_pos - q + 1));
    // Candidates start with 0xFF: jump from one to the next, folding the bytes between into the CRC.
    const std::uint8_t* d = w.data();
    for (std::size_t i = 0; i < stop;) {
      const void* hit = std::memchr(d + i, 0xFF, stop - i);
      const std::size_t ff = hit ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - d) : stop;
      crc = flac::crc16(crc, d + i, ff - i);
      if (ff == stop) break;
      if (crc == 0 && ff + 1 < n && d[ff + 1] == second && q + ff >= min_pos) {
        const auto h = flac::parse_frame_header(w.subspan(ff, std::min(flac::kMaxHeader, n - ff)));
        if (continues(h, cur, si, expected)) return Frame{q + ff, *h};
      }
      crc = flac::crc16_step(crc, 0xFF);
      i = ff + 1;
    }
    if (stop == 0) break;
    q += stop;
  }
  return std::nullopt;
}

// The end of frame `f` from its subframes, confirmed by its CRC-16.
std::optional<std::uint64_t> frame_end(Bytes& bytes, const Frame& f, const StreamInfo& si, std::uint64_t space) {
  const auto w = bytes.view(f.pos, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, space - f.pos)));
  const auto len = flac::frame_length(w, f.header, si);
  if (!len) return std::nullopt;
  return f.pos + *len;
}

bool zeros(Bytes& bytes, std::uint64_t pos, std::uint64_t end) {
  while (pos < end) {
    const auto w = bytes.view(pos, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, end - pos)));
    if (w.empty() || std::any_of(w.begin(), w.end(), [](std::uint8_t b) { return b != 0; })) return false;
    pos += w.size();
  }
  return true;
}

}  // namespace

Verdict validate_flac(Bytes& bytes, const Limits& limits) {
  Verdict v;
  v.type = "flac";
  v.extension = "flac";
  const std::uint64_t space = std::min(bytes.size(), limits.max_item);

  // "fLaC", then STREAMINFO (type 0, 34 bytes) as the first metadata block.
  const auto head = bytes.view(0, 8 + 34);
  if (head.size() < 8 + 34 || !bytes.matches(0, "fLaC") || (head[4] & 0x7F) != 0 || head[5] != 0 || head[6] != 0 || head[7] != 34) {
    v.missing = "no STREAMINFO block after fLaC";
    return v;
  }
  const auto si_opt = flac::parse_stream_info(head.subspan(8, 34));
  if (!si_opt) {
    v.missing = "STREAMINFO values cannot describe a stream";
    return v;
  }
  const StreamInfo si = *si_opt;
  bool last = head[4] & 0x80;
  std::uint64_t pos = 8 + 34;
  if (pos > space) {
    v.missing = "STREAMINFO runs past the item size limit";
    return v;
  }
  v.status = Status::partial;
  v.length = 4;

  // The other metadata blocks: each header says its type and length, the last one says so.
  while (!last) {
    const auto h = bytes.view(pos, 4);
    if (h.size() < 4) {
      v.missing = "metadata blocks run past the end of the space";
      return v;
    }
    const unsigned type = h[0] & 0x7F;
    const std::uint64_t len = static_cast<std::uint64_t>(h[1]) << 16 | h[2] << 8 | h[3];
    if (type == 0 || type == 127 || (type == 3 && len % 18 != 0)) {
      v.missing = "invalid metadata block at offset " + std::to_string(pos);
      return v;
    }
    if (pos + 4 + len > space) {
      v.missing = "metadata block at offset " + std::to_string(pos) + " runs past the end of the space";
      return v;
    }
    // PADDING holds zeros only (RFC 9639 8.3): anything else there is damage nothing else would show.
    if (type == 1 && !zeros(bytes, pos + 4, pos + 4 + len)) {
      v.missing = "the padding block at offset " + std::to_string(pos) + " is not zeros (damaged)";
      return v;
    }
    last = h[0] & 0x80;
    v.length = pos;  // a block's extent is confirmed only by what follows it
    pos += 4 + len;
  }

  // The first frame follows the metadata at once and is frame (or sample) number 0.
  Frame cur{pos, {}};
  if (const auto h = header_at(bytes, pos); h && flac::fits_stream(*h, si) && h->number == 0 && pos < space) {
    cur.header = *h;
  } else {
    v.missing = "no audio frame right after the metadata blocks";
    return v;
  }

  std::uint64_t samples = 0;
  for (;;) {
    const std::uint64_t after = samples + cur.header.block_size;
    if (si.total_samples != 0 && after > si.total_samples) {
      v.length = cur.pos;
      v.missing = "frame at offset " + std::to_string(cur.pos) + " runs past STREAMINFO's sample count";
      return v;
    }
    if (si.total_samples != 0 && after == si.total_samples) break;  // cur is the last frame
    const auto next = next_frame(bytes, cur, si, next_number(cur, after), space);
    if (!next) break;
    samples = after;
    cur = *next;
    v.length = cur.pos;  // every frame before cur passed its CRC-16
  }

  // The last frame has no sync after it: its end comes from its subframes and its CRC-16.
  const auto end = frame_end(bytes, cur, si, space);
  const std::uint64_t done = samples + cur.header.block_size;
  if (!end) {
    v.missing = si.total_samples != 0 && done == si.total_samples
                    ? "the last frame (offset " + std::to_string(cur.pos) + ") does not check out or is cut off"
                    : "frames stop at offset " + std::to_string(cur.pos) + " (sample " + std::to_string(samples) + ")";
    return v;
  }
  v.length = *end;
  if (si.total_samples != 0) {
    if (done != si.total_samples) {
      v.missing = "frames stop after sample " + std::to_string(done) + " of " + std::to_string(si.total_samples);
      return v;
    }
    if (continues(header_at(bytes, *end), cur, si, next_number(cur, done))) {
      v.missing = "frames go on past STREAMINFO's sample count";
      return v;
    }
  } else {
    // No total to reach: the stream provably ends only with a short final block (fixed-size blocks
    // are all full but the last) or when zeros or another file follow.
    const bool short_last = !cur.header.variable_blocking && cur.header.block_size < si.max_block;
    if (!short_last && !ends_cleanly_at(bytes, *end, cur.pos, "flac") && !bytes.matches(*end, "TAG")) {
      v.missing = "STREAMINFO has no sample count and nothing marks the end of the stream";
      return v;
    }
  }
  // Some taggers append an ID3v1 tag to FLAC files; one cut off by the space leaves the end unknown.
  const auto tag = bytes.view(*end, 3);
  if (std::string_view(reinterpret_cast<const char*>(tag.data()), tag.size()) == std::string_view("TAG").substr(0, tag.size()) &&
      !tag.empty()) {
    if (tag.size() < 3 || *end + 128 > space) {
      v.missing = "an ID3v1 tag after the audio is cut off by the end of the space";
      return v;
    }
    v.length = *end + 128;
  }
  v.status = Status::complete;
  v.missing.clear();
  return v;
}

}  // namespace ferret::carve::formats
