// The engine's promises: bit-identical results for any thread count, rounds that add up to
// one run, and common random numbers (an account hired by several strategies sees the same
// draws in each).
#include <tbb/global_control.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "microreach/distributions.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/model.hpp"
#include "microreach/stats.hpp"
#include "microreach/vmath.hpp"
#include "sim_test_util.hpp"

namespace {

CampaignModel three_strategies() {
  std::vector<Candidate> micro;
  for (std::uint64_t k = 0; k < 30; ++k)
    micro.push_back(candidate({.key = 10 + k,
                               .niche = k % 3 ? Niche::fitness : Niche::sports,
                               .followers = 15'000 + 2'000.0 * k,
                               .fake = 0.01 * (k % 9)}));
  Candidate mega =
      candidate({.key = 3, .tier = Tier::mega, .followers = 2.5e6, .fake = 0.3, .price = 15'000});
  std::vector<Candidate> mix(micro.begin(), micro.begin() + 10);
  mix.push_back(mega);
  return CampaignModel(ModelParams{}, {portfolio("macro", {mega}), portfolio("micro", micro),
                                       portfolio("mix", mix)});
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void require_identical(const SimResult& a, const SimResult& b) {
  REQUIRE(a.trials == b.trials);
  for (std::size_t p = 0; p < a.moments.size(); ++p)
    for (std::size_t k = 0; k < kMetricCount; ++k) {
      INFO("portfolio " << p << " metric " << kMetricNames[k]);
      REQUIRE(same_bits(a.moments[p][k].mean, b.moments[p][k].mean));
      REQUIRE(same_bits(a.moments[p][k].m2, b.moments[p][k].m2));
      REQUIRE(a.negatives[p][k] == b.negatives[p][k]);
      REQUIRE(a.values[p][k] == b.values[p][k]);
    }
  REQUIRE(a.pairs.size() == b.pairs.size());
  for (std::size_t q = 0; q < a.pairs.size(); ++q) {
    REQUIRE(same_bits(a.pairs[q].wins_a, b.pairs[q].wins_a));
    REQUIRE(same_bits(a.pairs[q].difference.mean, b.pairs[q].difference.mean));
  }
}

}  // namespace

TEST_CASE("Same seed gives bit-identical results with 1, 2 and 4 threads", "[sim]") {
  const CampaignModel m = three_strategies();
  SimOptions opt;
  opt.seed = 42;
  opt.trials = 5'000;  // 20 blocks, the last one partial
  std::vector<SimResult> runs;
  for (int threads : {2, 1, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    runs.push_back(simulate(m, opt));
  }
  require_identical(runs[0], runs[1]);
  require_identical(runs[0], runs[2]);
  // and a different seed gives different numbers
  opt.seed = 43;
  const SimResult other = simulate(m, opt);
  CHECK(other.moments[1][idx(Metric::profit)].mean != runs[0].moments[1][idx(Metric::profit)].mean);
}

TEST_CASE("Rounds on block boundaries add up to exactly one run of the same length", "[sim]") {
  const CampaignModel m = three_strategies();
  SimOptions opt;
  opt.seed = 7;
  opt.trials = 3 * kBlockTrials + 17;
  const SimResult one = simulate(m, opt);
  SimResult rounds;
  simulate_more(m, opt, kBlockTrials, rounds);
  simulate_more(m, opt, 2 * kBlockTrials, rounds);
  simulate_more(m, opt, 17, rounds);
  require_identical(one, rounds);
}

TEST_CASE("An account hired by two strategies sees the same draws in both", "[sim]") {
  // Strategy "a" hires x alone; "b" hires x and y in another audience (no overlap between
  // them), so every total of b is a's plus y's own, trial by trial, and "c" hires y alone.
  // (Engagements other than shares are one Poisson per portfolio of the summed means, so
  // they add up in distribution, not trial by trial: checked on the means below.)
  const Candidate x = candidate({.key = 21});
  const Candidate y = candidate({.key = 22, .platform = Platform::tiktok, .followers = 70'000});
  CampaignModel m(ModelParams{},
                  {portfolio("a", {x}), portfolio("b", {y, x}), portfolio("c", {y})});
  SimOptions opt;
  opt.trials = 2'000;
  const SimResult r = simulate(m, opt);
  for (Metric k : {Metric::unique_reach, Metric::impressions, Metric::conversions, Metric::cost}) {
    for (std::size_t t = 0; t < r.trials; ++t) {
      const double a = r.values[0][idx(k)][t], b = r.values[1][idx(k)][t],
                   c = r.values[2][idx(k)][t];
      INFO("trial " << t << " metric " << kMetricNames[idx(k)]);
      REQUIRE(b == Approx(a + c).epsilon(1e-12));
    }
  }
  const auto& e = r.moments;
  const double se = std::sqrt(std::pow(e[0][idx(Metric::engagements)].se(), 2) +
                              std::pow(e[1][idx(Metric::engagements)].se(), 2) +
                              std::pow(e[2][idx(Metric::engagements)].se(), 2));
  CHECK(std::fabs(e[1][idx(Metric::engagements)].mean - e[0][idx(Metric::engagements)].mean -
                  e[2][idx(Metric::engagements)].mean) < 4 * se);
  // P(b beats a on profit) is the share of trials where y's own profit is positive.
  const auto& pair = r.pairs[0];  // (a, b)
  REQUIRE(pair.a == 0);
  REQUIRE(pair.b == 1);
  double y_positive = 0;
  for (std::size_t t = 0; t < r.trials; ++t) y_positive += r.values[2][idx(Metric::profit)][t] > 0;
  CHECK(1.0 - pair.p_a_beats_b() == Approx(y_positive / r.trials).epsilon(1e-9));
}

TEST_CASE("Common random numbers make a paired difference far more precise than unpaired",
          "[sim]") {
  // Two strategies sharing 29 of 30 accounts: the paired difference of their profits has a
  // much smaller standard error than the one an independent comparison would have.
  std::vector<Candidate> base;
  for (std::uint64_t k = 0; k < 30; ++k)
    base.push_back(candidate({.key = 50 + k, .followers = 20'000 + 1'000.0 * k}));
  std::vector<Candidate> swapped = base;
  swapped.back() = candidate({.key = 99, .followers = 60'000});
  CampaignModel m(ModelParams{}, {portfolio("base", base), portfolio("swapped", swapped)});
  SimOptions opt;
  opt.trials = 4'000;
  const SimResult r = simulate(m, opt);
  const double se_paired = r.pairs[0].difference.se();
  const double se_indep = std::sqrt(std::pow(r.moments[0][idx(Metric::profit)].se(), 2) +
                                    std::pow(r.moments[1][idx(Metric::profit)].se(), 2));
  CHECK(se_paired < 0.3 * se_indep);
}

TEST_CASE("Summaries: quantiles, shortfall and P(loss) follow their definitions", "[sim]") {
  const CampaignModel m = three_strategies();
  SimOptions opt;
  opt.trials = 2'000;
  const SimResult r = simulate(m, opt);
  const auto s = summarize(m, r);
  std::vector<double> v = r.values[1][idx(Metric::profit)];
  std::sort(v.begin(), v.end());
  // Linear interpolation between order statistics (NumPy's default): h = (n - 1) q.
  const double h = (v.size() - 1) * 0.05;
  const auto lo = static_cast<std::size_t>(h);
  CHECK(s[1][idx(Metric::profit)].p5 == Approx(v[lo] + (h - lo) * (v[lo + 1] - v[lo])));
  double worst = 0;
  for (std::size_t i = 0; i < 100; ++i) worst += v[i];  // ceil(0.05 x 2000) = 100 worst
  CHECK(s[1][idx(Metric::profit)].shortfall == Approx(worst / 100));
  double losses = 0;
  for (double x : v) losses += x < 0;
  CHECK(s[1][idx(Metric::profit)].p_negative == Approx(losses / 2000));
  CHECK(s[1][idx(Metric::roi)].p_negative == s[1][idx(Metric::profit)].p_negative);
  CHECK(s[1][idx(Metric::profit)].p5 <= s[1][idx(Metric::profit)].p50);
  CHECK(s[1][idx(Metric::profit)].p50 <= s[1][idx(Metric::profit)].p95);
}

TEST_CASE("Quantiles and shortfall equal those of the fully sorted values, bit for bit", "[sim]") {
  // The summary selects order statistics instead of sorting; a sort of each metric's values
  // is the definition it must reproduce exactly, for every metric and for tiny trial counts
  // (1 trial: every quantile is that trial) where the quantile ranks coincide.
  const CampaignModel m = three_strategies();
  for (std::uint64_t trials : {1u, 2u, 3u, 7u, 20u, 21u, 257u, 1'000u}) {
    SimOptions opt;
    opt.trials = trials;
    const SimResult r = simulate(m, opt);
    const auto s = summarize(m, r);
    for (std::size_t p = 0; p < m.portfolio_count(); ++p)
      for (std::size_t k = 0; k < kMetricCount; ++k) {
        std::vector<double> v = r.values[p][k];
        std::sort(v.begin(), v.end());
        const auto tail = std::max<std::size_t>(
            1, static_cast<std::size_t>(std::ceil(0.05 * static_cast<double>(v.size()))));
        double sum = 0;
        const bool high = static_cast<Metric>(k) == Metric::cost;
        for (std::size_t i = 0; i < tail; ++i) sum += high ? v[v.size() - tail + i] : v[i];
        INFO("trials " << trials << ", strategy " << p << ", metric " << k);
        CHECK(same_bits(s[p][k].shortfall, sum / static_cast<double>(tail)));
        CHECK(same_bits(s[p][k].p5, stats::quantile_sorted(v, 0.05)));
        CHECK(same_bits(s[p][k].p50, stats::quantile_sorted(v, 0.50)));
        CHECK(same_bits(s[p][k].p95, stats::quantile_sorted(v, 0.95)));
      }
  }
}

TEST_CASE("Precision rounds stop once every relative standard error is under the target", "[sim]") {
  const CampaignModel m = three_strategies();
  SimOptions opt;
  PrecisionOptions prec;
  prec.target = 0.02;
  prec.first_round = 500;
  prec.max_trials = 1'000'000;
  SimResult r;
  const PrecisionReport rep = simulate_to_precision(m, opt, prec, r);
  CHECK(rep.reached);
  CHECK(rep.max_relative_se < 0.02);
  CHECK(max_relative_se(r) == rep.max_relative_se);
  CHECK(r.trials % kBlockTrials == 0);
  CHECK(r.trials < prec.max_trials);
  // A cap below what the target needs stops at the cap and says so.
  SimResult capped;
  prec.target = 0.0005;
  prec.max_trials = 3'000;
  const PrecisionReport rep2 = simulate_to_precision(m, opt, prec, capped);
  CHECK_FALSE(rep2.reached);
  CHECK(capped.trials == 3'000);
}

namespace {

// What engine.hpp promises for account i in trial t, one draw at a time with the scalar
// samplers: the 10 words of the account's block generator, each draw continued on its lane.
struct ReferenceDraw {
  double reached, impressions, shares, incident;
};
ReferenceDraw reference_draw(const CampaignModel& m, std::size_t i, std::uint64_t seed,
                             std::uint64_t trial, const Shocks& shocks) {
  const ModelParams& p = m.params();
  const AccountModel& a = m.account(i);
  Xoshiro256 x = block_generator(seed, trial / kBlockTrials, a.key);
  for (std::uint64_t k = 0; k < (trial % kBlockTrials) * kWordsPerTrial; ++k) x.next();
  std::uint64_t w[kWordsPerTrial];
  for (auto& v : w) v = x.next();
  auto lane = [&](std::uint64_t l, int first, int count) {
    return Stream::resume(seed, Purpose::sim_account, trial, a.key, l, w + first, count);
  };
  double fake = a.fake_mean;
  if (a.fake_random) {
    Stream s = lane(2, 6, 4);
    fake = a.fake(s);
  }
  const double authentic = std::floor(a.followers * (1.0 - fake) + 0.5);
  Stream sn = lane(1, 0, 1);
  const double sigma = p.reach_sigma;
  const double reach_scale = shocks.reach * std::exp(-0.5 * sigma * sigma);
  const double rho = std::min(1.0, a.reach_rate * reach_scale * vmath::exp(sigma * std_normal(sn)));
  const double p_reach = p.posts == 1.0 ? rho : 1.0 - std::pow(1.0 - rho, p.posts);
  Stream sr = lane(3, 1, 2);
  const double followers_reached =
      static_cast<double>(binomial(sr, static_cast<std::uint64_t>(authentic), p_reach));
  const double imp = authentic * rho * p.posts;
  Stream ss = lane(4, 3, 2);
  const double shares =
      static_cast<double>(poisson(ss, imp * a.engagement_per_view * a.share_fraction));
  ReferenceDraw r;
  r.reached = std::min(followers_reached + p.viewers_per_share * shares, p.audience_size);
  r.impressions = imp + p.viewers_per_share * shares;
  r.shares = shares;
  r.incident = Stream::to_uniform(w[5]) < a.incident_probability ? 1.0 : 0.0;
  return r;
}

// Accounts chosen to reach every path: fake shares drawn by inversion (5 % at kappa 20 gives
// Beta(1, 19); 95 % gives Beta(19, 1)), as two gammas, with shapes below 1, or fixed (0, 1,
// an audited point interval); reach binomials by BTRD, by inversion (tiny accounts) and with
// p > 1/2 (reach rate 0.9); share Poissons by PD and inversion; 300 accounts, so the
// 128-account batches split them three ways.
CampaignModel every_path_model() {
  ModelParams params;
  params.reach_rate[static_cast<std::size_t>(Tier::mega)] = 0.9;
  params.posts = 2;
  std::vector<Candidate> hired;
  const double fakes[] = {0.05, 0.95, 0.1, 0.3, 0.01, 0.0, 1.0, 0.2, 0.5, 0.02};
  const double followers[] = {40, 900, 12'000, 60'000, 250'000, 2e6};
  for (std::uint64_t k = 0; k < 300; ++k) {
    Candidate c = candidate({.key = 5 + 7 * k,
                             .tier = k % 11 == 0 ? Tier::mega : Tier::micro,
                             .followers = followers[k % 6],
                             .fake = fakes[k % 10],
                             .engagement_per_view = 0.01 + 0.003 * static_cast<double>(k % 50),
                             .share_fraction = k % 4 == 0 ? 0.3 : 0.05});
    if (k % 37 == 0) c.fake_share_lo = c.fake_share_hi = c.fake_share;  // audited exactly
    hired.push_back(c);
  }
  return CampaignModel(params, {portfolio("all", hired)});
}

// Restores automatic batch code when a test that forces one ends (also on failure).
struct IsaGuard {
  explicit IsaGuard(BatchIsa isa) { set_batch_isa(isa); }
  ~IsaGuard() { set_batch_isa(BatchIsa::automatic); }
};

}  // namespace

TEST_CASE("Batched draws equal the scalar samplers on each account's documented words", "[sim]") {
  const CampaignModel m = every_path_model();
  // Both copies of the batch code: baseline x86-64 and, where the CPU has it, x86-64-v3.
  const BatchIsa isa = GENERATE(BatchIsa::baseline, BatchIsa::x86_64_v3);
  const IsaGuard guard(isa);
  INFO("batch code " << batch_isa_name());
  TrialWorkspace ws(m);
  // Trials in order, then out of order (a fresh block, a jump back, a jump forward in a block).
  for (std::uint64_t trial : {0, 1, 2, 3, 255, 256, 257, 1000, 5, 700, 701, 900}) {
    ws.draw(m, 99, trial);
    for (std::size_t i = 0; i < m.account_count(); ++i) {
      const ReferenceDraw r = reference_draw(m, i, 99, trial, ws.shocks());
      INFO("trial " << trial << ", account " << i);
      REQUIRE(same_bits(ws.reached(i), r.reached));
      REQUIRE(same_bits(ws.impressions(i), r.impressions));
      REQUIRE(same_bits(ws.shares(i), r.shares));
      REQUIRE(same_bits(ws.incident(i), r.incident));
    }
  }
}

TEST_CASE("Baseline and x86-64-v3 batch code give bit-identical simulations", "[sim]") {
  const CampaignModel m = every_path_model();
  SimOptions opt;
  opt.seed = 4242;
  opt.trials = 600;
  opt.keep_values = true;
  SimResult base, fast;
  {
    const IsaGuard guard(BatchIsa::baseline);
    REQUIRE(std::string(batch_isa_name()) == "baseline");
    base = simulate(m, opt);
  }
  {
    // x86-64-v3 where the CPU has it; in a build without the clone, its passes in baseline code.
    const IsaGuard guard(BatchIsa::x86_64_v3);
    INFO("batch code here: " << batch_isa_name());
    fast = simulate(m, opt);
  }
  require_identical(base, fast);
  for (std::size_t k = 0; k < kMetricCount; ++k)
    for (std::uint64_t t = 0; t < opt.trials; ++t)
      REQUIRE(same_bits(base.values[0][k][t], fast.values[0][k][t]));
}
