// The tool's side of one plugin worker process: start it (posix_spawn of ferret-plugin-worker), ask
// it to load plugins, open files and parse them under a time limit, and kill it when it fails.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "core/result.h"
#include "plugin_host/protocol.h"

namespace ferret::plugin_host {

// How a request to the worker ended when it did not end with an answer.
enum class Failure {
  none,       // answered
  timeout,    // no answer in time: the worker was killed
  died,       // the worker died (crash, abort, exit) before answering
  cancelled,  // the run was interrupted: the worker was killed
  protocol,   // the answer could not be understood: the worker was killed
};

class WorkerProcess {
 public:
  // Starts `executable` and waits for its hello (checking protocol and ABI versions).
  // memory_limit: the worker's address-space limit in bytes (ferret-plugin-worker --memory-limit), 0 for none.
  static Result<std::unique_ptr<WorkerProcess>> start(const std::filesystem::path& executable, const std::atomic<bool>* cancel,
                                                      std::uint64_t memory_limit = 0);
  ~WorkerProcess();  // kills the worker if it is still running, and reaps it
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  // One request and its answer. After any failure the worker is gone (killed and reaped) and
  // `failure_message` says what happened ("killed by signal 11 (SIGSEGV)").
  struct Answer {
    Failure failure = Failure::none;
    std::string failure_message;
    std::string payload;
  };
  Answer request(MessageType type, const std::string& payload, MessageType expected, std::chrono::milliseconds timeout);

  bool alive() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Ends the worker now (SIGKILL) and reaps it; returns how it ended.
  std::string kill_now();

 private:
  WorkerProcess(pid_t pid, int fd, const std::atomic<bool>* cancel) : pid_(pid), fd_(fd), channel_(fd), cancel_(cancel) {}
  // Reaps a worker that closed its end: waits a little for it to exit, then kills it.
  std::string reap_after_close();

  pid_t pid_ = -1;
  int fd_ = -1;
  Channel channel_;
  const std::atomic<bool>* cancel_;
};

// "killed by signal 11 (SIGSEGV: Segmentation fault)", "exited with status 3".
std::string describe_wait_status(int status);

// "the worker was killed by signal 11 (...)", "the worker exited with status 3": for a failure message.
std::string worker_ended(const std::string& failure_message);

}  // namespace ferret::plugin_host
