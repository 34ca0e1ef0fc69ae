// RIFF validator: real AVI, WAV and WebP files, odd chunks, OpenDML AVIX extensions, lying sizes.
#include <chrono>

#include "carve/formats/formats.h"
#include "format_test_support.h"

namespace ferret::carve::test {
namespace {

using formats::validate_riff;

struct Case {
  const char* name;
  const char* type;
};
const Case kRiffs[] = {{"riff-mjpeg.avi", "avi"}, {"riff-sine.wav", "wav"}, {"riff-odd-chunk.wav", "wav"},
                       {"riff-lossy.webp", "webp"}, {"riff-lossless.webp", "webp"}};

TEST(RiffValidator, CompleteBeforeZerosRandomAndAnotherFile) {
  FERRET_FIXTURE(other, "riff-sine.wav");
  for (const Case& c : kRiffs) {
    SCOPED_TRACE(c.name);
    FERRET_FIXTURE(riff, c.name);
    expect_complete_before_fillers(validate_riff, riff, other, c.type, c.type);
  }
}

TEST(RiffValidator, TruncatedIsNeverCompleteWithAWrongLength) {
  for (const Case& c : kRiffs) {
    SCOPED_TRACE(c.name);
    FERRET_FIXTURE(riff, c.name);
    // Sample data has no structure: a WAV cut inside its data chunk and followed by filler still
    // has 8 + size bytes. AVI and WebP end in structure (idx1, the VP8 chunk end) but only partly.
    expect_truncations_not_complete(validate_riff, riff, Truncation{.filler_detected = false});
  }
}

TEST(RiffValidator, AviCutBeforeItsIndexIsNotComplete) {
  FERRET_FIXTURE(avi, "riff-mjpeg.avi");
  const std::string_view s(reinterpret_cast<const char*>(avi.data()), avi.size());
  const std::size_t idx1 = s.rfind("idx1");
  ASSERT_NE(idx1, std::string_view::npos);
  for (Filler f : kFillers) {
    const Verdict v = run(validate_riff, followed_by(std::span<const std::uint8_t>(avi).subspan(0, idx1 + 2), f, 20000));
    EXPECT_EQ(v.status, Status::partial) << filler_name(f) << ": " << describe(v);
    EXPECT_EQ(v.length, idx1) << filler_name(f);
  }
}

// An AVI RIFF followed by two RIFF AVIX extension chunks, as OpenDML writes past 1 GB.
Buffer with_avix(const Buffer& avi, int count) {
  Buffer out = avi;
  for (int i = 0; i < count; ++i) {
    Buffer x = bytes_of(std::string_view("RIFF....AVIXLIST....movi00dc\x04\0\0\0" "abcd", 36));
    put_u32le(x, 4, static_cast<std::uint32_t>(x.size() - 8));
    put_u32le(x, 16, static_cast<std::uint32_t>(x.size() - 20));
    out.insert(out.end(), x.begin(), x.end());
  }
  return out;
}

TEST(RiffValidator, OpenDmlAvixChunksBelongToTheAvi) {
  FERRET_FIXTURE(avi, "riff-mjpeg.avi");
  const Buffer big = with_avix(avi, 2);
  for (Filler f : kFillers) {
    const Verdict v = run(validate_riff, followed_by(big, f));
    EXPECT_EQ(v.status, Status::complete) << describe(v);
    EXPECT_EQ(v.length, big.size());
  }
  // A truncated extension makes the whole item partial.
  const Verdict cut = run(validate_riff, std::span<const std::uint8_t>(big).subspan(0, big.size() - 3));
  EXPECT_EQ(cut.status, Status::partial) << describe(cut);
  // A WAV is never extended by a following AVIX.
  FERRET_FIXTURE(wav, "riff-sine.wav");
  Buffer w = with_avix(wav, 1);
  EXPECT_EQ(run(validate_riff, w).length, wav.size());
}

TEST(RiffValidator, LyingSizesAreFastAndNotComplete) {
  FERRET_FIXTURE(wav, "riff-sine.wav");
  Buffer buf = followed_by(wav, Filler::random);
  put_u32le(buf, 4, 0xFFFFFFF0u);  // RIFF claims 4 GB
  Verdict v = run(validate_riff, buf);
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_EQ(v.length, wav.size());
  // The data chunk claims 4 GB over an 8 GiB space of zeros.
  Buffer head = wav;
  const std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
  put_u32le(head, s.find("data") + 4, 0xFFFFFFF0u);
  HugeBytes huge(head, 8ull << 30);
  const auto start = std::chrono::steady_clock::now();
  v = validate_riff(huge, Limits{});
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), time_budget(2.0));
  EXPECT_NE(v.status, Status::complete) << describe(v);
}

TEST(RiffValidator, ChanceMatchesAreRejected) {
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Buffer buf = random_bytes(1024, seed);
    std::copy_n("RIFF", 4, buf.begin());
    EXPECT_NE(run(validate_riff, buf).status, Status::complete) << seed;
  }
}

TEST(RiffValidator, OverwrittenMiddleIsNeverCompleteWithAWrongLength) {
  for (const Case& c : kRiffs) {
    SCOPED_TRACE(c.name);
    FERRET_FIXTURE(riff, c.name);
    expect_overwrites_never_misjudged(validate_riff, riff, 32);
  }
}

TEST(RiffValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const Case& c : kRiffs) seeds.push_back(read_fixture(c.name));
  fuzz_validator(validate_riff, seeds, "RIFF", 0x2FF);
}

}  // namespace
}  // namespace ferret::carve::test
