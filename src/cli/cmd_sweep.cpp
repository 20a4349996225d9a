// microreach sweep: the answer curve over one axis of a plan (number of micro accounts, macro
// share, budget), with common random numbers at every point, the best point for an objective,
// the risk-return frontier and, optionally, the sensitivity tornado of the best point.
// microreach sensitivity: the tornado of one or more strategies.
// Both write a microreach.sweep HDF5 file (docs/hdf5-layout.md, "Sweep files"). The work is
// jobs::sweep and jobs::sensitivity; this file declares the options and prints.
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>

#include "campaign_options.hpp"
#include "commands.hpp"
#include "microreach/format.hpp"
#include "microreach/jobs/plan.hpp"
#include "microreach/sim/candidates.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

using namespace microreach::sim;
using jobs::axis_value_text;
using jobs::kDefaultPlanTrials;
using Clock = std::chrono::steady_clock;

// Options shared by sweep and sensitivity: the campaign (a scenario file, overridden by the
// options given) and where the candidates come from; the same names as `simulate`.
struct PlanArgs : CampaignOptions {
  jobs::PlanOptions job;
  std::string strategies_text;  // sensitivity --strategies (its list:FILE inputs)
};

void add_plan_options(CLI::App* cmd, PlanArgs& a) {
  a.cmd = cmd;
  cmd->add_option("--scenario", a.scenario,
                  "Scenario TOML file (sim/scenarios/*.toml); the options below override it");
  cmd->add_option("--budget", a.budget,
                  "Campaign budget in USD (default 25000; the point budget of a sweep)")
      ->default_str("25000");
  cmd->add_option("--niche", a.niche, "Target niche (default fitness): " + niche_list());
  cmd->add_option("--trials", a.trials,
                  "Monte Carlo trials per point / per run (default " +
                      std::to_string(kDefaultPlanTrials) + ")")
      ->default_str("10000");
  cmd->add_option("--seed", a.seed, "Random seed (default 1; same numbers at every point)")
      ->default_str("1");
  cmd->add_option("--input,-i", a.input,
                  "Candidates: a scores/profiles HDF5 file or a CSV/TSV/JSON export "
                  "(default: the built-in synthetic market)");
  cmd->add_option("--market-profiles", a.market_profiles,
                  "Size of the built-in synthetic market (default 200000)")
      ->default_str("200000");
  cmd->add_option("--market-seed", a.market_seed, "Seed of the synthetic market (default 7)")
      ->default_str("7");
  cmd->add_option("--posts", a.posts, "Posts bought from each account (default 1)")
      ->default_str("1");
  cmd->add_option("--conversion-rate", a.conversion_rate,
                  "Purchases per relevant person reached (default 0.0005)")
      ->default_str("0.0005");
  cmd->add_option("--aov", a.aov, "Average order value, USD (default 60)")->default_str("60");
  cmd->add_option("--margin", a.margin, "Gross margin, share of revenue (default 0.6)")
      ->default_str("0.6");
  cmd->add_option("--out,-o", a.job.out,
                  "Output HDF5 file (microreach.sweep); none: terminal only");
  cmd->add_option("--max-hires", a.job.max_hires,
                  "At most N hires for micro-top and optimize (and mix's micro part); default "
                  "no cap");
  cmd->add_option("--range", a.job.range_pct,
                  "Sensitivity: vary each uncertain input by -PCT % and +PCT % (default 20)");
  cmd->add_option("--rank-by", a.job.rank_by,
                  "Sensitivity ranking: mean (effect on mean ROI, default) or spread (P95 - P5)");
}

void check_plan_paths(const PlanArgs& a, const Scenario& sc) {
  check_campaign_paths(a.cmd, a.job.out, a.scenario, sc.input, sc.where("market.input"),
                       sc.strategies, a.strategies_text);
}

void print_done(Clock::time_point t0, const Globals& g) {
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::cout << "Done in " << axis_value_text(std::round(seconds * 100) / 100) << " s ("
            << effective_threads(g.threads) << " threads)\n";
}

// ------------------------------------------------------------------ sweep
struct SweepArgs {
  PlanArgs plan;
  jobs::SweepJobOptions job;
};

void run_sweep_command(const SweepArgs& a, const Globals& g) {
  const auto t0 = Clock::now();
  jobs::SweepJobOptions o = a.job;
  o.campaign = a.plan.settings();
  o.plan = a.plan.job;
  o.plan.command_line = g.command_line;
  const jobs::SweepPlan plan = jobs::plan_sweep(o);
  const Scenario& sc = plan.scenario;
  const SweepSpec& spec = plan.spec;
  if (!g.quiet)
    o.on_skipped = [&](double v, const std::string& why) {
      std::cerr << "microreach: sweep point " << axis_name(spec.axis) << "=" << axis_value_text(v)
                << " skipped: " << why << "\n";
    };
  check_plan_paths(a.plan, sc);
  auto threads = limit_threads(g.threads);
  const jobs::SweepJobResult r = jobs::sweep(plan, o);
  const SweepResult& sw = r.result;
  std::cout << "Sweep over " << axis_name(spec.axis) << " (" << sw.spec.values.size()
            << " points, strategy " << (spec.axis == SweepAxis::mix ? "mix:A" : plan.strategy)
            << "), budget " << format::money(sc.budget) << ", niche "
            << niche_name(static_cast<std::uint8_t>(sc.niche)) << ", "
            << format::count(std::uint64_t{sc.trials})
            << " trials per point, common random numbers, seed " << sc.seed << "; candidates "
            << r.pool.source << " (" << format::count(std::uint64_t{r.pool.accounts.size()})
            << " accounts)\n\n";
  std::cout << format_sweep_table(sw);
  const SweepPoint& best = sw.points[sw.best];
  std::cout << "\nBest for " << objective_name(plan.objective) << ": " << axis_name(spec.axis)
            << " = " << axis_value_text(best.value) << " (" << sw.portfolios[sw.best].label << ", "
            << format::count(best.hired) << " accounts, spend " << format::money(best.cost)
            << "). Frontier: " << sw.frontier.frontier.size() << " of " << sw.points.size()
            << " points are not dominated on (expected profit, " << format::kShortfall
            << " of profit).\n";
  if (r.sensitivity)
    std::cout << format_sensitivity_table(r.sensitivity_rows, {sw.portfolios[sw.best]},
                                          r.sensitivity->range);
  print_done(t0, g);
  if (r.wrote) std::cout << "Wrote " << o.plan.out << "\n";
}

// ------------------------------------------------------------------ sensitivity
struct SensArgs {
  PlanArgs plan;
  std::string strategies;
};

void run_sensitivity_command(const SensArgs& a_in, const Globals& g) {
  const auto t0 = Clock::now();
  SensArgs a = a_in;
  jobs::SensitivityJobOptions o;
  if (a.plan.given("--strategies")) {
    a.plan.strategies_text = a.strategies;
    o.strategies = a.strategies;
  }
  o.campaign = a.plan.settings();
  o.plan = a.plan.job;
  o.plan.command_line = g.command_line;
  const Scenario sc_file = jobs::plan_scenario(o.campaign);
  check_plan_paths(a.plan, sc_file);
  auto threads = limit_threads(g.threads);
  const jobs::SensitivityJobResult r = jobs::sensitivity(sc_file, o);
  const Scenario& sc = r.scenario;
  std::cout << "Sensitivity of ROI, budget " << format::money(sc.budget) << ", niche "
            << niche_name(static_cast<std::uint8_t>(sc.niche)) << ", "
            << format::count(std::uint64_t{sc.trials})
            << " trials per run with common random numbers, seed " << sc.seed << "\n";
  std::cout << format_sensitivity_table(r.rows, r.portfolios, r.options.range);
  print_done(t0, g);
  if (r.wrote) std::cout << "Wrote " << o.plan.out << "\n";
}

}  // namespace

void add_sweep(CLI::App& app, Globals& g) {
  auto a = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Sweep one axis of a plan (micro-count, mix or budget) with common random numbers: "
      "means, 90 % bands, P(loss), expected shortfall per point, the best point and the "
      "risk-return frontier");
  cmd->add_option("--over", a->job.over,
                  "AXIS=LO..HI[:STEP]: micro-count=1..200, mix=0..1:0.1, "
                  "budget=5000..100000:5000")
      ->required();
  cmd->add_option("--objective", a->job.objective,
                  "Best point maximises the mean of: profit, reach, conversions or roi");
  cmd->add_option("--strategy", a->job.strategy,
                  "micro-count axis: micro-even (default; nested even split: every account "
                  "costs at most budget/N_max, point N = the N best-scored such accounts), "
                  "micro-even-split (point N = micro-even:N at the whole budget) or micro-top "
                  "(point N = the first N accounts micro-top hires). budget axis: the strategy "
                  "built at every budget, default micro-top (" +
                      strategy_help() + ")");
  cmd->add_flag("--sensitivity", a->job.sensitivity,
                "Also rank the uncertain inputs by their effect on ROI at the best point "
                "(tornado; see --range, --rank-by)");
  add_plan_options(cmd, a->plan);
  cmd->callback([a, &g] { run_sweep_command(*a, g); });
}

void add_sensitivity(CLI::App& app, Globals& g) {
  auto a = std::make_shared<SensArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sensitivity",
      "Vary each uncertain input of the campaign model by -x % and +x % with common random "
      "numbers and rank the inputs by their effect on ROI (tornado)");
  cmd->add_option(
         "--strategies,-s", a->strategies,
         "Comma-separated strategies (default macro,micro-even:40,micro-top): " + strategy_help())
      ->check(strategy_count_check());
  add_plan_options(cmd, a->plan);
  cmd->callback([a, &g] { run_sensitivity_command(*a, g); });
}

}  // namespace microreach::cli
