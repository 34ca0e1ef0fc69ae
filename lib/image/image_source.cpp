// open_image(): the container format found from the content, then the matching reader.
#include "image/image_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "image/file_images.h"

namespace ferret::image {

const char* format_name(Format format) {
  switch (format) {
    case Format::raw: return "raw";
    case Format::split_raw: return "split-raw";
    case Format::e01: return "e01";
  }
  return "unknown";
}

namespace {

constexpr unsigned char kEwf1[8] = {'E', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00};
constexpr unsigned char kLwf1[8] = {'L', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00};
constexpr unsigned char kEwf2[8] = {'E', 'V', 'F', '2', 0x0d, 0x0a, 0x81, 0x00};
constexpr unsigned char kLwf2[8] = {'L', 'E', 'F', '2', 0x0d, 0x0a, 0x81, 0x00};

// The numeric extension of a split-raw segment name ("disk.001" -> "001"), or "" when there is none.
std::string numeric_extension(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  if (ext.size() < 2 || ext.size() > 5) return {};
  const std::string digits = ext.substr(1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return {};
  return digits;
}

std::filesystem::path with_number(const std::filesystem::path& p, unsigned long n, std::size_t width) {
  std::string digits = std::to_string(n);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  std::filesystem::path out = p;
  out.replace_extension("." + digits);
  return out;
}

class MemoryImage final : public ImageSource {
 public:
  MemoryImage(std::vector<std::byte> bytes, std::uint32_t sector_size) : bytes_(std::move(bytes)), sector_size_(sector_size) {}
  Format format() const override { return Format::raw; }
  std::uint64_t size() const override { return bytes_.size(); }
  std::uint32_t sector_size() const override { return sector_size_; }
  std::vector<std::filesystem::path> segments() const override { return {}; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= bytes_.size()) return std::size_t{0};
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), bytes_.size() - offset));
    if (n != 0) std::memcpy(out.data(), bytes_.data() + offset, n);  // an empty `out` may have a null data()
    return n;
  }

 private:
  std::vector<std::byte> bytes_;
  std::uint32_t sector_size_;
};

}  // namespace

Result<std::unique_ptr<ImageSource>> open_image(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return make_error(Errc::not_found, path.string() + " does not exist");
  if (std::filesystem::is_directory(status)) {
    return make_error(Errc::invalid_argument, path.string() + " is a directory; give the image file itself");
  }

  unsigned char magic[8] = {};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(Errc::io, "cannot open " + path.string() + ": " + std::strerror(errno));
  const ssize_t got = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  if (got < 0) return make_error(Errc::unreadable, "cannot read the first bytes of " + path.string() + ": " + std::strerror(errno));
  if (got == 0 && std::filesystem::is_regular_file(status)) {
    return make_error(Errc::unsupported, path.string() + " is an empty file: there is no media to ingest");
  }
  if (got == 8) {
    if (std::memcmp(magic, kEwf1, 8) == 0) return detail::open_ewf(path);
    if (std::memcmp(magic, kLwf1, 8) == 0 || std::memcmp(magic, kLwf2, 8) == 0) {
      return make_error(Errc::unsupported, path.string() + " is a logical evidence file (L01/Lx01), not a disk image: "
                                                           "export its files instead");
    }
    if (std::memcmp(magic, kEwf2, 8) == 0) {
      return make_error(Errc::unsupported, path.string() + " is an Ex01 (EWF2) image, which this libewf cannot read: "
                                                           "convert it to E01 with ewfexport");
    }
  }

  // Split raw: a numeric extension with the next-numbered sibling present.
  const std::string digits = numeric_extension(path);
  if (!digits.empty()) {
    const unsigned long n = std::stoul(digits);
    const bool has_next = std::filesystem::exists(with_number(path, n + 1, digits.size()), ec);
    const bool has_previous = n > 0 && std::filesystem::exists(with_number(path, n - 1, digits.size()), ec);
    if (has_previous) {
      unsigned long first = n - 1;
      while (first > 0 && std::filesystem::exists(with_number(path, first - 1, digits.size()), ec)) --first;
      return make_error(Errc::invalid_argument, path.string() + " is not the first segment of its split set: give " +
                                                    with_number(path, first, digits.size()).string());
    }
    if (has_next) {
      std::vector<std::filesystem::path> segments;
      for (unsigned long k = n; std::filesystem::exists(with_number(path, k, digits.size()), ec); ++k) {
        segments.push_back(with_number(path, k, digits.size()));
      }
      return detail::open_file_segments(std::move(segments), Format::split_raw);
    }
  }
  return detail::open_file_segments({path}, Format::raw);
}

std::unique_ptr<ImageSource> make_memory_image(std::vector<std::byte> bytes, std::uint32_t sector_size) {
  return std::make_unique<MemoryImage>(std::move(bytes), sector_size);
}

}  // namespace ferret::image
