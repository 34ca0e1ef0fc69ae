// The schema as numbered migrations, embedded from schemas/*.sql at build time.
#pragma once

#include <vector>

namespace ferret::casedb {

struct Migration {
  int version;       // NNNN of the file name; PRAGMA user_version after it is applied
  const char* name;  // file name, for messages
  const char* sql;
};

const std::vector<Migration>& migrations();

}  // namespace ferret::casedb
