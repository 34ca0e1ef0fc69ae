// Import by external sort: records go to a fixed-size buffer per algorithm; a full buffer is sorted,
// deduplicated and spilled as a run file; at the end the runs are merged into the final sections.
#include "hashset/import.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/text.h"
#include "ferret/version.h"
#include "hashset/format.h"
#include "hashset/input.h"
#include "hashset/rdsv3.h"
#include "hashset/zip_source.h"

namespace ferret::hashset {

namespace {

std::string errno_text() { return std::strerror(errno); }

std::uint32_t load_u32(const unsigned char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;  // records in memory and in run files are native-endian; the set file is written little-endian below
}

std::uint64_t load_be64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

std::uint32_t load_be32(const unsigned char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
  return v;
}

// Digest order is byte order; comparing 8 bytes at a time is what makes sorting cheap.
template <std::size_t D>
inline int compare_digest(const unsigned char* a, const unsigned char* b) {
  for (std::size_t i = 0; i + 8 <= D; i += 8) {
    const std::uint64_t x = load_be64(a + i), y = load_be64(b + i);
    if (x != y) return x < y ? -1 : 1;
  }
  if constexpr (D % 8 == 4) {
    const std::uint32_t x = load_be32(a + D - 4), y = load_be32(b + D - 4);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

template <std::size_t D>
struct Rec {
  unsigned char b[D + 4];
};

// Sorts by (digest, entry index) and keeps the first record of each digest: the earliest entry that
// carries metadata wins, since "no metadata" is the largest index.
template <std::size_t D>
std::size_t sort_dedupe_typed(unsigned char* base, std::size_t n) {
  auto* r = reinterpret_cast<Rec<D>*>(base);
  std::sort(r, r + n, [](const Rec<D>& x, const Rec<D>& y) {
    const int c = compare_digest<D>(x.b, y.b);
    return c != 0 ? c < 0 : load_u32(x.b + D) < load_u32(y.b + D);
  });
  std::size_t out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (out == 0 || compare_digest<D>(r[out - 1].b, r[i].b) != 0) r[out++] = r[i];
  }
  return out;
}

std::size_t sort_dedupe(Algorithm a, unsigned char* base, std::size_t n) {
  switch (a) {
    case Algorithm::md5: return sort_dedupe_typed<16>(base, n);
    case Algorithm::sha1: return sort_dedupe_typed<20>(base, n);
    case Algorithm::sha256: return sort_dedupe_typed<32>(base, n);
  }
  return n;
}

int compare_record(const unsigned char* a, const unsigned char* b, std::size_t d) {
  const int c = std::memcmp(a, b, d);
  if (c != 0) return c;
  const std::uint32_t x = load_u32(a + d), y = load_u32(b + d);
  return x < y ? -1 : x > y ? 1 : 0;
}

Status write_all(int fd, const unsigned char* p, std::size_t n, const std::string& what) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return make_error(Errc::io, "cannot write " + what + ": " + errno_text());
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return {};
}

// A temporary directory beside the output for the run files, removed with everything in it.
class ScratchDir {
 public:
  static Result<ScratchDir> create(const std::filesystem::path& out) {
    auto parent = out.parent_path();
    if (parent.empty()) parent = ".";
    std::string templ = (parent / ("." + out.filename().string() + ".import-XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) {
      return make_error(errno == ENOENT ? Errc::not_found : Errc::io, "cannot create a temporary directory beside " + out.string() + ": " + errno_text());
    }
    ScratchDir d;
    d.path_ = templ;
    return d;
  }
  ScratchDir() = default;
  ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A file written through a buffer (the entry offsets).
class BufferedOut {
 public:
  ~BufferedOut() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status open(const std::filesystem::path& p) {
    path_ = p;
    fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) return make_error(Errc::io, "cannot create " + p.string() + ": " + errno_text());
    buf_.reserve(1u << 20);
    return {};
  }
  bool is_open() const { return fd_ >= 0; }
  Status put_u64(std::uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    buf_.insert(buf_.end(), b, b + 8);
    if (buf_.size() + 8 > buf_.capacity()) return flush();
    return {};
  }
  Status flush() {
    FERRET_TRY(write_all(fd_, buf_.data(), buf_.size(), path_.string()));
    buf_.clear();
    return {};
  }
  // Appends the whole file to the set.
  Status copy_into(HashSetFileWriter& w) {
    FERRET_TRY(flush());
    if (::lseek(fd_, 0, SEEK_SET) != 0) return make_error(Errc::io, "cannot rewind " + path_.string() + ": " + errno_text());
    buf_.resize(buf_.capacity());
    for (;;) {
      const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(Errc::io, "cannot read " + path_.string() + ": " + errno_text());
      if (n == 0) break;
      FERRET_TRY(w.append(std::span<const unsigned char>(buf_.data(), static_cast<std::size_t>(n))));
    }
    buf_.clear();
    return {};
  }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  std::vector<unsigned char> buf_;
};

// Address space for one algorithm's records; pages are given back after each spill, so the
// resident memory is what is in use, never more than the budget.
class RecordArena {
 public:
  RecordArena() = default;
  RecordArena(const RecordArena&) = delete;
  RecordArena& operator=(const RecordArena&) = delete;
  ~RecordArena() {
    if (base_ != nullptr) ::munmap(base_, capacity_);
  }
  Status reserve(std::size_t capacity) {
    void* p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return make_error(Errc::io, "cannot reserve " + human_bytes(static_cast<double>(capacity)) + " of memory: " + errno_text());
    base_ = static_cast<unsigned char*>(p);
    capacity_ = capacity;
    return {};
  }
  bool reserved() const { return base_ != nullptr; }
  unsigned char* data() { return base_; }
  std::size_t used() const { return used_; }
  void push(const unsigned char* rec, std::size_t n) {
    std::memcpy(base_ + used_, rec, n);
    used_ += n;
  }
  void release() {
    if (base_ != nullptr && used_ > 0) ::madvise(base_, used_, MADV_DONTNEED);
    used_ = 0;
  }

 private:
  unsigned char* base_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
};

struct Run {
  std::filesystem::path path;
  std::uint64_t records = 0;
};

struct AlgorithmStore {
  RecordArena arena;
  std::vector<Run> runs;
  std::uint64_t pushed = 0;
  std::uint64_t stored = 0;
};

// Where merged records go: a run file or the set's digest section.
class RecordOut {
 public:
  virtual ~RecordOut() = default;
  virtual Status put(const unsigned char* rec) = 0;
  virtual Status finish() = 0;
};

class RunOut final : public RecordOut {
 public:
  RunOut(std::filesystem::path p, std::size_t rec) : path_(std::move(p)), rec_(rec) { buf_.reserve(1u << 20); }
  ~RunOut() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status open() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) return make_error(Errc::io, "cannot create " + path_.string() + ": " + errno_text());
    return {};
  }
  Status put(const unsigned char* rec) override {
    buf_.insert(buf_.end(), rec, rec + rec_);
    ++records_;
    if (buf_.size() + rec_ > buf_.capacity()) {
      FERRET_TRY(write_all(fd_, buf_.data(), buf_.size(), path_.string()));
      buf_.clear();
    }
    return {};
  }
  Status finish() override {
    FERRET_TRY(write_all(fd_, buf_.data(), buf_.size(), path_.string()));
    buf_.clear();
    ::close(fd_);
    fd_ = -1;
    return {};
  }
  std::uint64_t records() const { return records_; }

 private:
  std::filesystem::path path_;
  std::size_t rec_;
  int fd_ = -1;
  std::vector<unsigned char> buf_;
  std::uint64_t records_ = 0;
};

// The digest section: a prefix table (filled in at the end) and the records, little-endian.
class SectionOut final : public RecordOut {
 public:
  SectionOut(HashSetFileWriter& w, Algorithm a) : w_(w), a_(a), d_(digest_size(a)), buckets_(65536, 0) { buf_.reserve(1u << 20); }
  Status begin() { return w_.begin_section(SectionKind::digest_index, algorithm_id(a_), kPrefixTableBytes); }
  Status put(const unsigned char* rec) override {
    ++buckets_[std::size_t{rec[0]} << 8 | rec[1]];
    ++count_;
    buf_.insert(buf_.end(), rec, rec + d_ + 4);
    if constexpr (std::endian::native == std::endian::big) {
      std::reverse(buf_.end() - 4, buf_.end());
    }
    if (buf_.size() + d_ + 4 > buf_.capacity()) return flush();
    return {};
  }
  // A whole sorted, deduplicated block at once (the in-memory path).
  Status put_block(const unsigned char* recs, std::size_t n) {
    const std::size_t rec = d_ + 4;
    for (std::size_t i = 0; i < n; ++i) FERRET_TRY(put(recs + i * rec));
    return {};
  }
  Status finish() override {
    FERRET_TRY(flush());
    if (count_ >= kNoEntry) return make_error(Errc::unsupported, "more than 4,294,967,294 distinct hashes of one algorithm");
    std::vector<unsigned char> head(kPrefixTableBytes, 0);
    std::uint64_t at = 0;
    for (std::size_t p = 0; p <= 65536; ++p) {
      const auto v = static_cast<std::uint32_t>(at);
      for (int i = 0; i < 4; ++i) head[4 * p + static_cast<std::size_t>(i)] = static_cast<unsigned char>(v >> (8 * i));
      if (p < 65536) at += buckets_[p];
    }
    return w_.end_section(count_, head);
  }
  std::uint64_t count() const { return count_; }

 private:
  Status flush() {
    FERRET_TRY(w_.append(std::span<const unsigned char>(buf_.data(), buf_.size())));
    buf_.clear();
    return {};
  }
  HashSetFileWriter& w_;
  Algorithm a_;
  std::size_t d_;
  std::vector<std::uint64_t> buckets_;
  std::vector<unsigned char> buf_;
  std::uint64_t count_ = 0;
};

class RunReader {
 public:
  RunReader(const Run& run, std::size_t rec, std::size_t buffer_bytes) : run_(run), rec_(rec) {
    buf_.resize(std::max(rec, buffer_bytes / rec * rec));
  }
  ~RunReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  RunReader(const RunReader&) = delete;
  RunReader& operator=(const RunReader&) = delete;
  Status open() {
    fd_ = ::open(run_.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return make_error(Errc::io, "cannot open " + run_.path.string() + ": " + errno_text());
    return refill();
  }
  bool done() const { return pos_ >= len_; }
  const unsigned char* current() const { return buf_.data() + pos_; }
  Status advance() {
    pos_ += rec_;
    if (pos_ >= len_) return refill();
    return {};
  }

 private:
  Status refill() {
    pos_ = len_ = 0;
    while (len_ < buf_.size()) {
      const ssize_t n = ::read(fd_, buf_.data() + len_, buf_.size() - len_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(Errc::io, "cannot read " + run_.path.string() + ": " + errno_text());
      if (n == 0) break;
      len_ += static_cast<std::size_t>(n);
    }
    if (len_ % rec_ != 0) return make_error(Errc::internal, run_.path.string() + " ends inside a record");
    return {};
  }
  const Run& run_;
  std::size_t rec_;
  int fd_ = -1;
  std::vector<unsigned char> buf_;
  std::size_t pos_ = 0, len_ = 0;
};

// k-way merge of sorted runs with a heap, dropping repeated digests. Returns the records written.
Result<std::uint64_t> merge_runs(const std::vector<Run>& runs, std::size_t d, std::uint64_t budget, RecordOut& out,
                                 const std::atomic<bool>* cancel, const std::function<void(std::uint64_t)>& tick) {
  const std::size_t rec = d + 4;
  std::vector<std::unique_ptr<RunReader>> readers;
  const std::size_t per_reader = static_cast<std::size_t>(std::max<std::uint64_t>(rec, budget / (runs.size() + 1)));
  for (const auto& r : runs) {
    readers.push_back(std::make_unique<RunReader>(r, rec, std::min<std::size_t>(per_reader, 4u << 20)));
    FERRET_TRY(readers.back()->open());
  }
  const auto greater = [&](std::size_t x, std::size_t y) { return compare_record(readers[x]->current(), readers[y]->current(), d) > 0; };
  std::vector<std::size_t> heap;
  for (std::size_t i = 0; i < readers.size(); ++i) {
    if (!readers[i]->done()) heap.push_back(i);
  }
  std::make_heap(heap.begin(), heap.end(), greater);
  std::array<unsigned char, kMaxDigestSize> last{};
  bool have_last = false;
  std::uint64_t written = 0, seen = 0;
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), greater);
    const std::size_t i = heap.back();
    const unsigned char* r = readers[i]->current();
    if (!have_last || std::memcmp(last.data(), r, d) != 0) {
      FERRET_TRY(out.put(r));
      std::memcpy(last.data(), r, d);
      have_last = true;
      ++written;
    }
    if (++seen % (1u << 20) == 0) {
      if (cancel != nullptr && cancel->load()) return make_error(Errc::interrupted, "interrupted");
      if (tick) tick(seen);
    }
    FERRET_TRY(readers[i]->advance());
    if (readers[i]->done()) heap.pop_back();
    else std::push_heap(heap.begin(), heap.end(), greater);
  }
  FERRET_TRY(out.finish());
  return written;
}

std::string json_text(std::string_view s) { return "\"" + json_escape(escape_invalid_utf8(s)) + "\""; }

class Importer final : public EntrySink {
 public:
  Importer(HashSetFileWriter& writer, const std::filesystem::path& scratch, const ImportOptions& options, ImportOutcome& outcome)
      : writer_(writer), scratch_(scratch), options_(options), outcome_(outcome) {
    // Room for parsing, I/O buffers and prefix tables comes off a large budget; a tiny one (tests) is
    // used as it is.
    const std::uint64_t reserve = options.memory_budget >= (64ull << 20) ? (8ull << 20) : 0;
    record_budget_ = options.memory_budget - reserve;
  }

  // `done` tells how far the source is read (bytes of `total`, or rows when `rows`), for progress.
  void start_source(std::size_t index, std::function<std::uint64_t()> done, std::uint64_t total, bool rows) {
    source_ = index;
    done_ = std::move(done);
    total_ = total;
    rows_ = rows;
  }

  Status entry(const Entry& e) override {
    Status done = add(e);
    if (!done.ok()) failed_ = true;
    return done;
  }

  // True when an error came from writing the set, not from reading a source.
  bool failed() const { return failed_; }

  void reject(std::uint64_t line, std::string reason) override {
    ++outcome_.sources[source_].rejected;
    ++outcome_.rejected;
    if (outcome_.rejects.size() < options_.rejects_kept) outcome_.rejects.push_back({source_, line, std::move(reason)});
    if (++ticks_ % 65536 == 0) report_progress();
  }

 private:
  Status add(const Entry& e) {
    std::uint32_t index = kNoEntry;
    if (!e.meta.empty()) {
      if (outcome_.entries_with_metadata >= kNoEntry - 1) {
        return make_error(Errc::unsupported, "more than 4,294,967,294 entries with metadata");
      }
      if (!entry_section_open_) {
        FERRET_TRY(offsets_.open(scratch_ / "entry-offsets"));
        FERRET_TRY(writer_.begin_section(SectionKind::entry_data));
        entry_section_open_ = true;
      }
      encode_entry(e.meta, encoded_);
      FERRET_TRY(offsets_.put_u64(entry_bytes_));
      FERRET_TRY(writer_.append(encoded_));
      entry_bytes_ += encoded_.size();
      index = static_cast<std::uint32_t>(outcome_.entries_with_metadata++);
    }
    for (const DigestValue& d : e.all_digests()) FERRET_TRY(push(d, index));
    ++outcome_.sources[source_].accepted;
    ++outcome_.accepted;
    if (++ticks_ % 65536 == 0) report_progress();
    return {};
  }

 public:
  // Writes every section but the metadata.
  Status finish() {
    if (entry_section_open_) {
      FERRET_TRY(writer_.end_section(entry_bytes_));
      FERRET_TRY(offsets_.put_u64(entry_bytes_));
      FERRET_TRY(writer_.begin_section(SectionKind::entry_offsets));
      FERRET_TRY(offsets_.copy_into(writer_));
      FERRET_TRY(writer_.end_section(outcome_.entries_with_metadata));
    }
    bool spilled = false;
    for (const auto& s : stores_) spilled = spilled || !s.runs.empty();
    if (spilled) FERRET_TRY(spill_all());  // everything through the merge: the budget then holds for its buffers
    for (Algorithm a : hash::kAllAlgorithms) {
      AlgorithmStore& s = stores_[static_cast<std::size_t>(a)];
      if (s.pushed == 0) continue;
      const std::size_t d = digest_size(a), rec = d + 4;
      SectionOut section(writer_, a);
      FERRET_TRY(section.begin());
      if (!spilled) {
        const std::size_t n = sort_dedupe(a, s.arena.data(), s.arena.used() / rec);
        if (options_.progress) options_.progress({std::string("writing ") + hash::algorithm_name(a), 0, 0, 0, n});
        FERRET_TRY(section.put_block(s.arena.data(), n));
        FERRET_TRY(section.finish());
        s.arena.release();
      } else {
        FERRET_TRY(reduce_runs(a, s));
        const std::string phase = std::string("merging ") + hash::algorithm_name(a);
        const auto tick = [&](std::uint64_t done) {
          if (options_.progress) options_.progress({phase, 0, 0, done, s.pushed});
        };
        auto n = merge_runs(s.runs, d, record_budget_, section, options_.cancel, tick);
        if (!n.ok()) return n.error();
      }
      s.stored = section.count();
      outcome_.counts.push_back({a, s.stored, s.pushed - s.stored});
    }
    return {};
  }

  std::uint64_t runs() const { return runs_; }

 private:
  Status push(const DigestValue& d, std::uint32_t index) {
    AlgorithmStore& s = stores_[static_cast<std::size_t>(d.algorithm)];
    const std::size_t size = digest_size(d.algorithm), rec = size + 4;
    if (!s.arena.reserved()) FERRET_TRY(s.arena.reserve(static_cast<std::size_t>(std::max<std::uint64_t>(record_budget_, rec))));
    if (used_ + rec > record_budget_) FERRET_TRY(spill_all());
    unsigned char buf[kMaxDigestSize + 4];
    std::memcpy(buf, d.bytes.data(), size);
    std::memcpy(buf + size, &index, 4);
    s.arena.push(buf, rec);
    used_ += rec;
    ++s.pushed;
    return {};
  }

  Status spill_all() {
    for (Algorithm a : hash::kAllAlgorithms) {
      AlgorithmStore& s = stores_[static_cast<std::size_t>(a)];
      if (s.arena.used() == 0) continue;
      const std::size_t rec = digest_size(a) + 4;
      const std::size_t n = sort_dedupe(a, s.arena.data(), s.arena.used() / rec);
      Run run{scratch_ / (std::string(hash::algorithm_name(a)) + "-" + std::to_string(runs_++) + ".run"), n};
      const int fd = ::open(run.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) return make_error(Errc::io, "cannot create " + run.path.string() + ": " + errno_text());
      Status written = write_all(fd, s.arena.data(), n * rec, run.path.string());
      ::close(fd);
      if (!written.ok()) return written;
      s.runs.push_back(std::move(run));
      s.arena.release();
    }
    used_ = 0;
    return {};
  }

  // Merges runs in groups until few enough remain for one merge with useful buffers (and file handles).
  Status reduce_runs(Algorithm a, AlgorithmStore& s) {
    const std::size_t d = digest_size(a);
    const std::uint64_t fan_in = std::clamp<std::uint64_t>(record_budget_ / (64u << 10), 2, 256);
    while (s.runs.size() > fan_in) {
      std::vector<Run> group(s.runs.begin(), s.runs.begin() + static_cast<std::ptrdiff_t>(fan_in));
      RunOut out(scratch_ / (std::string(hash::algorithm_name(a)) + "-" + std::to_string(runs_++) + ".run"), d + 4);
      FERRET_TRY(out.open());
      auto n = merge_runs(group, d, record_budget_, out, options_.cancel, {});
      if (!n.ok()) return n.error();
      std::error_code ec;
      for (const auto& r : group) std::filesystem::remove(r.path, ec);
      s.runs.erase(s.runs.begin(), s.runs.begin() + static_cast<std::ptrdiff_t>(fan_in));
      s.runs.push_back({scratch_ / (std::string(hash::algorithm_name(a)) + "-" + std::to_string(runs_ - 1) + ".run"), *n});
    }
    return {};
  }

  void report_progress() {
    if (options_.progress && done_) options_.progress({"reading", source_ + 1, outcome_.sources.size(), done_(), total_, rows_});
  }

  HashSetFileWriter& writer_;
  std::filesystem::path scratch_;
  const ImportOptions& options_;
  ImportOutcome& outcome_;
  std::uint64_t record_budget_ = 0;
  std::uint64_t used_ = 0;
  std::array<AlgorithmStore, 3> stores_;
  std::uint64_t runs_ = 0;
  bool entry_section_open_ = false;
  std::uint64_t entry_bytes_ = 0;
  BufferedOut offsets_;
  std::string encoded_;
  std::size_t source_ = 0;
  std::function<std::uint64_t()> done_;
  std::uint64_t total_ = 0;
  bool rows_ = false;
  std::uint64_t ticks_ = 0;
  bool failed_ = false;
};

// The source chain: the file (hashed as read), decompressed when gzip.
struct OpenedSource {
  std::unique_ptr<FileSource> file;
  std::unique_ptr<ByteSource> text;  // what parsers read
  Compression compression = Compression::none;
};

// What the first bytes of a file say it is. Read from a handle of its own, so the SHA-256 of the
// source's FileSource sees every byte once, from the start.
Result<Sniffed> sniff_file(const std::filesystem::path& path) {
  auto probe = FileSource::open(path);
  if (!probe.ok()) return probe.error();
  auto head = read_prefix(**probe, kSniffBytes);
  if (!head.ok()) return head.error();
  Sniffed sniffed = sniff_container(*head);
  if (!sniffed.unsupported.empty()) return make_error(Errc::unsupported, path.string() + " is " + sniffed.unsupported);
  return sniffed;
}

Result<OpenedSource> open_source(const std::filesystem::path& path) {
  auto file = FileSource::open(path);
  if (!file.ok()) return file.error();
  OpenedSource out;
  out.file = std::move(*file);
  auto sniffed = sniff_file(path);
  if (!sniffed.ok()) return sniffed.error();
  if (sniffed->container != Container::none) return make_error(Errc::internal, path.string() + " changed while it was read");
  out.compression = sniffed->compression;
  if (out.compression == Compression::gzip) out.text = std::make_unique<GzipSource>(std::make_unique<BorrowedSource>(*out.file));
  else out.text = std::make_unique<BorrowedSource>(*out.file);
  return out;
}

std::string metadata_json(const ImportOptions& options, const Clock& clock, const ImportOutcome& o) {
  std::string j = "{\"format\":\"ferret-hashset\",\"format_version\":" + std::to_string(kFormatVersion);
  j += ",\"name\":" + json_text(options.name);
  j += ",\"category\":\"" + std::string(category_name(options.category)) + "\"";
  j += ",\"created_at\":\"" + clock.now_iso8601() + "\"";
  j += ",\"ferret_version\":\"" + std::string(kVersion) + "\",\"ferret_build\":\"" + std::string(kBuildId) + "\"";
  j += ",\"sources\":[";
  for (std::size_t i = 0; i < o.sources.size(); ++i) {
    const SourceReport& s = o.sources[i];
    j += i == 0 ? "" : ",";
    j += "{\"path\":" + json_text(s.path) + ",\"size\":" + std::to_string(s.size) + ",\"sha256\":\"" + s.sha256 + "\"";
    j += ",\"format\":\"" + std::string(format_name(s.format)) + "\",\"compression\":\"" + compression_name(s.compression) + "\"";
    j += ",\"lines\":" + std::to_string(s.lines) + ",\"accepted\":" + std::to_string(s.accepted) + ",\"rejected\":" + std::to_string(s.rejected);
    j += ",\"ignored_columns\":[";
    for (std::size_t k = 0; k < s.ignored_columns.size(); ++k) j += (k ? "," : "") + json_text(s.ignored_columns[k]);
    j += "]";
    if (!s.stopped.empty()) j += ",\"stopped\":" + json_text(s.stopped);
    if (const auto& a = s.archive) {
      char crc[16];
      std::snprintf(crc, sizeof crc, "%08x", a->crc32);
      j += ",\"archive\":{\"path\":" + json_text(a->path) + ",\"size\":" + std::to_string(a->size) + ",\"sha256\":\"" + a->sha256 +
           "\",\"member\":" + json_text(a->member) + ",\"method\":\"" + a->method + "\",\"crc32\":\"" + crc +
           "\",\"crc32_verified\":" + (a->crc32_verified ? "true" : "false") + "}";
    }
    j += "}";
  }
  j += "],\"counts\":{";
  for (std::size_t i = 0; i < o.counts.size(); ++i) {
    j += (i ? "," : "") + std::string("\"") + hash::algorithm_name(o.counts[i].algorithm) + "\":{\"hashes\":" +
         std::to_string(o.counts[i].hashes) + ",\"duplicates\":" + std::to_string(o.counts[i].duplicates) + "}";
  }
  j += "},\"accepted\":" + std::to_string(o.accepted) + ",\"entries_with_metadata\":" + std::to_string(o.entries_with_metadata);
  j += ",\"rejected\":" + std::to_string(o.rejected) + ",\"rejects_kept\":" + std::to_string(o.rejects.size());
  j += ",\"rejects\":[";
  for (std::size_t i = 0; i < o.rejects.size(); ++i) {
    const RejectRecord& r = o.rejects[i];
    j += i == 0 ? "" : ",";
    j += "{\"source\":" + json_text(o.sources[r.source].path) + ",\"line\":" + std::to_string(r.line) + ",\"reason\":" + json_text(r.reason) + "}";
  }
  j += "]}";
  return j;
}

// One list to read: a plain (or gzip) file, a member of a zip archive, or an SQLite database.
struct Unit {
  enum class Kind { file, zip_member, database };
  std::size_t input = 0;
  Kind kind = Kind::file;
  std::size_t member = 0;  // index in the archive's directory
};

// Reads a stream to its end: a zip member checks its CRC-32 there, gzip its trailer.
Status drain(ByteSource& source) {
  std::vector<char> buf(256u << 10);
  for (;;) {
    auto n = source.read(buf);
    if (!n.ok()) return n.error();
    if (*n == 0) return {};
  }
}

// The members of a zip that are lists: not directories, not the resource forks macOS adds.
bool is_list_member(const ZipMember& m) { return !m.is_directory() && m.name.rfind("__MACOSX/", 0) != 0; }

// Checks every member of an archive and reports each as a source (phase one: nothing is parsed).
Status plan_zip(const std::filesystem::path& input, const std::string& absolute, const ZipArchive& zip, std::size_t input_index,
                const ImportOptions& options, std::vector<Unit>& units, std::vector<SourceReport>& reports) {
  bool any = false;
  for (std::size_t k = 0; k < zip.members().size(); ++k) {
    const ZipMember& m = zip.members()[k];
    if (!is_list_member(m)) continue;
    const std::string label = input.string() + "!" + m.name;
    if (auto why = zip_member_unsupported(m); !why.empty()) return make_error(Errc::unsupported, label + ": " + why);
    auto member = zip.open_member(k);
    if (!member.ok()) return member.error().with_context(label);
    auto head = read_prefix(**member, kSniffBytes);
    if (!head.ok()) return head.error().with_context(label);
    const Sniffed sniffed = sniff_container(*head);
    if (!sniffed.unsupported.empty()) return make_error(Errc::unsupported, label + " is " + sniffed.unsupported);
    if (sniffed.container == Container::zip) return make_error(Errc::unsupported, label + " is a zip archive inside the zip archive (extract the outer one first)");
    if (sniffed.container == Container::sqlite) {
      return make_error(Errc::unsupported, label + " is an SQLite database (NSRL RDSv3?) inside a zip archive: extract it first (a database "
                                                   "is read in place, read-only)");
    }
    SourceReport report;
    if (options.format) {
      if (*options.format == Format::nsrl_rdsv3) return make_error(Errc::unsupported, label + ": --format nsrl-rdsv3 reads an SQLite database file, not a zip member");
      report.format = *options.format;
    } else {
      ReplaySource replay(std::move(*head), **member);
      std::unique_ptr<ByteSource> text;
      if (sniffed.compression == Compression::gzip) text = std::make_unique<GzipSource>(std::make_unique<BorrowedSource>(replay));
      else text = std::make_unique<BorrowedSource>(replay);
      auto format = detect_format(*text);
      if (!format.ok()) return format.error().with_context(label);
      report.format = *format;
    }
    report.path = absolute + "!" + m.name;
    report.size = m.size;
    report.compression = sniffed.compression;
    report.archive = ArchiveMemberReport{absolute, zip.file_size(), "", m.name, zip_method_name(m.method), m.crc32, false};
    reports.push_back(std::move(report));
    units.push_back({input_index, Unit::Kind::zip_member, k});
    any = true;
  }
  if (!any) return make_error(Errc::unsupported, input.string() + ": the zip archive holds no file to read");
  return {};
}

}  // namespace

Result<ImportOutcome> import_hashset(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& out,
                                     const ImportOptions& options) {
  if (inputs.empty()) return make_error(Errc::invalid_argument, "no hash list to import");
  if (options.name.empty()) return make_error(Errc::invalid_argument, "the hash set needs a name");
  if (options.memory_budget < 4096) return make_error(Errc::invalid_argument, "the memory budget must be at least 4 KiB");
  const Clock& clock = options.clock != nullptr ? *options.clock : system_clock();
  std::error_code ec;
  ImportOutcome outcome;
  outcome.path = std::filesystem::absolute(out, ec);

  // Everything that can be checked before reading a line is: each input (and each member of an
  // archive) opens and has a format, each database has a table to read.
  std::vector<Unit> units;
  std::vector<std::unique_ptr<ZipArchive>> archives(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& input = inputs[i];
    if (std::filesystem::exists(out, ec) && std::filesystem::equivalent(input, out, ec)) {
      return make_error(Errc::invalid_argument, input.string() + " is both an input and the output");
    }
    auto file = FileSource::open(input);
    if (!file.ok()) return file.error();
    auto sniffed = sniff_file(input);
    if (!sniffed.ok()) return sniffed.error();
    const std::string absolute = std::filesystem::absolute(input, ec).string();
    SourceReport report;
    report.path = absolute;
    report.size = (*file)->size();
    if (sniffed->container == Container::sqlite) {
      if (options.format && *options.format != Format::nsrl_rdsv3) {
        return make_error(Errc::unsupported, input.string() + " is an SQLite database: --format " + format_name(*options.format) +
                                                 " cannot read it (an NSRL RDSv3 database is read as nsrl-rdsv3)");
      }
      auto layout = inspect_rdsv3(input);
      if (!layout.ok()) return layout.error().with_context(input.string());
      report.format = Format::nsrl_rdsv3;
      outcome.sources.push_back(std::move(report));
      units.push_back({i, Unit::Kind::database, 0});
      continue;
    }
    if (sniffed->container == Container::zip) {
      auto zip = ZipArchive::open(input);
      if (!zip.ok()) return zip.error().with_context(input.string());
      FERRET_TRY(plan_zip(input, absolute, *zip, i, options, units, outcome.sources));
      archives[i] = std::make_unique<ZipArchive>(std::move(*zip));
      continue;
    }
    if (options.format == Format::nsrl_rdsv3) {
      return make_error(Errc::unsupported, input.string() + " is not an SQLite database: --format nsrl-rdsv3 cannot read it");
    }
    auto opened = open_source(input);
    if (!opened.ok()) return opened.error();
    report.compression = opened->compression;
    if (options.format) {
      report.format = *options.format;
    } else {
      auto format = detect_format(*opened->text);
      if (!format.ok()) return format.error().with_context(input.string());
      report.format = *format;
    }
    outcome.sources.push_back(std::move(report));
    units.push_back({i, Unit::Kind::file, 0});
  }

  auto writer = HashSetFileWriter::create(out, options.overwrite);
  if (!writer.ok()) return writer.error();
  auto scratch = ScratchDir::create(out);
  if (!scratch.ok()) return scratch.error();
  Importer importer(*writer, scratch->path(), options, outcome);

  std::vector<std::string> archive_sha256(inputs.size());
  for (std::size_t u = 0; u < units.size(); ++u) {
    const Unit& unit = units[u];
    const std::filesystem::path& input = inputs[unit.input];
    SourceReport& report = outcome.sources[u];
    const std::string label = unit.kind == Unit::Kind::zip_member ? input.string() + "!" + report.archive->member : input.string();
    // The chain for this unit; whichever applies is kept alive until the unit is done.
    std::unique_ptr<FileSource> file;
    std::unique_ptr<ZipMemberSource> member;
    std::unique_ptr<ByteSource> text;
    std::unique_ptr<Parser> parser;
    switch (unit.kind) {
      case Unit::Kind::file: {
        auto opened = open_source(input);
        if (!opened.ok()) return opened.error();
        file = std::move(opened->file);
        text = std::move(opened->text);
        FileSource* f = file.get();
        importer.start_source(u, [f] { return f->bytes_read(); }, f->size(), false);
        break;
      }
      case Unit::Kind::zip_member: {
        auto opened = archives[unit.input]->open_member(unit.member);
        if (!opened.ok()) return opened.error().with_context(label);
        member = std::move(*opened);
        if (report.compression == Compression::gzip) text = std::make_unique<GzipSource>(std::make_unique<BorrowedSource>(*member));
        else text = std::make_unique<BorrowedSource>(*member);
        ZipMemberSource* m = member.get();
        importer.start_source(u, [m] { return m->compressed_read(); }, m->compressed_size(), false);
        break;
      }
      case Unit::Kind::database: {
        auto opened = open_rdsv3_parser(input);
        if (!opened.ok()) return opened.error().with_context(label);
        parser = std::move(*opened);
        Parser* p = parser.get();
        importer.start_source(u, [p] { return p->summary().lines; }, 0, true);
        break;
      }
    }
    if (!parser) parser = make_parser(report.format, *text);
    Status parsed = parser->run(importer, options.cancel);
    const ParseSummary summary = parser->summary();
    report.lines = summary.lines;
    report.ignored_columns = summary.ignored_columns;
    // Read to the end after a parser that stopped at its last record: a zip member checks its
    // size and CRC-32 there.
    if (parsed.ok() && text) parsed = drain(*text);
    if (!parsed.ok()) {
      const Errc code = parsed.error().code;
      if (importer.failed() || code == Errc::interrupted) return parsed.error();
      if (code == Errc::unsupported || code == Errc::invalid_argument) return parsed.error().with_context(label);
      // The source stopped being readable (damaged gzip or zip member, truncated JSON, read error):
      // what came before is kept.
      report.stopped = parsed.error().message;
      importer.reject(summary.lines + 1, "reading stopped here: " + parsed.error().message);
    }
    Result<std::string> sha = std::string();
    switch (unit.kind) {
      case Unit::Kind::file: sha = file->finish_sha256(); break;
      case Unit::Kind::zip_member: {
        // A member that could not be read to its end has no SHA-256 of its content: `stopped` says why.
        auto content = member->finish_sha256();
        if (content.ok()) report.sha256 = *content;
        report.archive->crc32_verified = member->verified();
        if (archive_sha256[unit.input].empty()) {
          auto whole = FileSource::open(input);
          if (whole.ok()) sha = (*whole)->finish_sha256();
          else sha = whole.error();
          if (sha.ok()) archive_sha256[unit.input] = *sha;
        }
        report.archive->sha256 = archive_sha256[unit.input];
        break;
      }
      case Unit::Kind::database: {
        // SQLite read the file on its own: hash it separately, it is the evidence as given.
        auto whole = FileSource::open(input);
        if (whole.ok()) sha = (*whole)->finish_sha256();
        else sha = whole.error();
        break;
      }
    }
    if (!sha.ok()) {
      if (report.stopped.empty()) report.stopped = sha.error().message;
    } else if (unit.kind != Unit::Kind::zip_member) {
      report.sha256 = *sha;
    }
  }
  if (options.cancel != nullptr && options.cancel->load()) return make_error(Errc::interrupted, "interrupted");
  if (outcome.accepted == 0) {  // nothing to write: the writer removes NAME.tmp
    outcome.metadata_json = metadata_json(options, clock, outcome);
    return outcome;
  }

  FERRET_TRY(importer.finish());
  outcome.runs = importer.runs();
  outcome.metadata_json = metadata_json(options, clock, outcome);
  FERRET_TRY(writer->begin_section(SectionKind::metadata));
  FERRET_TRY(writer->append(outcome.metadata_json));
  FERRET_TRY(writer->end_section(outcome.metadata_json.size()));
  FERRET_TRY(writer->commit());
  outcome.written = true;
  outcome.file_size = std::filesystem::file_size(out, ec);
  return outcome;
}

}  // namespace ferret::hashset
