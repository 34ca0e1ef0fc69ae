// A bounded bencode reader for plugins: values as extents over the file (never copied whole), walked
// without recursion under a depth limit, read through a windowed source so a hostile length costs nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferret_plugins::bencode {

enum class Kind : std::uint8_t { integer, string, list, dict };

// One value: where it lies and, for scalars, what it holds.
struct Value {
  Kind kind = Kind::integer;
  std::uint64_t begin = 0;        // its first byte: 'i', a length digit, 'l' or 'd'
  std::uint64_t end = 0;          // one past its last byte
  std::uint64_t text = 0;         // string: where the bytes start
  std::uint64_t text_length = 0;  // string: how many
  std::int64_t integer = 0;       // integer: its value
};

enum class Error : std::uint8_t { none, truncated, malformed, too_deep, unreadable, stopped };

struct Failure {
  Error error = Error::none;
  std::uint64_t at = 0;  // the offset where reading stopped
  const char* what = "";
};

// Where the bytes come from: the host's reader in a plugin (any callable with these meanings).
struct Source {
  // Reads up to `length` bytes at `offset`; returns how many (fewer only at the end) or -1 when unreadable.
  std::function<std::int64_t(std::uint64_t offset, void* buffer, std::size_t length)> read;
  // True when the host wants the plugin to stop; checked every few thousand tokens.
  std::function<bool()> should_stop;
};

class Reader {
 public:
  // Reads [0, size) of `source`; containers nest at most `max_depth` deep (the brief's 64 by default).
  Reader(Source source, std::uint64_t size, int max_depth = 64);

  // The value starting at `pos` with everything nested in it, or nullopt with failure() set when it
  // is malformed, nests too deep or runs past the end. Integers and string lengths must be canonical
  // (no leading zeros, no -0): what the format requires, so that a byte-exact hash means something.
  std::optional<Value> value(std::uint64_t pos);

  // Calls visit(key, value) for each entry of the dictionary whose 'd' is at `pos`, in file order,
  // until visit returns false. The dictionary need not have been parsed whole: entries before a
  // damaged one are visited. Returns true when the closing 'e' was reached or visit stopped early;
  // false with failure() set otherwise. `end` (optional) receives one past the 'e'.
  bool for_each_entry(std::uint64_t pos, const std::function<bool(const Value& key, const Value& value)>& visit,
                      std::uint64_t* end = nullptr);
  // The same for the elements of the list whose 'l' is at `pos`.
  bool for_each_element(std::uint64_t pos, const std::function<bool(const Value& element)>& visit,
                        std::uint64_t* end = nullptr);

  // The value of the first entry of `dict` whose key is `key` (nullopt when absent or unreadable).
  std::optional<Value> find(const Value& dict, std::string_view key);
  // True when string `v` holds exactly `text`.
  bool equals(const Value& v, std::string_view text);
  // The bytes of string `v`, at most `cap` of them (so a claimed length never sizes an allocation
  // beyond what the caller allows). `complete` (optional) says whether all of them fit.
  std::string bytes(const Value& v, std::size_t cap, bool* complete = nullptr);
  // Hands [begin, end) to `sink` in bounded chunks (for hashing a value's exact bytes). False when a
  // read fails or the host asks to stop (failure() says which).
  bool for_each_chunk(std::uint64_t begin, std::uint64_t end,
                      const std::function<void(const unsigned char* data, std::size_t length)>& sink);

  // The byte at `pos`, or -1 past the end or when unreadable.
  int byte_at(std::uint64_t pos);

  const Failure& failure() const { return failure_; }
  // True once any read was cut short because the host asked to stop (stays true).
  bool stopped() const { return stopped_; }
  std::uint64_t size() const { return size_; }

 private:
  const unsigned char* at(std::uint64_t pos, std::size_t n);
  std::optional<Value> scalar(std::uint64_t pos);
  bool fail(Error e, std::uint64_t pos, const char* what);
  bool tick();

  Source source_;
  std::uint64_t size_;
  int max_depth_;
  std::uint64_t base_ = 0;
  std::vector<unsigned char> window_;
  std::size_t window_length_ = 0;
  unsigned ticks_ = 0;
  bool stopped_ = false;
  Failure failure_;
};

// What a failure was, in words for a log line ("truncated at offset 120: a string runs past the end").
std::string describe(const Failure& failure);

}  // namespace ferret_plugins::bencode
