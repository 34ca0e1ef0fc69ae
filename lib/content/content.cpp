#include "content/content.h"

#include <algorithm>

#include "fs/tsk_reader.h"

namespace ferret::content {

using casedb::Database;

namespace {
constexpr std::size_t kReadSize = 1u << 20;  // bytes per read from the evidence
}

Result<std::unique_ptr<image::ImageSource>> reopen_evidence(const std::string& path, std::uint64_t expected_size,
                                                            const image::ImageOpener& open) {
  auto source = open ? open(path) : image::open_image(path);
  if (!source.ok()) return make_error(source.error().code, "cannot be opened: " + source.error().message);
  if ((*source)->size() != expected_size) {
    return make_error(Errc::corrupt, "is " + std::to_string((*source)->size()) + " bytes now, " + std::to_string(expected_size) +
                                         " when it was ingested: not the same evidence");
  }
  return source;
}

Status record_unopened_evidence(Database& db, std::int64_t run_id, std::int64_t evidence_id, const std::string& path,
                                const Error& why) {
  auto insert = db.prepare("INSERT INTO errors(run_id, evidence_id, kind, message) VALUES (?1, ?2, ?3, ?4)");
  if (!insert.ok()) return insert.error();
  insert->bind(1, run_id).bind(2, evidence_id).bind(3, why.code == Errc::corrupt ? "corrupt" : "unreadable")
      .bind(4, path + " " + why.message);
  return insert->run();
}

std::uint64_t FileContent::first_offset() const {
  for (const auto& r : runs) {
    if (r.image_offset) return *r.image_offset;
  }
  return 0;
}

Result<std::vector<FileContent>> load_files(Database& db, const std::string& where, std::int64_t after_file_id,
                                            std::size_t limit) {
  auto files = db.prepare(
      "SELECT f.file_id, f.evidence_id, v.start_offset, f.path, f.name, f.size, f.allocated, f.reallocated, f.encoded, "
      "f.meta_addr, f.attr_type, f.attr_id, coalesce(v.fs_type, '') FROM files f LEFT JOIN volumes v USING (volume_id) "
      "WHERE f.file_id > ?1 AND (" + where + ") ORDER BY f.file_id LIMIT " + std::to_string(limit));
  if (!files.ok()) return files.error();
  files->bind(1, after_file_id);
  std::vector<FileContent> out;
  while (true) {
    auto row = files->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    FileContent f;
    f.file_id = files->column_int(0);
    f.evidence_id = files->column_int(1);
    if (auto v = files->column_optional_int(2)) f.volume_offset = static_cast<std::uint64_t>(*v);
    f.path = files->column_text(3);
    f.name = files->column_text(4);
    f.size = static_cast<std::uint64_t>(std::max<std::int64_t>(files->column_int(5), 0));
    f.size_unknown = !files->column_optional_int(5).has_value();
    f.allocated = files->column_int(6) == 1;
    f.reallocated = files->column_int(7) == 1;
    f.encoded = files->column_int(8) == 1;
    f.meta_addr = static_cast<std::uint64_t>(files->column_int(9));
    if (auto t = files->column_optional_int(10)) f.attr_type = static_cast<int>(*t);
    if (auto i = files->column_optional_int(11)) f.attr_id = static_cast<int>(*i);
    f.fs_type = files->column_text(12);
    out.push_back(std::move(f));
  }
  if (out.empty()) return out;
  auto runs = db.prepare(
      "SELECT file_id, file_offset, image_offset, length FROM file_runs WHERE file_id BETWEEN ?1 AND ?2 ORDER BY file_id, seq");
  if (!runs.ok()) return runs.error();
  runs->bind(1, out.front().file_id).bind(2, out.back().file_id);
  std::size_t at = 0;
  while (true) {
    auto row = runs->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    const std::int64_t id = runs->column_int(0);
    while (at < out.size() && out[at].file_id < id) ++at;
    if (at == out.size()) break;
    if (out[at].file_id != id) continue;  // a file in the id range that was not selected
    Run r;
    r.file_offset = static_cast<std::uint64_t>(runs->column_int(1));
    if (auto off = runs->column_optional_int(2)) r.image_offset = static_cast<std::uint64_t>(*off);
    r.length = static_cast<std::uint64_t>(runs->column_int(3));
    out[at].runs.push_back(r);
  }
  return out;
}

Status feed_in_disk_order(casedb::CaseWriter& writer, const std::string& where, const std::atomic<bool>* cancel,
                          const std::function<bool(FileContent&&)>& take, std::size_t page_size) {
  const auto cancelled = [&] { return cancel != nullptr && cancel->load(std::memory_order_relaxed); };
  std::int64_t after = 0;
  while (!cancelled()) {
    auto page = writer.call<std::vector<FileContent>>([&](Database& db) { return load_files(db, where, after, page_size); });
    if (!page.ok()) return page.error();
    if (page->empty()) return {};
    after = page->back().file_id;
    std::stable_sort(page->begin(), page->end(),
                     [](const FileContent& a, const FileContent& b) { return a.first_offset() < b.first_offset(); });
    for (FileContent& file : *page) {
      if (cancelled() || !take(std::move(file))) return {};
    }
  }
  return {};
}

Result<FreeSpace> FreeSpace::load(Database& db, std::int64_t evidence_id) {
  auto s = db.prepare("SELECT start_offset, length FROM unallocated WHERE evidence_id = ?1");
  if (!s.ok()) return s.error();
  s->bind(1, evidence_id);
  FreeSpace out;
  while (true) {
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.add(static_cast<std::uint64_t>(s->column_int(0)), static_cast<std::uint64_t>(s->column_int(1)));
  }
  out.finish();
  return out;
}

void FreeSpace::add(std::uint64_t offset, std::uint64_t length) { ranges_.emplace_back(offset, offset + length); }

void FreeSpace::finish() {
  std::sort(ranges_.begin(), ranges_.end());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> merged;
  for (const auto& r : ranges_) {
    if (!merged.empty() && r.first <= merged.back().second) merged.back().second = std::max(merged.back().second, r.second);
    else merged.push_back(r);
  }
  ranges_ = std::move(merged);
}

bool FreeSpace::covers(std::uint64_t offset, std::uint64_t length) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), std::make_pair(offset, UINT64_MAX));
  if (it == ranges_.begin()) return false;
  --it;
  return it->first <= offset && offset + length <= it->second;
}

std::optional<const char*> state_before_reading(const FileContent& file, const FreeSpace& free_space) {
  if (file.reallocated) return "reallocated";
  // The walk could not read the metadata of an allocated file (recorded in errors at ingest):
  // reading "size 0" would record the digests of nothing as its content.
  if (file.allocated && file.size_unknown) return "unreadable";
  if (file.allocated) return std::nullopt;
  const bool tracks_allocation = file.fs_type != "iso9660" && file.fs_type != "udf";
  for (const auto& r : file.runs) {
    if (!tracks_allocation) break;
    if (r.image_offset && !free_space.covers(*r.image_offset, r.length)) return "reallocated";
  }
  // A deleted entry with content but no runs and no NTFS attribute to read it from: ext2/3/4 clear
  // a deleted inode's block pointers, so nothing says where the content was.
  if (file.runs.empty() && file.size > 0 && !file.attr_type) return "no_content";
  return std::nullopt;
}

Status validate_runs(const FileContent& file, std::uint64_t media_size, std::optional<std::uint64_t>& problem_offset) {
  std::vector<Run> runs = file.runs;
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.file_offset < b.file_offset; });
  std::uint64_t done = 0;
  for (const Run& r : runs) {
    if (done >= file.size) break;
    if (r.file_offset != done) {
      problem_offset = r.image_offset;
      return make_error(Errc::corrupt, "the recorded data runs leave bytes " + std::to_string(done) + " to " +
                                           std::to_string(r.file_offset) + " of the file unaccounted for");
    }
    const std::uint64_t length = std::min(r.length, file.size - done);
    if (r.image_offset && *r.image_offset + length > media_size) {
      problem_offset = *r.image_offset;
      return make_error(Errc::corrupt, "a data run points past the end of the media (to byte " +
                                           std::to_string(*r.image_offset + length) + " of " + std::to_string(media_size) + ")");
    }
    done += length;
  }
  if (done < file.size) {
    return make_error(Errc::corrupt, "the recorded data runs hold " + std::to_string(done) + " of the file's " +
                                         std::to_string(file.size) + " bytes");
  }
  return {};
}

namespace {

class FileAsMedia final : public image::ImageSource {
 public:
  FileAsMedia(const image::ImageSource& media, const FileContent& file) : media_(media), size_(file.size), runs_(file.runs) {
    std::sort(runs_.begin(), runs_.end(), [](const Run& a, const Run& b) { return a.file_offset < b.file_offset; });
  }
  image::Format format() const override { return media_.format(); }
  std::uint64_t size() const override { return size_; }
  std::uint32_t sector_size() const override { return media_.sector_size(); }
  std::vector<std::filesystem::path> segments() const override { return media_.segments(); }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset >= size_) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    auto it = std::upper_bound(runs_.begin(), runs_.end(), offset, [](std::uint64_t o, const Run& r) { return o < r.file_offset; });
    if (it == runs_.begin()) return make_error(Errc::corrupt, "no data run for byte " + std::to_string(offset));
    --it;
    std::size_t done = 0;
    while (done < want) {
      if (it == runs_.end()) return make_error(Errc::corrupt, "no data run for byte " + std::to_string(offset + done));
      const std::uint64_t at = offset + done;
      const std::uint64_t into = at - it->file_offset;
      if (into >= it->length) {
        ++it;
        continue;
      }
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(want - done, it->length - into));
      auto part = out.subspan(done, n);
      if (!it->image_offset) {
        std::fill(part.begin(), part.end(), std::byte{0});
      } else {
        auto got = media_.read_at(*it->image_offset + into, part);
        if (!got.ok()) return got.error();
        if (*got != n) {
          return make_error(Errc::unreadable, "short read at byte offset " + std::to_string(*it->image_offset + into + *got));
        }
      }
      done += n;
    }
    return done;
  }

 private:
  const image::ImageSource& media_;
  std::uint64_t size_;
  std::vector<Run> runs_;
};

}  // namespace

std::unique_ptr<image::ImageSource> file_as_media(const image::ImageSource& media, const FileContent& file) {
  return std::make_unique<FileAsMedia>(media, file);
}

ContentReader::ContentReader(const image::ImageSource& source, const std::atomic<bool>* cancel)
    : source_(source), cancel_(cancel), buffer_(kReadSize) {}
ContentReader::~ContentReader() = default;

bool ContentReader::cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }

Status ContentReader::read(const FileContent& file, const Sink& sink) {
  problem_offset_.reset();
  if (file.size == 0) return {};
  const bool via_tsk = file.encoded || file.runs.empty();
  return via_tsk ? read_through_tsk(file, sink) : read_runs(file, sink);
}

Status ContentReader::read_runs(const FileContent& file, const Sink& sink) {
  FERRET_TRY(validate_runs(file, source_.size(), problem_offset_));
  std::vector<Run> runs = file.runs;
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.file_offset < b.file_offset; });
  std::uint64_t done = 0;
  for (const Run& r : runs) {
    if (done >= file.size) break;
    const std::uint64_t length = std::min(r.length, file.size - done);
    if (!r.image_offset) {  // sparse: zeros
      std::fill(buffer_.begin(), buffer_.end(), std::byte{0});
      for (std::uint64_t left = length; left > 0;) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer_.size()));
        FERRET_TRY(sink(std::span<const std::byte>(buffer_.data(), n)));
        left -= n;
      }
    } else {
      for (std::uint64_t at = 0; at < length;) {
        if (cancelled()) return make_error(Errc::interrupted, "interrupted");
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(length - at, buffer_.size()));
        auto got = source_.read_at(*r.image_offset + at, std::span(buffer_.data(), n));
        if (!got.ok()) {
          problem_offset_ = first_bad_sector(*r.image_offset + at, n);
          return make_error(got.error().code, "cannot read the media at byte offset " + std::to_string(*problem_offset_) +
                                                  ": " + got.error().message);
        }
        if (*got != n) {
          problem_offset_ = *r.image_offset + at + *got;
          return make_error(Errc::unreadable, "short read at byte offset " + std::to_string(*r.image_offset + at + *got));
        }
        FERRET_TRY(sink(std::span<const std::byte>(buffer_.data(), n)));
        at += n;
      }
    }
    done += length;
  }
  return {};
}

// Where in [offset, offset + length) the media first fails to read, sector by sector (a failed
// read names only where it started; the report should name the damaged sector).
std::uint64_t ContentReader::first_bad_sector(std::uint64_t offset, std::size_t length) {
  const std::uint32_t sector = std::max<std::uint32_t>(source_.sector_size(), 1);
  std::vector<std::byte> one(sector);
  for (std::uint64_t at = offset - offset % sector; at < offset + length; at += sector) {
    if (!source_.read_at(at, one).ok()) return std::max(at, offset);
  }
  return offset;
}

Status ContentReader::read_through_tsk(const FileContent& file, const Sink& sink) {
  if (!file.volume_offset) return make_error(Errc::unsupported, "no file system was recorded for this file");
  auto& reader = tsk_[*file.volume_offset];
  if (!reader) {
    auto opened = fs::TskFileReader::open(source_, *file.volume_offset);
    if (!opened.ok()) return opened.error();
    reader = std::move(*opened);
  }
  auto got = reader->read(file.meta_addr, file.attr_type, file.attr_id, [&](std::span<const std::byte> bytes) -> Status {
    if (cancelled()) return make_error(Errc::interrupted, "interrupted");
    return sink(bytes);
  });
  if (!got.ok()) return got.error();
  if (*got != file.size) {
    return make_error(Errc::corrupt, "The Sleuth Kit gave " + std::to_string(*got) + " bytes of the file's " + std::to_string(file.size));
  }
  return {};
}

}  // namespace ferret::content
