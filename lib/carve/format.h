// What a carving format is: a signature that marks where an item may start, and a structure
// validator that walks the format from there to its true end over bounded, random-access bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ferret::carve {

// The largest view a validator may ask for at once.
inline constexpr std::size_t kMaxView = 1u << 20;

// The bytes from a candidate's first byte (position 0) to the end of the space being carved. A
// validator can never see past size(): the scanned space ends there (the end of an unallocated
// range, of the media, or the largest item the run allows).
class Bytes {
 public:
  virtual ~Bytes() = default;

  // Bytes available from position 0.
  virtual std::uint64_t size() const = 0;

  // Up to `len` (<= kMaxView) bytes at `pos`: exactly min(len, size() - pos) bytes, or fewer only
  // when the media cannot be read there (a damaged sector ends the view). The view stays valid until
  // the next call to view() or find() on this object.
  virtual std::span<const std::uint8_t> view(std::uint64_t pos, std::size_t len) = 0;

  // Helpers over view(). Integers return nullopt when the bytes are not there.
  std::optional<std::uint8_t> u8(std::uint64_t pos);
  std::optional<std::uint16_t> u16le(std::uint64_t pos);
  std::optional<std::uint16_t> u16be(std::uint64_t pos);
  std::optional<std::uint32_t> u24be(std::uint64_t pos);
  std::optional<std::uint32_t> u32le(std::uint64_t pos);
  std::optional<std::uint32_t> u32be(std::uint64_t pos);
  std::optional<std::uint64_t> u64le(std::uint64_t pos);
  std::optional<std::uint64_t> u64be(std::uint64_t pos);
  // True when the bytes at `pos` equal `expected`.
  bool matches(std::uint64_t pos, std::string_view expected);
  // The first position >= from and < to (clipped to size()) where `needle` starts; nullopt if none.
  // The whole needle must lie before `to`.
  std::optional<std::uint64_t> find(std::string_view needle, std::uint64_t from, std::uint64_t to);
  // The first position in [from, to) holding byte `b`.
  std::optional<std::uint64_t> find_byte(std::uint8_t b, std::uint64_t from, std::uint64_t to);
};

// Bytes held in memory: tests, and validators that recurse into a buffer.
class MemoryBytes final : public Bytes {
 public:
  explicit MemoryBytes(std::span<const std::uint8_t> data) : data_(data) {}
  explicit MemoryBytes(std::string_view data)
      : data_(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()) {}
  std::uint64_t size() const override { return data_.size(); }
  std::span<const std::uint8_t> view(std::uint64_t pos, std::size_t len) override;

 private:
  std::span<const std::uint8_t> data_;
};

enum class Status { rejected, partial, complete };
const char* status_name(Status status);  // "rejected", "partial", "complete"

// A validator's finding about one candidate.
//  - complete: the format was walked to a consistent end; `length` is the item's exact size.
//  - partial:  the start is genuine (the header and at least one structure after it check out) but
//              the walk could not reach a consistent end; `length` is what was proven to belong to
//              the item (never a guess or a fixed size), `missing` says what is missing or wrong.
//  - rejected: not an item of this format (a chance match of the signature); `missing` says why.
// A validator never reports more than it has checked, and never reads past bytes.size().
struct Verdict {
  Status status = Status::rejected;
  std::uint64_t length = 0;
  std::string missing;    // partial/rejected: e.g. "no EOI marker before the end of the space"
  std::string type;       // refined type: "jpeg", "png", "avi", "wav", "webp", "mp4", "mov", "3gp", "docx" ...
  std::string extension;  // for the carved item's name, without the dot: "jpg", "avi", ...
};

// Limits a validator must respect whatever the bytes claim.
struct Limits {
  std::uint64_t max_item = 64ull << 30;  // no item is longer than this
};

using ValidateFn = Verdict (*)(Bytes& bytes, const Limits& limits);

// Where an item of a format may start: `magic` at `magic_offset` bytes from the item's start.
struct Signature {
  std::string_view family;  // the --types name: "jpeg", "png", "gif", "bmp", "riff", "mp4", ...
  std::string_view magic;
  std::uint32_t magic_offset = 0;
  ValidateFn validate = nullptr;
};

// Every format the carver knows, in the order their signatures are tried at one position.
std::span<const Signature> signatures();

// The family names, each once, in registry order.
std::vector<std::string_view> families();

}  // namespace ferret::carve
