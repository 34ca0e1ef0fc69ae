// Benchmark driver: ingest without the evidence hashes, to time the TSK walk and the database alone.
#include <chrono>
#include <cstdio>

#include "cli/case_session.h"
#include "ingest/ingest.h"

using namespace ferret;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ferret-bench-walk CASE_DIR IMAGE  (benchmark only: records no evidence hashes)\n");
    return 1;
  }
  const Clock& clock = system_clock();
  auto session = cli::open_case_session({"ferret-bench-walk", argv[1], /*create=*/true, "benchmark", argc, argv, &clock, {}});
  if (!session.ok()) return std::fprintf(stderr, "%s\n", session.error().message.c_str()), 2;
  casedb::CaseWriter& writer = *session->writer;
  ingest::IngestOptions options;
  options.run_id = session->run_id;
  options.clock = &clock;
  options.skip_media_hash = true;
  options.allow_duplicate = true;
  const auto t0 = std::chrono::steady_clock::now();
  auto out = ingest::ingest_evidence(writer, argv[2], options);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int exit_code = !out.ok() ? 2 : out->met_bad_evidence() ? 3 : 0;
  if (auto failed = cli::finish_case_session(*session, clock, exit_code, "{}"); !failed.empty()) {
    std::fprintf(stderr, "%s\n", failed.c_str());
  }
  if (!out.ok()) return std::fprintf(stderr, "%s\n", out.error().message.c_str()), 2;
  std::printf("walk: %llu files, %d file systems, %.3f s\n", static_cast<unsigned long long>(out->files),
              out->file_systems, secs);
  return 0;
}
