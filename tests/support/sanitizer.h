// Whether this test binary is built with AddressSanitizer: ferret::kAddressSanitizer (lib/core/sanitizer.h).
#pragma once

#include "core/sanitizer.h"

namespace ferret::test {
using ferret::kAddressSanitizer;
}  // namespace ferret::test
