#pragma once
// Options of `microreach import` that `score --in data.csv` shares, declared on a command; the
// jobs validate them (microreach/jobs/options.hpp: ImportTextOptions).
#include <CLI/CLI.hpp>

#include "microreach/jobs/options.hpp"

namespace microreach::cli {

void add_import_options(CLI::App* cmd, jobs::ImportTextOptions& o);

}  // namespace microreach::cli
