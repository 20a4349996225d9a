#include "microreach/jobs/audit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "microreach/audit/model_file.hpp"
#include "microreach/error.hpp"
#include "microreach/format.hpp"
#include "microreach/io/audit.hpp"
#include "microreach/io/hdf5.hpp"

namespace microreach::jobs {
namespace {

using namespace microreach::audit;

std::string basenames(const std::vector<std::string>& paths) {
  std::string r;
  for (const auto& p : paths)
    r += (r.empty() ? "" : ", ") + std::filesystem::path(p).filename().string();
  return r;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

std::vector<Term> parse_terms(const std::string& text) {
  if (text.empty()) return default_terms();
  std::vector<Term> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const Term t = parse_term("--features", item);
    if (std::find(out.begin(), out.end(), t) != out.end())
      throw ConfigError("--features", text, "each term at most once");
    out.push_back(t);
  }
  if (out.empty()) throw ConfigError("--features", text, "a comma-separated list of features");
  return out;
}

// "youden" (or nothing): -1, the rule that maximises Se + Sp - 1; else a probability.
double parse_threshold(const std::string& text) {
  if (text.empty() || text == "youden") return -1.0;
  char* end = nullptr;
  const double t = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(t > 0.0 && t < 1.0))
    throw ConfigError("--threshold", text, "'youden' or a probability in (0, 1)");
  return t;
}

FollowerData read_labelled(const std::vector<std::string>& files, const std::string& label) {
  FollowerReadOptions ro;
  ro.label = label;
  ro.require_label = true;
  return read_followers(files, ro);
}

Proportion proportion(double value, std::uint64_t k, std::uint64_t n) {
  return {value, wilson_interval(static_cast<double>(k), static_cast<double>(n), 0.95)};
}

AuditCrossValidation evaluate_cv(const FollowerData& data, const LogisticModel& m, int folds,
                                 std::uint64_t seed, bool ratio) {
  FitOptions opt;
  opt.terms.clear();
  for (const auto& t : m.terms) opt.terms.push_back(t.term);
  opt.lambda = m.lambda;
  opt.cv_folds = folds;
  opt.cv_seed = seed;
  const CrossValidation cv = cross_validate(data, opt);
  AuditCrossValidation r;
  r.folds = folds;
  r.seed = seed;
  r.auc = cv.auc;
  r.confusion = cv.confusion;
  double mean = 0.0, var = 0.0;
  for (double v : cv.fold_auc) mean += v / cv.folds;
  for (double v : cv.fold_auc) var += (v - mean) * (v - mean) / std::max(1, cv.folds - 1);
  r.fold_auc_mean = mean;
  r.fold_auc_sd = std::sqrt(var);
  if (ratio) r.vs_ratio = delong_compare(cv.oof_probability, ratio_rule_score(data), data.label);
  return r;
}

// Checks the options in the order the command line has always checked them; returns --method.
IntervalMethod check_audit_options(const AuditOptions& a) {
  if (a.file.empty())
    throw ConfigError("FOLLOWERS", "", "a follower file to audit (or: audit fit / audit evaluate)");
  if (!a.append_to.empty() && a.handle.empty())
    throw ConfigError("--append-to", a.append_to, "--handle NAME too: the account audited");
  const IntervalMethod method = parse_interval_method("--method", a.method);
  if (!(a.confidence > 0.0 && a.confidence < 1.0))
    throw ConfigError("--confidence", std::to_string(a.confidence), "a level in (0, 1)");
  if (!(a.width > 0.0 && a.width < 1.0))
    throw ConfigError("--width", std::to_string(a.width), "an interval width in (0, 1)");
  return method;
}

// The classifier accuracy the Rogan-Gladen correction uses, and a phrase saying where it comes
// from. The correction is only as good as the classifier's Se/Sp on *this* kind of account:
// labelled followers from the audited population (--accuracy-from) replace the training CV
// figures. Figures measured on another population than the audited one carry their spread
// between populations, which widens the interval (docs/model.md, "Carrying Se and Sp to another
// population").
std::string set_accuracy(LogisticModel& m, const AuditOptions& a) {
  const TransferSpread spread = default_transfer_spread();
  m.accuracy.transfer_sd_sensitivity = spread.sensitivity_sd;
  m.accuracy.transfer_sd_specificity = spread.specificity_sd;
  std::string source = "cross-validated on " + m.trained_on + "; spread between populations sd " +
                       format::percent(spread.sensitivity_sd) + " (Se), " +
                       format::percent(spread.specificity_sd) + " (Sp) included";
  if (a.accuracy_from.empty()) {
    if (!a.label.empty()) throw ConfigError("--label", a.label, "only with --accuracy-from FILE");
    return source;
  }
  const FollowerData labelled = read_labelled(a.accuracy_from, a.label);
  const Confusion c = confusion_at(m.predict(labelled), labelled.label, m.threshold);
  if (c.tp + c.fn == 0 || c.tn + c.fp == 0)
    throw InputError(labelled.source, 0, 0,
                     "--accuracy-from needs both fake and real labelled followers (found " +
                         std::to_string(c.tp + c.fn) + " fake, " + std::to_string(c.tn + c.fp) +
                         " real)");
  m.accuracy = {c.recall(), c.specificity(), c.tp + c.fn, c.tn + c.fp};
  return "measured on " + basenames(a.accuracy_from);
}

void append_record(const AuditOptions& a, const AuditResult& r) {
  AuditRecord rec;
  rec.handle = a.handle;
  rec.fake_share = r.estimate.corrected;
  rec.lo = r.estimate.corrected_ci.lo;
  rec.hi = r.estimate.corrected_ci.hi;
  rec.sampled = r.stats.rows;
  rec.flagged = r.stats.flagged;
  rec.method = std::string(interval_method_name(r.method));
  rec.confidence = a.confidence;
  rec.model = r.model_name;
  rec.date = utc_now();
  append_audit_record(a.append_to, rec);
}

}  // namespace

AuditFitResult audit_fit(const AuditFitOptions& a) {
  if (a.out.empty()) throw ConfigError("--out", "", "the model file to write (model.toml)");
  FitOptions opt;
  opt.terms = parse_terms(a.features);
  opt.lambda = a.lambda;
  opt.cv_folds = a.cv;
  opt.cv_seed = a.seed;
  opt.threshold = parse_threshold(a.threshold);
  const FollowerData data = read_labelled(a.files, a.label);
  AuditFitResult r;
  r.model = fit_model(data, opt);
  r.model.trained_on = basenames(a.files);
  save_model(r.model, a.out);
  r.rows = data.rows;
  r.missing_values = data.missing_values;
  r.out = a.out;
  return r;
}

AuditEvaluateResult audit_evaluate(const AuditEvaluateOptions& a) {
  AuditEvaluateResult r;
  r.model = load_model(a.model);
  r.model_name = a.model == "default" ? "default" : a.model;
  const FollowerData data = read_labelled(a.files, a.label);
  r.threshold = a.threshold.empty() ? r.model.threshold : parse_threshold(a.threshold);
  if (r.threshold < 0.0) throw ConfigError("--threshold", a.threshold, "a probability in (0, 1)");
  const auto prob = r.model.predict(data);
  for (auto l : data.label) r.positives += l;
  r.sources = basenames(a.files);
  r.rows = data.rows;
  r.missing_values = data.missing_values;
  r.z = normal_quantile(0.975);
  r.has_ratio = data.has(Feature::followers) && data.has(Feature::following);
  r.auc = delong_compare(prob, r.has_ratio ? ratio_rule_score(data) : prob, data.label);
  const Confusion c = confusion_at(prob, data.label, r.threshold);
  r.confusion = c;
  r.precision = proportion(c.precision(), c.tp, c.tp + c.fp);
  r.recall = proportion(c.recall(), c.tp, c.tp + c.fn);
  r.specificity = proportion(c.specificity(), c.tn, c.tn + c.fp);
  r.brier = brier_score(prob, data.label);
  r.log_loss = log_loss(prob, data.label);
  for (const auto& b : calibration_table(prob, data.label, a.bins))
    if (b.n > 0) r.calibration.push_back(b);
  if (a.cv > 0) r.cv = evaluate_cv(data, r.model, a.cv, a.seed, r.has_ratio);
  return r;
}

AuditResult audit_followers(const AuditOptions& a) {
  AuditResult r;
  r.method = check_audit_options(a);
  r.model = load_model(a.model);
  r.model_name = a.model == "default" ? "default" : a.model;
  r.accuracy_source = set_accuracy(r.model, a);
  const LogisticModel& m = r.model;
  FollowerReadOptions ro;
  StreamOptions so;
  so.block_rows = a.chunk;
  so.keep_usernames = a.keep_usernames;
  auto summarise = [&] {
    if (r.stats.rows == 0)
      throw InputError(a.file, 0, 0, "no follower rows under the header: nothing to audit");
    r.estimate = estimate_share(r.stats.flagged, r.stats.rows, m.accuracy, r.method, a.confidence);
    r.plan = plan_sample_size(r.stats.flagged, r.stats.rows, m.accuracy, r.method, a.confidence,
                              a.width);
  };
  if (!a.out.empty()) {
    std::ostringstream cfg;
    cfg << "[audit]\nmodel = \"" << r.model_name << "\"\nmethod = \""
        << interval_method_name(r.method) << "\"\nconfidence = " << a.confidence
        << "\nwidth = " << a.width << "\n";
    const h5::Provenance prov{h5::kFiletypeAudit, 0, cfg.str(), a.command_line};
    h5::write_file_atomically(a.out, prov, [&](h5::File& file) {
      {
        io::FollowerWriter followers(file.id(), a.chunk);
        r.stats = classify_followers(a.file, m, ro, so, [&](const ClassifiedBlock& b) {
          followers.append(b);
          if (a.on_block) a.on_block(b);
        });
      }
      summarise();
      const io::AuditSummary written{a.file,   a.handle,     r.model_name, r.accuracy_source,
                                     r.method, a.confidence, a.width,      &m,
                                     r.stats,  r.estimate,   r.plan};
      io::write_audit_summary(file.id(), written);
    });
    r.out = a.out;
  } else {
    r.stats = classify_followers(a.file, m, ro, so, a.on_block);
    summarise();
  }
  if (!a.append_to.empty()) {
    append_record(a, r);
    r.append_to = a.append_to;
  }
  return r;
}

}  // namespace microreach::jobs
