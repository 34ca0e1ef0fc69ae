// ferret-extract as a user meets it: the samples' hostile names and NTFS streams written inside OUT and
// verified against the manifests, a planted link, unhashed files, and --where conditions that are
// wrong or malicious.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "hash/digest.h"
#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

// (volume offset, path) -> sha256 of every file and stream the sample scripts wrote.
std::map<std::pair<std::int64_t, std::string>, std::string> manifest_hashes(const std::string& manifest) {
  std::map<std::pair<std::int64_t, std::string>, std::string> out;
  std::ifstream in(manifest_path(manifest));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto f = split_tabs(line);
    if (f.size() != 9 || f[1] == "dir") continue;
    out[{std::stoll(f[0]), unescape_path(f[2])}] = f[6];
  }
  return out;
}

std::string sha256_of(const std::filesystem::path& p) { return hash::digest_all(read_file_bytes(p)).sha256; }

// RFC 4180 records (quoted fields may hold commas, quotes and line breaks).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') { field += '"'; ++i; }
      else if (ch == '"') quoted = false;
      else field += ch;
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += ch;
    }
  }
  if (rows.back().empty() && field.empty()) rows.pop_back();
  return rows;
}

// One case of demo.raw and gpt-ntfs.raw, ingested and hashed once; each test works on a copy.
class ExtractCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = std::make_unique<TempDir>();
    const auto run = run_tool("ferret-ingest", {"--case", (*shared_ / "case").string(), "--hash", "--quiet",
                                                sample("demo.raw").string(), sample("gpt-ntfs.raw").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  static void TearDownTestSuite() { shared_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(shared_ && std::filesystem::exists(*shared_ / "case" / "case.db"));
    std::filesystem::copy(*shared_ / "case", case_dir(), std::filesystem::copy_options::recursive);
  }

  std::filesystem::path case_dir() const { return tmp_ / "case"; }
  std::filesystem::path out() const { return tmp_ / "out"; }

  ToolRun extract(std::vector<std::string> args) {
    std::vector<std::string> all = {"--case", case_dir().string()};
    all.insert(all.end(), args.begin(), args.end());
    return run_tool("ferret-extract", all);
  }

  static inline std::unique_ptr<TempDir> shared_;
  TempDir tmp_;
};

TEST_F(ExtractCli, HostileNamesAndStreamsStayInsideOutAndMatchTheirManifests) {
  const auto odd = extract({"--where", "path LIKE '/home/kestrel/odd names/%'", "--json", out().string()});
  ASSERT_EQ(odd.exit_code, 0) << odd.err << odd.out;
  EXPECT_NE(odd.out.find("\"extracted\":12,\"verified\":12"), std::string::npos) << odd.out;
  const auto ntfs = extract({"--where", "evidence_id = (SELECT evidence_id FROM evidence WHERE path LIKE '%/gpt-ntfs.raw')",
                             "--quiet", out().string()});
  ASSERT_EQ(ntfs.exit_code, 0) << ntfs.err;

  // Every entry under OUT is a plain directory or file whose real path is inside OUT, and no
  // name holds a control or bidirectional character.
  const auto root = std::filesystem::canonical(out());
  int regular = 0, manifests = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(out()); it != std::filesystem::recursive_directory_iterator(); ++it) {
    const auto status = std::filesystem::symlink_status(it->path());
    ASSERT_FALSE(std::filesystem::is_symlink(status)) << it->path();
    ASSERT_TRUE(std::filesystem::is_directory(status) || std::filesystem::is_regular_file(status)) << it->path();
    EXPECT_EQ(std::filesystem::canonical(it->path()).string().rfind(root.string() + "/", 0), 0u) << it->path();
    const std::string name = it->path().filename().string();
    EXPECT_TRUE(std::none_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
        << name;
    EXPECT_EQ(name.find("\u202e"), std::string::npos) << name;
    EXPECT_NE(name, "..");
    if (std::filesystem::is_regular_file(status)) {
      if (it->path().parent_path() == out()) ++manifests;
      else ++regular;
    }
  }
  EXPECT_EQ(manifests, 2);

  auto db = open_case(case_dir());
  const std::int64_t demo = query_int(db, "SELECT evidence_id FROM evidence WHERE path LIKE '%/demo.raw'");
  const std::int64_t gpt = query_int(db, "SELECT evidence_id FROM evidence WHERE path LIKE '%/gpt-ntfs.raw'");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM extractions"), regular);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM extractions WHERE verified = 1"), regular);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE type = 'file' AND evidence_id = " + std::to_string(gpt)),
            query_int(db, "SELECT count(*) FROM extractions JOIN files USING (file_id) WHERE evidence_id = " + std::to_string(gpt)));
  EXPECT_EQ(query_int(db, "SELECT count(DISTINCT run_id) FROM extractions"), 2);

  // Each copy: its bytes hash to files.sha256, to extractions.sha256 and to the sample manifest.
  std::map<std::int64_t, std::map<std::pair<std::int64_t, std::string>, std::string>> truth = {
      {demo, manifest_hashes("demo.tsv")}, {gpt, manifest_hashes("gpt-ntfs.tsv")}};
  auto rows = db.prepare(
      "SELECT x.output_path, x.sha256, x.size, f.sha256, f.size, f.evidence_id, v.start_offset, f.path "
      "FROM extractions x JOIN files f USING (file_id) JOIN volumes v USING (volume_id) ORDER BY x.extraction_id");
  ASSERT_TRUE(rows.ok());
  int against_manifest = 0, streams = 0;
  while (*rows->step()) {
    const std::string output_path = rows->column_text(0);
    SCOPED_TRACE(output_path);
    EXPECT_EQ(output_path.rfind("e" + std::to_string(rows->column_int(5)) + "/v" + std::to_string(rows->column_int(6)) + "/", 0), 0u);
    const std::string on_disk = sha256_of(out() / output_path);
    EXPECT_EQ(on_disk, rows->column_text(1));
    EXPECT_EQ(on_disk, rows->column_text(3));
    EXPECT_EQ(rows->column_int(2), rows->column_int(4));
    const auto& manifest = truth[rows->column_int(5)];
    if (auto it = manifest.find({rows->column_int(6), rows->column_text(7)}); it != manifest.end()) {
      EXPECT_EQ(on_disk, it->second);
      ++against_manifest;
      if (rows->column_int(5) == gpt && rows->column_text(7).find(':') != std::string::npos) ++streams;
    }
  }
  EXPECT_EQ(against_manifest, 12 + 9);  // the ext4 hostile names; the NTFS files and streams
  EXPECT_EQ(streams, 2);

  // The hostile names, as written.
  const auto odd_dir = out() / ("e" + std::to_string(demo)) / "v44040192/home/kestrel/odd names";
  for (const char* name : {"...%2E", "..%5C..%5C..%5CWindows%5CSystem32%5Cevil.dll", "invoice%E2%80%AEtxt.exe",
                           "line%0Abreak%09tab.txt", "%3Cscript%3Ealert(1)%3C%5Cscript%3E.txt",
                           "=HYPERLINK(%22http%3A%5C%5Cexample.invalid%22),1.csv"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(odd_dir / name)) << name;
  }
  EXPECT_TRUE(std::filesystem::is_regular_file(out() / ("e" + std::to_string(gpt)) / "v1048576/Users/kestrel/Documents/ledger.txt%3Ahidden"));

  // The CSV manifest of the first run: one row per copy, the formula-like name guarded.
  const std::string first_manifest = query_text(db, "SELECT min(run_id) FROM extractions");
  const std::string csv = slurp(out() / ("ferret-extract-" + first_manifest + ".csv"));
  ASSERT_TRUE(csv.starts_with("\xef\xbb\xbf"));
  const auto records = parse_csv(csv.substr(3));
  ASSERT_EQ(records.size(), 13u);
  EXPECT_EQ(records[0][0], "file_id");
  bool guarded = false;
  for (std::size_t i = 1; i < records.size(); ++i) {
    ASSERT_EQ(records[i].size(), 8u);
    EXPECT_EQ(records[i][6], "1");
    EXPECT_EQ(sha256_of(out() / records[i][3]), records[i][5]);
    if (records[i][2].find("HYPERLINK") != std::string::npos) {
      EXPECT_EQ(records[i][2], "/home/kestrel/odd names/=HYPERLINK(\"http:\\\\example.invalid\"),1.csv");
      EXPECT_EQ(records[i][7], "'=HYPERLINK(\"http:\\\\example.invalid\"),1.csv");
      guarded = true;
    }
    for (const auto& cell : records[i]) {
      EXPECT_TRUE(cell.empty() || std::string_view("=+-@\t\r").find(cell[0]) == std::string_view::npos) << cell;
    }
  }
  EXPECT_TRUE(guarded);
}

TEST_F(ExtractCli, APlantedSymlinkInOutIsNotFollowed) {
  TempDir elsewhere;
  std::filesystem::create_directories(out());
  auto db = open_case(case_dir());
  const std::string demo = query_text(db, "SELECT evidence_id FROM evidence WHERE path LIKE '%/demo.raw'");
  std::filesystem::create_directory_symlink(elsewhere.path(), out() / ("e" + demo));
  const auto run = extract({"--where", "path LIKE '/home/kestrel/odd names/%'", out().string()});
  EXPECT_EQ(run.exit_code, 3) << run.err << run.out;
  EXPECT_NE(run.out.find("symbolic link"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::is_empty(elsewhere.path()));
  EXPECT_TRUE(std::filesystem::is_symlink(out() / ("e" + demo)));
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM extractions"), 0);
  EXPECT_EQ(query_int(db, "SELECT exit_code FROM runs WHERE tool = 'ferret-extract'"), 3);
}

TEST_F(ExtractCli, AWrongOrMaliciousWhereExitsOneAndChangesNothing) {
  auto db = open_case(case_dir());
  const std::int64_t files = query_int(db, "SELECT count(*) FROM files");
  const auto syntax = extract({"--where", "path LIKE", out().string()});
  EXPECT_EQ(syntax.exit_code, 1);
  EXPECT_NE(syntax.err.find("syntax error"), std::string::npos) << syntax.err;
  for (const char* hostile : {"1); DROP TABLE files; --", "1); DELETE FROM files; SELECT (1", "1); UPDATE files SET path = 'x'; --"}) {
    const auto run = extract({"--where", hostile, out().string()});
    EXPECT_EQ(run.exit_code, 1) << hostile << run.err;
  }
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files"), files);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE path = 'x'"), 0);
  EXPECT_FALSE(std::filesystem::exists(out()));  // nothing is written for an invalid selection
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM runs WHERE tool = 'ferret-extract' AND exit_code = 1"), 4);
  const auto unknown = extract({"--file-id", "987654", out().string()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("987654"), std::string::npos);
}

TEST(ExtractCliAlone, AFileNotHashedYetIsReportedWithExitThree) {
  TempDir tmp;
  const auto fresh = tmp / "unhashed";
  const auto out = tmp / "out";
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", fresh.string(), "--quiet", sample("demo.raw").string()}).exit_code, 0);
  auto db = open_case(fresh);
  const std::string id = query_text(db, "SELECT file_id FROM files WHERE path = '/etc/hostname'");
  ASSERT_FALSE(id.empty());
  const auto run = run_tool("ferret-extract", {"--case", fresh.string(), "--file-id", id, out.string()});
  EXPECT_EQ(run.exit_code, 3) << run.err << run.out;
  EXPECT_NE(run.out.find("run ferret-hash first"), std::string::npos) << run.out;
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM extractions"), 0);
  EXPECT_FALSE(std::filesystem::exists(out / "e1"));
}

TEST(ExtractCliAlone, HelpVersionAndUsage) {
  TempDir tmp;
  const auto help = run_tool("ferret-extract", {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(run_tool("ferret-extract", {"--version"}).out.rfind("ferret-extract ", 0), 0u);
  EXPECT_EQ(run_tool("ferret-extract", {}).exit_code, 1);
  const std::string case_dir = (tmp / "nope").string(), out = (tmp / "out").string();
  EXPECT_EQ(run_tool("ferret-extract", {"--case", case_dir, "--file-id", "1", "--where", "1", out}).exit_code, 1);  // one or the other
  EXPECT_EQ(run_tool("ferret-extract", {"--case", case_dir, "--file-id", "1"}).exit_code, 1);                     // no OUT
  EXPECT_EQ(run_tool("ferret-extract", {"--case", case_dir, "--file-id", "1", out, out + "2"}).exit_code, 1);
  EXPECT_EQ(run_tool("ferret-extract", {"--case", case_dir, "--file-id", "x", out}).exit_code, 1);
  const auto missing = run_tool("ferret-extract", {"--case", case_dir, "--file-id", "1", out});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "out"));
}

}  // namespace
}  // namespace ferret::test
