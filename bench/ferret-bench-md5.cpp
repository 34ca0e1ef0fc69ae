// Multi-buffer MD5 throughput (issue 4): hash::Md5Lanes over 16, 8 and 4 streams against OpenSSL's
// MD5 on one stream, and the portable block function. Figures are per thread CPU time, best of runs.
//
//   ferret-bench-md5 [MiB per stream, default 64] [runs, default 5]
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

#include "hash/digest.h"
#include "hash/md5_mb.h"

namespace {

using ferret::hash::Md5Lanes;

double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Best MB/s of `runs` runs of `work`, which hashes `bytes` bytes.
double best_rate(int runs, std::size_t bytes, const std::function<void()>& work) {
  double best = 0;
  for (int r = 0; r < runs; ++r) {
    const double start = thread_seconds();
    work();
    const double secs = thread_seconds() - start;
    if (secs > 0) best = std::max(best, static_cast<double>(bytes) / secs / 1e6);
  }
  return best;
}

// Hashes `streams` buffers through the lanes, submitted in 1 MiB pieces as the file hasher does.
void hash_lanes(Md5Lanes& lanes, const std::vector<std::vector<std::byte>>& data, std::size_t streams) {
  constexpr std::size_t piece = 1u << 20;
  std::vector<std::size_t> offset(streams, 0);
  std::size_t open = streams;
  while (open > 0) {
    for (std::size_t lane = 0; lane < streams; ++lane) {
      if (lanes.pending(lane) > 0 || offset[lane] == data[lane].size()) continue;
      const std::size_t n = std::min(piece, data[lane].size() - offset[lane]);
      lanes.submit(lane, std::span(data[lane]).subspan(offset[lane], n));
      offset[lane] += n;
    }
    lanes.run();
    open = 0;
    for (std::size_t lane = 0; lane < streams; ++lane) open += lanes.pending(lane) > 0 || offset[lane] < data[lane].size();
  }
  for (std::size_t lane = 0; lane < streams; ++lane) (void)lanes.finish_hex(lane);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::size_t size = mib << 20;
  std::vector<std::vector<std::byte>> data(Md5Lanes::kLanes, std::vector<std::byte>(size));
  std::mt19937_64 gen(1);
  for (auto& d : data) {
    for (std::size_t i = 0; i < d.size(); i += 8) {
      const std::uint64_t v = gen();
      for (int k = 0; k < 8; ++k) d[i + static_cast<std::size_t>(k)] = static_cast<std::byte>(v >> (8 * k));
    }
  }
  std::printf("md5 throughput, %zu MiB per stream, best of %d runs (thread CPU time)\n", mib, runs);
  const double openssl = best_rate(runs, size, [&] {
    ferret::hash::Digest d(ferret::hash::Algorithm::md5);
    d.update(data[0]);
    (void)d.finish_hex();
  });
  std::printf("  openssl md5, 1 stream:          %8.0f MB/s\n", openssl);
  const double scalar = best_rate(runs, size, [&] {
    std::uint32_t state[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    const auto* p = reinterpret_cast<const std::uint8_t*>(data[0].data());
    for (std::size_t i = 0; i + 64 <= size; i += 64) ferret::hash::md5_detail::compress_scalar(state, p + i);
  });
  std::printf("  portable block function:        %8.0f MB/s\n", scalar);
  for (Md5Lanes::Engine engine : {Md5Lanes::Engine::automatic, Md5Lanes::Engine::openssl}) {
    Md5Lanes lanes(engine);
    const char* name = lanes.engine() == Md5Lanes::Engine::avx2 ? "avx2" : "openssl";
    for (std::size_t streams : {Md5Lanes::kLanes, Md5Lanes::kLanes / 2, std::size_t{4}, std::size_t{3}}) {
      const double rate = best_rate(runs, size * streams, [&] { hash_lanes(lanes, data, streams); });
      std::printf("  md5 lanes (%s), %2zu streams: %8.0f MB/s aggregate (%.2fx openssl)\n", name, streams, rate, rate / openssl);
    }
  }
  return 0;
}
