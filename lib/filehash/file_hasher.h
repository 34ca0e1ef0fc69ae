// Hashing every file of a case: MD5, SHA-1 and SHA-256 of each file's content in one read, its
// content type, an extension-mismatch flag and the state of its content (files.content_state).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "casedb/case_writer.h"
#include "core/result.h"
#include "image/image_source.h"

namespace ferret::filehash {

struct HashProgress {
  std::uint64_t files_done = 0;
  std::uint64_t files_total = 0;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
};

struct HashOptions {
  std::optional<std::int64_t> evidence_id;  // all evidence when unset
  std::int64_t run_id = 0;                  // recorded in files.hash_run_id
  unsigned threads = 0;                     // workers; 0 = sized to the machine
  std::size_t batch_size = 512;             // results per database transaction
  std::uint64_t big_file_bytes = 64ull << 20;  // from this size a file's three digests run on threads of their own
  // Where the CPU has AVX2, each worker runs the MD5s of up to 16 files together (multi-buffer MD5),
  // big files included; false: one file at a time, as on other CPUs (tests compare both).
  bool md5_multi_buffer = true;
  // false: the caller holds a transaction open on the writer's connection (ferret-ingest --hash
  // hashes inside the ingest's transaction); batches then join it instead of committing their own.
  bool own_transactions = true;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const HashProgress&)> progress;  // from worker threads
  image::ImageOpener open_image;  // empty: image::open_image (tests inject faults through it)
};

struct HashSummary {
  std::uint64_t intact = 0;
  std::uint64_t reallocated = 0;
  std::uint64_t unreadable = 0;
  std::uint64_t no_content = 0;
  std::uint64_t bytes = 0;           // content bytes read and hashed
  std::uint64_t already_done = 0;    // files hashed by an earlier run (resumed)
  std::uint64_t ext_mismatches = 0;
  bool interrupted = false;
  std::vector<std::string> problems;  // one line each: evidence that could not be opened, unreadable files
};

// Hashes every `files` row of type 'file' whose content_state is NULL (so a run that was stopped
// resumes where it stopped: results are committed in batches, each row complete or untouched).
// Content comes from the recorded data runs read straight from the evidence, or through The Sleuth
// Kit where the runs cannot give it (resident, compressed or encrypted data). Deleted files whose
// recorded blocks are no longer unallocated are marked 'reallocated' and not hashed.
// All database work goes through `writer`.
Result<HashSummary> hash_files(casedb::CaseWriter& writer, const HashOptions& options);

}  // namespace ferret::filehash

namespace ferret::filehash {

// Adds `part` (one evidence's run) to `total`.
void merge_into(HashSummary& total, const HashSummary& part);

// {"intact":N,...}: the summary as a JSON object, for the tools' --json output and runs.summary.
std::string summary_json(const HashSummary& summary, double seconds);
// A few human lines: counts, bytes, rate, problems.
std::string summary_text(const HashSummary& summary, double seconds);

}  // namespace ferret::filehash
