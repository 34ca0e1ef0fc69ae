// PNG validator: real RGB and palette files, CRC checks, lying chunk lengths.
#include <chrono>

#include "carve/formats/formats.h"
#include "format_test_support.h"

namespace ferret::carve::test {
namespace {

using formats::validate_png;

const char* const kPngs[] = {"png-rgb.png", "png-palette.png"};

TEST(PngValidator, CompleteBeforeZerosRandomAndAnotherFile) {
  FERRET_FIXTURE(other, "png-palette.png");
  for (const char* name : kPngs) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(png, name);
    expect_complete_before_fillers(validate_png, png, other, "png", "png");
  }
}

TEST(PngValidator, TruncatedIsNeverComplete) {
  for (const char* name : kPngs) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(png, name);
    expect_truncations_not_complete(validate_png, png);
  }
}

TEST(PngValidator, AnyCorruptionIsCaughtByTheCrcs) {
  for (const char* name : kPngs) {
    FERRET_FIXTURE(png, name);
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      Buffer buf = followed_by(png, Filler::zeros);
      const std::size_t at = 8 + (png.size() - 8) * seed / 41;
      overwrite_random(buf, at, 16, seed);
      const Verdict v = run(validate_png, buf);
      EXPECT_NE(v.status, Status::complete) << name << " seed " << seed;
      if (v.status == Status::partial) {
        EXPECT_LE(v.length, at) << name << " seed " << seed;
      }
    }
  }
}

TEST(PngValidator, PartialEndsAtTheLastGoodChunk) {
  FERRET_FIXTURE(png, "png-rgb.png");
  Buffer buf = png;
  buf[8 + 8 + 13 + 4 + 8 + 2] ^= 0x40;  // inside the chunk after IHDR
  const Verdict v = run(validate_png, buf);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_EQ(v.length, 8u + 25u);  // signature + IHDR
  EXPECT_NE(v.missing.find("CRC"), std::string::npos) << v.missing;
}

TEST(PngValidator, ChunkClaimingTwoGigabytesIsFastAndNotComplete) {
  FERRET_FIXTURE(png, "png-rgb.png");
  Buffer head(png.begin(), png.begin() + 33 + 8);
  put_u32be(head, 33, 0x7FFFFFF0u);
  std::copy_n("IDAT", 4, head.begin() + 37);
  HugeBytes huge(head, 8ull << 30, 0xAB);
  const auto start = std::chrono::steady_clock::now();
  const Verdict v = validate_png(huge, Limits{});
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_EQ(v.length, 33u);
  EXPECT_LT(secs, time_budget(10.0));  // one CRC pass over the 2 GiB that the chunk claims, nothing more
  Buffer small = head;
  put_u32be(small, 33, 0xFFFFFFF0u);
  EXPECT_EQ(run(validate_png, small).status, Status::partial);
}

TEST(PngValidator, ChanceMatchesAreRejected) {
  Buffer buf = random_bytes(512, 7);
  std::copy_n("\x89PNG\r\n\x1A\n", 8, buf.begin());
  EXPECT_EQ(run(validate_png, buf).status, Status::rejected);
}

TEST(PngValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const char* name : kPngs) seeds.push_back(read_fixture(name));
  fuzz_validator(validate_png, seeds, "\x89PNG\r\n\x1A\n", 0x9E6);
}

}  // namespace
}  // namespace ferret::carve::test
