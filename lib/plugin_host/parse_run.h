// ferret-parse's work: offer every intact file of a case to the plugins that select it, each in a
// worker process with a time limit, and record plugin_loads, plugin_results, artifacts and their
// attributes through the case's one writer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "casedb/case_writer.h"
#include "core/result.h"
#include "plugin_host/discovery.h"
#include "plugin_host/plugin_info.h"

namespace ferret::plugin_host {

struct ParseProgress {
  std::uint64_t files_done = 0;
  std::uint64_t files_total = 0;  // files that still had a plugin to hear from when the run began
  std::uint64_t pairs = 0;        // (file, plugin) results recorded
  std::uint64_t artifacts = 0;
};

struct ParseOptions {
  std::int64_t run_id = 0;
  std::vector<PluginLoad> plugins;  // the loaded ones are used, in this order
  std::filesystem::path worker;     // ferret-plugin-worker
  unsigned threads = 0;             // worker processes; 0: one per core
  std::chrono::milliseconds timeout{30'000};       // per (file, plugin)
  std::chrono::milliseconds load_timeout{10'000};  // per plugin, when a worker (re)starts
  // Address space each worker process may use (RLIMIT_AS), so that a plugin that allocates without
  // bound gets a failed allocation (and, if it does not cope, is recorded as crashed) instead of
  // taking the examiner's machine; 0: no limit. Not applied in a sanitizer build (AddressSanitizer
  // reserves terabytes of address space for its shadow memory).
  std::uint64_t worker_memory = kDefaultWorkerMemory;
  Limits limits;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const ParseProgress&)> progress;  // called from worker threads, serialised
  std::size_t batch_pairs = 256;                       // (file, plugin) results per transaction
};

struct PluginTally {
  std::string name, version;
  std::uint64_t offered = 0;  // (file, plugin) pairs recorded by this run
  std::uint64_t ok = 0, not_mine = 0, malformed = 0, failed = 0, crashed = 0, timeout = 0, flood = 0, unreadable = 0;
  std::uint64_t artifacts = 0;
  std::map<std::string, std::uint64_t> by_kind;
  std::uint64_t earlier = 0;  // files an earlier run already recorded for this plugin (not parsed again)
};

struct ParseSummary {
  std::vector<PluginTally> plugins;
  std::uint64_t files_considered = 0;  // intact files that had a plugin left to hear from
  std::uint64_t files_offered = 0;     // ... and were offered to at least one
  std::uint64_t worker_restarts = 0;   // after crashes, time-outs and floods
  bool interrupted = false;
  std::vector<std::string> problems;   // failures on files (the first 100) and evidence that could not be opened
  bool evidence_missing = false;       // some evidence could not be opened: its files were not parsed
};

// Records every considered plugin file in plugin_loads (one transaction).
Status record_plugin_loads(casedb::CaseWriter& writer, std::int64_t run_id, const std::vector<PluginLoad>& plugins);

// Offers the case's intact files (carved ones too) to the loaded plugins. A (file, plugin) pair
// already in plugin_results, from any run and any plugin version, is not offered again: results
// are sealed by the custody log, so a rerun only adds what is missing. Pairs are committed in
// batches; after an interrupt what was committed stays and the same command continues.
// Errors: the worker cannot be started or cannot load a plugin again, the database fails.
Result<ParseSummary> parse_files(casedb::CaseWriter& writer, const ParseOptions& options);

// Whether a plugin failed, crashed, timed out, flooded or met unreadable content on a file.
bool has_failures(const ParseSummary& summary);

std::string summary_text(const ParseSummary& summary, double seconds);
std::string summary_json(const ParseSummary& summary, const std::vector<PluginLoad>& plugins, double seconds);

// ferret-plugins list: a readable table of every plugin file (declarations, or why it was refused),
// and the same as JSON.
std::string plugins_text(const std::vector<PluginLoad>& plugins);
std::string plugins_json(const std::vector<PluginLoad>& plugins);

}  // namespace ferret::plugin_host
