#pragma once
// microreach generate: a synthetic population to an HDF5 profiles file; under mpirun every rank
// generates its share of the rows into the one file (docs/scale.md).
#include <cstdint>
#include <string>

#include "microreach/io/hdf5.hpp"
#include "microreach/jobs/options.hpp"
#include "microreach/pipeline.hpp"

namespace microreach::jobs {

struct GenerateOptions {
  std::uint64_t count = 1000000;
  std::uint64_t seed = 1;
  std::string out;
  std::size_t chunk = 16384;
  h5::Compression compress;
  GeneratorOptions gen;
  RunContext run;
};

struct GenerateResult {
  PipelineStats stats;       // rows: every rank's
  bool distributed = false;  // run by several MPI ranks
};

GenerateResult run_generate(const GenerateOptions& o);

}  // namespace microreach::jobs
