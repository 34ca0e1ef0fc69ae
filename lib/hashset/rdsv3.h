// NSRL RDSv3 hash sets: an SQLite database opened strictly read-only, its DISTINCT_HASH view (or
// FILE table) read row by row.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "hashset/parsers.h"

namespace ferret::hashset {

// What will be read from an RDSv3 database.
struct Rdsv3Layout {
  std::string relation;               // "DISTINCT_HASH" or "FILE", as the database spells it
  std::vector<std::string> digests;   // the sha256/sha1/md5 columns present
  std::string file_name, file_size;   // the columns, when present (FILE has them)
  std::vector<std::string> ignored;   // columns present and not kept (crc32, package_id, ...)
};

// Opens the database with the URI "file:PATH?immutable=1" and SQLITE_OPEN_READONLY: nothing is
// written, not even a lock or a journal. DISTINCT_HASH (one row per distinct hash) is preferred
// to FILE when it has a digest column. A database with neither is Errc::unsupported, naming the
// tables and views it has; one SQLite cannot read is Errc::corrupt.
Result<Rdsv3Layout> inspect_rdsv3(const std::filesystem::path& path);

// The parser behind Format::nsrl_rdsv3. Row numbers (1-based, in the order SQLite returns them)
// stand in for line numbers. Digests are kept (hex of either case; an empty or NULL cell is
// skipped), and from FILE the file name and size.
Result<std::unique_ptr<Parser>> open_rdsv3_parser(const std::filesystem::path& path);

}  // namespace ferret::hashset
