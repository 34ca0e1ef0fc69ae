// ferret-hashset: import hash lists into a reusable hash-set file, describe a set, look hashes up.
#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "core/text.h"
#include "ferret/version.h"
#include "hashset/format.h"
#include "hashset/import.h"
#include "hashset/json_reader.h"

namespace po = boost::program_options;
using namespace ferret;
using namespace ferret::hashset;

namespace {

constexpr const char* kTool = "ferret-hashset";

constexpr const char* kOverview =
    "Usage: ferret-hashset import --out SET --name NAME --category notable|known-good|other [options] FILE...\n"
    "       ferret-hashset info SET [--verify] [--json]\n"
    "       ferret-hashset lookup SET HASH... [--json]\n\n"
    "A hash set is one file (e.g. releases.ferret-hashset), reusable across cases: sorted MD5/SHA-1/SHA-256\n"
    "indexes, memory-mapped for lookups, plus the set's name, category, sources with their SHA-256, and\n"
    "the lines it rejected. 'ferret-hashset COMMAND --help' describes each command.\n\n"
    "Exit codes: 0 ok, 1 usage error, 2 failure (no set written, or the set is unusable), 3 imported but\n"
    "some lines were rejected (listed with their line numbers), 130 interrupted (no set written).\n";

int usage_error(const std::string& message, const std::string& command) {
  std::cerr << kTool << ": " << message << "\nTry '" << kTool << (command.empty() ? "" : " " + command) << " --help'.\n";
  return cli::kExitUsage;
}

// For human output: invalid UTF-8 and control characters shown as escapes, so a name cannot break a line.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : escape_invalid_utf8(s)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string json_str(std::string_view s) { return "\"" + json_escape(escape_invalid_utf8(s)) + "\""; }

// Built by appending: GCC 12 warns (-Wrestrict, a false positive) on the inlined string::insert.
std::string with_commas(std::uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

bool parse_args(po::options_description& options, po::positional_options_description& positional, int argc, char** argv,
                po::variables_map& vm, const std::string& command, int& exit_code) {
  try {
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    exit_code = usage_error(e.what(), command);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
int run_import(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-hashset import --out SET --name NAME --category notable|known-good|other [options] FILE...\n\n"
      "Reads hash lists and writes them as one hash-set file. Formats are told from the content, per file\n"
      "(--format F forces one for every FILE):\n"
      "  md5sum, sha1sum, sha256sum  md5sum/sha1sum/sha256sum output (GNU and BSD-tag forms, '*' binary\n"
      "                              marker, '\\'-escaped names)\n"
      "  hashdeep    any of its md5/sha1/sha256/tiger/whirlpool columns (tiger and whirlpool are checked,\n"
      "              not kept), with size and file name\n"
      "  csv         a header naming an md5, sha1 or sha256 column, plus optional title, release,\n"
      "              rights_holder, url, filename and size columns\n"
      "  nsrl-rds2   NSRL RDS 2.x NSRLFile.txt (\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",...): SHA-1\n"
      "              and MD5, file name and size\n"
      "  nsrl-rdsv3  NSRL RDSv3 SQLite database (told by its magic): the DISTINCT_HASH view if present\n"
      "              (sha256, sha1, md5), else the FILE table (with file_name, file_size); opened\n"
      "              read-only and immutable, never written; row numbers stand for line numbers\n"
      "  vics-json   Project VIC VICS JSON 1.x and 2.0, read as a stream: MD5, SHA1, SHA256 and\n"
      "              AlternativeHashes, MediaSize and file name of each Media object; the 'line' of a\n"
      "              reject is the Media object's 1-based index in the document\n"
      "Any text format may be gzip-compressed. A zip archive (stored or deflate members, ZIP64) is\n"
      "read member by member, each a source named ARCHIVE!MEMBER with its own format; its CRC-32 is\n"
      "checked. Malformed lines are rejected with their line number and the rest is imported; a source\n"
      "that ends early (damaged gzip or zip member, truncated JSON) keeps what came before it.\n\n"
      "The import sorts externally: hashes are buffered up to --memory, then sorted runs go to a temporary\n"
      "directory beside SET and are merged at the end. Memory use stays at about that budget plus a few\n"
      "MiB, whatever the size of the lists. SET is written to SET.tmp and renamed when complete.\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 failure (nothing written: unreadable input, unknown format,\n"
      "or not one line could be imported), 3 written but some lines were rejected, 130 interrupted.\n\nOptions");
  visible.add_options()
      ("out", po::value<std::string>()->value_name("SET"), "the hash-set file to write")
      ("name", po::value<std::string>()->value_name("NAME"), "the set's name, shown in matches")
      ("category", po::value<std::string>()->value_name("C"), "notable, known-good or other")
      ("format", po::value<std::string>()->value_name("F"),
       "md5sum, sha1sum, sha256sum, hashdeep, csv, nsrl-rds2, nsrl-rdsv3 or vics-json for every FILE (default: detected per file)")
      ("memory", po::value<unsigned>()->value_name("MiB")->default_value(256), "memory budget for sorting (at least 16)")
      ("force", "replace SET if it exists")
      ("json", "print a JSON summary on stdout (the human summary goes to stderr)")
      ("quiet,q", "no progress line and no human summary")
      ("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("file", -1);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_args(all, positional, argc, argv, vm, "import", exit_code)) return exit_code;
  if (vm.count("help")) {
    std::cout << visible << "\nExample:\n  ferret-hashset import --out releases.ferret-hashset --name \"Studio releases 2026\" "
                            "--category notable studio.md5 extra.csv.gz\n";
    return cli::kExitOk;
  }
  if (!vm.count("out")) return usage_error("--out SET is required", "import");
  if (!vm.count("name") || vm["name"].as<std::string>().empty()) return usage_error("--name NAME is required", "import");
  if (!vm.count("category")) return usage_error("--category notable|known-good|other is required", "import");
  if (!vm.count("file")) return usage_error("no hash list given (FILE...)", "import");
  ImportOptions options;
  options.name = vm["name"].as<std::string>();
  const auto category = category_from_name(vm["category"].as<std::string>());
  if (!category) return usage_error("--category must be notable, known-good or other", "import");
  options.category = *category;
  if (vm.count("format")) {
    options.format = format_from_name(vm["format"].as<std::string>());
    if (!options.format) return usage_error("--format must be md5sum, sha1sum, sha256sum, hashdeep, csv, nsrl-rds2, nsrl-rdsv3 or vics-json", "import");
  }
  const unsigned memory = vm["memory"].as<unsigned>();
  if (memory < 16 || memory > 65536) return usage_error("--memory must be between 16 and 65536 MiB", "import");
  options.memory_budget = std::uint64_t{memory} << 20;
  options.overwrite = vm.count("force") > 0;
  const bool json = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  std::ostream& human = json ? std::cerr : std::cout;
  options.cancel = &cli::install_interrupt_flag();

  std::vector<std::filesystem::path> inputs;
  for (const auto& f : vm["file"].as<std::vector<std::string>>()) inputs.emplace_back(f);
  const std::filesystem::path out = vm["out"].as<std::string>();

  cli::ProgressLine progress_line;
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  if (!quiet && progress_line.enabled()) {
    options.progress = [&](const ImportProgress& p) {
      if (p.phase == "reading" && p.rows) {
        progress_line.update("reading " + std::to_string(p.source) + "/" + std::to_string(p.sources) + " " + std::to_string(p.done) + " rows");
      } else if (p.phase == "reading") {
        progress_line.update("reading " + std::to_string(p.source) + "/" + std::to_string(p.sources) + " " +
                             human_bytes(static_cast<double>(p.done)) + "/" + human_bytes(static_cast<double>(p.total)) + " " +
                             cli::rate_and_eta(p.done, p.total, elapsed()));
      } else {
        const int pct = p.total > 0 ? static_cast<int>(100.0 * static_cast<double>(p.done) / static_cast<double>(p.total)) : 0;
        progress_line.update(p.phase + " " + std::to_string(pct) + "%");
      }
    };
  }
  auto outcome = import_hashset(inputs, out, options);
  progress_line.clear();
  const double seconds = elapsed();
  std::ostringstream summary;
  summary << "{\"tool\":\"" << kTool << "\",\"version\":\"" << kVersion << "\",\"command\":\"import\"";
  if (!outcome.ok()) {
    std::cerr << kTool << ": " << outcome.error().message << "\n";
    exit_code = cli::exit_code_for(outcome.error());
    if (exit_code == cli::kExitUsage) exit_code = cli::kExitFailure;
    if (json) std::cout << summary.str() << ",\"exit_code\":" << exit_code << ",\"error\":" << json_str(outcome.error().message) << "}\n";
    return exit_code;
  }
  const ImportOutcome& o = *outcome;
  exit_code = !o.written ? cli::kExitFailure : o.rejected > 0 ? cli::kExitBadEvidence : cli::kExitOk;
  if (!quiet) {
    if (o.written) {
      human << "hash set \"" << printable(options.name) << "\" (" << category_name(options.category) << "): " << printable(o.path.string())
            << ", " << human_bytes(static_cast<double>(o.file_size)) << "\n";
      for (const auto& c : o.counts) {
        human << "  " << hash::algorithm_name(c.algorithm) << std::string(8 - std::string(hash::algorithm_name(c.algorithm)).size(), ' ')
              << with_commas(c.hashes) << " hashes (" << with_commas(c.duplicates) << " duplicates)\n";
      }
    }
    for (std::size_t i = 0; i < o.sources.size(); ++i) {
      const auto& s = o.sources[i];
      human << "  source " << i + 1 << ": " << printable(s.path) << " (" << format_name(s.format)
            << (s.compression == Compression::gzip ? ", gzip" : "") << (s.archive ? ", zip " + s.archive->method : "") << "): " << with_commas(s.lines)
            << " " << record_noun(s.format) << ", " << with_commas(s.accepted) << " accepted, " << with_commas(s.rejected) << " rejected\n";
      if (!s.stopped.empty()) human << "    reading stopped early: " << printable(s.stopped) << "\n";
    }
    if (o.rejected > 0) {
      human << "  rejected " << with_commas(o.rejected) << " line(s):\n";
      for (std::size_t i = 0; i < o.rejects.size() && i < 10; ++i) {
        const auto& r = o.rejects[i];
        human << "    " << printable(std::filesystem::path(o.sources[r.source].path).filename().string()) << ":" << r.line << ": "
              << printable(r.reason) << "\n";
      }
      if (o.rejected > 10) {
        human << "    ... the first " << o.rejects.size() << " are kept in the set: ferret-hashset info --json " << printable(o.path.string()) << "\n";
      }
    }
    if (!o.written) {
      human << "nothing could be imported: no hash set written\n";
    } else {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f s", seconds);
      human << "  " << buf << ", " << o.runs << " sorted run(s) spilled to disk\n";
    }
  }
  if (!o.written && quiet) std::cerr << kTool << ": nothing could be imported from " << inputs.size() << " file(s): no hash set written\n";
  if (json) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.3f", seconds);
    std::string meta = o.metadata_json;
    while (!meta.empty() && (meta.back() == '\n')) meta.pop_back();
    summary << ",\"exit_code\":" << exit_code << ",\"written\":" << (o.written ? "true" : "false") << ",\"path\":" << json_str(o.path.string())
            << ",\"file_size\":" << o.file_size << ",\"runs\":" << o.runs << ",\"seconds\":" << secs << ",\"hashset\":" << meta << "}";
    std::cout << summary.str() << "\n";
  }
  return exit_code;
}

// ---------------------------------------------------------------------------------------------
int run_info(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-hashset info SET [--verify] [--json]\n\n"
      "Shows a hash set's name, category, creation time, hashes per algorithm, its sources with their\n"
      "SHA-256 and line counts, and the rejected lines (line numbers and reasons; the first 1000 are kept).\n"
      "--verify reads the whole file and checks every section's checksum and the order of the indexes.\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 the set cannot be read or is damaged.\n\nOptions");
  visible.add_options()
      ("verify", "check the checksums and the order of every section (reads the whole file)")
      ("json", "print the set's stored metadata as JSON on stdout")
      ("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("set", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("set", -1);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_args(all, positional, argc, argv, vm, "info", exit_code)) return exit_code;
  if (vm.count("help")) {
    std::cout << visible << "\nExample:\n  ferret-hashset info releases.ferret-hashset\n";
    return cli::kExitOk;
  }
  if (!vm.count("set") || vm["set"].as<std::vector<std::string>>().size() != 1) return usage_error("give exactly one SET", "info");
  const std::filesystem::path path = vm["set"].as<std::vector<std::string>>().front();
  const bool json = vm.count("json") > 0;
  auto set = HashSetIndex::open(path);
  if (!set.ok()) {
    std::cerr << kTool << ": " << set.error().message << "\n";
    return cli::kExitFailure;
  }
  auto meta = json::parse(set->metadata_json());
  if (!meta.ok()) {
    std::cerr << kTool << ": " << path.string() << ": the stored metadata is unreadable: " << meta.error().message << "\n";
    return cli::kExitFailure;
  }
  std::string verified = "null";
  if (vm.count("verify")) {
    const Status v = set->verify();
    if (!v.ok()) {
      std::cerr << kTool << ": " << v.error().message << "\n";
      return cli::kExitFailure;
    }
    verified = "true";
  }
  if (json) {
    std::string stored(set->metadata_json());
    while (!stored.empty() && stored.back() == '\n') stored.pop_back();
    std::cout << "{\"tool\":\"" << kTool << "\",\"version\":\"" << kVersion << "\",\"command\":\"info\",\"exit_code\":0,\"path\":"
              << json_str(path.string()) << ",\"file_size\":" << set->file_size() << ",\"format_version\":" << set->format_version()
              << ",\"verified\":" << verified << ",\"hashset\":" << stored << "}\n";
    return cli::kExitOk;
  }
  const json::Value& m = *meta;
  std::cout << printable(m.string_or("name")) << " (" << printable(m.string_or("category")) << ")\n";
  std::cout << "  file     " << printable(path.string()) << " (" << human_bytes(static_cast<double>(set->file_size()))
            << ", format version " << set->format_version() << ")\n";
  std::cout << "  created  " << printable(m.string_or("created_at")) << " by ferret " << printable(m.string_or("ferret_version"))
            << " (build " << printable(m.string_or("ferret_build")) << ")\n";
  if (const json::Value* counts = m.find("counts"); counts != nullptr) {
    for (const auto& [algorithm, c] : counts->members) {
      std::cout << "  " << printable(algorithm) << std::string(algorithm.size() < 8 ? 8 - algorithm.size() : 1, ' ')
                << with_commas(c.uint_or("hashes")) << " hashes (" << with_commas(c.uint_or("duplicates")) << " duplicates in the sources)\n";
    }
  }
  std::cout << "  entries with metadata: " << with_commas(m.uint_or("entries_with_metadata")) << "\n";
  if (const json::Value* sources = m.find("sources"); sources != nullptr) {
    std::cout << "  sources:\n";
    std::size_t i = 0;
    for (const auto& s : sources->items) {
      const auto format = format_from_name(s.string_or("format"));
      const std::string sha256 = s.string_or("sha256");
      std::cout << "    " << ++i << ". " << printable(s.string_or("path")) << "\n       " << printable(s.string_or("format"))
                << (s.string_or("compression") == "gzip" ? " (gzip)" : "") << ", " << with_commas(s.uint_or("size")) << " bytes, sha256 "
                << (sha256.empty() ? "unknown (not read to its end)" : printable(sha256)) << "\n";
      if (const json::Value* a = s.find("archive"); a != nullptr) {
        const json::Value* crc_ok = a->find("crc32_verified");
        std::cout << "       member " << printable(a->string_or("member")) << " (" << printable(a->string_or("method")) << ", CRC-32 "
                  << printable(a->string_or("crc32")) << (crc_ok != nullptr && crc_ok->boolean ? " verified" : " NOT verified") << ") of "
                  << printable(a->string_or("path")) << ", " << with_commas(a->uint_or("size")) << " bytes, sha256 " << printable(a->string_or("sha256"))
                  << "\n";
      }
      std::cout << "       " << with_commas(s.uint_or("lines")) << " " << (format ? record_noun(*format) : "lines") << ": "
                << with_commas(s.uint_or("accepted")) << " accepted, " << with_commas(s.uint_or("rejected")) << " rejected\n";
      if (const json::Value* ignored = s.find("ignored_columns"); ignored != nullptr && !ignored->items.empty()) {
        std::cout << "       columns not kept:";
        for (const auto& c : ignored->items) std::cout << " " << printable(c.text);
        std::cout << "\n";
      }
      if (!s.string_or("stopped").empty()) std::cout << "       reading stopped early: " << printable(s.string_or("stopped")) << "\n";
    }
  }
  const std::uint64_t rejected = m.uint_or("rejected");
  if (rejected > 0) {
    std::cout << "  rejected lines: " << with_commas(rejected) << " (" << with_commas(m.uint_or("rejects_kept")) << " kept)\n";
    if (const json::Value* rejects = m.find("rejects"); rejects != nullptr) {
      std::size_t shown = 0;
      for (const auto& r : rejects->items) {
        if (++shown > 20) {
          std::cout << "    ... (--json lists every kept one)\n";
          break;
        }
        std::cout << "    " << printable(std::filesystem::path(r.string_or("source")).filename().string()) << ":" << r.uint_or("line")
                  << ": " << printable(r.string_or("reason")) << "\n";
      }
    }
  }
  if (verified == "true") std::cout << "  verified: every section matches its checksum, the indexes are in order\n";
  return cli::kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Parses one HASH argument or stdin line; nullopt when it is not hex of a known length.
std::optional<DigestValue> parse_query(std::string text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.pop_back();
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
  const auto algorithm = algorithm_for_hex_length(text.size());
  if (!algorithm) return std::nullopt;
  auto digest = parse_hex_digest(*algorithm, text);
  if (!digest.ok()) return std::nullopt;
  return *digest;
}

// Prints the answers for a chunk of queries, looked up together.
class LookupPrinter {
 public:
  LookupPrinter(const HashSetIndex& set, bool json, std::ostream& out) : set_(set), json_(json), out_(out) {}

  Status print(const std::vector<DigestValue>& queries) {
    results_.resize(queries.size());
    set_.lookup(queries, results_);
    for (std::size_t i = 0; i < queries.size(); ++i) {
      const DigestValue& q = queries[i];
      const auto& found = results_[i];
      Result<EntryInfo> info = EntryInfo{};
      if (found) info = set_.entry(*found);
      if (!info.ok()) return info.error();
      ++looked_up_;
      matched_ += found ? 1 : 0;
      const std::pair<const char*, std::string_view> fields[] = {{"file_name", info->file_name}, {"title", info->title},
                                                                 {"release", info->release}, {"rights_holder", info->rights_holder},
                                                                 {"url", info->url}};
      const char* algorithm = hash::algorithm_name(q.algorithm);
      if (json_) {
        out_ << (looked_up_ > 1 ? "," : "") << "{\"hash\":\"" << q.hex() << "\",\"algorithm\":\"" << algorithm
             << "\",\"match\":" << (found ? "true" : "false");
        if (!set_.has(q.algorithm)) out_ << ",\"algorithm_in_set\":false";
        if (found) {
          out_ << ",\"entry\":{";
          bool first = true;
          for (const auto& [name, value] : fields) {
            if (value.empty()) continue;
            out_ << (first ? "" : ",") << "\"" << name << "\":" << json_str(value);
            first = false;
          }
          if (info->size) out_ << (first ? "" : ",") << "\"size\":" << *info->size;
          out_ << "}";
        }
        out_ << "}";
      } else {
        out_ << q.hex() << "  " << algorithm << "  " << (found ? "match" : "no match");
        if (!found && !set_.has(q.algorithm)) out_ << " (the set holds no " << algorithm << " hashes)";
        if (found) {
          for (const auto& [name, value] : fields) {
            if (!value.empty()) out_ << "  " << name << ": " << printable(value);
          }
          if (info->size) out_ << "  size: " << *info->size;
        }
        out_ << "\n";
      }
    }
    return {};
  }
  std::uint64_t looked_up() const { return looked_up_; }
  std::uint64_t matched() const { return matched_; }

 private:
  const HashSetIndex& set_;
  bool json_;
  std::ostream& out_;
  std::vector<std::optional<EntryRef>> results_;
  std::uint64_t looked_up_ = 0, matched_ = 0;
};

int run_lookup(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-hashset lookup SET HASH... [--json]\n\n"
      "Looks hashes up in a set. The algorithm is told from the length of the hex: 32 digits MD5, 40 SHA-1,\n"
      "64 SHA-256 (either case). '-' reads hashes from stdin, one per line, in chunks (any number of them).\n"
      "Each hash is printed with 'match' and the entry's metadata (file name, size, title, release, rights\n"
      "holder, URL), or 'no match'.\n\n"
      "Exit codes: 0 the lookups ran (whether or not anything matched: read the output), 1 usage error or\n"
      "a HASH that is not hex of a known length (output stops there), 2 the set cannot be read.\n\nOptions");
  visible.add_options()
      ("json", "print the results as JSON on stdout")
      ("quiet,q", "no closing count line (human output)")
      ("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("arg", po::value<std::vector<std::string>>(), "");
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("arg", -1);
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_args(all, positional, argc, argv, vm, "lookup", exit_code)) return exit_code;
  if (vm.count("help")) {
    std::cout << visible << "\nExample:\n  ferret-hashset lookup releases.ferret-hashset d41d8cd98f00b204e9800998ecf8427e\n";
    return cli::kExitOk;
  }
  const auto args = vm.count("arg") ? vm["arg"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (args.size() < 2) return usage_error("give a SET and at least one HASH", "lookup");
  const bool json = vm.count("json") > 0;
  // Hashes on the command line are all checked before anything is printed.
  std::vector<std::optional<DigestValue>> given;  // nullopt: "-"
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "-") {
      given.emplace_back();
      continue;
    }
    auto d = parse_query(args[i]);
    if (!d) return usage_error("'" + printable(args[i]) + "' is not an MD5, SHA-1 or SHA-256 in hex (32, 40 or 64 digits)", "lookup");
    given.push_back(*d);
  }
  auto set = HashSetIndex::open(args[0]);
  if (!set.ok()) {
    std::cerr << kTool << ": " << set.error().message << "\n";
    return cli::kExitFailure;
  }
  auto meta = json::parse(set->metadata_json());
  const std::string set_name = meta.ok() ? meta->string_or("name") : "";
  const std::string set_category = meta.ok() ? meta->string_or("category") : "";
  std::ios::sync_with_stdio(false);
  std::ostream& out = std::cout;
  if (json) {
    out << "{\"tool\":\"" << kTool << "\",\"version\":\"" << kVersion << "\",\"command\":\"lookup\",\"exit_code\":0,\"hashset\":{\"path\":"
        << json_str(args[0]) << ",\"name\":" << json_str(set_name) << ",\"category\":" << json_str(set_category) << "},\"results\":[";
  }
  LookupPrinter printer(*set, json, out);
  std::vector<DigestValue> chunk;
  constexpr std::size_t kChunk = 4096;
  const auto flush = [&]() -> bool {
    const Status printed = printer.print(chunk);
    chunk.clear();
    if (!printed.ok()) std::cerr << kTool << ": " << printed.error().message << "\n";
    return printed.ok();
  };
  for (const auto& g : given) {
    if (g) {
      chunk.push_back(*g);
      if (chunk.size() == kChunk && !flush()) return cli::kExitFailure;
      continue;
    }
    std::string line;
    std::uint64_t number = 0;
    while (std::getline(std::cin, line)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto d = parse_query(line);
      if (!d) {
        if (!flush()) return cli::kExitFailure;
        out.flush();
        return usage_error("stdin line " + std::to_string(number) + ": '" + printable(line.substr(0, 200)) +
                               "' is not an MD5, SHA-1 or SHA-256 in hex (32, 40 or 64 digits)", "lookup");
      }
      chunk.push_back(*d);
      if (chunk.size() == kChunk && !flush()) return cli::kExitFailure;
    }
  }
  if (!flush()) return cli::kExitFailure;
  if (json) {
    out << "],\"looked_up\":" << printer.looked_up() << ",\"matched\":" << printer.matched() << "}\n";
  } else if (vm.count("quiet") == 0) {
    out << printer.matched() << " of " << printer.looked_up() << " hash(es) found in " << printable(set_name) << " (" << printable(set_category) << ")\n";
  }
  out.flush();
  return cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("no command given (import, info or lookup)", "");
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kOverview;
    return cli::kExitOk;
  }
  if (command == "--version") {
    std::cout << kTool << " " << kVersion << " (build " << kBuildId << ")\n";
    return cli::kExitOk;
  }
  if (command == "import") return run_import(argc - 1, argv + 1);
  if (command == "info") return run_info(argc - 1, argv + 1);
  if (command == "lookup") return run_lookup(argc - 1, argv + 1);
  return usage_error("unknown command '" + command + "' (import, info or lookup)", "");
}
