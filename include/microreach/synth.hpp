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
// The same, version 2 (gen.version) run by the baseline x86-64 code (v3_copy false) or by the
// x86-64-v3 copy where the build has one and the CPU runs it (isa.hpp); the same bits either
// way. The overload above takes the v3 copy unless MICROREACH_ISA=baseline.
void generate_chunk(std::uint64_t seed, std::uint64_t first, std::size_t count,
                    const GeneratorConfig& gen, const ScoringConfig& scoring, ProfileChunk& out,
                    bool v3_copy);

}  // namespace microreach
