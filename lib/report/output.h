// Writing a report atomically: a temporary file (or directory) beside PATH, created without
// following links, hashed while written, synced and renamed onto PATH only when complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ferret::report {

struct WrittenFile {
  std::filesystem::path path;  // where it is once committed
  std::string sha256;          // of every byte written
  std::uint64_t bytes = 0;
};

// One output file being written. Writes are buffered; the first failure is kept and reported by
// finish(), so that writers can stream without checking every call.
class OutputFile {
 public:
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view text);
  OutputFile& operator<<(std::string_view text) {
    write(text);
    return *this;
  }
  OutputFile& operator<<(const std::string& text) {
    write(text);
    return *this;
  }
  OutputFile& operator<<(const char* text) {
    write(text);
    return *this;
  }
  OutputFile& operator<<(std::int64_t value);
  OutputFile& operator<<(int value) { return *this << static_cast<std::int64_t>(value); }
  OutputFile& operator<<(std::uint64_t value);
  OutputFile& operator<<(char c) {
    write(std::string_view(&c, 1));
    return *this;
  }

  // Flushes, syncs to disk and closes; the file's digest and size.
  Result<WrittenFile> finish();

 private:
  friend class Staging;
  OutputFile(int fd, std::filesystem::path final_path);
  void flush_buffer();

  struct Hasher;
  int fd_ = -1;
  std::filesystem::path final_path_;
  std::string buffer_;
  std::unique_ptr<Hasher> hasher_;
  std::uint64_t bytes_ = 0;
  std::string error_;
};

// The temporary place a report is written to before it becomes PATH.
class Staging {
 public:
  enum class Kind { file, directory };

  // Refuses (Errc::exists) when PATH exists, unless `force`: then PATH is replaced on commit (a
  // file by a file, a directory by a directory; never followed when it is a symbolic link).
  // Creates PATH's parent directories when missing.
  static Result<Staging> begin(const std::filesystem::path& path, Kind kind, bool force);
  Staging(Staging&& other) noexcept;
  Staging& operator=(Staging&&) = delete;
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  ~Staging();  // removes whatever was not committed

  // Kind::file: the file itself (`name` ignored). Kind::directory: a new file `name` inside it.
  Result<std::unique_ptr<OutputFile>> create(std::string_view name);

  // Renames the temporary file or directory onto PATH and syncs the directory holding it.
  Status commit();

  const std::filesystem::path& path() const { return path_; }

 private:
  Staging() = default;
  void discard();

  std::filesystem::path path_;    // PATH, absolute
  std::string temp_name_;         // in PATH's parent
  int parent_fd_ = -1;            // PATH's parent directory
  int dir_fd_ = -1;               // Kind::directory: the temporary directory
  Kind kind_ = Kind::file;
  bool force_ = false;
  bool committed_ = false;
  bool created_file_ = false;
};

}  // namespace ferret::report
