// Shared test helpers: temp directories, corpus paths, a fault-injecting image.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "image/image_source.h"

namespace ferret::test {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("ferret-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// ../shared/corpus beside the source tree, or wherever FERRET_CORPUS points.
inline std::filesystem::path corpus_dir() {
  if (const char* env = std::getenv("FERRET_CORPUS"); env != nullptr && *env != '\0') return env;
  return FERRET_CORPUS_DIR;
}

// The corpus file at `relative`, or an empty path when the corpus is absent (tests then skip).
inline std::filesystem::path corpus_file(const std::string& relative) {
  auto p = corpus_dir() / relative;
  return std::filesystem::exists(p) ? p : std::filesystem::path();
}

#define FERRET_REQUIRE_CORPUS_FILE(var, relative)                               \
  const auto var = ::ferret::test::corpus_file(relative);                       \
  if (var.empty()) GTEST_SKIP() << "corpus file absent: " << (relative)

inline std::vector<std::byte> read_file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  if (!chars.empty()) std::memcpy(out.data(), chars.data(), chars.size());  // never memcpy from a null pointer
  return out;
}

inline void write_file_bytes(const std::filesystem::path& p, const std::vector<std::byte>& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::byte> random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::vector<std::byte> out(n);
  for (auto& b : out) b = static_cast<std::byte>(gen() & 0xff);
  return out;
}

// Wraps a medium and makes the bytes in [bad_offset, bad_offset + bad_length) unreadable.
class FaultyImage final : public image::ImageSource {
 public:
  FaultyImage(std::unique_ptr<image::ImageSource> inner, std::uint64_t bad_offset, std::uint64_t bad_length)
      : inner_(std::move(inner)), bad_offset_(bad_offset), bad_length_(bad_length) {}
  image::Format format() const override { return inner_->format(); }
  std::uint64_t size() const override { return inner_->size(); }
  std::vector<std::filesystem::path> segments() const override { return inner_->segments(); }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    const std::uint64_t end = offset + out.size();
    if (offset < bad_offset_ + bad_length_ && end > bad_offset_) {
      return make_error(Errc::unreadable, "injected read error at offset " + std::to_string(std::max(offset, bad_offset_)));
    }
    return inner_->read_at(offset, out);
  }

 private:
  std::unique_ptr<image::ImageSource> inner_;
  std::uint64_t bad_offset_, bad_length_;
};

}  // namespace ferret::test
