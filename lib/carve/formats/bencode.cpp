// The bencode walker: an iterative skip with an explicit depth limit, reads from one cached view.
#include "carve/formats/bencode.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ferret::carve::bencode {

Reader::Reader(Bytes& bytes, std::uint64_t end, int max_depth)
    : bytes_(bytes), end_(std::min(end, bytes.size())), max_depth_(std::clamp(max_depth, 1, 1024)) {}

bool Reader::fail(Error e, std::uint64_t pos, const char* what) {
  failure_.error = e;
  failure_.at = pos;
  failure_.what = what;
  return false;
}

// Tokens are read a byte or a few at a time: they come from one view refilled only when a read
// leaves it, not from a virtual call per byte.
const std::uint8_t* Reader::at(std::uint64_t pos, std::size_t n) {
  if (pos >= base_ && pos - base_ + n <= window_.size()) return window_.data() + (pos - base_);
  if (pos >= end_ || end_ - pos < n) return nullptr;
  window_ = bytes_.view(pos, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, end_ - pos)));
  base_ = pos;
  return window_.size() >= n ? window_.data() : nullptr;
}

// An integer (i-12e) or a string (5:hello) at `pos`, in canonical form: no leading zeros, no -0.
std::optional<Value> Reader::scalar(std::uint64_t pos) {
  const std::uint8_t* c = at(pos, 1);
  if (!c) return fail(Error::truncated, pos, "the space ends before a value"), std::nullopt;
  Value v;
  v.begin = pos;
  if (*c == 'i') {
    v.kind = Kind::integer;
    std::uint64_t p = pos + 1;
    bool negative = false;
    const std::uint8_t* s = at(p, 1);
    if (s && *s == '-') {
      negative = true;
      ++p;
    }
    std::uint64_t magnitude = 0;
    int digits = 0;
    bool leading_zero = false;
    while (true) {
      const std::uint8_t* d = at(p, 1);
      if (!d) return fail(Error::truncated, p, "the space ends inside an integer"), std::nullopt;
      if (*d == 'e') break;
      if (*d < '0' || *d > '9' || digits >= 19) return fail(Error::malformed, p, "bad integer"), std::nullopt;
      if (digits == 0 && *d == '0') leading_zero = true;
      magnitude = magnitude * 10 + static_cast<std::uint64_t>(*d - '0');
      ++digits;
      ++p;
    }
    if (digits == 0 || (leading_zero && (digits > 1 || negative))) return fail(Error::malformed, p, "non-canonical integer"), std::nullopt;
    if (magnitude > static_cast<std::uint64_t>(INT64_MAX)) return fail(Error::malformed, p, "integer out of range"), std::nullopt;
    v.integer = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
    v.end = p + 1;
    return v;
  }
  if (*c >= '0' && *c <= '9') {
    v.kind = Kind::string;
    std::uint64_t p = pos, length = 0;
    int digits = 0;
    while (true) {
      const std::uint8_t* d = at(p, 1);
      if (!d) return fail(Error::truncated, p, "the space ends inside a string length"), std::nullopt;
      if (*d == ':') break;
      if (*d < '0' || *d > '9' || digits >= 18) return fail(Error::malformed, p, "bad string length"), std::nullopt;
      length = length * 10 + static_cast<std::uint64_t>(*d - '0');
      ++digits;
      ++p;
    }
    if (digits > 1 && *at(pos, 1) == '0') return fail(Error::malformed, pos, "string length with a leading zero"), std::nullopt;
    v.text = p + 1;
    v.text_length = length;
    if (length > end_ - v.text) return fail(Error::truncated, pos, "a string runs past the end of the space"), std::nullopt;
    v.end = v.text + length;
    return v;
  }
  return fail(Error::malformed, pos, "not a bencode value"), std::nullopt;
}

std::optional<Value> Reader::value(std::uint64_t pos) {
  failure_ = Failure{};
  failure_.last_complete = pos;
  // One entry per open container: is it a dict, and does it expect a key next?
  struct Open {
    bool dict;
    bool want_key;
  };
  std::vector<Open> open;
  Value top;
  top.begin = pos;
  std::uint64_t p = pos;
  while (true) {
    const std::uint8_t* c = at(p, 1);
    if (!c) return fail(Error::truncated, p, "the space ends inside a container"), std::nullopt;
    bool completed = false;
    if (*c == 'e' && !open.empty()) {
      if (open.back().dict && !open.back().want_key) return fail(Error::malformed, p, "a key without a value"), std::nullopt;
      open.pop_back();
      ++p;
      completed = true;
    } else if (!open.empty() && open.back().dict && open.back().want_key && !(*c >= '0' && *c <= '9')) {
      return fail(Error::malformed, p, "a dictionary key that is not a string"), std::nullopt;
    } else if (*c == 'l' || *c == 'd') {
      if (static_cast<int>(open.size()) >= max_depth_) return fail(Error::too_deep, p, "nested too deep"), std::nullopt;
      if (open.empty() && p == pos) top.kind = *c == 'd' ? Kind::dict : Kind::list;
      open.push_back({*c == 'd', true});
      ++p;
    } else {
      const auto s = scalar(p);
      if (!s) return std::nullopt;
      if (p == pos) return *s;  // a scalar at the top
      p = s->end;
      completed = true;
    }
    if (!completed) continue;
    failure_.last_complete = p;
    if (open.empty()) {
      top.end = p;
      return top;
    }
    if (open.back().dict) open.back().want_key = !open.back().want_key;
  }
}

bool Reader::for_each_entry(const Value& dict, const std::function<bool(const Value&, const Value&)>& visit) {
  if (dict.kind != Kind::dict) return fail(Error::malformed, dict.begin, "not a dictionary");
  std::uint64_t p = dict.begin + 1;
  while (p + 1 < dict.end) {
    const auto key = scalar(p);
    if (!key || key->kind != Kind::string) return fail(Error::malformed, p, "a dictionary key that is not a string");
    const auto val = value(key->end);
    if (!val) return false;
    if (!visit(*key, *val)) return true;
    p = val->end;
  }
  return true;
}

bool Reader::for_each_element(const Value& list, const std::function<bool(const Value&)>& visit) {
  if (list.kind != Kind::list) return fail(Error::malformed, list.begin, "not a list");
  std::uint64_t p = list.begin + 1;
  while (p + 1 < list.end) {
    const auto val = value(p);
    if (!val) return false;
    if (!visit(*val)) return true;
    p = val->end;
  }
  return true;
}

bool Reader::equals(const Value& v, std::string_view text) {
  if (v.kind != Kind::string || v.text_length != text.size()) return false;
  if (text.empty()) return true;
  const std::uint8_t* p = at(v.text, text.size());
  return p != nullptr && std::memcmp(p, text.data(), text.size()) == 0;
}

std::optional<Value> Reader::find(const Value& dict, std::string_view key) {
  std::optional<Value> found;
  for_each_entry(dict, [&](const Value& k, const Value& v) {
    if (!equals(k, key)) return true;
    found = v;
    return false;
  });
  return found;
}

}  // namespace ferret::carve::bencode
