// The plugin worker process (ferret-plugin-worker): loads plugins and runs them over files on the
// tool's request, so that whatever a plugin does to its process never reaches the tool.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.h"

namespace ferret::plugin_host {

// The worker's main: `--fd N --parent PID`. Serves requests on fd N until the tool closes it.
// Returns the process exit code.
int worker_main(int argc, char** argv);

// SHA-256 (lowercase hex) of the file open on `fd`, read from its start.
Result<std::string> sha256_of_fd(int fd);
// SHA-256 of the file at `path`.
Result<std::string> sha256_of_file(const std::filesystem::path& path);

}  // namespace ferret::plugin_host
