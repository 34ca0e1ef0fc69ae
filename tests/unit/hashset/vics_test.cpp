// Project VIC VICS JSON: 2.0 (Media in "value") and 1.3 (Cases holding "Media", string-typed
// numbers), alternative hashes, every reject with its Media index, oversized objects, truncation,
// detection from a single huge line, and random damage that never crashes.
#include "hashset/vics_parser.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "hashset/format.h"
#include "hashset/import.h"
#include "hashset_test_support.h"
#include "test_support.h"

namespace ferret::hashset {
namespace {

using test::parse_text;

std::string md5_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).md5; }
std::string sha1_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).sha1; }
std::string sha256_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).sha256; }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

constexpr const char* kContext20 = "\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media\"";
constexpr const char* kMetadata13 = "\"odata.metadata\":\"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases\"";

Result<Format> detect(const std::string& text) {
  MemorySource source(text);
  return detect_format(source);
}

// A VICS 2.0 document: every kind of Media object and every reject.
std::string vics20() {
  return std::string("{") + kContext20 + ",\n\"value\":[\n" +
         // 1: MD5 and SHA1 in upper case, a number size, a Name
         "{\"MediaID\":1,\"Category\":1,\"MD5\":\"" + upper(md5_of("one")) + "\",\"SHA1\":\"" + upper(sha1_of("one")) +
         "\",\"MediaSize\":2835,\"Name\":\"one.jpg\",\"IsPrecategorized\":\"false\"},\n" +
         // 2: SHA256 and SHA1 only through AlternativeHashes; PhotoDNA ignored; RelativeFilePath wins over FileName
         "{\"MediaID\":2,\"MD5\":\"" + md5_of("two") + "\",\"AlternativeHashes\":[{\"HashName\":\"SHA256\",\"HashValue\":\"" + upper(sha256_of("two")) +
         "\"},{\"HashName\":\"PhotoDNA\",\"HashValue\":\"AAECAwQFBgcICQ==\"},{\"HashName\":\"sha1\",\"HashValue\":\"" + sha1_of("two") +
         "\"}],\"RelativeFilePath\":\"cases\\/a\\/two.png\",\"FileName\":\"two.png\",\"Exifs\":[{\"PropertyName\":\"Software\",\"PropertyValue\":\"x\"}]},\n" +
         // 3: bad hex
         "{\"MediaID\":3,\"MD5\":\"" + md5_of("three").substr(1) + "Z\"},\n" +
         // 4: no digest at all (empty strings, null)
         "{\"MediaID\":4,\"MD5\":\"\",\"SHA1\":null,\"MediaSize\":4},\n" +
         // 5: a size that is not a number
         "{\"MediaID\":5,\"MD5\":\"" + md5_of("five") + "\",\"MediaSize\":\"big\"},\n" +
         // 6: not an object
         "\"just a string\",\n" +
         // 7: conflicting SHA1 in AlternativeHashes
         "{\"MD5\":\"" + md5_of("seven") + "\",\"SHA1\":\"" + sha1_of("seven") + "\",\"AlternativeHashes\":[{\"HashName\":\"SHA1\",\"HashValue\":\"" +
         sha1_of("other") + "\"}]},\n" +
         // 8: broken JSON inside the object (the walker keeps going after it)
         "{\"MD5\":\"" + md5_of("eight") + "\",\"IsDistributed\":tru},\n" +
         // 9: SHA256 as a member, name from MediaFiles, same SHA1 twice is fine
         "{\"SHA256\":\"" + sha256_of("nine") + "\",\"SHA1\":\"" + sha1_of("nine") + "\",\"AlternativeHashes\":[{\"HashName\":\"SHA1\",\"HashValue\":\"" +
         upper(sha1_of("nine")) + "\"}],\"MediaFiles\":[{\"FileName\":\"nine.avi\",\"FilePath\":\"C:\\\\x\"}]}\n" +
         "]}\n";
}

TEST(Vics, Version20MediaObjectsWithTheirIndexes) {
  auto p = parse_text(Format::vics_json, vics20());
  ASSERT_TRUE(p->status.ok()) << p->status.error().message;
  EXPECT_EQ(p->summary.lines, 9u);
  const auto& e = p->sink.entries;
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].line, 1u);
  EXPECT_EQ(e[0].hexes, (std::vector<std::string>{"md5:" + md5_of("one"), "sha1:" + sha1_of("one")}));
  EXPECT_EQ(e[0].size, 2835u);
  EXPECT_EQ(e[0].file_name, "one.jpg");
  EXPECT_EQ(e[1].line, 2u);
  EXPECT_EQ(e[1].hexes, (std::vector<std::string>{"md5:" + md5_of("two"), "sha256:" + sha256_of("two"), "sha1:" + sha1_of("two")}));
  EXPECT_EQ(e[1].file_name, "cases/a/two.png");
  EXPECT_FALSE(e[1].size);
  EXPECT_EQ(e[2].line, 9u);
  EXPECT_EQ(e[2].hexes, (std::vector<std::string>{"sha1:" + sha1_of("nine"), "sha256:" + sha256_of("nine")}));
  EXPECT_EQ(e[2].file_name, "nine.avi");
  const auto& r = p->sink.rejects;
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].line, 3u);
  EXPECT_EQ(r[0].reason, "md5 is not hexadecimal ('Z' at position 32)");
  EXPECT_EQ(r[1].line, 4u);
  EXPECT_EQ(r[1].reason, "no MD5, SHA1 or SHA256");
  EXPECT_EQ(r[2].line, 5u);
  EXPECT_EQ(r[2].reason, "MediaSize 'big' is not a byte count");
  EXPECT_EQ(r[3].line, 6u);
  EXPECT_NE(r[3].reason.find("is not a JSON object"), std::string::npos);
  EXPECT_EQ(r[4].line, 7u);
  EXPECT_EQ(r[4].reason, "AlternativeHashes SHA1 differs from the sha1 given before it in the object");
  EXPECT_EQ(r[5].line, 8u);
  const std::string doc = vics20();
  const std::size_t at = doc.find("tru}");
  EXPECT_EQ(r[5].reason, "the Media object at byte " + std::to_string(doc.rfind("{\"MD5\":\"" + md5_of("eight"))) + " is not valid JSON: at byte " +
                             std::to_string(at) + ": unknown literal")
      << r[5].reason;
}

// VICS 1.3 as exporters write it: value[] of Cases, each with Media[] and other members around it,
// numbers and booleans as strings.
std::string vics13(int cases, int per_case) {
  std::string doc = std::string("{") + kMetadata13 + ",\"value\":[";
  int n = 0;
  for (int c = 0; c < cases; ++c) {
    doc += std::string(c ? "," : "") + "{\"odata.id\":\"\",\"CaseMetadata\":[{\"CaseID\":\"" + std::to_string(c) +
           "\",\"PropertyName\":\"x\",\"PropertyValue\":\"y\"}],\"Media@odata.navigationLinkUrl\":\"\",\"Media\":[";
    for (int m = 0; m < per_case; ++m, ++n) {
      const std::string k = "c" + std::to_string(n);
      doc += std::string(m ? "," : "") + "{\"odata.id\":\"Media(\\\"" + md5_of(k) + "\\\")\",\"AlternativeHashes\":[],\"Exifs\":[],\"MediaFiles\":[{\"MD5\":\"" +
             md5_of(k) + "\",\"FileName\":\"f" + std::to_string(n) + ".jpg\",\"FilePath\":\"\\\\\",\"Unallocated\":\"true\"}],\"MediaID\":\"" +
             std::to_string(n) + "\",\"Category\":\"1\",\"MD5\":\"" + upper(md5_of(k)) + "\",\"SHA1\":\"" + sha1_of(k) + "\",\"MediaSize\":\"" +
             std::to_string(1000 + n) + "\",\"RelativeFilePath\":\"\",\"IsPrecategorized\":\"true\",\"IsSuspected\":\"false\"}";
    }
    doc += "],\"CaseNumber\":\"2026-" + std::to_string(c) + "\",\"TotalMediaFiles\":\"" + std::to_string(per_case) + "\",\"SourceApplicationName\":\"x\"}";
  }
  return doc + "]}";
}

TEST(Vics, Version13CasesWithStringTypedValues) {
  auto p = parse_text(Format::vics_json, "\xef\xbb\xbf" + vics13(2, 3));
  ASSERT_TRUE(p->status.ok()) << p->status.error().message;
  EXPECT_EQ(p->summary.lines, 6u);
  ASSERT_EQ(p->sink.entries.size(), 6u);
  EXPECT_TRUE(p->sink.rejects.empty());
  for (int n = 0; n < 6; ++n) {
    const auto& e = p->sink.entries[static_cast<std::size_t>(n)];
    const std::string k = "c" + std::to_string(n);
    EXPECT_EQ(e.line, static_cast<std::uint64_t>(n + 1));  // counted across cases
    EXPECT_EQ(e.hexes, (std::vector<std::string>{"md5:" + md5_of(k), "sha1:" + sha1_of(k)}));
    EXPECT_EQ(e.size, static_cast<std::uint64_t>(1000 + n));
    EXPECT_EQ(e.file_name, "f" + std::to_string(n) + ".jpg");  // an empty RelativeFilePath does not count
  }
}

TEST(Vics, AnOversizedObjectIsRejectedAndSkippedWithoutKeepingIt) {
  const std::string doc = std::string("{") + kContext20 + ",\"value\":[{\"MD5\":\"" + md5_of("a") + "\",\"Comments\":\"" + std::string(3u << 20, 'c') +
                          "\"},{\"MD5\":\"" + md5_of("b") + "\"}]}";
  auto p = parse_text(Format::vics_json, doc);
  ASSERT_TRUE(p->status.ok()) << p->status.error().message;
  ASSERT_EQ(p->sink.rejects.size(), 1u);
  EXPECT_EQ(p->sink.rejects[0].line, 1u);
  EXPECT_EQ(p->sink.rejects[0].reason, "the Media object at byte " + std::to_string(doc.find("[{") + 1) + " is larger than 1 MiB");
  ASSERT_EQ(p->sink.entries.size(), 1u);
  EXPECT_EQ(p->sink.entries[0].line, 2u);
}

TEST(Vics, ATruncatedDocumentKeepsTheObjectsBeforeTheCut) {
  const std::string doc = vics13(1, 10);
  const std::string cut = doc.substr(0, doc.size() * 3 / 4);
  auto p = parse_text(Format::vics_json, cut);
  ASSERT_FALSE(p->status.ok());
  EXPECT_EQ(p->status.error().code, Errc::corrupt);
  EXPECT_EQ(p->status.error().message, "the JSON ends early at byte " + std::to_string(cut.size()) + " (the file is truncated)");
  EXPECT_GT(p->sink.entries.size(), 5u);
  EXPECT_LT(p->sink.entries.size(), 10u);
  EXPECT_EQ(p->summary.lines, p->sink.entries.size());
  // Garbage after the document is a damaged file too.
  auto after = parse_text(Format::vics_json, vics13(1, 1) + " trailing");
  ASSERT_FALSE(after->status.ok());
  EXPECT_NE(after->status.error().message.find("text after the end of the JSON document"), std::string::npos);
  EXPECT_EQ(after->sink.entries.size(), 1u);
}

TEST(Vics, DocumentsThatAreNotVicsAreRefused) {
  auto no_value = parse_text(Format::vics_json, "{\"odata.metadata\":\"x\",\"values\":[]}");
  ASSERT_FALSE(no_value->status.ok());
  EXPECT_EQ(no_value->status.error().code, Errc::unsupported);
  EXPECT_NE(no_value->status.error().message.find("no 'value' array"), std::string::npos);
  auto array = parse_text(Format::vics_json, "[1,2]");
  ASSERT_FALSE(array->status.ok());
  EXPECT_EQ(array->status.error().code, Errc::unsupported);
  auto value_object = parse_text(Format::vics_json, "{\"value\":{}}");
  ASSERT_FALSE(value_object->status.ok());
  EXPECT_NE(value_object->status.error().message.find("'value' is not an array"), std::string::npos);
  auto empty = parse_text(Format::vics_json, std::string("{") + kContext20 + ",\"value\":[]}");
  ASSERT_TRUE(empty->status.ok());
  EXPECT_EQ(empty->summary.lines, 0u);
}

TEST(Vics, DetectionFromTheRawBytesEvenOnOneHugeLine) {
  EXPECT_EQ(*detect(vics20()), Format::vics_json);
  EXPECT_EQ(*detect("\xef\xbb\xbf\r\n  " + vics13(1, 1)), Format::vics_json);
  EXPECT_EQ(*detect("{\"value\": [ {\"MD5\": \"x\"} ]}"), Format::vics_json);
  // Minified, 5 MB on one line: far beyond the line limit of the text formats.
  const std::string big = vics13(1, 20000);
  ASSERT_GT(big.size(), 4u << 20);
  ASSERT_EQ(big.find('\n'), std::string::npos);
  EXPECT_EQ(*detect(big), Format::vics_json);
  auto p = parse_text(Format::vics_json, big);
  ASSERT_TRUE(p->status.ok());
  EXPECT_EQ(p->sink.entries.size(), 20000u);
  auto array = detect("[{\"MD5\":\"x\"}]");
  ASSERT_FALSE(array.ok());
  EXPECT_NE(array.error().message.find("JSON array, not a Project VIC VICS document"), std::string::npos);
  auto other = detect("{\"name\": \"something else\"}\n");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, Errc::unsupported);
  EXPECT_NE(other.error().message.find("JSON but not a Project VIC VICS document"), std::string::npos);
}

TEST(Vics, RandomDamageNeverCrashes) {
  const std::string doc = vics20() + vics13(2, 4);
  std::mt19937 gen(7);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes = doc;
    const int flips = 1 + static_cast<int>(gen() % 6);
    for (int k = 0; k < flips; ++k) bytes[gen() % bytes.size()] = "{}[]\",:\\ x0"[gen() % 11];
    if (round % 3 == 0) bytes.resize(gen() % bytes.size());
    auto p = parse_text(Format::vics_json, bytes);
    // Every Media object counted gives one entry or one reject, whatever happened after it.
    EXPECT_EQ(p->sink.entries.size() + p->sink.rejects.size(), p->summary.lines);
  }
}

// --- imports -----------------------------------------------------------------------------------

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  if (!text.empty()) std::memcpy(bytes.data(), text.data(), text.size());
  ferret::test::write_file_bytes(p, bytes);
}

ImportOptions options() {
  static const FixedClock clock(std::chrono::system_clock::from_time_t(1772000000));
  ImportOptions o;
  o.name = "vics";
  o.category = Category::notable;
  o.clock = &clock;
  return o;
}

DigestValue digest(const std::string& hex) { return *parse_hex_digest(*algorithm_for_hex_length(hex.size()), hex); }

TEST(Vics, ImportKeepsDigestsNamesAndSizesAndStopsAtATruncation) {
  ferret::test::TempDir dir;
  write_text(dir / "v20.json", vics20());
  write_text(dir / "v13.json.gz", test::gzip(vics13(3, 100)));
  auto r = import_hashset({dir / "v20.json", dir / "v13.json.gz"}, dir / "set", options());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sources[0].format, Format::vics_json);
  EXPECT_EQ(r->sources[1].format, Format::vics_json);
  EXPECT_EQ(r->sources[1].compression, Compression::gzip);
  EXPECT_EQ(r->sources[0].lines, 9u);
  EXPECT_EQ(r->sources[0].accepted, 3u);
  EXPECT_EQ(r->sources[0].rejected, 6u);
  EXPECT_EQ(r->sources[1].accepted, 300u);
  ASSERT_EQ(r->counts.size(), 3u);
  EXPECT_EQ(r->counts[0].hashes, 302u);  // md5: one, two, 300 from 1.3
  EXPECT_EQ(r->counts[1].hashes, 303u);  // sha1: one, two, nine, 300
  EXPECT_EQ(r->counts[2].hashes, 2u);    // sha256: two, nine
  auto set = HashSetIndex::open(dir / "set");
  ASSERT_TRUE(set.ok());
  auto two = set->lookup(Algorithm::sha256, digest(sha256_of("two")).view());
  ASSERT_TRUE(two);
  EXPECT_EQ(set->entry(*two)->file_name, "cases/a/two.png");
  auto c250 = set->lookup(Algorithm::sha1, digest(sha1_of("c250")).view());
  ASSERT_TRUE(c250);
  EXPECT_EQ(set->entry(*c250)->file_name, "f250.jpg");
  EXPECT_EQ(set->entry(*c250)->size, 1250u);

  const std::string doc = vics13(1, 50);
  write_text(dir / "cut.json", doc.substr(0, doc.size() / 2));
  auto cut = import_hashset({dir / "cut.json"}, dir / "cut.set", options());
  ASSERT_TRUE(cut.ok()) << cut.error().message;
  EXPECT_TRUE(cut->written);
  const SourceReport& s = cut->sources[0];
  EXPECT_GT(s.accepted, 20u);
  EXPECT_LT(s.accepted, 50u);
  EXPECT_NE(s.stopped.find("the JSON ends early"), std::string::npos) << s.stopped;
  ASSERT_EQ(cut->rejects.size(), 1u);
  EXPECT_EQ(cut->rejects[0].line, s.accepted + 1);
  EXPECT_EQ(s.sha256, sha256_of(doc.substr(0, doc.size() / 2)));

  // Forced onto JSON that is not VICS: refused, nothing written.
  write_text(dir / "other.json", "{\"a\":1}");
  auto forced_options = options();
  forced_options.format = Format::vics_json;
  auto other = import_hashset({dir / "other.json"}, dir / "other.set", forced_options);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, Errc::unsupported);
  EXPECT_FALSE(std::filesystem::exists(dir / "other.set"));
}

}  // namespace
}  // namespace ferret::hashset
