// Fuzzes the carving validators: every signature of the registry (lib/carve/signatures.cpp) that
// matches the input is validated over it, in full and through a view that turns unreadable part-way,
// and the verdict is checked against the validator contract (never more than the bytes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <span>

#include "carve/format.h"

namespace {

using namespace ferret::carve;

// Bytes whose media cannot be read from `bad` on (a damaged sector ends every view there).
class DamagedBytes final : public Bytes {
 public:
  DamagedBytes(std::span<const std::uint8_t> data, std::uint64_t bad) : data_(data), bad_(bad) {}
  std::uint64_t size() const override { return data_.size(); }
  std::span<const std::uint8_t> view(std::uint64_t pos, std::size_t len) override {
    if (len > kMaxView) __builtin_trap();  // the contract: no view larger than kMaxView
    if (pos >= bad_ || pos >= data_.size()) return {};
    const std::uint64_t end = std::min<std::uint64_t>({pos + len, bad_, std::uint64_t{data_.size()}});
    return data_.subspan(pos, end - pos);
  }

 private:
  std::span<const std::uint8_t> data_;
  std::uint64_t bad_;
};

void check(const Signature& s, const Verdict& v, std::uint64_t size, const Limits& limits) {
  if (v.status != Status::rejected && (v.length > size || v.length > limits.max_item)) {
    std::fprintf(stderr, "%.*s: %s verdict of %llu bytes over %llu bytes (max_item %llu)\n", static_cast<int>(s.family.size()),
                 s.family.data(), status_name(v.status), static_cast<unsigned long long>(v.length), static_cast<unsigned long long>(size),
                 static_cast<unsigned long long>(limits.max_item));
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const Signature& s : signatures()) {
    if (text.size() < s.magic_offset + s.magic.size() || text.substr(s.magic_offset, s.magic.size()) != s.magic) continue;
    Limits limits;
    DamagedBytes whole(bytes, UINT64_MAX);
    check(s, s.validate(whole, limits), size, limits);
    // The same bytes with the last third unreadable, and an item limit of half the input.
    DamagedBytes damaged(bytes, size - size / 3);
    check(s, s.validate(damaged, limits), size, limits);
    Limits small;
    small.max_item = size / 2 + 1;
    DamagedBytes again(bytes, UINT64_MAX);
    check(s, s.validate(again, small), size, small);
  }
  return 0;
}
