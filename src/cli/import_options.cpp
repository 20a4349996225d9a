#include "import_options.hpp"

namespace microreach::cli {

void add_import_options(CLI::App* cmd, jobs::ImportTextOptions& o) {
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

}  // namespace microreach::cli
