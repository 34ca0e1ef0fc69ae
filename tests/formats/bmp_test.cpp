// BMP validator: real 24-bit, RLE8, V5 32-bit, OS/2 core, 1-bit and top-down 565 files; chance "BM".
#include "carve/formats/formats.h"
#include "format_test_support.h"

namespace ferret::carve::test {
namespace {

using formats::validate_bmp;

const char* const kBmps[] = {"bmp-24bit.bmp", "bmp-rle8.bmp", "bmp-v5-32bit.bmp",
                             "bmp-os2-core.bmp", "bmp-1bit.bmp", "bmp-565-topdown.bmp"};

TEST(BmpValidator, CompleteBeforeZerosRandomAndAnotherFile) {
  FERRET_FIXTURE(other, "bmp-1bit.bmp");
  for (const char* name : kBmps) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(bmp, name);
    expect_complete_before_fillers(validate_bmp, bmp, other, "bmp", "bmp");
  }
}

TEST(BmpValidator, TruncatedIsNeverCompleteWithAWrongLength) {
  for (const char* name : kBmps) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(bmp, name);
    // Pixels have no structure: a cut followed by filler still has bfSize bytes (except RLE).
    expect_truncations_not_complete(validate_bmp, bmp, Truncation{.filler_detected = std::string(name) == "bmp-rle8.bmp"});
  }
}

TEST(BmpValidator, RleDataThatNeverEndsIsPartial) {
  FERRET_FIXTURE(bmp, "bmp-rle8.bmp");
  Buffer buf = bmp;
  const std::uint32_t off = buf[10] | buf[11] << 8;
  for (std::size_t i = off; i < buf.size(); i += 2) {  // runs of 4 pixels, no end-of-line or end-of-bitmap
    buf[i] = 4;
    buf[i + 1] = 9;
  }
  EXPECT_EQ(run(validate_bmp, buf).status, Status::partial);
}

TEST(BmpValidator, InconsistentHeadersAreRejected) {
  FERRET_FIXTURE(bmp, "bmp-24bit.bmp");
  auto with = [&](std::size_t at, std::uint32_t value, int width) {
    Buffer b = bmp;
    for (int i = 0; i < width; ++i) b[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
    return run(validate_bmp, b);
  };
  EXPECT_EQ(with(2, 1000, 4).status, Status::rejected);           // bfSize smaller than the pixels
  EXPECT_EQ(with(2, 1u << 30, 4).status, Status::rejected);       // bfSize far beyond them
  EXPECT_EQ(with(14, 41, 4).status, Status::rejected);            // unknown DIB size
  EXPECT_EQ(with(26, 2, 2).status, Status::rejected);             // planes
  EXPECT_EQ(with(28, 12, 2).status, Status::rejected);            // bits per pixel
  EXPECT_EQ(with(30, 9, 4).status, Status::rejected);             // compression
  EXPECT_EQ(with(10, 20, 4).status, Status::rejected);            // pixels inside the headers
  EXPECT_EQ(with(6, 1, 2).status, Status::rejected);              // reserved
  EXPECT_EQ(with(18, 0x7FFFFFFF, 4).status, Status::rejected);    // absurd width
}

TEST(BmpValidator, ChanceMatchesAreRejected) {
  int complete = 0;
  for (std::uint64_t seed = 0; seed < 20000; ++seed) {
    Buffer buf = random_bytes(256, seed);
    buf[0] = 'B';
    buf[1] = 'M';
    if (run(validate_bmp, buf).status != Status::rejected) ++complete;
  }
  EXPECT_EQ(complete, 0);
}

TEST(BmpValidator, SpaceEndingBeforeBfSizeIsPartialWithTheHeaders) {
  FERRET_FIXTURE(bmp, "bmp-24bit.bmp");
  const Verdict v = run(validate_bmp, std::span<const std::uint8_t>(bmp).subspan(0, 3000));
  EXPECT_EQ(v.status, Status::partial);
  EXPECT_EQ(v.length, 54u);
}

TEST(BmpValidator, OverwrittenMiddleIsNeverCompleteWithAWrongLength) {
  for (const char* name : kBmps) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(bmp, name);
    expect_overwrites_never_misjudged(validate_bmp, bmp, 64);
  }
}

TEST(BmpValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const char* name : kBmps) seeds.push_back(read_fixture(name));
  fuzz_validator(validate_bmp, seeds, "BM", 0xB3B);
}

}  // namespace
}  // namespace ferret::carve::test
