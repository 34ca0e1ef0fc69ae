// Zip archives: stored, deflate, data descriptors and ZIP64 read back exactly; CRC-32 and size
// checks; lying sizes, encryption, truncation and random damage refused without a crash; imports
// of archives whose members are lists of several formats.
#include "hashset/zip_source.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "hashset/format.h"
#include "hashset/import.h"
#include "hashset/json_reader.h"
#include "hashset_test_support.h"
#include "test_support.h"
#include "zip_writer.h"

namespace ferret::hashset {
namespace {

using ferret::test::ZipEntry;
using ferret::test::ZipWriter;

std::string md5_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).md5; }
std::string sha1_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).sha1; }
std::string sha256_of(const std::string& s) { return hash::digest_all(std::as_bytes(std::span(s.data(), s.size()))).sha256; }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  if (!text.empty()) std::memcpy(bytes.data(), text.data(), text.size());
  ferret::test::write_file_bytes(p, bytes);
}

DigestValue digest(const std::string& hex) { return *parse_hex_digest(*algorithm_for_hex_length(hex.size()), hex); }

// Reads a member whole (or until its error).
struct ReadBack {
  std::string bytes;
  Status status;
};
ReadBack read_member(ZipMemberSource& source, std::size_t chunk = 1000) {
  ReadBack out;
  std::string buf(chunk, '\0');
  for (;;) {
    auto n = source.read(std::span(buf.data(), buf.size()));
    if (!n.ok()) {
      out.status = n.error();
      return out;
    }
    if (*n == 0) return out;
    out.bytes.append(buf.data(), *n);
  }
}

std::string some_text(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s;
  while (s.size() < n) s += md5_of(std::to_string(gen())) + "  file" + std::to_string(s.size()) + "\n";
  return s;
}

class ZipFile : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& bytes) {
    const auto p = dir / name;
    write_text(p, bytes);
    return p;
  }
  ferret::test::TempDir dir;
};

TEST_F(ZipFile, StoredDeflateDescriptorAndZip64MembersReadBackExactly) {
  const std::string a = some_text(200000, 1), b = some_text(5000, 2), c = some_text(70000, 3), d = "";
  for (bool zip64 : {false, true}) {
    ZipWriter w;
    w.add(ZipEntry("stored.md5", a));
    w.add(ZipEntry("zlib.md5", b).deflated(test::raw_deflate(b)));
    w.add(ZipEntry("dir/descriptor.md5", c).deflated(test::raw_deflate(c)).with_descriptor().as_zip64(zip64));
    w.add(ZipEntry("blocks.md5", c).deflated().with_descriptor());  // deflate stored blocks
    w.add(ZipEntry("empty.txt", d).as_zip64(zip64));
    w.add(ZipEntry("dir/", ""));
    const auto path = write(zip64 ? "z64.zip" : "plain.zip", w.finish(zip64));
    auto zip = ZipArchive::open(path);
    ASSERT_TRUE(zip.ok()) << zip.error().message;
    ASSERT_EQ(zip->members().size(), 6u);
    EXPECT_TRUE(zip->members()[5].is_directory());
    EXPECT_TRUE(zip->members()[2].has_data_descriptor());
    const std::vector<std::string> want = {a, b, c, c, d};
    for (std::size_t i = 0; i < want.size(); ++i) {
      auto member = zip->open_member(i);
      ASSERT_TRUE(member.ok()) << member.error().message;
      EXPECT_FALSE((*member)->verified());
      auto back = read_member(**member, i == 1 ? 7 : 100000);  // odd chunk sizes too
      ASSERT_TRUE(back.status.ok()) << zip->members()[i].name << ": " << back.status.error().message;
      EXPECT_EQ(back.bytes, want[i]) << zip->members()[i].name;
      EXPECT_TRUE((*member)->verified());
      auto sha = (*member)->finish_sha256();
      ASSERT_TRUE(sha.ok());
      EXPECT_EQ(*sha, sha256_of(want[i]));
    }
  }
}

TEST_F(ZipFile, ACrcOrSizeMismatchIsFoundAtTheEndAfterTheBytesWereDelivered) {
  const std::string text = some_text(10000, 4);
  ZipWriter w;
  w.add(ZipEntry("badcrc.md5", text).deflated(test::raw_deflate(text)).directory_says_crc(0x12345678));
  w.add(ZipEntry("short.md5", text).deflated(test::raw_deflate(text)).directory_says_size(text.size() - 10));
  w.add(ZipEntry("long.md5", text).deflated(test::raw_deflate(text)).directory_says_size(text.size() + 10));
  auto zip = ZipArchive::open(write("bad.zip", w.finish()));
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  auto crc = zip->open_member(0);
  ASSERT_TRUE(crc.ok());
  auto back = read_member(**crc);
  EXPECT_EQ(back.bytes, text);
  ASSERT_FALSE(back.status.ok());
  EXPECT_EQ(back.status.error().code, Errc::corrupt);
  EXPECT_NE(back.status.error().message.find("the zip records 12345678: its data is damaged"), std::string::npos) << back.status.error().message;
  EXPECT_FALSE((*crc)->verified());
  EXPECT_FALSE((*crc)->finish_sha256().ok());
  auto shorter = zip->open_member(1);
  ASSERT_TRUE(shorter.ok());
  back = read_member(**shorter);
  ASSERT_FALSE(back.status.ok());
  EXPECT_NE(back.status.error().message.find("more than the " + std::to_string(text.size() - 10) + " bytes"), std::string::npos);
  auto longer = zip->open_member(2);
  ASSERT_TRUE(longer.ok());
  back = read_member(**longer);
  ASSERT_FALSE(back.status.ok());
  EXPECT_NE(back.status.error().message.find("holds " + std::to_string(text.size()) + " bytes, the zip records"), std::string::npos);
}

TEST_F(ZipFile, LyingSizesAreRefusedBeforeAnythingIsAllocated) {
  const std::string text = "d41d8cd98f00b204e9800998ecf8427e  empty\n";
  const auto refused = [&](ZipEntry e, const std::string& want) {
    ZipWriter w;
    w.add(std::move(e));
    auto zip = ZipArchive::open(write("lie.zip", w.finish()));
    ASSERT_FALSE(zip.ok());
    EXPECT_EQ(zip.error().code, Errc::corrupt);
    EXPECT_NE(zip.error().message.find(want), std::string::npos) << zip.error().message;
  };
  // 4 GB from a few dozen compressed bytes, in an archive of a few hundred.
  refused(ZipEntry("bomb.md5", text).deflated().directory_says_size(4000000000ull), "more than deflate can produce");
  refused(ZipEntry("far.md5", text).directory_says_size(4000000000ull).directory_says_compressed_size(4000000000ull),
          "do not fit in the archive before its central directory");
  refused(ZipEntry("stored.md5", text).directory_says_size(text.size() + 1), "is stored (not compressed) but claims");
  refused(ZipEntry("far64.md5", text).as_zip64().directory_says_compressed_size(1ull << 40), "do not fit in the archive");
}

TEST_F(ZipFile, EncryptedAndOtherMethodsAreNamedAndRefused) {
  ZipWriter w;
  w.add(ZipEntry("secret.md5", "x").with_flags(1));
  w.add(ZipEntry("bz.md5", "x").with_method(12, "BZh9"));
  w.add(ZipEntry("aes.md5", "x").with_method(99, "xx"));
  auto zip = ZipArchive::open(write("odd.zip", w.finish()));
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  EXPECT_NE(zip_member_unsupported(zip->members()[0]).find("it is encrypted"), std::string::npos);
  EXPECT_NE(zip_member_unsupported(zip->members()[1]).find("compressed with bzip2, which Ferret does not read"), std::string::npos);
  EXPECT_NE(zip_member_unsupported(zip->members()[2]).find("it is encrypted"), std::string::npos);
  for (std::size_t i = 0; i < 3; ++i) {
    auto m = zip->open_member(i);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::unsupported);
  }
}

TEST_F(ZipFile, TruncatedOrDamagedArchivesAreCorruptNotACrash) {
  const std::string text = some_text(30000, 5);
  ZipWriter w;
  w.add(ZipEntry("a.md5", text).deflated(test::raw_deflate(text)));
  const std::string whole = w.finish();
  auto cut = ZipArchive::open(write("cut.zip", whole.substr(0, whole.size() - 30)));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, Errc::corrupt);
  EXPECT_NE(cut.error().message.find("no zip end-of-central-directory record"), std::string::npos) << cut.error().message;
  auto tiny = ZipArchive::open(write("tiny.zip", "PK\x03\x04"));
  ASSERT_FALSE(tiny.ok());
  EXPECT_EQ(tiny.error().code, Errc::corrupt);

  // Damaged deflate data: the member reports it.
  std::string damaged = whole;
  for (std::size_t i = 60; i < 200; ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
  auto zip = ZipArchive::open(write("damaged.zip", damaged));
  ASSERT_TRUE(zip.ok());
  auto m = zip->open_member(0);
  ASSERT_TRUE(m.ok());
  auto back = read_member(**m);
  ASSERT_FALSE(back.status.ok());
  EXPECT_EQ(back.status.error().code, Errc::corrupt);

  // Random damage anywhere: an error or a read, never a crash or a runaway allocation.
  std::mt19937 gen(42);
  for (int round = 0; round < 3000; ++round) {
    std::string bytes = whole;
    const int flips = 1 + static_cast<int>(gen() % 8);
    for (int k = 0; k < flips; ++k) bytes[gen() % bytes.size()] = static_cast<char>(gen());
    if (round % 5 == 0) bytes.resize(gen() % bytes.size());
    auto fuzzed = ZipArchive::open(write("fuzz.zip", bytes));
    if (!fuzzed.ok()) continue;
    for (std::size_t i = 0; i < fuzzed->members().size(); ++i) {
      auto member = fuzzed->open_member(i);
      if (!member.ok()) continue;
      auto got = read_member(**member, 65536);
      if (got.status.ok()) {
        EXPECT_EQ(got.bytes.size(), fuzzed->members()[i].size);
      }
      EXPECT_LE(got.bytes.size(), fuzzed->members()[i].size);
    }
  }
}

// --- imports -----------------------------------------------------------------------------------

const FixedClock& fixed_clock() {
  static const FixedClock clock(std::chrono::system_clock::from_time_t(1772000000));
  return clock;
}

ImportOptions options() {
  ImportOptions o;
  o.name = "zip test";
  o.category = Category::known_good;
  o.clock = &fixed_clock();
  return o;
}

TEST_F(ZipFile, EachMemberIsASourceOfItsOwnWithItsFormat) {
  const std::string nsrl = "\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\r\n"
                           "\"" + upper(sha1_of("n1")) + "\",\"" + upper(md5_of("n1")) + "\",\"00000000\",\"n1.dll\",2,3192,\"WIN\",\"\"\r\n";
  std::string md5s;
  for (int i = 0; i < 50; ++i) md5s += md5_of("m" + std::to_string(i)) + "  m" + std::to_string(i) + "\n";
  md5s += "not a hash line\n";  // line 51
  const std::string vics = "{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media\","
                           "\"value\":[{\"MediaID\":1,\"MD5\":\"" + upper(md5_of("v1")) + "\",\"SHA1\":\"" + sha1_of("v1") +
                           "\",\"MediaSize\":2,\"Name\":\"v1.jpg\"}]}";
  const std::string sha256s = sha256_of("g") + "  g\n";
  ZipWriter w;
  w.add(ZipEntry("NSRLFile.txt", nsrl).deflated(test::raw_deflate(nsrl)));
  w.add(ZipEntry("lists/", ""));
  w.add(ZipEntry("lists/list.md5", md5s).with_descriptor());
  w.add(ZipEntry("vics.json", vics).deflated().with_descriptor().as_zip64());
  w.add(ZipEntry("__MACOSX/._vics.json", std::string("\x00\x05\x16\x07 resource fork", 18)));
  w.add(ZipEntry("g.sha256.gz", test::gzip(sha256s)));
  const std::string archive = w.finish();
  const auto path = write("lists.zip", archive);

  auto r = import_hashset({path}, dir / "set", options());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->written);
  ASSERT_EQ(r->sources.size(), 4u);
  const std::string abs = std::filesystem::absolute(path).string();
  EXPECT_EQ(r->sources[0].path, abs + "!NSRLFile.txt");
  EXPECT_EQ(r->sources[1].path, abs + "!lists/list.md5");
  EXPECT_EQ(r->sources[2].path, abs + "!vics.json");
  EXPECT_EQ(r->sources[3].path, abs + "!g.sha256.gz");
  EXPECT_EQ(r->sources[0].format, Format::nsrl_rds2);
  EXPECT_EQ(r->sources[1].format, Format::md5sum);
  EXPECT_EQ(r->sources[2].format, Format::vics_json);
  EXPECT_EQ(r->sources[3].format, Format::sha256sum);
  EXPECT_EQ(r->sources[3].compression, Compression::gzip);
  const std::vector<std::string> contents = {nsrl, md5s, vics, test::gzip(sha256s)};
  for (std::size_t i = 0; i < 4; ++i) {
    const SourceReport& s = r->sources[i];
    ASSERT_TRUE(s.archive) << i;
    EXPECT_EQ(s.archive->path, abs);
    EXPECT_EQ(s.archive->sha256, sha256_of(archive));
    EXPECT_EQ(s.archive->size, archive.size());
    EXPECT_TRUE(s.archive->crc32_verified) << i;
    EXPECT_EQ(s.archive->crc32, ferret::test::crc32_of(contents[i]));
    EXPECT_EQ(s.sha256, sha256_of(contents[i])) << i;
    EXPECT_EQ(s.size, contents[i].size());
    EXPECT_TRUE(s.stopped.empty());
  }
  EXPECT_EQ(r->sources[0].archive->method, "deflate");
  EXPECT_EQ(r->sources[1].archive->method, "stored");
  EXPECT_EQ(r->sources[1].lines, 51u);
  EXPECT_EQ(r->sources[1].accepted, 50u);
  ASSERT_EQ(r->rejects.size(), 1u);
  EXPECT_EQ(r->rejects[0].source, 1u);
  EXPECT_EQ(r->rejects[0].line, 51u);
  EXPECT_EQ(r->sources[2].lines, 1u);

  auto set = HashSetIndex::open(dir / "set");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->count(Algorithm::md5), 52u);
  EXPECT_EQ(set->count(Algorithm::sha1), 2u);
  EXPECT_EQ(set->count(Algorithm::sha256), 1u);
  auto n1 = set->lookup(Algorithm::sha1, digest(sha1_of("n1")).view());
  ASSERT_TRUE(n1);
  EXPECT_EQ(set->entry(*n1)->file_name, "n1.dll");
  EXPECT_EQ(set->entry(*n1)->size, 2u);
  auto v1 = set->lookup(Algorithm::md5, digest(md5_of("v1")).view());
  ASSERT_TRUE(v1);
  EXPECT_EQ(set->entry(*v1)->file_name, "v1.jpg");
  EXPECT_TRUE(set->lookup(Algorithm::sha256, digest(sha256_of("g")).view()));
  EXPECT_TRUE(set->lookup(Algorithm::md5, digest(md5_of("m49")).view()));
  // The stored metadata names the members and the archive.
  auto meta = json::parse(set->metadata_json());
  ASSERT_TRUE(meta.ok());
  const json::Value& s1 = meta->find("sources")->items[1];
  EXPECT_EQ(s1.string_or("path"), abs + "!lists/list.md5");
  ASSERT_NE(s1.find("archive"), nullptr);
  EXPECT_EQ(s1.find("archive")->string_or("member"), "lists/list.md5");
  EXPECT_EQ(s1.find("archive")->string_or("sha256"), sha256_of(archive));
  EXPECT_TRUE(s1.find("archive")->find("crc32_verified")->boolean);
  EXPECT_EQ(meta->find("rejects")->items[0].string_or("source"), abs + "!lists/list.md5");

  // --format applies to every member.
  auto forced_options = options();
  forced_options.format = Format::md5sum;
  ZipWriter two;
  two.add(ZipEntry("a.txt", md5s));
  two.add(ZipEntry("b.txt", "\"md5\"\n" + md5_of("b") + "\n"));
  auto forced = import_hashset({write("two.zip", two.finish())}, dir / "forced.set", forced_options);
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_EQ(forced->sources[1].format, Format::md5sum);
  EXPECT_EQ(forced->sources[1].rejected, 1u);  // the CSV header, as an md5sum line
}

TEST_F(ZipFile, ADamagedMemberKeepsWhatCameBeforeAndSaysWhy) {
  std::string md5s;
  for (int i = 0; i < 100; ++i) md5s += md5_of("d" + std::to_string(i)) + "  d" + std::to_string(i) + "\n";
  ZipWriter w;
  w.add(ZipEntry("good.md5", md5s));
  w.add(ZipEntry("badcrc.md5", md5s).deflated(test::raw_deflate(md5s)).directory_says_crc(0xdeadbeef));
  auto r = import_hashset({write("crc.zip", w.finish())}, dir / "set", options());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->written);
  EXPECT_TRUE(r->sources[0].stopped.empty());
  EXPECT_TRUE(r->sources[0].archive->crc32_verified);
  const SourceReport& bad = r->sources[1];
  EXPECT_EQ(bad.accepted, 100u);  // every line came before the check at the end
  EXPECT_FALSE(bad.archive->crc32_verified);
  EXPECT_NE(bad.stopped.find("CRC-32"), std::string::npos) << bad.stopped;
  EXPECT_TRUE(bad.sha256.empty());
  ASSERT_EQ(r->rejects.size(), 1u);
  EXPECT_EQ(r->rejects[0].line, 101u);
  EXPECT_NE(r->rejects[0].reason.find("reading stopped here: the member's CRC-32 is"), std::string::npos) << r->rejects[0].reason;
}

TEST_F(ZipFile, ArchivesThatCannotBeReadWriteNothing) {
  const auto refused = [&](const std::string& name, const std::string& bytes, Errc code, const std::string& want) {
    auto r = import_hashset({write(name, bytes)}, dir / "set", options());
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().code, code) << name;
    EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
    EXPECT_FALSE(std::filesystem::exists(dir / "set"));
  };
  ZipWriter encrypted;
  encrypted.add(ZipEntry("plain.md5", md5_of("a") + "\n"));
  encrypted.add(ZipEntry("secret.md5", "x").with_flags(1));
  refused("enc.zip", encrypted.finish(), Errc::unsupported, "enc.zip!secret.md5: it is encrypted");
  ZipWriter only_dirs;
  only_dirs.add(ZipEntry("a/", ""));
  refused("dirs.zip", only_dirs.finish(), Errc::unsupported, "the zip archive holds no file to read");
  refused("empty.zip", ZipWriter().finish(), Errc::unsupported, "the zip archive holds no file to read");
  ZipWriter nested;
  nested.add(ZipEntry("inner.zip", ZipWriter().finish()));
  refused("nested.zip", nested.finish(), Errc::unsupported, "nested.zip!inner.zip is a zip archive inside the zip archive");
  ZipWriter db;
  db.add(ZipEntry("RDS.db", std::string("SQLite format 3\0", 16) + std::string(100, '\0')));
  refused("db.zip", db.finish(), Errc::unsupported, "db.zip!RDS.db is an SQLite database (NSRL RDSv3?) inside a zip archive");
  ZipWriter readme;
  readme.add(ZipEntry("list.md5", md5_of("a") + "\n"));
  readme.add(ZipEntry("README.txt", "These are hashes.\n"));
  refused("readme.zip", readme.finish(), Errc::unsupported, "readme.zip!README.txt: cannot tell its format");
  refused("cut.zip", std::string("PK\x03\x04", 4) + std::string(40, 'x'), Errc::corrupt, "no zip end-of-central-directory record");
}

}  // namespace
}  // namespace ferret::hashset
