// Walking a medium with The Sleuth Kit: volumes, file systems, every file (deleted and orphan
// included) with its byte runs on the media, and the space no file system claims.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "image/image_source.h"

namespace ferret::fs {

struct VolumeInfo {
  int index = 0;                     // 0-based, in media order
  std::uint64_t start_offset = 0;    // bytes
  std::uint64_t length = 0;          // bytes
  std::string description;           // partition description, "whole media" for a bare file system
  std::optional<std::string> slot;   // "table:slot" for partitions
  std::optional<std::string> fs_type;  // TSK's name: ntfs, fat32, ext4, iso9660, hfs ...
  std::uint32_t block_size = 0;
  std::optional<std::string> fs_error;  // why no file system was opened
};

struct ByteRun {
  std::uint64_t file_offset = 0;
  std::optional<std::uint64_t> image_offset;  // none for sparse runs
  std::uint64_t length = 0;
};

enum class FileType { file, dir, symlink, other };
const char* file_type_name(FileType type);  // "file", "dir", "symlink", "other"

struct FileEntry {
  std::string path;                     // "/dir/name", NTFS streams "/dir/name:stream"; invalid UTF-8 escaped
  std::string name;
  std::optional<std::string> name_raw;  // original bytes when the name is not valid UTF-8
  std::optional<std::string> short_name;
  std::uint64_t meta_addr = 0;
  std::optional<int> attr_type;         // NTFS only
  std::optional<int> attr_id;
  FileType type = FileType::other;
  std::optional<std::uint64_t> size;
  bool allocated = false;               // the name, as TSK reports it
  std::optional<bool> meta_allocated;
  bool reallocated = false;
  bool orphan = false;
  bool is_virtual = false;
  bool encoded = false;                 // the runs hold compressed or encrypted bytes: decode through TSK
  std::optional<std::string> mtime, atime, ctime, crtime;
  std::vector<ByteRun> runs;
};

struct Range {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct Problem {
  std::string kind;  // "corrupt", "unreadable", "unsupported"
  std::string message;
  std::optional<std::uint64_t> image_offset;
};

// Receives what the walk finds. Volumes arrive first, in order, on the calling thread; files,
// unallocated ranges and problems may then arrive from several threads at once (one per volume).
class WalkVisitor {
 public:
  virtual ~WalkVisitor() = default;
  virtual void on_volume(const VolumeInfo& volume) = 0;
  virtual void on_files(int volume_index, std::vector<FileEntry>&& files) = 0;
  // volume_index is empty for media outside every partition.
  virtual void on_unallocated(std::optional<int> volume_index, std::vector<Range>&& ranges) = 0;
  virtual void on_problem(std::optional<int> volume_index, const Problem& problem) = 0;
};

struct WalkOptions {
  std::size_t batch_size = 2000;
  unsigned threads = 0;  // volumes walked at once; 0 = sized to the machine
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(std::uint64_t files_seen)> progress;  // from worker threads
};

struct WalkSummary {
  int volumes = 0;
  int file_systems = 0;
  std::uint64_t files = 0;
  std::uint64_t deleted = 0;  // entries whose name is not allocated
  std::uint64_t problems = 0;
};

// Walks every volume system and file system TSK recognises on `source`.
// Errors are only for the walk itself failing (interrupted, TSK unable to start); damaged
// evidence is reported through on_problem and the walk goes on.
Result<WalkSummary> walk_media(const image::ImageSource& source, WalkVisitor& visitor, const WalkOptions& options = {});

}  // namespace ferret::fs
