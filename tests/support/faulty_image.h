// A medium with injected faults, for driving the stages through image::ImageOpener: read errors in
// chosen ranges, short reads, and a medium that shrinks part-way through a run.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "image/image_source.h"

namespace ferret::test {

struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint64_t end() const { return offset + length; }
  bool overlaps(std::uint64_t o, std::uint64_t n) const { return o < end() && o + n > offset; }
};

struct FaultPlan {
  std::vector<ByteRange> bad;  // a read touching one of these fails (Errc::unreadable), as a damaged sector does
  // A read touching one of these returns fewer bytes than asked (and than the medium holds): the
  // bytes before the range, or at most `short_read_bytes` when it starts inside the range.
  std::vector<ByteRange> short_reads;
  std::size_t short_read_bytes = 100;
  // The medium shrinks to `shrink_to` bytes once `shrink_after_reads` reads have been served: reads
  // beyond fail as a truncated raw file's do. With `size_drops` size() reports the new size too.
  std::optional<std::uint64_t> shrink_to;
  std::uint64_t shrink_after_reads = 0;
  bool size_drops = false;

  static FaultPlan bad_bytes(std::uint64_t offset, std::uint64_t length) {
    FaultPlan p;
    p.bad.push_back({offset, length});
    return p;
  }
  static FaultPlan short_reads_over(std::uint64_t offset, std::uint64_t length) {
    FaultPlan p;
    p.short_reads.push_back({offset, length});
    return p;
  }
  static FaultPlan shrinking(std::uint64_t to, std::uint64_t after_reads, bool size_too) {
    FaultPlan p;
    p.shrink_to = to;
    p.shrink_after_reads = after_reads;
    p.size_drops = size_too;
    return p;
  }
};

// What the faulty media served, shared by every medium an opener made (they die with the stage).
struct FaultCounters {
  std::atomic<std::uint64_t> reads{0}, failed{0}, shorted{0};
};

class FaultInjectingImage final : public image::ImageSource {
 public:
  FaultInjectingImage(std::unique_ptr<image::ImageSource> inner, FaultPlan plan,
                      std::shared_ptr<FaultCounters> counters = std::make_shared<FaultCounters>())
      : inner_(std::move(inner)), plan_(std::move(plan)), counters_(std::move(counters)) {}

  image::Format format() const override { return inner_->format(); }
  std::uint32_t sector_size() const override { return inner_->sector_size(); }
  std::vector<std::filesystem::path> segments() const override { return inner_->segments(); }
  const image::AcquisitionInfo* acquisition() const override { return inner_->acquisition(); }
  std::uint64_t size() const override {
    if (plan_.size_drops && shrunk()) return std::min(*plan_.shrink_to, inner_->size());
    return inner_->size();
  }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    counters_->reads.fetch_add(1, std::memory_order_relaxed);
    served_.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t full = inner_->size();
    if (offset >= full || out.empty()) return std::size_t{0};
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), full - offset));
    if (shrunk() && offset + want > *plan_.shrink_to) {
      counters_->failed.fetch_add(1, std::memory_order_relaxed);
      return make_error(Errc::unreadable, "injected: the medium ends at byte " + std::to_string(*plan_.shrink_to) +
                                              " now (was the file truncated?)");
    }
    for (const ByteRange& r : plan_.bad) {
      if (r.overlaps(offset, want)) {
        counters_->failed.fetch_add(1, std::memory_order_relaxed);
        return make_error(Errc::unreadable,
                          "injected read error at byte offset " + std::to_string(std::max(offset, r.offset)));
      }
    }
    for (const ByteRange& r : plan_.short_reads) {
      if (r.overlaps(offset, want)) {
        counters_->shorted.fetch_add(1, std::memory_order_relaxed);
        want = offset < r.offset ? static_cast<std::size_t>(r.offset - offset) : std::min(want, plan_.short_read_bytes);
      }
    }
    return inner_->read_at(offset, out.first(want));
  }

  const FaultCounters& counters() const { return *counters_; }

 private:
  // Counted per medium: a stage that opens the evidence again starts on the full medium.
  bool shrunk() const { return plan_.shrink_to && served_.load(std::memory_order_relaxed) > plan_.shrink_after_reads; }

  std::unique_ptr<image::ImageSource> inner_;
  FaultPlan plan_;
  std::shared_ptr<FaultCounters> counters_;
  mutable std::atomic<std::uint64_t> served_{0};
};

// An opener for the stages' `open_image` option: the image at the path, with `plan`'s faults.
inline image::ImageOpener faulty_opener(FaultPlan plan,
                                        std::shared_ptr<FaultCounters> counters = std::make_shared<FaultCounters>()) {
  return [plan = std::move(plan), counters](const std::filesystem::path& path) -> Result<std::unique_ptr<image::ImageSource>> {
    auto inner = image::open_image(path);
    if (!inner.ok()) return inner.error();
    return std::unique_ptr<image::ImageSource>(std::make_unique<FaultInjectingImage>(std::move(*inner), plan, counters));
  };
}

}  // namespace ferret::test
