// Encoding of the worker messages and the framed socket channel.
#include "plugin_host/protocol.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ferret::plugin_host {

using Clock = std::chrono::steady_clock;

Encoder& Encoder::u8(std::uint8_t v) {
  out_.push_back(static_cast<char>(v));
  return *this;
}

Encoder& Encoder::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>(v >> (8 * i) & 0xFF));
  return *this;
}

Encoder& Encoder::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(v >> (8 * i) & 0xFF));
  return *this;
}

Encoder& Encoder::str(std::string_view v) {
  u32(static_cast<std::uint32_t>(v.size()));
  out_.append(v);
  return *this;
}

bool Decoder::take(std::size_t n) {
  if (!ok_ || in_.size() - at_ < n) {
    ok_ = false;
    return false;
  }
  return true;
}

std::uint8_t Decoder::u8() {
  if (!take(1)) return 0;
  return static_cast<std::uint8_t>(in_[at_++]);
}

std::uint32_t Decoder::u32() {
  if (!take(4)) return 0;
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in_[at_++])) << (8 * i);
  return v;
}

std::uint64_t Decoder::u64() {
  if (!take(8)) return 0;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[at_++])) << (8 * i);
  return v;
}

std::string Decoder::str() {
  const std::uint32_t n = u32();
  if (!take(n)) return {};
  std::string out(in_.substr(at_, n));
  at_ += n;
  return out;
}

std::uint32_t Decoder::count(std::size_t min_item_bytes) {
  const std::uint32_t n = u32();
  if (!ok_) return 0;
  if (min_item_bytes > 0 && static_cast<std::uint64_t>(n) * min_item_bytes > in_.size() - at_) {
    ok_ = false;
    return 0;
  }
  return n;
}

namespace {

void put_strings(Encoder& e, const std::vector<std::string>& v) {
  e.u32(static_cast<std::uint32_t>(v.size()));
  for (const auto& s : v) e.str(s);
}

std::vector<std::string> get_strings(Decoder& d) {
  std::vector<std::string> out(d.count(4));
  for (auto& s : out) s = d.str();
  return out;
}

void put_optional(Encoder& e, const std::optional<std::string>& v) {
  e.u8(v ? 1 : 0);
  if (v) e.str(*v);
}

std::optional<std::string> get_optional(Decoder& d) {
  if (d.u8() == 0) return std::nullopt;
  return d.str();
}

void put_info(Encoder& e, const PluginInfo& m) {
  e.str(m.name).str(m.version).str(m.description).u32(m.abi_version).u32(m.struct_size);
  put_strings(e, m.selector.mime_types);
  put_strings(e, m.selector.extensions);
  put_strings(e, m.selector.file_names);
  e.u32(static_cast<std::uint32_t>(m.selector.magics.size()));
  for (const auto& g : m.selector.magics) e.str(g.bytes).u64(g.offset);
  e.u32(static_cast<std::uint32_t>(m.kinds.size()));
  for (const auto& k : m.kinds) {
    e.str(k.name).str(k.description).u32(static_cast<std::uint32_t>(k.attrs.size()));
    for (const auto& a : k.attrs) e.str(a.name).u32(static_cast<std::uint32_t>(a.type)).u8(a.required ? 1 : 0).str(a.description);
  }
}

// Decodes and re-checks what the plugin's descriptor check established, since the bytes come from a
// process running plugin code.
bool get_info(Decoder& d, PluginInfo& m) {
  m.name = d.str();
  m.version = d.str();
  m.description = d.str();
  m.abi_version = d.u32();
  m.struct_size = d.u32();
  m.selector.mime_types = get_strings(d);
  m.selector.extensions = get_strings(d);
  m.selector.file_names = get_strings(d);
  m.selector.magics.resize(d.count(12));
  for (auto& g : m.selector.magics) {
    g.bytes = d.str();
    g.offset = d.u64();
    if (g.bytes.empty() || g.offset + g.bytes.size() > kMaxMagicEnd) d.fail();
  }
  m.kinds.resize(d.count(12));
  for (auto& k : m.kinds) {
    k.name = d.str();
    k.description = d.str();
    if (!is_valid_name(k.name)) d.fail();
    k.attrs.resize(d.count(13));
    for (auto& a : k.attrs) {
      a.name = d.str();
      const std::uint32_t type = d.u32();
      const bool known = type >= FERRET_ATTR_TEXT && type <= FERRET_ATTR_REAL;
      if (!known || !is_valid_name(a.name)) d.fail();
      a.type = known ? static_cast<ferret_attr_type>(type) : FERRET_ATTR_TEXT;  // never an out-of-range enum value
      a.required = d.u8() != 0;
      a.description = d.str();
    }
  }
  if (!is_valid_name(m.name)) d.fail();
  return d.ok();
}

}  // namespace

std::string encode(const Hello& m) {
  Encoder e;
  e.u32(m.protocol).u32(m.abi_version);
  return e.take();
}

bool decode(std::string_view in, Hello& m) {
  Decoder d(in);
  m.protocol = d.u32();
  m.abi_version = d.u32();
  return d.finished();
}

std::string encode(const LoadRequest& m) {
  Encoder e;
  e.str(m.path).str(m.expected_sha256);
  return e.take();
}

bool decode(std::string_view in, LoadRequest& m) {
  Decoder d(in);
  m.path = d.str();
  m.expected_sha256 = d.str();
  return d.finished();
}

std::string encode(const PluginInfo& m) {
  Encoder e;
  put_info(e, m);
  return e.take();
}

bool decode(std::string_view in, PluginInfo& m) {
  Decoder d(in);
  return get_info(d, m) && d.finished();
}

std::string encode(const LoadReply& m) {
  Encoder e;
  e.u8(m.loaded ? 1 : 0).str(m.sha256).str(m.message);
  put_optional(e, m.partial.name);
  put_optional(e, m.partial.version);
  e.u8(m.partial.abi_version ? 1 : 0).u32(m.partial.abi_version.value_or(0));
  e.u8(m.info ? 1 : 0);
  if (m.info) put_info(e, *m.info);
  return e.take();
}

bool decode(std::string_view in, LoadReply& m) {
  Decoder d(in);
  m.loaded = d.u8() != 0;
  m.sha256 = d.str();
  m.message = d.str();
  m.partial.name = get_optional(d);
  m.partial.version = get_optional(d);
  const bool has_abi = d.u8() != 0;
  const std::uint32_t abi = d.u32();
  if (has_abi) m.partial.abi_version = abi;
  if (d.u8() != 0) {
    m.info.emplace();
    if (!get_info(d, *m.info)) return false;
  }
  if (m.loaded != m.info.has_value()) return false;
  return d.finished();
}

std::string encode(const OpenRequest& m) {
  Encoder e;
  const auto& f = m.file;
  e.i64(f.file_id).i64(f.evidence_id).u8(f.volume_offset ? 1 : 0).u64(f.volume_offset.value_or(0)).str(f.fs_type).str(f.path)
      .str(f.name).u64(f.size).u8(f.allocated ? 1 : 0).u8(f.reallocated ? 1 : 0).u8(f.encoded ? 1 : 0).u64(f.meta_addr)
      .u8(f.attr_type ? 1 : 0).u32(static_cast<std::uint32_t>(f.attr_type.value_or(0))).u8(f.attr_id ? 1 : 0)
      .u32(static_cast<std::uint32_t>(f.attr_id.value_or(0)));
  e.u32(static_cast<std::uint32_t>(f.runs.size()));
  for (const auto& r : f.runs) e.u64(r.file_offset).u8(r.image_offset ? 1 : 0).u64(r.image_offset.value_or(0)).u64(r.length);
  e.str(m.mime).str(m.evidence_path).u64(m.evidence_size).u32(m.head_bytes);
  return e.take();
}

bool decode(std::string_view in, OpenRequest& m) {
  Decoder d(in);
  auto& f = m.file;
  f.file_id = d.i64();
  f.evidence_id = d.i64();
  const bool has_volume = d.u8() != 0;
  const std::uint64_t volume = d.u64();
  if (has_volume) f.volume_offset = volume;
  f.fs_type = d.str();
  f.path = d.str();
  f.name = d.str();
  f.size = d.u64();
  f.allocated = d.u8() != 0;
  f.reallocated = d.u8() != 0;
  f.encoded = d.u8() != 0;
  f.meta_addr = d.u64();
  const bool has_type = d.u8() != 0;
  const auto type = static_cast<int>(d.u32());
  if (has_type) f.attr_type = type;
  const bool has_id = d.u8() != 0;
  const auto id = static_cast<int>(d.u32());
  if (has_id) f.attr_id = id;
  f.runs.resize(d.count(25));
  for (auto& r : f.runs) {
    r.file_offset = d.u64();
    const bool has_image = d.u8() != 0;
    const std::uint64_t image = d.u64();
    if (has_image) r.image_offset = image;
    r.length = d.u64();
  }
  m.mime = d.str();
  m.evidence_path = d.str();
  m.evidence_size = d.u64();
  m.head_bytes = d.u32();
  return d.finished();
}

std::string encode(const OpenReply& m) {
  Encoder e;
  e.u8(m.ok ? 1 : 0).str(m.message).str(m.head);
  return e.take();
}

bool decode(std::string_view in, OpenReply& m) {
  Decoder d(in);
  m.ok = d.u8() != 0;
  m.message = d.str();
  m.head = d.str();
  return d.finished();
}

std::string encode(const ParseRequest& m) {
  Encoder e;
  e.u32(m.plugin).u64(m.timeout_ms).u64(m.limits.max_artifacts).u64(m.limits.max_text_bytes).u64(m.limits.max_value_bytes)
      .u64(m.limits.max_log_lines).u64(m.limits.max_log_line_bytes);
  return e.take();
}

bool decode(std::string_view in, ParseRequest& m) {
  Decoder d(in);
  m.plugin = d.u32();
  m.timeout_ms = d.u64();
  m.limits.max_artifacts = d.u64();
  m.limits.max_text_bytes = d.u64();
  m.limits.max_value_bytes = d.u64();
  m.limits.max_log_lines = d.u64();
  m.limits.max_log_line_bytes = d.u64();
  return d.finished();
}

std::string encode(const ParseOutput& m) {
  Encoder e;
  e.u8(static_cast<std::uint8_t>(m.ending)).u32(static_cast<std::uint32_t>(m.result)).str(m.read_error).str(m.flood_reason);
  put_strings(e, m.log);
  e.u64(m.log_dropped);
  e.u32(static_cast<std::uint32_t>(m.artifacts.size()));
  for (const auto& a : m.artifacts) {
    e.i64(a.id).u32(a.kind).u32(static_cast<std::uint32_t>(a.attrs.size()));
    for (const auto& v : a.attrs) e.u32(v.attr).str(v.value);
  }
  return e.take();
}

bool decode(std::string_view in, ParseOutput& m) {
  Decoder d(in);
  const std::uint8_t ending = d.u8();
  if (ending > static_cast<std::uint8_t>(Ending::flood)) return false;
  m.ending = static_cast<Ending>(ending);
  m.result = static_cast<int>(d.u32());
  m.read_error = d.str();
  m.flood_reason = d.str();
  m.log = get_strings(d);
  m.log_dropped = d.u64();
  m.artifacts.resize(d.count(16));
  for (auto& a : m.artifacts) {
    a.id = d.i64();
    a.kind = d.u32();
    a.attrs.resize(d.count(8));
    for (auto& v : a.attrs) {
      v.attr = d.u32();
      v.value = d.str();
    }
  }
  return d.finished();
}

// ---- the channel ----

Status Channel::send(MessageType type, std::string_view payload) {
  Encoder header;
  header.u32(static_cast<std::uint32_t>(type)).u32(static_cast<std::uint32_t>(payload.size()));
  for (std::string_view part : {std::string_view(header.bytes()), payload}) {
    while (!part.empty()) {
      // MSG_NOSIGNAL: a worker that died must be an error here, not a SIGPIPE that kills the tool.
      const ssize_t n = ::send(fd_, part.data(), part.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return make_error(Errc::io, std::string("cannot write to the worker: ") + std::strerror(errno));
      }
      part.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  return {};
}

Channel::Received Channel::receive(std::optional<Clock::time_point> deadline, const std::atomic<bool>* cancel, std::size_t max_bytes) {
  Received r;
  // Reads exactly `n` bytes into `out`, waiting in slices so that cancellation is seen promptly.
  auto read_exact = [&](char* out, std::size_t n, bool at_message_start) -> Outcome {
    std::size_t done = 0;
    while (done < n) {
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return Outcome::cancelled;
      int wait_ms = cancel != nullptr ? 100 : -1;
      if (deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
        if (left <= 0) return Outcome::timeout;
        wait_ms = wait_ms < 0 ? static_cast<int>(std::min<long long>(left, 1000)) : static_cast<int>(std::min<long long>(left, wait_ms));
      }
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, wait_ms);
      if (ready < 0) {
        if (errno == EINTR) continue;
        r.error = std::string("poll: ") + std::strerror(errno);
        return Outcome::error;
      }
      if (ready == 0) continue;
      const ssize_t got = ::recv(fd_, out + done, n - done, 0);
      if (got < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        if (errno == ECONNRESET) return Outcome::closed;
        r.error = std::string("cannot read from the worker: ") + std::strerror(errno);
        return Outcome::error;
      }
      if (got == 0) {
        if (done > 0 || !at_message_start) r.error = "the worker's connection closed in the middle of a message";
        return Outcome::closed;
      }
      done += static_cast<std::size_t>(got);
    }
    return Outcome::message;
  };
  char header[8];
  r.outcome = read_exact(header, sizeof header, true);
  if (r.outcome != Outcome::message) return r;
  Decoder d(std::string_view(header, sizeof header));
  const std::uint32_t type = d.u32();
  const std::uint32_t length = d.u32();
  if (type < static_cast<std::uint32_t>(MessageType::hello) || type > static_cast<std::uint32_t>(MessageType::result)) {
    r.outcome = Outcome::error;
    r.error = "the worker sent a message of unknown type " + std::to_string(type);
    return r;
  }
  if (length > max_bytes) {
    r.outcome = Outcome::error;
    r.error = "the worker sent a message of " + std::to_string(length) + " bytes, more than the " + std::to_string(max_bytes) + " allowed";
    return r;
  }
  r.type = static_cast<MessageType>(type);
  // A worker that answered in time is not cut off while its (possibly large) answer streams in.
  if (deadline) deadline = std::max(*deadline, Clock::now() + std::chrono::seconds(30));
  r.payload.resize(length);
  r.outcome = read_exact(r.payload.data(), length, false);
  return r;
}

}  // namespace ferret::plugin_host
