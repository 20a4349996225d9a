#pragma once
// Options of `microreach import` that `score --in data.csv` shares.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "microreach/import.hpp"
#include "microreach/pipeline.hpp"

namespace microreach::cli {

struct ImportCliOptions {
  std::string delimiter;         // "" = detect
  std::vector<std::string> map;  // field=Header
  std::string on_error = "strict";
  std::string rejects;  // rejects CSV (needs --on-error skip)
  std::string platform = "instagram";
  std::string format;      // "" = from the extension
  std::string block_size;  // "" = automatic; bytes, or with K/M suffix (KiB/MiB)
  // Rows of one account: first, last or keep; "" = first for text exports, and no check for
  // HDF5 and generated input (unless asked: the check holds one key per account in memory).
  std::string dedupe;
  // Validates the options (ConfigError naming the option) and builds the library options.
  ImportOptions build() const;
};
void add_import_options(CLI::App* cmd, ImportCliOptions& o);

// Runs the pipeline with duplicate accounts handled as --dedupe says (for `last`, a first
// counting pass over a second source from `reopen`). Returns the duplicates found.
std::uint64_t run_deduplicated(const std::string& dedupe, ProfileSource& source,
                               const std::function<std::unique_ptr<ProfileSource>()>& reopen,
                               const std::vector<BatchSink*>& sinks, const PipelineOptions& po,
                               PipelineStats& stats);

// "3 duplicate rows (2 accounts) dropped, the first row of each kept (--dedupe)" or "".
std::string describe_duplicates(const std::string& dedupe, std::uint64_t rows);

// Sink that writes each rejected row to a rejects file (if any) and keeps the first few to
// show on stderr.
class RejectsSink : public BatchSink {
 public:
  explicit RejectsSink(RejectsWriter* writer) : writer_(writer) {}
  void consume(const Batch& b) override;
  const std::vector<RejectedRow>& first() const { return first_; }
  std::uint64_t count() const { return count_; }

 private:
  RejectsWriter* writer_;
  std::vector<RejectedRow> first_;
  std::uint64_t count_ = 0;
};

// "file.csv:12:4: column "x": found 'y': expected ..." for a rejected row.
std::string describe_reject(const std::string& path, const RejectedRow& r);

}  // namespace microreach::cli
