#include "microreach/scoring.hpp"

#include <algorithm>
#include <cmath>

namespace microreach {
namespace {

inline double clamp01(double v) {
  return std::min(1.0, std::max(0.0, v));
}
inline bool ok(double v) {
  return !std::isnan(v);
}

// Prior fake share of an account that shows none of the warning signals.
constexpr double kBaseFakeShare = 0.05;

}  // namespace

const std::vector<ScoreChunk::Member>& ScoreChunk::numeric_members() {
  static const std::vector<Member> kMembers = {&ScoreChunk::score,
                                               &ScoreChunk::engagement,
                                               &ScoreChunk::authenticity,
                                               &ScoreChunk::relevance,
                                               &ScoreChunk::cost_efficiency,
                                               &ScoreChunk::responsiveness,
                                               &ScoreChunk::engagement_rate,
                                               &ScoreChunk::benchmark_rate,
                                               &ScoreChunk::fake_share,
                                               &ScoreChunk::fake_share_lo,
                                               &ScoreChunk::fake_share_hi,
                                               &ScoreChunk::authentic_followers,
                                               &ScoreChunk::expected_reach,
                                               &ScoreChunk::expected_engagements,
                                               &ScoreChunk::price,
                                               &ScoreChunk::cpe,
                                               &ScoreChunk::cpm};
  return kMembers;
}

void ScoreChunk::resize(std::size_t n) {
  for (Member m : numeric_members()) (this->*m).resize(n, kMissing);
  tier.resize(n, kUnknown);
  flags.resize(n, 0);
  missing.resize(n, 0);
}

void ScoreChunk::append_row(const ScoreChunk& o, std::size_t r) {
  for (Member m : numeric_members()) (this->*m).push_back((o.*m)[r]);
  tier.push_back(o.tier[r]);
  flags.push_back(o.flags[r]);
  missing.push_back(o.missing[r]);
}

double estimate_fake_share(double followers, double following, double likes, double comments,
                           double er_over_bench, double growth_30d, double comment_like_norm) {
  bool any = false;
  double keep = 1.0 - kBaseFakeShare;  // probability-style combination: 1 - prod(1 - w s)
  // Follow-for-follow: following well above followers (ratio 1 -> 0, ratio >= 3.16 -> 1).
  if (ok(following) && ok(followers) && followers > 0) {
    any = true;
    const double s = clamp01(std::log10(std::max(following, 1.0) / followers) / 0.5);
    keep *= 1.0 - 0.6 * s;
  }
  // Bots like but rarely comment: comments/likes far below the norm (q 0.5 -> 0, 0.1 -> 1).
  if (ok(likes) && ok(comments) && likes > 0 && comment_like_norm > 0) {
    any = true;
    const double q = std::max(comments / likes, 1e-6) / comment_like_norm;
    keep *= 1.0 - 0.5 * clamp01((-std::log10(q) - 0.3) / 0.7);
  }
  // Engagement far below the benchmark (0.5x -> 0, 0.1x -> 1).
  if (ok(er_over_bench)) {
    any = true;
    const double e = std::max(er_over_bench, 1e-6);
    keep *= 1.0 - 0.6 * clamp01((-std::log10(e) - 0.3) / 0.7);
  }
  // Growth spike over 30 days (10 % -> 0, 40 % -> 1).
  if (ok(growth_30d)) {
    any = true;
    keep *= 1.0 - 0.5 * clamp01((growth_30d - 0.10) / 0.30);
  }
  return any ? 1.0 - keep : kMissing;
}

void score_chunk(const ProfileChunk& in, const ScoringConfig& cfg, ScoreChunk& out,
                 const AuditedShares* audited) {
  const std::size_t n = in.size();
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
    std::uint8_t missing = 0;
    double comp[kComponentCount];
    for (double& c : comp) c = kMissing;

    double like_b = kMissing, comment_b = kMissing;
    if (has_f) {
      out.tier[i] = static_cast<std::uint8_t>(tier_of(F, cfg));
      benchmark_rates(F, in.platform[i], cfg, like_b, comment_b);
    }

    // Engagement rate: likes are required; comments and shares count when present.
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
    // The benchmark the engagement component compares with: the comment rate counts only when
    // the profile has comments, as in the engagement rate itself.
    out.benchmark_rate[i] = has_f ? like_b + (ok(comments) ? comment_b : 0.0) : kMissing;

    // Authenticity: known share > audited share > signals model.
    double fake = in.fake_follower_share[i];
    const AuditedShare* a = audited ? audited->find(in.handle[i]) : nullptr;
    if (a) {
      fake = a->estimate;
      out.fake_share_lo[i] = a->lo;
      out.fake_share_hi[i] = a->hi;
      flags |= kFlagFakeShareAudited;
    } else if (!ok(fake)) {
      fake = estimate_fake_share(F, in.following[i], likes, comments, ratio,
                                 in.follower_growth_30d[i], has_f ? comment_b / like_b : kMissing);
      if (ok(fake)) flags |= kFlagFakeShareEstimated;
    }
    out.fake_share[i] = fake;
    if (ok(fake)) {
      comp[kAuthenticity] = 1.0 - fake;
      if (comp[kAuthenticity] < cfg.suspected_fake_below) flags |= kFlagSuspectedFake;
    }

    // Relevance to the campaign niche.
    // An unknown niche (no niche column in the input) leaves relevance missing; a niche
    // that maps to "other" gets the floor.
    if (cfg.target_niche && in.niche[i] < kNicheCount) {
      const auto t = static_cast<std::size_t>(*cfg.target_niche);
      comp[kRelevance] = cfg.similarity[t][in.niche[i]];
    }

    // Responsiveness.
    if (ok(in.reply_rate[i])) comp[kResponsiveness] = clamp01(in.reply_rate[i]);

    // Economics per post.
    double price = in.price_per_post[i];
    if (!(ok(price) && price > 0) && has_f) {
      price = model_price(F, in.platform[i], cfg);
      flags |= kFlagPriceEstimated;
    }
    out.price[i] = price;
    const double keep = ok(fake) ? 1.0 - fake : 1.0;
    if (has_f) {
      const double authentic = F * keep;
      out.authentic_followers[i] = authentic;
      out.expected_reach[i] = authentic * cfg.reach_rate[out.tier[i]];
      out.cpm[i] = price / out.expected_reach[i] * 1000.0;
    }
    if (ok(engagements)) {
      // Engagement above the cap multiple of the benchmark is not counted as authentic.
      const double credible = std::min(engagements, cfg.engagement_cap * bench * F);
      const double eng = credible * keep;
      out.expected_engagements[i] = eng;
      out.cpe[i] = eng > 0 ? price / eng : kMissing;
      comp[kCost] = eng > 0 ? clamp01((std::log(eng / price) - log_cost_lo) / log_cost_span) : 0.0;
    }

    double num = 0, den = 0;
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

}  // namespace microreach
