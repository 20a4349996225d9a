// --config FILE (options.hpp: use_toml_config), read with toml++.
#include <charconv>
#include <cmath>
#include <memory>

#include "microreach/error.hpp"
#include "microreach/text_file.hpp"
#include "microreach/toml_reader.hpp"
#include "options.hpp"

namespace microreach::cli {
namespace {

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
