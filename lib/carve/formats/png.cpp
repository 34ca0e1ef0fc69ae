// PNG validator: signature, IHDR first, every chunk's CRC-32, IDAT present, to IEND.
#include <zlib.h>

#include <algorithm>
#include <string>

#include "carve/formats/formats.h"

namespace ferret::carve::formats {

namespace {

Verdict verdict(Status status, std::uint64_t length, std::string missing = {}) {
  return Verdict{status, length, std::move(missing), "png", "png"};
}

bool is_letter(std::uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// The CRC of [pos, pos + len), read in bounded views.
std::optional<std::uint32_t> crc_of(Bytes& bytes, std::uint64_t pos, std::uint64_t len) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (len > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, len));
    const auto v = bytes.view(pos, want);
    if (v.size() < want) return std::nullopt;
    crc = crc32(crc, v.data(), static_cast<uInt>(v.size()));
    pos += want;
    len -= want;
  }
  return static_cast<std::uint32_t>(crc);
}

bool valid_ihdr(Bytes& bytes, std::uint64_t data) {
  const auto v = bytes.view(data, 13);
  if (v.size() < 13) return false;
  const std::uint32_t width = static_cast<std::uint32_t>(v[0]) << 24 | v[1] << 16 | v[2] << 8 | v[3];
  const std::uint32_t height = static_cast<std::uint32_t>(v[4]) << 24 | v[5] << 16 | v[6] << 8 | v[7];
  const unsigned depth = v[8], colour = v[9];
  if (width == 0 || height == 0 || width > 0x7FFFFFFFu || height > 0x7FFFFFFFu) return false;
  bool depth_ok = false;
  switch (colour) {
    case 0: depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16; break;
    case 3: depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8; break;
    case 2: case 4: case 6: depth_ok = depth == 8 || depth == 16; break;
    default: return false;
  }
  return depth_ok && v[10] == 0 && v[11] == 0 && v[12] <= 1;
}

}  // namespace

Verdict validate_png(Bytes& bytes, const Limits& limits) {
  const std::uint64_t end = std::min(bytes.size(), limits.max_item);
  if (!bytes.matches(0, "\x89PNG\r\n\x1A\n")) return verdict(Status::rejected, 0, "no PNG signature");
  std::uint64_t pos = 8;
  bool idat = false;
  for (int index = 0;; ++index) {
    auto fail = [&](std::string why) {
      if (index == 0) return verdict(Status::rejected, 0, "not a PNG: " + why);
      return verdict(Status::partial, pos, std::move(why));
    };
    const auto len = bytes.u32be(pos);
    const auto type = bytes.view(pos + 4, 4);
    if (!len || type.size() < 4) return fail("the space ends before the next chunk header");
    const std::string name(reinterpret_cast<const char*>(type.data()), 4);
    if (!std::all_of(type.begin(), type.end(), is_letter)) return fail("chunk type is not four letters");
    if (*len > 0x7FFFFFFFu) return fail("chunk length over 2^31 - 1 in " + name);
    const std::uint64_t chunk_end = pos + 12 + *len;
    if (chunk_end > end) return fail("chunk " + name + " runs past the end of the space");
    if (index == 0 && (name != "IHDR" || *len != 13 || !valid_ihdr(bytes, pos + 8))) return fail("first chunk is not a valid IHDR");
    if (index > 0 && name == "IHDR") return fail("a second IHDR");
    const auto stored = bytes.u32be(pos + 8 + *len);
    const auto computed = crc_of(bytes, pos + 4, 4ull + *len);
    if (!stored || !computed) return fail("chunk " + name + " unreadable");
    if (*stored != *computed) return fail("CRC mismatch in chunk " + name);
    if (name == "IDAT") idat = true;
    pos = chunk_end;
    if (name == "IEND") {
      if (*len != 0) return fail("IEND with data");
      if (!idat) return verdict(Status::partial, pos, "IEND without any IDAT");
      return verdict(Status::complete, pos);
    }
  }
}

}  // namespace ferret::carve::formats
