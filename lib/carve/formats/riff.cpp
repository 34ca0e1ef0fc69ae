// RIFF validator: chunks to exactly 8 + size; AVI (with OpenDML AVIX extensions), WAV, WebP by form type.
#include <algorithm>
#include <string>

#include "carve/formats/formats.h"

namespace ferret::carve::formats {

namespace {

bool printable_id(std::span<const std::uint8_t> id) {
  return id.size() == 4 && std::all_of(id.begin(), id.end(), [](std::uint8_t c) { return c >= 0x20 && c <= 0x7E; });
}

struct Found {
  std::string first;  // the first top-level chunk id
  std::string first_list;  // its list type when it is a LIST
  bool fmt = false, data = false, movi = false;
};

struct Walked {
  bool ok = false;
  std::uint64_t proven = 0;  // end of the last chunk that checked out
  std::string why;
};

// Walks chunks in [pos, stop); LIST chunks (other than the bulky AVI 'movi') are walked inside too,
// so a damaged header list is noticed. `end` is the end of the space.
Walked walk_chunks(Bytes& bytes, std::uint64_t pos, std::uint64_t stop, std::uint64_t end, int depth, Found* found) {
  Walked w;
  w.proven = pos;
  while (pos < stop) {
    if (stop - pos < 8) {
      w.why = "chunk header does not fit in its parent";
      return w;
    }
    const auto id_view = bytes.view(pos, 4);
    if (!printable_id(id_view)) {
      w.why = pos + 8 > end ? "the space ends inside a chunk header" : "chunk id is not printable";
      return w;
    }
    const std::string id(reinterpret_cast<const char*>(id_view.data()), 4);
    const auto size = bytes.u32le(pos + 4);
    if (!size) {
      w.why = "the space ends inside a chunk header";
      return w;
    }
    const std::uint64_t data = pos + 8, next = data + *size;
    if (next > stop) {
      w.why = "chunk " + id + " runs past its parent";
      return w;
    }
    if (next > end) {
      w.why = "the space ends inside chunk " + id;
      return w;
    }
    std::string list_type;
    if (id == "LIST" || id == "RIFF") {
      const auto lt = bytes.view(data, 4);
      if (*size < 4 || !printable_id(lt)) {
        w.why = "LIST without a printable list type";
        return w;
      }
      list_type.assign(reinterpret_cast<const char*>(lt.data()), 4);
      if (list_type != "movi" && depth < 8) {
        Walked inner = walk_chunks(bytes, data + 4, next, end, depth + 1, nullptr);
        if (!inner.ok) {
          w.why = "inside LIST " + list_type + ": " + inner.why;
          return w;
        }
      }
    }
    if (found) {
      if (found->first.empty()) {
        found->first = id;
        found->first_list = list_type;
      }
      found->fmt |= id == "fmt ";
      found->data |= id == "data";
      found->movi |= list_type == "movi";
    }
    // Chunks are padded to an even size; a writer may leave the last pad out of the parent's size.
    pos = std::min(next + (*size & 1), stop);
    if (pos > end) {
      w.why = "the space ends before a pad byte";
      return w;
    }
    w.proven = pos;
  }
  w.ok = true;
  return w;
}

}  // namespace

Verdict validate_riff(Bytes& bytes, const Limits& limits) {
  const std::uint64_t end = std::min(bytes.size(), limits.max_item);
  Verdict v{Status::rejected, 0, {}, "riff", "riff"};
  const auto head = bytes.view(0, 12);
  if (head.size() < 12 || !bytes.matches(0, "RIFF")) {
    v.missing = "no RIFF header";
    return v;
  }
  const std::string form(reinterpret_cast<const char*>(head.data() + 8), 4);
  const std::uint32_t size = static_cast<std::uint32_t>(head[4]) | head[5] << 8 | head[6] << 16 | static_cast<std::uint32_t>(head[7]) << 24;
  if (!printable_id(head.subspan(8, 4)) || size < 4 + 8) {
    v.missing = "not a RIFF: form type not printable or size too small";
    return v;
  }
  if (form == "AVI ") v.type = v.extension = "avi";
  else if (form == "WAVE") v.type = v.extension = "wav";
  else if (form == "WEBP") v.type = v.extension = "webp";

  Found found;
  const std::uint64_t riff_end = 8ull + size;
  const Walked w = walk_chunks(bytes, 12, riff_end, end, 0, &found);
  if (w.proven == 12) {
    v.missing = "not a RIFF: " + w.why;
    return v;
  }
  if (!w.ok) {
    v.status = Status::partial;
    v.length = w.proven;
    v.missing = w.why;
    return v;
  }
  // What each form needs before it is a whole file.
  std::string missing;
  if (form == "WAVE" && (!found.fmt || !found.data)) missing = "WAVE without fmt and data chunks";
  if (form == "AVI " && (found.first != "LIST" || found.first_list != "hdrl" || !found.movi)) missing = "AVI without hdrl and movi lists";
  if (form == "WEBP" && found.first != "VP8 " && found.first != "VP8L" && found.first != "VP8X") missing = "WebP without a VP8/VP8L/VP8X chunk first";
  if (!missing.empty()) {
    v.status = Status::partial;
    v.length = w.proven;
    v.missing = missing;
    return v;
  }
  std::uint64_t item_end = riff_end;
  // OpenDML: an AVI over 1 GB continues in "RIFF....AVIX" chunks right after the first RIFF.
  while (form == "AVI " && bytes.matches(item_end, "RIFF") && bytes.matches(item_end + 8, "AVIX")) {
    const auto xsize = bytes.u32le(item_end + 4);
    if (!xsize || *xsize < 4) break;
    const std::uint64_t xend = item_end + 8 + *xsize;
    const Walked x = walk_chunks(bytes, item_end + 12, xend, end, 0, nullptr);
    if (!x.ok) {
      v.status = Status::partial;
      v.length = x.proven;
      v.missing = "AVIX extension: " + x.why;
      return v;
    }
    item_end = xend;
  }
  v.status = Status::complete;
  v.length = item_end;
  return v;
}

}  // namespace ferret::carve::formats
