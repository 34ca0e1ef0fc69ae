// The exif plugin: camera metadata (make, model, software, orientation, original date and time, GPS
// position) from the EXIF APP1 segment of JPEG files, one `exif` artifact per file.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "ferret/plugin.h"

namespace {

const ferret_attr_decl kExifAttrs[] = {
    {"make", FERRET_ATTR_TEXT, 0, "camera maker (IFD0 Make)"},
    {"model", FERRET_ATTR_TEXT, 0, "camera model (IFD0 Model)"},
    {"software", FERRET_ATTR_TEXT, 0, "firmware or software that wrote the image (IFD0 Software)"},
    {"orientation", FERRET_ATTR_INT, 0, "EXIF orientation 1-8 (1: upright, 6: rotate 90 clockwise to view ...)"},
    {"datetime_original", FERRET_ATTR_TEXT, 0,
     "DateTimeOriginal as stored, \"YYYY:MM:DD HH:MM:SS\": the camera's local time, zone unknown unless an offset is given"},
    {"offset_time_original", FERRET_ATTR_TEXT, 0, "OffsetTimeOriginal as stored (\"+02:00\"): the zone of datetime_original"},
    {"datetime_original_utc", FERRET_ATTR_TIME, 0, "DateTimeOriginal in UTC: set only when OffsetTimeOriginal gives the zone"},
    {"gps_lat", FERRET_ATTR_REAL, 0, "GPS latitude in decimal degrees, negative south of the equator"},
    {"gps_lon", FERRET_ATTR_REAL, 0, "GPS longitude in decimal degrees, negative west of Greenwich"},
};
const ferret_kind_decl kKinds[] = {
    {"exif", "EXIF metadata of a JPEG image", kExifAttrs, sizeof kExifAttrs / sizeof kExifAttrs[0]},
};
const char* const kMimes[] = {"image/jpeg"};
const char* const kExtensions[] = {"jpg", "jpeg"};
const unsigned char kSoi[] = {0xFF, 0xD8, 0xFF};
const ferret_magic kMagics[] = {{kSoi, 3, 0}};

constexpr unsigned kMaxSegments = 10000;  // JPEG segments walked before the scan data
constexpr unsigned kMaxLinkedIfds = 8;    // IFD0 -> IFD1 -> ... links followed

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  const int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return n < 0 ? std::string() : std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

// Text from the file as valid UTF-8: valid sequences kept, other bytes and control characters shown
// as \xNN, cut at the first NUL (EXIF ASCII values end with one), surrounding blanks trimmed.
std::string clean_text(const unsigned char* p, std::size_t n) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  std::size_t i = 0;
  while (i < n && p[i] != 0) {
    const unsigned char c = p[i];
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) ok = false;
      else cp = cp << 6 | (p[i + k] & 0x3Fu);
    }
    static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (ok && (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (!ok || (len == 1 && ((c < 0x20 && c != '\t') || c == 0x7F))) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
      continue;
    }
    out.append(reinterpret_cast<const char*>(p + i), len);
    i += len;
  }
  const std::size_t b = out.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return out.substr(b, out.find_last_not_of(" \t") - b + 1);
}

std::string decimal(double v, int places) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, places);
  return std::string(buf, r.ptr);
}

// ---- dates ----
// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string iso_utc(std::int64_t seconds) {
  std::int64_t days = seconds / 86400, rem = seconds % 86400;
  if (rem < 0) rem += 86400, --days;
  // civil_from_days
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  return format("%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
}

bool digits(const std::string& s, std::size_t at, std::size_t n, unsigned& out) {
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

// "YYYY:MM:DD HH:MM:SS" as seconds since 1970, when it is a real date and time.
std::optional<std::int64_t> exif_seconds(const std::string& s) {
  unsigned y, mo, d, h, mi, se;
  if (s.size() < 19 || s[4] != ':' || s[7] != ':' || s[10] != ' ' || s[13] != ':' || s[16] != ':') return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) || !digits(s, 14, 2, mi) ||
      !digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  static const unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || se > 59) return std::nullopt;
  if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return std::nullopt;
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

// "+HH:MM" / "-HH:MM" as seconds east of UTC.
std::optional<std::int64_t> offset_seconds(const std::string& s) {
  unsigned h, m;
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !digits(s, 1, 2, h) || !digits(s, 4, 2, m) || h > 23 ||
      m > 59) {
    return std::nullopt;
  }
  const std::int64_t v = h * 3600 + m * 60;
  return s[0] == '-' ? -v : v;
}

// ---- the TIFF structure inside the APP1 segment ----
struct Entry {
  std::uint16_t tag = 0, type = 0;
  std::uint32_t count = 0;
  std::size_t at = 0;  // where the entry starts in the TIFF data
};

struct Found {
  std::string make, model, software, datetime, offset;
  std::optional<std::int64_t> orientation;
  std::optional<double> lat, lon;
};

class TiffReader {
 public:
  TiffReader(std::vector<unsigned char> data, std::vector<std::string>& warnings)
      : d_(std::move(data)), warnings_(warnings) {}

  void read(Found& out) {
    if (d_.size() < 8 || !((d_[0] == 'I' && d_[1] == 'I') || (d_[0] == 'M' && d_[1] == 'M'))) {
      warn("EXIF: no TIFF header (II or MM) after \"Exif\"");
      return;
    }
    little_ = d_[0] == 'I';
    if (u16(2) != 42) warn("EXIF: TIFF header magic is not 42");
    const std::uint32_t ifd0 = u32(4);
    std::uint32_t next = 0;
    const auto entries = ifd(ifd0, "IFD0", &next);
    std::optional<std::uint32_t> exif_ifd, gps_ifd;
    for (const Entry& e : entries) {
      switch (e.tag) {
        case 0x010F: out.make = text(e, "Make"); break;
        case 0x0110: out.model = text(e, "Model"); break;
        case 0x0131: out.software = text(e, "Software"); break;
        case 0x0112: {
          const auto v = integer(e, "Orientation");
          if (v && *v >= 1 && *v <= 8) out.orientation = v;
          else if (v) warn(format("EXIF: Orientation %lld is not 1-8", static_cast<long long>(*v)));
          break;
        }
        case 0x8769: exif_ifd = pointer(e, "ExifIFD"); break;
        case 0x8825: gps_ifd = pointer(e, "GPS IFD"); break;
        default: break;
      }
    }
    // IFD1 (the thumbnail's) and any further links: only checked, so that loops and stray offsets show.
    for (unsigned i = 1; next != 0 && i <= kMaxLinkedIfds; ++i) {
      std::uint32_t after = 0;
      ifd(next, format("IFD%u", i).c_str(), &after);
      next = after;
    }
    if (exif_ifd) {
      for (const Entry& e : ifd(*exif_ifd, "Exif IFD", nullptr)) {
        if (e.tag == 0x9003) out.datetime = text(e, "DateTimeOriginal");
        else if (e.tag == 0x9011) out.offset = text(e, "OffsetTimeOriginal");
      }
    }
    if (gps_ifd) read_gps(*gps_ifd, out);
  }

 private:
  void warn(std::string m) {
    if (warnings_.size() < 32) warnings_.push_back(std::move(m));
  }

  std::uint16_t u16(std::size_t at) const {
    if (at + 2 > d_.size()) return 0;
    return little_ ? static_cast<std::uint16_t>(d_[at] | d_[at + 1] << 8) : static_cast<std::uint16_t>(d_[at] << 8 | d_[at + 1]);
  }
  std::uint32_t u32(std::size_t at) const {
    if (at + 4 > d_.size()) return 0;
    const std::uint32_t a = d_[at], b = d_[at + 1], c = d_[at + 2], e = d_[at + 3];
    return little_ ? (a | b << 8 | c << 16 | e << 24) : (a << 24 | b << 16 | c << 8 | e);
  }

  // The entries of the IFD at `offset` (as many as fit), and its link to the next IFD.
  std::vector<Entry> ifd(std::uint32_t offset, const char* name, std::uint32_t* next) {
    if (std::find(visited_.begin(), visited_.end(), offset) != visited_.end()) {
      warn(format("EXIF: %s at offset %u was already read (a loop between IFDs)", name, offset));
      return {};
    }
    visited_.push_back(offset);
    if (offset < 8 || std::uint64_t{offset} + 2 > d_.size()) {
      warn(format("EXIF: %s offset %u lies outside the %zu-byte EXIF data", name, offset, d_.size()));
      return {};
    }
    std::size_t count = u16(offset);
    const std::size_t fit = (d_.size() - offset - 2) / 12;
    if (count > fit) {
      warn(format("EXIF: %s at offset %u claims %zu entries, %zu fit in the segment", name, offset, count, fit));
      count = fit;
    } else if (next) {
      const std::size_t link = offset + 2 + 12 * count;
      if (link + 4 <= d_.size()) *next = u32(link);
      else warn(format("EXIF: %s at offset %u: the link to the next IFD is cut off", name, offset));
    }
    std::vector<Entry> out(count);
    std::size_t outside = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t at = offset + 2 + 12 * i;
      out[i] = Entry{u16(at), u16(at + 2), u32(at + 4), at};
      if (!in_bounds(out[i]) && outside++ == 0) {
        warn(format("EXIF: %s tag 0x%04X: %u values of type %u do not fit in the EXIF data", name, out[i].tag, out[i].count,
                    out[i].type));
      }
    }
    if (outside > 1) warn(format("EXIF: %s: %zu entries in all point outside the EXIF data", name, outside));
    return out;
  }

  // Whether an entry's value lies inside the data (entries of types unknown to TIFF 6 are skipped, not judged).
  bool in_bounds(const Entry& e) const {
    const std::uint64_t size = type_size(e.type) * e.count;
    return size <= 4 || std::uint64_t{u32(e.at + 8)} + size <= d_.size();
  }

  static std::uint64_t type_size(std::uint16_t type) {
    switch (type) {
      case 1: case 2: case 6: case 7: return 1;
      case 3: case 8: return 2;
      case 4: case 9: case 11: case 13: return 4;
      case 5: case 10: case 12: return 8;
      default: return 0;
    }
  }

  // Where an entry's value lies: inline in the entry when it fits in four bytes, else at its offset.
  // Counts are 32-bit; in 64 bits their byte size cannot overflow.
  bool value(const Entry& e, const char* name, std::size_t& at, std::size_t& length) {
    const std::uint64_t size = type_size(e.type) * e.count;
    if (type_size(e.type) == 0) {
      warn(format("EXIF: %s has unknown type %u", name, e.type));
      return false;
    }
    if (size <= 4) {
      at = e.at + 8, length = static_cast<std::size_t>(size);
      return true;
    }
    const std::uint64_t offset = u32(e.at + 8);
    if (offset + size > d_.size()) {
      warn(format("EXIF: %s: %llu bytes at offset %llu lie outside the %zu-byte EXIF data", name,
                  static_cast<unsigned long long>(size), static_cast<unsigned long long>(offset), d_.size()));
      return false;
    }
    at = static_cast<std::size_t>(offset), length = static_cast<std::size_t>(size);
    return true;
  }

  std::string text(const Entry& e, const char* name) {
    if (e.type != 2 && e.type != 7 && e.type != 1) {  // ASCII; some writers use UNDEFINED or BYTE
      warn(format("EXIF: %s is of type %u, not text", name, e.type));
      return {};
    }
    std::size_t at, length;
    if (!value(e, name, at, length)) return {};
    return clean_text(d_.data() + at, length);
  }

  std::optional<std::int64_t> integer(const Entry& e, const char* name) {
    if (e.count < 1 || (e.type != 3 && e.type != 4)) {
      warn(format("EXIF: %s is not a SHORT or LONG", name));
      return std::nullopt;
    }
    return e.type == 3 ? std::int64_t{u16(e.at + 8)} : std::int64_t{u32(e.at + 8)};
  }

  std::optional<std::uint32_t> pointer(const Entry& e, const char* name) {
    if (e.count != 1 || (e.type != 4 && e.type != 13)) {
      warn(format("EXIF: the %s pointer is not one LONG", name));
      return std::nullopt;
    }
    return u32(e.at + 8);
  }

  // Degrees, minutes, seconds as three rationals; nullopt for a missing or zero denominator.
  std::optional<double> dms(const Entry& e, const char* name) {
    if (e.type != 5 || e.count < 3) {
      warn(format("EXIF: %s is not three RATIONALs", name));
      return std::nullopt;
    }
    std::size_t at, length;
    if (!value(e, name, at, length)) return std::nullopt;
    double v = 0;
    for (int i = 0; i < 3; ++i) {
      const std::uint32_t num = u32(at + 8 * i), den = u32(at + 8 * i + 4);
      if (den == 0) {
        if (num != 0) warn(format("EXIF: %s has a zero denominator", name));
        return std::nullopt;  // 0/0: the receiver had no fix
      }
      v += static_cast<double>(num) / den / (i == 0 ? 1 : i == 1 ? 60 : 3600);
    }
    return v;
  }

  void read_gps(std::uint32_t offset, Found& out) {
    std::string lat_ref, lon_ref;
    std::optional<double> lat, lon;
    for (const Entry& e : ifd(offset, "GPS IFD", nullptr)) {
      if (e.tag == 1) lat_ref = text(e, "GPSLatitudeRef");
      else if (e.tag == 2) lat = dms(e, "GPSLatitude");
      else if (e.tag == 3) lon_ref = text(e, "GPSLongitudeRef");
      else if (e.tag == 4) lon = dms(e, "GPSLongitude");
    }
    // Without its reference a coordinate's hemisphere is unknown: better none than a wrong one.
    const auto signed_value = [&](std::optional<double> v, const std::string& ref, char pos, char neg, double max,
                                  const char* name) -> std::optional<double> {
      if (!v) return std::nullopt;
      if (ref != std::string(1, pos) && ref != std::string(1, neg)) {
        warn(format("EXIF: %s without a valid reference (N/S, E/W); left out", name));
        return std::nullopt;
      }
      if (*v > max) {
        warn(format("EXIF: %s %.6f is out of range; left out", name, *v));
        return std::nullopt;
      }
      return ref[0] == neg ? -*v : *v;
    };
    out.lat = signed_value(lat, lat_ref, 'N', 'S', 90, "GPSLatitude");
    out.lon = signed_value(lon, lon_ref, 'E', 'W', 180, "GPSLongitude");
  }

  std::vector<unsigned char> d_;
  std::vector<std::string>& warnings_;
  bool little_ = false;
  std::vector<std::uint32_t> visited_;
};

// ---- the JPEG around it ----
class JpegFile {
 public:
  JpegFile(ferret_file* file, const ferret_host_api* host) : file_(file), host_(host), size_(host->file_size(file)) {}

  bool read(std::uint64_t offset, void* out, std::size_t n) {
    if (offset > size_ || size_ - offset < n) return false;
    const std::int64_t got = host_->read(file_, offset, out, n);
    if (got < 0) {
      warnings.push_back(format("content unreadable at offset %llu", static_cast<unsigned long long>(offset)));
      return false;
    }
    return static_cast<std::size_t>(got) == n;
  }

  // The payload of the first APP1 segment starting with "Exif\0\0" (after those six bytes), walking the
  // segments from SOI to the start of the scan. nullopt: there is none.
  std::optional<std::vector<unsigned char>> exif_payload() {
    std::uint64_t offset = 2;
    for (unsigned count = 0; count < kMaxSegments; ++count) {
      if (count % 256 == 255 && host_->should_stop(file_) != 0) {
        stopped = true;
        return std::nullopt;
      }
      unsigned char m[4];
      if (!read(offset, m, 2)) {
        warnings.push_back(format("JPEG ends at offset %llu before its image data", static_cast<unsigned long long>(offset)));
        return std::nullopt;
      }
      if (m[0] != 0xFF) {
        warnings.push_back(format("JPEG: no marker at offset %llu", static_cast<unsigned long long>(offset)));
        return std::nullopt;
      }
      if (m[1] == 0xFF) {  // fill byte
        ++offset;
        continue;
      }
      if (m[1] == 0xD9 || m[1] == 0xDA) return std::nullopt;  // end of image, start of scan: no EXIF before
      if (m[1] == 0x01 || (m[1] >= 0xD0 && m[1] <= 0xD7)) {   // markers without a length
        offset += 2;
        continue;
      }
      if (!read(offset + 2, m + 2, 2)) {
        warnings.push_back(format("JPEG segment at offset %llu is cut off", static_cast<unsigned long long>(offset)));
        return std::nullopt;
      }
      const std::size_t length = static_cast<std::size_t>(m[2] << 8 | m[3]);
      if (length < 2) {
        warnings.push_back(format("JPEG segment at offset %llu has length %zu", static_cast<unsigned long long>(offset), length));
        return std::nullopt;
      }
      if (m[1] == 0xE1 && length >= 8) {
        std::vector<unsigned char> seg(length - 2);
        const std::uint64_t available = size_ > offset + 4 ? size_ - offset - 4 : 0;
        if (available < seg.size()) {
          // Keep what there is: the tags near the start may still be whole.
          warnings.push_back(format("EXIF segment at offset %llu is cut off by the end of the file",
                                    static_cast<unsigned long long>(offset)));
          seg.resize(static_cast<std::size_t>(available));
        }
        if (seg.size() >= 6 && read(offset + 4, seg.data(), seg.size()) && std::memcmp(seg.data(), "Exif\0", 5) == 0) {
          seg.erase(seg.begin(), seg.begin() + 6);
          return seg;
        }
      }
      offset += 2 + length;
    }
    warnings.push_back("JPEG: too many segments before the image data");
    return std::nullopt;
  }

  std::vector<std::string> warnings;
  bool stopped = false;

 private:
  ferret_file* file_;
  const ferret_host_api* host_;
  std::uint64_t size_;
};

class Emitter {
 public:
  Emitter(ferret_file* file, const ferret_host_api* host, const char* kind)
      : host_(host), artifact_(host->begin_artifact(file, kind)) {}
  void text(const char* name, const std::string& value) {
    if (artifact_ && !value.empty() && host_->set_text(artifact_, name, value.data(), value.size()) != 0) ok_ = false;
  }
  void integer(const char* name, std::int64_t value) {
    if (artifact_ && host_->set_int(artifact_, name, value) != 0) ok_ = false;
  }
  bool end() { return artifact_ && host_->end_artifact(artifact_) == 0 && ok_; }

 private:
  const ferret_host_api* host_;
  ferret_artifact* artifact_;
  bool ok_ = true;
};

ferret_parse_result parse_file(ferret_file* file, const ferret_host_api* host) {
  JpegFile jpeg(file, host);
  unsigned char soi[3];
  if (!jpeg.read(0, soi, 3) || std::memcmp(soi, kSoi, 3) != 0) return FERRET_PARSE_NOT_MINE;

  Found found;
  std::vector<std::string> warnings;
  if (auto payload = jpeg.exif_payload()) TiffReader(std::move(*payload), warnings).read(found);
  warnings.insert(warnings.begin(), jpeg.warnings.begin(), jpeg.warnings.end());

  // "    :  :     :  :  " and zeros are how EXIF says "unknown".
  if (found.datetime.find_first_not_of(" :0") == std::string::npos) found.datetime.clear();
  std::string utc;
  if (!found.datetime.empty() && !found.offset.empty()) {
    const auto local = exif_seconds(found.datetime);
    const auto offset = offset_seconds(found.offset);
    if (local && offset) utc = iso_utc(*local - *offset);
    else warnings.push_back("EXIF: DateTimeOriginal or OffsetTimeOriginal is not a valid date, time or offset; no UTC time");
  }

  const bool any = !found.make.empty() || !found.model.empty() || !found.software.empty() || found.orientation ||
                   !found.datetime.empty() || found.lat || found.lon;
  bool recorded = true;
  if (any) {
    Emitter a(file, host, "exif");
    a.text("make", found.make);
    a.text("model", found.model);
    a.text("software", found.software);
    if (found.orientation) a.integer("orientation", *found.orientation);
    a.text("datetime_original", found.datetime);
    if (!found.datetime.empty()) a.text("offset_time_original", found.offset);
    a.text("datetime_original_utc", utc);
    if (found.lat && found.lon) {
      a.text("gps_lat", decimal(*found.lat, 7));
      a.text("gps_lon", decimal(*found.lon, 7));
    }
    recorded = a.end();
  }
  for (const auto& w : warnings) host->log(file, FERRET_LOG_WARNING, w.c_str());
  if (!recorded) {
    host->log(file, FERRET_LOG_ERROR, "the host refused the exif artifact (see its reason above)");
    return FERRET_PARSE_FAILED;
  }
  if (jpeg.stopped) {
    host->log(file, FERRET_LOG_WARNING, "stopped at the host's request");
    return FERRET_PARSE_FAILED;
  }
  return warnings.empty() ? FERRET_PARSE_OK : FERRET_PARSE_MALFORMED;
}

// No exception may cross into the host.
ferret_parse_result parse(ferret_file* file, const ferret_host_api* host) {
  try {
    return parse_file(file, host);
  } catch (const std::exception& e) {
    host->log(file, FERRET_LOG_ERROR, (std::string("exif plugin failed: ") + e.what()).c_str());
  } catch (...) {
    host->log(file, FERRET_LOG_ERROR, "exif plugin failed with an unknown error");
  }
  return FERRET_PARSE_FAILED;
}

const ferret_plugin kPlugin = {
    sizeof(ferret_plugin),
    FERRET_PLUGIN_ABI_VERSION,
    "exif",
    "1.0.0",
    "EXIF metadata of JPEG images: camera, software, orientation, original time, GPS position",
    {kMimes, 1, kExtensions, 2, nullptr, 0, kMagics, 1},
    kKinds,
    1,
    parse,
};

}  // namespace

extern "C" FERRET_PLUGIN_EXPORT const ferret_plugin* ferret_plugin_entry_v1(const ferret_host_api* host) {
  if (!host || host->abi_version < 1 || host->struct_size < sizeof(ferret_host_api)) return nullptr;
  return &kPlugin;
}
