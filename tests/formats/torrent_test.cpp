// Torrent validator and the bencode walker: mktorrent and multi-file torrents, lying lengths.
#include <chrono>

#include "carve/formats/bencode.h"
#include "carve/formats/formats.h"
#include "format_test_support.h"

namespace ferret::carve::test {
namespace {

using formats::validate_torrent;

const char* const kTorrents[] = {"torrent-mktorrent.torrent", "torrent-multifile.torrent"};

TEST(TorrentValidator, CompleteBeforeZerosRandomAndAnotherFile) {
  FERRET_FIXTURE(other, "torrent-multifile.torrent");
  for (const char* name : kTorrents) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(t, name);
    expect_complete_before_fillers(validate_torrent, t, other, "torrent", "torrent");
  }
}

TEST(TorrentValidator, TruncatedIsNeverComplete) {
  for (const char* name : kTorrents) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(t, name);
    expect_truncations_not_complete(validate_torrent, t, Truncation{.cuts = 60});
  }
}

TEST(TorrentValidator, WithoutAnInfoDictionaryIsPartial) {
  const Buffer b = bytes_of("d8:announce12:http://x/a/b7:comment3:abce");
  const Verdict v = run(validate_torrent, b);
  EXPECT_EQ(v.status, Status::partial);
  EXPECT_EQ(v.length, b.size());
}

TEST(TorrentValidator, LyingStringLengthIsFastAndNotComplete) {
  const Buffer head = bytes_of("d8:announce4294967296:http://tracker");
  EXPECT_NE(run(validate_torrent, head).status, Status::complete);
  HugeBytes huge(bytes_of("d8:announce9999999999:"), 8ull << 30, 'x');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(validate_torrent(huge, Limits{}).status, Status::complete);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), time_budget(2.0));
}

TEST(TorrentValidator, DeepNestingIsBounded) {
  std::string s = "d8:announce1:x4:info";
  s += std::string(100000, 'l');
  const Verdict v = run(validate_torrent, bytes_of(s));
  EXPECT_EQ(v.status, Status::partial);
  EXPECT_NE(v.missing.find("deep"), std::string::npos) << v.missing;
}

TEST(Bencode, ReadsValuesAndDictionaryEntries) {
  const Buffer b = bytes_of("d3:agei-42e4:listli1e2:abe4:name6:ferrete");
  MemoryBytes bytes(b);
  bencode::Reader r(bytes, b.size());
  const auto top = r.value(0);
  ASSERT_TRUE(top);
  EXPECT_EQ(top->kind, bencode::Kind::dict);
  EXPECT_EQ(top->end, b.size());
  const auto age = r.find(*top, "age");
  ASSERT_TRUE(age);
  EXPECT_EQ(age->integer, -42);
  const auto name = r.find(*top, "name");
  ASSERT_TRUE(name);
  EXPECT_TRUE(r.equals(*name, "ferret"));
  const auto list = r.find(*top, "list");
  ASSERT_TRUE(list);
  int elements = 0;
  EXPECT_TRUE(r.for_each_element(*list, [&](const bencode::Value&) { return ++elements, true; }));
  EXPECT_EQ(elements, 2);
  EXPECT_FALSE(r.find(*top, "missing"));
}

TEST(Bencode, RejectsNonCanonicalAndMalformedInput) {
  for (std::string_view bad : {"i-0e", "i03e", "ie", "03:abc", "d1:ae", "di1e1:ae", "l", "5:ab", "x", "i12"}) {
    const Buffer b = bytes_of(bad);
    MemoryBytes bytes(b);
    bencode::Reader r(bytes, b.size());
    EXPECT_FALSE(r.value(0)) << bad;
    EXPECT_NE(r.failure().error, bencode::Error::none) << bad;
  }
  const Buffer ok = bytes_of("i0e");
  MemoryBytes bytes(ok);
  bencode::Reader r(bytes, ok.size());
  EXPECT_TRUE(r.value(0));
}

TEST(TorrentValidator, OverwrittenMiddleIsNeverCompleteWithAWrongLength) {
  for (const char* name : kTorrents) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(t, name);
    expect_overwrites_never_misjudged(validate_torrent, t, 16);
  }
}

TEST(TorrentValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const char* name : kTorrents) seeds.push_back(read_fixture(name));
  fuzz_validator(validate_torrent, seeds, "d8:announce", 0x7077);
}

}  // namespace
}  // namespace ferret::carve::test
