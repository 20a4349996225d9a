#pragma once
// Configuration of scoring and of the synthetic generator (docs/model.md, "Score components"
// to "Synthetic population").
// Every default here is documented, with its source, in docs/model.md.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "microreach/profile.hpp"

namespace microreach {

// One point of an engagement benchmark: at `followers`, a typical unpaid post gets
// like_rate * followers likes and comment_rate * followers comments.
struct BenchmarkPoint {
  double followers;
  double like_rate;
  double comment_rate;
};

struct Weights {
  double engagement = 0.30;
  double authenticity = 0.25;
  double relevance = 0.20;
  double cost = 0.15;
  double responsiveness = 0.10;
};

struct ScoringConfig {
  // Lower follower bound of nano, micro, mid, macro, mega. Below the first: "fan".
  std::array<double, 5> tier_lower = {1e3, 1e4, 1e5, 5e5, 1e6};
  Weights weights;
  std::optional<Niche> target_niche;  // none: relevance is not computed
  // similarity[a][b] in [0,1]: relevance of a profile in niche b to a campaign in niche a.
  std::array<std::array<double, kNicheCount>, kNicheCount> similarity{};
  double similarity_floor = 0.1;
  // Relevance of an account whose niche is unknown (no category in the input), to a campaign
  // with a target niche: a prior, so such accounts neither skip the relevance component nor
  // outrank accounts known to be in the niche. Default: the floor, as for an unrelated niche.
  // NaN leaves relevance out of their score (the composite averages the other components).
  double unknown_niche_relevance = 0.1;
  // Engagement benchmark per platform: points sorted by followers, interpolated linearly in
  // (log followers, log rate); flat beyond the end points.
  std::array<std::vector<BenchmarkPoint>, kPlatformCount> benchmark;
  // Price model: max(min_price, price_per_1000 * followers/1000 * platform_factor).
  double price_per_1000 = 5.0;
  double min_price = 20.0;
  std::array<double, kPlatformCount> platform_price_factor = {1.0, 0.8, 2.0, 0.5, 0.7, 1.2};
  // Share of authentic followers reached by one post, per tier (fan..mega).
  std::array<double, kTierCount> reach_rate = {0.30, 0.30, 0.22, 0.15, 0.10, 0.07};
  double engagement_cap = 3.0;         // engagement component: min(ER/bench, cap)/cap
  double suspicious_engagement = 5.0;  // flag ER above this multiple of the benchmark
  double suspected_fake_below = 0.70;  // flag authenticity below this
  // Cost efficiency: authentic engagements per dollar mapped log-linearly from
  // [cost_lo, cost_hi] onto [0, 1] (clamped).
  double cost_lo = 0.3;
  double cost_hi = 30.0;

  ScoringConfig();  // fills similarity and benchmark defaults
  // Throws ConfigError naming the offending option when a value is out of range.
  void validate() const;
  // Human-readable TOML-like dump, stored in every output file.
  std::string to_text() const;

  // Setters from option text (throw ConfigError naming `option`).
  void set_tier_bounds(const std::string& option, const std::string& text);
  void set_similarity(const std::string& option, const std::string& text);  // "fitness:sports=0.6"
  void set_benchmark(const std::string& option,
                     const std::string& text);  // "tiktok=1000:0.1:0.004,..."
  void set_target_niche(const std::string& option, const std::string& text);
};

struct GeneratorConfig {
  // Relative weights (need not sum to 1).
  std::array<double, kPlatformCount> platform_mix = {0.50, 0.25, 0.10, 0.07, 0.05, 0.03};
  std::array<double, kNicheCount> niche_mix = {1.2, 1.0, 1.0, 0.6, 1.0, 0.8, 0.8, 0.7,
                                               0.6, 0.5, 0.6, 0.5, 0.6, 1.0, 0.6, 0.0};
  double follower_min = 800.0;     // Pareto scale
  double pareto_alpha = 0.8;       // Pareto tail index
  double follower_max = 6e8;       // cap (the largest real accounts)
  double engagement_sigma = 0.45;  // lognormal noise around the benchmark
  double fraud_base = 0.06;        // fraud probability at 1k followers ...
  double fraud_per_decade = 0.04;  // ... plus this per decade of followers
  double known_fake_share = 0.0;   // share of rows whose fake_follower_share is filled in
  // Price: the price model (followers, platform) at benchmark engagement, times what moves a
  // rate card in practice — the engagement the account shows (elasticity below), the niche's
  // premium — times a lognormal residual (negotiation, the creator's own pricing).
  double price_engagement_elasticity = 0.8;  // fee ∝ (shown engagement / benchmark)^this
  std::array<double, kNicheCount> niche_price_factor = {1.0, 1.1, 1.0, 1.0, 0.9, 1.1, 1.3, 0.8,
                                                        1.0, 1.5, 1.0, 0.9, 0.8, 0.9, 0.8, 1.0};
  double price_sigma = 0.25;  // lognormal (median 1) residual spread of price
  // The stream layout (docs/model.md "Synthetic population"): 2, vectorized (the default), or 1,
  // the first generator, kept so that older files can be reproduced row for row.
  int version = 2;

  void validate() const;
  std::string to_text() const;
  void set_platform_mix(const std::string& option,
                        const std::string& text);  // "instagram=1,tiktok=0.5"
  void set_niche_mix(const std::string& option, const std::string& text);
  void set_version(const std::string& option, const std::string& text);  // "1" or "2"
};

// Helpers shared by generator, scoring and simulator.
Tier tier_of(double followers, const ScoringConfig& cfg);
// Benchmark like and comment rates for an account of `followers` on `platform`.
void benchmark_rates(double followers, std::uint8_t platform, const ScoringConfig& cfg,
                     double& like_rate, double& comment_rate);
double model_price(double followers, std::uint8_t platform, const ScoringConfig& cfg);

}  // namespace microreach
