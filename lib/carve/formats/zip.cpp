// ZIP validator: local entries, central directory, ZIP64 records, end record and comment; type by content.
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "carve/formats/formats.h"

namespace ferret::carve::formats {

namespace {

constexpr std::uint32_t kLocal = 0x04034b50, kCentral = 0x02014b50, kEnd = 0x06054b50, kEnd64 = 0x06064b50,
                        kLocator64 = 0x07064b50, kDescriptor = 0x08074b50, kExtraData = 0x08064b50,
                        kSignature = 0x05054b50;

struct Local {
  std::uint64_t offset;
  std::uint16_t name_len;
};

// What the member names say about the container.
struct Content {
  bool content_types = false, word = false, xl = false, ppt = false, manifest_mf = false,
       android_manifest = false, classes_dex = false;
  std::string mimetype;  // a stored first member named "mimetype"
};

void note_name(Content& c, std::string_view name) {
  c.content_types |= name == "[Content_Types].xml";
  c.word |= name.starts_with("word/");
  c.xl |= name.starts_with("xl/");
  c.ppt |= name.starts_with("ppt/");
  c.manifest_mf |= name == "META-INF/MANIFEST.MF";
  c.android_manifest |= name == "AndroidManifest.xml";
  c.classes_dex |= name == "classes.dex";
}

void set_type(Verdict& v, const Content& c) {
  std::string t = "zip";
  if (c.mimetype == "application/vnd.oasis.opendocument.text") t = "odt";
  else if (c.mimetype == "application/vnd.oasis.opendocument.spreadsheet") t = "ods";
  else if (c.mimetype == "application/vnd.oasis.opendocument.presentation") t = "odp";
  else if (c.mimetype == "application/epub+zip") t = "epub";
  else if (c.content_types && c.word) t = "docx";
  else if (c.content_types && c.xl) t = "xlsx";
  else if (c.content_types && c.ppt) t = "pptx";
  else if (c.android_manifest && c.classes_dex) t = "apk";
  else if (c.manifest_mf) t = "jar";
  v.type = v.extension = t;
}

bool known_method(std::uint16_t m) {
  return m <= 20 || m == 93 || m == 94 || m == 95 || m == 96 || m == 97 || m == 98 || m == 99;
}

// ZIP64 extended information in an extra field: the values whose 32-bit fields are all ones, in order.
struct Zip64Fields {
  std::uint64_t usize, csize, offset;
  bool present = false;
};
void read_zip64(Bytes& bytes, std::uint64_t extra, std::uint16_t extra_len, Zip64Fields& f, bool want_u,
                bool want_c, bool want_o) {
  std::uint64_t at = extra;
  const std::uint64_t stop = extra + extra_len;
  while (at + 4 <= stop) {
    const auto id = bytes.u16le(at), len = bytes.u16le(at + 2);
    if (!id || !len || at + 4 + *len > stop) return;
    if (*id == 0x0001) {
      f.present = true;
      std::uint64_t p = at + 4;
      const std::uint64_t q = p + *len;
      auto take = [&](std::uint64_t& out) {
        if (p + 8 > q) return;
        if (auto x = bytes.u64le(p)) out = *x;
        p += 8;
      };
      if (want_u) take(f.usize);
      if (want_c) take(f.csize);
      if (want_o) take(f.offset);
      return;
    }
    at += 4 + *len;
  }
}

// The end of a streamed member's data descriptor: the first "PK 07 08" whose compressed size is its
// distance from the data and that a ZIP signature follows (a chance one inside the data is not).
// A whole view of zeros ends the search: compressed data never looks like that, free space does.
std::uint64_t find_descriptor(Bytes& bytes, std::uint64_t data, std::uint64_t end, bool zip64) {
  std::uint64_t pos = data;
  while (pos < end) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, end - pos));
    const auto v = bytes.view(pos, want);
    if (v.size() < 4) return 0;
    // Candidates are collected first (at most kMaxHits per round): checking them reads other views.
    constexpr std::size_t kMaxHits = 256;
    std::uint64_t hits[kMaxHits];
    std::size_t count = 0;
    for (const std::uint8_t* p = v.data(); p + 4 <= v.data() + v.size() && count < kMaxHits;) {
      const void* h = memmem(p, static_cast<std::size_t>(v.data() + v.size() - p), "PK\x07\x08", 4);
      if (!h) break;
      const auto* hp = static_cast<const std::uint8_t*>(h);
      hits[count++] = pos + static_cast<std::uint64_t>(hp - v.data());
      p = hp + 1;
    }
    const bool full = count == kMaxHits;
    const bool zeros = count == 0 && std::all_of(v.begin(), v.end(), [](std::uint8_t c) { return c == 0; });
    // The next round overlaps by 3 bytes so a signature across the view edge is seen.
    const std::uint64_t next = full ? hits[kMaxHits - 1] + 1 : pos + (v.size() > 3 ? v.size() - 3 : v.size());
    const bool last = v.size() < want || want < kMaxView;
    // The checks read other views: done after this one is no longer used.
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t d = hits[i];
      const std::uint64_t length = d - data;
      const auto c32 = bytes.u32le(d + 8);
      const auto c64 = bytes.u64le(d + 8);
      std::uint64_t stop = 0;
      if (zip64 && c64 && *c64 == length) stop = d + 24;
      else if (c32 && *c32 == length) stop = d + 16;
      else if (c64 && *c64 == length) stop = d + 24;
      if (stop != 0 && bytes.matches(stop, "PK")) return stop;
    }
    if (zeros || (last && !full)) return 0;
    pos = next;
  }
  return 0;
}

}  // namespace

Verdict validate_zip(Bytes& bytes, const Limits& limits) {
  const std::uint64_t end = std::min(bytes.size(), limits.max_item);
  Verdict v{Status::rejected, 0, {}, "zip", "zip"};
  auto finish = [&](Status s, std::uint64_t length, std::string why) {
    v.status = s;
    v.length = length;
    v.missing = std::move(why);
    return v;
  };
  std::vector<Local> locals;
  Content content;
  std::uint64_t pos = 0;

  // Local entries: header, name, extra, data, optional data descriptor.
  while (bytes.u32le(pos) == kLocal) {
    auto bad = [&](std::string why) {
      if (locals.empty()) return finish(Status::rejected, 0, "not a ZIP: " + why);
      return finish(Status::partial, pos, std::move(why));
    };
    const auto h = bytes.view(pos, 30);
    if (h.size() < 30 || pos + 30 > end) return bad("the space ends inside a local header");
    auto u16 = [&](int o) { return static_cast<std::uint16_t>(h[o] | h[o + 1] << 8); };
    auto u32 = [&](int o) {
      return static_cast<std::uint32_t>(h[o]) | static_cast<std::uint32_t>(h[o + 1]) << 8 |
             static_cast<std::uint32_t>(h[o + 2]) << 16 | static_cast<std::uint32_t>(h[o + 3]) << 24;
    };
    const std::uint16_t version = u16(4), flags = u16(6), method = u16(8), name_len = u16(26), extra_len = u16(28);
    std::uint64_t csize = u32(18), usize = u32(22);
    if ((version & 0xFF) > 99 || !known_method(method) || name_len == 0) return bad("local header fields out of range");
    const std::uint64_t name_at = pos + 30, extra_at = name_at + name_len, data = extra_at + extra_len;
    if (data > end) return bad("the space ends inside a local header's name or extra field");
    const auto name_view = bytes.view(name_at, name_len);
    const std::string name(reinterpret_cast<const char*>(name_view.data()), name_view.size());
    Zip64Fields z64{usize, csize, 0};
    read_zip64(bytes, extra_at, extra_len, z64, usize == 0xFFFFFFFFu, csize == 0xFFFFFFFFu, false);
    usize = z64.usize;
    csize = z64.csize;
    std::uint64_t entry_end = 0;
    if ((flags & 0x08) && csize == 0) {
      // Streamed: the sizes follow the data in a descriptor. Find the one whose compressed size
      // equals the distance from the data (a chance "PK 07 08" inside the data will not).
      entry_end = find_descriptor(bytes, data, end, z64.present);
      if (entry_end == 0) return bad("no data descriptor matches member " + name);
    } else {
      // A ZIP64 size can be anything up to 2^64 - 1: compare before adding, so it cannot wrap.
      if (csize > end - data) return bad("the space ends inside member " + name);
      entry_end = data + csize;
      if (flags & 0x08) {
        // Sizes in the header and a descriptor after the data, with or without its signature.
        const auto sig = bytes.u32le(entry_end);
        if (sig == kDescriptor) entry_end += z64.present ? 24 : 16;
        else if (bytes.u32le(entry_end + 4) == csize && bytes.u32le(entry_end + 8) == usize) entry_end += 12;
      }
    }
    if (entry_end > end) return bad("the space ends inside member " + name);
    if (locals.empty() && name == "mimetype" && method == 0 && csize > 0 && csize <= 100) {
      const auto m = bytes.view(data, static_cast<std::size_t>(csize));
      content.mimetype.assign(reinterpret_cast<const char*>(m.data()), m.size());
    }
    note_name(content, name);
    locals.push_back({pos, name_len});
    pos = entry_end;
  }
  if (locals.empty()) return finish(Status::rejected, 0, "not a ZIP: no local header");
  set_type(v, content);
  const std::uint64_t locals_end = pos;
  auto partial = [&](std::string why) { return finish(Status::partial, locals_end, std::move(why)); };

  // Central directory encryption puts an extra data record first.
  if (bytes.u32le(pos) == kExtraData) {
    const auto len = bytes.u32le(pos + 4);
    if (!len) return partial("the space ends inside the archive extra data record");
    pos += 8 + *len;
  }
  const std::uint64_t cd_start = pos;
  std::uint64_t entries = 0;
  while (bytes.u32le(pos) == kCentral) {
    const auto h = bytes.view(pos, 46);
    if (h.size() < 46 || pos + 46 > end) return partial("the space ends inside the central directory");
    auto u16 = [&](int o) { return static_cast<std::uint16_t>(h[o] | h[o + 1] << 8); };
    auto u32 = [&](int o) {
      return static_cast<std::uint32_t>(h[o]) | static_cast<std::uint32_t>(h[o + 1]) << 8 |
             static_cast<std::uint32_t>(h[o + 2]) << 16 | static_cast<std::uint32_t>(h[o + 3]) << 24;
    };
    const std::uint16_t name_len = u16(28), extra_len = u16(30), comment_len = u16(32);
    const std::uint32_t csize = u32(20), usize = u32(24), offset32 = u32(42);
    const std::uint64_t next = pos + 46 + name_len + extra_len + comment_len;
    if (next > end) return partial("the space ends inside the central directory");
    Zip64Fields z64{usize, csize, offset32};
    read_zip64(bytes, pos + 46 + name_len, extra_len, z64, usize == 0xFFFFFFFFu, csize == 0xFFFFFFFFu, offset32 == 0xFFFFFFFFu);
    // The entry must name one of the local headers walked, with the same name length.
    const auto it = std::lower_bound(locals.begin(), locals.end(), z64.offset,
                                     [](const Local& l, std::uint64_t o) { return l.offset < o; });
    if (it == locals.end() || it->offset != z64.offset || it->name_len != name_len) {
      return partial("a central directory entry points at no local header");
    }
    ++entries;
    pos = next;
  }
  const std::uint64_t cd_size = pos - cd_start;
  if (entries == 0) return partial("no central directory after the local entries");
  if (bytes.u32le(pos) == kSignature) {
    const auto len = bytes.u16le(pos + 4);
    if (!len) return partial("the space ends inside the directory signature");
    pos += 6 + *len;
  }

  // ZIP64 end record and locator, then the classic end record.
  std::uint64_t z64_entries = 0, z64_size = 0, z64_offset = 0;
  bool have64 = false;
  if (bytes.u32le(pos) == kEnd64) {
    const auto rec = bytes.u64le(pos + 4);
    const auto n = bytes.u64le(pos + 32), size = bytes.u64le(pos + 40), off = bytes.u64le(pos + 48);
    if (!rec || !n || !size || !off || *rec < 44 || *rec > end) return partial("bad ZIP64 end of central directory record");
    const std::uint64_t locator = pos + 12 + *rec;
    if (bytes.u32le(locator) != kLocator64 || bytes.u64le(locator + 8) != pos) return partial("bad ZIP64 end of central directory locator");
    z64_entries = *n;
    z64_size = *size;
    z64_offset = *off;
    have64 = true;
    pos = locator + 20;
  }
  const auto e = bytes.view(pos, 22);
  if (e.size() < 22 || bytes.u32le(pos) != kEnd) return partial("no end of central directory record");
  auto u16 = [&](int o) { return static_cast<std::uint16_t>(e[o] | e[o + 1] << 8); };
  auto u32 = [&](int o) {
    return static_cast<std::uint32_t>(e[o]) | static_cast<std::uint32_t>(e[o + 1]) << 8 |
           static_cast<std::uint32_t>(e[o + 2]) << 16 | static_cast<std::uint32_t>(e[o + 3]) << 24;
  };
  const std::uint16_t disk = u16(4), cd_disk = u16(6), on_disk = u16(8), total = u16(10), comment_len = u16(20);
  const std::uint32_t size32 = u32(12), offset32 = u32(16);
  const std::uint64_t total_entries = (total == 0xFFFF && have64) ? z64_entries : total;
  const std::uint64_t stated_size = (size32 == 0xFFFFFFFFu && have64) ? z64_size : size32;
  const std::uint64_t stated_offset = (offset32 == 0xFFFFFFFFu && have64) ? z64_offset : offset32;
  if ((disk != 0 && disk != 0xFFFF) || (cd_disk != 0 && cd_disk != 0xFFFF) || on_disk != total) {
    return partial("a multi-disk (split) archive");
  }
  // A ZIP64 record, when present, must agree too.
  if (have64 && (z64_entries != entries || z64_size != cd_size || z64_offset != cd_start)) {
    return partial("ZIP64 end record disagrees with the central directory");
  }
  if ((total_entries & 0xFFFF) != (entries & 0xFFFF) || stated_size != cd_size || stated_offset != cd_start) {
    return partial("end of central directory disagrees with the central directory");
  }
  const std::uint64_t item_end = pos + 22 + comment_len;
  if (item_end > end) return partial("the space ends inside the archive comment");
  return finish(Status::complete, item_end, {});
}

}  // namespace ferret::carve::formats
