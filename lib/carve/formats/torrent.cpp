// Torrent validator: one bencoded dictionary parsed to its final 'e', holding an info dictionary.
#include <algorithm>
#include <string>

#include "carve/formats/bencode.h"
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

namespace {

Verdict verdict(Status status, std::uint64_t length, std::string missing = {}) {
  return Verdict{status, length, std::move(missing), "torrent", "torrent"};
}

// Nesting in real torrents is shallow (info -> files -> path); 64 leaves room and bounds the walk.
constexpr int kMaxDepth = 64;

}  // namespace

Verdict validate_torrent(Bytes& bytes, const Limits& limits) {
  const std::uint64_t end = std::min(bytes.size(), limits.max_item);
  bencode::Reader reader(bytes, end, kMaxDepth);
  const auto top = reader.value(0);
  if (!top) {
    const bencode::Failure& f = reader.failure();
    // The signature is the first key: without one whole key and value after it, a chance match.
    if (f.last_complete < 16) return verdict(Status::rejected, 0, std::string("not a torrent: ") + f.what);
    return verdict(Status::partial, f.last_complete, f.what);
  }
  if (top->kind != bencode::Kind::dict) return verdict(Status::rejected, 0, "not a torrent: not a dictionary");
  const auto info = reader.find(*top, "info");
  if (!info || info->kind != bencode::Kind::dict) return verdict(Status::partial, top->end, "no info dictionary");
  // v1 torrents hash pieces (20 bytes each); v2 ones carry a file tree and meta version 2.
  const auto name = reader.find(*info, "name");
  const auto piece_length = reader.find(*info, "piece length");
  const auto pieces = reader.find(*info, "pieces");
  const auto tree = reader.find(*info, "file tree");
  const bool v1 = pieces && pieces->kind == bencode::Kind::string && pieces->text_length % 20 == 0;
  const bool v2 = tree && tree->kind == bencode::Kind::dict;
  if (!name || name->kind != bencode::Kind::string || !piece_length || piece_length->kind != bencode::Kind::integer ||
      piece_length->integer <= 0 || (!v1 && !v2)) {
    return verdict(Status::partial, top->end, "info dictionary without name, piece length and pieces");
  }
  return verdict(Status::complete, top->end);
}

}  // namespace ferret::carve::formats
