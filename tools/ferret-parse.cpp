// ferret-parse: runs the artifact-parser plugins over every intact file of a case, each plugin in a worker process.
#include <boost/program_options.hpp>

#include <chrono>
#include <cmath>
#include <iostream>
#include <mutex>
#include <sstream>

#include "cli/case_session.h"
#include "cli/cli.h"
#include "cli/command_line.h"
#include "core/clock.h"
#include "core/text.h"
#include "plugin_host/discovery.h"
#include "plugin_host/parse_run.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {
constexpr const char* kTool = "ferret-parse";
}

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-parse --case DIR [--plugin NAME ...] [--plugin-dir DIR ...] [options]\n\n"
      "Offers every intact file of the case (hashed by ferret-hash; carved items too) to the artifact-parser\n"
      "plugins that select it (by MIME type, extension, file name or magic bytes) and records what they find\n"
      "in the case's artifacts and artifact_attributes tables, one plugin_results row per (file, plugin).\n"
      "Plugins are the files ferret-*.so in each --plugin-dir (searched first), in the build's plugin folder\n"
      "and in ../plugins beside this tool; each file's SHA-256 is taken before it is loaded, and every file\n"
      "considered is recorded in plugin_loads. Plugins run in worker processes (ferret-plugin-worker), never\n"
      "in this one: a plugin that crashes, hangs past --plugin-timeout or emits too much is recorded as\n"
      "'crashed', 'timeout' or 'flood' for that file, its worker is replaced and the run goes on.\n"
      "Running again adds nothing twice: a (file, plugin) pair already recorded, by any version of the\n"
      "plugin, is not parsed again (to parse with a new plugin version, use a new case).\n\n"
      "Exit codes: 0 ok, 1 usage error, 2 failure (no plugin could be loaded, the case cannot be written),\n"
      "3 a plugin failed, crashed, timed out, flooded or met unreadable content on a file, or evidence\n"
      "could not be reopened as ingested (all recorded in the case),\n"
      "130 interrupted (what was recorded stays; run the same command again to finish).\n\nOptions");
  visible.add_options()
      ("case", po::value<std::string>()->value_name("DIR"), "an existing case directory")
      ("plugin", po::value<std::vector<std::string>>()->value_name("NAME"), "use only this plugin (repeatable; default: every plugin found)")
      ("plugin-dir", po::value<std::vector<std::string>>()->value_name("DIR"), "also look for plugins (ferret-*.so) here, before the default folders (repeatable)")
      ("threads", po::value<unsigned>()->value_name("N"), "worker processes (default: one per core)")
      ("plugin-timeout", po::value<double>()->value_name("S"), "seconds a plugin may take on one file (default 30)")
      ("plugin-memory", po::value<std::uint64_t>()->value_name("MIB"),
       "address space each plugin worker may use, in MiB (default 4096; 0: no limit); a plugin past it gets failed allocations")
      ("examiner", po::value<std::string>()->value_name("NAME"), "examiner name recorded with the run (default: $FERRET_EXAMINER or $USER)")
      ("sign-key", po::value<std::string>()->value_name("KEY.pem"), "sign this run's custody entries with an Ed25519 private key (default: $FERRET_SIGN_KEY)")
      ("json", "print a JSON summary on stdout (the human summary goes to stderr)")
      ("quiet,q", "no human summary")
      ("help,h", "show this help")
      ("version", "show the version");
  po::variables_map vm;
  if (auto leave = cli::parse_command_line(argc, argv, kTool, visible, po::options_description(), po::positional_options_description(),
                                           "  ferret-parse --case cases/2026-042\n"
                                           "  ferret-parse --case cases/2026-042 --plugin torrent --plugin-dir ~/my-plugins\n",
                                           vm)) {
    return *leave;
  }
  if (!vm.count("case")) return cli::usage_error(kTool, "--case DIR is required");
  double timeout_seconds = 30;
  if (vm.count("plugin-timeout")) {
    timeout_seconds = vm["plugin-timeout"].as<double>();
    if (!std::isfinite(timeout_seconds) || timeout_seconds < 0.1 || timeout_seconds > 86400) {
      return cli::usage_error(kTool, "--plugin-timeout must be between 0.1 and 86400 seconds");
    }
  }
  std::uint64_t worker_memory = plugin_host::kDefaultWorkerMemory;
  if (vm.count("plugin-memory")) {
    const std::uint64_t mib = vm["plugin-memory"].as<std::uint64_t>();
    if (mib != 0 && (mib < 256 || mib > (std::uint64_t{1} << 30))) {
      return cli::usage_error(kTool, "--plugin-memory must be 0 (no limit) or at least 256 MiB");
    }
    worker_memory = mib << 20;
  }
  plugin_host::DiscoverOptions discover;
  if (vm.count("plugin-dir")) {
    for (const auto& d : vm["plugin-dir"].as<std::vector<std::string>>()) {
      std::error_code ec;
      if (!std::filesystem::is_directory(d, ec)) return cli::usage_error(kTool, "--plugin-dir " + d + ": not a folder");
      discover.plugin_dirs.emplace_back(d);
    }
  }
  if (vm.count("plugin")) {
    for (const auto& n : vm["plugin"].as<std::vector<std::string>>()) {
      if (!plugin_host::is_valid_name(n)) return cli::usage_error(kTool, "--plugin " + n + ": a plugin name is [a-z0-9_]+");
      discover.only.push_back(n);
    }
  }
  const bool json = vm.count("json") > 0;
  const bool quiet = vm.count("quiet") > 0;
  std::ostream& human = json ? std::cerr : std::cout;
  const auto& interrupted = cli::install_interrupt_flag();
  const Clock& clock = system_clock();
  auto session = cli::open_case_session({kTool, vm["case"].as<std::string>(), /*create=*/false, cli::examiner_option(vm), argc, argv,
                                         &clock, cli::sign_key_option(vm)});
  if (!session.ok()) {
    std::cerr << kTool << ": " << session.error().message << "\n";
    return cli::exit_code_for(session.error());
  }
  auto fail = [&](int code, const std::string& message) {
    // Line by line: the reasons for each refused plugin follow on lines of their own.
    std::string_view rest = message;
    for (bool first = true; !rest.empty() || first; first = false) {
      const std::size_t end = std::min(rest.find('\n'), rest.size());
      std::cerr << (first ? std::string(kTool) + ": " : std::string()) << display_text(rest.substr(0, end)) << "\n";
      rest.remove_prefix(std::min(end + 1, rest.size()));
    }
    return cli::end_tool_run(*session, clock, kTool, code, "\"error\":\"" + json_escape(message) + "\"", json, quiet, human);
  };

  const auto started = std::chrono::steady_clock::now();
  discover.worker = plugin_host::default_worker_executable();
  discover.cancel = &interrupted;
  auto plugins = plugin_host::discover_plugins(discover);
  if (!plugins.ok()) {
    const int code = plugins.error().code == Errc::interrupted ? cli::kExitInterrupted : cli::kExitFailure;
    return fail(code, plugins.error().message);
  }
  if (Status recorded = plugin_host::record_plugin_loads(*session->writer, session->run_id, *plugins); !recorded.ok()) {
    return fail(cli::kExitFailure, "cannot record the plugins: " + recorded.error().message);
  }
  std::size_t loaded = 0;
  for (const auto& p : *plugins) {
    if (!p.loaded) continue;
    ++loaded;
    session->inputs.push_back({"plugin", p.path.string(), p.sha256});
  }
  std::string missing;
  for (const auto& name : discover.only) {
    bool found = false;
    for (const auto& p : *plugins) found = found || (p.loaded && p.info->name == name);
    if (!found) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (loaded == 0 || !missing.empty()) {
    std::ostringstream why;
    if (loaded == 0) why << "no plugin could be loaded" << (missing.empty() ? "" : " (asked for: " + missing + ")");
    else why << "no usable plugin named " << missing;
    if (plugins->empty()) {
      why << ": no plugin file (ferret-*.so) found";
    } else {
      for (const auto& p : *plugins) {
        if (!p.loaded && !p.deselected) why << "\n  " << p.path.string() << ": " << p.message;
      }
    }
    return fail(cli::kExitFailure, why.str());
  }
  if (Status inputs = cli::add_evidence_inputs(*session, std::nullopt); !inputs.ok()) {
    return fail(cli::kExitFailure, "cannot read the case's evidence: " + inputs.error().message);
  }

  plugin_host::ParseOptions options;
  options.run_id = session->run_id;
  options.plugins = *plugins;
  options.worker = discover.worker;
  options.threads = vm.count("threads") ? vm["threads"].as<unsigned>() : 0;
  options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_seconds * 1000));
  options.worker_memory = worker_memory;
  options.cancel = &interrupted;
  cli::ProgressLine progress_line;
  std::mutex progress_mutex;
  if (progress_line.enabled() && !quiet) {
    options.progress = [&](const plugin_host::ParseProgress& p) {
      std::lock_guard lock(progress_mutex);
      progress_line.update("parsing: " + std::to_string(p.files_done) + "/" + std::to_string(p.files_total) + " files, " +
                           std::to_string(p.pairs) + " result(s), " + std::to_string(p.artifacts) + " artifact(s)");
    };
  }
  auto outcome = plugin_host::parse_files(*session->writer, options);
  progress_line.clear();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!outcome.ok()) {
    const int code = outcome.error().code == Errc::interrupted ? cli::kExitInterrupted : cli::kExitFailure;
    return fail(code, outcome.error().message);
  }
  if (!quiet) {
    std::size_t deselected = 0;
    for (const auto& p : *plugins) {
      if (p.deselected) ++deselected;
      else if (!p.loaded) human << "plugin refused: " << display_text(p.path.string()) << ": " << display_text(p.message) << "\n";
    }
    if (deselected > 0) human << deselected << " other plugin(s) found but not selected (--plugin)\n";
    human << plugin_host::summary_text(*outcome, seconds);
  }
  int exit_code = cli::kExitOk;
  if (outcome->interrupted) exit_code = cli::kExitInterrupted;
  else if (outcome->evidence_missing) exit_code = cli::kExitBadEvidence;  // recorded in errors, as ferret-hash does
  else if (plugin_host::has_failures(*outcome)) exit_code = cli::kExitBadEvidence;
  return cli::end_tool_run(*session, clock, kTool, exit_code, "\"parse\":" + plugin_host::summary_json(*outcome, *plugins, seconds), json,
                           quiet, human);
}
