// microreach audit: how many of an account's followers are fake, and how sure we are.
//   microreach audit followers.csv --model default [--out audit.h5] [--width 0.05]
//   microreach audit fit labelled.csv --label rating --out model.toml
//   microreach audit evaluate labelled.csv --model M [--cv K]
// Options and printing only: the audit jobs (microreach/jobs/audit.hpp) do the work.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "microreach/format.hpp"
#include "microreach/jobs/audit.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

using namespace microreach::audit;
using format::count;
using format::fixed;
using format::percent;

// "[lo, hi]" of an interval, as percentages.
std::string bracket(const Interval& ci) {
  return "[" + percent(ci.lo) + ", " + percent(ci.hi) + "]";
}

void print_missing(std::uint64_t missing) {
  if (missing)
    std::cout << "  " << missing << " missing values counted as their feature's training mean\n";
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

void print_fit(const jobs::AuditFitResult& r) {
  const LogisticModel& m = r.model;
  std::cout << "Fitted a follower model on " << m.trained_on << ": " << count(r.rows)
            << " followers, " << count(m.train_positives) << " labelled fake (lambda " << m.lambda
            << ", " << m.iterations << " Newton steps)\n";
  print_missing(r.missing_values);
  print_coefficients(std::cout, m);
  std::cout << "  " << m.cv_folds << "-fold cross-validation (seed " << m.cv_seed << "): AUC "
            << fixed(m.cv_auc, 3) << ", sensitivity " << percent(m.accuracy.sensitivity) << " of "
            << m.accuracy.positives << " fake, specificity " << percent(m.accuracy.specificity)
            << " of " << m.accuracy.negatives << " real\n";
  std::cout << "Wrote " << r.out << "\n";
}

// "DIFF (95% CI LO to HI, paired DeLong p = P)" of a paired AUC difference.
std::string auc_difference(const AucComparison& d, double z) {
  return fixed(d.diff, 3) + " (95% CI " + fixed(d.diff - z * d.se_diff, 3) + " to " +
         fixed(d.diff + z * d.se_diff, 3) + ", paired DeLong " +
         (d.p_value < 1e-4 ? "p < 0.0001" : "p = " + fixed(d.p_value, 4)) + ")";
}

void print_evaluate(const jobs::AuditEvaluateResult& r) {
  const auto& d = r.auc;
  const Confusion& c = r.confusion;
  std::cout << "Evaluated the model " << r.model_name << " (trained on " << r.model.trained_on
            << ") on " << r.sources << ": " << count(r.rows) << " followers, " << count(r.positives)
            << " labelled fake\n";
  print_missing(r.missing_values);
  std::cout << "  ROC AUC " << fixed(d.auc_a, 3) << " (95% CI " << fixed(d.auc_a - r.z * d.se_a, 3)
            << " - " << fixed(std::min(1.0, d.auc_a + r.z * d.se_a), 3) << ", DeLong)\n";
  if (r.has_ratio)
    std::cout << "  baseline: following/followers ratio alone, ROC AUC " << fixed(d.auc_b, 3)
              << "; model - baseline = " << auc_difference(d, r.z) << "\n";
  std::cout << "  at threshold " << fixed(r.threshold, 4) << ": flagged " << c.tp + c.fp
            << "; precision " << percent(r.precision.value) << " " << bracket(r.precision.ci)
            << ", recall (sensitivity) " << percent(r.recall.value) << " " << bracket(r.recall.ci)
            << ", specificity " << percent(r.specificity.value) << " " << bracket(r.specificity.ci)
            << "\n";
  std::cout << "  confusion: " << c.tp << " fake flagged, " << c.fn << " fake missed, " << c.fp
            << " real flagged, " << c.tn << " real passed; accuracy " << percent(c.accuracy())
            << ", F1 " << fixed(c.f1(), 3) << "\n";
  std::cout << "  Brier score " << fixed(r.brier, 4) << ", log loss " << fixed(r.log_loss, 4)
            << "\n";
  std::cout << "  calibration (predicted P(fake) vs observed share of fake):\n"
            << "    bin          n      mean predicted   observed   95% CI\n";
  for (const auto& b : r.calibration) {
    char line[160];
    std::snprintf(line, sizeof line, "    %.2f-%.2f  %-6llu %-16s %-10s [%s, %s]\n", b.lo, b.hi,
                  static_cast<unsigned long long>(b.n), percent(b.mean_predicted).c_str(),
                  percent(b.observed).c_str(), percent(b.observed_ci.lo).c_str(),
                  percent(b.observed_ci.hi).c_str());
    std::cout << line;
  }
  if (!r.cv) return;
  const jobs::AuditCrossValidation& cv = *r.cv;
  std::cout << "  " << cv.folds << "-fold cross-validation of the fit on this data (features and "
            << "lambda " << r.model.lambda << " of the model, Youden threshold per fold, seed "
            << cv.seed << "):\n    out-of-fold AUC " << fixed(cv.auc, 3) << ", per fold "
            << fixed(cv.fold_auc_mean, 3) << " +/- " << fixed(cv.fold_auc_sd, 3) << "; sensitivity "
            << percent(cv.confusion.recall()) << ", specificity "
            << percent(cv.confusion.specificity()) << ", precision "
            << percent(cv.confusion.precision()) << "\n";
  if (cv.vs_ratio)
    std::cout << "    out-of-fold model - following/followers ratio rule = "
              << auc_difference(*cv.vs_ratio, r.z) << "\n";
}

void print_audit(const jobs::AuditOptions& a, const jobs::AuditResult& r) {
  const LogisticModel& m = r.model;
  const ShareEstimate& est = r.estimate;
  const SamplePlan& plan = r.plan;
  const std::string level = fixed(100.0 * a.confidence, 0) + "%";
  const std::string width = percent(a.width);
  std::cout << "Audited " << a.file << (a.handle.empty() ? "" : " (" + a.handle + ")")
            << " with the model " << r.model_name << " (trained on " << m.trained_on << ", CV AUC "
            << fixed(m.cv_auc, 3) << ") in " << fixed(r.stats.seconds, 2) << " s\n";
  std::cout << "  followers classified   " << count(r.stats.rows) << "\n";
  if (r.stats.missing_values)
    std::cout << "  missing values         " << count(r.stats.missing_values)
              << " (counted as the training mean of their feature)\n";
  std::cout << "  flagged as fake        " << count(r.stats.flagged) << " = "
            << percent(est.apparent) << " " << bracket(est.apparent_ci) << " ("
            << interval_method_name(r.method) << " " << level << ")\n";
  std::cout << "  classifier             sensitivity " << percent(m.accuracy.sensitivity) << " ("
            << m.accuracy.positives << " fake), specificity " << percent(m.accuracy.specificity)
            << " (" << m.accuracy.negatives << " real) at threshold " << fixed(m.threshold, 3)
            << ", " << r.accuracy_source << "\n";
  std::cout << "  estimated fake share   " << percent(est.corrected) << " "
            << bracket(est.corrected_ci) << " (" << level
            << ", Rogan-Gladen corrected; sampling alone " << bracket(est.sampling_ci) << ")\n";
  if (!plan.reachable)
    std::cout << "  for an interval " << width << " wide: not reachable by sampling more; "
              << "the classifier's own uncertainty already gives " << percent(plan.floor_width)
              << " (label more followers to refit it)\n";
  else if (plan.more_needed == 0)
    std::cout << "  for an interval " << width << " wide: enough followers sampled ("
              << count(plan.total_needed) << " would do)\n";
  else
    std::cout << "  for an interval " << width << " wide: sample " << count(plan.more_needed)
              << " more followers (" << count(plan.total_needed) << " in all)\n";
  if (!r.out.empty()) std::cout << "Wrote " << r.out << "\n";
  if (!r.append_to.empty())
    std::cout << "Recorded " << a.handle << " in " << r.append_to
              << " (use: microreach score --audited " << r.append_to << ")\n";
}

}  // namespace

void add_audit(CLI::App& app, Globals& g) {
  auto a = std::make_shared<jobs::AuditOptions>();
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

  auto f = std::make_shared<jobs::AuditFitOptions>();
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
    auto threads = limit_threads(g.threads);
    print_fit(jobs::audit_fit(*f));
  });

  auto e = std::make_shared<jobs::AuditEvaluateOptions>();
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
  ev->callback([e, &g] {
    auto threads = limit_threads(g.threads);
    print_evaluate(jobs::audit_evaluate(*e));
  });

  cmd->callback([a, cmd, &g] {
    if (!cmd->get_subcommands().empty()) return;  // fit / evaluate ran
    std::vector<InputUse> inputs = {{"", a->file}};
    if (a->model != "default") inputs.push_back({"--model", a->model});
    for (const std::string& file : a->accuracy_from) inputs.push_back({"--accuracy-from", file});
    check_paths(cmd,
                {{"--out", a->out, OutputFormat::binary},
                 {"--append-to", a->append_to, OutputFormat::update}},
                inputs);
    auto threads = limit_threads(g.threads);
    a->command_line = g.command_line;
    print_audit(*a, jobs::audit_followers(*a));
  });
}

}  // namespace microreach::cli
