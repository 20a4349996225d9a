// With noise off, the simulator reproduces the closed forms of docs/model.md
// exactly (to rounding): reach, the Sainsbury union, conversions, cost, profit. Every reference
// value below is computed by hand from the formulas, independently of the simulator's code.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "microreach/error.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"
#include "sim_test_util.hpp"

namespace {
constexpr double kEps = 1e-12;  // relative: the closed forms hold to double rounding

ModelParams quiet() {
  ModelParams p;
  p.noise = false;
  return p;
}
}  // namespace

TEST_CASE("Noise off, one micro account: every total equals its closed form", "[sim]") {
  // Hand computation with the default parameters (docs/model.md "Parameters"): micro tier
  // reach .22, trust 1.4, incident .005, conversion .0005, AOV 60, margin .6, 30 viewers per
  // share, 1 post.
  // A = 50,000 (1 - 0.1) = 45,000; R = A .22 = 9,900; I = 9,900; E = I .12 = 1,188;
  // V = 30 x 1,188 x .05 = 1,782; X = 11,682 (one account: the union is X itself);
  // C = X x .0005 x 1.4 x (1 - .005) = 8.136513; cost = 250 (1 + .005) = 251.25;
  // revenue = 60 C = 488.19078; profit = .6 revenue - cost = 41.664468.
  CampaignModel m(quiet(), {portfolio("one", {candidate(CandidateSpec{})})});
  const Totals t = m.expected(0);
  CHECK(t[idx(Metric::unique_reach)] == Approx(11682).epsilon(kEps));
  CHECK(t[idx(Metric::impressions)] == Approx(9900 + 1782).epsilon(kEps));
  CHECK(t[idx(Metric::engagements)] == Approx(1188).epsilon(kEps));
  CHECK(t[idx(Metric::frequency)] == Approx(1.0).epsilon(kEps));
  CHECK(t[idx(Metric::conversions)] == Approx(11682 * 0.0005 * 1.4 * 0.995).epsilon(kEps));
  CHECK(t[idx(Metric::cost)] == Approx(251.25).epsilon(kEps));
  CHECK(t[idx(Metric::revenue)] == Approx(60 * 11682 * 0.0005 * 1.4 * 0.995).epsilon(kEps));
  CHECK(t[idx(Metric::profit)] ==
        Approx(0.6 * 60 * 11682 * 0.0005 * 1.4 * 0.995 - 251.25).epsilon(kEps));
  CHECK(t[idx(Metric::roi)] ==
        Approx((0.6 * 60 * 11682 * 0.0005 * 1.4 * 0.995 - 251.25) / 251.25).epsilon(kEps));
}

TEST_CASE("Noise off, several posts and overlapping accounts: Sainsbury union and overlap",
          "[sim]") {
  // Three accounts in (instagram, fitness), one in (tiktok, fitness); 3 posts each; a small
  // audience (U = 200,000) so the overlap is large. Closed forms (docs/model.md):
  //   X_i = A_i (1 - (1 - r)^3) + v e_i A_i r 3 s_i,  union_g = U (1 - prod_i (1 - X_i/U)),
  //   conversions = sum_g (union_g / sum_{i in g} X_i) sum_{i in g} X_i rel_i c tau_i (1 - q_i).
  ModelParams p = quiet();
  p.posts = 3;
  p.audience_size = 200'000;
  std::vector<Candidate> hired = {
      candidate({.key = 7, .tier = Tier::micro, .followers = 80'000, .fake = 0.2}),
      candidate({.key = 3,
                 .tier = Tier::mid,
                 .followers = 300'000,
                 .fake = 0.05,
                 .relevance = 0.6,
                 .price = 1500}),
      candidate({.key = 11,
                 .tier = Tier::nano,
                 .followers = 5'000,
                 .fake = 0.0,
                 .engagement_per_view = 0.3,
                 .share_fraction = 0.1,
                 .price = 40}),
      candidate({.key = 5,
                 .platform = Platform::tiktok,
                 .tier = Tier::macro,
                 .followers = 700'000,
                 .fake = 0.3,
                 .price = 4000}),
  };
  CampaignModel m(p, {portfolio("four", hired)});
  const Totals t = m.expected(0);

  struct Ref {
    double x, imps, eng, conv_weight, cost;
  };
  auto ref = [&](const Candidate& c) {
    const std::size_t tier = c.tier;
    const double r = p.reach_rate[tier];
    const double a = c.followers * (1 - c.fake_share);
    const double i = a * r * 3;
    const double e = i * c.engagement_per_view;
    const double v = 30 * e * c.share_fraction;
    const double x = a * (1 - std::pow(1 - r, 3)) + v;
    const double q = p.incident_probability[tier];
    return Ref{x, i + v, e, x * c.relevance * 0.0005 * p.trust[tier] * (1 - q),
               3 * c.price * (1 + q)};
  };
  double prod = 1, gross = 0, weight = 0, unique = 0, imps = 0, eng = 0, conv = 0, cost = 0;
  for (int k = 0; k < 3; ++k) {
    const Ref r = ref(hired[k]);
    prod *= 1 - r.x / 200'000;
    gross += r.x;
    weight += r.conv_weight;
    imps += r.imps;
    eng += r.eng;
    cost += r.cost;
  }
  const double union_ig = 200'000 * (1 - prod);
  unique += union_ig;
  conv += union_ig / gross * weight;
  const Ref tk = ref(hired[3]);
  unique += tk.x;  // alone in its audience: the union is X
  conv += tk.conv_weight;
  imps += tk.imps;
  eng += tk.eng;
  cost += tk.cost;
  REQUIRE(union_ig < gross);  // the overlap is real in this setting

  CHECK(t[idx(Metric::unique_reach)] == Approx(unique).epsilon(kEps));
  CHECK(t[idx(Metric::impressions)] == Approx(imps).epsilon(kEps));
  CHECK(t[idx(Metric::engagements)] == Approx(eng).epsilon(kEps));
  CHECK(t[idx(Metric::frequency)] == Approx(imps / unique).epsilon(kEps));
  CHECK(t[idx(Metric::conversions)] == Approx(conv).epsilon(kEps));
  CHECK(t[idx(Metric::cost)] == Approx(cost).epsilon(kEps));
  CHECK(t[idx(Metric::profit)] == Approx(0.6 * 60 * conv - cost).epsilon(kEps));
}

TEST_CASE("The Sainsbury union of n equal accounts is U (1 - (1 - x/U)^n)", "[sim]") {
  // Closed form for identical terms; also the limits: one account -> x; x = U -> U.
  std::vector<double> x(50, 50'000.0);
  CHECK(sainsbury_union(x.data(), 50, 20e6) ==
        Approx(20e6 * (1 - std::pow(1 - 50'000.0 / 20e6, 50))).epsilon(kEps));
  CHECK(sainsbury_union(x.data(), 1, 20e6) == Approx(50'000.0).epsilon(kEps));
  std::vector<double> full = {20e6, 1000};
  CHECK(sainsbury_union(full.data(), 2, 20e6) == Approx(20e6).epsilon(kEps));
  // 50 accounts of 50k in one niche lose 6 % of their gross reach to overlap (docs/model.md
  // "Parameters", audience per niche): 2.5M gross -> 2.3528M unique (hand-computed).
  CHECK(sainsbury_union(x.data(), 50, 20e6) == Approx(2352824.13994).epsilon(1e-10));
}

TEST_CASE("The engine with noise off reports the closed form in every trial", "[sim]") {
  ModelParams p = quiet();
  CampaignModel m(p, {portfolio("a", {candidate({.key = 1}), candidate({.key = 2, .fake = 0.3})}),
                      portfolio("b", {candidate({.key = 2, .fake = 0.3})})});
  SimOptions opt;
  opt.trials = 300;
  const SimResult r = simulate(m, opt);
  const auto s = summarize(m, r);
  for (std::size_t q = 0; q < 2; ++q) {
    const Totals e = m.expected(q);
    for (std::size_t k = 0; k < kMetricCount; ++k) {
      INFO("portfolio " << q << " metric " << kMetricNames[k]);
      CHECK(s[q][k].mean == Approx(e[k]).epsilon(kEps));
      CHECK(s[q][k].sd == Approx(0.0).margin(1e-9 * (1 + std::fabs(e[k]))));
      CHECK(s[q][k].p5 == e[k]);
      CHECK(s[q][k].p95 == e[k]);
      CHECK(s[q][k].expected == e[k]);
    }
  }
}

TEST_CASE("An audited fake-share interval sets the beta concentration by moments", "[sim]") {
  // m = 0.3, 95 % interval [0.2, 0.4]: sd = 0.2 / (2 x 1.959964) = 0.0510213;
  // kappa = m (1 - m) / sd^2 - 1 = 0.21 / 0.00260317 - 1 = 79.67 (method of moments).
  Candidate c = candidate({.fake = 0.3});
  ModelParams p;
  CHECK(fake_concentration(c, p) == Approx(20.0));  // not audited: the default
  c.fake_share_lo = 0.2;
  c.fake_share_hi = 0.4;
  const double sd = 0.2 / (2 * 1.959963984540054);
  CHECK(fake_concentration(c, p) == Approx(0.21 / (sd * sd) - 1).epsilon(1e-9));
}

TEST_CASE("Invalid model parameters are refused with the key, the value and what is allowed",
          "[sim]") {
  auto refused = [](auto mutate, const std::string& key) {
    ModelParams p;
    mutate(p);
    try {
      p.validate();
      FAIL("accepted an invalid " << key);
    } catch (const ConfigError& e) {
      CHECK(e.option() == key);
      CHECK(std::string(e.what()).find("is not valid") != std::string::npos);
    }
  };
  refused([](ModelParams& p) { p.gross_margin = 1.5; }, "campaign.gross_margin");
  refused([](ModelParams& p) { p.base_conversion_rate = -0.1; }, "campaign.conversion_rate");
  refused([](ModelParams& p) { p.posts = 0; }, "campaign.posts_per_influencer");
  refused([](ModelParams& p) { p.posts = 1.5; }, "campaign.posts_per_influencer");
  refused([](ModelParams& p) { p.incident_probability[5] = 2; }, "model.incident_probability.mega");
  refused([](ModelParams& p) { p.reach_rate[2] = 0; }, "model.reach_rate.micro");
  refused([](ModelParams& p) { p.audience_size = 0; }, "model.audience_size");
  refused([](ModelParams& p) { p.reach_sigma = std::nan(""); }, "model.reach_sigma");
  ModelParams ok;
  CHECK_NOTHROW(ok.validate());
}
