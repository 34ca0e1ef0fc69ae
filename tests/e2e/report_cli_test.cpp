// ferret-report on cases built from the samples: every format is deterministic, holds every file
// and match, shows the hostile names of the demo image escaped (never raw), parses with outside
// tools (python3's XML, JSON and CSV readers, a headless Chromium), and its SHA-256 lands in the
// custody log, which ferret-verify still accepts.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <span>

#include "core/text.h"
#include "hash/digest.h"
#include "sample_manifest.h"
#include "tool_runner.h"

namespace ferret::test {
namespace {

namespace fs = std::filesystem;

bool have(const std::string& program) {
  std::string out;
  return run_shell("command -v " + program, out) == 0 && !out.empty();
}

std::string sha256_of(const fs::path& p) {
  const auto bytes = read_file_bytes(p);
  return hash::digest_all(std::span<const std::byte>(bytes)).sha256;
}

std::vector<std::string> column(casedb::Database& db, const std::string& sql) {
  std::vector<std::string> out;
  auto s = db.prepare(sql);
  EXPECT_TRUE(s.ok()) << sql;
  while (s.ok() && *s->step()) out.push_back(s->column_text(0));
  return out;
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ",\"" : "\"") + json_escape(items[i]) + "\"";
  return out + "]";
}

// Runs a python3 script (written to a file) with arguments; its stdout must be "OK".
std::string run_python(const TempDir& tmp, const std::string& name, const std::string& script, const std::vector<std::string>& args) {
  { std::ofstream(tmp / name) << script; }
  std::string cmd = "python3 " + shell_quote((tmp / name).string());
  for (const auto& a : args) cmd += " " + shell_quote(a);
  std::string out;
  run_shell(cmd + " 2>&1", out);
  return out;
}

constexpr const char* kDfxmlCheck = R"PY(
import json, sys, xml.etree.ElementTree as ET
exp = json.load(open(sys.argv[2], encoding='utf-8'))
D = '{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}'
root = ET.parse(sys.argv[1]).getroot()
fail = []
if root.tag != D + 'dfxml' or root.get('version') != '1.2.0': fail.append('root element %r %r' % (root.tag, root.get('version')))
if root.find(D + 'metadata') is None or root.find(D + 'creator/' + D + 'program').text != 'ferret-report': fail.append('metadata/creator')
if len(root.findall(D + 'source/' + D + 'image_filename')) != exp['evidence']: fail.append('source images')
fos = root.iter(D + 'fileobject')
names, runs, by_id = [], 0, {}
for fo in fos:
    names.append(fo.find(D + 'filename').text or '')
    brs = fo.findall(D + 'byte_runs/' + D + 'byte_run')
    runs += len(brs)
    by_id[fo.find(D + 'id').text] = [(b.get('img_offset'), b.get('len')) for b in brs]
if len(names) != exp['count']: fail.append('fileobjects: %d, files rows: %d' % (len(names), exp['count']))
if sorted(names) != sorted(exp['filenames']): fail.append('filenames differ: %r' % sorted(set(names) ^ set(exp['filenames']))[:20])
if runs != exp['byte_runs']: fail.append('byte runs: %d, file_runs rows: %d' % (runs, exp['byte_runs']))
for file_id, offset, length in exp['carved']:
    if by_id.get(str(file_id)) != [(str(offset), str(length))]: fail.append('carved item %d: %r' % (file_id, by_id.get(str(file_id))))
print('\n'.join(fail) if fail else 'OK')
)PY";

constexpr const char* kCaseCheck = R"PY(
import json, sys
doc = json.load(open(sys.argv[1], encoding='utf-8'))
exp = json.load(open(sys.argv[2], encoding='utf-8'))
fail = []
ctx = doc['@context']
for p in ['kb', 'case-investigation', 'uco-core', 'uco-observable', 'uco-action', 'uco-tool', 'uco-types', 'uco-vocabulary', 'xsd']:
    if p not in ctx: fail.append('no prefix ' + p)
if not ctx['kb'].startswith('urn:ferret:case:'): fail.append('kb ' + ctx['kb'])
graph = doc['@graph']
ids = [n['@id'] for n in graph]
if len(ids) != len(set(ids)): fail.append('duplicate @id')
def of(t): return [n for n in graph if n.get('@type') == t]
files = of('uco-observable:File')
if len(files) != len(exp['paths']): fail.append('%d File nodes for %d files rows' % (len(files), len(exp['paths'])))
paths = sorted(f['uco-core:hasFacet'][0]['uco-observable:filePath'] for f in files)
if paths != sorted(exp['paths']): fail.append('paths differ: %r' % sorted(set(paths) ^ set(exp['paths']))[:20])
if len(of('case-investigation:InvestigativeAction')) != exp['runs']: fail.append('actions %d, runs %d' % (len(of('case-investigation:InvestigativeAction')), exp['runs']))
if len(of('case-investigation:ProvenanceRecord')) != exp['evidence']: fail.append('provenance records')
rels = of('uco-core:Relationship')
if len(rels) != exp['matches']: fail.append('relationships %d, matches %d' % (len(rels), exp['matches']))
known = set(ids)
for r in rels:
    if r['uco-core:target']['@id'] not in known or any(s['@id'] not in known for s in r['uco-core:source']): fail.append('dangling ' + r['@id'])
for n in of('uco-types:Hash'): pass
for f in files:
    for facet in f['uco-core:hasFacet']:
        for h in facet.get('uco-observable:hash', []):
            if h['uco-types:hashMethod']['@type'] != 'uco-vocabulary:HashNameVocab' or h['uco-types:hashValue']['@type'] != 'xsd:hexBinary': fail.append('hash ' + f['@id'])
print('\n'.join(fail[:20]) if fail else 'OK')
)PY";

constexpr const char* kCsvCheck = R"PY(
import csv, json, os, sys
d = sys.argv[1]
exp = json.load(open(sys.argv[2], encoding='utf-8'))
fail = []
for name, n in sorted(exp['counts'].items()):
    raw = open(os.path.join(d, name), 'rb').read()
    if not raw.startswith(b'\xef\xbb\xbf') or not raw.endswith(b'\r\n'): fail.append(name + ': BOM or final CRLF missing')
    with open(os.path.join(d, name), newline='', encoding='utf-8-sig') as f:
        rows = list(csv.reader(f, strict=True))
    header, body = rows[0], rows[1:]
    if len(body) != n: fail.append('%s: %d rows, expected %d' % (name, len(body), n))
    for r in rows:
        if len(r) != len(header): fail.append('%s: a row of %d cells under %d columns' % (name, len(r), len(header)))
        for c in r:
            if c and c[0] in '=+-@\t\r': fail.append('%s: unguarded cell %r' % (name, c))
    if name == 'files.csv':
        paths = [r[header.index('path')] for r in body]
        want = ["'" + p if p[:1] in '=+-@\t\r' else p for p in exp['paths']]
        if paths != want: fail.append('files.csv paths differ: %r' % sorted(set(paths) ^ set(want))[:20])
        names = set(r[header.index('name')] for r in body)
        for g in exp['guarded']:
            if g not in names: fail.append('not guarded: %r' % g)
print('\n'.join(fail[:30]) if fail else 'OK')
)PY";

// The demo case (ingest --hash, a notable set made from part of the manifest, ferret-match) and the
// carving case (ingest --hash, ferret-carve, a notable set of carved videos, ferret-match), built once.
class ReportCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    const TempDir& tmp = *root_;
    ASSERT_EQ(run_tool("ferret-ingest", {"--case", demo().string(), "-q", "--hash", "--examiner", "Det. A. Example",
                                         "--case-number", "DEMO-<1>", sample("demo.raw").string()}).exit_code, 0);
    {
      std::ofstream csv(tmp / "releases.csv");
      csv << "md5,title,release,rights_holder\n";
      std::ifstream in(manifest_path("demo.tsv"));
      std::string line;
      std::set<std::string> seen;
      while (std::getline(in, line)) {
        const auto f = split_tabs(line);
        if (f.size() != 9 || f[1] != "file" || !seen.insert(f[4]).second) continue;
        const std::string& p = f[2];
        if (p.find("Night.Harbor") != std::string::npos && p.find(".mkv") != std::string::npos) {
          csv << f[4] << ",Night Harbor,Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP,\"Harbor Films, Ltd.\"\n";
        } else if (p.find("Quiet.Orbit") != std::string::npos && p.find(".mp4") != std::string::npos) {
          csv << f[4] << ",The Quiet Orbit,The.Quiet.Orbit.2025.720p.BluRay.x264-FRTGRP,\"Orbit <Pictures> & Co\"\n";
        } else if (p.find("Copper.Lanterns") != std::string::npos && p.find(".mkv") != std::string::npos) {
          csv << f[4] << ",Copper Lanterns S01E03,Copper.Lanterns.S01E03.1080p.WEBRip.x264-FRTGRP,Lantern TV\n";
        } else if (p.find(".torrent") != std::string::npos) {
          csv << f[4] << ",,,\n";  // a bare hash: no title
        }
      }
    }
    // The folders of hostile names, in a set of category 'other', so that they reach the match table.
    {
      std::ofstream odd(tmp / "odd.sha256");
      std::ifstream in(manifest_path("demo.tsv"));
      std::string line;
      while (std::getline(in, line)) {
        const auto f = split_tabs(line);
        if (f.size() == 9 && f[1] == "file" && (f[2].rfind("/Odd names/", 0) == 0 || f[2].rfind("/home/kestrel/odd names/", 0) == 0)) {
          odd << f[6] << "  x\n";
        }
      }
    }
    ASSERT_EQ(run_tool("ferret-hashset", {"import", "--out", (tmp / "releases.ferret-hashset").string(), "--name", "FRTGRP <releases>",
                                          "--category", "notable", (tmp / "releases.csv").string()}).exit_code, 0);
    ASSERT_EQ(run_tool("ferret-hashset", {"import", "--out", (tmp / "odd.ferret-hashset").string(), "--name", "Odd & \"hostile\" names",
                                          "--category", "other", (tmp / "odd.sha256").string()}).exit_code, 0);
    ASSERT_EQ(run_tool("ferret-match", {"--case", demo().string(), "-q", "--hashset", (tmp / "releases.ferret-hashset").string(),
                                        "--hashset", (tmp / "odd.ferret-hashset").string()}).exit_code, 0);
    // Torrents and releases, when the build has those plugins (a full build does): section 4 of the HTML.
    parsed_ = run_tool("ferret-parse", {"--case", demo().string(), "-q", "--plugin", "torrent", "--plugin", "release"}).exit_code == 0;

    ASSERT_EQ(run_tool("ferret-ingest", {"--case", carved().string(), "-q", "--hash", sample("carve.raw").string()}).exit_code, 0);
    ASSERT_EQ(run_tool("ferret-carve", {"--case", carved().string(), "-q"}).exit_code, 0);
    {
      std::ofstream set(tmp / "carved.sha256");
      std::ifstream in(manifest_path("carve.tsv"));
      std::string line;
      while (std::getline(in, line)) {
        const auto f = split_tabs(line);
        if (f.size() == 9 && (f[1] == "mp4" || f[1] == "matroska" || f[1] == "jpeg")) set << f[5] << "  " << f[0].substr(f[0].rfind('/') + 1) << "\n";
      }
    }
    ASSERT_EQ(run_tool("ferret-hashset", {"import", "--out", (tmp / "carved.ferret-hashset").string(), "--name", "Seized media",
                                          "--category", "notable", (tmp / "carved.sha256").string()}).exit_code, 0);
    ASSERT_EQ(run_tool("ferret-match", {"--case", carved().string(), "-q", "--hashset", (tmp / "carved.ferret-hashset").string()}).exit_code, 0);
  }
  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }
  static fs::path demo() { return *root_ / "demo"; }
  static fs::path carved() { return *root_ / "carved"; }

  // Runs ferret-report twice (to `name` and `name`.again): both exit 0 with identical bytes.
  static fs::path report_twice(const fs::path& case_dir, const std::string& format, const std::string& name) {
    const fs::path out = *root_ / name, again = *root_ / (name + ".again");
    for (const fs::path& p : {out, again}) {
      const auto run = run_tool("ferret-report", {"--case", case_dir.string(), "--format", format, "--out", p.string(), "--examiner",
                                                  "Det. A. Example", "--quiet"});
      EXPECT_EQ(run.exit_code, 0) << run.err;
    }
    if (fs::is_directory(out)) {
      std::set<std::string> a, b;
      for (const auto& e : fs::directory_iterator(out)) a.insert(e.path().filename().string());
      for (const auto& e : fs::directory_iterator(again)) b.insert(e.path().filename().string());
      EXPECT_EQ(a, b);
      for (const auto& f : a) EXPECT_TRUE(slurp(out / f) == slurp(again / f)) << f << " differs between two runs";
    } else {
      EXPECT_TRUE(slurp(out) == slurp(again)) << format << " report differs between two runs";
    }
    return out;
  }

  static TempDir* root_;
  static bool parsed_;  // ferret-parse found torrents and releases in the demo case
};
TempDir* ReportCli::root_ = nullptr;
bool ReportCli::parsed_ = false;

// Markup, quotes, control characters and the right-to-left override of the demo's hostile names.
void expect_no_raw_hostile_names(const std::string& text, const std::string& what) {
  for (const char* raw : {"<script>alert", "<img src=x", "<b>bold", "\xE2\x80\xAE", "line\nbreak"}) {
    EXPECT_EQ(text.find(raw), std::string::npos) << what << " holds the raw name part " << display_text(raw);
  }
}

TEST_F(ReportCli, HtmlIsDeterministicEscapedSelfContainedAndInTheCustodyLog) {
  const fs::path out = report_twice(demo(), "html", "demo.html");
  const std::string html = slurp(out);
  expect_no_raw_hostile_names(html, "the HTML report");
  for (const char* escaped : {"&lt;script&gt;alert(1)&lt;\\script&gt;.txt", "&lt;img src=x onerror=alert(&#39;ferret&#39;)&gt;.jpg",
                              "&quot;double&quot; and &#39;single&#39; quotes.txt", "line\\x0abreak\\x09tab.txt", "invoice\\u{202E}txt.exe",
                              "$(reboot); rm -rf ~ #.txt", "=HYPERLINK(&quot;http:\\\\example.invalid&quot;),1.csv",
                              "Orbit &lt;Pictures&gt; &amp; Co", "DEMO-&lt;1&gt;", "FRTGRP &lt;releases&gt;",
                              "Odd &amp; &quot;hostile&quot; names"}) {
    EXPECT_NE(html.find(escaped), std::string::npos) << "missing: " << escaped;
  }
  // Nothing to fetch: no URL at all, a policy that forbids loads, no src attributes.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  // No element loads anything, and every link is to a place in the page (names from the evidence
  // hold "src=", escaped, so look at tags only: every '<' of a value is escaped).
  EXPECT_FALSE(std::regex_search(html, std::regex("<[a-zA-Z][^<>]*\\s(src|srcset|action|data|poster)\\s*=")));
  EXPECT_FALSE(std::regex_search(html, std::regex("<[a-zA-Z][^<>]*\\shref\\s*=\\s*\"[^#]")));
  EXPECT_FALSE(std::regex_search(html, std::regex("url\\s*\\(|@import|<link|<iframe|<object|<embed", std::regex::icase)));
  EXPECT_NE(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"), std::string::npos);
  for (const char* heading : {"1. Case and evidence", "2. Scale of the infringement", "3. Timeline of the notable files",
                              "4. Torrents and release artifacts", "5. Every match", "6. Chain of custody", "<svg class=\"timeline\""}) {
    EXPECT_NE(html.find(heading), std::string::npos) << heading;
  }
  auto db = open_case(demo());
  const auto copies = query_int(db, "SELECT count(DISTINCT file_id) FROM matches WHERE category = 'notable'");
  ASSERT_GT(copies, 5);
  EXPECT_NE(html.find("id=\"notable-copies\">" + std::to_string(copies) + "<"), std::string::npos);
  // Every match has a row; no report run is listed.
  std::size_t rows = 0;
  for (std::size_t p = html.find("<tr data-set="); p != std::string::npos; p = html.find("<tr data-set=", p + 1)) ++rows;
  EXPECT_EQ(static_cast<std::int64_t>(rows), query_int(db, "SELECT count(*) FROM matches"));
  EXPECT_EQ(html.find("--format html"), std::string::npos);
  // Torrents and releases the plugins found, with their attributes (a tracker URL reads as one, but is no link).
  if (parsed_) {
    EXPECT_NE(html.find("<td>torrent</td>"), std::string::npos);
    EXPECT_NE(html.find("<td>release</td>"), std::string::npos);
    EXPECT_NE(html.find("Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP"), std::string::npos);
    EXPECT_NE(html.find("udp:&#47;&#47;tracker.example.invalid"), std::string::npos);
    EXPECT_EQ(html.find("torrent_file</td>"), std::string::npos);  // only the four kinds the section is about
  } else {
    std::cerr << "[   INFO   ] ferret-parse or its torrent/release plugins are not built: section 4 is checked empty only\n";
  }
  // The report's SHA-256 is in the custody log, as an input of kind 'report' of the run that wrote it.
  EXPECT_EQ(query_text(db, "SELECT sha256 FROM custody_inputs WHERE kind = 'report' AND path = '" + fs::absolute(out).string() + "'"),
            sha256_of(out));
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM custody_inputs i JOIN runs r USING (run_id) WHERE i.kind = 'report' AND r.tool = 'ferret-report'"), 2);
  const auto verify = run_tool("ferret-verify", {"--case", demo().string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // A verified case says so in the next report.
  const fs::path after = *root_ / "after-verify.html";
  ASSERT_EQ(run_tool("ferret-report", {"--case", demo().string(), "--format", "html", "--out", after.string(), "-q"}).exit_code, 0);
  EXPECT_NE(slurp(after).find("the chain, the seals and the evidence held"), std::string::npos);
}

// Requests a page made, from Chromium's net log: those whose network isolation key is the file://
// page (the browser's own background requests, to update or time servers, have none).
constexpr const char* kNetLogCheck = R"PY(
import json, sys
text = open(sys.argv[1], encoding='utf-8').read()
try:
    log = json.loads(text)
except ValueError:  # a log cut short: close it
    log = json.loads(text.rstrip().rstrip(',') + ']}')
types = {v: k for k, v in log['constants']['logEventTypes'].items()}
made = set()
for e in log['events']:
    p = e.get('params') or {}
    if types.get(e['type']) == 'URL_REQUEST_START_JOB':
        url = str(p.get('url', ''))
        origin = str(p.get('network_isolation_key', '')) + ' ' + str(p.get('site_for_cookies', ''))
        if not url.startswith('file:') and 'file://' in origin:
            made.add(url)
print('\n'.join(sorted(made)) if made else 'OK')
)PY";

struct BrowserRun {
  int status = -1;
  std::string dom, log, requests;  // requests: "OK" or the URLs the page asked for
};

// Loads `page` in headless Chromium with every name resolving to nothing and every proxied request
// going to a closed port, and returns the DOM after load, the console log and the page's requests.
BrowserRun load_in_chromium(const fs::path& page, const fs::path& work) {
  const fs::path profile = work / "profile", netlog = work / "netlog.json", log = work / "chromium.log";
  fs::create_directories(work);
  const std::string cmd =
      "timeout 90 chromium --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check "
      "--disable-background-networking --disable-component-update --disable-sync --disable-extensions "
      "--host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=127.0.0.1:9 --user-data-dir=" + shell_quote(profile.string()) +
      " --log-net-log=" + shell_quote(netlog.string()) + " --enable-logging=stderr --v=0 --virtual-time-budget=3000 --dump-dom " +
      shell_quote("file://" + page.string()) + " 2>" + shell_quote(log.string());
  BrowserRun run;
  run.status = run_shell(cmd, run.dom);
  run.log = slurp(log);
  TempDir scripts;
  run.requests = run_python(scripts, "netlog.py", kNetLogCheck, {netlog.string()});
  return run;
}

TEST_F(ReportCli, HtmlRendersInAHeadlessBrowserWithoutErrorsOrNetworkRequests) {
  if (!have("chromium")) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  if (!have("python3")) GTEST_SKIP() << "python3 is not installed (it reads Chromium's net log)";
  // The check itself: a page that loads an image and fetches is seen doing so.
  const fs::path probe = *root_ / "probe.html";
  { std::ofstream(probe) << "<!DOCTYPE html><img src=\"http://probe.invalid/x.png\"><script>fetch('https://probe.invalid/y')</script>"; }
  const BrowserRun seen = load_in_chromium(probe, *root_ / "chromium-probe");
  ASSERT_EQ(seen.status, 0) << seen.log;
  EXPECT_NE(seen.requests.find("http://probe.invalid/x.png"), std::string::npos) << seen.requests;
  EXPECT_NE(seen.log.find("CONSOLE"), std::string::npos) << "the failed fetch should show on the console";

  const fs::path out = *root_ / "browser.html";
  ASSERT_EQ(run_tool("ferret-report", {"--case", demo().string(), "--format", "html", "--out", out.string(), "-q"}).exit_code, 0);
  const BrowserRun run = load_in_chromium(out, *root_ / "chromium-report");
  ASSERT_EQ(run.status, 0) << run.log;
  EXPECT_EQ(run.requests, "OK\n") << "the report made requests";
  for (const char* heading : {"1. Case and evidence", "2. Scale of the infringement", "3. Timeline of the notable files",
                              "4. Torrents and release artifacts", "5. Every match", "6. Chain of custody"}) {
    EXPECT_NE(run.dom.find(heading), std::string::npos) << heading;
  }
  auto db = open_case(demo());
  const auto matches = std::to_string(query_int(db, "SELECT count(*) FROM matches"));
  // The script ran: it fills this line and shows the search controls.
  EXPECT_NE(run.dom.find("Showing " + matches + " of " + matches + " match rows."), std::string::npos) << run.dom.substr(0, 3000);
  EXPECT_EQ(run.dom.find("id=\"match-controls\" hidden"), std::string::npos);
  EXPECT_NE(run.dom.find("id=\"notable-copies\">" +
                         std::to_string(query_int(db, "SELECT count(DISTINCT file_id) FROM matches WHERE category = 'notable'")) + "<"),
            std::string::npos);
  expect_no_raw_hostile_names(run.dom, "the rendered DOM");
  // Nothing on the console (no error, no policy violation).
  for (const char* bad : {"CONSOLE", "Uncaught", "Refused to", "Content Security Policy"}) {
    EXPECT_EQ(run.log.find(bad), std::string::npos) << bad << " in:\n" << run.log;
  }
}

TEST_F(ReportCli, DfxmlIsWellFormedWithOneFileobjectPerFileRow) {
  if (!have("python3")) GTEST_SKIP() << "python3 is not installed";
  const fs::path out = report_twice(demo(), "dfxml", "demo.xml");
  expect_no_raw_hostile_names(slurp(out), "the DFXML report");
  auto db = open_case(demo());
  std::vector<std::string> names;
  for (const std::string& p : column(db, "SELECT path FROM files")) names.push_back(display_text(p.substr(p.front() == '/' ? 1 : 0)));
  EXPECT_TRUE(std::find(names.begin(), names.end(), "home/kestrel/odd names/<script>alert(1)<\\script>.txt") != names.end());
  const TempDir tmp;
  { std::ofstream(tmp / "expect.json") << "{\"count\":" << names.size() << ",\"evidence\":1,\"byte_runs\":"
                                         << query_int(db, "SELECT count(*) FROM file_runs") << ",\"carved\":[],\"filenames\":" << json_list(names) << "}"; }
  EXPECT_EQ(run_python(tmp, "check.py", kDfxmlCheck, {out.string(), (tmp / "expect.json").string()}), "OK\n");
}

TEST_F(ReportCli, CaseJsonLdParsesWithOneFilePerFileOfTypeFile) {
  if (!have("python3")) GTEST_SKIP() << "python3 is not installed";
  const fs::path out = report_twice(demo(), "case", "demo.jsonld");
  expect_no_raw_hostile_names(slurp(out), "the CASE report");
  auto db = open_case(demo());
  const auto paths = column(db, "SELECT path FROM files WHERE type = 'file'");
  EXPECT_TRUE(std::find(paths.begin(), paths.end(), "/home/kestrel/odd names/line\nbreak\ttab.txt") != paths.end());
  const TempDir tmp;
  { std::ofstream(tmp / "expect.json") << "{\"paths\":" << json_list(paths) << ",\"evidence\":1,\"runs\":"
                                         << query_int(db, "SELECT count(*) FROM runs WHERE tool <> 'ferret-report'") << ",\"matches\":"
                                         << query_int(db, "SELECT count(*) FROM matches") << "}"; }
  EXPECT_EQ(run_python(tmp, "check.py", kCaseCheck, {out.string(), (tmp / "expect.json").string()}), "OK\n");
}

TEST_F(ReportCli, CsvTablesParseAsRfc4180WithEveryRowAndNoFormula) {
  if (!have("python3")) GTEST_SKIP() << "python3 is not installed";
  const fs::path out = report_twice(demo(), "csv", "demo-csv");
  auto db = open_case(demo());
  const std::string covered = " WHERE run_id NOT IN (SELECT run_id FROM runs WHERE tool = 'ferret-report')";
  const std::vector<std::pair<std::string, std::string>> counts = {
      {"case_info.csv", "SELECT count(*) FROM case_info"}, {"evidence.csv", "SELECT count(*) FROM evidence"},
      {"volumes.csv", "SELECT count(*) FROM volumes"}, {"files.csv", "SELECT count(*) FROM files"},
      {"file_runs.csv", "SELECT count(*) FROM file_runs"}, {"matches.csv", "SELECT count(*) FROM matches"},
      {"extractions.csv", "SELECT count(*) FROM extractions"}, {"errors.csv", "SELECT count(*) FROM errors"},
      {"runs.csv", "SELECT count(*) FROM runs" + covered}, {"custody.csv", "SELECT count(*) FROM custody_log" + covered},
      {"custody_inputs.csv", "SELECT count(*) FROM custody_inputs" + covered}, {"custody_seals.csv", "SELECT count(*) FROM custody_seals" + covered},
      {"artifacts.csv", "SELECT count(*) FROM artifacts"}, {"artifact_attributes.csv", "SELECT count(*) FROM artifact_attributes"}};
  std::string expect = "{\"counts\":{";
  for (std::size_t i = 0; i < counts.size(); ++i) expect += (i ? ",\"" : "\"") + counts[i].first + "\":" + std::to_string(query_int(db, counts[i].second));
  const auto guarded = column(db, "SELECT '''' || name FROM files WHERE substr(name, 1, 1) IN ('=', '+', '-', '@') ORDER BY file_id");
  EXPECT_FALSE(guarded.empty());
  expect += "},\"paths\":" + json_list(column(db, "SELECT path FROM files ORDER BY file_id")) + ",\"guarded\":" + json_list(guarded) + "}";
  const TempDir tmp;
  { std::ofstream(tmp / "expect.json") << expect; }
  EXPECT_EQ(run_python(tmp, "check.py", kCsvCheck, {out.string(), (tmp / "expect.json").string()}), "OK\n");
  // One custody input per CSV file, each with that file's SHA-256.
  for (const auto& [name, sql] : counts) {
    EXPECT_EQ(query_text(db, "SELECT sha256 FROM custody_inputs WHERE kind = 'report' AND path = '" + (fs::absolute(out) / name).string() + "'"),
              sha256_of(out / name))
        << name;
  }
}

TEST_F(ReportCli, CarvedItemsAreCountedAndLocatedInEveryFormat) {
  auto db = open_case(carved());
  const auto carved_notable = query_int(db, "SELECT count(DISTINCT m.file_id) FROM matches m JOIN files f USING (file_id) "
                                            "WHERE m.category = 'notable' AND f.origin = 'carved'");
  ASSERT_GT(carved_notable, 0) << "the set of carved videos and pictures should match carved items";
  const std::string html = slurp(report_twice(carved(), "html", "carved.html"));
  EXPECT_NE(html.find("id=\"notable-copies\">" + std::to_string(query_int(db, "SELECT count(DISTINCT file_id) FROM matches WHERE category = 'notable'"))),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"carved\">carved</span>"), std::string::npos);
  const fs::path xml = report_twice(carved(), "dfxml", "carved.xml");
  const fs::path jsonld = report_twice(carved(), "case", "carved.jsonld");
  if (!have("python3")) GTEST_SKIP() << "python3 is not installed";
  std::string items = "[";
  {
    auto s = db.prepare("SELECT file_id, carve_offset, size FROM files WHERE origin = 'carved' ORDER BY file_id");
    ASSERT_TRUE(s.ok());
    for (bool first = true; *s->step(); first = false) {
      items += (first ? "[" : ",[") + std::to_string(s->column_int(0)) + "," + std::to_string(s->column_int(1)) + "," + std::to_string(s->column_int(2)) + "]";
    }
  }
  items += "]";
  std::vector<std::string> names;
  for (const std::string& p : column(db, "SELECT path FROM files")) names.push_back(display_text(p.substr(p.front() == '/' ? 1 : 0)));
  const TempDir tmp;
  { std::ofstream(tmp / "expect.json") << "{\"count\":" << names.size() << ",\"evidence\":1,\"byte_runs\":"
                                         << query_int(db, "SELECT count(*) FROM file_runs") << ",\"carved\":" << items << ",\"filenames\":" << json_list(names) << "}"; }
  EXPECT_EQ(run_python(tmp, "dfxml.py", kDfxmlCheck, {xml.string(), (tmp / "expect.json").string()}), "OK\n");
  { std::ofstream(tmp / "expect-case.json") << "{\"paths\":" << json_list(column(db, "SELECT path FROM files WHERE type = 'file'"))
                                              << ",\"evidence\":1,\"runs\":" << query_int(db, "SELECT count(*) FROM runs WHERE tool <> 'ferret-report'")
                                              << ",\"matches\":" << query_int(db, "SELECT count(*) FROM matches") << "}"; }
  EXPECT_EQ(run_python(tmp, "case.py", kCaseCheck, {jsonld.string(), (tmp / "expect-case.json").string()}), "OK\n");
}

TEST_F(ReportCli, RefusesBadOptionsAndNeverReplacesWithoutForce) {
  const fs::path out = *root_ / "kept.html";
  { std::ofstream(out) << "an earlier report"; }
  EXPECT_EQ(run_tool("ferret-report", {"--case", demo().string(), "--out", out.string()}).exit_code, 1);
  EXPECT_EQ(run_tool("ferret-report", {"--case", demo().string(), "--format", "pdf", "--out", out.string()}).exit_code, 1);
  EXPECT_EQ(run_tool("ferret-report", {"--case", demo().string(), "--format", "html"}).exit_code, 1);
  const auto refused = run_tool("ferret-report", {"--case", demo().string(), "--format", "html", "--out", out.string()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(slurp(out), "an earlier report");
  const auto forced = run_tool("ferret-report", {"--case", demo().string(), "--format", "html", "--out", out.string(), "--force", "--json"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(slurp(out).find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(forced.out.find("\"sha256\":\"" + sha256_of(out) + "\""), std::string::npos) << forced.out;
  EXPECT_EQ(run_tool("ferret-report", {"--help"}).exit_code, 0);
  EXPECT_NE(run_tool("ferret-report", {"--case", (*root_ / "no-such-case").string(), "--format", "csv", "--out", (*root_ / "x").string()}).exit_code, 0);
}

}  // namespace
}  // namespace ferret::test
