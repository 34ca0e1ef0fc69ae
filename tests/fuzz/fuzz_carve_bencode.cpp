// Fuzzes the carver's bencode walker (lib/carve/formats/bencode.h): the value at 0, then every
// entry and element of the containers it holds, two levels deep.
#include <cstddef>
#include <cstdint>
#include <span>

#include "carve/format.h"
#include "carve/formats/bencode.h"

namespace {

using namespace ferret::carve;

void walk(bencode::Reader& reader, const bencode::Value& v, int depth) {
  if (depth > 2) return;
  if (v.kind == bencode::Kind::dict) {
    (void)reader.find(v, "info");
    reader.for_each_entry(v, [&](const bencode::Value& key, const bencode::Value& value) {
      if (key.kind != bencode::Kind::string || key.end > value.begin || value.begin >= value.end || value.end > v.end) __builtin_trap();
      (void)reader.equals(key, "pieces");
      walk(reader, value, depth + 1);
      return true;
    });
  } else if (v.kind == bencode::Kind::list) {
    reader.for_each_element(v, [&](const bencode::Value& element) {
      if (element.begin >= element.end || element.end > v.end) __builtin_trap();
      walk(reader, element, depth + 1);
      return true;
    });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  MemoryBytes bytes(std::span<const std::uint8_t>(data, size));
  bencode::Reader reader(bytes, size);
  auto value = reader.value(0);
  if (!value) return 0;
  if (value->end > size || value->begin != 0) __builtin_trap();
  walk(reader, *value, 0);
  return 0;
}
