// Digests against published test vectors, and whole-media hashing against single-buffer hashing.
#include "hash/digest.h"

#include <gtest/gtest.h>

#include <cstring>

#include "test_support.h"

namespace ferret::hash {
namespace {

std::span<const std::byte> bytes_of(const char* s) { return {reinterpret_cast<const std::byte*>(s), std::strlen(s)}; }

TEST(Digest, KnownVectors) {
  const Digests empty = digest_all({});
  EXPECT_EQ(empty.md5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(empty.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(empty.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const Digests abc = digest_all(bytes_of("abc"));
  EXPECT_EQ(abc.md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(abc.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(abc.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, IncrementalEqualsOneShot) {
  const auto data = test::random_bytes(100000, 7);
  Digest d(Algorithm::sha256);
  d.update(std::span(data).first(12345));
  d.update(std::span(data).subspan(12345));
  EXPECT_EQ(d.finish_hex(), digest_all(data).sha256);
}

TEST(MediaHash, EqualsSingleBufferDigestsForOddSizesAndChunks) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{3 * 65536 + 17}}) {
    const auto data = test::random_bytes(size, static_cast<unsigned>(size));
    const Digests expected = digest_all(data);
    auto img = image::make_memory_image(data);
    MediaHashOptions options;
    options.chunk_size = 65536;
    options.reader_threads = 3;
    auto got = hash_media(*img, options);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->digests.md5, expected.md5) << size;
    EXPECT_EQ(got->digests.sha1, expected.sha1) << size;
    EXPECT_EQ(got->digests.sha256, expected.sha256) << size;
    EXPECT_TRUE(got->unreadable.empty());
  }
}

TEST(MediaHash, UnreadableSectorsAreZeroFilledAndReported) {
  auto data = test::random_bytes(1 << 20, 3);
  const std::uint64_t bad_offset = 5 * 512 + 65536, bad_length = 3 * 512;
  test::FaultyImage faulty(image::make_memory_image(data), bad_offset, bad_length);
  std::fill(data.begin() + bad_offset, data.begin() + bad_offset + bad_length, std::byte{0});
  MediaHashOptions options;
  options.chunk_size = 65536;
  auto got = hash_media(faulty, options);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->digests.sha256, digest_all(data).sha256);
  ASSERT_EQ(got->unreadable.size(), 1u);
  EXPECT_EQ(got->unreadable[0].offset, bad_offset);
  EXPECT_EQ(got->unreadable[0].length, bad_length);
}

TEST(MediaHash, CancelStopsWithInterrupted) {
  const auto data = test::random_bytes(1 << 20, 4);
  auto img = image::make_memory_image(data);
  std::atomic<bool> cancel{true};
  MediaHashOptions options;
  options.chunk_size = 4096;
  options.cancel = &cancel;
  auto got = hash_media(*img, options);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::interrupted);
}

}  // namespace
}  // namespace ferret::hash
