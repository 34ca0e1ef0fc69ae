// ferret-ingest as a user meets it: help, version, usage errors, bad input, duplicates, the run record.
#include <gtest/gtest.h>

#include <fstream>

#include "hash/digest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

TEST(IngestCli, HelpAndVersion) {
  const auto help = run_tool("ferret-ingest", {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--case"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  const auto version = run_tool("ferret-ingest", {"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("ferret-ingest ", 0), 0u) << version.out;
}

TEST(IngestCli, UsageErrorsExitOne) {
  TempDir tmp;
  EXPECT_EQ(run_tool("ferret-ingest", {"image.dd"}).exit_code, 1);
  EXPECT_EQ(run_tool("ferret-ingest", {"--case", (tmp / "c").string()}).exit_code, 1);
  const auto bad = run_tool("ferret-ingest", {"--bogus-option"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bogus-option"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(tmp / "c"));
}

TEST(IngestCli, MissingAndEmptyImagesAreClearFailures) {
  TempDir tmp;
  const auto missing = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), (tmp / "nope.dd").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.dd"), std::string::npos) << missing.err;
  write_file_bytes(tmp / "empty.dd", {});
  const auto empty = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), (tmp / "empty.dd").string()});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("empty.dd"), std::string::npos) << empty.err;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files"), 0);
  // Both attempts are on record, with their outcome.
  EXPECT_EQ(query_text(db, "SELECT group_concat(exit_code) FROM runs"), "2,2");
}

TEST(IngestCli, RandomBytesAreHashedAndRecordedAsUnallocatedWithExitThree) {
  TempDir tmp;
  const auto bytes = random_bytes(300 * 1024, 5);
  write_file_bytes(tmp / "random.bin", bytes);
  const auto run = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), (tmp / "random.bin").string()});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.out.find("no file system recognised"), std::string::npos) << run.out;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_text(db, "SELECT sha256 FROM evidence"), hash::digest_all(bytes).sha256);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM volumes WHERE fs_type IS NULL AND fs_error IS NOT NULL"), 1);
  EXPECT_EQ(query_int(db, "SELECT sum(length) FROM unallocated"), 300 * 1024);
  EXPECT_GE(query_int(db, "SELECT count(*) FROM errors WHERE kind = 'unsupported'"), 1);
  EXPECT_EQ(query_int(db, "SELECT exit_code FROM runs"), 3);
}

TEST(IngestCli, BogusAndTruncatedE01AreRefusedWithoutTouchingTheCase) {
  FERRET_REQUIRE_CORPUS_FILE(bogus, "sleuthkit/test/data/bogus.E01");
  FERRET_REQUIRE_CORPUS_FILE(good, "dfvfs/test_data/ext2.E01");
  TempDir tmp;
  const auto run = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), bogus.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("bogus.E01"), std::string::npos) << run.err;
  // An E01 cut in half: either refused, or ingested with what could be read and exit 3; never a crash.
  auto bytes = read_file_bytes(good);
  bytes.resize(bytes.size() / 2);
  write_file_bytes(tmp / "cut.E01", bytes);
  const auto cut = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), (tmp / "cut.E01").string()});
  EXPECT_TRUE(cut.exit_code == 2 || cut.exit_code == 3) << cut.exit_code << cut.err;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence"), cut.exit_code == 3 ? 1 : 0);
  EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
}

TEST(IngestCli, SameEvidenceTwiceIsRefusedUnlessAsked) {
  FERRET_REQUIRE_CORPUS_FILE(image, "sleuthkit/test/data/image.dd");
  TempDir tmp;
  const std::string case_dir = (tmp / "case").string();
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", case_dir, image.string()}).exit_code, 0);
  const auto again = run_tool("ferret-ingest", {"--case", case_dir, image.string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already in this case"), std::string::npos) << again.err;
  // A copy under another name is recognised by its content.
  std::filesystem::copy_file(image, tmp / "copy.dd");
  const auto copy = run_tool("ferret-ingest", {"--case", case_dir, (tmp / "copy.dd").string()});
  EXPECT_EQ(copy.exit_code, 2);
  EXPECT_NE(copy.err.find("same SHA-256"), std::string::npos) << copy.err;
  {
    auto db = open_case(tmp / "case");
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence"), 1);
    EXPECT_EQ(query_int(db, "SELECT count(DISTINCT evidence_id) FROM files"), 1);
  }
  EXPECT_EQ(run_tool("ferret-ingest", {"--case", case_dir, "--allow-duplicate", image.string()}).exit_code, 0);
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence"), 2);
}

TEST(IngestCli, TheRunIsRecordedWithWhoWhereAndHow) {
  FERRET_REQUIRE_CORPUS_FILE(image, "sleuthkit/test/data/image.dd");
  TempDir tmp;
  const auto run = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), "--examiner", "Det. O'Brien",
                                              "--case-number", "2026-PIR-7", "--json", image.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.front(), '{');
  EXPECT_NE(run.out.find("\"md5\":\"3ebb0b7dcd6b5fcd59a0020625d70994\""), std::string::npos) << run.out;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_text(db, "SELECT tool FROM runs"), "ferret-ingest");
  EXPECT_EQ(query_text(db, "SELECT examiner FROM runs"), "Det. O'Brien");
  EXPECT_NE(query_text(db, "SELECT command_line FROM runs").find("--examiner 'Det. O'\\''Brien'"), std::string::npos);
  EXPECT_EQ(query_int(db, "SELECT exit_code FROM runs"), 0);
  EXPECT_EQ(query_text(db, "SELECT started_at <= finished_at FROM runs"), "1");
  EXPECT_EQ(query_text(db, "SELECT value FROM case_info WHERE key = 'case_number'"), "2026-PIR-7");
  EXPECT_EQ(query_text(db, "SELECT case_number FROM evidence"), "2026-PIR-7");
  EXPECT_EQ(query_text(db, "SELECT md5 FROM evidence"), "3ebb0b7dcd6b5fcd59a0020625d70994");
  EXPECT_EQ(query_int(db, "SELECT ingest_run_id FROM evidence"), query_int(db, "SELECT run_id FROM runs"));
  EXPECT_NE(query_text(db, "SELECT summary FROM runs").find("\"files\":"), std::string::npos);
}

// The case number is the first run's (its custody seal covers case_info): a later run may repeat it or
// leave it out, but one naming another number is refused before anything is written, so the case
// still verifies.
TEST(IngestCli, ALaterRunCannotChangeTheCaseNumber) {
  const auto demo = std::string(FERRET_SAMPLES_BUILD_DIR) + "/demo.raw";
  const auto carve = std::string(FERRET_SAMPLES_BUILD_DIR) + "/carve.raw";
  TempDir tmp;
  const std::string dir = (tmp / "case").string();
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", dir, "--quiet", "--examiner", "E1", "--case-number", "A-1", demo}).exit_code, 0);
  const auto refused = run_tool("ferret-ingest", {"--case", dir, "--quiet", "--case-number", "B-2", carve});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("this case's number is A-1"), std::string::npos) << refused.err;
  {
    auto db = open_case(tmp / "case");
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM runs"), 1);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence"), 1);
  }
  EXPECT_EQ(run_tool("ferret-ingest", {"--case", dir, "--quiet", "--case-number", "A-1", carve}).exit_code, 0);
  EXPECT_EQ(run_tool("ferret-hash", {"--case", dir, "--quiet"}).exit_code, 0);
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_text(db, "SELECT group_concat(key || '=' || value, ',') FROM (SELECT * FROM case_info WHERE key <> 'created_at' ORDER BY key)"),
            "case_number=A-1,created_by=E1");
  const auto verified = run_tool("ferret-verify", {"--case", dir});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

TEST(IngestCli, ASecondToolOnTheSameCaseIsRefused) {
  FERRET_REQUIRE_CORPUS_FILE(image, "sleuthkit/test/data/image.dd");
  TempDir tmp;
  std::filesystem::create_directories(tmp / "case");
  // Hold the case lock from a shell, as another ferret process would.
  const std::string lock = (tmp / "case" / "case.lock").string();
  const std::string cmd = "flock -n " + shell_quote(lock) + " " + shell_quote(std::string(FERRET_BIN_DIR) + "/ferret-ingest") +
                          " --case " + shell_quote((tmp / "case").string()) + " " + shell_quote(image.string());
  std::string out;
  // flock holds the lock on fd of the file; ferret-ingest then finds it locked.
  const int rc = run_shell(cmd + " 2>&1; echo rc=$?", out);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("in use by another Ferret process"), std::string::npos) << out;
  EXPECT_NE(out.find("rc=2"), std::string::npos) << out;
}

}  // namespace
}  // namespace ferret::test

namespace ferret::test {
namespace {

// Ctrl-C during an ingest: exit 130, the run is on record as interrupted, and the case holds nothing of
// the half-done evidence (the next run starts from a clean case).
TEST(IngestCli, AnInterruptedIngestLeavesTheCaseAsItWas) {
  TempDir tmp;
  {
    // 64 GiB of sparse zeros: far more than can be hashed before the signal arrives.
    std::ofstream(tmp / "big.raw").close();
    std::filesystem::resize_file(tmp / "big.raw", 64ull << 30);
  }
  std::string out;
  const std::string cmd = shell_quote(std::string(FERRET_BIN_DIR) + "/ferret-ingest") + " --case " +
                          shell_quote((tmp / "case").string()) + " " + shell_quote((tmp / "big.raw").string()) +
                          " & pid=$!; sleep 1; kill -INT $pid; wait $pid; echo rc=$?";
  ASSERT_EQ(run_shell(cmd, out), 0);
  EXPECT_NE(out.find("rc=130"), std::string::npos) << out;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_text(db, "SELECT exit_code || ' ' || (finished_at IS NOT NULL) FROM runs"), "130 1");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM volumes"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files"), 0);
}

}  // namespace
}  // namespace ferret::test
