#pragma once
// microreach export: an HDF5 profiles or scores file, or the hires of a campaign file, as CSV.
#include <cstddef>
#include <cstdint>
#include <string>

namespace microreach::jobs {

struct ExportOptions {
  std::string in;             // HDF5 profiles, scores, campaign or sweep file
  std::string csv;            // profiles (and scores) CSV; "-" = standard output
  std::string hires;          // instead of csv: one row per hire of a campaign file
  std::size_t top = 0;        // only the K best-scored rows, best first (0 = every row, file order)
  std::size_t chunk = 65536;  // rows read at a time
};

struct ExportResult {
  std::uint64_t rows = 0;      // rows (or hires) written
  std::size_t strategies = 0;  // --hires: strategies of the campaign file
  bool to_stdout = false;      // the CSV went to standard output
};

// Writes o.hires when given, else o.csv (ConfigError when neither is).
ExportResult run_export(const ExportOptions& o);

}  // namespace microreach::jobs
