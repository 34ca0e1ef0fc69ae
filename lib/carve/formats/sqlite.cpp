// SQLite validator: header, in-header size (page size x page count), page 1 and the schema's root pages.
#include <algorithm>
#include <string>
#include <vector>

#include "carve/formats/formats.h"

namespace ferret::carve::formats {

namespace {

Verdict verdict(Status status, std::uint64_t length, std::string missing = {}) {
  return Verdict{status, length, std::move(missing), "sqlite", "sqlite"};
}

std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
std::uint32_t be16(const std::uint8_t* p) { return static_cast<std::uint32_t>(p[0]) << 8 | p[1]; }

// A SQLite varint (1..9 bytes); returns bytes used, 0 if it does not fit.
std::size_t varint(const std::uint8_t* p, std::size_t avail, std::uint64_t& out) {
  out = 0;
  for (std::size_t i = 0; i < 9 && i < avail; ++i) {
    if (i == 8) {
      out = out << 8 | p[i];
      return 9;
    }
    out = out << 7 | (p[i] & 0x7F);
    if (!(p[i] & 0x80)) return i + 1;
  }
  return 0;
}

// A b-tree page header at `h` (offset 100 on page 1, 0 elsewhere) within a page of `usable` bytes.
bool valid_btree_header(const std::uint8_t* h, std::uint32_t usable, std::uint32_t page_count, bool table_only) {
  const std::uint8_t type = h[0];
  const bool ok_type = type == 0x0D || type == 0x05 || (!table_only && (type == 0x0A || type == 0x02));
  if (!ok_type) return false;
  const std::uint32_t freeblock = be16(h + 1), cells = be16(h + 3), fragmented = h[7];
  std::uint32_t content = be16(h + 5);
  if (content == 0) content = 65536;
  if (freeblock != 0 && (freeblock < 8 || freeblock >= usable)) return false;
  if (cells > usable / 2 || content > usable || fragmented > 60) return false;
  if (type == 0x05 || type == 0x02) {
    const std::uint32_t right = be32(h + 8);
    if (right < 2 || right > page_count) return false;
  }
  return true;
}

struct Header {
  std::uint32_t page_size, usable, page_count;
};

// Checks the root page of every table and index that page 1 (a leaf of sqlite_schema) lists.
// Returns false when one is not a b-tree page; records whose header leaves the page are skipped.
bool schema_roots_valid(Bytes& bytes, const std::uint8_t* page1, const Header& hd, std::uint64_t end) {
  const std::uint8_t* h = page1 + 100;
  if (h[0] != 0x0D) return true;  // an interior schema root: its leaves are elsewhere, skip
  const std::uint32_t cells = be16(h + 3);
  if (108 + 2 * cells > hd.usable) return false;  // the cell pointer array must fit in the page
  int checked = 0;
  for (std::uint32_t c = 0; c < cells && checked < 16; ++c) {
    const std::uint32_t cell = be16(h + 8 + 2 * c);
    if (cell < 108 || cell >= hd.usable) return false;
    std::uint64_t payload = 0, rowid = 0, header_len = 0;
    std::size_t at = cell;
    std::size_t n = varint(page1 + at, hd.usable - at, payload);
    if (n == 0) return false;
    at += n;
    n = varint(page1 + at, hd.usable - at, rowid);
    if (n == 0) return false;
    at += n;
    const std::size_t record = at;
    n = varint(page1 + at, hd.usable - at, header_len);
    if (n == 0 || header_len > hd.usable - record) continue;
    // Columns: type, name, tbl_name, rootpage, sql. Sum the first three serial types' sizes.
    std::size_t hp = at + n;
    std::uint64_t body = record + header_len, root_serial = 0;
    bool ok = true;
    for (int col = 0; col < 4 && ok; ++col) {
      std::uint64_t serial = 0;
      const std::size_t m = hp < record + header_len ? varint(page1 + hp, record + header_len - hp, serial) : 0;
      if (m == 0) { ok = false; break; }
      hp += m;
      if (col < 3) {
        if (serial < 13 || !(serial & 1)) { ok = false; break; }  // text columns
        body += (serial - 13) / 2;
      } else {
        root_serial = serial;
      }
    }
    if (!ok || root_serial < 1 || root_serial > 4) continue;  // views and triggers have rootpage 0
    const std::size_t width = root_serial == 4 ? 4 : root_serial;
    if (body + width > hd.usable) continue;
    std::uint64_t root = 0;
    for (std::size_t i = 0; i < width; ++i) root = root << 8 | page1[body + i];
    if (root == 0) continue;
    if (root > hd.page_count) return false;
    const std::uint64_t at_page = (root - 1) * hd.page_size;
    if (at_page + 12 > end) continue;  // beyond the space: the size check reports that
    const auto rv = bytes.view(at_page + (root == 1 ? 100 : 0), 12);
    if (rv.size() < 12 || !valid_btree_header(rv.data(), hd.usable, hd.page_count, false)) return false;
    ++checked;
  }
  return true;
}

// Marks the first overflow page of every cell on b-tree page `p` (header at `h`) whose payload
// spills (the arithmetic of the SQLite file format, "Cell Payload Overflow Pages").
void mark_overflow_heads(const std::uint8_t* p, std::size_t h, const Header& hd, std::vector<bool>& referenced) {
  const std::uint8_t type = p[h];
  if (type == 0x05) return;  // interior table cells hold no payload
  const std::size_t header = type == 0x02 ? 12 : 8;
  const std::uint32_t cells = be16(p + h + 3), u = hd.usable;
  if (h + header + 2ull * cells > u) return;
  const std::uint64_t max_local = type == 0x0D ? u - 35 : (u - 12) * 64 / 255 - 23;
  const std::uint64_t min_local = (u - 12) * 32 / 255 - 23;
  for (std::uint32_t c = 0; c < cells; ++c) {
    std::size_t at = be16(p + h + header + 2 * c);
    if (at >= u) continue;
    if (type == 0x02) at += 4;  // left child pointer
    std::uint64_t payload = 0, rowid = 0;
    std::size_t n = at < u ? varint(p + at, u - at, payload) : 0;
    if (n == 0) continue;
    at += n;
    if (type == 0x0D) {
      n = at < u ? varint(p + at, u - at, rowid) : 0;
      if (n == 0) continue;
      at += n;
    }
    if (payload <= max_local) continue;
    const std::uint64_t k = min_local + (payload - min_local) % (u - 4);
    const std::uint64_t local = k <= max_local ? k : min_local;
    if (at + local + 4 > u) continue;
    const std::uint32_t first = be32(p + at + local);
    if (first >= 1 && first <= hd.page_count) referenced[first] = true;
  }
}

// Every page must be one of the database's: a b-tree page has a sane header; an overflow page or a
// freelist trunk starts with a page number (or 0) of this database; an all-zero page is real only
// when a cell or an overflow chain points at it (a blob of zeros). Freelist leaves (and, with
// auto-vacuum, pointer-map pages) may hold anything, so that many pages are allowed to be none of
// these. Returns the first page beyond that allowance: a fragmented file's gap holds another file.
std::optional<std::uint32_t> first_foreign_page(Bytes& bytes, const std::uint8_t* page1, const Header& hd,
                                                std::uint32_t freelist, bool autovacuum) {
  std::uint64_t allowance = freelist;
  if (autovacuum) allowance += hd.page_count / (hd.usable / 5 + 1) + 2;
  const std::uint64_t lock_page = (1ull << 30) / hd.page_size + 1;  // holds no data
  // One bit per page: bounded by the bytes present (page_count x page_size is inside the space).
  std::vector<bool> referenced(static_cast<std::size_t>(hd.page_count) + 1, false);
  std::vector<std::uint32_t> zero_pages;
  mark_overflow_heads(page1, 100, hd, referenced);
  auto unexplained = [&]() { return allowance-- == 0; };
  for (std::uint32_t page = 2; page <= hd.page_count && page != 0; ++page) {
    if (page == lock_page) continue;
    const std::uint64_t at = static_cast<std::uint64_t>(page - 1) * hd.page_size;
    const auto v = bytes.view(at, hd.page_size);
    if (v.size() < hd.page_size) return page;
    if (valid_btree_header(v.data(), hd.usable, hd.page_count, false)) {
      mark_overflow_heads(v.data(), 0, hd, referenced);
      continue;
    }
    const std::uint32_t next = be32(v.data());
    if (next != 0 && next <= hd.page_count) {
      referenced[next] = true;
      continue;
    }
    if (next == 0) {
      // The last page of an overflow chain is "0 then data"; if the data is zeros too, it is real
      // only when something points at it, which may come later in the file.
      if (!std::all_of(v.begin() + 4, v.end(), [](std::uint8_t c) { return c == 0; })) continue;
      zero_pages.push_back(page);
      continue;
    }
    if (unexplained()) return page;
  }
  for (std::uint32_t page : zero_pages) {
    if (!referenced[page] && unexplained()) return page;
  }
  return std::nullopt;
}

// Trailing zeros are not proven to belong to a database whose end is missing.
std::uint64_t trim_zeros(Bytes& bytes, std::uint64_t from, std::uint64_t to) {
  while (to > from) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(65536, to - from));
    const auto v = bytes.view(to - want, want);
    if (v.size() < want) return to;
    std::size_t k = v.size();
    while (k > 0 && v[k - 1] == 0) --k;
    if (k > 0) return to - want + k;
    to -= want;
  }
  return to;
}

}  // namespace

Verdict validate_sqlite(Bytes& bytes, const Limits& limits) {
  const std::uint64_t end = std::min(bytes.size(), limits.max_item);
  const auto hv = bytes.view(0, 100);
  if (hv.size() < 100 || !bytes.matches(0, std::string_view("SQLite format 3\0", 16))) return verdict(Status::rejected, 0, "no SQLite header");
  const std::uint8_t* p = hv.data();
  std::uint32_t page_size = be16(p + 16);
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) return verdict(Status::rejected, 0, "not SQLite: bad page size");
  if (p[18] < 1 || p[18] > 2 || p[19] < 1 || p[19] > 2) return verdict(Status::rejected, 0, "not SQLite: bad file format versions");
  if (p[21] != 64 || p[22] != 32 || p[23] != 32) return verdict(Status::rejected, 0, "not SQLite: bad payload fractions");
  const std::uint32_t reserved = p[20];
  if (page_size - reserved < 480) return verdict(Status::rejected, 0, "not SQLite: too many reserved bytes");
  const std::uint32_t change_counter = be32(p + 24), page_count = be32(p + 28), valid_for = be32(p + 92);
  const std::uint32_t schema_format = be32(p + 44), encoding = be32(p + 56);
  if (schema_format > 4 || encoding > 3) return verdict(Status::rejected, 0, "not SQLite: bad schema format or encoding");
  const Header hd{page_size, page_size - reserved, page_count};

  // Page 1 holds the header and the root of sqlite_schema.
  const auto page1 = bytes.view(0, std::min<std::uint64_t>(page_size, end));
  if (page1.size() < page_size) return verdict(Status::partial, trim_zeros(bytes, 100, std::min<std::uint64_t>(end, page_size)), "the space ends inside page 1");
  // The view is copied: the root-page checks read other views.
  const std::vector<std::uint8_t> first(page1.begin(), page1.end());
  if (!valid_btree_header(first.data() + 100, hd.usable, page_count ? page_count : 0xFFFFFFFFu, true)) {
    return verdict(Status::rejected, 0, "not SQLite: page 1 is not a table b-tree page");
  }
  const bool size_valid = page_count != 0 && valid_for == change_counter;
  if (!size_valid) {
    // Before 3.7.0 the in-header size was not kept: the end cannot be proven from the header.
    return verdict(Status::partial, page_size, "the in-header database size is not valid");
  }
  if (!schema_roots_valid(bytes, first.data(), hd, end)) return verdict(Status::partial, page_size, "a schema root page is not a b-tree page");
  const std::uint64_t length = static_cast<std::uint64_t>(page_size) * page_count;
  if (length > end) return verdict(Status::partial, trim_zeros(bytes, page_size, end), "the space ends before the last page");
  // Every page must look like one of the database's (a fragmented file's gap holds another file).
  const std::uint32_t freelist = be32(p + 36), autovacuum_root = be32(p + 52);
  if (const auto bad = first_foreign_page(bytes, first.data(), hd, freelist, autovacuum_root != 0)) {
    return verdict(Status::partial, static_cast<std::uint64_t>(*bad - 1) * page_size, "a page that is neither a b-tree, overflow nor free page");
  }
  return verdict(Status::complete, length);
}

}  // namespace ferret::carve::formats
