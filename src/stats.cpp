// Generic statistics shared by the audit and the simulator: normal and beta quantiles, binomial
// proportion intervals, sample quantiles. Formulas: docs/model.md "Audience audit".
#include <algorithm>
#include <cmath>
#include <limits>

#include "microreach/error.hpp"
#include "microreach/stats.hpp"

namespace microreach::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Standard normal CDF.
double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

double log_beta(double a, double b) {
  return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
}

// Continued fraction for I_x(a, b) (modified Lentz), valid for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-16;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    // even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m))
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    // odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEps) break;
  }
  return h;
}

double beta_log_pdf(double x, double a, double b) {
  return (a - 1.0) * std::log(x) + (b - 1.0) * std::log1p(-x) - log_beta(a, b);
}

double clip01(double v) {
  return std::min(1.0, std::max(0.0, v));
}

}  // namespace

void check_confidence(double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0))
    throw ConfigError("--confidence", std::to_string(confidence), "a level in (0, 1), e.g. 0.95");
}

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) {
    if (p == 0.0) return -std::numeric_limits<double>::infinity();
    if (p == 1.0) return std::numeric_limits<double>::infinity();
    return kNaN;
  }
  // Acklam's rational approximation (relative error 1.15e-9) ...
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double p_low = 0.02425, p_high = 1.0 - p_low;
  double x;
  if (p < p_low) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (p <= p_high) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    const double q = std::sqrt(-2.0 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  // ... refined by one Halley step on the exact CDF (erfc): full double precision.
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2.0 * M_PI) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

double incomplete_beta(double a, double b, double x) {
  if (!(a > 0.0 && b > 0.0) || std::isnan(x)) return kNaN;
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front = a * std::log(x) + b * std::log1p(-x) - log_beta(a, b);
  if (x < (a + 1.0) / (a + b + 2.0))
    return std::exp(log_front) * beta_continued_fraction(a, b, x) / a;
  // symmetry I_x(a, b) = 1 - I_{1-x}(b, a): the continued fraction converges fast there
  return 1.0 - std::exp(log_front) * beta_continued_fraction(b, a, 1.0 - x) / b;
}

double beta_quantile(double p, double a, double b) {
  if (!(a > 0.0 && b > 0.0) || !(p >= 0.0 && p <= 1.0)) return kNaN;
  if (p == 0.0) return 0.0;
  if (p == 1.0) return 1.0;
  // I_x(a, b) increases in x: keep a bracket [lo, hi] around the root and take Newton steps
  // (derivative = Beta(a, b) density) when they stay inside it, bisection otherwise.
  double lo = 0.0, hi = 1.0;
  double x = a / (a + b);  // the mean: a reasonable start
  for (int it = 0; it < 300; ++it) {
    const double f = incomplete_beta(a, b, x) - p;
    if (f == 0.0) return x;
    if (f < 0.0)
      lo = x;
    else
      hi = x;
    const double pdf = std::exp(beta_log_pdf(x, a, b));
    double next = (pdf > 0.0 && std::isfinite(pdf)) ? x - f / pdf : kNaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::fabs(next - x) <= 1e-15 * std::max(x, 1e-300) || hi - lo <= 1e-300) return next;
    x = next;
  }
  return x;
}

std::string_view interval_method_name(IntervalMethod m) {
  return m == IntervalMethod::wilson ? "wilson" : "clopper-pearson";
}

IntervalMethod parse_interval_method(const std::string& option, const std::string& text) {
  std::string t;
  for (char ch : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (t == "wilson") return IntervalMethod::wilson;
  if (t == "clopper-pearson" || t == "clopper_pearson" || t == "cp" || t == "exact")
    return IntervalMethod::clopper_pearson;
  throw ConfigError(option, text, "wilson or clopper-pearson");
}

Interval wilson_interval(double successes, double n, double confidence) {
  check_confidence(confidence);
  if (!(n > 0.0)) return {0.0, 1.0};
  const double z = normal_quantile(0.5 + 0.5 * confidence);
  const double p = successes / n, z2 = z * z;
  const double denom = 1.0 + z2 / n;
  const double centre = (p + z2 / (2.0 * n)) / denom;
  const double half = z / denom * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
  Interval r{clip01(centre - half), clip01(centre + half)};
  // exact limits at the boundaries (rounding could leave 1e-17 instead of 0)
  if (successes <= 0.0) r.lo = 0.0;
  if (successes >= n) r.hi = 1.0;
  return r;
}

Interval clopper_pearson_interval(double successes, double n, double confidence) {
  check_confidence(confidence);
  if (!(n > 0.0)) return {0.0, 1.0};
  const double alpha = 1.0 - confidence;
  Interval r;
  r.lo = successes <= 0.0 ? 0.0 : beta_quantile(alpha / 2.0, successes, n - successes + 1.0);
  r.hi = successes >= n ? 1.0 : beta_quantile(1.0 - alpha / 2.0, successes + 1.0, n - successes);
  return r;
}

Interval proportion_interval(IntervalMethod m, double successes, double n, double confidence) {
  return m == IntervalMethod::wilson ? wilson_interval(successes, n, confidence)
                                     : clopper_pearson_interval(successes, n, confidence);
}

double quantile_sorted(const std::vector<double>& v, double q) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = (static_cast<double>(v.size()) - 1.0) * q;
  const std::size_t lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= v.size()) return v.back();
  return v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]);
}

}  // namespace microreach::stats
