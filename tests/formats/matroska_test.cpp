// The Matroska validator on ffmpeg-made MKV and WebM files, and a live WebM (Segment of unknown size).
#include <gtest/gtest.h>

#include "carve/formats/formats.h"
#include "media_test_support.h"

namespace ferret::carve::media_test {
namespace {

using formats::validate_matroska;

TEST(MatroskaValidator, FixturesAreCompleteBeforeAnyFiller) {
  FERRET_MEDIA_FIXTURE(other, "mp4-faststart.mp4");
  FERRET_MEDIA_FIXTURE(mkv, "mkv-h264-vorbis.mkv");
  expect_complete_before_fillers(validate_matroska, mkv, other, "mkv", "mkv");
  FERRET_MEDIA_FIXTURE(webm, "webm-vp8-opus.webm");
  expect_complete_before_fillers(validate_matroska, webm, other, "webm", "webm");
  FERRET_MEDIA_FIXTURE(mka, "mka-flac.mka");  // audio tracks only
  expect_complete_before_fillers(validate_matroska, mka, other, "mka", "mka");
}

TEST(MatroskaValidator, ALiveStreamEndsOnlyBeforeZerosOrAnotherFile) {
  FERRET_MEDIA_FIXTURE(live, "webm-live.webm");
  FERRET_MEDIA_FIXTURE(other, "mp4-faststart.mp4");
  FERRET_MEDIA_FIXTURE(next, "webm-vp8-opus.webm");
  for (const Buffer& space : {followed_by(live, Filler::zeros), followed_by(live, Filler::other_file, 4096, other), concat(live, next)}) {
    const Verdict v = run(validate_matroska, space);
    EXPECT_EQ(v.status, Status::complete) << describe(v);
    EXPECT_EQ(v.length, live.size());
    EXPECT_EQ(v.type, "webm");
  }
  // Random bytes or the end of the space after the last cluster: it may have gone on.
  for (const Buffer& space : {followed_by(live, Filler::random), live}) {
    const Verdict v = run(validate_matroska, space);
    EXPECT_EQ(v.status, Status::partial) << describe(v);
    EXPECT_EQ(v.length, live.size());
  }
}

TEST(MatroskaValidator, TruncatedIsNeverComplete) {
  for (const char* name : {"mkv-h264-vorbis.mkv", "webm-vp8-opus.webm", "webm-live.webm", "mka-flac.mka"}) {
    SCOPED_TRACE(name);
    FERRET_MEDIA_FIXTURE(item, name);
    expect_space_cut_not_complete(validate_matroska, item);
  }
}

TEST(MatroskaValidator, OverwrittenIsNeverCompleteWithAWrongLength) {
  // ffmpeg's MKV carries a CRC-32 in every level-1 element, clusters included: any damage shows.
  FERRET_MEDIA_FIXTURE(mkv, "mkv-h264-vorbis.mkv");
  expect_overwritten_tail(validate_matroska, mkv, /*strict=*/true);
  expect_overwritten_middle(validate_matroska, mkv, /*strict=*/true);
  // WebM has no CRC elements: damage inside a block's payload cannot be seen.
  for (const char* name : {"webm-vp8-opus.webm", "webm-live.webm"}) {
    SCOPED_TRACE(name);
    FERRET_MEDIA_FIXTURE(item, name);
    expect_overwritten_tail(validate_matroska, item, /*strict=*/false);
    expect_overwritten_middle(validate_matroska, item, /*strict=*/false);
  }
}

TEST(MatroskaValidator, TheLiveStreamsTailOverwrittenIsNotComplete) {
  FERRET_MEDIA_FIXTURE(live, "webm-live.webm");
  // Zeros from inside the last cluster on: its size field carries the walk into the zeros. (A
  // few zeroed bytes at the very end leave the length right and cannot be told from real data.)
  for (std::size_t cut : {live.size() - 40, live.size() - 300, live.size() - 1000}) {
    Buffer buf(live.begin(), live.end());
    std::fill(buf.begin() + static_cast<std::ptrdiff_t>(cut), buf.end(), 0);
    const Verdict v = run(validate_matroska, followed_by(buf, Filler::zeros));
    EXPECT_NE(v.status, Status::complete) << "zeros from " << cut << ": " << describe(v);
  }
}

TEST(MatroskaValidator, SeekHeadMustPointAtItsElements) {
  FERRET_MEDIA_FIXTURE(webm, "webm-vp8-opus.webm");
  // The first Seek's position (in the SeekHead at 48): move it by one.
  Buffer bad(webm.begin(), webm.end());
  for (std::size_t p = 48; p + 3 < 120; ++p) {
    if (bad[p] == 0x53 && bad[p + 1] == 0xAC) {
      const std::size_t len = bad[p + 2] & 0x7F;
      bad[p + 2 + len] ^= 1;
      break;
    }
  }
  const Verdict v = run(validate_matroska, followed_by(bad, Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
}

TEST(MatroskaValidator, LyingSizesAreFastAndNotComplete) {
  FERRET_MEDIA_FIXTURE(webm, "webm-vp8-opus.webm");
  // The Segment (at 36, 8-byte size) claims 2^55 bytes in a space of 8 GiB.
  Buffer lie(webm.begin(), webm.end());
  lie[40] = 0x01, lie[41] = 0x80;
  for (int i = 42; i < 48; ++i) lie[static_cast<std::size_t>(i)] = 0;
  HugeBytes huge(lie, 8ull << 30);
  Verdict v = run_timed(validate_matroska, huge);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  // A cluster claiming 4 GiB.
  Buffer cluster(webm.begin(), webm.end());
  for (std::size_t p = 48; p + 12 < cluster.size(); ++p) {
    if (cluster[p] == 0x1F && cluster[p + 1] == 0x43 && cluster[p + 2] == 0xB6 && cluster[p + 3] == 0x75) {
      const std::uint8_t size[] = {0x01, 0, 0, 0, 1, 0, 0, 0};
      std::copy(std::begin(size), std::end(size), cluster.begin() + static_cast<std::ptrdiff_t>(p + 4));
      break;
    }
  }
  HugeBytes huge_cluster(cluster, 8ull << 30, 0xAA);
  v = run_timed(validate_matroska, huge_cluster);
  EXPECT_NE(v.status, Status::complete) << describe(v);
}

TEST(MatroskaValidator, AnotherFileInsideVoidShowsTheItemIsNotWhereItClaims) {
  FERRET_MEDIA_FIXTURE(webm, "webm-vp8-opus.webm");  // Segment at 36, 8-byte size at 40, data from 48
  // A 2 KiB Void element at the end of the Segment (its size grown to match): padding is not
  // checked, so it belongs to the item...
  Buffer padded(webm.begin(), webm.end());
  Buffer void_element = {0xEC, 0x01, 0, 0, 0, 0, 0, 0x08, 0x00};
  void_element.resize(9 + 2048, 0);
  padded.insert(padded.end(), void_element.begin(), void_element.end());
  const std::uint64_t segment_size = padded.size() - 48;
  for (int i = 0; i < 7; ++i) padded[47 - static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(segment_size >> (8 * i));
  Verdict v = run(validate_matroska, followed_by(padded, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, padded.size());
  // ...unless another file starts on a sector boundary inside it.
  const std::size_t boundary = (webm.size() + 9 + 511) / 512 * 512;
  const std::uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::copy(std::begin(png), std::end(png), padded.begin() + static_cast<std::ptrdiff_t>(boundary));
  v = run(validate_matroska, followed_by(padded, Filler::random));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, webm.size());
}

TEST(MatroskaValidator, OtherEbmlDocumentsAreRejected) {
  FERRET_MEDIA_FIXTURE(webm, "webm-vp8-opus.webm");
  Buffer other(webm.begin(), webm.end());
  std::copy_n("wxbm", 4, other.begin() + 28);  // the DocType's value
  const Verdict v = run(validate_matroska, other);
  EXPECT_EQ(v.status, Status::rejected) << describe(v);
}

TEST(MatroskaValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const char* name : {"mkv-h264-vorbis.mkv", "webm-vp8-opus.webm", "webm-live.webm"}) seeds.push_back(read_fixture(name));
  fuzz_validator(validate_matroska, seeds, std::string_view("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01", 9), 0x3EB1);
}

}  // namespace
}  // namespace ferret::carve::media_test
