#pragma once
// generate and score in a distributed run (docs/scale.md): each rank reads a contiguous share of
// the rows, whole --chunk-size chunks at a time, and writes them into one output file with
// parallel HDF5 (microreach/io/parallel_table.hpp).
#include <functional>
#include <string>
#include <vector>

#include "microreach/dist.hpp"
#include "microreach/io/hdf5.hpp"
#include "microreach/pipeline.hpp"

namespace microreach::jobs {

// Restricts `source` to this rank's rows: whole chunks of `chunk` rows, contiguous, in rank
// order. Refuses (naming `option` = `value`) a source whose row count is not known up front.
dist::Range select_rank_rows(ProfileSource& source, std::size_t chunk, const std::string& option,
                             const std::string& value);

struct DistTablesJob {
  std::string out;  // final path
  h5::Provenance provenance;
  std::function<void(h5::Id)> root_attributes;  // rank 0, after the provenance
  h5::ColumnOptions columns;
  bool scores = false;
  bool with_truth = false;
  std::vector<Column> omit;
  // A scores file made from an HDF5 profiles file: the profiles file it refers to instead of
  // copying /profiles (empty: /profiles is written).
  std::string reference;
  std::uint64_t total_rows = 0;
  dist::Range rows;             // this rank's
  std::uint64_t min_bytes = 0;  // refused up front when the disk has less free (0 = no check)
  std::string size_option, size_value;
  // This rank's pipeline batches, when they are not whole --chunk-size chunks of `rows` (an
  // import: blocks of text; 0 = ceil(rows / chunk)).
  std::uint64_t batches = 0;
  // Runs the pipeline into the sinks given (the output's first); empty = run_pipeline.
  std::function<PipelineStats(const std::vector<BatchSink*>&)> run;
};

// Runs the pipeline over this rank's rows into job.out (plus `sinks`), collectively; rank 0
// renames the temporary file into place only after every rank closed it successfully.
PipelineStats run_distributed_tables(const DistTablesJob& job, ProfileSource& source,
                                     const std::vector<BatchSink*>& sinks,
                                     const PipelineOptions& po);

}  // namespace microreach::jobs
