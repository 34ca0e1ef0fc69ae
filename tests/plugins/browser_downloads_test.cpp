// The browser_downloads plugin on a Chrome History and a Firefox places.sqlite with the browsers' own
// table layouts (tests/plugins/data/make-fixtures-p3.sh), on odd and hostile databases built here, and
// on corrupted and fuzzed copies.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "plugin_harness.h"

namespace ferret::test {
namespace {

const char* const kChromePath = "/Users/alice/AppData/Local/Google/Chrome/User Data/Default/History";
const char* const kFirefoxPath = "/home/carol/.mozilla/firefox/abcd1234.default-release/places.sqlite";

std::string browser_fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(FERRET_PLUGIN_DATA_DIR) / name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string download_attr(const EmittedArtifact& a, const std::string& name) {
  auto it = a.attrs.find(name);
  return it == a.attrs.end() ? std::string() : it->second;
}

// A database made by running `sql` in a fresh SQLite file; its bytes.
std::string make_db(const std::string& sql) {
  const auto path = std::filesystem::temp_directory_path() / ("ferret-p3-db-" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA synchronous = OFF", nullptr, nullptr, nullptr);  // test data: no need to wait for the disk
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  std::filesystem::remove(path);
  return s.str();
}

const char* const kChromeDownloadsTable =
    "CREATE TABLE downloads (id INTEGER PRIMARY KEY,guid VARCHAR NOT NULL,current_path LONGVARCHAR NOT NULL,target_path "
    "LONGVARCHAR NOT NULL,start_time INTEGER NOT NULL,received_bytes INTEGER NOT NULL,total_bytes INTEGER NOT NULL,state "
    "INTEGER NOT NULL,danger_type INTEGER NOT NULL,interrupt_reason INTEGER NOT NULL,hash BLOB NOT NULL,end_time INTEGER NOT "
    "NULL,opened INTEGER NOT NULL,last_access_time INTEGER NOT NULL,transient INTEGER NOT NULL,referrer VARCHAR NOT NULL,site_url "
    "VARCHAR NOT NULL,embedder_download_data VARCHAR NOT NULL,tab_url VARCHAR NOT NULL,tab_referrer_url VARCHAR NOT NULL,http_method "
    "VARCHAR NOT NULL,by_ext_id VARCHAR NOT NULL,by_ext_name VARCHAR NOT NULL,by_web_app_id VARCHAR NOT NULL,etag VARCHAR NOT "
    "NULL,last_modified VARCHAR NOT NULL,mime_type VARCHAR(255) NOT NULL,original_mime_type VARCHAR(255) NOT NULL);";

class BrowserDownloads : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(h.error(), "");
    // A private temporary directory: the plugin's copies go there and must be gone afterwards.
    const char* old = std::getenv("TMPDIR");
    old_tmpdir_ = old ? std::optional<std::string>(old) : std::nullopt;
    tmp_ = std::filesystem::temp_directory_path() / ("ferret-p3-tmp-" + std::to_string(::getpid()));
    std::filesystem::create_directories(tmp_);
    ::setenv("TMPDIR", tmp_.c_str(), 1);
  }
  void TearDown() override {
    EXPECT_TRUE(std::filesystem::is_empty(tmp_)) << "the plugin left a temporary copy behind";
    std::filesystem::remove_all(tmp_);
    if (old_tmpdir_) ::setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    else ::unsetenv("TMPDIR");
  }
  PluginRun run(const std::string& path, const std::string& bytes) {
    auto r = h.parse(path, bytes, "application/vnd.sqlite3");
    expect_download_well_formed(r);
    return r;
  }
  static void expect_download_well_formed(const PluginRun& r) {
    EXPECT_TRUE(r.rejected.empty()) << (r.rejected.empty() ? "" : r.rejected.front());
    static const std::regex time(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)");
    for (const auto& a : r.artifacts) {
      EXPECT_EQ(a.kind, "download");
      EXPECT_TRUE(a.attrs.count("browser"));
      for (const char* t : {"start_time", "end_time"}) {
        if (a.attrs.count(t)) {
          EXPECT_TRUE(std::regex_match(a.attrs.at(t), time)) << a.attrs.at(t);
        }
      }
      for (const auto& [name, value] : a.attrs) {
        for (std::size_t i = 0; i < value.size(); ++i) {
          const unsigned char c = static_cast<unsigned char>(value[i]);
          EXPECT_FALSE(c < 0x20 && c != '\t') << name;  // control characters are escaped
        }
      }
    }
  }

  PluginHarness h{plugin_path("browser_downloads")};

 private:
  std::filesystem::path tmp_;
  std::optional<std::string> old_tmpdir_;
};

TEST_F(BrowserDownloads, SelectsByFileNameOnly) {
  const ferret_selector& s = h.plugin()->selector;
  EXPECT_EQ(s.magic_count, 0u);
  EXPECT_EQ(s.mime_type_count, 0u);
  EXPECT_EQ(s.extension_count, 0u);
  ASSERT_EQ(s.file_name_count, 2u);
  EXPECT_STREQ(s.file_names[0], "History");
  EXPECT_STREQ(s.file_names[1], "places.sqlite");
}

TEST_F(BrowserDownloads, ChromeHistory) {
  const auto r = run(kChromePath, browser_fixture("browser_chrome_history.sqlite"));
  EXPECT_EQ(r.result, FERRET_PARSE_OK) << (r.log.empty() ? "" : r.log.front());
  ASSERT_EQ(r.of_kind("download").size(), 3u);
  const std::map<std::string, std::string> first = {
      {"browser", "Chrome"},
      {"url", "https://cdn.example.net/files/setup.exe"},  // the last of the redirect chain
      {"target_path", "C:\\Users\\alice\\Downloads\\setup.exe"},
      {"start_time", "2024-03-15T10:20:30Z"},  // 13354971630123456 us after 1601-01-01
      {"end_time", "2024-03-15T10:21:12Z"},    // 13354971672999999: seconds are not rounded up
      {"total_bytes", "1048576"},
      {"received_bytes", "1048576"},
      {"state", "complete"},
      {"referrer", "https://example.com/download"},
      {"mime_type", "application/x-msdownload"},
      {"danger_type", "0"},
      {"record_id", "1"},
  };
  EXPECT_EQ(r.artifacts[0].attrs, first);
  const std::map<std::string, std::string> second = {
      {"browser", "Chrome"},
      {"url", "https://mirror.example.org/big.iso"},  // no chain: the tab's URL
      {"target_path", "/home/bob/Downloads/big.iso"},
      {"start_time", "2024-03-15T12:40:00Z"},  // end_time 0: not set
      {"total_bytes", "5000000"},
      {"received_bytes", "1200"},
      {"state", "interrupted"},
      {"danger_type", "0"},
      {"record_id", "2"},
  };
  EXPECT_EQ(r.artifacts[1].attrs, second);
  const std::map<std::string, std::string> third = {
      {"browser", "Chrome"},
      {"url", "https://jobs.example.net/files/r%C3%A9sum%C3%A9.pdf"},
      {"target_path", "/home/bob/Downloads/r\xc3\xa9sum\xc3\xa9.pdf"},
      {"start_time", "2024-03-15T18:13:20Z"},
      {"end_time", "2024-03-15T18:13:21Z"},
      {"total_bytes", "0"},
      {"received_bytes", "0"},
      {"state", "cancelled"},
      {"referrer", "https://jobs.example.net/"},
      {"mime_type", "application/pdf"},
      {"danger_type", "3"},
      {"record_id", "3"},
  };
  EXPECT_EQ(r.artifacts[2].attrs, third);
}

TEST_F(BrowserDownloads, FirefoxPlaces) {
  const auto r = run(kFirefoxPath, browser_fixture("browser_firefox_places.sqlite"));
  EXPECT_EQ(r.result, FERRET_PARSE_OK) << (r.log.empty() ? "" : r.log.front());
  ASSERT_EQ(r.of_kind("download").size(), 3u);  // moz_places row 1 is a page, not a download
  const std::map<std::string, std::string> first = {
      {"browser", "Firefox"},
      {"url", "https://download.example.org/tool-1.2.tar.gz"},
      {"target_path", "/home/carol/Downloads/tool-1.2.tar.gz"},
      {"start_time", "2023-11-14T22:13:20Z"},  // dateAdded 1700000000123456 us
      {"end_time", "2023-11-14T22:13:25Z"},    // endTime 1700000005678 ms
      {"total_bytes", "2048000"},
      {"state", "complete"},
      {"file_deleted", "0"},
      {"record_id", "2"},
  };
  EXPECT_EQ(r.artifacts[0].attrs, first);
  const std::map<std::string, std::string> second = {
      {"browser", "Firefox"},
      {"url", "https://example.org/report.pdf"},
      {"target_path", "C:\\Users\\Dave\\Downloads\\report final.pdf"},  // file:///C:/Users/Dave/Downloads/report%20final.pdf
      {"start_time", "2023-11-14T22:30:00Z"},
      {"end_time", "2023-11-14T22:30:02Z"},
      {"state", "failed"},
      {"file_deleted", "0"},
      {"record_id", "3"},
  };
  EXPECT_EQ(r.artifacts[1].attrs, second);
  const std::map<std::string, std::string> third = {
      {"browser", "Firefox"},
      {"url", "https://example.org/pending.bin"},
      {"target_path", "/home/carol/Downloads/pending.bin"},
      {"start_time", "2023-11-14T22:46:40Z"},
      {"record_id", "4"},
  };
  EXPECT_EQ(r.artifacts[2].attrs, third);
}

TEST_F(BrowserDownloads, OtherFilesAreNotMine) {
  EXPECT_EQ(run(kChromePath, "this History is a text file\n").result, FERRET_PARSE_NOT_MINE);
  EXPECT_EQ(run(kChromePath, "").result, FERRET_PARSE_NOT_MINE);
  // A SQLite database of another application that happens to be called History.
  EXPECT_EQ(run(kChromePath, make_db("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'x');")).result,
            FERRET_PARSE_NOT_MINE);
  // A view named downloads is someone's query, not Chrome's table: not read.
  const auto view = make_db("CREATE TABLE t(x); CREATE VIEW downloads AS SELECT 1 AS id, 2 AS start_time, 'p' AS target_path;");
  EXPECT_EQ(run(kChromePath, view).result, FERRET_PARSE_NOT_MINE);
}

TEST_F(BrowserDownloads, OddValuesAreReportedNotTrusted) {
  std::string sql = kChromeDownloadsTable;
  sql += "INSERT INTO downloads VALUES (1,'g','','/tmp/a','yesterday',10,10,1,0,0,x'',-5,0,0,0,'','','','https://a/','','',"
         "'','','','','','text/plain','');";
  sql += "INSERT INTO downloads VALUES (2,'g','',x'2f746d702f62ff00',13354971630000000,10,10,9,0,0,x'',0,0,0,0,"
         "'','','','https://b/\x01','','','','','','','','','');";
  const auto r = run(kChromePath, make_db(sql));
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r.artifacts.size(), 2u);
  EXPECT_FALSE(r.artifacts[0].attrs.count("start_time"));  // text where a time belongs
  EXPECT_FALSE(r.artifacts[0].attrs.count("end_time"));    // a negative time
  EXPECT_EQ(download_attr(r.artifacts[0], "url"), "https://a/");  // no downloads_url_chains table: the tab's URL
  EXPECT_EQ(download_attr(r.artifacts[1], "target_path"), "/tmp/b\\xff\\x00");
  EXPECT_EQ(download_attr(r.artifacts[1], "url"), "https://b/\\x01");
  EXPECT_EQ(download_attr(r.artifacts[1], "state"), "unknown(9)");
  bool logged = false;
  for (const auto& l : r.log) logged = logged || l.find("start_time") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST_F(BrowserDownloads, HostileSchemasAreBounded) {
  // A generated column that would build a 500 MB value: SQLite refuses it (length limit).
  // (Added after the row, so that making the database does not compute it.)
  std::string sql = "CREATE TABLE downloads (id INTEGER PRIMARY KEY, start_time INTEGER);"
                    "INSERT INTO downloads (id, start_time) VALUES (1, 13354971630000000);"
                    "ALTER TABLE downloads ADD COLUMN target_path TEXT GENERATED ALWAYS AS (hex(zeroblob(250000000))) VIRTUAL;";
  const auto started = std::chrono::steady_clock::now();
  auto r = run(kChromePath, make_db(sql));
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  EXPECT_TRUE(r.artifacts.empty());
  ASSERT_FALSE(r.log.empty());
  EXPECT_NE(r.log.front().find("too big"), std::string::npos) << r.log.front();
  EXPECT_LT(std::chrono::steady_clock::now() - started, time_budget(std::chrono::seconds(2)));
  // Metadata that is not JSON, or JSON nested without end.
  std::string places =
      "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR);"
      "CREATE TABLE moz_anno_attributes (id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT NULL);"
      "CREATE TABLE moz_annos (id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL, anno_attribute_id INTEGER, content LONGVARCHAR,"
      " flags INTEGER DEFAULT 0, expiration INTEGER DEFAULT 0, type INTEGER DEFAULT 0, dateAdded INTEGER DEFAULT 0, lastModified INTEGER DEFAULT 0);"
      "INSERT INTO moz_anno_attributes VALUES (1, 'downloads/destinationFileURI'), (2, 'downloads/metaData');"
      "INSERT INTO moz_places VALUES (1, 'https://x/1'), (2, 'https://x/2'), (3, 'https://x/3');"
      "INSERT INTO moz_annos (place_id, anno_attribute_id, content, dateAdded) VALUES"
      " (1, 1, 'file:///tmp/1', 1700000000000000), (1, 2, 'not json', 0),"
      " (2, 1, 'file://fileserver/share/dir/2.bin', -7), (2, 2, '{\"a\":" + std::string(100000, '[') + "', 0),"
      " (3, 1, 'https://not-a-file/3', 1700000000000000),"
      " (3, 2, '{\"state\":1.5,\"endTime\":-1,\"fileSize\":-3,\"nested\":{\"a\":[1,{\"b\":\"}\"}]},\"deleted\":true}', 0);";
  r = run(kFirefoxPath, make_db(places));
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r.artifacts.size(), 3u);
  EXPECT_EQ(download_attr(r.artifacts[0], "target_path"), "/tmp/1");
  EXPECT_EQ(download_attr(r.artifacts[1], "target_path"), "\\\\fileserver\\share\\dir\\2.bin");
  EXPECT_FALSE(r.artifacts[1].attrs.count("start_time"));
  EXPECT_EQ(download_attr(r.artifacts[2], "target_path"), "https://not-a-file/3");
  EXPECT_FALSE(r.artifacts[2].attrs.count("state"));
  EXPECT_FALSE(r.artifacts[2].attrs.count("end_time"));
  EXPECT_FALSE(r.artifacts[2].attrs.count("total_bytes"));
  EXPECT_EQ(download_attr(r.artifacts[2], "file_deleted"), "1");  // read past the nested member
}

TEST_F(BrowserDownloads, CorruptDatabasesAreMalformedNotFatal) {
  const std::string chrome = browser_fixture("browser_chrome_history.sqlite");
  // The header's page size made invalid; the schema page overwritten; the file cut in half and to one page.
  std::string bad_page_size = chrome;
  bad_page_size[16] = '\x03', bad_page_size[17] = '\x01';
  std::string bad_schema = chrome;
  for (std::size_t i = 100; i < 4096; ++i) bad_schema[i] = static_cast<char>(i * 31);
  for (const std::string& bytes : {bad_page_size, bad_schema, chrome.substr(0, chrome.size() / 2), chrome.substr(0, 4096)}) {
    const auto r = run(kChromePath, bytes);
    EXPECT_TRUE(r.result == FERRET_PARSE_MALFORMED || r.result == FERRET_PARSE_NOT_MINE) << r.result;
    if (r.result == FERRET_PARSE_MALFORMED) {
      EXPECT_FALSE(r.log.empty());
    }
  }
  // Every page after the first overwritten in turn: rows that can be read still come out.
  const std::string places = browser_fixture("browser_firefox_places.sqlite");
  for (std::size_t page = 1; page * 4096 < places.size(); ++page) {
    std::string bytes = places;
    for (std::size_t i = page * 4096; i < (page + 1) * 4096; ++i) bytes[i] = static_cast<char>(0xA5 ^ i);
    const auto r = run(kFirefoxPath, bytes);
    EXPECT_NE(r.result, FERRET_PARSE_FAILED) << "page " << page;
  }
}

TEST_F(BrowserDownloads, FuzzedDatabasesNeverCrash) {
  std::mt19937 rng(4242);
  const std::string chrome = browser_fixture("browser_chrome_history.sqlite");
  const std::string places = browser_fixture("browser_firefox_places.sqlite");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1800);
  int runs = 0;
  while (runs < 400 && std::chrono::steady_clock::now() < deadline) {
    const bool firefox = rng() % 2;
    std::string s = firefox ? places : chrome;
    switch (rng() % 3) {
      case 0:
        for (int i = 0, n = 1 + static_cast<int>(rng() % 32); i < n; ++i) s[16 + rng() % (s.size() - 16)] = static_cast<char>(rng());
        break;
      case 1: s.resize(16 + rng() % (s.size() - 16)); break;
      default: {  // a run of random bytes somewhere past the magic
        const std::size_t at = 16 + rng() % (s.size() - 16);
        for (std::size_t i = at; i < std::min(s.size(), at + rng() % 512); ++i) s[i] = static_cast<char>(rng());
        break;
      }
    }
    const auto r = run(firefox ? kFirefoxPath : kChromePath, s);
    ASSERT_NE(r.result, FERRET_PARSE_FAILED) << (r.log.empty() ? "" : r.log.front());
    ++runs;
  }
  EXPECT_GT(runs, 50);
}

}  // namespace
}  // namespace ferret::test
