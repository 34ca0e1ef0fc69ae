// Digest parsing and the small vocabularies of hash sets.
#include "hashset/entry.h"

#include "core/text.h"

namespace ferret::hashset {

std::optional<Algorithm> algorithm_for_hex_length(std::size_t hex_digits) {
  switch (hex_digits) {
    case 32: return Algorithm::md5;
    case 40: return Algorithm::sha1;
    case 64: return Algorithm::sha256;
    default: return std::nullopt;
  }
}

std::optional<Algorithm> algorithm_from_name(std::string_view name) {
  std::string folded;
  for (char c : name) {
    if (c == '-' || c == '_' || c == ' ') continue;
    folded.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  if (folded == "md5") return Algorithm::md5;
  if (folded == "sha1") return Algorithm::sha1;
  if (folded == "sha256") return Algorithm::sha256;
  return std::nullopt;
}

std::string DigestValue::hex() const { return to_hex(view()); }

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", u);
  return buf;
}
}  // namespace

Result<DigestValue> parse_hex_digest(Algorithm algorithm, std::string_view hex) {
  const std::size_t want = digest_size(algorithm) * 2;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (hex_value(hex[i]) < 0) {
      return make_error(Errc::corrupt, std::string(hash::algorithm_name(algorithm)) + " is not hexadecimal (" +
                                           printable(hex[i]) + " at position " + std::to_string(i + 1) + ")");
    }
  }
  if (hex.size() != want) {
    return make_error(Errc::corrupt, std::string(hash::algorithm_name(algorithm)) + " has " + std::to_string(hex.size()) +
                                         " hex digits, expected " + std::to_string(want));
  }
  DigestValue out;
  out.algorithm = algorithm;
  for (std::size_t i = 0; i < want / 2; ++i) {
    out.bytes[i] = static_cast<unsigned char>(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
  }
  return out;
}

bool Entry::add(const DigestValue& digest) {
  for (std::size_t i = 0; i < digest_count; ++i) {
    if (digests[i].algorithm == digest.algorithm) return false;
  }
  digests[digest_count++] = digest;
  return true;
}

const char* category_name(Category category) {
  switch (category) {
    case Category::notable: return "notable";
    case Category::known_good: return "known-good";
    case Category::other: return "other";
  }
  return "other";
}

std::optional<Category> category_from_name(std::string_view name) {
  if (name == "notable") return Category::notable;
  if (name == "known-good") return Category::known_good;
  if (name == "other") return Category::other;
  return std::nullopt;
}

}  // namespace ferret::hashset
