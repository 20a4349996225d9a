#pragma once
// Scenario files (TOML 1.0, read by toml++) setting every parameter of a simulation run, e.g.
// sim/scenarios/25k-micro-vs-macro.toml. Syntax errors, a key or table given twice, unknown
// tables and keys and values of the wrong type throw InputError (file:line:column); values that
// are not allowed throw ConfigError naming "file:line: key", the value and what is allowed.
// Bounds (microreach/toml_reader.hpp): 1 MiB per file, keys of at most 8 dotted parts, values
// nested at most 32 deep, and at most kMaxStrategies strategies.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "microreach/profile.hpp"
#include "microreach/sim/model.hpp"

namespace microreach::sim {

// Strategies compared in one run: each is a portfolio, a column of the results table and a
// set of rows in the campaign file; more than this is a mistake, not a comparison.
inline constexpr std::size_t kMaxStrategies = 64;

struct Scenario {
  // [campaign]
  double budget = 25'000;
  Niche niche = Niche::fitness;
  std::vector<std::string> strategies = {"macro", "micro-even:40", "micro-top"};
  // [run]
  std::uint64_t trials = 20'000;  // the no-argument run answers in a few seconds
  std::uint64_t seed = 1;
  double precision = 0;  // 0 = a fixed number of trials
  std::uint64_t max_trials = 10'000'000;
  // [market]
  std::string input;  // "" = the built-in synthetic market
  std::uint64_t market_profiles = 200'000;
  std::uint64_t market_seed = 7;
  // [campaign] economics and [model]
  ModelParams model;

  // Where each key was set ("file:line", "--budget"); keys not listed kept their default.
  std::map<std::string, std::string> origin;
  std::string file;  // scenario file path, "" when none

  // The name an error about `key` should carry: the option or "file:line: key".
  std::string where(const std::string& key) const;
  // Checks every value (including the model's); throws ConfigError naming where(key).
  void validate() const;
  // The whole resolved scenario as TOML that parse_scenario reads back.
  std::string to_toml() const;
};

// Parses scenario text (defaults for absent keys). Throws InputError / ConfigError as above.
Scenario parse_scenario(std::string_view text, const std::string& filename);
// Reads and parses a file (InputError if it cannot be read).
Scenario load_scenario(const std::string& path);

}  // namespace microreach::sim
