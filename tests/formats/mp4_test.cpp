// The ISO BMFF validator on ffmpeg-made MP4 (moov last, faststart, fragmented with mfra or with
// sidx), MOV, 3GP, M4A, and
// libheif-made HEIC and AVIF stills.
#include <gtest/gtest.h>

#include "carve/formats/formats.h"
#include "media_test_support.h"

namespace ferret::carve::media_test {
namespace {

using formats::validate_mp4;

struct Mp4Fixture {
  const char* name;
  const char* type;
  const char* ext;
};
constexpr Mp4Fixture kFixtures[] = {
    {"mp4-moov-last.mp4", "mp4", "mp4"}, {"mp4-faststart.mp4", "mp4", "mp4"}, {"mp4-fragmented.mp4", "mp4", "mp4"},
    {"mp4-fragmented-sidx.mp4", "mp4", "mp4"},
    {"mov-mpeg4-pcm.mov", "mov", "mov"}, {"3gp-h263.3gp", "3gp", "3gp"},     {"m4a-aac.m4a", "m4a", "m4a"},
    {"heic-still.heic", "heic", "heic"},  {"avif-still.avif", "avif", "avif"},
};

TEST(Mp4Validator, FixturesAreCompleteBeforeAnyFiller) {
  FERRET_MEDIA_FIXTURE(other, "mkv-h264-vorbis.mkv");
  for (const auto& f : kFixtures) {
    SCOPED_TRACE(f.name);
    FERRET_MEDIA_FIXTURE(item, f.name);
    expect_complete_before_fillers(validate_mp4, item, other, f.type, f.ext);
  }
}

TEST(Mp4Validator, AnotherMp4RightAfterIsNotPartOfTheItem) {
  FERRET_MEDIA_FIXTURE(a, "mp4-faststart.mp4");
  FERRET_MEDIA_FIXTURE(b, "mp4-moov-last.mp4");
  const Verdict v = run(validate_mp4, concat(a, b));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, a.size());
}

TEST(Mp4Validator, TruncatedIsNeverComplete) {
  for (const auto& f : kFixtures) {
    SCOPED_TRACE(f.name);
    FERRET_MEDIA_FIXTURE(item, f.name);
    expect_space_cut_not_complete(validate_mp4, item);
  }
}

TEST(Mp4Validator, OverwrittenIsNeverCompleteWithAWrongLength) {
  // Audio samples carry no checksum, so damage there cannot be seen; H.264 samples are checked
  // NAL unit by NAL unit, and boxes and tables by their structure.
  for (const auto& f : kFixtures) {
    SCOPED_TRACE(f.name);
    FERRET_MEDIA_FIXTURE(item, f.name);
    expect_overwritten_tail(validate_mp4, item, /*strict=*/false);
    expect_overwritten_middle(validate_mp4, item, /*strict=*/false);
  }
}

TEST(Mp4Validator, DamagedVideoSamplesAreSeen) {
  FERRET_MEDIA_FIXTURE(item, "mp4-faststart.mp4");
  // Video chunks start at 1629 and 2879 (the first sample opens with a 684-byte SEI NAL unit).
  // Damage that reaches a NAL length field is seen; damage inside one NAL unit's payload is not.
  struct Damage {
    std::size_t at, len;
  };
  for (const Damage d : {Damage{1629, 4}, Damage{2879, 4}, Damage{1700, 1000}}) {
    Buffer buf(item.begin(), item.end());
    overwrite_random(buf, d.at, d.len, d.at);
    const Verdict v = run(validate_mp4, buf);
    EXPECT_EQ(v.status, Status::partial) << d.len << " random bytes at " << d.at << ": " << describe(v);
  }
}

TEST(Mp4Validator, ZeroedSamplesAreSeenEvenInAudio) {
  // The end of the media data (AAC frames) zeroed from inside: an AAC frame never ends in 0.
  struct Case {
    const char* name;
    std::size_t mdat_end;
  };
  for (const Case c : {Case{"mp4-faststart.mp4", 6042}, Case{"m4a-aac.m4a", 3364}}) {
    FERRET_MEDIA_FIXTURE(item, c.name);
    for (std::size_t len : {300u, 40u, 1u}) {
      Buffer buf(item.begin(), item.end());
      std::fill(buf.begin() + static_cast<std::ptrdiff_t>(c.mdat_end - len), buf.begin() + static_cast<std::ptrdiff_t>(c.mdat_end), 0);
      const Verdict v = run(validate_mp4, followed_by(buf, Filler::zeros));
      EXPECT_NE(v.status, Status::complete) << c.name << ": " << len << " bytes zeroed: " << describe(v);
    }
  }
}

TEST(Mp4Validator, LyingBoxSizesAreFastAndNotComplete) {
  FERRET_MEDIA_FIXTURE(item, "mp4-moov-last.mp4");
  // ftyp (32) free (8) mdat at 40: claim 4 GiB - 16 in a space of 8 GiB of zeros.
  Buffer lie(item.begin(), item.end());
  put_u32be(lie, 40, 0xFFFFFFF0u);
  HugeBytes huge(lie, 8ull << 30);
  Verdict v = run_timed(validate_mp4, huge);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, 40u) << describe(v);
  // The same claim past the end of a small space.
  v = run(validate_mp4, followed_by(lie, Filler::random));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, 40u);
  // A 64-bit size of 2^63.
  Buffer large(item.begin(), item.begin() + 40);
  const std::uint8_t header[] = {0, 0, 0, 1, 'm', 'd', 'a', 't', 0x80, 0, 0, 0, 0, 0, 0, 0};
  large.insert(large.end(), std::begin(header), std::end(header));
  large.insert(large.end(), item.begin() + 48, item.end());
  v = run(validate_mp4, large);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  // A sample table claiming 2^32 entries.
  Buffer table(item.begin(), item.end());
  for (std::size_t p = 4461; p + 8 < table.size(); ++p) {
    if (table[p] == 's' && table[p + 1] == 't' && table[p + 2] == 'c' && table[p + 3] == 'o') {
      put_u32be(table, p + 8, 0xFFFFFFFFu);
      break;
    }
  }
  v = run(validate_mp4, table);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
}

TEST(Mp4Validator, ASizeZeroMdatIsPartial) {
  FERRET_MEDIA_FIXTURE(item, "mp4-faststart.mp4");
  Buffer zero(item.begin(), item.end());
  put_u32be(zero, 1621, 0);  // mdat (the last box) "runs to the end of the file"
  const Verdict v = run(validate_mp4, followed_by(zero, Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, 1621u);
}

TEST(Mp4Validator, FragmentsWithoutMfraNeedSomethingElseAfterThem) {
  FERRET_MEDIA_FIXTURE(item, "mp4-fragmented.mp4");
  const Buffer no_mfra(item.begin(), item.begin() + 9894);  // mfra at 9894
  Verdict v = run(validate_mp4, followed_by(no_mfra, Filler::zeros));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, no_mfra.size());
  v = run(validate_mp4, no_mfra);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  // Without its second fragment (moof at 4721) the first still checks out, but the mfra no longer does.
  Buffer dropped(item.begin(), item.begin() + 4721);
  dropped.insert(dropped.end(), item.begin() + 9894, item.end());
  v = run(validate_mp4, followed_by(dropped, Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
}

TEST(Mp4Validator, AnUnknownBoxAfterTheItemMakesItPartial) {
  FERRET_MEDIA_FIXTURE(item, "mp4-moov-last.mp4");
  Buffer extra(item.begin(), item.end());
  const std::uint8_t box[] = {0, 0, 0, 12, 'X', 't', 'r', 'a', 1, 2, 3, 4};
  extra.insert(extra.end(), std::begin(box), std::end(box));
  const Verdict v = run(validate_mp4, followed_by(extra, Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_EQ(v.length, item.size());
}

TEST(Mp4Validator, HeifItemsMustLieInTheMediaData) {
  FERRET_MEDIA_FIXTURE(item, "heic-still.heic");
  // Without its mdat the item locations point at nothing.
  std::size_t mdat = 0;
  for (std::size_t p = 0; p + 8 < item.size(); ++p) {
    if (item[p + 4] == 'm' && item[p + 5] == 'd' && item[p + 6] == 'a' && item[p + 7] == 't') {
      mdat = p;
      break;
    }
  }
  ASSERT_NE(mdat, 0u);
  const Buffer no_mdat(item.begin(), item.begin() + static_cast<std::ptrdiff_t>(mdat));
  const Verdict v = run(validate_mp4, followed_by(no_mdat, Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
}

TEST(Mp4Validator, AStillCutShortByTheNextFileIsPartial) {
  FERRET_MEDIA_FIXTURE(heic, "heic-still.heic");  // 1045 bytes, mdat from 454
  FERRET_MEDIA_FIXTURE(next, "mkv-h264-vorbis.mkv");
  // The still lost its tail at 600; the next file starts on the following sector boundary (1024),
  // inside what the still's mdat claims.
  Buffer space(heic.begin(), heic.begin() + 600);
  space.resize(1024, 0);
  space.insert(space.end(), next.begin(), next.end());
  const Verdict v = run(validate_mp4, space);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, 1024u);
}

TEST(Mp4Validator, AnotherFileInsidePaddingShowsTheItemIsNotWhereItClaims) {
  FERRET_MEDIA_FIXTURE(item, "mp4-faststart.mp4");  // 6042 bytes
  // A 2 KiB free box after the mdat: padding is not checked, so it belongs to the item...
  Buffer padded(item.begin(), item.end());
  Buffer free_box(2048, 0);
  put_u32be(free_box, 0, 2048);
  std::copy_n("free", 4, free_box.begin() + 4);
  padded.insert(padded.end(), free_box.begin(), free_box.end());
  Verdict v = run(validate_mp4, followed_by(padded, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, padded.size());
  // ...unless another file starts on a sector boundary inside it (6144 = 12 x 512).
  const std::uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F'};
  std::copy(std::begin(jpeg), std::end(jpeg), padded.begin() + 6144);
  v = run(validate_mp4, followed_by(padded, Filler::random));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, 6042u);
}

TEST(Mp4Validator, ChanceFtypIsRejected) {
  const std::string text = "xxxxftyp is not a box header at all, just text that happens to contain it";
  const Verdict v = run(validate_mp4, Buffer(text.begin(), text.end()));
  EXPECT_EQ(v.status, Status::rejected) << describe(v);
}

TEST(Mp4Validator, RespectsTheItemLimit) {
  FERRET_MEDIA_FIXTURE(item, "mp4-moov-last.mp4");
  Limits limits;
  limits.max_item = 5000;
  const Verdict v = run(validate_mp4, followed_by(item, Filler::zeros), limits);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, 5000u);
}

TEST(Mp4Validator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const auto& f : kFixtures) seeds.push_back(read_fixture(f.name));
  fuzz_validator(validate_mp4, seeds, std::string_view("\0\0\0\x18" "ftypisom\0\0\0\0isom", 20), 0x3504);
}

}  // namespace
}  // namespace ferret::carve::media_test
