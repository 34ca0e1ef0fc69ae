// Read-only access to a seized medium, whatever container holds it (raw, split raw, E01).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace ferret::image {

enum class Format { raw, split_raw, e01 };

// "raw", "split-raw", "e01": the values of evidence.format in the case database.
const char* format_name(Format format);

// Acquisition metadata stored in the container (E01 header and hash sections). Empty for raw.
struct AcquisitionInfo {
  std::string case_number;
  std::string evidence_number;
  std::string examiner;
  std::string description;
  std::string notes;
  std::string acquired_at;          // UTC ISO-8601 ("2013-12-10T10:10:10Z") when it could be parsed, else as stored
  std::string acquired_at_raw;      // exactly as stored in the container
  std::string acquisition_software;  // e.g. "ewfacquire 20140813"
  std::string acquisition_os;
  std::optional<std::string> stored_md5;   // lowercase hex, as stored by the acquisition tool
  std::optional<std::string> stored_sha1;  // lowercase hex
};

// A medium: a byte array of size() bytes. Implementations are thread-safe: read_at may be called
// concurrently from many threads. Nothing here can write to the evidence.
class ImageSource {
 public:
  virtual ~ImageSource() = default;

  virtual Format format() const = 0;
  virtual std::uint64_t size() const = 0;
  virtual std::uint32_t sector_size() const { return 512; }

  // The container files, in order (one for raw, several for split raw / segmented E01).
  virtual std::vector<std::filesystem::path> segments() const = 0;

  // Reads min(out.size(), size() - offset) bytes at `offset`. Returns the number of bytes read,
  // which is short only at the end of the medium. A read that fails part-way returns an error of
  // class Errc::unreadable naming the offset; the caller decides whether to skip the range.
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const = 0;

  // Container metadata, or nullptr for formats that have none (raw, split raw).
  virtual const AcquisitionInfo* acquisition() const { return nullptr; }
};

// Opens `path` read-only, detecting the format from the content, not the extension:
// EWF signature -> e01 (all segments found from the first); otherwise, if the name ends in a
// numeric extension (.000/.001/...) and the next-numbered sibling exists -> split_raw; else raw.
// Errors: not_found, io, unsupported (e.g. empty file), corrupt (EWF that libewf refuses).
Result<std::unique_ptr<ImageSource>> open_image(const std::filesystem::path& path);

// How a stage opens an image by path. Every stage that reads evidence takes one (empty: open_image),
// so that tests can hand it a medium with injected faults; the shipped tools never set it.
using ImageOpener = std::function<Result<std::unique_ptr<ImageSource>>(const std::filesystem::path& path)>;

// An in-memory medium, for tests and for fault injection.
std::unique_ptr<ImageSource> make_memory_image(std::vector<std::byte> bytes, std::uint32_t sector_size = 512);

}  // namespace ferret::image
