// Extraction: select, plan safe output names, write each file relative to the directory above it,
// read it back and verify it, record it.
#include "extract/extract.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "content/content.h"
#include "core/bounded_queue.h"
#include "core/text.h"
#include "hash/digest.h"
#include "image/image_source.h"

namespace ferret::extract {

using casedb::CaseWriter;
using casedb::Database;

namespace {

constexpr std::size_t kMaxProblems = 100;   // problem lines kept in the summary
constexpr int kMaxNameAttempts = 100;       // "~<file_id>", "~<file_id>-2", ... before giving up
constexpr mode_t kDirectoryMode = 0750;     // extracted content is evidence: not for other users,
constexpr mode_t kFileMode = 0440;          // and copies are read-only
constexpr std::size_t kReadBackSize = 1u << 20;

std::string errno_text(int err) { return std::strerror(err); }

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes and reports what close() said (a late write error surfaces here).
  int close() { return ::close(std::exchange(fd_, -1)) == 0 ? 0 : errno; }
  void reset() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

std::string join(const std::vector<std::string>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out;
}

// One row the selection matched.
struct Selected {
  std::int64_t file_id = 0;
  bool exists = false;
  std::string type;
  std::optional<std::string> state;
  std::string sha256;
  std::int64_t evidence_id = 0;
  std::optional<std::uint64_t> volume_offset;
  std::string path;
  std::string name;
  std::optional<std::string> name_raw;  // the name's own bytes when they are not UTF-8 (name escapes them)
  std::uint64_t size = 0;
};

// One file to write, and where.
struct Planned {
  std::int64_t file_id = 0;
  std::int64_t evidence_id = 0;
  std::optional<std::uint64_t> volume_offset;
  std::string path, name, sha256;
  std::uint64_t size = 0;
  std::vector<std::string> dirs;  // e<id>, v<offset>, sanitised parent components
  std::string base;               // the sanitised name
  std::string leaf;               // the name planned: `base`, or with "~<file_id>" when another needs it
};

struct Evidence {
  std::int64_t id = 0;
  std::string path;
  std::uint64_t size = 0;
};

Result<std::vector<Selected>> load_selection(Database& db, const std::vector<std::int64_t>& ids) {
  FERRET_TRY(db.exec("CREATE TEMP TABLE IF NOT EXISTS extract_selection(file_id INTEGER PRIMARY KEY); "
                     "DELETE FROM temp.extract_selection;"));
  auto insert = db.prepare("INSERT OR IGNORE INTO temp.extract_selection(file_id) VALUES (?1)");
  if (!insert.ok()) return insert.error();
  FERRET_TRY(db.exec("BEGIN"));
  for (std::int64_t id : ids) {
    insert->bind(1, id);
    Status s = insert->run();
    if (!s.ok()) {
      (void)db.exec("ROLLBACK");
      return s.error();
    }
  }
  FERRET_TRY(db.exec("COMMIT"));
  auto s = db.prepare(
      "SELECT s.file_id, f.file_id IS NOT NULL, coalesce(f.type, ''), f.content_state, coalesce(f.sha256, ''), "
      "coalesce(f.evidence_id, 0), v.start_offset, coalesce(f.path, ''), coalesce(f.name, ''), coalesce(f.size, 0), "
      "CAST(f.name_raw AS TEXT) "
      "FROM temp.extract_selection s LEFT JOIN files f ON f.file_id = s.file_id "
      "LEFT JOIN volumes v ON v.volume_id = f.volume_id ORDER BY s.file_id");
  if (!s.ok()) return s.error();
  std::vector<Selected> out;
  while (true) {
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    Selected r;
    r.file_id = s->column_int(0);
    r.exists = s->column_int(1) == 1;
    r.type = s->column_text(2);
    r.state = s->column_optional_text(3);
    r.sha256 = s->column_text(4);
    r.evidence_id = s->column_int(5);
    if (auto v = s->column_optional_int(6)) r.volume_offset = static_cast<std::uint64_t>(*v);
    r.path = s->column_text(7);
    r.name = s->column_text(8);
    r.size = static_cast<std::uint64_t>(std::max<std::int64_t>(s->column_int(9), 0));
    r.name_raw = s->column_optional_text(10);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<Evidence>> load_evidence(Database& db) {
  auto s = db.prepare(
      "SELECT evidence_id, path, size FROM evidence WHERE evidence_id IN "
      "(SELECT f.evidence_id FROM files f JOIN temp.extract_selection USING (file_id)) ORDER BY evidence_id");
  if (!s.ok()) return s.error();
  std::vector<Evidence> out;
  while (true) {
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back({s->column_int(0), s->column_text(1), static_cast<std::uint64_t>(s->column_int(2))});
  }
  return out;
}

// The n-th other name of a file: "~<file_id>", then "~<file_id>-2", ... before the extension.
std::string suffixed(const Planned& p, int n) {
  return with_suffix(p.base, "~" + std::to_string(p.file_id) + (n > 1 ? "-" + std::to_string(n) : ""));
}

// Names every file in a fixed order (evidence, volume, path, id) so that the same selection gives
// the same tree: a name that another file's directory needs, or that an earlier file took, gets
// "~<file_id>" before its extension.
void plan_names(std::vector<Planned>& planned) {
  std::sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) {
    return std::tie(a.evidence_id, a.volume_offset, a.path, a.file_id) < std::tie(b.evidence_id, b.volume_offset, b.path, b.file_id);
  });
  std::unordered_set<std::string> directories;
  for (const Planned& p : planned) {
    for (std::size_t n = 1; n <= p.dirs.size(); ++n) directories.insert(join(p.dirs, n));
  }
  std::unordered_set<std::string> taken;
  for (Planned& p : planned) {
    const std::string dir = join(p.dirs, p.dirs.size()) + "/";
    std::string leaf = p.base;
    for (int n = 1; directories.count(dir + leaf) || taken.count(dir + leaf); ++n) leaf = suffixed(p, n);
    taken.insert(dir + leaf);
    p.leaf = std::move(leaf);
  }
}

// Opens (creating what is missing) each directory of `dirs` below `root`, one component at a time,
// never following a symbolic link: whatever else already stands at a name is refused.
Result<Fd> open_directories(int root, const std::vector<std::string>& dirs) {
  Fd current;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    const int parent = current.valid() ? current.get() : root;
    if (::mkdirat(parent, dirs[i].c_str(), kDirectoryMode) != 0 && errno != EEXIST) {
      return make_error(Errc::io, "cannot create directory " + display_text(join(dirs, i + 1)) + ": " + errno_text(errno));
    }
    const int fd = ::openat(parent, dirs[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      if (err == ELOOP || err == ENOTDIR) {
        return make_error(Errc::exists, display_text(join(dirs, i + 1)) +
                                            " in the output directory is a symbolic link or a file, not a directory: "
                                            "not followed, nothing written through it (extract into a new directory)");
      }
      return make_error(Errc::io, "cannot open directory " + display_text(join(dirs, i + 1)) + ": " + errno_text(err));
    }
    current = Fd(fd);
  }
  return current;
}

bool write_all(int fd, std::span<const std::byte> bytes, int& err) {
  const std::byte* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

bool all_zero(std::span<const std::byte> bytes) {
  return !bytes.empty() && bytes[0] == std::byte{0} && std::memcmp(bytes.data(), bytes.data() + 1, bytes.size() - 1) == 0;
}

struct Outcome {
  enum class Kind { written, failed, interrupted };
  Kind kind = Kind::failed;
  std::size_t plan_index = 0;
  ExtractedFile row;
  bool renamed = false;
  bool directory_problem = false;  // the same for every file below that directory: reported once
  // A problem of the evidence itself (not of the output disk): also an `errors` row against the file.
  // "unreadable": its content cannot be read now; "corrupt": it reads with another SHA-256 than recorded.
  const char* evidence_kind = nullptr;
  std::string problem;
};

class Worker {
 public:
  Worker(const image::ImageSource& source, int root, const std::atomic<bool>* cancel)
      : root_(root), cancel_(cancel), reader_(source, cancel) {}

  Outcome process(const content::FileContent& file, const Planned& plan, std::size_t plan_index) {
    Outcome out;
    out.plan_index = plan_index;
    if (cancelled()) {
      out.kind = Outcome::Kind::interrupted;
      return out;
    }
    auto dir = open_directories(root_, plan.dirs);
    if (!dir.ok()) {
      out.directory_problem = true;
      return failure(out, dir.error().message);
    }
    auto created = create(dir->get(), plan);
    if (!created.ok()) return failure(out, created.error().message);
    // Named references, not a structured binding: clang 14 cannot capture a binding in a lambda.
    Fd& fd = created->first;
    const std::string& leaf = created->second;
    const std::string rel = join(plan.dirs, plan.dirs.size()) + "/" + leaf;
    // Nothing that looks complete is left behind: an incomplete copy is removed (empty `why`: interrupted).
    auto discard = [&](const std::string& why) -> Outcome& {
      fd.reset();
      ::unlinkat(dir->get(), leaf.c_str(), 0);
      if (!why.empty()) return failure(out, why);
      out.kind = Outcome::Kind::interrupted;
      return out;
    };

    hash::Digest written_digest(hash::Algorithm::sha256);
    std::uint64_t written = 0;
    int write_errno = 0;
    Status read = reader_.read(file, [&](std::span<const std::byte> bytes) -> Status {
      // Zeros become a hole, as cp --sparse does: NTFS's $BadClus:$Bad is as large as its volume.
      bool ok = true;
      if (!all_zero(bytes)) {
        ok = write_all(fd.get(), bytes, write_errno);
      } else if (::lseek(fd.get(), static_cast<off_t>(bytes.size()), SEEK_CUR) < 0) {
        write_errno = errno;
        ok = false;
      }
      if (!ok) return make_error(Errc::io, "write failed");  // write_errno tells why
      written_digest.update(bytes);
      written += bytes.size();
      return {};
    });
    if (write_errno != 0) return discard("cannot write " + display_text(rel) + ": " + errno_text(write_errno));
    if (!read.ok() && read.error().code == Errc::interrupted) return discard("");
    if (!read.ok()) {
      out.evidence_kind = "unreadable";
      return discard("the content cannot be read from the evidence now: " + read.error().message);
    }
    if (written != file.size) {
      out.evidence_kind = "unreadable";
      return discard("read " + std::to_string(written) + " of " + std::to_string(file.size) + " bytes from the evidence");
    }
    if (::ftruncate(fd.get(), static_cast<off_t>(written)) != 0) {  // a final hole
      return discard("cannot write " + display_text(rel) + ": " + errno_text(errno));
    }
    // On the storage before it is read back: a write-back failure surfaces here, not later.
    if (::fsync(fd.get()) != 0) return discard("cannot flush " + display_text(rel) + " to disk: " + errno_text(errno));
    struct stat written_stat {};
    if (::fstat(fd.get(), &written_stat) != 0) return discard("cannot stat " + display_text(rel) + ": " + errno_text(errno));
    if (const int err = fd.close(); err != 0) return discard("cannot close " + display_text(rel) + ": " + errno_text(err));
    const std::string written_sha256 = written_digest.finish_hex();

    // Read back what the disk now holds (dropping cached pages first), from the same inode.
    Fd back(::openat(dir->get(), leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    struct stat back_stat {};
    if (!back.valid() || ::fstat(back.get(), &back_stat) != 0 || back_stat.st_ino != written_stat.st_ino ||
        back_stat.st_dev != written_stat.st_dev) {
      return failure(out, display_text(rel) + " was written but cannot be read back as the same file");
    }
    (void)::posix_fadvise(back.get(), 0, 0, POSIX_FADV_DONTNEED);
    hash::Digest back_digest(hash::Algorithm::sha256);
    std::uint64_t back_size = 0;
    for (;;) {
      const ssize_t n = ::read(back.get(), buffer_.data(), buffer_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        back.reset();
        ::unlinkat(dir->get(), leaf.c_str(), 0);
        return failure(out, "cannot read back " + display_text(rel) + ": " + errno_text(err));
      }
      if (n == 0) break;
      back_digest.update(std::span<const std::byte>(buffer_.data(), static_cast<std::size_t>(n)));
      back_size += static_cast<std::uint64_t>(n);
    }

    out.kind = Outcome::Kind::written;
    out.renamed = leaf != plan.base;
    out.row.file_id = plan.file_id;
    out.row.evidence_id = plan.evidence_id;
    out.row.original_path = plan.path;
    out.row.name = plan.name;
    out.row.output_path = rel;
    out.row.size = back_size;
    out.row.sha256 = back_digest.finish_hex();
    out.row.verified = out.row.sha256 == plan.sha256 && back_size == plan.size;
    if (!out.row.verified) {
      if (written_sha256 != plan.sha256) out.evidence_kind = "corrupt";
      out.problem = written_sha256 != plan.sha256
                        ? "the content read from the evidence now has SHA-256 " + written_sha256 + ", not the recorded " +
                              plan.sha256 + " (has the evidence changed since it was hashed?)"
                        : "the copy reads back from disk with SHA-256 " + out.row.sha256 + ", not " + plan.sha256 +
                              " (a storage problem on the output disk)";
    }
    return out;
  }

 private:
  bool cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }

  static Outcome& failure(Outcome& out, const std::string& why) {
    out.kind = Outcome::Kind::failed;
    out.problem = why;
    return out;
  }

  // Creates the file new: the planned name, else "~<file_id>" forms of it; never an existing entry.
  Result<std::pair<Fd, std::string>> create(int dir, const Planned& plan) {
    std::vector<std::string> tried;
    std::string leaf = plan.leaf;
    int suffix = 0;
    for (int attempt = 0; attempt < kMaxNameAttempts; ++attempt) {
      const int fd = ::openat(dir, leaf.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, kFileMode);
      if (fd >= 0) return std::make_pair(Fd(fd), leaf);
      if (errno != EEXIST) {
        return make_error(Errc::io, "cannot create " + display_text(join(plan.dirs, plan.dirs.size()) + "/" + leaf) + ": " +
                                        errno_text(errno));
      }
      tried.push_back(leaf);
      while (std::find(tried.begin(), tried.end(), leaf) != tried.end()) leaf = suffixed(plan, ++suffix);
    }
    return make_error(Errc::exists, "every name tried for " + display_text(plan.leaf) + " is taken in " +
                                        display_text(join(plan.dirs, plan.dirs.size())));
  }

  int root_;
  const std::atomic<bool>* cancel_;
  content::ContentReader reader_;
  std::vector<std::byte> buffer_ = std::vector<std::byte>(kReadBackSize);
};

Status store(Database& db, const std::vector<ExtractedFile>& batch, std::int64_t run_id) {
  auto insert = db.prepare(
      "INSERT INTO extractions(run_id, file_id, output_path, size, sha256, verified) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert.ok()) return insert.error();
  return casedb::all_or_nothing(db, "extractions", [&]() -> Status {
    for (const ExtractedFile& f : batch) {
      insert->bind(1, run_id).bind(2, f.file_id).bind(3, f.output_path).bind(4, static_cast<std::int64_t>(f.size))
          .bind(5, f.sha256).bind(6, std::int64_t{f.verified ? 1 : 0});
      FERRET_TRY(insert->run());
    }
    return {};
  });
}

std::string manifest_text(const std::vector<ExtractedFile>& files) {
  std::string out = "\xef\xbb\xbf";  // UTF-8 byte order mark: spreadsheets then read the names right
  out += "file_id,evidence_id,original_path,output_path,size,sha256,verified,name\r\n";
  for (const ExtractedFile& f : files) {
    out += std::to_string(f.file_id) + "," + std::to_string(f.evidence_id) + "," + csv_field(f.original_path) + "," +
           csv_field(f.output_path) + "," + std::to_string(f.size) + "," + f.sha256 + "," + (f.verified ? "1" : "0") + "," +
           csv_field(f.name) + "\r\n";
  }
  return out;
}

// Writes ferret-extract-<run_id>.csv (or -2, -3 ... when that name is taken) into the output directory.
Status write_manifest(int root, std::int64_t run_id, ExtractSummary& summary) {
  const std::string text = manifest_text(summary.files);
  for (int attempt = 1; attempt <= kMaxNameAttempts; ++attempt) {
    const std::string name = "ferret-extract-" + std::to_string(run_id) + (attempt > 1 ? "-" + std::to_string(attempt) : "") + ".csv";
    Fd fd(::openat(root, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, kFileMode));
    if (!fd.valid()) {
      if (errno == EEXIST) continue;
      return make_error(Errc::io, "cannot create the manifest " + name + ": " + errno_text(errno));
    }
    int err = 0;
    if (!write_all(fd.get(), std::as_bytes(std::span(text.data(), text.size())), err) || ::fsync(fd.get()) != 0 ||
        (err = fd.close()) != 0) {
      if (err == 0) err = errno;
      ::unlinkat(root, name.c_str(), 0);
      return make_error(Errc::io, "cannot write the manifest " + name + ": " + errno_text(err));
    }
    hash::Digest digest(hash::Algorithm::sha256);
    digest.update(std::as_bytes(std::span(text.data(), text.size())));
    summary.manifest = name;
    summary.manifest_sha256 = digest.finish_hex();
    return {};
  }
  return make_error(Errc::exists, "every manifest name for run " + std::to_string(run_id) + " is taken");
}

// Creates the output directory when missing and opens it (the directory the user named may be a
// link; nothing below it is followed).
Result<Fd> open_output(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(Errc::io, "cannot create the output directory " + dir.string() + ": " + ec.message());
  }
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOTDIR) return make_error(Errc::invalid_argument, dir.string() + " exists and is not a directory");
    return make_error(Errc::io, "cannot open the output directory " + dir.string() + ": " + errno_text(errno));
  }
  return fd;
}

void add_problem(ExtractSummary& summary, std::uint64_t& dropped, std::string line) {
  if (summary.problems.size() < kMaxProblems) summary.problems.push_back(std::move(line));
  else ++dropped;
}

std::string file_label(std::int64_t file_id, const std::string& path) {
  return "file " + std::to_string(file_id) + " (" + display_text(path) + ")";
}

}  // namespace

Result<std::vector<std::int64_t>> select_files(const std::filesystem::path& db_path, const std::string& condition,
                                               const std::atomic<bool>* cancel) {
  if (condition.find_first_not_of(" \t\r\n") == std::string::npos) {
    return make_error(Errc::invalid_argument, "--where needs a condition on files, e.g. --where \"path LIKE '/Users/%'\"");
  }
  auto db = Database::open(db_path, Database::Mode::read_only);
  if (!db.ok()) return db.error();
  FERRET_TRY(db->exec("PRAGMA query_only = ON"));
  if (cancel != nullptr) {
    sqlite3_progress_handler(
        db->handle(), 10000,
        [](void* flag) -> int { return static_cast<const std::atomic<bool>*>(flag)->load(std::memory_order_relaxed) ? 1 : 0; },
        const_cast<std::atomic<bool>*>(cancel));
  }
  // The newline ends a trailing "--" comment, so that it cannot swallow the closing parenthesis.
  const std::string sql = "SELECT file_id FROM files WHERE (" + condition + "\n)";
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db->handle(), sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
  casedb::Statement stmt(db->handle(), raw);
  if (rc != SQLITE_OK) {
    return make_error(Errc::invalid_argument, std::string("--where is not a valid condition on files: ") + sqlite3_errmsg(db->handle()));
  }
  const std::string_view rest(tail, static_cast<std::size_t>(sql.c_str() + sql.size() - tail));
  if (raw == nullptr || rest.find_first_not_of(" \t\r\n") != std::string_view::npos || sqlite3_stmt_readonly(raw) == 0) {
    return make_error(Errc::invalid_argument,
                      "--where must be one condition on files (an SQL expression such as path LIKE '/Users/%'), "
                      "not one that closes the statement and adds another: " + display_text(condition));
  }
  std::vector<std::int64_t> ids;
  while (true) {
    auto row = stmt.step();
    if (!row.ok()) {
      if (cancel != nullptr && cancel->load()) return make_error(Errc::interrupted, "interrupted");
      return make_error(Errc::invalid_argument, "--where failed: " + row.error().message);
    }
    if (!*row) break;
    ids.push_back(stmt.column_int(0));
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Result<ExtractSummary> extract_files(CaseWriter& writer, const std::filesystem::path& db_path, const ExtractOptions& options) {
  const bool by_id = !options.where.has_value();
  if (by_id && options.file_ids.empty()) return make_error(Errc::invalid_argument, "no file selected: give --file-id N or --where CONDITION");
  if (!by_id && !options.file_ids.empty()) return make_error(Errc::invalid_argument, "give either --file-id or --where, not both");
  if (options.output_dir.empty()) return make_error(Errc::invalid_argument, "no output directory given");
  const auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed); };

  // 1. What was asked for, and what of it can be extracted. Nothing is written before this is known.
  std::vector<std::int64_t> ids = options.file_ids;
  if (!by_id) {
    auto matched = select_files(db_path, *options.where, options.cancel);
    if (!matched.ok()) return matched.error();
    ids = std::move(*matched);
  }
  auto selection = writer.call<std::vector<Selected>>([&](Database& db) { return load_selection(db, ids); });
  if (!selection.ok()) return selection.error();
  std::string missing;
  for (const Selected& s : *selection) {
    if (!s.exists) missing += (missing.empty() ? "" : ", ") + std::to_string(s.file_id);
  }
  if (!missing.empty()) {
    return make_error(Errc::invalid_argument, "no file with id " + missing + " in this case (ids are files.file_id)");
  }

  ExtractSummary summary;
  std::uint64_t dropped_problems = 0;
  summary.selected = selection->size();
  std::vector<Planned> planned;
  for (const Selected& s : *selection) {
    const std::string label = file_label(s.file_id, s.path);
    if (s.type != "file") {
      ++summary.not_files;
      if (by_id) {
        ++summary.not_extracted;
        add_problem(summary, dropped_problems, label + " is a " + (s.type == "dir" ? "directory" : s.type) +
                                                   ": only files are extracted");
      }
      continue;
    }
    const std::string state = s.state.value_or("");
    if (state.empty() || (state == "intact" && s.sha256.empty())) {
      ++summary.not_hashed;
      add_problem(summary, dropped_problems, label + ": not hashed yet, run ferret-hash first");
    } else if (state == "reallocated") {
      ++summary.reallocated;
      add_problem(summary, dropped_problems, label + ": deleted, and its blocks now belong to something else: no content of its own to extract");
    } else if (state == "no_content") {
      ++summary.no_content;
      add_problem(summary, dropped_problems, label + ": deleted, and the file system no longer says where its content was");
    } else if (state == "unreadable") {
      ++summary.unreadable;
      add_problem(summary, dropped_problems, label + ": its content could not be read when it was hashed (see the errors table)");
    } else if (state == "intact") {
      Planned p;
      p.file_id = s.file_id;
      p.evidence_id = s.evidence_id;
      p.volume_offset = s.volume_offset;
      p.path = s.path;
      p.name = s.name;
      p.sha256 = s.sha256;
      p.size = s.size;
      // The last component is the file's own name, which may hold a '/' (a patched FAT long name or
      // ext4 entry): split only the parent's path, so "a/b.txt" becomes "a%2Fb.txt", not a directory.
      std::string_view parent = s.path;
      const bool named = !s.name.empty() && parent.size() > s.name.size() && parent.ends_with(s.name) &&
                         parent[parent.size() - s.name.size() - 1] == '/';
      if (named) parent.remove_suffix(s.name.size() + 1);
      auto components = output_components(s.evidence_id, s.volume_offset, named ? std::string(parent) + "/-" : s.path);
      components.pop_back();
      // Bytes that are not UTF-8 become %XX from the name's own bytes, not from its \xNN escape.
      p.base = named ? sanitise_component(s.name_raw.value_or(s.name))
                     : output_components(s.evidence_id, s.volume_offset, s.path).back();
      p.dirs = std::move(components);
      planned.push_back(std::move(p));
      continue;
    } else {
      ++summary.unreadable;
      add_problem(summary, dropped_problems, label + ": unknown content state '" + display_text(state) + "'");
    }
    ++summary.not_extracted;
  }
  plan_names(planned);

  // 2. The output directory.
  auto root = open_output(options.output_dir);
  if (!root.ok()) return root.error();
  std::error_code ec;
  summary.output_dir = std::filesystem::absolute(options.output_dir, ec).lexically_normal();

  auto evidence = writer.call<std::vector<Evidence>>([&](Database& db) { return load_evidence(db); });
  if (!evidence.ok()) return evidence.error();
  std::unordered_map<std::int64_t, std::size_t> plan_of;
  ExtractProgress progress;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    plan_of.emplace(planned[i].file_id, i);
    progress.bytes_total += planned[i].size;
  }
  progress.files_total = planned.size();

  std::mutex mutex;  // summary, progress, pending rows, outcomes
  std::vector<ExtractedFile> pending;
  std::vector<std::pair<std::size_t, ExtractedFile>> written;
  std::map<std::string, std::uint64_t> directory_problems;  // message -> files not written because of it
  auto post_rows = [&](std::vector<ExtractedFile>&& rows) {
    writer.post([rows = std::move(rows), run_id = options.run_id](Database& db) { return store(db, rows, run_id); });
  };
  // The evidence's own problems are the case's record too (`errors`, against the file), not only lines
  // of this run's summary: a file hashed as intact that cannot be read or reads differently now.
  auto post_error = [&](const Planned& plan, const char* kind, const std::string& message) {
    writer.post([=, run_id = options.run_id](Database& db) -> Status {
      auto insert = db.prepare("INSERT INTO errors(run_id, evidence_id, file_id, kind, message) VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!insert.ok()) return insert.error();
      insert->bind(1, run_id).bind(2, plan.evidence_id).bind(3, plan.file_id).bind(4, kind).bind(5, plan.path + ": extraction: " + message);
      return insert->run();
    });
  };
  const unsigned threads = options.threads != 0 ? options.threads : std::max(2u, std::thread::hardware_concurrency());

  // 3. Each evidence item: read its files' content, write, read back, verify.
  for (const Evidence& ev : *evidence) {
    if (cancelled()) break;
    std::vector<std::size_t> mine;
    for (std::size_t i = 0; i < planned.size(); ++i) {
      if (planned[i].evidence_id == ev.id) mine.push_back(i);
    }
    if (mine.empty()) continue;
    auto fail_all = [&](const std::string& why) {
      summary.failed += mine.size();
      summary.not_extracted += mine.size();
      add_problem(summary, dropped_problems, "evidence " + std::to_string(ev.id) + " (" + display_text(ev.path) + ") " + why +
                                                 ": its " + std::to_string(mine.size()) + " selected file(s) are not extracted");
    };
    auto source = content::reopen_evidence(ev.path, ev.size, options.open_image);
    if (!source.ok()) {
      fail_all(source.error().message);
      writer.post([run_id = options.run_id, id = ev.id, path = ev.path, why = source.error()](Database& db) {
        return content::record_unopened_evidence(db, run_id, id, path, why);
      });
      continue;
    }

    struct Job {
      content::FileContent file;
      std::size_t plan_index;
    };
    BoundedQueue<Job> jobs(threads * 4);
    std::vector<std::thread> pool;
    const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(threads, mine.size()));
    for (unsigned t = 0; t < workers; ++t) {
      pool.emplace_back([&] {
        Worker worker(**source, root->get(), options.cancel);
        while (auto job = jobs.pop()) {
          Outcome outcome = worker.process(job->file, planned[job->plan_index], job->plan_index);
          std::vector<ExtractedFile> full;
          std::lock_guard lock(mutex);
          const Planned& plan = planned[job->plan_index];
          switch (outcome.kind) {
            case Outcome::Kind::interrupted:
              continue;
            case Outcome::Kind::failed:
              ++summary.failed;
              ++summary.not_extracted;
              if (outcome.directory_problem) ++directory_problems[outcome.problem];
              else add_problem(summary, dropped_problems, file_label(plan.file_id, plan.path) + ": " + outcome.problem);
              if (outcome.evidence_kind != nullptr) post_error(plan, outcome.evidence_kind, outcome.problem);
              break;
            case Outcome::Kind::written:
              ++summary.extracted;
              summary.bytes += outcome.row.size;
              if (outcome.row.verified) ++summary.verified;
              else add_problem(summary, dropped_problems, file_label(plan.file_id, plan.path) + ": written to " +
                                                              display_text(outcome.row.output_path) + " but not verified: " + outcome.problem);
              if (outcome.evidence_kind != nullptr) post_error(plan, outcome.evidence_kind, outcome.problem);
              if (outcome.renamed) ++summary.renamed;
              pending.push_back(outcome.row);
              written.emplace_back(outcome.plan_index, std::move(outcome.row));
              if (pending.size() >= options.batch_size) full.swap(pending);
              break;
          }
          ++progress.files_done;
          progress.bytes_done += plan.size;
          if (options.progress) options.progress(progress);
          if (!full.empty()) post_rows(std::move(full));  // under the lock: rows reach the writer in order
        }
      });
    }

    const std::string where = "f.file_id IN (SELECT file_id FROM temp.extract_selection) AND f.evidence_id = " +
                              std::to_string(ev.id) + " AND f.type = 'file' AND f.content_state = 'intact'";
    const Status producer = content::feed_in_disk_order(writer, where, options.cancel, [&](content::FileContent&& file) {
      const auto it = plan_of.find(file.file_id);
      if (it == plan_of.end()) return true;  // intact without a recorded SHA-256: counted as not hashed
      return jobs.push(Job{std::move(file), it->second});
    });
    jobs.close();
    for (auto& t : pool) t.join();
    if (!producer.ok()) return producer.error();
  }
  if (!pending.empty()) post_rows(std::move(pending));
  FERRET_TRY(writer.flush());
  summary.interrupted = cancelled();
  for (const auto& [message, files] : directory_problems) {
    add_problem(summary, dropped_problems, message + " (" + std::to_string(files) + " file(s) not written)");
  }

  // 4. The manifest, in the planned order.
  std::sort(written.begin(), written.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [index, row] : written) summary.files.push_back(std::move(row));
  if (Status m = write_manifest(root->get(), options.run_id, summary); !m.ok()) {
    add_problem(summary, dropped_problems, m.error().message);
  }
  if (dropped_problems > 0) summary.problems.push_back("... and " + std::to_string(dropped_problems) + " more");
  return summary;
}

std::string summary_json(const ExtractSummary& s, double seconds) {
  std::ostringstream o;
  o << "{\"output_dir\":\"" << json_escape(s.output_dir.string()) << "\",\"manifest\":\"" << json_escape(s.manifest)
    << "\",\"manifest_sha256\":\"" << s.manifest_sha256 << "\",\"selected\":" << s.selected << ",\"extracted\":" << s.extracted
    << ",\"verified\":" << s.verified << ",\"bytes\":" << s.bytes << ",\"renamed\":" << s.renamed
    << ",\"not_extracted\":" << s.not_extracted << ",\"not_hashed\":" << s.not_hashed << ",\"reallocated\":" << s.reallocated
    << ",\"no_content\":" << s.no_content << ",\"unreadable\":" << s.unreadable << ",\"failed\":" << s.failed
    << ",\"not_files\":" << s.not_files << ",\"interrupted\":" << (s.interrupted ? "true" : "false") << ",\"seconds\":" << seconds
    << ",\"problems\":[";
  for (std::size_t i = 0; i < s.problems.size(); ++i) o << (i ? "," : "") << "\"" << json_escape(s.problems[i]) << "\"";
  o << "]}";
  return o.str();
}

std::string summary_text(const ExtractSummary& s, double seconds) {
  std::ostringstream o;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", seconds);
  o << "extracted " << s.extracted << " of " << s.selected << " selected file(s) (" << human_bytes(static_cast<double>(s.bytes))
    << ") in " << secs << " s; " << s.verified << " verified: they read back from disk with the recorded SHA-256\n";
  if (s.selected == 0) o << "  nothing was selected\n";
  if (s.extracted > s.verified) o << "  " << (s.extracted - s.verified) << " written but NOT verified\n";
  if (s.renamed > 0) o << "  " << s.renamed << " written as name~<file_id>: another file or entry had the name\n";
  if (s.not_hashed > 0) o << "  " << s.not_hashed << " not hashed yet: run ferret-hash first\n";
  if (s.reallocated + s.no_content + s.unreadable > 0) {
    o << "  not extracted: " << s.reallocated << " deleted with reallocated content, " << s.no_content
      << " with no content left, " << s.unreadable << " unreadable\n";
  }
  if (s.failed > 0) o << "  " << s.failed << " could not be extracted\n";
  if (s.not_files > 0) o << "  " << s.not_files << " selected entr" << (s.not_files == 1 ? "y is" : "ies are") << " not a file (directories, links): skipped\n";
  for (const auto& p : s.problems) o << "  problem: " << p << "\n";
  if (s.interrupted) o << "  interrupted: what was written and verified is recorded; run again into a new directory to finish\n";
  if (!s.manifest.empty()) o << "manifest: " << display_text((s.output_dir / s.manifest).string()) << "\n";
  return o.str();
}

}  // namespace ferret::extract
