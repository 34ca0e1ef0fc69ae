// Fuzzes the reader of Ferret's own compiled hash-set file (.ferret-hashset, schemas/hashset-format.md):
// sets are passed between units, so a received one is outside input. What ferret-match does with a
// set, in its order: open (header and section bounds), the metadata JSON, lookups on the unverified
// file (one at a time and batched) and the metadata of every entry a lookup finds; then the full
// verify() that ferret-hashset verify runs.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "fuzz_support.h"
#include "hashset/format.h"
#include "hashset/json_reader.h"

using namespace ferret::hashset;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = ferret::fuzz::write_temp("input.ferret-hashset", data, size);
  auto index = HashSetIndex::open(path);
  if (!index.ok()) return 0;
  (void)json::parse(index->metadata_json());

  // Digests to look up: every 16-byte step of the input (stored records among them), all zeros and
  // all ones, for each algorithm the set holds.
  std::vector<DigestValue> digests;
  for (Algorithm a : {Algorithm::md5, Algorithm::sha1, Algorithm::sha256}) {
    if (!index->has(a)) continue;
    const std::size_t n = digest_size(a);
    DigestValue zeros{a, {}};
    DigestValue ones{a, {}};
    std::fill_n(ones.bytes.begin(), n, 0xff);
    digests.push_back(zeros);
    digests.push_back(ones);
    for (std::size_t at = 0; at + n <= size && digests.size() < 512; at += 16) {
      DigestValue d{a, {}};
      std::copy_n(data + at, n, d.bytes.begin());
      digests.push_back(d);
    }
  }
  std::vector<std::optional<EntryRef>> batched(digests.size());
  index->lookup(digests, batched);
  bool agree = true;
  for (std::size_t i = 0; i < digests.size(); ++i) {
    const auto one = index->lookup(digests[i].algorithm, digests[i].view());
    agree = agree && one.has_value() == batched[i].has_value() && (!one || one->index == batched[i]->index);
    if (one && one->has_metadata()) (void)index->entry(*one);
  }
  // On a file that verifies (records in order, tables consistent) both lookups must give one answer;
  // on a damaged one they need only be safe.
  if (index->verify().ok() && !agree) __builtin_trap();
  return 0;
}
