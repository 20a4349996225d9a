#pragma once
// The campaign options that simulate, sweep and sensitivity share: a scenario file and the
// options that override its keys (same option names and scenario keys in every command; each
// command registers them with its own help text and defaults).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "microreach/jobs/campaign.hpp"

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
  // Each option above that was given on the command line (jobs::resolve_scenario applies them).
  jobs::CampaignSettings settings() const;
};

// Refuses a --strategies list longer than sim::kMaxStrategies before any is parsed.
CLI::Validator strategy_count_check();

}  // namespace microreach::cli
