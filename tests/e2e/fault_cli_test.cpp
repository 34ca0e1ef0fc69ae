// The tools under faults they cannot prevent: evidence truncated after ingest, a disk that fills up
// while the case is written (RLIMIT_FSIZE in the child), and kill -9 at seeded points of each tool.
// Each must end with a clear message and the documented exit code, and leave a case that a plain
// rerun completes to exactly the results of an undisturbed run, passing integrity_check and ferret-verify.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

namespace fs = std::filesystem;

// Everything the case holds about its evidence, without run or row ids: one line per file, byte run
// and error kind, and the evidence and volume counts.
std::string results(const fs::path& dir) {
  auto db = open_case(dir);
  std::string out;
  const char* queries[] = {
      "SELECT e.sha256 || '|' || f.origin || '|' || f.path || '|' || coalesce(f.meta_addr, '') || '|' || coalesce(f.attr_id, '') || '|' || "
      "coalesce(f.size, '') || '|' || f.allocated || '|' || coalesce(f.md5, '') || coalesce(f.sha1, '') || coalesce(f.sha256, '') || '|' || "
      "coalesce(f.mime, '') || '|' || coalesce(f.content_state, '') || '|' || coalesce(f.carve_offset, '') || coalesce(f.carve_status, '') "
      "FROM files f JOIN evidence e USING (evidence_id) ORDER BY 1",
      ("SELECT e.sha256 || '|' || f.path || '|' || coalesce(f.meta_addr, '') || '|' || r.seq || '|' || coalesce(r.image_offset, '') || '|' || r.length "
       "FROM file_runs r JOIN files f USING (file_id) JOIN evidence e USING (evidence_id) ORDER BY 1"),
      "SELECT kind || '|' || coalesce(image_offset, '') || '|' || coalesce(length, '') FROM errors ORDER BY 1",
      "SELECT count(*) || ' evidence' FROM evidence",
      "SELECT count(*) || ' volumes' FROM volumes",
      "SELECT count(*) || ' unallocated' FROM unallocated",
      "SELECT count(DISTINCT evidence_id) || ' evidence carved' FROM carve_scans",  // a rerun after a kill past the commit scans again
  };
  for (const char* q : queries) {
    auto s = db.prepare(q);
    EXPECT_TRUE(s.ok()) << q;
    while (s.ok() && *s->step()) out += s->column_text(0) + "\n";
  }
  return out;
}

std::string integrity(const fs::path& dir) {
  auto db = open_case(dir);
  return query_text(db, "PRAGMA integrity_check");
}

// Forks and execs FERRET_BIN_DIR/<tool>; stdout and stderr go to files in `io`. `fsize_limit`: the
// child's RLIMIT_FSIZE with SIGXFSZ ignored, so that a write past it fails with EFBIG (a full disk).
pid_t spawn(const std::string& tool, const std::vector<std::string>& args, const fs::path& io, rlim_t fsize_limit = RLIM_INFINITY) {
  std::vector<std::string> a = args;
  const std::string out = (io / "out").string(), err = (io / "err").string();
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int devnull = ::open("/dev/null", O_RDONLY);
  const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (devnull < 0 || o < 0 || e < 0) _exit(126);
  dup2(devnull, 0);
  dup2(o, 1);
  dup2(e, 2);
  if (fsize_limit != RLIM_INFINITY) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{fsize_limit, fsize_limit};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
  }
  const std::string path = std::string(FERRET_BIN_DIR) + "/" + tool;
  std::vector<char*> argv{const_cast<char*>(path.c_str())};
  for (auto& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  execv(path.c_str(), argv.data());
  _exit(127);
}

ToolRun wait_for(pid_t pid, const fs::path& io) {
  int status = 0;
  waitpid(pid, &status, 0);
  ToolRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(io / "out");
  r.err = slurp(io / "err");
  return r;
}

ToolRun run_with_file_limit(const std::string& tool, const std::vector<std::string>& args, rlim_t limit) {
  TempDir io;
  return wait_for(spawn(tool, args, io.path(), limit), io.path());
}

void copy_case(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

void expect_verifies(const fs::path& dir, const std::string& context) {
  EXPECT_EQ(integrity(dir), "ok") << context;
  const ToolRun v = run_tool("ferret-verify", {"--case", dir.string()});
  EXPECT_EQ(v.exit_code, 0) << context << "\n" << v.out << v.err;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// One undisturbed run of each tool on the demo sample (the carving stage on the carving sample),
// with the case as each stage found it and as it left it.
// One tool's undisturbed run: the case it started from and the one it left.
struct FaultCliStage {
  std::string tool;
  std::vector<std::string> extra;  // after --case DIR
  fs::path before;                 // case the stage starts from (empty: none)
  fs::path after;                  // case after the undisturbed run
  std::string reference;           // results(after)
  double seconds = 0;              // how long the undisturbed run took
};

class FaultCli : public ::testing::Test {
 public:
  using Stage = FaultCliStage;

  static void SetUpTestSuite() {
    if (!fs::exists(sample("demo.raw")) || !fs::exists(sample("carve.raw"))) return;
    root_ = new TempDir();
    stages_ = new std::map<std::string, Stage>();
  }
  // Runs the stage (and the one it starts from) the first time a test asks for it: under ctest
  // each test is a process of its own, and needs only its own stages.
  static Stage run_stage(const std::string& name) {
    struct Definition {
      const char* tool;
      std::vector<std::string> extra;
      const char* from;
    };
    const std::map<std::string, Definition> definitions = {
        {"ingest", {"ferret-ingest", {sample("demo.raw").string()}, ""}},
        {"hash", {"ferret-hash", {}, "ingest"}},
        {"carve-ingest", {"ferret-ingest", {sample("carve.raw").string()}, ""}},
        {"carve", {"ferret-carve", {}, "carve-ingest"}},
        {"process", {"ferret-process", {"--no-parse", sample("demo.raw").string()}, ""}},
        {"second-ingest", {"ferret-ingest", {sample("carve.raw").string()}, "ingest"}},
    };
    const Definition& d = definitions.at(name);
    Stage s{d.tool, d.extra, *d.from == '\0' ? fs::path() : stage(d.from).after, *root_ / name, "", 0};
    if (!s.before.empty()) copy_case(s.before, s.after);
    const auto started = std::chrono::steady_clock::now();
    const ToolRun r = run_tool(s.tool, args_for(s, s.after));
    s.seconds = seconds_since(started);
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out << r.err;
    s.reference = results(s.after);
    return s;
  }
  static void TearDownTestSuite() {
    delete stages_;
    delete root_;
    stages_ = nullptr;
    root_ = nullptr;
  }
  void SetUp() override {
    if (stages_ == nullptr) GTEST_SKIP() << "samples not unpacked";
  }
  static const Stage& stage(const std::string& name) {
    if (!stages_->count(name)) (*stages_)[name] = run_stage(name);
    return stages_->at(name);
  }
  static std::vector<std::string> args_for(const Stage& s, const fs::path& dir) {
    std::vector<std::string> args{"--case", dir.string()};
    args.insert(args.end(), s.extra.begin(), s.extra.end());
    return args;
  }

  static TempDir* root_;
  static std::map<std::string, Stage>* stages_;
};
TempDir* FaultCli::root_ = nullptr;
std::map<std::string, FaultCli::Stage>* FaultCli::stages_ = nullptr;

// kill -9 at three seeded points of the stage's undisturbed run time, then the same command again:
// the results of an undisturbed run, a sound case, and a chain that verifies (the killed run sealed
// as abandoned).
void kill_and_rerun(const FaultCliStage& s, const std::string& name, unsigned seed) {
  std::mt19937 seeded(seed);
  std::uniform_real_distribution<double> fraction(0.05, 0.95);
  for (int attempt = 0; attempt < 3; ++attempt) {
    const double at = fraction(seeded);
    const auto delay = std::chrono::microseconds(static_cast<std::int64_t>(s.seconds * at * 1e6));
    const std::string context = name + " killed at " + std::to_string(at) + " of its " + std::to_string(s.seconds) + " s";
    TempDir tmp;
    const fs::path dir = tmp / "case";
    if (!s.before.empty()) copy_case(s.before, dir);
    const std::vector<std::string> args = FaultCli::args_for(s, dir);
    const pid_t pid = spawn(s.tool, args, tmp.path());
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(delay);
    kill(pid, SIGKILL);
    const ToolRun killed = wait_for(pid, tmp.path());
    if (!fs::exists(dir / "case.db")) {
      // Killed before the case existed: nothing to check but that a run creates it.
      EXPECT_EQ(s.tool == "ferret-hash" || s.tool == "ferret-carve", false) << context;
    } else {
      EXPECT_EQ(integrity(dir), "ok") << context;
    }
    ToolRun again = run_tool(s.tool, args);
    if (s.tool == "ferret-ingest" && again.exit_code != 0) {
      // Killed after the evidence was committed: it is in the case, and a second ingest is refused.
      EXPECT_NE(again.err.find("already in this case"), std::string::npos) << context << "\n" << again.err;
    } else {
      ASSERT_EQ(again.exit_code, 0) << context << " (first run: " << killed.exit_code << ")\n" << again.out << again.err;
    }
    EXPECT_EQ(results(dir), s.reference) << context;
    expect_verifies(dir, context);
  }
}

TEST_F(FaultCli, IngestKilledAtSeededPointsThenRerunEndsWithTheUndisturbedResults) { kill_and_rerun(stage("ingest"), "ingest", 1); }
TEST_F(FaultCli, HashKilledAtSeededPointsThenRerunEndsWithTheUndisturbedResults) { kill_and_rerun(stage("hash"), "hash", 2); }
TEST_F(FaultCli, CarveKilledAtSeededPointsThenRerunEndsWithTheUndisturbedResults) { kill_and_rerun(stage("carve"), "carve", 3); }
TEST_F(FaultCli, ProcessKilledAtSeededPointsThenRerunEndsWithTheUndisturbedResults) { kill_and_rerun(stage("process"), "process", 4); }

TEST_F(FaultCli, EvidenceTruncatedAfterIngestIsReportedNotHashed) {
  TempDir tmp;
  const fs::path image = tmp / "seized.raw";
  fs::copy_file(sample("demo.raw"), image);
  const fs::path dir = tmp / "case";
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", dir.string(), image.string()}).exit_code, 0);
  const auto full = fs::file_size(image);
  fs::resize_file(image, full / 2);

  const ToolRun hashed = run_tool("ferret-hash", {"--case", dir.string()});
  EXPECT_EQ(hashed.exit_code, 3) << hashed.out << hashed.err;
  EXPECT_NE((hashed.out + hashed.err).find("when it was ingested: not the same evidence"), std::string::npos) << hashed.out << hashed.err;
  const ToolRun carved = run_tool("ferret-carve", {"--case", dir.string()});
  EXPECT_EQ(carved.exit_code, 3) << carved.out << carved.err;
  EXPECT_NE((carved.out + carved.err).find("not the same evidence"), std::string::npos) << carved.out << carved.err;
  {
    auto db = open_case(dir);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE content_state IS NOT NULL"), 0) << "nothing hashed from other bytes";
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE origin = 'carved'"), 0);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM carve_scans"), 0);
    // The runs say why: the error is recorded against the evidence.
    EXPECT_GE(query_int(db, "SELECT count(*) FROM errors WHERE evidence_id = 1 AND message LIKE '%not the same evidence%'"), 2);
  }
  // ferret-verify reports the changed evidence (exit 3); the case itself is intact.
  const ToolRun verify = run_tool("ferret-verify", {"--case", dir.string()});
  EXPECT_EQ(verify.exit_code, 3) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(image.string()), std::string::npos) << verify.out;
  const ToolRun chain = run_tool("ferret-verify", {"--case", dir.string(), "--skip-evidence"});
  EXPECT_EQ(chain.exit_code, 0) << chain.out << chain.err;
  EXPECT_EQ(integrity(dir), "ok");

  // The evidence restored: the same commands finish the job as if nothing had happened.
  fs::remove(image);
  fs::copy_file(sample("demo.raw"), image);
  const ToolRun again = run_tool("ferret-hash", {"--case", dir.string()});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  auto db = open_case(dir);
  auto ref = open_case(stage("hash").after);
  EXPECT_EQ(query_text(db, "SELECT group_concat(path || coalesce(sha256, '') || content_state, ',') FROM (SELECT * FROM files ORDER BY path, meta_addr)"),
            query_text(ref, "SELECT group_concat(path || coalesce(sha256, '') || content_state, ',') FROM (SELECT * FROM files ORDER BY path, meta_addr)"));
  expect_verifies(dir, "restored evidence");
}

// Runs stage `name` with writes into any file past `limit` bytes failing with EFBIG, as on a full
// disk: exit 2 with a message that says what to do, a sound case, and a rerun with space that ends
// with the undisturbed results and a case that verifies. Returns whether the limit was hit.
bool fill_the_disk(const FaultCliStage& s, const std::string& name, rlim_t limit) {
  const std::string context = name + " with files limited to " + std::to_string(limit) + " bytes";
  TempDir tmp;
  const fs::path dir = tmp / "case";
  if (!s.before.empty()) copy_case(s.before, dir);
  const std::vector<std::string> args = FaultCli::args_for(s, dir);
  const ToolRun full = run_with_file_limit(s.tool, args, limit);
  if (full.exit_code != 0) {
    EXPECT_EQ(full.exit_code, 2) << context << "\n" << full.out << full.err;
    EXPECT_NE(full.err.find("check that the case's file system has free space"), std::string::npos)
        << context << "\n" << full.err;
  }
  if (fs::exists(dir / "case.db")) {
    EXPECT_EQ(integrity(dir), "ok") << context;
  }
  if (full.exit_code != 0 && fs::exists(dir / "case.db")) {
    // The failed run is never on record as ended with another code than the one the tool exited
    // with (its runs row and its custody run-end entry are written together or not at all).
    std::int64_t earlier = 0;
    if (!s.before.empty()) {
      auto before = open_case(s.before);
      earlier = query_int(before, "SELECT coalesce(max(run_id), 0) FROM runs");
    }
    auto db = open_case(dir);
    if (query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'") == 1) {
      EXPECT_EQ(query_text(db, "SELECT coalesce(group_concat(run_id || ' ' || tool || ' exit ' || exit_code), 'none') FROM runs WHERE run_id > " +
                                   std::to_string(earlier) + " AND exit_code IS NOT NULL AND exit_code != " + std::to_string(full.exit_code)),
                "none")
          << context;
    }
  }
  if (full.exit_code != 0) {
    const ToolRun again = run_tool(s.tool, args);
    EXPECT_EQ(again.exit_code, 0) << context << "\n" << full.err << "\n" << again.out << again.err;
  }
  EXPECT_EQ(results(dir), s.reference) << context;
  expect_verifies(dir, context);
  return full.exit_code != 0;
}

// The limits: a fresh case needs ~200 KiB for its schema, the demo case is ~200 KiB after ingest.
TEST_F(FaultCli, ADiskFullWhileCreatingTheCaseOrIngestingFailsCleanly) {
  EXPECT_TRUE(fill_the_disk(stage("ingest"), "ingest", rlim_t{48} << 10));          // creating the schema
  EXPECT_TRUE(fill_the_disk(stage("ingest"), "ingest", rlim_t{320} << 10));         // committing the evidence
  EXPECT_TRUE(fill_the_disk(stage("second-ingest"), "second ingest", rlim_t{48} << 10));
}

TEST_F(FaultCli, ADiskFullWhileHashingOrCarvingFailsCleanly) {
  EXPECT_TRUE(fill_the_disk(stage("hash"), "hash", rlim_t{48} << 10));
  EXPECT_TRUE(fill_the_disk(stage("hash"), "hash", rlim_t{64} << 10));  // only the end of the run cannot be recorded
  EXPECT_TRUE(fill_the_disk(stage("carve"), "carve", rlim_t{48} << 10));
  EXPECT_TRUE(fill_the_disk(stage("process"), "process", rlim_t{320} << 10));  // in its carving stage
}

// A run that cannot record its own end prints, with --json, the exit code it really ends with and why.
TEST_F(FaultCli, ARunWhoseEndCannotBeRecordedSaysSoInItsJson) {
  const Stage& s = stage("hash");
  TempDir tmp;
  const fs::path dir = tmp / "case";
  copy_case(s.before, dir);
  auto args = FaultCli::args_for(s, dir);
  args.push_back("--json");
  const ToolRun full = run_with_file_limit(s.tool, args, rlim_t{64} << 10);  // only the end of the run fails
  ASSERT_EQ(full.exit_code, 2) << full.out << full.err;
  EXPECT_NE(full.out.find("\"exit_code\":2"), std::string::npos) << full.out;
  EXPECT_EQ(full.out.find("\"exit_code\":0"), std::string::npos) << full.out;
  if (full.err.find("cannot record the end of the run") != std::string::npos) {
    EXPECT_NE(full.out.find("\"error\":\"cannot record the end of the run"), std::string::npos) << full.out;
  }
  EXPECT_EQ(integrity(dir), "ok");
}

}  // namespace
}  // namespace ferret::test
