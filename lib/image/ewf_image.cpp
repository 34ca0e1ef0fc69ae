// E01 (EWF) media through libewf: a pool of read-only handles so that decompression runs on every core.
#include <libewf.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>

#include "core/text.h"
#include "image/file_images.h"

namespace ferret::image::detail {
namespace {

std::string take_ewf_error(libewf_error_t*& error) {
  if (error == nullptr) return "unknown libewf error";
  char buf[2048] = {};
  libewf_error_sprint(error, buf, sizeof buf);
  libewf_error_free(&error);
  std::string out = buf;
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

struct Handle {
  libewf_handle_t* handle = nullptr;
  ~Handle() {
    if (handle != nullptr) {
      libewf_handle_close(handle, nullptr);
      libewf_handle_free(&handle, nullptr);
    }
  }
};

Result<std::unique_ptr<Handle>> open_handle(const std::vector<std::string>& files) {
  auto h = std::make_unique<Handle>();
  libewf_error_t* error = nullptr;
  if (libewf_handle_initialize(&h->handle, &error) != 1) return make_error(Errc::internal, take_ewf_error(error));
  std::vector<char*> names;
  for (const auto& f : files) names.push_back(const_cast<char*>(f.c_str()));
  if (libewf_handle_open(h->handle, names.data(), static_cast<int>(names.size()), LIBEWF_OPEN_READ, &error) != 1) {
    return make_error(Errc::corrupt, "libewf cannot open " + files.front() + " as E01: " + take_ewf_error(error) +
                                         " (truncated or damaged segment, or a segment missing?)");
  }
  return h;
}

std::string header_value(libewf_handle_t* h, const char* id) {
  libewf_error_t* error = nullptr;
  size_t size = 0;
  const auto* key = reinterpret_cast<const uint8_t*>(id);
  if (libewf_handle_get_utf8_header_value_size(h, key, std::strlen(id), &size, &error) != 1 || size == 0) {
    if (error != nullptr) libewf_error_free(&error);
    return {};
  }
  std::string value(size, '\0');
  if (libewf_handle_get_utf8_header_value(h, key, std::strlen(id), reinterpret_cast<uint8_t*>(value.data()), size,
                                          &error) != 1) {
    if (error != nullptr) libewf_error_free(&error);
    return {};
  }
  value.resize(std::strlen(value.c_str()));
  return value;
}

std::optional<std::string> stored_hash(libewf_handle_t* h, const char* name, bool md5) {
  libewf_error_t* error = nullptr;
  uint8_t digest[20] = {};
  const std::size_t len = md5 ? 16 : 20;
  const int rc = md5 ? libewf_handle_get_md5_hash(h, digest, 16, &error) : libewf_handle_get_sha1_hash(h, digest, 20, &error);
  if (error != nullptr) libewf_error_free(&error);
  if (rc == 1) {
    bool all_zero = std::all_of(digest, digest + len, [](uint8_t b) { return b == 0; });
    if (!all_zero) return to_hex({digest, len});
  }
  // Some writers keep the hash only in the hash-values section (text form).
  char text[64] = {};
  if (libewf_handle_get_utf8_hash_value(h, reinterpret_cast<const uint8_t*>(name), std::strlen(name),
                                        reinterpret_cast<uint8_t*>(text), sizeof text, &error) == 1) {
    std::string s = text;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s.size() == len * 2) return s;
  }
  if (error != nullptr) libewf_error_free(&error);
  return std::nullopt;
}

// EWF header dates carry no time zone; libewf prints them as "Tue Dec 10 11:28:38 2013" (or as
// "2013 12 10 11 28 38"). We read them as UTC and say so in the schema documentation.
std::string date_to_iso(const std::string& raw) {
  std::tm tm{};
  for (const char* format : {"%a %b %d %H:%M:%S %Y", "%Y %m %d %H %M %S"}) {
    tm = {};
    const char* end = strptime(raw.c_str(), format, &tm);
    if (end != nullptr && *end == '\0') return utc_iso8601(timegm(&tm));
  }
  return raw;
}

class EwfImage final : public ImageSource {
 public:
  EwfImage(std::vector<std::string> files, std::unique_ptr<Handle> first) : files_(std::move(files)) {
    libewf_error_t* error = nullptr;
    size64_t media_size = 0;
    if (libewf_handle_get_media_size(first->handle, &media_size, &error) == 1) size_ = media_size;
    if (error != nullptr) libewf_error_free(&error);
    uint32_t bps = 512;
    if (libewf_handle_get_bytes_per_sector(first->handle, &bps, &error) == 1 && bps != 0) sector_size_ = bps;
    if (error != nullptr) libewf_error_free(&error);
    read_metadata(first->handle);
    idle_.push_back(std::move(first));
    max_handles_ = std::max(1u, std::thread::hardware_concurrency());
  }

  Format format() const override { return Format::e01; }
  std::uint64_t size() const override { return size_; }
  std::uint32_t sector_size() const override { return sector_size_; }
  std::vector<std::filesystem::path> segments() const override { return {files_.begin(), files_.end()}; }
  const AcquisitionInfo* acquisition() const override { return &info_; }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_ || out.empty()) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    auto handle = acquire();
    if (!handle.ok()) return handle.error();
    libewf_handle_t* h = (*handle)->handle;
    std::size_t done = 0;
    std::optional<Error> failure;
    bool handle_failed = false;
    // libewf does not fail a read of a chunk that is missing (truncated segment, segment absent) or
    // fails its checksum: it returns made-up bytes once and records the sectors as a "checksum
    // error" of the handle. Those sectors are unreadable evidence, before and after the read.
    if (auto bad = first_flagged_byte(h, offset, offset + want)) {
      failure = damaged_chunk_error(*bad);
    } else {
      while (done < want) {
        libewf_error_t* error = nullptr;
        const ssize_t got =
            libewf_handle_read_random(h, out.data() + done, want - done, static_cast<off64_t>(offset + done), &error);
        if (got <= 0) {
          failure = make_error(Errc::unreadable, "cannot read E01 media at byte offset " + std::to_string(offset + done) +
                                                     " (" + files_.front() + "): " +
                                                     (got < 0 ? take_ewf_error(error) : "unexpected end of data"));
          if (error != nullptr) libewf_error_free(&error);
          handle_failed = true;
          break;
        }
        done += static_cast<std::size_t>(got);
      }
      if (!failure) {
        if (auto flagged = first_flagged_byte(h, offset, offset + done)) failure = damaged_chunk_error(*flagged);
      }
    }
    release(std::move(*handle), handle_failed);
    if (failure) return *failure;
    return done;
  }

 private:
  void read_metadata(libewf_handle_t* h) {
    info_.case_number = header_value(h, "case_number");
    info_.evidence_number = header_value(h, "evidence_number");
    info_.examiner = header_value(h, "examiner_name");
    info_.description = header_value(h, "description");
    info_.notes = header_value(h, "notes");
    info_.acquired_at_raw = header_value(h, "acquiry_date");
    info_.acquired_at = date_to_iso(info_.acquired_at_raw);
    info_.acquisition_software = header_value(h, "acquiry_software");
    const std::string version = header_value(h, "acquiry_software_version");
    if (!version.empty()) info_.acquisition_software += (info_.acquisition_software.empty() ? "" : " ") + version;
    info_.acquisition_os = header_value(h, "acquiry_operating_system");
    info_.stored_md5 = stored_hash(h, "MD5", true);
    info_.stored_sha1 = stored_hash(h, "SHA1", false);
  }

  // The first byte of [begin, end) in sectors that libewf flagged on this handle as missing or
  // failing their checksum, if any.
  std::optional<std::uint64_t> first_flagged_byte(libewf_handle_t* h, std::uint64_t begin, std::uint64_t end) const {
    libewf_error_t* error = nullptr;
    uint32_t count = 0;
    if (libewf_handle_get_number_of_checksum_errors(h, &count, &error) != 1) {
      if (error != nullptr) libewf_error_free(&error);
      return std::nullopt;
    }
    std::optional<std::uint64_t> first;
    for (uint32_t i = 0; i < count; ++i) {
      uint64_t start_sector = 0;
      uint64_t sectors = 0;
      if (libewf_handle_get_checksum_error(h, i, &start_sector, &sectors, &error) != 1) {
        if (error != nullptr) libewf_error_free(&error);
        continue;
      }
      const std::uint64_t bad_begin = start_sector * sector_size_;
      const std::uint64_t bad_end = (start_sector + sectors) * sector_size_;
      if (bad_begin < end && bad_end > begin) {
        const std::uint64_t b = std::max(begin, bad_begin);
        if (!first || b < *first) first = b;
      }
    }
    return first;
  }

  Error damaged_chunk_error(std::uint64_t offset) const {
    return make_error(Errc::unreadable, "cannot read E01 media at byte offset " + std::to_string(offset) + " (" +
                                            files_.front() +
                                            "): its chunk is missing from the segment files or fails its checksum "
                                            "(truncated or damaged segment, or a segment missing?)");
  }

  // A handle for this thread's read: an idle one, or a new one while the pool is below its size.
  Result<std::unique_ptr<Handle>> acquire() const {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!idle_.empty()) {
        auto h = std::move(idle_.back());
        idle_.pop_back();
        return h;
      }
      if (open_handles_ < max_handles_) {
        ++open_handles_;
        lock.unlock();
        auto h = open_handle(files_);
        if (!h.ok()) {
          lock.lock();
          --open_handles_;
          released_.notify_one();
          return h.error();
        }
        return std::move(*h);
      }
      released_.wait(lock);
    }
  }

  // A handle whose read failed is dropped: libewf's state after an error is not worth trusting.
  void release(std::unique_ptr<Handle> h, bool failed) const {
    std::lock_guard lock(mutex_);
    if (failed) {
      --open_handles_;
    } else {
      idle_.push_back(std::move(h));
    }
    released_.notify_one();
  }

  std::vector<std::string> files_;
  std::uint64_t size_ = 0;
  std::uint32_t sector_size_ = 512;
  AcquisitionInfo info_;
  mutable std::mutex mutex_;
  mutable std::condition_variable released_;
  mutable std::vector<std::unique_ptr<Handle>> idle_;
  mutable unsigned open_handles_ = 1;
  unsigned max_handles_ = 1;
};

}  // namespace

Result<std::unique_ptr<ImageSource>> open_ewf(const std::filesystem::path& first_segment) {
  libewf_error_t* error = nullptr;
  char** globbed = nullptr;
  int count = 0;
  const std::string name = first_segment.string();
  std::vector<std::string> files;
  if (libewf_glob(name.c_str(), name.size(), LIBEWF_FORMAT_UNKNOWN, &globbed, &count, &error) == 1 && count > 0) {
    files.assign(globbed, globbed + count);
    libewf_glob_free(globbed, count, nullptr);
  } else {
    // libewf_glob only understands EWF segment names (.E01, .s01, ...). The content said EWF, so a
    // renamed image ("seized.img") is opened as the single segment it was given.
    if (error != nullptr) libewf_error_free(&error);
    files.push_back(name);
  }
  auto first = open_handle(files);
  if (!first.ok()) return first.error();
  auto image = std::make_unique<EwfImage>(std::move(files), std::move(*first));
  if (image->size() == 0) return make_error(Errc::corrupt, name + ": E01 reports a media size of 0 bytes");
  return std::unique_ptr<ImageSource>(std::move(image));
}

}  // namespace ferret::image::detail
