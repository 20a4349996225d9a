// microreach report: a campaign or sweep HDF5 file -> one self-contained HTML report (the job:
// microreach/jobs/report.hpp).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "microreach/jobs/report.hpp"
#include "output_check.hpp"

namespace microreach::cli {

void add_report(CLI::App& app, Globals& g) {
  (void)g;
  auto a = std::make_shared<jobs::ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Turn a campaign (simulate --out) or sweep (sweep/sensitivity --out) HDF5 file into one "
      "self-contained HTML report with figures; needs python3-numpy, -h5py, -pandas, "
      "-matplotlib");
  cmd->add_option("file", a->in, "Campaign or sweep HDF5 file")->required();
  cmd->add_option("--out,-o", a->out, "HTML report to write")->required();
  cmd->add_option("--figures", a->figures,
                  "Also write each figure as DIR/<name>.png (DIR is created if missing)");
  cmd->add_option("--python", a->python, "Python interpreter with numpy, h5py, pandas, matplotlib");
  cmd->add_option("--script", a->script,
                  "report.py to run (default: installed share dir, then the source tree)");
  cmd->callback([a, cmd] {
    check_paths(cmd, {{"--out", a->out, OutputFormat::text}},
                {{"", a->in}, {"--script", a->script}});
    jobs::run_report(*a);
    std::cout << "Wrote " << a->out;
    if (!a->figures.empty()) std::cout << " (figures as PNG in " << a->figures << "/)";
    std::cout << "\n";
  });
}

}  // namespace microreach::cli
