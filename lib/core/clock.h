// An injectable clock, so that the times a run records can be fixed in tests.
#pragma once

#include <chrono>
#include <string>

namespace ferret {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  std::string now_iso8601() const;  // UTC, second resolution
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
};

// Always answers the same instant (tests).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point at) : at_(at) {}
  std::chrono::system_clock::time_point now() const override { return at_; }

 private:
  std::chrono::system_clock::time_point at_;
};

const Clock& system_clock();

}  // namespace ferret
