// The bencode reader: an iterative skip with an explicit stack of open containers and a depth limit,
// tokens read from one cached window of the file.
#include "bencode.h"

#include <algorithm>
#include <cstring>

namespace ferret_plugins::bencode {

namespace {
constexpr std::size_t kWindow = 64 * 1024;
// How many tokens between two should_stop() calls: often enough to stop within milliseconds.
constexpr unsigned kTicksPerStopCheck = 4096;
}  // namespace

Reader::Reader(Source source, std::uint64_t size, int max_depth)
    : source_(std::move(source)), size_(size), max_depth_(std::clamp(max_depth, 1, 1024)), window_(kWindow) {}

bool Reader::fail(Error e, std::uint64_t pos, const char* what) {
  failure_.error = e;
  if (e == Error::stopped) stopped_ = true;
  failure_.at = pos;
  failure_.what = what;
  return false;
}

bool Reader::tick() {
  if (++ticks_ % kTicksPerStopCheck != 0 || !source_.should_stop) return true;
  return !source_.should_stop();
}

// A token's bytes come from the window, refilled only when a read leaves it: one host call per
// 64 KiB, not one per byte. Null when the file ends (or cannot be read) before n bytes.
const unsigned char* Reader::at(std::uint64_t pos, std::size_t n) {
  if (n > kWindow) return nullptr;
  if (pos >= base_ && pos - base_ <= window_length_ && window_length_ - (pos - base_) >= n) return window_.data() + (pos - base_);
  if (pos >= size_ || size_ - pos < n) return nullptr;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kWindow, size_ - pos));
  const std::int64_t got = source_.read ? source_.read(pos, window_.data(), want) : -1;
  base_ = pos;
  window_length_ = got > 0 ? static_cast<std::size_t>(std::min<std::int64_t>(got, static_cast<std::int64_t>(want))) : 0;
  if (got < 0) fail(Error::unreadable, pos, "the file cannot be read here");
  return window_length_ >= n ? window_.data() : nullptr;
}

int Reader::byte_at(std::uint64_t pos) {
  const unsigned char* c = at(pos, 1);
  return c ? *c : -1;
}

// An integer (i-12e) or a string (5:hello) at `pos`.
std::optional<Value> Reader::scalar(std::uint64_t pos) {
  const unsigned char* c = at(pos, 1);
  if (!c) {
    if (failure_.error != Error::unreadable) fail(Error::truncated, pos, "the file ends before a value");
    return std::nullopt;
  }
  Value v;
  v.begin = pos;
  if (*c == 'i') {
    v.kind = Kind::integer;
    std::uint64_t p = pos + 1;
    bool negative = false;
    const unsigned char* s = at(p, 1);
    if (s && *s == '-') {
      negative = true;
      ++p;
    }
    std::uint64_t magnitude = 0;
    int digits = 0;
    bool leading_zero = false;
    while (true) {
      const unsigned char* d = at(p, 1);
      if (!d) return fail(Error::truncated, p, "the file ends inside an integer"), std::nullopt;
      if (*d == 'e') break;
      // 19 digits hold every int64; more can only overflow.
      if (*d < '0' || *d > '9' || digits >= 19) return fail(Error::malformed, p, "a bad integer"), std::nullopt;
      if (digits == 0 && *d == '0') leading_zero = true;
      magnitude = magnitude * 10 + static_cast<std::uint64_t>(*d - '0');
      ++digits;
      ++p;
    }
    if (digits == 0 || (leading_zero && (digits > 1 || negative))) {
      return fail(Error::malformed, p, "a non-canonical integer (leading zero or -0)"), std::nullopt;
    }
    const std::uint64_t limit = negative ? static_cast<std::uint64_t>(INT64_MAX) + 1 : static_cast<std::uint64_t>(INT64_MAX);
    if (magnitude > limit) return fail(Error::malformed, p, "an integer out of range"), std::nullopt;
    v.integer = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
    v.end = p + 1;
    return v;
  }
  if (*c >= '0' && *c <= '9') {
    v.kind = Kind::string;
    std::uint64_t p = pos, length = 0;
    int digits = 0;
    while (true) {
      const unsigned char* d = at(p, 1);
      if (!d) return fail(Error::truncated, p, "the file ends inside a string length"), std::nullopt;
      if (*d == ':') break;
      if (*d < '0' || *d > '9' || digits >= 18) return fail(Error::malformed, p, "a bad string length"), std::nullopt;
      length = length * 10 + static_cast<std::uint64_t>(*d - '0');
      ++digits;
      ++p;
    }
    if (digits == 0) return fail(Error::malformed, p, "a string without a length"), std::nullopt;
    if (digits > 1 && *c == '0') return fail(Error::malformed, pos, "a string length with a leading zero"), std::nullopt;
    v.text = p + 1;
    v.text_length = length;
    // The claimed length is only compared, never allocated: a 2 GB claim in a small file ends here.
    if (v.text > size_ || length > size_ - v.text) return fail(Error::truncated, pos, "a string runs past the end of the file"), std::nullopt;
    v.end = v.text + length;
    return v;
  }
  return fail(Error::malformed, pos, "not a bencode value"), std::nullopt;
}

std::optional<Value> Reader::value(std::uint64_t pos) {
  failure_ = Failure{};
  // One entry per open container: is it a dictionary, and does it expect a key next? Depth is
  // bounded by max_depth_, so this stack is too.
  struct Open {
    bool dict;
    bool want_key;
  };
  std::vector<Open> open;
  Value top;
  top.begin = pos;
  std::uint64_t p = pos;
  while (true) {
    if (!tick()) return fail(Error::stopped, p, "the host asked to stop"), std::nullopt;
    const unsigned char* c = at(p, 1);
    if (!c) {
      if (failure_.error != Error::unreadable) fail(Error::truncated, p, "the file ends inside a list or dictionary");
      return std::nullopt;
    }
    bool completed = false;
    if (*c == 'e' && !open.empty()) {
      if (open.back().dict && !open.back().want_key) return fail(Error::malformed, p, "a key without a value"), std::nullopt;
      open.pop_back();
      ++p;
      completed = true;
    } else if (!open.empty() && open.back().dict && open.back().want_key && !(*c >= '0' && *c <= '9')) {
      return fail(Error::malformed, p, "a dictionary key that is not a string"), std::nullopt;
    } else if (*c == 'l' || *c == 'd') {
      if (static_cast<int>(open.size()) >= max_depth_) return fail(Error::too_deep, p, "lists or dictionaries nested too deep"), std::nullopt;
      if (open.empty()) top.kind = *c == 'd' ? Kind::dict : Kind::list;
      open.push_back({*c == 'd', true});
      ++p;
    } else {
      const auto s = scalar(p);
      if (!s) return std::nullopt;
      if (open.empty()) return *s;  // a scalar at the top
      p = s->end;
      completed = true;
    }
    if (!completed) continue;
    if (open.empty()) {
      top.end = p;
      return top;
    }
    if (open.back().dict) open.back().want_key = !open.back().want_key;
  }
}

bool Reader::for_each_entry(std::uint64_t pos, const std::function<bool(const Value&, const Value&)>& visit, std::uint64_t* end) {
  failure_ = Failure{};
  const unsigned char* c = at(pos, 1);
  if (!c || *c != 'd') return fail(Error::malformed, pos, "not a dictionary");
  std::uint64_t p = pos + 1;
  while (true) {
    const unsigned char* t = at(p, 1);
    if (!t) {
      if (failure_.error != Error::unreadable) fail(Error::truncated, p, "the file ends inside a dictionary");
      return false;
    }
    if (*t == 'e') {
      if (end) *end = p + 1;
      return true;
    }
    const auto key = scalar(p);
    if (!key) return false;
    if (key->kind != Kind::string) return fail(Error::malformed, p, "a dictionary key that is not a string");
    const auto val = value(key->end);
    if (!val) return false;
    if (!visit(*key, *val)) return true;
    p = val->end;
  }
}

bool Reader::for_each_element(std::uint64_t pos, const std::function<bool(const Value&)>& visit, std::uint64_t* end) {
  failure_ = Failure{};
  const unsigned char* c = at(pos, 1);
  if (!c || *c != 'l') return fail(Error::malformed, pos, "not a list");
  std::uint64_t p = pos + 1;
  while (true) {
    const unsigned char* t = at(p, 1);
    if (!t) {
      if (failure_.error != Error::unreadable) fail(Error::truncated, p, "the file ends inside a list");
      return false;
    }
    if (*t == 'e') {
      if (end) *end = p + 1;
      return true;
    }
    const auto val = value(p);
    if (!val) return false;
    if (!visit(*val)) return true;
    p = val->end;
  }
}

bool Reader::equals(const Value& v, std::string_view text) {
  if (v.kind != Kind::string || v.text_length != text.size()) return false;
  if (text.empty()) return true;
  const unsigned char* p = at(v.text, text.size());
  return p != nullptr && std::memcmp(p, text.data(), text.size()) == 0;
}

std::optional<Value> Reader::find(const Value& dict, std::string_view key) {
  if (dict.kind != Kind::dict) return std::nullopt;
  std::optional<Value> found;
  for_each_entry(dict.begin, [&](const Value& k, const Value& v) {
    if (!equals(k, key)) return true;
    found = v;
    return false;
  });
  return found;
}

std::string Reader::bytes(const Value& v, std::size_t cap, bool* complete) {
  std::string out;
  if (complete) *complete = false;
  if (v.kind != Kind::string) return out;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(v.text_length, cap));
  out.reserve(n);
  bool ok = for_each_chunk(v.text, v.text + n, [&](const unsigned char* data, std::size_t length) {
    out.append(reinterpret_cast<const char*>(data), length);
  });
  if (complete) *complete = ok && n == v.text_length;
  return out;
}

bool Reader::for_each_chunk(std::uint64_t begin, std::uint64_t end,
                            const std::function<void(const unsigned char*, std::size_t)>& sink) {
  std::uint64_t p = begin;
  end = std::min(end, size_);
  while (p < end) {
    if (source_.should_stop && ++ticks_ % 64 == 0 && source_.should_stop()) return fail(Error::stopped, p, "the host asked to stop");
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kWindow, end - p));
    const unsigned char* data = at(p, n);
    if (!data) {
      if (failure_.error != Error::unreadable) fail(Error::truncated, p, "the file ends early");
      return false;
    }
    sink(data, n);
    p += n;
  }
  return true;
}

std::string describe(const Failure& failure) {
  const char* kind = "malformed";
  switch (failure.error) {
    case Error::none: kind = "no error"; break;
    case Error::truncated: kind = "truncated"; break;
    case Error::malformed: kind = "malformed"; break;
    case Error::too_deep: kind = "nested too deep"; break;
    case Error::unreadable: kind = "unreadable"; break;
    case Error::stopped: kind = "stopped"; break;
  }
  return std::string(kind) + " at offset " + std::to_string(failure.at) + ": " + failure.what;
}

}  // namespace ferret_plugins::bencode
