// The carving pass over an in-memory medium: exact items, nested ones dropped, stripes and extents
// respected, known starts not reported, every core used without changing the answer.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>

#include "carve/scanner.h"
#include "hash/digest.h"
#include "image/image_source.h"

namespace ferret::carve {
namespace {

void put_u32be(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift & 0xFF));
}

void chunk(std::string& png, std::string_view type, std::string_view data) {
  put_u32be(png, static_cast<std::uint32_t>(data.size()));
  std::string body(type);
  body += data;
  png += body;
  put_u32be(png, static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

// A valid PNG whose IDAT carries `payload` (its CRC is right; the pixels are nonsense, which no
// structure check can see). `extra` goes in a private ancillary chunk before IDAT.
std::string make_png(std::string_view payload, std::string_view extra = {}) {
  std::string png("\x89PNG\r\n\x1A\n", 8);
  std::string ihdr;
  put_u32be(ihdr, 16);
  put_u32be(ihdr, 16);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  chunk(png, "IHDR", ihdr);
  if (!extra.empty()) chunk(png, "prIv", extra);
  chunk(png, "IDAT", payload);
  chunk(png, "IEND", "");
  return png;
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xFF);
  // Keep chance signatures of every family out of the filler, so the expectations are exact.
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\xFF' || out[i] == 'B' || out[i] == 'P' || out[i] == 't' || out[i] == 'd' || out[i] == 'R' || out[i] == 'O' ||
        out[i] == '\x89' || out[i] == '%' || out[i] == 'S' || out[i] == 'I' || out[i] == 'G' || out[i] == 'f' || out[i] == '\x1A') {
      out[i] = '\x00';
    }
  }
  return out;
}

std::unique_ptr<image::ImageSource> memory_image(const std::string& bytes) {
  std::vector<std::byte> data(bytes.size());
  std::memcpy(data.data(), bytes.data(), bytes.size());
  return image::make_memory_image(std::move(data));
}

std::string sha256_of(std::string_view bytes) {
  return hash::digest_all(std::as_bytes(std::span(bytes.data(), bytes.size()))).sha256;
}

ScanOptions png_only(unsigned threads = 1) {
  ScanOptions o;
  o.families = {"png"};
  o.threads = threads;
  o.stripe_bytes = 4u << 20;
  return o;
}

TEST(CarveScanner, FindsItemsExactlyAndHashesThem) {
  const std::string a = make_png(random_bytes(5000, 1));
  const std::string b = make_png(random_bytes(123457, 2));
  std::string media = random_bytes(1 << 20, 3);
  media.replace(4096, a.size(), a);
  media.replace(300001, b.size(), b);  // not sector-aligned: every position is looked at
  auto image = memory_image(media);
  auto out = scan_extents(*image, {{0, media.size(), std::nullopt}}, png_only());
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->items.size(), 2u);
  EXPECT_EQ(out->items[0].offset, 4096u);
  EXPECT_EQ(out->items[0].length, a.size());
  EXPECT_EQ(out->items[0].status, Status::complete);
  EXPECT_EQ(out->items[0].extension, "png");
  ASSERT_TRUE(out->items[0].digests);
  EXPECT_EQ(out->items[0].digests->sha256, sha256_of(a));
  EXPECT_EQ(out->items[0].mime, "image/png");
  EXPECT_EQ(out->items[1].offset, 300001u);
  EXPECT_EQ(out->items[1].length, b.size());
  EXPECT_EQ(out->items[1].digests->sha256, sha256_of(b));
  EXPECT_EQ(out->bytes_scanned, media.size());
}

TEST(CarveScanner, DropsItemsNestedInACompleteOneAcrossStripes) {
  // A 6 MiB PNG from 3 MiB on crosses the 4 MiB stripe edge; a small PNG sits inside its IDAT data.
  const std::string inner = make_png(random_bytes(2000, 4));
  std::string payload = random_bytes(6u << 20, 5);
  payload.replace(2u << 20, inner.size(), inner);
  const std::string outer = make_png(payload);
  std::string media = random_bytes(12u << 20, 6);
  media.replace(3u << 20, outer.size(), outer);
  auto image = memory_image(media);
  for (unsigned threads : {1u, 2u, 4u}) {
    auto out = scan_extents(*image, {{0, media.size(), std::nullopt}}, png_only(threads));
    ASSERT_TRUE(out.ok());
    ASSERT_EQ(out->items.size(), 1u) << threads << " thread(s)";
    EXPECT_EQ(out->items[0].offset, 3u << 20);
    EXPECT_EQ(out->items[0].length, outer.size());
    EXPECT_EQ(out->items[0].digests->sha256, sha256_of(outer));
  }
}

TEST(CarveScanner, AnItemNeverCrossesTheEndOfItsExtent) {
  const std::string png = make_png(random_bytes(20000, 7));
  std::string media = random_bytes(1 << 20, 8);
  media.replace(8192, png.size(), png);
  auto image = memory_image(media);
  // The extent ends inside the PNG: it cannot be complete, and nothing past the end is claimed.
  auto out = scan_extents(*image, {{0, 8192 + 10000, std::nullopt}, {8192 + 12000, 100000, 7}}, png_only());
  ASSERT_TRUE(out.ok());
  for (const auto& item : out->items) {
    EXPECT_NE(item.status, Status::complete);
    EXPECT_LE(item.offset + item.length, 8192u + 10000u);
  }
}

TEST(CarveScanner, ItemsAtKnownFileStartsAreMarkedKnownAndNotHashed) {
  const std::string png = make_png(random_bytes(3000, 9));
  std::string media = random_bytes(256 << 10, 10);
  media.replace(65536, png.size(), png);
  media.replace(131072, png.size(), png);
  auto image = memory_image(media);
  ScanOptions options = png_only();
  options.known_starts = {65536};
  auto out = scan_extents(*image, {{0, media.size(), std::nullopt}}, options);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->items.size(), 2u);
  EXPECT_TRUE(out->items[0].known);
  EXPECT_FALSE(out->items[0].digests);
  EXPECT_FALSE(out->items[1].known);
  EXPECT_TRUE(out->items[1].digests);
}

TEST(CarveScanner, TypeNamesAndAliases) {
  auto parsed = parse_families("JPG, mov,mkv,avi,png,jpeg");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, (std::vector<std::string>{"jpeg", "mp4", "matroska", "riff", "png"}));
  auto bad = parse_families("png,exe");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_NE(bad.error().message.find("exe"), std::string::npos);
  ScanOptions options;
  options.families = {"exe"};
  auto image = memory_image(std::string(4096, '\0'));
  EXPECT_FALSE(scan_extents(*image, {{0, 4096, std::nullopt}}, options).ok());
}

TEST(CarveScanner, StopsWhenCancelled) {
  std::string media = random_bytes(16u << 20, 11);
  auto image = memory_image(media);
  std::atomic<bool> cancel{true};
  ScanOptions options = png_only(2);
  options.cancel = &cancel;
  auto out = scan_extents(*image, {{0, media.size(), std::nullopt}}, options);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->interrupted);
}

}  // namespace
}  // namespace ferret::carve
