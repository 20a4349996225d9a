#pragma once
// Generic statistics shared by the audit and the simulator: normal and beta quantiles, binomial
// proportion intervals, sample quantiles. Formulas: docs/model.md "Audience audit".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace microreach::stats {

// Quantile of the standard normal distribution, p in (0, 1) (Acklam's rational approximation
// refined by one Halley step on erfc: relative error below 1e-15).
double normal_quantile(double p);
// Regularised incomplete beta function I_x(a, b), a, b > 0, x in [0, 1] (continued fraction,
// modified Lentz).
double incomplete_beta(double a, double b, double x);
// Inverse of I_x(a, b) in x: the p-quantile of Beta(a, b) (safeguarded Newton on a bracket).
double beta_quantile(double p, double a, double b);

struct Interval {
  double lo = 0.0;
  double hi = 1.0;
  double width() const { return hi - lo; }
};

enum class IntervalMethod : std::uint8_t { wilson, clopper_pearson };
std::string_view interval_method_name(IntervalMethod m);
// Parses "wilson" / "clopper-pearson" (also "cp"); throws ConfigError naming `option`.
IntervalMethod parse_interval_method(const std::string& option, const std::string& text);

// Throws ConfigError("--confidence", ...) unless confidence is in (0, 1).
void check_confidence(double confidence);

// Two-sided intervals for a binomial proportion at `confidence` (e.g. 0.95). `successes` may be
// fractional (sample-size planning evaluates the interval at an expected count).
Interval wilson_interval(double successes, double n, double confidence);
Interval clopper_pearson_interval(double successes, double n, double confidence);
Interval proportion_interval(IntervalMethod m, double successes, double n, double confidence);

// Quantile q of `sorted` (ascending) by linear interpolation between order statistics (NumPy's
// default); NaN for an empty vector.
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace microreach::stats
