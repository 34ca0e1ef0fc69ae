// Ingest: one evidence item into a case, hashing the media while TSK walks it.
#include "ingest/ingest.h"

#include <chrono>
#include <mutex>
#include <thread>

#include "fs/walk.h"
#include "hash/digest.h"
#include "image/image_source.h"

namespace ferret::ingest {

using casedb::Database;
using casedb::Statement;

namespace {

std::optional<std::string> non_empty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// Prepared statements for the hot inserts, created on (and only used by) the writer thread.
struct InsertStatements {
  Statement file, run, unallocated, error;

  static Result<InsertStatements> prepare(Database& db) {
    InsertStatements s;
    auto file = db.prepare(
        "INSERT INTO files(evidence_id, volume_id, origin, path, name, name_raw, short_name, meta_addr, attr_type, "
        "attr_id, type, size, allocated, meta_allocated, reallocated, orphan, virtual, mtime, atime, ctime, crtime, encoded) "
        "VALUES (?,?,'fs',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!file.ok()) return file.error();
    auto run = db.prepare("INSERT INTO file_runs(file_id, seq, file_offset, image_offset, length, sparse) VALUES (?,?,?,?,?,?)");
    if (!run.ok()) return run.error();
    auto unalloc = db.prepare("INSERT INTO unallocated(evidence_id, volume_id, start_offset, length) VALUES (?,?,?,?)");
    if (!unalloc.ok()) return unalloc.error();
    auto error = db.prepare(
        "INSERT INTO errors(run_id, evidence_id, volume_id, kind, image_offset, length, message) VALUES (?,?,?,?,?,?,?)");
    if (!error.ok()) return error.error();
    s.file = std::move(*file);
    s.run = std::move(*run);
    s.unallocated = std::move(*unalloc);
    s.error = std::move(*error);
    return s;
  }
};

std::optional<std::int64_t> as_int(const std::optional<std::uint64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}
std::optional<std::int64_t> as_int(const std::optional<bool>& v) {
  if (!v) return std::nullopt;
  return *v ? 1 : 0;
}
std::optional<std::int64_t> as_int(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return *v;
}

// Receives the walk and turns it into writer tasks.
class CaseRecorder final : public fs::WalkVisitor {
 public:
  CaseRecorder(casedb::CaseWriter& writer, std::shared_ptr<InsertStatements> stmts, std::int64_t run_id,
               std::int64_t evidence_id)
      : writer_(writer), stmts_(std::move(stmts)), run_id_(run_id), evidence_id_(evidence_id) {}

  void on_volume(const fs::VolumeInfo& v) override {
    auto id = writer_.call<std::int64_t>([&](Database& db) -> Result<std::int64_t> {
      auto stmt = db.prepare(
          "INSERT INTO volumes(evidence_id, start_offset, length, description, fs_type, partition_slot, block_size, "
          "fs_error) VALUES (?,?,?,?,?,?,?,?)");
      if (!stmt.ok()) return stmt.error();
      stmt->bind(1, evidence_id_).bind(2, static_cast<std::int64_t>(v.start_offset))
          .bind(3, static_cast<std::int64_t>(v.length)).bind(4, v.description).bind(5, v.fs_type).bind(6, v.slot);
      if (v.block_size != 0) stmt->bind(7, std::int64_t{v.block_size}); else stmt->bind_null(7);
      stmt->bind(8, v.fs_error);
      FERRET_TRY(stmt->run());
      return db.last_insert_rowid();
    });
    std::lock_guard lock(mutex_);
    if (!id.ok()) {
      failure_ = id.error();
      volume_ids_.push_back(0);
      return;
    }
    volume_ids_.push_back(*id);
  }

  void on_files(int volume_index, std::vector<fs::FileEntry>&& files) override {
    const std::int64_t volume_id = volume_id_of(volume_index).value_or(0);
    writer_.post([stmts = stmts_, evidence_id = evidence_id_, volume_id,
                  batch = std::move(files)](Database& db) -> Status {
      for (const auto& f : batch) {
        Statement& s = stmts->file;
        s.bind(1, evidence_id).bind(2, volume_id).bind(3, f.path).bind(4, f.name);
        if (f.name_raw) s.bind_blob(5, *f.name_raw); else s.bind_null(5);
        s.bind(6, f.short_name).bind(7, static_cast<std::int64_t>(f.meta_addr)).bind(8, as_int(f.attr_type))
            .bind(9, as_int(f.attr_id)).bind(10, fs::file_type_name(f.type)).bind(11, as_int(f.size))
            .bind(12, std::int64_t{f.allocated ? 1 : 0}).bind(13, as_int(f.meta_allocated))
            .bind(14, std::int64_t{f.reallocated ? 1 : 0}).bind(15, std::int64_t{f.orphan ? 1 : 0})
            .bind(16, std::int64_t{f.is_virtual ? 1 : 0}).bind(17, f.mtime).bind(18, f.atime).bind(19, f.ctime)
            .bind(20, f.crtime).bind(21, std::int64_t{f.encoded ? 1 : 0});
        FERRET_TRY(s.run());
        const std::int64_t file_id = db.last_insert_rowid();
        std::int64_t seq = 0;
        for (const auto& r : f.runs) {
          stmts->run.bind(1, file_id).bind(2, seq++).bind(3, static_cast<std::int64_t>(r.file_offset))
              .bind(4, as_int(r.image_offset)).bind(5, static_cast<std::int64_t>(r.length))
              .bind(6, std::int64_t{r.image_offset ? 0 : 1});
          FERRET_TRY(stmts->run.run());
        }
      }
      return {};
    });
  }

  void on_unallocated(std::optional<int> volume_index, std::vector<fs::Range>&& ranges) override {
    std::optional<std::int64_t> volume_id;
    if (volume_index) volume_id = volume_id_of(*volume_index);
    writer_.post([stmts = stmts_, evidence_id = evidence_id_, volume_id, batch = std::move(ranges)](Database&) -> Status {
      for (const auto& r : batch) {
        stmts->unallocated.bind(1, evidence_id).bind(2, volume_id).bind(3, static_cast<std::int64_t>(r.offset))
            .bind(4, static_cast<std::int64_t>(r.length));
        FERRET_TRY(stmts->unallocated.run());
      }
      return {};
    });
  }

  void on_problem(std::optional<int> volume_index, const fs::Problem& problem) override {
    std::optional<std::int64_t> volume_id;
    if (volume_index) volume_id = volume_id_of(*volume_index);
    {
      std::lock_guard lock(mutex_);
      if (problem.kind != "unsupported") ++damage_problems_;
      if (warnings_.size() < 20) warnings_.push_back(problem.message);
    }
    record_problem(volume_id, problem.kind, as_int(problem.image_offset), std::nullopt, problem.message);
  }

  void record_problem(std::optional<std::int64_t> volume_id, const std::string& kind, std::optional<std::int64_t> offset,
                      std::optional<std::int64_t> length, const std::string& message) {
    writer_.post([stmts = stmts_, run_id = run_id_, evidence_id = evidence_id_, volume_id, kind, offset, length,
                  message](Database&) -> Status {
      stmts->error.bind(1, run_id).bind(2, evidence_id).bind(3, volume_id).bind(4, kind).bind(5, offset)
          .bind(6, length).bind(7, message);
      return stmts->error.run();
    });
  }

  std::optional<Error> failure() {
    std::lock_guard lock(mutex_);
    return failure_;
  }
  std::uint64_t damage_problems() {
    std::lock_guard lock(mutex_);
    return damage_problems_;
  }
  std::vector<std::string> warnings() {
    std::lock_guard lock(mutex_);
    return warnings_;
  }

 private:
  std::optional<std::int64_t> volume_id_of(int index) {
    std::lock_guard lock(mutex_);
    if (index < 0 || static_cast<std::size_t>(index) >= volume_ids_.size()) return std::nullopt;
    return volume_ids_[static_cast<std::size_t>(index)];
  }

  casedb::CaseWriter& writer_;
  std::shared_ptr<InsertStatements> stmts_;
  std::int64_t run_id_;
  std::int64_t evidence_id_;
  std::mutex mutex_;
  std::vector<std::int64_t> volume_ids_;
  std::optional<Error> failure_;
  std::uint64_t damage_problems_ = 0;
  std::vector<std::string> warnings_;
};

// Evidence already in the case that looks like this one (same first segment and size, or same SHA-256).
Result<std::optional<std::int64_t>> find_duplicate(casedb::CaseWriter& writer, const std::string& path,
                                                   std::uint64_t size, const std::string& sha256) {
  return writer.call<std::optional<std::int64_t>>([&](Database& db) -> Result<std::optional<std::int64_t>> {
    auto stmt = db.prepare(sha256.empty() ? "SELECT evidence_id FROM evidence WHERE path = ? AND size = ? LIMIT 1"
                                          : "SELECT evidence_id FROM evidence WHERE sha256 = ? LIMIT 1");
    if (!stmt.ok()) return stmt.error();
    if (sha256.empty()) stmt->bind(1, path).bind(2, static_cast<std::int64_t>(size));
    else stmt->bind(1, sha256);
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(stmt->column_int(0));
  });
}

Status run_sql(casedb::CaseWriter& writer, const std::string& sql) {
  return writer.call<bool>([&](Database& db) -> Result<bool> {
    FERRET_TRY(db.exec(sql));
    return true;
  }).ok() ? Status{} : Status(make_error(Errc::internal, "cannot run " + sql));
}

Error duplicate_error(const std::string& path, std::int64_t existing) {
  return make_error(Errc::exists, path + " is already in this case as evidence " + std::to_string(existing) +
                                      "; nothing was added (use --allow-duplicate to ingest it again)");
}

}  // namespace

Result<EvidenceOutcome> ingest_evidence(casedb::CaseWriter& writer, const std::filesystem::path& image_path,
                                        const IngestOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto opened = options.open_image ? options.open_image(image_path) : image::open_image(image_path);
  if (!opened.ok()) return opened.error();
  const image::ImageSource& source = **opened;

  EvidenceOutcome out;
  std::error_code ec;
  out.path = std::filesystem::absolute(image_path, ec).lexically_normal().string();
  out.format = image::format_name(source.format());
  out.size = source.size();
  const image::AcquisitionInfo* acq = source.acquisition();

  if (!options.allow_duplicate) {
    auto dup = find_duplicate(writer, out.path, out.size, "");
    if (!dup.ok()) return dup.error();
    if (*dup) return duplicate_error(out.path, **dup);
  }

  // Everything for this evidence item goes into one transaction.
  auto begun = writer.call<bool>([](Database& db) -> Result<bool> {
    FERRET_TRY(db.exec("BEGIN IMMEDIATE"));
    return true;
  });
  if (!begun.ok()) return begun.error();
  auto rollback = [&] { (void)run_sql(writer, "ROLLBACK"); };

  auto evidence_id = writer.call<std::int64_t>([&](Database& db) -> Result<std::int64_t> {
    auto stmt = db.prepare(
        "INSERT INTO evidence(path, format, size, sector_size, case_number, evidence_number, examiner, description, "
        "notes, acquired_at, acquisition_software, stored_md5, stored_sha1, ingest_run_id) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!stmt.ok()) return stmt.error();
    stmt->bind(1, out.path).bind(2, out.format).bind(3, static_cast<std::int64_t>(out.size))
        .bind(4, std::int64_t{source.sector_size()});
    const std::string case_number = acq != nullptr && !acq->case_number.empty() ? acq->case_number : options.case_number;
    stmt->bind(5, non_empty(case_number));
    if (acq != nullptr) {
      stmt->bind(6, non_empty(acq->evidence_number)).bind(7, non_empty(acq->examiner))
          .bind(8, non_empty(acq->description)).bind(9, non_empty(acq->notes)).bind(10, non_empty(acq->acquired_at))
          .bind(11, non_empty(acq->acquisition_software)).bind(12, acq->stored_md5).bind(13, acq->stored_sha1);
    } else {
      for (int i = 6; i <= 13; ++i) stmt->bind_null(i);
    }
    stmt->bind(14, options.run_id);
    FERRET_TRY(stmt->run());
    const std::int64_t id = db.last_insert_rowid();
    auto seg = db.prepare("INSERT INTO evidence_segments(evidence_id, seq, path, size) VALUES (?,?,?,?)");
    if (!seg.ok()) return seg.error();
    std::int64_t seq = 0;
    for (const auto& p : source.segments()) {
      std::error_code size_ec;
      const auto bytes = std::filesystem::file_size(p, size_ec);
      seg->bind(1, id).bind(2, seq++).bind(3, std::filesystem::absolute(p, size_ec).lexically_normal().string())
          .bind(4, static_cast<std::int64_t>(size_ec ? 0 : bytes));
      FERRET_TRY(seg->run());
    }
    return id;
  });
  if (!evidence_id.ok()) {
    rollback();
    return evidence_id.error();
  }
  out.evidence_id = *evidence_id;

  auto stmts = writer.call<std::shared_ptr<InsertStatements>>([](Database& db) -> Result<std::shared_ptr<InsertStatements>> {
    auto s = InsertStatements::prepare(db);
    if (!s.ok()) return s.error();
    return std::make_shared<InsertStatements>(std::move(*s));
  });
  if (!stmts.ok()) {
    rollback();
    return stmts.error();
  }
  CaseRecorder recorder(writer, *stmts, options.run_id, out.evidence_id);

  // Hash the media on its own threads while TSK walks it.
  std::mutex progress_mutex;
  Progress progress;
  progress.total_bytes = out.size;
  auto report = [&](auto&& update) {
    if (!options.progress) return;
    std::lock_guard lock(progress_mutex);
    update(progress);
    options.progress(progress);
  };
  hash::MediaHashOptions hash_options;
  hash_options.cancel = options.cancel;
  hash_options.progress = [&](std::uint64_t done, std::uint64_t) { report([&](Progress& p) { p.hashed_bytes = done; }); };
  std::optional<Result<hash::MediaHashOutcome>> hashed;
  std::thread hasher([&] {
    hashed.emplace(options.skip_media_hash ? Result<hash::MediaHashOutcome>(hash::MediaHashOutcome{})
                                           : hash::hash_media(source, hash_options));
  });

  fs::WalkOptions walk_options;
  walk_options.cancel = options.cancel;
  walk_options.progress = [&](std::uint64_t seen) { report([&](Progress& p) { p.files_seen = seen; }); };
  auto walked = fs::walk_media(source, recorder, walk_options);
  report([&](Progress& p) { p.walk_done = true; });
  Status after_walk;
  if (walked.ok() && !recorder.failure() && options.after_walk) after_walk = options.after_walk(out.evidence_id);
  hasher.join();

  auto fail = [&](const Error& e) -> Result<EvidenceOutcome> {
    (void)writer.flush();
    rollback();
    return e;
  };
  if (!walked.ok()) return fail(walked.error());
  if (!hashed->ok()) return fail(hashed->error());
  if (auto f = recorder.failure()) return fail(*f);
  if (!after_walk.ok()) return fail(after_walk.error());

  const hash::MediaHashOutcome& h = hashed->value();
  out.md5 = h.digests.md5;
  out.sha1 = h.digests.sha1;
  out.sha256 = h.digests.sha256;
  if (options.skip_media_hash) out.stored_hashes_match.reset();
  for (const auto& r : h.unreadable) {
    out.unreadable_bytes += r.length;
    recorder.record_problem(std::nullopt, "unreadable", static_cast<std::int64_t>(r.offset),
                            static_cast<std::int64_t>(r.length), r.message);
    out.warnings.push_back("unreadable: " + std::to_string(r.length) + " bytes at offset " + std::to_string(r.offset) +
                           " (hashed as zeros): " + r.message);
  }
  if (acq != nullptr && !options.skip_media_hash) {
    out.stored_md5 = acq->stored_md5;
    out.stored_sha1 = acq->stored_sha1;
    if (acq->stored_md5 || acq->stored_sha1) {
      const bool md5_ok = !acq->stored_md5 || *acq->stored_md5 == out.md5;
      const bool sha1_ok = !acq->stored_sha1 || *acq->stored_sha1 == out.sha1;
      out.stored_hashes_match = md5_ok && sha1_ok;
      if (!md5_ok) {
        const std::string m = "stored MD5 " + *acq->stored_md5 + " does not match the MD5 of the media read now (" + out.md5 + ")";
        recorder.record_problem(std::nullopt, "corrupt", std::nullopt, std::nullopt, m);
        out.warnings.push_back(m);
      }
      if (!sha1_ok) {
        const std::string m = "stored SHA-1 " + *acq->stored_sha1 + " does not match the SHA-1 of the media read now (" + out.sha1 + ")";
        recorder.record_problem(std::nullopt, "corrupt", std::nullopt, std::nullopt, m);
        out.warnings.push_back(m);
      }
    }
  }

  if (!options.allow_duplicate && !options.skip_media_hash) {
    auto dup = writer.call<std::optional<std::int64_t>>([&](Database& db) -> Result<std::optional<std::int64_t>> {
      auto stmt = db.prepare("SELECT evidence_id FROM evidence WHERE sha256 = ? AND evidence_id <> ? LIMIT 1");
      if (!stmt.ok()) return stmt.error();
      stmt->bind(1, out.sha256).bind(2, out.evidence_id);
      auto row = stmt->step();
      if (!row.ok()) return row.error();
      if (!*row) return std::optional<std::int64_t>();
      return std::optional<std::int64_t>(stmt->column_int(0));
    });
    if (!dup.ok()) return fail(dup.error());
    if (*dup) {
      return fail(make_error(Errc::exists, out.path + " has the same SHA-256 as evidence " + std::to_string(**dup) +
                                               " already in this case; nothing was added (use --allow-duplicate to "
                                               "ingest it again)"));
    }
  }

  writer.post([&](Database& db) -> Status {
    auto stmt = db.prepare(
        "UPDATE evidence SET md5 = ?, sha1 = ?, sha256 = ?, stored_hashes_match = ?, unreadable_bytes = ? "
        "WHERE evidence_id = ?");
    if (!stmt.ok()) return stmt.error();
    stmt->bind(1, non_empty(out.md5)).bind(2, non_empty(out.sha1)).bind(3, non_empty(out.sha256))
        .bind(4, as_int(out.stored_hashes_match))
        .bind(5, static_cast<std::int64_t>(out.unreadable_bytes)).bind(6, out.evidence_id);
    return stmt->run();
  });
  writer.post([](Database& db) -> Status { return db.exec("COMMIT"); });
  if (Status s = writer.flush(); !s.ok()) {
    rollback();
    return s.error();
  }

  out.volumes = walked->volumes;
  out.file_systems = walked->file_systems;
  out.files = walked->files;
  out.deleted = walked->deleted;
  out.problems = walked->problems + h.unreadable.size() + (out.stored_hashes_match == false ? 1 : 0);
  out.damage_problems = recorder.damage_problems();
  for (auto& w : recorder.warnings()) out.warnings.push_back(w);
  if (out.file_systems == 0) {
    out.warnings.push_back("no file system recognised anywhere on " + out.path +
                           "; its hashes are recorded and the whole media is recorded as unallocated space");
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace ferret::ingest
