// The one thread that writes to a case database.
#include "casedb/case_writer.h"

namespace ferret::casedb {

CaseWriter::CaseWriter(Database db, std::size_t max_queued)
    : db_(std::move(db)), max_queued_(max_queued == 0 ? 1 : max_queued), thread_([this] { loop(); }) {}

CaseWriter::~CaseWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void CaseWriter::post(Task task) { enqueue(std::move(task), false); }

void CaseWriter::enqueue(Task task, bool run_after_failure) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < max_queued_; });
  queue_.push_back({std::move(task), run_after_failure});
  changed_.notify_all();
}

Status CaseWriter::flush() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.empty() && !running_task_; });
  if (failure_) {
    Error e = std::move(*failure_);
    failure_.reset();
    return e;
  }
  return {};
}

void CaseWriter::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    Queued next = std::move(queue_.front());
    queue_.pop_front();
    const bool skip = failure_.has_value() && !next.run_after_failure;
    running_task_ = true;
    lock.unlock();
    changed_.notify_all();
    Status status = skip ? Status{} : next.task(db_);
    lock.lock();
    running_task_ = false;
    if (!status.ok() && !failure_) failure_ = status.error();
    changed_.notify_all();
  }
}

}  // namespace ferret::casedb
