// Exact values of formulas docs/model.md states, at hand-computed points (the computation is in
// the comment beside each check), boundaries included: a one-line change to a constant, a
// comparison or a term of these formulas fails here rather than hiding inside a tolerance.
#include <catch2/catch.hpp>

#include <cmath>

#include "microreach/audit/audit.hpp"
#include "microreach/config.hpp"
#include "microreach/scoring.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"
#include "sim_test_util.hpp"
#include "test_util.hpp"

using namespace microreach;
using namespace microreach::sim;

TEST_CASE("Moments::merge: exact mean and M2 with unequal counts", "[exact][sim]") {
  // a = {1, 2, 3}: n 3, mean 2, M2 = 1 + 0 + 1 = 2.  b = {10, 20}: n 2, mean 15, M2 = 25 + 25 = 50.
  // Merged: n 5, mean (6 + 30) / 5 = 7.2; M2 = 2 + 50 + (15 - 2)^2 * 3 * 2 / 5 = 52 + 202.8 =
  // 254.8 (= 6.2^2 + 5.2^2 + 4.2^2 + 2.8^2 + 12.8^2), variance 254.8 / 4 = 63.7.
  Moments a, b;
  for (double x : {1.0, 2.0, 3.0}) a.add(x);
  for (double x : {10.0, 20.0}) b.add(x);
  Moments ab = a;
  ab.merge(b);
  CHECK(ab.n == 5.0);
  CHECK(ab.mean == Approx(7.2).epsilon(1e-14));
  CHECK(ab.m2 == Approx(254.8).epsilon(1e-14));
  CHECK(ab.variance() == Approx(63.7).epsilon(1e-14));
  // The other order: the same numbers.
  Moments ba = b;
  ba.merge(a);
  CHECK(ba.mean == Approx(7.2).epsilon(1e-14));
  CHECK(ba.m2 == Approx(254.8).epsilon(1e-14));
  // Boundaries: merging into an empty one copies, merging an empty one changes nothing.
  Moments e;
  e.merge(a);
  CHECK(e.n == 3.0);
  CHECK(e.mean == 2.0);
  CHECK(e.m2 == 2.0);
  a.merge(Moments{});
  CHECK(a.n == 3.0);
  CHECK(a.m2 == 2.0);
  // One value: variance 0 (n - 1 = 0 is not divided by).
  Moments one;
  one.add(5.0);
  CHECK(one.variance() == 0.0);
}

TEST_CASE("P(loss) counts profit < 0 only: a profit of exactly 0 is no loss", "[exact][sim]") {
  ModelParams p;
  p.base_conversion_rate = 0;  // no conversions: profit = -cost exactly
  sim_test::CandidateSpec free_spec, paid_spec;
  free_spec.price = 0;  // fee 0, incident cost 0: profit is exactly 0 in every trial
  paid_spec.key = 2;
  paid_spec.price = 100;  // profit -100 (or -200 after an incident) in every trial
  const CampaignModel m(p, {sim_test::portfolio("free", {sim_test::candidate(free_spec)}),
                            sim_test::portfolio("paid", {sim_test::candidate(paid_spec)})});
  SimOptions o;
  o.trials = 500;
  const SimResult r = simulate(m, o);
  const auto s = summarize(m, r);
  CHECK(s[0][idx(Metric::profit)].mean == 0.0);
  CHECK(s[0][idx(Metric::profit)].p_negative == 0.0);
  CHECK(s[0][idx(Metric::roi)].p_negative == 0.0);  // ROI of a zero cost is 0, not NaN
  CHECK(s[1][idx(Metric::profit)].p_negative == 1.0);
}

TEST_CASE("Expected conversions and cost with an incident probability", "[exact][sim]") {
  ModelParams p;
  p.incident_probability[static_cast<std::size_t>(Tier::micro)] = 0.2;
  p.incident_cost_factor = 2.0;
  sim_test::CandidateSpec spec;  // micro, 50,000 followers, fake 0.1, e 0.12, s 0.05, $250
  const AccountModel a = make_account(sim_test::candidate(spec), p);
  const AccountExpectation e = expect_account(a, p);
  // authentic A = 50,000 x 0.9 = 45,000; micro reach rate 0.22, one post:
  // reached followers = impressions = 45,000 x 0.22 = 9,900; engagements 9,900 x 0.12 = 1,188;
  // viewers through shares 30 x 1,188 x 0.05 = 1,782; reached X = 9,900 + 1,782 = 11,682.
  CHECK(e.engagements == Approx(1188.0).epsilon(1e-12));
  CHECK(e.reached == Approx(11682.0).epsilon(1e-12));
  CHECK(e.impressions == Approx(11682.0).epsilon(1e-12));
  // conversions = X rel c tau (1 - q) = 11,682 x 1 x 0.0005 x 1.4 x (1 - 0.2) = 6.54192.
  CHECK(e.conversions_before_overlap == Approx(6.54192).epsilon(1e-12));
  // cost = fee + q x factor x fee = 250 + 0.2 x 2 x 250 = 350.
  CHECK(e.cost == Approx(350.0).epsilon(1e-12));
  // q = 1: no conversions, the incident cost always paid: 250 + 500 = 750.
  p.incident_probability[static_cast<std::size_t>(Tier::micro)] = 1.0;
  const AccountExpectation e1 = expect_account(make_account(sim_test::candidate(spec), p), p);
  CHECK(e1.conversions_before_overlap == 0.0);
  CHECK(e1.cost == Approx(750.0).epsilon(1e-12));
}

TEST_CASE("Closed forms at their boundaries: posts, audience cap, conversion cap", "[exact][sim]") {
  sim_test::CandidateSpec spec;
  spec.fake = 0.0;
  spec.engagement_per_view = 0.0;  // no viewers through shares: X = reached followers
  ModelParams p;
  p.posts = 2;
  // Two posts: reached = 50,000 x (1 - (1 - 0.22)^2) = 50,000 x 0.3916 = 19,580; impressions
  // 50,000 x 0.22 x 2 = 22,000; fee 2 x 250 = 500.
  AccountExpectation e = expect_account(make_account(sim_test::candidate(spec), p), p);
  CHECK(e.reached == Approx(19580.0).epsilon(1e-12));
  CHECK(e.impressions == Approx(22000.0).epsilon(1e-12));
  CHECK(e.cost == Approx(500.0 + 0.005 * 500.0).epsilon(1e-12));
  // Audience cap: U = 19,580 exactly is not binding (min), U = 10,000 is.
  p.audience_size = 19580.0;
  e = expect_account(make_account(sim_test::candidate(spec), p), p);
  CHECK(e.reached == Approx(19580.0).epsilon(1e-12));
  p.audience_size = 10000.0;
  e = expect_account(make_account(sim_test::candidate(spec), p), p);
  CHECK(e.reached == 10000.0);
  // Conversion probability capped at 1: base 1 x trust 1.4 -> 1; conversions = X (1 - q).
  p.base_conversion_rate = 1.0;
  e = expect_account(make_account(sim_test::candidate(spec), p), p);
  CHECK(e.conversions_before_overlap == Approx(10000.0 * (1.0 - 0.005)).epsilon(1e-12));
  // Sainsbury: one account reaching the whole audience reaches U; two halves reach 3/4 U.
  const double whole[] = {1000.0};
  CHECK(sainsbury_union(whole, 1, 1000.0) == 1000.0);
  const double halves[] = {500.0, 500.0};
  CHECK(sainsbury_union(halves, 2, 1000.0) == Approx(750.0).epsilon(1e-14));
}

TEST_CASE("Audit interval: Rogan-Gladen with MOVER at a hand-computed point", "[exact][audit]") {
  // Se 0.8, Sp 0.9 measured on 96 fake and 96 real; 30 of 100 flagged; Wilson 95 %.
  // Wilson: z = 1.959964, p = 0.3, centre (0.3 + z^2/200) / (1 + z^2/100) = 0.307399,
  // half = z / (1 + z^2/100) sqrt(0.0021 + z^2/40000) = 0.088450 -> [0.218949, 0.395849].
  // J = 0.7; corrected (0.3 - 0.1) / 0.7 = 0.285714; sampling [0.169927, 0.422641].
  // Agresti-Coull: var Se = 0.788 x 0.212 / 100 = 0.00167056, var Sp = 0.884 x 0.116 / 100 =
  // 0.00102544; var_c = (0.285714^2 x 0.00167056 + 0.714286^2 x 0.00102544) / 0.49 = 0.00134603.
  // lo = 0.285714 - sqrt((0.285714 - 0.169927)^2 + z^2 var_c) = 0.149415,
  // hi = 0.285714 + sqrt((0.422641 - 0.285714)^2 + z^2 var_c) = 0.440374.
  audit::ClassifierAccuracy acc{0.8, 0.9, 96, 96};
  const auto e = audit::estimate_share(30, 100, acc, audit::IntervalMethod::wilson, 0.95);
  CHECK(e.apparent_ci.lo == Approx(0.2189488529).epsilon(1e-9));
  CHECK(e.apparent_ci.hi == Approx(0.3958485463).epsilon(1e-9));
  CHECK(e.corrected == Approx(0.2857142857).epsilon(1e-9));
  CHECK(e.sampling_ci.lo == Approx(0.1699269328).epsilon(1e-9));
  CHECK(e.sampling_ci.hi == Approx(0.4226407805).epsilon(1e-9));
  CHECK(e.corrected_ci.lo == Approx(0.1494152048).epsilon(1e-9));
  CHECK(e.corrected_ci.hi == Approx(0.4403738904).epsilon(1e-9));
  // Exact accuracy (0 labelled accounts): only the sampling part is left.
  const auto x = audit::estimate_share(30, 100, audit::ClassifierAccuracy{0.8, 0.9, 0, 0},
                                       audit::IntervalMethod::wilson, 0.95);
  CHECK(x.corrected_ci.lo == Approx(0.1699269328).epsilon(1e-9));
  CHECK(x.corrected_ci.hi == Approx(0.4226407805).epsilon(1e-9));
  // Rogan-Gladen at its boundaries: apparent = 1 - Sp -> 0, apparent = Se -> 1, Se + Sp = 1
  // refused.
  CHECK(audit::rogan_gladen(0.1, 0.8, 0.9) == Approx(0.0).margin(1e-15));
  CHECK(audit::rogan_gladen(0.8, 0.8, 0.9) == Approx(1.0).epsilon(1e-15));
  CHECK_THROWS(audit::rogan_gladen(0.5, 0.5, 0.5));
}

TEST_CASE("benchmark_rate stores the benchmark the engagement component used", "[exact][scoring]") {
  ScoringConfig cfg;
  ProfileChunk p = test::instagram_profiles(2, 50000, 1000);
  p.avg_comments[0] = 50;  // row 1 has no comment count
  double like_b = 0, comment_b = 0;
  benchmark_rates(50000, static_cast<std::uint8_t>(Platform::instagram), cfg, like_b, comment_b);
  ScoreChunk s;
  score_chunk(p, cfg, s);
  // With comments: B = L + C and ER = (1000 + 50) / 50,000 = 0.021; without: B = L, ER = 0.02.
  CHECK(s.benchmark_rate[0] == Approx(like_b + comment_b).epsilon(1e-15));
  CHECK(s.benchmark_rate[1] == Approx(like_b).epsilon(1e-15));
  CHECK(s.engagement_rate[0] / s.benchmark_rate[0] ==
        Approx(std::min(0.021 / (like_b + comment_b), cfg.engagement_cap)).epsilon(1e-12));
  CHECK(s.engagement[1] ==
        Approx(std::min(0.02 / like_b, cfg.engagement_cap) / cfg.engagement_cap).epsilon(1e-12));
}
