// JPEG validator: real baseline, progressive, restart-marker and EXIF-thumbnail files.
#include <chrono>

#include "carve/formats/formats.h"
#include "format_test_support.h"

namespace ferret::carve::test {
namespace {

using formats::validate_jpeg;

const char* const kJpegs[] = {"jpeg-baseline.jpg", "jpeg-progressive.jpg", "jpeg-restart.jpg", "jpeg-exif-thumb.jpg",
                              "jpeg-flat-optimized.jpg"};

// Where the first SOS header ends: the scan data starts there.
std::size_t scan_start(const Buffer& b) {
  for (std::size_t i = 2; i + 3 < b.size();) {
    if (b[i] != 0xFF) return 0;
    const std::size_t len = b[i + 2] << 8 | b[i + 3];
    if (b[i + 1] == 0xDA) return i + 2 + len;
    i += 2 + len;
  }
  return 0;
}

TEST(JpegValidator, CompleteBeforeZerosRandomAndAnotherFile) {
  FERRET_FIXTURE(other, "jpeg-progressive.jpg");
  for (const char* name : kJpegs) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(jpg, name);
    expect_complete_before_fillers(validate_jpeg, jpg, other, "jpeg", "jpg");
  }
}

TEST(JpegValidator, TruncatedIsNeverComplete) {
  for (const char* name : kJpegs) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(jpg, name);
    expect_truncations_not_complete(validate_jpeg, jpg);
  }
}

TEST(JpegValidator, AnotherFileOverwritingTheTailEndsThePartialAtTheCut) {
  FERRET_FIXTURE(jpg, "jpeg-baseline.jpg");
  FERRET_FIXTURE(other, "jpeg-restart.jpg");
  const std::size_t scan = scan_start(jpg);
  ASSERT_GT(scan, 0u);
  for (std::size_t cut : {scan + 10, scan + (jpg.size() - scan) / 2, jpg.size() - 20}) {
    if (jpg[cut - 1] == 0xFF) ++cut;  // do not split a stuffed FF 00 pair
    Buffer buf(jpg.begin(), jpg.begin() + static_cast<std::ptrdiff_t>(cut));
    buf.insert(buf.end(), other.begin(), other.end());
    const Verdict v = run(validate_jpeg, buf);
    EXPECT_EQ(v.status, Status::partial) << describe(v);
    EXPECT_EQ(v.length, cut) << describe(v);
  }
}

TEST(JpegValidator, CutFileThenSlackZerosThenAnotherFileEndsThePartialAtTheCut) {
  // As on a disk: a truncated JPEG, the zeros of its last block's slack, the next file's start.
  FERRET_FIXTURE(jpg, "jpeg-baseline.jpg");
  FERRET_FIXTURE(png, "png-rgb.png");
  const std::size_t scan = scan_start(jpg);
  for (std::size_t cut : {scan + 500, scan + (jpg.size() - scan) / 2, jpg.size() - 300}) {
    Buffer buf(jpg.begin(), jpg.begin() + static_cast<std::ptrdiff_t>(cut));
    buf.resize(buf.size() + 3000, 0);
    buf.insert(buf.end(), png.begin(), png.end());
    buf.resize(buf.size() + 4096, 0);
    const Verdict v = run(validate_jpeg, buf);
    EXPECT_EQ(v.status, Status::partial) << describe(v);
    EXPECT_LE(v.length, cut) << describe(v);
    EXPECT_GE(v.length, cut - 8) << describe(v);  // only the zero bytes at the cut itself are unsure
  }
}

TEST(JpegValidator, FlatImageWithLongZeroRunsInItsScanIsComplete) {
  FERRET_FIXTURE(jpg, "jpeg-flat-optimized.jpg");
  const std::string_view s(reinterpret_cast<const char*>(jpg.data()), jpg.size());
  ASSERT_NE(s.find(std::string(1024, '\0')), std::string_view::npos);  // the point of this fixture
  const Verdict v = run(validate_jpeg, followed_by(jpg, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, jpg.size());
}

TEST(JpegValidator, ExifThumbnailIsSkippedOuterAndCompleteOnItsOwn) {
  FERRET_FIXTURE(jpg, "jpeg-exif-thumb.jpg");
  // The thumbnail is a whole JPEG inside the APP1 segment.
  std::size_t inner = 0;
  for (std::size_t i = 4; i + 3 < jpg.size(); ++i) {
    if (jpg[i] == 0xFF && jpg[i + 1] == 0xD8 && jpg[i + 2] == 0xFF) {
      inner = i;
      break;
    }
  }
  ASSERT_GT(inner, 0u);
  const std::size_t app1_end = 4 + (jpg[4] << 8 | jpg[5]);
  ASSERT_EQ(jpg[3], 0xE1);
  ASSERT_LT(inner, app1_end);
  const Verdict outer = run(validate_jpeg, jpg);
  EXPECT_EQ(outer.status, Status::complete);
  EXPECT_EQ(outer.length, jpg.size());
  const std::span<const std::uint8_t> rest(jpg.data() + inner, jpg.size() - inner);
  const Verdict thumb = run(validate_jpeg, rest);
  EXPECT_EQ(thumb.status, Status::complete) << describe(thumb);
  EXPECT_LT(inner + thumb.length, app1_end) << describe(thumb);
  EXPECT_EQ(rest[thumb.length - 2], 0xFF);
  EXPECT_EQ(rest[thumb.length - 1], 0xD9);
}

TEST(JpegValidator, RandomBytesOverTheScanDataNeverGiveAWrongCompleteLength) {
  int detected = 0, runs = 0;
  for (const char* name : kJpegs) {
    FERRET_FIXTURE(jpg, name);
    const std::size_t scan = scan_start(jpg);
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      Buffer buf = followed_by(jpg, Filler::zeros);
      const std::size_t at = scan + (jpg.size() - scan) * seed / 25;
      overwrite_random(buf, at, 1024, seed);
      const Verdict v = run(validate_jpeg, buf);
      ++runs;
      if (v.status != Status::complete) ++detected;
      else {
        EXPECT_EQ(v.length, jpg.size()) << name << " seed " << seed;
      }
    }
  }
  // 1 KiB of random bytes holds an FF with a bad marker (or breaks the restart sequence) almost always.
  EXPECT_GT(detected, runs * 3 / 4);
}

TEST(JpegValidator, SequentialScansAreDecodedSoDataWithoutAnFfIsSeen) {
  // Text over the middle of the scan data has no FF byte, so no marker check can notice it; the
  // Huffman decode does (codes that do not exist, or blocks that overrun 64 coefficients).
  for (const char* name : {"jpeg-baseline.jpg", "jpeg-restart.jpg", "jpeg-flat-optimized.jpg"}) {
    FERRET_FIXTURE(jpg, name);
    const std::size_t scan = scan_start(jpg);
    for (std::size_t at : {scan + 40, scan + (jpg.size() - scan) / 2}) {
      Buffer buf = followed_by(jpg, Filler::zeros);
      const std::string_view text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ";
      for (std::size_t i = 0; i < 160 && at + i + 10 < jpg.size(); ++i) buf[at + i] = static_cast<std::uint8_t>(text[i % text.size()]);
      const Verdict v = run(validate_jpeg, buf);
      EXPECT_EQ(v.status, Status::partial) << name << " at " << at << ": " << describe(v);
      // The decode desynchronises at the text but may only fail some blocks later.
      EXPECT_LT(v.length, jpg.size()) << name;
    }
  }
}

TEST(JpegValidator, ChanceMatchesAreRejected) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Buffer buf = random_bytes(4096, seed);
    buf[0] = 0xFF;
    buf[1] = 0xD8;
    buf[2] = 0xFF;
    const Verdict v = run(validate_jpeg, buf);
    EXPECT_NE(v.status, Status::complete) << seed;
  }
  EXPECT_EQ(run(validate_jpeg, bytes_of("\xFF\xD8\xFF\xD9")).status, Status::rejected);
}

TEST(JpegValidator, ZeroFilledSpaceAfterAHeaderIsFastAndNotComplete) {
  FERRET_FIXTURE(jpg, "jpeg-baseline.jpg");
  const std::size_t scan = scan_start(jpg);
  HugeBytes huge(Buffer(jpg.begin(), jpg.begin() + static_cast<std::ptrdiff_t>(scan + 100)), 8ull << 30);
  const auto start = std::chrono::steady_clock::now();
  const Verdict v = validate_jpeg(huge, Limits{});
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), time_budget(2.0));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, scan + 100);
}

TEST(JpegValidator, SegmentLengthPastTheSpaceIsNotComplete) {
  FERRET_FIXTURE(jpg, "jpeg-baseline.jpg");
  Buffer buf(jpg.begin(), jpg.begin() + 200);
  buf[4] = 0xFF;  // the first segment claims 65535 bytes
  buf[5] = 0xFF;
  const Verdict v = run(validate_jpeg, buf);
  EXPECT_NE(v.status, Status::complete);
}

TEST(JpegValidator, MaxItemBoundsTheWalk) {
  FERRET_FIXTURE(jpg, "jpeg-baseline.jpg");
  const Verdict v = run(validate_jpeg, jpg, Limits{jpg.size() - 100});
  EXPECT_NE(v.status, Status::complete);
  EXPECT_LE(v.length, jpg.size() - 100);
}

TEST(JpegValidator, LargeScanAcrossManyViewsIsCompleteAndFast) {
  // Headers of a real progressive file (its scans are checked by markers, not decoded), then
  // 48 MiB of entropy-like data (every FF stuffed), then EOI: stuffed pairs fall across view edges.
  FERRET_FIXTURE(jpg, "jpeg-progressive.jpg");
  const std::size_t scan = scan_start(jpg);
  Buffer buf(jpg.begin(), jpg.begin() + static_cast<std::ptrdiff_t>(scan));
  Buffer data = random_bytes(48u << 20, 99);
  for (std::size_t i = 0; i + 1 < data.size(); ++i) {
    if (data[i] == 0xFF) data[++i] = 0x00;
  }
  data.back() = 0x12;
  buf.insert(buf.end(), data.begin(), data.end());
  buf.push_back(0xFF);
  buf.push_back(0xD9);
  const std::size_t size = buf.size();
  buf.resize(size + 4096, 0);
  const auto start = std::chrono::steady_clock::now();
  const Verdict v = run(validate_jpeg, buf);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), time_budget(4.0));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, size);
}

TEST(JpegValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const char* name : kJpegs) seeds.push_back(read_fixture(name));
  fuzz_validator(validate_jpeg, seeds, "\xFF\xD8\xFF", 0x1E6);
}

}  // namespace
}  // namespace ferret::carve::test
