// The registry of carving formats: signatures and their validators.
#include <algorithm>

#include "carve/format.h"
#include "carve/formats/formats.h"

namespace ferret::carve {

namespace {

using namespace std::string_view_literals;
namespace f = formats;

// Order matters only between signatures that can match at the same position: the more specific first.
constexpr Signature kSignatures[] = {
    {"jpeg", "\xFF\xD8\xFF"sv, 0, f::validate_jpeg},
    {"png", "\x89PNG\r\n\x1A\n"sv, 0, f::validate_png},
    {"gif", "GIF87a"sv, 0, f::validate_gif},
    {"gif", "GIF89a"sv, 0, f::validate_gif},
    {"bmp", "BM"sv, 0, f::validate_bmp},
    {"riff", "RIFF"sv, 0, f::validate_riff},
    {"mp4", "ftyp"sv, 4, f::validate_mp4},
    {"matroska", "\x1A\x45\xDF\xA3"sv, 0, f::validate_matroska},
    {"mp3", "ID3"sv, 0, f::validate_mp3},
    {"mp3", "\xFF\xFB"sv, 0, f::validate_mp3},
    {"mp3", "\xFF\xFA"sv, 0, f::validate_mp3},
    {"mp3", "\xFF\xF3"sv, 0, f::validate_mp3},
    {"mp3", "\xFF\xF2"sv, 0, f::validate_mp3},
    {"flac", "fLaC"sv, 0, f::validate_flac},
    {"ogg", "OggS\0"sv, 0, f::validate_ogg},
    {"pdf", "%PDF-"sv, 0, f::validate_pdf},
    {"zip", "PK\x03\x04"sv, 0, f::validate_zip},
    {"sqlite", "SQLite format 3\0"sv, 0, f::validate_sqlite},
    // A .torrent is a bencoded dictionary; its keys are sorted, so it opens with one of a few keys.
    {"torrent", "d8:announce"sv, 0, f::validate_torrent},
    {"torrent", "d13:announce-list"sv, 0, f::validate_torrent},
    {"torrent", "d7:comment"sv, 0, f::validate_torrent},
    {"torrent", "d10:created by"sv, 0, f::validate_torrent},
    {"torrent", "d13:creation date"sv, 0, f::validate_torrent},
    {"torrent", "d8:encoding"sv, 0, f::validate_torrent},
    {"torrent", "d4:info"sv, 0, f::validate_torrent},
};

}  // namespace

std::span<const Signature> signatures() { return kSignatures; }

std::vector<std::string_view> families() {
  std::vector<std::string_view> out;
  for (const Signature& s : kSignatures) {
    if (std::find(out.begin(), out.end(), s.family) == out.end()) out.push_back(s.family);
  }
  return out;
}

}  // namespace ferret::carve
