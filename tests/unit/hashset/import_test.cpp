// Import: external sort with a tiny budget equals the in-memory path, deduplication across runs,
// and the bad-input rules (rejects, nothing imported, empty files, damaged gzip, interruption).
#include "hashset/import.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>

#include "hashset/format.h"
#include "hashset/json_reader.h"
#include "hashset_test_support.h"
#include "test_support.h"

namespace ferret::hashset {
namespace {

std::string md5_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).md5; }
std::string sha1_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).sha1; }
std::string sha256_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).sha256; }

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  if (!text.empty()) std::memcpy(bytes.data(), text.data(), text.size());
  ferret::test::write_file_bytes(p, bytes);
}

const FixedClock& fixed_clock() {
  static const FixedClock clock(std::chrono::system_clock::from_time_t(1772000000));
  return clock;
}

ImportOptions options_with(std::uint64_t budget) {
  ImportOptions o;
  o.name = "budget test";
  o.category = Category::known_good;
  o.clock = &fixed_clock();
  o.memory_budget = budget;
  return o;
}

std::vector<std::string> dir_listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

DigestValue digest(const std::string& hex) { return *parse_hex_digest(*algorithm_for_hex_length(hex.size()), hex); }

// 3,000 md5sum lines where every 7th repeats an earlier hash under another name, and a hashdeep list
// with md5+sha1+sha256 that overlaps the md5sum list.
class Lists : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string md5s;
    for (int i = 0; i < 3000; ++i) {
      const int content = i % 7 == 6 ? i / 2 : i;
      const std::string h = md5_of("c" + std::to_string(content));
      md5s += h + "  md5list/" + std::to_string(i) + "\n";
      md5_first_name.emplace(h, "md5list/" + std::to_string(i));  // keeps the first
      md5_set.insert(h);
    }
    std::string deep = "%%%% HASHDEEP-1.0\n%%%% size,md5,sha1,sha256,filename\n";
    for (int i = 2500; i < 4000; ++i) {
      const std::string c = "c" + std::to_string(i);
      deep += std::to_string(i) + "," + md5_of(c) + "," + sha1_of(c) + "," + sha256_of(c) + ",/deep/" + std::to_string(i) + ", with comma\n";
      md5_first_name.emplace(md5_of(c), "/deep/" + std::to_string(i) + ", with comma");
      md5_set.insert(md5_of(c));
    }
    write_text(dir / "a.md5", md5s);
    write_text(dir / "b.hashdeep", deep);
  }

  ferret::test::TempDir dir;
  std::set<std::string> md5_set;
  std::map<std::string, std::string> md5_first_name;
};

TEST_F(Lists, TinyBudgetManyRunsGivesTheSameFileAsOneInMemorySort) {
  auto big = import_hashset({dir / "a.md5", dir / "b.hashdeep"}, dir / "big.set", options_with(kDefaultMemoryBudget));
  ASSERT_TRUE(big.ok()) << big.error().message;
  EXPECT_EQ(big->runs, 0u);
  auto tiny = import_hashset({dir / "a.md5", dir / "b.hashdeep"}, dir / "tiny.set", options_with(4096));
  ASSERT_TRUE(tiny.ok()) << tiny.error().message;
  EXPECT_GT(tiny->runs, 40u);  // hundreds of records per run, merged two at a time
  EXPECT_EQ(ferret::test::read_file_bytes(dir / "big.set"), ferret::test::read_file_bytes(dir / "tiny.set"));

  auto set = HashSetIndex::open(dir / "tiny.set");
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE(set->verify().ok());
  EXPECT_EQ(set->count(Algorithm::md5), md5_set.size());
  EXPECT_EQ(set->count(Algorithm::sha1), 1500u);
  EXPECT_EQ(set->count(Algorithm::sha256), 1500u);
  ASSERT_EQ(tiny->counts.size(), 3u);
  EXPECT_EQ(tiny->counts[0].hashes, md5_set.size());
  EXPECT_EQ(tiny->counts[0].duplicates, 3000u + 1500u - md5_set.size());
  // Duplicates keep the first occurrence's metadata, across runs too.
  for (const auto& [hex, name] : md5_first_name) {
    const auto ref = set->lookup(Algorithm::md5, digest(hex).view());
    ASSERT_TRUE(ref) << hex;
    EXPECT_EQ(set->entry(*ref)->file_name, name);
  }
  // The three digests of one hashdeep line lead to the same entry.
  const std::string c = "c3999";
  const auto by_md5 = set->lookup(Algorithm::md5, digest(md5_of(c)).view());
  const auto by_sha1 = set->lookup(Algorithm::sha1, digest(sha1_of(c)).view());
  const auto by_sha256 = set->lookup(Algorithm::sha256, digest(sha256_of(c)).view());
  ASSERT_TRUE(by_md5 && by_sha1 && by_sha256);
  EXPECT_EQ(by_md5->index, by_sha1->index);
  EXPECT_EQ(by_md5->index, by_sha256->index);
  EXPECT_EQ(set->entry(*by_md5)->size, 3999u);
  // No temporary file or directory is left behind.
  EXPECT_EQ(dir_listing(dir.path()), (std::vector<std::string>{"a.md5", "b.hashdeep", "big.set", "tiny.set"}));
}

TEST(Import, AnEntryWithMetadataWinsOverABareHash) {
  ferret::test::TempDir dir;
  const std::string h = md5_of("x");
  write_text(dir / "list.md5", h + "\n" + h + "  named\n" + h + "  later\n");
  for (std::uint64_t budget : {std::uint64_t{4096}, kDefaultMemoryBudget}) {
    const auto out = dir / ("set-" + std::to_string(budget));
    auto r = import_hashset({dir / "list.md5"}, out, options_with(budget));
    ASSERT_TRUE(r.ok());
    auto set = HashSetIndex::open(out);
    ASSERT_TRUE(set.ok());
    const auto ref = set->lookup(Algorithm::md5, digest(h).view());
    ASSERT_TRUE(ref);
    EXPECT_EQ(set->entry(*ref)->file_name, "named");
    EXPECT_EQ(r->counts[0].duplicates, 2u);
  }
}

TEST(Import, RejectedLinesAreRecordedAndTheRestImported) {
  ferret::test::TempDir dir;
  std::string text;
  for (int i = 0; i < 30; ++i) text += i % 3 == 1 ? "garbage line " + std::to_string(i) + "\n" : md5_of(std::to_string(i)) + "  f" + std::to_string(i) + "\n";
  write_text(dir / "mixed.md5", text);
  auto options = options_with(kDefaultMemoryBudget);
  options.rejects_kept = 5;
  auto r = import_hashset({dir / "mixed.md5"}, dir / "set", options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->written);
  EXPECT_EQ(r->accepted, 20u);
  EXPECT_EQ(r->rejected, 10u);
  ASSERT_EQ(r->rejects.size(), 5u);
  EXPECT_EQ(r->rejects[0].line, 2u);
  EXPECT_EQ(r->rejects[4].line, 14u);
  auto set = HashSetIndex::open(dir / "set");
  ASSERT_TRUE(set.ok());
  auto meta = json::parse(set->metadata_json());
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->uint_or("rejected"), 10u);
  EXPECT_EQ(meta->uint_or("rejects_kept"), 5u);
  ASSERT_EQ(meta->find("rejects")->items.size(), 5u);
  EXPECT_EQ(meta->find("rejects")->items[1].uint_or("line"), 5u);
  EXPECT_EQ(meta->find("rejects")->items[1].string_or("reason"), "not a checksum line: md5 is not hexadecimal ('g' at position 1)");
}

TEST(Import, NothingImportableWritesNothing) {
  ferret::test::TempDir dir;
  write_text(dir / "bad.md5", std::string(md5_of("a")).substr(1) + "  short\nzz  not hex at all but sum-looking\n" + md5_of("b") + "0  long\n");
  auto options = options_with(kDefaultMemoryBudget);
  options.format = Format::md5sum;
  auto r = import_hashset({dir / "bad.md5"}, dir / "set", options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->written);
  EXPECT_EQ(r->rejected, 3u);
  EXPECT_EQ(dir_listing(dir.path()), std::vector<std::string>{"bad.md5"});

  write_text(dir / "empty.md5", "");
  auto empty = import_hashset({dir / "empty.md5"}, dir / "set", options_with(kDefaultMemoryBudget));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty.md5: it is empty"), std::string::npos) << empty.error().message;
  auto missing = import_hashset({dir / "absent.md5"}, dir / "set", options_with(kDefaultMemoryBudget));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(dir_listing(dir.path()), (std::vector<std::string>{"bad.md5", "empty.md5"}));
}

TEST(Import, AnExistingSetIsReplacedOnlyWhenAsked) {
  ferret::test::TempDir dir;
  write_text(dir / "a.md5", md5_of("a") + "  a\n");
  write_text(dir / "b.md5", md5_of("b") + "  b\n");
  ASSERT_TRUE(import_hashset({dir / "a.md5"}, dir / "set", options_with(kDefaultMemoryBudget)).ok());
  auto again = import_hashset({dir / "b.md5"}, dir / "set", options_with(kDefaultMemoryBudget));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::exists);
  auto options = options_with(kDefaultMemoryBudget);
  options.overwrite = true;
  ASSERT_TRUE(import_hashset({dir / "b.md5"}, dir / "set", options).ok());
  auto set = HashSetIndex::open(dir / "set");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->lookup(Algorithm::md5, digest(md5_of("b")).view()));
  EXPECT_FALSE(set->lookup(Algorithm::md5, digest(md5_of("a")).view()));
  auto self = import_hashset({dir / "set"}, dir / "set", options);
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().code, Errc::invalid_argument);
}

TEST(Import, InterruptedLeavesNothingBehind) {
  ferret::test::TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += md5_of(std::to_string(i)) + "  f\n";
  write_text(dir / "list.md5", text);
  std::atomic<bool> cancel{true};
  auto options = options_with(4096);
  options.cancel = &cancel;
  auto r = import_hashset({dir / "list.md5"}, dir / "set", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::interrupted);
  EXPECT_EQ(dir_listing(dir.path()), std::vector<std::string>{"list.md5"});
}

TEST(Import, GzipInputsAndADamagedGzipKeepWhatCameBefore) {
  ferret::test::TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += md5_of(std::to_string(i)) + "  f" + std::to_string(i) + "\n";
  const std::string gz = test::gzip(text);
  write_text(dir / "list.md5.gz", gz);
  write_text(dir / "cut.md5.gz", gz.substr(0, gz.size() * 2 / 3));
  auto whole = import_hashset({dir / "list.md5.gz"}, dir / "whole.set", options_with(kDefaultMemoryBudget));
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  EXPECT_EQ(whole->accepted, 20000u);
  EXPECT_EQ(whole->sources[0].compression, Compression::gzip);
  EXPECT_EQ(whole->sources[0].sha256, hash::digest_all(std::as_bytes(std::span(gz.data(), gz.size()))).sha256);

  auto cut = import_hashset({dir / "cut.md5.gz"}, dir / "cut.set", options_with(kDefaultMemoryBudget));
  ASSERT_TRUE(cut.ok()) << cut.error().message;
  EXPECT_TRUE(cut->written);
  EXPECT_GT(cut->accepted, 5000u);
  EXPECT_LT(cut->accepted, 20000u);
  EXPECT_EQ(cut->rejected, 1u);
  EXPECT_NE(cut->rejects[0].reason.find("reading stopped here: the gzip data is truncated"), std::string::npos) << cut->rejects[0].reason;
  EXPECT_FALSE(cut->sources[0].stopped.empty());
  const std::string cut_bytes = gz.substr(0, gz.size() * 2 / 3);
  EXPECT_EQ(cut->sources[0].sha256, hash::digest_all(std::as_bytes(std::span(cut_bytes.data(), cut_bytes.size()))).sha256);
}

TEST(Import, TheFormatCanBeForced) {
  ferret::test::TempDir dir;
  // Detection would call this CSV; forced md5sum, the header line is a reject.
  write_text(dir / "list.txt", "md5,title\n" + md5_of("a") + "  a\n");
  auto options = options_with(kDefaultMemoryBudget);
  auto detected = import_hashset({dir / "list.txt"}, dir / "csv.set", options);
  ASSERT_TRUE(detected.ok());
  EXPECT_EQ(detected->sources[0].format, Format::csv);
  EXPECT_EQ(detected->rejected, 1u);
  options.format = Format::md5sum;
  auto forced = import_hashset({dir / "list.txt"}, dir / "md5.set", options);
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->sources[0].format, Format::md5sum);
  EXPECT_EQ(forced->accepted, 1u);
  EXPECT_EQ(forced->rejects[0].line, 1u);
}

}  // namespace
}  // namespace ferret::hashset
