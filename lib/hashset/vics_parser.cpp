// VICS JSON: a byte-level walker over the document's structure that records one Media object at a
// time (bounded) and hands it to the strict JSON reader.
#include "hashset/vics_parser.h"

#include <charconv>
#include <functional>
#include <vector>

#include "hashset/json_reader.h"

namespace ferret::hashset {

namespace {

constexpr std::size_t kChunk = 256u << 10;
constexpr std::uint64_t kCancelCheckEvery = 4096;

bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// VICS writers differ in the case of member names ("MD5", "Md5"): look them up without it.
const json::Value* member(const json::Value& object, std::string_view name) {
  if (object.type != json::Value::Type::object) return nullptr;
  for (const auto& [k, v] : object.members) {
    if (same_name(k, name)) return &v;
  }
  return nullptr;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The bytes of a JSON document, read forward with the absolute offset known. Every consumed byte
// can be recorded (up to a limit) so that one object's exact text is kept while it is walked.
class JsonStream {
 public:
  explicit JsonStream(ByteSource& source) : source_(source), buffer_(kChunk) {}

  std::uint64_t offset() const { return consumed_ + pos_; }

  // The next byte, not consumed; -1 at the end.
  Result<int> peek_byte() {
    if (pos_ == end_) FERRET_TRY(fill());
    if (pos_ == end_) return -1;
    return static_cast<unsigned char>(buffer_[pos_]);
  }

  Result<int> next_byte() {
    if (pos_ == end_) FERRET_TRY(fill());
    if (pos_ == end_) return -1;
    const char c = buffer_[pos_++];
    if (recorder_ != nullptr) {
      if (recorder_->size() < record_limit_) recorder_->push_back(c);
      else record_overflow_ = true;
    }
    return static_cast<unsigned char>(c);
  }

  // The next byte that is not whitespace, not consumed; -1 at the end.
  Result<int> peek() {
    for (;;) {
      auto c = peek_byte();
      if (!c.ok() || !is_space(*c)) return c;
      (void)next_byte();
    }
  }

  Status expect(char want, const char* where) {
    auto c = peek();
    if (!c.ok()) return c.error();
    if (*c != static_cast<unsigned char>(want)) return unexpected(*c, std::string("'") + want + "' " + where);
    (void)next_byte();
    return {};
  }

  Error unexpected(int c, const std::string& wanted) const {
    if (c < 0) return truncated();
    char shown[16];
    if (c >= 0x20 && c < 0x7f) std::snprintf(shown, sizeof shown, "'%c'", c);
    else std::snprintf(shown, sizeof shown, "0x%02x", c);
    return make_error(Errc::corrupt, "bad JSON at byte " + std::to_string(offset()) + ": expected " + wanted + ", found " + shown);
  }

  Error truncated() const {
    return make_error(Errc::corrupt, "the JSON ends early at byte " + std::to_string(offset()) + " (the file is truncated)");
  }

  // A string token, quotes included, kept in `raw` up to `limit` bytes (`too_long` set beyond).
  Status scan_string(std::string& raw, std::size_t limit, bool& too_long) {
    raw.clear();
    too_long = false;
    auto first = next_byte();
    if (!first.ok()) return first.error();
    raw.push_back('"');
    bool escaped = false;
    for (;;) {
      auto c = next_byte();
      if (!c.ok()) return c.error();
      if (*c < 0) return truncated();
      if (raw.size() < limit) raw.push_back(static_cast<char>(*c));
      else too_long = true;
      if (escaped) escaped = false;
      else if (*c == '\\') escaped = true;
      else if (*c == '"') return {};
    }
  }

  // Consumes one value of any kind. Its bytes go to the recorder when one is set; brackets are only
  // counted here, the JSON reader checks the recorded text.
  Status skip_value() {
    auto c = peek();
    if (!c.ok()) return c.error();
    if (*c < 0) return truncated();
    if (*c == '"') {
      std::string ignored;
      bool too_long = false;
      return scan_string(ignored, 0, too_long);
    }
    if (*c == '{' || *c == '[') {
      std::uint64_t depth = 0;
      bool in_string = false, escaped = false;
      for (;;) {
        auto b = next_byte();
        if (!b.ok()) return b.error();
        if (*b < 0) return truncated();
        if (in_string) {
          if (escaped) escaped = false;
          else if (*b == '\\') escaped = true;
          else if (*b == '"') in_string = false;
        } else if (*b == '"') {
          in_string = true;
        } else if (*b == '{' || *b == '[') {
          ++depth;
        } else if (*b == '}' || *b == ']') {
          if (--depth == 0) return {};
        }
      }
    }
    // A number or a literal: up to the next delimiter.
    std::size_t n = 0;
    for (;;) {
      auto b = peek_byte();
      if (!b.ok()) return b.error();
      if (*b < 0 || is_space(*b) || *b == ',' || *b == '}' || *b == ']') break;
      (void)next_byte();
      ++n;
    }
    if (n == 0) return unexpected(*c, "a value");
    return {};
  }

  void record(std::string* into, std::size_t limit) {
    recorder_ = into;
    record_limit_ = limit;
    record_overflow_ = false;
  }
  void stop_recording() { recorder_ = nullptr; }
  bool record_overflow() const { return record_overflow_; }

 private:
  Status fill() {
    consumed_ += end_;
    pos_ = end_ = 0;
    auto n = source_.read(buffer_);
    if (!n.ok()) return n.error();
    end_ = *n;
    if (first_fill_) {
      first_fill_ = false;
      // A UTF-8 byte-order mark is not part of the document.
      if (end_ >= 3 && std::string_view(buffer_.data(), 3) == "\xef\xbb\xbf") pos_ = 3;
    }
    return {};
  }

  ByteSource& source_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t consumed_ = 0;
  bool first_fill_ = true;
  std::string* recorder_ = nullptr;
  std::size_t record_limit_ = 0;
  bool record_overflow_ = false;
};

class VicsParser final : public Parser {
 public:
  explicit VicsParser(ByteSource& source) : in_(source) {}

  Status run(EntrySink& sink, const std::atomic<bool>* cancel) override {
    sink_ = &sink;
    cancel_ = cancel;
    auto c = in_.peek();
    if (!c.ok()) return c.error();
    if (*c != '{') return make_error(Errc::unsupported, "not a Project VIC VICS document: it does not start with a JSON object");
    (void)in_.next_byte();
    bool saw_value = false;
    FERRET_TRY(members([&](const std::string& key) -> Status {
      if (key != "value") return in_.skip_value();
      saw_value = true;
      auto open = in_.peek();
      if (!open.ok()) return open.error();
      if (*open != '[') return make_error(Errc::unsupported, "not a Project VIC VICS document: its 'value' is not an array");
      (void)in_.next_byte();
      return elements([&] { return value_item(); });
    }));
    auto after = in_.peek();
    if (!after.ok()) return after.error();
    if (*after >= 0) return make_error(Errc::corrupt, "text after the end of the JSON document at byte " + std::to_string(in_.offset()));
    if (!saw_value) return make_error(Errc::unsupported, "not a Project VIC VICS document: the top-level object has no 'value' array");
    return {};
  }

  ParseSummary summary() const override {
    ParseSummary s;
    s.lines = objects_;
    return s;
  }

 private:
  // Walks the members of an object whose '{' is consumed; `on_member` consumes each value.
  Status members(const std::function<Status(const std::string& key)>& on_member) {
    auto c = in_.peek();
    if (!c.ok()) return c.error();
    if (*c == '}') {
      (void)in_.next_byte();
      return {};
    }
    std::string raw;
    for (;;) {
      c = in_.peek();
      if (!c.ok()) return c.error();
      if (*c != '"') return in_.unexpected(*c, "a member name");
      bool too_long = false;
      FERRET_TRY(in_.scan_string(raw, 4096, too_long));
      FERRET_TRY(in_.expect(':', "after a member name"));
      // Names that matter here have no escapes; a long or escaped one is simply not one of them.
      const std::string key = too_long ? std::string() : raw.substr(1, raw.size() - 2);
      FERRET_TRY(on_member(key));
      c = in_.peek();
      if (!c.ok()) return c.error();
      (void)in_.next_byte();
      if (*c == ',') continue;
      if (*c == '}') return {};
      return in_.unexpected(*c, "',' or '}'");
    }
  }

  // Walks the elements of an array whose '[' is consumed; `on_element` consumes each one.
  Status elements(const std::function<Status()>& on_element) {
    auto c = in_.peek();
    if (!c.ok()) return c.error();
    if (*c == ']') {
      (void)in_.next_byte();
      return {};
    }
    for (;;) {
      FERRET_TRY(on_element());
      c = in_.peek();
      if (!c.ok()) return c.error();
      (void)in_.next_byte();
      if (*c == ',') continue;
      if (*c == ']') return {};
      return in_.unexpected(*c, "',' or ']'");
    }
  }

  // An element of "value": a Media object (2.0), or a Case holding a "Media" array (1.x). Its text
  // is recorded as it is walked; a "Media" array inside makes it a Case, and its Media are read.
  Status value_item() {
    auto c = in_.peek();
    if (!c.ok()) return c.error();
    const std::uint64_t start = in_.offset();
    if (*c != '{') {
      FERRET_TRY(in_.skip_value());
      return not_an_object(start);
    }
    text_.clear();
    in_.record(&text_, kMaxVicsObjectBytes);
    (void)in_.next_byte();
    bool is_case = false;
    Status walked = members([&](const std::string& key) -> Status {
      auto open = in_.peek();
      if (!open.ok()) return open.error();
      if (key != "Media" || *open != '[') return in_.skip_value();
      is_case = true;
      in_.stop_recording();
      (void)in_.next_byte();
      return elements([&] { return media_in_case(); });
    });
    in_.stop_recording();
    FERRET_TRY(walked);
    if (is_case) return {};
    return media(start, in_.record_overflow());
  }

  Status media_in_case() {
    auto c = in_.peek();
    if (!c.ok()) return c.error();
    const std::uint64_t start = in_.offset();
    if (*c != '{') {
      FERRET_TRY(in_.skip_value());
      return not_an_object(start);
    }
    text_.clear();
    in_.record(&text_, kMaxVicsObjectBytes);
    Status walked = in_.skip_value();
    in_.stop_recording();
    FERRET_TRY(walked);
    return media(start, in_.record_overflow());
  }

  Status not_an_object(std::uint64_t start) {
    sink_->reject(++objects_, "the Media item at byte " + std::to_string(start) + " is not a JSON object");
    return tick();
  }

  Status tick() {
    if (objects_ % kCancelCheckEvery == 0 && cancel_ != nullptr && cancel_->load()) return make_error(Errc::interrupted, "interrupted");
    return {};
  }

  // One recorded Media object (text_) starting at byte `start`.
  Status media(std::uint64_t start, bool overflow) {
    const std::uint64_t index = ++objects_;
    FERRET_TRY(tick());
    const std::string at = "the Media object at byte " + std::to_string(start);
    if (overflow) {
      sink_->reject(index, at + " is larger than 1 MiB");
      return {};
    }
    auto parsed = json::parse(text_);
    if (!parsed.ok()) {
      sink_->reject(index, at + " is not valid JSON: " + shift_offset(parsed.error().message, start));
      return {};
    }
    Entry entry;
    std::string reason;
    if (!to_entry(*parsed, entry, reason)) {
      sink_->reject(index, reason);
      return {};
    }
    entry.line = index;
    return sink_->entry(entry);
  }

  // The reader counts bytes from the start of the object; the document's offset is more useful.
  static std::string shift_offset(const std::string& message, std::uint64_t start) {
    constexpr std::string_view prefix = "bad JSON at byte ";
    if (message.rfind(prefix, 0) != 0) return message;
    std::uint64_t at = 0;
    const char* begin = message.data() + prefix.size();
    auto [p, ec] = std::from_chars(begin, message.data() + message.size(), at);
    if (ec != std::errc()) return message;
    return "at byte " + std::to_string(start + at) + std::string(p, message.data() + message.size());
  }

  static bool add_digest(Algorithm algorithm, const json::Value* value, const std::string& field, Entry& entry, std::string& reason) {
    if (value == nullptr || value->type == json::Value::Type::null) return true;
    if (value->type != json::Value::Type::string) {
      reason = field + " is not a string";
      return false;
    }
    const std::string_view hex = trim(value->text);
    if (hex.empty()) return true;
    auto digest = parse_hex_digest(algorithm, hex);
    if (!digest.ok()) {
      // The reader's message names the algorithm; an alternative hash also says where it was.
      reason = field.rfind("AlternativeHashes", 0) == 0 ? field + ": " + digest.error().message : digest.error().message;
      return false;
    }
    if (entry.add(*digest)) return true;
    for (const DigestValue& d : entry.all_digests()) {
      if (d.algorithm == algorithm && d.bytes == digest->bytes) return true;  // the same value twice
    }
    reason = field + " differs from the " + hash::algorithm_name(algorithm) + " given before it in the object";
    return false;
  }

  static bool to_entry(const json::Value& m, Entry& entry, std::string& reason) {
    if (!add_digest(Algorithm::md5, member(m, "MD5"), "MD5", entry, reason)) return false;
    if (!add_digest(Algorithm::sha1, member(m, "SHA1"), "SHA1", entry, reason)) return false;
    if (!add_digest(Algorithm::sha256, member(m, "SHA256"), "SHA256", entry, reason)) return false;
    if (const json::Value* alternatives = member(m, "AlternativeHashes"); alternatives != nullptr) {
      if (alternatives->type == json::Value::Type::array) {
        for (const json::Value& alt : alternatives->items) {
          const json::Value* name = member(alt, "HashName");
          if (name == nullptr || name->type != json::Value::Type::string) continue;
          // PhotoDNA and other non-cryptographic hashes are not kept.
          const auto algorithm = algorithm_from_name(trim(name->text));
          if (!algorithm) continue;
          if (!add_digest(*algorithm, member(alt, "HashValue"), "AlternativeHashes " + name->text, entry, reason)) return false;
        }
      } else if (alternatives->type != json::Value::Type::null) {
        reason = "AlternativeHashes is not an array";
        return false;
      }
    }
    if (entry.digest_count == 0) {
      reason = "no MD5, SHA1 or SHA256";
      return false;
    }
    if (const json::Value* size = member(m, "MediaSize"); size != nullptr && size->type != json::Value::Type::null) {
      // VICS 1.x writes numbers as strings ("2835").
      const std::string_view text = size->type == json::Value::Type::number || size->type == json::Value::Type::string ? trim(size->text) : "?";
      if (!text.empty()) {
        std::uint64_t v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || p != text.data() + text.size()) {
          reason = "MediaSize '" + std::string(text.substr(0, 40)) + "' is not a byte count";
          return false;
        }
        entry.meta.size = v;
      }
    }
    for (const char* name : {"RelativeFilePath", "FileName", "Name"}) {
      const json::Value* v = member(m, name);
      if (v != nullptr && v->type == json::Value::Type::string && !v->text.empty()) {
        entry.meta.file_name = v->text;
        break;
      }
    }
    if (entry.meta.file_name.empty()) {
      const json::Value* files = member(m, "MediaFiles");
      if (files != nullptr && files->type == json::Value::Type::array && !files->items.empty()) {
        const json::Value* v = member(files->items.front(), "FileName");
        if (v != nullptr && v->type == json::Value::Type::string) entry.meta.file_name = v->text;
      }
    }
    return true;
  }

  JsonStream in_;
  EntrySink* sink_ = nullptr;
  const std::atomic<bool>* cancel_ = nullptr;
  std::uint64_t objects_ = 0;
  std::string text_;
};

}  // namespace

std::unique_ptr<Parser> make_vics_parser(ByteSource& source) { return std::make_unique<VicsParser>(source); }

}  // namespace ferret::hashset
