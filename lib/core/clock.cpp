// An injectable clock.
#include "core/clock.h"

#include "core/text.h"

namespace ferret {

std::string Clock::now_iso8601() const {
  return utc_iso8601(std::chrono::system_clock::to_time_t(now()));
}

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace ferret
