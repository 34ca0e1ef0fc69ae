// Parsing a case's files with plugins: files fed in disk order to one thread per worker process,
// each (file, plugin) under a time limit, results recorded in batches by the one writer.
#include "plugin_host/parse_run.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "content/content.h"
#include "core/bounded_queue.h"
#include "core/text.h"
#include "plugin_host/protocol.h"
#include "plugin_host/worker_process.h"

namespace ferret::plugin_host {

using casedb::CaseWriter;
using casedb::Database;

namespace {

constexpr std::size_t kMaxMessageText = 64u << 10;  // plugin_results.message
constexpr std::size_t kMaxProblems = 100;
constexpr std::size_t kPageSize = 512;

struct Job {
  content::FileContent file;
  std::string mime;
  std::string evidence_path;
  std::uint64_t evidence_size = 0;
  std::vector<char> done;  // per plugin (index in the active list): recorded by an earlier run
};

struct PairOutcome {
  std::int64_t file_id = 0;
  std::string path;
  std::size_t plugin = 0;
  std::string status;
  std::optional<std::string> message;
  std::vector<EmittedArtifact> artifacts;
};

struct EvidenceInfo {
  std::int64_t id = 0;
  std::string path;
  std::uint64_t size = 0;
};

std::string seconds_text(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

// The plugin's log lines, bounded, as one text ("" when there are none).
std::string join_log(const ParseOutput& out) {
  std::string text;
  for (const auto& line : out.log) {
    if (!text.empty()) text += "\n";
    text += line;
  }
  if (out.log_dropped > 0) text += "\n(" + std::to_string(out.log_dropped) + " more message(s) not kept)";
  return text;
}

std::optional<std::string> bounded_message(std::string text) {
  if (text.empty()) return std::nullopt;
  if (text.size() > kMaxMessageText) {
    text.resize(kMaxMessageText);
    text = escape_invalid_utf8(text) + " [cut]";  // the cut may have split a character
  }
  return text;
}

std::string sql_names(const std::vector<const PluginLoad*>& active) {
  std::string out;
  for (const PluginLoad* p : active) out += (out.empty() ? "'" : ",'") + p->info->name + "'";  // names are [a-z0-9_]+
  return out;
}

Status store(Database& db, const std::vector<PairOutcome>& batch, std::int64_t run_id, const std::vector<const PluginLoad*>& active) {
  auto result = db.prepare(
      "INSERT OR IGNORE INTO plugin_results(file_id, plugin, plugin_version, run_id, status, artifacts, message) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!result.ok()) return result.error();
  auto artifact = db.prepare("INSERT INTO artifacts(file_id, plugin, kind, seq, plugin_version, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!artifact.ok()) return artifact.error();
  auto attribute = db.prepare("INSERT INTO artifact_attributes(artifact_id, name, value, type) VALUES (?1, ?2, ?3, ?4)");
  if (!attribute.ok()) return attribute.error();
  FERRET_TRY(db.exec("BEGIN IMMEDIATE"));
  auto write = [&]() -> Status {
    for (const PairOutcome& o : batch) {
      const PluginInfo& info = *active[o.plugin]->info;
      result->reset();
      result->bind(1, o.file_id).bind(2, info.name).bind(3, info.version).bind(4, run_id).bind(5, o.status)
          .bind(6, static_cast<std::int64_t>(o.artifacts.size())).bind(7, o.message);
      FERRET_TRY(result->run());
      if (db.changes() == 0) continue;  // recorded already (never twice)
      for (const EmittedArtifact& a : o.artifacts) {
        const KindInfo& kind = info.kinds[a.kind];
        artifact->reset();
        artifact->bind(1, o.file_id).bind(2, info.name).bind(3, kind.name).bind(4, a.id).bind(5, info.version).bind(6, run_id);
        FERRET_TRY(artifact->run());
        const std::int64_t artifact_id = db.last_insert_rowid();
        for (const EmittedAttr& v : a.attrs) {
          const AttrInfo& attr = kind.attrs[v.attr];
          attribute->reset();
          attribute->bind(1, artifact_id).bind(2, attr.name).bind(3, v.value).bind(4, type_name(attr.type));
          FERRET_TRY(attribute->run());
        }
      }
    }
    return {};
  };
  if (Status s = write(); !s.ok()) {
    (void)db.exec("ROLLBACK");
    return s;
  }
  return db.exec("COMMIT");
}

struct Page {
  std::vector<content::FileContent> files;
  std::map<std::int64_t, std::string> mime;
  std::set<std::pair<std::int64_t, std::string>> done;
};

class ParseRun;

// One worker process and the thread that feeds it.
class Driver {
 public:
  explicit Driver(ParseRun& run) : run_(run) {}
  void serve();

 private:
  void handle(const Job& job);
  Status ensure_worker();
  // Opens the job's file in the worker: Failure::none with `reply` filled, or how the worker failed.
  Failure open(const Job& job, std::uint32_t head_bytes, OpenReply& reply, std::string& why);
  std::optional<PairOutcome> parse_one(const Job& job, std::size_t plugin);
  void worker_gone() {
    worker_.reset();
    open_file_ = 0;
  }

  ParseRun& run_;
  std::unique_ptr<WorkerProcess> worker_;
  std::int64_t open_file_ = 0;
  bool started_before_ = false;
};

class ParseRun {
 public:
  ParseRun(CaseWriter& writer, const ParseOptions& options, std::vector<const PluginLoad*> active)
      : writer_(writer), options_(options), active_(std::move(active)) {}

  Result<ParseSummary> run();

  const ParseOptions& options() const { return options_; }
  const std::vector<const PluginLoad*>& active() const { return active_; }
  bool halted() const { return cancelled() || halted_.load(); }
  bool cancelled() const { return options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed); }
  BoundedQueue<Job>& jobs() { return *jobs_; }

  void fail(const Error& error) {
    std::lock_guard lock(mutex_);
    if (!fatal_) fatal_ = error;
    halted_ = true;
  }
  void problem(std::string text) {
    std::lock_guard lock(mutex_);
    if (summary_.problems.size() < kMaxProblems) summary_.problems.push_back(std::move(text));
  }
  void restarted() {
    std::lock_guard lock(mutex_);
    ++summary_.worker_restarts;
  }
  void file_done(bool offered);
  void record(PairOutcome&& outcome);

 private:
  Result<std::vector<EvidenceInfo>> usable_evidence();
  void post(std::vector<PairOutcome>&& batch) {
    writer_.post([batch = std::move(batch), run_id = options_.run_id, this](Database& db) { return store(db, batch, run_id, active_); });
  }

  CaseWriter& writer_;
  const ParseOptions& options_;
  std::vector<const PluginLoad*> active_;
  std::unique_ptr<BoundedQueue<Job>> jobs_;
  std::mutex mutex_;
  ParseSummary summary_;
  ParseProgress progress_;
  std::vector<PairOutcome> batch_;
  std::size_t batch_artifacts_ = 0;
  std::optional<Error> fatal_;
  std::atomic<bool> halted_{false};
};

void ParseRun::file_done(bool offered) {
  std::lock_guard lock(mutex_);
  ++progress_.files_done;
  if (offered) ++summary_.files_offered;
  if (options_.progress) options_.progress(progress_);
}

void ParseRun::record(PairOutcome&& o) {
  std::vector<PairOutcome> full;
  {
    std::lock_guard lock(mutex_);
    PluginTally& t = summary_.plugins[o.plugin];
    ++t.offered;
    const std::string& s = o.status;
    ++(s == "ok" ? t.ok : s == "not_mine" ? t.not_mine : s == "malformed" ? t.malformed : s == "crashed" ? t.crashed
       : s == "timeout" ? t.timeout : s == "flood" ? t.flood : s == "unreadable" ? t.unreadable : t.failed);
    t.artifacts += o.artifacts.size();
    const PluginInfo& info = *active_[o.plugin]->info;
    for (const auto& a : o.artifacts) ++t.by_kind[info.kinds[a.kind].name];
    if (s != "ok" && s != "not_mine" && s != "malformed" && summary_.problems.size() < kMaxProblems) {
      std::string first_line = o.message.value_or("");
      first_line = first_line.substr(0, first_line.find('\n'));
      summary_.problems.push_back("file " + std::to_string(o.file_id) + " (" + o.path + "): " + info.name + ": " + s +
                                  (first_line.empty() ? "" : ": " + first_line));
    }
    ++progress_.pairs;
    progress_.artifacts += o.artifacts.size();
    batch_artifacts_ += o.artifacts.size();
    batch_.push_back(std::move(o));
    if (batch_.size() >= options_.batch_pairs || batch_artifacts_ >= 20'000) {
      full.swap(batch_);
      batch_artifacts_ = 0;
    }
  }
  if (!full.empty()) post(std::move(full));
}

Result<std::vector<EvidenceInfo>> ParseRun::usable_evidence() {
  auto all = writer_.call<std::vector<EvidenceInfo>>([](Database& db) -> Result<std::vector<EvidenceInfo>> {
    auto s = db.prepare("SELECT evidence_id, path, size FROM evidence ORDER BY evidence_id");
    if (!s.ok()) return s.error();
    std::vector<EvidenceInfo> out;
    for (;;) {
      auto row = s->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      out.push_back({s->column_int(0), s->column_text(1), static_cast<std::uint64_t>(s->column_int(2))});
    }
    return out;
  });
  if (!all.ok()) return all.error();
  std::vector<EvidenceInfo> out;
  for (const EvidenceInfo& ev : *all) {
    // Opened here once, read-only, so that evidence that moved is one clear problem rather than a
    // failure on each of its files.
    auto source = content::reopen_evidence(ev.path, ev.size);
    if (!source.ok()) {
      summary_.problems.push_back("evidence " + std::to_string(ev.id) + " (" + ev.path + ") " + source.error().message +
                                  ": its files were not parsed");
      summary_.evidence_missing = true;
      // In the case as well, as ferret-hash and ferret-carve record it (the exit code 3 has its row).
      writer_.post([run_id = options_.run_id, id = ev.id, path = ev.path, why = source.error()](Database& db) {
        return content::record_unopened_evidence(db, run_id, id, path, why);
      });
      continue;
    }
    out.push_back(ev);
  }
  return out;
}

Result<ParseSummary> ParseRun::run() {
  for (const PluginLoad* p : active_) {
    PluginTally t;
    t.name = p->info->name;
    t.version = p->info->version;
    summary_.plugins.push_back(std::move(t));
  }
  if (active_.empty()) return summary_;
  auto evidence = usable_evidence();
  if (!evidence.ok()) return evidence.error();
  if (evidence->empty()) return summary_;
  std::map<std::int64_t, EvidenceInfo> evidence_by_id;
  std::string evidence_ids;
  for (const auto& ev : *evidence) {
    evidence_by_id[ev.id] = ev;
    evidence_ids += (evidence_ids.empty() ? "" : ",") + std::to_string(ev.id);
  }
  const std::string names = sql_names(active_);
  // Intact files with at least one loaded plugin that has not recorded a result for them yet.
  const std::string where = "f.type = 'file' AND f.content_state = 'intact' AND f.evidence_id IN (" + evidence_ids +
                            ") AND (SELECT count(*) FROM plugin_results r WHERE r.file_id = f.file_id AND r.plugin IN (" + names +
                            ")) < " + std::to_string(active_.size());
  struct Counts {
    std::uint64_t total = 0;
    std::map<std::string, std::uint64_t> earlier;
  };
  auto counts = writer_.call<Counts>([&](Database& db) -> Result<Counts> {
    Counts c;
    auto total = db.prepare("SELECT count(*) FROM files f WHERE " + where);
    if (!total.ok()) return total.error();
    auto row = total->step();
    if (!row.ok()) return row.error();
    c.total = static_cast<std::uint64_t>(total->column_int(0));
    auto earlier = db.prepare("SELECT plugin, count(*) FROM plugin_results WHERE plugin IN (" + names + ") GROUP BY plugin");
    if (!earlier.ok()) return earlier.error();
    for (;;) {
      auto r = earlier->step();
      if (!r.ok()) return r.error();
      if (!*r) break;
      c.earlier[earlier->column_text(0)] = static_cast<std::uint64_t>(earlier->column_int(1));
    }
    return c;
  });
  if (!counts.ok()) return counts.error();
  progress_.files_total = counts->total;
  summary_.files_considered = counts->total;
  for (auto& t : summary_.plugins) t.earlier = counts->earlier[t.name];

  unsigned threads = options_.threads != 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::uint64_t>({threads, 64, std::max<std::uint64_t>(counts->total, 1)}));
  jobs_ = std::make_unique<BoundedQueue<Job>>(threads * 16);
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) {
    pool.emplace_back([this] {
      Driver driver(*this);
      driver.serve();
    });
  }

  // The feeder: pages in file_id order (bounded memory), each page in disk order.
  Status fed;
  std::int64_t after = 0;
  while (!halted()) {
    auto page = writer_.call<Page>([&](Database& db) -> Result<Page> {
      Page p;
      auto files = content::load_files(db, where, after, kPageSize);
      if (!files.ok()) return files.error();
      p.files = std::move(*files);
      if (p.files.empty()) return p;
      const std::int64_t first = p.files.front().file_id, last = p.files.back().file_id;
      auto mime = db.prepare("SELECT file_id, coalesce(mime, '') FROM files WHERE file_id BETWEEN ?1 AND ?2");
      if (!mime.ok()) return mime.error();
      mime->bind(1, first).bind(2, last);
      for (;;) {
        auto r = mime->step();
        if (!r.ok()) return r.error();
        if (!*r) break;
        p.mime[mime->column_int(0)] = mime->column_text(1);
      }
      auto done = db.prepare("SELECT file_id, plugin FROM plugin_results WHERE file_id BETWEEN ?1 AND ?2 AND plugin IN (" + names + ")");
      if (!done.ok()) return done.error();
      done->bind(1, first).bind(2, last);
      for (;;) {
        auto r = done->step();
        if (!r.ok()) return r.error();
        if (!*r) break;
        p.done.emplace(done->column_int(0), done->column_text(1));
      }
      return p;
    });
    if (!page.ok()) {
      fed = page.error();
      break;
    }
    if (page->files.empty()) break;
    after = page->files.back().file_id;
    std::stable_sort(page->files.begin(), page->files.end(),
                     [](const content::FileContent& a, const content::FileContent& b) { return a.first_offset() < b.first_offset(); });
    for (auto& f : page->files) {
      if (halted()) break;
      Job job;
      job.mime = page->mime[f.file_id];
      const EvidenceInfo& ev = evidence_by_id[f.evidence_id];
      job.evidence_path = ev.path;
      job.evidence_size = ev.size;
      job.done.resize(active_.size());
      for (std::size_t i = 0; i < active_.size(); ++i) job.done[i] = page->done.count({f.file_id, active_[i]->info->name}) ? 1 : 0;
      job.file = std::move(f);
      if (!jobs_->push(std::move(job))) break;
    }
  }
  jobs_->close();
  for (auto& t : pool) t.join();
  {
    std::vector<PairOutcome> rest;
    {
      std::lock_guard lock(mutex_);
      rest.swap(batch_);
    }
    if (!rest.empty()) post(std::move(rest));
  }
  FERRET_TRY(writer_.flush());
  if (!fed.ok()) return fed.error();
  if (fatal_) return *fatal_;
  summary_.interrupted = cancelled();
  return summary_;
}

// ---- the driver ----

void Driver::serve() {
  while (auto job = run_.jobs().pop()) {
    if (run_.halted()) continue;  // drain the queue so that the feeder is never blocked
    handle(*job);
  }
}

Status Driver::ensure_worker() {
  if (worker_ && worker_->alive()) return {};
  worker_gone();
  const ParseOptions& options = run_.options();
  auto started = WorkerProcess::start(options.worker, options.cancel, options.worker_memory);
  if (!started.ok()) return started.error();
  for (const PluginLoad* p : run_.active()) {
    auto answer = (*started)->request(MessageType::load, encode(LoadRequest{p->path.string(), p->sha256}), MessageType::loaded,
                                      options.load_timeout);
    if (answer.failure == Failure::cancelled) return make_error(Errc::interrupted, "interrupted");
    LoadReply reply;
    std::string why;
    if (answer.failure != Failure::none) why = worker_ended(answer.failure_message);
    else if (!decode(answer.payload, reply)) why = "the worker's answer could not be read";
    else if (!reply.loaded) why = reply.message;
    else if (reply.info->name != p->info->name || reply.info->version != p->info->version) why = "it now declares another name or version";
    if (!why.empty()) {
      return make_error(Errc::io, "plugin '" + p->info->name + "' (" + p->path.string() + ") could not be loaded again in a new worker: " + why);
    }
  }
  worker_ = std::move(*started);
  if (started_before_) run_.restarted();
  started_before_ = true;
  return {};
}

Failure Driver::open(const Job& job, std::uint32_t head_bytes, OpenReply& reply, std::string& why) {
  if (Status s = ensure_worker(); !s.ok()) {
    if (s.error().code != Errc::interrupted) run_.fail(s.error());
    return Failure::cancelled;
  }
  OpenRequest request;
  request.file = job.file;
  request.mime = job.mime;
  request.head_bytes = head_bytes;
  request.evidence_path = job.evidence_path;
  request.evidence_size = job.evidence_size;
  // Opening runs only Ferret's code, but may copy a large compressed file out of the evidence first.
  auto answer = worker_->request(MessageType::open, encode(request), MessageType::opened,
                                 std::max(run_.options().timeout, std::chrono::milliseconds(600'000)));
  if (answer.failure != Failure::none) {
    why = answer.failure_message;
    worker_gone();
    return answer.failure;
  }
  if (!decode(answer.payload, reply)) {
    why = "its answer could not be read";
    worker_gone();
    return Failure::protocol;
  }
  open_file_ = reply.ok ? job.file.file_id : 0;
  return Failure::none;
}

std::optional<PairOutcome> Driver::parse_one(const Job& job, std::size_t plugin) {
  const ParseOptions& options = run_.options();
  const PluginInfo& info = *run_.active()[plugin]->info;
  PairOutcome o;
  o.file_id = job.file.file_id;
  o.path = job.file.path;
  o.plugin = plugin;
  ParseRequest request;
  request.plugin = static_cast<std::uint32_t>(plugin);
  request.timeout_ms = static_cast<std::uint64_t>(options.timeout.count());
  request.limits = options.limits;
  auto answer = worker_->request(MessageType::parse, encode(request), MessageType::result, options.timeout);
  switch (answer.failure) {
    case Failure::cancelled:
      worker_gone();
      return std::nullopt;  // interrupted: nothing is recorded for this pair, a rerun parses it
    case Failure::timeout:
      o.status = "timeout";
      o.message = "no answer within " + seconds_text(options.timeout) + " s; the worker was killed";
      break;
    case Failure::died:
      o.status = "crashed";
      o.message = worker_ended(answer.failure_message) + " while the plugin parsed this file";
      break;
    case Failure::protocol:
      o.status = "crashed";
      o.message = "the worker's answer could not be read: " + answer.failure_message;
      break;
    case Failure::none: {
      ParseOutput out;
      if (!decode(answer.payload, out)) {
        o.status = "crashed";
        o.message = "the worker's answer could not be read (the plugin may have corrupted the worker's memory)";
        worker_->kill_now();
        break;
      }
      if (auto bad = check_output(info, out, options.limits)) {
        o.status = "crashed";
        o.message = "the worker's answer failed the host's checks (the plugin may have corrupted the worker's memory): " + *bad;
        worker_->kill_now();
        break;
      }
      std::string log = join_log(out);
      if (out.ending == Ending::flood) {
        o.status = "flood";
        o.message = "more than the host allows: " + out.flood_reason + "; nothing the plugin emitted for this file was kept" + (log.empty() ? "" : "\n" + log);
        worker_->kill_now();  // it exits by itself after a flood answer; this only reaps it
        break;
      }
      const char* result = parse_result_name(out.result);
      if (!out.read_error.empty()) {
        o.status = "unreadable";
      } else if (*result == '\0') {
        o.status = "failed";
        log = "parse() returned " + std::to_string(out.result) + ", which is not a ferret_parse_result" + (log.empty() ? "" : "\n" + log);
      } else {
        o.status = result;
      }
      if (out.result == FERRET_PARSE_NOT_MINE && !out.artifacts.empty()) {
        log += (log.empty() ? "" : "\n") + std::to_string(out.artifacts.size()) +
               " artifact(s) not recorded: the plugin said the file is not of its format";
        out.artifacts.clear();
      }
      o.message = log;
      o.artifacts = std::move(out.artifacts);
      break;
    }
  }
  if (o.message) o.message = bounded_message(*o.message);
  if (!worker_->alive()) worker_gone();
  return o;
}

void Driver::handle(const Job& job) {
  const auto& active = run_.active();
  const FileFacts facts{job.file.name, job.mime};
  std::vector<std::size_t> selected, by_magic;
  std::uint64_t head = 0;
  for (std::size_t i = 0; i < active.size(); ++i) {
    if (job.done[i]) continue;
    const Selector& selector = active[i]->info->selector;
    if (selects_by_name(selector, facts)) {
      selected.push_back(i);
    } else if (!selector.magics.empty()) {
      by_magic.push_back(i);
      head = std::max(head, head_bytes_needed(selector));
    }
  }
  if (selected.empty() && by_magic.empty()) {
    run_.file_done(false);
    return;
  }
  OpenReply opened;
  std::string why;
  Failure failure = open(job, static_cast<std::uint32_t>(head), opened, why);
  if (failure != Failure::none && failure != Failure::cancelled) {
    // Only Ferret's own code runs while a file is opened; try once more in a fresh worker.
    failure = open(job, static_cast<std::uint32_t>(head), opened, why);
    if (failure != Failure::none && failure != Failure::cancelled) {
      run_.problem("file " + std::to_string(job.file.file_id) + " (" + job.file.path + "): the worker failed while opening it (" + why +
                   "): not parsed");
    }
  }
  if (failure != Failure::none) {
    run_.file_done(false);
    return;
  }
  if (!opened.ok) {
    // The content cannot be read now (it could when it was hashed): recorded for the plugins that
    // select the file by name or type. Those that select by content cannot be asked.
    for (std::size_t i : selected) {
      PairOutcome o;
      o.file_id = job.file.file_id;
      o.path = job.file.path;
      o.plugin = i;
      o.status = "unreadable";
      o.message = bounded_message(opened.message);
      run_.record(std::move(o));
    }
    run_.file_done(!selected.empty());
    return;
  }
  for (std::size_t i : by_magic) {
    if (selects_by_magic(active[i]->info->selector, opened.head)) selected.push_back(i);
  }
  std::sort(selected.begin(), selected.end());
  for (std::size_t i : selected) {
    if (run_.halted()) break;
    if (open_file_ != job.file.file_id) {
      // The worker was replaced after a crash, a time-out or a flood: open the file in the new one.
      OpenReply again;
      const Failure reopened = open(job, 0, again, why);
      if (reopened == Failure::cancelled) break;
      if (reopened != Failure::none) {
        run_.problem("file " + std::to_string(job.file.file_id) + " (" + job.file.path + "): the worker failed while opening it again (" +
                     why + "): not parsed by the plugins left");
        break;
      }
      if (!again.ok) {
        run_.problem("file " + std::to_string(job.file.file_id) + " (" + job.file.path + "): " + again.message);
        break;
      }
    }
    auto outcome = parse_one(job, i);
    if (!outcome) break;
    run_.record(std::move(*outcome));
  }
  run_.file_done(!selected.empty());
}

}  // namespace

Status record_plugin_loads(CaseWriter& writer, std::int64_t run_id, const std::vector<PluginLoad>& plugins) {
  writer.post([&plugins, run_id](Database& db) -> Status {
    auto s = db.prepare(
        "INSERT OR REPLACE INTO plugin_loads(run_id, path, sha256, plugin, version, abi_version, status, message) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!s.ok()) return s.error();
    FERRET_TRY(db.exec("BEGIN IMMEDIATE"));
    for (const PluginLoad& p : plugins) {
      s->reset();
      s->bind(1, run_id).bind(2, escape_invalid_utf8(p.path.string())).bind(3, p.sha256).bind(4, p.partial.name).bind(5, p.partial.version);
      if (p.partial.abi_version) s->bind(6, static_cast<std::int64_t>(*p.partial.abi_version)); else s->bind_null(6);
      s->bind(7, p.loaded ? "loaded" : "refused");
      if (p.loaded) s->bind_null(8); else s->bind(8, p.message);
      if (Status ran = s->run(); !ran.ok()) {
        (void)db.exec("ROLLBACK");
        return ran;
      }
    }
    return db.exec("COMMIT");
  });
  return writer.flush();
}

Result<ParseSummary> parse_files(CaseWriter& writer, const ParseOptions& options) {
  std::vector<const PluginLoad*> active;
  for (const PluginLoad& p : options.plugins) {
    if (p.loaded && p.info) active.push_back(&p);
  }
  ParseRun run(writer, options, std::move(active));
  return run.run();
}

bool has_failures(const ParseSummary& summary) {
  return std::any_of(summary.plugins.begin(), summary.plugins.end(), [](const PluginTally& t) {
    return t.failed + t.crashed + t.timeout + t.flood + t.unreadable > 0;
  });
}

std::string summary_text(const ParseSummary& s, double seconds) {
  std::ostringstream o;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", seconds);
  std::uint64_t pairs = 0, artifacts = 0;
  for (const auto& t : s.plugins) {
    pairs += t.offered;
    artifacts += t.artifacts;
  }
  o << "offered " << s.files_offered << " file(s) to " << s.plugins.size() << " plugin(s) (of " << s.files_considered
    << " intact file(s) not yet parsed by every plugin) in " << secs << " s: " << pairs << " result(s), " << artifacts
    << " artifact(s) recorded\n";
  for (const auto& t : s.plugins) {
    o << "  " << t.name << " " << display_text(t.version) << ": " << t.offered << " file(s): " << t.ok << " ok, " << t.not_mine
      << " not_mine, " << t.malformed << " malformed, " << t.failed << " failed, " << t.crashed << " crashed, " << t.timeout
      << " timeout, " << t.flood << " flood, " << t.unreadable << " unreadable; " << t.artifacts << " artifact(s)";
    if (!t.by_kind.empty()) {
      o << " (";
      bool first = true;
      for (const auto& [kind, n] : t.by_kind) {
        o << (first ? "" : ", ") << kind << " " << n;
        first = false;
      }
      o << ")";
    }
    if (t.earlier > 0) o << "; " << t.earlier << " file(s) recorded by an earlier run";
    o << "\n";
  }
  if (s.worker_restarts > 0) o << "  " << s.worker_restarts << " worker restart(s) after crashes, time-outs or floods\n";
  for (const auto& p : s.problems) o << "  problem: " << display_text(p) << "\n";
  if (s.interrupted) o << "  interrupted: what was recorded stays; run the same command again to finish\n";
  return o.str();
}

namespace {

void json_strings(std::ostream& o, const std::vector<std::string>& v) {
  o << "[";
  for (std::size_t i = 0; i < v.size(); ++i) o << (i ? "," : "") << "\"" << json_escape(v[i]) << "\"";
  o << "]";
}

std::string magic_hex(const std::string& bytes) {
  return to_hex(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

// A magic as an author wrote it: quoted text when it is printable ASCII, hex otherwise.
std::string magic_text(const Magic& m) {
  const bool printable = std::all_of(m.bytes.begin(), m.bytes.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  return (printable ? "\"" + m.bytes + "\"" : "0x" + magic_hex(m.bytes)) + " at " + std::to_string(m.offset);
}

void plugin_json(std::ostream& o, const PluginLoad& p) {
  o << "{\"path\":\"" << json_escape(escape_invalid_utf8(p.path.string())) << "\",\"sha256\":\"" << p.sha256 << "\",\"status\":\""
    << (p.loaded ? "loaded" : "refused") << "\"";
  if (!p.loaded) o << ",\"message\":\"" << json_escape(p.message) << "\"";
  if (p.partial.name) o << ",\"name\":\"" << json_escape(*p.partial.name) << "\"";
  if (p.partial.version) o << ",\"version\":\"" << json_escape(*p.partial.version) << "\"";
  if (p.partial.abi_version) o << ",\"abi_version\":" << *p.partial.abi_version;
  if (p.info) {
    const PluginInfo& i = *p.info;
    o << ",\"description\":\"" << json_escape(i.description) << "\",\"selector\":{\"mime_types\":";
    json_strings(o, i.selector.mime_types);
    o << ",\"extensions\":";
    json_strings(o, i.selector.extensions);
    o << ",\"file_names\":";
    json_strings(o, i.selector.file_names);
    o << ",\"magics\":[";
    for (std::size_t m = 0; m < i.selector.magics.size(); ++m) {
      o << (m ? "," : "") << "{\"offset\":" << i.selector.magics[m].offset << ",\"hex\":\"" << magic_hex(i.selector.magics[m].bytes) << "\"}";
    }
    o << "]},\"kinds\":[";
    for (std::size_t k = 0; k < i.kinds.size(); ++k) {
      const KindInfo& kind = i.kinds[k];
      o << (k ? "," : "") << "{\"name\":\"" << kind.name << "\",\"description\":\"" << json_escape(kind.description) << "\",\"attributes\":[";
      for (std::size_t a = 0; a < kind.attrs.size(); ++a) {
        const AttrInfo& attr = kind.attrs[a];
        o << (a ? "," : "") << "{\"name\":\"" << attr.name << "\",\"type\":\"" << type_name(attr.type) << "\",\"required\":"
          << (attr.required ? "true" : "false") << ",\"description\":\"" << json_escape(attr.description) << "\"}";
      }
      o << "]}";
    }
    o << "]";
  }
  o << "}";
}

}  // namespace

std::string summary_json(const ParseSummary& s, const std::vector<PluginLoad>& plugins, double seconds) {
  std::ostringstream o;
  o << "{\"plugins\":[";
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    const PluginLoad& p = plugins[i];
    o << (i ? "," : "") << "{\"path\":\"" << json_escape(escape_invalid_utf8(p.path.string())) << "\",\"sha256\":\"" << p.sha256
      << "\",\"status\":\"" << (p.loaded ? "loaded" : "refused") << "\"";
    if (p.partial.name) o << ",\"name\":\"" << json_escape(*p.partial.name) << "\"";
    if (p.partial.version) o << ",\"version\":\"" << json_escape(*p.partial.version) << "\"";
    if (!p.loaded) o << ",\"message\":\"" << json_escape(p.message) << "\"";
    o << "}";
  }
  o << "],\"files_considered\":" << s.files_considered << ",\"files_offered\":" << s.files_offered
    << ",\"worker_restarts\":" << s.worker_restarts << ",\"interrupted\":" << (s.interrupted ? "true" : "false")
    << ",\"seconds\":" << seconds << ",\"results\":[";
  for (std::size_t i = 0; i < s.plugins.size(); ++i) {
    const PluginTally& t = s.plugins[i];
    o << (i ? "," : "") << "{\"plugin\":\"" << t.name << "\",\"version\":\"" << json_escape(t.version) << "\",\"offered\":" << t.offered
      << ",\"ok\":" << t.ok << ",\"not_mine\":" << t.not_mine << ",\"malformed\":" << t.malformed << ",\"failed\":" << t.failed
      << ",\"crashed\":" << t.crashed << ",\"timeout\":" << t.timeout << ",\"flood\":" << t.flood << ",\"unreadable\":" << t.unreadable
      << ",\"artifacts\":" << t.artifacts << ",\"by_kind\":{";
    bool first = true;
    for (const auto& [kind, n] : t.by_kind) {
      o << (first ? "" : ",") << "\"" << kind << "\":" << n;
      first = false;
    }
    o << "},\"earlier\":" << t.earlier << "}";
  }
  o << "],\"problems\":";
  json_strings(o, s.problems);
  o << "}";
  return o.str();
}

std::string plugins_json(const std::vector<PluginLoad>& plugins) {
  std::ostringstream o;
  o << "{\"host_abi_version\":" << FERRET_PLUGIN_ABI_VERSION << ",\"plugins\":[";
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    if (i) o << ",";
    plugin_json(o, plugins[i]);
  }
  o << "]}";
  return o.str();
}

std::string plugins_text(const std::vector<PluginLoad>& plugins) {
  std::ostringstream o;
  std::size_t loaded = 0;
  for (const PluginLoad& p : plugins) {
    if (!p.loaded) continue;
    ++loaded;
    const PluginInfo& i = *p.info;
    o << i.name << " " << display_text(i.version) << " (plugin ABI " << i.abi_version << ")\n";
    o << "  file     " << display_text(p.path.string()) << "\n";
    o << "  sha256   " << p.sha256 << "\n";
    if (!i.description.empty()) o << "  about    " << display_text(i.description) << "\n";
    std::vector<std::string> selects;
    auto join = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& x : v) out += (out.empty() ? "" : ", ") + display_text(x);
      return out;
    };
    if (!i.selector.mime_types.empty()) selects.push_back("MIME types " + join(i.selector.mime_types));
    if (!i.selector.extensions.empty()) selects.push_back("extensions " + join(i.selector.extensions));
    if (!i.selector.file_names.empty()) selects.push_back("file names " + join(i.selector.file_names));
    if (!i.selector.magics.empty()) {
      std::vector<std::string> m;
      for (const auto& g : i.selector.magics) m.push_back(magic_text(g));
      selects.push_back("content " + join(m));
    }
    o << "  selects  ";
    for (std::size_t s = 0; s < selects.size(); ++s) o << (s ? "; " : "") << selects[s];
    o << "\n";
    for (const KindInfo& k : i.kinds) {
      o << "  kind " << k.name << (k.description.empty() ? "" : ": " + display_text(k.description)) << "\n";
      std::size_t width = 9;
      for (const auto& a : k.attrs) width = std::max(width, a.name.size());
      char line[512];
      std::snprintf(line, sizeof line, "    %-*s  %-4s  %-8s  %s\n", static_cast<int>(width), "attribute", "type", "required", "description");
      o << line;
      for (const auto& a : k.attrs) {
        std::snprintf(line, sizeof line, "    %-*s  %-4s  %-8s  ", static_cast<int>(width), a.name.c_str(), type_name(a.type), a.required ? "yes" : "no");
        o << line << display_text(a.description) << "\n";
      }
    }
    o << "\n";
  }
  std::size_t refused = 0;
  for (const PluginLoad& p : plugins) {
    if (p.loaded) continue;
    ++refused;
    o << "refused: " << display_text(p.path.string()) << "\n";
    if (p.partial.name) o << "  name     " << display_text(*p.partial.name) << (p.partial.version ? " " + display_text(*p.partial.version) : "") << "\n";
    if (p.partial.abi_version) o << "  ABI      " << *p.partial.abi_version << " (this host: " << FERRET_PLUGIN_ABI_VERSION << ")\n";
    if (!p.sha256.empty()) o << "  sha256   " << p.sha256 << "\n";
    o << "  reason   " << display_text(p.message) << "\n\n";
  }
  o << loaded << " plugin(s) usable, " << refused << " refused (host plugin ABI " << FERRET_PLUGIN_ABI_VERSION << ")\n";
  return o.str();
}

}  // namespace ferret::plugin_host
