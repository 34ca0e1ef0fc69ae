// What every ferret-<verb> tool shares: exit codes, Ctrl-C handling, the progress line, run records.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace ferret::cli {

// Exit codes, the same for every tool (../shared/STYLE.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,
  kExitFailure = 2,
  kExitBadEvidence = 3,  // finished, but met corrupt or unreadable evidence (recorded in the case)
  kExitInterrupted = 130,
};

int exit_code_for(const Error& error);  // usage/failure/interrupted from an error class

// Installs SIGINT/SIGTERM handlers that set the returned flag (a second Ctrl-C kills at once).
const std::atomic<bool>& install_interrupt_flag();

// One self-overwriting status line on stderr, shown only when stderr is a terminal, at most ~5 times a second.
class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine();
  bool enabled() const { return enabled_; }
  void update(const std::string& text);  // throttled
  void clear();

 private:
  bool enabled_ = false;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// "12.3 MiB/s, ETA 0:42" style rate/ETA text.
std::string rate_and_eta(std::uint64_t done, std::uint64_t total, double seconds);

}  // namespace ferret::cli
