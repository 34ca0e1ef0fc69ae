// lib/image: in-memory, raw, split-raw and E01 media; content detection; bad and damaged input.
// Expected E01 values come from `ewfinfo`/`ewfverify` 20140813 on the corpus (see corpus MANIFEST.md).
#include "image/image_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hash/digest.h"
#include "test_support.h"

namespace ferret::image {
namespace {

namespace fs = std::filesystem;
using test::random_bytes;
using test::read_file_bytes;
using test::TempDir;
using test::write_file_bytes;

std::vector<std::byte> slice(const std::vector<std::byte>& bytes, std::size_t offset, std::size_t length) {
  return {bytes.begin() + static_cast<std::ptrdiff_t>(offset), bytes.begin() + static_cast<std::ptrdiff_t>(offset + length)};
}

// Reads `length` bytes at `offset`; fails the test on an error. The result has the size read_at returned.
std::vector<std::byte> read_bytes(const ImageSource& img, std::uint64_t offset, std::size_t length) {
  std::vector<std::byte> out(length, std::byte{0xEE});
  auto got = img.read_at(offset, out);
  EXPECT_TRUE(got.ok()) << "read_at(" << offset << ", " << length << "): " << (got.ok() ? "" : got.error().message);
  if (!got.ok()) return {};
  EXPECT_LE(*got, length);
  out.resize(*got);
  return out;
}

// The whole medium read front to back through read_at, in `chunk`-byte reads.
std::vector<std::byte> read_all(const ImageSource& img, std::size_t chunk) {
  std::vector<std::byte> out(static_cast<std::size_t>(img.size()));
  std::uint64_t offset = 0;
  while (offset < img.size()) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, img.size() - offset));
    auto got = img.read_at(offset, std::span(out).subspan(static_cast<std::size_t>(offset), n));
    EXPECT_TRUE(got.ok()) << "offset " << offset << ": " << (got.ok() ? "" : got.error().message);
    if (!got.ok()) return {};
    EXPECT_EQ(*got, n) << "offset " << offset;
    if (*got != n) return {};
    offset += n;
  }
  return out;
}

// Digest (hex) of every byte of the medium read through read_at.
std::string digest_via_read_at(const ImageSource& img, hash::Algorithm algorithm, std::size_t chunk = 1 << 20) {
  hash::Digest digest(algorithm);
  std::vector<std::byte> buf(chunk);
  std::uint64_t offset = 0;
  while (offset < img.size()) {
    auto got = img.read_at(offset, buf);
    if (!got.ok()) {
      ADD_FAILURE() << "offset " << offset << ": " << got.error().message;
      return {};
    }
    if (*got == 0) {
      ADD_FAILURE() << "read_at returned 0 bytes at " << offset << " of " << img.size();
      return {};
    }
    digest.update(std::span(buf).first(*got));
    offset += *got;
  }
  return digest.finish_hex();
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// `threads` threads each doing `reads` random reads, compared with `expected`. Returns the number of mismatches
// (wrong bytes, wrong count or an error).
int concurrent_mismatches(const ImageSource& img, const std::vector<std::byte>& expected, int threads, int reads,
                          std::size_t max_length) {
  std::atomic<int> mismatches{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::mt19937_64 gen(1000 + static_cast<unsigned>(t));
      std::vector<std::byte> buf(max_length);
      for (int i = 0; i < reads; ++i) {
        const std::uint64_t offset = gen() % expected.size();
        const std::size_t length = 1 + static_cast<std::size_t>(gen() % max_length);
        const std::size_t want = std::min<std::size_t>(length, expected.size() - static_cast<std::size_t>(offset));
        auto got = img.read_at(offset, std::span(buf).first(length));
        if (!got.ok() || *got != want ||
            std::memcmp(buf.data(), expected.data() + offset, want) != 0) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  return mismatches.load();
}

// ---- format names ---------------------------------------------------------------------------------

TEST(ImageFormat, NamesAreTheCaseDatabaseValues) {
  EXPECT_STREQ(format_name(Format::raw), "raw");
  EXPECT_STREQ(format_name(Format::split_raw), "split-raw");
  EXPECT_STREQ(format_name(Format::e01), "e01");
}

// ---- in-memory medium -----------------------------------------------------------------------------

TEST(ImageMemory, SizeSectorSizeAndNoContainer) {
  auto img = make_memory_image(random_bytes(10000, 1), 4096);
  EXPECT_EQ(img->format(), Format::raw);
  EXPECT_EQ(img->size(), 10000u);
  EXPECT_EQ(img->sector_size(), 4096u);
  EXPECT_TRUE(img->segments().empty());
  EXPECT_EQ(img->acquisition(), nullptr);
  EXPECT_EQ(make_memory_image(random_bytes(10, 2))->sector_size(), 512u);
}

TEST(ImageMemory, ReadsExactBytesInTheMiddle) {
  const auto data = random_bytes(10000, 3);
  auto img = make_memory_image(data);
  EXPECT_EQ(read_bytes(*img, 5000, 100), slice(data, 5000, 100));
  EXPECT_EQ(read_bytes(*img, 0, 1), slice(data, 0, 1));
  EXPECT_EQ(read_bytes(*img, 0, 10000), data);
}

TEST(ImageMemory, ShortReadAtTheEndAndNothingAtOrPastTheEnd) {
  const auto data = random_bytes(10000, 4);
  auto img = make_memory_image(data);
  std::vector<std::byte> buf(100, std::byte{0xEE});
  auto got = img->read_at(9950, buf);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 50u);
  EXPECT_EQ(std::vector<std::byte>(buf.begin(), buf.begin() + 50), slice(data, 9950, 50));
  for (std::size_t i = 50; i < buf.size(); ++i) ASSERT_EQ(buf[i], std::byte{0xEE}) << "byte " << i << " written past the medium";

  for (std::uint64_t offset : {std::uint64_t{10000}, std::uint64_t{10001}, std::numeric_limits<std::uint64_t>::max()}) {
    auto past = img->read_at(offset, buf);
    ASSERT_TRUE(past.ok()) << offset;
    EXPECT_EQ(*past, 0u) << offset;
  }
  auto empty = img->read_at(0, std::span<std::byte>());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, 0u);
}

// ---- raw ------------------------------------------------------------------------------------------

TEST(ImageRaw, OpensAsRawAndReadsTheFileBytes) {
  TempDir tmp;
  const auto path = tmp / "disk.dd";
  const auto data = random_bytes(100000 + 123, 5);
  write_file_bytes(path, data);

  auto opened = open_image(path);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const ImageSource& img = **opened;
  EXPECT_EQ(img.format(), Format::raw);
  EXPECT_STREQ(format_name(img.format()), "raw");
  EXPECT_EQ(img.size(), data.size());
  EXPECT_EQ(img.sector_size(), 512u);
  EXPECT_EQ(img.segments(), std::vector<fs::path>{path});
  EXPECT_EQ(img.acquisition(), nullptr);

  for (std::size_t offset : {0u, 1u, 511u, 512u, 4095u, 65536u, 99999u}) {
    EXPECT_EQ(read_bytes(img, offset, 100), slice(data, offset, 100)) << offset;
  }
  const std::size_t last = data.size() - 1;
  EXPECT_EQ(read_bytes(img, last, 1), slice(data, last, 1));
  EXPECT_EQ(read_bytes(img, last, 16), slice(data, last, 1));            // short read at the end
  EXPECT_EQ(read_bytes(img, data.size() - 100, 4096), slice(data, data.size() - 100, 100));
  EXPECT_TRUE(read_bytes(img, data.size(), 16).empty());                 // at the end: 0 bytes, no error
  EXPECT_TRUE(read_bytes(img, data.size() + 12345, 16).empty());         // past the end: 0 bytes, no error
  EXPECT_EQ(read_all(img, 3001), data);
}

TEST(ImageRaw, ConcurrentRandomReadsReturnTheFileBytes) {
  TempDir tmp;
  const auto path = tmp / "disk.img";
  const auto data = random_bytes(1 << 20, 6);
  write_file_bytes(path, data);
  auto opened = open_image(path);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(concurrent_mismatches(**opened, data, 4, 1000, 8192), 0);
}

TEST(ImageRaw, ANumericExtensionWithoutANextSegmentIsRaw) {
  TempDir tmp;
  const auto data = random_bytes(3000, 7);
  write_file_bytes(tmp / "lone.001", data);
  write_file_bytes(tmp / "other.000", data);
  for (const auto& path : {tmp / "lone.001", tmp / "other.000"}) {
    auto opened = open_image(path);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ((*opened)->format(), Format::raw) << path;
    EXPECT_EQ((*opened)->size(), 3000u);
    EXPECT_EQ((*opened)->segments(), std::vector<fs::path>{path});
    EXPECT_EQ(read_all(**opened, 1000), data);
  }
}

TEST(ImageRaw, FilesShorterThanASignatureAreRaw) {
  TempDir tmp;
  const std::string text = "EVF";  // the start of the EWF signature, but only 3 bytes
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  write_file_bytes(tmp / "tiny.E01", bytes);
  auto opened = open_image(tmp / "tiny.E01");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ((*opened)->format(), Format::raw);
  EXPECT_EQ((*opened)->size(), 3u);
  EXPECT_EQ(read_bytes(**opened, 0, 10), bytes);
}

TEST(ImageRaw, AFileTruncatedAfterOpeningIsUnreadableNamingFileAndOffset) {
  TempDir tmp;
  const auto path = tmp / "shrinks.dd";
  const auto data = random_bytes(8192, 8);
  write_file_bytes(path, data);
  auto opened = open_image(path);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  fs::resize_file(path, 4096);

  EXPECT_EQ((*opened)->size(), 8192u);  // the size when opened
  EXPECT_EQ(read_bytes(**opened, 0, 4096), slice(data, 0, 4096));
  std::vector<std::byte> buf(4096);
  auto got = (*opened)->read_at(2048, buf);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::unreadable);
  EXPECT_TRUE(contains(got.error().message, path.string())) << got.error().message;
  EXPECT_TRUE(contains(got.error().message, "ends at byte 4096")) << got.error().message;
  EXPECT_TRUE(contains(got.error().message, "8192")) << got.error().message;
}

// ---- split raw ------------------------------------------------------------------------------------

class ImageSplitRaw : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = random_bytes(1000 + 4096 + 777, 9);
    write_file_bytes(tmp_ / "x.001", slice(data_, 0, 1000));
    write_file_bytes(tmp_ / "x.002", slice(data_, 1000, 4096));
    write_file_bytes(tmp_ / "x.003", slice(data_, 5096, 777));
  }
  TempDir tmp_;
  std::vector<std::byte> data_;
};

TEST_F(ImageSplitRaw, OpensFromTheFirstSegmentWithAllSegmentsInOrder) {
  auto opened = open_image(tmp_ / "x.001");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const ImageSource& img = **opened;
  EXPECT_EQ(img.format(), Format::split_raw);
  EXPECT_STREQ(format_name(img.format()), "split-raw");
  EXPECT_EQ(img.size(), 5873u);
  EXPECT_EQ(img.segments(), (std::vector<fs::path>{tmp_ / "x.001", tmp_ / "x.002", tmp_ / "x.003"}));
  EXPECT_EQ(img.acquisition(), nullptr);
  EXPECT_EQ(read_all(img, 5873), data_);
  EXPECT_EQ(read_all(img, 333), data_);
}

TEST_F(ImageSplitRaw, ReadsAcrossSegmentBoundariesEqualTheOriginalBytes) {
  auto opened = open_image(tmp_ / "x.001");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const ImageSource& img = **opened;
  EXPECT_EQ(read_bytes(img, 990, 20), slice(data_, 990, 20));        // across 1st/2nd
  EXPECT_EQ(read_bytes(img, 5090, 20), slice(data_, 5090, 20));      // across 2nd/3rd
  EXPECT_EQ(read_bytes(img, 995, 4110), slice(data_, 995, 4110));    // spans the whole 2nd segment
  EXPECT_EQ(read_bytes(img, 999, 1), slice(data_, 999, 1));          // last byte of 1st
  EXPECT_EQ(read_bytes(img, 1000, 1), slice(data_, 1000, 1));        // first byte of 2nd
  EXPECT_EQ(read_bytes(img, 5096, 777), slice(data_, 5096, 777));    // exactly the 3rd
  EXPECT_EQ(read_bytes(img, 5872, 100), slice(data_, 5872, 1));      // last byte, short read
  EXPECT_TRUE(read_bytes(img, 5873, 100).empty());
  // Every start offset with a window wider than nothing but narrower than a segment.
  for (std::size_t offset = 0; offset < data_.size(); ++offset) {
    const std::size_t want = std::min<std::size_t>(37, data_.size() - offset);
    ASSERT_EQ(read_bytes(img, offset, 37), slice(data_, offset, want)) << "offset " << offset;
  }
}

TEST_F(ImageSplitRaw, ConcurrentRandomReadsAcrossSegments) {
  auto opened = open_image(tmp_ / "x.001");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(concurrent_mismatches(**opened, data_, 4, 1000, 2000), 0);
}

TEST_F(ImageSplitRaw, ALaterSegmentIsRefusedNamingTheFirst) {
  for (const char* later : {"x.002", "x.003"}) {
    auto opened = open_image(tmp_ / later);
    ASSERT_FALSE(opened.ok()) << later;
    EXPECT_EQ(opened.error().code, Errc::invalid_argument);
    EXPECT_TRUE(contains(opened.error().message, (tmp_ / later).string())) << opened.error().message;
    EXPECT_TRUE(contains(opened.error().message, "give " + (tmp_ / "x.001").string())) << opened.error().message;
  }
}

TEST_F(ImageSplitRaw, TheSetEndsAtTheFirstMissingNumber) {
  write_file_bytes(tmp_ / "x.005", random_bytes(100, 10));  // x.004 absent: x.005 is not part of the set
  auto opened = open_image(tmp_ / "x.001");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ((*opened)->size(), 5873u);
  EXPECT_EQ((*opened)->segments().size(), 3u);
}

TEST_F(ImageSplitRaw, AnEmptyMiddleSegmentIsListedButHoldsNoBytes) {
  write_file_bytes(tmp_ / "y.001", slice(data_, 0, 1000));
  write_file_bytes(tmp_ / "y.002", {});
  write_file_bytes(tmp_ / "y.003", slice(data_, 1000, 500));
  auto opened = open_image(tmp_ / "y.001");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ((*opened)->format(), Format::split_raw);
  EXPECT_EQ((*opened)->size(), 1500u);
  EXPECT_EQ((*opened)->segments(), (std::vector<fs::path>{tmp_ / "y.001", tmp_ / "y.002", tmp_ / "y.003"}));
  EXPECT_EQ(read_bytes(**opened, 990, 20), slice(data_, 990, 20));
  EXPECT_EQ(read_all(**opened, 7), slice(data_, 0, 1500));
}

TEST(ImageSplitRawCorpus, Ext2SplitRawHasTheDocumentedMd5) {
  FERRET_REQUIRE_CORPUS_FILE(first, "dfvfs/test_data/ext2.splitraw.000");
  auto opened = open_image(first);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ((*opened)->format(), Format::split_raw);
  EXPECT_EQ((*opened)->size(), 4194304u);
  ASSERT_EQ((*opened)->segments().size(), 2u);
  EXPECT_EQ((*opened)->segments()[1].filename(), "ext2.splitraw.001");
  EXPECT_EQ(digest_via_read_at(**opened, hash::Algorithm::md5), "196066add11fb71c4c49cf1bb50d6d24");
}

// ---- bad input ------------------------------------------------------------------------------------

std::vector<std::byte> with_signature(const unsigned char (&magic)[8], std::size_t garbage, unsigned seed) {
  std::vector<std::byte> bytes(8);
  std::memcpy(bytes.data(), magic, 8);
  const auto tail = random_bytes(garbage, seed);
  bytes.insert(bytes.end(), tail.begin(), tail.end());
  return bytes;
}

constexpr unsigned char kEwf1[8] = {'E', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00};

TEST(ImageOpenErrors, AMissingPathIsNotFoundNamingIt) {
  TempDir tmp;
  const auto path = tmp / "no-such-image.dd";
  auto opened = open_image(path);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, Errc::not_found);
  EXPECT_TRUE(contains(opened.error().message, path.string())) << opened.error().message;
}

TEST(ImageOpenErrors, AnEmptyFileIsUnsupported) {
  TempDir tmp;
  for (const char* name : {"empty.dd", "empty.E01", "empty.001"}) {
    write_file_bytes(tmp / name, {});
    auto opened = open_image(tmp / name);
    ASSERT_FALSE(opened.ok()) << name;
    EXPECT_EQ(opened.error().code, Errc::unsupported) << name;
    EXPECT_TRUE(contains(opened.error().message, (tmp / name).string())) << opened.error().message;
    EXPECT_TRUE(contains(opened.error().message, "empty file")) << opened.error().message;
  }
}

TEST(ImageOpenErrors, ADirectoryIsRefused) {
  TempDir tmp;
  auto opened = open_image(tmp.path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, Errc::invalid_argument);
  EXPECT_TRUE(contains(opened.error().message, tmp.path().string())) << opened.error().message;
  EXPECT_TRUE(contains(opened.error().message, "directory")) << opened.error().message;
}

TEST(ImageOpenErrors, EwfSignatureFollowedByGarbageIsCorrupt) {
  TempDir tmp;
  const std::vector<std::pair<std::string, std::vector<std::byte>>> cases = {
      {"garbage.E01", with_signature(kEwf1, 5000, 11)},
      {"garbage.bin", with_signature(kEwf1, 5000, 12)},    // not an EWF segment name: content decides
      {"signature-only.E01", with_signature(kEwf1, 0, 13)},
  };
  for (const auto& [name, bytes] : cases) {
    write_file_bytes(tmp / name, bytes);
    auto opened = open_image(tmp / name);
    ASSERT_FALSE(opened.ok()) << name;
    EXPECT_EQ(opened.error().code, Errc::corrupt) << name << ": " << opened.error().message;
    EXPECT_TRUE(contains(opened.error().message, (tmp / name).string())) << opened.error().message;
  }
}

TEST(ImageOpenErrors, LogicalAndEwf2ContainersAreUnsupported) {
  TempDir tmp;
  constexpr unsigned char kLwf1[8] = {'L', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00};
  constexpr unsigned char kEwf2[8] = {'E', 'V', 'F', '2', 0x0d, 0x0a, 0x81, 0x00};
  constexpr unsigned char kLwf2[8] = {'L', 'E', 'F', '2', 0x0d, 0x0a, 0x81, 0x00};
  write_file_bytes(tmp / "files.L01", with_signature(kLwf1, 100, 14));
  write_file_bytes(tmp / "files.Lx01", with_signature(kLwf2, 100, 15));
  write_file_bytes(tmp / "disk.Ex01", with_signature(kEwf2, 100, 16));
  for (const char* name : {"files.L01", "files.Lx01"}) {
    auto opened = open_image(tmp / name);
    ASSERT_FALSE(opened.ok()) << name;
    EXPECT_EQ(opened.error().code, Errc::unsupported);
    EXPECT_TRUE(contains(opened.error().message, (tmp / name).string())) << opened.error().message;
    EXPECT_TRUE(contains(opened.error().message, "logical evidence file")) << opened.error().message;
  }
  auto ex01 = open_image(tmp / "disk.Ex01");
  ASSERT_FALSE(ex01.ok());
  EXPECT_EQ(ex01.error().code, Errc::unsupported);
  EXPECT_TRUE(contains(ex01.error().message, "Ex01")) << ex01.error().message;
}

TEST(ImageOpenErrors, CorpusBogusE01IsAnEmptyFile) {
  FERRET_REQUIRE_CORPUS_FILE(bogus, "sleuthkit/test/data/bogus.E01");
  auto opened = open_image(bogus);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, Errc::unsupported);
  EXPECT_TRUE(contains(opened.error().message, "bogus.E01")) << opened.error().message;
}

// ---- E01 from the corpus --------------------------------------------------------------------------

struct E01Case {
  const char* name;  // test-name suffix
  const char* path;  // under the corpus
  std::uint64_t size;
  std::size_t segments;
  const char* case_number;
  const char* evidence_number;
  const char* examiner;
  const char* description;
  const char* notes;
  const char* acquired_at_raw;
  const char* acquired_at;
  const char* software;
  const char* os;
  const char* md5;
  const char* sha1;         // stored SHA-1, or nullptr when the image stores none
  const char* media_sha1;   // SHA-1 of the media (MANIFEST / computed by ewfverify), or nullptr
};

// Values as printed by ewfinfo 20140813.
const E01Case kE01Cases[] = {
    {"plaso_image", "plaso/test_data/image.E01", 102400, 1, "PyVFS", "image.dd", "John Doe", "Test image for PyVFS",
     "Notes on test image for PyVFS", "Tue Dec 10 11:28:38 2013", "2013-12-10T11:28:38Z", "20131210", "Linux",
     "d73c51f10c7ee6a681b7b619ccc6f1c4", nullptr, nullptr},
    {"plaso_image_split", "plaso/test_data/image-split.E01", 1474560, 2, "Case", "Evidence", "John", "Description",
     "dfVFS split EWF-E01 test file", "Sun Apr 20 05:56:50 2014", "2014-04-20T05:56:50Z", "20140406", "Linux",
     "38ea5af8a80e16e46c095c9110242fc0", nullptr, nullptr},
    {"dfvfs_ext2", "dfvfs/test_data/ext2.E01", 4194304, 1, "case", "evidence", "examiner", "description", "notes",
     "Thu Jul 22 15:33:18 2021", "2021-07-22T15:33:18Z", "20140812", "Linux", "196066add11fb71c4c49cf1bb50d6d24",
     nullptr, "4766c63c7acd5175015e3e8b90013a827e63f4ee"},
    {"dfvfs_ext2_split", "dfvfs/test_data/ext2.split.E01", 4194304, 2, "case", "evidence", "examiner", "description",
     "notes", "Thu Jul 22 15:33:30 2021", "2021-07-22T15:33:30Z", "20140812", "Linux",
     "196066add11fb71c4c49cf1bb50d6d24", nullptr, "4766c63c7acd5175015e3e8b90013a827e63f4ee"},
    {"sleuthkit_image", "sleuthkit/test/data/image.E01", 102400, 1, "", "", "", "", "", "Mon Jun 10 15:11:25 2019",
     "2019-06-10T15:11:25Z", "20140406", "Linux", "3ebb0b7dcd6b5fcd59a0020625d70994", nullptr,
     "c1a78cd2f000a03d03ad7ff505033001efe17274"},
    {"sleuthkit_mmls", "sleuthkit/test/data/imageformat_mmls_1.E01", 62915072, 1, "1", "1", "Rishwanth",
     "Test E01 for sleuthkit", "Used to test sleuthkit libraries", "Wed May 16 15:05:08 2018", "2018-05-16T15:05:08Z",
     "ADI2.9.0.13", "Windows 200x", "8ec671e301095c258224aad701740503", "067bc6ab29685ee19b0cf82c9d15ac510d1e7d95",
     "067bc6ab29685ee19b0cf82c9d15ac510d1e7d95"},
};

class ImageE01 : public ::testing::TestWithParam<E01Case> {};

TEST_P(ImageE01, FormatSizeAndSegmentsEqualEwfinfo) {
  const E01Case& c = GetParam();
  FERRET_REQUIRE_CORPUS_FILE(path, c.path);
  auto opened = open_image(path);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const ImageSource& img = **opened;
  EXPECT_EQ(img.format(), Format::e01);
  EXPECT_STREQ(format_name(img.format()), "e01");
  EXPECT_EQ(img.size(), c.size);
  EXPECT_EQ(img.sector_size(), 512u);
  const auto segments = img.segments();
  ASSERT_EQ(segments.size(), c.segments);
  EXPECT_EQ(segments.front(), path);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    EXPECT_EQ(segments[i].extension().string(), ".E0" + std::to_string(i + 1)) << segments[i];
  }
}

TEST_P(ImageE01, AcquisitionMetadataEqualsEwfinfo) {
  const E01Case& c = GetParam();
  FERRET_REQUIRE_CORPUS_FILE(path, c.path);
  auto opened = open_image(path);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const AcquisitionInfo* info = (*opened)->acquisition();
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->case_number, c.case_number);
  EXPECT_EQ(info->evidence_number, c.evidence_number);
  EXPECT_EQ(info->examiner, c.examiner);
  EXPECT_EQ(info->description, c.description);
  EXPECT_EQ(info->notes, c.notes);
  EXPECT_EQ(info->acquired_at_raw, c.acquired_at_raw);
  EXPECT_EQ(info->acquired_at, c.acquired_at);
  EXPECT_EQ(info->acquisition_software, c.software);
  EXPECT_EQ(info->acquisition_os, c.os);
  EXPECT_EQ(info->stored_md5, std::optional<std::string>(c.md5));
  EXPECT_EQ(info->stored_sha1, c.sha1 ? std::optional<std::string>(c.sha1) : std::nullopt);
}

TEST_P(ImageE01, BytesReadHashToTheStoredDigests) {
  const E01Case& c = GetParam();
  FERRET_REQUIRE_CORPUS_FILE(path, c.path);
  auto opened = open_image(path);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const auto* info = (*opened)->acquisition();
  ASSERT_NE(info, nullptr);
  ASSERT_TRUE(info->stored_md5.has_value());
  EXPECT_EQ(digest_via_read_at(**opened, hash::Algorithm::md5), *info->stored_md5);
  EXPECT_EQ(*info->stored_md5, c.md5);
  if (c.media_sha1 != nullptr) {
    // An odd chunk size, so reads start and end inside EWF chunks.
    EXPECT_EQ(digest_via_read_at(**opened, hash::Algorithm::sha1, 100000), c.media_sha1);
  }
}

TEST_P(ImageE01, ReadsAtTheEnd) {
  const E01Case& c = GetParam();
  FERRET_REQUIRE_CORPUS_FILE(path, c.path);
  auto opened = open_image(path);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(read_bytes(**opened, c.size - 1, 16).size(), 1u);
  EXPECT_EQ(read_bytes(**opened, c.size - 700, 4096).size(), 700u);
  EXPECT_TRUE(read_bytes(**opened, c.size, 16).empty());
  EXPECT_TRUE(read_bytes(**opened, c.size + 1, 16).empty());
}

INSTANTIATE_TEST_SUITE_P(ImageCorpus, ImageE01, ::testing::ValuesIn(kE01Cases),
                         [](const ::testing::TestParamInfo<E01Case>& p) { return std::string(p.param.name); });

// E01 images whose media is also in the corpus as a raw or split-raw image.
struct E01RawPair {
  const char* name;
  const char* e01;
  const char* raw;
};

const E01RawPair kE01RawPairs[] = {
    {"sleuthkit_image", "sleuthkit/test/data/image.E01", "sleuthkit/test/data/image.dd"},
    {"plaso_image_split", "plaso/test_data/image-split.E01", "plaso/test_data/tsk_volume_system.raw"},
    {"dfvfs_ext2", "dfvfs/test_data/ext2.E01", "dfvfs/test_data/ext2.splitraw.000"},
    {"dfvfs_ext2_split", "dfvfs/test_data/ext2.split.E01", "dfvfs/test_data/ext2.splitraw.000"},
};

class ImageE01Raw : public ::testing::TestWithParam<E01RawPair> {};

TEST_P(ImageE01Raw, BytesEqualTheRawCounterpart) {
  FERRET_REQUIRE_CORPUS_FILE(e01_path, GetParam().e01);
  FERRET_REQUIRE_CORPUS_FILE(raw_path, GetParam().raw);
  auto e01 = open_image(e01_path);
  auto raw = open_image(raw_path);
  ASSERT_TRUE(e01.ok()) << e01.error().message;
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  ASSERT_EQ((*e01)->size(), (*raw)->size());
  const auto expected = read_all(**raw, 1 << 20);
  ASSERT_EQ(expected.size(), (*raw)->size());
  EXPECT_TRUE(read_all(**e01, 7777) == expected) << "E01 bytes differ from " << raw_path;
  EXPECT_EQ(concurrent_mismatches(**e01, expected, 4, 1000, 8192), 0);
}

INSTANTIATE_TEST_SUITE_P(ImageCorpus, ImageE01Raw, ::testing::ValuesIn(kE01RawPairs),
                         [](const ::testing::TestParamInfo<E01RawPair>& p) { return std::string(p.param.name); });

TEST(ImageE01Renamed, ContentNotExtensionDecides) {
  FERRET_REQUIRE_CORPUS_FILE(e01, "plaso/test_data/image.E01");
  TempDir tmp;
  for (const char* name : {"seized.img", "seized"}) {
    fs::copy_file(e01, tmp / name);
    auto opened = open_image(tmp / name);
    ASSERT_TRUE(opened.ok()) << name << ": " << opened.error().message;
    EXPECT_EQ((*opened)->format(), Format::e01) << name;
    EXPECT_EQ((*opened)->size(), 102400u);
    EXPECT_EQ((*opened)->segments(), std::vector<fs::path>{tmp / name});
    ASSERT_NE((*opened)->acquisition(), nullptr);
    EXPECT_EQ((*opened)->acquisition()->case_number, "PyVFS");
    EXPECT_EQ(digest_via_read_at(**opened, hash::Algorithm::md5), "d73c51f10c7ee6a681b7b619ccc6f1c4");
  }
}

// ---- damaged E01 ----------------------------------------------------------------------------------

// Reads the medium sector by sector: every read either fails as unreadable naming its offset and the
// file, or returns exactly the bytes of `expected`. Returns the number of unreadable sectors.
std::size_t check_sectors_real_or_unreadable(const ImageSource& img, const std::vector<std::byte>& expected,
                                             const fs::path& file) {
  std::size_t unreadable = 0;
  std::vector<std::byte> buf(512);
  for (std::uint64_t offset = 0; offset < img.size(); offset += 512) {
    auto got = img.read_at(offset, buf);
    if (!got.ok()) {
      EXPECT_EQ(got.error().code, Errc::unreadable) << got.error().message;
      EXPECT_TRUE(contains(got.error().message, "byte offset " + std::to_string(offset))) << got.error().message;
      EXPECT_TRUE(contains(got.error().message, file.string())) << got.error().message;
      ++unreadable;
      continue;
    }
    EXPECT_EQ(*got, 512u);
    EXPECT_EQ(std::memcmp(buf.data(), expected.data() + offset, 512), 0) << "made-up bytes at offset " << offset;
  }
  return unreadable;
}

TEST(ImageE01Damaged, TruncatedCopyOpensButItsMissingChunksAreUnreadable) {
  FERRET_REQUIRE_CORPUS_FILE(e01, "sleuthkit/test/data/image.E01");
  FERRET_REQUIRE_CORPUS_FILE(dd, "sleuthkit/test/data/image.dd");
  TempDir tmp;
  auto bytes = read_file_bytes(e01);
  bytes.resize(bytes.size() / 2);
  const auto cut = tmp / "cut.E01";
  write_file_bytes(cut, bytes);

  // libewf 20140813 opens a segment cut in half (its header sections are intact), but the chunk
  // table and the hash section are gone: no chunk can be located (ewfverify: sectors 0-199 bad).
  auto opened = open_image(cut);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const ImageSource& img = **opened;
  EXPECT_EQ(img.format(), Format::e01);
  EXPECT_EQ(img.size(), 102400u);
  ASSERT_NE(img.acquisition(), nullptr);
  EXPECT_EQ(img.acquisition()->stored_md5, std::nullopt);

  std::vector<std::byte> buf(4096);
  for (int attempt = 0; attempt < 2; ++attempt) {  // the second read of a flagged chunk fails too
    auto got = img.read_at(0, buf);
    ASSERT_FALSE(got.ok()) << "attempt " << attempt;
    EXPECT_EQ(got.error().code, Errc::unreadable);
    EXPECT_TRUE(contains(got.error().message, "byte offset 0 (" + cut.string() + ")")) << got.error().message;
  }
  EXPECT_EQ(check_sectors_real_or_unreadable(img, read_file_bytes(dd), cut), 200u);
}

TEST(ImageE01Damaged, TruncatedCompressedCopyNeverReturnsMadeUpBytes) {
  FERRET_REQUIRE_CORPUS_FILE(e01, "dfvfs/test_data/ext2.E01");
  FERRET_REQUIRE_CORPUS_FILE(raw, "dfvfs/test_data/ext2.splitraw.000");
  TempDir tmp;
  auto bytes = read_file_bytes(e01);
  bytes.resize(bytes.size() / 2);
  const auto cut = tmp / "cut.E01";
  write_file_bytes(cut, bytes);
  auto opened = open_image(cut);
  if (!opened.ok()) {  // refusing is fine too, as long as it says why
    EXPECT_EQ(opened.error().code, Errc::corrupt);
    EXPECT_TRUE(contains(opened.error().message, cut.string())) << opened.error().message;
    return;
  }
  auto raw_img = open_image(raw);
  ASSERT_TRUE(raw_img.ok()) << raw_img.error().message;
  const auto expected = read_all(**raw_img, 1 << 20);
  // ewfverify: sectors 0-8191 (all of them) fail.
  EXPECT_EQ(check_sectors_real_or_unreadable(**opened, expected, cut), 8192u);
}

TEST(ImageE01Damaged, MissingLastSegmentMakesItsSectorsUnreadable) {
  FERRET_REQUIRE_CORPUS_FILE(e01, "plaso/test_data/image-split.E01");
  FERRET_REQUIRE_CORPUS_FILE(raw, "plaso/test_data/tsk_volume_system.raw");
  TempDir tmp;
  const auto lone = tmp / "image-split.E01";
  fs::copy_file(e01, lone);  // without image-split.E02

  auto opened = open_image(lone);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const ImageSource& img = **opened;
  EXPECT_EQ(img.size(), 1474560u);
  EXPECT_EQ(img.segments(), std::vector<fs::path>{lone});
  ASSERT_NE(img.acquisition(), nullptr);
  EXPECT_EQ(img.acquisition()->stored_md5, std::nullopt);  // the hash section was in the E02

  const auto expected = read_file_bytes(raw);
  // ewfverify on the lone E01: sectors 1984-2879 are missing, i.e. bytes [1015808, 1474560).
  EXPECT_EQ(read_bytes(img, 0, 1015808), slice(expected, 0, 1015808));
  std::vector<std::byte> buf(1024);
  auto across = img.read_at(1015808 - 512, buf);
  ASSERT_FALSE(across.ok());
  EXPECT_EQ(across.error().code, Errc::unreadable);
  EXPECT_TRUE(contains(across.error().message, "byte offset 1015808 (" + lone.string() + ")")) << across.error().message;
  EXPECT_EQ(check_sectors_real_or_unreadable(img, expected, lone), 2880u - 1984u);

  // What the ingest does with it: the missing range is reported, not hashed as if it were evidence.
  auto hashed = hash::hash_media(img);
  ASSERT_TRUE(hashed.ok()) << hashed.error().message;
  ASSERT_EQ(hashed->unreadable.size(), 1u);
  EXPECT_EQ(hashed->unreadable[0].offset, 1015808u);
  EXPECT_EQ(hashed->unreadable[0].length, 1474560u - 1015808u);
}

TEST(ImageE01Damaged, AChunkFailingItsChecksumIsUnreadable) {
  FERRET_REQUIRE_CORPUS_FILE(e01, "sleuthkit/test/data/image.E01");  // uncompressed chunks
  FERRET_REQUIRE_CORPUS_FILE(dd, "sleuthkit/test/data/image.dd");
  TempDir tmp;
  auto bytes = read_file_bytes(e01);
  bytes[50000] ^= std::byte{0x55};  // inside the stored data of the 2nd chunk (sectors 64-127)
  const auto flipped = tmp / "flipped.E01";
  write_file_bytes(flipped, bytes);

  auto opened = open_image(flipped);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const auto expected = read_file_bytes(dd);
  EXPECT_EQ(read_bytes(**opened, 0, 32768), slice(expected, 0, 32768));
  EXPECT_EQ(read_bytes(**opened, 65536, 102400 - 65536), slice(expected, 65536, 102400 - 65536));
  std::vector<std::byte> buf(65536);
  auto got = (*opened)->read_at(0, buf);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Errc::unreadable);
  EXPECT_TRUE(contains(got.error().message, "byte offset 32768 (" + flipped.string() + ")")) << got.error().message;
  EXPECT_EQ(check_sectors_real_or_unreadable(**opened, expected, flipped), 64u);
}

}  // namespace
}  // namespace ferret::image
