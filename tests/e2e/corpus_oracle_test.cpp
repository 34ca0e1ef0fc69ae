// ferret-ingest on every third-party corpus image, compared with what TSK's own fls and ewfinfo say.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "corpus_cases.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

struct Entry {
  std::string path;  // as fls -p prints it: no leading '/', control characters as '^'
  std::string meta;  // "14" or NTFS "32-128-6"
  bool deleted = false;
  bool realloc = false;
  bool operator<(const Entry& o) const {
    return std::tie(path, meta, deleted, realloc) < std::tie(o.path, o.meta, o.deleted, o.realloc);
  }
};

struct FlsSection {
  std::optional<std::uint64_t> start_sector;  // none for the whole image
  int rc = 0;
  std::set<Entry> entries;
};

std::vector<FlsSection> parse_oracle(const std::filesystem::path& tsk_txt) {
  std::vector<FlsSection> out;
  std::istringstream in(slurp(tsk_txt));
  std::string line;
  static const std::regex header(R"(^##### (whole-image|part@(\d+)\(.*\)): fls -r -p.*\(rc=(-?\d+)\)\s*$)");
  static const std::regex entry(R"(^(\S)/(\S) (\* )?([0-9-]+)(\(realloc\))?:\t(.*)$)");
  FlsSection* current = nullptr;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.rfind("#####", 0) == 0) {
      current = nullptr;
      if (std::regex_match(line, m, header)) {
        FlsSection s;
        if (m[2].matched) s.start_sector = std::stoull(m[2].str());
        s.rc = std::stoi(m[3].str());
        out.push_back(std::move(s));
        current = &out.back();
      }
      continue;
    }
    if (current != nullptr && std::regex_match(line, m, entry)) {
      current->entries.insert({m[6].str(), m[4].str(), m[3].matched, m[5].matched});
    }
  }
  return out;
}

std::string fls_sanitized(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '^';
  }
  return out;
}

std::set<Entry> recorded_entries(casedb::Database& db, const std::string& volume_condition) {
  std::set<Entry> out;
  auto stmt = db.prepare(
      "SELECT f.path, f.meta_addr, f.attr_type, f.attr_id, f.allocated, f.reallocated, f.name_raw "
      "FROM files f JOIN volumes v USING (volume_id) WHERE f.origin = 'fs' AND " + volume_condition);
  EXPECT_TRUE(stmt.ok());
  while (stmt.ok() && *stmt->step()) {
    Entry e;
    e.path = fls_sanitized(stmt->column_text(0).substr(1));
    e.meta = std::to_string(stmt->column_int(1));
    if (!stmt->column_is_null(2)) {
      e.meta += "-" + std::to_string(stmt->column_int(2)) + "-" + std::to_string(stmt->column_int(3));
    }
    e.deleted = stmt->column_int(4) == 0;
    e.realloc = stmt->column_int(5) == 1;
    out.insert(e);
  }
  return out;
}

std::string describe(const std::set<Entry>& s) {
  std::string out;
  int n = 0;
  for (const auto& e : s) {
    if (++n > 15) return out + "  ...\n";
    out += "  " + e.meta + (e.deleted ? " *" : "") + (e.realloc ? " (realloc)" : "") + " " + e.path + "\n";
  }
  return out;
}

class CorpusOracle : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(CorpusOracle, FilesMatchFlsAndNothingCrashes) {
  const auto& [oracle, image] = GetParam();
  TempDir tmp;
  const auto run = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), "--json", image});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 3) << run.exit_code << "\n" << run.err;
  EXPECT_NE(run.out.find("\"sha256\":\""), std::string::npos) << run.out;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence"), 1);
  EXPECT_EQ(query_text(db, "SELECT finished_at IS NOT NULL FROM runs"), "1");

  for (const FlsSection& section : parse_oracle(oracle)) {
    const std::string condition =
        section.start_sector ? "v.start_offset = " + std::to_string(*section.start_sector * 512)
                             : std::string("v.start_offset = 0 AND v.partition_slot IS NULL");
    SCOPED_TRACE(section.start_sector ? "partition at sector " + std::to_string(*section.start_sector) : "whole image");
    const auto ours = recorded_entries(db, condition);
    if (section.rc != 0) {
      EXPECT_TRUE(ours.empty()) << "fls could not read this volume but we recorded:\n" << describe(ours);
      continue;
    }
    std::set<Entry> missing, extra;
    std::set_difference(section.entries.begin(), section.entries.end(), ours.begin(), ours.end(),
                        std::inserter(missing, missing.end()));
    std::set_difference(ours.begin(), ours.end(), section.entries.begin(), section.entries.end(),
                        std::inserter(extra, extra.end()));
    EXPECT_TRUE(missing.empty() && extra.empty())
        << section.entries.size() << " entries in fls, " << ours.size() << " recorded\nin fls, not recorded:\n"
        << describe(missing) << "recorded, not in fls:\n" << describe(extra);
  }
}

std::string pair_name(const ::testing::TestParamInfo<std::pair<std::string, std::string>>& info) {
  std::string name = std::filesystem::path(info.param.second).filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusOracle, ::testing::ValuesIn(corpus_cases()), pair_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CorpusOracle);

// ---- E01 metadata against ewfinfo ---------------------------------------------------------------

std::map<std::string, std::string> ewfinfo(const std::string& image) {
  std::string out;
  std::map<std::string, std::string> fields;
  if (run_shell("ewfinfo " + shell_quote(image), out) != 0) return fields;
  std::istringstream in(out);
  std::string line;
  static const std::regex kv(R"(^\s+([A-Za-z0-9 -]+):\s+(.*)$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kv)) fields.emplace(m[1].str(), m[2].str());
  }
  return fields;
}

class E01Metadata : public ::testing::TestWithParam<std::string> {};

TEST_P(E01Metadata, EqualsEwfinfoAndStoredHashesVerify) {
  const std::string relative = GetParam();
  FERRET_REQUIRE_CORPUS_FILE(image, relative);
  const auto expected = ewfinfo(image.string());
  if (expected.empty()) GTEST_SKIP() << "ewfinfo not installed";
  TempDir tmp;
  const auto run = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), image.string()});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 3) << run.err;
  auto db = open_case(tmp / "case");
  const std::map<std::string, std::string> columns = {{"Case number", "case_number"},
                                                      {"Evidence number", "evidence_number"},
                                                      {"Examiner name", "examiner"},
                                                      {"Description", "description"},
                                                      {"Notes", "notes"},
                                                      {"MD5", "stored_md5"},
                                                      {"SHA1", "stored_sha1"}};
  for (const auto& [label, column] : columns) {
    auto it = expected.find(label);
    const std::string ours = query_text(db, "SELECT " + column + " FROM evidence");
    if (it == expected.end()) {
      EXPECT_EQ(ours, "") << column;
    } else {
      EXPECT_EQ(ours, it->second) << column;
    }
  }
  EXPECT_EQ(query_text(db, "SELECT format FROM evidence"), "e01");
  EXPECT_EQ(query_int(db, "SELECT stored_hashes_match FROM evidence"), 1);
  EXPECT_EQ(query_text(db, "SELECT md5 FROM evidence"), query_text(db, "SELECT stored_md5 FROM evidence"));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

INSTANTIATE_TEST_SUITE_P(Corpus, E01Metadata,
                         ::testing::Values("plaso/test_data/image.E01", "plaso/test_data/image-split.E01",
                                           "dfvfs/test_data/ext2.E01", "dfvfs/test_data/ext2.split.E01",
                                           "sleuthkit/test/data/image.E01",
                                           "sleuthkit/test/data/imageformat_mmls_1.E01"));

// ---- The same media in three containers ---------------------------------------------------------

TEST(SameMedia, RawSplitRawAndE01GiveTheSameEvidenceHashes) {
  FERRET_REQUIRE_CORPUS_FILE(e01, "dfvfs/test_data/ext2.E01");
  FERRET_REQUIRE_CORPUS_FILE(split_e01, "dfvfs/test_data/ext2.split.E01");
  FERRET_REQUIRE_CORPUS_FILE(split_raw, "dfvfs/test_data/ext2.splitraw.000");
  TempDir tmp;
  // One case, three containers of the same media: the duplicate check must be overridden.
  const auto run = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), "--allow-duplicate", e01.string(),
                                              split_e01.string(), split_raw.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_text(db, "SELECT group_concat(format, ',') FROM (SELECT format FROM evidence ORDER BY evidence_id)"),
            "e01,e01,split-raw");
  EXPECT_EQ(query_int(db, "SELECT count(DISTINCT md5 || sha1 || sha256) FROM evidence"), 1);
  EXPECT_EQ(query_text(db, "SELECT md5 FROM evidence LIMIT 1"), "196066add11fb71c4c49cf1bb50d6d24");
  EXPECT_EQ(query_text(db, "SELECT sha1 FROM evidence LIMIT 1"), "4766c63c7acd5175015e3e8b90013a827e63f4ee");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence_segments WHERE evidence_id = 2"), 2);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM evidence_segments WHERE evidence_id = 3"), 2);
  // And the same files, whatever the container.
  EXPECT_EQ(query_int(db, "SELECT count(DISTINCT n) FROM (SELECT evidence_id, count(*) AS n FROM files GROUP BY evidence_id)"), 1);
}

}  // namespace
}  // namespace ferret::test
