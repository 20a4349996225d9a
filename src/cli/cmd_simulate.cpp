// microreach simulate: Monte Carlo of a campaign budget under several hiring strategies,
// side by side, with common random numbers (docs/model.md "Campaign simulation"). The work is
// jobs::simulate; this file declares the options and prints.
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>

#include "campaign_options.hpp"
#include "campaign_print.hpp"
#include "commands.hpp"
#include "microreach/format.hpp"
#include "microreach/jobs/simulate.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/strategy.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

using namespace microreach::sim;
using Clock = std::chrono::steady_clock;

struct SimulateArgs : CampaignOptions {
  std::string strategies;
  double precision = 0;
  std::uint64_t max_trials = 0;
  bool keep_trials = false;
  bool no_noise = false;
  bool print_scenario = false;
  std::string out;
  std::size_t show_hires = 10;
  std::uint64_t max_hires = 0;

  jobs::SimulateOptions job(const Globals& g) const {
    jobs::SimulateOptions o;
    o.campaign = settings();
    if (given("--strategies")) o.strategies = strategies;
    if (given("--precision")) o.precision = precision;
    if (given("--max-trials")) o.max_trials = max_trials;
    o.noise = !no_noise;
    o.max_hires = max_hires;
    o.out = out;
    o.keep_trials = keep_trials;
    o.command_line = g.command_line;
    return o;
  }
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The run's header: budget, niche, trials, seed, where the candidates came from, the speed and
// (with --precision) how far the rounds went.
void print_header(const Scenario& sc, const CampaignRun& run, const Globals& g) {
  const CampaignModel& model = *run.model;
  const SimResult& result = run.result;
  const PrecisionReport& prec = run.precision;
  std::size_t hires = 0;
  for (const Portfolio& p : model.portfolios()) hires += p.hired.size();
  const std::string niche(kNicheNames[static_cast<std::size_t>(sc.niche)]);
  std::cout << "microreach simulate: " << format::money(sc.budget) << " in " << niche << ", "
            << format::count(static_cast<std::uint64_t>(result.trials)) << " trials, seed "
            << sc.seed << (sc.model.noise ? "" : ", noise off") << "\n";
  std::cout << "candidates: " << format::count(static_cast<std::uint64_t>(run.pool.accounts.size()))
            << " accounts in " << niche << " and related niches from "
            << (sc.input.empty()
                    ? "a synthetic market of " +
                          format::count(static_cast<std::uint64_t>(sc.market_profiles)) +
                          " profiles (seed " + std::to_string(sc.market_seed) + ")"
                    : sc.input)
            << " [" << std::fixed << std::setprecision(2) << run.pool_seconds << " s]\n";
  const double it = static_cast<double>(result.trials) * static_cast<double>(model.account_count());
  std::cout << "simulated " << format::count(static_cast<std::uint64_t>(model.account_count()))
            << " distinct accounts (" << hires << " hires) x "
            << format::count(static_cast<std::uint64_t>(result.trials)) << " trials in "
            << run.sim_seconds << " s (" << std::setprecision(1)
            << it / std::max(run.sim_seconds, 1e-9) / 1e6 << "M influencer-trials/s, "
            << effective_threads(g.threads)
            << (effective_threads(g.threads) == 1 ? " thread, " : " threads, ") << "batch code "
            << sim::batch_isa_name() << "; " << std::setprecision(2) << run.sim_cpu_seconds
            << " CPU-s)\n";
  std::cout.unsetf(std::ios::floatfield);
  if (sc.precision > 0) {
    char rse[32];
    std::snprintf(rse, sizeof rse, "%s%%", format::number(100.0 * prec.max_relative_se).c_str());
    std::cout << "precision: largest relative standard error " << rse
              << (prec.reached ? " < " : " (target not reached: --max-trials) vs ")
              << format::number(100 * sc.precision) << "%"
              << " after " << prec.rounds << " round" << (prec.rounds > 1 ? "s" : "") << ", "
              << format::count(static_cast<std::uint64_t>(result.trials)) << " trials\n";
  }
}

void run_simulate(const SimulateArgs& a, const Globals& g) {
  const auto start = Clock::now();
  const jobs::SimulateOptions o = a.job(g);
  const Scenario sc = jobs::simulate_scenario(o);
  check_campaign_paths(a.cmd, a.out, a.scenario, sc.input, sc.where("market.input"), sc.strategies);
  if (a.print_scenario) {
    std::cout << sc.to_toml();
    return;
  }
  auto threads = limit_threads(g.threads);
  const jobs::SimulateResult r = jobs::simulate(sc, o);
  const CampaignModel& model = *r.run.model;

  print_header(sc, r.run, g);
  std::cout << "\n";
  print_table(model, r.run.summary, r.run.result, r.run.baseline);
  for (const Portfolio& p : model.portfolios())
    std::cout << p.label << ": " << p.description << "\n";
  for (const Portfolio& p : model.portfolios())
    if (!p.note.empty()) std::cout << "note: " << p.label << ": " << p.note << "\n";
  if (a.show_hires > 0) print_hires(model, a.show_hires, a.out);
  if (r.wrote)
    std::cout << "wrote " << a.out << (a.keep_trials ? " (with per-trial table)" : "") << "\n";
  std::cout.flush();
  if (!g.quiet)
    std::cerr << "done in " << std::fixed << std::setprecision(2) << seconds_since(start) << " s\n";
}

}  // namespace

void add_simulate(CLI::App& app, Globals& g) {
  auto a = std::make_shared<SimulateArgs>();
  {  // shown as the defaults in --help; only options given on the command line are applied
    const Scenario d;
    a->budget = d.budget;
    a->niche = std::string(kNicheNames[static_cast<std::size_t>(d.niche)]);
    a->trials = d.trials;
    a->seed = d.seed;
    a->precision = d.precision;
    a->max_trials = d.max_trials;
    a->market_profiles = d.market_profiles;
    a->market_seed = d.market_seed;
    a->posts = d.model.posts;
    a->conversion_rate = d.model.base_conversion_rate;
    a->aov = d.model.average_order_value;
    a->margin = d.model.gross_margin;
    for (const std::string& st : d.strategies)
      a->strategies += (a->strategies.empty() ? "" : ",") + st;
  }
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Monte Carlo of a campaign budget: reach, conversions, profit and ROI with their "
      "uncertainty, strategies side by side (no options: the $25k macro-vs-micro question)");
  a->cmd = cmd;
  cmd->add_option("--scenario", a->scenario,
                  "Scenario file (TOML, e.g. sim/scenarios/25k-micro-vs-macro.toml) setting every "
                  "parameter; options below override it")
      ->check(CLI::ExistingFile);
  cmd->add_option("--budget", a->budget, "Campaign budget in USD");
  cmd->add_option("--niche", a->niche, "Target niche: " + niche_list());
  cmd->add_option("--strategies", a->strategies, "Comma-separated strategies: " + strategy_help())
      ->check(strategy_count_check());
  cmd->add_option("--trials", a->trials, "Trials (with --precision: trials of the first round)");
  cmd->add_option("--seed", a->seed, "Random seed");
  cmd->add_option("--precision", a->precision,
                  "Run in rounds until every mean's relative standard error is below this "
                  "(e.g. 0.005), or --max-trials");
  cmd->add_option("--max-trials", a->max_trials, "Cap of the --precision rounds");
  cmd->add_option("--show-hires", a->show_hires,
                  "Print the first N hires of each strategy (handle, platform, tier, followers, "
                  "fee, expected reach, score); 0 hides them")
      ->capture_default_str();
  cmd->add_option("--max-hires", a->max_hires,
                  "At most N hires for micro-top and optimize (and mix's micro part); default "
                  "no cap");
  cmd->add_flag("--keep-trials", a->keep_trials, "Also write every trial's totals to --out");
  cmd->add_option("--out,-o", a->out, "Campaign HDF5 file (docs/hdf5-layout.md)");
  cmd->add_option("--input,-i", a->input,
                  "Candidates: a scores/profiles .h5 file or an export (.csv .tsv .json "
                  ".ndjson); default a synthetic market");
  cmd->add_option("--market-profiles", a->market_profiles,
                  "Size of the synthetic market (profiles)");
  cmd->add_option("--market-seed", a->market_seed, "Seed of the synthetic market");
  cmd->add_option("--posts", a->posts, "Posts bought from each account");
  cmd->add_option("--conversion-rate", a->conversion_rate, "Purchases per relevant person reached");
  cmd->add_option("--aov", a->aov, "Average order value, USD");
  cmd->add_option("--margin", a->margin, "Gross margin, share of revenue");
  cmd->add_flag("--no-noise", a->no_noise,
                "Every draw at its expectation (the closed forms of docs/model.md)");
  cmd->add_flag("--print-scenario", a->print_scenario,
                "Print the resolved scenario (every parameter, as TOML) and exit");
  cmd->callback([a, &g] { run_simulate(*a, g); });
}

}  // namespace microreach::cli
