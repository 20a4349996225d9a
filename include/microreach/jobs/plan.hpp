#pragma once
// `microreach sweep` and `microreach sensitivity` as library calls: the campaign settings and
// the plan's options in; the candidates, the points or portfolios, the runs and the tornado
// out, and the microreach.sweep file (docs/hdf5-layout.md, "Sweep files") written when asked.
// No printing: the command line and the Python module show the result.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "microreach/jobs/campaign.hpp"
#include "microreach/sim/candidates.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/plan.hpp"
#include "microreach/sim/strategy.hpp"

namespace microreach::jobs {

// Trials per point unless --trials or the scenario's run.trials says otherwise: a sweep runs
// many portfolios, so its default is smaller than simulate's.
inline constexpr std::uint64_t kDefaultPlanTrials = 10000;

// An axis value (or a time) as sweep prints and stores it: up to 10 significant digits.
std::string axis_value_text(double v);

// The scenario of a sweep or sensitivity run: the settings resolved, kDefaultPlanTrials when
// neither the file nor --trials set the trials, validated.
sim::Scenario plan_scenario(const CampaignSettings& s);

// Options shared by sweep and sensitivity.
struct PlanOptions {
  std::uint64_t max_hires = 0;  // --max-hires (0: no cap)
  double range_pct = 20;        // --range: sensitivity varies each input by -PCT % and +PCT %
  std::string rank_by = "mean";
  // The sweep HDF5 file; "" writes none. Written on rank 0 only.
  std::string out;
  std::string command_line;  // stamped in the file's provenance
};

// ------------------------------------------------------------------ sweep
struct SweepJobOptions {
  CampaignSettings campaign;
  PlanOptions plan;
  std::string over;  // AXIS=LO..HI[:STEP]
  std::string objective = "profit";
  std::string strategy;  // "": by axis, micro-top (budget) or micro-even
  bool sensitivity = false;
  // Told of each axis value no portfolio fits (value, why) as soon as the points are built,
  // before the run and before the error when every point is skipped; may be empty.
  std::function<void(double, const std::string&)> on_skipped;
};

// The checked request: axis and points, base strategy, objective and scenario.
struct SweepPlan {
  sim::SweepSpec spec;
  std::string strategy;
  sim::Objective objective = sim::Objective::profit;
  sim::Scenario scenario;
};

// Parses --over, --strategy's default and --objective, then the scenario (plan_scenario).
SweepPlan plan_sweep(const SweepJobOptions& o);

struct SweepJobResult {
  sim::CandidatePool pool;
  std::vector<std::pair<double, std::string>> skipped;  // axis values no portfolio fits, why
  sim::SweepResult result;
  std::optional<sim::SensitivityOptions> sensitivity;  // with --sensitivity
  std::vector<sim::SensitivityRow> sensitivity_rows;   // of the best point (portfolio 0)
  bool wrote = false;
};

// Checks the strategy and the memory the kept trials need, loads the candidates, builds and
// runs every point, the tornado of the best point when asked, and writes o.plan.out.
SweepJobResult sweep(const SweepPlan& p, const SweepJobOptions& o);

// ------------------------------------------------------------------ sensitivity
struct SensitivityJobOptions {
  CampaignSettings campaign;
  PlanOptions plan;
  std::optional<std::string> strategies;  // --strategies: replaces the scenario's
};

struct SensitivityJobResult {
  sim::Scenario scenario;  // with --strategies applied
  sim::CandidatePool pool;
  std::vector<sim::Portfolio> portfolios;
  sim::SensitivityOptions options;
  std::vector<sim::SensitivityRow> rows;
  bool wrote = false;
};

// The tornado of the strategies of `sc` (from plan_scenario(o.campaign)), or of
// o.strategies, with a base run for the summary, frontier and comparisons of o.plan.out.
SensitivityJobResult sensitivity(const sim::Scenario& sc, const SensitivityJobOptions& o);

}  // namespace microreach::jobs
