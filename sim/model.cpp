#include "microreach/sim/model.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "microreach/error.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/stats.hpp"

namespace microreach::sim {
namespace {

std::string num(double v) {
  std::ostringstream os;
  os.precision(12);
  os << v;
  return os.str();
}

void check_range(const std::string& key, double v, double lo, double hi, const char* allowed) {
  if (!(v >= lo && v <= hi)) throw ConfigError(key, num(v), allowed);
}

double clamp01_or(double v, double fallback) {
  if (std::isnan(v)) return fallback;
  return std::clamp(v, 0.0, 1.0);
}

}  // namespace

std::span<const ScalarParam> scalar_params() {
  static const ScalarParam kParams[] = {
      {"campaign", "posts_per_influencer", "posts_per_influencer", &ModelParams::posts, 1, 1000,
       "a whole number from 1 to 1000", "", false, false, true},
      {"campaign", "average_order_value", "average_order_value", &ModelParams::average_order_value,
       0, 1e9, "an amount in USD from 0 to 1e9", "USD"},
      {"campaign", "gross_margin", "gross_margin", &ModelParams::gross_margin, 0, 1,
       "a share in [0, 1]", ""},
      {"campaign", "conversion_rate", "base_conversion_rate", &ModelParams::base_conversion_rate, 0,
       1, "a probability in [0, 1]", "purchases per relevant person reached"},
      {"model", "reach_sigma", "reach_sigma", &ModelParams::reach_sigma, 0, 3,
       "a log-sd from 0 to 3", ""},
      {"model", "conversion_shock_sigma", "conversion_shock_sigma",
       &ModelParams::conversion_shock_sigma, 0, 3, "a log-sd from 0 to 3", ""},
      {"model", "reach_shock_sigma", "reach_shock_sigma", &ModelParams::reach_shock_sigma, 0, 3,
       "a log-sd from 0 to 3", ""},
      {"model", "fake_share_concentration", "fake_share_concentration",
       &ModelParams::fake_share_concentration, 0, 1e9, "a beta concentration a+b in (0, 1e9]", "",
       true},
      {"model", "audited_interval_level", "audited_interval_level",
       &ModelParams::audited_interval_level, 0, 1, "a coverage probability in (0, 1)", "", true,
       true},
      {"model", "incident_cost_factor", "incident_cost_factor", &ModelParams::incident_cost_factor,
       0, 1000, "a multiple of the fee from 0 to 1000", ""},
      {"model", "audience_size", "audience_size", &ModelParams::audience_size, 1, 1e10,
       "a number of people from 1 to 1e10", ""},
      {"model", "viewers_per_share", "viewers_per_share", &ModelParams::viewers_per_share, 0, 1e6,
       "a count from 0 to 1e6", ""},
      {"model", "default_share_fraction", "default_share_fraction",
       &ModelParams::default_share_fraction, 0, 1, "a share in [0, 1]", ""},
  };
  return kParams;
}

void ModelParams::validate() const {
  auto check = [&](std::string_view table) {
    for (const ScalarParam& p : scalar_params()) {
      if (p.table != table) continue;
      const double v = this->*p.member;
      if (!p.allows(v)) throw ConfigError(p.scenario_key(), num(v), std::string(p.allowed));
    }
  };
  check("campaign");
  for (std::size_t t = 1; t < kTierCount; ++t) {
    const std::string tier(kTierNames[t]);
    if (!(reach_rate[t] > 0.0 && reach_rate[t] <= 1.0))
      throw ConfigError("model.reach_rate." + tier, num(reach_rate[t]),
                        "a share of followers in (0, 1]");
    check_range("model.trust." + tier, trust[t], 0.0, 1000.0, "a factor from 0 to 1000");
    check_range("model.incident_probability." + tier, incident_probability[t], 0.0, 1.0,
                "a probability in [0, 1]");
  }
  check("model");
}

double fake_concentration(const Candidate& c, const ModelParams& p) {
  const double lo = c.fake_share_lo, hi = c.fake_share_hi;
  if (std::isnan(lo) || std::isnan(hi) || hi < lo) return p.fake_share_concentration;
  const double m = clamp01_or(c.fake_share, 0.0);
  const double z = stats::normal_quantile(0.5 + 0.5 * p.audited_interval_level);
  const double sd = (hi - lo) / (2.0 * z);
  if (sd <= 0.0) return 1e6;  // a point interval: the share is known
  return std::clamp(m * (1.0 - m) / (sd * sd) - 1.0, 1.0, 1e6);
}

AccountModel make_account(const Candidate& c, const ModelParams& p) {
  AccountModel a;
  a.key = c.key;
  a.audience = static_cast<std::uint32_t>(c.platform) * 256u + c.niche;
  a.followers = std::max(0.0, std::isnan(c.followers) ? 0.0 : c.followers);
  a.fake_mean = clamp01_or(c.fake_share, 0.0);
  a.fake_concentration = fake_concentration(c, p);
  a.fake_random = a.fake_mean > 0.0 && a.fake_mean < 1.0;
  if (a.fake_random)
    a.fake =
        BetaDist(a.fake_concentration * a.fake_mean, a.fake_concentration * (1.0 - a.fake_mean));
  const std::size_t tier = c.tier < kTierCount ? c.tier : 0;
  a.reach_rate = p.reach_rate[tier == 0 ? 1 : tier];
  a.engagement_per_view = clamp01_or(c.engagement_per_view, 0.0);
  a.share_fraction = clamp01_or(c.share_fraction, p.default_share_fraction);
  a.relevance = clamp01_or(c.relevance, 1.0);
  a.conversion_prob = p.base_conversion_rate * p.trust[tier == 0 ? 1 : tier];
  a.incident_probability = p.incident_probability[tier == 0 ? 1 : tier];
  a.fee = (std::isnan(c.price) ? 0.0 : c.price) * p.posts;
  a.incident_cost = a.fee * p.incident_cost_factor;
  return a;
}

double Portfolio::fees(double posts) const {
  double s = 0;
  for (const Candidate& c : hired) s += c.price * posts;
  return s;
}

double Portfolio::unspent(double posts) const {
  return std::max(0.0, budget - fees(posts));
}

AccountExpectation expect_account(const AccountModel& a, const ModelParams& p) {
  AccountExpectation e;
  const double authentic = a.followers * (1.0 - a.fake_mean);
  const double p_reach = p.posts == 1 ? a.reach_rate : 1.0 - std::pow(1.0 - a.reach_rate, p.posts);
  const double reached_followers = authentic * p_reach;
  const double imp = authentic * a.reach_rate * p.posts;
  e.engagements = imp * a.engagement_per_view;
  const double viewers = p.viewers_per_share * e.engagements * a.share_fraction;
  e.reached = std::min(reached_followers + viewers, p.audience_size);
  e.impressions = imp + viewers;
  e.conversions_before_overlap =
      e.reached * a.relevance * std::min(1.0, a.conversion_prob) * (1.0 - a.incident_probability);
  e.cost = a.fee + a.incident_probability * a.incident_cost;
  return e;
}

void finish_totals(Totals& t, const ModelParams& p) {
  const double reach = t[idx(Metric::unique_reach)];
  t[idx(Metric::frequency)] = reach > 0 ? t[idx(Metric::impressions)] / reach : 0.0;
  t[idx(Metric::revenue)] = t[idx(Metric::conversions)] * p.average_order_value;
  const double cost = t[idx(Metric::cost)];
  t[idx(Metric::profit)] = p.gross_margin * t[idx(Metric::revenue)] - cost;
  t[idx(Metric::roi)] = cost > 0 ? t[idx(Metric::profit)] / cost : 0.0;
}

double sainsbury_union(const double* x, std::size_t n, double audience) {
  double miss = 1.0;  // probability that a person of the audience is reached by none
  for (std::size_t i = 0; i < n; ++i) miss *= 1.0 - std::min(x[i], audience) / audience;
  return audience * (1.0 - miss);
}

CampaignModel::CampaignModel(ModelParams params, std::vector<Portfolio> portfolios)
    : params_(std::move(params)), portfolios_(std::move(portfolios)) {
  params_.validate();
  std::map<std::uint64_t, std::uint32_t> index;  // key -> account
  layouts_.resize(portfolios_.size());
  for (std::size_t p = 0; p < portfolios_.size(); ++p) {
    const Portfolio& pf = portfolios_[p];
    if (pf.hired.size() > kMaxHires)
      throw ConfigError("strategies", pf.spec,
                        "at most " + std::to_string(kMaxHires) +
                            " hired accounts per strategy (got " + std::to_string(pf.hired.size()) +
                            ")");
    struct Member {
      std::uint32_t audience, tier, account;
    };
    std::vector<Member> members;
    for (const Candidate& c : pf.hired) {
      auto [it, fresh] = index.emplace(c.key, static_cast<std::uint32_t>(accounts_.size()));
      if (fresh) {
        accounts_.push_back(make_account(c, params_));
        tiers_.push_back(c.tier < kTierCount && c.tier > 0 ? c.tier : 1);
      }
      members.push_back({accounts_[it->second].audience, tiers_[it->second], it->second});
    }
    // Group by audience, then tier; keep the hiring order within a group (stable sort), so the
    // products and sums run in a fixed order.
    std::stable_sort(members.begin(), members.end(), [](const Member& x, const Member& y) {
      return x.audience != y.audience ? x.audience < y.audience : x.tier < y.tier;
    });
    Layout& l = layouts_[p];
    for (std::size_t i = 0; i < members.size(); ++i) {
      const bool new_audience = i == 0 || members[i].audience != members[i - 1].audience;
      if (new_audience) {
        l.segments.push_back(static_cast<std::uint32_t>(i));
        l.segment_groups.push_back(static_cast<std::uint32_t>(l.groups.size()));
      }
      if (new_audience || members[i].tier != members[i - 1].tier) {
        l.groups.push_back(static_cast<std::uint32_t>(i));
        l.group_code.push_back(std::uint64_t{members[i].audience} * 8 + members[i].tier);
      }
      l.members.push_back(members[i].account);
    }
    l.segments.push_back(static_cast<std::uint32_t>(members.size()));
    l.groups.push_back(static_cast<std::uint32_t>(members.size()));
    l.segment_groups.push_back(static_cast<std::uint32_t>(l.group_code.size()));
  }
}

Totals CampaignModel::expected(std::size_t p) const {
  TrialWorkspace ws(*this);
  ws.draw_expectations(*this);
  Totals t{};
  ws.totals(*this, p, t);
  return t;
}

}  // namespace microreach::sim
