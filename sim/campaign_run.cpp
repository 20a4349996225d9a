#include "microreach/sim/campaign_run.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <string>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/sim/strategy.hpp"

namespace microreach::sim {

CandidatePool scenario_candidates(const Scenario& sc, const CandidateOptions& co) {
  // The synthetic market is drawn by generator version 1 (the scenario has no generator
  // version of its own yet), so campaign figures stay those of earlier releases.
  if (sc.input.empty())
    return synthetic_market(sc.market_profiles, sc.market_seed, GeneratorConfig{.version = 1}, co);
  try {
    return load_candidates(sc.input, co);
  } catch (const ConfigError& e) {
    // The loader names --input; the path may have come from the scenario's market.input.
    const std::string w = sc.where("market.input");
    if (e.option() != "--input" || w == "--input") throw;
    const std::string msg = e.what();
    throw ConfigError(w + msg.substr(e.option().size()));
  } catch (const InputError& e) {
    // A file that cannot be read: say which key named it when a scenario file did.
    const std::string w = sc.where("market.input");
    if (e.file() != sc.input || e.line() != 0 || w == "--input") throw;
    throw InputError(e.file(), 0, 0, e.reason() + " (the market named by " + w + ")");
  }
}

CandidateOptions candidate_options(const std::vector<StrategySpec>& specs, Niche niche) {
  CandidateOptions co;
  co.niche = niche;
  for (const StrategySpec& s : specs)
    for (const auto& e : s->entries()) {
      if (e.by_id)
        co.wanted_ids.insert(e.id);
      else
        co.wanted_handles.insert(e.handle);
    }
  return co;
}

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
}  // namespace

CampaignRun run_campaign(const Scenario& sc, std::uint64_t max_hires) {
  CampaignRun run;
  run.scenario = sc;

  // Strategies first: list files are read (and refused) before any work.
  std::vector<StrategySpec> specs;
  for (const std::string& s : sc.strategies)
    specs.push_back(parse_strategy(s, sc.where("campaign.strategies")));
  const CandidateOptions copt = candidate_options(specs, sc.niche);

  // Refuse runs whose per-trial values would not fit, before doing anything. A default cap of
  // the precision rounds is lowered to what fits instead (the target usually needs far less).
  const double bytes_per_trial = static_cast<double>(specs.size() * kMetricCount * 8);
  const auto fits = static_cast<std::uint64_t>(kMaxKeptTrialBytes / bytes_per_trial);
  std::uint64_t max_trials = sc.max_trials;
  if (sc.precision > 0 && max_trials > fits && !sc.origin.count("run.max_trials"))
    max_trials = fits;
  const std::uint64_t planned = sc.precision > 0 ? max_trials : sc.trials;
  if (planned > fits)
    throw ConfigError(
        sc.where(sc.precision > 0 ? "run.max_trials" : "run.trials"), std::to_string(planned),
        "at most " + std::to_string(fits) + " trials for " + std::to_string(specs.size()) +
            " strategies (every trial's totals are kept for the quantiles: " +
            std::to_string(kMetricCount * 8 * specs.size()) + " bytes a trial, 4 GiB at most)");
  run.max_trials = max_trials;

  const auto t_pool = Clock::now();
  run.pool = scenario_candidates(sc, copt);
  run.pool_seconds = seconds_since(t_pool);

  StrategyContext ctx;
  ctx.pool = &run.pool;
  ctx.params = sc.model;
  ctx.budget = sc.budget;
  ctx.niche = sc.niche;
  ctx.budget_key = sc.where("campaign.budget");
  ctx.max_hires = max_hires;
  std::vector<Portfolio> portfolios;
  bool have_baseline = false;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    portfolios.push_back(build_portfolio(specs[i], ctx));
    if (!have_baseline && specs[i]->is_baseline()) {
      run.baseline = i;
      have_baseline = true;
    }
  }
  run.model.emplace(sc.model, std::move(portfolios));

  SimOptions so;
  so.seed = sc.seed;
  so.trials = sc.trials;
  so.keep_values = true;
  const auto t_sim = Clock::now();
  const std::clock_t cpu_sim = std::clock();  // process CPU time, all threads
  if (sc.precision > 0) {
    PrecisionOptions po;
    po.target = sc.precision;
    po.first_round = std::min(sc.trials, max_trials);
    po.max_trials = max_trials;
    run.precision = simulate_to_precision(*run.model, so, po, run.result);
  } else {
    run.result = simulate(*run.model, so);
    run.precision.rounds = 1;
    run.precision.reached = true;
    run.precision.max_relative_se = max_relative_se(run.result);
  }
  run.sim_seconds = seconds_since(t_sim);
  run.sim_cpu_seconds = static_cast<double>(std::clock() - cpu_sim) / CLOCKS_PER_SEC;
  run.summary = summarize(*run.model, run.result);
  return run;
}

}  // namespace microreach::sim
