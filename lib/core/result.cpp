// Names of error classes, for messages and JSON summaries.
#include "core/result.h"

namespace ferret {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return "invalid-argument";
    case Errc::not_found: return "not-found";
    case Errc::io: return "io";
    case Errc::unreadable: return "unreadable";
    case Errc::corrupt: return "corrupt";
    case Errc::unsupported: return "unsupported";
    case Errc::exists: return "exists";
    case Errc::busy: return "busy";
    case Errc::interrupted: return "interrupted";
    case Errc::internal: return "internal";
  }
  return "unknown";
}

}  // namespace ferret
