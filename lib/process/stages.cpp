// The parse stage of the pipeline: discover plugins, record them, run them through the plugin host.
#include "process/stages.h"

#include <chrono>

#include "plugin_host/discovery.h"
#include "plugin_host/parse_run.h"

namespace ferret::process {

ExtraStage make_parse_stage(casedb::CaseWriter& writer, ParseStageOptions options, std::vector<custody::Input>& inputs) {
  return {"parse", [&writer, options, &inputs](const std::function<void(const StageProgress&)>& progress) -> Result<StageResult> {
            const auto started = std::chrono::steady_clock::now();
            plugin_host::DiscoverOptions discover;
            discover.plugin_dirs = options.plugin_dirs;
            discover.worker = plugin_host::default_worker_executable();
            discover.cancel = options.cancel;
            auto plugins = plugin_host::discover_plugins(discover);
            if (!plugins.ok()) return plugins.error();
            FERRET_TRY(plugin_host::record_plugin_loads(writer, options.run_id, *plugins));
            std::size_t loaded = 0;
            for (const auto& p : *plugins) {
              if (!p.loaded) continue;
              ++loaded;
              inputs.push_back({"plugin", p.path.string(), p.sha256});
            }
            if (loaded == 0) return StageResult{"\"parse\":{\"plugins_loaded\":0}", "no plugin found: nothing parsed", false};
            plugin_host::ParseOptions po;
            po.run_id = options.run_id;
            po.plugins = *plugins;
            po.worker = discover.worker;
            po.cancel = options.cancel;
            po.progress = [&](const plugin_host::ParseProgress& p) {
              progress({"parse", 0, 0, "files", p.files_done, p.files_total, false});
            };
            auto outcome = plugin_host::parse_files(writer, po);
            if (!outcome.ok()) return outcome.error();
            if (outcome->interrupted) return make_error(Errc::interrupted, "interrupted while parsing");
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            return StageResult{"\"parse\":" + plugin_host::summary_json(*outcome, *plugins, seconds),
                               plugin_host::summary_text(*outcome, seconds),
                               plugin_host::has_failures(*outcome) || outcome->evidence_missing};
          }};
}

}  // namespace ferret::process
