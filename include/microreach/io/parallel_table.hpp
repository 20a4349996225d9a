#pragma once
// One profiles or scores file written by every rank of a distributed run (docs/scale.md), each
// rank into its own rows, with parallel HDF5 (MPI-IO). The file is the one a single process
// writes, dataset for dataset:
//  1. rank 0 creates it with the ordinary writers (same datasets, types, chunking, filters and
//     attributes as a one-process run), every table sized to the total row count, and closes it;
//  2. every rank opens it with H5Pset_fapl_mpio and writes each pipeline batch with one
//     collective H5Dwrite per column into its own hyperslab; a rank with fewer batches joins the
//     remaining rounds with an empty selection, and every round starts with an agreement so a
//     rank that failed stops the others instead of leaving them waiting;
//  3. after the collective close, rank 0 writes the text columns (handle bytes + offsets,
//     country codes + dictionary: their layout depends on every earlier row) with the serial
//     driver and the one-process writer's code (ProfileWriter::continue_text), reading the
//     strings each rank spilled in step 2, rank after rank.
// Without MPI (or with one rank) none of this is used: the ordinary TableSink writes the file.
#include <cstdint>
#include <memory>
#include <string>

#include "microreach/io/hdf5.hpp"
#include "microreach/pipeline.hpp"

namespace microreach::h5 {

// Step 1 (rank 0, file open with the serial driver, tables already created by a TableSink
// that has since been destroyed): every dataset under /profiles and /scores of one value a row
// gets `rows` rows (the text columns stay empty for step 3).
void size_tables(Id file, std::uint64_t rows);

// Step 4 (rank 0, after every rank closed the file): a scores file made from an HDF5 profiles
// file records that file (path, row count and checksum) instead of a copy of /profiles. The
// reference covers every rank's rows in order: `profiles` is read once more, `chunk_rows` at a
// time, as a one-process run feeds it to its sink.
void record_profiles_reference(const std::string& file, const std::string& profiles,
                               std::size_t chunk_rows);

// Steps 2 and 3. Collective: every rank constructs it, consumes its batches in order and calls
// finish(). `first`, `rows`: this rank's rows; `batch_rows`: the pipeline's batch size (so
// every rank can count the rounds) or `batches`, the batches this rank will pass when they are
// not whole batch_rows (0: ceil(rows / batch_rows)); `spill_dir_file`: a path in the output's
// directory for the string spill file (a hidden temporary beside it, removed in every case).
class ParallelTableSink : public BatchSink {
 public:
  ParallelTableSink(const std::string& path, std::uint64_t first, std::uint64_t rows,
                    std::size_t batch_rows, const std::string& spill_dir_file,
                    std::uint64_t batches = 0);
  ~ParallelTableSink() override;
  void consume(const Batch& b) override;
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace microreach::h5
