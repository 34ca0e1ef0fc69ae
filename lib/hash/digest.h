// MD5, SHA-1 and SHA-256 of one byte stream, and of a whole medium read in parallel.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "image/image_source.h"

namespace ferret::hash {

enum class Algorithm { md5, sha1, sha256 };
inline constexpr Algorithm kAllAlgorithms[] = {Algorithm::md5, Algorithm::sha1, Algorithm::sha256};
const char* algorithm_name(Algorithm algorithm);  // "md5", "sha1", "sha256"

struct Digests {
  std::string md5, sha1, sha256;  // lowercase hex
  const std::string& get(Algorithm a) const;
  std::string& get(Algorithm a);
};

// One incremental digest (OpenSSL EVP). Movable, not copyable.
class Digest {
 public:
  explicit Digest(Algorithm algorithm);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void update(std::span<const std::byte> bytes);
  std::string finish_hex();  // the digest, lowercase hex; the object is spent afterwards

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The three digests of `bytes` (small inputs, tests).
Digests digest_all(std::span<const std::byte> bytes);

// A range of the medium that could not be read; hashed as zeros, as dc3dd and ewfacquire do.
struct UnreadableRange {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string message;
};

struct MediaHashOutcome {
  Digests digests;
  std::vector<UnreadableRange> unreadable;  // coalesced, in offset order
  std::uint64_t bytes_hashed = 0;
};

struct MediaHashOptions {
  std::size_t chunk_size = 8u << 20;  // bytes per read
  unsigned reader_threads = 0;        // 0: sized to the machine
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  // called from a worker thread
  const std::atomic<bool>* cancel = nullptr;  // when set to true, hashing stops with Errc::interrupted
};

// Hashes the whole medium with the three algorithms in one pass over its bytes: reads run on
// several threads (so E01 decompression uses every core) while each algorithm runs on a thread
// of its own, consuming the chunks in order. Unreadable sectors are zero-filled and reported.
Result<MediaHashOutcome> hash_media(const image::ImageSource& source, const MediaHashOptions& options = {});

}  // namespace ferret::hash
