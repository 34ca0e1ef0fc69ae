// Hash-list formats: detection from the content, and one parser per format behind one interface.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "hashset/entry.h"
#include "hashset/input.h"

namespace ferret::hashset {

// The formats we read. A new one is an enumerator, a detection rule, and a Parser.
enum class Format { md5sum, sha1sum, sha256sum, hashdeep, csv, nsrl_rds2, nsrl_rdsv3, vics_json };
inline constexpr Format kAllFormats[] = {Format::md5sum, Format::sha1sum, Format::sha256sum, Format::hashdeep,
                                         Format::csv, Format::nsrl_rds2, Format::nsrl_rdsv3, Format::vics_json};
// "md5sum", "sha1sum", "sha256sum", "hashdeep", "csv", "nsrl-rds2", "nsrl-rdsv3", "vics-json"
const char* format_name(Format format);
std::optional<Format> format_from_name(std::string_view name);
// What a format's records are: "lines", "rows" (an SQLite database), "Media objects" (VICS).
const char* record_noun(Format format);

// Detects the format from the first non-empty lines of a source (after decompression):
//  - "%%%% HASHDEEP-" on the first line: hashdeep;
//  - a first line that is an NSRL RDS 2.x NSRLFile.txt header (it names CRC32 and ProductCode
//    among its columns): nsrl-rds2;
//  - a checksum line (HEX, then "  NAME", " *NAME" or nothing; "\HEX ..." with an escaped name; or the
//    BSD tag form "MD5 (NAME) = HEX"): md5sum/sha1sum/sha256sum by the digest's length;
//  - a first line of comma-separated names, one of them md5, sha1 or sha256 (any case): csv.
// Lines starting with '#' are skipped. Lists we know and do not read (iLook exports, JSON that is not
// VICS) are named in an Errc::unsupported error; anything else is Errc::unsupported "cannot tell the
// format". (JSON is told from the raw bytes, see below: it may be one line of hundreds of MB.)
Result<Format> detect_format(std::span<const std::string_view> first_lines);

// Detects from a source: a JSON object whose first 64 KiB hold "odata.metadata", "@odata.context"
// or a "value" array is vics-json (other JSON is refused with what it is); else up to `max_lines`
// non-empty lines (skipping overlong ones) go to the line rules above. SQLite databases and zip
// archives are told from their magic by sniff_container, before this.
Result<Format> detect_format(ByteSource& source, std::size_t max_lines = 32);

// What the start of a JSON document (the first bytes of a source) is: Format::vics_json, or an
// Errc::unsupported error saying what other JSON it is. nullopt: it does not start like JSON.
std::optional<Result<Format>> detect_json(std::string_view first_bytes);

struct ParseSummary {
  std::uint64_t lines = 0;
  std::vector<std::string> ignored_columns;  // columns present in the source that the set does not keep
};

// A parser reads one source and hands each entry, or each rejected line with its number and the
// reason, to the sink. It returns an error only when it cannot go on (the source stopped being
// readable, interrupted); everything before that has been delivered.
class Parser {
 public:
  virtual ~Parser() = default;
  virtual Status run(EntrySink& sink, const std::atomic<bool>* cancel) = 0;
  // What was read, also after run() stopped with an error.
  virtual ParseSummary summary() const = 0;
};

// The parser for a stream. Format::nsrl_rdsv3 is read from its file (open_rdsv3_parser in
// rdsv3.h): given a stream, its parser fails with Errc::unsupported.
std::unique_ptr<Parser> make_parser(Format format, ByteSource& source);

// The CSV helper shared by the CSV parser and detection: splits one RFC 4180 record. Returns false
// with `error` set on bad quoting; `incomplete` is set when a quoted field is still open at the end
// (the record continues on the next line).
bool split_csv_record(std::string_view record, std::vector<std::string>& fields, bool& incomplete, std::string& error);

}  // namespace ferret::hashset
