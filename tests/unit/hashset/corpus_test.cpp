// The third-party corpus: every file of hashdeep's test fixtures is either a list we read (its
// digests and counts checked against what the file holds) or refused with the reason; TSK's
// testmd5.dat imports whole. Skips when the corpus is absent.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "hashset/format.h"
#include "hashset/import.h"
#include "test_support.h"

namespace ferret::hashset {
namespace {

ImportOptions options() {
  static const FixedClock clock(std::chrono::system_clock::from_time_t(1772000000));
  ImportOptions o;
  o.name = "corpus";
  o.category = Category::other;
  o.clock = &clock;
  return o;
}

DigestValue digest(const std::string& hex) { return *parse_hex_digest(*algorithm_for_hex_length(hex.size()), hex); }

std::string md5_of_file(const std::filesystem::path& p) { return hash::digest_all(ferret::test::read_file_bytes(p)).md5; }

// What importing one fixture gives: the set (when written) or the error.
struct Imported {
  Result<ImportOutcome> outcome = make_error(Errc::internal, "not run");
  std::optional<HashSetIndex> set;
};

Imported import_one(const std::filesystem::path& list, const std::filesystem::path& out) {
  Imported r;
  r.outcome = import_hashset({list}, out, options());
  if (r.outcome.ok() && r.outcome->written) {
    auto set = HashSetIndex::open(out);
    if (set.ok()) r.set.emplace(std::move(*set));
  }
  return r;
}

TEST(Corpus, EveryHashdeepFixtureIsReadOrRefusedWithItsReason) {
  FERRET_REQUIRE_CORPUS_FILE(nsrl, "hashdeep/tests/testfiles/nsrlfile.txt");
  const auto fixtures = nsrl.parent_path();
  ferret::test::TempDir dir;
  std::set<std::string> seen;
  for (const auto& e : std::filesystem::directory_iterator(fixtures)) seen.insert(e.path().filename().string());

  // known.txt: md5deep output with a junk line.
  {
    auto r = import_one(fixtures / "known.txt", dir / "known.set");
    ASSERT_TRUE(r.outcome.ok()) << r.outcome.error().message;
    EXPECT_EQ(r.outcome->sources[0].format, Format::md5sum);
    EXPECT_EQ(r.outcome->sources[0].lines, 2u);
    EXPECT_EQ(r.outcome->accepted, 1u);
    ASSERT_EQ(r.outcome->rejects.size(), 1u);
    EXPECT_EQ(r.outcome->rejects[0].line, 2u);
    EXPECT_EQ(r.outcome->rejects[0].reason, "not a checksum line: md5 is not hexadecimal ('h' at position 1)");
    ASSERT_TRUE(r.set);
    const auto ref = r.set->lookup(Algorithm::md5, digest("07ff3b8f4f2990192b595ca148d284bd").view());
    ASSERT_TRUE(ref);
    EXPECT_EQ(r.set->entry(*ref)->file_name, "ChangeLog");
    seen.erase("known.txt");
  }
  // bsd-hashes.txt: "MD5 (name) = hash"; every hash is the MD5 of the fixture it names.
  {
    auto r = import_one(fixtures / "bsd-hashes.txt", dir / "bsd.set");
    ASSERT_TRUE(r.outcome.ok()) << r.outcome.error().message;
    EXPECT_EQ(r.outcome->sources[0].format, Format::md5sum);
    EXPECT_EQ(r.outcome->accepted, 5u);
    EXPECT_EQ(r.outcome->rejected, 0u);
    ASSERT_TRUE(r.set);
    EXPECT_EQ(r.set->count(Algorithm::md5), 5u);
    for (const std::string name : {"copying.txt", "deadbeef.txt", "foo.txt", "install.txt", "one-byte-file.txt"}) {
      const auto ref = r.set->lookup(Algorithm::md5, digest(md5_of_file(fixtures / name)).view());
      ASSERT_TRUE(ref) << name;
      EXPECT_EQ(r.set->entry(*ref)->file_name, name);
    }
    seen.erase("bsd-hashes.txt");
  }
  // nsrlfile.txt: NSRL RDS 2.x, two rows; the second is the empty file, so zero-byte-file.txt matches.
  {
    auto r = import_one(fixtures / "nsrlfile.txt", dir / "nsrl.set");
    ASSERT_TRUE(r.outcome.ok()) << r.outcome.error().message;
    const SourceReport& s = r.outcome->sources[0];
    EXPECT_EQ(s.format, Format::nsrl_rds2);
    EXPECT_EQ(s.lines, 3u);
    EXPECT_EQ(s.accepted, 2u);
    EXPECT_EQ(s.rejected, 0u);
    EXPECT_EQ(s.sha256, "e8eac40c786c084a9a05ab27eef7d3f01308308306a862bef485ad022df93105");  // the corpus manifest's
    EXPECT_EQ(s.ignored_columns, (std::vector<std::string>{"CRC32", "ProductCode", "OpSystemCode", "SpecialCode"}));
    ASSERT_TRUE(r.set);
    EXPECT_EQ(r.set->count(Algorithm::md5), 2u);
    EXPECT_EQ(r.set->count(Algorithm::sha1), 2u);
    const auto dll = r.set->lookup(Algorithm::sha1, digest("C00002DED6E03A93513D4EA144486B2E33A3AC83").view());
    const auto dll_md5 = r.set->lookup(Algorithm::md5, digest("1A86E99CD4191117BFB48492E6049DCB").view());
    ASSERT_TRUE(dll && dll_md5);
    EXPECT_EQ(dll->index, dll_md5->index);  // one entry, both digests
    EXPECT_EQ(r.set->entry(*dll)->file_name, "hticons.dll");
    EXPECT_EQ(r.set->entry(*dll)->size, 29456u);
    const auto empty = r.set->lookup(Algorithm::md5, digest(md5_of_file(fixtures / "zero-byte-file.txt")).view());
    ASSERT_TRUE(empty);
    EXPECT_EQ(r.set->entry(*empty)->file_name, "    ___");
    EXPECT_EQ(r.set->entry(*empty)->size, 0u);
    EXPECT_TRUE(r.set->lookup(Algorithm::sha1, digest("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709").view()));
    seen.erase("nsrlfile.txt");
  }
  // ilookv4.hsh: an iLook v4 export, a list we know and do not read.
  {
    auto r = import_one(fixtures / "ilookv4.hsh", dir / "ilook.set");
    ASSERT_FALSE(r.outcome.ok());
    EXPECT_EQ(r.outcome.error().code, Errc::unsupported);
    EXPECT_NE(r.outcome.error().message.find("ilookv4.hsh: it is an iLook hash export (first column 'V4Hash'), a format Ferret does not read"),
              std::string::npos)
        << r.outcome.error().message;
    seen.erase("ilookv4.hsh");
  }
  // zero-byte-file.txt: empty.
  {
    auto r = import_one(fixtures / "zero-byte-file.txt", dir / "zero.set");
    ASSERT_FALSE(r.outcome.ok());
    EXPECT_NE(r.outcome.error().message.find("zero-byte-file.txt: it is empty"), std::string::npos) << r.outcome.error().message;
    seen.erase("zero-byte-file.txt");
  }
  // The rest are the files those lists describe, not lists.
  for (const std::string name : {"1072-at.txt", "1072-plus.txt", "copying.txt", "deadbeef.txt", "foo.txt", "install.txt", "one-byte-file.txt"}) {
    auto r = import_one(fixtures / name, dir / "text.set");
    ASSERT_FALSE(r.outcome.ok()) << name;
    EXPECT_EQ(r.outcome.error().code, Errc::unsupported) << name;
    EXPECT_NE(r.outcome.error().message.find(name + ": cannot tell its format"), std::string::npos) << r.outcome.error().message;
    seen.erase(name);
  }
  EXPECT_TRUE(seen.empty()) << "a fixture this test does not know: " << *seen.begin();
  EXPECT_FALSE(std::filesystem::exists(dir / "ilook.set"));
  EXPECT_FALSE(std::filesystem::exists(dir / "text.set"));
}

// TSK's md5sum-format test list (bindings/java/test/data): every line imports with its name.
TEST(Corpus, TskTestMd5DatImportsEveryLine) {
  FERRET_REQUIRE_CORPUS_FILE(list, "sleuthkit/bindings/java/test/data/testmd5.dat");
  ferret::test::TempDir dir;
  auto r = import_one(list, dir / "tsk.set");
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.error().message;
  EXPECT_EQ(r.outcome->sources[0].format, Format::md5sum);
  EXPECT_EQ(r.outcome->sources[0].sha256, "acec8a089b1e9d507062fbf5e7cee263ee83a28516a36779a61715b264477c85");
  EXPECT_EQ(r.outcome->accepted, 28u);
  EXPECT_EQ(r.outcome->rejected, 0u);
  ASSERT_TRUE(r.set);
  EXPECT_EQ(r.set->count(Algorithm::md5), 28u);
  std::ifstream in(list);
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string hex = line.substr(0, 32);
    const std::string name = line.substr(34);  // "HEX *name": binary mode
    const auto ref = r.set->lookup(Algorithm::md5, digest(hex).view());
    ASSERT_TRUE(ref) << line;
    EXPECT_EQ(r.set->entry(*ref)->file_name, name);
    ++checked;
  }
  EXPECT_EQ(checked, 28);
}

}  // namespace
}  // namespace ferret::hashset
