// GIF validator: header, colour tables, extension and image blocks with their sub-block chains, to the trailer.
#include <algorithm>
#include <string>

#include "carve/formats/formats.h"

namespace ferret::carve::formats {

namespace {

Verdict verdict(Status status, std::uint64_t length, std::string missing = {}) {
  return Verdict{status, length, std::move(missing), "gif", "gif"};
}

// A cached view: sub-block chains are walked a length byte at a time, so reads come from one
// window that is refilled only when a read leaves it.
class Window {
 public:
  Window(Bytes& bytes, std::uint64_t end) : bytes_(bytes), end_(end) {}
  // `n` bytes at `pos`, or nullptr when they are not all there.
  const std::uint8_t* at(std::uint64_t pos, std::size_t n) {
    if (pos >= base_ && pos - base_ + n <= span_.size()) return span_.data() + (pos - base_);
    if (pos >= end_ || end_ - pos < n) return nullptr;
    span_ = bytes_.view(pos, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, end_ - pos)));
    base_ = pos;
    return span_.size() >= n ? span_.data() : nullptr;
  }

 private:
  Bytes& bytes_;
  std::uint64_t end_;
  std::uint64_t base_ = 0;
  std::span<const std::uint8_t> span_;
};

// Follows a chain of sub-blocks (length byte, data) to its zero terminator; returns the position
// after the terminator, or nullopt when the space ends first.
std::optional<std::uint64_t> skip_sub_blocks(Window& w, std::uint64_t pos) {
  while (true) {
    const std::uint8_t* p = w.at(pos, 1);
    if (!p) return std::nullopt;
    if (*p == 0) return pos + 1;
    pos += 1 + *p;
  }
}

}  // namespace

Verdict validate_gif(Bytes& bytes, const Limits& limits) {
  const std::uint64_t end = std::min(bytes.size(), limits.max_item);
  if (!bytes.matches(0, "GIF87a") && !bytes.matches(0, "GIF89a")) return verdict(Status::rejected, 0, "no GIF header");
  Window w(bytes, end);
  const std::uint8_t* lsd = w.at(6, 7);
  if (!lsd) return verdict(Status::rejected, 0, "the space ends inside the screen descriptor");
  const unsigned width = lsd[0] | lsd[1] << 8, height = lsd[2] | lsd[3] << 8, packed = lsd[4];
  // A zero-sized screen is legal in theory and only ever seen in chance matches.
  if (width == 0 || height == 0) return verdict(Status::rejected, 0, "zero logical screen size");
  std::uint64_t pos = 13;
  if (packed & 0x80) pos += 3ull << ((packed & 7) + 1);
  if (pos > end) return verdict(Status::rejected, 0, "the space ends inside the global colour table");
  int images = 0, blocks = 0;
  std::uint64_t proven = pos;
  auto fail = [&](std::string why) {
    if (blocks == 0) return verdict(Status::rejected, 0, "not a GIF: " + why);
    return verdict(Status::partial, proven, std::move(why));
  };
  while (true) {
    const std::uint8_t* p = w.at(pos, 1);
    if (!p) return fail("the space ends before the trailer");
    switch (*p) {
      case 0x3B:
        if (images == 0) return fail("trailer before any image");
        return verdict(Status::complete, pos + 1);
      case 0x21: {
        const std::uint8_t* e = w.at(pos + 1, 2);
        if (!e) return fail("the space ends inside an extension");
        const std::uint8_t label = e[0], first = e[1];
        // Known extensions have a fixed first block size; a chance 0x21 rarely matches one.
        if ((label == 0xF9 && first != 4) || (label == 0x01 && first != 12) || (label == 0xFF && first != 11) ||
            (label != 0xF9 && label != 0x01 && label != 0xFF && label != 0xFE)) {
          return fail("unknown or malformed extension block");
        }
        const auto next = skip_sub_blocks(w, pos + 2);
        if (!next) return fail("the space ends inside an extension's sub-blocks");
        pos = *next;
        break;
      }
      case 0x2C: {
        const std::uint8_t* d = w.at(pos + 1, 9);
        if (!d) return fail("the space ends inside an image descriptor");
        const unsigned iw = d[4] | d[5] << 8, ih = d[6] | d[7] << 8, ipacked = d[8];
        if (iw == 0 || ih == 0) return fail("image of zero size");
        std::uint64_t at = pos + 10;
        if (ipacked & 0x80) at += 3ull << ((ipacked & 7) + 1);
        const std::uint8_t* code = w.at(at, 1);
        if (!code) return fail("the space ends inside an image's colour table");
        if (*code < 2 || *code > 8) return fail("LZW minimum code size out of range");
        // Image data is skipped by its sub-block lengths, so a 00 3B inside it (where foremost
        // cuts) is never taken for the trailer.
        const auto next = skip_sub_blocks(w, at + 1);
        if (!next) return fail("the space ends inside image data");
        pos = *next;
        ++images;
        break;
      }
      default:
        return fail("unknown block introducer");
    }
    ++blocks;
    proven = pos;
  }
}

}  // namespace ferret::carve::formats
