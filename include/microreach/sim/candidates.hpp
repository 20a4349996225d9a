#pragma once
// The candidate pool of a campaign: scored profiles of the target niche and its related
// niches, from an HDF5 scores or profiles file, a CSV/TSV/JSON export, or a synthetic market
// generated on the fly through the scoring pipeline.
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "microreach/config.hpp"
#include "microreach/scoring.hpp"
#include "microreach/sim/model.hpp"

namespace microreach::sim {

struct CandidateOptions {
  Niche niche = Niche::fitness;
  ScoringConfig scoring;  // its target_niche is set to `niche` by the loaders
  // Rows to keep whatever their niche (explicit lists: list:FILE).
  std::unordered_set<std::uint64_t> wanted_ids;
  std::unordered_set<std::string> wanted_handles;
};

struct CandidatePool {
  std::vector<Candidate> accounts;  // target or related niche, scorable, priced, not "fan"
  std::vector<Candidate> wanted;    // rows named by wanted_ids / wanted_handles (any niche)
  std::string source;               // "synthetic:<profiles>:<seed>" or the input path
  std::uint64_t rows = 0;           // rows read from the source
};

// Default synthetic market: enough macro/mega and micro accounts in every niche, generated
// and scored in well under a second.
inline constexpr std::uint64_t kDefaultMarketProfiles = 200'000;
inline constexpr std::uint64_t kDefaultMarketSeed = 7;

CandidatePool synthetic_market(std::uint64_t profiles, std::uint64_t seed,
                               const GeneratorConfig& gen, CandidateOptions opt);
// .h5: a scores file is read as stored (keeping audited fake-share intervals; relevance is
// recomputed for the campaign niche); a profiles file is scored on the way. Other extensions
// go through the importer (CSV, TSV, JSON, NDJSON) and are scored on the way.
CandidatePool load_candidates(const std::string& path, CandidateOptions opt);

// One candidate from row r of a scored chunk (key = its row in the source).
Candidate make_candidate(const ProfileChunk& p, const ScoreChunk& s, std::size_t r,
                         std::uint64_t key, const CandidateOptions& opt);
// True when the candidate can be hired: known followers, a price > 0, a score, not a fan.
bool hireable(const Candidate& c);

}  // namespace microreach::sim
