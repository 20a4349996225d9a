#include "campaign_options.hpp"

#include <algorithm>

#include "microreach/config.hpp"
#include "microreach/error.hpp"

namespace microreach::cli {

bool CampaignOptions::overrides(sim::Scenario& sc, const char* option, const char* key) const {
  if (!given(option)) return false;
  sc.origin[key] = option;
  return true;
}

sim::Scenario CampaignOptions::resolve() const {
  sim::Scenario sc = scenario.empty() ? sim::Scenario{} : sim::load_scenario(scenario);
  if (overrides(sc, "--budget", "campaign.budget")) sc.budget = budget;
  if (overrides(sc, "--niche", "campaign.niche")) {
    const auto n = parse_niche(niche);
    if (!n) throw ConfigError("--niche", niche, "one of " + niche_list());
    sc.niche = *n;
  }
  if (overrides(sc, "--trials", "run.trials")) sc.trials = trials;
  if (overrides(sc, "--seed", "run.seed")) sc.seed = seed;
  if (overrides(sc, "--input", "market.input")) sc.input = input;
  if (overrides(sc, "--market-profiles", "market.profiles")) sc.market_profiles = market_profiles;
  if (overrides(sc, "--market-seed", "market.seed")) sc.market_seed = market_seed;
  if (overrides(sc, "--posts", "campaign.posts_per_influencer")) sc.model.posts = posts;
  if (overrides(sc, "--conversion-rate", "campaign.conversion_rate"))
    sc.model.base_conversion_rate = conversion_rate;
  if (overrides(sc, "--aov", "campaign.average_order_value")) sc.model.average_order_value = aov;
  if (overrides(sc, "--margin", "campaign.gross_margin")) sc.model.gross_margin = margin;
  return sc;
}

CLI::Validator strategy_count_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const auto n = static_cast<std::size_t>(std::count(text.begin(), text.end(), ',')) + 1;
        if (n <= sim::kMaxStrategies) return {};
        return std::to_string(n) + " strategies given; at most " +
               std::to_string(sim::kMaxStrategies) + " are compared in one run";
      },
      "", "strategy count");
}

}  // namespace microreach::cli
