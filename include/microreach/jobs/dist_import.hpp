#pragma once
// `import` and `score --in export.csv` in a distributed run (docs/scale.md). The export is cut
// into byte ranges at record starts, one per rank, so the ranks' ranges tile the file; each
// rank runs two passes over its range:
//  pass 1 parses and validates it (a bad row stops every rank, named by its file line), counts
//         the rows kept, the rows rejected and the rows of each account, passes the rejected
//         rows on, and (with an output file) spills the parsed rows to a hidden binary file;
//  then   the ranks exchange these counts in rank order: every rank learns its first output row
//         and what --dedupe must drop of its rows given the accounts of the other ranks;
//  pass 2 runs the pipeline over the spilled rows (or, without a spill, over the range again)
//         into the shared output (dist_tables.hpp).
// The output rows, the rejected rows (and the --rejects file), the duplicates and the summaries
// are those of a one-process run. `score --in FILE.h5 --dedupe` runs the same two passes and
// exchange over each rank's rows of the HDF5 file (count_share, run_share).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/import.hpp"
#include "microreach/jobs/dist_tables.hpp"
#include "microreach/jobs/rows.hpp"
#include "microreach/pipeline.hpp"

namespace microreach::jobs {

struct ImportShare {
  dist::Range rows;              // this rank's output rows, after --dedupe
  std::uint64_t total_rows = 0;  // every rank's
  std::uint64_t batches = 0;     // this rank's pipeline batches
  std::uint64_t duplicates = 0;  // every rank's duplicate rows (--dedupe)
  PipelineStats totals;          // every rank's rows read, rejected and kept (after --dedupe)
  PipelineStats mine;            // this rank's rows read, rejected and kept (before --dedupe)
  Dedupe mode = Dedupe::first;
  std::shared_ptr<AtomicOutput> spill;  // pass 1's rows (never committed: removed at the end)
  std::string input;                    // the input's path
  std::function<void()> rewind;         // back to the start of this rank's rows (no spill)
  // The DedupeSink's state at the start of this rank's range: rows of each account before it
  // (first, keep) or in it and after it (last).
  std::unordered_map<std::uint64_t, std::uint32_t> counts;
};

// Collective. Selects this rank's byte range of `source` and reads it once (pass 1), passing
// the rejected rows to `rejects`. `option`, `value`: what to name when the input cannot be cut
// (a JSON array, a pipe). `spill_beside`: the output file, beside which the parsed rows are
// spilled for pass 2 ("" = no spill: pass 2 parses the range again). `mapped`, if given, is
// called once the columns are mapped (an NDJSON file's keys are collected per range), before
// any row is read.
ImportShare plan_import_share(ImportSource& source, const std::string& dedupe,
                              const std::string& option, const std::string& value,
                              BatchSink* rejects, const std::string& spill_beside,
                              const PipelineOptions& po, const std::function<void()>& mapped = {});

// Collective. Pass 1 and the exchange for a source already reading only this rank's rows (an
// export's range, or an HDF5 file's rows with --dedupe): `share` has its mode, input and
// rewind set.
ImportShare count_share(ProfileSource& source, ImportShare share, BatchSink* rejects,
                        const std::string& spill_beside, const PipelineOptions& po);

// Pass 2 (call inside run_distributed_tables, or alone without an output file): this rank's
// rows, through --dedupe, into `sinks` (no rejected rows: pass 1 had them). Returns this
// rank's statistics (rows after --dedupe; rows read and rejected from pass 1; the time of both
// passes).
PipelineStats run_share(ProfileSource& source, const ImportShare& share,
                        const std::vector<BatchSink*>& sinks, const PipelineOptions& po);

// The rejected rows of every rank, as one process reports them: the --rejects file (each rank
// writes its rows to a hidden file beside it; rank 0 appends them in rank order) and the first
// rows shown on stderr.
class SharedRejects {
 public:
  explicit SharedRejects(const std::string& path);  // "" = no file
  ~SharedRejects();
  BatchSink* sink() { return sink_.get(); }
  // Collective, after pass 2: writes and commits the file; gathers the first rows on rank 0.
  void finish(const std::string& input);
  // Rank 0, after finish(): the first rejected rows, as describe_reject words them.
  const std::vector<std::string>& first() const { return first_; }

 private:
  std::string path_;
  std::unique_ptr<AtomicOutput> out_;
  std::unique_ptr<RejectsWriter> writer_;
  std::unique_ptr<RejectsSink> sink_;
  std::vector<std::string> first_;
};

}  // namespace microreach::jobs
