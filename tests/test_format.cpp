// The one way numbers are printed (microreach/format.hpp), at the boundaries of each rule.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "microreach/format.hpp"

using namespace microreach;

TEST_CASE("Money: whole dollars grouped, cents under $100, n/a when not finite", "[format]") {
  CHECK(format::money(25000) == "$25,000");
  CHECK(format::money(2511.4) == "$2,511");
  CHECK(format::money(1234567.5) == "$1,234,568");
  CHECK(format::money(-14071.2) == "-$14,071");
  CHECK(format::money(99.994) == "$99.99");
  CHECK(format::money(99.996) == "$100");
  CHECK(format::money(3.5) == "$3.50");
  CHECK(format::money(-0.001) == "$0.00");
  CHECK(format::money(0) == "$0.00");
  CHECK(format::money(std::numeric_limits<double>::quiet_NaN()) == "n/a");
  CHECK(format::money(std::numeric_limits<double>::infinity()) == "n/a");
}

TEST_CASE("Counts, percentages, points and numbers", "[format]") {
  CHECK(format::count(1240291.4) == "1,240,291");
  CHECK(format::count(99.96) == "100");
  CHECK(format::count(37.44) == "37.4");
  CHECK(format::count(0.4123) == "0.412");
  CHECK(format::count(12.0) == "12");
  CHECK(format::count(std::uint64_t{1000}) == "1,000");
  CHECK(format::count(-2500.0) == "-2,500");
  CHECK(format::percent(0.2234) == "22.3%");
  CHECK(format::percent(0.2234, true) == "+22.3%");
  CHECK(format::percent(-0.0004, true) == "+0.0%");  // no "-0.0%"
  CHECK(format::percent(-0.538, true) == "-53.8%");
  CHECK(format::points(0.0321) == "+3.2 pts");
  CHECK(format::points(-0.0751) == "-7.5 pts");
  CHECK(format::number(0.0005) == "0.0005");
  CHECK(format::number(20e6) == "2e+07");
  CHECK(format::number(1.23456) == "1.235");
  CHECK(format::plain(25000) == "25000");
  CHECK(format::plain(0.1) == "0.1");
  CHECK(format::plain(1234567.25) == "1234567.25");
}
