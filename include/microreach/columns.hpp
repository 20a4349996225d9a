#pragma once
// Scoring and generating whole tables held in caller-owned column arrays (NumPy arrays from
// Python, or any contiguous buffers): no per-row call, no copy of the whole table. Rows are
// processed in blocks of `block_rows` on oneTBB threads; each block is staged through a
// per-thread ProfileChunk/ScoreChunk small enough to stay in cache and scored with
// score_chunk, so the results are exactly those of the pipeline (every row is a pure function
// of its inputs) whatever the block size or thread count.
#include <cstddef>
#include <cstdint>

#include "microreach/config.hpp"
#include "microreach/profile.hpp"
#include "microreach/scoring.hpp"

namespace microreach {

// Input columns, `rows` long each. nullptr = the column is absent (read as missing: NaN, or
// kUnknown for platform and niche).
struct ProfileColumns {
  std::size_t rows = 0;
  const std::uint8_t* platform = nullptr;  // Platform code or kUnknown
  const std::uint8_t* niche = nullptr;     // Niche code or kUnknown
  // Numeric columns indexed by Column (followers .. price_per_post); the others unused.
  const double* numeric[kColumnCount] = {};
};

// Output columns, `rows` long each (every pointer required): the members of ScoreChunk.
inline constexpr std::size_t kScoreColumnCount = 17;  // ScoreChunk::numeric_members().size()
struct ScoreColumns {
  double* numeric[kScoreColumnCount] = {};  // in ScoreChunk::numeric_members() order
  std::uint8_t* tier = nullptr;
  std::uint16_t* flags = nullptr;
  std::uint8_t* missing = nullptr;
};

// Scores every row of `in` into `out` in the current task arena (scope the thread count with
// tbb::task_arena or tbb::global_control). Pure function of (in, cfg).
void score_columns(const ProfileColumns& in, const ScoringConfig& cfg, const ScoreColumns& out,
                   std::size_t block_rows = 8192);

// Rows [0, count) of the synthetic population into one ProfileChunk (generated in parallel
// blocks; row i depends only on (seed, i), as with the pipeline's GeneratorSource).
void generate_rows(std::uint64_t seed, std::uint64_t count, const GeneratorConfig& gen,
                   const ScoringConfig& scoring, ProfileChunk& out, std::size_t block_rows = 16384);

}  // namespace microreach
