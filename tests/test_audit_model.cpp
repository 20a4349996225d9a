// Audience audit model: the logistic fit recovers known coefficients, model files round-trip and
// foreign files are refused, validation metrics match hand-computed values, CV is deterministic.
#include <catch2/catch.hpp>

#include <algorithm>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "microreach/audit/audit.hpp"
#include "microreach/error.hpp"
#include "microreach/random.hpp"

using namespace microreach;
using namespace microreach::audit;

namespace {

double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// Synthetic followers whose fake label follows a known logistic model on the transformed
// (log1p) features: eta = b0 + b_followers log1p(followers) + b_following log1p(following)
// + b_pic * has_profile_picture.
struct Truth {
  double b0 = -1.0, b_followers = -0.9, b_following = 0.7, b_pic = -1.1;
};

FollowerData synthetic_followers(std::size_t n, std::uint64_t seed, const Truth& t) {
  FollowerData d;
  d.source = "synthetic";
  d.rows = n;
  auto& fr = d.col(Feature::followers);
  auto& fg = d.col(Feature::following);
  auto& pic = d.col(Feature::has_profile_picture);
  for (std::size_t i = 0; i < n; ++i) {
    Stream s(seed, Purpose::audit, i);
    const double followers = std::floor(s.lognormal_median(300.0, 1.3));
    const double following = std::floor(s.lognormal_median(500.0, 1.1));
    const double has_pic = s.bernoulli(0.8) ? 1.0 : 0.0;
    const double eta = t.b0 + t.b_followers * std::log1p(followers) +
                       t.b_following * std::log1p(following) + t.b_pic * has_pic;
    fr.push_back(followers);
    fg.push_back(following);
    pic.push_back(has_pic);
    d.label.push_back(s.bernoulli(sigmoid(eta)) ? 1 : 0);
    d.line.push_back(i + 2);
  }
  return d;
}

FitOptions three_features() {
  FitOptions o;
  o.terms = {{Feature::followers, 1}, {Feature::following, 1}, {Feature::has_profile_picture, 1}};
  return o;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("microreach_test_audit_" + std::to_string(::getpid()) + "_" + name))
                               .string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// n rows of p covariates drawn by `row` (which fills the row and returns its linear predictor)
// from the audit streams of `seed`, and labels y ~ Bernoulli(sigmoid(predictor)).
template <class Row>
void design(std::uint64_t seed, std::size_t n, std::size_t p, std::vector<double>& x,
            std::vector<std::uint8_t>& y, Row row) {
  x.assign(n * p, 0.0);
  y.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    Stream s(seed, Purpose::audit, i);
    const double eta = row(s, &x[i * p]);
    y[i] = s.bernoulli(sigmoid(eta)) ? 1 : 0;
  }
}

}  // namespace

TEST_CASE("the Newton fit recovers known coefficients on synthetic data", "[audit]") {
  // Dense design: x1, x2 ~ N(0, 1), x3 ~ Bernoulli(0.3); y ~ Bernoulli(sigmoid(x beta)).
  const std::size_t n = 60000, p = 3;
  const double beta[] = {-0.7, 0.8, -0.5, 1.2};
  std::vector<double> x;
  std::vector<std::uint8_t> y;
  design(11, n, p, x, y, [&](Stream& s, double* r) {
    r[0] = s.normal();
    r[1] = s.normal();
    r[2] = s.bernoulli(0.3) ? 1.0 : 0.0;
    return beta[0] + beta[1] * r[0] + beta[2] * r[1] + beta[3] * r[2];
  });
  int iterations = 0;
  const auto b = fit_logistic_dense(x, n, p, y, 0.0, 100, 1e-12, &iterations);
  // Standard errors at this n are about 0.012-0.025 (inverse Fisher information);
  // 0.08 is over 3 of them for every coefficient.
  for (int j = 0; j < 4; ++j) CHECK(b[j] == Approx(beta[j]).margin(0.08));
  CHECK(iterations < 15);  // Newton converges quadratically
}

TEST_CASE("the penalised fit satisfies its optimality condition", "[audit]") {
  // At the optimum of l(b) - lambda/2 |b_1..p|^2 the gradient X'(y - mu) - lambda b is zero
  // (no penalty on the intercept).
  const std::size_t n = 500, p = 2;
  std::vector<double> x;
  std::vector<std::uint8_t> y;
  design(12, n, p, x, y, [](Stream& s, double* r) {
    r[0] = s.normal();
    r[1] = s.normal();
    return 0.3 + 2.0 * r[0];
  });
  const double lambda = 25.0;
  const auto b = fit_logistic_dense(x, n, p, y, lambda, 100, 1e-13);
  std::vector<double> g(p + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double mu = sigmoid(b[0] + b[1] * x[i * p] + b[2] * x[i * p + 1]);
    g[0] += y[i] - mu;
    g[1] += (y[i] - mu) * x[i * p];
    g[2] += (y[i] - mu) * x[i * p + 1];
  }
  CHECK(g[0] == Approx(0.0).margin(1e-8));
  CHECK(g[1] - lambda * b[1] == Approx(0.0).margin(1e-8));
  CHECK(g[2] - lambda * b[2] == Approx(0.0).margin(1e-8));
  // The penalty shrinks: the slope is below the unpenalised one.
  const auto b0 = fit_logistic_dense(x, n, p, y, 0.0, 100, 1e-13);
  CHECK(std::fabs(b[1]) < std::fabs(b0[1]));
}

TEST_CASE("separable classes without a penalty are refused with advice", "[audit]") {
  std::vector<double> x = {-2, -1, 1, 2};
  std::vector<std::uint8_t> y = {0, 0, 1, 1};
  CHECK_THROWS_WITH(fit_logistic_dense(x, 4, 1, y, 0.0, 50, 1e-10),
                    Catch::Contains("--lambda > 0"));
  CHECK_NOTHROW(fit_logistic_dense(x, 4, 1, y, 1.0, 50, 1e-10));
}

TEST_CASE("the model fit on log-transformed counts recovers the generating model", "[audit]") {
  const Truth t;
  const auto d = synthetic_followers(40000, 3, t);
  auto opt = three_features();
  opt.lambda = 1e-6;
  const auto m = fit_core(d, opt);
  REQUIRE(m.terms.size() == 3);
  // Coefficients are per sd of the transformed feature: coefficient / sd is the raw slope.
  CHECK(m.terms[0].coefficient / m.terms[0].sd == Approx(t.b_followers).margin(0.06));
  CHECK(m.terms[1].coefficient / m.terms[1].sd == Approx(t.b_following).margin(0.06));
  CHECK(m.terms[2].coefficient / m.terms[2].sd == Approx(t.b_pic).margin(0.1));
  // The intercept on the raw scale: intercept - sum coefficient * mean / sd.
  double b0 = m.intercept;
  for (const auto& f : m.terms) b0 -= f.coefficient * f.mean / f.sd;
  CHECK(b0 == Approx(t.b0).margin(0.3));
  // The standardisation stored is that of the transformed training data.
  double mean = 0.0;
  for (double v : d.col(Feature::followers)) mean += std::log1p(v);
  CHECK(m.terms[0].mean == Approx(mean / d.rows).epsilon(1e-12));
}

TEST_CASE("a missing feature value counts as the training mean", "[audit]") {
  const auto d = synthetic_followers(2000, 4, Truth{});
  const auto m = fit_core(d, three_features());
  std::array<double, kFeatureCount> with_mean{}, with_nan{};
  with_mean[0] = std::expm1(m.terms[0].mean);  // followers at its training mean (log1p scale)
  with_nan[0] = std::nan("");
  with_mean[1] = with_nan[1] = 100.0;  // following
  with_mean[3] = with_nan[3] = 1.0;    // has_profile_picture
  CHECK(m.probability(with_nan.data()) == Approx(m.probability(with_mean.data())).epsilon(1e-12));
}

TEST_CASE("cross-validation is deterministic, stratified and measures the threshold honestly",
          "[audit]") {
  const auto d = synthetic_followers(3000, 5, Truth{});
  auto opt = three_features();
  opt.cv_folds = 5;
  const auto folds = stratified_folds(d.label, 5, 9);
  // each fold holds a fifth of each class (within one)
  std::array<std::array<int, 2>, 5> count{};
  for (std::size_t i = 0; i < d.rows; ++i) ++count[folds[i]][d.label[i]];
  for (int f = 1; f < 5; ++f) {
    CHECK(std::abs(count[f][0] - count[0][0]) <= 1);
    CHECK(std::abs(count[f][1] - count[0][1]) <= 1);
  }
  const auto a = cross_validate(d, opt), b = cross_validate(d, opt);
  CHECK(a.oof_probability == b.oof_probability);
  CHECK(a.auc > 0.7);
  CHECK(a.auc < 1.0);
  const auto m = fit_model(d, opt);
  CHECK(m.accuracy.positives + m.accuracy.negatives == d.rows);
  CHECK(m.accuracy.sensitivity == Approx(a.confusion.recall()));
  CHECK(m.cv_auc == Approx(a.auc));
  CHECK_THROWS_AS(stratified_folds(d.label, 1, 1), ConfigError);
}

TEST_CASE("ROC AUC, confusion and calibration match hand-computed values", "[audit]") {
  // Scores and labels (hand example): positives at 0.9, 0.7, 0.4; negatives at 0.8, 0.3, 0.2,
  // 0.1. Pairs won by a positive: 0.9 beats 4, 0.7 beats 3, 0.4 beats 3 -> 10 of 12.
  const std::vector<double> s = {0.9, 0.8, 0.7, 0.4, 0.3, 0.2, 0.1};
  const std::vector<std::uint8_t> y = {1, 0, 1, 1, 0, 0, 0};
  CHECK(roc_auc(s, y) == Approx(10.0 / 12.0));
  // A tie between a positive and a negative counts one half.
  CHECK(roc_auc({0.5, 0.5}, {1, 0}) == Approx(0.5));
  CHECK(std::isnan(roc_auc({0.1, 0.2}, {1, 1})));
  const auto c = confusion_at(s, y, 0.5);
  CHECK(c.tp == 2);
  CHECK(c.fp == 1);
  CHECK(c.fn == 1);
  CHECK(c.tn == 3);
  CHECK(c.precision() == Approx(2.0 / 3.0));
  CHECK(c.recall() == Approx(2.0 / 3.0));
  // Youden: flagging {0.9, 0.8, 0.7, 0.4} gives J = 1 - 1/4 = 0.75, the best cut.
  const double t = youden_threshold(s, y);
  CHECK(t == Approx(0.35));
  const auto cal = calibration_table(s, y, 2);
  REQUIRE(cal.size() == 2);
  CHECK(cal[0].n == 4);  // 0.4, 0.3, 0.2, 0.1
  CHECK(cal[0].positives == 1);
  CHECK(cal[0].mean_predicted == Approx(0.25));
  CHECK(cal[1].observed == Approx(2.0 / 3.0));
  CHECK(brier_score({1.0, 0.0}, {1, 0}) == 0.0);
}

TEST_CASE("a model file round-trips exactly through TOML", "[audit]") {
  const auto d = synthetic_followers(1500, 6, Truth{});
  auto opt = three_features();
  opt.cv_folds = 3;
  auto m = fit_model(d, opt);
  m.trained_on = "synthetic \"quoted\" name";
  const auto text = model_to_toml(m);
  const auto back = model_from_toml(text, "mem");
  REQUIRE(back.terms.size() == m.terms.size());
  for (std::size_t j = 0; j < m.terms.size(); ++j) {
    CHECK(back.terms[j].term == m.terms[j].term);
    CHECK(back.terms[j].coefficient == m.terms[j].coefficient);
    CHECK(back.terms[j].mean == m.terms[j].mean);
    CHECK(back.terms[j].sd == m.terms[j].sd);
  }
  CHECK(back.intercept == m.intercept);
  CHECK(back.threshold == m.threshold);
  CHECK(back.accuracy.sensitivity == m.accuracy.sensitivity);
  CHECK(back.accuracy.negatives == m.accuracy.negatives);
  CHECK(back.trained_on == m.trained_on);
  CHECK(model_to_toml(back) == text);
  const auto path = write_temp("model.toml", text);
  CHECK(load_model(path).intercept == m.intercept);
}

TEST_CASE("a model file from elsewhere is refused with a clear message", "[audit]") {
  CHECK_THROWS_WITH(model_from_toml("[server]\nport = 80\n", "other.toml"),
                    Catch::Contains("other.toml:1:1: not a microreach follower model"));
  CHECK_THROWS_WITH(model_from_toml("format = \"sklearn.pickle\"\n", "m.toml"),
                    Catch::Contains("format is 'sklearn.pickle', expected "
                                    "'microreach.follower-model'"));
  CHECK_THROWS_WITH(model_from_toml("handle,fake_share\na,0.1\n", "audits.csv"),
                    Catch::Contains("audits.csv:1:1: not a microreach follower model"));
  CHECK_THROWS_WITH(model_from_toml(std::string("\x89HDF\r\n\x1a\n\0\0", 10), "x.h5"),
                    Catch::Contains("binary file"));
  CHECK_THROWS_WITH(model_from_toml("", "empty.toml"), Catch::Contains("empty"));
  // Ours, but a newer version, an unknown key, or a value out of range.
  const auto d = synthetic_followers(600, 7, Truth{});
  auto opt = three_features();
  opt.cv_folds = 3;
  const auto text = model_to_toml(fit_model(d, opt));
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  CHECK_THROWS_WITH(model_from_toml(replaced("version = 1", "version = 2"), "v2.toml"),
                    Catch::Contains("v2.toml:6:11: model file version 2 is not readable"));
  CHECK_THROWS_WITH(
      model_from_toml(replaced("[classifier]\n", "[classifier]\nbias = 1\n"), "k.toml"),
      Catch::Contains("unknown key 'bias' in [classifier]"));
  CHECK_THROWS_WITH(model_from_toml(replaced("name = \"followers\"", "name = \"likes\""), "f.toml"),
                    Catch::Contains("'likes' is not valid"));
  CHECK_THROWS_WITH(load_model("/nonexistent/model.toml"), Catch::Contains("cannot open"));
  // A version too large for any integer type prints as written.
  CHECK_THROWS_WITH(model_from_toml(replaced("version = 1", "version = 99999999999"), "v.toml"),
                    Catch::Contains("v.toml:6:11: model file version 99999999999 is not readable"));
  CHECK_THROWS_WITH(
      model_from_toml(replaced("version = 1", "version = 999999999999999999999"), "v.toml"),
      Catch::Contains("v.toml:6:") && Catch::Contains("'999999999999999999999'"));
  // Sensitivity 0: the message points at sensitivity (the line that is wrong), names both.
  {
    std::string t = text;
    const auto b = t.find("sensitivity = ");
    t.replace(b, t.find('\n', b) - b, "sensitivity = 0");
    const auto line = 1 + std::count(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(b), '\n');
    CHECK_THROWS_WITH(model_from_toml(t, "s.toml"),
                      Catch::Contains("s.toml:" + std::to_string(line) +
                                      ":15: model file: sensitivity = 0 (line " +
                                      std::to_string(line) + ") and specificity = ") &&
                          Catch::Contains("must exceed 1"));
  }
  // Tables, keys and values a model file does not have.
  CHECK_THROWS_WITH(model_from_toml(text + "[extra]\n", "t.toml"),
                    Catch::Contains("unknown table '[extra]'"));
  CHECK_THROWS_WITH(
      model_from_toml(replaced("[classifier]\n", "[classifier]\n[classifier]\n"), "d.toml"),
      Catch::Contains("cannot redefine existing table 'classifier'"));
  CHECK_THROWS_WITH(model_from_toml(replaced("rows = ", "rows = -"), "r.toml"),
                    Catch::Contains("rows = -") && Catch::Contains("not a whole number >= 0"));
  std::string deep = "format = \"microreach.follower-model\"\nx = ";
  for (int i = 0; i < 100000; ++i) deep += "{a=";
  CHECK_THROWS_WITH(model_from_toml(deep, "deep.toml"), Catch::Contains("deep.toml:2:"));
  CHECK_THROWS_WITH(load_model("/dev/zero"), Catch::Contains("not a regular file"));
}

TEST_CASE("a feature the model needs but the file lacks is named with its accepted headers",
          "[audit]") {
  const auto d = synthetic_followers(300, 8, Truth{});
  auto opt = three_features();
  opt.terms.push_back({Feature::posts, 2});
  CHECK_THROWS_WITH(fit_core(d, opt),
                    Catch::Contains("synthetic:1: no column for the model feature 'posts'") &&
                        Catch::Contains("numberofposts"));
}

TEST_CASE("boolean-like labels and username signals are parsed", "[audit]") {
  for (const char* t : {"TRUE", "true", " 1 ", "fake", "Yes", "T"})
    CHECK(parse_boolean_like(t) == 1);
  for (const char* f : {"FALSE", "false", "0", "real", "no", "F"})
    CHECK(parse_boolean_like(f) == 0);
  for (const char* bad : {"", "maybe", "2", "0.5", "truthy"}) CHECK(parse_boolean_like(bad) == -1);
  double digits = 0, length = 0;
  username_signals("anna_1987", digits, length);
  CHECK(digits == 4);
  CHECK(length == 9);
  username_signals("zoë", digits, length);  // UTF-8: three characters
  CHECK(length == 3);
}

TEST_CASE("DeLong standard errors match a direct pairwise computation", "[audit]") {
  // Reference: the O(m n) definition (placement values from every positive-negative pair,
  // sample covariances), evaluated in NumPy on these 12 rows.
  const std::vector<std::uint8_t> y = {1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0};
  const std::vector<double> a = {0.9, 0.8, 0.7, 0.4, 0.3, 0.2, 0.1, 0.65, 0.5, 0.4, 0.85, 0.05};
  const std::vector<double> b = {3, 1, 2, 1, 2, 0, 0, 2, 1, 3, 4, 1};
  const auto c = delong_compare(a, b, y);
  CHECK(c.auc_a == Approx(0.8714285714285716).epsilon(1e-12));
  CHECK(c.auc_b == Approx(0.8).epsilon(1e-12));
  CHECK(c.se_a == Approx(0.1062662552591495).epsilon(1e-10));
  CHECK(c.se_b == Approx(0.12988744473319863).epsilon(1e-10));
  CHECK(c.se_diff == Approx(0.1359021256460032).epsilon(1e-10));
  CHECK(c.auc_a == Approx(roc_auc(a, y)));
  // A score compared with itself: no difference, p = 1.
  const auto same = delong_compare(a, a, y);
  CHECK(same.diff == 0.0);
  CHECK(same.p_value == 1.0);
}

TEST_CASE("model terms square the transformed value and refuse squares of 0/1 features",
          "[audit]") {
  const Term t = parse_term("--features", "followers^2");
  CHECK(t.feature == Feature::followers);
  CHECK(t.power == 2);
  CHECK(t.name() == "followers^2");
  CHECK(t.value(std::exp(3.0) - 1.0) == Approx(9.0));  // log1p(e^3 - 1)^2
  CHECK(parse_term("--features", "Username Digits").value(4.0) == 4.0);
  CHECK_THROWS_WITH(parse_term("--features", "is_private^2"), Catch::Contains("0/1 feature"));
  CHECK_THROWS_WITH(parse_term("--features", "likes"), Catch::Contains("--features: 'likes'"));
  // The default terms only use signals both public labelled sets carry.
  for (const auto& term : default_terms()) CHECK(term.feature != Feature::bio_length);
}

TEST_CASE("the log1p table for counts is bit-identical to std::log1p", "[audit]") {
  const Term t{Feature::followers, 1};
  int differ = 0;
  for (int i = 0; i < 10000; ++i) {
    const double v = static_cast<double>(i);
    if (t.value(v) != std::log1p(v)) ++differ;
  }
  CHECK(differ == 0);
  CHECK(t.value(2.5) == std::log1p(2.5));  // not a whole number: computed
}
