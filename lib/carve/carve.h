// Carving a case's evidence: which space to scan, which items the case already knows, and the
// carved items recorded as rows of `files` (origin 'carved') with their byte runs and hashes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "carve/scanner.h"
#include "casedb/case_writer.h"
#include "core/result.h"
#include "image/image_source.h"

namespace ferret::carve {

struct CarveOptions {
  std::optional<std::int64_t> evidence_id;  // all evidence when unset
  std::int64_t run_id = 0;
  std::vector<std::string> families;  // empty: all (names as parse_families returns them)
  bool all_space = false;             // the whole media instead of the unallocated space
  unsigned threads = 0;
  Limits limits;
  const std::atomic<bool>* cancel = nullptr;
  // Progress of the evidence being carved (index is 1-based among `evidence`).
  std::function<void(std::size_t evidence_index, std::size_t evidence_count, const ScanProgress&)> progress;
  image::ImageOpener open_image;  // empty: image::open_image (tests inject faults through it)
};

struct TypeCount {
  std::string type;
  std::uint64_t complete = 0, partial = 0;
};

struct EvidenceCarve {
  std::int64_t evidence_id = 0;
  std::string path;
  std::string space;  // "unallocated" or "all"
  std::uint64_t bytes_scanned = 0;
  std::uint64_t extents = 0;
  std::uint64_t candidates = 0;
  std::uint64_t complete = 0, partial = 0;  // items found, not counting already known ones
  std::uint64_t already_known = 0;          // the content of files already listed
  std::uint64_t new_items = 0;              // rows added (the others were recorded by an earlier run)
  std::uint64_t unreadable = 0;
  std::vector<TypeCount> types;
  std::string problem;  // non-empty: this evidence could not be carved (why)
};

struct CarveSummary {
  std::vector<EvidenceCarve> evidence;
  bool interrupted = false;
  bool met_unreadable() const;
};

// Carves every evidence of the case (or one): scans its unallocated space (every range the ingest
// recorded in `unallocated`: free blocks of each file system, partitions without one and space
// outside every partition) or the whole media, and records each item not already known as a row of
// `files`, with its single run in `file_runs`, its MD5/SHA-1/SHA-256 and MIME type (content_state
// 'intact', or 'unreadable'), and one `carve_scans` row per evidence. Each evidence's results are
// written in one transaction: an interrupted run leaves nothing half-written, and running again
// adds only what is not yet recorded.
Result<CarveSummary> carve_case(casedb::CaseWriter& writer, const CarveOptions& options);

std::string summary_json(const CarveSummary& summary, double seconds);
std::string summary_text(const CarveSummary& summary, double seconds);

}  // namespace ferret::carve
