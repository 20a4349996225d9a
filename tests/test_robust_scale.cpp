// Resource bounds: a streamed input of 100M rows scores in bounded memory.
// [scale]: excluded from the default run; `ctest -L scale` (or microreach_tests "[scale]") runs
// it. Takes about a minute on 2 cores.
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "microreach/config.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/summary.hpp"

namespace {

// Peak resident set size of this process so far, in bytes (Linux reports KiB).
double peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;
}

std::uint64_t score_generated(std::uint64_t rows) {
  using namespace microreach;
  const ScoringConfig scoring;
  const GeneratorConfig gen;
  GeneratorSource source(/*seed=*/1, rows, /*batch_rows=*/16384, gen, scoring);
  Summary summary(20);
  PipelineOptions po;
  po.scoring = &scoring;
  run_pipeline(source, {&summary}, po);
  return summary.rows();
}

}  // namespace

TEST_CASE("Scoring 100M generated profiles stays under 1 GiB and does not grow with the input",
          "[scale][robust]") {
  // The same path as `microreach score --generate N` without --out: generator source, the
  // pipeline's bounded batch pool, running summary and top-K.
  REQUIRE(score_generated(10'000'000) == 10'000'000);
  const double after_10m = peak_rss_bytes();
  REQUIRE(score_generated(100'000'000) == 100'000'000);
  const double after_100m = peak_rss_bytes();
  INFO("peak RSS after 10M rows: " << after_10m / 1048576
                                   << " MiB; after 100M more: " << after_100m / 1048576 << " MiB");
  CHECK(after_100m < 1024.0 * 1048576);
  // Ten times the rows may not cost more than 64 MiB more at the peak (bounded batch pool).
  CHECK(after_100m - after_10m < 64.0 * 1048576);
}
