// Fuzzes the line formats of hash lists (md5sum/sha1sum/sha256sum, hashdeep, CSV, NSRL RDS 2.x
// NSRLFile.txt), gzip-wrapped or not: format detection, then the detected format's parser and one other.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "hashset/input.h"
#include "hashset/parsers.h"

namespace {

using namespace ferret::hashset;

// Accepts everything and checks what a parser hands over.
class CheckingSink final : public EntrySink {
 public:
  ferret::Status entry(const Entry& e) override {
    if (e.digest_count == 0 || e.digest_count > 3) __builtin_trap();
    return {};
  }
  void reject(std::uint64_t, std::string) override {}
};

// Ends a source after `cap` bytes: a gzip bomb costs the harness time, not the parser a bug.
class CappedSource final : public ByteSource {
 public:
  CappedSource(ByteSource& inner, std::size_t cap) : inner_(inner), left_(cap) {}
  ferret::Result<std::size_t> read(std::span<char> out) override {
    if (left_ == 0) return std::size_t{0};
    auto n = inner_.read(out.first(std::min(out.size(), left_)));
    if (n.ok()) left_ -= *n;
    return n;
  }

 private:
  ByteSource& inner_;
  std::size_t left_;
};

constexpr std::size_t kCap = 8u << 20;

void parse_as(Format format, const std::string& bytes, bool gzip) {
  MemorySource memory(bytes);
  std::unique_ptr<ByteSource> decoded;
  ByteSource* source = &memory;
  if (gzip) {
    decoded = std::make_unique<GzipSource>(std::make_unique<BorrowedSource>(memory));
    source = decoded.get();
  }
  CappedSource capped(*source, kCap);
  auto parser = make_parser(format, capped);
  CheckingSink sink;
  (void)parser->run(sink, nullptr);
  (void)parser->summary();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const Sniffed sniffed = sniff_container(std::string_view(bytes).substr(0, kSniffBytes));
  if (sniffed.container != Container::none) return 0;  // zip and SQLite have harnesses of their own
  const bool gzip = sniffed.compression == Compression::gzip;

  std::optional<Format> detected;
  {
    MemorySource memory(bytes);
    std::unique_ptr<ByteSource> decoded;
    ByteSource* source = &memory;
    if (gzip) {
      decoded = std::make_unique<GzipSource>(std::make_unique<BorrowedSource>(memory));
      source = decoded.get();
    }
    CappedSource capped(*source, kCap);
    if (auto format = detect_format(capped); format.ok()) detected = *format;
  }
  // The detected format's parser, as an import runs it, and one more picked by the input's length
  // (each parser costs a 1 MiB line buffer: all six on every input would halve the executions).
  constexpr Format kLineFormats[] = {Format::md5sum, Format::sha1sum, Format::sha256sum, Format::hashdeep, Format::csv, Format::nsrl_rds2};
  if (detected && *detected != Format::vics_json && *detected != Format::nsrl_rdsv3) parse_as(*detected, bytes, gzip);
  const Format other = kLineFormats[size % std::size(kLineFormats)];
  if (!detected || other != *detected) parse_as(other, bytes, gzip);
  return 0;
}
