// The format writers behind write_report (internal to lib/report).
#pragma once

#include "report/case_data.h"
#include "report/output.h"
#include "report/report.h"

namespace ferret::report {

struct WriteContext {
  CaseSnapshot& snap;
  const ReportOptions& options;
  ReportSummary& summary;
};

Status write_html(WriteContext& ctx, OutputFile& out);
Status write_dfxml(WriteContext& ctx, OutputFile& out);
Status write_case_uco(WriteContext& ctx, OutputFile& out);
// One CSV file per table, created in `staging` (a directory); each written file is added to ctx.summary.files.
Status write_csv(WriteContext& ctx, Staging& staging);

// "1.5 GiB (1610612736 bytes)"-style sizes and other small shared wording.
std::string bytes_text(std::int64_t bytes);

}  // namespace ferret::report
