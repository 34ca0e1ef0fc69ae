// Bytes over a stretch of a medium: a window cache in medium offsets, short views at damaged sectors.
#include "carve/image_bytes.h"

#include <algorithm>

namespace ferret::carve {

namespace {
constexpr std::size_t kMinRead = 64u << 10;
constexpr std::size_t kProbe = 4096;  // after a failed read, how far the readable prefix is narrowed
}  // namespace

ImageBytes::ImageBytes(const image::ImageSource& image) : image_(image) { buffer_.resize(kMaxView + kMinRead); }

void ImageBytes::reset(std::uint64_t base, std::uint64_t size) {
  base_ = base;
  size_ = size;
  unreadable_ = false;
}

std::span<const std::uint8_t> ImageBytes::view(std::uint64_t pos, std::size_t len) {
  if (pos >= size_ || len == 0) return {};
  len = static_cast<std::size_t>(std::min<std::uint64_t>({len, kMaxView, size_ - pos}));
  const std::uint64_t at = base_ + pos;
  if (at >= window_start_ && at + len <= window_start_ + window_len_) {
    return {buffer_.data() + (at - window_start_), len};
  }
  // Read at least kMinRead (but never past the end of this view's stretch).
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(std::max(len, kMinRead), size_ - pos));
  auto got = image_.read_at(at, std::as_writable_bytes(std::span(buffer_.data(), want)));
  window_start_ = at;
  if (got.ok()) {
    window_len_ = *got;
  } else {
    // A damaged stretch: keep the readable prefix, in probe-sized steps.
    unreadable_ = true;
    window_len_ = 0;
    while (window_len_ < want) {
      const std::size_t step = std::min(kProbe, want - window_len_);
      auto part = image_.read_at(at + window_len_, std::as_writable_bytes(std::span(buffer_.data() + window_len_, step)));
      if (!part.ok() || *part == 0) break;
      window_len_ += *part;
      if (*part < step) break;
    }
  }
  return {buffer_.data(), std::min(len, window_len_)};
}

}  // namespace ferret::carve
