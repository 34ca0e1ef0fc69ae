// Hashing a whole medium: parallel readers feed a ring of chunks; one thread per algorithm consumes them in order.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "hash/digest.h"

namespace ferret::hash {
namespace {

struct Slot {
  std::vector<std::byte> buffer;
  std::uint64_t next_index = 0;  // the chunk this slot may hold next
  std::size_t length = 0;
  bool ready = false;
  int pending_consumers = 0;
};

class Pipeline {
 public:
  Pipeline(const image::ImageSource& source, const MediaHashOptions& options)
      : source_(source), options_(options), chunk_size_(std::max<std::size_t>(options.chunk_size, 4096)) {
    total_chunks_ = (source.size() + chunk_size_ - 1) / chunk_size_;
    unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    readers_ = options.reader_threads != 0 ? options.reader_threads : std::min(hw, 8u);
    slots_.resize(2 * readers_ + 4);
    for (std::size_t k = 0; k < slots_.size(); ++k) slots_[k].next_index = k;
  }

  Result<MediaHashOutcome> run() {
    std::vector<std::thread> threads;
    std::vector<Digests> results(1);
    for (unsigned r = 0; r < readers_; ++r) threads.emplace_back([this] { read_loop(); });
    for (Algorithm a : kAllAlgorithms) threads.emplace_back([this, a, &results] { digest_loop(a, results[0]); });
    for (auto& t : threads) t.join();
    if (cancelled_) return make_error(Errc::interrupted, "hashing interrupted");
    MediaHashOutcome outcome;
    outcome.digests = std::move(results[0]);
    outcome.bytes_hashed = source_.size();
    std::sort(unreadable_.begin(), unreadable_.end(),
              [](const UnreadableRange& a, const UnreadableRange& b) { return a.offset < b.offset; });
    for (auto& range : unreadable_) {
      if (!outcome.unreadable.empty() &&
          outcome.unreadable.back().offset + outcome.unreadable.back().length == range.offset) {
        outcome.unreadable.back().length += range.length;
      } else {
        outcome.unreadable.push_back(std::move(range));
      }
    }
    return outcome;
  }

 private:
  bool should_stop() const { return options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed); }

  void read_loop() {
    for (;;) {
      std::unique_lock lock(mutex_);
      if (next_read_ >= total_chunks_ || cancelled_) return;
      const std::uint64_t index = next_read_++;
      Slot& slot = slots_[index % slots_.size()];
      changed_.wait(lock, [&] { return cancelled_ || (!slot.ready && slot.next_index == index); });
      if (cancelled_) return;
      lock.unlock();

      const std::uint64_t offset = index * chunk_size_;
      const std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_size_, source_.size() - offset));
      slot.buffer.resize(chunk_size_);
      fill_chunk(offset, std::span(slot.buffer.data(), length));

      lock.lock();
      if (should_stop()) cancelled_ = true;
      slot.length = length;
      slot.ready = true;
      slot.pending_consumers = static_cast<int>(std::size(kAllAlgorithms));
      changed_.notify_all();
    }
  }

  // Reads one chunk; on failure falls back to sector-sized reads and zero-fills what stays unreadable.
  void fill_chunk(std::uint64_t offset, std::span<std::byte> out) {
    auto whole = source_.read_at(offset, out);
    if (whole.ok() && *whole == out.size()) return;
    const std::size_t sector = std::max<std::uint32_t>(source_.sector_size(), 512);
    for (std::size_t pos = 0; pos < out.size(); pos += sector) {
      auto piece = out.subspan(pos, std::min(sector, out.size() - pos));
      auto got = source_.read_at(offset + pos, piece);
      std::size_t good = got.ok() ? *got : 0;
      if (good < piece.size()) {
        std::fill(piece.begin() + static_cast<std::ptrdiff_t>(good), piece.end(), std::byte{0});
        std::lock_guard guard(unreadable_mutex_);
        unreadable_.push_back({offset + pos + good, piece.size() - good,
                               got.ok() ? "short read (medium smaller than its recorded size?)" : got.error().message});
      }
    }
  }

  void digest_loop(Algorithm algorithm, Digests& results) {
    Digest digest(algorithm);
    for (std::uint64_t index = 0; index < total_chunks_; ++index) {
      Slot& slot = slots_[index % slots_.size()];
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return cancelled_ || (slot.ready && slot.next_index == index); });
        if (cancelled_) return;
      }
      digest.update(std::span(slot.buffer.data(), slot.length));
      std::lock_guard lock(mutex_);
      if (--slot.pending_consumers == 0) {
        slot.ready = false;
        slot.next_index += slots_.size();
        done_bytes_ += slot.length;
        if (options_.progress) options_.progress(done_bytes_, source_.size());
        changed_.notify_all();
      }
    }
    std::lock_guard lock(mutex_);
    results.get(algorithm) = digest.finish_hex();
  }

  const image::ImageSource& source_;
  const MediaHashOptions& options_;
  std::size_t chunk_size_;
  std::uint64_t total_chunks_ = 0;
  unsigned readers_ = 1;
  std::vector<Slot> slots_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t next_read_ = 0;
  std::uint64_t done_bytes_ = 0;
  bool cancelled_ = false;
  std::mutex unreadable_mutex_;
  std::vector<UnreadableRange> unreadable_;
};

}  // namespace

Result<MediaHashOutcome> hash_media(const image::ImageSource& source, const MediaHashOptions& options) {
  Pipeline pipeline(source, options);
  return pipeline.run();
}

}  // namespace ferret::hash
