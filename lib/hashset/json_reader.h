// A small strict JSON reader for the metadata a hash set stores (we write it; we read it back).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ferret::hashset::json {

struct Value {
  // Declared here, defined in the .cpp: a vector of pair<string, Value> needs Value complete, and
  // clang with libstdc++ refuses the implicit ones (the fuzz build, tests/fuzz, is clang).
  Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  enum class Type { null, boolean, number, string, array, object };
  Type type = Type::null;
  bool boolean = false;
  std::string text;  // a string's value, or a number as written
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> members;

  const Value* find(std::string_view key) const;                     // nullptr when absent or not an object
  std::string string_or(std::string_view key, std::string fallback = {}) const;
  std::uint64_t uint_or(std::string_view key, std::uint64_t fallback = 0) const;
};

// Parses one JSON value (nesting limited to 64 levels); Errc::corrupt with the byte offset otherwise.
Result<Value> parse(std::string_view text);

}  // namespace ferret::hashset::json
