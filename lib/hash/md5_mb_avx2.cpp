// The AVX2 multi-buffer MD5 kernel: two groups of eight lanes, their rounds interleaved so that one
// group's dependency chain fills the other's latency. Built with -mavx2; called only after a CPU check.
#include <immintrin.h>

#include <utility>

#include "hash/md5_constants.h"
#include "hash/md5_mb.h"

namespace ferret::hash::md5_detail {
namespace {

// Eight lanes' 16 message words, word-major: w[j] holds word j of every lane.
struct Words {
  __m256i w[16];
};

// Eight rows of eight 32-bit words -> eight columns.
inline void transpose8(__m256i r[8]) {
  const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
  const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
  const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
  const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
  const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
  r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
  r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
  r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
  r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
  r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
  r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
  r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
  r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

inline void load_words(Words& out, const std::uint8_t* const p[8]) {
  __m256i lo[8], hi[8];
  for (int i = 0; i < 8; ++i) {
    lo[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p[i]));
    hi[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p[i] + 32));
  }
  transpose8(lo);
  transpose8(hi);
  for (int j = 0; j < 8; ++j) {
    out.w[j] = lo[j];
    out.w[8 + j] = hi[j];
  }
}

template <int S>
inline __m256i rotl(__m256i x) {
  return _mm256_or_si256(_mm256_slli_epi32(x, S), _mm256_srli_epi32(x, 32 - S));
}

// Step I of the 64, for one group: v holds A, B, C, D; the roles rotate by one each step.
template <int I>
inline void step(__m256i v[4], const Words& m) {
  constexpr int round = I / 16;
  __m256i& a = v[(4 - I % 4) % 4];
  const __m256i b = v[(5 - I % 4) % 4], c = v[(6 - I % 4) % 4], d = v[(7 - I % 4) % 4];
  __m256i f;
  if constexpr (round == 0) {
    f = _mm256_xor_si256(d, _mm256_and_si256(b, _mm256_xor_si256(c, d)));
  } else if constexpr (round == 1) {
    f = _mm256_xor_si256(c, _mm256_and_si256(d, _mm256_xor_si256(b, c)));
  } else if constexpr (round == 2) {
    f = _mm256_xor_si256(_mm256_xor_si256(b, c), d);
  } else {
    f = _mm256_xor_si256(c, _mm256_or_si256(b, _mm256_xor_si256(d, _mm256_set1_epi32(-1))));
  }
  const __m256i kw = _mm256_add_epi32(m.w[message_index(I)], _mm256_set1_epi32(static_cast<int>(kK[I])));
  a = _mm256_add_epi32(b, rotl<kShift[round][I % 4]>(_mm256_add_epi32(_mm256_add_epi32(a, f), kw)));
}

template <int... I>
inline void all_steps(std::integer_sequence<int, I...>, __m256i v0[4], const Words& m0, __m256i v1[4], const Words& m1) {
  ((step<I>(v0, m0), step<I>(v1, m1)), ...);
}

}  // namespace

void compress_x16_avx2(std::uint32_t state[4][16], const std::uint8_t* const data[16], const std::size_t stride[16],
                       std::size_t blocks) {
  __m256i v0[4], v1[4];
  for (int k = 0; k < 4; ++k) {
    v0[k] = _mm256_load_si256(reinterpret_cast<const __m256i*>(&state[k][0]));
    v1[k] = _mm256_load_si256(reinterpret_cast<const __m256i*>(&state[k][8]));
  }
  const std::uint8_t* p[16];
  for (int i = 0; i < 16; ++i) p[i] = data[i];
  for (std::size_t n = 0; n < blocks; ++n) {
    Words m0, m1;
    load_words(m0, p);
    load_words(m1, p + 8);
    __m256i s0[4], s1[4];
    for (int k = 0; k < 4; ++k) {
      s0[k] = v0[k];
      s1[k] = v1[k];
    }
    all_steps(std::make_integer_sequence<int, 64>{}, v0, m0, v1, m1);
    for (int k = 0; k < 4; ++k) {
      v0[k] = _mm256_add_epi32(v0[k], s0[k]);
      v1[k] = _mm256_add_epi32(v1[k], s1[k]);
    }
    for (int i = 0; i < 16; ++i) p[i] += stride[i];
  }
  for (int k = 0; k < 4; ++k) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(&state[k][0]), v0[k]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(&state[k][8]), v1[k]);
  }
}

}  // namespace ferret::hash::md5_detail
