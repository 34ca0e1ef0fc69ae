// The MP3 validator on ffmpeg- and LAME-made files: CBR with ID3v2/Info/ID3v1, VBR with Xing, bare frames.
#include <gtest/gtest.h>

#include "carve/formats/formats.h"
#include "media_test_support.h"

namespace ferret::carve::media_test {
namespace {

using formats::validate_mp3;

// Files that prove their own start and end (ID3v2 or an encoder header; counts, CRC, ID3v1).
constexpr const char* kComplete[] = {"mp3-cbr-id3.mp3", "mp3-vbr-xing.mp3", "mp3-lame-vbr.mp3"};

// An ID3v2.3 tag with one TIT2 frame, as taggers write it.
Buffer id3v2_tag() {
  const std::string title = "\x03" "Carved";  // UTF-8 text
  Buffer tag = {'I', 'D', '3', 3, 0, 0, 0, 0, 0, 0};
  const std::uint32_t frame_size = static_cast<std::uint32_t>(title.size());
  const Buffer frame = {'T', 'I', 'T', '2', 0, 0, 0, static_cast<std::uint8_t>(frame_size), 0, 0};
  tag.insert(tag.end(), frame.begin(), frame.end());
  tag.insert(tag.end(), title.begin(), title.end());
  tag.resize(tag.size() + 16, 0);  // padding
  tag[9] = static_cast<std::uint8_t>(tag.size() - 10);
  return tag;
}

Buffer id3v1_tag() {
  Buffer tag(128, 0);
  std::copy_n("TAGCarved", 9, tag.begin());
  tag[127] = 0xFF;
  return tag;
}

TEST(Mp3Validator, FixturesAreCompleteBeforeAnyFiller) {
  FERRET_MEDIA_FIXTURE(other, "ogg-vorbis.ogg");
  for (const char* name : kComplete) {
    SCOPED_TRACE(name);
    FERRET_MEDIA_FIXTURE(item, name);
    expect_complete_before_fillers(validate_mp3, item, other, "mp3", "mp3");
  }
}

TEST(Mp3Validator, BareFramesAreNeverComplete) {
  // Without an ID3v2 tag or an encoder header nothing shows this is a file's start rather than
  // the rest of a stream whose head was overwritten: partial, however clean the end.
  for (const char* name : {"mp3-raw-frames.mp3", "mp3-mpeg1-id3v1.mp3"}) {
    SCOPED_TRACE(name);
    FERRET_MEDIA_FIXTURE(item, name);
    for (Filler f : {Filler::zeros, Filler::random}) {
      const Verdict v = run(validate_mp3, followed_by(item, f));
      EXPECT_EQ(v.status, Status::partial) << filler_name(f) << ": " << describe(v);
      EXPECT_LE(v.length, item.size());
    }
  }
  // With an ID3v1 tag the partial covers the whole file.
  FERRET_MEDIA_FIXTURE(tagged, "mp3-mpeg1-id3v1.mp3");
  EXPECT_EQ(run(validate_mp3, followed_by(tagged, Filler::random)).length, tagged.size());
}

TEST(Mp3Validator, AnId3v2TagMakesAStartAndTheEndNeedsEvidence) {
  FERRET_MEDIA_FIXTURE(raw, "mp3-raw-frames.mp3");
  const Buffer item = concat(id3v2_tag(), raw);
  // Zeros or another file after the last frame end it; random bytes or the end of the space do not.
  FERRET_MEDIA_FIXTURE(other, "mkv-h264-vorbis.mkv");
  for (const Buffer& space : {followed_by(item, Filler::zeros), followed_by(item, Filler::other_file, 4096, other)}) {
    const Verdict v = run(validate_mp3, space);
    EXPECT_EQ(v.status, Status::complete) << describe(v);
    EXPECT_EQ(v.length, item.size());
  }
  for (const Buffer& space : {followed_by(item, Filler::random), item}) {
    const Verdict v = run(validate_mp3, space);
    EXPECT_EQ(v.status, Status::partial) << describe(v);
    EXPECT_LE(v.length, item.size());
  }
  // An ID3v1 tag after the frames ends it whatever follows.
  const Buffer with_v1 = concat(item, id3v1_tag());
  Verdict v = run(validate_mp3, followed_by(with_v1, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, with_v1.size());
  // Zeros from inside the last frame on (its header intact) are a damaged tail, not an end.
  Buffer zeroed(item.begin(), item.end());
  std::fill(zeroed.end() - 60, zeroed.end(), 0);
  v = run(validate_mp3, followed_by(zeroed, Filler::zeros));
  EXPECT_NE(v.status, Status::complete) << describe(v);
}

TEST(Mp3Validator, LayerTwoIsTypedMp2) {
  FERRET_MEDIA_FIXTURE(raw, "mp2-layer2.mp2");
  Verdict v = run(validate_mp3, followed_by(raw, Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);  // bare frames
  EXPECT_EQ(v.extension, "mp2");
  const Buffer item = concat(id3v2_tag(), raw);
  v = run(validate_mp3, followed_by(item, Filler::zeros));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, item.size());
  EXPECT_EQ(v.type, "mp2");
}

TEST(Mp3Validator, AVbriHeaderMakesBareFramesAFile) {
  FERRET_MEDIA_FIXTURE(raw, "mp3-raw-frames.mp3");  // 60 frames of 130/131 bytes, no header
  Buffer item(raw.begin(), raw.end());
  // Fraunhofer's VBRI header 32 bytes after the first frame's header: version, delay, quality,
  // stream bytes, frames.
  const std::uint8_t vbri[] = {'V', 'B', 'R', 'I', 0, 1, 0x04, 0x00, 0, 75};
  std::copy(std::begin(vbri), std::end(vbri), item.begin() + 36);
  put_u32be(item, 46, static_cast<std::uint32_t>(item.size()));
  put_u32be(item, 50, 60);
  Verdict v = run(validate_mp3, followed_by(item, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, item.size());
  // Counts that miss the stream's end by a frame: partial.
  put_u32be(item, 46, static_cast<std::uint32_t>(item.size() - 130));
  v = run(validate_mp3, followed_by(item, Filler::random));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
}

TEST(Mp3Validator, ApeAndLyricsTagsBeforeId3v1BelongToTheItem) {
  FERRET_MEDIA_FIXTURE(raw, "mp3-raw-frames.mp3");
  // APEv2 with header and footer: 32-byte header, one item, 32-byte footer.
  Buffer ape;
  const std::string item_text = "Title";
  Buffer items = {static_cast<std::uint8_t>(item_text.size()), 0, 0, 0, 0, 0, 0, 0, 'T', 'i', 't', 'l', 'e', 0};
  items.insert(items.end(), item_text.begin(), item_text.end());
  auto ape_block = [&](bool header) {
    Buffer b = {'A', 'P', 'E', 'T', 'A', 'G', 'E', 'X', 0xD0, 0x07, 0, 0};
    const std::uint32_t size = static_cast<std::uint32_t>(items.size() + 32);
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
    b.insert(b.end(), {1, 0, 0, 0});
    const std::uint32_t flags = (1u << 31) | (header ? 1u << 29 : 0);
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(flags >> (8 * i)));
    b.resize(32, 0);
    return b;
  };
  ape = ape_block(true);
  ape.insert(ape.end(), items.begin(), items.end());
  const Buffer footer = ape_block(false);
  ape.insert(ape.end(), footer.begin(), footer.end());
  const std::string lyrics = "LYRICSBEGININD0000200";
  Buffer lyrics3(lyrics.begin(), lyrics.end());
  const std::string size = std::to_string(lyrics3.size());
  const std::string tail = std::string(6 - size.size(), '0') + size + "LYRICS200";
  lyrics3.insert(lyrics3.end(), tail.begin(), tail.end());

  Buffer item = concat(id3v2_tag(), raw);
  item = concat(item, ape);
  item = concat(item, lyrics3);
  item = concat(item, id3v1_tag());
  const Verdict v = run(validate_mp3, followed_by(item, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, item.size());
}

TEST(Mp3Validator, AStreamFromItsMiddleIsNotAFile) {
  FERRET_MEDIA_FIXTURE(item, "mp3-cbr-id3.mp3");
  // Every frame start after the first few: never complete (the scanner tries each one).
  std::size_t tried = 0;
  for (std::size_t p = 600; p + 4 < item.size() - 128; ++p) {
    if (item[p] != 0xFF || (item[p + 1] & 0xE0) != 0xE0) continue;
    const Verdict v = run(validate_mp3, followed_by(Buffer(item.begin() + static_cast<std::ptrdiff_t>(p), item.end()), Filler::zeros));
    EXPECT_NE(v.status, Status::complete) << "from " << p << ": " << describe(v);
    ++tried;
  }
  EXPECT_GT(tried, 10u);
}

TEST(Mp3Validator, TruncatedOrOverwrittenIsNeverComplete) {
  for (const char* name : kComplete) {
    SCOPED_TRACE(name);
    FERRET_MEDIA_FIXTURE(item, name);
    expect_space_cut_not_complete(validate_mp3, item);
    // The Info/Xing counts and LAME's music CRC cover every audio byte; the 128-byte ID3v1 tag is
    // not covered by anything, so overwrites inside it cannot be seen.
    expect_overwritten_tail(validate_mp3, item, /*strict=*/false);
    expect_overwritten_middle(validate_mp3, item, /*strict=*/true);
  }
  FERRET_MEDIA_FIXTURE(vbr, "mp3-vbr-xing.mp3");  // no ID3v1: every cut is seen
  expect_overwritten_tail(validate_mp3, vbr, /*strict=*/true);
}

TEST(Mp3Validator, TheSpaceEndingInsideTheId3v1TagIsNotComplete) {
  FERRET_MEDIA_FIXTURE(item, "mp3-cbr-id3.mp3");
  const std::size_t tag = item.size() - 128;
  for (std::size_t cut : {tag + 1, tag + 2, tag + 3, tag + 100}) {
    const Verdict v = run(validate_mp3, std::span<const std::uint8_t>(item).subspan(0, cut));
    EXPECT_EQ(v.status, Status::partial) << "space ends at " << cut << ": " << describe(v);
    EXPECT_LE(v.length, tag);
  }
}

TEST(Mp3Validator, DamagedId3v2PaddingIsNotComplete) {
  FERRET_MEDIA_FIXTURE(raw, "mp3-raw-frames.mp3");
  Buffer item = concat(id3v2_tag(), raw);
  item[30] = 0x55;  // inside the tag's zero padding
  const Verdict v = run(validate_mp3, followed_by(concat(item, id3v1_tag()), Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
}

TEST(Mp3Validator, WrongCountsAreNotComplete) {
  FERRET_MEDIA_FIXTURE(item, "mp3-vbr-xing.mp3");
  // The Xing frame count (after "Xing" and the flags, at 33 + 8).
  Buffer frames(item.begin(), item.end());
  put_u32be(frames, 33 + 8, 59);
  EXPECT_EQ(run(validate_mp3, followed_by(frames, Filler::zeros)).status, Status::partial);
  Buffer bytes(item.begin(), item.end());
  put_u32be(bytes, 33 + 12, 2315 - 1);
  EXPECT_EQ(run(validate_mp3, followed_by(bytes, Filler::zeros)).status, Status::partial);
  // A count of 4 billion frames in a huge space of zeros: fast, not complete.
  Buffer lie(item.begin(), item.end());
  put_u32be(lie, 33 + 8, 0xFFFFFFF0u);
  put_u32be(lie, 33 + 12, 0xFFFFFFF0u);
  HugeBytes huge(lie, 8ull << 30);
  EXPECT_EQ(run_timed(validate_mp3, huge).status, Status::partial);
}

TEST(Mp3Validator, AHugeId3SizeIsFastAndNotComplete) {
  FERRET_MEDIA_FIXTURE(item, "mp3-cbr-id3.mp3");
  Buffer lie(item.begin(), item.end());
  lie[6] = lie[7] = lie[8] = lie[9] = 0x7F;  // 256 MiB
  HugeBytes huge(lie, 8ull << 30);
  Verdict v = run_timed(validate_mp3, huge);
  EXPECT_NE(v.status, Status::complete) << describe(v);
  v = run(validate_mp3, followed_by(lie, Filler::random));
  EXPECT_NE(v.status, Status::complete) << describe(v);
  EXPECT_LE(v.length, 57u) << describe(v);  // at most the tag's frames that are there
}

TEST(Mp3Validator, FlacBehindAnId3v2TagIsCarvedAsFlac) {
  FERRET_MEDIA_FIXTURE(flac, "flac-sine.flac");
  const Buffer item = concat(id3v2_tag(), flac);
  const Verdict v = run(validate_mp3, followed_by(item, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, item.size());
  EXPECT_EQ(v.type, "flac");
}

TEST(Mp3Validator, ChanceFrameSyncIsRejected) {
  Buffer noise = random_bytes(4096, 77);
  noise[0] = 0xFF, noise[1] = 0xFB, noise[2] = 0x90, noise[3] = 0x64;
  const Verdict v = run(validate_mp3, noise);
  EXPECT_EQ(v.status, Status::rejected) << describe(v);
}

TEST(Mp3Validator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const char* name : {"mp3-cbr-id3.mp3", "mp3-vbr-xing.mp3", "mp3-raw-frames.mp3", "mp3-lame-vbr.mp3"}) {
    seeds.push_back(read_fixture(name));
  }
  fuzz_validator(validate_mp3, seeds, std::string_view("ID3\x03\0\0\0\0\0\x20", 10), 0x3903);
  fuzz_validator(validate_mp3, seeds, std::string_view("\xFF\xFB\x90\x64", 4), 0x3904);
}

}  // namespace
}  // namespace ferret::carve::media_test
