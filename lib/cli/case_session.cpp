#include "cli/case_session.h"

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "core/text.h"

#include "ferret/version.h"

namespace ferret::cli {

std::string default_examiner() {
  if (const char* e = std::getenv("FERRET_EXAMINER"); e != nullptr && *e != '\0') return e;
  if (const char* u = std::getenv("USER"); u != nullptr && *u != '\0') return u;
  return "";
}

Result<CaseSession> open_case_session(const SessionRequest& request) {
  const Clock& clock = request.clock != nullptr ? *request.clock : system_clock();
  auto dir = casedb::CaseDirectory::open(request.case_dir, request.create ? casedb::CaseDirectory::Create::yes
                                                                          : casedb::CaseDirectory::Create::no,
                                         request.tool);
  if (!dir.ok()) return dir.error();
  auto db = dir->connect();
  if (!db.ok()) return make_error(Errc::io, db.error().message);
  casedb::RunStart run{request.tool, kVersion, kBuildId, casedb::quoted_command_line(request.argc, request.argv),
                       request.examiner, casedb::host_name(), clock.now_iso8601()};
  auto run_id = casedb::insert_run(*db, run);
  if (!run_id.ok()) return make_error(Errc::io, "cannot record the run: " + run_id.error().message);
  CaseSession session;
  session.dir = std::move(*dir);
  session.run_id = *run_id;
  session.writer = std::make_unique<casedb::CaseWriter>(std::move(*db));
  return session;
}

std::string finish_case_session(CaseSession& session, const Clock& clock, int exit_code, const std::string& summary_json) {
  auto finished = session.writer->call<bool>([&](casedb::Database& database) -> Result<bool> {
    FERRET_TRY(casedb::finish_run(database, session.run_id, clock.now_iso8601(), exit_code, summary_json));
    return true;
  });
  return finished.ok() ? "" : "cannot record the end of the run: " + finished.error().message;
}

int end_tool_run(CaseSession& session, const Clock& clock, std::string_view tool, int exit_code, const std::string& members,
                 bool json, bool quiet, std::ostream& human) {
  std::ostringstream summary;
  summary << "{\"tool\":\"" << tool << "\",\"version\":\"" << kVersion << "\",\"case\":\""
          << json_escape(session.dir.dir().string()) << "\",\"database\":\"" << json_escape(session.dir.database_path().string())
          << "\",\"run_id\":" << session.run_id << ",\"exit_code\":" << exit_code << (members.empty() ? "" : ",") << members
          << "}";
  if (auto failed = finish_case_session(session, clock, exit_code, summary.str()); !failed.empty()) {
    std::cerr << tool << ": " << failed << "\n";
  }
  if (json) std::cout << summary.str() << "\n";
  if (!quiet) {
    human << "case: " << session.dir.database_path().string() << " (run " << session.run_id << ", exit " << exit_code << ")\n";
  }
  return exit_code;
}

}  // namespace ferret::cli
