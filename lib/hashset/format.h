// The hash-set file (schemas/hashset-format.md): one file per set, written once, then memory-mapped
// read-only for lookups that touch a few cache lines and never load the set into RAM.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "hashset/entry.h"

namespace ferret::hashset {

inline constexpr std::string_view kMagic = "FERRETHS";
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kHeaderBytes = 64;
inline constexpr std::size_t kSectionEntryBytes = 40;
inline constexpr std::uint32_t kMaxSections = 16;
inline constexpr std::uint32_t kNoEntry = 0xFFFFFFFFu;
// 65,537 u32 (first record index per 2-byte digest prefix, then the record count), padded to 8.
inline constexpr std::size_t kPrefixEntries = 65537;
inline constexpr std::size_t kPrefixTableBytes = 262152;

enum class SectionKind : std::uint32_t { metadata = 1, digest_index = 2, entry_offsets = 3, entry_data = 4 };

// Algorithm ids on disk.
std::uint32_t algorithm_id(Algorithm algorithm);  // md5 1, sha1 2, sha256 3
std::optional<Algorithm> algorithm_from_id(std::uint32_t id);

struct SectionInfo {
  SectionKind kind = SectionKind::metadata;
  std::uint32_t algorithm_id = 0;  // digest_index only
  std::uint64_t offset = 0;        // from the start of the file, 8-aligned
  std::uint64_t length = 0;        // bytes
  std::uint64_t count = 0;         // records (digest_index), entries (entry_offsets), bytes (others)
  std::uint32_t crc32 = 0;         // zlib CRC-32 of the section's bytes
};

// An entry's metadata as stored: one byte of flags, then the fields present (u32 length + bytes, in
// the order title, release, rights_holder, url, file_name), then the size (u64) if present.
void encode_entry(const EntryMetadata& meta, std::string& out);

// Writes NAME.tmp beside NAME, section by section, then commit() writes the header, fsyncs and
// renames it to NAME. Destroyed without commit(), it removes NAME.tmp.
class HashSetFileWriter {
 public:
  static Result<HashSetFileWriter> create(const std::filesystem::path& path, bool overwrite);
  HashSetFileWriter(HashSetFileWriter&& other) noexcept;
  HashSetFileWriter& operator=(HashSetFileWriter&&) = delete;
  HashSetFileWriter(const HashSetFileWriter&) = delete;
  ~HashSetFileWriter();

  // Starts a section; `reserved_head` zero bytes are written first and filled by end_section().
  Status begin_section(SectionKind kind, std::uint32_t algorithm_id = 0, std::size_t reserved_head = 0);
  Status append(std::span<const unsigned char> bytes);
  Status append(std::string_view bytes) { return append({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()}); }
  Status end_section(std::uint64_t count, std::span<const unsigned char> head = {});
  std::uint64_t section_bytes() const;  // bytes appended to the open section so far (after its head)
  Status commit();

  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  HashSetFileWriter() = default;
  Status flush();
  Status write_at(std::uint64_t offset, std::span<const unsigned char> bytes);

  std::filesystem::path final_, temp_;
  bool overwrite_ = false;
  int fd_ = -1;
  std::vector<unsigned char> buffer_;
  std::uint64_t position_ = 0;  // file offset of the next appended byte
  std::vector<SectionInfo> sections_;
  bool open_section_ = false;
  std::size_t reserved_head_ = 0;
  std::uint32_t running_crc_ = 0;
  bool committed_ = false;
};

// A match: the index of the entry whose metadata goes with the digest, or none.
struct EntryRef {
  std::uint32_t index = kNoEntry;
  bool has_metadata() const { return index != kNoEntry; }
};

// An entry's metadata, viewing the mapped file (valid while the HashSetIndex lives).
struct EntryInfo {
  std::string_view title, release, rights_holder, url, file_name;
  std::optional<std::uint64_t> size;
};

// An opened hash set: the file mapped read-only, its header and section bounds checked. Lookups are
// const and lock-free: share one object between threads.
class HashSetIndex {
 public:
  static Result<HashSetIndex> open(const std::filesystem::path& path);
  HashSetIndex(HashSetIndex&& other) noexcept;
  HashSetIndex& operator=(HashSetIndex&& other) noexcept;
  HashSetIndex(const HashSetIndex&) = delete;
  HashSetIndex& operator=(const HashSetIndex&) = delete;
  ~HashSetIndex();

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t file_size() const { return size_; }
  std::uint32_t format_version() const { return version_; }
  const std::vector<SectionInfo>& sections() const { return sections_; }
  std::string_view metadata_json() const { return metadata_; }

  bool has(Algorithm algorithm) const { return index(algorithm).records != nullptr; }
  std::uint64_t count(Algorithm algorithm) const { return index(algorithm).count; }
  std::uint64_t entry_count() const { return entry_count_; }

  // The digest's record, if the set holds it. `digest` must be digest_size(algorithm) bytes.
  std::optional<EntryRef> lookup(Algorithm algorithm, std::span<const unsigned char> digest) const noexcept;
  // Many lookups at once (any mix of algorithms): the same answers, faster, because the memory
  // accesses of a group of digests overlap. results[i] answers digests[i].
  void lookup(std::span<const DigestValue> digests, std::span<std::optional<EntryRef>> results) const noexcept;
  // The metadata of a matched entry; Errc::corrupt when the stored bytes do not decode.
  Result<EntryInfo> entry(EntryRef ref) const;
  // Reads the whole file: section CRCs, record order, prefix tables, entry references and offsets.
  Status verify() const;

 private:
  struct DigestIndex {
    const unsigned char* prefix = nullptr;   // kPrefixEntries little-endian u32
    const unsigned char* records = nullptr;  // count * (size + 4)
    std::uint64_t count = 0;
    std::size_t size = 0;  // digest bytes
  };
  HashSetIndex() = default;
  const DigestIndex& index(Algorithm algorithm) const { return indexes_[static_cast<std::size_t>(algorithm)]; }
  void release();

  std::filesystem::path path_;
  const unsigned char* base_ = nullptr;
  std::uint64_t size_ = 0;
  std::uint32_t version_ = 0;
  std::vector<SectionInfo> sections_;
  std::string_view metadata_;
  DigestIndex indexes_[3];
  const unsigned char* entry_offsets_ = nullptr;  // (entry_count_ + 1) u64
  const unsigned char* entry_data_ = nullptr;
  std::uint64_t entry_data_size_ = 0;
  std::uint64_t entry_count_ = 0;
};

}  // namespace ferret::hashset
