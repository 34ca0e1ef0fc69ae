// ferret-hash as a user meets it: the samples' ground truth, TSK's icat on the corpus, the DFTT answer
// keys, resuming after a crash, bad content.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "corpus_cases.h"
#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {




ToolRun ingest_and_hash(const std::filesystem::path& case_dir, const std::vector<std::string>& images) {
  std::vector<std::string> args = {"--case", case_dir.string(), "--quiet", "--allow-duplicate"};
  args.insert(args.end(), images.begin(), images.end());
  const auto ingest = run_tool("ferret-ingest", args);
  EXPECT_TRUE(ingest.exit_code == 0 || ingest.exit_code == 3) << ingest.err;
  return run_tool("ferret-hash", {"--case", case_dir.string(), "--json"});
}

// Every file and stream of the samples: the hashes the script wrote, and the content state.
TEST(HashCli, SampleFilesHashToTheirManifest) {
  TempDir tmp;
  const auto run = ingest_and_hash(tmp / "case", {sample("demo.raw").string(), sample("gpt-ntfs.raw").string()});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_NE(run.out.find("\"hash\":{\"intact\":"), std::string::npos) << run.out;
  auto db = open_case(tmp / "case");
  int checked = 0, deleted_checked = 0;
  for (const std::string manifest : {"demo.tsv", "gpt-ntfs.tsv"}) {
    const std::string evidence = manifest == "demo.tsv" ? "demo.raw" : "gpt-ntfs.raw";
    std::ifstream in(manifest_path(manifest));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto f = split_tabs(line);
      ASSERT_EQ(f.size(), 9u);
      if (f[1] == "dir") continue;
      const std::string path = unescape_path(f[2]);
      SCOPED_TRACE(path);
      auto stmt = db.prepare(
          "SELECT f.content_state, coalesce(f.md5, ''), coalesce(f.sha1, ''), coalesce(f.sha256, ''), fs_type "
          "FROM files f JOIN volumes v USING (volume_id) JOIN evidence e USING (evidence_id) "
          "WHERE e.path LIKE ?1 AND v.start_offset = ?2 AND f.path = ?3");
      ASSERT_TRUE(stmt.ok());
      stmt->bind(1, "%/" + evidence).bind(2, static_cast<std::int64_t>(std::stoll(f[0]))).bind(3, path);
      auto row = stmt->step();
      ASSERT_TRUE(row.ok() && *row);
      const bool deleted = f[7] == "1";
      // A deleted ext4 inode keeps its extents when deleted by debugfs (the kernel clears them): the
      // content is then still addressable and must hash right; without extents there is none.
      if (deleted && stmt->column_text(4).rfind("ext", 0) == 0 && stmt->column_text(0) == "no_content") continue;
      EXPECT_EQ(stmt->column_text(0), "intact");
      EXPECT_EQ(stmt->column_text(1), f[4]);
      EXPECT_EQ(stmt->column_text(2), f[5]);
      EXPECT_EQ(stmt->column_text(3), f[6]);
      ++checked;
      deleted_checked += deleted ? 1 : 0;
    }
  }
  EXPECT_GE(checked, 45);
  EXPECT_GE(deleted_checked, 6);  // the deleted FAT release and the wiped NTFS file, from unallocated space
  // Content types and the lying extension.
  EXPECT_EQ(query_text(db, "SELECT mime FROM files WHERE path LIKE '%/Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP.mkv'"), "video/x-matroska");
  EXPECT_EQ(query_text(db, "SELECT mime FROM files WHERE path = '/Artwork/Night Harbor poster.jpg'"), "image/jpeg");
  EXPECT_EQ(query_text(db, "SELECT mime || ' ' || ext_mismatch FROM files WHERE path = '/home/kestrel/uploads/notes-backup.txt'"),
            "video/x-matroska 1");
  // Besides the video, the hostile names whose extension promises a binary but that hold text.
  EXPECT_EQ(query_text(db, "SELECT group_concat(path, '|') FROM (SELECT path FROM files WHERE ext_mismatch = 1 ORDER BY path)"),
            "/home/kestrel/odd names/..\\..\\..\\Windows\\System32\\evil.dll|"
            "/home/kestrel/odd names/<img src=x onerror=alert('ferret')>.jpg|"
            "/home/kestrel/odd names/invoice\u202etxt.exe|/home/kestrel/uploads/notes-backup.txt");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE type = 'file' AND content_state IS NULL"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE type = 'dir' AND content_state IS NOT NULL"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(DISTINCT hash_run_id) FROM files WHERE content_state IS NOT NULL"), 1);
}

// For every corpus image: the hashes of every file equal what TSK's icat reads (the corpus oracle
// *.files.tsv), for allocated and deleted files alike.
class CorpusHashes : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(CorpusHashes, EqualIcat) {
  const auto& [oracle, image] = GetParam();
  std::filesystem::path files_tsv = oracle;
  files_tsv.replace_filename(files_tsv.filename().string().replace(files_tsv.filename().string().size() - 8, 8, ".files.tsv"));
  if (!std::filesystem::exists(files_tsv)) GTEST_SKIP() << "no " << files_tsv;
  TempDir tmp;
  const auto run = ingest_and_hash(tmp / "case", {image});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 3) << run.err << run.out;
  auto db = open_case(tmp / "case");
  std::ifstream in(files_tsv);
  std::string line;
  std::getline(in, line);
  int compared = 0, eligible = 0;
  while (std::getline(in, line)) {
    const auto f = split_tabs(line);
    ASSERT_GE(f.size(), 10u) << line;
    // volume: "whole-image" or "part@SECTOR(...)"
    std::int64_t start = 0;
    if (f[0].rfind("part@", 0) == 0) start = std::stoll(f[0].substr(5)) * 512;
    if (f[6] != "0" || f[4] != f[5]) continue;  // icat failed or read other than the listed size (sparse $Bad)
    ++eligible;
    // meta "N" or NTFS "N-TYPE-ID"
    std::int64_t meta = 0, type = -1, id = -1;
    if (std::sscanf(f[2].c_str(), "%ld-%ld-%ld", &meta, &type, &id) < 1) continue;
    std::string sql = "SELECT f.content_state, coalesce(f.md5,''), coalesce(f.sha256,'') FROM files f JOIN volumes v USING (volume_id) "
                      "WHERE v.start_offset = " + std::to_string(start) + " AND f.meta_addr = " + std::to_string(meta) +
                      " AND f.type = 'file'";
    if (type >= 0) sql += " AND f.attr_type = " + std::to_string(type) + " AND f.attr_id = " + std::to_string(id);
    auto stmt = db.prepare(sql);
    ASSERT_TRUE(stmt.ok());
    auto row = stmt->step();
    ASSERT_TRUE(row.ok());
    if (!*row) {  // icat reads directories' index streams too; those are not files here
      EXPECT_EQ(query_int(db, "SELECT count(*) FROM files f JOIN volumes v USING (volume_id) WHERE v.start_offset = " +
                                  std::to_string(start) + " AND f.meta_addr = " + std::to_string(meta) + " AND f.type = 'dir'"),
                1) << "not in the case: " << f[1];
      --eligible;
      continue;
    }
    SCOPED_TRACE(f[1] + " (" + f[2] + ", " + f[3] + ")");
    if (stmt->column_text(0) == "reallocated") continue;  // icat reads whatever the blocks hold now
    EXPECT_EQ(stmt->column_text(0), "intact");
    EXPECT_EQ(stmt->column_text(1), f[7]);
    EXPECT_EQ(stmt->column_text(2), f[9]);
    ++compared;
  }
  if (eligible == 0) GTEST_SKIP() << "TSK's icat reads no file of this image";
  EXPECT_EQ(compared, eligible);
}

std::string pair_name(const ::testing::TestParamInfo<std::pair<std::string, std::string>>& info) {
  std::string name = std::filesystem::path(info.param.second).filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name + "_" + std::to_string(info.index);
}
INSTANTIATE_TEST_SUITE_P(Corpus, CorpusHashes, ::testing::ValuesIn(corpus_cases()), pair_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CorpusHashes);

// DFTT #8 "JPEG search": the publisher's answer key (MD5 per file), wrong extensions flagged.
TEST(HashCli, DfttJpegSearchAnswerKey) {
  FERRET_REQUIRE_CORPUS_FILE(image, "sleuthkit_test_data/from_brian/8-jpeg-search/8-jpeg-search.dd");
  TempDir tmp;
  const auto run = ingest_and_hash(tmp / "case", {image.string()});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 3) << run.err;
  auto db = open_case(tmp / "case");
  const std::map<std::string, std::string> key = {
      {"/alloc/file1.jpg", "75b8d00568815a36c3809b46fc84ba6d"},  {"/alloc/file2.dat", "de5d83153339931371719f4e5c924eba"},
      {"/invalid/file3.jpg", "1ba4e91591f0541eda255ee26f7533bc"}, {"/invalid/file4.jpg", "c8de721102617158e8492121bdad3711"},
      {"/invalid/file5.rtf", "86f14fc525648c39d878829f288c0543"}, {"/del1/file6.jpg", "afd55222024a4e22f7f5a3a665320763"},
      {"/del2/file7.hmm", "0c452c5800fcfa7c66027ae89c4f068a"},    {"/archive/file8.zip", "d41b56e0a9f84eb2825e73c24cedd963"},
      {"/archive/file9.boo", "73c3029066aee9416a5aeb98a5c55321"}, {"/archive/file10.tar.gz", "d4f8cf643141f0c2911c539750e18ef2"},
      {"/misc/file11.dat", "f407ab92da959c7ab03292cfe596a99d"},   {"/misc/file12.doc", "61c0b55639e52d1ce82aba834ada2bab"},
      {"/misc/file13.dll:here", "9b787e63e3b64562730c5aecaab1e1f8"}};
  for (const auto& [path, md5] : key) {
    EXPECT_EQ(query_text(db, "SELECT md5 FROM files WHERE path = '" + path + "'"), md5) << path;
  }
  // The content type comes from the bytes: a JPEG behind .dat and .hmm, a ZIP behind .boo. Those
  // extensions promise nothing, so no mismatch is claimed; a .jpg that holds no JPEG is one.
  EXPECT_EQ(query_text(db, "SELECT ext_mismatch FROM files WHERE path = '/alloc/file1.jpg'"), "0");
  EXPECT_EQ(query_text(db, "SELECT ext_mismatch IS NULL FROM files WHERE path = '/alloc/file2.dat'"), "1");
  EXPECT_EQ(query_text(db, "SELECT ext_mismatch FROM files WHERE path = '/invalid/file3.jpg'"), "1");
  EXPECT_EQ(query_text(db, "SELECT mime FROM files WHERE path = '/archive/file9.boo'"), "application/zip");
  EXPECT_EQ(query_text(db, "SELECT mime FROM files WHERE path = '/del2/file7.hmm'"), "image/jpeg");
  EXPECT_EQ(query_text(db, "SELECT mime FROM files WHERE path = '/alloc/file2.dat'"), "image/jpeg");
}

// DFTT #7 NTFS undelete: deleted files (one resident in its MFT entry, one an ADS) have the key's MD5s.
TEST(HashCli, DfttNtfsUndeleteAnswerKey) {
  FERRET_REQUIRE_CORPUS_FILE(image, "sleuthkit_test_data/from_brian/7-undel-ntfs/7-ntfs-undel.dd");
  TempDir tmp;
  const auto run = ingest_and_hash(tmp / "case", {image.string()});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 3) << run.err;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_text(db, "SELECT md5 || ' ' || allocated FROM files WHERE meta_addr = 37 AND attr_type = 128"),
            "9036637712b491904cd0bfbdbe648453 0");  // res1.dat: resident, deleted
  EXPECT_EQ(query_text(db, "SELECT md5 FROM files WHERE meta_addr = 31 AND attr_type = 128"), "59b20779f69ff9f0ac5fcd2c38835a79");
  EXPECT_EQ(query_text(db, "SELECT md5 FROM files WHERE meta_addr = 32 AND attr_type = 128 AND attr_id = 3"),
            "ffd27bd782bdce67750b6b9ee069d2ef");
  EXPECT_EQ(query_text(db, "SELECT md5 FROM files WHERE meta_addr = 32 AND attr_type = 128 AND attr_id = 6"),
            "ba1b9eedb1c091ddca253d35dde8f616");
}

// The result of hashing does not depend on where an earlier run was stopped: stop after N files,
// or kill -9 at an arbitrary moment, run again, and every row equals a single uninterrupted run.
TEST(HashCli, ResumingAfterAStopOrACrashGivesIdenticalResults) {
  TempDir tmp;
  const std::vector<std::string> images = {sample("demo.raw").string(), sample("gpt-ntfs.raw").string()};
  const auto reference_run = ingest_and_hash(tmp / "reference", images);
  ASSERT_EQ(reference_run.exit_code, 0) << reference_run.err;
  const std::string snapshot_sql =
      "SELECT group_concat(path || '|' || content_state || '|' || coalesce(md5,'') || '|' || coalesce(sha256,'') || '|' || "
      "coalesce(mime,'') || '|' || coalesce(ext_mismatch,''), char(10)) FROM "
      "(SELECT * FROM files ORDER BY evidence_id, path, meta_addr, attr_id)";  // file ids follow the parallel walk
  std::string reference;
  {
    auto db = open_case(tmp / "reference");
    reference = query_text(db, snapshot_sql);
  }
  ASSERT_FALSE(reference.empty());

  // A crash at an arbitrary moment.
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", (tmp / "crash").string(), "--quiet", images[0], images[1]}).exit_code, 0);
  std::string out;
  const std::string cmd = shell_quote(std::string(FERRET_BIN_DIR) + "/ferret-hash") + " --case " + shell_quote((tmp / "crash").string()) +
                          " --threads 1 --quiet & pid=$!; sleep 0.05; kill -9 $pid; wait $pid; echo rc=$?";
  ASSERT_EQ(run_shell(cmd, out), 0);
  const auto resumed = run_tool("ferret-hash", {"--case", (tmp / "crash").string(), "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  auto db = open_case(tmp / "crash");
  EXPECT_EQ(query_text(db, snapshot_sql), reference);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE type = 'file' AND content_state IS NULL"), 0);
}

// ferret-ingest --hash (files hashed inside the ingest) records exactly what ingest + ferret-hash do.
TEST(HashCli, IngestWithHashEqualsTheTwoSteps) {
  TempDir tmp;
  const std::vector<std::string> images = {sample("demo.raw").string(), sample("gpt-ntfs.raw").string()};
  ASSERT_EQ(ingest_and_hash(tmp / "two-steps", images).exit_code, 0);
  const auto one = run_tool("ferret-ingest", {"--case", (tmp / "one-step").string(), "--hash", "--json", images[0], images[1]});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("\"hash\":{\"intact\":"), std::string::npos) << one.out;
  const std::string sql =
      "SELECT group_concat(path || '|' || content_state || '|' || coalesce(md5,'') || '|' || coalesce(sha1,'') || '|' || "
      "coalesce(sha256,'') || '|' || coalesce(mime,'') || '|' || coalesce(ext_mismatch,''), char(10)) FROM "
      "(SELECT * FROM files ORDER BY evidence_id, path, meta_addr, attr_id)";
  auto a = open_case(tmp / "two-steps");
  auto b = open_case(tmp / "one-step");
  const std::string expected = query_text(a, sql);
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(query_text(b, sql), expected);
  // One run did it all, and every hash names it.
  EXPECT_EQ(query_text(b, "SELECT group_concat(DISTINCT hash_run_id) FROM files WHERE content_state IS NOT NULL"), "1");
}

// A damaged E01 chunk: the files whose data lie in it are 'unreadable' (with the offset), the others
// are hashed, and the run says so with exit 3.
TEST(HashCli, FilesInADamagedE01ChunkAreUnreadableTheRestIntact) {
  TempDir tmp;
  std::filesystem::copy_file(sample("demo.E01"), tmp / "demo.E01");
  {
    // A byte inside the compressed chunk holding the start of the Night Harbor release (found by trying;
    // if the samples are regenerated and this lands elsewhere, the overlap check below says so).
    std::fstream f(tmp / "demo.E01", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(300000);
    char c = 0;
    f.read(&c, 1);
    f.seekp(300000);
    c = static_cast<char>(c ^ 0x55);
    f.write(&c, 1);
  }
  const auto ingest = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), "--quiet", (tmp / "demo.E01").string()});
  EXPECT_EQ(ingest.exit_code, 3) << ingest.err;
  const auto run = run_tool("ferret-hash", {"--case", (tmp / "case").string()});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  auto db = open_case(tmp / "case");
  // The files whose runs overlap the unreadable media ranges the ingest recorded.
  const std::string overlapping =
      "SELECT DISTINCT r.file_id FROM file_runs r JOIN errors e ON e.file_id IS NULL AND e.kind = 'unreadable' "
      "AND r.image_offset < e.image_offset + e.length AND e.image_offset < r.image_offset + r.length";
  const std::string expected = query_text(db, "SELECT group_concat(file_id) FROM (" + overlapping + " ORDER BY 1)");
  ASSERT_FALSE(expected.empty()) << "the damaged chunk holds no file's data any more: pick another byte";
  EXPECT_EQ(query_text(db, "SELECT group_concat(file_id) FROM (SELECT file_id FROM files WHERE content_state = 'unreadable' ORDER BY 1)"),
            expected);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE content_state = 'unreadable' AND md5 IS NOT NULL"), 0);
  EXPECT_GT(query_int(db, "SELECT count(*) FROM files WHERE content_state = 'intact'"), 40);
  // Each unreadable file has its error row, naming the first bad byte inside the damaged range.
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM errors e JOIN files f USING (file_id) WHERE f.content_state = 'unreadable' "
                          "AND e.image_offset >= (SELECT min(image_offset) FROM errors WHERE file_id IS NULL AND kind = 'unreadable')"),
            query_int(db, "SELECT count(*) FROM files WHERE content_state = 'unreadable'"));
}

TEST(HashCli, HelpVersionAndAMissingCase) {
  const auto help = run_tool("ferret-hash", {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(run_tool("ferret-hash", {"--version"}).out.rfind("ferret-hash ", 0), 0u);
  EXPECT_EQ(run_tool("ferret-hash", {}).exit_code, 1);
  TempDir tmp;
  const auto missing = run_tool("ferret-hash", {"--case", (tmp / "nope").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "nope"));
}

// Evidence that went missing or changed size since ingest is named, not silently skipped.
TEST(HashCli, EvidenceThatChangedIsReportedWithExitThree) {
  TempDir tmp;
  std::filesystem::copy_file(sample("demo.raw"), tmp / "copy.raw");
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", (tmp / "case").string(), "--quiet", (tmp / "copy.raw").string()}).exit_code, 0);
  std::filesystem::resize_file(tmp / "copy.raw", 1024 * 1024);
  const auto run = run_tool("ferret-hash", {"--case", (tmp / "case").string()});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.out.find("not the same evidence"), std::string::npos) << run.out;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE content_state IS NOT NULL"), 0);
}

}  // namespace
}  // namespace ferret::test
