// Reading a recorded file's content back from the media: runs, sparse runs, damage, free space.
#include <gtest/gtest.h>

#include "content/content.h"
#include "hash/digest.h"
#include "test_support.h"

namespace ferret::test {
namespace {

using content::ContentReader;
using content::FileContent;
using content::FreeSpace;

std::vector<std::byte> read_all(ContentReader& reader, const FileContent& file, Status* status = nullptr) {
  std::vector<std::byte> out;
  Status s = reader.read(file, [&](std::span<const std::byte> b) -> Status {
    out.insert(out.end(), b.begin(), b.end());
    return {};
  });
  if (status != nullptr) *status = s;
  else EXPECT_TRUE(s.ok()) << s.error().message;
  return out;
}

FileContent file_with_runs(std::uint64_t size, std::vector<content::Run> runs) {
  FileContent f;
  f.file_id = 1;
  f.size = size;
  f.allocated = true;
  f.runs = std::move(runs);
  return f;
}

TEST(ContentReader, FragmentedRunsAreReadInFileOrder) {
  const auto media = random_bytes(64 * 1024, 1);
  auto image = image::make_memory_image(media);
  ContentReader reader(*image);
  // Three fragments recorded out of order, the last one longer than the file (block slack).
  auto f = file_with_runs(10000, {{4096, 40960, 4096}, {0, 8192, 4096}, {8192, 1024, 4096}});
  const auto got = read_all(reader, f);
  std::vector<std::byte> want;
  want.insert(want.end(), media.begin() + 8192, media.begin() + 8192 + 4096);
  want.insert(want.end(), media.begin() + 40960, media.begin() + 40960 + 4096);
  want.insert(want.end(), media.begin() + 1024, media.begin() + 1024 + 1808);
  EXPECT_EQ(got, want);
}

TEST(FileAsMedia, ReadsAtAnyOffsetEqualTheStreamedContent) {
  const auto media = random_bytes(64 * 1024, 8);
  auto image = image::make_memory_image(media);
  auto f = file_with_runs(10000, {{4096, 40960, 4096}, {0, 8192, 4096}, {8192, std::nullopt, 4096}});
  ASSERT_TRUE([&] { std::optional<std::uint64_t> bad; return content::validate_runs(f, media.size(), bad).ok(); }());
  ContentReader reader(*image);
  const auto streamed = read_all(reader, f);
  auto as_media = content::file_as_media(*image, f);
  EXPECT_EQ(as_media->size(), 10000u);
  for (std::uint64_t offset : {0ull, 1ull, 4095ull, 4096ull, 8000ull, 9999ull}) {
    for (std::size_t len : {1ul, 100ul, 5000ul, 20000ul}) {
      std::vector<std::byte> buf(len);
      auto got = as_media->read_at(offset, buf);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(*got, std::min<std::size_t>(len, 10000 - offset));
      EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*got), streamed.begin() + static_cast<std::ptrdiff_t>(offset)))
          << offset << "+" << len;
    }
  }
}

TEST(ContentReader, SparseRunsAreZerosAndLargeRunsSpanManyReads) {
  const auto media = random_bytes(3 << 20, 2);
  auto image = image::make_memory_image(media);
  ContentReader reader(*image);
  auto f = file_with_runs((2 << 20) + 4096, {{0, std::nullopt, 4096}, {4096, 100, 2 << 20}});
  const auto got = read_all(reader, f);
  ASSERT_EQ(got.size(), f.size);
  EXPECT_TRUE(std::all_of(got.begin(), got.begin() + 4096, [](std::byte b) { return b == std::byte{0}; }));
  EXPECT_TRUE(std::equal(got.begin() + 4096, got.end(), media.begin() + 100));
}

TEST(ContentReader, RunsPastTheEndOfTheMediaAreAnErrorWithTheOffset) {
  auto image = image::make_memory_image(random_bytes(8192, 3));
  ContentReader reader(*image);
  Status s;
  read_all(reader, file_with_runs(4096, {{0, 6144, 4096}}), &s);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("past the end of the media"), std::string::npos) << s.error().message;
  EXPECT_EQ(reader.problem_offset(), 6144u);
}

TEST(ContentReader, GapsAndShortRunsAreErrorsNotSilentZeros) {
  auto image = image::make_memory_image(random_bytes(65536, 4));
  ContentReader reader(*image);
  Status gap;
  read_all(reader, file_with_runs(8192, {{0, 0, 4096}, {6144, 8192, 2048}}), &gap);
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.error().message.find("bytes 4096 to 6144"), std::string::npos) << gap.error().message;
  Status shorter;
  read_all(reader, file_with_runs(8192, {{0, 0, 4096}}), &shorter);
  ASSERT_FALSE(shorter.ok());
  EXPECT_NE(shorter.error().message.find("4096 of the file's 8192"), std::string::npos) << shorter.error().message;
}

TEST(ContentReader, UnreadableSectorsFailTheFileNamingTheOffset) {
  FaultyImage image(image::make_memory_image(random_bytes(1 << 20, 5)), 300032, 512);  // sector 586
  ContentReader reader(image);
  Status s;
  read_all(reader, file_with_runs(200000, {{0, 200000, 200000}}), &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::unreadable);
  EXPECT_EQ(reader.problem_offset(), 300032u);  // the first bad sector, not where the read began
  EXPECT_NE(s.error().message.find("300032"), std::string::npos) << s.error().message;
  // A file elsewhere on the same media reads fine.
  const auto ok = read_all(reader, file_with_runs(4096, {{0, 0, 4096}}));
  EXPECT_EQ(ok.size(), 4096u);
}

TEST(ContentReader, CancelStopsWithInterrupted) {
  auto image = image::make_memory_image(random_bytes(4 << 20, 6));
  std::atomic<bool> cancel{true};
  ContentReader reader(*image, &cancel);
  Status s;
  read_all(reader, file_with_runs(4 << 20, {{0, 0, 4 << 20}}), &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::interrupted);
}

TEST(ContentReader, AnErrorFromTheSinkStopsTheReadAndIsReturned) {
  auto image = image::make_memory_image(random_bytes(4 << 20, 9));
  ContentReader reader(*image);
  int calls = 0;
  Status s = reader.read(file_with_runs(4 << 20, {{0, 0, 4 << 20}}), [&](std::span<const std::byte>) -> Status {
    ++calls;
    return make_error(Errc::io, "disk full");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "disk full");
  EXPECT_EQ(calls, 1);
}

TEST(ContentReader, EmptyFilesGiveNoBytes) {
  auto image = image::make_memory_image(random_bytes(4096, 7));
  ContentReader reader(*image);
  EXPECT_TRUE(read_all(reader, file_with_runs(0, {})).empty());
}

TEST(FreeSpace, CoversOnlyRangesEntirelyInsideMergedFreeSpace) {
  FreeSpace free;
  free.add(1000, 1000);
  free.add(2000, 500);  // adjacent: merges with the first
  free.add(5000, 100);
  free.finish();
  EXPECT_TRUE(free.covers(1000, 1500));
  EXPECT_TRUE(free.covers(1999, 2));
  EXPECT_FALSE(free.covers(999, 2));
  EXPECT_FALSE(free.covers(2400, 200));
  EXPECT_TRUE(free.covers(5000, 100));
  EXPECT_FALSE(free.covers(5000, 101));
  EXPECT_FALSE(free.covers(0, 1));
}

TEST(ContentState, DeletedFilesAreCheckedAgainstFreeSpace) {
  FreeSpace free;
  free.add(0, 8192);
  free.finish();
  FileContent f = file_with_runs(4096, {{0, 4096, 4096}});
  EXPECT_FALSE(content::state_before_reading(f, free).has_value());  // allocated: read it
  f.allocated = false;
  EXPECT_FALSE(content::state_before_reading(f, free).has_value());  // deleted, blocks still free
  f.runs = {{0, 6144, 4096}};
  EXPECT_STREQ(*content::state_before_reading(f, free), "reallocated");  // half of it is in use now
  f.runs = {{0, 0, 4096}};
  f.reallocated = true;
  EXPECT_STREQ(*content::state_before_reading(f, free), "reallocated");  // TSK: its metadata is reused
  FileContent ext4_deleted = file_with_runs(5000, {});
  ext4_deleted.allocated = false;
  EXPECT_STREQ(*content::state_before_reading(ext4_deleted, free), "no_content");
  ext4_deleted.attr_type = 128;  // an NTFS resident file keeps its content in the MFT entry
  EXPECT_FALSE(content::state_before_reading(ext4_deleted, free).has_value());
  FileContent iso_orphan = file_with_runs(24, {{0, 6144, 2048}});  // ISO 9660 keeps no free-space map
  iso_orphan.allocated = false;
  iso_orphan.fs_type = "iso9660";
  EXPECT_FALSE(content::state_before_reading(iso_orphan, free).has_value());
}

}  // namespace
}  // namespace ferret::test
