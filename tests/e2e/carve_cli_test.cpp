// ferret-carve on the carving sample: every deleted file of every family comes back byte-exact,
// damaged ones never as complete, known files are not carved twice, and carved items behave like
// files for matching, extraction and verification.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "hash/digest.h"
#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

namespace fs = std::filesystem;

struct Truth {
  std::string name, family, type;
  std::uint64_t offset = 0, length = 0;
  std::string sha256, variant, expect;
};

std::vector<Truth> carve_truth() {
  std::ifstream in(manifest_path("carve.tsv"));
  std::string line;
  std::getline(in, line);
  std::vector<Truth> out;
  while (std::getline(in, line)) {
    const auto f = split_tabs(line);
    if (f.size() != 9) continue;
    out.push_back({f[0], f[1], f[2], std::stoull(f[3]), std::stoull(f[4]), f[5], f[7], f[8]});
  }
  return out;
}

struct Carved {
  std::int64_t file_id = 0;
  std::uint64_t size = 0;
  std::string status, type, sha256, path, detail;
};

std::map<std::uint64_t, Carved> carved_items(const fs::path& dir) {
  auto db = open_case(dir);
  auto s = db.prepare("SELECT f.carve_offset, f.file_id, f.size, f.carve_status, f.carve_type, coalesce(f.sha256, ''), f.path, "
                      "coalesce(f.carve_detail, ''), r.image_offset, r.length FROM files f JOIN file_runs r ON r.file_id = f.file_id "
                      "WHERE f.origin = 'carved'");
  EXPECT_TRUE(s.ok());
  std::map<std::uint64_t, Carved> out;
  while (s.ok() && *s->step()) {
    EXPECT_EQ(s->column_int(0), s->column_int(8)) << "the item's run starts at its offset";
    EXPECT_EQ(s->column_int(2), s->column_int(9)) << "one run covers the whole item";
    out[static_cast<std::uint64_t>(s->column_int(0))] = {s->column_int(1), static_cast<std::uint64_t>(s->column_int(2)), s->column_text(3),
                                                          s->column_text(4), s->column_text(5), s->column_text(6), s->column_text(7)};
  }
  return out;
}

// Files the file systems list whose content starts at `offset`, with their SHA-256.
std::string known_sha256_at(const fs::path& dir, std::uint64_t offset) {
  auto db = open_case(dir);
  auto s = db.prepare("SELECT coalesce(f.sha256, '') FROM files f JOIN file_runs r ON r.file_id = f.file_id "
                      "WHERE f.origin = 'fs' AND r.file_offset = 0 AND r.image_offset = ?1");
  EXPECT_TRUE(s.ok());
  s->bind(1, static_cast<std::int64_t>(offset));
  return s.ok() && *s->step() ? s->column_text(0) : "";
}

class CarveCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    ASSERT_EQ(run_tool("ferret-ingest", {"--case", dir().string(), "-q", "--hash", sample("carve.raw").string()}).exit_code, 0);
    first_ = new ToolRun(run_tool("ferret-carve", {"--case", dir().string(), "--json"}));
  }
  static void TearDownTestSuite() {
    delete first_;
    delete root_;
  }
  static fs::path dir() { return *root_ / "case"; }
  static TempDir* root_;
  static ToolRun* first_;
};
TempDir* CarveCli::root_ = nullptr;
ToolRun* CarveCli::first_ = nullptr;

TEST_F(CarveCli, EveryIntactDeletedFileComesBackByteExact) {
  ASSERT_EQ(first_->exit_code, 0) << first_->err;
  const auto truth = carve_truth();
  const auto items = carved_items(dir());
  std::set<std::string> families;
  std::size_t intact = 0;
  for (const Truth& t : truth) {
    if (t.expect != "complete") continue;
    ++intact;
    families.insert(t.family);
    auto it = items.find(t.offset);
    ASSERT_NE(it, items.end()) << t.name << " was not carved";
    EXPECT_EQ(it->second.status, "complete") << t.name << ": " << it->second.detail;
    EXPECT_EQ(it->second.size, t.length) << t.name;
    EXPECT_EQ(it->second.sha256, t.sha256) << t.name;
    EXPECT_EQ(it->second.type, t.type == "jpg" ? "jpeg" : t.type) << t.name;
  }
  EXPECT_GE(intact, 30u);
  EXPECT_EQ(families.size(), 14u) << "the sample holds every family the carver knows";
}

TEST_F(CarveCli, EveryCompleteItemIsAFileOfTheGroundTruth) {
  std::map<std::uint64_t, Truth> by_offset;
  for (const Truth& t : carve_truth()) by_offset[t.offset] = t;
  for (const auto& [offset, item] : carved_items(dir())) {
    if (item.status != "complete") continue;
    auto it = by_offset.find(offset);
    ASSERT_NE(it, by_offset.end()) << "a complete item at " << offset << " that no file was: " << item.path;
    EXPECT_EQ(item.sha256, it->second.sha256) << it->second.name;
  }
}

TEST_F(CarveCli, DamagedFilesAreNeverComplete) {
  const auto items = carved_items(dir());
  std::size_t damaged = 0;
  for (const Truth& t : carve_truth()) {
    if (t.expect != "partial-or-absent") continue;
    ++damaged;
    auto it = items.find(t.offset);
    if (it == items.end()) continue;
    EXPECT_EQ(it->second.status, "partial") << t.name;
    EXPECT_FALSE(it->second.detail.empty()) << t.name << ": a partial item says what is missing";
    if (t.variant == "overwritten") {
      EXPECT_NE(it->second.sha256, t.sha256) << t.name;
    }
  }
  EXPECT_GE(damaged, 5u);
}

TEST_F(CarveCli, FilesTheFileSystemsStillListAreNotCarvedAgain) {
  const auto items = carved_items(dir());
  std::size_t known_deleted = 0;
  for (const Truth& t : carve_truth()) {
    if (t.expect != "known") continue;
    EXPECT_EQ(items.count(t.offset), 0u) << t.name << " is listed by its file system: not a carved item";
    if (t.variant == "intact") {
      ++known_deleted;
      EXPECT_EQ(known_sha256_at(dir(), t.offset), t.sha256) << t.name;
    }
  }
  EXPECT_NE(first_->out.find("\"already_known\":" + std::to_string(known_deleted)), std::string::npos) << first_->out;
  // The whole media: the allocated files are found too, and all of them are known.
  TempDir tmp;
  fs::copy(dir(), tmp / "case", fs::copy_options::recursive);
  const ToolRun all = run_tool("ferret-carve", {"--case", (tmp / "case").string(), "--all-space", "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("\"new_items\":0"), std::string::npos) << all.out;
  std::size_t known = 0;
  for (const Truth& t : carve_truth()) known += t.expect == "known";
  EXPECT_NE(all.out.find("\"already_known\":" + std::to_string(known)), std::string::npos) << all.out;
}

TEST_F(CarveCli, CarvingAgainAddsNothingAndTypesCanBeChosen) {
  TempDir tmp;
  fs::copy(dir(), tmp / "case", fs::copy_options::recursive);
  const auto before = carved_items(tmp / "case").size();
  const ToolRun again = run_tool("ferret-carve", {"--case", (tmp / "case").string(), "--json"});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("\"new_items\":0"), std::string::npos) << again.out;
  EXPECT_EQ(carved_items(tmp / "case").size(), before);

  TempDir only;
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", (only / "case").string(), "-q", sample("carve.raw").string()}).exit_code, 0);
  ASSERT_EQ(run_tool("ferret-carve", {"--case", (only / "case").string(), "-q", "--types", "jpg,MOV"}).exit_code, 0);
  for (const auto& [offset, item] : carved_items(only / "case")) {
    EXPECT_TRUE(item.type == "jpeg" || item.type == "mp4" || item.type == "mov" || item.type == "3gp") << item.type;
  }
  const ToolRun bad = run_tool("ferret-carve", {"--case", (only / "case").string(), "--types", "jpg,exe"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unknown type(s): exe"), std::string::npos) << bad.err;
}

TEST_F(CarveCli, CarvedItemsAreMatchedExtractedAndVerifiedLikeFiles) {
  TempDir tmp;
  const fs::path c = tmp / "case";
  fs::copy(dir(), c, fs::copy_options::recursive);
  {
    std::ofstream list(tmp / "set.sha256");
    for (const Truth& t : carve_truth()) {
      if (t.family == "matroska" && t.expect == "complete") list << t.sha256 << "  " << t.name.substr(t.name.find(':') + 1) << "\n";
    }
  }
  ASSERT_EQ(run_tool("ferret-hashset", {"import", "--out", (tmp / "set").string(), "--name", "Films", "--category", "notable",
                                        (tmp / "set.sha256").string()}).exit_code, 0);
  ASSERT_EQ(run_tool("ferret-match", {"--case", c.string(), "-q", "--hashset", (tmp / "set").string()}).exit_code, 0);
  {
    auto db = open_case(c);
    auto s = db.prepare("SELECT count(*) FROM files WHERE origin = 'carved' AND known = 'notable'");
    ASSERT_TRUE(s.ok() && *s->step());
    EXPECT_EQ(s->column_int(0), 3);  // two MKV and one WebM, all carved
  }
  const ToolRun ex = run_tool("ferret-extract", {"--case", c.string(), "-q", "--where", "origin = 'carved' AND carve_status = 'complete'",
                                                 (tmp / "out").string()});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  std::size_t written = 0;
  const auto items = carved_items(c);
  auto db = open_case(c);
  for (const auto& [offset, item] : items) {
    if (item.status != "complete") continue;
    auto s = db.prepare("SELECT output_path, verified FROM extractions WHERE file_id = ?1");
    ASSERT_TRUE(s.ok());
    s->bind(1, item.file_id);
    ASSERT_TRUE(*s->step()) << item.path << " was not extracted";
    EXPECT_EQ(s->column_int(1), 1);
    const fs::path out = tmp / "out" / s->column_text(0);
    EXPECT_NE(out.string().find("$Carved"), std::string::npos) << out;
    const std::string bytes = slurp(out);
    EXPECT_EQ(hash::digest_all(std::as_bytes(std::span(bytes.data(), bytes.size()))).sha256, item.sha256) << out;
    ++written;
  }
  EXPECT_GE(written, 30u);
  const ToolRun v = run_tool("ferret-verify", {"--case", c.string()});
  EXPECT_EQ(v.exit_code, 0) << v.out;
  // An edited carved row is seen like any other.
  {
    auto writable = casedb::Database::open(c / "case.db", casedb::Database::Mode::read_write_create);
    ASSERT_TRUE(writable.ok());
    ASSERT_TRUE(writable->exec("UPDATE files SET carve_status = 'complete' WHERE origin = 'carved' AND carve_status = 'partial'").ok());
  }
  const ToolRun t = run_tool("ferret-verify", {"--case", c.string(), "--skip-evidence"});
  EXPECT_EQ(t.exit_code, 3);
  EXPECT_NE(t.out.find("carved files row"), std::string::npos) << t.out;
}

}  // namespace
}  // namespace ferret::test
