// The release plugin through the in-memory host: a table of real-looking release names and their
// parts, names that must give nothing, paths, CP437 NFOs, SFV listings, and fuzzed names and content.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>

#include "plugin_harness.h"

namespace ferret::test {
namespace {

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

// The checks the real host makes beyond the harness's: HEX is lowercase hex, text is UTF-8.
void expect_well_typed(const PluginRun& r) {
  EXPECT_TRUE(r.rejected.empty()) << r.rejected.front();
  for (const auto& a : r.artifacts) {
    for (const auto& [name, value] : a.attrs) {
      if (name == "crc32") {
        EXPECT_TRUE(value.size() == 8 && value.find_first_not_of("0123456789abcdef") == std::string::npos) << value;
      }
      EXPECT_TRUE(valid_utf8(value)) << name;
    }
  }
}

class ReleasePlugin : public ::testing::Test {
 protected:
  PluginHarness h{plugin_path("release")};
  void SetUp() override { ASSERT_EQ(h.error(), ""); }
  PluginRun parse(const std::string& path, const std::string& content = "") {
    auto r = h.parse(path, content);
    expect_well_typed(r);
    return r;
  }
};

using Attrs = std::map<std::string, std::string>;

TEST_F(ReleasePlugin, DeclaresItsSelectors) {
  const ferret_plugin* p = h.plugin();
  EXPECT_STREQ(p->name, "release");
  std::vector<std::string> ext(p->selector.extensions, p->selector.extensions + p->selector.extension_count);
  for (const char* e : {"nfo", "sfv", "mkv", "mp4", "avi", "m4v", "mov", "wmv", "ts", "iso", "rar", "zip", "srt"}) {
    EXPECT_NE(std::find(ext.begin(), ext.end(), e), ext.end()) << e;
  }
}

TEST_F(ReleasePlugin, RecognisesReleaseNamesInFileNames) {
  const std::vector<std::pair<std::string, Attrs>> table = {
      {"Title.Of.Film.2019.1080p.BluRay.x264-EVO.mkv",
       {{"name", "Title.Of.Film.2019.1080p.BluRay.x264-EVO"}, {"group", "EVO"}, {"title", "Title Of Film"}, {"year", "2019"},
        {"resolution", "1080p"}, {"source", "BluRay"}, {"codec", "x264"}, {"where", "file name"}}},
      {"Show.Name.S02E05.720p.HDTV.x264-KILLERS.mkv",
       {{"name", "Show.Name.S02E05.720p.HDTV.x264-KILLERS"}, {"group", "KILLERS"}, {"title", "Show Name"}, {"season_episode", "S02E05"},
        {"resolution", "720p"}, {"source", "HDTV"}, {"codec", "x264"}, {"where", "file name"}}},
      {"Blade.Runner.2049.2017.2160p.UHD.BluRay.REMUX.HDR.HEVC.Atmos-EPSiLON.mkv",
       {{"name", "Blade.Runner.2049.2017.2160p.UHD.BluRay.REMUX.HDR.HEVC.Atmos-EPSiLON"}, {"group", "EPSiLON"},
        {"title", "Blade Runner 2049"}, {"year", "2017"}, {"resolution", "2160p"}, {"source", "BluRay REMUX"}, {"codec", "HEVC"},
        {"where", "file name"}}},
      {"The.Mandalorian.S01E01.1080p.DSNP.WEB-DL.DDP5.1.H.264-NTb.mkv",
       {{"name", "The.Mandalorian.S01E01.1080p.DSNP.WEB-DL.DDP5.1.H.264-NTb"}, {"group", "NTb"}, {"title", "The Mandalorian"},
        {"season_episode", "S01E01"}, {"resolution", "1080p"}, {"source", "WEB-DL"}, {"codec", "H.264"}, {"where", "file name"}}},
      {"1917.2019.1080p.WEBRip.x264-RARBG.mp4",
       {{"name", "1917.2019.1080p.WEBRip.x264-RARBG"}, {"group", "RARBG"}, {"title", "1917"}, {"year", "2019"}, {"resolution", "1080p"},
        {"source", "WEBRip"}, {"codec", "x264"}, {"where", "file name"}}},
      {"Movie_Name_2008_DVDRip_XviD-FiCO.avi",
       {{"name", "Movie_Name_2008_DVDRip_XviD-FiCO"}, {"group", "FiCO"}, {"title", "Movie Name"}, {"year", "2008"}, {"source", "DVDRip"},
        {"codec", "XviD"}, {"where", "file name"}}},
      {"show.name.s03e10.hdtv.x264-lol.mkv",
       {{"name", "show.name.s03e10.hdtv.x264-lol"}, {"group", "lol"}, {"title", "show name"}, {"season_episode", "S03E10"},
        {"source", "HDTV"}, {"codec", "x264"}, {"where", "file name"}}},
      {"Some.Series.S01.1080p.AMZN.WEB-DL.DDP5.1.H.264-FLUX.mkv",
       {{"name", "Some.Series.S01.1080p.AMZN.WEB-DL.DDP5.1.H.264-FLUX"}, {"group", "FLUX"}, {"title", "Some Series"},
        {"season_episode", "S01"}, {"resolution", "1080p"}, {"source", "WEB-DL"}, {"codec", "H.264"}, {"where", "file name"}}},
      {"The.Web.2011.720p.BluRay.x264-GRP.mkv",
       {{"name", "The.Web.2011.720p.BluRay.x264-GRP"}, {"group", "GRP"}, {"title", "The Web"}, {"year", "2011"}, {"resolution", "720p"},
        {"source", "BluRay"}, {"codec", "x264"}, {"where", "file name"}}},
      {"Film.Title.PROPER.2020.1080p.WEB.H264-GRP.mkv",
       {{"name", "Film.Title.PROPER.2020.1080p.WEB.H264-GRP"}, {"group", "GRP"}, {"title", "Film Title"}, {"year", "2020"},
        {"resolution", "1080p"}, {"source", "WEB"}, {"codec", "H.264"}, {"where", "file name"}}},
      {"Old.Show.S01E01E02.DVDRip.XviD-SAiNTS.avi",
       {{"name", "Old.Show.S01E01E02.DVDRip.XviD-SAiNTS"}, {"group", "SAiNTS"}, {"title", "Old Show"}, {"season_episode", "S01E01E02"},
        {"source", "DVDRip"}, {"codec", "XviD"}, {"where", "file name"}}},
      {"Film.2019.1080p.BluRay.x264-EVO-sample.mkv",
       {{"name", "Film.2019.1080p.BluRay.x264-EVO"}, {"group", "EVO"}, {"title", "Film"}, {"year", "2019"}, {"resolution", "1080p"},
        {"source", "BluRay"}, {"codec", "x264"}, {"where", "file name"}}},
      {"Film.2019.1080p.BluRay.x264-EVO.en.srt",
       {{"name", "Film.2019.1080p.BluRay.x264-EVO"}, {"group", "EVO"}, {"title", "Film"}, {"year", "2019"}, {"resolution", "1080p"},
        {"source", "BluRay"}, {"codec", "x264"}, {"where", "file name"}}},
      {"Film.2019.1080p.BluRay.x264-EVO.part01.rar",
       {{"name", "Film.2019.1080p.BluRay.x264-EVO"}, {"group", "EVO"}, {"title", "Film"}, {"year", "2019"}, {"resolution", "1080p"},
        {"source", "BluRay"}, {"codec", "x264"}, {"where", "file name"}}},
      {"Spider-Man.No.Way.Home.2021.2160p.WEB-DL.x265.10bit.HDR-TEPES.mkv",
       {{"name", "Spider-Man.No.Way.Home.2021.2160p.WEB-DL.x265.10bit.HDR-TEPES"}, {"group", "TEPES"}, {"title", "Spider-Man No Way Home"},
        {"year", "2021"}, {"resolution", "2160p"}, {"source", "WEB-DL"}, {"codec", "x265"}, {"where", "file name"}}},
      {"Film.2003.iNTERNAL.DVDRip.x264-REGRET.mkv",
       {{"name", "Film.2003.iNTERNAL.DVDRip.x264-REGRET"}, {"group", "REGRET"}, {"title", "Film"}, {"year", "2003"}, {"source", "DVDRip"},
        {"codec", "x264"}, {"where", "file name"}}},
  };
  for (const auto& [file, expected] : table) {
    const auto r = parse("/Downloads/" + file);
    EXPECT_EQ(r.result, FERRET_PARSE_OK) << file;
    const auto releases = r.of_kind("release");
    ASSERT_EQ(releases.size(), 1u) << file;
    EXPECT_EQ(releases[0]->attrs, expected) << file;
  }
}

TEST_F(ReleasePlugin, NamesWithoutAReleasesStructureGiveNothing) {
  for (const char* path : {"/Pictures/holiday.jpg", "/Documents/notes.txt", "/Videos/holiday.mp4", "/DCIM/IMG_2019-01.mp4",
                           "/Videos/family_2019-edit.mp4", "/Videos/my-video.mp4", "/Downloads/Title.Of.Film.2019.1080p.WEB-DL.mkv",
                           "/Videos/Meeting notes 2019-final.mp4", "/WhatsApp/VID_20190101-WA0003.mp4", "/backup/report-2019.zip",
                           "/Downloads/Film.2019.1080p.BluRay.x264-123.mkv", "/Downloads/x264-EVO.mkv", "/TV/Season.1-Episode.2.avi",
                           "/Downloads/evo-toff1080p.mkv", "/src/app-config.ts", "/Downloads/Film.2019.1080p.BluRay.x264.mkv",
                           "/Music/Artist - Album (2019) [FLAC]/01 - Song.zip", "/Users/x/Desktop/2019-12-24.mov",
                           "/Downloads/Caf\xc3\xa9.2019.1080p.BluRay.x264-EVO.mkv", "/Videos/wedding_video_2019_1080p-final.mp4",
                           "/Videos/GoPro.2019.4K-edit.mp4", "/Videos/Screen Recording 2020-01-01 at 10.00.00.mov"}) {
    const auto r = parse(path);
    EXPECT_TRUE(r.artifacts.empty()) << path << " gave " << r.artifacts[0].attrs.at("name");
    EXPECT_EQ(r.result, FERRET_PARSE_OK) << path;
  }
}

TEST_F(ReleasePlugin, FolderAndFileNamesGiveEachReleaseOnce) {
  auto r = parse("/Downloads/Title.Of.Film.2019.1080p.BluRay.x264-EVO/title.of.film.2019.1080p.bluray.x264-evo.mkv");
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_EQ(r.artifacts[0].attrs.at("name"), "Title.Of.Film.2019.1080p.BluRay.x264-EVO");
  EXPECT_EQ(r.artifacts[0].attrs.at("where"), "folder name, file name");

  r = parse("/TV/Show.Name.S01.720p.HDTV.x264-GRP/show.name.s01e01.720p.hdtv.x264-grp.mkv");
  ASSERT_EQ(r.artifacts.size(), 2u);
  EXPECT_EQ(r.artifacts[0].attrs.at("season_episode"), "S01");
  EXPECT_EQ(r.artifacts[0].attrs.at("where"), "folder name");
  EXPECT_EQ(r.artifacts[1].attrs.at("season_episode"), "S01E01");
  EXPECT_EQ(r.artifacts[1].attrs.at("where"), "file name");
}

// An NFO as groups write them: CP437 block art, the name on its own line and as a field, dotted
// leaders, and an advert for another release in prose (which must not count).
std::string sample_nfo() {
  const std::string bar(40, '\xDB');
  return bar + "\r\n" +
         "\xDB\xB2\xB1\xB0    E V O   P R E S E N T S    \xB0\xB1\xB2\xDB\r\n" +
         "      EVO PRESENTS\r\n" +
         bar + "\r\n\r\n" +
         "        Title.Of.Film.2019.1080p.BluRay.x264-EVO\r\n\r\n" +
         " \xB3 Release Name ....: Title.Of.Film.2019.1080p.BluRay.x264-EVO  \xB3\r\n" +
         " \xB3 Size.............: 10.93 GB (112 x 100 MB)              \xB3\r\n" +
         " \xB3 Source...........: 1080p Blu-ray                         \xB3\r\n" +
         " \xB3 Video............: x264 @ 12.1 Mbps                      \xB3\r\n" +
         "\r\n  Also grab Other.Film.2018.720p.BluRay.x264-EVO from us today!\r\n" + bar + "\r\n";
}

TEST_F(ReleasePlugin, NfoNamesTheReleaseAndItsFields) {
  const auto r = parse("/Downloads/Title.Of.Film.2019.1080p.BluRay.x264-EVO/evo-toff1080.nfo", sample_nfo());
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.artifacts.size(), 1u);
  const Attrs expected = {{"name", "Title.Of.Film.2019.1080p.BluRay.x264-EVO"}, {"group", "EVO"}, {"title", "Title Of Film"},
                          {"year", "2019"}, {"resolution", "1080p"}, {"source", "BluRay"}, {"codec", "x264"},
                          {"where", "folder name, nfo"}, {"size", "10.93 GB (112 x 100 MB)"}, {"nfo_group", "EVO"}};
  EXPECT_EQ(r.artifacts[0].attrs, expected);

  const auto alone = parse("/Downloads/evo-toff1080.nfo", sample_nfo());
  ASSERT_EQ(alone.artifacts.size(), 1u);
  EXPECT_EQ(alone.artifacts[0].attrs.at("where"), "nfo");
  EXPECT_EQ(alone.artifacts[0].attrs.at("size"), "10.93 GB (112 x 100 MB)");
}

TEST_F(ReleasePlugin, NfoFieldsGoToTheFoldersReleaseWhenTheNfoNamesNone) {
  const std::string nfo = "   SPARKS proudly presents\n  Size: 4.37 GB\n  Source: DVD9\n";
  const auto r = parse("/Movies/Film.2004.DVDRip.XviD-SPARKS/sparks-film.nfo", nfo);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_EQ(r.artifacts[0].attrs.at("size"), "4.37 GB");
  EXPECT_EQ(r.artifacts[0].attrs.at("nfo_group"), "SPARKS");
  EXPECT_EQ(r.artifacts[0].attrs.at("source"), "DVDRip");  // the name's own source wins
  EXPECT_EQ(r.artifacts[0].attrs.at("where"), "folder name");
}

TEST_F(ReleasePlugin, NfoWithoutAReleaseGivesNothing) {
  EXPECT_TRUE(parse("/Program Files/App/readme.nfo", "Size: 10 MB\r\nGroup: SOMEONE\r\nThanks for installing.\r\n").artifacts.empty());
  // A Windows System Information export also has the .nfo extension.
  const std::string msinfo = "\xFF\xFE<\0?\0x\0m\0l\0 \0v\0e\0r\0s\0i\0o\0n\0";
  EXPECT_TRUE(parse("/Users/x/Desktop/system.nfo", msinfo).artifacts.empty());
}

TEST_F(ReleasePlugin, SfvListsFilesAndCrcs) {
  const std::string sfv =
      "; Generated by WIN-SFV32 v1 (compatible; MKSFV)\r\n"
      ";\r\n"
      ";   50000000  12:00.00 2019-01-01 film.r00\r\n"
      "film.r00 1A2B3C4D\r\n"
      "film.r01 deadbeef\r\n"
      "\r\n"
      "film with spaces.rar\t0badf00d\r\n";
  const auto r = parse("/Downloads/Title.Of.Film.2019.1080p.BluRay.x264-EVO/title.of.film.2019.1080p.bluray.x264-evo.sfv", sfv);
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  const auto entries = r.of_kind("sfv_entry");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0]->attrs, (Attrs{{"file_name", "film.r00"}, {"crc32", "1a2b3c4d"}, {"line", "4"}}));
  EXPECT_EQ(entries[1]->attrs, (Attrs{{"file_name", "film.r01"}, {"crc32", "deadbeef"}, {"line", "5"}}));
  EXPECT_EQ(entries[2]->attrs, (Attrs{{"file_name", "film with spaces.rar"}, {"crc32", "0badf00d"}, {"line", "7"}}));
  ASSERT_EQ(r.of_kind("release").size(), 1u);
  EXPECT_EQ(r.of_kind("release")[0]->attrs.at("where"), "folder name, file name");
}

TEST_F(ReleasePlugin, DamagedSfvKeepsItsGoodLines) {
  const auto r = parse("/x/a.sfv", "a.rar 12345678\nthis is not an entry\nb.rar 1234567\nc.rar 9abcdef0\n");
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  EXPECT_EQ(r.of_kind("sfv_entry").size(), 2u);
  ASSERT_EQ(r.log.size(), 1u);
  EXPECT_NE(r.log[0].find("line 2"), std::string::npos) << r.log[0];
}

TEST_F(ReleasePlugin, BinarySfvIsNotMine) {
  std::string junk(5000, '\0');
  std::mt19937 rng(3);
  for (char& c : junk) c = static_cast<char>(rng());
  EXPECT_EQ(parse("/x/a.sfv", junk).result, FERRET_PARSE_NOT_MINE);
  const auto named = parse("/x/Film.2019.1080p.BluRay.x264-EVO.sfv", junk);
  EXPECT_EQ(named.result, FERRET_PARSE_OK);
  EXPECT_EQ(named.of_kind("release").size(), 1u);
  EXPECT_TRUE(named.of_kind("sfv_entry").empty());
}

TEST_F(ReleasePlugin, SfvNamesThatAreNotUtf8AreEscaped) {
  const auto r = parse("/x/a.sfv", "Caf\xe9.rar 12345678\n");
  ASSERT_EQ(r.of_kind("sfv_entry").size(), 1u);
  EXPECT_EQ(r.of_kind("sfv_entry")[0]->attrs.at("file_name"), "Caf\\xe9.rar");
}

// Names assembled from release-like tokens and junk, NFOs and SFVs mutated (fixed seeds): no crash,
// every value well-typed, bounded time.
TEST_F(ReleasePlugin, FuzzedNamesAndContentNeverBreakIt) {
  const std::vector<std::string> pieces = {"Title", "Of", "2019", "1999", "1080p", "720p", "BluRay", "WEB-DL", "WEB", "DL", "x264", "H", "264",
                                           "S01E02", "S1", "E", "-", "-", ".", ".", "_", "-EVO", "-sample", ".mkv", ".en", "(", ")", "[x]",
                                           "PROPER", "DDP5", "1", "\xff", " ", "", "Blu-ray", "-DL", "s", "2160p", "4K"};
  std::mt19937 rng(8);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3000; ++i) {
    std::string path = "/";
    const int folders = static_cast<int>(rng() % 3);
    for (int f = 0; f <= folders; ++f) {
      std::string part;
      const int n = static_cast<int>(rng() % 12);
      for (int k = 0; k < n; ++k) part += pieces[rng() % pieces.size()];
      path += part + (f < folders ? "/" : "");
    }
    std::string content;
    const int kind = static_cast<int>(rng() % 3);
    if (kind == 0) {
      path += ".nfo";
      content = sample_nfo();
      for (int e = 0; e < 8; ++e) content[rng() % content.size()] = static_cast<char>(rng());
    } else if (kind == 1) {
      path += ".sfv";
      const int n = static_cast<int>(rng() % 20);
      for (int k = 0; k < n; ++k) content += pieces[rng() % pieces.size()] + (rng() % 2 ? " 1234abcd\n" : "\n");
    } else {
      path += ".mkv";
    }
    const auto r = parse(path, content);
    ASSERT_NE(r.result, FERRET_PARSE_FAILED) << path;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, time_budget(std::chrono::seconds(2)));
}

}  // namespace
}  // namespace ferret::test
