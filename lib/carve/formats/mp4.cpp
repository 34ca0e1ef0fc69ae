// ISO BMFF validator (MP4, MOV, 3GP, M4A/M4V, HEIF): top-level boxes from ftyp to the first bytes
// that are not a known box, then the index (moov sample tables, fragments, HEIF item locations)
// checked against the media data the item really holds.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "carve/formats/formats.h"
#include "carve/formats/mp3_boundary.h"
#include "carve/formats/mp4_box.h"
#include "carve/formats/mp4_movie.h"

namespace ferret::carve::formats {

namespace {

using mp4::Box;
using mp4::fourcc;

// Box types that may stand at the top level of an ISO BMFF or QuickTime file (ISO/IEC 14496-12
// section 4.2's list, QuickTime's wide/pnot/PICT, and udta, which some writers put at the top).
constexpr std::uint32_t kTopLevel[] = {
    fourcc("ftyp"), fourcc("pdin"), fourcc("moov"), fourcc("moof"), fourcc("mfra"), fourcc("mdat"),
    fourcc("free"), fourcc("skip"), fourcc("meta"), fourcc("meco"), fourcc("uuid"), fourcc("styp"),
    fourcc("sidx"), fourcc("ssix"), fourcc("prft"), fourcc("emsg"), fourcc("wide"), fourcc("pnot"),
    fourcc("PICT"), fourcc("udta"), fourcc("idat"),
};

bool top_level(std::uint32_t type) { return std::find(std::begin(kTopLevel), std::end(kTopLevel), type) != std::end(kTopLevel); }

// Looks like some box of a type this validator does not know: alphanumeric type, sane size.
bool plausible_box(const Box& b, std::uint64_t room) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    const char c = static_cast<char>((b.type >> shift) & 0xFF);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
    if (!alnum) return false;
  }
  return !b.to_end && b.size >= 8 && b.size <= room;
}

struct Kind {
  const char* type;
  const char* extension;
  bool image;  // HEIF/AVIF: items in a meta box, no movie needed
};

Kind kind_of(std::uint32_t brand) {
  const char b0 = static_cast<char>(brand >> 24), b1 = static_cast<char>(brand >> 16), b2 = static_cast<char>(brand >> 8);
  switch (brand) {
    case fourcc("qt  "): return {"mov", "mov", false};
    case fourcc("M4A "): return {"m4a", "m4a", false};
    case fourcc("M4B "): return {"m4a", "m4b", false};
    case fourcc("M4P "): return {"m4a", "m4p", false};
    case fourcc("M4V "): case fourcc("M4VH"): case fourcc("M4VP"): return {"m4v", "m4v", false};
    case fourcc("heic"): case fourcc("heix"): case fourcc("heim"): case fourcc("heis"): case fourcc("mif1"):
    case fourcc("msf1"): case fourcc("hevc"): case fourcc("hevx"): return {"heic", "heic", true};
    case fourcc("avif"): case fourcc("avis"): return {"avif", "avif", true};
    case fourcc("crx "): return {"cr3", "cr3", false};
    case fourcc("f4v "): return {"f4v", "f4v", false};
    default: break;
  }
  if (b0 == '3' && b1 == 'g' && b2 == '2') return {"3gp", "3g2", false};
  if (b0 == '3' && b1 == 'g') return {"3gp", "3gp", false};
  return {"mp4", "mp4", false};
}

// Padding and still-image data looked at for another file's start (stills and padding are small
// next to this; beyond it, the look is skipped).
constexpr std::uint64_t kMaxScan = 256u << 20;

// Where the top-level walk stopped.
enum class Stop {
  not_a_box,      // bytes that are no box (or another file's ftyp): the item ended before them
  unknown_box,    // something box-like of an unknown type: cannot tell whether it belongs
  end_of_space,   // the space ends exactly after the last box
  past_space,     // a box claims more bytes than the space has
  to_end,         // a box with size 0 ("to the end of the file"): its end cannot be proven
  limit,          // the item would exceed Limits::max_item
  too_many,       // more boxes than this validator keeps track of
};

// HEIF item types by item id, from iinf's infe entries (versions 2 and 3 carry a type).
std::vector<std::pair<std::uint32_t, std::uint32_t>> item_types(Bytes& bytes, const std::optional<Box>& iinf) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  if (!iinf) return out;
  const auto version = bytes.u8(iinf->payload());
  if (!version) return out;
  std::string ignored;
  mp4::walk_children(
      bytes, *iinf,
      [&](const Box& infe) {
        if (infe.type != fourcc("infe") || out.size() >= 65536) return true;
        const auto v = bytes.u8(infe.payload());
        if (v == 2) {
          const auto id = bytes.u16be(infe.payload() + 4);
          const auto type = bytes.u32be(infe.payload() + 8);
          if (id && type) out.emplace_back(*id, *type);
        } else if (v == 3) {
          const auto id = bytes.u32be(infe.payload() + 4);
          const auto type = bytes.u32be(infe.payload() + 10);
          if (id && type) out.emplace_back(*id, *type);
        }
        return true;
      },
      ignored, iinf->payload() + (*version == 0 ? 6 : 8));
  return out;
}

std::uint32_t type_of(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& types, std::uint64_t id) {
  for (const auto& [item, type] : types) {
    if (item == id) return type;
  }
  return 0;
}

// The NAL length field size of the (first) hvcC property; HEIF images of one file share it.
unsigned hevc_length_size(Bytes& bytes, const std::optional<Box>& iprp) {
  if (!iprp) return 0;
  unsigned found = 0;
  std::string ignored;
  mp4::walk_children(
      bytes, *iprp,
      [&](const Box& ipco) {
        if (ipco.type != fourcc("ipco")) return true;
        mp4::walk_children(
            bytes, ipco,
            [&](const Box& p) {
              if (p.type != fourcc("hvcC") || p.payload_size() < 22) return true;
              if (const auto b = bytes.u8(p.payload() + 21)) found = (*b & 3) + 1u;
              return false;
            },
            ignored);
        return false;
      },
      ignored);
  return found == 3 ? 0 : found;
}

// HEIF: the meta box's item locations (iloc) must lie inside the item's mdat or the meta's idat.
bool check_items(Bytes& bytes, const Box& meta, const mp4::MediaData& mdat, std::uint64_t& items, std::string& why) {
  auto fail = [&](std::string message) {
    why = std::move(message);
    return false;
  };
  // meta is a full box: version and flags before its children.
  std::optional<Box> iloc, idat, iinf, iprp;
  if (meta.payload_size() < 4) return fail("short meta box");
  const bool tiled = mp4::walk_children(
      bytes, meta,
      [&](const Box& c) {
        if (c.type == fourcc("iloc")) iloc = c;
        if (c.type == fourcc("idat")) idat = c;
        if (c.type == fourcc("iinf")) iinf = c;
        if (c.type == fourcc("iprp")) iprp = c;
        return true;
      },
      why, meta.payload() + 4);
  if (!tiled) return false;
  if (!iloc) return fail("meta box has no item locations (iloc)");
  // Coded image items (HEVC, AV1) are checked NAL unit by NAL unit, OBU by OBU.
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> types = item_types(bytes, iinf);
  const unsigned nal_size = hevc_length_size(bytes, iprp);
  mp4::TableReader r(bytes, iloc->payload(), iloc->end());
  std::uint32_t vf = 0;
  std::uint8_t sizes1 = 0, sizes2 = 0;
  if (!r.u32(vf) || !r.u8(sizes1) || !r.u8(sizes2)) return fail("short iloc");
  const unsigned version = vf >> 24;
  if (version > 2) return fail("unknown iloc version");
  const unsigned offset_size = sizes1 >> 4, length_size = sizes1 & 15, base_size = sizes2 >> 4;
  const unsigned index_size = version >= 1 ? (sizes2 & 15) : 0;
  auto valid_width = [](unsigned w) { return w == 0 || w == 4 || w == 8; };
  if (!valid_width(offset_size) || !valid_width(length_size) || !valid_width(base_size) || !valid_width(index_size)) {
    return fail("bad iloc field sizes");
  }
  auto field = [&](unsigned width, std::uint64_t& out) {
    out = 0;
    return width == 0 || r.uint(width, out);
  };
  std::uint64_t count = 0;
  if (!r.uint(version < 2 ? 2 : 4, count)) return fail("short iloc");
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t id = 0, method = 0, dref = 0, base = 0, extents = 0;
    if (!r.uint(version < 2 ? 2 : 4, id)) return fail("short iloc");
    if (version >= 1) {
      if (!r.uint(2, method)) return fail("short iloc");
      method &= 15;
    }
    if (!r.uint(2, dref) || !field(base_size, base) || !r.uint(2, extents)) return fail("short iloc");
    for (std::uint64_t e = 0; e < extents; ++e) {
      std::uint64_t index = 0, offset = 0, length = 0;
      if (!field(index_size, index) || !field(offset_size, offset) || !field(length_size, length)) return fail("short iloc");
      if (dref != 0 || method == 2) continue;  // in another file, or inside another item
      const std::uint64_t pos = base + offset;
      if (pos < base) return fail("iloc offset overflows");
      if (method == 0 && !mdat.holds(pos, length)) {
        return fail("item " + std::to_string(id) + " lies outside the item's media data (offset " + std::to_string(pos) + ")");
      }
      if (method == 0 && extents == 1 && length > 0) {
        const std::uint32_t type = type_of(types, id);
        if (type == fourcc("hvc1") && nal_size != 0 && !mp4::nal_units_fill(bytes, pos, length, nal_size, true)) {
          return fail("HEVC data of item " + std::to_string(id) + " is damaged (offset " + std::to_string(pos) + ")");
        }
        if (type == fourcc("av01") && !mp4::obus_fill(bytes, pos, length)) {
          return fail("AV1 data of item " + std::to_string(id) + " is damaged (offset " + std::to_string(pos) + ")");
        }
      }
      if (method == 1 && (!idat || pos > idat->payload_size() || length > idat->payload_size() - pos)) {
        return fail("item " + std::to_string(id) + " lies outside the meta's idat");
      }
    }
    ++items;
  }
  if (r.remaining() != 0) return fail("iloc has bytes after its items");
  return true;
}

}  // namespace

Verdict validate_mp4(Bytes& bytes, const Limits& limits) {
  Verdict v;
  v.type = "mp4";
  v.extension = "mp4";
  const std::uint64_t space = std::min(bytes.size(), limits.max_item);

  // ftyp first: major brand, minor version, compatible brands, all printable four-character codes.
  const auto ftyp = mp4::read_box(bytes, 0, bytes.size());
  if (!ftyp || ftyp->type != fourcc("ftyp") || ftyp->to_end || ftyp->header != 8 || ftyp->size < 16 ||
      ftyp->size > 4096 || (ftyp->size - 16) % 4 != 0) {
    v.missing = "no well-formed ftyp box at the start";
    return v;
  }
  const auto brands = bytes.view(8, static_cast<std::size_t>(ftyp->size - 8));
  if (brands.size() != ftyp->size - 8) {
    v.missing = "ftyp cannot be read";
    return v;
  }
  for (std::size_t i = 0; i < brands.size(); ++i) {
    const bool version_field = i >= 4 && i < 8;  // the minor version is a number
    if (!version_field && (brands[i] < 0x20 || brands[i] > 0x7E)) {
      v.missing = "ftyp brands are not four-character codes";
      return v;
    }
  }
  const std::uint32_t major = static_cast<std::uint32_t>(brands[0]) << 24 | static_cast<std::uint32_t>(brands[1]) << 16 |
                              static_cast<std::uint32_t>(brands[2]) << 8 | brands[3];
  const Kind kind = kind_of(major);
  v.type = kind.type;
  v.extension = kind.extension;
  if (ftyp->size > space) {
    v.missing = "ftyp runs past the item size limit";
    return v;
  }

  // The top-level walk: skip from box to box; nothing inside is read here.
  std::vector<Box> moovs, metas, mfras, moofs, mdat_boxes, sidxs, padding;
  mp4::MediaData mdat;
  std::uint64_t first_media = UINT64_MAX;  // the first mdat/moof: where unchecked claims begin
  std::uint64_t last_mdat = 0;             // the start of the last mdat
  std::uint64_t pos = ftyp->end();
  Stop stop = Stop::end_of_space;
  std::string stop_type;
  constexpr std::size_t kMaxBoxes = 1u << 20;  // bounds memory whatever the bytes claim
  std::size_t boxes = 0;
  for (;;) {
    if (pos == bytes.size()) {
      stop = Stop::end_of_space;
      break;
    }
    const auto box = mp4::read_box_header(bytes, pos, bytes.size());
    if (!box || box->type == fourcc("ftyp") || !top_level(box->type)) {
      // A second ftyp starts another file; anything else that is not a known box ends the item too,
      // unless it looks like a box of some other type (then it might belong).
      stop = box && box->type != fourcc("ftyp") && plausible_box(*box, bytes.size() - pos) ? Stop::unknown_box : Stop::not_a_box;
      if (box) stop_type = mp4::fourcc_name(box->type);
      break;
    }
    if (++boxes > kMaxBoxes) {
      stop = Stop::too_many;
      break;
    }
    if (box->to_end) {
      stop = Stop::to_end;
      stop_type = mp4::fourcc_name(box->type);
      if (box->type == fourcc("mdat")) mdat.add(box->payload(), box->end());
      break;
    }
    if (box->size > bytes.size() - pos) {
      stop = Stop::past_space;
      stop_type = mp4::fourcc_name(box->type);
      break;
    }
    if (box->size > space - std::min(space, pos)) {
      stop = Stop::limit;
      break;
    }
    switch (box->type) {
      case fourcc("moov"): moovs.push_back(*box); break;
      case fourcc("meta"): metas.push_back(*box); break;
      case fourcc("mfra"): mfras.push_back(*box); break;
      case fourcc("sidx"):
        if (sidxs.size() < 16) sidxs.push_back(*box);
        break;
      case fourcc("moof"):
        moofs.push_back(*box);
        first_media = std::min(first_media, box->start);
        break;
      case fourcc("free"):
      case fourcc("skip"):
        if (padding.size() < 16) padding.push_back(*box);
        break;
      case fourcc("mdat"):
        mdat.add(box->payload(), box->end());
        if (mdat_boxes.size() < 16) mdat_boxes.push_back(*box);
        last_mdat = box->start;
        first_media = std::min(first_media, box->start);
        break;
      default: break;
    }
    pos = box->end();
  }
  const std::uint64_t walked = pos;  // the end of the last whole box

  v.status = Status::partial;
  // Until the index has vouched for the media data, only what comes before it is proven.
  v.length = std::min(walked, first_media);
  auto partial = [&](std::string why) {
    v.missing = std::move(why);
    return v;
  };

  // The index: a movie (moov), or for HEIF images the item locations in meta.
  mp4::Movie movie;
  std::string why;
  std::uint64_t items = 0;
  if (moovs.size() > 1) return partial("two moov boxes");
  if (moovs.empty()) {
    if (!kind.image || metas.empty()) {
      if (stop == Stop::past_space) return partial("the " + stop_type + " box runs past the end of the space and no moov box was found");
      return partial("no moov box (the index) in the item");
    }
  } else {
    if (!mp4::check_movie(bytes, moovs.front(), mdat, movie, why)) {
      v.length = std::min(v.length, moovs.front().start);
      return partial(why);
    }
  }
  if (kind.image && !metas.empty()) {
    if (!check_items(bytes, metas.front(), mdat, items, why)) {
      v.length = std::min(v.length, metas.front().start);
      return partial(why);
    }
    // A still's coded data is one NAL unit or OBU whose insides nothing checks: when the file lost
    // its tail, the next file often starts inside what the mdat claims. Stills are small.
    for (const Box& m : mdat_boxes) {
      if (const auto foreign = file_start_inside(bytes, m.payload(), m.end(), kMaxScan)) {
        v.length = std::min(v.length, *foreign);
        return partial("another file starts on a sector boundary inside the image data, at offset " + std::to_string(*foreign));
      }
    }
  }

  // Movie fragments: each one's runs inside the media data, sequence numbers counting up.
  std::uint64_t fragment_samples = 0;
  if (!moofs.empty() && !movie.fragmented) {
    return partial("movie fragments without mvex in moov");
  }
  std::uint32_t sequence = 0;
  for (const Box& moof : moofs) {
    if (!mp4::check_fragment(bytes, moof, movie, mdat, sequence, fragment_samples, why)) {
      v.length = moof.start;  // the fragments before it checked out
      return partial(why);
    }
  }
  bool random_access = false;
  if (!mfras.empty()) {
    std::vector<std::uint64_t> starts;
    for (const Box& m : moofs) starts.push_back(m.start);
    if (!mp4::check_random_access(bytes, mfras.back(), starts, why)) return partial(why);
    random_access = mfras.back().end() == walked;
  }
  // A segment index (DASH) gives the size of every fragment it covers: it proves the end too.
  for (const Box& sidx : sidxs) {
    if (mp4::segment_index_end(bytes, sidx) == walked) random_access = true;
  }

  // Padding (free, skip) may hold anything, so nothing inside it is checked; but a file that was
  // not where it claims (fragmented, sparse) shows as another file's start on a sector boundary.
  for (const Box& f : padding) {
    if (const auto foreign = file_start_inside(bytes, f.payload(), f.end(), kMaxScan)) {
      v.length = std::min(v.length, f.start);
      return partial("another file starts on a sector boundary inside the padding box at offset " + std::to_string(f.start));
    }
  }

  // The index vouched for the media data: every whole box walked belongs to the item.
  v.length = walked;
  switch (stop) {
    case Stop::past_space:
      return partial("the " + stop_type + " box at offset " + std::to_string(walked) + " runs past the end of the space");
    case Stop::to_end:
      return partial("the " + stop_type + " box at offset " + std::to_string(walked) + " has size 0 (to the end of the file): its end cannot be proven");
    case Stop::limit:
      return partial("the box at offset " + std::to_string(walked) + " runs past the item size limit");
    case Stop::unknown_box:
      return partial("a box of unknown type '" + stop_type + "' follows at offset " + std::to_string(walked));
    case Stop::too_many:
      return partial("more than " + std::to_string(kMaxBoxes) + " top-level boxes");
    case Stop::not_a_box:
    case Stop::end_of_space:
      break;
  }
  if (movie.samples + fragment_samples + items == 0) {
    return partial(movie.external_tracks > 0 ? "the media data is in other files (reference movie)" : "the index lists no samples");
  }
  if (mdat.empty()) return partial("no mdat box");
  if (!moofs.empty() && !random_access && !ends_cleanly_at(bytes, walked, std::max(last_mdat, moofs.back().start), "mp4")) {
    // Fragments do not say how many there are: without an mfra closing the file or a segment
    // index covering it, only zeros or another file after the last one show that none is missing.
    return partial("fragmented file without mfra or sidx: nothing shows that the last fragment is the last");
  }
  v.status = Status::complete;
  v.missing.clear();
  return v;
}

}  // namespace ferret::carve::formats
