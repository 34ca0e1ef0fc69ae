// The FLAC validator on ffmpeg-made mono and stereo files.
#include <gtest/gtest.h>

#include "carve/formats/formats.h"
#include "media_test_support.h"

namespace ferret::carve::media_test {
namespace {

using formats::validate_flac;

constexpr const char* kFixtures[] = {"flac-sine.flac", "flac-stereo.flac"};

TEST(FlacValidator, FixturesAreCompleteBeforeAnyFiller) {
  FERRET_MEDIA_FIXTURE(other, "ogg-vorbis.ogg");
  for (const char* name : kFixtures) {
    SCOPED_TRACE(name);
    FERRET_MEDIA_FIXTURE(item, name);
    expect_complete_before_fillers(validate_flac, item, other, "flac", "flac");
  }
}

TEST(FlacValidator, TruncatedOrOverwrittenIsNeverComplete) {
  // Every frame has a CRC-16 and STREAMINFO counts the samples: nothing after a cut passes.
  for (const char* name : kFixtures) {
    SCOPED_TRACE(name);
    FERRET_MEDIA_FIXTURE(item, name);
    expect_space_cut_not_complete(validate_flac, item);
    expect_overwritten_tail(validate_flac, item, /*strict=*/true);
  }
}

TEST(FlacValidator, OverwrittenAudioIsNeverComplete) {
  FERRET_MEDIA_FIXTURE(item, "flac-sine.flac");
  // The metadata (8256 bytes, mostly padding) is not checked byte by byte; the frames are.
  const std::vector<std::uint8_t> frames(item.begin() + 8256, item.end());
  for (int i = 1; i <= 6; ++i) {
    for (std::size_t len : {1u, 16u, 512u}) {
      Buffer buf(item.begin(), item.end());
      const std::size_t at = 8256 + frames.size() * static_cast<std::size_t>(i) / 8;
      overwrite_random(buf, at, len, at + len);
      if (std::equal(buf.begin(), buf.end(), item.begin())) buf[at] ^= 0x5A;
      const Verdict v = run(validate_flac, followed_by(buf, Filler::random));
      EXPECT_NE(v.status, Status::complete) << len << " bytes at " << at << ": " << describe(v);
      if (v.status == Status::partial) {
        EXPECT_LE(v.length, at) << describe(v);
      }
    }
  }
}

TEST(FlacValidator, WithoutASampleCountTheEndNeedsEvidence) {
  FERRET_MEDIA_FIXTURE(item, "flac-sine.flac");
  Buffer unknown(item.begin(), item.end());
  // Clear the 36-bit total sample count (bytes 21..25 of the file, low nibble of byte 21).
  unknown[21] &= 0xF0;
  for (int i = 22; i < 26; ++i) unknown[static_cast<std::size_t>(i)] = 0;
  // Its last block is shorter than the others, so it is provably the last frame.
  Verdict v = run(validate_flac, followed_by(unknown, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, item.size());
  // Cut at a frame boundary (a full-size frame last): partial unless zeros follow.
  const std::size_t second_frame_end = [&] {
    // The walk over the full file reports partial lengths at frame starts; find the third frame.
    for (std::size_t p = 8256 + 100; p + 1 < unknown.size(); ++p) {
      if (unknown[p] == 0xFF && unknown[p + 1] == 0xF8 && unknown[p + 4] == 0x02) return p;
    }
    return std::size_t{0};
  }();
  ASSERT_NE(second_frame_end, 0u);
  const Buffer head(unknown.begin(), unknown.begin() + static_cast<std::ptrdiff_t>(second_frame_end));
  v = run(validate_flac, followed_by(head, Filler::random));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  v = run(validate_flac, followed_by(head, Filler::zeros));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, head.size());
}

TEST(FlacValidator, ATrailingId3v1TagBelongsToTheItem) {
  FERRET_MEDIA_FIXTURE(item, "flac-sine.flac");
  Buffer tagged(item.begin(), item.end());
  Buffer tag(128, ' ');
  tag[0] = 'T', tag[1] = 'A', tag[2] = 'G';
  tagged.insert(tagged.end(), tag.begin(), tag.end());
  const Verdict v = run(validate_flac, followed_by(tagged, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, tagged.size());
}

TEST(FlacValidator, DamagedPaddingIsNotComplete) {
  FERRET_MEDIA_FIXTURE(item, "flac-sine.flac");
  Buffer bad(item.begin(), item.end());
  bad[4000] = 0x41;  // inside the 8 KiB padding block (64..8256), which must be zeros
  const Verdict v = run(validate_flac, followed_by(bad, Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, 60u);
}

TEST(FlacValidator, LyingBlockLengthIsNotComplete) {
  FERRET_MEDIA_FIXTURE(item, "flac-sine.flac");
  Buffer lie(item.begin(), item.end());
  // The padding block header (at 42 + 4 + 14 = 60) claims 16 MiB.
  lie[61] = 0xFF, lie[62] = 0xFF, lie[63] = 0xFF;
  HugeBytes huge(lie, 8ull << 30);
  const Verdict v = run_timed(validate_flac, huge);
  EXPECT_NE(v.status, Status::complete) << describe(v);
}

TEST(FlacValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const char* name : kFixtures) {
    Buffer b = read_fixture(name);
    // Without most of the padding, mutations reach the frames more often.
    b.erase(b.begin() + 64 + 16, b.begin() + 8256);
    b[61] = 0, b[62] = 0, b[63] = 16;
    seeds.push_back(std::move(b));
  }
  fuzz_validator(validate_flac, seeds, std::string_view("fLaC\x80\x00\x00\x22", 8), 0xF1AC);
}

}  // namespace
}  // namespace ferret::carve::media_test
