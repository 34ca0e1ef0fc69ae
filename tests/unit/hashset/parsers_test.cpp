// Hash-list parsing: every format, the names GNU coreutils and hashdeep write, and every reject reason
// with its line number.
#include "hashset/parsers.h"

#include <gtest/gtest.h>

#include "hashset_test_support.h"

namespace ferret::hashset {
namespace {

using test::parse_text;

constexpr const char* kEmptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";
constexpr const char* kEmptySha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
constexpr const char* kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Result<Format> detect(const std::string& text) {
  MemorySource source(text);
  return detect_format(source);
}

TEST(HexDigest, AcceptsEitherCaseAndSaysWhatIsWrong) {
  auto upper = parse_hex_digest(Algorithm::md5, "D41D8CD98F00B204E9800998ECF8427E");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->hex(), kEmptyMd5);
  auto short_hex = parse_hex_digest(Algorithm::md5, "d41d8cd98f00b204e9800998ecf8427");
  ASSERT_FALSE(short_hex.ok());
  EXPECT_EQ(short_hex.error().message, "md5 has 31 hex digits, expected 32");
  auto bad = parse_hex_digest(Algorithm::sha1, "zz39a3ee5e6b4b0d3255bfef95601890afd80709");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "sha1 is not hexadecimal ('z' at position 1)");
}

TEST(Detect, EachFormatFromItsFirstLines) {
  EXPECT_EQ(*detect(std::string(kEmptyMd5) + "  empty\n"), Format::md5sum);
  EXPECT_EQ(*detect(std::string(kEmptySha1) + " *empty\n"), Format::sha1sum);
  EXPECT_EQ(*detect(std::string("\\") + kEmptySha256 + "  back\\\\slash\n"), Format::sha256sum);
  EXPECT_EQ(*detect(std::string("SHA1 (empty) = ") + kEmptySha1 + "\n"), Format::sha1sum);
  EXPECT_EQ(*detect("%%%% HASHDEEP-1.0\n%%%% size,md5,filename\n"), Format::hashdeep);
  EXPECT_EQ(*detect("Title,MD5,Release\r\n"), Format::csv);
  EXPECT_EQ(*detect("\"sha-256\",\"title\"\n"), Format::csv);
  EXPECT_EQ(*detect("\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\n"), Format::nsrl_rds2);
  EXPECT_EQ(*detect("{\"odata.metadata\": \"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases\", \"value\": []}\n"), Format::vics_json);
  EXPECT_EQ(*detect("{\"@odata.context\": \"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media\"}"),
            Format::vics_json);
  // A byte-order mark, CRLF, blank lines and comments do not get in the way.
  EXPECT_EQ(*detect("\xef\xbb\xbf\r\n# made by md5sum\r\n" + std::string(kEmptyMd5) + "  x\r\n"), Format::md5sum);
  // A damaged first line does not hide the checksum lines behind it.
  EXPECT_EQ(*detect("garbage\n" + std::string(kEmptyMd5) + "  x\n"), Format::md5sum);
  // A long first line is streamed past.
  EXPECT_EQ(*detect(std::string(3u << 20, 'x') + "\n" + kEmptyMd5 + "  x\n"), Format::md5sum);
}

TEST(Detect, RefusesWhatItCannotReadWithAReason) {
  auto empty = detect("\n\n  \n");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, Errc::unsupported);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
  auto json = detect("{\"something\": \"else\"}\n");
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.error().message.find("not a Project VIC VICS document"), std::string::npos);
  auto junk = detect("hello world\nnothing to see\n");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.error().message.find("--format"), std::string::npos);
  auto ilook = detect("V4Hash,HashSHA1,FileName,FilePath,FileSize,HashSHA256,HashSHA384,HashSHA512,CreateTime,ModTime,LastAccessTime\n");
  ASSERT_FALSE(ilook.ok());
  EXPECT_EQ(ilook.error().code, Errc::unsupported);
  EXPECT_NE(ilook.error().message.find("an iLook hash export"), std::string::npos);
  EXPECT_EQ(sniff_container("PK\x03\x04 rest").container, Container::zip);
  EXPECT_EQ(sniff_container("PK\x05\x06").container, Container::zip);
  EXPECT_EQ(sniff_container(std::string("SQLite format 3\0", 16)).container, Container::sqlite);
  EXPECT_EQ(sniff_container("\x1f\x8b\x08").compression, Compression::gzip);
  EXPECT_NE(sniff_container("BZh91AY").unsupported.find("bzip2"), std::string::npos);
  EXPECT_NE(sniff_container("7z\xbc\xaf\x27\x1c").unsupported.find("7-Zip"), std::string::npos);
  EXPECT_EQ(sniff_container("d41d8cd98f00b204").container, Container::none);
}

TEST(Formats, EveryNameRoundTrips) {
  std::vector<std::string> names;
  for (Format f : kAllFormats) {
    names.emplace_back(format_name(f));
    EXPECT_EQ(format_from_name(format_name(f)), f);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"md5sum", "sha1sum", "sha256sum", "hashdeep", "csv", "nsrl-rds2", "nsrl-rdsv3", "vics-json"}));
  EXPECT_FALSE(format_from_name("nsrl"));
  EXPECT_STREQ(record_noun(Format::nsrl_rdsv3), "rows");
  EXPECT_STREQ(record_noun(Format::vics_json), "Media objects");
  EXPECT_STREQ(record_noun(Format::csv), "lines");
}

TEST(SumParser, GnuTextBinaryEscapedAndBsdForms) {
  const std::string text = std::string("\xef\xbb\xbf") +
      "D41D8CD98F00B204E9800998ECF8427E  empty file.txt\r\n"      // uppercase, CRLF, BOM, space in the name
      "9dd4e461268c8034f5c8564e155c67a6 *a,b.txt\n"              // binary marker, comma
      "\\415290769594460e2e485922904f345d  back\\\\slash\n"      // escaped backslash
      "\\fbade9e36a3f36d3d676c1b808451dd7  new\\nline\\rcr\n"    // escaped newline and CR
      "\n"
      "# a comment\n"
      "MD5 (odd) = name) = 0123456789abcdef0123456789abcdef\n"   // BSD tag; ") = " inside the name
      "\\MD5 (tagged\\\\back) = 00000000000000000000000000000001\n"
      "c4ca4238a0b923820dcc509a6f75849b one-space.txt\n"          // BSD 'md5 -r'
      "c81e728d9d4c2f636f067f89cc14862c\n"                        // a bare hash
      "  eccbc87e4b5ce2fe28308fd9f2a7baf3  leading blanks\n"
      "a87ff679a2f3e71d9181a67b7542122c  trailing space \n";
  auto p = parse_text(Format::md5sum, text);
  ASSERT_TRUE(p->status.ok()) << p->status.error().message;
  ASSERT_TRUE(p->sink.rejects.empty()) << p->sink.rejects.front().line << ": " << p->sink.rejects.front().reason;
  const auto& e = p->sink.entries;
  ASSERT_EQ(e.size(), 10u);
  EXPECT_EQ(e[0].hexes, std::vector<std::string>{std::string("md5:") + kEmptyMd5});
  EXPECT_EQ(e[0].file_name, "empty file.txt");
  EXPECT_EQ(e[0].line, 1u);
  EXPECT_EQ(e[1].file_name, "a,b.txt");
  EXPECT_EQ(e[2].file_name, "back\\slash");
  EXPECT_EQ(e[3].file_name, "new\nline\rcr");
  EXPECT_EQ(e[4].file_name, "odd) = name");
  EXPECT_EQ(e[4].line, 7u);
  EXPECT_EQ(e[4].hexes[0], "md5:0123456789abcdef0123456789abcdef");
  EXPECT_EQ(e[5].file_name, "tagged\\back");
  EXPECT_EQ(e[6].file_name, "one-space.txt");
  EXPECT_EQ(e[7].file_name, "");
  EXPECT_EQ(e[8].file_name, "leading blanks");
  EXPECT_EQ(e[9].file_name, "trailing space ");  // a name's trailing blanks are part of it
  EXPECT_EQ(p->summary.lines, 12u);
}

TEST(SumParser, Sha1AndSha256Lists) {
  auto p1 = parse_text(Format::sha1sum, std::string(kEmptySha1) + "  empty\n");
  ASSERT_EQ(p1->sink.entries.size(), 1u);
  EXPECT_EQ(p1->sink.entries[0].hexes[0], std::string("sha1:") + kEmptySha1);
  auto p256 = parse_text(Format::sha256sum, std::string("SHA256 (empty) = ") + kEmptySha256 + "\n");
  ASSERT_EQ(p256->sink.entries.size(), 1u);
  EXPECT_EQ(p256->sink.entries[0].hexes[0], std::string("sha256:") + kEmptySha256);
}

TEST(SumParser, EveryRejectReasonWithItsLineNumber) {
  const std::string text = std::string(kEmptyMd5) + "  good\n"                       // 1
                           "d41d8cd98f00b204e9800998ecf8427  short\n"                  // 2
                           "d41d8cd98f00b204e9800998ecf8427g  not hex\n"               // 3
                           + kEmptySha1 + "  a sha1 in an md5 list\n"                  // 4
                           "\\" + kEmptyMd5 + "  bad\\tescape\n"                       // 5
                           "\\" + kEmptyMd5 + "  lone\\\n"                             // 6
                           "SHA1 (x) = " + kEmptySha1 + "\n"                           // 7
                           "SHA512 (x) = abcd\n"                                       // 8
                           "MD5 (no equals sign\n"                                     // 9
                           + std::string(kMaxLineBytes + 10, 'a') + "\n"               // 10
                           "hello world!\n"                                            // 11
                           + kEmptyMd5 + "  last good\n";                              // 12
  auto p = parse_text(Format::md5sum, text);
  ASSERT_TRUE(p->status.ok());
  ASSERT_EQ(p->sink.entries.size(), 2u);
  EXPECT_EQ(p->sink.entries[1].line, 12u);
  EXPECT_EQ(p->sink.entries[1].file_name, "last good");
  const std::vector<std::pair<std::uint64_t, std::string>> want = {
      {2, "not a checksum line: md5 has 31 hex digits, expected 32"},
      {3, "not a checksum line: md5 is not hexadecimal ('g' at position 32)"},
      {4, "not a checksum line: md5 has 40 hex digits, expected 32"},
      {5, "unknown escape \\t in the file name"},
      {6, "the escaped file name ends with a lone backslash"},
      {7, "a SHA1 line in a md5sum list"},
      {8, "algorithm SHA512 is not one a hash set keeps (md5, sha1, sha256)"},
      {9, "a BSD-style checksum line without ') = '"},
      {10, "line longer than 1 MiB"},
      {11, "not a checksum line: md5 is not hexadecimal ('h' at position 1)"},
  };
  ASSERT_EQ(p->sink.rejects.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(p->sink.rejects[i].line, want[i].first);
    EXPECT_EQ(p->sink.rejects[i].reason, want[i].second);
  }
}

TEST(HashdeepParser, ColumnsInAnyOrderNamesWithCommasAndConcatenatedOutputs) {
  const std::string text =
      "%%%% HASHDEEP-1.0\n"
      "%%%% size,md5,sha256,filename\n"
      "## Invoked from: /tmp/hdtest\n"
      "## # hashdeep -r .\n"
      "## \n"
      "1,9dd4e461268c8034f5c8564e155c67a6,2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881,/tmp/hdtest/a,b.txt\n"
      "0,D41D8CD98F00B204E9800998ECF8427E,E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855,C:\\dir\\empty, really.txt\r\n"
      "%%%% HASHDEEP-1.0\n"
      "%%%% sha1,tiger,whirlpool,md5,size,filename\n"
      "da39a3ee5e6b4b0d3255bfef95601890afd80709,3293ac630c13f0245f92bbb1766e16167a4e58492dde73f3,"
      "19fa61d75522a4669b44e39c1d2e1726c530232130d407f89afee0964997f7a73e83be698b288febcf88e3e03c4f0757ea8964e59b63d93708b138cc42a66eb3,"
      "d41d8cd98f00b204e9800998ecf8427e,0,/x/empty\n";
  auto p = parse_text(Format::hashdeep, text);
  ASSERT_TRUE(p->status.ok());
  ASSERT_TRUE(p->sink.rejects.empty()) << p->sink.rejects[0].reason;
  const auto& e = p->sink.entries;
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].hexes, (std::vector<std::string>{"md5:9dd4e461268c8034f5c8564e155c67a6",
                                                 "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"}));
  EXPECT_EQ(e[0].file_name, "/tmp/hdtest/a,b.txt");
  EXPECT_EQ(e[0].size, 1u);
  EXPECT_EQ(e[0].line, 6u);
  EXPECT_EQ(e[1].file_name, "C:\\dir\\empty, really.txt");
  EXPECT_EQ(e[1].hexes[1], std::string("sha256:") + kEmptySha256);
  EXPECT_EQ(e[2].hexes, (std::vector<std::string>{std::string("sha1:") + kEmptySha1, std::string("md5:") + kEmptyMd5}));
  EXPECT_EQ(e[2].size, 0u);
  EXPECT_EQ(p->summary.ignored_columns, (std::vector<std::string>{"tiger", "whirlpool"}));
}

TEST(HashdeepParser, EveryRejectReasonWithItsLineNumber) {
  const std::string md5 = kEmptyMd5;
  const std::string text =
      "%%%% HASHDEEP-1.0\n"                        // 1
      "1," + md5 + ",/before/declaration\n"        // 2
      "%%%% size,md5,filename\n"                   // 3
      "x1," + md5 + ",/bad/size\n"                 // 4
      "5\n"                                        // 5
      "5," + md5.substr(1) + ",/short/md5\n"       // 6
      "5," + md5 + ",/good\n"                      // 7
      "%%%% size,md5,crc32,filename\n"             // 8
      "5," + md5 + ",/after/bad/declaration\n"     // 9
      "%%%% HASHDEEP-2.0\n"                        // 10
      "%%%% size,filename,md5\n"                   // 11
      "%%%% size,tiger,filename\n"                 // 12
      "%%%% md5,md5,filename\n"                    // 13
      "%%%% size,md5,tiger,filename\n"             // 14
      "5," + md5 + ",abc,/bad/tiger\n";            // 15
  auto p = parse_text(Format::hashdeep, text);
  ASSERT_TRUE(p->status.ok());
  ASSERT_EQ(p->sink.entries.size(), 1u);
  EXPECT_EQ(p->sink.entries[0].line, 7u);
  const std::vector<std::pair<std::uint64_t, std::string>> want = {
      {2, "a data line before the '%%%% size,md5,...,filename' column declaration"},
      {4, "size 'x1' is not a number"},
      {5, "1 field(s), the column declaration has 3"},
      {6, "md5 has 31 hex digits, expected 32"},
      {8, "unknown column 'crc32' in the hashdeep column declaration"},
      {9, "no valid column declaration before this line (see line 8)"},
      {10, "unsupported hashdeep version 'HASHDEEP-2.0'"},
      {11, "the hashdeep column declaration does not end with 'filename'"},
      {12, "the hashdeep column declaration has no md5, sha1 or sha256 column"},
      {13, "column 'md5' declared twice"},
      {15, "tiger is not 48 hex digits"},
  };
  ASSERT_EQ(p->sink.rejects.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(p->sink.rejects[i].line, want[i].first) << want[i].second;
    EXPECT_EQ(p->sink.rejects[i].reason, want[i].second);
  }
}

TEST(CsvParser, HeaderNamesInAnyCaseQuotingAndMetadata) {
  const std::string text =
      "\xef\xbb\xbf" "Title,MD5,Release,\"Rights Holder\",URL,sha-1,notes,size\r\n"
      "\"Night Harbor, the movie\",D41D8CD98F00B204E9800998ECF8427E,Night.Harbor.2026.1080p,\"Studio \"\"North\"\"\",https://example.org/nh,,kept out,1234\r\n"
      "\"Two\nlines\",,Quiet.Orbit,,,da39a3ee5e6b4b0d3255bfef95601890afd80709,,\r\n"
      "\r\n"
      "Both,c4ca4238a0b923820dcc509a6f75849b,,,,356a192b7913b04c54574d18c28d46e6395428ab,x,\n";
  auto p = parse_text(Format::csv, text);
  ASSERT_TRUE(p->status.ok()) << p->status.error().message;
  ASSERT_TRUE(p->sink.rejects.empty()) << p->sink.rejects[0].reason;
  const auto& e = p->sink.entries;
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].title, "Night Harbor, the movie");
  EXPECT_EQ(e[0].hexes, std::vector<std::string>{std::string("md5:") + kEmptyMd5});
  EXPECT_EQ(e[0].release, "Night.Harbor.2026.1080p");
  EXPECT_EQ(e[0].rights_holder, "Studio \"North\"");
  EXPECT_EQ(e[0].url, "https://example.org/nh");
  EXPECT_EQ(e[0].size, 1234u);
  EXPECT_EQ(e[0].line, 2u);
  EXPECT_EQ(e[1].title, "Two\nlines");
  EXPECT_EQ(e[1].hexes, std::vector<std::string>{std::string("sha1:") + kEmptySha1});
  EXPECT_EQ(e[1].line, 3u);
  EXPECT_EQ(e[2].hexes.size(), 2u);
  EXPECT_EQ(e[2].line, 6u);
  EXPECT_EQ(p->summary.ignored_columns, std::vector<std::string>{"notes"});
}

TEST(CsvParser, EveryRejectReasonWithItsLineNumber) {
  const std::string text =
      "md5,title\n"                                        // 1
      "d41d8cd98f00b204e9800998ecf8427e,ok\n"              // 2
      "d41d8cd98f00b204e9800998ecf8427e\n"                 // 3
      "d41d8cd98f00b204e9800998ecf8427e,a,b\n"             // 4
      ",no hash\n"                                         // 5
      "d41d8cd98f00b204e9800998ecf8427x,bad hex\n"         // 6
      "d41d8cd98f00b204e9800998ecf8427e,\"x\"y\n"          // 7
      "d41d8cd98f00b204e9800998ecf8427e,x\"y\n"            // 8
      "d41d8cd98f00b204e9800998ecf8427e,\"never closed\n"  // 9
      "more\n";                                            // 10
  auto p = parse_text(Format::csv, text);
  ASSERT_TRUE(p->status.ok());
  ASSERT_EQ(p->sink.entries.size(), 1u);
  const std::vector<std::pair<std::uint64_t, std::string>> want = {
      {3, "1 field(s), the header has 2"},
      {4, "3 field(s), the header has 2"},
      {5, "no hash value"},
      {6, "md5 is not hexadecimal ('x' at position 32)"},
      {7, "a character after a closing quote (column 37)"},
      {8, "a quote inside an unquoted field (column 35)"},
      {9, "a quoted field is not closed before the end of the file"},
  };
  ASSERT_EQ(p->sink.rejects.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(p->sink.rejects[i].line, want[i].first) << want[i].second;
    EXPECT_EQ(p->sink.rejects[i].reason, want[i].second);
  }
}

TEST(CsvParser, AHeaderWithoutAHashColumnStopsTheSource) {
  auto p = parse_text(Format::csv, "title,release\nx,y\n");
  ASSERT_FALSE(p->status.ok());
  EXPECT_EQ(p->status.error().code, Errc::unsupported);
  EXPECT_NE(p->status.error().message.find("no md5, sha1 or sha256 column"), std::string::npos);
}

// 40 MiB of 'x' on one line, then "yyyyyy" on the next.
class Repeating final : public ByteSource {
 public:
  Result<std::size_t> read(std::span<char> out) override {
    std::size_t n = 0;
    for (; n < out.size() && pos_ < kX + 8; ++n, ++pos_) {
      out[n] = pos_ < kX ? 'x' : pos_ == kX || pos_ == kX + 7 ? '\n' : 'y';
    }
    return n;
  }

 private:
  static constexpr std::uint64_t kX = 40ull << 20;
  std::uint64_t pos_ = 0;
};

TEST(LineReader, StreamsPastAHugeLineWithBoundedMemory) {
  Repeating source;
  LineReader reader(source, 1u << 20);
  const std::size_t capacity = reader.buffer_capacity();
  auto first = reader.next();
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_TRUE((*first)->too_long);
  EXPECT_EQ((*first)->number, 1u);
  auto second = reader.next();
  ASSERT_TRUE(second.ok() && *second);
  EXPECT_EQ((*second)->text, "yyyyyy");
  EXPECT_EQ((*second)->number, 2u);
  auto end = reader.next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
  EXPECT_EQ(reader.buffer_capacity(), capacity);
  EXPECT_LT(capacity, (1u << 20) + (128u << 10));
}

TEST(LineReader, LastLineWithoutNewlineAndCrlf) {
  MemorySource source("a\r\nb\n\nc");
  LineReader reader(source);
  std::vector<std::string> lines;
  for (;;) {
    auto l = reader.next();
    ASSERT_TRUE(l.ok());
    if (!*l) break;
    lines.emplace_back((*l)->text);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "", "c"}));
}

TEST(Gzip, OneOrSeveralMembersAndTruncation) {
  const std::string text = std::string(kEmptyMd5) + "  one\n";
  const std::string two = test::gzip(text) + test::gzip(std::string(kEmptyMd5) + "  two\n");
  GzipSource source(std::make_unique<MemorySource>(two));
  std::string got;
  std::vector<char> buf(7);
  for (;;) {
    auto n = source.read(buf);
    ASSERT_TRUE(n.ok()) << n.error().message;
    if (*n == 0) break;
    got.append(buf.data(), *n);
  }
  EXPECT_EQ(got, text + kEmptyMd5 + "  two\n");

  std::string big;
  for (int i = 0; i < 20000; ++i) big += std::string(kEmptyMd5) + "  file-" + std::to_string(i) + "\n";
  const std::string gz = test::gzip(big);
  GzipSource truncated(std::make_unique<MemorySource>(gz.substr(0, gz.size() / 2)));
  auto parser = make_parser(Format::md5sum, truncated);
  test::KeepingSink sink;
  const Status s = parser->run(sink, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::corrupt);
  EXPECT_NE(s.error().message.find("truncated"), std::string::npos);
  EXPECT_GT(sink.entries.size(), 1000u);  // the lines before the damage were delivered
  EXPECT_TRUE(sink.rejects.empty());

  GzipSource garbage(std::make_unique<MemorySource>(test::gzip(text) + "trailing junk"));
  std::vector<char> all(1000);
  auto first = garbage.read(all);
  ASSERT_TRUE(first.ok());
  auto second = garbage.read(all);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("not gzip"), std::string::npos);
}

TEST(CsvSplit, Rfc4180Fields) {
  std::vector<std::string> fields;
  bool incomplete = false;
  std::string error;
  ASSERT_TRUE(split_csv_record("a,\"b,c\",\"d\"\"e\",,", fields, incomplete, error));
  EXPECT_FALSE(incomplete);
  EXPECT_EQ(fields, (std::vector<std::string>{"a", "b,c", "d\"e", "", ""}));
  ASSERT_TRUE(split_csv_record("a,\"open", fields, incomplete, error));
  EXPECT_TRUE(incomplete);
}

}  // namespace
}  // namespace ferret::hashset
