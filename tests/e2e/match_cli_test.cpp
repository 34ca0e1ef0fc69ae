// ferret-match as a user meets it: the demo sample against sets made from its own manifest.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

struct ManifestFile {
  std::string key;  // "volume_offset path"
  std::string md5, sha256;
};

std::vector<ManifestFile> demo_files() {
  std::ifstream in(manifest_path("demo.tsv"));
  std::string line;
  std::getline(in, line);
  std::vector<ManifestFile> out;
  while (std::getline(in, line)) {
    const auto f = split_tabs(line);
    if (f.size() != 9 || f[1] != "file") continue;
    out.push_back({f[0] + " " + unescape_path(f[2]), f[4], f[6]});
  }
  return out;
}

std::set<std::string> matched_files(casedb::Database& db, const std::string& condition) {
  std::set<std::string> out;
  auto s = db.prepare("SELECT DISTINCT v.start_offset || ' ' || f.path FROM matches m JOIN files f USING (file_id) "
                      "JOIN volumes v USING (volume_id) WHERE " + condition);
  EXPECT_TRUE(s.ok());
  while (s.ok() && *s->step()) out.insert(s->column_text(0));
  return out;
}

TEST(MatchCli, ASetMadeFromPartOfTheManifestMatchesExactlyThoseFiles) {
  TempDir tmp;
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", (tmp / "case").string(), "--quiet", "--hash", sample("demo.raw").string()}).exit_code, 0);
  const auto files = demo_files();
  ASSERT_GT(files.size(), 30u);
  // Notable: the release videos and torrents (by MD5, with a title); known-good: the text files (by SHA-256).
  std::set<std::string> notable_md5, good_sha256, want_notable, want_good;
  {
    std::ofstream csv(tmp / "releases.csv");
    csv << "md5,title,release,rights_holder\n";
    for (const auto& f : files) {
      if (f.key.find(".mkv") == std::string::npos && f.key.find(".mp4") == std::string::npos &&
          f.key.find(".torrent") == std::string::npos) continue;
      if (notable_md5.insert(f.md5).second) csv << f.md5 << ",\"Title of " << f.md5.substr(0, 6) << "\",FRTGRP,Example Studios\n";
    }
    std::ofstream good(tmp / "good.sha256");
    for (const auto& f : files) {
      if (f.key.size() > 4 && f.key.compare(f.key.size() - 4, 4, ".txt") == 0) {
        good_sha256.insert(f.sha256);
        good << f.sha256 << "  " << "x.txt\n";
      }
    }
  }
  for (const auto& f : files) {
    if (notable_md5.count(f.md5)) want_notable.insert(f.key);  // every copy, whatever its name
    if (good_sha256.count(f.sha256)) want_good.insert(f.key);
  }
  ASSERT_EQ(run_tool("ferret-hashset", {"import", "--out", (tmp / "releases.ferret-hashset").string(), "--name", "FRTGRP releases",
                                        "--category", "notable", (tmp / "releases.csv").string()}).exit_code, 0);
  ASSERT_EQ(run_tool("ferret-hashset", {"import", "--out", (tmp / "good.ferret-hashset").string(), "--name", "Harmless text",
                                        "--category", "known-good", (tmp / "good.sha256").string()}).exit_code, 0);
  const std::vector<std::string> args = {"--case", (tmp / "case").string(), "--json", "--hashset",
                                         (tmp / "releases.ferret-hashset").string(), "--hashset", (tmp / "good.ferret-hashset").string()};
  const auto run = run_tool("ferret-match", args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(matched_files(db, "m.hashset = 'FRTGRP releases'"), want_notable);
  EXPECT_EQ(matched_files(db, "m.hashset = 'Harmless text'"), want_good);
  // The renamed episode (notes-backup.txt) is a release copy: notable, though its name says text.
  EXPECT_TRUE(want_notable.count("44040192 /home/kestrel/uploads/notes-backup.txt"));
  EXPECT_EQ(query_text(db, "SELECT known FROM files WHERE path = '/home/kestrel/uploads/notes-backup.txt'"), "notable");
  EXPECT_EQ(query_text(db, "SELECT known FROM files WHERE path = '/home/kestrel/uploads/couriers.txt'"), "known-good");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE known = 'notable'"), static_cast<std::int64_t>(want_notable.size()));
  // Every algorithm both sides have, with the entry's metadata and the set's identity.
  EXPECT_EQ(query_text(db, "SELECT DISTINCT algorithm FROM matches WHERE hashset = 'FRTGRP releases'"), "md5");
  EXPECT_EQ(query_text(db, "SELECT DISTINCT algorithm FROM matches WHERE hashset = 'Harmless text'"), "sha256");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM matches WHERE hashset = 'FRTGRP releases' AND (title NOT LIKE 'Title of %' "
                          "OR release <> 'FRTGRP' OR rights_holder <> 'Example Studios' OR category <> 'notable')"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(DISTINCT hashset_sha256) FROM matches"), 2);
  // ferret-extract --all-matched hands over exactly the notable files.
  const auto extracted = run_tool("ferret-extract", {"--case", (tmp / "case").string(), "--all-matched", "--json", (tmp / "out").string()});
  ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
  EXPECT_EQ(query_int(db, "SELECT count(DISTINCT file_id) FROM extractions WHERE verified = 1"), static_cast<std::int64_t>(want_notable.size()));
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM extractions x JOIN files f USING (file_id) WHERE f.known IS NOT 'notable'"), 0);
  // Running again adds nothing.
  const auto before = query_int(db, "SELECT count(*) FROM matches");
  const auto again = run_tool("ferret-match", args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("\"new_matches\":0"), std::string::npos) << again.out;
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM matches"), before);
}

TEST(MatchCli, ABadSetIsRefusedBeforeAnythingIsRecorded) {
  TempDir tmp;
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", (tmp / "case").string(), "--quiet", "--hash", sample("demo.raw").string()}).exit_code, 0);
  { std::ofstream(tmp / "bogus.ferret-hashset") << "not a hash set"; }
  const auto run = run_tool("ferret-match", {"--case", (tmp / "case").string(), "--hashset", (tmp / "bogus.ferret-hashset").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("bogus.ferret-hashset"), std::string::npos) << run.err;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM matches"), 0);
  EXPECT_EQ(run_tool("ferret-match", {"--case", (tmp / "case").string()}).exit_code, 1);
  EXPECT_EQ(run_tool("ferret-match", {"--help"}).exit_code, 0);
}

}  // namespace
}  // namespace ferret::test
