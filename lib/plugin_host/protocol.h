// The messages between a tool and its plugin worker process, and the framed channel they travel on
// (a socketpair). Both ends are built from the same source, but the worker runs plugin code that may
// scribble over its memory, so the tool decodes every answer as untrusted input.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/content.h"
#include "core/result.h"
#include "plugin_host/parse_session.h"
#include "plugin_host/plugin_info.h"

namespace ferret::plugin_host {

inline constexpr std::uint32_t kProtocolVersion = 1;

// Answers larger than this are refused as corrupt (the flood limits keep honest ones far below it).
inline constexpr std::size_t kMaxMessageBytes = 256u << 20;

enum class MessageType : std::uint32_t {
  hello = 1,   // worker -> tool, once: protocol and ABI versions
  load = 2,    // tool -> worker: load one plugin file
  loaded = 3,  // worker -> tool: its descriptor, or why it was refused
  open = 4,    // tool -> worker: the file to parse next, and how many bytes of its head to send back
  opened = 5,  // worker -> tool: the head, or why the content cannot be read
  parse = 6,   // tool -> worker: run one loaded plugin over the open file
  result = 7,  // worker -> tool: what it emitted and returned
};

// Appends fixed-size little-endian integers and length-prefixed strings.
class Encoder {
 public:
  Encoder& u8(std::uint8_t v);
  Encoder& u32(std::uint32_t v);
  Encoder& u64(std::uint64_t v);
  Encoder& i64(std::int64_t v) { return u64(static_cast<std::uint64_t>(v)); }
  Encoder& str(std::string_view v);
  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what Encoder wrote; any overrun or bad value turns ok() false and yields zeros from then on.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  std::string str();
  // A count of items that each take at least `min_item_bytes`: refused when more than could fit.
  std::uint32_t count(std::size_t min_item_bytes);
  void fail() { ok_ = false; }
  bool ok() const { return ok_; }
  bool finished() const { return ok_ && at_ == in_.size(); }

 private:
  bool take(std::size_t n);
  std::string_view in_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

struct Hello {
  std::uint32_t protocol = kProtocolVersion;
  std::uint32_t abi_version = FERRET_PLUGIN_ABI_VERSION;
};

struct LoadRequest {
  std::string path;
  std::string expected_sha256;  // "" to skip the check
};

struct LoadReply {
  bool loaded = false;
  std::string sha256;   // of the file as the worker read it before loading it
  std::string message;  // why it was refused
  PartialInfo partial;
  std::optional<PluginInfo> info;
};

struct OpenRequest {
  content::FileContent file;
  std::string mime;
  std::string evidence_path;
  std::uint64_t evidence_size = 0;
  std::uint32_t head_bytes = 0;
};

struct OpenReply {
  bool ok = false;
  std::string message;  // why the content cannot be read
  std::string head;
};

struct ParseRequest {
  std::uint32_t plugin = 0;  // index among the plugins the worker loaded, in load order
  std::uint64_t timeout_ms = 0;
  Limits limits;
};

std::string encode(const Hello& m);
std::string encode(const LoadRequest& m);
std::string encode(const LoadReply& m);
std::string encode(const OpenRequest& m);
std::string encode(const OpenReply& m);
std::string encode(const ParseRequest& m);
std::string encode(const ParseOutput& m);
std::string encode(const PluginInfo& m);

bool decode(std::string_view in, Hello& m);
bool decode(std::string_view in, LoadRequest& m);
bool decode(std::string_view in, LoadReply& m);
bool decode(std::string_view in, OpenRequest& m);
bool decode(std::string_view in, OpenReply& m);
bool decode(std::string_view in, ParseRequest& m);
bool decode(std::string_view in, ParseOutput& m);
bool decode(std::string_view in, PluginInfo& m);

// Length-framed messages on a connected stream socket. Not thread-safe; owns nothing (the fd is
// closed by whoever opened it).
class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}

  // Writes the whole message (blocking). An error when the other end is gone.
  Status send(MessageType type, std::string_view payload);

  enum class Outcome { message, timeout, closed, cancelled, error };
  struct Received {
    Outcome outcome = Outcome::error;
    MessageType type = MessageType::hello;
    std::string payload;
    std::string error;  // for Outcome::error
  };
  // Waits for the next message until `deadline` (none: for ever) or until `cancel` is set.
  Received receive(std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt,
                   const std::atomic<bool>* cancel = nullptr, std::size_t max_bytes = kMaxMessageBytes);

 private:
  int fd_;
};

}  // namespace ferret::plugin_host
