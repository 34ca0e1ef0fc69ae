// Multi-buffer MD5 against RFC 1321's vectors and OpenSSL's MD5, on both engines: lanes of any
// length, tails around block boundaries, lanes starting and finishing while others run.
#include "hash/md5_mb.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <random>
#include <vector>

#include "hash/digest.h"
#include "test_support.h"

namespace ferret::hash {
namespace {

std::string openssl_md5(std::span<const std::byte> bytes) {
  Digest d(Algorithm::md5);
  d.update(bytes);
  return d.finish_hex();
}

std::span<const std::byte> bytes_of(const std::string& s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }

class Md5LanesTest : public ::testing::TestWithParam<Md5Lanes::Engine> {};

TEST_P(Md5LanesTest, EngineIsTheOneAskedForWhenTheMachineHasIt) {
  Md5Lanes lanes(GetParam());
  if (GetParam() == Md5Lanes::Engine::openssl || !Md5Lanes::avx2_supported()) {
    EXPECT_EQ(lanes.engine(), Md5Lanes::Engine::openssl);
  } else {
    EXPECT_EQ(lanes.engine(), Md5Lanes::Engine::avx2);
  }
}

TEST_P(Md5LanesTest, Rfc1321VectorsInEveryLane) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  Md5Lanes lanes(GetParam());
  for (const auto& [text, expected] : vectors) {
    for (std::size_t lane = 0; lane < Md5Lanes::kLanes; ++lane) lanes.submit(lane, bytes_of(text));
    lanes.run();
    for (std::size_t lane = 0; lane < Md5Lanes::kLanes; ++lane) EXPECT_EQ(lanes.finish_hex(lane), expected) << text << " lane " << lane;
  }
}

// Every lane its own message, all submitted whole at once, then run until all are consumed.
void expect_lanes_match(Md5Lanes& lanes, const std::vector<std::vector<std::byte>>& messages) {
  ASSERT_LE(messages.size(), Md5Lanes::kLanes);
  for (std::size_t lane = 0; lane < messages.size(); ++lane) lanes.submit(lane, messages[lane]);
  for (int guard = 0; guard < 100000; ++guard) {
    bool any = false;
    for (std::size_t lane = 0; lane < messages.size(); ++lane) any = any || lanes.pending(lane) > 0;
    if (!any) break;
    lanes.run();
  }
  for (std::size_t lane = 0; lane < messages.size(); ++lane) {
    EXPECT_EQ(lanes.finish_hex(lane), openssl_md5(messages[lane])) << "lane " << lane << " length " << messages[lane].size();
  }
}

TEST_P(Md5LanesTest, LengthsAroundBlockBoundaries) {
  const std::size_t lengths[] = {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 191, 192, 1000, 4095, 4096};
  Md5Lanes lanes(GetParam());
  // Each length in every lane position, beside lanes of other boundary lengths.
  for (std::size_t shift = 0; shift < std::size(lengths); ++shift) {
    std::vector<std::vector<std::byte>> messages;
    for (std::size_t lane = 0; lane < Md5Lanes::kLanes; ++lane) {
      const std::size_t length = lengths[(lane + shift) % std::size(lengths)];
      messages.push_back(test::random_bytes(length, static_cast<unsigned>(lane * 100 + shift)));
    }
    expect_lanes_match(lanes, messages);
  }
}

TEST_P(Md5LanesTest, RandomLengthsUpToTenThousand) {
  std::mt19937 gen(4);
  Md5Lanes lanes(GetParam());
  for (int round = 0; round < 40; ++round) {
    std::vector<std::vector<std::byte>> messages;
    const std::size_t used = 1 + gen() % Md5Lanes::kLanes;  // some rounds leave lanes idle
    for (std::size_t lane = 0; lane < used; ++lane) messages.push_back(test::random_bytes(gen() % 10001, gen()));
    expect_lanes_match(lanes, messages);
  }
}

TEST_P(Md5LanesTest, LanesOfVeryDifferentLengths) {
  Md5Lanes lanes(GetParam());
  std::vector<std::vector<std::byte>> messages;
  for (std::size_t lane = 0; lane < Md5Lanes::kLanes; ++lane) {
    const std::size_t length = lane % 4 == 0 ? 3 * 1048576 + 7 : lane % 4 == 1 ? 64 : lane % 4 == 2 ? 100000 : 13;
    messages.push_back(test::random_bytes(length, static_cast<unsigned>(lane)));
  }
  expect_lanes_match(lanes, messages);
}

// The file hasher's use: a queue of messages fed in chunks of odd sizes; a lane takes the next
// message as soon as its last one is finished, so lanes join and leave while the others run.
TEST_P(Md5LanesTest, LanesJoinAndLeaveMidStream) {
  std::mt19937 gen(11);
  std::vector<std::vector<std::byte>> messages;
  for (int i = 0; i < 300; ++i) {
    const std::size_t length = i % 25 == 0 ? 200000 + gen() % 300000 : gen() % 10001;
    messages.push_back(test::random_bytes(length, static_cast<unsigned>(1000 + i)));
  }
  struct Slot {
    std::size_t message = 0, offset = 0;
    bool busy = false;
  };
  Md5Lanes lanes(GetParam());
  std::vector<Slot> slots(Md5Lanes::kLanes);
  std::vector<std::string> got(messages.size());
  std::size_t next = 0, finished = 0;
  while (finished < messages.size()) {
    for (std::size_t lane = 0; lane < Md5Lanes::kLanes; ++lane) {
      Slot& s = slots[lane];
      if (lanes.pending(lane) > 0) continue;
      if (s.busy && s.offset == messages[s.message].size()) {
        got[s.message] = lanes.finish_hex(lane);
        s.busy = false;
        ++finished;
      }
      if (!s.busy && next < messages.size()) s = {next++, 0, true};
      if (!s.busy) continue;
      const auto& m = messages[s.message];
      const std::size_t chunk = std::min<std::size_t>(m.size() - s.offset, gen() % 3 == 0 ? 65536 : 1 + gen() % 5000);
      lanes.submit(lane, std::span(m).subspan(s.offset, chunk));
      s.offset += chunk;
    }
    lanes.run();
  }
  for (std::size_t i = 0; i < messages.size(); ++i) EXPECT_EQ(got[i], openssl_md5(messages[i])) << "message " << i;
}

TEST_P(Md5LanesTest, StartDropsWhatTheLaneHeld) {
  Md5Lanes lanes(GetParam());
  const auto junk = test::random_bytes(1000, 3);
  lanes.submit(5, junk);
  lanes.drain(5);
  lanes.start(5);
  lanes.submit(5, bytes_of("abc"));
  EXPECT_EQ(lanes.finish_hex(5), "900150983cd24fb0d6963f7d28e17f72");
}

INSTANTIATE_TEST_SUITE_P(Engines, Md5LanesTest, ::testing::Values(Md5Lanes::Engine::avx2, Md5Lanes::Engine::openssl),
                         [](const auto& p) { return p.param == Md5Lanes::Engine::avx2 ? "avx2" : "openssl"; });

TEST(Md5Scalar, BlockFunctionMatchesOpenSsl) {
  // One block of "abc" padded by hand.
  std::uint8_t block[64] = {'a', 'b', 'c', 0x80};
  block[56] = 24;
  std::uint32_t state[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  md5_detail::compress_scalar(state, block);
  EXPECT_EQ(state[0], 0x98500190u);  // 900150983cd24fb0... little-endian words
  EXPECT_EQ(state[1], 0xb04fd23cu);
}

}  // namespace
}  // namespace ferret::hash
