// ferret-parse and ferret-plugins as a user meets them: the demo sample parsed by the template plugin
// (built out of tree) and by test plugins that crash, hang, flood, claim another ABI or emit bad values.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fcntl.h>
#include <thread>

#include "sanitizer.h"
#include "hash/digest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

namespace fs = std::filesystem;

std::string test_plugin_dir(const std::string& name) { return std::string(FERRET_TEST_PLUGIN_DIR) + "/" + name; }

// --plugin-dir DIR --plugin NAME for each test plugin.
std::vector<std::string> test_plugins(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    out.insert(out.end(), {"--plugin-dir", test_plugin_dir(n), "--plugin", n});
  }
  return out;
}

std::string sha256_of(const fs::path& p) {
  const auto bytes = read_file_bytes(p);
  return hash::digest_all(bytes).sha256;
}

// Every row of a query, columns joined with '|', rows with '\n'.
std::string query_rows(casedb::Database& db, const std::string& sql) {
  auto s = db.prepare(sql);
  EXPECT_TRUE(s.ok()) << sql;
  std::string out;
  while (s.ok()) {
    auto row = s->step();
    if (!row.ok() || !*row) break;
    for (int c = 0; c < 6; ++c) {
      if (s->column_type(c) == 'N' && c > 0) break;
      out += (c ? "|" : "") + s->column_text(c);
    }
    out += "\n";
  }
  return out;
}

// Intact .txt/.nfo files: what the template plugin selects.
constexpr const char* kTextFiles =
    "SELECT count(*) FROM files WHERE type = 'file' AND content_state = 'intact' AND (lower(name) LIKE '%_.txt' OR lower(name) LIKE '%_.nfo')";

class ParseCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    base_ = new TempDir();
    const auto ingested = run_tool("ferret-ingest", {"--case", (base_->path() / "case").string(), "--hash", "--quiet",
                                                     std::string(FERRET_SAMPLES_BUILD_DIR) + "/demo.raw"});
    ingest_error_ = ingested.exit_code == 0 ? "" : "ferret-ingest failed: " + ingested.err;
  }
  static void TearDownTestSuite() {
    delete base_;
    base_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(ingest_error_, ""); }

  // A fresh copy of the ingested and hashed demo case.
  fs::path fresh_case(const std::string& name = "case") {
    const fs::path dir = tmp_ / name;
    fs::copy(base_->path() / "case", dir, fs::copy_options::recursive);
    return dir;
  }
  static ToolRun parse(const fs::path& dir, std::vector<std::string> args) {
    args.insert(args.begin(), {"--case", dir.string()});
    return run_tool("ferret-parse", args);
  }
  // The case is sound after whatever the plugins did: SQLite's own check and ferret-verify.
  static void expect_sound(const fs::path& dir) {
    {
      auto db = open_case(dir);
      EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
      EXPECT_EQ(query_int(db, "PRAGMA foreign_key_check"), -1);  // no row
    }
    const auto verified = run_tool("ferret-verify", {"--case", dir.string()});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  }

  TempDir tmp_;
  static TempDir* base_;
  static std::string ingest_error_;
};

TempDir* ParseCli::base_ = nullptr;
std::string ParseCli::ingest_error_;

TEST_F(ParseCli, TheTemplateBuiltOutOfTreeIsHashedLoadedAndItsArtifactsRecorded) {
  const fs::path build = tmp_ / "template-build";
  std::string out;
  const std::string src = FERRET_SOURCE_DIR;
  ASSERT_EQ(run_shell("cmake -S " + shell_quote(src + "/plugins/template") + " -B " + shell_quote(build.string()) +
                          " -DFERRET_INCLUDE_DIR=" + shell_quote(src + "/include") + " && cmake --build " + shell_quote(build.string()),
                      out),
            0)
      << out;
  const fs::path so = build / "ferret-template.so";
  ASSERT_TRUE(fs::exists(so));
  const fs::path dir = fresh_case();
  // The same plugin built in Ferret's tree (build/example-plugins) comes second.
  const auto run = parse(dir, {"--plugin-dir", build.string(), "--plugin-dir", FERRET_EXAMPLE_PLUGIN_DIR, "--plugin", "template", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"files_offered\":"), std::string::npos);

  auto db = open_case(dir);
  const std::int64_t text_files = query_int(db, kTextFiles);
  ASSERT_GT(text_files, 10);
  EXPECT_EQ(query_text(db, "SELECT status || ' ' || sha256 || ' ' || plugin || ' ' || version || ' ' || abi_version FROM plugin_loads "
                           "WHERE path = '" + fs::canonical(so).string() + "'"),
            "loaded " + sha256_of(so) + " template 1.0.0 1");
  // The same plugin in the second folder is refused by name.
  EXPECT_NE(query_text(db, "SELECT message FROM plugin_loads WHERE path LIKE '%/example-plugins/ferret-template.so' AND status = 'refused'")
                .find("found first"),
            std::string::npos);
  // The build's own plugin folder holds the bundled parsers only, never the template.
  EXPECT_FALSE(fs::exists(fs::path(FERRET_BIN_DIR) / ".." / "plugins" / "ferret-template.so"));
  EXPECT_EQ(query_text(db, "SELECT sha256 FROM custody_inputs WHERE kind = 'plugin' AND path = '" + fs::canonical(so).string() + "'"),
            sha256_of(so));
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results WHERE plugin = 'template' AND status = 'ok'"), text_files);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM artifacts WHERE plugin = 'template' AND kind = 'text_stats' AND seq = 1"), text_files);
  // bytes is the file's size; lines and bytes are integers; every artifact names the plugin version.
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM artifacts a JOIN artifact_attributes b USING (artifact_id) JOIN files f USING (file_id) "
                          "WHERE b.name = 'bytes' AND b.type = 'int' AND CAST(b.value AS INTEGER) = f.size"),
            text_files);
  EXPECT_EQ(query_text(db, "SELECT b.value FROM artifacts a JOIN artifact_attributes b USING (artifact_id) JOIN files f USING (file_id) "
                           "WHERE f.path LIKE '/Releases/Night.Harbor%.nfo' AND b.name = 'lines'"),
            "14");
  EXPECT_EQ(query_int(db, "SELECT count(DISTINCT plugin_version) FROM artifacts"), 1);

  // Running again adds nothing: every pair is recorded already.
  const std::int64_t rows = query_int(db, "SELECT (SELECT count(*) FROM artifacts) + (SELECT count(*) FROM artifact_attributes)");
  const auto again = parse(dir, {"--plugin-dir", build.string(), "--plugin", "template", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("\"offered\":0"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("\"earlier\":" + std::to_string(text_files)), std::string::npos) << again.out;
  EXPECT_EQ(query_int(db, "SELECT (SELECT count(*) FROM artifacts) + (SELECT count(*) FROM artifact_attributes)"), rows);
  expect_sound(dir);
}

TEST_F(ParseCli, MisbehavingPluginsAreRecordedAsSuchAndTheRestOfTheRunIsUnaffected) {
  const fs::path clean = fresh_case("clean");
  ASSERT_EQ(parse(clean, {"--plugin-dir", FERRET_EXAMPLE_PLUGIN_DIR, "--plugin", "template"}).exit_code, 0);
  const fs::path dir = fresh_case();
  auto args = test_plugins({"crash", "flood", "bad_emitter", "magic_probe"});
  args.insert(args.end(), {"--plugin-dir", FERRET_EXAMPLE_PLUGIN_DIR, "--plugin", "template", "--threads", "2"});
  const auto run = parse(dir, args);
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.out.find("crashed"), std::string::npos);

  auto db = open_case(dir);
  // crash: every .nfo file recorded as crashed, with the signal; the artifact it emitted first is dropped.
  const std::int64_t nfo = query_int(db, "SELECT count(*) FROM files WHERE content_state = 'intact' AND lower(name) LIKE '%_.nfo'");
  ASSERT_GT(nfo, 0);
  // The sanitizer build: AddressSanitizer may catch the worker's SIGSEGV, report it and abort (GCC's
  // runtime does, clang's leaves it to the host): a signal, either way.
  const std::string crash_signal = kAddressSanitizer ? "(SIG" : "signal 11 (SIGSEGV";
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results WHERE plugin = 'crash' AND status = 'crashed' AND artifacts = 0 "
                          "AND message LIKE '%" + crash_signal + "%'"),
            nfo);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM artifacts WHERE plugin = 'crash'"), 0);
  // flood: every JPEG recorded as flood, nothing kept.
  const std::int64_t jpegs = query_int(db, "SELECT count(*) FROM files WHERE content_state = 'intact' AND mime = 'image/jpeg'");
  ASSERT_GT(jpegs, 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results WHERE plugin = 'flood' AND status = 'flood' AND message LIKE '%100000 artifacts%'"),
            jpegs);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM artifacts WHERE plugin = 'flood'"), 0);
  // bad_emitter: only its valid artifacts, every host answer as plugin.h says, the rejections explained.
  const std::int64_t txt = query_int(db, "SELECT count(*) FROM files WHERE content_state = 'intact' AND lower(name) LIKE '%_.txt'");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results WHERE plugin = 'bad_emitter' AND status = 'ok' AND artifacts = 3"), txt);
  EXPECT_EQ(query_text(db, "SELECT group_concat(DISTINCT kind || seq) FROM (SELECT kind, seq FROM artifacts WHERE plugin = 'bad_emitter' "
                           "ORDER BY seq)"),
            "record1,child2,self_check12");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM artifacts a JOIN artifact_attributes b USING (artifact_id) WHERE a.kind = 'self_check' "
                          "AND b.name = 'surprises' AND b.value = '0'"),
            txt);
  EXPECT_EQ(query_text(db, "SELECT group_concat(type) FROM (SELECT DISTINCT b.type FROM artifacts a JOIN artifact_attributes b "
                           "USING (artifact_id) WHERE a.kind = 'record' ORDER BY 1)"),
            "hex,int,real,text,time");
  const std::string message = query_text(db, "SELECT message FROM plugin_results WHERE plugin = 'bad_emitter' LIMIT 1");
  for (const char* why : {"undeclared kind 'nope'", "'color' is not declared", "not valid UTF-8", "lowercase", "day 30 of month 2",
                          "not a decimal", "required attribute 'label' not set", "parent 99", "\\xff\\xfe"}) {
    EXPECT_NE(message.find(why), std::string::npos) << why << " in:\n" << message;
  }
  // magic_probe: exactly the files that start with a PNG signature or hold "ftyp" at 4.
  EXPECT_EQ(query_rows(db, "SELECT f.path FROM artifacts a JOIN files f USING (file_id) WHERE a.plugin = 'magic_probe' ORDER BY 1"),
            query_rows(db, "SELECT path FROM files WHERE content_state = 'intact' AND mime IN ('image/png', 'video/mp4') ORDER BY 1"));
  // template: the same rows as in a run with no other plugin.
  const std::string template_rows =
      "SELECT a.file_id, a.kind, a.seq, b.name, b.value, b.type FROM artifacts a JOIN artifact_attributes b USING (artifact_id) "
      "WHERE a.plugin = 'template' ORDER BY 1, 3, 4";
  auto clean_db = open_case(clean);
  const std::string expected = query_rows(clean_db, template_rows);
  EXPECT_GT(expected.size(), 100u);
  EXPECT_EQ(query_rows(db, template_rows), expected);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results WHERE plugin = 'template' AND status = 'ok'"), query_int(db, kTextFiles));

  // Rerun: the failures are on record; nothing is parsed again.
  const std::int64_t results = query_int(db, "SELECT count(*) FROM plugin_results");
  const auto again = parse(dir, args);
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results"), results);
  expect_sound(dir);
}

TEST_F(ParseCli, AHangingPluginTimesOutAndTheRunGoesOn) {
  const fs::path dir = fresh_case();
  auto args = test_plugins({"hang"});
  args.insert(args.end(), {"--plugin-dir", FERRET_EXAMPLE_PLUGIN_DIR, "--plugin", "template", "--plugin-timeout", "1"});
  const auto started = std::chrono::steady_clock::now();
  const auto run = parse(dir, args);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_LT(seconds, 15.0);
  auto db = open_case(dir);
  EXPECT_EQ(query_text(db, "SELECT f.path || ' ' || r.status || ' ' || r.message FROM plugin_results r JOIN files f USING (file_id) "
                           "WHERE r.plugin = 'hang'"),
            "/notes.txt timeout no answer within 1 s; the worker was killed");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results WHERE plugin = 'template' AND status = 'ok'"), query_int(db, kTextFiles));
  expect_sound(dir);
}

// Evidence that changed since it was ingested (cut short here) is one clear problem: named, recorded
// in errors against the evidence, exit 3; no file of it is offered to a plugin; the rerun with the
// evidence restored parses everything.
TEST_F(ParseCli, EvidenceThatChangedIsRecordedAndExitsThree) {
  const fs::path image = tmp_ / "demo.raw";
  fs::copy_file(std::string(FERRET_SAMPLES_BUILD_DIR) + "/demo.raw", image);
  const fs::path dir = tmp_ / "changed";
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", dir.string(), "--hash", "--quiet", image.string()}).exit_code, 0);
  fs::resize_file(image, 40u << 20);
  const auto run = parse(dir, {"--plugin-dir", FERRET_EXAMPLE_PLUGIN_DIR, "--plugin", "template"});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.out.find("not the same evidence: its files were not parsed"), std::string::npos) << run.out;
  {
    auto db = open_case(dir);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM errors WHERE kind = 'corrupt' AND evidence_id = 1 AND file_id IS NULL "
                            "AND message LIKE '%not the same evidence%'"),
              1);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results"), 0);
  }
  fs::remove(image);
  fs::copy_file(std::string(FERRET_SAMPLES_BUILD_DIR) + "/demo.raw", image);
  const auto again = parse(dir, {"--plugin-dir", FERRET_EXAMPLE_PLUGIN_DIR, "--plugin", "template"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  auto db = open_case(dir);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results WHERE plugin = 'template' AND status = 'ok'"), query_int(db, kTextFiles));
  expect_sound(dir);
}

// A plugin asking for more memory than the worker's limit gets a failed allocation, not the machine.
TEST_F(ParseCli, APluginWorkerHasAnAddressSpaceLimit) {
  if (kAddressSanitizer) GTEST_SKIP() << "no address-space limit under AddressSanitizer (its shadow memory is terabytes of address space)";
  const auto allocated = [&](const char* name, std::vector<std::string> extra) {
    const fs::path dir = fresh_case(name);
    auto args = test_plugins({"hog"});
    args.insert(args.end(), extra.begin(), extra.end());
    const auto run = parse(dir, args);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    auto db = open_case(dir);
    return query_text(db, "SELECT f.path || ' ' || b.value FROM artifacts a JOIN artifact_attributes b USING (artifact_id) "
                          "JOIN files f USING (file_id) WHERE a.plugin = 'hog' AND b.name = 'allocated'");
  };
  EXPECT_EQ(allocated("limited", {}), "/notes.txt 0");                          // the default, 4 GiB
  EXPECT_EQ(allocated("small", {"--plugin-memory", "1024"}), "/notes.txt 0");   // 1 GiB
  EXPECT_EQ(allocated("unlimited", {"--plugin-memory", "0"}), "/notes.txt 1");  // no limit: the 6 GiB are given
  const auto refused = parse(fresh_case("bad"), {"--plugin-memory", "12"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("--plugin-memory"), std::string::npos) << refused.err;
}

TEST_F(ParseCli, APluginBuiltForAnotherAbiIsRefusedNamingBothVersions) {
  const fs::path dir = fresh_case();
  const auto run = parse(dir, test_plugins({"wrong_abi"}));
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find("no plugin could be loaded"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("built for plugin ABI version 2, but this Ferret's host speaks ABI version 1"), std::string::npos) << run.err;
  auto db = open_case(dir);
  EXPECT_EQ(query_text(db, "SELECT status || ' ' || abi_version FROM plugin_loads WHERE path LIKE '%ferret-wrong_abi.so'"), "refused 2");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results"), 0);
  EXPECT_EQ(query_int(db, "SELECT exit_code FROM runs WHERE tool = 'ferret-parse'"), 2);

  const auto unknown = parse(dir, {"--plugin", "no_such_plugin"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no_such_plugin"), std::string::npos) << unknown.err;
  expect_sound(dir);
}

TEST_F(ParseCli, AnInterruptedRunKeepsWhatItRecordedAndARerunFinishes) {
  const fs::path dir = fresh_case();
  auto args = test_plugins({"hang"});
  args.insert(args.end(), {"--plugin-dir", FERRET_EXAMPLE_PLUGIN_DIR, "--plugin", "template", "--plugin-timeout", "60"});
  // Ctrl-C as a terminal sends it: SIGINT to the whole process group (the tool and its workers).
  std::vector<std::string> argv_text = {std::string(FERRET_BIN_DIR) + "/ferret-parse", "--case", dir.string()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setpgid(0, 0);
    const int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  setpgid(pid, pid);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  ASSERT_EQ(kill(-pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 130);
  {
    auto db = open_case(dir);
    EXPECT_EQ(query_int(db, "SELECT exit_code FROM runs WHERE tool = 'ferret-parse'"), 130);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results WHERE plugin = 'hang'"), 0);  // cut short: not recorded
  }
  args.back() = "1";
  const auto rerun = parse(dir, args);
  EXPECT_EQ(rerun.exit_code, 3) << rerun.out << rerun.err;
  auto db = open_case(dir);
  EXPECT_EQ(query_text(db, "SELECT status FROM plugin_results WHERE plugin = 'hang'"), "timeout");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM plugin_results WHERE plugin = 'template' AND status = 'ok'"), query_int(db, kTextFiles));
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM artifacts WHERE plugin = 'template'"), query_int(db, kTextFiles));
  expect_sound(dir);
}

TEST_F(ParseCli, PluginsListShowsDeclarationsAndWhyOthersAreRefused) {
  std::vector<std::string> args = {"list"};
  for (const char* name : {"bad_emitter", "magic_probe", "wrong_abi", "crash_on_load", "v2_only", "bad_descriptor"}) {
    args.insert(args.end(), {"--plugin-dir", test_plugin_dir(name)});
  }
  const auto listed = run_tool("ferret-plugins", args);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const std::string& out = listed.out;
  const std::string bad_emitter = test_plugin_dir("bad_emitter") + "/ferret-bad_emitter.so";
  for (const std::string& expected :
       {std::string("bad_emitter 0.1 (plugin ABI 1)"), "  sha256   " + sha256_of(bad_emitter), std::string("selects  extensions txt"),
        std::string("kind record: a record"), std::string("    label      text  yes       the file name"),
        std::string("    seen       time  no        a UTC time"), std::string("content 0x89504e470d0a1a0a at 0, \"ftyp\" at 4"),
        std::string("crashed while loading: the worker was killed by signal 6 (SIGABRT"),
        std::string("built for plugin ABI version 2, but this Ferret's host speaks ABI version 1"),
        std::string("exports ferret_plugin_entry_v2 but not ferret_plugin_entry_v1"), std::string("kind 'Bad-Kind'")}) {
    EXPECT_NE(out.find(expected), std::string::npos) << expected << "\nin:\n" << out;
  }
  const auto json = run_tool("ferret-plugins", [&] {
    auto a = args;
    a.push_back("--json");
    return a;
  }());
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_EQ(json.out.rfind("{\"host_abi_version\":1,\"plugins\":[", 0), 0u) << json.out;
  EXPECT_NE(json.out.find("{\"name\":\"seen\",\"type\":\"time\",\"required\":false,\"description\":\"a UTC time\"}"), std::string::npos);
  EXPECT_NE(json.out.find("\"magics\":[{\"offset\":0,\"hex\":\"89504e470d0a1a0a\"},{\"offset\":4,\"hex\":\"66747970\"}]"), std::string::npos);
  EXPECT_NE(json.out.find("\"status\":\"refused\",\"message\":\"crashed while loading"), std::string::npos);

  EXPECT_EQ(run_tool("ferret-plugins", {"list", "--plugin-dir", "/nonexistent"}).exit_code, 1);
  EXPECT_EQ(run_tool("ferret-plugins", {"show"}).exit_code, 1);
}

}  // namespace
}  // namespace ferret::test
