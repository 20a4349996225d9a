#include "microreach/columns.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "microreach/synth.hpp"

namespace microreach {
namespace {

// Numeric profile columns score_chunk reads (ids, handles and countries are not scored).
constexpr Column kScoredColumns[] = {
    Column::followers,           Column::following,     Column::posts,
    Column::avg_likes,           Column::avg_comments,  Column::avg_shares,
    Column::avg_views,           Column::reply_rate,    Column::fake_follower_share,
    Column::follower_growth_30d, Column::price_per_post};

struct Staging {
  ProfileChunk in;
  ScoreChunk out;
};

template <class T>
void stage(std::vector<T>& dst, const T* src, std::size_t first, std::size_t n, T absent) {
  if (src)
    std::memcpy(dst.data(), src + first, n * sizeof(T));
  else
    std::fill(dst.begin(), dst.begin() + static_cast<std::ptrdiff_t>(n), absent);
}

}  // namespace

void score_columns(const ProfileColumns& in, const ScoringConfig& cfg, const ScoreColumns& out,
                   std::size_t block_rows) {
  const std::size_t n = in.rows;
  if (n == 0) return;
  block_rows = std::max<std::size_t>(block_rows, 1);
  const auto& members = ScoreChunk::numeric_members();
  if (members.size() != kScoreColumnCount)
    throw std::logic_error("score_columns: ScoreChunk has " + std::to_string(members.size()) +
                           " numeric columns, ScoreColumns " + std::to_string(kScoreColumnCount));
  tbb::enumerable_thread_specific<Staging> staging;
  const std::size_t blocks = (n + block_rows - 1) / block_rows;
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, blocks, 1), [&](const tbb::blocked_range<std::size_t>& r) {
        Staging& s = staging.local();
        for (std::size_t b = r.begin(); b != r.end(); ++b) {
          const std::size_t first = b * block_rows;
          const std::size_t m = std::min(block_rows, n - first);
          if (s.in.size() != m) s.in.resize(m);
          stage(s.in.platform, in.platform, first, m, kUnknown);
          stage(s.in.niche, in.niche, first, m, kUnknown);
          for (Column c : kScoredColumns)
            stage(*s.in.numeric(c), in.numeric[static_cast<std::size_t>(c)], first, m, kMissing);
          score_chunk(s.in, cfg, s.out);
          for (std::size_t k = 0; k < members.size(); ++k)
            std::memcpy(out.numeric[k] + first, (s.out.*members[k]).data(), m * sizeof(double));
          std::memcpy(out.tier + first, s.out.tier.data(), m);
          std::memcpy(out.flags + first, s.out.flags.data(), m * sizeof(std::uint16_t));
          std::memcpy(out.missing + first, s.out.missing.data(), m);
        }
      });
}

void generate_rows(std::uint64_t seed, std::uint64_t count, const GeneratorConfig& gen,
                   const ScoringConfig& scoring, ProfileChunk& out, std::size_t block_rows) {
  const auto n = static_cast<std::size_t>(count);
  out.resize(n);
  out.first_row = 0;
  if (n == 0) return;
  block_rows = std::max<std::size_t>(block_rows, 1);
  const std::size_t blocks = (n + block_rows - 1) / block_rows;
  tbb::enumerable_thread_specific<ProfileChunk> staging;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks, 1),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      ProfileChunk& c = staging.local();
                      for (std::size_t b = r.begin(); b != r.end(); ++b) {
                        const std::size_t first = b * block_rows;
                        const std::size_t m = std::min(block_rows, n - first);
                        generate_chunk(seed, first, m, gen, scoring, c);
                        for (std::size_t i = 0; i < m; ++i) {
                          out.handle[first + i] = std::move(c.handle[i]);
                          out.country[first + i] = std::move(c.country[i]);
                        }
                        auto copy = [&](auto& dst, const auto& src) {
                          std::copy(src.begin(), src.begin() + static_cast<std::ptrdiff_t>(m),
                                    dst.begin() + static_cast<std::ptrdiff_t>(first));
                        };
                        copy(out.id, c.id);
                        copy(out.platform, c.platform);
                        copy(out.niche, c.niche);
                        copy(out.true_fake_share, c.true_fake_share);
                        for (std::size_t k = 0; k < kColumnCount; ++k)
                          if (auto* v = c.numeric(static_cast<Column>(k)))
                            copy(*out.numeric(static_cast<Column>(k)), *v);
                      }
                    });
}

}  // namespace microreach
