// What each run wrote: the result sets a seal covers, and how rows are hashed (custody internals).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "casedb/database.h"
#include "core/result.h"

namespace ferret::custody {

// A set of rows with the run that wrote each one. The columns listed are hashed; a later migration
// adding a column changes nothing for runs sealed before (their seals list the columns used).
struct ResultSet {
  const char* name;
  const char* from;     // FROM clause, the sealed table aliased t
  const char* where;    // which rows belong to the set
  const char* run;      // the run that wrote a row (NULL: none)
  const char* key;      // a row's key, as text
  const char* columns;  // t's columns, comma-separated
};

std::span<const ResultSet> result_sets();
const ResultSet* find_result_set(const std::string& name);

struct SealedRow {
  std::string key;
  std::string hash;  // hex SHA-256 of the set name, key and column values
};

// The rows of `set` (hashed over `columns`), grouped by the run that wrote them (nullopt: none).
// With `only_run`, just that run's rows. Each group is sorted by key.
Result<std::map<std::optional<std::int64_t>, std::vector<SealedRow>>> collect_rows(casedb::Database& db, const ResultSet& set,
                                                                                   const std::string& columns,
                                                                                   std::optional<std::int64_t> only_run);

// SHA-256 over "key\thash\n" of each row in order.
std::string seal_digest(const std::vector<SealedRow>& rows);

// Canonical JSON pieces: strings escaped, objects with keys in byte order, no spaces.
std::string canonical_string(std::string_view text);
std::string canonical_object(const std::map<std::string, std::string>& members);  // values already encoded

std::string sha256_hex(std::string_view bytes);

}  // namespace ferret::custody
