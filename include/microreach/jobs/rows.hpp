#pragma once
// What the jobs that read profiles do with duplicate accounts (--dedupe) and rejected rows
// (--on-error skip, --rejects), the same way for `import` and `score`.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "microreach/cancel.hpp"
#include "microreach/import.hpp"
#include "microreach/pipeline.hpp"

namespace microreach::jobs {

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

// The rejected rows of a one-process run: the --rejects file (written to a temporary name and
// committed by commit()) when `path` is not empty, and the first rows for stderr.
class RejectsFile {
 public:
  explicit RejectsFile(const std::string& path);
  BatchSink* sink() { return &sink_; }
  void commit();
  // The first rejected rows of `input`, as describe_reject words them.
  std::vector<std::string> first(const std::string& input) const;

 private:
  std::optional<AtomicOutput> out_;
  std::unique_ptr<RejectsWriter> writer_;
  RejectsSink sink_;
};

}  // namespace microreach::jobs
