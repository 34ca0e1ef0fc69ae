// Ogg validator: pages with their CRC-32s, every logical stream followed from BOS to EOS, chains.
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "carve/formats/formats.h"

namespace ferret::carve::formats {

namespace {

// Ogg's CRC-32: polynomial 0x04C11DB7 fed MSB first, initial value 0, no final xor (not zlib's).
constexpr std::array<std::uint32_t, 256> make_ogg_crc_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t r = i << 24;
    for (int k = 0; k < 8; ++k) r = (r & 0x80000000u) ? (r << 1) ^ 0x04C11DB7u : r << 1;
    t[i] = r;
  }
  return t;
}
constexpr auto kCrcTable = make_ogg_crc_table();

// Slicing-by-8: kSlices[k][b] is the CRC of byte b followed by k zero bytes (every page of a
// file is checked, so this runs over all of it).
using Slices = std::array<std::array<std::uint32_t, 256>, 8>;
constexpr Slices make_slices() {
  Slices t{};
  t[0] = make_ogg_crc_table();
  for (std::size_t k = 1; k < 8; ++k) {
    for (unsigned b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] << 8) ^ t[0][t[k - 1][b] >> 24];
  }
  return t;
}
constexpr Slices kSlices = make_slices();

std::uint32_t ogg_crc(std::uint32_t crc, const std::uint8_t* p, std::size_t n) {
  for (; n >= 8; n -= 8, p += 8) {
    crc = kSlices[7][p[0] ^ (crc >> 24)] ^ kSlices[6][p[1] ^ ((crc >> 16) & 0xFF)] ^ kSlices[5][p[2] ^ ((crc >> 8) & 0xFF)] ^
          kSlices[4][p[3] ^ (crc & 0xFF)] ^ kSlices[3][p[4]] ^ kSlices[2][p[5]] ^ kSlices[1][p[6]] ^ kSlices[0][p[7]];
  }
  for (; n > 0; --n, ++p) crc = (crc << 8) ^ kCrcTable[((crc >> 24) ^ *p) & 0xFF];
  return crc;
}

constexpr std::size_t kHeader = 27;
constexpr std::uint8_t kContinued = 0x01, kBos = 0x02, kEos = 0x04;
constexpr std::uint64_t kSector = 512;
// More logical streams than this in one chain is not a media file.
constexpr std::size_t kMaxStreams = 256;

struct Page {
  std::uint8_t flags = 0;
  std::uint32_t serial = 0, sequence = 0;
  std::uint64_t size = 0;
  std::string first_packet;  // the first bytes of the page's data (BOS pages only)
};

enum class PageError { none, not_a_page, beyond_space, bad_crc };

// Reads and checks the page at `pos`: header fields, segment table, and the CRC over all of it.
PageError read_page(Bytes& bytes, std::uint64_t pos, Page& page) {
  const auto head = bytes.view(pos, kHeader + 255);
  if (head.size() < kHeader) return head.size() >= 4 && std::memcmp(head.data(), "OggS", 4) == 0 ? PageError::beyond_space : PageError::not_a_page;
  if (std::memcmp(head.data(), "OggS", 4) != 0 || head[4] != 0) return PageError::not_a_page;
  page.flags = head[5];
  if (page.flags & ~0x07) return PageError::not_a_page;  // undefined header-type bits
  page.serial = static_cast<std::uint32_t>(head[14] | head[15] << 8 | head[16] << 16) | static_cast<std::uint32_t>(head[17]) << 24;
  page.sequence = static_cast<std::uint32_t>(head[18] | head[19] << 8 | head[20] << 16) | static_cast<std::uint32_t>(head[21]) << 24;
  const std::size_t segments = head[26];
  if (head.size() < kHeader + segments) return PageError::beyond_space;
  std::uint64_t body = 0;
  for (std::size_t i = 0; i < segments; ++i) body += head[kHeader + i];
  page.size = kHeader + segments + body;  // at most 65307 bytes: one view holds it
  const auto all = bytes.view(pos, static_cast<std::size_t>(page.size));
  if (all.size() < page.size) return PageError::beyond_space;
  // The CRC is computed with its own field taken as zero.
  static constexpr std::uint8_t kZeros[4] = {0, 0, 0, 0};
  std::uint32_t crc = ogg_crc(0, all.data(), 22);
  crc = ogg_crc(crc, kZeros, 4);
  crc = ogg_crc(crc, all.data() + 26, all.size() - 26);
  const std::uint32_t stored =
      static_cast<std::uint32_t>(all[22] | all[23] << 8 | all[24] << 16) | static_cast<std::uint32_t>(all[25]) << 24;
  if (crc != stored) return PageError::bad_crc;
  if (page.flags & kBos) {
    const std::size_t data = kHeader + segments;
    page.first_packet.assign(reinterpret_cast<const char*>(all.data() + data),
                             static_cast<std::size_t>(std::min<std::uint64_t>(8, page.size - data)));
  }
  return PageError::none;
}

struct Stream {
  std::uint32_t serial = 0;
  std::uint32_t next_sequence = 0;
  bool ended = false;
};

// The kind of media from a BOS page's first packet; theora wins over the audio it carries.
struct Kind {
  const char* type = "ogg";
  const char* extension = "ogg";
  int rank = 0;
};
Kind kind_of(const std::string& packet) {
  using namespace std::string_view_literals;
  const std::string_view p = packet;
  if (p.starts_with("\x80theora"sv)) return {"ogv", "ogv", 3};
  if (p.starts_with("OpusHead"sv)) return {"opus", "opus", 2};
  if (p.starts_with("\x7F" "FLAC"sv)) return {"oga", "oga", 2};
  if (p.starts_with("Speex   "sv)) return {"spx", "spx", 2};
  if (p.starts_with("\x01vorbis"sv)) return {"ogg", "ogg", 1};
  return {};
}

}  // namespace

Verdict validate_ogg(Bytes& bytes, const Limits& limits) {
  Verdict v;
  v.type = "ogg";
  v.extension = "ogg";
  const std::uint64_t space = std::min(bytes.size(), limits.max_item);

  Page page;
  if (read_page(bytes, 0, page) != PageError::none || !(page.flags & kBos) || (page.flags & kContinued) || page.sequence != 0) {
    v.missing = "no beginning-of-stream page with a valid CRC at the start";
    return v;
  }

  std::vector<Stream> streams;
  Kind kind;
  bool in_bos_group = true;  // a chain opens with the BOS pages of all its streams, before any data
  std::uint64_t pos = 0;
  std::string stop;  // why the walk stopped before the end of the space, if it did
  for (bool first = true;; first = false) {
    if (pos >= space) break;
    const PageError err = first ? PageError::none : read_page(bytes, pos, page);
    if (err != PageError::none) {
      if (err == PageError::bad_crc) stop = "page at offset " + std::to_string(pos) + " fails its CRC";
      else if (err == PageError::beyond_space) stop = "page at offset " + std::to_string(pos) + " runs past the end of the space";
      else stop = "no Ogg page at offset " + std::to_string(pos);
      break;
    }
    if (pos + page.size > space) {
      stop = "page at offset " + std::to_string(pos) + " runs past the item size limit";
      break;
    }
    Stream* s = nullptr;
    for (auto& st : streams) {
      if (st.serial == page.serial) s = &st;
    }
    bool all_ended = !streams.empty();
    for (const auto& st : streams) all_ended = all_ended && st.ended;
    if (page.flags & kBos) {
      if (s != nullptr && !all_ended) {
        stop = "second BOS page for stream " + std::to_string(page.serial) + " at offset " + std::to_string(pos);
        break;
      }
      if (all_ended) {
        // A new chain (a chained file): its streams replace the ended ones. Files start on sector
        // boundaries, and so does this item: a chain that starts on a 512-byte boundary of the
        // item may just as well be the next file, and is left to be carved as one.
        if (pos % kSector == 0) {
          stop = "a new chain starts on a sector boundary at offset " + std::to_string(pos);
          break;
        }
        streams.clear();
        in_bos_group = true;
      } else if (!in_bos_group) {
        stop = "BOS page after data pages at offset " + std::to_string(pos);
        break;
      }
      if (page.sequence != 0 || (page.flags & kContinued) || streams.size() >= kMaxStreams) {
        stop = "malformed BOS page at offset " + std::to_string(pos);
        break;
      }
      streams.push_back({page.serial, 1, (page.flags & kEos) != 0});
      const Kind k = kind_of(page.first_packet);
      if (k.rank > kind.rank) kind = k;
    } else {
      if (s == nullptr || s->ended) {
        // A page of a stream this item does not have: something else begins here.
        stop = "page of another stream at offset " + std::to_string(pos);
        break;
      }
      if (page.sequence != s->next_sequence) {
        stop = "page " + std::to_string(s->next_sequence) + " of stream " + std::to_string(s->serial) + " is missing";
        break;
      }
      in_bos_group = false;
      ++s->next_sequence;
      if (page.flags & kEos) s->ended = true;
    }
    pos += page.size;
  }

  v.type = kind.type;
  v.extension = kind.extension;
  v.length = pos;
  if (pos == 0) {
    v.missing = stop.empty() ? "the first page runs past the item size limit" : stop;
    return v;
  }
  bool all_ended = true;
  for (const auto& st : streams) all_ended = all_ended && st.ended;
  if (all_ended) {
    // Every stream reached its EOS page and what follows does not continue the item (a new chain
    // would have been taken in): the item ends after the last EOS page.
    v.status = Status::complete;
    return v;
  }
  v.status = Status::partial;
  v.missing = stop.empty() ? "stream not ended (no EOS page) before the end of the space" : stop + " before every stream ended";
  return v;
}

}  // namespace ferret::carve::formats
