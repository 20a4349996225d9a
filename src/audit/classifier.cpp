// Audience audit: follower features, the logistic model (Newton/IRLS fit, TOML model files),
// validation metrics and cross-validation. Formulas: docs/model.md "Audience audit".
#include "microreach/audit/classifier.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/random.hpp"
#include "microreach/table.hpp"

namespace microreach::audit {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Entity keys of the audit's random streams (Purpose::audit): fold assignment per class.
constexpr std::uint64_t kFoldStreamEntity = 0xF01D0000ULL;

const std::array<FeatureInfo, kFeatureCount> kFeatureInfo = {{
    {"followers", true, false, "accounts following this follower"},
    {"following", true, false, "accounts this follower follows"},
    {"posts", true, false, "posts (media) published"},
    {"has_profile_picture", false, true, "has a profile picture (1) or the default (0)"},
    {"is_private", false, true, "private account (1) or public (0)"},
    {"bio_length", true, false, "characters in the biography"},
    {"username_digits", false, false, "digits in the username"},
    {"username_length", false, false, "characters in the username"},
}};

// Aliases, already in normalize_header() form (lower case letters and digits only).
const std::array<std::vector<std::string_view>, kFeatureCount> kAliases = {{
    {"followers", "numberoffollowers", "followercount", "userfollowercount", "followerscount",
     "nfollowers", "edgefollowedby"},
    {"following", "numberofpeopletheyfollow", "followingcount", "userfollowingcount", "follows",
     "followscount", "nfollowing", "edgefollow"},
    {"posts", "numberofposts", "mediacount", "usermediacount", "postscount", "nposts", "media"},
    {"hasprofilepicture", "hasprofilepic", "userhasprofilpic", "userhasprofilepic",
     "profilepicture", "profilepic"},
    {"isprivate", "private", "privateaccount", "userisprivate"},
    {"biolength", "userbiographylength", "biographylength"},
    {"usernamedigits", "usernamedigitcount", "digitsinusername"},
    {"usernamelength", "usernamelen"},
}};

// log1p of a count: counts are mostly small whole numbers, whose log1p is read from a table
// filled with std::log1p itself (so the result is bit-identical, only faster).
constexpr std::size_t kLog1pTable = 8192;
const std::array<double, kLog1pTable>& log1p_table() {
  static const auto t = [] {
    std::array<double, kLog1pTable> a{};
    // Through a volatile function pointer: the values must come from the run-time log1p, not
    // from the compiler's constant folding (GCC folds log1p with MPFR, correctly rounded, which
    // differs from the C library's result in the last bit for about 1 % of these numbers).
    double (*volatile f)(double) = std::log1p;
    for (std::size_t i = 0; i < kLog1pTable; ++i) a[i] = f(static_cast<double>(i));
    return a;
  }();
  return t;
}
inline double log1p_count(double v) {
  if (v >= 0.0 && v < static_cast<double>(kLog1pTable)) {
    const auto i = static_cast<std::size_t>(v);
    if (static_cast<double>(i) == v) return log1p_table()[i];
  }
  return std::log1p(v);
}

double clip_prob(double p) {
  return std::min(1.0 - 1e-15, std::max(1e-15, p));
}

// log(1 + exp(x)) without overflow.
double softplus(double x) {
  return x > 0.0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}
double sigmoid(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string alias_list(Feature f) {
  std::string s;
  for (auto a : feature_aliases(f)) s += (s.empty() ? "" : ", ") + std::string(a);
  return s;
}

// Solves the symmetric positive definite system A x = b (n x n, row-major) by Cholesky.
// Returns false if A is not numerically positive definite.
bool cholesky_solve(std::vector<double> a, std::vector<double> b, std::size_t n,
                    std::vector<double>& x) {
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0.0)) return false;
    const double l = std::sqrt(d);
    a[j * n + j] = l;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {  // L y = b
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  x.assign(n, 0.0);
  for (std::size_t ii = n; ii-- > 0;) {  // L^T x = y
    double s = b[ii];
    for (std::size_t k = ii + 1; k < n; ++k) s -= a[k * n + ii] * x[k];
    x[ii] = s / a[ii * n + ii];
  }
  return true;
}

void require_feature(const FollowerData& data, Feature f) {
  if (!data.has(f)) throw_missing_feature(data.source, f);
}

void check_labels(const FollowerData& data) {
  if (data.label.size() != data.rows)
    throw InputError(data.source, 0, 0, "no label column: the fit needs labelled followers");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------------------------

const FeatureInfo& feature_info(Feature f) {
  return kFeatureInfo[static_cast<std::size_t>(f)];
}

const std::vector<std::string_view>& feature_aliases(Feature f) {
  return kAliases[static_cast<std::size_t>(f)];
}

void throw_missing_feature(const std::string& source, Feature f) {
  std::string msg = "no column for the model feature '" + std::string(feature_info(f).name) +
                    "' (accepted headers, compared without case and punctuation: " + alias_list(f);
  if (f == Feature::username_digits || f == Feature::username_length)
    msg += "; or a username column: username, user, handle, screen_name, login, account";
  throw InputError(source, 1, 0, msg + ")");
}

Feature parse_feature(const std::string& option, const std::string& name) {
  const std::string key = normalize_header(name);
  for (std::size_t i = 0; i < kFeatureCount; ++i)
    if (normalize_header(kFeatureInfo[i].name) == key) return static_cast<Feature>(i);
  std::string all;
  for (const auto& fi : kFeatureInfo) all += (all.empty() ? "" : ", ") + std::string(fi.name);
  throw ConfigError(option, name, "one of " + all);
}

std::string Term::name() const {
  return std::string(feature_info(feature).name) + (power == 2 ? "^2" : "");
}

double Term::value(double raw) const {
  const double t = feature_info(feature).log1p ? log1p_count(raw) : raw;
  return power == 2 ? t * t : t;
}

Term parse_term(const std::string& option, const std::string& text) {
  std::string t = trim(text);
  Term term;
  if (t.size() > 2 && t.compare(t.size() - 2, 2, "^2") == 0) {
    term.power = 2;
    t.resize(t.size() - 2);
  }
  term.feature = parse_feature(option, t);
  if (term.power == 2 && feature_info(term.feature).boolean)
    throw ConfigError(option, text, "no square of a 0/1 feature (it equals the feature)");
  return term;
}

std::vector<Term> default_terms() {
  return {
      {Feature::followers, 1},           {Feature::followers, 2},  {Feature::following, 1},
      {Feature::following, 2},           {Feature::posts, 1},      {Feature::posts, 2},
      {Feature::has_profile_picture, 1}, {Feature::is_private, 1}, {Feature::username_digits, 1},
      {Feature::username_length, 1}};
}

void username_signals(std::string_view username, double& digits, double& length) {
  std::size_t d = 0, n = 0;
  for (unsigned char c : username) {
    if (std::isdigit(c)) ++d;
    if ((c & 0xC0) != 0x80) ++n;  // count UTF-8 lead bytes: code points
  }
  digits = static_cast<double>(d);
  length = static_cast<double>(n);
}

int parse_boolean_like(std::string_view text) {
  const std::string t = lower(trim(text));
  if (t == "true" || t == "1" || t == "yes" || t == "fake" || t == "t" || t == "1.0") return 1;
  if (t == "false" || t == "0" || t == "no" || t == "real" || t == "f" || t == "0.0") return 0;
  return -1;
}

FollowerData FollowerData::slice(const std::vector<std::size_t>& take) const {
  FollowerData out;
  out.source = source;
  out.rows = take.size();
  for (std::size_t f = 0; f < kFeatureCount; ++f) {
    if (x[f].empty()) continue;
    out.x[f].reserve(take.size());
    for (auto i : take) out.x[f].push_back(x[f][i]);
  }
  if (!label.empty())
    for (auto i : take) out.label.push_back(label[i]);
  if (!username.empty())
    for (auto i : take) out.username.push_back(username[i]);
  if (!line.empty())
    for (auto i : take) out.line.push_back(line[i]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Logistic regression
// ---------------------------------------------------------------------------------------------

std::vector<double> fit_logistic_dense(const std::vector<double>& design, std::size_t rows,
                                       std::size_t p, const std::vector<std::uint8_t>& y,
                                       double lambda, int max_iterations, double tolerance,
                                       int* iterations) {
  if (design.size() != rows * p || y.size() != rows)
    throw Error("fit_logistic_dense: design is " + std::to_string(design.size()) + " values for " +
                std::to_string(rows) + " x " + std::to_string(p));
  if (!(lambda >= 0.0) || !std::isfinite(lambda))
    throw ConfigError("--lambda", std::to_string(lambda), "a penalty >= 0");
  const std::size_t q = p + 1;  // intercept + p
  std::vector<double> beta(q, 0.0);
  // Start the intercept at the log odds of the base rate: one Newton step less, and safe.
  const double pos = static_cast<double>(std::count(y.begin(), y.end(), std::uint8_t{1}));
  if (pos > 0.0 && pos < static_cast<double>(rows))
    beta[0] = std::log(pos / (static_cast<double>(rows) - pos));

  auto objective = [&](const std::vector<double>& b) {
    double ll = 0.0;
    for (std::size_t i = 0; i < rows; ++i) {
      double eta = b[0];
      const double* xi = design.data() + i * p;
      for (std::size_t j = 0; j < p; ++j) eta += b[j + 1] * xi[j];
      ll += (y[i] ? eta : 0.0) - softplus(eta);
    }
    double pen = 0.0;
    for (std::size_t j = 1; j < q; ++j) pen += b[j] * b[j];
    return ll - 0.5 * lambda * pen;
  };

  double obj = objective(beta);
  std::vector<double> h(q * q), g(q), step;
  int it = 0;
  for (; it < max_iterations; ++it) {
    std::fill(h.begin(), h.end(), 0.0);
    std::fill(g.begin(), g.end(), 0.0);
    std::vector<double> xi1(q);
    for (std::size_t i = 0; i < rows; ++i) {
      const double* xi = design.data() + i * p;
      xi1[0] = 1.0;
      double eta = beta[0];
      for (std::size_t j = 0; j < p; ++j) {
        xi1[j + 1] = xi[j];
        eta += beta[j + 1] * xi[j];
      }
      const double mu = sigmoid(eta);
      const double w = mu * (1.0 - mu);
      const double r = (y[i] ? 1.0 : 0.0) - mu;
      for (std::size_t a = 0; a < q; ++a) {
        g[a] += r * xi1[a];
        const double wa = w * xi1[a];
        for (std::size_t b = 0; b <= a; ++b) h[a * q + b] += wa * xi1[b];
      }
    }
    for (std::size_t a = 0; a < q; ++a)
      for (std::size_t b = 0; b < a; ++b) h[b * q + a] = h[a * q + b];
    for (std::size_t j = 1; j < q; ++j) {
      g[j] -= lambda * beta[j];
      h[j * q + j] += lambda;
    }
    // Tiny ridge on the whole matrix guards an exactly singular design (constant column, lambda 0).
    for (std::size_t j = 0; j < q; ++j) h[j * q + j] += 1e-12 * (1.0 + h[j * q + j]);
    if (!cholesky_solve(h, g, q, step))
      throw Error(
          "logistic fit: the Hessian is not positive definite (collinear features?); "
          "use a penalty --lambda > 0");
    // Backtracking: the penalised log-likelihood must not decrease.
    double t = 1.0, max_step = 0.0;
    std::vector<double> trial(q);
    for (int bt = 0; bt < 60; ++bt) {
      for (std::size_t j = 0; j < q; ++j) trial[j] = beta[j] + t * step[j];
      const double o = objective(trial);
      if (o >= obj - 1e-12 * std::fabs(obj)) {
        obj = o;
        break;
      }
      t *= 0.5;
    }
    for (std::size_t j = 0; j < q; ++j) {
      max_step = std::max(max_step, std::fabs(trial[j] - beta[j]));
      beta[j] = trial[j];
    }
    if (max_step < tolerance) {
      ++it;
      break;
    }
    if (it + 1 == max_iterations)
      throw Error("logistic fit did not converge in " + std::to_string(max_iterations) +
                  " Newton steps (last step " + std::to_string(max_step) +
                  "): the classes may be separable; use a penalty --lambda > 0");
  }
  if (iterations) *iterations = it;
  return beta;
}

double LogisticModel::linear(const double* raw) const {
  double eta = intercept;
  // Each feature's transform (log1p) is computed once, however many terms use it.
  std::array<double, kFeatureCount> t;
  std::uint32_t done = 0;
  for (const auto& mt : terms) {
    const auto fi = static_cast<std::size_t>(mt.term.feature);
    const double v = raw[fi];
    if (std::isnan(v)) continue;  // missing: the training mean, z = 0
    if (!((done >> fi) & 1u)) {
      t[fi] = feature_info(mt.term.feature).log1p ? log1p_count(v) : v;
      done |= 1u << fi;
    }
    const double x = mt.term.power == 2 ? t[fi] * t[fi] : t[fi];
    eta += mt.coefficient * ((x - mt.mean) / mt.sd);
  }
  return eta;
}

double LogisticModel::probability(const double* raw) const {
  return sigmoid(linear(raw));
}

std::vector<Feature> LogisticModel::features() const {
  std::vector<Feature> f;
  for (const auto& mt : terms)
    if (std::find(f.begin(), f.end(), mt.term.feature) == f.end()) f.push_back(mt.term.feature);
  return f;
}

void LogisticModel::require(const FollowerData& data) const {
  for (const auto& mt : terms) require_feature(data, mt.term.feature);
}

std::vector<double> LogisticModel::predict(const FollowerData& data) const {
  require(data);
  std::vector<double> out(data.rows);
  const auto feats = features();
  // Rows are independent: blocks in parallel, each writing its own rows.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, data.rows, 8192),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      std::array<double, kFeatureCount> row;
                      row.fill(kNaN);
                      for (std::size_t i = r.begin(); i < r.end(); ++i) {
                        for (auto f : feats) row[static_cast<std::size_t>(f)] = data.col(f)[i];
                        out[i] = probability(row.data());
                      }
                    });
  return out;
}

LogisticModel fit_core(const FollowerData& data, const FitOptions& opt) {
  check_labels(data);
  if (opt.terms.empty()) throw ConfigError("--features", "", "at least one feature");
  const std::size_t n = data.rows, p = opt.terms.size();
  std::uint64_t pos = 0;
  for (auto l : data.label) pos += l;
  if (pos == 0 || pos == n)
    throw InputError(data.source, 0, 0,
                     "the labels are all " +
                         std::string(pos == 0 ? "real (0/FALSE)" : "fake (1/TRUE)") +
                         ": a classifier needs both fake and real followers");
  LogisticModel m;
  m.lambda = opt.lambda;
  m.train_rows = n;
  m.train_positives = pos;
  std::vector<double> design(n * p);
  for (std::size_t j = 0; j < p; ++j) {
    const Term term = opt.terms[j];
    const Feature f = term.feature;
    require_feature(data, f);
    const auto& col = data.col(f);
    double sum = 0.0, sum2 = 0.0;
    std::size_t seen = 0;
    for (double v : col) {
      if (std::isnan(v)) continue;
      const double t = term.value(v);
      sum += t;
      ++seen;
    }
    if (seen == 0)
      throw InputError(
          data.source, 0, 0,
          "the column for feature '" + std::string(feature_info(f).name) + "' has no values");
    const double mean = sum / static_cast<double>(seen);
    for (double v : col)
      if (!std::isnan(v)) sum2 += (term.value(v) - mean) * (term.value(v) - mean);
    double sd = std::sqrt(sum2 / static_cast<double>(seen));
    if (!(sd > 1e-12)) sd = 1.0;  // constant feature: z = 0 everywhere, coefficient 0
    for (std::size_t i = 0; i < n; ++i)
      design[i * p + j] = std::isnan(col[i]) ? 0.0 : (term.value(col[i]) - mean) / sd;
    m.terms.push_back({term, mean, sd, 0.0});
  }
  const auto beta = fit_logistic_dense(design, n, p, data.label, opt.lambda, opt.max_iterations,
                                       opt.tolerance, &m.iterations);
  m.intercept = beta[0];
  for (std::size_t j = 0; j < p; ++j) m.terms[j].coefficient = beta[j + 1];
  if (opt.threshold < 0.0) {
    std::vector<double> prob(n);
    for (std::size_t i = 0; i < n; ++i) {
      double eta = beta[0];
      for (std::size_t j = 0; j < p; ++j) eta += beta[j + 1] * design[i * p + j];
      prob[i] = sigmoid(eta);
    }
    m.threshold = youden_threshold(prob, data.label);
  } else {
    if (!(opt.threshold > 0.0 && opt.threshold < 1.0))
      throw ConfigError("--threshold", std::to_string(opt.threshold),
                        "a probability in (0, 1), or 'youden'");
    m.threshold = opt.threshold;
  }
  return m;
}

std::vector<int> stratified_folds(const std::vector<std::uint8_t>& label, int k,
                                  std::uint64_t seed) {
  if (k < 2) throw ConfigError("--cv", std::to_string(k), "at least 2 folds");
  std::vector<int> fold(label.size(), 0);
  for (std::uint8_t cls = 0; cls < 2; ++cls) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < label.size(); ++i)
      if (label[i] == cls) idx.push_back(i);
    if (idx.size() < static_cast<std::size_t>(k))
      throw ConfigError("--cv", std::to_string(k),
                        "at most " + std::to_string(idx.size()) + " folds: only " +
                            std::to_string(idx.size()) + (cls ? " fake" : " real") +
                            " followers are labelled, each fold needs one");
    // Fisher-Yates with the audit stream for this class, then deal the folds in turn.
    Stream s(seed, Purpose::audit, kFoldStreamEntity + cls);
    for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[s.below(i)]);
    for (std::size_t r = 0; r < idx.size(); ++r) fold[idx[r]] = static_cast<int>(r % k);
  }
  return fold;
}

CrossValidation cross_validate(const FollowerData& data, const FitOptions& opt) {
  check_labels(data);
  const int k = opt.cv_folds;
  const auto fold = stratified_folds(data.label, k, opt.cv_seed);
  CrossValidation cv;
  cv.folds = k;
  cv.oof_probability.assign(data.rows, kNaN);
  cv.oof_flag.assign(data.rows, 0);
  cv.fold_auc.assign(static_cast<std::size_t>(k), kNaN);
  // Folds are independent: fit them in parallel (each writes its own rows: deterministic).
  tbb::parallel_for(0, k, [&](int f) {
    std::vector<std::size_t> train, test;
    for (std::size_t i = 0; i < data.rows; ++i) (fold[i] == f ? test : train).push_back(i);
    const FollowerData tr = data.slice(train), te = data.slice(test);
    const LogisticModel m = fit_core(tr, opt);
    const auto prob = m.predict(te);
    for (std::size_t r = 0; r < test.size(); ++r) {
      cv.oof_probability[test[r]] = prob[r];
      cv.oof_flag[test[r]] = prob[r] >= m.threshold ? 1 : 0;
    }
    cv.fold_auc[static_cast<std::size_t>(f)] = roc_auc(prob, te.label);
  });
  cv.auc = roc_auc(cv.oof_probability, data.label);
  for (std::size_t i = 0; i < data.rows; ++i) {
    const bool flag = cv.oof_flag[i] != 0, fake = data.label[i] != 0;
    if (flag && fake) ++cv.confusion.tp;
    if (flag && !fake) ++cv.confusion.fp;
    if (!flag && fake) ++cv.confusion.fn;
    if (!flag && !fake) ++cv.confusion.tn;
  }
  return cv;
}

LogisticModel fit_model(const FollowerData& data, const FitOptions& opt) {
  LogisticModel m = fit_core(data, opt);
  const CrossValidation cv = cross_validate(data, opt);
  m.cv_folds = opt.cv_folds;
  m.cv_seed = opt.cv_seed;
  m.cv_auc = cv.auc;
  m.accuracy.sensitivity = cv.confusion.recall();
  m.accuracy.specificity = cv.confusion.specificity();
  m.accuracy.positives = cv.confusion.tp + cv.confusion.fn;
  m.accuracy.negatives = cv.confusion.tn + cv.confusion.fp;
  if (!(m.accuracy.sensitivity + m.accuracy.specificity > 1.0))
    throw Error(
        "the fitted classifier is no better than chance in cross-validation "
        "(sensitivity " +
        std::to_string(m.accuracy.sensitivity) + ", specificity " +
        std::to_string(m.accuracy.specificity) + "): no usable model");
  return m;
}

// ---------------------------------------------------------------------------------------------
// Validation metrics
// ---------------------------------------------------------------------------------------------

double roc_auc(const std::vector<double>& score, const std::vector<std::uint8_t>& label) {
  const std::size_t n = score.size();
  if (label.size() != n) throw Error("roc_auc: scores and labels differ in length");
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(),
            [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  double rank_sum = 0.0, pos = 0.0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && score[idx[j + 1]] == score[idx[i]]) ++j;
    const double avg_rank = 0.5 * static_cast<double>(i + j) + 1.0;  // ranks i+1 .. j+1
    for (std::size_t k = i; k <= j; ++k)
      if (label[idx[k]]) {
        rank_sum += avg_rank;
        pos += 1.0;
      }
    i = j + 1;
  }
  const double neg = static_cast<double>(n) - pos;
  if (pos == 0.0 || neg == 0.0) return kNaN;
  return (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg);
}

namespace {

// Midranks (1-based, ties averaged) of v[idx[k]] among the values selected by idx.
std::vector<double> midranks(const std::vector<double>& v, const std::vector<std::size_t>& idx) {
  std::vector<std::size_t> order(idx.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return v[idx[x]] < v[idx[y]]; });
  std::vector<double> r(idx.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[idx[order[j + 1]]] == v[idx[order[i]]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = 0.5 * static_cast<double>(i + j) + 1.0;
    i = j + 1;
  }
  return r;
}

// Placement values: V10 (one per positive: share of negatives it beats, ties 1/2) and V01 (one
// per negative: share of positives that beat it).
void placements(const std::vector<double>& s, const std::vector<std::size_t>& pos,
                const std::vector<std::size_t>& neg, std::vector<double>& v10,
                std::vector<double>& v01) {
  std::vector<std::size_t> all(pos);
  all.insert(all.end(), neg.begin(), neg.end());
  const auto r_all = midranks(s, all);
  const auto r_pos = midranks(s, pos), r_neg = midranks(s, neg);
  const double m = static_cast<double>(pos.size()), n = static_cast<double>(neg.size());
  v10.resize(pos.size());
  v01.resize(neg.size());
  for (std::size_t i = 0; i < pos.size(); ++i) v10[i] = (r_all[i] - r_pos[i]) / n;
  for (std::size_t j = 0; j < neg.size(); ++j)
    v01[j] = 1.0 - (r_all[pos.size() + j] - r_neg[j]) / m;
}

double covariance(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double c = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) c += (x[i] - mx) * (y[i] - my);
  return c / (n - 1.0);
}

}  // namespace

AucComparison delong_compare(const std::vector<double>& a, const std::vector<double>& b,
                             const std::vector<std::uint8_t>& label) {
  if (a.size() != label.size() || b.size() != label.size())
    throw Error("delong_compare: scores and labels differ in length");
  std::vector<std::size_t> pos, neg;
  for (std::size_t i = 0; i < label.size(); ++i) (label[i] ? pos : neg).push_back(i);
  AucComparison c;
  if (pos.size() < 2 || neg.size() < 2) {
    c.auc_a = roc_auc(a, label);
    c.auc_b = roc_auc(b, label);
    c.se_a = c.se_b = c.se_diff = kNaN;
    c.diff = c.auc_a - c.auc_b;
    c.p_value = kNaN;
    return c;
  }
  std::vector<double> a10, a01, b10, b01;
  placements(a, pos, neg, a10, a01);
  placements(b, pos, neg, b10, b01);
  const double m = static_cast<double>(pos.size()), n = static_cast<double>(neg.size());
  c.auc_a = std::accumulate(a10.begin(), a10.end(), 0.0) / m;
  c.auc_b = std::accumulate(b10.begin(), b10.end(), 0.0) / m;
  const double va = covariance(a10, a10) / m + covariance(a01, a01) / n;
  const double vb = covariance(b10, b10) / m + covariance(b01, b01) / n;
  const double cab = covariance(a10, b10) / m + covariance(a01, b01) / n;
  c.se_a = std::sqrt(va);
  c.se_b = std::sqrt(vb);
  c.diff = c.auc_a - c.auc_b;
  c.se_diff = std::sqrt(std::max(0.0, va + vb - 2.0 * cab));
  c.p_value = c.se_diff > 0.0 ? std::erfc(std::fabs(c.diff) / c.se_diff / std::sqrt(2.0))
                              : (c.diff == 0.0 ? 1.0 : 0.0);
  return c;
}

double Confusion::precision() const {
  return tp + fp ? static_cast<double>(tp) / static_cast<double>(tp + fp) : kNaN;
}
double Confusion::recall() const {
  return tp + fn ? static_cast<double>(tp) / static_cast<double>(tp + fn) : kNaN;
}
double Confusion::specificity() const {
  return tn + fp ? static_cast<double>(tn) / static_cast<double>(tn + fp) : kNaN;
}
double Confusion::accuracy() const {
  const auto n = tp + fp + tn + fn;
  return n ? static_cast<double>(tp + tn) / static_cast<double>(n) : kNaN;
}
double Confusion::f1() const {
  const double p = precision(), r = recall();
  return p + r > 0.0 ? 2.0 * p * r / (p + r) : kNaN;
}

Confusion confusion_at(const std::vector<double>& prob, const std::vector<std::uint8_t>& label,
                       double threshold) {
  Confusion c;
  for (std::size_t i = 0; i < prob.size(); ++i) {
    const bool flag = prob[i] >= threshold, fake = label[i] != 0;
    if (flag && fake) ++c.tp;
    if (flag && !fake) ++c.fp;
    if (!flag && fake) ++c.fn;
    if (!flag && !fake) ++c.tn;
  }
  return c;
}

double youden_threshold(const std::vector<double>& prob, const std::vector<std::uint8_t>& label) {
  const std::size_t n = prob.size();
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(),
            [&](std::size_t a, std::size_t b) { return prob[a] > prob[b]; });
  double pos = 0.0, neg = 0.0;
  for (auto l : label) (l ? pos : neg) += 1.0;
  if (pos == 0.0 || neg == 0.0) return 0.5;
  // Flag the top rows group by group (ties together); J after each group.
  double tp = 0.0, fp = 0.0, best_j = -1.0, best_t = 0.5;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && prob[idx[j + 1]] == prob[idx[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) (label[idx[k]] ? tp : fp) += 1.0;
    const double youden = tp / pos - fp / neg;
    if (youden > best_j) {
      best_j = youden;
      // between this group's score and the next lower one: flags exactly rows 0..j
      const double next = j + 1 < n ? prob[idx[j + 1]] : 0.0;
      best_t = 0.5 * (prob[idx[i]] + next);
    }
    i = j + 1;
  }
  return best_t;
}

std::vector<CalibrationBin> calibration_table(const std::vector<double>& prob,
                                              const std::vector<std::uint8_t>& label, int bins) {
  if (bins < 1) throw ConfigError("--bins", std::to_string(bins), "at least 1 bin");
  std::vector<CalibrationBin> t(static_cast<std::size_t>(bins));
  std::vector<double> sum_p(t.size(), 0.0);
  for (std::size_t b = 0; b < t.size(); ++b) {
    t[b].lo = static_cast<double>(b) / bins;
    t[b].hi = static_cast<double>(b + 1) / bins;
  }
  for (std::size_t i = 0; i < prob.size(); ++i) {
    const auto b = std::min<std::size_t>(t.size() - 1, static_cast<std::size_t>(prob[i] * bins));
    ++t[b].n;
    t[b].positives += label[i];
    sum_p[b] += prob[i];
  }
  for (std::size_t b = 0; b < t.size(); ++b) {
    if (t[b].n == 0) {
      t[b].mean_predicted = t[b].observed = kNaN;
      continue;
    }
    const double n = static_cast<double>(t[b].n);
    t[b].mean_predicted = sum_p[b] / n;
    t[b].observed = static_cast<double>(t[b].positives) / n;
    t[b].observed_ci = wilson_interval(static_cast<double>(t[b].positives), n, 0.95);
  }
  return t;
}

double brier_score(const std::vector<double>& prob, const std::vector<std::uint8_t>& label) {
  double s = 0.0;
  for (std::size_t i = 0; i < prob.size(); ++i) {
    const double d = prob[i] - (label[i] ? 1.0 : 0.0);
    s += d * d;
  }
  return prob.empty() ? kNaN : s / static_cast<double>(prob.size());
}

double log_loss(const std::vector<double>& prob, const std::vector<std::uint8_t>& label) {
  double s = 0.0;
  for (std::size_t i = 0; i < prob.size(); ++i) {
    const double p = clip_prob(prob[i]);
    s -= label[i] ? std::log(p) : std::log1p(-p);
  }
  return prob.empty() ? kNaN : s / static_cast<double>(prob.size());
}

std::vector<double> ratio_rule_score(const FollowerData& data) {
  if (!data.has(Feature::followers) || !data.has(Feature::following))
    throw InputError(data.source, 1, 0,
                     "the following/followers rule needs both a followers and a following column");
  std::vector<double> s(data.rows);
  const auto& fr = data.col(Feature::followers);
  const auto& fg = data.col(Feature::following);
  for (std::size_t i = 0; i < data.rows; ++i)
    s[i] = (std::isnan(fr[i]) || std::isnan(fg[i])) ? 0.0 : std::log((fg[i] + 1.0) / (fr[i] + 1.0));
  return s;
}

}  // namespace microreach::audit
