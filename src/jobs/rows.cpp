#include "microreach/jobs/rows.hpp"

#include "microreach/error.hpp"

namespace microreach::jobs {

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

namespace {

std::unique_ptr<RejectsWriter> open_writer(std::optional<AtomicOutput>& out,
                                           const std::string& path) {
  if (path.empty()) return nullptr;
  out.emplace(path, "--rejects");
  return std::make_unique<RejectsWriter>(out->temp_path());
}

}  // namespace

RejectsFile::RejectsFile(const std::string& path)
    : writer_(open_writer(out_, path)), sink_(writer_.get()) {}

void RejectsFile::commit() {
  if (!writer_) return;
  writer_->close();
  out_->commit();
}

std::vector<std::string> RejectsFile::first(const std::string& input) const {
  std::vector<std::string> shown;
  for (const auto& r : sink_.first()) shown.push_back(describe_reject(input, r));
  return shown;
}

}  // namespace microreach::jobs
