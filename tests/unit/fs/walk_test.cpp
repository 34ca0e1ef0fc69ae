// The TSK walk over in-memory media: entries, deletion flags, NTFS streams, byte runs that really
// point at the file's bytes, unallocated space, and damaged media.
#include "fs/walk.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "hash/digest.h"
#include "test_support.h"

namespace ferret::fs {
namespace {

class Collector final : public WalkVisitor {
 public:
  void on_volume(const VolumeInfo& v) override { volumes.push_back(v); }
  void on_files(int, std::vector<FileEntry>&& batch) override {
    std::lock_guard lock(mutex);
    for (auto& f : batch) files.push_back(std::move(f));
  }
  void on_unallocated(std::optional<int> volume, std::vector<Range>&& ranges) override {
    std::lock_guard lock(mutex);
    for (auto& r : ranges) unallocated.push_back({volume, r});
  }
  void on_problem(std::optional<int>, const Problem& p) override {
    std::lock_guard lock(mutex);
    problems.push_back(p);
  }
  const FileEntry* find(const std::string& path) const {
    for (const auto& f : files) {
      if (f.path == path) return &f;
    }
    return nullptr;
  }
  std::uint64_t unallocated_bytes() const {
    std::uint64_t n = 0;
    for (const auto& u : unallocated) n += u.second.length;
    return n;
  }

  std::mutex mutex;
  std::vector<VolumeInfo> volumes;
  std::vector<FileEntry> files;
  std::vector<std::pair<std::optional<int>, Range>> unallocated;
  std::vector<Problem> problems;
};

// The content a file's runs point at, read back from the medium.
std::vector<std::byte> content_via_runs(const image::ImageSource& img, const FileEntry& f) {
  std::vector<std::byte> out(f.size.value_or(0));
  for (const auto& r : f.runs) {
    if (!r.image_offset) continue;
    auto got = img.read_at(*r.image_offset, std::span(out).subspan(r.file_offset, r.length));
    EXPECT_TRUE(got.ok());
  }
  return out;
}

TEST(Walk, Ext2ImageMatchesTsksOwnListing) {
  FERRET_REQUIRE_CORPUS_FILE(path, "sleuthkit/test/data/image.dd");
  auto img = image::make_memory_image(test::read_file_bytes(path));
  Collector c;
  auto summary = walk_media(*img, c);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  ASSERT_EQ(c.volumes.size(), 1u);
  EXPECT_EQ(c.volumes[0].description, "whole media");
  EXPECT_EQ(c.volumes[0].fs_type.value_or(""), "ext2");
  EXPECT_EQ(c.volumes[0].start_offset, 0u);

  const FileEntry* another = c.find("/a_directory/another_file");
  ASSERT_NE(another, nullptr);
  EXPECT_EQ(another->meta_addr, 16u);
  EXPECT_EQ(another->size.value_or(0), 22u);
  EXPECT_TRUE(another->allocated);
  EXPECT_EQ(another->type, FileType::file);
  EXPECT_EQ(hash::digest_all(content_via_runs(*img, *another)).md5, "d54ff73404ed6041a3bd66850b061bff");

  const FileEntry* passwords = c.find("/passwords.txt");
  ASSERT_NE(passwords, nullptr);
  EXPECT_EQ(passwords->meta_addr, 15u);
  EXPECT_EQ(hash::digest_all(content_via_runs(*img, *passwords)).md5, "39cb097008d17660abd0539891a672af");

  const FileEntry* swp = c.find("/a_directory/.another_file.swp");
  ASSERT_NE(swp, nullptr);
  EXPECT_FALSE(swp->allocated);
  EXPECT_EQ(swp->meta_addr, 0u);

  const FileEntry* link = c.find("/a_link");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->type, FileType::symlink);
  const FileEntry* dir = c.find("/a_directory");
  ASSERT_NE(dir, nullptr);
  EXPECT_EQ(dir->type, FileType::dir);
  const FileEntry* orphans = c.find("/$OrphanFiles");
  ASSERT_NE(orphans, nullptr);
  EXPECT_TRUE(orphans->is_virtual);
  EXPECT_EQ(summary->deleted, 2u);
  EXPECT_GT(c.unallocated_bytes(), 0u);
  EXPECT_TRUE(c.problems.empty());
}

TEST(Walk, NtfsStreamsDeletedFilesAndOrphans) {
  FERRET_REQUIRE_CORPUS_FILE(path, "sleuthkit_test_data/from_brian/7-undel-ntfs/7-ntfs-undel.dd");
  auto img = image::make_memory_image(test::read_file_bytes(path));
  Collector c;
  ASSERT_TRUE(walk_media(*img, c).ok());
  const FileEntry* ads = c.find("/mult1.dat:ADS");
  ASSERT_NE(ads, nullptr);
  EXPECT_EQ(ads->meta_addr, 32u);
  EXPECT_EQ(ads->attr_type.value_or(0), 128);
  EXPECT_EQ(ads->attr_id.value_or(0), 6);
  EXPECT_EQ(ads->size.value_or(0), 1234u);
  EXPECT_FALSE(ads->allocated);
  EXPECT_EQ(hash::digest_all(content_via_runs(*img, *ads)).md5, "ba1b9eedb1c091ddca253d35dde8f616");
  const FileEntry* mult = c.find("/mult1.dat");
  ASSERT_NE(mult, nullptr);
  EXPECT_EQ(mult->attr_id.value_or(0), 3);
  EXPECT_EQ(hash::digest_all(content_via_runs(*img, *mult)).md5, "ffd27bd782bdce67750b6b9ee069d2ef");
  const FileEntry* orphan = c.find("/$OrphanFiles/sing2.dat");
  ASSERT_NE(orphan, nullptr);
  EXPECT_TRUE(orphan->orphan);
  EXPECT_EQ(orphan->meta_addr, 38u);
  // Dates on this image are the 29th of February 2004 (leap-year check of the DFTT answer key).
  ASSERT_TRUE(mult->mtime.has_value());
  EXPECT_EQ(mult->mtime->substr(0, 10), "2004-02-29");
}

TEST(Walk, PartitionedMediaGivesOneVolumePerPartitionAndUnpartitionedSpace) {
  FERRET_REQUIRE_CORPUS_FILE(path, "plaso/test_data/tsk_volume_system.raw");
  auto img = image::make_memory_image(test::read_file_bytes(path));
  Collector c;
  auto summary = walk_media(*img, c);
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(c.volumes.size(), 2u);
  EXPECT_EQ(c.volumes[0].start_offset, 1u * 512);
  EXPECT_FALSE(c.volumes[0].fs_type.has_value());  // primary partition with no file system
  EXPECT_EQ(c.volumes[1].start_offset, 352u * 512);
  EXPECT_EQ(c.volumes[1].fs_type.value_or(""), "ext2");
  EXPECT_EQ(summary->file_systems, 1);
  // The partition without a file system is unallocated space as a whole.
  bool whole_partition = false;
  for (const auto& [vol, r] : c.unallocated) whole_partition |= vol == 0 && r.offset == 512 && r.length == 350u * 512;
  EXPECT_TRUE(whole_partition);
}

TEST(Walk, RandomBytesGiveNoFileSystemAndTheWholeMediaAsUnallocated) {
  auto img = image::make_memory_image(test::random_bytes(256 * 1024, 11));
  Collector c;
  auto summary = walk_media(*img, c);
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(c.volumes.size(), 1u);
  EXPECT_FALSE(c.volumes[0].fs_type.has_value());
  EXPECT_TRUE(c.volumes[0].fs_error.has_value());
  EXPECT_EQ(summary->file_systems, 0);
  EXPECT_TRUE(c.files.empty());
  EXPECT_EQ(c.unallocated_bytes(), 256u * 1024);
  ASSERT_FALSE(c.problems.empty());
  EXPECT_EQ(c.problems[0].kind, "unsupported");
}

TEST(Walk, TruncatedAndFaultyMediaDoNotCrash) {
  FERRET_REQUIRE_CORPUS_FILE(path, "sleuthkit_test_data/from_brian/7-undel-ntfs/7-ntfs-undel.dd");
  auto bytes = test::read_file_bytes(path);
  bytes.resize(bytes.size() / 3);
  {
    auto img = image::make_memory_image(bytes);
    Collector c;
    EXPECT_TRUE(walk_media(*img, c).ok());
  }
  // The MFT made unreadable: the walk reports it and goes on.
  auto full = test::read_file_bytes(path);
  test::FaultyImage faulty(image::make_memory_image(full), 16 * 1024, 64 * 1024);
  Collector c;
  EXPECT_TRUE(walk_media(faulty, c).ok());
}

TEST(Walk, CancelStopsTheWalk) {
  FERRET_REQUIRE_CORPUS_FILE(path, "sleuthkit/test/data/image.dd");
  auto img = image::make_memory_image(test::read_file_bytes(path));
  std::atomic<bool> cancel{true};
  WalkOptions options;
  options.cancel = &cancel;
  Collector c;
  auto summary = walk_media(*img, c, options);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, Errc::interrupted);
}

}  // namespace
}  // namespace ferret::fs
