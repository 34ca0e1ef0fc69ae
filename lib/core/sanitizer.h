// Whether this translation unit is built with AddressSanitizer (and so LeakSanitizer): GCC defines
// __SANITIZE_ADDRESS__, clang 14 answers only __has_feature(address_sanitizer). FERRET_ASAN is then
// defined to 1, and kAddressSanitizer says the same to ordinary code.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define FERRET_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FERRET_ASAN 1
#endif
#endif

namespace ferret {
#ifdef FERRET_ASAN
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
}  // namespace ferret
