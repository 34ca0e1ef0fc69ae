// The tool-worker messages survive the trip, and whatever a corrupted worker sends is refused, not trusted.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "plugin_host/protocol.h"

namespace ferret::plugin_host {
namespace {

PluginInfo sample_info() {
  PluginInfo i;
  i.name = "torrent";
  i.version = "1.0";
  i.description = "metainfo";
  i.abi_version = 1;
  i.struct_size = 80;
  i.selector.mime_types = {"application/x-bittorrent"};
  i.selector.extensions = {"torrent"};
  i.selector.file_names = {"resume.dat"};
  i.selector.magics = {{std::string("d8:\0ann", 7), 3}};
  i.kinds = {{"torrent", "a torrent", {{"info_hash", FERRET_ATTR_HEX, true, "v1"}, {"size", FERRET_ATTR_INT, false, ""}}}};
  return i;
}

TEST(PluginProtocol, MessagesRoundTrip) {
  PluginInfo info;
  ASSERT_TRUE(decode(encode(sample_info()), info));
  EXPECT_EQ(info.selector.magics[0].bytes, std::string("d8:\0ann", 7));
  EXPECT_EQ(info.kinds[0].attrs[0].type, FERRET_ATTR_HEX);
  EXPECT_TRUE(info.kinds[0].attrs[0].required);

  LoadReply reply;
  reply.loaded = true;
  reply.sha256 = "ab";
  reply.info = sample_info();
  reply.partial.abi_version = 1;
  LoadReply back;
  ASSERT_TRUE(decode(encode(reply), back));
  EXPECT_TRUE(back.loaded);
  EXPECT_EQ(back.info->name, "torrent");
  EXPECT_EQ(back.partial.abi_version, 1u);
  EXPECT_FALSE(back.partial.name.has_value());

  OpenRequest open;
  open.file.file_id = 7;
  open.file.volume_offset = 1048576;
  open.file.attr_type = 128;
  open.file.path = "/a/b.txt";
  open.file.runs = {{0, 4096, 512}, {512, std::nullopt, 100}};
  open.evidence_path = "/e/demo.raw";
  open.evidence_size = 1u << 30;
  open.head_bytes = 11;
  OpenRequest open_back;
  ASSERT_TRUE(decode(encode(open), open_back));
  EXPECT_EQ(open_back.file.volume_offset, 1048576u);
  EXPECT_EQ(open_back.file.attr_type, 128);
  EXPECT_FALSE(open_back.file.attr_id.has_value());
  ASSERT_EQ(open_back.file.runs.size(), 2u);
  EXPECT_FALSE(open_back.file.runs[1].image_offset.has_value());
  EXPECT_EQ(open_back.head_bytes, 11u);

  ParseOutput out;
  out.result = FERRET_PARSE_MALFORMED;
  out.log = {"warning: x"};
  out.log_dropped = 3;
  out.artifacts = {{1, 0, {{0, "00ff"}}}, {2, 0, {}}};
  ParseOutput out_back;
  ASSERT_TRUE(decode(encode(out), out_back));
  EXPECT_EQ(out_back.result, FERRET_PARSE_MALFORMED);
  EXPECT_EQ(out_back.log_dropped, 3u);
  ASSERT_EQ(out_back.artifacts.size(), 2u);
  EXPECT_EQ(out_back.artifacts[0].attrs[0].value, "00ff");
}

TEST(PluginProtocol, DamagedMessagesAreRefused) {
  const std::string good = encode(sample_info());
  PluginInfo info;
  for (std::size_t cut = 0; cut < good.size(); ++cut) EXPECT_FALSE(decode(std::string_view(good).substr(0, cut), info)) << cut;
  EXPECT_FALSE(decode(good + "x", info));  // trailing bytes

  // An attribute type out of the enum's range, written into the encoded bytes (a value the enum type
  // cannot hold never exists as a ferret_attr_type here: that would be undefined behaviour).
  std::string bad_type = good;
  const std::string hex_attr = std::string("info_hash") + std::string("\x03\0\0\0", 4);  // name, then u32 FERRET_ATTR_HEX
  const auto at = bad_type.find(hex_attr);
  ASSERT_NE(at, std::string::npos);
  bad_type[at + 9] = 77;
  EXPECT_FALSE(decode(bad_type, info));
  PluginInfo bad_name = sample_info();
  bad_name.kinds[0].name = "Bad";
  EXPECT_FALSE(decode(encode(bad_name), info));

  // A count that promises more items than the bytes could hold is refused before anything is allocated.
  Encoder e;
  e.u8(0).u32(0).str("").str("").u32(0).u64(0).u32(0xFFFFFFFF);
  ParseOutput out;
  EXPECT_FALSE(decode(e.bytes(), out));

  LoadReply inconsistent;
  inconsistent.loaded = true;  // loaded, but no descriptor
  LoadReply back;
  EXPECT_FALSE(decode(encode(inconsistent), back));
}

TEST(PluginProtocol, TheChannelFramesWaitsAndSeesTheEnd) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  Channel a(fds[0]), b(fds[1]);
  const std::string big(3u << 20, 'z');  // more than a socket buffer: written while the reader reads
  std::thread writer([&] { ASSERT_TRUE(a.send(MessageType::result, big).ok()); });
  auto got = b.receive(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  writer.join();
  ASSERT_EQ(got.outcome, Channel::Outcome::message);
  EXPECT_EQ(got.type, MessageType::result);
  EXPECT_EQ(got.payload, big);

  auto waited = b.receive(std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
  EXPECT_EQ(waited.outcome, Channel::Outcome::timeout);

  std::atomic<bool> cancel{true};
  EXPECT_EQ(b.receive(std::nullopt, &cancel).outcome, Channel::Outcome::cancelled);

  ::close(fds[0]);
  auto closed = b.receive(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(closed.outcome, Channel::Outcome::closed);
  EXPECT_FALSE(b.send(MessageType::load, "x").ok());  // the other end is gone: an error, not SIGPIPE
  ::close(fds[1]);

  // An answer over the size limit is an error (after which the tool kills the worker).
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  Channel c(fds[0]), d(fds[1]);
  ASSERT_TRUE(c.send(MessageType::hello, std::string(100, 'x')).ok());
  EXPECT_EQ(d.receive(std::nullopt, nullptr, 10).outcome, Channel::Outcome::error);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace ferret::plugin_host
