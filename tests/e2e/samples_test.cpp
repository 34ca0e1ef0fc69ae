// The bundled samples against their ground truth (samples/manifests, written by samples/make-samples.sh):
// every directory, file and stream the script wrote is in the case with its path, type, size and
// deleted state, and its content read back through the recorded data runs hashes to the manifest's
// hashes; raw, split raw, E01 and segmented E01 of the same media give the same evidence.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "hash/digest.h"
#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {




struct Row {
  std::int64_t volume_offset = 0;
  std::string type, path;
  std::int64_t size = 0;
  std::string md5, sha1, sha256;
  bool deleted = false;
  std::string mtime;
};

std::vector<Row> read_manifest(const std::string& name) {
  std::ifstream in(manifest_path(name));
  EXPECT_TRUE(in) << manifest_path(name);
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto f = split_tabs(line);
    EXPECT_EQ(f.size(), 9u) << line;
    if (f.size() != 9) continue;
    Row r;
    r.volume_offset = std::stoll(f[0]);
    r.type = f[1];
    r.path = unescape_path(f[2]);
    r.size = f[3].empty() ? 0 : std::stoll(f[3]);
    r.md5 = f[4];
    r.sha1 = f[5];
    r.sha256 = f[6];
    r.deleted = f[7] == "1";
    r.mtime = f[8];
    rows.push_back(r);
  }
  return rows;
}

std::map<std::string, std::string> read_pairs(const std::string& name) {
  std::ifstream in(manifest_path(name));
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos) out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

// The bytes of a file, read from the raw image at the offsets the case recorded for it.
std::optional<std::vector<std::byte>> content_by_runs(casedb::Database& db, std::int64_t file_id, std::int64_t size,
                                                      const std::filesystem::path& image) {
  auto stmt = db.prepare("SELECT image_offset, length, sparse FROM file_runs WHERE file_id = ?1 ORDER BY seq");
  EXPECT_TRUE(stmt.ok());
  stmt->bind(1, static_cast<std::int64_t>(file_id));
  const int fd = ::open(image.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  std::vector<std::byte> out;
  bool any = false;
  while (true) {
    auto row = stmt->step();
    if (!row.ok() || !*row) break;
    any = true;
    const std::int64_t length = stmt->column_int(1);
    std::vector<std::byte> chunk(static_cast<std::size_t>(length));
    if (stmt->column_int(2) == 0) {
      EXPECT_EQ(::pread(fd, chunk.data(), chunk.size(), stmt->column_int(0)), static_cast<ssize_t>(chunk.size()));
    }
    out.insert(out.end(), chunk.begin(), chunk.end());
  }
  ::close(fd);
  if (!any) return std::nullopt;
  EXPECT_GE(static_cast<std::int64_t>(out.size()), size) << "file " << file_id;
  out.resize(static_cast<std::size_t>(std::min<std::int64_t>(size, static_cast<std::int64_t>(out.size()))));
  return out;
}

class SampleDisk : public ::testing::TestWithParam<std::string> {};

TEST_P(SampleDisk, EveryManifestEntryIsInTheCaseWithItsContent) {
  const std::string name = GetParam();
  const auto image = sample(name + ".raw");
  ASSERT_TRUE(std::filesystem::exists(image)) << image << " missing: the build unpacks samples/images (target ferret_samples)";
  TempDir tmp;
  const auto run = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), "--json", image.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM errors"), 0);

  const auto rows = read_manifest(name + ".tsv");
  ASSERT_GT(rows.size(), 10u);
  auto stmt = db.prepare(
      "SELECT f.file_id, f.type, f.size, f.allocated, f.mtime FROM files f JOIN volumes v USING (volume_id) "
      "WHERE v.start_offset = ?1 AND f.path = ?2 AND f.origin = 'fs'");
  ASSERT_TRUE(stmt.ok());
  int content_checked = 0, deleted_seen = 0, resident = 0;
  for (const Row& r : rows) {
    SCOPED_TRACE(r.path);
    stmt->reset();
    stmt->bind(1, r.volume_offset);
    stmt->bind(2, r.path);
    auto found = stmt->step();
    ASSERT_TRUE(found.ok());
    ASSERT_TRUE(*found) << "not in the case: " << r.path;
    const std::int64_t file_id = stmt->column_int(0);
    const std::string type = stmt->column_text(1);
    const std::int64_t size = stmt->column_int(2);
    const bool allocated = stmt->column_int(3) == 1;
    const std::string mtime = stmt->column_text(4);
    EXPECT_EQ(allocated, !r.deleted);
    deleted_seen += r.deleted ? 1 : 0;
    if (r.type == "dir") {
      EXPECT_EQ(type, "dir");
      continue;
    }
    EXPECT_EQ(type, "file");
    const std::string fs = query_text(db, "SELECT fs_type FROM volumes WHERE start_offset = " + std::to_string(r.volume_offset));
    // ext4 clears a deleted inode's size and extents: only its name survives.
    if (r.deleted && fs.rfind("ext", 0) == 0) continue;
    EXPECT_EQ(size, r.size);
    EXPECT_EQ(mtime, r.mtime);
    const auto bytes = content_by_runs(db, file_id, r.size, image);
    if (!bytes) {
      // No data runs: only NTFS keeps small content inside the MFT entry (resident).
      EXPECT_EQ(fs, "ntfs");
      EXPECT_LT(r.size, 1024);
      ++resident;
      continue;
    }
    const auto d = hash::digest_all(*bytes);
    EXPECT_EQ(d.md5, r.md5);
    EXPECT_EQ(d.sha1, r.sha1);
    EXPECT_EQ(d.sha256, r.sha256);
    ++content_checked;
  }
  EXPECT_GE(content_checked, name == "demo" ? 30 : 4);
  EXPECT_GE(deleted_seen, 1);
  // Nothing outside the manifest but file-system furniture (volume label, lost+found, $-metadata, TSK's virtual files).
  const auto extra = query_int(db,
      "SELECT count(*) FROM files f WHERE f.allocated = 1 AND f.virtual = 0 AND f.path NOT LIKE '/$%' "
      "AND f.path NOT LIKE '/lost+found%' AND f.path NOT LIKE '%(Volume Label Entry)' AND f.path NOT LIKE '/System Volume Information%'");
  const auto expected = std::count_if(rows.begin(), rows.end(), [](const Row& r) { return !r.deleted; });
  EXPECT_EQ(extra, expected);
}

INSTANTIATE_TEST_SUITE_P(Samples, SampleDisk, ::testing::Values("demo", "gpt-ntfs"));

TEST(SampleDemo, VolumesAndUnallocatedGapsAreWhereTheScriptPutThem) {
  TempDir tmp;
  ASSERT_EQ(run_tool("ferret-ingest", {"--case", (tmp / "case").string(), sample("demo.raw").string()}).exit_code, 0);
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_text(db, "SELECT group_concat(start_offset || ':' || length || ':' || fs_type, ' ') FROM "
                           "(SELECT * FROM volumes ORDER BY start_offset)"),
            "1048576:41943040:fat32 44040192:33554432:ext4");
  // The media outside both partitions: before the first, between them, after the last.
  EXPECT_EQ(query_text(db, "SELECT group_concat(start_offset || '+' || length, ' ') FROM "
                           "(SELECT * FROM unallocated WHERE volume_id IS NULL ORDER BY start_offset)"),
            "0+1048576 42991616+1048576 77594624+4194304");
  // The deleted release is recoverable from FAT's unallocated clusters: its runs lie in unallocated space.
  EXPECT_GE(query_int(db, "SELECT count(*) FROM files f JOIN file_runs r USING (file_id) JOIN unallocated u ON "
                          "r.image_offset >= u.start_offset AND r.image_offset < u.start_offset + u.length "
                          "WHERE f.allocated = 0 AND f.path LIKE '%.mp4'"),
            1);
}

// FAT times carry no zone: what the case records must not depend on the examiner's TZ.
TEST(SampleDemo, FatTimesDoNotDependOnTheExaminersTimeZone) {
  TempDir tmp;
  std::string out;
  const std::string cmd = "TZ=America/New_York " + shell_quote(std::string(FERRET_BIN_DIR) + "/ferret-ingest") + " --case " +
                          shell_quote((tmp / "case").string()) + " " + shell_quote(sample("demo.raw").string());
  ASSERT_EQ(run_shell(cmd, out), 0);
  auto db = open_case(tmp / "case");
  EXPECT_EQ(query_text(db, "SELECT mtime FROM files WHERE path = '/Artwork/Night Harbor poster.jpg'"), "2026-03-06T16:26:12Z");
}

// demo.raw, demo.raw.001 (split raw), demo.E01 and demo-seg.E01 hold the same media.
TEST(SampleDemo, RawSplitRawE01AndSegmentedE01AreTheSameEvidence) {
  std::map<std::string, std::vector<std::string>> images;
  {
    std::ifstream in(manifest_path("images.tsv"));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto f = split_tabs(line);
      ASSERT_EQ(f.size(), 7u);
      images[f[0]] = f;
    }
  }
  const std::vector<std::string> names = {"demo.raw", "demo.raw.001", "demo.E01", "demo-seg.E01"};
  TempDir tmp;
  std::vector<std::string> args = {"--case", (tmp / "case").string(), "--allow-duplicate", "--json"};
  for (const auto& n : names) args.push_back(sample(n).string());
  const auto run = run_tool("ferret-ingest", args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto db = open_case(tmp / "case");
  ASSERT_EQ(query_int(db, "SELECT count(*) FROM evidence"), 4);
  const auto meta = read_pairs("demo.E01.tsv");
  std::int64_t first_files = -1;
  for (const auto& n : names) {
    SCOPED_TRACE(n);
    const auto& m = images.at(n);
    const std::string where = " FROM evidence WHERE path = '" + std::filesystem::absolute(sample(n)).string() + "'";
    EXPECT_EQ(query_text(db, "SELECT format" + where), m[1]);
    EXPECT_EQ(query_text(db, "SELECT count(*) FROM evidence_segments WHERE evidence_id = (SELECT evidence_id" + where + ")"), m[2]);
    EXPECT_EQ(query_text(db, "SELECT size" + where), m[3]);
    EXPECT_EQ(query_text(db, "SELECT md5" + where), m[4]);
    EXPECT_EQ(query_text(db, "SELECT sha1" + where), m[5]);
    EXPECT_EQ(query_text(db, "SELECT sha256" + where), m[6]);
    const auto files = query_int(db, "SELECT count(*) FROM files WHERE evidence_id = (SELECT evidence_id" + where + ")");
    if (first_files < 0) first_files = files;
    EXPECT_EQ(files, first_files);
    if (m[1] == "e01") {
      EXPECT_EQ(query_text(db, "SELECT case_number" + where), meta.at("case_number"));
      EXPECT_EQ(query_text(db, "SELECT evidence_number" + where), meta.at("evidence_number"));
      EXPECT_EQ(query_text(db, "SELECT examiner" + where), meta.at("examiner"));
      EXPECT_EQ(query_text(db, "SELECT description" + where), meta.at("description"));
      EXPECT_EQ(query_text(db, "SELECT notes" + where), meta.at("notes"));
      EXPECT_EQ(query_text(db, "SELECT acquired_at" + where), meta.at("acquired_at"));
      EXPECT_EQ(query_text(db, "SELECT stored_md5" + where), m[4]);
      EXPECT_EQ(query_text(db, "SELECT stored_sha1" + where), m[5]);
      EXPECT_EQ(query_text(db, "SELECT stored_hashes_match" + where), "1");
    } else {
      EXPECT_EQ(query_text(db, "SELECT stored_md5 IS NULL AND case_number IS NULL" + where), "1");
    }
  }
}

// The ingest notices a sample that does not match its own stored hash: flip one byte of an E01 chunk.
TEST(SampleDemo, AnE01WhoseContentWasAlteredIsReportedNotTrusted) {
  TempDir tmp;
  std::filesystem::copy_file(sample("demo.E01"), tmp / "demo.E01");
  {
    std::fstream f(tmp / "demo.E01", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200000);
    char c = 0;
    f.read(&c, 1);
    f.seekp(200000);
    c = static_cast<char>(c ^ 0x55);
    f.write(&c, 1);
  }
  const auto run = run_tool("ferret-ingest", {"--case", (tmp / "case").string(), (tmp / "demo.E01").string()});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  auto db = open_case(tmp / "case");
  EXPECT_GT(query_int(db, "SELECT unreadable_bytes FROM evidence"), 0);
  EXPECT_GE(query_int(db, "SELECT count(*) FROM errors"), 1);
}

}  // namespace
}  // namespace ferret::test
