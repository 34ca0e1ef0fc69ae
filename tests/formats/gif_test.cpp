// GIF validator: real animated, 87a and noise files; never cut at a 00 3B inside image data.
#include <chrono>

#include "carve/formats/formats.h"
#include "format_test_support.h"

namespace ferret::carve::test {
namespace {

using formats::validate_gif;

const char* const kGifs[] = {"gif-animated.gif", "gif-data-has-00-3b.gif", "gif-87a.gif"};

TEST(GifValidator, CompleteBeforeZerosRandomAndAnotherFile) {
  FERRET_FIXTURE(other, "gif-87a.gif");
  for (const char* name : kGifs) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(gif, name);
    expect_complete_before_fillers(validate_gif, gif, other, "gif", "gif");
  }
}

TEST(GifValidator, ZeroThreeBInsideImageDataIsNotTheEnd) {
  FERRET_FIXTURE(gif, "gif-data-has-00-3b.gif");
  const std::string_view s(reinterpret_cast<const char*>(gif.data()), gif.size());
  const std::size_t false_end = s.find(std::string_view("\x00\x3B", 2));
  ASSERT_LT(false_end + 2, gif.size());  // the fixture holds 00 3B well before its trailer
  const Verdict v = run(validate_gif, followed_by(gif, Filler::random));
  EXPECT_EQ(v.status, Status::complete);
  EXPECT_EQ(v.length, gif.size());
}

TEST(GifValidator, TruncatedIsNeverComplete) {
  for (const char* name : kGifs) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(gif, name);
    expect_truncations_not_complete(validate_gif, gif);
  }
}

TEST(GifValidator, RandomBytesInTheMiddleNeverGiveAWrongCompleteLength) {
  for (const char* name : kGifs) {
    FERRET_FIXTURE(gif, name);
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      Buffer buf = followed_by(gif, seed % 2 ? Filler::zeros : Filler::random);
      overwrite_random(buf, gif.size() * seed / 42, 64, seed);
      const Verdict v = run(validate_gif, buf);
      if (v.status == Status::complete) {
        EXPECT_EQ(v.length, gif.size()) << name << " seed " << seed;
      }
    }
  }
}

TEST(GifValidator, ChanceMatchesAreRejected) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Buffer buf = random_bytes(2048, seed);
    std::copy_n("GIF89a", 6, buf.begin());
    EXPECT_NE(run(validate_gif, buf).status, Status::complete) << seed;
  }
}

TEST(GifValidator, LongSubBlockChainIsWalkedInViewsAndFast) {
  // A header, then an image whose data is 255-byte sub-blocks for 256 MiB: no terminator.
  FERRET_FIXTURE(gif, "gif-87a.gif");
  Buffer head(gif.begin(), gif.begin() + 13);
  head[10] &= 0x7F;  // no global colour table
  const Buffer image = {0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 8};
  head.insert(head.end(), image.begin(), image.end());
  HugeBytes huge(head, 256ull << 20, 0xFF);
  const auto start = std::chrono::steady_clock::now();
  const Verdict v = validate_gif(huge, Limits{});
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), time_budget(4.0));
  EXPECT_NE(v.status, Status::complete) << describe(v);
  EXPECT_LT(huge.views, 1000u);
}

TEST(GifValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const char* name : kGifs) seeds.push_back(read_fixture(name));
  fuzz_validator(validate_gif, seeds, "GIF89a", 0x61F);
}

}  // namespace
}  // namespace ferret::carve::test
