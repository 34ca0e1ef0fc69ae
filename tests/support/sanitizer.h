// Whether this test binary is built with AddressSanitizer (GCC defines __SANITIZE_ADDRESS__; clang 14
// answers __has_feature(address_sanitizer) only).
#pragma once

namespace ferret::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace ferret::test
