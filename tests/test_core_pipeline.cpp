// The TBB pipeline: same results for any thread count, token count and batch size; errors
// and cancellation reach the caller.
#include <tbb/global_control.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <thread>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/summary.hpp"

using namespace microreach;

namespace {

struct Result {
  ProfileChunk profiles;
  ScoreChunk scores;
  std::vector<TopEntry> top;
  double p50 = 0;
};

Result run(int threads, std::size_t batch, std::size_t tokens) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  ScoringConfig cfg;
  cfg.set_target_niche("--niche", "travel");
  GeneratorSource src(42, 20000, batch, GeneratorConfig{}, cfg);
  CollectSink collect;
  Summary summary(10);
  PipelineOptions po;
  po.scoring = &cfg;
  po.tokens = tokens;
  run_pipeline(src, {&collect, &summary}, po);
  return {collect.profiles, collect.scores, summary.top(), summary.percentile(0.5)};
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

class ThrowingSource : public ProfileSource {
 public:
  bool read(Batch& b) override {
    if (n_ == 5) return false;
    b.begin = n_++;
    return true;
  }
  void materialize(Batch& b) const override {
    if (b.begin == 3) throw InputError("bad.csv", 12, 3, "expected a number");
    b.profiles.resize(1);
    b.profiles.followers[0] = 1000;
  }
  std::string describe() const override { return "throwing"; }

 private:
  std::uint64_t n_ = 0;
};

}  // namespace

TEST_CASE("Scores are bit-identical for any thread count, batch size and token count",
          "[pipeline][determinism]") {
  const Result ref = run(1, 4096, 1);
  // Non-monotonic order of configurations, as oneTBB's own tests do.
  for (auto [threads, batch, tokens] :
       {std::tuple{4, 1000, 16}, std::tuple{2, 333, 3}, std::tuple{3, 20000, 8}}) {
    const Result r = run(threads, batch, tokens);
    CHECK(same_bits(r.scores.score, ref.scores.score));
    CHECK(same_bits(r.scores.fake_share, ref.scores.fake_share));
    CHECK(same_bits(r.profiles.followers, ref.profiles.followers));
    CHECK(r.profiles.handle == ref.profiles.handle);
    CHECK(r.p50 == ref.p50);
    REQUIRE(r.top.size() == ref.top.size());
    for (std::size_t i = 0; i < r.top.size(); ++i) CHECK(r.top[i].row == ref.top[i].row);
  }
}

TEST_CASE("Rows reach the sinks in input order", "[pipeline]") {
  const Result r = run(2, 777, 8);
  for (std::size_t i = 0; i < r.profiles.size(); ++i) REQUIRE(r.profiles.id[i] == i);
}

TEST_CASE("An exception thrown inside a parallel stage reaches the caller", "[pipeline][errors]") {
  ThrowingSource src;
  CollectSink sink;
  PipelineOptions po;
  po.score = false;
  CHECK_THROWS_AS(run_pipeline(src, {&sink}, po), InputError);
}

TEST_CASE("An error stored in a batch is reported in input order, not time order",
          "[pipeline][errors]") {
  // Batch 1 fails slowly, batch 3 fails at once: the caller must see batch 1's error.
  struct TwoErrors : ProfileSource {
    std::uint64_t n = 0;
    bool read(Batch& b) override {
      if (n == 6) return false;
      b.begin = n++;
      return true;
    }
    void materialize(Batch& b) const override {
      b.profiles.resize(1);
      b.profiles.followers[0] = 1000;
      if (b.begin == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        b.error = std::make_exception_ptr(InputError("x.csv", 10, 2, "first"));
      }
      if (b.begin == 3) b.error = std::make_exception_ptr(InputError("x.csv", 30, 2, "second"));
    }
    std::string describe() const override { return "two errors"; }
  } src;
  CollectSink sink;
  PipelineOptions po;
  po.score = false;
  po.tokens = 8;
  CHECK_THROWS_WITH(run_pipeline(src, {&sink}, po), Catch::Matchers::Contains("x.csv:10:2"));
}

TEST_CASE("A cancel request stops the pipeline with Interrupted", "[pipeline][errors]") {
  ScoringConfig cfg;
  GeneratorSource src(1, 1000000, 1000, GeneratorConfig{}, cfg);
  struct CancelAfterFirst : BatchSink {
    void consume(const Batch&) override { request_cancel(); }
  } sink;
  PipelineOptions po;
  po.scoring = &cfg;
  CHECK_THROWS_AS(run_pipeline(src, {&sink}, po), Interrupted);
  reset_cancel();
}

TEST_CASE("Summary percentiles and top-K are exact on known scores", "[summary]") {
  ProfileChunk p;
  ScoreChunk s;
  p.resize(101);
  s.resize(101);
  for (std::size_t i = 0; i < 101; ++i) {
    p.id[i] = i;
    p.handle[i] = "h" + std::to_string(i);
    s.score[i] = static_cast<double>(i);  // 0..100
    s.tier[i] = static_cast<std::uint8_t>(Tier::micro);
  }
  s.score[100] = 99.0;  // tie with row 99: the earlier row ranks first
  s.tier[98] = static_cast<std::uint8_t>(Tier::fan);  // fans never enter the top list
  Summary sum(3);
  sum.add(p, s);
  CHECK(sum.percentile(0.5) == Approx(50.0));
  CHECK(sum.percentile(0.05) == Approx(5.0));
  const auto top = sum.top();
  REQUIRE(top.size() == 3);
  CHECK(top[0].row == 99);
  CHECK(top[1].row == 100);
  CHECK(top[2].row == 97);
  CHECK(sum.tier_counts()[static_cast<std::size_t>(Tier::micro)] == 100);
}
