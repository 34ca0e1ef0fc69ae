// NSRL reference data: RDS 2.x NSRLFile.txt (quoted CSV) and RDSv3 (SQLite, built here with the
// sqlite3 C API, FILE only and with the DISTINCT_HASH view), read without the database changing.
#include "hashset/rdsv3.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstring>
#include <map>

#include "hashset/format.h"
#include "hashset/import.h"
#include "hashset/json_reader.h"
#include "hashset_test_support.h"
#include "test_support.h"

namespace ferret::hashset {
namespace {

using test::parse_text;

std::string md5_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).md5; }
std::string sha1_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).sha1; }
std::string sha256_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).sha256; }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  if (!text.empty()) std::memcpy(bytes.data(), text.data(), text.size());
  ferret::test::write_file_bytes(p, bytes);
}

std::string file_text(const std::filesystem::path& p) {
  const auto bytes = ferret::test::read_file_bytes(p);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

DigestValue digest(const std::string& hex) { return *parse_hex_digest(*algorithm_for_hex_length(hex.size()), hex); }

ImportOptions options() {
  static const FixedClock clock(std::chrono::system_clock::from_time_t(1772000000));
  ImportOptions o;
  o.name = "NSRL";
  o.category = Category::known_good;
  o.clock = &clock;
  return o;
}

Result<Format> detect(const std::string& text) {
  MemorySource source(text);
  return detect_format(source);
}

constexpr const char* kRds2Header = "\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"";

TEST(NsrlRds2, DetectedAndReadWithBothDigestsNameAndSize) {
  const std::string text = std::string(kRds2Header) + "\r\n" +
                           "\"" + upper(sha1_of("a")) + "\",\"" + upper(md5_of("a")) + "\",\"E32A12F9\",\"hticons.dll\",29456,3192,\"WIN\",\"\"\r\n" +
                           "\"" + upper(sha1_of("b")) + "\",\"" + upper(md5_of("b")) + "\",\"00000000\",\"a, \"\"quoted\"\" name\",0,7828,\"OS8\",\"\"\r\n" +
                           "\"" + upper(sha1_of("c")) + "\",\"" + upper(md5_of("c")) + "\",\"00000000\",\"bad \"quote\" name\",1,1,\"X\",\"\"\r\n" +
                           "\"" + upper(sha1_of("d")) + "\",\"" + upper(md5_of("d")) + "\",\"00000000\",\"short row\"\r\n";
  EXPECT_EQ(*detect(text), Format::nsrl_rds2);
  auto p = parse_text(Format::nsrl_rds2, text);
  ASSERT_TRUE(p->status.ok()) << p->status.error().message;
  EXPECT_EQ(p->summary.lines, 5u);
  EXPECT_EQ(p->summary.ignored_columns, (std::vector<std::string>{"CRC32", "ProductCode", "OpSystemCode", "SpecialCode"}));
  ASSERT_EQ(p->sink.entries.size(), 2u);
  EXPECT_EQ(p->sink.entries[0].hexes, (std::vector<std::string>{"sha1:" + sha1_of("a"), "md5:" + md5_of("a")}));
  EXPECT_EQ(p->sink.entries[0].file_name, "hticons.dll");
  EXPECT_EQ(p->sink.entries[0].size, 29456u);
  EXPECT_EQ(p->sink.entries[0].line, 2u);
  EXPECT_EQ(p->sink.entries[1].file_name, "a, \"quoted\" name");
  EXPECT_EQ(p->sink.entries[1].size, 0u);
  ASSERT_EQ(p->sink.rejects.size(), 2u);
  EXPECT_EQ(p->sink.rejects[0].line, 4u);
  EXPECT_NE(p->sink.rejects[0].reason.find("a character after a closing quote"), std::string::npos) << p->sink.rejects[0].reason;
  EXPECT_EQ(p->sink.rejects[1].line, 5u);
  EXPECT_EQ(p->sink.rejects[1].reason, "4 field(s), the header has 8");
  // The RDS 1.5 layout (MD4 too, other order) is read by the same names.
  const std::string rds15 = "\"SHA-1\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"MD4\",\"MD5\",\"CRC32\",\"SpecialCode\"\n\"" +
                            upper(sha1_of("e")) + "\",\"e.txt\",5,1,\"WIN\",\"" + std::string(32, '0') + "\",\"" + upper(md5_of("e")) + "\",\"00000000\",\"\"\n";
  EXPECT_EQ(*detect(rds15), Format::nsrl_rds2);
  auto old = parse_text(Format::nsrl_rds2, rds15);
  ASSERT_EQ(old->sink.entries.size(), 1u);
  EXPECT_EQ(old->sink.entries[0].hexes, (std::vector<std::string>{"sha1:" + sha1_of("e"), "md5:" + md5_of("e")}));
  EXPECT_EQ(old->sink.entries[0].file_name, "e.txt");
}

// --- RDSv3 --------------------------------------------------------------------------------------

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK) << (message != nullptr ? message : "") << "\n" << sql;
}

struct FileRow {
  std::string sha256, sha1, md5, name;
  std::optional<std::int64_t> size;
  int package = 0;
};

// An RDSv3-shaped database: the FILE table as NIST ships it, PKG and VERSION beside it, and the
// DISTINCT_HASH view when asked.
void make_rdsv3(const std::filesystem::path& path, const std::vector<FileRow>& rows, bool distinct_view) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  exec(db,
       "CREATE TABLE FILE (sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, crc32 VARCHAR NOT NULL,"
       " file_name VARCHAR NOT NULL, file_size INTEGER, package_id INTEGER NOT NULL);"
       "CREATE TABLE PKG (package_id INTEGER NOT NULL, name VARCHAR NOT NULL, version VARCHAR NOT NULL);"
       "CREATE TABLE VERSION (version VARCHAR UNIQUE NOT NULL, build_set VARCHAR NOT NULL, description VARCHAR NOT NULL);"
       "INSERT INTO VERSION VALUES ('2026.03.1', 'Modern Minimal', 'test');");
  if (distinct_view) exec(db, "CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, md5, crc32 FROM FILE;");
  exec(db, "BEGIN");
  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO FILE VALUES (?, ?, ?, '00000000', ?, ?, ?)", -1, &insert, nullptr), SQLITE_OK);
  for (const auto& r : rows) {
    sqlite3_bind_text(insert, 1, r.sha256.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, r.sha1.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 3, r.md5.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 4, r.name.c_str(), -1, SQLITE_TRANSIENT);
    if (r.size) sqlite3_bind_int64(insert, 5, *r.size);
    else sqlite3_bind_null(insert, 5);
    sqlite3_bind_int(insert, 6, r.package);
    ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  exec(db, "COMMIT");
  ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
}

FileRow row_for(const std::string& content, int package, std::optional<std::int64_t> size = 7) {
  return {upper(sha256_of(content)), upper(sha1_of(content)), upper(md5_of(content)), content + ".dll", size, package};
}

// 20 files; f3 is shipped by two packages (two rows), one row has a bad SHA-1, one has empty digests.
std::vector<FileRow> sample_rows() {
  std::vector<FileRow> rows;
  for (int i = 0; i < 20; ++i) rows.push_back(row_for("f" + std::to_string(i), i % 3, 100 + i));
  rows.insert(rows.begin() + 5, row_for("f3", 9, 103));
  rows[12].sha1 = "NOTHEX";
  rows.push_back({"", "", "", "nothing.bin", std::nullopt, 1});
  rows.push_back(row_for("nosize", 1, std::nullopt));
  return rows;
}

struct DirState {
  std::vector<std::string> names;
  std::string bytes;
  std::filesystem::file_time_type mtime;
  bool operator==(const DirState&) const = default;
};

DirState state_of(const std::filesystem::path& dir, const std::filesystem::path& db) {
  DirState s;
  for (const auto& e : std::filesystem::directory_iterator(dir)) s.names.push_back(e.path().filename().string());
  std::sort(s.names.begin(), s.names.end());
  s.bytes = file_text(db);
  s.mtime = std::filesystem::last_write_time(db);
  return s;
}

class Rdsv3 : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir / "evidence"); }
  ferret::test::TempDir dir;
};

TEST_F(Rdsv3, TheFileTableGivesEveryDigestWithNameAndSizeAndRowNumbers) {
  const auto db = dir / "evidence" / "RDS_2026.03.1_modern_minimal.db";
  make_rdsv3(db, sample_rows(), false);
  // Read-only evidence: the database and its directory may not be writable at all.
  std::filesystem::permissions(db, std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
  const DirState before = state_of(dir / "evidence", db);
  auto layout = inspect_rdsv3(db);
  ASSERT_TRUE(layout.ok()) << layout.error().message;
  EXPECT_EQ(layout->relation, "FILE");
  EXPECT_EQ(layout->digests, (std::vector<std::string>{"sha256", "sha1", "md5"}));
  EXPECT_EQ(layout->ignored, (std::vector<std::string>{"crc32", "package_id"}));

  auto r = import_hashset({db}, dir / "nsrl.set", options());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(state_of(dir / "evidence", db), before);  // no journal, no WAL, not a byte changed
  const SourceReport& s = r->sources[0];
  EXPECT_EQ(s.format, Format::nsrl_rdsv3);
  EXPECT_EQ(s.sha256, sha256_of(before.bytes));
  EXPECT_EQ(s.size, before.bytes.size());
  EXPECT_EQ(s.lines, 23u);
  EXPECT_EQ(s.accepted, 21u);
  EXPECT_EQ(s.rejected, 2u);
  EXPECT_EQ(s.ignored_columns, (std::vector<std::string>{"crc32", "package_id"}));
  ASSERT_EQ(r->rejects.size(), 2u);
  EXPECT_EQ(r->rejects[0].line, 13u);
  EXPECT_EQ(r->rejects[0].reason, "sha1 is not hexadecimal ('N' at position 1)");
  EXPECT_EQ(r->rejects[1].line, 22u);
  EXPECT_EQ(r->rejects[1].reason, "no sha256, sha1 or md5 value");
  ASSERT_EQ(r->counts.size(), 3u);
  EXPECT_EQ(r->counts[0].hashes, 20u);  // md5: 19 f* rows + nosize; f3 twice
  EXPECT_EQ(r->counts[0].duplicates, 1u);
  EXPECT_EQ(r->counts[1].hashes, 20u);  // sha1: the row with a bad SHA-1 was rejected whole, like its md5 and sha256
  EXPECT_EQ(r->counts[2].hashes, 20u);
  auto set = HashSetIndex::open(dir / "nsrl.set");
  ASSERT_TRUE(set.ok());
  for (int i = 0; i < 20; ++i) {
    const std::string c = "f" + std::to_string(i);
    const auto ref = set->lookup(Algorithm::sha256, digest(sha256_of(c)).view());
    if (i == 11) {  // the row with the bad SHA-1 (f3's second row shifted it)
      EXPECT_FALSE(ref) << c;
      continue;
    }
    ASSERT_TRUE(ref) << c;
    EXPECT_EQ(set->entry(*ref)->file_name, c + ".dll");
    EXPECT_EQ(set->entry(*ref)->size, static_cast<std::uint64_t>(100 + i));
  }
  const auto nosize = set->lookup(Algorithm::md5, digest(md5_of("nosize")).view());
  ASSERT_TRUE(nosize);
  EXPECT_FALSE(set->entry(*nosize)->size);
}

TEST_F(Rdsv3, TheDistinctHashViewIsPreferred) {
  const auto db = dir / "evidence" / "rds.db";
  make_rdsv3(db, sample_rows(), true);
  const DirState before = state_of(dir / "evidence", db);
  auto layout = inspect_rdsv3(db);
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->relation, "DISTINCT_HASH");
  EXPECT_EQ(layout->ignored, std::vector<std::string>{"crc32"});
  auto r = import_hashset({db}, dir / "distinct.set", options());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(state_of(dir / "evidence", db), before);
  EXPECT_EQ(r->sources[0].lines, 22u);  // f3's two rows are one distinct hash
  EXPECT_EQ(r->sources[0].accepted, 20u);
  EXPECT_EQ(r->entries_with_metadata, 0u);  // the view has no names or sizes
  EXPECT_EQ(r->counts[0].hashes, 20u);
  EXPECT_EQ(r->counts[0].duplicates, 0u);
  EXPECT_EQ(r->counts[2].hashes, 20u);
  auto set = HashSetIndex::open(dir / "distinct.set");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->lookup(Algorithm::sha1, digest(sha1_of("f19")).view()));
  EXPECT_TRUE(set->lookup(Algorithm::md5, digest(md5_of("f0")).view()));
}

TEST_F(Rdsv3, DatabasesThatAreNotRdsv3AreRefusedWithWhatTheyHold) {
  const auto db = dir / "other.db";
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  exec(h, "CREATE TABLE cases(id); CREATE TABLE FILE(path, size); CREATE VIEW recent AS SELECT * FROM cases;");
  sqlite3_close(h);
  auto r = import_hashset({db}, dir / "set", options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_NE(r.error().message.find("other.db: an SQLite database that is not an NSRL RDSv3 hash set: it has no DISTINCT_HASH view or FILE table "
                                   "with a sha256, sha1 or md5 column (it has table FILE, table cases, view recent)"),
            std::string::npos)
      << r.error().message;
  // A damaged database: an error, no crash.
  std::string bytes = std::string("SQLite format 3\0", 16) + std::string(4096, '\x7f');
  write_text(dir / "damaged.db", bytes);
  auto damaged = import_hashset({dir / "damaged.db"}, dir / "set", options());
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.error().message.find("damaged.db: SQLite cannot read it"), std::string::npos) << damaged.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir / "set"));
}

TEST_F(Rdsv3, FormatsAndContainersMustAgree) {
  const auto db = dir / "rds.db";
  make_rdsv3(db, {row_for("x", 1)}, false);
  write_text(dir / "list.md5", md5_of("x") + "  x\n");
  auto forced = options();
  forced.format = Format::md5sum;
  auto as_text = import_hashset({db}, dir / "set", forced);
  ASSERT_FALSE(as_text.ok());
  EXPECT_NE(as_text.error().message.find("is an SQLite database: --format md5sum cannot read it"), std::string::npos) << as_text.error().message;
  forced.format = Format::nsrl_rdsv3;
  auto not_db = import_hashset({dir / "list.md5"}, dir / "set", forced);
  ASSERT_FALSE(not_db.ok());
  EXPECT_NE(not_db.error().message.find("is not an SQLite database"), std::string::npos);
  auto fine = import_hashset({db}, dir / "set", forced);
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_EQ(fine->accepted, 1u);
  // A stream cannot be a database.
  MemorySource source("SQLite format 3");
  test::KeepingSink sink;
  auto parser = make_parser(Format::nsrl_rdsv3, source);
  EXPECT_EQ(parser->run(sink, nullptr).error().code, Errc::unsupported);
}

TEST_F(Rdsv3, AnInterruptedReadStops) {
  const auto db = dir / "rds.db";
  std::vector<FileRow> rows;
  for (int i = 0; i < 10000; ++i) rows.push_back(row_for("r" + std::to_string(i), 1));
  make_rdsv3(db, rows, true);
  std::atomic<bool> cancel{true};
  auto o = options();
  o.cancel = &cancel;
  auto r = import_hashset({db}, dir / "set", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::interrupted);
  EXPECT_FALSE(std::filesystem::exists(dir / "set"));
}

TEST_F(Rdsv3, ANameThatLooksLikeUriSyntaxIsOpenedAsAPath) {
  const auto db = dir / "evidence" / "rds?mode=rwc#x%20.db";
  make_rdsv3(db, {row_for("y", 1)}, false);
  auto r = import_hashset({db}, dir / "set", options());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->accepted, 1u);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir / "evidence")) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"rds?mode=rwc#x%20.db"});
}

}  // namespace
}  // namespace ferret::hashset
