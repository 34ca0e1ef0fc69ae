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

// The formats we read. NSRL RDS 2.x/RDSv3 and Project VIC VICS JSON slot in here later: a new
// enumerator, a detection rule, and a Parser.
enum class Format { md5sum, sha1sum, sha256sum, hashdeep, csv };
const char* format_name(Format format);                      // "md5sum", ..., "hashdeep", "csv"
std::optional<Format> format_from_name(std::string_view name);

// Detects the format from the first non-empty lines of a source (after decompression):
//  - "%%%% HASHDEEP-" on the first line: hashdeep;
//  - a checksum line (HEX, then "  NAME", " *NAME" or nothing; "\HEX ..." with an escaped name; or the
//    BSD tag form "MD5 (NAME) = HEX"): md5sum/sha1sum/sha256sum by the digest's length;
//  - a first line of comma-separated names, one of them md5, sha1 or sha256 (any case): csv.
// Lines starting with '#' are skipped. Known formats we do not read yet (NSRL RDS 2.x, VICS JSON) are
// named in an Errc::unsupported error; anything else is Errc::unsupported "cannot tell the format".
Result<Format> detect_format(std::span<const std::string_view> first_lines);

// Reads up to `max_lines` non-empty lines (skipping overlong ones) from `source` and detects.
Result<Format> detect_format(ByteSource& source, std::size_t max_lines = 32);

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

std::unique_ptr<Parser> make_parser(Format format, ByteSource& source);

// The CSV helper shared by the CSV parser and detection: splits one RFC 4180 record. Returns false
// with `error` set on bad quoting; `incomplete` is set when a quoted field is still open at the end
// (the record continues on the next line).
bool split_csv_record(std::string_view record, std::vector<std::string>& fields, bool& incomplete, std::string& error);

}  // namespace ferret::hashset
