// Value forms of real exports (docs/import.md "Value forms"). Expected values are the decimal
// written in the cell; suffixed and percent forms must give the correctly rounded double of
// that decimal, i.e. exactly what the plain decimal literal gives.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "microreach/error.hpp"
#include "microreach/values.hpp"
#include "value_parse.hpp"  // internal fast path, tested against fast_float

using namespace microreach;

namespace {
double ok(const char* s) {
  const ParsedValue v = parse_value(s);
  INFO("text '" << s << "'");
  REQUIRE(v.status == ValueStatus::ok);
  return v.value;
}
}  // namespace

TEST_CASE("plain numbers parse exactly as decimal literals", "[values]") {
  CHECK(ok("1234") == 1234.0);
  CHECK(ok("0") == 0.0);
  CHECK(ok("1234.5") == 1234.5);
  CHECK(ok("0.0139") == 0.0139);
  CHECK(ok("1e6") == 1e6);
  CHECK(ok("2.5E-3") == 2.5e-3);
  CHECK(ok(".5") == 0.5);
  CHECK(ok("5.") == 5.0);
  CHECK(ok("007") == 7.0);
  CHECK(ok("-5") == -5.0);  // the value parser keeps the sign; import refuses negative counts
  CHECK(ok("+7") == 7.0);
  CHECK(ok("$250") == 250.0);
  CHECK(ok("  42  ") == 42.0);
  CHECK(ok("42\r") == 42.0);
}

TEST_CASE("k, m and b suffixes in either case scale by 1e3, 1e6 and 1e9 exactly", "[values]") {
  // top_insta_influencers_data.csv writes lower case, the sep-2022 export upper case.
  CHECK(ok("3.5k") == 3500.0);
  CHECK(ok("3.5K") == 3500.0);
  CHECK(ok("0.89k") == 890.0);
  CHECK(ok("1.2M") == 1200000.0);
  CHECK(ok("1.2m") == 1200000.0);
  CHECK(ok("475.8m") == 475800000.0);
  CHECK(ok("477.9M") == 477900000.0);
  CHECK(ok("68M") == 68000000.0);
  CHECK(ok("12.3b") == 12300000000.0);
  CHECK(ok("29.0b") == 29000000000.0);
  CHECK(ok("4B") == 4e9);
  CHECK(ok("1.2 M") == 1200000.0);  // a blank before the suffix
  CHECK(ok("-1.5k") == -1500.0);
  // Correct rounding, not value * 1e6: 0.1 * 1e6 and 1e5 agree, 1.1 * 1e9 vs 1.1e9 too.
  CHECK(ok("1.1b") == 1.1e9);
  CHECK(ok("0.3m") == 0.3e6);
}

TEST_CASE("thousands separators must group digits by three", "[values]") {
  CHECK(ok("1,234,567") == 1234567.0);
  CHECK(ok("1,234") == 1234.0);
  CHECK(ok("12,345.5") == 12345.5);
  CHECK(ok("1,234.5k") == 1234500.0);
  for (const char* bad : {"1,5", "1,23", "1234,567", ",123", "1,,234", "1,234,56", "1,"}) {
    INFO(bad);
    CHECK(parse_value(bad).status == ValueStatus::invalid);
  }
}

TEST_CASE("percent strings are divided by 100 and marked as percentages", "[values]") {
  const ParsedValue v = parse_value("1.39%");
  REQUIRE(v.ok());
  CHECK(v.percent);
  CHECK(v.value == 0.0139);  // "1.39e-2" correctly rounded is the double of 0.0139
  CHECK(ok("100%") == 1.0);
  CHECK(ok("0.20%") == 0.002);
  CHECK(ok("12 %") == 0.12);
  CHECK_FALSE(parse_value("0.0139").percent);
}

TEST_CASE("empty cells and NA spellings are missing, not zero", "[values]") {
  for (const char* m : {"",     "   ",  "NaN",  "nan",  "NAN",          "N/A",         "n/a",
                        "NA",   "na",   "#N/A", "-",    "--",           "null",        "NULL",
                        "None", "none", "NaN%", "nan%", "\xE2\x80\x94", "\xE2\x80\x93"}) {
    INFO("'" << m << "'");
    const ParsedValue v = parse_value(m);
    CHECK(v.status == ValueStatus::missing);
    CHECK(std::isnan(v.value));
    CHECK(is_missing_text(m));
  }
  CHECK_FALSE(is_missing_text("0"));
}

TEST_CASE("anything else is invalid, never a silent zero or infinity", "[values]") {
  for (const char* bad : {"abc", "12x", "1.2.3", "inf", "Infinity", "-inf",        "1e400", "0x10",
                          "k",   "%",   "$",     "1k%", "1%k",      "1e3k",        "1 234", "1.2MM",
                          "e5",  "--5", "TRUE",  "1e",  "+",        "1.2 millions"}) {
    INFO("'" << bad << "'");
    const ParsedValue v = parse_value(bad);
    CHECK(v.status == ValueStatus::invalid);
    CHECK(std::isnan(v.value));
  }
}

TEST_CASE("parse_number returns NaN for missing and names the text and the forms on failure",
          "[values]") {
  CHECK(std::isnan(parse_number("N/A", "followers")));
  CHECK(parse_number("1.2k", "followers") == 1200.0);
  try {
    parse_number("12x", "data.csv:3:4 followers");
    FAIL("no error");
  } catch (const Error& e) {
    const std::string m = e.what();
    CHECK(m.find("data.csv:3:4 followers") != std::string::npos);
    CHECK(m.find("'12x'") != std::string::npos);
    CHECK(m.find("expected a number such as 1234, 1.2k, 3.5M or 1.39%") != std::string::npos);
  }
}

TEST_CASE("booleans as exports write them", "[values]") {
  CHECK(parse_bool("TRUE") == true);
  CHECK(parse_bool("FALSE") == false);
  CHECK(parse_bool(" yes ") == true);
  CHECK(parse_bool("0") == false);
  CHECK(parse_bool("1") == true);
  CHECK_FALSE(parse_bool("").has_value());
  CHECK_FALSE(parse_bool("maybe").has_value());
}

TEST_CASE("the plain-number fast path agrees bit for bit with fast_float", "[values]") {
  // Reference: fast_float::from_chars, a correctly rounded parser. Random decimals with up to
  // 19 significant digits, integer and fraction parts of random lengths, either sign.
  std::uint64_t s = 12345;
  auto next = [&] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
  for (int i = 0; i < 200000; ++i) {
    std::string t = (next() & 1) ? "-" : "";
    const int int_digits = static_cast<int>(next() % 12);
    const int frac_digits = static_cast<int>(next() % 10);
    for (int d = 0; d < int_digits; ++d) t += static_cast<char>('0' + next() % 10);
    if (frac_digits || int_digits == 0) {
      t += '.';
      for (int d = 0; d < std::max(frac_digits, 1); ++d) t += static_cast<char>('0' + next() % 10);
    }
    const char* p = t.data();
    double fast = 0, ref = 0;
    const bool ok = microreach::detail::parse_plain_number(p, t.data() + t.size(), fast);
    const auto r = fast_float::from_chars(t.data(), t.data() + t.size(), ref);
    INFO(t);
    REQUIRE(r.ec == std::errc());
    if (ok) {
      REQUIRE(p == t.data() + t.size());
      REQUIRE(std::memcmp(&fast, &ref, sizeof fast) == 0);
    }
    const ParsedValue v = parse_value(t);
    REQUIRE(v.ok());
    REQUIRE(std::memcmp(&v.value, &ref, sizeof ref) == 0);
  }
}
