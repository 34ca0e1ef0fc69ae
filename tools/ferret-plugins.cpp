// ferret-plugins: lists the artifact-parser plugins Ferret finds, what each declares, and why any is refused.
#include <boost/program_options.hpp>

#include <iostream>

#include "cli/cli.h"
#include "cli/command_line.h"
#include "core/text.h"
#include "plugin_host/discovery.h"
#include "plugin_host/parse_run.h"

namespace po = boost::program_options;
using namespace ferret;

namespace {
constexpr const char* kTool = "ferret-plugins";
}

int main(int argc, char** argv) {
  po::options_description visible(
      "Usage: ferret-plugins list [--plugin-dir DIR ...] [--json]\n\n"
      "Lists every plugin file (ferret-*.so) in each --plugin-dir (searched first), in the build's plugin\n"
      "folder and in ../plugins beside this tool, as ferret-parse would find them: its SHA-256, name,\n"
      "version, plugin ABI, which files it selects, and the artifact kinds it emits with their typed\n"
      "attributes; or why it is refused (wrong ABI, bad descriptor, a name already taken, a crash while\n"
      "loading). Plugins are loaded in a worker process, never in this one. Nothing is written.\n\n"
      "Exit codes: 0 listed, 1 usage error, 2 failure (the worker cannot be started), 130 interrupted.\n\nOptions");
  visible.add_options()
      ("plugin-dir", po::value<std::vector<std::string>>()->value_name("DIR"), "also look for plugins here, before the default folders (repeatable)")
      ("json", "print the list as JSON")
      ("help,h", "show this help")
      ("version", "show the version");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::vector<std::string>>(), "list");
  po::positional_options_description positional;
  positional.add("command", -1);
  po::variables_map vm;
  if (auto leave = cli::parse_command_line(argc, argv, kTool, visible, hidden, positional,
                                           "  ferret-plugins list\n  ferret-plugins list --plugin-dir ~/my-plugins --json\n", vm)) {
    return *leave;
  }
  const auto commands = vm.count("command") ? vm["command"].as<std::vector<std::string>>() : std::vector<std::string>();
  if (commands.size() != 1 || commands[0] != "list") return cli::usage_error(kTool, "the one command is 'list'");
  plugin_host::DiscoverOptions options;
  if (vm.count("plugin-dir")) {
    for (const auto& d : vm["plugin-dir"].as<std::vector<std::string>>()) {
      std::error_code ec;
      if (!std::filesystem::is_directory(d, ec)) return cli::usage_error(kTool, "--plugin-dir " + d + ": not a folder");
      options.plugin_dirs.emplace_back(d);
    }
  }
  const auto& interrupted = cli::install_interrupt_flag();
  options.worker = plugin_host::default_worker_executable();
  options.cancel = &interrupted;
  auto plugins = plugin_host::discover_plugins(options);
  if (!plugins.ok()) {
    std::cerr << kTool << ": " << display_text(plugins.error().message) << "\n";
    return plugins.error().code == Errc::interrupted ? cli::kExitInterrupted : cli::kExitFailure;
  }
  if (vm.count("json")) {
    std::cout << plugin_host::plugins_json(*plugins) << "\n";
  } else if (plugins->empty()) {
    std::cout << "no plugin files (ferret-*.so) found";
    const auto dirs = plugin_host::default_plugin_dirs();
    if (!dirs.empty() || !options.plugin_dirs.empty()) {
      std::cout << " in";
      for (const auto& d : options.plugin_dirs) std::cout << " " << d.string();
      for (const auto& d : dirs) std::cout << " " << d.string();
    }
    std::cout << "\n";
  } else {
    std::cout << plugin_host::plugins_text(*plugins);
  }
  return cli::kExitOk;
}
