#include "microreach/jobs/dist_tables.hpp"

#include <filesystem>
#include <memory>

#include "microreach/cancel.hpp"
#include "microreach/error.hpp"
#include "microreach/io/parallel_table.hpp"
#include "microreach/io/profiles.hpp"

namespace microreach::jobs {

dist::Range select_rank_rows(ProfileSource& source, std::size_t chunk, const std::string& option,
                             const std::string& value) {
  const std::uint64_t rows = source.rows_known();
  const dist::Range chunks = dist::my_share((rows + chunk - 1) / chunk);
  const dist::Range mine{std::min(rows, chunks.begin * chunk), std::min(rows, chunks.end * chunk)};
  if (rows == 0 || !source.select_rows(mine.begin, mine.end))
    throw ConfigError(option, value,
                      "under mpirun: an HDF5 profiles file or --generate N (a CSV/JSON export is "
                      "read by one process: 'microreach import' it to HDF5 first)");
  return mine;
}

PipelineStats run_distributed_tables(const DistTablesJob& job, ProfileSource& source,
                                     const std::vector<BatchSink*>& sinks,
                                     const PipelineOptions& po) {
  // Step 1, rank 0: the file as a one-process run lays it out, every table at its full length.
  std::unique_ptr<AtomicOutput> out;
  std::string temp;
  dist::guarded([&] {
    if (!dist::is_root()) return;
    out = std::make_unique<AtomicOutput>(job.out);
    if (job.min_bytes) out->require_space(job.min_bytes, job.size_option, job.size_value);
    temp = out->temp_path();
    h5::File file = h5::File::create(temp, job.provenance);
    if (job.root_attributes) job.root_attributes(file.id());
    {
      h5::TableSink layout(file.id(), job.columns, job.scores, job.with_truth, job.omit, temp,
                           job.reference);
    }
    h5::size_tables(file.id(), job.total_rows);
    file.close();
  });
  dist::broadcast(temp);
  // The spill files go beside the output (same file system, removed in every case).
  const std::filesystem::path final_path(job.out);
  const std::string spill =
      (final_path.parent_path() / (final_path.filename().string() + ".strings")).string();
  PipelineStats stats;
  {
    h5::ParallelTableSink sink(temp, job.rows.begin, job.rows.size(), job.columns.chunk_rows, spill,
                               job.batches);
    std::vector<BatchSink*> all = sinks;
    all.insert(all.begin(), &sink);
    stats = dist::guarded([&] { return job.run ? job.run(all) : run_pipeline(source, all, po); });
    sink.finish();
  }
  dist::check();
  dist::guarded([&] {
    if (!out) return;
    if (!job.reference.empty()) {
      // The reference's row count and checksum cover every rank's rows in order: rank 0 reads
      // the input once more, as a one-process run feeds it to its sink (after the ranks read
      // their shares, so a bad row is reported by the rank that holds it).
      h5::record_profiles_reference(temp, job.reference, job.columns.chunk_rows);
    }
    out->commit();
  });
  dist::check();
  return stats;
}

}  // namespace microreach::jobs
