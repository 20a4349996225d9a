// microreach export: an HDF5 profiles or scores file -> CSV a planner can open in a spreadsheet
// (the job: microreach/jobs/export.hpp).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "microreach/jobs/export.hpp"
#include "output_check.hpp"

namespace microreach::cli {

void add_export(CLI::App& app, Globals& g) {
  (void)g;
  auto a = std::make_shared<jobs::ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write an HDF5 profiles or scores file as CSV (for spreadsheets and pandas)");
  cmd->add_option("input", a->in,
                  "HDF5 file from import, generate or score (with --csv), or a campaign file "
                  "from simulate (with --hires)")
      ->required();
  auto* csv = cmd->add_option("--csv", a->csv,
                              "Output CSV file of the profiles ('-': standard "
                              "output)");
  auto* hires = cmd->add_option("--hires", a->hires,
                                "Output CSV of a campaign file's hires, one row per hire: "
                                "strategy, handle, platform, tier, followers, price, fee, "
                                "expected reach, score ('-': standard output)");
  csv->excludes(hires);
  hires->excludes(csv);
  cmd->add_option(
         "--top", a->top,
         "Only the K best-scored rows, best first (scores files; 0 = every row in file order)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{100000000}));
  cmd->add_option("--chunk-size", a->chunk, "Rows read at a time")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 22));
  cmd->callback([a, cmd] {
    check_paths(cmd,
                {{"--csv", a->csv, OutputFormat::text}, {"--hires", a->hires, OutputFormat::text}},
                {{"", a->in}});
    const jobs::ExportResult r = jobs::run_export(*a);
    // "Wrote ..." goes to standard error when the CSV itself went to standard output.
    std::ostream& status = r.to_stdout ? std::cerr : std::cout;
    const bool hires = !a->hires.empty();
    const std::string& path = hires ? a->hires : a->csv;
    const std::string where = path == "-" ? "standard output" : path;
    if (hires)
      status << "Wrote " << r.rows << " hires of " << r.strategies << " strategies to " << where
             << "\n";
    else
      status << "Wrote " << r.rows << " rows" << (a->top ? " (best first)" : "") << " to " << where
             << "\n";
  });
}

}  // namespace microreach::cli
