#pragma once
// Options shared by several subcommands (scoring configuration, generator mixes, threads).
#include <tbb/global_control.h>
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "microreach/config.hpp"

namespace microreach::cli {

// Raw option text, applied to a ScoringConfig after parsing (so errors name the option).
struct ScoringOptions {
  std::string niche;
  std::string tier_bounds;
  std::vector<std::string> similar;
  std::vector<std::string> benchmark;
  Weights weights;
  double suspected_fake_below = ScoringConfig().suspected_fake_below;
  // Builds and validates the configuration; throws ConfigError naming the option.
  ScoringConfig build() const;
};
void add_scoring_options(CLI::App* cmd, ScoringOptions& o);

struct GeneratorOptions {
  std::vector<std::string> platform_mix;
  std::vector<std::string> niche_mix;
  double known_fake_share = 0.0;
  GeneratorConfig build() const;
};
void add_generator_options(CLI::App* cmd, GeneratorOptions& o);

// Scopes the TBB thread count for one command (threads <= 0: all cores).
std::unique_ptr<tbb::global_control> limit_threads(int threads);
int effective_threads(int threads);

// True when stderr is a terminal and progress output was not silenced.
bool want_progress(bool quiet);

}  // namespace microreach::cli
