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
  cmd->add_option("--block-size", o.block_size,
                  "Bytes of text per parallel batch, e.g. 4M (default: about 128 bytes x "
                  "--chunk-size)");
}

ImportOptions ImportCliOptions::build() const {
  ImportOptions io;
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
