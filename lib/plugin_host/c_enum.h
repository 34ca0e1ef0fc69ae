// The integer a plugin put in one of plugin.h's enum types. A C plugin may store or pass any int
// there, and loading a value outside the enum's range as the enum is undefined behaviour in C++, so
// the host reads the bytes instead and checks the integer itself. Internal to lib/plugin_host.
#pragma once

#include <cstring>
#include <type_traits>

namespace ferret::plugin_host {

template <class E>
int c_enum_value(const E& value) {
  static_assert(std::is_enum_v<E> && sizeof(E) == sizeof(int));
  int raw = 0;
  std::memcpy(&raw, &value, sizeof raw);
  return raw;
}

}  // namespace ferret::plugin_host
