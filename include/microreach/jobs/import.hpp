#pragma once
// microreach import: an influencer export (CSV, TSV, JSON, NDJSON) -> HDF5 /profiles, with
// duplicate accounts (--dedupe) and rejected rows (--on-error skip, --rejects) handled; under
// mpirun every rank reads a byte range of the export into the one file (docs/scale.md).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "microreach/import.hpp"
#include "microreach/io/hdf5.hpp"
#include "microreach/jobs/options.hpp"
#include "microreach/pipeline.hpp"

namespace microreach::jobs {

struct ImportJobOptions {
  std::string in;
  std::string out;
  std::size_t chunk = 16384;
  h5::Compression compress;
  ImportTextOptions imp;
  RunContext run;
  // Called once the export is opened and its columns are mapped, before any row is read.
  std::function<void(const ImportSource&)> opened;
};

struct ImportResult {
  PipelineStats stats;                // every rank's rows read, kept and rejected
  std::uint64_t duplicates = 0;       // rows of an account already read (--dedupe)
  std::vector<std::string> rejected;  // the first rejected rows, described
  std::uint64_t input_bytes = 0;      // size of the export (0 = unknown)
};

ImportResult run_import(const ImportJobOptions& o);

}  // namespace microreach::jobs
