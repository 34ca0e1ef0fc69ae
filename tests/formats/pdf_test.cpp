// PDF validator: a Ghostscript file, the same with an incremental update, an xref-stream file.
#include <chrono>
#include <cstdio>

#include "carve/formats/formats.h"
#include "format_test_support.h"

namespace ferret::carve::test {
namespace {

using formats::validate_pdf;

const char* const kPdfs[] = {"pdf-ghostscript.pdf", "pdf-incremental.pdf", "pdf-xref-stream.pdf"};

std::size_t find(const Buffer& b, std::string_view needle, std::size_t from = 0) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size()).find(needle, from);
}

TEST(PdfValidator, CompleteBeforeZerosRandomAndAnotherFile) {
  FERRET_FIXTURE(other, "pdf-xref-stream.pdf");
  for (const char* name : kPdfs) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(pdf, name);
    expect_complete_before_fillers(validate_pdf, pdf, other, "pdf", "pdf");
  }
}

TEST(PdfValidator, TruncatedIsNeverComplete) {
  for (const char* name : kPdfs) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(pdf, name);
    // The end-of-line after the last %%EOF is optional: a file without it is whole.
    expect_truncations_not_complete(validate_pdf, pdf, Truncation{.optional_tail = 1});
  }
}

TEST(PdfValidator, IncrementalUpdateExtendsToTheLastEof) {
  FERRET_FIXTURE(base, "pdf-ghostscript.pdf");
  FERRET_FIXTURE(pdf, "pdf-incremental.pdf");
  ASSERT_EQ(find(pdf, "%%EOF"), base.size() - 6);  // the first %%EOF ends the original body
  for (Filler f : kFillers) {
    const Verdict v = run(validate_pdf, followed_by(pdf, f, 8192, base));
    EXPECT_EQ(v.status, Status::complete) << describe(v);
    EXPECT_EQ(v.length, pdf.size());
  }
  // The update cut short: the original body alone is not the whole document.
  const Verdict v = run(validate_pdf, followed_by(std::span<const std::uint8_t>(pdf).subspan(0, base.size() + 40), Filler::zeros));
  EXPECT_EQ(v.status, Status::partial) << describe(v);
  EXPECT_EQ(v.length, base.size());
}

TEST(PdfValidator, StartxrefMustPointAtAnXref) {
  for (const char* name : kPdfs) {
    FERRET_FIXTURE(pdf, name);
    Buffer buf = pdf;
    const std::size_t sx = std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()).rfind("startxref");
    ASSERT_NE(sx, std::string::npos);
    buf[sx + 10] = buf[sx + 10] == '1' ? '2' : '1';  // first digit of the offset
    const Verdict v = run(validate_pdf, buf);
    EXPECT_EQ(v.status, Status::partial) << name << ": " << describe(v);
    EXPECT_EQ(v.length, pdf.size()) << name;
  }
}

TEST(PdfValidator, EofFollowedByAnotherPdfEndsTheItem) {
  FERRET_FIXTURE(a, "pdf-xref-stream.pdf");
  FERRET_FIXTURE(b, "pdf-ghostscript.pdf");
  Buffer buf = a;
  buf.insert(buf.end(), b.begin(), b.end());
  const Verdict v = run(validate_pdf, buf);
  EXPECT_EQ(v.status, Status::complete);
  EXPECT_EQ(v.length, a.size());
}

TEST(PdfValidator, NoEofInAHugeSpaceIsFast) {
  FERRET_FIXTURE(pdf, "pdf-ghostscript.pdf");
  const Buffer head(pdf.begin(), pdf.begin() + 300);
  for (std::uint8_t fill : {0x00, 0x41}) {
    HugeBytes huge(head, 8ull << 30, fill);
    const auto start = std::chrono::steady_clock::now();
    const Verdict v = validate_pdf(huge, Limits{});
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), time_budget(4.0));
    EXPECT_EQ(v.status, Status::partial) << describe(v);
  }
}

TEST(PdfValidator, ChanceMatchesAreRejectedOrPartial) {
  EXPECT_EQ(run(validate_pdf, bytes_of("%PDF-9.9\n%%EOF\n")).status, Status::rejected);
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    Buffer buf = random_bytes(2048, seed);
    std::copy_n("%PDF-1.4\n", 9, buf.begin());
    EXPECT_NE(run(validate_pdf, buf).status, Status::complete);
  }
}

TEST(PdfValidator, OverwrittenMiddleIsNeverCompleteWithAWrongLength) {
  for (const char* name : kPdfs) {
    SCOPED_TRACE(name);
    FERRET_FIXTURE(pdf, name);
    expect_overwrites_never_misjudged(validate_pdf, pdf, 32);
  }
}

// A PDF with a stream of `stream_len` bytes, its offsets computed, ending "%%EOF\n".
Buffer pdf_with_stream(std::size_t stream_len) {
  std::string out = "%PDF-1.4\n";
  std::vector<std::size_t> offs;
  offs.push_back(out.size());
  out += "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
  offs.push_back(out.size());
  out += "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n";
  offs.push_back(out.size());
  out += "3 0 obj\n<< /Length " + std::to_string(stream_len) + " >>\nstream\n" + std::string(stream_len, 'A') + "\nendstream\nendobj\n";
  const std::size_t xref = out.size();
  out += "xref\n0 4\n0000000000 65535 f \n";
  for (std::size_t o : offs) {
    char line[21];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
    out += line;
  }
  out += "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return bytes_of(out);
}

TEST(PdfValidator, EofAcrossAViewEdgeIsFound) {
  // Place "%%EOF" so that it straddles the first 1 MiB view.
  // (The digits of /Length and startxref move with the stream length: adjust until it lands.)
  std::size_t len = kMaxView - 1000;
  Buffer pdf = pdf_with_stream(len);
  for (int i = 0; i < 5 && pdf.size() - 6 != kMaxView - 2; ++i) pdf = pdf_with_stream(len += (kMaxView - 2) - (pdf.size() - 6));
  ASSERT_EQ(pdf.size() - 6, kMaxView - 2);
  for (Filler f : kFillers) {
    const Verdict v = run(validate_pdf, followed_by(pdf, f));
    EXPECT_EQ(v.status, Status::complete) << describe(v);
    EXPECT_EQ(v.length, pdf.size());
  }
}

TEST(PdfValidator, Fuzz) {
  std::vector<Buffer> seeds;
  for (const char* name : kPdfs) seeds.push_back(read_fixture(name));
  fuzz_validator(validate_pdf, seeds, "%PDF-1.7\n", 0x9DF);
}

}  // namespace
}  // namespace ferret::carve::test
