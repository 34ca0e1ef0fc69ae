// The hostile-image set (samples/make-hostile-samples.sh, ground truth in samples/manifests/hostile.tsv)
// through ferret-process and ferret-extract: no crash, a message naming each problem, the damage
// recorded against the right files, a case that passes PRAGMA integrity_check and ferret-verify, and
// every extracted file inside OUT. The Sleuth Kit's fls and mmls are the oracle for what is listed.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

#include "hash/digest.h"
#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

namespace fs = std::filesystem;

struct Processed {
  ToolRun run;
  fs::path dir;
  double seconds = 0;
};

class HostileCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { root_ = new TempDir(); }
  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }

  // ferret-process on one hostile image, once per suite; checks what every run must satisfy.
  static const Processed& process(const std::string& image) {
    static std::map<std::string, Processed> done;
    if (auto it = done.find(image); it != done.end()) return it->second;
    Processed p;
    p.dir = *root_ / image;
    const auto start = std::chrono::steady_clock::now();
    p.run = run_tool("ferret-process", {"--case", p.dir.string(), "--examiner", "Hostile Test", sample(image).string()});
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return done.emplace(image, std::move(p)).first->second;
  }

  // What every hostile run must end with: exit 0 or 3 (never a signal, a usage error or a failure),
  // a case SQLite finds intact, and a custody chain ferret-verify accepts.
  static void expect_sound(const Processed& p, int exit_code) {
    EXPECT_EQ(p.run.exit_code, exit_code) << p.run.err;
    EXPECT_LT(p.seconds, 60.0) << "ferret-process took " << p.seconds << " s";
    auto db = open_case(p.dir);
    EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
    const ToolRun v = run_tool("ferret-verify", {"--case", p.dir.string()});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    // Hostile names never reach the terminal raw: no escape sequence, no carriage return.
    EXPECT_EQ(p.run.err.find('\x1b'), std::string::npos);
    EXPECT_EQ(p.run.err.find('\r'), std::string::npos);
  }

  static std::string state_of(casedb::Database& db, const std::string& path) {
    auto s = db.prepare("SELECT coalesce(content_state, 'NULL') FROM files WHERE path = ?1 AND origin = 'fs'");
    EXPECT_TRUE(s.ok());
    s->bind(1, path);
    auto row = s->step();
    return row.ok() && *row ? s->column_text(0) : "absent";
  }

  static std::int64_t errors_about(casedb::Database& db, const std::string& what) {
    auto s = db.prepare("SELECT count(*) FROM errors WHERE instr(message, ?1) > 0");
    EXPECT_TRUE(s.ok());
    s->bind(1, what);
    auto row = s->step();
    return row.ok() && *row ? s->column_int(0) : -1;
  }

  static bool has_name(casedb::Database& db, const std::string& name) {
    auto s = db.prepare("SELECT count(*) FROM files WHERE name = ?1 AND origin = 'fs'");
    EXPECT_TRUE(s.ok());
    s->bind(1, name);
    auto row = s->step();
    return row.ok() && *row && s->column_int(0) == 1;
  }

  // Regular files fls lists (allocated, not TSK's virtual ones), counted the same way in the case.
  static void expect_files_as_fls(casedb::Database& db, const std::string& image) {
    std::string out;
    // One line per entry (a name holding a newline continues on a line of its own), the same entry
    // once per directory that holds it (a directory cycle lists it twice): counted by address.
    ASSERT_EQ(run_shell("fls -r -F -u " + shell_quote(sample(image).string()) +
                            " | sed -nE 's/^[+]* *r\\/r ([0-9]+)[-0-9]*:.*/\\1/p' | sort -u | wc -l", out), 0);
    const std::int64_t fls_count = std::stoll(out);
    EXPECT_EQ(query_int(db, "SELECT count(DISTINCT meta_addr) FROM files WHERE origin = 'fs' AND type = 'file' AND allocated = 1 "
                            "AND virtual = 0 AND attr_type IS NOT 144"),
              fls_count);
  }

  // ferret-extract of `where` into a fresh OUT: every path written stays inside OUT, no link is made.
  static std::vector<fs::path> extract(const Processed& p, const std::string& where, int& exit_code, std::string& err) {
    const fs::path out = p.dir.parent_path() / (p.dir.filename().string() + "-out");
    fs::remove_all(out);
    const ToolRun x = run_tool("ferret-extract", {"--case", p.dir.string(), "--where", where, out.string()});
    exit_code = x.exit_code;
    err = x.err;
    std::vector<fs::path> files;
    if (!fs::exists(out)) return files;
    const fs::path base = fs::canonical(out);
    for (auto it = fs::recursive_directory_iterator(out); it != fs::recursive_directory_iterator(); ++it) {
      const fs::path real = fs::weakly_canonical(it->path());
      const auto rel = real.lexically_relative(base);
      EXPECT_FALSE(rel.empty() || *rel.begin() == "..") << it->path();
      EXPECT_FALSE(it->is_symlink()) << it->path();
      for (const auto& component : it->path().lexically_relative(out)) {
        for (unsigned char c : component.string()) EXPECT_GE(c, 0x20) << "control character in " << it->path();
      }
      if (it->is_regular_file() && it->path().extension() != ".csv") files.push_back(it->path().lexically_relative(out));
    }
    return files;
  }

  static TempDir* root_;
};
TempDir* HostileCli::root_ = nullptr;

TEST_F(HostileCli, FatCyclicChainsAreFlaggedAndTheWalkEnds) {
  const Processed& p = process("hostile-fat.raw");
  expect_sound(p, 3);
  EXPECT_NE(p.run.err.find("LOOP.BIN"), std::string::npos) << p.run.err;
  auto db = open_case(p.dir);
  EXPECT_EQ(state_of(db, "/LOOP.BIN"), "unreadable");
  EXPECT_EQ(query_int(db, "SELECT size FROM files WHERE path = '/LOOP.BIN'"), 4096);
  EXPECT_GE(errors_about(db, "/LOOP.BIN"), 1);
  EXPECT_EQ(state_of(db, "/OK.TXT"), "intact");
  EXPECT_EQ(state_of(db, "/LOOPDIR/INNER.TXT"), "intact");
  EXPECT_EQ(state_of(db, "/CYCLE/INNER.TXT"), "intact");
  // The directory cycle: fls lists /CYCLE/BACK/BACK (the entry of /CYCLE/BACK again, address 597)
  // and stops there; the case says so, exactly once, and nothing else is called a cycle.
  EXPECT_EQ(errors_about(db, "/CYCLE/BACK/BACK: a directory cycle: this entry is its ancestor /CYCLE/BACK again"), 1);
  EXPECT_EQ(errors_about(db, "directory cycle"), 1);
  EXPECT_NE(p.run.err.find("directory cycle"), std::string::npos) << p.run.err;
  expect_files_as_fls(db, "hostile-fat.raw");
}

TEST_F(HostileCli, FatHostileLongNamesAreStoredAsReadAndExtractedInsideOut) {
  const Processed& p = process("hostile-fat.raw");
  auto db = open_case(p.dir);
  for (const std::string& name : std::vector<std::string>{"../../../tmp/ferret-escape.txt", "slash-a/b.txt", "..\\..\\Windows\\evil.dll",
                                 "newline-new\nline.txt", "return-cr\rret.txt", "esc\x1b[31mred.txt"}) {
    EXPECT_TRUE(has_name(db, name)) << name;
  }
  EXPECT_TRUE(has_name(db, "nul")) << "TSK ends a long name at its NUL";
  int code = -1;
  std::string err;
  const auto written = extract(p, "path LIKE '/NAMES/%'", code, err);
  EXPECT_EQ(code, 0) << err;
  EXPECT_EQ(static_cast<std::int64_t>(written.size()), query_int(db, "SELECT count(*) FROM files WHERE path LIKE '/NAMES/%'"));
  std::set<std::string> names;
  for (const auto& w : written) names.insert(w.filename().string());
  EXPECT_TRUE(names.count("slash-a%2Fb.txt")) << "a '/' inside a name is not a directory";
  EXPECT_TRUE(names.count("..%2F..%2F..%2Ftmp%2Fferret-escape.txt"));
  EXPECT_TRUE(names.count("newline-new%0Aline.txt"));
  EXPECT_TRUE(names.count("esc%1B[31mred.txt"));
  EXPECT_EQ(err.find('\x1b'), std::string::npos);
  // Reports show the names escaped: no raw control character reaches a viewer.
  for (const std::string& format : std::vector<std::string>{"dfxml", "html"}) {
    const fs::path report = p.dir.parent_path() / ("fat." + format);
    const ToolRun r = run_tool("ferret-report", {"--case", p.dir.string(), "--format", format, "--out", report.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string text = slurp(report);
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << format;
    EXPECT_EQ(text.find('\r'), std::string::npos) << format;
    if (format == "dfxml") {
      EXPECT_NE(text.find("esc\\x1b[31mred.txt"), std::string::npos);
    }
  }
}

TEST_F(HostileCli, Ext4SixteenTebibyteInodeIsRecordedButNeverRead) {
  const Processed& p = process("hostile-ext4.raw");
  expect_sound(p, 3);
  EXPECT_LT(p.seconds, 30.0) << "a 16 TiB claim must not be read";
  EXPECT_NE(p.run.err.find("huge.bin"), std::string::npos) << p.run.err;
  auto db = open_case(p.dir);
  EXPECT_EQ(query_int(db, "SELECT size FROM files WHERE path = '/huge.bin'"), std::int64_t{1} << 44);
  EXPECT_EQ(state_of(db, "/huge.bin"), "unreadable");
  EXPECT_GE(errors_about(db, "/huge.bin"), 1);
  EXPECT_EQ(state_of(db, "/pastend.bin"), "unreadable");
  EXPECT_GE(errors_about(db, "past the end of the media"), 1);
  EXPECT_EQ(state_of(db, "/ok.txt"), "intact");
  expect_files_as_fls(db, "hostile-ext4.raw");
}

TEST_F(HostileCli, Ext4HostileNamesAreStoredByteForByteAndExtractedInsideOut) {
  const Processed& p = process("hostile-ext4.raw");
  auto db = open_case(p.dir);
  for (const std::string& name : std::vector<std::string>{"../../../tmp/ferret-escape.txt", "a/b.txt", "new\nline.txt", "cr\rret.txt", "esc\x1b[31mred.txt",
                                 "..\\..\\Windows\\evil.dll", std::string(251, 'L') + ".txt"}) {
    EXPECT_TRUE(has_name(db, name)) << name;
  }
  // Invalid UTF-8: escaped in name and path, the bytes themselves in name_raw.
  EXPECT_EQ(query_text(db, "SELECT hex(name_raw) FROM files WHERE name = 'bad\\xff\\xfeutf8.txt'"), "626164FFFE757466382E747874");
  int code = -1;
  std::string err;
  const auto written = extract(p, "path LIKE '/names/%'", code, err);
  EXPECT_EQ(code, 0) << err;
  EXPECT_EQ(static_cast<std::int64_t>(written.size()), query_int(db, "SELECT count(*) FROM files WHERE path LIKE '/names/%'"));
  std::set<std::string> names;
  for (const auto& w : written) names.insert(w.filename().string());
  EXPECT_TRUE(names.count("a%2Fb.txt"));
  EXPECT_TRUE(names.count("..%5C..%5CWindows%5Cevil.dll"));
  EXPECT_TRUE(names.count("bad%FF%FEutf8.txt")) << "the name's own bytes, not its \\xNN escape";
  EXPECT_TRUE(names.count("..%2F..%2F..%2Ftmp%2Fferret-escape.txt"));
}

TEST_F(HostileCli, NtfsCorruptMftRecordsAreFlaggedNotHashedAsEmpty) {
  const Processed& p = process("hostile-ntfs.raw");
  expect_sound(p, 3);
  auto db = open_case(p.dir);
  for (const std::string& name : std::vector<std::string>{"/fixup.txt", "/attrlen.bin", "/runs.bin"}) {
    EXPECT_EQ(state_of(db, name), "unreadable") << name;
    EXPECT_EQ(query_text(db, "SELECT coalesce(size, 'NULL') FROM files WHERE path = '" + name + "'"), "NULL") << name;
    EXPECT_GE(errors_about(db, name), 1) << name;
    EXPECT_NE(p.run.err.find(name), std::string::npos) << name << "\n" << p.run.err;
  }
  EXPECT_GE(errors_about(db, "update sequence"), 1) << "the fixup failure is named";
  EXPECT_EQ(state_of(db, "/ok.txt"), "intact");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' "
                          "AND path IN ('/fixup.txt', '/attrlen.bin', '/runs.bin')"),
            0);
}

void expect_partitions(const Processed& p, const std::string& image) {
  auto db = open_case(p.dir);
  // Every partition mmls lists (not its meta entries and gaps) is a volume, overlapping or not.
  std::string out;
  ASSERT_EQ(run_shell("mmls -a " + shell_quote(sample(image).string()) + " | awk '$2 ~ /^[0-9-]+:?[0-9]*$/ && $2 != \"Meta\" {print $3 + 0}'", out), 0);
  std::istringstream lines(out);
  std::string line;
  int partitions = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    ++partitions;
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM volumes WHERE start_offset = " + std::to_string(std::stoll(line) * 512)), 1)
        << "sector " << line;
  }
  EXPECT_EQ(partitions, 4);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM volumes"), 4);
  EXPECT_EQ(query_text(db, "SELECT fs_type FROM volumes WHERE start_offset = 1048576"), "fat16");
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files f JOIN volumes v USING (volume_id) WHERE v.start_offset = 1048576 "
                          "AND f.name IN ('README.TXT', 'DATA.BIN') AND f.content_state = 'intact'"),
            2);
  EXPECT_GE(query_int(db, "SELECT count(*) FROM errors WHERE message LIKE '%starts at byte 51200000000, past the end of the media%'"), 1);
  EXPECT_GE(query_int(db, "SELECT count(*) FROM errors WHERE message LIKE '%runs past the end of the media%'"), 1);
  EXPECT_NE(p.run.err.find("past the end of the media"), std::string::npos) << p.run.err;
}

TEST_F(HostileCli, MbrOverlappingAndOutOfRangePartitionsAreAllListed) {
  const Processed& p = process("hostile-mbr.raw");
  expect_sound(p, 3);
  expect_partitions(p, "hostile-mbr.raw");
}

TEST_F(HostileCli, GptOverlappingAndOutOfRangePartitionsAreAllListed) {
  const Processed& p = process("hostile-gpt.raw");
  expect_sound(p, 3);
  expect_partitions(p, "hostile-gpt.raw");
}

TEST_F(HostileCli, TenThousandFilesInOneDirectory) {
  const Processed& p = process("hostile-manyfiles.raw");
  expect_sound(p, 0);
  auto db = open_case(p.dir);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE path LIKE '/many/f%.txt' AND content_state = 'intact'"), 10000);
  expect_files_as_fls(db, "hostile-manyfiles.raw");
}

TEST_F(HostileCli, SixtyFourMebibytesOfZerosAreHashedAndNothingIsCarved) {
  const Processed& p = process("hostile-zeros.raw");
  expect_sound(p, 0);
  auto db = open_case(p.dir);
  hash::Digest sha(hash::Algorithm::sha256);
  const std::vector<std::byte> zeros(1 << 20);
  for (int i = 0; i < 64; ++i) sha.update(zeros);
  EXPECT_EQ(query_text(db, "SELECT content_state || ' ' || size || ' ' || sha256 FROM files WHERE path = '/ZEROS.BIN'"),
            "intact 67108864 " + sha.finish_hex());
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM files WHERE origin = 'carved'"), 0);
}

}  // namespace
}  // namespace ferret::test
