// The hash-set file: write then read back, every lookup, and damaged files that must fail cleanly.
#include "hashset/format.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>
#include <set>
#include <thread>

#include "hashset/import.h"
#include "hashset/json_reader.h"
#include "hashset_test_support.h"
#include "test_support.h"

namespace ferret::hashset {
namespace {

std::string md5_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).md5; }
std::string sha256_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).sha256; }

DigestValue digest(const std::string& hex) {
  auto d = parse_hex_digest(*algorithm_for_hex_length(hex.size()), hex);
  EXPECT_TRUE(d.ok()) << hex;
  return *d;
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  if (!text.empty()) std::memcpy(bytes.data(), text.data(), text.size());
  ferret::test::write_file_bytes(p, bytes);
}

const FixedClock& fixed_clock() {
  static const FixedClock clock(std::chrono::system_clock::from_time_t(1772000000));
  return clock;
}

// A set of 2,000 md5 (half with names), 500 sha256 and a CSV entry with every metadata field.
class SetFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string md5s, sha256s;
    for (int i = 0; i < 2000; ++i) {
      const std::string h = md5_of("file " + std::to_string(i));
      md5s += i % 2 == 0 ? h + "  name-" + std::to_string(i) + "\n" : h + "\n";
      md5_hexes.push_back(h);
    }
    for (int i = 0; i < 500; ++i) {
      const std::string h = sha256_of("file " + std::to_string(i));
      sha256s += h + " *big/" + std::to_string(i) + ".bin\n";
      sha256_hexes.push_back(h);
    }
    write_text(dir / "list.md5", md5s);
    write_text(dir / "list.sha256", sha256s);
    write_text(dir / "titles.csv",
               "md5,sha1,title,release,rights_holder,url,filename,size\n"
               "0123456789abcdef0123456789abcdef,0123456789abcdef0123456789abcdef01234567,Night Harbor,Night.Harbor.2026.1080p,"
               "\"Studio, North\",https://example.org/nh,nh.mkv,123456789012\n");
    ImportOptions options;
    options.name = "test set";
    options.category = Category::notable;
    options.clock = &fixed_clock();
    auto out = import_hashset({dir / "list.md5", dir / "list.sha256", dir / "titles.csv"}, set_path(), options);
    ASSERT_TRUE(out.ok()) << out.error().message;
    ASSERT_TRUE(out->written);
  }
  std::filesystem::path set_path() const { return dir / "set.ferret-hashset"; }

  ferret::test::TempDir dir;
  std::vector<std::string> md5_hexes, sha256_hexes;
};

TEST_F(SetFile, EveryImportedHashIsFoundAndAbsentOnesAreNot) {
  auto set = HashSetIndex::open(set_path());
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->count(Algorithm::md5), 2001u);
  EXPECT_EQ(set->count(Algorithm::sha1), 1u);
  EXPECT_EQ(set->count(Algorithm::sha256), 500u);
  EXPECT_EQ(set->entry_count(), 1000u + 500u + 1u);
  for (std::size_t i = 0; i < md5_hexes.size(); ++i) {
    const auto d = digest(md5_hexes[i]);
    const auto ref = set->lookup(Algorithm::md5, d.view());
    ASSERT_TRUE(ref) << md5_hexes[i];
    auto info = set->entry(*ref);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->file_name, i % 2 == 0 ? "name-" + std::to_string(i) : "");
    EXPECT_EQ(ref->has_metadata(), i % 2 == 0);
    // The same digest with its last byte changed shares the prefix bucket and is absent.
    auto other = d;
    other.bytes[15] ^= 0x5a;
    EXPECT_FALSE(set->lookup(Algorithm::md5, other.view())) << md5_hexes[i];
  }
  for (std::size_t i = 0; i < sha256_hexes.size(); ++i) {
    const auto ref = set->lookup(Algorithm::sha256, digest(sha256_hexes[i]).view());
    ASSERT_TRUE(ref);
    EXPECT_EQ(set->entry(*ref)->file_name, "big/" + std::to_string(i) + ".bin");
  }
  const auto csv = set->lookup(Algorithm::sha1, digest("0123456789abcdef0123456789abcdef01234567").view());
  ASSERT_TRUE(csv);
  auto info = set->entry(*csv);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->title, "Night Harbor");
  EXPECT_EQ(info->release, "Night.Harbor.2026.1080p");
  EXPECT_EQ(info->rights_holder, "Studio, North");
  EXPECT_EQ(info->url, "https://example.org/nh");
  EXPECT_EQ(info->file_name, "nh.mkv");
  EXPECT_EQ(info->size, 123456789012u);
  EXPECT_EQ(set->lookup(Algorithm::md5, digest("0123456789abcdef0123456789abcdef").view())->index, csv->index);
  // Absent digests, the extremes of the digest space, a wrong size.
  std::mt19937 gen(5);
  for (int i = 0; i < 2000; ++i) {
    DigestValue d;
    d.algorithm = Algorithm::sha256;
    for (auto& b : d.bytes) b = static_cast<unsigned char>(gen());
    EXPECT_FALSE(set->lookup(Algorithm::sha256, d.view()));
  }
  DigestValue zeros, ones;
  std::memset(ones.bytes.data(), 0xff, ones.bytes.size());
  EXPECT_FALSE(set->lookup(Algorithm::md5, zeros.view()));
  EXPECT_FALSE(set->lookup(Algorithm::md5, ones.view()));
  EXPECT_FALSE(set->lookup(Algorithm::md5, std::span<const unsigned char>(zeros.bytes.data(), 15)));
  EXPECT_TRUE(set->verify().ok());
}

// The batched lookup answers exactly as one lookup at a time, for any mix of algorithms and sizes.
TEST_F(SetFile, BatchedLookupsAnswerAsSingleOnes) {
  auto set = HashSetIndex::open(set_path());
  ASSERT_TRUE(set.ok());
  std::vector<DigestValue> queries;
  std::mt19937 gen(9);
  for (std::size_t i = 0; i < md5_hexes.size(); ++i) {
    queries.push_back(digest(md5_hexes[i]));
    if (i < sha256_hexes.size()) queries.push_back(digest(sha256_hexes[i]));
    DigestValue absent;
    absent.algorithm = i % 3 == 0 ? Algorithm::md5 : i % 3 == 1 ? Algorithm::sha1 : Algorithm::sha256;
    for (auto& b : absent.bytes) b = static_cast<unsigned char>(gen());
    queries.push_back(absent);
  }
  queries.push_back(digest("0123456789abcdef0123456789abcdef01234567"));
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{17}, queries.size()}) {
    std::vector<std::optional<EntryRef>> results(len);
    set->lookup(std::span(queries).first(len), results);
    for (std::size_t i = 0; i < len; ++i) {
      const auto single = set->lookup(queries[i].algorithm, queries[i].view());
      ASSERT_EQ(results[i].has_value(), single.has_value()) << i;
      if (single) {
        EXPECT_EQ(results[i]->index, single->index);
      }
    }
  }
  std::size_t found = 0;
  std::vector<std::optional<EntryRef>> all(queries.size());
  set->lookup(queries, all);
  for (const auto& r : all) found += r ? 1 : 0;
  EXPECT_EQ(found, md5_hexes.size() + sha256_hexes.size() + 1);
}

TEST_F(SetFile, MetadataDescribesTheSetAndItsSources) {
  auto set = HashSetIndex::open(set_path());
  ASSERT_TRUE(set.ok());
  auto meta = json::parse(set->metadata_json());
  ASSERT_TRUE(meta.ok()) << meta.error().message;
  EXPECT_EQ(meta->string_or("name"), "test set");
  EXPECT_EQ(meta->string_or("category"), "notable");
  EXPECT_EQ(meta->string_or("created_at"), "2026-02-25T06:13:20Z");
  const auto* sources = meta->find("sources");
  ASSERT_TRUE(sources != nullptr);
  ASSERT_EQ(sources->items.size(), 3u);
  const auto bytes = ferret::test::read_file_bytes(dir / "list.md5");
  EXPECT_EQ(sources->items[0].string_or("sha256"), hash::digest_all(bytes).sha256);
  EXPECT_EQ(sources->items[0].string_or("format"), "md5sum");
  EXPECT_EQ(sources->items[0].uint_or("lines"), 2000u);
  EXPECT_EQ(sources->items[2].string_or("format"), "csv");
  EXPECT_EQ(meta->find("counts")->find("md5")->uint_or("hashes"), 2001u);
  EXPECT_EQ(meta->uint_or("rejected", 99), 0u);
}

TEST_F(SetFile, ThreadsShareOneSet) {
  auto set = HashSetIndex::open(set_path());
  ASSERT_TRUE(set.ok());
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (const auto& h : md5_hexes) found += set->lookup(Algorithm::md5, digest(h).view()) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(found.load(), 4 * 2000);
}

// Lookups predict a digest's place in its bucket from its bytes; clustered digests (nothing like
// real hashes) must still be found, and their neighbours not.
TEST(SetLookup, ClusteredDigestsAreFound) {
  ferret::test::TempDir dir;
  std::vector<std::string> hexes;
  std::string list;
  char buf[64];
  for (unsigned i = 0; i < 3000; ++i) {
    const unsigned long long middle = i < 1500 ? i : 0xffffffffffff0000ull + i;
    std::snprintf(buf, sizeof buf, "%04x%016llx%012x", i % 3 == 0 ? 0u : 0x00ffu, middle, i);
    hexes.emplace_back(buf);
    list += hexes.back() + "  n" + std::to_string(i) + "\n";
  }
  write_text(dir / "clustered.md5", list);
  auto options = ImportOptions{};
  options.name = "clustered";
  ASSERT_TRUE(import_hashset({dir / "clustered.md5"}, dir / "set", options).ok());
  auto set = HashSetIndex::open(dir / "set");
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE(set->verify().ok());
  for (std::size_t i = 0; i < hexes.size(); ++i) {
    auto d = digest(hexes[i]);
    const auto ref = set->lookup(Algorithm::md5, d.view());
    ASSERT_TRUE(ref) << hexes[i];
    EXPECT_EQ(set->entry(*ref)->file_name, "n" + std::to_string(i));
    d.bytes[15] ^= 0xff;
    EXPECT_FALSE(set->lookup(Algorithm::md5, d.view())) << hexes[i];
    d.bytes[15] ^= 0xff;
    d.bytes[9] ^= 0x01;
    EXPECT_FALSE(set->lookup(Algorithm::md5, d.view())) << hexes[i];
  }
  std::vector<DigestValue> all;
  for (const auto& h : hexes) all.push_back(digest(h));
  std::vector<std::optional<EntryRef>> results(all.size());
  set->lookup(all, results);
  for (std::size_t i = 0; i < all.size(); ++i) {
    ASSERT_TRUE(results[i]) << hexes[i];
    EXPECT_EQ(set->entry(*results[i])->file_name, "n" + std::to_string(i));
  }
}

std::vector<unsigned char> read_all(const std::filesystem::path& p) {
  const auto b = ferret::test::read_file_bytes(p);
  std::vector<unsigned char> out(b.size());
  if (!b.empty()) std::memcpy(out.data(), b.data(), b.size());
  return out;
}

void write_all(const std::filesystem::path& p, const std::vector<unsigned char>& bytes) {
  std::vector<std::byte> b(bytes.size());
  if (!bytes.empty()) std::memcpy(b.data(), bytes.data(), bytes.size());
  ferret::test::write_file_bytes(p, b);
}

// The header's CRC over the header and section table (with the CRC field zero), as the writer does.
void fix_header_crc(std::vector<unsigned char>& f) {
  std::uint32_t n;
  std::memcpy(&n, f.data() + 12, 4);
  const std::size_t table_end = std::min<std::size_t>(kHeaderBytes + std::size_t{n} * kSectionEntryBytes, f.size());
  std::memset(f.data() + 24, 0, 4);
  const auto crc = static_cast<std::uint32_t>(crc32(0, f.data(), static_cast<uInt>(table_end)));
  std::memcpy(f.data() + 24, &crc, 4);
}

TEST_F(SetFile, TruncatedOrDamagedFilesGiveClearErrors) {
  const auto good = read_all(set_path());
  const auto damaged = dir / "damaged.ferret-hashset";
  const auto open_error = [&](const std::vector<unsigned char>& bytes) {
    write_all(damaged, bytes);
    auto set = HashSetIndex::open(damaged);
    return set.ok() ? Error{Errc::internal, "opened"} : set.error();
  };
  for (std::size_t len : {std::size_t{0}, std::size_t{7}, std::size_t{63}}) {
    const Error e = open_error(std::vector<unsigned char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len)));
    EXPECT_EQ(e.code, Errc::corrupt) << len;
    EXPECT_NE(e.message.find("shorter than the header"), std::string::npos) << e.message;
  }
  for (std::size_t len : {std::size_t{64}, std::size_t{300}, good.size() / 2, good.size() - 1}) {
    const Error e = open_error(std::vector<unsigned char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len)));
    EXPECT_EQ(e.code, Errc::corrupt) << len;
    EXPECT_NE(e.message.find("truncated"), std::string::npos) << e.message;
  }
  auto bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_NE(open_error(bad_magic).message.find("FERRETHS"), std::string::npos);
  auto newer = good;
  newer[8] = 2;
  EXPECT_EQ(open_error(newer).code, Errc::unsupported);
  auto bad_table = good;
  bad_table[kHeaderBytes + 9] ^= 1;  // a section's offset
  EXPECT_NE(open_error(bad_table).message.find("header checksum"), std::string::npos);
  auto appended = good;
  appended.push_back(0);
  EXPECT_EQ(open_error(appended).code, Errc::corrupt);

  // Damage inside the sections: the metadata is checked on open, the rest by verify().
  auto set = HashSetIndex::open(set_path());
  ASSERT_TRUE(set.ok());
  for (const auto& s : set->sections()) {
    auto bytes = good;
    bytes[s.offset + s.length - 3] ^= 0x40;
    write_all(damaged, bytes);
    auto opened = HashSetIndex::open(damaged);
    if (s.kind == SectionKind::metadata) {
      ASSERT_FALSE(opened.ok());
      EXPECT_NE(opened.error().message.find("metadata"), std::string::npos);
      continue;
    }
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    const Status v = opened->verify();
    ASSERT_FALSE(v.ok()) << static_cast<int>(s.kind);
    EXPECT_NE(v.error().message.find("checksum"), std::string::npos) << v.error().message;
  }
}

// Random damage, with the header checksum made right again so the damage reaches the section
// bounds checks: opening, looking up and verifying never crash or read outside the file.
TEST_F(SetFile, RandomDamageNeverCrashes) {
  const auto good = read_all(set_path());
  const auto damaged = dir / "fuzzed.ferret-hashset";
  std::mt19937_64 gen(42);
  std::uint32_t n;
  std::memcpy(&n, good.data() + 12, 4);
  int opened_count = 0;
  for (int round = 0; round < 300; ++round) {
    auto bytes = good;
    const int flips = 1 + static_cast<int>(gen() % 4);
    for (int k = 0; k < flips; ++k) {
      std::size_t at;
      if (gen() % 2 == 0) at = kHeaderBytes + gen() % (n * kSectionEntryBytes);  // the section table
      else at = gen() % bytes.size();
      bytes[at] = static_cast<unsigned char>(gen());
    }
    if (gen() % 3 == 0) bytes.resize(gen() % bytes.size());
    if (bytes.size() >= kHeaderBytes) {
      const std::uint64_t size = bytes.size();
      std::memcpy(bytes.data() + 16, &size, 8);
      fix_header_crc(bytes);
    }
    write_all(damaged, bytes);
    auto set = HashSetIndex::open(damaged);
    if (!set.ok()) {
      EXPECT_FALSE(set.error().message.empty());
      continue;
    }
    ++opened_count;
    std::vector<DigestValue> batch;
    for (std::size_t i = 0; i < md5_hexes.size(); i += 7) {
      batch.push_back(digest(md5_hexes[i]));
      if (auto ref = set->lookup(Algorithm::md5, batch.back().view())) (void)set->entry(*ref);
    }
    std::vector<std::optional<EntryRef>> results(batch.size());
    set->lookup(batch, results);
    for (std::uint32_t e = 0; e < 50; ++e) (void)set->entry(EntryRef{e * 37});
    (void)set->entry(EntryRef{kNoEntry - 1});
    (void)set->verify();
  }
  EXPECT_GT(opened_count, 0);
}

}  // namespace
}  // namespace ferret::hashset
