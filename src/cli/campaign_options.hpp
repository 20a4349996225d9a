#pragma once
// The campaign options that simulate, sweep and sensitivity share: a scenario file and the
// options that override its keys (same option names and scenario keys in every command; each
// command registers them with its own help text and defaults).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "microreach/sim/candidates.hpp"
#include "microreach/sim/scenario.hpp"

namespace microreach::cli {

struct CampaignOptions {
  std::string scenario;
  double budget = 0;
  std::string niche;
  std::uint64_t trials = 0;
  std::uint64_t seed = 0;
  std::string input;
  std::uint64_t market_profiles = 0;
  std::uint64_t market_seed = 0;
  double posts = 0, conversion_rate = 0, aov = 0, margin = 0;
  CLI::App* cmd = nullptr;

  bool given(const char* name) const { return cmd->count(name) > 0; }
  // When `option` was given on the command line: records it as the origin of scenario `key`
  // (so errors name the option) and returns true.
  bool overrides(sim::Scenario& sc, const char* option, const char* key) const;
  // The scenario file (or the built-in defaults) with every option above that was given
  // applied. Not validated: the command applies its own options first.
  sim::Scenario resolve() const;
};

// Refuses a --strategies list longer than sim::kMaxStrategies before any is parsed.
CLI::Validator strategy_count_check();

}  // namespace microreach::cli
