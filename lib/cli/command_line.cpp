#include "cli/command_line.h"

#include <cstdlib>
#include <iostream>

#include "cli/case_session.h"
#include "cli/cli.h"
#include "ferret/version.h"

namespace ferret::cli {

namespace po = boost::program_options;

std::string examiner_option(const po::variables_map& vm) {
  return vm.count("examiner") ? vm["examiner"].as<std::string>() : default_examiner();
}

std::string sign_key_option(const po::variables_map& vm) {
  if (vm.count("sign-key")) return vm["sign-key"].as<std::string>();
  if (const char* k = std::getenv("FERRET_SIGN_KEY"); k != nullptr && *k != '\0') return k;
  return "";
}

int usage_error(std::string_view tool, const std::string& message) {
  std::cerr << tool << ": " << message << "\nTry '" << tool << " --help'.\n";
  return kExitUsage;
}

std::optional<int> parse_command_line(int argc, char** argv, std::string_view tool, const po::options_description& visible,
                                      const po::options_description& hidden, const po::positional_options_description& positional,
                                      const std::string& example, po::variables_map& vm) {
  po::options_description all;
  all.add(visible).add(hidden);
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(tool, e.what());
  }
  if (vm.count("help")) {
    std::cout << visible << "\nExample:\n" << example;
    return kExitOk;
  }
  if (vm.count("version")) {
    std::cout << tool << " " << kVersion << " (build " << kBuildId << ")\n";
    return kExitOk;
  }
  return std::nullopt;
}

}  // namespace ferret::cli
