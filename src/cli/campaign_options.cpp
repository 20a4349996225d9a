#include "campaign_options.hpp"

#include <algorithm>

#include "microreach/sim/scenario.hpp"

namespace microreach::cli {

jobs::CampaignSettings CampaignOptions::settings() const {
  jobs::CampaignSettings s;
  auto take = [&](const char* option, auto& field, const auto& value) {
    if (given(option)) field = value;
  };
  if (!scenario.empty()) s.scenario = scenario;
  take("--budget", s.budget, budget);
  take("--niche", s.niche, niche);
  take("--trials", s.trials, trials);
  take("--seed", s.seed, seed);
  take("--input", s.input, input);
  take("--market-profiles", s.market_profiles, market_profiles);
  take("--market-seed", s.market_seed, market_seed);
  take("--posts", s.posts, posts);
  take("--conversion-rate", s.conversion_rate, conversion_rate);
  take("--aov", s.aov, aov);
  take("--margin", s.margin, margin);
  return s;
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
