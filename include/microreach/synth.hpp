#pragma once
// Synthetic influencer population (docs/model.md "Synthetic population"). Row i depends only on
// (seed, i).
#include <cstdint>

#include "microreach/config.hpp"
#include "microreach/profile.hpp"

namespace microreach {

// Fill `out` with rows [first, first + count) of the synthetic population.
// The price model and benchmarks come from `scoring` (so generated engagement sits around the
// same benchmark the scoring measures against).
void generate_chunk(std::uint64_t seed, std::uint64_t first, std::size_t count,
                    const GeneratorConfig& gen, const ScoringConfig& scoring, ProfileChunk& out);

}  // namespace microreach
