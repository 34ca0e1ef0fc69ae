// Fuzzes NSRL RDSv3 databases: the input is written to a file and read as an SQLite database
// (inspect_rdsv3, then the row parser).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "hashset/rdsv3.h"

namespace {

using namespace ferret::hashset;

class CheckingSink final : public EntrySink {
 public:
  ferret::Status entry(const Entry& e) override {
    if (e.digest_count == 0 || e.digest_count > 3) __builtin_trap();
    // Stop a database of millions of rows early: the work per row is what is fuzzed.
    return ++rows_ > 10000 ? ferret::Status(ferret::make_error(ferret::Errc::interrupted, "enough")) : ferret::Status{};
  }
  void reject(std::uint64_t, std::string) override { ++rows_; }

 private:
  std::uint64_t rows_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = ferret::fuzz::write_temp("NSRLFile.db", data, size);
  (void)inspect_rdsv3(path);
  auto parser = open_rdsv3_parser(path);
  if (!parser.ok()) return 0;
  CheckingSink sink;
  (void)(*parser)->run(sink, nullptr);
  (void)(*parser)->summary();
  return 0;
}
