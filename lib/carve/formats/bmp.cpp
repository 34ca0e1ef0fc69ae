// BMP validator: file header, DIB header, palette and pixel sizes consistent with bfSize.
// "BM" matches by chance very often, so every field that has a narrow legal range is checked.
#include <algorithm>
#include <string>

#include "carve/formats/formats.h"

namespace ferret::carve::formats {

namespace {

Verdict verdict(Status status, std::uint64_t length, std::string missing = {}) {
  return Verdict{status, length, std::move(missing), "bmp", "bmp"};
}

Verdict reject(std::string why) { return verdict(Status::rejected, 0, "not a BMP: " + why); }

std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }

enum Compression : std::uint32_t { kRgb = 0, kRle8 = 1, kRle4 = 2, kBitfields = 3, kJpeg = 4, kPng = 5, kAlphaBitfields = 6 };

// Walks RLE8/RLE4 codes from `pos` to the end-of-bitmap escape (00 01); returns the position after
// it, or nullopt when the codes are inconsistent or run past `limit`.
std::optional<std::uint64_t> rle_end(Bytes& bytes, std::uint64_t pos, std::uint64_t limit, bool rle4,
                                     std::uint32_t width, std::uint32_t height) {
  // Codes are two bytes: read them from one cached view, refilled only when a code leaves it.
  std::span<const std::uint8_t> v;
  std::uint64_t base = 0;
  auto get = [&](std::uint64_t at, std::size_t n) -> const std::uint8_t* {
    if (at >= base && at - base + n <= v.size()) return v.data() + (at - base);
    if (at > limit || limit - at < n) return nullptr;
    v = bytes.view(at, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, limit - at)));
    base = at;
    return v.size() >= n ? v.data() : nullptr;
  };
  // Encoders may code the row's padding pixels too (ImageMagick does): allow the padded width.
  const std::uint64_t bpp = rle4 ? 4 : 8;
  const std::uint64_t max_x = (static_cast<std::uint64_t>(width) * bpp + 31) / 32 * 32 / bpp + 1;
  std::uint64_t x = 0, y = 0;
  while (const std::uint8_t* p = get(pos, 2)) {
    const std::uint8_t count = p[0], code = p[1];
    if (count > 0) {  // a run
      x += count;
      pos += 2;
    } else if (code == 0) {  // end of line
      x = 0;
      if (++y > height) return std::nullopt;
      pos += 2;
    } else if (code == 1) {  // end of bitmap
      return pos + 2;
    } else if (code == 2) {  // delta
      const std::uint8_t* d = get(pos + 2, 2);
      if (!d) return std::nullopt;
      x += d[0];
      y += d[1];
      if (y > height) return std::nullopt;
      pos += 4;
    } else {  // absolute run of `code` pixels, padded to a 16-bit boundary
      const std::uint64_t data = rle4 ? (code + 1u) / 2 : code;
      x += code;
      pos += 2 + data + (data & 1);
    }
    if (x > max_x) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Verdict validate_bmp(Bytes& bytes, const Limits& limits) {
  const std::uint64_t end = std::min(bytes.size(), limits.max_item);
  const auto head = bytes.view(0, 14 + 124);
  if (head.size() < 14 + 12 || head[0] != 'B' || head[1] != 'M') return reject("too short for the headers");
  const std::uint8_t* h = head.data();
  const std::uint32_t file_size = le32(h + 2), off_bits = le32(h + 10), dib = le32(h + 14);
  if (le16(h + 6) != 0 || le16(h + 8) != 0) return reject("reserved fields are not zero");
  if (dib != 12 && dib != 40 && dib != 52 && dib != 56 && dib != 64 && dib != 108 && dib != 124) return reject("unknown DIB header size");
  if (head.size() < 14 + dib) return reject("the space ends inside the DIB header");

  std::uint32_t width = 0, height = 0, planes = 0, bpp = 0, compression = kRgb, image_size = 0, colours = 0;
  std::uint32_t profile_end = 0;  // V5: an ICC profile may follow the pixels
  bool top_down = false;
  if (dib == 12) {
    width = le16(h + 18);
    height = le16(h + 20);
    planes = le16(h + 22);
    bpp = le16(h + 24);
  } else {
    const auto w = static_cast<std::int32_t>(le32(h + 18)), hh = static_cast<std::int32_t>(le32(h + 22));
    if (w <= 0 || hh == 0 || hh == INT32_MIN) return reject("width or height out of range");
    width = static_cast<std::uint32_t>(w);
    top_down = hh < 0;
    height = static_cast<std::uint32_t>(hh < 0 ? -hh : hh);
    planes = le16(h + 26);
    bpp = le16(h + 28);
    compression = le32(h + 30);
    image_size = le32(h + 34);
    colours = le32(h + 46);
    if (dib == 124) {
      const std::uint32_t profile_data = le32(h + 14 + 112), profile_size = le32(h + 14 + 116);
      if (profile_size > 0 && profile_data > 0) profile_end = 14 + profile_data + profile_size;
    }
  }
  if (planes != 1) return reject("planes is not 1");
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) return reject("bits per pixel out of range");
  if (width == 0 || height == 0 || width > 1u << 18 || height > 1u << 18) return reject("width or height out of range");
  if (dib == 12 && bpp > 8 && bpp != 24) return reject("OS/2 core header with that depth");
  switch (compression) {
    case kRgb: break;
    case kRle8: if (bpp != 8 || top_down) return reject("RLE8 needs 8 bpp bottom-up"); break;
    case kRle4: if (bpp != 4 || top_down) return reject("RLE4 needs 4 bpp bottom-up"); break;
    case kBitfields: if (bpp != 16 && bpp != 32) return reject("bit fields need 16 or 32 bpp"); break;
    case kAlphaBitfields: if (bpp != 16 && bpp != 32) return reject("bit fields need 16 or 32 bpp"); break;
    case kJpeg: case kPng: if (image_size == 0) return reject("embedded JPEG/PNG without a size"); break;
    default: return reject("unknown compression");
  }
  // The colour table and bit masks sit between the headers and the pixels.
  std::uint64_t table = 0;
  if (bpp <= 8) {
    const std::uint32_t max_colours = 1u << bpp;
    if (colours > max_colours) return reject("more palette colours than the depth allows");
    table = static_cast<std::uint64_t>(colours ? colours : max_colours) * (dib == 12 ? 3 : 4);
    if (dib == 12) table = static_cast<std::uint64_t>(max_colours) * 3;
  } else if (colours > (1u << 16)) {
    return reject("palette size out of range");
  }
  if (dib == 40 && compression == kBitfields) table += 12;
  if (dib == 40 && compression == kAlphaBitfields) table += 16;
  const std::uint64_t headers = 14ull + dib;
  // Writers may leave a gap before the pixels, but not put them inside the headers or the table.
  if (off_bits < headers + (bpp <= 8 ? std::min<std::uint64_t>(table, 8) : 0) || off_bits > file_size) {
    return reject("pixel offset inconsistent with the headers");
  }

  std::uint64_t pixels_end = 0;
  const std::uint64_t stride = (static_cast<std::uint64_t>(width) * bpp + 31) / 32 * 4;
  const std::uint64_t raw_size = stride * height;
  if (compression == kRgb || compression == kBitfields || compression == kAlphaBitfields) {
    // Pixels are uncompressed: the row-padded image must fit inside the file.
    if (image_size != 0 && image_size != raw_size && image_size != raw_size + 2) return reject("image size field disagrees with the dimensions");
    pixels_end = off_bits + raw_size;
  } else if (compression == kRle8 || compression == kRle4) {
    if (image_size == 0 || off_bits + static_cast<std::uint64_t>(image_size) > file_size) return reject("RLE size inconsistent with the file size");
    pixels_end = off_bits + static_cast<std::uint64_t>(image_size);
  } else {
    pixels_end = off_bits + static_cast<std::uint64_t>(image_size);
  }
  if (pixels_end > file_size) return reject("pixels do not fit inside bfSize");
  // Up to 4 bytes of trailing padding are common; an ICC profile after the pixels explains more.
  const std::uint64_t explained = std::max<std::uint64_t>(pixels_end, profile_end);
  if (file_size > explained + 4) return reject("bfSize larger than the headers and pixels explain");

  if (file_size > end) {
    // Genuine headers, truncated pixels: only the headers are proven (pixels have no structure).
    return verdict(Status::partial, std::min<std::uint64_t>(headers, end), "the space ends before bfSize");
  }
  if (compression == kRle8 || compression == kRle4) {
    // The codes must end (00 01) within the stated size: a cheap check that the pixels are RLE.
    const auto stop = rle_end(bytes, off_bits, pixels_end, compression == kRle4, width, height);
    if (!stop) return verdict(Status::partial, headers, "RLE data does not reach its end-of-bitmap code");
  }
  return verdict(Status::complete, file_size);
}

}  // namespace ferret::carve::formats
