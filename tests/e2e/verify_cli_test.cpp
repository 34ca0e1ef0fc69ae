// ferret-verify as a prosecutor's expert would use it: an untouched case verifies clean after every
// tool, and each kind of tampering is named precisely.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "casedb/case_store.h"
#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

namespace fs = std::filesystem;

// A case built by every tool that writes one: ingest + hash, carve, hash set + match, extract.
class VerifyCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    fs::copy_file(sample("demo.raw"), *root_ / "demo.raw");
    const std::string dir = case_dir().string();
    auto verify_clean = [&](const char* after) {
      const ToolRun v = run_tool("ferret-verify", {"--case", dir, "--skip-evidence"});
      EXPECT_EQ(v.exit_code, 0) << "after " << after << ":\n" << v.out << v.err;
      EXPECT_NE(v.out.find("VERIFIED"), std::string::npos) << after;
    };
    ASSERT_EQ(run_tool("ferret-ingest", {"--case", dir, "-q", "--hash", (*root_ / "demo.raw").string()}).exit_code, 0);
    verify_clean("ferret-ingest --hash");
    ASSERT_EQ(run_tool("ferret-carve", {"--case", dir, "-q"}).exit_code, 0);
    verify_clean("ferret-carve");
    // A notable set made from the case's own MP4/MKV hashes, so that matches exist.
    {
      auto db = open_case(case_dir());
      auto s = db.prepare("SELECT DISTINCT md5 FROM files WHERE content_state = 'intact' AND (name LIKE '%.mkv' OR name LIKE '%.mp4')");
      ASSERT_TRUE(s.ok());
      std::ofstream list(*root_ / "releases.md5");
      while (*s->step()) list << s->column_text(0) << "  release.mkv\n";
    }
    ASSERT_EQ(run_tool("ferret-hashset", {"import", "--out", set_path().string(), "--name", "Releases", "--category", "notable",
                                          (*root_ / "releases.md5").string()}).exit_code, 0);
    ASSERT_EQ(run_tool("ferret-match", {"--case", dir, "-q", "--hashset", set_path().string()}).exit_code, 0);
    verify_clean("ferret-match");
    ASSERT_EQ(run_tool("ferret-extract", {"--case", dir, "-q", "--all-matched", (*root_ / "out").string()}).exit_code, 0);
    verify_clean("ferret-extract");
  }
  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }
  static fs::path case_dir() { return *root_ / "case"; }
  static fs::path set_path() { return *root_ / "releases.ferret-hashset"; }

  // A copy of the case to tamper with (the evidence stays where it is).
  fs::path copy_case() {
    const fs::path to = tmp_ / "case";
    fs::copy(case_dir(), to, fs::copy_options::recursive);
    return to;
  }
  static void sql(const fs::path& dir, const std::string& statement) {
    auto db = casedb::Database::open(dir / "case.db", casedb::Database::Mode::read_write_create);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec(statement).ok()) << statement;
  }
  static std::string scalar(const fs::path& dir, const std::string& query) {
    auto db = open_case(dir);
    auto s = db.prepare(query);
    EXPECT_TRUE(s.ok()) << query;
    if (!s.ok() || !*s->step()) return {};
    return s->column_text(0);
  }
  // Runs ferret-verify on `dir` and expects it to fail naming `message`.
  static void expect_failure(const fs::path& dir, const std::string& message, bool evidence = false) {
    std::vector<std::string> args{"--case", dir.string()};
    if (!evidence) args.push_back("--skip-evidence");
    const ToolRun v = run_tool("ferret-verify", args);
    EXPECT_EQ(v.exit_code, 3) << v.out << v.err;
    EXPECT_NE(v.out.find("FAILED"), std::string::npos) << v.out;
    EXPECT_NE(v.out.find(message), std::string::npos) << "expected: " << message << "\n" << v.out;
  }

  static TempDir* root_;
  TempDir tmp_;
};
TempDir* VerifyCli::root_ = nullptr;

TEST_F(VerifyCli, TheUntouchedCaseVerifiesWithItsEvidence) {
  const fs::path dir = copy_case();
  const ToolRun v = run_tool("ferret-verify", {"--case", dir.string(), "--json"});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("\"verified\":true"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("\"matches\":true"), std::string::npos) << v.out;
  // Verification is itself a run, closed in the log like any other: verifying again still holds.
  EXPECT_EQ(run_tool("ferret-verify", {"--case", dir.string(), "--skip-evidence"}).exit_code, 0);
  EXPECT_EQ(scalar(dir, "SELECT count(*) FROM custody_log WHERE kind = 'run-end'"), scalar(dir, "SELECT count(*) FROM runs"));
}

TEST_F(VerifyCli, AChangedValueInAFilesRowIsNamed) {
  const fs::path dir = copy_case();
  const std::string id = scalar(dir, "SELECT min(file_id) FROM files WHERE name LIKE '%.mkv'");
  sql(dir, "UPDATE files SET size = size + 1 WHERE file_id = " + id);
  expect_failure(dir, "files row " + id + " (written by run 1 (ferret-ingest)) was changed after the run sealed it");
}

TEST_F(VerifyCli, AChangedHashIsNamed) {
  const fs::path dir = copy_case();
  const std::string id = scalar(dir, "SELECT min(file_id) FROM files WHERE sha256 IS NOT NULL AND origin = 'fs'");
  sql(dir, "UPDATE files SET sha256 = '" + std::string(64, 'a') + "' WHERE file_id = " + id);
  expect_failure(dir, "files row " + id + " (content) (written by run 1 (ferret-ingest)) was changed");
}

TEST_F(VerifyCli, ADeletedMatchesRowIsNamed) {
  const fs::path dir = copy_case();
  const std::string id = scalar(dir, "SELECT min(match_id) FROM matches");
  ASSERT_FALSE(id.empty());
  sql(dir, "DELETE FROM matches WHERE match_id = " + id);
  const std::string run = scalar(dir, "SELECT run_id FROM runs WHERE tool = 'ferret-match'");
  expect_failure(dir, "matches row " + id + " (written by run " + run + " (ferret-match)) was deleted");
}

TEST_F(VerifyCli, InsertedRowsAreNamed) {
  const fs::path dir = copy_case();
  const std::string run = scalar(dir, "SELECT run_id FROM runs WHERE tool = 'ferret-match'");
  sql(dir, "INSERT INTO matches(file_id, hashset, category, algorithm, hash, hashset_sha256, run_id) "
           "SELECT file_id, 'Planted', 'notable', 'md5', md5, 'x', " + run + " FROM files WHERE md5 IS NOT NULL AND known IS NULL LIMIT 1");
  expect_failure(dir, "claims run " + run + " (ferret-match), which did not write it: inserted afterwards");
  const fs::path dir2 = tmp_ / "case2";
  fs::copy(case_dir(), dir2, fs::copy_options::recursive);
  sql(dir2, "INSERT INTO errors(run_id, kind, message) VALUES (NULL, 'corrupt', 'planted')");
  expect_failure(dir2, "errors row(s) belong to no recorded run");
}

TEST_F(VerifyCli, AnEditedKnownFlagIsSeenAgainstTheMatches) {
  const fs::path dir = copy_case();
  const std::string id = scalar(dir, "SELECT min(file_id) FROM files WHERE known IS NULL AND type = 'file'");
  sql(dir, "UPDATE files SET known = 'notable' WHERE file_id = " + id);
  expect_failure(dir, "files row " + id + " says known = notable but its matches say NULL");
}

TEST_F(VerifyCli, EditedDeletedAndSwappedLogEntriesAreNamed) {
  {
    const fs::path dir = copy_case();
    sql(dir, "UPDATE custody_log SET body = replace(body, '\"exit_code\":0', '\"exit_code\":1') WHERE seq = 2");
    expect_failure(dir, "entry 2 (run 1 (ferret-ingest), run-end) was edited: its hash does not match its content");
  }
  {
    const fs::path dir = tmp_ / "deleted";
    fs::copy(case_dir(), dir, fs::copy_options::recursive);
    sql(dir, "DELETE FROM custody_log WHERE seq = 3");
    expect_failure(dir, "entry 3 is missing from the custody log: deleted");
  }
  {
    const fs::path dir = tmp_ / "swapped";
    fs::copy(case_dir(), dir, fs::copy_options::recursive);
    sql(dir, "UPDATE custody_log SET seq = 1000 WHERE seq = 3; UPDATE custody_log SET seq = 3 WHERE seq = 4; "
             "UPDATE custody_log SET seq = 4 WHERE seq = 1000");
    expect_failure(dir, "entry 3 (run 2 (ferret-verify), run-end) does not follow the entry before it");
  }
  {
    const fs::path dir = tmp_ / "runs";
    fs::copy(case_dir(), dir, fs::copy_options::recursive);
    const std::string run = scalar(dir, "SELECT run_id FROM runs WHERE tool = 'ferret-carve'");
    sql(dir, "UPDATE runs SET examiner = 'someone else' WHERE run_id = " + run);
    expect_failure(dir, "the runs row of run " + run + " (ferret-carve) was edited after entry");
  }
}

TEST_F(VerifyCli, ATruncatedCustodyLogOrDatabaseLogIsSeen) {
  const fs::path dir = copy_case();
  {
    std::ifstream in(dir / "custody.log");
    std::string all, line;
    for (int i = 0; i < 3 && std::getline(in, line); ++i) all += line + "\n";  // header + two runs
    in.close();
    std::ofstream(dir / "custody.log", std::ios::trunc) << all;
  }
  expect_failure(dir, "custody.log ends at entry 4 but the case's log has run-end entry 6");
  const fs::path dir2 = tmp_ / "case2";
  fs::copy(case_dir(), dir2, fs::copy_options::recursive);
  sql(dir2, "DELETE FROM custody_log WHERE seq > 6");
  expect_failure(dir2, "which the case's custody log no longer has: the log was truncated or entries deleted");
}

// A run killed after committing its end but before writing its custody.log line: ferret-verify reports
// the gap (and, checking the case as it finds it, leaves it); the next tool adds the line from the
// case's log and says so, and the case verifies again, wherever the gap was.
TEST_F(VerifyCli, TheNextToolAddsACustodyLineAKilledRunCouldNotWrite) {
  const fs::path dir = copy_case();
  auto drop_line = [&](int which) {  // the which-th custody line (0-based, negative: from the end)
    std::ifstream in(dir / "custody.log");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    in.close();
    const auto is_entry = [](const std::string& l) { return !l.empty() && l[0] != '#'; };
    const int entries = static_cast<int>(std::count_if(lines.begin(), lines.end(), is_entry));
    const int drop = which < 0 ? entries + which : which;
    std::string all;
    int n = 0;
    for (const auto& l : lines) {
      if (is_entry(l) && n++ == drop) continue;
      all += l + "\n";
    }
    std::ofstream(dir / "custody.log", std::ios::trunc) << all;
  };
  drop_line(-1);
  expect_failure(dir, "custody.log ends at entry");
  const auto next = run_tool("ferret-hash", {"--case", dir.string()});
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_NE(next.err.find("custody.log lacked the line of run-end entry"), std::string::npos) << next.err;
  const auto verified = run_tool("ferret-verify", {"--case", dir.string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  drop_line(1);  // a line from the middle, then ferret-verify runs (its own line follows the gap)
  expect_failure(dir, "a line was deleted");
  expect_failure(dir, "a line was deleted");
  const auto after = run_tool("ferret-hash", {"--case", dir.string()});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.err.find("lacked the line of run-end entry"), std::string::npos) << after.err;
  const auto again = run_tool("ferret-verify", {"--case", dir.string()});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST_F(VerifyCli, AFlippedByteInTheEvidenceIsSeen) {
  TempDir own;
  fs::copy_file(sample("demo.raw"), own / "demo.raw");
  const std::string dir = (own / "case").string();
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", dir, "-q", (own / "demo.raw").string()}).exit_code, 0);
  {
    std::fstream image(own / "demo.raw", std::ios::in | std::ios::out | std::ios::binary);
    image.seekg(40u << 20);
    char c = 0;
    image.get(c);
    image.seekp(40u << 20);
    image.put(static_cast<char>(c ^ 0x01));
  }
  expect_failure(dir, "has changed since it was ingested", /*evidence=*/true);
}

TEST_F(VerifyCli, AnEditedE01SegmentIsSeen) {
  TempDir own;
  fs::copy_file(sample("demo-seg.E01"), own / "demo-seg.E01");
  fs::copy_file(sample("demo-seg.E02"), own / "demo-seg.E02");
  const std::string dir = (own / "case").string();
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", dir, "-q", (own / "demo-seg.E01").string()}).exit_code, 0);
  {
    std::fstream seg(own / "demo-seg.E02", std::ios::in | std::ios::out | std::ios::binary);
    seg.seekp(200000);
    seg.put('\x5A');
    seg.put('\xA5');
  }
  // libewf's chunk checksums or the hashes say so; either way the evidence is not as ingested.
  const ToolRun v = run_tool("ferret-verify", {"--case", dir});
  EXPECT_EQ(v.exit_code, 3) << v.out << v.err;
  EXPECT_NE(v.out.find("[evidence] evidence 1"), std::string::npos) << v.out;
}

// An Ed25519 key written as PEM, as `openssl genpkey -algorithm ed25519` would.
void write_key(const fs::path& path) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(key, nullptr);
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  std::fclose(f);
  EVP_PKEY_free(key);
}

TEST_F(VerifyCli, SignedRunsVerifyAndAForgedSignatureOrKeyIsSeen) {
  TempDir own;
  write_key(own / "key.pem");
  write_key(own / "other.pem");
  const std::string dir = (own / "case").string();
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", dir, "-q", "--sign-key", (own / "key.pem").string(), sample("demo.raw").string()}).exit_code, 0);
  const std::string key = scalar(dir, "SELECT public_key FROM custody_log WHERE seq = 1");
  ASSERT_EQ(key.size(), 64u);
  const ToolRun ok = run_tool("ferret-verify", {"--case", dir, "--skip-evidence", "--trusted-key", key, "--require-signatures",
                                                "--sign-key", (own / "key.pem").string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  // A run signed with another key, then one not signed at all.
  ASSERT_EQ(run_tool("ferret-hash", {"--case", dir, "-q", "--sign-key", (own / "other.pem").string()}).exit_code, 0);
  const ToolRun other = run_tool("ferret-verify", {"--case", dir, "--skip-evidence", "--trusted-key", key});
  EXPECT_EQ(other.exit_code, 3);
  EXPECT_NE(other.out.find("is signed by another key"), std::string::npos) << other.out;
  // A signature that does not belong to its entry.
  sql(dir, "UPDATE custody_log SET signature = (SELECT signature FROM custody_log WHERE seq = 1) WHERE seq = 2");
  const ToolRun forged = run_tool("ferret-verify", {"--case", dir, "--skip-evidence"});
  EXPECT_EQ(forged.exit_code, 3);
  EXPECT_NE(forged.out.find("entry 2 (run 1 (ferret-ingest), run-end): the signature does not hold"), std::string::npos) << forged.out;
  // A key that is not Ed25519 or not a key is refused before anything is written.
  std::ofstream(own / "junk.pem") << "not a key\n";
  const ToolRun junk = run_tool("ferret-hash", {"--case", dir, "--sign-key", (own / "junk.pem").string()});
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_NE(junk.err.find("is not a PEM private key"), std::string::npos) << junk.err;
}

TEST_F(VerifyCli, AKilledRunIsReportedThenSealedByTheNextRun) {
  const fs::path dir = copy_case();
  // What a kill -9 leaves: a run started (its start entry written) that never ended.
  sql(dir, "INSERT INTO runs(tool, version, command_line, started_at) VALUES ('ferret-hash', '0.1.0', 'ferret-hash --case x', '2026-01-01T00:00:00Z')");
  const std::string run = scalar(dir, "SELECT max(run_id) FROM runs");
  // (no start entry: as if killed between its runs row and its first entry)
  expect_failure(dir, "run " + run + " (ferret-hash) is not in the custody log");
  // A tool that goes on with the case seals it as found; the case then verifies.
  ASSERT_EQ(run_tool("ferret-hash", {"--case", dir.string(), "-q"}).exit_code, 0);
  EXPECT_EQ(scalar(dir, "SELECT kind FROM custody_log WHERE run_id = " + run), "run-abandoned");
  const ToolRun v = run_tool("ferret-verify", {"--case", dir.string(), "--skip-evidence"});
  EXPECT_EQ(v.exit_code, 0) << v.out;
}

TEST_F(VerifyCli, ASecondToolOnTheSameCaseIsRefusedWhileTheFirstHoldsIt) {
  const fs::path dir = copy_case();
  auto held = casedb::CaseDirectory::open(dir, casedb::CaseDirectory::Create::no, "ferret-test");
  ASSERT_TRUE(held.ok());
  const ToolRun second = run_tool("ferret-verify", {"--case", dir.string(), "--skip-evidence"});
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_NE(second.err.find("is in use by another Ferret process"), std::string::npos) << second.err;
}

}  // namespace
}  // namespace ferret::test
