// Audience audit, statistics: the classifier's accuracy, the Rogan-Gladen correction with its
// interval, sample-size planning (the generic quantiles and intervals: microreach/stats.hpp).
// Formulas: docs/model.md "Audience audit".
#include <algorithm>
#include <cmath>
#include <limits>

#include "microreach/audit/stats.hpp"
#include "microreach/error.hpp"

namespace microreach::audit {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double clip01(double v) {
  return std::clamp(v, 0.0, 1.0);
}

}  // namespace

namespace {
// Agresti-Coull variance of a proportion p measured on n: (x + 2) / (n + 4) plug-in.
double measured_variance(double p, std::uint64_t count) {
  if (count == 0) return 0.0;
  const double n = static_cast<double>(count);
  const double s = (p * n + 2.0) / (n + 4.0);
  return s * (1.0 - s) / (n + 4.0);
}
}  // namespace

double ClassifierAccuracy::sensitivity_variance() const {
  return measured_variance(sensitivity, positives) +
         transfer_sd_sensitivity * transfer_sd_sensitivity;
}

double ClassifierAccuracy::specificity_variance() const {
  return measured_variance(specificity, negatives) +
         transfer_sd_specificity * transfer_sd_specificity;
}

double between_study_sd(double x1, double n1, double x2, double n2) {
  const double p1 = x1 / n1, p2 = x2 / n2;
  const double v1 = p1 * (1.0 - p1) / n1, v2 = p2 * (1.0 - p2) / n2;
  if (!(v1 > 0.0 && v2 > 0.0)) return std::fabs(p1 - p2) / std::sqrt(2.0);  // a 0 % or 100 %
  const double w1 = 1.0 / v1, w2 = 1.0 / v2, w = w1 + w2;
  const double pw = (w1 * p1 + w2 * p2) / w;
  const double q = w1 * (p1 - pw) * (p1 - pw) + w2 * (p2 - pw) * (p2 - pw);
  const double c = w - (w1 * w1 + w2 * w2) / w;
  return std::sqrt(std::max(0.0, (q - 1.0) / c));
}

TransferSpread default_transfer_spread() {
  return {between_study_sd(81, 98, 173, 200), between_study_sd(793, 877, 940, 994)};
}

double rogan_gladen_unclipped(double apparent, double sensitivity, double specificity) {
  const double j = sensitivity + specificity - 1.0;
  if (!(j > 0.0))
    throw Error("the classifier's sensitivity (" + std::to_string(sensitivity) +
                ") + specificity (" + std::to_string(specificity) +
                ") is not above 1: it is no better than chance, the fake share cannot be "
                "corrected");
  return (apparent + specificity - 1.0) / j;
}

double rogan_gladen(double apparent, double sensitivity, double specificity) {
  return clip01(rogan_gladen_unclipped(apparent, sensitivity, specificity));
}

ShareEstimate estimate_share_real(double flagged, double sampled, const ClassifierAccuracy& acc,
                                  IntervalMethod method, double confidence) {
  stats::check_confidence(confidence);
  if (flagged < 0.0 || flagged > sampled)
    throw Error("flagged count " + std::to_string(flagged) +
                " outside [0, sampled = " + std::to_string(sampled) + "]");
  ShareEstimate e;
  e.sampled = static_cast<std::uint64_t>(std::llround(sampled));
  e.flagged = static_cast<std::uint64_t>(std::llround(flagged));
  e.confidence = confidence;
  e.method = method;
  e.apparent = sampled > 0.0 ? flagged / sampled : kNaN;
  e.apparent_ci = proportion_interval(method, flagged, sampled, confidence);
  const double se = acc.sensitivity, sp = acc.specificity;
  const double j = se + sp - 1.0;
  if (sampled <= 0.0) {
    // nothing sampled: everything in [0, 1] is possible
    rogan_gladen_unclipped(0.0, se, sp);  // still refuse a useless classifier
    e.corrected = e.corrected_unclipped = kNaN;
    e.sampling_ci = e.corrected_ci = {0.0, 1.0};
    return e;
  }
  const double pi_u = rogan_gladen_unclipped(e.apparent, se, sp);
  e.corrected_unclipped = pi_u;
  e.corrected = clip01(pi_u);
  // Sampling part: the interval of the apparent share through the (increasing) Rogan-Gladen map.
  const double ls = (e.apparent_ci.lo + sp - 1.0) / j;
  const double us = (e.apparent_ci.hi + sp - 1.0) / j;
  e.sampling_ci = {clip01(ls), clip01(us)};
  // Classifier part: delta method, d(pi)/d(Se) = -pi/J, d(pi)/d(Sp) = (1 - pi)/J.
  const double pi_c = e.corrected;
  const double var_c = (pi_c * pi_c * acc.sensitivity_variance() +
                        (1.0 - pi_c) * (1.0 - pi_c) * acc.specificity_variance()) /
                       (j * j);
  const double z = normal_quantile(0.5 + 0.5 * confidence);
  // MOVER (Zou & Donner 2008): combine the two sources' distances from the point estimate in
  // quadrature on each side, so the asymmetric Wilson/Clopper-Pearson limits are kept.
  const double lo = pi_u - std::sqrt((pi_u - ls) * (pi_u - ls) + z * z * var_c);
  const double hi = pi_u + std::sqrt((us - pi_u) * (us - pi_u) + z * z * var_c);
  e.corrected_ci = {clip01(lo), clip01(hi)};
  return e;
}

ShareEstimate estimate_share(std::uint64_t flagged, std::uint64_t sampled,
                             const ClassifierAccuracy& acc, IntervalMethod method,
                             double confidence) {
  if (flagged > sampled)
    throw Error("flagged count " + std::to_string(flagged) + " exceeds the sample size " +
                std::to_string(sampled));
  return estimate_share_real(static_cast<double>(flagged), static_cast<double>(sampled), acc,
                             method, confidence);
}

SamplePlan plan_sample_size(std::uint64_t flagged, std::uint64_t sampled,
                            const ClassifierAccuracy& acc, IntervalMethod method, double confidence,
                            double width) {
  if (!(width > 0.0 && width < 1.0))
    throw ConfigError("--width", std::to_string(width),
                      "an interval width in (0, 1), e.g. 0.05 for +/- 2.5 points");
  stats::check_confidence(confidence);
  SamplePlan plan;
  plan.target_width = width;
  const double se = acc.sensitivity, sp = acc.specificity;
  // Planning value of the apparent share: the one observed, or the apparent share of a true
  // share of 1/2 (the widest case) before any follower was sampled.
  const double apparent = sampled > 0 ? static_cast<double>(flagged) / static_cast<double>(sampled)
                                      : 0.5 * se + 0.5 * (1.0 - sp);
  auto width_at = [&](double n) {
    return estimate_share_real(apparent * n, n, acc, method, confidence).corrected_ci.width();
  };
  // As n grows the sampling part vanishes: what is left is the classifier's own uncertainty.
  const double n_inf = 1e15;
  plan.floor_width = width_at(n_inf);
  if (plan.floor_width >= width) {
    plan.reachable = false;
    return plan;
  }
  // Width decreases with n: double until narrow enough, then bisect on whole followers.
  double lo = 1.0, hi = 2.0;
  while (width_at(hi) > width) {
    lo = hi;
    hi *= 2.0;
    if (hi > n_inf) {
      plan.reachable = false;
      return plan;
    }
  }
  while (hi - lo > 1.0) {
    const double mid = std::floor(0.5 * (lo + hi));
    if (width_at(mid) > width)
      lo = mid;
    else
      hi = mid;
  }
  plan.total_needed = static_cast<std::uint64_t>(hi);
  plan.more_needed = plan.total_needed > sampled ? plan.total_needed - sampled : 0;
  return plan;
}

}  // namespace microreach::audit
