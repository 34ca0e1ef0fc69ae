// The one thread that writes to a case database; every other thread sends it batches of work.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "casedb/database.h"

namespace ferret::casedb {

class CaseWriter {
 public:
  using Task = std::function<Status(Database&)>;

  explicit CaseWriter(Database db, std::size_t max_queued = 32);
  ~CaseWriter();  // runs what is queued, then stops the thread
  CaseWriter(const CaseWriter&) = delete;
  CaseWriter& operator=(const CaseWriter&) = delete;

  // Queues a task; blocks while the queue is full, so producers cannot outrun the disk.
  // After a task fails, later tasks are skipped until flush() reports the failure.
  void post(Task task);

  // Waits until every queued task has run. Returns the first failure since the last flush
  // (and clears it, so that clean-up tasks such as ROLLBACK run afterwards).
  Status flush();

  // Runs `task` on the writer thread, after everything queued before it, and waits for its result.
  // It runs even after an earlier failure (use it for reads, clean-up and ROLLBACK).
  template <class T>
  Result<T> call(std::function<Result<T>(Database&)> task) {
    std::promise<Result<T>> promise;
    auto future = promise.get_future();
    enqueue(
        [&](Database& db) -> Status {
          promise.set_value(task(db));
          return {};
        },
        /*run_after_failure=*/true);
    return future.get();
  }

 private:
  struct Queued {
    Task task;
    bool run_after_failure;
  };
  void enqueue(Task task, bool run_after_failure);
  void loop();

  Database db_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Queued> queue_;
  std::size_t max_queued_;
  bool running_task_ = false;
  bool stopping_ = false;
  std::optional<Error> failure_;
  std::thread thread_;
};

}  // namespace ferret::casedb
