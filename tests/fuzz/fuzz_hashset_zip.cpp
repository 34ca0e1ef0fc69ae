// Fuzzes zip archives of hash lists: the end record and central directory, then each member
// streamed (stored or deflate) with its size and CRC-32 checked.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.h"
#include "hashset/zip_source.h"

using namespace ferret::hashset;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = ferret::fuzz::write_temp("input.zip", data, size);
  auto archive = ZipArchive::open(path);
  if (!archive.ok()) return 0;
  std::vector<char> buffer(64u << 10);
  const std::size_t members = std::min<std::size_t>(archive->members().size(), 16);
  for (std::size_t i = 0; i < members; ++i) {
    (void)zip_member_unsupported(archive->members()[i]);
    auto member = archive->open_member(i);
    if (!member.ok()) continue;
    // At most 8 MiB of each member: a deflate bomb costs time, it is not a parser bug.
    std::size_t total = 0;
    while (total < (8u << 20)) {
      auto n = (*member)->read(buffer);
      if (!n.ok() || *n == 0) break;
      total += *n;
    }
    if (total < (8u << 20)) (void)(*member)->finish_sha256();
  }
  return 0;
}
