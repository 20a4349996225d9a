// Scoring (DOMAIN §4): benchmark, tiers, components, composite, economics, flags.
#include <catch2/catch.hpp>

#include <cmath>

#include "microreach/config.hpp"
#include "microreach/error.hpp"
#include "microreach/scoring.hpp"

using namespace microreach;
using Catch::Matchers::Contains;

namespace {

constexpr auto kIg = static_cast<std::uint8_t>(Platform::instagram);

// One profile with every field missing but followers.
ProfileChunk one(double followers) {
  ProfileChunk c;
  c.resize(1);
  c.followers[0] = followers;
  c.platform[0] = kIg;
  c.handle[0] = "someone";
  return c;
}

}  // namespace

TEST_CASE("The Instagram benchmark passes through the Markerly tier points", "[scoring]") {
  ScoringConfig cfg;
  double like = 0, comment = 0;
  benchmark_rates(3162.3, kIg, cfg, like, comment);
  CHECK(like == Approx(0.04));  // Markerly 1k-10k: 4 %
  benchmark_rates(31623.0, kIg, cfg, like, comment);
  CHECK(like == Approx(0.024));  // Markerly 10k-100k: 2.4 %
  // Between points: log-linear, i.e. the geometric mean half-way in log F
  // (hand-computed: sqrt(0.04 * 0.024) = 0.0309839).
  benchmark_rates(10000.0, kIg, cfg, like, comment);
  CHECK(like == Approx(0.0309839).epsilon(1e-4));
  // Comments follow the Markerly power law 0.005 (F/1000)^-0.2742 (closed form).
  CHECK(comment == Approx(0.005 * std::pow(10.0, -0.2742)).epsilon(1e-9));
  // Flat beyond the end points.
  benchmark_rates(100.0, kIg, cfg, like, comment);
  CHECK(like == Approx(0.08));
  benchmark_rates(1e9, kIg, cfg, like, comment);
  CHECK(like == Approx(0.017));
}

TEST_CASE("On TikTok the default benchmark rises with size", "[scoring]") {
  ScoringConfig cfg;
  double small = 0, big = 0, c = 0;
  benchmark_rates(5000, static_cast<std::uint8_t>(Platform::tiktok), cfg, small, c);
  benchmark_rates(2e6, static_cast<std::uint8_t>(Platform::tiktok), cfg, big, c);
  CHECK(big > small);
}

TEST_CASE("Tiers follow the configured lower bounds", "[scoring]") {
  ScoringConfig cfg;
  CHECK(tier_of(999, cfg) == Tier::fan);
  CHECK(tier_of(1000, cfg) == Tier::nano);
  CHECK(tier_of(9999, cfg) == Tier::nano);
  CHECK(tier_of(10000, cfg) == Tier::micro);
  CHECK(tier_of(499999, cfg) == Tier::mid);
  CHECK(tier_of(500000, cfg) == Tier::macro);
  CHECK(tier_of(1e6, cfg) == Tier::mega);
  cfg.set_tier_bounds("--tier-bounds", "500,5000,50000,150000,1000000");
  CHECK(tier_of(6000, cfg) == Tier::micro);
  CHECK(tier_of(160000, cfg) == Tier::macro);
}

TEST_CASE("Invalid scoring options are refused with the option and what is allowed",
          "[scoring][errors]") {
  ScoringConfig cfg;
  CHECK_THROWS_WITH(cfg.set_tier_bounds("--tier-bounds", "1,2,3"),
                    Contains("--tier-bounds") && Contains("five"));
  cfg.set_tier_bounds("--tier-bounds", "10,5,100,200,300");
  CHECK_THROWS_WITH(cfg.validate(), Contains("strictly increasing"));
  ScoringConfig c2;
  CHECK_THROWS_WITH(c2.set_target_niche("--niche", "knitting"),
                    Contains("--niche") && Contains("fitness"));
  CHECK_THROWS_WITH(c2.set_similarity("--similar", "fitness:sports=1.5"), Contains("[0, 1]"));
  CHECK_THROWS_WITH(c2.set_benchmark("--benchmark", "myspace=1000:0.1:0.01"), Contains("platform"));
  c2.weights.cost = -1;
  CHECK_THROWS_WITH(c2.validate(), Contains("--w-cost"));
  CHECK_THROWS_AS(c2.validate(), ConfigError);
}

TEST_CASE("Engagement is ER over the benchmark, capped at 3x, and 5x is flagged", "[scoring]") {
  ScoringConfig cfg;
  ProfileChunk p = one(50000);
  double like_b = 0, comment_b = 0;
  benchmark_rates(50000, kIg, cfg, like_b, comment_b);
  ScoreChunk s;
  for (double mult : {0.5, 2.0, 4.0, 6.0}) {
    p.avg_likes[0] = mult * like_b * 50000;
    p.avg_comments[0] = mult * comment_b * 50000;
    score_chunk(p, cfg, s);
    CHECK(s.engagement_rate[0] == Approx(mult * (like_b + comment_b)));
    CHECK(s.engagement[0] == Approx(std::min(mult, 3.0) / 3.0));
    CHECK(bool(s.flags[0] & kFlagSuspiciousEngagement) == (mult > 5.0));
  }
}

TEST_CASE("A component without its inputs is left out of the score and reported missing",
          "[scoring]") {
  ScoringConfig cfg;
  cfg.set_target_niche("--niche", "fitness");
  ProfileChunk p = one(20000);
  p.niche[0] = static_cast<std::uint8_t>(Niche::sports);
  ScoreChunk s;
  score_chunk(p, cfg, s);
  // Only relevance can be computed: fitness-sports similarity 0.6 (default table).
  CHECK(s.relevance[0] == Approx(0.6));
  CHECK(std::isnan(s.engagement[0]));
  CHECK(std::isnan(s.authenticity[0]));
  CHECK(s.score[0] == Approx(60.0));
  CHECK(s.missing[0] ==
        ((1u << kEngagement) | (1u << kAuthenticity) | (1u << kCost) | (1u << kResponsiveness)));
  // Without a niche in the input, relevance is not computable either (not the floor).
  p.niche[0] = kUnknown;
  score_chunk(p, cfg, s);
  CHECK(std::isnan(s.relevance[0]));
  CHECK(std::isnan(s.score[0]));
  p.niche[0] = static_cast<std::uint8_t>(Niche::other);
  score_chunk(p, cfg, s);
  CHECK(s.relevance[0] == Approx(0.1));
  // Price is estimated from the price model (never an error): max(20, 5 * 20) = $100.
  CHECK(s.price[0] == Approx(100.0));
  CHECK(s.flags[0] & kFlagPriceEstimated);
}

TEST_CASE("The composite is the weighted mean of the components, 0-100", "[scoring]") {
  ScoringConfig cfg;
  cfg.set_target_niche("--niche", "food");
  ProfileChunk p = one(40000);
  p.niche[0] = static_cast<std::uint8_t>(Niche::food);
  double like_b = 0, comment_b = 0;
  benchmark_rates(40000, kIg, cfg, like_b, comment_b);
  p.avg_likes[0] = 1.5 * like_b * 40000;
  p.avg_comments[0] = 1.5 * comment_b * 40000;
  p.fake_follower_share[0] = 0.2;
  p.reply_rate[0] = 0.4;
  p.price_per_post[0] = 200;
  ScoreChunk s;
  score_chunk(p, cfg, s);
  const double engagement = 0.5, authenticity = 0.8, relevance = 1.0, responsiveness = 0.4;
  const double eng = 1.5 * (like_b + comment_b) * 40000 * 0.8;  // authentic engagements
  const double cost = (std::log(eng / 200.0) - std::log(0.3)) / (std::log(30.0) - std::log(0.3));
  CHECK(s.expected_engagements[0] == Approx(eng));
  CHECK(s.cost_efficiency[0] == Approx(cost));
  const double expected = 100 * (0.30 * engagement + 0.25 * authenticity + 0.20 * relevance +
                                 0.15 * cost + 0.10 * responsiveness);
  CHECK(s.score[0] == Approx(expected));
  CHECK(s.missing[0] == 0);
  // Economics: reach = authentic followers x micro reach rate (0.22); CPM, CPE.
  CHECK(s.authentic_followers[0] == Approx(32000));
  CHECK(s.expected_reach[0] == Approx(32000 * 0.22));
  CHECK(s.cpm[0] == Approx(200.0 / (32000 * 0.22) * 1000));
  CHECK(s.cpe[0] == Approx(200.0 / eng));
  CHECK_FALSE(s.flags[0] & kFlagFakeShareEstimated);
}

TEST_CASE("Weights change the ranking the way a researcher expects", "[scoring]") {
  ScoringConfig cfg;
  ProfileChunk p;
  p.resize(2);
  for (int i = 0; i < 2; ++i) {
    p.followers[i] = 30000;
    p.platform[i] = kIg;
    p.avg_likes[i] = 900;
    p.avg_comments[i] = 40;
  }
  p.fake_follower_share[0] = 0.5;  // cheap but half fake
  p.price_per_post[0] = 50;
  p.fake_follower_share[1] = 0.02;  // expensive, real
  p.price_per_post[1] = 2000;
  ScoreChunk s;
  cfg.weights = {0, 1, 0, 0, 0};
  score_chunk(p, cfg, s);
  CHECK(s.score[1] > s.score[0]);
  cfg.weights = {0, 0, 0, 1, 0};
  score_chunk(p, cfg, s);
  CHECK(s.score[0] > s.score[1]);
}

TEST_CASE("The fake-share estimate rises with each warning signal", "[scoring]") {
  const double norm = 0.1;  // comment/like norm
  // Followers alone carry no signal: not computable rather than invented.
  CHECK(std::isnan(estimate_fake_share(1000, NAN, NAN, NAN, NAN, NAN, norm)));
  const double clean = estimate_fake_share(10000, 500, 300, 30, 1.0, 0.02, norm);
  CHECK(clean == Approx(0.05));  // no signal: the prior
  CHECK(estimate_fake_share(10000, 40000, 300, 30, 1.0, 0.02, norm) >
        clean + 0.3);  // follow-for-follow
  CHECK(estimate_fake_share(10000, 500, 300, 1, 1.0, 0.02, norm) >
        clean + 0.3);  // likes without comments
  CHECK(estimate_fake_share(10000, 500, 300, 30, 0.05, 0.02, norm) >
        clean + 0.3);                                                             // engagement 1/20
  CHECK(estimate_fake_share(10000, 500, 300, 30, 1.0, 0.5, norm) > clean + 0.3);  // growth spike
  const double all = estimate_fake_share(10000, 40000, 300, 1, 0.05, 0.5, norm);
  CHECK(all > 0.9);
  CHECK(all < 1.0);
}

TEST_CASE("An audited fake share overrides the estimate and carries its interval", "[scoring]") {
  ScoringConfig cfg;
  ProfileChunk p = one(100000);
  p.handle[0] = "audited_account";
  p.following[0] = 300;
  AuditedShares audited;
  audited.by_handle["audited_account"] = {0.3, 0.22, 0.38};
  ScoreChunk s;
  score_chunk(p, cfg, s, &audited);
  CHECK(s.fake_share[0] == Approx(0.3));
  CHECK(s.authenticity[0] == Approx(0.7));
  CHECK(s.fake_share_lo[0] == Approx(0.22));
  CHECK(s.fake_share_hi[0] == Approx(0.38));
  CHECK(s.flags[0] & kFlagFakeShareAudited);
}
