#pragma once
// Subcommands of the `microreach` executable. Each add_* registers one subcommand on the app;
// its callback does the work and throws microreach::Error (with context) on failure. main()
// alone turns errors into messages and exit codes.
#include <CLI/CLI.hpp>

#include <string>

namespace microreach::cli {

struct Globals {
  int threads = 0;     // 0 = all cores
  bool quiet = false;  // no progress bar, no chatter on stderr
  std::string command_line;
};

void add_generate(CLI::App& app, Globals& g);
void add_score(CLI::App& app, Globals& g);
void add_simulate(CLI::App& app, Globals& g);
void add_sweep(CLI::App& app, Globals& g);
void add_sensitivity(CLI::App& app, Globals& g);
void add_report(CLI::App& app, Globals& g);
void add_audit(CLI::App& app, Globals& g);
void add_import(CLI::App& app, Globals& g);
void add_export(CLI::App& app, Globals& g);

}  // namespace microreach::cli
