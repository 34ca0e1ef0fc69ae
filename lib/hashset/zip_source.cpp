// Zip reading with zlib's raw inflate: end record, ZIP64, central directory, and member streams
// whose every offset and size is checked against the archive before a byte is read.
#include "hashset/zip_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "hash/digest.h"

namespace ferret::hashset {

namespace {

constexpr std::uint32_t kLocalHeaderSig = 0x04034b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::size_t kEndBytes = 22;
constexpr std::size_t kZip64EndBytes = 56;
constexpr std::size_t kZip64LocatorBytes = 20;
constexpr std::size_t kCentralBytes = 46;
constexpr std::size_t kLocalBytes = 30;
constexpr std::size_t kReadChunk = 256u << 10;
// Deflate cannot expand more than about 1032 to 1 (a 258-byte match per 2 bits); a member that
// claims more is lying about its size.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

std::uint16_t u16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }
std::uint32_t u32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 | static_cast<std::uint32_t>(p[2]) << 16 |
         static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint64_t u64(const unsigned char* p) { return static_cast<std::uint64_t>(u32(p)) | static_cast<std::uint64_t>(u32(p + 4)) << 32; }

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

}  // namespace

struct ZipArchive::File {
  int fd = -1;
  std::filesystem::path path;
  std::uint64_t size = 0;
  ~File() {
    if (fd >= 0) ::close(fd);
  }
  // Exactly `out.size()` bytes at `offset`; running past the end is Errc::corrupt (the archive
  // says there is data where the file has none).
  Status read_at(std::uint64_t offset, std::span<unsigned char> out, const char* what) const {
    if (offset > size || out.size() > size - offset) {
      return make_error(Errc::corrupt, std::string(what) + " at byte " + std::to_string(offset) + " lies beyond the end of the archive (" +
                                           std::to_string(size) + " bytes): truncated or damaged");
    }
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(Errc::io, "cannot read " + path.string() + " at byte " + std::to_string(offset + done) + ": " + std::strerror(errno));
      if (n == 0) return make_error(Errc::corrupt, std::string(what) + " at byte " + std::to_string(offset) + ": the archive ends early");
      done += static_cast<std::size_t>(n);
    }
    return {};
  }
};

std::string zip_method_name(std::uint16_t method) {
  switch (method) {
    case 0: return "stored";
    case 8: return "deflate";
    case 9: return "deflate64";
    case 12: return "bzip2";
    case 14: return "lzma";
    case 93: return "zstd";
    case 95: return "xz";
    case 99: return "AES-encrypted";
    default: return "method " + std::to_string(method);
  }
}

std::string zip_member_unsupported(const ZipMember& member) {
  if (member.encrypted()) return "it is encrypted (Ferret does not decrypt zip members: extract it with the password first)";
  if (member.method != 0 && member.method != 8) {
    return "it is compressed with " + zip_method_name(member.method) + ", which Ferret does not read (only stored and deflate; extract it first)";
  }
  return {};
}

const std::filesystem::path& ZipArchive::path() const { return file_->path; }
std::uint64_t ZipArchive::file_size() const { return file_->size; }

Result<ZipArchive> ZipArchive::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return make_error(err == ENOENT ? Errc::not_found : Errc::io, "cannot open " + path.string() + ": " + std::strerror(err));
  }
  auto file = std::make_shared<File>();
  file->fd = fd;
  file->path = path;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return make_error(Errc::invalid_argument, path.string() + " is not a regular file");
  file->size = static_cast<std::uint64_t>(st.st_size);
  if (file->size < kEndBytes) return make_error(Errc::corrupt, "the zip archive is too small to hold an end record (truncated?)");

  // The end record is within the last 22 + 65,535 (comment) bytes; take the last one found whose
  // comment fits, as unzip does.
  const std::uint64_t tail_size = std::min<std::uint64_t>(file->size, kEndBytes + 0xffff);
  std::vector<unsigned char> tail(static_cast<std::size_t>(tail_size));
  FERRET_TRY(file->read_at(file->size - tail_size, tail, "the end of the archive"));
  std::optional<std::size_t> end_at;
  for (std::size_t i = tail.size() - kEndBytes + 1; i-- > 0;) {
    if (u32(&tail[i]) == kEndSig && i + kEndBytes + u16(&tail[i + 20]) <= tail.size()) {
      end_at = i;
      break;
    }
  }
  if (!end_at) return make_error(Errc::corrupt, "no zip end-of-central-directory record: the archive is truncated or not a zip");
  const unsigned char* end = &tail[*end_at];
  const std::uint64_t end_offset = file->size - tail_size + *end_at;
  if (u16(end + 4) != 0 || u16(end + 6) != 0) {
    return make_error(Errc::unsupported, "a split (multi-volume) zip archive, which Ferret does not read (join the parts first)");
  }
  std::uint64_t entries = u16(end + 10);
  std::uint64_t cd_size = u32(end + 12);
  std::uint64_t cd_offset = u32(end + 16);
  std::uint64_t cd_limit = end_offset;  // the directory lies before the end record(s)

  // ZIP64: a locator right before the end record points to the 64-bit end record.
  if (end_offset >= kZip64LocatorBytes) {
    unsigned char loc[kZip64LocatorBytes];
    FERRET_TRY(file->read_at(end_offset - kZip64LocatorBytes, loc, "the ZIP64 locator"));
    if (u32(loc) == kZip64LocatorSig) {
      const std::uint64_t z64_offset = u64(loc + 8);
      if (u32(loc + 4) != 0 || u32(loc + 16) > 1) return make_error(Errc::unsupported, "a split (multi-volume) ZIP64 archive, which Ferret does not read");
      if (z64_offset > end_offset - kZip64LocatorBytes || end_offset - kZip64LocatorBytes - z64_offset < kZip64EndBytes) {
        return make_error(Errc::corrupt, "the ZIP64 locator points outside the archive (offset " + std::to_string(z64_offset) + ")");
      }
      unsigned char z64[kZip64EndBytes];
      FERRET_TRY(file->read_at(z64_offset, z64, "the ZIP64 end record"));
      if (u32(z64) != kZip64EndSig) return make_error(Errc::corrupt, "no ZIP64 end record where the locator points (byte " + std::to_string(z64_offset) + ")");
      if (u32(z64 + 16) != 0 || u32(z64 + 20) != 0) return make_error(Errc::unsupported, "a split (multi-volume) ZIP64 archive, which Ferret does not read");
      entries = u64(z64 + 32);
      cd_size = u64(z64 + 40);
      cd_offset = u64(z64 + 48);
      cd_limit = z64_offset;
    }
  }
  if (cd_offset > cd_limit || cd_size > cd_limit - cd_offset) {
    return make_error(Errc::corrupt, "the central directory (" + std::to_string(cd_size) + " bytes at byte " + std::to_string(cd_offset) +
                                         ") does not fit before the end record at byte " + std::to_string(cd_limit) +
                                         " (truncated, damaged, or data prepended to the archive)");
  }
  if (entries > kMaxZipMembers) {
    return make_error(Errc::unsupported, "the archive lists " + std::to_string(entries) + " members; Ferret reads at most " +
                                             std::to_string(kMaxZipMembers) + " per archive (extract it first)");
  }
  if (cd_size > kMaxZipCentralDirectory) {
    return make_error(Errc::unsupported, "the central directory is " + std::to_string(cd_size) + " bytes; Ferret reads at most " +
                                             std::to_string(kMaxZipCentralDirectory));
  }
  if (entries * kCentralBytes > cd_size) {
    return make_error(Errc::corrupt, "the archive lists " + std::to_string(entries) + " members in a central directory of only " +
                                         std::to_string(cd_size) + " bytes");
  }
  std::vector<unsigned char> cd(static_cast<std::size_t>(cd_size));
  FERRET_TRY(file->read_at(cd_offset, cd, "the central directory"));

  ZipArchive archive;
  archive.file_ = file;
  archive.central_directory_offset_ = cd_offset;
  std::size_t pos = 0;
  for (std::uint64_t k = 0; k < entries; ++k) {
    const std::string where = "central directory entry " + std::to_string(k + 1) + " (byte " + std::to_string(cd_offset + pos) + ")";
    if (cd.size() - pos < kCentralBytes || u32(&cd[pos]) != kCentralSig) return make_error(Errc::corrupt, where + " is missing or damaged");
    const unsigned char* h = &cd[pos];
    ZipMember m;
    m.flags = u16(h + 8);
    m.method = u16(h + 10);
    m.crc32 = u32(h + 16);
    m.compressed_size = u32(h + 20);
    m.size = u32(h + 24);
    const std::size_t name_len = u16(h + 28), extra_len = u16(h + 30), comment_len = u16(h + 32);
    const std::uint16_t disk = u16(h + 34);
    m.local_header_offset = u32(h + 42);
    if (cd.size() - pos - kCentralBytes < name_len + extra_len + comment_len) return make_error(Errc::corrupt, where + " runs past the central directory");
    m.name.assign(reinterpret_cast<const char*>(h + kCentralBytes), name_len);
    // ZIP64 extended information: the 64-bit values, in this order, of the fields set to all ones.
    const bool need_size = m.size == 0xffffffffu, need_csize = m.compressed_size == 0xffffffffu,
               need_offset = m.local_header_offset == 0xffffffffu, need_disk = disk == 0xffff;
    if (need_size || need_csize || need_offset || need_disk) {
      const unsigned char* x = h + kCentralBytes + name_len;
      std::size_t left = extra_len;
      bool found = false;
      while (left >= 4 && !found) {
        const std::uint16_t id = u16(x), len = u16(x + 2);
        if (len > left - 4) break;
        if (id == 0x0001) {
          found = true;
          std::size_t at = 4;
          const auto take = [&](std::uint64_t& v) {
            if (at + 8 > 4u + len) return false;
            v = u64(x + at);
            at += 8;
            return true;
          };
          if ((need_size && !take(m.size)) || (need_csize && !take(m.compressed_size)) || (need_offset && !take(m.local_header_offset))) {
            return make_error(Errc::corrupt, where + " has a ZIP64 extra field too short for its sizes");
          }
        }
        x += 4 + len;
        left -= 4 + len;
      }
      if (!found) return make_error(Errc::corrupt, where + " needs a ZIP64 extra field and has none");
    } else if (disk != 0) {
      return make_error(Errc::unsupported, "a split (multi-volume) zip archive, which Ferret does not read");
    }
    // Everything a member claims must fit in the archive before the central directory.
    if (m.local_header_offset > cd_offset || cd_offset - m.local_header_offset < kLocalBytes + name_len ||
        m.compressed_size > cd_offset - m.local_header_offset - kLocalBytes - name_len) {
      return make_error(Errc::corrupt, "member '" + m.name + "' claims " + std::to_string(m.compressed_size) + " compressed bytes at byte " +
                                           std::to_string(m.local_header_offset) + ", which do not fit in the archive before its central directory (byte " +
                                           std::to_string(cd_offset) + ")");
    }
    if (!m.encrypted() && m.method == 0 && m.size != m.compressed_size) {
      return make_error(Errc::corrupt, "member '" + m.name + "' is stored (not compressed) but claims " + std::to_string(m.size) + " bytes from " +
                                           std::to_string(m.compressed_size));
    }
    if (!m.encrypted() && m.method == 8 && m.size / kMaxDeflateRatio > m.compressed_size + 1) {
      return make_error(Errc::corrupt, "member '" + m.name + "' claims " + std::to_string(m.size) + " bytes from " + std::to_string(m.compressed_size) +
                                           " compressed bytes, more than deflate can produce");
    }
    archive.members_.push_back(std::move(m));
    pos += kCentralBytes + name_len + extra_len + comment_len;
  }
  return archive;
}

struct ZipMemberSource::State {
  std::shared_ptr<ZipArchive::File> file;
  ZipMember member;
  std::uint64_t data_offset = 0;
  std::uint64_t in_pos = 0;   // compressed bytes read
  std::uint64_t out_pos = 0;  // uncompressed bytes delivered
  std::uint32_t crc = 0;
  hash::Digest sha256{hash::Algorithm::sha256};
  z_stream zs{};
  bool inflating = false;
  bool stream_ended = false;
  bool verified = false;
  std::optional<Error> failed;  // sticky: read() returns it again
  std::string sha256_hex;       // once finished (the digest object is spent)
  std::vector<unsigned char> in;

  ~State() {
    if (inflating) inflateEnd(&zs);
  }

  Error fail(Error e) {
    failed = e;
    return e;
  }

  Result<std::size_t> deliver(const char* data, std::size_t n) {
    if (n > member.size - out_pos) {
      return fail(make_error(Errc::corrupt, "the member holds more than the " + std::to_string(member.size) + " bytes the zip records: damaged"));
    }
    crc = static_cast<std::uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n)));
    sha256.update(std::as_bytes(std::span(data, n)));
    out_pos += n;
    return n;
  }

  // The end of the data: the size and CRC-32 are what the central directory says.
  Result<std::size_t> finish() {
    if (!verified) {
      if (out_pos != member.size) {
        return fail(make_error(Errc::corrupt, "the member holds " + std::to_string(out_pos) + " bytes, the zip records " + std::to_string(member.size) +
                                                  ": damaged"));
      }
      if (crc != member.crc32) {
        return fail(make_error(Errc::corrupt, "the member's CRC-32 is " + hex32(crc) + ", the zip records " + hex32(member.crc32) +
                                                  ": its data is damaged"));
      }
      verified = true;
    }
    return std::size_t{0};
  }
};

ZipMemberSource::ZipMemberSource() : state_(std::make_unique<State>()) {}
ZipMemberSource::~ZipMemberSource() = default;

std::uint64_t ZipMemberSource::compressed_read() const { return state_->in_pos; }
std::uint64_t ZipMemberSource::compressed_size() const { return state_->member.compressed_size; }
bool ZipMemberSource::verified() const { return state_->verified; }

Result<std::unique_ptr<ZipMemberSource>> ZipArchive::open_member(std::size_t index) const {
  if (index >= members_.size()) return make_error(Errc::invalid_argument, "no member " + std::to_string(index) + " in the archive");
  const ZipMember& m = members_[index];
  if (auto why = zip_member_unsupported(m); !why.empty()) return make_error(Errc::unsupported, why);
  unsigned char local[kLocalBytes];
  FERRET_TRY(file_->read_at(m.local_header_offset, local, "a local file header"));
  if (u32(local) != kLocalHeaderSig) {
    return make_error(Errc::corrupt, "no local header for member '" + m.name + "' at byte " + std::to_string(m.local_header_offset));
  }
  const std::uint64_t data_offset = m.local_header_offset + kLocalBytes + u16(local + 26) + u16(local + 28);
  if (data_offset > central_directory_offset_ || m.compressed_size > central_directory_offset_ - data_offset) {
    return make_error(Errc::corrupt, "the data of member '" + m.name + "' (" + std::to_string(m.compressed_size) + " bytes at byte " +
                                         std::to_string(data_offset) + ") runs into the central directory");
  }
  std::unique_ptr<ZipMemberSource> source(new ZipMemberSource());
  ZipMemberSource::State& s = *source->state_;
  s.file = file_;
  s.member = m;
  s.data_offset = data_offset;
  if (m.method == 8) {
    // Raw deflate: a zip member has no zlib or gzip wrapper.
    if (inflateInit2(&s.zs, -MAX_WBITS) != Z_OK) return make_error(Errc::internal, "zlib cannot initialise a raw inflate");
    s.inflating = true;
    s.in.resize(kReadChunk);
  }
  return source;
}

Result<std::size_t> ZipMemberSource::read(std::span<char> out) {
  State& s = *state_;
  if (s.failed) return *s.failed;
  if (out.empty()) return std::size_t{0};
  const std::uint64_t csize = s.member.compressed_size;
  if (s.member.method == 0) {
    if (s.in_pos == csize) return s.finish();
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>({out.size(), csize - s.in_pos, kReadChunk}));
    Status got = s.file->read_at(s.data_offset + s.in_pos, std::span(reinterpret_cast<unsigned char*>(out.data()), n), "member data");
    if (!got.ok()) return s.fail(got.error());
    s.in_pos += n;
    return s.deliver(out.data(), n);
  }
  for (;;) {
    if (s.stream_ended) return s.finish();
    if (s.zs.avail_in == 0 && s.in_pos < csize) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(s.in.size(), csize - s.in_pos));
      Status got = s.file->read_at(s.data_offset + s.in_pos, std::span(s.in.data(), n), "member data");
      if (!got.ok()) return s.fail(got.error());
      s.in_pos += n;
      s.zs.next_in = s.in.data();
      s.zs.avail_in = static_cast<uInt>(n);
    }
    s.zs.next_out = reinterpret_cast<Bytef*>(out.data());
    s.zs.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size(), 1u << 30));
    const uInt before = s.zs.avail_out;
    const int rc = inflate(&s.zs, Z_NO_FLUSH);
    const std::size_t produced = before - s.zs.avail_out;
    if (rc == Z_STREAM_END) s.stream_ended = true;
    else if (rc == Z_BUF_ERROR && s.zs.avail_in == 0 && s.in_pos == csize && produced == 0) {
      return s.fail(make_error(Errc::corrupt, "the member's deflate data ends early at compressed byte " + std::to_string(s.in_pos) + " (after " +
                                                  std::to_string(s.out_pos) + " bytes): truncated or damaged"));
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return s.fail(make_error(Errc::corrupt, "the member's deflate data is damaged near compressed byte " +
                                                  std::to_string(s.in_pos - s.zs.avail_in) + ": " +
                                                  (s.zs.msg != nullptr ? s.zs.msg : "zlib error " + std::to_string(rc))));
    }
    if (produced > 0) return s.deliver(out.data(), produced);
  }
}

Result<std::string> ZipMemberSource::finish_sha256() {
  if (!state_->sha256_hex.empty()) return state_->sha256_hex;
  std::vector<char> buf(kReadChunk);
  for (;;) {
    auto n = read(buf);
    if (!n.ok()) return n.error();
    if (*n == 0) break;
  }
  state_->sha256_hex = state_->sha256.finish_hex();
  return state_->sha256_hex;
}

}  // namespace ferret::hashset
