// Bytes over a stretch of a medium, read through a small window cache (one per worker thread).
#pragma once

#include <cstdint>
#include <vector>

#include "carve/format.h"
#include "image/image_source.h"

namespace ferret::carve {

class ImageBytes final : public Bytes {
 public:
  explicit ImageBytes(const image::ImageSource& image);
  // Points the view at [base, base + size) of the medium. The cache is kept (it is held in medium
  // offsets), so consecutive candidates in one area reuse what was read.
  void reset(std::uint64_t base, std::uint64_t size);

  std::uint64_t size() const override { return size_; }
  std::span<const std::uint8_t> view(std::uint64_t pos, std::size_t len) override;
  // True when a read failed since the last reset (the view was cut short there).
  bool met_unreadable() const { return unreadable_; }

 private:
  const image::ImageSource& image_;
  std::uint64_t base_ = 0, size_ = 0;
  std::vector<std::uint8_t> buffer_;
  std::uint64_t window_start_ = 0;  // medium offset of buffer_[0]
  std::size_t window_len_ = 0;
  bool unreadable_ = false;
};

}  // namespace ferret::carve
