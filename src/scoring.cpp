#include "microreach/scoring.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "microreach/isa.hpp"
#include "microreach/vmath.hpp"

// The scoring kernel runs over a chunk in blocks of kBlock rows. Every per-row formula is
// written without branches (a missing value is a mask and a select, never an `if`), and the
// elementary functions are vmath's, so GCC turns each loop below into vector code: SSE2 in the
// baseline x86-64 build, AVX2 in the x86-64-v3 copy chosen at run time. Both copies do the same
// IEEE operations in the same order (-ffp-contract=off: no fused multiply-adds), so the scores
// are the same bits whichever runs (tests/test_core_scoring.cpp compares them).

namespace microreach {
namespace {

inline double clamp01(double v) {
  return std::min(1.0, std::max(0.0, v));
}
inline bool ok(double v) {
  return v == v;  // not NaN
}

// Prior fake share of an account that shows none of the warning signals.
constexpr double kBaseFakeShare = 0.05;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The signals model for one row, as a pure function of its inputs (missing = NaN): the same
// code in the vector kernel and in estimate_fake_share(), so the two give the same bits.
// Inputs of a signal that is absent are replaced by harmless values before the arithmetic (the
// vector code computes every signal on every row and selects).
__attribute__((always_inline)) inline double signals_fake_share(double followers, double following,
                                                                double likes, double comments,
                                                                double er_over_bench,
                                                                double growth_30d,
                                                                double comment_like_norm) {
  // (Each signal's presence is a select on one comparison at a time, and their count a double:
  // combinations of boolean masks of different origins stop GCC's vectoriser.)
  double keep = 1.0 - kBaseFakeShare;  // probability-style combination: 1 - prod(1 - w s)
  double present = 0.0;                // number of signals available
  // Follow-for-follow: following well above followers (ratio 1 -> 0, ratio >= 3.16 -> 1).
  const double f1 = followers > 0 ? following : kNaN;
  const bool h1 = ok(f1);
  const double ratio1 = std::max(h1 ? f1 : 1.0, 1.0) / (h1 ? followers : 1.0);
  const double s1 = clamp01(vmath::log10(ratio1) / 0.5);
  keep *= h1 ? 1.0 - 0.6 * s1 : 1.0;
  present += h1 ? 1.0 : 0.0;
  // Bots like but rarely comment: comments/likes far below the norm (q 0.5 -> 0, 0.1 -> 1).
  const double l2 = comment_like_norm > 0 ? likes : kNaN;
  const double c2 = l2 > 0 ? comments : kNaN;
  const bool h2 = ok(c2);
  const double q =
      std::max((h2 ? c2 : 1.0) / (h2 ? l2 : 1.0), 1e-6) / (h2 ? comment_like_norm : 1.0);
  const double s2 = clamp01((-vmath::log10(q) - 0.3) / 0.7);
  keep *= h2 ? 1.0 - 0.5 * s2 : 1.0;
  present += h2 ? 1.0 : 0.0;
  // Engagement far below the benchmark (0.5x -> 0, 0.1x -> 1).
  const bool h3 = ok(er_over_bench);
  const double e = std::max(h3 ? er_over_bench : 1.0, 1e-6);
  const double s3 = clamp01((-vmath::log10(e) - 0.3) / 0.7);
  keep *= h3 ? 1.0 - 0.6 * s3 : 1.0;
  present += h3 ? 1.0 : 0.0;
  // Growth spike over 30 days (10 % -> 0, 40 % -> 1).
  const bool h4 = ok(growth_30d);
  keep *= h4 ? 1.0 - 0.5 * clamp01(((h4 ? growth_30d : 0.0) - 0.10) / 0.30) : 1.0;
  present += h4 ? 1.0 : 0.0;
  return present > 0 ? 1.0 - keep : kNaN;
}

constexpr std::size_t kBlock = 256;
// The kernel's loops read inputs and write outputs through many pointers into distinct
// columns and block buffers: no iteration depends on another, which GCC cannot prove by itself
// (it gives up after 10 run-time alias checks).
#define MICROREACH_IVDEP _Pragma("GCC ivdep")
// Platform and niche codes beyond the vocabulary (kUnknown, or anything a damaged file holds)
// index the last entry of the per-platform and per-niche tables.
constexpr std::size_t kPlatformSlots = kPlatformCount + 1;
constexpr std::size_t kNicheSlots = kNicheCount + 1;

// What score_chunk reads from the configuration, laid out for the vector loops.
struct Tables {
  // Benchmark: per platform slot, points padded to `points` with +inf follower counts. A row
  // with F followers is in segment k = #{points with F >= followers_k} (0: before the first
  // point, held flat; points: after the last, held flat), where
  //   like(F) = seg_like[k] * exp(seg_like_slope[k] * (log F - seg_log_f[k]))
  // and likewise for comments: the log-log line through the segment's end points, written from
  // its left point (slopes 0 on the flat ends, so the end values come out exactly).
  std::size_t points = 0;
  std::vector<double> bp_f;                               // [slot * points + s]
  std::vector<double> seg_like, seg_comment, seg_log_f;   // [slot * (points + 1) + k]
  std::vector<double> seg_like_slope, seg_comment_slope;  //
  double price_factor[kPlatformSlots];
  double relevance[kNicheSlots];  // NaN without a campaign niche
  double reach_rate[kTierCount];
  double tier_lower[5];
  double log_cost_lo = 0, log_cost_span = 1;
  double wk[kComponentCount];
};

Tables make_tables(const ScoringConfig& cfg) {
  Tables t;
  for (const auto& pts : cfg.benchmark) t.points = std::max(t.points, pts.size());
  const std::size_t P = t.points, S = P + 1;
  t.bp_f.assign(kPlatformSlots * P, std::numeric_limits<double>::infinity());
  t.seg_like.assign(kPlatformSlots * S, 0.0);
  t.seg_comment.assign(kPlatformSlots * S, 0.0);
  t.seg_log_f.assign(kPlatformSlots * S, 0.0);
  t.seg_like_slope.assign(kPlatformSlots * S, 0.0);
  t.seg_comment_slope.assign(kPlatformSlots * S, 0.0);
  for (std::size_t slot = 0; slot < kPlatformSlots; ++slot) {
    // An unknown platform is measured against the Instagram table.
    const auto& pts =
        cfg.benchmark[slot < kPlatformCount ? slot : static_cast<std::size_t>(Platform::instagram)];
    const std::size_t n = pts.size();
    for (std::size_t s = 0; s < n; ++s) t.bp_f[slot * P + s] = pts[s].followers;
    for (std::size_t k = 0; k <= P; ++k) {
      const std::size_t at = slot * S + k;
      if (k == 0 || k >= n) {  // flat ends
        const auto& e = k == 0 ? pts.front() : pts.back();
        t.seg_like[at] = e.like_rate;
        t.seg_comment[at] = e.comment_rate;
        continue;
      }
      const auto& a = pts[k - 1];
      const auto& b = pts[k];
      const double span = std::log(b.followers / a.followers);
      t.seg_like[at] = a.like_rate;
      t.seg_comment[at] = a.comment_rate;
      t.seg_log_f[at] = vmath::log(a.followers);
      t.seg_like_slope[at] = std::log(b.like_rate / a.like_rate) / span;
      t.seg_comment_slope[at] = std::log(b.comment_rate / a.comment_rate) / span;
    }
    t.price_factor[slot] = slot < kPlatformCount ? cfg.platform_price_factor[slot] : 1.0;
  }
  for (std::size_t n = 0; n < kNicheSlots; ++n) {
    if (!cfg.target_niche) {
      t.relevance[n] = kNaN;
    } else if (n < kNicheCount) {
      t.relevance[n] = cfg.similarity[static_cast<std::size_t>(*cfg.target_niche)][n];
    } else {
      t.relevance[n] = cfg.unknown_niche_relevance;
    }
  }
  for (std::size_t k = 0; k < kTierCount; ++k) t.reach_rate[k] = cfg.reach_rate[k];
  for (std::size_t k = 0; k < 5; ++k) t.tier_lower[k] = cfg.tier_lower[k];
  t.log_cost_lo = std::log(cfg.cost_lo);
  t.log_cost_span = std::log(cfg.cost_hi) - t.log_cost_lo;
  const Weights& w = cfg.weights;
  const double wk[kComponentCount] = {w.engagement, w.authenticity, w.relevance, w.cost,
                                      w.responsiveness};
  std::copy(wk, wk + kComponentCount, t.wk);
  return t;
}

// Audited shares of one block, looked up by handle before the vector loops (NaN: not audited).
struct AuditBlock {
  double est[kBlock], lo[kBlock], hi[kBlock];
};

// One block of m <= kBlock rows starting at row i0. Inlined into the baseline and the
// x86-64-v3 copies below.
__attribute__((always_inline)) inline void score_block(const ProfileChunk& in,
                                                       const ScoringConfig& cfg, const Tables& t,
                                                       const AuditBlock& aud, ScoreChunk& out,
                                                       std::size_t i0, std::size_t m) {
  const double* __restrict followers = in.followers.data() + i0;
  const std::uint8_t* __restrict platform = in.platform.data() + i0;
  const std::uint8_t* __restrict niche = in.niche.data() + i0;

  // Pass 1, the look-ups in small tables indexed by platform, niche, tier and benchmark segment
  // (gathers): what the arithmetic below needs, as doubles, so the loops after it hold one
  // element type.
  alignas(64) double fs[kBlock], tier_d[kBlock], rate_b[kBlock], factor_b[kBlock], rel_b[kBlock];
  alignas(64) double seg_l[kBlock], seg_c[kBlock], seg_lf[kBlock], seg_ls[kBlock], seg_cs[kBlock];
  {
    alignas(64) std::int32_t slot[kBlock], nslot[kBlock], seg[kBlock], tier_i[kBlock];
    const double tl0 = t.tier_lower[0], tl1 = t.tier_lower[1], tl2 = t.tier_lower[2],
                 tl3 = t.tier_lower[3], tl4 = t.tier_lower[4];
    MICROREACH_IVDEP
    for (std::size_t j = 0; j < m; ++j) {
      const double F = followers[j];
      fs[j] = F > 0 ? F : 1.0;  // rows without followers: any value, masked later
      const std::int32_t tier = (F >= tl0 ? 1 : 0) + (F >= tl1 ? 1 : 0) + (F >= tl2 ? 1 : 0) +
                                (F >= tl3 ? 1 : 0) + (F >= tl4 ? 1 : 0);
      tier_i[j] = tier;
      seg[j] = 0;
    }
    MICROREACH_IVDEP
    for (std::size_t j = 0; j < m; ++j) {
      const std::int32_t p = platform[j], nc = niche[j];
      slot[j] = p < static_cast<std::int32_t>(kPlatformCount)
                    ? p
                    : static_cast<std::int32_t>(kPlatformCount);
      nslot[j] =
          nc < static_cast<std::int32_t>(kNicheCount) ? nc : static_cast<std::int32_t>(kNicheCount);
    }
    const std::int32_t P = static_cast<std::int32_t>(t.points);
    const double* __restrict bp = t.bp_f.data();
    for (std::int32_t q = 0; q < P; ++q) {
      MICROREACH_IVDEP
      for (std::size_t j = 0; j < m; ++j) seg[j] += fs[j] >= bp[slot[j] * P + q] ? 1 : 0;
    }
    const double* __restrict sl = t.seg_like.data();
    const double* __restrict sc = t.seg_comment.data();
    const double* __restrict slf = t.seg_log_f.data();
    const double* __restrict sls = t.seg_like_slope.data();
    const double* __restrict scs = t.seg_comment_slope.data();
    const double* __restrict reach = t.reach_rate;
    const double* __restrict factor = t.price_factor;
    const double* __restrict relevance = t.relevance;
    MICROREACH_IVDEP
    for (std::size_t j = 0; j < m; ++j) {
      const std::int32_t at = slot[j] * (P + 1) + seg[j];
      seg_l[j] = sl[at];
      seg_c[j] = sc[at];
      seg_lf[j] = slf[at];
      seg_ls[j] = sls[at];
      seg_cs[j] = scs[at];
      factor_b[j] = factor[slot[j]];
      rel_b[j] = relevance[nslot[j]];
      rate_b[j] = reach[tier_i[j]];
      tier_d[j] = followers[j] > 0 ? static_cast<double>(tier_i[j]) : double{kUnknown};
    }
  }

  // Pass 2: the benchmark rates (a log and two exps).
  alignas(64) double like_b[kBlock], comment_b[kBlock];
  MICROREACH_IVDEP
  for (std::size_t j = 0; j < m; ++j) {
    const double d = vmath::log(fs[j]) - seg_lf[j];
    like_b[j] = seg_l[j] * vmath::exp(seg_ls[j] * d);
    comment_b[j] = seg_c[j] * vmath::exp(seg_cs[j] * d);
  }

  // Pass 3: everything else, one row at a time, branch-free.
  const double* __restrict following = in.following.data() + i0;
  const double* __restrict avg_likes = in.avg_likes.data() + i0;
  const double* __restrict avg_comments = in.avg_comments.data() + i0;
  const double* __restrict avg_shares = in.avg_shares.data() + i0;
  const double* __restrict reply_rate = in.reply_rate.data() + i0;
  const double* __restrict given_fake = in.fake_follower_share.data() + i0;
  const double* __restrict growth = in.follower_growth_30d.data() + i0;
  const double* __restrict given_price = in.price_per_post.data() + i0;

  double* __restrict o_score = out.score.data() + i0;
  double* __restrict o_eng = out.engagement.data() + i0;
  double* __restrict o_auth = out.authenticity.data() + i0;
  double* __restrict o_rel = out.relevance.data() + i0;
  double* __restrict o_cost = out.cost_efficiency.data() + i0;
  double* __restrict o_resp = out.responsiveness.data() + i0;
  double* __restrict o_er = out.engagement_rate.data() + i0;
  double* __restrict o_bench = out.benchmark_rate.data() + i0;
  double* __restrict o_fake = out.fake_share.data() + i0;
  double* __restrict o_fake_lo = out.fake_share_lo.data() + i0;
  double* __restrict o_fake_hi = out.fake_share_hi.data() + i0;
  double* __restrict o_auth_f = out.authentic_followers.data() + i0;
  double* __restrict o_reach = out.expected_reach.data() + i0;
  double* __restrict o_eng_n = out.expected_engagements.data() + i0;
  double* __restrict o_price = out.price.data() + i0;
  double* __restrict o_cpe = out.cpe.data() + i0;
  double* __restrict o_cpm = out.cpm.data() + i0;
  // Flags and missing bits as sums of distinct powers of two in doubles (one element type in
  // the loops), converted to their integer columns at the end.
  alignas(64) double flags_a[kBlock], flags_b[kBlock], flags_c[kBlock], missing_d[kBlock];

  const double cap = cfg.engagement_cap, suspicious = cfg.suspicious_engagement;
  const double fake_below = cfg.suspected_fake_below;
  const double min_price = cfg.min_price, per_1000 = cfg.price_per_1000;
  const double w0 = t.wk[0], w1 = t.wk[1], w2 = t.wk[2], w3 = t.wk[3], w4 = t.wk[4];
  const double log_cost_lo = t.log_cost_lo, log_cost_span = t.log_cost_span;
  const double* __restrict a_est = aud.est;
  const double* __restrict a_lo = aud.lo;
  const double* __restrict a_hi = aud.hi;

  // 3a: engagement rate against the benchmark.
  alignas(64) double ratio_b[kBlock], eng_c_b[kBlock], engagements_b[kBlock], bench_b[kBlock];
  MICROREACH_IVDEP
  for (std::size_t j = 0; j < m; ++j) {
    const double F = followers[j];
    const bool has_f = F > 0;  // false for NaN
    const double Fs = fs[j];
    // Likes are required; comments and shares count when present.
    const double likes = avg_likes[j], comments = avg_comments[j], shares = avg_shares[j];
    const bool has_c = ok(comments);
    const bool has_e = has_f & ok(likes);
    const double engagements =
        likes + (has_c ? comments : 0.0) + (ok(shares) ? shares : 0.0);  // NaN without likes
    const double er = engagements / Fs;
    // The benchmark the engagement rate is measured against: likes and comments, or likes
    // alone when the input has no comments (so a file without comments is not penalised).
    const double lb = like_b[j], cb = comment_b[j];
    const double bench = lb + (has_c ? cb : 0.0);
    const double ratio = has_e ? er / bench : kNaN;
    ratio_b[j] = ratio;
    eng_c_b[j] = has_e ? std::min(ratio, cap) / cap : kNaN;
    engagements_b[j] = has_e ? engagements : kNaN;
    bench_b[j] = bench;
    flags_a[j] = (has_e & (ratio > suspicious)) ? double{kFlagSuspiciousEngagement} : 0.0;
    o_er[j] = has_e ? er : kNaN;
    o_bench[j] = has_f ? bench : kNaN;
  }

  // 3b: the fake share: audited > known > signals model.
  alignas(64) double fake_b[kBlock];
  // The signals' inputs copied into the block first: a signal reads its inputs only where they
  // are present, and GCC if-converts such reads (so the loop vectorises) only from arrays it
  // knows the bounds of.
  alignas(64) double f_b[kBlock], following_b[kBlock], likes_b[kBlock], comments_b[kBlock],
      growth_b[kBlock], given_b[kBlock];
  std::copy_n(followers, m, f_b);
  std::copy_n(following, m, following_b);
  std::copy_n(avg_likes, m, likes_b);
  std::copy_n(avg_comments, m, comments_b);
  std::copy_n(growth, m, growth_b);
  std::copy_n(given_fake, m, given_b);
  MICROREACH_IVDEP
  for (std::size_t j = 0; j < m; ++j) {
    const double F = f_b[j];
    const bool has_f = F > 0;
    const double given = given_b[j];
    const double audited = a_est[j], audited_lo = a_lo[j], audited_hi = a_hi[j];
    const double norm = comment_b[j] / like_b[j];
    const bool is_audited = ok(audited);
    const double estimated = signals_fake_share(F, following_b[j], likes_b[j], comments_b[j],
                                                ratio_b[j], growth_b[j], has_f ? norm : kNaN);
    const double fake = is_audited ? audited : (ok(given) ? given : estimated);
    const double auth_c = 1.0 - fake;  // NaN when fake is
    const double flag_estimated =
        is_audited ? 0.0
                   : (ok(given) ? 0.0 : (ok(estimated) ? double{kFlagFakeShareEstimated} : 0.0));
    flags_b[j] = (is_audited ? double{kFlagFakeShareAudited} : 0.0) + flag_estimated +
                 (auth_c < fake_below ? double{kFlagSuspectedFake} : 0.0);
    fake_b[j] = fake;
    o_fake[j] = fake;
    o_fake_lo[j] = audited_lo;  // NaN where not audited
    o_fake_hi[j] = audited_hi;
    o_auth[j] = auth_c;
  }

  // 3c: economics per post and the cost efficiency.
  MICROREACH_IVDEP
  for (std::size_t j = 0; j < m; ++j) {
    const double F = followers[j];
    const bool has_f = F > 0;
    const double Fs = fs[j];
    const double gp = given_price[j];
    const bool estimate_price = !(gp > 0) & has_f;
    const double factor = factor_b[j];
    const double model = std::max(min_price, per_1000 * Fs / 1000.0 * factor);
    const double price = estimate_price ? model : gp;
    flags_c[j] = estimate_price ? double{kFlagPriceEstimated} : 0.0;
    o_price[j] = price;
    const double fake = fake_b[j];
    const double keep = ok(fake) ? 1.0 - fake : 1.0;
    const double authentic = F * keep;
    const double rate = rate_b[j];
    const double reach = authentic * rate;
    o_auth_f[j] = has_f ? authentic : kNaN;
    o_reach[j] = has_f ? reach : kNaN;
    o_cpm[j] = has_f ? price / reach * 1000.0 : kNaN;
    // Engagement above the cap multiple of the benchmark is not counted as authentic.
    const double engagements = engagements_b[j];
    const bool has_e = ok(engagements);
    const double credible = std::min(engagements, cap * bench_b[j] * Fs);
    const double eng = credible * keep;
    const bool pos = has_e & (eng > 0);
    o_eng_n[j] = has_e ? eng : kNaN;
    o_cpe[j] = pos ? price / eng : kNaN;
    const double cost_arg = pos ? eng / price : 1.0;
    o_cost[j] =
        pos ? clamp01((vmath::log(cost_arg) - log_cost_lo) / log_cost_span) : (has_e ? 0.0 : kNaN);
  }

  // 3d: relevance, responsiveness and the composite: the weighted mean of the components that
  // could be computed. A niche code outside the vocabulary reads the unknown entry (the
  // configured prior).
  MICROREACH_IVDEP
  for (std::size_t j = 0; j < m; ++j) {
    const double rel_c = rel_b[j];
    const double rr = reply_rate[j];
    const double resp_c = ok(rr) ? clamp01(rr) : kNaN;
    const double eng_c = eng_c_b[j], auth_c = o_auth[j], cost_c = o_cost[j];
    const bool k0 = ok(eng_c), k1 = ok(auth_c), k2 = ok(rel_c), k3 = ok(cost_c), k4 = ok(resp_c);
    double num = 0, den = 0;
    num += k0 ? w0 * eng_c : 0.0;
    den += k0 ? w0 : 0.0;
    num += k1 ? w1 * auth_c : 0.0;
    den += k1 ? w1 : 0.0;
    num += k2 ? w2 * rel_c : 0.0;
    den += k2 ? w2 : 0.0;
    num += k3 ? w3 * cost_c : 0.0;
    den += k3 ? w3 : 0.0;
    num += k4 ? w4 * resp_c : 0.0;
    den += k4 ? w4 : 0.0;
    missing_d[j] = (k0 ? 0.0 : double{1 << kEngagement}) + (k1 ? 0.0 : double{1 << kAuthenticity}) +
                   (k2 ? 0.0 : double{1 << kRelevance}) + (k3 ? 0.0 : double{1 << kCost}) +
                   (k4 ? 0.0 : double{1 << kResponsiveness});
    o_score[j] = den > 0 ? 100.0 * num / den : kNaN;
    o_eng[j] = eng_c;
    o_rel[j] = rel_c;
    o_resp[j] = resp_c;
  }

  std::uint8_t* __restrict o_tier = out.tier.data() + i0;
  std::uint16_t* __restrict o_flags = out.flags.data() + i0;
  std::uint8_t* __restrict o_missing = out.missing.data() + i0;
  MICROREACH_IVDEP
  for (std::size_t j = 0; j < m; ++j) {
    o_tier[j] = static_cast<std::uint8_t>(tier_d[j]);
    o_flags[j] = static_cast<std::uint16_t>(flags_a[j] + flags_b[j] + flags_c[j]);
    o_missing[j] = static_cast<std::uint8_t>(missing_d[j]);
  }
}

// The kernel over rows [begin, end), in blocks.
__attribute__((always_inline)) inline void score_rows(const ProfileChunk& in,
                                                      const ScoringConfig& cfg, const Tables& t,
                                                      const AuditedShares* audited,
                                                      ScoreChunk& out) {
  const std::size_t n = in.size();
  AuditBlock aud;  // all NaN without an audit
  std::fill(aud.est, aud.est + kBlock, kNaN);
  std::fill(aud.lo, aud.lo + kBlock, kNaN);
  std::fill(aud.hi, aud.hi + kBlock, kNaN);
  for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
    const std::size_t m = std::min(kBlock, n - i0);
    if (audited) {
      for (std::size_t j = 0; j < m; ++j) {
        const AuditedShare* a = audited->find(in.handle[i0 + j]);
        aud.est[j] = a ? a->estimate : kNaN;
        aud.lo[j] = a ? a->lo : kNaN;
        aud.hi[j] = a ? a->hi : kNaN;
      }
    }
    score_block(in, cfg, t, aud, out, i0, m);
  }
}

__attribute__((noinline)) void score_rows_baseline(const ProfileChunk& in, const ScoringConfig& cfg,
                                                   const Tables& t, const AuditedShares* audited,
                                                   ScoreChunk& out) {
  score_rows(in, cfg, t, audited, out);
}
MICROREACH_TARGET_V3 __attribute__((noinline, flatten)) void score_rows_v3(
    const ProfileChunk& in, const ScoringConfig& cfg, const Tables& t, const AuditedShares* audited,
    ScoreChunk& out) {
  score_rows(in, cfg, t, audited, out);
}

std::atomic<bool> g_score_v3{v3_clone_by_default()};

}  // namespace

void set_scoring_isa(ScoringIsa isa) {
  g_score_v3.store(isa != ScoringIsa::baseline && cpu_runs_v3_clone(), std::memory_order_relaxed);
}
const char* scoring_isa_name() {
  return g_score_v3.load(std::memory_order_relaxed) ? "x86-64-v3" : "baseline";
}

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
  return signals_fake_share(followers, following, likes, comments, er_over_bench, growth_30d,
                            comment_like_norm);
}

void score_chunk(const ProfileChunk& in, const ScoringConfig& cfg, ScoreChunk& out,
                 const AuditedShares* audited) {
  score_chunk(
      in, cfg, out, audited,
      g_score_v3.load(std::memory_order_relaxed) ? ScoringIsa::x86_64_v3 : ScoringIsa::baseline);
}

void score_chunk(const ProfileChunk& in, const ScoringConfig& cfg, ScoreChunk& out,
                 const AuditedShares* audited, ScoringIsa isa) {
  out.resize(in.size());
  const Tables t = make_tables(cfg);
  const bool v3 = isa == ScoringIsa::x86_64_v3 ||
                  (isa == ScoringIsa::automatic && g_score_v3.load(std::memory_order_relaxed));
  if (v3 && cpu_runs_v3_clone()) {
    score_rows_v3(in, cfg, t, audited, out);
  } else {
    score_rows_baseline(in, cfg, t, audited, out);
  }
}

}  // namespace microreach
