// A recorded file's content, read back from the evidence: through the data runs the walk recorded,
// or through The Sleuth Kit where the runs cannot give it (resident, compressed, encrypted data).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "casedb/case_writer.h"
#include "casedb/database.h"
#include "core/result.h"
#include "image/image_source.h"

namespace ferret::fs {
class TskFileReader;
}

namespace ferret::content {

struct Run {
  std::uint64_t file_offset = 0;
  std::optional<std::uint64_t> image_offset;  // none: sparse (zeros)
  std::uint64_t length = 0;
};

// What the case knows about where one file's content is.
struct FileContent {
  std::int64_t file_id = 0;
  std::int64_t evidence_id = 0;
  std::optional<std::uint64_t> volume_offset;  // none when no file system was recorded
  std::string fs_type;                         // volumes.fs_type ("" when none)
  std::string path;
  std::string name;
  std::uint64_t size = 0;
  bool size_unknown = false;  // files.size is NULL: the file system's metadata could not be read
  bool allocated = false;
  bool reallocated = false;  // TSK: the deleted name's metadata now belongs to another file
  bool encoded = false;
  std::uint64_t meta_addr = 0;
  std::optional<int> attr_type, attr_id;
  std::vector<Run> runs;

  // Image offset of the first data byte (0 for content without runs): for reading in disk order.
  std::uint64_t first_offset() const;
};

// Opens recorded evidence again to read from it: the image at `path`, which must still be
// `expected_size` bytes long. The error says why not ("cannot be opened: ...", "is N bytes now, M
// when it was ingested: not the same evidence").
// `open` replaces image::open_image when set (tests: fault injection).
Result<std::unique_ptr<image::ImageSource>> reopen_evidence(const std::string& path, std::uint64_t expected_size,
                                                            const image::ImageOpener& open = {});

// Records in `errors` (against the evidence, no file) that the evidence at `path` could not be read
// again: `why` is reopen_evidence's error. Its files stay unhashed, so a rerun can still read them.
Status record_unopened_evidence(casedb::Database& db, std::int64_t run_id, std::int64_t evidence_id, const std::string& path,
                                const Error& why);

// Loads the FileContent of files selected by `where` (an SQL condition on `files f`, with ?1 bound
// to `after_file_id`), in file_id order, at most `limit` of them. Runs come with them.
Result<std::vector<FileContent>> load_files(casedb::Database& db, const std::string& where, std::int64_t after_file_id,
                                            std::size_t limit);

// Hands the files selected by `where` to `take`, one at a time: loaded through `writer` a page of
// `page_size` at a time (in file_id order, so memory stays bounded), each page sorted into disk
// order so that reads move forward across the media. Stops when `cancel` is set or `take` returns
// false. Returns the first error loading a page.
Status feed_in_disk_order(casedb::CaseWriter& writer, const std::string& where, const std::atomic<bool>* cancel,
                          const std::function<bool(FileContent&&)>& take, std::size_t page_size = 4096);

// Unallocated space of one evidence, merged: tells whether a deleted file's blocks are still free.
class FreeSpace {
 public:
  static Result<FreeSpace> load(casedb::Database& db, std::int64_t evidence_id);
  void add(std::uint64_t offset, std::uint64_t length);
  void finish();  // after the last add
  bool covers(std::uint64_t offset, std::uint64_t length) const;

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
};

// Whether the content can be read as the file's own, before reading it (file systems that track no
// block allocation, such as ISO 9660, never reuse a file's blocks):
//   "reallocated" (deleted, and its metadata or blocks belong to something else now),
//   "no_content"  (deleted, and the file system no longer says where its content is),
//   "unreadable"  (allocated, but its size is unknown: its metadata could not be read),
//   nothing       (read it).
std::optional<const char*> state_before_reading(const FileContent& file, const FreeSpace& free_space);

// Checks that the runs account for every byte of the content, in order, inside the media.
// On error, `problem_offset` gets the media offset concerned when there is one.
Status validate_runs(const FileContent& file, std::uint64_t media_size, std::optional<std::uint64_t>& problem_offset);

// One file's content as a medium of its own (read through its runs on `media`): so that the media
// hasher's machinery (parallel reads, one thread per digest) serves big files too. The runs must
// have passed validate_runs. Thread-safe like any ImageSource.
std::unique_ptr<image::ImageSource> file_as_media(const image::ImageSource& media, const FileContent& file);

// Reads content in order into a sink. Not thread-safe: one reader per thread, each with the
// evidence's ImageSource (which is).
class ContentReader {
 public:
  // Receives the content in order; an error it returns stops the read and is returned by read().
  using Sink = std::function<Status(std::span<const std::byte>)>;

  ContentReader(const image::ImageSource& source, const std::atomic<bool>* cancel = nullptr);
  ~ContentReader();
  ContentReader(const ContentReader&) = delete;
  ContentReader& operator=(const ContentReader&) = delete;

  // Feeds exactly file.size bytes to `sink`, or fails: Errc::interrupted when cancelled, otherwise
  // an error saying what could not be read. problem_offset() then tells where on the media, if known.
  Status read(const FileContent& file, const Sink& sink);
  std::optional<std::uint64_t> problem_offset() const { return problem_offset_; }

 private:
  Status read_runs(const FileContent& file, const Sink& sink);
  Status read_through_tsk(const FileContent& file, const Sink& sink);
  bool cancelled() const;
  std::uint64_t first_bad_sector(std::uint64_t offset, std::size_t length);

  const image::ImageSource& source_;
  const std::atomic<bool>* cancel_;
  std::vector<std::byte> buffer_;
  std::map<std::uint64_t, std::unique_ptr<fs::TskFileReader>> tsk_;  // by volume offset
  std::optional<std::uint64_t> problem_offset_;
};

}  // namespace ferret::content
