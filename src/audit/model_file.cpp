// Audience audit: the follower model file (a small TOML text) and the built-in default model.
//
// The format is TOML (read by toml++, microreach/toml_reader.hpp): a top level, [fit],
// [classifier] and one [[feature]] table per model term. The first key must be
// format = "microreach.follower-model", so any other file (a config, a CSV, an HDF5 file, a
// model from another tool) is refused with a message that says what it is not.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "microreach/audit/model_file.hpp"
#include "microreach/cancel.hpp"
#include "microreach/default_model.hpp"
#include "microreach/error.hpp"
#include "microreach/text_file.hpp"
#include "microreach/toml_reader.hpp"

namespace microreach::audit {

namespace {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string quoted(const std::string& s) {
  return toml::quote(s);
}

using Value = toml::Value;
using Table = std::map<std::string, Value>;  // key within its table -> value

struct Parsed {
  Table top, fit, classifier;
  std::vector<Table> features;
};

InputError not_ours(const std::string& src, std::uint64_t line, const std::string& why) {
  return InputError(src, line, line ? 1 : 0,
                    "not a microreach follower model (" + why +
                        "); a model file starts with format = \"" + kModelFormat +
                        "\" (made by `microreach audit fit`)");
}

// A model file names itself on its first line (comments aside), so that any other file (a
// config, a CSV, an HDF5 file, a model from another tool) is refused with a message that says
// what it is not, rather than with a TOML syntax error somewhere inside it.
void check_first_line(const std::string& text, const std::string& src) {
  if (text.find('\0') != std::string::npos)
    throw InputError(src, 0, 0,
                     "not a microreach follower model: this is a binary file, expected a TOML "
                     "text starting with format = \"" +
                         std::string(kModelFormat) + "\"");
  std::size_t pos = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  std::uint64_t line = 1;
  for (; pos < text.size(); ++line) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view l(text.data() + pos, end - pos);
    pos = end + 1;
    const std::size_t b = l.find_first_not_of(" \t\r");
    if (b == std::string_view::npos || l[b] == '#') continue;
    if (l[b] == '[') throw not_ours(src, line, "a table header comes before the format line");
    const std::size_t eq = l.find('=');
    if (eq == std::string_view::npos)
      throw not_ours(src, line, "the first line is not a key = value line");
    std::string_view key = l.substr(b, eq - b);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
    if (key != "format")
      throw not_ours(src, line, "the first key is '" + std::string(key) + "', not 'format'");
    return;
  }
  throw InputError(src, 0, 0,
                   "not a microreach follower model: the file is empty (a model file starts "
                   "with format = \"" +
                       std::string(kModelFormat) + "\")");
}

// Groups the entries of a model file by table: the top level, [fit], [classifier] and each
// [[feature]]; any other table is refused.
Parsed parse_toml(const std::string& text, const std::string& src) {
  check_first_line(text, src);
  const std::vector<Value> entries = toml::parse(text, src);
  const Value& first = entries.front();  // check_first_line saw a key
  if (first.key != "format" || first.kind != Value::Kind::string || first.str != kModelFormat)
    throw InputError(src, first.line, first.column,
                     "not a microreach follower model: format is '" +
                         (first.kind == Value::Kind::string ? first.str : first.text) +
                         "', expected '" + kModelFormat + "'");
  Parsed p;
  auto put = [&](Table& t, const std::string& key, const Value& v) { t.emplace(key, v); };
  for (const Value& v : entries) {
    const std::size_t dot = v.key.find('.');
    const std::string table = dot == std::string::npos ? "" : v.key.substr(0, dot);
    if (v.kind == Value::Kind::table && (v.key == "fit" || v.key == "classifier")) continue;
    if (v.key == "feature" && v.kind == Value::Kind::array && !v.items.empty() &&
        v.items.front().kind == Value::Kind::table) {
      for (const Value& item : v.items) {
        p.features.emplace_back();
        for (const Value& e : item.items) {
          if (e.kind == Value::Kind::table)
            throw InputError(
                src, e.line, e.column,
                "unknown table '" + e.key + "': expected [fit], [classifier] or [[feature]]");
          put(p.features.back(), e.key.substr(std::string("feature.").size()), e);
        }
      }
    } else if (v.kind == Value::Kind::table ||
               (dot != std::string::npos && table != "fit" && table != "classifier")) {
      throw InputError(src, v.line, v.column,
                       "unknown table '" + (v.kind == Value::Kind::table ? v.text : v.key) +
                           "': expected [fit], [classifier] or [[feature]]");
    } else if (table == "fit" || table == "classifier") {
      const std::string key = v.key.substr(dot + 1);
      if (key.find('.') != std::string::npos)
        throw InputError(src, v.line, v.column, "unknown key '" + key + "' in [" + table + "]");
      put(table == "fit" ? p.fit : p.classifier, key, v);
    } else {
      put(p.top, v.key, v);
    }
  }
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
    if (!v.is_number())
      throw InputError(src_, v.line, v.column,
                       "model file: " + key + " = " + v.text + " is not a finite number");
    return v.d;
  }
  std::uint64_t count(const std::string& key) const {
    const Value& v = get(key);
    if (v.kind != Value::Kind::integer || v.i < 0)
      throw InputError(src_, v.line, v.column,
                       "model file: " + key + " = " + v.text + " is not a whole number >= 0");
    return static_cast<std::uint64_t>(v.i);
  }
  std::string string(const std::string& key) const {
    const Value& v = get(key);
    if (v.kind != Value::Kind::string)
      throw InputError(src_, v.line, v.column,
                       "model file: " + key + " = " + v.text + " is not a quoted string");
    return v.str;
  }
  const std::string& source() const { return src_; }
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

int small_count(const Reader& r, const std::string& key) {
  const std::uint64_t n = r.count(key);
  if (n > 1'000'000) {
    const Value& v = r.get(key);
    throw InputError(r.source(), v.line, v.column,
                     "model file: " + key + " = " + v.text + " is not a count up to 1000000");
  }
  return static_cast<int>(n);
}

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
  m.iterations = small_count(fit, "iterations");
  m.cv_folds = small_count(fit, "cv_folds");
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
  if (!(m.accuracy.sensitivity + m.accuracy.specificity > 1.0)) {
    // Blame the smaller of the two: that is the one no better than chance.
    const Value& se = p.classifier.at("sensitivity");
    const Value& sp = p.classifier.at("specificity");
    const Value& low = m.accuracy.sensitivity <= m.accuracy.specificity ? se : sp;
    throw InputError(src, low.line, low.column,
                     "model file: sensitivity = " + se.text + " (line " + std::to_string(se.line) +
                         ") and specificity = " + sp.text + " (line " + std::to_string(sp.line) +
                         ") sum to 1 or less: the classifier is no better than chance and its "
                         "counts cannot be corrected (sensitivity + specificity must exceed 1)");
  }

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
  return model_from_toml(read_text_file(path_or_default, toml::kMaxTomlBytes, "model file"),
                         path_or_default);
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
