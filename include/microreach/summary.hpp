#pragma once
// Running summary of a scoring run: counts per tier, score percentiles (from a fixed
// 0.01-point histogram, so exact to 0.01 and independent of order), share flagged, accounts
// without a niche, a warning when the scores are degenerate, and the top K profiles of tier nano or
// above (ties broken by row index, so the list is deterministic).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "microreach/pipeline.hpp"

namespace microreach {

struct TopEntry {
  double score = 0;
  std::uint64_t row = 0;
  std::uint64_t id = 0;
  std::string handle;
  std::uint8_t platform = kUnknown, niche = kUnknown, tier = 0;
  double followers = 0, engagement_rate = 0, authenticity = 0, price = 0, cpm = 0;
};

class Summary : public BatchSink {
 public:
  // The top-K list ranks accounts of tier >= min_tier only (fans, under the nano bound, are
  // not influencers); every other statistic counts all rows.
  explicit Summary(std::size_t top_k = 20, Tier min_tier = Tier::nano);
  void consume(const Batch& b) override;
  void add(const ProfileChunk& p, const ScoreChunk& s);

  std::uint64_t rows() const { return rows_; }
  std::uint64_t scored() const { return scored_; }
  const std::array<std::uint64_t, kTierCount>& tier_counts() const { return tiers_; }
  std::uint64_t flagged(std::uint16_t flag) const;
  std::uint64_t missing_component(int component) const { return missing_[component]; }
  // Rows whose niche is unknown (no category in the input): their relevance is the
  // unknown-niche prior of the scoring configuration.
  std::uint64_t no_niche() const { return no_niche_; }
  // Number of distinct scores at the summary's 0.01-point resolution.
  std::uint64_t distinct_scores() const;
  // Scored rows whose score is one of the `values` most frequent scores (0.01 resolution).
  std::uint64_t rows_in_top_values(std::size_t values) const;
  // Scores that cannot rank accounts: at least 50 scored rows and either 90 % of them on 5
  // values (0.01-point resolution) or a P5-P95 spread under 1 point. format() then prints a
  // warning naming the components that were missing for how many rows.
  bool degenerate() const;
  // Score at quantile q in [0,1] (NaN when nothing was scored).
  double percentile(double q) const;
  // Top entries, best first.
  std::vector<TopEntry> top() const;

  // Terminal report: tier counts, percentiles, flags, top-K table.
  std::string format(bool with_top = true) const;

  // Partial summaries of disjoint rows (the ranks of a distributed run): every statistic is a
  // count or a top-K list with a total order, so merging gives the same summary as one pass.
  std::string to_bytes() const;
  void merge_bytes(const std::string& bytes);

 private:
  std::size_t k_;
  std::uint8_t min_tier_;
  std::uint64_t rows_ = 0, scored_ = 0;
  std::array<std::uint64_t, kTierCount> tiers_{};
  std::array<std::uint64_t, 16> flags_{};
  std::array<std::uint64_t, 8> missing_{};
  std::uint64_t no_niche_ = 0;
  std::vector<std::uint64_t> hist_;  // 10001 bins: score*100
  std::vector<TopEntry> heap_;       // min-heap on (score, -row)
};

}  // namespace microreach
