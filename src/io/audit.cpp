#include "microreach/io/audit.hpp"

#include <cstdint>

#include "microreach/audit/model_file.hpp"

namespace microreach::io {
using namespace microreach::audit;

struct FollowerWriter::Impl {
  h5::Handle group;
  h5::ColumnOptions opt;
  std::unique_ptr<h5::ColumnWriter<double>> probability;
  std::unique_ptr<h5::ColumnWriter<std::uint8_t>> flagged;
  std::unique_ptr<h5::ColumnWriter<std::uint64_t>> line;
  std::unique_ptr<h5::ColumnWriter<std::string>> username;
};

FollowerWriter::FollowerWriter(h5::Id file, std::size_t chunk_rows)
    : impl_(std::make_unique<Impl>()) {
  impl_->group = h5::ensure_group(file, "followers");
  impl_->opt = h5::ColumnOptions{chunk_rows, 0};
  const h5::Id g = impl_->group.get();
  impl_->probability = std::make_unique<h5::ColumnWriter<double>>(
      g, "probability", "", "P(fake) from the follower model", impl_->opt);
  impl_->flagged = std::make_unique<h5::ColumnWriter<std::uint8_t>>(
      g, "flagged", "", "1 if probability >= the model threshold", impl_->opt);
  impl_->line = std::make_unique<h5::ColumnWriter<std::uint64_t>>(
      g, "line", "", "1-based line of the follower in the input file", impl_->opt);
}

FollowerWriter::~FollowerWriter() = default;

void FollowerWriter::append(const ClassifiedBlock& b) {
  impl_->probability->append(b.probability);
  impl_->flagged->append(b.flagged);
  impl_->line->append(b.line);
  if (!b.username.empty()) {
    if (!impl_->username)
      impl_->username = std::make_unique<h5::ColumnWriter<std::string>>(
          impl_->group.get(), "username", "", "username as in the input file", impl_->opt);
    impl_->username->append(b.username);
  }
}

void write_audit_summary(h5::Id file, const AuditSummary& s) {
  const LogisticModel& m = *s.model;
  const ShareEstimate& est = s.estimate;
  h5::Handle g = h5::ensure_group(file, "audit");
  const h5::Id id = g.get();
  // What was audited, with which model and interval.
  h5::write_attrs(id, {{"source", s.source},
                       {"handle", s.handle},
                       {"model_name", s.model_name},
                       {"model", model_to_toml(m)},
                       {"method", interval_method_name(s.method)},
                       {"confidence", s.confidence}});
  // The classifier's accuracy on its validation set, and how far it may move on another
  // population (accuracy_source says where the figures come from).
  h5::write_attrs(id, {{"threshold", m.threshold},
                       {"sensitivity", m.accuracy.sensitivity},
                       {"specificity", m.accuracy.specificity},
                       {"accuracy_source", s.accuracy_source}});
  h5::write_attrs(id, {{"transfer_sd_sensitivity", m.accuracy.transfer_sd_sensitivity},
                       {"transfer_sd_specificity", m.accuracy.transfer_sd_specificity},
                       {"validation_positives", m.accuracy.positives},
                       {"validation_negatives", m.accuracy.negatives}});
  // The sample, and the share flagged in it (apparent), corrected for the classifier's errors
  // (fake_share), with the sampling part of its interval alone.
  h5::write_attrs(id, {{"sampled", s.stats.rows},
                       {"flagged", s.stats.flagged},
                       {"missing_values", s.stats.missing_values}});
  h5::write_attrs(id, {{"apparent_share", est.apparent},
                       {"apparent_lo", est.apparent_ci.lo},
                       {"apparent_hi", est.apparent_ci.hi}});
  h5::write_attrs(id, {{"fake_share", est.corrected},
                       {"fake_share_lo", est.corrected_ci.lo},
                       {"fake_share_hi", est.corrected_ci.hi},
                       {"sampling_lo", est.sampling_ci.lo},
                       {"sampling_hi", est.sampling_ci.hi}});
  // The sample-size advice for the target interval width.
  h5::write_attrs(id, {{"target_width", s.target_width},
                       {"width_reachable", static_cast<std::int64_t>(s.plan.reachable ? 1 : 0)},
                       {"floor_width", s.plan.floor_width},
                       {"total_needed", s.plan.total_needed},
                       {"more_needed", s.plan.more_needed}});
}

}  // namespace microreach::io
