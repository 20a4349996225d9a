#pragma once
// Scoring a profile: five components in [0,1], a composite 0-100, tier, flags and
// the per-post economics. Formulas in docs/model.md.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "microreach/config.hpp"
#include "microreach/profile.hpp"

namespace microreach {

// Flags (bitmask in /scores/flags).
enum Flag : std::uint16_t {
  kFlagSuspectedFake = 1u << 0,         // authenticity below cfg.suspected_fake_below
  kFlagSuspiciousEngagement = 1u << 1,  // ER above cfg.suspicious_engagement x benchmark
  kFlagPriceEstimated = 1u << 2,        // price_per_post missing: price model used
  kFlagFakeShareEstimated = 1u << 3,    // fake_follower_share missing: estimated from signals
  kFlagFakeShareAudited = 1u << 4,      // fake share taken from an audit file
};

// Components (bit i of /scores/missing set when component i could not be computed
// because the input lacks the columns it needs; the composite then averages the others).
enum Component : std::uint8_t {
  kEngagement,
  kAuthenticity,
  kRelevance,
  kCost,
  kResponsiveness,
  kComponentCount
};
inline constexpr const char* kComponentNames[kComponentCount] = {
    "engagement", "authenticity", "relevance", "cost_efficiency", "responsiveness"};

struct ScoreChunk {
  std::vector<double> score;       // 0-100, NaN if no component could be computed
  std::vector<double> engagement;  // components in [0,1], NaN = not computable
  std::vector<double> authenticity;
  std::vector<double> relevance;
  std::vector<double> cost_efficiency;
  std::vector<double> responsiveness;
  std::vector<std::uint8_t> tier;
  std::vector<double> engagement_rate;  // (likes + comments + shares) / followers
  std::vector<double> benchmark_rate;   // like_bench + comment_bench at this size
  std::vector<double> fake_share;       // used by scoring (given, audited or estimated)
  std::vector<double> fake_share_lo;    // audited interval, NaN when not audited
  std::vector<double> fake_share_hi;
  std::vector<double> authentic_followers;   // followers * (1 - fake_share)
  std::vector<double> expected_reach;        // authentic followers reached by one post
  std::vector<double> expected_engagements;  // authentic engagements per post
  std::vector<double> price;                 // given or estimated, USD
  std::vector<double> cpe;                   // price / expected engagements, USD
  std::vector<double> cpm;                   // price / expected reach * 1000, USD
  std::vector<std::uint16_t> flags;
  std::vector<std::uint8_t> missing;  // bit per Component

  std::size_t size() const { return score.size(); }
  void resize(std::size_t n);
  void append_row(const ScoreChunk& other, std::size_t r);
  // Every double column, in declaration order (for loops over all columns).
  using Member = std::vector<double> ScoreChunk::*;
  static const std::vector<Member>& numeric_members();
};

// Audited fake-follower shares (from `microreach audit`), keyed by handle: when a profile's
// handle is found, its fake share and interval come from here instead of the signals model.
struct AuditedShare {
  double estimate;  // fake share in [0,1]
  double lo, hi;    // confidence interval
};
struct AuditedShares {
  std::unordered_map<std::string, AuditedShare> by_handle;
  const AuditedShare* find(const std::string& handle) const {
    auto it = by_handle.find(handle);
    return it == by_handle.end() ? nullptr : &it->second;
  }
};

// Score every row of `in` into `out` (resized; every column of every row written). Pure
// function of (in, cfg, audited): thread-safe. The kernel exists as baseline x86-64 (SSE2) code
// and as an x86-64-v3 (AVX2) copy chosen at run time where the CPU has it; both give the same
// bits (the environment variable MICROREACH_ISA=baseline forces the first at start-up).
void score_chunk(const ProfileChunk& in, const ScoringConfig& cfg, ScoreChunk& out,
                 const AuditedShares* audited = nullptr);

enum class ScoringIsa { automatic, baseline, x86_64_v3 };
// The same with the copy named (x86_64_v3 on a CPU without AVX2, or a build without the copy,
// runs the baseline): for tests and benchmarks.
void score_chunk(const ProfileChunk& in, const ScoringConfig& cfg, ScoreChunk& out,
                 const AuditedShares* audited, ScoringIsa isa);
// Choose the copy score_chunk runs (automatic: the CPU decides), and name the one it runs.
void set_scoring_isa(ScoringIsa isa);
const char* scoring_isa_name();

// The authenticity signals model (exposed for tests and the audit module): estimated fake
// share of a profile from its following/followers ratio, comment/like ratio, engagement
// relative to the benchmark, and 30-day growth. Inputs may be NaN (signal unavailable).
double estimate_fake_share(double followers, double following, double likes, double comments,
                           double er_over_bench, double growth_30d, double comment_like_norm);

}  // namespace microreach
