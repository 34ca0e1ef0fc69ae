// Stages ferret-process adds after the built-in ones: plugins (parse) and, later, the report.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "casedb/case_writer.h"
#include "custody/custody.h"
#include "process/process.h"

namespace ferret::process {

struct ParseStageOptions {
  std::int64_t run_id = 0;
  std::vector<std::filesystem::path> plugin_dirs;  // besides the default ones
  const std::atomic<bool>* cancel = nullptr;
};

// Runs every plugin found (the build's and the installed ones, and plugin_dirs) over the case's
// files; the plugin files used are added to `inputs` (with their SHA-256) for the custody log. No
// plugin found is not an error: the stage says so and ends.
ExtraStage make_parse_stage(casedb::CaseWriter& writer, ParseStageOptions options, std::vector<custody::Input>& inputs);

}  // namespace ferret::process
