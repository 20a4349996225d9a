// microreach import: an influencer export (CSV, TSV, JSON, NDJSON) -> HDF5 /profiles.
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "dist_import.hpp"
#include "import_options.hpp"
#include "microreach/cancel.hpp"
#include "microreach/dist.hpp"
#include "microreach/error.hpp"
#include "microreach/import.hpp"
#include "microreach/io/profiles.hpp"
#include "microreach/pipeline.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

struct ImportArgs {
  std::string in;
  std::string out;
  std::size_t chunk = 16384;
  h5::Compression compress;
  ImportCliOptions imp;
};

std::string options_text(const ImportArgs& a, const ImportSource& src) {
  std::string s = "[import]\ninput = \"" + a.in + "\"\n";
  s += "format = \"" + std::string(src.format() == TableFormat::json ? "json" : "csv") + "\"\n";
  if (src.delimiter()) {
    s += "delimiter = \"" +
         std::string(src.delimiter() == '\t' ? "\\t" : std::string(1, src.delimiter())) + "\"\n";
  }
  s += "on_error = \"" + a.imp.on_error + "\"\n";
  if (!a.imp.dedupe.empty()) s += "dedupe = \"" + a.imp.dedupe + "\"\n";  // default: first
  s += "default_platform = \"" + a.imp.platform + "\"\n";
  for (const auto& line : src.mapping_report()) s += "# " + line + "\n";
  return s;
}

void run_import(const ImportArgs& a, const Globals& g) {
  const ImportOptions io = a.imp.build();
  auto threads = limit_threads(g.threads);
  auto source = make_import_source(a.in, io, a.chunk);
  if (!g.quiet) {
    std::cerr << "Importing " << a.in << " ("
              << (source->format() == TableFormat::json
                      ? std::string("JSON")
                      : std::string("CSV, delimiter ") +
                            (source->delimiter() == '\t'
                                 ? "tab"
                                 : "'" + std::string(1, source->delimiter()) + "'"))
              << ", " << source->header().size() << " columns)\n";
    for (const auto& line : source->mapping_report()) std::cerr << "  " << line << "\n";
  }
  PipelineOptions po;
  po.score = false;
  po.progress = want_progress(g.quiet);
  PipelineStats stats;
  std::uint64_t duplicates = 0;
  std::vector<std::string> shown;  // the first rejected rows, for stderr
  if (dist::distributed()) {
    // Each rank reads a byte range of the export (dist_import.hpp) into one file.
    SharedRejects rejects(io.rejects_path);
    const ImportShare share =
        plan_import_share(*source, a.imp.dedupe, "input", a.in, rejects.sink(), a.out, po);
    DistTablesJob job;
    job.out = a.out;
    job.provenance = {h5::kFiletypeProfiles, 0, options_text(a, *source), g.command_line};
    job.root_attributes = [&](h5::Id file) {
      h5::write_attr(file, "source", a.in);
      h5::write_attr(file, "rows", share.total_rows);
    };
    job.columns = {a.chunk, a.compress};
    job.omit = source->absent_columns();
    job.total_rows = share.total_rows;
    job.rows = share.rows;
    job.batches = share.batches;
    job.run = [&](const std::vector<BatchSink*>& sinks) {
      return run_import_share(*source, share, sinks, po);
    };
    const PipelineStats mine = run_distributed_tables(job, *source, {}, po);
    rejects.finish(a.in);
    stats = share.totals;
    stats.seconds = mine.seconds;
    duplicates = share.duplicates;
    shown = rejects.first();
  } else {
    AtomicOutput out(a.out);
    std::optional<AtomicOutput> rejects_out;
    std::unique_ptr<RejectsWriter> rejects_writer;
    if (!io.rejects_path.empty()) {
      rejects_out.emplace(io.rejects_path, "--rejects");
      rejects_writer = std::make_unique<RejectsWriter>(rejects_out->temp_path());
    }
    RejectsSink rejects(rejects_writer.get());
    {
      h5::Provenance prov{h5::kFiletypeProfiles, 0, options_text(a, *source), g.command_line};
      h5::File file = h5::File::create(out.temp_path(), prov);
      h5::write_attr(file.id(), "source", a.in);
      {
        h5::TableSink sink(file.id(), {a.chunk, a.compress}, /*scores=*/false,
                           /*with_truth=*/false, source->absent_columns());
        duplicates = run_deduplicated(
            a.imp.dedupe, *source, [&] { return make_import_source(a.in, io, a.chunk); },
            {&sink, &rejects}, po, stats);
        h5::write_attr(file.id(), "rows", static_cast<std::uint64_t>(sink.rows()));
      }
      file.close();
    }
    if (rejects_writer) {
      rejects_writer->close();
      rejects_out->commit();
    }
    out.commit();
    for (const auto& r : rejects.first()) shown.push_back(describe_reject(a.in, r));
  }
  if (!g.quiet && io.rejects_path.empty()) {
    for (const auto& r : shown) std::cerr << "rejected: " << r << "\n";
    if (stats.rejected > shown.size()) {
      std::cerr << "rejected: ... and " << stats.rejected - shown.size()
                << " more (--rejects FILE lists them all)\n";
    }
  }
  const double mb = static_cast<double>(source->size_hint()) / 1e6;
  std::cout << "Read " << stats.rows_read << " rows from " << a.in << ": kept " << stats.rows
            << ", rejected " << stats.rejected;
  if (!io.rejects_path.empty()) std::cout << " (listed in " << io.rejects_path << ")";
  std::cout << "\n";
  std::cout << "Duplicates: " << duplicates;
  if (duplicates) std::cout << ": " << describe_duplicates(a.imp.dedupe, duplicates);
  std::cout << "\n";
  std::cout << "Wrote " << a.out << " in " << stats.seconds << " s";
  if (mb > 0 && stats.seconds > 0) std::cout << " (" << mb / stats.seconds << " MB/s)";
  std::cout << "\n";
}

}  // namespace

void add_import(CLI::App& app, Globals& g) {
  auto a = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Import an influencer export (CSV, TSV, JSON, NDJSON) into an HDF5 profiles file");
  cmd->add_option("input", a->in, "The export to read (.csv .tsv .txt .json .ndjson)")->required();
  cmd->add_option("--out,-o", a->out, "Output HDF5 profiles file")->required();
  cmd->add_option("--chunk-size", a->chunk, "Rows per HDF5 chunk (and the parallel batch size)")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 22));
  add_compress_option(cmd, a->compress);
  add_import_options(cmd, a->imp);
  cmd->callback([a, cmd, &g] {
    check_paths(cmd,
                {{"--out", a->out, OutputFormat::binary},
                 {"--rejects", a->imp.rejects, OutputFormat::text}},
                {{"", a->in}});
    run_import(*a, g);
  });
}

}  // namespace microreach::cli
