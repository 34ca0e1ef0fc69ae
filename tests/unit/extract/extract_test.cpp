// Extraction: safe output names (hostile, device, long and non-UTF-8 names), collisions, never
// writing through links or over anything, only intact content, verification, the read-only --where.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <set>

#include "casedb/case_store.h"
#include "casedb/case_writer.h"
#include "core/text.h"
#include "extract/extract.h"
#include "hash/digest.h"
#include "test_support.h"

namespace ferret::test {
namespace {

using extract::decode_component;
using extract::output_components;
using extract::output_path_for;
using extract::sanitise_component;
using extract::with_suffix;

// ---- names ----

TEST(SanitiseComponent, TheSamplesHostileNames) {
  EXPECT_EQ(sanitise_component("<script>alert(1)<\\script>.txt"), "%3Cscript%3Ealert(1)%3C%5Cscript%3E.txt");
  EXPECT_EQ(sanitise_component("<img src=x onerror=alert('ferret')>.jpg"), "%3Cimg src=x onerror=alert('ferret')%3E.jpg");
  EXPECT_EQ(sanitise_component("\"double\" and 'single' quotes.txt"), "%22double%22 and 'single' quotes.txt");
  EXPECT_EQ(sanitise_component("$(reboot); rm -rf ~ #.txt"), "$(reboot); rm -rf ~ #.txt");
  EXPECT_EQ(sanitise_component("=HYPERLINK(\"http:\\\\example.invalid\"),1.csv"),
            "=HYPERLINK(%22http%3A%5C%5Cexample.invalid%22),1.csv");
  EXPECT_EQ(sanitise_component("..\\..\\..\\Windows\\System32\\evil.dll"), "..%5C..%5C..%5CWindows%5CSystem32%5Cevil.dll");
  EXPECT_EQ(sanitise_component("...."), "...%2E");
  EXPECT_EQ(sanitise_component("line\nbreak\ttab.txt"), "line%0Abreak%09tab.txt");
  EXPECT_EQ(sanitise_component("invoice\u202etxt.exe"), "invoice%E2%80%AEtxt.exe");
  EXPECT_EQ(sanitise_component("Ünïcødé – café 日本語 🎬.txt"), "Ünïcødé – café 日本語 🎬.txt");
  EXPECT_EQ(sanitise_component(" leading and trailing spaces .txt"), " leading and trailing spaces .txt");
  EXPECT_EQ(sanitise_component("it's a 'quoted' name; & 100% #1.txt"), "it's a 'quoted' name; & 100%25 #1.txt");
  const std::string long223 = std::string(219, 'n') + ".txt";
  EXPECT_EQ(sanitise_component(long223), long223);  // fits: kept as it is
  // NTFS alternate data streams and the \xNN escapes of non-UTF-8 case paths.
  EXPECT_EQ(sanitise_component("ledger.txt:hidden"), "ledger.txt%3Ahidden");
  EXPECT_EQ(sanitise_component("caf\\xe9.txt"), "caf%5Cxe9.txt");
}

TEST(SanitiseComponent, EveryDangerousCharacterIsPercentEncoded) {
  EXPECT_EQ(sanitise_component("a/b"), "a%2Fb");
  EXPECT_EQ(sanitise_component(std::string("a\0b", 3)), "a%00b");
  EXPECT_EQ(sanitise_component("a<b>c:d\"e|f?g*h\\i%j"), "a%3Cb%3Ec%3Ad%22e%7Cf%3Fg%2Ah%5Ci%25j");
  EXPECT_EQ(sanitise_component("\x01\x1f\x7f"), "%01%1F%7F");
  EXPECT_EQ(sanitise_component("esc\x1b[31mred"), "esc%1B[31mred");
  EXPECT_EQ(sanitise_component("c1\xc2\x9b"), "c1%C2%9B");  // U+009B, the 8-bit CSI
  for (const char* bidi : {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                           "\u200e", "\u200f", "\u061c"}) {
    const std::string name = std::string("x") + bidi + "y";
    const std::string got = sanitise_component(name);
    EXPECT_EQ(got.find(bidi), std::string::npos) << got;
    EXPECT_EQ(got.front(), 'x');
    EXPECT_EQ(got.substr(1, 1), "%");
  }
  // Bytes that are not UTF-8 (an overlong '/', a lone continuation byte, Latin-1).
  EXPECT_EQ(sanitise_component("\xc0\xaf"), "%C0%AF");
  EXPECT_EQ(sanitise_component("caf\xe9"), "caf%E9");
  EXPECT_EQ(sanitise_component("\x80"), "%80");
}

TEST(SanitiseComponent, DotsSpacesAndEmptyNames) {
  EXPECT_EQ(sanitise_component("."), "%2E");
  EXPECT_EQ(sanitise_component(".."), ".%2E");
  EXPECT_EQ(sanitise_component("..."), "..%2E");
  EXPECT_EQ(sanitise_component("name."), "name%2E");
  EXPECT_EQ(sanitise_component("name "), "name%20");
  EXPECT_EQ(sanitise_component(".bashrc"), ".bashrc");
  EXPECT_EQ(sanitise_component("..hidden release..nfo"), "..hidden release..nfo");
  EXPECT_EQ(sanitise_component(""), "%");
}

TEST(SanitiseComponent, WindowsDeviceNamesGetAPrefix) {
  for (const char* name : {"CON", "con", "Prn", "AUX", "nul", "COM1", "com9", "COM0", "LPT1", "lpt9", "CONIN$", "conout$",
                           "COM\u00b9", "LPT\u00b3", "CON.txt", "nul.tar.gz", "aux .txt", "Com1.mp4"}) {
    EXPECT_EQ(sanitise_component(name), std::string("_") + name) << name;
  }
  for (const char* name : {"CONSOLE", "COM10", "LPT", "xCON", "NULL.txt", "con-txt", "COM1x.txt"}) {
    EXPECT_EQ(sanitise_component(name), name) << name;
  }
  EXPECT_EQ(sanitise_component("CON."), "CON%2E");  // no longer a device name once escaped
  EXPECT_EQ(sanitise_component("_CON"), "%5FCON");  // a real "_CON" must not decode as "CON"
  EXPECT_EQ(sanitise_component("_CON.txt"), "%5FCON.txt");
  EXPECT_EQ(sanitise_component("__CON"), "__CON");
}

TEST(SanitiseComponent, IsReversibleForNamesThatFit) {
  const std::vector<std::string> names = {
      "plain.txt", "100%", "%25", "%", "", ".", "..", "....", "a.", "a ", "CON", "_CON", "__CON", "con.txt", "_con.txt",
      std::string("a\0b", 3), "a/b\\c", "x:y", "<>:\"|?*", "line\nbreak\ttab", "invoice\u202etxt.exe", "caf\xe9",
      "\xc0\xaf", "Ünïcødé 🎬", "%2E", "_", "~", "name~12.txt", "\x7f\x1b"};
  for (const std::string& name : names) {
    const std::string safe = sanitise_component(name);
    EXPECT_EQ(decode_component(safe), name) << safe;
  }
  // Every distinct name gives a distinct component.
  std::set<std::string> seen;
  for (const std::string& name : names) EXPECT_TRUE(seen.insert(sanitise_component(name)).second) << name;
}

bool escapes_are_whole(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (s.size() == 1) return true;  // the empty name
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return false;
    }
  }
  return true;
}

TEST(SanitiseComponent, LongNamesAreShortenedKeepingTheExtension) {
  const std::string a = std::string(300, 'a') + "1.mkv";
  const std::string b = std::string(300, 'a') + "2.mkv";
  const std::string sa = sanitise_component(a), sb = sanitise_component(b);
  EXPECT_LE(sa.size(), extract::kMaxComponentBytes);
  EXPECT_TRUE(sa.ends_with(".mkv")) << sa;
  EXPECT_NE(sa.find('~'), std::string::npos);
  EXPECT_NE(sa, sb);  // the hash is of the whole name
  EXPECT_EQ(sanitise_component(a), sa);  // and stable
  // Exactly at the limit: kept.
  const std::string fits(extract::kMaxComponentBytes, 'f');
  EXPECT_EQ(sanitise_component(fits), fits);
  EXPECT_LE(sanitise_component(fits + "f").size(), extract::kMaxComponentBytes);
  // Multi-byte characters and escapes are never cut in half.
  std::string japanese;
  for (int i = 0; i < 120; ++i) japanese += "日本";
  const std::string sj = sanitise_component(japanese + ".txt");
  EXPECT_LE(sj.size(), extract::kMaxComponentBytes);
  EXPECT_TRUE(is_valid_utf8(sj));
  EXPECT_TRUE(sj.ends_with(".txt"));
  for (int shift = 0; shift < 3; ++shift) {
    const std::string sp = sanitise_component(std::string(static_cast<std::size_t>(shift), 'x') + std::string(200, '%') + ".txt");
    EXPECT_LE(sp.size(), extract::kMaxComponentBytes);
    EXPECT_TRUE(escapes_are_whole(sp)) << sp;
  }
  // The hostile 227-character NTFS name of the samples fits and is kept.
  std::string ntfs;
  for (int i = 0; i < 10; ++i) ntfs += "A.Very.Long.NTFS.Name.";
  ntfs += "end.txt";
  EXPECT_EQ(sanitise_component(ntfs), ntfs);
}

TEST(WithSuffix, GoesBeforeTheExtensionAndStaysShortEnough) {
  EXPECT_EQ(with_suffix("a.txt", "~12"), "a~12.txt");
  EXPECT_EQ(with_suffix("archive.tar.gz", "~7"), "archive.tar~7.gz");
  EXPECT_EQ(with_suffix("noext", "~3"), "noext~3");
  EXPECT_EQ(with_suffix(".bashrc", "~3"), ".bashrc~3");
  EXPECT_EQ(with_suffix("ledger.txt%3Ahidden", "~5"), "ledger~5.txt%3Ahidden");
  EXPECT_EQ(with_suffix("_CON", "~5"), "_CON~5");
  const std::string full(extract::kMaxComponentBytes - 4, 'z');
  const std::string suffixed = with_suffix(full + ".txt", "~123456");
  EXPECT_LE(suffixed.size(), extract::kMaxComponentBytes);
  EXPECT_TRUE(suffixed.ends_with(".txt"));
  EXPECT_NE(suffixed, sanitise_component(full + ".txt"));
}

TEST(OutputPath, EvidenceVolumeAndPath) {
  EXPECT_EQ(output_path_for(1, 44040192, "/home/kestrel/odd names/...."), "e1/v44040192/home/kestrel/odd names/...%2E");
  EXPECT_EQ(output_path_for(2, std::nullopt, "/$OrphanFiles/OrphanFile-16"), "e2/vnone/$OrphanFiles/OrphanFile-16");
  EXPECT_EQ(output_path_for(3, 0, "/Users/k/ledger.txt:hidden"), "e3/v0/Users/k/ledger.txt%3Ahidden");
  EXPECT_EQ(output_path_for(1, 0, "/a/../../etc/passwd"), "e1/v0/a/.%2E/.%2E/etc/passwd");
  EXPECT_EQ(output_path_for(1, 0, "//a///b/"), "e1/v0/a/b");
  EXPECT_EQ(output_path_for(1, 0, "/"), "e1/v0/%");
}

// Random paths built from the worst fragments: every component is a plain name inside the tree.
TEST(OutputPath, NeverLeavesTheOutputDirectory) {
  const std::vector<std::string> fragments = {"..", ".", "/", "\\", "a", "%", std::string(1, '\0'), ":", "CON", " ",
                                              "\u202e", "\xff", "~", "\n", "..\\", "/..", "C:", "\\\\?\\", "%2e%2e"};
  std::mt19937 gen(42);
  for (int round = 0; round < 5000; ++round) {
    std::string path;
    const int parts = 1 + static_cast<int>(gen() % 12);
    for (int i = 0; i < parts; ++i) path += fragments[gen() % fragments.size()];
    const auto components = output_components(7, 512, path);
    ASSERT_GE(components.size(), 3u);
    EXPECT_EQ(components[0], "e7");
    EXPECT_EQ(components[1], "v512");
    for (const std::string& c : components) {
      SCOPED_TRACE(escape_invalid_utf8(path));
      EXPECT_FALSE(c.empty());
      EXPECT_NE(c, ".");
      EXPECT_NE(c, "..");
      EXPECT_LE(c.size(), extract::kMaxComponentBytes);
      EXPECT_EQ(c.find_first_of(std::string("/\\:\0", 4)), std::string::npos) << c;
      EXPECT_TRUE(is_valid_utf8(c));
      EXPECT_NE(c.back(), '.');
      EXPECT_NE(c.back(), ' ');
    }
    const std::filesystem::path joined = std::filesystem::path("/out") / output_path_for(7, 512, path);
    EXPECT_TRUE(joined.lexically_normal().string().starts_with("/out/e7/v512/")) << joined;
  }
}

TEST(CsvField, QuotesAndGuardsFormulas) {
  EXPECT_EQ(extract::csv_field("plain"), "plain");
  EXPECT_EQ(extract::csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(extract::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(extract::csv_field("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(extract::csv_field("=HYPERLINK(\"http:\\\\example.invalid\"),1.csv"),
            "\"'=HYPERLINK(\"\"http:\\\\example.invalid\"\"),1.csv\"");
  EXPECT_EQ(extract::csv_field("+cmd"), "'+cmd");
  EXPECT_EQ(extract::csv_field("-2+3"), "'-2+3");
  EXPECT_EQ(extract::csv_field("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(extract::csv_field("\tx"), "'\tx");
  EXPECT_EQ(extract::csv_field("\rx"), "\"'\rx\"");
  EXPECT_EQ(extract::csv_field("/a/=b"), "/a/=b");
  EXPECT_EQ(extract::csv_field(""), "");
}

TEST(DisplayText, NothingReachesTheTerminalRaw) {
  EXPECT_EQ(extract::display_text("a\nb\x1b[2Jc"), "a\\x0ab\\x1b[2Jc");
  EXPECT_EQ(extract::display_text("invoice\u202etxt.exe"), "invoice\\u{202E}txt.exe");
  EXPECT_EQ(extract::display_text("caf\xe9 ok é"), "caf\\xe9 ok é");
}

// ---- extracting from a small synthetic case ----

// A case with one raw medium of random bytes; files are slices of it.
class SyntheticCase {
 public:
  SyntheticCase() : media_(random_bytes(256 * 1024, 11)) {
    write_file_bytes(media_path(), media_);
    auto db = casedb::Database::open(db_path(), casedb::Database::Mode::read_write_create);
    EXPECT_TRUE(db.ok() && db->migrate().ok());
    db_ = std::move(*db);
    casedb::RunStart run{"test", "0", "0", "test", "tester", "host", "2026-01-01T00:00:00Z"};
    run_id_ = *casedb::insert_run(db_, run);
    exec("INSERT INTO evidence(evidence_id, path, format, size, sector_size) VALUES (1, '" + media_path().string() + "', 'raw', " +
         std::to_string(media_.size()) + ", 512)");
    exec("INSERT INTO volumes(volume_id, evidence_id, start_offset, length, description, fs_type) VALUES (1, 1, 0, " +
         std::to_string(media_.size()) + ", 'whole media', 'ext4')");
  }

  std::filesystem::path db_path() const { return tmp_ / "case.db"; }
  std::filesystem::path media_path() const { return tmp_ / "media.raw"; }
  std::filesystem::path out() const { return tmp_ / "out"; }
  const TempDir& tmp() const { return tmp_; }
  std::int64_t run_id() const { return run_id_; }
  casedb::Database& db() { return db_; }

  void exec(const std::string& sql) {
    Status s = db_.exec(sql);
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  // A file whose content is media[offset, offset + size), hashed (state 'intact') unless told otherwise.
  std::int64_t add_file(const std::string& path, std::uint64_t offset, std::uint64_t size, const char* state = "intact",
                        const char* type = "file") {
    const std::string name = path.substr(path.rfind('/') + 1);
    const auto sha = hash::digest_all(std::span(media_).subspan(offset, size)).sha256;
    auto stmt = db_.prepare(
        "INSERT INTO files(evidence_id, volume_id, path, name, type, size, allocated, content_state, sha256) "
        "VALUES (1, 1, ?1, ?2, ?3, ?4, 1, ?5, ?6)");
    EXPECT_TRUE(stmt.ok());
    stmt->bind(1, path).bind(2, name).bind(3, type).bind(4, static_cast<std::int64_t>(size));
    if (state != nullptr) stmt->bind(5, state); else stmt->bind_null(5);
    if (state != nullptr && std::string_view(state) == "intact") stmt->bind(6, sha); else stmt->bind_null(6);
    EXPECT_TRUE(stmt->run().ok());
    const std::int64_t id = db_.last_insert_rowid();
    if (std::string_view(type) == "file" && size > 0) {
      exec("INSERT INTO file_runs(file_id, seq, file_offset, image_offset, length) VALUES (" + std::to_string(id) + ", 0, 0, " +
           std::to_string(offset) + ", " + std::to_string(size) + ")");
    }
    return id;
  }

  std::vector<std::byte> slice(std::uint64_t offset, std::uint64_t size) const {
    return {media_.begin() + static_cast<std::ptrdiff_t>(offset), media_.begin() + static_cast<std::ptrdiff_t>(offset + size)};
  }

  // Runs the extraction on a writer connection of its own, as the tool does.
  Result<extract::ExtractSummary> extract(extract::ExtractOptions options) {
    auto connection = casedb::Database::open(db_path(), casedb::Database::Mode::read_write_create);
    EXPECT_TRUE(connection.ok());
    casedb::CaseWriter writer(std::move(*connection));
    options.run_id = run_id_;
    if (options.output_dir.empty()) options.output_dir = out();
    return extract::extract_files(writer, db_path(), options);
  }

  Result<extract::ExtractSummary> extract_ids(std::vector<std::int64_t> ids) {
    extract::ExtractOptions options;
    options.file_ids = std::move(ids);
    return extract(options);
  }

  std::int64_t count(const std::string& sql) {
    auto stmt = db_.prepare(sql);
    EXPECT_TRUE(stmt.ok()) << sql;
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int(0);
  }

 private:
  TempDir tmp_;
  std::vector<std::byte> media_;
  casedb::Database db_;
  std::int64_t run_id_ = 0;
};

std::string output_of(const extract::ExtractSummary& s, std::int64_t file_id) {
  for (const auto& f : s.files) {
    if (f.file_id == file_id) return f.output_path;
  }
  return "";
}

TEST(ExtractFiles, WritesVerifiesAndRecordsEachFile) {
  SyntheticCase c;
  const auto a = c.add_file("/docs/report.txt", 4096, 5000);
  const auto b = c.add_file("/docs/empty.txt", 0, 0);
  const auto v = c.add_file("/video/big.mkv", 10000, 200000);
  auto s = c.extract_ids({a, b, v});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->selected, 3u);
  EXPECT_EQ(s->extracted, 3u);
  EXPECT_EQ(s->verified, 3u);
  EXPECT_EQ(s->not_extracted, 0u);
  EXPECT_EQ(s->bytes, 205000u);
  EXPECT_EQ(read_file_bytes(c.out() / "e1/v0/docs/report.txt"), c.slice(4096, 5000));
  EXPECT_EQ(read_file_bytes(c.out() / "e1/v0/video/big.mkv"), c.slice(10000, 200000));
  EXPECT_EQ(std::filesystem::file_size(c.out() / "e1/v0/docs/empty.txt"), 0u);
  // Copies are read-only.
  struct stat st {};
  ASSERT_EQ(::stat((c.out() / "e1/v0/docs/report.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0222, 0u);
  EXPECT_EQ(c.count("SELECT count(*) FROM extractions WHERE verified = 1 AND run_id = " + std::to_string(c.run_id())), 3);
  EXPECT_EQ(c.count("SELECT count(*) FROM extractions e JOIN files f USING (file_id) WHERE e.sha256 = f.sha256 AND e.size = f.size"), 3);
  EXPECT_EQ(c.count("SELECT count(*) FROM extractions WHERE output_path = 'e1/v0/video/big.mkv'"), 1);
  EXPECT_EQ(s->manifest, "ferret-extract-" + std::to_string(c.run_id()) + ".csv");
  EXPECT_TRUE(std::filesystem::exists(c.out() / s->manifest));
}

// A sparse file as large as its volume (NTFS's $BadClus:$Bad) does not fill the output disk.
TEST(ExtractFiles, ZerosAreWrittenAsHoles) {
  SyntheticCase c;
  const auto id = c.add_file("/sparse.bin", 0, 4096);
  constexpr std::int64_t kSize = 16 << 20;  // 16 MiB of zeros, then 4 KiB of data
  c.exec("DELETE FROM file_runs");
  c.exec("INSERT INTO file_runs(file_id, seq, file_offset, image_offset, length, sparse) VALUES (" + std::to_string(id) +
         ", 0, 0, NULL, " + std::to_string(kSize - 4096) + ", 1), (" + std::to_string(id) + ", 1, " + std::to_string(kSize - 4096) +
         ", 0, 4096, 0)");
  std::vector<std::byte> want(kSize - 4096);
  const auto tail = c.slice(0, 4096);
  want.insert(want.end(), tail.begin(), tail.end());
  c.exec("UPDATE files SET size = " + std::to_string(kSize) + ", sha256 = '" + hash::digest_all(want).sha256 +
         "' WHERE file_id = " + std::to_string(id));
  auto s = c.extract_ids({id});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->verified, 1u) << (s->problems.empty() ? "" : s->problems[0]);
  struct stat st {};
  ASSERT_EQ(::stat((c.out() / "e1/v0/sparse.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, kSize);
  EXPECT_LT(st.st_blocks * 512, kSize / 2);
}

TEST(ExtractFiles, CollisionsGetTheFileIdAndNothingIsReplaced) {
  SyntheticCase c;
  const auto first = c.add_file("/a/x.txt", 0, 100);
  const auto again = c.add_file("/a/x.txt", 200, 100);  // e.g. a deleted name and a live one
  const auto as_file = c.add_file("/a/d", 400, 10);      // a file where another file needs a directory
  const auto inside = c.add_file("/a/d/y.txt", 500, 10);
  const auto existing = c.add_file("/b/old.txt", 600, 10);
  std::filesystem::create_directories(c.out() / "e1/v0/b");
  { std::ofstream(c.out() / "e1/v0/b/old.txt") << "was here before"; }
  auto s = c.extract_ids({first, again, as_file, inside, existing});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->extracted, 5u);
  EXPECT_EQ(s->verified, 5u);
  EXPECT_EQ(s->renamed, 3u);
  EXPECT_EQ(output_of(*s, first), "e1/v0/a/x.txt");
  EXPECT_EQ(output_of(*s, again), "e1/v0/a/x~" + std::to_string(again) + ".txt");
  EXPECT_EQ(output_of(*s, as_file), "e1/v0/a/d~" + std::to_string(as_file));
  EXPECT_EQ(output_of(*s, inside), "e1/v0/a/d/y.txt");
  EXPECT_EQ(output_of(*s, existing), "e1/v0/b/old~" + std::to_string(existing) + ".txt");
  EXPECT_EQ(read_file_bytes(c.out() / "e1/v0/a/x.txt"), c.slice(0, 100));
  EXPECT_EQ(read_file_bytes(c.out() / output_of(*s, again)), c.slice(200, 100));
  std::ifstream old(c.out() / "e1/v0/b/old.txt");
  std::string text;
  std::getline(old, text);
  EXPECT_EQ(text, "was here before");
  // The same extraction again into the same directory: new names, the first copies untouched.
  auto again_run = c.extract_ids({first, again});
  ASSERT_TRUE(again_run.ok());
  EXPECT_EQ(output_of(*again_run, first), "e1/v0/a/x~" + std::to_string(first) + ".txt");
  EXPECT_EQ(output_of(*again_run, again), "e1/v0/a/x~" + std::to_string(again) + "-2.txt");
  EXPECT_EQ(read_file_bytes(c.out() / output_of(*s, again)), c.slice(200, 100));
  EXPECT_NE(again_run->manifest, s->manifest);  // ferret-extract-<run>-2.csv
}

TEST(ExtractFiles, LinksInTheOutputDirectoryAreNeverFollowed) {
  SyntheticCase c;
  const auto id = c.add_file("/secret/file.txt", 0, 100);
  const auto other = c.add_file("/else/file.txt", 100, 100);
  const auto leaf = c.add_file("/else/planted.txt", 300, 100);
  const auto elsewhere = c.tmp() / "elsewhere";
  std::filesystem::create_directories(elsewhere);
  std::filesystem::create_directories(c.out() / "e1/v0/else");
  std::filesystem::create_directory_symlink(elsewhere, c.out() / "e1/v0/secret");
  std::filesystem::create_symlink(elsewhere / "planted.txt", c.out() / "e1/v0/else/planted.txt");  // dangling
  auto s = c.extract_ids({id, other, leaf});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->extracted, 2u);
  EXPECT_EQ(s->failed, 1u);
  EXPECT_EQ(s->not_extracted, 1u);
  ASSERT_EQ(s->problems.size(), 1u);
  EXPECT_NE(s->problems[0].find("symbolic link"), std::string::npos) << s->problems[0];
  EXPECT_TRUE(std::filesystem::is_empty(elsewhere));
  EXPECT_EQ(output_of(*s, leaf), "e1/v0/else/planted~" + std::to_string(leaf) + ".txt");
  EXPECT_TRUE(std::filesystem::is_symlink(c.out() / "e1/v0/else/planted.txt"));
}

TEST(ExtractFiles, OnlyIntactContentIsExtractedAndTheRestIsNamed) {
  SyntheticCase c;
  const auto ok = c.add_file("/ok.txt", 0, 10);
  const auto pending = c.add_file("/pending.txt", 10, 10, nullptr);
  const auto realloc = c.add_file("/realloc.txt", 20, 10, "reallocated");
  const auto gone = c.add_file("/gone.txt", 30, 10, "no_content");
  const auto bad = c.add_file("/bad.txt", 40, 10, "unreadable");
  const auto dir = c.add_file("/folder", 0, 0, nullptr, "dir");
  auto s = c.extract_ids({ok, pending, realloc, gone, bad, dir});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->extracted, 1u);
  EXPECT_EQ(s->not_hashed, 1u);
  EXPECT_EQ(s->reallocated, 1u);
  EXPECT_EQ(s->no_content, 1u);
  EXPECT_EQ(s->unreadable, 1u);
  EXPECT_EQ(s->not_files, 1u);
  EXPECT_EQ(s->not_extracted, 5u);  // a directory asked for by id counts as not extracted
  const std::string text = extract::summary_text(*s, 0.1);
  EXPECT_NE(text.find("run ferret-hash first"), std::string::npos) << text;
  EXPECT_FALSE(std::filesystem::exists(c.out() / "e1/v0/pending.txt"));
  // Selected by a condition, directories are simply skipped.
  extract::ExtractOptions options;
  options.where = "type = 'dir' OR path = '/ok.txt'";
  options.output_dir = c.tmp() / "out2";
  auto w = c.extract(options);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->extracted, 1u);
  EXPECT_EQ(w->not_files, 1u);
  EXPECT_EQ(w->not_extracted, 0u);
}

TEST(ExtractFiles, ContentThatNoLongerMatchesItsHashIsNotVerified) {
  SyntheticCase c;
  const auto id = c.add_file("/changed.bin", 0, 1000);
  c.exec("UPDATE files SET sha256 = '" + std::string(64, '0') + "' WHERE file_id = " + std::to_string(id));
  auto s = c.extract_ids({id});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->extracted, 1u);
  EXPECT_EQ(s->verified, 0u);
  ASSERT_EQ(s->files.size(), 1u);
  EXPECT_FALSE(s->files[0].verified);
  EXPECT_EQ(c.count("SELECT count(*) FROM extractions WHERE verified = 0"), 1);
  ASSERT_FALSE(s->problems.empty());
  EXPECT_NE(s->problems[0].find("evidence changed"), std::string::npos) << s->problems[0];
}

TEST(ExtractFiles, EvidenceOfAnotherSizeIsNotRead) {
  SyntheticCase c;
  const auto id = c.add_file("/x.txt", 0, 10);
  std::filesystem::resize_file(c.media_path(), 4096);
  auto s = c.extract_ids({id});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->extracted, 0u);
  EXPECT_EQ(s->failed, 1u);
  ASSERT_FALSE(s->problems.empty());
  EXPECT_NE(s->problems[0].find("not the same evidence"), std::string::npos) << s->problems[0];
}

TEST(ExtractFiles, AnUnknownFileIdWritesNothing) {
  SyntheticCase c;
  const auto id = c.add_file("/x.txt", 0, 10);
  auto s = c.extract_ids({id, 4242});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::invalid_argument);
  EXPECT_NE(s.error().message.find("4242"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(c.out()));
}

TEST(SelectFiles, TheConditionIsOneReadOnlyExpression) {
  SyntheticCase c;
  const auto a = c.add_file("/a/1.txt", 0, 10);
  const auto b = c.add_file("/a/2.txt", 10, 10);
  c.add_file("/b/3.txt", 20, 10);
  auto ids = extract::select_files(c.db_path(), "path LIKE '/a/%'");
  ASSERT_TRUE(ids.ok()) << ids.error().message;
  EXPECT_EQ(*ids, (std::vector<std::int64_t>{a, b}));
  auto commented = extract::select_files(c.db_path(), "path = '/a/1.txt' -- just the one");
  ASSERT_TRUE(commented.ok()) << commented.error().message;
  EXPECT_EQ(commented->size(), 1u);
  auto subquery = extract::select_files(c.db_path(), "file_id IN (SELECT file_id FROM file_runs WHERE image_offset < 10)");
  ASSERT_TRUE(subquery.ok()) << subquery.error().message;
  EXPECT_EQ(*subquery, std::vector<std::int64_t>{a});
  for (const char* hostile : {"1); DROP TABLE files; --", "1); DELETE FROM files; SELECT (1", "1) ; ATTACH 'x.db' AS x; --",
                              "path LIKE", "no_such_column = 1", "", "   "}) {
    auto r = extract::select_files(c.db_path(), hostile);
    ASSERT_FALSE(r.ok()) << hostile;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << hostile;
  }
  EXPECT_EQ(c.count("SELECT count(*) FROM files"), 3);
}

// RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and line breaks).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') { field += '"'; ++i; }
      else if (ch == '"') quoted = false;
      else field += ch;
    } else if (ch == '"') {
      quoted = was_quoted = true;
    } else if (ch == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += ch;
    }
  }
  (void)was_quoted;
  if (rows.back().empty() && field.empty()) rows.pop_back();
  return rows;
}

TEST(ExtractFiles, TheManifestIsSafeToOpenInASpreadsheet) {
  SyntheticCase c;
  const auto f = c.add_file("/=cmd|'calc'!A0.csv", 0, 10);
  const auto g = c.add_file("/dir/@SUM(1+1),\"x\"\nline.txt", 10, 10);
  auto s = c.extract_ids({f, g});
  ASSERT_TRUE(s.ok());
  const std::string text = [&] {
    std::ifstream in(c.out() / s->manifest, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }();
  ASSERT_TRUE(text.starts_with("\xef\xbb\xbf"));
  const auto rows = parse_csv(text.substr(3));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"file_id", "evidence_id", "original_path", "output_path", "size", "sha256",
                                                "verified", "name"}));
  EXPECT_EQ(rows[1][0], std::to_string(f));
  EXPECT_EQ(rows[1][2], "/=cmd|'calc'!A0.csv");
  EXPECT_EQ(rows[1][3], "e1/v0/=cmd%7C'calc'!A0.csv");
  EXPECT_EQ(rows[1][7], "'=cmd|'calc'!A0.csv");
  EXPECT_EQ(rows[2][2], "/dir/@SUM(1+1),\"x\"\nline.txt");
  EXPECT_EQ(rows[2][7], "'@SUM(1+1),\"x\"\nline.txt");
  EXPECT_EQ(rows[2][6], "1");
  for (const auto& row : rows) {
    EXPECT_EQ(row.size(), 8u);
    for (const auto& cell : row) EXPECT_TRUE(cell.empty() || std::string_view("=+-@\t\r").find(cell[0]) == std::string_view::npos) << cell;
  }
}

}  // namespace
}  // namespace ferret::test
