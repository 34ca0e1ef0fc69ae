// Fault injection through the image interface: read errors, short reads and a medium that shrinks
// part-way, under ingest, file hashing, carving and extraction. Each stage must record the damage
// against exactly the files it touches, keep every other result as a clean run gives it, and leave
// a consistent case.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <climits>
#include <functional>
#include <map>
#include <set>

#include "carve/carve.h"
#include "casedb/case_store.h"
#include "casedb/case_writer.h"
#include "extract/extract.h"
#include "faulty_image.h"
#include "filehash/file_hasher.h"
#include "ingest/ingest.h"
#include "sample_manifest.h"
#include "test_support.h"

namespace ferret::test {
namespace {

constexpr std::uint64_t kExt4Volume = 44040192;  // demo.raw: the ext4 partition's first byte (samples/manifests/demo.tsv)
const char* const kVideo = "/Releases/Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP/Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP.mkv";

struct TestCase {
  std::unique_ptr<casedb::CaseWriter> writer;
  std::int64_t run_id = 0;
};

TestCase new_case(const std::filesystem::path& dir) {
  TestCase c;
  auto cd = casedb::CaseDirectory::open(dir, casedb::CaseDirectory::Create::yes, "test");
  EXPECT_TRUE(cd.ok());
  auto db = cd->connect();
  EXPECT_TRUE(db.ok());
  auto run = casedb::insert_run(*db, {"test", "0", "0", "test", "tester", "host", "2026-01-01T00:00:00Z"});
  EXPECT_TRUE(run.ok());
  c.run_id = *run;
  c.writer = std::make_unique<casedb::CaseWriter>(std::move(*db));
  return c;
}

Result<ingest::EvidenceOutcome> ingest(TestCase& c, const std::filesystem::path& image, image::ImageOpener open = {}) {
  ingest::IngestOptions options;
  options.run_id = c.run_id;
  options.open_image = std::move(open);
  return ingest::ingest_evidence(*c.writer, image, options);
}

Result<filehash::HashSummary> hash(TestCase& c, image::ImageOpener open = {}) {
  filehash::HashOptions options;
  options.run_id = c.run_id;
  options.threads = 2;
  options.open_image = std::move(open);
  return filehash::hash_files(*c.writer, options);
}

template <typename T>
T query(TestCase& c, const std::string& sql, std::function<T(casedb::Statement&)> each, T init = {}) {
  auto out = c.writer->call<T>([&](casedb::Database& db) -> Result<T> {
    auto s = db.prepare(sql);
    if (!s.ok()) return s.error();
    T acc = init;
    while (true) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      acc = each(*s);
      (void)acc;
    }
    return acc;
  });
  EXPECT_TRUE(out.ok()) << sql << ": " << (out.ok() ? "" : out.error().message);
  return out.ok() ? *out : T{};
}

std::string text(TestCase& c, const std::string& sql) {
  return query<std::string>(c, sql, [](casedb::Statement& s) { return s.column_text(0); });
}
std::int64_t number(TestCase& c, const std::string& sql) {
  return query<std::int64_t>(c, sql, [](casedb::Statement& s) { return s.column_int(0); }, -1);
}

// Every file-system file: "path#meta_addr#attr" -> "state|sha256".
using Snapshot = std::map<std::string, std::string>;
Snapshot files_of(TestCase& c, const std::string& where = "origin = 'fs'") {
  Snapshot out;
  query<int>(c,
             "SELECT path || char(31) || meta_addr || char(31) || coalesce(attr_id, ''), coalesce(content_state, '') || '|' || "
             "coalesce(sha256, '') FROM files WHERE type = 'file' AND " + where,
             [&](casedb::Statement& s) {
               out[s.column_text(0)] = s.column_text(1);
               return 0;
             });
  return out;
}
std::string key_of(TestCase& c, const std::string& path) {
  return text(c, "SELECT path || char(31) || meta_addr || char(31) || coalesce(attr_id, '') FROM files WHERE path = '" + path + "'");
}

// Files whose content (not the slack after it) lies partly in [offset, offset + length).
std::set<std::string> files_over(TestCase& c, std::uint64_t offset, std::uint64_t length) {
  std::set<std::string> out;
  query<int>(c,
             "SELECT DISTINCT f.path || char(31) || f.meta_addr || char(31) || coalesce(f.attr_id, '') FROM files f JOIN file_runs r USING (file_id) "
             "WHERE f.type = 'file' AND r.image_offset IS NOT NULL AND r.file_offset < f.size AND r.image_offset < " +
                 std::to_string(offset + length) + " AND r.image_offset + min(r.length, f.size - r.file_offset) > " +
                 std::to_string(offset),
             [&](casedb::Statement& s) {
               out.insert(s.column_text(0));
               return 0;
             });
  return out;
}

void expect_consistent(TestCase& c) {
  EXPECT_EQ(text(c, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(number(c, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  // Hashes only for intact content; an error row for every unreadable file.
  EXPECT_EQ(number(c, "SELECT count(*) FROM files WHERE (content_state = 'intact') <> (sha256 IS NOT NULL) AND content_state IS NOT NULL"), 0);
  EXPECT_EQ(number(c, "SELECT count(*) FROM files f WHERE content_state = 'unreadable' AND NOT EXISTS "
                      "(SELECT 1 FROM errors e WHERE e.file_id = f.file_id AND e.kind = 'unreadable')"), 0);
}

const std::filesystem::path& demo() {
  static const std::filesystem::path p = sample("demo.raw");
  return p;
}

// Ingest and hash of demo.raw with no fault: the reference every faulty run is compared with.
const Snapshot& clean_demo() {
  static const Snapshot snapshot = [] {
    TempDir tmp;
    TestCase c = new_case(tmp / "case");
    EXPECT_TRUE(ingest(c, demo()).ok());
    EXPECT_TRUE(hash(c).ok());
    return files_of(c);
  }();
  return snapshot;
}

// The run of `path` holding its byte `at` (its media offset).
std::uint64_t media_offset_of(TestCase& c, const std::string& path, std::uint64_t at) {
  return static_cast<std::uint64_t>(number(
      c, "SELECT r.image_offset + " + std::to_string(at) + " - r.file_offset FROM file_runs r JOIN files f USING (file_id) WHERE f.path = '" +
             path + "' AND r.file_offset <= " + std::to_string(at) + " AND r.file_offset + r.length > " + std::to_string(at)));
}

class ImageFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(demo())) GTEST_SKIP() << "samples not unpacked";
    ASSERT_GT(clean_demo().size(), 40u);
  }
  TempDir tmp_;
};

TEST_F(ImageFaults, CleanRunMatchesTheManifest) {
  // The reference itself: every allocated file of the manifest is intact with the manifest's SHA-256.
  std::ifstream in(manifest_path("demo.tsv"));
  std::string line;
  std::getline(in, line);
  std::multiset<std::string> expected, got;
  while (std::getline(in, line)) {
    auto f = split_tabs(line);
    if (f.size() >= 8 && f[1] == "file" && f[7] == "0") expected.insert(unescape_path(f[2]) + "|" + f[6]);
  }
  for (const auto& [key, value] : clean_demo()) {
    const std::string path = key.substr(0, key.find('\x1f'));
    for (const auto& e : expected) {
      if (e.substr(0, e.find('|')) == path) {
        EXPECT_EQ("intact|" + e.substr(e.find('|') + 1), value) << path;
        got.insert(e);
      }
    }
  }
  for (const auto& e : got) expected.erase(expected.find(e));
  EXPECT_TRUE(expected.empty()) << "not in the case: " << *expected.begin();
}

TEST_F(ImageFaults, ABadSectorMakesExactlyTheFilesOverItUnreadable) {
  TestCase c = new_case(tmp_ / "case");
  ASSERT_TRUE(ingest(c, demo()).ok());
  const std::uint64_t bad = media_offset_of(c, kVideo, 100000) / 512 * 512;
  ASSERT_GT(bad, 0u);
  const auto hit = files_over(c, bad, 512);
  ASSERT_EQ(hit.count(key_of(c, kVideo)), 1u);
  auto counters = std::make_shared<FaultCounters>();
  auto hashed = hash(c, faulty_opener(FaultPlan::bad_bytes(bad, 512), counters));
  ASSERT_TRUE(hashed.ok()) << hashed.error().message;
  EXPECT_GT(counters->failed.load(), 0u);

  const Snapshot after = files_of(c);
  std::uint64_t unreadable = 0;
  for (const auto& [key, clean] : clean_demo()) {
    ASSERT_TRUE(after.count(key)) << key;
    if (hit.count(key) && clean.starts_with("intact|")) {
      EXPECT_EQ(after.at(key), "unreadable|") << key;
      ++unreadable;
    } else {
      EXPECT_EQ(after.at(key), clean) << key;
    }
  }
  EXPECT_EQ(hashed->unreadable, unreadable);
  EXPECT_GE(unreadable, 1u);
  // The error names the damaged sector, not just the read that met it.
  EXPECT_EQ(number(c, "SELECT image_offset FROM errors e JOIN files f USING (file_id) WHERE f.path = '" + std::string(kVideo) + "'"),
            static_cast<std::int64_t>(bad));
  expect_consistent(c);

  // A second run over a healthy medium leaves the recorded result alone (unreadable is final for a run).
  auto again = hash(c);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(files_of(c), after);
}

TEST_F(ImageFaults, IngestOverABadSectorRecordsItAndStillWalksEveryFile) {
  TestCase c = new_case(tmp_ / "case");
  TestCase reference = new_case(tmp_ / "reference");
  ASSERT_TRUE(ingest(reference, demo()).ok());
  const std::uint64_t bad = media_offset_of(reference, kVideo, 200000) / 512 * 512;
  auto out = ingest(c, demo(), faulty_opener(FaultPlan::bad_bytes(bad, 1024)));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(out->met_bad_evidence());
  EXPECT_EQ(out->unreadable_bytes, 1024u);
  EXPECT_EQ(number(c, "SELECT unreadable_bytes FROM evidence"), 1024);
  EXPECT_EQ(number(c, "SELECT count(*) FROM errors WHERE kind = 'unreadable' AND file_id IS NULL AND image_offset = " +
                          std::to_string(bad) + " AND length = 1024"), 1);
  // Zeros were hashed for the bad bytes: the media hash is not the clean one.
  EXPECT_NE(text(c, "SELECT sha256 FROM evidence"), text(reference, "SELECT sha256 FROM evidence"));
  EXPECT_EQ(number(c, "SELECT count(*) FROM files"), number(reference, "SELECT count(*) FROM files"));
  EXPECT_EQ(number(c, "SELECT count(*) FROM file_runs"), number(reference, "SELECT count(*) FROM file_runs"));
  expect_consistent(c);
}

TEST_F(ImageFaults, IngestWithHashInsideItsTransactionRecordsTheDamagedFiles) {
  // ferret-ingest --hash: the files are hashed inside the ingest's transaction, through the same faulty medium.
  TestCase c = new_case(tmp_ / "case");
  TestCase reference = new_case(tmp_ / "reference");
  ASSERT_TRUE(ingest(reference, demo()).ok());
  const std::uint64_t bad = media_offset_of(reference, kVideo, 4096) / 512 * 512;
  const auto hit = files_over(reference, bad, 512);
  const auto open = faulty_opener(FaultPlan::bad_bytes(bad, 512));
  ingest::IngestOptions options;
  options.run_id = c.run_id;
  options.open_image = open;
  std::optional<filehash::HashSummary> hashed;
  options.after_walk = [&](std::int64_t evidence_id) -> Status {
    filehash::HashOptions h;
    h.run_id = c.run_id;
    h.evidence_id = evidence_id;
    h.own_transactions = false;
    h.open_image = open;
    auto r = filehash::hash_files(*c.writer, h);
    if (!r.ok()) return r.error();
    hashed = *r;
    return {};
  };
  auto out = ingest::ingest_evidence(*c.writer, demo(), options);
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_TRUE(hashed);
  EXPECT_EQ(out->unreadable_bytes, 512u);
  const Snapshot after = files_of(c);
  for (const auto& [key, clean] : clean_demo()) {
    const bool damaged = hit.count(key) && clean.starts_with("intact|");
    EXPECT_EQ(after.at(key), damaged ? std::string("unreadable|") : clean) << key;
  }
  EXPECT_EQ(hashed->unreadable, 1u);
  expect_consistent(c);
}

TEST_F(ImageFaults, AnUnreadableFileSystemLeavesTheOtherOneWhole) {
  // The ext4 superblock cannot be read: that file system is lost (and said so), the FAT one is complete.
  TestCase c = new_case(tmp_ / "case");
  auto out = ingest(c, demo(), faulty_opener(FaultPlan::bad_bytes(kExt4Volume, 4096)));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(out->met_bad_evidence());
  EXPECT_EQ(number(c, "SELECT count(*) FROM volumes WHERE start_offset = " + std::to_string(kExt4Volume) + " AND fs_type IS NULL AND fs_error IS NOT NULL"), 1);
  EXPECT_EQ(number(c, "SELECT count(*) FROM errors WHERE kind = 'unreadable' AND image_offset = " + std::to_string(kExt4Volume)), 1);
  auto hashed = hash(c, faulty_opener(FaultPlan::bad_bytes(kExt4Volume, 4096)));
  ASSERT_TRUE(hashed.ok()) << hashed.error().message;
  EXPECT_EQ(hashed->unreadable, 0u);
  const Snapshot fat = files_of(c, "volume_id IN (SELECT volume_id FROM volumes WHERE start_offset = 1048576) AND origin = 'fs'");
  std::uint64_t compared = 0;
  for (const auto& [key, value] : fat) {
    ASSERT_TRUE(clean_demo().count(key)) << key;
    EXPECT_EQ(value, clean_demo().at(key)) << key;
    ++compared;
  }
  EXPECT_GT(compared, 20u);
  expect_consistent(c);
}

TEST_F(ImageFaults, ShortReadsNeverGiveAWrongHash) {
  // The medium returns fewer bytes than asked (not at its end) across the video: each file there is
  // either read in full with the clean hash or recorded unreadable; never hashed from a short buffer.
  TestCase c = new_case(tmp_ / "case");
  ASSERT_TRUE(ingest(c, demo()).ok());
  const std::uint64_t from = media_offset_of(c, kVideo, 0);
  auto counters = std::make_shared<FaultCounters>();
  auto hashed = hash(c, faulty_opener(FaultPlan::short_reads_over(from + 8192, 65536), counters));
  ASSERT_TRUE(hashed.ok()) << hashed.error().message;
  EXPECT_GT(counters->shorted.load(), 0u);
  const Snapshot after = files_of(c);
  for (const auto& [key, clean] : clean_demo()) {
    if (after.at(key) != clean) {
      EXPECT_EQ(after.at(key), "unreadable|") << key;
    }
  }
  EXPECT_EQ(after.at(key_of(c, kVideo)), "unreadable|");
  expect_consistent(c);

  // The same through the parallel path for big files.
  TestCase big = new_case(tmp_ / "big");
  ASSERT_TRUE(ingest(big, demo()).ok());
  filehash::HashOptions options;
  options.run_id = big.run_id;
  options.big_file_bytes = 1;
  options.open_image = faulty_opener(FaultPlan::short_reads_over(from + 8192, 65536));
  ASSERT_TRUE(filehash::hash_files(*big.writer, options).ok());
  const Snapshot after_big = files_of(big);
  for (const auto& [key, clean] : clean_demo()) {
    if (after_big.at(key) != clean) {
      EXPECT_EQ(after_big.at(key), "unreadable|") << key;
    }
  }
  EXPECT_EQ(after_big.at(key_of(big, kVideo)), "unreadable|");
  expect_consistent(big);
}

TEST_F(ImageFaults, IngestOverShortReadsRecordsThemAndHashesNothingFromThem) {
  TestCase c = new_case(tmp_ / "case");
  TestCase reference = new_case(tmp_ / "reference");
  ASSERT_TRUE(ingest(reference, demo()).ok());
  const std::uint64_t from = media_offset_of(reference, kVideo, 0) / 512 * 512 + 4096;
  auto out = ingest(c, demo(), faulty_opener(FaultPlan::short_reads_over(from, 2048)));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(out->met_bad_evidence());
  EXPECT_GT(out->unreadable_bytes, 0u);
  EXPECT_GT(number(c, "SELECT count(*) FROM errors WHERE kind = 'unreadable' AND file_id IS NULL"), 0);
  EXPECT_EQ(number(c, "SELECT count(*) FROM files"), number(reference, "SELECT count(*) FROM files"));
  expect_consistent(c);
}

void expect_shrunk_run(TestCase& c, bool size_drops) {
  auto counters = std::make_shared<FaultCounters>();
  auto hashed = hash(c, faulty_opener(FaultPlan::shrinking(kExt4Volume, 3, size_drops), counters));
  ASSERT_TRUE(hashed.ok()) << hashed.error().message;
  // With the size dropped too, the runs past the end are refused before any read.
  if (!size_drops) {
    EXPECT_GT(counters->failed.load(), 0u);
  }
  // Every file before the cut keeps its clean result; every file read past it is unreadable.
  const Snapshot fat = files_of(c, "volume_id IN (SELECT volume_id FROM volumes WHERE start_offset = 1048576) AND origin = 'fs'");
  const Snapshot ext4 = files_of(c, "volume_id IN (SELECT volume_id FROM volumes WHERE start_offset = " + std::to_string(kExt4Volume) + ")");
  ASSERT_GT(fat.size(), 20u);
  ASSERT_GT(ext4.size(), 10u);
  for (const auto& [key, value] : fat) EXPECT_EQ(value, clean_demo().at(key)) << key;
  std::uint64_t lost = 0;
  for (const auto& [key, value] : ext4) {
    const std::string& clean = clean_demo().at(key);
    if (clean.starts_with("intact|") && clean != "intact|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") {
      EXPECT_EQ(value, "unreadable|") << key;
      ++lost;
    } else {
      EXPECT_EQ(value, clean) << key;
    }
  }
  EXPECT_EQ(hashed->unreadable, lost);
  expect_consistent(c);
}

TEST_F(ImageFaults, AMediumThatShrinksMidRunLosesOnlyWhatLiesPastTheCut) {
  TestCase c = new_case(tmp_ / "case");
  ASSERT_TRUE(ingest(c, demo()).ok());
  expect_shrunk_run(c, /*size_drops=*/false);
}

TEST_F(ImageFaults, AMediumWhoseSizeDropsMidRunLosesOnlyWhatLiesPastTheCut) {
  TestCase c = new_case(tmp_ / "case");
  ASSERT_TRUE(ingest(c, demo()).ok());
  expect_shrunk_run(c, /*size_drops=*/true);
}

TEST_F(ImageFaults, AShrunkMediumIsRefusedBeforeHashingAnything) {
  // The evidence is smaller than when it was ingested: not the same evidence, nothing is hashed.
  TestCase d = new_case(tmp_ / "d");
  ASSERT_TRUE(ingest(d, demo()).ok());
  const image::ImageOpener smaller = [](const std::filesystem::path& path) -> Result<std::unique_ptr<image::ImageSource>> {
    auto whole = read_file_bytes(path);
    whole.resize(kExt4Volume);
    return image::make_memory_image(std::move(whole));
  };
  auto refused = hash(d, smaller);
  ASSERT_TRUE(refused.ok());
  ASSERT_EQ(refused->problems.size(), 1u);
  EXPECT_NE(refused->problems[0].find("when it was ingested: not the same evidence"), std::string::npos) << refused->problems[0];
  EXPECT_EQ(refused->intact + refused->unreadable, 0u);
  EXPECT_EQ(number(d, "SELECT count(*) FROM files WHERE content_state IS NOT NULL"), 0);
  // Recorded against the evidence, so that the run's exit code 3 has its row in `errors`.
  EXPECT_EQ(number(d, "SELECT count(*) FROM errors WHERE kind = 'corrupt' AND evidence_id = 1 AND file_id IS NULL AND "
                      "message LIKE '%not the same evidence%'"), 1);
  expect_consistent(d);
}

TEST_F(ImageFaults, ExtractionOverABadSectorWritesNothingForThatFile) {
  TestCase c = new_case(tmp_ / "case");
  ASSERT_TRUE(ingest(c, demo()).ok());
  ASSERT_TRUE(hash(c).ok());
  const std::uint64_t bad = media_offset_of(c, kVideo, 150000) / 512 * 512;
  const std::int64_t video = number(c, "SELECT file_id FROM files WHERE path = '" + std::string(kVideo) + "'");
  const std::int64_t poster = number(c, "SELECT file_id FROM files WHERE path = '/Artwork/Night Harbor poster.jpg'");
  ASSERT_TRUE(c.writer->flush().ok());
  extract::ExtractOptions options;
  options.run_id = c.run_id;
  options.file_ids = {video, poster};
  options.output_dir = tmp_ / "out";
  options.open_image = faulty_opener(FaultPlan::bad_bytes(bad, 512));
  auto out = extract::extract_files(*c.writer, tmp_ / "case" / "case.db", options);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->extracted, 1u);
  EXPECT_EQ(out->verified, 1u);
  EXPECT_EQ(out->failed, 1u);
  EXPECT_EQ(out->not_extracted, 1u);
  ASSERT_EQ(out->files.size(), 1u);
  EXPECT_EQ(out->files[0].file_id, poster);
  bool named = false;
  for (const auto& p : out->problems) named = named || p.find(std::to_string(bad)) != std::string::npos;
  EXPECT_TRUE(named) << "no problem names the bad offset";
  // No partial copy of the video is left behind.
  std::uint64_t written = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp_ / "out")) {
    if (e.is_regular_file() && e.path().extension() != ".csv") ++written;
  }
  EXPECT_EQ(written, 1u);
  EXPECT_EQ(number(c, "SELECT count(*) FROM extractions"), 1);
  // The evidence's problem is in the case too, against the video alone, by this run.
  ASSERT_TRUE(c.writer->flush().ok());
  EXPECT_EQ(number(c, "SELECT count(*) FROM errors WHERE run_id = " + std::to_string(c.run_id) + " AND kind = 'unreadable' AND file_id = " +
                          std::to_string(video) + " AND message LIKE '%extraction: the content cannot be read from the evidence now%" +
                          std::to_string(bad) + "%'"),
            1);
  EXPECT_EQ(number(c, "SELECT count(*) FROM errors WHERE message LIKE '%extraction%'"), 1);
  expect_consistent(c);
}

TEST_F(ImageFaults, ExtractionOfChangedEvidenceIsRecordedAgainstTheFile) {
  TestCase c = new_case(tmp_ / "case");
  ASSERT_TRUE(ingest(c, demo()).ok());
  ASSERT_TRUE(hash(c).ok());
  const std::int64_t video = number(c, "SELECT file_id FROM files WHERE path = '" + std::string(kVideo) + "'");
  const std::uint64_t at = media_offset_of(c, kVideo, 4096);
  ASSERT_TRUE(c.writer->flush().ok());
  // The same evidence, one byte of the video's content different: readable, but not what was hashed.
  auto changed = [&](const std::string& path) -> Result<std::unique_ptr<image::ImageSource>> {
    auto original = image::open_image(path);
    if (!original.ok()) return original.error();
    std::vector<std::byte> whole((*original)->size());
    if (auto r = (*original)->read_at(0, whole); !r.ok()) return r.error();
    whole[at] ^= std::byte{0x01};
    return image::make_memory_image(std::move(whole));
  };
  extract::ExtractOptions options;
  options.run_id = c.run_id;
  options.file_ids = {video};
  options.output_dir = tmp_ / "out";
  options.open_image = changed;
  auto out = extract::extract_files(*c.writer, tmp_ / "case" / "case.db", options);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->extracted, 1u);
  EXPECT_EQ(out->verified, 0u);
  ASSERT_TRUE(c.writer->flush().ok());
  EXPECT_EQ(number(c, "SELECT count(*) FROM errors WHERE kind = 'corrupt' AND file_id = " + std::to_string(video) +
                          " AND message LIKE '%extraction: the content read from the evidence now has SHA-256%'"),
            1);
  expect_consistent(c);
}

// ---- carving ------------------------------------------------------------------------------------

using Carved = std::map<std::uint64_t, std::string>;  // carve_offset -> "status|state|sha256"

Carved carved_of(TestCase& c) {
  Carved out;
  query<int>(c,
             "SELECT carve_offset, carve_status || '|' || content_state || '|' || coalesce(sha256, '') FROM files WHERE origin = 'carved'",
             [&](casedb::Statement& s) {
               out[static_cast<std::uint64_t>(s.column_int(0))] = s.column_text(1);
               return 0;
             });
  return out;
}

Result<carve::CarveSummary> carve_all(TestCase& c, image::ImageOpener open = {}) {
  carve::CarveOptions options;
  options.run_id = c.run_id;
  options.threads = 2;
  options.open_image = std::move(open);
  return carve::carve_case(*c.writer, options);
}

TEST(CarveFaults, ABadSectorCostsOnlyTheItemsOverIt) {
  const auto image = sample("carve.raw");
  if (!std::filesystem::exists(image)) GTEST_SKIP() << "samples not unpacked";
  TempDir tmp;
  TestCase clean = new_case(tmp / "clean");
  ASSERT_TRUE(ingest(clean, image).ok());
  ASSERT_TRUE(carve_all(clean).ok());
  const Carved reference = carved_of(clean);
  ASSERT_GT(reference.size(), 10u);

  // A sector inside the first complete item of at least 8 KiB.
  std::uint64_t item = 0, length = 0;
  query<int>(clean, "SELECT carve_offset, size FROM files WHERE origin = 'carved' AND carve_status = 'complete' AND size >= 8192 ORDER BY carve_offset LIMIT 1",
             [&](casedb::Statement& s) {
               item = static_cast<std::uint64_t>(s.column_int(0));
               length = static_cast<std::uint64_t>(s.column_int(1));
               return 0;
             });
  ASSERT_GT(length, 0u);
  const std::uint64_t bad = (item + length / 2) / 512 * 512;

  TestCase c = new_case(tmp / "case");
  ASSERT_TRUE(ingest(c, image).ok());
  auto carved = carve_all(c, faulty_opener(FaultPlan::bad_bytes(bad, 512)));
  ASSERT_TRUE(carved.ok()) << carved.error().message;
  EXPECT_TRUE(carved->met_unreadable());
  const Carved after = carved_of(c);
  // Every item whose bytes avoid the bad sector is found as the clean run found it; the damaged one
  // is never recorded intact with other bytes' hash.
  for (const auto& [offset, value] : reference) {
    const std::uint64_t size = static_cast<std::uint64_t>(number(clean, "SELECT size FROM files WHERE carve_offset = " + std::to_string(offset)));
    if (offset < bad + 512 && offset + size > bad) {
      if (after.count(offset)) {
        EXPECT_EQ(after.at(offset).find("intact"), std::string::npos) << offset << " " << after.at(offset);
      }
      continue;
    }
    ASSERT_TRUE(after.count(offset)) << "item at " << offset << " lost to a bad sector at " << bad;
    EXPECT_EQ(after.at(offset), value) << offset;
  }
  // What is recorded is the bad sector (or the item over it), not the whole 4 MiB read around it.
  EXPECT_EQ(number(c, "SELECT count(*) FROM errors WHERE kind = 'unreadable' AND image_offset <= " + std::to_string(bad) +
                          " AND image_offset + length >= " + std::to_string(bad + 512)), 1);
  EXPECT_LE(number(c, "SELECT max(length) FROM errors WHERE kind = 'unreadable'"), static_cast<std::int64_t>(length));
  EXPECT_EQ(number(c, "SELECT count(*) FROM files WHERE origin = 'carved' AND content_state = 'unreadable' AND file_id NOT IN "
                      "(SELECT file_id FROM errors WHERE file_id IS NOT NULL)"), 0);
  EXPECT_EQ(text(c, "PRAGMA integrity_check"), "ok");

  // Carving again over a healthy medium adds what the damaged run could not see, and nothing twice.
  ASSERT_TRUE(carve_all(c).ok());
  EXPECT_EQ(number(c, "SELECT count(*) FROM files WHERE origin = 'carved'"), number(c, "SELECT count(DISTINCT carve_offset) FROM files WHERE origin = 'carved'"));
}

TEST(CarveFaults, ShortReadsNeverGiveACarvedItemAWrongHash) {
  const auto image = sample("carve.raw");
  if (!std::filesystem::exists(image)) GTEST_SKIP() << "samples not unpacked";
  TempDir tmp;
  TestCase clean = new_case(tmp / "clean");
  ASSERT_TRUE(ingest(clean, image).ok());
  ASSERT_TRUE(carve_all(clean).ok());
  const Carved reference = carved_of(clean);
  const std::uint64_t item = static_cast<std::uint64_t>(
      number(clean, "SELECT carve_offset FROM files WHERE origin = 'carved' AND carve_status = 'complete' AND size >= 8192 ORDER BY carve_offset LIMIT 1"));
  TestCase c = new_case(tmp / "case");
  ASSERT_TRUE(ingest(c, image).ok());
  auto counters = std::make_shared<FaultCounters>();
  auto carved = carve_all(c, faulty_opener(FaultPlan::short_reads_over(item + 4096, 1024), counters));
  ASSERT_TRUE(carved.ok()) << carved.error().message;
  EXPECT_GT(counters->shorted.load(), 0u);
  EXPECT_TRUE(carved->met_unreadable());
  // Whatever is recorded intact has the clean run's bytes; nothing far from the short reads is lost.
  const Carved after = carved_of(c);
  for (const auto& [offset, value] : after) {
    if (value.find("|intact|") != std::string::npos) {
      ASSERT_TRUE(reference.count(offset)) << offset;
      EXPECT_EQ(value, reference.at(offset)) << offset;
    }
  }
  for (const auto& [offset, value] : reference) {
    if (offset + (1u << 20) < item || offset > item + (1u << 20)) {
      EXPECT_TRUE(after.count(offset)) << "item at " << offset << " lost to short reads at " << item + 4096;
    }
  }
  EXPECT_EQ(text(c, "PRAGMA integrity_check"), "ok");
}

TEST(CarveFaults, AMediumThatShrinksMidScanIsRecordedAsUnreadable) {
  const auto image = sample("carve.raw");
  if (!std::filesystem::exists(image)) GTEST_SKIP() << "samples not unpacked";
  TempDir tmp;
  TestCase c = new_case(tmp / "case");
  ASSERT_TRUE(ingest(c, image).ok());
  const std::uint64_t cut = std::filesystem::file_size(image) / 2;
  auto carved = carve_all(c, faulty_opener(FaultPlan::shrinking(cut, 2, false)));
  ASSERT_TRUE(carved.ok()) << carved.error().message;
  EXPECT_TRUE(carved->met_unreadable());
  EXPECT_GT(number(c, "SELECT count(*) FROM errors WHERE kind = 'unreadable'"), 0);
  // Nothing past the cut was recorded as intact.
  EXPECT_EQ(number(c, "SELECT count(*) FROM files WHERE origin = 'carved' AND content_state = 'intact' AND carve_offset + size > " +
                          std::to_string(cut)), 0);
  EXPECT_EQ(text(c, "PRAGMA integrity_check"), "ok");
}


// ---- a full disk under the case writer -----------------------------------------------------------

// The default SQLite VFS wrapped: every write fails with SQLITE_FULL once `g_write_budget` bytes
// have been written, as on a disk that fills up (reads, locks and shared memory pass through).
std::atomic<std::int64_t> g_write_budget{LLONG_MAX};
sqlite3_vfs* g_real_vfs = nullptr;

struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;  // the wrapped VFS's file, right after this struct
};
sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

const sqlite3_io_methods kShimMethods = {
    3,
    [](sqlite3_file* f) { return real_of(f)->pMethods->xClose(real_of(f)); },
    [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) { return real_of(f)->pMethods->xRead(real_of(f), b, n, o); },
    [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
      if (g_write_budget.fetch_sub(n) < n) return SQLITE_FULL;
      return real_of(f)->pMethods->xWrite(real_of(f), b, n, o);
    },
    [](sqlite3_file* f, sqlite3_int64 size) { return real_of(f)->pMethods->xTruncate(real_of(f), size); },
    [](sqlite3_file* f, int flags) { return real_of(f)->pMethods->xSync(real_of(f), flags); },
    [](sqlite3_file* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); },
    [](sqlite3_file* f, int lock) { return real_of(f)->pMethods->xLock(real_of(f), lock); },
    [](sqlite3_file* f, int lock) { return real_of(f)->pMethods->xUnlock(real_of(f), lock); },
    [](sqlite3_file* f, int* out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); },
    [](sqlite3_file* f, int op, void* arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); },
    [](sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); },
    [](sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); },
    [](sqlite3_file* f, int page, int size, int extend, void volatile** out) {
      return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
    },
    [](sqlite3_file* f, int offset, int n, int flags) { return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags); },
    [](sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); },
    [](sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); },
    [](sqlite3_file* f, sqlite3_int64 o, int n, void** out) { return real_of(f)->pMethods->xFetch(real_of(f), o, n, out); },
    [](sqlite3_file* f, sqlite3_int64 o, void* p) { return real_of(f)->pMethods->xUnfetch(real_of(f), o, p); },
};

sqlite3_vfs make_full_disk_vfs() {
  g_real_vfs = sqlite3_vfs_find(nullptr);
  sqlite3_vfs v = *g_real_vfs;
  v.zName = "ferret-test-full-disk";
  v.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real_vfs->szOsFile;
  v.pNext = nullptr;
  v.xOpen = [](sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    auto* shim = reinterpret_cast<ShimFile*>(f);
    shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
    const int rc = g_real_vfs->xOpen(g_real_vfs, name, shim->real, flags, out_flags);
    shim->base.pMethods = rc == SQLITE_OK && shim->real->pMethods != nullptr ? &kShimMethods : nullptr;
    return rc;
  };
  v.xDelete = [](sqlite3_vfs*, const char* name, int sync) { return g_real_vfs->xDelete(g_real_vfs, name, sync); };
  v.xAccess = [](sqlite3_vfs*, const char* name, int flags, int* out) { return g_real_vfs->xAccess(g_real_vfs, name, flags, out); };
  v.xFullPathname = [](sqlite3_vfs*, const char* name, int n, char* out) { return g_real_vfs->xFullPathname(g_real_vfs, name, n, out); };
  return v;
}

class FullDisk : public ImageFaults {
 protected:
  static void SetUpTestSuite() {
    static sqlite3_vfs vfs = make_full_disk_vfs();
    ASSERT_EQ(sqlite3_vfs_register(&vfs, /*makeDflt=*/1), SQLITE_OK);
    vfs_ = &vfs;
  }
  static void TearDownTestSuite() {
    g_write_budget = LLONG_MAX;
    sqlite3_vfs_unregister(vfs_);
  }
  void TearDown() override { g_write_budget = LLONG_MAX; }
  static inline sqlite3_vfs* vfs_ = nullptr;
};

TEST_F(FullDisk, HashingStopsCleanlyWhereverTheDiskFillsAndResumesToTheCleanResults) {
  // The disk fills after 0, 4 KiB, ... of the hashing run's writes: the run fails with an I/O
  // error naming the way out, the case stays sound with no half-recorded file, and the same run
  // with space again ends with exactly the clean results.
  int failed = 0;
  for (std::int64_t budget : {0, 4096, 16384, 65536, 131072, 262144}) {
    TempDir tmp;
    TestCase c = new_case(tmp / "case");
    ASSERT_TRUE(ingest(c, demo()).ok());
    g_write_budget = budget;
    auto full = hash(c);
    g_write_budget = LLONG_MAX;
    if (!full.ok()) {
      ++failed;
      EXPECT_EQ(full.error().code, Errc::io) << budget << ": " << full.error().message;
      EXPECT_NE(full.error().message.find("check that the case's file system has free space"), std::string::npos) << full.error().message;
    }
    expect_consistent(c);
    const Snapshot partial = files_of(c);
    for (const auto& [key, value] : partial) {
      if (value != "|") {
        EXPECT_EQ(value, clean_demo().at(key)) << budget << " " << key;
      }
    }
    auto again = hash(c);
    ASSERT_TRUE(again.ok()) << budget << ": " << again.error().message;
    EXPECT_EQ(files_of(c), clean_demo()) << budget;
    expect_consistent(c);
  }
  EXPECT_GE(failed, 3);
}

TEST_F(FullDisk, AnIngestThatMeetsAFullDiskRecordsNothingOfTheEvidence) {
  int failed = 0;
  for (std::int64_t budget : {0, 16384, 65536}) {
    TempDir tmp;
    TestCase c = new_case(tmp / "case");
    g_write_budget = budget;
    auto full = ingest(c, demo());
    g_write_budget = LLONG_MAX;
    if (full.ok()) continue;  // the budget was enough
    ++failed;
    EXPECT_EQ(full.error().code, Errc::io) << full.error().message;
    EXPECT_EQ(number(c, "SELECT count(*) FROM evidence"), 0);
    EXPECT_EQ(number(c, "SELECT count(*) FROM files"), 0);
    EXPECT_EQ(text(c, "PRAGMA integrity_check"), "ok");
    auto again = ingest(c, demo());
    ASSERT_TRUE(again.ok()) << again.error().message;
    ASSERT_TRUE(hash(c).ok());
    EXPECT_EQ(files_of(c), clean_demo()) << budget;
  }
  EXPECT_GE(failed, 2);
}

}  // namespace
}  // namespace ferret::test
