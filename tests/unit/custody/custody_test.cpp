// The custody log through the library, with a fixed clock: entries, seals, chain, abandoned runs.
#include <gtest/gtest.h>

#include "casedb/case_store.h"
#include "custody/custody.h"
#include "test_support.h"

namespace ferret::custody {
namespace {

using casedb::Database;

std::string scalar(Database& db, const std::string& query) {
  auto s = db.prepare(query);
  EXPECT_TRUE(s.ok()) << query;
  if (!s.ok() || !*s->step()) return {};
  return s->column_text(0);
}

struct Case {
  test::TempDir tmp;
  casedb::CaseDirectory dir;
  Database db;
};

std::unique_ptr<Case> new_case() {
  auto c = std::make_unique<Case>();
  auto dir = casedb::CaseDirectory::open(c->tmp / "case", casedb::CaseDirectory::Create::yes, "test");
  EXPECT_TRUE(dir.ok());
  c->dir = std::move(*dir);
  auto db = c->dir.connect();
  EXPECT_TRUE(db.ok());
  c->db = std::move(*db);
  return c;
}

const FixedClock kClock(std::chrono::system_clock::from_time_t(1764000000));  // 2025-11-24T16:00:00Z

std::int64_t start(Database& db, const char* tool) {
  auto run = casedb::insert_run(db, {tool, "0.1.0", "abc", std::string(tool) + " --case x", "Det. Test", "host", kClock.now_iso8601()});
  EXPECT_TRUE(run.ok());
  EXPECT_TRUE(record_run_start(db, *run, kClock, nullptr).ok());
  return *run;
}

void end(Case& c, std::int64_t run, std::vector<Input> inputs = {}) {
  ASSERT_TRUE(casedb::finish_run(c.db, run, kClock.now_iso8601(), 0, "{}").ok());
  auto closed = record_run_end(c.db, run, inputs, nullptr);
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  ASSERT_TRUE(append_sidecar(c.dir.dir(), closed->sidecar_line).ok());
}

TEST(Custody, EntriesChainAndCarryTheRunAsRecorded) {
  auto c = new_case();
  const auto run = start(c->db, "ferret-ingest");
  ASSERT_TRUE(c->db.exec("INSERT INTO errors(run_id, kind, message) VALUES (" + std::to_string(run) + ", 'corrupt', 'bad block')").ok());
  end(*c, run, {{"image", "/evidence/a.raw", std::string(64, 'b')}});
  EXPECT_EQ(scalar(c->db, "SELECT count(*) FROM custody_log"), "2");
  const std::string body = scalar(c->db, "SELECT body FROM custody_log WHERE seq = 2");
  EXPECT_NE(body.find("\"finished_at\":\"2025-11-24T16:00:00Z\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"path\":\"/evidence/a.raw\""), std::string::npos);
  EXPECT_NE(body.find("\"result_set\":\"errors\",\"rows\":1"), std::string::npos) << body;
  EXPECT_EQ(scalar(c->db, "SELECT prev_hash FROM custody_log WHERE seq = 2"), scalar(c->db, "SELECT entry_hash FROM custody_log WHERE seq = 1"));
  // The same rows and the same clock give the same entries: the log is reproducible.
  auto again = new_case();
  const auto run2 = start(again->db, "ferret-ingest");
  ASSERT_TRUE(again->db.exec("INSERT INTO errors(run_id, kind, message) VALUES (" + std::to_string(run2) + ", 'corrupt', 'bad block')").ok());
  end(*again, run2, {{"image", "/evidence/a.raw", std::string(64, 'b')}});
  EXPECT_EQ(scalar(again->db, "SELECT entry_hash FROM custody_log WHERE seq = 2"), scalar(c->db, "SELECT entry_hash FROM custody_log WHERE seq = 2"));

  const auto verify_run = start(c->db, "ferret-verify");
  (void)verify_run;
  VerifyOptions options;
  options.check_evidence = false;
  auto report = verify_case(c->db, c->dir.dir(), options);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report_text(*report);
  EXPECT_EQ(report->seals, 1u);
  EXPECT_EQ(report->rows, 1u);
}

TEST(Custody, ARunThatNeverEndedIsSealedAsFoundByTheNext) {
  auto c = new_case();
  const auto killed = start(c->db, "ferret-hash");
  ASSERT_TRUE(c->db.exec("INSERT INTO errors(run_id, kind, message) VALUES (" + std::to_string(killed) + ", 'unreadable', 'x')").ok());
  const auto next = start(c->db, "ferret-hash");
  EXPECT_EQ(scalar(c->db, "SELECT kind FROM custody_log WHERE seq = 2"), "run-abandoned");
  const std::string body = scalar(c->db, "SELECT body FROM custody_log WHERE seq = 2");
  EXPECT_NE(body.find("\"sealed_at\":\"2025-11-24T16:00:00Z\",\"sealed_by_run\":" + std::to_string(next)), std::string::npos) << body;
  EXPECT_NE(body.find("\"finished_at\":null"), std::string::npos);
  end(*c, next);
  start(c->db, "ferret-verify");
  VerifyOptions options;
  options.check_evidence = false;
  auto report = verify_case(c->db, c->dir.dir(), options);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report_text(*report);
  // ... and the rows it left are covered: editing one is seen.
  ASSERT_TRUE(c->db.exec("UPDATE errors SET message = 'y'").ok());
  report = verify_case(c->db, c->dir.dir(), options);
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->ok());
  EXPECT_EQ(report->findings.front().message, "errors row 1 (written by run 1 (ferret-hash)) was changed after the run sealed it");
}

}  // namespace
}  // namespace ferret::custody
