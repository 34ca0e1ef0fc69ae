// Raw and split-raw media: plain files opened read-only and read with pread.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "image/file_images.h"

namespace ferret::image::detail {
namespace {

struct Segment {
  std::filesystem::path path;
  int fd = -1;
  std::uint64_t start = 0;  // offset of the segment's first byte in the medium
  std::uint64_t size = 0;
};

class FileSegmentsImage final : public ImageSource {
 public:
  FileSegmentsImage(std::vector<std::filesystem::path> paths, std::vector<Segment> segments, Format format)
      : paths_(std::move(paths)), segments_(std::move(segments)), format_(format) {
    for (const auto& s : segments_) size_ += s.size;
  }
  ~FileSegmentsImage() override {
    for (auto& s : segments_) ::close(s.fd);
  }
  FileSegmentsImage(const FileSegmentsImage&) = delete;
  FileSegmentsImage& operator=(const FileSegmentsImage&) = delete;

  Format format() const override { return format_; }
  std::uint64_t size() const override { return size_; }
  // Every container file, empty ones included: they are part of the evidence even if they hold no bytes.
  std::vector<std::filesystem::path> segments() const override { return paths_; }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_ || out.empty()) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    // The segment holding `offset`: the last one starting at or before it.
    auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                               [](std::uint64_t off, const Segment& s) { return off < s.start; });
    --it;
    std::size_t done = 0;
    while (done < want && it != segments_.end()) {
      const std::uint64_t in_segment = offset + done - it->start;
      const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(want - done, it->size - in_segment));
      const ssize_t got = ::pread(it->fd, out.data() + done, chunk, static_cast<off_t>(in_segment));
      if (got < 0) {
        if (errno == EINTR) continue;
        return make_error(Errc::unreadable, "cannot read " + it->path.string() + " at byte offset " +
                                                std::to_string(in_segment) + " (media offset " +
                                                std::to_string(offset + done) + "): " + std::strerror(errno));
      }
      if (got == 0) {
        return make_error(Errc::unreadable, it->path.string() + " ends at byte " + std::to_string(in_segment) +
                                                ", before its size when opened (" + std::to_string(it->size) +
                                                "): was the file truncated?");
      }
      done += static_cast<std::size_t>(got);
      if (static_cast<std::uint64_t>(got) == it->size - in_segment) ++it;
    }
    return done;
  }

 private:
  std::vector<std::filesystem::path> paths_;
  std::vector<Segment> segments_;  // the non-empty ones, by offset
  Format format_;
  std::uint64_t size_ = 0;
};

Result<Segment> open_segment(const std::filesystem::path& path) {
  Segment s;
  s.path = path;
  s.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // never writable: evidence is read-only
  if (s.fd < 0) {
    const int err = errno;
    return make_error(err == ENOENT ? Errc::not_found : Errc::io, "cannot open " + path.string() + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(s.fd, &st) != 0) {
    const int err = errno;
    ::close(s.fd);
    return make_error(Errc::io, "cannot stat " + path.string() + ": " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(s.fd);
    return make_error(Errc::invalid_argument, path.string() + " is a directory, not an image");
  }
  if (S_ISBLK(st.st_mode)) {
    std::uint64_t bytes = 0;
    if (::ioctl(s.fd, BLKGETSIZE64, &bytes) == 0) s.size = bytes;
  } else {
    s.size = static_cast<std::uint64_t>(st.st_size);
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<ImageSource>> open_file_segments(std::vector<std::filesystem::path> paths, Format format) {
  std::vector<Segment> segments;
  std::uint64_t start = 0;
  for (const auto& p : paths) {
    auto s = open_segment(p);
    if (!s.ok()) {
      for (auto& open : segments) ::close(open.fd);
      return s.error();
    }
    s->start = start;
    start += s->size;
    segments.push_back(*s);
  }
  if (start == 0) {
    for (auto& open : segments) ::close(open.fd);
    return make_error(Errc::unsupported, paths.front().string() + " is an empty file: there is no media to ingest");
  }
  // Empty segments hold no bytes; dropping them keeps the offset search simple (segments() still lists them).
  std::erase_if(segments, [](const Segment& s) {
    if (s.size == 0) ::close(s.fd);
    return s.size == 0;
  });
  return std::unique_ptr<ImageSource>(std::make_unique<FileSegmentsImage>(std::move(paths), std::move(segments), format));
}

}  // namespace ferret::image::detail
