// Fuzzes the plugins' bencode reader (plugins/common/bencode.h) over a windowed source: the value
// at 0, its entries and elements, their bytes and chunks.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bencode.h"

namespace {

using namespace ferret_plugins;

void walk(bencode::Reader& reader, const bencode::Value& v, int depth) {
  if (depth > 2) return;
  if (v.kind == bencode::Kind::string) {
    bool complete = false;
    const std::string s = reader.bytes(v, 256, &complete);
    if (s.size() > 256) __builtin_trap();
    return;
  }
  if (v.kind == bencode::Kind::dict) {
    (void)reader.find(v, "info");
    reader.for_each_entry(v.begin, [&](const bencode::Value& key, const bencode::Value& value) {
      if (key.kind != bencode::Kind::string || value.end > v.end) __builtin_trap();
      (void)reader.equals(key, "pieces");
      walk(reader, value, depth + 1);
      return true;
    });
  } else if (v.kind == bencode::Kind::list) {
    reader.for_each_element(v.begin, [&](const bencode::Value& element) {
      if (element.end > v.end) __builtin_trap();
      walk(reader, element, depth + 1);
      return true;
    });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bencode::Source source;
  source.read = [data, size](std::uint64_t offset, void* buffer, std::size_t length) -> std::int64_t {
    if (offset >= size) return 0;
    const std::size_t n = std::min<std::size_t>(length, size - offset);
    std::memcpy(buffer, data + offset, n);
    return static_cast<std::int64_t>(n);
  };
  source.should_stop = [] { return false; };
  bencode::Reader reader(source, size);
  auto value = reader.value(0);
  if (value) {
    if (value->end > size) __builtin_trap();
    walk(reader, *value, 0);
    std::uint64_t total = 0;
    reader.for_each_chunk(value->begin, value->end, [&](const unsigned char*, std::size_t n) { total += n; });
  } else {
    (void)bencode::describe(reader.failure());
  }
  // Entries of a damaged dictionary are visited up to the damage.
  if (size > 0 && data[0] == 'd') reader.for_each_entry(0, [](const bencode::Value&, const bencode::Value&) { return true; });
  return 0;
}
