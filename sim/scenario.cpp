#include "microreach/sim/scenario.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "microreach/error.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/strategy.hpp"
#include "microreach/values.hpp"

namespace microreach::sim {
namespace {

// ---------------------------------------------------------------- TOML subset

struct Value {
  enum class Kind { string, integer, floating, boolean, array } kind = Kind::string;
  std::string s;
  double d = 0;
  std::int64_t i = 0;
  bool b = false;
  std::vector<Value> items;
  std::uint64_t line = 0, column = 0;
  std::string text;  // as written, for messages
};

struct Entry {
  std::string key;  // full dotted key
  Value value;
};

class TomlParser {
 public:
  TomlParser(std::string_view text, std::string file) : t_(text), file_(std::move(file)) {}

  std::vector<Entry> parse() {
    if (t_.substr(0, 3) == "\xEF\xBB\xBF") advance(3);  // UTF-8 BOM
    while (!eof()) {
      skip_ws();
      if (eof()) break;
      const char c = peek();
      if (c == '\n' || c == '\r' || c == '#') {
        end_of_line();
        continue;
      }
      if (c == '[') {
        header();
      } else {
        key_value();
      }
      end_of_line();
    }
    return std::move(entries_);
  }

 private:
  bool eof() const { return pos_ >= t_.size(); }
  char peek(std::size_t k = 0) const { return pos_ + k < t_.size() ? t_[pos_ + k] : '\0'; }
  void advance(std::size_t n = 1) {
    for (std::size_t k = 0; k < n && pos_ < t_.size(); ++k) {
      if (t_[pos_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
      ++pos_;
    }
  }
  [[noreturn]] void fail(const std::string& msg) const {
    throw InputError(file_, line_, col_, msg);
  }
  [[noreturn]] void fail_at(std::uint64_t line, std::uint64_t col, const std::string& msg) const {
    throw InputError(file_, line, col, msg);
  }

  // After an item of an array or inline table: ',' goes on to the next item (false), `close`
  // ends the list (true); anything else is an error.
  bool list_ends(char close, const char* expected) {
    if (peek() == ',') {
      advance();
      return false;
    }
    if (peek() != close) fail(expected);
    advance();
    return true;
  }
  void skip_ws() {
    while (peek() == ' ' || peek() == '\t') advance();
  }
  // Whitespace, newlines and comments (inside arrays).
  void skip_all() {
    for (;;) {
      skip_ws();
      if (peek() == '#') {
        while (!eof() && peek() != '\n') advance();
      } else if (peek() == '\n' || peek() == '\r') {
        advance();
      } else {
        return;
      }
    }
  }
  void end_of_line() {
    skip_ws();
    if (peek() == '#') {
      while (!eof() && peek() != '\n') {
        const unsigned char ch = static_cast<unsigned char>(peek());
        if (ch < 0x20 && ch != '\t' && ch != '\r') fail("control character in a comment");
        advance();
      }
    }
    if (peek() == '\r') advance();
    if (eof()) return;
    if (peek() != '\n') fail(std::string("expected the end of the line, found '") + peek() + "'");
    advance();
  }

  static bool bare(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  }

  std::string key() {
    std::string out;
    for (;;) {
      skip_ws();
      std::string part;
      if (peek() == '"') {
        part = basic_string();
      } else {
        while (bare(peek())) {
          part += peek();
          advance();
        }
        if (part.empty())
          fail(eof() || peek() == '\n' ? "expected a key"
                                       : std::string("'") + peek() + "' cannot start a key");
      }
      out += out.empty() ? part : "." + part;
      skip_ws();
      if (peek() != '.') return out;
      advance();
    }
  }

  void header() {
    const std::uint64_t line = line_, col = col_;
    advance();  // [
    if (peek() == '[') fail("arrays of tables ([[...]]) are not used in scenario files");
    table_ = key();
    skip_ws();
    if (peek() != ']') fail("expected ']' to close the table header");
    advance();
    if (!tables_.insert(table_).second) fail_at(line, col, "table [" + table_ + "] defined twice");
  }

  void add(const std::string& k, Value v, std::uint64_t line, std::uint64_t col) {
    if (!keys_.insert(k).second) fail_at(line, col, "key '" + k + "' is set twice");
    entries_.push_back({k, std::move(v)});
  }

  void key_value() {
    const std::uint64_t line = line_, col = col_;
    std::string k = key();
    if (!table_.empty()) k = table_ + "." + k;
    skip_ws();
    if (peek() != '=') fail("expected '=' after the key '" + k + "'");
    advance();
    skip_ws();
    if (peek() == '{') {
      inline_table(k);
      return;
    }
    Value v = value();
    add(k, std::move(v), line, col);
  }

  void inline_table(const std::string& prefix) {
    advance();  // {
    skip_ws();
    if (peek() == '}') {
      advance();
      return;
    }
    for (;;) {
      skip_ws();
      const std::uint64_t line = line_, col = col_;
      const std::string k = prefix + "." + key();
      skip_ws();
      if (peek() != '=') fail("expected '=' after the key '" + k + "'");
      advance();
      skip_ws();
      if (peek() == '{') {
        inline_table(k);
      } else {
        add(k, value(), line, col);
      }
      skip_ws();
      if (list_ends('}',
                    "expected ',' or '}' in the inline table (inline tables stay on one line)"))
        return;
    }
  }

  std::string basic_string() {
    if (peek(1) == '"' && peek(2) == '"') fail("multi-line strings (\"\"\") are not supported");
    advance();  // "
    std::string out;
    for (;;) {
      if (eof() || peek() == '\n') fail("unterminated string: add the closing '\"'");
      const char c = peek();
      if (c == '"') {
        advance();
        return out;
      }
      if (c == '\\') {
        advance();
        const char e = peek();
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'u':
          case 'U': {
            const int digits = e == 'u' ? 4 : 8;
            std::uint32_t cp = 0;
            for (int k = 1; k <= digits; ++k) {
              const char h = peek(k);
              int v = -1;
              if (h >= '0' && h <= '9') v = h - '0';
              if (h >= 'a' && h <= 'f') v = h - 'a' + 10;
              if (h >= 'A' && h <= 'F') v = h - 'A' + 10;
              if (v < 0) fail("\\u needs hexadecimal digits");
              cp = cp * 16 + static_cast<std::uint32_t>(v);
            }
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail("invalid Unicode escape");
            advance(static_cast<std::size_t>(digits));
            append_utf8(out, cp);
            break;
          }
          default:
            fail(std::string("unknown escape '\\") + e + "' in a string");
        }
        advance();
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') fail("control character in a string");
      out += c;
      advance();
    }
  }

  std::string literal_string() {
    if (peek(1) == '\'' && peek(2) == '\'') fail("multi-line strings (''') are not supported");
    advance();
    std::string out;
    while (peek() != '\'') {
      if (eof() || peek() == '\n') fail("unterminated string: add the closing \"'\"");
      out += peek();
      advance();
    }
    advance();
    return out;
  }

  Value value() {
    // Bounded recursion: a file of 100000 '[' overflowed the stack (found by fuzz_scenario).
    constexpr int kMaxNesting = 32;
    if (++depth_ > kMaxNesting) fail("values nested more than 32 deep (arrays or inline tables)");
    struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    Value v;
    v.line = line_;
    v.column = col_;
    const std::size_t start = pos_;
    const char c = peek();
    if (c == '"' || c == '\'') {
      v.kind = Value::Kind::string;
      v.s = c == '"' ? basic_string() : literal_string();
    } else if (c == '[') {
      v.kind = Value::Kind::array;
      advance();
      for (;;) {
        skip_all();
        if (peek() == ']') {
          advance();
          break;
        }
        if (eof()) fail("unterminated array: add the closing ']'");
        v.items.push_back(value());
        skip_all();
        if (list_ends(']', "expected ',' or ']' in the array")) break;
      }
    } else if (t_.substr(pos_, 4) == "true" && !bare(peek(4))) {
      v.kind = Value::Kind::boolean;
      v.b = true;
      advance(4);
    } else if (t_.substr(pos_, 5) == "false" && !bare(peek(5))) {
      v.kind = Value::Kind::boolean;
      v.b = false;
      advance(5);
    } else {
      number(v);
    }
    v.text = std::string(t_.substr(start, pos_ - start));
    return v;
  }

  void number(Value& v) {
    std::string raw;
    while (!eof()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == ',' || c == ']' || c == '}' || c == '#' || c == '\n' ||
          c == '\r')
        break;
      raw += c;
      advance();
    }
    if (raw.empty()) fail("expected a value (a number, \"string\", true/false or [array])");
    {
      std::string l = raw;
      for (char& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (l == "inf" || l == "+inf" || l == "-inf" || l == "nan" || l == "+nan" || l == "-nan")
        fail_at(v.line, v.column,
                "'" + raw + "' is not allowed: every value must be a finite number");
    }
    if (std::isalpha(static_cast<unsigned char>(raw[0])))
      fail_at(v.line, v.column,
              "'" + raw + "' is not a value: text needs quotes (\"" + raw + "\"), " +
                  "booleans are true or false");
    const std::uint64_t col = v.column;
    auto bad = [&](const std::string& why) { fail_at(v.line, col, "'" + raw + "' " + why); };
    std::string digits;
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '_') {
        const bool ok = k > 0 && k + 1 < raw.size() &&
                        std::isdigit(static_cast<unsigned char>(raw[k - 1])) &&
                        std::isdigit(static_cast<unsigned char>(raw[k + 1]));
        if (!ok) bad("is not a number: '_' must sit between digits");
        continue;
      }
      digits += raw[k];
    }
    const std::string lower = [&] {
      std::string l = digits;
      for (char& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return l;
    }();
    if (lower.find("inf") != std::string::npos || lower.find("nan") != std::string::npos)
      bad("is not allowed: every value must be a finite number");
    const char* b = digits.data();
    const char* e = b + digits.size();
    if (*b == '+') ++b;
    const bool is_float = digits.find_first_of(".eE") != std::string::npos;
    if (!is_float) {
      if (digits.size() > 1 && (digits[0] == '0' || ((digits[0] == '-' || digits[0] == '+') &&
                                                     digits.size() > 2 && digits[1] == '0')))
        bad("is not a number: leading zeros are not allowed");
      auto [p, ec] = std::from_chars(b, e, v.i);
      if (ec == std::errc::result_out_of_range) bad("is out of range for an integer");
      if (ec != std::errc() || p != e) bad("is not a number");
      v.kind = Value::Kind::integer;
      v.d = static_cast<double>(v.i);
    } else {
      // TOML float: [sign] digits [. digits] [e [sign] digits]
      std::size_t k = (digits[0] == '+' || digits[0] == '-') ? 1 : 0;
      auto run = [&] {
        const std::size_t from = k;
        while (k < digits.size() && std::isdigit(static_cast<unsigned char>(digits[k]))) ++k;
        return k > from;
      };
      bool ok = run();
      if (ok && k < digits.size() && digits[k] == '.') {
        ++k;
        ok = run();
      }
      if (ok && k < digits.size() && (digits[k] == 'e' || digits[k] == 'E')) {
        ++k;
        if (k < digits.size() && (digits[k] == '+' || digits[k] == '-')) ++k;
        ok = run();
      }
      if (!ok || k != digits.size())
        bad("is not a number (TOML floats look like 0.25, 2.5e4 or 1e-3)");
      auto [p, ec] = std::from_chars(b, e, v.d);
      if (ec != std::errc() || p != e || !std::isfinite(v.d)) bad("is out of range");
      v.kind = Value::Kind::floating;
    }
  }

  std::string_view t_;
  std::string file_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 1, col_ = 1;
  int depth_ = 0;  // nesting of value(): arrays and inline tables
  std::string table_;
  std::set<std::string> tables_, keys_;
  std::vector<Entry> entries_;
};

// ---------------------------------------------------------------- binding

std::string fmt(double v) {
  if (v == 0) v = 0;  // -0 would print "-0", which reads back as +0: to_toml must round-trip
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, p);
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    // Other control characters (the parser refuses them raw, accepts \uXXXX): escaped so that
    // to_toml() reads back (found by fuzz_scenario).
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      out += esc;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

const char* kTierKeys[] = {"nano", "micro", "mid", "macro", "mega"};  // tiers 1..5

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
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
  o << "posts_per_influencer = " << fmt(model.posts) << "\n";
  o << "average_order_value = " << fmt(model.average_order_value) << "  # USD\n";
  o << "gross_margin = " << fmt(model.gross_margin) << "\n";
  o << "conversion_rate = " << fmt(model.base_conversion_rate)
    << "  # purchases per relevant person reached\n\n";
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
  o << "reach_sigma = " << fmt(model.reach_sigma) << "\n";
  o << "conversion_shock_sigma = " << fmt(model.conversion_shock_sigma) << "\n";
  o << "reach_shock_sigma = " << fmt(model.reach_shock_sigma) << "\n";
  o << "fake_share_concentration = " << fmt(model.fake_share_concentration) << "\n";
  o << "audited_interval_level = " << fmt(model.audited_interval_level) << "\n";
  o << "incident_cost_factor = " << fmt(model.incident_cost_factor) << "\n";
  o << "audience_size = " << fmt(model.audience_size) << "\n";
  o << "viewers_per_share = " << fmt(model.viewers_per_share) << "\n";
  o << "default_share_fraction = " << fmt(model.default_share_fraction) << "\n";
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

Scenario parse_scenario(std::string_view text, const std::string& filename) {
  const std::vector<Entry> entries = TomlParser(text, filename).parse();
  Scenario sc;
  sc.file = filename;
  const std::filesystem::path dir = std::filesystem::path(filename).parent_path();
  auto resolve = [&](const std::string& p) {
    if (p.empty() || std::filesystem::path(p).is_absolute() || dir.empty()) return p;
    return (dir / p).lexically_normal().string();
  };

  for (const Entry& en : entries) {
    const Value& v = en.value;
    const std::string& k = en.key;
    sc.origin[k] = filename + ":" + std::to_string(v.line);
    auto expect = [&](const std::string& what) {
      throw InputError(filename, v.line, v.column, k + " = " + v.text + ": expected " + what);
    };
    auto number = [&]() -> double {
      if (v.kind != Value::Kind::integer && v.kind != Value::Kind::floating) expect("a number");
      return v.d;
    };
    auto whole = [&]() -> std::uint64_t {
      const double d = number();
      if (!(d >= 0 && d == std::floor(d) && d <= 1.8e19))
        throw ConfigError(sc.where(k), v.text, "a whole number >= 0");
      return static_cast<std::uint64_t>(d);
    };
    auto string = [&]() -> const std::string& {
      if (v.kind != Value::Kind::string) expect("a \"string\"");
      return v.s;
    };

    static const std::map<std::string, double ModelParams::*> model_scalars = {
        {"campaign.posts_per_influencer", &ModelParams::posts},
        {"campaign.average_order_value", &ModelParams::average_order_value},
        {"campaign.gross_margin", &ModelParams::gross_margin},
        {"campaign.conversion_rate", &ModelParams::base_conversion_rate},
        {"model.reach_sigma", &ModelParams::reach_sigma},
        {"model.conversion_shock_sigma", &ModelParams::conversion_shock_sigma},
        {"model.reach_shock_sigma", &ModelParams::reach_shock_sigma},
        {"model.fake_share_concentration", &ModelParams::fake_share_concentration},
        {"model.audited_interval_level", &ModelParams::audited_interval_level},
        {"model.incident_cost_factor", &ModelParams::incident_cost_factor},
        {"model.audience_size", &ModelParams::audience_size},
        {"model.viewers_per_share", &ModelParams::viewers_per_share},
        {"model.default_share_fraction", &ModelParams::default_share_fraction},
    };
    static const std::map<std::string, std::array<double, kTierCount> ModelParams::*> tier_tables =
        {
            {"model.reach_rate", &ModelParams::reach_rate},
            {"model.trust", &ModelParams::trust},
            {"model.incident_probability", &ModelParams::incident_probability},
        };

    if (auto it = model_scalars.find(k); it != model_scalars.end()) {
      sc.model.*(it->second) = number();
    } else if (k == "campaign.budget") {
      sc.budget = number();
    } else if (k == "campaign.niche") {
      const auto n = parse_niche(string());
      if (!n) throw ConfigError(sc.where(k), v.s, "one of " + niche_list());
      sc.niche = *n;
    } else if (k == "campaign.strategies") {
      std::vector<std::string> list;
      if (v.kind == Value::Kind::string) {
        for (const StrategySpec& s : parse_strategies(v.s, sc.where(k))) list.push_back(s.text);
      } else if (v.kind == Value::Kind::array) {
        for (const Value& item : v.items) {
          if (item.kind != Value::Kind::string)
            throw InputError(filename, item.line, item.column,
                             k + ": expected strategy names as \"strings\", found " + item.text);
          list.push_back(item.s);
        }
      } else {
        expect("a list of strategies, e.g. [\"macro\", \"micro-top\"]");
      }
      for (std::string& s : list)
        if (s.rfind("list:", 0) == 0) s = "list:" + resolve(s.substr(5));
      sc.strategies = std::move(list);
    } else if (k == "run.trials") {
      sc.trials = whole();
    } else if (k == "run.seed") {
      sc.seed = whole();
    } else if (k == "run.precision") {
      sc.precision = number();
    } else if (k == "run.max_trials") {
      sc.max_trials = whole();
    } else if (k == "market.input") {
      sc.input = resolve(string());
    } else if (k == "market.profiles") {
      sc.market_profiles = whole();
    } else if (k == "market.seed") {
      sc.market_seed = whole();
    } else if (k == "model.noise") {
      if (v.kind != Value::Kind::boolean) expect("true or false");
      sc.model.noise = v.b;
    } else {
      bool done = false;
      for (const auto& [table, member] : tier_tables) {
        if (k.rfind(table + ".", 0) != 0) continue;
        const std::string tier = k.substr(table.size() + 1);
        for (std::size_t t = 1; t < kTierCount; ++t)
          if (tier == kTierKeys[t - 1]) {
            (sc.model.*member)[t] = number();
            if (t == 1) (sc.model.*member)[0] = (sc.model.*member)[1];  // fan = nano
            done = true;
          }
        if (!done)
          throw InputError(filename, v.line, v.column,
                           "unknown tier '" + tier + "' in " + table +
                               " (allowed: nano, micro, mid, macro, mega)");
      }
      if (!done) {
        std::vector<std::string> known = {
            "campaign.budget", "campaign.niche", "campaign.strategies", "run.trials",
            "run.seed",        "run.precision",  "run.max_trials",      "market.input",
            "market.profiles", "market.seed",    "model.noise"};
        for (const auto& [name, m] : model_scalars) known.push_back(name);
        for (const auto& [name, m] : tier_tables) known.push_back(name + ".<tier>");
        throw InputError(filename, v.line, v.column,
                         "unknown key '" + k + "' (known keys: " + join(known) + ")");
      }
    }
  }
  sc.validate();
  return sc;
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, 0, "cannot open the scenario file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path, 0, 0, "cannot read the scenario file");
  return parse_scenario(ss.str(), path);
}

}  // namespace microreach::sim
