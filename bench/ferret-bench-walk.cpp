// Benchmark driver: ingest without the evidence hashes, to time the TSK walk and the database alone.
#include <chrono>
#include <cstdio>

#include "casedb/case_store.h"
#include "casedb/case_writer.h"
#include "core/clock.h"
#include "ferret/version.h"
#include "ingest/ingest.h"

using namespace ferret;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ferret-bench-walk CASE_DIR IMAGE  (benchmark only: records no evidence hashes)\n");
    return 1;
  }
  auto dir = casedb::CaseDirectory::open(argv[1], casedb::CaseDirectory::Create::yes, "ferret-bench-walk");
  if (!dir.ok()) return std::fprintf(stderr, "%s\n", dir.error().message.c_str()), 2;
  auto db = dir->connect();
  if (!db.ok()) return std::fprintf(stderr, "%s\n", db.error().message.c_str()), 2;
  // Every evidence row names the run that ingested it (evidence.ingest_run_id is a foreign key).
  const Clock& clock = system_clock();
  casedb::RunStart run{"ferret-bench-walk", kVersion, kBuildId, casedb::quoted_command_line(argc, argv), "benchmark",
                       casedb::host_name(), clock.now_iso8601()};
  auto run_id = casedb::insert_run(*db, run);
  if (!run_id.ok()) return std::fprintf(stderr, "cannot record the run: %s\n", run_id.error().message.c_str()), 2;
  casedb::CaseWriter writer(std::move(*db));
  ingest::IngestOptions options;
  options.run_id = *run_id;
  options.clock = &clock;
  options.skip_media_hash = true;
  options.allow_duplicate = true;
  const auto t0 = std::chrono::steady_clock::now();
  auto out = ingest::ingest_evidence(writer, argv[2], options);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int exit_code = !out.ok() ? 2 : out->met_bad_evidence() ? 3 : 0;
  auto finished = writer.call<bool>([&](casedb::Database& database) -> Result<bool> {
    FERRET_TRY(casedb::finish_run(database, *run_id, clock.now_iso8601(), exit_code, "{}"));
    return true;
  });
  if (!finished.ok()) std::fprintf(stderr, "cannot record the end of the run: %s\n", finished.error().message.c_str());
  if (!out.ok()) return std::fprintf(stderr, "%s\n", out.error().message.c_str()), 2;
  std::printf("walk: %llu files, %d file systems, %.3f s\n", static_cast<unsigned long long>(out->files),
              out->file_systems, secs);
  return 0;
}
