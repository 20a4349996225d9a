#include "microreach/jobs/import.hpp"

#include "microreach/dist.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/jobs/dist_import.hpp"
#include "microreach/jobs/rows.hpp"

namespace microreach::jobs {
namespace {

// The options as the provenance's `config` records them.
std::string options_text(const ImportJobOptions& o, const ImportSource& src) {
  std::string s = "[import]\ninput = \"" + o.in + "\"\n";
  s += "format = \"" + std::string(src.format() == TableFormat::json ? "json" : "csv") + "\"\n";
  if (src.delimiter()) {
    s += "delimiter = \"" +
         std::string(src.delimiter() == '\t' ? "\\t" : std::string(1, src.delimiter())) + "\"\n";
  }
  s += "on_error = \"" + o.imp.on_error + "\"\n";
  if (!o.imp.dedupe.empty()) s += "dedupe = \"" + o.imp.dedupe + "\"\n";  // default: first
  s += "default_platform = \"" + o.imp.platform + "\"\n";
  for (const auto& line : src.mapping_report()) s += "# " + line + "\n";
  return s;
}

// Each rank reads a byte range of the export (dist_import.hpp) into one file.
void import_distributed(const ImportJobOptions& o, const ImportOptions& io, ImportSource& source,
                        const PipelineOptions& po, ImportResult& result) {
  SharedRejects rejects(io.rejects_path);
  const ImportShare share =
      plan_import_share(source, o.imp.dedupe, "input", o.in, rejects.sink(), o.out, po, [&] {
        if (o.opened) o.opened(source);
      });
  DistTablesJob job;
  job.out = o.out;
  job.provenance = {h5::kFiletypeProfiles, 0, options_text(o, source), o.run.command_line};
  job.root_attributes = [&](h5::Id file) {
    h5::write_attr(file, "source", o.in);
    h5::write_attr(file, "rows", share.total_rows);
  };
  job.columns = {o.chunk, o.compress};
  job.omit = source.absent_columns();
  job.total_rows = share.total_rows;
  job.rows = share.rows;
  job.batches = share.batches;
  job.run = [&](const std::vector<BatchSink*>& sinks) {
    return run_share(source, share, sinks, po);
  };
  const PipelineStats mine = run_distributed_tables(job, source, {}, po);
  rejects.finish(o.in);
  result.stats = share.totals;
  result.stats.seconds = mine.seconds;
  result.duplicates = share.duplicates;
  result.rejected = rejects.first();
}

}  // namespace

ImportResult run_import(const ImportJobOptions& o) {
  const ImportOptions io = o.imp.build();
  auto threads = limit_threads(o.run.threads);
  auto source = make_import_source(o.in, io, o.chunk);
  if (o.opened && !dist::distributed()) o.opened(*source);  // distributed: once mapped
  PipelineOptions po;
  po.score = false;
  po.progress = o.run.progress;
  ImportResult result;
  if (dist::distributed()) {
    import_distributed(o, io, *source, po, result);
  } else {
    RejectsFile rejects(io.rejects_path);
    const h5::Provenance prov{h5::kFiletypeProfiles, 0, options_text(o, *source),
                              o.run.command_line};
    h5::write_file_atomically(o.out, prov, [&](h5::File& file) {
      h5::write_attr(file.id(), "source", o.in);
      h5::TableSink sink(file.id(), {o.chunk, o.compress}, /*scores=*/false,
                         /*with_truth=*/false, source->absent_columns());
      result.duplicates = run_deduplicated(
          o.imp.dedupe, *source, [&] { return make_import_source(o.in, io, o.chunk); },
          {&sink, rejects.sink()}, po, result.stats);
      h5::write_attr(file.id(), "rows", static_cast<std::uint64_t>(sink.rows()));
    });
    rejects.commit();
    result.rejected = rejects.first(o.in);
  }
  result.input_bytes = source->size_hint();
  return result;
}

}  // namespace microreach::jobs
