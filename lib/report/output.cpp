// Writing a report atomically, without following links.
#include "report/output.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>
#include <utility>

#include "hash/digest.h"

namespace ferret::report {

namespace {

constexpr std::size_t kFlushAt = 1u << 20;

std::string errno_text(int err) { return std::strerror(err); }

// Removes the directory entry `name` in `dir_fd` and, when it is a directory, everything in it,
// without following symbolic links (each level is opened relative to the one above).
void remove_tree_at(int dir_fd, const std::string& name) {
  if (unlinkat(dir_fd, name.c_str(), 0) == 0 || errno != EISDIR) return;
  const int fd = openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    const int listing_fd = dup(fd);
    if (DIR* d = listing_fd >= 0 ? fdopendir(listing_fd) : nullptr; d != nullptr) {
      std::vector<std::string> names;
      while (const dirent* e = readdir(d)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
      }
      closedir(d);
      for (const auto& n : names) remove_tree_at(fd, n);
    } else if (listing_fd >= 0) {
      close(listing_fd);
    }
    close(fd);
  }
  unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR);
}

}  // namespace

struct OutputFile::Hasher {
  hash::Digest sha256{hash::Algorithm::sha256};
};

OutputFile::OutputFile(int fd, std::filesystem::path final_path)
    : fd_(fd), final_path_(std::move(final_path)), hasher_(std::make_unique<Hasher>()) {
  buffer_.reserve(kFlushAt + 4096);
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) close(fd_);
}

void OutputFile::write(std::string_view text) {
  buffer_.append(text);
  if (buffer_.size() >= kFlushAt) flush_buffer();
}

OutputFile& OutputFile::operator<<(std::int64_t value) {
  write(std::to_string(value));
  return *this;
}

OutputFile& OutputFile::operator<<(std::uint64_t value) {
  write(std::to_string(value));
  return *this;
}

void OutputFile::flush_buffer() {
  if (buffer_.empty()) return;
  if (error_.empty() && fd_ >= 0) {
    hasher_->sha256.update(std::as_bytes(std::span<const char>(buffer_.data(), buffer_.size())));
    std::size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = "cannot write " + final_path_.string() + ": " + errno_text(errno);
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    bytes_ += done;
  }
  buffer_.clear();
}

Result<WrittenFile> OutputFile::finish() {
  flush_buffer();
  if (error_.empty() && fsync(fd_) != 0) error_ = "cannot sync " + final_path_.string() + ": " + errno_text(errno);
  if (close(fd_) != 0 && error_.empty()) error_ = "cannot close " + final_path_.string() + ": " + errno_text(errno);
  fd_ = -1;
  if (!error_.empty()) return make_error(Errc::io, error_);
  return WrittenFile{final_path_, hasher_->sha256.finish_hex(), bytes_};
}

Result<Staging> Staging::begin(const std::filesystem::path& requested, Kind kind, bool force) {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::absolute(requested, ec).lexically_normal();
  if (!path.has_filename() && path.has_parent_path() && path.parent_path() != path.root_path()) path = path.parent_path();  // "reports/csv/"
  if (ec || path.filename().empty()) {
    return make_error(Errc::invalid_argument, "--out " + requested.string() + " does not name a file or directory");
  }
  const std::filesystem::path parent = path.parent_path();
  std::filesystem::create_directories(parent, ec);
  if (ec) return make_error(Errc::io, "cannot create the directory " + parent.string() + ": " + ec.message());
  Staging s;
  s.path_ = path;
  s.kind_ = kind;
  s.force_ = force;
  s.parent_fd_ = open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s.parent_fd_ < 0) return make_error(Errc::io, "cannot open the directory " + parent.string() + ": " + errno_text(errno));

  const std::string name = path.filename().string();
  struct stat st {};
  if (fstatat(s.parent_fd_, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!force) return make_error(Errc::exists, path.string() + " exists: choose another --out, or give --force to replace it");
    const bool is_dir = S_ISDIR(st.st_mode);
    if (kind == Kind::directory && !is_dir) {
      return make_error(Errc::exists, path.string() + " exists and is not a directory (a CSV report is a directory): not replaced");
    }
    if (kind == Kind::file && is_dir) {
      return make_error(Errc::exists, path.string() + " is a directory: not replaced by a report file");
    }
    if (kind == Kind::directory) {
      // --force removes the old directory: only ever one that holds nothing but CSV files (an
      // earlier CSV report), never a directory that happens to be named.
      const int fd = openat(s.parent_fd_, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      DIR* d = fd >= 0 ? fdopendir(fd) : nullptr;
      if (d == nullptr) {
        if (fd >= 0) close(fd);
        return make_error(Errc::io, "cannot read " + path.string() + ": " + errno_text(errno));
      }
      std::string foreign;
      while (const dirent* e = readdir(d)) {
        const std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        struct stat est {};
        const bool csv = n.size() > 4 && n.compare(n.size() - 4, 4, ".csv") == 0 &&
                         fstatat(dirfd(d), n.c_str(), &est, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(est.st_mode);
        if (!csv) {
          foreign = n;
          break;
        }
      }
      closedir(d);
      if (!foreign.empty()) {
        return make_error(Errc::exists, path.string() + " holds " + foreign +
                                            ", which is not a CSV file of a report: not replaced, even with --force");
      }
    }
  } else if (errno != ENOENT) {
    return make_error(Errc::io, "cannot check " + path.string() + ": " + errno_text(errno));
  }

  // A hidden temporary name beside PATH, so that the rename stays on one file system.
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = "." + name + ".ferret-report-" + std::to_string(getpid()) + "-" + std::to_string(attempt) + ".tmp";
    if (kind == Kind::directory) {
      if (mkdirat(s.parent_fd_, temp.c_str(), 0755) == 0) {
        s.temp_name_ = temp;
        s.dir_fd_ = openat(s.parent_fd_, temp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s.dir_fd_ < 0) return make_error(Errc::io, "cannot open " + (parent / temp).string() + ": " + errno_text(errno));
        return s;
      }
    } else {
      s.temp_name_ = temp;  // the file itself is made by create()
      struct stat probe {};
      if (fstatat(s.parent_fd_, temp.c_str(), &probe, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) return s;
      s.temp_name_.clear();
      continue;
    }
    if (errno != EEXIST) return make_error(Errc::io, "cannot create " + (parent / temp).string() + ": " + errno_text(errno));
  }
  return make_error(Errc::io, "cannot find a free temporary name beside " + path.string());
}

Staging::Staging(Staging&& other) noexcept
    : path_(std::move(other.path_)),
      temp_name_(std::move(other.temp_name_)),
      parent_fd_(std::exchange(other.parent_fd_, -1)),
      dir_fd_(std::exchange(other.dir_fd_, -1)),
      kind_(other.kind_),
      force_(other.force_),
      committed_(other.committed_),
      created_file_(other.created_file_) {
  other.temp_name_.clear();
}

Staging::~Staging() {
  discard();
  if (dir_fd_ >= 0) close(dir_fd_);
  if (parent_fd_ >= 0) close(parent_fd_);
}

void Staging::discard() {
  if (committed_ || temp_name_.empty() || parent_fd_ < 0) return;
  if (kind_ == Kind::directory || created_file_) remove_tree_at(parent_fd_, temp_name_);
  temp_name_.clear();
}

Result<std::unique_ptr<OutputFile>> Staging::create(std::string_view name) {
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = -1;
  std::filesystem::path final_path;
  if (kind_ == Kind::directory) {
    const std::string n(name);
    if (n.empty() || n.find('/') != std::string::npos || n == "." || n == "..") {
      return make_error(Errc::internal, "bad report file name " + n);
    }
    fd = openat(dir_fd_, n.c_str(), flags, 0644);
    final_path = path_ / n;
  } else {
    if (created_file_) return make_error(Errc::internal, "a report file is created once");
    fd = openat(parent_fd_, temp_name_.c_str(), flags, 0644);
    if (fd >= 0) created_file_ = true;
    final_path = path_;
  }
  if (fd < 0) return make_error(Errc::io, "cannot create " + final_path.string() + ": " + errno_text(errno));
  return std::unique_ptr<OutputFile>(new OutputFile(fd, final_path));
}

Status Staging::commit() {
  if (committed_) return {};
  const std::string name = path_.filename().string();
  if (kind_ == Kind::directory && fsync(dir_fd_) != 0) {
    return make_error(Errc::io, "cannot sync " + path_.string() + ": " + errno_text(errno));
  }
  int rc = renameat2(parent_fd_, temp_name_.c_str(), parent_fd_, name.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && errno == EINVAL) {
    // A file system without RENAME_NOREPLACE: a hard link is just as exclusive for a file; for a
    // directory only a check is possible.
    struct stat st {};
    if (fstatat(parent_fd_, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      errno = EEXIST;
    } else if (kind_ == Kind::file) {
      rc = linkat(parent_fd_, temp_name_.c_str(), parent_fd_, name.c_str(), 0);
      if (rc == 0) unlinkat(parent_fd_, temp_name_.c_str(), 0);
    } else {
      rc = renameat(parent_fd_, temp_name_.c_str(), parent_fd_, name.c_str());
    }
  }
  if (rc != 0 && errno == EEXIST && force_) {
    if (kind_ == Kind::directory) {
      // A directory cannot be renamed over a non-empty one: swap the two, then remove the old one.
      rc = renameat2(parent_fd_, temp_name_.c_str(), parent_fd_, name.c_str(), RENAME_EXCHANGE);
      if (rc == 0) {
        committed_ = true;
        remove_tree_at(parent_fd_, temp_name_);
      }
    } else {
      rc = renameat(parent_fd_, temp_name_.c_str(), parent_fd_, name.c_str());  // replaces a link, never follows it
    }
  } else if (rc != 0 && errno == EEXIST) {
    return make_error(Errc::exists, path_.string() + " appeared while the report was written: not replaced (the report is discarded)");
  }
  if (rc != 0) return make_error(Errc::io, "cannot rename the report onto " + path_.string() + ": " + errno_text(errno));
  committed_ = true;
  temp_name_.clear();
  if (fsync(parent_fd_) != 0) return make_error(Errc::io, "cannot sync the directory of " + path_.string() + ": " + errno_text(errno));
  return {};
}

}  // namespace ferret::report
