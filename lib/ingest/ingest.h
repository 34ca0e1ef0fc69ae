// Ingest: one evidence item into a case -- evidence identity and hashes, volumes, every file, unallocated space.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "casedb/case_writer.h"
#include "core/clock.h"
#include "core/result.h"
#include "image/image_source.h"

namespace ferret::ingest {

struct Progress {
  std::uint64_t hashed_bytes = 0;
  std::uint64_t total_bytes = 0;
  std::uint64_t files_seen = 0;
  bool walk_done = false;
};

struct IngestOptions {
  std::int64_t run_id = 0;
  std::string case_number;     // --case-number: recorded for the case, and for evidence that carries none
  bool allow_duplicate = false;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const Progress&)> progress;  // called from worker threads, often: keep it cheap
  const Clock* clock = nullptr;
  bool skip_media_hash = false;  // benchmarks only (bench/ferret-bench-walk): evidence hashes stay NULL
  // Called once the walk is recorded (inside the ingest's transaction, through the same writer) while
  // the media is still being hashed: work on the new files then overlaps the media hash (ferret-ingest
  // --hash hashes every file here). An error fails the ingest and rolls it back.
  std::function<Status(std::int64_t evidence_id)> after_walk;
  image::ImageOpener open_image;  // empty: image::open_image (tests inject faults through it)
};

struct EvidenceOutcome {
  std::int64_t evidence_id = 0;
  std::string path;
  std::string format;
  std::uint64_t size = 0;
  std::string md5, sha1, sha256;
  std::optional<std::string> stored_md5, stored_sha1;
  std::optional<bool> stored_hashes_match;
  int volumes = 0;
  int file_systems = 0;
  std::uint64_t files = 0;
  std::uint64_t deleted = 0;
  std::uint64_t problems = 0;          // every problem recorded in `errors`
  std::uint64_t damage_problems = 0;   // of which corrupt or unreadable structures
  std::uint64_t unreadable_bytes = 0;
  std::vector<std::string> warnings;  // one line each, for the summary
  double seconds = 0;

  // Exit-code class: the evidence was partly unreadable, damaged, or held nothing TSK could read.
  bool met_bad_evidence() const {
    return unreadable_bytes > 0 || (stored_hashes_match && !*stored_hashes_match) || file_systems == 0 ||
           damage_problems > 0;
  }
};

// Ingests `image` into the case behind `writer`, in one transaction: either the whole evidence
// item (evidence, volumes, files, runs, unallocated ranges, errors) is recorded, or nothing is.
// Refuses (Errc::exists) evidence already in the case unless options.allow_duplicate.
Result<EvidenceOutcome> ingest_evidence(casedb::CaseWriter& writer, const std::filesystem::path& image,
                                        const IngestOptions& options);

}  // namespace ferret::ingest
