#pragma once
// The work of `microreach simulate` as a library call: a resolved
// scenario in, the candidates, portfolios, trials and summaries out, with no printing and no
// file. The Python module calls these; they follow the commands step for step (same checks,
// same order of random streams), so a run gives the command's numbers bit for bit.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "microreach/sim/candidates.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"
#include "microreach/sim/plan.hpp"
#include "microreach/sim/scenario.hpp"
#include "microreach/sim/strategy.hpp"

namespace microreach::sim {

// Memory allowed for the per-trial values kept for quantiles and shortfall.
inline constexpr double kMaxKeptTrialBytes = 4.0 * (1ull << 30);

// The candidates of a scenario: its input file, or the built-in synthetic market. Errors about
// the input file name the scenario key that gave it (market.input) when a scenario file did.
CandidatePool scenario_candidates(const Scenario& sc, const CandidateOptions& co);

// The candidates `specs` need: those of the niche, and every account a "list:" strategy names
// (by id or handle) whatever its niche.
CandidateOptions candidate_options(const std::vector<StrategySpec>& specs, Niche niche);

struct CampaignRun {
  Scenario scenario;
  CandidatePool pool;
  std::optional<CampaignModel> model;
  SimResult result;  // with every trial's totals (has_values)
  PrecisionReport precision;
  std::uint64_t max_trials = 0;  // cap the precision rounds ran under
  std::vector<PortfolioSummary> summary;
  std::size_t baseline = 0;    // the first macro strategy (for P(beats ...)), else 0
  double pool_seconds = 0;     // loading or generating the candidates (wall clock)
  double sim_seconds = 0;      // the trials (wall clock)
  double sim_cpu_seconds = 0;  // the trials (process CPU time, all threads)
};

// simulate: strategies parsed (list files read) first, the kept values checked to fit, then
// candidates, portfolios and trials (in rounds when sc.precision > 0). `sc` must be validated.
// Throws ConfigError / InputError naming where the offending value came from.
// `max_hires` caps micro-top and optimize (0: no cap; errors name --max-hires).
CampaignRun run_campaign(const Scenario& sc, std::uint64_t max_hires = 0);

}  // namespace microreach::sim
