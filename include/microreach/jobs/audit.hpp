#pragma once
// The audit commands as library calls: `audit fit`, `audit evaluate` and `audit FOLLOWERS`.
// Each takes its options as given on the command line (texts still to be checked are checked
// here, with the option named in the error) and returns every number the command reports; the
// caller prints them. The thread count is the caller's (tbb::global_control).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "microreach/audit/classifier.hpp"
#include "microreach/audit/followers.hpp"

namespace microreach::jobs {

// ---------------------------------------------------------------------------------------------
// audit fit: fit the follower model on labelled followers and write it as a model file.
// ---------------------------------------------------------------------------------------------

struct AuditFitOptions {
  std::vector<std::string> files;  // labelled follower files, concatenated
  std::string label;               // label column ("" = label, is_fake, fake or rating)
  std::string out;                 // model file to write (TOML)
  std::string features;            // comma-separated terms ("" = the default terms)
  std::string threshold = "youden";
  double lambda = 1.0;
  int cv = 10;
  std::uint64_t seed = 1;
};

struct AuditFitResult {
  audit::LogisticModel model;  // as written, trained_on = the files' names
  std::uint64_t rows = 0;
  std::uint64_t missing_values = 0;
  std::string out;
};

AuditFitResult audit_fit(const AuditFitOptions& opt);

// ---------------------------------------------------------------------------------------------
// audit evaluate: a model's discrimination, accuracy at its threshold and calibration on
// labelled followers, optionally with a cross-validation of the fit on them.
// ---------------------------------------------------------------------------------------------

struct AuditEvaluateOptions {
  std::vector<std::string> files;
  std::string label;
  std::string model = "default";  // model file, or "default" (built in)
  std::string threshold;          // "" = the model's
  int cv = 0;                     // folds of the cross-validation, 0 = none
  std::uint64_t seed = 1;
  int bins = 10;
};

// A proportion k of n with its Wilson 95 % interval.
struct Proportion {
  double value = 0.0;
  audit::Interval ci;
};

struct AuditCrossValidation {
  int folds = 0;
  std::uint64_t seed = 0;
  double auc = 0.0;  // pooled out-of-fold AUC
  double fold_auc_mean = 0.0, fold_auc_sd = 0.0;
  audit::Confusion confusion;
  // Out-of-fold model against the following/followers ratio rule (when the data has both).
  std::optional<audit::AucComparison> vs_ratio;
};

struct AuditEvaluateResult {
  audit::LogisticModel model;
  std::string model_name;  // "default" or the model file
  std::string sources;     // the files' names, comma-separated
  std::uint64_t rows = 0, positives = 0, missing_values = 0;
  double z = 0.0;  // the standard normal quantile of the 95 % intervals
  // The model's AUC (auc_a, se_a); against the ratio rule (auc_b, diff, ...) when has_ratio.
  audit::AucComparison auc;
  bool has_ratio = false;
  double threshold = 0.0;
  audit::Confusion confusion;
  Proportion precision, recall, specificity;
  double brier = 0.0, log_loss = 0.0;
  std::vector<audit::CalibrationBin> calibration;  // bins with no row left out
  std::optional<AuditCrossValidation> cv;
};

AuditEvaluateResult audit_evaluate(const AuditEvaluateOptions& opt);

// ---------------------------------------------------------------------------------------------
// audit FOLLOWERS: the fake-follower share of an account from a sample of its followers.
// ---------------------------------------------------------------------------------------------

struct AuditOptions {
  std::string file;  // the follower sample
  std::string model = "default";
  std::string out;  // HDF5 output ("" = none)
  std::string method = "wilson";
  std::string handle;
  std::string append_to;                   // audits CSV to add the account's row to
  std::vector<std::string> accuracy_from;  // labelled followers of the audited kind
  std::string label;                       // label column of accuracy_from
  double width = 0.05;
  double confidence = 0.95;
  std::size_t chunk = 16384;
  bool keep_usernames = false;
  std::string command_line;  // stored in the output's provenance
  // Called with every block of classified followers, in file order (to keep them in memory).
  std::function<void(const audit::ClassifiedBlock&)> on_block;
};

struct AuditResult {
  audit::LogisticModel model;  // with the accuracy the correction used
  std::string model_name;
  std::string accuracy_source;  // where Se and Sp come from, as a phrase
  audit::IntervalMethod method = audit::IntervalMethod::wilson;
  audit::StreamStats stats;
  audit::ShareEstimate estimate;
  audit::SamplePlan plan;
  std::string out;        // written HDF5 file, "" if none
  std::string append_to;  // updated audits CSV, "" if none
};

AuditResult audit_followers(const AuditOptions& opt);

}  // namespace microreach::jobs
