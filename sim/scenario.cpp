#include "microreach/sim/scenario.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "microreach/error.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/strategy.hpp"
#include "microreach/text_file.hpp"
#include "microreach/toml_reader.hpp"
#include "microreach/values.hpp"

namespace microreach::sim {
namespace {

// ---------------------------------------------------------------- binding

std::string fmt(double v) {
  if (v == 0) v = 0;  // -0 would print "-0", which reads back as +0: to_toml must round-trip
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, p);
}

std::string quote(const std::string& s) {
  return toml::quote(s);
}

const char* kTierKeys[] = {"nano", "micro", "mid", "macro", "mega"};  // tiers 1..5

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

}  // namespace

std::string Scenario::where(const std::string& key) const {
  auto it = origin.find(key);
  if (it == origin.end()) return key;
  if (it->second.rfind("--", 0) == 0) return it->second;
  return it->second + ": " + key;
}

void Scenario::validate() const {
  if (!(budget > 0 && budget <= 1e12))
    throw ConfigError(where("campaign.budget"), fmt(budget), "a positive amount in USD up to 1e12");
  if (strategies.empty())
    throw ConfigError(where("campaign.strategies"), "",
                      "at least one strategy: " + strategy_help());
  if (strategies.size() > kMaxStrategies)
    throw ConfigError(where("campaign.strategies"),
                      std::to_string(strategies.size()) + " strategies",
                      "at most " + std::to_string(kMaxStrategies) + " strategies in one run");
  for (const std::string& s : strategies) parse_strategy(s, where("campaign.strategies"));
  if (trials < 1 || trials > kMaxTrials)
    throw ConfigError(where("run.trials"), std::to_string(trials),
                      "a whole number of trials from 1 to " + std::to_string(kMaxTrials));
  if (!(precision == 0 || (precision > 0 && precision < 1)))
    throw ConfigError(where("run.precision"), fmt(precision),
                      "a target relative standard error in (0, 1), e.g. 0.005, or 0 for a fixed "
                      "number of trials");
  if (max_trials < 1 || max_trials > kMaxTrials)
    throw ConfigError(where("run.max_trials"), std::to_string(max_trials),
                      "a whole number of trials from 1 to " + std::to_string(kMaxTrials));
  if (market_profiles < 1 || market_profiles > 100'000'000)
    throw ConfigError(where("market.profiles"), std::to_string(market_profiles),
                      "a market size from 1 to 100000000 profiles");
  try {
    model.validate();
  } catch (const ConfigError& e) {
    const std::string w = where(e.option());
    if (w == e.option()) throw;
    const std::string msg = e.what();
    throw ConfigError(w + msg.substr(e.option().size()));
  }
}

std::string Scenario::to_toml() const {
  std::ostringstream o;
  std::vector<std::string> q;
  for (const auto& s : strategies) q.push_back(quote(s));
  o << "# microreach simulate scenario: every parameter (docs/model.md, \"Campaign "
       "simulation\")\n\n";
  o << "[campaign]\n";
  o << "budget = " << fmt(budget) << "  # USD\n";
  o << "niche = " << quote(std::string(kNicheNames[static_cast<std::size_t>(niche)])) << "\n";
  o << "strategies = [" << join(q) << "]\n";
  auto scalars = [&](std::string_view table) {
    for (const ScalarParam& p : scalar_params()) {
      if (p.table != table) continue;
      o << p.key << " = " << fmt(model.*p.member);
      if (!p.note.empty()) o << "  # " << p.note;
      o << "\n";
    }
  };
  scalars("campaign");
  o << "\n";
  o << "[run]\n";
  o << "trials = " << trials << "\n";
  o << "seed = " << seed << "\n";
  o << "precision = " << fmt(precision) << "  # target relative standard error; 0 = fixed trials\n";
  o << "max_trials = " << max_trials << "\n\n";
  o << "[market]\n";
  o << "input = " << quote(input) << "  # scores/profiles .h5 or an export; \"\" = synthetic\n";
  o << "profiles = " << market_profiles << "\n";
  o << "seed = " << market_seed << "\n\n";
  o << "[model]\n";
  o << "noise = " << (model.noise ? "true" : "false") << "\n";
  scalars("model");
  auto tiers = [&](const char* name, const std::array<double, kTierCount>& v) {
    o << "\n[model." << name << "]\n";
    for (std::size_t t = 1; t < kTierCount; ++t)
      o << kTierKeys[t - 1] << " = " << fmt(v[t]) << "\n";
  };
  tiers("reach_rate", model.reach_rate);
  tiers("trust", model.trust);
  tiers("incident_probability", model.incident_probability);
  return o.str();
}

namespace {

using ScalarMap = std::map<std::string, double ModelParams::*>;
using TierMap = std::map<std::string, std::array<double, kTierCount> ModelParams::*>;

const ScalarMap& model_scalars() {
  static const ScalarMap m = [] {
    ScalarMap r;
    for (const ScalarParam& p : scalar_params()) r[p.scenario_key()] = p.member;
    return r;
  }();
  return m;
}

const TierMap& tier_tables() {
  static const TierMap m = {
      {"model.reach_rate", &ModelParams::reach_rate},
      {"model.trust", &ModelParams::trust},
      {"model.incident_probability", &ModelParams::incident_probability},
  };
  return m;
}

const std::vector<std::string> kOtherKeys = {
    "campaign.budget", "campaign.niche", "campaign.strategies", "run.trials",
    "run.seed",        "run.precision",  "run.max_trials",      "market.input",
    "market.profiles", "market.seed",    "model.noise"};
const std::vector<std::string> kTables = {"campaign",
                                          "run",
                                          "market",
                                          "model",
                                          "model.reach_rate",
                                          "model.trust",
                                          "model.incident_probability"};

// Binds the flattened TOML entries of a scenario file to a Scenario, one key at a time.
class Binder {
 public:
  Binder(Scenario& sc, const std::string& file)
      : sc_(sc), file_(file), dir_(std::filesystem::path(file).parent_path()) {}

  void bind(const toml::Value& v) {
    sc_.origin[v.key] = file_ + ":" + std::to_string(v.line);
    if (v.kind == toml::Value::Kind::table) return table(v);
    const std::string& k = v.key;
    if (auto it = model_scalars().find(k); it != model_scalars().end()) {
      sc_.model.*(it->second) = number(v);
    } else if (k == "campaign.budget") {
      sc_.budget = number(v);
    } else if (k == "campaign.niche") {
      const auto n = parse_niche(string(v));
      if (!n) throw ConfigError(sc_.where(k), v.str, "one of " + niche_list());
      sc_.niche = *n;
    } else if (k == "campaign.strategies") {
      strategies(v);
    } else if (k == "run.trials") {
      sc_.trials = whole(v);
    } else if (k == "run.seed") {
      sc_.seed = whole(v);
    } else if (k == "run.precision") {
      sc_.precision = number(v);
    } else if (k == "run.max_trials") {
      sc_.max_trials = whole(v);
    } else if (k == "market.input") {
      sc_.input = resolve(string(v));
    } else if (k == "market.profiles") {
      sc_.market_profiles = whole(v);
    } else if (k == "market.seed") {
      sc_.market_seed = whole(v);
    } else if (k == "model.noise") {
      if (v.kind != toml::Value::Kind::boolean) expect(v, "true or false");
      sc_.model.noise = v.b;
    } else if (!tier(v)) {
      std::vector<std::string> known = kOtherKeys;
      for (const auto& [name, m] : model_scalars()) known.push_back(name);
      for (const auto& [name, m] : tier_tables()) known.push_back(name + ".<tier>");
      throw InputError(file_, v.line, v.column,
                       "unknown key '" + k + "' (known keys: " + join(known) + ")");
    }
  }

 private:
  [[noreturn]] void expect(const toml::Value& v, const std::string& what) const {
    throw InputError(file_, v.line, v.column,
                     v.key + " = " + v.text + ": expected " + what + ", found " + v.kind_name());
  }
  double number(const toml::Value& v) const {
    if (!v.is_number()) expect(v, "a number");
    return v.d;
  }
  std::uint64_t whole(const toml::Value& v) const {
    const double d = number(v);
    if (!(d >= 0 && d == std::floor(d) && d <= 1.8e19))
      throw ConfigError(sc_.where(v.key), v.text, "a whole number >= 0");
    return static_cast<std::uint64_t>(d);
  }
  const std::string& string(const toml::Value& v) const {
    if (v.kind != toml::Value::Kind::string) expect(v, "a \"string\"");
    return v.str;
  }
  std::string resolve(const std::string& p) const {
    if (p.empty() || std::filesystem::path(p).is_absolute() || dir_.empty()) return p;
    return (dir_ / p).lexically_normal().string();
  }

  void table(const toml::Value& v) const {
    if (std::find(kTables.begin(), kTables.end(), v.key) != kTables.end()) return;
    throw InputError(
        file_, v.line, v.column,
        "unknown table " + v.text + " (known tables: [" + join(kTables, "], [") + "])");
  }

  void strategies(const toml::Value& v) {
    const std::string& k = v.key;
    auto too_many = [&](std::size_t n) {
      return ConfigError(sc_.where(k), std::to_string(n) + " strategies",
                         "at most " + std::to_string(kMaxStrategies) + " strategies in one run");
    };
    std::vector<std::string> list;
    if (v.kind == toml::Value::Kind::string) {
      const auto n = static_cast<std::size_t>(std::count(v.str.begin(), v.str.end(), ',')) + 1;
      if (n > kMaxStrategies) throw too_many(n);
      for (const StrategySpec& s : parse_strategies(v.str, sc_.where(k))) list.push_back(s.text);
    } else if (v.kind == toml::Value::Kind::array) {
      if (v.items.size() > kMaxStrategies) throw too_many(v.items.size());
      for (const toml::Value& item : v.items) {
        if (item.kind != toml::Value::Kind::string)
          throw InputError(file_, item.line, item.column,
                           k + ": expected strategy names as \"strings\", found " + item.text);
        list.push_back(item.str);
      }
    } else {
      expect(v, "a list of strategies, e.g. [\"macro\", \"micro-top\"]");
    }
    for (std::string& s : list)
      if (s.rfind("list:", 0) == 0) s = "list:" + resolve(s.substr(5));
    sc_.strategies = std::move(list);
  }

  // model.<table>.<tier>; false when the key is not in a tier table.
  bool tier(const toml::Value& v) {
    for (const auto& [table, member] : tier_tables()) {
      if (v.key.rfind(table + ".", 0) != 0) continue;
      const std::string name = v.key.substr(table.size() + 1);
      for (std::size_t t = 1; t < kTierCount; ++t)
        if (name == kTierKeys[t - 1]) {
          (sc_.model.*member)[t] = number(v);
          if (t == 1) (sc_.model.*member)[0] = (sc_.model.*member)[1];  // fan = nano
          return true;
        }
      throw InputError(
          file_, v.line, v.column,
          "unknown tier '" + name + "' in " + table + " (allowed: nano, micro, mid, macro, mega)");
    }
    return false;
  }

  Scenario& sc_;
  const std::string& file_;
  std::filesystem::path dir_;
};

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& filename) {
  const std::vector<toml::Value> entries = toml::parse(text, filename);
  Scenario sc;
  sc.file = filename;
  Binder binder(sc, filename);
  for (const toml::Value& v : entries) binder.bind(v);
  sc.validate();
  return sc;
}

Scenario load_scenario(const std::string& path) {
  return parse_scenario(read_text_file(path, toml::kMaxTomlBytes, "scenario file"), path);
}

}  // namespace microreach::sim
