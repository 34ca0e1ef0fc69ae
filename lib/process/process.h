// The whole pipeline on one case: ingest (with hashing), hash what is left, carve, match, then the
// stages a tool adds (parse, report). Every stage is safe to run again: a pipeline killed at any
// point and started again with the same inputs ends with the results of an uninterrupted run.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "casedb/case_writer.h"
#include "core/clock.h"
#include "core/result.h"

namespace ferret::process {

struct StageProgress {
  std::string stage;        // "ingest", "hash", "carve", "match", ...
  std::size_t index = 0;    // 1-based among the stages that run
  std::size_t stages = 0;
  std::string item;         // what is being worked on ("demo.raw", "evidence 1")
  std::uint64_t done = 0, total = 0;
  bool bytes = true;        // done/total count bytes (else items)
};

// What a stage the caller adds reports: its JSON summary member (e.g. "\"parse\":{...}"), its human
// summary, and whether it met bad evidence.
struct StageResult {
  std::string json;
  std::string text;
  bool bad_evidence = false;
};

// A stage the caller adds after the built-in ones (parse, report).
struct ExtraStage {
  std::string name;
  std::function<Result<StageResult>(const std::function<void(const StageProgress&)>& progress)> run;
};

struct PipelineOptions {
  std::vector<std::filesystem::path> images;
  std::vector<std::filesystem::path> hashsets;
  std::int64_t run_id = 0;
  std::string case_number;
  bool carve = true;
  std::vector<std::string> carve_families;  // empty: all
  std::vector<ExtraStage> extra;
  const Clock* clock = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const StageProgress&)> progress;  // called from worker threads
  // One line per stage as it ends, for the human summary ("hash: 44 files ...").
  std::function<void(const std::string& stage, const std::string& text)> stage_done;
};

struct PipelineOutcome {
  std::string json_members;     // "\"stages\":[...],\"ingest\":...,\"hash\":...": the tool's JSON summary
  bool bad_evidence = false;    // some evidence was damaged or unreadable (exit 3)
  bool interrupted = false;
  std::vector<std::string> failures;  // stages or images that failed (exit 2 when nothing could be done)
  std::vector<std::string> warnings;  // damage the ingest met ("<image>: <problem>"), at most 20 per image
  std::vector<std::pair<std::string, std::string>> hashsets;  // the sets matched against: path, SHA-256
};

Result<PipelineOutcome> run_pipeline(casedb::CaseWriter& writer, const PipelineOptions& options);

}  // namespace ferret::process
