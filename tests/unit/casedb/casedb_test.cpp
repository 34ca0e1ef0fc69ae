// The case database: migrations, the public contract's columns, the writer thread, the case lock, runs.
#include <gtest/gtest.h>

#include <set>

#include "casedb/case_store.h"
#include "casedb/case_writer.h"
#include "casedb/migrations.h"
#include "test_support.h"

namespace ferret::casedb {
namespace {

std::set<std::string> columns_of(Database& db, const std::string& table) {
  auto stmt = db.prepare("SELECT name FROM pragma_table_info('" + table + "')");
  EXPECT_TRUE(stmt.ok());
  std::set<std::string> out;
  while (*stmt->step()) out.insert(stmt->column_text(0));
  return out;
}

TEST(CaseDb, MigrationsBringAFreshDatabaseToTheNewestVersion) {
  test::TempDir tmp;
  auto db = Database::open(tmp / "case.db", Database::Mode::read_write_create);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->migrate().ok());
  EXPECT_EQ(db->user_version(), migrations().back().version);
  ASSERT_TRUE(db->migrate().ok());  // idempotent
}

TEST(CaseDb, PublicContractColumnsExist) {
  test::TempDir tmp;
  auto db = Database::open(tmp / "case.db", Database::Mode::read_write_create);
  ASSERT_TRUE(db.ok() && db->migrate().ok());
  const std::map<std::string, std::vector<std::string>> contract = {
      {"evidence", {"evidence_id", "path", "format", "size", "md5", "sha1", "sha256", "case_number", "evidence_number",
                    "examiner", "description", "acquired_at", "stored_md5", "stored_sha1"}},
      {"volumes", {"volume_id", "evidence_id", "start_offset", "length", "description", "fs_type"}},
      {"files", {"file_id", "evidence_id", "volume_id", "origin", "path", "name", "meta_addr", "type", "size",
                 "allocated", "mtime", "atime", "ctime", "crtime", "md5", "sha1", "sha256", "mime"}},
      {"runs", {"run_id", "tool", "version", "command_line", "examiner", "host", "started_at", "finished_at", "exit_code"}},
  };
  for (const auto& [table, cols] : contract) {
    const auto have = columns_of(*db, table);
    for (const auto& c : cols) EXPECT_TRUE(have.count(c)) << table << "." << c;
  }
}

TEST(CaseDb, RefusesADatabaseFromANewerFerret) {
  test::TempDir tmp;
  auto db = Database::open(tmp / "case.db", Database::Mode::read_write_create);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("PRAGMA user_version = 9999").ok());
  auto status = db->migrate();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::unsupported);
}

TEST(CaseDb, NotADatabaseIsAClearError) {
  test::TempDir tmp;
  test::write_file_bytes(tmp / "case.db", test::random_bytes(4096, 1));
  auto db = Database::open(tmp / "case.db", Database::Mode::read_write_create);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message.find("case.db"), std::string::npos) << db.error().message;
}

TEST(CaseWriter, RunsTasksInOrderAndReportsTheFirstFailure) {
  test::TempDir tmp;
  auto db = Database::open(tmp / "case.db", Database::Mode::read_write_create);
  ASSERT_TRUE(db.ok());
  CaseWriter writer(std::move(*db), 2);
  writer.post([](Database& d) { return d.exec("CREATE TABLE t(x INTEGER)"); });
  for (int i = 0; i < 50; ++i) {
    writer.post([i](Database& d) { return d.exec("INSERT INTO t VALUES (" + std::to_string(i) + ")"); });
  }
  ASSERT_TRUE(writer.flush().ok());
  writer.post([](Database& d) { return d.exec("INSERT INTO missing VALUES (1)"); });
  writer.post([](Database& d) { return d.exec("INSERT INTO t VALUES (999)"); });  // skipped after the failure
  auto status = writer.flush();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("missing"), std::string::npos);
  auto count = writer.call<std::int64_t>([](Database& d) -> Result<std::int64_t> {
    auto s = d.prepare("SELECT count(*), max(x) FROM t");
    if (!s.ok()) return s.error();
    (void)s->step();
    return s->column_int(0) * 10000 + s->column_int(1);
  });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 50 * 10000 + 49);
}

TEST(CaseDirectory, SecondOpenerIsRefusedWithAClearMessage) {
  test::TempDir tmp;
  auto first = CaseDirectory::open(tmp / "case", CaseDirectory::Create::yes, "ferret-test");
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = CaseDirectory::open(tmp / "case", CaseDirectory::Create::yes, "ferret-other");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, Errc::busy);
  EXPECT_NE(second.error().message.find("ferret-test"), std::string::npos) << second.error().message;
  first = CaseDirectory();  // releases the lock
  EXPECT_TRUE(CaseDirectory::open(tmp / "case", CaseDirectory::Create::yes, "ferret-other").ok());
}

TEST(CaseDirectory, MissingCaseIsNotCreatedWhenNotAsked) {
  test::TempDir tmp;
  auto c = CaseDirectory::open(tmp / "nope", CaseDirectory::Create::no, "ferret-test");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::not_found);
  EXPECT_FALSE(std::filesystem::exists(tmp / "nope"));
}

TEST(Runs, StartAndFinishAreRecorded) {
  test::TempDir tmp;
  auto dir = CaseDirectory::open(tmp / "case", CaseDirectory::Create::yes, "ferret-test");
  ASSERT_TRUE(dir.ok());
  auto db = dir->connect();
  ASSERT_TRUE(db.ok());
  const char* argv[] = {"ferret-ingest", "--case", "my case", "it's.E01"};
  RunStart run{"ferret-ingest", "0.1.0", "abc", quoted_command_line(4, argv), "Det. X", "host1", "2026-01-02T03:04:05Z"};
  EXPECT_EQ(run.command_line, "ferret-ingest --case 'my case' 'it'\\''s.E01'");
  auto id = insert_run(*db, run);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(finish_run(*db, *id, "2026-01-02T03:04:09Z", 3, "{}").ok());
  auto stmt = db->prepare("SELECT tool, examiner, started_at, finished_at, exit_code, command_line FROM runs WHERE run_id = ?");
  ASSERT_TRUE(stmt.ok());
  stmt->bind(1, *id);
  ASSERT_TRUE(*stmt->step());
  EXPECT_EQ(stmt->column_text(0), "ferret-ingest");
  EXPECT_EQ(stmt->column_text(1), "Det. X");
  EXPECT_EQ(stmt->column_text(2), "2026-01-02T03:04:05Z");
  EXPECT_EQ(stmt->column_text(3), "2026-01-02T03:04:09Z");
  EXPECT_EQ(stmt->column_int(4), 3);
  EXPECT_EQ(stmt->column_text(5), run.command_line);
}

}  // namespace
}  // namespace ferret::casedb
