// Command-line parsing shared by the ferret-<verb> tools (Boost.Program_options).
#pragma once

#include <boost/program_options.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ferret::cli {

// Parses argv: `visible` options (shown by --help, which must include "help" and "version"),
// `hidden` ones (positional arguments), `positional` mapping bare arguments to them. Handles --help
// (prints `visible` and `example`), --version and parse errors ("<tool>: ... Try '<tool> --help'.")
// itself and returns the exit code to leave with; returns nothing when the tool should go on.
std::optional<int> parse_command_line(int argc, char** argv, std::string_view tool,
                                      const boost::program_options::options_description& visible,
                                      const boost::program_options::options_description& hidden,
                                      const boost::program_options::positional_options_description& positional,
                                      const std::string& example, boost::program_options::variables_map& vm);

// --examiner NAME, else $FERRET_EXAMINER, else $USER (cli::default_examiner).
std::string examiner_option(const boost::program_options::variables_map& vm);

// --sign-key KEY.pem, else $FERRET_SIGN_KEY, else none.
std::string sign_key_option(const boost::program_options::variables_map& vm);

// "<tool>: <message>\nTry '<tool> --help'." on stderr; returns the usage exit code.
int usage_error(std::string_view tool, const std::string& message);

}  // namespace ferret::cli
