// Scoring: benchmark, tiers, components, composite, economics, flags.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <string>
#include <tuple>
#include <utility>

#include "microreach/config.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/scoring.hpp"
#include "microreach/summary.hpp"
#include "microreach/synth.hpp"
#include "test_util.hpp"

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
  // Without a niche in the input, relevance is the unknown-niche prior (default: the floor
  // 0.1, as for an unrelated niche), not left out of the score.
  p.niche[0] = kUnknown;
  score_chunk(p, cfg, s);
  CHECK(s.relevance[0] == 0.1);
  CHECK(s.score[0] == Approx(10.0));
  // The prior is a parameter; NaN leaves relevance out as before.
  cfg.unknown_niche_relevance = 0.25;
  score_chunk(p, cfg, s);
  CHECK(s.relevance[0] == 0.25);
  cfg.unknown_niche_relevance = std::nan("");
  score_chunk(p, cfg, s);
  CHECK(std::isnan(s.relevance[0]));
  CHECK(std::isnan(s.score[0]));
  cfg.unknown_niche_relevance = 0.1;
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
  ProfileChunk p = test::instagram_profiles(2, 30000, 900);
  p.avg_comments[0] = p.avg_comments[1] = 40;
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

// ---------------------------------------------------------------- the vector kernel
namespace {

// The scoring formulas as the scalar loop computed them before the vector kernel, with the C
// library's log, log10 and pow and the benchmark of config.cpp (benchmark_rates): the reference
// the kernel is held to (docs/model.md, "Composite score": within the stated bound).
void reference_score(const ProfileChunk& in, const ScoringConfig& cfg, ScoreChunk& out,
                     const AuditedShares* audited) {
  const auto ok = [](double v) { return !std::isnan(v); };
  const auto clamp01 = [](double v) { return std::min(1.0, std::max(0.0, v)); };
  const auto fake_signals = [&](double followers, double following, double likes, double comments,
                                double er_over_bench, double growth_30d, double norm) {
    bool any = false;
    double keep = 0.95;
    if (ok(following) && ok(followers) && followers > 0) {
      any = true;
      keep *= 1.0 - 0.6 * clamp01(std::log10(std::max(following, 1.0) / followers) / 0.5);
    }
    if (ok(likes) && ok(comments) && likes > 0 && norm > 0) {
      any = true;
      const double q = std::max(comments / likes, 1e-6) / norm;
      keep *= 1.0 - 0.5 * clamp01((-std::log10(q) - 0.3) / 0.7);
    }
    if (ok(er_over_bench)) {
      any = true;
      keep *= 1.0 - 0.6 * clamp01((-std::log10(std::max(er_over_bench, 1e-6)) - 0.3) / 0.7);
    }
    if (ok(growth_30d)) {
      any = true;
      keep *= 1.0 - 0.5 * clamp01((growth_30d - 0.10) / 0.30);
    }
    return any ? 1.0 - keep : kMissing;
  };
  const std::size_t n = in.size();
  out = ScoreChunk{};
  out.resize(n);
  const Weights& w = cfg.weights;
  const double wk[kComponentCount] = {w.engagement, w.authenticity, w.relevance, w.cost,
                                      w.responsiveness};
  const double log_cost_lo = std::log(cfg.cost_lo);
  const double log_cost_span = std::log(cfg.cost_hi) - log_cost_lo;
  for (std::size_t i = 0; i < n; ++i) {
    const double F = in.followers[i];
    const bool has_f = ok(F) && F > 0;
    std::uint16_t flags = 0;
    double comp[kComponentCount];
    for (double& c : comp) c = kMissing;
    double like_b = kMissing, comment_b = kMissing;
    if (has_f) {
      out.tier[i] = static_cast<std::uint8_t>(tier_of(F, cfg));
      benchmark_rates(F, in.platform[i], cfg, like_b, comment_b);
    }
    const double likes = in.avg_likes[i], comments = in.avg_comments[i], shares = in.avg_shares[i];
    double er = kMissing, bench = kMissing, ratio = kMissing, engagements = kMissing;
    if (has_f && ok(likes)) {
      engagements = likes + (ok(comments) ? comments : 0.0) + (ok(shares) ? shares : 0.0);
      er = engagements / F;
      bench = like_b + (ok(comments) ? comment_b : 0.0);
      ratio = er / bench;
      comp[kEngagement] = std::min(ratio, cfg.engagement_cap) / cfg.engagement_cap;
      if (ratio > cfg.suspicious_engagement) flags |= kFlagSuspiciousEngagement;
    }
    out.engagement_rate[i] = er;
    out.benchmark_rate[i] = has_f ? like_b + (ok(comments) ? comment_b : 0.0) : kMissing;
    double fake = in.fake_follower_share[i];
    const AuditedShare* a = audited ? audited->find(in.handle[i]) : nullptr;
    if (a) {
      fake = a->estimate;
      out.fake_share_lo[i] = a->lo;
      out.fake_share_hi[i] = a->hi;
      flags |= kFlagFakeShareAudited;
    } else if (!ok(fake)) {
      fake = fake_signals(F, in.following[i], likes, comments, ratio, in.follower_growth_30d[i],
                          has_f ? comment_b / like_b : kMissing);
      if (ok(fake)) flags |= kFlagFakeShareEstimated;
    }
    out.fake_share[i] = fake;
    if (ok(fake)) {
      comp[kAuthenticity] = 1.0 - fake;
      if (comp[kAuthenticity] < cfg.suspected_fake_below) flags |= kFlagSuspectedFake;
    }
    if (cfg.target_niche) {
      const auto t = static_cast<std::size_t>(*cfg.target_niche);
      comp[kRelevance] =
          in.niche[i] < kNicheCount ? cfg.similarity[t][in.niche[i]] : cfg.unknown_niche_relevance;
    }
    if (ok(in.reply_rate[i])) comp[kResponsiveness] = clamp01(in.reply_rate[i]);
    double price = in.price_per_post[i];
    if (!(ok(price) && price > 0) && has_f) {
      price = model_price(F, in.platform[i], cfg);
      flags |= kFlagPriceEstimated;
    }
    out.price[i] = price;
    const double keep = ok(fake) ? 1.0 - fake : 1.0;
    if (has_f) {
      out.authentic_followers[i] = F * keep;
      out.expected_reach[i] = F * keep * cfg.reach_rate[out.tier[i]];
      out.cpm[i] = price / out.expected_reach[i] * 1000.0;
    }
    if (ok(engagements)) {
      const double eng = std::min(engagements, cfg.engagement_cap * bench * F) * keep;
      out.expected_engagements[i] = eng;
      out.cpe[i] = eng > 0 ? price / eng : kMissing;
      comp[kCost] = eng > 0 ? clamp01((std::log(eng / price) - log_cost_lo) / log_cost_span) : 0.0;
    }
    double num = 0, den = 0;
    std::uint8_t missing = 0;
    for (int k = 0; k < kComponentCount; ++k) {
      if (ok(comp[k])) {
        num += wk[k] * comp[k];
        den += wk[k];
      } else {
        missing |= static_cast<std::uint8_t>(1u << k);
      }
    }
    out.score[i] = den > 0 ? 100.0 * num / den : kMissing;
    out.engagement[i] = comp[kEngagement];
    out.authenticity[i] = comp[kAuthenticity];
    out.relevance[i] = comp[kRelevance];
    out.cost_efficiency[i] = comp[kCost];
    out.responsiveness[i] = comp[kResponsiveness];
    out.flags[i] = flags;
    out.missing[i] = missing;
  }
}

// A varied chunk: the synthetic population, with columns knocked out row by row (every subset
// of the optional inputs over 64 rows), some known and some audited fake shares, unknown and
// out-of-range platform and niche codes, zero, negative and missing followers.
ProfileChunk varied_chunk(std::size_t n, AuditedShares& audited) {
  ScoringConfig sc;
  ProfileChunk p;
  generate_chunk(11, 0, n, GeneratorConfig{}, sc, p);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t mask = (i * 2654435761u) >> 7;
    if (mask & 1) p.avg_comments[i] = kMissing;
    if (mask & 2) p.avg_shares[i] = kMissing;
    if (mask & 4) p.following[i] = kMissing;
    if (mask & 8) p.follower_growth_30d[i] = kMissing;
    if (mask & 16) p.reply_rate[i] = kMissing;
    if (mask & 32) p.price_per_post[i] = kMissing;
    if ((mask & 192) == 64) p.fake_follower_share[i] = p.true_fake_share[i];
    if ((mask & 192) == 128) p.avg_likes[i] = kMissing;
    if (i % 97 == 0) p.niche[i] = kUnknown;
    if (i % 101 == 0) p.platform[i] = kUnknown;
    if (i % 211 == 0) p.platform[i] = 17;
    if (i % 223 == 0) p.niche[i] = 40;
    if (i % 307 == 0) p.followers[i] = 0;
    if (i % 311 == 0) p.followers[i] = kMissing;
    if (i % 313 == 0) p.followers[i] = -5;
    if (i % 59 == 0) audited.by_handle[p.handle[i]] = {0.1 + 0.5 * (i % 7) / 7.0, 0.05, 0.7};
  }
  return p;
}

std::uint64_t bits(double v) {
  return std::bit_cast<std::uint64_t>(v);
}

}  // namespace

TEST_CASE("The vector kernel gives the same bits in its baseline and AVX2 copies",
          "[scoring][kernel]") {
  AuditedShares audited;
  const ProfileChunk p = varied_chunk(20011, audited);  // not a multiple of the block
  for (const char* niche : {"", "fashion"}) {
    ScoringConfig cfg;
    if (*niche) cfg.set_target_niche("--niche", niche);
    ScoreChunk a, b;
    score_chunk(p, cfg, a, &audited, ScoringIsa::baseline);
    score_chunk(p, cfg, b, &audited, ScoringIsa::x86_64_v3);
    for (ScoreChunk::Member m : ScoreChunk::numeric_members())
      for (std::size_t i = 0; i < p.size(); ++i) REQUIRE(bits((a.*m)[i]) == bits((b.*m)[i]));
    CHECK(a.tier == b.tier);
    CHECK(a.flags == b.flags);
    CHECK(a.missing == b.missing);
  }
}

TEST_CASE("The vector kernel matches the scalar formulas within the documented bound",
          "[scoring][kernel]") {
  // Bound (docs/model.md): every column the same as the scalar code with the C library's
  // functions, except for the roundings of exp/log/log10 (vmath: within 1-2 ulp): an error
  // below 64 * 2^-52 of the value, or of the column's range where that is larger (100 for the
  // score, 1 for the components and the fake share); tier, flags and missing bits identical.
  AuditedShares audited;
  const ProfileChunk p = varied_chunk(60000, audited);
  for (const char* niche : {"", "fitness"}) {
    ScoringConfig cfg;
    if (*niche) cfg.set_target_niche("--niche", niche);
    ScoreChunk got, ref;
    score_chunk(p, cfg, got, &audited);
    reference_score(p, cfg, ref, &audited);
    CHECK(got.tier == ref.tier);
    CHECK(got.flags == ref.flags);
    CHECK(got.missing == ref.missing);
    double worst = 0;
    int column = 0;
    for (ScoreChunk::Member m : ScoreChunk::numeric_members()) {
      ++column;
      for (std::size_t i = 0; i < p.size(); ++i) {
        const double g = (got.*m)[i], r = (ref.*m)[i];
        if (std::isnan(r)) {
          REQUIRE(std::isnan(g));
          continue;
        }
        // The column's scale: 100 for the score, 1 for the components and the fake share
        // (in [0, 1]: an error is judged against the range, as a reader sees it), the value
        // itself for the rates and the economics.
        const double unit = column == 1                                      ? 100.0
                            : (column <= 6 || (column >= 9 && column <= 11)) ? 1.0
                                                                             : 1e-300;
        const double scale = std::max(std::fabs(r), unit);
        const double err = std::fabs(g - r) / scale / 0x1p-52;
        worst = std::max(worst, err);
        INFO("column " << column << " row " << i << " got " << g << " ref " << r);
        REQUIRE(err <= 64.0);
      }
    }
    // Worst seen: 4.1 (the benchmark's exp and the signals' log10 near their clamps).
    CHECK(worst <= 64.0);
  }
}

// ---------------------------------------------------------------- exact values
// Each formula of docs/model.md at points where it can be computed by hand (the computation in
// the comment), boundaries included: a changed constant or comparison fails here.

TEST_CASE("The fake-share signals give their documented values at known points",
          "[scoring][exact]") {
  const double nan = std::nan("");
  constexpr double eps = 1e-12;
  // One signal at a time; f = 1 - 0.95 (1 - w s).
  // Follow-for-follow, w 0.6, s = clamp(log10(following/F) / 0.5):
  //   following = F: s 0, f = 0.05; following = 10^0.25 F: s 0.5, f = 1 - 0.95 * 0.7 = 0.335;
  //   following = 10 F: s clamped to 1, f = 1 - 0.95 * 0.4 = 0.62.
  CHECK(estimate_fake_share(10000, 10000, nan, nan, nan, nan, nan) == Approx(0.05).epsilon(eps));
  CHECK(estimate_fake_share(10000, 10000 * std::pow(10.0, 0.25), nan, nan, nan, nan, nan) ==
        Approx(0.335).epsilon(eps));
  CHECK(estimate_fake_share(10000, 100000, nan, nan, nan, nan, nan) == Approx(0.62).epsilon(eps));
  // following below 1 counts as 1: following 0, F 1: ratio 1, s 0.
  CHECK(estimate_fake_share(1, 0, nan, nan, nan, nan, nan) == Approx(0.05).epsilon(eps));
  // Comments per like, w 0.5, q = (comments/likes) / norm, s = clamp((-log10 q - 0.3) / 0.7):
  //   q = 0.1 (1,000 likes, 10 comments, norm 0.1): s = (1 - 0.3)/0.7 = 1, f = 1 - 0.95 * 0.5
  //   = 0.525; q = 10^-0.65: s = 0.5, f = 1 - 0.95 * 0.75 = 0.2875; q = 1: s 0, f 0.05.
  CHECK(estimate_fake_share(nan, nan, 1000, 10, nan, nan, 0.1) == Approx(0.525).epsilon(eps));
  CHECK(estimate_fake_share(nan, nan, 1000, 100 * std::pow(10.0, -0.65), nan, nan, 0.1) ==
        Approx(0.2875).epsilon(eps));
  CHECK(estimate_fake_share(nan, nan, 1000, 100, nan, nan, 0.1) == Approx(0.05).epsilon(eps));
  // No comments at all: comments/likes floored at 1e-6, q = 1e-5, s clamped to 1.
  CHECK(estimate_fake_share(nan, nan, 1000, 0, nan, nan, 0.1) == Approx(0.525).epsilon(eps));
  // Zero likes: the signal is absent (no other signal: not computable).
  CHECK(std::isnan(estimate_fake_share(nan, nan, 0, 10, nan, nan, 0.1)));
  // Engagement against the benchmark, w 0.6, s = clamp((-log10 e - 0.3) / 0.7):
  //   e = 0.1: s 1, f = 0.62; e = 10^-0.65: s 0.5, f = 1 - 0.95 * 0.7 = 0.335; e = 10^-0.3:
  //   s 0, f 0.05 (the boundary: "half the benchmark" is 10^-0.3 = 0.501).
  CHECK(estimate_fake_share(nan, nan, nan, nan, 0.1, nan, nan) == Approx(0.62).epsilon(eps));
  CHECK(estimate_fake_share(nan, nan, nan, nan, std::pow(10.0, -0.65), nan, nan) ==
        Approx(0.335).epsilon(eps));
  CHECK(estimate_fake_share(nan, nan, nan, nan, std::pow(10.0, -0.3), nan, nan) ==
        Approx(0.05).epsilon(eps));
  // Growth, w 0.5, s = clamp((g - 0.10) / 0.30): g 0.10: f 0.05; g 0.25: s 0.5, f = 0.2875;
  //   g 0.40: s 1, f 0.525; g 0.9: clamped, 0.525.
  CHECK(estimate_fake_share(nan, nan, nan, nan, nan, 0.10, nan) == Approx(0.05).epsilon(eps));
  CHECK(estimate_fake_share(nan, nan, nan, nan, nan, 0.25, nan) == Approx(0.2875).epsilon(eps));
  CHECK(estimate_fake_share(nan, nan, nan, nan, nan, 0.40, nan) == Approx(0.525).epsilon(eps));
  CHECK(estimate_fake_share(nan, nan, nan, nan, nan, 0.9, nan) == Approx(0.525).epsilon(eps));
  // Signals multiply: follow-for-follow at full strength and engagement at 0.1x:
  //   f = 1 - 0.95 * 0.4 * 0.4 = 0.848; all four at full strength:
  //   f = 1 - 0.95 * 0.4 * 0.5 * 0.4 * 0.5 = 0.962.
  CHECK(estimate_fake_share(10000, 100000, nan, nan, 0.1, nan, nan) == Approx(0.848).epsilon(eps));
  CHECK(estimate_fake_share(10000, 100000, 1000, 10, 0.1, 0.4, 0.1) == Approx(0.962).epsilon(eps));
}

TEST_CASE("Engagement, its benchmark and the credible-engagement cap at known points",
          "[scoring][exact]") {
  constexpr double eps = 1e-12;
  ScoringConfig cfg;
  // F = 31,623 is an Instagram table point: L = 0.024, C = 0.005 * 31.623^-0.2742
  //   = 0.0019394079122350 (the comment power law at that point).
  const double F = 31623, L = 0.024, C = 0.005 * std::pow(31.623, -0.2742);
  ProfileChunk p = one(F);
  p.fake_follower_share[0] = 0.2;
  p.price_per_post[0] = 100;
  ScoreChunk s;
  // Likes and comments at twice the benchmark: ratio 2, engagement 2/3; below the cap, the
  // expected engagements are E (1 - f) = 2 (L + C) F * 0.8.
  p.avg_likes[0] = 2 * L * F;
  p.avg_comments[0] = 2 * C * F;
  score_chunk(p, cfg, s);
  CHECK(s.benchmark_rate[0] == Approx(L + C).epsilon(eps));
  CHECK(s.engagement[0] == Approx(2.0 / 3.0).epsilon(eps));
  CHECK(s.expected_engagements[0] == Approx(2 * (L + C) * F * 0.8).epsilon(eps));
  // At four times the benchmark: engagement capped at 1; the credible engagements capped at
  // 3 B F: 3 (L + C) F * 0.8 (not 4 ...).
  p.avg_likes[0] = 4 * L * F;
  p.avg_comments[0] = 4 * C * F;
  score_chunk(p, cfg, s);
  CHECK(s.engagement[0] == 1.0);
  CHECK(s.expected_engagements[0] == Approx(3 * (L + C) * F * 0.8).epsilon(eps));
  CHECK_FALSE(s.flags[0] & kFlagSuspiciousEngagement);  // 4 <= 5
  // Comments missing: the benchmark is the like rate alone (B = L = 0.024), so likes at twice
  // the like benchmark give ratio 2, engagement 2/3, not 2 L / (L + C) / 3.
  p.avg_likes[0] = 2 * L * F;
  p.avg_comments[0] = std::nan("");
  score_chunk(p, cfg, s);
  CHECK(s.benchmark_rate[0] == Approx(L).epsilon(eps));
  CHECK(s.engagement[0] == Approx(2.0 / 3.0).epsilon(eps));
  CHECK(s.engagement_rate[0] == Approx(2 * L).epsilon(eps));
  // The cap with comments missing is 3 L F: likes at 4 L F give 3 L F * 0.8 credible.
  p.avg_likes[0] = 4 * L * F;
  score_chunk(p, cfg, s);
  CHECK(s.expected_engagements[0] == Approx(3 * L * F * 0.8).epsilon(eps));
  // Suspicious engagement is ratio > 5, strictly: 5.001x flagged, 4.999x not.
  p.avg_likes[0] = 5.001 * L * F;
  score_chunk(p, cfg, s);
  CHECK(s.flags[0] & kFlagSuspiciousEngagement);
  p.avg_likes[0] = 4.999 * L * F;
  score_chunk(p, cfg, s);
  CHECK_FALSE(s.flags[0] & kFlagSuspiciousEngagement);
  // Shares count in E: likes 2 L F and shares L F with comments missing: ratio 3.
  p.avg_likes[0] = 2 * L * F;
  p.avg_shares[0] = L * F;
  score_chunk(p, cfg, s);
  CHECK(s.engagement[0] == Approx(1.0).epsilon(eps));
}

TEST_CASE("Cost efficiency, price, reach and the suspected-fake boundary at known points",
          "[scoring][exact]") {
  constexpr double eps = 1e-12;
  ScoringConfig cfg;
  const double F = 31623, L = 0.024;
  ProfileChunk p = one(F);
  p.avg_likes[0] = L * F;  // ratio 1, comments missing
  p.fake_follower_share[0] = 0.3;
  ScoreChunk s;
  // Cost: eng = L F (1 - f) = 0.024 * 31623 * 0.7 = 531.2664 engagements; a price of
  // eng / 3 gives 3 engagements per dollar: ln(3 / 0.3) / ln(30 / 0.3) = ln 10 / ln 100 = 0.5.
  const double eng = L * F * 0.7;
  p.price_per_post[0] = eng / 3.0;
  score_chunk(p, cfg, s);
  CHECK(s.expected_engagements[0] == Approx(531.2664).epsilon(eps));
  CHECK(s.cost_efficiency[0] == Approx(0.5).epsilon(eps));
  CHECK(s.cpe[0] == Approx(1.0 / 3.0).epsilon(eps));
  // 0.3 engagements per dollar or fewer: 0; 30 or more: 1.
  p.price_per_post[0] = eng / 0.3;
  score_chunk(p, cfg, s);
  CHECK(s.cost_efficiency[0] == Approx(0.0).margin(1e-15));
  p.price_per_post[0] = eng / 0.2;
  score_chunk(p, cfg, s);
  CHECK(s.cost_efficiency[0] == 0.0);
  p.price_per_post[0] = eng / 40;
  score_chunk(p, cfg, s);
  CHECK(s.cost_efficiency[0] == 1.0);
  // Reach: micro tier (10k-100k) reaches 22 % of authentic followers: 31623 * 0.7 * 0.22;
  // CPM = 1000 price / reach.
  CHECK(s.authentic_followers[0] == Approx(31623 * 0.7).epsilon(eps));
  CHECK(s.expected_reach[0] == Approx(31623 * 0.7 * 0.22).epsilon(eps));
  CHECK(s.cpm[0] == Approx(1000 * (eng / 40) / (31623 * 0.7 * 0.22)).epsilon(eps));
  // Suspected fake is authenticity < 0.70, strictly: f = 0.3 gives exactly 0.7, not flagged;
  // f = 0.3001 flagged.
  CHECK(s.authenticity[0] == 0.7);
  CHECK_FALSE(s.flags[0] & kFlagSuspectedFake);
  p.fake_follower_share[0] = 0.3001;
  score_chunk(p, cfg, s);
  CHECK(s.flags[0] & kFlagSuspectedFake);
  // Price model: max($20, $5 per 1,000 followers x platform factor).
  //   Instagram 31,623: 5 * 31.623 = $158.115; TikTok (0.8): $126.492; YouTube (2): $316.23;
  //   X (0.5) at 6,000: $15 -> the $20 floor; unknown platform: factor 1.
  p.price_per_post[0] = std::nan("");
  const std::pair<std::uint8_t, double> cases[] = {
      {kIg, 158.115},
      {static_cast<std::uint8_t>(Platform::tiktok), 126.492},
      {static_cast<std::uint8_t>(Platform::youtube), 316.23},
      {kUnknown, 158.115}};
  for (const auto& [platform, price] : cases) {
    p.platform[0] = platform;
    score_chunk(p, cfg, s);
    CHECK(s.price[0] == Approx(price).epsilon(eps));
    CHECK(s.flags[0] & kFlagPriceEstimated);
  }
  ProfileChunk x = one(6000);
  x.platform[0] = static_cast<std::uint8_t>(Platform::x);
  score_chunk(x, cfg, s);
  CHECK(s.price[0] == 20.0);
  // A given price of 0 is not a price: estimated.
  x.price_per_post[0] = 0;
  score_chunk(x, cfg, s);
  CHECK(s.price[0] == 20.0);
  // Tier bounds are inclusive lower bounds: 999 fan, 1,000 nano, 9,999 nano, 10,000 micro;
  // reach rates fan .30, nano .30, micro .22.
  for (const auto& [followers, tier, rate] :
       {std::tuple{999.0, Tier::fan, 0.30}, std::tuple{1000.0, Tier::nano, 0.30},
        std::tuple{9999.0, Tier::nano, 0.30}, std::tuple{10000.0, Tier::micro, 0.22},
        std::tuple{1e6, Tier::mega, 0.07}}) {
    ProfileChunk t = one(followers);
    score_chunk(t, cfg, s);
    CHECK(s.tier[0] == static_cast<std::uint8_t>(tier));
    CHECK(s.expected_reach[0] == Approx(followers * rate).epsilon(eps));
  }
}

TEST_CASE("The composite renormalises the weights over the components it has", "[scoring][exact]") {
  constexpr double eps = 1e-12;
  ScoringConfig cfg;
  cfg.set_target_niche("--niche", "fashion");
  ProfileChunk p = one(31623);
  p.niche[0] = static_cast<std::uint8_t>(Niche::beauty);  // fashion-beauty 0.6
  p.avg_likes[0] = 0.024 * 31623 * 1.5;                   // ratio 1.5: engagement 0.5
  p.fake_follower_share[0] = 0.1;                         // authenticity 0.9
  p.reply_rate[0] = 1.7;                                  // clamped to 1
  p.price_per_post[0] = 0.024 * 31623 * 1.5 * 0.9 / 3.0;  // 3 engagements/$: cost 0.5
  ScoreChunk s;
  score_chunk(p, cfg, s);
  CHECK(s.responsiveness[0] == 1.0);
  // 100 (0.30 * 0.5 + 0.25 * 0.9 + 0.20 * 0.6 + 0.15 * 0.5 + 0.10 * 1) / 1.0 = 67.0
  CHECK(s.score[0] == Approx(67.0).epsilon(eps));
  // Without a reply rate: 100 (0.15 + 0.225 + 0.12 + 0.075) / 0.9 = 57 / 0.9 = 63.333...
  p.reply_rate[0] = std::nan("");
  score_chunk(p, cfg, s);
  CHECK(s.score[0] == Approx(57.0 / 0.9).epsilon(eps));
  CHECK(s.missing[0] == (1u << kResponsiveness));
}

TEST_CASE("The top list starts at the nano tier; fans and rows without followers stay out",
          "[scoring][exact][summary]") {
  ScoringConfig cfg;
  // Followers 999 (fan), 1,000 (nano: the bound is inclusive), missing, 5,000 (nano).
  ProfileChunk p;
  p.resize(4);
  const double followers[] = {999, 1000, std::nan(""), 5000};
  for (std::size_t i = 0; i < 4; ++i) {
    p.followers[i] = followers[i];
    p.platform[i] = kIg;
    p.reply_rate[i] = 0.9 - 0.2 * static_cast<double>(i);  // fan best, then descending
    p.handle[i] = "h" + std::to_string(i);
    p.niche[i] = static_cast<std::uint8_t>(Niche::food);
  }
  p.niche[3] = kUnknown;
  ScoreChunk s;
  score_chunk(p, cfg, s);
  Summary sum(10);
  sum.add(p, s);
  const auto top = sum.top();
  REQUIRE(top.size() == 2);  // the fan (score 90) and the row without followers are left out
  CHECK(top[0].handle == "h1");
  CHECK(top[0].score == Approx(70.0));
  CHECK(top[1].handle == "h3");
  CHECK(sum.no_niche() == 1);
  CHECK(sum.scored() == 4);
}

TEST_CASE("Degenerate scores are reported with the components that were missing",
          "[scoring][summary]") {
  ScoringConfig cfg;
  // 200 accounts with followers only and two reply rates: two distinct scores.
  ProfileChunk p;
  p.resize(200);
  for (std::size_t i = 0; i < 200; ++i) {
    p.followers[i] = 20000 + static_cast<double>(i);
    p.platform[i] = kIg;
    p.reply_rate[i] = i % 2 ? 0.3 : 0.8;
  }
  ScoreChunk s;
  score_chunk(p, cfg, s);
  Summary sum(0);
  sum.add(p, s);
  CHECK(sum.distinct_scores() == 2);
  CHECK(sum.rows_in_top_values(5) == 200);
  CHECK(sum.degenerate());
  const std::string text = sum.format(false);
  CHECK_THAT(text, Contains("hardly separate"));
  CHECK_THAT(text, Contains("engagement for 200 of 200 rows"));
  CHECK_THAT(text, Contains("authenticity for 200 of 200 rows"));
  CHECK_THAT(text, Contains("No niche: 200 accounts"));
  // Spread reply rates over 200 values: 200 distinct scores with a P5-P95 spread of ~90
  // points: no warning.
  for (std::size_t i = 0; i < 200; ++i) p.reply_rate[i] = static_cast<double>(i) / 200.0;
  score_chunk(p, cfg, s);
  Summary varied(0);
  varied.add(p, s);
  CHECK_FALSE(varied.degenerate());
  CHECK_THAT(varied.format(false), !Contains("hardly separate"));
}

namespace {
struct CollectRows : BatchSink {
  ProfileChunk p;
  ScoreChunk s;
  void consume(const Batch& b) override {
    for (std::size_t i = 0; i < b.profiles.size(); ++i) {
      p.append_row(b.profiles, i);
      s.append_row(b.scores, i);
    }
  }
};

ScoringConfig fashion_target() {
  ScoringConfig cfg;
  cfg.set_target_niche("--niche", "fashion");
  return cfg;
}

// Imports and scores one of the real exports in shared/data into `sink`; false (with a
// warning) when the file is absent.
bool score_shared_export(const std::string& name, const ScoringConfig& cfg, BatchSink& sink) {
  const std::string path = std::string(MICROREACH_SHARED_DATA) + "/" + name;
  if (!std::filesystem::exists(path)) {
    WARN("shared data absent: " << path);
    return false;
  }
  auto src = make_import_source(path, {}, 4096);
  PipelineOptions po;
  po.scoring = &cfg;
  run_pipeline(*src, {&sink}, po);
  return true;
}
}  // namespace

TEST_CASE("On the September 2022 export the fashion top 20 are accounts shown to be in fashion",
          "[scoring][shared]") {
  const ScoringConfig cfg = fashion_target();
  CollectRows rows;
  if (!score_shared_export("instagram_sep2022_social_media_influencers.csv", cfg, rows)) return;
  REQUIRE(rows.p.size() == 1050);
  Summary sum(20);
  sum.add(rows.p, rows.s);
  // 248 rows have no category (the source notes): counted, and scored with the prior.
  CHECK(sum.no_niche() == 248);
  const auto top = sum.top();
  REQUIRE(top.size() == 20);
  // Fashion or a related niche (similarity above the floor: beauty .6, lifestyle .5).
  for (const auto& e : top) {
    INFO(e.handle << " niche " << niche_name(e.niche));
    CHECK(cfg.similarity[static_cast<std::size_t>(Niche::fashion)]
                        [e.niche < kNicheCount ? e.niche : 0] >= 0.5);
    CHECK(e.niche < kNicheCount);
  }
}

TEST_CASE("The Kim 2020 export's nearly two-valued scores are reported as degenerate",
          "[scoring][shared][summary]") {
  Summary sum(0);
  if (!score_shared_export("kim2020_instagram_influencers.txt", fashion_target(), sum)) return;
  REQUIRE(sum.rows() == 33935);
  CHECK(sum.degenerate());
  const std::string text = sum.format(false);
  CHECK_THAT(text, Contains("hardly separate"));
  // No engagement counts in this export: engagement and cost missing for every row.
  CHECK_THAT(text, Contains("engagement for 33935 of 33935 rows"));
  CHECK_THAT(text, Contains("cost_efficiency for 33935 of 33935 rows"));
}
