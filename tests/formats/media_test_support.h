// Helpers for the audio/video validator tests: fixtures, fillers, cuts, overwrites, fuzzing.
// Self-contained (format_test_support.h is the image tests' and may change under them); its own
// namespace so the two never clash.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "carve/format.h"

namespace ferret::carve::media_test {

using Buffer = std::vector<std::uint8_t>;

// The committed fixture tests/formats/data/<name>; empty when it is absent.
inline Buffer read_fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(FERRET_FORMAT_DATA_DIR) / name, std::ios::binary);
  return Buffer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

#define FERRET_MEDIA_FIXTURE(var, name)                                                    \
  const ::ferret::carve::media_test::Buffer var = ::ferret::carve::media_test::read_fixture(name); \
  ASSERT_FALSE(var.empty()) << "fixture missing or empty: " << (name)

inline Buffer random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Buffer out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

inline void overwrite_random(Buffer& b, std::size_t pos, std::size_t len, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (std::size_t i = pos; i < b.size() && i < pos + len; ++i) b[i] = static_cast<std::uint8_t>(rng());
}

inline Buffer concat(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  Buffer out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// What follows a deleted item in unallocated space.
enum class Filler { zeros, random, other_file };
inline const char* filler_name(Filler f) {
  switch (f) {
    case Filler::zeros: return "zeros";
    case Filler::random: return "random";
    case Filler::other_file: return "other file";
  }
  return "?";
}

// `item` then `tail_len` bytes of filler; other_file repeats `other` (another file's start).
inline Buffer followed_by(std::span<const std::uint8_t> item, Filler filler, std::size_t tail_len = 4096,
                          std::span<const std::uint8_t> other = {}, std::uint64_t seed = 1) {
  Buffer out(item.begin(), item.end());
  if (filler == Filler::zeros) {
    out.resize(item.size() + tail_len, 0);
  } else if (filler == Filler::random || other.empty()) {
    const Buffer r = random_bytes(tail_len, seed);
    out.insert(out.end(), r.begin(), r.end());
  } else {
    while (out.size() < item.size() + tail_len) {
      const std::size_t n = std::min(other.size(), item.size() + tail_len - out.size());
      out.insert(out.end(), other.begin(), other.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }
  return out;
}

inline void put_u32be(Buffer& b, std::size_t pos, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b.at(pos + i) = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}
inline void put_u16be(Buffer& b, std::size_t pos, std::uint16_t v) {
  b.at(pos) = static_cast<std::uint8_t>(v >> 8);
  b.at(pos + 1) = static_cast<std::uint8_t>(v);
}

// MemoryBytes that checks the validator's side of the contract: no view larger than kMaxView.
class CheckedBytes final : public Bytes {
 public:
  explicit CheckedBytes(std::span<const std::uint8_t> data) : inner_(data) {}
  std::uint64_t size() const override { return inner_.size(); }
  std::span<const std::uint8_t> view(std::uint64_t pos, std::size_t len) override {
    EXPECT_LE(len, kMaxView) << "view larger than kMaxView at " << pos;
    return inner_.view(pos, len);
  }

 private:
  MemoryBytes inner_;
};

// A space far larger than memory: `head`, then `fill` bytes up to `total`.
class HugeBytes final : public Bytes {
 public:
  HugeBytes(Buffer head, std::uint64_t total, std::uint8_t fill = 0)
      : head_(std::move(head)), total_(total), fill_(kMaxView, fill) {}
  std::uint64_t size() const override { return total_; }
  std::span<const std::uint8_t> view(std::uint64_t pos, std::size_t len) override {
    EXPECT_LE(len, kMaxView);
    if (pos >= total_) return {};
    len = static_cast<std::size_t>(std::min<std::uint64_t>({len, kMaxView, total_ - pos}));
    if (pos >= head_.size()) return {fill_.data(), len};
    scratch_.assign(head_.begin() + static_cast<std::ptrdiff_t>(pos),
                    head_.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(head_.size(), pos + len)));
    scratch_.resize(len, fill_[0]);
    return scratch_;
  }

 private:
  Buffer head_;
  std::uint64_t total_;
  Buffer fill_;
  Buffer scratch_;
};

inline std::string describe(const Verdict& v) {
  return std::string(status_name(v.status)) + " len=" + std::to_string(v.length) + " type=" + v.type +
         " ext=" + v.extension + (v.missing.empty() ? "" : " (" + v.missing + ")");
}

// Runs a validator and checks what every verdict must satisfy.
inline Verdict run(ValidateFn fn, std::span<const std::uint8_t> data, const Limits& limits = {}) {
  CheckedBytes b(data);
  Verdict v = fn(b, limits);
  EXPECT_LE(v.length, data.size()) << "length past the end of the space: " << describe(v);
  if (v.status != Status::complete) {
    EXPECT_FALSE(v.missing.empty()) << "a partial or rejected verdict says why";
  } else {
    EXPECT_LE(v.length, limits.max_item) << describe(v);
  }
  return v;
}

// The item followed by zeros, random bytes, another file's start, and nothing: complete, exactly.
inline void expect_complete_before_fillers(ValidateFn fn, std::span<const std::uint8_t> item,
                                           std::span<const std::uint8_t> other_file_start,
                                           std::string_view type, std::string_view ext) {
  for (Filler f : {Filler::zeros, Filler::random, Filler::other_file}) {
    const Verdict v = run(fn, followed_by(item, f, 8192, other_file_start, item.size()));
    EXPECT_EQ(v.status, Status::complete) << filler_name(f) << ": " << describe(v);
    EXPECT_EQ(v.length, item.size()) << filler_name(f) << ": " << describe(v);
    EXPECT_EQ(v.type, type) << filler_name(f);
    EXPECT_EQ(v.extension, ext) << filler_name(f);
  }
  const Verdict v = run(fn, item);
  EXPECT_EQ(v.status, Status::complete) << "no filler: " << describe(v);
  EXPECT_EQ(v.length, item.size()) << "no filler: " << describe(v);
}

// Random buffers behind the signature, and mutations of the seeds (byte noise, extreme values,
// truncation, a lying 32-bit field): no crash, length within the space, quick.
inline void fuzz_validator(ValidateFn fn, const std::vector<Buffer>& seeds, std::string_view prefix,
                           std::uint64_t rng_seed, int rounds = 3000, double budget_seconds = 2.0) {
  std::mt19937_64 rng(rng_seed);
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < rounds; ++round) {
    Buffer buf;
    const int mode = static_cast<int>(rng() % 5);
    if (mode == 0 || seeds.empty()) {
      buf = random_bytes(static_cast<std::size_t>(rng() % 4096), rng());
      std::copy_n(prefix.begin(), std::min(prefix.size(), buf.size()), buf.begin());
    } else {
      buf = seeds[rng() % seeds.size()];
      if (buf.empty()) continue;
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < flips; ++i) {
        const std::size_t at = rng() % buf.size();
        switch (mode) {
          case 1: buf[at] = static_cast<std::uint8_t>(rng()); break;
          case 2: buf[at] = (rng() & 1) ? 0xFF : 0x00; break;
          case 3: buf.resize(std::max<std::size_t>(1, at)); break;
          default:
            if (at + 4 <= buf.size()) put_u32be(buf, at, static_cast<std::uint32_t>(rng()));
            break;
        }
      }
    }
    Limits limits;
    if (rng() % 8 == 0) limits.max_item = rng() % (buf.size() + 1);
    CheckedBytes b(buf);
    const Verdict v = fn(b, limits);
    ASSERT_LE(v.length, buf.size()) << "round " << round << ": " << describe(v);
    if (v.status == Status::complete) {
      ASSERT_GT(v.length, 0u) << "round " << round;
      ASSERT_LE(v.length, limits.max_item) << "round " << round << ": " << describe(v);
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, budget_seconds) << rounds << " fuzz rounds took " << secs << " s";
}

// Evenly spread cut points inside the item, plus the last two bytes.
inline std::vector<std::size_t> cut_points(std::size_t size, int cuts = 24) {
  std::vector<std::size_t> points;
  for (int i = 1; i <= cuts; ++i) points.push_back(size * static_cast<std::size_t>(i) / (cuts + 1));
  if (size > 1) points.push_back(size - 1);
  if (size > 2) points.push_back(size - 2);
  return points;
}

// The space ends inside the item (the rest of the item is not there at all): never complete, and a
// partial never claims more than the bytes that are there.
inline void expect_space_cut_not_complete(ValidateFn fn, std::span<const std::uint8_t> item, int cuts = 24) {
  for (std::size_t cut : cut_points(item.size(), cuts)) {
    const Verdict v = run(fn, item.subspan(0, cut));
    EXPECT_NE(v.status, Status::complete) << "space ends at " << cut << ": " << describe(v);
    if (v.status == Status::partial) {
      EXPECT_LE(v.length, cut) << "space ends at " << cut << ": " << describe(v);
    }
  }
}

// The item's tail from `cut` on was overwritten by zeros or random bytes (the space goes on).
// A validator can only see this when the format checks its content (CRCs) or its structure
// crosses the cut; where nothing can tell, the one thing it must never do is claim a length other
// than the item's own. `strict`: the format has checksums or structure over its whole tail, so
// every cut must be seen (never complete, partial length <= cut).
inline void expect_overwritten_tail(ValidateFn fn, std::span<const std::uint8_t> item, bool strict, int cuts = 24) {
  for (std::size_t cut : cut_points(item.size(), cuts)) {
    for (Filler f : {Filler::zeros, Filler::random}) {
      Buffer buf(item.begin(), item.end());
      if (f == Filler::zeros) std::fill(buf.begin() + static_cast<std::ptrdiff_t>(cut), buf.end(), 0);
      else overwrite_random(buf, cut, buf.size() - cut, cut);
      const Buffer space = followed_by(buf, f, 4096, {}, cut + 7);
      const Verdict v = run(fn, space);
      const std::string where = "overwritten from " + std::to_string(cut) + " by " + filler_name(f) + ": " + describe(v);
      if (strict) {
        EXPECT_NE(v.status, Status::complete) << where;
        if (v.status == Status::partial) {
          EXPECT_LE(v.length, cut) << where;
        }
      } else if (v.status == Status::complete) {
        EXPECT_EQ(v.length, item.size()) << where;
      }
    }
  }
}

// Random bytes over a stretch in the middle: never complete with a wrong length (`strict`: never
// complete at all).
inline void expect_overwritten_middle(ValidateFn fn, std::span<const std::uint8_t> item, bool strict) {
  const std::size_t lens[] = {1, 16, 512};
  for (int i = 1; i <= 6; ++i) {
    for (std::size_t len : lens) {
      const std::size_t at = item.size() * static_cast<std::size_t>(i) / 8;
      Buffer buf(item.begin(), item.end());
      // Make sure at least one byte changes.
      overwrite_random(buf, at, len, at * 31 + len);
      if (std::equal(buf.begin(), buf.end(), item.begin())) buf[at] ^= 0x5A;
      const Buffer space = followed_by(buf, Filler::random, 4096, {}, at);
      const Verdict v = run(fn, space);
      const std::string where = std::to_string(len) + " random bytes at " + std::to_string(at) + ": " + describe(v);
      if (strict) {
        EXPECT_NE(v.status, Status::complete) << where;
      } else if (v.status == Status::complete) {
        EXPECT_EQ(v.length, item.size()) << where;
      }
    }
  }
}

// Runs `fn` on `bytes` and checks it finished quickly and without claiming what is not there.
inline Verdict run_timed(ValidateFn fn, Bytes& bytes, const Limits& limits = {}, double budget_seconds = 1.0) {
  const auto start = std::chrono::steady_clock::now();
  const Verdict v = fn(bytes, limits);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, budget_seconds) << describe(v);
  EXPECT_LE(v.length, bytes.size()) << describe(v);
  return v;
}

}  // namespace ferret::carve::media_test
