#include "import_options.hpp"

#include "microreach/error.hpp"
#include "microreach/table.hpp"

namespace microreach::cli {

void add_import_options(CLI::App* cmd, ImportCliOptions& o) {
  cmd->add_option("--delimiter", o.delimiter,
                  "CSV delimiter: ',', ';', '|' or 'tab' (default: detected from the header)");
  cmd->add_option("--map", o.map,
                  "Column for a field, e.g. --map followers=Subscribers (repeatable; "
                  "--map field= ignores a column)");
  cmd->add_option("--on-error", o.on_error,
                  "strict: stop at the first bad row, write nothing; skip: leave bad rows out")
      ->check(CLI::IsMember({"strict", "skip"}));
  cmd->add_option("--rejects", o.rejects,
                  "With --on-error skip: write each rejected row, its line, column and reason "
                  "to this CSV file");
  cmd->add_option("--platform", o.platform,
                  "Platform of rows when the file has no platform column (or 'none')");
  cmd->add_option("--format", o.format, "Input format: csv or json (default: from the extension)")
      ->check(CLI::IsMember({"", "csv", "json"}));
  cmd->add_option("--dedupe", o.dedupe,
                  "Rows of one account (same platform and handle, any case): first keeps the "
                  "first (default for CSV/JSON input), last the last, keep all of them (only "
                  "counted); HDF5 input is checked only when this is given")
      ->check(CLI::IsMember({"first", "last", "keep"}));
  cmd->add_option("--block-size", o.block_size,
                  "Bytes of text per parallel batch, e.g. 4M (default: about 128 bytes x "
                  "--chunk-size)");
}

std::uint64_t run_deduplicated(const std::string& dedupe, ProfileSource& source,
                               const std::function<std::unique_ptr<ProfileSource>()>& reopen,
                               const std::vector<BatchSink*>& sinks, const PipelineOptions& po,
                               PipelineStats& stats) {
  const bool text = dynamic_cast<const ImportSource*>(&source) != nullptr;
  if (dynamic_cast<const GeneratorSource*>(&source) || (dedupe.empty() && !text)) {
    stats = run_pipeline(source, sinks, po);
    return 0;
  }
  const Dedupe mode = parse_dedupe("--dedupe", dedupe.empty() ? "first" : dedupe);
  DedupeSink dd(mode, sinks);
  if (mode == Dedupe::last) {
    auto first_pass = reopen();
    CountKeysSink counts;
    PipelineOptions quiet = po;
    quiet.progress = false;
    quiet.score = false;
    run_pipeline(*first_pass, {&counts}, quiet);
    dd.set_counts(std::move(counts.counts));
  }
  stats = run_pipeline(source, {&dd}, po);
  if (mode != Dedupe::keep) stats.rows -= dd.duplicates();
  return dd.duplicates();
}

std::string describe_duplicates(const std::string& dedupe, std::uint64_t rows) {
  if (rows == 0) return "";
  const std::string n = std::to_string(rows) + " duplicate row" + (rows == 1 ? "" : "s");
  if (dedupe == "keep") return n + " (same platform and handle) kept (--dedupe keep)";
  return n + " (same platform and handle) dropped, the " + (dedupe.empty() ? "first" : dedupe) +
         " row of each account kept (--dedupe keep keeps them)";
}

ImportOptions ImportCliOptions::build() const {
  ImportOptions io;
  if (!dedupe.empty()) parse_dedupe("--dedupe", dedupe);
  if (!delimiter.empty()) io.delimiter = parse_delimiter("--delimiter", delimiter);
  for (const auto& m : map) io.add_map(m);
  if (on_error == "skip") {
    io.on_error = OnError::skip;
  } else if (on_error == "strict") {
    io.on_error = OnError::strict;
  } else {
    throw ConfigError("--on-error", on_error, "expected strict or skip");
  }
  if (!rejects.empty() && io.on_error != OnError::skip) {
    throw ConfigError("--rejects", rejects,
                      "a rejects file needs --on-error skip (strict stops at the first bad row)");
  }
  io.rejects_path = rejects;
  if (platform == "none" || platform.empty()) {
    io.default_platform.reset();
  } else {
    const auto p = parse_platform(platform);
    if (!p)
      throw ConfigError("--platform", platform, "expected one of " + platform_list() + " or none");
    io.default_platform = *p;
  }
  if (format == "csv") io.format = TableFormat::csv;
  if (format == "json") io.format = TableFormat::json;
  if (!block_size.empty()) {
    std::size_t mult = 1;
    std::string digits = block_size;
    const char last = digits.back();
    if (last == 'k' || last == 'K') mult = std::size_t{1} << 10;
    if (last == 'm' || last == 'M') mult = std::size_t{1} << 20;
    if (mult != 1) digits.pop_back();
    std::size_t v = 0;
    bool ok = !digits.empty() && digits.size() < 10;
    for (char c : digits) {
      if (c < '0' || c > '9') ok = false;
      v = v * 10 + static_cast<std::size_t>(c - '0');
    }
    v *= mult;
    if (!ok || v < 4096 || v > (std::size_t{1} << 30)) {
      throw ConfigError("--block-size", block_size,
                        "expected a size between 4K and 1024M, e.g. 4M");
    }
    io.block_bytes = v;
  }
  return io;
}

void RejectsSink::consume(const Batch& b) {
  for (const auto& r : b.rejects) {
    if (writer_) writer_->write(r);
    if (first_.size() < 10) first_.push_back(r);
    ++count_;
  }
}

std::string describe_reject(const std::string& path, const RejectedRow& r) {
  std::string msg;
  if (!r.column_name.empty()) msg = "column \"" + r.column_name + "\": found '" + r.text + "': ";
  return InputError::format(path, r.line, r.column, msg + r.reason);
}

}  // namespace microreach::cli
