// A file's content type from its first bytes (libmagic), and whether its name's extension contradicts it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ferret::identify {

// Wraps one libmagic handle (MAGIC_MIME_TYPE, the system's default database). Not thread-safe:
// use one per thread. Movable, not copyable; a moved-from Identifier answers
// "application/octet-stream" to everything.
class Identifier {
 public:
  // Opens libmagic with the system's default database. Errc::io when the database cannot be read
  // (missing, no permission), Errc::unsupported when it can be read but not loaded (wrong format
  // or version); the message carries libmagic's own words.
  static Result<Identifier> create();
  // The same with an explicit compiled database (a magic.mgc), for tests and pinned deployments.
  static Result<Identifier> create(const std::string& database_path);

  ~Identifier();
  Identifier(Identifier&&) noexcept;
  Identifier& operator=(Identifier&&) noexcept;
  Identifier(const Identifier&) = delete;
  Identifier& operator=(const Identifier&) = delete;

  // MIME type of content whose first bytes are `head` (callers pass up to head_bytes() bytes; the
  // whole content when shorter). Bytes past head_bytes() are ignored, so the answer depends only on
  // the content, not on how much of it a caller happened to pass. Empty content is
  // "inode/x-empty", as file(1) says for an empty file (libmagic's buffer interface would say
  // "application/x-empty"). Never throws; if libmagic fails, "application/octet-stream".
  std::string mime(std::span<const std::byte> head);

  // 64 KiB. libmagic itself examines at most 64 KiB when it decides whether content is text and in
  // which encoding (MAGIC_PARAM_ENCODING_MAX), and every signature the extension table relies on
  // lies well inside it (the deepest, ISO 9660's volume descriptor, at 32 KiB). Reading more per
  // file would slow a whole-disk pass for nothing the table uses. What a head cannot give:
  // libmagic names an OLE2 compound file's application (Word, Excel, MSI) from streams that usually
  // lie past the head, so for those it says "application/x-ole-storage"; the table treats the OLE2
  // family as one.
  static constexpr std::size_t head_bytes() { return 64 * 1024; }

 private:
  struct Handle;
  explicit Identifier(std::unique_ptr<Handle> handle);
  static Result<Identifier> open(const char* database, const std::string& described_as);
  std::unique_ptr<Handle> handle_;
};

// The extension of `name`, lowercase ASCII, without the dot: what follows the last '.' of the last
// path component ('/' or '\\'). std::nullopt when there is none: no dot, a dotfile (".bashrc"),
// a trailing dot, or an NTFS alternate data stream ("file.txt:Zone.Identifier": a ':' in the last
// component, which is how Ferret names streams; on file systems where ':' is a legal name character
// this costs a verdict, never makes a wrong one).
std::optional<std::string> extension_of(std::string_view name);

// Whether `name`'s extension contradicts `mime` (as Identifier::mime gives it): true = mismatch
// (e.g. "movie.txt" holding video/x-matroska, "poster.jpg" holding application/zip), false =
// consistent, std::nullopt = cannot tell. Built so that an examiner can trust a `true`: it is
// returned only when libmagic positively recognised a type we know (one in the table below, or
// text), and that type is not one libmagic reports for a genuine file with this extension
// (checked against real samples with file 5.44, Debian 12). Text under a binary extension
// ("movie.mkv" holding text/plain) is a mismatch; a binary type under a text extension is one only
// when it is a type from the table ("notes.txt" holding video/x-matroska).
//
// std::nullopt when: extension_of(name) is nullopt; the extension is not in the table below; the
// content is empty ("inode/x-empty") or unrecognised ("application/octet-stream"); or libmagic
// reports a type outside the known set (e.g. "P1 is the top priority" in a .txt reads as a
// Netpbm image to libmagic: an exotic type from a weak signature is no evidence).
// Extensions and MIME types compare case-insensitively; MIME parameters (";charset=...") are ignored.
//
// The table (what each extension accepts; one family = the spellings libmagic uses for it):
//   video   mkv mka mk3d webm   Matroska: video/x-matroska, video/webm
//           mp4 m4v mov 3gp 3g2 ISO media: video/mp4, video/x-m4v, video/quicktime, video/3gpp(2),
//                               audio/mp4, audio/x-m4a (the brand decides, not the extension)
//           avi divx            video/x-msvideo
//           wmv wma asf         video/x-ms-asf (libmagic says so for audio-only WMA too)
//           mpg mpeg vob m2v    MPEG program/elementary stream: video/mpeg, also video/MP2T
//           ts m2ts mts m2t     video/MP2T, video/mpeg. libmagic 5.44 recognises a transport stream
//                               only when its first packet is the PAT; ffmpeg writes the SDT first,
//                               so most .ts files read as application/octet-stream: cannot tell.
//                               .ts also accepts text (TypeScript sources, Qt translation files).
//           flv                 video/x-flv
//   audio   mp3 audio/mpeg; flac audio/flac; aac audio/x-hx-aac-adts or -adif, and ISO media;
//           m4a ISO media (audio-only MP4 with brand isom is video/mp4); ogg oga ogv opus Ogg
//           (audio/ogg, video/ogg, application/ogg); wav audio/x-wav
//   image   jpg jpeg jpe jfif image/jpeg; png; gif; bmp (image/bmp, image/x-ms-bmp); webp;
//           tif tiff; heic heif (image/heic, image/heif and their -sequence forms)
//   text    txt nfo srt sub ass ssa vtt idx sfv md5 sha1 sha256 log ini cfg csv json xml html htm
//           m3u m3u8 cue: any textual type (text/*, message/*, */*+xml, application/json,
//           application/x-subrip, application/javascript, ...). Plus: sub accepts video/mpeg
//           (VobSub), nfo accepts OLE2 (old MSInfo .nfo files).
//   archive zip (and every zip-based type: docx, odt, jar, epub, apk...); rar and rNN volumes
//           (r00..r99, each starts with a RAR marker) application/x-rar; 7z; tar; gz tgz;
//           bz2 tbz2; xz txz; iso application/x-iso9660-image (a UDF-only image reads as
//           application/octet-stream: cannot tell)
//   docs    pdf; doc xls: OLE2 family (application/x-ole-storage, msword, vnd.ms-excel,
//           vnd.ms-office, CDFV2...) and any textual type (applications routinely write RTF, HTML,
//           XML or CSV under these names and Office opens them); docx xlsx: their OOXML type,
//           application/zip (libmagic reads the zip's first entries only) or OLE2 (a
//           password-protected OOXML file is an OLE2 container); odt: its type or zip
//   exe     exe dll: application/vnd.microsoft.portable-executable, application/x-dosexec;
//           msi: OLE2 family
//   torrent application/x-bittorrent, or textual (libmagic needs "d8:announce" first; a
//           trackerless torrent reads as text/plain)
std::optional<bool> extension_mismatch(std::string_view name, std::string_view mime);

}  // namespace ferret::identify
