// A tiny zip writer for tests: stored and deflate members, data descriptors, ZIP64 records, and
// deliberate damage (wrong CRC, lying sizes, an encryption flag). No zlib needed: a deflate member
// is either given compressed bytes or written as deflate "stored" blocks.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferret::test {

// CRC-32 (IEEE 802.3, as zip and gzip use it).
inline std::uint32_t crc32_of(std::string_view data) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xffffffffu;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

// Raw deflate made of stored blocks (BTYPE 00): valid deflate data that any inflater reads.
inline std::string deflate_stored_blocks(std::string_view data) {
  std::string out;
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min<std::size_t>(data.size() - pos, 65535);
    const bool last = pos + n == data.size();
    out.push_back(static_cast<char>(last ? 1 : 0));  // BFINAL, BTYPE 00, then byte-aligned
    out.push_back(static_cast<char>(n & 0xff));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(~n & 0xff));
    out.push_back(static_cast<char>((~n >> 8) & 0xff));
    out.append(data.substr(pos, n));
    pos += n;
  } while (pos < data.size());
  return out;
}

// One member, described by chained calls: ZipEntry("a.md5", text).deflated().with_descriptor().
struct ZipEntry {
  ZipEntry(std::string member_name, std::string content) : name(std::move(member_name)), data(std::move(content)) {}

  // Deflate: `raw` is the raw deflate of the data (empty: deflate stored blocks are made).
  ZipEntry& deflated(std::string raw = {}) {
    method = 8;
    compressed = std::move(raw);
    return *this;
  }
  // Another method id with its payload as is (to test refusal).
  ZipEntry& with_method(std::uint16_t id, std::string payload) {
    method = id;
    compressed = std::move(payload);
    return *this;
  }
  ZipEntry& with_descriptor() {
    data_descriptor = true;
    return *this;
  }
  ZipEntry& as_zip64(bool on = true) {
    zip64 = on;
    return *this;
  }
  ZipEntry& with_flags(std::uint16_t flags) {
    extra_flags = flags;
    return *this;
  }
  ZipEntry& directory_says_crc(std::uint32_t crc) {
    directory_crc = crc;
    return *this;
  }
  ZipEntry& directory_says_size(std::uint64_t size) {
    directory_size = size;
    return *this;
  }
  ZipEntry& directory_says_compressed_size(std::uint64_t size) {
    directory_compressed_size = size;
    return *this;
  }

  std::string name;
  std::string data;                 // uncompressed content
  std::uint16_t method = 0;         // 0 stored, 8 deflate (or anything, to test refusal)
  std::string compressed;           // the payload for method != 0 (deflate: empty means stored blocks)
  bool data_descriptor = false;     // sizes and CRC after the data, zeros in the local header
  bool zip64 = false;               // ZIP64 extra fields for sizes and offset
  std::uint16_t extra_flags = 0;    // e.g. 1: marked as encrypted
  std::optional<std::uint32_t> directory_crc;   // a different CRC-32 in the central directory
  std::optional<std::uint64_t> directory_size;  // a different uncompressed size in the directory
  std::optional<std::uint64_t> directory_compressed_size;
};

class ZipWriter {
 public:
  void add(ZipEntry entry) { entries_.push_back(std::move(entry)); }

  // The whole archive. `zip64_end`: ZIP64 end record and locator, with the classic end record's
  // fields set to all ones.
  std::string finish(bool zip64_end = false) const {
    std::string out, directory;
    for (const ZipEntry& e : entries_) {
      const std::string payload = e.method == 8 ? (e.compressed.empty() ? deflate_stored_blocks(e.data) : e.compressed)
                                                : (e.method == 0 ? e.data : e.compressed);
      const std::uint32_t crc = crc32_of(e.data);
      const std::uint64_t offset = out.size();
      const std::uint16_t flags = static_cast<std::uint16_t>((e.data_descriptor ? 0x08 : 0) | e.extra_flags);
      const std::uint16_t needed = e.zip64 ? 45 : 20;
      // Local header.
      std::string local_extra;
      if (e.zip64) {
        put16(local_extra, 0x0001);
        put16(local_extra, 16);
        put64(local_extra, e.data_descriptor ? 0 : e.data.size());
        put64(local_extra, e.data_descriptor ? 0 : payload.size());
      }
      put32(out, 0x04034b50);
      put16(out, needed);
      put16(out, flags);
      put16(out, e.method);
      put16(out, 0);
      put16(out, 0x21);
      put32(out, e.data_descriptor ? 0 : crc);
      put32(out, e.zip64 ? 0xffffffffu : e.data_descriptor ? 0 : static_cast<std::uint32_t>(payload.size()));
      put32(out, e.zip64 ? 0xffffffffu : e.data_descriptor ? 0 : static_cast<std::uint32_t>(e.data.size()));
      put16(out, static_cast<std::uint16_t>(e.name.size()));
      put16(out, static_cast<std::uint16_t>(local_extra.size()));
      out += e.name;
      out += local_extra;
      out += payload;
      if (e.data_descriptor) {
        put32(out, 0x08074b50);
        put32(out, crc);
        if (e.zip64) {
          put64(out, payload.size());
          put64(out, e.data.size());
        } else {
          put32(out, static_cast<std::uint32_t>(payload.size()));
          put32(out, static_cast<std::uint32_t>(e.data.size()));
        }
      }
      // Its central directory entry.
      const std::uint64_t size = e.directory_size.value_or(e.data.size());
      const std::uint64_t csize = e.directory_compressed_size.value_or(payload.size());
      std::string extra;
      if (e.zip64) {
        put16(extra, 0x0001);
        put16(extra, 24);
        put64(extra, size);
        put64(extra, csize);
        put64(extra, offset);
      }
      put32(directory, 0x02014b50);
      put16(directory, static_cast<std::uint16_t>(0x0300 | needed));
      put16(directory, needed);
      put16(directory, flags);
      put16(directory, e.method);
      put16(directory, 0);
      put16(directory, 0x21);
      put32(directory, e.directory_crc.value_or(crc));
      put32(directory, e.zip64 ? 0xffffffffu : static_cast<std::uint32_t>(csize));
      put32(directory, e.zip64 ? 0xffffffffu : static_cast<std::uint32_t>(size));
      put16(directory, static_cast<std::uint16_t>(e.name.size()));
      put16(directory, static_cast<std::uint16_t>(extra.size()));
      put16(directory, 0);
      put16(directory, 0);
      put16(directory, 0);
      put32(directory, 0);
      put32(directory, e.zip64 ? 0xffffffffu : static_cast<std::uint32_t>(offset));
      directory += e.name;
      directory += extra;
    }
    const std::uint64_t cd_offset = out.size();
    out += directory;
    if (zip64_end) {
      const std::uint64_t z64 = out.size();
      put32(out, 0x06064b50);
      put64(out, 44);
      put16(out, 45);
      put16(out, 45);
      put32(out, 0);
      put32(out, 0);
      put64(out, entries_.size());
      put64(out, entries_.size());
      put64(out, directory.size());
      put64(out, cd_offset);
      put32(out, 0x07064b50);
      put32(out, 0);
      put64(out, z64);
      put32(out, 1);
    }
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, zip64_end ? 0xffff : static_cast<std::uint16_t>(entries_.size()));
    put16(out, zip64_end ? 0xffff : static_cast<std::uint16_t>(entries_.size()));
    put32(out, zip64_end ? 0xffffffffu : static_cast<std::uint32_t>(directory.size()));
    put32(out, zip64_end ? 0xffffffffu : static_cast<std::uint32_t>(cd_offset));
    put16(out, 0);
    return out;
  }

 private:
  static void put16(std::string& s, std::uint64_t v) {
    for (int i = 0; i < 2; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  static void put32(std::string& s, std::uint64_t v) {
    for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  static void put64(std::string& s, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }

  std::vector<ZipEntry> entries_;
};

}  // namespace ferret::test
