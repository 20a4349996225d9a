#pragma once
// The campaign model, formula by formula in docs/model.md ("Campaign
// simulation"). A CampaignModel holds the parameters and one or more portfolios (the accounts
// a strategy hires); the engine (engine.hpp) draws trials of it.
//
// Per trial, for every hired account i (its own stream, keyed by its influencer key):
//   f_i   ~ Beta(kappa m_i, kappa (1 - m_i))        real fake share around the estimate m_i
//   A_i   = round(F_i (1 - f_i))                      authentic followers
//   rho_i = min(1, rbar_tier * M_reach * eps_i)       reach rate, eps_i lognormal mean 1
//   R_i   ~ Binomial(A_i, 1 - (1 - rho_i)^posts)      followers reached
//   I_i   = A_i rho_i posts                           impressions on followers
//   S_i   ~ Poisson(I_i e_i s_i), O_i ~ Poisson(I_i e_i (1 - s_i)), E_i = S_i + O_i
//           engagements (e_i per impression), S_i of them shares (Poisson thinning: the
//           same law as E_i ~ Poisson(I_i e_i), S_i ~ Binomial(E_i, s_i)); the O_i of a
//           portfolio are drawn as one Poisson of their summed means (exact)
//   V_i   = v S_i                                     viewers reached through shares
//   X_i   = min(R_i + V_i, U)                         people reached
//   J_i   ~ Bernoulli(q_tier)                         brand-safety incident
// and per audience g = (platform, niche) of the portfolio (Sainsbury):
//   unique_g = U (1 - prod_i (1 - X_i / U)),   phi_g = unique_g / sum_i X_i
//   C_i   ~ Binomial(round(X_i phi_g rel_i), min(1, c tau_tier M_conv)),  0 if J_i
//           (drawn per (audience, tier) as one binomial of the summed trials: the sum of
//           independent binomials with a common p is binomial, so this is exact)
// Totals: unique reach, impressions sum(I_i + V_i), frequency, engagements sum E_i,
// conversions, revenue = AOV sum C_i, cost = sum (fee_i + J_i incident_cost_i),
// profit = margin revenue - cost, ROI = profit / cost.
// M_conv, M_reach: per-trial shocks shared by every account (lognormal, mean 1).
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "microreach/distributions.hpp"
#include "microreach/profile.hpp"

namespace microreach::sim {

enum class Metric : std::uint8_t {
  unique_reach,
  impressions,
  frequency,
  engagements,
  conversions,
  revenue,
  cost,
  profit,
  roi,
  count
};
inline constexpr std::size_t kMetricCount = static_cast<std::size_t>(Metric::count);
inline constexpr std::array<std::string_view, kMetricCount> kMetricNames = {
    "unique_reach", "impressions", "frequency", "engagements", "conversions",
    "revenue",      "cost",        "profit",    "roi"};
inline constexpr std::array<std::string_view, kMetricCount> kMetricUnits = {
    "people", "impressions", "impressions per person", "engagements", "purchases", "USD", "USD",
    "USD",    "ratio"};
inline constexpr std::size_t idx(Metric m) {
  return static_cast<std::size_t>(m);
}

// Every parameter of the model; defaults and their basis in docs/model.md.
struct ModelParams {
  double posts = 1;                      // posts bought from each account (integer >= 1)
  double average_order_value = 60.0;     // USD
  double gross_margin = 0.60;            // share of revenue kept
  double base_conversion_rate = 0.0005;  // purchases per relevant person reached
  // Per tier (fan, nano, micro, mid, macro, mega); fan accounts are never hired but get the
  // nano values so every tier code is defined.
  std::array<double, kTierCount> reach_rate = {0.30, 0.30, 0.22, 0.15, 0.10, 0.07};
  std::array<double, kTierCount> trust = {1.6, 1.6, 1.4, 1.15, 1.0, 0.8};
  std::array<double, kTierCount> incident_probability = {0.005, 0.005, 0.005, 0.01, 0.02, 0.03};
  double reach_sigma = 0.35;             // log-sd of an account's reach rate in the window
  double conversion_shock_sigma = 0.5;   // shared, per trial
  double reach_shock_sigma = 0.2;        // shared, per trial
  double fake_share_concentration = 20;  // kappa of the fake-share beta
  double audited_interval_level = 0.95;  // coverage of an audited [lo, hi] interval
  double incident_cost_factor = 1.0;     // incident cost = factor x the account's fee
  double audience_size = 20e6;           // U per (platform, niche)
  double viewers_per_share = 30;         // v
  double default_share_fraction = 0.05;  // s when a profile has no share count
  bool noise = true;                     // false: every draw replaced by its expectation

  // Throws ConfigError("<key>", value, allowed) naming the scenario key of the bad value.
  void validate() const;
};

// A scalar of ModelParams, named once for every place that names it: its scenario-file key
// ([table] key), its attribute of /model in a campaign file, the range validate() enforces and
// the note a written scenario file puts beside it.
struct ScalarParam {
  std::string_view table;      // "campaign" or "model"
  std::string_view key;        // the key in that table
  std::string_view attribute;  // the attribute of /model in a campaign file
  double ModelParams::*member;
  double lo, hi;  // allowed values: [lo, hi], (lo, hi] with open_lo, [lo, hi) with open_hi
  std::string_view allowed;  // the range in words, for the error message
  std::string_view note;     // comment in a written scenario file ("" none)
  bool open_lo = false, open_hi = false, whole = false;

  std::string scenario_key() const { return std::string(table) + "." + std::string(key); }
  bool allows(double v) const {
    return (open_lo ? v > lo : v >= lo) && (open_hi ? v < hi : v <= hi) &&
           (!whole || v == std::floor(v));
  }
};
// Every scalar parameter, in the order a written scenario file lists them.
std::span<const ScalarParam> scalar_params();

// One candidate account, as the strategies and the model need it. Built from scored profiles
// (candidates.hpp) or by hand (tests, library users).
struct Candidate {
  std::uint64_t key = 0;  // stable influencer key (row in the source): keys the random streams
  std::uint64_t id = 0;
  std::string handle;
  std::uint8_t platform = kUnknown, niche = kUnknown, tier = 0;
  double followers = 0;
  double fake_share = 0;            // estimate m in [0, 1]
  double fake_share_lo = kMissing;  // audited interval (NaN = not audited)
  double fake_share_hi = kMissing;
  double engagement_per_view = 0;    // authentic engagements per impression e
  double share_fraction = kMissing;  // shares / engagements (NaN: default_share_fraction)
  double relevance = 1;              // share of the audience in the target niche
  double price = 0;                  // USD per post
  double score = 0;                  // composite 0-100
};

// The per-account constants of the model, derived once from a Candidate and the parameters.
struct AccountModel {
  std::uint64_t key = 0;
  std::uint32_t audience = 0;  // platform * 256 + niche: accounts sharing one audience overlap
  double followers = 0;
  double fake_mean = 0, fake_concentration = 0;
  BetaDist fake;  // Beta(kappa m, kappa (1 - m)); unused when m is 0 or 1
  bool fake_random = false;
  double reach_rate = 0;  // tier mean
  double engagement_per_view = 0, share_fraction = 0, relevance = 0;
  double conversion_prob = 0;  // base rate x tier trust
  double incident_probability = 0;
  double fee = 0;            // price x posts
  double incident_cost = 0;  // fee x incident_cost_factor
};
AccountModel make_account(const Candidate& c, const ModelParams& p);
// Concentration of the fake-share beta: p.fake_share_concentration, or matched to an audited
// interval (method of moments: sd = (hi - lo) / (2 z), kappa = m (1 - m) / sd^2 - 1).
double fake_concentration(const Candidate& c, const ModelParams& p);

// The accounts a strategy hires.
struct Portfolio {
  std::string spec;   // e.g. "micro-even:40"
  std::string label;  // short name for tables
  std::vector<Candidate> hired;
  double budget = 0;        // the budget it was built for (USD)
  std::string note;         // what the strategy could not do as asked (e.g. fewer accounts found)
  std::string description;  // what the strategy hires and how it spends the budget
  // Sum of the hired accounts' fees: price x posts.
  double fees(double posts) const;
  // Budget minus fees (never negative): money the plan keeps as cash.
  double unspent(double posts) const;
};

// Expectations of one account with every draw at its mean ("noise off"), before overlap.
struct AccountExpectation {
  double reached = 0;      // X_i = min(A (1 - (1 - rbar)^posts) + v E s, U)
  double impressions = 0;  // I + V
  double engagements = 0;
  double conversions_before_overlap = 0;  // X rel c tau (1 - q)
  double cost = 0;                        // fee + q incident_cost
};
AccountExpectation expect_account(const AccountModel& a, const ModelParams& p);

// Totals of one trial of one portfolio (indexed by Metric).
using Totals = std::array<double, kMetricCount>;
// Fills frequency, revenue, profit and roi from the other totals.
void finish_totals(Totals& t, const ModelParams& p);

// Parameters + portfolios, with the union of their accounts (each distinct influencer key once:
// an account hired by two strategies sees the same draws in both).
class CampaignModel {
 public:
  CampaignModel(ModelParams params, std::vector<Portfolio> portfolios);

  const ModelParams& params() const { return params_; }
  const std::vector<Portfolio>& portfolios() const { return portfolios_; }
  std::size_t portfolio_count() const { return portfolios_.size(); }
  std::size_t account_count() const { return accounts_.size(); }
  const AccountModel& account(std::size_t i) const { return accounts_[i]; }
  const std::vector<AccountModel>& accounts() const { return accounts_; }

  // Members of portfolio p as indices into accounts(), ordered by (audience, tier, hiring
  // order). Audience a spans members[segments[a] .. segments[a+1]); within it, conversion
  // group g (one tier) spans members[groups[g] .. groups[g+1]), with
  // group_segment[g] = its audience and group_code[g] = audience * 8 + tier.
  struct Layout {
    std::vector<std::uint32_t> members;
    std::vector<std::uint32_t> segments;        // audiences + 1 boundaries
    std::vector<std::uint32_t> groups;          // groups + 1 boundaries
    std::vector<std::uint32_t> segment_groups;  // audiences + 1: first group of each audience
    std::vector<std::uint64_t> group_code;      // per group
  };
  const Layout& layout(std::size_t p) const { return layouts_[p]; }

  // The noise-off totals of portfolio p: the model with every draw at its expectation
  // (shocks at 1). The "expected" column of the summary; the closed form the tests check.
  Totals expected(std::size_t p) const;

 private:
  ModelParams params_;
  std::vector<Portfolio> portfolios_;
  std::vector<AccountModel> accounts_;
  std::vector<std::uint32_t> tiers_;  // per account: tier code (fan counted as nano)
  std::vector<Layout> layouts_;
};

// Sainsbury union of people reached in one audience of size U: U (1 - prod (1 - x_i / U)).
// (The cancellation in 1 - prod costs at most U * 2^-53 = 2e-9 people at U = 20M.)
double sainsbury_union(const double* x, std::size_t n, double audience);

}  // namespace microreach::sim
