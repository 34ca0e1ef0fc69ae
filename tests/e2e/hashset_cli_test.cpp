// ferret-hashset as a user meets it: TSK's testmd5.dat (checked against hfind), the hashdeep corpus
// fixtures, real hashdeep output, sets built from the samples' manifest, zip archives, VICS JSON
// and NSRL RDSv3 databases, bad input and damaged sets.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/text.h"
#include "hash/digest.h"
#include "sample_manifest.h"
#include "tool_runner.h"
#include "zip_writer.h"

namespace ferret::test {
namespace {

constexpr const char* kTool = "ferret-hashset";

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string md5_of_file(const std::filesystem::path& p) { return hash::digest_all(read_file_bytes(p)).md5; }

bool has_command(const std::string& name) {
  std::string out;
  return run_shell("command -v " + name, out) == 0 && !out.empty();
}

// The JSON string body json_escape makes of `s` (as the tool prints names).
std::string json_body(const std::string& s) { return json_escape(escape_invalid_utf8(s)); }

// One line as GNU md5sum/sha256sum writes it, escaping a name that holds '\\', '\n' or '\r'.
std::string gnu_sum_line(const std::string& hex, const std::string& name) {
  if (name.find_first_of("\\\n\r") == std::string::npos) return hex + "  " + name + "\n";
  std::string escaped;
  for (char c : name) {
    if (c == '\\') escaped += "\\\\";
    else if (c == '\n') escaped += "\\n";
    else if (c == '\r') escaped += "\\r";
    else escaped += c;
  }
  return "\\" + hex + "  " + escaped + "\n";
}

TEST(HashsetCli, HelpVersionAndUsageErrors) {
  const auto help = run_tool(kTool, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("ferret-hashset import"), std::string::npos);
  const auto import_help = run_tool(kTool, {"import", "--help"});
  EXPECT_EQ(import_help.exit_code, 0);
  EXPECT_NE(import_help.out.find("whatever the size of the lists"), std::string::npos);
  EXPECT_EQ(run_tool(kTool, {"lookup", "--help"}).exit_code, 0);
  EXPECT_EQ(run_tool(kTool, {"info", "--help"}).exit_code, 0);
  const auto version = run_tool(kTool, {"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("ferret-hashset ", 0), 0u);
  EXPECT_EQ(run_tool(kTool, {}).exit_code, 1);
  EXPECT_EQ(run_tool(kTool, {"frobnicate"}).exit_code, 1);
  TempDir tmp;
  write_text(tmp / "a.md5", "d41d8cd98f00b204e9800998ecf8427e  empty\n");
  const std::string list = (tmp / "a.md5").string(), set = (tmp / "a.set").string();
  EXPECT_EQ(run_tool(kTool, {"import", "--name", "x", "--category", "other", list}).exit_code, 1);  // no --out
  EXPECT_EQ(run_tool(kTool, {"import", "--out", set, "--name", "x", "--category", "bad", list}).exit_code, 1);
  EXPECT_EQ(run_tool(kTool, {"import", "--out", set, "--name", "x", "--category", "other", "--format", "nsrl", list}).exit_code, 1);
  EXPECT_EQ(run_tool(kTool, {"import", "--out", set, "--name", "x", "--category", "other", "--memory", "1", list}).exit_code, 1);
  EXPECT_EQ(run_tool(kTool, {"import", "--out", set, "--name", "x", "--category", "other"}).exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(set));
  ASSERT_EQ(run_tool(kTool, {"import", "--out", set, "--name", "x", "--category", "other", "--quiet", list}).exit_code, 0);
  const auto bad_hash = run_tool(kTool, {"lookup", set, "d41d8cd98f00b204e9800998ecf8427"});
  EXPECT_EQ(bad_hash.exit_code, 1);
  EXPECT_NE(bad_hash.err.find("is not an MD5, SHA-1 or SHA-256"), std::string::npos);
  EXPECT_EQ(run_tool(kTool, {"info", set, set}).exit_code, 1);
}

// TSK's own md5sum-format test set, and the answers hfind gives on it.
TEST(HashsetCli, TskTestMd5DatMatchesHfind) {
  FERRET_REQUIRE_CORPUS_FILE(list, "sleuthkit/bindings/java/test/data/testmd5.dat");
  TempDir tmp;
  const std::string set = (tmp / "tsk.ferret-hashset").string();
  const auto import = run_tool(kTool, {"import", "--out", set, "--name", "TSK test", "--category", "known-good", "--json", list.string()});
  ASSERT_EQ(import.exit_code, 0) << import.err << import.out;
  EXPECT_NE(import.out.find("\"counts\":{\"md5\":{\"hashes\":28,\"duplicates\":0}}"), std::string::npos) << import.out;
  const auto info = run_tool(kTool, {"info", set, "--json", "--verify"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  // The corpus manifest's SHA-256 of the file.
  EXPECT_NE(info.out.find("\"sha256\":\"acec8a089b1e9d507062fbf5e7cee263ee83a28516a36779a61715b264477c85\""), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("\"verified\":true"), std::string::npos);
  const auto found = run_tool(kTool, {"lookup", set, "03782788D3DAECCC91BBF5402B0D95FA", "35b299c6fcf47ece375b3221bdc16969"});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("03782788d3daeccc91bbf5402b0d95fa  md5  match  file_name: tsk_loaddb.exe\n"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("35b299c6fcf47ece375b3221bdc16969  md5  no match\n"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("1 of 2 hash(es) found in TSK test (known-good)"), std::string::npos);

  // Every line of the list, looked up by us and by hfind (on a copy: hfind writes its index beside the list).
  if (!has_command("hfind")) GTEST_SKIP() << "hfind (sleuthkit) is not installed";
  std::filesystem::copy_file(list, tmp / "testmd5.dat");
  std::string out;
  ASSERT_EQ(run_shell("hfind -i md5sum " + shell_quote((tmp / "testmd5.dat").string()), out), 0);
  std::vector<std::string> hashes = {"35b299c6fcf47ece375b3221bdc16969", "00000000000000000000000000000000"};
  std::ifstream in(list);
  std::string line;
  while (std::getline(in, line)) hashes.push_back(line.substr(0, 32));
  std::string hash_args;
  for (const auto& h : hashes) hash_args += " " + h;
  ASSERT_EQ(run_shell("hfind " + shell_quote((tmp / "testmd5.dat").string()) + hash_args, out), 0);
  std::map<std::string, std::string> hfind;  // lowercase hash -> name or ""
  std::istringstream hout(out);
  while (std::getline(hout, line)) {
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    std::string h = line.substr(0, tab);
    for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string name = line.substr(tab + 1);
    hfind[h] = name == "Hash Not Found" ? "" : name;
  }
  std::vector<std::string> args = {"lookup", set};
  args.insert(args.end(), hashes.begin(), hashes.end());
  const auto ours = run_tool(kTool, args);
  ASSERT_EQ(ours.exit_code, 0);
  ASSERT_EQ(hfind.size(), 30u);
  for (const auto& [h, name] : hfind) {
    const std::string want = name.empty() ? h + "  md5  no match\n" : h + "  md5  match  file_name: " + name + "\n";
    EXPECT_NE(ours.out.find(want), std::string::npos) << want;
  }
}

// The hashdeep project's test fixtures: md5deep output with a junk line, BSD-style md5 output, an
// NSRL RDS 2.x NSRLFile.txt, and an iLook export (a format we do not read).
TEST(HashsetCli, HashdeepCorpusFixtures) {
  FERRET_REQUIRE_CORPUS_FILE(known, "hashdeep/tests/testfiles/known.txt");
  FERRET_REQUIRE_CORPUS_FILE(bsd, "hashdeep/tests/testfiles/bsd-hashes.txt");
  FERRET_REQUIRE_CORPUS_FILE(nsrl, "hashdeep/tests/testfiles/nsrlfile.txt");
  FERRET_REQUIRE_CORPUS_FILE(ilook, "hashdeep/tests/testfiles/ilookv4.hsh");
  TempDir tmp;
  const std::string known_set = (tmp / "known.set").string();
  const auto k = run_tool(kTool, {"import", "--out", known_set, "--name", "known", "--category", "other", known.string()});
  EXPECT_EQ(k.exit_code, 3) << k.err << k.out;
  EXPECT_NE(k.out.find("known.txt:2: not a checksum line"), std::string::npos) << k.out;
  const auto kinfo = run_tool(kTool, {"info", known_set, "--json"});
  ASSERT_EQ(kinfo.exit_code, 0);
  EXPECT_NE(kinfo.out.find("\"lines\":2,\"accepted\":1,\"rejected\":1"), std::string::npos) << kinfo.out;
  EXPECT_NE(kinfo.out.find("\"line\":2,\"reason\":\"not a checksum line: md5 is not hexadecimal ('h' at position 1)\""), std::string::npos);
  EXPECT_NE(run_tool(kTool, {"lookup", known_set, "07ff3b8f4f2990192b595ca148d284bd"}).out.find("match  file_name: ChangeLog"), std::string::npos);

  // BSD "MD5 (name) = hash" lines: every hash is the MD5 of the named fixture beside it.
  const std::string bsd_set = (tmp / "bsd.set").string();
  const auto b = run_tool(kTool, {"import", "--out", bsd_set, "--name", "bsd", "--category", "other", "--json", bsd.string()});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.out.find("\"format\":\"md5sum\""), std::string::npos);
  for (const std::string name : {"copying.txt", "deadbeef.txt", "foo.txt", "install.txt", "one-byte-file.txt"}) {
    const auto l = run_tool(kTool, {"lookup", bsd_set, md5_of_file(bsd.parent_path() / name)});
    EXPECT_NE(l.out.find("  md5  match  file_name: " + name + "\n"), std::string::npos) << name << l.out;
  }

  // NSRL RDS 2.x: SHA-1 and MD5 of each row, one entry; its second row is the empty file.
  const std::string nsrl_set = (tmp / "nsrl.set").string();
  const auto n = run_tool(kTool, {"import", "--out", nsrl_set, "--name", "nsrl", "--category", "known-good", "--json", nsrl.string()});
  ASSERT_EQ(n.exit_code, 0) << n.err << n.out;
  EXPECT_NE(n.out.find("\"format\":\"nsrl-rds2\""), std::string::npos) << n.out;
  EXPECT_NE(n.out.find("\"counts\":{\"md5\":{\"hashes\":2,\"duplicates\":0},\"sha1\":{\"hashes\":2,\"duplicates\":0}}"), std::string::npos) << n.out;
  const auto empty = run_tool(kTool, {"lookup", nsrl_set, md5_of_file(nsrl.parent_path() / "zero-byte-file.txt"), "C00002DED6E03A93513D4EA144486B2E33A3AC83"});
  EXPECT_NE(empty.out.find("d41d8cd98f00b204e9800998ecf8427e  md5  match  file_name:     ___  size: 0\n"), std::string::npos) << empty.out;
  EXPECT_NE(empty.out.find("c00002ded6e03a93513d4ea144486b2e33a3ac83  sha1  match  file_name: hticons.dll  size: 29456\n"), std::string::npos) << empty.out;

  // iLook: refused with what it is, nothing written.
  const std::string other_set = (tmp / "other.set").string();
  const auto i = run_tool(kTool, {"import", "--out", other_set, "--name", "ilook", "--category", "other", ilook.string()});
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_NE(i.err.find("it is an iLook hash export (first column 'V4Hash'), a format Ferret does not read"), std::string::npos) << i.err;
  const auto forced = run_tool(kTool, {"import", "--out", other_set, "--name", "ilook", "--category", "other", "--format", "csv", ilook.string()});
  EXPECT_EQ(forced.exit_code, 2);
  EXPECT_NE(forced.err.find("names no md5, sha1 or sha256 column"), std::string::npos) << forced.err;
  EXPECT_FALSE(std::filesystem::exists(other_set));
}

// hashdeep's own output over the corpus fixtures plus names with commas: every file is found by
// each of its three digests, with the path hashdeep printed.
TEST(HashsetCli, RealHashdeepOutput) {
  FERRET_REQUIRE_CORPUS_FILE(fixtures, "hashdeep/tests/testfiles/foo.txt");
  if (!has_command("hashdeep")) GTEST_SKIP() << "hashdeep is not installed";
  TempDir tmp;
  const auto files = tmp / "files";
  std::filesystem::create_directories(files);
  for (const auto& e : std::filesystem::directory_iterator(fixtures.parent_path())) std::filesystem::copy_file(e.path(), files / e.path().filename());
  write_text(files / "a, b, and c.txt", "commas\n");
  write_text(files / "back\\slash.txt", "backslash\n");
  std::string out;
  ASSERT_EQ(run_shell("cd " + shell_quote(files.string()) + " && hashdeep -l -c md5,sha1,sha256,tiger,whirlpool -r . > ../list.hashdeep", out), 0);
  const std::string set = (tmp / "deep.set").string();
  const auto import = run_tool(kTool, {"import", "--out", set, "--name", "deep", "--category", "other", "--json", (tmp / "list.hashdeep").string()});
  ASSERT_EQ(import.exit_code, 0) << import.err << import.out;
  EXPECT_NE(import.out.find("\"format\":\"hashdeep\""), std::string::npos);
  EXPECT_NE(import.out.find("\"ignored_columns\":[\"tiger\",\"whirlpool\"]"), std::string::npos);
  int checked = 0;
  std::set<std::string> distinct;
  for (const auto& e : std::filesystem::directory_iterator(files)) {
    const auto d = hash::digest_all(read_file_bytes(e.path()));
    distinct.insert(d.md5);
    const auto l = run_tool(kTool, {"lookup", set, d.md5, d.sha1, d.sha256, "--json"});
    ASSERT_EQ(l.exit_code, 0);
    EXPECT_NE(l.out.find("\"matched\":3"), std::string::npos) << e.path() << l.out;
    // hashdeep prints ./NAME relative to where it ran.
    EXPECT_NE(l.out.find("\"file_name\":\"" + json_body("./" + e.path().filename().string()) + "\""), std::string::npos) << l.out;
    ++checked;
  }
  EXPECT_EQ(checked, 14);
  EXPECT_NE(import.out.find("\"md5\":{\"hashes\":" + std::to_string(distinct.size())), std::string::npos) << import.out;
}

// A set built from the demo sample's ground truth: an md5sum list and a gzip-compressed sha256sum
// list made from its columns, with every hostile name the sample holds.
TEST(HashsetCli, SampleManifestLists) {
  std::ifstream in(manifest_path("demo.tsv"));
  ASSERT_TRUE(in);
  std::string line, md5_list, sha256_list;
  std::getline(in, line);
  std::map<std::string, std::string> first_md5, first_sha256;  // hash -> first path
  std::vector<std::string> sha1s;
  while (std::getline(in, line)) {
    const auto f = split_tabs(line);
    ASSERT_EQ(f.size(), 9u);
    if (f[1] != "file" || f[4].empty()) continue;
    const std::string path = unescape_path(f[2]);
    md5_list += gnu_sum_line(f[4], path);
    sha256_list += gnu_sum_line(f[6], path);
    first_md5.emplace(f[4], path);
    first_sha256.emplace(f[6], path);
    sha1s.push_back(f[5]);
  }
  ASSERT_GE(first_md5.size(), 35u);
  TempDir tmp;
  write_text(tmp / "demo.md5", md5_list);
  write_text(tmp / "demo.sha256", sha256_list);
  std::string out;
  ASSERT_EQ(run_shell("gzip -n " + shell_quote((tmp / "demo.sha256").string()), out), 0);
  const std::string set = (tmp / "demo.ferret-hashset").string();
  const auto import = run_tool(kTool, {"import", "--out", set, "--name", "Demo releases", "--category", "notable", "--json",
                                       (tmp / "demo.md5").string(), (tmp / "demo.sha256.gz").string()});
  ASSERT_EQ(import.exit_code, 0) << import.err << import.out;
  EXPECT_NE(import.out.find("\"md5\":{\"hashes\":" + std::to_string(first_md5.size())), std::string::npos) << import.out;
  EXPECT_NE(import.out.find("\"sha256\":{\"hashes\":" + std::to_string(first_sha256.size())), std::string::npos) << import.out;
  EXPECT_NE(import.out.find("\"format\":\"sha256sum\",\"compression\":\"gzip\""), std::string::npos);

  std::vector<std::string> args = {"lookup", set, "--json"};
  for (const auto& [h, _] : first_md5) args.push_back(h);
  for (const auto& [h, _] : first_sha256) args.push_back(h);
  const auto l = run_tool(kTool, args);
  ASSERT_EQ(l.exit_code, 0) << l.err;
  EXPECT_NE(l.out.find("\"matched\":" + std::to_string(first_md5.size() + first_sha256.size())), std::string::npos) << l.out;
  for (const auto* m : {&first_md5, &first_sha256}) {
    for (const auto& [h, path] : *m) {
      EXPECT_NE(l.out.find("{\"hash\":\"" + h + "\",\"algorithm\":\"" + (h.size() == 32 ? "md5" : "sha256") + "\",\"match\":true,\"entry\":{\"file_name\":\"" +
                           json_body(path) + "\"}}"),
                std::string::npos)
          << path;
    }
  }
  // The same lookups through stdin, and a SHA-1 (not in the set) and an unknown MD5.
  std::string hashes;
  for (const auto& [h, _] : first_md5) hashes += h + "\n";
  ASSERT_EQ(run_shell("printf '%s' " + shell_quote(hashes) + " | " + shell_quote(std::string(FERRET_BIN_DIR) + "/ferret-hashset") + " lookup " +
                          shell_quote(set) + " -",
                      out),
            0);
  EXPECT_NE(out.find(std::to_string(first_md5.size()) + " of " + std::to_string(first_md5.size()) + " hash(es) found in Demo releases (notable)"),
            std::string::npos)
      << out;
  const auto miss = run_tool(kTool, {"lookup", set, sha1s.front(), "00000000000000000000000000000000", "--json"});
  ASSERT_EQ(miss.exit_code, 0);
  EXPECT_NE(miss.out.find("\"algorithm\":\"sha1\",\"match\":false,\"algorithm_in_set\":false"), std::string::npos) << miss.out;
  EXPECT_NE(miss.out.find("\"matched\":0"), std::string::npos);
}

// CSV lists of releases from a rights holder: the metadata comes back with every match.
TEST(HashsetCli, CsvMetadataIsShownInMatches) {
  TempDir tmp;
  write_text(tmp / "studio.csv",
             "MD5,Title,Release,Rights Holder,URL\r\n"
             "6146d79378a7e7e81d00727f357b1de0,\"Night Harbor\",Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP,\"Harbor Films, Ltd.\",https://example.org/nh\r\n");
  const std::string set = (tmp / "studio.set").string();
  ASSERT_EQ(run_tool(kTool, {"import", "--out", set, "--name", "Studio", "--category", "notable", "--quiet", (tmp / "studio.csv").string()}).exit_code, 0);
  const auto l = run_tool(kTool, {"lookup", set, "6146D79378A7E7E81D00727F357B1DE0", "--json"});
  EXPECT_NE(l.out.find("\"entry\":{\"title\":\"Night Harbor\",\"release\":\"Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP\","
                       "\"rights_holder\":\"Harbor Films, Ltd.\",\"url\":\"https://example.org/nh\"}"),
            std::string::npos)
      << l.out;
  const auto human = run_tool(kTool, {"lookup", set, "6146d79378a7e7e81d00727f357b1de0"});
  EXPECT_NE(human.out.find("match  title: Night Harbor  release: Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP  rights_holder: Harbor Films, Ltd."),
            std::string::npos)
      << human.out;
}

// Malformed lines are rejected with their numbers (exit 3); an over-long line costs no memory; an
// empty or all-bad list writes nothing (exit 2); an existing set is kept unless --force.
TEST(HashsetCli, BadInput) {
  TempDir tmp;
  std::string text = "d41d8cd98f00b204e9800998ecf8427e  empty\n"   // 1
                     "c4ca4238a0b923820dcc509a6f75849b  one\n"     // 2
                     "c4ca4238a0b923820dcc509a6f75849  short\n"    // 3
                     "\n"                                          // 4
                     "C81E728D9D4C2F636F067F89CC14862Z  bad hex\n" // 5
                     "eccbc87e4b5ce2fe28308fd9f2a7baf3  three\n";  // 6
  text += std::string(3u << 20, 'A') + "  huge\n";                 // 7
  text += "da39a3ee5e6b4b0d3255bfef95601890afd80709  a sha1\n";   // 8
  text += "a87ff679a2f3e71d9181a67b7542122c  four\n";             // 9
  write_text(tmp / "bad.md5", text);
  const std::string set = (tmp / "bad.set").string();
  const auto r = run_tool(kTool, {"import", "--out", set, "--name", "bad", "--category", "other", "--json", (tmp / "bad.md5").string()});
  EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
  EXPECT_NE(r.out.find("\"exit_code\":3"), std::string::npos);
  const auto info = run_tool(kTool, {"info", set, "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("\"lines\":9,\"accepted\":4,\"rejected\":4"), std::string::npos) << info.out;
  for (const std::string want : {"\"line\":3,\"reason\":\"not a checksum line: md5 has 31 hex digits, expected 32\"",
                                 "\"line\":5,\"reason\":\"not a checksum line: md5 is not hexadecimal ('Z' at position 32)\"",
                                 "\"line\":7,\"reason\":\"line longer than 1 MiB\"",
                                 "\"line\":8,\"reason\":\"not a checksum line: md5 has 40 hex digits, expected 32\""}) {
    EXPECT_NE(info.out.find(want), std::string::npos) << want;
  }
  const auto human = run_tool(kTool, {"info", set});
  EXPECT_NE(human.out.find("rejected lines: 4 (4 kept)"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("bad.md5:7: line longer than 1 MiB"), std::string::npos);
  EXPECT_NE(run_tool(kTool, {"lookup", set, "a87ff679a2f3e71d9181a67b7542122c"}).out.find("match  file_name: four"), std::string::npos);

  // Already there: refused, kept; --force replaces it.
  const auto again = run_tool(kTool, {"import", "--out", set, "--name", "bad", "--category", "other", (tmp / "bad.md5").string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("--force"), std::string::npos);
  EXPECT_EQ(run_tool(kTool, {"import", "--out", set, "--name", "b", "--category", "other", "--force", "-q", (tmp / "bad.md5").string()}).exit_code, 3);

  write_text(tmp / "empty.md5", "");
  const std::string none = (tmp / "none.set").string();
  const auto empty = run_tool(kTool, {"import", "--out", none, "--name", "e", "--category", "other", (tmp / "empty.md5").string()});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("empty.md5: it is empty"), std::string::npos) << empty.err;
  write_text(tmp / "allbad.md5", "c4ca4238a0b923820dcc509a6f75849  short\nzzzz\n");
  const auto allbad = run_tool(kTool, {"import", "--out", none, "--name", "e", "--category", "other", "--format", "md5sum", (tmp / "allbad.md5").string()});
  EXPECT_EQ(allbad.exit_code, 2);
  EXPECT_NE(allbad.out.find("nothing could be imported"), std::string::npos) << allbad.out;
  EXPECT_NE(allbad.out.find("allbad.md5:1:"), std::string::npos);
  const auto dir_input = run_tool(kTool, {"import", "--out", none, "--name", "e", "--category", "other", tmp.path().string()});
  EXPECT_EQ(dir_input.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(none));
  EXPECT_FALSE(std::filesystem::exists(none + ".tmp"));
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string digests_of(const std::string& s, hash::Algorithm a) {
  return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).get(a);
}
std::string md5_text(const std::string& s) { return digests_of(s, hash::Algorithm::md5); }
std::string sha1_text(const std::string& s) { return digests_of(s, hash::Algorithm::sha1); }

// A VICS 2.0 document of `n` Media objects (MD5, SHA1, size, name).
std::string vics_document(int n) {
  std::string doc = "{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media\",\"value\":[";
  for (int i = 0; i < n; ++i) {
    const std::string k = "media" + std::to_string(i);
    doc += std::string(i ? ",\n" : "\n") + "{\"MediaID\":" + std::to_string(i + 1) + ",\"Category\":1,\"MD5\":\"" + upper(md5_text(k)) +
           "\",\"SHA1\":\"" + upper(sha1_text(k)) + "\",\"MediaSize\":" + std::to_string(100 + i) + ",\"RelativeFilePath\":\"seized/" + k +
           ".jpg\",\"IsPrecategorized\":\"true\"}";
  }
  return doc + "\n]}\n";
}

// A zip of lists in three formats: each member is a source named archive.zip!member.
TEST(HashsetCli, ZipArchiveMembersAreSourcesOfTheirOwn) {
  TempDir tmp;
  std::string md5s;
  for (int i = 0; i < 30; ++i) md5s += md5_text("z" + std::to_string(i)) + "  z" + std::to_string(i) + ".bin\n";
  const std::string nsrl = "\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\r\n\"" +
                           upper(sha1_text("n")) + "\",\"" + upper(md5_text("n")) + "\",\"00000000\",\"n.dll\",1,1,\"WIN\",\"\"\r\n";
  ZipWriter w;
  w.add(ZipEntry("lists/", ""));
  w.add(ZipEntry("lists/list.md5", md5s));
  w.add(ZipEntry("NSRLFile.txt", nsrl).deflated().with_descriptor());
  w.add(ZipEntry("vics.json", vics_document(5)).deflated().as_zip64());
  write_text(tmp / "archive.zip", w.finish());
  const std::string set = (tmp / "zip.set").string();
  const auto import = run_tool(kTool, {"import", "--out", set, "--name", "zipped", "--category", "notable", (tmp / "archive.zip").string()});
  ASSERT_EQ(import.exit_code, 0) << import.err << import.out;
  const std::string zip_path = (tmp / "archive.zip").string();
  EXPECT_NE(import.out.find("source 1: " + zip_path + "!lists/list.md5 (md5sum, zip stored): 30 lines, 30 accepted, 0 rejected"), std::string::npos)
      << import.out;
  EXPECT_NE(import.out.find("source 2: " + zip_path + "!NSRLFile.txt (nsrl-rds2, zip deflate): 2 lines, 1 accepted, 0 rejected"), std::string::npos);
  EXPECT_NE(import.out.find("source 3: " + zip_path + "!vics.json (vics-json, zip deflate): 5 Media objects, 5 accepted, 0 rejected"), std::string::npos);
  const auto info = run_tool(kTool, {"info", set});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const std::string zip_sha256 = hash::digest_all(read_file_bytes(tmp / "archive.zip")).sha256;
  EXPECT_NE(info.out.find("    1. " + zip_path + "!lists/list.md5\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("    2. " + zip_path + "!NSRLFile.txt\n"), std::string::npos);
  EXPECT_NE(info.out.find("    3. " + zip_path + "!vics.json\n"), std::string::npos);
  EXPECT_NE(info.out.find("member lists/list.md5 (stored, CRC-32 " ), std::string::npos);
  EXPECT_NE(info.out.find(" verified) of " + zip_path + ", "), std::string::npos);
  EXPECT_NE(info.out.find("sha256 " + zip_sha256), std::string::npos);
  EXPECT_NE(info.out.find("5 Media objects: 5 accepted, 0 rejected"), std::string::npos);
  const auto l = run_tool(kTool, {"lookup", set, md5_text("z29"), sha1_text("n"), md5_text("media4")});
  EXPECT_NE(l.out.find("  md5  match  file_name: z29.bin\n"), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("  sha1  match  file_name: n.dll  size: 1\n"), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("  md5  match  file_name: seized/media4.jpg  size: 104\n"), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("3 of 3 hash(es) found in zipped (notable)"), std::string::npos);

  // An encrypted member: refused, named, nothing written.
  ZipWriter locked;
  locked.add(ZipEntry("list.md5", md5s));
  locked.add(ZipEntry("secret.md5", md5s).with_flags(1));
  write_text(tmp / "locked.zip", locked.finish());
  const auto refused = run_tool(kTool, {"import", "--out", (tmp / "locked.set").string(), "--name", "x", "--category", "other", (tmp / "locked.zip").string()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("locked.zip!secret.md5: it is encrypted"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "locked.set"));
}

// VICS JSON whole, and cut short: what came before the cut is imported, exit 3.
TEST(HashsetCli, VicsJsonAndATruncatedOne) {
  TempDir tmp;
  const std::string doc = vics_document(200);
  write_text(tmp / "vics.json", doc);
  const std::string set = (tmp / "vics.set").string();
  const auto whole = run_tool(kTool, {"import", "--out", set, "--name", "VIC", "--category", "notable", (tmp / "vics.json").string()});
  ASSERT_EQ(whole.exit_code, 0) << whole.err << whole.out;
  EXPECT_NE(whole.out.find("(vics-json): 200 Media objects, 200 accepted, 0 rejected"), std::string::npos) << whole.out;
  EXPECT_NE(whole.out.find("  md5     200 hashes (0 duplicates)\n  sha1    200 hashes (0 duplicates)\n"), std::string::npos) << whole.out;
  const auto l = run_tool(kTool, {"lookup", set, sha1_text("media150"), "--json"});
  EXPECT_NE(l.out.find("\"match\":true,\"entry\":{\"file_name\":\"seized/media150.jpg\",\"size\":250}"), std::string::npos) << l.out;

  // Cut inside Media object 121.
  const std::size_t cut_at = doc.find("\"MediaID\":121,") + 20;
  write_text(tmp / "cut.json", doc.substr(0, cut_at));
  const std::string cut_set = (tmp / "cut.set").string();
  const auto cut = run_tool(kTool, {"import", "--out", cut_set, "--name", "VIC", "--category", "notable", "--json", (tmp / "cut.json").string()});
  EXPECT_EQ(cut.exit_code, 3) << cut.err << cut.out;
  EXPECT_NE(cut.out.find("\"format\":\"vics-json\",\"compression\":\"none\",\"lines\":120,\"accepted\":120,\"rejected\":1"), std::string::npos)
      << cut.out;
  EXPECT_NE(cut.out.find("\"stopped\":\"the JSON ends early at byte " + std::to_string(cut_at) + " (the file is truncated)\""), std::string::npos);
  EXPECT_NE(cut.out.find("\"line\":121,\"reason\":\"reading stopped here: the JSON ends early"), std::string::npos);
  const auto human = run_tool(kTool, {"import", "--out", cut_set, "--force", "--name", "VIC", "--category", "notable", (tmp / "cut.json").string()});
  EXPECT_EQ(human.exit_code, 3);
  EXPECT_NE(human.out.find("(vics-json): 120 Media objects, 120 accepted, 1 rejected\n    reading stopped early: the JSON ends early"),
            std::string::npos)
      << human.out;
  EXPECT_NE(run_tool(kTool, {"lookup", cut_set, md5_text("media119")}).out.find("match  file_name: seized/media119.jpg"), std::string::npos);
  EXPECT_NE(run_tool(kTool, {"lookup", cut_set, md5_text("media120")}).out.find("no match"), std::string::npos);
}

// An NSRL RDSv3 database (built here): read in place, never written.
TEST(HashsetCli, NsrlRdsv3Database) {
  TempDir tmp;
  const auto db_path = tmp / "RDS_2026.03.1_modern_minimal.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  std::string sql =
      "CREATE TABLE FILE (sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, crc32 VARCHAR NOT NULL, file_name VARCHAR NOT NULL,"
      " file_size INTEGER NOT NULL, package_id INTEGER NOT NULL);";
  for (int i = 0; i < 40; ++i) {
    const std::string k = "rds" + std::to_string(i);
    const auto d = hash::digest_all(std::as_bytes(std::span(k.data(), k.size())));
    sql += "INSERT INTO FILE VALUES ('" + upper(d.sha256) + "','" + upper(d.sha1) + "','" + upper(d.md5) + "','00000000','" + k + ".sys'," +
           std::to_string(i) + "," + std::to_string(i % 4) + ");";
  }
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const auto before = read_file_bytes(db_path);
  const auto mtime = std::filesystem::last_write_time(db_path);
  const std::string set = (tmp / "rds.set").string();
  const auto import = run_tool(kTool, {"import", "--out", set, "--name", "NSRL RDSv3", "--category", "known-good", db_path.string()});
  ASSERT_EQ(import.exit_code, 0) << import.err << import.out;
  EXPECT_NE(import.out.find("(nsrl-rdsv3): 40 rows, 40 accepted, 0 rejected"), std::string::npos) << import.out;
  EXPECT_NE(import.out.find("  sha256  40 hashes"), std::string::npos);
  EXPECT_EQ(read_file_bytes(db_path), before);
  EXPECT_EQ(std::filesystem::last_write_time(db_path), mtime);
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"RDS_2026.03.1_modern_minimal.db", "rds.set"}));  // no journal, no WAL
  const auto info = run_tool(kTool, {"info", set});
  EXPECT_NE(info.out.find("       nsrl-rdsv3, "), std::string::npos) << info.out;
  EXPECT_NE(info.out.find(" bytes, sha256 " + hash::digest_all(before).sha256 + "\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("40 rows: 40 accepted, 0 rejected"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("columns not kept: crc32 package_id"), std::string::npos) << info.out;
  const std::string k = "rds7";
  const auto d = hash::digest_all(std::as_bytes(std::span(k.data(), k.size())));
  EXPECT_NE(run_tool(kTool, {"lookup", set, d.sha256}).out.find("match  file_name: rds7.sys  size: 7"), std::string::npos);
}

TEST(HashsetCli, DamagedSetsAreRefusedClearly) {
  TempDir tmp;
  write_text(tmp / "a.md5", "d41d8cd98f00b204e9800998ecf8427e  empty\n");
  const std::string set = (tmp / "a.set").string();
  ASSERT_EQ(run_tool(kTool, {"import", "--out", set, "--name", "a", "--category", "other", "-q", (tmp / "a.md5").string()}).exit_code, 0);
  std::filesystem::resize_file(set, std::filesystem::file_size(set) - 100);
  const auto info = run_tool(kTool, {"info", set});
  EXPECT_EQ(info.exit_code, 2);
  EXPECT_NE(info.err.find("truncated"), std::string::npos) << info.err;
  EXPECT_EQ(run_tool(kTool, {"lookup", set, "d41d8cd98f00b204e9800998ecf8427e"}).exit_code, 2);
  write_text(tmp / "not-a-set", "hello");
  const auto other = run_tool(kTool, {"info", (tmp / "not-a-set").string()});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("not a usable hash set"), std::string::npos) << other.err;
  EXPECT_EQ(run_tool(kTool, {"info", (tmp / "absent").string()}).exit_code, 2);
}

}  // namespace
}  // namespace ferret::test
