// JPEG validator: SOI, marker segments, scans (RST order; sequential ones Huffman-decoded), to EOI.
#include <algorithm>
#include <cstring>
#include <string>

#include "carve/formats/formats.h"
#include "carve/formats/jpeg_huffman.h"

namespace ferret::carve::formats {

namespace {

Verdict verdict(Status status, std::uint64_t length, std::string missing = {}) {
  return Verdict{status, length, std::move(missing), "jpeg", "jpg"};
}

bool is_sof(std::uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

// Markers that may stand between scans or before the first frame, each with a length field.
bool is_table_or_misc(std::uint8_t m) {
  return m == 0xC4 /*DHT*/ || m == 0xCC /*DAC*/ || m == 0xDB /*DQT*/ || m == 0xDD /*DRI*/ ||
         m == 0xDC /*DNL*/ || m == 0xDE /*DHP*/ || m == 0xDF /*EXP*/ || m == 0xFE /*COM*/ ||
         (m >= 0xE0 && m <= 0xEF) /*APPn*/ || (m >= 0xF0 && m <= 0xFD) /*JPGn*/;
}

constexpr std::size_t kZeroBlock = 512;

struct Walk {
  Bytes& bytes;
  std::uint64_t end;  // min(space, max_item)
  bool sof = false, sos = false, hierarchical = false;
  std::uint16_t restart_interval = 0;
  int segments = 0;  // complete segments seen: the first one decides rejected vs partial
  // The last run of zeros (>= kZeroBlock bytes) met in scan data, [start, end).
  std::uint64_t zero_run_start = 0, zero_run_end = 0;
  // What a sequential scan needs to be decoded: the frame, the tables, the scan's components.
  jpeg::Frame frame{};
  jpeg::HuffmanTable dc[4]{}, ac[4]{};
  jpeg::Scan scan{};
};

// How soon after a long zero run a broken scan counts as "the file ended at the run".
constexpr std::uint64_t kSlackReach = 4096;

// Checks a segment's payload (len bytes after the length field) for the markers whose contents
// have a fixed structure; a chance FF xx in garbage rarely passes these.
bool check_segment(Walk& w, std::uint8_t m, std::uint64_t body, std::uint32_t len, std::string& why) {
  if (len > 0xFFFF) return false;
  // Every structured segment below is at most 65533 bytes: one view holds it.
  const auto v = w.bytes.view(body, len);
  if (v.size() < len) {
    why = "segment runs past the end of the space";
    return false;
  }
  const std::uint8_t* p = v.data();
  if (is_sof(m)) {
    if (len < 6) { why = "SOF too short"; return false; }
    const unsigned precision = p[0], width = p[3] << 8 | p[4], components = p[5];
    if (precision < 2 || precision > 16 || width == 0 || components == 0 || components > 4 ||
        len != 6 + 3u * components) {
      why = "SOF fields out of range";
      return false;
    }
    for (unsigned c = 0; c < components; ++c) {
      const std::uint8_t sampling = p[7 + 3 * c], table = p[8 + 3 * c];
      if ((sampling >> 4) < 1 || (sampling >> 4) > 4 || (sampling & 15) < 1 || (sampling & 15) > 4 || table > 3) {
        why = "SOF component fields out of range";
        return false;
      }
    }
    if (w.sof && !w.hierarchical) { why = "second SOF in a non-hierarchical image"; return false; }
    if (!w.sof) {
      jpeg::Frame& f = w.frame;
      f.sequential_huffman = m == 0xC0 || m == 0xC1;
      f.precision = static_cast<std::uint8_t>(precision);
      f.height = static_cast<std::uint16_t>(p[1] << 8 | p[2]);
      f.width = static_cast<std::uint16_t>(width);
      f.count = static_cast<int>(components);
      for (unsigned c = 0; c < components; ++c) {
        f.components[c] = {p[6 + 3 * c], static_cast<std::uint8_t>(p[7 + 3 * c] >> 4), static_cast<std::uint8_t>(p[7 + 3 * c] & 15)};
      }
    }
    w.sof = true;
    return true;
  }
  switch (m) {
    case 0xC4: {  // DHT: tables that exactly fill the segment
      std::uint32_t at = 0;
      while (at < len) {
        if (len - at < 17 || (p[at] >> 4) > 1 || (p[at] & 15) > 3) { why = "bad DHT table"; return false; }
        std::uint32_t count = 0;
        for (int i = 1; i <= 16; ++i) count += p[at + i];
        if (count == 0 || count > 256 || len - at - 17 < count) { why = "bad DHT code counts"; return false; }
        jpeg::HuffmanTable& table = (p[at] >> 4) == 0 ? w.dc[p[at] & 3] : w.ac[p[at] & 3];
        if (!jpeg::build_table(p + at + 1, p + at + 17, table)) { why = "DHT codes overflow their lengths"; return false; }
        at += 17 + count;
      }
      return true;
    }
    case 0xDB: {  // DQT
      std::uint32_t at = 0;
      while (at < len) {
        const std::uint32_t size = (p[at] >> 4) == 0 ? 64 : 128;
        if ((p[at] >> 4) > 1 || (p[at] & 15) > 3 || len - at < 1 + size) { why = "bad DQT table"; return false; }
        at += 1 + size;
      }
      return true;
    }
    case 0xDD:  // DRI
      if (len != 2) { why = "bad DRI length"; return false; }
      w.restart_interval = static_cast<std::uint16_t>(p[0] << 8 | p[1]);
      return true;
    case 0xDA: {  // SOS header: the scan's components
      if (len < 6 || p[0] == 0 || p[0] > 4 || len != 4 + 2u * p[0]) { why = "bad SOS header"; return false; }
      const std::uint8_t ss = p[len - 3], se = p[len - 2];
      if (ss > 63 || se > 63 || ss > se) { why = "bad SOS spectral selection"; return false; }
      if (!w.sof) { why = "SOS before any SOF"; return false; }
      jpeg::Scan& scan = w.scan;
      scan.count = p[0];
      for (int i = 0; i < scan.count; ++i) {
        const std::uint8_t id = p[1 + 2 * i], tables = p[2 + 2 * i];
        int index = -1;
        for (int c = 0; c < w.frame.count; ++c) {
          if (w.frame.components[c].id == id) index = c;
        }
        if (index < 0 || (tables >> 4) > 3 || (tables & 15) > 3) { why = "SOS names a component or table that does not exist"; return false; }
        scan.components[i] = {index, static_cast<std::uint8_t>(tables >> 4), static_cast<std::uint8_t>(tables & 15)};
      }
      scan.ss = ss;
      scan.se = se;
      scan.ah = p[len - 1] >> 4;
      scan.al = p[len - 1] & 15;
      w.sos = true;
      return true;
    }
    case 0xDE:
      w.hierarchical = true;
      return true;
    default:
      return true;  // APPn, COM, DNL, DAC, EXP, JPGn: skipped by their length
  }
}

// The start of a run of zeros that covers a whole kZeroBlock-aligned block in [from, to) of `base`
// (a run of 2 * kZeroBlock - 1 bytes or more is always caught).
// Returns the run's start and the end of the aligned block found in it.
std::optional<std::pair<std::size_t, std::size_t>> zero_run(const std::uint8_t* base, std::size_t from, std::size_t to) {
  static constexpr std::uint8_t kZeros[kZeroBlock] = {};
  for (std::size_t b = (from + kZeroBlock - 1) / kZeroBlock * kZeroBlock; b + kZeroBlock <= to; b += kZeroBlock) {
    if (base[b] != 0 || std::memcmp(base + b, kZeros, kZeroBlock) != 0) continue;
    std::size_t start = b;
    while (start > from && base[start - 1] == 0) --start;
    return std::pair{start, b + kZeroBlock};
  }
  return std::nullopt;
}

// Scans entropy-coded data from `pos`. Returns the position of the marker (its FF) that ends the
// scan, or the position where the data stops being valid (with `why` set).
std::uint64_t scan_entropy(Walk& w, std::uint64_t pos, std::string& why, std::uint8_t& marker) {
  unsigned next_rst = 0;
  while (pos < w.end) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, w.end - pos));
    const auto v = w.bytes.view(pos, want);
    if (v.empty()) break;
    const std::uint8_t* base = v.data();
    std::size_t i = 0;
    const std::size_t n = v.size();
    while (i < n) {
      const void* hit = std::memchr(base + i, 0xFF, n - i);
      const std::size_t f = hit ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - base) : n;
      // Long zero runs are valid entropy data (a flat image with optimised tables codes each block
      // in two zero bits) but are also the slack after a cut file: remember the last one, in case
      // the scan soon breaks (then the run is where the file most likely ended).
      for (std::size_t from = i; const auto run = zero_run(base, from, f);) {
        std::size_t run_end = run->second;
        while (run_end < f && base[run_end] == 0) ++run_end;
        w.zero_run_start = pos + run->first;
        w.zero_run_end = pos + run_end;
        from = run_end;
      }
      // A whole view of zeros is free space (or an absurdly large flat image): stop rather than
      // walk gigabytes of it.
      if (!hit && i == 0 && n == kMaxView && w.zero_run_start == pos && w.zero_run_end == pos + n) {
        why = "the scan data runs into a mebibyte of zeros";
        marker = 0;
        return pos;
      }
      if (!hit) {
        i = n;
        break;
      }
      i = f;
      // Fill bytes: FF FF ... before a marker.
      std::size_t j = i + 1;
      while (j < n && base[j] == 0xFF) ++j;
      if (j >= n) break;  // the pair straddles the view: reread from this FF
      const std::uint8_t m = base[j];
      if (m == 0x00 && j == i + 1) { i = j + 1; continue; }  // stuffed FF
      if (m >= 0xD0 && m <= 0xD7) {
        // Restart markers only with a restart interval, and strictly in order D0..D7 within a scan.
        if (w.restart_interval == 0 || (m & 7) != next_rst) {
          why = "restart marker out of sequence in the scan data";
          return pos + i;
        }
        next_rst = (next_rst + 1) & 7;
        i = j + 1;
        continue;
      }
      marker = m;
      return pos + j - 1;  // the FF right before the marker code
    }
    if (v.size() < want) break;  // unreadable media
    // Step to where the unfinished search left off (the FF of a straddling pair included).
    pos += std::max<std::size_t>(i, 1);
  }
  why = "the space ends inside the scan data";
  marker = 0;
  return w.end;
}

// Trailing zeros after a cut are not proven to belong: entropy data almost never ends in zeros.
std::uint64_t trim_zeros(Bytes& bytes, std::uint64_t from, std::uint64_t to) {
  while (to > from) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(4096, to - from));
    const auto v = bytes.view(to - want, want);
    if (v.size() < want) return to;
    std::size_t k = v.size();
    while (k > 0 && v[k - 1] == 0) --k;
    if (k > 0) return to - want + k;
    to -= want;
  }
  return to;
}

// Decoding needs a sequential Huffman frame with a known height (not DNL) and the scan's tables
// (Motion-JPEG frames leave out DHT and rely on default tables: those are not decoded).
bool decodable(const Walk& w) {
  const jpeg::Frame& f = w.frame;
  if (w.hierarchical || !f.sequential_huffman || f.height == 0 || (f.precision != 8 && f.precision != 12)) return false;
  if (w.scan.ss != 0 || w.scan.se != 63 || w.scan.ah != 0 || w.scan.al != 0) return false;
  for (int i = 0; i < w.scan.count; ++i) {
    if (!w.dc[w.scan.components[i].dc].defined || !w.ac[w.scan.components[i].ac].defined) return false;
  }
  return w.scan.count > 0;
}

// Where a broken scan's proven part ends: before trailing zeros, and before a long zero run that
// the break follows closely (slack after a cut file, then whatever came next on the disk).
std::uint64_t scan_partial_end(Walk& w, std::uint64_t scan, std::uint64_t stop) {
  std::uint64_t end = trim_zeros(w.bytes, scan, stop);
  if (w.zero_run_end > scan && w.zero_run_start >= scan && w.zero_run_end <= stop && stop - w.zero_run_end <= kSlackReach) {
    end = std::min(end, w.zero_run_start);
  }
  return end;
}

}  // namespace

Verdict validate_jpeg(Bytes& bytes, const Limits& limits) {
  Walk w{bytes, std::min(bytes.size(), limits.max_item)};
  if (!bytes.matches(0, "\xFF\xD8\xFF")) return verdict(Status::rejected, 0, "no SOI marker");
  std::uint64_t pos = 2;
  std::uint64_t proven = 2;  // end of the last structure that checked out
  auto fail = [&](std::string why) {
    if (w.segments == 0) return verdict(Status::rejected, 0, "not a JPEG: " + why);
    return verdict(Status::partial, proven, std::move(why));
  };
  while (true) {
    // pos is at an FF; skip fill bytes.
    std::uint64_t at = pos;
    int fill = 0;
    std::optional<std::uint8_t> b;
    while ((b = bytes.u8(at)) && *b == 0xFF && fill < 64) { ++at; ++fill; }
    if (fill == 0) return fail("expected a marker");
    if (!b) return fail("the space ends before the next marker");
    if (*b == 0xFF) return fail("a run of fill bytes");
    const std::uint8_t m = *b;
    const std::uint64_t after = at + 1;
    if (after > w.end) return fail("the space ends before the next marker");
    if (m == 0xD9) {
      if (!w.sof || !w.sos) return fail("EOI before any frame and scan");
      return verdict(Status::complete, after);
    }
    if (m == 0x01) { pos = after; proven = after; continue; }  // TEM: no length
    if (!is_sof(m) && !is_table_or_misc(m) && m != 0xDA) return fail("invalid marker in the header");
    const auto len = bytes.u16be(after);
    if (!len || after + *len > w.end) return fail("segment runs past the end of the space");
    if (*len < 2) return fail("segment length below 2");
    std::string why;
    if (!check_segment(w, m, after + 2, *len - 2u, why)) return fail(why.empty() ? "bad segment" : why);
    pos = after + *len;
    proven = pos;
    ++w.segments;
    if (m != 0xDA) continue;
    // Scan data follows the SOS header, up to the next marker that is not RSTn.
    std::uint8_t marker = 0;
    const std::uint64_t stop = scan_entropy(w, pos, why, marker);
    if (!why.empty()) return verdict(Status::partial, scan_partial_end(w, pos, stop), why);
    // What may follow a scan: EOI, another scan, tables, DNL; never SOI or reserved codes.
    if (marker != 0xD9 && marker != 0xDA && !is_table_or_misc(marker) && !(w.hierarchical && is_sof(marker))) {
      return verdict(Status::partial, scan_partial_end(w, pos, stop), "invalid marker in the scan data");
    }
    // A sequential scan is decoded: each block's codes must exist and the frame's blocks must
    // fill the scan exactly, so data from another file (or overwritten data without an FF) is seen.
    if (decodable(w)) {
      const jpeg::ScanCheck check = jpeg::check_sequential_scan(bytes, pos, stop, w.frame, w.scan, w.dc, w.ac, w.restart_interval);
      if (!check.ok) return verdict(Status::partial, std::max(pos, std::min(check.bad_at, stop)), check.why);
    }
    proven = stop;
    pos = stop;
  }
}

}  // namespace ferret::carve::formats
