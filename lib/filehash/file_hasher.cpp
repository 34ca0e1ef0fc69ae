#include "filehash/file_hasher.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "content/content.h"
#include "core/bounded_queue.h"
#include "hash/digest.h"
#include "hash/md5_mb.h"
#include "identify/identify.h"
#include "image/image_source.h"

namespace ferret::filehash {

using casedb::CaseWriter;
using casedb::Database;

namespace {


struct Outcome {
  std::int64_t file_id = 0;
  const char* state = "intact";
  hash::Digests digests;
  std::string mime;
  std::optional<bool> mismatch;
  std::uint64_t bytes = 0;
  std::optional<std::string> problem;
  std::optional<std::uint64_t> problem_offset;
};

struct Evidence {
  std::int64_t id = 0;
  std::string path;
  std::uint64_t size = 0;
};

// The three digests and the head of the content (for its type), fed in order.
class ContentSink {
 public:
  ContentSink() : md5_(hash::Algorithm::md5), sha1_(hash::Algorithm::sha1), sha256_(hash::Algorithm::sha256) {}
  void feed(std::span<const std::byte> bytes) {
    md5_.update(bytes);
    sha1_.update(bytes);
    sha256_.update(bytes);
    if (head_.size() < identify::Identifier::head_bytes()) {
      const std::size_t take = std::min(bytes.size(), identify::Identifier::head_bytes() - head_.size());
      head_.insert(head_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    }
    bytes_ += bytes.size();
  }
  std::uint64_t bytes() const { return bytes_; }
  const std::vector<std::byte>& head() const { return head_; }
  hash::Digests finish() { return {md5_.finish_hex(), sha1_.finish_hex(), sha256_.finish_hex()}; }

 private:
  hash::Digest md5_, sha1_, sha256_;
  std::vector<std::byte> head_;
  std::uint64_t bytes_ = 0;
};

class Worker {
 public:
  Worker(const image::ImageSource& source, const content::FreeSpace& free_space, identify::Identifier identifier,
         const std::atomic<bool>* cancel, std::uint64_t big_file_bytes)
      : source_(source), cancel_(cancel), big_file_bytes_(big_file_bytes), free_(free_space),
        identifier_(std::move(identifier)), reader_(source, cancel) {}

  using Emit = std::function<void(Outcome&&, const content::FileContent&)>;

  // Takes files from `jobs` until it is closed and drained, hashing each one with process().
  void run_one_at_a_time(BoundedQueue<content::FileContent>& jobs, const Emit& emit) {
    while (auto job = jobs.pop()) {
      if (auto outcome = process(*job)) emit(std::move(*outcome), *job);  // nothing when interrupted part-way
    }
  }

  // Like run_one_at_a_time, but up to Md5Lanes::kLanes files are in flight at once, so that their
  // MD5s run together in the lanes of a multi-buffer MD5 (one MD5 stream leaves most of a core's
  // vector units idle; MD5 was the costliest of the three digests). Each file is read in pieces,
  // in order, straight from its runs; SHA-1 and SHA-256 (OpenSSL, SHA-NI) take each piece as it
  // comes. Files that cannot be read so (no runs, encoded content, a state known before reading,
  // runs that do not check out, a read that fails) go through process(), which reports them
  // exactly as it always has.
  void run_in_lanes(BoundedQueue<content::FileContent>& jobs, const Emit& emit) {
    hash::Md5Lanes md5;
    std::vector<LaneFile> lanes(hash::Md5Lanes::kLanes);
    bool more = true;  // jobs may still come
    for (;;) {
      if (cancelled()) {
        // Files in flight are dropped (never a partial hash); the queue is drained so the producer stops.
        while (jobs.pop()) {
        }
        return;
      }
      std::size_t active = 0;
      for (std::size_t lane = 0; lane < lanes.size(); ++lane) {
        LaneFile& f = lanes[lane];
        if (f.active && md5.pending(lane) > 0) {
          ++active;
          continue;
        }
        if (f.active && f.offset == f.file.size) {
          emit(finish_lane(f, md5.finish_hex(lane)), f.file);
          f = LaneFile{};
        }
        while (!f.active && more) {
          auto job = jobs.pop();
          if (!job) {
            more = false;
          } else if (auto outcome = prepare_lane(std::move(*job), f); outcome) {
            if (*outcome) emit(std::move(**outcome), f.file);
          } else {
            md5.start(lane);
          }
        }
        if (!f.active) continue;
        if (!feed_lane(f, md5, lane)) {
          // A piece could not be read: the whole file again through the usual path, for its report.
          md5.start(lane);
          if (auto outcome = process(f.file)) emit(std::move(*outcome), f.file);
          f = LaneFile{};
          continue;
        }
        ++active;
      }
      if (active == 0 && !more) return;
      md5.run();
    }
  }

  // Nothing when cancelled part-way (no partial result is ever recorded).
  std::optional<Outcome> process(const content::FileContent& file) {
    Outcome out;
    out.file_id = file.file_id;
    if (auto state = content::state_before_reading(file, free_)) {
      out.state = *state;
      return out;
    }
    if (file.size >= big_file_bytes_ && !file.encoded && !file.runs.empty()) return process_big(file, out);
    ContentSink sink;
    Status read = reader_.read(file, [&](std::span<const std::byte> bytes) -> Status {
      sink.feed(bytes);
      return {};
    });
    if (!read.ok()) {
      if (read.error().code == Errc::interrupted) return std::nullopt;
      out.state = "unreadable";
      out.problem = read.error().message;
      out.problem_offset = reader_.problem_offset();
      return out;
    }
    out.bytes = sink.bytes();
    out.mime = identifier_.mime(sink.head());
    out.mismatch = identify::extension_mismatch(file.name, out.mime);
    out.digests = sink.finish();
    return out;
  }

 private:
  static constexpr std::size_t kPieceBytes = 1u << 20;  // bytes per read of a file in a lane

  struct LaneFile {
    bool active = false;
    content::FileContent file;
    std::unique_ptr<image::ImageSource> content;  // the file's runs as a medium
    std::vector<std::byte> piece;
    std::uint64_t offset = 0;  // bytes read so far
    std::optional<hash::Digest> sha1, sha256;
    std::vector<std::byte> head;
  };

  bool cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }

  // Takes `file` into lane `f` (returns nothing), or hashes it right away: returns its outcome, or
  // an empty outcome when interrupted part-way. `f` keeps the file either way, for the report.
  std::optional<std::optional<Outcome>> prepare_lane(content::FileContent&& file, LaneFile& f) {
    f.file = std::move(file);
    const bool readable_runs = !f.file.encoded && !f.file.runs.empty() && f.file.size > 0 &&
                               !content::state_before_reading(f.file, free_);
    std::optional<std::uint64_t> bad_offset;
    if (!readable_runs || !content::validate_runs(f.file, source_.size(), bad_offset).ok()) return process(f.file);
    f.active = true;
    f.content = content::file_as_media(source_, f.file);
    f.offset = 0;
    f.sha1.emplace(hash::Algorithm::sha1);
    f.sha256.emplace(hash::Algorithm::sha256);
    f.head.clear();
    return std::nullopt;
  }

  // Reads the lane's next piece and hands it to the three digests; false when it cannot be read.
  bool feed_lane(LaneFile& f, hash::Md5Lanes& md5, std::size_t lane) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kPieceBytes, f.file.size - f.offset));
    f.piece.resize(std::max(f.piece.size(), n));
    const std::span<std::byte> piece(f.piece.data(), n);
    auto got = f.content->read_at(f.offset, piece);
    if (!got.ok() || *got != n) return false;
    f.sha1->update(piece);
    f.sha256->update(piece);
    if (f.head.size() < identify::Identifier::head_bytes()) {
      const std::size_t take = std::min(n, identify::Identifier::head_bytes() - f.head.size());
      f.head.insert(f.head.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(take));
    }
    md5.submit(lane, piece);
    f.offset += n;
    return true;
  }

  Outcome finish_lane(LaneFile& f, std::string md5_hex) {
    Outcome out;
    out.file_id = f.file.file_id;
    out.bytes = f.file.size;
    out.mime = identifier_.mime(f.head);
    out.mismatch = identify::extension_mismatch(f.file.name, out.mime);
    out.digests = {std::move(md5_hex), f.sha1->finish_hex(), f.sha256->finish_hex()};
    return out;
  }

  // A big file's three digests run on threads of their own over reads spread across threads (the
  // media hasher's machinery), so one huge video does not leave the other cores idle.
  std::optional<Outcome> process_big(const content::FileContent& file, Outcome& out) {
    std::optional<std::uint64_t> bad_offset;
    if (Status valid = content::validate_runs(file, source_.size(), bad_offset); !valid.ok()) {
      out.state = "unreadable";
      out.problem = valid.error().message;
      out.problem_offset = bad_offset;
      return out;
    }
    auto content = content::file_as_media(source_, file);
    hash::MediaHashOptions options;
    options.cancel = cancel_;
    options.chunk_size = 4u << 20;
    auto hashed = hash::hash_media(*content, options);
    if (!hashed.ok()) {
      if (hashed.error().code == Errc::interrupted) return std::nullopt;
      out.state = "unreadable";
      out.problem = hashed.error().message;
      return out;
    }
    if (!hashed->unreadable.empty()) {
      const auto& first = hashed->unreadable.front();
      out.state = "unreadable";
      out.problem = "bytes " + std::to_string(first.offset) + " to " + std::to_string(first.offset + first.length) +
                    " of the file cannot be read: " + first.message;
      return out;
    }
    std::vector<std::byte> head(static_cast<std::size_t>(std::min<std::uint64_t>(file.size, identify::Identifier::head_bytes())));
    auto got = content->read_at(0, head);
    if (!got.ok()) {
      out.state = "unreadable";
      out.problem = got.error().message;
      return out;
    }
    out.bytes = file.size;
    out.mime = identifier_.mime(head);
    out.mismatch = identify::extension_mismatch(file.name, out.mime);
    out.digests = hashed->digests;
    return out;
  }

  const image::ImageSource& source_;
  const std::atomic<bool>* cancel_;
  std::uint64_t big_file_bytes_;
  const content::FreeSpace& free_;
  identify::Identifier identifier_;
  content::ContentReader reader_;
};

Status store(Database& db, const std::vector<Outcome>& batch, std::int64_t run_id, bool own_transaction) {
  auto update = db.prepare(
      "UPDATE files SET content_state = ?1, md5 = ?2, sha1 = ?3, sha256 = ?4, mime = ?5, ext_mismatch = ?6, "
      "hash_run_id = ?7 WHERE file_id = ?8 AND content_state IS NULL");
  if (!update.ok()) return update.error();
  auto error = db.prepare(
      "INSERT INTO errors(run_id, evidence_id, volume_id, file_id, kind, image_offset, message) "
      "SELECT ?1, evidence_id, volume_id, file_id, 'unreadable', ?2, ?3 FROM files WHERE file_id = ?4");
  if (!error.ok()) return error.error();
  if (own_transaction) FERRET_TRY(db.exec("BEGIN IMMEDIATE"));
  for (const Outcome& o : batch) {
    const bool intact = std::string_view(o.state) == "intact";
    auto as_opt = [&](const std::string& s) { return intact ? std::optional<std::string>(s) : std::nullopt; };
    update->reset();
    update->bind(1, o.state).bind(2, as_opt(o.digests.md5)).bind(3, as_opt(o.digests.sha1)).bind(4, as_opt(o.digests.sha256))
        .bind(5, as_opt(o.mime));
    if (o.mismatch) update->bind(6, std::int64_t{*o.mismatch ? 1 : 0}); else update->bind_null(6);
    update->bind(7, run_id).bind(8, o.file_id);
    Status s = update->run();
    if (s.ok() && o.problem) {
      error->reset();
      error->bind(1, run_id);
      if (o.problem_offset) error->bind(2, static_cast<std::int64_t>(*o.problem_offset)); else error->bind_null(2);
      error->bind(3, *o.problem).bind(4, o.file_id);
      s = error->run();
    }
    if (!s.ok()) {
      if (own_transaction) (void)db.exec("ROLLBACK");
      return s;
    }
  }
  return own_transaction ? db.exec("COMMIT") : Status{};
}

}  // namespace

Result<HashSummary> hash_files(CaseWriter& writer, const HashOptions& options) {
  HashSummary summary;
  // The evidence to work on, and how much is left to do.
  auto evidence = writer.call<std::vector<Evidence>>([&](Database& db) -> Result<std::vector<Evidence>> {
    auto s = db.prepare("SELECT evidence_id, path, size FROM evidence WHERE ?1 IS NULL OR evidence_id = ?1 ORDER BY evidence_id");
    if (!s.ok()) return s.error();
    s->bind(1, options.evidence_id);
    std::vector<Evidence> out;
    while (true) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      out.push_back({s->column_int(0), s->column_text(1), static_cast<std::uint64_t>(s->column_int(2))});
    }
    return out;
  });
  if (!evidence.ok()) return evidence.error();
  if (options.evidence_id && evidence->empty()) {
    return make_error(Errc::not_found, "no evidence " + std::to_string(*options.evidence_id) + " in this case");
  }

  struct Totals { std::uint64_t pending_files = 0, pending_bytes = 0, done = 0; };
  auto totals = writer.call<Totals>([&](Database& db) -> Result<Totals> {
    auto s = db.prepare(
        "SELECT count(*) FILTER (WHERE content_state IS NULL), coalesce(sum(size) FILTER (WHERE content_state IS NULL), 0), "
        "count(*) FILTER (WHERE content_state IS NOT NULL) FROM files "
        "WHERE type = 'file' AND origin = 'fs' AND (?1 IS NULL OR evidence_id = ?1)");
    if (!s.ok()) return s.error();
    s->bind(1, options.evidence_id);
    auto row = s->step();
    if (!row.ok()) return row.error();
    return Totals{static_cast<std::uint64_t>(s->column_int(0)), static_cast<std::uint64_t>(s->column_int(1)),
                  static_cast<std::uint64_t>(s->column_int(2))};
  });
  if (!totals.ok()) return totals.error();
  summary.already_done = totals->done;

  HashProgress progress{0, totals->pending_files, 0, totals->pending_bytes};
  std::mutex progress_mutex;
  const unsigned threads = options.threads != 0 ? options.threads : std::max(2u, std::thread::hardware_concurrency());
  // Multi-buffer MD5 pays where the vector engine exists; elsewhere one file at a time, as before.
  const bool lanes = options.md5_multi_buffer && hash::Md5Lanes::avx2_supported();
  const auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed); };

  for (const Evidence& ev : *evidence) {
    if (cancelled()) break;
    auto source = content::reopen_evidence(ev.path, ev.size, options.open_image);
    if (!source.ok()) {
      summary.problems.push_back("evidence " + std::to_string(ev.id) + " (" + ev.path + ") " + source.error().message);
      writer.post([&, why = source.error()](Database& db) {
        return content::record_unopened_evidence(db, options.run_id, ev.id, ev.path, why);
      });
      FERRET_TRY(writer.flush());
      continue;
    }
    auto free_space = writer.call<content::FreeSpace>([&](Database& db) { return content::FreeSpace::load(db, ev.id); });
    if (!free_space.ok()) return free_space.error();

    BoundedQueue<content::FileContent> jobs(threads * 64);
    std::mutex results_mutex;
    std::vector<Outcome> results;
    auto post_batch = [&](std::vector<Outcome>&& batch) {
      writer.post([batch = std::move(batch), run_id = options.run_id, own = options.own_transactions](Database& db) {
        return store(db, batch, run_id, own);
      });
    };
    // Every worker's libmagic handle first: nothing is started when one cannot be had.
    std::vector<identify::Identifier> identifiers;
    for (unsigned t = 0; t < threads; ++t) {
      auto identifier = identify::Identifier::create();
      if (!identifier.ok()) return identifier.error();
      identifiers.push_back(std::move(*identifier));
    }
    std::vector<std::thread> pool;
    for (auto& id : identifiers) {
      pool.emplace_back([&, identifier = std::move(id)]() mutable {
        Worker worker(**source, *free_space, std::move(identifier), options.cancel, options.big_file_bytes);
        auto emit = [&](Outcome&& done, const content::FileContent& file) {
          Outcome* outcome = &done;
          const content::FileContent* job = &file;
          std::vector<Outcome> full;
          {
            std::lock_guard lock(results_mutex);
            if (std::string_view(outcome->state) == "intact") {
              ++summary.intact;
              summary.bytes += outcome->bytes;
              if (outcome->mismatch.value_or(false)) ++summary.ext_mismatches;
            } else if (std::string_view(outcome->state) == "reallocated") {
              ++summary.reallocated;
            } else if (std::string_view(outcome->state) == "no_content") {
              ++summary.no_content;
            } else {
              ++summary.unreadable;
              if (summary.problems.size() < 100) {
                summary.problems.push_back("file " + std::to_string(outcome->file_id) + " (" + job->name +
                                           "): " + outcome->problem.value_or("unreadable"));
              }
            }
            results.push_back(std::move(*outcome));
            if (results.size() >= options.batch_size) full.swap(results);
          }
          if (!full.empty()) post_batch(std::move(full));
          if (options.progress) {
            std::lock_guard lock(progress_mutex);
            ++progress.files_done;
            progress.bytes_done += job->size;
            options.progress(progress);
          }
        };
        if (lanes) {
          worker.run_in_lanes(jobs, emit);
        } else {
          worker.run_one_at_a_time(jobs, emit);
        }
      });
    }

    const Status producer = content::feed_in_disk_order(
        writer, "f.evidence_id = " + std::to_string(ev.id) + " AND f.type = 'file' AND f.content_state IS NULL AND f.origin = 'fs'",
        options.cancel, [&](content::FileContent&& file) { return jobs.push(std::move(file)); });
    jobs.close();
    for (auto& t : pool) t.join();
    if (!results.empty()) post_batch(std::move(results));
    results.clear();
    FERRET_TRY(writer.flush());
    if (!producer.ok()) return producer.error();
  }
  summary.interrupted = cancelled();
  return summary;
}

}  // namespace ferret::filehash

#include <sstream>

#include "core/text.h"

namespace ferret::filehash {

void merge_into(HashSummary& total, const HashSummary& part) {
  total.intact += part.intact;
  total.reallocated += part.reallocated;
  total.unreadable += part.unreadable;
  total.no_content += part.no_content;
  total.bytes += part.bytes;
  total.already_done += part.already_done;
  total.ext_mismatches += part.ext_mismatches;
  total.interrupted = total.interrupted || part.interrupted;
  total.problems.insert(total.problems.end(), part.problems.begin(), part.problems.end());
}

std::string summary_json(const HashSummary& s, double seconds) {
  std::ostringstream o;
  o << "{\"intact\":" << s.intact << ",\"reallocated\":" << s.reallocated << ",\"unreadable\":" << s.unreadable
    << ",\"no_content\":" << s.no_content << ",\"already_done\":" << s.already_done << ",\"bytes\":" << s.bytes
    << ",\"ext_mismatches\":" << s.ext_mismatches << ",\"interrupted\":" << (s.interrupted ? "true" : "false")
    << ",\"seconds\":" << seconds << ",\"problems\":[";
  for (std::size_t i = 0; i < s.problems.size(); ++i) o << (i ? "," : "") << "\"" << json_escape(s.problems[i]) << "\"";
  o << "]}";
  return o.str();
}

std::string summary_text(const HashSummary& s, double seconds) {
  std::ostringstream o;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", seconds);
  o << "hashed " << s.intact << " files (" << human_bytes(static_cast<double>(s.bytes)) << ") in " << secs << " s";
  if (seconds > 0) o << ", " << human_bytes(static_cast<double>(s.bytes) / seconds) << "/s";
  o << "\n  " << s.reallocated << " deleted with reallocated content, " << s.no_content << " with no content left, "
    << s.unreadable << " unreadable, " << s.ext_mismatches << " extension mismatch(es)";
  if (s.already_done > 0) o << ", " << s.already_done << " hashed by an earlier run";
  o << "\n";
  for (const auto& p : s.problems) o << "  problem: " << display_text(p) << "\n";
  if (s.interrupted) o << "  interrupted: run the same command again to finish\n";
  return o.str();
}

}  // namespace ferret::filehash
