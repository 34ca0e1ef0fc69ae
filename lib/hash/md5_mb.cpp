// Multi-buffer MD5: lane bookkeeping (tails, padding), the engine choice, the portable block function.
#include "hash/md5_mb.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "core/text.h"
#include "hash/digest.h"
#include "hash/md5_constants.h"

namespace ferret::hash {

namespace md5_detail {
namespace {
inline std::uint32_t rotl(std::uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }

// Step I of the 64, unrolled at compile time (the round's function, word and shift are constants).
template <int I>
inline void step(std::uint32_t v[4], const std::uint32_t w[16]) {
  constexpr int round = I / 16;
  constexpr int g = message_index(I);
  std::uint32_t& a = v[(4 - I % 4) % 4];
  const std::uint32_t b = v[(5 - I % 4) % 4], c = v[(6 - I % 4) % 4], d = v[(7 - I % 4) % 4];
  std::uint32_t f;
  if constexpr (round == 0) {
    f = d ^ (b & (c ^ d));
  } else if constexpr (round == 1) {
    f = c ^ (d & (b ^ c));
  } else if constexpr (round == 2) {
    f = b ^ c ^ d;
  } else {
    f = c ^ (b | ~d);
  }
  a = b + rotl(a + f + kK[I] + w[g], kShift[round][I % 4]);
}

template <int... I>
inline void all_steps(std::integer_sequence<int, I...>, std::uint32_t v[4], const std::uint32_t w[16]) {
  (step<I>(v, w), ...);
}
}  // namespace

void compress_scalar(std::uint32_t state[4], const std::uint8_t* block) {
  std::uint32_t w[16];
  for (int j = 0; j < 16; ++j) {
    const std::uint8_t* b = block + 4 * j;
    w[j] = std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
  }
  std::uint32_t v[4] = {state[0], state[1], state[2], state[3]};
  all_steps(std::make_integer_sequence<int, 64>{}, v, w);
  for (int k = 0; k < 4; ++k) state[k] += v[k];
}

}  // namespace md5_detail

namespace {
constexpr std::uint32_t kInitial[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
// Below this many lanes with pending blocks, one lane at a time is cheaper than all sixteen at once.
constexpr std::size_t kMinVectorLanes = 3;
alignas(64) constexpr std::uint8_t kIdleBlock[64] = {};
}  // namespace

struct Md5Lanes::Lane {
  const std::uint8_t* data = nullptr;  // the submission's next unhashed byte
  std::size_t pending = 0;
  std::uint8_t tail[64] = {};  // a block not yet complete
  std::size_t tail_length = 0;
  std::uint64_t length = 0;  // bytes of the message so far
  std::optional<Digest> openssl;
};

bool Md5Lanes::avx2_supported() {
#if defined(FERRET_HAVE_MD5_AVX2)
  static const bool supported = __builtin_cpu_supports("avx2");
  return supported;
#else
  return false;
#endif
}

Md5Lanes::Md5Lanes(Engine engine) : engine_(engine), lanes_(std::make_unique<Lane[]>(kLanes)) {
  if (engine_ != Engine::openssl) engine_ = avx2_supported() ? Engine::avx2 : Engine::openssl;
  for (std::size_t lane = 0; lane < kLanes; ++lane) start(lane);
}
Md5Lanes::~Md5Lanes() = default;

void Md5Lanes::start(std::size_t lane) {
  Lane& l = lanes_[lane];
  l.data = nullptr;
  l.pending = 0;
  l.tail_length = 0;
  l.length = 0;
  if (engine_ == Engine::openssl) {
    l.openssl.emplace(Algorithm::md5);
  } else {
    for (int k = 0; k < 4; ++k) state_[k][lane] = kInitial[k];
  }
}

void Md5Lanes::submit(std::size_t lane, std::span<const std::byte> bytes) {
  Lane& l = lanes_[lane];
  if (engine_ == Engine::openssl) {
    l.openssl->update(bytes);
    return;
  }
  l.data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  l.pending = bytes.size();
  l.length += bytes.size();
  absorb_tail(lane);
}

std::size_t Md5Lanes::pending(std::size_t lane) const { return lanes_[lane].pending; }

// Completes a started tail block from the submission, and moves a submission shorter than a block
// into the tail: afterwards either nothing is pending or whole blocks start at `data`.
void Md5Lanes::absorb_tail(std::size_t lane) {
  Lane& l = lanes_[lane];
  if (l.tail_length > 0 && l.pending > 0) {
    const std::size_t take = std::min(64 - l.tail_length, l.pending);
    std::memcpy(l.tail + l.tail_length, l.data, take);
    l.tail_length += take;
    l.data += take;
    l.pending -= take;
    if (l.tail_length == 64) {
      std::uint32_t s[4] = {state_[0][lane], state_[1][lane], state_[2][lane], state_[3][lane]};
      md5_detail::compress_scalar(s, l.tail);
      for (int k = 0; k < 4; ++k) state_[k][lane] = s[k];
      l.tail_length = 0;
    }
  }
  if (l.pending > 0 && l.pending < 64) {
    std::memcpy(l.tail + l.tail_length, l.data, l.pending);
    l.tail_length += l.pending;
    l.data += l.pending;
    l.pending = 0;
  }
}

void Md5Lanes::drain(std::size_t lane) {
  Lane& l = lanes_[lane];
  if (engine_ == Engine::openssl || l.pending == 0) return;
  std::uint32_t s[4] = {state_[0][lane], state_[1][lane], state_[2][lane], state_[3][lane]};
  for (; l.pending >= 64; l.pending -= 64, l.data += 64) md5_detail::compress_scalar(s, l.data);
  for (int k = 0; k < 4; ++k) state_[k][lane] = s[k];
  absorb_tail(lane);
}

void Md5Lanes::run() {
  if (engine_ == Engine::openssl) return;
  std::size_t ready = 0, blocks = 0;
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    if (lanes_[lane].pending == 0) continue;
    const std::size_t n = lanes_[lane].pending / 64;
    blocks = ready == 0 ? n : std::min(blocks, n);
    ++ready;
  }
  if (ready == 0) return;
  if (ready < kMinVectorLanes) {
    for (std::size_t lane = 0; lane < kLanes; ++lane) drain(lane);
    return;
  }
#if defined(FERRET_HAVE_MD5_AVX2)
  const std::uint8_t* data[kLanes];
  std::size_t stride[kLanes];
  std::uint32_t saved[4][kLanes];
  std::memcpy(saved, state_, sizeof saved);
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    const bool busy = lanes_[lane].pending > 0;
    data[lane] = busy ? lanes_[lane].data : kIdleBlock;
    stride[lane] = busy ? 64 : 0;
  }
  md5_detail::compress_x16_avx2(state_, data, stride, blocks);
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    Lane& l = lanes_[lane];
    if (l.pending == 0) {
      for (int k = 0; k < 4; ++k) state_[k][lane] = saved[k][lane];  // an idle lane keeps its message
      continue;
    }
    l.data += blocks * 64;
    l.pending -= blocks * 64;
    absorb_tail(lane);
  }
#endif
}

std::string Md5Lanes::finish_hex(std::size_t lane) {
  Lane& l = lanes_[lane];
  if (engine_ == Engine::openssl) {
    std::string hex = l.openssl->finish_hex();
    start(lane);
    return hex;
  }
  drain(lane);
  std::uint32_t s[4] = {state_[0][lane], state_[1][lane], state_[2][lane], state_[3][lane]};
  std::uint8_t last[128] = {};
  std::memcpy(last, l.tail, l.tail_length);
  last[l.tail_length] = 0x80;
  const std::size_t total = l.tail_length < 56 ? 64 : 128;
  const std::uint64_t bits = l.length * 8;
  for (int i = 0; i < 8; ++i) last[total - 8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(bits >> (8 * i));
  md5_detail::compress_scalar(s, last);
  if (total == 128) md5_detail::compress_scalar(s, last + 64);
  unsigned char digest[16];
  for (int k = 0; k < 4; ++k) {
    for (int i = 0; i < 4; ++i) digest[4 * k + i] = static_cast<unsigned char>(s[k] >> (8 * i));
  }
  start(lane);
  return to_hex(std::span<const unsigned char>(digest));
}

}  // namespace ferret::hash
