// microreach simulate: Monte Carlo of a campaign budget under several hiring strategies,
// side by side, with common random numbers (docs/model.md "Campaign simulation").
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "campaign_options.hpp"
#include "commands.hpp"
#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/error.hpp"
#include "microreach/format.hpp"
#include "microreach/io/campaign.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/sim/campaign_run.hpp"
#include "microreach/sim/candidates.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/scenario.hpp"
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
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---------------------------------------------------------------- terminal tables
// Numbers follow the one set of rules of microreach/format.hpp.

std::string format_value(Metric m, double v) {
  switch (m) {
    case Metric::revenue:
    case Metric::cost:
    case Metric::profit:
      return format::money(v);
    case Metric::roi:
      return format::percent(v, true);
    case Metric::frequency:
      return format::number(v);
    default:
      return format::count(v);
  }
}

// "mean [P5, P95]"; a mean outside its own interval is marked '*' (explained under the table).
std::string interval(Metric m, const MetricSummary& s, bool& outside) {
  std::string t = format_value(m, s.mean);
  if (std::isfinite(s.p5)) {
    t += " [" + format_value(m, s.p5) + ", " + format_value(m, s.p95) + "]";
    if (s.mean < s.p5 || s.mean > s.p95) {
      t += "*";
      outside = true;
    }
  }
  return t;
}

std::string hired_text(const Portfolio& p) {
  std::size_t count[kTierCount] = {};
  for (const Candidate& c : p.hired) count[c.tier < kTierCount ? c.tier : 0]++;
  if (p.hired.empty()) return "nobody";
  if (p.hired.size() == 1)
    return "1 " + std::string(kTierNames[p.hired[0].tier < kTierCount ? p.hired[0].tier : 0]) +
           " (" + format::count(p.hired[0].followers) + " followers)";
  std::string tiers;
  for (std::size_t k = kTierCount; k-- > 1;)
    if (count[k])
      tiers += (tiers.empty() ? "" : " + ") + format::count(std::uint64_t{count[k]}) + " " +
               std::string(kTierNames[k]);
  return tiers;
}

void print_rows(const std::vector<std::vector<std::string>>& rows, std::ostream& os,
                std::size_t right_from = 1) {
  std::vector<std::size_t> width;
  for (const auto& cells : rows) {
    if (width.size() < cells.size()) width.resize(cells.size(), 0);
    for (std::size_t c = 0; c < cells.size(); ++c) width[c] = std::max(width[c], cells[c].size());
  }
  for (const auto& cells : rows) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string& cell = cells[c];
      const std::string fill(width[c] - cell.size(), ' ');
      line += c >= right_from && c > 0 ? fill + cell : cell + fill;
      if (c + 1 < cells.size()) line += "   ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    os << line << "\n";
  }
}

// The first `limit` hires of each strategy, in hiring order (best first).
void print_hires(const CampaignModel& m, std::size_t limit, const std::string& out_file) {
  const ModelParams& par = m.params();
  for (const Portfolio& p : m.portfolios()) {
    const std::size_t shown = std::min(limit, p.hired.size());
    std::cout << "\nHires of " << p.label << ": " << format::count(std::uint64_t{p.hired.size()})
              << (p.hired.size() == 1 ? " account" : " accounts") << ", "
              << format::money(p.fees(par.posts)) << " of " << format::money(p.budget);
    if (shown < p.hired.size()) std::cout << " (first " << shown << " in hiring order)";
    std::cout << "\n";
    if (shown == 0) continue;
    std::vector<std::vector<std::string>> rows = {{"handle", "platform", "tier", "followers",
                                                   "fee (USD)", "expected reach (people)",
                                                   "score (0-100)"}};
    for (std::size_t k = 0; k < shown; ++k) {
      const Candidate& c = p.hired[k];
      const AccountModel a = make_account(c, par);
      rows.push_back({"@" + c.handle, std::string(platform_name(c.platform)),
                      std::string(kTierNames[c.tier < kTierCount ? c.tier : 0]),
                      format::count(c.followers), format::money(a.fee),
                      format::count(expect_account(a, par).reached), format::number(c.score)});
    }
    print_rows(rows, std::cout, 3);
    if (shown < p.hired.size())
      std::cout << "... and " << format::count(std::uint64_t{p.hired.size() - shown})
                << " more: --show-hires " << p.hired.size()
                << (out_file.empty() ? ""
                                     : ", or microreach export of the --out file with --hires -,")
                << " lists every hire\n";
  }
}

// ---------------------------------------------------------------- the run

Scenario resolve_scenario(const SimulateArgs& a) {
  Scenario sc = a.resolve();
  if (a.overrides(sc, "--strategies", "campaign.strategies")) {
    sc.strategies.clear();
    for (const StrategySpec& s : parse_strategies(a.strategies, "--strategies"))
      sc.strategies.push_back(s.text);
  }
  if (a.overrides(sc, "--precision", "run.precision")) sc.precision = a.precision;
  if (a.overrides(sc, "--max-trials", "run.max_trials")) sc.max_trials = a.max_trials;
  if (a.no_noise) sc.model.noise = false;
  sc.validate();
  return sc;
}

void print_table(const CampaignModel& m, const std::vector<PortfolioSummary>& s, const SimResult& r,
                 std::size_t baseline) {
  const auto& pfs = m.portfolios();
  const double posts = m.params().posts;
  const std::size_t np = pfs.size();
  std::vector<std::vector<std::string>> rows;
  auto row = [&](std::string label, auto cell) {
    std::vector<std::string> cells = {std::move(label)};
    for (std::size_t i = 0; i < np; ++i) cells.push_back(cell(i));
    rows.push_back(std::move(cells));
  };
  row("", [&](std::size_t i) { return pfs[i].label; });
  row("hired", [&](std::size_t i) { return hired_text(pfs[i]); });
  row("spend (USD, fees)", [&](std::size_t i) {
    const double fees = pfs[i].fees(posts);
    return format::money(fees) + " (" + format::percent(fees / pfs[i].budget) + ")";
  });
  bool any_unspent = false;
  for (const Portfolio& p : pfs) any_unspent |= p.fees(posts) < kUnspentShown * p.budget;
  if (any_unspent)
    row("unspent (USD, kept as cash)",
        [&](std::size_t i) { return format::money(pfs[i].unspent(posts)); });
  const std::pair<Metric, const char*> shown[] = {
      {Metric::unique_reach, "unique reach (people)"},
      {Metric::impressions, "impressions"},
      {Metric::frequency, "frequency (impressions per person)"},
      {Metric::engagements, "engagements"},
      {Metric::conversions, "conversions (purchases)"},
      {Metric::revenue, "revenue (USD)"},
      {Metric::cost, "cost (USD, fees + incidents)"},
      {Metric::profit, "profit (USD)"},
      {Metric::roi, "ROI (profit / cost)"}};
  bool outside = false;
  // A plain loop variable, not a structured binding: clang before 16 cannot capture those.
  for (const auto& shown_row : shown) {
    const Metric metric = shown_row.first;
    row(shown_row.second,
        [&](std::size_t i) { return interval(metric, s[i][idx(metric)], outside); });
  }
  row("P(loss)",
      [&](std::size_t i) { return format::percent(s[i][idx(Metric::profit)].p_negative); });
  row(std::string(format::kShortfall) + " (USD)",
      [&](std::size_t i) { return format::money(s[i][idx(Metric::profit)].shortfall); });
  if (np > 1) {
    row("P(beats " + pfs[baseline].label + ")", [&](std::size_t i) -> std::string {
      if (i == baseline) return "-";
      for (const PairStats& q : r.pairs) {
        if (q.a == i && q.b == baseline) return format::percent(q.p_a_beats_b());
        if (q.b == i && q.a == baseline) return format::percent(1.0 - q.p_a_beats_b());
      }
      return "n/a";
    });
  }
  print_rows(rows, std::cout);
  std::cout << "\nMeans with 90% intervals [P5, P95] over the trials; P(loss) = P(profit < 0); "
            << format::kShortfallHelp
            << " of profit;\nP(beats X) = share of trials in which the strategy's profit is "
               "higher than X's (same random numbers). Money a plan does not spend is kept as "
               "cash:\nit adds nothing to revenue, cost or profit, so profit compares plans at "
               "face value and ROI is on the money spent.\n";
  if (outside)
    std::cout << "* the mean lies outside its 90% interval: events in fewer than 5% of trials "
                 "(a brand-safety incident costs a second fee) pull it beyond P95.\n";
}

void run_simulate(const SimulateArgs& a, const Globals& g) {
  const auto start = Clock::now();
  const Scenario sc = resolve_scenario(a);
  check_campaign_paths(a.cmd, a.out, a.scenario, sc.input, sc.where("market.input"), sc.strategies);
  if (a.print_scenario) {
    std::cout << sc.to_toml();
    return;
  }
  auto threads = limit_threads(g.threads);

  std::unique_ptr<AtomicOutput> out;
  // Distributed (docs/scale.md): every rank holds the whole result; rank 0 writes the file.
  if (!a.out.empty() && dist::is_root()) out = std::make_unique<AtomicOutput>(a.out);

  const CampaignRun run = run_campaign(sc, a.max_hires);
  const CampaignModel& model = *run.model;
  const SimResult& result = run.result;
  const PrecisionReport& prec = run.precision;
  const CandidatePool& pool = run.pool;
  const auto& summary = run.summary;

  // Terminal.
  std::size_t hires = 0;
  for (const Portfolio& p : model.portfolios()) hires += p.hired.size();
  const std::string niche(kNicheNames[static_cast<std::size_t>(sc.niche)]);
  std::cout << "microreach simulate: " << format::money(sc.budget) << " in " << niche << ", "
            << format::count(static_cast<std::uint64_t>(result.trials)) << " trials, seed "
            << sc.seed << (sc.model.noise ? "" : ", noise off") << "\n";
  std::cout << "candidates: " << format::count(static_cast<std::uint64_t>(pool.accounts.size()))
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
  std::cout << "\n";
  print_table(model, summary, result, run.baseline);
  for (const Portfolio& p : model.portfolios())
    std::cout << p.label << ": " << p.description << "\n";
  for (const Portfolio& p : model.portfolios())
    if (!p.note.empty()) std::cout << "note: " << p.label << ": " << p.note << "\n";
  if (a.show_hires > 0) print_hires(model, a.show_hires, a.out);

  // HDF5.
  if (out) {
    {
      h5::Provenance prov{h5::kFiletypeCampaign, sc.seed, sc.to_toml(), g.command_line};
      h5::File file = h5::File::create(out->temp_path(), prov);
      io::CampaignRunInfo info;
      info.trials_requested = sc.trials;
      info.precision_target = sc.precision;
      info.max_trials = run.max_trials;
      info.precision = prec;
      info.budget = sc.budget;
      info.niche = sc.niche;
      info.scenario_file = a.scenario;
      info.candidate_source = pool.source;
      info.candidates = pool.accounts.size();
      io::write_run_attributes(file.id(), model, result, info);
      io::write_model(file.id(), model.params());
      io::write_strategies(file.id(), model);
      io::write_summary(file.id(), summary);
      io::write_comparisons(file.id(), result);
      if (a.keep_trials) io::write_trials(file.id(), result);
      file.close();
    }
    out->commit();
    std::cout << "wrote " << a.out << (a.keep_trials ? " (with per-trial table)" : "") << "\n";
  }
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
