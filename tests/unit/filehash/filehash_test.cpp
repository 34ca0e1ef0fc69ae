// The file hasher on the demo sample, through the library: both reading paths agree, and resuming works.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "casedb/case_store.h"
#include "casedb/case_writer.h"
#include "filehash/file_hasher.h"
#include "ingest/ingest.h"
#include "test_support.h"

namespace ferret::test {
namespace {

const std::filesystem::path kDemo = std::filesystem::path(FERRET_SAMPLES_BUILD_DIR) / "demo.raw";

std::int64_t g_run_id = 0;

// A fresh case holding the demo sample, ingested but not hashed (its run id in g_run_id).
std::unique_ptr<casedb::CaseWriter> ingested_case(const std::filesystem::path& dir) {
  auto cd = casedb::CaseDirectory::open(dir, casedb::CaseDirectory::Create::yes, "test");
  EXPECT_TRUE(cd.ok());
  auto db = cd->connect();
  EXPECT_TRUE(db.ok());
  auto run = casedb::insert_run(*db, {"test", "0", "0", "test", "tester", "host", "2026-01-01T00:00:00Z"});
  EXPECT_TRUE(run.ok());
  auto writer = std::make_unique<casedb::CaseWriter>(std::move(*db));
  ingest::IngestOptions options;
  options.run_id = *run;
  g_run_id = *run;
  auto out = ingest::ingest_evidence(*writer, kDemo, options);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return writer;
}

std::string snapshot(casedb::CaseWriter& writer) {
  auto text = writer.call<std::string>([](casedb::Database& db) -> Result<std::string> {
    auto s = db.prepare("SELECT group_concat(path || '|' || content_state || '|' || coalesce(md5,'') || coalesce(sha1,'') || "
                        "coalesce(sha256,'') || '|' || coalesce(mime,''), char(10)) FROM "
                        "(SELECT * FROM files WHERE type = 'file' ORDER BY path, meta_addr)");
    if (!s.ok()) return s.error();
    auto row = s->step();
    if (!row.ok()) return row.error();
    return s->column_text(0);
  });
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : "";
}

TEST(FileHasher, ParallelDigestsForBigFilesGiveTheSameResultsAsTheStreamingPath) {
  if (!std::filesystem::exists(kDemo)) GTEST_SKIP() << "samples not unpacked";
  TempDir a, b;
  auto streaming = ingested_case(a / "case");
  auto parallel = ingested_case(b / "case");
  filehash::HashOptions options;
  options.run_id = g_run_id;
  auto one = filehash::hash_files(*streaming, options);
  ASSERT_TRUE(one.ok()) << one.error().message;
  options.big_file_bytes = 1;  // every file with runs through the parallel path
  options.md5_multi_buffer = false;  // (multi-buffer MD5 takes files with runs into its lanes instead)
  auto two = filehash::hash_files(*parallel, options);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(one->intact, two->intact);
  EXPECT_EQ(one->bytes, two->bytes);
  EXPECT_GT(one->intact, 40u);
  EXPECT_EQ(snapshot(*streaming), snapshot(*parallel));
}

TEST(FileHasher, MultiBufferMd5GivesTheSameResultsAsOneFileAtATime) {
  if (!std::filesystem::exists(kDemo)) GTEST_SKIP() << "samples not unpacked";
  TempDir a, b;
  auto one_at_a_time = ingested_case(a / "case");
  auto in_lanes = ingested_case(b / "case");
  filehash::HashOptions options;
  options.run_id = g_run_id;
  options.md5_multi_buffer = false;
  auto one = filehash::hash_files(*one_at_a_time, options);
  ASSERT_TRUE(one.ok()) << one.error().message;
  options.md5_multi_buffer = true;  // lanes where the CPU has AVX2 (otherwise the same path again)
  options.threads = 1;              // one worker: every file through the same lanes
  auto two = filehash::hash_files(*in_lanes, options);
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(one->intact, two->intact);
  EXPECT_EQ(one->unreadable, two->unreadable);
  EXPECT_EQ(one->bytes, two->bytes);
  EXPECT_EQ(one->ext_mismatches, two->ext_mismatches);
  EXPECT_GT(one->intact, 40u);
  EXPECT_EQ(snapshot(*one_at_a_time), snapshot(*in_lanes));
}

TEST(FileHasher, ARunInterruptedWhileFilesAreInTheLanesRecordsOnlyWholeHashesAndResumes) {
  if (!std::filesystem::exists(kDemo)) GTEST_SKIP() << "samples not unpacked";
  TempDir a, b;
  auto reference = ingested_case(a / "case");
  auto interrupted = ingested_case(b / "case");
  filehash::HashOptions options;
  options.run_id = g_run_id;
  ASSERT_TRUE(filehash::hash_files(*reference, options).ok());
  std::atomic<bool> cancel{false};
  options.cancel = &cancel;
  options.threads = 1;
  options.progress = [&](const filehash::HashProgress& p) {
    if (p.files_done >= 5) cancel = true;
  };
  auto stopped = filehash::hash_files(*interrupted, options);
  ASSERT_TRUE(stopped.ok()) << stopped.error().message;
  EXPECT_TRUE(stopped->interrupted);
  // Whatever was recorded equals the uninterrupted run's row (rows not hashed yet are left out of
  // the snapshot: their content_state is NULL).
  const std::string full = snapshot(*reference);
  std::set<std::string> full_rows;
  std::istringstream full_lines(full);
  for (std::string line; std::getline(full_lines, line);) full_rows.insert(line);
  std::istringstream partial(snapshot(*interrupted));
  std::size_t recorded = 0;
  for (std::string line; std::getline(partial, line);) {
    ++recorded;
    EXPECT_TRUE(full_rows.count(line)) << line;
  }
  EXPECT_GE(recorded, 5u);
  cancel = false;
  options.progress = nullptr;
  auto rest = filehash::hash_files(*interrupted, options);
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  EXPECT_EQ(snapshot(*interrupted), full);
}

TEST(FileHasher, ASecondRunFindsNothingLeftAndCancelledRunsRecordNothing) {
  if (!std::filesystem::exists(kDemo)) GTEST_SKIP() << "samples not unpacked";
  TempDir tmp;
  auto writer = ingested_case(tmp / "case");
  std::atomic<bool> cancel{true};
  filehash::HashOptions options;
  options.run_id = g_run_id;
  options.cancel = &cancel;
  auto cancelled = filehash::hash_files(*writer, options);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_TRUE(cancelled->interrupted);
  EXPECT_EQ(cancelled->intact, 0u);
  cancel = false;
  auto first = filehash::hash_files(*writer, options);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_GT(first->intact, 40u);
  EXPECT_EQ(first->already_done, 0u);
  auto second = filehash::hash_files(*writer, options);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->intact, 0u);
  EXPECT_EQ(second->already_done, first->intact + first->reallocated + first->no_content + first->unreadable);
}

TEST(FileHasher, UnknownEvidenceIsNotFound) {
  if (!std::filesystem::exists(kDemo)) GTEST_SKIP() << "samples not unpacked";
  TempDir tmp;
  auto writer = ingested_case(tmp / "case");
  filehash::HashOptions options;
  options.evidence_id = 99;
  auto out = filehash::hash_files(*writer, options);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, Errc::not_found);
}

}  // namespace
}  // namespace ferret::test
