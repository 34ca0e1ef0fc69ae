// The media plugin against ffmpeg-made fixtures, checked against ffprobe's reports taken when they were
// made (tests/plugins/data/make-fixtures-p3.sh), plus damaged, hostile and very large (sparse) files.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <random>
#include <regex>
#include <sstream>

#include "plugin_harness.h"

namespace ferret::test {
namespace {

using namespace std::string_literals;

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(FERRET_PLUGIN_DATA_DIR) / name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- just enough JSON for ffprobe's output (trusted, shallow) ----
struct Json {
  enum Type { null, boolean, number, string, array, object } type = null;
  std::string text;  // strings, and numbers as written
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  // Out of line: clang with libstdc++ refuses the implicit ones while Json is still incomplete.
  Json();
  Json(const Json&);
  Json(Json&&) noexcept;
  Json& operator=(const Json&);
  Json& operator=(Json&&) noexcept;
  ~Json();

  const Json* get(const std::string& key) const {
    for (const auto& [k, v] : members) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  std::string str(const std::string& key) const {
    const Json* v = get(key);
    return v ? v->text : std::string();
  }
};
Json::Json() = default;
Json::Json(const Json&) = default;
Json::Json(Json&&) noexcept = default;
Json& Json::operator=(const Json&) = default;
Json& Json::operator=(Json&&) noexcept = default;
Json::~Json() = default;

class JsonReader {
 public:
  explicit JsonReader(const std::string& s) : s_(s) {}
  Json parse() {
    ws();
    Json v;
    const char c = s_.at(i_);
    if (c == '{') {
      v.type = Json::object;
      ++i_;
      ws();
      if (s_.at(i_) == '}') return ++i_, v;
      for (;;) {
        ws();
        std::string key = parse().text;
        ws();
        ++i_;  // ':'
        v.members.emplace_back(key, parse());
        ws();
        if (s_.at(i_++) == '}') return v;
      }
    }
    if (c == '[') {
      v.type = Json::array;
      ++i_;
      ws();
      if (s_.at(i_) == ']') return ++i_, v;
      for (;;) {
        v.items.push_back(parse());
        ws();
        if (s_.at(i_++) == ']') return v;
      }
    }
    if (c == '"') {
      v.type = Json::string;
      for (++i_; s_.at(i_) != '"'; ++i_) {
        if (s_[i_] == '\\') ++i_;  // ffprobe escapes only quotes and backslashes in these files
        v.text += s_.at(i_);
      }
      ++i_;
      return v;
    }
    const std::size_t start = i_;
    while (i_ < s_.size() && std::string(",}] \n\r\t").find(s_[i_]) == std::string::npos) ++i_;
    v.text = s_.substr(start, i_ - start);
    v.type = v.text == "null" ? Json::null : (v.text == "true" || v.text == "false") ? Json::boolean : Json::number;
    return v;
  }

 private:
  void ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  const std::string& s_;
  std::size_t i_ = 0;
};

// ---- what every accepted artifact must look like, beyond the harness's own checks ----
bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xC2) || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

void expect_well_formed(const PluginHarness& h, const PluginRun& r) {
  EXPECT_TRUE(r.rejected.empty()) << (r.rejected.empty() ? "" : r.rejected.front());
  static const std::regex real(R"(-?[0-9]+(\.[0-9]+)?)");
  static const std::regex time(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)");
  for (const auto& a : r.artifacts) {
    const ferret_kind_decl* kind = nullptr;
    for (std::size_t i = 0; i < h.plugin()->kind_count; ++i) {
      if (a.kind == h.plugin()->kinds[i].name) kind = &h.plugin()->kinds[i];
    }
    ASSERT_NE(kind, nullptr);
    for (const auto& [name, value] : a.attrs) {
      for (std::size_t i = 0; i < kind->attr_count; ++i) {
        if (name != kind->attrs[i].name) continue;
        switch (kind->attrs[i].type) {
          case FERRET_ATTR_TEXT: EXPECT_TRUE(valid_utf8(value)) << name; break;
          case FERRET_ATTR_REAL: EXPECT_TRUE(std::regex_match(value, real)) << name << "=" << value; break;
          case FERRET_ATTR_TIME: EXPECT_TRUE(std::regex_match(value, time)) << name << "=" << value; break;
          default: break;
        }
      }
    }
  }
}

std::string attr(const EmittedArtifact* a, const std::string& name) {
  auto it = a->attrs.find(name);
  return it == a->attrs.end() ? std::string() : it->second;
}

// ---- the fixtures against ffprobe ----
struct Fixture {
  const char* file;
  const char* container;
  const char* video_tag;  // as the container stores it ("" without video)
  const char* audio_tag;
};
constexpr Fixture kFixtures[] = {
    {"media_h264_aac.mp4", "mp4", "avc1", "mp4a"},
    {"media_h264_aac.mov", "mov", "avc1", "mp4a"},
    {"media_hevc_aac.mp4", "mp4", "hvc1", "mp4a"},
    {"media_vp8_vorbis.webm", "webm", "V_VP8", "A_VORBIS"},
    {"media_vp9_opus.mkv", "mkv", "V_VP9", "A_OPUS"},
    {"media_mpeg4_mp3.avi", "avi", "FMP4", "0x0055"},
    {"media_cbr_info.mp3", "mp3", "", ""},
    {"media_vbr_xing.mp3", "mp3", "", ""},
    {"media_cbr_plain.mp3", "mp3", "", ""},
};

TEST(MediaPlugin, Loads) {
  PluginHarness h(plugin_path("media"));
  ASSERT_EQ(h.error(), "");
  EXPECT_STREQ(h.plugin()->name, "media");
}

TEST(MediaPlugin, FixturesMatchFfprobe) {
  PluginHarness h(plugin_path("media"));
  ASSERT_EQ(h.error(), "");
  for (const auto& f : kFixtures) {
    SCOPED_TRACE(f.file);
    const std::string bytes = read_fixture(f.file);
    ASSERT_FALSE(bytes.empty());
    const Json probe = JsonReader(read_fixture(std::string(f.file) + ".ffprobe.json")).parse();
    const Json* format = probe.get("format");
    ASSERT_NE(format, nullptr);

    const PluginRun r = h.parse(std::string("/Media/") + f.file, bytes);
    EXPECT_EQ(r.result, FERRET_PARSE_OK) << (r.log.empty() ? "" : r.log.front());
    expect_well_formed(h, r);
    ASSERT_EQ(r.of_kind("media").size(), 1u);
    const EmittedArtifact* a = r.of_kind("media")[0];

    EXPECT_EQ(attr(a, "container"), f.container);
    ASSERT_FALSE(attr(a, "duration_s").empty());
    EXPECT_NEAR(std::stod(attr(a, "duration_s")), std::stod(format->str("duration")), 0.05);

    const Json* video = nullptr;
    const Json* audio = nullptr;
    for (const auto& s : probe.get("streams")->items) {
      if (s.str("codec_type") == "video" && !video) video = &s;
      if (s.str("codec_type") == "audio" && !audio) audio = &s;
    }
    if (video) {
      EXPECT_EQ(attr(a, "video_codec"), video->str("codec_name"));
      EXPECT_EQ(attr(a, "width"), video->str("width"));
      EXPECT_EQ(attr(a, "height"), video->str("height"));
      EXPECT_EQ(attr(a, "video_codec_tag"), f.video_tag);
    } else {
      EXPECT_FALSE(a->attrs.count("video_codec"));
      EXPECT_FALSE(a->attrs.count("width"));
    }
    ASSERT_NE(audio, nullptr);
    EXPECT_EQ(attr(a, "audio_codec"), audio->str("codec_name"));
    if (*f.audio_tag) {
      EXPECT_EQ(attr(a, "audio_codec_tag"), f.audio_tag);
    }

    const Json* tags = format->get("tags");
    ASSERT_NE(tags, nullptr);
    EXPECT_EQ(attr(a, "title"), tags->str("title"));
    // ffprobe calls AVI's ISFT "software".
    const std::string encoder = tags->get("encoder") ? tags->str("encoder") : tags->str("software");
    EXPECT_EQ(attr(a, "encoder"), encoder);
  }
}

TEST(MediaPlugin, OtherFilesAreNotMine) {
  PluginHarness h(plugin_path("media"));
  ASSERT_EQ(h.error(), "");
  EXPECT_EQ(h.parse("/a/notes.mp4", "just some text, not a movie").result, FERRET_PARSE_NOT_MINE);
  EXPECT_EQ(h.parse("/a/empty.mkv", "").result, FERRET_PARSE_NOT_MINE);
  // RIFF WAVE and an ID3 tag in front of FLAC are audio, but not formats this plugin reads.
  std::string wav = "RIFF\x24\0\0\0WAVEfmt "s;
  wav.resize(44, '\0');
  EXPECT_EQ(h.parse("/a/tone.wav", wav, "audio/x-wav").result, FERRET_PARSE_NOT_MINE);
  std::string flac("ID3\x04\0\0\0\0\0\0fLaC", 14);
  flac.resize(200, '\0');
  EXPECT_EQ(h.parse("/a/x.flac", flac, "audio/flac").result, FERRET_PARSE_NOT_MINE);
  // A HEIF still shares ISO BMFF's boxes but is no movie.
  std::string heic("\0\0\0\x18" "ftypheic\0\0\0\0mif1heic", 24);
  heic += std::string("\0\0\0\x08" "free", 8);
  EXPECT_EQ(h.parse("/a/x.heic", heic).result, FERRET_PARSE_NOT_MINE);
}

// Cuts each fixture at several points: the plugin says what it can and reports the damage.
TEST(MediaPlugin, TruncatedFilesAreMalformedNotFatal) {
  PluginHarness h(plugin_path("media"));
  ASSERT_EQ(h.error(), "");
  for (const auto& f : kFixtures) {
    SCOPED_TRACE(f.file);
    const std::string bytes = read_fixture(f.file);
    for (double cut : {0.2, 0.5, 0.9}) {
      const auto r = h.parse(std::string("/Media/") + f.file, bytes.substr(0, static_cast<std::size_t>(bytes.size() * cut)));
      expect_well_formed(h, r);
      EXPECT_NE(r.result, FERRET_PARSE_FAILED);
      if (r.result == FERRET_PARSE_MALFORMED) {
        EXPECT_FALSE(r.log.empty());
      }
      if (r.result != FERRET_PARSE_NOT_MINE) {
        ASSERT_EQ(r.of_kind("media").size(), 1u);
        EXPECT_EQ(attr(r.of_kind("media")[0], "container"), f.container);
      }
    }
  }
  // The MP4 cut inside its moov (faststart: moov comes first) loses its tracks' details but not its kind.
  const std::string mp4 = read_fixture("media_h264_aac.mp4");
  const auto r = h.parse("/Media/cut.mp4", mp4.substr(0, 600));
  EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r.of_kind("media").size(), 1u);
  EXPECT_EQ(attr(r.of_kind("media")[0], "container"), "mp4");
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
std::string box(const std::string& type, const std::string& payload) {
  return be32(static_cast<std::uint32_t>(8 + payload.size())) + type + payload;
}

TEST(MediaPlugin, HostileBoxSizesAndNesting) {
  PluginHarness h(plugin_path("media"));
  ASSERT_EQ(h.error(), "");
  const std::string ftyp = box("ftyp", "isom" + be32(512) + "isom");
  // A moov claiming 4 GiB, a box smaller than its header, a 64-bit size pointing past the end.
  for (const std::string& tail : {be32(0xFFFFFFF0u) + "moov" + box("mvhd", std::string(100, '\0')),
                                  box("moov", be32(4) + "trak"),
                                  std::string("\0\0\0\x01moov\xff\xff\xff\xff\xff\xff\xff\xff", 16)}) {
    const auto r = h.parse("/x.mp4", ftyp + tail);
    expect_well_formed(h, r);
    EXPECT_EQ(r.result, FERRET_PARSE_MALFORMED);
    EXPECT_FALSE(r.log.empty());
  }
  // Thousands of nested udta boxes: the parser does not follow arbitrary nesting.
  std::string nested = box("\xa9nam", std::string("\0\x04\0\0deep", 8));
  for (int i = 0; i < 5000; ++i) nested = box("udta", nested);
  const auto r = h.parse("/x.mp4", ftyp + box("moov", nested));
  expect_well_formed(h, r);
  EXPECT_NE(r.result, FERRET_PARSE_FAILED);
  // A timescale of zero, a huge duration: no division by zero, no absurd duration.
  std::string mvhd(100, '\0');
  const auto r2 = h.parse("/x.mp4", ftyp + box("moov", box("mvhd", mvhd)));
  expect_well_formed(h, r2);
  EXPECT_EQ(r2.result, FERRET_PARSE_MALFORMED);
  ASSERT_EQ(r2.of_kind("media").size(), 1u);
  EXPECT_FALSE(r2.of_kind("media")[0]->attrs.count("duration_s"));
}

// ---- a host whose file is sparse: gigabytes of zeros with a few real headers, and a count of the
// bytes the plugin read ----
struct SparseFile {
  std::uint64_t size = 0;
  std::map<std::uint64_t, std::string> pieces;  // offset -> bytes; everything else reads as zeros
  std::uint64_t bytes_read = 0;
  std::map<std::string, std::string> attrs;
  int artifacts = 0;
};
SparseFile* g_sparse = nullptr;

ferret_parse_result parse_sparse(const ferret_plugin* plugin, SparseFile& file, const std::string& file_name) {
  g_sparse = &file;
  ferret_host_api host{};
  host.struct_size = sizeof host;
  host.abi_version = FERRET_PLUGIN_ABI_VERSION;
  host.file_size = [](const ferret_file*) -> uint64_t { return g_sparse->size; };
  host.file_path = [](const ferret_file* f) { return f->path.c_str(); };
  host.file_name = [](const ferret_file* f) { return f->name.c_str(); };
  host.file_mime = [](const ferret_file*) { return ""; };
  host.read = [](ferret_file*, uint64_t offset, void* buffer, size_t length) -> int64_t {
    if (offset >= g_sparse->size) return 0;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, g_sparse->size - offset));
    std::memset(buffer, 0, n);
    for (const auto& [at, bytes] : g_sparse->pieces) {
      const std::uint64_t lo = std::max(at, offset), hi = std::min(at + bytes.size(), offset + n);
      if (lo < hi) std::memcpy(static_cast<char*>(buffer) + (lo - offset), bytes.data() + (lo - at), hi - lo);
    }
    g_sparse->bytes_read += n;
    return static_cast<int64_t>(n);
  };
  host.begin_artifact = [](ferret_file* f, const char*) -> ferret_artifact* {
    auto* a = new ferret_artifact;
    a->file = f;
    return a;
  };
  host.set_text = [](ferret_artifact*, const char* name, const char* value, size_t length) {
    g_sparse->attrs[name] = std::string(value, length);
    return 0;
  };
  host.set_int = [](ferret_artifact*, const char* name, int64_t value) {
    g_sparse->attrs[name] = std::to_string(value);
    return 0;
  };
  host.end_artifact = [](ferret_artifact* a) {
    delete a;
    ++g_sparse->artifacts;
    return 0;
  };
  host.artifact_id = [](const ferret_artifact*) -> int64_t { return 1; };
  host.log = [](ferret_file*, ferret_log_level, const char*) {};
  host.should_stop = [](const ferret_file*) { return 0; };
  ferret_file f;
  f.path = "/Big/" + file_name;
  f.name = file_name;
  const auto r = plugin->parse(&f, &host);
  g_sparse = nullptr;
  return r;
}

TEST(MediaPlugin, LargeFilesAreWalkedBySeeking) {
  PluginHarness h(plugin_path("media"));
  ASSERT_EQ(h.error(), "");
  constexpr std::uint64_t kBig = 6ull << 30;  // 6 GiB, mostly one mdat / cluster / movi list
  {
    // MP4 with the moov after a 64-bit mdat: the fixture's moov, moved behind 6 GiB of media data.
    const std::string mp4 = read_fixture("media_h264_aac.mp4");
    SparseFile f;
    const std::string ftyp = mp4.substr(0, 32);
    const std::uint32_t moov_size = static_cast<std::uint32_t>(static_cast<unsigned char>(mp4[32]) << 24 |
                                                               static_cast<unsigned char>(mp4[33]) << 16 |
                                                               static_cast<unsigned char>(mp4[34]) << 8 |
                                                               static_cast<unsigned char>(mp4[35]));
    const std::string moov = mp4.substr(32, moov_size);
    std::string mdat_header = std::string("\0\0\0\x01mdat", 8);
    for (int s = 56; s >= 0; s -= 8) mdat_header += static_cast<char>(kBig >> s);
    f.pieces[0] = ftyp + mdat_header;
    f.pieces[32 + kBig] = moov;
    f.size = 32 + kBig + moov.size();
    EXPECT_EQ(parse_sparse(h.plugin(), f, "big.mp4"), FERRET_PARSE_OK);
    EXPECT_EQ(f.attrs["container"], "mp4");
    EXPECT_EQ(f.attrs["video_codec"], "h264");
    EXPECT_EQ(f.attrs["title"], "Ferret MP4 fixture");
    EXPECT_LT(f.bytes_read, 1u << 20);
  }
  {
    // AVI whose movi list is 6 GiB, with the INFO list after it.
    SparseFile f;
    const std::string avi = read_fixture("media_mpeg4_mp3.avi");
    const auto le32 = [](std::uint64_t v) {
      return std::string{static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
    };
    // The fixture's hdrl list is its first chunk after "RIFF....AVI ".
    const std::uint32_t hdrl_size = static_cast<std::uint32_t>(static_cast<unsigned char>(avi[16]) | static_cast<unsigned char>(avi[17]) << 8 |
                                                               static_cast<unsigned char>(avi[18]) << 16 | static_cast<unsigned char>(avi[19]) << 24);
    const std::string hdrl = avi.substr(12, 8 + hdrl_size);
    const std::uint64_t movi_size = 0xF0000000u;  // RIFF sizes are 32-bit: a near-4 GiB movi
    const std::string info = "LIST" + le32(4 + 8 + 6) + "INFO" + "INAM" + le32(6) + std::string("Sparse", 6);
    const std::uint64_t total = 12 + hdrl.size() + 12 + movi_size + info.size();
    f.pieces[0] = "RIFF" + le32(total - 8) + "AVI " + hdrl + "LIST" + le32(movi_size + 4) + "movi";
    f.pieces[12 + hdrl.size() + 12 + movi_size] = info;
    f.size = total;
    EXPECT_EQ(parse_sparse(h.plugin(), f, "big.avi"), FERRET_PARSE_OK);
    EXPECT_EQ(f.attrs["container"], "avi");
    EXPECT_EQ(f.attrs["width"], "320");
    EXPECT_EQ(f.attrs["title"], "Sparse");
    EXPECT_LT(f.bytes_read, 1u << 20);
  }
  {
    // MP3 of 6 GiB of zeros after a tag: the search for the first frame is bounded.
    SparseFile f;
    f.pieces[0] = std::string("ID3\x03\0\0\0\0\0\x0a", 10) + std::string("\0\0\0\0\0\0\0\0\0\0", 10);
    f.size = kBig;
    const auto r = parse_sparse(h.plugin(), f, "big.mp3");
    EXPECT_EQ(r, FERRET_PARSE_MALFORMED);
    EXPECT_LT(f.bytes_read, 1u << 20);
  }
}

// ---- random and mutated input: no crash, and whatever is accepted is well formed ----
std::string mutate(const std::string& in, std::mt19937& rng) {
  std::string s = in;
  if (s.empty()) return s;
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  switch (rng() % 5) {
    case 0:  // flip a few bytes
      for (int i = 0, n = 1 + static_cast<int>(rng() % 16); i < n; ++i) s[pick(s.size())] = static_cast<char>(rng());
      break;
    case 1:  // cut
      s.resize(pick(s.size()));
      break;
    case 2:  // overwrite a run with 0xFF (maximal sizes)
    {
      const std::size_t at = pick(s.size());
      for (std::size_t i = at; i < std::min(s.size(), at + 1 + pick(12)); ++i) s[i] = '\xff';
      break;
    }
    case 3:  // duplicate a slice in the middle
    {
      const std::size_t at = pick(s.size()), n = pick(std::min<std::size_t>(s.size() - at, 512) + 1);
      s.insert(at, s.substr(at, n));
      break;
    }
    default:  // zero a run (sizes of 0)
    {
      const std::size_t at = pick(s.size());
      for (std::size_t i = at; i < std::min(s.size(), at + 1 + pick(12)); ++i) s[i] = '\0';
      break;
    }
  }
  return s;
}

TEST(MediaPlugin, FuzzedInputNeverCrashes) {
  PluginHarness h(plugin_path("media"));
  ASSERT_EQ(h.error(), "");
  std::mt19937 rng(20261125);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1800);
  int runs = 0;
  for (int round = 0; round < 400 && std::chrono::steady_clock::now() < deadline; ++round) {
    for (const auto& f : kFixtures) {
      std::string bytes = read_fixture(f.file);
      for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) bytes = mutate(bytes, rng);
      const auto r = h.parse(std::string("/Fuzz/") + f.file, bytes);
      ++runs;
      expect_well_formed(h, r);
      EXPECT_LE(r.artifacts.size(), 1u);
      EXPECT_NE(r.result, FERRET_PARSE_FAILED) << f.file;
    }
    // Pure noise behind each magic.
    for (const std::string& magic : {"\0\0\0\x20" "ftyp"s, "\x1a\x45\xdf\xa3"s, "RIFF\0\0\0\0AVI "s, "ID3\x03\0\0"s, "\xff\xfb"s}) {
      std::string noise = magic;
      for (std::size_t i = 0, n = rng() % 4096; i < n; ++i) noise += static_cast<char>(rng());
      const auto r = h.parse("/Fuzz/noise", noise);
      ++runs;
      expect_well_formed(h, r);
    }
  }
  EXPECT_GT(runs, 100);
}

}  // namespace
}  // namespace ferret::test
