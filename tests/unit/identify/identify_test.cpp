// Content types from libmagic on minimal in-memory samples, and the extension-mismatch truth table.
#include "identify/identify.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferret::identify {
namespace {

using Bytes = std::vector<std::byte>;

// ---- byte builders ---------------------------------------------------------------------------

Bytes str(std::string_view s) {
  Bytes out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}
Bytes raw(std::initializer_list<unsigned> values) {
  Bytes out;
  for (unsigned v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}
Bytes zeros(std::size_t n) { return Bytes(n); }
Bytes fill(std::size_t n, unsigned value) { return Bytes(n, static_cast<std::byte>(value)); }
Bytes le16(unsigned v) { return raw({v & 0xFF, (v >> 8) & 0xFF}); }
Bytes le32(std::uint32_t v) { return raw({v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24}); }
Bytes be32(std::uint32_t v) { return raw({v >> 24, (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF}); }
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes repeat(const Bytes& b, std::size_t times) {
  Bytes out;
  for (std::size_t i = 0; i < times; ++i) out.insert(out.end(), b.begin(), b.end());
  return out;
}

// ISO base media: an ftyp box with a major brand and compatible brands.
Bytes ftyp(std::string_view major, std::initializer_list<std::string_view> compatible) {
  Bytes body = cat({str(major), zeros(4)});
  for (std::string_view c : compatible) body = cat({body, str(c)});
  return cat({be32(static_cast<std::uint32_t>(8 + body.size())), str("ftyp"), body, zeros(32)});
}

// An EBML header naming the Matroska DocType: all libmagic needs to say video/x-matroska.
Bytes ebml_header(std::string_view doc_type) {
  const Bytes body = cat({raw({0x42, 0x86, 0x81, 0x01}),  // EBMLVersion 1
                          raw({0x42, 0x82, 0x80u | static_cast<unsigned>(doc_type.size())}), str(doc_type),
                          raw({0x42, 0x87, 0x81, 0x04})});  // DocTypeVersion 4
  return cat({raw({0x1A, 0x45, 0xDF, 0xA3, 0x80u | static_cast<unsigned>(body.size())}), body, zeros(64)});
}

// A zip local file header, stored, followed by its data (libmagic reads names, not CRCs).
Bytes zip_entry(std::string_view name, std::string_view data) {
  const auto size = static_cast<std::uint32_t>(data.size());
  return cat({str("PK\x03\x04"), le16(20), le16(0), le16(0), le16(0), le16(0), le32(0), le32(size), le32(size),
              le16(static_cast<unsigned>(name.size())), le16(0), str(name), str(data)});
}
Bytes zip_end() { return cat({str("PK\x05\x06"), zeros(18)}); }

// A one-file ustar archive with a correct header checksum (libmagic verifies it).
Bytes ustar(std::string_view name, std::string_view data) {
  Bytes h(512);
  auto put = [&h](std::size_t at, std::string_view s) { std::memcpy(h.data() + at, s.data(), s.size()); };
  put(0, name);
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  char size[12];
  std::snprintf(size, sizeof size, "%011o", static_cast<unsigned>(data.size()));
  put(124, size);
  put(136, "00000000000");
  put(148, "        ");
  put(156, "0");
  put(257, std::string_view("ustar\0" "00", 8));
  unsigned sum = 0;
  for (std::byte b : h) sum += static_cast<unsigned>(b);
  char checksum[8];
  std::snprintf(checksum, sizeof checksum, "%06o", sum);
  put(148, std::string_view(checksum, 7));  // six digits and a NUL, then the space already there
  Bytes body = str(data);
  body.resize(512);
  return cat({h, body, zeros(1024)});
}

// An ISO 9660 image: 32 KiB system area, a primary volume descriptor and the set terminator.
Bytes iso9660() {
  return cat({zeros(32768), raw({1}), str("CD001"), raw({1}), zeros(2041), raw({255}), str("CD001"), raw({1}),
              zeros(2041)});
}

// A PE header: MZ stub pointing at "PE\0\0", a COFF header and the optional header's magic.
Bytes portable_executable(bool dll) {
  Bytes d(512);
  d[0] = std::byte{'M'};
  d[1] = std::byte{'Z'};
  d[0x3C] = std::byte{0x40};
  std::memcpy(d.data() + 0x40, "PE\0\0", 4);
  const Bytes coff = cat({le16(0x8664), le16(0), le32(0), le32(0), le32(0), le16(240), le16(dll ? 0x2022 : 0x0022)});
  std::copy(coff.begin(), coff.end(), d.begin() + 0x44);
  d[0x58] = std::byte{0x0B};  // PE32+
  d[0x59] = std::byte{0x02};
  d[0x58 + 68] = std::byte{3};  // console subsystem
  return d;
}

// MPEG transport stream: a PAT packet first (what libmagic 5.44 keys on), then null packets.
Bytes transport_stream(bool m2ts) {
  Bytes pat = raw({0x47, 0x40, 0x00, 0x10, 0x00, 0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00,
                   0x00, 0x01, 0xF0, 0x00, 0x2A, 0xB1, 0x04, 0xB2});
  pat.resize(188, std::byte{0xFF});
  const Bytes null_packet = cat({raw({0x47, 0x1F, 0xFF, 0x10}), fill(184, 0xFF)});
  Bytes out;
  for (int i = 0; i < 8; ++i) {
    if (m2ts) out = cat({out, zeros(4)});  // BDAV: a 4-byte timestamp before each packet
    out = cat({out, i == 0 ? pat : null_packet});
  }
  return out;
}

// CP437 block and box-drawing characters, as release groups draw their .nfo art.
Bytes nfo_art() {
  const Bytes row = raw({0xDB, 0xDB, 0xB2, 0xB1, 0xB0, 0x20, 0xC9, 0xCD, 0xCD, 0xBB, 0x0D, 0x0A});
  return cat({repeat(row, 20), str("  Some.Movie.2024.1080p.BluRay.x264-GRP\r\n"), repeat(row, 20)});
}

// ---- samples ---------------------------------------------------------------------------------

struct Sample {
  std::string name;  // a file name with the extension such content normally has
  Bytes content;
  std::string mime;  // what libmagic 5.44 says
  std::optional<bool> verdict = false;  // extension_mismatch(name, mime)
};

std::vector<Sample> samples() {
  const std::string_view ct = "<Types/>";
  return {
      // images
      {"poster.png",
       cat({raw({0x89}), str("PNG\r\n\x1a\n"), be32(13), str("IHDR"), be32(1), be32(1), raw({8, 0, 0, 0, 0}), zeros(4)}),
       "image/png"},
      {"poster.jpg", cat({raw({0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10}), str(std::string_view("JFIF\0", 5)),
                          raw({1, 1, 0, 0, 1, 0, 1, 0, 0})}),
       "image/jpeg"},
      {"IMG_0001.JPEG", cat({raw({0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10}), str(std::string_view("Exif\0\0II*\0", 10)),
                             raw({8, 0, 0, 0})}),
       "image/jpeg"},
      {"anim.gif", cat({str("GIF89a"), le16(1), le16(1), raw({0, 0, 0, ';'})}), "image/gif"},
      {"cover.bmp", cat({str("BM"), le32(70), le32(0), le32(54), le32(40), le32(1), le32(1), le16(1), le16(24),
                         le32(0), le32(16), le32(2835), le32(2835), le32(0), le32(0), zeros(16)}),
       "image/bmp"},
      {"thumb.webp", cat({str("RIFF"), le32(30), str("WEBPVP8 "), zeros(30)}), "image/webp"},
      {"scan.tif", cat({str(std::string_view("II*\0", 4)), le32(8), zeros(20)}), "image/tiff"},
      {"photo.heic", ftyp("heic", {"mif1", "heic"}), "image/heic"},
      // video
      {"movie.mkv", ebml_header("matroska"), "video/x-matroska"},
      {"movie.webm", ebml_header("webm"), "video/webm"},
      {"movie.mp4", ftyp("isom", {"isom", "iso2", "avc1", "mp41"}), "video/mp4"},
      {"clip.mov", ftyp("qt  ", {"qt  "}), "video/quicktime"},
      {"song.m4a", ftyp("M4A ", {"M4A ", "mp42", "isom"}), "audio/x-m4a"},
      {"song-isom.m4a", ftyp("isom", {"isom", "iso2", "mp41"}), "video/mp4"},  // audio-only, brand isom
      {"movie.avi", cat({str("RIFF"), le32(100), str("AVI LIST"), zeros(40)}), "video/x-msvideo"},
      {"movie.wmv", cat({raw({0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62,
                              0xCE, 0x6C}),
                         zeros(30)}),
       "video/x-ms-asf"},
      {"VTS_01_1.VOB", cat({raw({0x00, 0x00, 0x01, 0xBA, 0x44, 0x00, 0x04, 0x00, 0x04, 0x01, 0x01, 0x89, 0xC3, 0xF8}),
                            zeros(20)}),
       "video/mpeg"},
      {"capture.ts", transport_stream(false), "video/MP2T"},
      {"00001.m2ts", transport_stream(true), "video/MP2T"},
      {"clip.flv", cat({str("FLV"), raw({1, 5, 0, 0, 0, 9}), zeros(20)}), "video/x-flv"},
      // audio
      {"track.mp3", cat({str("ID3"), raw({4, 0, 0, 0, 0, 0, 0}), raw({0xFF, 0xFB, 0x90, 0x64}), zeros(100)}),
       "audio/mpeg"},
      {"noid3.mp3", repeat(cat({raw({0xFF, 0xFB, 0x90, 0x64}), zeros(413)}), 4), "audio/mpeg"},
      {"track.flac", cat({str("fLaC"), raw({0, 0, 0, 0x22, 0x10, 0, 0x10, 0}), zeros(30)}), "audio/flac"},
      {"track.wav", cat({str("RIFF"), le32(100), str("WAVEfmt "), le32(16), le16(1), le16(2), le32(44100),
                         le32(176400), le16(4), le16(16), str("data"), zeros(8)}),
       "audio/x-wav"},
      {"track.ogg", cat({str("OggS"), raw({0, 2}), zeros(20), raw({1, 0x1E, 1}), str("vorbis"), zeros(30)}),
       "audio/ogg"},
      // archives and disc images
      {"release.zip", cat({zip_entry("a.txt", "hello\n"), zip_end()}), "application/zip"},
      {"release.rar", cat({str("Rar!\x1a\x07"), raw({0, 0xCF, 0x90, 0x73, 0, 0, 0x0D}), zeros(12)}),
       "application/x-rar"},
      {"release.r00", cat({str("Rar!\x1a\x07"), raw({0, 0xCF, 0x90, 0x73, 0, 0, 0x0D}), zeros(12)}),
       "application/x-rar"},
      {"release5.rar", cat({str("Rar!\x1a\x07"), raw({1, 0, 0x33, 0x92, 0xB5, 0xE5, 0x0A, 1, 5, 6, 0, 5, 1, 1, 0x80,
                                                     0x80, 0})}),
       "application/x-rar"},
      {"release.7z", cat({str("7z"), raw({0xBC, 0xAF, 0x27, 0x1C, 0, 4}), zeros(24)}), "application/x-7z-compressed"},
      {"notes.tar", ustar("notes.txt", "hello\n"), "application/x-tar"},
      {"notes.tar.gz", cat({raw({0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 3, 0}), zeros(8)}), "application/gzip"},
      {"notes.tar.bz2", cat({str("BZh91AY&SY"), zeros(20)}), "application/x-bzip2"},
      {"notes.tar.xz", cat({raw({0xFD}), str("7zXZ"), raw({0, 0, 0, 0xFF, 0x12, 0xD9, 0x41}), zeros(20)}),
       "application/x-xz"},
      {"disc.iso", iso9660(), "application/x-iso9660-image"},
      // documents
      {"report.pdf", str("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), "application/pdf"},
      // An OLE2 header alone: without its directory streams libmagic cannot name the application.
      {"letter.doc", cat({raw({0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}), zeros(504)}),
       "application/x-ole-storage"},
      {"setup.msi", cat({raw({0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}), zeros(504)}),
       "application/x-ole-storage"},
      {"letter.docx", cat({zip_entry("[Content_Types].xml", ct), zip_entry("_rels/.rels", "<Relationships/>"),
                           zip_entry("word/document.xml", "<w:document/>")}),
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"sheet.xlsx", cat({zip_entry("[Content_Types].xml", ct), zip_entry("_rels/.rels", "<Relationships/>"),
                          zip_entry("xl/workbook.xml", "<workbook/>")}),
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"letter.odt", cat({zip_entry("mimetype", "application/vnd.oasis.opendocument.text"),
                          zip_entry("content.xml", "<office/>")}),
       "application/vnd.oasis.opendocument.text"},
      // Windows programs
      {"setup.exe", portable_executable(false), "application/vnd.microsoft.portable-executable"},
      {"codec.dll", portable_executable(true), "application/vnd.microsoft.portable-executable"},
      {"game.exe", cat({str("MZ"), zeros(200)}), "application/x-dosexec"},
      // torrents
      {"release.torrent",
       str("d8:announce35:http://tracker.example.org/announce4:infod6:lengthi1e4:name5:a.mkvee"),
       "application/x-bittorrent"},
      {"trackerless.torrent", str("d13:creation datei1700000000e4:infod4:name5:a.mkvee"), "text/plain"},
      // text
      {"readme.txt", str("Hello examiner.\nThis is plain text.\n"), "text/plain"},
      {"utf8.txt", str("Gr\xc3\xb6\xc3\x9f" "e \xe2\x80\x93 \xe6\x97\xa5\xe6\x9c\xac\n"), "text/plain"},
      {"utf16.txt", raw({0xFF, 0xFE, 'H', 0, 'i', 0, ' ', 0, 'U', 0, 'T', 0, 'F', 0, '1', 0, '6', 0, '\r', 0, '\n', 0}),
       "text/plain"},
      {"release.nfo", nfo_art(), "text/plain"},
      // A DOS end-of-file byte (0x1A) makes libmagic give up on text: no verdict, not a mismatch.
      {"eof.nfo", cat({nfo_art(), raw({0x1A})}), "application/octet-stream", std::nullopt},
      {"movie.srt", str("1\r\n00:00:01,000 --> 00:00:04,000\r\nHello there.\r\n\r\n2\r\n00:00:05,000 --> "
                        "00:00:07,500\r\nGeneral Kenobi.\r\n\r\n"),
       "application/x-subrip"},
      {"movie.sub", str("{1}{25}Hello there.\r\n{26}{50}General Kenobi.\r\n"), "text/plain"},
      {"release.sfv", str("; Generated by WIN-SFV32 v1.1a\r\nrelease.r00 1A2B3C4D\r\nrelease.r01 5E6F7A8B\r\n"),
       "text/plain"},
      {"release.md5", str("d41d8cd98f00b204e9800998ecf8427e *movie.mkv\n"), "text/plain"},
      {"files.csv", str("name,size,date\nmovie.mkv,123,2024-01-01\nposter.jpg,45,2024-01-02\n"), "text/csv"},
      {"data.json", str("{\"a\": [1, 2, 3], \"b\": {\"c\": \"d\"}}"), "application/json"},
      {"data.xml", str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root><a>1</a></root>\n"), "text/xml"},
      {"index.html", str("<!DOCTYPE html>\n<html><head><title>x</title></head><body>hi</body></html>\n"), "text/html"},
      {"mail.txt", str("From: a@example.com\nTo: b@example.com\nSubject: hi\n\nbody\n"), "message/rfc822"},
      {"app.ts", str("import { Foo } from \"./foo\";\nexport const x: number = 1;\nfunction f(a: string): void {}\n"),
       "application/javascript"},
      // libmagic reads "P1 ..." as a Netpbm bitmap: an exotic type from a weak signature, no verdict.
      {"todo.txt", str("P1 is the first priority\nP2 second\n"), "image/x-portable-bitmap", std::nullopt},
  };
}

Identifier& identifier() {
  static Identifier* shared = [] {
    auto created = Identifier::create();
    if (!created.ok()) {
      ADD_FAILURE() << created.error().message;
      std::abort();
    }
    return new Identifier(std::move(created).value());
  }();
  return *shared;
}

// ---- Identifier ------------------------------------------------------------------------------

TEST(IdentifierCreate, LoadsTheSystemDatabase) {
  auto created = Identifier::create();
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->mime(str("Hello.\n")), "text/plain");
}

TEST(IdentifierCreate, MissingDatabaseIsAnIoErrorNamingThePath) {
  auto created = Identifier::create("/nonexistent/ferret/magic.mgc");
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, Errc::io);
  EXPECT_NE(created.error().message.find("/nonexistent/ferret/magic.mgc"), std::string::npos)
      << created.error().message;
}

TEST(IdentifierCreate, MovedIdentifierKeepsWorkingAndTheSourceAnswersOctetStream) {
  auto created = Identifier::create();
  ASSERT_TRUE(created.ok()) << created.error().message;
  Identifier first = std::move(created).value();
  Identifier second = std::move(first);
  EXPECT_EQ(second.mime(ebml_header("matroska")), "video/x-matroska");
  EXPECT_EQ(first.mime(ebml_header("matroska")), "application/octet-stream");  // NOLINT(bugprone-use-after-move)
}

TEST(IdentifierMime, EmptyContentIsInodeXEmpty) {
  EXPECT_EQ(identifier().mime({}), "inode/x-empty");
  EXPECT_EQ(extension_mismatch("movie.mkv", "inode/x-empty"), std::nullopt);
}

TEST(IdentifierMime, MinimalSamplesGiveLibmagicsExactTypes) {
  for (const Sample& s : samples()) {
    EXPECT_EQ(identifier().mime(s.content), s.mime) << s.name;
  }
}

TEST(IdentifierMime, EveryGenuineSampleIsConsistentWithItsOwnExtension) {
  for (const Sample& s : samples()) {
    EXPECT_EQ(extension_mismatch(s.name, identifier().mime(s.content)), s.verdict) << s.name;
  }
}

TEST(IdentifierMime, RenamedSamplesAreFlagged) {
  // A movie, a zip and a program renamed to look harmless.
  EXPECT_EQ(extension_mismatch("holiday.txt", identifier().mime(ebml_header("matroska"))), true);
  EXPECT_EQ(extension_mismatch("poster.jpg", identifier().mime(cat({zip_entry("a.mkv", "x"), zip_end()}))), true);
  EXPECT_EQ(extension_mismatch("readme.nfo", identifier().mime(ftyp("isom", {"isom", "mp41"}))), true);
  EXPECT_EQ(extension_mismatch("codec.dll", identifier().mime(str("just some text\n"))), true);
  EXPECT_EQ(extension_mismatch("song.mp3", identifier().mime(portable_executable(false))), true);
  // Every binary sample under a text extension, and text under a binary one.
  for (const Sample& s : samples()) {
    const bool textual = s.mime.starts_with("text/") || s.mime.starts_with("message/") ||
                         s.mime == "application/json" || s.mime == "application/x-subrip" ||
                         s.mime == "application/javascript";
    if (s.verdict != false) continue;
    if (textual) {
      EXPECT_EQ(extension_mismatch("movie.mkv", s.mime), true) << s.name;
    } else {
      EXPECT_EQ(extension_mismatch("notes.txt", s.mime), true) << s.name;
    }
  }
}

TEST(IdentifierMime, IgnoresBytesPastTheHead) {
  // libmagic calls a JSON document application/json only when it parses to the end; given the whole
  // of this 100+ KiB document it would. Past the head it is never shown, so: text.
  std::string json = "{\"items\": [";
  for (int i = 0; json.size() < 2 * Identifier::head_bytes(); ++i) {
    json += (i ? ", " : "") + std::string("{\"name\": \"movie") + std::to_string(i) + ".mkv\", \"size\": 1}";
  }
  json += "]}";
  EXPECT_EQ(identifier().mime(str(json)), "text/plain");
  EXPECT_EQ(identifier().mime(str(std::string_view(json).substr(0, Identifier::head_bytes()))), "text/plain");
  EXPECT_EQ(identifier().mime(str("{\"items\": [{\"name\": \"movie.mkv\"}]}")), "application/json");
  EXPECT_EQ(extension_mismatch("listing.json", identifier().mime(str(json))), false);
}

TEST(IdentifierMime, TextCutInsideAUtf8SequenceAtTheHeadIsStillText) {
  Bytes content;
  const Bytes phrase = str("Preis: 5 \xe2\x82\xac pro St\xc3\xbc" "ck. ");
  while (content.size() < Identifier::head_bytes()) content.insert(content.end(), phrase.begin(), phrase.end());
  content.resize(Identifier::head_bytes());
  content.back() = std::byte{0xE2};  // the first byte of a euro sign, alone
  EXPECT_EQ(identifier().mime(content), "text/plain");
}

// ---- extension_of ----------------------------------------------------------------------------

TEST(ExtensionOf, LastDotOfTheLastComponentLowercased) {
  EXPECT_EQ(extension_of("movie.mkv"), "mkv");
  EXPECT_EQ(extension_of("MOVIE.MKV"), "mkv");
  EXPECT_EQ(extension_of("movie.mkv.txt"), "txt");
  EXPECT_EQ(extension_of("/Films.2024/Movie.Name.2024.1080p.mkv"), "mkv");
  EXPECT_EQ(extension_of("C:\\Users\\x\\Poster.JPG"), "jpg");
  EXPECT_EQ(extension_of(".hidden.txt"), "txt");
  EXPECT_EQ(extension_of("release.r07"), "r07");
}

TEST(ExtensionOf, NoneForBareNamesDotfilesTrailingDotsAndStreams) {
  EXPECT_EQ(extension_of("README"), std::nullopt);
  EXPECT_EQ(extension_of(".bashrc"), std::nullopt);
  EXPECT_EQ(extension_of("name."), std::nullopt);
  EXPECT_EQ(extension_of("/dir.d/Makefile"), std::nullopt);
  EXPECT_EQ(extension_of("file.txt:Zone.Identifier"), std::nullopt);
  EXPECT_EQ(extension_of("/docs/file.txt:hidden.mkv"), std::nullopt);
  EXPECT_EQ(extension_of(""), std::nullopt);
}

// ---- extension_mismatch truth table ----------------------------------------------------------

TEST(ExtensionMismatch, ContentContradictingTheExtension) {
  EXPECT_EQ(extension_mismatch("movie.txt", "video/x-matroska"), true);
  EXPECT_EQ(extension_mismatch("poster.jpg", "application/zip"), true);
  EXPECT_EQ(extension_mismatch("movie.avi", "video/x-matroska"), true);
  EXPECT_EQ(extension_mismatch("movie.mkv", "text/plain"), true);
  EXPECT_EQ(extension_mismatch("notes.txt", "application/x-rar"), true);
  EXPECT_EQ(extension_mismatch("notes.txt", "application/x-bittorrent"), true);
  EXPECT_EQ(extension_mismatch("release.r12", "video/mp4"), true);
  EXPECT_EQ(extension_mismatch("letter.doc", "application/zip"), true);
  EXPECT_EQ(extension_mismatch("setup.exe", "application/pdf"), true);
  EXPECT_EQ(extension_mismatch("release.torrent", "video/x-msvideo"), true);
  EXPECT_EQ(extension_mismatch("capture.ts", "video/x-matroska"), true);
  EXPECT_EQ(extension_mismatch("letter.docx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            true);
}

TEST(ExtensionMismatch, ConsistentContent) {
  EXPECT_EQ(extension_mismatch("movie.mkv", "video/x-matroska"), false);
  EXPECT_EQ(extension_mismatch("movie.mkv", "video/webm"), false);
  EXPECT_EQ(extension_mismatch("movie.mp4", "audio/mp4"), false);       // PSP brand MSNV
  EXPECT_EQ(extension_mismatch("song.m4a", "video/mp4"), false);        // audio-only, brand isom
  EXPECT_EQ(extension_mismatch("song.wma", "video/x-ms-asf"), false);
  EXPECT_EQ(extension_mismatch("song.aac", "audio/x-hx-aac-adts"), false);
  EXPECT_EQ(extension_mismatch("song.ogg", "video/ogg"), false);        // Theora
  EXPECT_EQ(extension_mismatch("capture.ts", "video/mpeg"), false);
  EXPECT_EQ(extension_mismatch("movie.sub", "video/mpeg"), false);      // VobSub
  EXPECT_EQ(extension_mismatch("release.nfo", "text/plain"), false);
  EXPECT_EQ(extension_mismatch("notes.txt", "text/x-shellscript"), false);
  EXPECT_EQ(extension_mismatch("notes.txt", "image/svg+xml"), false);
  EXPECT_EQ(extension_mismatch("release.r00", "application/x-rar"), false);
  EXPECT_EQ(extension_mismatch("release.part01.rar", "application/x-rar"), false);
  EXPECT_EQ(extension_mismatch("letter.doc", "application/msword"), false);
  EXPECT_EQ(extension_mismatch("letter.doc", "text/rtf"), false);
  EXPECT_EQ(extension_mismatch("report.xls", "text/html"), false);
  EXPECT_EQ(extension_mismatch("setup.msi", "application/x-msi"), false);
  EXPECT_EQ(extension_mismatch("setup.msi", "application/CDFV2-corrupt"), false);
  EXPECT_EQ(extension_mismatch("letter.docx", "application/zip"), false);
  EXPECT_EQ(extension_mismatch("secret.xlsx", "application/encrypted"), false);  // password-protected
  EXPECT_EQ(extension_mismatch("bundle.zip", "application/java-archive"), false);
  EXPECT_EQ(extension_mismatch("bundle.zip", "application/vnd.oasis.opendocument.spreadsheet"), false);
  EXPECT_EQ(extension_mismatch("release.torrent", "text/plain"), false);  // trackerless
}

TEST(ExtensionMismatch, CaseInsensitiveExtensionAndType) {
  EXPECT_EQ(extension_mismatch("MOVIE.MKV", "video/x-matroska"), false);
  EXPECT_EQ(extension_mismatch("Movie.Mkv", "text/plain"), true);
  EXPECT_EQ(extension_mismatch("capture.TS", "video/mp2t"), false);
  EXPECT_EQ(extension_mismatch("capture.ts", "VIDEO/MP2T"), false);
  EXPECT_EQ(extension_mismatch("notes.txt", "text/plain; charset=us-ascii"), false);
  EXPECT_EQ(extension_mismatch("notes.txt", "video/x-matroska; charset=binary"), true);
}

TEST(ExtensionMismatch, DoubleExtensionUsesTheLast) {
  EXPECT_EQ(extension_mismatch("movie.mkv.txt", "video/x-matroska"), true);
  EXPECT_EQ(extension_mismatch("movie.txt.mkv", "video/x-matroska"), false);
  EXPECT_EQ(extension_mismatch("archive.tar.gz", "application/gzip"), false);
}

TEST(ExtensionMismatch, CannotTell) {
  // no extension, a dotfile, a stream, an extension outside the table
  EXPECT_EQ(extension_mismatch("README", "video/x-matroska"), std::nullopt);
  EXPECT_EQ(extension_mismatch(".bashrc", "video/x-matroska"), std::nullopt);
  EXPECT_EQ(extension_mismatch("file.txt:Zone.Identifier", "text/plain"), std::nullopt);
  EXPECT_EQ(extension_mismatch("file.txt:payload", "video/x-matroska"), std::nullopt);
  EXPECT_EQ(extension_mismatch("data.xyz", "video/x-matroska"), std::nullopt);
  EXPECT_EQ(extension_mismatch("disk.001", "video/x-matroska"), std::nullopt);
  EXPECT_EQ(extension_mismatch("release.r1", "video/x-matroska"), std::nullopt);
  // empty or unrecognised content
  EXPECT_EQ(extension_mismatch("movie.mkv", "inode/x-empty"), std::nullopt);
  EXPECT_EQ(extension_mismatch("movie.mkv", "application/x-empty"), std::nullopt);
  EXPECT_EQ(extension_mismatch("movie.mkv", "application/octet-stream"), std::nullopt);
  EXPECT_EQ(extension_mismatch("release.nfo", "application/octet-stream"), std::nullopt);
  EXPECT_EQ(extension_mismatch("capture.ts", "application/octet-stream"), std::nullopt);  // ffmpeg's SDT-first TS
  EXPECT_EQ(extension_mismatch("movie.mkv", ""), std::nullopt);
  // exotic types: weak signatures are no evidence
  EXPECT_EQ(extension_mismatch("notes.txt", "image/x-portable-bitmap"), std::nullopt);
  EXPECT_EQ(extension_mismatch("setup.log", "application/x-ms-registry"), std::nullopt);
  EXPECT_EQ(extension_mismatch("movie.mkv", "image/x-tga"), std::nullopt);
}

}  // namespace
}  // namespace ferret::identify
