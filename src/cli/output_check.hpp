#pragma once
// The command-line side of check_output_paths (microreach/output_path.hpp): which output
// options were given, and the --config file as one more input of every command.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "microreach/output_path.hpp"

namespace microreach::cli {

// Marks each output whose option was not given at all as optional (an option given as "" is
// still refused), adds the --config file to the inputs, and runs check_output_paths. Call it
// before any work starts.
void check_paths(const CLI::App* cmd, std::vector<OutputUse> outputs, std::vector<InputUse> inputs);

// simulate, sweep and sensitivity: --out (HDF5) against the scenario file, the market input
// and the files of "list:FILE" strategies (those of the scenario and those in `strategies`, the
// comma-separated --strategies text, when given).
void check_campaign_paths(const CLI::App* cmd, const std::string& out,
                          const std::string& scenario_file, const std::string& market_input,
                          const std::string& market_input_where,
                          const std::vector<std::string>& scenario_strategies,
                          const std::string& strategies = "");

// The files named by "list:FILE" strategies, as inputs named after `where`.
void add_list_inputs(std::vector<InputUse>& inputs, const std::vector<std::string>& strategies,
                     const std::string& where);

}  // namespace microreach::cli
