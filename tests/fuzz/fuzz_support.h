// Helpers shared by the harnesses: a private temporary directory for parsers that read files.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace ferret::fuzz {

// One directory per process (libFuzzer's -jobs/-fork run several), removed at exit.
inline const std::filesystem::path& temp_dir() {
  static const std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ferret-fuzz-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    std::atexit([] { std::error_code ec; std::filesystem::remove_all(temp_dir(), ec); });
    return std::filesystem::path(tmpl);
  }();
  return dir;
}

// Writes `size` bytes to temp_dir()/name (replacing it) and returns the path.
inline std::filesystem::path write_temp(const std::string& name, const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = temp_dir() / name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return path;
}

// Removes every file of temp_dir() (between inputs).
inline void clear_temp() {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(temp_dir(), ec)) std::filesystem::remove_all(e.path(), ec);
}

}  // namespace ferret::fuzz
