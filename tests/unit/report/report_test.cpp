// Reports of a small hand-made case: every format is deterministic, leaves ferret-report's own runs
// out, escapes hostile names, and is written atomically without following links.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "casedb/database.h"
#include "report/output.h"
#include "report/report.h"
#include "test_support.h"

namespace ferret::report {
namespace {

using test::TempDir;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A case with two runs, a report run (to be left out), hostile names, a deleted and a carved match.
std::filesystem::path make_case(const TempDir& tmp) {
  const auto path = tmp / "case.db";
  auto db = casedb::Database::open(path, casedb::Database::Mode::read_write_create);
  EXPECT_TRUE(db.ok());
  EXPECT_TRUE(db->migrate().ok());
  const char* sql = R"SQL(
    INSERT INTO case_info VALUES ('case_number', 'UNIT-<1>'), ('created_at', '2026-03-01T10:00:00Z'), ('created_by', 'ferret-ingest');
    INSERT INTO runs VALUES (1, 'ferret-ingest', '0.1.0', 'abc', 'ferret-ingest --case c x.raw', 'Det. <b>Example</b>', 'lab', '2026-03-01T10:00:00Z', '2026-03-01T10:00:05Z', 0, '{}');
    INSERT INTO runs VALUES (2, 'ferret-match', '0.1.0', 'abc', 'ferret-match --case c --hashset s', 'Det. <b>Example</b>', 'lab', '2026-03-01T11:00:00Z', '2026-03-01T11:00:01Z', 0, '{}');
    INSERT INTO runs VALUES (3, 'ferret-report', '0.1.0', 'abc', 'ferret-report SECRET-REPORT-MARKER', 'x', 'lab', '2026-03-09T09:09:09Z', '2026-03-09T09:09:10Z', 0, '{}');
    INSERT INTO evidence(evidence_id, path, format, size, sector_size, md5, sha1, sha256, ingest_run_id)
      VALUES (1, '/evidence/x.raw', 'raw', 1048576, 512, 'aa', 'bb', 'cc', 1);
    INSERT INTO volumes VALUES (1, 1, 65536, 983040, 'Linux (0x83)', 'ext4', '0:0', 4096, NULL);
    INSERT INTO files(file_id, evidence_id, volume_id, path, name, type, size, allocated, mtime, crtime, md5, sha1, sha256, content_state, known)
      VALUES (1, 1, 1, '/<script>alert(1)</script>.mkv', '<script>alert(1)</script>.mkv', 'file', 4096, 1, '2026-02-01T00:00:00Z', '2026-02-02T00:00:00Z', 'm1', 's1', 'h1', 'intact', 'notable'),
             (2, 1, 1, '/gone "x" & y' || char(10) || 'z.mkv', 'gone "x" & y' || char(10) || 'z.mkv', 'file', 4096, 0, '2026-02-03T00:00:00Z', NULL, 'm1', 's1', 'h1', 'intact', 'notable'),
             (3, 1, 1, '/dir', 'dir', 'dir', NULL, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
             (4, 1, 1, '/=cmd|x.txt', '=cmd|x.txt', 'file', 5, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
             (5, 1, 1, '/invoice' || char(0x202e) || 'txt.exe', 'invoice' || char(0x202e) || 'txt.exe', 'file', 4, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    INSERT INTO files(file_id, evidence_id, volume_id, origin, path, name, type, size, allocated, md5, sha1, sha256, content_state, known, carve_status, carve_type, carve_offset, carve_run_id)
      VALUES (6, 1, NULL, 'carved', '/$Carved/0000000900000.mkv', '0000000900000.mkv', 'file', 4096, 0, 'm1', 's1', 'h1', 'intact', 'notable', 'complete', 'mkv', 900000, 1);
    INSERT INTO file_runs VALUES (1, 0, 0, 200704, 4096, 0), (2, 0, 0, 204800, 4096, 0), (6, 0, 0, 900000, 4096, 0);
    INSERT INTO matches(match_id, file_id, hashset, category, algorithm, hash, title, release, rights_holder, hashset_sha256, run_id)
      VALUES (1, 1, 'Set <&>', 'notable', 'md5', 'm1', 'Night <Harbor>', 'NH.2026', 'Harbor & Co', 'ff', 2),
             (2, 2, 'Set <&>', 'notable', 'md5', 'm1', 'Night <Harbor>', 'NH.2026', 'Harbor & Co', 'ff', 2),
             (3, 6, 'Set <&>', 'notable', 'md5', 'm1', 'Night <Harbor>', 'NH.2026', 'Harbor & Co', 'ff', 2);
    INSERT INTO custody_log VALUES (1, 1, 'run-start', '{}', '00', 'e1', NULL, NULL), (2, 1, 'run-end', '{}', 'e1', 'e2', NULL, NULL),
      (3, 2, 'run-start', '{}', 'e2', 'e3', NULL, NULL), (4, 2, 'run-end', '{}', 'e3', 'e4', NULL, NULL),
      (5, 3, 'run-start', '{}', 'e4', 'e5', NULL, NULL), (6, 3, 'run-end', '{"SECRET-REPORT-MARKER":1}', 'e5', 'e6', NULL, NULL);
    INSERT INTO artifacts(artifact_id, file_id, plugin, kind, seq, plugin_version, run_id)
      VALUES (1, 1, 'torrent', 'torrent', 1, '1.0', 2), (2, 1, 'other', 'thumbnail', 1, '1.0', 2);
    INSERT INTO artifact_attributes(artifact_id, name, value, type)
      VALUES (1, 'name', '<Night> & "Harbor"', 'text'), (1, 'info_hash', 'abcd', 'hex'), (2, 'secret', 'NOT-A-LISTED-KIND', 'text'),
             (1, 'announce', 'http://tracker.example.invalid/announce', 'text');
    INSERT INTO custody_inputs VALUES (1, 1, 'image', '/evidence/x.raw', 'cc'), (3, 1, 'report', '/out/SECRET-REPORT-MARKER.html', 'dd');
  )SQL";
  const Status s = db->exec(sql);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return path;
}

std::string all_output(const ReportSummary& summary) {
  std::string out;
  for (const WrittenFile& f : summary.files) {
    out += (summary.format == Format::csv ? f.path.filename().string() + "\n" : std::string()) + slurp(f.path);
  }
  return out;
}

TEST(Report, EveryFormatGivesTheSameBytesTwiceAndLeavesReportRunsOut) {
  TempDir tmp;
  const auto db = make_case(tmp);
  for (Format format : {Format::html, Format::csv, Format::dfxml, Format::case_uco}) {
    SCOPED_TRACE(format_name(format));
    ReportOptions options;
    options.database = db;
    options.format = format;
    options.examiner = "Examiner <Two>";
    options.out = tmp / (std::string("a.") + format_name(format));
    auto first = write_report(options);
    ASSERT_TRUE(first.ok()) << first.error().message;
    options.out = tmp / (std::string("b.") + format_name(format));
    auto second = write_report(options);
    ASSERT_TRUE(second.ok()) << second.error().message;
    const std::string a = all_output(*first), b = all_output(*second);
    EXPECT_TRUE(a == b) << "two reports of the same case differ";
    EXPECT_EQ(first->as_of, "2026-03-01T11:00:01Z");  // the last run that is not a report
    EXPECT_EQ(a.find("SECRET-REPORT-MARKER"), std::string::npos);
    ASSERT_EQ(first->files.size(), second->files.size());
    for (std::size_t i = 0; i < first->files.size(); ++i) EXPECT_EQ(first->files[i].sha256, second->files[i].sha256);
    if (format != Format::csv) {
      // Markup in names never reaches the file as markup (CSV holds data as it is, quoted).
      EXPECT_EQ(a.find("<script>alert"), std::string::npos);
      EXPECT_EQ(a.find("\xE2\x80\xAE"), std::string::npos);  // no raw right-to-left override
    }
  }
}

TEST(Report, HtmlIsSelfContainedAndCountsTheCopies) {
  TempDir tmp;
  ReportOptions options;
  options.database = make_case(tmp);
  options.out = tmp / "r.html";
  auto summary = write_report(options);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  const std::string html = slurp(tmp / "r.html");
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;.mkv"), std::string::npos);
  EXPECT_NE(html.find("Night &lt;Harbor&gt;"), std::string::npos);
  EXPECT_NE(html.find("id=\"notable-copies\">3<"), std::string::npos);  // allocated, deleted and carved copies
  EXPECT_NE(html.find("\"hashsets\":[\"Set \\u003c\\u0026\\u003e\"]"), std::string::npos);  // the script's data, escaped
  EXPECT_NE(html.find("&lt;Night&gt; &amp; &quot;Harbor&quot;"), std::string::npos);  // a torrent's attribute
  EXPECT_EQ(html.find("NOT-A-LISTED-KIND"), std::string::npos);
  EXPECT_NE(html.find("http:&#47;&#47;tracker.example.invalid/announce"), std::string::npos);  // reads as the URL, is none
  EXPECT_EQ(summary->matches, 3u);
  EXPECT_EQ(summary->notable_files, 3u);
}

TEST(Report, HtmlSaysSoWhenTheMatchTableIsCut) {
  TempDir tmp;
  ReportOptions options;
  options.database = make_case(tmp);
  options.out = tmp / "r.html";
  options.html_match_rows = 2;
  auto summary = write_report(options);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->matches_shown, 2u);
  const std::string html = slurp(tmp / "r.html");
  EXPECT_NE(html.find("This table shows the first 2 of 3 matches"), std::string::npos);
  std::size_t rows = 0;
  for (std::size_t p = html.find("<tr data-set="); p != std::string::npos; p = html.find("<tr data-set=", p + 1)) ++rows;
  EXPECT_EQ(rows, 2u);
}

TEST(Report, DfxmlHasOneFileobjectPerFileRow) {
  TempDir tmp;
  ReportOptions options;
  options.database = make_case(tmp);
  options.format = Format::dfxml;
  options.out = tmp / "r.xml";
  ASSERT_TRUE(write_report(options).ok());
  const std::string xml = slurp(tmp / "r.xml");
  std::size_t n = 0;
  for (std::size_t p = xml.find("<fileobject>"); p != std::string::npos; p = xml.find("<fileobject>", p + 1)) ++n;
  EXPECT_EQ(n, 6u);
  EXPECT_NE(xml.find("<filename>gone &quot;x&quot; &amp; y\\x0az.mkv</filename>"), std::string::npos);
  EXPECT_NE(xml.find("<byte_run file_offset=\"0\" img_offset=\"900000\" len=\"4096\"/>"), std::string::npos);
}

TEST(ReportOutput, RefusesAnExistingPathAndReplacesItOnlyWithForce) {
  TempDir tmp;
  ReportOptions options;
  options.database = make_case(tmp);
  options.format = Format::dfxml;
  options.out = tmp / "r.xml";
  { std::ofstream(tmp / "r.xml") << "keep me"; }
  auto refused = write_report(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::exists);
  EXPECT_EQ(slurp(tmp / "r.xml"), "keep me");
  options.force = true;
  ASSERT_TRUE(write_report(options).ok());
  EXPECT_NE(slurp(tmp / "r.xml").find("<dfxml"), std::string::npos);
  // A CSV report replaces a directory only with --force, and never a file.
  options.format = Format::csv;
  options.out = tmp / "csv";
  options.force = false;
  ASSERT_TRUE(write_report(options).ok());
  EXPECT_FALSE(write_report(options).ok());
  options.force = true;
  ASSERT_TRUE(write_report(options).ok());
  options.out = tmp / "r.xml";
  EXPECT_FALSE(write_report(options).ok());
  // Nothing temporary is left beside the outputs.
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".ferret-report-"), std::string::npos) << entry.path();
  }
}

TEST(ReportOutput, NeverReplacesTheCaseNorADirectoryThatIsNotACsvReport) {
  TempDir tmp;
  ReportOptions options;
  options.database = make_case(tmp);
  options.force = true;
  options.out = tmp / "case.db";
  EXPECT_FALSE(write_report(options).ok());
  options.format = Format::csv;
  options.out = tmp.path();  // the case directory itself
  EXPECT_FALSE(write_report(options).ok());
  options.out = tmp.path().parent_path();  // a directory holding the case
  EXPECT_FALSE(write_report(options).ok());
  std::filesystem::create_directories(tmp / "notes");
  { std::ofstream(tmp / "notes" / "todo.txt") << "mine"; }
  options.out = tmp / "notes";
  auto refused = write_report(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("todo.txt"), std::string::npos) << refused.error().message;
  EXPECT_EQ(slurp(tmp / "notes" / "todo.txt"), "mine");
  auto db = casedb::Database::open(tmp / "case.db", casedb::Database::Mode::read_only);
  ASSERT_TRUE(db.ok());  // still the case
}

TEST(ReportOutput, AnInterruptedReportLeavesNothing) {
  TempDir tmp;
  const std::atomic<bool> cancel{true};
  ReportOptions options;
  options.database = make_case(tmp);
  options.format = Format::csv;
  options.out = tmp / "csv/";  // a trailing slash names the directory
  options.cancel = &cancel;
  auto outcome = write_report(options);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, Errc::interrupted);
  EXPECT_FALSE(std::filesystem::exists(tmp / "csv"));
  options.cancel = nullptr;
  auto written = write_report(options);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(written->out, tmp / "csv");
  EXPECT_TRUE(std::filesystem::is_regular_file(tmp / "csv" / "files.csv"));
}

TEST(ReportOutput, NeverWritesThroughASymbolicLink) {
  TempDir tmp;
  { std::ofstream(tmp / "target") << "precious"; }
  std::filesystem::create_symlink(tmp / "target", tmp / "link.html");
  ReportOptions options;
  options.database = make_case(tmp);
  options.out = tmp / "link.html";
  EXPECT_FALSE(write_report(options).ok());
  options.force = true;
  ASSERT_TRUE(write_report(options).ok());
  EXPECT_EQ(slurp(tmp / "target"), "precious");  // the link was replaced, its target never written
  EXPECT_FALSE(std::filesystem::is_symlink(tmp / "link.html"));
}

TEST(ReportOutput, AnUncommittedStagingLeavesNothingBehind) {
  TempDir tmp;
  {
    auto staging = Staging::begin(tmp / "x.html", Staging::Kind::file, false);
    ASSERT_TRUE(staging.ok());
    auto file = staging->create("");
    ASSERT_TRUE(file.ok());
    (*file)->write("partial");
    ASSERT_TRUE((*file)->finish().ok());
  }
  {
    auto staging = Staging::begin(tmp / "dir", Staging::Kind::directory, false);
    ASSERT_TRUE(staging.ok());
    auto file = staging->create("a.csv");
    ASSERT_TRUE(file.ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

}  // namespace
}  // namespace ferret::report
