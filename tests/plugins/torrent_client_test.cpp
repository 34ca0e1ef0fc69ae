// The torrent_client plugin through the in-memory host: qBittorrent fastresume, Deluge
// torrents.fastresume and uTorrent resume.dat built here with the clients' key layouts, timestamps to
// exact ISO-8601, damaged, hostile and fuzzed variants.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>

#include "plugin_harness.h"

namespace ferret::test {
namespace {

using Attrs = std::map<std::string, std::string>;

// ---- bencode, written the plain way (sorted keys as the clients write them) ----
std::string bi(std::int64_t v) { return "i" + std::to_string(v) + "e"; }
std::string bs(const std::string& s) { return std::to_string(s.size()) + ":" + s; }
std::string bl(const std::vector<std::string>& items) {
  std::string out = "l";
  for (const auto& i : items) out += i;
  return out + "e";
}
std::string bd(std::vector<std::pair<std::string, std::string>> entries) {
  std::sort(entries.begin(), entries.end());
  std::string out = "d";
  for (const auto& [k, v] : entries) out += bs(k) + v;
  return out + "e";
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

const std::string kHash = "0123456789abcdef0123456789abcdef01234567";
const std::string kHash2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

// A qBittorrent 4.x (libtorrent 1.2/2.0) fastresume with the keys it writes; `over` replaces or adds keys.
std::string fastresume(const std::vector<std::pair<std::string, std::string>>& over = {}) {
  std::map<std::string, std::string> keys = {
      {"active_time", bi(86400)},
      {"added_time", bi(1609459200)},
      {"allocation", bs("sparse")},
      {"auto_managed", bi(0)},
      {"completed_time", bi(1609462861)},
      {"file-format", bs("libtorrent resume file")},
      {"file-version", bi(1)},
      {"file_priority", bl({bi(4), bi(4)})},
      {"finished_time", bi(3600)},
      {"info-hash", bs(unhex(kHash))},
      {"last_download", bi(1609462861)},
      {"libtorrent-version", bs("1.2.19.0")},
      {"name", bs("Title.Of.Film.2019.1080p.BluRay.x264-EVO")},
      {"paused", bi(0)},
      {"pieces", bs(std::string(40, '\x01'))},
      {"qBt-category", bs("movies")},
      {"qBt-name", bs("")},
      {"qBt-savePath", bs("C:/Users/x/Downloads/")},
      {"qBt-tags", bl({})},
      {"save_path", bs("C:\\Users\\x\\Downloads\\")},
      {"seeding_time", bi(82800)},
      {"total_downloaded", bi(8123456789)},
      {"total_uploaded", bi(1234567)},
      {"trackers", bl({bl({bs("udp://tracker.example:1337/announce")})})},
      {"url-list", bl({})},
  };
  for (const auto& [k, v] : over) {
    if (v.empty()) keys.erase(k);
    else keys[k] = v;
  }
  return bd({keys.begin(), keys.end()});
}

// A uTorrent 3.x resume.dat: its checksum, its records and one dictionary per .torrent file.
std::string resume_dat() {
  const auto entry = [](const std::string& hash, const std::string& caption, const std::string& path, std::int64_t added,
                        std::int64_t completed, std::int64_t up, std::int64_t down) {
    return bd({{"added_on", bi(added)}, {"blocksize", bi(16384)}, {"caption", bs(caption)}, {"completed_on", bi(completed)},
               {"downloaded", bi(down)}, {"info", bs(unhex(hash))}, {"label", bs("")}, {"labels", bl({})},
               {"last_active", bi(added + 60)}, {"path", bs(path)}, {"prio", bs("\x08\x08")}, {"runtime", bi(3600)},
               {"seedtime", bi(0)}, {"started", bi(1)}, {"trackers", bl({bs("http://tracker.example/announce")})},
               {"uploaded", bi(up)}});
  };
  return bd({{".fileguard", bs("8C3A2F0E1D4B5A6978C3A2F0E1D4B5A6978C3A2F")},
             {"Other.Show.S01E01.720p.HDTV.x264-GRP.torrent",
              entry("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Other.Show.S01E01.720p.HDTV.x264-GRP",
                    "D:\\TV\\Other.Show.S01E01.720p.HDTV.x264-GRP.mkv", 1262304000, 0, 0, 52428800)},
             {"Title.Of.Film.2019.1080p.BluRay.x264-EVO.torrent",
              entry(kHash, "Title.Of.Film.2019.1080p.BluRay.x264-EVO", "D:\\Movies\\Title.Of.Film.2019.1080p.BluRay.x264-EVO",
                    1577836800, 1577840461, 99, 8123456789)},
             {"rec", bd({{"ip", bs("192.0.2.1")}})}});
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

// The checks the real host makes beyond the harness's: hashes lowercase hex, times ISO-8601, text UTF-8.
void expect_well_typed(const PluginRun& r) {
  EXPECT_TRUE(r.rejected.empty()) << r.rejected.front();
  for (const auto& a : r.artifacts) {
    for (const auto& [name, value] : a.attrs) {
      if (name.starts_with("info_hash")) {
        EXPECT_TRUE((value.size() == 40 || value.size() == 64) && value.find_first_not_of("0123456789abcdef") == std::string::npos) << value;
      } else if (name == "added_on" || name == "completed_on") {
        EXPECT_TRUE(value.size() == 20 && value[4] == '-' && value[10] == 'T' && value[19] == 'Z') << value;
      }
      EXPECT_TRUE(valid_utf8(value)) << name;
    }
  }
}

class TorrentClientPlugin : public ::testing::Test {
 protected:
  PluginHarness h{plugin_path("torrent_client")};
  void SetUp() override { ASSERT_EQ(h.error(), ""); }
  PluginRun parse(const std::string& path, const std::string& bytes) {
    auto r = h.parse(path, bytes);
    expect_well_typed(r);
    return r;
  }
  const std::string qbt_path = "/Users/x/AppData/Local/qBittorrent/BT_backup/" + kHash + ".fastresume";
};

TEST_F(TorrentClientPlugin, DeclaresItsSelectors) {
  const ferret_plugin* p = h.plugin();
  EXPECT_STREQ(p->name, "torrent_client");
  ASSERT_EQ(p->selector.extension_count, 1u);
  EXPECT_STREQ(p->selector.extensions[0], "fastresume");
  ASSERT_EQ(p->selector.file_name_count, 2u);
  EXPECT_STREQ(p->selector.file_names[0], "resume.dat");
  EXPECT_STREQ(p->selector.file_names[1], "resume.dat.old");
}

TEST_F(TorrentClientPlugin, QBittorrentFastresume) {
  const auto r = parse(qbt_path, fastresume());
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.artifacts.size(), 1u);
  const Attrs expected = {{"client", "qBittorrent"},
                          {"info_hash_v1", kHash},
                          {"name", "Title.Of.Film.2019.1080p.BluRay.x264-EVO"},
                          {"save_path", "C:\\Users\\x\\Downloads\\"},
                          {"added_on", "2021-01-01T00:00:00Z"},
                          {"completed_on", "2021-01-01T01:01:01Z"},
                          {"uploaded", "1234567"},
                          {"downloaded", "8123456789"}};
  EXPECT_EQ(r.artifacts[0].attrs, expected);
  EXPECT_TRUE(r.log.empty());
}

TEST_F(TorrentClientPlugin, QBittorrentFallbacksAndAbsences) {
  // Not completed; qBittorrent's own name and path when libtorrent's are absent; the hash from the file name.
  const auto r = parse(qbt_path, fastresume({{"completed_time", bi(0)}, {"name", ""}, {"qBt-name", bs("My renamed film")},
                                             {"save_path", ""}, {"info-hash", ""}}));
  ASSERT_EQ(r.artifacts.size(), 1u);
  const auto& a = r.artifacts[0].attrs;
  EXPECT_FALSE(a.count("completed_on"));
  EXPECT_EQ(a.at("name"), "My renamed film");
  EXPECT_EQ(a.at("save_path"), "C:/Users/x/Downloads/");
  EXPECT_EQ(a.at("info_hash_v1"), kHash);
  // A v2-only torrent: zeros for the v1 hash, and the file name is not a v1 hash then.
  const auto v2 = parse(qbt_path, fastresume({{"info-hash", bs(std::string(20, '\0'))}, {"info-hash2", bs(unhex(kHash2))}}));
  ASSERT_EQ(v2.artifacts.size(), 1u);
  EXPECT_FALSE(v2.artifacts[0].attrs.count("info_hash_v1"));
  EXPECT_EQ(v2.artifacts[0].attrs.at("info_hash_v2"), kHash2);
}

TEST_F(TorrentClientPlugin, UTorrentResumeDat) {
  const auto r = parse("/Users/x/AppData/Roaming/uTorrent/resume.dat", resume_dat());
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.artifacts.size(), 2u);
  const Attrs first = {{"client", "uTorrent"},
                       {"torrent_file", "Other.Show.S01E01.720p.HDTV.x264-GRP.torrent"},
                       {"info_hash_v1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
                       {"name", "Other.Show.S01E01.720p.HDTV.x264-GRP"},
                       {"save_path", "D:\\TV\\Other.Show.S01E01.720p.HDTV.x264-GRP.mkv"},
                       {"added_on", "2010-01-01T00:00:00Z"},
                       {"uploaded", "0"},
                       {"downloaded", "52428800"}};
  const Attrs second = {{"client", "uTorrent"},
                        {"torrent_file", "Title.Of.Film.2019.1080p.BluRay.x264-EVO.torrent"},
                        {"info_hash_v1", kHash},
                        {"name", "Title.Of.Film.2019.1080p.BluRay.x264-EVO"},
                        {"save_path", "D:\\Movies\\Title.Of.Film.2019.1080p.BluRay.x264-EVO"},
                        {"added_on", "2020-01-01T00:00:00Z"},
                        {"completed_on", "2020-01-01T01:01:01Z"},
                        {"uploaded", "99"},
                        {"downloaded", "8123456789"}};
  EXPECT_EQ(r.artifacts[0].attrs, first);
  EXPECT_EQ(r.artifacts[1].attrs, second);
  EXPECT_EQ(parse("/x/RESUME.DAT.OLD", resume_dat()).artifacts.size(), 2u);
}

TEST_F(TorrentClientPlugin, DelugeTorrentsFastresume) {
  const std::string inner = bd({{"added_time", bi(1700000000)}, {"completed_time", bi(0)}, {"file-format", bs("libtorrent resume file")},
                                {"save_path", bs("/home/x/Downloads")}, {"total_downloaded", bi(10)}, {"total_uploaded", bi(20)}});
  const auto r = parse("/home/x/.config/deluge/state/torrents.fastresume", bd({{kHash, bs(inner)}}));
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_EQ(r.artifacts[0].attrs, (Attrs{{"client", "Deluge"}, {"info_hash_v1", kHash}, {"save_path", "/home/x/Downloads"},
                                         {"added_on", "2023-11-14T22:13:20Z"}, {"uploaded", "20"}, {"downloaded", "10"}}));
}

TEST_F(TorrentClientPlugin, BadValuesAreReportedAndLeftOut) {
  const auto r = parse(qbt_path, fastresume({{"info-hash", bs("short")}, {"added_time", bi(999999999999999)}, {"total_uploaded", bi(-5)}}));
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r.artifacts.size(), 1u);
  const auto& a = r.artifacts[0].attrs;
  EXPECT_EQ(a.at("info_hash_v1"), kHash);  // from the file name
  EXPECT_FALSE(a.count("added_on"));
  EXPECT_FALSE(a.count("uploaded"));
  EXPECT_EQ(r.log.size(), 3u);
}

TEST_F(TorrentClientPlugin, EveryPrefixIsHandledAndKeepsWhatPrecedesTheDamage) {
  const std::string dat = resume_dat();
  std::size_t last = 0;
  for (std::size_t n = 0; n < dat.size(); ++n) {
    const auto r = parse("/x/resume.dat", dat.substr(0, n));
    ASSERT_TRUE(r.result == FERRET_PARSE_MALFORMED || r.result == FERRET_PARSE_NOT_MINE) << n;
    EXPECT_GE(r.artifacts.size(), last) << n;  // a longer prefix never loses an entry
    last = r.artifacts.size();
  }
  EXPECT_EQ(last, 2u);
  const std::string fr = fastresume();
  for (std::size_t n = 0; n < fr.size(); ++n) {
    const auto r = parse(qbt_path, fr.substr(0, n));
    ASSERT_TRUE(r.result == FERRET_PARSE_MALFORMED || r.result == FERRET_PARSE_NOT_MINE) << n;
  }
}

TEST_F(TorrentClientPlugin, HostileInputIsRefusedQuickly) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"huge string length", "d10:added_timei1e4:name99999999999999:x"},
      {"2 GB claimed name", "d4:name2147483648:abc"},
      {"negative length", "d4:name-3:abce"},
      {"leading zeros", "d10:added_timei0012ee"},
      {"deep nesting", "d5:peers" + std::string(100000, 'l')},
      {"deep resume.dat", "d3:a.td" + std::string(100000, 'd')},
      {"key not a string", "di1ei2ee"},
  };
  for (const auto& [what, bytes] : cases) {
    for (const std::string& path : {qbt_path, std::string("/x/resume.dat")}) {
      const auto start = std::chrono::steady_clock::now();
      const auto r = parse(path, bytes);
      EXPECT_LT(std::chrono::steady_clock::now() - start, time_budget(std::chrono::milliseconds(500))) << what;
      EXPECT_TRUE(r.result == FERRET_PARSE_MALFORMED || r.result == FERRET_PARSE_NOT_MINE) << what << " " << path << ": " << r.result;
    }
  }
}

TEST_F(TorrentClientPlugin, OtherFilesAreNotMine) {
  for (const std::string bytes : {"", "hello", "li1ee", "de", "d3:fooi1ee"}) EXPECT_EQ(parse("/x/a.fastresume", bytes).result, FERRET_PARSE_NOT_MINE) << bytes;
  // A .torrent under the wrong name: a dictionary of dictionaries, but none a torrent's state.
  const std::string torrent = bd({{"announce", bs("http://t/a")}, {"info", bd({{"length", bi(1)}, {"name", bs("a")}, {"piece length", bi(16384)}})}});
  EXPECT_EQ(parse("/x/resume.dat", torrent).result, FERRET_PARSE_NOT_MINE);
}

// Mutated client files and random bencode-ish bytes (fixed seed): no crash, every value well-typed.
TEST_F(TorrentClientPlugin, FuzzedInputNeverBreaksIt) {
  const std::string inner = fastresume();
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {qbt_path, fastresume()}, {"/x/resume.dat", resume_dat()}, {"/x/torrents.fastresume", bd({{kHash, bs(inner)}})}};
  const std::string alphabet = "dlie0123456789:-";
  std::mt19937 rng(8);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 2000; ++i) {
    const auto& [path, seed] = seeds[rng() % seeds.size()];
    std::string s = seed;
    if (i % 10 == 0) {
      s = "d";
      for (int k = static_cast<int>(rng() % 200); k > 0; --k) s += alphabet[rng() % alphabet.size()];
    } else {
      for (int e = 1 + static_cast<int>(rng() % 4); e > 0 && !s.empty(); --e) {
        const std::size_t at = rng() % s.size();
        switch (rng() % 4) {
          case 0: s[at] = static_cast<char>(rng()); break;
          case 1: s[at] = alphabet[rng() % alphabet.size()]; break;
          case 2: s.erase(at, 1 + rng() % 8); break;
          default: s.insert(at, std::string(1 + rng() % 3, alphabet[rng() % alphabet.size()])); break;
        }
      }
    }
    const auto r = parse(path, s);
    ASSERT_NE(r.result, FERRET_PARSE_FAILED) << i;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, time_budget(std::chrono::seconds(2)));
}

}  // namespace
}  // namespace ferret::test
