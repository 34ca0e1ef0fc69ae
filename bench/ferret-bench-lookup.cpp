// Benchmark driver for hash sets: makes the deterministic md5sum list the benchmark imports (line i
// holds the MD5 of the decimal text of i), query files for the CLI comparisons, and measures
// in-process lookups per second against a set, on one thread and on several.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/text.h"
#include "hash/digest.h"
#include "hashset/format.h"

using namespace ferret;
using namespace ferret::hashset;

namespace {

// The MD5 of the decimal text of i: present in the list when i < n.
void md5_of_number(std::uint64_t i, unsigned char out[16]) {
  const std::string text = std::to_string(i);
  hash::Digest md5(Algorithm::md5);
  md5.update(std::as_bytes(std::span(text.data(), text.size())));
  const std::string hex = md5.finish_hex();
  auto d = parse_hex_digest(Algorithm::md5, hex);
  std::memcpy(out, d->bytes.data(), 16);
}

int generate(std::uint64_t n, const char* path) {
  std::FILE* f = std::fopen(path, "wb");
  if (f == nullptr) return std::perror(path), 2;
  std::vector<char> buf(1 << 20);
  std::setvbuf(f, buf.data(), _IOFBF, buf.size());
  unsigned char d[16];
  for (std::uint64_t i = 0; i < n; ++i) {
    md5_of_number(i, d);
    const std::string line = to_hex(std::span<const unsigned char>(d, 16)) + "  releases/" + std::to_string(i / 1000) + "/file-" + std::to_string(i) + ".bin\n";
    std::fwrite(line.data(), 1, line.size(), f);
  }
  return std::fclose(f) == 0 ? 0 : 2;
}

// `m` queries, every other one present (a random i < n) and the rest absent (i >= n), shuffled.
std::vector<std::array<unsigned char, 16>> make_queries(std::uint64_t n, std::uint64_t m, std::uint64_t& present) {
  std::mt19937_64 gen(20260305);
  std::vector<std::array<unsigned char, 16>> q(m);
  present = 0;
  for (std::uint64_t k = 0; k < m; ++k) {
    const bool in = k % 2 == 0;
    const std::uint64_t i = in ? gen() % n : n + gen() % (n + 1);
    md5_of_number(i, q[k].data());
    present += in ? 1 : 0;
  }
  std::shuffle(q.begin(), q.end(), gen);
  return q;
}

int write_queries(std::uint64_t n, std::uint64_t m, const char* path) {
  std::uint64_t present = 0;
  const auto q = make_queries(n, m, present);
  std::FILE* f = std::fopen(path, "wb");
  if (f == nullptr) return std::perror(path), 2;
  for (const auto& d : q) std::fprintf(f, "%s\n", to_hex(d).c_str());
  std::fclose(f);
  std::printf("queries: %llu (%llu present)\n", static_cast<unsigned long long>(m), static_cast<unsigned long long>(present));
  return 0;
}

int lookup(const char* set_path, std::uint64_t n, std::uint64_t m, unsigned threads) {
  auto set = HashSetIndex::open(set_path);
  if (!set.ok()) return std::fprintf(stderr, "%s\n", set.error().message.c_str()), 2;
  std::uint64_t present = 0;
  const auto q = make_queries(n, m, present);
  // Warm the mapping (page-table entries): what a long-running matcher would have.
  std::uint64_t warm = 0;
  for (const auto& d : q) warm += set->lookup(Algorithm::md5, d).has_value() ? 1 : 0;
  if (warm != present) {
    std::fprintf(stderr, "wrong answers: %llu found, %llu expected\n", static_cast<unsigned long long>(warm), static_cast<unsigned long long>(present));
    return 3;
  }
  std::vector<DigestValue> batch(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) std::memcpy(batch[i].bytes.data(), q[i].data(), 16);
  const auto run = [&](unsigned t, bool batched) {
    double best = 0;
    for (int attempt = 0; attempt < 3; ++attempt) {  // the best of three: other load only ever slows a run
    std::atomic<std::uint64_t> found{0};
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (unsigned k = 0; k < t; ++k) {
      pool.emplace_back([&, k] {
        std::uint64_t mine = 0;
        if (!batched) {
          for (std::uint64_t i = k; i < q.size(); i += t) mine += set->lookup(Algorithm::md5, q[i]).has_value() ? 1 : 0;
        } else {
          // Each thread takes its own contiguous share, 4,096 lookups per call.
          std::vector<std::optional<EntryRef>> results(4096);
          const std::size_t share = (q.size() + t - 1) / t, begin = k * share, end = std::min(q.size(), begin + share);
          for (std::size_t i = begin; i < end; i += results.size()) {
            const std::size_t len = std::min(results.size(), end - i);
            set->lookup(std::span(batch).subspan(i, len), results);
            for (std::size_t r = 0; r < len; ++r) mine += results[r].has_value() ? 1 : 0;
          }
        }
        found += mine;
      });
    }
    for (auto& th : pool) th.join();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (found != present) std::fprintf(stderr, "wrong answers on %u threads\n", t);
    if (best == 0 || secs < best) best = secs;
    }
    const double secs = best;
    std::printf("%s: %u thread(s): %llu in %.3f s (best of 3) = %.2f million/s (%.2f million/s per thread)\n",
                batched ? "batched lookups" : "single lookups", t,
                static_cast<unsigned long long>(q.size()), secs, static_cast<double>(q.size()) / secs / 1e6,
                static_cast<double>(q.size()) / secs / 1e6 / t);
  };
  run(1, false);
  if (threads > 1) run(threads, false);
  run(1, true);
  if (threads > 1) run(threads, true);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto usage = [] {
    std::fprintf(stderr,
                 "usage: ferret-bench-lookup generate N LIST          the md5sum list of the MD5s of 0..N-1\n"
                 "       ferret-bench-lookup queries N M FILE         M query hashes, half of them in that list\n"
                 "       ferret-bench-lookup lookup SET N M [THREADS] times M lookups (half present) in SET\n");
    return 1;
  };
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  if (mode == "generate" && argc == 4) return generate(std::strtoull(argv[2], nullptr, 10), argv[3]);
  if (mode == "queries" && argc == 5) return write_queries(std::strtoull(argv[2], nullptr, 10), std::strtoull(argv[3], nullptr, 10), argv[4]);
  if (mode == "lookup" && (argc == 5 || argc == 6)) {
    const unsigned threads = argc == 6 ? static_cast<unsigned>(std::atoi(argv[5])) : std::thread::hardware_concurrency();
    return lookup(argv[2], std::strtoull(argv[3], nullptr, 10), std::strtoull(argv[4], nullptr, 10), std::max(1u, threads));
  }
  return usage();
}
