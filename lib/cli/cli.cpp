// What every ferret-<verb> tool shares.
#include "cli/cli.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "core/text.h"

namespace ferret::cli {

int exit_code_for(const Error& error) {
  switch (error.code) {
    case Errc::invalid_argument: return kExitUsage;
    case Errc::interrupted: return kExitInterrupted;
    default: return kExitFailure;
  }
}

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int sig) {
  if (g_interrupted.exchange(true)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}
}  // namespace

const std::atomic<bool>& install_interrupt_flag() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  return g_interrupted;
}

ProgressLine::ProgressLine() : enabled_(isatty(STDERR_FILENO) == 1) {}
ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::update(const std::string& text) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  shown_ = true;
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  std::fflush(stderr);
}

void ProgressLine::clear() {
  if (!enabled_ || !shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

std::string rate_and_eta(std::uint64_t done, std::uint64_t total, double seconds) {
  if (seconds <= 0.05 || done == 0) return "";
  const double rate = static_cast<double>(done) / seconds;
  std::string out = human_bytes(rate) + "/s";
  if (total > done) {
    const auto eta = static_cast<long long>(static_cast<double>(total - done) / rate);
    char buf[32];
    std::snprintf(buf, sizeof buf, ", ETA %lld:%02lld", eta / 60, eta % 60);
    out += buf;
  }
  return out;
}

}  // namespace ferret::cli
