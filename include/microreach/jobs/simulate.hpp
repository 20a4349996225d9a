#pragma once
// `microreach simulate` as a library call: the campaign settings and the run's options in; the
// resolved scenario, the candidates, portfolios, trials and summaries out, and the campaign
// file written when asked. No printing: the command line and the Python module show the result.
#include <cstdint>
#include <optional>
#include <string>

#include "microreach/jobs/campaign.hpp"
#include "microreach/sim/campaign_run.hpp"

namespace microreach::jobs {

struct SimulateOptions {
  CampaignSettings campaign;
  std::optional<std::string> strategies;  // --strategies
  std::optional<double> precision;        // --precision
  std::optional<std::uint64_t> max_trials;
  bool noise = true;            // false: --no-noise
  std::uint64_t max_hires = 0;  // --max-hires (0: no cap)
  // The campaign HDF5 file (docs/hdf5-layout.md); "" writes none. Written on rank 0 only.
  std::string out;
  bool keep_trials = false;  // also write every trial's totals
  std::string command_line;  // stamped in the file's provenance
};

// The scenario the run uses: the settings resolved, then --strategies, --precision,
// --max-trials and --no-noise applied, validated.
sim::Scenario simulate_scenario(const SimulateOptions& o);

struct SimulateResult {
  sim::CampaignRun run;
  bool wrote = false;  // o.out was written
};

// Runs `sc` (from simulate_scenario) and writes o.out when given. Throws ConfigError /
// InputError naming where the offending value came from.
SimulateResult simulate(const sim::Scenario& sc, const SimulateOptions& o);

}  // namespace microreach::jobs
