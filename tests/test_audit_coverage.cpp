// Coverage of the audit's fake-share interval on a population the classifier was not fitted on.
// The default model's Se/Sp were cross-validated on SRF; on InstaFake the same model flags 173 of
// 200 fake and 54 of 994 real accounts (microreach audit evaluate instafake_*.json --label isFake
// --model default). A sample of n followers with true fake share pi then has
// K ~ Binomial(n, Se_t pi + (1 - Sp_t)(1 - pi)) flagged, and the coverage of the interval is
// computed exactly: sum over k of P(K = k) [lo(k) <= pi <= hi(k)] (no Monte Carlo noise).
// scripts/audit_coverage.sh prints the full table of docs/model.md from this test
// (MICROREACH_COVERAGE_TABLE=1).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "microreach/audit/audit.hpp"

using namespace microreach;
using namespace microreach::audit;

namespace {

struct Population {
  const char* name;
  double se, sp;  // the default classifier's true accuracy on it
};
// SRF: the population the model was fitted on (its cross-validated figures); InstaFake: tested.
constexpr Population kSrf{"SRF", 81.0 / 98.0, 793.0 / 877.0};
constexpr Population kInstaFake{"InstaFake", 173.0 / 200.0, 940.0 / 994.0};

// The shipped default: Se/Sp cross-validated on SRF, with or without the transfer spread.
ClassifierAccuracy default_accuracy(bool with_spread) {
  ClassifierAccuracy a{0.82653061224489799, 0.90421892816419613, 98, 877};
  if (with_spread) {
    const TransferSpread t = default_transfer_spread();
    a.transfer_sd_sensitivity = t.sensitivity_sd;
    a.transfer_sd_specificity = t.specificity_sd;
  }
  return a;
}

struct Cell {
  double coverage = 0;    // P(lo <= pi <= hi)
  double mean_width = 0;  // E[hi - lo]
};

Cell exact_coverage(const Population& pop, double pi, int n, const ClassifierAccuracy& acc) {
  const double p = pop.se * pi + (1.0 - pop.sp) * (1.0 - pi);
  Cell c;
  for (int k = 0; k <= n; ++k) {
    const double logpmf = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) +
                          k * std::log(p) + (n - k) * std::log1p(-p);
    const double pmf = std::exp(logpmf);
    if (pmf < 1e-13) continue;
    const ShareEstimate e =
        estimate_share(static_cast<std::uint64_t>(k), static_cast<std::uint64_t>(n), acc,
                       IntervalMethod::wilson, 0.95);
    if (e.corrected_ci.lo <= pi && pi <= e.corrected_ci.hi) c.coverage += pmf;
    c.mean_width += pmf * e.corrected_ci.width();
  }
  return c;
}

}  // namespace

TEST_CASE("between_study_sd is the DerSimonian-Laird estimate of two proportions", "[audit]") {
  // Hand computation, Sp of the default model: p1 = 793/877 = 0.904218, v1 = p1(1-p1)/877 =
  // 9.8766e-5; p2 = 940/994 = 0.945674, v2 = 5.1689e-5; w1 = 10124.9, w2 = 19346.5,
  // pw = 0.931430; Q = w1 (p1-pw)^2 + w2 (p2-pw)^2 = 7.4960 + 3.9228 = 11.419;
  // C = w - (w1^2 + w2^2)/w = 29471.4 - 16181.0 = 13290.4; tau = sqrt(10.419 / 13290.4) = 0.02800.
  CHECK(between_study_sd(793, 877, 940, 994) == Approx(0.02800).epsilon(2e-3));
  // Se: Q = 0.70 < 1 (the two studies agree within their sampling error): tau = 0.
  CHECK(between_study_sd(81, 98, 173, 200) == 0.0);
  // Identical studies: Q = 0 -> 0; a 100 % in one study: |p1 - p2| / sqrt(2).
  CHECK(between_study_sd(50, 100, 50, 100) == 0.0);
  CHECK(between_study_sd(10, 10, 8, 10) == Approx(0.2 / std::sqrt(2.0)));
  const TransferSpread t = default_transfer_spread();
  CHECK(t.sensitivity_sd == 0.0);
  CHECK(t.specificity_sd == Approx(0.02800).epsilon(2e-3));
}

TEST_CASE("the transfer spread adds its variance to the measured one", "[audit]") {
  ClassifierAccuracy a{0.8, 0.9, 96, 96};
  // Agresti-Coull: s = (0.8*96 + 2)/100 = 0.788, s(1-s)/100 = 0.00167056.
  CHECK(a.sensitivity_variance() == Approx(0.00167056).epsilon(1e-9));
  a.transfer_sd_sensitivity = 0.03;  // + 0.0009
  CHECK(a.sensitivity_variance() == Approx(0.00257056).epsilon(1e-9));
  // s = (0.9*96 + 2)/100 = 0.884, s(1-s)/100 = 0.00102544; + 0.02^2
  a.transfer_sd_specificity = 0.02;
  CHECK(a.specificity_variance() == Approx(0.00142544).epsilon(1e-9));
}

TEST_CASE("audit interval covers 90 % on InstaFake with the shipped defaults",
          "[audit][coverage]") {
  const ClassifierAccuracy now = default_accuracy(true);
  const ClassifierAccuracy before = default_accuracy(false);
  const bool table = std::getenv("MICROREACH_COVERAGE_TABLE") != nullptr;
  if (table)
    std::printf(
        "| study | true share | n | coverage | mean width | without the spread: coverage | "
        "width | width ratio |\n|---|---|---|---|---|---|---|---|\n");
  for (const Population& pop : {kInstaFake, kSrf})
    for (double pi : {0.05, 0.20, 0.50})
      for (int n : {100, 400, 1000}) {
        const Cell c = exact_coverage(pop, pi, n, now);
        const Cell b = exact_coverage(pop, pi, n, before);
        if (table)
          std::printf("| %s | %.0f %% | %d | %.1f %% | %.3f | %.1f %% | %.3f | %.2f |\n", pop.name,
                      pi * 100, n, c.coverage * 100, c.mean_width, b.coverage * 100, b.mean_width,
                      c.mean_width / b.mean_width);
        INFO(pop.name << " share " << pi << " n " << n << ": coverage " << c.coverage << " (before "
                      << b.coverage << "), width " << c.mean_width << " (before " << b.mean_width
                      << ")");
        const std::string_view name = pop.name;
        if (name == "InstaFake") CHECK(c.coverage >= 0.90);
        // Where the interval without the spread covered, the new one is at most twice as wide.
        if (b.coverage >= 0.90) CHECK(c.mean_width <= 2.0 * b.mean_width);
        // And on the population it was fitted on it still covers.
        if (name == "SRF") CHECK(c.coverage >= 0.90);
      }
}
