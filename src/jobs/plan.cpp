#include "microreach/jobs/plan.hpp"

#include <map>
#include <sstream>

#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/error.hpp"
#include "microreach/io/campaign.hpp"
#include "microreach/io/hdf5.hpp"
#include "microreach/io/sweep.hpp"
#include "microreach/sim/campaign_run.hpp"

namespace microreach::jobs {

using namespace microreach::sim;

std::string axis_value_text(double v) {
  std::ostringstream o;
  o.precision(10);
  o << v;
  return o.str();
}

Scenario plan_scenario(const CampaignSettings& s) {
  Scenario sc = resolve_scenario(s);
  if (!sc.origin.count("run.trials")) sc.trials = kDefaultPlanTrials;  // neither file nor option
  sc.validate();
  return sc;
}

namespace {

SensitivityOptions sensitivity_options(const PlanOptions& o, const Scenario& sc) {
  SensitivityOptions so;
  so.seed = sc.seed;
  so.trials = sc.trials;
  if (!(o.range_pct > 0 && o.range_pct < 100))
    throw ConfigError("--range", std::to_string(o.range_pct), "a percentage in (0, 100)");
  so.range = o.range_pct / 100.0;
  so.rank_by = parse_rank_by("--rank-by", o.rank_by);
  return so;
}

StrategyContext strategy_context(const Scenario& sc, const CandidatePool& pool,
                                 std::uint64_t max_hires) {
  StrategyContext ctx;
  ctx.pool = &pool;
  ctx.params = sc.model;
  ctx.niche = sc.niche;
  ctx.budget = sc.budget;
  ctx.budget_key = sc.where("campaign.budget");
  ctx.max_hires = max_hires;
  return ctx;
}

// The root attributes of a sweep file: one run of sc.trials trials, no precision rounds.
void write_root(h5::Id f, const Scenario& sc, const CampaignModel& model, const SimResult& sim,
                const CandidatePool& pool) {
  io::CampaignRunInfo info = run_info(sc, pool);
  info.max_trials = sc.trials;
  info.precision.rounds = 1;
  info.precision.max_relative_se = max_relative_se(sim);
  info.precision.reached = true;
  io::write_run_attributes(f, model, sim, info);
}

io::SweepAttributes sweep_attributes(const SweepPlan& p, const SweepJobResult& r) {
  const SweepAxis axis = p.spec.axis;
  io::SweepAttributes attrs;
  attrs.axis = axis_name(axis);
  attrs.axis_label = axis == SweepAxis::micro_count ? "number of micro accounts"
                     : axis == SweepAxis::mix       ? "share of the budget on one macro"
                                                    : "campaign budget";
  attrs.axis_units = axis == SweepAxis::micro_count ? "accounts"
                     : axis == SweepAxis::mix       ? "share"
                                                    : "USD";
  attrs.base_strategy = axis == SweepAxis::micro_count ? p.strategy + ":N"
                        : axis == SweepAxis::mix       ? std::string("mix:A")
                                                       : p.strategy;
  attrs.objective = objective_name(p.objective);
  attrs.best_point = r.result.best;
  for (const auto& sv : r.skipped)
    attrs.skipped_values += (attrs.skipped_values.empty() ? "" : ",") + axis_value_text(sv.first);
  return attrs;
}

void write_sweep_file(const SweepPlan& p, const SweepJobOptions& o, const SweepJobResult& r) {
  const Scenario& sc = p.scenario;
  std::ostringstream extra;
  extra << "\n[sweep]\nover = \"" << o.over << "\"\nobjective = \"" << o.objective << "\"\n";
  if (p.spec.axis != SweepAxis::mix) extra << "strategy = \"" << p.strategy << "\"\n";
  if (r.sensitivity)
    extra << "sensitivity_range = " << r.sensitivity->range << "\nrank_by = \"" << o.plan.rank_by
          << "\"\n";
  const h5::Provenance prov{h5::kFiletypeSweep, sc.seed, sc.to_toml() + extra.str(),
                            o.plan.command_line};
  h5::write_file_atomically(o.plan.out, prov, [&](h5::File& f) {
    const SweepResult& sw = r.result;
    const CampaignModel model(sc.model, sw.portfolios);
    write_root(f.id(), sc, model, sw.sim, r.pool);
    io::write_sweep_attributes(f.id(), sweep_attributes(p, r));
    io::write_model(f.id(), sc.model);
    io::write_strategies(f.id(), model);
    io::write_summary(f.id(), sw.summary);
    io::write_comparisons(f.id(), sw.sim);
    io::write_sweep_groups(f.id(), sw);
    if (r.sensitivity) {
      // Rows of the one-portfolio sensitivity run refer to the best point's index here.
      std::vector<SensitivityRow> rows = r.sensitivity_rows;
      for (auto& row : rows) row.portfolio = sw.best;
      io::write_sensitivity(f.id(), rows, *r.sensitivity);
    }
  });
}

}  // namespace

SweepPlan plan_sweep(const SweepJobOptions& o) {
  SweepPlan p;
  p.spec = parse_sweep_spec("--over", o.over);
  p.strategy = o.strategy;
  if (p.strategy.empty())
    p.strategy = p.spec.axis == SweepAxis::budget ? "micro-top" : "micro-even";
  p.objective = parse_objective("--objective", o.objective);
  p.scenario = plan_scenario(o.campaign);
  return p;
}

SweepJobResult sweep(const SweepPlan& p, const SweepJobOptions& o) {
  const Scenario& sc = p.scenario;
  SweepJobResult r;
  if (o.sensitivity) r.sensitivity = sensitivity_options(o.plan, sc);
  check_sweep_strategy(p.spec, p.strategy);  // fail before loading the candidates
  const std::uint64_t bytes = kept_values_bytes(sc.trials, p.spec.values.size());
  if (bytes > sim::SweepOptions{}.max_memory_bytes)
    throw ConfigError(sc.where("run.trials"), std::to_string(sc.trials),
                      "fewer trials for " + std::to_string(p.spec.values.size()) +
                          " points: every trial value is kept for the quantiles (" +
                          std::to_string(kMetricCount * 8 * p.spec.values.size()) +
                          " bytes a trial, 4 GiB at most)");
  CandidateOptions co;
  co.niche = sc.niche;
  r.pool = scenario_candidates(sc, co);

  SweepPoints pts =
      build_sweep_points(p.spec, p.strategy, strategy_context(sc, r.pool, o.plan.max_hires));
  r.skipped = pts.skipped;
  if (o.on_skipped)
    for (const auto& [v, why] : r.skipped) o.on_skipped(v, why);
  const SweepSpec& kept = pts.spec;
  std::map<double, Portfolio> built;
  for (std::size_t i = 0; i < kept.values.size(); ++i)
    built.emplace(kept.values[i], pts.portfolios[i]);
  if (kept.values.empty())
    throw ConfigError("--over", o.over,
                      "at least one point the budget can buy (every point was skipped)");
  sim::SweepOptions so;
  so.seed = sc.seed;
  so.trials = sc.trials;
  so.budget = sc.budget;
  so.point_budget = [&](double v) { return built.at(v).budget; };
  so.objective = p.objective;
  r.result = run_sweep(
      sc.model, kept, [&](double v) { return built.at(v); }, so);
  throw_if_cancelled();
  if (r.sensitivity)
    r.sensitivity_rows =
        run_sensitivity(sc.model, {r.result.portfolios[r.result.best]}, *r.sensitivity);
  // Distributed (docs/scale.md): every rank holds the whole result; rank 0 writes the file.
  if (!o.plan.out.empty() && dist::is_root()) {
    write_sweep_file(p, o, r);
    r.wrote = true;
  }
  return r;
}

SensitivityJobResult sensitivity(const Scenario& sc_in, const SensitivityJobOptions& o) {
  SensitivityJobResult r;
  r.scenario = sc_in;
  Scenario& sc = r.scenario;
  if (o.strategies) set_strategies(sc, *o.strategies);
  const ModelParams& params = sc.model;
  r.options = sensitivity_options(o.plan, sc);
  std::vector<StrategySpec> specs;
  for (const std::string& s : sc.strategies)
    specs.push_back(parse_strategy(s, sc.where("campaign.strategies")));
  CandidateOptions co = candidate_options(specs, sc.niche);
  r.pool = sc.input.empty()
               ? synthetic_market(sc.market_profiles, sc.market_seed, GeneratorConfig{.version = 1},
                                  co)  // as scenario_candidates
               : load_candidates(sc.input, co);
  for (const auto& s : specs)
    r.portfolios.push_back(build_portfolio(s, strategy_context(sc, r.pool, o.plan.max_hires)));
  r.rows = run_sensitivity(params, r.portfolios, r.options);
  throw_if_cancelled();
  if (o.plan.out.empty()) return r;
  // The base run again, for the summary table, the frontier and the comparisons of the file.
  const CampaignModel model(params, r.portfolios);
  SimOptions sim_opt;
  sim_opt.seed = sc.seed;
  sim_opt.trials = sc.trials;
  const SimResult sim = simulate(model, sim_opt);
  const auto summary = summarize(model, sim);
  std::vector<FrontierInput> fin;
  for (const auto& s : summary)
    fin.push_back({s[idx(Metric::profit)].mean, s[idx(Metric::profit)].shortfall});
  const Frontier frontier = risk_return_frontier(fin);
  // Distributed (docs/scale.md): every rank holds the whole result; rank 0 writes the file.
  if (!dist::is_root()) return r;
  std::ostringstream extra;
  extra << "\n[sensitivity]\nrange = " << r.options.range << "\nrank_by = \"" << o.plan.rank_by
        << "\"\n";
  const h5::Provenance prov{h5::kFiletypeSweep, sc.seed, sc.to_toml() + extra.str(),
                            o.plan.command_line};
  h5::write_file_atomically(o.plan.out, prov, [&](h5::File& f) {
    write_root(f.id(), sc, model, sim, r.pool);
    io::SweepAttributes attrs;
    attrs.axis = "none";
    attrs.objective = "roi";
    io::write_sweep_attributes(f.id(), attrs);
    io::write_model(f.id(), params);
    io::write_strategies(f.id(), model);
    io::write_summary(f.id(), summary);
    io::write_comparisons(f.id(), sim);
    io::write_frontier(f.id(), frontier, summary);
    io::write_sensitivity(f.id(), r.rows, r.options);
  });
  r.wrote = true;
  return r;
}

}  // namespace microreach::jobs
