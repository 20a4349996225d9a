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

TEST_CASE("macro hires the best-scored macro or mega accounts until the budget is spent", "[sim]") {
  const CandidatePool p = pool();
  // Best first: 1 (mega, 90, $30,000), 3 (70, $3,000), 2 (60, $4,000).
  // $50,000: all three fit ($37,000). $25,000: 1 does not fit; 3 then 2 ($7,000).
  CHECK(keys(build("macro", 50'000, p)) == std::vector<std::uint64_t>{1, 3, 2});
  CHECK(keys(build("macro", 25'000, p)) == std::vector<std::uint64_t>{3, 2});
  // $33,500: 1 ($30,000) then 3 ($3,000); 2 no longer fits: $500 left, under 10 %: no note.
  const Portfolio most = build("macro", 33'500, p);
  CHECK(keys(most) == std::vector<std::uint64_t>{1, 3});
  CHECK(most.note.empty());
  CHECK(most.unspent(1) == 500);
  // macro:1 is the single best account that fits; what it leaves is said.
  const Portfolio one = build("macro:1", 50'000, p);
  CHECK(keys(one) == std::vector<std::uint64_t>{1});
  CHECK(one.unspent(1) == 20'000);
  CHECK(one.note.find("$20,000") != std::string::npos);
  CHECK(keys(build("macro:2", 50'000, p)) == std::vector<std::uint64_t>{1, 3});
  CHECK_THROWS_AS(parse_strategy("macro:0", "--strategies"), ConfigError);
  CHECK_THROWS_AS(parse_strategy("macro:x", "--strategies"), ConfigError);
}

TEST_CASE("Strategies describe themselves and the portfolio records it", "[sim]") {
  const CandidatePool p = pool();
  for (const char* spec :
       {"macro", "macro:2", "micro-even:3", "micro-top", "mix:0.2", "optimize"}) {
    INFO(spec);
    const StrategySpec s = parse_strategy(spec, "--strategies");
    CHECK(s->spec() == spec);
    CHECK(s->label() == spec);
    CHECK_FALSE(s->describe().empty());
    CHECK(s->is_baseline() == (std::string(spec).rfind("macro", 0) == 0));
    CHECK(s->entries().empty());
    const Portfolio pf = build(spec, 20'000, p);
    CHECK(pf.description == s->describe());
    CHECK(pf.budget == 20'000);
  }
}

TEST_CASE("micro-even:N hires N micro accounts with fees close to budget / N first", "[sim]") {
  const CandidatePool p = pool();
  // budget/N = 500. Bands: 90-100 % (450-500) none; 75-90 % (375-450): 11 ($400);
  // 50-75 % (250-375): 14, 15 ($250, tie on score broken by key); below: 10, 12.
  const Portfolio pf = build("micro-even:3", 1'500, p);
  CHECK(keys(pf) == std::vector<std::uint64_t>{11, 14, 15});
  // $900 of $1,500 spent: the note says why and what is kept.
  CHECK(pf.fees(1) == 900);
  CHECK(pf.note.find("$600 is kept as cash") != std::string::npos);
  // budget/N = 260: band 90-100 % (234-260): 14, 15; then 50-75 % (130-195): none; below: 12
  // (score 40) and 10 (50): 10 first.
  CHECK(keys(build("micro-even:3", 780, p)) == std::vector<std::uint64_t>{14, 15, 10});
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
  ctx.budget = 20.5;
  ctx.budget_key = "campaign.budget";
  for (const char* spec : {"macro", "micro-top", "micro-even:4", "mix:0.5", "optimize"}) {
    INFO(spec);
    try {
      build_portfolio(parse_strategy(spec, "s"), ctx);
      FAIL("accepted budget 20.5");
    } catch (const ConfigError& e) {
      CHECK(e.option() == "campaign.budget");
      CHECK(std::string(e.what()).find("'20.5'") != std::string::npos);
      CHECK(std::string(e.what()).find("at least $") != std::string::npos);
    }
  }
}

TEST_CASE("A hire cap (--max-hires) stops micro-top and optimize, and the note says so", "[sim]") {
  const CandidatePool p = pool();
  StrategyContext ctx;
  ctx.pool = &p;
  ctx.budget = 700;
  ctx.max_hires = 2;
  const Portfolio top = build_portfolio(parse_strategy("micro-top", "s"), ctx);
  CHECK(keys(top) == std::vector<std::uint64_t>{12, 10});  // the first two of the uncapped four
  CHECK(top.note.find("--max-hires") != std::string::npos);
  ctx.max_hires = 1;
  ctx.budget = 100'000;
  CHECK(build_portfolio(parse_strategy("optimize", "s"), ctx).hired.size() <= 1);
}

TEST_CASE("A pool without the tier a strategy needs names the tier and niche, not the budget",
          "[sim]") {
  CandidatePool micro_only = pool();
  micro_only.accounts.erase(micro_only.accounts.begin(), micro_only.accounts.begin() + 3);
  StrategyContext ctx;
  ctx.pool = &micro_only;
  ctx.budget = 25'000;
  ctx.niche = Niche::fashion;
  try {
    build_portfolio(parse_strategy("macro", "s"), ctx);
    FAIL("macro accepted a pool without macro accounts");
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    CHECK(m.find("macro or mega account in fashion") != std::string::npos);
    CHECK(m.find("6 micro") != std::string::npos);
    CHECK(m.find("--budget") == std::string::npos);
  }
  CandidatePool big_only = pool();
  big_only.accounts.resize(3);
  ctx.pool = &big_only;
  for (const char* spec : {"micro-top", "micro-even:5"}) {
    INFO(spec);
    try {
      build_portfolio(parse_strategy(spec, "s"), ctx);
      FAIL("accepted a pool without micro accounts");
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).find("a micro account in fashion") != std::string::npos);
    }
  }
  // An empty market is too small for any plan, whatever the budget.
  CandidatePool empty;
  empty.source = "synthetic:1:7";
  empty.rows = 1;
  ctx.pool = &empty;
  for (const char* spec : {"macro", "micro-top", "micro-even:40", "optimize"}) {
    INFO(spec);
    try {
      build_portfolio(parse_strategy(spec, "s"), ctx);
      FAIL("accepted an empty market");
    } catch (const ConfigError& e) {
      const std::string m = e.what();
      CHECK(m.find("market is too small") != std::string::npos);
      CHECK(m.find("--market-profiles") != std::string::npos);
      CHECK(m.find("'25000'") == std::string::npos);
    }
  }
}
