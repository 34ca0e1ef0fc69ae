// ZIP validator: Info-ZIP (plain, ZIP64), streamed data descriptors, typed containers, comments.
#include <zlib.h>

#include <chrono>

#include "carve/formats/formats.h"
#include "format_test_support.h"

namespace ferret::carve::test {
namespace {

using formats::validate_zip;

struct Case {
  const char* name;
  const char* type;
};
const Case kZips[] = {{"zip-infozip.zip", "zip"},       {"zip-zip64.zip", "zip"},          {"zip-data-descriptor.zip", "zip"},
                      {"zip-commented.zip", "zip"},     {"zip-office.docx", "docx"},       {"zip-office.xlsx", "xlsx"},
                      {"zip-office.pptx", "pptx"},      {"zip-mimetype.odt", "odt"},       {"zip-mimetype.ods", "ods"},
                      {"zip-mimetype.epub", "epub"},    {"zip-app.jar", "jar"},            {"zip-app.apk", "apk"}};

std::size_t find(const Buffer& b, std::string_view needle) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size()).find(needle);
}

TEST(ZipValidator, CompleteBeforeZerosRandomAndAnotherFileWithItsType) {
  FERRET_FIXTURE(other, "zip-infozip.zip");  // a following ZIP starts with PK 03 04 too
  for (const Case& c : kZips) {
    SCOPED_TRACE(c.name);
    FERRET_FIXTURE(zip, c.name);
    expect_complete_before_fillers(validate_zip, zip, other, c.type, c.type);
  }
}

TEST(ZipValidator, TruncatedIsNeverComplete) {
  for (const Case& c : kZips) {
    SCOPED_TRACE(c.name);
    FERRET_FIXTURE(zip, c.name);
    // From the end record's central directory offset on (its high bytes are zeros), the comment
    // length and the comment: filler in their place may read as a valid shorter archive.
    const std::size_t eocd = std::string_view(reinterpret_cast<const char*>(zip.data()), zip.size()).rfind("PK\x05\x06");
    ASSERT_NE(eocd, std::string::npos);
    expect_truncations_not_complete(validate_zip, zip, Truncation{.cuts = 40, .filler_blind_tail = zip.size() - (eocd + 16)});
  }
}

TEST(ZipValidator, MissingCentralDirectoryIsPartialAfterTheLocalEntries) {
  FERRET_FIXTURE(zip, "zip-infozip.zip");
  const std::size_t cd = find(zip, "PK\x01\x02");
  ASSERT_NE(cd, std::string::npos);
  for (Filler f : kFillers) {
    const Verdict v = run(validate_zip, followed_by(std::span<const std::uint8_t>(zip).subspan(0, cd), f));
    EXPECT_EQ(v.status, Status::partial) << filler_name(f) << ": " << describe(v);
    EXPECT_EQ(v.length, cd) << filler_name(f);
  }
}

TEST(ZipValidator, EncryptedMembersAreStillWalked) {
  FERRET_FIXTURE(zip, "zip-infozip.zip");
  Buffer buf = zip;
  // Set the encryption flag in every local and central header: only structure is checked.
  for (std::size_t i = 0; i + 4 < buf.size(); ++i) {
    if (buf[i] == 'P' && buf[i + 1] == 'K' && buf[i + 2] == 3 && buf[i + 3] == 4) buf[i + 6] |= 1;
    if (buf[i] == 'P' && buf[i + 1] == 'K' && buf[i + 2] == 1 && buf[i + 3] == 2) buf[i + 8] |= 1;
  }
  const Verdict v = run(validate_zip, followed_by(buf, Filler::random));
  EXPECT_EQ(v.status, Status::complete) << describe(v);
  EXPECT_EQ(v.length, zip.size());
}

TEST(ZipValidator, CentralEntryPointingNowhereIsPartial) {
  FERRET_FIXTURE(zip, "zip-infozip.zip");
  Buffer buf = zip;
  const std::size_t cd = find(buf, "PK\x01\x02");
  buf[cd + 42] += 1;  // the local header offset
  EXPECT_EQ(run(validate_zip, buf).status, Status::partial);
}

TEST(ZipValidator, MiddleOverwrittenIsNeverCompleteWithAWrongLength) {
  for (const Case& c : kZips) {
    FERRET_FIXTURE(zip, c.name);
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      Buffer buf = followed_by(zip, Filler::zeros);
      overwrite_random(buf, zip.size() * seed / 21, 32, seed);
      const Verdict v = run(validate_zip, buf);
      if (v.status == Status::complete) {
        EXPECT_EQ(v.length, zip.size()) << c.name << " seed " << seed;
      }
    }
  }
}

TEST(ZipValidator, LyingSizesAreFastAndNotComplete) {
  FERRET_FIXTURE(zip, "zip-infozip.zip");
  Buffer head = zip;
  put_u32le(head, 18, 0xFFFFFFF0u);  // first member's compressed size: 4 GB
  HugeBytes huge(head, 8ull << 30);
  auto start = std::chrono::steady_clock::now();
  Verdict v = validate_zip(huge, Limits{});
  EXPECT_NE(v.status, Status::complete) << describe(v);
  // A streamed member whose descriptor never comes: the search for it is bounded by the space.
  FERRET_FIXTURE(dd, "zip-data-descriptor.zip");
  HugeBytes huge_dd(Buffer(dd.begin(), dd.begin() + 60), 8ull << 30, 0x00);
  v = validate_zip(huge_dd, Limits{});
  EXPECT_NE(v.status, Status::complete) << describe(v);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), time_budget(6.0));
}

TEST(ZipValidator, Zip64SizeThatWouldWrapAroundIsNotFollowed) {
  FERRET_FIXTURE(zip, "zip-zip64.zip");
  Buffer buf = zip;
  // The first member's ZIP64 extra holds its sizes (both 32-bit fields are all ones): make the
  // compressed size 2^64 - (data offset), which would wrap back to the archive's start.
  const std::size_t name_len = buf[26] | buf[27] << 8;
  const std::size_t extra = 30 + name_len, data = extra + (buf[28] | buf[29] << 8);
  ASSERT_EQ(buf[extra], 1);
  const std::uint64_t wrap = ~static_cast<std::uint64_t>(data) + 1;
  for (int i = 0; i < 8; ++i) buf[extra + 12 + i] = static_cast<std::uint8_t>(wrap >> (8 * i));
  const Verdict v = run(validate_zip, buf);
  EXPECT_NE(v.status, Status::complete) << describe(v);
}

TEST(ZipValidator, ChanceMatchesAreRejected) {
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Buffer buf = random_bytes(1024, seed);
    std::copy_n("PK\x03\x04", 4, buf.begin());
    EXPECT_NE(run(validate_zip, buf).status, Status::complete) << seed;
  }
}

// A ZIP whose one stored member is streamed: sizes in a data descriptor after `n` random bytes.
Buffer streamed_zip(std::size_t n) {
  Buffer out;
  auto u16 = [&](std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
  };
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  const std::string_view name = "big.bin";
  const Buffer data = random_bytes(n, 5);
  const auto crc = static_cast<std::uint32_t>(crc32(0L, data.data(), static_cast<uInt>(n)));
  const auto size = static_cast<std::uint32_t>(n);
  u32(0x04034b50); u16(20); u16(8); u16(0); u16(0); u16(0); u32(0); u32(0); u32(0);
  u16(static_cast<std::uint32_t>(name.size())); u16(0);
  out.insert(out.end(), name.begin(), name.end());
  out.insert(out.end(), data.begin(), data.end());
  u32(0x08074b50); u32(crc); u32(size); u32(size);
  const auto cd = static_cast<std::uint32_t>(out.size());
  u32(0x02014b50); u16(20); u16(20); u16(8); u16(0); u16(0); u16(0); u32(crc); u32(size); u32(size);
  u16(static_cast<std::uint32_t>(name.size())); u16(0); u16(0); u16(0); u16(0); u32(0); u32(0);
  out.insert(out.end(), name.begin(), name.end());
  const auto cd_size = static_cast<std::uint32_t>(out.size()) - cd;
  u32(0x06054b50); u16(0); u16(0); u16(1); u16(1); u32(cd_size); u32(cd); u16(0);
  return out;
}

TEST(ZipValidator, StreamedMemberAcrossManyViewsFindsItsDescriptor) {
  for (std::size_t n : {kMaxView - 40, kMaxView * 3 + 17}) {
    const Buffer zip = streamed_zip(n);
    for (Filler f : kFillers) {
      const Verdict v = run(validate_zip, followed_by(zip, f));
      EXPECT_EQ(v.status, Status::complete) << n << " " << describe(v);
      EXPECT_EQ(v.length, zip.size()) << n;
    }
    // Without its descriptor (cut inside the data, zeros after) it is partial, up to nothing proven.
    const Verdict cut = run(validate_zip, followed_by(std::span<const std::uint8_t>(zip).subspan(0, n / 2), Filler::zeros, 3 << 20));
    EXPECT_NE(cut.status, Status::complete) << describe(cut);
  }
}

TEST(ZipValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const Case& c : kZips) seeds.push_back(read_fixture(c.name));
  fuzz_validator(validate_zip, seeds, "PK\x03\x04", 0x21F);
}

}  // namespace
}  // namespace ferret::carve::test
