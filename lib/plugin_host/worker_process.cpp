// Starting, talking to and killing a plugin worker process.
#include "plugin_host/worker_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace ferret::plugin_host {

using Clock = std::chrono::steady_clock;

namespace {

// The fd number the worker finds its end of the socketpair on (ferret-plugin-worker --fd 3).
constexpr int kWorkerFd = 3;

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    std::string out = "killed by signal " + std::to_string(sig);
    const char* abbrev = sigabbrev_np(sig);
    const char* text = strsignal(sig);
    if (abbrev != nullptr) out += std::string(" (SIG") + abbrev + (text != nullptr ? std::string(": ") + text : std::string()) + ")";
    return out;
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended (wait status " + std::to_string(status) + ")";
}

std::string worker_ended(const std::string& failure_message) {
  return "the worker " + std::string(failure_message.starts_with("killed") ? "was " : "") + failure_message;
}

Result<std::unique_ptr<WorkerProcess>> WorkerProcess::start(const std::filesystem::path& executable, const std::atomic<bool>* cancel,
                                                            std::uint64_t memory_limit) {
  int fds[2];
  // CLOEXEC on both ends: later workers must not inherit this one's socket, or this worker's end
  // would stay open after it dies and its death would go unseen.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return make_error(Errc::io, errno_text("socketpair"));
  int child_end = fds[1];
  if (child_end == kWorkerFd) {  // dup2 onto itself would keep CLOEXEC: move it out of the way first
    child_end = ::fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
    ::close(fds[1]);
    if (child_end < 0) {
      ::close(fds[0]);
      return make_error(Errc::io, errno_text("fcntl"));
    }
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The worker writes nothing a user should see: plugin output must not land in the tool's stdout
  // (--json) or stderr. FERRET_PLUGIN_WORKER_STDERR=1 keeps stderr for debugging a plugin.
  const char* keep_stderr = std::getenv("FERRET_PLUGIN_WORKER_STDERR");
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  if (keep_stderr == nullptr || std::string(keep_stderr) != "1") posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, child_end, kWorkerFd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Ctrl-C goes to the whole foreground process group. The worker starts with SIGINT and SIGQUIT
  // blocked and ignores them before unblocking, so an interrupt is the tool's to handle (it stops
  // and kills its workers) and never shows up as a crashed plugin.
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGQUIT);
  posix_spawnattr_setsigmask(&attr, &blocked);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const std::string exe = executable.string();
  const std::string fd_text = std::to_string(kWorkerFd);
  const std::string parent_text = std::to_string(::getpid());
  const std::string memory_text = std::to_string(memory_limit);
  std::vector<char*> argv = {const_cast<char*>(exe.c_str()), const_cast<char*>("--fd"), const_cast<char*>(fd_text.c_str()),
                             const_cast<char*>("--parent"), const_cast<char*>(parent_text.c_str()),
                             const_cast<char*>("--memory-limit"), const_cast<char*>(memory_text.c_str()), nullptr};
  // In a sanitizer build, AddressSanitizer would turn a plugin's SIGSEGV into a report and exit
  // status 1; the host records the signal itself, so the worker leaves deadly signals alone. (No
  // effect on a build without sanitizers.)
  std::vector<std::string> env_text;
  std::string asan = "ASAN_OPTIONS=";
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (entry.starts_with("ASAN_OPTIONS=")) asan = std::string(entry) + ":";
    else env_text.emplace_back(entry);
  }
  env_text.push_back(asan + "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0");
  std::vector<char*> env;
  for (auto& e : env_text) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(child_end);
  if (spawned != 0) {
    ::close(fds[0]);
    return make_error(Errc::io, "cannot start the plugin worker " + exe + ": " + std::strerror(spawned));
  }
  std::unique_ptr<WorkerProcess> worker(new WorkerProcess(pid, fds[0], cancel));
  auto hello = worker->channel_.receive(Clock::now() + std::chrono::seconds(30), cancel);
  if (hello.outcome == Channel::Outcome::cancelled) return make_error(Errc::interrupted, "interrupted");
  if (hello.outcome != Channel::Outcome::message || hello.type != MessageType::hello) {
    const std::string how = hello.outcome == Channel::Outcome::closed ? worker->reap_after_close() : worker->kill_now();
    return make_error(Errc::io, "the plugin worker " + exe + " did not start (" + how + ")");
  }
  Hello h;
  if (!decode(hello.payload, h) || h.protocol != kProtocolVersion || h.abi_version != FERRET_PLUGIN_ABI_VERSION) {
    worker->kill_now();
    return make_error(Errc::io, "the plugin worker " + exe + " speaks protocol " + std::to_string(h.protocol) + ", ABI " +
                                    std::to_string(h.abi_version) + "; this tool needs protocol " + std::to_string(kProtocolVersion) +
                                    ", ABI " + std::to_string(FERRET_PLUGIN_ABI_VERSION) + " (a worker from another build?)");
  }
  return worker;
}

WorkerProcess::~WorkerProcess() {
  if (alive()) kill_now();
  if (fd_ >= 0) ::close(fd_);
}

std::string WorkerProcess::kill_now() {
  if (!alive()) return "not running";
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return describe_wait_status(status);
}

std::string WorkerProcess::reap_after_close() {
  if (!alive()) return "not running";
  // It closed its end, so it is (almost always) exiting: give it a moment to report how.
  const auto until = Clock::now() + std::chrono::seconds(2);
  int status = 0;
  while (Clock::now() < until) {
    const pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) {
      pid_ = -1;
      return describe_wait_status(status);
    }
    if (got < 0 && errno != EINTR) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return "closed its connection and was then " + kill_now();
}

WorkerProcess::Answer WorkerProcess::request(MessageType type, const std::string& payload, MessageType expected,
                                             std::chrono::milliseconds timeout) {
  Answer a;
  if (!alive()) {
    a.failure = Failure::died;
    a.failure_message = "the worker is not running";
    return a;
  }
  if (Status sent = channel_.send(type, payload); !sent.ok()) {
    a.failure = Failure::died;
    a.failure_message = reap_after_close();
    return a;
  }
  auto got = channel_.receive(Clock::now() + timeout, cancel_);
  switch (got.outcome) {
    case Channel::Outcome::message:
      if (got.type != expected) {
        a.failure = Failure::protocol;
        a.failure_message = "the worker answered with message type " + std::to_string(static_cast<std::uint32_t>(got.type)) + ", then was " + kill_now();
        return a;
      }
      a.payload = std::move(got.payload);
      return a;
    case Channel::Outcome::timeout:
      a.failure = Failure::timeout;
      a.failure_message = kill_now();
      return a;
    case Channel::Outcome::cancelled:
      a.failure = Failure::cancelled;
      a.failure_message = kill_now();
      return a;
    case Channel::Outcome::closed:
      // Even mid-message: a worker that stops talking has died (a crash while it sent its answer).
      a.failure = Failure::died;
      a.failure_message = reap_after_close();
      return a;
    case Channel::Outcome::error:
      a.failure = Failure::protocol;
      a.failure_message = got.error + "; the worker was " + kill_now();
      return a;
  }
  return a;
}

}  // namespace ferret::plugin_host
