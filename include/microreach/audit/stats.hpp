#pragma once
// Audience audit, statistics: the classifier's accuracy, the Rogan-Gladen correction with its
// interval, sample-size planning. The quantiles and binomial intervals it uses are the generic
// ones of microreach/stats.hpp, named here too.
// Formulas: docs/model.md, section "Audience audit".
#include <cstdint>
#include <string>
#include <string_view>

#include "microreach/stats.hpp"

namespace microreach::audit {

using stats::beta_quantile;
using stats::clopper_pearson_interval;
using stats::incomplete_beta;
using stats::Interval;
using stats::interval_method_name;
using stats::IntervalMethod;
using stats::normal_quantile;
using stats::parse_interval_method;
using stats::proportion_interval;
using stats::wilson_interval;

// The classifier's accuracy as measured on labelled data at its threshold.
struct ClassifierAccuracy {
  double sensitivity = 1.0;     // P(flagged | fake)
  double specificity = 1.0;     // P(not flagged | real)
  std::uint64_t positives = 0;  // fake accounts the sensitivity was measured on (0 = exact)
  std::uint64_t negatives = 0;  // real accounts the specificity was measured on (0 = exact)
  // How much the classifier's true Se and Sp vary from one population of accounts to another
  // (standard deviations): 0 when they were measured on the audited population itself
  // (--accuracy-from), default_transfer_spread() when they come from the training data.
  double transfer_sd_sensitivity = 0.0;
  double transfer_sd_specificity = 0.0;
  // Variances used to propagate the uncertainty of Se and Sp: the estimate's own, Agresti-Coull
  // (x + 2) / (n + 4) plug-in so a measured 100% does not claim zero variance (0 if exact), plus
  // the between-population variance transfer_sd^2.
  double sensitivity_variance() const;
  double specificity_variance() const;
};

// DerSimonian-Laird between-study standard deviation of a proportion measured as x1 of n1 in
// one study and x2 of n2 in another: tau^2 = max(0, (Q - 1) / (w1 + w2 - (w1^2 + w2^2) /
// (w1 + w2))), w_i = n_i / (p_i (1 - p_i)), Q = sum w_i (p_i - p_w)^2 (docs/model.md).
double between_study_sd(double x1, double n1, double x2, double n2);

struct TransferSpread {
  double sensitivity_sd = 0.0;
  double specificity_sd = 0.0;
};
// The between-population spread of the default classifier's Se and Sp: between_study_sd of its
// accuracy on the two labelled studies, cross-validated on SRF (81 of 98 fake flagged, 793 of
// 877 real passed) and tested on InstaFake (173 of 200, 940 of 994).
TransferSpread default_transfer_spread();

// Rogan-Gladen: true share from the apparent (flagged) share, (apparent + Sp - 1)/(Se + Sp - 1),
// clipped to [0, 1]. Throws Error if Se + Sp <= 1 (a classifier no better than chance).
double rogan_gladen(double apparent, double sensitivity, double specificity);
double rogan_gladen_unclipped(double apparent, double sensitivity, double specificity);

struct ShareEstimate {
  std::uint64_t sampled = 0;  // followers classified
  std::uint64_t flagged = 0;  // of which the classifier flags as fake
  double confidence = 0.95;
  IntervalMethod method = IntervalMethod::wilson;
  double apparent = 0.0;   // flagged / sampled
  Interval apparent_ci;    // Wilson or Clopper-Pearson on the sample
  double corrected = 0.0;  // Rogan-Gladen, clipped to [0, 1]
  double corrected_unclipped = 0.0;
  Interval sampling_ci;   // apparent_ci mapped through Rogan-Gladen (Se, Sp taken as exact)
  Interval corrected_ci;  // + the uncertainty of Se and Sp (MOVER, see docs/model.md)
};

// The fake share of an account from `flagged` of `sampled` followers.
ShareEstimate estimate_share(std::uint64_t flagged, std::uint64_t sampled,
                             const ClassifierAccuracy& acc, IntervalMethod method,
                             double confidence);
// The same with a fractional flagged count (used by sample-size planning).
ShareEstimate estimate_share_real(double flagged, double sampled, const ClassifierAccuracy& acc,
                                  IntervalMethod method, double confidence);

struct SamplePlan {
  double target_width = 0.0;
  bool reachable = true;           // false: the classifier's own uncertainty is wider than that
  double floor_width = 0.0;        // width with infinitely many followers sampled
  std::uint64_t total_needed = 0;  // followers to classify in all (0 if unreachable)
  std::uint64_t more_needed = 0;   // total_needed - already sampled (0 if already enough)
};
// Smallest sample whose corrected interval is at most `width` wide, assuming the apparent share
// stays at apparent = flagged/sampled (0.5 x (1 - Sp + Se) if nothing was sampled yet).
SamplePlan plan_sample_size(std::uint64_t flagged, std::uint64_t sampled,
                            const ClassifierAccuracy& acc, IntervalMethod method, double confidence,
                            double width);

}  // namespace microreach::audit
