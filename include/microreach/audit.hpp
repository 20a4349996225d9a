#pragma once
// Audience audit: how many of an account's followers are fake, and how sure are we.
//
//  1. A follower classifier: L2-regularised logistic regression on signals a follower list
//     carries (counts log-transformed, features standardised; the standardisation is stored
//     with the model). Fitted by Newton's method (IRLS) in plain C++.
//  2. The fake share of an account from a random sample of its followers: the share the
//     classifier flags (Wilson or Clopper-Pearson interval), corrected for the classifier's
//     measured sensitivity and specificity (Rogan-Gladen), with the uncertainty of those two
//     propagated into the interval; the sample size that gives a target interval width.
//  3. Validation: ROC AUC, precision/recall at the threshold, calibration, k-fold CV.
// Every formula is in docs/model.md, section "Audience audit".
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "microreach/scoring.hpp"
#include "microreach/table.hpp"

namespace microreach::audit {

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

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

// Two-sided intervals for a binomial proportion at `confidence` (e.g. 0.95). `successes` may be
// fractional (sample-size planning evaluates the interval at an expected count).
Interval wilson_interval(double successes, double n, double confidence);
Interval clopper_pearson_interval(double successes, double n, double confidence);
Interval proportion_interval(IntervalMethod m, double successes, double n, double confidence);

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

// Model files: a small TOML text. The first key must be format = "microreach.follower-model";
// anything else is refused as "not a microreach follower model".
std::string model_to_toml(const LogisticModel& m);
LogisticModel model_from_toml(const std::string& text, const std::string& source);
LogisticModel load_model(const std::string& path_or_default);      // "default": the built-in model
void save_model(const LogisticModel& m, const std::string& path);  // atomic
const std::string& default_model_text();

// ---------------------------------------------------------------------------------------------
// Reading follower lists (CSV/TSV/JSON through TableReader)
// ---------------------------------------------------------------------------------------------

// Which header column feeds each feature (-1 = none), the username and the label.
struct FollowerColumns {
  std::string path;
  std::vector<std::string> header;
  std::array<int, kFeatureCount> feature{-1, -1, -1, -1, -1, -1, -1, -1};
  int username = -1;
  int label = -1;
  // A column for f, or (username_digits/length) a username column to derive it from.
  bool has(Feature f) const;
  // Distinct header columns to read for these features (+ label, + username if wanted).
  std::vector<int> cells_needed(const std::vector<Feature>& features, bool want_username) const;
};
// Maps the header through feature_aliases(). `label` names the label column (compared after
// normalize_header); empty + require_label looks for label, is_fake, fake, rating. Throws
// InputError (file:1) naming the label and the header found when it is absent.
FollowerColumns resolve_follower_columns(const std::vector<std::string>& header,
                                         const std::string& path, const std::string& label,
                                         bool require_label);

// Parses the cells of one row into raw feature values (counts via parse_value: 1,234 / 1.2k;
// booleans TRUE/FALSE, 1/0, yes/no; a missing form such as "" or NA gives NaN). Throws
// InputError file:line:column with the column name, the text found and what was expected.
class RowParser {
 public:
  RowParser(const FollowerColumns& cols, std::vector<Feature> features, bool want_username);
  // Header column index of each cell the caller must pass, in this order.
  const std::vector<int>& cells() const { return cells_; }
  int username_slot() const { return username_slot_; }
  // x (kFeatureCount values, indexed by Feature) receives the parsed features; *label (if
  // given) 0/1, or -1 if the file has no label.
  // Returns the number of missing values.
  std::uint64_t parse(const std::string_view* cells, std::uint64_t line, double* x,
                      int* label) const;

 private:
  FollowerColumns cols_;
  std::vector<Feature> features_;
  std::vector<int> cells_, slots_;
  std::vector<bool> derived_;
  int label_slot_ = -1, username_slot_ = -1;
};

struct FollowerReadOptions {
  std::string label;  // label column name ("" = none, or auto if require_label)
  bool require_label = false;
  TableOptions table;
};
// Reads a whole labelled or unlabelled follower file into memory (fit, evaluate).
FollowerData read_followers(const std::string& path, const FollowerReadOptions& opt);
// Several files, concatenated; a feature is kept only if every file has it.
FollowerData read_followers(const std::vector<std::string>& paths, const FollowerReadOptions& opt);

// One block of classified rows, delivered in file order.
struct ClassifiedBlock {
  std::uint64_t first_row = 0;        // index of the block's first data row
  std::vector<std::uint64_t> line;    // 1-based line of each row
  std::vector<double> probability;    // P(fake)
  std::vector<std::uint8_t> flagged;  // probability >= threshold
  std::vector<std::uint8_t> label;    // when the file is labelled
  std::vector<std::string> username;  // when kept and present
  std::uint64_t missing_values = 0;
};
struct StreamOptions {
  std::size_t block_rows = 16384;                  // JSON: rows per parallel block
  std::size_t block_bytes = std::size_t{1} << 20;  // CSV/TSV: bytes per parallel block
  std::size_t tokens = 0;                          // blocks in flight; 0 = 4 x concurrency
  bool keep_usernames = false;
};
struct StreamStats {
  std::uint64_t rows = 0, flagged = 0, missing_values = 0, blocks = 0;
  double seconds = 0.0;
};
// Classifies every row of a follower file: CSV/TSV cut into blocks of whole records by a serial
// reader and tokenised, parsed and classified in parallel; JSON through TableReader with the
// parsing and classification of each block in parallel (tbb::parallel_pipeline); `sink` called
// serially in file order (ClassifiedBlock::first_row counts the rows before it).
// Memory is bounded by tokens x block_rows. The first bad row in file order is reported,
// whatever the thread count.
StreamStats classify_followers(const std::string& path, const LogisticModel& model,
                               const FollowerReadOptions& opt, const StreamOptions& sopt,
                               const std::function<void(const ClassifiedBlock&)>& sink);

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

// ---------------------------------------------------------------------------------------------
// Audited shares for scoring (microreach score --audited FILE)
// ---------------------------------------------------------------------------------------------

// A CSV (or TSV/JSON, via TableReader) with columns handle, fake_share, lo, hi (others are
// ignored). Every value is checked: shares in [0, 1], lo <= fake_share <= hi, a handle given at
// most once. Throws InputError with file:line:column.
AuditedShares load_audited_shares(const std::string& path);

struct AuditRecord {
  std::string handle;
  double fake_share = 0.0, lo = 0.0, hi = 1.0;
  std::uint64_t sampled = 0, flagged = 0;
  std::string method;
  double confidence = 0.95;
  std::string model;
  std::string date;  // ISO 8601 UTC
};
// Adds (or replaces, if the handle is already there) one row in an audits CSV, creating it with
// a header if absent; the file is rewritten atomically.
void append_audit_record(const std::string& path, const AuditRecord& rec);

}  // namespace microreach::audit
