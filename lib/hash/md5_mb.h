// Multi-buffer MD5: up to sixteen independent messages hashed together (AVX2, two interleaved groups
// of eight 32-bit lanes), because one MD5 stream is a serial chain that leaves most of a core idle.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace ferret::hash {

// Lanes, each holding one message being hashed. The caller hands a lane its next bytes with
// submit(); run() hashes the whole 64-byte blocks that every lane with pending bytes can give, all
// lanes at once, until one of them runs dry; the bytes of a submission must stay valid until
// pending(lane) is 0 again (a tail shorter than a block is copied into the lane).
// Without AVX2 (or with Engine::openssl) each lane is an OpenSSL MD5 context instead: the same
// results, submitted bytes are hashed at once. Not thread-safe: one object per thread.
class Md5Lanes {
 public:
  static constexpr std::size_t kLanes = 16;
  enum class Engine { automatic, avx2, openssl };

  explicit Md5Lanes(Engine engine = Engine::automatic);
  ~Md5Lanes();
  Md5Lanes(const Md5Lanes&) = delete;
  Md5Lanes& operator=(const Md5Lanes&) = delete;

  // Whether this machine (and build) can run the AVX2 engine.
  static bool avx2_supported();
  // The engine in use: avx2 or openssl (automatic picks avx2 when supported; avx2 asked for on a
  // machine without it gives openssl).
  Engine engine() const { return engine_; }

  // Starts a new, empty message in `lane`, dropping whatever the lane held.
  void start(std::size_t lane);
  // Appends `bytes` to the lane's message. The lane's earlier submission must be consumed
  // (pending(lane) == 0).
  void submit(std::size_t lane, std::span<const std::byte> bytes);
  // Submitted bytes of the lane not hashed (nor copied) yet.
  std::size_t pending(std::size_t lane) const;
  // Hashes pending bytes of every lane until at least one lane that had pending bytes has none.
  void run();
  // Hashes the lane's pending bytes (alone).
  void drain(std::size_t lane);
  // The digest of the lane's message; its pending bytes are hashed first. The lane is free after.
  std::array<std::uint8_t, 16> finish(std::size_t lane);
  std::string finish_hex(std::size_t lane);

 private:
  struct Lane;
  void absorb_tail(std::size_t lane);
  Engine engine_;
  std::unique_ptr<Lane[]> lanes_;
  alignas(32) std::uint32_t state_[4][kLanes];  // A, B, C, D of every lane (AVX2 engine)
};

namespace md5_detail {
// One 64-byte block into one MD5 state (portable; used for lane tails and padding).
void compress_scalar(std::uint32_t state[4], const std::uint8_t* block);
// `blocks` blocks of every lane into state[4][16]: lane i reads from data[i], moving by stride[i]
// bytes per block (0 for a lane whose state is restored afterwards). Requires AVX2.
void compress_x16_avx2(std::uint32_t state[4][16], const std::uint8_t* const data[16], const std::size_t stride[16],
                       std::size_t blocks);
}  // namespace md5_detail

}  // namespace ferret::hash
