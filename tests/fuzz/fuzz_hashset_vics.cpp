// Fuzzes the JSON side of hash sets: the strict JSON reader, JSON detection, and the streaming
// VICS 1.x/2.0 parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hashset/input.h"
#include "hashset/json_reader.h"
#include "hashset/parsers.h"
#include "hashset/vics_parser.h"

namespace {

using namespace ferret::hashset;

class CheckingSink final : public EntrySink {
 public:
  ferret::Status entry(const Entry& e) override {
    if (e.digest_count == 0 || e.digest_count > 3) __builtin_trap();
    return {};
  }
  void reject(std::uint64_t, std::string) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  if (auto value = json::parse(bytes); value.ok()) {
    (void)value->string_or("name");
    (void)value->uint_or("version");
  }
  (void)detect_json(std::string_view(bytes).substr(0, 64u << 10));
  MemorySource source(bytes);
  auto parser = make_vics_parser(source);
  CheckingSink sink;
  (void)parser->run(sink, nullptr);
  (void)parser->summary();
  return 0;
}
