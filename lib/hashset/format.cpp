// The hash-set file: a header with a section table, sections written in one pass, mmap'd reading.
#include "hashset/format.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ferret::hashset {

namespace {

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big);

std::uint32_t load_u32(const unsigned char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

std::uint64_t load_u64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

void store_u32(unsigned char* p, std::uint32_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}

void store_u64(unsigned char* p, std::uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

// zlib's crc32 takes at most 4 GiB at a time.
std::uint32_t crc32_of(std::uint32_t crc, const unsigned char* p, std::uint64_t n) {
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(std::min<std::uint64_t>(n, 1u << 30));
    crc = static_cast<std::uint32_t>(::crc32(crc, p, chunk));
    p += chunk;
    n -= chunk;
  }
  return crc;
}

std::string errno_text() { return std::strerror(errno); }

constexpr std::uint64_t kSectionsStart = kHeaderBytes + kMaxSections * kSectionEntryBytes;

const char* kind_name(SectionKind kind) {
  switch (kind) {
    case SectionKind::metadata: return "metadata";
    case SectionKind::digest_index: return "digest index";
    case SectionKind::entry_offsets: return "entry offsets";
    case SectionKind::entry_data: return "entry data";
  }
  return "unknown";
}

enum EntryFlag : unsigned char {
  kTitle = 1, kRelease = 2, kRightsHolder = 4, kUrl = 8, kFileName = 16, kSize = 32,
};

}  // namespace

std::uint32_t algorithm_id(Algorithm algorithm) {
  return algorithm == Algorithm::md5 ? 1 : algorithm == Algorithm::sha1 ? 2 : 3;
}

std::optional<Algorithm> algorithm_from_id(std::uint32_t id) {
  switch (id) {
    case 1: return Algorithm::md5;
    case 2: return Algorithm::sha1;
    case 3: return Algorithm::sha256;
    default: return std::nullopt;
  }
}

void encode_entry(const EntryMetadata& meta, std::string& out) {
  out.clear();
  const std::string_view fields[] = {meta.title, meta.release, meta.rights_holder, meta.url, meta.file_name};
  unsigned char flags = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    if (!fields[i].empty()) flags |= static_cast<unsigned char>(1u << i);
  }
  if (meta.size) flags |= kSize;
  out.push_back(static_cast<char>(flags));
  unsigned char buf[8];
  for (const auto& f : fields) {
    if (f.empty()) continue;
    store_u32(buf, static_cast<std::uint32_t>(f.size()));
    out.append(reinterpret_cast<const char*>(buf), 4);
    out.append(f);
  }
  if (meta.size) {
    store_u64(buf, *meta.size);
    out.append(reinterpret_cast<const char*>(buf), 8);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

Result<HashSetFileWriter> HashSetFileWriter::create(const std::filesystem::path& path, bool overwrite) {
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec)) {
    return make_error(Errc::exists, path.string() + " already exists (choose another name, or replace it with --force)");
  }
  HashSetFileWriter w;
  w.final_ = path;
  w.temp_ = path.string() + ".tmp";
  w.overwrite_ = overwrite;
  w.fd_ = ::open(w.temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (w.fd_ < 0) {
    if (errno == EEXIST) {
      return make_error(Errc::busy, w.temp_.string() + " exists: another import is writing this set, or one was killed "
                                                        "before it could clean up (remove it if no import is running)");
    }
    return make_error(errno == ENOENT ? Errc::not_found : Errc::io, "cannot create " + w.temp_.string() + ": " + errno_text());
  }
  w.buffer_.reserve(1u << 20);
  // The header and the section table are written last; reserve their room.
  w.buffer_.assign(kSectionsStart, 0);
  w.position_ = kSectionsStart;
  return w;
}

HashSetFileWriter::HashSetFileWriter(HashSetFileWriter&& other) noexcept
    : final_(std::move(other.final_)), temp_(std::move(other.temp_)), overwrite_(other.overwrite_), fd_(other.fd_),
      buffer_(std::move(other.buffer_)), position_(other.position_), sections_(std::move(other.sections_)),
      open_section_(other.open_section_), reserved_head_(other.reserved_head_), running_crc_(other.running_crc_),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true;
}

HashSetFileWriter::~HashSetFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

Status HashSetFileWriter::flush() {
  const unsigned char* p = buffer_.data();
  std::size_t left = buffer_.size();
  const std::uint64_t start = position_ - left;
  std::uint64_t at = start;
  while (left > 0) {
    const ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(Errc::io, "cannot write " + temp_.string() + ": " + errno_text());
    p += n;
    at += static_cast<std::uint64_t>(n);
    left -= static_cast<std::size_t>(n);
  }
  buffer_.clear();
  return {};
}

Status HashSetFileWriter::write_at(std::uint64_t offset, std::span<const unsigned char> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(Errc::io, "cannot write " + temp_.string() + ": " + errno_text());
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status HashSetFileWriter::begin_section(SectionKind kind, std::uint32_t algorithm, std::size_t reserved_head) {
  if (open_section_ || sections_.size() >= kMaxSections) return make_error(Errc::internal, "hash-set writer: bad section sequence");
  while (position_ % 8 != 0) {
    buffer_.push_back(0);
    ++position_;
  }
  SectionInfo s;
  s.kind = kind;
  s.algorithm_id = algorithm;
  s.offset = position_;
  sections_.push_back(s);
  open_section_ = true;
  reserved_head_ = reserved_head;
  running_crc_ = static_cast<std::uint32_t>(::crc32(0, nullptr, 0));
  if (reserved_head > 0) {
    FERRET_TRY(flush());
    buffer_.assign(reserved_head, 0);
    position_ += reserved_head;
    FERRET_TRY(flush());
  }
  return {};
}

Status HashSetFileWriter::append(std::span<const unsigned char> bytes) {
  if (!open_section_) return make_error(Errc::internal, "hash-set writer: append outside a section");
  running_crc_ = crc32_of(running_crc_, bytes.data(), bytes.size());
  std::size_t done = 0;
  while (done < bytes.size()) {
    if (buffer_.size() == buffer_.capacity()) FERRET_TRY(flush());
    const std::size_t n = std::min(bytes.size() - done, buffer_.capacity() - buffer_.size());
    buffer_.insert(buffer_.end(), bytes.begin() + static_cast<std::ptrdiff_t>(done), bytes.begin() + static_cast<std::ptrdiff_t>(done + n));
    done += n;
    position_ += n;
  }
  return {};
}

std::uint64_t HashSetFileWriter::section_bytes() const {
  return open_section_ ? position_ - sections_.back().offset - reserved_head_ : 0;
}

Status HashSetFileWriter::end_section(std::uint64_t count, std::span<const unsigned char> head) {
  if (!open_section_ || head.size() != reserved_head_) return make_error(Errc::internal, "hash-set writer: bad section end");
  SectionInfo& s = sections_.back();
  s.length = position_ - s.offset;
  s.count = count;
  if (!head.empty()) {
    FERRET_TRY(flush());
    FERRET_TRY(write_at(s.offset, head));
    const auto head_crc = static_cast<uLong>(crc32_of(static_cast<std::uint32_t>(::crc32(0, nullptr, 0)), head.data(), head.size()));
    s.crc32 = static_cast<std::uint32_t>(::crc32_combine(head_crc, running_crc_, static_cast<z_off_t>(s.length - head.size())));
  } else {
    s.crc32 = running_crc_;
  }
  open_section_ = false;
  return {};
}

Status HashSetFileWriter::commit() {
  if (open_section_ || committed_) return make_error(Errc::internal, "hash-set writer: commit with a section open");
  FERRET_TRY(flush());
  std::vector<unsigned char> head(kHeaderBytes + sections_.size() * kSectionEntryBytes, 0);
  std::memcpy(head.data(), kMagic.data(), 8);
  store_u32(head.data() + 8, kFormatVersion);
  store_u32(head.data() + 12, static_cast<std::uint32_t>(sections_.size()));
  store_u64(head.data() + 16, position_);
  for (std::size_t i = 0; i < sections_.size(); ++i) {
    unsigned char* e = head.data() + kHeaderBytes + i * kSectionEntryBytes;
    store_u32(e, static_cast<std::uint32_t>(sections_[i].kind));
    store_u32(e + 4, sections_[i].algorithm_id);
    store_u64(e + 8, sections_[i].offset);
    store_u64(e + 16, sections_[i].length);
    store_u64(e + 24, sections_[i].count);
    store_u32(e + 32, sections_[i].crc32);
  }
  store_u32(head.data() + 24, crc32_of(static_cast<std::uint32_t>(::crc32(0, nullptr, 0)), head.data(), head.size()));
  FERRET_TRY(write_at(0, head));
  if (::ftruncate(fd_, static_cast<off_t>(position_)) != 0 || ::fsync(fd_) != 0) {
    return make_error(Errc::io, "cannot flush " + temp_.string() + " to disk: " + errno_text());
  }
  ::close(fd_);
  fd_ = -1;
  // Never replace a set that appeared meanwhile unless asked to.
  int rc = overwrite_ ? ::rename(temp_.c_str(), final_.c_str())
                      : ::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, final_.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && !overwrite_ && (errno == EINVAL || errno == ENOSYS)) {
    rc = ::link(temp_.c_str(), final_.c_str());
    if (rc == 0) ::unlink(temp_.c_str());
  }
  if (rc != 0) {
    const Errc code = errno == EEXIST ? Errc::exists : Errc::io;
    return make_error(code, "cannot rename " + temp_.string() + " to " + final_.string() + ": " + errno_text());
  }
  committed_ = true;
  auto dir = final_.parent_path();
  if (dir.empty()) dir = ".";
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Reading

HashSetIndex::HashSetIndex(HashSetIndex&& other) noexcept { *this = std::move(other); }

HashSetIndex& HashSetIndex::operator=(HashSetIndex&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    base_ = other.base_;
    size_ = other.size_;
    version_ = other.version_;
    sections_ = std::move(other.sections_);
    metadata_ = other.metadata_;
    for (std::size_t i = 0; i < 3; ++i) indexes_[i] = other.indexes_[i];
    entry_offsets_ = other.entry_offsets_;
    entry_data_ = other.entry_data_;
    entry_data_size_ = other.entry_data_size_;
    entry_count_ = other.entry_count_;
    other.base_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

HashSetIndex::~HashSetIndex() { release(); }

void HashSetIndex::release() {
  if (base_ != nullptr) ::munmap(const_cast<unsigned char*>(base_), size_);
  base_ = nullptr;
}

Result<HashSetIndex> HashSetIndex::open(const std::filesystem::path& path) {
  const std::string where = path.string();
  const auto corrupt = [&](const std::string& what) {
    return make_error(Errc::corrupt, where + " is not a usable hash set: " + what);
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(errno == ENOENT ? Errc::not_found : Errc::io, "cannot open " + where + ": " + errno_text());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(Errc::invalid_argument, where + " is not a regular file");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < kHeaderBytes) {
    ::close(fd);
    return corrupt("it is " + std::to_string(size) + " bytes long, shorter than the header (truncated, or not a hash set)");
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return make_error(Errc::io, "cannot map " + where + ": " + errno_text());
  HashSetIndex set;
  set.path_ = path;
  set.base_ = static_cast<const unsigned char*>(map);
  set.size_ = size;
  const unsigned char* b = set.base_;

  if (std::memcmp(b, kMagic.data(), 8) != 0) return corrupt("it does not start with FERRETHS");
  set.version_ = load_u32(b + 8);
  if (set.version_ != kFormatVersion) {
    return make_error(Errc::unsupported, where + " is hash-set format version " + std::to_string(set.version_) +
                                             "; this Ferret reads version " + std::to_string(kFormatVersion) + " (use a newer Ferret)");
  }
  const std::uint32_t n = load_u32(b + 12);
  if (n == 0 || n > kMaxSections) return corrupt("the header lists " + std::to_string(n) + " sections");
  const std::uint64_t table_end = kHeaderBytes + std::uint64_t{n} * kSectionEntryBytes;
  const std::uint64_t declared = load_u64(b + 16);
  if (declared != size) {
    return corrupt(declared > size ? "truncated: the header says " + std::to_string(declared) + " bytes, the file has " + std::to_string(size)
                                   : "the file has " + std::to_string(size) + " bytes, the header says " + std::to_string(declared));
  }
  if (table_end > size) return corrupt("the section table runs past the end of the file");
  {
    std::vector<unsigned char> head(b, b + table_end);
    store_u32(head.data() + 24, 0);
    if (crc32_of(static_cast<std::uint32_t>(::crc32(0, nullptr, 0)), head.data(), head.size()) != load_u32(b + 24)) {
      return corrupt("the header checksum does not match (the header or section table is damaged)");
    }
  }
  bool have_metadata = false, have_offsets = false, have_data = false;
  for (std::uint32_t i = 0; i < n; ++i) {
    const unsigned char* e = b + kHeaderBytes + i * kSectionEntryBytes;
    SectionInfo s;
    s.kind = static_cast<SectionKind>(load_u32(e));
    s.algorithm_id = load_u32(e + 4);
    s.offset = load_u64(e + 8);
    s.length = load_u64(e + 16);
    s.count = load_u64(e + 24);
    s.crc32 = load_u32(e + 32);
    const std::string label = "section " + std::to_string(i + 1);
    if (s.offset % 8 != 0 || s.offset < table_end || s.offset > size || s.length > size - s.offset) {
      return corrupt(label + " lies outside the file (offset " + std::to_string(s.offset) + ", length " + std::to_string(s.length) + ")");
    }
    const unsigned char* p = b + s.offset;
    switch (s.kind) {
      case SectionKind::metadata:
        if (have_metadata) return corrupt("two metadata sections");
        have_metadata = true;
        if (crc32_of(static_cast<std::uint32_t>(::crc32(0, nullptr, 0)), p, s.length) != s.crc32) {
          return corrupt("the metadata section's checksum does not match");
        }
        set.metadata_ = std::string_view(reinterpret_cast<const char*>(p), s.length);
        break;
      case SectionKind::digest_index: {
        const auto algorithm = algorithm_from_id(s.algorithm_id);
        if (!algorithm) return corrupt(label + " indexes unknown algorithm " + std::to_string(s.algorithm_id));
        DigestIndex& ix = set.indexes_[static_cast<std::size_t>(*algorithm)];
        if (ix.records != nullptr) return corrupt(std::string("two ") + hash::algorithm_name(*algorithm) + " indexes");
        const std::size_t d = digest_size(*algorithm);
        if (s.length < kPrefixTableBytes || s.count > kNoEntry || (s.length - kPrefixTableBytes) / (d + 4) != s.count ||
            (s.length - kPrefixTableBytes) % (d + 4) != 0) {
          return corrupt(label + " (" + hash::algorithm_name(*algorithm) + ") has a length that does not fit its record count");
        }
        std::uint32_t prev = 0;
        for (std::size_t k = 0; k < kPrefixEntries; ++k) {
          const std::uint32_t v = load_u32(p + 4 * k);
          if (v < prev || v > s.count) return corrupt(std::string("the ") + hash::algorithm_name(*algorithm) + " prefix table is damaged");
          prev = v;
        }
        if (prev != s.count) return corrupt(std::string("the ") + hash::algorithm_name(*algorithm) + " prefix table is damaged");
        ix.prefix = p;
        ix.records = p + kPrefixTableBytes;
        ix.count = s.count;
        ix.size = d;
        ::madvise(const_cast<unsigned char*>(b) + (s.offset / 4096) * 4096, s.length + s.offset % 4096, MADV_RANDOM);
        break;
      }
      case SectionKind::entry_offsets:
        if (have_offsets) return corrupt("two entry-offset sections");
        have_offsets = true;
        if (s.count >= kNoEntry || s.length != (s.count + 1) * 8) return corrupt(label + " (entry offsets) has the wrong length");
        set.entry_offsets_ = p;
        set.entry_count_ = s.count;
        break;
      case SectionKind::entry_data:
        if (have_data) return corrupt("two entry-data sections");
        have_data = true;
        set.entry_data_ = p;
        set.entry_data_size_ = s.length;
        break;
      default:
        return corrupt(label + " has unknown kind " + std::to_string(static_cast<std::uint32_t>(s.kind)));
    }
    set.sections_.push_back(s);
  }
  if (!have_metadata) return corrupt("there is no metadata section");
  if (have_offsets != have_data) return corrupt("entry offsets and entry data must come together");
  return set;
}

namespace {

std::uint64_t load_be64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

// Order of a record's digest against the key, for records of one prefix bucket (the first two bytes
// are equal there, so bytes 2..9 decide almost always).
inline int compare_in_bucket(const unsigned char* record, const unsigned char* key, std::uint64_t key_word, std::size_t size) {
  const std::uint64_t word = load_be64(record + 2);
  if (word != key_word) return word < key_word ? -1 : 1;
  return std::memcmp(record + 10, key + 10, size - 10);
}

}  // namespace

// Digests are uniformly distributed, so the key's position inside its prefix bucket is predicted
// from its next 8 bytes (interpolation); a galloping search from there brackets it, typically within
// one or two cache lines, and a binary search finishes. Any order of records (a damaged file) still
// only reads inside [bucket start, bucket end).
namespace {

struct Probe {
  std::uint64_t lo = 0, hi = 0, guess = 0;
  std::uint64_t key_word = 0;
};

// The bucket of `key` and the predicted index in it; false when the bucket is empty.
[[gnu::always_inline]] inline bool start_probe(const unsigned char* prefix_table, const unsigned char* key, Probe& p) {
  const std::size_t prefix = std::size_t{key[0]} << 8 | key[1];
  p.lo = load_u32(prefix_table + 4 * prefix);
  p.hi = load_u32(prefix_table + 4 * prefix + 4);
  if (p.lo >= p.hi) return false;
  p.key_word = load_be64(key + 2);
  p.guess = p.lo + (((p.key_word >> 32) * (p.hi - p.lo)) >> 32);  // < hi; no overflow as the count < 2^32
  return true;
}

[[gnu::always_inline]] inline std::optional<EntryRef> finish_probe(const unsigned char* records, std::size_t size, const unsigned char* key, Probe p) {
  const std::size_t rec = size + 4;
  const auto at = [&](std::uint64_t i) { return compare_in_bucket(records + i * rec, key, p.key_word, size); };
  std::uint64_t lo = p.lo, hi = p.hi;
  const std::uint64_t guess = p.guess;
  int c = at(guess);
  if (c < 0) {
    // The key lies after guess: gallop up to bracket it in (prev, next].
    std::uint64_t step = 1, prev = guess;
    for (;;) {
      const std::uint64_t next = guess + step;
      if (next >= hi) {
        lo = prev + 1;
        break;
      }
      c = at(next);
      if (c >= 0) {
        lo = prev + 1;
        hi = next + 1;
        break;
      }
      prev = next;
      step *= 2;
    }
  } else if (c > 0) {
    std::uint64_t step = 1, prev = guess;
    for (;;) {
      if (guess - lo < step) {
        hi = prev;
        break;
      }
      const std::uint64_t next = guess - step;
      c = at(next);
      if (c <= 0) {
        lo = next;
        hi = prev;
        break;
      }
      prev = next;
      step *= 2;
    }
  } else {
    lo = guess;
    hi = guess + 1;
  }
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    c = at(mid);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid;
    else {
      const unsigned char* r = records + mid * rec;
      if (r[0] != key[0] || r[1] != key[1]) return std::nullopt;  // a damaged bucket
      return EntryRef{load_u32(r + size)};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<EntryRef> HashSetIndex::lookup(Algorithm algorithm, std::span<const unsigned char> digest) const noexcept {
  const DigestIndex& ix = index(algorithm);
  if (ix.records == nullptr || digest.size() != ix.size) return std::nullopt;
  Probe p;
  if (!start_probe(ix.prefix, digest.data(), p)) return std::nullopt;
  return finish_probe(ix.records, ix.size, digest.data(), p);
}

void HashSetIndex::lookup(std::span<const DigestValue> digests, std::span<std::optional<EntryRef>> results) const noexcept {
  constexpr std::size_t kGroup = 16;
  const std::size_t n = std::min(digests.size(), results.size());
  Probe probes[kGroup];
  bool live[kGroup];
  for (std::size_t base = 0; base < n; base += kGroup) {
    const std::size_t g = std::min(kGroup, n - base);
    // Three passes over the group, so that its memory accesses overlap instead of queueing: fetch
    // the prefix-table entries, then the predicted records, then search.
    for (std::size_t k = 0; k < g; ++k) {
      const DigestValue& d = digests[base + k];
      const DigestIndex& ix = index(d.algorithm);
      if (ix.records != nullptr) __builtin_prefetch(ix.prefix + 4 * (std::size_t{d.bytes[0]} << 8 | d.bytes[1]));
    }
    for (std::size_t k = 0; k < g; ++k) {
      const DigestValue& d = digests[base + k];
      const DigestIndex& ix = index(d.algorithm);
      live[k] = ix.records != nullptr && start_probe(ix.prefix, d.bytes.data(), probes[k]);
      if (live[k]) {
        const unsigned char* r = ix.records + probes[k].guess * (ix.size + 4);
        __builtin_prefetch(r);
        __builtin_prefetch(r + ix.size + 3);
      }
    }
    for (std::size_t k = 0; k < g; ++k) {
      const DigestValue& d = digests[base + k];
      const DigestIndex& ix = index(d.algorithm);
      results[base + k] = live[k] ? finish_probe(ix.records, ix.size, d.bytes.data(), probes[k]) : std::nullopt;
    }
  }
}

Result<EntryInfo> HashSetIndex::entry(EntryRef ref) const {
  EntryInfo info;
  if (!ref.has_metadata()) return info;
  const auto corrupt = [&](const std::string& what) {
    return make_error(Errc::corrupt, path_.string() + ": entry " + std::to_string(ref.index) + " is damaged: " + what);
  };
  if (ref.index >= entry_count_) return corrupt("its index is past the last entry (" + std::to_string(entry_count_) + ")");
  const std::uint64_t begin = load_u64(entry_offsets_ + 8 * std::uint64_t{ref.index});
  const std::uint64_t end = load_u64(entry_offsets_ + 8 * (std::uint64_t{ref.index} + 1));
  if (begin > end || end > entry_data_size_ || begin == end) return corrupt("its offsets lie outside the entry data");
  const unsigned char* p = entry_data_ + begin;
  std::uint64_t left = end - begin;
  const unsigned char flags = *p++;
  --left;
  if ((flags & ~0x3fu) != 0) return corrupt("unknown field flags");
  std::string_view* fields[] = {&info.title, &info.release, &info.rights_holder, &info.url, &info.file_name};
  for (std::size_t i = 0; i < 5; ++i) {
    if ((flags & (1u << i)) == 0) continue;
    if (left < 4) return corrupt("a field runs past its end");
    const std::uint32_t len = load_u32(p);
    p += 4;
    left -= 4;
    if (len > left) return corrupt("a field runs past its end");
    *fields[i] = std::string_view(reinterpret_cast<const char*>(p), len);
    p += len;
    left -= len;
  }
  if (flags & kSize) {
    if (left < 8) return corrupt("the size runs past its end");
    info.size = load_u64(p);
    left -= 8;
  }
  if (left != 0) return corrupt("it has bytes after its last field");
  return info;
}

Status HashSetIndex::verify() const {
  const auto corrupt = [&](const std::string& what) { return make_error(Errc::corrupt, path_.string() + ": " + what); };
  for (const auto& s : sections_) {
    if (crc32_of(static_cast<std::uint32_t>(::crc32(0, nullptr, 0)), base_ + s.offset, s.length) != s.crc32) {
      std::string what = kind_name(s.kind);
      if (auto a = algorithm_from_id(s.algorithm_id); a && s.kind == SectionKind::digest_index) what = std::string(hash::algorithm_name(*a)) + " " + what;
      return corrupt("the " + what + " section (offset " + std::to_string(s.offset) + ") does not match its checksum");
    }
  }
  for (Algorithm a : hash::kAllAlgorithms) {
    const DigestIndex& ix = index(a);
    if (ix.records == nullptr) continue;
    const std::size_t rec = ix.size + 4;
    std::uint64_t bucket_start = 0;
    for (std::size_t p = 0; p < 65536; ++p) {
      const std::uint64_t lo = load_u32(ix.prefix + 4 * p), hi = load_u32(ix.prefix + 4 * p + 4);
      if (lo != bucket_start) return corrupt(std::string("the ") + hash::algorithm_name(a) + " prefix table is inconsistent");
      for (std::uint64_t i = lo; i < hi; ++i) {
        const unsigned char* r = ix.records + i * rec;
        if ((std::size_t{r[0]} << 8 | r[1]) != p) return corrupt(std::string(hash::algorithm_name(a)) + " record " + std::to_string(i) + " is in the wrong prefix bucket");
        if (i > 0 && std::memcmp(r - rec, r, ix.size) >= 0) {
          return corrupt(std::string(hash::algorithm_name(a)) + " records " + std::to_string(i - 1) + " and " + std::to_string(i) + " are out of order");
        }
        const std::uint32_t e = load_u32(r + ix.size);
        if (e != kNoEntry && e >= entry_count_) return corrupt(std::string(hash::algorithm_name(a)) + " record " + std::to_string(i) + " names a missing entry");
      }
      bucket_start = hi;
    }
  }
  if (entry_offsets_ != nullptr) {
    std::uint64_t prev = 0;
    for (std::uint64_t i = 0; i <= entry_count_; ++i) {
      const std::uint64_t o = load_u64(entry_offsets_ + 8 * i);
      if ((i == 0 && o != 0) || o < prev || o > entry_data_size_) return corrupt("entry offset " + std::to_string(i) + " is out of place");
      prev = o;
    }
    if (prev != entry_data_size_) return corrupt("the entry offsets do not cover the entry data");
    for (std::uint64_t i = 0; i < entry_count_; ++i) {
      auto e = entry(EntryRef{static_cast<std::uint32_t>(i)});
      if (!e.ok()) return e.error();
    }
  }
  return {};
}

}  // namespace ferret::hashset
