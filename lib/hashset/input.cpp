// Byte sources for hash lists: files with their SHA-256, gzip, bounded lines.
#include "hashset/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hash/digest.h"

namespace ferret::hashset {

Result<std::size_t> MemorySource::read(std::span<char> out) {
  const std::size_t n = std::min(out.size(), bytes_.size() - pos_);
  std::memcpy(out.data(), bytes_.data() + pos_, n);
  pos_ += n;
  return n;
}

struct FileSource::Hasher {
  hash::Digest sha256{hash::Algorithm::sha256};
};

Result<std::unique_ptr<FileSource>> FileSource::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return make_error(err == ENOENT ? Errc::not_found : Errc::io, "cannot open " + path.string() + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(Errc::invalid_argument, path.string() + " is not a regular file");
  }
  std::unique_ptr<FileSource> source(new FileSource());
  source->fd_ = fd;
  source->path_ = path;
  source->size_ = static_cast<std::uint64_t>(st.st_size);
  source->hasher_ = std::make_unique<Hasher>();
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return source;
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> FileSource::read(std::span<char> out) {
  for (;;) {
    const ssize_t n = ::read(fd_, out.data(), out.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return make_error(Errc::io, "cannot read " + path_.string() + " at byte " + std::to_string(bytes_read_) + ": " +
                                      std::strerror(errno));
    }
    hasher_->sha256.update(std::as_bytes(std::span(out.data(), static_cast<std::size_t>(n))));
    bytes_read_ += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }
}

Result<std::string> FileSource::finish_sha256() {
  std::vector<char> buf(1u << 20);
  for (;;) {
    auto n = read(buf);
    if (!n.ok()) return n.error();
    if (*n == 0) break;
  }
  return hasher_->sha256.finish_hex();
}

struct GzipSource::State {
  std::unique_ptr<ByteSource> inner;
  z_stream zs{};
  std::vector<char> in = std::vector<char>(256u << 10);
  bool initialised = false;
  bool inner_eof = false;
  bool member_ended = false;
  std::uint64_t compressed_consumed = 0;  // bytes of earlier members
  ~State() {
    if (initialised) inflateEnd(&zs);
  }
  Status refill() {
    if (zs.avail_in > 0 || inner_eof) return {};
    auto n = inner->read(in);
    if (!n.ok()) return n.error();
    if (*n == 0) inner_eof = true;
    zs.next_in = reinterpret_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(*n);
    return {};
  }
  std::string where() const {
    return "at compressed byte " + std::to_string(compressed_consumed + zs.total_in) + " (decompressed byte " +
           std::to_string(zs.total_out) + ")";
  }
};

GzipSource::GzipSource(std::unique_ptr<ByteSource> inner) : state_(std::make_unique<State>()) {
  state_->inner = std::move(inner);
  state_->initialised = inflateInit2(&state_->zs, 16 + MAX_WBITS) == Z_OK;
}

GzipSource::~GzipSource() = default;

Result<std::size_t> GzipSource::read(std::span<char> out) {
  State& s = *state_;
  if (!s.initialised) return make_error(Errc::internal, "zlib cannot initialise a gzip decoder");
  if (out.empty()) return std::size_t{0};
  for (;;) {
    FERRET_TRY(s.refill());
    if (s.member_ended) {
      if (s.zs.avail_in == 0 && s.inner_eof) return std::size_t{0};
      // Another member follows (concatenated gzip), or something that is not gzip at all.
      if (s.zs.avail_in == 1 && !s.inner_eof) {
        // Too little to check the magic: keep the byte and read more behind it.
        const char first = static_cast<char>(*s.zs.next_in);
        s.in[0] = first;
        auto n = s.inner->read(std::span(s.in).subspan(1));
        if (!n.ok()) return n.error();
        if (*n == 0) s.inner_eof = true;
        s.zs.next_in = reinterpret_cast<Bytef*>(s.in.data());
        s.zs.avail_in = static_cast<uInt>(1 + *n);
      }
      if (s.zs.avail_in >= 2 && s.zs.next_in[0] == 0x1f && s.zs.next_in[1] == 0x8b) {
        s.compressed_consumed += s.zs.total_in;
        const uInt avail = s.zs.avail_in;
        Bytef* next = s.zs.next_in;
        inflateReset(&s.zs);
        s.zs.next_in = next;
        s.zs.avail_in = avail;
        s.member_ended = false;
      } else {
        return make_error(Errc::corrupt, "bytes that are not gzip after the end of the gzip data " + s.where());
      }
    }
    s.zs.next_out = reinterpret_cast<Bytef*>(out.data());
    s.zs.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size(), 1u << 30));
    const uInt before = s.zs.avail_out;
    const int rc = inflate(&s.zs, Z_NO_FLUSH);
    const std::size_t produced = before - s.zs.avail_out;
    if (rc == Z_STREAM_END) {
      s.member_ended = true;
      if (produced > 0) return produced;
      continue;
    }
    if (rc == Z_OK || rc == Z_BUF_ERROR) {
      if (produced > 0) return produced;
      if (s.zs.avail_in == 0 && s.inner_eof) return make_error(Errc::corrupt, "the gzip data is truncated " + s.where());
      continue;
    }
    return make_error(Errc::corrupt, std::string("the gzip data is damaged ") + s.where() + ": " +
                                         (s.zs.msg != nullptr ? s.zs.msg : "zlib error " + std::to_string(rc)));
  }
}

const char* compression_name(Compression compression) { return compression == Compression::gzip ? "gzip" : "none"; }

Sniffed sniff_container(std::string_view first) {
  Sniffed out;
  const auto starts = [&](std::string_view magic) { return first.substr(0, magic.size()) == magic; };
  if (starts("\x1f\x8b")) out.compression = Compression::gzip;
  // A local file header, or the end record alone (an empty archive).
  else if (starts("PK\x03\x04") || starts("PK\x05\x06")) out.container = Container::zip;
  else if (starts(std::string_view("SQLite format 3\0", 16))) out.container = Container::sqlite;
  else if (starts("\xfd" "7zXZ")) out.unsupported = "xz-compressed (decompress it first)";
  else if (starts("BZh")) out.unsupported = "bzip2-compressed (decompress it first)";
  else if (starts("7z\xbc\xaf\x27\x1c")) out.unsupported = "a 7-Zip archive (extract it first)";
  else if (starts("Rar!\x1a\x07")) out.unsupported = "a RAR archive (extract it first)";
  return out;
}

Result<std::string> read_prefix(ByteSource& source, std::size_t n) {
  std::string out(n, '\0');
  std::size_t have = 0;
  while (have < n) {
    auto got = source.read(std::span(out.data() + have, n - have));
    if (!got.ok()) {
      if (have == 0) return got.error();
      break;
    }
    if (*got == 0) break;
    have += *got;
  }
  out.resize(have);
  return out;
}

Result<std::size_t> ReplaySource::read(std::span<char> out) {
  if (pos_ < head_.size()) {
    const std::size_t n = std::min(out.size(), head_.size() - pos_);
    std::memcpy(out.data(), head_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  return rest_.read(out);
}

LineReader::LineReader(ByteSource& source, std::size_t max_line) : source_(source), max_line_(max_line) {
  buffer_.resize(max_line_ + (64u << 10));
}

Status LineReader::fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  auto n = source_.read(std::span(buffer_).subspan(end_));
  if (!n.ok()) return n.error();
  if (*n == 0) eof_ = true;
  end_ += *n;
  return {};
}

Result<std::optional<Line>> LineReader::next() {
  for (;;) {
    const char* base = buffer_.data();
    const void* nl = begin_ < end_ ? std::memchr(base + begin_, '\n', end_ - begin_) : nullptr;
    std::size_t line_end = 0, next_begin = 0;
    if (nl != nullptr) {
      line_end = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
      next_begin = line_end + 1;
    } else if (end_ - begin_ > max_line_) {
      // Too long to keep: stream past the rest of it without holding it.
      Line line{{}, ++number_, true};
      for (;;) {
        begin_ = end_ = 0;
        FERRET_TRY(fill());
        if (const void* p = std::memchr(buffer_.data(), '\n', end_); p != nullptr) {
          begin_ = static_cast<std::size_t>(static_cast<const char*>(p) - buffer_.data()) + 1;
          break;
        }
        if (eof_) break;
      }
      first_ = false;
      return std::optional<Line>(line);
    } else if (eof_) {
      if (begin_ == end_) return std::optional<Line>();
      line_end = next_begin = end_;
    } else {
      FERRET_TRY(fill());
      continue;
    }
    std::string_view text(base + begin_, line_end - begin_);
    begin_ = next_begin;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (first_ && text.substr(0, 3) == "\xef\xbb\xbf") text.remove_prefix(3);
    first_ = false;
    if (text.size() > max_line_) return std::optional<Line>(Line{{}, ++number_, true});
    return std::optional<Line>(Line{text, ++number_, false});
  }
}

}  // namespace ferret::hashset
