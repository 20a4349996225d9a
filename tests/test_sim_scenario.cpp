// Scenario files: TOML through toml++, bounds on nesting and size, every key bound, and invalid
// values refused with the key, the value and what is allowed (file and line included).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "microreach/error.hpp"
#include "microreach/random.hpp"
#include "microreach/sim/scenario.hpp"
#include "microreach/toml_reader.hpp"
#include "microreach/values.hpp"

using namespace microreach;
using namespace microreach::sim;

namespace {

// The message of the error parse_scenario throws for `text` (fails the test if none).
template <class E>
std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "s.toml");
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("wrong exception type: " << e.what());
  }
  FAIL("accepted: " << text);
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("The shipped 25k scenario file sets the documented defaults, with 100k trials", "[sim]") {
  Scenario file =
      load_scenario(std::string(MICROREACH_SOURCE_DIR) + "/sim/scenarios/25k-micro-vs-macro.toml");
  const Scenario defaults;
  CHECK(file.trials == 100'000);  // the thorough run; the no-argument default is 20,000
  file.trials = defaults.trials;
  CHECK(file.to_toml() == defaults.to_toml());
  CHECK(file.budget == 25000);
  CHECK(file.strategies == std::vector<std::string>{"macro", "micro-even:40", "micro-top"});
}

TEST_CASE("A resolved scenario reads back to the same scenario", "[sim]") {
  Scenario s;
  s.budget = 12345.5;
  s.niche = Niche::beauty;
  s.strategies = {"mix:0.25", "optimize"};
  s.trials = 777;
  s.seed = 99;
  s.precision = 0.01;
  s.model.posts = 3;
  s.model.base_conversion_rate = 1.25e-4;
  s.model.reach_rate[3] = 0.123456789;
  s.model.incident_probability[5] = 0.5;
  s.model.noise = false;
  s.input = "profiles with spaces \"quoted\".h5";
  const Scenario back = parse_scenario(s.to_toml(), "round.toml");
  CHECK(back.to_toml() == s.to_toml());
  CHECK(back.model.reach_rate[3] == 0.123456789);
  CHECK(back.input == s.input);
  CHECK_FALSE(back.model.noise);
}

TEST_CASE("TOML: tables, dotted keys, inline tables, arrays over lines, escapes", "[sim]") {
  const Scenario s = parse_scenario(
      "# comment\n"
      "[campaign]\n"
      "budget = 1_000  # underscore\n"
      "niche = 'beauty'\n"
      "strategies = [\n  \"macro\",  # first\n  \"micro-top\",\n]\n"
      "[model]\n"
      "trust = { micro = 2.0, mega = 0.5 }\n"
      "reach_rate.nano = 3e-1\n"
      "[run]\r\n"
      "trials = 1e3\r\n",
      "s.toml");
  CHECK(s.budget == 1000);
  CHECK(s.niche == Niche::beauty);
  CHECK(s.strategies == std::vector<std::string>{"macro", "micro-top"});
  CHECK(s.model.trust[2] == 2.0);
  CHECK(s.model.trust[5] == 0.5);
  CHECK(s.model.reach_rate[1] == 0.3);
  CHECK(s.trials == 1000);
  CHECK(s.where("campaign.niche") == "s.toml:4: campaign.niche");
  CHECK(s.where("campaign.budget") == "s.toml:3: campaign.budget");
  // Dotted keys at the top level reach the same values.
  const Scenario d = parse_scenario("campaign.budget = 2e3\nmodel.trust.mega = 0.25\n", "d.toml");
  CHECK(d.budget == 2000);
  CHECK(d.model.trust[5] == 0.25);
}

TEST_CASE("Invalid scenario values are refused with the key, the value and what is allowed",
          "[sim]") {
  // (the file's text, what the message must name: the key with its line, the value as given,
  // what is allowed)
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"[campaign]\nbudget = -5\n",  // negative budget
       {"s.toml:2: campaign.budget", "'-5'", "a positive amount in USD"}},
      {"[model.incident_probability]\nmega = 1.5\n",  // a probability outside [0, 1]
       {"s.toml:2: model.incident_probability.mega", "'1.5'", "a probability in [0, 1]"}},
      {"[campaign]\ngross_margin = 2\n", {"campaign.gross_margin"}},
      {"[run]\ntrials = 0\n", {"s.toml:2: run.trials", "'0'", "from 1 to 1000000000"}},
      {"[run]\ntrials = 2_000_000_000\n", {"run.trials"}},  // more than the hard limit
      {"[campaign]\nstrategies = [\"macro\", \"celebrity\"]\n",
       {"s.toml:2: campaign.strategies", "'celebrity'", "micro-even:N"}},
      {"[campaign]\nstrategies = [\"micro-even:0\"]\n", {"'micro-even:0'"}},
      {"[campaign]\nstrategies = [\"mix:1.5\"]\n", {"in [0, 1]"}},
      {"[campaign]\nniche = \"knitting\"\n", {"s.toml:2: campaign.niche", "'knitting'", "fitness"}},
      {"[run]\nprecision = 1.5\n", {"run.precision"}},  // outside (0, 1)
  };
  for (const auto& [text, needles] : cases) {
    const std::string m = error_of<ConfigError>(text);
    for (const std::string& needle : needles) {
      INFO(text << " -> " << m);
      CHECK(contains(m, needle));
    }
  }
}

TEST_CASE("Scenario syntax errors and unknown keys name the line and column", "[sim]") {
  auto check = [](const std::string& text, const std::string& where, const std::string& what) {
    const std::string m = error_of<InputError>(text);
    INFO(m);
    CHECK(contains(m, where));
    CHECK(contains(m, what));
  };
  check("[campaign]\nbudget 25000\n", "s.toml:2:8", "expected '='");
  check("[campaign]\nniche = fitness\n", "s.toml:2", "text needs quotes: \"fitness\"");
  check("[campaign]\nniche = \"fitness\n", "s.toml:2", "unterminated string");
  check("[campaign]\nbudget = 25k\n", "s.toml:2:12", "expected digit, saw 'k'");
  check("[campaign]\nbudget = 1\nbudget = 2\n", "s.toml:3", "cannot redefine existing");
  check("[campaign]\n[run]\n[campaign]\n", "s.toml:3:1", "cannot redefine existing table");
  check("[campaign]\nbudjet = 1\n", "s.toml:2:10", "unknown key 'campaign.budjet'");
  check("[model.trust]\ngiga = 1\n", "s.toml:2", "unknown tier 'giga'");
  check("[campaign]\nbudget = inf\n", "s.toml:2", "finite");
  check("[campaign]\nbudget = nan\n", "s.toml:2", "finite");
  check("[campaign\n", "s.toml:1", "']'");
  check("[campaign]\nstrategies = [\"macro\"\n", "s.toml", "end-of-file");
  check("[campaign]\nbudget = \"lots\"\n", "s.toml:2", "expected a number, found a \"string\"");
  check("[model]\nnoise = 1\n", "s.toml:2", "true or false");
  check("[campaign]\nbudget = 5 6\n", "s.toml:2:12", "expected a comment or whitespace");
  check("[run]\nseed = 99999999999999999999\n", "s.toml:2", "'99999999999999999999'");
  check("[run]\nseed = 1979-05-27\n", "s.toml:2", "expected a number, found a date");
  // Unknown tables are refused even when empty, and so are tables nested where none belong.
  check("[campain]\n", "s.toml:1:1", "unknown table [campain]");
  check("[campaign.extra]\n", "s.toml:1", "unknown table [campaign.extra]");
  check("[run]\nseed = { a = 1 }\n", "s.toml:2", "unknown table");
}

TEST_CASE("Scenario nesting and sizes are bounded before parsing", "[sim]") {
  auto check = [](const std::string& text, const std::string& what) {
    const std::string m = error_of<InputError>(text);
    INFO(m.substr(0, 300));
    CHECK(contains(m, what));
  };
  // 100,000-deep dotted key, table header and inline tables: refused, not a stack overflow.
  std::string key = "a";
  for (int i = 0; i < 100000; ++i) key += ".a";
  check(key + " = 1\n", "more than 8 dotted parts");
  check("[" + key + "]\n", "more than 8 dotted parts");
  std::string inl = "x = ";
  for (int i = 0; i < 100000; ++i) inl += "{a=";
  check(inl + "1\n", "nested value depth of 32");
  std::string arr = "x = ";
  for (int i = 0; i < 100000; ++i) arr += "[";
  check(arr + "\n", "nested value depth of 32");
  // Dots inside strings, comments and numbers are not key parts.
  const Scenario s = parse_scenario(
      "# a.b.c.d.e.f.g.h.i.j\n[campaign]\nbudget = 25000.0\n"
      "niche = \"fitness\"  # x.y.z.w.v.u.t.s.r\n"
      "[market]\ninput = \"a.b.c.d.e.f.g.h.i.j.csv\"\n",
      "s.toml");
  CHECK(s.budget == 25000);
  CHECK(s.input == "a.b.c.d.e.f.g.h.i.j.csv");
  check(std::string(toml::kMaxTomlBytes + 1, '#'), "at most 1048576 bytes");
}

TEST_CASE("Non-ASCII text in comments, strings and errors is read as written", "[sim]") {
  // é § (U+00A1..U+0499), カ (U+30AB), ﻿-block U+FE70 and a plane-15 private-use character:
  // the reader swaps some of these for toml++ and must give every one back unchanged.
  const std::string odd = "caf\xC3\xA9 \xC2\xA7 \xE3\x82\xAB \xEF\xB9\xB0 \xF3\xB0\x80\x80";
  const Scenario s = parse_scenario(
      "# " + odd + "\n[market]  # " + odd + "\ninput = \"" + odd + ".csv\"  # " + odd + "\n",
      "s.toml");
  CHECK(s.input == odd + ".csv");
  const std::string m = error_of<ConfigError>("[campaign]\nniche = \"" + odd + "\"\n");
  CHECK(contains(m, "'" + odd + "'"));
  const std::string k = error_of<InputError>("[campaign]\n\"" + odd + "\" = 1\n");
  CHECK(contains(k, "unknown key 'campaign." + odd + "'"));
  const std::string v = error_of<InputError>("[campaign]\nbudget = \xC2\xA7\n");
  CHECK(contains(v, "s.toml:2:10"));
}

TEST_CASE("A scenario with more strategies than a run compares is refused up front", "[sim]") {
  std::string list = "[campaign]\nstrategies = [";
  for (int i = 0; i < 100000; ++i) list += std::string(i ? "," : "") + "\"macro\"";
  const std::string m = error_of<ConfigError>(list + "]\n");
  CHECK(contains(m, "s.toml:2: campaign.strategies"));
  CHECK(contains(m, "100000 strategies"));
  CHECK(contains(m, "at most 64"));
  std::string text = "[campaign]\nstrategies = \"macro";
  for (int i = 0; i < 100; ++i) text += ",micro-top";
  CHECK(contains(error_of<ConfigError>(text + "\"\n"), "at most 64"));
}

TEST_CASE("A scenario file that is a device, a directory or too large is refused", "[sim]") {
  CHECK_THROWS_WITH(load_scenario("/dev/zero"),
                    Catch::Contains("/dev/zero") && Catch::Contains("not a regular file"));
  CHECK_THROWS_WITH(load_scenario("/tmp"), Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(load_scenario("/nonexistent/s.toml"), Catch::Contains("cannot open"));
}

TEST_CASE("Relative list files and inputs resolve against the scenario's directory", "[sim]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "microreach_scenario_test" / "scenarios";
  fs::create_directories(dir);
  std::ofstream(dir.parent_path() / "hires.txt") << "1\n";
  const Scenario s = parse_scenario(
      "[campaign]\nstrategies = [\"list:../hires.txt\"]\n[market]\ninput = \"x.h5\"\n",
      (dir / "t.toml").string());
  fs::remove_all(dir.parent_path());
  REQUIRE(s.strategies.size() == 1);
  CHECK(s.strategies[0] == "list:" + (dir.parent_path() / "hires.txt").string());
  CHECK(s.input == (dir / "x.h5").string());
}

TEST_CASE("Mutated scenario files are either accepted or refused with a located error", "[sim]") {
  // A small deterministic fuzzer: byte flips, deletions, insertions of TOML-significant
  // characters and truncations of the shipped scenario. parse_scenario may only return or
  // throw InputError / ConfigError naming the file; anything else (another exception, a
  // crash) fails.
  std::ifstream in(std::string(MICROREACH_SOURCE_DIR) + "/sim/scenarios/25k-micro-vs-macro.toml");
  const std::string base((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(base.size() > 100);
  const std::string alphabet = "[]{}=\".,#'\n\r\t _-+eE0123456789abcxyz\\\x01\xff";
  Stream rng(5, Purpose::user, 77);
  int accepted = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string t = base;
    const int edits = 1 + static_cast<int>(rng.below(4));
    for (int e = 0; e < edits && !t.empty(); ++e) {
      const std::size_t at = rng.below(t.size());
      switch (rng.below(4)) {
        case 0:
          t[at] = alphabet[rng.below(alphabet.size())];
          break;
        case 1:
          t.erase(at, 1 + rng.below(8));
          break;
        case 2:
          t.insert(at, 1, alphabet[rng.below(alphabet.size())]);
          break;
        default:
          t.resize(at);
          break;
      }
    }
    try {
      parse_scenario(t, "fuzz.toml");
      ++accepted;
    } catch (const InputError& e) {
      ++refused;
      REQUIRE(e.file() == "fuzz.toml");
    } catch (const ConfigError& e) {
      ++refused;
      REQUIRE(std::string(e.what()).find("fuzz.toml") != std::string::npos);
    }
  }
  CHECK(accepted > 0);
  CHECK(refused > 0);
}

namespace {
std::string utf8(char32_t c) {
  std::string s;
  append_utf8(s, c);
  return s;
}
}  // namespace

TEST_CASE(
    "Every non-ASCII code point reads back from a string and a comment, and is refused "
    "where a value stands",
    "[sim]") {
  // Walks the whole Basic Multilingual Plane and the private-use blocks the reader swaps into:
  // toml++ mis-answers "is this whitespace?" for some blocks (undefined behaviour, which the
  // sanitizer builds report), so each code point goes where toml++ asks that question.
  std::vector<char32_t> cps;
  for (char32_t c = 0x80; c < 0x10000; ++c)
    if (c < 0xD800 || c > 0xDFFF) cps.push_back(c);
  for (char32_t c = 0xF0000; c < 0xF1000; ++c) cps.push_back(c);
  std::size_t wrong = 0;
  for (std::size_t k0 = 0; k0 < cps.size(); k0 += 8192) {  // documents under the 1 MiB bound
    const std::size_t k1 = std::min(cps.size(), k0 + 8192);
    std::string doc;
    for (std::size_t k = k0; k < k1; ++k)
      doc += "k" + std::to_string(k) + " = \"" + utf8(cps[k]) + "\"  # " + utf8(cps[k]) + "\n";
    const auto values = toml::parse(doc, "s.toml");
    REQUIRE(values.size() == k1 - k0);
    for (std::size_t k = k0; k < k1; ++k)
      if (values[k - k0].str != utf8(cps[k]) || values[k - k0].line != k - k0 + 1) ++wrong;
  }
  CHECK(wrong == 0);
  std::size_t unrefused = 0;
  for (const char32_t c : cps) {
    for (const std::string& doc : {"x = " + utf8(c) + "\n", "[t]\nx" + utf8(c) + " = 1\n"}) {
      try {
        toml::parse(doc, "s.toml");
        ++unrefused;
      } catch (const InputError& e) {
        const std::string at = doc[0] == 'x' ? "s.toml:1:5: " : "s.toml:2:2: ";
        if (!contains(e.what(), at + "found '" + utf8(c) + "' outside quotes")) ++unrefused;
      }
    }
  }
  CHECK(unrefused == 0);
  // A byte-order mark is not text; a byte that is not UTF-8 is named.
  CHECK(toml::parse("\xEF\xBB\xBFx = 1\n", "s.toml").size() == 1);
  CHECK_THROWS_WITH(toml::parse("x = 1\ny = \xFF\n", "s.toml"),
                    Catch::Contains("s.toml:2:5: found the byte 0xFF (not UTF-8)"));
}
