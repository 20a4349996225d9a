// Strategies pick what their definitions say (sim/strategy.hpp), deterministically, and refuse
// a budget that buys nothing with the key, the value and the minimum needed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "microreach/error.hpp"
#include "microreach/sim/candidates.hpp"
#include "microreach/sim/engine.hpp"
#include "microreach/sim/strategy.hpp"
#include "sim_test_util.hpp"

using namespace microreach;
using namespace microreach::sim;
using sim_test::candidate;
using sim_test::CandidateSpec;

namespace {

Candidate scored(Candidate c, double score) {
  c.score = score;
  return c;
}

// Two macro/mega accounts, six micro accounts with known scores and prices.
CandidatePool pool() {
  CandidatePool p;
  p.source = "test pool";
  p.accounts = {
      scored(candidate({.key = 1, .tier = Tier::mega, .followers = 3e6, .price = 30'000}), 90),
      scored(candidate({.key = 2, .tier = Tier::macro, .followers = 7e5, .price = 4'000}), 60),
      scored(candidate({.key = 3, .tier = Tier::macro, .followers = 6e5, .price = 3'000}), 70),
      scored(candidate({.key = 10, .price = 100}), 50),  // score/$ 0.5
      scored(candidate({.key = 11, .price = 400}), 80),  // 0.2
      scored(candidate({.key = 12, .price = 50}), 40),   // 0.8
      scored(candidate({.key = 13, .price = 900}), 85),  // 0.094
      scored(candidate({.key = 14, .price = 250}), 75),  // 0.3
      scored(candidate({.key = 15, .price = 250}), 75),  // tie with 14: key breaks it
  };
  return p;
}

std::vector<std::uint64_t> keys(const Portfolio& p) {
  std::vector<std::uint64_t> k;
  for (const Candidate& c : p.hired) k.push_back(c.key);
  return k;
}

Portfolio build(const std::string& spec, double budget, const CandidatePool& p) {
  StrategyContext ctx;
  ctx.pool = &p;
  ctx.budget = budget;
  return build_portfolio(parse_strategy(spec, "--strategies"), ctx);
}

}  // namespace

TEST_CASE("macro hires the best-scored macro or mega account the budget buys", "[sim]") {
  const CandidatePool p = pool();
  CHECK(keys(build("macro", 50'000, p)) == std::vector<std::uint64_t>{1});  // mega, score 90
  CHECK(keys(build("macro", 25'000, p)) == std::vector<std::uint64_t>{3});  // best affordable
}

TEST_CASE("micro-even:N hires the N best micro accounts costing at most budget / N", "[sim]") {
  const CandidatePool p = pool();
  // budget/N = 500: eligible 10, 11, 12, 14, 15 (13 costs 900); best 3 by score: 11, 14, 15.
  const Portfolio pf = build("micro-even:3", 1'500, p);
  CHECK(keys(pf) == std::vector<std::uint64_t>{11, 14, 15});
  CHECK(pf.note.empty());
  // More than the market has: all eligible, and a note says so.
  const Portfolio all = build("micro-even:10", 5'000, p);
  CHECK(all.hired.size() == 5);
  CHECK(all.note.find("only 5") != std::string::npos);
}

TEST_CASE("micro-top adds micro accounts by score per dollar while they fit", "[sim]") {
  const CandidatePool p = pool();
  // Order by score/$: 12 (50), 10 (100), 14 (250), 15 (250), 11 (400), 13 (900).
  // Budget 700: 12 -> 650 left, 10 -> 550, 14 -> 300, 15 -> 50; 11 and 13 do not fit.
  CHECK(keys(build("micro-top", 700, p)) == std::vector<std::uint64_t>{12, 10, 14, 15});
}

TEST_CASE("mix:A spends A of the budget on a macro account and the rest on micro-top", "[sim]") {
  const CandidatePool p = pool();
  // 0.2 x 20,000 = 4,000 buys macro 3 (score 70, 3,000) over 2 (60); 17,000 left buys all micro.
  const Portfolio pf = build("mix:0.2", 20'000, p);
  REQUIRE(pf.hired.size() == 7);
  CHECK(pf.hired[0].key == 3);
  // No macro fits 0.1 x 20,000 = 2,000: all micro, with a note.
  const Portfolio none = build("mix:0.1", 20'000, p);
  CHECK(none.hired.size() == 6);
  CHECK_FALSE(none.note.empty());
}

TEST_CASE("optimize counts overlap: a second account in a saturated audience adds little",
          "[sim]") {
  // Two identical profitable accounts. In a tiny audience (U = 30,000) the second one reaches
  // mostly people the first already reached, so it is not worth its fee; in separate
  // audiences both are hired.
  CandidatePool same, apart;
  same.source = apart.source = "test";
  CandidateSpec s{.key = 1, .followers = 60'000, .fake = 0.0, .price = 100};
  same.accounts = {candidate(s)};
  s.key = 2;
  same.accounts.push_back(candidate(s));
  apart.accounts = same.accounts;
  apart.accounts[1].platform = static_cast<std::uint8_t>(Platform::tiktok);
  StrategyContext ctx;
  ctx.budget = 1'000;
  // Hand-computed (noise-off model): X = 60,000 x .22 + 30 x .05 x 1,584 = 15,576 reached;
  // one account converts 15,576 x .0002 x 1.4 x .995 = 4.34 -> profit $36 x 4.34 - $100.50 =
  // +$55.8. A second one in the same 30,000 audience adds only 48 % of that (Sainsbury:
  // union 23,065 of 31,152 gross): $36 x 0.48 x 4.34 - $100.50 = -$25 -> not hired.
  ctx.params.base_conversion_rate = 0.0002;
  ctx.params.audience_size = 30'000;
  ctx.pool = &same;
  const Portfolio a = build_portfolio(parse_strategy("optimize", "s"), ctx);
  ctx.pool = &apart;
  const Portfolio b = build_portfolio(parse_strategy("optimize", "s"), ctx);
  CHECK(a.hired.size() == 1);
  CHECK(b.hired.size() == 2);
  // And the greedy choice really has the higher expected profit (noise-off model).
  CampaignModel m1(ctx.params, {a}), m2(ctx.params, {[&] {
                                          Portfolio both;
                                          both.hired = same.accounts;
                                          return both;
                                        }()});
  CHECK(m1.expected(0)[idx(Metric::profit)] > m2.expected(0)[idx(Metric::profit)]);
}

TEST_CASE("list:FILE hires the listed ids and handles, and names a missing one by line", "[sim]") {
  namespace fs = std::filesystem;
  const fs::path f = fs::temp_directory_path() / "microreach_list_test.txt";
  const CandidatePool p = pool();
  std::ofstream(f) << "# hires\n1011, @acct12\n\n1014  # trailing comment\n";
  CHECK(keys(build("list:" + f.string(), 10'000, p)) == std::vector<std::uint64_t>{11, 12, 14});
  std::ofstream(f) << "1011\n  999999\n";
  try {
    build("list:" + f.string(), 10'000, p);
    FAIL("accepted an unknown id");
  } catch (const InputError& e) {
    CHECK(e.line() == 2);
    CHECK(e.column() == 3);
    CHECK(std::string(e.what()).find("999999") != std::string::npos);
  }
  std::ofstream(f) << "1001\n";  // the mega account costs 30,000
  CHECK_THROWS_AS(build("list:" + f.string(), 10'000, p), ConfigError);
  fs::remove(f);
  CHECK_THROWS_AS(build("list:" + f.string(), 10'000, p), ConfigError);  // no such file
}

TEST_CASE("A budget too small for any account is refused with the minimum needed", "[sim]") {
  const CandidatePool p = pool();
  StrategyContext ctx;
  ctx.pool = &p;
  ctx.budget = 20;
  ctx.budget_key = "campaign.budget";
  for (const char* spec : {"macro", "micro-top", "micro-even:4", "mix:0.5", "optimize"}) {
    INFO(spec);
    try {
      build_portfolio(parse_strategy(spec, "s"), ctx);
      FAIL("accepted budget 20");
    } catch (const ConfigError& e) {
      CHECK(e.option() == "campaign.budget");
      CHECK(std::string(e.what()).find("'20'") != std::string::npos);
      CHECK(std::string(e.what()).find("at least $") != std::string::npos);
    }
  }
}
