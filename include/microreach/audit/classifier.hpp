#pragma once
// Audience audit, the follower classifier: features, the L2 logistic model (Newton/IRLS fit,
// cross-validation) and its validation metrics. Formulas: docs/model.md, "Audience audit".
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "microreach/audit/stats.hpp"

namespace microreach::audit {

// ---------------------------------------------------------------------------------------------
// Follower features
// ---------------------------------------------------------------------------------------------

enum class Feature : std::uint8_t {
  followers,            // count, log1p
  following,            // count, log1p
  posts,                // count, log1p
  has_profile_picture,  // 0/1
  is_private,           // 0/1
  bio_length,           // characters, log1p
  username_digits,      // digits in the username
  username_length,      // characters in the username
  count
};
inline constexpr std::size_t kFeatureCount = static_cast<std::size_t>(Feature::count);

struct FeatureInfo {
  std::string_view name;  // in model files and messages
  bool log1p;             // transform x -> log(1 + x) before standardising
  bool boolean;           // parsed as a boolean-like value
  std::string_view description;
};
const FeatureInfo& feature_info(Feature f);
// Header names recognised for a feature, compared after normalize_header() and removing every
// character that is not a letter or digit ("Number.of.followers" -> "numberoffollowers").
const std::vector<std::string_view>& feature_aliases(Feature f);
// Throws InputError (source, line 1) naming the feature and the header names accepted for it.
[[noreturn]] void throw_missing_feature(const std::string& source, Feature f);
// Feature by its model-file name; throws ConfigError naming `option` if unknown.
Feature parse_feature(const std::string& option, const std::string& name);

// A term of the model: a feature's transformed value t (log1p for counts, else the value) to a
// power, 1 or 2 ("followers^2" = log1p(followers)^2). Squares let the effect of a count bend:
// an account following 5,000 is far more suspicious than twice one following 1,000.
struct Term {
  Feature feature = Feature::followers;
  int power = 1;
  std::string name() const;        // "followers", "followers^2"
  double value(double raw) const;  // t(raw)^power; NaN stays NaN
  bool operator==(const Term&) const = default;
};
// "followers", "following^2", ...; throws ConfigError naming `option` if unknown, or a square
// of a 0/1 feature.
Term parse_term(const std::string& option, const std::string& text);
// The default model's terms, from the signals both public labelled sets provide (SRF and
// InstaFake): followers, following, posts (log1p, linear and squared), has_profile_picture,
// is_private, username_digits, username_length. bio_length is only in InstaFake.
std::vector<Term> default_terms();

// Digits and characters (UTF-8 code points) in a username.
void username_signals(std::string_view username, double& digits, double& length);

// Boolean-like text: TRUE/FALSE, true/false, 1/0, yes/no, fake/real, t/f (case-insensitive,
// surrounding blanks ignored). Returns -1 if the text is none of these, else 0 or 1.
int parse_boolean_like(std::string_view text);

// Followers held in memory, column-wise. A feature column is empty when the file lacks it;
// a missing cell is NaN.
struct FollowerData {
  std::array<std::vector<double>, kFeatureCount> x;
  std::vector<std::uint8_t> label;    // 1 = fake, 0 = real; empty when unlabelled
  std::vector<std::string> username;  // empty when the file has no username column
  std::vector<std::uint64_t> line;    // 1-based line of each row in its file
  std::string source;                 // file name, for messages
  std::size_t rows = 0;
  std::uint64_t missing_values = 0;  // empty/NA cells (the model uses the training mean)
  bool has(Feature f) const { return !x[static_cast<std::size_t>(f)].empty(); }
  const std::vector<double>& col(Feature f) const { return x[static_cast<std::size_t>(f)]; }
  std::vector<double>& col(Feature f) { return x[static_cast<std::size_t>(f)]; }
  // The rows listed (in that order) of every present column, in the same layout.
  FollowerData slice(const std::vector<std::size_t>& rows_to_take) const;
};

// ---------------------------------------------------------------------------------------------
// The logistic model
// ---------------------------------------------------------------------------------------------

inline constexpr const char* kModelFormat = "microreach.follower-model";
inline constexpr int kModelVersion = 1;

struct ModelTerm {
  Term term;
  double mean = 0.0;         // of the term's training values
  double sd = 1.0;           // ditto (1 if the term was constant)
  double coefficient = 0.0;  // per standard deviation of the term
};

struct LogisticModel {
  std::vector<ModelTerm> terms;
  double intercept = 0.0;
  double lambda = 1.0;          // L2 penalty used in the fit (on standardised coefficients)
  double threshold = 0.5;       // probability at or above which a follower is flagged fake
  ClassifierAccuracy accuracy;  // cross-validated, at the threshold (Rogan-Gladen input)
  // Provenance of the fit.
  std::string trained_on;
  std::uint64_t train_rows = 0;
  std::uint64_t train_positives = 0;
  int cv_folds = 0;
  std::uint64_t cv_seed = 0;
  double cv_auc = 0.0;
  int iterations = 0;

  // Linear predictor and probability from raw (untransformed) feature values indexed by
  // Feature (kFeatureCount of them); NaN = missing: the term then takes its training mean.
  double linear(const double* raw_by_feature) const;
  double probability(const double* raw_by_feature) const;
  // The distinct features the terms use, in first-use order.
  std::vector<Feature> features() const;
  // Probabilities for every row of `data` (must have every model feature; see require()).
  std::vector<double> predict(const FollowerData& data) const;
  // Throws InputError naming the file and the accepted header names if `data` lacks a feature
  // this model needs.
  void require(const FollowerData& data) const;
};

struct FitOptions {
  std::vector<Term> terms = default_terms();
  double lambda = 1.0;
  int max_iterations = 100;
  double tolerance = 1e-10;  // on the largest Newton step (standardised scale)
  int cv_folds = 10;         // for the threshold's measured accuracy; >= 2
  std::uint64_t cv_seed = 1;
  // Threshold rule: <0 = maximise Youden's J (Se + Sp - 1) on the training predictions,
  // else this fixed probability.
  double threshold = -1.0;
};

// Newton/IRLS for L2-regularised logistic regression on a dense row-major design matrix
// (rows x p, no intercept column: an unpenalised intercept is added). Returns p+1
// coefficients, intercept first. `iterations` receives the Newton steps taken.
std::vector<double> fit_logistic_dense(const std::vector<double>& design, std::size_t rows,
                                       std::size_t p, const std::vector<std::uint8_t>& y,
                                       double lambda, int max_iterations, double tolerance,
                                       int* iterations = nullptr);

// Fits the coefficients and the threshold only (no cross-validation): the model's accuracy
// fields are left at their defaults.
LogisticModel fit_core(const FollowerData& data, const FitOptions& opt);
// The full fit: fit_core, then k-fold cross-validation of the whole procedure (fit +
// threshold choice) to measure sensitivity and specificity honestly and the CV AUC.
LogisticModel fit_model(const FollowerData& data, const FitOptions& opt);

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

// ROC AUC (Mann-Whitney, ties count 1/2). NaN if either class is absent.
double roc_auc(const std::vector<double>& score, const std::vector<std::uint8_t>& label);

// DeLong, DeLong & Clarke-Pearson (1988): standard errors of AUCs and of the difference of two
// scores' AUCs on the same labelled rows (paired), from the placement values (rank form,
// Sun & Xu 2014: O(n log n)). p_value: two-sided, normal approximation.
struct AucComparison {
  double auc_a = 0.0, auc_b = 0.0;
  double se_a = 0.0, se_b = 0.0;
  double diff = 0.0, se_diff = 0.0;  // auc_a - auc_b
  double p_value = 1.0;
};
AucComparison delong_compare(const std::vector<double>& a, const std::vector<double>& b,
                             const std::vector<std::uint8_t>& label);

struct Confusion {
  std::uint64_t tp = 0, fp = 0, tn = 0, fn = 0;
  double precision() const;    // tp / (tp + fp), NaN if nothing flagged
  double recall() const;       // sensitivity, tp / (tp + fn)
  double specificity() const;  // tn / (tn + fp)
  double accuracy() const;
  double f1() const;
};
Confusion confusion_at(const std::vector<double>& prob, const std::vector<std::uint8_t>& label,
                       double threshold);
// The threshold maximising Youden's J = Se + Sp - 1 (midpoint between adjacent distinct scores).
double youden_threshold(const std::vector<double>& prob, const std::vector<std::uint8_t>& label);

struct CalibrationBin {
  double lo = 0.0, hi = 0.0;  // predicted-probability range
  std::uint64_t n = 0;
  std::uint64_t positives = 0;
  double mean_predicted = 0.0;
  double observed = 0.0;  // positives / n
  Interval observed_ci;   // Wilson 95%
};
std::vector<CalibrationBin> calibration_table(const std::vector<double>& prob,
                                              const std::vector<std::uint8_t>& label,
                                              int bins = 10);
double brier_score(const std::vector<double>& prob, const std::vector<std::uint8_t>& label);
double log_loss(const std::vector<double>& prob, const std::vector<std::uint8_t>& label);

// Baseline: the following/followers ratio alone, log((following + 1) / (followers + 1)).
std::vector<double> ratio_rule_score(const FollowerData& data);

// Stratified k-fold assignment (deterministic in seed: Stream(seed, Purpose::audit, ...)).
std::vector<int> stratified_folds(const std::vector<std::uint8_t>& label, int k,
                                  std::uint64_t seed);

struct CrossValidation {
  int folds = 0;
  std::vector<double> oof_probability;  // out-of-fold probability of every row
  std::vector<std::uint8_t> oof_flag;   // flagged with the fold model's own threshold
  std::vector<double> fold_auc;
  double auc = 0.0;     // pooled out-of-fold AUC
  Confusion confusion;  // of oof_flag
};
CrossValidation cross_validate(const FollowerData& data, const FitOptions& opt);

}  // namespace microreach::audit
