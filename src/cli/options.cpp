#include "options.hpp"

#include <tbb/info.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "microreach/error.hpp"
#include "microreach/text_file.hpp"
#include "microreach/toml_reader.hpp"

namespace microreach::cli {

void add_scoring_options(CLI::App* cmd, ScoringOptions& o) {
  const ScoringConfig d;
  cmd->add_option("--niche", o.niche,
                  "Campaign niche; profiles are scored for relevance to it (one of: " +
                      niche_list() + "; empty = relevance not scored)")
      ->group("Scoring");
  cmd->add_option("--tier-bounds", o.tier_bounds,
                  "Lower follower bounds of nano,micro,mid,macro,mega (default "
                  "1000,10000,100000,500000,1000000)")
      ->group("Scoring");
  cmd->add_option(
         "--similar", o.similar,
         "Niche similarity NICHE:NICHE=VALUE in [0,1], repeatable (e.g. fitness:sports=0.6); "
         "unrelated niches get 0.1")
      ->group("Scoring");
  cmd->add_option(
         "--benchmark", o.benchmark,
         "Engagement benchmark of a platform as FOLLOWERS:LIKE_RATE:COMMENT_RATE points, e.g. "
         "tiktok=10000:0.12:0.004,1000000:0.14:0.003 (repeatable, one per platform)")
      ->group("Scoring");
  cmd->add_option("--w-engagement", o.weights.engagement, "Weight of the engagement component")
      ->group("Scoring");
  cmd->add_option("--w-authenticity", o.weights.authenticity,
                  "Weight of the authenticity component")
      ->group("Scoring");
  cmd->add_option("--w-relevance", o.weights.relevance, "Weight of the niche relevance component")
      ->group("Scoring");
  cmd->add_option("--w-cost", o.weights.cost, "Weight of the cost-efficiency component")
      ->group("Scoring");
  cmd->add_option("--w-responsiveness", o.weights.responsiveness,
                  "Weight of the responsiveness component")
      ->group("Scoring");
  cmd->add_option("--suspected-fake-below", o.suspected_fake_below,
                  "Flag a profile as suspected fake when its authenticity is below this")
      ->group("Scoring");
}

ScoringConfig ScoringOptions::build() const {
  ScoringConfig c;
  c.set_target_niche("--niche", niche);
  if (!tier_bounds.empty()) c.set_tier_bounds("--tier-bounds", tier_bounds);
  for (const auto& s : similar) c.set_similarity("--similar", s);
  for (const auto& b : benchmark) c.set_benchmark("--benchmark", b);
  c.weights = weights;
  c.suspected_fake_below = suspected_fake_below;
  c.validate();
  return c;
}

void add_compress_option(CLI::App* cmd, h5::Compression& target) {
  cmd->add_option_function<std::string>(
         "--compress",
         [&target](const std::string& text) {
           target = h5::Compression::parse("--compress", text);
         },
         "Compress numeric columns: none, a gzip level 0-9, gzip[:1-9], lz4 or zstd[:1-9] (lz4 "
         "and zstd: HDF5's Blosc filter plugin, which readers need too)")
      ->default_str("none");
}

void add_generator_options(CLI::App* cmd, GeneratorOptions& o) {
  cmd->add_option(
         "--platform-mix", o.platform_mix,
         "Platform weights NAME=W,... (default instagram=0.5,tiktok=0.25,youtube=0.1,x=0.07,"
         "facebook=0.05,blog=0.03)")
      ->group("Synthetic population");
  cmd->add_option("--niche-mix", o.niche_mix,
                  "Niche weights NAME=W,... (default: all niches, fashion a little more)")
      ->group("Synthetic population");
  cmd->add_option(
         "--known-fake-share", o.known_fake_share,
         "Share of generated rows whose fake_follower_share is filled in (the rest is estimated)")
      ->group("Synthetic population");
}

GeneratorConfig GeneratorOptions::build() const {
  GeneratorConfig g;
  for (const auto& s : platform_mix) g.set_platform_mix("--platform-mix", s);
  for (const auto& s : niche_mix) g.set_niche_mix("--niche-mix", s);
  g.known_fake_share = known_fake_share;
  g.validate();
  return g;
}

int effective_threads(int threads) {
  return threads > 0 ? threads : static_cast<int>(tbb::info::default_concurrency());
}

std::unique_ptr<tbb::global_control> limit_threads(int threads) {
  if (threads < 0)
    throw ConfigError("--threads", std::to_string(threads), "a thread count >= 1 (0 = all cores)");
  return std::make_unique<tbb::global_control>(
      tbb::global_control::max_allowed_parallelism,
      static_cast<std::size_t>(effective_threads(threads)));
}

bool want_progress(bool quiet) {
  return !quiet && ::isatty(2);
}

std::string check_whole_number(const std::string& text, bool is_signed) {
  const std::string allowed =
      is_signed ? "a whole number (decimal digits, '-' for a negative one) within 64 bits"
                : "a whole number >= 0 (decimal digits) up to " +
                      std::to_string(std::numeric_limits<std::uint64_t>::max());
  const bool negative = !text.empty() && text[0] == '-';
  const std::size_t digits = negative ? 1 : 0;
  if (text.size() == digits || text.find_first_not_of("0123456789", digits) != std::string::npos)
    return "'" + text + "' is not valid: " + allowed;
  if (negative && !is_signed) return "'" + text + "' is not valid: a negative number; " + allowed;
  bool fits = false;
  if (is_signed) {
    std::int64_t v = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    fits = r.ec == std::errc() && r.ptr == text.data() + text.size();
  } else {
    std::uint64_t v = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    fits = r.ec == std::errc() && r.ptr == text.data() + text.size();
  }
  if (!fits) return "'" + text + "' is not valid: out of range; " + allowed;
  return {};
}

namespace {

// The value type CLI11 declared for an option: "INT", "UINT", "FLOAT", "TEXT", ... (the text
// before the validators' descriptions).
std::string option_type(const CLI::Option& opt) {
  const std::string t = opt.get_type_name();
  return t.substr(0, t.find(':'));
}

void guard_options(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    const std::string type = option_type(*opt);
    if (type != "INT" && type != "UINT") continue;
    const bool is_signed = type == "INT";
    opt->transform(CLI::Validator(
        [is_signed](std::string& text) {
          std::string err = check_whole_number(text, is_signed);
          if (err.empty() && text.size() > 1 && text[text.find_first_not_of('-')] == '0') {
            // Leading zeros: CLI11 would read "010" as octal 8; the number meant is 10.
            const std::size_t b = text.find_first_not_of("-0");
            text = (text[0] == '-' && b != std::string::npos ? "-" : "") +
                   (b == std::string::npos ? std::string("0") : text.substr(b));
          }
          return err;
        },
        "", "whole number"));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) guard_options(*sub);
}

std::string format_double(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// --config files read by toml++. CLI11 opens the file itself and hands over a stream, without
// its name; so the file is read, bounded and checked when the --config option is validated
// (before CLI11 opens it), and from_config() returns what was read then.
class TomlConfig : public CLI::Config {
 public:
  explicit TomlConfig(CLI::App* app) : app_(app) {}

  std::string to_config(const CLI::App* app, bool defaults, bool write_desc,
                        std::string prefix) const override {
    return CLI::ConfigTOML().to_config(app, defaults, write_desc, std::move(prefix));
  }
  std::vector<CLI::ConfigItem> from_config(std::istream&) const override { return items_; }

  void load(const std::string& file) {
    items_.clear();
    try {
      const std::string text = read_text_file(file, toml::kMaxTomlBytes, "config file");
      for (const toml::Value& v : toml::parse(text, file)) add(file, v);
    } catch (const InputError& e) {
      throw ConfigError(e.what());  // a config file is options: a usage error (exit 2)
    }
  }

 private:
  // The command a table names ("audit.fit" -> audit's subcommand fit), or nullptr.
  CLI::App* command(const std::vector<std::string>& path) const {
    CLI::App* cmd = app_;
    for (const std::string& name : path) {
      CLI::App* next = nullptr;
      for (CLI::App* sub : cmd->get_subcommands([](CLI::App*) { return true; }))
        if (sub->get_name() == name) next = sub;
      if (!next) return nullptr;
      cmd = next;
    }
    return cmd;
  }

  static std::vector<std::string> split_key(const std::string& key) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    for (;;) {
      const std::size_t dot = key.find('.', pos);
      out.push_back(key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
      if (dot == std::string::npos) return out;
      pos = dot + 1;
    }
  }

  static std::string input_text(const std::string& file, const toml::Value& v) {
    switch (v.kind) {
      case toml::Value::Kind::string:
        return v.str;
      case toml::Value::Kind::integer:
        return std::to_string(v.i);
      case toml::Value::Kind::floating:
        return format_double(v.d);
      case toml::Value::Kind::boolean:
        return v.b ? "true" : "false";
      default:
        throw InputError(file, v.line, v.column,
                         v.key + " = " + v.text +
                             ": expected a string, number, true/false or an "
                             "array of them, found " +
                             v.kind_name());
    }
  }

  void add(const std::string& file, const toml::Value& v) {
    std::vector<std::string> path = split_key(v.key);
    if (v.kind == toml::Value::Kind::table) {
      if (!command(path))
        throw InputError(
            file, v.line, v.column,
            "unknown table " + v.text + ": a table names a command, e.g. [score] or [audit.fit]");
      return;
    }
    const std::string name = path.back();
    path.pop_back();
    CLI::App* cmd = command(path);
    CLI::Option* opt = nullptr;
    if (cmd) {
      opt = cmd->get_option_no_throw("--" + name);
      if (!opt && name.size() == 1) opt = cmd->get_option_no_throw("-" + name);
      if (!opt) opt = cmd->get_option_no_throw(name);
    }
    const std::string where = path.empty() ? "the top level (global options)"
                                           : "[" + v.key.substr(0, v.key.rfind('.')) + "]";
    if (!opt || !opt->get_configurable() || opt == app_->get_config_ptr())
      throw InputError(file, v.line, v.column,
                       "unknown key '" + name + "' in " + where + ": not an option of `microreach" +
                           (path.empty() ? "" : " ") + join_path(path) + "` (see --help)");
    CLI::ConfigItem item;
    item.parents = path;
    item.name = name;
    const std::vector<toml::Value> one{v};
    for (const toml::Value& x : v.kind == toml::Value::Kind::array ? v.items : one) {
      std::string in = input_text(file, x);
      check(file, x, *opt, in);
      item.inputs.push_back(std::move(in));
    }
    items_.push_back(std::move(item));
  }

  static std::string join_path(const std::vector<std::string>& path) {
    std::string s;
    for (const auto& p : path) s += (s.empty() ? "" : " ") + p;
    return s;
  }

  // The option's own checks (whole numbers, ranges, choices), so that a bad value is named with
  // its place in the file rather than as if it had been typed.
  static void check(const std::string& file, const toml::Value& v, CLI::Option& opt,
                    std::string in) {
    const std::string type = option_type(opt);
    auto refuse = [&](const std::string& why) {
      throw InputError(file, v.line, v.column, v.key + " = " + v.text + ": " + why);
    };
    if ((type == "INT" || type == "UINT") && v.kind == toml::Value::Kind::floating)
      refuse(
          "expected a whole number (written without '.' or an exponent), found a number "
          "with a fraction or exponent");
    if (type == "FLOAT") {
      double d = 0;
      const auto r = std::from_chars(in.data(), in.data() + in.size(), d);
      if (r.ec != std::errc() || r.ptr != in.data() + in.size() || !std::isfinite(d))
        refuse("expected a number");
    }
    for (int i = 0;; ++i) {
      CLI::Validator* val = nullptr;
      try {
        val = opt.get_validator(i);
      } catch (const CLI::OptionNotFound&) {
        break;  // past the last one
      }
      std::string copy = in;
      const std::string err = (*val)(copy);
      if (!err.empty()) refuse(opt.get_name() + ": " + err);
      in = copy;
    }
  }

  CLI::App* app_;
  std::vector<CLI::ConfigItem> items_;
};

}  // namespace

void guard_integer_options(CLI::App& app) {
  guard_options(app);
}

void use_toml_config(CLI::App& app) {
  auto cfg = std::make_shared<TomlConfig>(&app);
  app.config_formatter(cfg);
  app.get_config_ptr()->check(
      [cfg](const std::string& file) {
        if (!file.empty()) cfg->load(file);
        return std::string();
      },
      "", "toml");
}

}  // namespace microreach::cli
