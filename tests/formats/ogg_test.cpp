// The Ogg validator on ffmpeg-made Vorbis, Opus, Theora+Vorbis and FLAC-in-Ogg files.
#include <gtest/gtest.h>

#include "carve/formats/formats.h"
#include "media_test_support.h"

namespace ferret::carve::media_test {
namespace {

using formats::validate_ogg;

struct OggFixture {
  const char* name;
  const char* type;
  const char* ext;
};
constexpr OggFixture kFixtures[] = {
    {"ogg-vorbis.ogg", "ogg", "ogg"},
    {"ogg-opus.opus", "opus", "opus"},
    {"ogg-theora-vorbis.ogv", "ogv", "ogv"},
    {"ogg-flac.oga", "oga", "oga"},
};

TEST(OggValidator, FixturesAreCompleteBeforeAnyFiller) {
  FERRET_MEDIA_FIXTURE(other, "mp4-faststart.mp4");
  for (const auto& f : kFixtures) {
    SCOPED_TRACE(f.name);
    FERRET_MEDIA_FIXTURE(item, f.name);
    expect_complete_before_fillers(validate_ogg, item, other, f.type, f.ext);
  }
}

TEST(OggValidator, TruncatedOrOverwrittenIsNeverComplete) {
  // Every page has a CRC and every stream must reach its EOS page: nothing after a cut passes.
  for (const auto& f : kFixtures) {
    SCOPED_TRACE(f.name);
    FERRET_MEDIA_FIXTURE(item, f.name);
    expect_space_cut_not_complete(validate_ogg, item);
    expect_overwritten_tail(validate_ogg, item, /*strict=*/true);
    expect_overwritten_middle(validate_ogg, item, /*strict=*/true);
  }
}

TEST(OggValidator, AMissingPageIsPartialUpToTheGap) {
  FERRET_MEDIA_FIXTURE(item, "ogg-vorbis.ogg");
  // Pages at 0 (58 bytes), 58 (3303), 3361 (1088), 4449 (570, EOS): drop the third.
  Buffer gap(item.begin(), item.begin() + 3361);
  gap.insert(gap.end(), item.begin() + 4449, item.end());
  const Verdict v = run(validate_ogg, followed_by(gap, Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_EQ(v.length, 3361u) << describe(v);
}

TEST(OggValidator, ChainedFilesAreOneItemAndAPageOfAnotherStreamEndsIt) {
  FERRET_MEDIA_FIXTURE(a, "ogg-vorbis.ogg");
  FERRET_MEDIA_FIXTURE(b, "ogg-opus.opus");
  // Two files one after the other are a chained Ogg stream: one item.
  const Buffer chained = concat(a, b);
  Verdict v = run(validate_ogg, followed_by(chained, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, chained.size());
  // A data page (not BOS) of some other stream right after the end is not part of the item.
  const Buffer tail(b.begin() + 121, b.end());  // the Opus file from its third page
  const Buffer joined = concat(a, tail);
  v = run(validate_ogg, joined);
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, a.size());
}

// An Ogg page (version 0) with one packet, its CRC computed here independently of the validator.
Buffer ogg_page(std::uint8_t flags, std::uint32_t serial, std::uint32_t sequence, const Buffer& packet) {
  Buffer p = {'O', 'g', 'g', 'S', 0, flags, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) p.push_back(static_cast<std::uint8_t>(serial >> (8 * i)));
  for (int i = 0; i < 4; ++i) p.push_back(static_cast<std::uint8_t>(sequence >> (8 * i)));
  p.insert(p.end(), 4, 0);  // CRC, filled below
  std::size_t left = packet.size();
  Buffer lacing;
  do {
    lacing.push_back(static_cast<std::uint8_t>(std::min<std::size_t>(left, 255)));
    left -= std::min<std::size_t>(left, 255);
  } while (lacing.back() == 255);
  p.push_back(static_cast<std::uint8_t>(lacing.size()));
  p.insert(p.end(), lacing.begin(), lacing.end());
  p.insert(p.end(), packet.begin(), packet.end());
  std::uint32_t crc = 0;
  for (std::uint8_t b : p) {
    crc ^= static_cast<std::uint32_t>(b) << 24;
    for (int k = 0; k < 8; ++k) crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
  }
  for (int i = 0; i < 4; ++i) p[22 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc >> (8 * i));
  return p;
}

// A one-stream Ogg file of exactly `size` bytes: a BOS page and an EOS page.
Buffer ogg_file(std::uint32_t serial, std::size_t size) {
  Buffer head = {0x01, 'v', 'o', 'r', 'b', 'i', 's'};
  Buffer file = ogg_page(0x02, serial, 0, head);
  const std::size_t eos_overhead = 27 + 1 + (size - file.size() - 28) / 255;
  Buffer body(size - file.size() - eos_overhead, 0x5A);
  const Buffer eos = ogg_page(0x04, serial, 1, body);
  file.insert(file.end(), eos.begin(), eos.end());
  return file;
}

TEST(OggValidator, AChainOnASectorBoundaryIsTheNextFile) {
  // Chained inside a file: the next chain starts anywhere.
  const Buffer a = ogg_file(1, 700), b = ogg_file(2, 900);
  ASSERT_EQ(a.size(), 700u);
  Verdict v = run(validate_ogg, followed_by(concat(a, b), Filler::zeros));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, a.size() + b.size());
  // A file of 1024 bytes directly followed by another Ogg: files start on sectors, so it is two.
  const Buffer c = ogg_file(3, 1024);
  ASSERT_EQ(c.size(), 1024u);
  v = run(validate_ogg, followed_by(concat(c, b), Filler::zeros));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, c.size());
}

TEST(OggValidator, ADataPageIsNotAStart) {
  FERRET_MEDIA_FIXTURE(item, "ogg-vorbis.ogg");
  const Buffer from_second_page(item.begin() + 58, item.end());
  const Verdict v = run(validate_ogg, from_second_page);
  EXPECT_EQ(v.status, Status::rejected) << describe(v);
}

TEST(OggValidator, RespectsTheItemLimit) {
  FERRET_MEDIA_FIXTURE(item, "ogg-vorbis.ogg");
  Limits limits;
  limits.max_item = 4000;
  const Verdict v = run(validate_ogg, followed_by(item, Filler::zeros), limits);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_LE(v.length, 4000u);
}

TEST(OggValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const auto& f : kFixtures) seeds.push_back(read_fixture(f.name));
  fuzz_validator(validate_ogg, seeds, std::string_view("OggS\0\x02", 6), 0x0665);
}

}  // namespace
}  // namespace ferret::carve::media_test
