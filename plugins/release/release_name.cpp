// The release-name recogniser: a fixed structure (title, markers, -GROUP) checked token by token
// against tables of the spellings scene and P2P groups use; no regular expressions (their backtracking
// has no bound on hostile input).
#include "release_name.h"

#include <algorithm>
#include <vector>

namespace ferret_plugins::release {

namespace {

struct Spelling {
  std::string_view key;  // lowercase, as tokens are compared
  std::string_view canonical;
  bool weak = false;  // also an ordinary word ("web", "cam", "ts"): a marker only after the title
};

constexpr Spelling kSources[] = {
    {"bluray", "BluRay"},       {"blu-ray", "BluRay"},      {"bdrip", "BDRip"},         {"brrip", "BRRip"},
    {"bdremux", "REMUX"},       {"remux", "REMUX"},         {"web-dl", "WEB-DL"},       {"webdl", "WEB-DL"},
    {"webrip", "WEBRip"},       {"web-rip", "WEBRip"},      {"web-dlrip", "WEB-DLRip"}, {"web", "WEB", true},
    {"hdtv", "HDTV"},           {"pdtv", "PDTV"},           {"sdtv", "SDTV"},           {"dsr", "DSR", true},
    {"dvdrip", "DVDRip"},       {"dvdr", "DVDR"},           {"dvd", "DVD", true},       {"dvd5", "DVD5"},
    {"dvd9", "DVD9"},           {"hdrip", "HDRip"},         {"uhdrip", "UHDRip"},       {"hddvd", "HD-DVD"},
    {"hd-dvd", "HD-DVD"},       {"cam", "CAM", true},       {"camrip", "CAMRip"},       {"hdcam", "HDCAM"},
    {"ts", "TS", true},         {"hdts", "HDTS"},           {"telesync", "TELESYNC"},   {"tc", "TC", true},
    {"hdtc", "HDTC"},           {"telecine", "TELECINE"},   {"scr", "SCR", true},       {"dvdscr", "DVDSCR"},
    {"screener", "SCREENER"},   {"r5", "R5", true},         {"vhsrip", "VHSRip"},       {"ppv", "PPV", true},
    {"vodrip", "VODRip"},
};

constexpr Spelling kCodecs[] = {
    {"x264", "x264"}, {"x265", "x265"}, {"h264", "H.264"}, {"h265", "H.265"}, {"hevc", "HEVC"},
    {"avc", "AVC"},   {"xvid", "XviD"}, {"divx", "DivX"},  {"av1", "AV1"},    {"vp9", "VP9"},
    {"mpeg2", "MPEG-2"}, {"mpeg-2", "MPEG-2"}, {"vc-1", "VC-1"}, {"vc1", "VC-1"},
};

// Tags of the release's version, audio, streaming service and so on: markers, but no field of their own.
constexpr std::string_view kTags[] = {
    "proper", "repack", "rerip", "internal", "limited", "extended", "unrated", "uncut", "remastered", "restored",
    "imax", "multi", "dubbed", "subbed", "10bit", "8bit", "hdr", "hdr10", "hdr10plus", "dv", "dovi", "sdr",
    "dts", "dts-hd", "dts-x", "dtsx", "ma", "aac", "ac3", "dd", "ddp", "dd+", "eac3", "truehd", "atmos", "flac",
    "opus", "lpcm", "nf", "amzn", "dsnp", "hmax", "atvp", "hulu", "pcok", "pmtp", "uhd", "readnfo", "nfofix",
    "dirfix", "syncfix", "3d", "hsbs", "hou", "pal", "ntsc", "dualaudio", "criterion", "2ch", "6ch",
};

// Tags that, right before the year or the first marker, describe the release and not the title.
constexpr std::string_view kTitleTrailingTags[] = {"proper", "repack", "rerip", "internal", "limited", "extended", "unrated",
                                                    "uncut", "remastered", "imax", "multi", "dubbed", "subbed", "readnfo"};

// Hyphenated spellings whose second half would otherwise pass for a group ("...WEB-DL" has none).
constexpr std::string_view kHyphenated[] = {"web-dl", "blu-ray", "dts-hd", "dts-x", "vc-1", "mpeg-2", "web-rip", "hd-dvd", "web-dlrip"};

// What follows a group in a file name but is not the release's ("-sample.mkv").
constexpr std::string_view kNotGroups[] = {"sample", "proof", "subs", "trailer", "extras"};

constexpr int kResolutions[] = {360, 480, 540, 576, 720, 1080, 1440, 2160, 4320};

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

template <std::size_t N>
bool contains(const std::string_view (&set)[N], std::string_view s) {
  for (const auto& x : set) {
    if (x == s) return true;
  }
  return false;
}

const Spelling* spelling_of(const Spelling* begin, const Spelling* end, std::string_view key) {
  for (const Spelling* s = begin; s != end; ++s) {
    if (s->key == key) return s;
  }
  return nullptr;
}

enum class Marker { none, year, season_episode, resolution, source, codec, tag };

struct Token {
  std::string text;   // as written
  std::string lower;  // lowercase, parentheses removed
  Marker marker = Marker::none;
  bool weak = false;
  std::string canonical;
  int year = 0;
};

int year_of(std::string_view t) {
  if (t.size() != 4 || !is_digit(t[0]) || !is_digit(t[1]) || !is_digit(t[2]) || !is_digit(t[3])) return 0;
  const int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
  return y >= 1900 && y <= 2099 ? y : 0;
}

// S01, S01E02, S01E02E03: a season and optional episodes, returned uppercase.
std::string season_episode_of(std::string_view t) {
  if (t.size() < 2 || t[0] != 's') return {};
  std::size_t i = 1, digits = 0;
  while (i < t.size() && is_digit(t[i]) && digits < 3) ++i, ++digits;
  if (digits == 0 || digits > 2) return {};
  int episodes = 0;
  while (i < t.size()) {
    if (t[i] != 'e' || ++episodes > 3) return {};
    std::size_t d = 0;
    ++i;
    while (i < t.size() && is_digit(t[i]) && d < 4) ++i, ++d;
    if (d == 0 || d > 3) return {};
  }
  std::string out(t);
  for (char& c : out) {
    if (c == 's' || c == 'e') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string resolution_of(std::string_view t) {
  if (t == "4k") return "4K";
  if (t.size() < 4 || (t.back() != 'p' && t.back() != 'i')) return {};
  int n = 0;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (!is_digit(t[i]) || i >= 4) return {};
    n = n * 10 + (t[i] - '0');
  }
  for (const int r : kResolutions) {
    if (r == n) return std::string(t);
  }
  return {};
}

void classify(Token& token) {
  const std::string& t = token.lower;
  if ((token.year = year_of(t)) != 0) {
    token.marker = Marker::year;
  } else if (auto se = season_episode_of(t); !se.empty()) {
    token.marker = Marker::season_episode;
    token.canonical = std::move(se);
  } else if (auto res = resolution_of(t); !res.empty()) {
    token.marker = Marker::resolution;
    token.canonical = std::move(res);
  } else if (const Spelling* s = spelling_of(std::begin(kSources), std::end(kSources), t)) {
    token.marker = Marker::source;
    token.canonical = s->canonical;
    token.weak = s->weak;
  } else if (const Spelling* c = spelling_of(std::begin(kCodecs), std::end(kCodecs), t)) {
    token.marker = Marker::codec;
    token.canonical = c->canonical;
  } else {
    // Audio and similar tags carry channel counts and versions: DDP5, AAC2, HDR10, DTS-HD.
    std::string_view bare = t;
    while (!bare.empty() && is_digit(bare.back())) bare.remove_suffix(1);
    if (contains(kTags, t) || (!bare.empty() && contains(kTags, bare))) token.marker = Marker::tag;
  }
}

bool name_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '(' || c == ')' || c == '&' || c == '+' || c == '\'' ||
         c == ',' || c == '!';
}

// After the group: nothing, or a bracketed tracker tag and up to three short dotted parts
// (".mkv", ".en.srt", ".part01.rar").
bool acceptable_tail(std::string_view tail) {
  if (!tail.empty() && tail[0] == '[') {
    const std::size_t close = tail.find(']');
    if (close == std::string_view::npos || close > 24) return false;
    for (std::size_t i = 1; i < close; ++i) {
      if (!is_alnum(tail[i]) && tail[i] != '.' && tail[i] != '_' && tail[i] != '-') return false;
    }
    tail.remove_prefix(close + 1);
  }
  int parts = 0;
  while (!tail.empty()) {
    if (tail[0] != '.' || ++parts > 3) return false;
    std::size_t n = 1;
    while (n < tail.size() && is_alnum(tail[n])) ++n;
    if (n == 1 || n > 11) return false;
    tail.remove_prefix(n);
  }
  return true;
}

std::optional<ReleaseName> recognise_once(std::string_view text, bool retry) {
  if (text.size() < 8 || text.size() > 255) return std::nullopt;
  const std::size_t dash = text.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  std::size_t group_end = dash + 1;
  while (group_end < text.size() && (is_alnum(text[group_end]) || text[group_end] == '_')) ++group_end;
  const std::string_view group = text.substr(dash + 1, group_end - dash - 1);
  const std::string_view tail = text.substr(group_end);
  if (retry && contains(kNotGroups, lowercase(group)) && acceptable_tail(tail)) {
    // "name-GROUP-sample.mkv": the release is what precedes the sample's suffix.
    std::string without(text.substr(0, dash));
    without += tail;
    return recognise_once(without, false);
  }
  if (group.size() < 2 || group.size() > 32 || !acceptable_tail(tail)) return std::nullopt;
  bool letter = false;
  for (const char c : group) letter = letter || is_alpha(c);
  if (!letter) return std::nullopt;

  const std::string_view body = text.substr(0, dash);
  for (const char c : body) {
    if (!name_char(c)) return std::nullopt;
  }
  std::vector<Token> tokens;
  for (std::size_t start = 0; start <= body.size();) {
    std::size_t end = start;
    while (end < body.size() && body[end] != '.' && body[end] != '_') ++end;
    if (end == start) return std::nullopt;  // ".." or a leading or trailing separator
    Token t;
    t.text = std::string(body.substr(start, end - start));
    for (const char c : t.text) {
      if (c != '(' && c != ')') t.lower += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    tokens.push_back(std::move(t));
    if (tokens.size() > 64) return std::nullopt;
    start = end + 1;
    if (end == body.size()) break;
  }
  if (tokens.size() < 2) return std::nullopt;
  if (contains(kHyphenated, tokens.back().lower + "-" + lowercase(group))) return std::nullopt;
  for (auto& t : tokens) classify(t);
  // H.264 and H.265 arrive as two tokens.
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (tokens[i].lower == "h" && (tokens[i + 1].lower == "264" || tokens[i + 1].lower == "265")) {
      tokens[i].marker = Marker::codec;
      tokens[i].canonical = tokens[i + 1].lower == "264" ? "H.264" : "H.265";
      tokens[i + 1].marker = Marker::none;
      tokens[i + 1].year = 0;
    }
  }

  // Where the title ends: at the year before the first strong marker (the last such year, so that
  // "Blade.Runner.2049.2017" keeps 2049 in the title), else at that marker, else at a weak one.
  std::size_t strong = tokens.size();
  for (std::size_t i = 1; i < tokens.size() && strong == tokens.size(); ++i) {
    const Marker m = tokens[i].marker;
    if (m == Marker::season_episode || m == Marker::resolution || m == Marker::codec || (m == Marker::source && !tokens[i].weak)) strong = i;
  }
  std::size_t title_end = strong;
  std::size_t year_at = tokens.size();
  for (std::size_t i = 1; i < strong; ++i) {
    if (tokens[i].marker == Marker::year) year_at = i;
  }
  if (year_at < tokens.size()) {
    title_end = year_at;
  } else if (strong == tokens.size()) {
    for (std::size_t i = 1; i < tokens.size() && title_end == tokens.size(); ++i) {
      if (tokens[i].marker == Marker::source) title_end = i;
    }
  }
  if (title_end == tokens.size() || title_end == 0) return std::nullopt;

  ReleaseName r;
  std::vector<std::string> sources;
  int primary = 0, markers = 0;
  for (std::size_t i = title_end; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    switch (t.marker) {
      case Marker::year:
        if (r.year == 0) r.year = t.year, ++primary, ++markers;
        break;
      case Marker::season_episode:
        if (r.season_episode.empty()) r.season_episode = t.canonical, ++primary, ++markers;
        break;
      case Marker::resolution:
        if (r.resolution.empty()) r.resolution = t.canonical, ++primary, ++markers;
        break;
      case Marker::source:
        if (std::find(sources.begin(), sources.end(), t.canonical) == sources.end()) {
          r.source += (sources.empty() ? "" : " ") + t.canonical;
          sources.push_back(t.canonical);
        }
        ++primary, ++markers;
        break;
      case Marker::codec:
        if (r.codec.empty()) r.codec = t.canonical;
        ++markers;
        break;
      case Marker::tag: ++markers; break;
      case Marker::none: break;
    }
  }
  // A year and a resolution alone also fit a home video's export name ("wedding_2019_1080p-final"):
  // releases name their source or codec, or are episodes.
  if (primary == 0 || markers < 2 || (r.source.empty() && r.codec.empty() && r.season_episode.empty())) return std::nullopt;

  std::size_t title_tokens = title_end;
  while (title_tokens > 1 && contains(kTitleTrailingTags, tokens[title_tokens - 1].lower)) --title_tokens;
  for (std::size_t i = 0; i < title_tokens; ++i) r.title += (i ? " " : "") + tokens[i].text;
  bool title_has_alnum = false;
  for (const char c : r.title) title_has_alnum = title_has_alnum || is_alnum(c);
  if (!title_has_alnum) return std::nullopt;
  r.name = std::string(text.substr(0, group_end));
  r.group = std::string(group);
  return r;
}

}  // namespace

std::optional<ReleaseName> recognise(std::string_view text) {
  for (const char c : text) {
    // Printable ASCII without spaces: scene rules forbid the rest, and it keeps prose out.
    if (c <= ' ' || c > '~') return std::nullopt;
  }
  return recognise_once(text, true);
}

std::string source_of(std::string_view token) {
  const Spelling* s = spelling_of(std::begin(kSources), std::end(kSources), lowercase(token));
  return s ? std::string(s->canonical) : std::string();
}

}  // namespace ferret_plugins::release
