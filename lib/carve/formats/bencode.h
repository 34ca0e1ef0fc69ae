// A bounded bencode walker over Bytes: values as extents, dictionaries entry by entry (reusable for torrents).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

#include "carve/format.h"

namespace ferret::carve::bencode {

enum class Kind : std::uint8_t { integer, string, list, dict };

// One value: where it lies and, for scalars, what it holds.
struct Value {
  Kind kind = Kind::integer;
  std::uint64_t begin = 0;        // its first byte: 'i', a length digit, 'l' or 'd'
  std::uint64_t end = 0;          // one past its last byte
  std::uint64_t text = 0;         // string: where the text starts
  std::uint64_t text_length = 0;  // string: its length
  std::int64_t integer = 0;       // integer: its value
};

enum class Error : std::uint8_t { none, truncated, malformed, too_deep };

struct Failure {
  Error error = Error::none;
  std::uint64_t at = 0;             // where the walk stopped
  std::uint64_t last_complete = 0;  // end of the last value (at any depth) that parsed in full
  const char* what = "";
};

class Reader {
 public:
  // Reads [0, end) of `bytes`; containers nest at most `max_depth` deep.
  Reader(Bytes& bytes, std::uint64_t end, int max_depth = 64);

  // The value starting at `pos`, with everything nested in it; nullopt with failure() set if it
  // is malformed, nests too deep or runs past the end.
  std::optional<Value> value(std::uint64_t pos);

  // Calls visit(key, value) for each entry of `dict` in order until visit returns false. Returns
  // false (failure() set) when an entry does not parse.
  bool for_each_entry(const Value& dict, const std::function<bool(const Value& key, const Value& value)>& visit);
  // The same for the elements of a list.
  bool for_each_element(const Value& list, const std::function<bool(const Value& element)>& visit);

  // The value of the first entry of `dict` whose key is `key`.
  std::optional<Value> find(const Value& dict, std::string_view key);
  // True when string `v` holds exactly `text`.
  bool equals(const Value& v, std::string_view text);

  const Failure& failure() const { return failure_; }

 private:
  const std::uint8_t* at(std::uint64_t pos, std::size_t n);
  std::optional<Value> scalar(std::uint64_t pos);
  bool fail(Error e, std::uint64_t pos, const char* what);

  Bytes& bytes_;
  std::uint64_t end_;
  int max_depth_;
  std::uint64_t base_ = 0;
  std::span<const std::uint8_t> window_;
  Failure failure_;
};

}  // namespace ferret::carve::bencode
