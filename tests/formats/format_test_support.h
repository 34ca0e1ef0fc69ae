// Helpers for the format validator tests: fixtures, items placed before filler, mutations, fuzzing.
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

namespace ferret::carve::test {

using Buffer = std::vector<std::uint8_t>;

// The committed fixture tests/formats/data/<name>; empty when it is absent (the caller fails).
inline Buffer read_fixture(const std::string& name) {
  std::ifstream in(std::filesystem::path(FERRET_FORMAT_DATA_DIR) / name, std::ios::binary);
  return Buffer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Reads a fixture and stops the test when it is missing, so a missing file is one clear failure.
#define FERRET_FIXTURE(var, name)                                                 \
  const ::ferret::carve::test::Buffer var = ::ferret::carve::test::read_fixture(name); \
  ASSERT_FALSE(var.empty()) << "fixture missing or empty: " << (name)

// Time budgets in tests are for optimised builds; sanitizers slow the walks down several times.
inline double time_budget(double seconds) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return seconds * 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(undefined_behavior_sanitizer)
  return seconds * 10;
#else
  return seconds;
#endif
#else
  return seconds;
#endif
}

inline Buffer bytes_of(std::string_view s) { return Buffer(s.begin(), s.end()); }

inline Buffer random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Buffer out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
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
inline constexpr Filler kFillers[] = {Filler::zeros, Filler::random, Filler::other_file};

// `item` followed by `tail_len` bytes of filler; for other_file, `other` (the start of another file,
// e.g. a different fixture) is repeated to fill, so the bytes after the item look like a real file.
inline Buffer followed_by(std::span<const std::uint8_t> item, Filler filler, std::size_t tail_len = 4096,
                          std::span<const std::uint8_t> other = {}, std::uint64_t seed = 1) {
  Buffer out(item.begin(), item.end());
  switch (filler) {
    case Filler::zeros: out.resize(item.size() + tail_len, 0); break;
    case Filler::random: {
      const Buffer r = random_bytes(tail_len, seed);
      out.insert(out.end(), r.begin(), r.end());
      break;
    }
    case Filler::other_file: {
      static constexpr std::string_view kDefault = "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";
      const Buffer fallback = bytes_of(kDefault);
      const std::span<const std::uint8_t> src = other.empty() ? std::span<const std::uint8_t>(fallback) : other;
      while (out.size() < item.size() + tail_len) {
        const std::size_t n = std::min(src.size(), item.size() + tail_len - out.size());
        out.insert(out.end(), src.begin(), src.begin() + static_cast<std::ptrdiff_t>(n));
      }
      break;
    }
  }
  return out;
}

// Random bytes over [pos, pos + len) (clipped to the buffer).
inline void overwrite_random(Buffer& b, std::size_t pos, std::size_t len, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (std::size_t i = pos; i < b.size() && i < pos + len; ++i) b[i] = static_cast<std::uint8_t>(rng());
}

// Big-/little-endian 32-bit store, for tests that plant lying length fields.
inline void put_u32be(Buffer& b, std::size_t pos, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.at(pos + i) = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}
inline void put_u32le(Buffer& b, std::size_t pos, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.at(pos + i) = static_cast<std::uint8_t>(v >> (8 * i));
}

// MemoryBytes that also checks the contract from the validator's side: no view over kMaxView.
class CheckedBytes final : public Bytes {
 public:
  explicit CheckedBytes(std::span<const std::uint8_t> data) : inner_(data) {}
  std::uint64_t size() const override { return inner_.size(); }
  std::span<const std::uint8_t> view(std::uint64_t pos, std::size_t len) override {
    EXPECT_LE(len, kMaxView) << "view larger than kMaxView at " << pos;
    ++views;
    return inner_.view(pos, len);
  }
  std::uint64_t views = 0;

 private:
  MemoryBytes inner_;
};

// A space far larger than memory: `head` and then `fill` bytes up to `total` (e.g. 8 GiB), so a
// lying length field can point far away without the test allocating it.
class HugeBytes final : public Bytes {
 public:
  HugeBytes(Buffer head, std::uint64_t total, std::uint8_t fill = 0)
      : head_(std::move(head)), total_(total), fill_(kMaxView, fill) {}
  std::uint64_t size() const override { return total_; }
  std::span<const std::uint8_t> view(std::uint64_t pos, std::size_t len) override {
    EXPECT_LE(len, kMaxView);
    ++views;
    if (pos >= total_) return {};
    len = static_cast<std::size_t>(std::min<std::uint64_t>({len, kMaxView, total_ - pos}));
    if (pos >= head_.size()) return {fill_.data(), len};
    // A view that straddles the head's end: copy into scratch so it is contiguous.
    scratch_.assign(head_.begin() + static_cast<std::ptrdiff_t>(pos),
                    head_.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(head_.size(), pos + len)));
    scratch_.resize(len, fill_[0]);
    return scratch_;
  }
  std::uint64_t views = 0;

 private:
  Buffer head_;
  std::uint64_t total_;
  Buffer fill_;
  Buffer scratch_;
};

inline Verdict run(ValidateFn fn, std::span<const std::uint8_t> data, const Limits& limits = {}) {
  CheckedBytes b(data);
  Verdict v = fn(b, limits);
  EXPECT_LE(v.length, data.size()) << "length past the end of the space";
  if (v.status == Status::rejected) {
    EXPECT_FALSE(v.missing.empty()) << "a rejection says why";
  }
  if (v.status == Status::partial) {
    EXPECT_FALSE(v.missing.empty()) << "a partial says what is missing";
  }
  return v;
}

inline std::string describe(const Verdict& v) {
  return std::string(status_name(v.status)) + " len=" + std::to_string(v.length) + " type=" + v.type +
         " ext=" + v.extension + (v.missing.empty() ? "" : " (" + v.missing + ")");
}

// The fixture, followed by each filler, is complete with exactly its own length.
inline void expect_complete_before_fillers(ValidateFn fn, std::span<const std::uint8_t> item,
                                           std::span<const std::uint8_t> other_file_start = {},
                                           std::string_view type = {}, std::string_view ext = {}) {
  for (Filler f : kFillers) {
    const Buffer buf = followed_by(item, f, 8192, other_file_start);
    const Verdict v = run(fn, buf);
    EXPECT_EQ(v.status, Status::complete) << filler_name(f) << ": " << describe(v);
    EXPECT_EQ(v.length, item.size()) << filler_name(f) << ": " << describe(v);
    if (!type.empty()) {
      EXPECT_EQ(v.type, type) << filler_name(f);
    }
    if (!ext.empty()) {
      EXPECT_EQ(v.extension, ext) << filler_name(f);
    }
  }
  // Exactly at the end of the space too.
  const Verdict v = run(fn, item);
  EXPECT_EQ(v.status, Status::complete) << "no filler: " << describe(v);
  EXPECT_EQ(v.length, item.size()) << "no filler: " << describe(v);
}

// How a truncated item may be told from a whole one.
struct Truncation {
  int cuts = 24;  // evenly spread cut points, plus the last two bytes
  // Whether the structure notices filler after the cut. Formats whose size comes from a header
  // and whose content is unstructured (BMP pixels, WAV samples, SQLite pages) cannot: there a
  // cut followed by filler may be complete, but only with the item's true length.
  bool filler_detected = true;
  // Trailing bytes whose loss cannot be seen (PDF: the end-of-line after the last %%EOF).
  std::size_t optional_tail = 0;
  // Trailing bytes that filler can stand in for unnoticed (a ZIP end record's zero high bytes,
  // comment length and comment): cuts there followed by filler are not checked.
  std::size_t filler_blind_tail = 0;
};

// The space ends at each cut: never complete, partial length <= cut. The cut followed by zeros or
// random bytes: never complete (or, where filler cannot be detected, complete only at full length).
inline void expect_truncations_not_complete(ValidateFn fn, std::span<const std::uint8_t> item, Truncation t = {}) {
  std::vector<std::size_t> points;
  for (int i = 1; i <= t.cuts; ++i) points.push_back(item.size() * static_cast<std::size_t>(i) / (t.cuts + 1));
  points.push_back(item.size() - 1);
  if (item.size() > 2) points.push_back(item.size() - 2);
  for (std::size_t cut : points) {
    if (cut == 0 || cut + t.optional_tail >= item.size()) continue;
    const Verdict v = run(fn, item.subspan(0, cut));
    EXPECT_NE(v.status, Status::complete) << "space ends at " << cut << ": " << describe(v);
    if (v.status == Status::partial) {
      EXPECT_LE(v.length, cut) << "space ends at " << cut << ": " << describe(v);
    }
    // In a filler-blind tail a cut item followed by filler may read as another whole item (a ZIP
    // whose comment length became zero is a valid, shorter ZIP): nothing to assert there.
    if (cut + t.filler_blind_tail >= item.size()) continue;
    for (Filler f : {Filler::zeros, Filler::random}) {
      const Buffer buf = followed_by(item.subspan(0, cut), f, 4096, {}, cut);
      const Verdict w = run(fn, buf);
      if (t.filler_detected) {
        EXPECT_NE(w.status, Status::complete) << "cut at " << cut << " + " << filler_name(f) << ": " << describe(w);
      } else if (w.status == Status::complete) {
        EXPECT_EQ(w.length, item.size()) << "cut at " << cut << " + " << filler_name(f) << ": " << describe(w);
      }
    }
  }
}

// Random bytes over a slice at `seeds` spread positions (the item then followed by zeros): never
// complete with a length other than the item's. Returns how many were noticed (not complete).
inline int expect_overwrites_never_misjudged(ValidateFn fn, std::span<const std::uint8_t> item, std::size_t slice,
                                             int seeds = 20, std::size_t from = 0) {
  int noticed = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    Buffer buf = followed_by(item, Filler::zeros);
    const std::size_t at = from + (item.size() - from) * static_cast<std::size_t>(seed) / static_cast<std::size_t>(seeds + 1);
    overwrite_random(buf, at, slice, static_cast<std::uint64_t>(seed));
    const Verdict v = run(fn, buf);
    if (v.status != Status::complete) {
      ++noticed;
    } else {
      EXPECT_EQ(v.length, item.size()) << "random bytes at " << at << ": " << describe(v);
    }
  }
  return noticed;
}

// A few thousand random buffers and mutations of `seeds`: no crash, length within the space, and
// within a time budget. `prefix` (the signature) is put in front of the random buffers.
inline void fuzz_validator(ValidateFn fn, const std::vector<Buffer>& seeds, std::string_view prefix,
                           std::uint64_t rng_seed, int rounds = 3000, double budget_seconds = 2.0) {
  std::mt19937_64 rng(rng_seed);
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < rounds; ++round) {
    Buffer buf;
    const int mode = static_cast<int>(rng() % 5);
    if (mode == 0 || seeds.empty()) {
      buf = random_bytes(static_cast<std::size_t>(rng() % 2048), rng());
      std::copy_n(prefix.begin(), std::min(prefix.size(), buf.size()), buf.begin());
    } else {
      buf = seeds[rng() % seeds.size()];
      if (buf.empty()) continue;
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < flips; ++i) {
        const std::size_t at = rng() % buf.size();
        switch (mode) {
          case 1: buf[at] = static_cast<std::uint8_t>(rng()); break;                  // byte noise
          case 2: buf[at] = (rng() & 1) ? 0xFF : 0x00; break;                          // extreme values
          case 4: {  // a lying 32- or 64-bit field: all ones, top bit, or minus a small offset
            const std::uint64_t kinds[] = {~0ull, 1ull << 63 | 1ull << 31, ~0ull - (rng() % 4096), rng() % 65536};
            const std::uint64_t value = kinds[rng() % 4];
            const std::size_t width = (rng() & 1) ? 8 : 4;
            const bool little = rng() & 1;
            for (std::size_t k = 0; k < width && at + k < buf.size(); ++k) {
              buf[at + k] = static_cast<std::uint8_t>(value >> (8 * (little ? k : width - 1 - k)));
            }
            break;
          }
          default: buf.resize(std::max<std::size_t>(1, at)); break;                    // truncation
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
  EXPECT_LT(secs, time_budget(budget_seconds)) << rounds << " fuzz rounds took " << secs << " s";
}

}  // namespace ferret::carve::test
