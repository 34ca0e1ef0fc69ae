// Walking a medium with The Sleuth Kit, reading only through our ImageSource.
#include "fs/walk.h"

#include <tsk/libtsk.h>

#include "core/sanitizer.h"
#ifdef FERRET_ASAN
#include <sanitizer/lsan_interface.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/text.h"
#include "fs/tsk_image.h"

namespace ferret::fs {

const char* file_type_name(FileType type) {
  switch (type) {
    case FileType::file: return "file";
    case FileType::dir: return "dir";
    case FileType::symlink: return "symlink";
    case FileType::other: return "other";
  }
  return "other";
}

namespace {

// ---- One file system ----------------------------------------------------------------------------

std::optional<std::string> tsk_time(time_t seconds, std::uint32_t nanos) {
  if (seconds == 0) return std::nullopt;
  return utc_iso8601(seconds, nanos);
}

FileType type_of(const TSK_FS_FILE* file, bool prefer_name, bool& is_virtual) {
  is_virtual = false;
  if (file->meta != nullptr && !prefer_name) {
    switch (file->meta->type) {
      case TSK_FS_META_TYPE_REG: return FileType::file;
      case TSK_FS_META_TYPE_DIR: return FileType::dir;
      case TSK_FS_META_TYPE_LNK: return FileType::symlink;
      case TSK_FS_META_TYPE_VIRT: is_virtual = true; return FileType::file;
      case TSK_FS_META_TYPE_VIRT_DIR: is_virtual = true; return FileType::dir;
      case TSK_FS_META_TYPE_UNDEF: break;
      default: return FileType::other;
    }
  }
  switch (file->name->type) {
    case TSK_FS_NAME_TYPE_REG: return FileType::file;
    case TSK_FS_NAME_TYPE_DIR: return FileType::dir;
    case TSK_FS_NAME_TYPE_LNK: return FileType::symlink;
    case TSK_FS_NAME_TYPE_VIRT: is_virtual = true; return FileType::file;
    case TSK_FS_NAME_TYPE_VIRT_DIR: is_virtual = true; return FileType::dir;
    case TSK_FS_NAME_TYPE_UNDEF:
      if (file->meta != nullptr && !prefer_name) return FileType::other;
      if (file->meta != nullptr) return type_of(file, false, is_virtual);
      return FileType::other;
    default: return FileType::other;
  }
}

class FileSystemWalk {
 public:
  FileSystemWalk(TSK_FS_INFO* fs, int volume_index, WalkVisitor& visitor, const WalkOptions& options,
                 std::atomic<std::uint64_t>& files_seen)
      : fs_(fs), volume_index_(volume_index), visitor_(visitor), options_(options), files_seen_(files_seen) {}

  // Returns false when interrupted.
  bool run(WalkSummary& summary) {
    tsk_error_reset();
    const auto flags = static_cast<TSK_FS_DIR_WALK_FLAG_ENUM>(TSK_FS_DIR_WALK_FLAG_RECURSE | TSK_FS_DIR_WALK_FLAG_ALLOC |
                                                              TSK_FS_DIR_WALK_FLAG_UNALLOC);
    if (tsk_fs_dir_walk(fs_, fs_->root_inum, flags, &FileSystemWalk::on_file, this) != 0 && !interrupted_) {
      report("corrupt", "file system walk stopped early: " + take_tsk_error());
    }
    flush();
    if (interrupted_) return false;
    walk_unallocated();
    summary.files += files_;
    summary.deleted += deleted_;
    summary.problems += problems_;
    return !interrupted_;
  }

 private:
  static TSK_WALK_RET_ENUM on_file(TSK_FS_FILE* file, const char* path, void* ptr) {
    auto* self = static_cast<FileSystemWalk*>(ptr);
    if (self->options_.cancel != nullptr && self->options_.cancel->load(std::memory_order_relaxed)) {
      self->interrupted_ = true;
      return TSK_WALK_STOP;
    }
    if (file->name == nullptr || TSK_FS_ISDOT(file->name->name)) return TSK_WALK_CONT;
    self->add_file(file, path);
    return TSK_WALK_CONT;
  }

  void add_file(TSK_FS_FILE* file, const char* parent_path) {
    FileEntry base;
    const std::string raw_name = file->name->name;
    const std::string raw_path = "/" + std::string(parent_path) + raw_name;
    base.name = escape_invalid_utf8(raw_name);
    base.path = escape_invalid_utf8(raw_path);
    if (base.name != raw_name) base.name_raw = raw_name;
    if (file->name->shrt_name != nullptr && file->name->shrt_name[0] != '\0') base.short_name = escape_invalid_utf8(file->name->shrt_name);
    base.meta_addr = file->name->meta_addr;
    base.allocated = (file->name->flags & TSK_FS_NAME_FLAG_ALLOC) != 0;
    base.orphan = std::strncmp(parent_path, "$OrphanFiles", 12) == 0;
    const TSK_FS_META* meta = file->meta;
    if (meta != nullptr) {
      base.meta_allocated = (meta->flags & TSK_FS_META_FLAG_ALLOC) != 0;
      base.reallocated = !base.allocated && *base.meta_allocated;
      base.size = static_cast<std::uint64_t>(std::max<TSK_OFF_T>(meta->size, 0));
      base.mtime = tsk_time(meta->mtime, meta->mtime_nano);
      base.atime = tsk_time(meta->atime, meta->atime_nano);
      base.ctime = tsk_time(meta->ctime, meta->ctime_nano);
      base.crtime = tsk_time(meta->crtime, meta->crtime_nano);
    }
    base.type = type_of(file, base.reallocated, base.is_virtual);
    if (!base.allocated) ++deleted_;
    if (base.type == FileType::dir && base.allocated && !base.is_virtual) check_cycle(base, parent_path);
    // An allocated name whose metadata entry TSK cannot load (an NTFS record failing its fixup check):
    // its size and content are unknown, not empty.
    if (meta == nullptr && base.allocated && base.meta_addr != 0) {
      const std::string why = why_unloadable(base.meta_addr);
      report_file(base, "its metadata entry " + std::to_string(base.meta_addr) + " cannot be read" + (why.empty() ? "" : ": " + why));
    }

    if (TSK_FS_TYPE_ISNTFS(fs_->ftype) && meta != nullptr) {
      add_ntfs_streams(file, base);
    } else {
      if (base.type == FileType::file || base.type == FileType::symlink) {
        tsk_error_reset();
        if (const TSK_FS_ATTR* attr = tsk_fs_file_attr_get(file)) {
          collect_runs(attr, base);
          std::uint64_t mapped = 0;
          for (const ByteRun& r : base.runs) mapped += r.length;
          if ((attr->flags & TSK_FS_ATTR_NONRES) != 0 && base.allocated && mapped < base.size.value_or(0)) {
            // A cluster chain that loops back or ends early (FAT): the rest is nowhere.
            report_file(base, "the file system maps " + std::to_string(mapped) + " of its " + std::to_string(*base.size) +
                                  " bytes (a block or cluster chain that loops or ends early)");
          }
        } else if (meta != nullptr && base.allocated && base.size.value_or(0) > 0) {
          // A cluster chain that loops or runs off the volume: TSK gives no data at all.
          report_file(base, "its content cannot be located: " + take_tsk_error());
        }
        tsk_error_reset();
        if (!check_holes(base)) report_holes(base);
      }
      push(std::move(base));
    }
  }

  // A directory entry that is one of its own ancestors again (the same metadata address: a FAT
  // subdirectory whose cluster is its parent's, an ext inode linked into its own subtree). TSK lists
  // the entry and does not descend into it, silently; the examiner is told, since it means a corrupt
  // or crafted file system, and that the content below it is listed once, under the first path.
  void check_cycle(const FileEntry& dir, const char* parent_path) {
    const std::string self = "/" + std::string(parent_path);  // "/", "/A/", "/A/B/"
    std::string ancestor;
    if (dir.meta_addr == static_cast<std::uint64_t>(fs_->root_inum)) {
      ancestor = "/";
    } else {
      for (std::size_t end = self.size() - 1; end > 0; end = self.rfind('/', end - 1)) {
        auto it = directories_.find(self.substr(0, end));
        if (it != directories_.end() && it->second == dir.meta_addr) {
          ancestor = it->first;
          break;
        }
      }
    }
    if (ancestor.empty()) {
      directories_.emplace(self + (dir.name_raw ? *dir.name_raw : dir.name), dir.meta_addr);
      return;
    }
    report_file(dir, "a directory cycle: this entry is its ancestor " + escape_invalid_utf8(ancestor) +
                         " again (metadata address " + std::to_string(dir.meta_addr) +
                         "); what it holds is listed once, under " + escape_invalid_utf8(ancestor));
  }

  // One entry per $DATA and $INDEX_ROOT attribute, named streams as "path:stream", as TSK's fls lists them.
  void add_ntfs_streams(TSK_FS_FILE* file, const FileEntry& base) {
    bool any = false;
    tsk_error_reset();
    const int count = tsk_fs_file_attr_getsize(file);
    if (count < 0) {
      FileEntry entry = base;
      entry.size.reset();
      report_file(entry, "the attributes of MFT entry " + std::to_string(base.meta_addr) + " cannot be read: " + take_tsk_error());
      push(std::move(entry));
      return;
    }
    for (int i = 0; i < count; ++i) {
      const TSK_FS_ATTR* attr = tsk_fs_file_attr_get_idx(file, i);
      if (attr == nullptr) continue;
      if (attr->type != TSK_FS_ATTR_TYPE_NTFS_DATA && attr->type != TSK_FS_ATTR_TYPE_NTFS_IDXROOT) continue;
      any = true;
      FileEntry entry = base;
      entry.attr_type = static_cast<int>(attr->type);
      entry.attr_id = static_cast<int>(attr->id);
      const bool named = attr->name != nullptr && attr->name[0] != '\0' &&
                         !(attr->type == TSK_FS_ATTR_TYPE_NTFS_IDXROOT && std::strcmp(attr->name, "$I30") == 0) &&
                         !(attr->type == TSK_FS_ATTR_TYPE_NTFS_DATA && std::strcmp(attr->name, "$Data") == 0);
      if (named) {
        const std::string stream = escape_invalid_utf8(attr->name);
        entry.path += ":" + stream;
        entry.name += ":" + stream;
        if (base.type == FileType::dir) entry.type = FileType::file;  // a stream of a directory is file content
        entry.size = static_cast<std::uint64_t>(std::max<TSK_OFF_T>(attr->size, 0));
      }
      if (attr->type == TSK_FS_ATTR_TYPE_NTFS_DATA) {
        collect_runs(attr, entry);
        if (!check_holes(entry)) report_holes(entry);
      }
      push(std::move(entry));
    }
    tsk_error_reset();
    if (!any) {
      FileEntry entry = base;
      const auto meta_type = file->meta->type;
      if (base.allocated && base.type == FileType::file && (meta_type == TSK_FS_META_TYPE_REG || meta_type == TSK_FS_META_TYPE_UNDEF)) {
        // A regular file's record always holds a $DATA attribute; without one (a failed fixup, a
        // bogus attribute length ending the list early) its content is unknown, not empty.
        entry.size.reset();
        const std::string why = why_unloadable(base.meta_addr);
        report_file(entry, "MFT entry " + std::to_string(base.meta_addr) + " holds no readable $DATA attribute: " +
                               (why.empty() ? std::string("a corrupt attribute list") : why));
      }
      push(std::move(entry));
    }
  }

  // Whether the file's holes (sparse runs) are believable: a file whose holes add up to more than
  // 1 TiB and more than the whole volume is taken for a corrupt size (an ext4 inode claiming 16 TiB
  // on a 4 MiB volume); its hole runs are dropped, so that no reader ever produces terabytes of
  // zeros for it (the runs then account for less than the size, and the content is unreadable).
  bool check_holes(FileEntry& entry) const {
    std::uint64_t holes = 0;
    for (const ByteRun& r : entry.runs) {
      if (!r.image_offset) holes += r.length;
    }
    const std::uint64_t volume = static_cast<std::uint64_t>(fs_->block_count) * fs_->block_size;
    if (holes <= (std::uint64_t{1} << 40) || holes <= volume) return true;
    std::erase_if(entry.runs, [](const ByteRun& r) { return !r.image_offset; });
    return false;
  }

  void report_holes(const FileEntry& entry) {
    report_file(entry, "claims " + std::to_string(entry.size.value_or(0)) + " bytes, most of them holes no data block backs "
                       "(more than the volume holds): the size is not believed and the content not read");
  }

  // TSK's reason for failing to load a metadata entry (the directory walk does not keep it).
  std::string why_unloadable(std::uint64_t meta_addr) {
    tsk_error_reset();
    FilePtr again(tsk_fs_file_open_meta(fs_, nullptr, static_cast<TSK_INUM_T>(meta_addr)));
    std::string why = again ? std::string() : take_tsk_error();
    tsk_error_reset();
    return why;
  }

  void report_file(const FileEntry& entry, const std::string& what) {
    ++problems_;
    visitor_.on_problem(volume_index_, Problem{"corrupt", entry.path + ": " + what, static_cast<std::uint64_t>(fs_->offset)});
  }

  void collect_runs(const TSK_FS_ATTR* attr, FileEntry& entry) {
    if ((attr->flags & TSK_FS_ATTR_NONRES) == 0) return;  // resident: the bytes live inside the metadata record
    if ((attr->flags & (TSK_FS_ATTR_COMP | TSK_FS_ATTR_ENC)) != 0) entry.encoded = true;
    const std::uint64_t block = fs_->block_size;
    const std::uint64_t size = static_cast<std::uint64_t>(std::max<TSK_OFF_T>(attr->size, 0));
    // NTFS: bytes past the initialized size read as zeros whatever the clusters hold ($BadClus:$Bad
    // has none initialized). They are recorded as one sparse run.
    const std::uint64_t initialized =
        std::min(size, static_cast<std::uint64_t>(std::max<TSK_OFF_T>(attr->nrd.initsize, 0)));
    const std::uint64_t readable = (TSK_FS_TYPE_ISNTFS(fs_->ftype) && attr->nrd.initsize >= 0) ? initialized : size;
    for (const TSK_FS_ATTR_RUN* run = attr->nrd.run; run != nullptr; run = run->next) {
      if (run->flags & TSK_FS_ATTR_RUN_FLAG_FILLER) continue;
      ByteRun out;
      out.file_offset = run->offset * block;
      if (out.file_offset >= readable) break;
      out.length = std::min<std::uint64_t>(run->len * block, readable - out.file_offset);
      if ((run->flags & TSK_FS_ATTR_RUN_FLAG_SPARSE) == 0) {
        out.image_offset = static_cast<std::uint64_t>(fs_->offset) + run->addr * block;
      }
      entry.runs.push_back(out);
    }
    if (readable < size) entry.runs.push_back(ByteRun{readable, std::nullopt, size - readable});
  }

  void push(FileEntry&& entry) {
    batch_.push_back(std::move(entry));
    ++files_;
    if (batch_.size() >= options_.batch_size) flush();
  }

  void flush() {
    if (batch_.empty()) return;
    const auto n = batch_.size();
    visitor_.on_files(volume_index_, std::move(batch_));
    batch_ = {};
    batch_.reserve(options_.batch_size);
    const auto seen = files_seen_.fetch_add(n) + n;
    if (options_.progress) options_.progress(seen);
  }

  void report(const std::string& kind, const std::string& message) {
    ++problems_;
    visitor_.on_problem(volume_index_, Problem{kind, message, static_cast<std::uint64_t>(fs_->offset)});
  }

  // Unallocated blocks, coalesced into byte ranges of the media.
  void walk_unallocated() {
    struct Collector {
      FileSystemWalk* self;
      std::vector<Range> ranges;
      TSK_DADDR_T next = 0;
      bool open = false;
    } collector{this, {}, 0, false};
    auto on_block = [](const TSK_FS_BLOCK* block, void* ptr) -> TSK_WALK_RET_ENUM {
      auto* c = static_cast<Collector*>(ptr);
      const auto* o = c->self->options_.cancel;
      if (o != nullptr && o->load(std::memory_order_relaxed)) {
        c->self->interrupted_ = true;
        return TSK_WALK_STOP;
      }
      const std::uint64_t bs = c->self->fs_->block_size;
      if (c->open && block->addr == c->next) {
        c->ranges.back().length += bs;
      } else {
        c->ranges.push_back({static_cast<std::uint64_t>(c->self->fs_->offset) + block->addr * bs, bs});
        c->open = true;
      }
      c->next = block->addr + 1;
      if (c->ranges.size() >= 4096) {
        // Keep the last (possibly growing) range; hand over the rest.
        Range last = c->ranges.back();
        c->ranges.pop_back();
        c->self->visitor_.on_unallocated(c->self->volume_index_, std::move(c->ranges));
        c->ranges = {last};
      }
      return TSK_WALK_CONT;
    };
    tsk_error_reset();
    const auto flags = static_cast<TSK_FS_BLOCK_WALK_FLAG_ENUM>(TSK_FS_BLOCK_WALK_FLAG_UNALLOC | TSK_FS_BLOCK_WALK_FLAG_AONLY);
    if (tsk_fs_block_walk(fs_, fs_->first_block, fs_->last_block, flags, on_block, &collector) != 0 && !interrupted_) {
      report("corrupt", "unallocated-space walk stopped early: " + take_tsk_error());
    }
    if (!collector.ranges.empty()) visitor_.on_unallocated(volume_index_, std::move(collector.ranges));
  }

  TSK_FS_INFO* fs_;
  int volume_index_;
  WalkVisitor& visitor_;
  const WalkOptions& options_;
  std::atomic<std::uint64_t>& files_seen_;
  std::vector<FileEntry> batch_;
  // Every allocated directory's raw path ("/A/B") and metadata address, for check_cycle.
  std::unordered_map<std::string, std::uint64_t> directories_;
  std::uint64_t files_ = 0, deleted_ = 0, problems_ = 0;
  bool interrupted_ = false;
};

// ---- Volumes ------------------------------------------------------------------------------------

struct OpenVolume {
  VolumeInfo info;
  FsPtr fs;
  bool past_end = false;  // a partition that starts past the end of the media: listed, nothing to read
};

OpenVolume open_volume(TSK_IMG_INFO* img, const TSK_VS_PART_INFO* part, int index, std::uint64_t start, std::uint64_t length) {
  OpenVolume v;
  v.info.index = index;
  v.info.start_offset = start;
  v.info.length = length;
  tsk_error_reset();
  TSK_FS_INFO* fs = part != nullptr ? tsk_fs_open_vol(part, TSK_FS_TYPE_DETECT)
                                    : tsk_fs_open_img(img, 0, TSK_FS_TYPE_DETECT);
  if (fs == nullptr) {
    v.info.fs_error = take_tsk_error();
  } else {
    v.fs.reset(fs);
    v.info.fs_type = tsk_fs_type_toname(fs->ftype);
    v.info.block_size = fs->block_size;
  }
  return v;
}

}  // namespace

// FAT (and other local-time file systems) store wall-clock times without a zone; TSK converts them
// with the process's local time zone. A result must not depend on the examiner's TZ setting, so the
// process runs in UTC: such times are recorded as the stored wall clock, labelled UTC.
void pin_time_zone_to_utc() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  });
}

// tsk_vs_open's autodetection (libtsk 4.11 tsk/vs/mm_open.c) leaks the protective-MBR DOS volume
// system of every GPT disk: it forgets it (`vs_set = NULL`) without closing it, and we never see that
// pointer. In a LeakSanitizer build the allocations made inside this one call are exempt from the leak
// check (a scoped exemption instead of a suppression: libtsk has no frame pointers, so a suppression
// would need the slow unwinder on every malloc of the suite). The volume system it returns is closed by
// VsPtr as always.
namespace {
TSK_VS_INFO* open_volume_system(TSK_IMG_INFO* img) {
#ifdef FERRET_ASAN
  __lsan::ScopedDisabler libtsk_gpt_leak;
#endif
  return tsk_vs_open(img, 0, TSK_VS_TYPE_DETECT);
}
}  // namespace

Result<WalkSummary> walk_media(const image::ImageSource& source, WalkVisitor& visitor, const WalkOptions& options) {
  pin_time_zone_to_utc();
  auto img = open_tsk_image(source);
  if (!img.ok()) return img.error();
  WalkSummary summary;
  std::vector<OpenVolume> volumes;
  std::vector<Range> outside;  // media no partition claims

  tsk_error_reset();
  VsPtr vs(open_volume_system(img->get()));
  if (vs) {
    const std::uint64_t bs = vs->block_size;
    for (TSK_PNUM_T i = 0; i < vs->part_count; ++i) {
      const TSK_VS_PART_INFO* part = tsk_vs_part_get(vs.get(), i);
      if (part == nullptr) continue;
      const std::uint64_t start = static_cast<std::uint64_t>(vs->offset) + part->start * bs;
      std::uint64_t length = part->len * bs;
      const std::string desc = part->desc != nullptr ? part->desc : "";
      const std::string slot = std::to_string(part->table_num) + ":" + std::to_string(part->slot_num);
      const bool is_partition = (part->flags & TSK_VS_PART_FLAG_ALLOC) != 0;
      if (start >= source.size()) {
        // TSK's own gaps past the end are nothing; a partition table entry there is a finding, and
        // the partition is still listed (the table says it exists), with nothing to read.
        if (!is_partition) continue;
        const std::string why = "partition " + slot + " (" + desc + ") starts at byte " + std::to_string(start) +
                                ", past the end of the media (" + std::to_string(source.size()) + " bytes)";
        OpenVolume v;
        v.info.index = static_cast<int>(volumes.size());
        v.info.start_offset = start;
        v.info.length = length;
        v.info.description = desc;
        v.info.slot = slot;
        v.info.fs_error = why;
        v.past_end = true;
        volumes.push_back(std::move(v));
        continue;
      }
      if (is_partition && length > source.size() - start) {
        visitor.on_problem(std::nullopt, {"corrupt", "partition " + slot + " (" + desc + ") runs past the end of the media: it claims " +
                                                         std::to_string(length) + " bytes from byte " + std::to_string(start) + ", " +
                                                         std::to_string(source.size() - start) + " of them are there", start});
        ++summary.problems;
      }
      length = std::min<std::uint64_t>(length, source.size() - start);
      if (part->flags & TSK_VS_PART_FLAG_UNALLOC) {
        outside.push_back({start, length});
      } else if (part->flags & TSK_VS_PART_FLAG_ALLOC) {
        OpenVolume v = open_volume(img->get(), part, static_cast<int>(volumes.size()), start, length);
        v.info.description = desc;
        v.info.slot = slot;
        volumes.push_back(std::move(v));
      }
    }
  }
  if (std::all_of(volumes.begin(), volumes.end(), [](const OpenVolume& v) { return v.past_end; })) {
    // No volume system (or one without partitions inside the media): a bare file system, or nothing TSK knows.
    outside.clear();
    if (!vs) tsk_error_reset();
    OpenVolume v = open_volume(img->get(), nullptr, static_cast<int>(volumes.size()), 0, source.size());
    v.info.description = "whole media";
    volumes.push_back(std::move(v));
  }

  for (auto& v : volumes) {
    visitor.on_volume(v.info);
    ++summary.volumes;
    if (v.fs) {
      ++summary.file_systems;
    } else if (v.past_end) {
      visitor.on_problem(v.info.index, {"corrupt", *v.info.fs_error, v.info.start_offset});
      ++summary.problems;
    } else {
      visitor.on_problem(v.info.index, {"unsupported", "no file system recognised at byte offset " +
                                                           std::to_string(v.info.start_offset) + ": " +
                                                           v.info.fs_error.value_or(""), v.info.start_offset});
      ++summary.problems;
      visitor.on_unallocated(v.info.index, {{v.info.start_offset, v.info.length}});
    }
  }
  if (!outside.empty()) visitor.on_unallocated(std::nullopt, std::move(outside));

  // File systems are walked in parallel, one thread each (TSK_FS_INFO is not shared between threads).
  std::vector<OpenVolume*> todo;
  for (auto& v : volumes) {
    if (v.fs) todo.push_back(&v);
  }
  std::atomic<std::uint64_t> files_seen{0};
  std::atomic<std::size_t> next{0};
  std::atomic<bool> interrupted{false};
  std::mutex summary_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < todo.size(); i = next++) {
      WalkSummary part;
      FileSystemWalk walk(todo[i]->fs.get(), todo[i]->info.index, visitor, options, files_seen);
      const bool done = walk.run(part);
      std::lock_guard lock(summary_mutex);
      summary.files += part.files;
      summary.deleted += part.deleted;
      summary.problems += part.problems;
      if (!done) interrupted = true;
    }
  };
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t nthreads = std::min<std::size_t>(todo.size(), options.threads != 0 ? options.threads : hw);
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < nthreads; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (interrupted) return make_error(Errc::interrupted, "walk interrupted");
  return summary;
}

}  // namespace ferret::fs
