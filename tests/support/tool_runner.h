// Running the built ferret tools from end-to-end tests, and reading the case they wrote.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "casedb/database.h"
#include "test_support.h"

namespace ferret::test {

struct ToolRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''"; else out += c;
  }
  return out + "'";
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs FERRET_BIN_DIR/<tool> with `args`, stdin closed, capturing stdout and stderr.
inline ToolRun run_tool(const std::string& tool, const std::vector<std::string>& args) {
  TempDir io;
  std::string cmd = shell_quote(std::string(FERRET_BIN_DIR) + "/" + tool);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " </dev/null >" + shell_quote((io / "out").string()) + " 2>" + shell_quote((io / "err").string());
  const int status = std::system(cmd.c_str());
  ToolRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(io / "out");
  r.err = slurp(io / "err");
  return r;
}

// Runs any command line through the shell, capturing stdout; returns the exit code.
inline int run_shell(const std::string& cmd, std::string& out) {
  TempDir io;
  const int status = std::system(("{ " + cmd + "\n} </dev/null >" + shell_quote((io / "out").string()) + " 2>/dev/null").c_str());
  out = slurp(io / "out");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline casedb::Database open_case(const std::filesystem::path& dir) {
  auto db = casedb::Database::open(dir / "case.db", casedb::Database::Mode::read_only);
  EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message);
  return std::move(db).value();
}

// First column of the first row of `sql` as text ("" when there is none).
inline std::string query_text(casedb::Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  EXPECT_TRUE(stmt.ok()) << sql;
  if (!stmt.ok()) return {};
  auto row = stmt->step();
  if (!row.ok() || !*row) return {};
  return stmt->column_text(0);
}

inline std::int64_t query_int(casedb::Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  EXPECT_TRUE(stmt.ok()) << sql;
  if (!stmt.ok()) return -1;
  auto row = stmt->step();
  if (!row.ok() || !*row) return -1;
  return stmt->column_int(0);
}

}  // namespace ferret::test
