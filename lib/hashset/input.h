// Reading hash lists: files (hashed with SHA-256 as they are read), gzip, and lines of bounded length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ferret::hashset {

// A forward-only stream of bytes. read() returns 0 at the end.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<std::size_t> read(std::span<char> out) = 0;
};

// Bytes held in memory (tests, small inputs).
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<std::size_t> read(std::span<char> out) override;

 private:
  std::string bytes_;
  std::size_t pos_ = 0;
};

// A file read front to back. Every byte read goes through SHA-256, so the source's hash is known
// without a second read; finish() reads what is left and returns it.
class FileSource final : public ByteSource {
 public:
  static Result<std::unique_ptr<FileSource>> open(const std::filesystem::path& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<std::size_t> read(std::span<char> out) override;
  std::uint64_t size() const { return size_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  Result<std::string> finish_sha256();  // reads to the end; lowercase hex

 private:
  FileSource() = default;
  struct Hasher;
  int fd_ = -1;
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::unique_ptr<Hasher> hasher_;
};

// A non-owning view of another source (so a FileSource can stay reachable under a decoder).
class BorrowedSource final : public ByteSource {
 public:
  explicit BorrowedSource(ByteSource& inner) : inner_(inner) {}
  Result<std::size_t> read(std::span<char> out) override { return inner_.read(out); }

 private:
  ByteSource& inner_;
};

// Decompresses gzip (one or several concatenated members, as `cat a.gz b.gz` makes).
// A truncated or damaged stream is an Errc::corrupt error at the point it is found.
class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> inner);
  ~GzipSource() override;
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;
  Result<std::size_t> read(std::span<char> out) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Bytes already read (a probe of the first bytes) and then the rest of another source, so a
// forward-only stream can be looked at before it is parsed.
class ReplaySource final : public ByteSource {
 public:
  ReplaySource(std::string head, ByteSource& rest) : head_(std::move(head)), rest_(rest) {}
  Result<std::size_t> read(std::span<char> out) override;

 private:
  std::string head_;
  std::size_t pos_ = 0;
  ByteSource& rest_;
};

enum class Compression { none, gzip };
const char* compression_name(Compression compression);

// Inputs that are not a stream of text: a zip archive (its members are the lists) and an SQLite
// database (NSRL RDSv3). Both need random access, so they are recognised before any parsing.
enum class Container { none, zip, sqlite };

// What the first bytes of a file say about its container.
struct Sniffed {
  Compression compression = Compression::none;
  Container container = Container::none;
  std::string unsupported;  // non-empty: a container or format we cannot read, and what it is
};
inline constexpr std::size_t kSniffBytes = 16;
Sniffed sniff_container(std::string_view first_bytes);

// Reads up to `n` bytes (fewer at the end of the source). An error after some bytes were read ends
// the prefix there (a small damaged gzip or zip member is still recognised; its parser meets the
// error where it is); an error before any byte is returned.
Result<std::string> read_prefix(ByteSource& source, std::size_t n);

// One line without its end ("\n" or "\r\n"); a UTF-8 byte-order mark at the start of the source is
// dropped. A line longer than the limit is not kept: `too_long` is set and `text` is empty.
struct Line {
  std::string_view text;
  std::uint64_t number = 0;  // 1-based
  bool too_long = false;
};

inline constexpr std::size_t kMaxLineBytes = 1u << 20;

// Splits a source into lines, holding at most `max_line` bytes plus one read chunk in memory: a
// longer line is streamed past, not read whole ("a 5 GB line" costs no memory).
class LineReader {
 public:
  explicit LineReader(ByteSource& source, std::size_t max_line = kMaxLineBytes);
  // The next line, nullopt at the end; an error from the source is returned as is.
  Result<std::optional<Line>> next();
  std::uint64_t lines() const { return number_; }
  std::size_t buffer_capacity() const { return buffer_.capacity(); }

 private:
  Status fill();
  ByteSource& source_;
  std::size_t max_line_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t number_ = 0;
  bool eof_ = false;
  bool first_ = true;
};

}  // namespace ferret::hashset
