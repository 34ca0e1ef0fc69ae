// The torrent plugin through the in-memory host: mktorrent- and python-made fixtures against
// expectations python computed independently, byte-exact info-hashes checked with OpenSSL, hostile
// and mutated input.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "plugin_harness.h"

namespace ferret::test {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(FERRET_PLUGIN_DATA_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), {}};
}

// What make-fixtures-p2.sh wrote into torrent_expected.tsv for one fixture.
struct Expected {
  std::map<std::string, std::string> torrent;
  std::vector<std::pair<std::string, std::string>> files;  // path, length
};

std::map<std::string, Expected> load_expectations() {
  std::map<std::string, Expected> out;
  std::istringstream in(read_fixture("torrent_expected.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) cols.push_back(line.substr(start, tab - start));
    cols.push_back(line.substr(start));
    if (cols.size() != 4) {
      ADD_FAILURE() << "bad expectation line: " << line;
      continue;
    }
    std::string value = cols[3];
    for (std::size_t p; (p = value.find("\\n")) != std::string::npos;) value.replace(p, 2, "\n");
    if (cols[1] == "torrent") out[cols[0]].torrent[cols[2]] = value;
    else out[cols[0]].files.emplace_back(cols[2], value);
  }
  return out;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// The checks the real host makes beyond the harness's: every value of its declared type.
void expect_well_typed(const PluginHarness& h, const PluginRun& r) {
  EXPECT_TRUE(r.rejected.empty()) << r.rejected.front();
  const ferret_plugin* p = h.plugin();
  for (const auto& a : r.artifacts) {
    const ferret_kind_decl* kind = nullptr;
    for (std::size_t k = 0; k < p->kind_count; ++k) {
      if (a.kind == p->kinds[k].name) kind = &p->kinds[k];
    }
    ASSERT_NE(kind, nullptr) << a.kind;
    for (const auto& [name, value] : a.attrs) {
      for (std::size_t i = 0; i < kind->attr_count; ++i) {
        if (name != kind->attrs[i].name) continue;
        switch (kind->attrs[i].type) {
          case FERRET_ATTR_HEX:
            EXPECT_TRUE(!value.empty() && value.find_first_not_of("0123456789abcdef") == std::string::npos) << name << "=" << value;
            break;
          case FERRET_ATTR_TIME:
            EXPECT_EQ(value.size(), 20u) << name << "=" << value;
            EXPECT_TRUE(value[4] == '-' && value[10] == 'T' && value[19] == 'Z') << name << "=" << value;
            break;
          default:
            EXPECT_TRUE(valid_utf8(value)) << name;
        }
      }
    }
  }
}

class TorrentPlugin : public ::testing::Test {
 protected:
  PluginHarness h{plugin_path("torrent")};
  void SetUp() override { ASSERT_EQ(h.error(), ""); }
  PluginRun parse(const std::string& bytes, const std::string& path = "/Downloads/x.torrent") {
    auto r = h.parse(path, bytes, "application/x-bittorrent");
    expect_well_typed(h, r);
    return r;
  }
};

std::string bstr(const std::string& s) { return std::to_string(s.size()) + ":" + s; }

TEST_F(TorrentPlugin, DeclaresItsSelectorsAndKinds) {
  const ferret_plugin* p = h.plugin();
  EXPECT_STREQ(p->name, "torrent");
  ASSERT_EQ(p->selector.extension_count, 1u);
  EXPECT_STREQ(p->selector.extensions[0], "torrent");
  ASSERT_EQ(p->selector.mime_type_count, 1u);
  EXPECT_STREQ(p->selector.mime_types[0], "application/x-bittorrent");
  std::set<std::string> magics;
  for (std::size_t i = 0; i < p->selector.magic_count; ++i) {
    EXPECT_EQ(p->selector.magics[i].offset, 0u);
    magics.insert(std::string(reinterpret_cast<const char*>(p->selector.magics[i].bytes), p->selector.magics[i].length));
  }
  EXPECT_EQ(magics, (std::set<std::string>{"d8:announce", "d4:info", "d13:announce-list", "d7:comment", "d10:created by", "d13:creation date"}));
  ASSERT_EQ(p->kind_count, 2u);
  EXPECT_STREQ(p->kinds[0].name, "torrent");
  EXPECT_STREQ(p->kinds[1].name, "torrent_file");
}

TEST_F(TorrentPlugin, FixturesMatchWhatPythonComputedIndependently) {
  const auto expectations = load_expectations();
  ASSERT_EQ(expectations.size(), 5u);
  for (const auto& [fixture, expected] : expectations) {
    SCOPED_TRACE(fixture);
    const auto r = parse(read_fixture(fixture), "/Downloads/" + fixture);
    EXPECT_EQ(r.result, FERRET_PARSE_OK);
    const auto torrents = r.of_kind("torrent");
    ASSERT_EQ(torrents.size(), 1u);
    EXPECT_EQ(torrents[0]->attrs, expected.torrent);  // every attribute, and no other
    const auto files = r.of_kind("torrent_file");
    ASSERT_EQ(files.size(), expected.files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      EXPECT_EQ(files[i]->attrs.at("path"), expected.files[i].first);
      EXPECT_EQ(files[i]->attrs.at("length"), expected.files[i].second);
      EXPECT_EQ(files[i]->attrs.at("parent"), std::to_string(torrents[0]->id));
    }
    EXPECT_TRUE(r.log.empty()) << r.log.front();
  }
}

std::string hex(const unsigned char* d, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += {digits[d[i] >> 4], digits[d[i] & 15]};
  return s;
}

// The info dictionary of every length around SHA's 64-byte block edges, and one larger than the
// plugin's 64 KiB read window, hashed by the plugin and by OpenSSL over the same bytes.
TEST_F(TorrentPlugin, InfoHashesAreOfTheExactBytesAtEveryLength) {
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n < 200; ++n) sizes.push_back(n);
  sizes.push_back(150000);
  for (const std::size_t n : sizes) {
    // Unsorted keys on purpose: a re-encoding plugin would sort them and hash other bytes.
    const std::string info = "d4:name4:film6:lengthi7e12:piece lengthi16384e6:pieces" + bstr(std::string(n, 'P')) + "12:meta versioni2ee";
    const auto r = parse("d8:announce3:url4:info" + info + "e");
    const auto t = r.of_kind("torrent");
    ASSERT_EQ(t.size(), 1u) << n;
    unsigned char d1[SHA_DIGEST_LENGTH], d2[SHA256_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(info.data()), info.size(), d1);
    SHA256(reinterpret_cast<const unsigned char*>(info.data()), info.size(), d2);
    EXPECT_EQ(t[0]->attrs.at("info_hash_v1"), hex(d1, sizeof d1)) << n;
    EXPECT_EQ(t[0]->attrs.at("info_hash_v2"), hex(d2, sizeof d2)) << n;
  }
}

TEST_F(TorrentPlugin, OnlyV2TorrentsGetAV2Hash) {
  const auto r = parse("d4:infod6:lengthi1e4:name1:a12:meta versioni1eee");
  ASSERT_EQ(r.of_kind("torrent").size(), 1u);
  EXPECT_FALSE(r.of_kind("torrent")[0]->attrs.count("info_hash_v2"));
}

TEST_F(TorrentPlugin, PrivateFlagAndSourceAndDates) {
  const auto r = parse("d13:creation datei0e4:infod6:lengthi5e4:name1:a7:privatei0e6:source3:SRCee");
  ASSERT_EQ(r.result, FERRET_PARSE_OK);
  const auto& a = r.of_kind("torrent").at(0)->attrs;
  EXPECT_EQ(a.at("private"), "0");
  EXPECT_EQ(a.at("source"), "SRC");
  EXPECT_EQ(a.at("creation_date"), "1970-01-01T00:00:00Z");
  const auto leap = parse("d13:creation datei1709164800e4:infod6:lengthi5e4:name1:aee");
  EXPECT_EQ(leap.of_kind("torrent").at(0)->attrs.at("creation_date"), "2024-02-29T00:00:00Z");
}

TEST_F(TorrentPlugin, AnnounceFallsBackToTheFirstTrackerOfTheList) {
  const auto r = parse("d13:announce-listll5:url-a5:url-bel5:url-cee4:infod6:lengthi5e4:name1:aee");
  const auto& a = r.of_kind("torrent").at(0)->attrs;
  EXPECT_EQ(a.at("announce"), "url-a");
  EXPECT_EQ(a.at("announce_list"), "url-a\nurl-b\nurl-c");
}

TEST_F(TorrentPlugin, ControlCharactersAndBadUtf8AreEscaped) {
  const auto r = parse("d7:comment6:a\nb\xff" "c!4:infod6:lengthi5e4:name3:x\x01yee");
  const auto& a = r.of_kind("torrent").at(0)->attrs;
  EXPECT_EQ(a.at("comment"), "a\\x0ab\\xffc!");
  EXPECT_EQ(a.at("name"), "x\\x01y");
}

TEST_F(TorrentPlugin, DamageAfterTheInfoDictionaryStillGivesTheTorrent) {
  const std::string whole = read_fixture("torrent_multi.torrent");
  const auto r = parse(whole.substr(0, whole.size() - 1));  // the top-level dictionary never closes
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r.of_kind("torrent").size(), 1u);
  EXPECT_EQ(r.of_kind("torrent")[0]->attrs.at("info_hash_v1"), load_expectations()["torrent_multi.torrent"].torrent["info_hash_v1"]);
  EXPECT_EQ(r.of_kind("torrent_file").size(), 4u);
  ASSERT_FALSE(r.log.empty());
  EXPECT_NE(r.log[0].find("damaged"), std::string::npos) << r.log[0];
}

TEST_F(TorrentPlugin, BadFileEntriesAreSkippedAndReported) {
  const auto r = parse("d4:infod5:filesld6:lengthi-5e4:pathl1:aeed6:lengthi3e4:pathl1:b1:ceed6:lengthi1eee4:name1:nee");
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r.of_kind("torrent_file").size(), 1u);
  EXPECT_EQ(r.of_kind("torrent_file")[0]->attrs.at("path"), "b/c");
  EXPECT_EQ(r.of_kind("torrent").at(0)->attrs.at("file_count"), "1");
  EXPECT_EQ(r.log.size(), 1u);  // told once, though the files are walked twice
}

TEST_F(TorrentPlugin, ANamelessTorrentIsLoggedWithItsHash) {
  const std::string info = "d6:lengthi5ee";
  const auto r = parse("d4:info" + info + "e");
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  EXPECT_TRUE(r.artifacts.empty());
  unsigned char d1[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(info.data()), info.size(), d1);
  ASSERT_FALSE(r.log.empty());
  EXPECT_NE(r.log.back().find(hex(d1, sizeof d1)), std::string::npos) << r.log.back();
}

// The host drops a file's whole output when a plugin passes its flood limits (100 000 artifacts,
// 64 MiB of values, 1 MiB per value): the plugin stops short of them and says so.
TEST_F(TorrentPlugin, HugeTorrentsStayWithinTheHostsLimits) {
  std::string files;
  for (int i = 0; i < 60000; ++i) files += "d6:lengthi1e4:pathl" + bstr("f" + std::to_string(i)) + "ee";
  const auto start = std::chrono::steady_clock::now();
  const auto r = parse("d4:infod5:filesl" + files + "e4:name1:nee");
  EXPECT_LT(std::chrono::steady_clock::now() - start, time_budget(std::chrono::seconds(5)));
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  EXPECT_EQ(r.of_kind("torrent").at(0)->attrs.at("file_count"), "60000");
  EXPECT_EQ(r.of_kind("torrent_file").size(), 49999u);
  ASSERT_EQ(r.log.size(), 1u);
  EXPECT_NE(r.log[0].find("the first 49999 were recorded"), std::string::npos) << r.log[0];

  std::string trackers, long_path;
  for (int i = 0; i < 1000; ++i) trackers += bstr("http://" + std::string(4000, 'a') + "/" + std::to_string(i));
  for (int i = 0; i < 256; ++i) long_path += bstr(std::string(4000, 'p'));
  const auto big = parse("d13:announce-listll" + trackers + "ee4:infod5:filesld6:lengthi1e4:pathl" + long_path +
                         "eed6:lengthi2e4:pathl1:xeee4:name1:nee");
  EXPECT_EQ(big.result, FERRET_PARSE_MALFORMED);  // the absurd path is skipped and reported
  const auto& a = big.of_kind("torrent").at(0)->attrs;
  EXPECT_LT(a.at("announce_list").size(), 1u << 20);
  EXPECT_EQ(a.at("file_count"), "1");
  for (const auto& art : big.artifacts) {
    for (const auto& [name, value] : art.attrs) EXPECT_LT(value.size(), 1u << 20) << name;
  }
}

TEST_F(TorrentPlugin, HostileInputIsRefusedQuickly) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"huge string length", "d8:announce99999999999999:xe"},
      {"string length past int64", "d8:announce99999999999999999999999:xe"},
      {"2 GB claimed pieces", "d4:infod4:name1:a6:pieces2147483648:abcdee"},
      {"negative string length", "d8:announce-5:abcdee"},
      {"leading zero in a length", "d8:announce05:abcde4:infod4:name1:aee"},
      {"leading zero in an integer", "d4:infod6:lengthi012e4:name1:aee"},
      {"minus zero", "d4:infod6:lengthi-0e4:name1:aee"},
      {"integer overflow", "d4:infod6:lengthi99999999999999999999e4:name1:aee"},
      {"deep nesting", "d4:info" + std::string(200000, 'l')},
      {"deep nesting closed", "d4:infod4:name1:a5:extra" + std::string(65, 'l') + std::string(65, 'e') + "ee"},
      {"info not a dictionary", "d4:infoi5ee"},
      {"key not a string", "d4:infod4:name1:ai5ei6eee"},
      {"truncated info", "d4:infod4:name1:a6:lengthi5"},
      {"no info", "d8:announce3:urle"},
      {"empty info", "d4:infodee"},
  };
  for (const auto& [what, bytes] : cases) {
    const auto start = std::chrono::steady_clock::now();
    const auto r = parse(bytes);
    EXPECT_LT(std::chrono::steady_clock::now() - start, time_budget(std::chrono::milliseconds(500))) << what;
    EXPECT_TRUE(r.result == FERRET_PARSE_MALFORMED || r.result == FERRET_PARSE_NOT_MINE) << what << ": " << r.result;
    EXPECT_TRUE(r.of_kind("torrent_file").empty()) << what;
    if (r.result == FERRET_PARSE_MALFORMED) {
      EXPECT_FALSE(r.log.empty()) << what;
    }
  }
}

TEST_F(TorrentPlugin, OtherFilesAreNotMine) {
  for (const std::string bytes : {"", "d", "hello world", "\x89PNG\r\n\x1a\n", "de", "d3:fooi1ee", "li1ee"}) {
    EXPECT_EQ(parse(bytes).result, FERRET_PARSE_NOT_MINE) << bytes;
  }
}

TEST_F(TorrentPlugin, EveryPrefixOfAFixtureIsHandled) {
  for (const char* fixture : {"torrent_single.torrent", "torrent_multi.torrent", "torrent_hybrid.torrent", "torrent_utf8.torrent"}) {
    const std::string whole = read_fixture(fixture);
    for (std::size_t n = 0; n < whole.size(); ++n) {
      const auto r = parse(whole.substr(0, n));
      ASSERT_TRUE(r.result == FERRET_PARSE_MALFORMED || r.result == FERRET_PARSE_NOT_MINE) << fixture << " cut at " << n;
    }
  }
}

// Random bytes and mutated fixtures (fixed seeds): no crash, every accepted value well-typed.
TEST_F(TorrentPlugin, FuzzedInputNeverBreaksIt) {
  std::vector<std::string> seeds;
  for (const char* f : {"torrent_single.torrent", "torrent_multi.torrent", "torrent_hybrid.torrent", "torrent_v2.torrent", "torrent_utf8.torrent"}) {
    seeds.push_back(read_fixture(f));
  }
  std::mt19937 rng(8);
  const auto start = std::chrono::steady_clock::now();
  const std::string alphabet = "dlie0123456789:-";
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    if (i % 10 == 0) {
      s.resize(rng() % 300);
      for (char& c : s) c = i % 20 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
      s.insert(0, "d");
    } else {
      s = seeds[rng() % seeds.size()];
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !s.empty(); ++e) {
        const std::size_t at = rng() % s.size();
        switch (rng() % 4) {
          case 0: s[at] = static_cast<char>(rng()); break;
          case 1: s[at] = alphabet[rng() % alphabet.size()]; break;
          case 2: s.erase(at, 1 + rng() % 8); break;
          default: s.insert(at, std::string(1 + rng() % 3, alphabet[rng() % alphabet.size()])); break;
        }
      }
    }
    const auto r = parse(s);
    ASSERT_NE(r.result, FERRET_PARSE_FAILED) << "input " << i;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, time_budget(std::chrono::seconds(2)));
}

}  // namespace
}  // namespace ferret::test
