// libmagic behind a value-returning wrapper, and the extension table that decides a mismatch.
#include "identify/identify.h"

#include <magic.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <initializer_list>

namespace ferret::identify {

// ---------------------------------------------------------------------------------------------
// Identifier

struct Identifier::Handle {
  magic_t cookie = nullptr;
  Handle() = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (cookie != nullptr) magic_close(cookie);
  }
};

namespace {

// libmagic's words for its last error, else the errno it recorded.
std::string libmagic_message(magic_t cookie) {
  if (const char* text = magic_error(cookie); text != nullptr && *text != '\0') return text;
  if (const int err = magic_errno(cookie); err != 0) return std::strerror(err);
  return "no reason given";
}

// The operating system refused the read (as opposed to a database libmagic cannot use).
bool is_io_errno(int err) {
  switch (err) {
    case ENOENT: case EACCES: case EPERM: case EIO: case ENOTDIR: case EISDIR: case ELOOP:
    case ENAMETOOLONG: case EMFILE: case ENFILE:
      return true;
    default:
      return false;
  }
}

}  // namespace

Identifier::Identifier(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
Identifier::~Identifier() = default;
Identifier::Identifier(Identifier&&) noexcept = default;
Identifier& Identifier::operator=(Identifier&&) noexcept = default;

Result<Identifier> Identifier::create() { return open(nullptr, "the system's default magic database"); }

Result<Identifier> Identifier::create(const std::string& database_path) {
  return open(database_path.c_str(), "magic database " + database_path);
}

Result<Identifier> Identifier::open(const char* database, const std::string& described_as) {
  auto handle = std::make_unique<Handle>();
  // MAGIC_MIME_TYPE alone: the type without "; charset=", and no decompression (MAGIC_COMPRESS is
  // off), so a .gz is reported as application/gzip, not as what it contains.
  handle->cookie = magic_open(MAGIC_MIME_TYPE);
  if (handle->cookie == nullptr) {
    return make_error(Errc::internal, std::string("libmagic cannot open a handle: ") + std::strerror(errno));
  }
  // libmagic reports a missing file and a file of the wrong format alike ("could not find any valid
  // magic files!"), and leaves errno stale; so ask the operating system first when we can.
  if (database != nullptr && ::access(database, R_OK) != 0) {
    return make_error(Errc::io, "cannot read " + described_as + ": " + std::strerror(errno));
  }
  if (magic_load(handle->cookie, database) != 0) {
    return make_error(is_io_errno(magic_errno(handle->cookie)) ? Errc::io : Errc::unsupported,
                      "libmagic cannot load " + described_as + ": " + libmagic_message(handle->cookie) +
                          " (is the libmagic-mgc package installed? see scripts/install-deps.sh)");
  }
  return Identifier(std::move(handle));
}

std::string Identifier::mime(std::span<const std::byte> head) {
  // What file(1) reports for an empty file; the buffer interface would say application/x-empty.
  if (head.empty()) return "inode/x-empty";
  if (!handle_) return "application/octet-stream";
  head = head.first(std::min(head.size(), head_bytes()));
  const char* type = magic_buffer(handle_->cookie, head.data(), head.size());
  return type != nullptr ? std::string(type) : std::string("application/octet-stream");
}

// ---------------------------------------------------------------------------------------------
// Extension table

namespace {

// A family is the set of spellings libmagic uses for one format. Spellings were taken from real
// samples run through libmagic 5.44 (ffmpeg-made media, zip/tar/gzip/bzip2/xz tools, Office and
// PE files), plus the spellings older or newer libmagic releases use for the same format (marked
// "other releases"), so that an upgrade of libmagic does not turn into false mismatches.
enum class Family : unsigned {
  text,  // decided by is_textual(), not by a list
  matroska,
  iso_media,
  avi,
  asf,
  mpeg,
  flv,
  ogg,
  mp3,
  flac,
  aac,
  wav,
  jpeg,
  png,
  gif,
  bmp,
  webp,
  tiff,
  heif,
  zip,
  zip_based,
  ooxml_word,
  ooxml_sheet,
  odf_text,
  rar,
  seven_zip,
  tar,
  gzip,
  bzip2,
  xz,
  iso9660,
  pdf,
  ole2,
  windows_executable,
  torrent,
  count_,
};

using FamilySet = std::uint64_t;
static_assert(static_cast<unsigned>(Family::count_) <= 64);

constexpr FamilySet set_of(std::initializer_list<Family> families) {
  FamilySet set = 0;
  for (Family f : families) set |= FamilySet{1} << static_cast<unsigned>(f);
  return set;
}

struct TypePattern {
  Family family;
  std::string_view pattern;  // lowercase; a trailing '*' matches any rest
};

constexpr TypePattern kTypes[] = {
    {Family::matroska, "video/x-matroska"},
    {Family::matroska, "video/webm"},
    {Family::matroska, "audio/x-matroska"},  // other releases
    {Family::matroska, "audio/webm"},        // other releases
    // ISO base media: libmagic goes by the ftyp brand, not the content, so an audio-only .m4a with
    // brand isom is video/mp4 and a PSP .mp4 (brand MSNV) is audio/mp4.
    {Family::iso_media, "video/mp4"},
    {Family::iso_media, "video/x-m4v"},
    {Family::iso_media, "video/quicktime"},
    {Family::iso_media, "video/3gpp"},
    {Family::iso_media, "video/3gpp2"},
    {Family::iso_media, "audio/mp4"},
    {Family::iso_media, "audio/x-m4a"},
    {Family::avi, "video/x-msvideo"},
    {Family::avi, "video/avi"},  // other releases
    {Family::asf, "video/x-ms-asf"},
    {Family::asf, "video/x-ms-wmv"},  // other releases
    {Family::asf, "audio/x-ms-wma"},  // other releases
    {Family::mpeg, "video/mpeg"},
    {Family::mpeg, "video/mp2t"},
    {Family::flv, "video/x-flv"},
    {Family::ogg, "audio/ogg"},
    {Family::ogg, "video/ogg"},
    {Family::ogg, "application/ogg"},
    {Family::mp3, "audio/mpeg"},
    {Family::mp3, "audio/mp3"},  // other releases
    {Family::flac, "audio/flac"},
    {Family::flac, "audio/x-flac"},  // other releases
    {Family::aac, "audio/x-hx-aac-adts"},
    {Family::aac, "audio/x-hx-aac-adif"},
    {Family::aac, "audio/aac"},  // other releases
    {Family::wav, "audio/x-wav"},
    {Family::wav, "audio/wav"},       // other releases
    {Family::wav, "audio/vnd.wave"},  // other releases
    {Family::jpeg, "image/jpeg"},
    {Family::png, "image/png"},
    {Family::png, "image/apng"},  // other releases
    {Family::gif, "image/gif"},
    {Family::bmp, "image/bmp"},
    {Family::bmp, "image/x-ms-bmp"},  // other releases
    {Family::webp, "image/webp"},
    {Family::tiff, "image/tiff"},
    {Family::heif, "image/heic"},
    {Family::heif, "image/heif"},
    {Family::heif, "image/heic-sequence"},
    {Family::heif, "image/heif-sequence"},
    {Family::zip, "application/zip"},
    {Family::zip, "application/x-zip"},
    {Family::zip_based, "application/java-archive"},
    {Family::zip_based, "application/epub+zip"},
    {Family::zip_based, "application/vnd.android.package-archive"},
    {Family::zip_based, "application/vnd.openxmlformats-officedocument.*"},
    {Family::zip_based, "application/vnd.oasis.opendocument.*"},
    {Family::ooxml_word, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {Family::ooxml_sheet, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {Family::odf_text, "application/vnd.oasis.opendocument.text"},
    {Family::rar, "application/x-rar"},
    {Family::rar, "application/vnd.rar"},  // other releases
    {Family::seven_zip, "application/x-7z-compressed"},
    {Family::tar, "application/x-tar"},
    {Family::tar, "application/x-gtar"},
    {Family::tar, "application/x-ustar"},
    {Family::gzip, "application/gzip"},
    {Family::gzip, "application/x-gzip"},  // other releases
    {Family::bzip2, "application/x-bzip2"},
    {Family::xz, "application/x-xz"},
    {Family::iso9660, "application/x-iso9660-image"},
    {Family::pdf, "application/pdf"},
    // OLE2 compound files: libmagic names the application (Word, Excel, MSI...) from the summary
    // information or the directory, which usually lie past the head; failing that it says
    // x-ole-storage or CDFV2. "encrypted" is its name for a password-protected OOXML document,
    // which is an OLE2 file holding an EncryptedPackage stream.
    {Family::ole2, "application/x-ole-storage"},
    {Family::ole2, "application/encrypted"},
    {Family::ole2, "application/cdfv2*"},
    {Family::ole2, "application/msword"},
    {Family::ole2, "application/vnd.ms-excel"},
    {Family::ole2, "application/vnd.ms-powerpoint"},
    {Family::ole2, "application/vnd.ms-office"},
    {Family::ole2, "application/vnd.ms-outlook"},
    {Family::ole2, "application/vnd.ms-msi"},
    {Family::ole2, "application/x-msi"},
    {Family::windows_executable, "application/vnd.microsoft.portable-executable"},
    {Family::windows_executable, "application/x-dosexec"},
    {Family::windows_executable, "application/x-ms-ne-executable"},
    {Family::torrent, "application/x-bittorrent"},
};

constexpr FamilySet kText = set_of({Family::text});

struct ExtensionRule {
  std::string_view extension;
  FamilySet accepts;
};

// rNN (r00..r99) RAR volumes are handled in rule_for(), not listed here.
constexpr ExtensionRule kRules[] = {
    // video
    {"mkv", set_of({Family::matroska})},
    {"mka", set_of({Family::matroska})},
    {"mk3d", set_of({Family::matroska})},
    {"webm", set_of({Family::matroska})},
    {"mp4", set_of({Family::iso_media})},
    {"m4v", set_of({Family::iso_media})},
    {"mov", set_of({Family::iso_media})},
    {"3gp", set_of({Family::iso_media})},
    {"3g2", set_of({Family::iso_media})},
    {"avi", set_of({Family::avi})},
    {"divx", set_of({Family::avi})},
    {"wmv", set_of({Family::asf})},
    {"asf", set_of({Family::asf})},
    {"mpg", set_of({Family::mpeg})},
    {"mpeg", set_of({Family::mpeg})},
    {"m2v", set_of({Family::mpeg})},
    {"vob", set_of({Family::mpeg})},
    {"ts", set_of({Family::mpeg, Family::text})},  // also TypeScript and Qt translation sources
    {"m2ts", set_of({Family::mpeg})},
    {"mts", set_of({Family::mpeg})},
    {"m2t", set_of({Family::mpeg})},
    {"flv", set_of({Family::flv})},
    // audio
    {"mp3", set_of({Family::mp3})},
    {"flac", set_of({Family::flac})},
    {"aac", set_of({Family::aac, Family::iso_media})},  // AAC is often written in an MP4 wrapper
    {"m4a", set_of({Family::iso_media})},
    {"ogg", set_of({Family::ogg})},
    {"oga", set_of({Family::ogg})},
    {"ogv", set_of({Family::ogg})},
    {"opus", set_of({Family::ogg})},
    {"wav", set_of({Family::wav})},
    {"wma", set_of({Family::asf})},
    // images
    {"jpg", set_of({Family::jpeg})},
    {"jpeg", set_of({Family::jpeg})},
    {"jpe", set_of({Family::jpeg})},
    {"jfif", set_of({Family::jpeg})},
    {"png", set_of({Family::png})},
    {"gif", set_of({Family::gif})},
    {"bmp", set_of({Family::bmp})},
    {"webp", set_of({Family::webp})},
    {"tif", set_of({Family::tiff})},
    {"tiff", set_of({Family::tiff})},
    {"heic", set_of({Family::heif})},
    {"heif", set_of({Family::heif})},
    // subtitles, release notes, checksums, logs, configuration, data
    {"txt", kText},
    {"nfo", set_of({Family::text, Family::ole2})},  // MSInfo .nfo files of Windows 98/2000 are OLE2
    {"srt", kText},
    {"sub", set_of({Family::text, Family::mpeg})},  // MicroDVD text, or VobSub (MPEG program stream)
    {"idx", kText},
    {"ass", kText},
    {"ssa", kText},
    {"vtt", kText},
    {"sfv", kText},
    {"md5", kText},
    {"sha1", kText},
    {"sha256", kText},
    {"log", kText},
    {"ini", kText},
    {"cfg", kText},
    {"csv", kText},
    {"json", kText},
    {"xml", kText},
    {"html", kText},
    {"htm", kText},
    {"m3u", kText},
    {"m3u8", kText},
    {"cue", kText},
    // archives and disc images
    {"zip", set_of({Family::zip, Family::zip_based})},
    {"rar", set_of({Family::rar})},
    {"7z", set_of({Family::seven_zip})},
    {"tar", set_of({Family::tar})},
    {"gz", set_of({Family::gzip})},
    {"tgz", set_of({Family::gzip})},
    {"bz2", set_of({Family::bzip2})},
    {"tbz2", set_of({Family::bzip2})},
    {"xz", set_of({Family::xz})},
    {"txz", set_of({Family::xz})},
    {"iso", set_of({Family::iso9660})},
    // documents: applications write RTF, HTML, XML and CSV under .doc/.xls and Office opens them
    {"pdf", set_of({Family::pdf})},
    {"doc", set_of({Family::ole2, Family::text})},
    {"xls", set_of({Family::ole2, Family::text})},
    // libmagic tells OOXML from zip by the first entries' names only; a password-protected one is OLE2
    {"docx", set_of({Family::ooxml_word, Family::zip, Family::ole2})},
    {"xlsx", set_of({Family::ooxml_sheet, Family::zip, Family::ole2})},
    {"odt", set_of({Family::odf_text, Family::zip})},
    // Windows programs
    {"exe", set_of({Family::windows_executable})},
    {"dll", set_of({Family::windows_executable})},
    {"msi", set_of({Family::ole2})},
    // torrent files: bencoding is text until the binary piece hashes; libmagic says
    // application/x-bittorrent only when the dictionary starts with "announce"
    {"torrent", set_of({Family::torrent, Family::text})},
};

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower_ascii);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool matches(std::string_view pattern, std::string_view mime) {
  if (ends_with(pattern, "*")) return starts_with(mime, pattern.substr(0, pattern.size() - 1));
  return pattern == mime;
}

// Content libmagic found to be text, whatever it then called it (a script, an e-mail, a subtitle,
// an INI file...). `mime` is lowercase.
bool is_textual(std::string_view mime) {
  if (starts_with(mime, "text/") || starts_with(mime, "message/")) return true;
  if (ends_with(mime, "+xml") || ends_with(mime, "+json")) return true;
  static constexpr std::string_view kTextualApplications[] = {
      "application/json",         "application/x-ndjson",          "application/xml",
      "application/javascript",   "application/x-javascript",      "application/x-subrip",
      "application/x-setupscript", "application/x-wine-extension-ini", "application/postscript",
      "application/pgp-keys",     "application/pgp-signature",     "application/pgp-encrypted",
      "application/x-mpegurl",    "application/vnd.apple.mpegurl",
  };
  return std::find(std::begin(kTextualApplications), std::end(kTextualApplications), mime) !=
         std::end(kTextualApplications);
}

bool contains(FamilySet set, Family family) { return (set & set_of({family})) != 0; }

// Whether `mime` (lowercase) belongs to one of the families in `set`.
bool in_any(FamilySet set, std::string_view mime) {
  if (contains(set, Family::text) && is_textual(mime)) return true;
  return std::any_of(std::begin(kTypes), std::end(kTypes),
                     [&](const TypePattern& t) { return contains(set, t.family) && matches(t.pattern, mime); });
}

// Every family the table knows: the types whose presence is evidence.
constexpr FamilySet kKnown = (FamilySet{1} << static_cast<unsigned>(Family::count_)) - 1;

// Says nothing about the content: empty, or libmagic found no signature ("data").
bool is_uninformative(std::string_view mime) {
  return mime.empty() || mime == "application/octet-stream" || mime == "application/x-empty" ||
         starts_with(mime, "inode/");
}

bool is_rar_volume(std::string_view ext) {
  return ext.size() == 3 && ext[0] == 'r' && ext[1] >= '0' && ext[1] <= '9' && ext[2] >= '0' && ext[2] <= '9';
}

std::optional<FamilySet> rule_for(std::string_view ext) {
  if (is_rar_volume(ext)) return set_of({Family::rar});
  for (const ExtensionRule& rule : kRules) {
    if (rule.extension == ext) return rule.accepts;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> extension_of(std::string_view name) {
  if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (name.find(':') != std::string_view::npos) return std::nullopt;  // an NTFS alternate data stream
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return std::nullopt;
  return lowercase(name.substr(dot + 1));
}

std::optional<bool> extension_mismatch(std::string_view name, std::string_view mime) {
  const auto ext = extension_of(name);
  if (!ext) return std::nullopt;
  const auto accepts = rule_for(*ext);
  if (!accepts) return std::nullopt;

  const std::string type = lowercase(trim(mime.substr(0, mime.find(';'))));
  if (is_uninformative(type)) return std::nullopt;
  if (in_any(*accepts, type)) return false;
  if (in_any(kKnown, type)) return true;
  return std::nullopt;  // an exotic type, often from a weak signature: no evidence either way
}

}  // namespace ferret::identify
