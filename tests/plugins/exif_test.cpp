// The exif plugin on JPEGs tagged by exiftool and by hand (tests/plugins/data/make-fixtures-p3.sh), on
// EXIF segments built here to pin down dates, offsets and GPS references, and on hostile and fuzzed ones.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "plugin_harness.h"

namespace ferret::test {
namespace {

std::string exif_fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(FERRET_PLUGIN_DATA_DIR) / name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string exif_attr(const EmittedArtifact* a, const std::string& name) {
  auto it = a->attrs.find(name);
  return it == a->attrs.end() ? std::string() : it->second;
}

bool exif_valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// Beyond the harness's checks: attribute values of the declared form.
void expect_exif_well_formed(const PluginRun& r) {
  EXPECT_TRUE(r.rejected.empty()) << (r.rejected.empty() ? "" : r.rejected.front());
  static const std::regex real(R"(-?[0-9]+\.[0-9]+)");
  static const std::regex time(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)");
  EXPECT_LE(r.artifacts.size(), 1u);
  for (const auto& a : r.artifacts) {
    EXPECT_EQ(a.kind, "exif");
    for (const auto& [name, value] : a.attrs) {
      EXPECT_TRUE(exif_valid_utf8(value)) << name;
      if (name == "gps_lat" || name == "gps_lon") {
        EXPECT_TRUE(std::regex_match(value, real)) << name << "=" << value;
        EXPECT_LE(std::fabs(std::stod(value)), name == "gps_lat" ? 90.0 : 180.0);
      }
      if (name == "datetime_original_utc") {
        EXPECT_TRUE(std::regex_match(value, time)) << value;
      }
      if (name == "orientation") {
        EXPECT_GE(std::stoi(value), 1);
        EXPECT_LE(std::stoi(value), 8);
      }
    }
  }
}

// ---- a small TIFF/EXIF writer, to state each case's bytes exactly ----
struct Tag {
  std::uint16_t tag, type;
  std::uint32_t count;
  std::string value;  // already in the file's byte order; up to 4 bytes go inline
};

class TiffWriter {
 public:
  explicit TiffWriter(bool little) : le_(little) {}
  std::string u16(std::uint16_t v) const {
    return le_ ? std::string{char(v & 0xFF), char(v >> 8)} : std::string{char(v >> 8), char(v & 0xFF)};
  }
  std::string u32(std::uint32_t v) const {
    return le_ ? u16(static_cast<std::uint16_t>(v)) + u16(static_cast<std::uint16_t>(v >> 16))
               : u16(static_cast<std::uint16_t>(v >> 16)) + u16(static_cast<std::uint16_t>(v));
  }
  Tag ascii(std::uint16_t tag, const std::string& s) const { return {tag, 2, static_cast<std::uint32_t>(s.size() + 1), s + '\0'}; }
  Tag short1(std::uint16_t tag, std::uint16_t v) const { return {tag, 3, 1, u16(v)}; }
  Tag rationals(std::uint16_t tag, std::vector<std::pair<std::uint32_t, std::uint32_t>> v) const {
    std::string s;
    for (auto [n, d] : v) s += u32(n) + u32(d);
    return {tag, 5, static_cast<std::uint32_t>(v.size()), s};
  }

  // IFD0 with the given tags; an Exif IFD and a GPS IFD, pointed to from IFD0, when not empty.
  std::string build(std::vector<Tag> ifd0, const std::vector<Tag>& exif, const std::vector<Tag>& gps) const {
    std::string out = (le_ ? "II" : "MM") + u16(42) + u32(8);
    // Pointers are placeholders until the sub-IFDs' places are known.
    if (!exif.empty()) ifd0.push_back({0x8769, 4, 1, u32(0)});
    if (!gps.empty()) ifd0.push_back({0x8825, 4, 1, u32(0)});
    std::sort(ifd0.begin(), ifd0.end(), [](const Tag& a, const Tag& b) { return a.tag < b.tag; });
    std::size_t exif_ptr = 0, gps_ptr = 0;
    const std::size_t ifd0_at = out.size();
    out += ifd(ifd0, ifd0_at);
    for (std::size_t i = 0; i < ifd0.size(); ++i) {
      if (ifd0[i].tag == 0x8769) exif_ptr = ifd0_at + 2 + 12 * i + 8;
      if (ifd0[i].tag == 0x8825) gps_ptr = ifd0_at + 2 + 12 * i + 8;
    }
    if (!exif.empty()) {
      out.replace(exif_ptr, 4, u32(static_cast<std::uint32_t>(out.size())));
      out += ifd(exif, out.size());
    }
    if (!gps.empty()) {
      out.replace(gps_ptr, 4, u32(static_cast<std::uint32_t>(out.size())));
      out += ifd(gps, out.size());
    }
    return out;
  }

 private:
  std::string ifd(const std::vector<Tag>& tags, std::size_t at) const {
    std::string entries = u16(static_cast<std::uint16_t>(tags.size())), data;
    const std::size_t data_at = at + 2 + 12 * tags.size() + 4;
    for (const Tag& t : tags) {
      entries += u16(t.tag) + u16(t.type) + u32(t.count);
      if (t.value.size() <= 4) {
        entries += t.value + std::string(4 - t.value.size(), '\0');
      } else {
        entries += u32(static_cast<std::uint32_t>(data_at + data.size()));
        data += t.value + (t.value.size() % 2 ? std::string(1, '\0') : std::string());
      }
    }
    return entries + u32(0) + data;
  }
  bool le_;
};

// A JPEG: the plain fixture with an APP1 "Exif" segment holding `tiff` right after SOI.
std::string jpeg_with(const std::string& tiff) {
  const std::string plain = exif_fixture("exif_plain.jpg");
  const std::string app1 = std::string("Exif\0\0", 6) + tiff;
  const std::size_t len = app1.size() + 2;
  return plain.substr(0, 2) + "\xff\xe1" + char(len >> 8) + char(len & 0xFF) + app1 + plain.substr(2);
}

class ExifPlugin : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(h.error(), ""); }
  PluginRun run(const std::string& bytes) {
    auto r = h.parse("/DCIM/IMG_0001.JPG", bytes, "image/jpeg");
    expect_exif_well_formed(r);
    return r;
  }
  PluginHarness h{plugin_path("exif")};
};

TEST_F(ExifPlugin, CameraTagsWrittenByExiftoolBigEndian) {
  const auto r = run(exif_fixture("exif_camera_be.jpg"));
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.of_kind("exif").size(), 1u);
  const auto* a = r.of_kind("exif")[0];
  EXPECT_EQ(exif_attr(a, "make"), "Canon");
  EXPECT_EQ(exif_attr(a, "model"), "Canon EOS 5D Mark IV");
  EXPECT_EQ(exif_attr(a, "software"), "Firmware 1.2.0");
  EXPECT_EQ(exif_attr(a, "orientation"), "6");
  EXPECT_EQ(exif_attr(a, "datetime_original"), "2023:07:14 15:42:07");
  EXPECT_EQ(exif_attr(a, "offset_time_original"), "+02:00");
  EXPECT_EQ(exif_attr(a, "datetime_original_utc"), "2023-07-14T13:42:07Z");
  // exiftool stores seconds as rationals; `exiftool -n` reads 48.8583701000278 and 2.29448130008889.
  EXPECT_NEAR(std::stod(exif_attr(a, "gps_lat")), 48.8583701000278, 1e-7);
  EXPECT_NEAR(std::stod(exif_attr(a, "gps_lon")), 2.29448130008889, 1e-7);
}

TEST_F(ExifPlugin, LittleEndianSouthWestAndNoZone) {
  const auto r = run(exif_fixture("exif_phone_le.jpg"));
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.of_kind("exif").size(), 1u);
  const auto* a = r.of_kind("exif")[0];
  EXPECT_EQ(exif_attr(a, "make"), "Google");
  EXPECT_EQ(exif_attr(a, "model"), "Pixel 7");
  EXPECT_EQ(exif_attr(a, "orientation"), "1");
  // Local time as stored; without OffsetTimeOriginal there is no UTC time to give.
  EXPECT_EQ(exif_attr(a, "datetime_original"), "2022:12:31 23:59:59");
  EXPECT_FALSE(a->attrs.count("datetime_original_utc"));
  EXPECT_FALSE(a->attrs.count("offset_time_original"));
  EXPECT_NEAR(std::stod(exif_attr(a, "gps_lat")), -33.8567844, 1e-7);
  EXPECT_NEAR(std::stod(exif_attr(a, "gps_lon")), -151.215296699969, 1e-7);
}

TEST_F(ExifPlugin, HandBuiltSegmentWithANegativeOffset) {
  const auto r = run(exif_fixture("exif_handmade.jpg"));
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.of_kind("exif").size(), 1u);
  const auto* a = r.of_kind("exif")[0];
  EXPECT_EQ(exif_attr(a, "make"), "Nikon");
  EXPECT_EQ(exif_attr(a, "model"), "D850 PRO");
  EXPECT_EQ(exif_attr(a, "software"), "Ver.1.10 FW");
  EXPECT_EQ(exif_attr(a, "orientation"), "8");
  EXPECT_EQ(exif_attr(a, "datetime_original"), "2021:03:04 05:06:07");
  EXPECT_EQ(exif_attr(a, "offset_time_original"), "-05:30");
  EXPECT_EQ(exif_attr(a, "datetime_original_utc"), "2021-03-04T10:36:07Z");  // 05:06:07 at UTC-05:30
  // 51° 30' 26.16" N, 0° 7' 39.42" W
  EXPECT_EQ(exif_attr(a, "gps_lat"), "51.5072667");
  EXPECT_EQ(exif_attr(a, "gps_lon"), "-0.1276167");
}

TEST_F(ExifPlugin, JpegWithoutExifHasNoArtifact) {
  const auto r = run(exif_fixture("exif_plain.jpg"));
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  EXPECT_TRUE(r.artifacts.empty());
}

TEST_F(ExifPlugin, OtherFilesAreNotMine) {
  EXPECT_EQ(run("\x89PNG\r\n\x1a\n").result, FERRET_PARSE_NOT_MINE);
  EXPECT_EQ(run("").result, FERRET_PARSE_NOT_MINE);
  EXPECT_EQ(run("\xff\xd8").result, FERRET_PARSE_NOT_MINE);
}

TEST_F(ExifPlugin, HostileFixturesKeepWhatWasRead) {
  struct Case {
    const char* file;
    const char* log_says;
    bool has_time, has_gps;
  };
  for (const Case& c : {Case{"exif_hostile_offsets.jpg", "outside", false, false},
                        Case{"exif_hostile_loop.jpg", "loop", true, false},
                        Case{"exif_hostile_counts.jpg", "do not fit", true, true},
                        Case{"exif_hostile_entries.jpg", "65535 entries", true, true}}) {
    SCOPED_TRACE(c.file);
    const auto r = run(exif_fixture(c.file));
    EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
    ASSERT_FALSE(r.log.empty());
    EXPECT_NE(r.log.front().find(c.log_says), std::string::npos) << r.log.front();
    ASSERT_EQ(r.of_kind("exif").size(), 1u);
    const auto* a = r.of_kind("exif")[0];
    EXPECT_EQ(exif_attr(a, "make"), "Nikon");  // IFD0 itself is intact in all of them
    EXPECT_EQ(exif_attr(a, "model"), "D850 PRO");
    EXPECT_EQ(a->attrs.count("datetime_original"), c.has_time ? 1u : 0u);
    EXPECT_EQ(a->attrs.count("gps_lat"), c.has_gps ? 1u : 0u);
  }
}

TEST_F(ExifPlugin, UtcAcrossDayAndYearBoundaries) {
  TiffWriter w(false);
  const auto utc_of = [&](const std::string& local, const std::string& offset) {
    const auto r = run(jpeg_with(w.build({}, {w.ascii(0x9003, local), w.ascii(0x9011, offset)}, {})));
    return r.artifacts.empty() ? std::string("-") : exif_attr(&r.artifacts[0], "datetime_original_utc");
  };
  EXPECT_EQ(utc_of("2023:01:01 01:00:00", "+05:00"), "2022-12-31T20:00:00Z");
  EXPECT_EQ(utc_of("2023:12:31 22:30:00", "-03:30"), "2024-01-01T02:00:00Z");
  EXPECT_EQ(utc_of("2024:02:29 12:00:00", "+00:00"), "2024-02-29T12:00:00Z");
  EXPECT_EQ(utc_of("1969:12:31 23:00:00", "-02:00"), "1970-01-01T01:00:00Z");
  // Not a date (February 29th of a common year, hour 24) or not an offset: the text stays, no UTC.
  EXPECT_EQ(utc_of("2023:02:29 12:00:00", "+01:00"), "");
  EXPECT_EQ(utc_of("2023:03:01 24:00:00", "+01:00"), "");
  EXPECT_EQ(utc_of("2023:03:01 12:00:00", "+1:00"), "");
  const auto r = run(jpeg_with(w.build({}, {w.ascii(0x9003, "2023:02:29 12:00:00"), w.ascii(0x9011, "+01:00")}, {})));
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_EQ(exif_attr(&r.artifacts[0], "datetime_original"), "2023:02:29 12:00:00");
}

TEST_F(ExifPlugin, UnknownDateIsLeftOut) {
  TiffWriter w(true);
  const auto r = run(jpeg_with(w.build({w.ascii(0x010F, "Maker")}, {w.ascii(0x9003, "    :  :     :  :  ")}, {})));
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_FALSE(r.artifacts[0].attrs.count("datetime_original"));
}

TEST_F(ExifPlugin, GpsNeedsItsReferencesAndDenominators) {
  TiffWriter w(true);
  const auto lat = w.rationals(2, {{10, 1}, {30, 1}, {0, 1}});
  const auto lon = w.rationals(4, {{20, 1}, {15, 1}, {0, 1}});
  // No references: the hemisphere is unknown, so no position (and the damage is reported).
  auto r = run(jpeg_with(w.build({w.ascii(0x010F, "M")}, {}, {lat, lon})));
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_FALSE(r.artifacts[0].attrs.count("gps_lat"));
  // 0/0 everywhere: a receiver without a fix, not damage.
  const auto none = w.rationals(2, {{0, 0}, {0, 0}, {0, 0}});
  r = run(jpeg_with(w.build({w.ascii(0x010F, "M")}, {}, {w.ascii(1, "N"), none, w.ascii(3, "E"), w.rationals(4, {{0, 0}, {0, 0}, {0, 0}})})));
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_FALSE(r.artifacts[0].attrs.count("gps_lat"));
  // Both references: south and east.
  r = run(jpeg_with(w.build({}, {}, {w.ascii(1, "S"), lat, w.ascii(3, "E"), lon})));
  EXPECT_EQ(r.result, FERRET_PARSE_OK);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_EQ(exif_attr(&r.artifacts[0], "gps_lat"), "-10.5000000");
  EXPECT_EQ(exif_attr(&r.artifacts[0], "gps_lon"), "20.2500000");
  // Out of range (95° N) is left out.
  r = run(jpeg_with(w.build({}, {}, {w.ascii(1, "N"), w.rationals(2, {{95, 1}, {0, 1}, {0, 1}}), w.ascii(3, "E"), lon})));
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  EXPECT_TRUE(r.artifacts.empty() || !r.artifacts[0].attrs.count("gps_lat"));
}

TEST_F(ExifPlugin, TextIsCleanedToUtf8) {
  TiffWriter w(false);
  const auto r = run(jpeg_with(w.build({w.ascii(0x010F, "Caf\xc3\xa9 \xff\x01 cam  "), w.ascii(0x0110, std::string("Model\0hidden", 12))}, {}, {})));
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_EQ(exif_attr(&r.artifacts[0], "make"), "Caf\xc3\xa9 \\xff\\x01 cam");
  EXPECT_EQ(exif_attr(&r.artifacts[0], "model"), "Model");
}

TEST_F(ExifPlugin, TruncatedSegmentsAndFiles) {
  // The fixture's APP1 segment spans bytes 20-443; the plugin reads no further than the EXIF segment.
  const std::string full = exif_fixture("exif_camera_be.jpg");
  for (std::size_t cut = 3; cut < 600 && cut < full.size(); cut += 7) {
    const auto r = run(full.substr(0, cut));
    EXPECT_NE(r.result, FERRET_PARSE_FAILED) << cut;
    if (cut < 444) {
      EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED) << cut;
    } else {
      EXPECT_EQ(r.result, FERRET_PARSE_OK) << cut;
      ASSERT_EQ(r.artifacts.size(), 1u);
      EXPECT_EQ(exif_attr(&r.artifacts[0], "model"), "Canon EOS 5D Mark IV");
    }
  }
  // A segment length of 0 or 1, and a byte that is no marker.
  EXPECT_EQ(run(std::string("\xff\xd8\xff\xe1\x00\x01", 6)).result, FERRET_PARSE_MALFORMED);
  EXPECT_EQ(run(std::string("\xff\xd8\xff\xe0\x00\x04zz\x42\x42", 10)).result, FERRET_PARSE_MALFORMED);
}

TEST_F(ExifPlugin, PointerWrapAroundAndSelfReference) {
  TiffWriter w(true);
  std::string tiff = w.build({w.ascii(0x010F, "Wrap"), {0x8769, 4, 1, w.u32(0xFFFFFFFF)}, {0x8825, 4, 1, w.u32(8)}}, {}, {});
  const auto r = run(jpeg_with(tiff));
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_EQ(exif_attr(&r.artifacts[0], "make"), "Wrap");
  // A value offset of 0xFFFFFFF0 with a count that wraps 32-bit arithmetic.
  const auto r2 = run(jpeg_with(w.build({{0x010F, 2, 0x20, w.u32(0xFFFFFFF0)}, {0x0110, 2, 0xFFFFFFFF, w.u32(0x10)}}, {}, {})));
  EXPECT_EQ(r2.result, FERRET_PARSE_MALFORMED);
  EXPECT_TRUE(r2.artifacts.empty());
}

// ---- random and mutated input: no crash, and whatever is accepted is well formed ----
TEST_F(ExifPlugin, FuzzedInputNeverCrashes) {
  std::mt19937 rng(8);
  const std::vector<std::string> seeds = {exif_fixture("exif_camera_be.jpg"), exif_fixture("exif_phone_le.jpg"),
                                          exif_fixture("exif_handmade.jpg"), exif_fixture("exif_hostile_loop.jpg")};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  int runs = 0;
  while (runs < 20000 && std::chrono::steady_clock::now() < deadline) {
    std::string s = seeds[rng() % seeds.size()];
    // The EXIF segment is in the first few hundred bytes: mutate there.
    const std::size_t span = std::min<std::size_t>(s.size(), 600);
    switch (rng() % 4) {
      case 0:
        for (int i = 0, n = 1 + static_cast<int>(rng() % 8); i < n; ++i) s[rng() % span] = static_cast<char>(rng());
        break;
      case 1: s.resize(rng() % span); break;
      case 2: {
        const std::size_t at = 2 + rng() % (span - 6);
        s.replace(at, 4, rng() % 2 ? "\xff\xff\xff\xff" : std::string(4, '\0'));
        break;
      }
      default: {
        std::string noise = "\xff\xd8\xff\xe1";
        for (std::size_t i = 0, n = rng() % 2000; i < n; ++i) noise += static_cast<char>(rng());
        s = noise;
        break;
      }
    }
    const auto r = run(s);
    ASSERT_NE(r.result, FERRET_PARSE_FAILED);
    ++runs;
  }
  EXPECT_GT(runs, 500);
}

}  // namespace
}  // namespace ferret::test
