// Audience audit: the follower model file (a small TOML text) and the built-in default model.
//
// The format is a subset of TOML: comments, [table] and [[feature]] headers, key = value with
// double-quoted strings, numbers and booleans. The first key must be
// format = "microreach.follower-model", so any other file (a config, a CSV, an HDF5 file, a
// model from another tool) is refused with a message that says what it is not.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "microreach/audit.hpp"
#include "microreach/cancel.hpp"
#include "microreach/default_model.hpp"
#include "microreach/error.hpp"

namespace microreach::audit {

namespace {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string quoted(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    if (c == '\n') {
      r += "\\n";
      continue;
    }
    r += c;
  }
  return r + "\"";
}

struct Value {
  std::string text;  // string content, or the number/boolean as written
  bool is_string = false;
  std::uint64_t line = 0, column = 0;
};
using Table = std::map<std::string, Value>;

struct Parsed {
  Table top, fit, classifier;
  std::vector<Table> features;
};

Parsed parse_toml(const std::string& text, const std::string& src) {
  if (text.find('\0') != std::string::npos)
    throw InputError(src, 0, 0,
                     "not a microreach follower model: this is a binary file, expected a TOML "
                     "text starting with format = \"" +
                         std::string(kModelFormat) + "\"");
  Parsed p;
  Table* cur = &p.top;
  std::string section;  // "" = top level
  bool seen_format = false;
  std::istringstream in(text);
  std::string raw;
  std::uint64_t lineno = 0;
  while (std::getline(in, raw)) {
    ++lineno;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (lineno == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);
    std::size_t b = raw.find_first_not_of(" \t");
    if (b == std::string::npos || raw[b] == '#') continue;
    auto not_ours = [&](const std::string& why) {
      return InputError(src, lineno, b + 1,
                        "not a microreach follower model (" + why +
                            "); a model file starts with format = \"" + kModelFormat +
                            "\" (made by `microreach audit fit`)");
    };
    if (raw[b] == '[') {
      if (!seen_format) throw not_ours("a table header comes before the format line");
      std::size_t e = raw.find(']', b);
      const bool array = raw.compare(b, 2, "[[") == 0;
      std::string name =
          raw.substr(b + (array ? 2 : 1), e == std::string::npos ? 0 : e - b - (array ? 2 : 1));
      if (e == std::string::npos || (array && raw.compare(e, 2, "]]") != 0))
        throw InputError(src, lineno, b + 1, "unterminated table header");
      if (array && name == "feature") {
        p.features.emplace_back();
        cur = &p.features.back();
      } else if (!array && name == "fit") {
        cur = &p.fit;
      } else if (!array && name == "classifier") {
        cur = &p.classifier;
      } else {
        throw InputError(src, lineno, b + 1,
                         "unknown table '" + raw.substr(b, e + (array ? 2 : 1) - b) +
                             "': expected [fit], [classifier] or [[feature]]");
      }
      section = name;
      continue;
    }
    const std::size_t eq = raw.find('=', b);
    if (eq == std::string::npos) {
      if (!seen_format) throw not_ours("the first line is not a key = value line");
      throw InputError(src, lineno, b + 1, "expected key = value, found '" + raw.substr(b) + "'");
    }
    std::string key = raw.substr(b, eq - b);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    std::size_t vb = raw.find_first_not_of(" \t", eq + 1);
    Value v;
    v.line = lineno;
    v.column = (vb == std::string::npos ? eq + 1 : vb) + 1;
    if (vb == std::string::npos)
      throw InputError(src, lineno, eq + 2, "no value after '" + key + " ='");
    if (raw[vb] == '"') {
      v.is_string = true;
      std::size_t i = vb + 1;
      bool closed = false;
      for (; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
          ++i;
          v.text += raw[i] == 'n' ? '\n' : raw[i];
        } else if (raw[i] == '"') {
          closed = true;
          break;
        } else {
          v.text += raw[i];
        }
      }
      if (!closed) throw InputError(src, lineno, vb + 1, "string never closed");
      const std::size_t rest = raw.find_first_not_of(" \t", i + 1);
      if (rest != std::string::npos && raw[rest] != '#')
        throw InputError(src, lineno, rest + 1, "unexpected text after the string");
    } else {
      std::size_t ve = raw.find('#', vb);
      v.text = raw.substr(vb, ve == std::string::npos ? std::string::npos : ve - vb);
      while (!v.text.empty() && (v.text.back() == ' ' || v.text.back() == '\t')) v.text.pop_back();
    }
    if (!seen_format) {
      if (key != "format") throw not_ours("the first key is '" + key + "', not 'format'");
      if (v.text != kModelFormat)
        throw InputError(src, lineno, v.column,
                         "not a microreach follower model: format is '" + v.text + "', expected '" +
                             kModelFormat + "'");
      seen_format = true;
    }
    if (cur->count(key))
      throw InputError(src, lineno, b + 1,
                       "key '" + key + "' given twice" +
                           (section.empty() ? std::string() : " in [" + section + "]"));
    (*cur)[key] = v;
  }
  if (!seen_format)
    throw InputError(src, 0, 0,
                     "not a microreach follower model: the file is empty (a model file starts "
                     "with format = \"" +
                         std::string(kModelFormat) + "\")");
  return p;
}

class Reader {
 public:
  Reader(const Table& t, std::string where, std::string src)
      : t_(t), where_(std::move(where)), src_(std::move(src)) {}
  const Value& get(const std::string& key) const {
    auto it = t_.find(key);
    if (it == t_.end())
      throw InputError(src_, 0, 0, "model file: key '" + key + "' missing in " + where_);
    used_.push_back(key);
    return it->second;
  }
  bool has(const std::string& key) const { return t_.count(key) != 0; }
  double number(const std::string& key) const {
    const Value& v = get(key);
    char* end = nullptr;
    const double d =
        v.is_string ? std::numeric_limits<double>::quiet_NaN() : std::strtod(v.text.c_str(), &end);
    if (v.is_string || end == v.text.c_str() || *end != '\0' || !std::isfinite(d))
      throw InputError(src_, v.line, v.column,
                       "model file: " + key + " = " + v.text + " is not a finite number");
    return d;
  }
  std::uint64_t count(const std::string& key) const {
    const double d = number(key);
    const Value& v = get(key);
    if (d < 0.0 || d != std::floor(d))
      throw InputError(src_, v.line, v.column,
                       "model file: " + key + " = " + v.text + " is not a whole number >= 0");
    return static_cast<std::uint64_t>(d);
  }
  std::string string(const std::string& key) const {
    const Value& v = get(key);
    if (!v.is_string)
      throw InputError(src_, v.line, v.column,
                       "model file: " + key + " = " + v.text + " is not a quoted string");
    return v.text;
  }
  // Every key must have been read: an unknown key is a typo or a newer format.
  void check_all_used() const {
    for (const auto& [k, v] : t_) {
      bool used = false;
      for (const auto& u : used_) used = used || u == k;
      if (!used)
        throw InputError(src_, v.line, 1, "model file: unknown key '" + k + "' in " + where_);
    }
  }

 private:
  const Table& t_;
  std::string where_, src_;
  mutable std::vector<std::string> used_;
};

}  // namespace

std::string model_to_toml(const LogisticModel& m) {
  std::ostringstream o;
  o << "# microreach follower classifier: logistic regression on standardised features.\n"
       "# P(fake) = 1 / (1 + exp(-(intercept + sum coefficient * (t(x) - mean) / sd))),\n"
       "# t = log1p for counts, identity otherwise; a missing value counts as the mean.\n"
       "# Made by `microreach audit fit`; see docs/model.md, \"Audience audit\".\n";
  o << "format = " << quoted(kModelFormat) << "\n";
  o << "version = " << kModelVersion << "\n\n";
  o << "[fit]\n";
  o << "trained_on = " << quoted(m.trained_on) << "\n";
  o << "rows = " << m.train_rows << "\n";
  o << "positives = " << m.train_positives << "\n";
  o << "lambda = " << num(m.lambda) << "\n";
  o << "iterations = " << m.iterations << "\n";
  o << "cv_folds = " << m.cv_folds << "\n";
  o << "cv_seed = " << m.cv_seed << "\n";
  o << "cv_auc = " << num(m.cv_auc) << "\n\n";
  o << "[classifier]\n";
  o << "intercept = " << num(m.intercept) << "\n";
  o << "threshold = " << num(m.threshold) << "\n";
  o << "# cross-validated at the threshold; the Rogan-Gladen correction uses these\n";
  o << "sensitivity = " << num(m.accuracy.sensitivity) << "\n";
  o << "specificity = " << num(m.accuracy.specificity) << "\n";
  o << "validation_positives = " << m.accuracy.positives << "\n";
  o << "validation_negatives = " << m.accuracy.negatives << "\n";
  for (const auto& f : m.terms) {
    o << "\n[[feature]]\n";
    o << "name = " << quoted(std::string(feature_info(f.term.feature).name)) << "\n";
    o << "transform = " << quoted(feature_info(f.term.feature).log1p ? "log1p" : "none") << "\n";
    o << "power = " << f.term.power << "\n";
    o << "mean = " << num(f.mean) << "\n";
    o << "sd = " << num(f.sd) << "\n";
    o << "coefficient = " << num(f.coefficient) << "\n";
  }
  return o.str();
}

LogisticModel model_from_toml(const std::string& text, const std::string& src) {
  const Parsed p = parse_toml(text, src);
  LogisticModel m;
  Reader top(p.top, "the top level", src);
  top.string("format");
  const auto& vv = top.get("version");
  const auto version = top.count("version");
  if (version == 0 || version > static_cast<std::uint64_t>(kModelVersion))
    throw InputError(src, vv.line, vv.column,
                     "model file version " + vv.text +
                         " is not readable by this microreach "
                         "(it reads version " +
                         std::to_string(kModelVersion) + ")");
  top.check_all_used();

  Reader fit(p.fit, "[fit]", src);
  m.trained_on = fit.string("trained_on");
  m.train_rows = fit.count("rows");
  m.train_positives = fit.count("positives");
  m.lambda = fit.number("lambda");
  m.iterations = static_cast<int>(fit.count("iterations"));
  m.cv_folds = static_cast<int>(fit.count("cv_folds"));
  m.cv_seed = fit.count("cv_seed");
  m.cv_auc = fit.number("cv_auc");
  fit.check_all_used();

  Reader cls(p.classifier, "[classifier]", src);
  m.intercept = cls.number("intercept");
  m.threshold = cls.number("threshold");
  m.accuracy.sensitivity = cls.number("sensitivity");
  m.accuracy.specificity = cls.number("specificity");
  m.accuracy.positives = cls.count("validation_positives");
  m.accuracy.negatives = cls.count("validation_negatives");
  cls.check_all_used();
  auto bad_range = [&](const char* key, const std::string& expected) {
    const Value& v = p.classifier.at(key);
    return InputError(src, v.line, v.column,
                      std::string("model file: ") + key + " = " + v.text + " is not " + expected);
  };
  if (!(m.threshold > 0.0 && m.threshold < 1.0)) throw bad_range("threshold", "in (0, 1)");
  if (!(m.accuracy.sensitivity >= 0.0 && m.accuracy.sensitivity <= 1.0))
    throw bad_range("sensitivity", "in [0, 1]");
  if (!(m.accuracy.specificity >= 0.0 && m.accuracy.specificity <= 1.0))
    throw bad_range("specificity", "in [0, 1]");
  if (!(m.accuracy.sensitivity + m.accuracy.specificity > 1.0))
    throw bad_range("specificity", "large enough: sensitivity + specificity must exceed 1");

  if (p.features.empty()) throw InputError(src, 0, 0, "model file: no [[feature]] table");
  for (std::size_t i = 0; i < p.features.size(); ++i) {
    Reader f(p.features[i], "[[feature]] number " + std::to_string(i + 1), src);
    const std::string name = f.string("name");
    const Value& nv = f.get("name");
    Feature feat;
    try {
      feat = parse_feature("name", name);
    } catch (const ConfigError& e) {
      throw InputError(src, nv.line, nv.column, std::string("model file: ") + e.what());
    }
    const auto power = f.count("power");
    const Value& pv = f.get("power");
    if (power != 1 && power != 2)
      throw InputError(src, pv.line, pv.column,
                       "model file: power = " + pv.text + " is not 1 or 2");
    const Term term{feat, static_cast<int>(power)};
    if (power == 2 && feature_info(feat).boolean)
      throw InputError(src, pv.line, pv.column,
                       "model file: feature '" + name + "' is 0/1: power must be 1");
    for (const auto& prev : m.terms)
      if (prev.term == term)
        throw InputError(src, nv.line, nv.column, "model file: term '" + term.name() + "' twice");
    const std::string tr = f.string("transform");
    const std::string expected = feature_info(feat).log1p ? "log1p" : "none";
    if (tr != expected) {
      const Value& tv = f.get("transform");
      throw InputError(src, tv.line, tv.column,
                       "model file: feature '" + name + "' has transform '" + tr +
                           "'; this microreach uses '" + expected + "'");
    }
    ModelTerm mf{term, f.number("mean"), f.number("sd"), f.number("coefficient")};
    if (!(mf.sd > 0.0)) {
      const Value& sv = f.get("sd");
      throw InputError(src, sv.line, sv.column, "model file: sd = " + sv.text + " must be > 0");
    }
    f.check_all_used();
    m.terms.push_back(mf);
  }
  return m;
}

const std::string& default_model_text() {
  static const std::string text = kDefaultModelToml;
  if (text.empty())
    throw Error(
        "this build of microreach has no built-in default model (data/models/"
        "follower-default.toml was missing when it was configured); pass --model FILE");
  return text;
}

LogisticModel load_model(const std::string& path_or_default) {
  if (path_or_default == "default")
    return model_from_toml(default_model_text(), "the built-in default model");
  std::ifstream in(path_or_default, std::ios::binary);
  if (!in) throw InputError(path_or_default, 0, 0, "cannot open the model file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return model_from_toml(ss.str(), path_or_default);
}

void save_model(const LogisticModel& m, const std::string& path) {
  AtomicOutput out(path);
  {
    std::ofstream o(out.temp_path(), std::ios::binary);
    o << model_to_toml(m);
    o.flush();
    if (!o) throw Error(path + ": cannot write the model file");
  }
  out.commit();
}

}  // namespace microreach::audit
