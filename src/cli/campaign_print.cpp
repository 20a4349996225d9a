#include "campaign_print.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

#include "microreach/format.hpp"
#include "microreach/sim/candidates.hpp"
#include "microreach/sim/strategy.hpp"

namespace microreach::cli {

using namespace microreach::sim;

namespace {

// Numbers follow the one set of rules of microreach/format.hpp.

std::string format_value(Metric m, double v) {
  switch (m) {
    case Metric::revenue:
    case Metric::cost:
    case Metric::profit:
      return format::money(v);
    case Metric::roi:
      return format::percent(v, true);
    case Metric::frequency:
      return format::number(v);
    default:
      return format::count(v);
  }
}

// "mean [P5, P95]"; a mean outside its own interval is marked '*' (explained under the table).
std::string interval(Metric m, const MetricSummary& s, bool& outside) {
  std::string t = format_value(m, s.mean);
  if (std::isfinite(s.p5)) {
    t += " [" + format_value(m, s.p5) + ", " + format_value(m, s.p95) + "]";
    if (s.mean < s.p5 || s.mean > s.p95) {
      t += "*";
      outside = true;
    }
  }
  return t;
}

std::string hired_text(const Portfolio& p) {
  std::size_t count[kTierCount] = {};
  for (const Candidate& c : p.hired) count[c.tier < kTierCount ? c.tier : 0]++;
  if (p.hired.empty()) return "nobody";
  if (p.hired.size() == 1)
    return "1 " + std::string(kTierNames[p.hired[0].tier < kTierCount ? p.hired[0].tier : 0]) +
           " (" + format::count(p.hired[0].followers) + " followers)";
  std::string tiers;
  for (std::size_t k = kTierCount; k-- > 1;)
    if (count[k])
      tiers += (tiers.empty() ? "" : " + ") + format::count(std::uint64_t{count[k]}) + " " +
               std::string(kTierNames[k]);
  return tiers;
}

void print_rows(const std::vector<std::vector<std::string>>& rows, std::ostream& os,
                std::size_t right_from = 1) {
  std::vector<std::size_t> width;
  for (const auto& cells : rows) {
    if (width.size() < cells.size()) width.resize(cells.size(), 0);
    for (std::size_t c = 0; c < cells.size(); ++c) width[c] = std::max(width[c], cells[c].size());
  }
  for (const auto& cells : rows) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string& cell = cells[c];
      const std::string fill(width[c] - cell.size(), ' ');
      line += c >= right_from && c > 0 ? fill + cell : cell + fill;
      if (c + 1 < cells.size()) line += "   ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    os << line << "\n";
  }
}

}  // namespace

// The first `limit` hires of each strategy, in hiring order (best first).
void print_hires(const CampaignModel& m, std::size_t limit, const std::string& out_file) {
  const ModelParams& par = m.params();
  for (const Portfolio& p : m.portfolios()) {
    const std::size_t shown = std::min(limit, p.hired.size());
    std::cout << "\nHires of " << p.label << ": " << format::count(std::uint64_t{p.hired.size()})
              << (p.hired.size() == 1 ? " account" : " accounts") << ", "
              << format::money(p.fees(par.posts)) << " of " << format::money(p.budget);
    if (shown < p.hired.size()) std::cout << " (first " << shown << " in hiring order)";
    std::cout << "\n";
    if (shown == 0) continue;
    std::vector<std::vector<std::string>> rows = {{"handle", "platform", "tier", "followers",
                                                   "fee (USD)", "expected reach (people)",
                                                   "score (0-100)"}};
    for (std::size_t k = 0; k < shown; ++k) {
      const Candidate& c = p.hired[k];
      const AccountModel a = make_account(c, par);
      rows.push_back({"@" + c.handle, std::string(platform_name(c.platform)),
                      std::string(kTierNames[c.tier < kTierCount ? c.tier : 0]),
                      format::count(c.followers), format::money(a.fee),
                      format::count(expect_account(a, par).reached), format::number(c.score)});
    }
    print_rows(rows, std::cout, 3);
    if (shown < p.hired.size())
      std::cout << "... and " << format::count(std::uint64_t{p.hired.size() - shown})
                << " more: --show-hires " << p.hired.size()
                << (out_file.empty() ? ""
                                     : ", or microreach export of the --out file with --hires -,")
                << " lists every hire\n";
  }
}

void print_table(const CampaignModel& m, const std::vector<PortfolioSummary>& s, const SimResult& r,
                 std::size_t baseline) {
  const auto& pfs = m.portfolios();
  const double posts = m.params().posts;
  const std::size_t np = pfs.size();
  std::vector<std::vector<std::string>> rows;
  auto row = [&](std::string label, auto cell) {
    std::vector<std::string> cells = {std::move(label)};
    for (std::size_t i = 0; i < np; ++i) cells.push_back(cell(i));
    rows.push_back(std::move(cells));
  };
  row("", [&](std::size_t i) { return pfs[i].label; });
  row("hired", [&](std::size_t i) { return hired_text(pfs[i]); });
  row("spend (USD, fees)", [&](std::size_t i) {
    const double fees = pfs[i].fees(posts);
    return format::money(fees) + " (" + format::percent(fees / pfs[i].budget) + ")";
  });
  bool any_unspent = false;
  for (const Portfolio& p : pfs) any_unspent |= p.fees(posts) < kUnspentShown * p.budget;
  if (any_unspent)
    row("unspent (USD, kept as cash)",
        [&](std::size_t i) { return format::money(pfs[i].unspent(posts)); });
  const std::pair<Metric, const char*> shown[] = {
      {Metric::unique_reach, "unique reach (people)"},
      {Metric::impressions, "impressions"},
      {Metric::frequency, "frequency (impressions per person)"},
      {Metric::engagements, "engagements"},
      {Metric::conversions, "conversions (purchases)"},
      {Metric::revenue, "revenue (USD)"},
      {Metric::cost, "cost (USD, fees + incidents)"},
      {Metric::profit, "profit (USD)"},
      {Metric::roi, "ROI (profit / cost)"}};
  bool outside = false;
  // A plain loop variable, not a structured binding: clang before 16 cannot capture those.
  for (const auto& shown_row : shown) {
    const Metric metric = shown_row.first;
    row(shown_row.second,
        [&](std::size_t i) { return interval(metric, s[i][idx(metric)], outside); });
  }
  row("P(loss)",
      [&](std::size_t i) { return format::percent(s[i][idx(Metric::profit)].p_negative); });
  row(std::string(format::kShortfall) + " (USD)",
      [&](std::size_t i) { return format::money(s[i][idx(Metric::profit)].shortfall); });
  if (np > 1) {
    row("P(beats " + pfs[baseline].label + ")", [&](std::size_t i) -> std::string {
      if (i == baseline) return "-";
      for (const PairStats& q : r.pairs) {
        if (q.a == i && q.b == baseline) return format::percent(q.p_a_beats_b());
        if (q.b == i && q.a == baseline) return format::percent(1.0 - q.p_a_beats_b());
      }
      return "n/a";
    });
  }
  print_rows(rows, std::cout);
  std::cout << "\nMeans with 90% intervals [P5, P95] over the trials; P(loss) = P(profit < 0); "
            << format::kShortfallHelp
            << " of profit;\nP(beats X) = share of trials in which the strategy's profit is "
               "higher than X's (same random numbers). Money a plan does not spend is kept as "
               "cash:\nit adds nothing to revenue, cost or profit, so profit compares plans at "
               "face value and ROI is on the money spent.\n";
  if (outside)
    std::cout << "* the mean lies outside its 90% interval: events in fewer than 5% of trials "
                 "(a brand-safety incident costs a second fee) pull it beyond P95.\n";
}

}  // namespace microreach::cli
