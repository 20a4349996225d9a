// microreach import: an influencer export (CSV, TSV, JSON, NDJSON) -> HDF5 /profiles (the job:
// microreach/jobs/import.hpp).
#include <iostream>

#include "commands.hpp"
#include "import_options.hpp"
#include "microreach/jobs/import.hpp"
#include "microreach/jobs/rows.hpp"
#include "options.hpp"
#include "output_check.hpp"

namespace microreach::cli {
namespace {

// The format and column mapping found, on stderr before the rows are read.
void show_source(const ImportSource& source, const std::string& in) {
  std::cerr << "Importing " << in << " ("
            << (source.format() == TableFormat::json
                    ? std::string("JSON")
                    : std::string("CSV, delimiter ") +
                          (source.delimiter() == '\t'
                               ? "tab"
                               : "'" + std::string(1, source.delimiter()) + "'"))
            << ", " << source.header().size() << " columns)\n";
  for (const auto& line : source.mapping_report()) std::cerr << "  " << line << "\n";
}

void print(const jobs::ImportJobOptions& a, const jobs::ImportResult& r, bool quiet) {
  const PipelineStats& stats = r.stats;
  const std::string& rejects = a.imp.rejects;
  if (!quiet && rejects.empty()) {
    for (const auto& line : r.rejected) std::cerr << "rejected: " << line << "\n";
    if (stats.rejected > r.rejected.size()) {
      std::cerr << "rejected: ... and " << stats.rejected - r.rejected.size()
                << " more (--rejects FILE lists them all)\n";
    }
  }
  const double mb = static_cast<double>(r.input_bytes) / 1e6;
  std::cout << "Read " << stats.rows_read << " rows from " << a.in << ": kept " << stats.rows
            << ", rejected " << stats.rejected;
  if (!rejects.empty()) std::cout << " (listed in " << rejects << ")";
  std::cout << "\n";
  std::cout << "Duplicates: " << r.duplicates;
  if (r.duplicates) std::cout << ": " << jobs::describe_duplicates(a.imp.dedupe, r.duplicates);
  std::cout << "\n";
  std::cout << "Wrote " << a.out << " in " << stats.seconds << " s";
  if (mb > 0 && stats.seconds > 0) std::cout << " (" << mb / stats.seconds << " MB/s)";
  std::cout << "\n";
}

}  // namespace

void add_import(CLI::App& app, Globals& g) {
  auto a = std::make_shared<jobs::ImportJobOptions>();
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
    a->run = run_context(g);
    if (!g.quiet) a->opened = [in = a->in](const ImportSource& s) { show_source(s, in); };
    print(*a, jobs::run_import(*a), g.quiet);
  });
}

}  // namespace microreach::cli
