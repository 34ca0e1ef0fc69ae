// Fuzzes container detection (lib/image open_image): an input with an EWF signature is written as
// image.E01 (libewf reads it), anything else as a split-raw pair disk.001/disk.002; then the medium's
// size, reads at its start, middle and end, and the acquisition metadata.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_support.h"
#include "image/image_source.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ferret::fuzz::clear_temp();
  std::filesystem::path first;
  if (size >= 3 && (std::memcmp(data, "EVF", 3) == 0 || std::memcmp(data, "LVF", 3) == 0 || std::memcmp(data, "LEF", 3) == 0)) {
    first = ferret::fuzz::write_temp("image.E01", data, size);
  } else {
    const std::size_t half = size / 2;
    first = ferret::fuzz::write_temp("disk.001", data, half);
    if (half > 0) ferret::fuzz::write_temp("disk.002", data + half, size - half);
  }
  auto image = ferret::image::open_image(first);
  if (!image.ok()) return 0;
  const auto& medium = **image;
  (void)medium.segments();
  (void)ferret::image::format_name(medium.format());
  if (const auto* info = medium.acquisition()) {
    if (info->stored_md5 && info->stored_md5->size() > 1024) __builtin_trap();
  }
  const std::uint64_t n = medium.size();
  std::vector<std::byte> buffer(4096);
  for (std::uint64_t at : {std::uint64_t{0}, n / 2, n > 100 ? n - 100 : 0, n, n + 512}) {
    auto got = medium.read_at(at, buffer);
    if (got.ok() && *got > buffer.size()) __builtin_trap();
  }
  return 0;
}
