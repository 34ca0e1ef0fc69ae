// Reading a file's content through The Sleuth Kit: for what recorded byte runs cannot give
// (content resident in the metadata record, compressed or encrypted attributes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "core/result.h"
#include "image/image_source.h"

namespace ferret::fs {

class TskFileReader {
 public:
  using Sink = std::function<Status(std::span<const std::byte>)>;

  // Opens the file system starting at byte `volume_offset` of `source` (which must outlive the
  // reader). Not thread-safe: one reader per thread.
  static Result<std::unique_ptr<TskFileReader>> open(const image::ImageSource& source, std::uint64_t volume_offset);
  ~TskFileReader();

  // Streams the content of metadata entry `meta_addr` to `sink`: the attribute (attr_type, attr_id)
  // when given (NTFS streams), else the file's default data. Returns the number of bytes delivered.
  // Errors: not_found (no such entry/attribute), unreadable (TSK could not read part of it; the
  // message names the offset), or whatever `sink` returned.
  Result<std::uint64_t> read(std::uint64_t meta_addr, std::optional<int> attr_type, std::optional<int> attr_id,
                             const Sink& sink);

 private:
  struct State;
  explicit TskFileReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ferret::fs
