// Importing hash lists into a hash-set file by external sort: memory stays within a fixed budget
// whatever the size of the lists.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "hashset/entry.h"
#include "hashset/parsers.h"

namespace ferret::hashset {

inline constexpr std::uint64_t kDefaultMemoryBudget = 256ull << 20;
inline constexpr std::size_t kDefaultRejectsKept = 1000;

struct ImportProgress {
  std::string phase;        // "reading", "merging md5", ...
  std::size_t source = 0;   // 1-based, while reading
  std::size_t sources = 0;
  std::uint64_t done = 0;   // bytes of the current source read (rows of a database), or records merged
  std::uint64_t total = 0;  // 0 when unknown (the rows of a database)
  bool rows = false;        // done counts database rows, not bytes
};

struct ImportOptions {
  std::string name;
  Category category = Category::other;
  std::optional<Format> format;  // nullopt: detected for each file
  // Bytes for the record buffers (sorted runs are spilled to disk when they are full) and, at the
  // end, for the merge's read buffers. Parsing, I/O buffers and the prefix tables add a few MiB.
  std::uint64_t memory_budget = kDefaultMemoryBudget;
  bool overwrite = false;
  std::size_t rejects_kept = kDefaultRejectsKept;
  const Clock* clock = nullptr;                  // system clock when null
  const std::atomic<bool>* cancel = nullptr;     // set: stop with Errc::interrupted, nothing written
  std::function<void(const ImportProgress&)> progress;
};

// Where a source that is a member of a zip archive came from.
struct ArchiveMemberReport {
  std::string path;  // the archive, absolute
  std::uint64_t size = 0;
  std::string sha256;  // of the archive file
  std::string member;  // its name inside the archive
  std::string method;  // "stored", "deflate"
  std::uint32_t crc32 = 0;      // as the archive records it
  bool crc32_verified = false;  // the member was read to its end and matched its size and CRC-32
};

struct SourceReport {
  std::string path;  // absolute; "ARCHIVE!MEMBER" for a zip member
  std::uint64_t size = 0;  // bytes of the file (uncompressed bytes of a zip member)
  // Of the file as given (compressed bytes for .gz); of the uncompressed content for a zip member
  // (empty when the member could not be read to its end).
  std::string sha256;
  Format format = Format::md5sum;
  Compression compression = Compression::none;
  std::uint64_t lines = 0, accepted = 0, rejected = 0;  // lines: or rows, or Media objects (record_noun)
  std::vector<std::string> ignored_columns;
  std::string stopped;  // non-empty: why reading stopped before the end (damaged gzip or zip member, truncated JSON, read error)
  std::optional<ArchiveMemberReport> archive;  // set for a zip member
};

struct RejectRecord {
  std::size_t source = 0;  // index into sources
  std::uint64_t line = 0;
  std::string reason;
};

struct AlgorithmCount {
  Algorithm algorithm = Algorithm::md5;
  std::uint64_t hashes = 0;      // distinct digests stored
  std::uint64_t duplicates = 0;  // further occurrences of a stored digest
};

struct ImportOutcome {
  bool written = false;  // false: nothing could be imported, no file was written
  std::filesystem::path path;
  std::vector<SourceReport> sources;
  std::vector<AlgorithmCount> counts;
  std::uint64_t accepted = 0;  // entries (lines, records) with at least one digest
  std::uint64_t entries_with_metadata = 0;
  std::uint64_t rejected = 0;
  std::vector<RejectRecord> rejects;  // the first `rejects_kept`
  std::uint64_t runs = 0;             // sorted runs spilled to disk
  std::uint64_t file_size = 0;
  std::string metadata_json;          // as stored in the set
};

// Parses every input (format detected from its content unless options.format is set; gzip is
// decompressed; each member of a zip archive is a source of its own; an SQLite database is read
// as NSRL RDSv3), then writes `out` atomically. Malformed lines are rejected with their line
// number and the rest is imported. Fails, writing nothing, when an input (or a zip member) cannot
// be opened or its format cannot be told, when `out` exists (unless overwrite), and when interrupted.
Result<ImportOutcome> import_hashset(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& out,
                                     const ImportOptions& options);

}  // namespace ferret::hashset
