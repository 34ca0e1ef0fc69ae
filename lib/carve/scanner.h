// Finding carvable items in stretches of a medium: one multi-pattern pass over the bytes, each
// candidate walked by its format's validator, on every core (the space is cut into stripes).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "carve/format.h"
#include "core/result.h"
#include "hash/digest.h"
#include "image/image_source.h"

namespace ferret::carve {

// A stretch of the medium to carve. Items never cross an extent's end: an extent is a run of
// unallocated blocks, a partition without a file system, space outside every partition, or the
// whole medium.
struct Extent {
  std::uint64_t offset = 0;  // bytes from the start of the medium
  std::uint64_t length = 0;
  std::optional<std::int64_t> volume_id;
};

// A validated item. Its bytes are the single run [offset, offset + length) of the medium.
struct FoundItem {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  Status status = Status::partial;  // complete or partial
  std::string family, type, extension, missing;
  std::optional<std::int64_t> volume_id;
  bool known = false;  // it starts where a file the case already lists starts: not reported
  // Filled when hashing was asked for and the item is not known.
  std::optional<hash::Digests> digests;
  std::string mime;
  bool unreadable = false;  // part of the item could not be read again for hashing
};

struct ScanProgress {
  std::uint64_t bytes_done = 0;   // of the space, scanned or skipped inside found items
  std::uint64_t bytes_total = 0;
  std::uint64_t items = 0;
};

struct UnreadableSpan {
  std::uint64_t offset = 0, length = 0;
  std::string message;
};

struct ScanOptions {
  std::vector<std::string> families;  // empty: every family
  Limits limits;
  unsigned threads = 0;                      // 0: sized to the machine
  std::uint64_t stripe_bytes = 64ull << 20;  // unit of work
  // Image offsets where files the case already lists begin: an item starting at one of them is
  // that file's content (marked known, not hashed). Sorted.
  std::vector<std::uint64_t> known_starts;
  bool hash_items = true;  // MD5/SHA-1/SHA-256 and MIME type of every item that is not known
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const ScanProgress&)> progress;  // called from worker threads, serialised
};

struct ScanOutcome {
  std::vector<FoundItem> items;  // by offset; nested items removed (inside a complete item, or a partial one's parts)
  std::uint64_t bytes_scanned = 0;
  std::uint64_t candidates = 0;        // signature hits handed to a validator
  std::uint64_t nested_dropped = 0;    // items dropped as nested
  std::vector<UnreadableSpan> unreadable;
  bool interrupted = false;
};

// Errc::invalid_argument for an unknown family name (the message lists the known ones).
Result<ScanOutcome> scan_extents(const image::ImageSource& image, const std::vector<Extent>& extents,
                                 const ScanOptions& options);

// The families to carve from a comma-separated list ("jpeg,png"; aliases: jpg, mp4/mov, mkv/webm,
// avi/wav/webp, docx...). Empty list: all. Errc::invalid_argument naming the unknown ones.
Result<std::vector<std::string>> parse_families(const std::string& list);

}  // namespace ferret::carve
