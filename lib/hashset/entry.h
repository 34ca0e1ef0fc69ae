// What a hash list holds once parsed: entries of one or several digests plus optional metadata.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "hash/digest.h"

namespace ferret::hashset {

using hash::Algorithm;

inline constexpr std::size_t kMaxDigestSize = 32;

// Digest size in bytes: 16, 20, 32.
constexpr std::size_t digest_size(Algorithm algorithm) {
  return algorithm == Algorithm::md5 ? 16 : algorithm == Algorithm::sha1 ? 20 : 32;
}

// The algorithm whose hex form has `hex_digits` digits (32, 40, 64), if any.
std::optional<Algorithm> algorithm_for_hex_length(std::size_t hex_digits);

// "md5", "sha1", "sha256" (also "MD5", "SHA-1", "sha_256"...) -> the algorithm.
std::optional<Algorithm> algorithm_from_name(std::string_view name);

struct DigestValue {
  Algorithm algorithm = Algorithm::md5;
  std::array<unsigned char, kMaxDigestSize> bytes{};
  std::span<const unsigned char> view() const { return {bytes.data(), digest_size(algorithm)}; }
  std::string hex() const;
};

// Parses `hex` (either case) as a digest of `algorithm`. The error says why, fit for a reject
// reason: "md5 has 31 hex digits, expected 32", "md5 is not hexadecimal ('g' at position 5)".
Result<DigestValue> parse_hex_digest(Algorithm algorithm, std::string_view hex);

// Metadata kept for an entry. The views are valid only during the EntrySink call that receives them.
struct EntryMetadata {
  std::string_view title, release, rights_holder, url, file_name;
  std::optional<std::uint64_t> size;
  bool empty() const {
    return title.empty() && release.empty() && rights_holder.empty() && url.empty() && file_name.empty() && !size;
  }
};

// One parsed line (or record): at most one digest per algorithm.
struct Entry {
  std::array<DigestValue, 3> digests{};
  std::size_t digest_count = 0;
  EntryMetadata meta;
  std::uint64_t line = 0;  // where the entry starts in its source (1-based)

  std::span<const DigestValue> all_digests() const { return {digests.data(), digest_count}; }
  // False when the entry already holds a digest of that algorithm.
  bool add(const DigestValue& digest);
};

// Receives what a parser finds. Rejected lines carry the line number and why.
class EntrySink {
 public:
  virtual ~EntrySink() = default;
  virtual Status entry(const Entry& entry) = 0;
  virtual void reject(std::uint64_t line, std::string reason) = 0;
};

enum class Category { notable, known_good, other };
const char* category_name(Category category);  // "notable", "known-good", "other"
std::optional<Category> category_from_name(std::string_view name);

}  // namespace ferret::hashset
