// Errors as values: Result<T> holds either a T or an Error (what failed, where, what to do).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace ferret {

// Broad classes of failure. `corrupt` and `unreadable` are findings about the evidence (exit 3),
// the others are failures of the tool or its inputs.
enum class Errc {
  invalid_argument,  // the caller asked for something that makes no sense
  not_found,         // a file, row or object does not exist
  io,                // the operating system refused a read or write
  unreadable,        // evidence bytes could not be read (bad sector, truncated segment)
  corrupt,           // evidence structure is damaged or inconsistent
  unsupported,       // a format or feature we do not handle
  exists,            // refusing to overwrite or duplicate
  busy,              // another process holds the resource
  interrupted,       // the user asked us to stop
  internal,          // a bug: a library call failed in a way it should not
};

const char* errc_name(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;

  // Prefixes context ("while reading X: ") so that messages read outward-in.
  Error with_context(const std::string& context) const { return {code, context + ": " + message}; }
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace ferret

// Propagates an error from an expression returning Result<...>/Status.
#define FERRET_TRY(expr)                                   \
  do {                                                     \
    auto&& ferret_try_result_ = (expr);                    \
    if (!ferret_try_result_.ok()) return ferret_try_result_.error(); \
  } while (0)
