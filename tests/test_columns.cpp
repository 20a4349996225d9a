// score_columns and generate_rows (the column API the Python module calls) against the
// pipeline's own functions: the same bits for any block size and thread count.
#include <tbb/task_arena.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <vector>

#include "microreach/columns.hpp"
#include "microreach/synth.hpp"

using namespace microreach;

namespace {

bool same_bits(const double* a, const double* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(double)) == 0;
}

struct Out {
  std::vector<std::vector<double>> numeric;
  std::vector<std::uint8_t> tier, missing;
  std::vector<std::uint16_t> flags;
  ScoreColumns cols;
  explicit Out(std::size_t n)
      : numeric(kScoreColumnCount, std::vector<double>(n)), tier(n), missing(n), flags(n) {
    for (std::size_t k = 0; k < kScoreColumnCount; ++k) cols.numeric[k] = numeric[k].data();
    cols.tier = tier.data();
    cols.missing = missing.data();
    cols.flags = flags.data();
  }
};

void check_equal(const Out& o, const ScoreChunk& ref) {
  const auto& members = ScoreChunk::numeric_members();
  REQUIRE(members.size() == kScoreColumnCount);
  for (std::size_t k = 0; k < kScoreColumnCount; ++k)
    CHECK(same_bits(o.numeric[k].data(), (ref.*members[k]).data(), ref.size()));
  CHECK(o.tier == ref.tier);
  CHECK(o.flags == ref.flags);
  CHECK(o.missing == ref.missing);
}

}  // namespace

TEST_CASE("generate_rows gives generate_chunk's rows for any block size and thread count",
          "[columns]") {
  const std::size_t n = 5000;
  ProfileChunk ref;
  generate_chunk(3, 0, n, GeneratorConfig{}, ScoringConfig{}, ref);
  for (int threads : {1, 3}) {
    for (std::size_t block : {std::size_t{1}, std::size_t{777}, std::size_t{16384}}) {
      ProfileChunk got;
      tbb::task_arena(threads).execute(
          [&] { generate_rows(3, n, GeneratorConfig{}, ScoringConfig{}, got, block); });
      REQUIRE(got.size() == n);
      CHECK(got.id == ref.id);
      CHECK(got.handle == ref.handle);
      CHECK(got.country == ref.country);
      CHECK(got.platform == ref.platform);
      CHECK(same_bits(got.followers.data(), ref.followers.data(), n));
      CHECK(same_bits(got.price_per_post.data(), ref.price_per_post.data(), n));
      CHECK(same_bits(got.true_fake_share.data(), ref.true_fake_share.data(), n));
    }
  }
}

TEST_CASE("score_columns scores column buffers exactly as score_chunk, absent columns missing",
          "[columns]") {
  const std::size_t n = 4099;  // ragged last block
  ScoringConfig cfg;
  cfg.set_target_niche("--niche", "fitness");
  ProfileChunk p;
  generate_chunk(5, 0, n, GeneratorConfig{}, cfg, p);
  ProfileColumns in;
  in.rows = n;
  in.platform = p.platform.data();
  in.niche = p.niche.data();
  for (std::size_t k = 0; k < kColumnCount; ++k)
    if (auto* v = p.numeric(static_cast<Column>(k))) in.numeric[k] = v->data();

  SECTION("every column") {
    ScoreChunk ref;
    score_chunk(p, cfg, ref);
    for (int threads : {1, 2, 4}) {
      for (std::size_t block : {std::size_t{1}, std::size_t{1000}, std::size_t{8192}}) {
        Out o(n);
        tbb::task_arena(threads).execute([&] { score_columns(in, cfg, o.cols, block); });
        check_equal(o, ref);
      }
    }
  }
  SECTION("a table without niche, shares and prices: what an import without them scores") {
    in.niche = nullptr;
    in.numeric[static_cast<std::size_t>(Column::avg_shares)] = nullptr;
    in.numeric[static_cast<std::size_t>(Column::price_per_post)] = nullptr;
    ProfileChunk q = p;
    std::fill(q.niche.begin(), q.niche.end(), kUnknown);
    std::fill(q.avg_shares.begin(), q.avg_shares.end(), kMissing);
    std::fill(q.price_per_post.begin(), q.price_per_post.end(), kMissing);
    ScoreChunk ref;
    score_chunk(q, cfg, ref);
    Out o(n);
    score_columns(in, cfg, o.cols, 512);
    check_equal(o, ref);
    // No niche: relevance is the unknown-niche prior (ScoringConfig::unknown_niche_relevance),
    // not left out.
    CHECK((o.missing[0] & (1u << kRelevance)) == 0);
  }
}
