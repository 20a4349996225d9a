// With noise on, the Monte Carlo means fall within 4 standard errors of their closed-form
// expectations, over twelve parameter sets. The expectations (docs/model.md, "Campaign
// simulation", section "Expectations"):
//   E[A]     = F (1 - m)                              (beta mean m; rounding is negligible)
//   E[rho^j] = rbar^j exp(j (j - 1) (sigma^2 + sigma_r^2) / 2)   (lognormal moments, mean 1
//              noise and shock, independent; cap at 1 negligible for the rates used)
//   E[R]     = E[A] sum_{j=1..k} C(k,j) (-1)^(j+1) E[rho^j]      (binomial expansion of
//              1 - (1 - rho)^k, k posts)
//   E[I]     = E[A] rbar k,  E[E] = e E[I],  E[V] = v s E[E],  E[X] = E[R] + E[V]
//   E[C]     = E[X] rel c tau (1 - q)    when the account is alone in its audience (phi = 1);
//              the conversion shock has mean 1 and is independent of X
//   E[cost]  = fee (1 + q c_inc),  E[revenue] = AOV E[C],  E[profit] = margin E[rev] - E[cost]
//   E[union] = U (1 - prod (1 - E[X_i] / U))  for accounts sharing an audience when the shared
//              reach shock is off (sigma_r = 0): the X_i are then independent
//   E[ROI]   = E[profit] / cost                when there are no incidents (cost fixed)
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"
#include "sim_test_util.hpp"

namespace {

struct Expect {
  double x = 0, imps = 0, eng = 0, conv = 0, cost = 0;
};

double binom(int k, int j) {
  double c = 1;
  for (int i = 1; i <= j; ++i) c = c * (k - j + i) / i;
  return c;
}

Expect expect(const Candidate& c, const ModelParams& p) {
  const std::size_t tier = c.tier;
  const double rbar = p.reach_rate[tier];
  const double s2 = p.reach_sigma * p.reach_sigma + p.reach_shock_sigma * p.reach_shock_sigma;
  const int k = static_cast<int>(p.posts);
  const double a = c.followers * (1 - c.fake_share);
  double p_reach = 0;
  for (int j = 1; j <= k; ++j)
    p_reach +=
        binom(k, j) * ((j % 2) ? 1 : -1) * std::pow(rbar, j) * std::exp(j * (j - 1) * s2 / 2);
  Expect e;
  const double i = a * rbar * k;
  e.eng = i * c.engagement_per_view;
  const double share = std::isnan(c.share_fraction) ? p.default_share_fraction : c.share_fraction;
  const double v = p.viewers_per_share * share * e.eng;
  e.x = a * p_reach + v;
  e.imps = i + v;
  const double q = p.incident_probability[tier];
  e.conv = e.x * c.relevance * p.base_conversion_rate * p.trust[tier] * (1 - q);
  e.cost = c.price * k * (1 + q * p.incident_cost_factor);
  return e;
}

struct ParamSet {
  std::string name;
  ModelParams params;
  std::vector<Candidate> hired;
  bool one_per_audience = true;  // conversions and unions have closed forms
};

void check_within(const SimResult& r, Metric m, double expected, const std::string& what) {
  const Moments& mo = r.moments[0][idx(m)];
  INFO(what << " " << kMetricNames[idx(m)] << ": mean " << mo.mean << " expected " << expected
            << " se " << mo.se() << " (" << (mo.mean - expected) / mo.se() << " se)");
  CHECK(std::fabs(mo.mean - expected) <= 4.0 * mo.se());
}

}  // namespace

TEST_CASE("Monte Carlo means lie within 4 standard errors of the closed forms over 12 sets",
          "[sim]") {
  std::vector<ParamSet> sets;
  {  // 1: the default parameters, one micro account
    sets.push_back({"defaults, one micro", ModelParams{}, {candidate({})}});
  }
  {  // 2: one mega account: low reach rate, low trust, 3 % incidents
    sets.push_back({"one mega",
                    ModelParams{},
                    {candidate({.key = 9,
                                .tier = Tier::mega,
                                .followers = 4e6,
                                .fake = 0.35,
                                .engagement_per_view = 0.15,
                                .price = 20000})}});
  }
  {  // 3: three posts (mid and macro tiers, where the cap at rho = 1 never bites)
    ModelParams p;
    p.posts = 3;
    sets.push_back({"three posts",
                    p,
                    {candidate({.key = 2, .tier = Tier::mid, .followers = 250'000}),
                     candidate({.key = 4,
                                .platform = Platform::youtube,
                                .tier = Tier::macro,
                                .followers = 800'000,
                                .fake = 0.2,
                                .price = 9000})}});
  }
  {  // 4: many micro accounts in distinct audiences (platform x niche), big shocks
    ModelParams p;
    p.conversion_shock_sigma = 0.9;
    p.reach_shock_sigma = 0.4;
    std::vector<Candidate> h;
    const Niche niches[] = {Niche::fitness, Niche::sports, Niche::food, Niche::travel,
                            Niche::beauty};
    std::uint64_t key = 100;
    for (auto pl : {Platform::instagram, Platform::tiktok, Platform::youtube})
      for (auto n : niches)
        h.push_back(candidate({.key = key++,
                               .platform = pl,
                               .niche = n,
                               .followers = 12'000 + 5'000.0 * key,
                               .fake = 0.02 * (key % 7)}));
    sets.push_back({"15 audiences, big shocks", p, h});
  }
  {  // 5: accounts sharing one small audience, shared reach shock off: union closed form
    ModelParams p;
    p.reach_shock_sigma = 0.0;
    p.audience_size = 300'000;
    std::vector<Candidate> h;
    for (std::uint64_t k = 0; k < 6; ++k)
      h.push_back(candidate({.key = 40 + k, .followers = 30'000 + 10'000.0 * k}));
    sets.push_back({"overlap in 300k audience", p, h, false});
  }
  {  // 6: no fake followers, no reach noise at all: only binomial/Poisson noise and shocks
    ModelParams p;
    p.reach_sigma = 0;
    p.reach_shock_sigma = 0;
    sets.push_back({"no reach noise", p, {candidate({.key = 3, .fake = 0.0})}});
  }
  {  // 7: high conversion rate, trust and AOV; margin 30 %; no incidents (ROI closed form)
    ModelParams p;
    p.base_conversion_rate = 0.004;
    p.trust = {2, 2, 2, 2, 2, 2};
    p.average_order_value = 150;
    p.gross_margin = 0.3;
    p.incident_probability = {0, 0, 0, 0, 0, 0};
    sets.push_back({"rich product, no incidents",
                    p,
                    {candidate({.key = 5, .tier = Tier::nano, .followers = 8'000, .price = 60})}});
  }
  {  // 8: frequent incidents that cost three times the fee
    ModelParams p;
    p.incident_probability = {0.2, 0.2, 0.2, 0.3, 0.3, 0.3};
    p.incident_cost_factor = 3;
    sets.push_back(
        {"risky",
         p,
         {candidate({.key = 6, .tier = Tier::macro, .followers = 600'000, .price = 3000}),
          candidate({.key = 8, .platform = Platform::x, .followers = 40'000})}});
  }
  {  // 9: heavy sharing: 40 % of engagements are shares, 100 viewers each
    ModelParams p;
    p.viewers_per_share = 100;
    sets.push_back({"viral",
                    p,
                    {candidate({.key = 10,
                                .platform = Platform::tiktok,
                                .engagement_per_view = 0.4,
                                .share_fraction = 0.4})}});
  }
  {  // 10: low relevance and an unknown share fraction (the default applies)
    ModelParams p;
    p.default_share_fraction = 0.15;
    sets.push_back({"related niche",
                    p,
                    {candidate({.key = 12,
                                .niche = Niche::sports,
                                .share_fraction = std::nan(""),
                                .relevance = 0.35})}});
  }
  {  // 11: fake shares of an audited account: concentration matched to its interval
    ModelParams p;
    Candidate c = candidate({.key = 13, .followers = 90'000, .fake = 0.4});
    c.fake_share_lo = 0.25;
    c.fake_share_hi = 0.55;
    sets.push_back({"audited fake share", p, {c}});
  }
  {  // 12: a loose fake-share beta (concentration 2) and two posts of a mid account
    ModelParams p;
    p.fake_share_concentration = 2;
    p.posts = 2;
    sets.push_back(
        {"loose fake share, 2 posts",
         p,
         {candidate({.key = 14, .tier = Tier::mid, .followers = 150'000, .fake = 0.5})}});
  }

  std::uint64_t seed = 1000;
  for (const ParamSet& s : sets) {
    CampaignModel m(s.params, {portfolio(s.name, s.hired)});
    SimOptions opt;
    opt.seed = ++seed;
    opt.trials = 60'000;
    opt.keep_values = false;
    const SimResult r = simulate(m, opt);

    double x = 0, imps = 0, eng = 0, conv = 0, cost = 0, miss = 1;
    for (const Candidate& c : s.hired) {
      const Expect e = expect(c, s.params);
      x += e.x;
      imps += e.imps;
      eng += e.eng;
      conv += e.conv;
      cost += e.cost;
      miss *= 1 - e.x / s.params.audience_size;
    }
    const double unique = s.one_per_audience ? x : s.params.audience_size * (1 - miss);
    check_within(r, Metric::unique_reach, unique, s.name);
    check_within(r, Metric::impressions, imps, s.name);
    check_within(r, Metric::engagements, eng, s.name);
    check_within(r, Metric::cost, cost, s.name);
    if (s.one_per_audience) {
      check_within(r, Metric::conversions, conv, s.name);
      check_within(r, Metric::revenue, s.params.average_order_value * conv, s.name);
      check_within(r, Metric::profit,
                   s.params.gross_margin * s.params.average_order_value * conv - cost, s.name);
      bool no_incidents = true;
      for (const Candidate& c : s.hired) no_incidents &= s.params.incident_probability[c.tier] == 0;
      if (no_incidents)
        check_within(r, Metric::roi,
                     (s.params.gross_margin * s.params.average_order_value * conv - cost) / cost,
                     s.name);
    }
  }
}
