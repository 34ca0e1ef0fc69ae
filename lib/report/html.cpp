// The HTML report: one self-contained file (inline CSS, JS and SVG; nothing loaded from anywhere)
// for a prosecutor first: the case and its evidence, the scale of the infringement, a timeline,
// torrents and releases, every match, and the chain of custody.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/text.h"
#include "ferret/version.h"
#include "report/escape.h"
#include "report/writers.h"

namespace ferret::report {

namespace {

// A value of the case as HTML text. "://" is written as ":&#47;&#47;": it reads the same, but the
// page's source then holds no URL at all (a tracker in a torrent, a link in a file name), so that
// nothing in it can be mistaken for, or turned into, a network address.
std::string h(std::string_view text) {
  std::string out = html_text(text);
  for (std::size_t p = out.find("://"); p != std::string::npos; p = out.find("://", p)) out.replace(p, 3, ":&#47;&#47;");
  return out;
}
std::string h(const std::string& text) { return h(std::string_view(text)); }
std::string h(const char* text) { return h(std::string_view(text)); }
std::string h(const std::optional<std::string>& text) { return text ? h(std::string_view(*text)) : std::string(); }
std::string num(std::int64_t n) { return std::to_string(n); }

// 12,345,678: counts and offsets a reader can take in at a glance.
std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string size_html(std::int64_t bytes) { return h(bytes_text(bytes)); }

const char* exit_meaning(std::int64_t code) {
  switch (code) {
    case 0: return "done";
    case 1: return "usage error";
    case 2: return "failure";
    case 3: return "done; evidence partly unreadable, damaged or altered";
    case 130: return "interrupted";
    default: return "unknown exit code";
  }
}

std::string exit_html(const std::optional<std::int64_t>& code) {
  if (!code) return "<span class=\"warn\">never finished</span>";
  return std::string(*code == 0 ? "<span class=\"ok\">" : "<span class=\"warn\">") + num(*code) + "</span> " + exit_meaning(*code);
}

constexpr const char* kStyle = R"CSS(
:root{color-scheme:light}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0 auto;max-width:1500px;padding:0 24px 48px;color:#1b1f24;background:#fff}
header{border-bottom:3px solid #1f3a5f;margin-bottom:16px}
h1{font-size:26px;margin:24px 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #ccd3da;padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}
table{border-collapse:collapse;margin:6px 0 14px;width:100%}
th,td{border:1px solid #ccd3da;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef2f6;font-weight:600}
table.kv{width:auto;min-width:50%}table.kv th{width:16em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tfoot td{font-weight:600;background:#f6f8fa}
code,.hash,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
.path{overflow-wrap:anywhere;min-width:16em}
.scroll{overflow-x:auto}td.hash,td.runs,td.when,#custody-table .hash{white-space:nowrap}td.cmd{min-width:22em}
.warn{color:#a40000;font-weight:600}.ok{color:#146c2e;font-weight:600}.note{color:#555}
.deleted{color:#a40000}.carved{color:#7a4b00}
nav ol{columns:2;margin:4px 0 12px}
ul.plain{margin:0;padding-left:1.1em}
#match-controls{margin:8px 0;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
#match-controls input{min-width:24em;padding:4px}
th.sortable{cursor:pointer}th.sortable::after{content:" \2195";color:#8894a0}
th[aria-sort=ascending]::after{content:" \2191"}th[aria-sort=descending]::after{content:" \2193"}
.timeline{max-width:100%;height:auto;border:1px solid #ccd3da;background:#fbfcfd}
[hidden]{display:none!important}
@media print{nav,#match-controls{display:none}body{max-width:none}}
)CSS";

// Sorting and searching the match table. Works on the rows already in the page, so the table is
// complete and readable with JavaScript disabled; the controls only appear when it runs.
constexpr const char* kScript = R"JS(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var table = document.getElementById('match-table');
  var status = document.getElementById('match-status');
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var search = document.getElementById('match-search');
  var setFilter = document.getElementById('match-set');
  data.hashsets.forEach(function (name) {
    var option = document.createElement('option');
    option.value = name;
    option.textContent = name;
    setFilter.appendChild(option);
  });
  function apply() {
    var query = search.value.toLowerCase();
    var set = setFilter.value;
    var shown = 0;
    rows.forEach(function (row) {
      var keep = (!set || row.getAttribute('data-set') === set) &&
                 (!query || row.textContent.toLowerCase().indexOf(query) !== -1);
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    status.textContent = 'Showing ' + shown + ' of ' + rows.length + ' match rows' +
      (data.matches > rows.length ? ' (the case holds ' + data.matches + ' matches; see the note above)' : '') + '.';
  }
  function key(row, column) {
    var cell = row.cells[column];
    var v = cell.getAttribute('data-v');
    return v !== null ? Number(v) : cell.textContent.toLowerCase();
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    th.classList.add('sortable');
    th.setAttribute('tabindex', '0');
    function sort() {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      rows.sort(function (a, b) {
        var x = key(a, column), y = key(b, column);
        var order = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (event) { if (event.key === 'Enter') { sort(); } });
  });
  search.addEventListener('input', apply);
  setFilter.addEventListener('change', apply);
  document.getElementById('match-controls').hidden = false;
  apply();
})();
)JS";

struct Html {
  WriteContext& ctx;
  OutputFile& out;
  CaseSnapshot& snap;
  std::vector<EvidenceRow> evidence;
  std::vector<VolumeRow> volumes;
  std::vector<RunRow> runs;
  std::set<std::string> hashset_names;  // as displayed, for the JSON the script reads

  Status head();
  Status case_section();
  Status scale_section();
  Status timeline_section();
  Status artifacts_section();
  Status matches_section();
  Status custody_section();
  Status tail();

  void kv(const char* label, const std::string& value_html) { out << "<tr><th>" << label << "</th><td>" << value_html << "</td></tr>\n"; }
  std::string volume_label(std::int64_t evidence_id, const std::optional<std::int64_t>& start, const std::optional<std::string>& fs) {
    std::string s = "evidence " + num(evidence_id);
    if (start) s += ", volume at " + grouped(*start) + (fs ? " (" + h(*fs) + ")" : std::string());
    else s += ", no volume";
    return s;
  }
};

Status Html::head() {
  const std::string title = "Ferret case report" + (snap.case_number.empty() ? std::string() : ": " + snap.case_number);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         // Nothing may be fetched: no network, no fonts, no images but inline ones.
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
         "<meta name=\"referrer\" content=\"no-referrer\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"generator\" content=\"ferret-report " << h(kVersion) << "\">\n"
         "<title>" << h(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  out << "<header>\n<h1>" << h(title) << "</h1>\n<p class=\"note\">Case state as of <strong>"
      << (snap.as_of.empty() ? std::string("(no run has finished)") : h(snap.as_of))
      << "</strong> (the end of the last run this report covers). Prepared by <strong>"
      << (ctx.options.examiner.empty() ? std::string("(no examiner named)") : h(ctx.options.examiner)) << "</strong> with ferret-report "
      << h(kVersion) << " (build " << h(kBuildId) << ").</p>\n</header>\n";
  out << "<nav><strong>Contents</strong><ol>"
         "<li><a href=\"#case\">Case and evidence</a></li><li><a href=\"#scale\">Scale of the infringement</a></li>"
         "<li><a href=\"#timeline\">Timeline</a></li><li><a href=\"#artifacts\">Torrents and release artifacts</a></li>"
         "<li><a href=\"#matches\">Every match</a></li><li><a href=\"#custody\">Chain of custody</a></li></ol></nav>\n";
  return {};
}

Status Html::case_section() {
  out << "<section id=\"case\">\n<h2>1. Case and evidence</h2>\n<table class=\"kv\">\n";
  std::map<std::string, std::string> info;
  FERRET_TRY(snap.each("SELECT key, value FROM case_info ORDER BY key", [&](const casedb::Statement& s) -> Status {
    info[s.column_text(0)] = s.column_text(1);
    return {};
  }));
  kv("Case number", info.count("case_number") ? h(info["case_number"]) : std::string("<span class=\"note\">none recorded</span>"));
  if (info.count("created_at")) kv("Case created", h(info["created_at"]) + (info.count("created_by") ? " by " + h(info["created_by"]) : std::string()));
  kv("Report prepared by", ctx.options.examiner.empty() ? std::string("<span class=\"note\">not named</span>") : h(ctx.options.examiner));
  std::set<std::string> examiners;
  for (const RunRow& r : runs) {
    if (!r.examiner.empty()) examiners.insert(r.examiner);
  }
  std::string names;
  for (const auto& e : examiners) names += (names.empty() ? "" : ", ") + h(e);
  kv("Examiners who ran tools", names.empty() ? std::string("<span class=\"note\">none recorded</span>") : names);
  kv("Evidence items", num(static_cast<std::int64_t>(evidence.size())));
  out << "</table>\n";

  struct Counts { std::int64_t files = 0, allocated = 0, deleted = 0, carved = 0; };
  std::map<std::int64_t, Counts> counts;
  FERRET_TRY(snap.each("SELECT evidence_id, count(*), sum(allocated = 1), sum(allocated = 0 AND origin <> 'carved'), sum(origin = 'carved') "
                       "FROM files WHERE type = 'file' GROUP BY evidence_id ORDER BY evidence_id",
                       [&](const casedb::Statement& s) -> Status {
                         counts[s.column_int(0)] = {s.column_int(1), s.column_int(2), s.column_int(3), s.column_int(4)};
                         return {};
                       }));
  std::map<std::int64_t, std::vector<std::pair<std::string, std::int64_t>>> segments;
  FERRET_TRY(snap.each("SELECT evidence_id, path, size FROM evidence_segments ORDER BY evidence_id, seq", [&](const casedb::Statement& s) -> Status {
    segments[s.column_int(0)].emplace_back(s.column_text(1), s.column_int(2));
    return {};
  }));
  for (const EvidenceRow& e : evidence) {
    out << "<h3 id=\"evidence-" << e.evidence_id << "\">Evidence " << e.evidence_id << ": <span class=\"path\">" << h(e.path) << "</span></h3>\n<table class=\"kv\">\n";
    kv("Format", h(e.format));
    kv("Media size", size_html(e.size));
    kv("Sector size", num(e.sector_size) + " bytes");
    kv("MD5", "<span class=\"hash\">" + h(e.md5) + "</span>");
    kv("SHA-1", "<span class=\"hash\">" + h(e.sha1) + "</span>");
    kv("SHA-256", "<span class=\"hash\">" + h(e.sha256) + "</span>");
    if (e.case_number) kv("Case number (acquisition)", h(e.case_number));
    if (e.evidence_number) kv("Evidence number", h(e.evidence_number));
    if (e.examiner) kv("Acquired by", h(e.examiner));
    if (e.acquired_at) kv("Acquired at (UTC)", h(e.acquired_at));
    if (e.acquisition_software) kv("Acquisition software", h(e.acquisition_software));
    if (e.description) kv("Description", h(e.description));
    if (e.notes) kv("Notes", h(e.notes));
    if (e.stored_md5) kv("MD5 stored in the container", "<span class=\"hash\">" + h(e.stored_md5) + "</span>");
    if (e.stored_sha1) kv("SHA-1 stored in the container", "<span class=\"hash\">" + h(e.stored_sha1) + "</span>");
    kv("Stored hashes", !e.stored_hashes_match ? std::string("<span class=\"note\">none stored in the container</span>")
                        : *e.stored_hashes_match != 0
                            ? std::string("<span class=\"ok\">match the hashes computed at ingest</span>")
                            : std::string("<span class=\"warn\">DO NOT match the hashes computed at ingest</span>"));
    kv("Unreadable bytes", e.unreadable_bytes == 0 ? std::string("none")
                                                   : "<span class=\"warn\">" + size_html(e.unreadable_bytes) + "</span> (hashed as zeros; see the errors below)");
    if (auto it = segments.find(e.evidence_id); it != segments.end() && it->second.size() > 1) {
      std::string list = "<ul class=\"plain\">";
      for (const auto& [path, size] : it->second) list += "<li><span class=\"path\">" + h(path) + "</span> (" + size_html(size) + ")</li>";
      kv("Container files", list + "</ul>");
    }
    const Counts c = counts[e.evidence_id];
    kv("Files", grouped(c.files) + ": " + grouped(c.allocated) + " allocated, " + grouped(c.deleted) + " deleted, " + grouped(c.carved) +
                    " carved from unallocated space");
    if (e.ingest_run_id) kv("Ingested by", "run " + num(*e.ingest_run_id));
    out << "</table>\n";
  }

  out << "<h3>Volumes</h3>\n<table><thead><tr><th>Evidence</th><th class=\"num\">Start offset</th><th class=\"num\">Length</th><th>Partition</th>"
         "<th>File system</th><th class=\"num\">Block size</th><th>Problem</th></tr></thead><tbody>\n";
  for (const VolumeRow& v : volumes) {
    out << "<tr><td>" << v.evidence_id << "</td><td class=\"num\">" << grouped(v.start_offset) << "</td><td class=\"num\">" << grouped(v.length)
        << "</td><td>" << h(v.description) << (v.partition_slot ? " <span class=\"note\">(" + h(*v.partition_slot) + ")</span>" : std::string())
        << "</td><td>" << (v.fs_type ? h(*v.fs_type) : std::string("<span class=\"note\">none recognised</span>")) << "</td><td class=\"num\">"
        << (v.block_size ? grouped(*v.block_size) : std::string()) << "</td><td>" << h(v.fs_error) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";

  // What the custody log says. The report does not verify: ferret-verify does, and is a run.
  out << "<h3 id=\"verification\">Verification</h3>\n<table class=\"kv\">\n";
  auto entries = snap.count("SELECT count(*) FROM custody_log WHERE " + covered_run("run_id"));
  if (!entries.ok()) return entries.error();
  auto signed_entries = snap.count("SELECT count(*) FROM custody_log WHERE signature IS NOT NULL AND " + covered_run("run_id"));
  if (!signed_entries.ok()) return signed_entries.error();
  kv("Runs recorded", num(static_cast<std::int64_t>(runs.size())) + " <span class=\"note\">(report runs are not counted: see section 6)</span>");
  kv("Custody log entries", grouped(*entries) + " (" + grouped(*signed_entries) + " signed)");
  std::string chain_head;
  FERRET_TRY(snap.each("SELECT seq, entry_hash FROM custody_log WHERE " + covered_run("run_id") + " ORDER BY seq DESC LIMIT 1",
                       [&](const casedb::Statement& s) -> Status {
                         chain_head = "entry " + num(s.column_int(0)) + ": <span class=\"hash\">" + h(s.column_text(1)) + "</span>";
                         return {};
                       }));
  kv("Last entry covered", chain_head.empty() ? std::string("<span class=\"note\">none</span>") : chain_head);
  const RunRow* verify = nullptr;
  for (const RunRow& r : runs) {
    if (r.tool == "ferret-verify" && r.finished_at) verify = &r;
  }
  if (verify == nullptr) {
    kv("ferret-verify", "<span class=\"warn\">has not been run on this case</span>");
  } else {
    std::string text = "run " + num(verify->run_id) + ", finished " + h(*verify->finished_at) + ": exit " + exit_html(verify->exit_code);
    if (verify->exit_code && *verify->exit_code == 0) text += " &mdash; the chain, the seals and the evidence held";
    if (verify->command_line.find("--skip-evidence") != std::string::npos) text += " <span class=\"note\">(the evidence was not read again: --skip-evidence)</span>";
    kv("Last ferret-verify", text);
  }
  auto problems = snap.count("SELECT count(*) FROM errors");
  if (!problems.ok()) return problems.error();
  kv("Problems met in the evidence", *problems == 0 ? std::string("none") : "<span class=\"warn\">" + grouped(*problems) + "</span> (listed below)");
  out << "</table>\n";
  if (*problems > 0) {
    out << "<table><thead><tr><th class=\"num\">#</th><th>Run</th><th>Evidence</th><th>Kind</th><th class=\"num\">Image offset</th>"
           "<th class=\"num\">Length</th><th>Message</th></tr></thead><tbody>\n";
    FERRET_TRY(snap.each("SELECT error_id, run_id, evidence_id, kind, image_offset, length, message FROM errors ORDER BY error_id LIMIT 1000",
                         [&](const casedb::Statement& s) -> Status {
                           out << "<tr><td class=\"num\">" << s.column_int(0) << "</td><td>" << h(s.column_text(1)) << "</td><td>"
                               << h(s.column_text(2)) << "</td><td>" << h(s.column_text(3)) << "</td><td class=\"num\">"
                               << h(s.column_text(4)) << "</td><td class=\"num\">" << h(s.column_text(5)) << "</td><td>"
                               << h(s.column_text(6)) << "</td></tr>\n";
                           return {};
                         }));
    out << "</tbody></table>\n";
    if (*problems > 1000) out << "<p class=\"note\">The first 1,000 of " << grouped(*problems) << " are shown; errors.csv of the CSV report has them all.</p>\n";
  }
  out << "</section>\n";
  return {};
}

Status Html::scale_section() {
  out << "<section id=\"scale\">\n<h2>2. Scale of the infringement</h2>\n";
  auto notable = snap.count("SELECT count(DISTINCT file_id) FROM matches WHERE category = 'notable'");
  if (!notable.ok()) return notable.error();
  if (*notable == 0) {
    out << "<p>No file of the case matches a notable hash set.</p>\n";
  } else {
    out << "<p>Files whose content a <em>notable</em> hash set (known protected releases) lists, grouped by the title, release and rights "
           "holder the set gives. A copy is one file of the case (a file system entry or an item carved from unallocated space): "
           "<em>allocated</em> files were live on the device, <em>deleted</em> ones were still listed by the file system after "
           "deletion, <em>carved</em> ones were recovered from unallocated space by their structure alone.</p>\n";
    out << "<table id=\"scale-table\"><thead><tr><th>Title</th><th>Release</th><th>Rights holder</th><th class=\"num\">Copies</th>"
           "<th class=\"num\">Bytes</th><th class=\"num\">Allocated</th><th class=\"num\">Deleted</th><th class=\"num\">Carved</th></tr></thead><tbody>\n";
    static constexpr const char* kCounts =
        "count(*), coalesce(sum(f.size), 0), sum(f.allocated = 1), sum(f.allocated = 0 AND f.origin <> 'carved'), sum(f.origin = 'carved')";
    FERRET_TRY(snap.each(std::string("WITH m AS (SELECT DISTINCT file_id, title, release, rights_holder FROM matches WHERE category = 'notable') "
                                     "SELECT m.title, m.release, m.rights_holder, ") + kCounts +
                             " FROM m JOIN files f USING (file_id) GROUP BY m.title, m.release, m.rights_holder "
                             "ORDER BY m.title IS NULL, m.title, m.release, m.rights_holder",
                         [&](const casedb::Statement& s) -> Status {
                           out << "<tr><td>"
                               << (s.column_is_null(0) ? std::string("<span class=\"note\">(the set names no title)</span>") : h(s.column_text(0)))
                               << "</td><td>" << h(s.column_text(1)) << "</td><td>" << h(s.column_text(2)) << "</td><td class=\"num\">"
                               << grouped(s.column_int(3)) << "</td><td class=\"num\" title=\"" << h(bytes_text(s.column_int(4))) << "\">"
                               << grouped(s.column_int(4)) << "</td><td class=\"num\">" << grouped(s.column_int(5)) << "</td><td class=\"num\">"
                               << grouped(s.column_int(6)) << "</td><td class=\"num\">" << grouped(s.column_int(7)) << "</td></tr>\n";
                           return {};
                         }));
    out << "</tbody>\n";
    FERRET_TRY(snap.each(std::string("SELECT ") + kCounts +
                             " FROM files f WHERE f.file_id IN (SELECT file_id FROM matches WHERE category = 'notable')",
                         [&](const casedb::Statement& s) -> Status {
                           out << "<tfoot><tr><td colspan=\"3\">All notable files (each counted once)</td><td class=\"num\" id=\"notable-copies\">"
                               << grouped(s.column_int(0)) << "</td><td class=\"num\" title=\"" << h(bytes_text(s.column_int(1))) << "\">"
                               << grouped(s.column_int(1)) << "</td><td class=\"num\">" << grouped(s.column_int(2)) << "</td><td class=\"num\">"
                               << grouped(s.column_int(3)) << "</td><td class=\"num\">" << grouped(s.column_int(4)) << "</td></tr></tfoot>\n";
                           return {};
                         }));
    out << "</table>\n";
  }
  out << "<h3>Hash sets used</h3>\n";
  auto sets = snap.count("SELECT count(*) FROM (SELECT DISTINCT hashset, hashset_sha256 FROM matches)");
  if (!sets.ok()) return sets.error();
  if (*sets == 0) {
    out << "<p>No hash set matched any file (or ferret-match has not been run).</p>\n";
  } else {
    out << "<table><thead><tr><th>Hash set</th><th>Category</th><th>SHA-256 of the set file</th><th class=\"num\">Files matched</th>"
           "<th class=\"num\">Matches</th><th>Recorded by run</th></tr></thead><tbody>\n";
    FERRET_TRY(snap.each("SELECT hashset, category, hashset_sha256, count(DISTINCT file_id), count(*), group_concat(DISTINCT run_id) "
                         "FROM (SELECT * FROM matches ORDER BY run_id) GROUP BY hashset, category, hashset_sha256 ORDER BY hashset, category, hashset_sha256",
                         [&](const casedb::Statement& s) -> Status {
                           out << "<tr><td>" << h(s.column_text(0)) << "</td><td>" << h(s.column_text(1)) << "</td><td class=\"hash\">"
                               << h(s.column_text(2)) << "</td><td class=\"num\">" << grouped(s.column_int(3)) << "</td><td class=\"num\">"
                               << grouped(s.column_int(4)) << "</td><td>" << h(s.column_text(5)) << "</td></tr>\n";
                           return {};
                         }));
    out << "</tbody></table>\n";
  }
  out << "</section>\n";
  return {};
}

Status Html::timeline_section() {
  out << "<section id=\"timeline\">\n<h2>3. Timeline of the notable files</h2>\n";
  struct Event { double t; int lane; bool deleted; std::size_t file; };
  static constexpr const char* kLanes[] = {"created", "modified", "changed", "accessed"};
  std::vector<Event> events;
  std::vector<std::string> paths;
  std::int64_t without_times = 0;
  FERRET_TRY(snap.each("SELECT path, allocated, crtime, mtime, ctime, atime FROM files WHERE file_id IN "
                       "(SELECT file_id FROM matches WHERE category = 'notable') ORDER BY file_id",
                       [&](const casedb::Statement& s) -> Status {
                         const bool deleted = s.column_int(1) == 0;
                         bool any = false;
                         for (int lane = 0; lane < 4; ++lane) {
                           double t = 0;
                           if (parse_utc_time(s.column_text(2 + lane), t)) {
                             events.push_back({t, lane, deleted, paths.size()});
                             any = true;
                           }
                         }
                         if (!any) ++without_times;
                         paths.push_back(s.column_text(0));
                         return {};
                       }));
  if (events.empty()) {
    out << "<p>No notable file has a recorded time" << (without_times ? " (carved items have none: only a file system records times)" : "")
        << ".</p>\n</section>\n";
    return {};
  }
  out << "<p>When the matched content arrived on the device and when it was last touched: each mark is one or more notable files at that "
         "time (hover for the names). <em>Created</em> is when the file appeared on this file system; a copied file usually keeps the "
         "<em>modified</em> time of its source; <em>changed</em> is the last change of its metadata (on ext4 a deleted file's changed time "
         "is usually when it was deleted); <em>accessed</em> is the last read, where the file system records it. "
         "<span class=\"deleted\">Red crosses</span> are deleted files. FAT records local time without a zone: it is shown as recorded.</p>\n";
  double lo = events.front().t, hi = events.front().t;
  for (const Event& e : events) {
    lo = std::min(lo, e.t);
    hi = std::max(hi, e.t);
  }
  constexpr int kWidth = 1000, kLeft = 110, kRight = 30, kTop = 34, kLane = 46;
  constexpr int kPlot = kWidth - kLeft - kRight;
  const int height = kTop + 4 * kLane + 46;
  const auto x_of = [&](double t) { return hi > lo ? kLeft + (t - lo) / (hi - lo) * kPlot : kLeft + kPlot / 2.0; };
  // Marks that fall on the same pixel of a lane are drawn once, so the chart stays small whatever
  // the number of files; its title lists how many and the first few names.
  struct Mark { std::int64_t count = 0; double t = 0; std::vector<std::size_t> files; };
  std::map<std::tuple<int, int, bool>, Mark> marks;
  for (const Event& e : events) {
    Mark& m = marks[{e.lane, static_cast<int>(std::lround(x_of(e.t))), e.deleted}];
    if (m.count++ == 0) m.t = e.t;
    m.t = std::min(m.t, e.t);
    if (m.files.size() < 5) m.files.push_back(e.file);
  }
  out << "<svg class=\"timeline\" viewBox=\"0 0 " << kWidth << " " << height << "\" width=\"" << kWidth
      << "\" height=\"" << height << "\" role=\"img\" aria-labelledby=\"timeline-title\">\n<title id=\"timeline-title\">Times of the notable files, "
      << h(utc_iso8601(static_cast<std::time_t>(std::floor(lo)))) << " to " << h(utc_iso8601(static_cast<std::time_t>(std::floor(hi)))) << "</title>\n";
  out << "<g font-family=\"system-ui,sans-serif\" font-size=\"12\" fill=\"#1b1f24\">\n";
  out << "<circle cx=\"" << kLeft << "\" cy=\"14\" r=\"5\" fill=\"#1f5fbf\"/><text x=\"" << kLeft + 10 << "\" y=\"18\">allocated</text>\n";
  out << "<path d=\"M" << kLeft + 95 << " 9l10 10m0 -10l-10 10\" stroke=\"#b00020\" stroke-width=\"2.5\"/><text x=\"" << kLeft + 112
      << "\" y=\"18\">deleted</text>\n";
  for (int lane = 0; lane < 4; ++lane) {
    const int y = kTop + lane * kLane + kLane / 2;
    out << "<text x=\"" << kLeft - 10 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << kLanes[lane] << "</text>\n";
    out << "<line x1=\"" << kLeft << "\" y1=\"" << y << "\" x2=\"" << kLeft + kPlot << "\" y2=\"" << y << "\" stroke=\"#ccd3da\"/>\n";
  }
  const int axis = kTop + 4 * kLane + 6;
  out << "<line x1=\"" << kLeft << "\" y1=\"" << axis << "\" x2=\"" << kLeft + kPlot << "\" y2=\"" << axis << "\" stroke=\"#1b1f24\"/>\n";
  const bool long_range = hi - lo >= 2 * 86400.0;
  for (int k = 0; k <= 5; ++k) {
    const double t = hi > lo ? lo + (hi - lo) * k / 5 : lo;
    const double x = x_of(t);
    std::string label = utc_iso8601(static_cast<std::time_t>(std::floor(t)));
    label = long_range ? label.substr(0, 10) : label.substr(0, 10) + " " + label.substr(11, 5);
    char xs[32];
    std::snprintf(xs, sizeof xs, "%.1f", x);
    out << "<line x1=\"" << xs << "\" y1=\"" << axis << "\" x2=\"" << xs << "\" y2=\"" << axis + 5 << "\" stroke=\"#1b1f24\"/>"
        << "<text x=\"" << xs << "\" y=\"" << axis + 19 << "\" text-anchor=\"" << (k == 0 ? "start" : k == 5 ? "end" : "middle") << "\">"
        << h(label) << "</text>\n";
    if (hi <= lo) break;
  }
  for (const auto& [key, m] : marks) {
    const auto& [lane, x, deleted] = key;
    const int y = kTop + lane * kLane + kLane / 2;
    std::string title = std::string(kLanes[lane]) + " " + utc_iso8601(static_cast<std::time_t>(std::floor(m.t))) + ": " +
                        std::to_string(m.count) + (deleted ? " deleted" : "") + " file" + (m.count == 1 ? "" : "s");
    for (std::size_t i = 0; i < m.files.size(); ++i) title += (i == 0 ? " \xE2\x80\x94 " : "; ") + paths[m.files[i]];
    if (static_cast<std::size_t>(m.count) > m.files.size()) title += "; \xE2\x80\xA6";
    out << "<g><title>" << h(title) << "</title>";
    if (deleted) {
      out << "<path d=\"M" << x - 5 << " " << y - 5 << "l10 10m0 -10l-10 10\" stroke=\"#b00020\" stroke-width=\"2.5\"/>";
    } else {
      out << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"5\" fill=\"#1f5fbf\" fill-opacity=\"0.75\"/>";
    }
    out << "</g>\n";
  }
  out << "</g>\n</svg>\n";
  // The same in figures, for print and for readers of the text.
  out << "<table class=\"kv\"><thead><tr><th>Time</th><th>Earliest (UTC)</th><th>Latest (UTC)</th><th class=\"num\">Files</th>"
         "<th class=\"num\">Of which deleted</th></tr></thead><tbody>\n";
  for (int lane = 0; lane < 4; ++lane) {
    double first = 0, last = 0;
    std::int64_t n = 0, deleted = 0;
    for (const Event& e : events) {
      if (e.lane != lane) continue;
      if (n == 0 || e.t < first) first = e.t;
      if (n == 0 || e.t > last) last = e.t;
      ++n;
      if (e.deleted) ++deleted;
    }
    out << "<tr><th>" << kLanes[lane] << "</th>";
    if (n == 0) {
      out << "<td colspan=\"2\" class=\"note\">not recorded</td>";
    } else {
      out << "<td>" << h(utc_iso8601(static_cast<std::time_t>(std::floor(first)))) << "</td><td>"
          << h(utc_iso8601(static_cast<std::time_t>(std::floor(last)))) << "</td>";
    }
    out << "<td class=\"num\">" << grouped(n) << "</td><td class=\"num\">" << grouped(deleted) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
  if (without_times > 0) {
    out << "<p class=\"note\">" << grouped(without_times) << " notable file(s) have no recorded time (carved items: only a file system records times).</p>\n";
  }
  out << "</section>\n";
  return {};
}

Status Html::artifacts_section() {
  out << "<section id=\"artifacts\">\n<h2>4. Torrents and release artifacts</h2>\n";
  if (!snap.has_artifacts) {
    out << "<p class=\"note\">This case holds no parsed artifacts (its database has no artifact tables): torrents, releases and "
           "download records are not listed. The torrent and release files themselves appear among the files and matches.</p>\n</section>\n";
    return {};
  }
  static constexpr const char* kKinds = "('torrent', 'release', 'torrent_client_state', 'download')";
  auto total = snap.count(std::string("SELECT count(*) FROM artifacts WHERE kind IN ") + kKinds);
  if (!total.ok()) return total.error();
  if (*total == 0) {
    out << "<p>No torrent, release, torrent client state or download artifact was found.</p>\n</section>\n";
    return {};
  }
  const auto limit = static_cast<std::int64_t>(ctx.options.html_artifacts);
  out << "<p>" << grouped(*total) << " artifact(s) parsed from the files: torrents, releases, torrent client state and downloads.";
  if (*total > limit) out << " The first " << grouped(limit) << " are listed; artifacts.csv of the CSV report has them all.";
  out << "</p>\n<table><thead><tr><th class=\"num\">#</th><th>Kind</th><th>Found in</th><th>Plugin</th><th>Attributes</th></tr></thead><tbody>\n";
  auto attrs = snap.db.prepare("SELECT name, value FROM artifact_attributes WHERE artifact_id = ?1 ORDER BY name, value");
  if (!attrs.ok()) return attrs.error();
  FERRET_TRY(snap.each(std::string("SELECT a.artifact_id, a.kind, a.plugin, f.path, f.evidence_id, f.allocated, f.origin FROM artifacts a "
                                   "LEFT JOIN files f ON f.file_id = a.file_id WHERE a.kind IN ") + kKinds +
                           " ORDER BY CASE a.kind WHEN 'release' THEN 0 WHEN 'torrent' THEN 1 WHEN 'download' THEN 2 ELSE 3 END, a.artifact_id LIMIT ?1",
                       [&](const casedb::Statement& s) -> Status {
                         out << "<tr><td class=\"num\">" << s.column_int(0) << "</td><td>" << h(s.column_text(1)) << "</td><td class=\"path\">"
                             << h(s.column_text(3));
                         if (!s.column_is_null(4)) {
                           out << " <span class=\"note\">(evidence " << s.column_int(4)
                               << (s.column_text(6) == "carved" ? ", carved" : s.column_int(5) == 0 ? ", deleted" : "") << ")</span>";
                         }
                         out << "</td><td>" << h(s.column_text(2)) << "</td><td><ul class=\"plain\">";
                         attrs->reset();
                         attrs->bind(1, s.column_int(0));
                         for (int n = 0;; ++n) {
                           auto more = attrs->step();
                           if (!more.ok()) return more.error();
                           if (!*more) break;
                           if (n == 200) {
                             out << "<li class=\"note\">more attributes in artifact_attributes.csv</li>";
                             break;
                           }
                           out << "<li><strong>" << h(attrs->column_text(0)) << "</strong>: <span class=\"mono\">" << h(attrs->column_text(1))
                               << "</span></li>";
                         }
                         out << "</ul></td></tr>\n";
                         return {};
                       },
                       [&](casedb::Statement& s) { s.bind(1, limit); }));
  out << "</tbody></table>\n</section>\n";
  return {};
}

Status Html::matches_section() {
  out << "<section id=\"matches\">\n<h2>5. Every match</h2>\n";
  auto total = snap.count("SELECT count(*) FROM matches");
  if (!total.ok()) return total.error();
  const auto limit = static_cast<std::int64_t>(ctx.options.html_match_rows);
  out << "<p>One row per file, hash set and digest that matched (" << grouped(*total) << " in all), notable sets first. "
         "Byte runs give where the content lies on the medium: the offset from the first byte of the evidence and the length.</p>\n";
  if (*total > limit) {
    out << "<p class=\"warn\" id=\"match-limit\">This table shows the first " << grouped(limit) << " of " << grouped(*total)
        << " matches, to keep the page usable. matches.csv of the CSV report (ferret-report --format csv) lists them all.</p>\n";
  }
  if (*total == 0) {
    out << "<p>No match is recorded.</p>\n";
  }
  out << "<div id=\"match-controls\" hidden><label>Search <input id=\"match-search\" type=\"search\" placeholder=\"name, hash, title…\"></label>"
         "<label>Hash set <select id=\"match-set\"><option value=\"\">all</option></select></label></div>\n"
         "<p id=\"match-status\" class=\"note\" aria-live=\"polite\"></p>\n";
  out << "<div class=\"scroll\"><table id=\"match-table\"><thead><tr><th class=\"num\">Match</th><th>File</th><th>Where</th><th class=\"num\">Size</th>"
         "<th>Hashes</th><th>Hash set</th><th>Category</th><th>Matched on</th><th>Title</th><th>Release</th><th>Rights holder</th>"
         "<th>State</th><th>Carving</th><th>Byte runs (image offset, length)</th></tr></thead>\n<tbody>\n";
  auto runs_reader = RunReader::prepare(snap.db);
  if (!runs_reader.ok()) return runs_reader.error();
  std::uint64_t shown = 0;
  FERRET_TRY(snap.each(std::string("SELECT m.match_id, m.hashset, m.category, m.algorithm, m.hash, m.title, m.release, m.rights_holder, "
                                   "v.start_offset, v.fs_type, ") + kFileColumns +
                           " FROM matches m JOIN files f USING (file_id) LEFT JOIN volumes v ON v.volume_id = f.volume_id "
                           "ORDER BY m.category <> 'notable', m.category, m.title IS NULL, m.title, f.path, m.match_id LIMIT ?1",
                       [&](const casedb::Statement& s) -> Status {
                         ++shown;
                         const FileRow f = file_row(s, 10);
                         const std::string set = h(s.column_text(1));
                         hashset_names.insert(display_text(s.column_text(1)));
                         out << "<tr data-set=\"" << set << "\"><td class=\"num\" data-v=\"" << s.column_int(0) << "\">" << s.column_int(0)
                             << "</td><td class=\"path\">" << h(f.path) << "</td><td>"
                             << volume_label(f.evidence_id, s.column_optional_int(8), s.column_optional_text(9)) << "</td><td class=\"num\""
                             << (f.size ? " data-v=\"" + num(*f.size) + "\">" + grouped(*f.size) : std::string(">")) << "</td><td class=\"hash\">"
                             << (f.md5 ? "MD5 " + h(*f.md5) : std::string()) << (f.sha1 ? "<br>SHA-1 " + h(*f.sha1) : std::string())
                             << (f.sha256 ? "<br>SHA-256 " + h(*f.sha256) : std::string()) << "</td><td>" << set << "</td><td>"
                             << h(s.column_text(2)) << "</td><td>" << h(s.column_text(3)) << "</td><td>" << h(s.column_optional_text(5))
                             << "</td><td>" << h(s.column_optional_text(6)) << "</td><td>" << h(s.column_optional_text(7)) << "</td><td>"
                             << (f.origin == "carved" ? "<span class=\"carved\">carved</span>"
                                 : f.allocated        ? std::string("allocated")
                                                      : "<span class=\"deleted\">deleted</span>")
                             << "</td><td>"
                             << (f.carve_status ? h(*f.carve_status) + (f.carve_type ? " " + h(*f.carve_type) : std::string()) +
                                                      (f.carve_detail ? ": " + h(*f.carve_detail) : std::string())
                                                : std::string())
                             << "</td><td class=\"mono runs\">";
                         auto byte_runs = runs_reader->runs_of(f.file_id);
                         if (!byte_runs.ok()) return byte_runs.error();
                         std::size_t n = 0;
                         for (const ByteRun& r : *byte_runs) {
                           if (n == 20) {
                             out << "<br>&hellip; " << byte_runs->size() - n << " more (file_runs.csv)";
                             break;
                           }
                           out << (n++ == 0 ? "" : "<br>")
                               << (r.image_offset ? grouped(*r.image_offset) : std::string("sparse")) << ", " << grouped(r.length);
                         }
                         if (byte_runs->empty()) out << "<span class=\"note\">none (content kept in the metadata record, or none left)</span>";
                         out << "</td></tr>\n";
                         return {};
                       },
                       [&](casedb::Statement& s) { s.bind(1, limit); }));
  out << "</tbody></table></div>\n</section>\n";
  ctx.summary.matches_shown = shown;
  return {};
}

Status Html::custody_section() {
  out << "<section id=\"custody\">\n<h2>6. Chain of custody</h2>\n";
  out << "<p>Every run of a Ferret tool on this case, from the case's hash-chained custody log: what ran, who ran it, where and when (UTC), "
         "what it read (with SHA-256), the seals over the rows it wrote, and its log entries. <strong>ferret-verify</strong> checks all of "
         "it against the database and the evidence. Runs of ferret-report are not listed, so that making a report again gives the same "
         "bytes; each report's SHA-256 is recorded as an input of kind <code>report</code> of the run that wrote it (see "
         "docs/reports.md).</p>\n";
  std::map<std::int64_t, std::string> inputs, seals, entries;
  FERRET_TRY(snap.each("SELECT run_id, kind, path, sha256 FROM custody_inputs WHERE " + covered_run("run_id") + " ORDER BY run_id, seq",
                       [&](const casedb::Statement& s) -> Status {
                         inputs[s.column_int(0)] += "<li>" + h(s.column_text(1)) + ": <span class=\"path\">" + h(s.column_text(2)) +
                                                    "</span><br><span class=\"hash\">" + h(s.column_text(3)) + "</span></li>";
                         return {};
                       }));
  FERRET_TRY(snap.each("SELECT run_id, result_set, rows, digest FROM custody_seals WHERE " + covered_run("run_id") + " ORDER BY run_id, result_set",
                       [&](const casedb::Statement& s) -> Status {
                         seals[s.column_int(0)] += "<li>" + h(s.column_text(1)) + ": " + grouped(s.column_int(2)) +
                                                   " rows<br><span class=\"hash\">" + h(s.column_text(3)) + "</span></li>";
                         return {};
                       }));
  FERRET_TRY(snap.each("SELECT run_id, seq, kind, entry_hash, public_key, signature IS NOT NULL FROM custody_log WHERE " + covered_run("run_id") +
                           " ORDER BY seq",
                       [&](const casedb::Statement& s) -> Status {
                         std::string e = "<li>#" + num(s.column_int(1)) + " " + h(s.column_text(2)) + "<br><span class=\"hash\">" +
                                         h(s.column_text(3)) + "</span><br>";
                         e += s.column_int(5) != 0 ? "signed by key <span class=\"hash\">" + h(s.column_text(4)) + "</span>"
                                                   : std::string("<span class=\"note\">not signed</span>");
                         entries[s.column_int(0)] += e + "</li>";
                         return {};
                       }));
  out << "<div class=\"scroll\"><table id=\"custody-table\"><thead><tr><th class=\"num\">Run</th><th>Tool</th><th>Command line</th><th>Examiner, host</th>"
         "<th>Started, finished (UTC)</th><th>Exit</th><th>Inputs (SHA-256)</th><th>Seals (rows, digest)</th><th>Custody log entries</th>"
         "</tr></thead><tbody>\n";
  const auto list = [](const std::map<std::int64_t, std::string>& m, std::int64_t run) {
    auto it = m.find(run);
    return it == m.end() ? std::string("<span class=\"note\">none</span>") : "<ul class=\"plain\">" + it->second + "</ul>";
  };
  for (const RunRow& r : runs) {
    out << "<tr><td class=\"num\">" << r.run_id << "</td><td>" << h(r.tool) << "<br><span class=\"note\">" << h(r.version)
        << (r.build_id.empty() ? std::string() : ", build " + h(r.build_id)) << "</span></td><td class=\"mono cmd\">" << h(r.command_line)
        << "</td><td>" << h(r.examiner) << "<br><span class=\"note\">" << h(r.host) << "</span></td><td class=\"when\">" << h(r.started_at) << "<br>"
        << (r.finished_at ? h(*r.finished_at) : std::string("<span class=\"warn\">never finished</span>")) << "</td><td>"
        << exit_html(r.exit_code) << "</td><td>" << list(inputs, r.run_id) << "</td><td>" << list(seals, r.run_id) << "</td><td>"
        << list(entries, r.run_id) << "</td></tr>\n";
  }
  out << "</tbody></table></div>\n</section>\n";
  return {};
}

Status Html::tail() {
  out << "<footer><p class=\"note\">Made by ferret-report " << h(kVersion) << " (build " << h(kBuildId)
      << ") from the case as of " << (snap.as_of.empty() ? std::string("(no finished run)") : h(snap.as_of))
      << ". The same case gives the same report, byte for byte. The SHA-256 of this file is recorded in the case's custody log by the "
         "run that wrote it.</p></footer>\n";
  // Data for the script, as JSON that cannot end the <script> element: json_string escapes < > &.
  out << "<script type=\"application/json\" id=\"report-data\">{\"matches\":" << ctx.summary.matches << ",\"shown\":"
      << ctx.summary.matches_shown << ",\"hashsets\":[";
  bool first = true;
  for (const std::string& name : hashset_names) {
    std::string value = json_string(name);  // "://" as ":\/\/", for the reason h() gives
    for (std::size_t p = value.find("://"); p != std::string::npos; p = value.find("://", p)) value.replace(p, 3, ":\\/\\/");
    out << (first ? "" : ",") << value;
    first = false;
  }
  out << "]}</script>\n<script>" << kScript << "</script>\n</body>\n</html>\n";
  return {};
}

}  // namespace

Status write_html(WriteContext& ctx, OutputFile& out) {
  Html page{ctx, out, ctx.snap, {}, {}, {}, {}};
  auto evidence = read_evidence(ctx.snap);
  if (!evidence.ok()) return evidence.error();
  auto volumes = read_volumes(ctx.snap);
  if (!volumes.ok()) return volumes.error();
  auto runs = read_runs(ctx.snap);
  if (!runs.ok()) return runs.error();
  page.evidence = std::move(*evidence);
  page.volumes = std::move(*volumes);
  page.runs = std::move(*runs);
  FERRET_TRY(page.head());
  FERRET_TRY(page.case_section());
  FERRET_TRY(page.scale_section());
  FERRET_TRY(page.timeline_section());
  FERRET_TRY(page.artifacts_section());
  FERRET_TRY(page.matches_section());
  FERRET_TRY(page.custody_section());
  FERRET_TRY(page.tail());
  return {};
}

}  // namespace ferret::report
