// Helpers for the hash-set tests: a sink that keeps what parsers deliver, gzip and raw deflate in memory.
#pragma once

#include <zlib.h>

#include <memory>
#include <string>
#include <vector>

#include "hashset/entry.h"
#include "hashset/input.h"
#include "hashset/parsers.h"

namespace ferret::hashset::test {

struct KeptEntry {
  std::vector<std::string> hexes;  // "md5:..." in the entry's order
  std::string title, release, rights_holder, url, file_name;
  std::optional<std::uint64_t> size;
  std::uint64_t line = 0;
};

struct KeptReject {
  std::uint64_t line = 0;
  std::string reason;
};

class KeepingSink final : public EntrySink {
 public:
  Status entry(const Entry& e) override {
    KeptEntry k;
    for (const auto& d : e.all_digests()) k.hexes.push_back(std::string(hash::algorithm_name(d.algorithm)) + ":" + d.hex());
    k.title = e.meta.title;
    k.release = e.meta.release;
    k.rights_holder = e.meta.rights_holder;
    k.url = e.meta.url;
    k.file_name = e.meta.file_name;
    k.size = e.meta.size;
    k.line = e.line;
    entries.push_back(std::move(k));
    return {};
  }
  void reject(std::uint64_t line, std::string reason) override { rejects.push_back({line, std::move(reason)}); }
  std::vector<KeptEntry> entries;
  std::vector<KeptReject> rejects;
};

struct Parsed {
  KeepingSink sink;
  Status status;
  ParseSummary summary;
};

inline std::unique_ptr<Parsed> parse_text(Format format, const std::string& text) {
  auto out = std::make_unique<Parsed>();
  MemorySource source(text);
  auto parser = make_parser(format, source);
  out->status = parser->run(out->sink, nullptr);
  out->summary = parser->summary();
  return out;
}

// gzip (one member) of `text`.
inline std::string gzip(const std::string& text) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, text.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Raw deflate (no zlib or gzip wrapper, as in a zip member) of `text`.
inline std::string raw_deflate(const std::string& text) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, text.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace ferret::hashset::test
