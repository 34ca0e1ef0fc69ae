// The scene/P2P release-name recogniser: Title.Of.Film.2019.1080p.BluRay.x264-EVO into its parts,
// and nothing for names without a release's structure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferret_plugins::release {

struct ReleaseName {
  std::string name;            // the release as written, without what followed its group (".mkv", ".en", "-sample")
  std::string group;           // after the last '-'
  std::string title;           // the tokens before the year or the first marker, joined by spaces
  int year = 0;                // 0 when absent
  std::string season_episode;  // "S02E05", "S01" for a season pack
  std::string source;          // canonical spellings ("BluRay", "WEB-DL"); several joined by a space
  std::string resolution;      // "1080p"
  std::string codec;           // "x264", "H.264", "HEVC"
};

// Recognises `text` (one path component or one token of an NFO) as a release name. Required: printable
// ASCII without spaces; tokens separated by '.' or '_'; a group after the last '-' (letters or digits,
// not a marker such as WEB-DL's "DL"); a title of at least one token; at least one of year, SxxEyy,
// resolution or source after it; at least two markers in all (codec and tags such as PROPER or DTS
// count); and a source, a codec or SxxEyy among them. What follows the group (".mkv", ".en.srt", ".part01", "-sample") is not part of the name.
std::optional<ReleaseName> recognise(std::string_view text);

// The canonical source named by `token` ("bluray" -> "BluRay"), empty when it names none.
std::string source_of(std::string_view token);

}  // namespace ferret_plugins::release
