// ISO BMFF boxes for the carver: box headers, child walks that must tile their parent, and a
// buffered reader for the big-endian tables inside sample-table and fragment boxes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carve/format.h"

namespace ferret::carve::formats::mp4 {

constexpr std::uint32_t fourcc(const char (&s)[5]) {
  return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[0])) << 24 |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[1])) << 16 |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[2])) << 8 | static_cast<std::uint8_t>(s[3]);
}

std::string fourcc_name(std::uint32_t type);  // printable, for messages

struct Box {
  std::uint64_t start = 0;
  std::uint64_t header = 0;  // 8, 16 with a 64-bit size, +16 for a uuid box's extended type
  std::uint64_t size = 0;    // the whole box
  std::uint32_t type = 0;
  bool to_end = false;       // size field 0: the box runs to the end of its container
  std::uint64_t payload() const { return start + header; }
  std::uint64_t end() const { return start + size; }
  std::uint64_t payload_size() const { return size - header; }
};

// The box header at `pos` inside a container ending at `limit` (the box must fit before it); a
// size field of 0 makes the box run to `limit`. nullopt when the header is not there or cannot be
// one (size smaller than the header, past `limit`).
std::optional<Box> read_box(Bytes& bytes, std::uint64_t pos, std::uint64_t limit);

// The same header without requiring the box to fit before `limit` (a size-0 box still runs to
// it): what a box at `pos` claims.
std::optional<Box> read_box_header(Bytes& bytes, std::uint64_t pos, std::uint64_t limit);

// The children of `parent` from `from` (default: its payload) to its end. They must tile it
// exactly; QuickTime may close a list with a few zero bytes. Each child goes to `visit`, which
// returns false to stop. Returns false (with `why`) when the children do not tile the parent.
template <class Visit>
bool walk_children(Bytes& bytes, const Box& parent, Visit&& visit, std::string& why, std::uint64_t from = 0);

// True when [pos, end) (at most kMaxView bytes) is there and holds only zeros.
bool all_zero(Bytes& bytes, std::uint64_t pos, std::uint64_t end);

// Big-endian integers read in order from [pos, end) of the space through a private buffer, so that
// several tables can be read side by side (a Bytes view lasts only until the next view).
class TableReader {
 public:
  TableReader(Bytes& bytes, std::uint64_t pos, std::uint64_t end) : bytes_(&bytes), pos_(pos), end_(end) {}
  bool u8(std::uint8_t& out);
  bool u16(std::uint16_t& out);
  bool u32(std::uint32_t& out);
  bool u64(std::uint64_t& out);
  bool uint(unsigned width, std::uint64_t& out);  // width 1..8 bytes
  bool skip(std::uint64_t n);
  std::uint64_t position() const { return pos_ + next_ - buffer_.size(); }
  std::uint64_t remaining() const { return end_ - position(); }

 private:
  bool fill(std::size_t want);
  Bytes* bytes_;
  std::uint64_t pos_;  // space offset just after buffer_'s last byte
  std::uint64_t end_;
  std::vector<std::uint8_t> buffer_;
  std::size_t next_ = 0;  // next unread byte in buffer_
};

// -- template definition --

template <class Visit>
bool walk_children(Bytes& bytes, const Box& parent, Visit&& visit, std::string& why, std::uint64_t from) {
  std::uint64_t pos = from != 0 ? from : parent.payload();
  const std::uint64_t end = parent.end();
  while (pos < end) {
    const auto box = end - pos >= 8 ? read_box(bytes, pos, end) : std::nullopt;
    if (!box || box->to_end) {
      // A 32-bit zero (or a few zero bytes) closes a QuickTime atom list.
      if (end - pos <= 64 && all_zero(bytes, pos, end)) return true;
      why = "malformed box inside '" + fourcc_name(parent.type) + "' at offset " + std::to_string(pos);
      return false;
    }
    if (!visit(*box)) return true;
    pos = box->end();
  }
  return true;
}

}  // namespace ferret::carve::formats::mp4
