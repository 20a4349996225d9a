#pragma once
// The campaign as a user gives it to simulate, sweep and sensitivity (on the command line or
// from Python): a scenario file, or the built-in defaults, and the options that override its
// keys. Resolved here once, so every caller gets the same scenario and the same messages.
#include <cstdint>
#include <optional>
#include <string>

#include "microreach/io/campaign.hpp"
#include "microreach/sim/candidates.hpp"
#include "microreach/sim/scenario.hpp"

namespace microreach::jobs {

// Each option that was given; an unset one leaves the scenario's value (or the default).
struct CampaignSettings {
  std::optional<std::string> scenario;  // --scenario: the TOML file
  std::optional<double> budget;
  std::optional<std::string> niche;
  std::optional<std::uint64_t> trials, seed;
  std::optional<std::string> input;
  std::optional<std::uint64_t> market_profiles, market_seed;
  std::optional<double> posts, conversion_rate, aov, margin;
};

// The scenario file (or the defaults) with every given option applied, each recorded as the
// origin of its key under the command line's name ("--budget"), so errors name the option.
// Not validated: the command applies its own options first.
sim::Scenario resolve_scenario(const CampaignSettings& s);

// As --strategies TEXT: the comma-separated strategies replace the scenario's (parsed, list
// files read; errors name --strategies).
void set_strategies(sim::Scenario& sc, const std::string& text);

// The root attributes of a campaign or sweep file common to every command: the requested
// trials, budget, niche, scenario file and where the candidates came from.
io::CampaignRunInfo run_info(const sim::Scenario& sc, const sim::CandidatePool& pool);

}  // namespace microreach::jobs
