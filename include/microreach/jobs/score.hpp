#pragma once
// microreach score: profiles (an HDF5 file, an export imported on the fly, or generated) ->
// per-profile scores (HDF5, optional), a summary and a top-K list; under mpirun every rank
// scores its share of the rows and the summaries are merged (docs/scale.md).
#include <cstdint>
#include <string>
#include <vector>

#include "microreach/io/hdf5.hpp"
#include "microreach/jobs/options.hpp"
#include "microreach/pipeline.hpp"
#include "microreach/summary.hpp"

namespace microreach::jobs {

struct ScoreOptions {
  std::string in;              // HDF5 profiles/scores file or an export (.csv .tsv .json ...)
  std::uint64_t generate = 0;  // instead of in: generate and score N profiles
  std::uint64_t seed = 1;      // for generate
  std::string out;             // scores file ("" = summary only)
  std::size_t top = 20;        // rows of the top-K list
  std::size_t chunk = 16384;   // rows per pipeline batch and HDF5 chunk
  h5::Compression compress;
  bool self_contained = false;  // copy /profiles instead of referring to an HDF5 input
  ScoringOptions scoring;
  GeneratorOptions gen;
  ImportTextOptions imp;  // for an export
  std::string audited;    // CSV of audited fake-follower shares ("" = none)
  RunContext run;
};

struct ScoreResult {
  PipelineStats stats;           // every rank's rows
  std::uint64_t duplicates = 0;  // rows of an account already read (--dedupe)
  Summary summary;
  std::string source;                 // the input, described
  std::string niche;                  // the target niche ("" = none)
  std::vector<std::string> rejected;  // the first rejected rows, described
  std::size_t audited_handles = 0;    // handles read from `audited`
  int threads = 0;                    // threads used
};

ScoreResult run_score(const ScoreOptions& o);

}  // namespace microreach::jobs
