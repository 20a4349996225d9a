#include "microreach/sim/plan.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <sstream>

#include "microreach/error.hpp"
#include "microreach/format.hpp"

namespace microreach::sim {
namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Strict number parse: the whole text must be a finite number.
bool parse_number(const std::string& text, double& out) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  char* end = nullptr;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && std::isfinite(out);
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

// ------------------------------------------------------------------ sweep specification
std::string_view axis_name(SweepAxis a) {
  constexpr std::string_view kNames[] = {"micro-count", "mix", "budget"};
  return kNames[static_cast<std::size_t>(a)];
}

SweepSpec parse_sweep_spec(const std::string& option, const std::string& text) {
  const std::string allowed =
      "AXIS=LO..HI[:STEP] with AXIS one of micro-count (whole numbers >= 1, step 1 by default), "
      "mix (shares in [0, 1]) or budget (USD > 0), e.g. micro-count=1..200, mix=0..1:0.1, "
      "budget=5000..100000:5000";
  const auto eq = text.find('=');
  if (eq == std::string::npos) throw ConfigError(option, text, allowed);
  const std::string axis = trim(text.substr(0, eq));
  SweepSpec s;
  if (axis == "micro-count" || axis == "micro_count" || axis == "n")
    s.axis = SweepAxis::micro_count;
  else if (axis == "mix")
    s.axis = SweepAxis::mix;
  else if (axis == "budget")
    s.axis = SweepAxis::budget;
  else
    throw ConfigError(option, text, "unknown axis '" + axis + "'; " + allowed);
  const std::string range = text.substr(eq + 1);
  const auto dots = range.find("..");
  if (dots == std::string::npos) throw ConfigError(option, text, allowed);
  const auto colon = range.find(':', dots);
  double lo = 0, hi = 0, step = 0;
  if (!parse_number(range.substr(0, dots), lo) ||
      !parse_number(
          range.substr(dots + 2, colon == std::string::npos ? std::string::npos : colon - dots - 2),
          hi))
    throw ConfigError(option, text, allowed);
  if (colon == std::string::npos) {
    if (s.axis != SweepAxis::micro_count)
      throw ConfigError(
          option, text,
          "a step (':STEP') for the " + std::string(axis_name(s.axis)) + " axis; " + allowed);
    step = 1;
  } else if (!parse_number(range.substr(colon + 1), step)) {
    throw ConfigError(option, text, allowed);
  }
  if (!(step > 0)) throw ConfigError(option, text, "a step > 0; " + allowed);
  if (!(hi >= lo)) throw ConfigError(option, text, "LO <= HI; " + allowed);
  switch (s.axis) {
    case SweepAxis::micro_count:
      if (lo < 1 || lo != std::floor(lo) || step != std::floor(step) || hi > 1e6)
        throw ConfigError(
            option, text,
            "whole numbers of accounts from 1 to 1000000 with a whole step; " + allowed);
      break;
    case SweepAxis::mix:
      if (lo < 0 || hi > 1) throw ConfigError(option, text, "shares in [0, 1]; " + allowed);
      break;
    case SweepAxis::budget:
      if (!(lo > 0) || hi > 1e12)
        throw ConfigError(option, text, "budgets in USD above 0 (at most 1e12); " + allowed);
      break;
  }
  const double count = std::floor((hi - lo) / step + 1e-9) + 1;
  if (count > static_cast<double>(kMaxSweepPoints))
    throw ConfigError(option, text,
                      "at most " + std::to_string(kMaxSweepPoints) + " points (this gives " +
                          num(count) + "); use a larger step");
  for (std::size_t k = 0; k < static_cast<std::size_t>(count); ++k) {
    double v = lo + static_cast<double>(k) * step;
    // Grid values like 0.30000000000000004 are printed and stored as the decimal they mean.
    v = std::round(v * 1e9) / 1e9;
    s.values.push_back(std::min(v, hi));
  }
  return s;
}

void check_sweep_strategy(const SweepSpec& spec, const std::string& strategy) {
  if (spec.axis == SweepAxis::micro_count) {
    if (strategy != "micro-even" && strategy != "micro-even-split" && strategy != "micro-top")
      throw ConfigError("--strategy", strategy,
                        "micro-even (default: nested even split), micro-even-split or micro-top "
                        "for a micro-count sweep");
  } else if (spec.axis == SweepAxis::budget) {
    parse_strategy(strategy, "--strategy");
  }
}

SweepPoints build_sweep_points(const SweepSpec& spec, const std::string& strategy,
                               const StrategyContext& ctx_in) {
  check_sweep_strategy(spec, strategy);
  SweepPoints out;
  out.spec.axis = spec.axis;
  if (spec.values.empty()) return out;
  StrategyContext ctx = ctx_in;
  const double budget = ctx_in.budget;
  const double n_max = spec.values.back();
  std::optional<Portfolio> top;
  if (spec.axis == SweepAxis::micro_count && strategy == "micro-top")
    top = build_portfolio(parse_strategy("micro-top", "--strategy"), ctx);
  for (double v : spec.values) {
    ctx.budget = spec.axis == SweepAxis::budget ? v : budget;
    if (spec.axis == SweepAxis::micro_count && strategy == "micro-even")
      ctx.budget = v == n_max ? budget : v * (budget / n_max);
    ctx.budget_key = spec.axis == SweepAxis::budget ? "--over" : ctx_in.budget_key;
    Portfolio pf;
    try {
      if (top) {
        const auto n = static_cast<std::size_t>(v);
        if (n > top->hired.size()) {
          out.skipped.emplace_back(v, "micro-top hires only " + std::to_string(top->hired.size()) +
                                          " micro accounts with " + format::money(budget));
          continue;
        }
        pf.spec = pf.label = "micro-top:" + std::to_string(n);
        pf.hired.assign(top->hired.begin(), top->hired.begin() + static_cast<std::ptrdiff_t>(n));
      } else {
        std::string text;
        switch (spec.axis) {
          case SweepAxis::micro_count:
            text = "micro-even:" + std::to_string(static_cast<std::uint64_t>(v));
            break;
          case SweepAxis::mix:
            text = "mix:" + num(v);
            break;
          case SweepAxis::budget:
            text = strategy;
            break;
        }
        pf = build_portfolio(parse_strategy(text, "--over"), ctx);
      }
    } catch (const ConfigError& e) {
      out.skipped.emplace_back(v, e.what());
      continue;
    }
    pf.budget = ctx.budget;
    if (spec.axis == SweepAxis::micro_count && pf.hired.size() < static_cast<std::size_t>(v)) {
      out.skipped.emplace_back(v, "only " + std::to_string(pf.hired.size()) +
                                      " micro accounts fit" +
                                      (pf.note.empty() ? std::string() : " (" + pf.note + ")"));
      continue;
    }
    if (pf.hired.empty()) {
      out.skipped.emplace_back(v, "the strategy hires nobody");
      continue;
    }
    if (spec.axis == SweepAxis::budget) pf.label = pf.spec + " @ " + format::money(v);
    out.spec.values.push_back(v);
    out.portfolios.push_back(std::move(pf));
  }
  return out;
}

namespace {
// Each objective: its name (as --objective takes it) and the summary metric it maximises.
struct ObjectiveInfo {
  std::string_view name;
  Metric metric;
};
constexpr ObjectiveInfo kObjectives[] = {{"profit", Metric::profit},
                                         {"reach", Metric::unique_reach},
                                         {"conversions", Metric::conversions},
                                         {"roi", Metric::roi}};
static_assert(std::size(kObjectives) == static_cast<std::size_t>(Objective::roi) + 1);
}  // namespace

std::string_view objective_name(Objective o) {
  return kObjectives[static_cast<std::size_t>(o)].name;
}

Objective parse_objective(const std::string& option, const std::string& text) {
  std::string names;
  for (std::size_t k = 0; k < std::size(kObjectives); ++k) {
    if (text == kObjectives[k].name) return static_cast<Objective>(k);
    names += (k ? ", " : "") + std::string(kObjectives[k].name);
  }
  throw ConfigError(option, text, "one of " + names);
}

Metric objective_metric(Objective o) {
  return kObjectives[static_cast<std::size_t>(o)].metric;
}

// ------------------------------------------------------------------ frontier
Frontier risk_return_frontier(const std::vector<FrontierInput>& pts) {
  const std::size_t n = pts.size();
  for (std::size_t i = 0; i < n; ++i)
    if (std::isnan(pts[i].expected_profit) || std::isnan(pts[i].shortfall))
      throw Error("risk-return frontier: point " + std::to_string(i) +
                  " has no expected profit or expected shortfall (the run kept no trial values)");
  Frontier f;
  f.dominated.assign(n, 0);
  f.dominated_by.assign(n, -1);
  // O(n log n): walk the points by decreasing shortfall, a group of equal shortfall at a time,
  // keeping the best point seen so far by (expected profit, shortfall, lowest index). A point is
  // dominated exactly when that best point (over every point with shortfall >= its own, its
  // group included) differs from it in profit or shortfall; the best point is then the
  // dominator with the highest profit, then shortfall, then lowest index.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return pts[a].shortfall > pts[b].shortfall;
  });
  const auto better = [&](std::size_t a, std::size_t b) {  // a ranks above b as a dominator
    if (pts[a].expected_profit != pts[b].expected_profit)
      return pts[a].expected_profit > pts[b].expected_profit;
    if (pts[a].shortfall != pts[b].shortfall) return pts[a].shortfall > pts[b].shortfall;
    return a < b;
  };
  std::size_t best = n;  // none yet
  for (std::size_t g = 0; g < n;) {
    std::size_t e = g;
    while (e < n && pts[order[e]].shortfall == pts[order[g]].shortfall) ++e;
    for (std::size_t k = g; k < e; ++k)
      if (best == n || better(order[k], best)) best = order[k];
    for (std::size_t k = g; k < e; ++k) {
      const std::size_t i = order[k];
      if (pts[best].expected_profit != pts[i].expected_profit ||
          pts[best].shortfall != pts[i].shortfall) {
        f.dominated[i] = 1;
        f.dominated_by[i] = static_cast<std::int64_t>(best);
      }
    }
    g = e;
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!f.dominated[i]) f.frontier.push_back(i);
  std::stable_sort(f.frontier.begin(), f.frontier.end(), [&](std::size_t a, std::size_t b) {
    return pts[a].shortfall > pts[b].shortfall;
  });
  return f;
}

// ------------------------------------------------------------------ histograms
Histograms histograms(const SimResult& r, Metric metric, std::size_t bins) {
  if (!r.has_values) throw Error("histograms need the per-trial values of the run");
  const std::size_t np = r.values.size(), k = idx(metric);
  Histograms h;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  std::vector<double> sorted;
  for (std::size_t p = 0; p < np; ++p) {
    sorted = r.values[p][k];
    if (sorted.empty()) continue;
    std::sort(sorted.begin(), sorted.end());
    lo = std::min(lo, quantile_sorted(sorted, 0.005));
    hi = std::max(hi, quantile_sorted(sorted, 0.995));
  }
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi <= lo) {
    const double pad = std::max(1e-9, std::abs(lo) * 0.01);
    lo -= pad;
    hi += pad;
  }
  h.edges.resize(bins + 1);
  for (std::size_t b = 0; b <= bins; ++b)
    h.edges[b] = lo + (hi - lo) * static_cast<double>(b) / static_cast<double>(bins);
  h.edges[bins] = hi;
  h.counts.assign(np, std::vector<std::uint64_t>(bins, 0));
  h.underflow.assign(np, 0);
  h.overflow.assign(np, 0);
  const double width = (hi - lo) / static_cast<double>(bins);
  for (std::size_t p = 0; p < np; ++p) {
    for (double v : r.values[p][k]) {
      if (v < lo) {
        ++h.underflow[p];
      } else if (v > hi) {
        ++h.overflow[p];
      } else {
        std::size_t b = static_cast<std::size_t>((v - lo) / width);
        if (b >= bins) b = bins - 1;
        // Keep bins half-open [e_b, e_b+1) against rounding of (v - lo) / width.
        while (b > 0 && v < h.edges[b]) --b;
        while (b + 1 < bins && v >= h.edges[b + 1]) ++b;
        ++h.counts[p][b];
      }
    }
  }
  return h;
}

// ------------------------------------------------------------------ sweep
std::uint64_t kept_values_bytes(std::uint64_t trials, std::size_t portfolios) {
  return trials * static_cast<std::uint64_t>(portfolios) * kMetricCount * sizeof(double);
}

std::size_t best_point(const std::vector<PortfolioSummary>& summary, Objective o) {
  const std::size_t k = idx(objective_metric(o));
  std::size_t best = 0;
  for (std::size_t i = 1; i < summary.size(); ++i)
    if (summary[i][k].mean > summary[best][k].mean) best = i;
  return best;
}

SweepResult run_sweep(const ModelParams& params, const SweepSpec& spec, const PointBuilder& build,
                      const SweepOptions& opt) {
  if (spec.values.empty()) throw ConfigError("--over", "", "at least one sweep point");
  const std::uint64_t bytes = kept_values_bytes(opt.trials, spec.values.size());
  if (bytes > opt.max_memory_bytes)
    throw ConfigError("--trials", std::to_string(opt.trials),
                      "at most " +
                          std::to_string(opt.max_memory_bytes /
                                         (spec.values.size() * kMetricCount * sizeof(double))) +
                          " trials for " + std::to_string(spec.values.size()) +
                          " sweep points (every trial value is kept for the quantiles: " +
                          num(static_cast<double>(bytes) / (1 << 30)) + " GiB asked)");
  SweepResult r;
  r.spec = spec;
  r.objective = opt.objective;
  for (double v : spec.values) {
    Portfolio p = build(v);
    SweepPoint pt;
    pt.value = v;
    pt.budget = opt.point_budget                 ? opt.point_budget(v)
                : spec.axis == SweepAxis::budget ? v
                                                 : opt.budget;
    pt.hired = p.hired.size();
    pt.cost = p.fees(params.posts);
    r.points.push_back(pt);
    r.portfolios.push_back(std::move(p));
  }
  const CampaignModel model(params, r.portfolios);
  SimOptions so;
  so.seed = opt.seed;
  so.trials = opt.trials;
  so.keep_values = true;
  // Neighbouring points only: "does one more step along the axis pay?", paired.
  for (std::size_t i = 0; i + 1 < spec.values.size(); ++i)
    so.compare.emplace_back(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1));
  r.sim = simulate(model, so);
  r.summary = summarize(model, r.sim);
  const std::size_t k = idx(objective_metric(opt.objective));
  for (std::size_t i = 0; i < r.points.size(); ++i)
    r.points[i].objective_value = r.summary[i][k].mean;
  r.best = best_point(r.summary, opt.objective);
  std::vector<FrontierInput> fin;
  for (const auto& s : r.summary)
    fin.push_back({s[idx(Metric::profit)].mean, s[idx(Metric::profit)].shortfall});
  r.frontier = risk_return_frontier(fin);
  r.profit_hist = histograms(r.sim, Metric::profit);
  r.roi_hist = histograms(r.sim, Metric::roi);
  return r;
}

namespace {

// Columns padded to their widest cell; the first left-aligned, the others right-aligned.
std::string layout_rows(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& cells : rows) {
    if (width.size() < cells.size()) width.resize(cells.size(), 0);
    for (std::size_t c = 0; c < cells.size(); ++c) width[c] = std::max(width[c], cells[c].size());
  }
  std::string out;
  for (const auto& cells : rows) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string fill(width[c] - cells[c].size(), ' ');
      line += c == 0 ? cells[c] + fill : fill + cells[c];
      if (c + 1 < cells.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string format_sweep_table(const SweepResult& r) {
  using namespace format;
  const std::string axis(axis_name(r.spec.axis));
  const auto value_text = [&](double v) {
    switch (r.spec.axis) {
      case SweepAxis::budget:
        return money(v);
      case SweepAxis::mix:
        return percent(v);
      default:
        return count(v);
    }
  };
  bool any_unspent = false;
  for (const SweepPoint& p : r.points) any_unspent |= p.cost < kUnspentShown * p.budget;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {axis, "hired", "spend (USD)"};
  if (any_unspent) head.push_back("unspent (USD)");
  for (const char* h : {"reach (people)", "reach 90% interval", "conversions", "profit (USD)",
                        "profit 90% interval", "ROI", "P(loss)"})
    head.push_back(h);
  head.push_back(std::string(kShortfall) + " (USD)");
  head.push_back("");
  rows.push_back(head);
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const SweepPoint& p = r.points[i];
    const PortfolioSummary& s = r.summary[i];
    const MetricSummary& reach = s[idx(Metric::unique_reach)];
    const MetricSummary& profit = s[idx(Metric::profit)];
    const MetricSummary& roi = s[idx(Metric::roi)];
    std::vector<std::string> cells = {value_text(p.value), count(p.hired), money(p.cost)};
    if (any_unspent) cells.push_back(money(std::max(0.0, p.budget - p.cost)));
    for (std::string c :
         {count(reach.mean), "[" + count(reach.p5) + ", " + count(reach.p95) + "]",
          count(s[idx(Metric::conversions)].mean), money(profit.mean),
          "[" + money(profit.p5) + ", " + money(profit.p95) + "]", percent(roi.mean, true),
          percent(profit.p_negative), money(profit.shortfall)})
      cells.push_back(std::move(c));
    std::string mark = i == r.best ? "<- best " + std::string(objective_name(r.objective)) : "";
    if (!r.frontier.dominated.empty() && !r.frontier.dominated[i])
      mark += mark.empty() ? "(frontier)" : " (frontier)";
    cells.push_back(mark);
    rows.push_back(std::move(cells));
  }
  std::string out = layout_rows(rows);
  if (any_unspent)
    out +=
        "unspent = the point's budget minus its fees, kept as cash (it adds nothing to "
        "profit).\n";
  return out;
}

// ------------------------------------------------------------------ sensitivity
namespace {

double clamp_share(double v) {
  return std::clamp(v, 0.0, 1.0);
}

SensitivityInput scalar_input(std::string name, std::string description, double ModelParams::*field,
                              double lo, double hi) {
  SensitivityInput in;
  in.name = std::move(name);
  in.description = std::move(description);
  in.base_value = [field](const ModelParams& p, const Portfolio&) { return p.*field; };
  in.scale = [field, lo, hi](double f, ModelParams& p, std::vector<Portfolio>&) {
    p.*field = std::clamp(p.*field * f, lo, hi);
  };
  return in;
}

using TierArray = std::array<double, kTierCount>;
SensitivityInput tier_input(std::string name, std::string description,
                            TierArray ModelParams::*field, double lo, double hi) {
  SensitivityInput in;
  in.name = std::move(name);
  in.description = std::move(description);
  // Base value shown: the strategy's own, the mean over its hires of their tier's value
  // (every tier is scaled by the same factor).
  in.base_value = [field](const ModelParams& p, const Portfolio& pf) {
    double sum = 0;
    for (const Candidate& c : pf.hired) sum += (p.*field)[c.tier < kTierCount ? c.tier : 1];
    return pf.hired.empty() ? (p.*field)[static_cast<std::size_t>(Tier::micro)]
                            : sum / static_cast<double>(pf.hired.size());
  };
  in.scale = [field, lo, hi](double f, ModelParams& p, std::vector<Portfolio>&) {
    for (double& v : p.*field) v = std::clamp(v * f, lo, hi);
  };
  return in;
}

// Mean of a candidate field over the hired accounts of one portfolio (NaN skipped).
double mean_hired(const Portfolio& p, double Candidate::*field) {
  double sum = 0, n = 0;
  for (const auto& c : p.hired)
    if (!std::isnan(c.*field)) sum += c.*field, n += 1;
  return n > 0 ? sum / n : 0.0;
}

SensitivityInput candidate_input(std::string name, std::string description,
                                 double Candidate::*field) {
  SensitivityInput in;
  in.name = std::move(name);
  in.description = std::move(description);
  in.base_value = [field](const ModelParams&, const Portfolio& p) { return mean_hired(p, field); };
  in.scale = [field](double f, ModelParams&, std::vector<Portfolio>& ps) {
    for (auto& p : ps)
      for (auto& c : p.hired)
        if (!std::isnan(c.*field)) c.*field = clamp_share(c.*field * f);
  };
  return in;
}

}  // namespace

std::vector<SensitivityInput> default_sensitivity_inputs() {
  std::vector<SensitivityInput> v;
  v.push_back(scalar_input("campaign.conversion_rate",
                           "purchases per relevant person reached (base rate)",
                           &ModelParams::base_conversion_rate, 0.0, 1.0));
  v.push_back(scalar_input("campaign.average_order_value", "average order value (USD)",
                           &ModelParams::average_order_value, 0.0, 1e9));
  v.push_back(scalar_input("campaign.gross_margin", "gross margin (share of revenue)",
                           &ModelParams::gross_margin, 0.0, 1.0));
  v.push_back(tier_input("model.trust",
                         "trust factor on conversion (every tier; mean over the hires shown)",
                         &ModelParams::trust, 0.0, 1000.0));
  v.push_back(tier_input("model.reach_rate",
                         "share of authentic followers reached per post (every tier; mean over "
                         "the hires shown)",
                         &ModelParams::reach_rate, 1e-12, 1.0));
  v.push_back(scalar_input("model.reach_sigma", "post-to-post reach noise (log-sd)",
                           &ModelParams::reach_sigma, 0.0, 3.0));
  v.push_back(scalar_input("model.conversion_shock_sigma",
                           "shared conversion shock (log-sd, per trial)",
                           &ModelParams::conversion_shock_sigma, 0.0, 3.0));
  v.push_back(scalar_input("model.reach_shock_sigma", "shared reach shock (log-sd, per trial)",
                           &ModelParams::reach_shock_sigma, 0.0, 3.0));
  v.push_back(scalar_input("model.fake_share_concentration",
                           "certainty of the fake-share estimate (beta concentration)",
                           &ModelParams::fake_share_concentration, 1e-9, 1e9));
  v.push_back(
      tier_input("model.incident_probability",
                 "brand-safety incident probability (every tier; mean over the hires shown)",
                 &ModelParams::incident_probability, 0.0, 1.0));
  v.push_back(scalar_input("model.incident_cost_factor", "incident cost as a multiple of the fee",
                           &ModelParams::incident_cost_factor, 0.0, 1000.0));
  v.push_back(scalar_input("model.audience_size",
                           "audience per (platform, niche) for overlap (people)",
                           &ModelParams::audience_size, 1.0, 1e10));
  v.push_back(scalar_input("model.viewers_per_share", "viewers reached per share",
                           &ModelParams::viewers_per_share, 0.0, 1e6));
  v.push_back(scalar_input("model.default_share_fraction",
                           "shares per engagement when a profile has none",
                           &ModelParams::default_share_fraction, 0.0, 1.0));
  v.push_back(candidate_input("candidates.fake_share",
                              "estimated fake-follower share of each hired account (mean shown)",
                              &Candidate::fake_share));
  v.push_back(candidate_input("candidates.engagement_per_view",
                              "engagements per impression of each hired account (mean shown)",
                              &Candidate::engagement_per_view));
  return v;
}

RankBy parse_rank_by(const std::string& option, const std::string& text) {
  if (text == "mean") return RankBy::mean;
  if (text == "spread") return RankBy::spread;
  throw ConfigError(option, text, "mean (effect on mean ROI) or spread (effect on P95 - P5)");
}

namespace {
struct RoiStats {
  std::vector<double> mean, spread, profit;
};
RoiStats roi_stats(const ModelParams& p, const std::vector<Portfolio>& ps,
                   const SensitivityOptions& opt) {
  p.validate();
  const CampaignModel model(p, ps);
  SimOptions so;
  so.seed = opt.seed;
  so.trials = opt.trials;
  so.keep_values = true;
  const SimResult r = simulate(model, so);
  const auto s = summarize(model, r);
  RoiStats out;
  for (const auto& x : s) {
    out.mean.push_back(x[idx(Metric::roi)].mean);
    out.spread.push_back(x[idx(Metric::roi)].p95 - x[idx(Metric::roi)].p5);
    out.profit.push_back(x[idx(Metric::profit)].mean);
  }
  return out;
}
}  // namespace

std::vector<SensitivityRow> run_sensitivity(const ModelParams& base,
                                            const std::vector<Portfolio>& portfolios,
                                            const SensitivityOptions& opt,
                                            const std::vector<SensitivityInput>& inputs) {
  if (!(opt.range > 0.0 && opt.range < 1.0))
    throw ConfigError("--range", num(100 * opt.range), "a percentage in (0, 100)");
  if (portfolios.empty()) throw ConfigError("--strategies", "", "at least one strategy");
  const RoiStats b = roi_stats(base, portfolios, opt);
  std::vector<SensitivityRow> rows;
  std::vector<std::vector<std::size_t>> by_portfolio(portfolios.size());
  for (const auto& in : inputs) {
    ModelParams lo_p = base, hi_p = base;
    std::vector<Portfolio> lo_ps = portfolios, hi_ps = portfolios;
    in.scale(1.0 - opt.range, lo_p, lo_ps);
    in.scale(1.0 + opt.range, hi_p, hi_ps);
    const RoiStats lo = roi_stats(lo_p, lo_ps, opt);
    const RoiStats hi = roi_stats(hi_p, hi_ps, opt);
    for (std::size_t p = 0; p < portfolios.size(); ++p) {
      SensitivityRow r{.portfolio = p,
                       .parameter = in.name,
                       .description = in.description,
                       .base_value = in.base_value(base, portfolios[p]),
                       .low_value = in.base_value(lo_p, lo_ps[p]),
                       .high_value = in.base_value(hi_p, hi_ps[p]),
                       .roi_mean_base = b.mean[p],
                       .roi_mean_low = lo.mean[p],
                       .roi_mean_high = hi.mean[p],
                       .roi_spread_base = b.spread[p],
                       .roi_spread_low = lo.spread[p],
                       .roi_spread_high = hi.spread[p],
                       .profit_mean_low = lo.profit[p],
                       .profit_mean_high = hi.profit[p]};
      r.effect_mean = std::abs(r.roi_mean_high - r.roi_mean_low);
      r.effect_spread = std::abs(r.roi_spread_high - r.roi_spread_low);
      by_portfolio[p].push_back(rows.size());
      rows.push_back(std::move(r));
    }
  }
  std::vector<SensitivityRow> out;
  for (auto& ids : by_portfolio) {
    std::stable_sort(ids.begin(), ids.end(), [&](std::size_t a, std::size_t c) {
      const double ea = opt.rank_by == RankBy::mean ? rows[a].effect_mean : rows[a].effect_spread;
      const double ec = opt.rank_by == RankBy::mean ? rows[c].effect_mean : rows[c].effect_spread;
      return ea > ec;
    });
    std::uint32_t rank = 1;
    for (std::size_t id : ids) {
      rows[id].rank = rank++;
      out.push_back(rows[id]);
    }
  }
  return out;
}

std::string format_sensitivity_table(const std::vector<SensitivityRow>& rows,
                                     const std::vector<Portfolio>& portfolios, double range) {
  using namespace format;
  std::string o;
  std::vector<std::vector<std::string>> table;
  const std::string minus = "ROI at -" + number(100 * range) + "%";
  const std::string plus = "ROI at +" + number(100 * range) + "%";
  const auto flush = [&] {
    if (!table.empty()) o += layout_rows(table);
    table.clear();
  };
  std::size_t current = std::numeric_limits<std::size_t>::max();
  for (const auto& r : rows) {
    if (r.portfolio != current) {
      flush();
      current = r.portfolio;
      o += "\nSensitivity of " + portfolios[r.portfolio].label + " (each input -" +
           number(100 * range) + "% / +" + number(100 * range) + "%; base mean ROI " +
           percent(r.roi_mean_base, true) + ", ROI spread P95 - P5 " +
           points(r.roi_spread_base).substr(1) + ")\n";
      table.push_back({"input", "rank", "base value (this plan)", minus, plus, "effect on mean ROI",
                       "effect on ROI spread"});
    }
    table.push_back({r.parameter, std::to_string(r.rank), number(r.base_value),
                     percent(r.roi_mean_low, true), percent(r.roi_mean_high, true),
                     points(r.effect_mean).substr(1), points(r.effect_spread).substr(1)});
  }
  flush();
  if (!rows.empty())
    o += "Effects are in percentage points of ROI (|ROI at + minus ROI at -|); the spread is "
         "P95 - P5 of ROI. Tier inputs and candidate estimates show the mean over this plan's "
         "hires.\n";
  return o;
}

}  // namespace microreach::sim
