#pragma once
// microreach report: a campaign or sweep HDF5 file -> one self-contained HTML report (and,
// with figures, the PNG figures), made by scripts/report.py with Debian's python3 packages.
// The script writes a temporary name beside the destination; the report appears under its
// final name only when the script succeeded (AtomicOutput).
#include <string>

namespace microreach::jobs {

struct ReportOptions {
  std::string in;       // campaign or sweep file
  std::string out;      // HTML report
  std::string figures;  // directory for the PNG figures ("" = none)
  std::string python = "/usr/bin/python3";
  // report.py to run; "" = $MICROREACH_REPORT_SCRIPT, the installed share directory, then the
  // source tree.
  std::string script;
};

// Throws ConfigError, InputError or Error (naming what is missing and how to install it) when
// the report cannot be made; nothing is written then.
void run_report(const ReportOptions& o);

}  // namespace microreach::jobs
