#include "microreach/io/campaign.hpp"

#include <cmath>
#include <limits>

#include "detail.hpp"
#include "microreach/error.hpp"

namespace microreach::io {
using namespace microreach::sim;
namespace {

using h5::write_attr;
using h5::write_dataset;

template <std::size_t N>
std::vector<std::string> names(const std::array<std::string_view, N>& a) {
  return std::vector<std::string>(a.begin(), a.end());
}

void categorical(hid_t loc, const std::string& path, const std::vector<std::uint8_t>& codes,
                 const std::vector<std::string>& categories, std::string_view description) {
  write_dataset(loc, path, codes, "", description);
  h5::Handle ds(H5Dopen2(loc, path.c_str(), H5P_DEFAULT));
  if (!ds) throw Error("cannot reopen dataset '" + path + "' to label its categories");
  h5::write_categories(ds.get(), categories);
}

std::vector<double> tier_vector(const std::array<double, kTierCount>& a) {
  return std::vector<double>(a.begin(), a.end());
}

}  // namespace

void write_run_attributes(hid_t file, const CampaignModel& m, const SimResult& r,
                          const CampaignRunInfo& info) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // How many trials ran, against what was asked (--precision runs rounds until it is reached).
  h5::write_attrs(file, {{"trials", r.trials},
                         {"trials_requested", info.trials_requested},
                         {"max_trials", info.max_trials},
                         {"rounds", info.precision.rounds}});
  h5::write_attrs(file,
                  {{"precision_target", info.precision_target > 0 ? info.precision_target : nan},
                   {"max_relative_se", max_relative_se(r)},
                   {"precision_reached", static_cast<std::int64_t>(info.precision.reached)}});
  // The plan compared, and where its candidates came from.
  h5::write_attrs(file, {{"budget", info.budget},
                         {"niche", kNicheNames[static_cast<std::size_t>(info.niche)]},
                         {"posts_per_influencer", m.params().posts},
                         {"noise", static_cast<std::int64_t>(m.params().noise)}});
  h5::write_attrs(file, {{"scenario_file", info.scenario_file},
                         {"candidate_source", info.candidate_source},
                         {"candidates", info.candidates}});
  std::vector<std::string> specs;
  for (const Portfolio& p : m.portfolios()) specs.push_back(p.spec);
  write_attr(file, "strategies", specs);
}

void write_model(hid_t file, const ModelParams& p) {
  h5::Handle g = h5::ensure_group(file, "model");
  const hid_t id = g.get();
  for (const ScalarParam& s : scalar_params())
    write_attr(id, std::string(s.attribute).c_str(), p.*s.member);
  write_dataset(id, "reach_rate", tier_vector(p.reach_rate), "share",
                "mean share of authentic followers reached per post, by tier code");
  write_dataset(id, "trust", tier_vector(p.trust), "", "trust factor on conversion, by tier code");
  write_dataset(id, "incident_probability", tier_vector(p.incident_probability), "probability",
                "brand-safety incident in the campaign window, by tier code");
}

void write_strategies(hid_t file, const CampaignModel& m) {
  const ModelParams& par = m.params();
  for (std::size_t i = 0; i < m.portfolio_count(); ++i) {
    const Portfolio& pf = m.portfolios()[i];
    h5::Handle g = h5::ensure_group(file, "strategies/" + std::to_string(i));
    const hid_t id = g.get();
    h5::write_attrs(id, {{"spec", pf.spec},
                         {"label", pf.label},
                         {"description", pf.description},
                         {"note", pf.note}});
    h5::write_attrs(id, {{"hired", static_cast<std::uint64_t>(pf.hired.size())},
                         {"cost", pf.fees(par.posts)},
                         {"budget", pf.budget},
                         {"unspent", pf.unspent(par.posts)}});

    const std::size_t n = pf.hired.size();
    std::vector<std::uint64_t> key(n), ids(n);
    std::vector<std::string> handle(n);
    std::vector<std::uint8_t> platform(n), niche(n), tier(n);
    std::vector<double> followers(n), fake(n), conc(n), reach(n), epv(n), share(n), rel(n),
        trust(n), incident(n), price(n), cost(n), score(n), exp_reach(n), exp_conv(n);
    for (std::size_t k = 0; k < n; ++k) {
      const Candidate& c = pf.hired[k];
      const AccountModel a = make_account(c, par);
      const AccountExpectation e = expect_account(a, par);
      key[k] = c.key;
      ids[k] = c.id;
      handle[k] = c.handle;
      platform[k] = c.platform;
      niche[k] = c.niche;
      tier[k] = c.tier;
      followers[k] = c.followers;
      fake[k] = a.fake_mean;
      conc[k] = a.fake_concentration;
      reach[k] = a.reach_rate;
      epv[k] = a.engagement_per_view;
      share[k] = a.share_fraction;
      rel[k] = a.relevance;
      trust[k] = par.base_conversion_rate > 0 ? a.conversion_prob / par.base_conversion_rate
                                              : par.trust[c.tier < kTierCount ? c.tier : 1];
      incident[k] = a.incident_probability;
      price[k] = c.price;
      cost[k] = a.fee;
      score[k] = c.score;
      exp_reach[k] = e.reached;
      exp_conv[k] = e.conversions_before_overlap;
    }
    const std::string h = "hired/";
    write_dataset(id, h + "key", key, "",
                  "influencer key: row in the candidate source (keys the random streams)");
    write_dataset(id, h + "id", ids, "", "profile id");
    write_dataset(id, h + "handle", handle, "", "profile handle");
    categorical(id, h + "platform", platform, names(kPlatformNames), "platform");
    categorical(id, h + "niche", niche, names(kNicheNames), "niche");
    categorical(id, h + "tier", tier, names(kTierNames), "tier");
    // Each account's audience.
    write_dataset(id, h + "followers", followers, "followers", "followers");
    write_dataset(id, h + "fake_share", fake, "share", "estimated fake-follower share (beta mean)");
    write_dataset(id, h + "fake_concentration", conc, "",
                  "concentration a+b of the fake-share beta");
    write_dataset(id, h + "relevance", rel, "share", "share of the audience in the target niche");
    // How a post reaches that audience and turns it into purchases.
    write_dataset(id, h + "reach_rate", reach, "share",
                  "tier mean share of authentic followers reached per post");
    write_dataset(id, h + "views_engagement", epv, "engagements per impression",
                  "authentic engagements per impression");
    write_dataset(id, h + "share_fraction", share, "share", "shares as a fraction of engagements");
    write_dataset(id, h + "trust", trust, "", "tier trust factor on conversion");
    write_dataset(id, h + "incident_probability", incident, "probability",
                  "brand-safety incident in the campaign window");
    // What a hire costs, its score, and what it brings with every draw at its expectation.
    write_dataset(id, h + "price", price, "USD", "fee per post");
    write_dataset(id, h + "cost", cost, "USD", "price x posts");
    write_dataset(id, h + "score", score, "0-100", "composite score");
    write_dataset(id, h + "expected_reach", exp_reach, "people",
                  "noise-off people reached: followers + share viewers (before overlap)");
    write_dataset(id, h + "expected_conversions", exp_conv, "purchases",
                  "noise-off conversions (before overlap)");
  }
}

void write_summary(hid_t file, const std::vector<PortfolioSummary>& s) {
  const SummaryTable t = summary_table(s);
  h5::Handle g = h5::ensure_group(file, "summary");
  const hid_t id = g.get();
  write_dataset(id, "strategy", t.strategy, "", "strategy index i (/strategies/<i>)");
  categorical(id, "metric", t.metric, names(kMetricNames), "metric");
  write_attr(id, "units", names(kMetricUnits));
  write_dataset(id, "mean", t.mean, "", "mean over trials");
  write_dataset(id, "se", t.se, "", "standard error of the mean");
  write_dataset(id, "sd", t.sd, "", "standard deviation over trials");
  write_dataset(id, "p5", t.p5, "", "5th percentile (linear interpolation)");
  write_dataset(id, "p50", t.p50, "", "median");
  write_dataset(id, "p95", t.p95, "", "95th percentile");
  write_dataset(id, "shortfall", t.shortfall, "",
                "mean of the worst 5 % of trials (lowest; highest for cost)");
  write_dataset(id, "p_negative", t.p_negative, "probability", "share of trials below 0");
  write_dataset(id, "expected", t.expected, "", "noise-off value of the metric");
}

void write_comparisons(hid_t file, const SimResult& r) {
  const Comparisons c = comparisons(r);
  h5::Handle g = h5::ensure_group(file, "comparisons");
  const hid_t id = g.get();
  write_dataset(id, "a", c.a, "", "strategy index");
  write_dataset(id, "b", c.b, "", "strategy index");
  write_dataset(id, "p_a_beats_b", c.p_a_beats_b, "probability",
                "share of trials with profit of a > profit of b (ties count half)");
  write_dataset(id, "mean_difference", c.mean_difference, "USD", "mean of profit_a - profit_b");
  write_dataset(id, "se_difference", c.se_difference, "USD",
                "standard error of the paired difference");
}

void write_trials(hid_t file, const SimResult& r) {
  if (!r.has_values) throw Error("per-trial values were not kept: cannot write /trials");
  h5::Handle g = h5::ensure_group(file, "trials");
  write_dataset(g.get(), "conversion_shock", r.conversion_shock, "",
                "shared conversion multiplier of each trial (mean 1)");
  write_dataset(g.get(), "reach_shock", r.reach_shock, "",
                "shared reach multiplier of each trial (mean 1)");
  for (std::size_t i = 0; i < r.values.size(); ++i)
    for (std::size_t k = 0; k < kMetricCount; ++k)
      write_dataset(g.get(), std::to_string(i) + "/" + std::string(kMetricNames[k]), r.values[i][k],
                    kMetricUnits[k], "per-trial total");
}

std::vector<StrategyHires> read_hires(const std::string& path) {
  const h5::File f = h5::File::open(path, {h5::kFiletypeCampaign, h5::kFiletypeSweep});
  std::vector<StrategyHires> out;
  for (std::size_t i = 0; h5::exists(f.id(), "strategies/" + std::to_string(i)); ++i) {
    const std::string g = "strategies/" + std::to_string(i);
    StrategyHires s;
    {
      const h5::Handle grp = h5::ensure_group(f.id(), g);  // exists: opened, not created
      s.spec = h5::read_attr_string(grp.get(), "spec");
      s.label = h5::read_attr_string(grp.get(), "label");
    }
    const std::string h = g + "/hired/";
    if (h5::exists(f.id(), h + "id")) {
      s.id = h5::read_dataset<std::uint64_t>(f.id(), h + "id", path);
      s.handle = h5::read_dataset<std::string>(f.id(), h + "handle", path);
      s.platform = h5::read_dataset<std::uint8_t>(f.id(), h + "platform", path);
      s.niche = h5::read_dataset<std::uint8_t>(f.id(), h + "niche", path);
      s.tier = h5::read_dataset<std::uint8_t>(f.id(), h + "tier", path);
      s.followers = h5::read_dataset<double>(f.id(), h + "followers", path);
      s.price = h5::read_dataset<double>(f.id(), h + "price", path);
      s.fee = h5::read_dataset<double>(f.id(), h + "cost", path);
      s.expected_reach = h5::read_dataset<double>(f.id(), h + "expected_reach", path);
      s.expected_conversions = h5::read_dataset<double>(f.id(), h + "expected_conversions", path);
      s.score = h5::read_dataset<double>(f.id(), h + "score", path);
      s.fake_share = h5::read_dataset<double>(f.id(), h + "fake_share", path);
      const std::size_t n = s.id.size();
      for (const std::size_t len :
           {s.handle.size(), s.platform.size(), s.niche.size(), s.tier.size(), s.followers.size(),
            s.price.size(), s.fee.size(), s.expected_reach.size(), s.expected_conversions.size(),
            s.score.size(), s.fake_share.size()})
        if (len != n)
          throw InputError(path, 0, 0,
                           h + "*: the hire columns have different lengths (" + std::to_string(n) +
                               " ids, " + std::to_string(len) + " values in another column)");
    }
    out.push_back(std::move(s));
  }
  if (out.empty()) throw InputError(path, 0, 0, "has no strategies/0 group: no hires to list");
  return out;
}

}  // namespace microreach::io
