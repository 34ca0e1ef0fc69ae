// Zip archives of hash lists: the central directory read with every size and offset bounded, and
// each member streamed (stored or deflate) with its size and CRC-32 checked when it ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "hashset/input.h"

namespace ferret::hashset {

// Limits that keep a hostile archive from costing memory: the central directory is read whole.
inline constexpr std::uint64_t kMaxZipCentralDirectory = 64ull << 20;
inline constexpr std::size_t kMaxZipMembers = 10000;

// One entry of the central directory (which is authoritative: local headers of members written
// with a data descriptor carry no sizes).
struct ZipMember {
  std::string name;  // as stored: bytes, UTF-8 when the archive says so (flag bit 11), else CP437
  std::uint16_t flags = 0;
  std::uint16_t method = 0;  // 0 stored, 8 deflate
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;  // uncompressed
  std::uint64_t local_header_offset = 0;

  bool is_directory() const { return !name.empty() && name.back() == '/'; }
  // Traditional PKWARE encryption (bit 0), strong encryption (bit 6), or WinZip AES (method 99).
  bool encrypted() const { return (flags & 0x41) != 0 || method == 99; }
  bool has_data_descriptor() const { return (flags & 0x08) != 0; }
};

// "stored", "deflate", or what another method is called ("bzip2", "lzma", "zstd", "method 17").
std::string zip_method_name(std::uint16_t method);

// Why a member cannot be read (encrypted, a compression method we do not decode), or "".
std::string zip_member_unsupported(const ZipMember& member);

class ZipMemberSource;

// An opened archive. Member sources share its file handle and may outlive it.
class ZipArchive {
 public:
  // Reads and checks the end record (ZIP64 too) and the central directory. A file that is not a
  // zip, is truncated (no end record) or whose directory contradicts itself is Errc::corrupt; a
  // split archive or one with too many members is Errc::unsupported.
  static Result<ZipArchive> open(const std::filesystem::path& path);

  const std::filesystem::path& path() const;
  std::uint64_t file_size() const;
  const std::vector<ZipMember>& members() const { return members_; }

  // The member's uncompressed bytes. Errc::unsupported for an encrypted member or another method;
  // Errc::corrupt when its local header is missing or its data would lie outside the archive.
  Result<std::unique_ptr<ZipMemberSource>> open_member(std::size_t index) const;

  struct File;  // the shared read-only descriptor

 private:
  ZipArchive() = default;
  std::shared_ptr<File> file_;
  std::vector<ZipMember> members_;
  std::uint64_t central_directory_offset_ = 0;
};

// A member's bytes, decompressed as they are read. Read to its end, it checks the size and the
// CRC-32 the directory records (a mismatch is an Errc::corrupt error, like a damaged gzip), and
// knows the SHA-256 of the content.
class ZipMemberSource final : public ByteSource {
 public:
  ~ZipMemberSource() override;
  ZipMemberSource(const ZipMemberSource&) = delete;
  ZipMemberSource& operator=(const ZipMemberSource&) = delete;

  Result<std::size_t> read(std::span<char> out) override;
  std::uint64_t compressed_read() const;  // for progress
  std::uint64_t compressed_size() const;
  // True once the member was read to its end and its size and CRC-32 matched.
  bool verified() const;
  // Reads what is left; the SHA-256 (lowercase hex) of the uncompressed content, or the error
  // that stopped the reading.
  Result<std::string> finish_sha256();

 private:
  friend class ZipArchive;
  ZipMemberSource();
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ferret::hashset
