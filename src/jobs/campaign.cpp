#include "microreach/jobs/campaign.hpp"

#include "microreach/error.hpp"
#include "microreach/profile.hpp"
#include "microreach/sim/strategy.hpp"

namespace microreach::jobs {

sim::Scenario resolve_scenario(const CampaignSettings& s) {
  sim::Scenario sc = s.scenario ? sim::load_scenario(*s.scenario) : sim::Scenario{};
  auto set = [&](const auto& given, const char* option, const char* key, auto apply) {
    if (!given) return;
    sc.origin[key] = option;
    apply(*given);
  };
  set(s.budget, "--budget", "campaign.budget", [&](double v) { sc.budget = v; });
  set(s.niche, "--niche", "campaign.niche", [&](const std::string& v) {
    const auto n = parse_niche(v);
    if (!n) throw ConfigError("--niche", v, "one of " + niche_list());
    sc.niche = *n;
  });
  set(s.trials, "--trials", "run.trials", [&](std::uint64_t v) { sc.trials = v; });
  set(s.seed, "--seed", "run.seed", [&](std::uint64_t v) { sc.seed = v; });
  set(s.input, "--input", "market.input", [&](const std::string& v) { sc.input = v; });
  set(s.market_profiles, "--market-profiles", "market.profiles",
      [&](std::uint64_t v) { sc.market_profiles = v; });
  set(s.market_seed, "--market-seed", "market.seed", [&](std::uint64_t v) { sc.market_seed = v; });
  set(s.posts, "--posts", "campaign.posts_per_influencer", [&](double v) { sc.model.posts = v; });
  set(s.conversion_rate, "--conversion-rate", "campaign.conversion_rate",
      [&](double v) { sc.model.base_conversion_rate = v; });
  set(s.aov, "--aov", "campaign.average_order_value",
      [&](double v) { sc.model.average_order_value = v; });
  set(s.margin, "--margin", "campaign.gross_margin", [&](double v) { sc.model.gross_margin = v; });
  return sc;
}

void set_strategies(sim::Scenario& sc, const std::string& text) {
  sc.origin["campaign.strategies"] = "--strategies";
  sc.strategies.clear();
  for (const sim::StrategySpec& s : sim::parse_strategies(text, "--strategies"))
    sc.strategies.push_back(s.text);
}

io::CampaignRunInfo run_info(const sim::Scenario& sc, const sim::CandidatePool& pool) {
  io::CampaignRunInfo info;
  info.trials_requested = sc.trials;
  info.budget = sc.budget;
  info.niche = sc.niche;
  info.scenario_file = sc.file;
  info.candidate_source = pool.source;
  info.candidates = pool.accounts.size();
  return info;
}

}  // namespace microreach::jobs
