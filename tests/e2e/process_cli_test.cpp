// ferret-process as the officer uses it: one command, killed at any point and started again, ends
// with exactly the results of an uninterrupted run, nothing twice, and a case that verifies.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "hash/digest.h"
#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

namespace fs = std::filesystem;

// Everything the case holds about the evidence, without run ids or row ids (which differ between a
// resumed and an uninterrupted run): one line per file, carved item, match and error.
std::string results(const fs::path& dir) {
  auto db = open_case(dir);
  std::string out;
  const char* queries[] = {
      "SELECT e.sha256 || '|' || f.origin || '|' || f.path || '|' || coalesce(f.meta_addr, '') || '|' || coalesce(f.attr_id, '') || '|' || "
      "coalesce(f.size, '') || '|' || f.allocated || '|' || coalesce(f.md5, '') || coalesce(f.sha1, '') || coalesce(f.sha256, '') || '|' || "
      "coalesce(f.content_state, '') || '|' || coalesce(f.carve_offset, '') || coalesce(f.carve_status, '') || '|' || coalesce(f.known, '') "
      "FROM files f JOIN evidence e USING (evidence_id) ORDER BY 1",
      ("SELECT e.sha256 || '|' || f.path || '|' || coalesce(f.meta_addr, '') || '|' || r.seq || '|' || coalesce(r.image_offset, '') || '|' || r.length "
       "FROM file_runs r JOIN files f USING (file_id) JOIN evidence e USING (evidence_id) ORDER BY 1"),
      "SELECT f.path || '|' || coalesce(f.meta_addr, '') || '|' || m.hashset || '|' || m.algorithm || '|' || m.hash FROM matches m JOIN files f USING (file_id) ORDER BY 1",
      "SELECT count(*) FROM evidence",
      "SELECT count(*) FROM volumes",
  };
  for (const char* q : queries) {
    auto s = db.prepare(q);
    EXPECT_TRUE(s.ok()) << q;
    while (s.ok() && *s->step()) out += s->column_text(0) + "\n";
  }
  return out;
}

class ProcessCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    // A notable set: the MKV releases of both samples.
    std::ofstream list(*root_ / "films.sha256");
    for (const char* manifest : {"demo.tsv", "carve.tsv"}) {
      std::ifstream in(manifest_path(manifest));
      std::string line;
      std::getline(in, line);
      while (std::getline(in, line)) {
        const auto f = split_tabs(line);
        if (f.size() < 7) continue;
        const std::string sha = std::string(manifest) == "demo.tsv" ? f[6] : f[5];
        if (line.find(".mkv") != std::string::npos && sha.size() == 64) list << sha << "  film.mkv\n";
      }
    }
    list.close();
    ASSERT_EQ(run_tool("ferret-hashset", {"import", "--out", set().string(), "--name", "Films", "--category", "notable",
                                          (*root_ / "films.sha256").string()}).exit_code, 0);
    const ToolRun whole = run_tool("ferret-process", args(*root_ / "whole"));
    ASSERT_EQ(whole.exit_code, 0) << whole.out << whole.err;
    reference_ = new std::string(results(*root_ / "whole"));
  }
  static void TearDownTestSuite() {
    delete reference_;
    delete root_;
  }
  static fs::path set() { return *root_ / "films.ferret-hashset"; }
  static std::vector<std::string> args(const fs::path& dir) {
    return {"--case", dir.string(), "--hashset", set().string(), sample("demo.raw").string(), sample("carve.raw").string()};
  }
  static TempDir* root_;
  static std::string* reference_;
};
TempDir* ProcessCli::root_ = nullptr;
std::string* ProcessCli::reference_ = nullptr;

TEST_F(ProcessCli, OneCommandRecordsEveryStage) {
  const std::string& r = *reference_;
  EXPECT_NE(r.find("|carved|/$Carved/"), std::string::npos);
  EXPECT_NE(r.find("|notable"), std::string::npos);
  EXPECT_NE(r.find("Films|sha256|"), std::string::npos);
  auto db = open_case(*root_ / "whole");
  auto s = db.prepare("SELECT count(*) FROM files WHERE type = 'file' AND origin = 'fs' AND content_state IS NULL");
  ASSERT_TRUE(s.ok() && *s->step());
  EXPECT_EQ(s->column_int(0), 0) << "every file hashed";
  const ToolRun v = run_tool("ferret-verify", {"--case", (*root_ / "whole").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out;
}

TEST_F(ProcessCli, EndsWithTheHtmlReportThatFerretReportGives) {
  TempDir tmp;
  const fs::path dir = tmp / "case";
  const ToolRun made = run_tool("ferret-process", {"--case", dir.string(), "--hashset", set().string(), "--no-carve", sample("demo.raw").string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const fs::path html = dir / "report.html";
  ASSERT_TRUE(fs::exists(html));
  const auto bytes = read_file_bytes(html);
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  EXPECT_EQ(text.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(text.find("Films"), std::string::npos) << "the notable set's matches are in the report";
  // Written by a run of its own, recorded as the equivalent ferret-report command, with the report's SHA-256.
  {
    auto db = open_case(dir);
    EXPECT_EQ(query_text(db, "SELECT group_concat(tool, ' ') FROM runs"), "ferret-process ferret-report");
    EXPECT_NE(query_text(db, "SELECT command_line FROM runs ORDER BY run_id DESC LIMIT 1").find("--format html --out " + html.string()),
              std::string::npos);
    EXPECT_EQ(query_text(db, "SELECT sha256 FROM custody_inputs WHERE kind = 'report' AND run_id = (SELECT max(run_id) FROM runs)"),
              hash::digest_all(bytes).sha256);
  }
  // The same case gives the same report through ferret-report.
  const ToolRun again = run_tool("ferret-report", {"--case", dir.string(), "--format", "html", "--out", (tmp / "again.html").string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_file_bytes(tmp / "again.html"), bytes);
  // --no-report writes none; --report PATH writes it there.
  const ToolRun none = run_tool("ferret-process", {"--case", (tmp / "none").string(), "--no-carve", "--no-parse", "--no-report",
                                                   sample("demo.raw").string()});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_FALSE(fs::exists(tmp / "none" / "report.html"));
  const ToolRun there = run_tool("ferret-process", {"--case", (tmp / "there").string(), "--no-carve", "--no-parse", "--report",
                                                    (tmp / "r.html").string(), "--json", sample("demo.raw").string()});
  ASSERT_EQ(there.exit_code, 0) << there.err;
  EXPECT_TRUE(fs::exists(tmp / "r.html"));
  EXPECT_NE(there.out.find("\"report\":{\"run_id\":"), std::string::npos) << there.out;
}

TEST_F(ProcessCli, KilledAtAnyPointAndStartedAgainItEndsWithTheSameResults) {
  // Kill -9 at several points of the run (early in the ingest, during hashing/carving, near the end).
  for (int delay_ms : {150, 600, 1200, 2000}) {
    TempDir tmp;
    const fs::path dir = tmp / "case";
    std::vector<std::string> a = args(dir);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const int devnull = ::open("/dev/null", O_RDWR);
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
      const std::string tool = std::string(FERRET_BIN_DIR) + "/ferret-process";
      std::vector<char*> argv{const_cast<char*>(tool.c_str())};
      for (auto& s : a) argv.push_back(s.data());
      argv.push_back(nullptr);
      execv(tool.c_str(), argv.data());
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    const ToolRun again = run_tool("ferret-process", a);
    ASSERT_EQ(again.exit_code, 0) << "killed after " << delay_ms << " ms\n" << again.out << again.err;
    EXPECT_EQ(results(dir), *reference_) << "killed after " << delay_ms << " ms";
    // A third run adds nothing, and the case verifies (the killed run sealed as abandoned).
    ASSERT_EQ(run_tool("ferret-process", a).exit_code, 0);
    EXPECT_EQ(results(dir), *reference_);
    const ToolRun v = run_tool("ferret-verify", {"--case", dir.string(), "--skip-evidence"});
    EXPECT_EQ(v.exit_code, 0) << "killed after " << delay_ms << " ms\n" << v.out;
    EXPECT_TRUE(fs::exists(dir / "report.html")) << "killed after " << delay_ms << " ms";
  }
}

TEST_F(ProcessCli, ProgressIsMachineReadableWhenNotATerminal) {
  TempDir tmp;
  const ToolRun r = run_tool("ferret-process", {"--case", (tmp / "case").string(), "--no-carve", "--no-parse", sample("demo.raw").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("{\"progress\":\"stage\",\"stage\":\"ingest\",\"index\":1,\"stages\":2}"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("{\"progress\":\"stage\",\"stage\":\"hash\",\"index\":2,\"stages\":2}"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("ingest: evidence 1"), std::string::npos) << r.out;
  const ToolRun bad = run_tool("ferret-process", {"--case", (tmp / "case2").string()});
  EXPECT_EQ(bad.exit_code, 1);
}

}  // namespace
}  // namespace ferret::test
