// Audience audit statistics: quantiles, binomial intervals, Rogan-Gladen, sample-size planning,
// and the coverage of the intervals on synthetic follower samples with a known fake share.
#include <catch2/catch.hpp>

#include <cmath>

#include "microreach/audit/audit.hpp"
#include "microreach/error.hpp"
#include "microreach/random.hpp"

using namespace microreach;
using namespace microreach::audit;

namespace {

// Draws one follower sample: each follower is fake with probability `share`; the classifier
// flags a fake one with probability se and a real one with probability 1 - sp.
std::uint64_t draw_flagged(Stream& s, std::uint64_t n, double share, double se, double sp) {
  std::uint64_t flagged = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const bool fake = s.bernoulli(share);
    flagged += s.bernoulli(fake ? se : 1.0 - sp) ? 1 : 0;
  }
  return flagged;
}

std::uint64_t draw_binomial(Stream& s, std::uint64_t n, double p) {
  std::uint64_t k = 0;
  for (std::uint64_t i = 0; i < n; ++i) k += s.bernoulli(p) ? 1 : 0;
  return k;
}

// Three binomial standard errors of a coverage estimated from `trials` runs at `level`.
double tolerance(double level, int trials) {
  return 3.0 * std::sqrt(level * (1.0 - level) / trials);
}

}  // namespace

TEST_CASE("normal_quantile matches reference values to full precision", "[audit]") {
  // reference: scipy.stats.norm.ppf
  CHECK(normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-14));
  CHECK(normal_quantile(0.3) == Approx(-0.5244005127080409).epsilon(1e-14));
  CHECK(normal_quantile(1e-10) == Approx(-6.361340902404056).epsilon(1e-13));
  CHECK(normal_quantile(0.5) == Approx(0.0).margin(1e-15));
  CHECK(std::isinf(normal_quantile(0.0)));
  CHECK(std::isnan(normal_quantile(1.5)));
}

TEST_CASE("incomplete_beta and beta_quantile match reference values", "[audit]") {
  // reference: scipy.special.betainc and scipy.stats.beta.ppf
  CHECK(incomplete_beta(2.5, 3.5, 0.4) == Approx(0.4869041915261175).epsilon(1e-12));
  CHECK(incomplete_beta(0.5, 0.5, 0.01) == Approx(0.06376856085851987).epsilon(1e-12));
  CHECK(incomplete_beta(200, 5000, 0.04) == Approx(0.7229968145007711).epsilon(1e-10));
  CHECK(incomplete_beta(3, 4, 0.0) == 0.0);
  CHECK(incomplete_beta(3, 4, 1.0) == 1.0);
  CHECK(beta_quantile(0.025, 3, 18) == Approx(0.0320709371854637).epsilon(1e-11));
  CHECK(beta_quantile(0.975, 4, 17) == Approx(0.37892682654531396).epsilon(1e-11));
  CHECK(beta_quantile(0.5, 0.3, 0.7) == Approx(0.15877468697850153).epsilon(1e-10));
  // the quantile inverts the CDF across the range
  for (double p : {1e-8, 0.01, 0.3, 0.77, 0.999999}) {
    const double x = beta_quantile(p, 7.5, 0.8);
    CHECK(incomplete_beta(7.5, 0.8, x) == Approx(p).epsilon(1e-10));
  }
}

TEST_CASE("Wilson and Clopper-Pearson intervals match reference values", "[audit]") {
  // Wilson: closed form with z = norm.ppf(0.975), evaluated in Python
  const auto w = wilson_interval(3, 20, 0.95);
  CHECK(w.lo == Approx(0.052368745896216595).epsilon(1e-12));
  CHECK(w.hi == Approx(0.36041886474075696).epsilon(1e-12));
  const auto w2 = wilson_interval(45, 400, 0.95);
  CHECK(w2.lo == Approx(0.08514845878595949).epsilon(1e-12));
  CHECK(w2.hi == Approx(0.14722356932312028).epsilon(1e-12));
  // Clopper-Pearson 3/20: beta.ppf(0.025, 3, 18), beta.ppf(0.975, 4, 17)
  const auto c = clopper_pearson_interval(3, 20, 0.95);
  CHECK(c.lo == Approx(0.0320709371854637).epsilon(1e-11));
  CHECK(c.hi == Approx(0.37892682654531396).epsilon(1e-11));
  // 0 of 50: [0, 1 - 0.025^(1/50)] (closed form)
  const auto c0 = clopper_pearson_interval(0, 50, 0.95);
  CHECK(c0.lo == 0.0);
  CHECK(c0.hi == Approx(1.0 - std::pow(0.025, 1.0 / 50)).epsilon(1e-12));
  const auto cn = clopper_pearson_interval(50, 50, 0.95);
  CHECK(cn.hi == 1.0);
  CHECK(cn.lo == Approx(std::pow(0.025, 1.0 / 50)).epsilon(1e-12));
  CHECK_THROWS_AS(wilson_interval(1, 10, 1.5), ConfigError);
}

TEST_CASE("Rogan-Gladen inverts the misclassification exactly and clips to [0, 1]", "[audit]") {
  // apparent = Se * pi + (1 - Sp) * (1 - pi), hand-computed for pi = 0.3, Se 0.8, Sp 0.9:
  // 0.24 + 0.07 = 0.31
  CHECK(rogan_gladen(0.31, 0.8, 0.9) == Approx(0.3).epsilon(1e-14));
  CHECK(rogan_gladen(0.05, 0.8, 0.9) == 0.0);  // below the false-positive rate
  CHECK(rogan_gladen_unclipped(0.05, 0.8, 0.9) == Approx(-0.05 / 0.7));
  CHECK(rogan_gladen(0.95, 0.8, 0.9) == 1.0);
  CHECK_THROWS_AS(rogan_gladen(0.3, 0.5, 0.5), Error);
}

TEST_CASE("Rogan-Gladen is unbiased for the true share over many synthetic samples", "[audit]") {
  // E[apparent] = Se pi + (1 - Sp)(1 - pi) and the estimator is linear in apparent, so the
  // unclipped estimate has expectation pi exactly; its sd is sqrt(a(1-a)/n)/(Se+Sp-1).
  const double pi = 0.18, se = 0.7, sp = 0.93;
  const std::uint64_t n = 400;
  const int trials = 3000;
  double sum = 0.0;
  for (int t = 0; t < trials; ++t) {
    Stream s(77, Purpose::audit, static_cast<std::uint64_t>(t));
    const auto flagged = draw_flagged(s, n, pi, se, sp);
    sum += rogan_gladen_unclipped(static_cast<double>(flagged) / n, se, sp);
  }
  const double a = se * pi + (1 - sp) * (1 - pi);
  const double sd = std::sqrt(a * (1 - a) / n) / (se + sp - 1);
  CHECK(std::fabs(sum / trials - pi) < 4.0 * sd / std::sqrt(trials));
}

TEST_CASE("Clopper-Pearson covers at least its nominal rate and Wilson close to it", "[audit]") {
  // Perfect classifier: the intervals on the sample alone. Clopper-Pearson is conservative by
  // construction; Wilson's coverage oscillates around the nominal level as p varies, so the
  // share is drawn per run from [0.03, 0.6] to average over the oscillation.
  const int trials = 4000;
  const std::uint64_t n = 250;
  int cover_w = 0, cover_cp = 0;
  for (int t = 0; t < trials; ++t) {
    Stream s(5, Purpose::audit, static_cast<std::uint64_t>(t));
    const double p = s.uniform(0.03, 0.6);
    const double x = static_cast<double>(draw_binomial(s, n, p));
    const auto w = wilson_interval(x, n, 0.95);
    const auto c = clopper_pearson_interval(x, n, 0.95);
    cover_w += (w.lo <= p && p <= w.hi);
    cover_cp += (c.lo <= p && p <= c.hi);
  }
  const double tol = tolerance(0.95, trials);
  INFO("Wilson " << double(cover_w) / trials << ", Clopper-Pearson " << double(cover_cp) / trials);
  CHECK(std::fabs(double(cover_w) / trials - 0.95) < tol);
  CHECK(double(cover_cp) / trials >= 0.95 - tol);
}

TEST_CASE("the corrected interval covers the true fake share at its nominal rate", "[audit]") {
  // The full audit: an imperfect classifier whose sensitivity and specificity are themselves
  // measured on a labelled validation set (drawn afresh per run), then a follower sample with
  // a known fake share. Coverage over many seeds must match 95% within binomial tolerance.
  const double se_true = 0.78, sp_true = 0.92;
  const std::uint64_t val_pos = 120, val_neg = 900, n = 600;
  for (auto method : {IntervalMethod::wilson, IntervalMethod::clopper_pearson}) {
    const int trials = 4000;
    int covered = 0;
    for (int t = 0; t < trials; ++t) {
      Stream s(2024, Purpose::audit, static_cast<std::uint64_t>(t));
      const double share = s.uniform(0.05, 0.5);
      ClassifierAccuracy acc;
      acc.positives = val_pos;
      acc.negatives = val_neg;
      acc.sensitivity = static_cast<double>(draw_binomial(s, val_pos, se_true)) / val_pos;
      acc.specificity = static_cast<double>(draw_binomial(s, val_neg, sp_true)) / val_neg;
      const auto flagged = draw_flagged(s, n, share, se_true, sp_true);
      const auto e = estimate_share(flagged, n, acc, method, 0.95);
      covered += (e.corrected_ci.lo <= share && share <= e.corrected_ci.hi);
    }
    const double cov = double(covered) / trials;
    INFO(interval_method_name(method) << " coverage " << cov);
    CHECK(std::fabs(cov - 0.95) < tolerance(0.95, trials));
  }
}

TEST_CASE("ignoring the classifier's own uncertainty would under-cover", "[audit]") {
  // The same set-up with a small validation set, intervals mapped through Rogan-Gladen only
  // (sampling_ci): they miss the truth too often. This is why corrected_ci adds the Se/Sp term.
  const double se_true = 0.75, sp_true = 0.9;
  const std::uint64_t val_pos = 40, val_neg = 200, n = 3000;
  const int trials = 2000;
  int naive = 0, full = 0;
  for (int t = 0; t < trials; ++t) {
    Stream s(99, Purpose::audit, static_cast<std::uint64_t>(t));
    const double share = 0.25;
    ClassifierAccuracy acc{static_cast<double>(draw_binomial(s, val_pos, se_true)) / val_pos,
                           static_cast<double>(draw_binomial(s, val_neg, sp_true)) / val_neg,
                           val_pos, val_neg};
    const auto e = estimate_share(draw_flagged(s, n, share, se_true, sp_true), n, acc,
                                  IntervalMethod::wilson, 0.95);
    naive += (e.sampling_ci.lo <= share && share <= e.sampling_ci.hi);
    full += (e.corrected_ci.lo <= share && share <= e.corrected_ci.hi);
  }
  INFO("naive " << double(naive) / trials << ", with Se/Sp uncertainty " << double(full) / trials);
  CHECK(double(naive) / trials < 0.85);
  CHECK(std::fabs(double(full) / trials - 0.95) < tolerance(0.95, trials));
}

TEST_CASE("the planned sample size gives the requested width", "[audit]") {
  ClassifierAccuracy acc{0.8, 0.9, 500, 5000};
  const auto plan = plan_sample_size(30, 200, acc, IntervalMethod::wilson, 0.95, 0.06);
  REQUIRE(plan.reachable);
  REQUIRE(plan.total_needed > 200);
  CHECK(plan.more_needed == plan.total_needed - 200);
  const double a = 30.0 / 200.0;
  const auto at = [&](double n) {
    return estimate_share_real(a * n, n, acc, IntervalMethod::wilson, 0.95).corrected_ci.width();
  };
  CHECK(at(static_cast<double>(plan.total_needed)) <= 0.06);
  CHECK(at(static_cast<double>(plan.total_needed - 1)) > 0.06);
  // Large-sample check against the normal approximation (hand-derived):
  // width ~ 2 z sqrt(a(1-a)/n / J^2 + V_c), V_c = (pi^2 Var Se + (1-pi)^2 Var Sp)/J^2.
  const double j = 0.7, pi = (a + 0.9 - 1) / j;
  const double vse = (0.8 * 500 + 2) / 504.0 * (1 - (0.8 * 500 + 2) / 504.0) / 504.0;
  const double vsp = (0.9 * 5000 + 2) / 5004.0 * (1 - (0.9 * 5000 + 2) / 5004.0) / 5004.0;
  const double vc = (pi * pi * vse + (1 - pi) * (1 - pi) * vsp) / (j * j);
  const double z = normal_quantile(0.975);
  const double n_approx = a * (1 - a) / (j * j) / (std::pow(0.06 / (2 * z), 2) - vc);
  CHECK(static_cast<double>(plan.total_needed) == Approx(n_approx).epsilon(0.05));
  // Already enough: nothing more to sample.
  const auto done = plan_sample_size(30, 200, acc, IntervalMethod::wilson, 0.95, 0.5);
  CHECK(done.more_needed == 0);
}

TEST_CASE("a width below the classifier's own uncertainty is reported as unreachable", "[audit]") {
  ClassifierAccuracy acc{0.8, 0.9, 30, 100};  // a small validation set
  const auto plan = plan_sample_size(60, 200, acc, IntervalMethod::wilson, 0.95, 0.02);
  CHECK_FALSE(plan.reachable);
  CHECK(plan.floor_width > 0.02);
  CHECK_THROWS_AS(plan_sample_size(60, 200, acc, IntervalMethod::wilson, 0.95, 0.0), ConfigError);
}
