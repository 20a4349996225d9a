#pragma once
// Options shared by several subcommands (scoring configuration, generator mixes, threads).
#include <CLI/CLI.hpp>

#include <string>

#include "microreach/io/hdf5.hpp"
#include "microreach/jobs/options.hpp"

namespace microreach::cli {

// The scoring configuration (--niche, --tier-bounds, --similar, --benchmark, --w-*) and the
// generator's mixes, declared on a command; the jobs validate them (microreach/jobs/options.hpp).
using jobs::GeneratorOptions;
using jobs::ScoringOptions;
void add_scoring_options(CLI::App* cmd, ScoringOptions& o);
void add_generator_options(CLI::App* cmd, GeneratorOptions& o);

// --compress for the commands that write profiles or scores files: "none", a gzip level 0-9,
// gzip[:N], lz4, zstd[:N] (h5::Compression::parse, which names the option in its errors).
void add_compress_option(CLI::App* cmd, h5::Compression& target);

// Scopes the TBB thread count for one command (threads <= 0: all cores).
using jobs::effective_threads;
using jobs::limit_threads;

// True when stderr is a terminal and progress output was not silenced.
bool want_progress(bool quiet);

// The global options (--threads, --quiet) and the command line, as a job takes them.
struct Globals;
jobs::RunContext run_context(const Globals& g);

// Checks the text of a whole-number option: decimal digits only (a leading '-' where the option
// is signed), within 64 bits. Returns "" when it is, else the reason, quoting `text` as typed.
// CLI11 alone would read "-1" into an unsigned option as 2^64 - 1 (strtoull wraps), "010" as
// octal and "99999999999999999999" as the largest value.
std::string check_whole_number(const std::string& text, bool is_signed);

// The value type CLI11 declared for an option: "INT", "UINT", "FLOAT", "TEXT", ... (the text
// before the validators' descriptions).
std::string option_type(const CLI::Option& opt);

// Applies check_whole_number to every integer option of `app` and its subcommands (run once,
// after every command has declared its options), ahead of the option's own range checks.
void guard_integer_options(CLI::App& app);

// --config FILE: read with toml++ (microreach/toml_reader.hpp). [command] tables hold the
// options of a command ([audit.fit] those of `audit fit`), top-level keys the global options.
// Unknown tables and keys, a table or key given twice, and values an option refuses are
// errors naming "file:line: key", the value as given and what is allowed.
void use_toml_config(CLI::App& app);

}  // namespace microreach::cli
