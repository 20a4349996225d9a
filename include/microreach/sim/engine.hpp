#pragma once
// The Monte Carlo engine: trials of a CampaignModel in parallel blocks on oneTBB.
//
// Determinism: trial t draws its shared shocks from Stream(seed, sim_shared, t), account k's
// noise from its block generator and Stream(seed, sim_account, t, k) (k = the influencer key;
// see TrialWorkspace), the conversions of
// the hired accounts of one audience and tier from Stream(seed, sim_shared, t, 1 + group
// code) and a portfolio's non-share engagements from Stream(seed, sim_shared, t, 2^40), so
// every number
// depends only on (seed, trial, influencer), never on the thread. Trials run in blocks of
// kBlockTrials; each block accumulates its own moments, and blocks are folded in trial order.
// Results are therefore bit-identical for any thread count, and a run split into rounds at
// block boundaries (simulate_more) equals one run of the same total.
//
// Common random numbers: every portfolio of one model is evaluated on the same trials, an
// account hired by several portfolios is drawn once per trial and shared by all of them, and
// conversion groups with the same (audience, tier) use the same stream in every portfolio.
// Comparisons (P(A beats B)) are therefore paired.
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "microreach/random.hpp"
#include "microreach/sim/model.hpp"
#include "microreach/stats.hpp"

namespace microreach::sim {

inline constexpr std::uint64_t kBlockTrials = 256;
inline constexpr std::uint64_t kMaxTrials = 1'000'000'000;  // refused above
inline constexpr std::size_t kMaxHires = 1'000'000;         // accounts per portfolio
inline constexpr std::uint64_t kWordsPerTrial = 10;         // first-attempt words per account

// The generator of influencer `key` for trials [256 block, 256 block + 256).
Xoshiro256 block_generator(std::uint64_t seed, std::uint64_t block, std::uint64_t key);

// Per-trial shocks shared by every account (mean 1; both 1 with noise off).
struct Shocks {
  double conversion = 1.0;
  double reach = 1.0;
};
Shocks draw_shocks(std::uint64_t seed, std::uint64_t trial, const ModelParams& p);

// Scratch for one trial of a model (one per thread): every account's draws, then the totals of
// any portfolio.
//
// Account k's draws in trial t start from 10 words: words 10 (t mod 256) .. 10 (t mod 256) + 9
// of block_generator(seed, t / 256, k), an xoshiro256++ seeded per (block of 256 trials,
// influencer). A draw that needs more words continues on a lane of
// Stream(seed, sim_account, t, k):
//   word  0      reach noise (ziggurat), continued on lane 1
//   words 1, 2   reached followers (binomial: BTRD's two uniforms), continued on lane 3
//   words 3, 4   shares (Poisson: a normal and a uniform for PD), continued on lane 4
//   word  5      incident (uniform)
//   words 6..9   fake share (beta: 1 word by inversion, 4 for two gammas), continued on lane 2
// Each draw is exactly the sampler of distributions.hpp run on Stream::resume(its words, its
// lane), so every number depends only on (seed, trial, influencer). draw() takes 128 accounts
// at a time, runs every sampler's first attempt for all of them in one loop each (no
// data-dependent branches, so the CPU overlaps accounts) and finishes the few rejected attempts
// with the full sampler.
//
// Those batch loops are compiled twice: for baseline x86-64 (SSE2, runs anywhere) and for
// x86-64-v3 (AVX2: 4 doubles per instruction, packed floor and 64-bit conversions); draw()
// runs the second where the CPU has it. Both do the same IEEE operations (no FMA contraction:
// the build passes -ffp-contract=off), so results are bit-identical (tests/test_sim_engine.cpp
// runs both and compares).
enum class BatchIsa { automatic, baseline, x86_64_v3 };
// Chooses the batch code for every TrialWorkspace from now on (default automatic; the
// environment variable MICROREACH_ISA=baseline sets baseline at start-up). x86_64_v3 on a CPU
// without AVX2 falls back to baseline. A build without the clone (clang, other architectures)
// runs, for x86_64_v3, the v3 copy's extra batch passes in baseline instructions, so that
// sanitizer builds test them too.
void set_batch_isa(BatchIsa isa);
// The batch code draw() runs now: "x86-64-v3", "baseline" or (no clone) "v3-passes".
const char* batch_isa_name();

class TrialWorkspace {
 public:
  explicit TrialWorkspace(const CampaignModel& m);
  // Draws every account of the model for `trial` (expectations when params().noise is off).
  void draw(const CampaignModel& m, std::uint64_t seed, std::uint64_t trial);
  // Every account at its expectation (noise off), whatever params().noise says.
  void draw_expectations(const CampaignModel& m);
  // Totals of portfolio p for the trial last drawn.
  void totals(const CampaignModel& m, std::size_t p, Totals& out) const;
  const Shocks& shocks() const { return shocks_; }
  // Account i's draws in the last trial (tests, diagnostics).
  double reached(std::size_t i) const { return reached_[i]; }
  double impressions(std::size_t i) const { return impressions_[i]; }
  double shares(std::size_t i) const { return shares_[i]; }
  // Mean of the account's other engagements (drawn in totals(), summed over a portfolio).
  double other_engagements(std::size_t i) const { return other_engagements_[i]; }
  double incident(std::size_t i) const { return incident_[i]; }

 private:
  // Positions in invert_a_, invert_b_, ratio_, other_ while draw() walks the chunks.
  struct Cursors {
    std::size_t invert_a = 0, invert_b = 0, ratio = 0, other = 0;
  };
  void draw_chunk(const CampaignModel& m, std::size_t c0, std::size_t c1, Cursors& at);
  // The loops of draw_chunk, inlined into a baseline and an x86-64-v3 copy (kV3).
  template <bool kV3>
  void draw_chunk_loops(const CampaignModel& m, std::size_t c0, std::size_t c1, Cursors& at);
  void draw_chunk_baseline(const CampaignModel& m, std::size_t c0, std::size_t c1, Cursors& at);
  void draw_chunk_v3(const CampaignModel& m, std::size_t c0, std::size_t c1, Cursors& at);

  Shocks shocks_;
  bool noise_ = false;  // the last draw was random
  std::uint64_t seed_ = 0, trial_ = 0;
  std::vector<double> reached_, impressions_, shares_, other_engagements_, incident_;
  // Accounts by how their fake share is drawn (ascending indices): Beta(1, b) and Beta(a, 1)
  // by inversion, two gammas, anything else.
  std::vector<std::uint32_t> invert_a_, invert_b_, ratio_, other_;
  // Every account's generator (4 x accounts words, state word k of account i at k n + i), for
  // block state_block_ of seed seed_, positioned at trial next_trial_.
  std::vector<std::uint64_t> state_;
  bool seeded_ = false;
  std::uint64_t state_block_ = 0, next_trial_ = 0;
  // Per chunk of accounts: words (slot-major), intermediate draws, rejected attempts.
  std::vector<std::uint64_t> words_;
  std::vector<double> fake_, authentic_, rho_, p_reach_, count_;
  // Accounts of the chunk gathered for one vector loop (Beta(1, b) inversions; BTRD's second
  // pass): position in the chunk and up to four inputs.
  std::vector<std::uint32_t> gather_at_;
  std::vector<double> gather_u_, gather_e_, gather_n_, gather_p_;
  std::vector<double> accepted_;  // 1 or 0 (a double, so the loops that set it vectorize)
};

// Streaming mean and variance (Welford; blocks merged with Chan et al.'s formula).
struct Moments {
  double n = 0, mean = 0, m2 = 0;
  void add(double x) {
    n += 1.0;
    const double d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  void merge(const Moments& o);
  double variance() const { return n > 1 ? m2 / (n - 1) : 0.0; }
  double sd() const;
  double se() const;  // standard error of the mean
};

struct SimOptions {
  std::uint64_t seed = 1;
  std::uint64_t trials = 10000;
  // Keep every trial's totals (needed for quantiles, expected shortfall and --keep-trials).
  // Memory: trials x portfolios x 9 x 8 bytes.
  bool keep_values = true;
  // Pairs (a, b) of portfolios whose profits are compared trial by trial; empty = all pairs
  // (a < b) when there are at most 64 portfolios, none otherwise.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> compare;
};

struct PairStats {
  std::uint32_t a = 0, b = 0;
  double wins_a = 0;   // trials with profit_a > profit_b (ties count 1/2 to each side)
  Moments difference;  // profit_a - profit_b
  double p_a_beats_b() const { return difference.n > 0 ? wins_a / difference.n : 0.0; }
};

struct SimResult {
  std::uint64_t trials = 0;
  std::vector<std::array<Moments, kMetricCount>> moments;          // [portfolio][metric]
  std::vector<std::array<std::uint64_t, kMetricCount>> negatives;  // trials with value < 0
  std::vector<PairStats> pairs;
  bool has_values = false;
  std::vector<std::array<std::vector<double>, kMetricCount>> values;  // [portfolio][metric][t]
  std::vector<double> conversion_shock, reach_shock;                  // [t], with values
};

// One run of opt.trials trials (trials 0 .. trials-1).
SimResult simulate(const CampaignModel& m, const SimOptions& opt);
// Runs trials [r.trials, r.trials + n) and folds them into r (r empty: a fresh result).
void simulate_more(const CampaignModel& m, const SimOptions& opt, std::uint64_t n, SimResult& r);

struct MetricSummary {
  double mean = 0, se = 0, sd = 0;
  double p5 = 0, p50 = 0, p95 = 0;  // NaN without kept values
  double shortfall = 0;   // mean of the worst 5 % (lowest; highest for cost); NaN w/o values
  double p_negative = 0;  // share of trials below 0
  double expected = 0;    // noise-off value (CampaignModel::expected)
};
using PortfolioSummary = std::array<MetricSummary, kMetricCount>;
std::vector<PortfolioSummary> summarize(const CampaignModel& m, const SimResult& r);

// The summaries as one table, a row per (portfolio, metric) in that order, as campaign files
// and the Python module give them.
struct SummaryTable {
  std::vector<std::uint32_t> strategy;
  std::vector<std::uint8_t> metric;
  std::vector<double> mean, se, sd, p5, p50, p95, shortfall, p_negative, expected;
};
SummaryTable summary_table(const std::vector<PortfolioSummary>& s);

// Every compared pair in both orders (a against b, then b against a), as campaign files and
// the Python module give them: P(profit of a > profit of b), with ties counting half, and the
// mean and standard error of profit_a - profit_b.
struct Comparisons {
  std::vector<std::uint32_t> a, b;
  std::vector<double> p_a_beats_b, mean_difference, se_difference;
};
Comparisons comparisons(const SimResult& r);

// Quantile q of a sorted vector (NumPy's default interpolation): microreach/stats.hpp.
using stats::quantile_sorted;

// Relative standard error used by --precision: se / |mean| for the non-negative totals;
// for profit se / mean cost (profit can sit near 0); for ROI the absolute se (ROI is already a
// ratio to cost). 0 when the metric has no spread.
double relative_se(const SimResult& r, std::size_t portfolio, Metric metric);
double max_relative_se(const SimResult& r);

struct PrecisionOptions {
  double target = 0.005;
  std::uint64_t first_round = 10000;  // trials of the first round
  std::uint64_t max_trials = 10'000'000;
};
struct PrecisionReport {
  std::uint64_t rounds = 0;
  double max_relative_se = 0;
  bool reached = false;
};
// Runs rounds until max_relative_se(r) < target or max_trials; each round is sized from the
// current standard errors (se falls as 1/sqrt(n)) and ends on a block boundary.
PrecisionReport simulate_to_precision(const CampaignModel& m, const SimOptions& opt,
                                      const PrecisionOptions& prec, SimResult& r);

}  // namespace microreach::sim
