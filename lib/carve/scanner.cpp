// The carving pass: stripes of the space on a pool of workers, a two-byte prefilter over every
// position, validators on the candidates, complete items skipped over, then hashing of what is new.
#include "carve/scanner.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "carve/image_bytes.h"
#include "content/content.h"
#include "identify/identify.h"

namespace ferret::carve {

namespace {

constexpr std::size_t kBlock = 4u << 20;        // candidate starts examined per read
constexpr std::size_t kLookahead = 64;          // bytes after a block a signature may need
constexpr std::uint64_t kBigItem = 64ull << 20; // from this size an item is hashed by the parallel media hasher

// Aliases accepted by --types, mapped to families.
struct Alias {
  std::string_view name, family;
};
constexpr Alias kAliases[] = {
    {"jpg", "jpeg"}, {"tif", ""},      {"mov", "mp4"},    {"3gp", "mp4"},  {"m4a", "mp4"},    {"m4v", "mp4"},
    {"mkv", "matroska"}, {"webm", "matroska"}, {"avi", "riff"}, {"wav", "riff"}, {"webp", "riff"},
    {"docx", "zip"}, {"xlsx", "zip"},  {"pptx", "zip"},   {"odt", "zip"},  {"epub", "zip"},   {"oga", "ogg"},
    {"opus", "ogg"}, {"ogv", "ogg"},   {"db", "sqlite"},
};

// Signatures grouped by where their magic sits, each group with a bitset of the magic's first two
// bytes: one or two bit tests per position decide whether anything can start there.
class Prefilter {
 public:
  explicit Prefilter(const std::vector<const Signature*>& sigs) {
    for (const Signature* s : sigs) {
      Group* g = nullptr;
      for (auto& existing : groups_) {
        if (existing.offset == s->magic_offset) g = &existing;
      }
      if (!g) {
        groups_.push_back({s->magic_offset, std::vector<std::uint64_t>(65536 / 64, 0), {}});
        g = &groups_.back();
      }
      g->sigs.push_back(s);
      const unsigned key = static_cast<std::uint8_t>(s->magic[0]) | static_cast<unsigned>(static_cast<std::uint8_t>(s->magic[1])) << 8;
      g->bits[key >> 6] |= 1ull << (key & 63);
      max_offset_ = std::max<std::size_t>(max_offset_, s->magic_offset);
      if (!trigger_[static_cast<std::uint8_t>(s->magic[0])]) {
        trigger_[static_cast<std::uint8_t>(s->magic[0])] = true;
#if defined(__SSE2__)
        trigger_vectors_[trigger_count_++] = _mm_set1_epi8(s->magic[0]);
#endif
      }
    }
  }

  // Positions in [0, limit) of `data` (which holds `avail` bytes) where a signature matches, in
  // increasing order; for each, the signatures that match, in registry order. A byte that can open
  // a magic is looked for 16 at a time (SSE2); only there are the two-byte sets consulted.
  template <class F>
  void scan(const std::uint8_t* data, std::size_t limit, std::size_t avail, F&& on_hit) const {
    // The positions a trigger byte at j stands for are j - offset; keep them in order by handling
    // the groups' hits through a small window: offsets are few and small (0 and 4).
    const std::size_t end = std::min(avail, limit + max_offset_);
    std::size_t j = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    for (; j + 16 <= end; j += 16) {
      // Free space is mostly zeros, which open no magic: skip 64 zero bytes at a time.
      while (j + 64 <= end) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + j));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + j + 16));
        const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + j + 32));
        const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + j + 48));
        const __m128i any_set = _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d));
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(any_set, zero)) != 0xFFFF) break;
        j += 64;
      }
      if (j + 16 > end) break;
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + j));
      __m128i any = _mm_setzero_si128();
      for (std::size_t t = 0; t < trigger_count_; ++t) any = _mm_or_si128(any, _mm_cmpeq_epi8(chunk, trigger_vectors_[t]));
      unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(any));
      while (mask) {
        const std::size_t at = j + static_cast<std::size_t>(__builtin_ctz(mask));
        mask &= mask - 1;
        at_trigger(data, at, limit, avail, on_hit);
      }
    }
#endif
    for (; j < end; ++j) {
      if (trigger_[data[j]]) at_trigger(data, j, limit, avail, on_hit);
    }
  }

 private:
  template <class F>
  void at_trigger(const std::uint8_t* data, std::size_t at, std::size_t limit, std::size_t avail, F& on_hit) const {
    if (at + 1 >= avail) return;
    const unsigned key = data[at] | static_cast<unsigned>(data[at + 1]) << 8;
    for (const Group& g : groups_) {
      if (at < g.offset || at - g.offset >= limit) continue;
      if (!(g.bits[key >> 6] >> (key & 63) & 1)) continue;
      for (const Signature* s : g.sigs) {
        if (at + s->magic.size() <= avail && std::memcmp(data + at, s->magic.data(), s->magic.size()) == 0) on_hit(at - g.offset, s);
      }
    }
  }

  struct Group {
    std::uint32_t offset;
    std::vector<std::uint64_t> bits;
    std::vector<const Signature*> sigs;
  };
  std::vector<Group> groups_;
  bool trigger_[256] = {};
  std::size_t max_offset_ = 0;
#if defined(__SSE2__)
  __m128i trigger_vectors_[256];  // a plain array: vectors of __m128i lose its alignment attribute
  std::size_t trigger_count_ = 0;
#endif
};

struct Stripe {
  std::size_t extent = 0;
  std::uint64_t begin = 0, end = 0;  // medium offsets; candidates start in [begin, end)
};

// Complete items found so far, shared so that a worker starting a stripe inside one skips it.
class Claims {
 public:
  void add(std::uint64_t begin, std::uint64_t end) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = claims_.emplace(begin, end);
    if (!inserted) it->second = std::max(it->second, end);
  }
  // The first offset >= pos that no claim covers.
  std::uint64_t skip(std::uint64_t pos) const {
    std::lock_guard lock(mutex_);
    for (;;) {
      auto it = claims_.upper_bound(pos);
      if (it == claims_.begin()) return pos;
      --it;
      if (pos >= it->second) return pos;
      pos = it->second;
    }
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::uint64_t> claims_;
};

struct Shared {
  const image::ImageSource& image;
  const std::vector<Extent>& extents;
  const ScanOptions& options;
  const Prefilter& prefilter;
  std::vector<Stripe> stripes;
  std::atomic<std::size_t> next{0};
  Claims claims;
  std::mutex mutex;  // guards what follows
  std::vector<FoundItem> items;
  std::vector<UnreadableSpan> unreadable;
  std::uint64_t candidates = 0;
  ScanProgress progress;

  bool cancelled() const { return options.cancel && options.cancel->load(std::memory_order_relaxed); }
  void advance(std::uint64_t bytes, std::uint64_t found) {
    std::lock_guard lock(mutex);
    progress.bytes_done += bytes;
    progress.items += found;
    if (options.progress) options.progress(progress);
  }
};

// The first byte of [from, to) that cannot be read, to the sector (`to` when every byte can).
std::uint64_t first_unreadable(const image::ImageSource& image, std::uint64_t from, std::uint64_t to,
                               std::vector<std::uint8_t>& scratch) {
  const std::uint64_t sector = std::max<std::uint32_t>(image.sector_size(), 512);
  for (const std::uint64_t step : {std::uint64_t{64} << 10, sector}) {
    scratch.resize(static_cast<std::size_t>(step));
    while (from < to) {
      const auto n = static_cast<std::size_t>(std::min(step, to - from));
      auto got = image.read_at(from, std::as_writable_bytes(std::span(scratch.data(), n)));
      if (!got.ok() || *got < n) break;
      from += n;
    }
  }
  return from;
}

// The first sector after `from` (which cannot be read) that can be, before `to`.
std::uint64_t next_readable(const image::ImageSource& image, std::uint64_t from, std::uint64_t to,
                            std::vector<std::uint8_t>& scratch) {
  const std::uint64_t sector = std::max<std::uint32_t>(image.sector_size(), 512);
  scratch.resize(static_cast<std::size_t>(sector));
  for (from = std::min(to, (from / sector + 1) * sector); from < to; from += sector) {
    const auto n = static_cast<std::size_t>(std::min(sector, to - from));
    auto got = image.read_at(from, std::as_writable_bytes(std::span(scratch.data(), n)));
    if (got.ok() && *got == n) break;
  }
  return std::min(from, to);
}

void scan_stripe(Shared& sh, const Stripe& stripe, ImageBytes& bytes, std::vector<std::uint8_t>& block) {
  const Extent& extent = sh.extents[stripe.extent];
  const std::uint64_t extent_end = extent.offset + extent.length;
  std::uint64_t pos = stripe.begin;
  std::vector<FoundItem> found;
  std::uint64_t candidates = 0;
  struct Hit {
    std::size_t at;
    const Signature* sig;
  };
  std::vector<Hit> hits;
  std::vector<std::uint8_t> scratch;
  while (pos < stripe.end && !sh.cancelled()) {
    const std::uint64_t skipped_to = std::min(sh.claims.skip(pos), stripe.end);
    if (skipped_to > pos) {
      sh.advance(skipped_to - pos, 0);
      pos = skipped_to;
      continue;
    }
    std::uint64_t block_end = std::min<std::uint64_t>(stripe.end, pos + kBlock);
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(extent_end, block_end + kLookahead) - pos);
    auto got = sh.image.read_at(pos, std::as_writable_bytes(std::span(block.data(), want)));
    if (!got.ok() || *got < want) {
      // A damaged stretch (or a short read inside the media) must not hide the rest of the block:
      // scan what can be read before it, and skip (and record) only the sectors that cannot be.
      const std::string why = got.ok() ? "short read (the medium ends before its recorded size?)" : got.error().message;
      const std::uint64_t bad = first_unreadable(sh.image, pos, pos + want, scratch);
      if (bad > pos) {
        want = static_cast<std::size_t>(bad - pos);
        block_end = std::min(block_end, bad);
        got = sh.image.read_at(pos, std::as_writable_bytes(std::span(block.data(), want)));
      }
      if (bad == pos || !got.ok() || *got < want) {
        const std::uint64_t good = next_readable(sh.image, pos, block_end, scratch);
        {
          std::lock_guard lock(sh.mutex);
          sh.unreadable.push_back({pos, good - pos, why});
        }
        sh.advance(good - pos, 0);
        pos = good;
        continue;
      }
    }
    const std::size_t avail = *got;
    const std::size_t limit = static_cast<std::size_t>(std::min<std::uint64_t>(block_end - pos, avail));
    hits.clear();
    sh.prefilter.scan(block.data(), limit, avail, [&](std::size_t at, const Signature* s) { hits.push_back({at, s}); });
    // Signatures whose magic sits inside the item (ftyp at 4) are seen a few bytes late.
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.at < b.at; });
    std::uint64_t next_free = pos;  // candidates before this lie inside a complete item
    std::uint64_t resume = block_end;
    std::uint64_t last_at = UINT64_MAX;
    bool accepted_here = false;
    for (const Hit& h : hits) {
      const std::uint64_t at = pos + h.at;
      if (at < next_free) continue;
      if (at == last_at && accepted_here) continue;  // one item per position
      if (at != last_at) accepted_here = false;
      last_at = at;
      ++candidates;
      bytes.reset(at, std::min(extent_end - at, sh.options.limits.max_item));
      Verdict v = h.sig->validate(bytes, sh.options.limits);
      if (v.status == Status::rejected || v.length == 0) continue;
      v.length = std::min(v.length, bytes.size());
      accepted_here = true;
      FoundItem item;
      item.offset = at;
      item.length = v.length;
      item.status = v.status;
      item.family = std::string(h.sig->family);
      item.type = std::move(v.type);
      item.extension = std::move(v.extension);
      item.missing = std::move(v.missing);
      item.volume_id = extent.volume_id;
      item.unreadable = bytes.met_unreadable();
      found.push_back(std::move(item));
      // A complete item is not searched again: what starts inside is embedded in it (a thumbnail).
      // A partial one is: its proven prefix may run into the next file (a truncated JPEG's scan
      // data cannot tell where it stops belonging).
      if (v.status == Status::complete) {
        next_free = at + v.length;
        sh.claims.add(at, at + v.length);
        if (next_free > block_end) {
          resume = std::min(next_free, stripe.end);
          break;
        }
      }
    }
    sh.advance(resume - pos, 0);
    pos = resume;
  }
  std::lock_guard lock(sh.mutex);
  sh.candidates += candidates;
  sh.progress.items += found.size();
  for (auto& f : found) sh.items.push_back(std::move(f));
}

// Hashes one item's bytes: MD5, SHA-1, SHA-256 and the MIME type from its head.
void hash_item(const image::ImageSource& image, FoundItem& item, identify::Identifier* identifier,
               std::vector<std::uint8_t>& buffer, const std::atomic<bool>* cancel) {
  hash::Digest md5(hash::Algorithm::md5), sha1(hash::Algorithm::sha1), sha256(hash::Algorithm::sha256);
  std::string head;
  std::uint64_t done = 0;
  while (done < item.length) {
    if (cancel && cancel->load(std::memory_order_relaxed)) return;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), item.length - done));
    auto got = image.read_at(item.offset + done, std::as_writable_bytes(std::span(buffer.data(), want)));
    if (!got.ok() || *got < want) {
      item.unreadable = true;
      return;
    }
    const auto chunk = std::as_bytes(std::span(buffer.data(), want));
    md5.update(chunk);
    sha1.update(chunk);
    sha256.update(chunk);
    if (head.size() < identify::Identifier::head_bytes()) {
      const std::size_t take = std::min(want, identify::Identifier::head_bytes() - head.size());
      head.append(reinterpret_cast<const char*>(buffer.data()), take);
    }
    done += want;
  }
  item.digests = hash::Digests{md5.finish_hex(), sha1.finish_hex(), sha256.finish_hex()};
  if (identifier) item.mime = identifier->mime(std::as_bytes(std::span(head.data(), head.size())));
}

std::vector<const Signature*> selected_signatures(const std::vector<std::string>& families) {
  std::vector<const Signature*> out;
  for (const Signature& s : signatures()) {
    if (families.empty() || std::find(families.begin(), families.end(), s.family) != families.end()) out.push_back(&s);
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> parse_families(const std::string& list) {
  std::vector<std::string> out;
  std::string unknown;
  const auto known = families();
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string name = list.substr(start, comma - start);
    start = comma + 1;
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (name.empty()) continue;
    std::string family;
    if (std::find(known.begin(), known.end(), name) != known.end()) family = name;
    for (const Alias& a : kAliases) {
      if (a.name == name && !a.family.empty()) family = std::string(a.family);
    }
    if (family.empty()) {
      unknown += (unknown.empty() ? "" : ", ") + name;
      continue;
    }
    if (std::find(out.begin(), out.end(), family) == out.end()) out.push_back(family);
  }
  if (!unknown.empty()) {
    std::string names;
    for (auto k : known) names += (names.empty() ? "" : ", ") + std::string(k);
    return make_error(Errc::invalid_argument, "unknown type(s): " + unknown + " (known: " + names + ")");
  }
  return out;
}

Result<ScanOutcome> scan_extents(const image::ImageSource& image, const std::vector<Extent>& extents,
                                 const ScanOptions& options) {
  for (const auto& f : options.families) {
    auto checked = parse_families(f);
    if (!checked.ok()) return checked.error();
  }
  const auto sigs = selected_signatures(options.families);
  const Prefilter prefilter(sigs);
  Shared sh{image, extents, options, prefilter, {}, {}, {}, {}, {}, {}, 0, {}};
  const std::uint64_t stripe_bytes = std::max<std::uint64_t>(options.stripe_bytes, kBlock);
  for (std::size_t e = 0; e < extents.size(); ++e) {
    const Extent& x = extents[e];
    const std::uint64_t end = std::min(x.offset + x.length, image.size());
    for (std::uint64_t b = x.offset; b < end; b += stripe_bytes) sh.stripes.push_back({e, b, std::min(end, b + stripe_bytes)});
    if (end > x.offset) sh.progress.bytes_total += end - x.offset;
  }
  const unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  auto scan_worker = [&] {
    ImageBytes bytes(image);
    std::vector<std::uint8_t> block(kBlock + kLookahead);
    for (;;) {
      const std::size_t i = sh.next.fetch_add(1);
      if (i >= sh.stripes.size() || sh.cancelled()) break;
      scan_stripe(sh, sh.stripes[i], bytes, block);
    }
  };
  {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(scan_worker);
    scan_worker();
    for (auto& t : pool) t.join();
  }

  ScanOutcome out;
  out.interrupted = sh.cancelled();
  out.candidates = sh.candidates;
  out.bytes_scanned = sh.progress.bytes_done;
  out.unreadable = std::move(sh.unreadable);
  std::sort(out.unreadable.begin(), out.unreadable.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
  // By offset, then the complete one first; drop what starts inside a complete item found earlier
  // (a thumbnail inside a photo, a stripe's view of the inside of a film another stripe walked).
  std::sort(sh.items.begin(), sh.items.end(), [](const FoundItem& a, const FoundItem& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    return a.status == Status::complete && b.status != Status::complete;
  });
  // Partial items inside a partial item of the same family are its own parts (a damaged zip's
  // later members, an MP3's later frames) and are dropped too; a complete item never is.
  std::uint64_t covered_until = 0;
  std::map<std::string, std::uint64_t> partial_until;
  for (auto& item : sh.items) {
    if (item.offset < covered_until) {
      ++out.nested_dropped;
      continue;
    }
    auto& same_family = partial_until[item.family];
    if (item.status == Status::partial && item.offset < same_family) {
      ++out.nested_dropped;
      continue;
    }
    if (item.status == Status::complete) covered_until = item.offset + item.length;
    else same_family = std::max(same_family, item.offset + item.length);
    item.known = std::binary_search(options.known_starts.begin(), options.known_starts.end(), item.offset);
    out.items.push_back(std::move(item));
  }
  if (!options.hash_items || out.interrupted) return out;

  // Hash what is new: small items on the pool, one at a time; big ones by the parallel media hasher.
  std::atomic<std::size_t> next{0};
  auto hash_worker = [&] {
    auto identifier = identify::Identifier::create();
    identify::Identifier* id = identifier.ok() ? &*identifier : nullptr;
    std::vector<std::uint8_t> buffer(1u << 20);
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= out.items.size() || sh.cancelled()) break;
      FoundItem& item = out.items[i];
      if (item.known || item.length >= kBigItem) continue;
      hash_item(image, item, id, buffer, options.cancel);
    }
  };
  {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(hash_worker);
    hash_worker();
    for (auto& t : pool) t.join();
  }
  for (FoundItem& item : out.items) {
    if (item.known || item.length < kBigItem || sh.cancelled()) continue;
    content::FileContent as_file;
    as_file.size = item.length;
    as_file.runs.push_back({0, item.offset, item.length});
    auto media = content::file_as_media(image, as_file);
    hash::MediaHashOptions hash_options;
    hash_options.cancel = options.cancel;
    auto hashed = hash::hash_media(*media, hash_options);
    if (!hashed.ok() || !hashed->unreadable.empty()) {
      item.unreadable = true;
      continue;
    }
    item.digests = hashed->digests;
    std::vector<std::uint8_t> head(static_cast<std::size_t>(std::min<std::uint64_t>(identify::Identifier::head_bytes(), item.length)));
    auto got = image.read_at(item.offset, std::as_writable_bytes(std::span(head)));
    auto identifier = identify::Identifier::create();
    if (got.ok() && identifier.ok()) item.mime = identifier->mime(std::as_bytes(std::span(head.data(), *got)));
  }
  out.interrupted = sh.cancelled();
  return out;
}

}  // namespace ferret::carve
