// Writing recorded files out of the evidence into a directory tree that is safe to open anywhere,
// verifying every copy against the recorded SHA-256, and recording what was written.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "casedb/case_writer.h"
#include "core/result.h"
#include "core/text.h"
#include "image/image_source.h"

namespace ferret::extract {

// Longest file-name component created (NAME_MAX on Linux, NTFS, exFAT, ext4 in bytes or units).
inline constexpr std::size_t kMaxComponentBytes = 255;

// One name from the evidence as a name that is safe to create on Linux and Windows file systems
// and to show in a terminal or Explorer. The mapping is reversible (decode_component) unless the
// name had to be shortened:
//   - '%', '/', '\', the characters Windows refuses (< > : " | ? *), control characters (C0, DEL,
//     C1), bidirectional override/isolate characters (U+202A-U+202E, U+2066-U+2069) and bytes that
//     are not valid UTF-8 become %XX per byte (so "file.txt:stream" becomes "file.txt%3Astream");
//   - a final '.' or ' ' becomes %2E or %20 (so "." and ".." can never appear, and Windows does not
//     silently drop it); an empty name becomes "%";
//   - Windows device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9 and their superscript-digit forms,
//     CONIN$, CONOUT$; any case, with or without an extension) get a '_' prefix, and a '_' that
//     would make a real name look like such a prefixed one becomes %5F;
//   - a result longer than kMaxComponentBytes keeps its start and extension around "~" and 12 hex
//     digits of the full name's SHA-256.
std::string sanitise_component(std::string_view name);

// The evidence name back from a sanitised component (not for shortened ones: they keep only a hash).
std::string decode_component(std::string_view component);

// `component` with `suffix` inserted before its extension ("a.tar.gz" + "~7" -> "a.tar~7.gz"),
// shortened as sanitise_component does when the result would be too long.
std::string with_suffix(std::string_view component, std::string_view suffix);

// Where a file goes under the output directory, one component at a time:
// e<evidence_id>, v<volume start offset in bytes, or "none">, then the sanitised components of its
// case path. Never empty, never ".", "..", absolute or containing '/'.
std::vector<std::string> output_components(std::int64_t evidence_id, std::optional<std::uint64_t> volume_offset,
                                           std::string_view case_path);
// The same joined with '/', as recorded in extractions.output_path.
std::string output_path_for(std::int64_t evidence_id, std::optional<std::uint64_t> volume_offset,
                            std::string_view case_path);

// One RFC 4180 CSV field: quoted when needed, and a text that a spreadsheet would run as a formula
// (starting with = + - @, a tab or a carriage return) is prefixed with a single quote.
std::string csv_field(std::string_view text);

using ferret::display_text;  // core/text.h


struct ExtractProgress {
  std::uint64_t files_done = 0;
  std::uint64_t files_total = 0;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
};

struct ExtractOptions {
  std::vector<std::int64_t> file_ids;  // these files (every one must exist), or
  std::optional<std::string> where;    // the files matching this SQL condition on `files`
  std::filesystem::path output_dir;    // created when missing; nothing in it is ever overwritten
  std::int64_t run_id = 0;             // recorded in extractions.run_id and names the manifest
  unsigned threads = 0;                // 0 = sized to the machine
  std::size_t batch_size = 256;        // extraction rows per transaction
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const ExtractProgress&)> progress;  // from worker threads
  image::ImageOpener open_image;  // empty: image::open_image (tests inject faults through it)
};

// One file written: a row of `extractions` and of the CSV manifest.
struct ExtractedFile {
  std::int64_t file_id = 0;
  std::int64_t evidence_id = 0;
  std::string original_path;  // files.path
  std::string name;           // files.name
  std::string output_path;    // relative to the output directory, '/'-separated
  std::uint64_t size = 0;
  std::string sha256;         // of the written file, read back from disk
  bool verified = false;      // sha256 equals files.sha256
};

struct ExtractSummary {
  std::filesystem::path output_dir;  // absolute
  std::string manifest;              // file name of the CSV manifest in output_dir ("" when none was written)
  std::string manifest_sha256;
  std::uint64_t selected = 0;        // rows the selection matched
  std::uint64_t extracted = 0;       // files written
  std::uint64_t verified = 0;        // ... whose copy reads back with the recorded SHA-256
  std::uint64_t bytes = 0;
  std::uint64_t renamed = 0;         // written under a "~<file_id>" name: another file or entry had the name
  std::uint64_t not_hashed = 0;      // content_state NULL: ferret-hash has not read them yet
  std::uint64_t reallocated = 0;     // content_state values that leave nothing trustworthy to extract
  std::uint64_t no_content = 0;
  std::uint64_t unreadable = 0;
  std::uint64_t not_files = 0;       // directories, links, devices
  std::uint64_t failed = 0;          // could not be read or written now
  std::uint64_t not_extracted = 0;   // asked for but not written (not_hashed ... failed; and non-files named by id)
  bool interrupted = false;
  std::vector<ExtractedFile> files;  // in output order
  std::vector<std::string> problems;  // one line each, printable (display_text)
};

// Extracts the selected files of the case at `db_path` into options.output_dir: for each one of
// type 'file' whose content_state is 'intact', reads the content from the evidence, writes it to
// output_dir/<output_components> (creating every directory and file relative to the one above it,
// never following a symbolic link, never replacing anything: a name that is taken gets "~<file_id>"
// before its extension), reads the copy back and compares its SHA-256 with files.sha256. Each
// written file is recorded in `extractions` through `writer`; output_dir/ferret-extract-<run_id>.csv
// lists them. A `where` condition runs on a separate read-only connection as
// "SELECT file_id FROM files WHERE (<where>)"; a condition that is not valid SQL, or that does more
// than one statement, is Errc::invalid_argument, as is a file id that is not in the case. Nothing
// is written before the selection is known to be valid.
Result<ExtractSummary> extract_files(casedb::CaseWriter& writer, const std::filesystem::path& db_path,
                                     const ExtractOptions& options);

// The file ids matching `condition` (SQL on `files`), in order, from a read-only connection.
Result<std::vector<std::int64_t>> select_files(const std::filesystem::path& db_path, const std::string& condition,
                                               const std::atomic<bool>* cancel = nullptr);

// {"selected":N,...}: the summary as a JSON object, for --json and runs.summary.
std::string summary_json(const ExtractSummary& summary, double seconds);
// A few human lines: counts, what was skipped and why, problems, where the manifest is.
std::string summary_text(const ExtractSummary& summary, double seconds);

}  // namespace ferret::extract
