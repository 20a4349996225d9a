// microreach audit: how many of an account's followers are fake, and how sure we are.
//   microreach audit followers.csv --model default [--out audit.h5] [--width 0.05]
//   microreach audit fit labelled.csv --label rating --out model.toml
//   microreach audit evaluate labelled.csv --model M [--cv K]
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "microreach/audit.hpp"
#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/io/audit.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

using namespace microreach::audit;

std::string pct(double v, int digits = 1) {
  if (std::isnan(v)) return "n/a";
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << 100.0 * v << "%";
  return o.str();
}

std::string fixed(double v, int digits = 3) {
  if (std::isnan(v)) return "n/a";
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

std::string p_text(double p) {
  return p < 1e-4 ? "p < 0.0001" : "p = " + fixed(p, 4);
}

std::string thousands(std::uint64_t n) {
  std::string s = std::to_string(n), r;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) r += ',';
    r += s[i];
  }
  return r;
}

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

double parse_threshold(const std::string& text) {
  if (text.empty() || text == "youden") return -1.0;
  char* end = nullptr;
  const double t = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(t > 0.0 && t < 1.0))
    throw ConfigError("--threshold", text, "'youden' or a probability in (0, 1)");
  return t;
}

void print_coefficients(std::ostream& o, const LogisticModel& m) {
  o << "  term                   transform    mean      sd        coef/sd   odds ratio per sd\n";
  for (const auto& f : m.terms) {
    const auto& info = feature_info(f.term.feature);
    const std::string tr =
        std::string(info.log1p ? "log1p" : "none") + (f.term.power == 2 ? "^2" : "");
    char line[160];
    std::snprintf(line, sizeof line, "  %-22s %-12s %-9.4f %-9.4f %+-9.4f %.3f\n",
                  f.term.name().c_str(), tr.c_str(), f.mean, f.sd, f.coefficient,
                  std::exp(f.coefficient));
    o << line;
  }
  o << "  intercept " << fixed(m.intercept, 4) << ", threshold " << fixed(m.threshold, 4)
    << " (P(fake) at or above it = flagged)\n";
}

// ---------------------------------------------------------------------------------------------
// audit fit
// ---------------------------------------------------------------------------------------------

struct FitArgs {
  std::vector<std::string> files;
  std::string label;
  std::string out;
  std::string features;
  std::string threshold = "youden";
  double lambda = 1.0;
  int cv = 10;
  std::uint64_t seed = 1;
};

void run_fit(const FitArgs& a, const Globals& g) {
  if (a.out.empty()) throw ConfigError("--out", "", "the model file to write (model.toml)");
  auto threads = limit_threads(g.threads);
  FitOptions opt;
  opt.terms = parse_terms(a.features);
  opt.lambda = a.lambda;
  opt.cv_folds = a.cv;
  opt.cv_seed = a.seed;
  opt.threshold = parse_threshold(a.threshold);
  FollowerReadOptions ro;
  ro.label = a.label;
  ro.require_label = true;
  const FollowerData data = read_followers(a.files, ro);
  LogisticModel m = fit_model(data, opt);
  m.trained_on = basenames(a.files);
  save_model(m, a.out);
  std::cout << "Fitted a follower model on " << m.trained_on << ": " << thousands(data.rows)
            << " followers, " << thousands(m.train_positives) << " labelled fake (lambda "
            << m.lambda << ", " << m.iterations << " Newton steps)\n";
  if (data.missing_values)
    std::cout << "  " << data.missing_values
              << " missing values counted as their feature's training mean\n";
  print_coefficients(std::cout, m);
  std::cout << "  " << m.cv_folds << "-fold cross-validation (seed " << m.cv_seed << "): AUC "
            << fixed(m.cv_auc) << ", sensitivity " << pct(m.accuracy.sensitivity) << " of "
            << m.accuracy.positives << " fake, specificity " << pct(m.accuracy.specificity)
            << " of " << m.accuracy.negatives << " real\n";
  std::cout << "Wrote " << a.out << "\n";
}

// ---------------------------------------------------------------------------------------------
// audit evaluate
// ---------------------------------------------------------------------------------------------

struct EvalArgs {
  std::vector<std::string> files;
  std::string label;
  std::string model = "default";
  std::string threshold;
  int cv = 0;
  std::uint64_t seed = 1;
  int bins = 10;
};

void run_evaluate(const EvalArgs& a, const Globals& g) {
  auto threads = limit_threads(g.threads);
  const LogisticModel m = load_model(a.model);
  FollowerReadOptions ro;
  ro.label = a.label;
  ro.require_label = true;
  const FollowerData data = read_followers(a.files, ro);
  const double threshold = a.threshold.empty() ? m.threshold : parse_threshold(a.threshold);
  if (threshold < 0.0) throw ConfigError("--threshold", a.threshold, "a probability in (0, 1)");
  const auto prob = m.predict(data);
  std::uint64_t pos = 0;
  for (auto l : data.label) pos += l;
  const double z = normal_quantile(0.975);
  std::cout << "Evaluated the model " << (a.model == "default" ? "default" : a.model)
            << " (trained on " << m.trained_on << ") on " << basenames(a.files) << ": "
            << thousands(data.rows) << " followers, " << thousands(pos) << " labelled fake\n";
  if (data.missing_values)
    std::cout << "  " << data.missing_values
              << " missing values counted as their feature's training mean\n";
  const bool ratio = data.has(Feature::followers) && data.has(Feature::following);
  const AucComparison d = delong_compare(prob, ratio ? ratio_rule_score(data) : prob, data.label);
  std::cout << "  ROC AUC " << fixed(d.auc_a) << " (95% CI " << fixed(d.auc_a - z * d.se_a) << " - "
            << fixed(std::min(1.0, d.auc_a + z * d.se_a)) << ", DeLong)\n";
  if (ratio)
    std::cout << "  baseline: following/followers ratio alone, ROC AUC " << fixed(d.auc_b)
              << "; model - baseline = " << std::showpos << fixed(d.diff) << std::noshowpos
              << " (95% CI " << fixed(d.diff - z * d.se_diff) << " to "
              << fixed(d.diff + z * d.se_diff) << ", paired DeLong " << p_text(d.p_value) << ")\n";
  const Confusion c = confusion_at(prob, data.label, threshold);
  auto ci = [&](std::uint64_t k, std::uint64_t n) {
    const auto w = wilson_interval(static_cast<double>(k), static_cast<double>(n), 0.95);
    return "[" + pct(w.lo) + ", " + pct(w.hi) + "]";
  };
  std::cout << "  at threshold " << fixed(threshold, 4) << ": flagged " << c.tp + c.fp
            << "; precision " << pct(c.precision()) << " " << ci(c.tp, c.tp + c.fp)
            << ", recall (sensitivity) " << pct(c.recall()) << " " << ci(c.tp, c.tp + c.fn)
            << ", specificity " << pct(c.specificity()) << " " << ci(c.tn, c.tn + c.fp) << "\n";
  std::cout << "  confusion: " << c.tp << " fake flagged, " << c.fn << " fake missed, " << c.fp
            << " real flagged, " << c.tn << " real passed; accuracy " << pct(c.accuracy())
            << ", F1 " << fixed(c.f1()) << "\n";
  std::cout << "  Brier score " << fixed(brier_score(prob, data.label), 4) << ", log loss "
            << fixed(log_loss(prob, data.label), 4) << "\n";
  std::cout << "  calibration (predicted P(fake) vs observed share of fake):\n"
            << "    bin          n      mean predicted   observed   95% CI\n";
  for (const auto& b : calibration_table(prob, data.label, a.bins)) {
    if (b.n == 0) continue;
    char line[160];
    std::snprintf(line, sizeof line, "    %.2f-%.2f  %-6llu %-16s %-10s [%s, %s]\n", b.lo, b.hi,
                  static_cast<unsigned long long>(b.n), pct(b.mean_predicted).c_str(),
                  pct(b.observed).c_str(), pct(b.observed_ci.lo).c_str(),
                  pct(b.observed_ci.hi).c_str());
    std::cout << line;
  }
  if (a.cv > 0) {
    FitOptions opt;
    opt.terms.clear();
    for (const auto& t : m.terms) opt.terms.push_back(t.term);
    opt.lambda = m.lambda;
    opt.cv_folds = a.cv;
    opt.cv_seed = a.seed;
    const CrossValidation cv = cross_validate(data, opt);
    double mean = 0.0, sd = 0.0;
    for (double v : cv.fold_auc) mean += v / cv.folds;
    for (double v : cv.fold_auc) sd += (v - mean) * (v - mean) / std::max(1, cv.folds - 1);
    std::cout << "  " << a.cv << "-fold cross-validation of the fit on this data (features and "
              << "lambda " << m.lambda << " of the model, Youden threshold per fold, seed "
              << a.seed << "):\n    out-of-fold AUC " << fixed(cv.auc) << ", per fold "
              << fixed(mean) << " +/- " << fixed(std::sqrt(sd)) << "; sensitivity "
              << pct(cv.confusion.recall()) << ", specificity " << pct(cv.confusion.specificity())
              << ", precision " << pct(cv.confusion.precision()) << "\n";
    if (ratio) {
      const AucComparison dc =
          delong_compare(cv.oof_probability, ratio_rule_score(data), data.label);
      std::cout << "    out-of-fold model - following/followers ratio rule = " << std::showpos
                << fixed(dc.diff) << std::noshowpos << " (95% CI "
                << fixed(dc.diff - z * dc.se_diff) << " to " << fixed(dc.diff + z * dc.se_diff)
                << ", paired DeLong " << p_text(dc.p_value) << ")\n";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// audit FOLLOWERS
// ---------------------------------------------------------------------------------------------

struct AuditArgs {
  std::string file;
  std::string model = "default";
  std::string out;
  std::string method = "wilson";
  std::string handle;
  std::string append_to;
  std::vector<std::string> accuracy_from;
  std::string label;
  double width = 0.05;
  double confidence = 0.95;
  std::size_t chunk = 16384;
  bool keep_usernames = false;
};

void run_audit(const AuditArgs& a, const Globals& g) {
  if (a.file.empty())
    throw ConfigError("FOLLOWERS", "", "a follower file to audit (or: audit fit / audit evaluate)");
  if (!a.append_to.empty() && a.handle.empty())
    throw ConfigError("--append-to", a.append_to, "--handle NAME too: the account audited");
  const IntervalMethod method = parse_interval_method("--method", a.method);
  if (!(a.confidence > 0.0 && a.confidence < 1.0))
    throw ConfigError("--confidence", std::to_string(a.confidence), "a level in (0, 1)");
  if (!(a.width > 0.0 && a.width < 1.0))
    throw ConfigError("--width", std::to_string(a.width), "an interval width in (0, 1)");
  auto threads = limit_threads(g.threads);
  LogisticModel m = load_model(a.model);
  const std::string model_name = a.model == "default" ? "default" : a.model;
  // The Rogan-Gladen correction is only as good as the classifier's Se/Sp on *this* kind of
  // account: labelled followers from the audited population replace the training CV figures.
  std::string accuracy_source = "cross-validated on " + m.trained_on;
  // Measured on another population than the audited one: their spread between populations
  // widens the interval (docs/model.md, "Carrying Se and Sp to another population").
  const TransferSpread spread = default_transfer_spread();
  m.accuracy.transfer_sd_sensitivity = spread.sensitivity_sd;
  m.accuracy.transfer_sd_specificity = spread.specificity_sd;
  accuracy_source += "; spread between populations sd " + pct(spread.sensitivity_sd) + " (Se), " +
                     pct(spread.specificity_sd) + " (Sp) included";
  if (!a.accuracy_from.empty()) {
    FollowerReadOptions lo;
    lo.label = a.label;
    lo.require_label = true;
    const FollowerData labelled = read_followers(a.accuracy_from, lo);
    const Confusion c = confusion_at(m.predict(labelled), labelled.label, m.threshold);
    if (c.tp + c.fn == 0 || c.tn + c.fp == 0)
      throw InputError(labelled.source, 0, 0,
                       "--accuracy-from needs both fake and real labelled followers (found " +
                           std::to_string(c.tp + c.fn) + " fake, " + std::to_string(c.tn + c.fp) +
                           " real)");
    m.accuracy = {c.recall(), c.specificity(), c.tp + c.fn, c.tn + c.fp};
    accuracy_source = "measured on " + basenames(a.accuracy_from);
  } else if (!a.label.empty()) {
    throw ConfigError("--label", a.label, "only with --accuracy-from FILE");
  }
  FollowerReadOptions ro;
  StreamOptions so;
  so.block_rows = a.chunk;
  so.keep_usernames = a.keep_usernames;
  StreamStats stats;
  ShareEstimate est;
  SamplePlan plan;
  auto summarise = [&] {
    if (stats.rows == 0)
      throw InputError(a.file, 0, 0, "no follower rows under the header: nothing to audit");
    est = estimate_share(stats.flagged, stats.rows, m.accuracy, method, a.confidence);
    plan = plan_sample_size(stats.flagged, stats.rows, m.accuracy, method, a.confidence, a.width);
  };
  if (!a.out.empty()) {
    AtomicOutput out(a.out);
    {
      std::ostringstream cfg;
      cfg << "[audit]\nmodel = \"" << model_name << "\"\nmethod = \""
          << interval_method_name(method) << "\"\nconfidence = " << a.confidence
          << "\nwidth = " << a.width << "\n";
      h5::Provenance prov{h5::kFiletypeAudit, 0, cfg.str(), g.command_line};
      h5::File file = h5::File::create(out.temp_path(), prov);
      {
        io::FollowerWriter followers(file.id(), a.chunk);
        stats = classify_followers(a.file, m, ro, so,
                                   [&](const ClassifiedBlock& b) { followers.append(b); });
      }
      summarise();
      io::AuditSummary written{a.file, a.handle,     model_name, accuracy_source,
                               method, a.confidence, a.width,    &m,
                               stats,  est,          plan};
      io::write_audit_summary(file.id(), written);
      file.close();
    }
    out.commit();
  } else {
    stats = classify_followers(a.file, m, ro, so, nullptr);
    summarise();
  }
  if (!a.append_to.empty()) {
    AuditRecord r;
    r.handle = a.handle;
    r.fake_share = est.corrected;
    r.lo = est.corrected_ci.lo;
    r.hi = est.corrected_ci.hi;
    r.sampled = stats.rows;
    r.flagged = stats.flagged;
    r.method = std::string(interval_method_name(method));
    r.confidence = a.confidence;
    r.model = model_name;
    r.date = utc_now();
    append_audit_record(a.append_to, r);
  }

  const std::string level = pct(a.confidence, 0);
  std::cout << "Audited " << a.file << (a.handle.empty() ? "" : " (" + a.handle + ")")
            << " with the model " << model_name << " (trained on " << m.trained_on << ", CV AUC "
            << fixed(m.cv_auc) << ") in " << fixed(stats.seconds, 2) << " s\n";
  std::cout << "  followers classified   " << thousands(stats.rows) << "\n";
  if (stats.missing_values)
    std::cout << "  missing values         " << thousands(stats.missing_values)
              << " (counted as the training mean of their feature)\n";
  std::cout << "  flagged as fake        " << thousands(stats.flagged) << " = " << pct(est.apparent)
            << " [" << pct(est.apparent_ci.lo) << ", " << pct(est.apparent_ci.hi) << "] ("
            << interval_method_name(method) << " " << level << ")\n";
  std::cout << "  classifier             sensitivity " << pct(m.accuracy.sensitivity) << " ("
            << m.accuracy.positives << " fake), specificity " << pct(m.accuracy.specificity) << " ("
            << m.accuracy.negatives << " real) at threshold " << fixed(m.threshold, 3) << ", "
            << accuracy_source << "\n";
  std::cout << "  estimated fake share   " << pct(est.corrected) << " [" << pct(est.corrected_ci.lo)
            << ", " << pct(est.corrected_ci.hi) << "] (" << level
            << ", Rogan-Gladen corrected; sampling alone [" << pct(est.sampling_ci.lo) << ", "
            << pct(est.sampling_ci.hi) << "])\n";
  if (!plan.reachable)
    std::cout << "  for an interval " << pct(a.width) << " wide: not reachable by sampling more; "
              << "the classifier's own uncertainty already gives " << pct(plan.floor_width)
              << " (label more followers to refit it)\n";
  else if (plan.more_needed == 0)
    std::cout << "  for an interval " << pct(a.width) << " wide: enough followers sampled ("
              << thousands(plan.total_needed) << " would do)\n";
  else
    std::cout << "  for an interval " << pct(a.width) << " wide: sample "
              << thousands(plan.more_needed) << " more followers (" << thousands(plan.total_needed)
              << " in all)\n";
  if (!a.out.empty()) std::cout << "Wrote " << a.out << "\n";
  if (!a.append_to.empty())
    std::cout << (a.out.empty() ? "" : "") << "Recorded " << a.handle << " in " << a.append_to
              << " (use: microreach score --audited " << a.append_to << ")\n";
}

}  // namespace

void add_audit(CLI::App& app, Globals& g) {
  auto a = std::make_shared<AuditArgs>();
  CLI::App* cmd = app.add_subcommand(
      "audit",
      "Estimate an account's fake-follower share from a sample of its followers, with a "
      "confidence interval (subcommands: fit, evaluate)");
  cmd->add_option("FOLLOWERS", a->file,
                  "Follower file (CSV/TSV/JSON): a random sample of the account's followers with "
                  "followers, following, posts, profile picture, private, username columns");
  cmd->add_option("--model,-m", a->model,
                  "Model file from 'audit fit', or 'default' (built in, fitted on the SRF set)");
  cmd->add_option("--out,-o", a->out, "Output HDF5 file (per-follower probabilities + summary)");
  cmd->add_option("--width", a->width,
                  "Target width of the interval, for the sample-size advice (0.05 = +/- 2.5 "
                  "points)");
  cmd->add_option("--confidence", a->confidence, "Confidence level of the intervals");
  cmd->add_option("--method", a->method, "Binomial interval: wilson or clopper-pearson");
  cmd->add_option("--handle", a->handle, "The audited account's handle (for --append-to)");
  cmd->add_option("--append-to", a->append_to,
                  "Add (or replace) this account's row in an audits CSV for 'score --audited'");
  cmd->add_option("--accuracy-from", a->accuracy_from,
                  "Labelled followers of the audited kind of account: measure the model's "
                  "sensitivity/specificity on them for the correction (default: the model's "
                  "cross-validated figures)");
  cmd->add_option("--label", a->label, "Label column of the --accuracy-from files");
  cmd->add_flag("--keep-usernames", a->keep_usernames,
                "Store the usernames in the HDF5 output (/followers/username)");
  cmd->add_option("--chunk-size", a->chunk,
                  "Rows per HDF5 chunk (and per parallel block for JSON input)")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 22));
  cmd->require_subcommand(0, 1);

  auto f = std::make_shared<FitArgs>();
  CLI::App* fit = cmd->add_subcommand(
      "fit", "Fit the follower model (L2 logistic regression) on labelled followers");
  fit->add_option("FILES", f->files, "Labelled follower files (CSV/TSV/JSON), concatenated")
      ->required();
  fit->add_option("--label", f->label,
                  "Label column (TRUE/FALSE, 1/0, fake/real; 1 = fake). Default: label, is_fake, "
                  "fake or rating");
  fit->add_option("--out,-o", f->out, "Model file to write (TOML)")->required();
  fit->add_option("--features", f->features,
                  "Comma-separated model terms: a feature, or feature^2 for the square of its "
                  "transformed value (default: followers,followers^2,following,following^2,"
                  "posts,posts^2,has_profile_picture,is_private,username_digits,"
                  "username_length; bio_length is also available)");
  fit->add_option("--lambda", f->lambda, "L2 penalty on the standardised coefficients")
      ->check(CLI::NonNegativeNumber);
  fit->add_option("--cv", f->cv, "Folds of the cross-validation that measures Se/Sp")
      ->check(CLI::Range(2, 100));
  fit->add_option("--seed", f->seed, "Seed of the fold assignment");
  fit->add_option("--threshold", f->threshold, "'youden' (maximise Se + Sp - 1) or a probability");
  fit->callback([f, fit, &g] {
    std::vector<InputUse> inputs;
    for (const std::string& file : f->files) inputs.push_back({"", file});
    check_paths(fit, {{"--out", f->out, OutputFormat::text}}, inputs);
    run_fit(*f, g);
  });

  auto e = std::make_shared<EvalArgs>();
  CLI::App* ev = cmd->add_subcommand(
      "evaluate", "ROC AUC, precision/recall, calibration of a follower model on labelled data");
  ev->add_option("FILES", e->files, "Labelled follower files (CSV/TSV/JSON), concatenated")
      ->required();
  ev->add_option("--model,-m", e->model, "Model file, or 'default'");
  ev->add_option("--label", e->label, "Label column (default: label, is_fake, fake or rating)");
  ev->add_option("--threshold", e->threshold, "Probability threshold (default: the model's)");
  ev->add_option("--cv", e->cv, "Also cross-validate the fit on this data with K folds (0 = no)")
      ->check(CLI::Range(0, 100));
  ev->add_option("--seed", e->seed, "Seed of the fold assignment");
  ev->add_option("--bins", e->bins, "Bins of the calibration table")->check(CLI::Range(1, 100));
  ev->callback([e, &g] { run_evaluate(*e, g); });

  cmd->callback([a, cmd, &g] {
    if (!cmd->get_subcommands().empty()) return;  // fit / evaluate ran
    std::vector<InputUse> inputs = {{"", a->file}};
    if (a->model != "default") inputs.push_back({"--model", a->model});
    for (const std::string& file : a->accuracy_from) inputs.push_back({"--accuracy-from", file});
    check_paths(cmd,
                {{"--out", a->out, OutputFormat::binary},
                 {"--append-to", a->append_to, OutputFormat::update}},
                inputs);
    run_audit(*a, g);
  });
}

}  // namespace microreach::cli
