// microreach sweep: the answer curve over one axis of a plan (number of micro accounts, macro
// share, budget), with common random numbers at every point, the best point for an objective,
// the risk-return frontier and, optionally, the sensitivity tornado of the best point.
// microreach sensitivity: the tornado of one or more strategies.
// Both write a microreach.sweep HDF5 file (docs/hdf5-layout.md, "Sweep files").
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "campaign_options.hpp"
#include "commands.hpp"
#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/error.hpp"
#include "microreach/format.hpp"
#include "microreach/io/campaign.hpp"
#include "microreach/io/sweep.hpp"
#include "microreach/sim/campaign_run.hpp"
#include "microreach/sim/candidates.hpp"
#include "microreach/sim/plan.hpp"
#include "microreach/sim/scenario.hpp"
#include "microreach/sim/strategy.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

using namespace microreach::sim;

// Options shared by sweep and sensitivity: the campaign (a scenario file, overridden by the
// options given) and where the candidates come from; the same names as `simulate`.
struct PlanArgs : CampaignOptions {
  std::string out;
  std::string strategies_text;  // sensitivity --strategies (its list:FILE inputs)
  double range_pct = 20;
  std::uint64_t max_hires = 0;
  std::string rank_by = "mean";
};

// Trials per point unless --trials or the scenario's run.trials says otherwise: a sweep runs
// many portfolios, so its default is smaller than simulate's.
constexpr std::uint64_t kDefaultPlanTrials = 10000;

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
  cmd->add_option("--out,-o", a.out, "Output HDF5 file (microreach.sweep); none: terminal only");
  cmd->add_option("--max-hires", a.max_hires,
                  "At most N hires for micro-top and optimize (and mix's micro part); default "
                  "no cap");
  cmd->add_option("--range", a.range_pct,
                  "Sensitivity: vary each uncertain input by -PCT % and +PCT % (default 20)");
  cmd->add_option("--rank-by", a.rank_by,
                  "Sensitivity ranking: mean (effect on mean ROI, default) or spread (P95 - P5)");
}

Scenario resolve(const PlanArgs& a) {
  Scenario sc = a.resolve();
  if (!sc.origin.count("run.trials")) sc.trials = kDefaultPlanTrials;  // neither file nor option
  sc.validate();
  check_campaign_paths(a.cmd, a.out, a.scenario, sc.input, sc.where("market.input"), sc.strategies,
                       a.strategies_text);
  return sc;
}

CandidatePool pool_of(const Scenario& sc) {
  CandidateOptions co;
  co.niche = sc.niche;
  return sim::scenario_candidates(sc, co);
}

SensitivityOptions sensitivity_options(const PlanArgs& a, const Scenario& sc) {
  SensitivityOptions so;
  so.seed = sc.seed;
  so.trials = sc.trials;
  if (!(a.range_pct > 0 && a.range_pct < 100))
    throw ConfigError("--range", std::to_string(a.range_pct), "a percentage in (0, 100)");
  so.range = a.range_pct / 100.0;
  so.rank_by = parse_rank_by("--rank-by", a.rank_by);
  return so;
}

std::string number_text(double v) {
  std::ostringstream o;
  o.precision(10);
  o << v;
  return o.str();
}

void write_root(h5::Id f, const Scenario& sc, const CampaignModel& model, const SimResult& sim,
                const CandidatePool& pool) {
  io::CampaignRunInfo info;
  info.trials_requested = sc.trials;
  info.max_trials = sc.trials;
  info.precision.rounds = 1;
  info.precision.max_relative_se = max_relative_se(sim);
  info.precision.reached = true;
  info.budget = sc.budget;
  info.niche = sc.niche;
  info.scenario_file = sc.file;
  info.candidate_source = pool.source;
  info.candidates = pool.accounts.size();
  io::write_run_attributes(f, model, sim, info);
}

// ------------------------------------------------------------------ sweep
struct SweepArgs {
  PlanArgs plan;
  std::string over;
  std::string objective = "profit";
  std::string strategy;  // default by axis: micro-even (micro-count), micro-top (budget)
  bool sensitivity = false;
};

void run_sweep_command(const SweepArgs& a_in, const Globals& g) {
  const auto t0 = std::chrono::steady_clock::now();
  const SweepSpec spec = parse_sweep_spec("--over", a_in.over);
  SweepArgs a = a_in;
  if (a.strategy.empty()) a.strategy = spec.axis == SweepAxis::budget ? "micro-top" : "micro-even";
  const Objective objective = parse_objective("--objective", a.objective);
  const Scenario sc = resolve(a.plan);
  const ModelParams& params = sc.model;
  std::optional<SensitivityOptions> sens;
  if (a.sensitivity) sens = sensitivity_options(a.plan, sc);
  check_sweep_strategy(spec, a.strategy);  // fail before loading the candidates
  const std::uint64_t bytes = kept_values_bytes(sc.trials, spec.values.size());
  if (bytes > SweepOptions{}.max_memory_bytes)
    throw ConfigError(sc.where("run.trials"), std::to_string(sc.trials),
                      "fewer trials for " + std::to_string(spec.values.size()) +
                          " points: every trial value is kept for the quantiles (" +
                          std::to_string(kMetricCount * 8 * spec.values.size()) +
                          " bytes a trial, 4 GiB at most)");
  auto threads = limit_threads(g.threads);
  const CandidatePool pool = pool_of(sc);

  StrategyContext ctx;
  ctx.pool = &pool;
  ctx.params = params;
  ctx.niche = sc.niche;
  ctx.budget = sc.budget;
  ctx.budget_key = sc.where("campaign.budget");
  ctx.max_hires = a.plan.max_hires;
  SweepPoints pts = build_sweep_points(spec, a.strategy, ctx);
  for (const auto& [v, why] : pts.skipped)
    if (!g.quiet)
      std::cerr << "microreach: sweep point " << axis_name(spec.axis) << "=" << number_text(v)
                << " skipped: " << why << "\n";
  const SweepSpec& kept = pts.spec;
  std::map<double, Portfolio> built;
  for (std::size_t i = 0; i < kept.values.size(); ++i)
    built.emplace(kept.values[i], pts.portfolios[i]);
  if (kept.values.empty())
    throw ConfigError("--over", a.over,
                      "at least one point the budget can buy (every point was skipped)");
  SweepOptions so;
  so.seed = sc.seed;
  so.trials = sc.trials;
  so.budget = sc.budget;
  so.point_budget = [&](double v) { return built.at(v).budget; };
  so.objective = objective;
  const SweepResult r = run_sweep(
      params, kept, [&](double v) { return built.at(v); }, so);
  throw_if_cancelled();
  std::vector<SensitivityRow> sens_rows;
  if (sens) sens_rows = run_sensitivity(params, {r.portfolios[r.best]}, *sens);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::cout << "Sweep over " << axis_name(spec.axis) << " (" << kept.values.size()
            << " points, strategy " << (spec.axis == SweepAxis::mix ? "mix:A" : a.strategy)
            << "), budget " << format::money(sc.budget) << ", niche "
            << niche_name(static_cast<std::uint8_t>(sc.niche)) << ", "
            << format::count(std::uint64_t{sc.trials})
            << " trials per point, common random numbers, seed " << sc.seed << "; candidates "
            << pool.source << " (" << format::count(std::uint64_t{pool.accounts.size()})
            << " accounts)\n\n";
  std::cout << format_sweep_table(r);
  const SweepPoint& best = r.points[r.best];
  std::cout << "\nBest for " << objective_name(objective) << ": " << axis_name(spec.axis) << " = "
            << number_text(best.value) << " (" << r.portfolios[r.best].label << ", "
            << format::count(best.hired) << " accounts, spend " << format::money(best.cost)
            << "). Frontier: " << r.frontier.frontier.size() << " of " << r.points.size()
            << " points are not dominated on (expected profit, " << format::kShortfall
            << " of profit).\n";
  if (sens) std::cout << format_sensitivity_table(sens_rows, {r.portfolios[r.best]}, sens->range);
  std::cout << "Done in " << number_text(std::round(seconds * 100) / 100) << " s ("
            << effective_threads(g.threads) << " threads)\n";
  // Distributed (docs/scale.md): every rank holds the whole result; rank 0 writes the file.
  if (a.plan.out.empty() || !dist::is_root()) return;

  AtomicOutput out(a.plan.out);
  {
    std::ostringstream extra;
    extra << "\n[sweep]\nover = \"" << a.over << "\"\nobjective = \"" << a.objective << "\"\n";
    if (spec.axis != SweepAxis::mix) extra << "strategy = \"" << a.strategy << "\"\n";
    if (sens)
      extra << "sensitivity_range = " << sens->range << "\nrank_by = \"" << a.plan.rank_by
            << "\"\n";
    h5::Provenance prov{h5::kFiletypeSweep, sc.seed, sc.to_toml() + extra.str(), g.command_line};
    h5::File f = h5::File::create(out.temp_path(), prov);
    const CampaignModel model(params, r.portfolios);
    write_root(f.id(), sc, model, r.sim, pool);
    io::SweepAttributes attrs;
    attrs.axis = axis_name(spec.axis);
    const char* label = spec.axis == SweepAxis::micro_count ? "number of micro accounts"
                        : spec.axis == SweepAxis::mix       ? "share of the budget on one macro"
                                                            : "campaign budget";
    const char* units = spec.axis == SweepAxis::micro_count ? "accounts"
                        : spec.axis == SweepAxis::mix       ? "share"
                                                            : "USD";
    attrs.axis_label = label;
    attrs.axis_units = units;
    attrs.base_strategy = spec.axis == SweepAxis::micro_count ? a.strategy + ":N"
                          : spec.axis == SweepAxis::mix       ? std::string("mix:A")
                                                              : a.strategy;
    attrs.objective = objective_name(objective);
    attrs.best_point = r.best;
    for (const auto& sv : pts.skipped)
      attrs.skipped_values += (attrs.skipped_values.empty() ? "" : ",") + number_text(sv.first);
    io::write_sweep_attributes(f.id(), attrs);
    io::write_model(f.id(), params);
    io::write_strategies(f.id(), model);
    io::write_summary(f.id(), r.summary);
    io::write_comparisons(f.id(), r.sim);
    io::write_sweep_groups(f.id(), r);
    if (sens) {
      // Rows of the one-portfolio sensitivity run refer to the best point's index here.
      for (auto& row : sens_rows) row.portfolio = r.best;
      io::write_sensitivity(f.id(), sens_rows, *sens);
    }
    f.close();
  }
  out.commit();
  std::cout << "Wrote " << a.plan.out << "\n";
}

// ------------------------------------------------------------------ sensitivity
struct SensArgs {
  PlanArgs plan;
  std::string strategies;
};

void run_sensitivity_command(const SensArgs& a_in, const Globals& g) {
  const auto t0 = std::chrono::steady_clock::now();
  SensArgs a = a_in;
  if (a.plan.given("--strategies")) a.plan.strategies_text = a.strategies;
  Scenario sc = resolve(a.plan);
  if (a.plan.given("--strategies")) {
    sc.strategies.clear();
    for (const StrategySpec& s : parse_strategies(a.strategies, "--strategies"))
      sc.strategies.push_back(s.text);
    sc.origin["campaign.strategies"] = "--strategies";
  }
  const ModelParams& params = sc.model;
  const SensitivityOptions so = sensitivity_options(a.plan, sc);
  std::vector<StrategySpec> specs;
  for (const std::string& s : sc.strategies)
    specs.push_back(parse_strategy(s, sc.where("campaign.strategies")));
  auto threads = limit_threads(g.threads);
  CandidateOptions co;
  co.niche = sc.niche;
  for (const StrategySpec& s : specs)
    for (const auto& e : s->entries()) {
      if (e.by_id)
        co.wanted_ids.insert(e.id);
      else
        co.wanted_handles.insert(e.handle);
    }
  const CandidatePool pool =
      sc.input.empty() ? synthetic_market(sc.market_profiles, sc.market_seed, GeneratorConfig{}, co)
                       : load_candidates(sc.input, co);
  std::vector<Portfolio> portfolios;
  for (const auto& s : specs) {
    StrategyContext ctx;
    ctx.pool = &pool;
    ctx.params = params;
    ctx.niche = sc.niche;
    ctx.budget = sc.budget;
    ctx.budget_key = sc.where("campaign.budget");
    ctx.max_hires = a.plan.max_hires;
    portfolios.push_back(build_portfolio(s, ctx));
  }
  const auto rows = run_sensitivity(params, portfolios, so);
  throw_if_cancelled();
  // The base run again, for the summary table, the frontier and the comparisons of the file.
  const CampaignModel model(params, portfolios);
  SimOptions sim_opt;
  sim_opt.seed = sc.seed;
  sim_opt.trials = sc.trials;
  const SimResult sim = simulate(model, sim_opt);
  const auto summary = summarize(model, sim);
  std::vector<FrontierInput> fin;
  for (const auto& s : summary)
    fin.push_back({s[idx(Metric::profit)].mean, s[idx(Metric::profit)].shortfall});
  const Frontier frontier = risk_return_frontier(fin);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "Sensitivity of ROI, budget " << format::money(sc.budget) << ", niche "
            << niche_name(static_cast<std::uint8_t>(sc.niche)) << ", "
            << format::count(std::uint64_t{sc.trials})
            << " trials per run with common random numbers, seed " << sc.seed << "\n";
  std::cout << format_sensitivity_table(rows, portfolios, so.range);
  std::cout << "Done in " << number_text(std::round(seconds * 100) / 100) << " s ("
            << effective_threads(g.threads) << " threads)\n";
  // Distributed (docs/scale.md): every rank holds the whole result; rank 0 writes the file.
  if (a.plan.out.empty() || !dist::is_root()) return;
  AtomicOutput out(a.plan.out);
  {
    std::ostringstream extra;
    extra << "\n[sensitivity]\nrange = " << so.range << "\nrank_by = \"" << a.plan.rank_by
          << "\"\n";
    h5::Provenance prov{h5::kFiletypeSweep, sc.seed, sc.to_toml() + extra.str(), g.command_line};
    h5::File f = h5::File::create(out.temp_path(), prov);
    write_root(f.id(), sc, model, sim, pool);
    io::SweepAttributes attrs;
    attrs.axis = "none";
    attrs.objective = "roi";
    io::write_sweep_attributes(f.id(), attrs);
    io::write_model(f.id(), params);
    io::write_strategies(f.id(), model);
    io::write_summary(f.id(), summary);
    io::write_comparisons(f.id(), sim);
    io::write_frontier(f.id(), frontier, summary);
    io::write_sensitivity(f.id(), rows, so);
    f.close();
  }
  out.commit();
  std::cout << "Wrote " << a.plan.out << "\n";
}

}  // namespace

void add_sweep(CLI::App& app, Globals& g) {
  auto a = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Sweep one axis of a plan (micro-count, mix or budget) with common random numbers: "
      "means, 90 % bands, P(loss), expected shortfall per point, the best point and the "
      "risk-return frontier");
  cmd->add_option("--over", a->over,
                  "AXIS=LO..HI[:STEP]: micro-count=1..200, mix=0..1:0.1, "
                  "budget=5000..100000:5000")
      ->required();
  cmd->add_option("--objective", a->objective,
                  "Best point maximises the mean of: profit, reach, conversions or roi");
  cmd->add_option("--strategy", a->strategy,
                  "micro-count axis: micro-even (default; nested even split: every account "
                  "costs at most budget/N_max, point N = the N best-scored such accounts), "
                  "micro-even-split (point N = micro-even:N at the whole budget) or micro-top "
                  "(point N = the first N accounts micro-top hires). budget axis: the strategy "
                  "built at every budget, default micro-top (" +
                      strategy_help() + ")");
  cmd->add_flag("--sensitivity", a->sensitivity,
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
